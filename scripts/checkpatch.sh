#!/bin/sh
# Run the kernel's checkpatch.pl on the module sources. It comes from
# Debian's linux-source package (unpacked into build/ on first use) or from
# CHECKPATCH=/path/to/checkpatch.pl.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cp=${CHECKPATCH:-}
if [ -z "$cp" ]; then
	cp=$(ls "$top"/build/linux-source-*/scripts/checkpatch.pl 2>/dev/null | head -n 1)
fi
if [ -z "$cp" ]; then
	tarball=$(ls /usr/src/linux-source-*.tar.* 2>/dev/null | sort -V | tail -n 1)
	[ -n "$tarball" ] || { echo "checkpatch: install linux-source (make deps)" >&2; exit 1; }
	mkdir -p "$top/build"
	tar -C "$top/build" -xf "$tarball" --wildcards '*/scripts/*' '*/.clang-format'
	cp=$(ls "$top"/build/linux-source-*/scripts/checkpatch.pl | head -n 1)
fi
"$cp" --no-tree --strict --ignore SPDX_LICENSE_TAG,FILE_PATH_CHANGES,NEW_TYPEDEFS \
	-f "$top"/kmod/*.c "$top"/kmod/*.h "$top"/include/uapi/replcopy.h
