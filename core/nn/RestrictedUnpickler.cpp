#include "core/nn/RestrictedUnpickler.h"

#include <cstring>
#include <deque>
#include <memory>
#include <stdexcept>
#include <unordered_map>

namespace tc::nn {

int storageElementSize(StorageType type) {
    switch (type) {
    case StorageType::Double:
    case StorageType::Long:
        return 8;
    case StorageType::Float:
    case StorageType::Int:
        return 4;
    case StorageType::Half:
    case StorageType::BFloat16:
    case StorageType::Short:
        return 2;
    case StorageType::Char:
    case StorageType::Byte:
    case StorageType::Bool:
        return 1;
    }
    return 1;
}

QString storageTypeName(StorageType type) {
    switch (type) {
    case StorageType::Float:
        return QStringLiteral("FloatStorage");
    case StorageType::Double:
        return QStringLiteral("DoubleStorage");
    case StorageType::Half:
        return QStringLiteral("HalfStorage");
    case StorageType::BFloat16:
        return QStringLiteral("BFloat16Storage");
    case StorageType::Long:
        return QStringLiteral("LongStorage");
    case StorageType::Int:
        return QStringLiteral("IntStorage");
    case StorageType::Short:
        return QStringLiteral("ShortStorage");
    case StorageType::Char:
        return QStringLiteral("CharStorage");
    case StorageType::Byte:
        return QStringLiteral("ByteStorage");
    case StorageType::Bool:
        return QStringLiteral("BoolStorage");
    }
    return {};
}

namespace {

/// Limits far above any real state dict (ResNet152's pickle has ~25 000 values and a depth
/// of 4) that bound what hostile input can make us allocate (~100 MB at most).
constexpr std::size_t kMaxValues = 500'000;
constexpr int kMaxDepth = 64;
constexpr std::size_t kMaxDimensions = 32;

class PickleError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

enum class Kind {
    None,
    Bool,
    Int,
    Float,
    String,
    Bytes,
    Tuple,
    List,
    Dict,
    Global,
    Storage,
    Tensor
};

QString kindName(Kind kind) {
    switch (kind) {
    case Kind::None:
        return QStringLiteral("None");
    case Kind::Bool:
        return QStringLiteral("a bool");
    case Kind::Int:
        return QStringLiteral("an int");
    case Kind::Float:
        return QStringLiteral("a float");
    case Kind::String:
        return QStringLiteral("a string");
    case Kind::Bytes:
        return QStringLiteral("bytes");
    case Kind::Tuple:
        return QStringLiteral("a tuple");
    case Kind::List:
        return QStringLiteral("a list");
    case Kind::Dict:
        return QStringLiteral("a dict");
    case Kind::Global:
        return QStringLiteral("a class or function");
    case Kind::Storage:
        return QStringLiteral("a storage");
    case Kind::Tensor:
        return QStringLiteral("a tensor");
    }
    return {};
}

/// The globals the VM knows. Everything else is refused when it is named.
enum class Callable {
    OrderedDict,
    RebuildTensorV2,
    RebuildTensor,
    RebuildParameter,
    Storage, // a typed storage class: only meaningful inside a persistent id
};

struct Value {
    Kind kind = Kind::None;
    int depth = 0;
    bool boolean = false;
    std::int64_t integer = 0;
    double real = 0.0;
    std::string text;                             // String, Bytes; the qualified name of a Global
    std::vector<Value*> items;                    // Tuple, List
    std::vector<std::pair<Value*, Value*>> pairs; // Dict, in insertion order
    Callable callable = Callable::OrderedDict;    // Global
    StorageType storageType = StorageType::Float; // Global (Storage), Storage
    std::size_t storage = 0;                      // Storage: index into the result
    TensorRecord tensor;                          // Tensor
};

class Machine {
public:
    Machine(const unsigned char* data, std::size_t size)
        : data_(data)
        , size_(size) {}

    PickledStateDict run();

private:
    // --- the interpreter: one helper per opcode family, each of which runs the opcodes
    // it owns and returns false for any other -------------------------------------------
    bool stackOperation(std::uint8_t opcode);
    bool memoOperation(std::uint8_t opcode);
    bool scalarOperation(std::uint8_t opcode);
    bool stringOperation(std::uint8_t opcode);
    bool containerOperation(std::uint8_t opcode);
    /// Globals, calls, persistent ids and BUILD: only what global() allows gets through.
    bool objectOperation(std::uint8_t opcode);
    /// Fails for an opcode no family runs, saying why it is refused.
    [[noreturn]] void refuse(std::uint8_t opcode) const;

