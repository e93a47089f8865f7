#include "ui/evaluation/OperatingPointPanel.h"

#include <algorithm>
#include <cmath>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSlider>
#include <QVBoxLayout>

namespace tc::ui {

namespace {

using tc::train::ThresholdRule;

QString percent(double fraction, int decimals = 1) {
    return QStringLiteral("%1 %").arg(QLocale().toString(fraction * 100.0, 'f', decimals));
}

bool isTargetRule(ThresholdRule rule) {
    return rule == ThresholdRule::TargetSensitivity || rule == ThresholdRule::TargetSpecificity;
}

/// The logits of `images` when every image has finite ones; empty otherwise.
tc::train::Logits logitsOf(const std::vector<EvaluatedImage>& images) {
    tc::train::Logits logits;
    logits.reserve(images.size());
    for (const EvaluatedImage& image : images) {
        if (image.logits.empty() || !std::all_of(image.logits.begin(), image.logits.end(),
                                                 [](float value) { return std::isfinite(value); }))
            return {};
        logits.push_back(image.logits);
    }
    return logits;
}

std::vector<int> trueClassesOf(const std::vector<EvaluatedImage>& images) {
    std::vector<int> classes;
    classes.reserve(images.size());
    for (const EvaluatedImage& image : images)
        classes.push_back(image.trueClass);
    return classes;
}

const QString kMutedStyle = QStringLiteral("QLabel { color: #555; }");
const QString kErrorStyle = QStringLiteral("QLabel { color: #b00020; }");

} // namespace

QString figureText(std::int64_t successes, std::int64_t trials) {
    if (trials <= 0)
        return QStringLiteral("–");
    const tc::train::Interval interval = tc::train::wilsonInterval(successes, trials);
    return QObject::tr("%1 (95 % CI %2–%3 %)")
        .arg(percent(double(successes) / double(trials)),
             QLocale().toString(interval.low * 100.0, 'f', 1),
             QLocale().toString(interval.high * 100.0, 'f', 1));
}

OperatingPointPanel::OperatingPointPanel(QWidget* parent)
    : QWidget(parent) {
    setObjectName(QStringLiteral("operatingPointPanel"));

    m_preset = new QComboBox(this);
    m_preset->setObjectName(QStringLiteral("operatingPreset"));
    // In the order of tc::train::ThresholdRule: the index is the rule.
    m_preset->addItem(tr("Sensitivity ≥ target"));
    m_preset->addItem(tr("Specificity ≥ target"));
    m_preset->addItem(tr("Youden's index (max sens. + spec.)"));
    m_preset->addItem(tr("Set by hand"));
    m_preset->setToolTip(tr("How the threshold is chosen. Presets are chosen on the validation "
                            "split and reported on the test split."));
    m_target = new QDoubleSpinBox(this);
    m_target->setObjectName(QStringLiteral("operatingTarget"));
    m_target->setRange(50.0, 100.0);
    m_target->setDecimals(1);
    m_target->setSingleStep(0.5);
    m_target->setSuffix(QStringLiteral(" %"));
    m_target->setKeyboardTracking(false);
    m_target->setToolTip(tr("The sensitivity or specificity the threshold must reach on the "
                            "validation split"));

    m_slider = new QSlider(Qt::Horizontal, this);
    m_slider->setObjectName(QStringLiteral("thresholdSlider"));
    m_slider->setRange(0, kSliderSteps);
    m_slider->setPageStep(kSliderSteps / 50);
    m_thresholdBox = new QDoubleSpinBox(this);
    m_thresholdBox->setObjectName(QStringLiteral("thresholdBox"));
    m_thresholdBox->setRange(0.0, 1.0);
    m_thresholdBox->setDecimals(4);
    m_thresholdBox->setSingleStep(0.01);
    m_thresholdBox->setKeyboardTracking(false);
    m_thresholdBox->setToolTip(tr("An image is called positive when its probability is at "
                                  "least the threshold"));

    m_temperatureBox = new QCheckBox(tr("Temperature scaling"), this);
    m_temperatureBox->setObjectName(QStringLiteral("temperatureScaling"));

    m_note = new QLabel(this);
    m_note->setObjectName(QStringLiteral("operatingNote"));
    m_note->setWordWrap(true);
    m_note->setStyleSheet(kMutedStyle);
    m_pointText = new QLabel(this);
    m_pointText->setObjectName(QStringLiteral("operatingPointText"));
    m_pointText->setWordWrap(true);
    m_pointText->setTextFormat(Qt::PlainText);
    m_save = new QPushButton(tr("Save operating point"), this);
    m_save->setObjectName(QStringLiteral("saveOperatingPoint"));
    m_saveStatus = new QLabel(this);
    m_saveStatus->setObjectName(QStringLiteral("operatingSaveStatus"));
    m_saveStatus->setWordWrap(true);
    m_saveStatus->setTextFormat(Qt::PlainText);

    auto* rule = new QHBoxLayout;
    rule->addWidget(new QLabel(tr("Choose by"), this));
    rule->addWidget(m_preset, 1);
    rule->addWidget(m_target);
    auto* threshold = new QHBoxLayout;
    threshold->addWidget(new QLabel(tr("Threshold"), this));
    threshold->addWidget(m_slider, 1);
    threshold->addWidget(m_thresholdBox);
    auto* saveRow = new QHBoxLayout;
    saveRow->addWidget(m_save, 0, Qt::AlignTop);
    saveRow->addWidget(m_saveStatus, 1);
    auto* controls = new QVBoxLayout;
    controls->setSpacing(6);
    controls->addLayout(rule);
    controls->addLayout(threshold);
    controls->addWidget(m_temperatureBox);
    controls->addWidget(m_note);
    controls->addWidget(m_pointText);
    controls->addStretch(1);
    controls->addLayout(saveRow);

    auto* grid = new QGridLayout;
    grid->setHorizontalSpacing(18);
    grid->setVerticalSpacing(4);
    m_testHeader = new QLabel(this);
    m_validationHeader = new QLabel(this);
    grid->addWidget(m_testHeader, 0, 1);
    grid->addWidget(m_validationHeader, 0, 2);
    const QString names[] = {tr("Sensitivity"), tr("Specificity"), tr("PPV (precision)"),
                             tr("NPV")};
    const QString tips[] = {tr("Share of positive images called positive"),
                            tr("Share of negative images called negative"),
                            tr("Share of positive calls that are right"),
                            tr("Share of negative calls that are right")};
    for (int row = 0; row < 4; ++row) {
        auto* name = new QLabel(QStringLiteral("<b>%1</b>").arg(names[row]), this);
        name->setToolTip(tips[row]);
        FigureRow figure;
        figure.test = new QLabel(this);
        figure.test->setObjectName(QStringLiteral("testFigure%1").arg(row));
        figure.validation = new QLabel(this);
        figure.validation->setObjectName(QStringLiteral("validationFigure%1").arg(row));
        figure.validation->setStyleSheet(kMutedStyle);
        grid->addWidget(name, row + 1, 0);
        grid->addWidget(figure.test, row + 1, 1);
        grid->addWidget(figure.validation, row + 1, 2);
        m_rows.push_back(figure);
    }
    m_testCounts = new QLabel(this);
    m_testCounts->setObjectName(QStringLiteral("testCounts"));
    m_validationCounts = new QLabel(this);
    m_validationCounts->setObjectName(QStringLiteral("validationCounts"));
    m_validationCounts->setStyleSheet(kMutedStyle);
    grid->addWidget(new QLabel(tr("Counts"), this), 5, 0);
    grid->addWidget(m_testCounts, 5, 1);
    grid->addWidget(m_validationCounts, 5, 2);
    m_workload = new QLabel(this);
    m_workload->setObjectName(QStringLiteral("workload"));
    m_workload->setWordWrap(true);
    m_workload->setTextFormat(Qt::RichText);
    grid->addWidget(m_workload, 6, 0, 1, 3);
    grid->setRowStretch(7, 1);
    grid->setColumnStretch(1, 1);
    grid->setColumnStretch(2, 1);

    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 6, 8, 6);
    layout->setSpacing(24);
    layout->addLayout(controls, 5);
    layout->addLayout(grid, 6);

