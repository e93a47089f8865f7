#pragma once

#include "core/nn/WeightStore.h"

#include <functional>
#include <QString>
#include <QUrl>

namespace tc::nn {

/// Downloads weight files over HTTP(S) with Qt Network, streaming to disk (never the whole
/// file in memory; Qt's read buffer is bounded too), within an overall deadline, a stall
/// timeout and a size cap, checking the SHA-256 prefix that torchvision puts in its file names and
/// writing atomically (QSaveFile: a failed or mismatched download leaves nothing behind).
///
/// Calls block and run a local event loop in the calling thread, so they work in a command
/// under QCoreApplication and in any worker thread alike (a QCoreApplication must exist).
/// The callbacks run in the calling thread.
class WeightDownloader {
public:
    struct Options {
        /// Folder URL the variant's file name is appended to; empty means
        /// defaultWeightsBaseUrl() (torchvision's, or TORCHCANVAS_WEIGHTS_URL).
        QString baseUrl;
        /// bytes received, bytes expected (-1 when the server does not say).
        std::function<void(qint64 received, qint64 total)> progress;
        /// Polled while waiting; returning true aborts the download.
        std::function<bool()> cancelled;
        /// Give up when no data arrives for this long.
        int inactivityTimeoutMs = 60'000;
        /// Give up when fewer than stallMinimumBytes arrive in any stallWindowMs (a server
        /// trickling a byte every few seconds never trips the inactivity timeout).
        int stallWindowMs = 30'000;
        qint64 stallMinimumBytes = 16 * 1024;
        /// Give up when the whole download takes longer than this.
        int deadlineMs = 30 * 60'000;
        /// Give up when the server announces or sends more than this (the largest ResNet
        /// file is 230 MB): an endless stream can neither fill the disk nor the memory.
        qint64 maxBytes = qint64(1) << 30;
    };

    struct Result {
        bool ok = false;
        bool reused = false; ///< the file was already there with the right checksum
        QString path;
        QString error; ///< one paragraph, including how to install the file by hand
    };

    /// Downloads `url` to `destination`; when `expectedSha256Prefix` is not empty the
    /// file's SHA-256 (hex) must start with it, or nothing is written.
    static Result download(const QUrl& url, const QString& destination,
                           const QString& expectedSha256Prefix, const Options& options);

    /// Puts `variant`'s file into `store`: reuses a present file whose checksum matches,
    /// downloads it otherwise.
    static Result fetch(const WeightVariant& variant, const WeightStore& store,
                        const Options& options);
};

} // namespace tc::nn
