// Output: the classification target, one value per class.
//
// Everything the graph layer knows about Output is here. Its LibTorch module (the identity) is
// registered in core/nn/components/InputOutputModules.cpp; the exporters end every model with
// its softmax, so it has no export mapping of its own.

#include "core/graph/components/Components.h"
#include "core/graph/components/SpecParts.h"

namespace tc::graph::components {

namespace {

Shape outputShape(const ShapeRuleInput& rule, QString* error) {
    const Shape& input = rule.inputs.value(0);
    const int classCount = rule.context.classCount;
    if (input.size() != 1) {
        return failShape(error, QStringLiteral("Output needs a vector with one value per class, "
                                               "but it receives %1; add Flatten, GlobalAvgPool "
                                               "or a Dense layer before it")
                                    .arg(shapeToString(input)));
    }
    if (classCount > 0 && input[0] != classCount) {
        return failShape(error, QStringLiteral("the data set has %1 classes but Output receives "
                                               "%2 values; give the last layer %1 units")
                                    .arg(classCount)
                                    .arg(input[0]));
    }
    if (input[0] < 2) {
        return failShape(
            error,
            QStringLiteral("Output needs at least 2 values (one per class), not %1").arg(input[0]));
    }
    return input;
}

} // namespace

ComponentSpec output() {
    ComponentSpec spec;
    spec.name = component::Output;
    spec.category = inputOutputCategory();
    spec.colour = inputOutputColour();
    spec.iconName = QStringLiteral("output");
    spec.description = QStringLiteral(
        "The classification target. Its input must have one value per class of the data "
        "set; the class count comes from the data set.");
    spec.inputs = {vectorInput()};
    spec.shapeRule = outputShape;
    spec.cardSummary = [](const QVariantMap&, int classCount) {
        return QStringList{classCount > 0 ? QStringLiteral("%1 classes").arg(classCount)
                                          : QStringLiteral("class scores")};
    };
    return spec;
}

} // namespace tc::graph::components
