// `torchcanvas export`: every format from a model source, the files written next to it
// (model card, safetensors configuration), re-export from TorchScript, usage errors; and the
// model card's content (metrics with Wilson intervals, intended use and limitations).

#include "core/export/ModelCard.h"
#include "core/export/SafeTensorsExport.h"
#include "core/export/TorchScriptExport.h"
#include "core/train/Metrics.h"
#include "core/train/TrainingSettings.h"
#include "tst_exporthelpers.h"

using namespace tc;
using namespace tc::exporting;

namespace {

QByteArray readAll(const QString& path) {
    QFile file(path);
    file.open(QIODevice::ReadOnly);
    return file.readAll();
}

int runTorchCanvas(const QStringList& arguments, QByteArray* out = nullptr,
                   QByteArray* standardError = nullptr) {
    int exitCode = -1;
    const QByteArray output = testing::runProgram(QStringLiteral(TORCHCANVAS_BINARY), arguments,
                                                  &exitCode, standardError);
    if (out)
        *out = output;
    return exitCode;
}

/// Metadata as a training run's report.json gives it.
QJsonObject reportMetadata() {
    const QStringList classes{QStringLiteral("benign"), QStringLiteral("malignant")};
    const train::ClassificationMetrics validation =
        train::metricsFromConfusion({{40, 10}, {5, 45}}, 0.91);
    const train::ClassificationMetrics test = train::metricsFromConfusion({{18, 2}, {3, 27}});
    return QJsonObject{
        {QStringLiteral("project"), QStringLiteral("/data/breast-cancer.tcproj")},
        {QStringLiteral("weights"), QStringLiteral("resnet18: ImageNet weights from resnet18.pth")},
        {QStringLiteral("dataset"),
         QJsonObject{{QStringLiteral("source"), QStringLiteral("dataset.csv")},
                     {QStringLiteral("images"), 500}}},
        {QStringLiteral("fingerprint"), QStringLiteral("0123abcd")},
        {QStringLiteral("split"), data::SplitSettings().toJson()},
        {QStringLiteral("splits"), QJsonObject{{QStringLiteral("train"), 350},
                                               {QStringLiteral("validation"), 100},
                                               {QStringLiteral("test"), 50}}},
        {QStringLiteral("best"),
         QJsonObject{{QStringLiteral("epoch"), 3},
                     {QStringLiteral("validation"), validation.toJson(classes)}}},
        {QStringLiteral("test"), test.toJson(classes)},
        {QStringLiteral("configuration"),
         QJsonObject{{QStringLiteral("training"), train::TrainingSettings().toJson()}}},
        {QStringLiteral("finished"),
         QJsonObject{{QStringLiteral("reason"), QStringLiteral("completed")},
                     {QStringLiteral("epochsCompleted"), 5},
                     {QStringLiteral("bestEpoch"), 3}}}};
}

QString ci(double successes, double trials) {
    const train::Interval interval =
        train::wilsonInterval(std::int64_t(successes), std::int64_t(trials));
    return QStringLiteral("%1 – %2 %")
        .arg(QString::number(100 * interval.low, 'f', 1),
             QString::number(100 * interval.high, 'f', 1));
}

} // namespace

class TestExportCommand : public QObject {
    Q_OBJECT

private:
    QString m_folder;
    QString m_source;
    QString m_image;
    /// `predict --json` of the source on m_image.
    QJsonObject m_reference;

private Q_SLOTS:
    void initTestCase() {
        m_folder = testing::freshFolder(QStringLiteral("export-command"));
        TrainedModel model = testing::makeModel(testing::flagshipChain());
        model.metadata = reportMetadata();
        m_source = QDir(m_folder).filePath(QStringLiteral("source.safetensors"));
        QString error;
        QVERIFY2(writeSafeTensorsModel(model, m_source, nullptr, &error), qPrintable(error));
        m_image = testing::writeTestImage(m_folder, QStringLiteral("image.png"), 300, 200, 9);
        QByteArray reference;
        QCOMPARE(
            runTorchCanvas({QStringLiteral("predict"), m_source, m_image, QStringLiteral("--json")},
                           &reference),
            0);
        m_reference = QJsonDocument::fromJson(reference).object();
    }

