#pragma once

// Core-internal (LibTorch) header: how core/nn builds the modules of the components that are
// written as one descriptor each (core/graph/components/). Each registers its factory by type
// name from core/nn/components/, so that core/graph stays free of LibTorch.

#include "core/nn/ComponentFactory.h"

#include <functional>
#include <QString>
#include <vector>

namespace tc::nn {

/// Input shapes of one sample each (no batch dimension), in input-port order.
using InputShapes = std::vector<std::vector<std::int64_t>>;

/// How one descriptor component becomes a LibTorch module.
struct ModuleFactory {
    /// Builds the module for these input shapes. Errors come back in BuiltComponent::error
    /// (never thrown); the shapes are known to be non-empty.
    std::function<BuiltComponent(const QVariantMap& parameters, const InputShapes& inputs)> build;
    /// True when the module's forward() takes std::vector<torch::Tensor>, one per input in
    /// port order (the merge components); otherwise it takes one tensor.
    bool takesInputList = false;
};

/// The table of registered factories, filled once on first use; safe to read from any thread.
class ModuleRegistry {
public:
    static const ModuleRegistry& instance();

    /// nullptr for a type without a registered factory (the built-in table's, unknown ones).
    const ModuleFactory* find(const QString& type) const;
    QStringList types() const;

    /// Called by the registration functions in core/nn/components/ only.
    void add(const QString& type, ModuleFactory factory);

private:
    ModuleRegistry();
    std::vector<std::pair<QString, ModuleFactory>> m_factories;
};

/// Builds a descriptor component (or, for one input, any component buildComponent() knows)
/// from several input shapes in port order.
BuiltComponent buildComponent(const QString& type, const QVariantMap& parameters,
                              const InputShapes& inputShapes, const ComponentContext& context = {});

} // namespace tc::nn
