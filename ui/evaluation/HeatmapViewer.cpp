#include "ui/evaluation/HeatmapViewer.h"

#include <cmath>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QSlider>
#include <QVBoxLayout>

namespace tc::ui {

namespace {

/// The boxes the image and its overlay are shown in: about BreaKHis's 700 × 460.
constexpr int kImageWidth = 420;
constexpr int kImageHeight = 290;
constexpr int kColourBarHeight = 14;

const char* kImageStyle = "QLabel { background: #f4f4f4; border: 1px solid #d8d8d8; color: #666; }";
const char* kErrorStyle = "QLabel { color: #b3261e; }";
const char* kNoteStyle = "QLabel { color: #666; }";

QString percent(double fraction) {
    return QStringLiteral("%1 %").arg(QLocale().toString(fraction * 100.0, 'f', 1));
}

QLabel* imageBox(const QString& objectName, QWidget* parent) {
    auto* label = new QLabel(parent);
    label->setObjectName(objectName);
    label->setAlignment(Qt::AlignCenter);
    label->setFixedSize(kImageWidth, kImageHeight);
    label->setWordWrap(true);
    label->setStyleSheet(QString::fromLatin1(kImageStyle));
    return label;
}

QLabel* caption(const QString& text, QWidget* parent) {
    auto* label = new QLabel(text, parent);
    QFont font = label->font();
    font.setBold(true);
    label->setFont(font);
    return label;
}

} // namespace

HeatmapViewer::HeatmapViewer(std::shared_ptr<ExplainerSource> source, QWidget* parent)
    : QDialog(parent) {
    setObjectName(QStringLiteral("heatmapViewer"));
    setWindowTitle(tr("Heatmap"));
    setModal(false);
    m_service = new ExplanationService(std::move(source), this);
    connect(m_service, &ExplanationService::explained, this, &HeatmapViewer::onExplained);
    connect(m_service, &ExplanationService::failed, this, &HeatmapViewer::onFailed);

    m_title = new QLabel(this);
    m_title->setObjectName(QStringLiteral("heatmapTitle"));
    m_title->setTextFormat(Qt::RichText);
    m_image = imageBox(QStringLiteral("heatmapImage"), this);
    m_overlay = imageBox(QStringLiteral("heatmapOverlay"), this);
    m_overlayCaption = caption(tr("Grad-CAM"), this);
    m_overlayCaption->setObjectName(QStringLiteral("overlayCaption"));

    m_colourBar = new QLabel(this);
    m_colourBar->setObjectName(QStringLiteral("colourBar"));
    m_colourBar->setPixmap(QPixmap::fromImage(colourBarImage(kImageWidth - 60, kColourBarHeight)));
    m_colourBar->setToolTip(tr("Viridis: how much each region supports the explained class, "
                               "from 0 (none) to 1 (the most in this image)"));
    auto* bar = new QHBoxLayout;
    bar->setSpacing(6);
    bar->addWidget(new QLabel(QStringLiteral("0"), this));
    bar->addWidget(m_colourBar);
    bar->addWidget(new QLabel(QStringLiteral("1"), this));
    bar->addStretch(1);
    auto* barNote = new QLabel(tr("relevance for the explained class (0: none, 1: most)"), this);
    barNote->setStyleSheet(QString::fromLatin1(kNoteStyle));

    auto* images = new QGridLayout;
    images->setHorizontalSpacing(12);
    images->addWidget(caption(tr("Image"), this), 0, 0);
    images->addWidget(m_overlayCaption, 0, 1);
    images->addWidget(m_image, 1, 0);
    images->addWidget(m_overlay, 1, 1);
    images->addLayout(bar, 2, 1);
    images->addWidget(barNote, 3, 1);

    m_classBox = new QComboBox(this);
    m_classBox->setObjectName(QStringLiteral("explainedClass"));
    m_classBox->setToolTip(tr("The class whose evidence the heatmap shows"));
    m_classBox->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_opacity = new QSlider(Qt::Horizontal, this);
    m_opacity->setObjectName(QStringLiteral("heatmapOpacity"));
    m_opacity->setRange(0, 100);
    m_opacity->setValue(int(std::lround(tc::exporting::kDefaultOverlayAlpha * 100.0)));
    m_opacity->setToolTip(tr("Opacity of the heatmap over the image"));
    m_opacity->setMinimumWidth(140);
    m_opacityValue = new QLabel(this);
    m_opacityValue->setMinimumWidth(40);
    m_opacityValue->setText(QStringLiteral("%1 %").arg(m_opacity->value()));
    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Explain:"), this));
    controls->addWidget(m_classBox);
    controls->addSpacing(16);
    controls->addWidget(new QLabel(tr("Opacity:"), this));
    controls->addWidget(m_opacity, 1);
    controls->addWidget(m_opacityValue);

    m_details = new QLabel(this);
    m_details->setObjectName(QStringLiteral("heatmapDetails"));
    m_details->setTextFormat(Qt::RichText);
    m_details->setWordWrap(true);
    m_message = new QLabel(this);
    m_message->setObjectName(QStringLiteral("heatmapMessage"));
    m_message->setTextFormat(Qt::PlainText);
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_title);
    layout->addLayout(images);
    layout->addLayout(controls);
    layout->addWidget(m_details);
    layout->addWidget(m_message);
    layout->addStretch(1);
    layout->addWidget(buttons);

