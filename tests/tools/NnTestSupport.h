#pragma once

// Helpers shared by the network tests: running the Python oracle scripts in tests/tools,
// reading their raw float32 outputs, and comparing tensors.

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <torch/torch.h>

namespace tc::test {

/// Runs tests/tools/<script> with the reference Python (torch, torchvision). Returns an
/// empty string on success, otherwise what went wrong (for QVERIFY2).
inline QString runOracle(const QString& script, const QStringList& arguments,
                         QByteArray* standardOutput = nullptr, int timeoutMs = 300'000) {
    QProcess process;
    process.setProcessChannelMode(QProcess::SeparateChannels);
    process.start(QStringLiteral(TORCHCANVAS_PYTHON),
                  QStringList{QStringLiteral(TORCHCANVAS_SOURCE_DIR "/tests/tools/") + script} +
                      arguments);
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
        return script + QStringLiteral(" did not finish");
    }
    if (standardOutput)
        *standardOutput = process.readAllStandardOutput();
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0)
        return script + QStringLiteral(" failed: ") +
               QString::fromUtf8(process.readAllStandardError());
    return {};
}

/// A raw little-endian float32 file as a tensor of `shape`; undefined on a size mismatch.
inline torch::Tensor readFloats(const QString& path, std::vector<std::int64_t> shape) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const QByteArray bytes = file.readAll();
    torch::Tensor tensor = torch::empty(shape, torch::kFloat32);
    if (static_cast<std::size_t>(bytes.size()) != tensor.nbytes())
        return {};
    std::memcpy(tensor.data_ptr(), bytes.constData(), tensor.nbytes());
    return tensor;
}

/// max |actual − expected| / max |expected|: the error relative to the output's scale
/// (element-wise relative error is meaningless for values near zero).
inline double relativeError(const torch::Tensor& actual, const torch::Tensor& expected) {
    const double scale = expected.abs().max().item<double>();
    return (actual.to(torch::kFloat64) - expected.to(torch::kFloat64)).abs().max().item<double>() /
           std::max(scale, 1e-30);
}

/// The smallest cosine similarity between corresponding rows of two [N, C] tensors.
inline double minimumCosine(const torch::Tensor& a, const torch::Tensor& b) {
    return torch::cosine_similarity(a.to(torch::kFloat64).flatten(1),
                                    b.to(torch::kFloat64).flatten(1),
                                    /*dim=*/1)
        .min()
        .item<double>();
}

/// A fresh, empty folder under the test output directory.
inline QString freshDirectory(const QString& name) {
    QDir root(QStringLiteral(TORCHCANVAS_TEST_OUTPUT_DIR));
    QDir(root.filePath(name)).removeRecursively();
    root.mkpath(name);
    return root.filePath(name);
}

} // namespace tc::test
