// The component registry: the table every other part of the editor reads.

#include "core/graph/ComponentRegistry.h"

#include <cmath>
#include <limits>
#include <QRegularExpression>
#include <QtTest>

using namespace tc::graph;

class TestComponentRegistry : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void components_data();
    void components();
    void noOtherComponents();
    void categoriesInPaletteOrder();
    void everyCategoryHasOneColour();
    void defaultsAreValid();
    void parameterTable_data();
    void parameterTable();
    void check_data();
    void check();
    void coerce_data();
    void coerce();
    void effectiveParameters();
    void describe_data();
    void describe();
};

void TestComponentRegistry::components_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("category");
    QTest::addColumn<QString>("icon");
    QTest::addColumn<int>("inputs");
    QTest::addColumn<int>("outputs");
    QTest::addColumn<QStringList>("parameters");

    const QString io = QStringLiteral("Input and output");
    QTest::newRow("Input") << "Input" << io << "input" << 0 << 1
                           << QStringList{"channels", "height", "width"};
    QTest::newRow("ResNet") << "ResNet"
                            << "Backbones"
                            << "resnet" << 1 << 1
                            << QStringList{"variant", "pretrained", "trainable", "trainableStages",
                                           "pooling"};
    QTest::newRow("Dense") << "Dense"
                           << "Layers"
                           << "dense" << 1 << 1
                           << QStringList{"units", "activation", "dropout", "batchNorm"};
    QTest::newRow("Dropout") << "Dropout"
                             << "Layers"
                             << "dropout" << 1 << 1 << QStringList{"rate"};
    QTest::newRow("Flatten") << "Flatten"
                             << "Layers"
                             << "flatten" << 1 << 1 << QStringList{};
    QTest::newRow("BatchNorm") << "BatchNorm"
                               << "Layers"
                               << "batchnorm" << 1 << 1 << QStringList{"momentum", "epsilon"};
    QTest::newRow("Conv2D") << "Conv2D"
                            << "Convolution"
                            << "conv2d" << 1 << 1
                            << QStringList{"filters", "kernelSize", "stride", "padding",
                                           "activation"};
    QTest::newRow("MaxPool2D") << "MaxPool2D"
                               << "Convolution"
                               << "maxpool2d" << 1 << 1
                               << QStringList{"poolSize", "stride", "padding"};
    QTest::newRow("GlobalAvgPool") << "GlobalAvgPool"
                                   << "Convolution"
                                   << "globalavgpool" << 1 << 1 << QStringList{};
    QTest::newRow("Output") << "Output" << io << "output" << 1 << 0 << QStringList{};
    // Descriptor components (core/graph/components/): a merge's one input is a variadic row.
    QTest::newRow("Add") << "Add"
                         << "Merge"
                         << "add" << 1 << 1 << QStringList{};
    QTest::newRow("Concatenate") << "Concatenate"
                                 << "Merge"
                                 << "concatenate" << 1 << 1 << QStringList{};
    QTest::newRow("GELU") << "GELU"
                          << "Layers"
                          << "gelu" << 1 << 1 << QStringList{};
}

void TestComponentRegistry::components() {
    QFETCH(QString, name);
    QFETCH(QString, category);
    QFETCH(QString, icon);
    QFETCH(int, inputs);
    QFETCH(int, outputs);
    QFETCH(QStringList, parameters);

    const ComponentSpec* spec = ComponentRegistry::instance().find(name);
    QVERIFY(spec);
    QCOMPARE(spec->name, name);
    QCOMPARE(spec->category, category);
    QCOMPARE(spec->iconName, icon);
    QCOMPARE(spec->iconPath(), QStringLiteral(":/icons/components/%1.svg").arg(icon));
    QVERIFY(!spec->description.isEmpty());
    QCOMPARE(spec->inputs.size(), inputs);
    QCOMPARE(spec->outputs.size(), outputs);
    QStringList names;
    for (const ParameterSpec& parameter : spec->parameters) {
        names.append(parameter.name);
        QVERIFY2(!parameter.label.isEmpty(), qPrintable(parameter.name));
        QVERIFY2(!parameter.description.isEmpty(), qPrintable(parameter.name));
        QCOMPARE(spec->parameter(parameter.name), &parameter);
    }
    QCOMPARE(names, parameters);
    QVERIFY(!spec->parameter(QStringLiteral("nonexistent")));
}

