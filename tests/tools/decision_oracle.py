#!/usr/bin/python3
"""Reads what TorchCanvas exports carry about their decision, the way a user without
TorchCanvas would (tests/tst_exportdecision.cpp).

  decision_oracle.py torchscript MODEL.pt CLASS IMAGE [IMAGE ...]
      torch.jit.load with _extra_files; prints JSON: {"attributes": {temperature,
      decision_threshold, decision_positive_class_index, decision_positive_class,
      decision_chosen_by, decision} (the ones that exist), "metadata": torchcanvas.json,
      "methods": [...], "images": [{image, probabilities, gradcam, gradcam_no_grad, shape,
      no_grad_restored}]}.
      forward() gets the uint8 RGB pixels cv2 decodes; gradcam(image, CLASS) is called
      normally and again under torch.no_grad() (it must switch grad mode on itself); the maps
      are flattened row-major.
  decision_oracle.py onnx MODEL.onnx
      onnx.load + onnx.checker; prints JSON: {"metadata": metadata_props, "ops": [op types],
      "temperature": the value of the "temperature" initializer or null}.
"""
import json
import sys

import cv2
import numpy as np
import torch

ATTRIBUTES = ["temperature", "decision_threshold", "decision_positive_class_index",
              "decision_positive_class", "decision_chosen_by", "decision"]


def torchscript(path, class_index, images):
    extra = {"torchcanvas.json": ""}
    module = torch.jit.load(path, _extra_files=extra)
    module.eval()
    attributes = {name: getattr(module, name) for name in ATTRIBUTES if hasattr(module, name)}
    methods = [name for name in ("forward", "classify", "features", "head", "gradcam")
               if hasattr(module, name)]
    results = []
    for image in images:
        bgr = cv2.imread(image, cv2.IMREAD_COLOR)
        pixels = torch.from_numpy(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB).copy())
        with torch.no_grad():
            probabilities = module(pixels)[0]
        entry = {"image": image, "probabilities": probabilities.double().tolist()}
        if "gradcam" in methods:
            maps = module.gradcam(pixels, class_index)
            with torch.no_grad():
                again = module.gradcam(pixels, class_index)
                # gradcam() restores the caller's grad mode.
                entry["no_grad_restored"] = not torch.is_grad_enabled()
            entry["shape"] = list(maps.shape)
            entry["gradcam"] = maps[0].double().flatten().tolist()
            entry["gradcam_no_grad"] = again[0].double().flatten().tolist()
        results.append(entry)
    print(json.dumps({"attributes": attributes, "metadata": json.loads(extra["torchcanvas.json"]),
                      "methods": methods, "images": results}))


def onnx_model(path):
    import onnx
    from onnx import numpy_helper
    model = onnx.load(path)
    onnx.checker.check_model(model)
    temperature = None
    for initializer in model.graph.initializer:
        if initializer.name == "temperature":
            temperature = float(numpy_helper.to_array(initializer).reshape(-1)[0])
    print(json.dumps({"metadata": {p.key: p.value for p in model.metadata_props},
                      "ops": [node.op_type for node in model.graph.node],
                      "temperature": temperature}))


def main(argv):
    torch.set_num_threads(2)
    if len(argv) >= 5 and argv[1] == "torchscript":
        torchscript(argv[2], int(argv[3]), argv[4:])
        return 0
    if len(argv) == 3 and argv[1] == "onnx":
        onnx_model(argv[2])
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
