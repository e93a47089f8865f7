// Hostile inputs that used to hang, abort or exhaust memory (issue 18), run through the built
// CLI: FIFOs and character devices where a CSV, an image or a data set is expected, a project
// whose graph is over the node limit. Each must end within 10 s (a hang guard, not a timing
// assertion) with a non-zero exit and one line naming the file. A 20,000-node project (it
// "never finished loading" in issue 18) validates, trains, checkpoints and resumes.

#include "DataTestSupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>
#include <sys/stat.h>

using Result = tc::test::CommandResult;

namespace {

/// The deadline after which a command counts as hung.
constexpr int kHangGuardMs = 10'000;

Result run(const QStringList& arguments) {
    return tc::test::runTorchCanvas(arguments, kHangGuardMs);
}

/// The last non-empty line of stderr: the command's failure message. `train` prints its
/// progress ("[loading] …") on stderr before it.
QString lastLine(const QString& text) {
    const QStringList lines = text.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    return lines.isEmpty() ? QString() : lines.last();
}

/// A project with a three-node model (Input → Dense 2 → Output) and `source` as its data set.
QByteArray projectJson(const QString& source, int denseLayers = 1) {
    QJsonArray nodes;
    QJsonArray links;
    auto node = [&](int id, const QString& type, const QJsonObject& parameters) {
        nodes.append(QJsonObject{{"id", id},
                                 {"type", type},
                                 {"position", QJsonObject{{"x", id * 240}, {"y", 0}}},
                                 {"parameters", parameters}});
        if (id > 1)
            links.append(QJsonObject{{"id", id - 1},
                                     {"from", QJsonObject{{"node", id - 1}, {"port", 0}}},
                                     {"to", QJsonObject{{"node", id}, {"port", 0}}}});
    };
    node(1, "Input", {{"channels", 3}, {"height", 32}, {"width", 32}});
    for (int i = 0; i < denseLayers; ++i)
        node(2 + i, "Dense", {{"units", 2}, {"activation", "none"}});
    node(2 + denseLayers, "Output", {});
    const QJsonObject root{{"format", "torchcanvas-project"},
                           {"version", 1},
                           {"name", "hostile"},
                           {"graph", QJsonObject{{"nodes", nodes}, {"links", links}}},
                           {"dataset", QJsonObject{{"source", source}}}};
    return QJsonDocument(root).toJson(QJsonDocument::Compact);
}

} // namespace

class TestHostile : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void dataCheckRefusesSpecialFiles_data();
    void dataCheckRefusesSpecialFiles();
    void dataCheckNamesFifoRow();
    void dataCheckAbsolutePathsStayBounded();
    void trainNamesFifoRow();
    void trainRefusesDeviceDataSet();
    void trainRefusesHugeGraph();
    void twentyThousandNodesTrainAndResume();
    void trainRefusesFifoProject();
    void corpusSeedsAreAnswered_data();
    void corpusSeedsAreAnswered();

private:
    /// A FIFO at `relative` in the temporary folder; nothing ever writes to it, so a reader
    /// that opens it blocks for ever.
    QString fifo(const QString& relative) {
        const QString path = m_dir.filePath(relative);
        if (::mkfifo(QFile::encodeName(path).constData(), 0600) != 0)
            return {};
        return path;
    }
    QString file(const QString& relative, const QByteArray& bytes) {
        return tc::test::writeFile(m_dir.path(), relative, bytes);
    }
    /// Checks the outcome every case must have; `named` must appear in the failure line.
    static void expectRefusal(const Result& result, const QString& command, const QString& named,
                              const QString& reason);

    QTemporaryDir m_dir;
    QString m_image;
};

void TestHostile::expectRefusal(const Result& result, const QString& command, const QString& named,
                                const QString& reason) {
    QVERIFY2(!result.timedOut, "hung: killed after 10 s");
    QVERIFY2(
        result.exitCode > 0,
        qPrintable(QStringLiteral("exit %1, stderr: %2").arg(result.exitCode).arg(result.err)));
    QVERIFY2(!result.err.contains(QStringLiteral("terminate called")), qPrintable(result.err));
    const QString line = lastLine(result.err);
    QVERIFY2(line.startsWith(QStringLiteral("torchcanvas %1: ").arg(command)), qPrintable(line));
    QVERIFY2(line.contains(named), qPrintable(line));
    QVERIFY2(line.contains(reason), qPrintable(line));
    QVERIFY2(result.err.endsWith(line + QLatin1Char('\n')), qPrintable(result.err));
}

