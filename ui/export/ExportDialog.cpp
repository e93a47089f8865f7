#include "ui/export/ExportDialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QThread>
#include <QToolButton>
#include <QVBoxLayout>

namespace tc::ui {

namespace {

using exporting::ExportFormat;

/// The format combo's entries, in order.
constexpr ExportFormat kFormats[] = {ExportFormat::TorchScript, ExportFormat::Onnx,
                                     ExportFormat::SafeTensors};

QString formatDescription(ExportFormat format) {
    switch (format) {
    case ExportFormat::TorchScript:
        return QObject::tr("TorchScript (.pt): PyTorch and LibTorch, no Python code needed");
    case ExportFormat::Onnx:
        return QObject::tr("ONNX (.onnx, opset 13): ONNX Runtime, OpenCV DNN, TensorRT…");
    case ExportFormat::SafeTensors:
        return QObject::tr("safetensors (.safetensors + .json): weights with torchvision names");
    }
    return {};
}

} // namespace

ExportDialog::ExportDialog(QWidget* parent)
    : QDialog(parent) {
    setWindowTitle(tr("Export Model"));
    buildUi();
    updateControls();
}

ExportDialog::~ExportDialog() {
    // Cancel the check and wait: the worker must not outlive what it reports to.
    if (m_cancel)
        m_cancel->store(true);
    if (QThread* thread = m_thread) {
        thread->quit();
        thread->wait();
    }
}

void ExportDialog::buildUi() {
    auto* form = new QFormLayout;

    m_source = new QLineEdit(this);
    m_source->setObjectName(QStringLiteral("source"));
    m_source->setPlaceholderText(tr("A training run, a checkpoint or an exported model"));
    auto* browseSource = new QToolButton(this);
    browseSource->setText(tr("…"));
    browseSource->setToolTip(tr("Choose a checkpoint or exported model"));
    connect(browseSource, &QToolButton::clicked, this, &ExportDialog::browseSource);
    auto* sourceRow = new QHBoxLayout;
    sourceRow->addWidget(m_source);
    sourceRow->addWidget(browseSource);
    auto* sourceRowLabel = new QLabel(tr("&Model:"), this);
    sourceRowLabel->setBuddy(m_source); // a layout row has no buddy of its own
    form->addRow(sourceRowLabel, sourceRow);

    m_format = new QComboBox(this);
    m_format->setObjectName(QStringLiteral("format"));
    for (const ExportFormat format : kFormats)
        m_format->addItem(formatDescription(format), int(format));
    form->addRow(tr("&Format:"), m_format);

    m_preprocessing = new QCheckBox(tr("Include &preprocessing: the model takes RGB images of "
                                       "any size (uint8) and resizes and normalises them as "
                                       "TorchCanvas does"),
                                    this);
    m_preprocessing->setObjectName(QStringLiteral("withPreprocessing"));
    form->addRow(QString(), m_preprocessing);
    m_explanations = new QCheckBox(tr("Include &Grad-CAM: a method gradcam(image, class) returns "
                                      "the heatmap (models that start with a ResNet)"),
                                   this);
    m_explanations->setObjectName(QStringLiteral("withExplanations"));
    form->addRow(QString(), m_explanations);

    m_output = new QLineEdit(this);
    m_output->setObjectName(QStringLiteral("output"));
    auto* browseOutput = new QToolButton(this);
    browseOutput->setText(tr("…"));
    browseOutput->setToolTip(tr("Choose where to save"));
    connect(browseOutput, &QToolButton::clicked, this, &ExportDialog::browseOutput);
    auto* outputRow = new QHBoxLayout;
    outputRow->addWidget(m_output);
    outputRow->addWidget(browseOutput);
    auto* outputRowLabel = new QLabel(tr("&Save as:"), this);
    outputRowLabel->setBuddy(m_output); // a layout row has no buddy of its own
    form->addRow(outputRowLabel, outputRow);

    m_card = new QCheckBox(tr("Write a model &card (.md) next to it"), this);
    m_card->setObjectName(QStringLiteral("modelCard"));
    m_card->setChecked(true);
    form->addRow(QString(), m_card);
    m_verify = new QCheckBox(this);
    m_verify->setObjectName(QStringLiteral("verify"));
    m_verify->setChecked(true);
    form->addRow(QString(), m_verify);

    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("progress"));
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("status"));
    m_result = new QLabel(this);
    m_result->setObjectName(QStringLiteral("result"));
    m_result->setWordWrap(true);
    m_result->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_buttons = new QDialogButtonBox(this);
    m_exportButton = m_buttons->addButton(tr("&Export"), QDialogButtonBox::AcceptRole);
    m_exportButton->setDefault(true);
    m_cancelButton = m_buttons->addButton(QDialogButtonBox::Cancel);
    m_buttons->addButton(QDialogButtonBox::Close);
    connect(m_exportButton, &QPushButton::clicked, this, [this] { startExport(); });
    connect(m_cancelButton, &QPushButton::clicked, this, &ExportDialog::cancel);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &ExportDialog::reject);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_progress);
    layout->addWidget(m_status);
    layout->addWidget(m_result);
    layout->addStretch();
    layout->addWidget(m_buttons);

    connect(m_format, &QComboBox::currentIndexChanged, this, [this] {
        adjustSuffix();
        updateControls();
    });
    connect(m_source, &QLineEdit::textChanged, this, &ExportDialog::updateControls);
    connect(m_output, &QLineEdit::textChanged, this, &ExportDialog::updateControls);
    resize(620, sizeHint().height());
}

