#include "ui/data/CheckPage.h"

#include "core/data/CountSummary.h"
#include "core/data/Diagnostic.h"
#include "ui/data/ClassPalette.h"
#include "ui/data/DataWizardModel.h"
#include "ui/training/QCustomPlot.h"

#include <QCheckBox>
#include <QDir>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSplitter>
#include <QTableWidget>
#include <QTabWidget>
#include <QVBoxLayout>

namespace tc::ui {

namespace {

/// The progress bar's scale: checking images fills the first 90 %, thumbnails the rest.
constexpr int kProgressScale = 1000;
constexpr int kCheckShare = 900;
/// Thumbnail edge in pixels, and how many per class.
constexpr int kThumbnailSize = 84;
constexpr int kThumbnailsPerClass = 10;

const QColor kErrorColour(0xb3, 0x26, 0x1e);
const QColor kWarningColour(0x9a, 0x67, 0x00);

QTableWidgetItem* readOnlyItem(const QString& text) {
    auto* item = new QTableWidgetItem(text);
    item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
    item->setToolTip(text);
    return item;
}

} // namespace

CheckPage::CheckPage(DataWizardModel& model, QWidget* parent)
    : QWizardPage(parent)
    , m_model(model) {
    setObjectName(QStringLiteral("checkPage"));
    setTitle(tr("Check the data"));
    setSubTitle(tr("Every image is opened and checked. Rows with a problem are left out of "
                   "training and listed below with their line and the reason."));

    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("scanProgress"));
    m_progress->setRange(0, kProgressScale);
    m_progress->setTextVisible(false);
    m_progressText = new QLabel(this);
    m_progressText->setObjectName(QStringLiteral("scanProgressText"));
    m_progressText->setMinimumWidth(220);
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->setObjectName(QStringLiteral("cancelScanButton"));
    m_rescan = new QPushButton(tr("Scan again"), this);
    m_rescan->setObjectName(QStringLiteral("rescanButton"));
    m_decode =
        new QCheckBox(tr("Decode every image (slower; also finds corrupt pixel data)"), this);
    m_decode->setObjectName(QStringLiteral("decodeBox"));

    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("scanStatus"));
    m_status->setWordWrap(true);
    m_status->setTextFormat(Qt::PlainText);
    m_status->setStyleSheet(QStringLiteral("QLabel { background: #fdecea; border: 1px solid "
                                           "#e8a39b; border-radius: 4px; padding: 6px; }"));
    m_status->hide();
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("scanSummary"));
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_chart = new QCustomPlot(this);
    m_chart->setObjectName(QStringLiteral("classChart"));
    m_chart->setMinimumSize(260, 200);
    m_chart->plotLayout()->insertRow(0);
    auto* chartTitle = new QCPTextElement(m_chart, tr("Images per class"));
    QFont titleFont = chartTitle->font();
    titleFont.setBold(true);
    chartTitle->setFont(titleFont);
    m_chart->plotLayout()->addElement(0, 0, chartTitle);
    m_chart->yAxis->setLabel(tr("Images"));
    m_chart->xAxis->grid()->setVisible(false);
    m_chart->xAxis->setTickLength(0, 0);
    m_chart->xAxis->setSubTicks(false);

    m_thumbnailBox = new QWidget;
    m_thumbnailLayout = new QVBoxLayout(m_thumbnailBox);
    m_thumbnailLayout->setContentsMargins(4, 4, 4, 4);
    m_thumbnailLayout->addStretch(1);
    auto* thumbnailScroll = new QScrollArea(this);
    thumbnailScroll->setObjectName(QStringLiteral("thumbnailArea"));
    thumbnailScroll->setWidgetResizable(true);
    thumbnailScroll->setWidget(m_thumbnailBox);
    thumbnailScroll->setFrameShape(QFrame::NoFrame);

    m_problems = new QTableWidget(0, 4, this);
    m_problems->setObjectName(QStringLiteral("problemTable"));
    m_problems->setHorizontalHeaderLabels({tr("Line"), tr("Status"), tr("Problem"), tr("Details")});
    m_problems->verticalHeader()->hide();
    m_problems->horizontalHeader()->setStretchLastSection(true);
    m_problems->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_problems->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_problems->setWordWrap(false);
    m_problems->verticalHeader()->setDefaultSectionSize(22);
    m_excluded = new QTableWidget(0, 2, this);
    m_excluded->setObjectName(QStringLiteral("excludedTable"));
    m_excluded->verticalHeader()->hide();
    m_excluded->horizontalHeader()->setStretchLastSection(true);
    m_excluded->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_excluded->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_excluded->setWordWrap(false);
    m_excluded->verticalHeader()->setDefaultSectionSize(22);
    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("detailTabs"));
    m_tabs->addTab(m_problems, tr("Problems"));
    m_tabs->addTab(m_excluded, tr("Excluded rows"));

    // Chart and thumbnails share a row; the thumbnails get the larger part.
    auto* overview = new QWidget(this);
    auto* overviewLayout = new QHBoxLayout(overview);
    overviewLayout->setContentsMargins(0, 0, 0, 0);
    overviewLayout->addWidget(m_chart, 2);
    overviewLayout->addWidget(thumbnailScroll, 3);
    thumbnailScroll->setMinimumWidth(320);
    auto* vertical = new QSplitter(Qt::Vertical, this);
    vertical->addWidget(overview);
    vertical->addWidget(m_tabs);
    vertical->setStretchFactor(0, 3);
    vertical->setStretchFactor(1, 2);
    vertical->setChildrenCollapsible(false);

    auto* progressRow = new QHBoxLayout;
    progressRow->addWidget(m_progress, 1);
    progressRow->addWidget(m_progressText);
    progressRow->addWidget(m_cancel);
    progressRow->addWidget(m_rescan);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(progressRow);
    layout->addWidget(m_decode);
    layout->addWidget(m_status);
    layout->addWidget(m_summary);
    layout->addWidget(vertical, 1);

    connect(m_cancel, &QPushButton::clicked, this, &CheckPage::cancelScan);
    connect(m_rescan, &QPushButton::clicked, this, &CheckPage::startScan);
    connect(m_decode, &QCheckBox::toggled, this, &CheckPage::startScan);
    setScanningUi(false);
}

