#pragma once

#include "core/train/Decision.h"
#include "ui/evaluation/OperatingPointPanel.h"

#include <optional>
#include <QWidget>

class QCustomPlot;
class QLabel;

namespace tc::ui {

/// "Calibration" tab of the Test view: reliability diagrams (10 bins: the observed share of
/// positives against the predicted probability, the diagonal being perfect calibration, the
/// number of images written on each bin) with ECE and Brier score, for the validation and
/// the test split, before and after temperature scaling (T fitted on validation).
class CalibrationPanel : public QWidget {
    Q_OBJECT

public:
    enum class Stage { Before, After };
    static constexpr int kBins = 10;

    explicit CalibrationPanel(QWidget* parent = nullptr);

    /// Shows the scores of both splits; `temperature` is the fitted one (absent: no "after").
    void setScores(const SplitScores& validation, const SplitScores& test,
                   std::optional<double> temperature, const QString& positiveName);
    void clear();

    /// The figures shown for a split and stage; absent when that diagram is empty.
    std::optional<tc::train::CalibrationFigures> figures(EvaluationSplit split, Stage stage) const;
    QCustomPlot* plot(EvaluationSplit split, Stage stage) const;
    /// The count written on each bin of a diagram, in bin order ("" for an empty bin).
    QStringList binCountTexts(EvaluationSplit split, Stage stage) const;
    QLabel* summaryLabel() const { return m_summary; }

private:
    static int index(EvaluationSplit split, Stage stage) {
        return (split == EvaluationSplit::Test ? 2 : 0) + (stage == Stage::After ? 1 : 0);
    }
    void showDiagram(int which, const QString& title,
                     const std::optional<tc::train::CalibrationFigures>& figures);

    QCustomPlot* m_plots[4] = {};
    std::optional<tc::train::CalibrationFigures> m_figures[4];
    QStringList m_countTexts[4];
    QLabel* m_summary = nullptr;
};

} // namespace tc::ui
