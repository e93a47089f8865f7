#include "core/nn/ComponentFactory.h"

#include "core/nn/ModuleRegistry.h"
#include "core/nn/ResNet.h"
#include "core/nn/StateDict.h"

namespace tc::nn {

namespace {

std::int64_t convolvedSize(std::int64_t size, std::int64_t kernel, std::int64_t stride,
                           std::int64_t padding) {
    return (size + 2 * padding - kernel) / stride + 1;
}

} // namespace

std::vector<std::int64_t> resNetOutputShape(ResNetDepth depth, Pooling pooling, std::int64_t height,
                                            std::int64_t width) {
    const std::int64_t channels = resNetFeatureChannels(depth);
    if (pooling != Pooling::None)
        return {channels};
    auto reduce = [](std::int64_t size) {
        size = convolvedSize(size, 7, 2, 3); // conv1
        size = convolvedSize(size, 3, 2, 1); // maxpool
        for (int stage = 0; stage < 3; ++stage)
            size = convolvedSize(size, 3, 2, 1); // layer2…layer4 halve it
        return size;
    };
    return {channels, reduce(height), reduce(width)};
}

QStringList buildableComponentTypes() {
    return ModuleRegistry::instance().types();
}

BuiltComponent buildComponent(const QString& type, const QVariantMap& parameters,
                              const std::vector<std::int64_t>& inputShape,
                              const ComponentContext& context) {
    for (const std::int64_t size : inputShape) {
        if (size < 1) {
            BuiltComponent failed;
            failed.error = QStringLiteral("%1: the input shape %2 has an empty dimension")
                               .arg(type, shapeString(inputShape));
            return failed;
        }
    }
    return buildRegisteredComponent(type, parameters, InputShapes{inputShape}, context);
}

} // namespace tc::nn
