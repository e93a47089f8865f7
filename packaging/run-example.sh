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

if [[ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]]; then
    exec "$bin" "$project"
fi
echo "No display found: training the example project headless (the editor needs a display)."
exec "$bin" train "$project" --out "$root/runs/example"
