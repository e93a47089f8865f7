#pragma once

#include <QFrame>

class QLabel;
class QProgressBar;
class QPushButton;

namespace tc::ui {

class WeightsDownload;

/// A strip that shows a WeightsDownload at work: what it fetches, a progress bar with the
/// megabytes and the speed, and Cancel; then how it ended (a failure stays, in the warning
/// colour, with the manual route, until dismissed). Hidden while nothing happened.
class WeightsDownloadBar : public QFrame {
    Q_OBJECT

public:
    explicit WeightsDownloadBar(WeightsDownload* download, QWidget* parent = nullptr);

    QLabel* textLabel() const { return m_text; }
    QProgressBar* progressBar() const { return m_progress; }
    QPushButton* cancelButton() const { return m_cancel; }

private:
    void onStarted(const QString& description);
    void onProgress(qint64 received, qint64 total, double bytesPerSecond);
    void onFinished(bool ok, bool cancelled, const QString& message);

    WeightsDownload* m_download;
    QString m_description;
    QLabel* m_text = nullptr;
    QProgressBar* m_progress = nullptr;
    QPushButton* m_cancel = nullptr;
    QPushButton* m_dismiss = nullptr;
};

} // namespace tc::ui
