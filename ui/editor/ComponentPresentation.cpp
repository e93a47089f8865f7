#include "ui/editor/ComponentPresentation.h"

#include "core/graph/ComponentRegistry.h"

#include <QHash>

namespace tc::ui {

namespace {

const QString kSeparator = QStringLiteral(" \u00b7 ");
const QString kTimes = QStringLiteral("\u00d7");

QString number(double value) {
    return QString::number(value, 'g', 6);
}

} // namespace

QString ComponentPresentation::keyParameters(const QString& type, const QVariantMap& parameters,
                                             int classCount) {
    const graph::ComponentSpec* spec = graph::ComponentRegistry::instance().find(type);
    if (!spec)
        return QObject::tr("unknown component");
    // The value as it will be used, or an invalid QVariant when the stored one is not valid:
    // a card must never present a value the model would not be built with.
    auto value = [&](const char* name) -> QVariant {
        const graph::ParameterSpec* parameter = spec->parameter(QLatin1String(name));
        if (!parameter)
            return {};
        const auto found = parameters.constFind(QLatin1String(name));
        if (found == parameters.constEnd())
            return parameter->defaultValue;
        if (!parameter->check(*found).isEmpty())
            return {};
        return parameter->coerce(*found);
    };
    auto text = [&](const char* name) {
        const QVariant v = value(name);
        return v.isValid() ? v.toString() : QStringLiteral("?");
    };
    auto activation = [&](const char* name) {
        const QVariant v = value(name);
        if (!v.isValid())
            return QStringLiteral("?");
        if (v.toString() == QLatin1String("none"))
            return QObject::tr("linear");
        return choiceLabel(QStringLiteral("activation"), v.toString());
    };

    QStringList parts;
    if (type == graph::component::Input) {
        parts << text("channels") + kTimes + text("height") + kTimes + text("width");
    } else if (type == graph::component::ResNet) {
        parts << QStringLiteral("ResNet") + text("variant");
        const QString trainable = text("trainable");
        if (trainable == QLatin1String("last_stages"))
            parts << QObject::tr("last %1 trainable").arg(text("trainableStages"));
        else if (trainable == QLatin1String("all"))
            parts << QObject::tr("trainable");
        else
            parts << trainable;
        parts << text("pooling");
        if (text("pretrained") == QLatin1String("none"))
            parts << QObject::tr("random init");
    } else if (type == graph::component::Dense) {
        parts << text("units") << activation("activation");
        if (value("batchNorm").toBool())
            parts << QObject::tr("BN");
        const QVariant dropout = value("dropout");
        if (dropout.isValid() && dropout.toDouble() > 0)
            parts << QObject::tr("drop %1").arg(number(dropout.toDouble()));
    } else if (type == graph::component::Dropout) {
        const QVariant rate = value("rate");
        parts << QObject::tr("rate %1").arg(rate.isValid() ? number(rate.toDouble())
                                                           : QStringLiteral("?"));
    } else if (type == graph::component::Flatten) {
        parts << QObject::tr("to a vector");
    } else if (type == graph::component::BatchNorm) {
        const QVariant momentum = value("momentum");
        parts << QObject::tr("momentum %1")
                     .arg(momentum.isValid() ? number(momentum.toDouble()) : QStringLiteral("?"));
    } else if (type == graph::component::Conv2D) {
        const QString kernel = text("kernelSize");
        parts << text("filters") << kernel + kTimes + kernel << activation("activation");
        if (text("stride") != QLatin1String("1"))
            parts << QObject::tr("stride %1").arg(text("stride"));
    } else if (type == graph::component::MaxPool2D) {
        const QString window = text("poolSize");
        parts << window + kTimes + window << QObject::tr("stride %1").arg(text("stride"));
    } else if (type == graph::component::GlobalAvgPool) {
        parts << QObject::tr("mean per channel");
    } else if (type == graph::component::Output) {
        parts << (classCount > 0 ? QObject::tr("%1 classes").arg(classCount)
                                 : QObject::tr("class scores"));
    } else if (spec->cardSummary) {
        parts << spec->cardSummary(spec->effectiveParameters(parameters));
    }
    return parts.join(kSeparator);
}

QString ComponentPresentation::choiceLabel(const QString& parameter, const QString& value) {
    static const QHash<QString, QString> activations = {
        {QStringLiteral("none"), QStringLiteral("None (linear)")},
        {QStringLiteral("relu"), QStringLiteral("ReLU")},
        {QStringLiteral("leaky_relu"), QStringLiteral("Leaky ReLU")},
        {QStringLiteral("gelu"), QStringLiteral("GELU")},
        {QStringLiteral("sigmoid"), QStringLiteral("Sigmoid")},
        {QStringLiteral("tanh"), QStringLiteral("Tanh")},
        {QStringLiteral("softmax"), QStringLiteral("Softmax")},
    };
    static const QHash<QString, QString> pretrained = {
        {QStringLiteral("imagenet"), QStringLiteral("ImageNet")},
        {QStringLiteral("none"), QStringLiteral("None (random initialisation)")},
    };
    static const QHash<QString, QString> trainable = {
        {QStringLiteral("frozen"), QStringLiteral("Frozen")},
        {QStringLiteral("last_stages"), QStringLiteral("Last stages")},
        {QStringLiteral("all"), QStringLiteral("All layers")},
    };
    static const QHash<QString, QString> pooling = {
        {QStringLiteral("avg"), QStringLiteral("Average")},
        {QStringLiteral("max"), QStringLiteral("Maximum")},
        {QStringLiteral("none"), QStringLiteral("None (feature map)")},
    };
    const QHash<QString, QString>* table = nullptr;
    if (parameter == QLatin1String("activation"))
        table = &activations;
    else if (parameter == QLatin1String("pretrained"))
        table = &pretrained;
    else if (parameter == QLatin1String("trainable"))
        table = &trainable;
    else if (parameter == QLatin1String("pooling"))
        table = &pooling;
    else if (parameter == QLatin1String("variant"))
        return QStringLiteral("ResNet") + value;
    return table ? table->value(value, value) : value;
}

QColor ComponentPresentation::categoryColor(const QString& category) {
    // The same colours as the tiles of resources/icons/components/*.svg.
    if (category == QLatin1String("Input and output"))
        return QColor(0x12, 0x92, 0x7f);
    if (category == QLatin1String("Backbones"))
        return QColor(0x76, 0x57, 0xd6);
    if (category == QLatin1String("Layers"))
        return QColor(0x35, 0x74, 0xe0);
    if (category == QLatin1String("Convolution"))
        return QColor(0xdd, 0x74, 0x31);
    // A category that descriptor components brought: their own colour.
    for (const graph::ComponentSpec& spec : graph::ComponentRegistry::instance().components()) {
        if (spec.category == category && !spec.colour.isEmpty())
            return QColor(spec.colour);
    }
    return QColor(0x6b, 0x72, 0x80);
}

QString ComponentPresentation::firstSentence(const QString& text) {
    const int end = text.indexOf(QLatin1String(". "));
    return end < 0 ? text : text.left(end + 1);
}

} // namespace tc::ui
