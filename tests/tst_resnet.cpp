// The network modules: torchvision's ResNet names and shapes, pooling, trainable stages,
// the other registry components and the component factory.

#include "core/nn/ComponentFactory.h"
#include "core/nn/Layers.h"
#include "core/nn/ResNet.h"
#include "core/nn/SafeTensors.h"
#include "core/nn/StateDict.h"
#include "tools/NnTestSupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

using namespace tc::nn;

namespace {

std::vector<std::int64_t> shapeOf(const torch::Tensor& tensor) {
    const auto sizes = tensor.sizes();
    return {sizes.begin() + 1, sizes.end()}; // without the batch dimension
}

} // namespace

Q_DECLARE_METATYPE(std::vector<std::int64_t>)

class TestResNet : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void namesAndShapesMatchTorchvision_data();
    void namesAndShapesMatchTorchvision();
    void outputShapes_data();
    void outputShapes();
    void trainableStages_data();
    void trainableStages();
    void frozenStagesKeepTheirStatistics();
    void parseNames();
    void denseActivations_data();
    void denseActivations();
    void denseSoftmaxLogitsInTrainingProbabilitiesInEval();
    void denseFlattensAndDropsOut();
    void otherLayers();
    void factoryShapes_data();
    void factoryShapes();
    void factoryErrors_data();
    void factoryErrors();
    void factoryResNetWeights();

private:
    QJsonObject torchvisionNames_;
};

void TestResNet::namesAndShapesMatchTorchvision_data() {
    const QString path =
        tc::test::freshDirectory(QStringLiteral("resnet")) + QStringLiteral("/names.json");
    const QString failure =
        tc::test::runOracle(QStringLiteral("resnet_oracle.py"), {QStringLiteral("names"), path});
    QVERIFY2(failure.isEmpty(), qPrintable(failure));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    torchvisionNames_ = QJsonDocument::fromJson(file.readAll()).object();

    QTest::addColumn<int>("depth");
    for (const ResNetDepth depth : kResNetDepths)
        QTest::newRow(qPrintable(resNetName(depth))) << static_cast<int>(depth);
}

void TestResNet::namesAndShapesMatchTorchvision() {
    QFETCH(int, depth);
    const QJsonArray expected = torchvisionNames_.value(QString::number(depth)).toArray();
    QVERIFY(!expected.isEmpty());
    ResNetOptions options;
    options.depth = *resNetDepthFromNumber(depth);
    ResNet model(options);
    QMap<QString, QString> ours;
    for (const auto& item : model->named_parameters())
        ours.insert(QString::fromStdString(item.key()), shapeString(item.value().sizes()));
    for (const auto& item : model->named_buffers())
        ours.insert(QString::fromStdString(item.key()), shapeString(item.value().sizes()));
    QCOMPARE(ours.size(), expected.size());
    for (const QJsonValue& entry : expected) {
        const QString name = entry.toArray().at(0).toString();
        QStringList sizes;
        for (const QJsonValue& size : entry.toArray().at(1).toArray())
            sizes << QString::number(size.toInt());
        QVERIFY2(ours.contains(name), qPrintable(name));
        QCOMPARE(ours.value(name),
                 QLatin1Char('[') + sizes.join(QStringLiteral(", ")) + QLatin1Char(']'));
    }
}

void TestResNet::outputShapes_data() {
    QTest::addColumn<int>("depth");
    QTest::addColumn<bool>("includeTop");
    QTest::addColumn<QString>("pooling");
    QTest::addColumn<int>("height");
    QTest::addColumn<int>("width");
    QTest::newRow("18 top") << 18 << true << "avg" << 64 << 64;
    QTest::newRow("18 avg") << 18 << false << "avg" << 64 << 80;
    QTest::newRow("18 none odd") << 18 << false << "none" << 65 << 97;
    QTest::newRow("34 max") << 34 << false << "max" << 32 << 32;
    QTest::newRow("50 none 224") << 50 << false << "none" << 224 << 224;
    QTest::newRow("50 none 700x460") << 50 << false << "none" << 115 << 175;
    QTest::newRow("101 avg") << 101 << false << "avg" << 48 << 48;
}

