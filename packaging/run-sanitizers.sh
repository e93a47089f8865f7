#!/usr/bin/env bash
# Sanitizer builds (docs/RELIABILITY.md), each in its own build folder:
#   address  AddressSanitizer + UndefinedBehaviorSanitizer on core and every core unit test
#            (ctest label "core"), in build-asan/;
#   thread   ThreadSanitizer on the trainer and the training controller (pause, resume, stop,
#            close during training), in build-tsan/.
# Usage: packaging/run-sanitizers.sh [address|thread]...   (default: both)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
kinds=("$@")
((${#kinds[@]} > 0)) || kinds=(address thread)
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)

configure() { # folder sanitizers [cmake options...]
    local folder=$1 sanitizers=$2
    shift 2
    [[ -f "$folder/CMakeCache.txt" ]] ||
        cmake -S "$root" -B "$folder" "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
            -DTORCHCANVAS_SANITIZE="$sanitizers" "$@" >/dev/null
}

status=0
for kind in "${kinds[@]}"; do
    case "$kind" in
    address)
        build="$root/build-asan"
        configure "$build" address,undefined
        # The targets of the core-labelled tests: tst_<unit>, or fuzzreplay_<target>.
        mapfile -t targets < <(ctest --test-dir "$build" -L core -N |
            sed -n 's/^ *Test *#[0-9]*: *//p' | sed 's/^fuzzcorpus_/fuzzreplay_/; t; s/^/tst_/')
        cmake --build "$build" --parallel "$(nproc)" --target "${targets[@]}"
        echo "run-sanitizers: ASan + UBSan, ${#targets[@]} core tests"
        ASAN_OPTIONS=detect_leaks=0:check_initialization_order=1:strict_string_checks=1 \
        UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
            ctest --test-dir "$build" -L core --output-on-failure --parallel "$(nproc)" ||
            status=1
        ;;
    thread)
        build="$root/build-tsan"
        # -O1 with line tables only: what TSan's documentation suggests, and the build is
        # about a third cheaper than -O2 -g.
        configure "$build" thread -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG"
        cmake --build "$build" --parallel "$(nproc)" --target tst_trainer tst_trainingcontroller
        echo "run-sanitizers: TSan, trainer and training controller"
        TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$root/tests/tsan.supp" \
            ctest --test-dir "$build" -R '^(trainer|trainingcontroller)$' --output-on-failure ||
            status=1
        ;;
    *)
        echo "run-sanitizers: unknown kind '$kind' (address or thread)" >&2
        exit 2
        ;;
    esac
done
exit $status
