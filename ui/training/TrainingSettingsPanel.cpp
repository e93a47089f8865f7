#include "ui/training/TrainingSettingsPanel.h"

#include "core/nn/PrecisionPolicy.h"
#include "core/train/TrainingSettings.h"
#include "core/util/Devices.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QVBoxLayout>

namespace tc::ui {

namespace {

QComboBox* choiceBox(QWidget* parent, const std::vector<std::pair<QString, QString>>& choices) {
    auto* box = new QComboBox(parent);
    for (const auto& [value, label] : choices)
        box->addItem(label, value);
    return box;
}

void select(QComboBox* box, const QString& value) {
    const int index = box->findData(value);
    box->setCurrentIndex(index >= 0 ? index : 0);
}

QDoubleSpinBox* numberBox(QWidget* parent, double min, double max, int decimals, double step) {
    auto* box = new QDoubleSpinBox(parent);
    box->setRange(min, max);
    box->setDecimals(decimals);
    box->setSingleStep(step);
    return box;
}

} // namespace

TrainingSettingsPanel::TrainingSettingsPanel(QWidget* parent)
    : QWidget(parent) {
    setObjectName(QStringLiteral("trainingSettingsPanel"));
    m_optimizer = choiceBox(this, {{QStringLiteral("adam"), tr("Adam")},
                                   {QStringLiteral("adamw"), tr("AdamW")},
                                   {QStringLiteral("sgd"), tr("SGD")},
                                   {QStringLiteral("rmsprop"), tr("RMSprop")}});
    m_learningRate = numberBox(this, 1e-7, 10.0, 7, 1e-4);
    m_weightDecay = numberBox(this, 0.0, 1.0, 6, 1e-4);
    m_momentum = numberBox(this, 0.0, 0.9999, 4, 0.01);
    m_nesterov = new QCheckBox(tr("Nesterov"), this);
    m_batchSize = new QSpinBox(this);
    m_batchSize->setRange(1, 4096);
    m_epochs = new QSpinBox(this);
    m_epochs->setRange(1, 100000);
    m_schedule = choiceBox(this, {{QStringLiteral("constant"), tr("Constant")},
                                  {QStringLiteral("step"), tr("Step decay")},
                                  {QStringLiteral("cosine"), tr("Cosine")},
                                  {QStringLiteral("plateau"), tr("Reduce on plateau")}});
    m_classWeights = choiceBox(this, {{QStringLiteral("balanced"), tr("Balanced (auto)")},
                                      {QStringLiteral("none"), tr("None")}});
    m_labelSmoothing = numberBox(this, 0.0, 0.99, 3, 0.05);
    m_earlyStopping = new QCheckBox(tr("Stop when the metric stops improving"), this);
    m_watchedMetric = choiceBox(
        this, {{QStringLiteral("val_accuracy"), tr("Validation accuracy")},
               {QStringLiteral("val_balanced_accuracy"), tr("Validation balanced accuracy")},
               {QStringLiteral("val_loss"), tr("Validation loss")},
               {QStringLiteral("val_auc"), tr("Validation ROC AUC")}});
    m_patience = new QSpinBox(this);
    m_patience->setRange(0, 100000);
    m_patience->setSuffix(tr(" epochs"));
    // What Automatic means is decided per machine from its CPU (and recorded in each run):
    // say it, so that a project opened on another computer is not a surprise.
    const tc::nn::PrecisionDecision automatic = tc::nn::autoPrecision();
    m_precision = choiceBox(
        this, {{QStringLiteral("auto"),
                tr("Automatic (%1 on this CPU)")
                    .arg(automatic.precision == tc::nn::Precision::Bf16 ? QStringLiteral("bf16")
                                                                        : QStringLiteral("fp32"))},
               {QStringLiteral("fp32"), tr("fp32")},
               {QStringLiteral("bf16"), tr("bf16")}});
    m_precision->setToolTip(
        tr("The frozen backbone's arithmetic. Automatic decides on each machine from its CPU "
           "and the run records what it used; here: %1.")
            .arg(automatic.reason));
    m_device = new QComboBox(this);
    for (const QString& device : tc::runtime::availableDevices())
        m_device->addItem(device == QLatin1String("cpu") ? tr("CPU") : device.toUpper(), device);
    m_device->setToolTip(
        tr("Where the trainable part of the model computes. The list shows what this machine "
           "and this LibTorch offer (CUDA needs a CUDA build of LibTorch and a GPU)."));
    m_featureCache = new QCheckBox(tr("Compute frozen-backbone features once"), this);
    m_featureCache->setToolTip(
        tr("With a frozen backbone and no pixel-changing augmentation, features are computed "
           "once per image and reused every epoch: epochs then take seconds."));
    m_featureCacheOnDisk = new QCheckBox(tr("Keep features on disk for later runs"), this);
    m_featureCacheOnDisk->setToolTip(
        tr("Features are stored in your cache folder, keyed by image content, backbone "
           "weights and preprocessing: training again on the same images skips the "
           "backbone. Deleting the cache folder is always safe."));
    m_seed = new QSpinBox(this);
    m_seed->setRange(0, std::numeric_limits<int>::max());
    m_error = new QLabel(this);
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: #c0392b"));
    m_error->hide();

    auto* form = new QFormLayout;
    form->addRow(tr("Optimizer"), m_optimizer);
    form->addRow(tr("Learning rate"), m_learningRate);
    form->addRow(tr("Weight decay"), m_weightDecay);
    form->addRow(tr("Momentum"), m_momentum);
    form->addRow(QString(), m_nesterov);
    form->addRow(tr("Schedule"), m_schedule);
    form->addRow(tr("Batch size"), m_batchSize);
    form->addRow(tr("Epochs"), m_epochs);
    form->addRow(tr("Class weights"), m_classWeights);
    form->addRow(tr("Label smoothing"), m_labelSmoothing);
    form->addRow(tr("Early stopping"), m_earlyStopping);
    form->addRow(tr("Watched metric"), m_watchedMetric);
    form->addRow(tr("Patience"), m_patience);
    form->addRow(tr("Precision"), m_precision);
    form->addRow(tr("Device"), m_device);
    form->addRow(tr("Feature cache"), m_featureCache);
    form->addRow(QString(), m_featureCacheOnDisk);
    form->addRow(tr("Seed"), m_seed);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_error);
    layout->addLayout(form);
    layout->addStretch(1);

