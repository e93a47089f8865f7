// `torchcanvas predict` on every exported form: the probabilities equal what Python gets
// from the same file (torch.jit.load; a plain-PyTorch rebuild of the safetensors export) to
// 1e-5, the forms agree with the app's own modules, and corrupt, truncated and foreign model
// files give one clear line naming the file.

#include "core/export/OnnxExport.h"
#include "core/export/SafeTensorsExport.h"
#include "core/export/TorchScriptExport.h"
#include "core/nn/SafeTensors.h"
#include "ProbabilitiesSupport.h"
#include "tst_exporthelpers.h"

#include <opencv2/imgproc.hpp>

using namespace tc;
using namespace tc::exporting;

namespace {

using testing::fromPredictJson;
using testing::fromPythonJson;
using testing::largestDifference;
using testing::Probabilities;

QByteArray readAll(const QString& path) {
    QFile file(path);
    file.open(QIODevice::ReadOnly);
    return file.readAll();
}

void writeBytes(const QString& path, const QByteArray& bytes) {
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
        qFatal("cannot write %s", qPrintable(path));
}

} // namespace

class TestPredict : public QObject {
    Q_OBJECT

private:
    QString m_folder;
    TrainedModel m_model;
    QString m_safetensors, m_bare, m_deployable, m_onnx;
    /// 8-bit images whose app preprocessing the deployable form reproduces exactly.
    QStringList m_exactImages;
    /// Everything, including a 16-bit PNG and a JPEG the app decodes at reduced size.
    QStringList m_allImages;
    /// Models written by other programs (tests/tools/make_foreign_models.py).
    QString m_foreign;

    QJsonObject predictJson(const QString& model, const QStringList& images) {
        int exitCode = -1;
        QByteArray standardError;
        const QByteArray out = testing::runProgram(
            QStringLiteral(TORCHCANVAS_BINARY),
            QStringList{QStringLiteral("predict"), model, QStringLiteral("--json")} + images,
            &exitCode, &standardError);
        if (exitCode != 0)
            qWarning("predict failed: %s", standardError.constData());
        return QJsonDocument::fromJson(out).object();
    }

    QJsonObject pythonJson(const char* tool, const QString& model, const QStringList& images) {
        int exitCode = -1;
        QByteArray standardError;
        const QByteArray out = testing::runProgram(
            QStringLiteral(TORCHCANVAS_PYTHON),
            QStringList{testing::testTool(tool), model} + images, &exitCode, &standardError);
        if (exitCode != 0)
            qWarning("%s failed: %s", tool, standardError.constData());
        return QJsonDocument::fromJson(out).object();
    }

private Q_SLOTS:
    void initTestCase() {
        m_folder = testing::freshFolder(QStringLiteral("predict"));
        const QDir folder(m_folder);
        m_model = testing::makeModel(testing::flagshipChain());
        m_model.preprocessing.resize = data::PreprocessingSettings::Resize::ShorterSideCrop;
        QString error;
        m_safetensors = folder.filePath(QStringLiteral("model.safetensors"));
        m_bare = folder.filePath(QStringLiteral("bare.pt"));
        m_deployable = folder.filePath(QStringLiteral("deployable.pt"));
        m_onnx = folder.filePath(QStringLiteral("model.onnx"));
        QVERIFY2(writeSafeTensorsModel(m_model, m_safetensors, nullptr, &error), qPrintable(error));
        QVERIFY2(writeTorchScript(m_model, m_bare, {false}, &error), qPrintable(error));
        QVERIFY2(writeTorchScript(m_model, m_deployable, {true}, &error), qPrintable(error));
        QVERIFY2(writeOnnx(m_model, m_onnx, &error), qPrintable(error));

        const QString images = folder.filePath(QStringLiteral("images"));
        folder.mkpath(QStringLiteral("images/sub"));
        m_exactImages
            << testing::writeTestImage(images, QStringLiteral("a-histology.png"), 700, 460, 1)
            << testing::writeTestImage(images, QStringLiteral("b-square.png"), 128, 128, 2)
            << testing::writeTestImage(images, QStringLiteral("c-small.jpg"), 100, 90, 3)
            << testing::writeTestImage(images, QStringLiteral("sub/d-tall.png"), 50, 170, 4);
        // Grey: decoded to three equal channels by both sides.
        cv::Mat grey;
        cv::cvtColor(testing::testImage(90, 60, 5), grey, cv::COLOR_BGR2GRAY);
        const QString greyPath = QDir(images).filePath(QStringLiteral("e-grey.png"));
        QVERIFY(cv::imwrite(QFile::encodeName(greyPath).toStdString(), grey));
        m_exactImages << greyPath;
        m_allImages = m_exactImages;
        // 16 bits: the app keeps them, the deployable form sees 8-bit pixels.
        cv::Mat deep;
        testing::testImage(80, 80, 6).convertTo(deep, CV_16UC3, 257.0, 3.0);
        const QString deepPath = QDir(images).filePath(QStringLiteral("f-16bit.png"));
        QVERIFY(cv::imwrite(QFile::encodeName(deepPath).toStdString(), deep));
        // A JPEG large enough for the app's reduced (DCT-scaled) decoding.
        m_foreign = testing::freshFolder(QStringLiteral("predict-foreign"));
        int exitCode = -1;
        QByteArray standardError;
        testing::runProgram(QStringLiteral(TORCHCANVAS_PYTHON),
                            {testing::testTool("make_foreign_models.py"), m_foreign}, &exitCode,
                            &standardError);
        QVERIFY2(exitCode == 0, standardError.constData());
        m_allImages << deepPath
                    << testing::writeTestImage(images, QStringLiteral("g-large.jpg"), 400, 300, 7);
    }

