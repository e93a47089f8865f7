#include "ui/data/PreprocessingPage.h"

#include "core/data/DatasetTable.h"
#include "core/data/ImagePipeline.h"
#include "ui/data/ClassPalette.h"
#include "ui/data/DataWizardModel.h"
#include "ui/data/ImageThumbnail.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace tc::ui {

namespace {

using tc::data::PreprocessingSettings;

/// Edge of the box each preview image is fitted into, in pixels.
constexpr int kPreviewBox = 100;
/// Settings changes are coalesced for this long before a preview is rendered.
constexpr int kPreviewDelayMs = 120;

struct SizePreset {
    const char* name;
    int width;
    int height;
};
const SizePreset kPresets[] = {
    {QT_TRANSLATE_NOOP("PreprocessingPage", "224 × 224 (ResNet, ImageNet weights)"), 224, 224},
    {QT_TRANSLATE_NOOP("PreprocessingPage", "256 × 256"), 256, 256},
    {QT_TRANSLATE_NOOP("PreprocessingPage", "299 × 299 (Inception)"), 299, 299},
    {QT_TRANSLATE_NOOP("PreprocessingPage", "384 × 384"), 384, 384},
    {QT_TRANSLATE_NOOP("PreprocessingPage", "128 × 128 (quick experiments)"), 128, 128},
};

QDoubleSpinBox* fractionBox(const QString& name, double maximum, const QString& tip,
                            QWidget* parent) {
    auto* box = new QDoubleSpinBox(parent);
    box->setObjectName(name);
    box->setRange(0.0, maximum);
    box->setSingleStep(0.05);
    box->setDecimals(2);
    box->setSpecialValueText(QObject::tr("off"));
    box->setToolTip(tip);
    box->setAlignment(Qt::AlignRight);
    box->setMaximumWidth(100);
    return box;
}

} // namespace

