#include "core/graph/components/Components.h"

namespace tc::graph::components {

QList<ComponentSpec> all() {
    // One line per descriptor file; the order is the palette's.
    return {add(), concatenate(), gelu()};
}

} // namespace tc::graph::components
