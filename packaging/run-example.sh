#!/usr/bin/env bash
# Quick start command 1: install what is missing, build, generate the synthetic demo data
# set once, and open the example project in the editor. With no display, train the same
# project headless and print progress.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/packaging/bootstrap.sh"
"$root/packaging/build.sh"
bin="${TORCHCANVAS_BUILD_DIR:-$root/build}/bin/torchcanvas"
project="$root/resources/examples/breast-cancer.tcproj"

if [[ ! -f "$root/demo-data/dataset.csv" ]]; then
    echo "Generating the synthetic demo data set (BreaKHis-like, 1693 images) in demo-data/ …"
    "$bin" demo-data "$root/demo-data"
fi

# The example's backbone is ImageNet-pretrained: fetch torchvision's resnet50 file (98 MB,
# SHA-256 checked; kept in the user's weights folder, so only the first run downloads it).
# Offline, say so and go on: the run then trains a RANDOMLY initialised backbone and every
# surface says so.
if ! "$bin" weights fetch resnet50 --quiet; then
    echo "run-example: the ImageNet weights could not be downloaded (offline?); the example" \
         "will train a RANDOMLY initialised backbone. Later: 'torchcanvas weights fetch" \
         "resnet50', or 'torchcanvas weights import resnet50-0676ba61.pth' from another machine." >&2
fi

if [[ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]]; then
    exec "$bin" "$project"
fi
echo "No display found: training the example project headless (the editor needs a display)."
exec "$bin" train "$project" --out "$root/runs/example"
