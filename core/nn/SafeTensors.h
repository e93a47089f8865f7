#pragma once

#include "core/nn/StateDict.h"

#include <optional>
#include <QMap>
#include <QString>

namespace tc::nn {

/// Reads a .safetensors file (timm and Hugging Face publish ResNets in this form, with
/// torchvision's names). Header and offsets are validated against the file: no overlap,
/// nothing past the end, sizes matching shapes and dtypes. `metadata` receives the
/// "__metadata__" strings when given.
std::optional<StateDict> readSafeTensors(const QString& path, QString* error,
                                         QMap<QString, QString>* metadata = nullptr);

/// Writes `tensors` (any dtype safetensors knows: F64, F32, F16, BF16, I64, I32, I16, I8,
/// U8, BOOL) to `path` atomically (QSaveFile). Names keep their order; the header is padded
/// so that the data starts 8-byte aligned, as the format recommends.
bool writeSafeTensors(const QString& path, const StateDict& tensors,
                      const QMap<QString, QString>& metadata, QString* error);

} // namespace tc::nn
