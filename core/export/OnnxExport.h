#pragma once

// Core-internal header.

#include "core/export/TrainedModel.h"

#include <optional>
#include <QByteArray>
#include <QMap>

namespace tc::exporting {

/// Opset of the ONNX files TorchCanvas writes.
inline constexpr int kOnnxOpset = 13;

/// The model as an ONNX ModelProto (opset 13, written with the ONNX protobuf classes of
/// Debian's libonnx-dev), serialised. Input "input": float32 [batch, 3, H, W] normalised as
/// in training; output "probabilities": float32 [batch, classes].
///
/// The ops stay within what OpenCV 4.6's ONNX importer runs: Conv, BatchNormalization,
/// Relu, LeakyRelu, Sigmoid, Tanh, MaxPool, Add, GlobalAveragePool, GlobalMaxPool,
/// ReduceMean, Flatten, Gemm, Softmax (GELU is written as its erf form: Div, Erf, Add, Mul).
/// Batch norms are kept as nodes, not folded, so each tensor stays one-to-one with
/// TrainedModel's names (the initializer names are those names).
///
/// metadata_props: "torchcanvas" (TrainedModel::configJson() as JSON), "class_names" (a JSON
/// array), "mean", "std", "input_shape" (JSON arrays), "torchcanvas_version" and "decision"
/// (one sentence). With an operating point the output is softmax(logits / temperature) (a
/// Div node before the Softmax when the temperature is not 1) and "decision.threshold",
/// "decision.temperature", "decision.positiveClass", "decision.positiveClassIndex",
/// "decision.chosenBy" and "decision.chosenOn" are set.
std::optional<QByteArray> onnxModelBytes(const TrainedModel& model, QString* error);

/// onnxModelBytes() written to `path` atomically.
bool writeOnnx(const TrainedModel& model, const QString& path, QString* error);

/// Reads an ONNX file's metadata_props (for `predict` and the agreement check). std::nullopt
/// with a message naming the file when it is not a readable ONNX model.
std::optional<QMap<QString, QString>> readOnnxMetadata(const QString& path, QString* error);

} // namespace tc::exporting
