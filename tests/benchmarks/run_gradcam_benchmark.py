#!/usr/bin/python3
"""Grad-CAM speed: one heatmap of a 700×460 image at 224² through ResNet50, TorchCanvas's
Explainer (build/tests/bench_gradcam) against torchvision + autograd hooks
(tests/benchmarks/gradcam_python.py) on the same image file and the same weights, in the
same run, the programs interleaved (A B C A B C …), then a Markdown table.

  run_gradcam_benchmark.py [--build build] [--rounds 5] [--iterations 3] [--threads 2]
                           [--work DIR]

Per round each program is started once: a warm-up heatmap, then --iterations timed ones.
Medians are over every timed heatmap of every round. On a shared machine the wall clock
measures the neighbours too, so the table also gives CPU seconds per heatmap (the process's
own threads) and the load average. Both programs run with OMP_WAIT_POLICY=passive.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile

import cv2
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def run(command):
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{result.stderr}")
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")][-1]


def cpu_name():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor()


def histology_like(path, width=700, height=460, seed=0):
    """A BreaKHis-sized PNG: pink stroma with purple nuclei-like blobs."""
    rng = np.random.default_rng(seed)
    noise = cv2.GaussianBlur(rng.random((height, width)).astype(np.float32), (0, 0), 12)
    noise = (noise - noise.min()) / (noise.max() - noise.min())
    image = np.empty((height, width, 3), np.float32)
    image[..., 0] = 200 + 40 * noise   # B
    image[..., 1] = 150 + 60 * noise   # G
    image[..., 2] = 225 - 20 * noise   # R
    for _ in range(160):
        x, y = int(rng.integers(0, width)), int(rng.integers(0, height))
        r = int(rng.integers(4, 14))
        cv2.circle(image, (x, y), r, (150, 60, 110), -1)
    cv2.imwrite(path, np.clip(image, 0, 255).astype(np.uint8))


def pearson(a, b):
    return float(np.corrcoef(a.ravel().astype(np.float64), b.ravel().astype(np.float64))[0, 1])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default="build")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--iterations", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--work")
    args = parser.parse_args()
    os.environ["OMP_WAIT_POLICY"] = "passive"
    work = args.work or tempfile.mkdtemp(prefix="gradcam-bench-")
    os.makedirs(work, exist_ok=True)
    pth = os.path.join(work, "resnet50-fc2.pth")
    image = os.path.join(work, "histology-700x460.png")
    python = sys.executable
    peer = os.path.join(HERE, "gradcam_python.py")
    subprocess.run([python, peer, "make", pth], check=True)
    histology_like(image)

    common = ["--iterations", str(args.iterations), "--threads", str(args.threads)]
    programs = {
        "TorchCanvas Explainer::explain (C++)":
            lambda npy: [os.path.join(args.build, "tests", "bench_gradcam"), "--weights", pth,
                         "--image", image, "--npy", npy] + common,
        "torchvision + autograd hooks (Python)":
            lambda npy: [python, peer, "run", pth, image, "--variant", "hooks", "--npy", npy]
            + common,
        "torchvision, gradient from layer4 only (Python)":
            lambda npy: [python, peer, "run", pth, image, "--variant", "layer4", "--npy", npy]
            + common,
    }
    wall = {name: [] for name in programs}
    cpu = {name: [] for name in programs}
    maps = {}
    loads = []
    for round_index in range(args.rounds):
        loads.append(os.getloadavg()[0])
        for index, (name, command) in enumerate(programs.items()):
            npy = os.path.join(work, f"map-{index}.npy")
            result = run(command(npy))
            wall[name] += result["seconds"]
            cpu[name] += result["cpu_seconds"]
            maps[name] = np.load(npy)
        print(f"round {round_index + 1}/{args.rounds} done", file=sys.stderr)

    names = list(programs)
    reference = names[1]
    print(f"Machine: {cpu_name()}, {os.cpu_count()} CPUs, {args.threads} threads; "
          f"load average at the rounds' start: {', '.join(f'{l:.1f}' for l in loads)}")
    print(f"Rounds {args.rounds} × {args.iterations} heatmaps per program, interleaved.\n")
    print("| program | s per heatmap (median) | s (best) | CPU s per heatmap (median) "
          "| × hooks (wall) | × hooks (CPU) |")
    print("|---|---:|---:|---:|---:|---:|")
    for name in names:
        w, c = statistics.median(wall[name]), statistics.median(cpu[name])
        print(f"| {name} | {w:.3f} | {min(wall[name]):.3f} | {c:.3f} | "
              f"{statistics.median(wall[reference]) / w:.2f} | "
              f"{statistics.median(cpu[reference]) / c:.2f} |")
    base = maps[names[0]]
    for name in names[1:]:
        diff = float(np.abs(base.astype(np.float64) - maps[name]).max())
        print(f"\nMap of {names[0]} against {name}: Pearson {pearson(base, maps[name]):.6f}, "
              f"max |diff| {diff:.2g}", end="")
    print()


if __name__ == "__main__":
    main()
