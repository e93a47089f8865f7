#pragma once

#include <QObject>
#include <QPointF>
#include <vector>

class QCPItemText;
class QCPItemTracer;
class QCustomPlot;
class QMouseEvent;

namespace tc::ui {

/// The operating point as a marker on a ROC plot, and the mouse interaction that moves it:
/// pressing near the curve and dragging along it picks the curve point nearest the mouse and
/// reports that point's threshold (thresholdPicked()). The marker lives in plot items, so
/// redrawing the curve's plottables leaves it in place.
class RocOperatingPoint : public QObject {
    Q_OBJECT

public:
    /// A press farther than this (in pixels) from every curve point starts no drag.
    static constexpr double kGrabDistance = 24.0;

    /// One point of the curve: the rates when cases with a score ≥ threshold are positive.
    struct Vertex {
        double falsePositiveRate = 0.0;
        double truePositiveRate = 0.0;
        double threshold = 0.0;
    };

    explicit RocOperatingPoint(QCustomPlot* plot);

    /// The curve of `scores` (the probability the threshold applies to) against binary
    /// `labels`; empty (no marker) when a side has no cases.
    void setCurve(const std::vector<int>& labels, const std::vector<double>& scores);
    /// Moves the marker to where `threshold` puts the decision.
    void setThreshold(double threshold);
    void clear();

    const std::vector<Vertex>& vertices() const { return m_vertices; }
    /// (false positive rate, true positive rate) of the marker.
    QPointF position() const { return m_position; }
    bool isVisible() const;
    bool isDragging() const { return m_dragging; }

Q_SIGNALS:
    /// The user moved the marker to the curve point of `threshold`.
    void thresholdPicked(double threshold);

private:
    void onPress(QMouseEvent* event);
    void onMove(QMouseEvent* event);
    void onRelease(QMouseEvent* event);
    /// The vertex nearest `pixel` and its distance in pixels; -1 without vertices.
    int nearestVertex(const QPointF& pixel, double* distance) const;

    QCustomPlot* m_plot;
    QCPItemTracer* m_marker = nullptr;
    QCPItemText* m_label = nullptr;
    std::vector<int> m_labels;
    std::vector<double> m_scores;
    std::vector<Vertex> m_vertices;
    QPointF m_position;
    double m_threshold = 0.5;
    bool m_dragging = false;
};

} // namespace tc::ui