    void formats_data() {
        QTest::addColumn<QStringList>("options");
        QTest::addColumn<QString>("output");
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QStringList>("companions");
        QTest::newRow("torchscript") << QStringList{"--format", "torchscript"} << "bare.pt"
                                     << "TorchScript" << QStringList{"bare.md"};
        QTest::newRow("torchscript with preprocessing")
            << QStringList{"--format", "torchscript", "--with-preprocessing"} << "deployable.pt"
            << "TorchScript with preprocessing" << QStringList{"deployable.md"};
        QTest::newRow("onnx") << QStringList{"--format", "onnx"} << "model.onnx"
                              << "ONNX" << QStringList{"model.md"};
        QTest::newRow("safetensors") << QStringList{"-f", "safetensors"} << "weights.safetensors"
                                     << "safetensors" << QStringList{"weights.json", "weights.md"};
        QTest::newRow("format from the suffix") << QStringList{} << "inferred.onnx"
                                                << "ONNX" << QStringList{"inferred.md"};
        QTest::newRow("no card") << QStringList{"--format", "onnx", "--no-card"} << "nocard.onnx"
                                 << "ONNX" << QStringList{};
    }

    void formats() {
        QFETCH(QStringList, options);
        QFETCH(QString, output);
        QFETCH(QString, kind);
        QFETCH(QStringList, companions);
        const QDir dir(m_folder);
        const QString path = dir.filePath(output);
        QByteArray out, standardError;
        QCOMPARE(runTorchCanvas(QStringList{QStringLiteral("export"), m_source,
                                            QStringLiteral("-o"), path, QStringLiteral("--json")} +
                                    options,
                                &out, &standardError),
                 0);
        const QJsonObject json = QJsonDocument::fromJson(out).object();
        QStringList expectedFiles{path};
        for (const QString& companion : companions)
            expectedFiles << dir.filePath(companion);
        QCOMPARE(json.value(QStringLiteral("files")).toVariant().toStringList(), expectedFiles);
        for (const QString& file : expectedFiles)
            QVERIFY2(QFileInfo(file).size() > 0, qPrintable(file));
        if (companions.isEmpty())
            QVERIFY(!QFile::exists(companionPath(path, QStringLiteral("md"))));

        // The export runs and gives the source's answer.
        QByteArray exported;
        QCOMPARE(
            runTorchCanvas({QStringLiteral("predict"), path, m_image, QStringLiteral("--json")},
                           &exported),
            0);
        const QJsonObject a = QJsonDocument::fromJson(exported).object();
        const QJsonObject& b = m_reference;
        QCOMPARE(a.value(QStringLiteral("kind")).toString(), kind);
        const QJsonObject pa = a.value(QStringLiteral("predictions")).toArray().first().toObject();
        const QJsonObject pb = b.value(QStringLiteral("predictions")).toArray().first().toObject();
        QCOMPARE(pa.value(QStringLiteral("label")), pb.value(QStringLiteral("label")));
        for (const QString& name : {QStringLiteral("benign"), QStringLiteral("malignant")}) {
            const double difference = std::abs(
                pa.value(QStringLiteral("probabilities")).toObject().value(name).toDouble() -
                pb.value(QStringLiteral("probabilities")).toObject().value(name).toDouble());
            QVERIFY2(difference <= 1e-4, qPrintable(QString::number(difference)));
        }
    }

    void reexportFromTorchScript() {
        const QDir dir(m_folder);
        const QString script = dir.filePath(QStringLiteral("first.pt"));
        const QString onnx = dir.filePath(QStringLiteral("second.onnx"));
        QCOMPARE(runTorchCanvas({QStringLiteral("export"), m_source, QStringLiteral("-o"), script,
                                 QStringLiteral("--with-preprocessing")}),
                 0);
        QByteArray out, standardError;
        QCOMPARE(runTorchCanvas({QStringLiteral("export"), script, QStringLiteral("-o"), onnx},
                                &out, &standardError),
                 0);
        QVERIFY2(out.startsWith("Exported ONNX (opset 13) of ResNet18"), out.constData());
        int exitCode = -1;
        testing::runProgram(QStringLiteral(TORCHCANVAS_PYTHON),
                            {testing::testTool("onnx_check.py"), onnx}, &exitCode, &standardError);
        QVERIFY2(exitCode == 0, standardError.constData());
        // ONNX is not read back.
        QCOMPARE(runTorchCanvas({QStringLiteral("export"), onnx, QStringLiteral("-o"),
                                 dir.filePath(QStringLiteral("third.pt"))},
                                nullptr, &standardError),
                 1);
        QVERIFY(standardError.contains("cannot be exported again"));
    }

    void usageErrors_data() {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("message");
        QTest::newRow("no source")
            << QStringList{"export", "-o", "x.onnx"} << 2 << "name the run, checkpoint or project";
        QTest::newRow("no output") << QStringList{"export", "SOURCE"} << 2 << "-o FILE";
        QTest::newRow("unknown format")
            << QStringList{"export", "SOURCE", "-o", "x.bin", "--format", "tflite"} << 2
            << "unknown format 'tflite'";
        QTest::newRow("suffix says nothing")
            << QStringList{"export", "SOURCE", "-o", "x.bin"} << 2 << "give --format";
        QTest::newRow("preprocessing in onnx")
            << QStringList{"export", "SOURCE", "-o", "x.onnx", "--with-preprocessing"} << 2
            << "torchscript only";
        QTest::newRow("missing folder")
            << QStringList{"export", "SOURCE", "-o", "/nonexistent-folder/x.onnx"} << 1
            << "/nonexistent-folder/x.onnx";
        QTest::newRow("overwriting the source")
            << QStringList{"export", "SOURCE", "-o", "SOURCE", "--format", "safetensors"} << 1
            << "overwrite its own source";
    }

