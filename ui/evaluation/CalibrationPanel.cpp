#include "ui/evaluation/CalibrationPanel.h"

#include "ui/training/QCustomPlot.h"

#include <QGridLayout>
#include <QLabel>
#include <QLocale>
#include <QVBoxLayout>

namespace tc::ui {

namespace {
const QColor kBeforeColour(0x9a, 0x9a, 0x9a);
const QColor kAfterColour(0x4e, 0x79, 0xa7);

QString number(double value, int decimals) {
    return QLocale().toString(value, 'f', decimals);
}
} // namespace

CalibrationPanel::CalibrationPanel(QWidget* parent)
    : QWidget(parent) {
    setObjectName(QStringLiteral("calibrationPanel"));
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("calibrationSummary"));
    m_summary->setWordWrap(true);
    auto* plots = new QGridLayout;
    plots->setSpacing(4);
    for (int i = 0; i < 4; ++i) {
        auto* plot = new QCustomPlot(this);
        plot->setObjectName(QStringLiteral("reliability%1").arg(i));
        plot->setMinimumSize(150, 150);
        plot->plotLayout()->insertRow(0);
        auto* title = new QCPTextElement(plot, QString());
        QFont font = title->font();
        font.setBold(true);
        title->setFont(font);
        plot->plotLayout()->addElement(0, 0, title);
        plot->xAxis->setRange(0.0, 1.0);
        plot->yAxis->setRange(0.0, 1.08);
        plot->xAxis->setLabel(tr("Predicted probability"));
        plot->yAxis->setLabel(tr("Observed share"));
        plot->xAxis->ticker()->setTickCount(5);
        plot->yAxis->ticker()->setTickCount(5);
        plots->addWidget(plot, 0, i);
        m_plots[i] = plot;
    }
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_summary);
    layout->addLayout(plots, 1);
    clear();
}

QCustomPlot* CalibrationPanel::plot(EvaluationSplit split, Stage stage) const {
    return m_plots[index(split, stage)];
}

std::optional<tc::train::CalibrationFigures> CalibrationPanel::figures(EvaluationSplit split,
                                                                       Stage stage) const {
    return m_figures[index(split, stage)];
}

QStringList CalibrationPanel::binCountTexts(EvaluationSplit split, Stage stage) const {
    return m_countTexts[index(split, stage)];
}

void CalibrationPanel::clear() {
    for (int i = 0; i < 4; ++i) {
        m_figures[i].reset();
        showDiagram(i, QString(), std::nullopt);
    }
    m_summary->setText(tr("No evaluation yet."));
}

void CalibrationPanel::setScores(const SplitScores& validation, const SplitScores& test,
                                 std::optional<double> temperature, const QString& positiveName) {
    auto calibration = [](const SplitScores& scores,
                          bool after) -> std::optional<tc::train::CalibrationFigures> {
        const std::vector<double>& values = after ? scores.calibrated : scores.raw;
        if (scores.empty() || values.size() != scores.labels.size())
            return std::nullopt;
        return tc::train::calibrationOf(scores.labels, values, kBins);
    };
    const QString t = temperature ? number(*temperature, 2) : QString();
    for (const EvaluationSplit split : {EvaluationSplit::Validation, EvaluationSplit::Test}) {
        const SplitScores& scores = split == EvaluationSplit::Test ? test : validation;
        const QString name = split == EvaluationSplit::Test ? tr("Test") : tr("Validation");
        const int before = index(split, Stage::Before);
        const int after = index(split, Stage::After);
        m_figures[before] = calibration(scores, false);
        m_figures[after] = calibration(scores, true);
        showDiagram(before, tr("%1 · raw softmax").arg(name), m_figures[before]);
        showDiagram(after, tr("%1 · T = %2").arg(name, t), m_figures[after]);
    }
    QString summary =
        tr("How far the probability of %1 can be taken at its word: each bar is "
           "the share of %1 images among those the model gave a probability in "
           "that bin (its count at the foot, the dot at the bin's mean probability); on the "
           "dashed diagonal the probabilities are calibrated.")
            .arg(positiveName);
    if (temperature)
        summary += tr(" Temperature scaling divides the logits by T = %1, fitted on the "
                      "validation split; it changes the probabilities, not their order.")
                       .arg(t);
    else
        summary += tr(" No temperature: these results have no validation logits to fit it on.");
    m_summary->setText(summary);
}

void CalibrationPanel::showDiagram(int which, const QString& title,
                                   const std::optional<tc::train::CalibrationFigures>& figures) {
    QCustomPlot* plot = m_plots[which];
    plot->clearPlottables();
    plot->clearItems();
    m_countTexts[which].clear();
    auto* heading = qobject_cast<QCPTextElement*>(plot->plotLayout()->element(0, 0));
    const bool after = which % 2 == 1;
    if (!figures) {
        if (heading)
            heading->setText(title.isEmpty() ? QString() : title + tr(" · no data"));
        plot->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    if (heading)
        heading->setText(tr("%1\nECE %2 · Brier %3")
                             .arg(title, number(figures->ece, 3), number(figures->brier, 3)));

    auto* diagonal = plot->addGraph();
    diagonal->setPen(QPen(QColor(0x66, 0x66, 0x66), 1, Qt::DashLine));
    diagonal->setData({0.0, 1.0}, {0.0, 1.0});

    const QColor colour = after ? kAfterColour : kBeforeColour;
    auto* bars = new QCPBars(plot->xAxis, plot->yAxis);
    bars->setWidth(1.0 / kBins * 0.9);
    bars->setPen(QPen(colour.darker(120)));
    bars->setBrush(QColor(colour.red(), colour.green(), colour.blue(), 170));
    // Where the bin's images really sit: the mean predicted probability against the observed
    // share (on the diagonal when calibrated).
    auto* means = plot->addGraph();
    means->setLineStyle(QCPGraph::lsNone);
    means->setScatterStyle(
        QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(colour.darker(160), 1.5), Qt::white, 6));
    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.8);
    for (const tc::train::ReliabilityBin& bin : figures->bins) {
        const double centre = (bin.low + bin.high) / 2.0;
        if (bin.count == 0) {
            m_countTexts[which] << QString();
            continue;
        }
        bars->addData(centre, bin.observedRate);
        means->addData(bin.meanProbability, bin.observedRate);
        auto* count = new QCPItemText(plot);
        count->position->setType(QCPItemPosition::ptPlotCoords);
        // At the foot of the bar, where no dot or neighbour's count can cover it.
        count->position->setCoords(centre, 0.0);
        count->setPositionAlignment(Qt::AlignHCenter | Qt::AlignBottom);
        count->setBrush(QColor(255, 255, 255, 200));
        count->setPadding(QMargins(1, 0, 1, 0));
        count->setText(QString::number(bin.count));
        count->setFont(small);
        count->setColor(QColor(0x30, 0x30, 0x30));
        m_countTexts[which] << count->text();
    }
    plot->replot(QCustomPlot::rpQueuedReplot);
}

} // namespace tc::ui
