// ONNX export: onnx.checker (python3-onnx) accepts every component type, OpenCV 4.6's DNN
// module runs the file with the same probabilities as the app's LibTorch modules (1e-4),
// and the metadata round-trips.

#include "core/export/ChainModel.h"
#include "core/export/OnnxExport.h"
#include "tst_exporthelpers.h"

#include <opencv2/dnn.hpp>

using namespace tc;
using namespace tc::exporting;
using tc::testing::component;
using tc::testing::smallCnnWithEveryLayer;

Q_DECLARE_METATYPE(std::vector<tc::exporting::ComponentSpec>)

class TestExportOnnx : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { torch::set_num_threads(2); }

    static void addChains(bool withResNet50) {
        QTest::addColumn<std::vector<ComponentSpec>>("chain");
        QTest::addColumn<int>("classes");
        QTest::addColumn<QStringList>("expectedOps");
        QTest::newRow("resnet18 + dense bn dropout + softmax")
            << testing::flagshipChain() << 2
            << QStringList{"Add",    "BatchNormalization", "Conv",    "Flatten",
                           "Gemm",   "GlobalAveragePool",  "MaxPool", "Relu",
                           "Softmax"};
        QTest::newRow("resnet18 max pooling, sigmoid head")
            << std::vector<ComponentSpec>{component("ResNet", {{"variant", 18},
                                                               {"pretrained", "none"},
                                                               {"pooling", "max"}}),
                                          component("Dense",
                                                    {{"units", 3}, {"activation", "sigmoid"}})}
            << 3 << QStringList{"GlobalMaxPool"};
        QTest::newRow("resnet18 without pooling, flatten")
            << std::vector<ComponentSpec>{component("ResNet", {{"variant", 18},
                                                               {"pretrained", "none"},
                                                               {"pooling", "none"}}),
                                          component("Flatten"), component("Dropout"),
                                          component("Dense", {{"units", 2}})}
            << 2 << QStringList{"Flatten", "Gemm"};
        if (withResNet50)
            QTest::newRow("resnet50 bottlenecks")
                << std::vector<ComponentSpec>{component("ResNet",
                                                        {{"variant", 50}, {"pretrained", "none"}}),
                                              component("Dense",
                                                        {{"units", 2}, {"activation", "softmax"}})}
                << 2 << QStringList{"Conv", "Add"};
        QTest::newRow("small cnn with every layer type")
            << smallCnnWithEveryLayer() << 4
            << QStringList{
                   "LeakyRelu",         "Tanh", "Erf", "Div", "Mul", "MaxPool", "GlobalAveragePool",
                   "BatchNormalization"};
        QTest::newRow("graph: two branches, concatenate")
            << testing::twoBranchGraph() << 2 << QStringList{"Concat", "Gemm", "Softmax"};
        QTest::newRow("graph: add of three, GELU")
            << testing::addGeluGraph() << 3 << QStringList{"Add", "Erf", "Tanh", "Gemm"};
        QTest::newRow("conv sigmoid + dense bn tanh, logits out")
            << std::vector<ComponentSpec>{component("Conv2D", {{"filters", 4},
                                                               {"stride", 4},
                                                               {"activation", "sigmoid"}}),
                                          component("Dense", {{"units", 8},
                                                              {"activation", "tanh"},
                                                              {"batch_norm", true}}),
                                          component("Dense", {{"units", 2}})}
            << 2 << QStringList{"Sigmoid", "Tanh", "Flatten"};
    }

    // ResNet50 adds no op type to ResNet18's and costs seconds in the checker: OpenCV only.
    void checkerAccepts_data() { addChains(false); }
    void checkerAccepts() {
        QFETCH(std::vector<ComponentSpec>, chain);
        QFETCH(int, classes);
        QFETCH(QStringList, expectedOps);
        const TrainedModel model = testing::makeModel(chain, classes);
        const QString folder = testing::freshFolder(QStringLiteral("onnx-checker"));
        const QString path = QDir(folder).filePath(QStringLiteral("model.onnx"));
        QString error;
        QVERIFY2(writeOnnx(model, path, &error), qPrintable(error));

        int exitCode = -1;
        QByteArray standardError;
        const QByteArray output = testing::runProgram(QStringLiteral(TORCHCANVAS_PYTHON),
                                                      {testing::testTool("onnx_check.py"), path},
                                                      &exitCode, &standardError);
        QVERIFY2(exitCode == 0, standardError.constData());
        const QJsonObject json = QJsonDocument::fromJson(output).object();
        QCOMPARE(json.value(QStringLiteral("opset"))
                     .toArray()
                     .first()
                     .toObject()
                     .value(QStringLiteral("version")),
                 QJsonValue(13));
        const QJsonArray inputShape = json.value(QStringLiteral("inputs"))
                                          .toArray()
                                          .first()
                                          .toObject()
                                          .value(QStringLiteral("shape"))
                                          .toArray();
        QCOMPARE(inputShape, (QJsonArray{QStringLiteral("batch"), 3, 64, 64}));
        const QJsonObject outputInfo =
            json.value(QStringLiteral("outputs")).toArray().first().toObject();
        QCOMPARE(outputInfo.value(QStringLiteral("name")).toString(),
                 QStringLiteral("probabilities"));
        QCOMPARE(outputInfo.value(QStringLiteral("shape")).toArray(),
                 (QJsonArray{QStringLiteral("batch"), classes}));
        const QJsonArray ops = json.value(QStringLiteral("ops")).toArray();
        for (const QString& op : expectedOps)
            QVERIFY2(ops.contains(op), qPrintable(op));
        const QJsonObject metadata = json.value(QStringLiteral("metadata")).toObject();
        QCOMPARE(QJsonDocument::fromJson(
                     metadata.value(QStringLiteral("class_names")).toString().toUtf8())
                     .array()
                     .size(),
                 classes);
        QVERIFY(metadata.contains(QStringLiteral("torchcanvas")));
    }

    void openCvMatchesLibTorch_data() { addChains(true); }
    void openCvMatchesLibTorch() {
        QFETCH(std::vector<ComponentSpec>, chain);
        QFETCH(int, classes);
        // 32×32, the smallest input a ResNet takes: the code paths are the same as at 224.
        const TrainedModel model = testing::makeModel(chain, classes, 32, 32);
        QString error;
        const std::optional<QByteArray> bytes = onnxModelBytes(model, &error);
        QVERIFY2(bytes, qPrintable(error));
        std::optional<ChainModel> reference = ChainModel::build(model, &error);
        QVERIFY2(reference, qPrintable(error));

        cv::dnn::Net net = cv::dnn::readNetFromONNX(bytes->constData(), size_t(bytes->size()));
        QVERIFY(!net.empty());
        torch::manual_seed(11);
        const torch::Tensor images = torch::randn({3, 3, 32, 32});
        const int sizes[4] = {3, 3, 32, 32};
        net.setInput(cv::Mat(4, sizes, CV_32F, images.data_ptr<float>()));
        const cv::Mat output = net.forward();
        QCOMPARE(output.dims, 2);
        QCOMPARE(output.size[0], 3);
        QCOMPARE(output.size[1], classes);
        const torch::Tensor actual =
            torch::from_blob(const_cast<float*>(output.ptr<float>()), {3, classes}).clone();
        const torch::Tensor expected = reference->probabilities(images);
        const double difference = (actual - expected).abs().max().item<double>();
        QVERIFY2(difference <= 1e-4, qPrintable(QString::number(difference)));
        QVERIFY((expected[0] - expected[1]).abs().max().item<double>() > 1e-4);
    }

    void metadataRoundTrips() {
        TrainedModel model = testing::makeModel(testing::flagshipChain());
        model.preprocessing.normalization = data::PreprocessingSettings::Normalization::None;
        const QString path = QDir(testing::freshFolder(QStringLiteral("onnx-metadata")))
                                 .filePath(QStringLiteral("model.onnx"));
        QString error;
        QVERIFY2(writeOnnx(model, path, &error), qPrintable(error));
        const auto metadata = readOnnxMetadata(path, &error);
        QVERIFY2(metadata, qPrintable(error));
        QCOMPARE(metadata->value(QStringLiteral("class_names")),
                 QStringLiteral("[\"benign\",\"malignant\"]"));
        QCOMPARE(metadata->value(QStringLiteral("input_shape")), QStringLiteral("[3,64,64]"));
        QCOMPARE(metadata->value(QStringLiteral("mean")), QStringLiteral("[0,0,0]"));
        QCOMPARE(metadata->value(QStringLiteral("torchcanvas_version")),
                 QStringLiteral(TORCHCANVAS_VERSION));
        const std::optional<TrainedModel> config = TrainedModel::fromConfigJson(
            QJsonDocument::fromJson(metadata->value(QStringLiteral("torchcanvas")).toUtf8())
                .object(),
            &error);
        QVERIFY2(config, qPrintable(error));
        QCOMPARE(config->classNames, model.classNames);
        QVERIFY(config->preprocessing == model.preprocessing);
        QCOMPARE(int(config->components.size()), 3);

        // Garbage is not an ONNX model.
        const QString garbage = QDir(testing::freshFolder(QStringLiteral("onnx-garbage")))
                                    .filePath(QStringLiteral("garbage.onnx"));
        QFile file(garbage);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray(1000, '\xff'));
        file.close();
        QVERIFY(!readOnnxMetadata(garbage, &error));
        QVERIFY2(error.contains(garbage), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestExportOnnx)
#include "tst_exportonnx.moc"
