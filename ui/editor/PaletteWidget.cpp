#include "ui/editor/PaletteWidget.h"

#include "core/graph/ComponentRegistry.h"
#include "ui/editor/ComponentPresentation.h"
#include "ui/editor/EditorMime.h"
#include "ui/editor/IconLibrary.h"

#include <QApplication>
#include <QKeyEvent>
#include <QLineEdit>
#include <QPainter>
#include <QSortFilterProxyModel>
#include <QStyledItemDelegate>
#include <QTreeView>
#include <QVBoxLayout>

namespace tc::ui {

namespace {

constexpr int kIconSize = 28;
constexpr int kRowPadding = 6;

/// Two-line entries (name, then a one-line description) and small-caps category headers:
/// denser and easier to scan than plain rows with tooltips only.
class PaletteDelegate : public QStyledItemDelegate {
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override {
        const QFontMetrics metrics(option.font);
        if (index.data(PaletteModel::ComponentTypeRole).toString().isEmpty())
            return {option.rect.width(), metrics.height() + 16};
        return {option.rect.width(),
                std::max(kIconSize, 2 * metrics.height() + 2) + 2 * kRowPadding};
    }

    void paint(QPainter* painter, const QStyleOptionViewItem& styleOption,
               const QModelIndex& index) const override {
        QStyleOptionViewItem option = styleOption;
        initStyleOption(&option, index);
        const QPalette& palette = option.palette;
        painter->save();
        painter->setRenderHint(QPainter::Antialiasing);
        const QRect rect = option.rect;
        const QString type = index.data(PaletteModel::ComponentTypeRole).toString();

        if (type.isEmpty()) { // a category header
            QFont font = option.font;
            font.setBold(true);
            font.setPointSizeF(font.pointSizeF() * 0.85);
            font.setCapitalization(QFont::AllUppercase);
            font.setLetterSpacing(QFont::PercentageSpacing, 106);
            painter->setFont(font);
            const QColor colour = ComponentPresentation::categoryColor(
                index.data(PaletteModel::CategoryRole).toString());
            painter->setPen(Qt::NoPen);
            painter->setBrush(colour);
            const QRect dot(rect.left() + 8, rect.center().y() - 3, 6, 6);
            painter->drawEllipse(dot);
            QColor text = palette.color(QPalette::WindowText);
            text.setAlphaF(0.7);
            painter->setPen(text);
            painter->drawText(rect.adjusted(20, 4, -4, 0), Qt::AlignLeft | Qt::AlignVCenter,
                              option.text);
            painter->restore();
            return;
        }

        const bool selected = option.state & QStyle::State_Selected;
        const bool hovered = option.state & QStyle::State_MouseOver;
        if (selected || hovered) {
            QColor fill = palette.color(QPalette::Highlight);
            fill.setAlphaF(selected ? 0.22 : 0.10);
            painter->setPen(Qt::NoPen);
            painter->setBrush(fill);
            painter->drawRoundedRect(QRectF(rect).adjusted(4, 1, -4, -1), 6, 6);
        }
        const QRect iconRect(rect.left() + 10, rect.center().y() - kIconSize / 2, kIconSize,
                             kIconSize);
        option.icon.paint(painter, iconRect);

        const int textLeft = iconRect.right() + 10;
        const QRect textRect(textLeft, rect.top() + kRowPadding, rect.right() - textLeft - 6,
                             rect.height() - 2 * kRowPadding);
        QFont nameFont = option.font;
        nameFont.setWeight(QFont::DemiBold);
        const QFontMetrics nameMetrics(nameFont);
        painter->setFont(nameFont);
        painter->setPen(palette.color(QPalette::Text));
        painter->drawText(textRect, Qt::AlignLeft | Qt::AlignTop,
                          nameMetrics.elidedText(option.text, Qt::ElideRight, textRect.width()));

        QFont descriptionFont = option.font;
        descriptionFont.setPointSizeF(descriptionFont.pointSizeF() * 0.9);
        const QFontMetrics descriptionMetrics(descriptionFont);
        painter->setFont(descriptionFont);
        QColor secondary = palette.color(QPalette::Text);
        secondary.setAlphaF(0.6);
        painter->setPen(secondary);
        painter->drawText(
            textRect, Qt::AlignLeft | Qt::AlignBottom,
            descriptionMetrics.elidedText(index.data(PaletteModel::DescriptionRole).toString(),
                                          Qt::ElideRight, textRect.width()));
        painter->restore();
    }
};

/// A tree view whose Enter key adds the current entry, like a double-click. (Not
/// QAbstractItemView::activated: styles that activate on a single click would add a
/// component on every click that starts a drag.)
class PaletteTreeView : public QTreeView {
public:
    using QTreeView::QTreeView;

protected:
    void keyPressEvent(QKeyEvent* event) override {
        if ((event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter) &&
            currentIndex().isValid()) {
            Q_EMIT doubleClicked(currentIndex());
            return;
        }
        QTreeView::keyPressEvent(event);
    }
};

} // namespace

PaletteModel::PaletteModel(QObject* parent)
    : QStandardItemModel(parent) {
    const graph::ComponentRegistry& registry = graph::ComponentRegistry::instance();
    for (const QString& category : registry.categories()) {
        auto* group = new QStandardItem(category);
        group->setData(category, CategoryRole);
        group->setData(category, SearchTextRole);
        group->setFlags(Qt::ItemIsEnabled);
        for (const graph::ComponentSpec& spec : registry.components()) {
            if (spec.category != category)
                continue;
            auto* item = new QStandardItem(IconLibrary::componentIcon(spec.name), spec.name);
            item->setData(spec.name, ComponentTypeRole);
            item->setData(ComponentPresentation::firstSentence(spec.description), DescriptionRole);
            item->setData(
                QStringList{spec.name, spec.category, spec.description}.join(QLatin1Char('\n')),
                SearchTextRole);
            item->setToolTip(QStringLiteral("<b>%1</b><p>%2</p><p><i>%3</i></p>")
                                 .arg(spec.name.toHtmlEscaped(), spec.description.toHtmlEscaped(),
                                      tr("Drag onto the canvas, or double-click to add.")));
            item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsDragEnabled);
            group->appendRow(item);
        }
        appendRow(group);
    }
}

