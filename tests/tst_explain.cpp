// `torchcanvas explain`: its Grad-CAM map equals a Python Grad-CAM (torchvision resnet50 with
// the same .pth, hooks on layer4) to Pearson ≥ 0.999 and max |Δ| ≤ 1e-3, for two classes and
// two images, whatever TORCHCANVAS_PRECISION forces; bad input gives a message naming the file
// and keeps the other images' results.

#include "core/export/TorchScriptExport.h"
#include "core/nn/StateDict.h"
#include "tst_exporthelpers.h"

using namespace tc;
using namespace tc::exporting;

class TestExplain : public QObject {
    Q_OBJECT

private:
    QString m_folder;
    QString m_weights;     ///< the .pth Python wrote
    QString m_torchScript; ///< the same model as a deployable TorchCanvas export
    QStringList m_images;  ///< 224×224: the input size, so both sides skip resizing

    struct Result {
        int exitCode = -1;
        QString out, err;
    };

    Result explain(const QStringList& arguments) {
        Result result;
        QByteArray standardError;
        result.out = QString::fromUtf8(testing::runProgram(
            QStringLiteral(TORCHCANVAS_BINARY), QStringList{QStringLiteral("explain")} + arguments,
            &result.exitCode, &standardError, 300000));
        result.err = QString::fromUtf8(standardError);
        return result;
    }

private Q_SLOTS:
    void initTestCase() {
        m_folder = testing::freshFolder(QStringLiteral("explain"));
        const QDir folder(m_folder);
        m_weights = folder.filePath(QStringLiteral("resnet50-head.pth"));
        int exitCode = -1;
        QByteArray standardError;
        testing::runProgram(QStringLiteral(TORCHCANVAS_PYTHON),
                            {testing::testTool("gradcam_oracle.py"), QStringLiteral("make"),
                             m_weights, QStringLiteral("2"), QStringLiteral("11")},
                            &exitCode, &standardError);
        QVERIFY2(exitCode == 0, standardError.constData());

        // torchvision's names → TorchCanvas's: the backbone under "backbone.", fc.0 and fc.2
        // as the two Dense layers.
        QString error;
        const std::optional<nn::StateDict> tensors = nn::readWeightsFile(m_weights, &error);
        QVERIFY2(tensors, qPrintable(error));
        TrainedModel model;
        model.components = {testing::component("ResNet", {{"variant", "50"},
                                                          {"pretrained", "none"},
                                                          {"trainable", "frozen"},
                                                          {"pooling", "avg"}}),
                            testing::component("Dense", {{"units", 64}, {"activation", "relu"}}),
                            testing::component("Dense", {{"units", 2}, {"activation", "softmax"}})};
        model.classNames = {QStringLiteral("benign"), QStringLiteral("malignant")};
        model.preprocessing.width = 224;
        model.preprocessing.height = 224;
        for (const auto& item : *tensors) {
            QString name = QString::fromStdString(item.key());
            if (name.startsWith(QLatin1String("fc.0.")))
                name = QStringLiteral("head.0.linear.") + name.mid(5);
            else if (name.startsWith(QLatin1String("fc.2.")))
                name = QStringLiteral("head.1.linear.") + name.mid(5);
            else
                name = QStringLiteral("backbone.") + name;
            model.tensors.insert(name.toStdString(), item.value());
        }
        m_torchScript = folder.filePath(QStringLiteral("model.pt"));
        QVERIFY2(writeTorchScript(model, m_torchScript, {true}, &error), qPrintable(error));

        const QString images = folder.filePath(QStringLiteral("images"));
        folder.mkpath(QStringLiteral("images"));
        m_images << testing::writeTestImage(images, QStringLiteral("a.png"), 224, 224, 1)
                 << testing::writeTestImage(images, QStringLiteral("b.png"), 224, 224, 2);
    }

    void matchesPythonGradCam_data() {
        QTest::addColumn<int>("classIndex");
        QTest::addColumn<QString>("className");
        QTest::newRow("benign") << 0 << QStringLiteral("benign");
        QTest::newRow("malignant") << 1 << QStringLiteral("malignant");
    }