void TestComponentRegistry::noOtherComponents() {
    QStringList names;
    for (const ComponentSpec& spec : ComponentRegistry::instance().components())
        names.append(spec.name);
    QCOMPARE(names,
             (QStringList{"Input", "ResNet", "Dense", "Dropout", "Flatten", "BatchNorm", "Conv2D",
                          "MaxPool2D", "GlobalAvgPool", "Output", "Add", "Concatenate", "GELU"}));
    // Only the merges take a variadic row, of at least two links; their ports are named by
    // position.
    for (const char* name : {"Add", "Concatenate"}) {
        const ComponentSpec* spec = ComponentRegistry::instance().find(QLatin1String(name));
        QVERIFY(spec->hasVariadicInput());
        QCOMPARE(spec->inputs.last().minimumLinks, 2);
        QVERIFY(spec->shapeRule);
        QCOMPARE(spec->inputPortName(0), QStringLiteral("in 1"));
        QCOMPARE(spec->inputPortName(3), QStringLiteral("in 4"));
        QCOMPARE(spec->inputPort(MaxPorts - 1), &spec->inputs.last());
        QVERIFY(!spec->inputPort(MaxPorts));
        QVERIFY(!spec->colour.isEmpty());
    }
    const ComponentSpec* dense = ComponentRegistry::instance().find(component::Dense);
    QVERIFY(!dense->hasVariadicInput());
    QCOMPARE(dense->inputPortName(0), QStringLiteral("in"));
    QVERIFY(!dense->inputPort(1));
    QVERIFY(!ComponentRegistry::instance().find(QStringLiteral("dense"))); // case-sensitive
    QVERIFY(!ComponentRegistry::instance().find(QString()));
}

void TestComponentRegistry::categoriesInPaletteOrder() {
    QCOMPARE(ComponentRegistry::instance().categories(),
             (QStringList{"Input and output", "Backbones", "Layers", "Convolution", "Merge"}));
}

void TestComponentRegistry::everyCategoryHasOneColour() {
    // The palette's group marker and every card of a category are drawn in one colour.
    QHash<QString, QString> colours;
    const QRegularExpression hex(QStringLiteral("^#[0-9a-f]{6}$"));
    for (const ComponentSpec& spec : ComponentRegistry::instance().components()) {
        QVERIFY2(hex.match(spec.colour).hasMatch(), qPrintable(spec.name + ": " + spec.colour));
        const QString known = colours.value(spec.category, spec.colour);
        QVERIFY2(known == spec.colour, qPrintable(spec.name));
        colours.insert(spec.category, spec.colour);
    }
    QCOMPARE(colours.value(QStringLiteral("Layers")), QStringLiteral("#3574e0"));
}

void TestComponentRegistry::defaultsAreValid() {
    for (const ComponentSpec& spec : ComponentRegistry::instance().components()) {
        const QVariantMap defaults = spec.defaultParameters();
        QCOMPARE(defaults.size(), spec.parameters.size());
        for (const ParameterSpec& parameter : spec.parameters) {
            const QString where = spec.name + QLatin1Char('.') + parameter.name;
            QVERIFY2(parameter.check(parameter.defaultValue).isEmpty(), qPrintable(where));
            // Defaults are stored in their canonical type, so that coerce() keeps them as is.
            const QVariant canonical = parameter.coerce(parameter.defaultValue);
            QCOMPARE(canonical.metaType(), parameter.defaultValue.metaType());
            QCOMPARE(canonical, parameter.defaultValue);
            if (parameter.type == ParameterType::Int || parameter.type == ParameterType::Double)
                QVERIFY2(parameter.minimum < parameter.maximum, qPrintable(where));
            if (parameter.type == ParameterType::Choice)
                QVERIFY2(parameter.choices.size() >= 2, qPrintable(where));
        }
    }
}

