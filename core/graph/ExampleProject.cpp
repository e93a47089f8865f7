#include "core/graph/ExampleProject.h"

#include "core/graph/Project.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

namespace tc::graph {

namespace {
const QString kResource = QStringLiteral(":/examples/breast-cancer.tcproj");
} // namespace

QByteArray exampleProjectJson() {
    QFile file(kResource);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QString exampleProjectFileName() {
    return QFileInfo(kResource).fileName();
}

bool writeExampleProject(const QString& projectPath, const QString& csvPath, QString* error) {
    const QByteArray json = exampleProjectJson();
    if (json.isEmpty()) {
        if (error)
            *error = QStringLiteral("this build of TorchCanvas has no example project (%1)")
                         .arg(kResource);
        return false;
    }
    Project project;
    if (!project.loadFromData(json, projectPath, error))
        return false;
    QJsonObject dataset = project.dataset();
    dataset.insert(QStringLiteral("source"), QFileInfo(csvPath).absoluteFilePath());
    project.setDataset(dataset);
    if (!QDir().mkpath(QFileInfo(projectPath).absolutePath())) {
        if (error)
            *error = QStringLiteral("cannot create the folder %1")
                         .arg(QFileInfo(projectPath).absolutePath());
        return false;
    }
    return project.save(projectPath, error);
}

} // namespace tc::graph
