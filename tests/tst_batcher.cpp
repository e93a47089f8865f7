// Batcher: deterministic order and augmentation whatever the threads, a bounded queue,
// stopping at any moment, and samples that fail to load.

#include "core/data/Batcher.h"
#include "core/data/DatasetTable.h"
#include "core/data/ImagePipeline.h"
#include "DataTestSupport.h"

#include <QSet>
#include <QTemporaryDir>
#include <QtTest>
#include <thread>

using namespace tc::data;

namespace {

struct Epoch {
    std::vector<torch::Tensor> images;
    std::vector<torch::Tensor> labels;
    std::vector<std::vector<std::int64_t>> indices;
};

Epoch drain(Batcher& batcher) {
    Epoch epoch;
    while (std::optional<Batch> batch = batcher.next()) {
        epoch.images.push_back(batch->images.contiguous());
        epoch.labels.push_back(batch->labels);
        epoch.indices.push_back(batch->sampleIndices);
    }
    return epoch;
}

bool equal(const Epoch& a, const Epoch& b) {
    if (a.images.size() != b.images.size() || a.indices != b.indices)
        return false;
    for (size_t i = 0; i < a.images.size(); ++i)
        if (!torch::equal(a.images[i], b.images[i]) || !torch::equal(a.labels[i], b.labels[i]))
            return false;
    return true;
}

PreprocessingSettings smallSettings(bool augmentation) {
    PreprocessingSettings settings;
    settings.width = 24;
    settings.height = 24;
    if (augmentation) {
        settings.augmentation.horizontalFlip = true;
        settings.augmentation.rotate90 = true;
        settings.augmentation.cropScale = 0.3;
        settings.augmentation.brightness = 0.2;
        settings.augmentation.stainJitter = 0.05;
    }
    return settings;
}

} // namespace

class TestBatcher : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void batchesCoverTheEpochInOrder();
    void sameResultWhateverTheThreads();
    void epochsReshuffleAndRedraw();
    void imagesAreThePipelineOutput();
    void channelsLastLayout();
    void queueIsBounded();
    void consumerStopsEarly();
    void stopFromAnotherThread();
    void failedSamplesAreReported();
    void samplesOfTableRows();

private:
    QTemporaryDir m_dir;
    std::vector<BatchSample> m_samples;
};

void TestBatcher::initTestCase() {
    QVERIFY(m_dir.isValid());
    for (int i = 0; i < 50; ++i) {
        const QString path =
            tc::test::writeImage(m_dir.path(), QStringLiteral("%1.png").arg(i),
                                 tc::test::patternImage(40, 30, CV_8UC3, unsigned(i + 1)));
        QVERIFY(!path.isEmpty());
        m_samples.push_back({path, i % 3});
    }
}

void TestBatcher::batchesCoverTheEpochInOrder() {
    BatcherOptions options;
    options.batchSize = 7;
    options.workers = 2;
    Batcher batcher(m_samples, smallSettings(false), options);
    QCOMPARE(batcher.batchCount(), 8);
    QCOMPARE(batcher.sampleCount(), size_t(50));
    std::vector<std::int64_t> seen;
    int number = 0;
    while (std::optional<Batch> batch = batcher.next()) {
        QCOMPARE(batch->number, number++);
        const std::int64_t rows = batch->images.size(0);
        QCOMPARE(rows, number < 8 ? 7 : 1);
        QCOMPARE(batch->images.sizes(), (torch::IntArrayRef{rows, 3, 24, 24}));
        QCOMPARE(batch->images.scalar_type(), torch::kFloat32);
        QCOMPARE(batch->labels.scalar_type(), torch::kInt64);
        QCOMPARE(batch->labels.size(0), rows);
        for (std::int64_t k = 0; k < rows; ++k)
            QCOMPARE(batch->labels[k].item<std::int64_t>(),
                     m_samples[size_t(batch->sampleIndices[size_t(k)])].label);
        seen.insert(seen.end(), batch->sampleIndices.begin(), batch->sampleIndices.end());
    }
    std::vector<std::int64_t> expected(50);
    std::iota(expected.begin(), expected.end(), 0);
    QCOMPARE(seen, expected); // no shuffle: file order
    QVERIFY(!batcher.next()); // stays at the end

    options.dropLast = true;
    Batcher dropping(m_samples, smallSettings(false), options);
    QCOMPARE(dropping.batchCount(), 7);
    QCOMPARE(int(drain(dropping).images.size()), 7);
}

