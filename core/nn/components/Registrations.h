#pragma once

// Core-internal: one registration function per module file of core/nn/components/. The
// module registry calls each once (core/nn/ModuleRegistry.cpp).

namespace tc::nn {
class ModuleRegistry;
}

namespace tc::nn::components {

void registerInputOutputModules(ModuleRegistry& registry); ///< Input, Output
void registerResNetModule(ModuleRegistry& registry);       ///< ResNet
void registerLayerModules(ModuleRegistry& registry);       ///< Dense, Dropout, Flatten, BatchNorm
void registerConvolutionModules(ModuleRegistry& registry); ///< Conv2D, MaxPool2D, GlobalAvgPool
void registerMergeModules(ModuleRegistry& registry);       ///< Add, Concatenate
void registerGeluModule(ModuleRegistry& registry);         ///< GELU

} // namespace tc::nn::components
