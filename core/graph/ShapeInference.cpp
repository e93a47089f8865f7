#include "core/graph/ShapeInference.h"

#include "core/graph/ComponentRegistry.h"
#include "core/graph/WindowRule.h"

#include <algorithm>
#include <limits>

namespace tc::graph {

namespace {

constexpr int ResNetStrideTwoStages = 5; // conv1, max pool, layer2, layer3, layer4

QString dimensions(const Shape& shape) {
    QStringList parts;
    for (int value : shape)
        parts.append(QString::number(value));
    return parts.join(QStringLiteral("\u00d7"));
}

bool setError(QString* error, const QString& message) {
    if (error)
        *error = message;
    return false;
}

/// Rank checks shared by the components that need an image-like [C, H, W] input.
bool requireImage(const QString& type, const Shape& input, QString* error) {
    if (input.size() == 3)
        return true;
    return setError(error, QStringLiteral("%1 needs an image-like input [C, H, W], but it "
                                          "receives %2%3")
                               .arg(type, shapeToString(input),
                                    input.size() == 1
                                        ? QStringLiteral("; use ResNet with pooling 'none' or "
                                                         "connect it before the pooling")
                                        : QString()));
}

} // namespace

QString shapeToString(const Shape& shape) {
    if (shape.isEmpty())
        return QStringLiteral("?");
    QStringList parts;
    for (int value : shape)
        parts.append(QString::number(value));
    return QLatin1Char('[') + parts.join(QStringLiteral(", ")) + QLatin1Char(']');
}

int resnetFeatureMapSize(int size) {
    // Every stride-2 stage of torchvision's ResNet (7×7/2 pad 3 conv, 3×3/2 pad 1 max pool,
    // 3×3/2 pad 1 convs and their 1×1/2 shortcuts) maps n to floor((n - 1) / 2) + 1 = ceil(n/2).
    for (int stage = 0; stage < ResNetStrideTwoStages; ++stage)
        size = (size + 1) / 2;
    return size;
}

int resnetFeatureCount(const QString& variant) {
    if (variant == QLatin1String("18") || variant == QLatin1String("34"))
        return 512; // basic blocks
    if (variant == QLatin1String("50") || variant == QLatin1String("101") ||
        variant == QLatin1String("152"))
        return 2048; // bottleneck blocks, expansion 4
    return -1;
}

int convolutionOutputSize(int size, int kernel, int stride, int padding) {
    if (stride <= 0)
        return 0;
    const qint64 padded = qint64(size) + 2 * qint64(padding) - kernel;
    if (padded < 0)
        return 0;
    return static_cast<int>(padded / stride + 1);
}

Shape inferOutputShape(const QString& type, const QVariantMap& parameters, const Shape& input,
                       const ShapeContext& context, QString* error) {
    const auto integer = [&](const char* name) {
        return parameters.value(QLatin1String(name)).toInt();
    };
    const auto text = [&](const char* name) {
        return parameters.value(QLatin1String(name)).toString();
    };

    if (type == component::Input) {
        const int channels =
            context.imageChannels > 0 ? context.imageChannels : integer("channels");
        const int height = context.imageHeight > 0 ? context.imageHeight : integer("height");
        const int width = context.imageWidth > 0 ? context.imageWidth : integer("width");
        if (channels <= 0 || height <= 0 || width <= 0) {
            setError(error, QStringLiteral("Input needs a positive size, not %1")
                                .arg(dimensions({channels, height, width})));
            return {};
        }
        return {channels, height, width};
    }

    if (input.isEmpty()) {
        setError(error, QStringLiteral("%1 has no input shape").arg(type));
        return {};
    }

    if (type == component::ResNet) {
        if (!requireImage(type, input, error))
            return {};
        if (input[0] != 3) {
            setError(error, QStringLiteral("ResNet expects 3-channel (RGB) images, but it "
                                           "receives %1 channel(s)")
                                .arg(input[0]));
            return {};
        }
        const int features = resnetFeatureCount(text("variant"));
        if (features <= 0) {
            setError(error, QStringLiteral("unknown ResNet variant '%1'").arg(text("variant")));
            return {};
        }
        if (text("pooling") == QLatin1String("none"))
            return {features, resnetFeatureMapSize(input[1]), resnetFeatureMapSize(input[2])};
        return {features};
    }

    if (type == component::Dense)
        return {integer("units")};

    if (type == component::Dropout)
        return input;

    if (type == component::Flatten) {
        qint64 product = 1;
        for (int value : input) {
            product *= value;
            if (product > std::numeric_limits<int>::max()) {
                setError(error, QStringLiteral("Flatten of %1 gives more than %2 values")
                                    .arg(shapeToString(input))
                                    .arg(std::numeric_limits<int>::max()));
                return {};
            }
        }
        return {static_cast<int>(product)};
    }

    if (type == component::BatchNorm) {
        if (input.size() != 1 && input.size() != 3) {
            setError(error, QStringLiteral("BatchNorm needs [N] or [C, H, W], not %1")
                                .arg(shapeToString(input)));
            return {};
        }
        return input;
    }

    if (type == component::Conv2D || type == component::MaxPool2D) {
        if (!requireImage(type, input, error))
            return {};
        const std::optional<WindowSpec> spec = readWindowSpec(type, parameters, error);
        if (!spec)
            return {};
        const qint64 height = windowOutputSize(*spec, input[1]);
        const qint64 width = windowOutputSize(*spec, input[2]);
        if (height <= 0 || width <= 0) {
            setError(error,
                     QStringLiteral("the %1\u00d7%1 %2 does not fit the %3 input with "
                                    "padding %4")
                         .arg(spec->kernel)
                         .arg(spec->pool ? QStringLiteral("window") : QStringLiteral("kernel"),
                              dimensions({input[1], input[2]}))
                         .arg(spec->padding.mode == WindowPadding::Mode::Same
                                  ? QStringLiteral("'same'")
                                  : QString::number(spec->padding.pixels)));
            return {};
        }
        return {spec->pool ? input[0] : integer("filters"), int(height), int(width)};
    }

    if (type == component::GlobalAvgPool) {
        if (!requireImage(type, input, error))
            return {};
        return {input[0]};
    }

    if (type == component::Output) {
        if (input.size() != 1) {
            setError(error, QStringLiteral("Output needs a vector with one value per class, but "
                                           "it receives %1; add Flatten, GlobalAvgPool or a "
                                           "Dense layer before it")
                                .arg(shapeToString(input)));
            return {};
        }
        if (context.classCount > 0 && input[0] != context.classCount) {
            setError(error, QStringLiteral("the data set has %1 classes but Output receives %2 "
                                           "values; give the last layer %1 units")
                                .arg(context.classCount)
                                .arg(input[0]));
            return {};
        }
        if (input[0] < 2) {
            setError(error, QStringLiteral("Output needs at least 2 values (one per class), not "
                                           "%1")
                                .arg(input[0]));
            return {};
        }
        return input;
    }

    const ComponentSpec* spec = ComponentRegistry::instance().find(type);
    if (spec && spec->shapeRule)
        return inferOutputShape(type, parameters, QList<Shape>{input}, context, error);
    setError(error, QStringLiteral("unknown component '%1'").arg(type));
    return {};
}

Shape inferOutputShape(const QString& type, const QVariantMap& parameters,
                       const QList<Shape>& inputs, const ShapeContext& context, QString* error) {
    const ComponentSpec* spec = ComponentRegistry::instance().find(type);
    if (!spec || !spec->shapeRule)
        return inferOutputShape(type, parameters, inputs.value(0), context, error);
    const bool unknown =
        inputs.isEmpty() || std::any_of(inputs.begin(), inputs.end(),
                                        [](const Shape& shape) { return shape.isEmpty(); });
    if (!spec->inputs.isEmpty() && unknown) {
        setError(error, QStringLiteral("%1 has no input shape").arg(type));
        return {};
    }
    QString message;
    Shape output = spec->shapeRule(ShapeRuleInput{parameters, inputs, context}, &message);
    if (output.isEmpty())
        setError(error, message.isEmpty()
                            ? QStringLiteral("%1 cannot infer its output shape").arg(type)
                            : message);
    return output;
}

} // namespace tc::graph