    connect(m_preset, &QComboBox::currentIndexChanged, this, [this](int index) {
        if (!m_updating && index >= 0)
            setRule(ThresholdRule(index));
    });
    connect(m_target, &QDoubleSpinBox::valueChanged, this, [this](double value) {
        if (!m_updating)
            setTarget(value / 100.0);
    });
    connect(m_slider, &QSlider::valueChanged, this, [this](int value) {
        if (!m_updating)
            setThreshold(double(value) / kSliderSteps);
    });
    connect(m_thresholdBox, &QDoubleSpinBox::valueChanged, this, [this](double value) {
        if (!m_updating)
            setThreshold(value);
    });
    connect(m_temperatureBox, &QCheckBox::toggled, this, [this](bool on) {
        if (!m_updating)
            setTemperatureScaling(on);
    });
    connect(m_save, &QPushButton::clicked, this, [this] { save(); });
    clear();
}

void OperatingPointPanel::setDefaultPolicy(const tc::train::DecisionPolicy& policy) {
    m_defaultPolicy = policy;
}

void OperatingPointPanel::clear() {
    m_hasResults = false;
    m_classNames.clear();
    m_runDirectory.clear();
    m_validation = {};
    m_test = {};
    m_saved.reset();
    m_recordedError.clear();
    m_fittedTemperature.reset();
    m_policy = m_defaultPolicy;
    m_threshold = 0.5;
    m_targetMet = true;
    setEnabled(false);
    m_note->setText(tr("No evaluation yet."));
    m_pointText->clear();
    m_saveStatus->clear();
    m_workload->clear();
    for (const FigureRow& row : m_rows) {
        row.test->setText(QStringLiteral("–"));
        row.validation->setText(QStringLiteral("–"));
    }
}

