#pragma once

#include "core/train/Decision.h"
#include "ui/evaluation/EvaluationResults.h"

#include <optional>
#include <QString>
#include <QWidget>
#include <vector>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QSlider;

namespace tc::ui {

/// The two splits an operating point is about: chosen on one, reported on the other.
enum class EvaluationSplit { Validation, Test };

/// The positive-class scores of one split's images.
struct SplitScores {
    std::vector<int> labels; ///< 1: the image is of the positive class
    std::vector<double> raw; ///< softmax probability of the positive class (T = 1)
    /// softmax(logits / T)[positive] with the fitted temperature; empty when there is none
    /// (no logits, or no temperature could be fitted).
    std::vector<double> calibrated;
    std::vector<QString> groups; ///< one per image; empty when the split is not grouped

    bool empty() const { return labels.empty(); }
    bool grouped() const { return !groups.empty(); }
};

/// "Operating point" tab of the Test view: which threshold on the positive class's
/// probability turns a score into a decision, and what that decision does.
///
/// Presets (target sensitivity, target specificity, Youden's index) are chosen on the
/// VALIDATION split with tc::train::chooseThreshold and reported on the TEST split; a
/// threshold can also be set by hand (slider, spin box, or the marker on the ROC curve). The
/// probability is the temperature-scaled one when temperature scaling is on (T fitted on
/// validation): scaling changes probabilities, never the ranking, so the test decisions of a
/// preset stay the same. The panel shows sensitivity, specificity, PPV and NPV with Wilson
/// 95 % intervals for both splits, the counts, and the workload (the cases set aside as
/// negative and the positives among them). "Save operating point" writes the run folder's
/// operating-point.json and reports the policy, so the project can keep it.
class OperatingPointPanel : public QWidget {
    Q_OBJECT

public:
    enum class Figure { Sensitivity, Specificity, Ppv, Npv };
    /// The slider's steps over [0, 1].
    static constexpr int kSliderSteps = 10000;

    explicit OperatingPointPanel(QWidget* parent = nullptr);

    /// The policy used for results that bring no operating point of their own (the project's).
    void setDefaultPolicy(const tc::train::DecisionPolicy& policy);
    /// Shows `results` about `positiveClass`. The starting point is what the run recorded: its
    /// operating-point.json (a damaged file is reported, naming it), else results.decision,
    /// else the default policy applied to the validation split.
    void setResults(const EvaluationResults& results, int positiveClass);
    void clear();
    bool hasResults() const { return m_hasResults; }

    /// Applies a preset (chosen on validation) or, for Fixed, keeps the current threshold.
    void setRule(tc::train::ThresholdRule rule);
    /// The target of the two target rules, in (0, 1]; re-chooses the threshold.
    void setTarget(double target);
    /// Sets the threshold by hand (the rule becomes Fixed).
    void setThreshold(double threshold);
    void setTemperatureScaling(bool on);
    void setAggregation(tc::train::PatientAggregation aggregation);
    /// Writes operating-point.json into the results' run folder. False with the reason shown
    /// (naming the file) when it cannot.
    bool save();

    double threshold() const { return m_threshold; }
    /// The temperature applied to the probabilities: the fitted one when scaling is on, else 1.
    double temperature() const;
    /// The temperature fitted on validation (or recorded by the run); absent without logits.
    std::optional<double> fittedTemperature() const { return m_fittedTemperature; }
    bool temperatureApplied() const;
    bool presetsAvailable() const;
    tc::train::DecisionPolicy policy() const { return m_policy; }
    int positiveClass() const { return m_positive; }
    tc::train::OperatingPoint operatingPoint() const;
    /// Labels and scores of a split; current() is the score the threshold applies to.
    const SplitScores& scores(EvaluationSplit split) const;
    std::vector<double> current(EvaluationSplit split) const;
    /// The decision on a split at the current threshold.
    tc::train::BinaryFigures figures(EvaluationSplit split) const;
    /// Why the run's operating-point.json could not be read; empty when it could or is absent.
    QString recordedError() const { return m_recordedError; }

    QComboBox* presetBox() const { return m_preset; }
    QDoubleSpinBox* targetBox() const { return m_target; }
    QSlider* thresholdSlider() const { return m_slider; }
    QDoubleSpinBox* thresholdBox() const { return m_thresholdBox; }
    QCheckBox* temperatureBox() const { return m_temperatureBox; }
    QPushButton* saveButton() const { return m_save; }
    QLabel* figureLabel(EvaluationSplit split, Figure figure) const;
    QLabel* countsLabel(EvaluationSplit split) const;
    QLabel* workloadLabel() const { return m_workload; }
    QLabel* noteLabel() const { return m_note; }
    QLabel* saveStatusLabel() const { return m_saveStatus; }
    QLabel* pointLabel() const { return m_pointText; }

Q_SIGNALS:
    /// The threshold, temperature, rule or scores changed (also after setResults()).
    void changed();
    /// The user moved the operating point (not emitted by setResults()).
    void operatingPointChanged(const tc::train::OperatingPoint& point);
    /// save() wrote the point into the run folder.
    void operatingPointSaved(const tc::train::OperatingPoint& point);

private:
    void buildScores(const EvaluationResults& results);
    void applyRule();
    void showState();
    void showFigures(EvaluationSplit split);
    void userChanged();
    QString positiveName() const;

    struct FigureRow {
        QLabel* test = nullptr;
        QLabel* validation = nullptr;
    };

    tc::train::DecisionPolicy m_defaultPolicy;
    tc::train::DecisionPolicy m_policy;
    bool m_hasResults = false;
    QStringList m_classNames;
    QString m_runDirectory;
    int m_positive = 1;
    double m_threshold = 0.5;
    bool m_targetMet = true;
    std::optional<double> m_fittedTemperature;
    SplitScores m_validation;
    SplitScores m_test;
    std::optional<tc::train::OperatingPoint> m_saved; ///< what the run folder holds
    QString m_recordedError;
    bool m_updating = false;

    QComboBox* m_preset = nullptr;
    QDoubleSpinBox* m_target = nullptr;
    QSlider* m_slider = nullptr;
    QDoubleSpinBox* m_thresholdBox = nullptr;
    QCheckBox* m_temperatureBox = nullptr;
    QPushButton* m_save = nullptr;
    QLabel* m_note = nullptr;
    QLabel* m_pointText = nullptr;
    QLabel* m_saveStatus = nullptr;
    QLabel* m_workload = nullptr;
    QLabel* m_testCounts = nullptr;
    QLabel* m_validationCounts = nullptr;
    QLabel* m_testHeader = nullptr;
    QLabel* m_validationHeader = nullptr;
    std::vector<FigureRow> m_rows;
};

/// "95.2 % (95 % CI 88.1–98.2 %)" for `successes` of `trials`; "–" without trials.
QString figureText(std::int64_t successes, std::int64_t trials);

} // namespace tc::ui
