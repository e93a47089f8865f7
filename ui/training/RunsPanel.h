#pragma once

#include "core/train/RunCatalog.h"

#include <QStringList>
#include <QWidget>
#include <vector>

class QLabel;
class QPushButton;
class QTableWidget;
class QTableWidgetItem;

namespace tc::ui {

/// A project's training runs side by side: one row per run folder, newest first, with its
/// start, status, weights origin, model, best epoch, validation and test figures, operating
/// point and what differs from the reference run (the selected row). Runs that cannot be read
/// are listed with the reason. Ticking runs asks for their curves on the Statistics plots
/// (checkedRunsChanged()); a ticked run's name carries the colour of its curves.
class RunsPanel : public QWidget {
    Q_OBJECT

public:
    enum Column {
        RunColumn, ///< the run's name, with the "compare" check box
        StartedColumn,
        StatusColumn,
        WeightsColumn,
        BestEpochColumn,
        ValidationAccuracyColumn,
        ValidationAucColumn,
        TestAccuracyColumn,
        SensitivityColumn,
        SpecificityColumn,
        TestAucColumn,
        OperatingPointColumn,
        DiffersColumn,
        ModelColumn,
        ColumnCount
    };

    explicit RunsPanel(QWidget* parent = nullptr);
    ~RunsPanel() override;

    /// Lists the runs of a project file or a runs folder (see tc::train::listRuns) and keeps
    /// listing them from there on refresh().
    void setSource(const QString& projectOrFolder);
    QString source() const { return m_source; }
    /// Reads the run folders again; the ticked runs and the reference stay when they still
    /// exist.
    void refresh();

    const std::vector<tc::train::RunSummary>& runs() const { return m_runs; }
    QTableWidget* table() const { return m_table; }
    /// The row of the run in `folder`, or -1.
    int rowOf(const QString& folder) const;

    void setChecked(const QString& folder, bool checked);
    /// The ticked runs, in the table's order.
    std::vector<tc::train::RunSummary> checkedRuns() const;
    QStringList checkedFolders() const;

    /// The run the others are compared with (default: the newest run with a report).
    void setReference(const QString& folder);
    QString referenceFolder() const { return m_reference; }

Q_SIGNALS:
    /// The set of ticked runs changed (or a refresh re-read them).
    void checkedRunsChanged();
    /// The user ticked a run: the Statistics view should come to the front.
    void comparisonRequested();

private:
    void fillTable();
    void fillRow(int row, const tc::train::RunSummary& run);
    void updateDifferences();
    /// Marks each ticked run with the colour of its curves on the Statistics plots.
    void updateSwatches();
    void onItemChanged(QTableWidgetItem* item);

    QString m_source;
    QString m_reference;
    QStringList m_checked;
    std::vector<tc::train::RunSummary> m_runs;
    QLabel* m_title = nullptr;
    QPushButton* m_refresh = nullptr;
    QTableWidget* m_table = nullptr;
    bool m_filling = false;
};

} // namespace tc::ui
