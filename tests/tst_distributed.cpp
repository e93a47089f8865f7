// Data-parallel training on c10d (Gloo over 127.0.0.1): two ranks follow the trajectory of
// one process at the same global batch (metrics.csv and the final weights to 1e-5, fp32),
// a resume may change the world size, a rank that dies is named by the survivor within the
// time limit, and the torchrun environment is read strictly.

#include "core/data/Batcher.h"
#include "core/nn/SafeTensors.h"
#include "core/train/Distributed.h"
#include "core/train/GradientReducer.h"
#include "TrainingTestSupport.h"

#include <arpa/inet.h>
#include <csignal>
#include <netinet/in.h>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QProcess>
#include <QtTest>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace {

/// Relative tolerance of the equality between 1 × batch 32 and 2 × 16 (fp32).
constexpr double kTolerance = 1e-5;
/// The survivor of a killed rank must exit within this (the limit).
constexpr int kLostRankLimitMs = 60'000;

struct Result {
    int exitCode = -1;
    QString out;
    QString err;
};

QProcessEnvironment fp32Environment() {
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("TORCHCANVAS_PRECISION"), QStringLiteral("fp32"));
    // One thread per rank: both ranks of the test share the machine's cores.
    environment.insert(QStringLiteral("TORCHCANVAS_THREADS"), QStringLiteral("1"));
    for (const char* name : {"RANK", "LOCAL_RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"})
        environment.remove(QLatin1String(name));
    return environment;
}

Result run(const QStringList& arguments, const QProcessEnvironment& environment,
           int timeoutMs = 150'000) {
    QProcess process;
    process.setProcessEnvironment(environment);
    process.start(QStringLiteral(TORCHCANVAS_BINARY), arguments);
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
    }
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            QString::fromUtf8(process.readAllStandardOutput()),
            QString::fromUtf8(process.readAllStandardError())};
}

/// metrics.csv as rows of fields (header first).
QList<QStringList> readCsv(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
        return {};
    QList<QStringList> rows;
    for (const QString& line :
         QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts))
        rows << line.split(QLatin1Char(','));
    return rows;
}

bool agrees(double a, double b) {
    return std::abs(a - b) <= kTolerance * std::max(std::abs(a), std::abs(b));
}

/// Every number of metrics.csv but the wall-clock seconds agrees; a message otherwise.
QString compareMetrics(const QString& expectedPath, const QString& actualPath) {
    const QList<QStringList> expected = readCsv(expectedPath);
    const QList<QStringList> actual = readCsv(actualPath);
    if (expected.size() < 2 || expected.size() != actual.size())
        return QStringLiteral("%1 rows vs %2").arg(expected.size()).arg(actual.size());
    if (expected.front() != actual.front())
        return QStringLiteral("headers differ");
    const int seconds = int(expected.front().indexOf(QStringLiteral("seconds")));
    for (int r = 1; r < expected.size(); ++r) {
        for (int c = 0; c < expected[r].size(); ++c) {
            if (c == seconds || expected[r][c] == actual[r][c])
                continue;
            bool okA = false, okB = false;
            const double a = expected[r][c].toDouble(&okA);
            const double b = actual[r][c].toDouble(&okB);
            if (!okA || !okB || !agrees(a, b))
                return QStringLiteral("epoch %1, %2: %3 vs %4")
                    .arg(r)
                    .arg(expected.front()[c], expected[r][c], actual[r][c]);
        }
    }
    return {};
}

/// The head's tensors in a checkpoint agree (relative to each tensor's norm); a message
/// otherwise. `compared` receives how many were compared.
QString compareHeads(const QString& expectedPath, const QString& actualPath, int* compared) {
    QString error;
    const auto expected = tc::nn::readSafeTensors(expectedPath, &error);
    if (!expected)
        return error;
    const auto actual = tc::nn::readSafeTensors(actualPath, &error);
    if (!actual)
        return error;
    *compared = 0;
    for (const auto& item : *expected) {
        if (item.key().rfind("head.", 0) != 0)
            continue;
        const torch::Tensor* other = actual->find(item.key());
        if (!other)
            return QStringLiteral("%1 missing").arg(QString::fromStdString(item.key()));
        const torch::Tensor a = item.value().to(torch::kFloat64);
        const torch::Tensor b = other->to(torch::kFloat64);
        const double difference = (a - b).norm().item<double>();
        const double scale = std::max(a.norm().item<double>(), b.norm().item<double>());
        if (difference > kTolerance * scale)
            return QStringLiteral("%1 differs: |a - b| = %2, |a| = %3")
                .arg(QString::fromStdString(item.key()))
                .arg(difference)
                .arg(scale);
        ++*compared;
    }
    return {};
}