    for (QComboBox* box :
         {m_optimizer, m_schedule, m_classWeights, m_watchedMetric, m_precision, m_device})
        connect(box, &QComboBox::currentIndexChanged, this, &TrainingSettingsPanel::emitEdited);
    for (QDoubleSpinBox* box : {m_learningRate, m_weightDecay, m_momentum, m_labelSmoothing})
        connect(box, &QDoubleSpinBox::valueChanged, this, &TrainingSettingsPanel::emitEdited);
    for (QSpinBox* box : {m_batchSize, m_epochs, m_patience, m_seed})
        connect(box, &QSpinBox::valueChanged, this, &TrainingSettingsPanel::emitEdited);
    for (QCheckBox* box : {m_nesterov, m_earlyStopping, m_featureCache, m_featureCacheOnDisk})
        connect(box, &QCheckBox::toggled, this, &TrainingSettingsPanel::emitEdited);

    m_optimizer->setObjectName(QStringLiteral("optimizer"));
    m_epochs->setObjectName(QStringLiteral("epochs"));
    m_earlyStopping->setObjectName(QStringLiteral("earlyStopping"));
    m_patience->setObjectName(QStringLiteral("patience"));
    m_device->setObjectName(QStringLiteral("device"));
    m_precision->setObjectName(QStringLiteral("precision"));
    m_featureCache->setObjectName(QStringLiteral("featureCache"));
    m_featureCacheOnDisk->setObjectName(QStringLiteral("featureCacheOnDisk"));
    m_error->setObjectName(QStringLiteral("error"));
    setSettings({});
}

