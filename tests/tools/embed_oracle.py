#!/usr/bin/python3
"""What `torchcanvas embed` must output, computed with cv2 and torchvision.

Usage: embed_oracle.py WEIGHTS.pth DEPTH WIDTH HEIGHT OUT.bin IMAGE...
Preprocesses each image as docs/DATA.md says (reference_batch.load: stretch, ImageNet
normalisation), runs torchvision's resnetDEPTH with the state dict in WEIGHTS.pth and its
classifier removed (global average pooling), and writes the [N, C] features as raw
little-endian float32 in the order given.
"""
import os
import sys

import numpy as np
import torch
import torchvision

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference_batch import load  # noqa: E402


def main():
    weights, depth, width, height, out = sys.argv[1:6]
    files = sys.argv[6:]
    model = getattr(torchvision.models, f"resnet{depth}")()
    model.load_state_dict(torch.load(weights))
    model.fc = torch.nn.Identity()
    model.eval()
    batch = np.stack([load(p, int(width), int(height), "stretch", "imagenet") for p in files])
    with torch.no_grad():
        features = model(torch.from_numpy(batch.transpose(0, 3, 1, 2).copy()))
    np.ascontiguousarray(features.numpy(), dtype="<f4").tofile(out)
    print(f"{len(files)} images, features {tuple(features.shape)}")


if __name__ == "__main__":
    main()