void TestResNet::outputShapes() {
    QFETCH(int, depth);
    QFETCH(bool, includeTop);
    QFETCH(QString, pooling);
    QFETCH(int, height);
    QFETCH(int, width);
    ResNetOptions options;
    options.depth = *resNetDepthFromNumber(depth);
    options.includeTop = includeTop;
    options.numClasses = 7;
    options.pooling = *parsePooling(pooling);
    ResNet model(options);
    model->eval();
    torch::NoGradGuard noGrad;
    const torch::Tensor output = model->forward(torch::randn({2, 3, height, width}));
    const std::vector<std::int64_t> expected =
        includeTop ? std::vector<std::int64_t>{7}
                   : resNetOutputShape(options.depth, options.pooling, height, width);
    QCOMPARE(shapeOf(output), expected);
    QCOMPARE(output.size(0), 2);
}

void TestResNet::trainableStages_data() {
    QTest::addColumn<QString>("mode");
    QTest::addColumn<QStringList>("trainablePrefixes");
    QTest::newRow("frozen") << "frozen" << QStringList{};
    QTest::newRow("last 1") << "last 1" << QStringList{QStringLiteral("layer4.")};
    QTest::newRow("last 2") << "last_2"
                            << QStringList{QStringLiteral("layer3."), QStringLiteral("layer4.")};
    QTest::newRow("last 4") << "last-4"
                            << QStringList{QStringLiteral("layer1."), QStringLiteral("layer2."),
                                           QStringLiteral("layer3."), QStringLiteral("layer4.")};
    QTest::newRow("all") << "all"
                         << QStringList{QStringLiteral("conv1."), QStringLiteral("bn1."),
                                        QStringLiteral("layer")};
}

void TestResNet::trainableStages() {
    QFETCH(QString, mode);
    QFETCH(QStringList, trainablePrefixes);
    const std::optional<Trainability> trainability = parseTrainability(mode);
    QVERIFY(trainability);
    ResNetOptions options;
    options.depth = ResNetDepth::ResNet18;
    options.includeTop = false;
    ResNet model(options);
    model->setTrainable(*trainability);
    model->train();
    auto expectTrainable = [&](const QString& name) {
        for (const QString& prefix : trainablePrefixes) {
            if (name.startsWith(prefix))
                return true;
        }
        return false;
    };
    for (const auto& item : model->named_parameters()) {
        const QString name = QString::fromStdString(item.key());
        QVERIFY2(item.value().requires_grad() == expectTrainable(name), qPrintable(name));
    }
    // Frozen batch norms stay in eval mode in a model put in training mode.
    for (const auto& item : model->named_modules()) {
        const QString name = QString::fromStdString(item.key());
        if (!item.value()->as<torch::nn::BatchNorm2d>())
            continue;
        QVERIFY2(item.value()->is_training() == expectTrainable(name + QLatin1Char('.')),
                 qPrintable(name));
    }
    // eval() puts everything in eval mode.
    model->eval();
    for (const auto& module : model->modules())
        QVERIFY(!module->is_training());
}

void TestResNet::frozenStagesKeepTheirStatistics() {
    ResNetOptions options;
    options.depth = ResNetDepth::ResNet18;
    options.includeTop = false;
    ResNet model(options);
    model->setTrainableStages(1); // layer4 only
    model->train();
    const torch::Tensor stemMean = model->bn1->running_mean.clone();
    const auto* lastNorm = model->layer4[1]->as<BasicBlockImpl>();
    QVERIFY(lastNorm);
    const torch::Tensor layer4Mean = lastNorm->bn2->running_mean.clone();
    const torch::Tensor output = model->forward(torch::randn({4, 3, 64, 64}) * 3 + 1);
    QVERIFY(torch::equal(model->bn1->running_mean, stemMean));
    QVERIFY(!torch::equal(lastNorm->bn2->running_mean, layer4Mean));
    // Gradients reach layer4 only.
    output.sum().backward();
    QVERIFY(!model->conv1->weight.grad().defined());
    QVERIFY(lastNorm->conv2->weight.grad().defined());
}