    void pythonTorchScriptEqualsPredict_data() {
        QTest::addColumn<bool>("withPreprocessing");
        QTest::newRow("bare: app preprocessing / reference_batch.py") << false;
        QTest::newRow("deployable: uint8 pixels in") << true;
    }

    // The acceptance test: export → python3 torch.jit.load → the same probabilities
    // as `torchcanvas predict` on the same images, to 1e-5.
    void pythonTorchScriptEqualsPredict() {
        QFETCH(bool, withPreprocessing);
        const QString model = withPreprocessing ? m_deployable : m_bare;
        const QJsonObject predicted = predictJson(model, m_allImages);
        const QJsonObject python = pythonJson("torchscript_predict.py", model, m_allImages);
        QCOMPARE(predicted.value(QStringLiteral("predictions")).toArray().size(),
                 m_allImages.size());
        QCOMPARE(python.value(QStringLiteral("predictions")).toArray().size(), m_allImages.size());
        QCOMPARE(predicted.value(QStringLiteral("kind")).toString(),
                 withPreprocessing ? QStringLiteral("TorchScript with preprocessing")
                                   : QStringLiteral("TorchScript"));
        const double difference =
            largestDifference(fromPredictJson(predicted), fromPythonJson(python), m_allImages);
        qInfo("largest |p_predict - p_python| = %g", difference);
        QVERIFY2(difference <= 1e-5, qPrintable(QString::number(difference)));

        // The metadata Python sees.
        QCOMPARE(python.value(QStringLiteral("class_names")).toArray(),
                 (QJsonArray{QStringLiteral("benign"), QStringLiteral("malignant")}));
        QCOMPARE(python.value(QStringLiteral("input_shape")).toArray(), (QJsonArray{3, 64, 64}));
        QCOMPARE(python.value(QStringLiteral("with_preprocessing")).toBool(), withPreprocessing);
        QCOMPARE(python.value(QStringLiteral("torchcanvas_version")).toString(),
                 QStringLiteral(TORCHCANVAS_VERSION));
        QCOMPARE(python.value(QStringLiteral("metadata"))
                     .toObject()
                     .value(QStringLiteral("preprocessing"))
                     .toObject()
                     .value(QStringLiteral("resize"))
                     .toString(),
                 QStringLiteral("shorter-side-crop"));
        QVERIFY(python.value(QStringLiteral("mean")).toArray().at(0).toDouble() > 0.48);
    }

    void pythonSafeTensorsRebuildEqualsPredict() {
        const QJsonObject predicted = predictJson(m_safetensors, m_allImages);
        const QJsonObject python = pythonJson("safetensors_model.py", m_safetensors, m_allImages);
        // Every backbone tensor loaded strictly into torchvision's resnet18 (fc excluded).
        QCOMPARE(python.value(QStringLiteral("backbone_keys")).toInt(), 120);
        const double difference =
            largestDifference(fromPredictJson(predicted), fromPythonJson(python), m_allImages);
        qInfo("largest |p_predict - p_pytorch_rebuild| = %g", difference);
        QVERIFY2(difference <= 1e-5, qPrintable(QString::number(difference)));
    }

