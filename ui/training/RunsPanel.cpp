#include "ui/training/RunsPanel.h"

#include "ui/training/StatisticsView.h"

#include <algorithm>
#include <cmath>
#include <QDir>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPainter>
#include <QPixmap>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace tc::ui {

namespace {

QString percent(double share) {
    return std::isnan(share) ? QStringLiteral("–")
                             : QStringLiteral("%1 %").arg(share * 100.0, 0, 'f', 1);
}

QString percent(const std::optional<double>& share) {
    return share ? percent(*share) : QStringLiteral("–");
}

QString auc(const std::optional<double>& value) {
    return value ? QString::number(*value, 'f', 3) : QStringLiteral("–");
}

QTableWidgetItem* cell(const QString& text, const QString& toolTip = {}, bool alignRight = false) {
    auto* item = new QTableWidgetItem(text);
    item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
    item->setToolTip(toolTip.isEmpty() ? text : toolTip);
    if (alignRight)
        item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    return item;
}

/// Why a run has no test figures, for the cells that would show them.
QString missingTestReason(const tc::train::RunSummary& run) {
    switch (run.status) {
    case tc::train::RunStatus::InProgress:
        return QObject::tr("No test metrics: the run is still training or was interrupted.");
    case tc::train::RunStatus::Unreadable:
        return QObject::tr("No test metrics: %1").arg(run.statusText());
    case tc::train::RunStatus::Failed:
        return QObject::tr("No test metrics: the run failed.");
    default:
        return QObject::tr("No test metrics: the run ended before testing, or the data has no "
                           "test split.");
    }
}

} // namespace

RunsPanel::RunsPanel(QWidget* parent)
    : QWidget(parent) {
    setObjectName(QStringLiteral("runsPanel"));
    m_title = new QLabel(tr("No runs yet"), this);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* hint = new QLabel(tr("Tick runs to overlay them on the Statistics plots; select a run "
                               "to compare the others with it."),
                            this);
    hint->setEnabled(false); // the palette's quieter text
    // Neither label may set the dock's (and so the main window's) minimum width: a long
    // runs-folder path is cut, and shown whole in the tooltip.
    hint->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_title->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_refresh = new QPushButton(tr("Refresh"), this);
    m_refresh->setObjectName(QStringLiteral("refreshRuns"));
    connect(m_refresh, &QPushButton::clicked, this, &RunsPanel::refresh);

    m_table = new QTableWidget(0, ColumnCount, this);
    m_table->setObjectName(QStringLiteral("runsTable"));
    m_table->setHorizontalHeaderLabels({tr("Run"), tr("Started"), tr("Status"), tr("Weights"),
                                        tr("Best epoch"), tr("Val. accuracy"), tr("Val. AUC"),
                                        tr("Test accuracy"), tr("Sensitivity"), tr("Specificity"),
                                        tr("Test AUC"), tr("Operating point"),
                                        tr("Differs from reference"), tr("Model")});
    m_table->horizontalHeaderItem(SensitivityColumn)
        ->setToolTip(tr("Test sensitivity of the positive class, at the run's operating point "
                        "when it has one, else at the most probable class"));
    m_table->horizontalHeaderItem(SpecificityColumn)
        ->setToolTip(tr("Test specificity, decided like the sensitivity"));
    m_table->horizontalHeaderItem(DiffersColumn)
        ->setToolTip(tr("Training and preprocessing settings, model, weights, classes and data "
                        "that differ from the reference run (the selected one)"));
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->setVisible(false);
    m_table->setWordWrap(false);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    connect(m_table, &QTableWidget::itemChanged, this, &RunsPanel::onItemChanged);
    connect(m_table, &QTableWidget::itemSelectionChanged, this, [this] {
        if (m_filling)
            return;
        const int row = m_table->currentRow();
        if (row >= 0 && row < static_cast<int>(m_runs.size()))
            setReference(m_runs[row].folder);
    });

    auto* header = new QHBoxLayout;
    header->addWidget(m_title, 1);
    header->addWidget(hint, 2);
    header->addWidget(m_refresh);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(header);
    layout->addWidget(m_table, 1);
}

RunsPanel::~RunsPanel() = default;

void RunsPanel::setSource(const QString& projectOrFolder) {
    if (projectOrFolder == m_source)
        return refresh();
    m_source = projectOrFolder;
    m_reference.clear();
    m_checked.clear();
    refresh();
}

