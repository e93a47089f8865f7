#include "ui/evaluation/ImageClassifierPanel.h"

#include "ui/data/ClassPalette.h"
#include "ui/data/ImageThumbnail.h"

#include <algorithm>
#include <cmath>
#include <exception>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

namespace tc::ui {

namespace {

/// Edge of the box the classified image is shown in.
constexpr int kImageBox = 260;
/// The probability bars count in tenths of a percent.
constexpr int kBarScale = 1000;

const char* kDropStyle = "QLabel { border: 2px dashed #b8c4d0; border-radius: 6px; "
                         "background: #f7f9fb; color: #5b6670; padding: 6px; }";
const char* kDropActiveStyle = "QLabel { border: 2px dashed #4e79a7; border-radius: 6px; "
                               "background: #e8f0f8; color: #2c4a6b; padding: 6px; }";

/// The first local file among dragged URLs.
QString droppedFile(const QMimeData* mime) {
    if (!mime || !mime->hasUrls())
        return {};
    for (const QUrl& url : mime->urls())
        if (url.isLocalFile())
            return url.toLocalFile();
    return {};
}

} // namespace

ImageClassifierPanel::ImageClassifierPanel(QWidget* parent)
    : QGroupBox(tr("Classify an image"), parent) {
    setObjectName(QStringLiteral("classifierPanel"));

    m_drop = new QLabel(this);
    m_drop->setObjectName(QStringLiteral("dropArea"));
    m_drop->setAlignment(Qt::AlignCenter);
    m_drop->setWordWrap(true);
    m_drop->setMinimumSize(220, 200);
    m_drop->setMaximumHeight(kImageBox);
    m_drop->setStyleSheet(QString::fromLatin1(kDropStyle));
    m_drop->installEventFilter(this);

    m_open = new QPushButton(tr("Open image…"), this);
    m_open->setObjectName(QStringLiteral("openImageButton"));
    m_heatmap = new QPushButton(tr("Show heatmap"), this);
    m_heatmap->setObjectName(QStringLiteral("classifierHeatmapButton"));
    m_heatmap->setToolTip(tr("The Grad-CAM heatmap of the image: where the model looked"));
    m_prediction = new QLabel(this);
    m_prediction->setObjectName(QStringLiteral("predictionLabel"));
    m_prediction->setWordWrap(true);
    QFont big = m_prediction->font();
    big.setPointSizeF(big.pointSizeF() * 1.35);
    m_prediction->setFont(big);
    m_message = new QLabel(this);
    m_message->setObjectName(QStringLiteral("classifierMessage"));
    m_message->setWordWrap(true);
    m_message->setTextFormat(Qt::PlainText);

    m_barsBox = new QWidget(this);
    m_barsLayout = new QGridLayout(m_barsBox);
    m_barsLayout->setContentsMargins(0, 0, 0, 0);
    m_barsLayout->setHorizontalSpacing(8);
    m_barsLayout->setVerticalSpacing(4);
    m_barsLayout->setColumnStretch(1, 1);

    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_open);
    buttons->addWidget(m_heatmap);
    buttons->addStretch(1);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_drop);
    layout->addLayout(buttons);
    layout->addSpacing(6);
    layout->addWidget(m_prediction);
    layout->addWidget(m_barsBox);
    layout->addWidget(m_message);
    layout->addStretch(1);

    connect(m_open, &QPushButton::clicked, this, &ImageClassifierPanel::openImage);
    connect(m_heatmap, &QPushButton::clicked, this, [this]() {
        if (m_lastOk && !m_lastPath.isEmpty())
            Q_EMIT heatmapRequested(m_lastPath);
    });
    updateAvailability();
}

void ImageClassifierPanel::setHeatmapsAvailable(bool available) {
    m_heatmapsAvailable = available;
    updateHeatmapButton();
}

void ImageClassifierPanel::updateHeatmapButton() {
    m_heatmap->setEnabled(m_heatmapsAvailable && m_predictor && m_lastOk && !m_busy);
    m_heatmap->setVisible(m_heatmapsAvailable);
}

ImageClassifierPanel::~ImageClassifierPanel() {
    m_runner.cancel();
}

