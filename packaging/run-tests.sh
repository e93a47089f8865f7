#!/usr/bin/env bash
# Quick start command 2: install what is missing, build, run the whole test suite — twice,
# with the frozen backbone's automatic precision forced to fp32 and then to bf16
# (TORCHCANVAS_PRECISION), so that both arithmetic paths are tested whatever this CPU would
# pick. Extra arguments go to ctest (e.g. -R trainer). TORCHCANVAS_PRECISIONS="fp32" runs one.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/packaging/bootstrap.sh"
"$root/packaging/build.sh"
cd "${TORCHCANVAS_BUILD_DIR:-$root/build}"
bin/torchcanvas --version
failed=()
for precision in ${TORCHCANVAS_PRECISIONS:-fp32 bf16}; do
    echo "run-tests: the whole suite with TORCHCANVAS_PRECISION=$precision"
    TORCHCANVAS_PRECISION=$precision ctest --output-on-failure --parallel "$(nproc)" "$@" ||
        failed+=("$precision")
done
if ((${#failed[@]} > 0)); then
    echo "run-tests: FAILED with precision ${failed[*]}" >&2
    exit 1
fi
echo "run-tests: passed with every precision (${TORCHCANVAS_PRECISIONS:-fp32 bf16})"
