#pragma once

// Core-internal (LibTorch) header: how each component's layer is written to ONNX and to
// TorchScript. Each file of core/export/components/ registers the mappings of its components
// by type name, next to their descriptors (core/graph/components/) and their modules
// (core/nn/components/).

#include "core/export/ChainModel.h"
#include "core/util/TypeTable.h"

#include <functional>
#include <QString>
#include <stdexcept>
#include <string>
#include <vector>

namespace tc::exporting {

class OnnxWriter;
class ScriptWriter;

/// The module of a layer as its mapping expects it; throws std::runtime_error when the layer
/// holds another (a model file whose configuration and tensors disagree).
template <typename Module> const Module& layerModule(const ChainLayer& layer) {
    const Module* module = layer.as<Module>();
    if (!module)
        throw std::runtime_error(
            QStringLiteral("a %1 layer without its module").arg(layer.type).toStdString());
    return *module;
}

/// One component's export forms.
struct ExportMapping {
    /// Adds the layer's ONNX nodes. `inputs` are the names of its input values in port order
    /// (one for a single-input layer); returns the name of its output value. `last`: the
    /// layer that gives the logits, where a final softmax or sigmoid is left to the model's
    /// own softmax.
    std::function<std::string(OnnxWriter& writer, const ChainLayer& layer,
                              const std::vector<std::string>& inputs, bool last)>
        onnx;
    /// Writes the layer's TorchScript statements. A single-input layer finds its input in x,
    /// a merge layer in `inputs` (in port order); both leave the output in x.
    std::function<void(ScriptWriter& writer, const ChainLayer& layer, const QStringList& inputs,
                       bool last)>
        torchScript;
};

/// The table of registered mappings, filled once on first use; safe to read from any thread.
class ExportMappings {
public:
    static const ExportMappings& instance();

    /// nullptr for a type without a mapping. Names match exactly, else ignoring case.
    const ExportMapping* find(const QString& type) const { return m_mappings.find(type); }
    QStringList types() const { return m_mappings.types(); }

    /// Called by the registration functions in core/export/components/ only.
    void add(const QString& type, ExportMapping mapping) {
        m_mappings.add(type, std::move(mapping));
    }

private:
    ExportMappings();
    util::TypeTable<ExportMapping> m_mappings;
};

} // namespace tc::exporting
