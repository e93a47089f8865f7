// Weight files: torchvision checkpoints written by torch.save load through the restricted
// reader and give torchvision's numbers; strict matching names every problem; hostile,
// truncated and mutated files give a message, never a crash; .safetensors round-trips.

#include "core/nn/ResNet.h"
#include "core/nn/RestrictedUnpickler.h"
#include "core/nn/SafeTensors.h"
#include "core/nn/StateDict.h"
#include "core/nn/TorchCheckpoint.h"
#include "core/nn/ZipArchive.h"
#include "tools/NnTestSupport.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>
#include <random>

using namespace tc::nn;
using tc::test::freshDirectory;
using tc::test::readFloats;
using tc::test::relativeError;
using tc::test::runOracle;

namespace {

/// The bound for fp32 outputs against torchvision.
constexpr double kFp32Tolerance = 1e-4;

QByteArray readAll(const QString& path) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

bool writeAll(const QString& path, const QByteArray& bytes) {
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) &&
           file.write(bytes) == bytes.size();
}

/// Random edits of the kinds that find parser bugs: flipped bits, "interesting" bytes,
/// insertions, deletions, truncation and copied chunks.
QByteArray mutate(QByteArray bytes, std::mt19937& random) {
    std::uniform_int_distribution<int> kindOf(0, 6);
    const int edits = 1 + static_cast<int>(random() % 4);
    for (int edit = 0; edit < edits && !bytes.isEmpty(); ++edit) {
        const qsizetype at =
            static_cast<qsizetype>(random() % static_cast<std::uint32_t>(bytes.size()));
        switch (kindOf(random)) {
        case 0:
            bytes[at] = static_cast<char>(bytes[at] ^ (1 << (random() % 8)));
            break;
        case 1: {
            static const char interesting[] = {
                0, 1, 0x7f, static_cast<char>(0x80), static_cast<char>(0xff), '.', '(', 'q', 'h'};
            bytes[at] = interesting[random() % sizeof interesting];
            break;
        }
        case 2:
            bytes[at] = static_cast<char>(random() & 0xff);
            break;
        case 3:
            bytes.insert(at, static_cast<char>(random() & 0xff));
            break;
        case 4:
            bytes.remove(at, 1 + static_cast<qsizetype>(random() % 8));
            break;
        case 5:
            bytes.truncate(at);
            break;
        case 6: {
            const qsizetype from =
                static_cast<qsizetype>(random() % static_cast<std::uint32_t>(bytes.size()));
            const QByteArray chunk = bytes.mid(from, 1 + static_cast<qsizetype>(random() % 16));
            bytes.insert(at, chunk);
            break;
        }
        }
    }
    return bytes;
}

} // namespace

class TestWeightFiles : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void torchvisionCheckpointGivesTorchvisionOutputs_data();
    void torchvisionCheckpointGivesTorchvisionOutputs();
    void toplessBackboneIgnoresFc();
    void strictMatchingNamesEveryProblem();
    void halfPrecisionFileLoadsIntoFloatModel();
    void badFiles_data();
    void badFiles();
    void everyTruncationFails();
    void safeTensorsRoundTrip();
    void safeTensorsReadByPython();
    void resnetThroughSafeTensors();
    void fuzzUnpickler();
    void fuzzCheckpointFiles();
    void fuzzSafeTensors();

private:
    QString root_;
    QString badDirectory_;
    QJsonArray manifest_;
};

void TestWeightFiles::initTestCase() {
    root_ = freshDirectory(QStringLiteral("weightfiles"));
    badDirectory_ = root_ + QStringLiteral("/bad");
    QString failure = runOracle(QStringLiteral("make_bad_weights.py"), {badDirectory_});
    QVERIFY2(failure.isEmpty(), qPrintable(failure));
    manifest_ =
        QJsonDocument::fromJson(readAll(badDirectory_ + QStringLiteral("/manifest.json"))).array();
    QVERIFY(manifest_.size() > 30);
    for (const char* depth : {"18", "50"}) {
        failure =
            runOracle(QStringLiteral("resnet_oracle.py"),
                      {QStringLiteral("make"), QLatin1String(depth),
                       root_ + QStringLiteral("/resnet") + QLatin1String(depth),
                       QStringLiteral("--batch"), QStringLiteral("2"), QStringLiteral("--height"),
                       QStringLiteral("128"), QStringLiteral("--width"), QStringLiteral("112")});
        QVERIFY2(failure.isEmpty(), qPrintable(failure));
    }
}

