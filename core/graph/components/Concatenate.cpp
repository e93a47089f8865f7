// Concatenate: N inputs joined along features ([N]) or channels ([C, H, W]).
//
// Everything the graph layer knows about Concatenate is here. Its LibTorch module is
// registered in core/nn/components/MergeModules.cpp, its ONNX and TorchScript forms in
// core/export.

#include "core/graph/components/Components.h"
#include "core/graph/components/MergeRules.h"

#include <limits>

namespace tc::graph::components {

namespace {

Shape concatenateShape(const ShapeRuleInput& input, QString* error) {
    auto fail = [&](const QString& message) {
        if (error)
            *error = message;
        return Shape();
    };
    const Shape& first = input.inputs.value(0);
    if (first.size() != 1 && first.size() != 3) {
        return fail(QStringLiteral("Concatenate joins vectors [N] or feature maps [C, H, W], "
                                   "but %1 receives %2")
                        .arg(inputOrdinal(0), shapeToString(first)));
    }
    qint64 joined = 0;
    for (int i = 0; i < input.inputs.size(); ++i) {
        const Shape& shape = input.inputs[i];
        if (shape.size() != first.size()) {
            return fail(QStringLiteral("Concatenate needs inputs of one rank, but %1 receives "
                                       "%2 and %3 receives %4")
                            .arg(inputOrdinal(0), shapeToString(first), inputOrdinal(i),
                                 shapeToString(shape)));
        }
        if (shape.mid(1) != first.mid(1)) {
            return fail(QStringLiteral("Concatenate joins along channels, so every input needs "
                                       "the same height and width, but %1 receives %2 and %3 "
                                       "receives %4")
                            .arg(inputOrdinal(0), shapeToString(first), inputOrdinal(i),
                                 shapeToString(shape)));
        }
        joined += shape[0];
    }
    if (joined > std::numeric_limits<int>::max())
        return fail(QStringLiteral("Concatenate would give more than %1 values")
                        .arg(std::numeric_limits<int>::max()));
    Shape output = first;
    output[0] = static_cast<int>(joined);
    return output;
}

} // namespace

ComponentSpec concatenate() {
    ComponentSpec spec = mergeSpec(
        component::Concatenate, QStringLiteral("concatenate"),
        QStringLiteral("Joins its inputs one after another, in input order: vectors [N] into one "
                       "longer vector, feature maps [C, H, W] of one size along their channels. "
                       "Link as many as needed; a free input appears after the last one."),
        QStringLiteral("A vector [N] or a feature map [C, H, W]."), QStringLiteral("joined"),
        QStringLiteral("The inputs joined along their first dimension."));
    spec.shapeRule = concatenateShape;
    spec.cardSummary = [](const QVariantMap&, int) {
        return QStringList{QStringLiteral("along features")};
    };
    return spec;
}

} // namespace tc::graph::components
