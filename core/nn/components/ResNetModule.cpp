// The LibTorch module of ResNet (described in core/graph/components/ResNet.cpp): torchvision's
// architecture without its head (core/nn/ResNet.h), with ImageNet or random weights.

#include "core/graph/ComponentRegistry.h"
#include "core/nn/components/ModuleParameters.h"
#include "core/nn/components/Registrations.h"
#include "core/nn/ModuleRegistry.h"
#include "core/nn/ResNet.h"
#include "core/nn/StateDict.h"

namespace tc::nn::components {

namespace {

/// "imagenet" | "none" or a bool; "imagenet" when absent.
bool readPretrained(const ModuleParameters& values) {
    if (!values.has("pretrained"))
        return true;
    const QVariant value = values.raw("pretrained");
    if (value.typeId() == QMetaType::Bool)
        return value.toBool();
    const QString text = value.toString().trimmed().toLower();
    if (text == QLatin1String("imagenet") || text == QLatin1String("true"))
        return true;
    if (text == QLatin1String("none") || text == QLatin1String("false") || text.isEmpty())
        return false;
    values.fail("pretrained", QStringLiteral("'%1' is not 'imagenet' or 'none'").arg(text));
}

/// "frozen" | "last N" | "all"; the registry spells "the last N stages" as trainable
/// "last_stages" with a separate trainableStages count.
Trainability readTrainability(const ModuleParameters& values) {
    QString text = values.text("trainable", QStringLiteral("frozen"));
    const QString normalised = text.trimmed().toLower();
    if (normalised == QLatin1String("last_stages") || normalised == QLatin1String("last stages"))
        text = QStringLiteral("last %1").arg(values.integer("trainable_stages", 1));
    QString reason;
    const std::optional<Trainability> trainable = parseTrainability(text, &reason);
    if (!trainable)
        values.fail("trainable", reason);
    return *trainable;
}

BuiltComponent buildResNet(const QVariantMap& parameters, const InputShapes& inputs,
                           const ComponentContext& context) {
    const ModuleParameters values(graph::component::ResNet, parameters);
    const QString variantText = values.text("variant", QStringLiteral("50"));
    const std::optional<ResNetDepth> depth = parseResNetDepth(variantText);
    if (!depth)
        values.fail("variant",
                    QStringLiteral("'%1' is not one of 18, 34, 50, 101, 152").arg(variantText));
    const QString poolingText = values.text("pooling", QStringLiteral("avg"));
    const std::optional<Pooling> pooling = parsePooling(poolingText);
    if (!pooling)
        values.fail("pooling",
                    QStringLiteral("'%1' is not one of avg, max, none").arg(poolingText));
    const Trainability trainable = readTrainability(values);
    const bool pretrained = readPretrained(values);
    const std::vector<std::int64_t>& input = inputs.front();
    if (input.size() != 3 || input[0] != 3)
        values.failShape(
            QStringLiteral("needs an RGB image input [3, H, W], got %1").arg(shapeString(input)));
    if (input[1] < 32 || input[2] < 32)
        values.failShape(
            QStringLiteral("needs images of at least 32×32, got %1").arg(shapeString(input)));

    ResNetOptions options;
    options.depth = *depth;
    options.includeTop = false;
    options.pooling = *pooling;
    ResNet model(options);
    const WeightStore store(context.weightsDirectory);
    BuiltComponent built;
    built.weights = initialiseResNetWeights(*model, pretrained, context.weightsFile, store);
    model->setTrainable(trainable);
    built.outputShape = resNetOutputShape(*depth, *pooling, input[1], input[2]);
    built.module = torch::nn::AnyModule(model);
    return built;
}

} // namespace

void registerResNetModule(ModuleRegistry& registry) {
    registry.add(graph::component::ResNet, ModuleFactory{buildResNet});
}

} // namespace tc::nn::components
