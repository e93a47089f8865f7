#include "ui/editor/commands/SetSettingsCommand.h"

#include "ui/editor/Document.h"

namespace tc::ui {

SetSettingsCommand::SetSettingsCommand(Document& document, ProjectSection section,
                                       const QJsonObject& value, const QString& text,
                                       QUndoCommand* parent)
    : QUndoCommand(text, parent)
    , m_document(document)
    , m_section(section)
    , m_newValue(value)
    , m_oldValue(document.section(section)) {}

void SetSettingsCommand::redo() {
    m_document.applySection(m_section, m_newValue);
}

void SetSettingsCommand::undo() {
    m_document.applySection(m_section, m_oldValue);
}

} // namespace tc::ui