    void usageErrors() {
        QFETCH(QStringList, arguments);
        QFETCH(int, exitCode);
        QFETCH(QString, message);
        arguments.replaceInStrings(QStringLiteral("SOURCE"), m_source);
        QByteArray standardError;
        QCOMPARE(runTorchCanvas(arguments, nullptr, &standardError), exitCode);
        QVERIFY2(QString::fromUtf8(standardError).contains(message), standardError.constData());
        QCOMPARE(standardError.count('\n'), 1);
    }

    void modelCard() {
        const QDir dir(m_folder);
        const QString path = dir.filePath(QStringLiteral("card.onnx"));
        QCOMPARE(runTorchCanvas({QStringLiteral("export"), m_source, QStringLiteral("-o"), path}),
                 0);
        const QString card = QString::fromUtf8(readAll(dir.filePath(QStringLiteral("card.md"))));
        QVERIFY(card.startsWith(QStringLiteral("# Model card: breast-cancer\n")));
        QVERIFY(card.contains(QStringLiteral("Research use only")));
        QVERIFY(card.contains(QStringLiteral("not a medical device")));
        QVERIFY(card.contains(QStringLiteral("not a diagnostic device")));
        QVERIFY(card.contains(QStringLiteral("ResNet18 → Dense 32 relu → Dense 2 softmax")));
        QVERIFY(card.contains(QStringLiteral("0 = benign, 1 = malignant")));
        QVERIFY(card.contains(QStringLiteral("`0123abcd`")));
        QVERIFY(card.contains(QStringLiteral("350 training, 100 validation, 50 test images")));
        QVERIFY(card.contains(QStringLiteral("ImageNet weights from resnet18.pth")));
        QVERIFY(card.contains(QStringLiteral("64 × 64")));
        // Validation (epoch 3): 85 of 100 right; precision of malignant 45/55, recall 45/50.
        QVERIFY(card.contains(
            QStringLiteral("### Validation split, epoch 3 (the checkpoint's selection epoch)")));
        QVERIFY2(card.contains(QStringLiteral("| Accuracy | 85.0 % | %1 |").arg(ci(85, 100))),
                 qPrintable(card));
        QVERIFY(card.contains(QStringLiteral("| malignant | 50 | 81.8 % (%1) | 90.0 % (%2) |")
                                  .arg(ci(45, 55), ci(45, 50))));
        QVERIFY(card.contains(QStringLiteral("| ROC AUC (malignant positive) | 0.910 |")));
        // Test: 45 of 50.
        QVERIFY(card.contains(QStringLiteral("| Accuracy | 90.0 % | %1 |").arg(ci(45, 50))));
        QVERIFY(card.contains(QStringLiteral("| **malignant** | 3 | 27 |")));
        QVERIFY(card.contains(QStringLiteral("**optimizer**: adam")) ||
                card.contains(QStringLiteral("**optimizer**: Adam")));
        QVERIFY(card.contains(QStringLiteral("## Limitations")));
        QVERIFY(card.contains(QStringLiteral("torch.jit.load")) == false);
        QVERIFY(card.contains(QStringLiteral("Input `input`: float32 [N, 3, 64, 64]")));
    }

    void modelCardWithoutMetadata() {
        TrainedModel model = testing::makeModel(testing::flagshipChain());
        model.metadata = {};
        const QString card = modelCardMarkdown(
            model, {QStringLiteral("m.pt"), QStringLiteral("TorchScript with preprocessing"),
                    QStringLiteral("2024-01-01T00:00:00Z")});
        QVERIFY(card.contains(QStringLiteral("No evaluation was recorded with this model")));
        QVERIFY(card.contains(QStringLiteral("The data set was not recorded")));
        QVERIFY(card.contains(QStringLiteral("Training settings were not recorded")));
        QVERIFY(card.contains(QStringLiteral("model = torch.jit.load(\"m.pt\")")));
        QVERIFY(card.contains(QStringLiteral("model(torch.from_numpy(rgb))")));
        QVERIFY(card.contains(
            QStringLiteral("on 2024-01-01T00:00:00Z as TorchScript with preprocessing")));
    }
};

QTEST_GUILESS_MAIN(TestExportCommand)
#include "tst_exportcommand.moc"
