#!/usr/bin/env bash
# Seed-job benchmark (issue 6; docs/BENCHMARKS.md, "Seed job (issue 6)"). Not part of ctest.
#
#   cmake --build build -j2 --target torchcanvas dump_split
#   tests/benchmarks/run_seed_job_benchmark.sh [--build DIR] [--work DIR] [--peer-epochs N] [--reuse]
#
# In one run, on the same 1693 synthetic 700x460 PNGs (`torchcanvas demo-data`, made once),
# the same ResNet50 weights (a seeded random torchvision state dict: no ImageNet weights on
# this machine), the same split (dump_split writes the lists TorchCanvas's split makes) and
# the same hyper-parameters (resources/examples/breast-cancer.tcproj: batch 32, Adam 1e-3,
# balanced class weights, 10 epochs):
#   1. torchcanvas train
#   2. seed_job_peer.py --mode tuned            (features once, channels_last, bf16 if faster)
#   3. seed_job_peer.py --mode straightforward  (fp32, backbone every batch of every epoch);
#      it runs --peer-epochs epochs (default 1) and its 10-epoch time is extrapolated linearly
#      from the measured per-epoch time. --peer-epochs 0 skips it.
#   --reuse keeps a contender's result from an earlier run in --work (its .time file).
# Then prints a table: wall s, images/s (training images x 10 epochs / wall), peak RSS MB,
# validation accuracy, and TorchCanvas's speed-up over each peer.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build="$root/build"
work=""
peer_epochs=1
reuse=0
python=/usr/bin/python3
while [ $# -gt 0 ]; do
    case "$1" in
    --build) build=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --peer-epochs) peer_epochs=$2; shift 2 ;;
    --python) python=$2; shift 2 ;;
    --reuse) reuse=1; shift ;;
    -h | --help) sed -n 2,20p "$0"; exit 0 ;;
    *) echo "run_seed_job_benchmark.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done
work=${work:-$build/benchmark-seed-job}
torchcanvas=$(find "$build" -maxdepth 3 -name torchcanvas -type f -perm -u+x | head -n1)
dump_split=$(find "$build" -maxdepth 3 -name dump_split -type f -perm -u+x | head -n1)
if [ -z "$torchcanvas" ] || [ -z "$dump_split" ]; then
    echo "run_seed_job_benchmark.sh: build torchcanvas and dump_split first:" \
        "cmake --build $build -j2 --target torchcanvas dump_split" >&2
    exit 2
fi
mkdir -p "$work"

echo "# Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')," \
    "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

# 1. Data (once), weights (once), the project next to the CSV, the split lists.
if [ ! -f "$work/demo/dataset.csv" ]; then
    echo "## demo-data"
    rm -rf "$work/demo"
    "$torchcanvas" demo-data "$work/demo" --quiet
fi
weights="$work/weights/resnet50-0676ba61.pth"
if [ ! -f "$weights" ]; then
    echo "## weights: torchvision resnet50(), torch.manual_seed(0) (random, not ImageNet)"
    mkdir -p "$work/weights"
    "$python" - "$weights" <<'EOF'
import sys, torch, torchvision
torch.manual_seed(0)
torch.save(torchvision.models.resnet50().state_dict(), sys.argv[1])
EOF
fi
project="$work/demo/seed-job.tcproj"
"$python" - "$root/resources/examples/breast-cancer.tcproj" "$project" <<'EOF'
import json, sys
project = json.load(open(sys.argv[1]))
project["dataset"]["source"] = "dataset.csv"
json.dump(project, open(sys.argv[2], "w"), indent=4)
EOF
"$dump_split" "$project" "$work/split"

# Read every image once so that no contender pays for a cold page cache.
cat "$work"/demo/data/*/*/*.png >/dev/null 2>&1 || true

# 2. TorchCanvas.
fresh() { [ "$reuse" = 0 ] || [ ! -f "$work/$1.time" ]; }
# The headline run starts with an empty on-disk feature cache (cold); a second run then
# trains the same project again with the cache the first one filled (warm).
if fresh torchcanvas; then
echo "## torchcanvas train (10 epochs, empty feature cache)"
rm -rf "$work/run-torchcanvas" "$work/feature-cache"
/usr/bin/time -f '%e %M' -o "$work/torchcanvas.time" \
    "$torchcanvas" train "$project" --out "$work/run-torchcanvas" --epochs 10 \
    --weights-dir "$work/weights" --feature-cache-dir "$work/feature-cache" \
    >"$work/torchcanvas.log" 2>&1 ||
    { tail -n 20 "$work/torchcanvas.log"; exit 1; }
tail -n 3 "$work/torchcanvas.log"
echo "## torchcanvas train again (10 epochs, features from the first run's cache)"
rm -rf "$work/run-torchcanvas-warm"
/usr/bin/time -f '%e %M' -o "$work/torchcanvas-warm.time" \
    "$torchcanvas" train "$project" --out "$work/run-torchcanvas-warm" --epochs 10 \
    --weights-dir "$work/weights" --feature-cache-dir "$work/feature-cache" \
    >"$work/torchcanvas-warm.log" 2>&1 ||
    { tail -n 20 "$work/torchcanvas-warm.log"; exit 1; }
tail -n 3 "$work/torchcanvas-warm.log"
fi

