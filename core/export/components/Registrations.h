#pragma once

// Core-internal: one registration function per file of core/export/components/. The export
// mapping table calls each once (core/export/ExportMappings.cpp).

namespace tc::exporting {
class ExportMappings;
}

namespace tc::exporting::components {

void registerResNetExport(ExportMappings& mappings); ///< ResNet
void registerLayerExports(ExportMappings& mappings); ///< Dense, Dropout, Flatten, BatchNorm, GELU
void registerConvolutionExports(ExportMappings& mappings); ///< Conv2D, MaxPool2D, GlobalAvgPool
void registerMergeExports(ExportMappings& mappings);       ///< Add, Concatenate

} // namespace tc::exporting::components
