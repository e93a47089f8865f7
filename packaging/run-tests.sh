#!/usr/bin/env bash
# Quick start command 2: install what is missing, build, run the whole test suite.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/packaging/bootstrap.sh"
"$root/packaging/build.sh"
cd "${TORCHCANVAS_BUILD_DIR:-$root/build}"
ctest --output-on-failure --parallel "$(nproc)" "$@"
