#pragma once

#include "core/data/Grouping.h"
#include "core/data/Split.h"

#include <QWizardPage>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTableWidget;
class QFrame;
class QStackedWidget;

namespace tc::ui {

struct DataWizardModel;

/// Page 4 of the Data Wizard: how the images are divided into training, validation and test
/// parts. Counts per class and part follow every change. Images can be grouped (by patient)
/// so that no group spans two parts: BreaKHis file names, a CSV column or a regular
/// expression on the file name, with the groups found listed with their part. When most file
/// names are BreaKHis names but grouping is off, a warning explains the leak and offers the
/// preset.
class SplitPage : public QWizardPage {
    Q_OBJECT

public:
    /// Rows listed in the groups preview at most.
    static constexpr int kMaxGroupRows = 2000;
    /// Share of BreaKHis file names above which ungrouped splits are warned about.
    static constexpr double kBreakHisWarningShare = 0.5;

    SplitPage(DataWizardModel& model, QWidget* parent = nullptr);

    QSpinBox* trainBox() const { return m_train; }
    QSpinBox* validationBox() const { return m_validation; }
    QSpinBox* testBox() const { return m_test; }
    QCheckBox* stratifyBox() const { return m_stratify; }
    QLineEdit* seedEdit() const { return m_seed; }
    QCheckBox* fromColumnBox() const { return m_fromColumn; }
    QComboBox* splitColumnBox() const { return m_splitColumn; }
    QComboBox* groupModeBox() const { return m_groupMode; }
    QComboBox* groupColumnBox() const { return m_groupColumn; }
    QLineEdit* groupPatternEdit() const { return m_groupPattern; }
    QTableWidget* countsTable() const { return m_counts; }
    QTableWidget* groupsTable() const { return m_groups; }
    QLabel* groupSummaryLabel() const { return m_groupSummary; }
    QLabel* messageLabel() const { return m_messages; }
    /// The "BreaKHis names but no grouping" warning and its button.
    QFrame* leakWarning() const { return m_leakWarning; }
    QPushButton* useBreakHisButton() const { return m_useBreakHis; }

    /// Images of (part, class) as shown in the counts table; -1 when there is no split.
    int shownCount(tc::data::SplitPart part, int classIndex) const;
    /// Groups found by the current grouping (0 when grouping is off).
    int groupCount() const { return m_groupCount; }

    void initializePage() override;
    bool isComplete() const override;
    /// Next (also a programmatic QWizard::next()) only proceeds from a complete page.
    bool validatePage() override { return isComplete(); }

private:
    void loadFromModel();
    void onPercentChanged();
    void refresh();
    void fillCounts(const tc::data::DatasetTable& table, const tc::data::Split& split);
    void fillGroups(const tc::data::DatasetTable& table, const tc::data::GroupAssignment& groups,
                    const tc::data::Split* split);
    void updateVisibility();

    DataWizardModel& m_model;
    QSpinBox* m_train = nullptr;
    QSpinBox* m_validation = nullptr;
    QSpinBox* m_test = nullptr;
    QCheckBox* m_stratify = nullptr;
    QLineEdit* m_seed = nullptr;
    QPushButton* m_newSeed = nullptr;
    QCheckBox* m_fromColumn = nullptr;
    QComboBox* m_splitColumn = nullptr;
    QComboBox* m_groupMode = nullptr;
    QLabel* m_groupColumnLabel = nullptr;
    QComboBox* m_groupColumn = nullptr;
    QLabel* m_groupPatternLabel = nullptr;
    QLineEdit* m_groupPattern = nullptr;
    QLabel* m_groupSummary = nullptr;
    QFrame* m_leakWarning = nullptr;
    QLabel* m_leakText = nullptr;
    QPushButton* m_useBreakHis = nullptr;
    QTableWidget* m_counts = nullptr;
    QTableWidget* m_groups = nullptr;
    QStackedWidget* m_groupsStack = nullptr; ///< the groups, or a note while grouping is off
    QLabel* m_messages = nullptr;
    double m_breakHisShare = 0.0;
    int m_groupCount = 0;
    bool m_splitOk = false;
    bool m_loading = false;
};

} // namespace tc::ui
