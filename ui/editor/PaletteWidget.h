#pragma once

#include <QStandardItemModel>
#include <QWidget>

class QLineEdit;
class QMimeData;
class QSortFilterProxyModel;
class QTreeView;

namespace tc::ui {

/// The components of the ComponentRegistry grouped by category, as a drag source: the model
/// builds the drag data of an entry (createComponentMimeData()).
class PaletteModel : public QStandardItemModel {
    Q_OBJECT

public:
    enum Role {
        ComponentTypeRole = Qt::UserRole + 1, ///< the registry name; empty for a category
        DescriptionRole,                      ///< one line for the entry
        SearchTextRole,                       ///< what the search box matches
        CategoryRole,                         ///< the category name, on category rows
    };

    explicit PaletteModel(QObject* parent = nullptr);

    QStringList mimeTypes() const override;
    QMimeData* mimeData(const QModelIndexList& indexes) const override;
    Qt::DropActions supportedDragActions() const override { return Qt::CopyAction; }

    /// The entry of a component; invalid for an unknown type.
    QModelIndex indexOf(const QString& type) const;
};

/// The component palette dock's content: a search box over a categorised list with icons and
/// one-line descriptions. Entries are dragged onto the canvas; double-click (or Enter)
/// activates one, which the window turns into "add at the centre of the view".
class PaletteWidget : public QWidget {
    Q_OBJECT

public:
    explicit PaletteWidget(QWidget* parent = nullptr);

    PaletteModel* model() const { return m_model; }
    QTreeView* view() const { return m_view; }
    QLineEdit* searchBox() const { return m_search; }

    /// The drag data the palette produces for a component: exactly what dragging its entry
    /// carries (the model's mimeData() of that entry). The caller owns it.
    QMimeData* mimeDataFor(const QString& type) const;
    /// Shows only entries whose name, category or description contains `text`.
    void setFilterText(const QString& text);
    /// Number of component entries currently shown (after filtering).
    int visibleComponentCount() const;

Q_SIGNALS:
    void componentActivated(const QString& type);

private:
    PaletteModel* m_model = nullptr;
    QSortFilterProxyModel* m_proxy = nullptr;
    QTreeView* m_view = nullptr;
    QLineEdit* m_search = nullptr;
};

} // namespace tc::ui