void OperatingPointPanel::setResults(const EvaluationResults& results, int positiveClass) {
    m_hasResults = true;
    setEnabled(true);
    m_classNames = results.classNames;
    m_runDirectory = results.runDirectory;
    m_positive = std::clamp(positiveClass, 0, int(results.classNames.size()) - 1);
    m_saved.reset();
    m_recordedError.clear();
    if (!m_runDirectory.isEmpty())
        m_saved = tc::train::readOperatingPoint(m_runDirectory, &m_recordedError);

    // What the run recorded, else what it decided after training, else the project's policy.
    std::optional<double> recordedThreshold;
    std::optional<double> recordedTemperature;
    if (m_saved) {
        m_policy = m_saved->policy;
        if (m_saved->positiveClass == m_positive)
            recordedThreshold = m_saved->threshold;
        if (m_saved->temperature != 1.0)
            recordedTemperature = m_saved->temperature;
        m_targetMet = m_saved->targetMet;
    } else if (results.decision) {
        m_policy = results.decision->policy;
        if (results.decision->positiveClass == m_positive)
            recordedThreshold = results.decision->threshold();
        if (results.decision->temperature != 1.0)
            recordedTemperature = results.decision->temperature;
        m_targetMet = results.decision->validation.targetMet;
    } else {
        m_policy = m_defaultPolicy;
    }

    // The temperature the run used (the same fit on the same validation logits), else a fit.
    m_fittedTemperature.reset();
    const tc::train::Logits validationLogits = logitsOf(results.validationImages);
    if (recordedTemperature)
        m_fittedTemperature = recordedTemperature;
    else if (!validationLogits.empty())
        m_fittedTemperature =
            tc::train::fitTemperature(validationLogits, trueClassesOf(results.validationImages));
    buildScores(results);

    if (recordedThreshold) {
        m_threshold = *recordedThreshold;
        if (m_policy.rule == ThresholdRule::Fixed)
            m_policy.threshold = m_threshold;
    } else {
        applyRule();
    }
    if (!presetsAvailable() && m_policy.rule != ThresholdRule::Fixed) {
        m_policy.rule = ThresholdRule::Fixed;
        m_policy.threshold = m_threshold;
    }
    showState();
}

