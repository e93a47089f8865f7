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

QString inputOrdinal(int index) {
    return QStringLiteral("input %1").arg(index + 1);
}

} // namespace tc::graph::components
