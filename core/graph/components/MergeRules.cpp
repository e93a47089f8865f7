#include "core/graph/components/MergeRules.h"

namespace tc::graph::components {

QString mergeCategory() {
    return QStringLiteral("Merge");
}

PortSpec mergeInputs(const QString& description) {
    PortSpec port;
    port.name = QStringLiteral("in");
    port.kind = PortKind::Any;
    port.description = description;
    port.variadic = true;
    port.minimumLinks = 2;
    return port;
}

ComponentSpec mergeSpec(const QString& name, const QString& iconName, const QString& description,
                        const QString& inputHelp, const QString& outputName,
                        const QString& outputHelp) {
    ComponentSpec spec;
    spec.name = name;
    spec.category = mergeCategory();
    spec.iconName = iconName;
    spec.colour = QStringLiteral("#c0392b");
    spec.description = description;
    spec.inputs = {mergeInputs(inputHelp)};
    spec.outputs = {PortSpec{outputName, PortKind::Any, outputHelp, false, 0}};
    return spec;
}

QString inputOrdinal(int index) {
    return QStringLiteral("input %1").arg(index + 1);
}

} // namespace tc::graph::components
