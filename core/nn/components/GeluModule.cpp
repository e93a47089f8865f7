// The LibTorch module of GELU (described in core/graph/components/Gelu.cpp).

#include "core/graph/ComponentRegistry.h"
#include "core/nn/components/Registrations.h"
#include "core/nn/ModuleRegistry.h"

#include <torch/torch.h>

namespace tc::nn::components {

namespace {

/// x·Φ(x) with the exact error function, as torch.nn.GELU() computes it by default.
class GeluImpl : public torch::nn::Module {
public:
    torch::Tensor forward(const torch::Tensor& input) { return torch::gelu(input); }
};
TORCH_MODULE(Gelu);

BuiltComponent buildGelu(const QVariantMap&, const InputShapes& inputs, const ComponentContext&) {
    BuiltComponent built;
    built.module = torch::nn::AnyModule(Gelu());
    built.outputShape = inputs.front();
    return built;
}

} // namespace

void registerGeluModule(ModuleRegistry& registry) {
    registry.add(graph::component::Gelu, ModuleFactory{buildGelu, /*takesInputList=*/false});
}

} // namespace tc::nn::components
