#pragma once

// Classifying images with an exported model or a checkpoint. No LibTorch in this header:
// the CLI and the GUI use it directly.

#include "core/data/DataSettings.h"
#include "core/export/ModelFiles.h"
#include "core/nn/Architecture.h"
#include "core/train/Decision.h"

#include <functional>
#include <memory>
#include <QStringList>
#include <vector>

namespace tc::exporting {

/// The result for one image.
struct ImagePrediction {
    QString image;
    int label = -1;                   ///< index into Predictor::classNames(); -1 on failure
    std::vector<float> probabilities; ///< one per class, summing to 1
    QString error;                    ///< why the image could not be classified

    bool ok() const { return error.isEmpty(); }
};

/// The binary decision for one image: the positive class when its probability is at least
/// the threshold, otherwise the most probable of the other classes.
struct ImageDecision {
    int label = -1;
    double positiveProbability = 0.0; ///< the probability the threshold was applied to
    double threshold = 0.5;
    bool positive = false;
};

/// `prediction` (which must be ok()) decided at `threshold` for `point`'s positive class.
ImageDecision decide(const ImagePrediction& prediction, const train::OperatingPoint& point,
                     double threshold);

/// Runs a model file on image files, with the preprocessing the model was trained with:
///   * run folders, checkpoints, projects and safetensors exports: the app's own LibTorch
///     modules (ChainModel) on the app's image pipeline (core/data/ImagePipeline);
///   * bare TorchScript exports: the app's image pipeline, then the TorchScript module;
///   * deployable TorchScript exports: the decoded 8-bit RGB pixels (cv::imread, colour),
///     handed to the module, which does its own resizing and normalisation;
///   * ONNX exports: the app's image pipeline, then OpenCV's DNN module.
///
/// With an operating point (a run's operating-point.json, or what an export carries) the
/// probabilities are softmax(logits / temperature), the ones its threshold applies to;
/// exports compute that themselves, run folders and checkpoints here.
///
/// One Predictor runs on one thread at a time (it may be created on another). It uses the
/// calling thread's LibTorch thread count.
class Predictor {
public:
    /// Opens `path` (see identifyModelFile()). nullptr with a one-line message naming the file
    /// when it is not a model TorchCanvas can run.
    static std::unique_ptr<Predictor> open(const QString& path, QString* error);
    ~Predictor();
    Predictor(const Predictor&) = delete;
    Predictor& operator=(const Predictor&) = delete;

    const ModelFileInfo& fileInfo() const;
    /// "TorchScript with preprocessing", "ONNX", "checkpoint", …
    QString kindName() const;
    const QStringList& classNames() const;
    const data::PreprocessingSettings& preprocessing() const;
    /// The arithmetic of the backbone: a run's or checkpoint's recorded precision (where this
    /// CPU can compute it); fp32 for exported files.
    nn::Precision precision() const;
    /// One line when the recorded precision cannot be computed here and fp32 is used
    /// instead; empty otherwise.
    const QString& notice() const;
    /// The decision the model carries: its run's operating point (run folders, checkpoints,
    /// projects) or the one written into the export; nothing for models without one.
    const std::optional<train::OperatingPoint>& operatingPoint() const;

    /// Progress: called after each image with (done, total); returning false stops, and the
    /// images not classified yet get the error "cancelled".
    using Progress = std::function<bool(int done, int total)>;

    /// Classifies `images` in order. An image that cannot be read or decoded gets an error
    /// and does not stop the others. A model that fails at run time (e.g. an exported model
    /// edited by hand) gives every remaining image that error.
    std::vector<ImagePrediction> predict(const QStringList& images, const Progress& progress = {});

    /// Images per forward pass for fixed-size inputs.
    static constexpr int kBatchSize = 16;

private:
    class Impl;
    explicit Predictor(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

} // namespace tc::exporting