void TrainingSettingsPanel::setSettings(const QJsonObject& section) {
    QString error;
    const auto parsed = tc::train::TrainingSettings::fromJson(section, &error);
    m_error->setVisible(!parsed);
    m_error->setText(error);
    const tc::train::TrainingSettings s = parsed.value_or(tc::train::TrainingSettings{});
    m_extra = section;
    const QJsonObject known = s.toJson();
    for (auto it = known.begin(); it != known.end(); ++it)
        m_extra.remove(it.key());
    // The device is the machine's business, not a training hyperparameter: it lives beside
    // the settings (a resume may change it) and may name a device this machine lacks.
    const QString device = m_extra.take(QStringLiteral("device")).toString();

    m_updating = true;
    select(m_optimizer, tc::train::toString(s.optimizer));
    m_learningRate->setValue(s.learningRate);
    m_weightDecay->setValue(s.weightDecay);
    m_momentum->setValue(s.momentum);
    m_nesterov->setChecked(s.nesterov);
    m_batchSize->setValue(s.batchSize);
    m_epochs->setValue(s.epochs);
    select(m_schedule, tc::train::toString(s.schedule));
    select(m_classWeights, known.value(QStringLiteral("classWeights")).toString());
    m_labelSmoothing->setValue(s.labelSmoothing);
    m_earlyStopping->setChecked(s.earlyStopping);
    select(m_watchedMetric, tc::train::toString(s.watchedMetric));
    m_patience->setValue(s.earlyStoppingPatience);
    select(m_precision, tc::train::toString(s.precision));
    selectDevice(device);
    m_featureCache->setChecked(s.featureCache);
    m_featureCacheOnDisk->setChecked(s.featureCacheOnDisk);
    m_seed->setValue(static_cast<int>(std::min<quint64>(s.seed, std::numeric_limits<int>::max())));
    m_updating = false;
    updateEnabledState();
}

QJsonObject TrainingSettingsPanel::settings() const {
    QJsonObject json = m_extra;
    json.insert(QStringLiteral("optimizer"), m_optimizer->currentData().toString());
    json.insert(QStringLiteral("learningRate"), m_learningRate->value());
    json.insert(QStringLiteral("weightDecay"), m_weightDecay->value());
    json.insert(QStringLiteral("momentum"), m_momentum->value());
    json.insert(QStringLiteral("nesterov"), m_nesterov->isChecked());
    json.insert(QStringLiteral("batchSize"), m_batchSize->value());
    json.insert(QStringLiteral("epochs"), m_epochs->value());
    json.insert(QStringLiteral("schedule"), m_schedule->currentData().toString());
    json.insert(QStringLiteral("classWeights"), m_classWeights->currentData().toString());
    json.insert(QStringLiteral("labelSmoothing"), m_labelSmoothing->value());
    json.insert(QStringLiteral("earlyStopping"),
                QJsonObject{{QStringLiteral("enabled"), m_earlyStopping->isChecked()},
                            {QStringLiteral("metric"), m_watchedMetric->currentData().toString()},
                            {QStringLiteral("patience"), m_patience->value()}});
    json.insert(QStringLiteral("precision"), m_precision->currentData().toString());
    json.insert(QStringLiteral("device"), m_device->currentData().toString());
    json.insert(QStringLiteral("featureCache"), m_featureCache->isChecked());
    json.insert(QStringLiteral("featureCacheOnDisk"), m_featureCacheOnDisk->isChecked());
    json.insert(QStringLiteral("seed"), m_seed->value());
    return json;
}

void TrainingSettingsPanel::selectDevice(const QString& device) {
    // Forget a previous project's unavailable device.
    for (int i = m_device->count() - 1; i >= 0; --i) {
        if (!tc::runtime::availableDevices().contains(m_device->itemData(i).toString()))
            m_device->removeItem(i);
    }
    QString error;
    const auto choice = tc::runtime::parseDevice(device, &error);
    const QString name = choice ? choice->toString() : device;
    if (m_device->findData(name) < 0)
        m_device->addItem(tr("%1 (not available here)").arg(name), name);
    select(m_device, name);
}

void TrainingSettingsPanel::updateEnabledState() {
    const QString optimizer = m_optimizer->currentData().toString();
    m_momentum->setEnabled(optimizer == QLatin1String("sgd") ||
                           optimizer == QLatin1String("rmsprop"));
    m_nesterov->setEnabled(optimizer == QLatin1String("sgd"));
    m_watchedMetric->setEnabled(m_earlyStopping->isChecked());
    m_patience->setEnabled(m_earlyStopping->isChecked());
    m_featureCacheOnDisk->setEnabled(m_featureCache->isChecked());
}

void TrainingSettingsPanel::emitEdited() {
    updateEnabledState();
    if (m_updating)
        return;
    m_error->hide();
    Q_EMIT settingsEdited(settings());
}

} // namespace tc::ui
