#include "core/export/RunModel.h"

#include <QDir>
#include <QFileInfo>

namespace tc::exporting {

QString defaultCheckpointOf(const QString& runFolder) {
    const QDir folder(runFolder);
    for (const char* name : {"checkpoint-best.pt", "checkpoint-last.pt"}) {
        if (QFileInfo(folder.filePath(QLatin1String(name))).isFile())
            return QLatin1String(name);
    }
    return {};
}

QString latestRunOf(const QString& projectPath, QString* error) {
    if (error)
        *error =
            QStringLiteral("%1: reading a project's runs is not implemented yet").arg(projectPath);
    return {};
}

std::optional<TrainedModel> trainedModelFromRun(const QString& runFolder,
                                                const QString& checkpointName, QString* error) {
    if (error)
        *error = QStringLiteral("%1: reading runs is not implemented yet")
                     .arg(QDir(runFolder).filePath(checkpointName));
    return std::nullopt;
}

} // namespace tc::exporting
