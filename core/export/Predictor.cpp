#include "core/export/Predictor.h"

#include "core/data/ImagePipeline.h"
#include "core/export/ChainModel.h"
#include "core/export/ModelLoading.h"
#include "core/export/OnnxExport.h"
#include "core/export/TorchScriptExport.h"
#include "core/export/TorchScriptTrust.h"
#include "core/nn/PrecisionPolicy.h"

#include <opencv2/dnn.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <torch/script.h>

namespace tc::exporting {

namespace {

QString firstLine(const std::exception& failure) {
    const auto* c10Error = dynamic_cast<const c10::Error*>(&failure);
    QString text =
        QString::fromUtf8(c10Error ? c10Error->what_without_backtrace() : failure.what());
    // TorchScript errors start with a traceback; the reason is the last non-empty line.
    const QStringList lines = text.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    for (const QString& line : lines) {
        if (line.contains(QLatin1String("RuntimeError:")))
            return line.section(QStringLiteral("RuntimeError:"), 1).trimmed();
    }
    return lines.isEmpty() ? QString() : lines.first().trimmed();
}

/// Runs the model on one batch: normalised [N, 3, H, W] float, or uint8 [H, W, 3] pixels
/// for the deployable TorchScript form; returns probabilities [N, classes].
class Backend {
public:
    virtual ~Backend() = default;
    virtual torch::Tensor run(const torch::Tensor& input) = 0;
};

class ChainBackend final : public Backend {
public:
    ChainBackend(ChainModel chain, double temperature)
        : m_chain(std::move(chain))
        , m_temperature(temperature) {}
    torch::Tensor run(const torch::Tensor& input) override {
        if (m_temperature == 1.0)
            return m_chain.probabilities(input);
        torch::NoGradGuard noGrad;
        return torch::softmax(m_chain.logits(input) / m_temperature, /*dim=*/1);
    }

private:
    ChainModel m_chain;
    double m_temperature;
};

class ScriptBackend final : public Backend {
public:
    explicit ScriptBackend(torch::jit::Module module)
        : m_module(std::move(module)) {}
    torch::Tensor run(const torch::Tensor& input) override {
        torch::NoGradGuard noGrad;
        return m_module.forward({input}).toTensor();
    }

private:
    torch::jit::Module m_module;
};

class OnnxBackend final : public Backend {
public:
    explicit OnnxBackend(cv::dnn::Net net)
        : m_net(std::move(net)) {}
    torch::Tensor run(const torch::Tensor& input) override {
        const torch::Tensor contiguous = input.contiguous();
        const int sizes[4] = {int(contiguous.size(0)), int(contiguous.size(1)),
                              int(contiguous.size(2)), int(contiguous.size(3))};
        const cv::Mat blob(4, sizes, CV_32F, contiguous.data_ptr<float>());
        m_net.setInput(blob);
        const cv::Mat output = m_net.forward();
        if (output.dims != 2 || output.type() != CV_32F)
            throw std::runtime_error("the ONNX model's output is not a [N, classes] float matrix");
        return torch::from_blob(const_cast<float*>(output.ptr<float>()),
                                {output.size[0], output.size[1]}, torch::kFloat32)
            .clone();
    }

private:
    cv::dnn::Net m_net;
};

} // namespace

class Predictor::Impl {
public:
    ModelFileInfo info;
    QStringList classNames;
    data::PreprocessingSettings preprocessing;
    std::unique_ptr<Backend> backend;
    bool takesPixels = false;
    nn::Precision precision = nn::Precision::Fp32;
    QString notice;
    std::optional<train::OperatingPoint> operatingPoint;

