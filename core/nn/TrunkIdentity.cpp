#include "core/nn/TrunkIdentity.h"

#include <QStringList>

namespace tc::nn {

namespace {

const QString kWeights = QStringLiteral("weights:");
const QString kRandom = QStringLiteral("random:seed=");

bool isPrecision(const QString& text) {
    return text == QLatin1String("fp32") || text == QLatin1String("bf16");
}

} // namespace

QString TrunkIdentity::computation() const {
    return QStringLiteral("%1/%2/%3/%4x%5")
        .arg(architecture, pooling,
             weightsFile.isEmpty() ? kRandom + QString::number(seed) : kWeights + weightsFile)
        .arg(width)
        .arg(height);
}

QString TrunkIdentity::toString() const {
    return precision.isEmpty() ? computation() : computation() + QLatin1Char('/') + precision;
}

std::optional<TrunkIdentity> TrunkIdentity::parse(const QString& key) {
    QStringList parts = key.split(QLatin1Char('/'));
    // architecture, pooling, weights (one part or more), size, and maybe the precision.
    if (parts.size() < 4)
        return std::nullopt;
    TrunkIdentity identity;
    if (isPrecision(parts.last()))
        identity.precision = parts.takeLast();
    if (parts.size() < 4)
        return std::nullopt;
    const QStringList size = parts.takeLast().split(QLatin1Char('x'));
    bool widthOk = false;
    bool heightOk = false;
    if (size.size() != 2)
        return std::nullopt;
    identity.width = size[0].toInt(&widthOk);
    identity.height = size[1].toInt(&heightOk);
    if (!widthOk || !heightOk || identity.width <= 0 || identity.height <= 0)
        return std::nullopt;
    identity.architecture = parts.takeFirst();
    identity.pooling = parts.takeFirst();
    const QString weights = parts.join(QLatin1Char('/'));
    if (identity.architecture.isEmpty() || identity.pooling.isEmpty())
        return std::nullopt;
    if (weights.startsWith(kWeights)) {
        identity.weightsFile = weights.mid(kWeights.size());
        if (identity.weightsFile.isEmpty())
            return std::nullopt;
    } else if (weights.startsWith(kRandom)) {
        bool ok = false;
        identity.seed = weights.mid(kRandom.size()).toULongLong(&ok);
        if (!ok)
            return std::nullopt;
    } else {
        return std::nullopt;
    }
    return identity;
}

} // namespace tc::nn
