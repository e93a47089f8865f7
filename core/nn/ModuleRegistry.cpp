#include "core/nn/ModuleRegistry.h"

#include "core/nn/components/Registrations.h"

namespace tc::nn {

const ModuleRegistry& ModuleRegistry::instance() {
    static const ModuleRegistry registry;
    return registry;
}

ModuleRegistry::ModuleRegistry() {
    // One line per module file in core/nn/components/ (explicit, because the linker drops
    // self-registering objects of a static library that nothing references).
    components::registerMergeModules(*this);
    components::registerGeluModule(*this);
}

const ModuleFactory* ModuleRegistry::find(const QString& type) const {
    for (const auto& [name, factory] : m_factories) {
        if (name == type)
            return &factory;
    }
    return nullptr;
}

QStringList ModuleRegistry::types() const {
    QStringList result;
    for (const auto& entry : m_factories)
        result.append(entry.first);
    return result;
}

void ModuleRegistry::add(const QString& type, ModuleFactory factory) {
    m_factories.emplace_back(type, std::move(factory));
}

BuiltComponent buildComponent(const QString& type, const QVariantMap& parameters,
                              const InputShapes& inputShapes, const ComponentContext& context) {
    const ModuleFactory* factory = ModuleRegistry::instance().find(type);
    if (!factory) {
        if (inputShapes.size() == 1)
            return buildComponent(type, parameters, inputShapes.front(), context);
        BuiltComponent failed;
        failed.error =
            QStringLiteral("%1 takes one input, not %2").arg(type).arg(inputShapes.size());
        return failed;
    }
    for (const auto& shape : inputShapes) {
        if (shape.empty() ||
            std::any_of(shape.begin(), shape.end(), [](std::int64_t size) { return size < 1; })) {
            BuiltComponent failed;
            failed.error = QStringLiteral("%1: an input shape is empty").arg(type);
            return failed;
        }
    }
    try {
        return factory->build(parameters, inputShapes);
    } catch (const c10::Error& failure) {
        BuiltComponent failed;
        failed.error = QStringLiteral("%1: %2").arg(
            type, QString::fromStdString(failure.what_without_backtrace()));
        return failed;
    }
}

} // namespace tc::nn
