// Shape inference for every component and every validation rule.

#include "core/graph/ShapeInference.h"
#include "core/graph/Validation.h"
#include "tst_graphhelpers.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QRandomGenerator>
#include <QtTest>

using namespace tc::graph;
using namespace tc::graph::testing;

using Links = QList<QPair<int, int>>;
Q_DECLARE_METATYPE(tc::graph::ShapeContext)
Q_DECLARE_METATYPE(tc::graph::Severity)
Q_DECLARE_METATYPE(tc::graph::PortSide)
Q_DECLARE_METATYPE(QList<tc::graph::testing::LinkSpec>)

namespace {

QList<NodeSpec> flagshipNodes() {
    return {{component::Input, {}},
            {component::ResNet, {}},
            {component::Dense, {{"units", 128}, {"activation", "relu"}}},
            {component::Dense, {{"units", 64}, {"activation", "relu"}}},
            {component::Dense, {{"units", 2}, {"activation", "softmax"}}},
            {component::Output, {}}};
}

Links chain(int count) {
    Links links;
    for (int i = 0; i + 1 < count; ++i)
        links.append({i, i + 1});
    return links;
}

QString describeProblems(const Validation& validation) {
    QStringList lines;
    for (const Problem& problem : validation.problems) {
        lines.append(QStringLiteral("%1 #%2 %3:%4 %5")
                         .arg(severityName(problem.severity))
                         .arg(problem.node)
                         .arg(int(problem.portSide))
                         .arg(problem.port)
                         .arg(problem.message));
    }
    return lines.join(QLatin1Char('\n'));
}

} // namespace

class TestShapeInference : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void shapeToStringForms();
    void resnetHelpers_data();
    void resnetHelpers();
    void componentShapes_data();
    void componentShapes();
    void matchesPyTorch();
    void flagshipIsValidWithoutProblems();
    void convolutionalModel();
    void validationRules_data();
    void validationRules();
    void problemsDoNotCascade();
    void problemsAreSorted();
    void hugeGraphsStayIterative();
    void mergeShapes_data();
    void mergeShapes();
    void twoBranchModelIsValid();
    void mergeValidation_data();
    void mergeValidation();
};

void TestShapeInference::shapeToStringForms() {
    QCOMPARE(shapeToString({}), QStringLiteral("?"));
    QCOMPARE(shapeToString({2048}), QStringLiteral("[2048]"));
    QCOMPARE(shapeToString({3, 224, 224}), QStringLiteral("[3, 224, 224]"));
}

void TestShapeInference::resnetHelpers_data() {
    QTest::addColumn<int>("size");
    QTest::addColumn<int>("mapSize");
    QTest::newRow("224") << 224 << 7;
    QTest::newRow("256") << 256 << 8;
    QTest::newRow("100") << 100 << 4; // 50, 25, 13, 7, 4
    QTest::newRow("150") << 150 << 5; // 75, 38, 19, 10, 5
    QTest::newRow("33") << 33 << 2;
    QTest::newRow("32") << 32 << 1;
    QTest::newRow("1") << 1 << 1;
}

void TestShapeInference::resnetHelpers() {
    QFETCH(int, size);
    QFETCH(int, mapSize);
    QCOMPARE(resnetFeatureMapSize(size), mapSize);
    QCOMPARE(resnetFeatureCount(QStringLiteral("18")), 512);
    QCOMPARE(resnetFeatureCount(QStringLiteral("34")), 512);
    QCOMPARE(resnetFeatureCount(QStringLiteral("50")), 2048);
    QCOMPARE(resnetFeatureCount(QStringLiteral("101")), 2048);
    QCOMPARE(resnetFeatureCount(QStringLiteral("152")), 2048);
    QCOMPARE(resnetFeatureCount(QStringLiteral("42")), -1);
}