void TestResNet::parseNames() {
    QVERIFY(parseResNetDepth(QStringLiteral("ResNet101")) == ResNetDepth::ResNet101);
    QVERIFY(parseResNetDepth(QStringLiteral("50")) == ResNetDepth::ResNet50);
    QVERIFY(!parseResNetDepth(QStringLiteral("resnet51")));
    QString error;
    QVERIFY(!parseTrainability(QStringLiteral("last 6"), &error));
    QVERIFY2(error.contains(QStringLiteral("1 to 5")), qPrintable(error));
    QVERIFY(!parseTrainability(QStringLiteral("some"), &error));
    QVERIFY(error.contains(QStringLiteral("'frozen', 'last N'")));
    QCOMPARE(trainabilityName(*parseTrainability(QStringLiteral("LAST 3"))),
             QStringLiteral("last 3"));
    QVERIFY(parsePrecision(QStringLiteral("BF16")) == Precision::Bf16);
    QVERIFY(!parsePrecision(QStringLiteral("fp16")));
    QVERIFY(parseActivation(QStringLiteral("Leaky_ReLU")) == Activation::LeakyRelu);
    QVERIFY(!parseActivation(QStringLiteral("swish")));
}

void TestResNet::denseActivations_data() {
    QTest::addColumn<QString>("activation");
    for (const char* name : {"none", "relu", "leaky_relu", "gelu", "sigmoid", "tanh"})
        QTest::newRow(name) << QString::fromLatin1(name);
}

void TestResNet::denseActivations() {
    QFETCH(QString, activation);
    DenseOptions options;
    options.inFeatures = 6;
    options.units = 4;
    options.activation = *parseActivation(activation);
    Dense dense(options);
    dense->eval();
    const torch::Tensor input = torch::randn({3, 6});
    const torch::Tensor linear =
        torch::nn::functional::linear(input, dense->linear->weight, dense->linear->bias);
    torch::Tensor expected;
    switch (options.activation) {
    case Activation::None:
        expected = linear;
        break;
    case Activation::Relu:
        expected = torch::relu(linear);
        break;
    case Activation::LeakyRelu:
        expected = torch::where(linear > 0, linear, linear * 0.01);
        break;
    case Activation::Gelu:
        expected = 0.5 * linear * (1 + torch::erf(linear / std::sqrt(2.0)));
        break;
    case Activation::Sigmoid:
        expected = 1 / (1 + torch::exp(-linear));
        break;
    case Activation::Tanh:
        expected = torch::tanh(linear);
        break;
    case Activation::Softmax:
        break;
    }
    QVERIFY(torch::allclose(dense->forward(input), expected, 1e-5, 1e-6));
}

void TestResNet::denseSoftmaxLogitsInTrainingProbabilitiesInEval() {
    DenseOptions options;
    options.inFeatures = 5;
    options.units = 3;
    options.activation = Activation::Softmax;
    Dense dense(options);
    const torch::Tensor input = torch::randn({4, 5}) * 10;
    dense->train();
    const torch::Tensor logits = dense->forward(input);
    QVERIFY(torch::allclose(logits, dense->forwardLogits(input)));
    QVERIFY(!torch::allclose(logits.sum(1), torch::ones({4}))); // not probabilities
    dense->eval();
    const torch::Tensor probabilities = dense->forward(input);
    QVERIFY(torch::allclose(probabilities.sum(1), torch::ones({4}), 1e-5, 1e-6));
    QVERIFY(torch::allclose(probabilities, torch::softmax(logits, 1), 1e-5, 1e-7));
    QVERIFY(torch::allclose(dense->forwardLogits(input), logits)); // logits in eval too
}

void TestResNet::denseFlattensAndDropsOut() {
    DenseOptions options;
    options.inFeatures = 2 * 3 * 4;
    options.units = 5;
    options.dropout = 0.5;
    options.batchNorm = true;
    options.activation = Activation::Relu;
    Dense dense(options);
    QVERIFY(dense->norm);
    QVERIFY(dense->dropout);
    const torch::Tensor input = torch::randn({8, 2, 3, 4});
    dense->eval();
    const torch::Tensor evaluated = dense->forward(input);
    QCOMPARE(evaluated.sizes(), (torch::IntArrayRef{8, 5}));
    QVERIFY(torch::equal(evaluated, dense->forward(input))); // no dropout in eval
    QVERIFY(torch::allclose(evaluated, dense->forward(input.flatten(1))));
    dense->train();
    torch::manual_seed(3);
    const torch::Tensor first = dense->forward(input);
    const torch::Tensor second = dense->forward(input);
    QVERIFY(!torch::equal(first, second)); // dropout draws differ
}

