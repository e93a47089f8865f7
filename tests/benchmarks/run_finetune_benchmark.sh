#!/usr/bin/env bash
# Fine-tuning benchmark (issue 17; docs/BENCHMARKS.md, "Fine-tuning a ResNet50"). Not part of ctest.
#
#   cmake --build build -j2 --target torchcanvas dump_split
#   tests/benchmarks/run_finetune_benchmark.sh [--build DIR] [--work DIR] [--images N] [--epochs E]
#
# The seed job's data (`torchcanvas demo-data`, 700x460 PNGs resized to 224², made once; with
# --images N an evenly spaced subset of N of them) and weights (a seeded random torchvision
# resnet50, as run_seed_job_benchmark.sh makes them), the seed project's model and
# hyper-parameters (resources/examples/breast-cancer.tcproj: ResNet50 → Dense 128 ReLU → Dense
# 64 ReLU → Dense 2, Adam 1e-3, batch 32, balanced class weights) with the ResNet
#   last1: trainable "last_stages", 1 stage (layer4 and the head train), and
#   all:   trainable "all",
# trained E epochs (default 1) by `torchcanvas train` and by finetune_peer.py (torchvision,
# channels_last, same optimizer and batch, on TorchCanvas's own training split written by
# dump_split), one after the other in this run; the peer a second time with the malloc settings
# TorchCanvas makes for itself. Prints training images/s per epoch of each
# (TorchCanvas: batches.csv's rate at the epoch's last batch; peer: its own epoch timing).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build="$root/build"
work=""
images=0
epochs=1
python=/usr/bin/python3
while [ $# -gt 0 ]; do
    case "$1" in
    --build) build=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --images) images=$2; shift 2 ;;
    --epochs) epochs=$2; shift 2 ;;
    -h | --help) sed -n 2,18p "$0"; exit 0 ;;
    *) echo "run_finetune_benchmark.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done
work=${work:-$build/benchmark-finetune}
torchcanvas=$(find "$build" -maxdepth 3 -name torchcanvas -type f -perm -u+x | head -n1)
dump_split=$(find "$build" -maxdepth 3 -name dump_split -type f -perm -u+x | head -n1)
if [ -z "$torchcanvas" ] || [ -z "$dump_split" ]; then
    echo "run_finetune_benchmark.sh: build torchcanvas and dump_split first" >&2
    exit 2
fi
mkdir -p "$work"
echo "# Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')," \
    "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

if [ ! -f "$work/demo/dataset.csv" ]; then
    "$torchcanvas" demo-data "$work/demo" --quiet
fi
weights="$work/weights/resnet50-0676ba61.pth"
if [ ! -f "$weights" ]; then
    mkdir -p "$work/weights"
    "$python" - "$weights" <<'PY'
import sys, torch, torchvision
torch.manual_seed(0)
torch.save(torchvision.models.resnet50().state_dict(), sys.argv[1])
PY
fi
"$python" - "$work/demo/dataset.csv" "$work/demo/subset.csv" "$images" <<'PY'
import sys
rows = open(sys.argv[1]).read().splitlines()
header, body = rows[0], rows[1:]
n = int(sys.argv[3])
if 0 < n < len(body):
    body = [body[i * len(body) // n] for i in range(n)]
open(sys.argv[2], "w").write("\n".join([header] + body) + "\n")
PY
cat "$work"/demo/data/*/*/*.png >/dev/null 2>&1 || true

printf '\n| Trainable | Contender | Epoch | Training images | Seconds | Images/s |\n|---|---|---:|---:|---:|---:|\n' > "$work/table.md"
for mode in last1 all; do
    project="$work/demo/finetune-$mode.tcproj"
    "$python" - "$root/resources/examples/breast-cancer.tcproj" "$project" "$mode" "$epochs" <<'PY'
import json, sys
project = json.load(open(sys.argv[1]))
project["dataset"]["source"] = "subset.csv"
for node in project["graph"]["nodes"]:
    if node["type"] == "ResNet":
        node["parameters"]["trainable"] = "last_stages" if sys.argv[3] == "last1" else "all"
        node["parameters"]["trainableStages"] = 1
project["training"]["epochs"] = int(sys.argv[4])
json.dump(project, open(sys.argv[2], "w"), indent=4)
PY
    "$dump_split" "$project" "$work/split-$mode" >/dev/null
    out="$work/run-$mode"
    rm -rf "$out"
    echo "## torchcanvas train ($mode), load $(cut -d' ' -f1-3 /proc/loadavg)"
    "$torchcanvas" train "$project" --out "$out" --no-disk-cache --weights-dir "$work/weights" \
        >"$work/torchcanvas-$mode.log" 2>&1
    "$python" - "$out/batches.csv" "$out/report.json" "$mode" >>"$work/table.md" <<'PY'
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
report = json.load(open(sys.argv[2]))
images = int(report["splits"]["train"])
last = {}
for row in rows:
    last[int(row["epoch"])] = row  # the epoch's rate so far at its last batch: the epoch's
for epoch, row in sorted(last.items()):
    rate = float(row["images_per_second"])
    seconds = f"{images / rate:.1f}" if images and rate > 0 else ""
    print(f"| {sys.argv[3]} | TorchCanvas | {epoch} | {images} | {seconds} | {rate:.2f} |")
PY
    echo "## peer ($mode), load $(cut -d' ' -f1-3 /proc/loadavg)"
    # The peer as a PyTorch user runs it, and with the malloc settings TorchCanvas makes for
    # itself (runtime::keepFreedMemory), so the table shows what the allocator alone is worth.
    for variant in default malloc; do
        label="Python peer"
        tunables=${GLIBC_TUNABLES:-}
        if [ "$variant" = malloc ]; then
            label="Python peer, TorchCanvas's malloc settings"
            tunables=glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=1073741824
        fi
        GLIBC_TUNABLES=$tunables "$python" "$here/finetune_peer.py" \
            --train "$work/split-$mode/train.csv" --weights "$weights" --trainable "$mode" \
            --epochs "$epochs" >"$work/peer-$mode-$variant.json"
        "$python" - "$work/peer-$mode-$variant.json" "$mode" "$label" >>"$work/table.md" <<'PY'
import json, sys
result = json.load(open(sys.argv[1]))
for i, epoch in enumerate(result["epochs"], 1):
    print(f"| {sys.argv[2]} | {sys.argv[3]} | {i} | {epoch['images']} | {epoch['seconds']:.1f} | {epoch['imagesPerSecond']:.2f} |")
PY
    done
done
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
cat "$work/table.md"