    // --- input -------------------------------------------------------------------------
    [[noreturn]] void fail(const QString& reason) const {
        throw PickleError(
            QStringLiteral("byte %1: %2").arg(opcodeOffset_).arg(reason).toStdString());
    }
    void need(std::size_t count) const {
        if (count > size_ - position_)
            fail(QStringLiteral("the pickle is truncated"));
    }
    std::uint8_t u8() {
        need(1);
        return data_[position_++];
    }
    std::uint64_t unsignedLittleEndian(int bytes) {
        need(static_cast<std::size_t>(bytes));
        std::uint64_t value = 0;
        for (int i = 0; i < bytes; ++i)
            value |= static_cast<std::uint64_t>(data_[position_ + i]) << (8 * i);
        position_ += static_cast<std::size_t>(bytes);
        return value;
    }
    std::string bytes(std::uint64_t count) {
        if (count > size_ - position_)
            fail(QStringLiteral("a string of %1 bytes runs past the end of the pickle").arg(count));
        std::string text(reinterpret_cast<const char*>(data_ + position_),
                         static_cast<std::size_t>(count));
        position_ += static_cast<std::size_t>(count);
        return text;
    }
    std::string line() {
        const void* end = std::memchr(data_ + position_, '\n', size_ - position_);
        if (!end)
            fail(QStringLiteral("a text argument has no end of line"));
        const std::size_t length =
            static_cast<std::size_t>(static_cast<const unsigned char*>(end) - (data_ + position_));
        std::string text(reinterpret_cast<const char*>(data_ + position_), length);
        position_ += length + 1;
        return text;
    }

    // --- values ------------------------------------------------------------------------
    Value* make(Kind kind) {
        if (arena_.size() >= kMaxValues)
            fail(QStringLiteral("more than %1 values: not a state dict").arg(kMaxValues));
        arena_.emplace_back();
        Value* value = &arena_.back();
        value->kind = kind;
        return value;
    }
    Value* makeInt(std::int64_t integer) {
        Value* value = make(Kind::Int);
        value->integer = integer;
        return value;
    }
    Value* makeString(Kind kind, std::string text) {
        Value* value = make(kind);
        value->text = std::move(text);
        return value;
    }
    /// Records that `child` now sits inside `container`, bounding the nesting (which also
    /// stops cycles built through the memo from growing without limit).
    void adopt(Value* container, const Value* child) {
        const int depth = child->depth + 1;
        if (depth > kMaxDepth)
            fail(
                QStringLiteral("values nested more than %1 deep: not a state dict").arg(kMaxDepth));
        container->depth = std::max(container->depth, depth);
    }

    // --- stack -------------------------------------------------------------------------
    void push(Value* value) {
        if (stack_.size() >= kMaxValues)
            fail(QStringLiteral("the stack holds more than %1 values").arg(kMaxValues));
        stack_.push_back(value);
    }
    Value* pop() {
        if (stack_.size() <= stackFloor())
            fail(QStringLiteral("stack underflow"));
        Value* value = stack_.back();
        stack_.pop_back();
        return value;
    }
    Value* top() {
        if (stack_.size() <= stackFloor())
            fail(QStringLiteral("stack underflow"));
        return stack_.back();
    }
    std::size_t stackFloor() const { return marks_.empty() ? 0 : marks_.back(); }
    /// Pops everything above the last mark, and the mark.
    std::vector<Value*> popToMark() {
        if (marks_.empty())
            fail(QStringLiteral("no mark on the stack"));
        const std::size_t mark = marks_.back();
        marks_.pop_back();
        std::vector<Value*> values(stack_.begin() + static_cast<std::ptrdiff_t>(mark),
                                   stack_.end());
        stack_.resize(mark);
        return values;
    }
    Value* tupleOf(std::vector<Value*> items) {
        Value* tuple = make(Kind::Tuple);
        for (Value* item : items)
            adopt(tuple, item);
        tuple->items = std::move(items);
        return tuple;
    }

