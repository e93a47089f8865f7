#include "ui/export/ExportWorker.h"

#include "core/util/Failure.h"
#include "core/util/Runtime.h"

#include <QElapsedTimer>
#include <QFileInfo>

namespace tc::ui {

ExportWorker::ExportWorker(ExportJob job)
    : m_job(std::move(job))
    , m_cancel(std::make_shared<std::atomic<bool>>(false)) {
    qRegisterMetaType<tc::ui::ExportOutcome>();
}

void ExportWorker::run() {
    // LibTorch's thread count is per thread: without this the export thread runs on one core.
    runtime::configureCurrentThread();
    ExportOutcome outcome;
    try {
        exportAndVerify(outcome);
    } catch (...) {
        // Nothing may escape the export thread; the dialog shows the failure like any other.
        outcome.result.error = util::describeCurrentException();
    }
    Q_EMIT finished(outcome);
}

void ExportWorker::exportAndVerify(ExportOutcome& outcome) {
    outcome.result = exporting::exportModel(
        m_job.source, m_job.options, [this](const QString& message) { Q_EMIT status(message); });
    if (outcome.result.ok() && !m_job.verifyImages.isEmpty() && !m_cancel->load()) {
        Q_EMIT status(
            tr("Checking the export on the validation images (%1)").arg(m_job.verifyImages.size()));
        // At most ~20 progress signals per second reach the GUI.
        QElapsedTimer throttle;
        throttle.start();
        auto progress = [&](int done, int total) {
            if (done == total || throttle.elapsed() >= 50) {
                throttle.restart();
                Q_EMIT this->progress(done, total);
            }
            return !m_cancel->load();
        };
        QString error;
        outcome.agreement = exporting::compareModels(m_job.source, m_job.options.output,
                                                     m_job.verifyImages, progress, &error);
        if (!outcome.agreement)
            outcome.verificationError = error;
        else
            outcome.cancelled = outcome.agreement->cancelled;
    } else if (m_cancel->load()) {
        outcome.cancelled = true;
    }
}

} // namespace tc::ui