void OperatingPointPanel::buildScores(const EvaluationResults& results) {
    auto build = [&](const std::vector<EvaluatedImage>& images) {
        SplitScores scores;
        bool grouped = !images.empty();
        for (const EvaluatedImage& image : images) {
            scores.labels.push_back(image.trueClass == m_positive ? 1 : 0);
            scores.raw.push_back(double(image.probabilities[size_t(m_positive)]));
            grouped = grouped && !image.group.isEmpty();
        }
        if (grouped)
            for (const EvaluatedImage& image : images)
                scores.groups.push_back(image.group);
        const tc::train::Logits logits = logitsOf(images);
        if (m_fittedTemperature && !logits.empty())
            scores.calibrated =
                tc::train::positiveProbabilities(logits, m_positive, *m_fittedTemperature);
        return scores;
    };
    m_validation = build(results.validationImages);
    m_test = build(results.images);
}

double OperatingPointPanel::temperature() const {
    return temperatureApplied() ? *m_fittedTemperature : 1.0;
}

bool OperatingPointPanel::temperatureApplied() const {
    // Scaling needs logits on both splits: the threshold is chosen on one, applied to the other.
    return m_policy.temperatureScaling && m_fittedTemperature &&
           m_test.calibrated.size() == m_test.labels.size() &&
           m_validation.calibrated.size() == m_validation.labels.size();
}

bool OperatingPointPanel::presetsAvailable() const {
    return m_hasResults && !m_validation.empty();
}

const SplitScores& OperatingPointPanel::scores(EvaluationSplit split) const {
    return split == EvaluationSplit::Test ? m_test : m_validation;
}

std::vector<double> OperatingPointPanel::current(EvaluationSplit split) const {
    const SplitScores& s = scores(split);
    return temperatureApplied() ? s.calibrated : s.raw;
}

tc::train::BinaryFigures OperatingPointPanel::figures(EvaluationSplit split) const {
    return tc::train::figuresAt(scores(split).labels, current(split), m_threshold);
}

void OperatingPointPanel::applyRule() {
    if (m_policy.rule == ThresholdRule::Fixed) {
        m_threshold = m_policy.threshold;
        m_targetMet = true;
        return;
    }
    if (!presetsAvailable())
        return;
    const tc::train::ThresholdChoice choice = tc::train::chooseThreshold(
        m_validation.labels, current(EvaluationSplit::Validation), m_policy);
    // Calling every case negative may need a threshold just above 1; the file keeps [0, 1].
    m_threshold = std::min(choice.threshold, 1.0);
    m_targetMet = choice.targetMet;
}

void OperatingPointPanel::setRule(ThresholdRule rule) {
    if (!m_hasResults || (rule != ThresholdRule::Fixed && !presetsAvailable()))
        return;
    m_policy.rule = rule;
    if (rule == ThresholdRule::Fixed)
        m_policy.threshold = m_threshold;
    applyRule();
    showState();
    userChanged();
}

void OperatingPointPanel::setTarget(double target) {
    if (!m_hasResults || !(target > 0.0) || target > 1.0)
        return;
    m_policy.target = target;
    if (isTargetRule(m_policy.rule))
        applyRule();
    showState();
    userChanged();
}

void OperatingPointPanel::setThreshold(double threshold) {
    if (!m_hasResults || !std::isfinite(threshold))
        return;
    m_threshold = std::clamp(threshold, 0.0, 1.0);
    m_policy.rule = ThresholdRule::Fixed;
    m_policy.threshold = m_threshold;
    m_targetMet = true;
    showState();
    userChanged();
}

