// The .safetensors format (https://github.com/huggingface/safetensors): an 8-byte
// little-endian header length N, N bytes of JSON {name: {dtype, shape, data_offsets}, …,
// "__metadata__": {string: string}}, then the raw little-endian tensor bytes, with
// data_offsets relative to the end of the header.

#include "core/nn/SafeTensors.h"

#include "core/util/FileErrors.h"

#include <algorithm>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

namespace tc::nn {

namespace {

/// Real headers are a few hundred kilobytes; the reference implementation caps them too.
constexpr std::uint64_t kMaxHeaderBytes = 100ull << 20;
/// Integers above this are not exact in a JSON double.
constexpr double kMaxExactInteger = 9007199254740992.0; // 2^53

struct DTypeName {
    const char* name;
    torch::ScalarType type;
};

constexpr DTypeName kDTypes[] = {
    {"F64", torch::kFloat64},   {"F32", torch::kFloat32}, {"F16", torch::kFloat16},
    {"BF16", torch::kBFloat16}, {"I64", torch::kInt64},   {"I32", torch::kInt32},
    {"I16", torch::kInt16},     {"I8", torch::kInt8},     {"U8", torch::kUInt8},
    {"BOOL", torch::kBool},
};

std::optional<torch::ScalarType> scalarTypeFromName(const QString& name) {
    for (const DTypeName& entry : kDTypes) {
        if (name == QLatin1String(entry.name))
            return entry.type;
    }
    return std::nullopt;
}

const char* nameOfScalarType(torch::ScalarType type) {
    for (const DTypeName& entry : kDTypes) {
        if (entry.type == type)
            return entry.name;
    }
    return nullptr;
}

bool exactNonNegativeInteger(const QJsonValue& value, std::int64_t* out) {
    if (!value.isDouble())
        return false;
    const double number = value.toDouble();
    if (!(number >= 0.0) || number > kMaxExactInteger || number != std::floor(number))
        return false;
    *out = static_cast<std::int64_t>(number);
    return true;
}

/// JSON string literal for `text` (names are usually ASCII; escape what JSON requires).
QByteArray jsonString(const QString& text) {
    QByteArray out = "\"";
    for (const char c : text.toUtf8()) {
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            if (static_cast<unsigned char>(c) < 0x20)
                out += QStringLiteral("\\u%1")
                           .arg(static_cast<int>(c), 4, 16, QLatin1Char('0'))
                           .toLatin1();
            else
                out += c;
        }
    }
    out += '"';
    return out;
}

} // namespace

