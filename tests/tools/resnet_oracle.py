#!/usr/bin/python3
"""Reference outputs from torchvision for TorchCanvas's network tests.

  resnet_oracle.py names OUT.json
      state_dict names and shapes of torchvision's ResNet 18/34/50/101/152.
  resnet_oracle.py make DEPTH OUTDIR [--seed S] [--batch N] [--height H] [--width W]
      builds torchvision.models.resnetDEPTH() with randomised batch-norm statistics (so
      that folding and loading are tested with non-trivial values), saves its state dict
      with torch.save (as torchvision publishes its weights) to OUTDIR/weights.pth, and
      writes raw little-endian float32 files in eval mode:
        input.bin      [N, 3, H, W] random input
        logits.bin     [N, 1000]    model(input)
        featuremap.bin [N, C, h, w] layer4's output
        avg.bin / max.bin [N, C]    global average / max pooling of it
      plus meta.json with the shapes.
"""
import json
import os
import sys

import torch
import torchvision


def build(depth, seed):
    torch.manual_seed(seed)
    model = getattr(torchvision.models, f"resnet{depth}")()
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                channels = module.num_features
                module.weight.uniform_(0.5, 1.5)
                module.bias.normal_(0.0, 0.1)
                module.running_mean.normal_(0.0, 0.1)
                module.running_var.uniform_(0.5, 1.5)
                module.num_batches_tracked.fill_(seed + channels)
    return model.eval()


def features(model, x):
    x = model.maxpool(model.relu(model.bn1(model.conv1(x))))
    x = model.layer4(model.layer3(model.layer2(model.layer1(x))))
    return x


def write(path, tensor):
    tensor.detach().to(torch.float32).contiguous().numpy().astype("<f4").tofile(path)


def main(argv):
    if argv[1] == "names":
        out = {}
        for depth in (18, 34, 50, 101, 152):
            model = getattr(torchvision.models, f"resnet{depth}")()
            out[str(depth)] = [[k, list(v.shape)] for k, v in model.state_dict().items()]
        with open(argv[2], "w") as f:
            json.dump(out, f)
        return 0
    if argv[1] == "make":
        depth, outdir = int(argv[2]), argv[3]
        options = dict(seed=1, batch=2, height=224, width=224)
        rest = argv[4:]
        for i in range(0, len(rest), 2):
            options[rest[i].lstrip("-")] = int(rest[i + 1])
        torch.set_num_threads(2)
        os.makedirs(outdir, exist_ok=True)
        model = build(depth, options["seed"])
        torch.save(model.state_dict(), os.path.join(outdir, "weights.pth"))
        torch.manual_seed(options["seed"] + 1000)
        x = torch.randn(options["batch"], 3, options["height"], options["width"])
        with torch.no_grad():
            logits = model(x)
            fmap = features(model, x)
        write(os.path.join(outdir, "input.bin"), x)
        write(os.path.join(outdir, "logits.bin"), logits)
        write(os.path.join(outdir, "featuremap.bin"), fmap)
        write(os.path.join(outdir, "avg.bin"), fmap.mean((2, 3)))
        write(os.path.join(outdir, "max.bin"), fmap.amax((2, 3)))
        with open(os.path.join(outdir, "meta.json"), "w") as f:
            json.dump({"input": list(x.shape), "logits": list(logits.shape),
                       "featuremap": list(fmap.shape)}, f)
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
