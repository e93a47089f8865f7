#include "core/export/ExportMappings.h"

#include "core/export/components/Registrations.h"

namespace tc::exporting {

const ExportMappings& ExportMappings::instance() {
    static const ExportMappings mappings;
    return mappings;
}

ExportMappings::ExportMappings() {
    // One line per file in core/export/components/ (explicit, because the linker drops
    // self-registering objects of a static library that nothing references).
    components::registerResNetExport(*this);
    components::registerLayerExports(*this);
    components::registerConvolutionExports(*this);
    components::registerMergeExports(*this);
}

} // namespace tc::exporting
