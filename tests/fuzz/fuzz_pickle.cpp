// libFuzzer target: the .pth reader's two parsers, the zip archive (core/nn/ZipArchive) and
// the restricted unpickler (core/nn/RestrictedUnpickler), on arbitrary bytes: as an archive
// when they start like one (every entry is read and data.pkl unpickled), as a pickle
// otherwise.

#include "core/nn/RestrictedUnpickler.h"
#include "core/nn/ZipArchive.h"
#include "FuzzSupport.h"

namespace {

void checkStateDict(const unsigned char* pickle, std::size_t size) {
    QString error;
    const auto state = tc::nn::unpickleStateDict(pickle, size, &error);
    if (!state) {
        tc::fuzz::require(!error.isEmpty(), "a refused pickle says why");
        return;
    }
    for (const auto& [name, tensor] : state->tensors) {
        tc::fuzz::require(tensor.storage < state->storages.size(), "tensors view a storage");
        tc::fuzz::require(tensor.sizes.size() == tensor.strides.size(),
                          "a tensor has one stride per dimension");
    }
}

} // namespace

TC_FUZZ_ENTRY {
    const QByteArray bytes = tc::fuzz::bytesOf(data, size);
    if (!tc::nn::ZipArchive::looksLikeZip(bytes)) {
        checkStateDict(data, size);
        return 0;
    }
    const tc::nn::ZipArchive archive{QByteArray(bytes)};
    if (!archive.isValid()) {
        tc::fuzz::require(!archive.errorString().isEmpty(), "a refused archive says why");
        return 0;
    }
    for (const auto& entry : archive.entries()) {
        QString error;
        const unsigned char* contents = archive.data(entry, &error);
        tc::fuzz::require(contents || !error.isEmpty(), "an unreadable entry says why");
        if (contents && entry.name.endsWith(QLatin1String("data.pkl")))
            checkStateDict(contents, std::size_t(entry.size));
    }
    return 0;
}