void TestWeightFiles::torchvisionCheckpointGivesTorchvisionOutputs_data() {
    QTest::addColumn<int>("depth");
    QTest::newRow("resnet18") << 18;
    QTest::newRow("resnet50") << 50;
}

void TestWeightFiles::torchvisionCheckpointGivesTorchvisionOutputs() {
    QFETCH(int, depth);
    const QString folder = root_ + QStringLiteral("/resnet%1").arg(depth);
    QString error;
    const std::optional<StateDict> tensors =
        readTorchCheckpoint(folder + QStringLiteral("/weights.pth"), &error);
    QVERIFY2(tensors, qPrintable(error));

    ResNetOptions options;
    options.depth = *resNetDepthFromNumber(depth);
    ResNet model(options);
    const LoadReport report = loadStateDict(*model, *tensors);
    QVERIFY2(report.ok(), qPrintable(report.summary()));
    QCOMPARE(report.copied, static_cast<int>(tensors->size()));
    QVERIFY(report.defaulted.isEmpty());
    // The integer buffers came through too (the oracle sets seed + channels).
    QCOMPARE(model->bn1->num_batches_tracked.item<std::int64_t>(), 1 + 64);

    model->eval();
    torch::NoGradGuard noGrad;
    const int channels = resNetFeatureChannels(options.depth);
    const torch::Tensor input = readFloats(folder + QStringLiteral("/input.bin"), {2, 3, 128, 112});
    const torch::Tensor logits = readFloats(folder + QStringLiteral("/logits.bin"), {2, 1000});
    const torch::Tensor featureMap =
        readFloats(folder + QStringLiteral("/featuremap.bin"), {2, channels, 4, 4});
    QVERIFY(input.defined() && logits.defined() && featureMap.defined());

    const double logitError = relativeError(model->forward(input), logits);
    qInfo("resnet%d logits: relative error %.2e", depth, logitError);
    QVERIFY2(logitError <= kFp32Tolerance, qPrintable(QString::number(logitError)));
    QVERIFY(relativeError(model->forwardFeatures(input), featureMap) <= kFp32Tolerance);

    // The same weights in topless models with each pooling.
    for (const Pooling pooling : {Pooling::Average, Pooling::Max, Pooling::None}) {
        ResNetOptions topless = options;
        topless.includeTop = false;
        topless.pooling = pooling;
        ResNet backbone(topless);
        QVERIFY(loadStateDict(*backbone, *tensors, {{QStringLiteral("fc.")}}).ok());
        backbone->eval();
        const torch::Tensor expected =
            pooling == Pooling::Average
                ? readFloats(folder + QStringLiteral("/avg.bin"), {2, channels})
            : pooling == Pooling::Max
                ? readFloats(folder + QStringLiteral("/max.bin"), {2, channels})
                : featureMap;
        const torch::Tensor actual = backbone->forward(input);
        QCOMPARE(actual.sizes(), expected.sizes());
        QVERIFY(relativeError(actual, expected) <= kFp32Tolerance);
    }
}

void TestWeightFiles::toplessBackboneIgnoresFc() {
    QString error;
    const std::optional<StateDict> tensors =
        readWeightsFile(root_ + QStringLiteral("/resnet18/weights.pth"), &error);
    QVERIFY2(tensors, qPrintable(error));
    ResNetOptions options;
    options.depth = ResNetDepth::ResNet18;
    options.includeTop = false;
    ResNet backbone(options);
    // Without the ignore rule fc.* is unexpected…
    LoadReport report = loadStateDict(*backbone, *tensors);
    QVERIFY(!report.ok());
    QCOMPARE(report.unexpected,
             (QStringList{QStringLiteral("fc.weight"), QStringLiteral("fc.bias")}));
    // …with it, the file loads and fc.* is listed as ignored.
    const WeightsStatus status =
        loadResNetWeights(*backbone, root_ + QStringLiteral("/resnet18/weights.pth"));
    QVERIFY2(status.isPretrained(), qPrintable(status.summary()));
    QVERIFY(status.summary().contains(QStringLiteral("ImageNet weights from")));
    QVERIFY(torch::equal(backbone->conv1->weight, (*tensors)["conv1.weight"]));
}