CheckPage::~CheckPage() {
    m_runner.cancel();
}

DatasetScanRequest CheckPage::currentRequest() const {
    DatasetScanRequest request;
    request.source = m_model.dataset.source;
    request.imageColumn = m_model.dataset.imageColumn;
    request.labelColumn = m_model.dataset.labelColumn;
    request.check =
        m_decode->isChecked() ? tc::data::ImageCheck::Decode : tc::data::ImageCheck::Header;
    request.thumbnailsPerClass = kThumbnailsPerClass;
    request.thumbnailSize = kThumbnailSize;
    return request;
}

void CheckPage::initializePage() {
    const DatasetScanRequest request = currentRequest();
    if (m_model.scan && m_model.scan->request == request) {
        if (m_shown != m_model.scan)
            showResult(m_model.scan);
        return;
    }
    startScan();
}

void CheckPage::cleanupPage() {
    // Going back to change the source or the columns: this scan would be stale anyway.
    if (isScanning())
        cancelScan();
}

bool CheckPage::isComplete() const {
    return !isScanning() && m_model.usableTable() != nullptr &&
           m_model.scan->request == currentRequest();
}

void CheckPage::startScan() {
    const DatasetScanRequest request = currentRequest();
    m_model.scan.reset();
    clearResult();
    setScanningUi(true);
    m_progress->setValue(0);
    m_progressText->setText(tr("Reading the list of images…"));
    Q_EMIT completeChanged();

    m_runner.start([this, request](const TaskContext& context) {
        int lastValue = -1;
        ScanStage lastStage = ScanStage::CheckingImages;
        const auto progress = [&](ScanStage stage, int done, int total) {
            // Post only visible changes: at most a few hundred updates whatever the size.
            const int base = stage == ScanStage::CheckingImages ? 0 : kCheckShare;
            const int span =
                stage == ScanStage::CheckingImages ? kCheckShare : kProgressScale - kCheckShare;
            const int value = base + (total > 0 ? int(qint64(span) * done / total) : span);
            if (value - lastValue < 4 && stage == lastStage && done != total)
                return;
            lastValue = value;
            lastStage = stage;
            context.post([this, stage, done, total]() { showProgress(stage, done, total); });
        };
        auto result = std::make_shared<DatasetScanResult>(
            scanDataset(request, &context.cancelFlag(), progress));
        if (!result->canceled)
            context.post([this, result]() { showResult(result); });
    });
}

