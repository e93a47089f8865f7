#pragma once

// Core-internal (LibTorch) header: loading a TorchScript export without trusting it.

#include <optional>
#include <QJsonObject>
#include <QString>
#include <torch/script.h>

namespace tc::exporting {

/// A TorchScript file that passed verifyTorchScriptExport(), loaded.
struct VerifiedScript {
    torch::jit::Module module;
    QJsonObject metadata; ///< its torchcanvas.json
};

/// A TorchScript archive is a program: torch::jit::load compiles and runs the code it
/// carries (`__setstate__` on load, `forward` on every call). So TorchCanvas loads only the
/// code it writes itself. The archive is read once into memory with ZipArchive (never with
/// LibTorch first); its torchcanvas.json describes the architecture, for which the very
/// module TorchCanvas would export is generated; every `code/` entry, `constants.pkl`,
/// `version`, `.data/version` and `byteorder` must be byte-identical to that reference, and
/// nothing but tensor data (`data/`, `data.pkl`, `.data/serialization_id`) and
/// torchcanvas.json may be added. Only then are the same bytes
/// handed to LibTorch. Anything else is refused with "not exported by TorchCanvas; load it
/// yourself in Python if you trust it" and the reason, before any of its code can run.
std::optional<VerifiedScript> loadVerifiedTorchScript(const QString& path, QString* error);

} // namespace tc::exporting
