#!/usr/bin/env bash
# Installs the TorchCanvas .deb into a clean Debian 12 root and uses it there, as a user of
# the package would: `apt-get install ./torchcanvas_*.deb` (which must pull in every library
# the binary needs), `torchcanvas --version`, `torchcanvas demo-data DIR --with-project` and a
# two-epoch headless training of that example copy. Also checks what the package installs.
#
# Usage: packaging/test-deb-install.sh [CLEAN_ROOT]
#   CLEAN_ROOT: a minimal Debian 12 root made by `debootstrap --variant=minbase bookworm`
#   (default: build/cleanroot, made on first use; later runs start from a fresh copy of it).
# Needs root (chroot, mount), debootstrap and access to Debian's archive (DEBIAN_MIRROR,
# default http://deb.debian.org/debian). Builds the package with cpack from build/ first.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build="${TORCHCANVAS_BUILD_DIR:-$root/build}"
pristine="${1:-$build/cleanroot}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
[[ $(id -u) -eq 0 ]] || { echo "test-deb-install: needs root (chroot)" >&2; exit 1; }

"$root/packaging/build.sh" --target torchcanvas
(cd "$build" && cpack -G DEB >/dev/null)
deb=$(ls -t "$build"/torchcanvas_*.deb | head -n 1)
echo "test-deb-install: package $(basename "$deb")"
dpkg-deb --field "$deb" Depends | tr ',' '\n' | sed 's/^ */  depends: /'

if [[ ! -x "$pristine/usr/bin/apt-get" ]]; then
    command -v debootstrap >/dev/null || apt-get install -y -qq debootstrap
    echo "test-deb-install: making a clean Debian 12 root in $pristine"
    debootstrap --variant=minbase bookworm "$pristine" "$mirror" >/dev/null
fi
work="$build/cleanroot-test"
rm -rf "$work"
cp -a "$pristine" "$work"
mount -t proc proc "$work/proc"
mkdir -p "$work/dev/pts" && mount --bind /dev/pts "$work/dev/pts"
trap 'umount "$work/dev/pts" "$work/proc" 2>/dev/null || true' EXIT
cp "$deb" "$work/tmp/"
cp /etc/resolv.conf "$work/etc/resolv.conf" 2>/dev/null || true
in_root() { chroot "$work" /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin \
    LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive QT_QPA_PLATFORM=offscreen "$@"; }

echo "test-deb-install: apt-get install ./$(basename "$deb") in the clean root"
in_root apt-get update -qq
in_root apt-get install -y -qq --no-install-recommends "/tmp/$(basename "$deb")" >/dev/null
in_root torchcanvas --version

fail() { echo "test-deb-install: FAILED: $*" >&2; exit 1; }
for file in /usr/bin/torchcanvas \
            /usr/share/applications/io.github.torchcanvas.TorchCanvas.desktop \
            /usr/share/metainfo/io.github.torchcanvas.TorchCanvas.metainfo.xml \
            /usr/share/mime/packages/io.github.torchcanvas.TorchCanvas.xml \
            /usr/share/icons/hicolor/scalable/apps/torchcanvas.svg \
            /usr/share/torchcanvas/examples/breast-cancer.tcproj; do
    [[ -e "$work$file" ]] || fail "$file is not installed"
done
extra=$(in_root dpkg -L torchcanvas | grep -E '/runs(/|$)|demo-data' || true)
[[ -z "$extra" ]] || fail "the package contains run folders or data: $extra"

echo "test-deb-install: setting up the example and training it for two epochs"
in_root bash -ec 'cd /root
    torchcanvas demo-data example --benign 40 --malignant 60 --size 350x230 --patients 12 \
        --quiet --with-project
    torchcanvas train example/breast-cancer.tcproj --epochs 2 --out example/run'
[[ -f "$work/root/example/run/report.json" ]] || fail "the training wrote no report.json"
grep -q '"reason": "completed"' "$work/root/example/run/report.json" \
    || fail "the training did not complete"
echo "test-deb-install: passed"
