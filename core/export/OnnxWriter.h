#pragma once

// Core-internal (LibTorch) header: the ONNX graph under construction and the operators the
// component mappings (core/export/components/) are written with. See OnnxExport.h for the
// format this writes.

#include "core/export/TrainedModel.h"
#include "core/nn/Layers.h"

#include <onnx/onnx_pb.h>
#include <QSet>
#include <stdexcept>
#include <string>
#include <vector>

namespace tc::exporting {

/// A model the ONNX writer cannot express; the message becomes the export's error.
class OnnxExportError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Builds the GraphProto node by node. Tensors become initializers on first use, under
/// TrainedModel's names.
class OnnxWriter {
public:
    OnnxWriter(const TrainedModel& model, onnx::GraphProto* graph);

    /// Adds the initializer `name` (a TrainedModel tensor) once and returns its name.
    std::string tensor(const QString& name);
    /// A float32 constant (scalar when `shape` is empty).
    std::string constant(const std::string& name, const std::vector<float>& values,
                         const std::vector<std::int64_t>& shape);
    /// Adds a node with one output and returns the output's name ("<hint>/<op>_<n>").
    std::string node(const char* op, const std::vector<std::string>& inputs, const QString& hint);

    /// Attributes of the node added last.
    void attribute(const char* name, std::int64_t value);
    void attribute(const char* name, float value);
    void attribute(const char* name, const std::vector<std::int64_t>& values);
    void renameLastOutput(const std::string& name);

    // The operators several components share. `name` is the module's tensor prefix.

    /// A node name from a tensor prefix: "head.0." → "head.0".
    static QString hint(const QString& name);
    std::string conv(const std::string& x, const torch::nn::Conv2dImpl& module,
                     const QString& name);
    /// BatchNormalization of a BatchNorm1d's or BatchNorm2d's options (`module.options`).
    std::string batchNorm(const std::string& x, const torch::nn::BatchNormOptions& options,
                          const QString& name);
    std::string activation(const std::string& x, nn::Activation activation, double slope,
                           const QString& name);
    /// [N, …] → [N, F].
    std::string flatten(const std::string& x, const QString& name);

private:
    void addInitializer(const std::string& name, const torch::Tensor& value);

    const TrainedModel& m_model;
    onnx::GraphProto* m_graph;
    onnx::NodeProto* m_last = nullptr;
    QSet<QString> m_initialised;
    int m_counter = 0;
};

} // namespace tc::exporting