void ImageClassifierPanel::setPredictor(ImagePredictor predictor) {
    m_predictor = std::move(predictor);
    if (!m_predictor && m_busy) {
        m_runner.cancel();
        m_busy = false;
    }
    updateAvailability();
}

void ImageClassifierPanel::setClassNames(const QStringList& classNames) {
    m_classNames = classNames;
    rebuildBars(int(classNames.size()));
}

void ImageClassifierPanel::updateAvailability() {
    const bool available = bool(m_predictor);
    m_open->setEnabled(available);
    m_drop->setAcceptDrops(available);
    if (!available) {
        m_drop->setPixmap(QPixmap());
        m_drop->setText(tr("A trained model is needed to classify images.\n\nTrain one "
                           "(Train ▸ Start) or open a checkpoint; then drop an image here or "
                           "open one."));
        m_prediction->clear();
        m_message->clear();
        m_barsBox->hide();
    } else if (m_lastPath.isEmpty()) {
        m_drop->setText(tr("Drop an image here\nor open one below"));
    }
    updateHeatmapButton();
}

QProgressBar* ImageClassifierPanel::probabilityBar(int index) const {
    return index >= 0 && index < int(m_bars.size()) ? m_bars[size_t(index)] : nullptr;
}

void ImageClassifierPanel::rebuildBars(int count) {
    for (QLabel* label : m_barNames)
        delete label;
    for (QProgressBar* bar : m_bars)
        delete bar;
    m_barNames.clear();
    m_bars.clear();
    for (int c = 0; c < count; ++c) {
        auto* name = new QLabel(
            c < m_classNames.size() ? m_classNames.at(c) : tr("class %1").arg(c), m_barsBox);
        auto* bar = new QProgressBar(m_barsBox);
        bar->setObjectName(QStringLiteral("probability_%1").arg(c));
        bar->setRange(0, kBarScale);
        bar->setValue(0);
        bar->setTextVisible(true);
        bar->setFormat(QStringLiteral("–"));
        bar->setMaximumHeight(18);
        bar->setStyleSheet(
            QStringLiteral("QProgressBar { border: 1px solid #c8c8c8; border-radius: "
                           "3px; background: #f4f4f4; text-align: right; "
                           "padding-right: 4px; } QProgressBar::chunk { background: "
                           "%1; border-radius: 2px; }")
                .arg(classColour(c).name()));
        m_barsLayout->addWidget(name, c, 0);
        m_barsLayout->addWidget(bar, c, 1);
        name->show();
        bar->show();
        m_barNames.push_back(name);
        m_bars.push_back(bar);
    }
}

void ImageClassifierPanel::openImage() {
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Image to classify"), QFileInfo(m_lastPath).absolutePath(),
        tr("Images (*.png *.jpg *.jpeg *.tif *.tiff *.bmp *.webp);;All files (*)"));
    if (!path.isEmpty())
        classify(path);
}

void ImageClassifierPanel::classify(const QString& path) {
    if (!m_predictor || path.isEmpty())
        return;
    m_lastPath = path;
    m_busy = true;
    m_lastOk = false;
    updateHeatmapButton();
    m_message->setStyleSheet(QString());
    m_message->setText(tr("Classifying %1…").arg(QFileInfo(path).fileName()));
    const ImagePredictor predictor = m_predictor;
    const std::shared_ptr<std::mutex> mutex = m_predictorMutex;
    m_runner.start([this, path, predictor, mutex](const TaskContext& context) {
        QString imageError;
        const QImage image = loadThumbnail(path, kImageBox, /*square=*/false, &imageError);
        Prediction prediction;
        if (!image.isNull()) {
            const std::lock_guard<std::mutex> lock(*mutex);
            if (context.isCanceled())
                return;
            try {
                prediction = predictor(path);
            } catch (const std::exception& error) {
                prediction.error = tr("'%1' could not be classified: %2")
                                       .arg(path, QString::fromUtf8(error.what()));
            }
        } else {
            // Not an image the pipeline reads: the predictor would fail the same way.
            prediction.error = imageError;
        }
        context.post(
            [this, path, image, prediction]() { showPrediction(path, image, prediction); });
    });
}

