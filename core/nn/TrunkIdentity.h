#pragma once

// Torch-free: what a frozen backbone computes, carried as a struct and written in one stable
// text form (the feature-cache key and a run's "trunkKey").

#include <optional>
#include <QString>

namespace tc::nn {

/// The identity of a frozen trunk's computation: architecture, pooling, weights (a file, or a
/// seeded random initialisation), input size and, for a pooled backbone run by the feature
/// extractor, its arithmetic. Features cached under one identity are valid for exactly that
/// computation.
struct TrunkIdentity {
    QString architecture; ///< "resnet50"
    QString pooling;      ///< "avg", "max" or "none"
    QString weightsFile;  ///< the pretrained weights; empty for a random initialisation
    quint64 seed = 0;     ///< the random initialisation's seed (without weights)
    int width = 0;
    int height = 0;
    QString precision; ///< "fp32" or "bf16"; empty for a feature map (LibTorch fp32)

    /// "resnet50/avg/weights:/path/resnet50-0676ba61.pth/224x224/bf16" or
    /// "resnet18/none/random:seed=42/64x64": the form runs and feature caches have always
    /// stored, so that existing runs and caches stay valid.
    QString toString() const;
    /// toString() without the precision, which depends on the machine: equal for the same
    /// model trained in bf16 on one machine and rebuilt in fp32 on another.
    QString computation() const;
    /// Reads toString()'s form; nullopt when `key` is not one. The weights file may contain
    /// '/', so the fixed fields are read from both ends.
    static std::optional<TrunkIdentity> parse(const QString& key);

    friend bool operator==(const TrunkIdentity& a, const TrunkIdentity& b) {
        return a.toString() == b.toString();
    }
};

} // namespace tc::nn
