#pragma once

// Grad-CAM explanations of a trained model's decisions. No LibTorch in this header: the CLI
// and the GUI use it directly.

#include "core/data/DataSettings.h"
#include "core/data/ImagePipeline.h"

#include <memory>
#include <optional>
#include <QStringList>
#include <vector>

namespace tc::exporting {

/// A Grad-CAM heatmap of one image for one class, with the class probabilities of the same
/// (fp32) forward pass (softmax(logits / T) when the model carries an operating point, as
/// predict and the exports give them).
struct Explanation {
    QString image;
    int predicted = -1;      ///< argmax of probabilities; -1 on failure
    int explainedClass = -1; ///< the class the map explains
    std::vector<float> probabilities;
    /// The map at the network's input resolution (the preprocessing's width × height),
    /// row-major, normalised to [0, 1]; all zeros when no activation supports the class.
    std::vector<float> map;
    int width = 0;
    int height = 0;
    QString error; ///< why the image could not be explained

    bool ok() const { return error.isEmpty(); }
};

/// Grad-CAM (Selvaraju et al., 2017) with the standard definition, so that results compare
/// with published tools (pytorch-grad-cam, Captum's LayerGradCam):
///   * target layer: the output A of the backbone's last residual stage (`layer4`);
///   * weights: α_k = spatial mean of ∂(logit of the class) / ∂A_k;
///   * map: ReLU(Σ_k α_k A_k), bilinearly upsampled (align_corners false) to the input size,
///     then min-max normalised to [0, 1].
///
/// For any model whose chain starts with a ResNet (18…152), frozen or trainable. The speed
/// path that training and `predict` use for a frozen backbone (oneDNN, bf16, folded batch
/// norms, the feature cache) is not involved: the explainer rebuilds the trained model as the
/// app's eager fp32 LibTorch modules in eval mode (batch norms use their running statistics)
/// and differentiates through them with autograd, whatever precision the run recorded.
///
/// Sources are those of Predictor::open() that hold the whole model: run folders,
/// checkpoints, projects, safetensors and TorchScript exports (with the same trust checks).
/// One Explainer runs on one thread at a time; it uses the calling thread's thread count.
class Explainer {
public:
    /// nullptr with a one-line message naming the file when `path` is not a model TorchCanvas
    /// can explain.
    static std::unique_ptr<Explainer> open(const QString& path, QString* error);
    ~Explainer();
    Explainer(const Explainer&) = delete;
    Explainer& operator=(const Explainer&) = delete;

    const QStringList& classNames() const;
    const data::PreprocessingSettings& preprocessing() const;
    /// "ResNet50 → Dense 2 softmax".
    QString architectureSummary() const;

    /// Explains `classIndex` (-1: the predicted class) for the image file `image`. A file
    /// that cannot be read, or a model failing at run time, gives an Explanation with an
    /// error naming the file.
    Explanation explain(const QString& image, int classIndex = -1);

private:
    class Impl;
    explicit Explainer(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

/// Opacity of the heatmap over the image by default.
inline constexpr double kDefaultOverlayAlpha = 0.45;

/// The map of `explanation` coloured with viridis (dark blue: 0, yellow: 1), at the input
/// resolution.
data::RgbImage heatmapImage(const Explanation& explanation);

/// The original image file with the heatmap laid over it at `alpha` (0: image only, 1: map
/// only): the map is bilinearly resized onto the region of the image the network saw (all
/// of it when stretching, the centre when cropping; what lies outside is dimmed). Returns
/// nothing with `error` naming the file when it cannot be decoded.
std::optional<data::RgbImage> overlayImage(const QString& imagePath, const Explanation& explanation,
                                           const data::PreprocessingSettings& preprocessing,
                                           double alpha, QString* error);

/// Encodes an RGB image as PNG bytes (empty on failure).
QByteArray encodePng(const data::RgbImage& image);

} // namespace tc::exporting
