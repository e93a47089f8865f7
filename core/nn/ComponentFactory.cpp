#include "core/nn/ComponentFactory.h"

#include "core/graph/WindowRule.h"
#include "core/nn/Layers.h"
#include "core/nn/ModuleRegistry.h"
#include "core/nn/ResNet.h"
#include "core/nn/StateDict.h"

namespace tc::nn {

namespace {

class ParameterError : public std::runtime_error {
public:
    explicit ParameterError(const QString& message)
        : std::runtime_error(message.toStdString()) {}
};

QString normalisedKey(const QString& key) {
    QString normalised = key.toLower();
    normalised.remove(QLatin1Char('_'));
    return normalised;
}

/// Typed access to a component's parameters, with messages that name the parameter.
class Parameters {
public:
    Parameters(const QString& type, const QVariantMap& values)
        : type_(type) {
        for (auto it = values.begin(); it != values.end(); ++it)
            values_.insert(normalisedKey(it.key()), it.value());
    }

    bool has(const char* name) const {
        return values_.contains(normalisedKey(QLatin1String(name)));
    }

    QVariant raw(const char* name) const {
        return values_.value(normalisedKey(QLatin1String(name)));
    }

    std::int64_t integer(const char* name, std::optional<std::int64_t> fallback,
                         std::int64_t minimum = 1) const {
        if (!has(name)) {
            if (!fallback)
                fail(name, QStringLiteral("is required"));
            return *fallback;
        }
        bool ok = false;
        const double number = raw(name).toDouble(&ok);
        if (!ok || number != std::floor(number) || number < double(minimum) || number > 1e9)
            fail(name, QStringLiteral("must be a whole number of at least %1, not '%2'")
                           .arg(minimum)
                           .arg(raw(name).toString()));
        return static_cast<std::int64_t>(number);
    }

    double real(const char* name, double fallback, double minimum, double maximumExclusive) const {
        if (!has(name))
            return fallback;
        bool ok = false;
        const double number = raw(name).toDouble(&ok);
        if (!ok || number < minimum || number >= maximumExclusive)
            fail(name, QStringLiteral("must be a number in [%1, %2), not '%3'")
                           .arg(minimum)
                           .arg(maximumExclusive)
                           .arg(raw(name).toString()));
        return number;
    }

    bool boolean(const char* name, bool fallback) const {
        if (!has(name))
            return fallback;
        const QVariant value = raw(name);
        if (value.typeId() == QMetaType::Bool)
            return value.toBool();
        const QString text = value.toString().trimmed().toLower();
        if (text == QLatin1String("true") || text == QLatin1String("yes") ||
            text == QLatin1String("1") || text == QLatin1String("on"))
            return true;
        if (text == QLatin1String("false") || text == QLatin1String("no") ||
            text == QLatin1String("0") || text == QLatin1String("off"))
            return false;
        fail(name, QStringLiteral("must be true or false, not '%1'").arg(value.toString()));
    }

    /// Every value, under its normalised name.
    QVariantMap values() const { return values_; }

    QString text(const char* name, const QString& fallback) const {
        return has(name) ? raw(name).toString() : fallback;
    }

    Activation activation() const {
        const QString value = text("activation", QStringLiteral("none"));
        const std::optional<Activation> parsed = parseActivation(value);
        if (!parsed)
            fail("activation", QStringLiteral("'%1' is not one of none, relu, leaky_relu, gelu, "
                                              "sigmoid, tanh, softmax")
                                   .arg(value));
        return *parsed;
    }