void TestResNet::otherLayers() {
    torch::NoGradGuard noGrad;
    Conv2DOptions convOptions;
    convOptions.inChannels = 3;
    convOptions.filters = 8;
    convOptions.kernelSize = 5;
    convOptions.stride = 2;
    convOptions.activation = Activation::Relu;
    convOptions.padding = 2; // "same" for a 5×5 kernel
    Conv2D same(convOptions);
    QCOMPARE(same->forward(torch::randn({1, 3, 31, 20})).sizes(),
             (torch::IntArrayRef{1, 8, 16, 10}));
    QVERIFY(same->forward(torch::randn({1, 3, 9, 9})).min().item<float>() >= 0.0f);
    convOptions.padding = 0;
    Conv2D valid(convOptions);
    QCOMPARE(valid->forward(torch::randn({1, 3, 31, 20})).sizes(),
             (torch::IntArrayRef{1, 8, 14, 8}));

    MaxPool2DOptions poolOptions;
    poolOptions.poolSize = 3;
    poolOptions.stride = 2;
    poolOptions.samePadding = true;
    MaxPool2D samePool(poolOptions);
    const torch::Tensor negative = -torch::rand({1, 2, 7, 6}) - 1; // padding must never win
    const torch::Tensor pooled = samePool->forward(negative);
    QCOMPARE(pooled.sizes(), (torch::IntArrayRef{1, 2, 4, 3}));
    QVERIFY(pooled.max().item<float>() < -1.0f + 1e-6f);

    GlobalAvgPool global;
    const torch::Tensor maps = torch::randn({2, 4, 3, 5});
    QVERIFY(torch::allclose(global->forward(maps), maps.mean({2, 3})));
    BatchNorm norm2d(4, 3);
    QCOMPARE(norm2d->forward(maps).sizes(), maps.sizes());
    BatchNorm norm1d(6, 1);
    QCOMPARE(norm1d->forward(torch::randn({5, 6})).sizes(), (torch::IntArrayRef{5, 6}));
    Flatten flatten;
    QCOMPARE(flatten->forward(maps).sizes(), (torch::IntArrayRef{2, 60}));
    Dropout dropout(0.3);
    dropout->eval();
    QVERIFY(torch::equal(dropout->forward(maps), maps));
}

void TestResNet::factoryShapes_data() {
    QTest::addColumn<QString>("type");
    QTest::addColumn<QVariantMap>("parameters");
    QTest::addColumn<std::vector<std::int64_t>>("input");
    QTest::addColumn<std::vector<std::int64_t>>("output");
    using Shape = std::vector<std::int64_t>;
    QTest::newRow("ResNet18 avg") << "ResNet"
                                  << QVariantMap{{QStringLiteral("variant"), 18},
                                                 {QStringLiteral("pretrained"),
                                                  QStringLiteral("none")}}
                                  << Shape{3, 64, 64} << Shape{512};
    QTest::newRow("ResNet34 none")
        << "ResNet"
        << QVariantMap{{QStringLiteral("variant"), QStringLiteral("resnet34")},
                       {QStringLiteral("pretrained"), false},
                       {QStringLiteral("pooling"), QStringLiteral("none")},
                       {QStringLiteral("trainable"), QStringLiteral("last 2")}}
        << Shape{3, 70, 90} << Shape{512, 3, 3};
    QTest::newRow("Dense 128 relu")
        << "Dense"
        << QVariantMap{{QStringLiteral("units"), 128},
                       {QStringLiteral("activation"), QStringLiteral("relu")}}
        << Shape{2048} << Shape{128};
    QTest::newRow("Dense flattens")
        << "Dense"
        << QVariantMap{{QStringLiteral("units"), QStringLiteral("2")},
                       {QStringLiteral("activation"), QStringLiteral("softmax")},
                       {QStringLiteral("dropout"), 0.25},
                       {QStringLiteral("batchNorm"), true}}
        << Shape{4, 3, 3} << Shape{2};
    QTest::newRow("Conv2D same") << "Conv2D"
                                 << QVariantMap{{QStringLiteral("filters"), 16},
                                                {QStringLiteral("kernel_size"), 3},
                                                {QStringLiteral("stride"), 2}}
                                 << Shape{3, 33, 32} << Shape{16, 17, 16};
    QTest::newRow("Conv2D valid") << "Conv2D"
                                  << QVariantMap{{QStringLiteral("filters"), 4},
                                                 {QStringLiteral("kernelSize"), 5},
                                                 {QStringLiteral("padding"),
                                                  QStringLiteral("valid")}}
                                  << Shape{3, 12, 10} << Shape{4, 8, 6};
    QTest::newRow("MaxPool2D") << "MaxPool2D" << QVariantMap{} << Shape{8, 9, 10} << Shape{8, 4, 5};
    QTest::newRow("MaxPool2D same")
        << "MaxPool2D"
        << QVariantMap{{QStringLiteral("pool_size"), 3},
                       {QStringLiteral("stride"), 2},
                       {QStringLiteral("padding"), QStringLiteral("same")}}
        << Shape{8, 9, 10} << Shape{8, 5, 5};
    QTest::newRow("GlobalAvgPool")
        << "GlobalAvgPool" << QVariantMap{} << Shape{32, 7, 7} << Shape{32};
    QTest::newRow("BatchNorm 2d") << "BatchNorm" << QVariantMap{} << Shape{32, 7, 7}
                                  << Shape{32, 7, 7};
    QTest::newRow("BatchNorm 1d") << "BatchNorm" << QVariantMap{} << Shape{10} << Shape{10};
    QTest::newRow("Dropout") << "Dropout" << QVariantMap{{QStringLiteral("rate"), 0.2}} << Shape{10}
                             << Shape{10};
    QTest::newRow("Flatten") << "Flatten" << QVariantMap{} << Shape{2, 3, 4} << Shape{24};
    QTest::newRow("Output") << "Output" << QVariantMap{} << Shape{2} << Shape{2};
}

