#pragma once

#include "ui/data/TaskRunner.h"
#include "ui/evaluation/EvaluationResults.h"

#include <memory>
#include <mutex>
#include <QGroupBox>
#include <QStringList>
#include <vector>

class QLabel;
class QProgressBar;
class QPushButton;
class QVBoxLayout;
class QGridLayout;

namespace tc::ui {

/// "Classify an image": the user opens or drops any image file and sees it with the predicted
/// class and the probability of every class as bars. The work is done by a predictor the
/// owner provides (a trained model); while there is none the panel says that a trained model
/// is needed and accepts no images. Predictions run on a worker thread.
class ImageClassifierPanel : public QGroupBox {
    Q_OBJECT

public:
    explicit ImageClassifierPanel(QWidget* parent = nullptr);
    ~ImageClassifierPanel() override;

    /// An empty function removes the predictor (e.g. when the model is discarded).
    void setPredictor(ImagePredictor predictor);
    bool hasPredictor() const { return bool(m_predictor); }
    /// Names of the classes, in the order of the probabilities.
    void setClassNames(const QStringList& classNames);

    /// Classifies `path` (what Open and a drop do). Without a predictor nothing happens.
    void classify(const QString& path);
    bool isClassifying() const { return m_busy; }

    /// Whether "Show heatmap" can be offered (a model that can be explained is known).
    void setHeatmapsAvailable(bool available);

    QPushButton* openButton() const { return m_open; }
    /// "Show heatmap": enabled after a successful classification when heatmaps are available.
    QPushButton* heatmapButton() const { return m_heatmap; }
    QLabel* dropArea() const { return m_drop; }
    QLabel* predictionLabel() const { return m_prediction; }
    QLabel* messageLabel() const { return m_message; }
    /// The bar of class `index`, or nullptr.
    QProgressBar* probabilityBar(int index) const;
    /// The path last classified (successfully or not).
    QString lastPath() const { return m_lastPath; }

Q_SIGNALS:
    /// The result for `path` is shown: the prediction, or the error message.
    void classified(const QString& path, bool ok);
    /// The user asked for the heatmap of the image last classified.
    void heatmapRequested(const QString& path);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void openImage();
    void showPrediction(const QString& path, const QImage& image, const Prediction& prediction);
    void rebuildBars(int count);
    void updateAvailability();
    void updateHeatmapButton();

    ImagePredictor m_predictor;
    /// Serialises predictor calls: a new request may start while an older one still runs.
    std::shared_ptr<std::mutex> m_predictorMutex = std::make_shared<std::mutex>();
    QStringList m_classNames;
    QLabel* m_drop = nullptr;
    QPushButton* m_open = nullptr;
    QPushButton* m_heatmap = nullptr;
    bool m_heatmapsAvailable = false;
    bool m_lastOk = false;
    QLabel* m_prediction = nullptr;
    QLabel* m_message = nullptr;
    QWidget* m_barsBox = nullptr;
    QGridLayout* m_barsLayout = nullptr;
    std::vector<QLabel*> m_barNames;
    std::vector<QProgressBar*> m_bars;
    QString m_lastPath;
    bool m_busy = false;
    /// Last; destroyed first, so that no prediction thread outlives what it reports to.
    TaskRunner m_runner;
};

} // namespace tc::ui
