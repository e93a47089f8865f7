#pragma once

#include <QObject>
#include <QPointer>
#include <QTimer>

namespace tc::ui {

class Document;
class RecoveryStore;

/// Writes the document to the recovery store a while after each change, so that a crash
/// loses at most that much work; removes the recovery file as soon as the document is clean
/// again (saved, or undone back to the saved state) or is replaced.
class Autosaver : public QObject {
    Q_OBJECT

public:
    /// Default delay between a change and the autosave.
    static constexpr int DefaultIntervalMs = 30'000;

    explicit Autosaver(RecoveryStore& store, QObject* parent = nullptr);

    /// Watches `document` (nullptr: none). The previous document's recovery file is removed:
    /// the caller replaces a document only after it was saved or deliberately discarded.
    void setDocument(Document* document);
    /// Stops watching without touching the recovery file: for a window that goes away
    /// without having been closed (and so without the user deciding about unsaved work).
    void detach();
    void setInterval(int milliseconds);
    int interval() const { return m_timer.interval(); }
    /// True while a change waits for its autosave.
    bool isPending() const { return m_timer.isActive(); }

    /// Writes now when the document has unsaved changes; returns whether it wrote.
    bool saveNow();

Q_SIGNALS:
    void autosaved(const QString& recoveryFile);
    void failed(const QString& message);

private:
    void documentChanged();

    RecoveryStore& m_store;
    QPointer<Document> m_document;
    QTimer m_timer;
};

} // namespace tc::ui
