// `torchcanvas embed`: backbone features after exactly the training preprocessing, checked
// against cv2 + torchvision on the same weights file; CSV and .npy outputs agree; unreadable
// images are named and do not cost the others; usage errors exit 2 with a reason.

#include "tools/NnTestSupport.h"
#include "tst_exporthelpers.h"

#include <QtTest>

namespace {

/// The rows of a .npy file written by `embed` (float32, C order, version 1 header).
torch::Tensor readNpy(const QString& path, QString* header) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const QByteArray bytes = file.readAll();
    if (bytes.size() < 10 || !bytes.startsWith("\x93NUMPY"))
        return {};
    const int headerLength = quint8(bytes[8]) | (quint8(bytes[9]) << 8);
    *header = QString::fromLatin1(bytes.mid(10, headerLength));
    const QRegularExpressionMatch shape =
        QRegularExpression(QStringLiteral("'shape': \\((\\d+), (\\d+)\\)")).match(*header);
    if (!shape.hasMatch())
        return {};
    torch::Tensor values =
        torch::empty({shape.captured(1).toLongLong(), shape.captured(2).toLongLong()});
    const QByteArray data = bytes.mid(10 + headerLength);
    if (size_t(data.size()) != values.nbytes())
        return {};
    std::memcpy(values.data_ptr(), data.constData(), values.nbytes());
    return values;
}

int embed(const QStringList& arguments, QByteArray* standardError) {
    int exitCode = -1;
    tc::testing::runProgram(QStringLiteral(TORCHCANVAS_BINARY),
                            QStringList{QStringLiteral("embed")} + arguments, &exitCode,
                            standardError, 240'000);
    return exitCode;
}

} // namespace

class TestEmbedCommand : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void featuresMatchTorchvision();
    void csvMatchesNpy();
    void unreadableImageIsNamedAndOthersKept();
    void randomWeightsFollowTheSeed();
    void usageErrors();

private:
    QString m_root;
    QString m_weights;
    QString m_images;
};

void TestEmbedCommand::initTestCase() {
    m_root = tc::test::freshDirectory(QStringLiteral("embed-command"));
    // torchvision's ResNet18 with randomised batch-norm statistics, saved with torch.save.
    const QString error = tc::test::runOracle(QStringLiteral("resnet_oracle.py"),
                                              {QStringLiteral("make"), QStringLiteral("18"), m_root,
                                               QStringLiteral("--batch"), QStringLiteral("1"),
                                               QStringLiteral("--height"), QStringLiteral("32"),
                                               QStringLiteral("--width"), QStringLiteral("32")});
    QVERIFY2(error.isEmpty(), qPrintable(error));
    m_weights = QDir(m_root).filePath(QStringLiteral("weights.pth"));
    QVERIFY(QFileInfo::exists(m_weights));
    // Three images of different sizes and shapes, one in a sub-folder, and a file that is
    // not an image.
    m_images = QDir(m_root).filePath(QStringLiteral("images"));
    QVERIFY(QDir().mkpath(m_images + QStringLiteral("/nested")));
    tc::testing::writeTestImage(m_images, QStringLiteral("wide.png"), 120, 70, 1);
    tc::testing::writeTestImage(m_images, QStringLiteral("tall.png"), 50, 90, 2);
    tc::testing::writeTestImage(m_images + QStringLiteral("/nested"), QStringLiteral("small.png"),
                                40, 36, 3);
    QFile notes(QDir(m_images).filePath(QStringLiteral("notes.txt")));
    QVERIFY(notes.open(QIODevice::WriteOnly));
    notes.write("not an image\n");
}

