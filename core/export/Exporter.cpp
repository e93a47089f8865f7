#include "core/export/Exporter.h"

#include "core/export/ModelCard.h"
#include "core/export/ModelLoading.h"
#include "core/export/OnnxExport.h"
#include "core/export/SafeTensorsExport.h"
#include "core/export/TorchScriptExport.h"
#include "core/nn/PrecisionPolicy.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <QFileInfo>
#include <QSaveFile>

namespace tc::exporting {

std::optional<ExportFormat> parseExportFormat(const QString& text) {
    const QString id = text.trimmed().toLower();
    if (id == QLatin1String("torchscript"))
        return ExportFormat::TorchScript;
    if (id == QLatin1String("onnx"))
        return ExportFormat::Onnx;
    if (id == QLatin1String("safetensors"))
        return ExportFormat::SafeTensors;
    return std::nullopt;
}

QString exportFormatId(ExportFormat format) {
    switch (format) {
    case ExportFormat::TorchScript:
        return QStringLiteral("torchscript");
    case ExportFormat::Onnx:
        return QStringLiteral("onnx");
    case ExportFormat::SafeTensors:
        return QStringLiteral("safetensors");
    }
    return {};
}

QString exportFormatName(ExportFormat format, bool withPreprocessing) {
    switch (format) {
    case ExportFormat::TorchScript:
        return withPreprocessing ? QStringLiteral("TorchScript with preprocessing")
                                 : QStringLiteral("TorchScript");
    case ExportFormat::Onnx:
        return QStringLiteral("ONNX");
    case ExportFormat::SafeTensors:
        return QStringLiteral("safetensors");
    }
    return {};
}

QString exportSuffix(ExportFormat format) {
    switch (format) {
    case ExportFormat::TorchScript:
        return QStringLiteral("pt");
    case ExportFormat::Onnx:
        return QStringLiteral("onnx");
    case ExportFormat::SafeTensors:
        return QStringLiteral("safetensors");
    }
    return {};
}

ExportResult exportModel(const QString& source, const ExportOptions& options,
                         const ExportStatus& status) {
    ExportResult result;
    auto say = [&](const QString& message) {
        if (status)
            status(message);
    };
    if (options.output.isEmpty()) {
        result.error = QStringLiteral("no output file given");
        return result;
    }
    if (options.withPreprocessing && options.format != ExportFormat::TorchScript) {
        result.error = QStringLiteral("preprocessing can only be built into TorchScript exports");
        return result;
    }
    if (options.withExplanations && options.format != ExportFormat::TorchScript) {
        result.error = QStringLiteral("explanations can only be built into TorchScript exports");
        return result;
    }
    const QFileInfo output(options.output);
    if (!output.absoluteDir().exists()) {
        result.error = QStringLiteral("cannot write %1: the folder %2 does not exist")
                           .arg(options.output, output.absolutePath());
        return result;
    }
    if (output.isDir()) {
        result.error = QStringLiteral("cannot write %1: it is a folder").arg(options.output);
        return result;
    }
    if (QFileInfo(source).exists() &&
        QFileInfo(source).canonicalFilePath() == output.canonicalFilePath()) {
        result.error = QStringLiteral("%1: the export would overwrite its own source").arg(source);
        return result;
    }

    try {
        say(QStringLiteral("Reading %1").arg(QFileInfo(source).fileName()));
        QString error;
        std::optional<TrainedModel> model = loadTrainedModel(source, &error);
        if (!model) {
            result.error = error;
            return result;
        }
        const QString formatName =
            exportFormatName(options.format, options.withPreprocessing) +
            (options.withExplanations ? QStringLiteral(" with Grad-CAM") : QString());
        say(QStringLiteral("Writing %1").arg(output.fileName()));
        bool written = false;
        switch (options.format) {
        case ExportFormat::TorchScript:
            written =
                writeTorchScript(*model, options.output,
                                 {options.withPreprocessing, options.withExplanations}, &error);
            if (written)
                result.files << options.output;
            break;
        case ExportFormat::Onnx:
            written = writeOnnx(*model, options.output, &error);
            if (written)
                result.files << options.output;
            break;
        case ExportFormat::SafeTensors:
            written = writeSafeTensorsModel(*model, options.output, &result.files, &error);
            break;
        }
        if (!written) {
            result.error = error;
            return result;
        }
        if (options.modelCard) {
            const QString cardPath = companionPath(options.output, QStringLiteral("md"));
            const QByteArray card =
                modelCardMarkdown(*model, {options.output, formatName, {}}).toUtf8();
            QSaveFile file(cardPath);
            if (!file.open(QIODevice::WriteOnly) || file.write(card) != card.size() ||
                !file.commit()) {
                result.error =
                    QStringLiteral("cannot write %1: %2").arg(cardPath, file.errorString());
                return result;
            }
            result.files << cardPath;
        }
        result.summary = QStringLiteral("%1%2 of %3 (%4 classes): %5")
                             .arg(formatName,
                                  options.format == ExportFormat::Onnx
                                      ? QStringLiteral(" (opset %1)").arg(kOnnxOpset)
                                      : QString(),
                                  model->architectureSummary())
                             .arg(model->classNames.size())
                             .arg(options.output);
    } catch (const std::exception& failure) {
        // LibTorch and protobuf report some failures (out of memory) by throwing.
        result.error = QStringLiteral("export failed: %1")
                           .arg(QString::fromUtf8(failure.what()).section(QLatin1Char('\n'), 0, 0));
    }
    return result;
}

namespace {

/// True when the two largest probabilities are within `tolerance` of each other: a label
/// that two precisions may legitimately decide differently.
bool isNearTie(std::vector<float> probabilities, double tolerance) {
    if (probabilities.size() < 2)
        return false;
    std::partial_sort(probabilities.begin(), probabilities.begin() + 2, probabilities.end(),
                      std::greater<float>());
    return double(probabilities[0]) - double(probabilities[1]) <= 2 * tolerance;
}

} // namespace

std::optional<Agreement> compareModels(const QString& reference, const QString& candidate,
                                       const QStringList& images,
                                       const Predictor::Progress& progress, QString* error) {
    std::unique_ptr<Predictor> first = Predictor::open(reference, error);
    if (!first)
        return std::nullopt;
    std::unique_ptr<Predictor> second = Predictor::open(candidate, error);
    if (!second)
        return std::nullopt;
    if (first->classNames() != second->classNames()) {
        if (error)
            *error = QStringLiteral("%1 and %2 have different classes (%3 / %4)")
                         .arg(reference, candidate, first->classNames().join(QStringLiteral(", ")),
                              second->classNames().join(QStringLiteral(", ")));
        return std::nullopt;
    }
    const int total = 2 * int(images.size());
    bool cancelled = false;
    auto pass = [&](int offset) {
        return [&, offset](int done, int) {
            if (progress && !progress(offset + done, total))
                cancelled = true;
            return !cancelled;
        };
    };
    const std::vector<ImagePrediction> a = first->predict(images, pass(0));
    std::vector<ImagePrediction> b;
    if (!cancelled)
        b = second->predict(images, pass(int(images.size())));

    Agreement agreement;
    agreement.images = int(images.size());
    agreement.cancelled = cancelled;
    agreement.tolerance = std::max(nn::probabilityTolerance(first->precision()),
                                   nn::probabilityTolerance(second->precision()));
    for (int i = 0; i < int(images.size()) && !cancelled; ++i) {
        const QString& failure = !a[i].ok() ? a[i].error : b[i].error;
        if (!failure.isEmpty()) {
            if (agreement.failures.size() < 20)
                agreement.failures << failure;
            continue;
        }
        ++agreement.compared;
        if (a[i].label == b[i].label)
            ++agreement.identical;
        else if (isNearTie(a[i].probabilities, agreement.tolerance))
            ++agreement.borderlineChanges;
        for (size_t c = 0; c < a[i].probabilities.size(); ++c)
            agreement.maxProbabilityDifference =
                std::max(agreement.maxProbabilityDifference,
                         std::abs(double(a[i].probabilities[c]) - double(b[i].probabilities[c])));
    }
    return agreement;
}

} // namespace tc::exporting
