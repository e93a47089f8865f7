// TorchScript export: the generated module equals the app's LibTorch modules on every
// component type, the deployable form's preprocessing equals the app's OpenCV pipeline
// value for value, the archive round-trips through torch::jit::load with its metadata.

#include "core/data/ImagePipeline.h"
#include "core/export/ChainModel.h"
#include "core/export/TorchScriptExport.h"
#include "tst_exporthelpers.h"

#include <opencv2/imgproc.hpp>
#include <QCryptographicHash>
#include <torch/script.h>

using namespace tc;
using namespace tc::exporting;
using tc::testing::component;
using tc::testing::smallCnnWithEveryLayer;

Q_DECLARE_METATYPE(std::vector<tc::exporting::ComponentSpec>)

// SHA-256 of the generated sources (see sourceIsUnchanged).
#define FLAGSHIP_SOURCE_SHA256 "7d3b84f1b0afa3560adfb26bee730b5cddc13f2e2d6073051ca04f350f8a2d29"
#define FLAGSHIP_DEPLOYABLE_SOURCE_SHA256                                                          \
    "f9495e0a1080ea06599ddcb57996762a50a40b6453fa7f7359fb422ee33bd46a"
#define EVERY_LAYER_SOURCE_SHA256 "b20b00ee3c3da806d5c4eb1e65c2eee997917bdf28b929a7f92c2e8e22138f76"
#define TWO_BRANCH_SOURCE_SHA256 "e001d19374e7405ac583655dfb5cbde2c33cdd4715ac9576d9f974708151ade8"
#define ADD_GELU_SOURCE_SHA256 "1eafe21a82dbdac4a2c5eb004376b5f53bad4c2f547d5203d33721f073a40724"

namespace {

torch::Tensor rgbTensor(const cv::Mat& bgr) {
    cv::Mat rgb;
    cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
    return torch::from_blob(rgb.data, {rgb.rows, rgb.cols, 3}, torch::kUInt8).clone();
}

torch::Tensor appPipeline(const QString& path, const data::PreprocessingSettings& settings) {
    const data::ImagePipeline pipeline(settings);
    torch::Tensor out = torch::empty({3, settings.height, settings.width});
    QString error;
    if (!pipeline.load(path, out.data_ptr<float>(), data::PixelLayout::Planar, std::nullopt,
                       &error))
        qFatal("%s", qPrintable(error));
    return out;
}

} // namespace

