#pragma once

// The one rule for Conv2D and MaxPool2D: how their parameters are read and what output size
// they give. Shape inference (validate, the editor) and the module builder (train) both use
// it, so the two can never disagree. No LibTorch here.

#include <optional>
#include <QString>
#include <QVariantMap>

namespace tc::graph {

/// How a sliding window pads its input.
struct WindowPadding {
    enum class Mode {
        Pixels, ///< `pixels` zeros (-inf for a pool) on every side; "valid" is 0 pixels
        Same,   ///< output ceil(size / stride) (Keras' "same")
    };
    Mode mode = Mode::Pixels;
    int pixels = 0;
};

/// A Conv2D's kernel or a MaxPool2D's window, with its stride and padding.
struct WindowSpec {
    bool pool = false;
    int kernel = 1;
    int stride = 1;
    WindowPadding padding;
};

/// Reads a Conv2D's ("kernelSize" 3, "stride" 1, "padding" "same") or a MaxPool2D's
/// ("poolSize" 2, "stride" = the window, "padding" 0) parameters; names match ignoring case
/// and underscores ("kernel_size"). Padding is a whole number of pixels, "same" or "valid".
/// A Conv2D with "same" padding needs an odd kernel (its padding is kernel / 2 on every
/// side); a MaxPool2D's padding may be at most half its window (PyTorch's rule). nullopt
/// and a message naming the component and parameter otherwise.
std::optional<WindowSpec> readWindowSpec(const QString& type, const QVariantMap& parameters,
                                         QString* error);

/// The output length along one axis of `size` input cells: floor((size + 2·pixels −
/// kernel) / stride) + 1, or ceil(size / stride) for "same". Below 1 when the window does
/// not fit.
qint64 windowOutputSize(const WindowSpec& spec, qint64 size);

/// The zero pixels a Conv2D pads on every side ("same": kernel / 2).
int convolutionPadding(const WindowSpec& spec);

} // namespace tc::graph