void TestComponentRegistry::parameterTable_data() {
    QTest::addColumn<QString>("component");
    QTest::addColumn<QString>("parameter");
    QTest::addColumn<QString>("type");
    QTest::addColumn<QVariant>("defaultValue");
    QTest::addColumn<QString>("rangeOrChoices");

    auto row = [](const char* component, const char* parameter, const char* type,
                  const QVariant& value, const char* range) {
        QTest::addRow("%s.%s", component, parameter)
            << QString::fromLatin1(component) << QString::fromLatin1(parameter)
            << QString::fromLatin1(type) << value << QString::fromLatin1(range);
    };
    row("Input", "channels", "int", 3, "1..64");
    row("Input", "height", "int", 224, "1..8192");
    row("Input", "width", "int", 224, "1..8192");
    row("ResNet", "variant", "choice", QStringLiteral("50"), "18,34,50,101,152");
    row("ResNet", "pretrained", "choice", QStringLiteral("imagenet"), "imagenet,none");
    row("ResNet", "trainable", "choice", QStringLiteral("frozen"), "frozen,last_stages,all");
    row("ResNet", "trainableStages", "int", 1, "1..4");
    row("ResNet", "pooling", "choice", QStringLiteral("avg"), "avg,max,none");
    row("Dense", "units", "int", 128, "1..65536");
    row("Dense", "activation", "choice", QStringLiteral("relu"),
        "none,relu,leaky_relu,gelu,sigmoid,tanh,softmax");
    row("Dense", "dropout", "double", 0.0, "0..0.99");
    row("Dense", "batchNorm", "bool", false, "");
    row("Dropout", "rate", "double", 0.5, "0..0.99");
    row("BatchNorm", "momentum", "double", 0.1, "0..1");
    row("BatchNorm", "epsilon", "double", 1e-5, "1e-12..1");
    row("Conv2D", "filters", "int", 32, "1..4096");
    row("Conv2D", "kernelSize", "int", 3, "1..31");
    row("Conv2D", "stride", "int", 1, "1..16");
    row("Conv2D", "padding", "int", 1, "0..15");
    row("Conv2D", "activation", "choice", QStringLiteral("relu"),
        "none,relu,leaky_relu,gelu,sigmoid,tanh");
    row("MaxPool2D", "poolSize", "int", 2, "1..16");
    row("MaxPool2D", "stride", "int", 2, "1..16");
    row("MaxPool2D", "padding", "int", 0, "0..8");
}

void TestComponentRegistry::parameterTable() {
    QFETCH(QString, component);
    QFETCH(QString, parameter);
    QFETCH(QString, type);
    QFETCH(QVariant, defaultValue);
    QFETCH(QString, rangeOrChoices);

    const ComponentSpec* spec = ComponentRegistry::instance().find(component);
    QVERIFY(spec);
    const ParameterSpec* found = spec->parameter(parameter);
    QVERIFY(found);
    QCOMPARE(parameterTypeName(found->type), type);
    QCOMPARE(found->defaultValue, defaultValue);
    if (found->type == ParameterType::Choice) {
        QCOMPARE(found->choices.join(QLatin1Char(',')), rangeOrChoices);
    } else if (found->type == ParameterType::Int || found->type == ParameterType::Double) {
        QCOMPARE(QStringLiteral("%1..%2").arg(found->minimum).arg(found->maximum), rangeOrChoices);
    }
}

