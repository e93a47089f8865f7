#include "core/export/ModelCard.h"

#include "core/nn/PrecisionPolicy.h"
#include "core/train/Metrics.h"
#include "core/util/BuildInfo.h"

#include <QDateTime>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>

namespace tc::exporting {

namespace {

QString percent(double value) {
    return QString::number(100.0 * value, 'f', 1) + QStringLiteral(" %");
}

QString interval(const train::Interval& ci) {
    return QStringLiteral("%1 – %2").arg(QString::number(100.0 * ci.low, 'f', 1),
                                         QString::number(100.0 * ci.high, 'f', 1) +
                                             QStringLiteral(" %"));
}

QString count(double value) {
    return QLocale::c().toString(static_cast<qlonglong>(value));
}

/// A JSON scalar as Markdown text; objects and arrays as compact JSON in code font.
QString valueText(const QJsonValue& value) {
    switch (value.type()) {
    case QJsonValue::Bool:
        return value.toBool() ? QStringLiteral("yes") : QStringLiteral("no");
    case QJsonValue::Double: {
        const double number = value.toDouble();
        return number == std::floor(number) && std::abs(number) < 1e15
                   ? QString::number(static_cast<qlonglong>(number))
                   : QString::number(number, 'g', 6);
    }
    case QJsonValue::String:
        return value.toString().isEmpty() ? QStringLiteral("—") : value.toString();
    case QJsonValue::Array:
        return QLatin1Char('`') +
               QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact)) +
               QLatin1Char('`');
    case QJsonValue::Object:
        return QLatin1Char('`') +
               QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact)) +
               QLatin1Char('`');
    default:
        return QStringLiteral("—");
    }
}

/// "- **key**: value" lines for every entry of `object`.
QString keyValueList(const QJsonObject& object) {
    QString text;
    for (auto it = object.begin(); it != object.end(); ++it)
        text += QStringLiteral("- **%1**: %2\n").arg(it.key(), valueText(it.value()));
    return text;
}

QString escapeCell(QString text) {
    return text.replace(QLatin1Char('|'), QStringLiteral("\\|"));
}

/// The metrics section of one evaluated split.
QString metricsSection(const QString& title, const QJsonObject& json,
                       const QStringList& classNames) {
    const train::ClassificationMetrics m = train::ClassificationMetrics::fromJson(json);
    if (m.samples <= 0 || m.classes <= 0)
        return {};
    QString text = QStringLiteral("### %1 (%2 images)\n\n").arg(title, count(m.samples));
    std::int64_t correct = 0;
    for (int c = 0; c < m.classes; ++c)
        correct += m.confusion[c][c];
    text += QStringLiteral("| Metric | Value | 95 % CI (Wilson) |\n|---|---|---|\n");
    text += QStringLiteral("| Accuracy | %1 | %2 |\n")
                .arg(percent(m.accuracy), interval(train::wilsonInterval(correct, m.samples)));
    text += QStringLiteral("| Balanced accuracy | %1 | — |\n").arg(percent(m.balancedAccuracy));
    if (m.rocAuc)
        text += QStringLiteral("| ROC AUC (%1 positive) | %2 | — |\n")
                    .arg(escapeCell(classNames.value(1, QStringLiteral("class 1"))),
                         QString::number(*m.rocAuc, 'f', 3));
    text += QStringLiteral("\n| Class | Support | Precision (95 % CI) | Recall / sensitivity (95 % "
                           "CI) | F1 |\n|---|---|---|---|---|\n");
    for (int c = 0; c < m.classes; ++c) {
        std::int64_t predicted = 0;
        for (int t = 0; t < m.classes; ++t)
            predicted += m.confusion[t][c];
        const std::int64_t hits = m.confusion[c][c];
        const QString precision =
            predicted > 0
                ? QStringLiteral("%1 (%2)").arg(percent(m.precision[c]),
                                                interval(train::wilsonInterval(hits, predicted)))
                : QStringLiteral("— (never predicted)");
        const QString recall =
            m.support[c] > 0
                ? QStringLiteral("%1 (%2)").arg(percent(m.recall[c]),
                                                interval(train::wilsonInterval(hits, m.support[c])))
                : QStringLiteral("— (no images)");
        text += QStringLiteral("| %1 | %2 | %3 | %4 | %5 |\n")
                    .arg(escapeCell(classNames.value(c, QStringLiteral("class %1").arg(c))),
                         count(double(m.support[c])), precision, recall,
                         QString::number(m.f1[c], 'f', 3));
    }
    text += QStringLiteral("\nConfusion matrix (rows: true class, columns: predicted):\n\n| |");
    for (int c = 0; c < m.classes; ++c)
        text += QLatin1Char(' ') + escapeCell(classNames.value(c)) + QStringLiteral(" |");
    text += QStringLiteral("\n|---|");
    for (int c = 0; c < m.classes; ++c)
        text += QStringLiteral("---|");
    text += QLatin1Char('\n');
    for (int t = 0; t < m.classes; ++t) {
        text += QStringLiteral("| **%1** |").arg(escapeCell(classNames.value(t)));
        for (int p = 0; p < m.classes; ++p)
            text += QLatin1Char(' ') + count(double(m.confusion[t][p])) + QStringLiteral(" |");
        text += QLatin1Char('\n');
    }
    return text + QLatin1Char('\n');
}

