#pragma once

// Core-internal (LibTorch) header: the trainer's on-disk cache of frozen-backbone features.

#include <optional>
#include <QByteArray>
#include <QString>
#include <QStringList>
#include <torch/types.h>
#include <vector>

namespace tc::train {

/// Frozen-backbone features kept on disk between runs, one small file per image.
///
/// An entry is found by two keys: the *namespace* — everything that decides what the
/// backbone computes (architecture, pooling, precision, input size, preprocessing and a hash
/// of the backbone's own tensors) — and the image's *content hash* (BLAKE2b of the file's
/// bytes, so a renamed or copied image is still found and an edited one is not). Layout:
///
///     <root>/<namespace hash>/key.txt               the namespace, for people
///     <root>/<namespace hash>/<ab>/<content hash>.tcf
///
/// A .tcf file is "TCFEAT01", an int32 rank, int64 sizes, then float32 values, all
/// little-endian; a file that does not parse is treated as missing and replaced. Files are
/// written atomically, so concurrent runs and interrupted runs leave only whole entries.
/// Nothing is ever evicted: deleting the folder is always safe.
class FeatureStore {
public:
    /// `root`: the cache folder; `identity`: the namespace's description (see above).
    FeatureStore(QString root, const QString& identity);

    /// The default root: the user's cache folder (QStandardPaths::CacheLocation)/features.
    static QString defaultRoot();
    /// A hash of every parameter and buffer of `module`'s tensors, in order: part of the
    /// namespace, so that different weights under the same file name never share entries.
    static QString tensorsHash(const std::vector<torch::Tensor>& tensors);
    /// The content hash of each file (hex), computed on `threads` threads; an empty entry
    /// for a file that cannot be read (the loader will report it).
    static std::vector<QByteArray> contentHashes(const QStringList& paths, int threads);

    /// The features stored for `contentHash`, or std::nullopt (missing or damaged).
    std::optional<torch::Tensor> load(const QByteArray& contentHash) const;
    /// Stores `features` (float32, any shape) for `contentHash`. False when the folder is
    /// not writable; the caller carries on without the disk cache.
    bool store(const QByteArray& contentHash, const torch::Tensor& features) const;

    QString directory() const { return m_directory; }

private:
    QString pathOf(const QByteArray& contentHash) const;

    QString m_directory;
};

} // namespace tc::train
