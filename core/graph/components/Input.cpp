// Input: the images of the data set, after preprocessing.
//
// Everything the graph layer knows about Input is here. Its LibTorch module (the identity) is
// registered in core/nn/components/InputOutputModules.cpp; the exporters read the images
// themselves, so it has no export mapping.

#include "core/graph/components/Components.h"
#include "core/graph/components/SpecParts.h"

namespace tc::graph::components {

namespace {

/// The preprocessing decides what the model sees; the parameters only mirror it.
Shape inputShape(const ShapeRuleInput& input, QString* error) {
    const ShapeContext& context = input.context;
    auto own = [&](const char* name) {
        return input.parameters.value(QLatin1String(name)).toInt();
    };
    const int channels = context.imageChannels > 0 ? context.imageChannels : own("channels");
    const int height = context.imageHeight > 0 ? context.imageHeight : own("height");
    const int width = context.imageWidth > 0 ? context.imageWidth : own("width");
    if (channels <= 0 || height <= 0 || width <= 0) {
        return failShape(error,
                         QStringLiteral("Input needs a positive size, not %1")
                             .arg(QStringList{QString::number(channels), QString::number(height),
                                              QString::number(width)}
                                      .join(times())));
    }
    return {channels, height, width};
}

QList<NodeFinding> inputRule(const NodeRuleInput& input) {
    const Shape own = {input.parameters.value(QStringLiteral("channels")).toInt(),
                       input.parameters.value(QStringLiteral("height")).toInt(),
                       input.parameters.value(QStringLiteral("width")).toInt()};
    if (input.output.isEmpty() || own == input.output)
        return {};
    return {NodeFinding{false, QStringLiteral("its size %1 differs from the data set settings, "
                                              "%2, which are used")
                                   .arg(shapeToString(own), shapeToString(input.output))}};
}

} // namespace

ComponentSpec input() {
    ComponentSpec spec;
    spec.name = component::Input;
    spec.category = inputOutputCategory();
    spec.colour = inputOutputColour();
    spec.iconName = QStringLiteral("input");
    spec.description = QStringLiteral(
        "The images of the data set, after preprocessing. Its size comes from the data set "
        "settings (preprocessing width and height); the parameters here mirror them.");
    spec.outputs = {port(QStringLiteral("image"), PortKind::Image,
                         QStringLiteral("A batch of images [C, H, W]."))};
    spec.parameters = {
        intParameter(QStringLiteral("channels"), QStringLiteral("Channels"), 3, 1, 64,
                     QStringLiteral("Colour channels per image (3 for RGB).")),
        intParameter(QStringLiteral("height"), QStringLiteral("Height"), 224, 1, 8192,
                     QStringLiteral("Image height in pixels after preprocessing.")),
        intParameter(QStringLiteral("width"), QStringLiteral("Width"), 224, 1, 8192,
                     QStringLiteral("Image width in pixels after preprocessing.")),
    };
    spec.shapeRule = inputShape;
    spec.nodeRule = inputRule;
    spec.label = [](const QVariantMap& values) {
        const QStringList names = {QStringLiteral("channels"), QStringLiteral("height"),
                                   QStringLiteral("width")};
        QStringList sizes;
        for (const QString& name : names) {
            if (!values.contains(name))
                return QString(component::Input);
            sizes.append(values.value(name).toString());
        }
        return joinLabel({component::Input, sizes.join(times())});
    };
    spec.cardSummary = [](const QVariantMap& values, int) {
        return QStringList{cardText(values, QStringLiteral("channels")) + times() +
                           cardText(values, QStringLiteral("height")) + times() +
                           cardText(values, QStringLiteral("width"))};
    };
    return spec;
}

} // namespace tc::graph::components
