#include "ui/evaluation/TestView.h"

#include "core/train/PositiveClass.h"
#include "ui/data/ClassPalette.h"
#include "ui/data/ImageThumbnail.h"
#include "ui/evaluation/CalibrationPanel.h"
#include "ui/evaluation/HardestImagesPanel.h"
#include "ui/evaluation/HeatmapViewer.h"
#include "ui/evaluation/ImageClassifierPanel.h"
#include "ui/evaluation/OperatingPointPanel.h"
#include "ui/evaluation/PatientPanel.h"
#include "ui/evaluation/RocOperatingPoint.h"
#include "ui/training/QCustomPlot.h"

#include <algorithm>
#include <QCheckBox>
#include <QComboBox>
#include <QFileInfo>
#include <QFrame>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QLocale>
#include <QMenu>
#include <QPainter>
#include <QPushButton>
#include <QStackedWidget>
#include <QTabWidget>
#include <QVBoxLayout>

namespace tc::ui {

namespace {

constexpr int kThumbnailSize = 96;
/// Decoded thumbnails are handed to the GUI in small batches: prompt, without flooding it.
constexpr int kThumbnailBatch = 6;
/// Set on a thumbnail whose icon is its heatmap.
constexpr int kHeatmapRole = Qt::UserRole + 1;

const QColor kCurveColour(0x4e, 0x79, 0xa7);
const QColor kSelectionColour(0xe1, 0x57, 0x59);

QString percent(double fraction, int decimals = 1) {
    return QStringLiteral("%1 %").arg(QLocale().toString(fraction * 100.0, 'f', decimals));
}

QString intervalText(const tc::train::Interval& interval) {
    return QObject::tr("95 % CI %1–%2 %")
        .arg(QLocale().toString(interval.low * 100.0, 'f', 1),
             QLocale().toString(interval.high * 100.0, 'f', 1));
}

QPixmap placeholderPixmap() {
    QPixmap pixmap(kThumbnailSize, kThumbnailSize);
    pixmap.fill(QColor(0xee, 0xee, 0xee));
    return pixmap;
}

} // namespace

TestView::TestView(QWidget* parent)
    : QWidget(parent) {
    setObjectName(QStringLiteral("testView"));

    // Empty state: no evaluation yet.
    auto* empty = new QWidget(this);
    m_emptyText = new QLabel(tr("<h3>No evaluation yet</h3>Train a model, then evaluate it on "
                                "the test split: the images the Data Wizard kept aside, which "
                                "the model has never seen."),
                             empty);
    m_emptyText->setWordWrap(true);
    m_emptyText->setAlignment(Qt::AlignCenter);
    m_evaluate = new QPushButton(tr("Evaluate on the test split"), empty);
    m_evaluate->setObjectName(QStringLiteral("evaluateButton"));
    auto* emptyLayout = new QVBoxLayout(empty);
    emptyLayout->addStretch(1);
    emptyLayout->addWidget(m_emptyText);
    emptyLayout->addWidget(m_evaluate, 0, Qt::AlignHCenter);
    emptyLayout->addStretch(2);
    connect(m_evaluate, &QPushButton::clicked, this, &TestView::evaluateRequested);

    // The evaluation.
    auto* evaluation = new QWidget(this);
    m_description = new QLabel(evaluation);
    m_description->setObjectName(QStringLiteral("evaluationDescription"));
    m_description->setWordWrap(true);
    m_description->setTextFormat(Qt::PlainText);
    m_positiveBox = new QComboBox(evaluation);
    m_positiveBox->setObjectName(QStringLiteral("positiveClass"));
    m_positiveBox->setToolTip(tr("The class that sensitivity, specificity and the ROC curve are "
                                 "about, against all the others"));
    auto* header = new QHBoxLayout;
    header->addWidget(m_description, 1);
    header->addWidget(new QLabel(tr("Positive class:"), evaluation));
    header->addWidget(m_positiveBox);

    auto* cards = new QHBoxLayout;
    cards->setSpacing(10);
    const std::pair<Metric, QString> cardTitles[] = {{Metric::Accuracy, tr("Accuracy")},
                                                     {Metric::Sensitivity, tr("Sensitivity")},
                                                     {Metric::Specificity, tr("Specificity")},
                                                     {Metric::RocAuc, tr("ROC AUC")}};
    for (const auto& [metric, title] : cardTitles) {
        m_cards.push_back(makeCard(metric, title, evaluation));
        cards->addWidget(m_cards.back().value->parentWidget(), 1);
    }

    m_confusionPlot = new QCustomPlot(evaluation);
    m_confusionPlot->setObjectName(QStringLiteral("confusionPlot"));
    m_confusionPlot->setMinimumSize(280, 260);
    m_confusionPlot->plotLayout()->insertRow(0);
    auto* confusionTitle =
        new QCPTextElement(m_confusionPlot, tr("Confusion matrix (click a cell)"));
    QFont titleFont = confusionTitle->font();
    titleFont.setBold(true);
    confusionTitle->setFont(titleFont);
    m_confusionPlot->plotLayout()->addElement(0, 0, confusionTitle);
    m_confusionPlot->xAxis->setLabel(tr("Predicted class"));
    m_confusionPlot->yAxis->setLabel(tr("True class"));
    m_confusionPlot->yAxis->setRangeReversed(true);
    for (QCPAxis* axis : {m_confusionPlot->xAxis, m_confusionPlot->yAxis}) {
        axis->grid()->setVisible(false);
        axis->setTickLength(0, 0);
        axis->setSubTicks(false);
    }
    m_confusionMap = new QCPColorMap(m_confusionPlot->xAxis, m_confusionPlot->yAxis);
    QCPColorGradient gradient;
    gradient.setColorStopAt(0.0, QColor(0xf7, 0xfb, 0xff));
    gradient.setColorStopAt(0.5, QColor(0x6b, 0xae, 0xd6));
    gradient.setColorStopAt(1.0, QColor(0x08, 0x45, 0x94));
    m_confusionMap->setGradient(gradient);
    m_confusionMap->setInterpolate(false);
    m_confusionMap->setDataRange(QCPRange(0.0, 1.0));
    m_selection = new QCPItemRect(m_confusionPlot);
    m_selection->setPen(QPen(kSelectionColour, 3));
    m_selection->setBrush(Qt::NoBrush);
    m_selection->setVisible(false);
    m_selection->setLayer(QStringLiteral("overlay"));
    connect(m_confusionPlot, &QCustomPlot::mousePress, this,
            [this](QMouseEvent* event) { onConfusionClicked(event->pos()); });

    m_rocPlot = new QCustomPlot(evaluation);
    m_rocPlot->setObjectName(QStringLiteral("rocPlot"));
    m_rocPlot->setMinimumSize(280, 260);
    m_rocPlot->plotLayout()->insertRow(0);
    auto* rocTitle = new QCPTextElement(m_rocPlot, tr("ROC curve"));
    rocTitle->setFont(titleFont);
    m_rocPlot->plotLayout()->addElement(0, 0, rocTitle);
    m_rocPlot->xAxis->setLabel(tr("False positive rate (1 − specificity)"));
    m_rocPlot->yAxis->setLabel(tr("True positive rate (sensitivity)"));
    m_rocPlot->xAxis->setRange(-0.02, 1.02);
    m_rocPlot->yAxis->setRange(-0.02, 1.02);
    m_rocPlot->legend->setVisible(true);
    m_rocPlot->legend->setBrush(QColor(255, 255, 255, 220));
    m_rocPlot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignBottom | Qt::AlignRight);