void TestEmbedCommand::featuresMatchTorchvision() {
    const QString out = QDir(m_root).filePath(QStringLiteral("features.npy"));
    QByteArray standardError;
    QCOMPARE(embed({QStringLiteral("--backbone"), QStringLiteral("resnet18"),
                    QStringLiteral("--weights"), m_weights, QStringLiteral("--precision"),
                    QStringLiteral("fp32"), QStringLiteral("--size"), QStringLiteral("64x48"),
                    QStringLiteral("--batch-size"), QStringLiteral("2"), m_images,
                    QStringLiteral("--out"), out},
                   &standardError),
             0);
    QVERIFY2(standardError.contains("wrote 3 × 512 features"), standardError.constData());
    QString header;
    const torch::Tensor features = readNpy(out, &header);
    QVERIFY2(features.defined(), qPrintable(header));
    QCOMPARE(features.size(0), std::int64_t(3));
    QCOMPARE(features.size(1), std::int64_t(512));
    QFile listFile(out + QStringLiteral(".txt"));
    QVERIFY(listFile.open(QIODevice::ReadOnly | QIODevice::Text));
    const QStringList paths =
        QString::fromUtf8(listFile.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(paths.size(), 3);
    QVERIFY(std::any_of(paths.begin(), paths.end(),
                        [](const QString& p) { return p.endsWith(QLatin1String("small.png")); }));

    const QString expectedFile = QDir(m_root).filePath(QStringLiteral("expected.bin"));
    const QString error =
        tc::test::runOracle(QStringLiteral("embed_oracle.py"),
                            QStringList{m_weights, QStringLiteral("18"), QStringLiteral("64"),
                                        QStringLiteral("48"), expectedFile} +
                                paths);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    const torch::Tensor expected = tc::test::readFloats(expectedFile, {3, 512});
    QVERIFY(expected.defined());
    const double relative = tc::test::relativeError(features, expected);
    QVERIFY2(relative <= 1e-4, qPrintable(QString::number(relative)));
    // The images differ, and so do their features: the comparison is not trivially true.
    QVERIFY((expected[0] - expected[1]).abs().max().item<double>() > 1e-3);
}

void TestEmbedCommand::csvMatchesNpy() {
    const QString npy = QDir(m_root).filePath(QStringLiteral("pair.npy"));
    const QString csv = QDir(m_root).filePath(QStringLiteral("pair.csv"));
    const QStringList common{QStringLiteral("--backbone"),
                             QStringLiteral("resnet18"),
                             QStringLiteral("--weights"),
                             m_weights,
                             QStringLiteral("--size"),
                             QStringLiteral("32x32"),
                             m_images};
    QByteArray standardError;
    QCOMPARE(embed(common + QStringList{QStringLiteral("--out"), npy}, &standardError), 0);
    QCOMPARE(embed(common + QStringList{QStringLiteral("--out"), csv}, &standardError), 0);
    QString header;
    const torch::Tensor fromNpy = readNpy(npy, &header);
    QVERIFY(fromNpy.defined());
    QFile listFile(npy + QStringLiteral(".txt"));
    QVERIFY(listFile.open(QIODevice::ReadOnly | QIODevice::Text));
    const QStringList paths =
        QString::fromUtf8(listFile.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);

    QFile file(csv);
    QVERIFY(file.open(QIODevice::ReadOnly | QIODevice::Text));
    const QStringList lines =
        QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 4); // header + 3 images
    QVERIFY(lines[0].startsWith(QStringLiteral("path,f0,f1,")));
    QVERIFY(lines[0].endsWith(QStringLiteral(",f511")));
    for (int row = 0; row < 3; ++row) {
        const QStringList fields = lines[row + 1].split(QLatin1Char(','));
        QCOMPARE(fields.size(), 513);
        QCOMPARE(fields[0], QLatin1Char('"') + paths[row] + QLatin1Char('"'));
        for (int c = 0; c < 512; ++c) // 9 significant digits: the same float
            QCOMPARE(fields[c + 1].toFloat(), fromNpy[row][c].item<float>());
    }
}

