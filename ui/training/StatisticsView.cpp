#include "ui/training/StatisticsView.h"

#include "core/train/RunCatalog.h"
#include "ui/training/QCustomPlot.h"

#include <cmath>
#include <iterator>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QProgressBar>
#include <QPushButton>
#include <QSaveFile>
#include <QSplitter>
#include <QTableWidget>
#include <QTextStream>
#include <QToolTip>
#include <QVBoxLayout>

namespace tc::ui {

namespace {

const QColor kTrainColour(0x1f, 0x77, 0xb4);
const QColor kValidationColour(0xe4, 0x57, 0x2c);
constexpr int kHoverRadiusPx = 12;
/// Colours of compared runs: distinct from the live run's blue and orange and from each other
/// (the rest of matplotlib's tab10).
const QColor kComparedColours[] = {QColor(0x2c, 0xa0, 0x2c), QColor(0x94, 0x67, 0xbd),
                                   QColor(0x8c, 0x56, 0x4b), QColor(0xe3, 0x77, 0xc2),
                                   QColor(0xbc, 0xbd, 0x22), QColor(0x17, 0xbe, 0xcf),
                                   QColor(0xd6, 0x27, 0x28), QColor(0x7f, 0x7f, 0x7f)};

QString formatDuration(double seconds) {
    if (seconds < 0)
        return QStringLiteral("–");
    const int total = static_cast<int>(seconds + 0.5);
    return total >= 3600
               ? QStringLiteral("%1:%2:%3")
                     .arg(total / 3600)
                     .arg(total / 60 % 60, 2, 10, QLatin1Char('0'))
                     .arg(total % 60, 2, 10, QLatin1Char('0'))
               : QStringLiteral("%1:%2").arg(total / 60).arg(total % 60, 2, 10, QLatin1Char('0'));
}

/// The epoch axis shows the whole run when it is short, and grows ahead of the current epoch
/// when the run is long (an axis to epoch 1000 would squash the first epochs to nothing).
double epochAxisEnd(int epoch, int epochs) {
    const double ahead = std::max(5.0, std::ceil(epoch * 1.5));
    return std::max(1.0, std::min<double>(epochs, ahead));
}

QPen curvePen(const QColor& colour, double width, Qt::PenStyle style = Qt::SolidLine) {
    QPen pen(colour, width, style);
    pen.setCosmetic(true);
    return pen;
}

} // namespace

/// The curves of one run, in both plots, and its epoch history for CSV export.
struct StatisticsView::Run {
    QString name;
    QStringList classNames;
    QCPGraph* accuracyBatch = nullptr;
    QCPGraph* accuracyTrain = nullptr;
    QCPGraph* accuracyValidation = nullptr;
    QCPGraph* lossBatch = nullptr;
    QCPGraph* lossTrain = nullptr;
    QCPGraph* lossValidation = nullptr;
    std::vector<tc::train::EpochEvent> epochs;

