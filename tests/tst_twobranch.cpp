// The two-branch example end to end: resources/examples/two-branch.tcproj (ResNet18 → two
// Dense paths → Concatenate → Dense 2) validates, trains headless with `torchcanvas train`,
// exports to TorchScript, ONNX and safetensors, and Python's torch.jit.load and OpenCV's DNN
// module (after onnx.checker) give the probabilities `torchcanvas predict` gives on the run,
// to 1e-5.

#include "core/graph/ComponentRegistry.h"
#include "core/graph/Project.h"
#include "core/train/RunPredictor.h"
#include "ProbabilitiesSupport.h"
#include "TrainingTestSupport.h"
#include "tst_exporthelpers.h"

#include <cmath>
#include <QJsonArray>
#include <QJsonDocument>
#include <QtTest>

using namespace tc;

namespace {

using testing::fromPredictJson;
using testing::fromPythonJson;
using testing::largestDifference;
using testing::Probabilities;

struct Result {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Result run(const QString& program, const QStringList& arguments) {
    Result result;
    result.out = testing::runProgram(program, arguments, &result.exitCode, &result.err);
    return result;
}

Result torchCanvas(const QStringList& arguments) {
    return run(QStringLiteral(TORCHCANVAS_BINARY), arguments);
}

} // namespace

class TestTwoBranch : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void validates();
    void trainsHeadless();
    void trainedModuleAgreesWithPredict();
    void exportsAgreeWithPredict_data();
    void exportsAgreeWithPredict();

private:
    QString m_folder;
    QString m_project;
    QString m_run;
    QStringList m_images;
    QJsonObject m_predicted;
};

void TestTwoBranch::initTestCase() {
    torch::set_num_threads(2);
    m_folder = testing::freshFolder(QStringLiteral("two-branch"));
    const QDir folder(m_folder);
    const QString csv = testing::generateTinyDemo(folder.filePath(QStringLiteral("demo")));
    QVERIFY(!csv.isEmpty());

    // The example as shipped, pointed at the tiny data set at 64×64 for two epochs.
    graph::Project project;
    QString error;
    QVERIFY2(
        project.load(QStringLiteral(TORCHCANVAS_SOURCE_DIR "/resources/examples/two-branch.tcproj"),
                     &error),
        qPrintable(error));
    graph::Graph& graph = project.graph();
    const QList<graph::NodeId> inputs = graph.nodesOfType(graph::component::Input);
    QCOMPARE(inputs.size(), 1);
    graph.setParameter(inputs.front(), QStringLiteral("height"), 64);
    graph.setParameter(inputs.front(), QStringLiteral("width"), 64);
    QCOMPARE(graph.nodesOfType(graph::component::Concatenate).size(), 1);
    testing::setTinyDataSections(project, csv);
    project.setTraining({{QStringLiteral("epochs"), 2},
                         {QStringLiteral("batchSize"), 8},
                         {QStringLiteral("precision"), QStringLiteral("fp32")}});
    m_project = folder.filePath(QStringLiteral("two-branch.tcproj"));
    QVERIFY2(project.save(m_project, &error), qPrintable(error));
    m_run = folder.filePath(QStringLiteral("run"));
    for (int i = 0; i < 3; ++i)
        m_images << testing::writeTestImage(m_folder, QStringLiteral("image-%1.png").arg(i),
                                            96 + 8 * i, 64, 20 + i);
}

void TestTwoBranch::validates() {
    const Result result = torchCanvas({QStringLiteral("validate"), m_project});
    QVERIFY2(result.exitCode == 0, result.err.constData());
}

void TestTwoBranch::trainsHeadless() {
    const Result result =
        torchCanvas({QStringLiteral("train"), m_project, QStringLiteral("--out"), m_run,
                     QStringLiteral("--weights-dir"), QDir(m_folder).filePath("no-weights")});
    QVERIFY2(result.exitCode == 0, result.err.constData());
    QVERIFY2(result.out.startsWith("finished (completed) after 2 epoch(s)"),
             result.out.constData());
    // The model as the builder describes it: both branches, then the merge.
    QVERIFY2(result.err.contains("Dense 128 relu \u2016 Dense 64 relu \u2192 Concatenate"),
             result.err.constData());
    // The frozen backbone feeds two branches and is still computed once per image and cached.
    QVERIFY2(result.err.contains("[caching features]"), result.err.constData());
    QVERIFY(QFileInfo::exists(QDir(m_run).filePath(QStringLiteral("checkpoint-best.pt"))));

    const Result predicted = torchCanvas(
        QStringList{QStringLiteral("predict"), m_run, QStringLiteral("--json")} + m_images);
    QVERIFY2(predicted.exitCode == 0, predicted.err.constData());
    m_predicted = QJsonDocument::fromJson(predicted.out).object();
    QCOMPARE(m_predicted.value(QStringLiteral("predictions")).toArray().size(), m_images.size());
}

