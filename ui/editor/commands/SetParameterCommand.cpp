#include "ui/editor/commands/SetParameterCommand.h"

#include "core/graph/ComponentRegistry.h"
#include "ui/editor/commands/CommandIds.h"

namespace tc::ui {

SetParameterCommand::SetParameterCommand(graph::Graph& graph, graph::NodeId node,
                                         const QString& name, const QVariant& value,
                                         QUndoCommand* parent)
    : QUndoCommand(parent)
    , m_graph(graph)
    , m_nodeId(node)
    , m_name(name)
    , m_newValue(value) {
    QString label = name;
    if (const graph::ComponentSpec* spec =
            graph::ComponentRegistry::instance().find(graph.node(node).type)) {
        if (const graph::ParameterSpec* parameter = spec->parameter(name))
            label = parameter->label.toLower();
    }
    setText(QObject::tr("Change %1").arg(label));
}

void SetParameterCommand::redo() {
    const QVariant previous = m_graph.setParameter(m_nodeId, m_name, m_newValue);
    // Remember the value from before the first run only: a redo after an undo sees the new
    // value's predecessor again, and a merged command keeps the oldest value.
    if (!m_done) {
        m_oldValue = previous;
        m_done = true;
    }
}

void SetParameterCommand::undo() {
    m_graph.setParameter(m_nodeId, m_name, m_oldValue);
}

int SetParameterCommand::id() const {
    return static_cast<int>(CommandId::SetParameter);
}

bool SetParameterCommand::mergeWith(const QUndoCommand* other) {
    const auto* next = static_cast<const SetParameterCommand*>(other);
    if (next->m_nodeId != m_nodeId || next->m_name != m_name)
        return false;
    m_newValue = next->m_newValue;
    // Stepping a value away and back leaves nothing to undo.
    setObsolete(m_graph.node(m_nodeId).parameters.value(m_name) == m_oldValue &&
                m_newValue.typeId() == m_oldValue.typeId());
    return true;
}

} // namespace tc::ui
