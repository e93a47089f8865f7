// PyTorch checkpoints as torch.save writes them since 1.6: a zip archive (stored entries)
// holding <folder>/data.pkl, the pickled object, and <folder>/data/<key>, one raw
// little-endian storage per key that the pickle names through persistent ids.

#include "core/nn/TorchCheckpoint.h"

#include "core/nn/RestrictedUnpickler.h"
#include "core/nn/ZipArchive.h"

#include <QFile>

namespace tc::nn {

namespace {

/// The legacy format starts with a pickled magic number: PROTO 2, LONG1 of 10 bytes.
const QByteArray kLegacyMagic = QByteArray::fromHex("80028a0a6cfc9c46f9206aa85019");
/// A state dict's pickle is a few hundred kilobytes at most; this bounds hostile input.
constexpr std::uint64_t kMaxPickleBytes = 64ull << 20;

bool failWith(QString* error, const QString& path, const QString& reason) {
    if (error)
        *error = QStringLiteral("%1: %2").arg(path, reason);
    return false;
}

torch::ScalarType scalarTypeOf(StorageType type) {
    switch (type) {
    case StorageType::Float:
        return torch::kFloat32;
    case StorageType::Double:
        return torch::kFloat64;
    case StorageType::Half:
        return torch::kFloat16;
    case StorageType::BFloat16:
        return torch::kBFloat16;
    case StorageType::Long:
        return torch::kInt64;
    case StorageType::Int:
        return torch::kInt32;
    case StorageType::Short:
        return torch::kInt16;
    case StorageType::Char:
        return torch::kInt8;
    case StorageType::Byte:
        return torch::kUInt8;
    case StorageType::Bool:
        return torch::kBool;
    }
    return torch::kFloat32;
}

/// Multiplies without overflow; false when the product does not fit.
bool checkedMultiply(std::int64_t a, std::int64_t b, std::int64_t* product) {
    return !__builtin_mul_overflow(a, b, product);
}

bool checkedAdd(std::int64_t a, std::int64_t b, std::int64_t* sum) {
    return !__builtin_add_overflow(a, b, sum);
}

/// Checks that the strided view `record` fits inside a storage of `storageElements`.
bool tensorFitsStorage(const TensorRecord& record, std::int64_t storageElements, QString* reason) {
    if (record.storageOffset < 0) {
        *reason = QStringLiteral("a negative storage offset");
        return false;
    }
    std::int64_t elements = 1;
    std::int64_t lastIndex = record.storageOffset;
    for (std::size_t i = 0; i < record.sizes.size(); ++i) {
        const std::int64_t size = record.sizes[i];
        const std::int64_t stride = record.strides[i];
        if (size < 0 || stride < 0) {
            *reason = QStringLiteral("a negative size or stride");
            return false;
        }
        if (!checkedMultiply(elements, size, &elements)) {
            *reason = QStringLiteral("a size whose product overflows");
            return false;
        }
        std::int64_t span = 0;
        if (size > 0 && (!checkedMultiply(size - 1, stride, &span) ||
                         !checkedAdd(lastIndex, span, &lastIndex))) {
            *reason = QStringLiteral("an extent that overflows");
            return false;
        }
    }
    if (elements == 0)
        return true; // an empty tensor reads nothing
    if (lastIndex >= storageElements) {
        *reason = QStringLiteral("shape %1 with strides %2 at offset %3 reaching element %4 of "
                                 "a storage of %5 elements")
                      .arg(shapeString(record.sizes), shapeString(record.strides))
                      .arg(record.storageOffset)
                      .arg(lastIndex)
                      .arg(storageElements);
        return false;
    }
    return true;
}

} // namespace

bool looksLikeLegacyTorchFile(const QByteArray& firstBytes) {
    return firstBytes.startsWith(kLegacyMagic);
}

std::optional<StateDict> readTorchCheckpoint(const QString& path, QString* error) {
    QFile probe(path);
    if (!probe.exists()) {
        failWith(error, path, QStringLiteral("no such file"));
        return std::nullopt;
    }
    if (probe.open(QIODevice::ReadOnly)) {
        const QByteArray head = probe.read(16);
        if (head.startsWith(kLegacyMagic)) {
            failWith(error, path,
                     QStringLiteral("this is PyTorch's legacy (pre-1.6, non-zip) checkpoint "
                                    "format, which TorchCanvas does not read. Re-save it with a "
                                    "current PyTorch: torch.save(torch.load(old), new)"));
            return std::nullopt;
        }
        if (!head.isEmpty() && !ZipArchive::looksLikeZip(head)) {
            failWith(error, path,
                     QStringLiteral("not a PyTorch checkpoint (torch.save writes a zip "
                                    "archive; this file starts differently)"));
            return std::nullopt;
        }
    }

    const ZipArchive archive(path);
    if (!archive.isValid()) {
        failWith(error, path, archive.errorString());
        return std::nullopt;
    }
    // torch.save puts everything under one folder named after the file it first wrote.
    const ZipArchive::Entry* pickle = nullptr;
    for (const ZipArchive::Entry& entry : archive.entries()) {
        if (entry.name == QLatin1String("data.pkl") ||
            entry.name.endsWith(QLatin1String("/data.pkl"))) {
            if (pickle) {
                failWith(error, path, QStringLiteral("the archive holds two data.pkl records"));
                return std::nullopt;
            }
            pickle = &entry;
        }
    }
    if (!pickle) {
        failWith(error, path,
                 QStringLiteral("a zip archive without data.pkl: not a PyTorch checkpoint"));
        return std::nullopt;
    }
    const QString prefix = pickle->name.left(pickle->name.size() - 8);
    QString reason;
    if (const ZipArchive::Entry* order = archive.find(prefix + QStringLiteral("byteorder"))) {
        const unsigned char* bytes = archive.data(*order, &reason);
        if (!bytes) {
            failWith(error, path, reason);
            return std::nullopt;
        }
        const QByteArray text(reinterpret_cast<const char*>(bytes),
                              static_cast<int>(std::min<std::uint64_t>(order->size, 16)));
        if (text.trimmed() != "little") {
            failWith(error, path,
                     QStringLiteral(
                         "tensors are stored big-endian; only little-endian files are supported"));
            return std::nullopt;
        }
    }
    if (pickle->size > kMaxPickleBytes) {
        failWith(error, path,
                 QStringLiteral("data.pkl is %1 bytes, far more than a state dict needs")
                     .arg(pickle->size));
        return std::nullopt;
    }
    const unsigned char* pickleBytes = archive.data(*pickle, &reason);
    if (!pickleBytes) {
        failWith(error, path, reason);
        return std::nullopt;
    }
    std::optional<PickledStateDict> pickled =
        unpickleStateDict(pickleBytes, static_cast<std::size_t>(pickle->size), &reason);
    if (!pickled) {
        failWith(error, path, QStringLiteral("data.pkl, %1").arg(reason));
        return std::nullopt;
    }

    try {
        // Copy each storage out of the archive once; tensors are views of them.
        std::vector<torch::Tensor> storages(pickled->storages.size());
        auto storageTensor = [&](std::size_t index) -> torch::Tensor {
            if (storages[index].defined())
                return storages[index];
            const StorageRecord& record = pickled->storages[index];
            const QString name =
                prefix + QStringLiteral("data/") + QString::fromStdString(record.key);
            const ZipArchive::Entry* entry = archive.find(name);
            if (!entry) {
                reason = QStringLiteral("storage '%1' is missing (no entry %2)")
                             .arg(QString::fromStdString(record.key), name);
                return {};
            }
            std::int64_t bytes = 0;
            if (!checkedMultiply(record.elementCount, storageElementSize(record.type), &bytes) ||
                static_cast<std::uint64_t>(bytes) != entry->size) {
                reason = QStringLiteral("storage '%1' should hold %2 %3 elements but its entry "
                                        "has %4 bytes")
                             .arg(QString::fromStdString(record.key))
                             .arg(record.elementCount)
                             .arg(storageTypeName(record.type))
                             .arg(entry->size);
                return {};
            }
            const unsigned char* data = archive.data(*entry, &reason);
            if (!data)
                return {};
            torch::Tensor tensor = torch::empty({record.elementCount}, scalarTypeOf(record.type));
            if (bytes > 0)
                std::memcpy(tensor.data_ptr(), data, static_cast<std::size_t>(bytes));
            storages[index] = tensor;
            return tensor;
        };

        StateDict result;
        for (const auto& [name, record] : pickled->tensors) {
            const QString tensorName = QString::fromStdString(name);
            const torch::Tensor storage = storageTensor(record.storage);
            if (!storage.defined()) {
                failWith(error, path, reason);
                return std::nullopt;
            }
            if (!tensorFitsStorage(record, storage.numel(), &reason)) {
                failWith(error, path,
                         QStringLiteral("tensor '%1' does not fit its storage: %2")
                             .arg(tensorName.left(200), reason));
                return std::nullopt;
            }
            torch::Tensor tensor =
                storage.as_strided(record.sizes, record.strides, record.storageOffset);
            // A view of the whole storage can be kept as it is; anything else gets its own
            // compact copy so that no tensor drags a larger storage along.
            if (!(record.storageOffset == 0 && tensor.is_contiguous() &&
                  tensor.numel() == storage.numel()))
                tensor = tensor.clone(at::MemoryFormat::Contiguous);
            result.insert(name, tensor);
        }
        return result;
    } catch (const c10::Error& failure) {
        failWith(error, path, QString::fromStdString(failure.what_without_backtrace()));
    } catch (const std::bad_alloc&) {
        failWith(error, path, QStringLiteral("out of memory"));
    }
    return std::nullopt;
}

} // namespace tc::nn