void ExportDialog::setSource(const QString& source) {
    m_source->setText(source);
}

QString ExportDialog::source() const {
    return m_source->text().trimmed();
}

void ExportDialog::setValidationImages(const QStringList& images) {
    m_images = images;
    updateControls();
}

void ExportDialog::setOutputPath(const QString& path) {
    m_output->setText(path);
    adjustSuffix();
}

QString ExportDialog::outputPath() const {
    return m_output->text().trimmed();
}

void ExportDialog::setFormat(ExportFormat format, bool withPreprocessing) {
    m_format->setCurrentIndex(m_format->findData(int(format)));
    m_preprocessing->setChecked(withPreprocessing && format == ExportFormat::TorchScript);
    updateControls();
}

ExportFormat ExportDialog::format() const {
    return ExportFormat(m_format->currentData().toInt());
}

bool ExportDialog::withPreprocessing() const {
    return format() == ExportFormat::TorchScript && m_preprocessing->isChecked();
}

void ExportDialog::setWithExplanations(bool withExplanations) {
    m_explanations->setChecked(withExplanations);
}

bool ExportDialog::withExplanations() const {
    return format() == ExportFormat::TorchScript && m_explanations->isChecked();
}

QString ExportDialog::resultText() const {
    return m_result->text();
}

void ExportDialog::updateControls() {
    const bool running = isRunning();
    m_preprocessing->setEnabled(!running && format() == ExportFormat::TorchScript);
    m_explanations->setEnabled(!running && format() == ExportFormat::TorchScript);
    m_verify->setText(m_images.isEmpty()
                          ? tr("Check the export on the validation images (none available)")
                          : tr("Check the export on the %1 validation image%2")
                                .arg(m_images.size())
                                .arg(m_images.size() == 1 ? QString() : QStringLiteral("s")));
    m_verify->setEnabled(!running && !m_images.isEmpty());
    for (QWidget* widget : {static_cast<QWidget*>(m_source), static_cast<QWidget*>(m_format),
                            static_cast<QWidget*>(m_output), static_cast<QWidget*>(m_card)})
        widget->setEnabled(!running);
    m_exportButton->setEnabled(!running && !source().isEmpty() && !outputPath().isEmpty());
    m_cancelButton->setVisible(running);
    m_buttons->button(QDialogButtonBox::Close)->setEnabled(!running);
}

void ExportDialog::adjustSuffix() {
    const QString path = outputPath();
    if (path.isEmpty())
        return;
    const QFileInfo info(path);
    const QString suffix = exporting::exportSuffix(format());
    if (info.suffix().compare(suffix, Qt::CaseInsensitive) == 0)
        return;
    const QString base = info.suffix().isEmpty() ? info.fileName() : info.completeBaseName();
    const QSignalBlocker blocker(m_output);
    m_output->setText(info.dir().filePath(base + QLatin1Char('.') + suffix));
}

void ExportDialog::browseOutput() {
    const QString suffix = exporting::exportSuffix(format());
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export Model As"), outputPath(),
        tr("%1 (*.%2)").arg(exporting::exportFormatName(format()), suffix));
    if (!path.isEmpty())
        setOutputPath(path);
}

void ExportDialog::browseSource() {
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Model to Export"), source(),
        tr("Checkpoints and exports (*.pt *.safetensors *.tcproj);;All files (*)"));
    if (!path.isEmpty())
        setSource(path);
}