    connect(m_classBox, &QComboBox::currentIndexChanged, this, [this](int) {
        if (!m_subject.path.isEmpty())
            requestHeatmap();
    });
    connect(m_opacity, &QSlider::valueChanged, this, [this](int value) {
        m_opacityValue->setText(QStringLiteral("%1 %").arg(value));
        // While a heatmap is computed, its delivery catches up with the slider.
        if (m_hasHeatmap && !m_explaining)
            m_recomposing = m_service->recompose(m_heatmap, opacity());
    });
}

HeatmapViewer::~HeatmapViewer() {
    m_service->cancel();
}

void HeatmapViewer::setClassNames(const QStringList& classNames) {
    if (classNames == m_classNames)
        return;
    m_classNames = classNames;
    fillClassBox(classNames);
}

void HeatmapViewer::fillClassBox(const QStringList& classNames) {
    const QSignalBlocker blocker(m_classBox);
    const int chosen = m_classBox->currentIndex();
    m_classBox->clear();
    m_classBox->addItem(tr("the predicted class"), -1);
    for (int c = 0; c < classNames.size(); ++c)
        m_classBox->addItem(classNames.at(c), c);
    m_classBox->setCurrentIndex(chosen >= 0 && chosen < m_classBox->count() ? chosen : 0);
}

QString HeatmapViewer::className(int index) const {
    return index >= 0 && index < m_classNames.size() ? m_classNames.at(index)
                                                     : tr("class %1").arg(index);
}

void HeatmapViewer::showSubject(const HeatmapSubject& subject) {
    m_subject = subject;
    m_hasHeatmap = false;
    m_heatmap = {};
    const QString name = QFileInfo(subject.path).fileName();
    setWindowTitle(tr("Heatmap · %1").arg(name));
    m_title->setText(tr("<b>%1</b>").arg(name.toHtmlEscaped()));
    m_title->setToolTip(QDir::toNativeSeparators(subject.path));
    show();
    raise();
    requestHeatmap();
}

void HeatmapViewer::setExplainedClass(int classIndex) {
    const int row = m_classBox->findData(classIndex);
    if (row >= 0)
        m_classBox->setCurrentIndex(row);
}

int HeatmapViewer::explainedClassChoice() const {
    return m_classBox->currentIndex() >= 0 ? m_classBox->currentData().toInt() : -1;
}

void HeatmapViewer::setOpacity(double alpha) {
    m_opacity->setValue(int(std::lround(std::clamp(alpha, 0.0, 1.0) * 100.0)));
}

double HeatmapViewer::opacity() const {
    return m_opacity->value() / 100.0;
}

void HeatmapViewer::requestHeatmap() {
    // Nothing of the previous image stays on screen while the new one is computed.
    m_hasHeatmap = false;
    m_recomposing = 0;
    m_image->setPixmap(QPixmap());
    m_overlay->setPixmap(QPixmap());
    m_image->setText(tr("Loading…"));
    m_overlay->setText(tr("Computing the heatmap…"));
    m_message->setStyleSheet(QString::fromLatin1(kNoteStyle));
    m_message->setText(
        tr("Computing the Grad-CAM heatmap of %1…").arg(QFileInfo(m_subject.path).fileName()));
    showDetails();
    m_explaining = m_service->request(m_subject.path, explainedClassChoice(), opacity());
}

