// The model travels with its decision and its explanation (issues 14 and 15): a run's
// operating-point.json reaches every export (TorchScript attributes and torchcanvas.json,
// ONNX metadata_props) and `predict` (from the run, its checkpoint and the exports); the
// exported probabilities are softmax(logits / T), checked against the app's own logits; the
// saved threshold decides and --threshold overrides it; a run without an operating point falls
// back to the most probable class and says so; `explain` gives the same map from a run folder,
// a checkpoint and a TorchScript export; the gradcam() method of an export made
// --with-explanations, called from Python's torch.jit.load, matches Explainer.

#include "core/data/ImagePipeline.h"
#include "core/data/SyntheticHistology.h"
#include "core/export/Explainer.h"
#include "core/export/Exporter.h"
#include "core/export/ModelLoading.h"
#include "core/export/TorchScriptExport.h"
#include "core/graph/Graph.h"
#include "core/graph/Project.h"
#include "core/train/Decision.h"
#include "core/train/ProjectTraining.h"
#include "tst_exporthelpers.h"

#include <QDirIterator>

using namespace tc;
using namespace tc::exporting;

namespace {

constexpr double kTemperature = 1.7;
constexpr int kWidth = 160; ///< not square: a transposed map would not match
constexpr int kHeight = 128;

QByteArray readAll(const QString& path) {
    QFile file(path);
    file.open(QIODevice::ReadOnly);
    return file.readAll();
}

void writeAll(const QString& path, const QByteArray& bytes) {
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
        qFatal("cannot write %s", qPrintable(path));
}

/// A float32 .npy as written by util::writeNpy (format 1.0, '<f4'): its values.
std::vector<float> readNpy(const QString& path) {
    const QByteArray bytes = readAll(path);
    if (bytes.size() < 10 || !bytes.startsWith("\x93NUMPY"))
        return {};
    const int header = quint8(bytes[8]) | (quint8(bytes[9]) << 8);
    if (!bytes.mid(10, header).contains("'<f4'"))
        return {};
    const QByteArray data = bytes.mid(10 + header);
    std::vector<float> values(size_t(data.size()) / sizeof(float));
    std::memcpy(values.data(), data.constData(), values.size() * sizeof(float));
    return values;
}

double pearson(const std::vector<double>& a, const std::vector<double>& b) {
    const double n = double(a.size());
    double ma = 0, mb = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        ma += a[i] / n;
        mb += b[i] / n;
    }
    double sab = 0, saa = 0, sbb = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        sab += (a[i] - ma) * (b[i] - mb);
        saa += (a[i] - ma) * (a[i] - ma);
        sbb += (b[i] - mb) * (b[i] - mb);
    }
    return sab / std::sqrt(saa * sbb);
}

std::vector<double> doubles(const QJsonArray& array) {
    std::vector<double> values;
    for (const QJsonValue& value : array)
        values.push_back(value.toDouble());
    return values;
}

} // namespace

class TestExportDecision : public QObject {
    Q_OBJECT

private:
    QString m_folder;
    QString m_run;        ///< trained, then given a known operating point
    QString m_runWithout; ///< a copy without operating-point.json
    QString m_deployable; ///< --with-preprocessing --with-explanations
    QString m_bare;       ///< --with-explanations
    QString m_onnx;
    QStringList m_images;
    QStringList m_classes;
    train::OperatingPoint m_point;
    /// softmax(logits / T)[malignant] and softmax(logits)[malignant] per image, from the app's
    /// own modules (ChainModel) on the app's pipeline, computed here.
    std::vector<double> m_scaled, m_unscaled;
    std::vector<std::vector<double>> m_scaledAll;
    int m_positives = 0; ///< images at or above the threshold

    struct Result {
        int exitCode = -1;
        QString out, err;
    };

    Result cli(const QStringList& arguments) {
        Result result;
        QByteArray standardError;
        result.out =
            QString::fromUtf8(testing::runProgram(QStringLiteral(TORCHCANVAS_BINARY), arguments,
                                                  &result.exitCode, &standardError, 300000));
        result.err = QString::fromUtf8(standardError);
        return result;
    }

    QJsonObject python(const QStringList& arguments) {
        int exitCode = -1;
        QByteArray standardError;
        const QByteArray out =
            testing::runProgram(QStringLiteral(TORCHCANVAS_PYTHON),
                                QStringList{testing::testTool("decision_oracle.py")} + arguments,
                                &exitCode, &standardError, 300000);
        if (exitCode != 0)
            qWarning("decision_oracle.py failed: %s", standardError.constData());
        return QJsonDocument::fromJson(out).object();
    }

