#pragma once

// Small helpers shared by the data tests: files and images in a temporary folder.

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <vector>

namespace tc::test {

/// Writes `bytes` to `root/relative`, creating folders. Returns the absolute path.
inline QString writeFile(const QString& root, const QString& relative, const QByteArray& bytes) {
    const QString path = QDir(root).filePath(relative);
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
        return {};
    return path;
}

inline QByteArray readFile(const QString& path) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

/// A deterministic test pattern: smooth gradients plus a checkerboard and noise, so that
/// resizing and interpolation differences show. `type`: CV_8UC1/3/4 or CV_16UC1/3/4.
inline cv::Mat patternImage(int width, int height, int type, unsigned seed = 1) {
    cv::Mat image(height, width, type);
    cv::RNG rng(seed);
    const int channels = image.channels();
    const bool sixteen = image.depth() == CV_16U;
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x)
            for (int c = 0; c < channels; ++c) {
                const double base =
                    (x * (c + 1) * 7 + y * (3 - c % 3) * 5 + ((x / 4 + y / 4) % 2) * 60) % 256;
                const double value = base + rng.uniform(-20.0, 20.0);
                if (sixteen)
                    image.ptr<std::uint16_t>(y)[x * channels + c] =
                        cv::saturate_cast<std::uint16_t>(value * 257 + rng.uniform(0, 257));
                else
                    image.ptr<std::uint8_t>(y)[x * channels + c] =
                        cv::saturate_cast<std::uint8_t>(value);
            }
    return image;
}

/// Encodes `image` with the format of `relative`'s extension and writes it.
inline QString writeImage(const QString& root, const QString& relative, const cv::Mat& image,
                          const std::vector<int>& parameters = {}) {
    std::vector<std::uint8_t> bytes;
    const std::string extension = "." + QFileInfo(relative).suffix().toStdString();
    if (!cv::imencode(extension, image, bytes, parameters))
        return {};
    return writeFile(
        root, relative,
        QByteArray(reinterpret_cast<const char*>(bytes.data()), qsizetype(bytes.size())));
}

/// The outcome of running the torchcanvas binary.
struct CommandResult {
    int exitCode = -1;     ///< -1 when it crashed or timed out
    bool timedOut = false; ///< killed at the deadline (a hang)
    QString out;
    QString err;
};

/// Runs the torchcanvas binary with `arguments`; kills it after `timeoutMs` (a hang guard).
inline CommandResult runTorchCanvas(const QStringList& arguments, int timeoutMs = 60'000) {
    QProcess process;
    process.start(QStringLiteral(TORCHCANVAS_BINARY), arguments);
    const bool finished = process.waitForFinished(timeoutMs);
    if (!finished) {
        process.kill();
        process.waitForFinished();
    }
    CommandResult result;
    result.timedOut = !finished;
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.out = QString::fromUtf8(process.readAllStandardOutput());
    result.err = QString::fromUtf8(process.readAllStandardError());
    return result;
}

} // namespace tc::test
