#pragma once

// Core-internal: one registration function per descriptor component's module file. The
// module registry calls each once (core/nn/ModuleRegistry.cpp).

namespace tc::nn {
class ModuleRegistry;
}

namespace tc::nn::components {

void registerMergeModules(ModuleRegistry& registry); ///< Add, Concatenate
void registerGeluModule(ModuleRegistry& registry);   ///< GELU

} // namespace tc::nn::components