    m_cellTitle =
        new QLabel(tr("Click a cell of the confusion matrix to see its images."), evaluation);
    m_cellTitle->setObjectName(QStringLiteral("cellTitle"));
    m_thumbnails = new QListWidget(evaluation);
    m_thumbnails->setObjectName(QStringLiteral("cellThumbnails"));
    m_thumbnails->setViewMode(QListView::IconMode);
    m_thumbnails->setFlow(QListView::LeftToRight);
    m_thumbnails->setWrapping(true);
    m_thumbnails->setResizeMode(QListView::Adjust);
    m_thumbnails->setMovement(QListView::Static);
    m_thumbnails->setIconSize(QSize(kThumbnailSize, kThumbnailSize));
    m_thumbnails->setGridSize(QSize(kThumbnailSize + 22, kThumbnailSize + 36));
    m_thumbnails->setUniformItemSizes(true);
    m_thumbnails->setMinimumHeight(kThumbnailSize + 48);
    m_thumbnails->setToolTip(tr("Double-click an image to classify it again; right-click it "
                                "(or select it and press Show heatmap) for its heatmap"));
    connect(m_thumbnails, &QListWidget::itemActivated, this, [this](QListWidgetItem* item) {
        if (m_classifier->hasPredictor())
            m_classifier->classify(item->data(Qt::UserRole).toString());
    });