void TestHostile::initTestCase() {
    QVERIFY(m_dir.isValid());
    m_image = tc::test::writeImage(m_dir.path(), QStringLiteral("img/real.png"),
                                   tc::test::patternImage(16, 16, CV_8UC3));
    QVERIFY(!m_image.isEmpty());
    QVERIFY(!fifo(QStringLiteral("pipe.csv")).isEmpty());
    QVERIFY(!fifo(QStringLiteral("pipe.png")).isEmpty());
    QVERIFY(!fifo(QStringLiteral("img/pipe-a.png")).isEmpty());
    QVERIFY(!fifo(QStringLiteral("img/pipe-b.png")).isEmpty());
    // A PNG signature, then 2 GiB of nothing: larger than ImageInspector::kMaxFileBytes, and
    // sparse, so no disk is used. (Without the signature it is refused from its first bytes
    // as no image at all, which never reaches the size cap.)
    QFile big(m_dir.filePath(QStringLiteral("img/big.png")));
    QVERIFY(big.open(QIODevice::WriteOnly));
    QVERIFY(big.write("\x89PNG\r\n\x1a\n", 8) == 8);
    QVERIFY(big.resize(qint64(2) << 30));
}

void TestHostile::dataCheckRefusesSpecialFiles_data() {
    QTest::addColumn<QString>("source");
    QTest::addColumn<QString>("reason");
    QTest::newRow("FIFO named .csv")
        << m_dir.filePath(QStringLiteral("pipe.csv"))
        << QStringLiteral("is a FIFO (named pipe), not a regular file");
    QTest::newRow("FIFO named .png")
        << m_dir.filePath(QStringLiteral("pipe.png"))
        << QStringLiteral("is a FIFO (named pipe), not a regular file");
    QTest::newRow("/dev/zero") << QStringLiteral("/dev/zero")
                               << QStringLiteral("is a character device, not a regular file");
    QTest::newRow("/dev/urandom") << QStringLiteral("/dev/urandom")
                                  << QStringLiteral("is a character device, not a regular file");
}

void TestHostile::dataCheckRefusesSpecialFiles() {
    QFETCH(QString, source);
    QFETCH(QString, reason);
    const Result result = run({"data", "check", source});
    expectRefusal(result, QStringLiteral("data check"), source, reason);
    QCOMPARE(lastLine(result.err),
             QStringLiteral("torchcanvas data check: '%1' %2").arg(source, reason));
}

void TestHostile::dataCheckNamesFifoRow() {
    const QString csv = file(QStringLiteral("fifo-row.csv"), "images,labels\nimg/pipe-a.png,a\n");
    const Result result = run({"data", "check", csv});
    expectRefusal(result, QStringLiteral("data check"), QStringLiteral("'img/pipe-a.png'"),
                  QStringLiteral("line 2: 'img/pipe-a.png' is a FIFO (named pipe), not a regular "
                                 "file"));
    QVERIFY2(result.out.contains(QStringLiteral("%1:2: error: not-an-image: 'img/pipe-a.png' is a "
                                                "FIFO (named pipe), not a regular file")
                                     .arg(csv)),
             qPrintable(result.out));
}

