#include "core/graph/components/WindowShape.h"

#include "core/graph/components/SpecParts.h"
#include "core/graph/WindowRule.h"

namespace tc::graph::components {

Shape windowShape(const QString& type, const ShapeRuleInput& rule, int channels, QString* error) {
    const Shape& input = rule.inputs.value(0);
    if (!requireImage(type, input, error))
        return {};
    const std::optional<WindowSpec> spec = readWindowSpec(type, rule.parameters, error);
    if (!spec)
        return {};
    const qint64 height = windowOutputSize(*spec, input[1]);
    const qint64 width = windowOutputSize(*spec, input[2]);
    if (height <= 0 || width <= 0) {
        return failShape(
            error, QStringLiteral("the %1\u00d7%1 %2 does not fit the %3 input with padding %4")
                       .arg(spec->kernel)
                       .arg(spec->pool ? QStringLiteral("window") : QStringLiteral("kernel"),
                            QString::number(input[1]) + times() + QString::number(input[2]))
                       .arg(spec->padding.mode == WindowPadding::Mode::Same
                                ? QStringLiteral("'same'")
                                : QString::number(spec->padding.pixels)));
    }
    return {channels > 0 ? channels : input[0], int(height), int(width)};
}

} // namespace tc::graph::components
