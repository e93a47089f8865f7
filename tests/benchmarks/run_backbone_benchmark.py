#!/usr/bin/python3
"""ResNet backbone throughput: TorchCanvas's FeatureExtractor against torchvision in the
same run, alternating the two programs for several rounds, then a Markdown table.

  run_backbone_benchmark.py [--build build] [--rounds 3] [--iterations 3] [--batch 32]
                            [--size 224] [--depth 50] [--threads N] [--wait-policy passive]

On a shared machine the wall clock measures the neighbours as much as the program, so each
configuration also reports images per CPU-second (its own threads' CPU time, median batch).
Both programs run with the same OMP_WAIT_POLICY (passive by default) so that OpenMP threads
waiting at a barrier sleep instead of spinning and do not count as work.
"""
import argparse
import collections
import json
import os
import platform
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def run(command):
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{result.stderr}")
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


def cpu_name():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default="build")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--iterations", type=int, default=3)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--size", type=int, default=224)
    parser.add_argument("--depth", type=int, default=50)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--wait-policy", default="passive")
    args = parser.parse_args()
    os.environ["OMP_WAIT_POLICY"] = args.wait_policy
    common = ["--depth", str(args.depth), "--batch", str(args.batch), "--size", str(args.size),
              "--iterations", str(args.iterations), "--threads", str(args.threads)]
    binary = os.path.join(args.build, "tests", "bench_backbone")

    best = collections.defaultdict(float)
    medians = collections.defaultdict(list)
    per_cpu = collections.defaultdict(list)
    engines = {}
    peaks = []
    started = time.time()
    loads = []
    for round_index in range(args.rounds):
        loads.append(os.getloadavg()[0])
        rows = run([binary, "--engines", "onednn,libtorch", "--precisions", "fp32,bf16",
                    "--peak"] + common)
        rows += run([sys.executable, os.path.join(HERE, "backbone_python.py")] + common)
        for row in rows:
            if "config" in row:
                best[row["config"]] = max(best[row["config"]], row["images_per_second"])
                medians[row["config"]].append(row["median"])
                per_cpu[row["config"]].append(row["images_per_cpu_second"])
                if "engine" in row:
                    engines[row["config"]] = row["engine"]
            else:
                peaks.append(row)
        print(f"round {round_index + 1}/{args.rounds} done", file=sys.stderr)

    gflops_per_image = 2 * {18: 1.814, 34: 3.664, 50: 4.089, 101: 7.801, 152: 11.514}[args.depth] \
        * (args.size / 224) ** 2
    peak_fp32 = max(p["peak_fp32_gflops"] for p in peaks)
    peak_bf16 = max(p["peak_bf16_gflops"] for p in peaks)
    cpu_peak_fp32 = max(p["peak_fp32_gflops_per_cpu_second"] for p in peaks)
    cpu_peak_bf16 = max(p["peak_bf16_gflops_per_cpu_second"] for p in peaks)

    def middle(values):
        return sorted(values)[len(values) // 2]

    python_cpu_best, python_cpu_best_name = max(
        (middle(v), k) for k, v in per_cpu.items() if k.startswith("torchvision"))

    print(f"ResNet{args.depth} backbone, batch {args.batch}, {args.size}×{args.size}, "
          f"{args.threads} threads, {args.rounds} rounds × {args.iterations} batches, "
          f"OMP_WAIT_POLICY={args.wait_policy}")
    print(f"CPU: {cpu_name()}, {os.cpu_count()} logical cores; load average at the rounds' "
          f"start: {', '.join(f'{l:.1f}' for l in loads)}; {time.time() - started:.0f} s")
    print(f"Measured 3×3 conv peak (ATen/oneDNN, channels-last): fp32 {peak_fp32:.0f} GFLOP/s, "
          f"bf16 {peak_bf16:.0f} GFLOP/s (wall clock, best); per CPU-second: fp32 "
          f"{cpu_peak_fp32:.0f}, bf16 {cpu_peak_bf16:.0f} GFLOP; auto precision here: "
          f"{peaks[-1]['auto']}")
    print()
    print("| configuration | images/s (best) | images/s (median) | images per CPU-s | "
          "× best Python (CPU) | GFLOP per CPU-s | % of bf16 peak | % of fp32 peak |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name in sorted(best, key=lambda k: -middle(per_cpu[k])):
        cpu = middle(per_cpu[name])
        gflops = cpu * gflops_per_image
        print(f"| {name} | {best[name]:.1f} | {middle(medians[name]):.1f} | {cpu:.1f} | "
              f"{cpu / python_cpu_best:.2f} | {gflops:.0f} | "
              f"{100 * gflops / cpu_peak_bf16:.0f}% | {100 * gflops / cpu_peak_fp32:.0f}% |")
    print()
    print(f"Best Python configuration: {python_cpu_best_name} ({python_cpu_best:.1f} images "
          f"per CPU-second).")
    for name, engine in sorted(engines.items()):
        print(f"- {name}: {engine}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
