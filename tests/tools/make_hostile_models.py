#!/usr/bin/python3
"""TorchScript files that run code, for the trust tests (tests/tst_trust.cpp).

Usage: make_hostile_models.py OUTDIR MARKER REAL_EXPORT
  MARKER       an existing file; each hostile module overwrites its first bytes when its
               code runs (torch.from_file with shared=True maps it writable), so an
               unchanged MARKER proves that none of the code ran
  REAL_EXPORT  a TorchScript file exported by TorchCanvas: its torchcanvas.json is copied
               into every file below, as an attacker would copy it
Writes into OUTDIR:
  setstate.pt   __setstate__ writes MARKER: runs on load, before any check of the module
  forward.pt    forward() writes MARKER
  loop.pt       forward() never returns
  tampered.pt   REAL_EXPORT with a byte of its code changed (a comment added)
  foreign.pt    an innocent torch.jit.script module without torchcanvas.json
"""
import os
import sys
import zipfile
from typing import Tuple

import torch


def marker_writer(marker):
    class WritesOnLoad(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = torch.nn.Parameter(torch.ones(2))
            self.marker = marker

        def forward(self, x):
            return x

        @torch.jit.export
        def __getstate__(self) -> Tuple[torch.Tensor, str, bool]:
            return (self.w, self.marker, self.training)

        @torch.jit.export
        def __setstate__(self, state: Tuple[torch.Tensor, str, bool]):
            written = torch.from_file(state[1], True, 4, dtype=torch.uint8)
            written.fill_(66)
            # Used, so that TorchScript cannot drop the write as dead code.
            self.w = state[0] + written.sum() * 0
            self.marker = state[1]
            self.training = state[2]

    class WritesOnForward(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.marker = marker

        def forward(self, x):
            written = torch.from_file(self.marker, True, 4, dtype=torch.uint8)
            written.fill_(65)
            return x + written.sum() * 0

    class NeverReturns(torch.nn.Module):
        def forward(self, x):
            while True:
                x = x + 1
            return x

    return WritesOnLoad(), WritesOnForward(), NeverReturns()


def main():
    out, marker, real = sys.argv[1], sys.argv[2], sys.argv[3]
    with zipfile.ZipFile(real) as archive:
        names = archive.namelist()
        metadata = archive.read(next(n for n in names if n.endswith("/extra/torchcanvas.json")))
        entries = [(info, archive.read(info.filename)) for info in archive.infolist()]
    extra = {"torchcanvas.json": metadata}
    for name, module in zip(("setstate.pt", "forward.pt", "loop.pt"), marker_writer(marker)):
        torch.jit.save(torch.jit.script(module), os.path.join(out, name), _extra_files=extra)

    with zipfile.ZipFile(os.path.join(out, "tampered.pt"), "w") as tampered:
        for info, data in entries:
            if info.filename.endswith(".py") and "/code/" in info.filename:
                data += b"\n# one more line\n"
            tampered.writestr(info, data)

    net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(3, 2))
    torch.jit.save(torch.jit.script(net), os.path.join(out, "foreign.pt"))


if __name__ == "__main__":
    main()
