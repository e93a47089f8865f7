#!/usr/bin/python3
"""Runs an ONNX model exported by TorchCanvas the way an OpenCV user would.

Usage: onnx_predict.py MODEL.onnx IMAGE...

Checks the file with onnx.checker (full check), reads the preprocessing from its
"torchcanvas" metadata (the model configuration), preprocesses each image as docs/DATA.md says
(tests/tools/reference_batch.py) and runs it through cv2.dnn.readNetFromONNX.
Prints JSON {"ops": [...], "predictions": [{"image", "probabilities"}]}.
"""
import json
import os
import sys

import cv2
import numpy as np
import onnx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference_batch import load  # noqa: E402


def main():
    path, images = sys.argv[1], sys.argv[2:]
    model = onnx.load(path)
    try:
        onnx.checker.check_model(model, full_check=True)
    except onnx.checker.ValidationError as error:
        print(f"onnx.checker: {error}", file=sys.stderr)
        sys.exit(1)
    metadata = {p.key: p.value for p in model.metadata_props}
    pre = json.loads(metadata["torchcanvas"])["preprocessing"]
    net = cv2.dnn.readNetFromONNX(path)
    predictions = []
    for image in images:
        x = load(image, pre["width"], pre["height"], pre["resize"], pre["normalization"])
        batch = np.ascontiguousarray(x.transpose(2, 0, 1))[None].astype(np.float32)
        net.setInput(batch)
        probabilities = net.forward()
        predictions.append({"image": image, "probabilities": probabilities[0].tolist()})
    print(json.dumps({
        "opencv": cv2.__version__,
        "ops": sorted({n.op_type for n in model.graph.node}),
        "predictions": predictions,
    }))


if __name__ == "__main__":
    main()
