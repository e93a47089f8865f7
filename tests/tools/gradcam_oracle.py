#!/usr/bin/python3
"""A Python Grad-CAM for TorchCanvas's explanation tests (torchvision + autograd hooks).

  gradcam_oracle.py make OUT.pth CLASSES SEED
      torchvision resnet50 whose fc is Linear(2048, 64) → ReLU → Linear(64, CLASSES), with
      random batch-norm statistics and affine parameters (so that using the wrong statistics
      changes the map), saved with torch.save(model.state_dict()) as torchvision publishes
      its weights. Keys: torchvision's, plus fc.0.* and fc.2.*.
  gradcam_oracle.py compare PTH CLASS IMAGE NPY [IMAGE NPY ...]
      Grad-CAM of class index CLASS for each IMAGE (8-bit, already at the network's input
      size: no resizing), by the standard definition: forward hook on layer4, gradient of the
      class logit with respect to its output, weights = spatial mean of the gradient,
      map = ReLU(sum of weights × activations), bilinear upsampling (align_corners=False) to
      the input size, min-max normalised to [0, 1]. Compares it with the .npy TorchCanvas
      wrote and prints JSON: {"results": [{image, npy, version, dtype, shape, pearson,
      max_abs_diff, range}]}.
"""
import json
import sys

import cv2
import numpy as np
import torch
import torch.nn.functional as F
import torchvision

MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)


def build(classes):
    model = torchvision.models.resnet50()
    model.fc = torch.nn.Sequential(
        torch.nn.Linear(2048, 64), torch.nn.ReLU(), torch.nn.Linear(64, classes))
    return model


def make(path, classes, seed):
    torch.manual_seed(seed)
    model = build(classes)
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                module.weight.uniform_(0.5, 1.5)
                module.bias.normal_(0.0, 0.1)
                module.running_mean.normal_(0.0, 0.1)
                module.running_var.uniform_(0.5, 1.5)
                module.num_batches_tracked.fill_(seed)
        # Deep random networks give huge logits; spread them about ±1.
        model.eval()
        spread = float(model(torch.randn(2, 3, 96, 96)).std())
        if spread > 1.0:
            model.fc[2].weight.div_(spread)
            model.fc[2].bias.div_(spread)
    torch.save(model.state_dict(), path)


def load_image(path):
    bgr = cv2.imread(path, cv2.IMREAD_COLOR)
    rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB).astype(np.float32) / 255.0
    x = (rgb - MEAN) / STD
    return torch.from_numpy(x.transpose(2, 0, 1).copy()).unsqueeze(0)


def gradcam(model, x, class_index):
    saved = {}

    def forward_hook(module, inputs, output):
        saved["activations"] = output
        output.register_hook(lambda grad: saved.__setitem__("gradient", grad))

    handle = model.layer4.register_forward_hook(forward_hook)
    try:
        model.zero_grad()
        logits = model(x)
        logits[0, class_index].backward()
    finally:
        handle.remove()
    with torch.no_grad():
        activations, gradient = saved["activations"], saved["gradient"]
        weights = gradient.mean(dim=(2, 3), keepdim=True)
        cam = torch.relu((weights * activations).sum(dim=1, keepdim=True))
        cam = F.interpolate(cam, size=x.shape[2:], mode="bilinear", align_corners=False)[0, 0]
        low, high = cam.min(), cam.max()
        if float(high - low) > 0:
            cam = (cam - low) / (high - low)
        else:
            cam = torch.zeros_like(cam)
    return cam.double().numpy()


def npy_version(path):
    with open(path, "rb") as f:
        head = f.read(8)
    if head[:6] != b"\x93NUMPY":
        return "not npy"
    return f"{head[6]}.{head[7]}"


def compare(pth, class_index, pairs):
    state = torch.load(pth)
    classes = state["fc.2.weight"].shape[0]
    model = build(classes)
    model.load_state_dict(state)
    model.eval()
    results = []
    for image, npy in pairs:
        expected = gradcam(model, load_image(image), class_index)
        actual = np.load(npy, allow_pickle=False)
        entry = {"image": image, "npy": npy, "version": npy_version(npy),
                 "dtype": str(actual.dtype), "shape": list(actual.shape),
                 "range": [float(expected.min()), float(expected.max())]}
        if actual.shape == expected.shape:
            a = actual.astype(np.float64).ravel()
            e = expected.ravel()
            entry["pearson"] = float(np.corrcoef(a, e)[0, 1])
            entry["max_abs_diff"] = float(np.abs(a - e).max())
        results.append(entry)
    print(json.dumps({"results": results}))


def main(argv):
    torch.set_num_threads(2)
    if argv[1] == "make":
        make(argv[2], int(argv[3]), int(argv[4]))
        return 0
    if argv[1] == "compare":
        rest = argv[4:]
        compare(argv[2], int(argv[3]), [(rest[i], rest[i + 1]) for i in range(0, len(rest), 2)])
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
