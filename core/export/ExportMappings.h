#pragma once

// Core-internal (LibTorch) header: how each component's layer is written to ONNX and to
// TorchScript. Each file of core/export/components/ registers the mappings of its components
// by type name, next to their descriptors (core/graph/components/) and their modules
// (core/nn/components/).

#include "core/export/ChainModel.h"

#include <functional>
#include <QString>
#include <string>
#include <vector>

namespace tc::exporting {

class OnnxWriter;
class ScriptWriter;

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
    const ExportMapping* find(const QString& type) const;
    QStringList types() const;

    /// Called by the registration functions in core/export/components/ only.
    void add(const QString& type, ExportMapping mapping);

private:
    ExportMappings();
    std::vector<std::pair<QString, ExportMapping>> m_mappings;
};

} // namespace tc::exporting