    // Every form gives the app's answer: the safetensors export runs the app's own LibTorch
    // modules on the app's pipeline, as a checkpoint does.
    void formsAgreeWithTheAppsModules() {
        const Probabilities reference = fromPredictJson(predictJson(m_safetensors, m_allImages));
        const Probabilities bare = fromPredictJson(predictJson(m_bare, m_allImages));
        const Probabilities deployable = fromPredictJson(predictJson(m_deployable, m_allImages));
        const Probabilities onnx = fromPredictJson(predictJson(m_onnx, m_allImages));
        QCOMPARE(reference.size(), m_allImages.size());
        const double bareDifference = largestDifference(reference, bare, m_allImages);
        const double deployableDifference = largestDifference(reference, deployable, m_exactImages);
        const double onnxDifference = largestDifference(reference, onnx, m_allImages);
        qInfo("bare %g, deployable (8-bit, no JPEG reduction) %g, ONNX %g", bareDifference,
              deployableDifference, onnxDifference);
        QVERIFY2(bareDifference <= 1e-5, qPrintable(QString::number(bareDifference)));
        QVERIFY2(deployableDifference <= 1e-5, qPrintable(QString::number(deployableDifference)));
        QVERIFY2(onnxDifference <= 1e-4, qPrintable(QString::number(onnxDifference)));
        // Not all the same answer: the test images tell the classes apart a little.
        double spread = 0.0;
        for (const QString& image : m_allImages)
            spread = std::max(spread, std::abs(reference.value(image)[0] -
                                               reference.value(m_allImages.first())[0]));
        QVERIFY(spread > 1e-4);
    }