/// A port nothing listens on at 127.0.0.1 (0 when none was found).
int freeLoopbackPort() {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    int port = 0;
    if (fd >= 0 && bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
        getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0)
        port = ntohs(address.sin_port);
    if (fd >= 0)
        ::close(fd);
    return port;
}

/// Waits (without a fixed sleep) until `process` has written `marker` to stderr, keeping what
/// it read in `seen`; false when it ends or `timeoutMs` passes first.
bool waitForMarker(QProcess& process, const QString& marker, QString* seen, int timeoutMs) {
    QElapsedTimer clock;
    clock.start();
    while (!seen->contains(marker)) {
        if (process.state() == QProcess::NotRunning || clock.elapsed() > timeoutMs)
            return false;
        process.waitForReadyRead(500);
        *seen += QString::fromUtf8(process.readAllStandardError());
    }
    return true;
}

} // namespace

class TestDistributed : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void shardsPartitionEveryGlobalBatch_data();
    void shardsPartitionEveryGlobalBatch();
    void readsTheTorchrunEnvironment();
    void gradientsAreSummedInBucketsDuringBackward();
    void refusesBadEnvironments_data();
    void refusesBadEnvironments();
    void twoRanksFollowTheSingleProcessTrajectory();
    void resumesWithAnotherWorldSize();
    void frozenBackboneFeaturesAreShardedThenGathered();
    void lostRankStopsTheOthers();

private:
    QString writeProject(const QString& name, int epochs);
    QTemporaryDir m_dir;
    QString m_csv;
    QString m_project;
    QString m_single;
};

void TestDistributed::initTestCase() {
    QVERIFY(m_dir.isValid());
    // 100 images: about 60 in training, so that an epoch holds a full global batch of 32 and
    // a partial one, which the two ranks split unevenly.
    m_csv = tc::testing::generateTinyDemo(m_dir.filePath(QStringLiteral("demo")), 40, 60);
    QVERIFY(!m_csv.isEmpty());
    m_project = writeProject(QStringLiteral("finetune.tcproj"), 2);
    QVERIFY(!m_project.isEmpty());

    // The reference: one process, global batch 32.
    m_single = m_dir.filePath(QStringLiteral("single"));
    const Result single = run({QStringLiteral("train"), m_project, QStringLiteral("--out"),
                               m_single, QStringLiteral("--no-disk-cache")},
                              fp32Environment());
    QVERIFY2(single.exitCode == 0, qPrintable(single.err));
}

/// Input 64×64 → ResNet18 (random weights, layer4 trainable, so batch norms train) → Dense 2
/// softmax, split 60/25/15 by patient, SGD, batch 32 (the global batch), fp32.
QString TestDistributed::writeProject(const QString& name, int epochs) {
    tc::graph::Project project;
    auto& graph = project.graph();
    const int input = graph.addNode(QStringLiteral("Input"), {},
                                    {{QStringLiteral("channels"), 3},
                                     {QStringLiteral("height"), 64},
                                     {QStringLiteral("width"), 64}});
    const int resnet = graph.addNode(QStringLiteral("ResNet"), {},
                                     {{QStringLiteral("variant"), QStringLiteral("18")},
                                      {QStringLiteral("pretrained"), QStringLiteral("none")},
                                      {QStringLiteral("trainable"), QStringLiteral("last_stages")},
                                      {QStringLiteral("trainableStages"), 1},
                                      {QStringLiteral("pooling"), QStringLiteral("avg")}});
    const int dense = graph.addNode(
        QStringLiteral("Dense"), {},
        {{QStringLiteral("units"), 2}, {QStringLiteral("activation"), QStringLiteral("softmax")}});
    const int output = graph.addNode(QStringLiteral("Output"));
    graph.addLink({input, 0}, {resnet, 0});
    graph.addLink({resnet, 0}, {dense, 0});
    graph.addLink({dense, 0}, {output, 0});
    tc::testing::setTinyDataSections(project, m_csv);
    // SGD with momentum: its steps are proportional to the gradients, so the trajectories
    // agree to rounding. Adam's first steps are lr·sign(g), which turns the rounding noise of
    // a summed gradient (16 + 16 rows instead of 32) into ±lr jumps where a gradient is near
    // zero: with Adam the two runs agree to 1e-7 at step 1 but only to ~3e-4 by step 4, as
    // any change of summation order would (docs/DISTRIBUTED.md).
    project.setTraining({{QStringLiteral("epochs"), epochs},
                         {QStringLiteral("batchSize"), 32},
                         {QStringLiteral("optimizer"), QStringLiteral("sgd")},
                         {QStringLiteral("momentum"), 0.9},
                         {QStringLiteral("learningRate"), 1e-2},
                         {QStringLiteral("precision"), QStringLiteral("fp32")}});
    const QString path = m_dir.filePath(name);
    QString error;
    if (!project.save(path, &error)) {
        qWarning() << error;
        return {};
    }
    return path;
}

