#include "ui/editor/WeightsDownloadBar.h"

#include "ui/editor/WeightsDownload.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>

namespace tc::ui {

namespace {

QString megabytes(qint64 bytes) {
    return QString::number(double(bytes) / 1e6, 'f', 1);
}

} // namespace

WeightsDownloadBar::WeightsDownloadBar(WeightsDownload* download, QWidget* parent)
    : QFrame(parent)
    , m_download(download) {
    setObjectName(QStringLiteral("weightsDownloadBar"));
    setFrameShape(QFrame::StyledPanel);
    m_text = new QLabel(this);
    m_text->setObjectName(QStringLiteral("weightsDownloadText"));
    m_text->setWordWrap(true);
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("weightsDownloadProgress"));
    m_progress->setRange(0, 1000);
    m_progress->setTextVisible(false);
    m_progress->setMaximumWidth(260);
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->setObjectName(QStringLiteral("weightsDownloadCancel"));
    m_dismiss = new QPushButton(tr("Dismiss"), this);
    m_dismiss->setObjectName(QStringLiteral("weightsDownloadDismiss"));
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 4, 8, 4);
    layout->addWidget(m_text, 1);
    layout->addWidget(m_progress);
    layout->addWidget(m_cancel);
    layout->addWidget(m_dismiss);
    connect(m_cancel, &QPushButton::clicked, download, &WeightsDownload::cancel);
    connect(m_dismiss, &QPushButton::clicked, this, &QWidget::hide);
    connect(download, &WeightsDownload::started, this, &WeightsDownloadBar::onStarted);
    connect(download, &WeightsDownload::progress, this, &WeightsDownloadBar::onProgress);
    connect(download, &WeightsDownload::finished, this, &WeightsDownloadBar::onFinished);
    hide();
}

void WeightsDownloadBar::onStarted(const QString& description) {
    m_description = description;
    m_text->setStyleSheet({});
    m_text->setText(description + QStringLiteral("…"));
    m_progress->setRange(0, 0); // busy until the size is known
    m_progress->show();
    m_cancel->show();
    m_cancel->setEnabled(true);
    m_dismiss->hide();
    show();
}

void WeightsDownloadBar::onProgress(qint64 received, qint64 total, double bytesPerSecond) {
    QString text = tr("%1: %2 MB").arg(m_description, megabytes(received));
    if (total > 0) {
        m_progress->setRange(0, 1000);
        m_progress->setValue(int(1000.0 * double(received) / double(total)));
        text = tr("%1: %2 of %3 MB").arg(m_description, megabytes(received), megabytes(total));
    }
    text += tr(" · %1 MB/s").arg(QString::number(bytesPerSecond / 1e6, 'f', 1));
    m_text->setText(text);
}

void WeightsDownloadBar::onFinished(bool ok, bool cancelled, const QString& message) {
    m_text->setText(message);
    // A failure is the user's next step: keep it in sight in the warning colour.
    m_text->setStyleSheet(ok || cancelled ? QString() : QStringLiteral("color: #b4530a;"));
    m_progress->hide();
    m_cancel->hide();
    m_dismiss->show();
    show();
}

} // namespace tc::ui