    void textCsvAndFailures() {
        const QDir folder(m_folder);
        const QString broken = folder.filePath(QStringLiteral("images/broken.png"));
        writeBytes(broken, QByteArray("this is not a PNG"));
        const QString csv = folder.filePath(QStringLiteral("predictions.csv"));
        int exitCode = -1;
        QByteArray standardError;
        const QString text = QString::fromUtf8(testing::runProgram(
            QStringLiteral(TORCHCANVAS_BINARY),
            {QStringLiteral("predict"), m_bare, folder.filePath(QStringLiteral("images")),
             QStringLiteral("--csv"), csv},
            &exitCode, &standardError));
        QFile::remove(broken);
        // The folder is searched recursively; the broken image fails alone.
        QCOMPARE(exitCode, 1);
        QVERIFY2(standardError.contains("broken.png"), standardError.constData());
        QVERIFY2(standardError.contains("1 of 8 images could not be classified"),
                 standardError.constData());
        QVERIFY(text.contains(QLatin1String("sub/d-tall.png")));
        QVERIFY(text.contains(QLatin1String("malignant")));
        QVERIFY(text.contains(QLatin1String("(failed)")));

        const QStringList lines =
            QString::fromUtf8(readAll(csv)).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 9);
        QCOMPARE(lines.first(), QStringLiteral("image,label,benign,malignant,error"));
        int failed = 0;
        for (const QString& line : lines.mid(1)) {
            const QStringList fields = line.split(QLatin1Char(','));
            if (fields[0].endsWith(QLatin1String("broken.png"))) {
                ++failed;
                QVERIFY(fields[1].isEmpty());
                continue;
            }
            QVERIFY(fields[1] == QLatin1String("benign") ||
                    fields[1] == QLatin1String("malignant"));
            QVERIFY(std::abs(fields[2].toDouble() + fields[3].toDouble() - 1.0) < 1e-6);
        }
        QCOMPARE(failed, 1);
    }

    void badModelFiles_data() {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("expected");
        QTest::newRow("missing") << "missing"
                                 << "no such file";
        QTest::newRow("empty") << "empty"
                               << "the file is empty";
        QTest::newRow("truncated TorchScript") << "truncated-torchscript"
                                               << "damaged or truncated";
        QTest::newRow("corrupted TorchScript") << "corrupted-torchscript"
                                               << "damaged";
        QTest::newRow("truncated ONNX") << "truncated-onnx"
                                        << "damaged, truncated or not ONNX";
        QTest::newRow("corrupted ONNX weights") << "corrupted-onnx"
                                                << "checksum";
        QTest::newRow("truncated safetensors") << "truncated-safetensors"
                                               << "truncated";
        QTest::newRow("corrupted safetensors") << "corrupted-safetensors"
                                               << "checksum";
        QTest::newRow("safetensors without configuration") << "bare-safetensors"
                                                           << "without a TorchCanvas configuration";
        QTest::newRow("foreign TorchScript") << "foreign-script.pt"
                                             << "did not export";
        QTest::newRow("PyTorch state dict") << "state-dict.pth"
                                            << "saved with torch.save";
        QTest::newRow("legacy PyTorch file") << "legacy.pth"
                                             << "pre-1.6";
        QTest::newRow("foreign ONNX") << "foreign.onnx"
                                      << "did not export";
        QTest::newRow("an image") << "image"
                                  << "not a model TorchCanvas can read";
        QTest::newRow("random bytes") << "random"
                                      << "not a model TorchCanvas can read";
        QTest::newRow("folder without checkpoints") << "folder"
                                                    << "not a training run";
        QTest::newRow("model configuration JSON") << "config-json"
                                                  << "name the .safetensors file";
    }

    void badModelFiles() {
        QFETCH(QString, kind);
        QFETCH(QString, expected);
        const QString folder = testing::freshFolder(QStringLiteral("predict-bad"));
        const QDir dir(folder);
        QString path = dir.filePath(kind);
        if (kind.contains(QLatin1Char('.'))) {
            path = QDir(m_foreign).filePath(kind);
        } else if (kind == QLatin1String("empty")) {
            writeBytes(path, {});
        } else if (kind.startsWith(QLatin1String("truncated-")) ||
                   kind.startsWith(QLatin1String("corrupted-"))) {
            const QString source = kind.endsWith(QLatin1String("torchscript")) ? m_bare
                                   : kind.endsWith(QLatin1String("onnx"))      ? m_onnx
                                                                               : m_safetensors;
            path += QLatin1Char('.') + QFileInfo(source).suffix();
            QByteArray bytes = readAll(source);
            if (kind.startsWith(QLatin1String("truncated-"))) {
                bytes.truncate(bytes.size() / 2);
            } else {
                // A bit flipped well inside the weights.
                const qsizetype at = bytes.size() * 3 / 4;
                bytes[at] = char(bytes[at] ^ 0x10);
            }
            writeBytes(path, bytes);
        } else if (kind == QLatin1String("bare-safetensors")) {
            QString error;
            QVERIFY(nn::writeSafeTensors(path, m_model.tensors, {}, &error));
        } else if (kind == QLatin1String("image")) {
            path = m_exactImages.first();
        } else if (kind == QLatin1String("random")) {
            QByteArray bytes(4096, Qt::Uninitialized);
            for (int i = 0; i < bytes.size(); ++i)
                bytes[i] = char((i * 7919 + 13) % 251);
            writeBytes(path, bytes);
        } else if (kind == QLatin1String("folder")) {
            dir.mkpath(kind);
        } else if (kind == QLatin1String("config-json")) {
            path = companionPath(m_safetensors, QStringLiteral("json"));
        }

        for (const QString& command : {QStringLiteral("predict"), QStringLiteral("export")}) {
            int exitCode = -1;
            QByteArray standardError;
            const QStringList arguments =
                command == QLatin1String("predict")
                    ? QStringList{command, path, m_exactImages.first()}
                    : QStringList{command, path, QStringLiteral("-o"),
                                  dir.filePath(QStringLiteral("out.onnx"))};
            testing::runProgram(QStringLiteral(TORCHCANVAS_BINARY), arguments, &exitCode,
                                &standardError);
            const QString message = QString::fromUtf8(standardError).trimmed();
            QCOMPARE(exitCode, 1);
            QVERIFY2(!message.contains(QLatin1Char('\n')), qPrintable(message));
            QVERIFY2(
                message.startsWith(QStringLiteral("torchcanvas ") + command + QLatin1Char(':')),
                qPrintable(message));
            QVERIFY2(message.contains(path), qPrintable(message));
            QVERIFY2(message.contains(expected), qPrintable(message));
        }
        QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("out.onnx"))));
    }

    void usageErrors() {
        int exitCode = -1;
        QByteArray standardError;
        testing::runProgram(QStringLiteral(TORCHCANVAS_BINARY), {QStringLiteral("predict"), m_bare},
                            &exitCode, &standardError);
        QCOMPARE(exitCode, 2);
        QVERIFY(standardError.contains("at least one image"));
        testing::runProgram(
            QStringLiteral(TORCHCANVAS_BINARY),
            {QStringLiteral("predict"), m_bare, m_folder + QStringLiteral("/nothing")}, &exitCode,
            &standardError);
        QCOMPARE(exitCode, 1);
        QVERIFY(standardError.contains("no such file or folder"));
        QVERIFY(standardError.contains("no images to classify"));
    }
};

QTEST_GUILESS_MAIN(TestPredict)
#include "tst_predict.moc"