void TestDistributed::shardsPartitionEveryGlobalBatch_data() {
    QTest::addColumn<int>("rows");
    QTest::addColumn<int>("ranks");
    QTest::newRow("32 over 2") << 32 << 2;
    QTest::newRow("29 over 2") << 29 << 2;
    QTest::newRow("5 over 3") << 5 << 3;
    QTest::newRow("1 over 4") << 1 << 4;
}

void TestDistributed::shardsPartitionEveryGlobalBatch() {
    QFETCH(int, rows);
    QFETCH(int, ranks);
    const std::int64_t begin = 64;
    std::int64_t next = begin;
    for (int rank = 0; rank < ranks; ++rank) {
        const auto [first, last] = tc::data::shardRange(begin, begin + rows, rank, ranks);
        QCOMPARE(first, next); // contiguous, in rank order, nothing left out or repeated
        QVERIFY(last - first == rows / ranks || last - first == rows / ranks + 1);
        next = last;
    }
    QCOMPARE(next, begin + rows);
}

void TestDistributed::readsTheTorchrunEnvironment() {
    QString error;
    QProcessEnvironment environment;
    auto alone = tc::train::DistributedConfig::fromEnvironment(environment, &error);
    QVERIFY(alone);
    QVERIFY(!alone->distributed());

    environment.insert(QStringLiteral("RANK"), QStringLiteral("3"));
    environment.insert(QStringLiteral("LOCAL_RANK"), QStringLiteral("1"));
    environment.insert(QStringLiteral("WORLD_SIZE"), QStringLiteral("4"));
    environment.insert(QStringLiteral("MASTER_ADDR"), QStringLiteral("10.0.0.7"));
    environment.insert(QStringLiteral("MASTER_PORT"), QStringLiteral("29511"));
    environment.insert(QStringLiteral("TORCHCANVAS_DIST_TIMEOUT"), QStringLiteral("12"));
    const auto config = tc::train::DistributedConfig::fromEnvironment(environment, &error);
    QVERIFY2(config, qPrintable(error));
    QVERIFY(config->distributed());
    QCOMPARE(config->rank, 3);
    QCOMPARE(config->localRank, 1);
    QCOMPARE(config->worldSize, 4);
    QCOMPARE(config->masterAddress, QStringLiteral("10.0.0.7"));
    QCOMPARE(config->masterPort, 29511);
    QCOMPARE(config->timeout.count(), 12);
}

