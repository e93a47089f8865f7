#pragma once

// The shape rule Conv2D and MaxPool2D share (their window rule is core/graph/WindowRule.h).

#include "core/graph/ComponentRegistry.h"

namespace tc::graph::components {

/// [C, H, W] after the component's sliding window; C is `channels` (Conv2D's filters) or, when
/// `channels` is 0, the input's (MaxPool2D).
Shape windowShape(const QString& type, const ShapeRuleInput& rule, int channels, QString* error);

} // namespace tc::graph::components
