#include "core/graph/ShapeInference.h"

#include "core/graph/ComponentRegistry.h"

#include <algorithm>

namespace tc::graph {

namespace {

constexpr int ResNetStrideTwoStages = 5; // conv1, max pool, layer2, layer3, layer4

bool setError(QString* error, const QString& message) {
    if (error)
        *error = message;
    return false;
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
    return inferOutputShape(type, parameters, QList<Shape>{input}, context, error);
}

Shape inferOutputShape(const QString& type, const QVariantMap& parameters,
                       const QList<Shape>& inputs, const ShapeContext& context, QString* error) {
    const ComponentSpec* spec = ComponentRegistry::instance().find(type);
    if (!spec || !spec->shapeRule) {
        setError(error, QStringLiteral("unknown component '%1'").arg(type));
        return {};
    }
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