    QJsonObject predictJson(const QStringList& arguments) {
        const Result result = cli(QStringList{QStringLiteral("predict"), QStringLiteral("--json")} +
                                  arguments + m_images);
        if (result.exitCode != 0)
            qWarning("predict failed: %s", qPrintable(result.err));
        return QJsonDocument::fromJson(result.out.toUtf8()).object();
    }

    QString writeProject(const QString& csv) {
        graph::Project project;
        auto& graph = project.graph();
        const int input = graph.addNode(QStringLiteral("Input"), {},
                                        {{QStringLiteral("channels"), 3},
                                         {QStringLiteral("height"), kHeight},
                                         {QStringLiteral("width"), kWidth}});
        const int resnet = graph.addNode(QStringLiteral("ResNet"), {},
                                         {{QStringLiteral("variant"), QStringLiteral("18")},
                                          {QStringLiteral("pretrained"), QStringLiteral("none")},
                                          {QStringLiteral("trainable"), QStringLiteral("frozen")},
                                          {QStringLiteral("pooling"), QStringLiteral("avg")}});
        const int hidden = graph.addNode(QStringLiteral("Dense"), {},
                                         {{QStringLiteral("units"), 16},
                                          {QStringLiteral("activation"), QStringLiteral("relu")}});
        const int last = graph.addNode(QStringLiteral("Dense"), {},
                                       {{QStringLiteral("units"), 2},
                                        {QStringLiteral("activation"), QStringLiteral("softmax")}});
        const int output = graph.addNode(QStringLiteral("Output"));
        graph.addLink({input, 0}, {resnet, 0});
        graph.addLink({resnet, 0}, {hidden, 0});
        graph.addLink({hidden, 0}, {last, 0});
        graph.addLink({last, 0}, {output, 0});
        project.setDataset({{QStringLiteral("source"), csv}});
        project.setSplit({{QStringLiteral("train"), 60},
                          {QStringLiteral("validation"), 25},
                          {QStringLiteral("test"), 15}});
        project.setPreprocessing(
            {{QStringLiteral("width"), kWidth}, {QStringLiteral("height"), kHeight}});
        project.setTraining({{QStringLiteral("epochs"), 1},
                             {QStringLiteral("batchSize"), 8},
                             {QStringLiteral("seed"), 3},
                             {QStringLiteral("precision"), QStringLiteral("fp32")}});
        const QString path = QDir(m_folder).filePath(QStringLiteral("decision.tcproj"));
        QString error;
        if (!project.save(path, &error))
            qFatal("%s", qPrintable(error));
        return path;
    }

