#pragma once

// Fast inference of a frozen ResNet backbone: float NCHW images → [N, C] features. No
// LibTorch in this header (the at::Tensor overload is only declared), so the GUI and the
// CLI can use it directly.

#include "core/nn/Architecture.h"
#include "core/nn/WeightStore.h"

#include <memory>
#include <QString>
#include <vector>

namespace at {
class Tensor;
}

namespace tc::nn {

class ResNetImpl;
class BackboneEngine;

struct FeatureExtractorOptions {
    ResNetDepth depth = ResNetDepth::ResNet50;
    /// Average or Max (None is not a feature vector and is refused).
    Pooling pooling = Pooling::Average;
    Precision precision = Precision::Auto;
    /// Pretrained weights: `weightsFile` when set, otherwise the store's file for `depth`.
    bool pretrained = true;
    QString weightsFile;
    QString weightsDirectory; ///< empty: WeightStore::defaultDirectory()
    /// Seeds the random initialisation, which a backbone keeps where no weights are loaded.
    quint64 seed = 42;
    /// Which implementation runs the network. Auto: oneDNN where this build has it.
    enum class Engine { Auto, OneDnn, LibTorch };
    Engine engine = Engine::Auto;
};

/// A frozen backbone prepared for throughput: batch norms folded into the convolutions,
/// activations kept in one channels-last or blocked layout, ReLUs and residual sums fused
/// into the convolutions, Winograd 3×3 convolutions in fp32, bf16 arithmetic where the CPU
/// runs it faster (oneDNN engine; docs/BENCHMARKS.md). Results equal the eval-mode
/// ResNet's to fp32 rounding (fp32: about 1e-6 relative, tested to ≤ 1e-4) or to bf16 precision
/// (cosine similarity ≥ 0.999 per image).
///
/// extract() may be called from any thread, one call at a time per extractor; it uses the
/// calling thread's LibTorch/OpenMP thread count (tc::runtime::configureCurrentThread()).
class FeatureExtractor {
public:
    /// Builds the backbone and loads its weights. Never throws: check isValid(). Missing
    /// weights are not an error (the network is then randomly initialised and
    /// weightsStatus() says so); an unusable weights file is.
    explicit FeatureExtractor(const FeatureExtractorOptions& options);
    /// From an existing backbone (e.g. the frozen ResNet of a built model), with the
    /// weights and batch-norm statistics it has now, computing what it computes in eval
    /// mode. The extractor keeps its own copy: later changes to `model` do not reach it.
    /// `status` is reported as weightsStatus().
    FeatureExtractor(
        ResNetImpl& model, Pooling pooling, Precision precision, const WeightsStatus& status,
        FeatureExtractorOptions::Engine engine = FeatureExtractorOptions::Engine::Auto);
    ~FeatureExtractor();
    FeatureExtractor(const FeatureExtractor&) = delete;
    FeatureExtractor& operator=(const FeatureExtractor&) = delete;

    bool isValid() const { return error_.isEmpty(); }
    QString errorString() const { return error_; }

    /// Features per image: 512 (ResNet 18/34) or 2048 (50/101/152).
    int featureCount() const { return featureCount_; }
    /// The precision in use (Auto resolved by nn::resolvePrecision(), core/nn/PrecisionPolicy.h).
    Precision precision() const { return precision_; }
    /// Non-empty when the requested precision could not be computed on this CPU (bf16 without
    /// AVX-512) and fp32 is used instead: one line for the user.
    QString notice() const { return notice_; }
    const WeightsStatus& weightsStatus() const { return weightsStatus_; }
    /// e.g. "oneDNN bf16, channels-last (nhwc), fused ReLU and residual sums, batch norm folded".
    QString engineDescription() const;

    /// `images`: count × 3 × height × width floats (NCHW, already normalised as in
    /// training); `features` receives count × featureCount() floats. Images must be at
    /// least 32×32. Returns false with a message on bad arguments.
    bool extract(const float* images, int count, int height, int width, float* features,
                 QString* error = nullptr);
    std::vector<float> extract(const std::vector<float>& images, int count, int height, int width,
                               QString* error = nullptr);
    /// Core callers: [N, 3, H, W] float → [N, C] float32. Throws c10::Error on bad shapes.
    at::Tensor extract(const at::Tensor& images);

private:
    void prepare(ResNetImpl& model, Pooling pooling, Precision precision,
                 FeatureExtractorOptions::Engine engine);

    std::unique_ptr<BackboneEngine> engine_;
    QString error_;
    QString notice_;
    int featureCount_ = 0;
    Precision precision_ = Precision::Fp32;
    WeightsStatus weightsStatus_;
};

} // namespace tc::nn
