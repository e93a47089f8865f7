#!/usr/bin/env bash
# Installs every build, runtime and test dependency of TorchCanvas from the distribution's
# packages (Debian 12 / Ubuntu 23.04 or newer). Idempotent: installs only what is missing,
# and runs apt-get update at most once. Works as root or through sudo.
set -euo pipefail

packages=(
    # build
    build-essential cmake ninja-build ccache pkg-config git dpkg-dev
    qt6-base-dev qt6-base-dev-tools qt6-svg-dev libgl-dev
    libtorch-dev libopencv-dev libqcustomplot-dev
    # ONNX export: the ONNX protobuf classes (onnx_proto) and protobuf's headers
    libonnx-dev libprotobuf-dev
    # oneDNN headers: the fast engine for frozen backbones (LibTorch runs on the same library)
    libdnnl-dev
    # distributed training: the gloo headers that LibTorch's c10d ProcessGroupGloo.hpp includes
    libgloo-dev
    # runtime: without OpenBLAS, LibTorch runs matrix products on the reference BLAS (~10x slower)
    libopenblas0-pthread
    # fuzzing (packaging/run-fuzz.sh): clang with libFuzzer and the sanitizer runtimes
    clang libclang-rt-dev
    # tests: offscreen/Xvfb GUI runs, fonts for screenshots, the Python reference oracle
    xvfb xauth fonts-dejavu-core
    python3 python3-torch python3-torchvision python3-opencv python3-onnx python3-numpy
)

missing=()
for package in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || missing+=("$package")
done

if ((${#missing[@]} > 0)); then
    echo "bootstrap: installing ${#missing[@]} missing package(s): ${missing[*]}"
    sudo_cmd=()
    if [[ $(id -u) -ne 0 ]]; then
        command -v sudo >/dev/null || { echo "bootstrap: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
        sudo_cmd=(sudo)
    fi
    export DEBIAN_FRONTEND=noninteractive
    "${sudo_cmd[@]}" apt-get update -qq
    "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
    echo "bootstrap: all ${#packages[@]} packages present"
fi

# LibTorch links the generic BLAS; make sure the system alternative really is OpenBLAS.
blas=$(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 2>/dev/null || true)
case "$blas" in
    *openblas*) ;;
    *) echo "bootstrap: warning: libblas.so.3 resolves to '${blas:-nothing}', not OpenBLAS;" \
            "LibTorch matrix products will be ~10x slower" \
            "(fix: update-alternatives --config libblas.so.3-x86_64-linux-gnu)" >&2 ;;
esac
