#include "core/graph/ComponentRegistry.h"

#include "core/graph/components/Components.h"

#include <cmath>
#include <limits>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonValue>

namespace tc::graph {

namespace {

bool isIntegerType(const QVariant& value) {
    switch (value.typeId()) {
    case QMetaType::Int:
    case QMetaType::UInt:
    case QMetaType::LongLong:
    case QMetaType::ULongLong:
    case QMetaType::Long:
    case QMetaType::ULong:
    case QMetaType::Short:
    case QMetaType::UShort:
        return true;
    default:
        return false;
    }
}

bool isFloatType(const QVariant& value) {
    return value.typeId() == QMetaType::Double || value.typeId() == QMetaType::Float;
}

bool isNumber(const QVariant& value) {
    return isIntegerType(value) || isFloatType(value);
}

/// The value as it would read in the project file, for messages: 0.5, 'relu', true, […].
QString displayValue(const QVariant& value) {
    if (!value.isValid())
        return QStringLiteral("nothing");
    // Messages stay one readable line even for a hostile file's megabyte-long value.
    constexpr int Longest = 40;
    if (value.typeId() == QMetaType::QString) {
        QString text = value.toString();
        if (text.size() > Longest)
            text = text.left(Longest - 3) + QStringLiteral("...");
        return QLatin1Char('\'') + text + QLatin1Char('\'');
    }
    const QJsonValue json = QJsonValue::fromVariant(value);
    QByteArray text = QJsonDocument(QJsonArray{json}).toJson(QJsonDocument::Compact);
    // Strip the surrounding "[" and "]" that made it a valid document.
    text = text.mid(1, text.size() - 2);
    if (text.size() > Longest)
        text = text.left(Longest - 3) + "...";
    return QString::fromUtf8(text);
}

QString formatNumber(double value) {
    return QString::number(value, 'g', 10);
}

ParameterSpec intParameter(const QString& name, const QString& label, int defaultValue, int minimum,
                           int maximum, const QString& description) {
    ParameterSpec spec;
    spec.name = name;
    spec.label = label;
    spec.type = ParameterType::Int;
    spec.defaultValue = defaultValue;
    spec.minimum = minimum;
    spec.maximum = maximum;
    spec.description = description;
    return spec;
}

ParameterSpec doubleParameter(const QString& name, const QString& label, double defaultValue,
                              double minimum, double maximum, const QString& description) {
    ParameterSpec spec;
    spec.name = name;
    spec.label = label;
    spec.type = ParameterType::Double;
    spec.defaultValue = defaultValue;
    spec.minimum = minimum;
    spec.maximum = maximum;
    spec.description = description;
    return spec;
}

ParameterSpec boolParameter(const QString& name, const QString& label, bool defaultValue,
                            const QString& description) {
    ParameterSpec spec;
    spec.name = name;
    spec.label = label;
    spec.type = ParameterType::Bool;
    spec.defaultValue = defaultValue;
    spec.description = description;
    return spec;
}

ParameterSpec choiceParameter(const QString& name, const QString& label,
                              const QString& defaultValue, const QStringList& choices,
                              const QString& description) {
    ParameterSpec spec;
    spec.name = name;
    spec.label = label;
    spec.type = ParameterType::Choice;
    spec.defaultValue = defaultValue;
    spec.choices = choices;
    spec.description = description;
    return spec;
}

PortSpec port(const QString& name, PortKind kind, const QString& description) {
    return PortSpec{name, kind, description};
}

const QStringList& denseActivations() {
    static const QStringList list = {QStringLiteral("none"),       QStringLiteral("relu"),
                                     QStringLiteral("leaky_relu"), QStringLiteral("gelu"),
                                     QStringLiteral("sigmoid"),    QStringLiteral("tanh"),
                                     QStringLiteral("softmax")};
    return list;
}

QString activationLabel(const QString& activation) {
    if (activation == QLatin1String("relu"))
        return QStringLiteral("ReLU");
    if (activation == QLatin1String("leaky_relu"))
        return QStringLiteral("Leaky ReLU");
    if (activation == QLatin1String("gelu"))
        return QStringLiteral("GELU");
    if (activation == QLatin1String("sigmoid"))
        return QStringLiteral("Sigmoid");
    if (activation == QLatin1String("tanh"))
        return QStringLiteral("Tanh");
    if (activation == QLatin1String("softmax"))
        return QStringLiteral("Softmax");
    return {};
}

} // namespace

QString parameterTypeName(ParameterType type) {
    switch (type) {
    case ParameterType::Int:
        return QStringLiteral("int");
    case ParameterType::Double:
        return QStringLiteral("double");
    case ParameterType::Bool:
        return QStringLiteral("bool");
    case ParameterType::Choice:
        return QStringLiteral("choice");
    case ParameterType::String:
        return QStringLiteral("string");
    }
    return {};
}

QVariant ParameterSpec::coerce(const QVariant& value) const {
    switch (type) {
    case ParameterType::Int: {
        if (isIntegerType(value)) {
            bool ok = false;
            const qlonglong whole = value.toLongLong(&ok);
            // A ULongLong above LLONG_MAX converts with ok == false.
            if (ok && whole >= std::numeric_limits<int>::min() &&
                whole <= std::numeric_limits<int>::max())
                return static_cast<int>(whole);
            return {};
        }
        if (isFloatType(value)) {
            // JSON has one number type: 3.0 written by another tool is still the integer 3.
            const double real = value.toDouble();
            if (std::isfinite(real) && std::trunc(real) == real &&
                real >= std::numeric_limits<int>::min() && real <= std::numeric_limits<int>::max())
                return static_cast<int>(real);
        }
        return {};
    }
    case ParameterType::Double:
        if (isNumber(value)) {
            const double real = value.toDouble();
            if (std::isfinite(real))
                return real;
        }
        return {};
    case ParameterType::Bool:
        if (value.typeId() == QMetaType::Bool)
            return value.toBool();
        return {};
    case ParameterType::Choice:
        if (value.typeId() == QMetaType::QString)
            return value.toString();
        // A variant written as the number 50 instead of the string "50".
        if (isIntegerType(value))
            return QString::number(value.toLongLong());
        if (isFloatType(value)) {
            const double real = value.toDouble();
            if (std::isfinite(real) && std::trunc(real) == real && std::fabs(real) < 1e15)
                return QString::number(static_cast<qlonglong>(real));
        }
        return {};
    case ParameterType::String:
        if (value.typeId() == QMetaType::QString)
            return value.toString();
        return {};
    }
    return {};
}

QString ParameterSpec::check(const QVariant& value) const {
    const QVariant canonical = coerce(value);
    switch (type) {
    case ParameterType::Int:
    case ParameterType::Double: {
        const bool isInt = type == ParameterType::Int;
        const QString range =
            QStringLiteral("%1 between %2 and %3")
                .arg(isInt ? QStringLiteral("a whole number") : QStringLiteral("a number"),
                     formatNumber(minimum), formatNumber(maximum));
        if (!canonical.isValid() || canonical.toDouble() < minimum ||
            canonical.toDouble() > maximum) {
            return QStringLiteral("%1 must be %2, not %3").arg(name, range, displayValue(value));
        }
        return {};
    }
    case ParameterType::Bool:
        if (!canonical.isValid())
            return QStringLiteral("%1 must be true or false, not %2")
                .arg(name, displayValue(value));
        return {};
    case ParameterType::Choice:
        if (!canonical.isValid() || !choices.contains(canonical.toString())) {
            return QStringLiteral("%1 must be one of %2, not %3")
                .arg(name, choices.join(QStringLiteral(", ")), displayValue(value));
        }
        return {};
    case ParameterType::String:
        if (!canonical.isValid())
            return QStringLiteral("%1 must be text, not %2").arg(name, displayValue(value));
        return {};
    }
    return {};
}

QString ComponentSpec::iconPath() const {
    return QStringLiteral(":/icons/components/") + iconName + QStringLiteral(".svg");
}

const PortSpec* ComponentSpec::inputPort(int port) const {
    if (port < 0)
        return nullptr;
    if (port < inputs.size())
        return &inputs[port];
    if (hasVariadicInput() && port < MaxPorts)
        return &inputs.last();
    return nullptr;
}

QString ComponentSpec::inputPortName(int port) const {
    const PortSpec* spec = inputPort(port);
    if (!spec)
        return QString::number(port);
    if (!spec->variadic)
        return spec->name;
    const int first = static_cast<int>(inputs.size()) - 1;
    return QStringLiteral("%1 %2").arg(spec->name).arg(port - first + 1);
}

const ParameterSpec* ComponentSpec::parameter(const QString& parameterName) const {
    for (const ParameterSpec& spec : parameters) {
        if (spec.name == parameterName)
            return &spec;
    }
    return nullptr;
}

QVariantMap ComponentSpec::defaultParameters() const {
    QVariantMap values;
    for (const ParameterSpec& spec : parameters)
        values.insert(spec.name, spec.defaultValue);
    return values;
}

QVariantMap ComponentSpec::effectiveParameters(const QVariantMap& values) const {
    QVariantMap result;
    for (const ParameterSpec& spec : parameters) {
        const auto found = values.constFind(spec.name);
        if (found != values.constEnd() && spec.check(*found).isEmpty())
            result.insert(spec.name, spec.coerce(*found));
        else
            result.insert(spec.name, spec.defaultValue);
    }
    return result;
}

const ComponentRegistry& ComponentRegistry::instance() {
    static const ComponentRegistry registry;
    return registry;
}

ComponentRegistry::ComponentRegistry() {
    const QString inputOutput = QStringLiteral("Input and output");
    const QString backbones = QStringLiteral("Backbones");
    const QString layers = QStringLiteral("Layers");
    const QString convolution = QStringLiteral("Convolution");

    const PortSpec imageIn = port(QStringLiteral("in"), PortKind::Image,
                                  QStringLiteral("An image-like tensor [C, H, W]."));
    const PortSpec imageOut = port(QStringLiteral("out"), PortKind::Image,
                                   QStringLiteral("An image-like tensor [C, H, W]."));
    const PortSpec anyIn =
        port(QStringLiteral("in"), PortKind::Any, QStringLiteral("A tensor of any shape."));
    const PortSpec anyOut = port(QStringLiteral("out"), PortKind::Any,
                                 QStringLiteral("A tensor of the same shape as the input."));
    const PortSpec vectorIn =
        port(QStringLiteral("in"), PortKind::Vector, QStringLiteral("A feature vector [N]."));
    const PortSpec vectorOut =
        port(QStringLiteral("out"), PortKind::Vector, QStringLiteral("A feature vector [N]."));

    {
        ComponentSpec spec;
        spec.name = component::Input;
        spec.category = inputOutput;
        spec.iconName = QStringLiteral("input");
        spec.description = QStringLiteral(
            "The images of the data set, after preprocessing. Its size comes from the data set "
            "settings (preprocessing width and height); the parameters here mirror them.");
        spec.outputs = {port(QStringLiteral("image"), PortKind::Image,
                             QStringLiteral("A batch of images [C, H, W]."))};
        spec.parameters = {
            intParameter(QStringLiteral("channels"), QStringLiteral("Channels"), 3, 1, 64,
                         QStringLiteral("Colour channels per image (3 for RGB).")),
            intParameter(QStringLiteral("height"), QStringLiteral("Height"), 224, 1, 8192,
                         QStringLiteral("Image height in pixels after preprocessing.")),
            intParameter(QStringLiteral("width"), QStringLiteral("Width"), 224, 1, 8192,
                         QStringLiteral("Image width in pixels after preprocessing.")),
        };
        m_components.append(spec);
    }
    {
        ComponentSpec spec;
        spec.name = component::ResNet;
        spec.category = backbones;
        spec.iconName = QStringLiteral("resnet");
        spec.description = QStringLiteral(
            "A torchvision ResNet without its classification head (include_top is always "
            "false). Outputs 512 features (ResNet18/34) or 2048 (ResNet50/101/152) after "
            "pooling, or a [C, H/32, W/32] feature map with pooling 'none'.");
        spec.inputs = {imageIn};
        spec.outputs = {port(QStringLiteral("features"), PortKind::Any,
                             QStringLiteral("Pooled features [N], or a feature map [C, H, W] "
                                            "when pooling is 'none'."))};
        spec.parameters = {
            choiceParameter(QStringLiteral("variant"), QStringLiteral("Variant"),
                            QStringLiteral("50"),
                            {QStringLiteral("18"), QStringLiteral("34"), QStringLiteral("50"),
                             QStringLiteral("101"), QStringLiteral("152")},
                            QStringLiteral("Depth of the network: ResNet18, 34, 50, 101 or 152.")),
            choiceParameter(QStringLiteral("pretrained"), QStringLiteral("Pretrained weights"),
                            QStringLiteral("imagenet"),
                            {QStringLiteral("imagenet"), QStringLiteral("none")},
                            QStringLiteral("Start from torchvision's ImageNet weights, or from "
                                           "random initialisation.")),
            choiceParameter(
                QStringLiteral("trainable"), QStringLiteral("Trainable"), QStringLiteral("frozen"),
                {QStringLiteral("frozen"), QStringLiteral("last_stages"), QStringLiteral("all")},
                QStringLiteral("Which weights training updates: none (frozen; its "
                               "features can be cached), the last N stages, or "
                               "all.")),
            intParameter(QStringLiteral("trainableStages"), QStringLiteral("Trainable stages"), 1,
                         1, 4,
                         QStringLiteral("With trainable 'last_stages': how many of the final "
                                        "stages (layer4, layer3, …) are trained.")),
            choiceParameter(QStringLiteral("pooling"), QStringLiteral("Pooling"),
                            QStringLiteral("avg"),
                            {QStringLiteral("avg"), QStringLiteral("max"), QStringLiteral("none")},
                            QStringLiteral("Global pooling of the last feature map: average, "
                                           "maximum, or none (keep the [C, H, W] map).")),
        };
        m_components.append(spec);
    }
    {
        ComponentSpec spec;
        spec.name = component::Dense;
        spec.category = layers;
        spec.iconName = QStringLiteral("dense");
        spec.description = QStringLiteral(
            "A fully connected layer. A multi-dimensional input is flattened first. Applied in "
            "the order linear, batch norm (if on), activation, dropout (if above 0).");
        spec.inputs = {anyIn};
        spec.outputs = {vectorOut};
        spec.parameters = {
            intParameter(QStringLiteral("units"), QStringLiteral("Units"), 128, 1, 65536,
                         QStringLiteral("Number of neurons (output features).")),
            choiceParameter(QStringLiteral("activation"), QStringLiteral("Activation"),
                            QStringLiteral("relu"), denseActivations(),
                            QStringLiteral("Activation function. Softmax belongs on the last "
                                           "layer only.")),
            doubleParameter(QStringLiteral("dropout"), QStringLiteral("Dropout"), 0.0, 0.0, 0.99,
                            QStringLiteral("Probability of zeroing each output during training "
                                           "(0 = no dropout).")),
            boolParameter(QStringLiteral("batchNorm"), QStringLiteral("Batch norm"), false,
                          QStringLiteral("Normalise the outputs over the batch before the "
                                         "activation.")),
        };
        m_components.append(spec);
    }
    {
        ComponentSpec spec;
        spec.name = component::Dropout;
        spec.category = layers;
        spec.iconName = QStringLiteral("dropout");
        spec.description =
            QStringLiteral("Randomly zeroes inputs during training; does nothing at inference.");
        spec.inputs = {anyIn};
        spec.outputs = {anyOut};
        spec.parameters = {
            doubleParameter(QStringLiteral("rate"), QStringLiteral("Rate"), 0.5, 0.0, 0.99,
                            QStringLiteral("Probability of zeroing each value.")),
        };
        m_components.append(spec);
    }
    {
        ComponentSpec spec;
        spec.name = component::Flatten;
        spec.category = layers;
        spec.iconName = QStringLiteral("flatten");
        spec.description = QStringLiteral("Reshapes [C, H, W] into a vector [C·H·W].");
        spec.inputs = {anyIn};
        spec.outputs = {vectorOut};
        m_components.append(spec);
    }
    {
        ComponentSpec spec;
        spec.name = component::BatchNorm;
        spec.category = layers;
        spec.iconName = QStringLiteral("batchnorm");
        spec.description =
            QStringLiteral("Batch normalisation over channels ([C, H, W]) or features ([N]).");
        spec.inputs = {anyIn};
        spec.outputs = {anyOut};
        spec.parameters = {
            doubleParameter(QStringLiteral("momentum"), QStringLiteral("Momentum"), 0.1, 0.0, 1.0,
                            QStringLiteral("Weight of the current batch in the running "
                                           "statistics (PyTorch convention).")),
            doubleParameter(QStringLiteral("epsilon"), QStringLiteral("Epsilon"), 1e-5, 1e-12, 1.0,
                            QStringLiteral("Added to the variance for numerical stability.")),
        };
        m_components.append(spec);
    }
    {
        ComponentSpec spec;
        spec.name = component::Conv2D;
        spec.category = convolution;
        spec.iconName = QStringLiteral("conv2d");
        spec.description = QStringLiteral(
            "A 2-D convolution with a square kernel. Output size: floor((H + 2·padding − "
            "kernel) / stride) + 1.");
        spec.inputs = {imageIn};
        spec.outputs = {imageOut};
        QStringList activations = denseActivations();
        activations.removeAll(QStringLiteral("softmax"));
        spec.parameters = {
            intParameter(QStringLiteral("filters"), QStringLiteral("Filters"), 32, 1, 4096,
                         QStringLiteral("Number of output channels.")),
            intParameter(QStringLiteral("kernelSize"), QStringLiteral("Kernel size"), 3, 1, 31,
                         QStringLiteral("Width and height of the kernel.")),
            intParameter(QStringLiteral("stride"), QStringLiteral("Stride"), 1, 1, 16,
                         QStringLiteral("Step between kernel positions.")),
            intParameter(QStringLiteral("padding"), QStringLiteral("Padding"), 1, 0, 15,
                         QStringLiteral("Zero pixels added on every side.")),
            choiceParameter(QStringLiteral("activation"), QStringLiteral("Activation"),
                            QStringLiteral("relu"), activations,
                            QStringLiteral("Activation applied after the convolution.")),
        };
        m_components.append(spec);
    }
    {
        ComponentSpec spec;
        spec.name = component::MaxPool2D;
        spec.category = convolution;
        spec.iconName = QStringLiteral("maxpool2d");
        spec.description = QStringLiteral(
            "Maximum over square windows. Output size: floor((H + 2·padding − size) / stride) "
            "+ 1; padding may be at most half the window.");
        spec.inputs = {imageIn};
        spec.outputs = {imageOut};
        spec.parameters = {
            intParameter(QStringLiteral("poolSize"), QStringLiteral("Window"), 2, 1, 16,
                         QStringLiteral("Width and height of the pooling window.")),
            intParameter(QStringLiteral("stride"), QStringLiteral("Stride"), 2, 1, 16,
                         QStringLiteral("Step between windows.")),
            intParameter(QStringLiteral("padding"), QStringLiteral("Padding"), 0, 0, 8,
                         QStringLiteral("Pixels added on every side (ignored by the maximum).")),
        };
        m_components.append(spec);
    }
    {
        ComponentSpec spec;
        spec.name = component::GlobalAvgPool;
        spec.category = convolution;
        spec.iconName = QStringLiteral("globalavgpool");
        spec.description =
            QStringLiteral("Averages each channel over the image: [C, H, W] becomes [C].");
        spec.inputs = {imageIn};
        spec.outputs = {vectorOut};
        m_components.append(spec);
    }
    {
        ComponentSpec spec;
        spec.name = component::Output;
        spec.category = inputOutput;
        spec.iconName = QStringLiteral("output");
        spec.description = QStringLiteral(
            "The classification target. Its input must have one value per class of the data "
            "set; the class count comes from the data set.");
        spec.inputs = {vectorIn};
        m_components.append(spec);
    }
    // The components written as one descriptor file each (core/graph/components/).
    m_components.append(components::all());
}

const ComponentSpec* ComponentRegistry::find(const QString& name) const {
    for (const ComponentSpec& spec : m_components) {
        if (spec.name == name)
            return &spec;
    }
    return nullptr;
}

QStringList ComponentRegistry::categories() const {
    QStringList result;
    for (const ComponentSpec& spec : m_components) {
        if (!result.contains(spec.category))
            result.append(spec.category);
    }
    return result;
}

QString ComponentRegistry::describe(const QString& type, const QVariantMap& parameters) {
    const ComponentSpec* spec = instance().find(type);
    if (!spec) {
        // An unknown type comes from a file and may be anything; keep labels one short line.
        constexpr int Longest = 60;
        return type.size() <= Longest ? type : type.left(Longest - 3) + QStringLiteral("...");
    }
    // Valid values only: a label must never show garbage from a hand-edited file.
    auto value = [&](const QString& name) -> QVariant {
        const ParameterSpec* parameter = spec->parameter(name);
        if (!parameter)
            return {};
        const auto found = parameters.constFind(name);
        if (found == parameters.constEnd())
            return parameter->defaultValue;
        if (!parameter->check(*found).isEmpty())
            return {};
        return parameter->coerce(*found);
    };
    auto join = [](QStringList parts) {
        parts.removeAll(QString());
        return parts.join(QLatin1Char(' '));
    };
    const QString times = QStringLiteral("\u00d7");
    if (type == component::Input) {
        const QVariant c = value(QStringLiteral("channels"));
        const QVariant h = value(QStringLiteral("height"));
        const QVariant w = value(QStringLiteral("width"));
        if (c.isValid() && h.isValid() && w.isValid())
            return join({type, c.toString() + times + h.toString() + times + w.toString()});
        return type;
    }
    if (type == component::ResNet) {
        const QVariant variant = value(QStringLiteral("variant"));
        return variant.isValid() ? type + variant.toString() : type;
    }
    if (type == component::Dense) {
        const QVariant units = value(QStringLiteral("units"));
        const QVariant activation = value(QStringLiteral("activation"));
        return join({type, units.isValid() ? units.toString() : QString(),
                     activation.isValid() ? activationLabel(activation.toString()) : QString()});
    }
    if (type == component::Dropout) {
        const QVariant rate = value(QStringLiteral("rate"));
        return join({type, rate.isValid() ? formatNumber(rate.toDouble()) : QString()});
    }
    if (type == component::Conv2D) {
        const QVariant filters = value(QStringLiteral("filters"));
        const QVariant kernel = value(QStringLiteral("kernelSize"));
        const QVariant activation = value(QStringLiteral("activation"));
        return join({type, filters.isValid() ? filters.toString() : QString(),
                     kernel.isValid() ? kernel.toString() + times + kernel.toString() : QString(),
                     activation.isValid() ? activationLabel(activation.toString()) : QString()});
    }
    if (type == component::MaxPool2D) {
        const QVariant size = value(QStringLiteral("poolSize"));
        return join({type, size.isValid() ? size.toString() + times + size.toString() : QString()});
    }
    if (spec->label)
        return spec->label(spec->effectiveParameters(parameters));
    return type;
}

} // namespace tc::graph
