"""Reference output shapes from PyTorch/torchvision for tst_shapeinference.

Reads a JSON list of cases on stdin and prints a JSON list of results (one per case):
  {"kind": "conv", "size": [H, W], "kernel": k, "stride": s, "padding": p}
      -> [H', W'] of torch.nn.Conv2d, or null when PyTorch rejects the input
  {"kind": "maxpool", ...same keys...}
      -> [H', W'] of torch.nn.MaxPool2d, or null
  {"kind": "resnet", "variant": "50", "size": [H, W]}
      -> shape of torchvision's ResNet feature map (before avgpool) without the batch
         dimension, e.g. [2048, 7, 7]
  {"kind": "features", "variant": "152"}
      -> [fc.in_features]
"""

import json
import sys

import torch
import torchvision


def feature_map(model, x):
    x = model.maxpool(model.relu(model.bn1(model.conv1(x))))
    x = model.layer4(model.layer3(model.layer2(model.layer1(x))))
    return list(x.shape[1:])


def skip_weight_init():
    """Only shapes matter here; random initialisation of ResNet152 alone takes over a second."""
    for name in ("kaiming_normal_", "constant_", "uniform_", "normal_", "zeros_", "ones_"):
        setattr(torch.nn.init, name, lambda tensor, *args, **kwargs: tensor)


def main():
    torch.set_num_threads(2)
    skip_weight_init()
    cases = json.load(sys.stdin)
    models = {}
    results = []
    with torch.no_grad():
        for case in cases:
            kind = case["kind"]
            if kind in ("conv", "maxpool"):
                h, w = case["size"]
                k, s, p = case["kernel"], case["stride"], case["padding"]
                layer = (torch.nn.Conv2d(1, 1, k, stride=s, padding=p) if kind == "conv"
                         else torch.nn.MaxPool2d(k, stride=s, padding=p))
                try:
                    out = layer(torch.zeros(1, 1, h, w))
                    results.append(list(out.shape[2:]))
                except RuntimeError:
                    results.append(None)
            elif kind == "resnet":
                variant = case["variant"]
                if variant not in models:
                    models[variant] = getattr(torchvision.models, "resnet" + variant)().eval()
                h, w = case["size"]
                results.append(feature_map(models[variant], torch.zeros(1, 3, h, w)))
            elif kind == "features":
                model = getattr(torchvision.models, "resnet" + case["variant"])()
                results.append([model.fc.in_features])
            else:
                results.append(None)
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