    auto* plots = new QHBoxLayout;
    plots->addWidget(m_confusionPlot, 1);
    plots->addWidget(m_rocPlot, 1);
    auto* evaluationLayout = new QVBoxLayout(evaluation);
    evaluationLayout->setContentsMargins(0, 0, 0, 0);
    evaluationLayout->addLayout(header);
    evaluationLayout->addLayout(cards);
    m_trustNotice = new QLabel(evaluation);
    m_trustNotice->setObjectName(QStringLiteral("trustNotice"));
    m_trustNotice->setWordWrap(true);
    m_trustNotice->setTextFormat(Qt::RichText);
    m_trustNotice->hide();
    evaluationLayout->addWidget(m_trustNotice);
    evaluationLayout->addLayout(plots, 3);
    // Below the plots, one tab per way of looking closer: the images of the selected cell,
    // and the tabs other panels add (operating point, calibration, patients, hardest images).
    m_details = new QTabWidget(evaluation);
    m_details->setObjectName(QStringLiteral("testDetails"));
    auto* cellPage = new QWidget(m_details);
    auto* cellLayout = new QVBoxLayout(cellPage);
    cellLayout->setContentsMargins(4, 4, 4, 4);
    m_cellHeatmap = new QPushButton(tr("Show heatmap"), cellPage);
    m_cellHeatmap->setObjectName(QStringLiteral("cellHeatmapButton"));
    m_cellHeatmap->setToolTip(tr("The Grad-CAM heatmap of the selected image"));
    m_cellHeatmaps = new QCheckBox(tr("Heatmap thumbnails"), cellPage);
    m_cellHeatmaps->setObjectName(QStringLiteral("cellHeatmapThumbnails"));
    m_cellHeatmaps->setToolTip(tr("Show each image with its Grad-CAM heatmap (predicted class), "
                                  "computed in the background"));
    auto* cellHeader = new QHBoxLayout;
    cellHeader->addWidget(m_cellTitle, 1);
    cellHeader->addWidget(m_cellHeatmaps);
    cellHeader->addWidget(m_cellHeatmap);
    cellLayout->addLayout(cellHeader);
    cellLayout->addWidget(m_thumbnails, 1);
    m_details->addTab(cellPage, tr("Images of the cell"));
    m_hardest = new HardestImagesPanel(m_details);
    m_details->addTab(m_hardest, tr("Hardest images"));
    m_operatingPoint = new OperatingPointPanel(m_details);
    m_details->addTab(m_operatingPoint, tr("Operating point"));
    m_calibration = new CalibrationPanel(m_details);
    m_details->addTab(m_calibration, tr("Calibration"));
    m_patients = new PatientPanel(m_details);
    m_details->addTab(m_patients, tr("Patients"));
    m_rocMarker = new RocOperatingPoint(m_rocPlot);
    connect(m_operatingPoint, &OperatingPointPanel::changed, this, &TestView::showOperatingPoint);
    connect(m_operatingPoint, &OperatingPointPanel::operatingPointChanged, this,
            &TestView::operatingPointChanged);
    connect(m_operatingPoint, &OperatingPointPanel::operatingPointSaved, this,
            &TestView::operatingPointSaved);
    connect(m_rocMarker, &RocOperatingPoint::thresholdPicked, m_operatingPoint,
            &OperatingPointPanel::setThreshold);
    connect(m_patients, &PatientPanel::aggregationChosen, m_operatingPoint,
            &OperatingPointPanel::setAggregation);
    evaluationLayout->addWidget(m_details, 2);

    m_stack = new QStackedWidget(this);
    m_stack->addWidget(empty);
    m_stack->addWidget(evaluation);

    m_classifier = new ImageClassifierPanel(this);
    m_classifier->setFixedWidth(300);

    auto* layout = new QHBoxLayout(this);
    layout->addWidget(m_stack, 1);
    layout->addWidget(m_classifier);

    connect(m_positiveBox, &QComboBox::currentIndexChanged, this, [this](int index) {
        if (index >= 0 && index != m_positive) {
            m_positiveChosen = true;
            setPositiveClass(index);
        }
    });
    setUpExplanations();
}

void TestView::setUpExplanations() {
    m_explainerSource = std::make_shared<ExplainerSource>();
    m_viewer = new HeatmapViewer(m_explainerSource, this);
    m_viewer->setWindowFlag(Qt::Window);
    m_thumbnails->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_thumbnails, &QWidget::customContextMenuRequested, this, &TestView::showThumbnailMenu);
    connect(m_thumbnails, &QListWidget::itemSelectionChanged, this,
            &TestView::updateExplanationSource);
    connect(m_cellHeatmap, &QPushButton::clicked, this, [this]() {
        const int row = m_thumbnails->currentRow();
        if (row >= 0 && row < int(m_listed.size()))
            showHeatmap(m_listed[size_t(row)]);
    });
    connect(m_hardest, &HardestImagesPanel::imageActivated, this, &TestView::showHeatmap);
    m_heatmapThumbnails = new HeatmapThumbnails(m_explainerSource, this);
    connect(m_heatmapThumbnails, &HeatmapThumbnails::ready, this,
            [this](int row, const QImage& thumbnail) {
                if (QListWidgetItem* item = m_thumbnails->item(row)) {
                    item->setIcon(QIcon(QPixmap::fromImage(thumbnail)));
                    item->setData(kHeatmapRole, true);
                    ++m_heatmapThumbnailCount;
                }
            });
    connect(m_heatmapThumbnails, &HeatmapThumbnails::failed, this,
            [this](int row, const QString& message) {
                if (QListWidgetItem* item = m_thumbnails->item(row))
                    item->setToolTip(item->toolTip() + QLatin1Char('\n') + message);
            });
    connect(m_heatmapThumbnails, &HeatmapThumbnails::finished, this,
            &TestView::heatmapThumbnailsLoaded);
    connect(m_cellHeatmaps, &QCheckBox::toggled, this, [this]() { showCell(); });
    connect(m_classifier, &ImageClassifierPanel::heatmapRequested, this, &TestView::showHeatmapOf);
    updateExplanationSource();
}