QStringList PaletteModel::mimeTypes() const {
    return {componentMimeType()};
}

QMimeData* PaletteModel::mimeData(const QModelIndexList& indexes) const {
    for (const QModelIndex& index : indexes) {
        const QString type = index.data(ComponentTypeRole).toString();
        if (!type.isEmpty())
            return createComponentMimeData(ComponentDrag{type, {}});
    }
    return nullptr;
}

QModelIndex PaletteModel::indexOf(const QString& type) const {
    const QModelIndexList found =
        match(index(0, 0), ComponentTypeRole, type, 1, Qt::MatchExactly | Qt::MatchRecursive);
    return found.isEmpty() ? QModelIndex() : found.constFirst();
}

PaletteWidget::PaletteWidget(QWidget* parent)
    : QWidget(parent)
    , m_model(new PaletteModel(this))
    , m_proxy(new QSortFilterProxyModel(this)) {
    setObjectName(QStringLiteral("palette"));
    m_proxy->setSourceModel(m_model);
    m_proxy->setFilterRole(PaletteModel::SearchTextRole);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_proxy->setRecursiveFilteringEnabled(true);

    m_search = new QLineEdit(this);
    m_search->setObjectName(QStringLiteral("paletteSearch"));
    m_search->setPlaceholderText(tr("Search components"));
    m_search->setClearButtonEnabled(true);
    connect(m_search, &QLineEdit::textChanged, this, &PaletteWidget::setFilterText);

    m_view = new PaletteTreeView(this);
    m_view->setObjectName(QStringLiteral("paletteView"));
    m_view->setModel(m_proxy);
    m_view->setItemDelegate(new PaletteDelegate(m_view));
    m_view->setHeaderHidden(true);
    m_view->setRootIsDecorated(false);
    m_view->setIndentation(0);
    m_view->setItemsExpandable(false);
    m_view->setUniformRowHeights(false);
    m_view->setDragEnabled(true);
    m_view->setDragDropMode(QAbstractItemView::DragOnly);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setMouseTracking(true);
    m_view->setFrameShape(QFrame::NoFrame);
    m_view->setAttribute(Qt::WA_MacShowFocusRect, false);
    m_view->expandAll();
    connect(m_proxy, &QAbstractItemModel::rowsInserted, m_view, &QTreeView::expandAll);
    connect(m_proxy, &QAbstractItemModel::modelReset, m_view, &QTreeView::expandAll);
    connect(m_proxy, &QAbstractItemModel::layoutChanged, m_view, &QTreeView::expandAll);
    connect(m_view, &QTreeView::doubleClicked, this, [this](const QModelIndex& index) {
        const QString type = index.data(PaletteModel::ComponentTypeRole).toString();
        if (!type.isEmpty())
            Q_EMIT componentActivated(type);
    });

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 0);
    layout->setSpacing(6);
    layout->addWidget(m_search);
    layout->addWidget(m_view);
}

QMimeData* PaletteWidget::mimeDataFor(const QString& type) const {
    const QModelIndex index = m_model->indexOf(type);
    if (!index.isValid())
        return nullptr;
    return m_model->mimeData({index});
}

void PaletteWidget::setFilterText(const QString& text) {
    if (m_search->text() != text)
        m_search->setText(text); // comes back here through textChanged
    m_proxy->setFilterFixedString(text.trimmed());
    m_view->expandAll();
}

int PaletteWidget::visibleComponentCount() const {
    int count = 0;
    for (int row = 0; row < m_proxy->rowCount(); ++row)
        count += m_proxy->rowCount(m_proxy->index(row, 0));
    return count;
}

} // namespace tc::ui