/// The module training ran (nn::buildModel's GraphHead after the fast backbone engine, as the
/// Test view's RunPredictor rebuilds it) against `predict`, which runs the exported
/// description (ChainModel): the same graph in two implementations. `predict` divides the
/// logits by the run's temperature and RunPredictor does not, so its probabilities are
/// softmax(T · log p_predict). The two backbone engines (oneDNN with batch norm folded, eager
/// LibTorch) round differently; measured 2e-7 here, bound 1e-5 as for the exports.
void TestTwoBranch::trainedModuleAgreesWithPredict() {
    QVERIFY2(!m_predicted.isEmpty(), "the run was not trained");
    // The editor keeps a snapshot of the project in its runs; `torchcanvas train` does not.
    const QString snapshot = QDir(m_run).filePath(QStringLiteral("project.tcproj"));
    QFile::remove(snapshot);
    QVERIFY(QFile::copy(m_project, snapshot));
    QString error;
    const std::unique_ptr<train::RunPredictor> predictor = train::RunPredictor::open(m_run, &error);
    QVERIFY2(predictor, qPrintable(error));
    QFile pointFile(QDir(m_run).filePath(QStringLiteral("operating-point.json")));
    double temperature = 1.0;
    if (pointFile.open(QIODevice::ReadOnly))
        temperature = QJsonDocument::fromJson(pointFile.readAll())
                          .object()
                          .value(QStringLiteral("temperature"))
                          .toDouble(1.0);
    const Probabilities predicted = fromPredictJson(m_predicted);
    double largest = 0.0;
    for (const QString& image : std::as_const(m_images)) {
        const std::vector<float> direct = predictor->predict(image, &error);
        QVERIFY2(!direct.empty(), qPrintable(error));
        const std::vector<double>& scaled = predicted.value(image);
        QCOMPARE(direct.size(), scaled.size());
        // Undo the temperature: softmax(T · log p).
        std::vector<double> expected(scaled.size());
        double total = 0.0;
        for (size_t c = 0; c < scaled.size(); ++c)
            total += expected[c] = std::pow(scaled[c], temperature);
        for (size_t c = 0; c < scaled.size(); ++c)
            largest = std::max(largest, std::abs(direct[c] - expected[c] / total));
    }
    qInfo("T = %g, largest |p_trained_module - p_predict| = %g", temperature, largest);
    QVERIFY2(largest <= 1e-5, qPrintable(QString::number(largest)));
}

void TestTwoBranch::exportsAgreeWithPredict_data() {
    QTest::addColumn<QString>("format");
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("oracle"); // a tests/tools script, or empty: `predict` on the file
    QTest::newRow("TorchScript in torch.jit.load") << "torchscript"
                                                   << "model.pt"
                                                   << "torchscript_predict.py";
    QTest::newRow("ONNX in onnx.checker and OpenCV DNN") << "onnx"
                                                         << "model.onnx"
                                                         << "onnx_predict.py";
    QTest::newRow("safetensors read back") << "safetensors"
                                           << "model.safetensors" << QString();
}

void TestTwoBranch::exportsAgreeWithPredict() {
    QFETCH(QString, format);
    QFETCH(QString, file);
    QFETCH(QString, oracle);
    QVERIFY2(!m_predicted.isEmpty(), "the run was not trained");
    const QString path = QDir(m_folder).filePath(file);
    const Result exported =
        torchCanvas({QStringLiteral("export"), m_run, QStringLiteral("--format"), format,
                     QStringLiteral("-o"), path});
    QVERIFY2(exported.exitCode == 0, exported.err.constData());

    Probabilities candidate;
    if (oracle.isEmpty()) {
        const Result predicted = torchCanvas(
            QStringList{QStringLiteral("predict"), path, QStringLiteral("--json")} + m_images);
        QVERIFY2(predicted.exitCode == 0, predicted.err.constData());
        candidate = fromPredictJson(QJsonDocument::fromJson(predicted.out).object());
    } else {
        const Result python =
            run(QStringLiteral(TORCHCANVAS_PYTHON),
                QStringList{testing::testTool(oracle.toUtf8().constData()), path} + m_images);
        QVERIFY2(python.exitCode == 0, python.err.constData());
        const QJsonObject json = QJsonDocument::fromJson(python.out).object();
        if (format == QLatin1String("onnx")) {
            const QJsonArray ops = json.value(QStringLiteral("ops")).toArray();
            QVERIFY(ops.contains(QStringLiteral("Concat")));
        }
        candidate = fromPythonJson(json);
    }
    const double difference = largestDifference(fromPredictJson(m_predicted), candidate, m_images);
    qInfo("%s: largest |p_predict - p_export| = %g", qPrintable(format), difference);
    QVERIFY2(difference <= 1e-5, qPrintable(QString::number(difference)));
}

QTEST_GUILESS_MAIN(TestTwoBranch)
#include "tst_twobranch.moc"
