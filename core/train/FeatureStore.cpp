#include "core/train/FeatureStore.h"

#include "core/util/RegularFile.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QStandardPaths>
#include <QtEndian>
#include <thread>
#include <torch/torch.h>

namespace tc::train {

namespace {

constexpr char kMagic[8] = {'T', 'C', 'F', 'E', 'A', 'T', '0', '1'};
constexpr QCryptographicHash::Algorithm kAlgorithm = QCryptographicHash::Blake2b_256;
/// Ranks above this are not features (they are at most [C, H, W]).
constexpr std::int32_t kMaxRank = 4;

static_assert(Q_BYTE_ORDER == Q_LITTLE_ENDIAN, "feature files are written in host order");

} // namespace

FeatureStore::FeatureStore(QString root, const QString& identity) {
    const QByteArray hash = QCryptographicHash::hash(identity.toUtf8(), kAlgorithm).toHex();
    m_directory = QDir(root).filePath(QString::fromLatin1(hash.left(32)));
    if (QDir().mkpath(m_directory)) {
        QSaveFile description(QDir(m_directory).filePath(QStringLiteral("key.txt")));
        if (!QFileInfo::exists(description.fileName()) && description.open(QIODevice::WriteOnly)) {
            description.write(identity.toUtf8() + '\n');
            description.commit();
        }
    }
}

QString FeatureStore::defaultRoot() {
    return QDir(QStandardPaths::writableLocation(QStandardPaths::CacheLocation))
        .filePath(QStringLiteral("features"));
}

QString FeatureStore::tensorsHash(const std::vector<torch::Tensor>& tensors) {
    QCryptographicHash hash(kAlgorithm);
    for (const torch::Tensor& tensor : tensors) {
        const torch::Tensor bytes = tensor.detach().to(torch::kCPU).contiguous();
        hash.addData(QByteArray(bytes.toString().c_str())); // dtype and sizes
        for (const std::int64_t size : bytes.sizes())
            hash.addData(QByteArray(QByteArray::number(qlonglong(size)) + ','));
        hash.addData(
            QByteArrayView(static_cast<const char*>(bytes.data_ptr()), qsizetype(bytes.nbytes())));
    }
    return QString::fromLatin1(hash.result().toHex());
}

std::vector<QByteArray> FeatureStore::contentHashes(const QStringList& paths, int threads) {
    std::vector<QByteArray> hashes(size_t(paths.size()));
    std::atomic<qsizetype> next{0};
    auto work = [&] {
        for (qsizetype i = next++; i < paths.size(); i = next++) {
            // A FIFO would block open() and a device would never end: regular files only.
            QFile file(paths[i]);
            if (!util::regularFileProblem(paths[i]).isEmpty() || !file.open(QIODevice::ReadOnly))
                continue;
            QCryptographicHash hash(kAlgorithm);
            if (hash.addData(&file))
                hashes[size_t(i)] = hash.result().toHex();
        }
    };
    const int count = std::clamp(threads, 1, int(std::max<qsizetype>(paths.size(), 1)));
    std::vector<std::thread> workers;
    for (int t = 1; t < count; ++t)
        workers.emplace_back(work);
    work();
    for (std::thread& worker : workers)
        worker.join();
    return hashes;
}

QString FeatureStore::pathOf(const QByteArray& contentHash) const {
    const QString name = QString::fromLatin1(contentHash);
    return QDir(m_directory)
        .filePath(name.left(2) + QLatin1Char('/') + name + QStringLiteral(".tcf"));
}

std::optional<torch::Tensor> FeatureStore::load(const QByteArray& contentHash) const {
    if (contentHash.isEmpty())
        return std::nullopt;
    QFile file(pathOf(contentHash));
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    const QByteArray bytes = file.readAll();
    const char* p = bytes.constData();
    const char* end = p + bytes.size();
    if (end - p < qsizetype(sizeof kMagic + sizeof(std::int32_t)) ||
        std::memcmp(p, kMagic, sizeof kMagic) != 0)
        return std::nullopt;
    p += sizeof kMagic;
    std::int32_t rank = 0;
    std::memcpy(&rank, p, sizeof rank);
    p += sizeof rank;
    if (rank < 1 || rank > kMaxRank || end - p < qsizetype(rank * sizeof(std::int64_t)))
        return std::nullopt;
    std::vector<std::int64_t> sizes(static_cast<size_t>(rank));
    std::memcpy(sizes.data(), p, sizes.size() * sizeof(std::int64_t));
    p += sizes.size() * sizeof(std::int64_t);
    std::int64_t numel = 1;
    for (const std::int64_t size : sizes) {
        if (size < 1 || size > (std::int64_t(1) << 24))
            return std::nullopt;
        numel *= size;
    }
    if (end - p != qsizetype(numel * qsizetype(sizeof(float))))
        return std::nullopt;
    torch::Tensor features = torch::empty(sizes, torch::kFloat32);
    std::memcpy(features.data_ptr<float>(), p, size_t(numel) * sizeof(float));
    return features;
}

bool FeatureStore::store(const QByteArray& contentHash, const torch::Tensor& features) const {
    if (contentHash.isEmpty() || features.dim() < 1 || features.dim() > kMaxRank)
        return false;
    const torch::Tensor values = features.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    const QString path = pathOf(contentHash);
    if (!QDir().mkpath(QFileInfo(path).absolutePath()))
        return false;
    QByteArray bytes(kMagic, sizeof kMagic);
    const std::int32_t rank = std::int32_t(values.dim());
    bytes.append(reinterpret_cast<const char*>(&rank), sizeof rank);
    for (const std::int64_t size : values.sizes())
        bytes.append(reinterpret_cast<const char*>(&size), sizeof size);
    bytes.append(static_cast<const char*>(values.data_ptr()), qsizetype(values.nbytes()));
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
        return false;
    return file.commit();
}

} // namespace tc::train