PreprocessingPage::PreprocessingPage(DataWizardModel& model, QWidget* parent)
    : QWizardPage(parent)
    , m_model(model) {
    setObjectName(QStringLiteral("preprocessingPage"));
    setTitle(tr("Preprocessing"));
    setSubTitle(tr("How each image becomes the network's input, and how training images are "
                   "randomly varied so that the model learns what matters."));

    m_preset = new QComboBox(this);
    m_preset->setObjectName(QStringLiteral("sizePreset"));
    for (const SizePreset& preset : kPresets)
        m_preset->addItem(tr(preset.name), QSize(preset.width, preset.height));
    m_preset->addItem(tr("Custom"), QSize());
    m_width = new QSpinBox(this);
    m_width->setObjectName(QStringLiteral("inputWidth"));
    m_height = new QSpinBox(this);
    m_height->setObjectName(QStringLiteral("inputHeight"));
    for (QSpinBox* box : {m_width, m_height}) {
        box->setRange(16, PreprocessingSettings::kMaxSide);
        box->setSuffix(tr(" px"));
        box->setAlignment(Qt::AlignRight);
    }
    m_resize = new QComboBox(this);
    m_resize->setObjectName(QStringLiteral("resizeMode"));
    m_resize->addItem(tr("Stretch to the input size"), int(PreprocessingSettings::Resize::Stretch));
    m_resize->addItem(tr("Scale the shorter side, crop the centre"),
                      int(PreprocessingSettings::Resize::ShorterSideCrop));
    m_normalization = new QComboBox(this);
    m_normalization->setObjectName(QStringLiteral("normalization"));
    m_normalization->addItem(tr("ImageNet mean and std (pretrained backbones)"),
                             int(PreprocessingSettings::Normalization::ImageNet));
    m_normalization->addItem(tr("None: pixel values ÷ 255"),
                             int(PreprocessingSettings::Normalization::None));

    m_horizontalFlip = new QCheckBox(tr("Flip &horizontally"), this);
    m_horizontalFlip->setObjectName(QStringLiteral("horizontalFlip"));
    m_verticalFlip = new QCheckBox(tr("Flip &vertically"), this);
    m_verticalFlip->setObjectName(QStringLiteral("verticalFlip"));
    m_rotate = new QCheckBox(tr("&Rotate by multiples of 90°"), this);
    m_rotate->setObjectName(QStringLiteral("rotate90"));
    m_rotate->setToolTip(tr("Square inputs turn by 0°, 90°, 180° or 270°; others by 0° or 180°"));
    m_crop = fractionBox(QStringLiteral("cropScale"), 0.9,
                         tr("Crops a random part keeping between (1 − value) and all of the "
                            "area, then resizes it back"),
                         this);
    m_brightness = fractionBox(QStringLiteral("brightness"), 1.0,
                               tr("Multiplies intensities by a random factor in 1 ± value"), this);
    m_contrast = fractionBox(QStringLiteral("contrast"), 1.0,
                             tr("Multiplies contrast by a random factor in 1 ± value"), this);
    m_stain = fractionBox(QStringLiteral("stainJitter"), 1.0,
                          tr("Varies the haematoxylin and eosin stain amounts (H&E histology) "
                             "by up to ± value"),
                          this);
    m_cacheNote = new QLabel(this);
    m_cacheNote->setObjectName(QStringLiteral("cacheNote"));
    m_cacheNote->setWordWrap(true);

    m_otherSamples = new QPushButton(tr("&Other samples"), this);
    m_otherSamples->setObjectName(QStringLiteral("otherSamplesButton"));
    m_previewStatus = new QLabel(this);
    m_previewStatus->setObjectName(QStringLiteral("previewStatus"));
    m_previewStatus->setWordWrap(true);
    m_previewStatus->setTextFormat(Qt::PlainText);
    m_previewBox = new QWidget(this);
    m_previewGrid = new QGridLayout(m_previewBox);
    m_previewGrid->setContentsMargins(0, 0, 0, 0);
    m_previewGrid->setHorizontalSpacing(6);
    m_previewGrid->setVerticalSpacing(4);

    auto* sizeRow = new QHBoxLayout;
    sizeRow->addWidget(m_width);
    sizeRow->addWidget(new QLabel(QStringLiteral("×"), this));
    sizeRow->addWidget(m_height);
    sizeRow->addStretch(1);
    auto* input = new QGroupBox(tr("Input"), this);
    auto* inputForm = new QFormLayout(input);
    inputForm->addRow(tr("&Size:"), m_preset);
    inputForm->addRow(QString(), sizeRow);
    inputForm->addRow(tr("Resi&ze:"), m_resize);
    inputForm->addRow(tr("&Normalise:"), m_normalization);

    auto* augmentation = new QGroupBox(tr("Augmentation (training images only)"), this);
    auto* augmentationForm = new QFormLayout(augmentation);
    augmentationForm->addRow(m_horizontalFlip);
    augmentationForm->addRow(m_verticalFlip);
    augmentationForm->addRow(m_rotate);
    augmentationForm->addRow(tr("Random &crop:"), m_crop);
    augmentationForm->addRow(tr("&Brightness ±:"), m_brightness);
    augmentationForm->addRow(tr("C&ontrast ±:"), m_contrast);
    augmentationForm->addRow(tr("S&tain (H&&E) ±:"), m_stain);

    auto* left = new QVBoxLayout;
    left->addWidget(input);
    left->addWidget(augmentation);
    left->addWidget(m_cacheNote);
    left->addStretch(1);

    auto* preview = new QGroupBox(tr("Preview"), this);
    auto* previewLayout = new QVBoxLayout(preview);
    auto* previewHeader = new QHBoxLayout;
    previewHeader->addWidget(m_previewStatus, 1);
    previewHeader->addWidget(m_otherSamples);
    previewLayout->addLayout(previewHeader);
    previewLayout->addWidget(m_previewBox, 0, Qt::AlignHCenter);
    previewLayout->addStretch(1);

    auto* layout = new QHBoxLayout(this);
    layout->addLayout(left, 0);
    layout->addWidget(preview, 1);

    m_previewTimer.setSingleShot(true);
    m_previewTimer.setInterval(kPreviewDelayMs);
    connect(&m_previewTimer, &QTimer::timeout, this, &PreprocessingPage::renderPreview);

    connect(m_preset, &QComboBox::currentIndexChanged, this, [this]() {
        const QSize size = m_preset->currentData().toSize();
        if (m_loading || !size.isValid())
            return;
        m_loading = true;
        m_width->setValue(size.width());
        m_height->setValue(size.height());
        m_loading = false;
        onSettingsChanged();
    });
    for (QSpinBox* box : {m_width, m_height})
        connect(box, &QSpinBox::valueChanged, this, &PreprocessingPage::onSettingsChanged);
    for (QComboBox* box : {m_resize, m_normalization})
        connect(box, &QComboBox::currentIndexChanged, this, &PreprocessingPage::onSettingsChanged);
    for (QCheckBox* box : {m_horizontalFlip, m_verticalFlip, m_rotate})
        connect(box, &QCheckBox::toggled, this, &PreprocessingPage::onSettingsChanged);
    for (QDoubleSpinBox* box : {m_crop, m_brightness, m_contrast, m_stain})
        connect(box, &QDoubleSpinBox::valueChanged, this, &PreprocessingPage::onSettingsChanged);
    connect(m_otherSamples, &QPushButton::clicked, this, [this]() {
        ++m_sampleRound;
        renderPreview();
    });
}

PreprocessingPage::~PreprocessingPage() {
    m_runner.cancel();
}

