// libFuzzer target: the safetensors reader (core/nn/SafeTensors), on arbitrary bytes
// written to a scratch file (the reader validates header and offsets against the file).

#include "core/nn/SafeTensors.h"
#include "FuzzSupport.h"

#include <torch/torch.h>

TC_FUZZ_ENTRY {
    const QString path = tc::fuzz::scratchFile(tc::fuzz::bytesOf(data, size), ".safetensors");
    QString error;
    QMap<QString, QString> metadata;
    const auto tensors = tc::nn::readSafeTensors(path, &error, &metadata);
    if (!tensors) {
        tc::fuzz::require(!error.isEmpty(), "a refused file says why");
        return 0;
    }
    std::int64_t bytes = 0;
    for (const auto& item : *tensors)
        bytes += item.value().numel() * std::int64_t(item.value().element_size());
    tc::fuzz::require(bytes <= std::int64_t(size), "tensors hold no more bytes than the file");
    return 0;
}
