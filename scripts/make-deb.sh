#!/bin/bash
# make deb: build the Debian packages replcopy-dkms and replctl out of tree.
#
# The files git knows (tracked, as they are in the working tree, so
# uncommitted changes to them are included; untracked files are not) are
# copied to build/deb-src/replcopy-VERSION, dpkg-buildpackage -b builds
# there, and the .deb, .buildinfo and .changes files land in build/deb/
# (DEB_OUT=DIR elsewhere). lintian then checks them: an error fails, the
# other tags are printed. Nothing is built in the source tree itself.
# The build's log: build/deb-src/build.log; lintian's: build/deb/lintian.txt.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out=${DEB_OUT:-$top/build/deb}
stage=$top/build/deb-src

for t in git dpkg-buildpackage dpkg-parsechangelog dh dh_dkms lintian; do
	command -v "$t" >/dev/null ||
		{ echo "make deb: $t missing (make deps)" >&2; exit 1; }
done
git rev-parse --git-dir >/dev/null 2>&1 ||
	{ echo "make deb: $top is not a git work tree: the files to package are the ones git lists" >&2; exit 1; }

ver=$(dpkg-parsechangelog -S Version)
src=$stage/replcopy-${ver%-*}
t0=$SECONDS
rm -rf "$stage"
mkdir -p "$src"
git ls-files -z | while IFS= read -r -d '' f; do
	# A tracked file deleted in the working tree is left out.
	if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\0' "$f"; fi
done | tar --null -T - -cf - | tar -xf - -C "$src"

echo "make deb: building replcopy $ver in ${src#"$top"/}"
# No -dbgsym package: the two packages are the product.
export DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS:+$DEB_BUILD_OPTIONS }noautodbgsym"
if ! (cd "$src" && dpkg-buildpackage -us -uc -b -J) >"$stage/build.log" 2>&1; then
	tail -n 40 "$stage/build.log"
	echo "make deb: dpkg-buildpackage failed (whole log: ${stage#"$top"/}/build.log)" >&2
	exit 1
fi
rm -rf "$out"
mkdir -p "$out"
mv "$stage"/*.deb "$stage"/*.buildinfo "$stage"/*.changes "$out"/
ls -l "$out"
echo "make deb: built in $((SECONDS - t0))s"

# lintian on the .changes checks both packages and the .buildinfo.
t1=$SECONDS
rc=0
lintian --fail-on error --display-info "$out"/replcopy_"$ver"_*.changes \
	>"$out/lintian.txt" 2>&1 || rc=$?
sed 's/^/lintian: /' "$out/lintian.txt"
tags() { grep -c "^$1: " "$out/lintian.txt" || true; }
echo "make deb: lintian ($((SECONDS - t1))s): $(tags E) errors, $(tags W) warnings, $(tags I) info"
if [ "$rc" != 0 ]; then
	echo "make deb: lintian failed (exit $rc): see above" >&2
	exit 1
fi