    std::vector<QCPGraph*> graphs() const {
        return {accuracyBatch, accuracyTrain, accuracyValidation,
                lossBatch,     lossTrain,     lossValidation};
    }
};

StatisticsView::StatisticsView(QWidget* parent)
    : QWidget(parent) {
    setObjectName(QStringLiteral("statisticsView"));

    m_phaseLabel = new QLabel(tr("No training yet"), this);
    QFont phaseFont = m_phaseLabel->font();
    phaseFont.setBold(true);
    m_phaseLabel->setFont(phaseFont);
    m_progress = new QProgressBar(this);
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_progress->setTextVisible(true);
    m_detailLabel = new QLabel(this);
    m_detailLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* exportButton = new QPushButton(tr("Export metrics…"), this);
    connect(exportButton, &QPushButton::clicked, this, &StatisticsView::exportMetricsInteractively);
    m_clearButton = new QPushButton(tr("Clear previous runs"), this);
    m_clearButton->setEnabled(false);
    connect(m_clearButton, &QPushButton::clicked, this, &StatisticsView::clearPreviousRuns);

    auto* header = new QHBoxLayout;
    header->addWidget(m_phaseLabel);
    header->addWidget(m_progress, 1);
    header->addWidget(m_detailLabel);
    header->addWidget(exportButton);
    header->addWidget(m_clearButton);

    m_accuracyPlot = new QCustomPlot(this);
    m_accuracyPlot->setObjectName(QStringLiteral("accuracyPlot"));
    setUpPlot(m_accuracyPlot, tr("Accuracy (%)"), true);
    m_lossPlot = new QCustomPlot(this);
    m_lossPlot->setObjectName(QStringLiteral("lossPlot"));
    setUpPlot(m_lossPlot, tr("Loss"), false);

    m_confusionPlot = new QCustomPlot(this);
    m_confusionPlot->setObjectName(QStringLiteral("confusionPlot"));
    m_confusionPlot->plotLayout()->insertRow(0);
    m_confusionPlot->plotLayout()->addElement(
        0, 0, new QCPTextElement(m_confusionPlot, tr("Validation confusion matrix")));
    m_confusionPlot->xAxis->setLabel(tr("Predicted"));
    m_confusionPlot->yAxis->setLabel(tr("True"));
    m_confusionPlot->yAxis->setRangeReversed(true);
    m_confusionMap = new QCPColorMap(m_confusionPlot->xAxis, m_confusionPlot->yAxis);
    QCPColorGradient gradient;
    gradient.setColorStopAt(0.0, QColor(0xf7, 0xfb, 0xff));
    gradient.setColorStopAt(1.0, QColor(0x08, 0x45, 0x94));
    m_confusionMap->setGradient(gradient);
    m_confusionMap->setInterpolate(false);
    m_confusionMap->setDataRange(QCPRange(0.0, 1.0));
    m_confusionPlot->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_confusionPlot, &QWidget::customContextMenuRequested, this,
            [this](const QPoint& position) { offerPlotExport(m_confusionPlot, position); });

    m_classTable = new QTableWidget(0, 4, this);
    m_classTable->setObjectName(QStringLiteral("classTable"));
    m_classTable->setHorizontalHeaderLabels(
        {tr("Precision"), tr("Recall"), tr("F1"), tr("Support")});
    m_classTable->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_classTable->setEditTriggers(QAbstractItemView::NoEditTriggers);

    auto* curves = new QSplitter(Qt::Horizontal, this);
    curves->addWidget(m_accuracyPlot);
    curves->addWidget(m_lossPlot);
    auto* details = new QSplitter(Qt::Horizontal, this);
    details->addWidget(m_confusionPlot);
    details->addWidget(m_classTable);
    auto* vertical = new QSplitter(Qt::Vertical, this);
    vertical->addWidget(curves);
    vertical->addWidget(details);
    vertical->setStretchFactor(0, 3);
    vertical->setStretchFactor(1, 2);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(header);
    m_runInfo = new QLabel(this);
    m_runInfo->setObjectName(QStringLiteral("runInfo"));
    m_runInfo->setTextFormat(Qt::RichText);
    m_runInfo->setWordWrap(true);
    m_runInfo->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_runInfo->hide();
    layout->addWidget(m_runInfo);
    layout->addWidget(vertical, 1);
}

StatisticsView::~StatisticsView() = default;

void StatisticsView::setUpPlot(QCustomPlot* plot, const QString& yLabel, bool percent) {
    plot->xAxis->setLabel(tr("Epoch"));
    plot->yAxis->setLabel(yLabel);
    plot->xAxis->setRange(0, 1);
    plot->yAxis->setRange(0, percent ? 100 : 1);
    // The legend sits in one row above the plot, where it never covers a curve (inside the
    // axis rect it hid the loss curves, which start at the top right of their range).
    plot->legend->setVisible(true);
    plot->legend->setBrush(Qt::NoBrush);
    plot->legend->setBorderPen(Qt::NoPen);
    plot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    plot->axisRect()->insetLayout()->take(plot->legend);
    plot->plotLayout()->insertRow(0);
    plot->plotLayout()->addElement(0, 0, plot->legend);
    plot->plotLayout()->setRowStretchFactor(0, 0.001);
    plot->plotLayout()->setRowSpacing(0);
    plot->legend->setMargins(QMargins(0, 4, 0, 0));
    plot->legend->setIconSize(24, 12);
    plot->legend->setWrap(3); // the live run's three entries, then compared runs three a row
    plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    plot->setMouseTracking(true);
    connect(plot, &QCustomPlot::mouseMove, this,
            [this, plot](QMouseEvent* event) { showHoverTip(plot, event->pos()); });
    plot->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(plot, &QWidget::customContextMenuRequested, this,
            [this, plot](const QPoint& position) { offerPlotExport(plot, position); });
}

