#pragma once

#include "core/graph/Graph.h"
#include "core/graph/Project.h"
#include "core/graph/Validation.h"
#include "ui/editor/ProjectSection.h"

#include <memory>
#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QPointF>

class QUndoStack;

namespace tc::ui {

/// One open project in the editor: the Project (and so the Graph, the single source of
/// truth), the QUndoStack of every edit made to it, and the validation of its current state.
///
/// Every edit a user makes goes through the edit functions below; each pushes one undo
/// command that changes the model (never a scene item), so that undo and redo cover every
/// edit and "modified" is simply `!undoStack()->isClean()`. Observers (the canvas scene,
/// inspector, problems panel, training controller) connect to graph() and to the signals
/// here; a headless test can drive a Document with no widget at all.
class Document : public QObject {
    Q_OBJECT

public:
    /// A new, empty, untitled project.
    explicit Document(QObject* parent = nullptr);
    /// Takes over a project (loaded or recovered elsewhere); its file path becomes this
    /// document's (empty: untitled).
    explicit Document(std::unique_ptr<graph::Project> project, QObject* parent = nullptr);
    ~Document() override;

    /// Loads a project file. nullptr and `*error` (one line naming the file) on failure;
    /// `*warnings` receives the project's non-fatal load warnings.
    static std::unique_ptr<Document> open(const QString& path, QString* error,
                                          QStringList* warnings = nullptr);

    graph::Project& project() { return *m_project; }
    const graph::Project& project() const { return *m_project; }
    graph::Graph& graph() { return m_project->graph(); }
    const graph::Graph& graph() const { return m_project->graph(); }
    QUndoStack* undoStack() const { return m_undoStack; }

    /// The validation of the current graph and settings, with a warning for each backbone
    /// whose pretrained weights are missing from the weights folder; kept up to date on every
    /// change.
    const graph::Validation& validation() const { return m_validation; }
    /// Validates again, for a change outside the project (a weights file arrived).
    void revalidate();
    /// Whether the user already agreed to train a random frozen backbone in this project
    /// (asked once per project).
    bool randomBackboneConfirmed() const { return m_randomBackboneConfirmed; }
    void setRandomBackboneConfirmed() { m_randomBackboneConfirmed = true; }
    /// The class count known from the data set table (e.g. after the Data Wizard read the
    /// CSV), checked against Output's input; -1 when unknown.
    void setKnownClassCount(int count);
    int knownClassCount() const { return m_knownClassCount; }

    /// The file the project was opened from or last saved to; empty while untitled.
    QString filePath() const { return m_filePath; }
    /// The file name, or "Untitled".
    QString displayName() const;
    /// Derived from the undo stack's clean state, never tracked by hand.
    bool isModified() const;
    /// Writes the project (atomically) and marks the current state as clean.
    bool save(const QString& path, QString* error);
    /// Marks a document whose contents did not come from its file (a recovered autosave) as
    /// modified until it is saved.
    void markUnsaved();

    // ---- Edits: each pushes one undo command ------------------------------------------

    /// Adds a node (parameters over the component's defaults); returns its id.
    graph::NodeId addNode(const QString& type, const QPointF& position,
                          const QVariantMap& parameters = {});
    /// Links two ports when Graph::canLink() allows it; otherwise pushes nothing, returns
    /// InvalidId and sets `*reason` to the sentence for the user.
    graph::LinkId addLink(const graph::PortRef& from, const graph::PortRef& to,
                          QString* reason = nullptr);
    /// Removes nodes (each with its links) and links in one undo step. Unknown ids are
    /// ignored; nothing is pushed when nothing remains. `text` names the step ("Delete").
    void remove(const QList<graph::NodeId>& nodes, const QList<graph::LinkId>& links,
                const QString& text = {});
    /// Sets one parameter; consecutive changes of the same parameter merge.
    void setParameter(graph::NodeId node, const QString& name, const QVariant& value);
    /// Moves nodes to new top-left positions; consecutive moves of the same nodes merge.
    void moveNodes(const QHash<graph::NodeId, QPointF>& positions);
    /// Pastes a fragment (`{"nodes": [...], "links": [...]}`) with new ids, shifted by
    /// `offset`. Returns the new ids; empty with `*error` when the fragment is malformed.
    QList<graph::NodeId> paste(const QJsonObject& fragment, const QPointF& offset,
                               const QString& text = {}, QString* error = nullptr);
    /// Lays the graph out left to right (see autoLayoutPositions) as one undo step; does
    /// nothing when every node is already in place.
    void autoLayout();

    /// A settings section as a JSON object (see graph::Project).
    QJsonObject section(ProjectSection section) const;
    /// Replaces a settings section as one undo step (e.g. from the Data Wizard).
    void setSection(ProjectSection section, const QJsonObject& value, const QString& text = {});
    /// Binds a data set (the Data Wizard's result) as one undo step, "Bind Data Set": the
    /// data set, split and preprocessing sections, and every Input node's size set to the
    /// preprocessed images' (RGB, `imageHeight` × `imageWidth`), so that the canvas shows the
    /// shapes the model will see.
    void bindDataset(const QJsonObject& dataset, const QJsonObject& split,
                     const QJsonObject& preprocessing, int imageHeight, int imageWidth);
    /// Applies a section without an undo command: for SetSettingsCommand only.
    void applySection(ProjectSection section, const QJsonObject& value);

Q_SIGNALS:
    /// validation() changed (after any edit of the graph or the settings).
    void validationChanged();
    void modifiedChanged(bool modified);
    void filePathChanged(const QString& path);
    /// A settings section changed (through setSection(), undo or redo).
    void sectionChanged(tc::ui::ProjectSection section);

private:
    std::unique_ptr<graph::Project> m_project;
    QUndoStack* m_undoStack = nullptr;
    graph::Validation m_validation;
    QString m_filePath;
    int m_knownClassCount = -1;
    bool m_randomBackboneConfirmed = false;
};

} // namespace tc::ui
