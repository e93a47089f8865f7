#!/usr/bin/python3
"""Writes model files that TorchCanvas did not export, for the bad-input tests.

Usage: make_foreign_models.py OUTDIR
  foreign-script.pt      a TorchScript module (torch.jit.script of a small network)
  state-dict.pth         a state dict saved with torch.save (weights, not a model)
  legacy.pth             a state dict in the pre-1.6 torch.save format
  foreign.onnx           a valid ONNX model made with onnx.helper (no TorchCanvas metadata)
"""
import os
import sys

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper


def main():
    out = sys.argv[1]
    net = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.ReLU(), torch.nn.Flatten())
    torch.jit.save(torch.jit.script(net), os.path.join(out, "foreign-script.pt"))
    torch.save(net.state_dict(), os.path.join(out, "state-dict.pth"))
    torch.save(net.state_dict(), os.path.join(out, "legacy.pth"),
               _use_new_zipfile_serialization=False)
    weight = np.ones((2, 4), np.float32)
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["y"])], "foreign",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])],
        [numpy_helper.from_array(weight, "w")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(out, "foreign.onnx"))


if __name__ == "__main__":
    main()
