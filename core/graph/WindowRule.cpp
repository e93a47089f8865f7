#include "core/graph/WindowRule.h"

#include <cmath>

namespace tc::graph {

namespace {

QString normalisedKey(const QString& key) {
    QString normalised = key.toLower();
    normalised.remove(QLatin1Char('_'));
    return normalised;
}

/// The value of `name` in `parameters`, matched ignoring case and underscores.
QVariant valueOf(const QVariantMap& parameters, const char* name) {
    const QString wanted = normalisedKey(QLatin1String(name));
    for (auto it = parameters.begin(); it != parameters.end(); ++it) {
        if (normalisedKey(it.key()) == wanted)
            return it.value();
    }
    return {};
}

/// A whole number ≥ `minimum`, or nullopt.
std::optional<int> wholeNumber(const QVariant& value, int minimum) {
    bool ok = false;
    const double number = value.toString().trimmed().toDouble(&ok);
    if (!ok || number != std::floor(number) || number < minimum || number > 1e6)
        return std::nullopt;
    return int(number);
}

std::optional<WindowPadding> readPadding(const QVariant& value, bool pool) {
    if (!value.isValid())
        return pool ? WindowPadding{} : WindowPadding{WindowPadding::Mode::Same, 0};
    const QString text = value.toString().trimmed().toLower();
    if (text == QLatin1String("same"))
        return WindowPadding{WindowPadding::Mode::Same, 0};
    if (text == QLatin1String("valid"))
        return WindowPadding{};
    if (const std::optional<int> pixels = wholeNumber(value, 0))
        return WindowPadding{WindowPadding::Mode::Pixels, *pixels};
    return std::nullopt;
}

} // namespace

std::optional<WindowSpec> readWindowSpec(const QString& type, const QVariantMap& parameters,
                                         QString* error) {
    auto fail = [&](const char* name, const QString& reason) -> std::optional<WindowSpec> {
        if (error)
            *error = QStringLiteral("%1: parameter '%2' %3").arg(type, QLatin1String(name), reason);
        return std::nullopt;
    };
    WindowSpec spec;
    spec.pool = type.compare(QLatin1String("MaxPool2D"), Qt::CaseInsensitive) == 0;
    const char* kernelName = spec.pool ? "poolSize" : "kernelSize";
    const QVariant kernel = valueOf(parameters, kernelName);
    const std::optional<int> kernelSize =
        kernel.isValid() ? wholeNumber(kernel, 1) : (spec.pool ? 2 : 3);
    if (!kernelSize)
        return fail(kernelName, QStringLiteral("must be a whole number of at least 1, not '%1'")
                                    .arg(kernel.toString()));
    spec.kernel = *kernelSize;
    const QVariant stride = valueOf(parameters, "stride");
    const std::optional<int> strideSize =
        stride.isValid() ? wholeNumber(stride, 1) : (spec.pool ? spec.kernel : 1);
    if (!strideSize)
        return fail("stride", QStringLiteral("must be a whole number of at least 1, not '%1'")
                                  .arg(stride.toString()));
    spec.stride = *strideSize;
    const QVariant padding = valueOf(parameters, "padding");
    const std::optional<WindowPadding> parsed = readPadding(padding, spec.pool);
    if (!parsed)
        return fail("padding", QStringLiteral("must be a whole number of pixels, 'same' or "
                                              "'valid', not '%1'")
                                   .arg(padding.toString()));
    spec.padding = *parsed;
    if (!spec.pool && spec.padding.mode == WindowPadding::Mode::Same && spec.kernel % 2 == 0)
        return fail(kernelName,
                    QStringLiteral("must be odd with 'same' padding, not %1").arg(spec.kernel));
    if (spec.pool && spec.padding.pixels * 2 > spec.kernel) {
        if (error)
            *error = QStringLiteral("%1 padding %2 is more than half the %3\u00d7%3 window")
                         .arg(type)
                         .arg(spec.padding.pixels)
                         .arg(spec.kernel);
        return std::nullopt;
    }
    return spec;
}

qint64 windowOutputSize(const WindowSpec& spec, qint64 size) {
    if (spec.padding.mode == WindowPadding::Mode::Same)
        return (size + spec.stride - 1) / spec.stride;
    const qint64 padded = size + 2 * qint64(spec.padding.pixels) - spec.kernel;
    return padded < 0 ? 0 : padded / spec.stride + 1;
}

int convolutionPadding(const WindowSpec& spec) {
    return spec.padding.mode == WindowPadding::Mode::Same ? spec.kernel / 2 : spec.padding.pixels;
}

} // namespace tc::graph