void TestHostile::dataCheckAbsolutePathsStayBounded() {
    // Absolute paths to devices that never end, a FIFO and a file over the size limit: each
    // row is refused by its type or size before a byte is read, so memory stays flat.
    const QString big = m_dir.filePath(QStringLiteral("img/big.png"));
    const QString pipe = m_dir.filePath(QStringLiteral("img/pipe-b.png"));
    const QString csv =
        file(QStringLiteral("absolute.csv"),
             QStringLiteral("images,labels\n/dev/zero,a\n/dev/urandom,b\n%1,a\n%2,b\n")
                 .arg(pipe, big)
                 .toUtf8());
    const Result result = run({"data", "check", csv});
    expectRefusal(result, QStringLiteral("data check"), QStringLiteral("'/dev/zero'"),
                  QStringLiteral("none of the 4 rows can be used; line 2: '/dev/zero' is a "
                                 "character device"));
    for (const QString& expected :
         {QStringLiteral(":2: error: not-an-image: '/dev/zero' is a character device, not a "
                         "regular file"),
          QStringLiteral(":3: error: not-an-image: '/dev/urandom' is a character device, not a "
                         "regular file"),
          QStringLiteral(":4: error: not-an-image: '%1' is a FIFO (named pipe), not a regular "
                         "file")
              .arg(pipe),
          QStringLiteral(":5: error: unreadable-image: '%1' is larger than 1 GiB, the limit for "
                         "image files")
              .arg(big)})
        QVERIFY2(result.out.contains(csv + expected), qPrintable(result.out));
}

void TestHostile::trainNamesFifoRow() {
    const QString csv = file(QStringLiteral("train-fifo.csv"),
                             "images,labels\nimg/pipe-a.png,a\nimg/pipe-b.png,b\n");
    const QString project = file(QStringLiteral("fifo-row.tcproj"), projectJson(csv));
    const Result result = run({"train", project, "--out", m_dir.filePath(QStringLiteral("run1"))});
    expectRefusal(result, QStringLiteral("train"), QStringLiteral("'img/pipe-a.png'"),
                  QStringLiteral("is a FIFO (named pipe), not a regular file"));
}

void TestHostile::trainRefusesDeviceDataSet() {
    const QString project = file(QStringLiteral("dev-zero.tcproj"), projectJson("/dev/zero"));
    const Result result = run({"train", project, "--out", m_dir.filePath(QStringLiteral("run2"))});
    expectRefusal(result, QStringLiteral("train"), QStringLiteral("'/dev/zero'"),
                  QStringLiteral("is a character device, not a regular file"));
}