void TestDistributed::gradientsAreSummedInBucketsDuringBackward() {
    // Two ranks in two threads of this process (a real TCPStore and Gloo group over
    // 127.0.0.1): each backpropagates its own batch through the same small network; after
    // finish() both hold the sum of the two ranks' gradients, and every bucket (tiny ones
    // here, so there are several) was sent from a gradient hook, during backward.
    const int port = freeLoopbackPort();
    QVERIFY(port > 0);
    auto network = [] {
        torch::manual_seed(7);
        return torch::nn::Sequential(torch::nn::Linear(6, 5), torch::nn::ReLU(),
                                     torch::nn::Linear(5, 4), torch::nn::ReLU(),
                                     torch::nn::Linear(4, 2));
    };
    auto batch = [](int rank) {
        torch::manual_seed(100 + rank);
        return torch::randn({3 + rank, 6});
    };
    // The expected sums, from plain local backward passes.
    std::vector<torch::Tensor> expected;
    for (int rank = 0; rank < 2; ++rank) {
        auto model = network();
        model->forward(batch(rank)).square().sum().backward();
        const auto parameters = model->parameters();
        for (size_t i = 0; i < parameters.size(); ++i) {
            if (rank == 0)
                expected.push_back(parameters[i].grad().clone());
            else
                expected[i] += parameters[i].grad();
        }
    }
    std::vector<torch::Tensor> gradients[2];
    int buckets[2] = {0, 0};
    int duringBackward[2] = {0, 0};
    QString errors[2];
    auto rankMain = [&](int rank) {
        try {
            tc::train::DistributedConfig config;
            config.rank = rank;
            config.worldSize = 2;
            config.masterPort = port;
            const auto group = tc::train::ProcessGroup::join(config);
            auto model = network();
            tc::train::GradientReducer reducer(model->parameters(), group,
                                               /*bucketBytes=*/64, /*firstBucketBytes=*/16);
            reducer.prepare();
            model->forward(batch(rank)).square().sum().backward();
            reducer.finish();
            for (const auto& parameter : model->parameters())
                gradients[rank].push_back(parameter.grad().clone());
            buckets[rank] = reducer.bucketCount();
            duringBackward[rank] = reducer.bucketsStartedDuringBackward();
            group->barrier();
        } catch (const std::exception& error) {
            errors[rank] = QString::fromUtf8(error.what());
        }
    };
    std::thread other(rankMain, 1);
    rankMain(0);
    other.join();
    QVERIFY2(errors[0].isEmpty() && errors[1].isEmpty(),
             qPrintable(errors[0] + QLatin1Char(' ') + errors[1]));
    QVERIFY(buckets[0] >= 3);
    QCOMPARE(duringBackward[0], buckets[0]);
    QCOMPARE(duringBackward[1], buckets[1]);
    for (int rank = 0; rank < 2; ++rank) {
        QCOMPARE(gradients[rank].size(), expected.size());
        for (size_t i = 0; i < expected.size(); ++i)
            QVERIFY2(torch::allclose(gradients[rank][i], expected[i], 1e-6, 1e-7),
                     qPrintable(QStringLiteral("rank %1, parameter %2").arg(rank).arg(i)));
    }
}

void TestDistributed::refusesBadEnvironments_data() {
    QTest::addColumn<QStringList>("variables");
    QTest::addColumn<QString>("named");
    const QStringList good{"RANK=0", "WORLD_SIZE=2", "MASTER_ADDR=127.0.0.1", "MASTER_PORT=29500"};
    auto with = [&](const QString& variable) {
        QStringList variables = good;
        const QString name = variable.section(QLatin1Char('='), 0, 0);
        variables.erase(
            std::remove_if(variables.begin(), variables.end(),
                           [&](const QString& v) { return v.startsWith(name + QLatin1Char('=')); }),
            variables.end());
        if (variable.contains(QLatin1Char('=')))
            variables << variable;
        return variables;
    };
    QTest::newRow("rank beyond world") << with(QStringLiteral("RANK=2")) << "RANK";
    QTest::newRow("negative rank") << with(QStringLiteral("RANK=-1")) << "RANK";
    QTest::newRow("no rank") << with(QStringLiteral("RANK")) << "RANK";
    QTest::newRow("no master") << with(QStringLiteral("MASTER_ADDR")) << "MASTER_ADDR";
    QTest::newRow("bad port") << with(QStringLiteral("MASTER_PORT=70000")) << "MASTER_PORT";
    QTest::newRow("word size") << with(QStringLiteral("WORLD_SIZE=two")) << "WORLD_SIZE";
    QTest::newRow("zero timeout") << with(QStringLiteral("TORCHCANVAS_DIST_TIMEOUT=0"))
                                  << "TORCHCANVAS_DIST_TIMEOUT";
}

void TestDistributed::refusesBadEnvironments() {
    QFETCH(QStringList, variables);
    QFETCH(QString, named);
    QProcessEnvironment environment;
    for (const QString& variable : variables)
        environment.insert(variable.section(QLatin1Char('='), 0, 0),
                           variable.section(QLatin1Char('='), 1));
    QString error;
    QVERIFY(!tc::train::DistributedConfig::fromEnvironment(environment, &error));
    QVERIFY2(error.contains(named), qPrintable(error));
}

