// The LibTorch modules of Input and Output (described in core/graph/components/Input.cpp and
// Output.cpp): the identity. The model's softmax follows Output in the classifier.

#include "core/graph/ComponentRegistry.h"
#include "core/nn/components/ModuleParameters.h"
#include "core/nn/components/Registrations.h"
#include "core/nn/ModuleRegistry.h"

#include <torch/torch.h>

namespace tc::nn::components {

namespace {

/// Input's shape is its own parameters' when it has them (a model built from a bare graph),
/// otherwise the shape it is given.
BuiltComponent buildInput(const QVariantMap& parameters, const InputShapes& inputs,
                          const ComponentContext&) {
    const ModuleParameters values(graph::component::Input, parameters);
    BuiltComponent built;
    built.module = torch::nn::AnyModule(torch::nn::Identity());
    built.outputShape = inputs.front();
    if (values.has("channels") || values.has("height") || values.has("width")) {
        built.outputShape = {values.integer("channels", 3), values.integer("height", std::nullopt),
                             values.integer("width", std::nullopt)};
    }
    return built;
}

BuiltComponent buildOutput(const QVariantMap&, const InputShapes& inputs, const ComponentContext&) {
    BuiltComponent built;
    built.module = torch::nn::AnyModule(torch::nn::Identity());
    built.outputShape = inputs.front();
    return built;
}

} // namespace

void registerInputOutputModules(ModuleRegistry& registry) {
    registry.add(graph::component::Input, ModuleFactory{buildInput});
    registry.add(graph::component::Output, ModuleFactory{buildOutput});
}

} // namespace tc::nn::components
