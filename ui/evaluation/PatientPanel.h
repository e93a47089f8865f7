#pragma once

#include "core/train/Decision.h"
#include "ui/evaluation/OperatingPointPanel.h"

#include <optional>
#include <QWidget>

class QComboBox;
class QLabel;
class QStackedWidget;
class QTableWidget;

namespace tc::ui {

/// "Patients" tab of the Test view: when the test split is grouped by patient, each
/// patient's image probabilities are aggregated (mean, or max) and the same threshold is
/// applied, giving patient-level sensitivity, specificity, PPV and NPV with 95 % intervals,
/// one table row per patient, and the number of patients with at least one missed positive
/// image. Per-image results stay in the other tabs.
class PatientPanel : public QWidget {
    Q_OBJECT

public:
    enum Column {
        PatientColumn,
        ImagesColumn,
        TrueColumn,
        ProbabilityColumn,
        DecisionColumn,
        MissedColumn,
        ColumnCount
    };

    explicit PatientPanel(QWidget* parent = nullptr);

    /// Shows the patients of `test` at `threshold` on `scores` (the operating point's
    /// probability, one per image of `test`).
    void setPatients(const SplitScores& test, const std::vector<double>& scores, double threshold,
                     tc::train::PatientAggregation aggregation, const QString& positiveName,
                     const QString& negativeName);
    void clear();

    /// Absent when the split is not grouped.
    const std::optional<tc::train::PatientFigures>& figures() const { return m_figures; }
    QComboBox* aggregationBox() const { return m_aggregation; }
    QTableWidget* table() const { return m_table; }
    QLabel* figuresLabel() const { return m_figuresText; }
    QLabel* missedLabel() const { return m_missed; }
    QLabel* ungroupedLabel() const { return m_ungrouped; }
    bool isGrouped() const { return m_figures.has_value(); }

Q_SIGNALS:
    void aggregationChosen(tc::train::PatientAggregation aggregation);

private:
    std::optional<tc::train::PatientFigures> m_figures;
    QStackedWidget* m_stack = nullptr;
    QLabel* m_ungrouped = nullptr;
    QComboBox* m_aggregation = nullptr;
    QLabel* m_figuresText = nullptr;
    QLabel* m_missed = nullptr;
    QTableWidget* m_table = nullptr;
};

} // namespace tc::ui
