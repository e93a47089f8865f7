#include "core/export/Explainer.h"

#include "core/export/ChainModel.h"
#include "core/export/ModelLoading.h"
#include "core/nn/Layers.h"
#include "core/nn/ResNet.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <QFile>
#include <QFileInfo>

namespace tc::exporting {

namespace {

/// What a ResNet adds after layer4, as ResNetImpl::forward() does it.
torch::Tensor afterLayer4(nn::ResNetImpl& resnet, const torch::Tensor& features) {
    if (resnet.options().includeTop)
        return resnet.fc(torch::adaptive_avg_pool2d(features, {1, 1}).flatten(1));
    switch (resnet.options().pooling) {
    case nn::Pooling::Average:
        return torch::adaptive_avg_pool2d(features, {1, 1}).flatten(1);
    case nn::Pooling::Max:
        return torch::amax(features, {2, 3});
    case nn::Pooling::None:
        break;
    }
    return features;
}

/// Min-max normalisation to [0, 1]; a constant map becomes zeros (nothing stands out).
torch::Tensor normalised(const torch::Tensor& map) {
    const torch::Tensor low = map.min();
    const float range = (map.max() - low).item<float>();
    if (!(range > 0.0f) || !std::isfinite(range))
        return torch::zeros_like(map);
    return (map - low) / range;
}

} // namespace

class Explainer::Impl {
public:
    TrainedModel model;
    std::vector<ChainLayer> layers; ///< shallow copies: they share ChainModel's modules
    std::optional<ChainModel> chain;
    nn::ResNetImpl* backbone = nullptr;