void TestComponentRegistry::check_data() {
    QTest::addColumn<QString>("component");
    QTest::addColumn<QString>("parameter");
    QTest::addColumn<QVariant>("value");
    QTest::addColumn<QString>("message"); // empty: accepted

    auto row = [](const char* name, const char* component, const char* parameter,
                  const QVariant& value, const QString& message) {
        QTest::newRow(name) << QString::fromLatin1(component) << QString::fromLatin1(parameter)
                            << value << message;
    };
    row("int in range", "Dense", "units", 2, {});
    row("int at minimum", "Dense", "units", 1, {});
    row("int at maximum", "Dense", "units", 65536, {});
    row("int below range", "Dense", "units", 0,
        QStringLiteral("units must be a whole number between 1 and 65536, not 0"));
    row("int above range", "Dense", "units", 65537,
        QStringLiteral("units must be a whole number between 1 and 65536, not 65537"));
    row("int from integral double", "Dense", "units", 64.0, {});
    row("int from fraction", "Dense", "units", 2.5,
        QStringLiteral("units must be a whole number between 1 and 65536, not 2.5"));
    row("int from qlonglong", "Conv2D", "filters", QVariant::fromValue<qlonglong>(16), {});
    row("int beyond int range", "Dense", "units", QVariant::fromValue<qlonglong>(1LL << 40),
        QStringLiteral("units must be a whole number between 1 and 65536, not 1099511627776"));
    row("int from string", "Dense", "units", QStringLiteral("128"),
        QStringLiteral("units must be a whole number between 1 and 65536, not '128'"));
    row("int from bool", "Dense", "units", true,
        QStringLiteral("units must be a whole number between 1 and 65536, not true"));
    row("int from nothing", "Dense", "units", QVariant(),
        QStringLiteral("units must be a whole number between 1 and 65536, not nothing"));
    row("double in range", "Dropout", "rate", 0.25, {});
    row("double from int", "Dropout", "rate", 0, {});
    row("double above range", "Dropout", "rate", 1.0,
        QStringLiteral("rate must be a number between 0 and 0.99, not 1"));
    row("double negative", "Dense", "dropout", -0.1,
        QStringLiteral("dropout must be a number between 0 and 0.99, not -0.1"));
    row("double infinite", "Dropout", "rate", std::numeric_limits<double>::infinity(),
        QStringLiteral("rate must be a number between 0 and 0.99, not null"));
    row("double not a number", "Dropout", "rate", std::nan(""),
        QStringLiteral("rate must be a number between 0 and 0.99, not null"));
    row("double from list", "BatchNorm", "momentum", QVariantList{1, 2},
        QStringLiteral("momentum must be a number between 0 and 1, not [1,2]"));
    row("bool", "Dense", "batchNorm", true, {});
    row("bool from int", "Dense", "batchNorm", 1,
        QStringLiteral("batchNorm must be true or false, not 1"));
    row("bool from string", "Dense", "batchNorm", QStringLiteral("true"),
        QStringLiteral("batchNorm must be true or false, not 'true'"));
    row("choice", "ResNet", "pooling", QStringLiteral("max"), {});
    row("choice unknown", "ResNet", "pooling", QStringLiteral("median"),
        QStringLiteral("pooling must be one of avg, max, none, not 'median'"));
    row("choice wrong case", "Dense", "activation", QStringLiteral("ReLU"),
        QStringLiteral("activation must be one of none, relu, leaky_relu, gelu, sigmoid, tanh, "
                       "softmax, not 'ReLU'"));
    row("choice from number", "ResNet", "variant", 101, {});
    row("choice from unknown number", "ResNet", "variant", 42,
        QStringLiteral("variant must be one of 18, 34, 50, 101, 152, not 42"));
    row("choice from object", "ResNet", "variant", QVariantMap{{"a", 1}},
        QStringLiteral("variant must be one of 18, 34, 50, 101, 152, not {\"a\":1}"));
    row("conv without softmax", "Conv2D", "activation", QStringLiteral("softmax"),
        QStringLiteral("activation must be one of none, relu, leaky_relu, gelu, sigmoid, tanh, "
                       "not 'softmax'"));
    row("long value shortened", "Dense", "activation", QString(100, QLatin1Char('x')),
        QStringLiteral("activation must be one of none, relu, leaky_relu, gelu, sigmoid, tanh, "
                       "softmax, not '") +
            QString(37, QLatin1Char('x')) + QStringLiteral("...'"));
}

void TestComponentRegistry::check() {
    QFETCH(QString, component);
    QFETCH(QString, parameter);
    QFETCH(QVariant, value);
    QFETCH(QString, message);
    const ParameterSpec* spec = ComponentRegistry::instance().find(component)->parameter(parameter);
    QVERIFY(spec);
    QCOMPARE(spec->check(value), message);
}

void TestComponentRegistry::coerce_data() {
    QTest::addColumn<QString>("component");
    QTest::addColumn<QString>("parameter");
    QTest::addColumn<QVariant>("value");
    QTest::addColumn<QVariant>("expected"); // invalid: wrong type

    auto row = [](const char* name, const char* component, const char* parameter,
                  const QVariant& value, const QVariant& expected) {
        QTest::newRow(name) << QString::fromLatin1(component) << QString::fromLatin1(parameter)
                            << value << expected;
    };
    row("qlonglong to int", "Dense", "units", QVariant::fromValue<qlonglong>(7), QVariant(7));
    row("double 3.0 to int", "Dense", "units", 3.0, QVariant(3));
    row("fraction rejected", "Dense", "units", 3.5, QVariant());
    row("int to double", "Dropout", "rate", 0, QVariant(0.0));
    row("number to choice", "ResNet", "variant", 18, QVariant(QStringLiteral("18")));
    row("integral double to choice", "ResNet", "variant", 152.0, QVariant(QStringLiteral("152")));
    row("string stays", "Dense", "activation", QStringLiteral("gelu"),
        QVariant(QStringLiteral("gelu")));
    row("bool stays", "Dense", "batchNorm", true, QVariant(true));
    row("string not bool", "Dense", "batchNorm", QStringLiteral("yes"), QVariant());
}

