// Flatten: [C, H, W] into a vector [C·H·W].
//
// Everything the graph layer knows about Flatten is here. Its LibTorch module is registered in
// core/nn/components/LayerModules.cpp, its ONNX and TorchScript forms in
// core/export/components/.

#include "core/graph/components/Components.h"
#include "core/graph/components/SpecParts.h"

#include <limits>

namespace tc::graph::components {

namespace {

Shape flattenShape(const ShapeRuleInput& rule, QString* error) {
    const Shape& input = rule.inputs.value(0);
    qint64 product = 1;
    for (int value : input) {
        product *= value;
        if (product > std::numeric_limits<int>::max()) {
            return failShape(error, QStringLiteral("Flatten of %1 gives more than %2 values")
                                        .arg(shapeToString(input))
                                        .arg(std::numeric_limits<int>::max()));
        }
    }
    return {static_cast<int>(product)};
}

} // namespace

ComponentSpec flatten() {
    ComponentSpec spec;
    spec.name = component::Flatten;
    spec.category = layerCategory();
    spec.colour = layerColour();
    spec.iconName = QStringLiteral("flatten");
    spec.description = QStringLiteral("Reshapes [C, H, W] into a vector [C·H·W].");
    spec.inputs = {anyInput()};
    spec.outputs = {vectorOutput()};
    spec.shapeRule = flattenShape;
    spec.cardSummary = [](const QVariantMap&, int) {
        return QStringList{QStringLiteral("to a vector")};
    };
    return spec;
}

} // namespace tc::graph::components