void TestShapeInference::componentShapes_data() {
    QTest::addColumn<QString>("type");
    QTest::addColumn<QVariantMap>("parameters"); // over the defaults
    QTest::addColumn<QList<int>>("input");
    QTest::addColumn<ShapeContext>("context");
    QTest::addColumn<QList<int>>("expected"); // empty: an error
    QTest::addColumn<QString>("error");

    const ShapeContext none;
    ShapeContext preprocessing;
    preprocessing.imageHeight = 256;
    preprocessing.imageWidth = 320;
    ShapeContext threeClasses;
    threeClasses.classCount = 3;
    using Shape = QList<int>;
    auto row = [](const char* name, const QString& type, const QVariantMap& parameters,
                  const Shape& input, const ShapeContext& context, const Shape& expected,
                  const QString& error = {}) {
        QTest::newRow(name) << type << parameters << input << context << expected << error;
    };

    row("Input defaults", "Input", {}, {}, none, {3, 224, 224});
    row("Input parameters", "Input", {{"channels", 1}, {"height", 28}, {"width", 32}}, {}, none,
        {1, 28, 32});
    row("Input from preprocessing", "Input", {}, {}, preprocessing, {3, 256, 320});

    for (const char* variant : {"18", "34", "50", "101", "152"}) {
        const int features =
            QByteArray(variant) == "18" || QByteArray(variant) == "34" ? 512 : 2048;
        QTest::addRow("ResNet%s avg", variant)
            << "ResNet" << QVariantMap{{"variant", variant}} << Shape{3, 224, 224} << none
            << Shape{features} << QString();
        QTest::addRow("ResNet%s max", variant)
            << "ResNet" << QVariantMap{{"variant", variant}, {"pooling", "max"}}
            << Shape{3, 224, 224} << none << Shape{features} << QString();
        QTest::addRow("ResNet%s none", variant)
            << "ResNet" << QVariantMap{{"variant", variant}, {"pooling", "none"}}
            << Shape{3, 224, 224} << none << Shape{features, 7, 7} << QString();
    }
    row("ResNet50 none 100x150", "ResNet", {{"pooling", "none"}}, {3, 100, 150}, none,
        {2048, 4, 5});
    row("ResNet on grayscale", "ResNet", {}, {1, 224, 224}, none, {},
        "ResNet expects 3-channel (RGB) images, but it receives 1 channel(s)");
    row("ResNet on vector", "ResNet", {}, {2048}, none, {},
        "ResNet needs an image-like input [C, H, W], but it receives [2048]; use ResNet with "
        "pooling 'none' or connect it before the pooling");

    row("Dense on vector", "Dense", {{"units", 64}}, {2048}, none, {64});
    row("Dense flattens", "Dense", {{"units", 2}}, {2048, 7, 7}, none, {2});

    row("Dropout vector", "Dropout", {}, {128}, none, {128});
    row("Dropout map", "Dropout", {}, {16, 8, 8}, none, {16, 8, 8});

    row("Flatten map", "Flatten", {}, {2048, 7, 7}, none, {100352});
    row("Flatten vector", "Flatten", {}, {10}, none, {10});
    row("Flatten overflow", "Flatten", {}, {64, 8192, 8192}, none, {},
        "Flatten of [64, 8192, 8192] gives more than 2147483647 values");

    row("BatchNorm vector", "BatchNorm", {}, {64}, none, {64});
    row("BatchNorm map", "BatchNorm", {}, {16, 32, 32}, none, {16, 32, 32});
    row("BatchNorm rank 2", "BatchNorm", {}, {4, 4}, none, {},
        "BatchNorm needs [N] or [C, H, W], not [4, 4]");

    row("Conv2D same", "Conv2D", {{"filters", 16}}, {3, 32, 32}, none, {16, 32, 32});
    row("Conv2D valid", "Conv2D", {{"filters", 8}, {"kernelSize", 5}, {"padding", 0}}, {1, 28, 28},
        none, {8, 24, 24});
    row("Conv2D strided", "Conv2D",
        {{"filters", 64}, {"kernelSize", 7}, {"stride", 2}, {"padding", 3}}, {3, 224, 224}, none,
        {64, 112, 112});
    row("Conv2D odd", "Conv2D", {{"kernelSize", 3}, {"stride", 2}, {"padding", 0}}, {3, 10, 7},
        none, {32, 4, 3});
    row("Conv2D kernel too large", "Conv2D", {{"kernelSize", 7}, {"padding", 0}}, {3, 4, 4}, none,
        {}, "the 7\u00d77 kernel does not fit the 4\u00d74 input with padding 0");
    row("Conv2D on vector", "Conv2D", {}, {128}, none, {},
        "Conv2D needs an image-like input [C, H, W], but it receives [128]; use ResNet with "
        "pooling 'none' or connect it before the pooling");

    row("MaxPool2D default", "MaxPool2D", {}, {16, 32, 32}, none, {16, 16, 16});
    row("MaxPool2D odd", "MaxPool2D", {}, {16, 7, 9}, none, {16, 3, 4});
    row("MaxPool2D 3/2/1", "MaxPool2D", {{"poolSize", 3}, {"stride", 2}, {"padding", 1}},
        {64, 112, 112}, none, {64, 56, 56});
    row("MaxPool2D padding too large", "MaxPool2D", {{"poolSize", 2}, {"padding", 2}}, {16, 32, 32},
        none, {}, "MaxPool2D padding 2 is more than half the 2\u00d72 window");
    row("MaxPool2D window too large", "MaxPool2D", {{"poolSize", 5}}, {16, 3, 3}, none, {},
        "the 5\u00d75 window does not fit the 3\u00d73 input with padding 0");

    row("GlobalAvgPool", "GlobalAvgPool", {}, {2048, 7, 7}, none, {2048});
    row("GlobalAvgPool on vector", "GlobalAvgPool", {}, {2048}, none, {},
        "GlobalAvgPool needs an image-like input [C, H, W], but it receives [2048]; use ResNet "
        "with pooling 'none' or connect it before the pooling");

    row("Output unknown classes", "Output", {}, {2}, none, {2});
    row("Output matching classes", "Output", {}, {3}, threeClasses, {3});
    row("Output class mismatch", "Output", {}, {2}, threeClasses, {},
        "the data set has 3 classes but Output receives 2 values; give the last layer 3 units");
    row("Output one value", "Output", {}, {1}, none, {},
        "Output needs at least 2 values (one per class), not 1");
    row("Output on map", "Output", {}, {2048, 7, 7}, none, {},
        "Output needs a vector with one value per class, but it receives [2048, 7, 7]; add "
        "Flatten, GlobalAvgPool or a Dense layer before it");

    row("unknown component", "Mystery", {}, {3}, none, {}, "unknown component 'Mystery'");
}

