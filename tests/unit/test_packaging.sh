#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# test_packaging.sh - replcopy.service, the example config file, make
# install of both, and the Debian packages (make deb), on the host:
#   - make -C user install into a scratch prefix; systemd-analyze verify of
#     the installed unit prints nothing (its replctl path exists there, and
#     MANPATH finds the man page its Documentation= names);
#   - install keeps a changed config file, uninstall removes only an
#     unchanged one;
#   - the shipped config file has no active line, and its examples are
#     valid lines (replctl apply, as nobody, gets past the file: exit 1,
#     not 2);
#   - make deb builds replcopy-dkms and replctl, whose contents, conffile,
#     versions and dependencies are checked, with no lintian error.
# Skips (ok ... # SKIP) when the packaging tools are missing (make deps).
#
# Usage: tests/unit/test_packaging.sh [path/to/replctl]   (default: user/replctl)

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
R=${1:-$top/user/replctl}
case $R in /*) ;; *) R=$(pwd)/$R ;; esac
[ -x "$R" ] || { echo "test_packaging.sh: no replctl at $R (make -C user)"; exit 1; }

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
pass=0
fail=0
n=0

ok()   { n=$((n + 1)); pass=$((pass + 1)); echo "ok $n - $1"; }
nok()  { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $1"; }
# check DESCRIPTION COMMAND...: the command must succeed.
check() {
	what=$1
	shift
	if "$@"; then ok "$what"; else nok "$what"; fi
}
indent() { sed 's/^/#   /'; }
done_() {
	echo "# test_packaging.sh: $n tests, $pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit
}

missing=
for t in systemd-analyze dpkg-buildpackage dpkg-deb dh dh_dkms lintian git; do
	command -v "$t" >/dev/null || missing="$missing $t"
done
if [ -n "$missing" ]; then
	n=$((n + 1))
	echo "ok $n - packaging # SKIP missing:$missing (make deps)"
	done_
fi

# --- make install, and the unit as installed --------------------------------

root=$tmp/root
inst() {
	make -s -C "$top/user" "$@" PREFIX="$root/usr" \
		UNITDIR="$root/lib/systemd/system" CONFDIR="$root/etc/replcopy" \
		SYSTEMCTL=: >"$tmp/make.out" 2>&1
}
unit=$root/lib/systemd/system/replcopy.service
conf=$root/etc/replcopy/replcopy.conf
if inst install; then ok "make -C user install (scratch prefix)"; else
	nok "make -C user install (scratch prefix)"; indent <"$tmp/make.out"; fi
check "unit installed" test -f "$unit"
check "example config installed" cmp -s "$top/systemd/replcopy.conf" "$conf"
check "unit's replctl path rewritten to SBINDIR" \
	grep -qx "ExecStart=$root/usr/sbin/replctl apply /etc/replcopy/replcopy.conf" "$unit"

# verify: the man page of Documentation= is looked up with man(1).
verify() {
	MANPATH=$root/usr/share/man systemd-analyze verify "$1" >"$tmp/verify" 2>&1
	vrc=$?
}
verify "$unit"
if [ "$vrc" = 0 ] && [ ! -s "$tmp/verify" ]; then
	ok "systemd-analyze verify: no error, no warning"
else
	nok "systemd-analyze verify: exit $vrc"
	indent <"$tmp/verify"
fi
# The same check must see a broken unit (else it proves nothing).
sed 's|^ExecStop=.*replctl|ExecStop=/nonexistent/replctl|' "$unit" \
	>"$tmp/replcopy.service"
verify "$tmp/replcopy.service"
if grep -q 'nonexistent/replctl' "$tmp/verify"; then
	ok "systemd-analyze verify reports a missing ExecStop= command"
else
	nok "systemd-analyze verify did not report a missing ExecStop= command (exit $vrc)"
	indent <"$tmp/verify"
fi
for k in Type=oneshot RemainAfterExit=yes AssertPathExists=/etc/replcopy/replcopy.conf \
	'ExecStart=/sbin/modprobe replcopy' 'ExecStop=-/sbin/modprobe -r replcopy' \
	'Documentation=man:replctl(8)' WantedBy=multi-user.target; do
	check "unit has $k" grep -qxF "$k" "$top/systemd/replcopy.service"
done

echo '# changed' >>"$conf"
cp "$conf" "$tmp/conf.changed"
inst install
check "install again keeps a changed config file" cmp -s "$tmp/conf.changed" "$conf"
inst uninstall
check "uninstall removes the unit and replctl" \
	test ! -e "$unit" -a ! -e "$root/usr/sbin/replctl"
check "uninstall keeps a changed config file" cmp -s "$tmp/conf.changed" "$conf"
rm -f "$conf"
inst install
inst uninstall
check "uninstall removes an unchanged config file and its directory" \
	test ! -e "$root/etc/replcopy"

# --- the config file --------------------------------------------------------

check "shipped config: every line a comment" \
	test -z "$(grep -v '^#' "$top/systemd/replcopy.conf")"
sed -n 's/^#\(set\|add\) /\1 /p' "$top/systemd/replcopy.conf" >"$tmp/examples.conf"
check "shipped config: has set and add examples" \
	test "$(cut -d' ' -f1 "$tmp/examples.conf" | sort -u | paste -sd' ')" = "add set"
chmod 644 "$tmp/examples.conf"
printf 'add 70000 10.0.0.31:11511\n' >"$tmp/bad.conf"
chmod 644 "$tmp/bad.conf"
# apply checks the whole file before it talks to the kernel: 2 for a bad
# line, 1 when only the module is missing. As nobody, with no capability,
# so that it cannot load a module nor change anything on this host.
as_nobody() {
	if [ "$(id -u)" = 0 ]; then
		setpriv --reuid=65534 --regid=65534 --clear-groups \
			--inh-caps=-all --bounding-set=-all "$@"
	else
		"$@"
	fi
}
for f in "$top/systemd/replcopy.conf" "$tmp/examples.conf" "$tmp/bad.conf"; do
	case $f in *bad.conf) want=2 ;; *) want=1 ;; esac
	as_nobody "$R" apply "$f" >/dev/null 2>"$tmp/err"
	rc=$?
	if [ "$rc" = "$want" ]; then
		ok "replctl apply $(basename "$f") (checks every line) -> $want"
	else
		nok "replctl apply $(basename "$f") -> $rc, want $want"
		indent <"$tmp/err"
	fi
done

# --- make deb ---------------------------------------------------------------

t0=$(date +%s)
make -s -C "$top" deb >"$tmp/deb.out" 2>&1
rc=$?
took=$(($(date +%s) - t0))
grep -E '^make deb: (built|lintian)' "$tmp/deb.out" | sed 's/^/# /'
if [ "$rc" = 0 ]; then ok "make deb (${took}s)"; else
	nok "make deb: exit $rc (${took}s)"; tail -n 30 "$tmp/deb.out" | indent; fi

out=$top/build/deb
ctl=$(ls "$out"/replctl_*.deb 2>/dev/null | head -n 1)
dkms=$(ls "$out"/replcopy-dkms_*_all.deb 2>/dev/null | head -n 1)
check "build/deb/replctl_*.deb built" test -f "$ctl"
check "build/deb/replcopy-dkms_*_all.deb built" test -f "$dkms"
[ -f "$ctl" ] && [ -f "$dkms" ] || done_

ver=$(dpkg-deb -f "$ctl" Version)
uver=${ver%-*}
check "both packages have version $ver" test "$(dpkg-deb -f "$dkms" Version)" = "$ver"
dpkg-deb -c "$ctl" | awk '{ print $6 }' >"$tmp/ctl.files"
dpkg-deb -c "$dkms" | awk '{ print $6 }' >"$tmp/dkms.files"
for f in usr/sbin/replctl usr/share/man/man8/replctl.8.gz \
	usr/share/bash-completion/completions/replctl \
	lib/systemd/system/replcopy.service etc/replcopy/replcopy.conf; do
	check "replctl package has /$f" grep -qx "\./$f" "$tmp/ctl.files"
done
check "replctl package: /etc/replcopy/replcopy.conf is a conffile" \
	test "$(dpkg-deb -I "$ctl" conffiles)" = /etc/replcopy/replcopy.conf
dpkg-deb --fsys-tarfile "$ctl" | tar -xf - -C "$tmp" ./lib/systemd/system/replcopy.service \
	./etc/replcopy/replcopy.conf
check "packaged unit is systemd/replcopy.service" \
	cmp -s "$top/systemd/replcopy.service" "$tmp/lib/systemd/system/replcopy.service"
check "packaged config is systemd/replcopy.conf" \
	cmp -s "$top/systemd/replcopy.conf" "$tmp/etc/replcopy/replcopy.conf"
dep=$(dpkg-deb -f "$ctl" Depends)
echo "# replctl Depends: $dep"
check "replctl depends on libmnl0 and libkmod2" \
	sh -c 'case "$1" in *libmnl0*) case "$1" in *libkmod2*) ;; *) exit 1 ;; esac ;; *) exit 1 ;; esac' \
	- "$dep"
check "replctl recommends replcopy-dkms" \
	test "$(dpkg-deb -f "$ctl" Recommends)" = replcopy-dkms

src=usr/src/replcopy-$uver
for f in dkms.conf Kbuild include/uapi/replcopy.h \
	$(cd "$top" && git ls-files kmod); do
	check "replcopy-dkms has /$src/$f" grep -qx "\./$src/$f" "$tmp/dkms.files"
done
check "replcopy-dkms: dkms.conf's PACKAGE_VERSION is $uver" \
	test "$(dpkg-deb --fsys-tarfile "$dkms" | tar -xOf - "./$src/dkms.conf" |
		sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p')" = "$uver"
check "replcopy-dkms depends on dkms" \
	sh -c 'case "$1" in dkms*) ;; *) exit 1 ;; esac' - "$(dpkg-deb -f "$dkms" Depends)"

if [ -f "$out/lintian.txt" ]; then
	errors=$(grep -c '^E: ' "$out/lintian.txt")
	check "lintian: no error ($errors)" test "$errors" = 0
	grep -E '^[EW]: ' "$out/lintian.txt" | indent
else
	nok "lintian ran (no $out/lintian.txt)"
fi
done_