void TestBatcher::sameResultWhateverTheThreads() {
    BatcherOptions options;
    options.batchSize = 6;
    options.shuffle = true;
    options.augment = true;
    options.seed = 11;
    options.epoch = 3;
    options.workers = 0;
    Batcher reference(m_samples, smallSettings(true), options);
    const Epoch expected = drain(reference);
    QCOMPARE(int(expected.images.size()), 9);
    for (int workers : {1, 2, 4}) {
        for (int prefetch : {1, 3}) {
            options.workers = workers;
            options.prefetch = prefetch;
            Batcher batcher(m_samples, smallSettings(true), options);
            QVERIFY2(
                equal(drain(batcher), expected),
                qPrintable(QStringLiteral("workers %1 prefetch %2").arg(workers).arg(prefetch)));
        }
    }
}

void TestBatcher::epochsReshuffleAndRedraw() {
    BatcherOptions options;
    options.batchSize = 50;
    options.shuffle = true;
    options.augment = true;
    options.seed = 1;
    Batcher first(m_samples, smallSettings(true), options);
    Batcher again(m_samples, smallSettings(true), options);
    QCOMPARE(first.order(), again.order());
    options.epoch = 1;
    Batcher second(m_samples, smallSettings(true), options);
    QVERIFY(first.order() != second.order());
    std::vector<std::int64_t> sorted = second.order();
    std::sort(sorted.begin(), sorted.end());
    std::vector<std::int64_t> all(50);
    std::iota(all.begin(), all.end(), 0);
    QCOMPARE(sorted, all);

    // The same sample gets another augmentation in another epoch.
    const Batch a = *first.next();
    const Batch b = *second.next();
    const auto rowOf = [](const Batch& batch, std::int64_t sample) {
        const auto it = std::find(batch.sampleIndices.begin(), batch.sampleIndices.end(), sample);
        return std::int64_t(it - batch.sampleIndices.begin());
    };
    QVERIFY(!torch::equal(a.images[rowOf(a, 0)], b.images[rowOf(b, 0)]));
}

void TestBatcher::imagesAreThePipelineOutput() {
    BatcherOptions options;
    options.batchSize = 5;
    options.shuffle = true;
    options.seed = 4;
    options.augment = true;
    const PreprocessingSettings settings = smallSettings(true);
    Batcher batcher(m_samples, settings, options);
    const Batch batch = *batcher.next();
    const ImagePipeline pipeline(settings);
    for (int k = 0; k < 5; ++k) {
        const std::int64_t sample = batch.sampleIndices[size_t(k)];
        std::vector<float> expected(pipeline.floatsPerImage());
        QString error;
        QVERIFY(pipeline.load(m_samples[size_t(sample)].path, expected.data(), PixelLayout::Planar,
                              ImagePipeline::sampleSeed(4, 0, std::uint64_t(sample)), &error));
        const torch::Tensor row = batch.images[k].contiguous();
        QVERIFY(std::equal(expected.begin(), expected.end(), row.data_ptr<float>()));
    }
    // Without augmentation nothing random happens.
    options.augment = false;
    Batcher plain(m_samples, settings, options);
    const Batch p = *plain.next();
    std::vector<float> expected(pipeline.floatsPerImage());
    QString error;
    QVERIFY(pipeline.load(m_samples[size_t(p.sampleIndices[0])].path, expected.data(),
                          PixelLayout::Planar, std::nullopt, &error));
    QVERIFY(
        std::equal(expected.begin(), expected.end(), p.images[0].contiguous().data_ptr<float>()));
}

void TestBatcher::channelsLastLayout() {
    BatcherOptions options;
    options.batchSize = 4;
    Batcher planar(m_samples, smallSettings(false), options);
    options.channelsLast = true;
    Batcher last(m_samples, smallSettings(false), options);
    const Batch a = *planar.next();
    const Batch b = *last.next();
    QVERIFY(a.images.is_contiguous());
    QVERIFY(b.images.is_contiguous(torch::MemoryFormat::ChannelsLast));
    QCOMPARE(b.images.strides(), (torch::IntArrayRef{24 * 24 * 3, 1, 24 * 3, 3}));
    QVERIFY(torch::equal(a.images, b.images)); // same values, other memory order
}

void TestBatcher::queueIsBounded() {
    // However slow the consumer, workers never build more than `prefetch` batches ahead.
    BatcherOptions options;
    options.batchSize = 2;
    options.workers = 2;
    options.prefetch = 3;
    Batcher batcher(m_samples, smallSettings(false), options);
    int consumed = 0;
    while (batcher.next()) {
        ++consumed;
        for (int spin = 0; spin < 50; ++spin)
            QVERIFY(batcher.batchesStarted() <= consumed + options.prefetch);
    }
    QCOMPARE(consumed, 25);
    QCOMPARE(batcher.batchesStarted(), 25);
}

