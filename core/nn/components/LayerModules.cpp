// The LibTorch modules of Dense, Dropout, Flatten and BatchNorm (described in
// core/graph/components/Dense.cpp, Dropout.cpp, Flatten.cpp and BatchNorm.cpp; the modules
// themselves are in core/nn/Layers.h).

#include "core/graph/ComponentRegistry.h"
#include "core/nn/components/ModuleParameters.h"
#include "core/nn/components/Registrations.h"
#include "core/nn/ModuleRegistry.h"
#include "core/nn/StateDict.h"

namespace tc::nn::components {

namespace {

BuiltComponent buildDense(const QVariantMap& parameters, const InputShapes& inputs,
                          const ComponentContext&) {
    const ModuleParameters values(graph::component::Dense, parameters);
    if (inputs.front().empty())
        values.failShape(QStringLiteral("needs an input"));
    DenseOptions options;
    options.inFeatures = elementCount(inputs.front());
    options.units = values.integer("units", std::nullopt);
    options.activation = values.activation();
    options.dropout = values.real("dropout", 0.0, 0.0, 1.0);
    options.batchNorm = values.boolean("batch_norm", false);
    BuiltComponent built;
    built.module = torch::nn::AnyModule(Dense(options));
    built.outputShape = {options.units};
    return built;
}

BuiltComponent buildDropout(const QVariantMap& parameters, const InputShapes& inputs,
                            const ComponentContext&) {
    const ModuleParameters values(graph::component::Dropout, parameters);
    BuiltComponent built;
    built.module = torch::nn::AnyModule(Dropout(values.real("rate", 0.5, 0.0, 1.0)));
    built.outputShape = inputs.front();
    return built;
}

BuiltComponent buildFlatten(const QVariantMap&, const InputShapes& inputs,
                            const ComponentContext&) {
    BuiltComponent built;
    built.module = torch::nn::AnyModule(Flatten());
    built.outputShape = {elementCount(inputs.front())};
    return built;
}

BuiltComponent buildBatchNorm(const QVariantMap& parameters, const InputShapes& inputs,
                              const ComponentContext&) {
    const ModuleParameters values(graph::component::BatchNorm, parameters);
    const std::vector<std::int64_t>& input = inputs.front();
    if (input.size() != 1 && input.size() != 3)
        values.failShape(
            QStringLiteral("needs a vector [F] or an image-like [C, H, W] input, got %1")
                .arg(shapeString(input)));
    // The registry's ranges: momentum in [0, 1], epsilon in [1e-12, 1].
    const double momentum = values.real("momentum", 0.1, 0.0, 1.0 + 1e-9);
    const double epsilon = values.real("epsilon", 1e-5, 1e-12, 1.0 + 1e-9);
    BuiltComponent built;
    built.module = torch::nn::AnyModule(
        BatchNorm(input[0], static_cast<int>(input.size()), momentum, epsilon));
    built.outputShape = input;
    return built;
}

} // namespace

void registerLayerModules(ModuleRegistry& registry) {
    registry.add(graph::component::Dense, ModuleFactory{buildDense});
    registry.add(graph::component::Dropout, ModuleFactory{buildDropout});
    registry.add(graph::component::Flatten, ModuleFactory{buildFlatten});
    registry.add(graph::component::BatchNorm, ModuleFactory{buildBatchNorm});
}

} // namespace tc::nn::components
