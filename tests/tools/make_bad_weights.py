#!/usr/bin/python3
"""Weight files for TorchCanvas's reader tests: real torch.save outputs of the wrong kind,
hand-crafted checkpoints with hostile pickles or inconsistent storages, and broken
.safetensors files.

  make_bad_weights.py OUTDIR

writes the files and OUTDIR/manifest.json: a list of
  {"file": name, "error": substring the reader's message must contain}     (must fail)
  {"file": name, "error": null, "tensors": {name: {"shape": [...], "values": [...]}}}
                                                                            (must load)
"""
import collections
import io
import json
import os
import pickle
import struct
import sys
import zipfile

import torch


class Evil:
    def __init__(self, function, argument):
        self.function, self.argument = function, argument

    def __reduce__(self):
        return (self.function, (self.argument,))


class FakeStorage:
    def __init__(self, key, count, kind=torch.FloatStorage):
        self.key, self.count, self.kind = key, count, kind


class FakeTensor:
    def __init__(self, storage, offset, size, stride):
        self.storage, self.offset, self.size, self.stride = storage, offset, size, stride

    def __reduce__(self):
        return (torch._utils._rebuild_tensor_v2,
                (self.storage, self.offset, tuple(self.size), tuple(self.stride), False,
                 collections.OrderedDict()))


class CheckpointPickler(pickle.Pickler):
    def persistent_id(self, obj):
        if isinstance(obj, FakeStorage):
            return ("storage", obj.kind, obj.key, "cpu", obj.count)
        return None


def crafted(path, root, storages, byteorder=None, compress=False, pickle_bytes=None):
    """Writes a torch.save-like zip: archive/data.pkl, archive/data/<key>, archive/version."""
    if pickle_bytes is None:
        buffer = io.BytesIO()
        CheckpointPickler(buffer, protocol=2).dump(root)
        pickle_bytes = buffer.getvalue()
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zipfile.ZipFile(path, "w", compression=method) as archive:
        archive.writestr("archive/data.pkl", pickle_bytes)
        if byteorder:
            archive.writestr("archive/byteorder", byteorder)
        for key, data in storages.items():
            archive.writestr(f"archive/data/{key}", data)
        archive.writestr("archive/version", "3\n")


def floats(values):
    return struct.pack(f"<{len(values)}f", *values)


def safetensors(path, header, data):
    raw = json.dumps(header).encode()
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)) + raw + data)