void TestView::setExplainerSource(const QString& path) {
    m_explainerOverride = path;
    updateExplanationSource();
}

QString TestView::explainerSource() const {
    return m_explainerSource->path();
}

void TestView::updateExplanationSource() {
    const QString path =
        m_explainerOverride.isEmpty() ? m_results.runDirectory : m_explainerOverride;
    if (path != m_explainerSource->path()) {
        // A heatmap of another model must not stay on screen.
        m_viewer->hide();
        m_explainerSource->setPath(path);
    }
    const bool available = !m_explainerSource->path().isEmpty();
    m_classifier->setHeatmapsAvailable(available);
    m_cellHeatmap->setEnabled(available && m_thumbnails->currentRow() >= 0);
    m_cellHeatmaps->setEnabled(available);
    m_cellHeatmap->setToolTip(available ? tr("The Grad-CAM heatmap of the selected image")
                                        : tr("Heatmaps need the run folder of a trained model"));
}

void TestView::showThumbnailMenu(const QPoint& position) {
    QListWidgetItem* item = m_thumbnails->itemAt(position);
    if (!item)
        return;
    const int row = m_thumbnails->row(item);
    QMenu menu(this);
    QAction* heatmap = menu.addAction(tr("Show heatmap…"));
    heatmap->setEnabled(!m_explainerSource->path().isEmpty());
    QAction* classify = menu.addAction(tr("Classify again"));
    classify->setEnabled(m_classifier->hasPredictor());
    QAction* chosen = menu.exec(m_thumbnails->viewport()->mapToGlobal(position));
    if (chosen == heatmap && row < int(m_listed.size()))
        showHeatmap(m_listed[size_t(row)]);
    else if (chosen == classify)
        m_classifier->classify(item->data(Qt::UserRole).toString());
}

void TestView::showHeatmap(int imageIndex) {
    if (imageIndex < 0 || imageIndex >= int(m_results.images.size()))
        return;
    const EvaluatedImage& image = m_results.images[size_t(imageIndex)];
    m_viewer->setClassNames(m_results.classNames);
    m_viewer->showSubject({image.path, image.trueClass, image.group});
}

void TestView::showHeatmapOf(const QString& imagePath) {
    for (int i = 0; i < int(m_results.images.size()); ++i)
        if (m_results.images[size_t(i)].path == imagePath)
            return showHeatmap(i);
    if (m_hasResults)
        m_viewer->setClassNames(m_results.classNames);
    m_viewer->showSubject({imagePath, -1, QString()});
}

TestView::~TestView() {
    m_runner.cancel();
    // The viewer is a child window: destroyed with the view, which cancels its heatmap.
}

TestView::MetricCard TestView::makeCard(Metric metric, const QString& title, QWidget* parent) {
    auto* frame = new QFrame(parent);
    frame->setObjectName(QStringLiteral("card%1").arg(int(metric)));
    frame->setStyleSheet(QStringLiteral("#%1 { background: white; border: 1px solid #dcdcdc; "
                                        "border-radius: 6px; }")
                             .arg(frame->objectName()));
    MetricCard card;
    card.title = new QLabel(title, frame);
    card.title->setStyleSheet(QStringLiteral("QLabel { color: #555; }"));
    card.value = new QLabel(QStringLiteral("–"), frame);
    card.value->setObjectName(QStringLiteral("value%1").arg(int(metric)));
    QFont big = card.value->font();
    big.setPointSizeF(big.pointSizeF() * 1.9);
    big.setBold(true);
    card.value->setFont(big);
    card.interval = new QLabel(frame);
    card.interval->setObjectName(QStringLiteral("interval%1").arg(int(metric)));
    card.interval->setStyleSheet(QStringLiteral("QLabel { color: #666; }"));
    auto* layout = new QVBoxLayout(frame);
    layout->setContentsMargins(12, 8, 12, 8);
    layout->setSpacing(2);
    layout->addWidget(card.title);
    layout->addWidget(card.value);
    layout->addWidget(card.interval);
    return card;
}

QLabel* TestView::valueLabel(Metric metric) const {
    return m_cards[size_t(metric)].value;
}

QLabel* TestView::intervalLabel(Metric metric) const {
    return m_cards[size_t(metric)].interval;
}

void TestView::setPredictor(ImagePredictor predictor) {
    m_classifier->setPredictor(std::move(predictor));
}

bool TestView::hasPredictor() const {
    return m_classifier->hasPredictor();
}

void TestView::setClassNames(const QStringList& classNames) {
    m_classifier->setClassNames(classNames);
}