void ImageClassifierPanel::showPrediction(const QString& path, const QImage& image,
                                          const Prediction& prediction) {
    m_busy = false;
    if (!image.isNull()) {
        // Fitted to the drop area (small images are enlarged too, so they can be seen).
        const QSize room = m_drop->contentsRect().size() - QSize(16, 16);
        m_drop->setPixmap(QPixmap::fromImage(
            image.scaled(room.boundedTo(image.size() * 4).expandedTo(QSize(32, 32)),
                         Qt::KeepAspectRatio, Qt::SmoothTransformation)));
    } else
        m_drop->setText(QFileInfo(path).fileName());
    m_drop->setToolTip(QDir::toNativeSeparators(path));

    QString error = prediction.error;
    if (error.isEmpty() && prediction.probabilities.empty())
        error = tr("the model returned no probabilities for '%1'").arg(path);
    if (error.isEmpty() && !m_classNames.isEmpty() &&
        int(prediction.probabilities.size()) != m_classNames.size())
        error = tr("the model returned %1 probabilities for %2 classes")
                    .arg(prediction.probabilities.size())
                    .arg(m_classNames.size());
    if (!error.isEmpty()) {
        m_prediction->setText(tr("No prediction"));
        m_barsBox->hide();
        m_message->setText(error);
        m_message->setStyleSheet(QStringLiteral("QLabel { color: #b3261e; }"));
        updateHeatmapButton();
        Q_EMIT classified(path, false);
        return;
    }

    if (int(m_bars.size()) != int(prediction.probabilities.size()))
        rebuildBars(int(prediction.probabilities.size()));
    int best = 0;
    for (int c = 0; c < int(prediction.probabilities.size()); ++c) {
        const double p = prediction.probabilities[size_t(c)];
        if (p > prediction.probabilities[size_t(best)])
            best = c;
        m_bars[size_t(c)]->setValue(int(std::lround(std::clamp(p, 0.0, 1.0) * kBarScale)));
        m_bars[size_t(c)]->setFormat(QStringLiteral("%1 %").arg(p * 100.0, 0, 'f', 1));
        QFont font = m_barNames[size_t(c)]->font();
        font.setBold(false);
        m_barNames[size_t(c)]->setFont(font);
    }
    QFont bold = m_barNames[size_t(best)]->font();
    bold.setBold(true);
    m_barNames[size_t(best)]->setFont(bold);
    const QString name =
        best < m_classNames.size() ? m_classNames.at(best) : tr("class %1").arg(best);
    m_prediction->setText(tr("<b>%1</b> &nbsp;<span style='color:#666'>%2 %</span>")
                              .arg(name.toHtmlEscaped())
                              .arg(prediction.probabilities[size_t(best)] * 100.0, 0, 'f', 1));
    m_barsBox->show();
    m_message->setStyleSheet(QStringLiteral("QLabel { color: #666; }"));
    m_message->setText(prediction.notice.isEmpty()
                           ? QFileInfo(path).fileName()
                           : QFileInfo(path).fileName() + QLatin1Char('\n') + prediction.notice);
    m_lastOk = true;
    updateHeatmapButton();
    Q_EMIT classified(path, true);
}

bool ImageClassifierPanel::eventFilter(QObject* watched, QEvent* event) {
    if (watched == m_drop) {
        switch (event->type()) {
        case QEvent::DragEnter: {
            auto* drag = static_cast<QDragEnterEvent*>(event);
            if (m_predictor && !droppedFile(drag->mimeData()).isEmpty()) {
                drag->acceptProposedAction();
                m_drop->setStyleSheet(QString::fromLatin1(kDropActiveStyle));
            } else {
                drag->ignore();
            }
            return true;
        }
        case QEvent::DragLeave:
            m_drop->setStyleSheet(QString::fromLatin1(kDropStyle));
            return true;
        case QEvent::Drop: {
            auto* drop = static_cast<QDropEvent*>(event);
            m_drop->setStyleSheet(QString::fromLatin1(kDropStyle));
            const QString path = droppedFile(drop->mimeData());
            if (!m_predictor || path.isEmpty()) {
                drop->ignore();
                return true;
            }
            drop->acceptProposedAction();
            classify(path);
            return true;
        }
        default:
            break;
        }
    }
    return QGroupBox::eventFilter(watched, event);
}

} // namespace tc::ui
