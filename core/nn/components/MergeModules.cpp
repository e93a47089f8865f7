// The LibTorch modules of Add and Concatenate (described in core/graph/components/Add.cpp and
// Concatenate.cpp). Inputs arrive as one tensor per linked port, in port order, each with the
// batch dimension first.

#include "core/graph/ComponentRegistry.h"
#include "core/nn/components/Registrations.h"
#include "core/nn/ModuleRegistry.h"
#include "core/nn/StateDict.h"

#include <torch/torch.h>

namespace tc::nn::components {

namespace {

/// The element-wise sum, added left to right (input 1 + input 2 + …): the order the exported
/// forms compute too, so that float rounding agrees.
class AddImpl : public torch::nn::Module {
public:
    torch::Tensor forward(std::vector<torch::Tensor> inputs) {
        torch::Tensor sum = inputs.at(0);
        for (size_t i = 1; i < inputs.size(); ++i)
            sum = sum + inputs[i];
        return sum;
    }
};
TORCH_MODULE(Add);

/// Inputs joined along dimension 1: features of [N, F] or channels of [N, C, H, W].
class ConcatenateImpl : public torch::nn::Module {
public:
    torch::Tensor forward(std::vector<torch::Tensor> inputs) {
        return torch::cat(inputs, /*dim=*/1);
    }
};
TORCH_MODULE(Concatenate);

BuiltComponent fail(const QString& message) {
    BuiltComponent failed;
    failed.error = message;
    return failed;
}

BuiltComponent buildAdd(const QVariantMap&, const InputShapes& inputs, const ComponentContext&) {
    if (inputs.size() < 2)
        return fail(QStringLiteral("Add needs at least 2 inputs"));
    for (const auto& shape : inputs) {
        if (shape != inputs.front())
            return fail(QStringLiteral("Add needs inputs of one shape, not %1 and %2")
                            .arg(shapeString(inputs.front()), shapeString(shape)));
    }
    BuiltComponent built;
    built.module = torch::nn::AnyModule(Add());
    built.outputShape = inputs.front();
    return built;
}

BuiltComponent buildConcatenate(const QVariantMap&, const InputShapes& inputs,
                                const ComponentContext&) {
    if (inputs.size() < 2)
        return fail(QStringLiteral("Concatenate needs at least 2 inputs"));
    std::vector<std::int64_t> output = inputs.front();
    output[0] = 0;
    for (const auto& shape : inputs) {
        if (shape.size() != output.size() ||
            !std::equal(shape.begin() + 1, shape.end(), inputs.front().begin() + 1))
            return fail(QStringLiteral("Concatenate cannot join %1 and %2")
                            .arg(shapeString(inputs.front()), shapeString(shape)));
        output[0] += shape[0];
    }
    BuiltComponent built;
    built.module = torch::nn::AnyModule(Concatenate());
    built.outputShape = output;
    return built;
}

} // namespace

void registerMergeModules(ModuleRegistry& registry) {
    registry.add(graph::component::Add, ModuleFactory{buildAdd, /*takesInputList=*/true});
    registry.add(graph::component::Concatenate,
                 ModuleFactory{buildConcatenate, /*takesInputList=*/true});
}

} // namespace tc::nn::components