    /// images [1, 3, H, W] → (layer4 activations A, logits). A is a leaf that requires grad;
    /// the logits are recorded from it, so ∂logit/∂A is exact. Below layer4 nothing needs a
    /// gradient (Grad-CAM differentiates with respect to A only), so that part runs without
    /// recording the graph.
    std::pair<torch::Tensor, torch::Tensor> forward(const torch::Tensor& images) {
        torch::Tensor activations;
        {
            torch::NoGradGuard noGrad;
            activations = backbone->forwardFeatures(images);
        }
        activations = activations.detach().requires_grad_(true);
        torch::AutoGradMode enableGrad(true);
        torch::Tensor x = afterLayer4(*backbone, activations);
        // Each layer's value (a chain reads the one before; a graph names its inputs).
        std::vector<torch::Tensor> values{x};
        for (size_t i = 1; i < layers.size(); ++i) {
            ChainLayer& layer = layers[i];
            if (layer.takesInputList) {
                std::vector<torch::Tensor> inputs;
                for (int input : layer.inputs)
                    inputs.push_back(values.at(input));
                values.push_back(layer.module.forward(std::move(inputs)));
                continue;
            }
            const torch::Tensor& input = values.at(layer.inputs.front());
            if (i + 1 == layers.size()) {
                if (auto* dense = layer.as<nn::DenseImpl>()) {
                    values.push_back(dense->forwardLogits(input));
                    break;
                }
            }
            values.push_back(layer.module.forward(input));
        }
        return {activations, values.back()};
    }
};

Explainer::Explainer(std::unique_ptr<Impl> impl)
    : m_impl(std::move(impl)) {}

Explainer::~Explainer() = default;

const QStringList& Explainer::classNames() const {
    return m_impl->model.classNames;
}

const data::PreprocessingSettings& Explainer::preprocessing() const {
    return m_impl->model.preprocessing;
}

QString Explainer::architectureSummary() const {
    return m_impl->model.architectureSummary();
}

std::unique_ptr<Explainer> Explainer::open(const QString& path, QString* error) {
    auto fail = [&](const QString& reason) -> std::unique_ptr<Explainer> {
        if (error)
            *error = QStringLiteral("%1: %2").arg(path, reason);
        return nullptr;
    };
    const std::optional<ModelFileInfo> info = identifyModelFile(path, error);
    if (!info)
        return nullptr;
    if (info->kind == ModelFileKind::Onnx)
        return fail(QStringLiteral("ONNX models cannot be explained (no gradients); use the run "
                                   "folder, a checkpoint or a TorchScript export"));
    std::optional<TrainedModel> model = loadTrainedModel(*info, error);
    if (!model)
        return nullptr;
    if (!model->hasBackbone())
        return fail(QStringLiteral("Grad-CAM needs a model that starts with a ResNet backbone; "
                                   "this one is %1")
                        .arg(model->architectureSummary()));
    auto impl = std::make_unique<Impl>();
    QString reason;
    // Eager fp32 modules in eval mode, never the frozen backbone's speed path.
    impl->chain = ChainModel::build(*model, &reason);
    if (!impl->chain)
        return fail(reason);
    impl->layers = impl->chain->layers();
    impl->backbone = impl->layers.front().as<nn::ResNetImpl>();
    if (!impl->backbone)
        return fail(QStringLiteral("the first component is not a ResNet"));
    for (size_t i = 1; i < impl->layers.size(); ++i) {
        for (int input : impl->layers[i].inputs) {
            if (input < 0)
                return fail(QStringLiteral("Grad-CAM needs a model whose only use of the images "
                                           "is its ResNet backbone"));
        }
    }
    impl->model = std::move(*model);
    impl->model.tensors = nn::StateDict(); // the modules hold them now
    return std::unique_ptr<Explainer>(new Explainer(std::move(impl)));
}

Explanation Explainer::explain(const QString& image, int classIndex) {
    Explanation result;
    result.image = image;
    const auto& settings = m_impl->model.preprocessing;
    const int classes = int(m_impl->model.classNames.size());
    if (classIndex < -1 || classIndex >= classes) {
        result.error = QStringLiteral("class %1 does not exist (the model has %2 classes)")
                           .arg(classIndex)
                           .arg(classes);
        return result;
    }
    // No augmentation: the deterministic preprocessing that predict and the Test view use.
    const data::ImagePipeline pipeline(settings);
    torch::Tensor input = torch::empty({1, 3, settings.height, settings.width});
    if (!pipeline.load(image, input.data_ptr<float>(), data::PixelLayout::Planar, std::nullopt,
                       &result.error))
        return result;
    try {
        auto [activations, logits] = m_impl->forward(input);
        if (logits.dim() != 2 || logits.size(0) != 1 || logits.size(1) != classes)
            throw std::runtime_error("the model does not give one logit per class");
        // The probabilities predict and the exports give: temperature-scaled when the run
        // saved an operating point.
        const torch::Tensor probabilities =
            torch::softmax(logits.detach() / m_impl->model.temperature(), /*dim=*/1)
                .squeeze(0)
                .contiguous();
        result.probabilities.assign(probabilities.data_ptr<float>(),
                                    probabilities.data_ptr<float>() + classes);
        result.predicted = int(probabilities.argmax().item<std::int64_t>());
        result.explainedClass = classIndex < 0 ? result.predicted : classIndex;

        const torch::Tensor gradient =
            torch::autograd::grad({logits[0][result.explainedClass]}, {activations})[0];
        torch::NoGradGuard noGrad;
        const torch::Tensor weights = gradient.mean({2, 3}, /*keepdim=*/true);
        const torch::Tensor cam =
            torch::relu((weights * activations.detach()).sum(/*dim=*/1, /*keepdim=*/true));
        namespace F = torch::nn::functional;
        const torch::Tensor upsampled = F::interpolate(
            cam, F::InterpolateFuncOptions()
                     .size(std::vector<std::int64_t>{settings.height, settings.width})
                     .mode(torch::kBilinear)
                     .align_corners(false));
        const torch::Tensor map = normalised(upsampled[0][0]).contiguous();
        if (!torch::isfinite(map).all().item<bool>())
            throw std::runtime_error("the heatmap is not finite");
        result.width = settings.width;
        result.height = settings.height;
        result.map.assign(map.data_ptr<float>(), map.data_ptr<float>() + map.numel());
    } catch (const std::exception& failure) {
        const auto* c10Error = dynamic_cast<const c10::Error*>(&failure);
        result = Explanation{};
        result.image = image;
        result.error =
            QStringLiteral("'%1': the model failed: %2")
                .arg(image, QString::fromUtf8(c10Error ? c10Error->what_without_backtrace()
                                                       : failure.what())
                                .section(QLatin1Char('\n'), 0, 0));
    }
    return result;
}

namespace {

cv::Mat viridis(const Explanation& explanation) {
    const cv::Mat map(explanation.height, explanation.width, CV_32F,
                      const_cast<float*>(explanation.map.data()));
    cv::Mat levels;
    map.convertTo(levels, CV_8U, 255.0);
    cv::Mat bgr;
    cv::applyColorMap(levels, bgr, cv::COLORMAP_VIRIDIS);
    return bgr;
}

data::RgbImage toRgbImage(const cv::Mat& bgr) {
    cv::Mat rgb;
    cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
    data::RgbImage image;
    image.width = rgb.cols;
    image.height = rgb.rows;
    image.pixels.resize(std::size_t(rgb.cols) * rgb.rows * 3);
    for (int y = 0; y < rgb.rows; ++y)
        std::memcpy(image.pixels.data() + std::size_t(y) * rgb.cols * 3, rgb.ptr(y),
                    std::size_t(rgb.cols) * 3);
    return image;
}

/// The region of an image of `size` that the preprocessing hands to the network.
cv::Rect seenRegion(cv::Size size, const data::PreprocessingSettings& settings) {
    if (settings.resize == data::PreprocessingSettings::Resize::Stretch)
        return {0, 0, size.width, size.height};
    // Shorter side crop: the centre with the target's aspect ratio.
    const double scale =
        std::max(double(settings.width) / size.width, double(settings.height) / size.height);
    const int width = std::clamp(int(std::lround(settings.width / scale)), 1, size.width);
    const int height = std::clamp(int(std::lround(settings.height / scale)), 1, size.height);
    return {(size.width - width) / 2, (size.height - height) / 2, width, height};
}

} // namespace

data::RgbImage heatmapImage(const Explanation& explanation) {
    if (!explanation.ok() || explanation.map.empty())
        return {};
    return toRgbImage(viridis(explanation));
}

std::optional<data::RgbImage> overlayImage(const QString& imagePath, const Explanation& explanation,
                                           const data::PreprocessingSettings& preprocessing,
                                           double alpha, QString* error) {
    auto fail = [&](const QString& reason) -> std::optional<data::RgbImage> {
        if (error)
            *error = QStringLiteral("'%1' %2").arg(imagePath, reason);
        return std::nullopt;
    };
    if (!explanation.ok() || explanation.map.empty())
        return fail(QStringLiteral("has no heatmap"));
    cv::Mat image;
    if (QFileInfo(imagePath).isFile()) {
        try {
            image = cv::imread(QFile::encodeName(imagePath).toStdString(), cv::IMREAD_COLOR);
        } catch (const cv::Exception&) {
            image.release();
        }
    }
    if (image.empty())
        return fail(QFileInfo(imagePath).isFile() ? QStringLiteral("cannot be decoded as an image")
                                                  : QStringLiteral("does not exist"));
    alpha = std::clamp(alpha, 0.0, 1.0);
    const cv::Rect region = seenRegion(image.size(), preprocessing);
    cv::Mat coloured;
    cv::resize(viridis(explanation), coloured, region.size(), 0, 0, cv::INTER_LINEAR);
    cv::Mat result;
    // Outside the region the network saw, the image is dimmed.
    image.convertTo(result, -1, region.size() == image.size() ? 1.0 : 0.5);
    cv::Mat target = result(region);
    cv::addWeighted(image(region), 1.0 - alpha, coloured, alpha, 0.0, target);
    return toRgbImage(result);
}

QByteArray encodePng(const data::RgbImage& image) {
    if (image.width <= 0 || image.height <= 0)
        return {};
    const cv::Mat rgb(image.height, image.width, CV_8UC3,
                      const_cast<std::uint8_t*>(image.pixels.data()));
    cv::Mat bgr;
    cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
    std::vector<uchar> bytes;
    if (!cv::imencode(".png", bgr, bytes))
        return {};
    return QByteArray(reinterpret_cast<const char*>(bytes.data()), int(bytes.size()));
}

} // namespace tc::exporting
