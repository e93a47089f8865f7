// Conv2D: a 2-D convolution with a square kernel and its activation.
//
// Everything the graph layer knows about Conv2D is here. Its output size follows the window
// rule it shares with MaxPool2D (core/graph/WindowRule.h). Its LibTorch module is registered
// in core/nn/components/ConvolutionModules.cpp, its ONNX and TorchScript forms in
// core/export/components/.

#include "core/graph/components/Components.h"
#include "core/graph/components/SpecParts.h"
#include "core/graph/components/WindowShape.h"

namespace tc::graph::components {

namespace {

QStringList convCard(const QVariantMap& values, int) {
    const QString kernel = cardText(values, QStringLiteral("kernelSize"));
    QStringList parts{cardText(values, QStringLiteral("filters")), kernel + times() + kernel,
                      cardActivation(values, QStringLiteral("activation"))};
    const QString stride = cardText(values, QStringLiteral("stride"));
    if (stride != QLatin1String("1"))
        parts << QStringLiteral("stride %1").arg(stride);
    return parts;
}

QString convLabel(const QVariantMap& values) {
    const auto kernel = values.constFind(QStringLiteral("kernelSize"));
    return joinLabel({component::Conv2D, values.value(QStringLiteral("filters")).toString(),
                      kernel == values.constEnd()
                          ? QString()
                          : kernel->toString() + times() + kernel->toString(),
                      activationLabel(values.value(QStringLiteral("activation")).toString())});
}

} // namespace

ComponentSpec conv2d() {
    ComponentSpec spec;
    spec.name = component::Conv2D;
    spec.category = convolutionCategory();
    spec.colour = convolutionColour();
    spec.iconName = QStringLiteral("conv2d");
    spec.description = QStringLiteral(
        "A 2-D convolution with a square kernel. Output size: floor((H + 2·padding − "
        "kernel) / stride) + 1.");
    spec.inputs = {imageInput()};
    spec.outputs = {imageOutput()};
    QStringList activations = activationChoices();
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
    spec.shapeRule = [](const ShapeRuleInput& rule, QString* error) {
        return windowShape(component::Conv2D, rule,
                           rule.parameters.value(QStringLiteral("filters")).toInt(), error);
    };
    spec.label = convLabel;
    spec.cardSummary = convCard;
    return spec;
}

} // namespace tc::graph::components