void TestWeightFiles::strictMatchingNamesEveryProblem() {
    QString error;
    const std::optional<StateDict> tensors =
        readWeightsFile(root_ + QStringLiteral("/resnet18/weights.pth"), &error);
    QVERIFY2(tensors, qPrintable(error));

    // ResNet34 has more blocks: missing names.
    ResNetOptions options;
    options.depth = ResNetDepth::ResNet34;
    ResNet resnet34(options);
    const torch::Tensor before = resnet34->conv1->weight.clone();
    LoadReport report = loadStateDict(*resnet34, *tensors);
    QVERIFY(!report.ok());
    QVERIFY(report.missing.contains(QStringLiteral("layer1.2.conv1.weight")));
    QVERIFY(report.missing.contains(QStringLiteral("layer3.5.bn2.running_var")));
    QVERIFY(report.unexpected.isEmpty());
    QVERIFY(report.mismatched.isEmpty());
    QCOMPARE(report.copied, 0);
    QVERIFY2(torch::equal(resnet34->conv1->weight, before),
             "a failed strict load changed the model");
    QVERIFY(report.summary().contains(QStringLiteral("missing: layer1.2.conv1.weight")));

    // ResNet50 (bottlenecks): wrong shapes and unknown names, listed with both shapes.
    options.depth = ResNetDepth::ResNet50;
    ResNet resnet50(options);
    report = loadStateDict(*resnet50, *tensors);
    QVERIFY(report.mismatched.contains(
        QStringLiteral("layer1.0.conv1.weight: file [64, 64, 3, 3], model [64, 64, 1, 1]")));
    QVERIFY(report.mismatched.contains(
        QStringLiteral("fc.weight: file [1000, 512], model [1000, 2048]")));
    QVERIFY(report.missing.contains(QStringLiteral("layer1.0.conv3.weight")));
    QVERIFY(report.unexpected.isEmpty()); // every resnet18 name exists in resnet50

    // A state dict with an extra tensor: unexpected.
    StateDict extra = *tensors;
    extra.insert("layer9.weight", torch::zeros({1}));
    options.depth = ResNetDepth::ResNet18;
    ResNet resnet18(options);
    report = loadStateDict(*resnet18, extra);
    QCOMPARE(report.unexpected, QStringList{QStringLiteral("layer9.weight")});
    QCOMPARE(report.copied, 0);
    // And through the ResNet helper: the status carries the summary.
    const WeightsStatus status =
        loadResNetWeights(*resnet50, root_ + QStringLiteral("/resnet18/weights.pth"));
    QCOMPARE(status.state, WeightsStatus::State::RandomLoadFailed);
    QVERIFY2(status.summary().contains(QStringLiteral("RANDOMLY INITIALISED")),
             qPrintable(status.summary()));
    QVERIFY(status.summary().contains(QStringLiteral("wrong shape")));
}

void TestWeightFiles::halfPrecisionFileLoadsIntoFloatModel() {
    ResNetOptions options;
    options.depth = ResNetDepth::ResNet18;
    ResNet source(options);
    StateDict half;
    for (const auto& item : source->named_parameters())
        half.insert(item.key(), item.value().detach().to(torch::kFloat16));
    for (const auto& item : source->named_buffers())
        half.insert(item.key(), item.value().detach());
    ResNet target(options);
    const LoadReport report = loadStateDict(*target, half);
    QVERIFY2(report.ok(), qPrintable(report.summary()));
    QCOMPARE(target->fc->weight.scalar_type(), torch::kFloat32);
    QVERIFY(torch::allclose(target->fc->weight, source->fc->weight, 0, 1e-3));
}

