#include "ui/editor/ExampleSetup.h"

#include "core/graph/ExampleProject.h"

#include <QDir>
#include <QFileInfo>
#include <QProgressDialog>
#include <QStandardPaths>
#include <QWidget>

namespace tc::ui {

ExampleSetup::ExampleSetup(QWidget* window)
    : QObject(window)
    , m_window(window) {}

ExampleSetup::~ExampleSetup() {
    m_runner.cancel();
}

QString ExampleSetup::proposedDirectory() {
    QString documents = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    if (documents.isEmpty())
        documents = QDir::homePath();
    return QDir(documents).filePath(QStringLiteral("TorchCanvas Example"));
}

QString ExampleSetup::projectPathIn(const QString& directory) {
    return QDir(directory).filePath(graph::exampleProjectFileName());
}

void ExampleSetup::start(const QString& directory) {
    const QString folder = QFileInfo(directory).absoluteFilePath();
    const QString csv = QDir(folder).filePath(QStringLiteral("dataset.csv"));
    // A complete earlier set-up: open it as it is (the user's edits to it are kept).
    if (QFileInfo::exists(projectPathIn(folder)) && QFileInfo::exists(csv)) {
        Q_EMIT ready(projectPathIn(folder));
        return;
    }
    if (!QDir().mkpath(folder) || !QFileInfo(folder).isWritable()) {
        Q_EMIT failed(tr("The folder %1 cannot be written: choose another one for the example.")
                          .arg(QDir::toNativeSeparators(folder)));
        return;
    }
    data::SyntheticHistologyOptions options = m_options;
    options.directory = folder;
    // Images of a cancelled earlier attempt (no dataset.csv yet) are replaced.
    options.overwrite = !QFileInfo::exists(csv);
    const int total = options.benign + options.malignant;

    m_progress =
        new QProgressDialog(tr("Generating %1 SYNTHETIC histology images (not patient data) in %2…")
                                .arg(total)
                                .arg(QDir::toNativeSeparators(folder)),
                            tr("Cancel"), 0, total, m_window);
    m_progress->setObjectName(QStringLiteral("exampleProgress"));
    m_progress->setWindowTitle(tr("Setting up the example"));
    m_progress->setWindowModality(Qt::WindowModal);
    m_progress->setMinimumDuration(0);
    m_progress->setAutoClose(false);
    m_progress->setAutoReset(false);
    connect(m_progress, &QProgressDialog::canceled, this, &ExampleSetup::cancel);
    m_progress->show();

    m_runner.start([this, options, folder](const TaskContext& context) {
        const data::SyntheticHistologyResult result = data::SyntheticHistology::generate(
            options,
            [this, &context](int done, int) {
                context.post([this, done] {
                    if (m_progress)
                        m_progress->setValue(done);
                });
            },
            &context.cancelFlag());
        context.post([this, folder, result] { finish(folder, result); });
    });
}

void ExampleSetup::cancel() {
    if (!m_runner.isRunning())
        return;
    m_runner.cancel();
    if (m_progress)
        m_progress->deleteLater();
    Q_EMIT failed(QString());
}

void ExampleSetup::finish(const QString& directory, const data::SyntheticHistologyResult& result) {
    if (m_progress)
        m_progress->deleteLater();
    if (!result.ok()) {
        Q_EMIT failed(result.error);
        return;
    }
    QString error;
    if (!graph::writeExampleProject(projectPathIn(directory), result.csvPath, &error)) {
        Q_EMIT failed(error);
        return;
    }
    Q_EMIT ready(projectPathIn(directory));
}

} // namespace tc::ui
