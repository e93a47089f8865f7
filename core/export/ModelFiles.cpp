#include "core/export/ModelFiles.h"

#include "core/export/ModelLoading.h"
#include "core/export/OnnxExport.h"
#include "core/export/RunModel.h"
#include "core/export/SafeTensorsExport.h"
#include "core/export/TorchScriptExport.h"
#include "core/export/TorchScriptTrust.h"
#include "core/nn/StateDict.h"
#include "core/nn/ZipArchive.h"
#include "core/train/RunFiles.h"
#include "core/util/RegularFile.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <torch/script.h>

namespace tc::exporting {

namespace {

QString firstLine(const std::exception& failure) {
    const auto* c10Error = dynamic_cast<const c10::Error*>(&failure);
    const QString text =
        QString::fromUtf8(c10Error ? c10Error->what_without_backtrace() : failure.what());
    return text.section(QLatin1Char('\n'), 0, 0).trimmed();
}

std::optional<ModelFileInfo> failWith(QString* error, const QString& reason) {
    if (error)
        *error = reason;
    return std::nullopt;
}

std::optional<ModelFileInfo> identifyZip(const QString& path, QString* error) {
    const nn::ZipArchive archive(path);
    if (!archive.isValid())
        return failWith(error, QStringLiteral("%1: damaged or truncated archive (%2)")
                                   .arg(path, archive.errorString()));
    // Check every entry before LibTorch reads any of them.
    const nn::ZipArchive::Entry* metadata = nullptr;
    bool code = false;
    bool pickle = false;
    for (const nn::ZipArchive::Entry& entry : archive.entries()) {
        // Stored entries (tensors, pickles) are checked here; TorchScript's compressed code
        // entries are checked by LibTorch's own reader, which verifies their CRC-32 when it
        // inflates them.
        QString reason;
        if (entry.method == 0 && !archive.data(entry, &reason))
            return failWith(error, QStringLiteral("%1: damaged archive: %2").arg(path, reason));
        const QString name = entry.name;
        if (name.endsWith(QStringLiteral("/extra/") + QLatin1String(kTorchScriptMetadataFile)))
            metadata = &entry;
        if (name.contains(QLatin1String("/code/")) ||
            name.endsWith(QLatin1String("/constants.pkl")))
            code = true;
        if (name.endsWith(QLatin1String("/data.pkl")))
            pickle = true;
    }
    if (metadata) {
        QString reason;
        const unsigned char* bytes = archive.data(*metadata, &reason);
        if (!bytes)
            return failWith(error, QStringLiteral("%1: cannot read its %2: %3")
                                       .arg(path, QLatin1String(kTorchScriptMetadataFile), reason));
        const QJsonObject json =
            QJsonDocument::fromJson(QByteArray(reinterpret_cast<const char*>(bytes),
                                               static_cast<qsizetype>(metadata->size)))
                .object();
        const QString form = json.value(QStringLiteral("form")).toString();
        if (json.value(QStringLiteral("format")).toString() != QLatin1String(kModelConfigFormat) ||
            !form.startsWith(QLatin1String("torchscript")))
            return failWith(error, QStringLiteral("%1: its %2 is not TorchCanvas model metadata")
                                       .arg(path, QLatin1String(kTorchScriptMetadataFile)));
        if (json.value(QStringLiteral("version")).toInt() > kModelConfigVersion)
            return failWith(error, QStringLiteral("%1: exported by a newer TorchCanvas (model "
                                                  "version %2)")
                                       .arg(path)
                                       .arg(json.value(QStringLiteral("version")).toInt()));
        return ModelFileInfo{ModelFileKind::TorchScript, path,
                             form == QLatin1String("torchscript-with-preprocessing")};
    }
    if (code) {
        return failWith(error, QStringLiteral("%1: a TorchScript model that TorchCanvas did not "
                                              "export (no %2): its classes and preprocessing "
                                              "are unknown")
                                   .arg(path, QLatin1String(kTorchScriptMetadataFile)));
    }
    if (pickle)
        return failWith(error, QStringLiteral("%1: PyTorch weights saved with torch.save, not a "
                                              "model TorchCanvas can run (import backbone "
                                              "weights with 'torchcanvas weights import')")
                                   .arg(path));
    return failWith(error, QStringLiteral("%1: a zip archive, not a model").arg(path));
}

} // namespace

QString modelFileKindName(const ModelFileInfo& info) {
    switch (info.kind) {
    case ModelFileKind::RunFolder:
        return QStringLiteral("run folder");
    case ModelFileKind::Checkpoint:
        return QStringLiteral("checkpoint");
    case ModelFileKind::Project:
        return QStringLiteral("project");
    case ModelFileKind::TorchScript:
        return info.withPreprocessing ? QStringLiteral("TorchScript with preprocessing")
                                      : QStringLiteral("TorchScript");
    case ModelFileKind::Onnx:
        return QStringLiteral("ONNX");
    case ModelFileKind::SafeTensors:
        return QStringLiteral("safetensors");
    }
    return {};
}

std::optional<ModelFileInfo> identifyModelFile(const QString& path, QString* error) {
    const QFileInfo info(path);
    if (!info.exists())
        return failWith(error, QStringLiteral("%1: no such file or folder").arg(path));
    if (info.isDir()) {
        if (defaultCheckpointOf(path).isEmpty())
            return failWith(error, QStringLiteral("%1: a folder without checkpoint-best.pt or "
                                                  "checkpoint-last.pt (not a training run)")
                                       .arg(path));
        return ModelFileInfo{ModelFileKind::RunFolder, path, false};
    }
    // Opening a FIFO would block until a writer comes; a device would never end.
    if (const QString problem = util::regularFileProblem(path); !problem.isEmpty())
        return failWith(error, QStringLiteral("%1: %2").arg(path, problem));
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return failWith(error, QStringLiteral("%1: cannot read: %2").arg(path, file.errorString()));
    if (file.size() == 0)
        return failWith(error, QStringLiteral("%1: the file is empty").arg(path));
    const QByteArray head = file.read(64);
    file.close();
    if (nn::ZipArchive::looksLikeZip(head))
        return identifyZip(path, error);
    if (path.endsWith(QLatin1String(".tcproj"), Qt::CaseInsensitive) ||
        head.trimmed().startsWith('{')) {
        QFile project(path);
        project.open(QIODevice::ReadOnly);
        const QJsonObject json = QJsonDocument::fromJson(project.read(64 << 20)).object();
        if (json.value(QStringLiteral("format")).toString() == QLatin1String("torchcanvas-project"))
            return ModelFileInfo{ModelFileKind::Project, path, false};
        if (json.value(QStringLiteral("format")).toString() == QLatin1String(kModelConfigFormat))
            return failWith(error, QStringLiteral("%1: the configuration of a safetensors export; "
                                                  "name the .safetensors file instead")
                                       .arg(path));
        return failWith(error, QStringLiteral("%1: not a TorchCanvas project or model").arg(path));
    }
    if (nn::detectWeightFileFormat(path) == nn::WeightFileFormat::SafeTensors) {
        QString reason;
        if (train::readCheckpointJson(path, nullptr, &reason))
            return ModelFileInfo{ModelFileKind::Checkpoint, path, false};
        if (!readSafeTensorsModel(path, &reason))
            return failWith(error, reason);
        return ModelFileInfo{ModelFileKind::SafeTensors, path, false};
    }
    if (nn::detectWeightFileFormat(path) == nn::WeightFileFormat::TorchLegacy)
        return failWith(error, QStringLiteral("%1: PyTorch weights in the pre-1.6 torch.save "
                                              "format, not a model")
                                   .arg(path));
    QString reason;
    if (const auto metadata = readOnnxMetadata(path, &reason)) {
        if (!metadata->contains(QStringLiteral("torchcanvas")))
            return failWith(error, QStringLiteral("%1: an ONNX model that TorchCanvas did not "
                                                  "export: its classes and preprocessing are "
                                                  "unknown")
                                       .arg(path));
        return ModelFileInfo{ModelFileKind::Onnx, path, false};
    }
    if (info.suffix().compare(QLatin1String("onnx"), Qt::CaseInsensitive) == 0)
        return failWith(error, reason);
    return failWith(error, QStringLiteral("%1: not a model TorchCanvas can read (a TorchScript, "
                                          "ONNX or safetensors export, a checkpoint, a run "
                                          "folder or a project)")
                               .arg(path));
}

std::optional<TrainedModel> readTorchScriptExport(const QString& path, QString* error) {
    auto fail = [&](const QString& reason) -> std::optional<TrainedModel> {
        if (error)
            *error = QStringLiteral("%1: %2").arg(path, reason);
        return std::nullopt;
    };
    std::optional<VerifiedScript> script = loadVerifiedTorchScript(path, error);
    if (!script)
        return std::nullopt;
    try {
        QString reason;
        std::optional<TrainedModel> model = TrainedModel::fromConfigJson(script->metadata, &reason);
        if (!model)
            return fail(reason);
        const QJsonObject attributes =
            script->metadata.value(QStringLiteral("attributes")).toObject();
        torch::jit::Module& module = script->module;
        for (auto it = attributes.begin(); it != attributes.end(); ++it) {
            const std::string attribute = it.key().toStdString();
            if (!module.hasattr(attribute) || !module.attr(attribute).isTensor())
                return fail(QStringLiteral("tensor '%1' is missing").arg(it.value().toString()));
            model->tensors.insert(it.value().toString().toStdString(),
                                  module.attr(attribute).toTensor().detach().clone());
        }
        model->metadata.insert(QStringLiteral("source"), path);
        return model;
    } catch (const std::exception& failure) {
        return fail(firstLine(failure));
    }
}

std::optional<TrainedModel> loadTrainedModel(const ModelFileInfo& info, QString* error) {
    switch (info.kind) {
    case ModelFileKind::RunFolder:
        return trainedModelFromRun(info.path, defaultCheckpointOf(info.path), error);
    case ModelFileKind::Checkpoint: {
        const QFileInfo file(info.path);
        return trainedModelFromRun(file.absolutePath(), file.fileName(), error);
    }
    case ModelFileKind::Project: {
        const QString run = latestRunOf(info.path, error);
        if (run.isEmpty())
            return std::nullopt;
        return trainedModelFromRun(run, defaultCheckpointOf(run), error);
    }
    case ModelFileKind::TorchScript:
        return readTorchScriptExport(info.path, error);
    case ModelFileKind::SafeTensors:
        return readSafeTensorsModel(info.path, error);
    case ModelFileKind::Onnx:
        if (error)
            *error = QStringLiteral("%1: an ONNX file cannot be exported again; export from the "
                                    "run, checkpoint or TorchScript file instead")
                         .arg(info.path);
        return std::nullopt;
    }
    return std::nullopt;
}

std::optional<TrainedModel> loadTrainedModel(const QString& path, QString* error) {
    const std::optional<ModelFileInfo> info = identifyModelFile(path, error);
    if (!info)
        return std::nullopt;
    return loadTrainedModel(*info, error);
}

} // namespace tc::exporting
