#pragma once

#include <QJsonObject>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QSpinBox;

namespace tc::ui {

/// Edits the "training" section of a project: optimizer, learning rate and schedule, batch
/// size, epochs, class weights, label smoothing, early stopping, precision, device, feature
/// cache and seed. Every edit is reported with settingsEdited() (the main window turns it into an
/// undo step); setSettings() shows a section without emitting.
class TrainingSettingsPanel : public QWidget {
    Q_OBJECT

public:
    explicit TrainingSettingsPanel(QWidget* parent = nullptr);

    /// Shows `section`; a section the trainer would refuse shows its message instead.
    void setSettings(const QJsonObject& section);
    QJsonObject settings() const;

Q_SIGNALS:
    void settingsEdited(const QJsonObject& section);

private:
    void emitEdited();
    void updateEnabledState();
    /// Selects `device` ("cpu", "cuda:0"…), listing it as unavailable when this machine lacks it.
    void selectDevice(const QString& device);

    QComboBox* m_optimizer = nullptr;
    QDoubleSpinBox* m_learningRate = nullptr;
    QDoubleSpinBox* m_weightDecay = nullptr;
    QDoubleSpinBox* m_momentum = nullptr;
    QCheckBox* m_nesterov = nullptr;
    QSpinBox* m_batchSize = nullptr;
    QSpinBox* m_epochs = nullptr;
    QComboBox* m_schedule = nullptr;
    QComboBox* m_classWeights = nullptr;
    QDoubleSpinBox* m_labelSmoothing = nullptr;
    QCheckBox* m_earlyStopping = nullptr;
    QComboBox* m_watchedMetric = nullptr;
    QSpinBox* m_patience = nullptr;
    QComboBox* m_precision = nullptr;
    QComboBox* m_device = nullptr;
    QCheckBox* m_featureCache = nullptr;
    QCheckBox* m_featureCacheOnDisk = nullptr;
    QSpinBox* m_seed = nullptr;
    QLabel* m_error = nullptr;
    QJsonObject m_extra; ///< keys this panel does not edit, kept as they were
    bool m_updating = false;
};

} // namespace tc::ui
