#pragma once

// Shared by the merge components' descriptors (Add, Concatenate).

#include "core/graph/ComponentRegistry.h"

namespace tc::graph::components {

/// "Merge", the palette group of components with a variadic input.
QString mergeCategory();
/// The variadic input row of a merge component: at least two links.
PortSpec mergeInputs(const QString& description);
/// The common part of a merge descriptor: the Merge category and colour, a variadic input row
/// described by `inputHelp` and one output `outputName`.
ComponentSpec mergeSpec(const QString& name, const QString& iconName, const QString& description,
                        const QString& inputHelp, const QString& outputName,
                        const QString& outputHelp);
/// "input 2" for the i-th connected input (counted from 0), as messages name it.
QString inputOrdinal(int index);

} // namespace tc::graph::components
