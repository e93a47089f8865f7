// GlobalAvgPool: each channel's mean over the image, [C, H, W] → [C].
//
// Everything the graph layer knows about GlobalAvgPool is here. Its LibTorch module is
// registered in core/nn/components/ConvolutionModules.cpp, its ONNX and TorchScript forms in
// core/export/components/.

#include "core/graph/components/Components.h"
#include "core/graph/components/SpecParts.h"

namespace tc::graph::components {

ComponentSpec globalAvgPool() {
    ComponentSpec spec;
    spec.name = component::GlobalAvgPool;
    spec.category = convolutionCategory();
    spec.colour = convolutionColour();
    spec.iconName = QStringLiteral("globalavgpool");
    spec.description =
        QStringLiteral("Averages each channel over the image: [C, H, W] becomes [C].");
    spec.inputs = {imageInput()};
    spec.outputs = {vectorOutput()};
    spec.shapeRule = [](const ShapeRuleInput& rule, QString* error) {
        const Shape& input = rule.inputs.value(0);
        if (!requireImage(component::GlobalAvgPool, input, error))
            return Shape();
        return Shape{input[0]};
    };
    spec.cardSummary = [](const QVariantMap&, int) {
        return QStringList{QStringLiteral("mean per channel")};
    };
    return spec;
}

} // namespace tc::graph::components