void TestDistributed::twoRanksFollowTheSingleProcessTrajectory() {
    const QString out = m_dir.filePath(QStringLiteral("two-ranks"));
    const Result result =
        run({QStringLiteral("train"), m_project, QStringLiteral("--out"), out,
             QStringLiteral("--no-disk-cache"), QStringLiteral("--nproc"), QStringLiteral("2")},
            fp32Environment());
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));
    QVERIFY2(result.err.contains(QStringLiteral("distributed: 2 ranks (gloo)")),
             qPrintable(result.err));

    const QString metrics = compareMetrics(m_single + QStringLiteral("/metrics.csv"),
                                           out + QStringLiteral("/metrics.csv"));
    QVERIFY2(metrics.isEmpty(), qPrintable(metrics));
    int compared = 0;
    const QString weights = compareHeads(m_single + QStringLiteral("/checkpoint-last.pt"),
                                         out + QStringLiteral("/checkpoint-last.pt"), &compared);
    QVERIFY2(weights.isEmpty(), qPrintable(weights));
    QVERIFY(compared > 60); // every ResNet18 tensor, layer4's batch-norm statistics included

    // Rank 0 alone wrote the run; the report says how it was trained.
    QFile reportFile(out + QStringLiteral("/report.json"));
    QVERIFY(reportFile.open(QIODevice::ReadOnly));
    const QJsonObject report = QJsonDocument::fromJson(reportFile.readAll()).object();
    const QJsonObject distributed = report.value(QStringLiteral("distributed")).toObject();
    QCOMPARE(distributed.value(QStringLiteral("worldSize")).toInt(), 2);
    QCOMPARE(distributed.value(QStringLiteral("backend")).toString(), QStringLiteral("gloo"));
}

void TestDistributed::resumesWithAnotherWorldSize() {
    // One epoch on two ranks, the second in one process: the single run's trajectory.
    const QString out = m_dir.filePath(QStringLiteral("resumed"));
    const Result first = run({QStringLiteral("train"), m_project, QStringLiteral("--out"), out,
                              QStringLiteral("--no-disk-cache"), QStringLiteral("--epochs"),
                              QStringLiteral("1"), QStringLiteral("--nproc"), QStringLiteral("2")},
                             fp32Environment());
    QVERIFY2(first.exitCode == 0, qPrintable(first.err));
    const Result second = run({QStringLiteral("train"), m_project, QStringLiteral("--out"), out,
                               QStringLiteral("--no-disk-cache"), QStringLiteral("--resume")},
                              fp32Environment());
    QVERIFY2(second.exitCode == 0, qPrintable(second.err));
    const QString metrics = compareMetrics(m_single + QStringLiteral("/metrics.csv"),
                                           out + QStringLiteral("/metrics.csv"));
    QVERIFY2(metrics.isEmpty(), qPrintable(metrics));
    int compared = 0;
    const QString weights = compareHeads(m_single + QStringLiteral("/checkpoint-last.pt"),
                                         out + QStringLiteral("/checkpoint-last.pt"), &compared);
    QVERIFY2(weights.isEmpty(), qPrintable(weights));
}

