#pragma once

// Every component type, one descriptor each (see docs/DEVELOPMENT.md, "Adding a component").
// Torch-free: core/nn registers their modules and core/export their mappings by type name.

#include "core/graph/ComponentRegistry.h"

#include <QList>

namespace tc::graph::components {

/// The images of the data set, after preprocessing.
ComponentSpec input();
/// A torchvision ResNet backbone without its head.
ComponentSpec resnet();
/// A fully connected layer.
ComponentSpec dense();
/// Zeroes random values during training.
ComponentSpec dropout();
/// [C, H, W] into a vector.
ComponentSpec flatten();
/// Batch normalisation over channels or features.
ComponentSpec batchNorm();
/// A 2-D convolution.
ComponentSpec conv2d();
/// The maximum over square windows.
ComponentSpec maxPool2d();
/// Each channel's mean over the image.
ComponentSpec globalAvgPool();
/// The classification target.
ComponentSpec output();
/// Element-wise sum of N inputs of one shape (a skip connection, two heads merged).
ComponentSpec add();
/// N inputs joined along their first dimension: features [N] or channels [C, H, W].
ComponentSpec concatenate();
/// The Gaussian error linear unit, applied element-wise.
ComponentSpec gelu();

/// Every descriptor above, in palette order: the registry's table.
QList<ComponentSpec> all();

} // namespace tc::graph::components
