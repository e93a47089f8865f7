#include "ui/editor/RecoveryStore.h"

#include "ui/editor/Document.h"

#include <algorithm>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLockFile>
#include <QSaveFile>
#include <QStandardPaths>
#include <QUuid>

namespace tc::ui {

namespace {

const QString kProjectSuffix = QStringLiteral(".tcproj");
const QString kInfoSuffix = QStringLiteral(".json");
const QString kLockSuffix = QStringLiteral(".lock");

bool writeAtomically(const QString& path, const QByteArray& bytes, QString* error) {
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit()) {
        if (error)
            *error = QObject::tr("%1: cannot be written: %2")
                         .arg(QDir::toNativeSeparators(path), file.errorString());
        return false;
    }
    return true;
}

QString basePath(const QString& projectFile) {
    return projectFile.left(projectFile.size() - kProjectSuffix.size());
}

} // namespace

RecoveryStore::RecoveryStore(const QString& directory)
    : m_directory(directory.isEmpty() ? defaultDirectory() : directory) {}

RecoveryStore::~RecoveryStore() = default;

QString RecoveryStore::defaultDirectory() {
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) +
           QStringLiteral("/recovery");
}

bool RecoveryStore::ensureSession(QString* error) {
    if (m_lock)
        return true;
    if (!QDir().mkpath(m_directory)) {
        if (error)
            *error = QObject::tr("%1: cannot create the recovery folder")
                         .arg(QDir::toNativeSeparators(m_directory));
        return false;
    }
    const QString session = QUuid::createUuid().toString(QUuid::WithoutBraces);
    auto lock = std::make_unique<QLockFile>(m_directory + QLatin1Char('/') + session + kLockSuffix);
    // A session runs for hours: the lock must never be taken for stale while its process
    // lives (QLockFile then checks the process id instead).
    lock->setStaleLockTime(0);
    if (!lock->tryLock(0)) {
        if (error)
            *error = QObject::tr("%1: cannot lock the recovery file")
                         .arg(QDir::toNativeSeparators(m_directory));
        return false;
    }
    m_session = session;
    m_lock = std::move(lock);
    return true;
}

bool RecoveryStore::write(const Document& document, QString* error) {
    if (!ensureSession(error))
        return false;
    const QString base = m_directory + QLatin1Char('/') + m_session;
    // Relative paths in the project (the data set) are written relative to the original
    // file, and recover() anchors them there again.
    const QByteArray project = document.project().toJson(document.filePath());
    const QJsonObject info{
        {QStringLiteral("originalPath"), document.filePath()},
        {QStringLiteral("name"), document.displayName()},
        {QStringLiteral("savedAt"), QDateTime::currentDateTimeUtc().toString(Qt::ISODate)},
    };
    if (!writeAtomically(base + kProjectSuffix, project, error) ||
        !writeAtomically(base + kInfoSuffix, QJsonDocument(info).toJson(), error))
        return false;
    m_written = true;
    return true;
}

void RecoveryStore::discard() {
    if (!m_written)
        return;
    const QString base = m_directory + QLatin1Char('/') + m_session;
    QFile::remove(base + kProjectSuffix);
    QFile::remove(base + kInfoSuffix);
    m_written = false;
}

QString RecoveryStore::currentFile() const {
    return m_written ? m_directory + QLatin1Char('/') + m_session + kProjectSuffix : QString();
}

QList<RecoveryCandidate> RecoveryStore::orphans() const {
    QList<RecoveryCandidate> result;
    const QDir directory(m_directory);
    const QStringList files =
        directory.entryList({QLatin1Char('*') + kProjectSuffix}, QDir::Files, QDir::Name);
    for (const QString& name : files) {
        const QString file = directory.filePath(name);
        const QString base = basePath(file);
        if (base == m_directory + QLatin1Char('/') + m_session)
            continue;
        // Free or stale (its process is gone): the session that wrote it has ended.
        QLockFile lock(base + kLockSuffix);
        lock.setStaleLockTime(0);
        if (!lock.tryLock(0))
            continue;
        lock.unlock();

        RecoveryCandidate candidate;
        candidate.file = file;
        QFile infoFile(base + kInfoSuffix);
        if (infoFile.open(QIODevice::ReadOnly) && infoFile.size() < 64 * 1024) {
            const QJsonObject info = QJsonDocument::fromJson(infoFile.readAll()).object();
            candidate.originalPath = info.value(QStringLiteral("originalPath")).toString();
            candidate.name = info.value(QStringLiteral("name")).toString();
            candidate.savedAt = QDateTime::fromString(
                info.value(QStringLiteral("savedAt")).toString(), Qt::ISODate);
        }
        if (!candidate.savedAt.isValid())
            candidate.savedAt = QFileInfo(file).lastModified();
        if (candidate.name.isEmpty())
            candidate.name = candidate.originalPath.isEmpty()
                                 ? QObject::tr("Untitled")
                                 : QFileInfo(candidate.originalPath).fileName();
        result.append(candidate);
    }
    std::sort(result.begin(), result.end(),
              [](const RecoveryCandidate& a, const RecoveryCandidate& b) {
                  return a.savedAt > b.savedAt;
              });
    return result;
}

std::unique_ptr<Document> RecoveryStore::recover(const RecoveryCandidate& candidate,
                                                 QString* error) {
    QFile file(candidate.file);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = QObject::tr("%1: cannot be read: %2")
                         .arg(QDir::toNativeSeparators(candidate.file), file.errorString());
        return nullptr;
    }
    auto project = std::make_unique<graph::Project>();
    // Anchored at the original file: relative paths resolve as they did in the session.
    if (!project->loadFromData(file.read(graph::Project::MaxFileSize + 1), candidate.originalPath,
                               error))
        return nullptr;
    auto document = std::make_unique<Document>(std::move(project));
    document->markUnsaved();
    return document;
}

void RecoveryStore::remove(const RecoveryCandidate& candidate) {
    const QString base = basePath(candidate.file);
    QFile::remove(candidate.file);
    QFile::remove(base + kInfoSuffix);
    QFile::remove(base + kLockSuffix);
}

} // namespace tc::ui