bool ExportDialog::startExport() {
    if (isRunning())
        return false;
    if (source().isEmpty() || outputPath().isEmpty()) {
        showError(tr("Choose the model to export and where to save it."));
        return false;
    }
    // The suggested path may be in a folder that does not exist yet (exports/ next to the
    // project): create it, as a file dialog's "new folder" would have.
    const QFileInfo output(outputPath());
    if (!QDir().mkpath(output.absolutePath())) {
        showError(tr("Cannot create the folder %1.").arg(output.absolutePath()));
        return false;
    }
    ExportJob job;
    job.source = source();
    job.options.format = format();
    job.options.output = outputPath();
    job.options.withPreprocessing = withPreprocessing();
    job.options.withExplanations = withExplanations();
    job.options.modelCard = m_card->isChecked();
    if (m_verify->isChecked())
        job.verifyImages = m_images;

    m_outcome.reset();
    m_result->clear();
    m_status->setText(tr("Exporting…"));
    m_progress->setRange(0, 0); // busy until the check reports

    auto* thread = new QThread;
    auto* worker = new ExportWorker(std::move(job));
    m_cancel = worker->cancelFlag();
    worker->moveToThread(thread);
    connect(thread, &QThread::started, worker, &ExportWorker::run);
    // Direct: quit() is thread-safe, and the GUI thread may be waiting in the destructor.
    connect(worker, &ExportWorker::finished, thread, &QThread::quit, Qt::DirectConnection);
    connect(worker, &ExportWorker::status, this, &ExportDialog::onStatus);
    connect(worker, &ExportWorker::progress, this, &ExportDialog::onProgress);
    connect(worker, &ExportWorker::finished, this, &ExportDialog::onFinished);
    connect(thread, &QThread::finished, worker, &QObject::deleteLater);
    connect(thread, &QThread::finished, thread, &QObject::deleteLater);
    m_thread = thread;
    updateControls();
    thread->start();
    return true;
}

void ExportDialog::cancel() {
    if (m_cancel)
        m_cancel->store(true);
    m_status->setText(tr("Cancelling…"));
}

void ExportDialog::reject() {
    if (isRunning()) {
        cancel();
        m_closeRequested = true; // closes once the worker has stopped (see onFinished)
        return;
    }
    QDialog::reject();
}

void ExportDialog::onStatus(const QString& message) {
    m_status->setText(message);
}

void ExportDialog::onProgress(int done, int total) {
    m_progress->setRange(0, std::max(total, 1));
    m_progress->setValue(done);
}

void ExportDialog::onFinished(const ExportOutcome& outcome) {
    m_thread = nullptr; // deletes itself once finished
    m_outcome = outcome;
    m_progress->setRange(0, 1);
    m_progress->setValue(outcome.result.ok() ? 1 : 0);
    updateControls();

    if (!outcome.result.ok()) {
        showError(outcome.result.error);
        Q_EMIT exportFinished(false);
        if (std::exchange(m_closeRequested, false))
            QDialog::reject();
        return;
    }
    QString text = tr("Wrote %1.").arg(outcome.result.files.join(QStringLiteral(", ")));
    if (outcome.agreement) {
        const exporting::Agreement& a = *outcome.agreement;
        text += QLatin1Char('\n') +
                tr("Check on the validation images: the same prediction for %1 of %2 images "
                   "(%3 %); largest probability difference %4.")
                    .arg(a.identical)
                    .arg(a.compared)
                    .arg(QString::number(100.0 * a.identicalShare(), 'f', 1))
                    .arg(QString::number(a.maxProbabilityDifference, 'g', 2));
        text += QLatin1Char(' ') +
                (a.withinTolerance()
                     ? tr("Within the tolerance of the model's precision (%1).")
                           .arg(QString::number(a.tolerance, 'g', 2))
                     : tr("That is more than the tolerance of the model's precision (%1): the "
                          "exported file does not compute what was trained.")
                           .arg(QString::number(a.tolerance, 'g', 2)));
        if (!a.failures.isEmpty())
            text += QLatin1Char('\n') + tr("%1 of the images could not be classified, e.g. %2")
                                            .arg(a.images - a.compared)
                                            .arg(a.failures.first());
    }
    if (!outcome.verificationError.isEmpty())
        text +=
            QLatin1Char('\n') + tr("The check could not run: %1").arg(outcome.verificationError);
    if (outcome.cancelled)
        text += QLatin1Char('\n') + tr("The check was cancelled.");
    m_status->setText(outcome.ok() ? tr("Done.") : tr("Done, with problems."));
    m_result->setText(text);
    Q_EMIT exportFinished(true);
    if (std::exchange(m_closeRequested, false))
        QDialog::reject();
}

void ExportDialog::showError(const QString& message) {
    m_status->setText(tr("Export failed."));
    m_result->setText(message);
}

} // namespace tc::ui