/// "95.0 % (88.1–98.2 %)" from {"value": v, "ci95": [low, high]}.
QString figureWithInterval(const QJsonObject& figure) {
    const QJsonArray ci = figure.value(QStringLiteral("ci95")).toArray();
    return QStringLiteral("%1 (95 % CI %2–%3)")
        .arg(percent(figure.value(QStringLiteral("value")).toDouble()),
             percent(ci.at(0).toDouble()), percent(ci.at(1).toDouble()));
}

/// One table row of a split's decision figures (BinaryFigures::toJson()).
QString decisionRow(const QString& name, const QJsonObject& figures) {
    const QJsonObject workload = figures.value(QStringLiteral("workload")).toObject();
    return QStringLiteral("| %1 | %2 | %3 | %4 | %5 | %6 | %7 of %8 (%9), %10 positive(s) |\n")
        .arg(name, count(figures.value(QStringLiteral("cases")).toDouble()),
             figureWithInterval(figures.value(QStringLiteral("sensitivity")).toObject()),
             figureWithInterval(figures.value(QStringLiteral("specificity")).toObject()),
             figureWithInterval(figures.value(QStringLiteral("ppv")).toObject()),
             figureWithInterval(figures.value(QStringLiteral("npv")).toObject()),
             count(workload.value(QStringLiteral("setAside")).toDouble()),
             count(figures.value(QStringLiteral("cases")).toDouble()),
             percent(workload.value(QStringLiteral("setAsideShare")).toDouble()))
        .arg(count(workload.value(QStringLiteral("positivesSetAside")).toDouble()));
}