    QString exportTo(const QString& name, ExportFormat format, bool preprocessing,
                     bool explanations, const QString& source = {}) {
        ExportOptions options;
        options.format = format;
        options.output = QDir(m_folder).filePath(name);
        options.withPreprocessing = preprocessing;
        options.withExplanations = explanations;
        options.modelCard = false;
        const ExportResult result = exportModel(source.isEmpty() ? m_run : source, options);
        if (!result.ok())
            qWarning("export failed: %s", qPrintable(result.error));
        return result.ok() ? options.output : QString();
    }

private Q_SLOTS:
    void initTestCase() {
        torch::set_num_threads(2);
        m_folder = testing::freshFolder(QStringLiteral("export-decision"));
        const QDir folder(m_folder);
        data::SyntheticHistologyOptions options;
        options.directory = folder.filePath(QStringLiteral("demo"));
        options.benign = 12;
        options.malignant = 16;
        options.width = 96;
        options.height = 64;
        options.patients = 8;
        const auto generated = data::SyntheticHistology::generate(options);
        QVERIFY2(generated.ok(), qPrintable(generated.error));
        QDirIterator it(options.directory, {QStringLiteral("*.png")}, QDir::Files,
                        QDirIterator::Subdirectories);
        while (it.hasNext())
            m_images << it.next();
        m_images.sort();
        m_images = m_images.mid(0, 8);

        train::TrainingRequest request;
        request.projectPath = writeProject(generated.csvPath);
        request.runDirectory = folder.filePath(QStringLiteral("runs/decision-1"));
        request.loaderWorkers = 1;
        train::TrainingObserver observer;
        train::TrainingControl control;
        const train::FinishedEvent finished = train::trainProject(request, observer, control);
        QVERIFY2(finished.reason != train::FinishReason::Failed, qPrintable(finished.message));
        m_run = request.runDirectory;

        // A copy of the run without an operating point (as runs trained before them are).
        m_runWithout = folder.filePath(QStringLiteral("runs/without-1"));
        folder.mkpath(QStringLiteral("runs/without-1"));
        for (const QFileInfo& file : QDir(m_run).entryInfoList(QDir::Files))
            QVERIFY(QFile::copy(file.filePath(), QDir(m_runWithout).filePath(file.fileName())));
        QFile::remove(QDir(m_runWithout).filePath(train::operatingPointFileName()));

        // The app's own logits, computed here: what every export must reproduce.
        QString error;
        std::optional<TrainedModel> model = loadTrainedModel(m_runWithout, &error);
        QVERIFY2(model, qPrintable(error));
        QVERIFY(!model->operatingPoint);
        m_classes = model->classNames;
        QCOMPARE(m_classes, (QStringList{QStringLiteral("benign"), QStringLiteral("malignant")}));
        std::optional<ChainModel> chain = ChainModel::build(*model, &error);
        QVERIFY2(chain, qPrintable(error));
        const data::ImagePipeline pipeline(model->preprocessing);
        torch::Tensor batch = torch::empty({m_images.size(), 3, kHeight, kWidth});
        for (int i = 0; i < m_images.size(); ++i)
            QVERIFY(pipeline.load(m_images[i],
                                  batch.data_ptr<float>() + i * pipeline.floatsPerImage(),
                                  data::PixelLayout::Planar, std::nullopt, &error));
        const torch::Tensor logits = chain->logits(batch).to(torch::kFloat64);
        const torch::Tensor scaled = torch::softmax(logits / kTemperature, 1);
        const torch::Tensor unscaled = torch::softmax(logits, 1);
        for (int i = 0; i < m_images.size(); ++i) {
            m_scaled.push_back(scaled[i][1].item<double>());
            m_unscaled.push_back(unscaled[i][1].item<double>());
            m_scaledAll.push_back({scaled[i][0].item<double>(), scaled[i][1].item<double>()});
        }

        // The operating point: a threshold in the widest gap between neighbouring images that
        // leaves at least two on each side, so that both decisions occur and no export's
        // rounding can move an image across it.
        std::vector<double> sorted = m_scaled;
        std::sort(sorted.begin(), sorted.end());
        size_t gap = 2;
        for (size_t i = 2; i + 2 < sorted.size(); ++i) {
            if (sorted[i] - sorted[i - 1] > sorted[gap] - sorted[gap - 1])
                gap = i;
        }
        QVERIFY2(sorted[gap] - sorted[gap - 1] > 1e-3, "the images' probabilities bunch up");
        m_point.threshold = (sorted[gap] + sorted[gap - 1]) / 2.0;
        m_positives = int(sorted.size() - gap);
        m_point.temperature = kTemperature;
        m_point.positiveClass = 1;
        m_point.positiveClassName = QStringLiteral("malignant");
        m_point.policy.rule = train::ThresholdRule::TargetSensitivity;
        m_point.policy.target = 0.9;
        QVERIFY2(train::writeOperatingPoint(m_run, m_point, &error), qPrintable(error));

        m_deployable = exportTo(QStringLiteral("deployable.pt"), ExportFormat::TorchScript,
                                /*preprocessing=*/true, /*explanations=*/true);
        m_bare = exportTo(QStringLiteral("bare.pt"), ExportFormat::TorchScript, false, true);
        m_onnx = exportTo(QStringLiteral("model.onnx"), ExportFormat::Onnx, false, false);
        QVERIFY(!m_deployable.isEmpty() && !m_bare.isEmpty() && !m_onnx.isEmpty());
    }

    void everySourceCarriesTheOperatingPoint_data() {
        QTest::addColumn<QString>("source");
        QTest::newRow("run folder") << QStringLiteral("run");
        QTest::newRow("checkpoint") << QStringLiteral("checkpoint");
        QTest::newRow("TorchScript with preprocessing") << QStringLiteral("deployable");
        QTest::newRow("TorchScript") << QStringLiteral("bare");
        QTest::newRow("ONNX") << QStringLiteral("onnx");
    }

