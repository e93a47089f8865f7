#pragma once

// Core-internal (LibTorch) header: typed, forgiving access to a component's parameters for the
// module files of core/nn/components/. Names match ignoring case and underscores
// ("batch_norm" = "batchNorm"), so that maps written by hand or by other tools build too; the
// registry's validation is stricter and runs first in the application.

#include "core/nn/Layers.h"

#include <cstdint>
#include <optional>
#include <QMap>
#include <QString>
#include <QVariant>
#include <stdexcept>
#include <vector>

namespace tc::nn::components {

/// A parameter or input that does not fit; its message names the component and parameter.
/// Thrown by the module factories, caught by buildComponent(), never seen elsewhere.
class ParameterError : public std::runtime_error {
public:
    explicit ParameterError(const QString& message)
        : std::runtime_error(message.toStdString()) {}
};

class ModuleParameters {
public:
    ModuleParameters(const QString& type, const QVariantMap& values);

    bool has(const char* name) const;
    QVariant raw(const char* name) const;
    /// A whole number of at least `minimum`; required when `fallback` is nullopt.
    std::int64_t integer(const char* name, std::optional<std::int64_t> fallback,
                         std::int64_t minimum = 1) const;
    /// A number in [minimum, maximumExclusive).
    double real(const char* name, double fallback, double minimum, double maximumExclusive) const;
    /// true/false, or the text true|yes|1|on, false|no|0|off.
    bool boolean(const char* name, bool fallback) const;
    QString text(const char* name, const QString& fallback) const;
    /// "activation": none, relu, leaky_relu, gelu, sigmoid, tanh or softmax.
    Activation activation() const;
    /// Every value, under its normalised name.
    QVariantMap values() const { return m_values; }

    /// "Dense: parameter 'units' is required".
    [[noreturn]] void fail(const char* name, const QString& reason) const;
    /// "Conv2D: needs an image-like input [C, H, W], got [3]".
    [[noreturn]] void failShape(const QString& reason) const;

private:
    QString m_type;
    QMap<QString, QVariant> m_values;
};

/// The number of values in one sample of `shape`.
std::int64_t elementCount(const std::vector<std::int64_t>& shape);

} // namespace tc::nn::components