void CheckPage::cancelScan() {
    if (!isScanning())
        return;
    m_runner.cancel();
    setScanningUi(false);
    m_progress->setValue(0);
    m_progressText->setText(tr("Canceled"));
    m_summary->setText(tr("The scan was canceled. Press <b>Scan again</b> to check the data; "
                          "Next is available once a scan has finished."));
    Q_EMIT completeChanged();
    Q_EMIT scanCanceled();
}

void CheckPage::setScanningUi(bool scanning) {
    m_scanning = scanning;
    m_cancel->setEnabled(scanning);
    m_rescan->setEnabled(!scanning);
    m_decode->setEnabled(!scanning);
}

void CheckPage::showProgress(ScanStage stage, int done, int total) {
    if (stage == ScanStage::CheckingImages) {
        m_progress->setValue(total > 0 ? int(qint64(kCheckShare) * done / total) : kCheckShare);
        m_progressText->setText(tr("Checking images: %1 of %2")
                                    .arg(QLocale().toString(done), QLocale().toString(total)));
    } else {
        m_progress->setValue(
            kCheckShare +
            (total > 0 ? int(qint64(kProgressScale - kCheckShare) * done / total) : 0));
        m_progressText->setText(tr("Thumbnails: %1 of %2").arg(done).arg(total));
    }
}

void CheckPage::clearResult() {
    m_shown.reset();
    m_status->hide();
    m_summary->clear();
    m_chart->clearPlottables();
    m_chart->clearItems();
    m_chart->replot();
    for (QListWidget* list : m_thumbnailLists)
        delete list->parentWidget();
    m_thumbnailLists.clear();
    m_problems->setRowCount(0);
    m_excluded->setRowCount(0);
    m_tabs->setTabText(0, tr("Problems"));
    m_tabs->setTabText(1, tr("Excluded rows"));
}

void CheckPage::showResult(std::shared_ptr<const DatasetScanResult> result) {
    clearResult();
    m_shown = result;
    m_model.scan = result;
    setScanningUi(false);
    m_progress->setValue(kProgressScale);

    const tc::data::DatasetTable& table = result->table;
    const tc::data::DatasetSummary summary = table.summary();
    m_progressText->setText(tr("Done: %1 rows checked").arg(QLocale().toString(summary.records)));

    if (const auto& problem = table.problem()) {
        m_status->setText(tr("This data set cannot be used yet: %1").arg(problem->message));
        m_status->show();
    }
    QString text = tr("<b>%1</b> rows read · <b>%2</b> usable · <b>%3</b> excluded")
                       .arg(QLocale().toString(summary.records), QLocale().toString(summary.usable),
                            QLocale().toString(summary.excluded));
    if (summary.warnings > 0)
        text += tr(" · %1 warnings").arg(summary.warnings);
    if (summary.ignoredFiles > 0)
        text += tr(" · %1 non-image files ignored").arg(summary.ignoredFiles);
    text += tr(" · <b>%1</b> classes").arg(summary.classes.size());
    if (!summary.sizes.empty()) {
        std::vector<std::pair<QString, int>> sizes;
        for (const auto& [size, count] : summary.sizes)
            sizes.emplace_back(QStringLiteral("%1×%2").arg(size.first).arg(size.second), count);
        std::stable_sort(sizes.begin(), sizes.end(),
                         [](const auto& a, const auto& b) { return a.second > b.second; });
        std::vector<std::pair<QString, int>> formats(summary.formats.begin(),
                                                     summary.formats.end());
        text += QStringLiteral("<br>") + tr("Image sizes: %1 · Formats: %2")
                                             .arg(data::describeCounts(sizes, 3).toHtmlEscaped(),
                                                  data::describeCounts(formats, 3).toHtmlEscaped());
    }
    m_summary->setText(text);

    fillChart(*result);
    fillThumbnails(*result);
    fillProblems(*result);
    Q_EMIT completeChanged();
    Q_EMIT scanFinished();
}