void StatisticsView::setRunInfo(const QString& weightsOrigin, bool randomWeights,
                                const QString& runFolder, const QString& folderNote) {
    QStringList parts;
    if (!weightsOrigin.isEmpty()) {
        const QString origin = weightsOrigin.toHtmlEscaped();
        parts
            << tr("Backbone weights: %1")
                   .arg(randomWeights
                            ? QStringLiteral("<b style=\"color:#c0392b\">\u26a0 %1</b>").arg(origin)
                            : QStringLiteral("<b>%1</b>").arg(origin));
    }
    if (!runFolder.isEmpty()) {
        QString folder = tr("Run folder: %1").arg(runFolder.toHtmlEscaped());
        if (!folderNote.isEmpty())
            folder += QStringLiteral(" <span style=\"color:#b4530a\">(%1)</span>")
                          .arg(folderNote.toHtmlEscaped());
        parts << folder;
    }
    m_runInfo->setText(parts.join(QStringLiteral(" &nbsp;·&nbsp; ")));
    m_runInfo->setVisible(!parts.isEmpty());
}

void StatisticsView::beginRun(const QString& name, const QStringList& classNames) {
    if (!m_runs.empty())
        dimRun(*m_runs.back());

    auto run = std::make_unique<Run>();
    run->name = name;
    run->classNames = classNames;
    auto addGraph = [](QCustomPlot* plot, const QString& label, const QPen& pen, bool markers) {
        QCPGraph* graph = plot->addGraph();
        graph->setName(label);
        graph->setPen(pen);
        if (markers)
            graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 6));
        return graph;
    };
    const QColor batchColour(kTrainColour.red(), kTrainColour.green(), kTrainColour.blue(), 150);
    run->accuracyBatch = addGraph(m_accuracyPlot, tr("batches"), curvePen(batchColour, 1), false);
    run->accuracyTrain =
        addGraph(m_accuracyPlot, tr("training"), curvePen(kTrainColour, 2.2), true);
    run->accuracyValidation =
        addGraph(m_accuracyPlot, tr("validation"), curvePen(kValidationColour, 2.2), true);
    run->lossBatch = addGraph(m_lossPlot, tr("batches"), curvePen(batchColour, 1), false);
    run->lossTrain = addGraph(m_lossPlot, tr("training"), curvePen(kTrainColour, 2.2), true);
    run->lossValidation =
        addGraph(m_lossPlot, tr("validation"), curvePen(kValidationColour, 2.2), true);
    m_runs.push_back(std::move(run));

    m_confusion.clear();
    m_confusionMap->data()->clear();
    m_confusionPlot->clearItems();
    m_classTable->setRowCount(0);
    m_phaseLabel->setText(tr("Starting"));
    m_detailLabel->clear();
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_clearButton->setEnabled(m_runs.size() > 1);
    scheduleReplot();
}

void StatisticsView::dimRun(Run& run) {
    const int index = static_cast<int>(m_runs.size());
    for (QCPGraph* graph : run.graphs()) {
        QPen pen = graph->pen();
        QColor colour = pen.color();
        colour.setAlpha(std::min(colour.alpha(), 70));
        pen.setColor(colour);
        pen.setStyle(Qt::DashLine);
        graph->setPen(pen);
        graph->setScatterStyle(QCPScatterStyle::ssNone);
        if (graph == run.accuracyBatch || graph == run.lossBatch)
            graph->removeFromLegend();
        else
            graph->setName(tr("run %1: %2").arg(index).arg(graph->name()));
    }
}