std::optional<StateDict> readSafeTensors(const QString& path, QString* error,
                                         QMap<QString, QString>* metadata) {
    auto fail = [&](const QString& reason) -> std::optional<StateDict> {
        if (error)
            *error = QStringLiteral("%1: %2").arg(path, reason);
        return std::nullopt;
    };
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("cannot open: %1").arg(file.errorString()));
    const std::uint64_t fileSize = static_cast<std::uint64_t>(file.size());
    if (fileSize < 8)
        return fail(QStringLiteral("too short for a .safetensors file (%1 bytes)").arg(fileSize));
    const uchar* base = fileSize > 0 ? file.map(0, file.size()) : nullptr;
    QByteArray readBytes;
    if (!base) {
        readBytes = file.readAll();
        if (static_cast<std::uint64_t>(readBytes.size()) != fileSize)
            return fail(QStringLiteral("cannot read: %1").arg(file.errorString()));
        base = reinterpret_cast<const uchar*>(readBytes.constData());
    }
    std::uint64_t headerSize = 0;
    for (int i = 7; i >= 0; --i)
        headerSize = (headerSize << 8) | base[i];
    if (headerSize > fileSize - 8)
        return fail(QStringLiteral("the header claims %1 bytes but the file has %2: truncated or "
                                   "not a .safetensors file")
                        .arg(headerSize)
                        .arg(fileSize));
    if (headerSize > kMaxHeaderBytes)
        return fail(QStringLiteral("the header is %1 bytes, more than the %2 allowed")
                        .arg(headerSize)
                        .arg(kMaxHeaderBytes));
    QJsonParseError parseError;
    const QJsonDocument document =
        QJsonDocument::fromJson(QByteArray::fromRawData(reinterpret_cast<const char*>(base + 8),
                                                        static_cast<qsizetype>(headerSize)),
                                &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return fail(QStringLiteral("malformed JSON header at byte %1: %2")
                        .arg(8 + parseError.offset)
                        .arg(parseError.errorString()));
    if (!document.isObject())
        return fail(QStringLiteral("the JSON header is not an object"));
    const QJsonObject header = document.object();
    const std::uint64_t dataStart = 8 + headerSize;
    const std::uint64_t dataSize = fileSize - dataStart;

    struct Pending {
        QString name;
        torch::ScalarType type;
        std::vector<std::int64_t> shape;
        std::int64_t begin;
        std::int64_t end;
    };
    std::vector<Pending> pending;
    for (auto it = header.begin(); it != header.end(); ++it) {
        const QString name = it.key();
        if (name == QLatin1String("__metadata__")) {
            if (!it.value().isObject())
                return fail(QStringLiteral("__metadata__ is not an object"));
            const QJsonObject entries = it.value().toObject();
            for (auto entry = entries.begin(); entry != entries.end(); ++entry) {
                if (!entry.value().isString())
                    return fail(
                        QStringLiteral("__metadata__ value '%1' is not a string").arg(entry.key()));
                if (metadata)
                    metadata->insert(entry.key(), entry.value().toString());
            }
            continue;
        }
        const QString label = name.left(200);
        if (!it.value().isObject())
            return fail(QStringLiteral("tensor '%1': its description is not an object").arg(label));
        const QJsonObject description = it.value().toObject();
        const QString dtypeName = description.value(QLatin1String("dtype")).toString();
        const std::optional<torch::ScalarType> type = scalarTypeFromName(dtypeName);
        if (!type)
            return fail(QStringLiteral("tensor '%1': unsupported dtype '%2'")
                            .arg(label, dtypeName.left(20)));
        Pending item{name, *type, {}, 0, 0};
        const QJsonValue shapeValue = description.value(QLatin1String("shape"));
        if (!shapeValue.isArray() || shapeValue.toArray().size() > 32)
            return fail(QStringLiteral("tensor '%1': missing or malformed shape").arg(label));
        std::int64_t elements = 1;
        for (const QJsonValue& dimension : shapeValue.toArray()) {
            std::int64_t size = 0;
            if (!exactNonNegativeInteger(dimension, &size) ||
                __builtin_mul_overflow(elements, size, &elements))
                return fail(QStringLiteral("tensor '%1': malformed shape").arg(label));
            item.shape.push_back(size);
        }
        const QJsonArray offsets = description.value(QLatin1String("data_offsets")).toArray();
        if (offsets.size() != 2 || !exactNonNegativeInteger(offsets.at(0), &item.begin) ||
            !exactNonNegativeInteger(offsets.at(1), &item.end) || item.begin > item.end)
            return fail(QStringLiteral("tensor '%1': malformed data_offsets").arg(label));
        if (static_cast<std::uint64_t>(item.end) > dataSize)
            return fail(QStringLiteral("tensor '%1': data_offsets [%2, %3] run past the end of "
                                       "the data (%4 bytes): truncated file?")
                            .arg(label)
                            .arg(item.begin)
                            .arg(item.end)
                            .arg(dataSize));
        std::int64_t bytes = 0;
        if (__builtin_mul_overflow(elements, static_cast<std::int64_t>(c10::elementSize(*type)),
                                   &bytes) ||
            bytes != item.end - item.begin)
            return fail(QStringLiteral("tensor '%1': shape %2 of %3 needs %4 bytes but "
                                       "data_offsets give %5")
                            .arg(label, shapeString(item.shape), dtypeName)
                            .arg(bytes)
                            .arg(item.end - item.begin));
        pending.push_back(std::move(item));
    }
    // File order is data order; the JSON object itself is unordered.
    std::sort(pending.begin(), pending.end(), [](const Pending& a, const Pending& b) {
        return a.begin != b.begin ? a.begin < b.begin : a.name < b.name;
    });
    for (std::size_t i = 1; i < pending.size(); ++i) {
        if (pending[i].begin < pending[i - 1].end)
            return fail(QStringLiteral("tensors '%1' and '%2' overlap")
                            .arg(pending[i - 1].name.left(200), pending[i].name.left(200)));
    }

    try {
        StateDict result;
        for (const Pending& item : pending) {
            torch::Tensor tensor = torch::empty(item.shape, item.type);
            if (item.end > item.begin)
                std::memcpy(tensor.data_ptr(), base + dataStart + item.begin,
                            static_cast<std::size_t>(item.end - item.begin));
            result.insert(item.name.toStdString(), tensor);
        }
        return result;
    } catch (const c10::Error& failure) {
        return fail(QString::fromStdString(failure.what_without_backtrace()));
    } catch (const std::bad_alloc&) {
        return fail(QStringLiteral("out of memory"));
    }
}

