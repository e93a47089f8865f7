#include "ui/editor/ComponentPresentation.h"

#include "core/graph/ComponentRegistry.h"

#include <QHash>

namespace tc::ui {

namespace {

const QString kSeparator = QStringLiteral(" \u00b7 ");
} // namespace

QString ComponentPresentation::keyParameters(const QString& type, const QVariantMap& parameters,
                                             int classCount) {
    const graph::ComponentSpec* spec = graph::ComponentRegistry::instance().find(type);
    if (!spec)
        return QObject::tr("unknown component");
    if (!spec->cardSummary)
        return {};
    // Valid values only: a card must never present a value the model would not be built with.
    return spec->cardSummary(spec->validParameters(parameters), classCount).join(kSeparator);
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
    // The descriptors' colours, the same as the tiles of resources/icons/components/*.svg.
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
