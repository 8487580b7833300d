#!/bin/bash
# timeout: 420
# suite: extended
# The Debian packages, as an operator uses them. The two .deb files that
# make deb built on the host (build/deb/; skipped when they are missing)
# are installed with dpkg -i: DKMS builds the module for the running
# kernel (dkms status, and modinfo -k finds the DKMS-built file, which
# modprobe loads). replcopy.service is then run as systemd would run it,
# from the installed unit file (the guest has no systemd): its
# Assert/ConditionPathExists= checked, its ExecStart= lines run in order
# (a "-" prefix ignores a failure), and so ExecReload= and ExecStop=. The
# shipped config file (all comments) loads the module and adds no mapping;
# one with a mapping adds it; a reload after a change of target replaces
# it; stop unloads the module. dpkg --purge then removes the DKMS module,
# its source, the tool, the unit and the config file. Unlike the other
# scenarios this one never loads REPLCOPY_KO / the tree's replcopy.ko.
# Under TCG the DKMS build and the two depmod runs (install, purge) take
# most of the time: each step's time is logged. Alone on the host
# (2026-12-07): 234 s (dpkg -i 186 s, of which the DKMS build 129 s;
# purge 27 s). Beside two other VMs on two host cores (2026-12-05) it
# took 667-905 s, and ran out of 900 s under heavier load: run it alone.
# Extended suite (make test-full, or tests/run.sh --vm-only
# frame-packages), as make test has no four minutes to spare in CI's 90:
# .ci/run runs it after make test.
source "$(dirname "$0")/../lib.sh"
dmesg_mark
kver=$(uname -r)
debs=$TOP/build/deb
ctl_deb=$(compgen -G "$debs/replctl_*.deb" | head -n 1)
dkms_deb=$(compgen -G "$debs/replcopy-dkms_*_all.deb" | head -n 1)
[ -n "$ctl_deb" ] && [ -n "$dkms_deb" ] ||
	skip "no replctl_*.deb and replcopy-dkms_*_all.deb in build/deb/: run make deb on the host first (make test runs it in its unit tests)"
command -v dkms >/dev/null || skip "dkms missing (make deps)"
[ -e "/lib/modules/$kver/build" ] ||
	skip "no headers for the guest's kernel $kver (/lib/modules/$kver/build): DKMS cannot build"
for p in replctl replcopy-dkms; do
	! dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q ' installed$' ||
		die "$p is already installed on this machine: this test installs and purges it"
done
[ ! -d /sys/module/replcopy ] || rmmod replcopy || die "rmmod replcopy (before the test)"
on_exit module_unload

ver=$(dpkg-deb -f "$ctl_deb" Version)
uver=${ver%-*}
log "packages: $(basename "$ctl_deb") $(basename "$dkms_deb")"
unit=/lib/systemd/system/replcopy.service
conf=/etc/replcopy/replcopy.conf

# --- dpkg -i: DKMS builds the module ----------------------------------------

# stamp: each line of standard input with the seconds since $t0.
stamp() {
	local l
	while IFS= read -r l; do printf '%4ds %s\n' $((SECONDS - t0)) "$l"; done
}
# man-db's trigger would index the whole manual here, over 9p under TCG.
# Without this file it does not (what debconf's man-db/auto-update=false
# does); the guest's root is a throwaway overlay.
rm -f /var/lib/man-db/auto-update
t0=$SECONDS
dpkg -i "$dkms_deb" "$ctl_deb" 2>&1 | stamp >"$WORK/install.log"
rc=${PIPESTATUS[0]}
took=$((SECONDS - t0))
sed 's/^/# dpkg -i: /' "$WORK/install.log"
if [ "$rc" != 0 ]; then
	f=/var/lib/dkms/replcopy/$uver/build/make.log
	[ ! -f "$f" ] || tail -n 40 "$f" | sed 's/^/# make.log: /'
	die "dpkg -i of both packages failed (exit $rc)"
fi
# DKMS's make.log: its second line is the date the build started; it is
# moved into place when the build ends.
mklog=/var/lib/dkms/replcopy/$uver/$kver/$(uname -m)/log/make.log
if [ -f "$mklog" ] && start=$(date -d "$(sed -n 2p "$mklog")" +%s 2>/dev/null); then
	log "dpkg -i of both packages took ${took}s, of which the DKMS build $(($(stat -c %Y "$mklog") - start))s"
else
	log "dpkg -i of both packages took ${took}s (no DKMS make.log at $mklog)"
fi
for p in replctl replcopy-dkms; do
	check_eq "$p installed" "install ok installed" "$(dpkg-query -W -f '${Status}' "$p" 2>&1)"
done
# From here on, the packaged replctl (lib.sh's replctl runs $REPLCTL).
# shellcheck disable=SC2034 # lib.sh's replctl runs it
REPLCTL=/usr/sbin/replctl
check "dkms status: replcopy $uver installed for $kver" \
	grep -q "^replcopy/$uver, $kver, .*: installed" <<<"$(dkms status -m replcopy -v "$uver" -k "$kver" 2>&1)"
