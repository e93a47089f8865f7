#include "core/export/SafeTensorsExport.h"

#include "core/nn/SafeTensors.h"

#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSaveFile>

namespace tc::exporting {

namespace {

constexpr auto kMetadataKey = "torchcanvas";
constexpr auto kChecksumKey = "torchcanvas_sha256";

/// SHA-256 of every tensor's bytes in order: safetensors has no checksum of its own, and a
/// flipped bit in a weight would otherwise go unnoticed.
QString tensorChecksum(const nn::StateDict& tensors) {
    QCryptographicHash hash(QCryptographicHash::Sha256);
    for (const auto& item : tensors) {
        const torch::Tensor value = item.value().contiguous();
        hash.addData(
            QByteArrayView(static_cast<const char*>(value.data_ptr()), qsizetype(value.nbytes())));
    }
    return QString::fromLatin1(hash.result().toHex());
}

bool failWith(QString* error, const QString& reason) {
    if (error)
        *error = reason;
    return false;
}

} // namespace

QString companionPath(const QString& path, const QString& suffix) {
    const QFileInfo info(path);
    const QString base = info.suffix().isEmpty() ? info.fileName() : info.completeBaseName();
    return info.dir().filePath(base + QLatin1Char('.') + suffix);
}

bool writeSafeTensorsModel(const TrainedModel& model, const QString& path, QStringList* written,
                           QString* error) {
    const QByteArray config = QJsonDocument(model.configJson()).toJson();
    const QString configPath = companionPath(path, QStringLiteral("json"));
    if (QFileInfo(configPath).absoluteFilePath() == QFileInfo(path).absoluteFilePath())
        return failWith(error, QStringLiteral("%1: the weights file needs a suffix other than "
                                              ".json (e.g. .safetensors)")
                                   .arg(path));
    const QMap<QString, QString> metadata{
        {QLatin1String(kMetadataKey),
         QString::fromUtf8(QJsonDocument(model.configJson()).toJson(QJsonDocument::Compact))},
        {QStringLiteral("format"), QStringLiteral("pt")},
        {QLatin1String(kChecksumKey), tensorChecksum(model.tensors)}};
    if (!nn::writeSafeTensors(path, model.tensors, metadata, error))
        return false;
    QSaveFile file(configPath);
    if (!file.open(QIODevice::WriteOnly) || file.write(config) != config.size() || !file.commit())
        return failWith(error,
                        QStringLiteral("cannot write %1: %2").arg(configPath, file.errorString()));
    if (written)
        *written << path << configPath;
    return true;
}

std::optional<TrainedModel> readSafeTensorsModel(const QString& path, QString* error) {
    QMap<QString, QString> metadata;
    std::optional<nn::StateDict> tensors = nn::readSafeTensors(path, error, &metadata);
    if (!tensors)
        return std::nullopt;
    const QString checksum = metadata.value(QLatin1String(kChecksumKey));
    if (!checksum.isEmpty() && checksum != tensorChecksum(*tensors)) {
        failWith(error, QStringLiteral("%1: the weights are damaged (they do not match their "
                                       "checksum)")
                            .arg(path));
        return std::nullopt;
    }
    QByteArray configBytes = metadata.value(QLatin1String(kMetadataKey)).toUtf8();
    QString configSource = path;
    if (configBytes.isEmpty()) {
        configSource = companionPath(path, QStringLiteral("json"));
        QFile file(configSource);
        if (!file.open(QIODevice::ReadOnly)) {
            failWith(error, QStringLiteral("%1: safetensors weights without a TorchCanvas "
                                           "configuration (neither in the file nor in %2)")
                                .arg(path, configSource));
            return std::nullopt;
        }
        configBytes = file.read(64 << 20);
    }
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(configBytes, &parseError);
    QString reason;
    std::optional<TrainedModel> model;
    if (parseError.error != QJsonParseError::NoError || !document.isObject())
        reason = QStringLiteral("the configuration is not valid JSON (%1)")
                     .arg(parseError.errorString());
    else
        model = TrainedModel::fromConfigJson(document.object(), &reason);
    if (!model) {
        failWith(error, QStringLiteral("%1: %2").arg(configSource, reason));
        return std::nullopt;
    }
    model->tensors = std::move(*tensors);
    model->metadata.insert(QStringLiteral("source"), path);
    return model;
}

} // namespace tc::exporting