void TestWeightFiles::badFiles_data() {
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("error");
    QTest::addColumn<QJsonObject>("tensors");
    for (const QJsonValue& entry : manifest_) {
        const QJsonObject object = entry.toObject();
        const QString file = object.value(QLatin1String("file")).toString();
        QTest::newRow(qPrintable(file)) << file << object.value(QLatin1String("error")).toString()
                                        << object.value(QLatin1String("tensors")).toObject();
    }
}

void TestWeightFiles::badFiles() {
    QFETCH(QString, file);
    QFETCH(QString, error);
    QFETCH(QJsonObject, tensors);
    const QString path = badDirectory_ + QLatin1Char('/') + file;
    QString message;
    const std::optional<StateDict> result = readWeightsFile(path, &message);
    if (!error.isEmpty()) {
        QVERIFY2(!result, "a bad file was accepted");
        QVERIFY2(message.contains(error), qPrintable(message));
        QVERIFY2(message.startsWith(path), qPrintable(message)); // names the file
        QVERIFY(!message.contains(QLatin1Char('\n')));
        return;
    }
    QVERIFY2(result, qPrintable(message));
    QCOMPARE(static_cast<int>(result->size()), tensors.size());
    for (auto it = tensors.begin(); it != tensors.end(); ++it) {
        const torch::Tensor* tensor = result->find(it.key().toStdString());
        QVERIFY2(tensor, qPrintable(it.key()));
        const QJsonObject expected = it.value().toObject();
        std::vector<std::int64_t> shape;
        for (const QJsonValue& size : expected.value(QLatin1String("shape")).toArray())
            shape.push_back(size.toInt());
        QCOMPARE(tensor->sizes().vec(), shape);
        std::vector<float> values;
        for (const QJsonValue& value : expected.value(QLatin1String("values")).toArray())
            values.push_back(static_cast<float>(value.toDouble()));
        QVERIFY(torch::equal(tensor->to(torch::kFloat32).flatten(),
                             torch::tensor(values, torch::kFloat32)));
    }
}

void TestWeightFiles::everyTruncationFails() {
    const QByteArray whole = readAll(badDirectory_ + QStringLiteral("/checkpoint.pth"));
    QVERIFY(whole.size() > 500);
    const QString path = root_ + QStringLiteral("/truncated.pth");
    QString error;
    QVERIFY(writeAll(path, whole));
    QVERIFY2(readTorchCheckpoint(path, &error), qPrintable(error));
    for (qsizetype length = 0; length < whole.size(); ++length) {
        QVERIFY(writeAll(path, whole.left(length)));
        error.clear();
        const std::optional<StateDict> result = readTorchCheckpoint(path, &error);
        QVERIFY2(!result, qPrintable(QStringLiteral("accepted at %1 bytes").arg(length)));
        QVERIFY2(!error.isEmpty(),
                 qPrintable(QStringLiteral("no message at %1 bytes").arg(length)));
    }
}

