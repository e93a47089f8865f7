#pragma once

// Pretrained ImageNet weights on disk: the torchvision files TorchCanvas knows, the user's
// weights folder, and what a model ended up with. No LibTorch in this header.

#include "core/nn/Architecture.h"

#include <optional>
#include <QList>
#include <QString>

namespace tc::nn {

/// One of torchvision's published ResNet weight files.
struct WeightVariant {
    QString id; ///< "resnet50", "resnet50-v2": what `weights fetch` takes
    ResNetDepth depth;
    QString torchvision; ///< "ResNet50_Weights.IMAGENET1K_V1"
    QString fileName;    ///< "resnet50-0676ba61.pth": its SHA-256 starts with the suffix
    QString description;

    /// The hex digits after the last '-' of the file name: the start of its SHA-256.
    QString sha256Prefix() const;
    /// The file's URL under `baseUrl` (torchvision's download.pytorch.org/models/ by default).
    QString url(const QString& baseUrl) const;
};

/// Every variant, the default one of each depth first (IMAGENET1K_V1, as the issue and most
/// transfer-learning recipes use).
const QList<WeightVariant>& weightVariants();
/// By id ("resnet50"), torchvision enum name ("ResNet50_Weights.IMAGENET1K_V2") or file name.
std::optional<WeightVariant> findWeightVariant(const QString& name);
/// The default variant of `depth`.
WeightVariant defaultWeightVariant(ResNetDepth depth);

/// torchvision's download folder; TORCHCANVAS_WEIGHTS_URL overrides it (tests point it at
/// a server on 127.0.0.1).
QString defaultWeightsBaseUrl();

/// What a backbone was initialised with. Every surface (inspector, CLI, training report)
/// prints summary(): random initialisation is never silent.
struct WeightsStatus {
    enum class State {
        Pretrained,       ///< weights loaded from `file`
        RandomRequested,  ///< the user chose no pretrained weights
        RandomNoWeights,  ///< pretrained weights were requested but are not available
        RandomLoadFailed, ///< a weights file was there but could not be used (see `reason`)
    };
    State state = State::RandomRequested;
    QString model; ///< "resnet50"
    QString file;  ///< the file loaded, or the one that failed
    QString reason;

    bool isPretrained() const { return state == State::Pretrained; }
    /// One line, e.g. "resnet50: ImageNet weights from /…/resnet50-0676ba61.pth" or
    /// "resnet50: RANDOMLY INITIALISED - no ImageNet weights found; run 'torchcanvas weights
    /// fetch resnet50' or 'torchcanvas weights import FILE'".
    QString summary() const;
};

/// A file in the weights folder.
struct StoredWeights {
    QString path;
    QString fileName;
    qint64 size = 0;
    std::optional<WeightVariant> variant; ///< set for torchvision's own files
    std::optional<ResNetDepth> depth;     ///< from the file name (resnetNN-…)
};

/// The user's weights folder: <data>/TorchCanvas/weights, or TORCHCANVAS_WEIGHTS_DIR when
/// set. Files are named like torchvision's: `resnet50-0676ba61.pth` (a known variant) or
/// `resnet50-<first 8 hex digits of the SHA-256>.pth|.safetensors` (an imported file).
class WeightStore {
public:
    /// An empty `directory` means defaultDirectory().
    explicit WeightStore(const QString& directory = {});

    static QString defaultDirectory();
    QString directory() const { return directory_; }

    /// Where `variant`'s file lives (whether or not it is there yet).
    QString pathOf(const WeightVariant& variant) const;
    bool isPresent(const WeightVariant& variant) const;
    /// The weight files in the folder, sorted by name.
    QList<StoredWeights> list() const;
    /// The file to use for `depth`: its default variant, then other known variants, then
    /// imported files. Empty when there is none.
    QString findWeights(ResNetDepth depth) const;

    struct ImportResult {
        bool ok = false;
        QString path;    ///< where the file now lives
        QString message; ///< what happened, or why it failed
        std::optional<ResNetDepth> depth;
    };
    /// Checks that `file` is a ResNet state dict (.pth or .safetensors) that loads strictly
    /// into one of the five depths (fc ignored), then copies it atomically into the folder
    /// under a torchvision-style name. A torchvision file recognised by its SHA-256 gets its
    /// published name.
    ImportResult importFile(const QString& file) const;

private:
    QString directory_;
};

/// Finds which ResNet depth a state dict file holds, by loading it and matching its
/// tensors strictly against each depth (fc ignored). std::nullopt with a message otherwise.
std::optional<ResNetDepth> identifyResNetWeights(const QString& file, QString* error);

} // namespace tc::nn
