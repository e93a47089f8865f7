// BatchNorm: batch normalisation over channels or features.
//
// Everything the graph layer knows about BatchNorm is here. Its LibTorch module is registered
// in core/nn/components/LayerModules.cpp, its ONNX and TorchScript forms in
// core/export/components/.

#include "core/graph/components/Components.h"
#include "core/graph/components/SpecParts.h"

namespace tc::graph::components {

ComponentSpec batchNorm() {
    ComponentSpec spec;
    spec.name = component::BatchNorm;
    spec.category = layerCategory();
    spec.colour = layerColour();
    spec.iconName = QStringLiteral("batchnorm");
    spec.description =
        QStringLiteral("Batch normalisation over channels ([C, H, W]) or features ([N]).");
    spec.inputs = {anyInput()};
    spec.outputs = {sameShapeOutput()};
    spec.parameters = {
        doubleParameter(QStringLiteral("momentum"), QStringLiteral("Momentum"), 0.1, 0.0, 1.0,
                        QStringLiteral("Weight of the current batch in the running "
                                       "statistics (PyTorch convention).")),
        doubleParameter(QStringLiteral("epsilon"), QStringLiteral("Epsilon"), 1e-5, 1e-12, 1.0,
                        QStringLiteral("Added to the variance for numerical stability.")),
    };
    spec.shapeRule = [](const ShapeRuleInput& rule, QString* error) {
        const Shape& input = rule.inputs.value(0);
        if (input.size() != 1 && input.size() != 3) {
            return failShape(error, QStringLiteral("BatchNorm needs [N] or [C, H, W], not %1")
                                        .arg(shapeToString(input)));
        }
        return input;
    };
    spec.cardSummary = [](const QVariantMap& values, int) {
        const auto momentum = values.constFind(QStringLiteral("momentum"));
        return QStringList{QStringLiteral("momentum %1")
                               .arg(momentum == values.constEnd()
                                        ? QStringLiteral("?")
                                        : cardNumber(momentum->toDouble()))};
    };
    return spec;
}

} // namespace tc::graph::components