void TestHostile::trainRefusesHugeGraph() {
    // Input, 49,999 Dense layers, Output: one node over Project::MaxNodes, refused at load.
    const QString project =
        file(QStringLiteral("huge.tcproj"), projectJson(m_image, /*denseLayers=*/49'999));
    const Result result = run({"train", project, "--out", m_dir.filePath(QStringLiteral("run3"))});
    expectRefusal(result, QStringLiteral("train"), project,
                  QStringLiteral("the graph has 50001 nodes and 50000 links; TorchCanvas opens "
                                 "graphs of up to 50000 nodes"));
    const Result validate = run({"validate", project});
    expectRefusal(validate, QStringLiteral("validate"), project,
                  QStringLiteral("the graph has 50001 nodes"));
}

void TestHostile::twentyThousandNodesTrainAndResume() {
    // Input, 19,998 Dense layers, Output, on a 20-image data set. Every step is linear in the
    // graph's size (about 15 s for a whole run here); the guard only catches a hang.
    constexpr int kGuardMs = 300'000;
    const QString data = m_dir.filePath(QStringLiteral("demo"));
    const Result demo =
        tc::test::runTorchCanvas({"demo-data", data, "--benign", "10", "--malignant", "10",
                                  "--size", "32x32", "--patients", "4", "--quiet"});
    QVERIFY2(demo.exitCode == 0, qPrintable(demo.err));
    const QString project =
        file(QStringLiteral("nodes20000.tcproj"),
             projectJson(data + QStringLiteral("/dataset.csv"), /*denseLayers=*/19'998));

    const Result validate = tc::test::runTorchCanvas({"validate", project}, kGuardMs);
    QVERIFY2(validate.exitCode == 0, qPrintable(validate.err));
    QVERIFY2(validate.out.contains(QStringLiteral("Valid: 0 errors")), qPrintable(validate.out));

    const QString runDir = m_dir.filePath(QStringLiteral("run20000"));
    const QStringList train{"train", project, "--out", runDir, "--no-disk-cache"};
    const Result first = tc::test::runTorchCanvas(train + QStringList{"--epochs", "1"}, kGuardMs);
    QVERIFY2(!first.timedOut, "train hung");
    QVERIFY2(first.exitCode == 0, qPrintable(first.err));
    QVERIFY2(first.err.contains(QStringLiteral("… 19990 more …")), qPrintable(first.err));
    for (const char* name : {"checkpoint-last.pt", "checkpoint-best.pt", "report.json"})
        QVERIFY2(QFileInfo(runDir + QLatin1Char('/') + QLatin1String(name)).size() > 0, name);

    // The checkpoint of 39,996 tensors (and their optimizer state) reads back and continues.
    const Result resumed =
        tc::test::runTorchCanvas(train + QStringList{"--resume", "--epochs", "2"}, kGuardMs);
    QVERIFY2(!resumed.timedOut, "resume hung");
    QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.err));
    const QString output = resumed.out + resumed.err;
    QVERIFY2(output.contains(QStringLiteral("finished (completed) after 2 epoch(s)")),
             qPrintable(output));
}

void TestHostile::trainRefusesFifoProject() {
    const QString project = fifo(QStringLiteral("pipe.tcproj"));
    QVERIFY(!project.isEmpty());
    const Result result = run({"train", project, "--out", m_dir.filePath(QStringLiteral("run4"))});
    expectRefusal(result, QStringLiteral("train"), project,
                  QStringLiteral("is a FIFO (named pipe), not a regular file"));
}

void TestHostile::corpusSeedsAreAnswered_data() {
    // tests/fuzz/corpus/<target>/: csv files go to `data check`, projects to `train`, images
    // to `data check` through a CSV next to a readable image. Seeds named valid-* are sound
    // (a fuzzer mutates them) and pass; every other seed is hostile and must be refused.
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<bool>("valid");
    const QDir corpus(QStringLiteral(TORCHCANVAS_SOURCE_DIR "/tests/fuzz/corpus"));
    int seeds = 0;
    for (const QString& target :
         {QStringLiteral("csv"), QStringLiteral("project"), QStringLiteral("image")}) {
        const QDir folder(corpus.filePath(target));
        for (const QFileInfo& seed : folder.entryInfoList(QDir::Files, QDir::Name)) {
            QStringList arguments;
            if (target == QLatin1String("csv")) {
                arguments = {"data", "check", seed.absoluteFilePath()};
            } else if (target == QLatin1String("project")) {
                arguments = {"train", seed.absoluteFilePath(), "--out",
                             m_dir.filePath(QStringLiteral("corpus-run-") + seed.baseName())};
            } else {
                const QString csv = file(QStringLiteral("corpus-%1.csv").arg(seed.baseName()),
                                         QStringLiteral("images,labels\n%1,a\n%2,b\n")
                                             .arg(seed.absoluteFilePath(), m_image)
                                             .toUtf8());
                arguments = {"data", "check", csv};
            }
            QTest::newRow(qPrintable(target + QLatin1Char('/') + seed.fileName()))
                << arguments << seed.fileName().startsWith(QLatin1String("valid-"));
            ++seeds;
        }
    }
    QVERIFY2(seeds >= 9, "the corpus is missing");
}

void TestHostile::corpusSeedsAreAnswered() {
    QFETCH(QStringList, arguments);
    QFETCH(bool, valid);
    const Result result = run(arguments);
    QVERIFY2(!result.timedOut, "hung: killed after 10 s");
    if (valid) {
        QVERIFY2(result.exitCode == 0, qPrintable(result.err));
        return;
    }
    QVERIFY2(
        result.exitCode > 0,
        qPrintable(QStringLiteral("exit %1, stderr: %2").arg(result.exitCode).arg(result.err)));
    QVERIFY2(!result.err.contains(QStringLiteral("terminate called")), qPrintable(result.err));
    QVERIFY2(lastLine(result.err).startsWith(QStringLiteral("torchcanvas ")),
             qPrintable(result.err));
}

QTEST_GUILESS_MAIN(TestHostile)
#include "tst_hostile.moc"
