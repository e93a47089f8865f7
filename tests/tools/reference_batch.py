#!/usr/bin/python3
"""Reference implementation of TorchCanvas's image pipeline with cv2 and NumPy.

This is the Python side of docs/DATA.md: it loads images exactly as TorchCanvas does
(without augmentation) and writes the batch as raw little-endian float32, so that a test can
compare it with TorchCanvas's batch bit for bit.

Usage: reference_batch.py SPEC.json
  SPEC: {"width": 224, "height": 224, "resize": "stretch" | "shorter-side-crop",
         "normalization": "imagenet" | "none", "layout": "nchw" | "nhwc",
         "files": [...], "output": "batch.f32"}
"""
import json
import sys

import cv2
import numpy as np

IMAGENET_MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
IMAGENET_STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)


def is_jpeg(path):
    with open(path, "rb") as f:
        return f.read(3) == b"\xff\xd8\xff"


def jpeg_reduction(width, height, target_w, target_h):
    """Largest of 8, 4, 2 whose reduced shorter side still covers the target's longer side."""
    shorter, needed = min(width, height), max(target_w, target_h)
    for k in (8, 4, 2):
        if (shorter + k - 1) // k >= needed:
            return k
    return 1


def load(path, W, H, resize, normalization):
    img = cv2.imread(path, cv2.IMREAD_COLOR | cv2.IMREAD_ANYDEPTH)
    if img is None:
        raise RuntimeError(f"cannot decode {path}")
    if is_jpeg(path):
        k = jpeg_reduction(img.shape[1], img.shape[0], W, H)
        if k > 1:
            flag = {2: cv2.IMREAD_REDUCED_COLOR_2, 4: cv2.IMREAD_REDUCED_COLOR_4,
                    8: cv2.IMREAD_REDUCED_COLOR_8}[k]
            img = cv2.imread(path, flag)
    h, w = img.shape[:2]
    if resize == "stretch":
        size = (W, H)
    elif w * H >= h * W:  # wider than the target: match heights
        size = (max(W, (w * H + h // 2) // h), H)
    else:
        size = (W, max(H, (h * W + w // 2) // w))
    if size != (w, h):
        shrink = size[0] <= w and size[1] <= h
        img = cv2.resize(img, size, interpolation=cv2.INTER_AREA if shrink else cv2.INTER_LINEAR)
    x0, y0 = (size[0] - W) // 2, (size[1] - H) // 2
    img = img[y0:y0 + H, x0:x0 + W]
    img = cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
    scale = np.float32(255 if img.dtype == np.uint8 else 65535)
    x = img.astype(np.float32) / scale
    if normalization == "imagenet":
        x = (x - IMAGENET_MEAN) / IMAGENET_STD
    return x  # H x W x 3, float32


def main():
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    images = [load(p, spec["width"], spec["height"], spec["resize"], spec["normalization"])
              for p in spec["files"]]
    batch = np.stack(images)  # N H W C
    if spec.get("layout", "nchw") == "nchw":
        batch = batch.transpose(0, 3, 1, 2)
    np.ascontiguousarray(batch, dtype="<f4").tofile(spec["output"])
    print(f"{len(images)} images, {batch.shape}, cv2 {cv2.__version__}")


if __name__ == "__main__":
    main()