void StatisticsView::clearPreviousRuns() {
    while (m_runs.size() > 1) {
        for (QCPGraph* graph : m_runs.front()->graphs())
            graph->parentPlot()->removeGraph(graph);
        m_runs.erase(m_runs.begin());
    }
    m_clearButton->setEnabled(false);
    scheduleReplot();
}

int StatisticsView::runCount() const {
    return static_cast<int>(m_runs.size());
}

int StatisticsView::batchPointCount() const {
    return m_runs.empty() ? 0 : m_runs.back()->accuracyBatch->dataCount();
}

int StatisticsView::trainEpochPointCount() const {
    return m_runs.empty() ? 0 : m_runs.back()->accuracyTrain->dataCount();
}

int StatisticsView::validationEpochPointCount() const {
    return m_runs.empty() ? 0 : m_runs.back()->accuracyValidation->dataCount();
}

std::vector<std::vector<std::int64_t>> StatisticsView::shownConfusion() const {
    return m_confusion;
}

QString StatisticsView::progressText() const {
    return m_phaseLabel->text() + QLatin1Char(' ') + m_detailLabel->text();
}

void StatisticsView::onPhase(const tc::train::PhaseEvent& event) {
    QString text = tc::train::toString(event.phase);
    text[0] = text[0].toUpper();
    m_phaseLabel->setText(text);
    if (event.total > 0) {
        // QProgressBar holds ints; feature caching counts images, which fit.
        m_progress->setRange(0, static_cast<int>(event.total));
        m_progress->setValue(static_cast<int>(event.current));
        m_progress->setFormat(QStringLiteral("%v / %m"));
    } else {
        m_progress->setRange(0, 0); // busy indicator
    }
    if (!event.message.isEmpty())
        m_detailLabel->setText(event.message);
}

void StatisticsView::onBatch(const tc::train::BatchEvent& event) {
    if (m_runs.empty())
        beginRun(tr("run 1"), {});
    Run& run = *m_runs.back();
    const double x =
        (event.epoch - 1) + static_cast<double>(event.batch) / std::max(1, event.batchesPerEpoch);
    run.accuracyBatch->addData(x, event.accuracy * 100.0);
    run.lossBatch->addData(x, event.loss);

    m_progress->setRange(0, event.batchesPerEpoch);
    m_progress->setValue(event.batch);
    m_progress->setFormat(tr("batch %v / %m"));
    m_detailLabel->setText(tr("Epoch %1/%2 · %3 img/s · loss %4 · accuracy %5 % · ETA %6")
                               .arg(event.epoch)
                               .arg(event.epochs)
                               .arg(event.imagesPerSecond, 0, 'f', 0)
                               .arg(event.loss, 0, 'f', 4)
                               .arg(event.accuracy * 100.0, 0, 'f', 1)
                               .arg(formatDuration(event.etaSeconds)));
    m_liveEpochAxisEnd = epochAxisEnd(event.epoch, event.epochs);
    fitAxes();
    scheduleReplot();
}

void StatisticsView::onEpoch(const tc::train::EpochEvent& event) {
    if (m_runs.empty())
        beginRun(tr("run 1"), {});
    Run& run = *m_runs.back();
    run.epochs.push_back(event);
    run.accuracyTrain->addData(event.epoch, event.train.metrics.accuracy * 100.0);
    run.lossTrain->addData(event.epoch, event.train.loss);
    if (event.validation) {
        run.accuracyValidation->addData(event.epoch, event.validation->metrics.accuracy * 100.0);
        run.lossValidation->addData(event.epoch, event.validation->loss);
        showConfusion(event.validation->metrics);
        showClassScores(event.validation->metrics);
    }
    m_liveEpochAxisEnd = epochAxisEnd(event.epoch, event.epochs);
    fitAxes();
    scheduleReplot();
}

