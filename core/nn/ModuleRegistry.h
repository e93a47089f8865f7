#pragma once

// Core-internal (LibTorch) header: how core/nn builds the module of each component, which is
// described in one descriptor file of core/graph/components/. Each module file of
// core/nn/components/ registers its factories by type name, so that core/graph stays free of
// LibTorch.

#include "core/nn/ComponentFactory.h"
#include "core/util/TypeTable.h"

#include <functional>
#include <QString>
#include <vector>

namespace tc::nn {

/// Input shapes of one sample each (no batch dimension), in input-port order.
using InputShapes = std::vector<std::vector<std::int64_t>>;

/// How one component becomes a LibTorch module.
struct ModuleFactory {
    /// Builds the module for these input shapes (at least one; Input's is the image). Errors
    /// are thrown as components::ParameterError (core/nn/components/ModuleParameters.h) or
    /// c10::Error, and come back from buildComponent() in BuiltComponent::error.
    std::function<BuiltComponent(const QVariantMap& parameters, const InputShapes& inputs,
                                 const ComponentContext& context)>
        build;
    /// True when the module's forward() takes std::vector<torch::Tensor>, one per input in
    /// port order (the merge components); otherwise it takes one tensor.
    bool takesInputList = false;
};

/// The table of registered factories, filled once on first use; safe to read from any thread.
class ModuleRegistry {
public:
    static const ModuleRegistry& instance();

    /// nullptr for a type without a registered factory. Names match exactly, else ignoring
    /// case ("dense").
    const ModuleFactory* find(const QString& type) const { return m_factories.find(type); }
    QStringList types() const { return m_factories.types(); }

    /// Called by the registration functions in core/nn/components/ only.
    void add(const QString& type, ModuleFactory factory) {
        m_factories.add(type, std::move(factory));
    }

private:
    ModuleRegistry();
    util::TypeTable<ModuleFactory> m_factories;
};

/// Builds a component from its input shapes in port order (several for Add and Concatenate,
/// one for the others); every shape must be non-empty.
BuiltComponent buildComponent(const QString& type, const QVariantMap& parameters,
                              const InputShapes& inputShapes, const ComponentContext& context = {});

/// The factory call behind both buildComponent() overloads: no shape checks, errors caught.
BuiltComponent buildRegisteredComponent(const QString& type, const QVariantMap& parameters,
                                        const InputShapes& inputShapes,
                                        const ComponentContext& context);

} // namespace tc::nn