void TestEmbedCommand::unreadableImageIsNamedAndOthersKept() {
    const QString folder = QDir(m_root).filePath(QStringLiteral("with-broken"));
    QVERIFY(QDir().mkpath(folder));
    tc::testing::writeTestImage(folder, QStringLiteral("good-1.png"), 60, 40, 4);
    tc::testing::writeTestImage(folder, QStringLiteral("good-2.png"), 40, 60, 5);
    const QString broken =
        tc::testing::writeTestImage(folder, QStringLiteral("broken.png"), 60, 60, 6);
    QFile truncate(broken);
    QVERIFY(truncate.open(QIODevice::ReadWrite));
    QVERIFY(truncate.resize(200));
    truncate.close();
    const QString out = QDir(m_root).filePath(QStringLiteral("partial.npy"));
    QByteArray standardError;
    const int exitCode = embed({QStringLiteral("--backbone"), QStringLiteral("resnet18"),
                                QStringLiteral("--weights"), m_weights, QStringLiteral("--size"),
                                QStringLiteral("32x32"), folder, QStringLiteral("--out"), out},
                               &standardError);
    QCOMPARE(exitCode, 1);
    QVERIFY2(standardError.contains("broken.png"), standardError.constData());
    QVERIFY2(standardError.contains("1 of 3 image(s) could not be read"),
             standardError.constData());
    QString header;
    const torch::Tensor features = readNpy(out, &header);
    QVERIFY(features.defined());
    QCOMPARE(features.size(0), std::int64_t(2)); // the readable ones were still written
}

// A random backbone is a function of the seed: the same seed gives the same features on every
// call, another seed other features, and the seed is printed.
void TestEmbedCommand::randomWeightsFollowTheSeed() {
    auto features = [&](const QString& seed, const QString& name) {
        const QString out = QDir(m_root).filePath(name);
        QByteArray errors;
        QStringList arguments{QStringLiteral("--backbone"),
                              QStringLiteral("resnet18"),
                              QStringLiteral("--random-weights"),
                              QStringLiteral("--size"),
                              QStringLiteral("32x32"),
                              QStringLiteral("--precision"),
                              QStringLiteral("fp32"),
                              m_images + QStringLiteral("/wide.png"),
                              QStringLiteral("--out"),
                              out};
        if (!seed.isEmpty())
            arguments << QStringLiteral("--seed") << seed;
        const int exitCode = embed(arguments, &errors);
        QString header;
        const torch::Tensor values = readNpy(out, &header);
        return std::make_tuple(exitCode, QString::fromUtf8(errors), values);
    };
    const auto [firstExit, firstLog, first] = features(QString(), QStringLiteral("seed-a.npy"));
    QCOMPARE(firstExit, 0);
    QVERIFY2(firstLog.contains(QStringLiteral("seed: 42")), qPrintable(firstLog));
    const auto [againExit, againLog, again] =
        features(QStringLiteral("42"), QStringLiteral("seed-b.npy"));
    QCOMPARE(againExit, 0);
    QVERIFY(first.defined() && again.defined());
    QVERIFY(torch::equal(first, again));
    const auto [otherExit, otherLog, other] =
        features(QStringLiteral("7"), QStringLiteral("seed-c.npy"));
    QCOMPARE(otherExit, 0);
    QVERIFY2(otherLog.contains(QStringLiteral("seed: 7")), qPrintable(otherLog));
    QVERIFY(other.defined());
    QVERIFY(!torch::allclose(first, other));
}

void TestEmbedCommand::usageErrors() {
    QByteArray standardError;
    QCOMPARE(embed({m_images}, &standardError), 2);
    QVERIFY2(standardError.contains("--out"), standardError.constData());
    QCOMPARE(embed({QStringLiteral("--backbone"), QStringLiteral("resnet19"), m_images,
                    QStringLiteral("--out"), QStringLiteral("x.npy")},
                   &standardError),
             2);
    QVERIFY2(standardError.contains("resnet19"), standardError.constData());
    QCOMPARE(embed({QStringLiteral("--size"), QStringLiteral("10x10"), m_images,
                    QStringLiteral("--out"), QStringLiteral("x.npy")},
                   &standardError),
             2);
    QVERIFY2(standardError.contains("--size"), standardError.constData());
    QCOMPARE(embed({QStringLiteral("--weights"), QStringLiteral("/nonexistent/weights.pth"),
                    QStringLiteral("--backbone"), QStringLiteral("resnet18"), m_images,
                    QStringLiteral("--out"), QDir(m_root).filePath(QStringLiteral("y.npy"))},
                   &standardError),
             1);
    QVERIFY2(standardError.contains("/nonexistent/weights.pth"), standardError.constData());
}

QTEST_GUILESS_MAIN(TestEmbedCommand)
#include "tst_embedcommand.moc"