void CheckPage::fillChart(const DatasetScanResult& result) {
    const tc::data::DatasetSummary summary = result.table.summary();
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    double highest = 1;
    for (int i = 0; i < int(summary.classes.size()); ++i) {
        const auto& [name, count] = summary.classes[size_t(i)];
        ticker->addTick(i + 1, name);
        auto* bars = new QCPBars(m_chart->xAxis, m_chart->yAxis);
        bars->setWidth(0.6);
        bars->setPen(QPen(classColour(i).darker(115)));
        bars->setBrush(classColour(i));
        bars->addData(i + 1, count);
        bars->setName(name);
        highest = std::max(highest, double(count));
        auto* label = new QCPItemText(m_chart);
        label->position->setType(QCPItemPosition::ptPlotCoords);
        label->position->setCoords(i + 1, count);
        label->setPositionAlignment(Qt::AlignHCenter | Qt::AlignBottom);
        label->setText(QLocale().toString(count));
        label->setPadding(QMargins(0, 0, 0, 3));
    }
    m_chart->xAxis->setTicker(ticker);
    m_chart->xAxis->setRange(0.4, summary.classes.size() + 0.6);
    m_chart->yAxis->setRange(0, highest * 1.18);
    m_chart->replot();
}

void CheckPage::fillThumbnails(const DatasetScanResult& result) {
    const tc::data::DatasetSummary summary = result.table.summary();
    for (int c = 0; c < int(result.thumbnails.size()); ++c) {
        auto* group = new QWidget(m_thumbnailBox);
        auto* groupLayout = new QVBoxLayout(group);
        groupLayout->setContentsMargins(0, 0, 0, 6);
        groupLayout->setSpacing(2);
        const int count = c < int(summary.classes.size()) ? summary.classes[size_t(c)].second : 0;
        auto* title = new QLabel(QStringLiteral("<span style='color:%1'>■</span> <b>%2</b> — %3")
                                     .arg(classColour(c).name(),
                                          summary.classes[size_t(c)].first.toHtmlEscaped(),
                                          tr("%1 images").arg(QLocale().toString(count))),
                                 group);
        auto* list = new QListWidget(group);
        list->setObjectName(QStringLiteral("thumbnails_%1").arg(c));
        list->setViewMode(QListView::IconMode);
        list->setFlow(QListView::LeftToRight);
        list->setWrapping(false);
        list->setMovement(QListView::Static);
        list->setIconSize(QSize(kThumbnailSize, kThumbnailSize));
        list->setSpacing(3);
        list->setFixedHeight(kThumbnailSize + 26);
        list->setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
        list->setFrameShape(QFrame::NoFrame);
        list->setSelectionMode(QAbstractItemView::NoSelection);
        for (const ClassThumbnail& thumbnail : result.thumbnails[size_t(c)]) {
            auto* item = new QListWidgetItem(list);
            if (!thumbnail.image.isNull()) {
                item->setIcon(QIcon(QPixmap::fromImage(thumbnail.image)));
                item->setToolTip(thumbnail.path);
            } else {
                item->setIcon(style()->standardIcon(QStyle::SP_MessageBoxWarning));
                item->setToolTip(thumbnail.error);
            }
        }
        groupLayout->addWidget(title);
        groupLayout->addWidget(list);
        m_thumbnailLayout->insertWidget(m_thumbnailLayout->count() - 1, group);
        // Shown now rather than at the layout's next pass, so a grab right after sees it.
        group->show();
        m_thumbnailLists.push_back(list);
    }
}

