#include "core/graph/components/Components.h"

namespace tc::graph::components {

QList<ComponentSpec> all() {
    // One entry per descriptor file; the order is the palette's.
    return {input(),     resnet(),        dense(),  dropout(), flatten(),     batchNorm(), conv2d(),
            maxPool2d(), globalAvgPool(), output(), add(),     concatenate(), gelu()};
}

} // namespace tc::graph::components