void OperatingPointPanel::setTemperatureScaling(bool on) {
    if (!m_hasResults)
        return;
    const double before = temperature();
    m_policy.temperatureScaling = on;
    const double after = temperature();
    if (m_policy.rule == ThresholdRule::Fixed && m_classNames.size() == 2 && before != after &&
        m_threshold > 0.0 && m_threshold < 1.0) {
        // With two classes p = sigmoid(margin / T): the same margin is the same decision, so a
        // hand-set threshold keeps its decisions when the probability is rescaled.
        const double margin = before * std::log(m_threshold / (1.0 - m_threshold));
        m_threshold = 1.0 / (1.0 + std::exp(-margin / after));
        m_policy.threshold = m_threshold;
    }
    applyRule();
    showState();
    userChanged();
}

void OperatingPointPanel::setAggregation(tc::train::PatientAggregation aggregation) {
    if (m_policy.aggregation == aggregation)
        return;
    m_policy.aggregation = aggregation;
    if (!m_hasResults)
        return;
    showState();
    userChanged();
}

QString OperatingPointPanel::positiveName() const {
    return m_classNames.value(m_positive);
}

tc::train::OperatingPoint OperatingPointPanel::operatingPoint() const {
    tc::train::OperatingPoint point;
    point.threshold = m_threshold;
    point.temperature = temperature();
    point.positiveClass = m_positive;
    point.positiveClassName = positiveName();
    point.policy = m_policy;
    point.policy.temperatureScaling = temperatureApplied();
    // A threshold set by hand in this view was set looking at the test split.
    point.chosenOn = m_policy.rule == ThresholdRule::Fixed ? QStringLiteral("test")
                                                           : QStringLiteral("validation");
    point.targetMet = m_targetMet;
    return point;
}

bool OperatingPointPanel::save() {
    if (!m_hasResults)
        return false;
    if (m_runDirectory.isEmpty()) {
        m_saveStatus->setStyleSheet(kErrorStyle);
        m_saveStatus->setText(tr("These results come from no run folder: there is nowhere to "
                                 "save the operating point."));
        return false;
    }
    const tc::train::OperatingPoint point = operatingPoint();
    QString error;
    if (!tc::train::writeOperatingPoint(m_runDirectory, point, &error)) {
        m_saveStatus->setStyleSheet(kErrorStyle);
        m_saveStatus->setText(tr("Not saved: %1").arg(error));
        return false;
    }
    m_saved = point;
    m_recordedError.clear();
    showState();
    Q_EMIT operatingPointSaved(point);
    return true;
}

void OperatingPointPanel::userChanged() {
    Q_EMIT operatingPointChanged(operatingPoint());
}

QLabel* OperatingPointPanel::figureLabel(EvaluationSplit split, Figure figure) const {
    const FigureRow& row = m_rows[size_t(figure)];
    return split == EvaluationSplit::Test ? row.test : row.validation;
}

QLabel* OperatingPointPanel::countsLabel(EvaluationSplit split) const {
    return split == EvaluationSplit::Test ? m_testCounts : m_validationCounts;
}