void RunsPanel::refresh() {
    QString error;
    m_runs = m_source.isEmpty() ? std::vector<tc::train::RunSummary>()
                                : tc::train::listRuns(m_source, &error);
    QStringList folders;
    for (const auto& run : m_runs)
        folders << run.folder;
    m_checked.erase(
        std::remove_if(m_checked.begin(), m_checked.end(),
                       [&](const QString& folder) { return !folders.contains(folder); }),
        m_checked.end());
    if (!folders.contains(m_reference)) {
        m_reference.clear();
        for (const auto& run : m_runs) {
            if (run.hasReport()) {
                m_reference = run.folder;
                break;
            }
        }
        if (m_reference.isEmpty() && !m_runs.empty())
            m_reference = m_runs.front().folder;
    }
    if (m_source.isEmpty())
        m_title->setText(tr("No project: save it to keep its runs"));
    else if (!error.isEmpty())
        m_title->setText(tr("No runs: %1").arg(error));
    else
        m_title->setText(
            tr("%n run(s) in %1", nullptr, static_cast<int>(m_runs.size()))
                .arg(QFileInfo(m_source).isFile()
                         ? QFileInfo(m_source).absoluteDir().filePath(QStringLiteral("runs"))
                         : m_source));
    m_title->setToolTip(m_title->text());
    fillTable();
    Q_EMIT checkedRunsChanged();
}

void RunsPanel::fillTable() {
    m_filling = true;
    m_table->setRowCount(static_cast<int>(m_runs.size()));
    for (int row = 0; row < static_cast<int>(m_runs.size()); ++row)
        fillRow(row, m_runs[row]);
    const int reference = rowOf(m_reference);
    if (reference >= 0)
        m_table->selectRow(reference);
    m_filling = false;
    updateDifferences();
    updateSwatches();
    m_table->resizeColumnsToContents();
    // Long texts (weights reasons, model lines) are in the tooltips; keep the table readable.
    for (const int column : {WeightsColumn, StatusColumn, OperatingPointColumn})
        m_table->setColumnWidth(column, std::min(m_table->columnWidth(column), 190));
    m_table->setColumnWidth(DiffersColumn, std::min(m_table->columnWidth(DiffersColumn), 380));
}

void RunsPanel::fillRow(int row, const tc::train::RunSummary& run) {
    using tc::train::RunStatus;
    auto* name = new QTableWidgetItem(run.name);
    name->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsUserCheckable);
    name->setCheckState(m_checked.contains(run.folder) ? Qt::Checked : Qt::Unchecked);
    name->setToolTip(run.problems.isEmpty() ? run.folder
                                            : run.folder + QStringLiteral("\n\n") +
                                                  run.problems.join(QLatin1Char('\n')));
    name->setData(Qt::UserRole, run.folder);
    m_table->setItem(row, RunColumn, name);
    m_table->setItem(row, StartedColumn,
                     cell(QLocale().toString(run.started, QStringLiteral("yyyy-MM-dd HH:mm"))));

    auto* status = cell(toString(run.status), run.statusText());
    if (run.status == RunStatus::Failed || run.status == RunStatus::Unreadable)
        status->setForeground(QColor(0xc6, 0x28, 0x28));
    else if (run.status == RunStatus::InProgress || run.status == RunStatus::Stopped)
        status->setForeground(QColor(0x9a, 0x67, 0x00));
    m_table->setItem(row, StatusColumn, status);

    auto* weights = cell(run.weightsText(), run.weights);
    if (run.hasReport() && !run.weightsPretrained && !run.weights.isEmpty())
        weights->setForeground(QColor(0xc6, 0x28, 0x28)); // random init is never quiet
    m_table->setItem(row, WeightsColumn, weights);
    m_table->setItem(row, ModelColumn, cell(run.model.isEmpty() ? QStringLiteral("–") : run.model));
    m_table->setItem(
        row, BestEpochColumn,
        cell(run.bestEpoch > 0
                 ? QStringLiteral("%1 / %2").arg(run.bestEpoch).arg(run.epochsCompleted)
                 : QStringLiteral("–"),
             tr("Best epoch / epochs completed"), true));

    const auto& validation = run.validation;
    m_table->setItem(row, ValidationAccuracyColumn,
                     cell(validation ? percent(validation->accuracy) : QStringLiteral("–"),
                          tr("Validation accuracy at the best epoch"), true));
    m_table->setItem(row, ValidationAucColumn,
                     cell(validation ? auc(validation->auc) : QStringLiteral("–"),
                          tr("Validation ROC AUC at the best epoch"), true));

    const auto& test = run.test;
    const QString noTest = missingTestReason(run);
    m_table->setItem(
        row, TestAccuracyColumn,
        cell(test ? percent(test->accuracy) : QStringLiteral("–"),
             test ? tr("Test accuracy (%n image(s))", nullptr, static_cast<int>(test->samples))
                  : noTest,
             true));
    const QString decided =
        test && !test->decidedBy.isEmpty() ? tr("at %1").arg(test->decidedBy) : noTest;
    m_table->setItem(row, SensitivityColumn,
                     cell(test ? percent(test->sensitivity) : QStringLiteral("–"), decided, true));
    m_table->setItem(row, SpecificityColumn,
                     cell(test ? percent(test->specificity) : QStringLiteral("–"), decided, true));
    m_table->setItem(row, TestAucColumn,
                     cell(test ? auc(test->auc) : QStringLiteral("–"),
                          test ? tr("Test ROC AUC") : noTest, true));
    m_table->setItem(row, OperatingPointColumn,
                     cell(run.operatingPointText(),
                          run.operatingPoint ? run.operatingPoint->describe()
                                             : tr("The run has no operating-point.json: "
                                                  "the most probable class is called.")));
    m_table->setItem(row, DiffersColumn, cell(QString()));
}