    [[noreturn]] void fail(const char* name, const QString& reason) const {
        throw ParameterError(
            QStringLiteral("%1: parameter '%2' %3").arg(type_, QLatin1String(name), reason));
    }
    [[noreturn]] void failShape(const QString& reason) const {
        throw ParameterError(QStringLiteral("%1: %2").arg(type_, reason));
    }

private:
    QString type_;
    QMap<QString, QVariant> values_;
};

QString shapeText(const std::vector<std::int64_t>& shape) {
    return shapeString(shape);
}

std::int64_t product(const std::vector<std::int64_t>& shape) {
    std::int64_t result = 1;
    for (const std::int64_t size : shape)
        result *= size;
    return result;
}

std::int64_t convolvedSize(std::int64_t size, std::int64_t kernel, std::int64_t stride,
                           std::int64_t padding) {
    return (size + 2 * padding - kernel) / stride + 1;
}

BuiltComponent buildResNet(const Parameters& parameters, const std::vector<std::int64_t>& input,
                           const ComponentContext& context) {
    const QString variantText = parameters.text("variant", QStringLiteral("50"));
    const std::optional<ResNetDepth> depth = parseResNetDepth(variantText);
    if (!depth)
        parameters.fail("variant",
                        QStringLiteral("'%1' is not one of 18, 34, 50, 101, 152").arg(variantText));
    const QString poolingText = parameters.text("pooling", QStringLiteral("avg"));
    const std::optional<Pooling> pooling = parsePooling(poolingText);
    if (!pooling)
        parameters.fail("pooling",
                        QStringLiteral("'%1' is not one of avg, max, none").arg(poolingText));
    QString reason;
    QString trainableText = parameters.text("trainable", QStringLiteral("frozen"));
    // The registry spells "the last N stages" as trainable "last_stages" with a separate
    // trainableStages count.
    const QString normalised = trainableText.trimmed().toLower();
    if (normalised == QLatin1String("last_stages") || normalised == QLatin1String("last stages"))
        trainableText = QStringLiteral("last %1").arg(parameters.integer("trainable_stages", 1));
    const std::optional<Trainability> trainable = parseTrainability(trainableText, &reason);
    if (!trainable)
        parameters.fail("trainable", reason);
    bool pretrained = true;
    if (parameters.has("pretrained")) {
        const QVariant value = parameters.raw("pretrained");
        const QString text = value.toString().trimmed().toLower();
        if (value.typeId() == QMetaType::Bool)
            pretrained = value.toBool();
        else if (text == QLatin1String("imagenet") || text == QLatin1String("true"))
            pretrained = true;
        else if (text == QLatin1String("none") || text == QLatin1String("false") || text.isEmpty())
            pretrained = false;
        else
            parameters.fail("pretrained",
                            QStringLiteral("'%1' is not 'imagenet' or 'none'").arg(text));
    }
    if (input.size() != 3 || input[0] != 3)
        parameters.failShape(
            QStringLiteral("needs an RGB image input [3, H, W], got %1").arg(shapeText(input)));
    if (input[1] < 32 || input[2] < 32)
        parameters.failShape(
            QStringLiteral("needs images of at least 32×32, got %1").arg(shapeText(input)));

    ResNetOptions options;
    options.depth = *depth;
    options.includeTop = false;
    options.pooling = *pooling;
    ResNet model(options);
    const WeightStore store(context.weightsDirectory);
    BuiltComponent built;
    built.weights = initialiseResNetWeights(*model, pretrained, context.weightsFile, store);
    model->setTrainable(*trainable);
    built.outputShape = resNetOutputShape(*depth, *pooling, input[1], input[2]);
    built.module = torch::nn::AnyModule(model);
    return built;
}

BuiltComponent buildLayer(const QString& type, const Parameters& parameters,
                          const std::vector<std::int64_t>& input) {
    BuiltComponent built;
    const QString kind = type.toLower();
    if (kind == QLatin1String("dense")) {
        if (input.empty())
            parameters.failShape(QStringLiteral("needs an input"));
        DenseOptions options;
        options.inFeatures = product(input);
        options.units = parameters.integer("units", std::nullopt);
        options.activation = parameters.activation();
        options.dropout = parameters.real("dropout", 0.0, 0.0, 1.0);
        options.batchNorm = parameters.boolean("batch_norm", false);
        built.module = torch::nn::AnyModule(Dense(options));
        built.outputShape = {options.units};
    } else if (kind == QLatin1String("conv2d") || kind == QLatin1String("maxpool2d")) {
        if (input.size() != 3)
            parameters.failShape(QStringLiteral("needs an image-like input [C, H, W], got %1")
                                     .arg(shapeText(input)));
        // Kernel, stride, padding and the output size come from the rule shape inference
        // uses too (core/graph/WindowRule.h).
        QString reason;
        const std::optional<graph::WindowSpec> spec =
            graph::readWindowSpec(type, parameters.values(), &reason);
        if (!spec)
            throw ParameterError(reason);
        const std::int64_t height = graph::windowOutputSize(*spec, input[1]);
        const std::int64_t width = graph::windowOutputSize(*spec, input[2]);
        if (height < 1 || width < 1)
            parameters.failShape(
                QStringLiteral("a %1×%1 %2 does not fit a %3×%4 input")
                    .arg(spec->kernel)
                    .arg(spec->pool ? QStringLiteral("pool") : QStringLiteral("kernel"))
                    .arg(input[1])
                    .arg(input[2]));
        if (spec->pool) {
            MaxPool2DOptions options;
            options.poolSize = spec->kernel;
            options.stride = spec->stride;
            options.samePadding = spec->padding.mode == graph::WindowPadding::Mode::Same;
            options.padding = options.samePadding ? 0 : spec->padding.pixels;
            built.module = torch::nn::AnyModule(MaxPool2D(options));
            built.outputShape = {input[0], height, width};
        } else {
            Conv2DOptions options;
            options.inChannels = input[0];
            options.filters = parameters.integer("filters", std::nullopt);
            options.kernelSize = spec->kernel;
            options.stride = spec->stride;
            options.padding = graph::convolutionPadding(*spec);
            options.bias = parameters.boolean("use_bias", true);
            options.activation = parameters.activation();
            if (options.activation == Activation::Softmax)
                parameters.fail("activation",
                                QStringLiteral("softmax belongs on a final Dense layer"));
            built.module = torch::nn::AnyModule(Conv2D(options));
            built.outputShape = {options.filters, height, width};
        }
    } else if (kind == QLatin1String("globalavgpool")) {
        if (input.size() != 3)
            parameters.failShape(QStringLiteral("needs an image-like input [C, H, W], got %1")
                                     .arg(shapeText(input)));
        built.module = torch::nn::AnyModule(GlobalAvgPool());
        built.outputShape = {input[0]};
    } else if (kind == QLatin1String("batchnorm")) {
        if (input.size() != 1 && input.size() != 3)
            parameters.failShape(
                QStringLiteral("needs a vector [F] or an image-like [C, H, W] input, got %1")
                    .arg(shapeText(input)));
        built.module = torch::nn::AnyModule(BatchNorm(input[0], static_cast<int>(input.size())));
        built.outputShape = input;
    } else if (kind == QLatin1String("dropout")) {
        built.module = torch::nn::AnyModule(Dropout(parameters.real("rate", 0.5, 0.0, 1.0)));
        built.outputShape = input;
    } else if (kind == QLatin1String("flatten")) {
        built.module = torch::nn::AnyModule(Flatten());
        built.outputShape = {product(input)};
    } else if (kind == QLatin1String("input")) {
        built.module = torch::nn::AnyModule(torch::nn::Identity());
        built.outputShape = input;
        if (parameters.has("channels") || parameters.has("height") || parameters.has("width")) {
            built.outputShape = {parameters.integer("channels", 3),
                                 parameters.integer("height", std::nullopt),
                                 parameters.integer("width", std::nullopt)};
        }
    } else if (kind == QLatin1String("output")) {
        built.module = torch::nn::AnyModule(torch::nn::Identity());
        built.outputShape = input;
    } else {
        throw ParameterError(QStringLiteral("unknown component type '%1'").arg(type));
    }
    return built;
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
    return QStringList{QStringLiteral("Input"),     QStringLiteral("ResNet"),
                       QStringLiteral("Dense"),     QStringLiteral("Dropout"),
                       QStringLiteral("Flatten"),   QStringLiteral("Conv2D"),
                       QStringLiteral("MaxPool2D"), QStringLiteral("GlobalAvgPool"),
                       QStringLiteral("BatchNorm"), QStringLiteral("Output")} +
           ModuleRegistry::instance().types();
}

BuiltComponent buildComponent(const QString& type, const QVariantMap& parameters,
                              const std::vector<std::int64_t>& inputShape,
                              const ComponentContext& context) {
    try {
        for (const std::int64_t size : inputShape) {
            if (size < 1) {
                BuiltComponent failed;
                failed.error = QStringLiteral("%1: the input shape %2 has an empty dimension")
                                   .arg(type, shapeString(inputShape));
                return failed;
            }
        }
        if (ModuleRegistry::instance().find(type))
            return buildComponent(type, parameters, InputShapes{inputShape}, context);
        const Parameters values(type, parameters);
        if (type.compare(QLatin1String("ResNet"), Qt::CaseInsensitive) == 0)
            return buildResNet(values, inputShape, context);
        return buildLayer(type, values, inputShape);
    } catch (const ParameterError& failure) {
        BuiltComponent failed;
        failed.error = QString::fromStdString(failure.what());
        return failed;
    } catch (const c10::Error& failure) {
        BuiltComponent failed;
        failed.error = QStringLiteral("%1: %2").arg(
            type, QString::fromStdString(failure.what_without_backtrace()));
        return failed;
    }
}

} // namespace tc::nn