void TestResNet::factoryShapes() {
    QFETCH(QString, type);
    QFETCH(QVariantMap, parameters);
    QFETCH(std::vector<std::int64_t>, input);
    QFETCH(std::vector<std::int64_t>, output);
    ComponentContext context;
    context.weightsDirectory = tc::test::freshDirectory(QStringLiteral("resnet-factory-empty"));
    BuiltComponent built = buildComponent(type, parameters, input, context);
    QVERIFY2(built.ok(), qPrintable(built.error));
    QCOMPARE(built.outputShape, output);
    std::vector<std::int64_t> batchShape = {3};
    batchShape.insert(batchShape.end(), input.begin(), input.end());
    built.module.ptr()->eval();
    torch::NoGradGuard noGrad;
    const torch::Tensor result = built.module.forward(torch::randn(batchShape));
    QCOMPARE(shapeOf(result), output);
    QCOMPARE(built.weights.has_value(), type == QLatin1String("ResNet"));
}

void TestResNet::factoryErrors_data() {
    QTest::addColumn<QString>("type");
    QTest::addColumn<QVariantMap>("parameters");
    QTest::addColumn<std::vector<std::int64_t>>("input");
    QTest::addColumn<QString>("message");
    using Shape = std::vector<std::int64_t>;
    QTest::newRow("unknown type") << "Transformer" << QVariantMap{} << Shape{3}
                                  << "unknown component type 'Transformer'";
    QTest::newRow("dense without units")
        << "Dense" << QVariantMap{} << Shape{3} << "Dense: parameter 'units' is required";
    QTest::newRow("dense zero units")
        << "Dense" << QVariantMap{{QStringLiteral("units"), 0}} << Shape{3}
        << "parameter 'units' must be a whole number of at least 1";
    QTest::newRow("dense bad activation")
        << "Dense"
        << QVariantMap{{QStringLiteral("units"), 2},
                       {QStringLiteral("activation"), QStringLiteral("swish")}}
        << Shape{3} << "'swish' is not one of";
    QTest::newRow("dropout 1") << "Dropout" << QVariantMap{{QStringLiteral("rate"), 1.0}}
                               << Shape{3} << "parameter 'rate' must be a number in [0, 1)";
    QTest::newRow("conv on vector") << "Conv2D" << QVariantMap{{QStringLiteral("filters"), 2}}
                                    << Shape{3} << "needs an image-like input [C, H, W], got [3]";
    QTest::newRow("conv too big") << "Conv2D"
                                  << QVariantMap{{QStringLiteral("filters"), 2},
                                                 {QStringLiteral("kernel_size"), 7},
                                                 {QStringLiteral("padding"),
                                                  QStringLiteral("valid")}}
                                  << Shape{3, 5, 5} << "does not fit a 5×5 input";
    QTest::newRow("resnet grey") << "ResNet" << QVariantMap{{QStringLiteral("pretrained"), false}}
                                 << Shape{1, 64, 64}
                                 << "needs an RGB image input [3, H, W], got [1, 64, 64]";
    QTest::newRow("resnet variant")
        << "ResNet" << QVariantMap{{QStringLiteral("variant"), 42}} << Shape{3, 64, 64}
        << "parameter 'variant' '42' is not one of 18, 34, 50, 101, 152";
    QTest::newRow("resnet trainable")
        << "ResNet" << QVariantMap{{QStringLiteral("trainable"), QStringLiteral("last 9")}}
        << Shape{3, 64, 64} << "'last N' needs N from 1 to 5";
    QTest::newRow("empty dimension")
        << "Flatten" << QVariantMap{} << Shape{3, 0} << "has an empty dimension";
}

