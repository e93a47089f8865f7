#!/usr/bin/python3
"""The Python peer of bench_gradcam: one Grad-CAM heatmap end to end with torchvision.

  gradcam_python.py make OUT.pth
      torchvision resnet50 (random init, seed 0) with fc = Linear(2048, 2), the logits spread
      about ±1, saved with torch.save(model.state_dict()).
  gradcam_python.py run PTH IMAGE [--size 224] [--iterations 5] [--threads 2]
                    [--variant hooks|layer4] [--npy MAP.npy]
      Per heatmap: cv2.imread, BGR → RGB, cv2.resize to size × size (INTER_AREA when
      shrinking in both directions, else INTER_LINEAR, as TorchCanvas), / 255, ImageNet
      normalisation, forward, backward, map, bilinear upsampling (align_corners=False),
      min-max normalisation. "hooks" is the usual recipe (a forward hook on layer4 and a
      tensor hook for its gradient, backward from the class logit through the whole network,
      parameters requiring grad as in a loaded model); "layer4" runs the stem and the stages
      under no_grad and differentiates from layer4's output only, as TorchCanvas does.
      Prints one JSON line like bench_gradcam's.
"""
import argparse
import json
import resource
import sys
import time

import cv2
import numpy as np
import torch
import torch.nn.functional as F
import torchvision

MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)


def build():
    model = torchvision.models.resnet50()
    model.fc = torch.nn.Linear(2048, 2)
    return model


def make(path):
    torch.manual_seed(0)
    model = build()
    model.eval()
    with torch.no_grad():
        spread = float(model(torch.randn(2, 3, 128, 128)).std())
        if spread > 1.0:
            model.fc.weight.div_(spread)
            model.fc.bias.div_(spread)
    torch.save(model.state_dict(), path)


def cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def load(image, size):
    bgr = cv2.imread(image, cv2.IMREAD_COLOR)
    rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    h, w = rgb.shape[:2]
    shrinking = size <= w and size <= h
    rgb = cv2.resize(rgb, (size, size),
                     interpolation=cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR)
    x = (rgb.astype(np.float32) / 255.0 - MEAN) / STD
    return torch.from_numpy(x.transpose(2, 0, 1).copy()).unsqueeze(0)


def finish(activations, gradient, size):
    with torch.no_grad():
        weights = gradient.mean(dim=(2, 3), keepdim=True)
        cam = torch.relu((weights * activations).sum(dim=1, keepdim=True))
        cam = F.interpolate(cam, size=(size, size), mode="bilinear", align_corners=False)[0, 0]
        low, high = cam.min(), cam.max()
        if float(high - low) > 0:
            return (cam - low) / (high - low)
        return torch.zeros_like(cam)


def gradcam_hooks(model, x, class_index):
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
    return logits.detach(), saved["activations"].detach(), saved["gradient"]


def gradcam_layer4(model, x, class_index):
    with torch.no_grad():
        a = model.maxpool(model.relu(model.bn1(model.conv1(x))))
        a = model.layer4(model.layer3(model.layer2(model.layer1(a))))
    a.requires_grad_(True)
    logits = model.fc(torch.flatten(model.avgpool(a), 1))
    gradient, = torch.autograd.grad(logits[0, class_index], a)
    return logits.detach(), a.detach(), gradient


def run(args):
    torch.set_num_threads(args.threads)
    model = build()
    model.load_state_dict(torch.load(args.pth))
    model.eval()
    method = gradcam_hooks if args.variant == "hooks" else gradcam_layer4

    def heatmap():
        logits, activations, gradient = method(model, load(args.image, args.size), 1)
        return torch.softmax(logits, 1)[0], finish(activations, gradient, args.size)

    heatmap()  # warm-up
    seconds, cpu = [], []
    for _ in range(args.iterations):
        cpu_start = cpu_seconds()
        start = time.perf_counter()
        probabilities, cam = heatmap()
        seconds.append(time.perf_counter() - start)
        cpu.append(cpu_seconds() - cpu_start)
    if args.npy:
        np.save(args.npy, cam.numpy().astype(np.float32))
    print(json.dumps({"program": f"torchvision-{args.variant}", "seconds": seconds,
                      "cpu_seconds": cpu, "probabilities": probabilities.tolist()}))


def main(argv):
    if len(argv) == 3 and argv[1] == "make":
        make(argv[2])
        return 0
    if len(argv) >= 4 and argv[1] == "run":
        parser = argparse.ArgumentParser()
        parser.add_argument("pth")
        parser.add_argument("image")
        parser.add_argument("--size", type=int, default=224)
        parser.add_argument("--iterations", type=int, default=5)
        parser.add_argument("--threads", type=int, default=2)
        parser.add_argument("--variant", choices=["hooks", "layer4"], default="hooks")
        parser.add_argument("--npy")
        run(parser.parse_args(argv[2:]))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