    void everySourceCarriesTheOperatingPoint() {
        QFETCH(QString, source);
        const QMap<QString, QString> paths{
            {QStringLiteral("run"), m_run},
            {QStringLiteral("checkpoint"),
             QDir(m_run).filePath(QStringLiteral("checkpoint-best.pt"))},
            {QStringLiteral("deployable"), m_deployable},
            {QStringLiteral("bare"), m_bare},
            {QStringLiteral("onnx"), m_onnx}};
        QString error;
        const std::unique_ptr<Predictor> predictor = Predictor::open(paths[source], &error);
        QVERIFY2(predictor, qPrintable(error));
        const auto& point = predictor->operatingPoint();
        QVERIFY(point);
        QCOMPARE(point->threshold, m_point.threshold);
        QCOMPARE(point->temperature, kTemperature);
        QCOMPARE(point->positiveClass, 1);
        QVERIFY(point->policy.rule == train::ThresholdRule::TargetSensitivity);
        QCOMPARE(point->policy.target, 0.9);

        // The probabilities are softmax(logits / T) of the app's own logits.
        const std::vector<ImagePrediction> predictions = predictor->predict(m_images);
        double largest = 0.0;
        for (int i = 0; i < m_images.size(); ++i) {
            QVERIFY2(predictions[i].ok(), qPrintable(predictions[i].error));
            for (int c = 0; c < 2; ++c)
                largest = std::max(
                    largest, std::abs(double(predictions[i].probabilities[c]) - m_scaledAll[i][c]));
        }
        qInfo("%s: largest |p - softmax(logits / T)| = %.3g", qPrintable(source), largest);
        // OpenCV's DNN sums convolutions in another order (tst_exportonnx: 1e-4).
        QVERIFY(largest <= (source == QLatin1String("onnx") ? 1e-4 : 1e-5));
    }

    // Issue 14's acceptance test, TorchScript half: what Python's torch.jit.load finds.
    void torchScriptMetadataHoldsTheThreshold() {
        const QJsonObject json =
            python(QStringList{QStringLiteral("torchscript"), m_deployable, QStringLiteral("1")} +
                   m_images);
        const QJsonObject attributes = json.value(QStringLiteral("attributes")).toObject();
        QCOMPARE(attributes.value(QStringLiteral("decision_threshold")).toDouble(-1),
                 m_point.threshold);
        QCOMPARE(attributes.value(QStringLiteral("temperature")).toDouble(-1), kTemperature);
        QCOMPARE(attributes.value(QStringLiteral("decision_positive_class_index")).toInt(-1), 1);
        QCOMPARE(attributes.value(QStringLiteral("decision_positive_class")).toString(),
                 QStringLiteral("malignant"));
        const QJsonObject chosenBy =
            QJsonDocument::fromJson(
                attributes.value(QStringLiteral("decision_chosen_by")).toString().toUtf8())
                .object();
        QCOMPARE(chosenBy.value(QStringLiteral("rule")).toString(),
                 train::toString(train::ThresholdRule::TargetSensitivity));
        QCOMPARE(chosenBy.value(QStringLiteral("target")).toDouble(), 0.9);
        QVERIFY(attributes.value(QStringLiteral("decision")).toString().contains("malignant"));
        const QJsonObject decision = json.value(QStringLiteral("metadata"))
                                         .toObject()
                                         .value(QStringLiteral("decision"))
                                         .toObject();
        QCOMPARE(decision.value(QStringLiteral("threshold")).toDouble(-1), m_point.threshold);
        QCOMPARE(decision.value(QStringLiteral("temperature")).toDouble(-1), kTemperature);
        QCOMPARE(decision.value(QStringLiteral("positiveClassIndex")).toInt(-1), 1);
        QCOMPARE(decision.value(QStringLiteral("positiveClass")).toString(),
                 QStringLiteral("malignant"));

        // forward() in Python: softmax(logits / T), not softmax(logits).
        const QJsonArray images = json.value(QStringLiteral("images")).toArray();
        QCOMPARE(images.size(), m_images.size());
        double largest = 0.0;
        double unscaledGap = 0.0;
        for (int i = 0; i < images.size(); ++i) {
            const std::vector<double> p =
                doubles(images[i].toObject().value(QStringLiteral("probabilities")).toArray());
            QCOMPARE(p.size(), size_t(2));
            largest = std::max(
                {largest, std::abs(p[0] - m_scaledAll[i][0]), std::abs(p[1] - m_scaledAll[i][1])});
            unscaledGap = std::max(unscaledGap, std::abs(p[1] - m_unscaled[i]));
        }
        qInfo("Python forward(): largest |p - softmax(logits / T)| = %.3g; "
              "|p - softmax(logits)| up to %.3g",
              largest, unscaledGap);
        QVERIFY(largest <= 1e-5);
        QVERIFY(unscaledGap > 1e-3); // the temperature made a difference
    }