void StatisticsView::fitAxes() {
    // The loss axis follows the data (live, earlier and compared runs); accuracy stays on
    // 0–100 % so runs compare at a glance. The epoch axis shows the longest compared run.
    bool found = false;
    QCPRange lossRange;
    for (int i = 0; i < m_lossPlot->graphCount(); ++i) {
        bool graphFound = false;
        const QCPRange range = m_lossPlot->graph(i)->getValueRange(graphFound);
        if (graphFound) {
            lossRange = found ? QCPRange(std::min(lossRange.lower, range.lower),
                                         std::max(lossRange.upper, range.upper))
                              : range;
            found = true;
        }
    }
    if (found)
        m_lossPlot->yAxis->setRange(0, lossRange.upper * 1.05 + 1e-6);
    double epochEnd = m_liveEpochAxisEnd;
    for (const ComparedRun& run : m_compared) {
        for (QCPGraph* graph : run.graphs) {
            bool graphFound = false;
            const QCPRange keys = graph->getKeyRange(graphFound);
            if (graphFound)
                epochEnd = std::max(epochEnd, keys.upper);
        }
    }
    m_accuracyPlot->xAxis->setRange(0, epochEnd);
    m_lossPlot->xAxis->setRange(0, epochEnd);
}

void StatisticsView::setComparedRuns(const std::vector<tc::train::RunSummary>& runs) {
    for (const ComparedRun& run : m_compared) {
        for (QCPGraph* graph : run.graphs)
            graph->parentPlot()->removeGraph(graph);
    }
    m_compared.clear();
    for (size_t i = 0; i < runs.size(); ++i) {
        const tc::train::RunSummary& summary = runs[i];
        const QColor colour = comparedRunColour(static_cast<int>(i));
        ComparedRun run{summary.shortName(), {}};
        auto addGraph = [&](QCustomPlot* plot, const QString& part, Qt::PenStyle style,
                            double tc::train::RunEpoch::*field, double scale) {
            QCPGraph* graph = plot->addGraph();
            graph->setName(QStringLiteral("%1: %2").arg(summary.shortName(), part));
            graph->setPen(curvePen(colour, style == Qt::SolidLine ? 2.0 : 1.6, style));
            graph->setScatterStyle(QCPScatterStyle(
                style == Qt::SolidLine ? QCPScatterStyle::ssDisc : QCPScatterStyle::ssCircle, 5));
            for (const tc::train::RunEpoch& epoch : summary.history) {
                // A run without a validation split has no validation value: no point, rather
                // than a point at 0.
                if (!std::isnan(epoch.*field))
                    graph->addData(epoch.epoch, epoch.*field * scale);
            }
            // One legend entry per compared run (its validation curve); the dashed training
            // curve in the same colour goes without, so the legend stays one row per three.
            if (style != Qt::SolidLine)
                graph->removeFromLegend();
            run.graphs.push_back(graph);
        };
        using tc::train::RunEpoch;
        addGraph(m_accuracyPlot, tr("training"), Qt::DashLine, &RunEpoch::trainAccuracy, 100.0);
        addGraph(m_accuracyPlot, tr("validation"), Qt::SolidLine, &RunEpoch::validationAccuracy,
                 100.0);
        addGraph(m_lossPlot, tr("training"), Qt::DashLine, &RunEpoch::trainLoss, 1.0);
        addGraph(m_lossPlot, tr("validation"), Qt::SolidLine, &RunEpoch::validationLoss, 1.0);
        m_compared.push_back(std::move(run));
    }
    fitAxes();
    scheduleReplot();
}

QColor StatisticsView::comparedRunColour(int index) {
    return kComparedColours[static_cast<size_t>(index) % std::size(kComparedColours)];
}

QStringList StatisticsView::comparedRunNames() const {
    QStringList names;
    for (const ComparedRun& run : m_compared)
        names << run.name;
    return names;
}