int CheckPage::thumbnailCount(int classIndex) const {
    return classIndex >= 0 && classIndex < int(m_thumbnailLists.size())
               ? m_thumbnailLists[size_t(classIndex)]->count()
               : 0;
}

void CheckPage::fillProblems(const DatasetScanResult& result) {
    using tc::data::Severity;
    const tc::data::DatasetTable& table = result.table;
    const bool folder = table.kind() == tc::data::DatasetTable::SourceKind::Folder;
    const QDir root(table.rootDirectory());
    const auto& diagnostics = table.diagnostics();

    m_problems->setRowCount(int(diagnostics.size()));
    m_problems->setHorizontalHeaderLabels(
        {folder ? tr("File") : tr("Line"), tr("Status"), tr("Problem"), tr("Details")});
    int excludedCount = 0;
    for (int i = 0; i < int(diagnostics.size()); ++i) {
        const tc::data::Diagnostic& diagnostic = diagnostics[size_t(i)];
        const bool error = diagnostic.severity == Severity::Error;
        excludedCount += error ? 1 : 0;
        const QString where = diagnostic.line > 0 ? QString::number(diagnostic.line)
                              : folder            ? root.relativeFilePath(diagnostic.file)
                                                  : QStringLiteral("—");
        auto* whereItem = readOnlyItem(where);
        if (diagnostic.line > 0)
            whereItem->setData(Qt::DisplayRole, diagnostic.line);
        m_problems->setItem(i, 0, whereItem);
        auto* status = readOnlyItem(error ? tr("excluded") : tr("warning"));
        status->setForeground(error ? kErrorColour : kWarningColour);
        m_problems->setItem(i, 1, status);
        m_problems->setItem(i, 2, readOnlyItem(tc::data::codeName(diagnostic.code)));
        auto* details = readOnlyItem(diagnostic.message);
        details->setToolTip(diagnostic.toString());
        m_problems->setItem(i, 3, details);
    }
    m_problems->resizeColumnsToContents();

    // Excluded rows: the record as the CSV wrote it (or the file, for a folder).
    QStringList header = {folder ? tr("File") : tr("Line"), tr("Reason")};
    if (!folder)
        header += table.columns();
    m_excluded->setColumnCount(int(header.size()));
    m_excluded->setHorizontalHeaderLabels(header);
    m_excluded->setRowCount(excludedCount);
    int row = 0;
    for (const tc::data::Diagnostic& diagnostic : diagnostics) {
        if (diagnostic.severity != Severity::Error)
            continue;
        if (folder) {
            m_excluded->setItem(row, 0, readOnlyItem(root.relativeFilePath(diagnostic.file)));
        } else {
            auto* line = readOnlyItem(QString::number(diagnostic.line));
            line->setData(Qt::DisplayRole, diagnostic.line);
            m_excluded->setItem(row, 0, line);
            const auto record = result.excludedRecords.find(diagnostic.line);
            if (record != result.excludedRecords.end())
                for (int column = 0; column < record->second.size(); ++column)
                    if (2 + column < m_excluded->columnCount())
                        m_excluded->setItem(row, 2 + column,
                                            readOnlyItem(record->second.at(column)));
        }
        auto* reason = readOnlyItem(tc::data::codeName(diagnostic.code));
        reason->setToolTip(diagnostic.message);
        reason->setForeground(kErrorColour);
        m_excluded->setItem(row, 1, reason);
        ++row;
    }
    m_excluded->resizeColumnsToContents();
    m_tabs->setTabText(0, tr("Problems (%1)").arg(diagnostics.size()));
    m_tabs->setTabText(1, tr("Excluded rows (%1)").arg(excludedCount));
}

} // namespace tc::ui
