#pragma once

// Core-internal (LibTorch) header: the TorchScript source of classify() under construction and
// the statements the component mappings (core/export/components/) are written with. See
// TorchScriptExport.h for the module this becomes.

#include "core/export/ChainModel.h"
#include "core/nn/Layers.h"

#include <QString>
#include <QStringList>

namespace tc::exporting {

/// A float literal TorchScript reads back to the same double.
QString scriptLiteral(double value);
/// "[1, 2]".
QString scriptIntList(at::IntArrayRef values);

/// The lines of one method body. Every statement works on `x`: a layer's mapping finds its
/// input in x and leaves its output there.
class ScriptWriter {
public:
    /// A statement of the method being written (indented by this writer).
    void line(const QString& text);
    /// A method's first line, or a blank line between methods (no indent).
    void raw(const QString& text) { m_lines << text; }
    /// "# head.0: Dense", the comment that starts a layer's statements.
    void comment(const ChainLayer& layer);
    /// self.<attribute> of a TrainedModel tensor.
    static QString tensor(const QString& name);

    // Expressions several components share. `name` is the module's tensor prefix.
    QString conv(const QString& input, const torch::nn::Conv2dImpl& module,
                 const QString& name) const;
    /// torch.batch_norm of a BatchNorm1d's or BatchNorm2d's options (`module.options`).
    QString batchNorm(const QString& input, const torch::nn::BatchNormOptions& options,
                      const QString& name) const;
    /// x = activation(x); nothing for None.
    void activation(nn::Activation activation, double negativeSlope);

    QString source() const { return m_lines.join(QLatin1Char('\n')) + QLatin1Char('\n'); }

private:
    QStringList m_lines;
};

} // namespace tc::exporting