# 3. The peers.
if fresh tuned; then
echo "## python peer, tuned (10 epochs)"
/usr/bin/time -f '%e %M' -o "$work/tuned.time" \
    "$python" "$here/seed_job_peer.py" --mode tuned --split-dir "$work/split" \
    --weights "$weights" --epochs 10 >"$work/tuned.json"
fi
if [ "$peer_epochs" -gt 0 ] && fresh straightforward; then
echo "## python peer, straightforward ($peer_epochs epoch(s), extrapolated to 10)"
/usr/bin/time -f '%e %M' -o "$work/straightforward.time" \
    "$python" "$here/seed_job_peer.py" --mode straightforward --split-dir "$work/split" \
    --weights "$weights" --epochs "$peer_epochs" --target-epochs 10 >"$work/straightforward.json"
fi

# 4. The table.
"$python" - "$work" <<'EOF'
import json, os, sys
work = sys.argv[1]
def timed(name):
    """Process wall time and peak RSS from /usr/bin/time."""
    wall, rss_kb = open(os.path.join(work, name + ".time")).read().split()[-2:]
    return float(wall), int(rss_kb) / 1024
report = json.load(open(os.path.join(work, "run-torchcanvas", "report.json")))
split = {k: int(report["splits"][k]) for k in ("train", "validation", "test")}
peers = {m: json.load(open(os.path.join(work, m + ".json"))) for m in ("tuned", "straightforward")
         if os.path.exists(os.path.join(work, m + ".time"))}
if "straightforward" not in peers:
    print("\nThe straightforward peer was not run (--peer-epochs 0).")
for m, p in peers.items():
    got = {"train": p["train_images"], "validation": p["validation_images"], "test": p["test_images"]}
    if got != split:
        sys.exit(f"split mismatch: torchcanvas {split}, python {m} {got}")
train_images = split["train"]
tc_wall, tc_rss = timed("torchcanvas")
rows = [{"name": "TorchCanvas train", "wall": tc_wall, "rss": tc_rss,
         "val": report["final"]["validation"]["accuracy"],
         "note": f"caching {report['timings']['featureCachingSeconds']:.1f} s, "
                 f"training {report['timings']['trainingSeconds']:.1f} s"}]
if os.path.exists(os.path.join(work, "torchcanvas-warm.time")):
    warm = json.load(open(os.path.join(work, "run-torchcanvas-warm", "report.json")))
    wall, rss = timed("torchcanvas-warm")
    rows.append({"name": "TorchCanvas train, again (warm feature cache)", "wall": wall, "rss": rss,
                 "val": warm["final"]["validation"]["accuracy"],
                 "note": f"{warm['featureCache']['diskHits']} images' features from disk, "
                         f"caching {warm['timings']['featureCachingSeconds']:.1f} s, "
                         f"training {warm['timings']['trainingSeconds']:.1f} s",
                 "warm": True})
for m in peers:
    p = peers[m]
    wall, rss = timed(m)
    # Fewer epochs than 10: add the missing ones at the measured mean epoch time.
    per_epoch = sum(e["seconds"] for e in p["epochs"]) / len(p["epochs"])
    note = p["precision"]
    if p["mode"] == "tuned":
        note += f", caching {p['feature_caching_seconds']:.1f} s"
    if p["extrapolated"]:
        note += (f", {p['epochs_run']} of 10 epochs measured ({per_epoch:.1f} s each, "
                 f"measured wall {wall:.1f} s), rest extrapolated linearly; val acc after "
                 f"{p['epochs_run']} epoch(s)")
    rows.append({"name": f"Python {m}", "wall": wall + (10 - p["epochs_run"]) * per_epoch,
                 "rss": rss, "val": p["val_accuracy"], "note": note,
                 "worker_rss": p["peak_rss_worker_mb"]})
for r in rows:
    r["ips"] = train_images * 10 / r["wall"]
print(f"\nSplit: train {split['train']}, validation {split['validation']}, test {split['test']} "
      f"(the same lists for all three). TorchCanvas report.json: totalSeconds "
      f"{report['timings']['totalSeconds']:.1f}, peakMemoryBytes {report['peakMemoryBytes'] / 2**20:.0f} MiB, "
      f"feature cache: {report['featureCache']['note'] or report['featureCache']['used']}")
print("\n| Contender | Wall s (10 epochs) | img/s | Peak RSS MB | Val acc | Notes |")
print("|---|---:|---:|---:|---:|---|")
for r in rows:
    print(f"| {r['name']} | {r['wall']:.1f} | {r['ips']:.1f} | {r['rss']:.0f} | "
          f"{r['val'] * 100:.1f} % | {r['note']} |")
print("\nimg/s = training images x 10 epochs / wall time of the whole process (start to exit).")
print("Peak RSS: /usr/bin/time (largest of the process and its DataLoader workers, not their sum); "
      + ", ".join(f"largest worker of {r['name']}: {r['worker_rss']:.0f} MB" for r in rows if "worker_rss" in r))
for r in rows:
    if "worker_rss" in r:
        print(f"Speed-up of TorchCanvas (cold cache) vs {r['name']}: {r['wall'] / tc_wall:.1f}x")
tuned = [r for r in rows if r["name"] == "Python tuned"]
if tuned:
    print(f"Validation accuracy, TorchCanvas - Python tuned: {(rows[0]['val'] - tuned[0]['val']) * 100:+.1f} points")
json.dump({"split": split, "rows": rows}, open(os.path.join(work, "summary.json"), "w"), indent=1)
EOF
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
