#include "core/nn/ModuleRegistry.h"

#include "core/nn/components/ModuleParameters.h"
#include "core/nn/components/Registrations.h"

namespace tc::nn {

const ModuleRegistry& ModuleRegistry::instance() {
    static const ModuleRegistry registry;
    return registry;
}

ModuleRegistry::ModuleRegistry() {
    // One line per module file in core/nn/components/ (explicit, because the linker drops
    // self-registering objects of a static library that nothing references).
    components::registerInputOutputModules(*this);
    components::registerResNetModule(*this);
    components::registerLayerModules(*this);
    components::registerConvolutionModules(*this);
    components::registerMergeModules(*this);
    components::registerGeluModule(*this);
}

BuiltComponent buildRegisteredComponent(const QString& type, const QVariantMap& parameters,
                                        const InputShapes& inputShapes,
                                        const ComponentContext& context) {
    BuiltComponent failed;
    const ModuleFactory* factory = ModuleRegistry::instance().find(type);
    if (!factory) {
        failed.error = QStringLiteral("unknown component type '%1'").arg(type);
        return failed;
    }
    if (inputShapes.empty()) {
        failed.error = QStringLiteral("%1 has no input").arg(type);
        return failed;
    }
    if (inputShapes.size() > 1 && !factory->takesInputList) {
        failed.error =
            QStringLiteral("%1 takes one input, not %2").arg(type).arg(inputShapes.size());
        return failed;
    }
    try {
        return factory->build(parameters, inputShapes, context);
    } catch (const components::ParameterError& failure) {
        failed.error = QString::fromStdString(failure.what());
    } catch (const c10::Error& failure) {
        failed.error = QStringLiteral("%1: %2").arg(
            type, QString::fromStdString(failure.what_without_backtrace()));
    }
    return failed;
}

BuiltComponent buildComponent(const QString& type, const QVariantMap& parameters,
                              const InputShapes& inputShapes, const ComponentContext& context) {
    for (const auto& shape : inputShapes) {
        if (shape.empty() ||
            std::any_of(shape.begin(), shape.end(), [](std::int64_t size) { return size < 1; })) {
            BuiltComponent failed;
            failed.error = QStringLiteral("%1: an input shape is empty").arg(type);
            return failed;
        }
    }
    return buildRegisteredComponent(type, parameters, inputShapes, context);
}

} // namespace tc::nn
