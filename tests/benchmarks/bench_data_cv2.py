#!/usr/bin/python3
"""The Python peer of bench_data: a plain cv2 loop over the same CSV, the way a Python user
loads images for PyTorch (decode, resize, RGB, float, ImageNet normalisation, NCHW batch of
32), with exactly the preprocessing of tests/tools/reference_batch.py (the bit-exact
reference). Prints one JSON line: throughput and peak resident memory.

Usage: bench_data_cv2.py CSV [--size 224x224] [--batch 32]
"""
import csv
import json
import os
import resource
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import reference_batch  # noqa: E402  (same directory layout in the source tree)


def main():
    path = sys.argv[1]
    args = sys.argv[2:]
    size = args[args.index("--size") + 1] if "--size" in args else "224x224"
    batch_size = int(args[args.index("--batch") + 1]) if "--batch" in args else 32
    width, height = (int(v) for v in size.split("x"))
    root = os.path.dirname(os.path.abspath(path))
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    files = [os.path.join(root, row["images"]) for row in rows]

    start = time.perf_counter()
    cpu_start = time.process_time()
    batch = np.empty((batch_size, 3, height, width), dtype=np.float32)
    checksum = 0.0
    for i, file in enumerate(files):
        image = reference_batch.load(file, width, height, "stretch", "imagenet")
        batch[i % batch_size] = image.transpose(2, 0, 1)
        checksum += float(batch[i % batch_size, 0, 0, 0])
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(json.dumps({"impl": "python-cv2", "mode": "loop", "workers": 1, "images": len(files),
                      "seconds": round(seconds, 3),
                      "images_per_s": round(len(files) / seconds, 1),
                      "cpu_ms_per_image": round(1000 * cpu / max(len(files), 1), 2),
                      "peak_rss_mb": round(peak, 1), "checksum": checksum}))


if __name__ == "__main__":
    main()