void TestComponentRegistry::coerce() {
    QFETCH(QString, component);
    QFETCH(QString, parameter);
    QFETCH(QVariant, value);
    QFETCH(QVariant, expected);
    const ParameterSpec* spec = ComponentRegistry::instance().find(component)->parameter(parameter);
    const QVariant result = spec->coerce(value);
    QCOMPARE(result.isValid(), expected.isValid());
    if (expected.isValid()) {
        QCOMPARE(result.metaType(), expected.metaType());
        QCOMPARE(result, expected);
    }
}

void TestComponentRegistry::effectiveParameters() {
    const ComponentSpec* dense = ComponentRegistry::instance().find(component::Dense);
    const QVariantMap effective =
        dense->effectiveParameters({{QStringLiteral("units"), QVariant::fromValue<qlonglong>(2)},
                                    {QStringLiteral("activation"), QStringLiteral("bogus")},
                                    {QStringLiteral("colour"), QStringLiteral("red")}});
    QCOMPARE(effective.keys(),
             (QStringList{"activation", "batchNorm", "dropout", "units"})); // unknown dropped
    QCOMPARE(effective.value(QStringLiteral("units")).metaType(), QMetaType::fromType<int>());
    QCOMPARE(effective.value(QStringLiteral("units")).toInt(), 2);
    QCOMPARE(effective.value(QStringLiteral("activation")).toString(),
             QStringLiteral("relu")); // invalid → default
    QCOMPARE(effective.value(QStringLiteral("dropout")).toDouble(), 0.0);
    QCOMPARE(effective.value(QStringLiteral("batchNorm")).toBool(), false);
}

void TestComponentRegistry::describe_data() {
    QTest::addColumn<QString>("type");
    QTest::addColumn<QVariantMap>("parameters");
    QTest::addColumn<QString>("label");

    const QString x = QStringLiteral("\u00d7");
    QTest::newRow("Input defaults")
        << "Input" << QVariantMap{} << "Input 3" + x + "224" + x + "224";
    QTest::newRow("ResNet50") << "ResNet" << QVariantMap{{"variant", "50"}} << "ResNet50";
    QTest::newRow("ResNet18") << "ResNet" << QVariantMap{{"variant", "18"}} << "ResNet18";
    QTest::newRow("ResNet bad variant") << "ResNet" << QVariantMap{{"variant", "7"}} << "ResNet";
    QTest::newRow("Dense relu") << "Dense" << QVariantMap{{"units", 128}, {"activation", "relu"}}
                                << "Dense 128 ReLU";
    QTest::newRow("Dense softmax")
        << "Dense" << QVariantMap{{"units", 2}, {"activation", "softmax"}} << "Dense 2 Softmax";
    QTest::newRow("Dense linear") << "Dense" << QVariantMap{{"units", 10}, {"activation", "none"}}
                                  << "Dense 10";
    QTest::newRow("Dense bad units") << "Dense" << QVariantMap{{"units", -3}} << "Dense ReLU";
    QTest::newRow("Dropout") << "Dropout" << QVariantMap{{"rate", 0.25}} << "Dropout 0.25";
    QTest::newRow("Conv2D") << "Conv2D" << QVariantMap{{"filters", 16}, {"kernelSize", 5}}
                            << "Conv2D 16 5" + x + "5 ReLU";
    QTest::newRow("MaxPool2D") << "MaxPool2D" << QVariantMap{} << "MaxPool2D 2" + x + "2";
    QTest::newRow("Flatten") << "Flatten" << QVariantMap{} << "Flatten";
    QTest::newRow("Output") << "Output" << QVariantMap{} << "Output";
    QTest::newRow("unknown") << "Transformer" << QVariantMap{{"heads", 8}} << "Transformer";
}

void TestComponentRegistry::describe() {
    QFETCH(QString, type);
    QFETCH(QVariantMap, parameters);
    QFETCH(QString, label);
    QCOMPARE(ComponentRegistry::describe(type, parameters), label);
}

QTEST_GUILESS_MAIN(TestComponentRegistry)
#include "tst_componentregistry.moc"
