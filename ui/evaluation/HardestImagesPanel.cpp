#include "ui/evaluation/HardestImagesPanel.h"

#include "ui/data/ImageThumbnail.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <QComboBox>
#include <QDir>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPoint>
#include <QStyle>
#include <QTableWidget>
#include <QVBoxLayout>

namespace tc::ui {

namespace {

constexpr int kThumbnailSize = 56;
/// Decoded thumbnails are handed to the GUI in small batches: prompt, without flooding it.
constexpr int kThumbnailBatch = 8;
/// Filter entry that follows the Test view's selected cell.
const QPoint kFollowCell(-2, -2);
const QPoint kAllMisclassified(-1, -1);

QString percent(double fraction) {
    return QStringLiteral("%1 %").arg(QLocale().toString(fraction * 100.0, 'f', 1));
}

} // namespace

std::vector<HardImage> hardestImages(const EvaluationResults& results, int trueClass,
                                     int predictedClass) {
    std::vector<HardImage> hard;
    for (int i = 0; i < int(results.images.size()); ++i) {
        const EvaluatedImage& image = results.images[size_t(i)];
        const int predicted = image.predictedClass();
        if (predicted == image.trueClass || image.trueClass < 0 ||
            image.trueClass >= int(image.probabilities.size()))
            continue;
        if ((trueClass >= 0 && image.trueClass != trueClass) ||
            (predictedClass >= 0 && predicted != predictedClass))
            continue;
        const double p = std::max(double(image.probabilities[size_t(image.trueClass)]),
                                  double(std::numeric_limits<float>::min()));
        hard.push_back({i, predicted, -std::log(p)});
    }
    std::stable_sort(hard.begin(), hard.end(),
                     [](const HardImage& a, const HardImage& b) { return a.loss > b.loss; });
    return hard;
}

HardestImagesPanel::HardestImagesPanel(QWidget* parent)
    : QWidget(parent) {
    setObjectName(QStringLiteral("hardestImages"));
    m_title = new QLabel(this);
    m_title->setObjectName(QStringLiteral("hardestTitle"));
    m_title->setTextFormat(Qt::RichText);
    m_filter = new QComboBox(this);
    m_filter->setObjectName(QStringLiteral("hardestFilter"));
    m_filter->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_filter->setToolTip(tr("Which misclassified images to list"));

    m_table = new QTableWidget(0, ColumnCount, this);
    m_table->setObjectName(QStringLiteral("hardestTable"));
    m_table->setHorizontalHeaderLabels({QString(), tr("Image"), tr("True class"), tr("Predicted"),
                                        tr("p(predicted)"), tr("Loss"), tr("Patient")});
    m_table->horizontalHeaderItem(LossColumn)
        ->setToolTip(tr("Cross-entropy −ln p(true class): the higher, the more confidently wrong"));
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setIconSize(QSize(kThumbnailSize, kThumbnailSize));
    m_table->verticalHeader()->setVisible(false);
    m_table->verticalHeader()->setDefaultSectionSize(kThumbnailSize + 6);
    m_table->horizontalHeader()->setSectionResizeMode(ThumbnailColumn, QHeaderView::Fixed);
    m_table->setColumnWidth(ThumbnailColumn, kThumbnailSize + 10);
    m_table->horizontalHeader()->setSectionResizeMode(FileColumn, QHeaderView::Stretch);
    for (int column = TrueColumn; column < ColumnCount; ++column)
        m_table->horizontalHeader()->setSectionResizeMode(column, QHeaderView::ResizeToContents);
    m_table->setToolTip(tr("Click an image to see its heatmap"));
    m_table->setAlternatingRowColors(true);

    auto* header = new QHBoxLayout;
    header->addWidget(m_title, 1);
    header->addWidget(new QLabel(tr("Show:"), this));
    header->addWidget(m_filter);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(header);
    layout->addWidget(m_table, 1);

    connect(m_filter, &QComboBox::currentIndexChanged, this, [this](int) { applyFilter(); });
    connect(m_table, &QTableWidget::cellClicked, this, [this](int row, int) {
        if (row >= 0 && row < int(m_listed.size()))
            Q_EMIT imageActivated(m_listed[size_t(row)].index);
    });
    clear();
}

HardestImagesPanel::~HardestImagesPanel() {
    m_runner.cancel();
}

void HardestImagesPanel::setResults(const EvaluationResults& results) {
    m_results = results;
    m_selectedCell = {-1, -1};
    fillFilter();
    applyFilter();
}

void HardestImagesPanel::clear() {
    m_runner.cancel();
    m_results = {};
    m_selectedCell = {-1, -1};
    m_listed.clear();
    m_loadedThumbnails = 0;
    m_table->setRowCount(0);
    fillFilter();
    m_title->setText(tr("No evaluation yet."));
}

void HardestImagesPanel::fillFilter() {
    const QSignalBlocker blocker(m_filter);
    const QPoint chosen =
        m_filter->currentIndex() >= 0 ? m_filter->currentData().toPoint() : kFollowCell;
    m_filter->clear();
    m_filter->addItem(tr("The selected confusion cell"), kFollowCell);
    m_filter->addItem(tr("All misclassified images"), kAllMisclassified);
    const int classes = int(m_results.classNames.size());
    for (int t = 0; t < classes; ++t) {
        for (int q = 0; q < classes; ++q) {
            if (t == q)
                continue;
            const auto count = hardestImages(m_results, t, q).size();
            m_filter->addItem(tr("%1 classified as %2 (%3)")
                                  .arg(m_results.classNames.at(t), m_results.classNames.at(q))
                                  .arg(count),
                              QPoint(t, q));
        }
    }
    const int row = m_filter->findData(chosen);
    m_filter->setCurrentIndex(row >= 0 ? row : 0);
}

void HardestImagesPanel::setSelectedCell(int trueClass, int predictedClass) {
    m_selectedCell = {trueClass, predictedClass};
    if (m_filter->currentData().toPoint() == kFollowCell)
        applyFilter();
}

void HardestImagesPanel::setFilter(int trueClass, int predictedClass) {
    const int row = m_filter->findData(QPoint(trueClass, predictedClass));
    if (row >= 0)
        m_filter->setCurrentIndex(row);
}

void HardestImagesPanel::followSelectedCell() {
    m_filter->setCurrentIndex(m_filter->findData(kFollowCell));
}

void HardestImagesPanel::applyFilter() {
    QPoint cell = m_filter->currentData().toPoint();
    if (cell == kFollowCell) {
        const auto [t, q] = m_selectedCell;
        // A correct cell has no misclassified images: then every wrong one is listed.
        cell = t >= 0 && q >= 0 && t != q ? QPoint(t, q) : kAllMisclassified;
    }
    m_listedCell = {cell.x(), cell.y()};
    showRows();
}

void HardestImagesPanel::showRows() {
    m_runner.cancel();
    m_table->setRowCount(0);
    m_loadedThumbnails = 0;
    const auto [trueClass, predictedClass] = m_listedCell;
    m_listed = hardestImages(m_results, trueClass, predictedClass);
    const int total = int(m_listed.size());
    if (total > kMaxRows)
        m_listed.resize(kMaxRows);

    QString what = trueClass < 0
                       ? tr("<b>%n misclassified image(s)</b>", nullptr, total)
                       : tr("<b>%1</b> images classified as <b>%2</b>: %3")
                             .arg(m_results.classNames.value(trueClass).toHtmlEscaped(),
                                  m_results.classNames.value(predictedClass).toHtmlEscaped())
                             .arg(total);
    if (total > 0)
        what += tr(", most confidently wrong first");
    if (total > kMaxRows)
        what += tr(" (the first %1 shown)").arg(kMaxRows);
    m_title->setText(what);

    QPixmap placeholder(kThumbnailSize, kThumbnailSize);
    placeholder.fill(QColor(0xee, 0xee, 0xee));
    const QIcon placeholderIcon(placeholder);
    QStringList paths;
    m_table->setRowCount(int(m_listed.size()));
    for (int row = 0; row < int(m_listed.size()); ++row) {
        const HardImage& hard = m_listed[size_t(row)];
        const EvaluatedImage& image = m_results.images[size_t(hard.index)];
        auto* thumbnail = new QTableWidgetItem(placeholderIcon, QString());
        auto* file = new QTableWidgetItem(QFileInfo(image.path).fileName());
        file->setToolTip(QDir::toNativeSeparators(image.path));
        auto* truth = new QTableWidgetItem(m_results.classNames.value(image.trueClass));
        auto* predicted = new QTableWidgetItem(m_results.classNames.value(hard.predicted));
        auto* probability =
            new QTableWidgetItem(percent(image.probabilities[size_t(hard.predicted)]));
        auto* loss = new QTableWidgetItem(QLocale().toString(hard.loss, 'f', 3));
        auto* patient =
            new QTableWidgetItem(image.group.isEmpty() ? QStringLiteral("—") : image.group);
        for (QTableWidgetItem* item : {probability, loss})
            item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        const QList<QTableWidgetItem*> items = {thumbnail,   file, truth,  predicted,
                                                probability, loss, patient};
        for (int column = 0; column < items.size(); ++column)
            m_table->setItem(row, column, items.at(column));
        paths << image.path;
    }
    if (paths.isEmpty()) {
        Q_EMIT thumbnailsLoaded();
        return;
    }
    loadThumbnailsInBatches(
        m_runner, paths, kThumbnailSize, kThumbnailBatch, [this](const ThumbnailBatch& batch) {
            for (const auto& [row, image] : batch) {
                QTableWidgetItem* item = m_table->item(row, ThumbnailColumn);
                if (!item)
                    continue;
                item->setIcon(image.isNull() ? style()->standardIcon(QStyle::SP_MessageBoxWarning)
                                             : QIcon(QPixmap::fromImage(image)));
                ++m_loadedThumbnails;
            }
            if (m_loadedThumbnails == m_table->rowCount())
                Q_EMIT thumbnailsLoaded();
        });
}

} // namespace tc::ui