/// The "Operating point" section from report.json's "decision" (DecisionReport::toJson()).
QString operatingPointSection(const QJsonObject& decision) {
    const QJsonObject point = decision.value(QStringLiteral("operatingPoint")).toObject();
    const QJsonObject chosen = point.value(QStringLiteral("chosenBy")).toObject();
    const QString positive = point.value(QStringLiteral("positiveClass")).toString();
    const double temperature = point.value(QStringLiteral("temperature")).toDouble(1.0);
    const QString rule = chosen.value(QStringLiteral("rule")).toString();
    QString how;
    if (rule == QLatin1String("targetSensitivity"))
        how = QStringLiteral("the highest threshold with a sensitivity of at least %1 on the "
                             "validation split")
                  .arg(percent(chosen.value(QStringLiteral("target")).toDouble()));
    else if (rule == QLatin1String("targetSpecificity"))
        how = QStringLiteral("the lowest threshold with a specificity of at least %1 on the "
                             "validation split")
                  .arg(percent(chosen.value(QStringLiteral("target")).toDouble()));
    else if (rule == QLatin1String("youden"))
        how = QStringLiteral("the threshold with the largest Youden index (sensitivity + "
                             "specificity − 1) on the validation split");
    else
        how = QStringLiteral("a threshold set by hand");
    if (!chosen.value(QStringLiteral("targetMet")).toBool(true))
        how += QStringLiteral(" — **the target was not reached on validation**");

    QString md = QStringLiteral("## Operating point\n\n");
    md += QStringLiteral("- **Decision**: *%1* when p(%1) ≥ **%2**, where p is %3\n")
              .arg(positive)
              .arg(point.value(QStringLiteral("threshold")).toDouble(), 0, 'g', 6)
              .arg(temperature == 1.0
                       ? QStringLiteral("the softmax probability")
                       : QStringLiteral("the softmax of the logits divided by the temperature "
                                        "T = %1 (fitted on the validation split)")
                             .arg(temperature, 0, 'g', 5));
    md += QStringLiteral("- **Chosen as**: %1; the test split did not take part in the "
                         "choice.\n\n")
              .arg(how);
    md += QStringLiteral("| Split | Images | Sensitivity | Specificity | PPV | NPV | Set aside "
                         "as negative |\n|---|---|---|---|---|---|---|\n");
    md += decisionRow(QStringLiteral("Validation (chosen on)"),
                      decision.value(QStringLiteral("validation")).toObject());
    md += decisionRow(QStringLiteral("Test"), decision.value(QStringLiteral("test")).toObject());
    md += QLatin1Char('\n');
    const QJsonObject patients = decision.value(QStringLiteral("patients")).toObject();
    const QJsonObject testPatients = patients.value(QStringLiteral("test")).toObject();
    if (!testPatients.isEmpty()) {
        const QJsonObject figures = testPatients.value(QStringLiteral("figures")).toObject();
        md +=
            QStringLiteral("Per patient (image probabilities aggregated by their %1; test "
                           "split): sensitivity %2, specificity %3; %4 patient(s) with at "
                           "least one missed %5 image.\n\n")
                .arg(testPatients.value(QStringLiteral("aggregation")).toString(),
                     figureWithInterval(figures.value(QStringLiteral("sensitivity")).toObject()),
                     figureWithInterval(figures.value(QStringLiteral("specificity")).toObject()))
                .arg(testPatients.value(QStringLiteral("patientsWithMissedPositiveImage")).toInt())
                .arg(positive);
    }
    const QJsonObject calibration = decision.value(QStringLiteral("calibration")).toObject();
    if (!calibration.isEmpty()) {
        md += QStringLiteral("Calibration of p(%1) (10-bin expected calibration error and "
                             "Brier score; lower is better):\n\n"
                             "| Split | ECE before | ECE after | Brier before | Brier after "
                             "|\n|---|---|---|---|---|\n")
                  .arg(positive);
        for (const char* split : {"validation", "test"}) {
            const QJsonObject part = calibration.value(QLatin1String(split)).toObject();
            const QJsonObject before = part.value(QStringLiteral("before")).toObject();
            const QJsonObject after = part.value(QStringLiteral("after")).toObject();
            md += QStringLiteral("| %1 | %2 | %3 | %4 | %5 |\n")
                      .arg(QLatin1String(split))
                      .arg(before.value(QStringLiteral("ece")).toDouble(), 0, 'f', 4)
                      .arg(after.value(QStringLiteral("ece")).toDouble(), 0, 'f', 4)
                      .arg(before.value(QStringLiteral("brier")).toDouble(), 0, 'f', 4)
                      .arg(after.value(QStringLiteral("brier")).toDouble(), 0, 'f', 4);
        }
        md += QStringLiteral("\n\"Before\" is the plain softmax, \"after\" the softmax at "
                             "temperature T = %1; the temperature changes the probabilities, "
                             "not the ranking of the images.\n\n")
                  .arg(temperature, 0, 'g', 5);
    }
    return md;
}

