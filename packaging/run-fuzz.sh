#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, AddressSanitizer + UndefinedBehaviorSanitizer) into
# build-fuzz/ and runs each for SECONDS (default 60) on a working copy of its seed corpus
# (tests/fuzz/corpus/<target>/, never modified). A crash stops with its input saved under
# build-fuzz/crashes/<target>/; add it to the corpus once fixed. docs/RELIABILITY.md.
# Usage: packaging/run-fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
seconds=${1:-60}
shift || true
targets=("$@")
((${#targets[@]} > 0)) || targets=(csv project pickle safetensors image)
build="${TORCHCANVAS_FUZZ_BUILD_DIR:-$root/build-fuzz}"

command -v clang++ >/dev/null || { echo "run-fuzz: clang++ is needed (apt-get install clang libclang-rt-dev)" >&2; exit 1; }
if [[ ! -f "$build/CMakeCache.txt" ]]; then
    generator=()
    command -v ninja >/dev/null && generator=(-G Ninja)
    cmake -S "$root" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DCMAKE_CXX_COMPILER=clang++ -DTORCHCANVAS_FUZZ=ON >/dev/null
fi
cmake --build "$build" --parallel "$(nproc)" --target "${targets[@]/#/fuzz_}"

status=0
for target in "${targets[@]}"; do
    work="$build/corpus/$target"
    crashes="$build/crashes/$target"
    mkdir -p "$work" "$crashes"
    log="$build/fuzz-$target.log"
    echo "run-fuzz: $target for ${seconds} s"
    # New inputs go to the working corpus (first folder); the seeds are only read.
    if "$build/tests/fuzz/fuzz_$target" "$work" "$root/tests/fuzz/corpus/$target" \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -artifact_prefix="$crashes/" -print_final_stats=1 >"$log" 2>&1; then
        runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
        echo "run-fuzz: $target: $runs inputs, no crash (corpus $(ls "$work" | wc -l) files)"
    else
        echo "run-fuzz: $target: CRASH, input in $crashes/ — log $log:" >&2
        grep -E 'ERROR|SUMMARY|broken promise|Test unit written' "$log" | head -20 >&2
        status=1
    fi
done
exit $status
