#pragma once

#include "ui/data/TaskRunner.h"
#include "ui/evaluation/EvaluationResults.h"

#include <QWidget>
#include <utility>
#include <vector>

class QComboBox;
class QLabel;
class QTableWidget;

namespace tc::ui {

/// A misclassified image and how wrong the model was about it.
struct HardImage {
    int index = -1;     ///< into EvaluationResults::images
    int predicted = -1; ///< the predicted class
    double loss = 0.0;  ///< −ln p(true class): the cross-entropy of this image
};

/// The misclassified images of `results` (optionally only those of true class `trueClass`
/// predicted as `predictedClass`; -1 for any), most confidently wrong first: sorted by loss,
/// then by index. A probability of 0 counts as the smallest positive float.
std::vector<HardImage> hardestImages(const EvaluationResults& results, int trueClass = -1,
                                     int predictedClass = -1);

/// "Hardest images": the misclassified test images, most confidently wrong first, each with its
/// thumbnail, file name, true and predicted class, p(predicted), loss and patient. A filter
/// chooses all of them, the confusion cell selected in the Test view (the default) or any wrong
/// cell. A click on a row asks for its heatmap (imageActivated()).
class HardestImagesPanel : public QWidget {
    Q_OBJECT

public:
    /// Rows listed at most.
    static constexpr int kMaxRows = 500;
    enum Column {
        ThumbnailColumn,
        FileColumn,
        TrueColumn,
        PredictedColumn,
        ProbabilityColumn,
        LossColumn,
        PatientColumn,
        ColumnCount
    };

    explicit HardestImagesPanel(QWidget* parent = nullptr);
    ~HardestImagesPanel() override;

    void setResults(const EvaluationResults& results);
    void clear();
    /// The Test view's selected cell; followed while the filter says so. A correct cell (or
    /// none) shows every misclassified image.
    void setSelectedCell(int trueClass, int predictedClass);

    /// Fixes the filter to the wrong cell (true, predicted), or to every misclassified image
    /// with (-1, -1).
    void setFilter(int trueClass, int predictedClass);
    /// Back to the default: the filter follows setSelectedCell().
    void followSelectedCell();
    /// The cell listed now: (-1, -1) for every misclassified image.
    std::pair<int, int> listedCell() const { return m_listedCell; }

    /// What is listed, in order.
    const std::vector<HardImage>& listed() const { return m_listed; }
    int loadedThumbnailCount() const { return m_loadedThumbnails; }

    QTableWidget* table() const { return m_table; }
    QComboBox* filterBox() const { return m_filter; }
    QLabel* titleLabel() const { return m_title; }

Q_SIGNALS:
    /// A row was clicked: `index` into EvaluationResults::images.
    void imageActivated(int index);
    /// Every thumbnail of the listed rows is decoded.
    void thumbnailsLoaded();

private:
    void fillFilter();
    void applyFilter();
    void showRows();

    EvaluationResults m_results;
    std::pair<int, int> m_selectedCell{-1, -1};
    std::pair<int, int> m_listedCell{-1, -1};
    std::vector<HardImage> m_listed;
    int m_loadedThumbnails = 0;

    QLabel* m_title = nullptr;
    QComboBox* m_filter = nullptr;
    QTableWidget* m_table = nullptr;
    /// Last; destroyed first, so that no thumbnail thread outlives what it reports to.
    TaskRunner m_runner;
};

} // namespace tc::ui