    // --- operations --------------------------------------------------------------------
    void memoPut(std::uint64_t index) {
        Value* value = top();
        if (memo_.size() >= kMaxValues && memo_.find(index) == memo_.end())
            fail(QStringLiteral("more than %1 memo entries").arg(kMaxValues));
        memo_[index] = value;
    }
    void memoGet(std::uint64_t index) {
        const auto it = memo_.find(index);
        if (it == memo_.end())
            fail(QStringLiteral("memo entry %1 is used before it is set").arg(index));
        push(it->second);
    }
    void setItem(Value* dict, Value* key, Value* value) {
        if (dict->kind != Kind::Dict)
            fail(QStringLiteral("SETITEM on %1 instead of a dict").arg(kindName(dict->kind)));
        adopt(dict, key);
        adopt(dict, value);
        if (key->kind == Kind::String) {
            for (auto& pair : dict->pairs) {
                if (pair.first->kind == Kind::String && pair.first->text == key->text) {
                    pair.second = value; // as in Python: the last assignment wins
                    return;
                }
            }
        }
        dict->pairs.emplace_back(key, value);
    }
    void append(Value* list, Value* item) {
        if (list->kind != Kind::List)
            fail(QStringLiteral("APPEND on %1 instead of a list").arg(kindName(list->kind)));
        adopt(list, item);
        list->items.push_back(item);
    }
    Value* global(const std::string& module, const std::string& name);
    Value* reduce(Value* callable, Value* arguments);
    Value* persistentLoad(Value* id);
    void build(Value* object, Value* state);
    Value* rebuildTensor(const std::vector<Value*>& arguments, bool version2);

    std::int64_t intArgument(const Value* value, const char* what) {
        if (value->kind == Kind::Int)
            return value->integer;
        if (value->kind == Kind::Bool)
            return value->boolean ? 1 : 0;
        fail(QStringLiteral("%1 must be an int, not %2")
                 .arg(QLatin1String(what), kindName(value->kind)));
    }
    std::vector<std::int64_t> intTuple(const Value* value, const char* what) {
        if (value->kind != Kind::Tuple && value->kind != Kind::List)
            fail(QStringLiteral("%1 must be a tuple, not %2")
                     .arg(QLatin1String(what), kindName(value->kind)));
        if (value->items.size() > kMaxDimensions)
            fail(QStringLiteral("%1 has %2 dimensions")
                     .arg(QLatin1String(what))
                     .arg(value->items.size()));
        std::vector<std::int64_t> numbers;
        for (const Value* item : value->items)
            numbers.push_back(intArgument(item, what));
        return numbers;
    }

    PickledStateDict collect(Value* root);

