#!/usr/bin/python3
"""Python peer of the seed-job benchmark (issue 6, docs/BENCHMARKS.md "Seed job").

The seed job written the way a PyTorch user would: torchvision ResNet50 (frozen, eval, fc
removed) -> Linear 2048->128 ReLU -> Linear 128->64 ReLU -> Linear 64->2, Adam 1e-3,
cross-entropy with balanced class weights N / (C * n_c), batch 32, a torch DataLoader over the
split that TorchCanvas made (lists written by dump_split), cv2 preprocessing as in docs/DATA.md.

Modes:
  straightforward  fp32; the backbone runs on every batch of every epoch (train and
                   validation), DataLoader(num_workers=2).
  tuned            the backbone runs once per image (features cached in memory), in
                   channels_last with bf16 autocast when that is faster than fp32 here
                   (measured on a probe batch first), then the head trains on the cache.

Prints one JSON object: wall time, per-epoch times, images/s, peak RSS, accuracies.
"""

import argparse
import csv
import json
import os
import resource
import sys
import time

T0 = time.perf_counter()

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torchvision  # noqa: E402
from torch import nn  # noqa: E402
from torch.utils.data import DataLoader, Dataset, TensorDataset  # noqa: E402

MEAN = np.float32([0.485, 0.456, 0.406])
STD = np.float32([0.229, 0.224, 0.225])
SIZE = 224