def main(outdir):
    os.makedirs(outdir, exist_ok=True)
    manifest = []

    def fail(name, error):
        manifest.append({"file": name, "error": error})

    def path(name):
        return os.path.join(outdir, name)

    small = collections.OrderedDict(a=torch.arange(6, dtype=torch.float32).reshape(2, 3))

    # Real torch.save files that are not state dicts, or not in the supported format.
    torch.save({"w": Evil(os.system, "echo pwned")}, path("evil_system.pth"))
    fail("evil_system.pth", "system' is not allowed")
    torch.save({"w": Evil(eval, "1+1")}, path("evil_eval.pth"))
    fail("evil_eval.pth", "eval' is not allowed")
    torch.save(small, path("legacy.pth"), _use_new_zipfile_serialization=False)
    fail("legacy.pth", "legacy")
    torch.save([1, 2, 3], path("list.pth"))
    fail("list.pth", "a list, not a state dict")
    torch.save(torch.zeros(3), path("tensor.pth"))
    fail("tensor.pth", "a tensor, not a state dict")
    torch.save({"a": torch.zeros(2), "epoch": 3}, path("mixed.pth"))
    fail("mixed.pth", "entry 'epoch' is an int")
    with open(path("not_zip.pth"), "wb") as f:
        f.write(b"hello, this is not a checkpoint\n" * 4)
    fail("not_zip.pth", "not a weights file TorchCanvas knows")
    open(path("empty.pth"), "wb").close()
    fail("empty.pth", "the file is empty")
    with zipfile.ZipFile(path("no_pickle.pth"), "w") as archive:
        archive.writestr("archive/version", "3\n")
    fail("no_pickle.pth", "without data.pkl")

    # A training checkpoint holding the state dict: accepted.
    torch.save({"state_dict": small, "epoch": 3}, path("checkpoint.pth"))
    manifest.append({"file": "checkpoint.pth", "error": None,
                     "tensors": {"a": {"shape": [2, 3], "values": list(range(6))}}})

    # Hand-made checkpoints: a strided view at an offset loads…
    storage = FakeStorage("0", 7)
    crafted(path("strided.pth"),
            collections.OrderedDict(t=FakeTensor(storage, 1, [3, 2], [1, 3])),
            {"0": floats([10, 11, 12, 13, 14, 15, 16])})
    manifest.append({"file": "strided.pth", "error": None,
                     "tensors": {"t": {"shape": [3, 2], "values": [11, 14, 12, 15, 13, 16]}}})
    # … and every inconsistency is refused.
    ten = {"0": floats(range(10))}
    crafted(path("huge_size.pth"), {"t": FakeTensor(FakeStorage("0", 10), 0, [1 << 40], [1])}, ten)
    fail("huge_size.pth", "does not fit its storage")
    crafted(path("bad_offset.pth"), {"t": FakeTensor(FakeStorage("0", 10), 1000, [2], [1])}, ten)
    fail("bad_offset.pth", "does not fit its storage")
    crafted(path("negative_stride.pth"), {"t": FakeTensor(FakeStorage("0", 10), 9, [2], [-1])}, ten)
    fail("negative_stride.pth", "negative")
    crafted(path("overflow.pth"),
            {"t": FakeTensor(FakeStorage("0", 10), 0, [1 << 62, 1 << 62], [1, 1])}, ten)
    fail("overflow.pth", "overflow")
    crafted(path("huge_storage.pth"), {"t": FakeTensor(FakeStorage("0", 1 << 50), 0, [2], [1])}, ten)
    fail("huge_storage.pth", "should hold")
    crafted(path("missing_storage.pth"), {"t": FakeTensor(FakeStorage("7", 10), 0, [2], [1])}, ten)
    fail("missing_storage.pth", "is missing")
    crafted(path("big_endian.pth"), {"t": FakeTensor(FakeStorage("0", 10), 0, [2], [1])}, ten,
            byteorder="big")
    fail("big_endian.pth", "big-endian")
    crafted(path("deflated.pth"), {"t": FakeTensor(FakeStorage("0", 10), 0, [2], [1])}, ten,
            compress=True)
    fail("deflated.pth", "compressed (deflate)")
    crafted(path("conflicting_storage.pth"),
            {"a": FakeTensor(FakeStorage("0", 10), 0, [2], [1]),
             "b": FakeTensor(FakeStorage("0", 5), 0, [2], [1])}, ten)
    fail("conflicting_storage.pth", "described twice")
    # Raw pickles: an unknown opcode, an instantiating opcode, a deep nest, a missing STOP.
    crafted(path("bad_opcode.pth"), None, ten, pickle_bytes=b"\x80\x02}q\x00\xff.")
    fail("bad_opcode.pth", "opcode 0xff is not supported")
    crafted(path("inst_opcode.pth"), None, ten, pickle_bytes=b"\x80\x02(i__main__\nX\n.")
    fail("inst_opcode.pth", "instantiates an arbitrary class")
    crafted(path("deep.pth"), None, ten, pickle_bytes=b"\x80\x02" + b"]" * 100000 + b"a" * 99999 + b".")
    fail("deep.pth", "nested more than")
    crafted(path("no_stop.pth"), None, ten, pickle_bytes=b"\x80\x02}q\x00")
    fail("no_stop.pth", "truncated")
    crafted(path("memo_missing.pth"), None, ten, pickle_bytes=b"\x80\x02h\x05.")
    fail("memo_missing.pth", "memo entry 5")
    crafted(path("long_string.pth"), None, ten, pickle_bytes=b"\x80\x02X\xff\xff\xff\x7fabc.")
    fail("long_string.pth", "runs past the end")

    # .safetensors
    good = floats([1, 2, 3, 4])
    header = {"x": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]},
              "__metadata__": {"format": "pt"}}
    safetensors(path("ok.safetensors"), header, good)
    manifest.append({"file": "ok.safetensors", "error": None,
                     "tensors": {"x": {"shape": [2, 2], "values": [1, 2, 3, 4]}}})
    with open(path("huge_header.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", 1 << 60) + b"{}")
    fail("huge_header.safetensors", "header claims")
    with open(path("bad_json.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", 11) + b'{"x": [1, 2')
    fail("bad_json.safetensors", "malformed JSON")
    safetensors(path("past_end.safetensors"),
                {"x": {"dtype": "F32", "shape": [4, 4], "data_offsets": [0, 64]}}, good)
    fail("past_end.safetensors", "run past the end")
    safetensors(path("bad_dtype.safetensors"),
                {"x": {"dtype": "F8_E4M3", "shape": [4], "data_offsets": [0, 4]}}, good)
    fail("bad_dtype.safetensors", "unsupported dtype")
    safetensors(path("size_mismatch.safetensors"),
                {"x": {"dtype": "F32", "shape": [3], "data_offsets": [0, 16]}}, good)
    fail("size_mismatch.safetensors", "needs 12 bytes")
    safetensors(path("overlap.safetensors"),
                {"x": {"dtype": "F32", "shape": [3], "data_offsets": [0, 12]},
                 "y": {"dtype": "F32", "shape": [2], "data_offsets": [8, 16]}}, good)
    fail("overlap.safetensors", "overlap")
    safetensors(path("negative.safetensors"),
                {"x": {"dtype": "F32", "shape": [-4], "data_offsets": [0, 16]}}, good)
    fail("negative.safetensors", "malformed shape")

    with open(os.path.join(outdir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