    // The acceptance test.
    void matchesPythonGradCam() {
        QFETCH(int, classIndex);
        QFETCH(QString, className);
        const QString out = QDir(m_folder).filePath(QStringLiteral("out-") + className);
        const Result result = explain(
            QStringList{m_torchScript} + m_images +
            QStringList{QStringLiteral("--out"), out, QStringLiteral("--class"), className});
        QVERIFY2(result.exitCode == 0, qPrintable(result.err));

        QStringList arguments{testing::testTool("gradcam_oracle.py"), QStringLiteral("compare"),
                              m_weights, QString::number(classIndex)};
        for (const QString& image : m_images)
            arguments << image
                      << QDir(out).filePath(QFileInfo(image).completeBaseName() +
                                            QStringLiteral("-gradcam.npy"));
        int exitCode = -1;
        QByteArray standardError;
        const QByteArray python = testing::runProgram(QStringLiteral(TORCHCANVAS_PYTHON), arguments,
                                                      &exitCode, &standardError);
        QVERIFY2(exitCode == 0, standardError.constData());
        const QJsonArray rows =
            QJsonDocument::fromJson(python).object().value(QStringLiteral("results")).toArray();
        QCOMPARE(rows.size(), m_images.size());
        for (const QJsonValue& value : rows) {
            const QJsonObject row = value.toObject();
            QCOMPARE(row.value(QStringLiteral("version")).toString(), QStringLiteral("1.0"));
            QCOMPARE(row.value(QStringLiteral("dtype")).toString(), QStringLiteral("float32"));
            QCOMPARE(row.value(QStringLiteral("shape")).toArray(), (QJsonArray{224, 224}));
            // Not a trivial map: Python's spans [0, 1].
            QCOMPARE(row.value(QStringLiteral("range")).toArray().at(1).toDouble(), 1.0);
            const double pearson = row.value(QStringLiteral("pearson")).toDouble(-1.0);
            const double difference = row.value(QStringLiteral("max_abs_diff")).toDouble(1e9);
            qInfo("%s, class %s: Pearson %.7f, max |diff| %.3g",
                  qPrintable(row.value(QStringLiteral("image")).toString()), qPrintable(className),
                  pearson, difference);
            QVERIFY(pearson >= 0.999);
            QVERIFY(difference <= 1e-3);
        }

        // The JSON beside the map: probabilities of every class and the explained class.
        QFile jsonFile(QDir(out).filePath(QStringLiteral("a.json")));
        QVERIFY(jsonFile.open(QIODevice::ReadOnly));
        const QJsonObject json = QJsonDocument::fromJson(jsonFile.readAll()).object();
        QCOMPARE(json.value(QStringLiteral("explained_class")).toString(), className);
        const QJsonObject probabilities = json.value(QStringLiteral("probabilities")).toObject();
        QCOMPARE(probabilities.size(), 2);
        QVERIFY(qAbs(probabilities.value(QStringLiteral("benign")).toDouble() +
                     probabilities.value(QStringLiteral("malignant")).toDouble() - 1.0) < 1e-5);
        // The overlay is the original image's size.
        const cv::Mat overlay = cv::imread(
            QFile::encodeName(QDir(out).filePath(QStringLiteral("a-gradcam.png"))).toStdString());
        QCOMPARE(overlay.cols, 224);
        QCOMPARE(overlay.rows, 224);
    }

    void missingImageIsNamedAndTheOthersAreKept() {
        const QString out = QDir(m_folder).filePath(QStringLiteral("out-missing"));
        const QString missing = QDir(m_folder).filePath(QStringLiteral("no-such.png"));
        const QString broken = QDir(m_folder).filePath(QStringLiteral("broken.png"));
        QFile file(broken);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("\x89PNG not really");
        file.close();
        const Result result = explain(
            {m_torchScript, m_images.first(), missing, broken, QStringLiteral("--out"), out});
        QVERIFY(result.exitCode != 0);
        QVERIFY2(result.err.contains(missing), qPrintable(result.err));
        QVERIFY2(result.err.contains(broken), qPrintable(result.err));
        QVERIFY(QFileInfo::exists(QDir(out).filePath(QStringLiteral("a-gradcam.npy"))));
        QVERIFY(QFileInfo::exists(QDir(out).filePath(QStringLiteral("a-gradcam.png"))));
        QVERIFY(QFileInfo::exists(QDir(out).filePath(QStringLiteral("a.json"))));
    }

    void badCommandLine_data() {
        QTest::addColumn<QStringList>("extra");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("unknown class")
            << QStringList{QStringLiteral("--class"), QStringLiteral("cat")}
            << QStringLiteral("no class 'cat'");
        QTest::newRow("alpha out of range")
            << QStringList{QStringLiteral("--alpha"), QStringLiteral("1.5")}
            << QStringLiteral("--alpha");
    }

    void badCommandLine() {
        QFETCH(QStringList, extra);
        QFETCH(QString, mentions);
        const QString out = QDir(m_folder).filePath(QStringLiteral("out-bad"));
        const Result result = explain(
            QStringList{m_torchScript, m_images.first(), QStringLiteral("--out"), out} + extra);
        QCOMPARE(result.exitCode, 2);
        QVERIFY2(result.err.contains(mentions), qPrintable(result.err));
        QCOMPARE(result.err.count(QLatin1Char('\n')), 1);
    }

    void notAModelIsNamed() {
        const Result result = explain({m_images.first(), m_images.first(), QStringLiteral("--out"),
                                       QDir(m_folder).filePath(QStringLiteral("out-nomodel"))});
        QVERIFY(result.exitCode != 0);
        QVERIFY2(result.err.contains(m_images.first()), qPrintable(result.err));
    }
};

QTEST_GUILESS_MAIN(TestExplain)
#include "tst_explain.moc"