void StatisticsView::onFinished(const tc::train::FinishedEvent& event) {
    m_phaseLabel->setText(tr("Finished (%1)").arg(tc::train::toString(event.reason)));
    m_progress->setRange(0, 1);
    m_progress->setValue(1);
    m_progress->setFormat(tr("done"));
    QString detail =
        tr("%n epoch(s) in %1", nullptr, event.epochsCompleted).arg(formatDuration(event.seconds));
    if (event.bestEpoch > 0)
        detail += tr(" · best epoch %1").arg(event.bestEpoch);
    if (!event.message.isEmpty())
        detail += QStringLiteral(" · ") + event.message;
    for (const QString& warning : event.warnings)
        detail += tr(" · WARNING: %1").arg(warning);
    m_detailLabel->setText(detail);
    scheduleReplot();
}

void StatisticsView::showConfusion(const tc::train::ClassificationMetrics& metrics) {
    m_confusion = metrics.confusion;
    const int n = metrics.classes;
    m_confusionMap->data()->setSize(n, n);
    m_confusionMap->data()->setRange(QCPRange(0, n - 1), QCPRange(0, n - 1));
    m_confusionPlot->clearItems();
    QStringList names = m_runs.empty() ? QStringList() : m_runs.back()->classNames;
    for (int i = names.size(); i < n; ++i)
        names << QString::number(i);

    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    for (int i = 0; i < n; ++i)
        ticker->addTick(i, names[i]);
    m_confusionPlot->xAxis->setTicker(ticker);
    m_confusionPlot->yAxis->setTicker(ticker);

    for (int truth = 0; truth < n; ++truth) {
        const double rowTotal = std::max<double>(1.0, metrics.support[truth]);
        for (int predicted = 0; predicted < n; ++predicted) {
            const double share = metrics.confusion[truth][predicted] / rowTotal;
            // Colour shows the share of the true class (recall on the diagonal).
            m_confusionMap->data()->setCell(predicted, truth, share);
            auto* label = new QCPItemText(m_confusionPlot);
            label->position->setCoords(predicted, truth);
            label->setText(QStringLiteral("%1\n%2 %")
                               .arg(metrics.confusion[truth][predicted])
                               .arg(share * 100.0, 0, 'f', 1));
            label->setColor(share > 0.55 ? Qt::white : Qt::black);
        }
    }
    m_confusionPlot->xAxis->setRange(-0.5, n - 0.5);
    m_confusionPlot->yAxis->setRange(-0.5, n - 0.5);
}

void StatisticsView::showClassScores(const tc::train::ClassificationMetrics& metrics) {
    const QStringList names = m_runs.empty() ? QStringList() : m_runs.back()->classNames;
    m_classTable->setRowCount(metrics.classes);
    QStringList rowNames;
    for (int c = 0; c < metrics.classes; ++c) {
        rowNames << (c < names.size() ? names[c] : QString::number(c));
        const double values[] = {metrics.precision[c], metrics.recall[c], metrics.f1[c]};
        for (int column = 0; column < 3; ++column) {
            auto* item = new QTableWidgetItem(QString::number(values[column], 'f', 3));
            item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            m_classTable->setItem(c, column, item);
        }
        auto* support = new QTableWidgetItem(QString::number(metrics.support[c]));
        support->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        m_classTable->setItem(c, 3, support);
    }
    m_classTable->setVerticalHeaderLabels(rowNames);
}

void StatisticsView::showHoverTip(QCustomPlot* plot, const QPoint& position) {
    QCPGraph* nearestGraph = nullptr;
    double nearestKey = 0.0;
    double nearestValue = 0.0;
    double nearestDistance = kHoverRadiusPx;
    for (int i = 0; i < plot->graphCount(); ++i) {
        QCPGraph* graph = plot->graph(i);
        for (auto it = graph->data()->constBegin(); it != graph->data()->constEnd(); ++it) {
            const double dx = plot->xAxis->coordToPixel(it->key) - position.x();
            const double dy = plot->yAxis->coordToPixel(it->value) - position.y();
            const double distance = std::hypot(dx, dy);
            if (distance < nearestDistance) {
                nearestDistance = distance;
                nearestGraph = graph;
                nearestKey = it->key;
                nearestValue = it->value;
            }
        }
    }
    if (!nearestGraph) {
        QToolTip::hideText();
        return;
    }
    const bool percent = plot == m_accuracyPlot;
    QToolTip::showText(plot->mapToGlobal(position),
                       tr("%1\nepoch %2: %3")
                           .arg(nearestGraph->name())
                           .arg(nearestKey, 0, 'f', 2)
                           .arg(percent ? QStringLiteral("%1 %").arg(nearestValue, 0, 'f', 1)
                                        : QString::number(nearestValue, 'f', 4)),
                       plot);
}

