#include "core/nn/FeatureExtractor.h"

#include "core/nn/FoldedResNet.h"
#include "core/nn/PrecisionPolicy.h"
#include "core/nn/ResNet.h"
#include "core/util/Runtime.h"

namespace tc::nn {

FeatureExtractor::FeatureExtractor(const FeatureExtractorOptions& options) {
    if (options.pooling == Pooling::None) {
        error_ = QStringLiteral("a feature extractor needs avg or max pooling");
        return;
    }
    try {
        ResNetOptions resNetOptions;
        resNetOptions.depth = options.depth;
        resNetOptions.includeTop = false;
        resNetOptions.pooling = options.pooling;
        torch::manual_seed(options.seed); // a backbone without weights keeps its initialisation
        ResNet model(resNetOptions);
        const WeightStore store(options.weightsDirectory);
        weightsStatus_ =
            initialiseResNetWeights(*model, options.pretrained, options.weightsFile, store);
        if (weightsStatus_.state == WeightsStatus::State::RandomLoadFailed) {
            error_ = weightsStatus_.reason;
            return;
        }
        prepare(*model, options.pooling, options.precision, options.engine);
    } catch (const c10::Error& failure) {
        error_ = QString::fromStdString(failure.what_without_backtrace());
    } catch (const std::exception& failure) {
        error_ = QString::fromLocal8Bit(failure.what());
    }
}

FeatureExtractor::FeatureExtractor(ResNetImpl& model, Pooling pooling, Precision precision,
                                   const WeightsStatus& status,
                                   FeatureExtractorOptions::Engine engine)
    : weightsStatus_(status) {
    if (pooling == Pooling::None) {
        error_ = QStringLiteral("a feature extractor needs avg or max pooling");
        return;
    }
    try {
        prepare(model, pooling, precision, engine);
    } catch (const c10::Error& failure) {
        error_ = QString::fromStdString(failure.what_without_backtrace());
    } catch (const std::exception& failure) {
        error_ = QString::fromLocal8Bit(failure.what());
    }
}

FeatureExtractor::~FeatureExtractor() = default;

void FeatureExtractor::prepare(ResNetImpl& model, Pooling pooling, Precision precision,
                               FeatureExtractorOptions::Engine engine) {
    precision_ = nn::resolvePrecision(precision);
    if (!canCompute(precision_)) {
        // oneDNN has no bf16 kernels without AVX-512 (creating one throws), and ATen's emulated
        // bf16 is many times slower than fp32: compute in fp32 and say so.
        notice_ = QStringLiteral("bf16 was requested, but this CPU cannot compute it (%1); "
                                 "using fp32, so features may differ by up to bf16's rounding")
                      .arg(runtime::cpuFeatures().summary());
        precision_ = Precision::Fp32;
    }
    featureCount_ = static_cast<int>(model.featureChannels());
    const FoldedResNet folded = foldResNet(model);
    const bool bf16 = precision_ == Precision::Bf16;
    const bool wantOneDnn = engine != FeatureExtractorOptions::Engine::LibTorch;
    if (wantOneDnn)
        engine_ = makeOneDnnEngine(folded, bf16, pooling);
    if (!engine_) {
        if (engine == FeatureExtractorOptions::Engine::OneDnn) {
            error_ = QStringLiteral("this build of TorchCanvas has no oneDNN engine");
            return;
        }
        engine_ = makeLibTorchEngine(folded, bf16, pooling);
    }
}

QString FeatureExtractor::engineDescription() const {
    return engine_ ? engine_->description() : QString();
}

at::Tensor FeatureExtractor::extract(const at::Tensor& images) {
    TORCH_CHECK(engine_, "the feature extractor is not valid: ", error_.toStdString());
    TORCH_CHECK(images.dim() == 4 && images.size(1) == 3,
                "expected images of shape [N, 3, H, W], got ", images.sizes());
    TORCH_CHECK(images.size(2) >= 32 && images.size(3) >= 32, "images must be at least 32×32");
    if (images.size(0) == 0)
        return torch::empty({0, featureCount_}, torch::kFloat32);
    return engine_->run(images);
}

bool FeatureExtractor::extract(const float* images, int count, int height, int width,
                               float* features, QString* error) {
    auto fail = [&](const QString& reason) {
        if (error)
            *error = reason;
        return false;
    };
    if (!engine_)
        return fail(error_);
    if (count < 0 || height < 32 || width < 32)
        return fail(
            QStringLiteral("images must be at least 32×32 (got %1×%2)").arg(width).arg(height));
    if (count == 0)
        return true;
    if (!images || !features)
        return fail(QStringLiteral("no image or feature buffer"));
    try {
        const torch::Tensor input = torch::from_blob(const_cast<float*>(images),
                                                     {count, 3, height, width}, torch::kFloat32);
        const torch::Tensor output = engine_->run(input);
        std::memcpy(features, output.data_ptr<float>(),
                    sizeof(float) * static_cast<std::size_t>(count) * featureCount_);
        return true;
    } catch (const c10::Error& failure) {
        return fail(QString::fromStdString(failure.what_without_backtrace()));
    } catch (const std::exception& failure) {
        return fail(QString::fromLocal8Bit(failure.what()));
    }
}

std::vector<float> FeatureExtractor::extract(const std::vector<float>& images, int count,
                                             int height, int width, QString* error) {
    const std::size_t expected = static_cast<std::size_t>(std::max(count, 0)) * 3 *
                                 static_cast<std::size_t>(std::max(height, 0)) *
                                 static_cast<std::size_t>(std::max(width, 0));
    if (images.size() != expected) {
        if (error) {
            *error = QStringLiteral("%1 floats given for %2 images of 3×%3×%4 (%5 expected)")
                         .arg(images.size())
                         .arg(count)
                         .arg(height)
                         .arg(width)
                         .arg(expected);
        }
        return {};
    }
    std::vector<float> features(static_cast<std::size_t>(std::max(count, 0)) * featureCount_);
    if (!extract(images.data(), count, height, width, features.data(), error))
        return {};
    return features;
}

} // namespace tc::nn
