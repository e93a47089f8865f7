#include "ui/editor/ProblemsWidget.h"

#include "core/graph/ComponentRegistry.h"
#include "core/nn/WeightsAvailability.h"
#include "ui/editor/Document.h"
#include "ui/editor/IconLibrary.h"

#include <QAbstractButton>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace tc::ui {

namespace {

constexpr int kNodeRole = Qt::UserRole + 1;

} // namespace

ProblemsWidget::ProblemsWidget(QWidget* parent)
    : QWidget(parent) {
    setObjectName(QStringLiteral("problems"));
    m_list = new QTreeWidget(this);
    m_list->setObjectName(QStringLiteral("problemsList"));
    m_list->setColumnCount(3);
    m_list->setHeaderLabels({tr("Component"), tr("Problem"), QString()});
    m_list->setRootIsDecorated(false);
    m_list->setUniformRowHeights(true);
    m_list->setAlternatingRowColors(false);
    m_list->setFrameShape(QFrame::NoFrame);
    m_list->setSelectionMode(QAbstractItemView::SingleSelection);
    m_list->header()->setStretchLastSection(false);
    m_list->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_list->header()->setSectionResizeMode(1, QHeaderView::Stretch);
    m_list->header()->setSectionResizeMode(2, QHeaderView::ResizeToContents);
    m_list->setIconSize(QSize(16, 16));
    auto activate = [this](QTreeWidgetItem* item) {
        const QVariant node = item ? item->data(0, kNodeRole) : QVariant();
        if (node.isValid() && node.toInt() != graph::InvalidId)
            Q_EMIT nodeActivated(node.toInt());
    };
    connect(m_list, &QTreeWidget::itemClicked, this, activate);
    connect(m_list, &QTreeWidget::itemActivated, this, activate);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_list);
    refresh();
}

void ProblemsWidget::setDocument(Document* document) {
    if (m_document)
        m_document->disconnect(this);
    m_document = document;
    if (document)
        connect(document, &Document::validationChanged, this, &ProblemsWidget::refresh);
    refresh();
}

QString ProblemsWidget::summary() const {
    return m_summary;
}

void ProblemsWidget::addBanner(QWidget* banner) {
    static_cast<QVBoxLayout*>(layout())->insertWidget(layout()->count() - 1, banner);
}

QList<QAbstractButton*> ProblemsWidget::weightsActions(int nodeId) const {
    for (int row = 0; row < m_list->topLevelItemCount(); ++row) {
        QTreeWidgetItem* item = m_list->topLevelItem(row);
        if (item->data(0, kNodeRole).toInt() != nodeId)
            continue;
        if (QWidget* buttons = m_list->itemWidget(item, 2))
            return buttons->findChildren<QAbstractButton*>(QString(), Qt::FindDirectChildrenOnly);
    }
    return {};
}

void ProblemsWidget::setWeightsBusy(bool busy) {
    m_weightsBusy = busy;
    for (int row = 0; row < m_list->topLevelItemCount(); ++row) {
        if (QWidget* buttons = m_list->itemWidget(m_list->topLevelItem(row), 2))
            buttons->setEnabled(!busy);
    }
}

QWidget* ProblemsWidget::weightsButtons(int nodeId, const QString& size) {
    auto* buttons = new QWidget(m_list);
    auto* layout = new QHBoxLayout(buttons);
    layout->setContentsMargins(0, 0, 4, 0);
    layout->setSpacing(4);
    auto* download = new QToolButton(buttons);
    download->setObjectName(QStringLiteral("downloadWeights"));
    download->setText(tr("Download (%1)").arg(size));
    download->setToolTip(tr("Download torchvision's ImageNet weights into the weights folder "
                            "(SHA-256 checked)"));
    auto* import = new QToolButton(buttons);
    import->setObjectName(QStringLiteral("importWeights"));
    import->setText(tr("Import file…"));
    import->setToolTip(tr("Use a weights file you already have (.pth or .safetensors)"));
    layout->addWidget(download);
    layout->addWidget(import);
    buttons->setEnabled(!m_weightsBusy);
    connect(download, &QToolButton::clicked, this,
            [this, nodeId] { Q_EMIT downloadWeightsRequested(nodeId); });
    connect(import, &QToolButton::clicked, this,
            [this, nodeId] { Q_EMIT importWeightsRequested(nodeId); });
    return buttons;
}

void ProblemsWidget::refresh() {
    m_list->clear();
    QString summary;
    if (!m_document || m_document->graph().isEmpty()) {
        auto* item = new QTreeWidgetItem(m_list);
        item->setText(0, tr("Empty model"));
        item->setText(1, tr("Drag components from the palette onto the canvas and wire them "
                            "from output to input."));
        item->setFlags(Qt::ItemIsEnabled);
        summary = tr("Empty model");
    } else {
        const graph::Graph& graph = m_document->graph();
        const graph::Validation& validation = m_document->validation();
        for (const graph::Problem& problem : validation.problems) {
            auto* item = new QTreeWidgetItem(m_list);
            const bool error = problem.severity == graph::Severity::Error;
            item->setIcon(0, IconLibrary::actionIcon(error ? QStringLiteral("status-error")
                                                           : QStringLiteral("status-warning")));
            QString where = tr("Model");
            if (problem.node != graph::InvalidId && graph.containsNode(problem.node)) {
                const graph::Node node = graph.node(problem.node);
                where = QStringLiteral("%1 (#%2)")
                            .arg(graph::ComponentRegistry::describe(node.type, node.parameters))
                            .arg(node.id);
            }
            item->setText(0, where);
            QString message = problem.message;
            if (!message.isEmpty())
                message[0] = message[0].toUpper();
            item->setText(1, message);
            item->setToolTip(1, message);
            item->setData(0, kNodeRole, problem.node);
            if (problem.node != graph::InvalidId && graph.containsNode(problem.node)) {
                const nn::WeightStore store;
                const std::optional<nn::WeightVariant> missing =
                    nn::missingPretrainedWeights(graph.node(problem.node), store);
                if (missing && problem.message == nn::missingWeightsMessage(*missing, store))
                    m_list->setItemWidget(
                        item, 2, weightsButtons(problem.node, nn::downloadSizeText(*missing)));
            }
            item->setData(
                1, Qt::AccessibleTextRole,
                QString(graph::severityName(problem.severity) + QStringLiteral(": ") + message));
        }
        const int errors = validation.errorCount();
        const int warnings = validation.warningCount();
        if (errors == 0 && warnings == 0) {
            auto* item = new QTreeWidgetItem(m_list);
            item->setIcon(0, IconLibrary::actionIcon(QStringLiteral("status-ok")));
            item->setText(0, tr("Model"));
            item->setText(1, tr("No problems: the model can be built and trained."));
            item->setFlags(Qt::ItemIsEnabled);
            summary = tr("No problems");
        } else {
            QStringList parts;
            if (errors > 0)
                parts << (errors == 1 ? tr("1 error") : tr("%1 errors").arg(errors));
            if (warnings > 0)
                parts << (warnings == 1 ? tr("1 warning") : tr("%1 warnings").arg(warnings));
            summary = parts.join(QStringLiteral(", "));
        }
    }
    if (summary != m_summary) {
        m_summary = summary;
        Q_EMIT summaryChanged(summary);
    }
}

} // namespace tc::ui