void StatisticsView::offerPlotExport(QCustomPlot* plot, const QPoint& position) {
    QMenu menu(this);
    QAction* png = menu.addAction(tr("Save as PNG…"));
    QAction* pdf = menu.addAction(tr("Save as PDF…"));
    QAction* chosen = menu.exec(plot->mapToGlobal(position));
    if (!chosen)
        return;
    const bool asPdf = chosen == pdf;
    Q_UNUSED(png);
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export Plot"),
        plot->objectName() + (asPdf ? QStringLiteral(".pdf") : QStringLiteral(".png")),
        asPdf ? tr("PDF (*.pdf)") : tr("PNG image (*.png)"));
    QString error;
    if (!path.isEmpty() && !exportPlot(plot, path, &error))
        m_detailLabel->setText(error);
}

bool StatisticsView::exportPlot(QCustomPlot* plot, const QString& path, QString* error) {
    const QString suffix = QFileInfo(path).suffix().toLower();
    bool written = false;
    if (suffix == QLatin1String("pdf"))
        written = plot->savePdf(path, plot->width(), plot->height());
    else if (suffix == QLatin1String("png"))
        written = plot->savePng(path, plot->width(), plot->height(), 2.0);
    else if (error)
        *error = tr("Cannot export %1: use a .png or .pdf file name.").arg(path);
    if (!written && error && error->isEmpty())
        *error = tr("Cannot write %1.").arg(path);
    return written;
}

bool StatisticsView::exportMetricsCsv(const QString& path, QString* error) const {
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text)) {
        if (error)
            *error = tr("Cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    QTextStream out(&file);
    out.setRealNumberPrecision(17); // round-trips doubles exactly
    out << "run,epoch,learning_rate,seconds,train_loss,train_accuracy,val_loss,val_accuracy,"
           "val_balanced_accuracy,val_auc\n";
    for (const auto& run : m_runs) {
        QString name = run->name;
        name.replace(QLatin1Char('"'), QStringLiteral("\"\""));
        for (const auto& epoch : run->epochs) {
            out << '"' << name << "\"," << epoch.epoch << ',' << epoch.learningRate << ','
                << epoch.seconds << ',' << epoch.train.loss << ',' << epoch.train.metrics.accuracy
                << ',';
            if (epoch.validation) {
                const auto& v = *epoch.validation;
                out << v.loss << ',' << v.metrics.accuracy << ',' << v.metrics.balancedAccuracy
                    << ',' << (v.metrics.rocAuc ? QString::number(*v.metrics.rocAuc) : QString());
            } else {
                out << ",,,";
            }
            out << '\n';
        }
    }
    out.flush();
    if (!file.commit()) {
        if (error)
            *error = tr("Cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

void StatisticsView::exportMetricsInteractively() {
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export Metrics"), QStringLiteral("metrics.csv"), tr("CSV (*.csv)"));
    QString error;
    if (!path.isEmpty() && !exportMetricsCsv(path, &error))
        m_detailLabel->setText(error);
}

void StatisticsView::scheduleReplot() {
    // Coalesce bursts of events into one repaint per event-loop turn.
    if (m_replotPending)
        return;
    m_replotPending = true;
    QMetaObject::invokeMethod(
        this,
        [this] {
            m_replotPending = false;
            m_accuracyPlot->replot(QCustomPlot::rpQueuedReplot);
            m_lossPlot->replot(QCustomPlot::rpQueuedReplot);
            m_confusionPlot->replot(QCustomPlot::rpQueuedReplot);
        },
        Qt::QueuedConnection);
}

} // namespace tc::ui
