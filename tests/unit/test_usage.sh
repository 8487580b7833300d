#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# test_usage.sh - replctl's command line without the kernel module: usage
# errors exit 2 with a message that names the bad argument and the fix,
# and are found before any netlink or libkmod access; -h works for every
# subcommand.
#
# Usage: tests/unit/test_usage.sh [path/to/replctl]   (default: user/replctl)

here=$(cd "$(dirname "$0")" && pwd)
R=${1:-$here/../../user/replctl}
case $R in /*) ;; *) R=$(pwd)/$R ;; esac
[ -x "$R" ] || { echo "test_usage.sh: no replctl at $R (make -C user)"; exit 1; }

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
n=0

ok()   { n=$((n + 1)); pass=$((pass + 1)); echo "ok $n - $1"; }
nok()  { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $1"; }

# run ARGS...: status in $rc, output in $tmp/out and $tmp/err
run() {
	"$R" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

# usage_err "EXPECTED STDERR LINE" ARGS...
usage_err() {
	want=$1
	shift
	run "$@"
	got=$(cat "$tmp/err")
	if [ "$rc" -eq 2 ] && [ "$got" = "$want" ] && [ ! -s "$tmp/out" ]; then
		ok "replctl $* -> 2"
	else
		nok "replctl $* -> 2"
		echo "#   status: $rc (want 2)"
		echo "#   stderr: $got"
		echo "#   want:   $want"
	fi
}

# --- usage errors: exit 2, one line naming the argument and the fix ---------

usage_err 'replctl: add: PORT "70000" out of range: use 1-65535' \
	add 70000 1.2.3.4:5
usage_err 'replctl: add: PORT "0" out of range: use 1-65535' \
	add 0 10.0.0.31:11511
usage_err 'replctl: add: TARGET "10.0.0.31" has no port: write it as IP:PORT, e.g. 10.0.0.31:11511' \
	add 11311 10.0.0.31
usage_err 'replctl: add: TARGET port "65536" out of range: use 1-65535' \
	add 11311 10.0.0.31:65536
usage_err 'replctl: add: TARGET address "10.0.0.300" is not an IPv4 address: write it as a.b.c.d, e.g. 10.0.0.31' \
	add 11311 10.0.0.300:80
usage_err 'replctl: add: TARGET address "test.example" is not an IPv4 address (host names are not resolved): write it as a.b.c.d, e.g. 10.0.0.31' \
	add 11311 test.example:80
usage_err 'replctl: add: missing TARGET: write replctl add 11311 TARGET_IP:PORT, e.g. replctl add 11311 10.0.0.31:11511' \
	add 11311
usage_err 'replctl: add: missing PORT and TARGET: write replctl add [ONLINE_IP:]PORT TARGET_IP:PORT, e.g. replctl add 11311 10.0.0.31:11511' \
	add
usage_err 'replctl: add: --source "server" is not valid: use auto or client' \
	add 11311 10.0.0.31:11511 --source server
usage_err 'replctl: add: --pacing "wait" is not valid: use stream or response' \
	add 11311 10.0.0.31:11511 --pacing=wait
usage_err 'replctl: add: --copies "0" out of range: use 1-16' \
	add 11311 10.0.0.31:11511 --copies 0
usage_err 'replctl: add: --copies "17" out of range: use 1-16' \
	add 11311 10.0.0.31:11511 --copies=17
usage_err 'replctl: add: --copies 2 with --source client: every copy would take the client'"'"'s own address and port toward the same target, where only one can be; use --copies 1, or --source auto to make copies' \
	add 11311 10.0.0.31:11511 --source client --copies 2
usage_err 'replctl: add: TARGET "10.0.0.31:11511" is given twice (targets 1 and 2): give each target once; to replay each connection several times to one target, use --copies N' \
	add 11311 10.0.0.31:11511 10.0.0.31:11511
usage_err 'replctl: add: too many targets: "10.0.0.9:80" would be target 9, a mapping has at most 8; give at most 8 TARGET_IP:PORT' \
	add 80 10.0.0.1:80 10.0.0.2:80 10.0.0.3:80 10.0.0.4:80 10.0.0.5:80 10.0.0.6:80 10.0.0.7:80 10.0.0.8:80 10.0.0.9:80
usage_err 'replctl: add: TARGET address "10.0.0.300" is not an IPv4 address: write it as a.b.c.d, e.g. 10.0.0.31' \
	add 80 10.0.0.31:80 10.0.0.300:80
usage_err 'replctl: add: unexpected argument "client": add takes [ONLINE_IP:]PORT TARGET_IP:PORT [TARGET_IP:PORT...] and options; see replctl add -h' \
	add 80 10.0.0.31:80 client
usage_err 'replctl: add: TARGET "fd00::31:11511" looks like an IPv6 address without brackets: write it as [IPv6]:PORT, e.g. [fd00::31]:11511' \
	add 8080 fd00::31:11511
usage_err 'replctl: add: TARGET "[fd00::31]" has no port: write it as [IPv6]:PORT, e.g. [fd00::31]:11511' \
	add 8080 '[fd00::31]'
usage_err 'replctl: add: ONLINE_IP "::ffff:10.0.0.5" is an IPv4-mapped IPv6 address: give the IPv4 address itself (10.0.0.5), without brackets' \
	add '[::ffff:10.0.0.5]:80' 10.0.0.31:80
usage_err 'replctl: add: --source client with TARGET "10.0.0.31:80" (IPv4) and TARGET "[fd00::31]:80" (IPv6): the replayed connections take the client'"'"'s own address, so the online address and every target must be of one family; use --source auto to replay across families' \
	add 80 10.0.0.31:80 '[fd00::31]:80' --source client
usage_err 'replctl: del: PORT "[fd00::5:80" has no closing '"']'"': write it as [IPv6]:PORT, e.g. [fd00::5]:11311' \
	del '[fd00::5:80'
usage_err 'replctl: del: nothing to delete: give [ONLINE_IP:]PORT, --id ID or --all, e.g. replctl del 11311' \
	del
usage_err 'replctl: del: give only one of [ONLINE_IP:]PORT, --id ID and --all' \
	del 11311 --all
usage_err 'replctl: del: --id "one" is not a number: use 1-4294967295' \
	del --id one
usage_err 'replctl: list: unexpected argument "all": list takes no arguments, only --json' \
	list all
usage_err 'replctl: stats: -c COUNT needs -i SECONDS: write e.g. replctl stats -i 1 -c 3' \
	stats -c 3
usage_err 'replctl: stats: -i "0" out of range: use 0.1-86400 seconds' \
	stats -i 0
usage_err 'replctl: stats: --prometheus and --json are two output formats: give only one of them, e.g. replctl stats --prometheus' \
	stats --prometheus --json
usage_err 'replctl: stats: --prometheus prints the counters once: leave out -i (Prometheus computes rates itself), e.g. replctl stats --prometheus' \
	stats --prometheus -i 1
usage_err 'replctl: stats: --prometheus prints the counters once: leave out -c (Prometheus computes rates itself), e.g. replctl stats --prometheus' \
	stats -c 3 --prometheus
usage_err 'replctl: stats: --write FILE needs --prometheus: write replctl stats --prometheus --write /tmp/replcopy.prom' \
	stats --write /tmp/replcopy.prom
usage_err 'replctl: sessions: --id "x" is not a number: use 1-4294967295' \
	sessions --id x
usage_err 'replctl: set: worker "threads" is not valid: use wq or kthread' \
	set worker threads
usage_err 'replctl: set: syn-retries "11" out of range: use 1-10' \
	set syn-retries 11
usage_err 'replctl: set: setting "max-sessions" needs a value: e.g. replctl set max-sessions 10000' \
	set max-sessions
usage_err 'replctl: set: nothing to set: give KEY VALUE pairs, e.g. replctl set worker kthread' \
	set
usage_err 'replctl: show: unknown option "--yaml": see replctl show -h' \
	show --yaml
usage_err 'replctl: version: unexpected argument "full": version takes no arguments, only --json' \
	version full
usage_err 'replctl: monitor: unknown option "--follow": see replctl monitor -h' \
	monitor --follow
usage_err 'replctl: monitor: unknown option "-x": see replctl monitor -h' \
	monitor -x
usage_err 'replctl: monitor: unexpected argument "sessions": monitor takes no arguments, only --json' \
	monitor sessions
usage_err 'replctl: monitor: option "--json" takes no value: write it as --json alone' \
	monitor --json=yes
usage_err 'replctl: save: unexpected argument "all": save takes no arguments, it prints the configuration; to keep it write replctl save > /etc/replcopy/replcopy.conf' \
	save all
usage_err 'replctl: save: unknown option "--json": see replctl save -h' \
	save --json
usage_err 'replctl: apply: missing FILE: write replctl apply FILE, or replctl apply - to read standard input, e.g. replctl apply /etc/replcopy/replcopy.conf' \
	apply
usage_err 'replctl: apply: unexpected argument "b.conf": apply takes one FILE (- for standard input)' \
	apply a.conf b.conf
usage_err 'replctl: apply: FILE is empty: give the config file'"'"'s name, e.g. replctl apply /etc/replcopy/replcopy.conf' \
	apply ''
usage_err 'replctl: apply: unknown option "--dry-run": see replctl apply -h' \
	apply --dry-run x.conf
usage_err "replctl: apply: $tmp/none.conf: cannot open: No such file or directory" \
	apply "$tmp/none.conf"
usage_err 'replctl: unknown command "lsit": use one of add, del, list, stats, sessions, monitor, set, show, save, apply, version, help (see replctl -h)' \
	lsit
usage_err 'replctl: unknown option "--json": options go after the command, e.g. replctl list --json (see replctl -h)' \
	--json list
usage_err 'replctl: help: unexpected argument "del": write replctl help COMMAND' \
	help add del

# --- apply: every line is checked before anything else ---------------------
# A bad line: "FILE:LINE: <the parser's message>", status 2, before any
# netlink access (so the same with or without the module).
printf '# replcopy\n\nadd 70000 10.0.0.31:11511\n' > "$tmp/bad.conf"
usage_err "replctl: apply: $tmp/bad.conf:3: PORT \"70000\" out of range: use 1-65535" \
	apply "$tmp/bad.conf"
printf 'set worker wq\nadd 11311 10.0.0.31:11511\ndel 9000\n' > "$tmp/del.conf"
usage_err "replctl: apply: $tmp/del.conf:3: del lines are not allowed: apply deletes every mapping the file does not add; remove the line" \
	apply "$tmp/del.conf"
printf 'add 80 10.0.0.31:80 10.0.0.32:80 --copies 2 --source client\n' > "$tmp/copies.conf"
usage_err "replctl: apply: $tmp/copies.conf:1: --copies 2 with --source client: every copy would take the client's own address and port toward the same target, where only one can be; use --copies 1, or --source auto to make copies" \
	apply "$tmp/copies.conf"
printf 'set worker wq\nset syn-retries 3 worker kthread\n' > "$tmp/twice.conf"
usage_err "replctl: apply: $tmp/twice.conf:2: setting \"worker\" is already set on line 1: give each setting once" \
	apply "$tmp/twice.conf"
# Standard input is named <stdin>.
printf 'add 11311 10.0.0.31:11511\nlist\n' | "$R" apply - >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 2 ] && [ ! -s "$tmp/out" ] &&
   [ "$(cat "$tmp/err")" = 'replctl: apply: <stdin>:2: list cannot be used in a config file: it holds only set and add lines' ]; then
	ok "replctl apply - (a bad line on stdin) -> 2"
else
	nok "replctl apply - (a bad line on stdin) -> 2 (status $rc)"
	sed 's/^/#   /' "$tmp/err"
fi

# No command at all: the overview on stderr, status 2.
run
if [ "$rc" -eq 2 ] && grep -q '^Usage: replctl COMMAND' "$tmp/err"; then
	ok "replctl (no command) -> 2"
else
	nok "replctl (no command) -> 2 (got $rc)"
fi

# --- usage errors come before any netlink or libkmod access ---------------

if command -v strace >/dev/null 2>&1 &&
   strace -f -qq -o /dev/null true >/dev/null 2>&1; then
	strace -f -qq -e trace=socket,finit_module,init_module \
		-o "$tmp/trace" "$R" add 70000 1.2.3.4:5 >/dev/null 2>&1
	rc=$?
	if [ "$rc" -eq 2 ] && ! grep -q 'socket(\|init_module(' "$tmp/trace"; then
		ok "usage error: no socket, no module loading (strace)"
	else
		nok "usage error: no socket, no module loading (strace)"
		sed 's/^/#   /' "$tmp/trace"
	fi
	strace -f -qq -e trace=socket,finit_module,init_module \
		-o "$tmp/trace" "$R" apply "$tmp/bad.conf" >/dev/null 2>&1
	rc=$?
	if [ "$rc" -eq 2 ] && ! grep -q 'socket(\|init_module(' "$tmp/trace"; then
		ok "apply of a bad file: no socket, no module loading (strace)"
	else
		nok "apply of a bad file: no socket, no module loading (strace)"
		sed 's/^/#   /' "$tmp/trace"
	fi
else
	# strace is a dependency of the suite (make deps installs it).
	nok "usage error: no socket, no module loading (strace missing or not usable: make deps)"
fi

# --- help: exit 0, usage with examples on stdout, nothing on stderr -------

for c in add del list stats sessions monitor set show save apply version help; do
	for h in -h --help; do
		run "$c" "$h"
		if [ "$rc" -eq 0 ] && [ ! -s "$tmp/err" ] &&
		   grep -q "^Usage: replctl $c" "$tmp/out" &&
		   grep -q '^Examples:' "$tmp/out"; then
			ok "replctl $c $h"
		else
			nok "replctl $c $h (status $rc)"
		fi
	done
	run help "$c"
	if [ "$rc" -eq 0 ] && grep -q "^Usage: replctl $c" "$tmp/out"; then
		ok "replctl help $c"
	else
		nok "replctl help $c (status $rc)"
	fi
done

# -h wins even when the rest of the line is wrong.
run add 70000 nonsense -h
if [ "$rc" -eq 0 ] && grep -q '^Usage: replctl add' "$tmp/out"; then
	ok "replctl add 70000 nonsense -h -> 0"
else
	nok "replctl add 70000 nonsense -h -> 0 (status $rc)"
fi

for a in -h --help help; do
	run $a
	if [ "$rc" -eq 0 ] && [ ! -s "$tmp/err" ] &&
	   grep -q '^Usage: replctl COMMAND' "$tmp/out"; then
		# every command is listed
		missing=
		for c in add del list stats sessions monitor set show save apply version help; do
			grep -q "^  $c " "$tmp/out" || missing="$missing $c"
		done
		if [ -z "$missing" ]; then
			ok "replctl $a lists every command"
		else
			nok "replctl $a: missing$missing"
		fi
	else
		nok "replctl $a (status $rc)"
	fi
done

run --version
if [ "$rc" -eq 0 ] && grep -q '^replctl [0-9]' "$tmp/out"; then
	ok "replctl --version"
else
	nok "replctl --version (status $rc)"
fi

# --- version never fails and never loads the module ------------------------

run version
if [ "$rc" -eq 0 ] && grep -q '^replctl [0-9].*netlink family replcopy' "$tmp/out" &&
   grep -q '^module state: ' "$tmp/out"; then
	ok "replctl version"
else
	nok "replctl version (status $rc)"
fi
run version --json
if [ "$rc" -eq 0 ] && grep -q '"replctl_version":' "$tmp/out"; then
	if command -v python3 >/dev/null 2>&1; then
		if python3 -m json.tool "$tmp/out" >/dev/null 2>&1; then
			ok "replctl version --json is valid JSON"
		else
			nok "replctl version --json is valid JSON"
		fi
	else
		ok "replctl version --json"
	fi
else
	nok "replctl version --json (status $rc)"
fi

# --- without the module: "replcopy module not loaded", status 1 -----------
# Only where the module is neither loaded nor installed: elsewhere this
# would load it, which is not a unit test's business.

installed=no
if command -v modinfo >/dev/null 2>&1; then
	modinfo replcopy >/dev/null 2>&1 && installed=yes
elif [ -n "$(find "/lib/modules/$(uname -r)" -name 'replcopy.ko*' 2>/dev/null)" ]; then
	installed=yes
fi
if [ ! -d /sys/module/replcopy ] && [ $installed = no ]; then
	printf 'add 11311 10.0.0.31:11511\n' > "$tmp/good.conf"
	for c in list "stats" "sessions" "monitor" "show" "del --all" "save" "apply $tmp/good.conf"; do
		# shellcheck disable=SC2086
		run $c
		if [ "$rc" -eq 1 ] &&
		   grep -q "^replctl: ${c%% *}: replcopy module not loaded and could not be loaded: .* (insmod replcopy.ko or make install)\$" "$tmp/err"; then
			ok "replctl $c without the module -> 1, module not loaded"
		else
			nok "replctl $c without the module -> 1 (status $rc)"
			sed 's/^/#   /' "$tmp/err"
		fi
	done
	# --write leaves the file as it was when there is nothing to write.
	echo old > "$tmp/replcopy.prom"
	run stats --prometheus --write "$tmp/replcopy.prom"
	if [ "$rc" -eq 1 ] && [ "$(cat "$tmp/replcopy.prom")" = old ] &&
	   [ "$(find "$tmp" -maxdepth 1 -name '*prom*' | wc -l)" = 1 ]; then
		ok "replctl stats --prometheus --write without the module -> 1, file untouched"
	else
		nok "replctl stats --prometheus --write without the module -> 1 (status $rc), file untouched"
	fi
else
	echo "# replcopy is loaded or installed: skipping the missing-module checks"
fi

# --- output that cannot be written: exit 3, its own message ----------------
if [ -w /dev/full ]; then
	for a in --help "help add" "add -h"; do
		# shellcheck disable=SC2086
		"$R" $a >/dev/full 2>"$tmp/err"
		rc=$?
		if [ "$rc" -eq 3 ] &&
		   [ "$(cat "$tmp/err")" = "replctl: write error on standard output: No space left on device" ]; then
			ok "replctl $a >/dev/full -> 3, write error"
		else
			nok "replctl $a >/dev/full -> 3 (status $rc)"
			sed 's/^/#   /' "$tmp/err"
		fi
	done
fi

echo "# test_usage.sh: $n tests, $pass passed, $fail failed"
[ "$fail" -eq 0 ]
