// Dropout: zeroes random values during training, the identity at inference.
//
// Everything the graph layer knows about Dropout is here. Its LibTorch module is registered in
// core/nn/components/LayerModules.cpp; the exporters write the inference model, where it is
// the identity.

#include "core/graph/components/Components.h"
#include "core/graph/components/SpecParts.h"

namespace tc::graph::components {

ComponentSpec dropout() {
    ComponentSpec spec;
    spec.name = component::Dropout;
    spec.category = layerCategory();
    spec.colour = layerColour();
    spec.iconName = QStringLiteral("dropout");
    spec.description =
        QStringLiteral("Randomly zeroes inputs during training; does nothing at inference.");
    spec.inputs = {anyInput()};
    spec.outputs = {sameShapeOutput()};
    spec.parameters = {
        doubleParameter(QStringLiteral("rate"), QStringLiteral("Rate"), 0.5, 0.0, 0.99,
                        QStringLiteral("Probability of zeroing each value.")),
    };
    spec.shapeRule = [](const ShapeRuleInput& rule, QString*) {
        return rule.inputs.value(0);
    };
    spec.label = [](const QVariantMap& values) {
        const auto rate = values.constFind(QStringLiteral("rate"));
        return joinLabel({component::Dropout,
                          rate == values.constEnd() ? QString() : labelNumber(rate->toDouble())});
    };
    spec.cardSummary = [](const QVariantMap& values, int) {
        const auto rate = values.constFind(QStringLiteral("rate"));
        return QStringList{QStringLiteral("rate %1").arg(
            rate == values.constEnd() ? QStringLiteral("?") : cardNumber(rate->toDouble()))};
    };
    return spec;
}

} // namespace tc::graph::components