class TestExportTorchScript : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { torch::set_num_threads(2); }

    // The generated source of each form, pinned: exports of today's projects stay byte for
    // byte what they were. Recorded at commit 6c8c180, whose .pt and .onnx files of a chain
    // with every layer type and of a graph were compared byte for byte with the build before
    // the export mappings moved into core/export/components/.
    void sourceIsUnchanged_data() {
        QTest::addColumn<std::vector<ComponentSpec>>("components");
        QTest::addColumn<bool>("preprocessing");
        QTest::addColumn<bool>("explanations");
        QTest::addColumn<int>("classes");
        QTest::addColumn<QString>("sha256");
        QTest::newRow("flagship chain") << testing::flagshipChain() << false << false << 2
                                        << QStringLiteral(FLAGSHIP_SOURCE_SHA256);
        QTest::newRow("flagship, deployable, explainable")
            << testing::flagshipChain() << true << true << 2
            << QStringLiteral(FLAGSHIP_DEPLOYABLE_SOURCE_SHA256);
        QTest::newRow("every layer type") << testing::smallCnnWithEveryLayer() << false << false
                                          << 4 << QStringLiteral(EVERY_LAYER_SOURCE_SHA256);
        QTest::newRow("two branches") << testing::twoBranchGraph() << false << true << 2
                                      << QStringLiteral(TWO_BRANCH_SOURCE_SHA256);
        QTest::newRow("add of three, GELU") << testing::addGeluGraph() << false << false << 3
                                            << QStringLiteral(ADD_GELU_SOURCE_SHA256);
    }
    void sourceIsUnchanged() {
        QFETCH(std::vector<ComponentSpec>, components);
        QFETCH(bool, preprocessing);
        QFETCH(bool, explanations);
        QFETCH(int, classes);
        QFETCH(QString, sha256);
        const TrainedModel model = testing::makeModel(components, classes);
        QString error;
        const std::optional<QString> source =
            scriptSource(model, TorchScriptOptions{preprocessing, explanations}, &error);
        QVERIFY2(source, qPrintable(error));
        const QString actual = QString::fromLatin1(
            QCryptographicHash::hash(source->toUtf8(), QCryptographicHash::Sha256).toHex());
        QVERIFY2(actual == sha256, qPrintable(QStringLiteral("%1\n%2").arg(actual, *source)));
    }

    void bareEqualsLibTorch_data() {
        QTest::addColumn<std::vector<ComponentSpec>>("chain");
        QTest::addColumn<int>("classes");
        QTest::newRow("resnet18 avg + dense bn dropout + softmax") << testing::flagshipChain() << 2;
        QTest::newRow("resnet18 max + dense sigmoid")
            << std::vector<ComponentSpec>{component("ResNet", {{"variant", 18},
                                                               {"pretrained", "none"},
                                                               {"pooling", "max"}}),
                                          component("Dense",
                                                    {{"units", 3}, {"activation", "sigmoid"}})}
            << 3;
        QTest::newRow("resnet18 no pooling + flatten + dense")
            << std::vector<ComponentSpec>{component("ResNet", {{"variant", "resnet18"},
                                                               {"pretrained", "none"},
                                                               {"pooling", "none"}}),
                                          component("Flatten"), component("Dropout"),
                                          component("Dense", {{"units", 2}})}
            << 2;
        QTest::newRow("resnet50 bottlenecks")
            << std::vector<ComponentSpec>{component("ResNet",
                                                    {{"variant", 50}, {"pretrained", "none"}}),
                                          component("Dense",
                                                    {{"units", 2}, {"activation", "softmax"}})}
            << 2;
        QTest::newRow("small cnn: conv, same/valid pools, batch norms, activations")
            << smallCnnWithEveryLayer() << 4;
        QTest::newRow("graph: two branches, concatenate") << testing::twoBranchGraph() << 2;
        QTest::newRow("graph: add of three, GELU") << testing::addGeluGraph() << 3;
        QTest::newRow("conv + flatten + dense without final activation")
            << std::vector<ComponentSpec>{component("Conv2D", {{"filters", 4},
                                                               {"stride", 4},
                                                               {"activation", "sigmoid"}}),
                                          component("Dense", {{"units", 8},
                                                              {"activation", "tanh"},
                                                              {"batch_norm", true}}),
                                          component("Dense", {{"units", 2}})}
            << 2;
    }

    void bareEqualsLibTorch() {
        QFETCH(std::vector<ComponentSpec>, chain);
        QFETCH(int, classes);
        // 32×32, the smallest input a ResNet takes: the code paths are the same as at 224.
        TrainedModel model = testing::makeModel(chain, classes, 32, 32);
        QString error;
        std::optional<ChainModel> reference = ChainModel::build(model, &error);
        QVERIFY2(reference, qPrintable(error));
        std::optional<torch::jit::Module> module = makeScriptModule(model, {}, &error);
        QVERIFY2(module, qPrintable(error));

        torch::manual_seed(3);
        const torch::Tensor images = torch::randn({3, 3, 32, 32});
        const torch::Tensor expected = reference->probabilities(images);
        const torch::Tensor actual = module->forward({images}).toTensor();
        QCOMPARE(actual.sizes(), expected.sizes());
        QCOMPARE(expected.size(1), classes);
        // Probabilities, not logits: every row sums to one.
        QVERIFY(torch::allclose(actual.sum(1), torch::ones({3}), 1e-5, 1e-6));
        const double difference = (actual - expected).abs().max().item<double>();
        QVERIFY2(difference <= 1e-6, qPrintable(QString::number(difference)));
        // The rows differ: the model is not constant (batch norms, weights really used).
        QVERIFY((expected[0] - expected[1]).abs().max().item<double>() > 1e-4);
    }

    void deployablePreprocessingEqualsApp_data() {
        QTest::addColumn<int>("width");
        QTest::addColumn<int>("height");
        QTest::addColumn<int>("targetWidth");
        QTest::addColumn<int>("targetHeight");
        QTest::addColumn<bool>("crop");
        QTest::addColumn<bool>("imageNet");
        // Shrinking (INTER_AREA: general and integer-scale paths), enlarging and mixed
        // (INTER_LINEAR), no resize; stretch and shorter-side-crop; both normalisations.
        QTest::newRow("histology 700x460 -> 64 stretch") << 700 << 460 << 64 << 64 << false << true;
        QTest::newRow("700x460 -> 64 crop") << 700 << 460 << 64 << 64 << true << true;
        QTest::newRow("2x integer area") << 128 << 128 << 64 << 64 << false << true;
        QTest::newRow("3x4 integer area") << 192 << 256 << 64 << 64 << false << false;
        QTest::newRow("1x2 integer area") << 64 << 128 << 64 << 64 << false << true;
        QTest::newRow("non-integer area") << 97 << 131 << 45 << 60 << false << true;
        QTest::newRow("enlarge") << 40 << 50 << 64 << 64 << false << true;
        QTest::newRow("enlarge odd sizes") << 20 << 20 << 37 << 61 << false << false;
        QTest::newRow("mixed: wide and short") << 200 << 30 << 64 << 64 << false << true;
        QTest::newRow("mixed, crop") << 300 << 40 << 64 << 48 << true << true;
        QTest::newRow("tall crop") << 90 << 333 << 64 << 64 << true << true;
        QTest::newRow("same size") << 64 << 64 << 64 << 64 << false << true;
    }

    void deployablePreprocessingEqualsApp() {
        QFETCH(int, width);
        QFETCH(int, height);
        QFETCH(int, targetWidth);
        QFETCH(int, targetHeight);
        QFETCH(bool, crop);
        QFETCH(bool, imageNet);
        TrainedModel model =
            testing::makeModel({component("GlobalAvgPool"), component("Dense", {{"units", 2}})}, 2,
                               targetWidth, targetHeight);
        model.preprocessing.resize = crop ? data::PreprocessingSettings::Resize::ShorterSideCrop
                                          : data::PreprocessingSettings::Resize::Stretch;
        model.preprocessing.normalization =
            imageNet ? data::PreprocessingSettings::Normalization::ImageNet
                     : data::PreprocessingSettings::Normalization::None;
        QString error;
        std::optional<torch::jit::Module> module =
            makeScriptModule(model, {/*withPreprocessing=*/true}, &error);
        QVERIFY2(module, qPrintable(error));

        const QString folder = testing::freshFolder(QStringLiteral("torchscript-preprocessing"));
        const QString path =
            testing::writeTestImage(folder, QStringLiteral("image.png"), width, height, width);
        const torch::Tensor expected = appPipeline(path, model.preprocessing);
        const cv::Mat bgr = cv::imread(QFile::encodeName(path).toStdString(), cv::IMREAD_COLOR);
        const torch::Tensor actual = module->get_method("preprocess")({rgbTensor(bgr)}).toTensor();
        QCOMPARE(actual.sizes(), (std::vector<std::int64_t>{1, 3, targetHeight, targetWidth}));
        // Bit for bit: the same 8-bit resize, the same float32 normalisation.
        QVERIFY(actual[0].contiguous().equal(expected));
    }

    void deployableRejectsBadInput() {
        const TrainedModel model = testing::makeModel(testing::flagshipChain());
        QString error;
        std::optional<torch::jit::Module> module =
            makeScriptModule(model, {/*withPreprocessing=*/true}, &error);
        QVERIFY2(module, qPrintable(error));
        for (const torch::Tensor& bad :
             {torch::zeros({32, 32, 3}), torch::zeros({32, 32, 4}, torch::kUInt8),
              torch::zeros({3, 32, 32}, torch::kUInt8)}) {
            try {
                module->forward({bad});
                QFAIL("a bad input was accepted");
            } catch (const std::exception& failure) { // torch::jit::JITException
                QVERIFY2(QString::fromUtf8(failure.what()).contains(QLatin1String("uint8 RGB")),
                         failure.what());
            }
        }
        // A batch of two images of any size works.
        const torch::Tensor batch = torch::randint(0, 256, {2, 50, 90, 3}).to(torch::kUInt8);
        QCOMPARE(module->forward({batch}).toTensor().sizes(), (std::vector<std::int64_t>{2, 2}));
    }

    void archiveRoundTripsWithMetadata_data() {
        QTest::addColumn<bool>("withPreprocessing");
        QTest::newRow("bare") << false;
        QTest::newRow("deployable") << true;
    }

    void archiveRoundTripsWithMetadata() {
        QFETCH(bool, withPreprocessing);
        TrainedModel model = testing::makeModel(testing::flagshipChain());
        model.preprocessing.resize = data::PreprocessingSettings::Resize::ShorterSideCrop;
        const QString folder = testing::freshFolder(QStringLiteral("torchscript-archive"));
        const QString path = QDir(folder).filePath(QStringLiteral("model.pt"));
        QString error;
        QVERIFY2(writeTorchScript(model, path, {withPreprocessing}, &error), qPrintable(error));
        QVERIFY(!QFile::exists(path + QStringLiteral(".part")));

        torch::jit::ExtraFilesMap extra{{kTorchScriptMetadataFile, ""}};
        torch::jit::Module loaded = torch::jit::load(path.toStdString(), c10::nullopt, extra);
        const QJsonObject json =
            QJsonDocument::fromJson(QByteArray::fromStdString(extra[kTorchScriptMetadataFile]))
                .object();
        QCOMPARE(json.value(QStringLiteral("format")).toString(),
                 QStringLiteral("torchcanvas-model"));
        QCOMPARE(json.value(QStringLiteral("form")).toString(),
                 withPreprocessing ? QStringLiteral("torchscript-with-preprocessing")
                                   : QStringLiteral("torchscript"));
        QCOMPARE(json.value(QStringLiteral("classes")).toArray().size(), 2);
        QCOMPARE(json.value(QStringLiteral("attributes"))
                     .toObject()
                     .value(QStringLiteral("backbone_layer1_0_conv1_weight"))
                     .toString(),
                 QStringLiteral("backbone.layer1.0.conv1.weight"));

        QCOMPARE(loaded.attr("class_names").toListRef().size(), size_t(2));
        QCOMPARE(loaded.attr("class_names").toListRef()[1].toStringRef(), std::string("malignant"));
        QCOMPARE(loaded.attr("input_shape").toIntVector(), (std::vector<std::int64_t>{3, 64, 64}));
        QCOMPARE(loaded.attr("mean").toDoubleVector()[0], double(0.485f));
        QCOMPARE(loaded.attr("with_preprocessing").toBool(), withPreprocessing);
        QCOMPARE(QString::fromStdString(loaded.attr("torchcanvas_version").toStringRef()),
                 QStringLiteral(TORCHCANVAS_VERSION));

        // Every tensor is in the archive, under its attribute name, with its values.
        const std::string mean = "backbone_layer2_0_downsample_1_running_mean";
        QVERIFY(loaded.attr(mean).toTensor().equal(
            *model.tensors.find("backbone.layer2.0.downsample.1.running_mean")));
        QVERIFY(!loaded.hasattr("backbone_fc_weight"));

        // Loaded, it computes what the in-memory module does.
        std::optional<torch::jit::Module> fresh =
            makeScriptModule(model, {withPreprocessing}, &error);
        QVERIFY(fresh);
        const torch::Tensor input = withPreprocessing
                                        ? torch::randint(0, 256, {77, 55, 3}).to(torch::kUInt8)
                                        : torch::randn({2, 3, 64, 64});
        QVERIFY(loaded.forward({input}).toTensor().equal(fresh->forward({input}).toTensor()));
    }

    void unsupportedChainsFailCleanly() {
        TrainedModel model = testing::makeModel(testing::flagshipChain());
        QString error;
        // A tensor that belongs to no component.
        TrainedModel extra = model;
        extra.tensors.insert("head.7.linear.weight", torch::zeros({2, 2}));
        QVERIFY(!makeScriptModule(extra, {}, &error));
        QVERIFY2(error.contains(QLatin1String("head.7.linear.weight")), qPrintable(error));
        // A missing one.
        TrainedModel missing = model;
        missing.tensors = nn::StateDict();
        for (const auto& item : model.tensors) {
            if (item.key() != "head.0.norm.running_var")
                missing.tensors.insert(item.key(), item.value());
        }
        QVERIFY(!makeScriptModule(missing, {}, &error));
        QVERIFY2(error.contains(QLatin1String("norm.running_var")), qPrintable(error));
        // Class count and output disagree.
        TrainedModel classes = model;
        classes.classNames << QStringLiteral("third");
        QVERIFY(!makeScriptModule(classes, {}, &error));
        QVERIFY2(error.contains(QLatin1String("3 classes")), qPrintable(error));
        // Unwritable target.
        QVERIFY(
            !writeTorchScript(model, QStringLiteral("/nonexistent-folder/model.pt"), {}, &error));
        QVERIFY2(error.contains(QLatin1String("/nonexistent-folder/model.pt")), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestExportTorchScript)
#include "tst_exporttorchscript.moc"
