#pragma once

// What the Export dialog starts with, decided from the open project and the run trained in this
// session: the model to export, the images of its agreement check and where the file goes.
// No widgets here, so that it is tested on its own.

#include <QString>
#include <QStringList>

namespace tc::ui {

struct ExportPlan {
    /// The run trained here, or the project file (the exporter then takes its latest run);
    /// empty when there is neither.
    QString source;
    /// The project whose validation split the agreement check runs on: the run's own snapshot
    /// of the project (the split the model was trained with), else the project file.
    QString splitProject;
    /// The validation images of that split; empty when there is none.
    QStringList validationImages;
    /// Why there are no validation images although there is a project ("the data set … does
    /// not exist"); empty otherwise.
    QString noCheckReason;
    /// <project folder>/exports/<project name>.pt, or <run>/model.pt for an unsaved project;
    /// empty when there is neither.
    QString outputPath;
};

/// The plan for `projectFile` (empty: not saved yet) and `runDirectory` (empty: nothing
/// trained in this session).
ExportPlan planExport(const QString& projectFile, const QString& runDirectory);

} // namespace tc::ui