void TestResNet::factoryErrors() {
    QFETCH(QString, type);
    QFETCH(QVariantMap, parameters);
    QFETCH(std::vector<std::int64_t>, input);
    QFETCH(QString, message);
    const BuiltComponent built = buildComponent(type, parameters, input);
    QVERIFY(!built.ok());
    QVERIFY(built.module.is_empty());
    QVERIFY2(built.error.contains(message), qPrintable(built.error));
}

void TestResNet::factoryResNetWeights() {
    ComponentContext context;
    context.weightsDirectory = tc::test::freshDirectory(QStringLiteral("resnet-factory-weights"));
    const QVariantMap pretrained{{QStringLiteral("variant"), 18},
                                 {QStringLiteral("pretrained"), QStringLiteral("imagenet")}};
    // No weights: builds anyway, randomly initialised, and says so with the way out.
    BuiltComponent built =
        buildComponent(QStringLiteral("ResNet"), pretrained, {3, 64, 64}, context);
    QVERIFY2(built.ok(), qPrintable(built.error));
    QCOMPARE(built.weights->state, WeightsStatus::State::RandomNoWeights);
    QVERIFY2(built.weights->summary().contains(QStringLiteral("RANDOMLY INITIALISED")),
             qPrintable(built.weights->summary()));
    QVERIFY(
        built.weights->summary().contains(QStringLiteral("torchcanvas weights fetch resnet18")));
    // pretrained none: random by request.
    built = buildComponent(
        QStringLiteral("ResNet"),
        {{QStringLiteral("variant"), 18}, {QStringLiteral("pretrained"), QStringLiteral("none")}},
        {3, 64, 64}, context);
    QCOMPARE(built.weights->state, WeightsStatus::State::RandomRequested);

    // Weights in the folder under an imported name: found and loaded.
    ResNetOptions options;
    options.depth = ResNetDepth::ResNet18;
    ResNet source(options);
    StateDict tensors;
    for (const auto& item : source->named_parameters())
        tensors.insert(item.key(), item.value().detach());
    for (const auto& item : source->named_buffers())
        tensors.insert(item.key(), item.value().detach());
    const QString file =
        context.weightsDirectory + QStringLiteral("/resnet18-0123abcd.safetensors");
    QString error;
    QVERIFY2(writeSafeTensors(file, tensors, {}, &error), qPrintable(error));
    built = buildComponent(QStringLiteral("ResNet"), pretrained, {3, 64, 64}, context);
    QVERIFY2(built.ok(), qPrintable(built.error));
    QCOMPARE(built.weights->state, WeightsStatus::State::Pretrained);
    QCOMPARE(built.weights->file, file);
    auto resnet = built.module.get<ResNet>();
    QVERIFY(torch::equal(resnet->conv1->weight, source->conv1->weight));
    // Frozen by default: no gradients anywhere.
    for (const auto& parameter : resnet->parameters())
        QVERIFY(!parameter.requires_grad());

    // A weights file for another depth: the model still builds, and the status says why
    // it is random.
    context.weightsFile = file;
    built = buildComponent(QStringLiteral("ResNet"), {{QStringLiteral("variant"), 34}}, {3, 64, 64},
                           context);
    QVERIFY2(built.ok(), qPrintable(built.error));
    QCOMPARE(built.weights->state, WeightsStatus::State::RandomLoadFailed);
    QVERIFY(built.weights->summary().contains(QStringLiteral("missing: layer1.2.conv1.weight")));
}

QTEST_GUILESS_MAIN(TestResNet)
#include "tst_resnet.moc"
