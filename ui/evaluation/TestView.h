#pragma once

#include "core/train/Metrics.h"
#include "ui/data/TaskRunner.h"
#include "ui/evaluation/EvaluationResults.h"

#include <memory>
#include <optional>
#include <QPoint>
#include <QWidget>
#include <utility>
#include <vector>

class QCheckBox;
class QComboBox;
class QCPColorMap;
class QCPItemRect;
class QCustomPlot;
class QLabel;
class QListWidget;
class QPushButton;
class QStackedWidget;
class QTabWidget;

namespace tc::ui {

class ExplainerSource;
class HeatmapThumbnails;
class HardestImagesPanel;
class HeatmapViewer;
class CalibrationPanel;
class ImageClassifierPanel;
class OperatingPointPanel;
class PatientPanel;
class RocOperatingPoint;

/// The Test view: how the trained model does on the test split, and a place to try it on any
/// image.
///
/// - Accuracy, sensitivity and specificity (for a chosen positive class, one against the
///   rest), each with its Wilson 95 % confidence interval, and the ROC AUC;
/// - the confusion matrix as a heatmap: clicking a cell lists those images as thumbnails with
///   their probabilities;
/// - the ROC curve of the positive class, with the operating point of the predicted classes;
/// - the operating point: a threshold chosen on the validation split (presets) or by hand,
///   shown as a draggable marker on the ROC curve, with its test figures, the calibration of
///   the probabilities and patient-level results (tabs below the plots);
/// - "Classify an image": open or drop any image to see the predicted class and every class's
///   probability (needs a predictor, see setPredictor()).
///
/// The view only shows results; the main window evaluates the model (on request, see
/// evaluateRequested()) and passes them in with setResults().
class TestView : public QWidget {
    Q_OBJECT

public:
    /// The numbers at the top.
    enum class Metric { Accuracy, Sensitivity, Specificity, RocAuc };
    /// Thumbnails listed for one cell at most.
    static constexpr int kMaxThumbnails = 300;

    explicit TestView(QWidget* parent = nullptr);
    ~TestView() override;

    /// Shows `results`. Invalid results (see EvaluationResults::validate) are refused: the
    /// view shows why and returns false. The positive class is chosen from the class names
    /// (malignant, positive, tumour, … else the last class) unless the user chose one.
    bool setResults(const EvaluationResults& results);
    /// Back to "no evaluation yet".
    void clearResults();
    bool hasResults() const { return m_hasResults; }
    const EvaluationResults& results() const { return m_results; }
    /// Why the last setResults() was refused; empty when it was not.
    QString resultsError() const { return m_resultsError; }

    /// The callable behind "Classify an image"; an empty function removes it (the area then
    /// explains that a trained model is needed).
    void setPredictor(ImagePredictor predictor);
    bool hasPredictor() const;
    /// The model heatmaps are computed with (a run folder, checkpoint, project or export);
    /// empty: the results' run folder (EvaluationResults::runDirectory).
    void setExplainerSource(const QString& path);
    /// The model heatmaps are computed with now; empty when there is none.
    QString explainerSource() const;
    /// Opens the heatmap viewer on image `index` of results().images.
    void showHeatmap(int imageIndex);
    /// Opens the heatmap viewer on any image file (e.g. one classified in the side panel).
    void showHeatmapOf(const QString& imagePath);

    /// Class names for the classify area before any results are set.
    void setClassNames(const QStringList& classNames);

    /// The positive class of sensitivity, specificity and the ROC curve.
    void setPositiveClass(int classIndex);
    int positiveClass() const { return m_positive; }

    /// Metrics over all images (confusion [true][predicted]).
    const tc::train::ClassificationMetrics& metrics() const { return m_metrics; }
    /// ROC AUC of the positive class against the rest; absent when a side has no images.
    std::optional<double> rocAuc() const { return m_auc; }

    /// Selects a confusion-matrix cell, as a click on it does; lists its images.
    void selectCell(int trueClass, int predictedClass);
    /// (true, predicted), or (-1, -1) when none is selected.
    std::pair<int, int> selectedCell() const { return m_selected; }
    /// Indices into results().images of the listed thumbnails, in the order shown (most
    /// confident first).
    const std::vector<int>& listedImages() const { return m_listed; }
    /// Thumbnails decoded so far for the selected cell.
    int loadedThumbnailCount() const { return m_loadedThumbnails; }
    /// Where cell (true, predicted) is drawn, in confusionPlot() coordinates.
    QPoint cellCenter(int trueClass, int predictedClass) const;

