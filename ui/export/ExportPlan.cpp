#include "ui/export/ExportPlan.h"

#include "core/train/ProjectTraining.h"

#include <QDir>
#include <QFileInfo>

namespace tc::ui {

ExportPlan planExport(const QString& projectFile, const QString& runDirectory) {
    ExportPlan plan;
    plan.source = !runDirectory.isEmpty() ? runDirectory : projectFile;
    const QString snapshot = QDir(runDirectory).filePath(QStringLiteral("project.tcproj"));
    plan.splitProject =
        !runDirectory.isEmpty() && QFileInfo::exists(snapshot) ? snapshot : projectFile;
    if (!plan.splitProject.isEmpty()) {
        plan.validationImages = tc::train::splitImagesOf(
            plan.splitProject, tc::data::SplitPart::Validation, &plan.noCheckReason);
    }
    if (!projectFile.isEmpty()) {
        const QFileInfo info(projectFile);
        plan.outputPath = info.absoluteDir().filePath(
            QStringLiteral("exports/%1.pt").arg(info.completeBaseName()));
    } else if (!runDirectory.isEmpty()) {
        plan.outputPath = QDir(runDirectory).filePath(QStringLiteral("model.pt"));
    }
    return plan;
}

} // namespace tc::ui