void TestWeightFiles::safeTensorsRoundTrip() {
    StateDict tensors;
    tensors.insert("float", torch::randn({3, 4}));
    tensors.insert("double", torch::randn({2}, torch::kFloat64));
    tensors.insert("half", torch::randn({5}).to(torch::kFloat16));
    tensors.insert("bfloat", torch::randn({2, 2}).to(torch::kBFloat16));
    tensors.insert("long", torch::arange(7, torch::kInt64));
    tensors.insert("int", torch::arange(3, torch::kInt32));
    tensors.insert("byte", torch::arange(9, torch::kUInt8));
    tensors.insert("bool", torch::tensor({true, false, true}));
    tensors.insert("scalar", torch::tensor(42.0));
    tensors.insert("empty", torch::zeros({0, 3}));
    tensors.insert("strided",
                   torch::arange(12, torch::kFloat32).view({3, 4}).t()); // not contiguous
    tensors.insert("name with \"quotes\"", torch::ones({1}));
    const QString path = root_ + QStringLiteral("/roundtrip.safetensors");
    QString error;
    QVERIFY2(
        writeSafeTensors(path, tensors, {{QStringLiteral("format"), QStringLiteral("pt")}}, &error),
        qPrintable(error));
    QMap<QString, QString> metadata;
    const std::optional<StateDict> read = readSafeTensors(path, &error, &metadata);
    QVERIFY2(read, qPrintable(error));
    QCOMPARE(metadata.value(QStringLiteral("format")), QStringLiteral("pt"));
    QCOMPARE(read->size(), tensors.size());
    // Data order is write order.
    QCOMPARE(read->keys(), tensors.keys());
    for (const auto& item : tensors) {
        const torch::Tensor* back = read->find(item.key());
        QVERIFY2(back, item.key().c_str());
        QCOMPARE(back->scalar_type(), item.value().scalar_type());
        QCOMPARE(back->sizes(), item.value().sizes());
        QVERIFY2(torch::equal(*back, item.value()), item.key().c_str());
    }
    QCOMPARE(detectWeightFileFormat(path), WeightFileFormat::SafeTensors);
    // The header is padded so that the data starts 8-byte aligned.
    const QByteArray bytes = readAll(path);
    std::uint64_t headerSize = 0;
    std::memcpy(&headerSize, bytes.constData(), 8);
    QCOMPARE((8 + headerSize) % 8, 0u);
}

void TestWeightFiles::safeTensorsReadByPython() {
    StateDict tensors;
    tensors.insert("conv.weight", torch::randn({8, 3, 3, 3}));
    tensors.insert("bn.num_batches_tracked", torch::tensor(17, torch::kInt64));
    tensors.insert("mask", torch::tensor({true, true, false}));
    const QString path = root_ + QStringLiteral("/forpython.safetensors");
    QString error;
    QVERIFY2(writeSafeTensors(path, tensors,
                              {{QStringLiteral("source"), QStringLiteral("TorchCanvas")}}, &error),
             qPrintable(error));
    QByteArray output;
    const QString failure = runOracle(QStringLiteral("check_safetensors.py"), {path}, &output);
    QVERIFY2(failure.isEmpty(), qPrintable(failure));
    const QJsonObject seen = QJsonDocument::fromJson(output).object();
    QCOMPARE(seen.value(QLatin1String("__metadata__"))
                 .toObject()
                 .value(QLatin1String("source"))
                 .toString(),
             QStringLiteral("TorchCanvas"));
    QCOMPARE(seen.value(QLatin1String("conv.weight"))
                 .toObject()
                 .value(QLatin1String("dtype"))
                 .toString(),
             QStringLiteral("F32"));
    QCOMPARE(
        seen.value(QLatin1String("conv.weight")).toObject().value(QLatin1String("sum")).toDouble(),
        tensors["conv.weight"].to(torch::kFloat64).sum().item<double>());
    QCOMPARE(seen.value(QLatin1String("bn.num_batches_tracked"))
                 .toObject()
                 .value(QLatin1String("sum"))
                 .toDouble(),
             17.0);
    QCOMPARE(seen.value(QLatin1String("mask")).toObject().value(QLatin1String("dtype")).toString(),
             QStringLiteral("BOOL"));
}

void TestWeightFiles::resnetThroughSafeTensors() {
    // torchvision's .pth → .safetensors (as timm publishes) → the same model.
    QString error;
    const std::optional<StateDict> tensors =
        readTorchCheckpoint(root_ + QStringLiteral("/resnet18/weights.pth"), &error);
    QVERIFY2(tensors, qPrintable(error));
    // timm's files leave out num_batches_tracked: that must still load.
    StateDict timmStyle;
    for (const auto& item : *tensors) {
        if (!QString::fromStdString(item.key()).endsWith(QLatin1String("num_batches_tracked")))
            timmStyle.insert(item.key(), item.value());
    }
    const QString path = root_ + QStringLiteral("/resnet18.safetensors");
    QVERIFY2(writeSafeTensors(path, timmStyle, {}, &error), qPrintable(error));
    ResNetOptions options;
    options.depth = ResNetDepth::ResNet18;
    options.includeTop = false;
    ResNet backbone(options);
    const WeightsStatus status = loadResNetWeights(*backbone, path);
    QVERIFY2(status.isPretrained(), qPrintable(status.summary()));
    backbone->eval();
    torch::NoGradGuard noGrad;
    const torch::Tensor input =
        readFloats(root_ + QStringLiteral("/resnet18/input.bin"), {2, 3, 128, 112});
    const torch::Tensor expected =
        readFloats(root_ + QStringLiteral("/resnet18/avg.bin"), {2, 512});
    QVERIFY(relativeError(backbone->forward(input), expected) <= kFp32Tolerance);
}