void RunsPanel::updateDifferences() {
    const int referenceRow = rowOf(m_reference);
    m_filling = true;
    for (int row = 0; row < static_cast<int>(m_runs.size()); ++row) {
        QTableWidgetItem* item = m_table->item(row, DiffersColumn);
        QFont font = m_table->font();
        font.setBold(row == referenceRow);
        for (int column = 0; column < ColumnCount; ++column)
            m_table->item(row, column)->setFont(font);
        if (row == referenceRow) {
            item->setText(tr("(reference)"));
            item->setToolTip(tr("The other runs are compared with this one."));
            continue;
        }
        const QStringList differences =
            referenceRow < 0 ? QStringList()
                             : tc::train::settingsThatDiffer(m_runs[referenceRow], m_runs[row]);
        item->setText(differences.isEmpty() ? tr("same settings")
                                            : differences.join(QStringLiteral("; ")));
        item->setToolTip(differences.isEmpty() ? tr("Same settings, model, weights and data as "
                                                    "the reference run")
                                               : differences.join(QLatin1Char('\n')));
    }
    m_filling = false;
}

void RunsPanel::updateSwatches() {
    // The Statistics view colours the ticked runs in table order: the k-th ticked row here.
    m_filling = true;
    int ticked = 0;
    for (int row = 0; row < static_cast<int>(m_runs.size()); ++row) {
        QTableWidgetItem* item = m_table->item(row, RunColumn);
        if (!m_checked.contains(m_runs[row].folder)) {
            item->setData(Qt::DecorationRole, QVariant());
            continue;
        }
        QPixmap swatch(14, 14);
        swatch.fill(Qt::transparent);
        QPainter painter(&swatch);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setPen(Qt::NoPen);
        painter.setBrush(StatisticsView::comparedRunColour(ticked++));
        painter.drawRoundedRect(QRectF(1, 1, 12, 12), 3, 3);
        painter.end();
        item->setData(Qt::DecorationRole, swatch);
    }
    m_table->resizeColumnToContents(RunColumn); // room for the swatch
    m_filling = false;
}

int RunsPanel::rowOf(const QString& folder) const {
    for (int row = 0; row < static_cast<int>(m_runs.size()); ++row) {
        if (m_runs[row].folder == folder)
            return row;
    }
    return -1;
}

void RunsPanel::setChecked(const QString& folder, bool checked) {
    const int row = rowOf(folder);
    if (row >= 0)
        m_table->item(row, RunColumn)->setCheckState(checked ? Qt::Checked : Qt::Unchecked);
}

std::vector<tc::train::RunSummary> RunsPanel::checkedRuns() const {
    std::vector<tc::train::RunSummary> checked;
    for (const auto& run : m_runs) {
        if (m_checked.contains(run.folder))
            checked.push_back(run);
    }
    return checked;
}

QStringList RunsPanel::checkedFolders() const {
    QStringList folders;
    for (const auto& run : checkedRuns())
        folders << run.folder;
    return folders;
}

void RunsPanel::setReference(const QString& folder) {
    if (folder == m_reference || rowOf(folder) < 0)
        return;
    m_reference = folder;
    if (m_table->currentRow() != rowOf(folder)) {
        m_filling = true;
        m_table->selectRow(rowOf(folder));
        m_filling = false;
    }
    updateDifferences();
}

void RunsPanel::onItemChanged(QTableWidgetItem* item) {
    if (m_filling || item->column() != RunColumn)
        return;
    const QString folder = item->data(Qt::UserRole).toString();
    const bool checked = item->checkState() == Qt::Checked;
    if (checked == m_checked.contains(folder))
        return;
    if (checked)
        m_checked << folder;
    else
        m_checked.removeAll(folder);
    updateSwatches();
    Q_EMIT checkedRunsChanged();
    if (checked)
        Q_EMIT comparisonRequested();
}

} // namespace tc::ui
