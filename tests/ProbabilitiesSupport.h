#pragma once

// Per-image class probabilities as `torchcanvas predict --json` and the Python reference
// tools print them, and the largest difference between two such sets.

#include <algorithm>
#include <cmath>
#include <QJsonArray>
#include <QJsonObject>
#include <QMap>
#include <QStringList>
#include <vector>

namespace tc::testing {

/// image path → probabilities in the order of the classes.
using Probabilities = QMap<QString, std::vector<double>>;

/// From `torchcanvas predict --json`: {"classes": [...], "predictions": [{"image",
/// "probabilities": {class: p}}]}; a class missing from a row reads as -1.
inline Probabilities fromPredictJson(const QJsonObject& json) {
    Probabilities result;
    const QJsonArray classes = json.value(QStringLiteral("classes")).toArray();
    for (const QJsonValue& value : json.value(QStringLiteral("predictions")).toArray()) {
        const QJsonObject row = value.toObject();
        const QJsonObject byClass = row.value(QStringLiteral("probabilities")).toObject();
        std::vector<double> probabilities;
        for (const QJsonValue& name : classes)
            probabilities.push_back(byClass.value(name.toString()).toDouble(-1.0));
        result.insert(row.value(QStringLiteral("image")).toString(), probabilities);
    }
    return result;
}

/// From the Python tools: {"predictions": [{"image", "probabilities": [p...]}]}.
inline Probabilities fromPythonJson(const QJsonObject& json) {
    Probabilities result;
    for (const QJsonValue& value : json.value(QStringLiteral("predictions")).toArray()) {
        std::vector<double> probabilities;
        for (const QJsonValue& p :
             value.toObject().value(QStringLiteral("probabilities")).toArray())
            probabilities.push_back(p.toDouble());
        result.insert(value.toObject().value(QStringLiteral("image")).toString(), probabilities);
    }
    return result;
}

/// The largest |a − b| over `images` and classes; 1e9 when an image is missing from either
/// side or their class counts differ.
inline double largestDifference(const Probabilities& a, const Probabilities& b,
                                const QStringList& images) {
    double largest = 0.0;
    for (const QString& image : images) {
        const auto& x = a.value(image);
        const auto& y = b.value(image);
        if (x.size() != y.size() || x.empty())
            return 1e9;
        for (size_t c = 0; c < x.size(); ++c)
            largest = std::max(largest, std::abs(x[c] - y[c]));
    }
    return largest;
}

} // namespace tc::testing
