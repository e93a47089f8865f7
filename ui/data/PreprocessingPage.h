#pragma once

#include "ui/data/TaskRunner.h"

#include <QImage>
#include <QTimer>
#include <QWizardPage>
#include <vector>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QGridLayout;
class QLabel;
class QPushButton;
class QSpinBox;

namespace tc::ui {

struct DataWizardModel;

/// Page 5 of the Data Wizard: how images become network inputs (input size, resize mode,
/// normalisation) and how training images are randomly augmented, with a preview of sample
/// images of each class as the network sees them and a few augmented draws of each, rendered
/// by the real pipeline (ImagePipeline::preview) on a worker thread.
class PreprocessingPage : public QWizardPage {
    Q_OBJECT

public:
    /// Augmented draws shown per sample, next to the plain preprocessed image.
    static constexpr int kAugmentedDraws = 4;
    /// Sample rows in the preview: the classes share them (at least one row per class for
    /// the first kSampleRows classes).
    static constexpr int kSampleRows = 4;

    PreprocessingPage(DataWizardModel& model, QWidget* parent = nullptr);
    ~PreprocessingPage() override;

    QSpinBox* widthBox() const { return m_width; }
    QSpinBox* heightBox() const { return m_height; }
    QComboBox* presetBox() const { return m_preset; }
    QComboBox* resizeBox() const { return m_resize; }
    QComboBox* normalizationBox() const { return m_normalization; }
    QCheckBox* horizontalFlipBox() const { return m_horizontalFlip; }
    QCheckBox* verticalFlipBox() const { return m_verticalFlip; }
    QCheckBox* rotateBox() const { return m_rotate; }
    QDoubleSpinBox* cropBox() const { return m_crop; }
    QDoubleSpinBox* brightnessBox() const { return m_brightness; }
    QDoubleSpinBox* contrastBox() const { return m_contrast; }
    QDoubleSpinBox* stainBox() const { return m_stain; }
    QPushButton* otherSamplesButton() const { return m_otherSamples; }
    QLabel* cacheNote() const { return m_cacheNote; }

    /// Preview images currently shown: [sample][0 = preprocessed, 1… = augmented draws].
    const std::vector<std::vector<QImage>>& previewImages() const { return m_images; }
    bool isRendering() const { return m_runner.isRunning(); }

    void initializePage() override;

Q_SIGNALS:
    /// New preview images are shown.
    void previewUpdated();

private:
    void loadFromModel();
    void onSettingsChanged();
    void schedulePreview();
    void renderPreview();
    void showPreview(const std::vector<QString>& captions, const std::vector<int>& classIndices,
                     const std::vector<std::vector<QImage>>& images, const QStringList& errors);

    DataWizardModel& m_model;
    QComboBox* m_preset = nullptr;
    QSpinBox* m_width = nullptr;
    QSpinBox* m_height = nullptr;
    QComboBox* m_resize = nullptr;
    QComboBox* m_normalization = nullptr;
    QCheckBox* m_horizontalFlip = nullptr;
    QCheckBox* m_verticalFlip = nullptr;
    QCheckBox* m_rotate = nullptr;
    QDoubleSpinBox* m_crop = nullptr;
    QDoubleSpinBox* m_brightness = nullptr;
    QDoubleSpinBox* m_contrast = nullptr;
    QDoubleSpinBox* m_stain = nullptr;
    QLabel* m_cacheNote = nullptr;
    QPushButton* m_otherSamples = nullptr;
    QWidget* m_previewBox = nullptr;
    QGridLayout* m_previewGrid = nullptr;
    QLabel* m_previewStatus = nullptr;
    QTimer m_previewTimer;
    std::vector<std::vector<QImage>> m_images;
    int m_sampleRound = 0; ///< advanced by "Other samples": other images, other draws
    bool m_loading = false;
    /// Last; destroyed first, so that no render thread outlives what it reports to.
    TaskRunner m_runner;
};

} // namespace tc::ui
