#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <QString>
#include <string>
#include <utility>
#include <vector>

namespace tc::nn {

/// Element types a PyTorch storage can have in a state dict.
enum class StorageType { Float, Double, Half, BFloat16, Long, Int, Short, Char, Byte, Bool };
/// Bytes per element.
int storageElementSize(StorageType type);
/// "FloatStorage" …
QString storageTypeName(StorageType type);

/// One tensor storage named by a checkpoint's pickle: its bytes are the archive entry
/// `<prefix>/data/<key>`.
struct StorageRecord {
    StorageType type = StorageType::Float;
    std::string key;
    std::string location; ///< "cpu", "cuda:0"… (informative; everything loads on the CPU)
    std::int64_t elementCount = 0;
};

/// A tensor as `torch._utils._rebuild_tensor_v2` describes it: a strided view of a storage.
struct TensorRecord {
    std::size_t storage = 0; ///< index into PickledStateDict::storages
    std::int64_t storageOffset = 0;
    std::vector<std::int64_t> sizes;
    std::vector<std::int64_t> strides;
    bool requiresGrad = false;
};

/// What the restricted unpickler extracts from a checkpoint's data.pkl: named tensors in
/// file order and the storages they view.
struct PickledStateDict {
    std::vector<std::pair<std::string, TensorRecord>> tensors;
    std::vector<StorageRecord> storages;
};

/// A pickle virtual machine restricted to what a PyTorch state dict needs. It understands
/// protocols 2 to 5 (the opcodes of plain data: ints, floats, strings, bytes, tuples, lists,
/// dicts, memo, persistent ids) and only these globals:
///   collections.OrderedDict, torch._utils._rebuild_tensor_v2, torch._utils._rebuild_tensor,
///   torch._utils._rebuild_parameter and the typed storages torch.FloatStorage … BoolStorage.
/// Anything else (another global, a class instantiation opcode, an extension code) stops it
/// with a message naming what was found and where. It never calls into Python or any other
/// code, allocates within fixed bounds and never recurses on the data, so hostile input
/// cannot make it crash or run away.
///
/// The top-level object must be a dict (usually an OrderedDict, whose `_metadata` attribute
/// is accepted and ignored) of tensors; a training checkpoint holding such a dict under
/// "state_dict", "model_state_dict" or "model" is accepted too.
std::optional<PickledStateDict> unpickleStateDict(const unsigned char* data, std::size_t size,
                                                  QString* error);

} // namespace tc::nn