bool TestView::setResults(const EvaluationResults& results) {
    m_resultsError = results.validate();
    if (!m_resultsError.isEmpty()) {
        clearResults();
        m_resultsError = results.validate();
        m_emptyText->setText(
            tr("<h3>These results cannot be shown</h3>%1").arg(m_resultsError.toHtmlEscaped()));
        return false;
    }
    const bool sameClasses = m_hasResults && m_results.classNames == results.classNames;
    m_results = results;
    m_hasResults = true;
    if (!sameClasses || !m_positiveChosen)
        m_positive = results.decision && results.decision->positiveClass >= 0 &&
                             results.decision->positiveClass < results.classNames.size()
                         ? results.decision->positiveClass
                         : tc::train::defaultPositiveClass(results.classNames);
    if (!sameClasses)
        m_positiveChosen = false;
    {
        const QSignalBlocker blocker(m_positiveBox);
        m_positiveBox->clear();
        m_positiveBox->addItems(results.classNames);
        m_positiveBox->setCurrentIndex(m_positive);
    }
    m_classifier->setClassNames(results.classNames);

    std::vector<int> labels;
    std::vector<int> predicted;
    labels.reserve(results.images.size());
    predicted.reserve(results.images.size());
    for (const EvaluatedImage& image : results.images) {
        labels.push_back(image.trueClass);
        predicted.push_back(image.predictedClass());
    }
    m_metrics = tc::train::computeMetrics(labels, predicted, int(results.classNames.size()));

    m_description->setText(
        (results.description.isEmpty() ? tr("Test split") : results.description) +
        tr(" · %1 images").arg(QLocale().toString(qint64(results.images.size()))));
    m_stack->setCurrentIndex(1);
    showMetrics();
    showTrustNotice();
    showConfusion();
    showRoc();
    m_operatingPoint->setResults(m_results, m_positive);
    m_selected = {-1, -1};
    showCell();
    m_hardest->setResults(results);
    m_viewer->setClassNames(results.classNames);
    updateExplanationSource();
    return true;
}

void TestView::clearResults() {
    m_runner.cancel();
    m_results = {};
    m_hasResults = false;
    m_resultsError.clear();
    m_metrics = {};
    m_auc.reset();
    m_selected = {-1, -1};
    m_listed.clear();
    m_loadedThumbnails = 0;
    m_thumbnails->clear();
    if (m_hardest) {
        m_hardest->clear();
        m_viewer->hide();
        updateExplanationSource();
    }
    m_operatingPoint->clear();
    m_calibration->clear();
    m_patients->clear();
    m_rocMarker->clear();
    m_emptyText->setText(tr("<h3>No evaluation yet</h3>Train a model, then evaluate it on the "
                            "test split: the images the Data Wizard kept aside, which the model "
                            "has never seen."));
    m_stack->setCurrentIndex(0);
}

void TestView::setPositiveClass(int classIndex) {
    if (!m_hasResults || classIndex < 0 || classIndex >= m_results.classNames.size())
        return;
    m_positive = classIndex;
    {
        const QSignalBlocker blocker(m_positiveBox);
        m_positiveBox->setCurrentIndex(classIndex);
    }
    showMetrics();
    showRoc();
    m_operatingPoint->setResults(m_results, m_positive);
}

void TestView::setDefaultDecisionPolicy(const tc::train::DecisionPolicy& policy) {
    m_operatingPoint->setDefaultPolicy(policy);
}

void TestView::showOperatingPoint() {
    if (!m_hasResults)
        return;
    const SplitScores& test = m_operatingPoint->scores(EvaluationSplit::Test);
    const std::vector<double> scores = m_operatingPoint->current(EvaluationSplit::Test);
    const double threshold = m_operatingPoint->threshold();
    // The curve drawn is of the raw probability; the scaled one ranks the images the same way,
    // so its points are the same.
    m_rocMarker->setCurve(test.labels, scores);
    m_rocMarker->setThreshold(threshold);
    const QString positiveName = m_results.classNames.value(m_positive);
    const QString negativeName = m_results.classNames.size() == 2
                                     ? m_results.classNames.value(1 - m_positive)
                                     : tr("not %1").arg(positiveName);
    m_calibration->setScores(m_operatingPoint->scores(EvaluationSplit::Validation), test,
                             m_operatingPoint->fittedTemperature(), positiveName);
    m_patients->setPatients(test, scores, threshold, m_operatingPoint->policy().aggregation,
                            positiveName, negativeName);
}