    // Issue 14's acceptance test, ONNX half.
    void onnxMetadataHoldsTheThreshold() {
        const QJsonObject json = python({QStringLiteral("onnx"), m_onnx});
        const QJsonObject metadata = json.value(QStringLiteral("metadata")).toObject();
        QCOMPARE(metadata.value(QStringLiteral("decision.threshold")).toString().toDouble(),
                 m_point.threshold);
        QCOMPARE(metadata.value(QStringLiteral("decision.temperature")).toString().toDouble(),
                 kTemperature);
        QCOMPARE(metadata.value(QStringLiteral("decision.positiveClass")).toString(),
                 QStringLiteral("malignant"));
        QCOMPARE(metadata.value(QStringLiteral("decision.positiveClassIndex")).toString(),
                 QStringLiteral("1"));
        QVERIFY(metadata.value(QStringLiteral("decision.chosenBy"))
                    .toString()
                    .contains(train::toString(train::ThresholdRule::TargetSensitivity)));
        // The graph divides by the temperature before its Softmax.
        const QJsonArray ops = json.value(QStringLiteral("ops")).toArray();
        QVERIFY(ops.size() >= 2);
        QCOMPARE(ops.at(ops.size() - 2).toString(), QStringLiteral("Div"));
        QCOMPARE(ops.last().toString(), QStringLiteral("Softmax"));
        QCOMPARE(json.value(QStringLiteral("temperature")).toDouble(), double(float(kTemperature)));
    }

    void predictDecidesAtTheSavedThreshold_data() {
        QTest::addColumn<QString>("source");
        QTest::newRow("run folder") << QStringLiteral("run");
        QTest::newRow("TorchScript with preprocessing") << QStringLiteral("deployable");
        QTest::newRow("ONNX") << QStringLiteral("onnx");
    }