void TestWeightFiles::fuzzUnpickler() {
    // The pickle of a real ResNet18 state dict, mutated: the VM itself, past the zip's CRC.
    const ZipArchive archive(root_ + QStringLiteral("/resnet18/weights.pth"));
    QVERIFY2(archive.isValid(), qPrintable(archive.errorString()));
    const ZipArchive::Entry* entry = nullptr;
    for (const ZipArchive::Entry& candidate : archive.entries()) {
        if (candidate.name.endsWith(QLatin1String("/data.pkl")))
            entry = &candidate;
    }
    QVERIFY(entry);
    QString error;
    const unsigned char* data = archive.data(*entry, &error);
    QVERIFY2(data, qPrintable(error));
    const QByteArray pickle(reinterpret_cast<const char*>(data),
                            static_cast<qsizetype>(entry->size));
    QVERIFY(unpickleStateDict(reinterpret_cast<const unsigned char*>(pickle.constData()),
                              static_cast<std::size_t>(pickle.size()), &error));

    std::mt19937 random(20240501);
    int accepted = 0;
    int refused = 0;
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < 20000 && timer.elapsed() < 10'000; ++i) {
        const QByteArray mutated = mutate(pickle, random);
        error.clear();
        const auto result =
            unpickleStateDict(reinterpret_cast<const unsigned char*>(mutated.constData()),
                              static_cast<std::size_t>(mutated.size()), &error);
        if (result) {
            ++accepted;
        } else {
            ++refused;
            QVERIFY2(!error.isEmpty(), "refused without a message");
        }
    }
    qInfo("unpickler fuzz: %d mutations accepted, %d refused with a message in %lld ms", accepted,
          refused, static_cast<long long>(timer.elapsed()));
    QVERIFY(refused > 1000);
}

void TestWeightFiles::fuzzCheckpointFiles() {
    const QByteArray original = readAll(badDirectory_ + QStringLiteral("/checkpoint.pth"));
    const QString path = root_ + QStringLiteral("/fuzz.pth");
    std::mt19937 random(7);
    int accepted = 0;
    int refused = 0;
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < 5000 && timer.elapsed() < 10'000; ++i) {
        QVERIFY(writeAll(path, mutate(original, random)));
        QString error;
        const std::optional<StateDict> result = readWeightsFile(path, &error);
        if (result) {
            ++accepted;
            // Whatever loads must be the original tensor: CRC-32 guards the bytes.
            if (const torch::Tensor* a = result->find("a"))
                QVERIFY(torch::equal(*a, torch::arange(6, torch::kFloat32).view({2, 3})));
        } else {
            ++refused;
            QVERIFY2(!error.isEmpty(), "refused without a message");
        }
    }
    qInfo("checkpoint fuzz: %d accepted, %d refused in %lld ms", accepted, refused,
          static_cast<long long>(timer.elapsed()));
    QVERIFY(refused > 500);
}

void TestWeightFiles::fuzzSafeTensors() {
    const QByteArray original = readAll(badDirectory_ + QStringLiteral("/ok.safetensors"));
    const QString path = root_ + QStringLiteral("/fuzz.safetensors");
    std::mt19937 random(11);
    int refused = 0;
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < 5000 && timer.elapsed() < 8'000; ++i) {
        QVERIFY(writeAll(path, mutate(original, random)));
        QString error;
        if (!readSafeTensors(path, &error)) {
            ++refused;
            QVERIFY2(!error.isEmpty(), "refused without a message");
        }
    }
    QVERIFY(refused > 500);
}

QTEST_GUILESS_MAIN(TestWeightFiles)
#include "tst_weightfiles.moc"