log "dkms status: $(dkms status -m replcopy 2>&1 | paste -sd';')"
built=$(compgen -G "/var/lib/dkms/replcopy/$uver/$kver/*/module/replcopy.ko*" | head -n 1)
file=$(modinfo -k "$kver" -F filename replcopy 2>/dev/null)
log "modinfo -k $kver: $file; DKMS built $built"
check "the module modinfo finds is under /lib/modules/$kver/updates/dkms/" \
	grep -q "^/lib/modules/$kver/updates/dkms/replcopy\.ko" <<<"$file"
check "it is the file DKMS built" cmp -s "$built" "$file"
check_eq "its version" "$uver" "$(modinfo -k "$kver" -F version replcopy 2>/dev/null)"
check_eq "its vermagic names the running kernel" "$kver" \
	"$(modinfo -k "$kver" -F vermagic replcopy 2>/dev/null | cut -d' ' -f1)"
# (It prints the options too: the guest's kernel command line has a
# replcopy.guest= for guest-init, which modprobe passes on; the module
# ignores it.)
check_eq "modprobe would load that file" "insmod $file" \
	"$(modprobe --show-depends replcopy 2>/dev/null | awk '/\/replcopy\.ko/ { print $1, $2 }')"
check "unit installed" test -f "$unit"
check_empty "shipped config: no active line" "$(grep -v '^#' "$conf")"
check "the unit is not enabled" test ! -e /etc/systemd/system/multi-user.target.wants/replcopy.service

# --- replcopy.service, from its unit file ---------------------------------

# unit_run KEY: run the KEY= command lines of the installed unit in order,
# as systemd does: the first failure stops them, unless the line starts
# with "-". Other prefixes are not expected in this unit.
unit_run() {
	local key=$1 line ignore rc argv
	while IFS= read -r line; do
		ignore=0
		case $line in
		-*) ignore=1 line=${line#-} ;;
		[@+!:]*) fail "$key=$line: prefix not handled here"; return 1 ;;
		esac
		read -ra argv <<<"$line"
		rc=0
		"${argv[@]}" </dev/null >"$WORK/cmd.out" 2>&1 || rc=$?
		log "$key=$line: exit $rc$([ $ignore = 0 ] || echo ' (- ignores it)')"
		sed 's/^/#   /' "$WORK/cmd.out"
		[ "$rc" = 0 ] || [ "$ignore" = 1 ] || return "$rc"
	done < <(sed -n "s/^$key=//p" "$unit")
}
# unit_start: the unit's Assert/ConditionPathExists=, then ExecStart=.
unit_start() {
	local p
	for p in $(sed -n 's/^\(Assert\|Condition\)PathExists=//p' "$unit"); do
		[ -e "$p" ] || { log "PathExists=$p: missing"; return 1; }
	done
	unit_run ExecStart
}
# mappings: "ONLINE>TARGET" of every mapping of the init netns.
mappings() {
	json_get "$(replctl list --json)" '" ".join(m["online"] + ">" + m["target"] for m in j)'
}

check_eq "ExecStart= lines" "/sbin/modprobe replcopy|/usr/sbin/replctl apply $conf" \
	"$(sed -n 's/^ExecStart=//p' "$unit" | paste -sd'|')"
check "start with the shipped config" unit_start
check "module loaded" test -d /sys/module/replcopy
check_empty "no mapping" "$(mappings)"
check "stop" unit_run ExecStop
check "module unloaded" test ! -d /sys/module/replcopy

cat >"$conf" <<EOF
# written by frame-packages.sh
add 11311 10.0.2.2:11511
EOF
check "start with a config of one mapping" unit_start
check_eq "replctl list shows the mapping" "*:11311>10.0.2.2:11511" "$(mappings)"
check_eq "replctl stats works" 0 "$(replctl stats >/dev/null; echo $?)"
sed -i 's/10\.0\.2\.2:11511/10.0.2.3:11511/' "$conf"
check "reload after a change of target" unit_run ExecReload
check_eq "replctl list shows the new target" "*:11311>10.0.2.3:11511" "$(mappings)"
check "stop" unit_run ExecStop
check "module unloaded" test ! -d /sys/module/replcopy

# --- dpkg --purge -----------------------------------------------------------

t0=$SECONDS
dpkg --purge replctl replcopy-dkms 2>&1 | stamp >"$WORK/purge.log"
rc=${PIPESTATUS[0]}
sed 's/^/# dpkg --purge: /' "$WORK/purge.log"
[ "$rc" = 0 ] || fail "dpkg --purge replctl replcopy-dkms: exit $rc"
log "dpkg --purge took $((SECONDS - t0))s"
check_empty "dkms status: no replcopy" "$(dkms status -m replcopy 2>/dev/null)"
check "DKMS-built module gone" test ! -e "$file"
check "modinfo -k $kver finds no replcopy" sh -c "! modinfo -k $kver replcopy >/dev/null 2>&1"
for f in "/usr/src/replcopy-$uver" /var/lib/dkms/replcopy /usr/sbin/replctl "$unit" "$conf" /etc/replcopy; do
	check "$f gone" test ! -e "$f"
done
for p in replctl replcopy-dkms; do
	st=$(dpkg-query -W -f '${db:Status-Status}' "$p" 2>/dev/null)
	check_empty "$p purged (dpkg status: ${st:-none})" "${st#not-installed}"
done
check_dmesg_clean
finish
