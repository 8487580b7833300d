#!/bin/sh
# Register replcopy's source with DKMS, build and install it for the running
# kernel; DKMS then rebuilds it on every kernel upgrade.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$top/dkms.conf")
src=/usr/src/replcopy-$ver
command -v dkms >/dev/null || { echo "dkms-install: dkms missing (apt-get install dkms)" >&2; exit 1; }
rm -rf "$src"
mkdir -p "$src"
cp -r "$top/Kbuild" "$top/dkms.conf" "$top/kmod" "$top/include" "$src/"
dkms add -m replcopy -v "$ver" 2>/dev/null || true
dkms build -m replcopy -v "$ver"
dkms install -m replcopy -v "$ver"
