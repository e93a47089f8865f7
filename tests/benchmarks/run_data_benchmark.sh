#!/usr/bin/env bash
# Data benchmark (docs/BENCHMARKS.md, "Data"). Run it through CMake:
#
#   cmake --build build --target benchmark_data
#
# or directly: run_data_benchmark.sh TORCHCANVAS BENCH_DATA PYTHON WORKDIR
#
# 1. `torchcanvas demo-data` writes the 1693-image synthetic set (700x460 PNG): images/s.
# 2. `torchcanvas data check` reads it back: no diagnostics expected.
# 3. Decode + resize to 224x224 + ImageNet normalisation of those 1693 files, in one run:
#    the Python cv2 loop (tests/tools/reference_batch.py's preprocessing), TorchCanvas's
#    pipeline in the same single-threaded loop, and TorchCanvas's Batcher with 2 workers.
# 4. Peak resident memory of the Batcher and of the Python loop over CSVs of 2,000 and
#    20,000 rows (hard links to the same files, so that every row is a distinct path).
set -euo pipefail

torchcanvas=$1
bench=$2
python=$3
work=$4
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$work"
results="$work/results.jsonl"
: >"$results"

echo "# Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), load average $(cut -d' ' -f1-3 /proc/loadavg)"

echo "## 1. demo-data"
rm -rf "$work/demo"
/usr/bin/time -f '{"step": "demo-data", "wall_s": %e, "user_s": %U, "sys_s": %S, "cpu_percent": "%P", "peak_rss_kb": %M}' \
    -o "$work/demo-time.json" "$torchcanvas" demo-data "$work/demo" --quiet | tee "$work/demo.txt"
cat "$work/demo-time.json" | tee -a "$results"

echo "## 2. data check"
"$torchcanvas" data check "$work/demo/dataset.csv" --json >"$work/check.json"
"$python" - "$work/check.json" <<'EOF'
import json, sys
report = json.load(open(sys.argv[1]))
summary = report["summary"]
print(f"usable {report['usable']}, rows {summary['records']}, kept {summary['usable']}, "
      f"diagnostics {len(report['diagnostics'])}, classes "
      + ", ".join(f"{c['name']} {c['count']}" for c in summary["classes"]))
EOF

echo "## 3. throughput, 1693 images 700x460 PNG -> 224x224"
csv="$work/demo/dataset.csv"
# Warm the page cache so that every contender reads from memory.
cat "$work"/demo/data/train/*/*.png >/dev/null
for round in 1 2; do
    "$python" "$here/bench_data_cv2.py" "$csv" | tee -a "$results"
    "$bench" --csv "$csv" --mode pipeline | tee -a "$results"
    "$bench" --csv "$csv" --mode batcher --workers 2 | tee -a "$results"
done

echo "## 4. memory, 2,000 and 20,000 rows"
"$python" - "$work" <<'EOF'
import csv, os, sys
work = sys.argv[1]
with open(os.path.join(work, "demo", "dataset.csv"), newline="") as f:
    rows = list(csv.DictReader(f))
links = os.path.join(work, "links")
os.makedirs(links, exist_ok=True)
for count in (2000, 20000):
    with open(os.path.join(work, f"rows-{count}.csv"), "w", newline="") as out:
        out.write("images,labels\n")
        for i in range(count):
            row = rows[i % len(rows)]
            name = f"links/{i:05d}.png"
            target = os.path.join(work, name)
            if not os.path.exists(target):
                os.link(os.path.join(work, "demo", row["images"]), target)
            out.write(f"{name},{row['labels']}\n")
EOF
for count in 2000 20000; do
    "$bench" --csv "$work/rows-$count.csv" --mode batcher --workers 2 | tee -a "$results"
    "$python" "$here/bench_data_cv2.py" "$work/rows-$count.csv" | tee -a "$results"
done

echo "## 5. reduced decoding (IMREAD_REDUCED_COLOR_2): time per image and effect on the result"
"$python" - "$work" <<'EOF'
import glob, os, sys, time
import cv2, numpy as np
work = sys.argv[1]
pngs = sorted(glob.glob(os.path.join(work, "demo", "data", "train", "*", "*.png")))[:100]
jpegs = []
for i, png in enumerate(pngs):
    jpeg = os.path.join(work, f"jpeg-{i:03d}.jpg")
    cv2.imwrite(jpeg, cv2.imread(png), [cv2.IMWRITE_JPEG_QUALITY, 90])
    jpegs.append(jpeg)
def run(files, flag):
    start = time.perf_counter()
    out = [cv2.resize(cv2.imread(f, flag), (224, 224), interpolation=cv2.INTER_AREA) for f in files]
    return (time.perf_counter() - start) / len(files) * 1000, out
cv2.setNumThreads(1)
for name, files in (("PNG", pngs), ("JPEG q90", jpegs)):
    full_ms, full = run(files, cv2.IMREAD_COLOR)
    half_ms, half = run(files, cv2.IMREAD_REDUCED_COLOR_2)
    diff = max(int(np.abs(a.astype(int) - b.astype(int)).max()) for a, b in zip(full, half))
    mse = np.mean([np.mean((a.astype(float) - b.astype(float)) ** 2) for a, b in zip(full, half)])
    psnr = 10 * np.log10(255 ** 2 / mse) if mse > 0 else float("inf")
    print(f"{name}: full decode + INTER_AREA {full_ms:.1f} ms/image, reduced 1/2 + INTER_AREA "
          f"{half_ms:.1f} ms/image; results differ by up to {diff} levels (PSNR {psnr:.1f} dB)")
EOF
echo "# Results: $results"
