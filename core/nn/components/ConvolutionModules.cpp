// The LibTorch modules of Conv2D, MaxPool2D and GlobalAvgPool (described in
// core/graph/components/Conv2D.cpp, MaxPool2D.cpp and GlobalAvgPool.cpp; the modules
// themselves are in core/nn/Layers.h). Kernel, stride, padding and the output size come from
// the window rule shape inference uses too (core/graph/WindowRule.h).

#include "core/graph/ComponentRegistry.h"
#include "core/graph/WindowRule.h"
#include "core/nn/components/ModuleParameters.h"
#include "core/nn/components/Registrations.h"
#include "core/nn/ModuleRegistry.h"
#include "core/nn/StateDict.h"

namespace tc::nn::components {

namespace {

const std::vector<std::int64_t>& imageInput(const ModuleParameters& values,
                                            const InputShapes& inputs) {
    const std::vector<std::int64_t>& input = inputs.front();
    if (input.size() != 3)
        values.failShape(
            QStringLiteral("needs an image-like input [C, H, W], got %1").arg(shapeString(input)));
    return input;
}

/// The window and its output size; fails when the window does not fit the input.
struct Window {
    graph::WindowSpec spec;
    std::int64_t height = 0;
    std::int64_t width = 0;
};

Window window(const QString& type, const ModuleParameters& values,
              const std::vector<std::int64_t>& input) {
    QString reason;
    const std::optional<graph::WindowSpec> spec =
        graph::readWindowSpec(type, values.values(), &reason);
    if (!spec)
        throw ParameterError(reason);
    Window result{*spec, graph::windowOutputSize(*spec, input[1]),
                  graph::windowOutputSize(*spec, input[2])};
    if (result.height < 1 || result.width < 1)
        values.failShape(QStringLiteral("a %1×%1 %2 does not fit a %3×%4 input")
                             .arg(spec->kernel)
                             .arg(spec->pool ? QStringLiteral("pool") : QStringLiteral("kernel"))
                             .arg(input[1])
                             .arg(input[2]));
    return result;
}

BuiltComponent buildConv2D(const QVariantMap& parameters, const InputShapes& inputs,
                           const ComponentContext&) {
    const ModuleParameters values(graph::component::Conv2D, parameters);
    const std::vector<std::int64_t>& input = imageInput(values, inputs);
    const Window sized = window(graph::component::Conv2D, values, input);
    Conv2DOptions options;
    options.inChannels = input[0];
    options.filters = values.integer("filters", std::nullopt);
    options.kernelSize = sized.spec.kernel;
    options.stride = sized.spec.stride;
    options.padding = graph::convolutionPadding(sized.spec);
    options.bias = values.boolean("use_bias", true);
    options.activation = values.activation();
    if (options.activation == Activation::Softmax)
        values.fail("activation", QStringLiteral("softmax belongs on a final Dense layer"));
    BuiltComponent built;
    built.module = torch::nn::AnyModule(Conv2D(options));
    built.outputShape = {options.filters, sized.height, sized.width};
    return built;
}

BuiltComponent buildMaxPool2D(const QVariantMap& parameters, const InputShapes& inputs,
                              const ComponentContext&) {
    const ModuleParameters values(graph::component::MaxPool2D, parameters);
    const std::vector<std::int64_t>& input = imageInput(values, inputs);
    const Window sized = window(graph::component::MaxPool2D, values, input);
    MaxPool2DOptions options;
    options.poolSize = sized.spec.kernel;
    options.stride = sized.spec.stride;
    options.samePadding = sized.spec.padding.mode == graph::WindowPadding::Mode::Same;
    options.padding = options.samePadding ? 0 : sized.spec.padding.pixels;
    BuiltComponent built;
    built.module = torch::nn::AnyModule(MaxPool2D(options));
    built.outputShape = {input[0], sized.height, sized.width};
    return built;
}

BuiltComponent buildGlobalAvgPool(const QVariantMap& parameters, const InputShapes& inputs,
                                  const ComponentContext&) {
    const ModuleParameters values(graph::component::GlobalAvgPool, parameters);
    const std::vector<std::int64_t>& input = imageInput(values, inputs);
    BuiltComponent built;
    built.module = torch::nn::AnyModule(GlobalAvgPool());
    built.outputShape = {input[0]};
    return built;
}

} // namespace

void registerConvolutionModules(ModuleRegistry& registry) {
    registry.add(graph::component::Conv2D, ModuleFactory{buildConv2D});
    registry.add(graph::component::MaxPool2D, ModuleFactory{buildMaxPool2D});
    registry.add(graph::component::GlobalAvgPool, ModuleFactory{buildGlobalAvgPool});
}

} // namespace tc::nn::components
