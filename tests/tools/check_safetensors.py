#!/usr/bin/python3
"""Reads a .safetensors file independently of TorchCanvas (the format by hand, tensors with
torch) and prints {name: {"dtype": str, "shape": [...], "sum": float}} as JSON, plus
"__metadata__"; exits 1 with a message when the file breaks the format's rules."""
import json
import struct
import sys

import torch

DTYPES = {"F64": torch.float64, "F32": torch.float32, "F16": torch.float16,
          "BF16": torch.bfloat16, "I64": torch.int64, "I32": torch.int32, "I16": torch.int16,
          "I8": torch.int8, "U8": torch.uint8, "BOOL": torch.bool}


def main(path):
    data = open(path, "rb").read()
    (length,) = struct.unpack("<Q", data[:8])
    if (8 + length) % 8 != 0:
        print("data does not start 8-byte aligned", file=sys.stderr)
        return 1
    header = json.loads(data[8:8 + length])
    body = data[8 + length:]
    out = {"__metadata__": header.pop("__metadata__", {})}
    covered = 0
    for name, info in sorted(header.items(), key=lambda item: item[1]["data_offsets"][0]):
        begin, end = info["data_offsets"]
        if begin != covered:
            print(f"{name}: gap or overlap at {begin}", file=sys.stderr)
            return 1
        covered = end
        dtype = DTYPES[info["dtype"]]
        raw = bytearray(body[begin:end])
        tensor = torch.frombuffer(raw, dtype=dtype) if raw else torch.empty(0, dtype=dtype)
        tensor = tensor.reshape(info["shape"])
        out[name] = {"dtype": info["dtype"], "shape": info["shape"],
                     "sum": float(tensor.to(torch.float64).sum())}
    if covered != len(body):
        print("trailing bytes after the last tensor", file=sys.stderr)
        return 1
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
