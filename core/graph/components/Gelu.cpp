// GELU: the Gaussian error linear unit, x·Φ(x), element-wise.
//
// Everything the graph layer knows about GELU is here. Its LibTorch module is registered in
// core/nn/components/GeluModule.cpp, its ONNX and TorchScript forms in core/export.

#include "core/graph/components/Components.h"
#include "core/graph/components/SpecParts.h"

namespace tc::graph::components {

ComponentSpec gelu() {
    ComponentSpec spec;
    spec.name = component::Gelu;
    spec.category = layerCategory();
    spec.colour = layerColour();
    spec.iconName = QStringLiteral("gelu");
    spec.description = QStringLiteral(
        "The Gaussian error linear unit x·Φ(x), applied to every value; the output has the "
        "input's shape: the smooth activation of transformers and ConvNeXt, as a layer of its "
        "own (Dense has it as an activation too).");
    spec.inputs = {PortSpec{QStringLiteral("in"), PortKind::Any,
                            QStringLiteral("A tensor of any shape."), false, 0}};
    spec.outputs = {PortSpec{QStringLiteral("out"), PortKind::Any,
                             QStringLiteral("A tensor of the same shape as the input."), false, 0}};
    // The exact form only (Φ through the error function), as Dense's "gelu" activation: every
    // export format then computes the same function.
    spec.shapeRule = [](const ShapeRuleInput& input, QString*) {
        return input.inputs.value(0);
    };
    spec.cardSummary = [](const QVariantMap&, int) {
        return QStringList{QStringLiteral("x\u00b7\u03a6(x)")};
    };
    return spec;
}

} // namespace tc::graph::components
