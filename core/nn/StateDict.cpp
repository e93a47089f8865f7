#include "core/nn/StateDict.h"

#include "core/nn/SafeTensors.h"
#include "core/nn/TorchCheckpoint.h"
#include "core/nn/ZipArchive.h"

#include <QFile>
#include <QFileInfo>
#include <QSet>

namespace tc::nn {

namespace {

bool failWith(QString* error, const QString& path, const QString& reason) {
    if (error)
        *error = QStringLiteral("%1: %2").arg(path, reason);
    return false;
}

/// Why `source` cannot stand in for `target`, or an empty string.
QString valueProblem(const torch::Tensor& source, const torch::Tensor& target) {
    const bool sourceFloat = source.is_floating_point();
    if (source.scalar_type() == torch::kBool || sourceFloat != target.is_floating_point() ||
        source.is_complex())
        return QStringLiteral("%1 values, the model holds %2")
            .arg(QString::fromLatin1(c10::toString(source.scalar_type())),
                 QString::fromLatin1(c10::toString(target.scalar_type())));
    if (sourceFloat && source.numel() > 0 && !torch::isfinite(source).all().item<bool>())
        return QStringLiteral("contains NaN or infinite values");
    return {};
}

} // namespace

QString shapeString(at::IntArrayRef sizes) {
    QStringList parts;
    for (const std::int64_t size : sizes)
        parts << QString::number(size);
    return QLatin1Char('[') + parts.join(QStringLiteral(", ")) + QLatin1Char(']');
}

WeightFileFormat detectWeightFileFormat(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return WeightFileFormat::Unknown;
    const QByteArray head = file.read(16);
    if (ZipArchive::looksLikeZip(head))
        return WeightFileFormat::TorchZip;
    if (looksLikeLegacyTorchFile(head))
        return WeightFileFormat::TorchLegacy;
    // safetensors: an 8-byte little-endian header length, then a JSON object.
    if (head.size() >= 9 && head.at(8) == '{')
        return WeightFileFormat::SafeTensors;
    return WeightFileFormat::Unknown;
}

std::optional<StateDict> readWeightsFile(const QString& path, QString* error) {
    if (!QFileInfo(path).isFile()) {
        failWith(error, path,
                 QFileInfo::exists(path) ? QStringLiteral("not a file")
                                         : QStringLiteral("no such file"));
        return std::nullopt;
    }
    if (QFileInfo(path).size() == 0) {
        failWith(error, path, QStringLiteral("the file is empty"));
        return std::nullopt;
    }
    switch (detectWeightFileFormat(path)) {
    case WeightFileFormat::SafeTensors:
        return readSafeTensors(path, error);
    case WeightFileFormat::TorchZip:
    case WeightFileFormat::TorchLegacy:
        return readTorchCheckpoint(path, error);
    case WeightFileFormat::Unknown:
        break;
    }
    failWith(error, path,
             QStringLiteral("not a weights file TorchCanvas knows (a PyTorch .pth checkpoint or "
                            "a .safetensors file)"));
    return std::nullopt;
}

QString LoadReport::summary(int maxNames) const {
    auto list = [maxNames](const QStringList& names) {
        QStringList shown = names.mid(0, maxNames);
        QString text = shown.join(QStringLiteral(", "));
        if (names.size() > maxNames)
            text += QStringLiteral(" and %1 more").arg(names.size() - maxNames);
        return text;
    };
    QStringList parts;
    if (!missing.isEmpty())
        parts << QStringLiteral("%1 missing: %2").arg(missing.size()).arg(list(missing));
    if (!unexpected.isEmpty())
        parts << QStringLiteral("%1 unexpected: %2").arg(unexpected.size()).arg(list(unexpected));
    if (!mismatched.isEmpty())
        parts << QStringLiteral("%1 with the wrong shape: %2")
                     .arg(mismatched.size())
                     .arg(list(mismatched));
    if (!refused.isEmpty())
        parts << QStringLiteral("%1 refused: %2").arg(refused.size()).arg(list(refused));
    if (parts.isEmpty())
        return QStringLiteral("%1 tensors matched").arg(copied);
    return parts.join(QStringLiteral("; "));
}

LoadReport loadStateDict(torch::nn::Module& module, const StateDict& tensors,
                         const LoadOptions& options) {
    LoadReport report;
    auto ignored = [&](const std::string& name) {
        for (const QString& prefix : options.ignoredPrefixes) {
            if (QString::fromStdString(name).startsWith(prefix))
                return true;
        }
        return false;
    };

    // Parameters and buffers under one namespace, as in PyTorch's state_dict().
    std::vector<std::pair<std::string, torch::Tensor>> targets;
    for (const auto& item : module.named_parameters(/*recurse=*/true))
        targets.emplace_back(item.key(), item.value());
    for (const auto& item : module.named_buffers(/*recurse=*/true))
        targets.emplace_back(item.key(), item.value());

    QSet<QString> known;
    for (const auto& [name, target] : targets) {
        const QString qName = QString::fromStdString(name);
        known.insert(qName);
        const torch::Tensor* source = tensors.find(name);
        if (!source) {
            if (qName.endsWith(QLatin1String(".num_batches_tracked")))
                report.defaulted << qName;
            else
                report.missing << qName;
            continue;
        }
        if (source->sizes() != target.sizes()) {
            report.mismatched << QStringLiteral("%1: file %2, model %3")
                                     .arg(qName, shapeString(source->sizes()),
                                          shapeString(target.sizes()));
        } else if (const QString problem = valueProblem(*source, target); !problem.isEmpty()) {
            report.refused << QStringLiteral("%1: %2").arg(qName, problem);
        }
    }
    for (const auto& item : tensors) {
        const QString qName = QString::fromStdString(item.key());
        if (known.contains(qName))
            continue;
        if (ignored(item.key()))
            report.ignored << qName;
        else
            report.unexpected << qName;
    }
    if (!report.ok() || options.dryRun)
        return report;

    torch::NoGradGuard noGrad;
    for (auto& [name, target] : targets) {
        if (const torch::Tensor* source = tensors.find(name)) {
            target.copy_(*source);
            ++report.copied;
        }
    }
    return report;
}

} // namespace tc::nn
