#include "ui/editor/Autosaver.h"

#include "ui/editor/Document.h"
#include "ui/editor/RecoveryStore.h"

#include <QUndoStack>

namespace tc::ui {

Autosaver::Autosaver(RecoveryStore& store, QObject* parent)
    : QObject(parent)
    , m_store(store) {
    m_timer.setSingleShot(true);
    m_timer.setInterval(DefaultIntervalMs);
    connect(&m_timer, &QTimer::timeout, this, &Autosaver::saveNow);
}

void Autosaver::detach() {
    if (m_document) {
        m_document->disconnect(this);
        m_document->undoStack()->disconnect(this);
    }
    m_document = nullptr;
    m_timer.stop();
}

void Autosaver::setDocument(Document* document) {
    detach();
    m_store.discard();
    m_document = document;
    if (!document)
        return;
    // indexChanged covers every push, undo and redo; section changes go through the stack
    // too.
    connect(document->undoStack(), &QUndoStack::indexChanged, this, &Autosaver::documentChanged);
    connect(document->undoStack(), &QUndoStack::cleanChanged, this, &Autosaver::documentChanged);
    documentChanged();
}

void Autosaver::setInterval(int milliseconds) {
    m_timer.setInterval(milliseconds);
}

void Autosaver::documentChanged() {
    if (!m_document)
        return;
    if (!m_document->isModified()) {
        m_timer.stop();
        m_store.discard();
        return;
    }
    // Not restarted on every change: under continuous editing it must still fire.
    if (!m_timer.isActive())
        m_timer.start();
}

bool Autosaver::saveNow() {
    m_timer.stop();
    if (!m_document || !m_document->isModified())
        return false;
    QString error;
    if (!m_store.write(*m_document, &error)) {
        Q_EMIT failed(error);
        return false;
    }
    Q_EMIT autosaved(m_store.currentFile());
    return true;
}

} // namespace tc::ui
