#!/usr/bin/python3
"""Checks an ONNX model exported by TorchCanvas with the onnx package.

Usage: onnx_check.py MODEL.onnx
Runs onnx.checker.check_model (full check, with shape inference) and prints JSON: the opset,
the IR version, the op types used, the inputs and outputs with their shapes, and the metadata.
Exits non-zero with the checker's message when the model is invalid.
"""
import json
import sys

import onnx


def shape(value):
    dims = value.type.tensor_type.shape.dim
    return [d.dim_param if d.dim_param else d.dim_value for d in dims]


def main():
    model = onnx.load(sys.argv[1])
    try:
        onnx.checker.check_model(model, full_check=True)
    except onnx.checker.ValidationError as error:
        print(f"onnx.checker: {error}", file=sys.stderr)
        sys.exit(1)
    inferred = onnx.shape_inference.infer_shapes(model, strict_mode=True)
    print(json.dumps({
        "onnx": onnx.__version__,
        "ir_version": model.ir_version,
        "opset": [{"domain": o.domain, "version": o.version} for o in model.opset_import],
        "ops": sorted({n.op_type for n in model.graph.node}),
        "inputs": [{"name": i.name, "shape": shape(i)} for i in model.graph.input],
        "outputs": [{"name": o.name, "shape": shape(o)} for o in inferred.graph.output],
        "initializers": len(model.graph.initializer),
        "metadata": {p.key: p.value for p in model.metadata_props},
        "producer": model.producer_name,
    }))


if __name__ == "__main__":
    main()
