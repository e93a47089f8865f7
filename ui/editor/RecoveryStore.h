#pragma once

#include <memory>
#include <QDateTime>
#include <QList>
#include <QString>

class QLockFile;

namespace tc::ui {

class Document;

/// An autosave left behind by a session that did not end normally.
struct RecoveryCandidate {
    QString file;         ///< the autosaved project (a .tcproj)
    QString originalPath; ///< the file the session had open; empty when it was untitled
    QString name;         ///< what the session showed as the document name
    QDateTime savedAt;
};

/// The recovery folder (QStandardPaths::AppDataLocation/recovery): each running session
/// writes its unsaved work to `<session>.tcproj` (+ `<session>.json` describing it) and holds
/// `<session>.lock` while it runs. A recovery file whose lock is free (or stale: its process
/// is gone) is an orphan of a crashed session, offered for recovery at the next start. Two
/// windows running at once never see each other's files as orphans.
class RecoveryStore {
public:
    /// `directory` defaults to defaultDirectory(); tests pass their own.
    explicit RecoveryStore(const QString& directory = {});
    /// Leaves this session's recovery file in place (a normal exit has discarded it
    /// already); releases the lock.
    ~RecoveryStore();
    RecoveryStore(const RecoveryStore&) = delete;
    RecoveryStore& operator=(const RecoveryStore&) = delete;

    static QString defaultDirectory();
    QString directory() const { return m_directory; }

    /// Writes the document's current state, atomically, as this session's recovery file.
    bool write(const Document& document, QString* error = nullptr);
    /// Removes this session's recovery file: the work was saved or deliberately discarded.
    void discard();
    /// This session's recovery file; empty until the first write().
    QString currentFile() const;

    /// Recovery files of sessions that are not running any more, newest first.
    QList<RecoveryCandidate> orphans() const;
    /// Loads a candidate into a new document, marked unsaved, whose file path is the
    /// original one. nullptr and `*error` when the file cannot be read.
    static std::unique_ptr<Document> recover(const RecoveryCandidate& candidate, QString* error);
    /// Deletes a candidate's files.
    static void remove(const RecoveryCandidate& candidate);

private:
    bool ensureSession(QString* error);

    QString m_directory;
    QString m_session;
    std::unique_ptr<QLockFile> m_lock;
    bool m_written = false;
};

} // namespace tc::ui