QString preprocessingText(const data::PreprocessingSettings& p) {
    const Normalisation n = normalisationOf(p);
    QString text;
    text += QStringLiteral("- Decoding: OpenCV (`cv::imdecode`, colour; grey images are "
                           "replicated, alpha is dropped), then BGR → RGB.\n");
    text += p.resize == data::PreprocessingSettings::Resize::Stretch
                ? QStringLiteral("- Resize: stretched to %1 × %2 pixels (aspect ratio not kept).\n")
                      .arg(p.width)
                      .arg(p.height)
                : QStringLiteral("- Resize: the shorter side scaled to cover %1 × %2 pixels, "
                                 "then the centre cropped.\n")
                      .arg(p.width)
                      .arg(p.height);
    text += QStringLiteral("- Interpolation: `INTER_AREA` when shrinking in both directions, "
                           "`INTER_LINEAR` otherwise (8-bit images are resized in 8 bits).\n");
    if (p.normalization == data::PreprocessingSettings::Normalization::ImageNet)
        text += QStringLiteral("- Normalisation: x / 255, then (x − mean) / std per RGB channel "
                               "with ImageNet's mean (%1, %2, %3) and std (%4, %5, %6).\n")
                    .arg(double(n.mean[0]))
                    .arg(double(n.mean[1]))
                    .arg(double(n.mean[2]))
                    .arg(double(n.std[0]))
                    .arg(double(n.std[1]))
                    .arg(double(n.std[2]));
    else
        text += QStringLiteral("- Normalisation: x / 255 (values in [0, 1]).\n");
    const data::AugmentationSettings& a = p.augmentation;
    if (a.enabled()) {
        QStringList transforms;
        if (a.horizontalFlip)
            transforms << QStringLiteral("horizontal flips");
        if (a.verticalFlip)
            transforms << QStringLiteral("vertical flips");
        if (a.rotate90)
            transforms << QStringLiteral("90° rotations");
        if (a.cropScale > 0)
            transforms << QStringLiteral("random crops (scale %1)").arg(a.cropScale);
        if (a.brightness > 0)
            transforms << QStringLiteral("brightness ±%1").arg(a.brightness);
        if (a.contrast > 0)
            transforms << QStringLiteral("contrast ±%1").arg(a.contrast);
        if (a.stainJitter > 0)
            transforms << QStringLiteral("H&E stain jitter %1").arg(a.stainJitter);
        text += QStringLiteral("- Training augmentation (training images only): %1.\n")
                    .arg(transforms.join(QStringLiteral(", ")));
    } else {
        text += QStringLiteral("- Training augmentation: none.\n");
    }
    return text;
}

QString usageText(const ModelCardContext& context, const TrainedModel& model) {
    const QString file = context.exportedFile.isEmpty()
                             ? QStringLiteral("MODEL")
                             : QFileInfo(context.exportedFile).fileName();
    const QString format = context.formatName.toLower();
    QString text =
        QStringLiteral("With TorchCanvas: `torchcanvas predict %1 IMAGE_OR_FOLDER...`.\n\n")
            .arg(file);
    if (format.startsWith(QLatin1String("torchscript"))) {
        const bool deployable = format.contains(QLatin1String("preprocessing"));
        text += QStringLiteral("In Python:\n\n```python\nimport cv2, torch\nmodel = "
                               "torch.jit.load(\"%1\")\n")
                    .arg(file);
        if (deployable)
            text += QStringLiteral("rgb = cv2.cvtColor(cv2.imread(\"image.png\"), "
                                   "cv2.COLOR_BGR2RGB)\nprobabilities = "
                                   "model(torch.from_numpy(rgb))  # uint8 [H, W, 3], any size\n");
        else
            text += QStringLiteral("probabilities = model(x)  # x: float32 [N, 3, %1, %2], "
                                   "preprocessed as above\n")
                        .arg(model.preprocessing.height)
                        .arg(model.preprocessing.width);
        text +=
            QStringLiteral("print(dict(zip(model.class_names, probabilities[0].tolist())))\n```\n");
    } else if (format == QLatin1String("onnx")) {
        text += QStringLiteral("Input `input`: float32 [N, 3, %1, %2] preprocessed as above; "
                               "output `probabilities`: [N, %3]. Class names are in the "
                               "model's metadata (`class_names`).\n")
                    .arg(model.preprocessing.height)
                    .arg(model.preprocessing.width)
                    .arg(model.classNames.size());
    } else if (format == QLatin1String("safetensors")) {
        text += QStringLiteral("Tensors use torchvision's names under `backbone.` and the "
                               "module names of each layer under `head.<i>.`; the component "
                               "chain, classes and preprocessing are in the JSON file next to "
                               "it and in the file's metadata (key `torchcanvas`).\n");
    }
    return text;
}

} // namespace

