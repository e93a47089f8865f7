// Add: the element-wise sum of N inputs of one shape.
//
// Everything the graph layer knows about Add is here. Its LibTorch module is registered in
// core/nn/components/MergeModules.cpp, its ONNX and TorchScript forms in core/export.

#include "core/graph/components/Components.h"
#include "core/graph/components/MergeRules.h"

namespace tc::graph::components {

namespace {

Shape addShape(const ShapeRuleInput& input, QString* error) {
    const Shape& first = input.inputs.value(0);
    for (int i = 1; i < input.inputs.size(); ++i) {
        if (input.inputs[i] != first) {
            if (error) {
                *error = QStringLiteral("Add needs inputs of one shape, but %1 receives %2 "
                                        "and %3 receives %4")
                             .arg(inputOrdinal(0), shapeToString(first), inputOrdinal(i),
                                  shapeToString(input.inputs[i]));
            }
            return {};
        }
    }
    return first;
}

} // namespace

ComponentSpec add() {
    ComponentSpec spec = mergeSpec(
        component::Add, QStringLiteral("add"),
        QStringLiteral("Adds its inputs element by element (a skip connection, or two paths "
                       "merged). Every input must have the same shape; link as many as needed, a "
                       "free input appears after the last one."),
        QStringLiteral("A tensor; all inputs have one shape."), QStringLiteral("sum"),
        QStringLiteral("The element-wise sum, of the inputs' shape."));
    spec.shapeRule = addShape;
    spec.cardSummary = [](const QVariantMap&, int) {
        return QStringList{QStringLiteral("element-wise sum")};
    };
    return spec;
}

} // namespace tc::graph::components
