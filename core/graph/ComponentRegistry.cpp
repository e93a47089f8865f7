#include "core/graph/ComponentRegistry.h"

#include "core/graph/components/Components.h"

#include <cmath>
#include <limits>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonValue>

namespace tc::graph {

namespace {

bool isIntegerType(const QVariant& value) {
    switch (value.typeId()) {
    case QMetaType::Int:
    case QMetaType::UInt:
    case QMetaType::LongLong:
    case QMetaType::ULongLong:
    case QMetaType::Long:
    case QMetaType::ULong:
    case QMetaType::Short:
    case QMetaType::UShort:
        return true;
    default:
        return false;
    }
}

bool isFloatType(const QVariant& value) {
    return value.typeId() == QMetaType::Double || value.typeId() == QMetaType::Float;
}

bool isNumber(const QVariant& value) {
    return isIntegerType(value) || isFloatType(value);
}

/// The value as it would read in the project file, for messages: 0.5, 'relu', true, […].
QString displayValue(const QVariant& value) {
    if (!value.isValid())
        return QStringLiteral("nothing");
    // Messages stay one readable line even for a hostile file's megabyte-long value.
    constexpr int Longest = 40;
    if (value.typeId() == QMetaType::QString) {
        QString text = value.toString();
        if (text.size() > Longest)
            text = text.left(Longest - 3) + QStringLiteral("...");
        return QLatin1Char('\'') + text + QLatin1Char('\'');
    }
    const QJsonValue json = QJsonValue::fromVariant(value);
    QByteArray text = QJsonDocument(QJsonArray{json}).toJson(QJsonDocument::Compact);
    // Strip the surrounding "[" and "]" that made it a valid document.
    text = text.mid(1, text.size() - 2);
    if (text.size() > Longest)
        text = text.left(Longest - 3) + "...";
    return QString::fromUtf8(text);
}

QString formatNumber(double value) {
    return QString::number(value, 'g', 10);
}

} // namespace

QString parameterTypeName(ParameterType type) {
    switch (type) {
    case ParameterType::Int:
        return QStringLiteral("int");
    case ParameterType::Double:
        return QStringLiteral("double");
    case ParameterType::Bool:
        return QStringLiteral("bool");
    case ParameterType::Choice:
        return QStringLiteral("choice");
    case ParameterType::String:
        return QStringLiteral("string");
    }
    return {};
}

QVariant ParameterSpec::coerce(const QVariant& value) const {
    switch (type) {
    case ParameterType::Int: {
        if (isIntegerType(value)) {
            bool ok = false;
            const qlonglong whole = value.toLongLong(&ok);
            // A ULongLong above LLONG_MAX converts with ok == false.
            if (ok && whole >= std::numeric_limits<int>::min() &&
                whole <= std::numeric_limits<int>::max())
                return static_cast<int>(whole);
            return {};
        }
        if (isFloatType(value)) {
            // JSON has one number type: 3.0 written by another tool is still the integer 3.
            const double real = value.toDouble();
            if (std::isfinite(real) && std::trunc(real) == real &&
                real >= std::numeric_limits<int>::min() && real <= std::numeric_limits<int>::max())
                return static_cast<int>(real);
        }
        return {};
    }
    case ParameterType::Double:
        if (isNumber(value)) {
            const double real = value.toDouble();
            if (std::isfinite(real))
                return real;
        }
        return {};
    case ParameterType::Bool:
        if (value.typeId() == QMetaType::Bool)
            return value.toBool();
        return {};
    case ParameterType::Choice:
        if (value.typeId() == QMetaType::QString)
            return value.toString();
        // A variant written as the number 50 instead of the string "50".
        if (isIntegerType(value))
            return QString::number(value.toLongLong());
        if (isFloatType(value)) {
            const double real = value.toDouble();
            if (std::isfinite(real) && std::trunc(real) == real && std::fabs(real) < 1e15)
                return QString::number(static_cast<qlonglong>(real));
        }
        return {};
    case ParameterType::String:
        if (value.typeId() == QMetaType::QString)
            return value.toString();
        return {};
    }
    return {};
}

QString ParameterSpec::check(const QVariant& value) const {
    const QVariant canonical = coerce(value);
    switch (type) {
    case ParameterType::Int:
    case ParameterType::Double: {
        const bool isInt = type == ParameterType::Int;
        const QString range =
            QStringLiteral("%1 between %2 and %3")
                .arg(isInt ? QStringLiteral("a whole number") : QStringLiteral("a number"),
                     formatNumber(minimum), formatNumber(maximum));
        if (!canonical.isValid() || canonical.toDouble() < minimum ||
            canonical.toDouble() > maximum) {
            return QStringLiteral("%1 must be %2, not %3").arg(name, range, displayValue(value));
        }
        return {};
    }
    case ParameterType::Bool:
        if (!canonical.isValid())
            return QStringLiteral("%1 must be true or false, not %2")
                .arg(name, displayValue(value));
        return {};
    case ParameterType::Choice:
        if (!canonical.isValid() || !choices.contains(canonical.toString())) {
            return QStringLiteral("%1 must be one of %2, not %3")
                .arg(name, choices.join(QStringLiteral(", ")), displayValue(value));
        }
        return {};
    case ParameterType::String:
        if (!canonical.isValid())
            return QStringLiteral("%1 must be text, not %2").arg(name, displayValue(value));
        return {};
    }
    return {};
}

QString ComponentSpec::iconPath() const {
    return QStringLiteral(":/icons/components/") + iconName + QStringLiteral(".svg");
}

const PortSpec* ComponentSpec::inputPort(int port) const {
    if (port < 0)
        return nullptr;
    if (port < inputs.size())
        return &inputs[port];
    if (hasVariadicInput() && port < MaxPorts)
        return &inputs.last();
    return nullptr;
}

QString ComponentSpec::inputPortName(int port) const {
    const PortSpec* spec = inputPort(port);
    if (!spec)
        return QString::number(port);
    if (!spec->variadic)
        return spec->name;
    const int first = static_cast<int>(inputs.size()) - 1;
    return QStringLiteral("%1 %2").arg(spec->name).arg(port - first + 1);
}

const ParameterSpec* ComponentSpec::parameter(const QString& parameterName) const {
    for (const ParameterSpec& spec : parameters) {
        if (spec.name == parameterName)
            return &spec;
    }
    return nullptr;
}

QVariantMap ComponentSpec::defaultParameters() const {
    QVariantMap values;
    for (const ParameterSpec& spec : parameters)
        values.insert(spec.name, spec.defaultValue);
    return values;
}

QVariantMap ComponentSpec::effectiveParameters(const QVariantMap& values) const {
    QVariantMap result;
    for (const ParameterSpec& spec : parameters) {
        const auto found = values.constFind(spec.name);
        if (found != values.constEnd() && spec.check(*found).isEmpty())
            result.insert(spec.name, spec.coerce(*found));
        else
            result.insert(spec.name, spec.defaultValue);
    }
    return result;
}

QVariantMap ComponentSpec::validParameters(const QVariantMap& values) const {
    QVariantMap result;
    for (const ParameterSpec& spec : parameters) {
        const auto found = values.constFind(spec.name);
        if (found == values.constEnd())
            result.insert(spec.name, spec.defaultValue);
        else if (spec.check(*found).isEmpty())
            result.insert(spec.name, spec.coerce(*found));
    }
    return result;
}

const ComponentRegistry& ComponentRegistry::instance() {
    static const ComponentRegistry registry;
    return registry;
}

ComponentRegistry::ComponentRegistry()
    : m_components(components::all()) {}

const ComponentSpec* ComponentRegistry::find(const QString& name) const {
    for (const ComponentSpec& spec : m_components) {
        if (spec.name == name)
            return &spec;
    }
    return nullptr;
}

QStringList ComponentRegistry::categories() const {
    QStringList result;
    for (const ComponentSpec& spec : m_components) {
        if (!result.contains(spec.category))
            result.append(spec.category);
    }
    return result;
}

QString ComponentRegistry::describe(const QString& type, const QVariantMap& parameters) {
    const ComponentSpec* spec = instance().find(type);
    if (!spec) {
        // An unknown type comes from a file and may be anything; keep labels one short line.
        constexpr int Longest = 60;
        return type.size() <= Longest ? type : type.left(Longest - 3) + QStringLiteral("...");
    }
    return spec->label ? spec->label(spec->validParameters(parameters)) : type;
}

} // namespace tc::graph
