#pragma once

#include "core/nn/StateDict.h"

#include <optional>
#include <QByteArray>
#include <QString>

namespace tc::nn {

/// Reads a PyTorch checkpoint holding a state dict, as torchvision publishes its weights,
/// with ZipArchive and the restricted unpickler (no code is ever run; only the globals a
/// state dict needs are accepted). Every storage is checked against its zip entry (size,
/// CRC-32) and every tensor against its storage (offset, sizes and strides, with overflow
/// checks). A training checkpoint that holds the state dict under "state_dict",
/// "model_state_dict" or "model" is accepted too. std::nullopt with a one-line message
/// naming the file on any problem; the pre-1.6 non-zip format is recognised and refused
/// with how to convert it.
std::optional<StateDict> readTorchCheckpoint(const QString& path, QString* error);

/// True when `firstBytes` start like torch.save's legacy (pre-1.6) format.
bool looksLikeLegacyTorchFile(const QByteArray& firstBytes);

} // namespace tc::nn
