#include "core/graph/components/SpecParts.h"

namespace tc::graph::components {

namespace {

ParameterSpec parameter(const QString& name, const QString& label, ParameterType type,
                        const QVariant& defaultValue, const QString& description) {
    ParameterSpec spec;
    spec.name = name;
    spec.label = label;
    spec.type = type;
    spec.defaultValue = defaultValue;
    spec.description = description;
    return spec;
}

} // namespace

ParameterSpec intParameter(const QString& name, const QString& label, int defaultValue, int minimum,
                           int maximum, const QString& description) {
    ParameterSpec spec = parameter(name, label, ParameterType::Int, defaultValue, description);
    spec.minimum = minimum;
    spec.maximum = maximum;
    return spec;
}

ParameterSpec doubleParameter(const QString& name, const QString& label, double defaultValue,
                              double minimum, double maximum, const QString& description) {
    ParameterSpec spec = parameter(name, label, ParameterType::Double, defaultValue, description);
    spec.minimum = minimum;
    spec.maximum = maximum;
    return spec;
}

ParameterSpec boolParameter(const QString& name, const QString& label, bool defaultValue,
                            const QString& description) {
    return parameter(name, label, ParameterType::Bool, defaultValue, description);
}

ParameterSpec choiceParameter(const QString& name, const QString& label,
                              const QString& defaultValue, const QStringList& choices,
                              const QString& description) {
    ParameterSpec spec = parameter(name, label, ParameterType::Choice, defaultValue, description);
    spec.choices = choices;
    return spec;
}

PortSpec port(const QString& name, PortKind kind, const QString& description) {
    return PortSpec{name, kind, description};
}

PortSpec imageInput() {
    return port(QStringLiteral("in"), PortKind::Image,
                QStringLiteral("An image-like tensor [C, H, W]."));
}

PortSpec imageOutput() {
    return port(QStringLiteral("out"), PortKind::Image,
                QStringLiteral("An image-like tensor [C, H, W]."));
}

PortSpec anyInput() {
    return port(QStringLiteral("in"), PortKind::Any, QStringLiteral("A tensor of any shape."));
}

PortSpec sameShapeOutput() {
    return port(QStringLiteral("out"), PortKind::Any,
                QStringLiteral("A tensor of the same shape as the input."));
}

PortSpec vectorInput() {
    return port(QStringLiteral("in"), PortKind::Vector, QStringLiteral("A feature vector [N]."));
}

PortSpec vectorOutput() {
    return port(QStringLiteral("out"), PortKind::Vector, QStringLiteral("A feature vector [N]."));
}

const QStringList& activationChoices() {
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

QString inputOutputCategory() {
    return QStringLiteral("Input and output");
}

QString inputOutputColour() {
    return QStringLiteral("#12927f");
}

QString backboneCategory() {
    return QStringLiteral("Backbones");
}

QString backboneColour() {
    return QStringLiteral("#7657d6");
}

QString layerCategory() {
    return QStringLiteral("Layers");
}

QString layerColour() {
    return QStringLiteral("#3574e0");
}

QString convolutionCategory() {
    return QStringLiteral("Convolution");
}

QString convolutionColour() {
    return QStringLiteral("#dd7431");
}

QString labelNumber(double value) {
    return QString::number(value, 'g', 10);
}

QString cardNumber(double value) {
    return QString::number(value, 'g', 6);
}

QString cardText(const QVariantMap& parameters, const QString& name) {
    const auto found = parameters.constFind(name);
    return found == parameters.constEnd() ? QStringLiteral("?") : found->toString();
}

QString cardActivation(const QVariantMap& parameters, const QString& name) {
    const auto found = parameters.constFind(name);
    if (found == parameters.constEnd())
        return QStringLiteral("?");
    const QString activation = found->toString();
    if (activation == QLatin1String("none"))
        return QStringLiteral("linear");
    const QString label = activationLabel(activation);
    return label.isEmpty() ? activation : label;
}

QString joinLabel(QStringList parts) {
    parts.removeAll(QString());
    return parts.join(QLatin1Char(' '));
}

QString times() {
    return QStringLiteral("\u00d7");
}

bool requireImage(const QString& type, const Shape& input, QString* error) {
    if (input.size() == 3)
        return true;
    failShape(error,
              QStringLiteral("%1 needs an image-like input [C, H, W], but it receives %2%3")
                  .arg(type, shapeToString(input),
                       input.size() == 1 ? QStringLiteral("; use ResNet with pooling 'none' or "
                                                          "connect it before the pooling")
                                         : QString()));
    return false;
}

Shape failShape(QString* error, const QString& message) {
    if (error)
        *error = message;
    return {};
}

} // namespace tc::graph::components