void TestDistributed::frozenBackboneFeaturesAreShardedThenGathered() {
    // Frozen ResNet18 → Dense 16 ReLU → Dense 2: each rank computes the backbone features of
    // its half of every split, then all ranks hold all of them and the head trains on them.
    const QString project = tc::testing::writeTinyProject(
        m_dir.filePath(QStringLiteral("frozen.tcproj")), m_csv, /*hiddenUnits=*/16,
        {{QStringLiteral("optimizer"), QStringLiteral("sgd")},
         {QStringLiteral("learningRate"), 0.05},
         {QStringLiteral("batchSize"), 16}});
    QVERIFY(!project.isEmpty());
    const QString noWeights = m_dir.filePath(QStringLiteral("no-weights"));
    auto train = [&](const QString& out, const QStringList& extra) {
        return run(QStringList{QStringLiteral("train"), project, QStringLiteral("--out"), out,
                               QStringLiteral("--no-disk-cache"), QStringLiteral("--weights-dir"),
                               noWeights} +
                       extra,
                   fp32Environment());
    };
    const QString singleOut = m_dir.filePath(QStringLiteral("frozen-single"));
    const QString twoOut = m_dir.filePath(QStringLiteral("frozen-two"));
    const Result single = train(singleOut, {});
    QVERIFY2(single.exitCode == 0, qPrintable(single.err));
    const Result two = train(twoOut, {QStringLiteral("--nproc"), QStringLiteral("2")});
    QVERIFY2(two.exitCode == 0, qPrintable(two.err));

    // Rank 0 computed only its share of the 100 images' features.
    static const QRegularExpression caching(QStringLiteral("\\[caching features\\] (\\d+)/(\\d+)"));
    auto cachedTotal = [](const QString& err) {
        int total = -1;
        for (auto it = caching.globalMatch(err); it.hasNext();)
            total = it.next().captured(2).toInt();
        return total;
    };
    QCOMPARE(cachedTotal(single.err), 100);
    const int share = cachedTotal(two.err);
    QVERIFY2(share >= 48 && share <= 52, qPrintable(two.err));

    const QString metrics = compareMetrics(singleOut + QStringLiteral("/metrics.csv"),
                                           twoOut + QStringLiteral("/metrics.csv"));
    QVERIFY2(metrics.isEmpty(), qPrintable(metrics));
    int compared = 0;
    const QString weights = compareHeads(singleOut + QStringLiteral("/checkpoint-last.pt"),
                                         twoOut + QStringLiteral("/checkpoint-last.pt"), &compared);
    QVERIFY2(weights.isEmpty(), qPrintable(weights));
    QCOMPARE(compared, 4); // two Dense layers' weights and biases
}

void TestDistributed::lostRankStopsTheOthers() {
    // Two ranks started by hand with torchrun's variables; rank 1 is killed once training
    // runs. Rank 0 must exit non-zero, naming rank 1, well within the limit.
    const QString project = writeProject(QStringLiteral("long.tcproj"), 200);
    QVERIFY(!project.isEmpty());
    const QString out = m_dir.filePath(QStringLiteral("killed"));
    const QString port = QString::number(freeLoopbackPort());
    QVERIFY(port != QLatin1String("0"));

    QProcess ranks[2];
    for (int rank = 0; rank < 2; ++rank) {
        QProcessEnvironment environment = fp32Environment();
        environment.insert(QStringLiteral("RANK"), QString::number(rank));
        environment.insert(QStringLiteral("LOCAL_RANK"), QString::number(rank));
        environment.insert(QStringLiteral("WORLD_SIZE"), QStringLiteral("2"));
        environment.insert(QStringLiteral("MASTER_ADDR"), QStringLiteral("127.0.0.1"));
        environment.insert(QStringLiteral("MASTER_PORT"), port);
        ranks[rank].setProcessEnvironment(environment);
        ranks[rank].start(QStringLiteral(TORCHCANVAS_BINARY),
                          {QStringLiteral("train"), project, QStringLiteral("--out"), out,
                           QStringLiteral("--no-disk-cache")});
    }
    QString leaderErr;
    const bool training =
        waitForMarker(ranks[0], QStringLiteral("epoch 1/200"), &leaderErr, 120'000);
    if (!training) {
        ranks[1].kill();
        ranks[0].kill();
    }
    QVERIFY2(training, qPrintable(leaderErr));

    QElapsedTimer sinceKill;
    sinceKill.start();
    ::kill(static_cast<pid_t>(ranks[1].processId()), SIGKILL);
    QVERIFY(ranks[1].waitForFinished(10'000));
    const bool ended = ranks[0].waitForFinished(kLostRankLimitMs);
    if (!ended)
        ranks[0].kill();
    ranks[0].waitForFinished();
    leaderErr += QString::fromUtf8(ranks[0].readAllStandardError());
    QVERIFY2(ended, "rank 0 was still running 60 s after rank 1 died");
    QVERIFY(sinceKill.elapsed() < kLostRankLimitMs);
    QCOMPARE(ranks[0].exitStatus(), QProcess::NormalExit);
    QVERIFY(ranks[0].exitCode() != 0);
    QVERIFY2(leaderErr.contains(QStringLiteral("lost rank 1")), qPrintable(leaderErr));
}

QTEST_GUILESS_MAIN(TestDistributed)
#include "tst_distributed.moc"