void TestView::showTrustNotice() {
    QStringList lines;
    if (!m_results.weightsOrigin.isEmpty()) {
        const QString origin = m_results.weightsOrigin.toHtmlEscaped();
        lines
            << tr("Backbone weights: %1")
                   .arg(m_results.randomWeights
                            ? QStringLiteral("<b style=\"color:#c0392b\">\u26a0 %1</b>").arg(origin)
                            : QStringLiteral("<b>%1</b>").arg(origin));
    }
    // One predicted class for every image: the numbers above then describe the class
    // balance of the test split, not the model.
    std::vector<int> predictedClasses;
    for (int column = 0; column < m_metrics.classes; ++column) {
        std::int64_t count = 0;
        for (const auto& row : m_metrics.confusion)
            count += row[size_t(column)];
        if (count > 0)
            predictedClasses.push_back(column);
    }
    if (m_metrics.samples > 1 && predictedClasses.size() == 1) {
        QString text = tr("Balanced accuracy %1: the model predicts one class (%2) for every "
                          "image; it does not tell the classes apart.")
                           .arg(percent(m_metrics.balancedAccuracy, 0),
                                m_results.classNames.value(predictedClasses.front()));
        if (m_results.randomWeights)
            text += tr(" Its backbone was not pretrained: get the ImageNet weights (Problems "
                       "panel) and train again.");
        lines
            << QStringLiteral("<b style=\"color:#c0392b\">\u26a0 %1</b>").arg(text.toHtmlEscaped());
    }
    m_trustNotice->setText(lines.join(QStringLiteral("<br>")));
    m_trustNotice->setVisible(!lines.isEmpty());
}

void TestView::showMetrics() {
    using tc::train::wilsonInterval;
    const auto& confusion = m_metrics.confusion;
    const int classes = m_metrics.classes;
    const int p = m_positive;
    std::int64_t correct = 0, truePositive = 0, falseNegative = 0, trueNegative = 0,
                 falsePositive = 0;
    for (int t = 0; t < classes; ++t) {
        for (int q = 0; q < classes; ++q) {
            const std::int64_t n = confusion[size_t(t)][size_t(q)];
            correct += t == q ? n : 0;
            if (t == p)
                (q == p ? truePositive : falseNegative) += n;
            else
                (q == p ? falsePositive : trueNegative) += n;
        }
    }
    const QString positiveName = m_results.classNames.value(p);
    const QString negativeName =
        classes == 2 ? m_results.classNames.value(1 - p) : tr("not %1").arg(positiveName);

    auto show = [this](Metric metric, std::int64_t successes, std::int64_t trials,
                       const QString& detail) {
        MetricCard& card = m_cards[size_t(metric)];
        if (trials <= 0) {
            card.value->setText(QStringLiteral("–"));
            card.interval->setText(tr("no images for it"));
            return;
        }
        card.value->setText(percent(double(successes) / double(trials)));
        card.interval->setText(intervalText(wilsonInterval(successes, trials)));
        card.value->setToolTip(tr("%1 of %2 %3").arg(successes).arg(trials).arg(detail));
    };
    show(Metric::Accuracy, correct, m_metrics.samples, tr("images classified correctly"));
    show(Metric::Sensitivity, truePositive, truePositive + falseNegative,
         tr("%1 images found").arg(positiveName));
    show(Metric::Specificity, trueNegative, trueNegative + falsePositive,
         tr("%1 images recognised").arg(negativeName));
    m_cards[size_t(Metric::Sensitivity)].title->setText(tr("Sensitivity · %1").arg(positiveName));
    m_cards[size_t(Metric::Specificity)].title->setText(tr("Specificity · %1").arg(negativeName));
    m_cards[size_t(Metric::Accuracy)].title->setText(
        tr("Accuracy · balanced %1").arg(percent(m_metrics.balancedAccuracy)));

    // AUC of the positive class's probability against the rest.
    std::vector<int> labels;
    std::vector<float> scores;
    for (const EvaluatedImage& image : m_results.images) {
        labels.push_back(image.trueClass == p ? 1 : 0);
        scores.push_back(image.probabilities[size_t(p)]);
    }
    const std::int64_t positives = truePositive + falseNegative;
    const std::int64_t negatives = trueNegative + falsePositive;
    MetricCard& aucCard = m_cards[size_t(Metric::RocAuc)];
    if (positives > 0 && negatives > 0) {
        m_auc = tc::train::rocCurve(labels, scores).auc;
        aucCard.value->setText(QLocale().toString(*m_auc, 'f', 3));
        aucCard.interval->setText(tr("%1 vs %2").arg(positiveName, negativeName));
    } else {
        m_auc.reset();
        aucCard.value->setText(QStringLiteral("–"));
        aucCard.interval->setText(tr("needs images of both sides"));
    }
}