void HeatmapViewer::onExplained(quint64 id, const QString& path) {
    if (id != m_explaining && id != m_recomposing)
        return;
    if (path != m_subject.path)
        return; // cannot happen (the service drops superseded requests); never show it
    const bool recomposed = id == m_recomposing;
    m_explaining = 0;
    m_recomposing = 0;
    m_heatmap = m_service->lastHeatmap();
    m_hasHeatmap = true;
    if (m_classNames.isEmpty() && !m_heatmap.classNames.isEmpty()) {
        m_classNames = m_heatmap.classNames;
        fillClassBox(m_classNames);
    }
    const int predicted = m_heatmap.explanation.predicted;
    m_classBox->setItemText(0, tr("the predicted class (%1)").arg(className(predicted)));
    showPixmaps();
    showDetails();
    m_message->setStyleSheet(QString::fromLatin1(kNoteStyle));
    m_message->setText(tr("Grad-CAM of the last residual stage (layer4) · model: %1")
                           .arg(QDir::toNativeSeparators(m_service->sourcePath())));
    if (std::abs(m_heatmap.alpha - opacity()) > 1e-9) {
        // The slider moved while the heatmap was computed.
        m_recomposing = m_service->recompose(m_heatmap, opacity());
    }
    if (recomposed)
        Q_EMIT overlayRecomposed(m_heatmap.alpha);
    else
        Q_EMIT heatmapShown(path);
}

void HeatmapViewer::onFailed(quint64 id, const QString& path, const QString& message) {
    if (id != m_explaining && id != m_recomposing)
        return;
    m_explaining = 0;
    m_recomposing = 0;
    m_hasHeatmap = false;
    m_overlay->setPixmap(QPixmap());
    m_image->setPixmap(QPixmap());
    m_image->setText(QFileInfo(path).fileName());
    m_overlay->setText(tr("No heatmap"));
    m_message->setStyleSheet(QString::fromLatin1(kErrorStyle));
    m_message->setText(message);
    Q_EMIT heatmapFailed(path, message);
}

void HeatmapViewer::showPixmaps() {
    const QSize room(kImageWidth - 4, kImageHeight - 4);
    auto fitted = [&](const QImage& image) {
        // Small images are enlarged too, so that the heatmap's structure can be seen.
        return QPixmap::fromImage(image.scaled(room.boundedTo(image.size() * 4),
                                               Qt::KeepAspectRatio, Qt::SmoothTransformation));
    };
    m_image->setText(QString());
    m_overlay->setText(QString());
    m_image->setPixmap(fitted(m_heatmap.image));
    m_overlay->setPixmap(fitted(m_heatmap.overlay));
    m_overlayCaption->setText(
        tr("Grad-CAM · %1").arg(className(m_heatmap.explanation.explainedClass)));
}

void HeatmapViewer::showDetails() {
    QStringList rows;
    rows << tr("True class: <b>%1</b>")
                .arg(m_subject.trueClass >= 0 ? className(m_subject.trueClass).toHtmlEscaped()
                                              : tr("unknown"));
    rows << tr("Patient: <b>%1</b>")
                .arg(m_subject.group.isEmpty() ? QStringLiteral("—")
                                               : m_subject.group.toHtmlEscaped());
    if (m_hasHeatmap) {
        const auto& explanation = m_heatmap.explanation;
        QStringList probabilities;
        for (int c = 0; c < int(explanation.probabilities.size()); ++c) {
            const QString text = QStringLiteral("%1 %2").arg(
                className(c).toHtmlEscaped(), percent(explanation.probabilities[size_t(c)]));
            probabilities << (c == explanation.predicted ? QStringLiteral("<b>%1</b>").arg(text)
                                                         : text);
        }
        rows << tr("Predicted: <b>%1</b>").arg(className(explanation.predicted).toHtmlEscaped());
        rows << tr("Probabilities: %1").arg(probabilities.join(QStringLiteral(" · ")));
    }
    m_details->setText(rows.join(QStringLiteral(" &nbsp;&nbsp; ")));
}

void HeatmapViewer::hideEvent(QHideEvent* event) {
    // Closing the viewer drops what it was computing.
    m_service->cancel();
    m_explaining = 0;
    m_recomposing = 0;
    QDialog::hideEvent(event);
}

} // namespace tc::ui