    QLabel* valueLabel(Metric metric) const;
    QLabel* intervalLabel(Metric metric) const;
    QLabel* descriptionLabel() const { return m_description; }
    /// Below the numbers: where the backbone came from (a warning when it was random) and,
    /// when the model predicts one class for every image, that it does.
    QLabel* trustNotice() const { return m_trustNotice; }
    QComboBox* positiveClassBox() const { return m_positiveBox; }
    QCustomPlot* confusionPlot() const { return m_confusionPlot; }
    QCustomPlot* rocPlot() const { return m_rocPlot; }
    QListWidget* thumbnailList() const { return m_thumbnails; }
    QLabel* cellTitle() const { return m_cellTitle; }
    /// The tabs below the plots ("Images of the cell" first).
    QTabWidget* detailsTabs() const { return m_details; }
    ImageClassifierPanel* classifierPanel() const { return m_classifier; }
    /// The "Hardest images" tab.
    HardestImagesPanel* hardestPanel() const { return m_hardest; }
    /// The Grad-CAM viewer (a window of its own, hidden until a heatmap is asked for).
    HeatmapViewer* heatmapViewer() const { return m_viewer; }
    /// "Show heatmap" above the cell's thumbnails (for the selected thumbnail).
    QPushButton* cellHeatmapButton() const { return m_cellHeatmap; }
    /// "Heatmap thumbnails": the cell's thumbnails show their heatmaps (computed in the
    /// background, one after another).
    QCheckBox* heatmapThumbnailsBox() const { return m_cellHeatmaps; }
    /// Heatmap thumbnails shown so far for the selected cell.
    int heatmapThumbnailCount() const { return m_heatmapThumbnailCount; }
    OperatingPointPanel* operatingPointPanel() const { return m_operatingPoint; }
    CalibrationPanel* calibrationPanel() const { return m_calibration; }
    PatientPanel* patientPanel() const { return m_patients; }
    /// The operating point's marker on rocPlot().
    RocOperatingPoint* rocOperatingPoint() const { return m_rocMarker; }

    /// The decision policy for results that bring no operating point (the project's).
    void setDefaultDecisionPolicy(const tc::train::DecisionPolicy& policy);

Q_SIGNALS:
    /// The user asked for an evaluation of the test split (the empty state's button).
    void evaluateRequested();
    /// A confusion-matrix cell was selected.
    void cellSelected(int trueClass, int predictedClass);
    /// Every thumbnail of the selected cell is decoded.
    void thumbnailsLoaded();
    /// Every heatmap thumbnail of the selected cell has been computed (or failed).
    void heatmapThumbnailsLoaded();
    /// The user moved the operating point (threshold, rule, temperature or aggregation).
    void operatingPointChanged(const tc::train::OperatingPoint& point);
    /// The operating point was saved into the run folder (operating-point.json); its policy
    /// is the one the project should keep.
    void operatingPointSaved(const tc::train::OperatingPoint& point);

private:
    struct MetricCard {
        QLabel* title = nullptr;
        QLabel* value = nullptr;
        QLabel* interval = nullptr;
    };
    MetricCard makeCard(Metric metric, const QString& title, QWidget* parent);
    void showMetrics();
    void showTrustNotice();
    void showConfusion();
    void showRoc();
    void showCell();
    void showOperatingPoint();
    void onConfusionClicked(const QPoint& position);
    void setUpExplanations();
    void updateExplanationSource();
    void showThumbnailMenu(const QPoint& position);

    EvaluationResults m_results;
    bool m_hasResults = false;
    QString m_resultsError;
    int m_positive = 1;
    bool m_positiveChosen = false;
    tc::train::ClassificationMetrics m_metrics;
    std::optional<double> m_auc;
    std::pair<int, int> m_selected{-1, -1};
    std::vector<int> m_listed;
    int m_loadedThumbnails = 0;

    QStackedWidget* m_stack = nullptr;
    QLabel* m_emptyText = nullptr;
    QPushButton* m_evaluate = nullptr;
    QLabel* m_description = nullptr;
    QComboBox* m_positiveBox = nullptr;
    std::vector<MetricCard> m_cards;
    QLabel* m_trustNotice = nullptr;
    QCustomPlot* m_confusionPlot = nullptr;
    QCPColorMap* m_confusionMap = nullptr;
    QCPItemRect* m_selection = nullptr;
    QCustomPlot* m_rocPlot = nullptr;
    QTabWidget* m_details = nullptr;
    QLabel* m_cellTitle = nullptr;
    QListWidget* m_thumbnails = nullptr;
    ImageClassifierPanel* m_classifier = nullptr;
    std::shared_ptr<ExplainerSource> m_explainerSource;
    QString m_explainerOverride;
    HardestImagesPanel* m_hardest = nullptr;
    HeatmapViewer* m_viewer = nullptr;
    QPushButton* m_cellHeatmap = nullptr;
    QCheckBox* m_cellHeatmaps = nullptr;
    HeatmapThumbnails* m_heatmapThumbnails = nullptr;
    int m_heatmapThumbnailCount = 0;
    OperatingPointPanel* m_operatingPoint = nullptr;
    CalibrationPanel* m_calibration = nullptr;
    PatientPanel* m_patients = nullptr;
    RocOperatingPoint* m_rocMarker = nullptr;
    /// Last; destroyed first, so that no thumbnail thread outlives what it reports to.
    TaskRunner m_runner;
};

} // namespace tc::ui