void OperatingPointPanel::showState() {
    m_updating = true;
    const bool presets = presetsAvailable();
    m_preset->setEnabled(presets);
    m_preset->setCurrentIndex(int(m_policy.rule));
    m_target->setEnabled(presets && isTargetRule(m_policy.rule));
    m_target->setValue(m_policy.target * 100.0);
    m_slider->setValue(int(std::lround(m_threshold * kSliderSteps)));
    m_thresholdBox->setValue(m_threshold);
    m_temperatureBox->setEnabled(m_fittedTemperature.has_value() &&
                                 m_test.calibrated.size() == m_test.labels.size() &&
                                 m_validation.calibrated.size() == m_validation.labels.size());
    m_temperatureBox->setChecked(temperatureApplied());
    m_temperatureBox->setText(
        m_fittedTemperature ? tr("Temperature scaling (T = %1, fitted on validation)")
                                  .arg(QLocale().toString(*m_fittedTemperature, 'f', 2))
                            : tr("Temperature scaling (needs the logits of the validation split)"));
    m_updating = false;

    const QString positive = positiveName();
    QStringList notes;
    if (!m_recordedError.isEmpty())
        notes << tr("The run's operating point could not be read: %1").arg(m_recordedError);
    if (!presets)
        notes << tr("Presets are unavailable: these results have no validation split to choose "
                    "a threshold on. Set the threshold by hand.");
    else if (m_policy.rule == ThresholdRule::Fixed)
        notes << tr("Set by hand while looking at the test split: its figures are no longer an "
                    "unbiased estimate of how the threshold will do.");
    else if (!m_targetMet)
        notes << tr("No threshold reaches the target on the validation split: the closest one "
                    "is used.");
    else
        notes << tr("Chosen on the validation split (%1 images), reported on the test split.")
                     .arg(m_validation.labels.size());
    notes << tr("Temperature changes the probabilities, not their order: the same preset makes "
                "the same decisions with or without it.");
    m_note->setText(notes.join(QLatin1Char(' ')));
    m_pointText->setText(operatingPoint().describe());

    const tc::train::OperatingPoint point = operatingPoint();
    const bool savedHere = m_saved && m_saved->threshold == point.threshold &&
                           m_saved->temperature == point.temperature &&
                           m_saved->positiveClass == point.positiveClass;
    m_save->setEnabled(!m_runDirectory.isEmpty());
    m_saveStatus->setStyleSheet(kMutedStyle);
    m_saveStatus->setToolTip(
        m_runDirectory.isEmpty()
            ? QString()
            : QDir(m_runDirectory).filePath(tc::train::operatingPointFileName()));
    if (m_runDirectory.isEmpty())
        m_saveStatus->setText(tr("These results come from no run folder: nothing to save to."));
    else if (savedHere)
        m_saveStatus->setText(
            tr("Saved: the run uses this operating point (%1 in %2).")
                .arg(tc::train::operatingPointFileName(), QDir(m_runDirectory).dirName()));
    else if (m_saved)
        m_saveStatus->setText(tr("Not saved: the run still uses threshold %1.")
                                  .arg(QLocale().toString(m_saved->threshold, 'g', 4)));
    else
        m_saveStatus->setText(tr("Not saved: the run has no operating point yet."));

    m_testHeader->setText(tr("<b>Test split</b> · %1 images").arg(m_test.labels.size()));
    m_validationHeader->setText(
        tr("<b>Validation split</b> · %1 images").arg(m_validation.labels.size()));
    showFigures(EvaluationSplit::Test);
    showFigures(EvaluationSplit::Validation);

    const tc::train::BinaryFigures test = figures(EvaluationSplit::Test);
    const QString negative =
        m_classNames.size() == 2 ? m_classNames.value(1 - m_positive) : tr("not %1").arg(positive);
    m_workload->setText(
        tr("<b>Workload</b>: sets aside %1 of the test images as %2 (%3 of %4); <b>%5 of %6</b> "
           "%7 images are among them.")
            .arg(percent(test.setAsideShare(), 0), negative.toHtmlEscaped())
            .arg(test.setAside())
            .arg(test.cases())
            .arg(test.falseNegatives)
            .arg(test.positives())
            .arg(positive.toHtmlEscaped()));
    Q_EMIT changed();
}

void OperatingPointPanel::showFigures(EvaluationSplit split) {
    const bool available = !scores(split).empty();
    const tc::train::BinaryFigures f = available ? figures(split) : tc::train::BinaryFigures{};
    const std::pair<std::int64_t, std::int64_t> values[] = {
        {f.truePositives, f.positives()},
        {f.trueNegatives, f.negatives()},
        {f.truePositives, f.truePositives + f.falsePositives},
        {f.trueNegatives, f.trueNegatives + f.falseNegatives}};
    for (int row = 0; row < 4; ++row)
        figureLabel(split, Figure(row))
            ->setText(available ? figureText(values[row].first, values[row].second)
                                : QStringLiteral("–"));
    countsLabel(split)->setText(available ? tr("TP %1 · FP %2 · TN %3 · FN %4")
                                                .arg(f.truePositives)
                                                .arg(f.falsePositives)
                                                .arg(f.trueNegatives)
                                                .arg(f.falseNegatives)
                                          : tr("no images"));
}

} // namespace tc::ui
