#!/usr/bin/python3
"""Rebuilds a TorchCanvas safetensors export in plain PyTorch + torchvision and classifies
images with it: the proof that the weights (torchvision names) and the JSON configuration
are enough to use the model without TorchCanvas.

Usage: safetensors_model.py MODEL.safetensors IMAGE...
Reads the safetensors file by hand (no safetensors package needed), the configuration from
its "__metadata__" ("torchcanvas"), loads the backbone into torchvision's ResNet with
strict=True, preprocesses the images as docs/DATA.md says (tests/tools/reference_batch.py)
and prints JSON {"predictions": [{"image", "probabilities"}], "backbone_keys": n}.
"""
import json
import os
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F
import torchvision

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference_batch import load  # noqa: E402

DTYPES = {"F32": torch.float32, "F64": torch.float64, "F16": torch.float16,
          "BF16": torch.bfloat16, "I64": torch.int64, "I32": torch.int32, "U8": torch.uint8}


def read_safetensors(path):
    data = open(path, "rb").read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + length])
    metadata = header.pop("__metadata__", {})
    body = data[8 + length:]
    tensors = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        tensors[name] = torch.frombuffer(bytearray(body[begin:end]),
                                         dtype=DTYPES[info["dtype"]]).reshape(info["shape"])
    return tensors, metadata


def parameter(parameters, name, default=None):
    wanted = name.lower().replace("_", "")
    for key, value in parameters.items():
        if key.lower().replace("_", "") == wanted:
            return value
    return default


def activate(x, name, slope=0.01):
    name = (name or "none").lower()
    if name == "relu":
        return F.relu(x)
    if name in ("leaky_relu", "leakyrelu"):
        return F.leaky_relu(x, slope)
    if name == "gelu":
        return F.gelu(x)
    if name == "sigmoid":
        return torch.sigmoid(x)
    if name == "tanh":
        return torch.tanh(x)
    if name == "softmax":
        return torch.softmax(x, 1)
    return x


def batch_norm(x, tensors, prefix):
    return F.batch_norm(x, tensors[prefix + "running_mean"], tensors[prefix + "running_var"],
                        tensors[prefix + "weight"], tensors[prefix + "bias"], False, 0.0, 1e-5)


class Model(torch.nn.Module):
    """The component chain, eval semantics, ending in softmax(logits)."""

    def __init__(self, config, tensors):
        super().__init__()
        self.config, self.tensors, self.backbone = config, tensors, None
        first = config["components"][0]
        if first["type"].lower() == "resnet":
            variant = str(parameter(first["parameters"], "variant", "50")).lower()
            depth = variant.replace("resnet", "")
            self.backbone = getattr(torchvision.models, "resnet" + depth)()
            self.backbone.fc = torch.nn.Identity()
            state = {k[len("backbone."):]: v for k, v in tensors.items()
                     if k.startswith("backbone.")}
            self.backbone.load_state_dict(state, strict=True)
            self.backbone.eval()
            self.backbone_keys = len(state)

    def forward(self, x):
        components = self.config["components"]
        for i, component in enumerate(components):
            kind, p, prefix = component["type"].lower(), component["parameters"], component["prefix"]
            last = i == len(components) - 1
            t = self.tensors
            if kind == "resnet":
                b = self.backbone
                x = b.layer4(b.layer3(b.layer2(b.layer1(b.maxpool(b.relu(b.bn1(b.conv1(x))))))))
                pooling = str(parameter(p, "pooling", "avg")).lower()
                if pooling in ("avg", "average"):
                    x = torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)
                elif pooling == "max":
                    x = torch.amax(x, (2, 3))
            elif kind == "dense":
                x = torch.flatten(x, 1)
                x = F.linear(x, t[prefix + "linear.weight"], t[prefix + "linear.bias"])
                if prefix + "norm.weight" in t:
                    x = batch_norm(x, t, prefix + "norm.")
                activation = str(parameter(p, "activation", "none")).lower()
                if not (last and activation in ("softmax", "sigmoid")):
                    x = activate(x, activation)
            elif kind == "conv2d":
                k = int(parameter(p, "kernel_size", 3))
                padding = str(parameter(p, "padding", "same")).lower()
                pixels = k // 2 if padding == "same" else 0 if padding == "valid" else int(padding)
                x = F.conv2d(x, t[prefix + "conv.weight"], t.get(prefix + "conv.bias"),
                             int(parameter(p, "stride", 1)), pixels)
                x = activate(x, parameter(p, "activation", "none"))
            elif kind == "maxpool2d":
                k = int(parameter(p, "pool_size", 2))
                s = int(parameter(p, "stride", k))
                padding = str(parameter(p, "padding", "valid")).lower()
                pixels = 0
                if padding == "same":
                    ph = max(((x.shape[2] + s - 1) // s - 1) * s + k - x.shape[2], 0)
                    pw = max(((x.shape[3] + s - 1) // s - 1) * s + k - x.shape[3], 0)
                    x = F.pad(x, [pw // 2, pw - pw // 2, ph // 2, ph - ph // 2],
                              value=-float("inf"))
                elif padding != "valid":
                    pixels = int(padding)
                x = F.max_pool2d(x, k, s, pixels)
            elif kind == "globalavgpool":
                x = x.mean((2, 3))
            elif kind == "batchnorm":
                x = batch_norm(x, t, prefix + ("norm1d." if x.dim() == 2 else "norm2d."))
            elif kind == "flatten":
                x = torch.flatten(x, 1)
            elif kind == "dropout":
                pass
            else:
                raise SystemExit(f"unknown component {kind}")
        return torch.softmax(x, 1)


def main():
    path, images = sys.argv[1], sys.argv[2:]
    tensors, metadata = read_safetensors(path)
    config = json.loads(metadata["torchcanvas"])
    model = Model(config, tensors)
    pre = config["preprocessing"]
    predictions = []
    with torch.no_grad():
        for image in images:
            x = load(image, pre["width"], pre["height"], pre["resize"], pre["normalization"])
            batch = torch.from_numpy(np.ascontiguousarray(x.transpose(2, 0, 1)))[None]
            predictions.append({"image": image, "probabilities": model(batch)[0].tolist()})
    print(json.dumps({"predictions": predictions,
                      "backbone_keys": getattr(model, "backbone_keys", 0),
                      "classes": config["classes"]}))


if __name__ == "__main__":
    main()