void TestView::showConfusion() {
    const int classes = m_metrics.classes;
    m_confusionMap->data()->setSize(classes, classes);
    m_confusionMap->data()->setRange(QCPRange(0, classes - 1), QCPRange(0, classes - 1));
    m_confusionPlot->clearItems();
    // clearItems() removed the selection frame too: make a new one.
    m_selection = new QCPItemRect(m_confusionPlot);
    m_selection->setPen(QPen(kSelectionColour, 3));
    m_selection->setBrush(Qt::NoBrush);
    m_selection->setVisible(false);
    m_selection->setLayer(QStringLiteral("overlay"));

    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    for (int c = 0; c < classes; ++c)
        ticker->addTick(c, m_results.classNames.at(c));
    m_confusionPlot->xAxis->setTicker(ticker);
    m_confusionPlot->yAxis->setTicker(ticker);
    m_confusionPlot->xAxis->setRange(-0.5, classes - 0.5);
    m_confusionPlot->yAxis->setRange(-0.5, classes - 0.5);

    QFont countFont = font();
    countFont.setBold(true);
    countFont.setPointSizeF(countFont.pointSizeF() * (classes <= 3 ? 1.3 : 1.0));
    for (int t = 0; t < classes; ++t) {
        const std::int64_t support = m_metrics.support[size_t(t)];
        for (int q = 0; q < classes; ++q) {
            const std::int64_t count = m_metrics.confusion[size_t(t)][size_t(q)];
            // Colour by the share of the true class: rows of small classes stay readable.
            const double share = support > 0 ? double(count) / double(support) : 0.0;
            m_confusionMap->data()->setCell(q, t, share);
            auto* text = new QCPItemText(m_confusionPlot);
            text->position->setType(QCPItemPosition::ptPlotCoords);
            text->position->setCoords(q, t);
            text->setText(classes <= 6 ? QStringLiteral("%1\n%2").arg(count).arg(percent(share, 0))
                                       : QString::number(count));
            text->setFont(countFont);
            text->setTextAlignment(Qt::AlignCenter);
            text->setColor(share > 0.55 ? Qt::white : QColor(0x20, 0x20, 0x20));
        }
    }
    m_confusionPlot->replot();
}

void TestView::showRoc() {
    m_rocPlot->clearPlottables();
    const int p = m_positive;
    const QString positiveName = m_results.classNames.value(p);
    if (auto* title = qobject_cast<QCPTextElement*>(m_rocPlot->plotLayout()->element(0, 0)))
        title->setText(
            m_results.classNames.size() == 2
                ? tr("ROC curve · %1 vs %2").arg(positiveName, m_results.classNames.value(1 - p))
                : tr("ROC curve · %1 vs the rest").arg(positiveName));

    auto* chance = m_rocPlot->addGraph();
    chance->setName(tr("chance"));
    chance->setPen(QPen(QColor(0x99, 0x99, 0x99), 1, Qt::DashLine));
    chance->setData({0.0, 1.0}, {0.0, 1.0});

    if (m_auc) {
        std::vector<int> labels;
        std::vector<float> scores;
        for (const EvaluatedImage& image : m_results.images) {
            labels.push_back(image.trueClass == p ? 1 : 0);
            scores.push_back(image.probabilities[size_t(p)]);
        }
        const tc::train::RocCurve roc = tc::train::rocCurve(labels, scores);
        // QCPCurves keep the point order: the vertical steps of a ROC share their x. The area
        // under the curve is a second, pen-less curve closed along the x axis.
        QVector<double> x(roc.falsePositiveRate.begin(), roc.falsePositiveRate.end());
        QVector<double> y(roc.truePositiveRate.begin(), roc.truePositiveRate.end());
        auto* area = new QCPCurve(m_rocPlot->xAxis, m_rocPlot->yAxis);
        area->setPen(Qt::NoPen);
        area->setBrush(QColor(kCurveColour.red(), kCurveColour.green(), kCurveColour.blue(), 36));
        area->setData(x + QVector<double>{1.0}, y + QVector<double>{0.0});
        area->removeFromLegend();
        auto* curve = new QCPCurve(m_rocPlot->xAxis, m_rocPlot->yAxis);
        curve->setName(tr("ROC, AUC = %1").arg(QLocale().toString(roc.auc, 'f', 3)));
        QPen pen(kCurveColour, 2.4);
        pen.setCosmetic(true);
        curve->setPen(pen);
        curve->setData(x, y);

        // Where the predicted classes sit on the curve.
        std::int64_t tp = 0, fn = 0, fp = 0, tn = 0;
        for (const EvaluatedImage& image : m_results.images) {
            const bool positive = image.trueClass == p;
            const bool predictedPositive = image.predictedClass() == p;
            (positive ? (predictedPositive ? tp : fn) : (predictedPositive ? fp : tn)) += 1;
        }
        auto* point = m_rocPlot->addGraph();
        point->setName(tr("predicted classes"));
        point->setLineStyle(QCPGraph::lsNone);
        point->setScatterStyle(
            QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(kSelectionColour, 2), Qt::white, 9));
        point->addData(double(fp) / double(fp + tn), double(tp) / double(tp + fn));
    }
    m_rocPlot->replot();
}

QPoint TestView::cellCenter(int trueClass, int predictedClass) const {
    return QPoint(int(std::lround(m_confusionPlot->xAxis->coordToPixel(predictedClass))),
                  int(std::lround(m_confusionPlot->yAxis->coordToPixel(trueClass))));
}

