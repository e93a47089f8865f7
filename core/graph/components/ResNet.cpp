// ResNet: a torchvision ResNet backbone without its classification head.
//
// Everything the graph layer knows about ResNet is here. Its LibTorch module is registered in
// core/nn/components/ResNetModule.cpp, its ONNX and TorchScript forms in
// core/export/components/.

#include "core/graph/components/Components.h"
#include "core/graph/components/SpecParts.h"

namespace tc::graph::components {

namespace {

Shape resnetShape(const ShapeRuleInput& rule, QString* error) {
    const Shape& input = rule.inputs.value(0);
    if (!requireImage(component::ResNet, input, error))
        return {};
    if (input[0] != 3) {
        return failShape(error, QStringLiteral("ResNet expects 3-channel (RGB) images, but it "
                                               "receives %1 channel(s)")
                                    .arg(input[0]));
    }
    const QString variant = rule.parameters.value(QStringLiteral("variant")).toString();
    const int features = resnetFeatureCount(variant);
    if (features <= 0)
        return failShape(error, QStringLiteral("unknown ResNet variant '%1'").arg(variant));
    if (rule.parameters.value(QStringLiteral("pooling")).toString() == QLatin1String("none"))
        return {features, resnetFeatureMapSize(input[1]), resnetFeatureMapSize(input[2])};
    return {features};
}

QStringList resnetCard(const QVariantMap& values, int) {
    QStringList parts{QStringLiteral("ResNet") + cardText(values, QStringLiteral("variant"))};
    const QString trainable = cardText(values, QStringLiteral("trainable"));
    if (trainable == QLatin1String("last_stages"))
        parts << QStringLiteral("last %1 trainable")
                     .arg(cardText(values, QStringLiteral("trainableStages")));
    else if (trainable == QLatin1String("all"))
        parts << QStringLiteral("trainable");
    else
        parts << trainable;
    parts << cardText(values, QStringLiteral("pooling"));
    if (cardText(values, QStringLiteral("pretrained")) == QLatin1String("none"))
        parts << QStringLiteral("random init");
    return parts;
}

} // namespace

ComponentSpec resnet() {
    ComponentSpec spec;
    spec.name = component::ResNet;
    spec.category = backboneCategory();
    spec.colour = backboneColour();
    spec.iconName = QStringLiteral("resnet");
    spec.description = QStringLiteral(
        "A torchvision ResNet without its classification head (include_top is always "
        "false). Outputs 512 features (ResNet18/34) or 2048 (ResNet50/101/152) after "
        "pooling, or a [C, H/32, W/32] feature map with pooling 'none'.");
    spec.inputs = {imageInput()};
    spec.outputs = {port(QStringLiteral("features"), PortKind::Any,
                         QStringLiteral("Pooled features [N], or a feature map [C, H, W] "
                                        "when pooling is 'none'."))};
    spec.parameters = {
        choiceParameter(QStringLiteral("variant"), QStringLiteral("Variant"), QStringLiteral("50"),
                        {QStringLiteral("18"), QStringLiteral("34"), QStringLiteral("50"),
                         QStringLiteral("101"), QStringLiteral("152")},
                        QStringLiteral("Depth of the network: ResNet18, 34, 50, 101 or 152.")),
        choiceParameter(QStringLiteral("pretrained"), QStringLiteral("Pretrained weights"),
                        QStringLiteral("imagenet"),
                        {QStringLiteral("imagenet"), QStringLiteral("none")},
                        QStringLiteral("Start from torchvision's ImageNet weights, or from "
                                       "random initialisation.")),
        choiceParameter(
            QStringLiteral("trainable"), QStringLiteral("Trainable"), QStringLiteral("frozen"),
            {QStringLiteral("frozen"), QStringLiteral("last_stages"), QStringLiteral("all")},
            QStringLiteral("Which weights training updates: none (frozen; its "
                           "features can be cached), the last N stages, or "
                           "all.")),
        intParameter(QStringLiteral("trainableStages"), QStringLiteral("Trainable stages"), 1, 1, 4,
                     QStringLiteral("With trainable 'last_stages': how many of the final "
                                    "stages (layer4, layer3, …) are trained.")),
        choiceParameter(QStringLiteral("pooling"), QStringLiteral("Pooling"), QStringLiteral("avg"),
                        {QStringLiteral("avg"), QStringLiteral("max"), QStringLiteral("none")},
                        QStringLiteral("Global pooling of the last feature map: average, "
                                       "maximum, or none (keep the [C, H, W] map).")),
    };
    spec.shapeRule = resnetShape;
    spec.label = [](const QVariantMap& values) {
        const auto variant = values.constFind(QStringLiteral("variant"));
        return variant == values.constEnd() ? QString(component::ResNet)
                                            : component::ResNet + variant->toString();
    };
    spec.cardSummary = resnetCard;
    return spec;
}

} // namespace tc::graph::components
