#pragma once

#include "core/export/Exporter.h"
#include "ui/export/ExportWorker.h"

#include <atomic>
#include <memory>
#include <optional>
#include <QDialog>
#include <QPointer>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QThread;

namespace tc::ui {

/// File > Export…: writes a trained model as TorchScript (bare or with preprocessing), ONNX
/// or safetensors, with its model card, on a worker thread; then re-scores the validation
/// images with the written file and shows how well it agrees with the trained model (share
/// of identical predictions, largest probability difference).
///
/// Typical use from the main window:
///
///     ExportDialog dialog(this);
///     dialog.setSource(runFolder);                 // or a checkpoint / an export
///     dialog.setValidationImages(validationPaths); // may be empty: no check
///     dialog.setOutputPath(projectDir + "/exports/model.pt");
///     dialog.exec();
///
/// Closing or destroying the dialog during an export cancels the check and waits for the
/// worker (writing one file always completes).
class ExportDialog : public QDialog {
    Q_OBJECT

public:
    explicit ExportDialog(QWidget* parent = nullptr);
    ~ExportDialog() override;

    /// The trained model: a run folder, a checkpoint, a project, or a TorchScript/safetensors
    /// export (see exporting::exportModel()).
    void setSource(const QString& source);
    QString source() const;
    /// Images to re-score after writing (the validation split). Empty: no agreement check.
    void setValidationImages(const QStringList& images);
    QStringList validationImages() const { return m_images; }
    /// The file to write; its suffix follows the format chosen afterwards.
    void setOutputPath(const QString& path);
    QString outputPath() const;
    void setFormat(exporting::ExportFormat format, bool withPreprocessing = false);
    exporting::ExportFormat format() const;
    bool withPreprocessing() const;
    /// TorchScript: the export gets a gradcam() method (exporting::ExportOptions).
    void setWithExplanations(bool withExplanations);
    bool withExplanations() const;

    /// Starts the export (the Export button). Returns false with the reason shown in the
    /// dialog when the inputs are incomplete or an export is already running.
    bool startExport();
    bool isRunning() const { return m_thread != nullptr; }
    /// The result of the last export, once exportFinished() was emitted.
    const std::optional<ExportOutcome>& lastOutcome() const { return m_outcome; }
    /// The text of the result area (what the user reads after an export).
    QString resultText() const;

Q_SIGNALS:
    /// After every export attempt; `ok` when the file was written (and checked, if asked).
    void exportFinished(bool ok);

public Q_SLOTS:
    /// Escape / Close: during an export, cancels the check and closes once the worker stops.
    void reject() override;

private:
    void buildUi();
    void updateControls();
    void adjustSuffix();
    void browseOutput();
    void browseSource();
    void cancel();
    void onStatus(const QString& message);
    void onProgress(int done, int total);
    void onFinished(const tc::ui::ExportOutcome& outcome);
    void showError(const QString& message);

    QStringList m_images;
    std::optional<ExportOutcome> m_outcome;
    QPointer<QThread> m_thread;
    std::shared_ptr<std::atomic<bool>> m_cancel;
    bool m_closeRequested = false;

    QLineEdit* m_source = nullptr;
    QComboBox* m_format = nullptr;
    QCheckBox* m_preprocessing = nullptr;
    QCheckBox* m_explanations = nullptr;
    QLineEdit* m_output = nullptr;
    QCheckBox* m_card = nullptr;
    QCheckBox* m_verify = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_status = nullptr;
    QLabel* m_result = nullptr;
    QDialogButtonBox* m_buttons = nullptr;
    QPushButton* m_exportButton = nullptr;
    QPushButton* m_cancelButton = nullptr;
};

} // namespace tc::ui