    const unsigned char* data_;
    std::size_t size_;
    std::size_t position_ = 0;
    std::size_t opcodeOffset_ = 0;
    // A deque keeps addresses stable and frees everything at once, without recursion.
    std::deque<Value> arena_;
    std::vector<Value*> stack_;
    std::vector<std::size_t> marks_;
    std::unordered_map<std::uint64_t, Value*> memo_;
    std::unordered_map<std::string, std::size_t> storageByKey_;
    PickledStateDict result_;
};

Value* Machine::global(const std::string& module, const std::string& name) {
    Value* value = make(Kind::Global);
    value->text = module + '.' + name;
    if (module == "collections" && name == "OrderedDict") {
        value->callable = Callable::OrderedDict;
    } else if (module == "torch._utils" && name == "_rebuild_tensor_v2") {
        value->callable = Callable::RebuildTensorV2;
    } else if (module == "torch._utils" && name == "_rebuild_tensor") {
        value->callable = Callable::RebuildTensor;
    } else if (module == "torch._utils" && name == "_rebuild_parameter") {
        value->callable = Callable::RebuildParameter;
    } else if (module == "torch") {
        static const std::pair<const char*, StorageType> storages[] = {
            {"FloatStorage", StorageType::Float}, {"DoubleStorage", StorageType::Double},
            {"HalfStorage", StorageType::Half},   {"BFloat16Storage", StorageType::BFloat16},
            {"LongStorage", StorageType::Long},   {"IntStorage", StorageType::Int},
            {"ShortStorage", StorageType::Short}, {"CharStorage", StorageType::Char},
            {"ByteStorage", StorageType::Byte},   {"BoolStorage", StorageType::Bool}};
        bool found = false;
        for (const auto& [storageName, type] : storages) {
            if (name == storageName) {
                value->callable = Callable::Storage;
                value->storageType = type;
                found = true;
            }
        }
        if (!found)
            fail(QStringLiteral("global 'torch.%1' is not allowed in a weights file")
                     .arg(QString::fromStdString(name)));
    } else {
        // Limit the echoed name: it comes from the file.
        fail(QStringLiteral("global '%1' is not allowed in a weights file (only "
                            "collections.OrderedDict, torch._utils._rebuild_tensor_v2 / "
                            "_rebuild_parameter and torch.*Storage may appear in a state dict)")
                 .arg(QString::fromStdString(value->text).left(200)));
    }
    return value;
}

Value* Machine::reduce(Value* callable, Value* arguments) {
    if (callable->kind != Kind::Global)
        fail(QStringLiteral("REDUCE calls %1").arg(kindName(callable->kind)));
    if (arguments->kind != Kind::Tuple)
        fail(QStringLiteral("REDUCE arguments are %1, not a tuple").arg(kindName(arguments->kind)));
    const std::vector<Value*>& args = arguments->items;
    switch (callable->callable) {
    case Callable::OrderedDict:
        if (!args.empty())
            fail(QStringLiteral("collections.OrderedDict called with arguments"));
        return make(Kind::Dict);
    case Callable::RebuildTensorV2:
        return rebuildTensor(args, true);
    case Callable::RebuildTensor:
        return rebuildTensor(args, false);
    case Callable::RebuildParameter:
        if (args.size() != 3 || args[0]->kind != Kind::Tensor)
            fail(QStringLiteral("torch._utils._rebuild_parameter needs (tensor, "
                                "requires_grad, hooks)"));
        args[0]->tensor.requiresGrad = intArgument(args[1], "requires_grad") != 0;
        return args[0];
    case Callable::Storage:
        break;
    }
    fail(QStringLiteral("'%1' cannot be called in a weights file")
             .arg(QString::fromStdString(callable->text)));
}

Value* Machine::rebuildTensor(const std::vector<Value*>& args, bool version2) {
    const char* function =
        version2 ? "torch._utils._rebuild_tensor_v2" : "torch._utils._rebuild_tensor";
    if (version2 ? (args.size() < 6 || args.size() > 7) : args.size() != 4)
        fail(QStringLiteral("%1 called with %2 arguments")
                 .arg(QLatin1String(function))
                 .arg(args.size()));
    if (args[0]->kind != Kind::Storage)
        fail(QStringLiteral("%1: the first argument is %2, not a storage")
                 .arg(QLatin1String(function), kindName(args[0]->kind)));
    Value* tensor = make(Kind::Tensor);
    TensorRecord& record = tensor->tensor;
    record.storage = args[0]->storage;
    record.storageOffset = intArgument(args[1], "storage_offset");
    record.sizes = intTuple(args[2], "size");
    record.strides = intTuple(args[3], "stride");
    if (version2)
        record.requiresGrad = intArgument(args[4], "requires_grad") != 0;
    if (record.sizes.size() != record.strides.size())
        fail(QStringLiteral("a tensor has %1 sizes but %2 strides")
                 .arg(record.sizes.size())
                 .arg(record.strides.size()));
    return tensor;
}

Value* Machine::persistentLoad(Value* id) {
    // torch.save writes ('storage', torch.FloatStorage, key, location, element count).
    if (id->kind != Kind::Tuple || id->items.size() != 5 || id->items[0]->kind != Kind::String ||
        id->items[0]->text != "storage")
        fail(QStringLiteral("unsupported persistent id (expected a 'storage' record)"));
    const Value* type = id->items[1];
    const Value* key = id->items[2];
    const Value* location = id->items[3];
    if (type->kind != Kind::Global || type->callable != Callable::Storage)
        fail(QStringLiteral("a storage record names %1 instead of a storage type")
                 .arg(kindName(type->kind)));
    if (key->kind != Kind::String || location->kind != Kind::String)
        fail(QStringLiteral("a storage record has a malformed key or location"));
    const std::int64_t count = intArgument(id->items[4], "storage size");
    if (count < 0)
        fail(QStringLiteral("storage '%1' has a negative size")
                 .arg(QString::fromStdString(key->text)));
    if (key->text.empty() || key->text.size() > 64)
        fail(QStringLiteral("a storage key must be 1 to 64 characters"));

    Value* storage = make(Kind::Storage);
    const auto known = storageByKey_.find(key->text);
    if (known != storageByKey_.end()) {
        const StorageRecord& record = result_.storages[known->second];
        if (record.type != type->storageType || record.elementCount != count)
            fail(QStringLiteral("storage '%1' is described twice, differently")
                     .arg(QString::fromStdString(key->text)));
        storage->storage = known->second;
    } else {
        StorageRecord record;
        record.type = type->storageType;
        record.key = key->text;
        record.location = location->text;
        record.elementCount = count;
        storage->storage = result_.storages.size();
        storageByKey_.emplace(key->text, storage->storage);
        result_.storages.push_back(std::move(record));
    }
    storage->storageType = type->storageType;
    return storage;
}

void Machine::build(Value* object, Value* state) {
    // The only BUILD a state dict has sets the OrderedDict's `_metadata` attribute (the
    // per-module version numbers). It is accepted and ignored.
    if (object->kind != Kind::Dict)
        fail(QStringLiteral("BUILD on %1: only an OrderedDict's attributes may be set")
                 .arg(kindName(object->kind)));
    auto checkAttributes = [&](const Value* attributes) {
        if (attributes->kind == Kind::None)
            return;
        if (attributes->kind != Kind::Dict)
            fail(QStringLiteral("BUILD with %1 as state").arg(kindName(attributes->kind)));
        for (const auto& [key, value] : attributes->pairs) {
            if (key->kind != Kind::String)
                fail(QStringLiteral("BUILD with a non-string attribute name"));
        }
    };
    if (state->kind == Kind::Tuple && state->items.size() == 2) {
        checkAttributes(state->items[0]);
        checkAttributes(state->items[1]);
    } else {
        checkAttributes(state);
    }
}

PickledStateDict Machine::run() {
    for (;;) {
        opcodeOffset_ = position_;
        const std::uint8_t opcode = u8();
        if (opcode == '.') // STOP
            return collect(pop());
        if (!stackOperation(opcode) && !memoOperation(opcode) && !scalarOperation(opcode) &&
            !stringOperation(opcode) && !containerOperation(opcode) && !objectOperation(opcode))
            refuse(opcode);
    }
}

bool Machine::stackOperation(std::uint8_t opcode) {
    switch (opcode) {
    case 0x80: { // PROTO
        const std::uint8_t protocol = u8();
        if (protocol > 5)
            fail(QStringLiteral("pickle protocol %1 is newer than 5").arg(protocol));
        return true;
    }
    case 0x95: // FRAME: a hint for buffered readers; the data follows inline
        unsignedLittleEndian(8);
        return true;
    case '(': // MARK
        if (marks_.size() >= kMaxValues)
            fail(QStringLiteral("too many marks"));
        marks_.push_back(stack_.size());
        return true;
    case '0': // POP
        pop();
        return true;
    case '1': // POP_MARK
        popToMark();
        return true;
    case '2': // DUP
        push(top());
        return true;
    default:
        return false;
    }
}

bool Machine::memoOperation(std::uint8_t opcode) {
    switch (opcode) {
    case 'q': // BINPUT
        memoPut(u8());
        return true;
    case 'r': // LONG_BINPUT
        memoPut(unsignedLittleEndian(4));
        return true;
    case 0x94: // MEMOIZE
        memoPut(memo_.size());
        return true;
    case 'h': // BINGET
        memoGet(u8());
        return true;
    case 'j': // LONG_BINGET
        memoGet(unsignedLittleEndian(4));
        return true;
    default:
        return false;
    }
}

bool Machine::scalarOperation(std::uint8_t opcode) {
    switch (opcode) {
    case 'N':
        push(make(Kind::None));
        return true;
    case 0x88:   // NEWTRUE
    case 0x89: { // NEWFALSE
        Value* value = make(Kind::Bool);
        value->boolean = opcode == 0x88;
        push(value);
        return true;
    }
    case 'J': // BININT: signed 32-bit
        push(makeInt(static_cast<std::int32_t>(unsignedLittleEndian(4))));
        return true;
    case 'K': // BININT1
        push(makeInt(u8()));
        return true;
    case 'M': // BININT2
        push(makeInt(static_cast<std::int64_t>(unsignedLittleEndian(2))));
        return true;
    case 0x8a: { // LONG1: little-endian two's complement of n bytes
        const std::uint8_t count = u8();
        if (count > 8)
            fail(QStringLiteral("an integer of %1 bytes is too large").arg(count));
        std::uint64_t bits = count ? unsignedLittleEndian(count) : 0;
        if (count > 0 && count < 8 && (bits >> (8 * count - 1)) & 1u)
            bits |= ~std::uint64_t{0} << (8 * count); // sign-extend
        push(makeInt(static_cast<std::int64_t>(bits)));
        return true;
    }
    case 'I': { // INT (protocol 0): "01"/"00" are True/False
        const std::string text = line();
        if (text == "01" || text == "00") {
            Value* value = make(Kind::Bool);
            value->boolean = text == "01";
            push(value);
        } else {
            bool ok = false;
            const qlonglong number = QString::fromStdString(text).toLongLong(&ok);
            if (!ok)
                fail(QStringLiteral("malformed INT"));
            push(makeInt(number));
        }
        return true;
    }
    case 'G': { // BINFLOAT: big-endian IEEE double
        need(8);
        std::uint64_t bits = 0;
        for (int i = 0; i < 8; ++i)
            bits = (bits << 8) | data_[position_ + i];
        position_ += 8;
        Value* value = make(Kind::Float);
        std::memcpy(&value->real, &bits, sizeof bits);
        push(value);
        return true;
    }
    default:
        return false;
    }
}

bool Machine::stringOperation(std::uint8_t opcode) {
    switch (opcode) {
    case 'X': // BINUNICODE
        push(makeString(Kind::String, bytes(unsignedLittleEndian(4))));
        return true;
    case 0x8c: // SHORT_BINUNICODE
        push(makeString(Kind::String, bytes(u8())));
        return true;
    case 0x8d: // BINUNICODE8
        push(makeString(Kind::String, bytes(unsignedLittleEndian(8))));
        return true;
    case 'T': { // BINSTRING (Python 2 str): signed 32-bit length
        const auto length = static_cast<std::int32_t>(unsignedLittleEndian(4));
        if (length < 0)
            fail(QStringLiteral("negative string length"));
        push(makeString(Kind::String, bytes(static_cast<std::uint64_t>(length))));
        return true;
    }
    case 'U': // SHORT_BINSTRING
        push(makeString(Kind::String, bytes(u8())));
        return true;
    case 'B': // BINBYTES
        push(makeString(Kind::Bytes, bytes(unsignedLittleEndian(4))));
        return true;
    case 'C': // SHORT_BINBYTES
        push(makeString(Kind::Bytes, bytes(u8())));
        return true;
    case 0x8e: // BINBYTES8
        push(makeString(Kind::Bytes, bytes(unsignedLittleEndian(8))));
        return true;
    default:
        return false;
    }
}

bool Machine::containerOperation(std::uint8_t opcode) {
    switch (opcode) {
    case ')': // EMPTY_TUPLE
        push(make(Kind::Tuple));
        return true;
    case 't': // TUPLE
        push(tupleOf(popToMark()));
        return true;
    case 0x85: { // TUPLE1
        Value* a = pop();
        push(tupleOf({a}));
        return true;
    }
    case 0x86: { // TUPLE2
        Value* b = pop();
        Value* a = pop();
        push(tupleOf({a, b}));
        return true;
    }
    case 0x87: { // TUPLE3
        Value* c = pop();
        Value* b = pop();
        Value* a = pop();
        push(tupleOf({a, b, c}));
        return true;
    }
    case ']': // EMPTY_LIST
        push(make(Kind::List));
        return true;
    case 'l': { // LIST
        std::vector<Value*> items = popToMark();
        Value* list = make(Kind::List);
        for (Value* item : items)
            append(list, item);
        push(list);
        return true;
    }
    case 'a': { // APPEND
        Value* item = pop();
        append(top(), item);
        return true;
    }
    case 'e': { // APPENDS
        std::vector<Value*> items = popToMark();
        Value* list = top();
        for (Value* item : items)
            append(list, item);
        return true;
    }
    case '}': // EMPTY_DICT
        push(make(Kind::Dict));
        return true;
    case 'd': { // DICT
        std::vector<Value*> items = popToMark();
        if (items.size() % 2 != 0)
            fail(QStringLiteral("DICT with an odd number of items"));
        Value* dict = make(Kind::Dict);
        for (std::size_t i = 0; i < items.size(); i += 2)
            setItem(dict, items[i], items[i + 1]);
        push(dict);
        return true;
    }
    case 's': { // SETITEM
        Value* value = pop();
        Value* key = pop();
        setItem(top(), key, value);
        return true;
    }
    case 'u': { // SETITEMS
        std::vector<Value*> items = popToMark();
        if (items.size() % 2 != 0)
            fail(QStringLiteral("SETITEMS with an odd number of items"));
        Value* dict = top();
        for (std::size_t i = 0; i < items.size(); i += 2)
            setItem(dict, items[i], items[i + 1]);
        return true;
    }
    default:
        return false;
    }
}

bool Machine::objectOperation(std::uint8_t opcode) {
    switch (opcode) {
    case 'c': { // GLOBAL "module\nname\n"
        const std::string module = line();
        const std::string name = line();
        push(global(module, name));
        return true;
    }
    case 0x93: { // STACK_GLOBAL
        Value* name = pop();
        Value* module = pop();
        if (module->kind != Kind::String || name->kind != Kind::String)
            fail(QStringLiteral("STACK_GLOBAL needs two strings"));
        push(global(module->text, name->text));
        return true;
    }
    case 'R': { // REDUCE
        Value* arguments = pop();
        Value* callable = pop();
        push(reduce(callable, arguments));
        return true;
    }
    case 0x81: { // NEWOBJ: cls.__new__(cls, *args)
        Value* arguments = pop();
        Value* cls = pop();
        if (cls->kind != Kind::Global || cls->callable != Callable::OrderedDict)
            fail(QStringLiteral("NEWOBJ is only allowed for collections.OrderedDict"));
        push(reduce(cls, arguments));
        return true;
    }
    case 'Q': { // BINPERSID
        Value* id = pop();
        push(persistentLoad(id));
        return true;
    }
    case 'b': { // BUILD
        Value* state = pop();
        build(top(), state);
        return true;
    }
    default:
        return false;
    }
}

void Machine::refuse(std::uint8_t opcode) const {
    switch (opcode) {
    case 'i':
    case 'o':
    case 0x92:
        fail(QStringLiteral("opcode 0x%1 instantiates an arbitrary class: refused")
                 .arg(opcode, 2, 16, QLatin1Char('0')));
    case 0x82:
    case 0x83:
    case 0x84:
        fail(QStringLiteral("extension-registry opcode 0x%1 refused")
                 .arg(opcode, 2, 16, QLatin1Char('0')));
    default:
        fail(QStringLiteral("opcode 0x%1 is not supported in a weights file")
                 .arg(opcode, 2, 16, QLatin1Char('0')));
    }
}

PickledStateDict Machine::collect(Value* root) {
    if (root->kind != Kind::Dict)
        fail(QStringLiteral("the file holds %1, not a state dict (a dict of tensors)")
                 .arg(kindName(root->kind)));
    auto isTensorDict = [](const Value* dict) {
        if (dict->kind != Kind::Dict || dict->pairs.empty())
            return false;
        for (const auto& [key, value] : dict->pairs) {
            if (key->kind != Kind::String || value->kind != Kind::Tensor)
                return false;
        }
        return true;
    };
    const Value* tensors = root;
    if (!isTensorDict(root) && !root->pairs.empty()) {
        // A training checkpoint: {"state_dict": {...}, "epoch": 3, ...}.
        for (const char* name : {"state_dict", "model_state_dict", "model"}) {
            for (const auto& [key, value] : root->pairs) {
                if (tensors == root && key->kind == Kind::String && key->text == name &&
                    isTensorDict(value))
                    tensors = value;
            }
        }
    }
    if (tensors == root && !root->pairs.empty()) {
        for (const auto& [key, value] : root->pairs) {
            if (key->kind != Kind::String)
                fail(QStringLiteral("a dict key is %1, not a parameter name")
                         .arg(kindName(key->kind)));
            if (value->kind != Kind::Tensor) {
                fail(QStringLiteral("entry '%1' is %2, not a tensor: this is not a state dict")
                         .arg(QString::fromStdString(key->text).left(200), kindName(value->kind)));
            }
        }
    }
    for (const auto& [key, value] : tensors->pairs)
        result_.tensors.emplace_back(key->text, value->tensor);
    return std::move(result_);
}

} // namespace

std::optional<PickledStateDict> unpickleStateDict(const unsigned char* data, std::size_t size,
                                                  QString* error) {
    try {
        Machine machine(data, size);
        return machine.run();
    } catch (const PickleError& failure) {
        if (error)
            *error = QString::fromStdString(failure.what());
    } catch (const std::bad_alloc&) {
        if (error)
            *error = QStringLiteral("out of memory while reading the pickle");
    }
    return std::nullopt;
}

} // namespace tc::nn
