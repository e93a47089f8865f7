#pragma once

#include "core/export/Exporter.h"

#include <atomic>
#include <memory>
#include <optional>
#include <QMetaType>
#include <QObject>
#include <QStringList>

namespace tc::ui {

/// One export as the Export dialog runs it: write the file, then re-score `verifyImages`
/// with the source model and with the written file.
struct ExportJob {
    QString source;
    exporting::ExportOptions options;
    QStringList verifyImages;
};

/// What an ExportJob ended with.
struct ExportOutcome {
    exporting::ExportResult result;
    /// Set when images were re-scored (even when cancelled part-way).
    std::optional<exporting::Agreement> agreement;
    /// Why the check could not run (the export itself succeeded).
    QString verificationError;
    bool cancelled = false;

    bool ok() const { return result.ok() && verificationError.isEmpty() && !cancelled; }
};

/// Runs an ExportJob on the thread it lives on (the dialog moves it to a QThread) and
/// reports through queued signals. cancel() is safe from any thread: it stops the check
/// at the next image (writing a file is short and always completes or fails cleanly).
class ExportWorker : public QObject {
    Q_OBJECT

public:
    explicit ExportWorker(ExportJob job);

    void cancel() { m_cancel->store(true); }
    /// The flag cancel() sets; the dialog keeps it to cancel after the worker is gone.
    std::shared_ptr<std::atomic<bool>> cancelFlag() const { return m_cancel; }

public Q_SLOTS:
    void run();

Q_SIGNALS:
    void status(const QString& message);
    /// Images re-scored so far, of `total` (both models: 2 × images).
    void progress(int done, int total);
    void finished(const tc::ui::ExportOutcome& outcome);

private:
    /// The export and its check; may throw, run() turns that into outcome.result.error.
    void exportAndVerify(ExportOutcome& outcome);

    ExportJob m_job;
    std::shared_ptr<std::atomic<bool>> m_cancel;
};

} // namespace tc::ui

Q_DECLARE_METATYPE(tc::ui::ExportOutcome)
