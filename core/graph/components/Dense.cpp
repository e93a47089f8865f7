// Dense: a fully connected layer with its activation, batch norm and dropout.
//
// Everything the graph layer knows about Dense is here. Its LibTorch module is registered in
// core/nn/components/LayerModules.cpp, its ONNX and TorchScript forms in
// core/export/components/.

#include "core/graph/components/Components.h"
#include "core/graph/components/SpecParts.h"

#include <algorithm>

namespace tc::graph::components {

namespace {

/// Softmax turns scores into probabilities; anywhere but the last layer it squashes the
/// features the next layer learns from.
QList<NodeFinding> denseRule(const NodeRuleInput& input) {
    const QString activation = input.parameters.value(QStringLiteral("activation")).toString();
    const bool feedsOutput = input.successorTypes.contains(component::Output);
    const bool feedsOther =
        std::any_of(input.successorTypes.begin(), input.successorTypes.end(),
                    [](const QString& type) { return type != component::Output; });
    QList<NodeFinding> findings;
    if (activation == QLatin1String("softmax") && feedsOther) {
        findings.append({true, QStringLiteral("softmax belongs only on the last layer (the one "
                                              "linked to Output); use another activation here")});
    }
    if (feedsOutput && activation != QLatin1String("softmax") &&
        activation != QLatin1String("none")) {
        findings.append({false, QStringLiteral("the last layer uses the %1 activation, which "
                                               "distorts class scores; use none or softmax")
                                    .arg(activation)});
    }
    return findings;
}

QStringList denseCard(const QVariantMap& values, int) {
    QStringList parts{cardText(values, QStringLiteral("units")),
                      cardActivation(values, QStringLiteral("activation"))};
    if (values.value(QStringLiteral("batchNorm")).toBool())
        parts << QStringLiteral("BN");
    const auto dropout = values.constFind(QStringLiteral("dropout"));
    if (dropout != values.constEnd() && dropout->toDouble() > 0)
        parts << QStringLiteral("drop %1").arg(cardNumber(dropout->toDouble()));
    return parts;
}

} // namespace

ComponentSpec dense() {
    ComponentSpec spec;
    spec.name = component::Dense;
    spec.category = layerCategory();
    spec.colour = layerColour();
    spec.iconName = QStringLiteral("dense");
    spec.description = QStringLiteral(
        "A fully connected layer. A multi-dimensional input is flattened first. Applied in "
        "the order linear, batch norm (if on), activation, dropout (if above 0).");
    spec.inputs = {anyInput()};
    spec.outputs = {vectorOutput()};
    spec.parameters = {
        intParameter(QStringLiteral("units"), QStringLiteral("Units"), 128, 1, 65536,
                     QStringLiteral("Number of neurons (output features).")),
        choiceParameter(QStringLiteral("activation"), QStringLiteral("Activation"),
                        QStringLiteral("relu"), activationChoices(),
                        QStringLiteral("Activation function. Softmax belongs on the last "
                                       "layer only.")),
        doubleParameter(QStringLiteral("dropout"), QStringLiteral("Dropout"), 0.0, 0.0, 0.99,
                        QStringLiteral("Probability of zeroing each output during training "
                                       "(0 = no dropout).")),
        boolParameter(QStringLiteral("batchNorm"), QStringLiteral("Batch norm"), false,
                      QStringLiteral("Normalise the outputs over the batch before the "
                                     "activation.")),
    };
    spec.shapeRule = [](const ShapeRuleInput& rule, QString*) {
        return Shape{rule.parameters.value(QStringLiteral("units")).toInt()};
    };
    spec.nodeRule = denseRule;
    spec.label = [](const QVariantMap& values) {
        return joinLabel({component::Dense, values.value(QStringLiteral("units")).toString(),
                          activationLabel(values.value(QStringLiteral("activation")).toString())});
    };
    spec.cardSummary = denseCard;
    return spec;
}

} // namespace tc::graph::components