void TestView::onConfusionClicked(const QPoint& position) {
    if (!m_hasResults || !m_confusionPlot->axisRect()->rect().contains(position))
        return;
    const int predicted = int(std::lround(m_confusionPlot->xAxis->pixelToCoord(position.x())));
    const int trueClass = int(std::lround(m_confusionPlot->yAxis->pixelToCoord(position.y())));
    const int classes = m_metrics.classes;
    if (predicted >= 0 && predicted < classes && trueClass >= 0 && trueClass < classes)
        selectCell(trueClass, predicted);
}

void TestView::selectCell(int trueClass, int predictedClass) {
    const int classes = m_metrics.classes;
    if (!m_hasResults || trueClass < 0 || trueClass >= classes || predictedClass < 0 ||
        predictedClass >= classes)
        return;
    m_selected = {trueClass, predictedClass};
    m_selection->topLeft->setCoords(predictedClass - 0.48, trueClass - 0.48);
    m_selection->bottomRight->setCoords(predictedClass + 0.48, trueClass + 0.48);
    m_selection->setVisible(true);
    m_confusionPlot->replot();
    showCell();
    m_hardest->setSelectedCell(trueClass, predictedClass);
    Q_EMIT cellSelected(trueClass, predictedClass);
}

void TestView::showCell() {
    m_runner.cancel();
    if (m_heatmapThumbnails)
        m_heatmapThumbnails->cancel();
    m_heatmapThumbnailCount = 0;
    m_thumbnails->clear();
    m_listed.clear();
    m_loadedThumbnails = 0;
    const auto [trueClass, predictedClass] = m_selected;
    if (trueClass < 0) {
        m_selection->setVisible(false);
        m_cellTitle->setText(tr("Click a cell of the confusion matrix to see its images."));
        return;
    }

    std::vector<int> matching;
    for (int i = 0; i < int(m_results.images.size()); ++i) {
        const EvaluatedImage& image = m_results.images[size_t(i)];
        if (image.trueClass == trueClass && image.predictedClass() == predictedClass)
            matching.push_back(i);
    }
    // Most confident first: for a wrong cell, the errors the model was surest of.
    std::stable_sort(matching.begin(), matching.end(), [&](int a, int b) {
        return m_results.images[size_t(a)].probabilities[size_t(predictedClass)] >
               m_results.images[size_t(b)].probabilities[size_t(predictedClass)];
    });
    const int total = int(matching.size());
    if (total > kMaxThumbnails)
        matching.resize(kMaxThumbnails);
    m_listed = matching;

    const QString trueName = m_results.classNames.at(trueClass);
    const QString predictedName = m_results.classNames.at(predictedClass);
    QString title = trueClass == predictedClass
                        ? tr("<b>%1</b> images classified correctly: %2")
                              .arg(trueName.toHtmlEscaped())
                              .arg(total)
                        : tr("<b>%1</b> images classified as <b>%2</b>: %3")
                              .arg(trueName.toHtmlEscaped(), predictedName.toHtmlEscaped())
                              .arg(total);
    if (total > kMaxThumbnails)
        title += tr(" (the %1 most confident shown)").arg(kMaxThumbnails);
    m_cellTitle->setText(title);

    const QIcon placeholder(placeholderPixmap());
    QStringList paths;
    for (int index : m_listed) {
        const EvaluatedImage& image = m_results.images[size_t(index)];
        auto* item = new QListWidgetItem(
            placeholder,
            tr("%1 %2").arg(predictedName, percent(image.probabilities[size_t(predictedClass)])),
            m_thumbnails);
        item->setData(Qt::UserRole, image.path);
        QStringList lines = {QFileInfo(image.path).fileName()};
        for (int c = 0; c < m_results.classNames.size(); ++c)
            lines << QStringLiteral("%1: %2").arg(m_results.classNames.at(c),
                                                  percent(image.probabilities[size_t(c)]));
        item->setToolTip(lines.join(QLatin1Char('\n')));
        paths << image.path;
    }
    if (paths.isEmpty()) {
        Q_EMIT thumbnailsLoaded();
        return;
    }
    if (m_cellHeatmaps->isChecked() && !m_explainerSource->path().isEmpty())
        m_heatmapThumbnails->start(paths, kThumbnailSize, tc::exporting::kDefaultOverlayAlpha);
    loadThumbnailsInBatches(
        m_runner, paths, kThumbnailSize, kThumbnailBatch, [this](const ThumbnailBatch& batch) {
            for (const auto& [row, image] : batch) {
                QListWidgetItem* item = m_thumbnails->item(row);
                if (!item)
                    continue;
                // A heatmap that came first is kept.
                if (item->data(kHeatmapRole).toBool()) {
                } else if (!image.isNull()) {
                    item->setIcon(QIcon(QPixmap::fromImage(image)));
                } else {
                    item->setIcon(style()->standardIcon(QStyle::SP_MessageBoxWarning));
                }
                ++m_loadedThumbnails;
            }
            if (m_loadedThumbnails == m_thumbnails->count())
                Q_EMIT thumbnailsLoaded();
        });
}

} // namespace tc::ui