void PreprocessingPage::initializePage() {
    loadFromModel();
    onSettingsChanged();
    // The first preview without the coalescing delay.
    renderPreview();
}

void PreprocessingPage::loadFromModel() {
    m_loading = true;
    const PreprocessingSettings& settings = m_model.preprocessing;
    m_width->setValue(settings.width);
    m_height->setValue(settings.height);
    m_resize->setCurrentIndex(m_resize->findData(int(settings.resize)));
    m_normalization->setCurrentIndex(m_normalization->findData(int(settings.normalization)));
    m_horizontalFlip->setChecked(settings.augmentation.horizontalFlip);
    m_verticalFlip->setChecked(settings.augmentation.verticalFlip);
    m_rotate->setChecked(settings.augmentation.rotate90);
    m_crop->setValue(settings.augmentation.cropScale);
    m_brightness->setValue(settings.augmentation.brightness);
    m_contrast->setValue(settings.augmentation.contrast);
    m_stain->setValue(settings.augmentation.stainJitter);
    m_loading = false;
}

void PreprocessingPage::onSettingsChanged() {
    if (m_loading)
        return;
    PreprocessingSettings& settings = m_model.preprocessing;
    settings.width = m_width->value();
    settings.height = m_height->value();
    settings.resize = PreprocessingSettings::Resize(m_resize->currentData().toInt());
    settings.normalization =
        PreprocessingSettings::Normalization(m_normalization->currentData().toInt());
    settings.augmentation.horizontalFlip = m_horizontalFlip->isChecked();
    settings.augmentation.verticalFlip = m_verticalFlip->isChecked();
    settings.augmentation.rotate90 = m_rotate->isChecked();
    settings.augmentation.cropScale = m_crop->value();
    settings.augmentation.brightness = m_brightness->value();
    settings.augmentation.contrast = m_contrast->value();
    settings.augmentation.stainJitter = m_stain->value();

    {
        // The preset follows the size: a matching preset, else Custom.
        const QSignalBlocker blocker(m_preset);
        int preset = m_preset->count() - 1;
        for (int i = 0; i < m_preset->count() - 1; ++i)
            if (m_preset->itemData(i).toSize() == QSize(settings.width, settings.height))
                preset = i;
        m_preset->setCurrentIndex(preset);
    }

    m_cacheNote->setText(
        settings.augmentation.enabled()
            ? tr("<b>Augmentation is on.</b> Training images change every epoch, so the "
                 "features of a frozen backbone cannot be computed once and cached: every epoch "
                 "runs the whole network, which is much slower on a CPU.")
            : tr("<b>No augmentation.</b> With a frozen (pretrained) backbone, its features are "
                 "computed once and cached, and later epochs train the head in seconds. The "
                 "model sees the same images every epoch."));
    m_cacheNote->setStyleSheet(
        settings.augmentation.enabled()
            ? QStringLiteral("QLabel { background: #fff4e5; border: 1px solid #f0b35a; "
                             "border-radius: 4px; padding: 6px; }")
            : QStringLiteral("QLabel { background: #eef5fb; border: 1px solid #a9c7e3; "
                             "border-radius: 4px; padding: 6px; }"));
    schedulePreview();
}

void PreprocessingPage::schedulePreview() {
    m_previewTimer.start();
}

void PreprocessingPage::renderPreview() {
    m_previewTimer.stop();
    const tc::data::DatasetTable* table = m_model.usableTable();
    if (!table) {
        m_previewStatus->setText(tr("No usable data set to preview."));
        return;
    }
    // The rows are shared by the classes; "Other samples" moves on to other images.
    const QStringList& classes = table->classNames();
    std::vector<std::vector<int>> rowsOfClass(size_t(classes.size()));
    for (int i = 0; i < int(table->rows().size()); ++i)
        rowsOfClass[size_t(table->rows()[size_t(i)].classIndex)].push_back(i);
    const int perClass = std::max<int>(1, kSampleRows / std::max<int>(1, int(classes.size())));
    std::vector<QString> captions;
    std::vector<int> classIndices;
    std::vector<QString> paths;
    std::vector<int> rowIndices;
    for (int c = 0; c < classes.size() && int(paths.size()) < kSampleRows; ++c) {
        const auto& rows = rowsOfClass[size_t(c)];
        const int count = std::min<int>(perClass, int(rows.size()));
        for (int k = 0; k < count; ++k) {
            // Spread over the class, shifted by a step co-prime with most class sizes.
            const qint64 index =
                (qint64(m_sampleRound) * 7 + qint64(k) * qint64(rows.size()) / count) %
                qint64(rows.size());
            const tc::data::DatasetRow& row = table->rows()[size_t(rows[size_t(index)])];
            captions.push_back(QStringLiteral("%1|%2").arg(classes.at(c), row.path));
            classIndices.push_back(c);
            paths.push_back(row.absolutePath);
            rowIndices.push_back(rows[size_t(index)]);
        }
    }
    const PreprocessingSettings settings = m_model.preprocessing;
    const quint64 seed = m_model.split.seed;
    const int round = m_sampleRound;
    m_previewStatus->setText(tr("Rendering…"));
    m_runner.start([this, settings, seed, round, captions, classIndices, paths,
                    rowIndices](const TaskContext& context) {
        const tc::data::ImagePipeline pipeline(settings);
        std::vector<std::vector<QImage>> images(paths.size());
        QStringList errors;
        for (size_t i = 0; i < paths.size(); ++i) {
            for (int draw = 0; draw <= kAugmentedDraws; ++draw) {
                if (context.isCanceled())
                    return;
                std::optional<std::uint64_t> augmentationSeed;
                if (draw > 0)
                    augmentationSeed = tc::data::ImagePipeline::sampleSeed(
                        seed, std::uint64_t(round) * kAugmentedDraws + std::uint64_t(draw),
                        std::uint64_t(rowIndices[i]));
                QString error;
                const auto preview = pipeline.preview(paths[i], augmentationSeed, &error);
                images[i].push_back(preview ? toQImage(*preview) : QImage());
                if (!preview && draw == 0)
                    errors << error;
            }
        }
        context.post([this, captions, classIndices, images, errors]() {
            showPreview(captions, classIndices, images, errors);
        });
    });
}