QString modelCardMarkdown(const TrainedModel& model, const ModelCardContext& context) {
    const QJsonObject& meta = model.metadata;
    const QString exportedAt = context.exportedAt.isEmpty()
                                   ? QDateTime::currentDateTimeUtc().toString(Qt::ISODate)
                                   : context.exportedAt;
    const QJsonObject project = meta.value(QStringLiteral("projectInfo")).toObject();
    QString title = QFileInfo(meta.value(QStringLiteral("project")).toString()).completeBaseName();
    if (title.isEmpty())
        title = model.architectureSummary();

    QString md;
    md += QStringLiteral("# Model card: %1\n\n").arg(title);
    md += QStringLiteral("> **Research use only. This model is not a medical device and must not "
                         "be used to diagnose, treat or make any clinical decision about a "
                         "patient.**\n\n");
    md +=
        QStringLiteral("Exported by TorchCanvas %1 on %2").arg(buildInfo().torchCanvas, exportedAt);
    if (!context.formatName.isEmpty())
        md += QStringLiteral(" as %1").arg(context.formatName);
    if (!context.exportedFile.isEmpty())
        md += QStringLiteral(" (`%1`)").arg(QFileInfo(context.exportedFile).fileName());
    md += QStringLiteral(".\n\n");

    // ---- Model
    md += QStringLiteral("## Model\n\n");
    md += QStringLiteral("- **Architecture**: %1\n").arg(model.architectureSummary());
    md += QStringLiteral("- **Parameters**: %1\n").arg(count(double(model.parameterCount())));
    const QJsonValue weights = meta.value(QStringLiteral("weights"));
    if (!weights.isUndefined())
        md += QStringLiteral("- **Backbone weights**: %1\n").arg(valueText(weights));
    else if (model.hasBackbone())
        md += QStringLiteral("- **Backbone weights**: not recorded\n");
    const QJsonObject precision = meta.value(QStringLiteral("precision")).toObject();
    if (model.hasBackbone() && !precision.isEmpty()) {
        const QString reason = precision.value(QStringLiteral("reason")).toString();
        md += QStringLiteral("- **Training precision**: %1%2 on %3; this file computes in fp32, "
                             "so its probabilities may differ from the run's by up to %4\n")
                  .arg(precision.value(QStringLiteral("used")).toString(),
                       reason.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(reason),
                       precision.value(QStringLiteral("cpu")).toString())
                  .arg(nn::probabilityTolerance(model.backbonePrecision));
    }
    QStringList classes;
    for (int c = 0; c < model.classNames.size(); ++c)
        classes << QStringLiteral("%1 = %2").arg(c).arg(model.classNames[c]);
    md += QStringLiteral("- **Classes**: %1\n").arg(classes.join(QStringLiteral(", ")));
    md += QStringLiteral("- **Input**: RGB image, %1 × %2 pixels after preprocessing (below)\n")
              .arg(model.preprocessing.width)
              .arg(model.preprocessing.height);
    if (model.operatingPoint) {
        md += QStringLiteral("- **Output**: one probability per class, softmax(logits / %1)\n")
                  .arg(model.operatingPoint->temperature, 0, 'g', 5);
        md += QStringLiteral("- **Decision**: %1 when p(%1) ≥ %2 (%3); otherwise the most probable "
                             "of the other classes\n")
                  .arg(model.operatingPoint->positiveClassName)
                  .arg(model.operatingPoint->threshold, 0, 'g', 6)
                  .arg(model.operatingPoint->describe());
    } else {
        md += QStringLiteral("- **Output**: one probability per class (softmax); no operating "
                             "point was saved with the run, so the predicted label is the most "
                             "probable class\n");
    }
    const QJsonObject finished = meta.value(QStringLiteral("finished")).toObject();
    if (meta.contains(QStringLiteral("checkpoint")))
        md += QStringLiteral("- **Checkpoint**: %1\n")
                  .arg(valueText(meta.value(QStringLiteral("checkpoint"))));
    if (meta.contains(QStringLiteral("torchcanvas")))
        md += QStringLiteral("- **Trained with**: %1\n")
                  .arg(valueText(meta.value(QStringLiteral("torchcanvas"))));
    md += QLatin1Char('\n');

    // ---- Data
    md += QStringLiteral("## Data\n\n");
    // A training run's report.json has "data" (ProjectTraining); other sources may give
    // "dataset" and "fingerprint".
    const QJsonObject data = meta.value(QStringLiteral("data")).toObject();
    const QJsonValue dataset = meta.value(QStringLiteral("dataset"));
    if (!data.isEmpty()) {
        md += QStringLiteral("- **Data set**: %1\n")
                  .arg(valueText(data.value(QStringLiteral("source"))));
        if (data.contains(QStringLiteral("images")))
            md += QStringLiteral("- **Images**: %1 usable")
                      .arg(valueText(data.value(QStringLiteral("images")))) +
                  (data.value(QStringLiteral("diagnostics")).toInt() > 0
                       ? QStringLiteral(" (%1 rows excluded or with warnings)")
                             .arg(data.value(QStringLiteral("diagnostics")).toInt())
                       : QString()) +
                  QLatin1Char('\n');
        if (data.contains(QStringLiteral("fingerprint")))
            md += QStringLiteral("- **Fingerprint**: `%1`\n")
                      .arg(data.value(QStringLiteral("fingerprint")).toString());
    } else if (dataset.isObject()) {
        md += keyValueList(dataset.toObject());
    } else if (!dataset.isUndefined()) {
        md += QStringLiteral("- **Data set**: %1\n").arg(valueText(dataset));
    }
    for (const char* key : {"datasetFingerprint", "fingerprint"}) {
        if (meta.contains(QLatin1String(key)))
            md += QStringLiteral("- **Fingerprint**: `%1`\n")
                      .arg(meta.value(QLatin1String(key)).toString());
    }
    if (data.isEmpty() && dataset.isUndefined() && !meta.contains(QStringLiteral("fingerprint")) &&
        !meta.contains(QStringLiteral("datasetFingerprint")))
        md += QStringLiteral("- The data set was not recorded with this model.\n");
    const QJsonObject splits = meta.value(QStringLiteral("splits")).toObject();
    if (!splits.isEmpty())
        md += QStringLiteral("- **Split**: %1 training, %2 validation, %3 test images\n")
                  .arg(count(splits.value(QStringLiteral("train")).toDouble()),
                       count(splits.value(QStringLiteral("validation")).toDouble()),
                       count(splits.value(QStringLiteral("test")).toDouble()));
    const QJsonValue splitSettings = data.contains(QStringLiteral("splitSettings"))
                                         ? data.value(QStringLiteral("splitSettings"))
                                         : meta.value(QStringLiteral("split"));
    if (splitSettings.isObject())
        md += QStringLiteral("- **Split settings**: %1\n").arg(valueText(splitSettings));
    md += QLatin1Char('\n');

    // ---- Preprocessing
    md += QStringLiteral("## Preprocessing\n\n") + preprocessingText(model.preprocessing) +
          QLatin1Char('\n');

    // ---- Metrics
    md += QStringLiteral("## Evaluation\n\n");
    QString metrics;
    // The epoch the exported checkpoint holds: the best one, or the last one.
    const bool lastCheckpoint = meta.value(QStringLiteral("checkpoint"))
                                    .toString()
                                    .startsWith(QLatin1String("checkpoint-last"));
    const QJsonObject best =
        meta.value(lastCheckpoint ? QStringLiteral("final") : QStringLiteral("best")).toObject();
    if (best.contains(QStringLiteral("validation")))
        metrics += metricsSection(
            QStringLiteral("Validation split, epoch %1 (%2)")
                .arg(best.value(QStringLiteral("epoch")).toInt())
                .arg(lastCheckpoint ? QStringLiteral("the last epoch")
                                    : QStringLiteral("the checkpoint's selection epoch")),
            best.value(QStringLiteral("validation")).toObject(), model.classNames);
    if (meta.contains(QStringLiteral("test")))
        metrics += metricsSection(QStringLiteral("Test split"),
                                  meta.value(QStringLiteral("test")).toObject(), model.classNames);
    if (metrics.isEmpty()) {
        md += QStringLiteral("No evaluation was recorded with this model: its accuracy is "
                             "unknown.\n\n");
    } else {
        md += metrics;
        md += QStringLiteral("Intervals are 95 % Wilson score intervals for a proportion of "
                             "images: they reflect sampling only, not patient-level "
                             "correlation, other scanners or other laboratories. The "
                             "validation split chose the checkpoint, so its figures are "
                             "optimistic; the test split, when present, was used once at the "
                             "end.\n\n");
    }

    const QJsonObject decision = meta.value(QStringLiteral("decision")).toObject();
    if (!decision.isEmpty()) {
        md += operatingPointSection(decision);
        const double trained = decision.value(QStringLiteral("operatingPoint"))
                                   .toObject()
                                   .value(QStringLiteral("threshold"))
                                   .toDouble();
        if (model.operatingPoint && model.operatingPoint->threshold != trained)
            md += QStringLiteral("**The operating point was changed after training** (%1). The "
                                 "figures above are those of the threshold chosen when the run "
                                 "ended (%2); the Test view shows the figures of the current "
                                 "one.\n\n")
                      .arg(model.operatingPoint->describe())
                      .arg(trained, 0, 'g', 6);
    }

    // ---- Training
    md += QStringLiteral("## Training\n\n");
    const QJsonObject training = meta.value(QStringLiteral("configuration"))
                                     .toObject()
                                     .value(QStringLiteral("training"))
                                     .toObject();
    if (!training.isEmpty())
        md += keyValueList(training);
    else
        md += QStringLiteral("- Training settings were not recorded.\n");
    if (!finished.isEmpty())
        md += QStringLiteral("- **Run**: %1 after %2 epochs (best epoch %3)\n")
                  .arg(finished.value(QStringLiteral("reason")).toString())
                  .arg(finished.value(QStringLiteral("epochsCompleted")).toInt())
                  .arg(finished.value(QStringLiteral("bestEpoch")).toInt());
    md += QLatin1Char('\n');

    // ---- Intended use and limitations
    md += QStringLiteral(
        "## Intended use\n\n"
        "- Research and teaching: exploring image classification, comparing models and "
        "preprocessing choices, reproducing experiments.\n"
        "- **Not** for clinical use. It is not a diagnostic device, has not been validated "
        "clinically or approved by any regulator, and must not influence the care of any "
        "patient.\n\n"
        "## Limitations\n\n"
        "- It has only seen images like its training data (same source, staining, scanner, "
        "magnification and preprocessing); on anything else its behaviour is unknown.\n"
        "- A high probability is not a guarantee; calibration (above, when recorded) was "
        "measured on this data set only.\n"
        "- It assigns every image to one of its classes, even an image of something else.\n"
        "- The figures above come from one split of one data set; small splits give wide "
        "intervals.\n");
    if (project.isEmpty() && !splitSettings.isObject())
        md += QStringLiteral("- Whether images of one patient were kept in one part of the "
                             "split was not recorded; if not, the figures are optimistic.\n");
    else if (splitSettings.toObject().value(QStringLiteral("grouped")).toBool(true) == false)
        md += QStringLiteral("- The split was not grouped by patient: images of one patient may "
                             "appear in training and evaluation, which makes the figures "
                             "optimistic.\n");
    if (weights.isString() && weights.toString().contains(QLatin1String("RANDOM")))
        md += QStringLiteral("- The backbone was not pretrained (random initialisation).\n");
    md += QLatin1Char('\n');

    md += QStringLiteral("## How to use\n\n") + usageText(context, model);
    return md;
}

} // namespace tc::exporting
