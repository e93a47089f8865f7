#pragma once

// Which device the trainable part of a model computes on. Torch-free, so that the GUI can
// list the choices; the LibTorch device is made from a DeviceChoice in core/train.

#include <optional>
#include <QString>
#include <QStringList>

namespace tc::runtime {

/// A compute device as the user names it: "cpu", "cuda" (the first CUDA device) or "cuda:N".
struct DeviceChoice {
    enum class Kind { Cpu, Cuda };
    Kind kind = Kind::Cpu;
    int index = -1; ///< CUDA device index; -1: the current (first) one

    bool isCuda() const { return kind == Kind::Cuda; }
    /// "cpu", "cuda", "cuda:1": what parseDevice() reads back.
    QString toString() const;
    bool operator==(const DeviceChoice& other) const {
        return kind == other.kind && index == other.index;
    }
};

/// Parses "cpu", "cuda" or "cuda:N" (case-insensitive, surrounding spaces ignored; empty is
/// "cpu"). Anything else: std::nullopt and `error` saying what is accepted.
std::optional<DeviceChoice> parseDevice(const QString& text, QString* error);

/// The devices this machine and this LibTorch can compute on: "cpu", then "cuda:0", "cuda:1"…
QStringList availableDevices();

/// Empty when `choice` can be used here; otherwise why not, e.g. "CUDA is not available (this
/// LibTorch was built without CUDA support or no GPU is visible): use --device cpu".
QString deviceProblem(const DeviceChoice& choice);

/// "cuda:N" devices LibTorch sees (0 on a CPU-only build).
int cudaDeviceCount();

} // namespace tc::runtime
