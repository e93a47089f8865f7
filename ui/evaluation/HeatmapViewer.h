#pragma once

#include "ui/evaluation/ExplanationService.h"

#include <memory>
#include <QDialog>
#include <QStringList>

class QComboBox;
class QLabel;
class QSlider;

namespace tc::ui {

/// The image a heatmap is asked for, with what the evaluation knows about it.
struct HeatmapSubject {
    QString path;
    int trueClass = -1; ///< -1: unknown (an image opened in "Classify an image")
    QString group;      ///< the patient id; empty when unknown
};

/// One image and its Grad-CAM heatmap side by side: the image, the image with the heatmap laid
/// over it (viridis, adjustable opacity) and a colour bar; the class explained (the predicted
/// one or any other), the model's probabilities, the true class and the patient. Heatmaps are
/// computed on a worker thread; showing another image or closing the viewer cancels the
/// pending one, and failures are shown as a message naming the file.
class HeatmapViewer : public QDialog {
    Q_OBJECT

public:
    explicit HeatmapViewer(std::shared_ptr<ExplainerSource> source, QWidget* parent = nullptr);
    ~HeatmapViewer() override;

    /// The class names of the evaluation, for the class choice before a heatmap arrives.
    void setClassNames(const QStringList& classNames);
    /// Shows the viewer for `subject` and starts computing its heatmap.
    void showSubject(const HeatmapSubject& subject);
    const HeatmapSubject& subject() const { return m_subject; }

    /// The class to explain: -1 for the predicted one (the default).
    void setExplainedClass(int classIndex);
    int explainedClassChoice() const;
    /// The heatmap's opacity over the image, 0…1 (the slider's value / 100).
    void setOpacity(double alpha);
    double opacity() const;

    bool hasHeatmap() const { return m_hasHeatmap; }
    /// The heatmap shown (valid while hasHeatmap()).
    const Heatmap& heatmap() const { return m_heatmap; }
    bool isComputing() const { return m_explaining != 0; }
    ExplanationService* service() const { return m_service; }

    QLabel* imageLabel() const { return m_image; }
    QLabel* overlayLabel() const { return m_overlay; }
    QLabel* overlayCaption() const { return m_overlayCaption; }
    QLabel* detailsLabel() const { return m_details; }
    QLabel* messageLabel() const { return m_message; }
    QComboBox* classBox() const { return m_classBox; }
    QSlider* opacitySlider() const { return m_opacity; }

Q_SIGNALS:
    /// The heatmap of `path` for the chosen class is shown.
    void heatmapShown(const QString& path);
    /// The overlay was redrawn at another opacity.
    void overlayRecomposed(double alpha);
    /// No heatmap for `path`: `message` says why and names the file.
    void heatmapFailed(const QString& path, const QString& message);

protected:
    void hideEvent(QHideEvent* event) override;

private:
    void requestHeatmap();
    void onExplained(quint64 id, const QString& path);
    void onFailed(quint64 id, const QString& path, const QString& message);
    void showPixmaps();
    void showDetails();
    void fillClassBox(const QStringList& classNames);
    QString className(int index) const;

    ExplanationService* m_service = nullptr;
    QStringList m_classNames;
    HeatmapSubject m_subject;
    Heatmap m_heatmap;
    bool m_hasHeatmap = false;
    quint64 m_explaining = 0;  ///< the pending explanation request, 0 when none
    quint64 m_recomposing = 0; ///< the pending opacity change, 0 when none

    QLabel* m_title = nullptr;
    QLabel* m_image = nullptr;
    QLabel* m_overlay = nullptr;
    QLabel* m_overlayCaption = nullptr;
    QLabel* m_colourBar = nullptr;
    QLabel* m_details = nullptr;
    QLabel* m_message = nullptr;
    QComboBox* m_classBox = nullptr;
    QSlider* m_opacity = nullptr;
    QLabel* m_opacityValue = nullptr;
};

} // namespace tc::ui
