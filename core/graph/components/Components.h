#pragma once

// The components written as one descriptor each (see docs/DEVELOPMENT.md, "Adding a
// component"). Torch-free: core/nn registers their modules and core/export their mappings by
// type name.

#include "core/graph/ComponentRegistry.h"

#include <QList>

namespace tc::graph::components {

/// Element-wise sum of N inputs of one shape (a skip connection, two heads merged).
ComponentSpec add();
/// N inputs joined along their first dimension: features [N] or channels [C, H, W].
ComponentSpec concatenate();
/// The Gaussian error linear unit, applied element-wise.
ComponentSpec gelu();

/// Every descriptor above, in palette order. The registry appends them to its table.
QList<ComponentSpec> all();

} // namespace tc::graph::components
