#include "ui/evaluation/RocOperatingPoint.h"

#include "ui/training/QCustomPlot.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <QLocale>

namespace tc::ui {

namespace {
const QColor kMarkerColour(0xf2, 0x8e, 0x2b);
} // namespace

RocOperatingPoint::RocOperatingPoint(QCustomPlot* plot)
    : QObject(plot)
    , m_plot(plot) {
    m_marker = new QCPItemTracer(plot);
    m_marker->setStyle(QCPItemTracer::tsCircle);
    m_marker->setSize(15);
    m_marker->setPen(QPen(kMarkerColour.darker(130), 2));
    m_marker->setBrush(kMarkerColour);
    m_marker->position->setType(QCPItemPosition::ptPlotCoords);
    m_marker->setLayer(QStringLiteral("overlay"));
    m_label = new QCPItemText(plot);
    m_label->position->setParentAnchor(m_marker->position);
    m_label->position->setType(QCPItemPosition::ptAbsolute);
    m_label->position->setCoords(12, 12);
    m_label->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
    m_label->setBrush(QColor(255, 255, 255, 225));
    m_label->setPen(QPen(kMarkerColour.darker(130)));
    m_label->setPadding(QMargins(4, 2, 4, 2));
    m_label->setLayer(QStringLiteral("overlay"));
    clear();
    connect(plot, &QCustomPlot::mousePress, this, &RocOperatingPoint::onPress);
    connect(plot, &QCustomPlot::mouseMove, this, &RocOperatingPoint::onMove);
    connect(plot, &QCustomPlot::mouseRelease, this, &RocOperatingPoint::onRelease);
}

void RocOperatingPoint::clear() {
    m_labels.clear();
    m_scores.clear();
    m_vertices.clear();
    m_dragging = false;
    m_marker->setVisible(false);
    m_label->setVisible(false);
}

bool RocOperatingPoint::isVisible() const {
    return m_marker->visible();
}

void RocOperatingPoint::setCurve(const std::vector<int>& labels,
                                 const std::vector<double>& scores) {
    // A drag in progress survives: the curve is set again whenever the threshold moves.
    m_labels.clear();
    m_scores.clear();
    m_vertices.clear();
    m_marker->setVisible(false);
    m_label->setVisible(false);
    const auto positives = std::count(labels.begin(), labels.end(), 1);
    const auto negatives = std::int64_t(labels.size()) - positives;
    if (labels.size() != scores.size() || positives == 0 || negatives == 0)
        return;
    m_labels = labels;
    m_scores = scores;
    std::vector<size_t> order(scores.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::sort(order.begin(), order.end(),
              [&](size_t a, size_t b) { return scores[a] > scores[b]; });
    // Above every score nothing is positive: the curve's origin.
    m_vertices.push_back({0.0, 0.0, std::min(1.0, std::nextafter(scores[order.front()], 2.0))});
    double truePositives = 0.0;
    double falsePositives = 0.0;
    for (size_t i = 0; i < order.size(); ++i) {
        (labels[order[i]] == 1 ? truePositives : falsePositives) += 1.0;
        if (i + 1 < order.size() && scores[order[i + 1]] == scores[order[i]])
            continue;
        m_vertices.push_back({falsePositives / double(negatives), truePositives / double(positives),
                              scores[order[i]]});
    }
}

void RocOperatingPoint::setThreshold(double threshold) {
    m_threshold = threshold;
    if (m_vertices.empty()) {
        m_marker->setVisible(false);
        m_label->setVisible(false);
        m_plot->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    std::int64_t truePositives = 0, falsePositives = 0, positives = 0;
    for (size_t i = 0; i < m_labels.size(); ++i) {
        const bool positiveCall = m_scores[i] >= threshold;
        positives += m_labels[i];
        if (positiveCall)
            ++(m_labels[i] == 1 ? truePositives : falsePositives);
    }
    const double negatives = double(std::int64_t(m_labels.size()) - positives);
    m_position =
        QPointF(double(falsePositives) / negatives, double(truePositives) / double(positives));
    m_marker->position->setCoords(m_position);
    m_marker->setVisible(true);
    m_label->setText(tr("threshold %1\nsens. %2 %, spec. %3 %")
                         .arg(QLocale().toString(threshold, 'f', 3))
                         .arg(QLocale().toString(m_position.y() * 100.0, 'f', 1))
                         .arg(QLocale().toString((1.0 - m_position.x()) * 100.0, 'f', 1)));
    // Keep the label inside the plot: to the left of the marker on the right-hand side, and
    // above it near the bottom.
    const bool right = m_position.x() > 0.55;
    const bool low = m_position.y() < 0.3;
    m_label->position->setCoords(right ? -12 : 12, low ? -12 : 12);
    m_label->setPositionAlignment((right ? Qt::AlignRight : Qt::AlignLeft) |
                                  (low ? Qt::AlignBottom : Qt::AlignTop));
    m_label->setVisible(true);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

int RocOperatingPoint::nearestVertex(const QPointF& pixel, double* distance) const {
    int best = -1;
    double bestDistance = std::numeric_limits<double>::infinity();
    for (int i = 0; i < int(m_vertices.size()); ++i) {
        const Vertex& v = m_vertices[size_t(i)];
        const double dx = m_plot->xAxis->coordToPixel(v.falsePositiveRate) - pixel.x();
        const double dy = m_plot->yAxis->coordToPixel(v.truePositiveRate) - pixel.y();
        const double d = std::hypot(dx, dy);
        // Ties (several thresholds at one pixel): the first, the highest threshold.
        if (d < bestDistance) {
            bestDistance = d;
            best = i;
        }
    }
    if (distance)
        *distance = bestDistance;
    return best;
}

void RocOperatingPoint::onPress(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton || m_vertices.empty() ||
        !m_plot->axisRect()->rect().contains(event->pos()))
        return;
    double distance = 0.0;
    const int vertex = nearestVertex(event->position(), &distance);
    if (vertex < 0 || distance > kGrabDistance)
        return;
    m_dragging = true;
    Q_EMIT thresholdPicked(m_vertices[size_t(vertex)].threshold);
}

void RocOperatingPoint::onMove(QMouseEvent* event) {
    if (!m_dragging)
        return;
    const int vertex = nearestVertex(event->position(), nullptr);
    if (vertex >= 0 && m_vertices[size_t(vertex)].threshold != m_threshold)
        Q_EMIT thresholdPicked(m_vertices[size_t(vertex)].threshold);
}

void RocOperatingPoint::onRelease(QMouseEvent* event) {
    if (m_dragging)
        onMove(event);
    m_dragging = false;
}

} // namespace tc::ui
