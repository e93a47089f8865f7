// MaxPool2D: the maximum over square windows.
//
// Everything the graph layer knows about MaxPool2D is here. Its output size follows the
// window rule it shares with Conv2D (core/graph/WindowRule.h). Its LibTorch module is
// registered in core/nn/components/ConvolutionModules.cpp, its ONNX and TorchScript forms in
// core/export/components/.

#include "core/graph/components/Components.h"
#include "core/graph/components/SpecParts.h"
#include "core/graph/components/WindowShape.h"

namespace tc::graph::components {

ComponentSpec maxPool2d() {
    ComponentSpec spec;
    spec.name = component::MaxPool2D;
    spec.category = convolutionCategory();
    spec.colour = convolutionColour();
    spec.iconName = QStringLiteral("maxpool2d");
    spec.description = QStringLiteral(
        "Maximum over square windows. Output size: floor((H + 2·padding − size) / stride) "
        "+ 1; padding may be at most half the window.");
    spec.inputs = {imageInput()};
    spec.outputs = {imageOutput()};
    spec.parameters = {
        intParameter(QStringLiteral("poolSize"), QStringLiteral("Window"), 2, 1, 16,
                     QStringLiteral("Width and height of the pooling window.")),
        intParameter(QStringLiteral("stride"), QStringLiteral("Stride"), 2, 1, 16,
                     QStringLiteral("Step between windows.")),
        intParameter(QStringLiteral("padding"), QStringLiteral("Padding"), 0, 0, 8,
                     QStringLiteral("Pixels added on every side (ignored by the maximum).")),
    };
    spec.shapeRule = [](const ShapeRuleInput& rule, QString* error) {
        return windowShape(component::MaxPool2D, rule, 0, error);
    };
    spec.label = [](const QVariantMap& values) {
        const auto size = values.constFind(QStringLiteral("poolSize"));
        return joinLabel(
            {component::MaxPool2D, size == values.constEnd()
                                       ? QString()
                                       : size->toString() + times() + size->toString()});
    };
    spec.cardSummary = [](const QVariantMap& values, int) {
        const QString window = cardText(values, QStringLiteral("poolSize"));
        return QStringList{
            window + times() + window,
            QStringLiteral("stride %1").arg(cardText(values, QStringLiteral("stride")))};
    };
    return spec;
}

} // namespace tc::graph::components
