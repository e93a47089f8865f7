#!/usr/bin/python3
"""Python peer of the fine-tuning benchmark (issue 17, docs/BENCHMARKS.md "Fine-tuning").

A ResNet50 fine-tuned the way a PyTorch user would: torchvision resnet50 with the given weights,
fc replaced by the seed project's head (Linear 2048->128 ReLU -> 128->64 ReLU -> 64->2),
`--trainable last1` (layer4 and the head train, the rest frozen in eval mode) or `all`,
channels_last model and inputs, Adam 1e-3, cross-entropy with balanced class weights, batch 32,
a DataLoader (num_workers=2) with the cv2 preprocessing of seed_job_peer.py, fp32.

Trains `--epochs` epochs on the images of a `path,class` list (dump_split's train.csv) and
prints one JSON object with images/s of each epoch (training only, as TorchCanvas's
report.json "trainingImagesPerSecond").
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch  # noqa: E402
from torch import nn  # noqa: E402
from torch.utils.data import DataLoader  # noqa: E402

from seed_job_peer import ImageList, class_weights, head, read_list  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--train", required=True, help="path,class list")
    parser.add_argument("--weights", required=True)
    parser.add_argument("--trainable", choices=["last1", "all"], required=True)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(42)

    paths, labels = read_list(args.train)
    model = __import__("torchvision").models.resnet50()
    model.load_state_dict(torch.load(args.weights, map_location="cpu"))
    model.fc = head()
    frozen = [] if args.trainable == "all" else [model.conv1, model.bn1, model.layer1,
                                                  model.layer2, model.layer3]
    for module in frozen:
        for p in module.parameters():
            p.requires_grad_(False)
    model = model.to(memory_format=torch.channels_last)
    optimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=1e-3)
    loss_fn = nn.CrossEntropyLoss(weight=class_weights(labels))
    loader = DataLoader(ImageList(paths, labels), batch_size=32, shuffle=True, num_workers=2,
                        persistent_workers=True)
    epochs = []
    for _ in range(args.epochs):
        model.train()
        for module in frozen:
            module.eval()  # frozen batch norms keep their statistics
        start = time.perf_counter()
        seen = 0
        for images, target in loader:
            images = images.contiguous(memory_format=torch.channels_last)
            optimizer.zero_grad()
            loss = loss_fn(model(images), target)
            loss.backward()
            optimizer.step()
            seen += len(target)
        seconds = time.perf_counter() - start
        epochs.append({"seconds": seconds, "images": seen, "imagesPerSecond": seen / seconds})
    print(json.dumps({"trainable": args.trainable, "epochs": epochs}))


if __name__ == "__main__":
    main()