bool writeSafeTensors(const QString& path, const StateDict& tensors,
                      const QMap<QString, QString>& metadata, QString* error) {
    auto fail = [&](const QString& reason) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(path, reason);
        return false;
    };
    std::vector<torch::Tensor> contiguous;
    QByteArray header = "{";
    bool first = true;
    if (!metadata.isEmpty()) {
        header += "\"__metadata__\":{";
        for (auto it = metadata.begin(); it != metadata.end(); ++it) {
            if (it != metadata.begin())
                header += ',';
            header += jsonString(it.key()) + ':' + jsonString(it.value());
        }
        header += '}';
        first = false;
    }
    std::int64_t offset = 0;
    for (const auto& item : tensors) {
        const torch::Tensor& tensor = item.value();
        const char* dtype = nameOfScalarType(tensor.scalar_type());
        if (!dtype)
            return fail(QStringLiteral("tensor '%1' has a dtype safetensors cannot hold (%2)")
                            .arg(QString::fromStdString(item.key()),
                                 QString::fromLatin1(c10::toString(tensor.scalar_type()))));
        contiguous.push_back(tensor.detach().to(torch::kCPU).contiguous());
        const std::int64_t bytes = static_cast<std::int64_t>(contiguous.back().nbytes());
        QStringList shape;
        for (const std::int64_t size : tensor.sizes())
            shape << QString::number(size);
        if (!first)
            header += ',';
        first = false;
        header += jsonString(QString::fromStdString(item.key())) + ":{\"dtype\":\"" + dtype +
                  "\",\"shape\":[" + shape.join(QLatin1Char(',')).toLatin1() +
                  "],\"data_offsets\":[" + QByteArray::number(offset) + ',' +
                  QByteArray::number(offset + bytes) + "]}";
        offset += bytes;
    }
    header += '}';
    // Pad with spaces so that the data starts 8-byte aligned.
    while (header.size() % 8 != 0)
        header += ' ';

    QSaveFile file(path);
    auto failWrite = [&] {
        if (error)
            *error = writeFailure(path, file);
        return false;
    };
    if (!file.open(QIODevice::WriteOnly))
        return failWrite();
    char length[8];
    const std::uint64_t headerSize = static_cast<std::uint64_t>(header.size());
    for (int i = 0; i < 8; ++i)
        length[i] = static_cast<char>((headerSize >> (8 * i)) & 0xFF);
    bool ok = file.write(length, 8) == 8 && file.write(header) == header.size();
    for (const torch::Tensor& tensor : contiguous) {
        if (!ok)
            break;
        const qint64 bytes = static_cast<qint64>(tensor.nbytes());
        ok = file.write(static_cast<const char*>(tensor.data_ptr()), bytes) == bytes;
    }
    if (!ok || !file.commit())
        return failWrite();
    return true;
}

} // namespace tc::nn