def read_list(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    return [r["path"] for r in rows], [int(r["class"]) for r in rows]


class ImageList(Dataset):
    """docs/DATA.md preprocessing, "stretch" to 224x224, ImageNet normalisation."""

    def __init__(self, paths, labels):
        self.paths, self.labels = paths, labels

    def __len__(self):
        return len(self.paths)

    def __getitem__(self, i):
        img = cv2.imread(self.paths[i], cv2.IMREAD_COLOR | cv2.IMREAD_ANYDEPTH)
        if img is None:
            raise RuntimeError(f"{self.paths[i]}: cannot be decoded")
        h, w = img.shape[:2]
        if (w, h) != (SIZE, SIZE):
            shrink = SIZE <= w and SIZE <= h
            img = cv2.resize(img, (SIZE, SIZE),
                             interpolation=cv2.INTER_AREA if shrink else cv2.INTER_LINEAR)
        img = cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
        x = img.astype(np.float32) / np.float32(255 if img.dtype == np.uint8 else 65535)
        x = (x - MEAN) / STD
        return torch.from_numpy(np.ascontiguousarray(x.transpose(2, 0, 1))), self.labels[i]


def backbone(weights):
    model = torchvision.models.resnet50()
    model.load_state_dict(torch.load(weights, map_location="cpu"))
    model.fc = nn.Identity()
    for p in model.parameters():
        p.requires_grad_(False)
    return model.eval()


def head():
    return nn.Sequential(nn.Linear(2048, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(),
                         nn.Linear(64, 2))


def class_weights(labels, classes=2):
    counts = np.bincount(labels, minlength=classes).astype(np.float64)
    return torch.tensor([len(labels) / (classes * c) if c > 0 else 0.0 for c in counts],
                        dtype=torch.float32)


def peak_rss_mb():
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # Largest finished child (DataLoader workers); ru_maxrss of children is a maximum, not a sum.
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, child


def evaluate_logits(logits, labels):
    return float((logits.argmax(1) == labels).float().mean())


def run_straightforward(args, train, val, test):
    net = backbone(args.weights)
    clf = head()
    opt = torch.optim.Adam(clf.parameters(), lr=args.lr)
    loss_fn = nn.CrossEntropyLoss(weight=class_weights(train[1]))
    g = torch.Generator().manual_seed(args.seed)
    train_loader = DataLoader(ImageList(*train), batch_size=args.batch, shuffle=True,
                              num_workers=args.workers, generator=g, persistent_workers=True)
    val_loader = DataLoader(ImageList(*val), batch_size=args.batch, num_workers=args.workers,
                            persistent_workers=True)
    setup = time.perf_counter() - T0
    epochs, val_acc = [], None
    for epoch in range(args.epochs):
        start = time.perf_counter()
        clf.train()
        correct = seen = 0
        for x, y in train_loader:
            with torch.no_grad():
                f = net(x)
            out = clf(f)
            loss = loss_fn(out, y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            correct += int((out.argmax(1) == y).sum())
            seen += len(y)
        clf.eval()
        preds, ys = [], []
        with torch.no_grad():
            for x, y in val_loader:
                preds.append(clf(net(x)))
                ys.append(y)
        val_acc = evaluate_logits(torch.cat(preds), torch.cat(ys))
        epochs.append({"epoch": epoch + 1, "seconds": time.perf_counter() - start,
                       "train_accuracy": correct / seen, "val_accuracy": val_acc})
        print(f"straightforward epoch {epoch + 1}: {epochs[-1]['seconds']:.1f} s, "
              f"val acc {val_acc:.4f}", file=sys.stderr, flush=True)
    start = time.perf_counter()
    test_loader = DataLoader(ImageList(*test), batch_size=args.batch, num_workers=args.workers)
    with torch.no_grad():
        preds, ys = zip(*[(clf(net(x)), y) for x, y in test_loader])
    test_acc = evaluate_logits(torch.cat(preds), torch.cat(ys))
    test_seconds = time.perf_counter() - start
    return {"setup_seconds": setup, "epochs": epochs, "test_seconds": test_seconds,
            "val_accuracy": val_acc, "test_accuracy": test_acc, "precision": "fp32"}


def extract(net, dataset, args, bf16):
    loader = DataLoader(dataset, batch_size=args.batch, num_workers=args.workers)
    feats, labels = [], []
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
        for x, y in loader:
            feats.append(net(x.contiguous(memory_format=torch.channels_last)).float())
            labels.append(y)
    return torch.cat(feats), torch.cat(labels)


def run_tuned(args, train, val, test):
    net = backbone(args.weights).to(memory_format=torch.channels_last)
    # Pick the faster precision on this CPU: one warm-up and one timed batch of each.
    probe = torch.stack([ImageList(*train)[i][0] for i in range(args.batch)])
    probe = probe.contiguous(memory_format=torch.channels_last)
    timings = {}
    for name, bf16 in (("fp32", False), ("bf16", True)):
        with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            net(probe[:4])
            start = time.perf_counter()
            net(probe)
            timings[name] = time.perf_counter() - start
    precision = min(timings, key=timings.get)
    bf16 = precision == "bf16"
    print(f"tuned: probe batch of {args.batch}: fp32 {timings['fp32']:.2f} s, "
          f"bf16 {timings['bf16']:.2f} s -> {precision}", file=sys.stderr, flush=True)
    setup = time.perf_counter() - T0

    start = time.perf_counter()
    ftrain, ytrain = extract(net, ImageList(*train), args, bf16)
    fval, yval = extract(net, ImageList(*val), args, bf16)
    ftest, ytest = extract(net, ImageList(*test), args, bf16)
    caching = time.perf_counter() - start
    del net

    clf = head()
    opt = torch.optim.Adam(clf.parameters(), lr=args.lr)
    loss_fn = nn.CrossEntropyLoss(weight=class_weights(train[1]))
    g = torch.Generator().manual_seed(args.seed)
    loader = DataLoader(TensorDataset(ftrain, ytrain), batch_size=args.batch, shuffle=True,
                        generator=g)
    epochs, val_acc = [], None
    for epoch in range(args.epochs):
        start = time.perf_counter()
        clf.train()
        correct = seen = 0
        for f, y in loader:
            out = clf(f)
            loss = loss_fn(out, y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            correct += int((out.argmax(1) == y).sum())
            seen += len(y)
        clf.eval()
        with torch.no_grad():
            val_acc = evaluate_logits(clf(fval), yval)
        epochs.append({"epoch": epoch + 1, "seconds": time.perf_counter() - start,
                       "train_accuracy": correct / seen, "val_accuracy": val_acc})
    with torch.no_grad():
        test_acc = evaluate_logits(clf(ftest), ytest)
    return {"setup_seconds": setup, "feature_caching_seconds": caching, "epochs": epochs,
            "val_accuracy": val_acc, "test_accuracy": test_acc, "precision": precision,
            "probe_seconds": timings}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--mode", choices=("straightforward", "tuned"), required=True)
    p.add_argument("--split-dir", required=True, help="train/validation/test.csv from dump_split")
    p.add_argument("--weights", required=True, help="ResNet50 state dict (.pth)")
    p.add_argument("--epochs", type=int, default=10, help="epochs actually run")
    p.add_argument("--target-epochs", type=int, default=10,
                   help="epochs of the seed job; fewer --epochs are extrapolated linearly")
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--workers", type=int, default=2)
    args = p.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    cv2.setNumThreads(1)
    train = read_list(os.path.join(args.split_dir, "train.csv"))
    val = read_list(os.path.join(args.split_dir, "validation.csv"))
    test = read_list(os.path.join(args.split_dir, "test.csv"))

    run = (run_straightforward if args.mode == "straightforward" else run_tuned)(
        args, train, val, test)
    wall = time.perf_counter() - T0
    per_epoch = [e["seconds"] for e in run["epochs"]]
    # Linear extrapolation to the seed job's epoch count: every epoch costs the same here
    # (same images, same backbone work), so the mean measured epoch stands for the others.
    extrapolated = wall + (args.target_epochs - args.epochs) * (sum(per_epoch) / len(per_epoch))
    own, child = peak_rss_mb()
    result = {
        "contender": f"python-{args.mode}",
        "mode": args.mode,
        "epochs_run": args.epochs,
        "target_epochs": args.target_epochs,
        "extrapolated": args.epochs != args.target_epochs,
        "wall_seconds_measured": wall,
        "wall_seconds": extrapolated,
        "images_per_second": len(train[0]) * args.target_epochs / extrapolated,
        "peak_rss_mb": own,
        "peak_rss_worker_mb": child,
        "train_images": len(train[0]),
        "validation_images": len(val[0]),
        "test_images": len(test[0]),
        "torch_threads": torch.get_num_threads(),
        **run,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