void PreprocessingPage::showPreview(const std::vector<QString>& captions,
                                    const std::vector<int>& classIndices,
                                    const std::vector<std::vector<QImage>>& images,
                                    const QStringList& errors) {
    m_images = images;
    while (QLayoutItem* item = m_previewGrid->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    const bool augmented = m_model.preprocessing.augmentation.enabled();
    auto header = [this](const QString& text) {
        auto* label = new QLabel(text, m_previewBox);
        label->setAlignment(Qt::AlignCenter);
        label->setWordWrap(true);
        return label;
    };
    m_previewGrid->addWidget(header(tr("As the network\nsees it")), 0, 0);
    for (int draw = 1; draw <= kAugmentedDraws; ++draw)
        m_previewGrid->addWidget(header(augmented ? tr("Augmented\ndraw %1").arg(draw)
                                                  : tr("Draw %1\n(no augmentation)").arg(draw)),
                                 0, draw);
    for (int i = 0; i < int(images.size()); ++i) {
        // "class|path": the class in its colour, then the file it comes from.
        const QString className = captions[size_t(i)].section(QLatin1Char('|'), 0, 0);
        const QString path = captions[size_t(i)].section(QLatin1Char('|'), 1);
        auto* name = new QLabel(QStringLiteral("<span style='color:%1'>■</span> <b>%2</b> "
                                               "<span style='color:#777'>%3</span>")
                                    .arg(classColour(classIndices[size_t(i)]).name(),
                                         className.toHtmlEscaped(),
                                         QFileInfo(path).fileName().toHtmlEscaped()),
                                m_previewBox);
        name->setToolTip(path);
        name->setContentsMargins(0, 6, 0, 0);
        m_previewGrid->addWidget(name, 2 * i + 1, 0, 1, kAugmentedDraws + 1);
        for (int draw = 0; draw < int(images[size_t(i)].size()); ++draw) {
            auto* cell = new QLabel(m_previewBox);
            cell->setAlignment(Qt::AlignCenter);
            cell->setFixedSize(kPreviewBox + 4, kPreviewBox + 4);
            cell->setStyleSheet(QStringLiteral("QLabel { background: #f4f4f4; border: 1px solid "
                                               "#d6d6d6; }"));
            const QImage& image = images[size_t(i)][size_t(draw)];
            if (!image.isNull())
                cell->setPixmap(QPixmap::fromImage(image.scaled(
                    kPreviewBox, kPreviewBox, Qt::KeepAspectRatio, Qt::SmoothTransformation)));
            else
                cell->setText(tr("cannot\nread"));
            m_previewGrid->addWidget(cell, 2 * i + 2, draw);
        }
    }
    // Shown now rather than at the layout's next pass, so a grab right after sees them.
    for (int i = 0; i < m_previewGrid->count(); ++i)
        if (QWidget* widget = m_previewGrid->itemAt(i)->widget())
            widget->show();
    const PreprocessingSettings& settings = m_model.preprocessing;
    m_previewStatus->setText(
        errors.isEmpty()
            ? tr("Input %1 × %2 pixels, shown scaled. Augmented draws differ every epoch.")
                  .arg(settings.width)
                  .arg(settings.height)
            : errors.join(QLatin1Char('\n')));
    Q_EMIT previewUpdated();
}

} // namespace tc::ui