void TestShapeInference::componentShapes() {
    QFETCH(QString, type);
    QFETCH(QVariantMap, parameters);
    QFETCH(QList<int>, input);
    QFETCH(ShapeContext, context);
    QFETCH(QList<int>, expected);
    QFETCH(QString, error);

    QVariantMap values = parameters;
    if (const ComponentSpec* spec = ComponentRegistry::instance().find(type)) {
        for (auto it = parameters.constBegin(); it != parameters.constEnd(); ++it)
            QVERIFY2(spec->parameter(it.key())->check(it.value()).isEmpty(), qPrintable(it.key()));
        values = spec->effectiveParameters(parameters);
    }
    QString message;
    const Shape shape = inferOutputShape(type, values, input, context, &message);
    QCOMPARE(shape, expected);
    QCOMPARE(message, error);
}

// The size rules against PyTorch itself: random Conv2d/MaxPool2d configurations and
// torchvision's ResNets at several input sizes.
void TestShapeInference::matchesPyTorch() {
    QRandomGenerator random(7);
    QJsonArray cases;
    struct Expected {
        QString what;
        QList<int> shape; // empty: our rule says "does not fit"
    };
    QList<Expected> ours;
    constexpr int LayerCases = 300;
    for (int i = 0; i < LayerCases; ++i) {
        const bool conv = i % 2 == 0;
        const int height = random.bounded(1, 40);
        const int width = random.bounded(1, 40);
        const int kernel = random.bounded(1, 8);
        const int stride = random.bounded(1, 5);
        // PyTorch's max pool requires padding <= kernel / 2; our validation reports the rest.
        const int padding = random.bounded(0, conv ? 4 : kernel / 2 + 1);
        cases.append(QJsonObject{{"kind", conv ? "conv" : "maxpool"},
                                 {"size", QJsonArray{height, width}},
                                 {"kernel", kernel},
                                 {"stride", stride},
                                 {"padding", padding}});
        const int h = convolutionOutputSize(height, kernel, stride, padding);
        const int w = convolutionOutputSize(width, kernel, stride, padding);
        ours.append({QStringLiteral("%1 %2x%3 k%4 s%5 p%6")
                         .arg(conv ? "conv" : "maxpool")
                         .arg(height)
                         .arg(width)
                         .arg(kernel)
                         .arg(stride)
                         .arg(padding),
                     h > 0 && w > 0 ? QList<int>{h, w} : QList<int>{}});
    }
    // Sizes: the standard one, odd sides (ceil at every stride-2 stage), and degenerate ones.
    for (const char* variant : {"18", "50"}) {
        for (const auto& [height, width] :
             QList<QPair<int, int>>{{224, 224}, {100, 150}, {33, 47}, {1, 1}}) {
            cases.append(QJsonObject{
                {"kind", "resnet"}, {"variant", variant}, {"size", QJsonArray{height, width}}});
            const ComponentSpec* spec = ComponentRegistry::instance().find(component::ResNet);
            QString error;
            const Shape shape = inferOutputShape(
                component::ResNet,
                spec->effectiveParameters({{"variant", variant}, {"pooling", "none"}}),
                {3, height, width}, {}, &error);
            ours.append(
                {QStringLiteral("resnet%1 %2x%3").arg(variant).arg(height).arg(width), shape});
        }
    }
    for (const char* variant : {"18", "34", "50", "101", "152"}) {
        cases.append(QJsonObject{{"kind", "features"}, {"variant", variant}});
        ours.append({QStringLiteral("resnet%1 features").arg(variant),
                     {resnetFeatureCount(QString::fromLatin1(variant))}});
    }

    QProcess python;
    python.start(QStringLiteral(TORCHCANVAS_PYTHON),
                 {QStringLiteral(TORCHCANVAS_SOURCE_DIR "/tests/tools/graph_shapes.py")});
    if (!python.waitForStarted(10'000))
        QSKIP("the Python reference oracle is not available");
    python.write(QJsonDocument(cases).toJson(QJsonDocument::Compact));
    python.closeWriteChannel();
    QVERIFY(python.waitForFinished(120'000));
    QVERIFY2(python.exitCode() == 0, python.readAllStandardError().constData());
    const QJsonArray reference = QJsonDocument::fromJson(python.readAllStandardOutput()).array();
    QCOMPARE(reference.size(), ours.size());
    int compared = 0;
    for (int i = 0; i < ours.size(); ++i) {
        QList<int> expected;
        for (const QJsonValue& value : reference.at(i).toArray())
            expected.append(value.toInt());
        QVERIFY2(ours[i].shape == expected,
                 qPrintable(QStringLiteral("%1: ours %2, PyTorch %3")
                                .arg(ours[i].what, shapeToString(ours[i].shape),
                                     shapeToString(expected))));
        ++compared;
    }
    qInfo("%d shapes match PyTorch/torchvision", compared);
}

void TestShapeInference::flagshipIsValidWithoutProblems() {
    Graph graph;
    const QList<NodeId> ids = build(graph, flagshipNodes(), chain(6));
    ShapeContext context;
    context.classCount = 2;
    context.dataset = ShapeContext::Dataset::Present;
    context.imageHeight = 224;
    context.imageWidth = 224;
    const Validation validation = validate(graph, context);
    QVERIFY2(validation.problems.isEmpty(), qPrintable(describeProblems(validation)));
    QVERIFY(validation.isValid());
    QCOMPARE(validation.shape(ids[0]), (Shape{3, 224, 224}));
    QCOMPARE(validation.shape(ids[1]), (Shape{2048}));
    QCOMPARE(validation.shape(ids[2]), (Shape{128}));
    QCOMPARE(validation.shape(ids[3]), (Shape{64}));
    QCOMPARE(validation.shape(ids[4]), (Shape{2}));
    QCOMPARE(validation.shape(ids[5]), (Shape{2}));
}

void TestShapeInference::convolutionalModel() {
    Graph graph;
    const QList<NodeId> ids =
        build(graph,
              {{component::Input, {{"channels", 3}, {"height", 64}, {"width", 48}}},
               {component::Conv2D, {{"filters", 16}}},
               {component::BatchNorm, {}},
               {component::MaxPool2D, {}},
               {component::Conv2D, {{"filters", 32}, {"stride", 2}}},
               {component::Dropout, {{"rate", 0.2}}},
               {component::Flatten, {}},
               {component::Dense, {{"units", 10}, {"activation", "none"}, {"batchNorm", true}}},
               {component::Output, {}}},
              chain(9));
    ShapeContext context;
    context.classCount = 10;
    const Validation validation = validate(graph, context);
    QVERIFY2(validation.problems.isEmpty(), qPrintable(describeProblems(validation)));
    const QList<Shape> expected = {{3, 64, 48},  {16, 64, 48}, {16, 64, 48},
                                   {16, 32, 24}, {32, 16, 12}, {32, 16, 12},
                                   {6144},       {10},         {10}};
    for (int i = 0; i < ids.size(); ++i)
        QCOMPARE(validation.shape(ids[i]), expected[i]);
}

void TestShapeInference::validationRules_data() {
    QTest::addColumn<QList<NodeSpec>>("nodes");
    QTest::addColumn<Links>("links");
    QTest::addColumn<ShapeContext>("context");
    QTest::addColumn<Severity>("severity");
    QTest::addColumn<int>("nodeIndex"); // -1: the whole graph
    QTest::addColumn<PortSide>("portSide");
    QTest::addColumn<int>("port");
    QTest::addColumn<QString>("message");

    const ShapeContext none;
    const QList<NodeSpec> flagship = flagshipNodes();
    const Links flagshipLinks = chain(6);
    auto modified = [&](int index, const QVariantMap& parameters) {
        QList<NodeSpec> nodes = flagship;
        for (auto it = parameters.constBegin(); it != parameters.constEnd(); ++it)
            nodes[index].parameters.insert(it.key(), it.value());
        return nodes;
    };
    auto plus = [&](const QList<NodeSpec>& extra) {
        return flagship + extra;
    };
    const auto E = Severity::Error;
    const auto W = Severity::Warning;
    const auto noPort = PortSide::None;
    const auto in = PortSide::Input;
    const auto out = PortSide::Output;

    QTest::newRow("unknown component")
        << QList<NodeSpec>{{component::Input, {}}, {"Mystery", {}}, {component::Output, {}}}
        << Links{{0, 1}, {1, 2}} << none << E << 1 << noPort << -1
        << "unknown component 'Mystery'; this version cannot build it";
    QTest::newRow("parameter out of range")
        << modified(2, {{"units", 0}}) << flagshipLinks << none << E << 2 << noPort << -1
        << "units must be a whole number between 1 and 65536, not 0";
    QTest::newRow("parameter of the wrong type")
        << modified(1, {{"pretrained", true}}) << flagshipLinks << none << E << 1 << noPort << -1
        << "pretrained must be one of imagenet, none, not true";
    QTest::newRow("unknown choice")
        << modified(1, {{"pooling", "median"}}) << flagshipLinks << none << E << 1 << noPort << -1
        << "pooling must be one of avg, max, none, not 'median'";
    QTest::newRow("unknown parameter")
        << modified(2, {{"colour", "red"}}) << flagshipLinks << none << W << 2 << noPort << -1
        << "unknown parameter 'colour' is ignored";
    QTest::newRow("unconnected input") << flagship << Links{{0, 1}, {1, 2}, {3, 4}, {4, 5}} << none
                                       << E << 3 << in << 0 << "input 'in' is not connected";
    QTest::newRow("two links into one input")
        << plus({{component::Input, {}}}) << flagshipLinks + Links{{6, 1}} << none << E << 1 << in
        << 0 << "input 'in' has 2 links; it accepts one";
    QTest::newRow("cycle")
        << QList<NodeSpec>{{component::Input, {}},
                           {component::Dense, {}},
                           {component::Dense, {}},
                           {component::Output, {}}}
        << Links{{1, 2}, {2, 1}, {2, 3}} << none << E << 1 << noPort << -1
        << "is part of a cycle (#2, #3); links must flow one way, from Input to Output";
    QTest::newRow("no Output") << flagship.mid(0, 5) << chain(5) << none << E << -1 << noPort << -1
                               << "the model has no Output";
    QTest::newRow("no Input") << flagship.mid(1) << chain(5) << none << E << -1 << noPort << -1
                              << "the model has no Input";
    QTest::newRow("more than one Output")
        << plus({{component::Output, {}}}) << flagshipLinks + Links{{4, 6}} << none << E << 6
        << noPort << -1 << "more than one Output (#6, #7); a model has exactly one";
    QTest::newRow("more than one Input")
        << plus({{component::Input, {}}}) << flagshipLinks << none << E << 0 << noPort << -1
        << "more than one Input (#1, #7); a model has exactly one";
    QTest::newRow("vector into Conv2D")
        << QList<NodeSpec>{{component::Input, {}},
                           {component::ResNet, {}},
                           {component::Conv2D, {}},
                           {component::GlobalAvgPool, {}},
                           {component::Dense, {{"units", 2}, {"activation", "none"}}},
                           {component::Output, {}}}
        << chain(6) << none << E << 2 << in << 0
        << "Conv2D needs an image-like input [C, H, W], but it receives [2048]; use ResNet with "
           "pooling 'none' or connect it before the pooling";
    ShapeContext threeClasses;
    threeClasses.classCount = 3;
    QTest::newRow("final Dense has 2 units, data has 3 classes")
        << flagship << flagshipLinks << threeClasses << E << 5 << in << 0
        << "the data set has 3 classes but Output receives 2 values; give the last layer 3 units";
    QTest::newRow("Output with one value")
        << modified(4, {{"units", 1}}) << flagshipLinks << none << E << 5 << in << 0
        << "Output needs at least 2 values (one per class), not 1";
    QTest::newRow("feature map into Output")
        << QList<NodeSpec>{{component::Input, {}},
                           {component::ResNet, {{"pooling", "none"}}},
                           {component::Output, {}}}
        << chain(3) << none << E << 2 << in << 0
        << "Output needs a vector with one value per class, but it receives [2048, 7, 7]; add "
           "Flatten, GlobalAvgPool or a Dense layer before it";
    QTest::newRow("softmax before the last layer")
        << modified(2, {{"activation", "softmax"}}) << flagshipLinks << none << E << 2 << noPort
        << -1
        << "softmax belongs only on the last layer (the one linked to Output); use another "
           "activation here";
    QTest::newRow("kernel larger than the image")
        << QList<NodeSpec>{{component::Input, {{"height", 4}, {"width", 4}}},
                           {component::Conv2D, {{"kernelSize", 7}, {"padding", 0}}},
                           {component::GlobalAvgPool, {}},
                           {component::Dense, {{"units", 2}, {"activation", "none"}}},
                           {component::Output, {}}}
        << chain(5) << none << E << 1 << in << 0
        << "the 7\u00d77 kernel does not fit the 4\u00d74 input with padding 0";
    QTest::newRow("max pool padding over half the window")
        << QList<NodeSpec>{{component::Input, {}},
                           {component::MaxPool2D, {{"poolSize", 2}, {"padding", 2}}},
                           {component::GlobalAvgPool, {}},
                           {component::Dense, {{"units", 2}, {"activation", "none"}}},
                           {component::Output, {}}}
        << chain(5) << none << E << 1 << in << 0
        << "MaxPool2D padding 2 is more than half the 2\u00d72 window";
    QTest::newRow("ResNet on grayscale")
        << modified(0, {{"channels", 1}}) << flagshipLinks << none << E << 1 << in << 0
        << "ResNet expects 3-channel (RGB) images, but it receives 1 channel(s)";
    QTest::newRow("disconnected island")
        << plus({{component::Dropout, {}}, {component::Dense, {}}}) << flagshipLinks + Links{{6, 7}}
        << none << W << 7 << noPort << -1
        << "is not connected to the rest of the model and is ignored";
    QTest::newRow("unused output")
        << plus({{component::Dense, {}}}) << flagshipLinks + Links{{1, 6}} << none << W << 6 << out
        << 0 << "output 'out' is not connected to anything";
    QTest::newRow("relu on the last layer")
        << modified(4, {{"activation", "relu"}}) << flagshipLinks << none << W << 4 << noPort << -1
        << "the last layer uses the relu activation, which distorts class scores; use none "
           "or softmax";
    ShapeContext missing;
    missing.dataset = ShapeContext::Dataset::Missing;
    missing.datasetPath = QStringLiteral("/nowhere/dataset.csv");
    QTest::newRow("data set missing")
        << flagship << flagshipLinks << missing << W << 0 << noPort << -1
        << "the data set '/nowhere/dataset.csv' does not exist (yet); training needs it";
    ShapeContext larger;
    larger.imageHeight = 256;
    larger.imageWidth = 256;
    QTest::newRow("Input differs from preprocessing")
        << flagship << flagshipLinks << larger << W << 0 << noPort << -1
        << "its size [3, 224, 224] differs from the data set settings, [3, 256, 256], which are "
           "used";
}

void TestShapeInference::validationRules() {
    QFETCH(QList<NodeSpec>, nodes);
    QFETCH(Links, links);
    QFETCH(ShapeContext, context);
    QFETCH(Severity, severity);
    QFETCH(int, nodeIndex);
    QFETCH(PortSide, portSide);
    QFETCH(int, port);
    QFETCH(QString, message);

    Graph graph;
    const QList<NodeId> ids = build(graph, nodes, links);
    QCOMPARE(graph.linkCount(), links.size());
    const Validation validation = validate(graph, context);
    const Problem expected{severity, nodeIndex < 0 ? InvalidId : ids[nodeIndex], portSide, port,
                           message};
    QVERIFY2(validation.problems.contains(expected),
             qPrintable(QStringLiteral("expected:\n%1 #%2 %3:%4 %5\ngot:\n%6")
                            .arg(severityName(severity))
                            .arg(expected.node)
                            .arg(int(portSide))
                            .arg(port)
                            .arg(message, describeProblems(validation))));
    QCOMPARE(validation.isValid(), validation.errorCount() == 0);
    if (severity == Severity::Error)
        QVERIFY(!validation.isValid());
}

void TestShapeInference::problemsDoNotCascade() {
    Graph graph;
    const QList<NodeId> ids = build(graph, flagshipNodes(), {{1, 2}, {2, 3}, {3, 4}, {4, 5}});
    const Validation validation = validate(graph);
    // One cause, one error: ResNet's input. Input is then an island of its own.
    QCOMPARE(validation.errorCount(), 1);
    QCOMPARE(validation.problemsFor(ids[0]),
             (QList<Problem>{{Severity::Warning, ids[0], PortSide::None, -1,
                              QStringLiteral("is not connected to the rest of the model and is "
                                             "ignored")}}));
    const QList<Problem> resnet = validation.problemsFor(ids[1]);
    QCOMPARE(resnet.size(), 1);
    QCOMPARE(resnet.first().message, QStringLiteral("input 'in' is not connected"));
    QCOMPARE(validation.shape(ids[0]), (Shape{3, 224, 224}));
    for (int i = 1; i < ids.size(); ++i)
        QCOMPARE(validation.shape(ids[i]), Shape());

    // A parameter error stops inference at that node, without errors further down.
    Graph bad;
    QList<NodeSpec> nodes = flagshipNodes();
    nodes[2].parameters.insert(QStringLiteral("units"), -5);
    const QList<NodeId> badIds = build(bad, nodes, chain(6));
    ShapeContext context;
    context.classCount = 2;
    const Validation broken = validate(bad, context);
    QCOMPARE(broken.errorCount(), 1);
    QCOMPARE(broken.shape(badIds[1]), (Shape{2048}));
    QCOMPARE(broken.shape(badIds[2]), Shape());
    QCOMPARE(broken.shape(badIds[5]), Shape());
}

void TestShapeInference::problemsAreSorted() {
    Graph graph;
    // No Output (graph-wide), a softmax in the middle (error, node 2), an island (warning).
    build(graph,
          {{component::Input, {}},
           {component::Dense, {{"activation", "softmax"}}},
           {component::Dense, {{"activation", "relu"}, {"colour", 1}}},
           {component::Dropout, {}}},
          {{0, 1}, {1, 2}});
    const Validation validation = validate(graph);
    QVERIFY(validation.problems.size() >= 4);
    QCOMPARE(validation.problems.first().node, InvalidId);
    for (int i = 1; i < validation.problems.size(); ++i) {
        const Problem& a = validation.problems[i - 1];
        const Problem& b = validation.problems[i];
        QVERIFY(a.node <= b.node);
        if (a.node == b.node)
            QVERIFY(!(a.severity == Severity::Warning && b.severity == Severity::Error));
    }
    QCOMPARE(validation.problemsFor(3).size(), 2); // unknown parameter, unused output
}

// A hostile file can hold a very long chain or cycle; every algorithm must be iterative.
void TestShapeInference::hugeGraphsStayIterative() {
    constexpr int Length = 50'000;
    Graph graph;
    graph.addNode(component::Input);
    for (int i = 0; i < Length; ++i)
        graph.addNode(component::Dropout);
    graph.addNode(component::Flatten);
    graph.addNode(component::Dense, {}, {{"units", 2}, {"activation", "none"}});
    graph.addNode(component::Output);
    for (int id = 1; id < graph.nextNodeId() - 1; ++id)
        QVERIFY(graph.insertLink(Link{id, {id, 0}, {id + 1, 0}}));
    Validation validation = validate(graph);
    QVERIFY2(validation.isValid(), qPrintable(describeProblems(validation).left(500)));
    QCOMPARE(validation.shape(graph.nextNodeId() - 1), (Shape{2}));
    QCOMPARE(validation.shape(graph.nextNodeId() - 3), (Shape{150528}));

    // Close a cycle over the whole Dropout chain.
    graph.removeLink(1);
    QVERIFY(graph.insertLink(Link{graph.nextLinkId(), {Length + 1, 0}, {2, 0}}));
    validation = validate(graph);
    int cycleErrors = 0;
    for (const Problem& problem : validation.problems)
        cycleErrors += problem.message.startsWith(QStringLiteral("is part of a cycle"));
    QCOMPARE(cycleErrors, Length);
    bool acyclic = true;
    graph.topologicalOrder(&acyclic);
    QVERIFY(!acyclic);
    QVERIFY(graph.reaches(2, Length + 1));
    QVERIFY(graph.reaches(Length + 1, 2));
}

void TestShapeInference::mergeShapes_data() {
    QTest::addColumn<QString>("type");
    QTest::addColumn<QList<Shape>>("inputs");
    QTest::addColumn<Shape>("expected");
    QTest::addColumn<QString>("error");

    const QString add = component::Add;
    const QString concatenate = component::Concatenate;
    QTest::newRow("Add two vectors")
        << add << QList<Shape>{{128}, {128}} << Shape{128} << QString();
    QTest::newRow("Add three feature maps")
        << add << QList<Shape>{{64, 7, 7}, {64, 7, 7}, {64, 7, 7}} << Shape{64, 7, 7} << QString();
    QTest::newRow("Add mismatched") << add << QList<Shape>{{128}, {64}} << Shape()
                                    << "Add needs inputs of one shape, but input 1 receives [128] "
                                       "and input 2 receives [64]";
    QTest::newRow("Add mismatched third")
        << add << QList<Shape>{{8, 4, 4}, {8, 4, 4}, {8, 2, 2}} << Shape()
        << "Add needs inputs of one shape, but input 1 receives [8, 4, 4] and input 3 receives "
           "[8, 2, 2]";
    QTest::newRow("Concatenate vectors")
        << concatenate << QList<Shape>{{128}, {64}} << Shape{192} << QString();
    QTest::newRow("Concatenate channels")
        << concatenate << QList<Shape>{{64, 7, 7}, {32, 7, 7}, {1, 7, 7}} << Shape{97, 7, 7}
        << QString();
    QTest::newRow("Concatenate ranks differ")
        << concatenate << QList<Shape>{{64}, {32, 7, 7}} << Shape()
        << "Concatenate needs inputs of one rank, but input 1 receives [64] and input 2 receives "
           "[32, 7, 7]";
    QTest::newRow("Concatenate sizes differ")
        << concatenate << QList<Shape>{{64, 7, 7}, {64, 14, 14}} << Shape()
        << "Concatenate joins along channels, so every input needs the same height and width, "
           "but input 1 receives [64, 7, 7] and input 2 receives [64, 14, 14]";
    QTest::newRow("Concatenate matrix") << concatenate << QList<Shape>{{4, 4}, {4, 4}} << Shape()
                                        << "Concatenate joins vectors [N] or feature maps [C, H, "
                                           "W], but input 1 receives [4, 4]";
    QTest::newRow("Concatenate unknown input")
        << concatenate << QList<Shape>{{64}, {}} << Shape() << "Concatenate has no input shape";
    QTest::newRow("GELU keeps the shape")
        << QString(component::Gelu) << QList<Shape>{{32, 5, 5}} << Shape{32, 5, 5} << QString();
}

void TestShapeInference::mergeShapes() {
    QFETCH(QString, type);
    QFETCH(QList<Shape>, inputs);
    QFETCH(Shape, expected);
    QFETCH(QString, error);
    QString message;
    const Shape output = inferOutputShape(type, {}, inputs, ShapeContext(), &message);
    QCOMPARE(output, expected);
    QCOMPARE(message, error);
    // The single-input form agrees for one-input components.
    if (inputs.size() == 1)
        QCOMPARE(inferOutputShape(type, {}, inputs.first(), ShapeContext(), nullptr), expected);
}

void TestShapeInference::twoBranchModelIsValid() {
    Graph graph;
    const QList<NodeId> ids = buildTwoBranch(graph);
    ShapeContext context;
    context.classCount = 2;
    context.dataset = ShapeContext::Dataset::Present;
    const Validation validation = validate(graph, context);
    QVERIFY2(validation.problems.isEmpty(), qPrintable(describeProblems(validation)));
    QCOMPARE(validation.shape(ids[1]), (Shape{512}));
    QCOMPARE(validation.shape(ids[2]), (Shape{128}));
    QCOMPARE(validation.shape(ids[3]), (Shape{64}));
    QCOMPARE(validation.shape(ids[4]), (Shape{192}));
    QCOMPARE(validation.shape(ids[5]), (Shape{2}));
    QCOMPARE(ComponentRegistry::describe(component::Concatenate, {}),
             QStringLiteral("Concatenate"));
}

void TestShapeInference::mergeValidation_data() {
    QTest::addColumn<QList<NodeSpec>>("nodes");
    QTest::addColumn<QList<LinkSpec>>("links");
    QTest::addColumn<int>("nodeIndex");
    QTest::addColumn<int>("port");
    QTest::addColumn<QString>("message");

    const NodeSpec input{component::Input, {}};
    const NodeSpec resnet{component::ResNet, {{"variant", "18"}}};
    const NodeSpec dense128{component::Dense, {{"units", 128}}};
    const NodeSpec dense64{component::Dense, {{"units", 64}}};
    const NodeSpec head{component::Dense, {{"units", 2}, {"activation", "softmax"}}};
    const NodeSpec output{component::Output, {}};
    const NodeSpec add{component::Add, {}};
    const NodeSpec concatenate{component::Concatenate, {}};
    using L = QList<LinkSpec>;

    QTest::newRow("Add of 128 and 64")
        << QList<NodeSpec>{input, resnet, dense128, dense64, add, head, output}
        << L{{0, 1}, {1, 2}, {1, 3}, {2, 4, 0}, {3, 4, 1}, {4, 5}, {5, 6}} << 4 << 0
        << "Add needs inputs of one shape, but input 1 receives [128] and input 2 receives [64]";
    QTest::newRow("Add with one input")
        << QList<NodeSpec>{input, resnet, dense128, add, head, output}
        << L{{0, 1}, {1, 2}, {2, 3, 0}, {3, 4}, {4, 5}} << 3 << 0
        << "Add needs at least 2 inputs, but only one is connected";
    QTest::newRow("Concatenate with none")
        << QList<NodeSpec>{input, resnet, concatenate, head, output} << L{{0, 1}, {3, 4}, {2, 3}}
        << 2 << 0 << "Concatenate needs at least 2 inputs, but none are connected";
    QTest::newRow("Concatenate of a vector and a feature map")
        << QList<NodeSpec>{input, resnet, concatenate, head, output}
        << L{{0, 1}, {1, 2, 0}, {0, 2, 1}, {2, 3}, {3, 4}} << 2 << 0
        << "Concatenate needs inputs of one rank, but input 1 receives [512] and input 2 "
           "receives [3, 224, 224]";
    QTest::newRow("one port linked twice")
        << QList<NodeSpec>{input, resnet, dense128, dense64, add, head, output}
        << L{{0, 1}, {1, 2}, {1, 3}, {2, 4, 1}, {3, 4, 1}, {4, 5}, {5, 6}} << 4 << 1
        << "input 'in 2' has 2 links; it accepts one";
}

void TestShapeInference::mergeValidation() {
    QFETCH(QList<NodeSpec>, nodes);
    QFETCH(QList<LinkSpec>, links);
    QFETCH(int, nodeIndex);
    QFETCH(int, port);
    QFETCH(QString, message);

    Graph graph;
    const QList<NodeId> ids = buildDag(graph, nodes, links);
    QCOMPARE(graph.linkCount(), links.size());
    ShapeContext context;
    context.classCount = 2;
    const Validation validation = validate(graph, context);
    const Problem expected{Severity::Error, ids[nodeIndex], PortSide::Input, port, message};
    QVERIFY2(validation.problems.contains(expected),
             qPrintable(QStringLiteral("expected: #%1 %2 %3\ngot:\n%4")
                            .arg(expected.node)
                            .arg(port)
                            .arg(message, describeProblems(validation))));
    QVERIFY(!validation.isValid());
    // No shape for the broken merge, and none cascades: the next layer reports nothing of its
    // own about shapes.
    QVERIFY(validation.shape(ids[nodeIndex]).isEmpty());
    for (const Problem& problem : validation.problemsFor(ids[nodeIndex + 1]))
        QVERIFY2(problem.severity != Severity::Error, qPrintable(problem.message));
}

QTEST_GUILESS_MAIN(TestShapeInference)
#include "tst_shapeinference.moc"
