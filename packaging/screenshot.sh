#!/usr/bin/env bash
# Starts torchcanvas under Xvfb, waits for its window, and saves a PNG of the whole screen.
# Usage: packaging/screenshot.sh OUT.png [torchcanvas arguments…]
# Needs xvfb, x11-apps (xwd) and imagemagick; used to make the README's screenshots.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=$(realpath -m "$1"); shift
bin="${TORCHCANVAS_BUILD_DIR:-$root/build}/bin/torchcanvas"
export TC_SHOT_OUT="$out" TC_SHOT_BIN="$bin"
xvfb-run -a -s "-screen 0 1440x900x24" bash -ec '
    "$TC_SHOT_BIN" "$@" & pid=$!
    for _ in $(seq 1 100); do
        xdotool search --onlyvisible --name TorchCanvas >/dev/null 2>&1 && break
        sleep 0.1
    done
    sleep "${TC_SHOT_SETTLE:-2}"
    window=$(xdotool search --onlyvisible --name TorchCanvas | head -n 1)
    xwd -id "$window" -silent | /usr/bin/convert xwd:- png:"$TC_SHOT_OUT"
    kill $pid; wait $pid 2>/dev/null || true
' _ "$@"
echo "screenshot: $out"