    // Issue 14's acceptance test, predict half: the saved threshold decides.
    void predictDecidesAtTheSavedThreshold() {
        QFETCH(QString, source);
        const QString model = source == QLatin1String("run")          ? m_run
                              : source == QLatin1String("deployable") ? m_deployable
                                                                      : m_onnx;
        const QJsonObject json = predictJson({model});
        const QJsonObject decision = json.value(QStringLiteral("decision")).toObject();
        QCOMPARE(decision.value(QStringLiteral("source")).toString(),
                 QStringLiteral("saved with the model"));
        QCOMPARE(decision.value(QStringLiteral("threshold")).toDouble(-1), m_point.threshold);
        const QJsonArray rows = json.value(QStringLiteral("predictions")).toArray();
        QCOMPARE(rows.size(), m_images.size());
        int positives = 0;
        for (int i = 0; i < rows.size(); ++i) {
            const QJsonObject row = rows[i].toObject();
            const QString expected = m_scaled[i] >= m_point.threshold ? QStringLiteral("malignant")
                                                                      : QStringLiteral("benign");
            QCOMPARE(row.value(QStringLiteral("label")).toString(), expected);
            QCOMPARE(row.value(QStringLiteral("decision"))
                         .toObject()
                         .value(QStringLiteral("label"))
                         .toString(),
                     expected);
            positives += expected == QLatin1String("malignant");
        }
        QCOMPARE(positives, m_positives);
        QVERIFY(positives >= 2 && positives <= int(m_images.size()) - 2);

        // The CSV: the decided label and the threshold.
        const QString csv = QDir(m_folder).filePath(source + QStringLiteral(".csv"));
        const Result written = cli(
            QStringList{QStringLiteral("predict"), model, QStringLiteral("--csv"), csv} + m_images);
        QVERIFY2(written.exitCode == 0, qPrintable(written.err));
        const QStringList lines =
            QString::fromUtf8(readAll(csv)).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), m_images.size() + 1);
        QCOMPARE(lines.first(), QStringLiteral("image,label,benign,malignant,threshold,error"));
        for (int i = 0; i < m_images.size(); ++i) {
            const QStringList fields = lines[i + 1].split(QLatin1Char(','));
            QCOMPARE(fields.size(), 6);
            QCOMPARE(fields[0], m_images[i]);
            QCOMPARE(fields[1], m_scaled[i] >= m_point.threshold ? QStringLiteral("malignant")
                                                                 : QStringLiteral("benign"));
            QCOMPARE(fields[4].toDouble(), m_point.threshold);
        }

        const Result text = cli({QStringLiteral("predict"), model, m_images.first()});
        QVERIFY2(text.exitCode == 0, qPrintable(text.err));
        QVERIFY2(text.out.contains(QStringLiteral("decision: threshold")), qPrintable(text.out));
        const QString sign = m_scaled[0] >= m_point.threshold ? QStringLiteral("≥ threshold ")
                                                              : QStringLiteral("< ");
        QVERIFY2(text.out.contains(QStringLiteral("(p = %1 ").arg(m_scaled[0], 0, 'f', 4) + sign +
                                   QString::number(m_point.threshold, 'g', 6) + QLatin1Char(')')),
                 qPrintable(text.out));
    }

    // --threshold moves the decision of an image whose probability lies between the two.
    void thresholdOverrideFlipsTheDecision() {
        const int image = int(std::min_element(m_scaled.begin(), m_scaled.end(),
                                               [&](double a, double b) {
                                                   return std::abs(a - m_point.threshold) <
                                                          std::abs(b - m_point.threshold);
                                               }) -
                              m_scaled.begin());
        const double p = m_scaled[image];
        const double below = std::max(0.0, p - 1e-3);
        const double above = std::min(1.0, p + 1e-3);
        for (const QString& model : {m_run, m_deployable}) {
            for (const double threshold : {below, above}) {
                const Result result = cli({QStringLiteral("predict"), model, m_images[image],
                                           QStringLiteral("--json"), QStringLiteral("--threshold"),
                                           QString::number(threshold, 'g', 17)});
                QVERIFY2(result.exitCode == 0, qPrintable(result.err));
                const QJsonObject json = QJsonDocument::fromJson(result.out.toUtf8()).object();
                const QJsonObject decision = json.value(QStringLiteral("decision")).toObject();
                QCOMPARE(decision.value(QStringLiteral("source")).toString(),
                         QStringLiteral("--threshold"));
                QVERIFY(decision.value(QStringLiteral("note"))
                            .toString()
                            .contains(QStringLiteral("instead of the saved")));
                const QJsonObject row =
                    json.value(QStringLiteral("predictions")).toArray().first().toObject();
                QCOMPARE(row.value(QStringLiteral("label")).toString(),
                         threshold == below ? QStringLiteral("malignant")
                                            : QStringLiteral("benign"));
            }
        }
        const Result text = cli({QStringLiteral("predict"), m_run, m_images[image],
                                 QStringLiteral("--threshold"), QString::number(below, 'g', 17)});
        QVERIFY2(text.out.contains(QStringLiteral("from --threshold instead of the saved")),
                 qPrintable(text.out));
        QVERIFY2(text.out.contains(QStringLiteral("malignant (p = ")), qPrintable(text.out));
    }

    void withoutAnOperatingPointTheMostProbableClassDecides() {
        const QJsonObject json = predictJson({m_runWithout});
        const QJsonObject decision = json.value(QStringLiteral("decision")).toObject();
        QCOMPARE(decision.value(QStringLiteral("rule")).toString(),
                 QStringLiteral("most probable class"));
        QVERIFY(decision.value(QStringLiteral("savedOperatingPoint")).isNull());
        const QJsonArray rows = json.value(QStringLiteral("predictions")).toArray();
        QCOMPARE(rows.size(), m_images.size());
        for (int i = 0; i < rows.size(); ++i) {
            const QJsonObject row = rows[i].toObject();
            const double p = row.value(QStringLiteral("probabilities"))
                                 .toObject()
                                 .value(QStringLiteral("malignant"))
                                 .toDouble();
            QVERIFY(std::abs(p - m_unscaled[i]) <= 1e-5); // no temperature
            QCOMPARE(row.value(QStringLiteral("label")).toString(),
                     p >= 0.5 ? QStringLiteral("malignant") : QStringLiteral("benign"));
            QVERIFY(!row.contains(QStringLiteral("decision")));
        }
        const Result text = cli({QStringLiteral("predict"), m_runWithout, m_images.first()});
        QVERIFY2(text.exitCode == 0, qPrintable(text.err));
        QVERIFY2(text.out.contains(QStringLiteral("no operating point was saved")),
                 qPrintable(text.out));

        // Its exports say so too, and carry no threshold.
        const QString onnx = exportTo(QStringLiteral("without.onnx"), ExportFormat::Onnx, false,
                                      false, m_runWithout);
        const QJsonObject metadata =
            python({QStringLiteral("onnx"), onnx}).value(QStringLiteral("metadata")).toObject();
        QVERIFY(metadata.value(QStringLiteral("decision"))
                    .toString()
                    .contains(QStringLiteral("no operating point")));
        QVERIFY(!metadata.contains(QStringLiteral("decision.threshold")));
        const QString script = exportTo(QStringLiteral("without.pt"), ExportFormat::TorchScript,
                                        true, false, m_runWithout);
        const QJsonObject loaded =
            python({QStringLiteral("torchscript"), script, QStringLiteral("1"), m_images.first()});
        QVERIFY(loaded.value(QStringLiteral("attributes")).toObject().isEmpty());
        QVERIFY(
            !loaded.value(QStringLiteral("methods")).toArray().contains(QStringLiteral("gradcam")));
        QVERIFY(loaded.value(QStringLiteral("metadata"))
                    .toObject()
                    .value(QStringLiteral("decision"))
                    .toString()
                    .contains(QStringLiteral("no operating point")));
        // A threshold still applies, to class 1 of the two.
        const Result forced = cli({QStringLiteral("predict"), script, m_images.first(),
                                   QStringLiteral("--threshold"), QStringLiteral("0")});
        QVERIFY2(forced.exitCode == 0, qPrintable(forced.err));
        QVERIFY2(forced.out.contains(QStringLiteral("no operating point was saved")),
                 qPrintable(forced.out));
        QVERIFY2(forced.out.contains(QStringLiteral("malignant (p = ")), qPrintable(forced.out));
    }

    void badThresholdIsRefused_data() {
        QTest::addColumn<QString>("value");
        QTest::newRow("above 1") << QStringLiteral("1.5");
        QTest::newRow("negative") << QStringLiteral("-0.1");
        QTest::newRow("not a number") << QStringLiteral("half");
    }

    void badThresholdIsRefused() {
        QFETCH(QString, value);
        const Result result = cli({QStringLiteral("predict"), m_run, m_images.first(),
                                   QStringLiteral("--threshold"), value});
        QCOMPARE(result.exitCode, 2);
        QVERIFY2(result.err.contains(QStringLiteral("--threshold")), qPrintable(result.err));
        QVERIFY2(result.err.contains(value), qPrintable(result.err));
    }

    void damagedOperatingPointIsNamed() {
        const QString run = QDir(m_folder).filePath(QStringLiteral("runs/damaged-1"));
        QDir().mkpath(run);
        for (const QFileInfo& file : QDir(m_run).entryInfoList(QDir::Files))
            QVERIFY(QFile::copy(file.filePath(), QDir(run).filePath(file.fileName())));
        const QString path = QDir(run).filePath(train::operatingPointFileName());
        writeAll(path, R"({"threshold": 7, "positiveClassIndex": 1})");
        Result result = cli({QStringLiteral("predict"), run, m_images.first()});
        QCOMPARE(result.exitCode, 1);
        QVERIFY2(result.err.contains(path), qPrintable(result.err));
        QVERIFY2(result.err.contains(QStringLiteral("threshold")), qPrintable(result.err));
        writeAll(path, R"({"threshold": 0.5, "positiveClassIndex": 5})");
        result = cli({QStringLiteral("export"), run, QStringLiteral("-o"),
                      QDir(m_folder).filePath(QStringLiteral("damaged.onnx"))});
        QCOMPARE(result.exitCode, 1);
        QVERIFY2(result.err.contains(path), qPrintable(result.err));
    }

    // Issue 15: `explain MODEL_OR_RUN` works from a run folder, a checkpoint and a TorchScript
    // export, and gives the same map from each.
    void explainGivesTheSameMapFromEverySource() {
        const QStringList sources{m_run, QDir(m_run).filePath(QStringLiteral("checkpoint-last.pt")),
                                  m_deployable};
        // checkpoint-last.pt is the best one too after a single epoch.
        std::vector<std::vector<float>> maps;
        for (int s = 0; s < sources.size(); ++s) {
            const QString out = QDir(m_folder).filePath(QStringLiteral("explain-%1").arg(s));
            const Result result = cli({QStringLiteral("explain"), sources[s], m_images.first(),
                                       QStringLiteral("--out"), out, QStringLiteral("--class"),
                                       QStringLiteral("malignant")});
            QVERIFY2(result.exitCode == 0, qPrintable(result.err));
            maps.push_back(readNpy(QDir(out).filePath(
                QFileInfo(m_images.first()).completeBaseName() + QStringLiteral("-gradcam.npy"))));
            QCOMPARE(maps.back().size(), size_t(kWidth * kHeight));
            // Its probabilities are predict's: temperature-scaled.
            const QJsonObject json =
                QJsonDocument::fromJson(
                    readAll(QDir(out).filePath(QFileInfo(m_images.first()).completeBaseName() +
                                               QStringLiteral(".json"))))
                    .object();
            const double p = json.value(QStringLiteral("probabilities"))
                                 .toObject()
                                 .value(QStringLiteral("malignant"))
                                 .toDouble(-1);
            QVERIFY2(std::abs(p - m_scaled[0]) <= 1e-5, qPrintable(QString::number(p)));
        }
        QCOMPARE(*std::max_element(maps[0].begin(), maps[0].end()), 1.0f); // not a blank map
        for (size_t s = 1; s < maps.size(); ++s) {
            float largest = 0.0f;
            for (size_t i = 0; i < maps[0].size(); ++i)
                largest = std::max(largest, std::abs(maps[s][i] - maps[0][i]));
            qInfo("%s: largest |Δ| against the run folder's map %.3g", qPrintable(sources[s]),
                  double(largest));
            QVERIFY(largest <= 1e-5);
        }
    }

    void gradcamMethodMatchesExplainer_data() {
        QTest::addColumn<int>("classIndex");
        QTest::newRow("benign") << 0;
        QTest::newRow("malignant") << 1;
        QTest::newRow("most probable (-1)") << -1;
    }

    // Issue 15: the exported gradcam(), called from Python without TorchCanvas.
    void gradcamMethodMatchesExplainer() {
        QFETCH(int, classIndex);
        QString error;
        const std::unique_ptr<Explainer> explainer = Explainer::open(m_run, &error);
        QVERIFY2(explainer, qPrintable(error));
        const QStringList images = m_images.mid(0, 3);
        const QJsonObject json = python(
            QStringList{QStringLiteral("torchscript"), m_deployable, QString::number(classIndex)} +
            images);
        QVERIFY(
            json.value(QStringLiteral("methods")).toArray().contains(QStringLiteral("gradcam")));
        const QJsonArray rows = json.value(QStringLiteral("images")).toArray();
        QCOMPARE(rows.size(), images.size());
        for (int i = 0; i < images.size(); ++i) {
            const Explanation explanation = explainer->explain(images[i], classIndex);
            QVERIFY2(explanation.ok(), qPrintable(explanation.error));
            const QJsonObject row = rows[i].toObject();
            QCOMPARE(row.value(QStringLiteral("shape")).toArray(),
                     (QJsonArray{1, kHeight, kWidth}));
            QVERIFY(row.value(QStringLiteral("no_grad_restored")).toBool());
            const std::vector<double> expected(explanation.map.begin(), explanation.map.end());
            for (const char* key : {"gradcam", "gradcam_no_grad"}) {
                const std::vector<double> actual = doubles(row.value(QLatin1String(key)).toArray());
                QCOMPARE(actual.size(), expected.size());
                double largest = 0.0;
                for (size_t k = 0; k < actual.size(); ++k)
                    largest = std::max(largest, std::abs(actual[k] - expected[k]));
                const double r = pearson(actual, expected);
                qInfo("%s, class %d, %s: Pearson %.7f, max |Δ| %.3g",
                      qPrintable(QFileInfo(images[i]).fileName()), classIndex, key, r, largest);
                QVERIFY(r >= 0.999);
                QVERIFY(largest <= 1e-3);
            }
        }
    }

    void explanationsNeedTorchScriptAndABackbone() {
        Result result = cli({QStringLiteral("export"), m_run, QStringLiteral("-o"),
                             QDir(m_folder).filePath(QStringLiteral("x.onnx")),
                             QStringLiteral("--with-explanations")});
        QCOMPARE(result.exitCode, 2);
        QVERIFY2(result.err.contains(QStringLiteral("--with-explanations")),
                 qPrintable(result.err));

        TrainedModel model = testing::makeModel(testing::smallCnnWithEveryLayer(), 4);
        QString error;
        QVERIFY(!writeTorchScript(model, QDir(m_folder).filePath(QStringLiteral("cnn.pt")),
                                  {false, true}, &error));
        QVERIFY2(error.contains(QStringLiteral("ResNet")), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestExportDecision)
#include "tst_exportdecision.moc"
