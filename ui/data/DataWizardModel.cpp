#include "ui/data/DataWizardModel.h"

#include <QDir>
#include <QFileInfo>

namespace tc::ui {

bool DataWizardModel::sourceIsFolder() const {
    return !dataset.source.isEmpty() && QFileInfo(dataset.source).isDir();
}

const tc::data::DatasetTable* DataWizardModel::usableTable() const {
    return scan && !scan->canceled && scan->table.isUsable() ? &scan->table : nullptr;
}

QString DataWizardModel::absolutePath(const QString& path) const {
    if (path.isEmpty())
        return {};
    const QDir base(projectDirectory.isEmpty() ? QDir::currentPath() : projectDirectory);
    return QDir::cleanPath(base.absoluteFilePath(path));
}

} // namespace tc::ui