void TestBatcher::consumerStopsEarly() {
    // A consumer that leaves after two batches: destruction stops and joins the workers.
    for (int workers : {0, 1, 2, 3}) {
        BatcherOptions options;
        options.batchSize = 3;
        options.workers = workers;
        options.prefetch = 4;
        auto batcher = std::make_unique<Batcher>(m_samples, smallSettings(true), options);
        QVERIFY(batcher->next());
        QVERIFY(batcher->next());
        batcher.reset();
    }
    // stop() ends the epoch for next() too.
    BatcherOptions options;
    options.batchSize = 3;
    Batcher batcher(m_samples, smallSettings(false), options);
    QVERIFY(batcher.next());
    batcher.stop();
    batcher.stop(); // idempotent
    QVERIFY(!batcher.next());
}

void TestBatcher::stopFromAnotherThread() {
    // The trainer's Stop button: another thread stops while the consumer may be blocked in
    // next(). The loop must end, with a prefix of the epoch.
    for (int round = 0; round < 20; ++round) {
        BatcherOptions options;
        options.batchSize = 1;
        options.workers = 2;
        options.prefetch = 2;
        Batcher batcher(m_samples, smallSettings(false), options);
        std::thread stopper([&] { batcher.stop(); });
        int batches = 0;
        while (std::optional<Batch> batch = batcher.next()) {
            QCOMPARE(batch->number, batches);
            ++batches;
        }
        stopper.join();
        QVERIFY(batches <= 50);
        QVERIFY(!batcher.next());
    }
}

void TestBatcher::failedSamplesAreReported() {
    std::vector<BatchSample> samples = {m_samples[0],
                                        {m_dir.filePath("gone.png"), 1},
                                        m_samples[1],
                                        {tc::test::writeFile(m_dir.path(), "fake.png", "text"), 2},
                                        m_samples[2]};
    BatcherOptions options;
    options.batchSize = 5;
    Batcher batcher(samples, smallSettings(false), options);
    const Batch batch = *batcher.next();
    QCOMPARE(batch.images.size(0), 3);
    QCOMPARE(batch.sampleIndices, (std::vector<std::int64_t>{0, 2, 4}));
    QVERIFY(torch::equal(batch.labels, torch::tensor({0, 1, 2}, torch::kInt64)));
    QCOMPARE(batch.failures.size(), size_t(2));
    QCOMPARE(batch.failures[0].sampleIndex, 1);
    QCOMPARE(batch.failures[0].message,
             QStringLiteral("'%1' does not exist").arg(m_dir.filePath("gone.png")));
    QCOMPARE(batch.failures[1].sampleIndex, 3);
    QCOMPARE(batch.failures[1].message,
             QStringLiteral("'%1' is not an image (it is text)").arg(m_dir.filePath("fake.png")));

    // A batch whose every sample fails has no rows, and the epoch goes on.
    std::vector<BatchSample> bad = {{m_dir.filePath("gone.png"), 0}, m_samples[3]};
    options.batchSize = 1;
    Batcher mixed(bad, smallSettings(false), options);
    const Batch empty = *mixed.next();
    QCOMPARE(empty.images.size(0), 0);
    QCOMPARE(empty.labels.size(0), 0);
    QCOMPARE(mixed.next()->images.size(0), 1);

    // Unlabelled samples (predict, embed) carry -1.
    Batcher unlabelled({{m_samples[0].path}}, smallSettings(false), options);
    QCOMPARE(unlabelled.next()->labels[0].item<std::int64_t>(), -1);
}

void TestBatcher::samplesOfTableRows() {
    QByteArray csv = "images,labels\n";
    for (int i = 0; i < 6; ++i)
        csv += QByteArray::number(i) + (i % 2 ? ".png,odd\n" : ".png,even\n");
    const DatasetTable table =
        DatasetTable::importCsv(tc::test::writeFile(m_dir.path(), "rows.csv", csv));
    QVERIFY(table.isUsable());
    const std::vector<BatchSample> samples = samplesFor(table, {5, 0, 3});
    QCOMPARE(samples.size(), size_t(3));
    QCOMPARE(samples[0].path, m_dir.filePath("5.png"));
    QCOMPARE(samples[0].label, 1); // "odd" is class 1 of {even, odd}
    QCOMPARE(samples[1].path, m_dir.filePath("0.png"));
    QCOMPARE(samples[1].label, 0);
    QCOMPARE(samples[2].label, 1);
}

QTEST_GUILESS_MAIN(TestBatcher)
#include "tst_batcher.moc"
