#!/usr/bin/python3
"""Runs a TorchScript model exported by TorchCanvas the way a Python user would.

Usage: torchscript_predict.py MODEL.pt IMAGE...

Loads MODEL with torch.jit.load (reading the torchcanvas.json extra file), then classifies
each image:
  * deployable form (with_preprocessing): cv2.imread → RGB uint8 → model(pixels);
  * bare form: the documented preprocessing (tests/tools/reference_batch.py, docs/DATA.md) with
    the model's own settings → model(float32 NCHW).
Prints JSON: the model's attributes and metadata and, per image, its probabilities.
"""
import json
import os
import sys

import cv2
import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference_batch import load  # noqa: E402


def main():
    path, images = sys.argv[1], sys.argv[2:]
    extra = {"torchcanvas.json": ""}
    model = torch.jit.load(path, _extra_files=extra)
    model.eval()
    meta = json.loads(extra["torchcanvas.json"])
    pre = meta["preprocessing"]
    predictions = []
    with torch.no_grad():
        for image in images:
            if model.with_preprocessing:
                bgr = cv2.imread(image, cv2.IMREAD_COLOR)
                rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
                probabilities = model(torch.from_numpy(rgb))
            else:
                x = load(image, pre["width"], pre["height"], pre["resize"], pre["normalization"])
                batch = torch.from_numpy(np.ascontiguousarray(x.transpose(2, 0, 1)))[None]
                probabilities = model(batch)
            predictions.append({"image": image, "probabilities": probabilities[0].tolist()})
    print(json.dumps({
        "torch": torch.__version__,
        "class_names": list(model.class_names),
        "input_shape": list(model.input_shape),
        "mean": list(model.mean),
        "std": list(model.std),
        "with_preprocessing": bool(model.with_preprocessing),
        "torchcanvas_version": model.torchcanvas_version,
        "metadata": meta,
        "predictions": predictions,
    }))


if __name__ == "__main__":
    main()