    /// Checks the model's answer for `count` images and copies it out.
    void store(const torch::Tensor& output, const std::vector<int>& indices,
               std::vector<ImagePrediction>& results) const {
        if (output.dim() != 2 || output.size(0) != std::int64_t(indices.size()) ||
            output.size(1) != classNames.size())
            throw std::runtime_error(QStringLiteral("the model returned a tensor of shape %1, "
                                                    "expected [%2, %3]")
                                         .arg(nn::shapeString(output.sizes()))
                                         .arg(indices.size())
                                         .arg(classNames.size())
                                         .toStdString());
        const torch::Tensor values = output.to(torch::kFloat32).contiguous();
        if (!torch::isfinite(values).all().item<bool>())
            throw std::runtime_error("the model returned values that are not finite");
        const float* data = values.data_ptr<float>();
        for (size_t row = 0; row < indices.size(); ++row) {
            ImagePrediction& result = results[indices[row]];
            result.probabilities.assign(data + row * classNames.size(),
                                        data + (row + 1) * classNames.size());
            result.label =
                int(std::max_element(result.probabilities.begin(), result.probabilities.end()) -
                    result.probabilities.begin());
        }
    }
};

Predictor::Predictor(std::unique_ptr<Impl> impl)
    : m_impl(std::move(impl)) {}

Predictor::~Predictor() = default;

const ModelFileInfo& Predictor::fileInfo() const {
    return m_impl->info;
}

QString Predictor::kindName() const {
    return modelFileKindName(m_impl->info);
}

const QStringList& Predictor::classNames() const {
    return m_impl->classNames;
}

const data::PreprocessingSettings& Predictor::preprocessing() const {
    return m_impl->preprocessing;
}

nn::Precision Predictor::precision() const {
    return m_impl->precision;
}

const QString& Predictor::notice() const {
    return m_impl->notice;
}

const std::optional<train::OperatingPoint>& Predictor::operatingPoint() const {
    return m_impl->operatingPoint;
}

ImageDecision decide(const ImagePrediction& prediction, const train::OperatingPoint& point,
                     double threshold) {
    ImageDecision decision;
    decision.threshold = threshold;
    const int positive = point.positiveClass;
    if (positive < 0 || positive >= int(prediction.probabilities.size()))
        return decision;
    decision.positiveProbability = prediction.probabilities[positive];
    decision.positive = decision.positiveProbability >= threshold;
    if (decision.positive) {
        decision.label = positive;
        return decision;
    }
    for (int c = 0; c < int(prediction.probabilities.size()); ++c) {
        if (c != positive && (decision.label < 0 || prediction.probabilities[c] >
                                                        prediction.probabilities[decision.label]))
            decision.label = c;
    }
    return decision;
}

std::unique_ptr<Predictor> Predictor::open(const QString& path, QString* error) {
    const std::optional<ModelFileInfo> info = identifyModelFile(path, error);
    if (!info)
        return nullptr;
    auto impl = std::make_unique<Impl>();
    impl->info = *info;
    auto fail = [&](const QString& reason) -> std::unique_ptr<Predictor> {
        if (error)
            *error = QStringLiteral("%1: %2").arg(path, reason);
        return nullptr;
    };
    auto readConfig = [&](const QByteArray& bytes) {
        QString reason;
        const std::optional<TrainedModel> config =
            TrainedModel::fromConfigJson(QJsonDocument::fromJson(bytes).object(), &reason);
        if (config) {
            impl->classNames = config->classNames;
            impl->preprocessing = config->preprocessing;
            impl->operatingPoint = config->operatingPoint;
        }
        return reason;
    };

    switch (info->kind) {
    case ModelFileKind::TorchScript: {
        // Only TorchCanvas' own code is ever loaded (TorchScriptTrust.h), and that code has
        // no unbounded loops: a foreign model cannot hang or take over predict.
        std::optional<VerifiedScript> script = loadVerifiedTorchScript(path, error);
        if (!script)
            return nullptr;
        const QString reason = readConfig(QJsonDocument(script->metadata).toJson());
        if (!reason.isEmpty())
            return fail(reason);
        impl->backend = std::make_unique<ScriptBackend>(std::move(script->module));
        impl->takesPixels = info->withPreprocessing;
        break;
    }
    case ModelFileKind::Onnx: {
        QString reason;
        const auto metadata = readOnnxMetadata(path, &reason);
        if (!metadata) {
            if (error)
                *error = reason;
            return nullptr;
        }
        reason = readConfig(metadata->value(QStringLiteral("torchcanvas")).toUtf8());
        if (!reason.isEmpty())
            return fail(reason);
        try {
            cv::dnn::Net net = cv::dnn::readNetFromONNX(QFile::encodeName(path).toStdString());
            if (net.empty())
                return fail(QStringLiteral("OpenCV cannot read this ONNX model"));
            net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
            net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
            impl->backend = std::make_unique<OnnxBackend>(std::move(net));
        } catch (const cv::Exception& failure) {
            return fail(QStringLiteral("OpenCV cannot run this ONNX model: %1")
                            .arg(QString::fromStdString(failure.err)));
        }
        break;
    }
    case ModelFileKind::RunFolder:
    case ModelFileKind::Checkpoint:
    case ModelFileKind::Project:
    case ModelFileKind::SafeTensors: {
        std::optional<TrainedModel> model = loadTrainedModel(*info, error);
        if (!model)
            return nullptr;
        QString reason;
        std::optional<ChainModel> chain = ChainModel::build(*model, &reason);
        if (!chain)
            return fail(reason);
        // A run computes as it was trained; exported files are fp32 by construction.
        const nn::Precision precision =
            nn::precisionForRecorded(model->backbonePrecision, &impl->notice);
        if (!chain->computeBackboneAt(precision, &reason))
            return fail(reason);
        impl->precision = chain->backbonePrecision();
        impl->classNames = model->classNames;
        impl->preprocessing = model->preprocessing;
        impl->operatingPoint = model->operatingPoint;
        impl->backend = std::make_unique<ChainBackend>(std::move(*chain), model->temperature());
        break;
    }
    }
    return std::unique_ptr<Predictor>(new Predictor(std::move(impl)));
}

std::vector<ImagePrediction> Predictor::predict(const QStringList& images,
                                                const Progress& progress) {
    std::vector<ImagePrediction> results(images.size());
    for (int i = 0; i < images.size(); ++i)
        results[i].image = images[i];
    const int total = int(images.size());
    int done = 0;
    bool cancelled = false;
    auto advance = [&](int count) {
        done += count;
        if (progress && !progress(done, total))
            cancelled = true;
    };
    auto failBatch = [&](const std::vector<int>& indices, const QString& reason) {
        for (const int index : indices) {
            results[index].error = reason;
            results[index].probabilities.clear();
            results[index].label = -1;
        }
    };

    if (m_impl->takesPixels) {
        for (int i = 0; i < total && !cancelled; ++i) {
            const QString& path = images[i];
            cv::Mat bgr;
            if (QFileInfo(path).isFile()) {
                try {
                    bgr = cv::imread(QFile::encodeName(path).toStdString(), cv::IMREAD_COLOR);
                } catch (const cv::Exception&) {
                    bgr.release();
                }
            }
            if (bgr.empty()) {
                results[i].error =
                    QFileInfo(path).isFile()
                        ? QStringLiteral("'%1' cannot be decoded as an image").arg(path)
                        : QStringLiteral("'%1' does not exist").arg(path);
                advance(1);
                continue;
            }
            cv::Mat rgb;
            cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
            const torch::Tensor pixels =
                torch::from_blob(rgb.data, {rgb.rows, rgb.cols, 3}, torch::kUInt8);
            try {
                m_impl->store(m_impl->backend->run(pixels), {i}, results);
            } catch (const std::exception& failure) {
                failBatch({i}, QStringLiteral("the model failed: %1").arg(firstLine(failure)));
            }
            advance(1);
        }
    } else {
        const data::ImagePipeline pipeline(m_impl->preprocessing);
        const auto& p = m_impl->preprocessing;
        const std::int64_t floats = std::int64_t(pipeline.floatsPerImage());
        torch::Tensor batch = torch::empty({kBatchSize, 3, p.height, p.width});
        for (int start = 0; start < total && !cancelled; start += kBatchSize) {
            const int end = std::min(total, start + kBatchSize);
            std::vector<int> loaded;
            for (int i = start; i < end; ++i) {
                QString reason;
                float* destination = batch.data_ptr<float>() + std::int64_t(loaded.size()) * floats;
                if (pipeline.load(images[i], destination, data::PixelLayout::Planar, std::nullopt,
                                  &reason))
                    loaded.push_back(i);
                else
                    results[i].error = reason;
            }
            if (!loaded.empty()) {
                try {
                    m_impl->store(
                        m_impl->backend->run(batch.narrow(0, 0, std::int64_t(loaded.size()))),
                        loaded, results);
                } catch (const std::exception& failure) {
                    failBatch(loaded,
                              QStringLiteral("the model failed: %1").arg(firstLine(failure)));
                }
            }
            advance(end - start);
        }
    }
    if (cancelled) {
        for (ImagePrediction& result : results) {
            if (result.ok() && result.probabilities.empty())
                result.error = QStringLiteral("cancelled");
        }
    }
    return results;
}

} // namespace tc::exporting
