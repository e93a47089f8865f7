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

const ExportMapping* ExportMappings::find(const QString& type) const {
    for (const auto& [name, mapping] : m_mappings) {
        if (name == type)
            return &mapping;
    }
    for (const auto& [name, mapping] : m_mappings) {
        if (name.compare(type, Qt::CaseInsensitive) == 0)
            return &mapping;
    }
    return nullptr;
}

QStringList ExportMappings::types() const {
    QStringList result;
    for (const auto& entry : m_mappings)
        result.append(entry.first);
    return result;
}

void ExportMappings::add(const QString& type, ExportMapping mapping) {
    m_mappings.emplace_back(type, std::move(mapping));
}

} // namespace tc::exporting
