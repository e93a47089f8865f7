#pragma once

#include "ui/editor/ProjectSection.h"

#include <QJsonObject>
#include <QUndoCommand>

namespace tc::ui {

class Document;

/// Replaces one settings section of the project ("dataset", "split", "preprocessing",
/// "training"), e.g. from the Data Wizard, so that such a change is undoable and marks the
/// document modified like any graph edit.
class SetSettingsCommand : public QUndoCommand {
public:
    SetSettingsCommand(Document& document, ProjectSection section, const QJsonObject& value,
                       const QString& text, QUndoCommand* parent = nullptr);

    void redo() override;
    void undo() override;

private:
    Document& m_document;
    ProjectSection m_section;
    QJsonObject m_newValue;
    QJsonObject m_oldValue;
};

} // namespace tc::ui
