#pragma once

#include "core/train/TrainingEvents.h"

#include <memory>
#include <QColor>
#include <QStringList>
#include <QWidget>
#include <vector>

class QCPGraph;
class QCPColorMap;
class QCustomPlot;
class QLabel;
class QProgressBar;
class QPushButton;
class QTableWidget;

namespace tc::train {
struct RunSummary;
}

namespace tc::ui {

/// The live view of training: accuracy and loss curves (training per batch, training and
/// validation per epoch, on an epoch axis), the validation confusion matrix as a heatmap,
/// per-class precision / recall / F1, and progress. Earlier runs stay visible, dimmed, until
/// the user clears them. Fed by TrainingController's signals. Runs read from their folders
/// (the Runs panel's checked ones) can be overlaid on the accuracy and loss plots.
class StatisticsView : public QWidget {
    Q_OBJECT

public:
    explicit StatisticsView(QWidget* parent = nullptr);
    ~StatisticsView() override;

    /// Starts plotting a new run; the previous runs remain as dimmed curves.
    void beginRun(const QString& name, const QStringList& classNames);
    void clearPreviousRuns();
    /// The header line about the current run: where its backbone came from (`weightsOrigin`,
    /// see nn::weightsOrigin(); shown as a warning when `randomWeights`), and its run folder
    /// with `folderNote` (why it is not beside the project) when there is one.
    void setRunInfo(const QString& weightsOrigin, bool randomWeights, const QString& runFolder,
                    const QString& folderNote = {});
    QLabel* runInfoLabel() const { return m_runInfo; }
    int runCount() const;

    /// Overlays `runs`' per-epoch curves (training dashed, validation solid, one colour per
    /// run, graphs "<short name>: training" / ": validation", the latter in the legend; see
    /// RunSummary::shortName()) on the accuracy and loss
    /// plots, replacing the previous overlay. The live run and the dimmed earlier ones stay.
    void setComparedRuns(const std::vector<tc::train::RunSummary>& runs);
    /// The colour of the `index`-th run given to setComparedRuns() (the Runs panel marks its
    /// ticked rows with it).
    static QColor comparedRunColour(int index);
    /// Short names of the runs overlaid now, in the order given.
    QStringList comparedRunNames() const;

    QCustomPlot* accuracyPlot() const { return m_accuracyPlot; }
    QCustomPlot* lossPlot() const { return m_lossPlot; }
    QCustomPlot* confusionPlot() const { return m_confusionPlot; }
    QTableWidget* classTable() const { return m_classTable; }
    QString progressText() const;

    /// Points in the current run's curves.
    int batchPointCount() const;
    int trainEpochPointCount() const;
    int validationEpochPointCount() const;
    /// The confusion matrix currently shown ([true][predicted]); empty before the first epoch.
    std::vector<std::vector<std::int64_t>> shownConfusion() const;

    /// Writes a plot as PNG or PDF, chosen by the file's suffix.
    static bool exportPlot(QCustomPlot* plot, const QString& path, QString* error = nullptr);
    /// Writes one row per epoch of every run kept in the view.
    bool exportMetricsCsv(const QString& path, QString* error = nullptr) const;

public Q_SLOTS:
    void onPhase(const tc::train::PhaseEvent& event);
    void onBatch(const tc::train::BatchEvent& event);
    void onEpoch(const tc::train::EpochEvent& event);
    void onFinished(const tc::train::FinishedEvent& event);

private:
    struct Run;
    void setUpPlot(QCustomPlot* plot, const QString& yLabel, bool percent);
    void showConfusion(const tc::train::ClassificationMetrics& metrics);
    void showClassScores(const tc::train::ClassificationMetrics& metrics);
    void showHoverTip(QCustomPlot* plot, const QPoint& position);
    void offerPlotExport(QCustomPlot* plot, const QPoint& position);
    void exportMetricsInteractively();
    void dimRun(Run& run);
    void fitAxes();
    void scheduleReplot();

    QLabel* m_phaseLabel = nullptr;
    QLabel* m_detailLabel = nullptr;
    QLabel* m_runInfo = nullptr;
    QProgressBar* m_progress = nullptr;
    QCustomPlot* m_accuracyPlot = nullptr;
    QCustomPlot* m_lossPlot = nullptr;
    QCustomPlot* m_confusionPlot = nullptr;
    QCPColorMap* m_confusionMap = nullptr;
    QTableWidget* m_classTable = nullptr;
    QPushButton* m_clearButton = nullptr;
    std::vector<std::unique_ptr<Run>> m_runs;
    struct ComparedRun {
        QString name;
        std::vector<QCPGraph*> graphs;
    };
    std::vector<ComparedRun> m_compared;
    double m_liveEpochAxisEnd = 1.0; ///< what the live run needs of the epoch axis
    std::vector<std::vector<std::int64_t>> m_confusion;
    bool m_replotPending = false;
};

} // namespace tc::ui
