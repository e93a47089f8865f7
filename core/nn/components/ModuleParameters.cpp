#include "core/nn/components/ModuleParameters.h"

#include <cmath>

namespace tc::nn::components {

namespace {

QString normalisedKey(const QString& key) {
    QString normalised = key.toLower();
    normalised.remove(QLatin1Char('_'));
    return normalised;
}

} // namespace

ModuleParameters::ModuleParameters(const QString& type, const QVariantMap& values)
    : m_type(type) {
    for (auto it = values.begin(); it != values.end(); ++it)
        m_values.insert(normalisedKey(it.key()), it.value());
}

bool ModuleParameters::has(const char* name) const {
    return m_values.contains(normalisedKey(QLatin1String(name)));
}

QVariant ModuleParameters::raw(const char* name) const {
    return m_values.value(normalisedKey(QLatin1String(name)));
}

std::int64_t ModuleParameters::integer(const char* name, std::optional<std::int64_t> fallback,
                                       std::int64_t minimum) const {
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

double ModuleParameters::real(const char* name, double fallback, double minimum,
                              double maximumExclusive) const {
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

bool ModuleParameters::boolean(const char* name, bool fallback) const {
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

QString ModuleParameters::text(const char* name, const QString& fallback) const {
    return has(name) ? raw(name).toString() : fallback;
}

Activation ModuleParameters::activation() const {
    const QString value = text("activation", QStringLiteral("none"));
    const std::optional<Activation> parsed = parseActivation(value);
    if (!parsed)
        fail("activation", QStringLiteral("'%1' is not one of none, relu, leaky_relu, gelu, "
                                          "sigmoid, tanh, softmax")
                               .arg(value));
    return *parsed;
}

void ModuleParameters::fail(const char* name, const QString& reason) const {
    throw ParameterError(
        QStringLiteral("%1: parameter '%2' %3").arg(m_type, QLatin1String(name), reason));
}

void ModuleParameters::failShape(const QString& reason) const {
    throw ParameterError(QStringLiteral("%1: %2").arg(m_type, reason));
}

std::int64_t elementCount(const std::vector<std::int64_t>& shape) {
    std::int64_t result = 1;
    for (const std::int64_t size : shape)
        result *= size;
    return result;
}

} // namespace tc::nn::components
