// The ONNX and TorchScript forms of Add and Concatenate (described in
// core/graph/components/Add.cpp and Concatenate.cpp, built in
// core/nn/components/MergeModules.cpp). Both compute in input order, as the modules do, so
// that float rounding agrees.

#include "core/export/components/Registrations.h"
#include "core/export/ExportMappings.h"
#include "core/export/OnnxWriter.h"
#include "core/export/ScriptWriter.h"
#include "core/graph/ComponentRegistry.h"

namespace tc::exporting::components {

namespace {

ExportMapping add() {
    return {
        [](OnnxWriter& w, const ChainLayer& layer, const std::vector<std::string>& inputs, bool) {
            // Pairwise, left to right, as the LibTorch module adds.
            const QString name = OnnxWriter::hint(layer.prefix);
            std::string sum = inputs.front();
            for (size_t i = 1; i < inputs.size(); ++i)
                sum = w.node("Add", {sum, inputs[i]}, name);
            return sum;
        },
        [](ScriptWriter& w, const ChainLayer& layer, const QStringList& inputs, bool) {
            w.comment(layer);
            w.line(QStringLiteral("x = ") + inputs.join(QStringLiteral(" + ")));
        }};
}

ExportMapping concatenate() {
    return {
        [](OnnxWriter& w, const ChainLayer& layer, const std::vector<std::string>& inputs, bool) {
            const std::string joined = w.node("Concat", inputs, OnnxWriter::hint(layer.prefix));
            w.attribute("axis", std::int64_t(1));
            return joined;
        },
        [](ScriptWriter& w, const ChainLayer& layer, const QStringList& inputs, bool) {
            w.comment(layer);
            w.line(QStringLiteral("x = torch.cat([%1], 1)").arg(inputs.join(QStringLiteral(", "))));
        }};
}

} // namespace

void registerMergeExports(ExportMappings& mappings) {
    mappings.add(graph::component::Add, add());
    mappings.add(graph::component::Concatenate, concatenate());
}

} // namespace tc::exporting::components
