#include "core/nn/Architecture.h"

#include <algorithm>
#include <QRegularExpression>

namespace tc::nn {

std::optional<ResNetDepth> resNetDepthFromNumber(int number) {
    for (ResNetDepth depth : kResNetDepths) {
        if (static_cast<int>(depth) == number)
            return depth;
    }
    return std::nullopt;
}

std::optional<ResNetDepth> parseResNetDepth(const QString& text) {
    QString digits = text.trimmed().toLower();
    if (digits.startsWith(QLatin1String("resnet")))
        digits = digits.mid(6);
    bool ok = false;
    const int number = digits.toInt(&ok);
    if (!ok)
        return std::nullopt;
    return resNetDepthFromNumber(number);
}

QString resNetName(ResNetDepth depth) {
    return QStringLiteral("resnet%1").arg(static_cast<int>(depth));
}

int resNetFeatureChannels(ResNetDepth depth) {
    return resNetUsesBottleneck(depth) ? 2048 : 512;
}

std::array<int, 4> resNetBlockCounts(ResNetDepth depth) {
    switch (depth) {
    case ResNetDepth::ResNet18:
        return {2, 2, 2, 2};
    case ResNetDepth::ResNet34:
    case ResNetDepth::ResNet50:
        return {3, 4, 6, 3};
    case ResNetDepth::ResNet101:
        return {3, 4, 23, 3};
    case ResNetDepth::ResNet152:
        return {3, 8, 36, 3};
    }
    return {0, 0, 0, 0};
}

bool resNetUsesBottleneck(ResNetDepth depth) {
    return static_cast<int>(depth) >= 50;
}

std::optional<Pooling> parsePooling(const QString& text) {
    const QString name = text.trimmed().toLower();
    if (name == QLatin1String("avg") || name == QLatin1String("average"))
        return Pooling::Average;
    if (name == QLatin1String("max"))
        return Pooling::Max;
    if (name == QLatin1String("none"))
        return Pooling::None;
    return std::nullopt;
}

QString poolingName(Pooling pooling) {
    switch (pooling) {
    case Pooling::Average:
        return QStringLiteral("avg");
    case Pooling::Max:
        return QStringLiteral("max");
    case Pooling::None:
        return QStringLiteral("none");
    }
    return {};
}

int Trainability::trainableStages() const {
    switch (mode) {
    case Mode::Frozen:
        return 0;
    case Mode::All:
        return kResNetStageCount;
    case Mode::LastStages:
        return std::clamp(lastStages, 0, kResNetStageCount);
    }
    return 0;
}

std::optional<Trainability> parseTrainability(const QString& text, QString* error) {
    const QString name = text.trimmed().toLower();
    if (name == QLatin1String("frozen") || name == QLatin1String("none"))
        return Trainability::frozen();
    if (name == QLatin1String("all"))
        return Trainability::all();
    static const QRegularExpression last(QStringLiteral("^last[ _-]?(\\d+)$"));
    const QRegularExpressionMatch match = last.match(name);
    if (match.hasMatch()) {
        const int stages = match.captured(1).toInt();
        if (stages >= 1 && stages <= kResNetStageCount)
            return Trainability::last(stages);
        if (error) {
            *error = QStringLiteral("'%1': a ResNet has %2 stages (stem, layer1…layer4), so "
                                    "'last N' needs N from 1 to %2")
                         .arg(text)
                         .arg(kResNetStageCount);
        }
        return std::nullopt;
    }
    if (error) {
        *error = QStringLiteral("'%1' is not a trainable mode: use 'frozen', 'last N' "
                                "(1…%2) or 'all'")
                     .arg(text)
                     .arg(kResNetStageCount);
    }
    return std::nullopt;
}

QString trainabilityName(const Trainability& trainability) {
    switch (trainability.mode) {
    case Trainability::Mode::Frozen:
        return QStringLiteral("frozen");
    case Trainability::Mode::All:
        return QStringLiteral("all");
    case Trainability::Mode::LastStages:
        return QStringLiteral("last %1").arg(trainability.trainableStages());
    }
    return {};
}

std::optional<Activation> parseActivation(const QString& text) {
    QString name = text.trimmed().toLower();
    name.remove(QLatin1Char('_')).remove(QLatin1Char('-')).remove(QLatin1Char(' '));
    if (name == QLatin1String("none") || name == QLatin1String("linear") || name.isEmpty())
        return Activation::None;
    if (name == QLatin1String("relu"))
        return Activation::Relu;
    if (name == QLatin1String("leakyrelu"))
        return Activation::LeakyRelu;
    if (name == QLatin1String("gelu"))
        return Activation::Gelu;
    if (name == QLatin1String("sigmoid"))
        return Activation::Sigmoid;
    if (name == QLatin1String("tanh"))
        return Activation::Tanh;
    if (name == QLatin1String("softmax"))
        return Activation::Softmax;
    return std::nullopt;
}

QString activationName(Activation activation) {
    switch (activation) {
    case Activation::None:
        return QStringLiteral("none");
    case Activation::Relu:
        return QStringLiteral("relu");
    case Activation::LeakyRelu:
        return QStringLiteral("leaky_relu");
    case Activation::Gelu:
        return QStringLiteral("gelu");
    case Activation::Sigmoid:
        return QStringLiteral("sigmoid");
    case Activation::Tanh:
        return QStringLiteral("tanh");
    case Activation::Softmax:
        return QStringLiteral("softmax");
    }
    return {};
}

std::optional<Precision> parsePrecision(const QString& text) {
    const QString name = text.trimmed().toLower();
    if (name == QLatin1String("fp32") || name == QLatin1String("float32"))
        return Precision::Fp32;
    if (name == QLatin1String("bf16") || name == QLatin1String("bfloat16"))
        return Precision::Bf16;
    if (name == QLatin1String("auto"))
        return Precision::Auto;
    return std::nullopt;
}

QString precisionName(Precision precision) {
    switch (precision) {
    case Precision::Fp32:
        return QStringLiteral("fp32");
    case Precision::Bf16:
        return QStringLiteral("bf16");
    case Precision::Auto:
        return QStringLiteral("auto");
    }
    return {};
}

} // namespace tc::nn
