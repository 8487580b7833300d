# shellcheck shell=bash
# Shared helpers for the VM scenarios (tests/scenarios/*.sh).
#
# Conventions follow tools/testing/selftests/net: a scenario sets up its own
# network namespaces, registers cleanup with a trap, waits for readiness
# instead of sleeping, and exits 0 (pass), 1 (fail) or 4 (skip).
#
# Topology made by topo_setup:
#
#   client 10.0.1.2 ── 10.0.1.1 online 10.0.2.1 ── 10.0.2.2 target
#
# The online host runs the real server on its mapped port and replcopy.ko;
# the target runs the test server. client and target route everything else
# through online, so --source client works too.

set -u
KSFT_PASS=0
KSFT_FAIL=1
KSFT_SKIP=4

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPLCTL="$TOP/user/replctl"
MODULE="$TOP/replcopy.ko"
WORK=$(mktemp -d /tmp/replcopy-test.XXXXXX)
NS_CLIENT=client NS_ONLINE=online NS_TARGET=target
CLIENT_IP=10.0.1.2 ONLINE_IP=10.0.1.1 ONLINE_TIP=10.0.2.1 TARGET_IP=10.0.2.2
# IPv6 beside them (topo_ipv6): the same links, unique local addresses.
CLIENT_IP6=fd00:1::2 ONLINE_IP6=fd00:1::1 ONLINE_TIP6=fd00:2::1 TARGET_IP6=fd00:2::2

_failed=0
_cleanups=()

# Load size. LOAD=light (scripts/test-debug.sh sets it: a KASAN kernel under
# TCG replays about ten times slower) makes the scenarios send a tenth of
# their requests and bytes; every check stays the same. tests/run.sh passes
# LOAD into the guest.
: "${LOAD:=full}"
case $LOAD in
full|light) ;;
*) printf 'FAIL: LOAD=%s: use full or light\n' "$LOAD"; exit 1 ;;
esac
# scaled N: N, or N/10 (at least 1) under LOAD=light.
scaled() {
	if [ "$LOAD" = light ]; then
		echo $(($1 / 10 > 0 ? $1 / 10 : 1))
	else
		echo "$1"
	fi
}

log() { printf '# %s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*"; _failed=1; }
pass() { printf 'ok: %s\n' "$*"; }
skip() { printf 'SKIP: %s\n' "$*"; exit "$KSFT_SKIP"; }
# skip_part WHAT: a part of the scenario that cannot run here, with the
# reason; the scenario goes on. tests/run.sh counts it among the skipped
# and lists it by name.
skip_part() { printf 'SKIP-PART: %s\n' "$*"; }
die() { printf 'FAIL: %s\n' "$*"; exit "$KSFT_FAIL"; }

# userns_ok PART: 0 when an unprivileged user can make a user and network
# namespace here (setpriv to nobody, unshare -U -r -n). Otherwise PART
# cannot run: on a kernel built without CONFIG_USER_NS (no
# /proc/self/ns/user: the debug kernel) it is skipped (skip_part) and 1
# returned; on
# one built with it (Debian's, which the suite boots) it is a failure, and
# 2 is returned.
userns_ok() {
	setpriv --reuid=65534 --regid=65534 --clear-groups unshare -U -r -n true 2>/dev/null &&
		return 0
	if [ ! -e /proc/self/ns/user ]; then
		skip_part "$1: kernel built without CONFIG_USER_NS"
	else
		fail "unprivileged user namespaces not available (setpriv, unshare -U -r -n): $1 not run"
		return 2
	fi
	return 1
}

on_exit() { _cleanups+=("$*"); }
_run_cleanups() {
	local i
	for ((i = ${#_cleanups[@]} - 1; i >= 0; i--)); do
		eval "${_cleanups[i]}" >/dev/null 2>&1 || true
	done
	rm -rf "$WORK"
}
trap _run_cleanups EXIT

# Keep the netfilter static keys of the module's hooks (nf_hooks_needed for
# PRE_ROUTING and LOCAL_IN, IPv4 and IPv6: a mapping without an online
# address registers both families' hooks) switched on for the whole
# scenario, as any host with a firewall or conntrack has them: an empty
# accept-all table in the guest's init netns, where no test traffic runs.
# Without it every insmod/rmmod flips the keys and rewrites the NF_HOOK
# sites in ip_rcv(), ip_local_deliver() and their IPv6 twins (text_poke_bp,
# int3) while packets run through them, which under qemu TCG live-locked
# both vCPUs (reports 7 and 17 in docs/RELIABILITY.md). The module's own
# hooks still come and go.
if command -v nft >/dev/null; then
	nft -f - <<-'EOF' || die "nft: holding the netfilter hooks in the init netns"
	table inet replcopy_test_keys {
		chain pre { type filter hook prerouting priority 0; policy accept; }
		chain in { type filter hook input priority 0; policy accept; }
	}
	EOF
	on_exit "nft delete table inet replcopy_test_keys"
fi

# Finish the scenario: exit with the verdict.
finish() {
	if [ "$_failed" = 0 ]; then
		echo "PASS: $(basename "$0")"
		exit "$KSFT_PASS"
	fi
	echo "FAIL: $(basename "$0")"
	exit "$KSFT_FAIL"
}

# check DESCRIPTION COMMAND...: the command must succeed.
check() {
	local what=$1
	shift
	if "$@"; then pass "$what"; else fail "$what"; fi
}

# check_eq DESCRIPTION EXPECTED ACTUAL
# Both sides empty is a failure: an empty expectation is most often a
# setup that failed. Use check_empty where nothing is what is expected.
check_eq() {
	if [ -z "$2" ] && [ -z "$3" ]; then
		fail "$1: expected and got are both empty (nothing was measured)"
	elif [ "$2" = "$3" ]; then
		pass "$1 ($3)"
	else
		fail "$1: expected '$2', got '$3'"
	fi
}

# check_empty DESCRIPTION VALUE: VALUE must be empty.
check_empty() {
	if [ -z "$2" ]; then
		pass "$1 (none)"
	else
		fail "$1: expected nothing, got '$2'"
	fi
}

in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
replctl() { "$REPLCTL" "$@"; }
replctl_in() { local ns=$1; shift; ip netns exec "$ns" "$REPLCTL" "$@"; }

module_load() {
	if [ ! -d /sys/module/replcopy ]; then
		insmod "$MODULE" "$@" || die "insmod $MODULE failed"
	fi
	on_exit module_unload
}
module_unload() {
	[ -d /sys/module/replcopy ] || return 0
	rmmod replcopy
}

# stop_bg GRACE_S PID...: SIGINT the background commands (hey prints its
# report on it), SIGKILL those still running after GRACE_S, reap them all.
# Fails if one needed the SIGKILL. Start such a command with
# "ip netns exec NS CMD &", not "in_ns NS CMD &": a backgrounded function is
# a subshell of its own, and background subshells ignore SIGINT.
_exited() { [ ! -e "/proc/$1" ] || grep -q ') Z' "/proc/$1/stat"; }	# zombie until reaped
stop_bg() {
	local grace=$1 p rc=0
	shift
	kill -INT "$@" 2>/dev/null
	for p in "$@"; do
		if ! wait_until "$grace" _exited "$p"; then
			printf '# pid %s (%s) ignored SIGINT for %ss: killed\n' \
				"$p" "$(tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null)" "$grace"
			kill -KILL "$p" 2>/dev/null
			rc=1
		fi
		wait "$p" 2>/dev/null
	done
	return $rc
}

# wait_until TIMEOUT_S COMMAND...: poll until the command succeeds.
wait_until() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		[ $SECONDS -lt $deadline ] || return 1
		sleep 0.1
	done
}

# wait_listen NS PORT: wait for a TCP listener.
wait_listen() {
	wait_until 20 sh -c "ip netns exec $1 ss -Hltn 'sport = :$2' | grep -q ."
}

# nic MAC: the name of the interface with that MAC address (bench/'s two
# VMs find their qemu NICs so).
nic() {
	local d
	for d in /sys/class/net/*; do
		[ "$(cat "$d/address")" = "$1" ] && { basename "$d"; return 0; }
	done
	return 1
}
_link() { # _link NS1 IF1 ADDR1 NS2 IF2 ADDR2
	ip link add "$2" netns "$1" type veth peer name "$5" netns "$4"
	in_ns "$1" ip addr add "$3/24" dev "$2"
	in_ns "$4" ip addr add "$6/24" dev "$5"
	in_ns "$1" ip link set "$2" up
	in_ns "$4" ip link set "$5" up
}

topo_setup() {
	local ns
	for ns in $NS_CLIENT $NS_ONLINE $NS_TARGET; do
		ip netns add "$ns" || die "ip netns add $ns"
		on_exit ip netns del "$ns"
		in_ns "$ns" ip link set lo up
	done
	_link $NS_CLIENT veth0 $CLIENT_IP $NS_ONLINE c-veth $ONLINE_IP
	_link $NS_ONLINE t-veth $ONLINE_TIP $NS_TARGET veth0 $TARGET_IP
	in_ns $NS_CLIENT ip route add default via $ONLINE_IP
	in_ns $NS_TARGET ip route add default via $ONLINE_TIP
	in_ns $NS_ONLINE sysctl -qw net.ipv4.ip_forward=1
}

# topo_ipv6: IPv6 on topo_setup's links, the same shape (the /64s
# fd00:1:: and fd00:2::, without duplicate address detection so that the
# addresses work at once), the online host forwarding between them.
topo_ipv6() {
	in_ns $NS_CLIENT ip -6 addr add $CLIENT_IP6/64 dev veth0 nodad
	in_ns $NS_ONLINE ip -6 addr add $ONLINE_IP6/64 dev c-veth nodad
	in_ns $NS_ONLINE ip -6 addr add $ONLINE_TIP6/64 dev t-veth nodad
	in_ns $NS_TARGET ip -6 addr add $TARGET_IP6/64 dev veth0 nodad
	in_ns $NS_CLIENT ip -6 route add default via $ONLINE_IP6
	in_ns $NS_TARGET ip -6 route add default via $ONLINE_TIP6
	in_ns $NS_ONLINE sysctl -qw net.ipv6.conf.all.forwarding=1
}

# Kernel log checks: remember where the log was, report new problems.
dmesg_mark() { _dmesg_lines=$(dmesg | wc -l); }
dmesg_new() { dmesg | tail -n +"$((${_dmesg_lines:-0} + 1))"; }
check_dmesg_clean() {
	local bad
	# Each report with the lines around it (what started it, its stack),
	# as "# kernel:" lines, which summaries of the output keep.
	bad=$(dmesg_new | grep -E -B3 -A15 'WARNING:|BUG:|Objects remaining|still has objects|Oops|Call Trace|refcount_t|list_(add|del) corruption|KASAN|ODEBUG|circular locking|leak' || true)
	if [ -n "$bad" ]; then
		fail "kernel log has problems:"
		printf '%s\n' "$bad" | head -60 | sed 's/^/# kernel: /'
	else
		pass "kernel log clean"
	fi
}

# slab_objs CACHE: objects in use in a slab cache (/proc/slabinfo), or "?"
# when the cache is not listed (SLUB merged it into another one). The
# module's own: replcopy_session, replcopy_mapping. SLUB counts the free
# objects of its per-CPU slabs as active: the cache is shrunk first, which
# flushes those.
slab_objs() {
	local s=/sys/kernel/slab/$1/shrink
	[ ! -w "$s" ] || echo 1 > "$s"
	awk -v c="$1" '$1 == c { print $2; found = 1 } END { if (!found) print "?" }' /proc/slabinfo
}

# Memory the kernel holds in slab and per-cpu areas, in KiB, after reclaim.
# On a KASAN kernel every slab cache is shrunk first: that empties KASAN's
# quarantine of freed objects (several MiB), which would otherwise count as
# held for as long as nothing pushes them out. Not elsewhere: on the stock
# kernel under TCG a shrink takes about half a second per cache (over two
# minutes for all of them), and there is no quarantine to empty.
# (KASAN is told by its symbol; kallsyms is read once per scenario.)
kernel_mem_kb() {
	local c
	if [ ! -f "$WORK/kasan" ]; then
		grep -c ' kasan_quarantine_remove_cache$' /proc/kallsyms > "$WORK/kasan"
	fi
	sync
	echo 3 > /proc/sys/vm/drop_caches
	if [ "$(cat "$WORK/kasan")" != 0 ]; then
		for c in /sys/kernel/slab/*/shrink; do
			echo 1 > "$c" 2>/dev/null
		done
	fi
	awk '/^(Slab|Percpu):/ { s += $2 } END { print s }' /proc/meminfo
}

# kernel_mem_settle SECONDS MAX_KB: the lowest kernel_mem_kb reading, taken
# about once a second until one is at most MAX_KB or SECONDS passed. Freed
# sessions, sockets and network namespaces are released after RCU grace
# periods and by workqueues, so memory returns over a few seconds.
kernel_mem_settle() {
	local deadline=$((SECONDS + $1)) low m
	low=$(kernel_mem_kb)
	while [ "$low" -gt "$2" ] && [ $SECONDS -lt $deadline ]; do
		sleep 1
		m=$(kernel_mem_kb)
		[ "$m" -lt "$low" ] && low=$m
	done
	echo "$low"
}

# expect_fail CODE PATTERN DESCRIPTION COMMAND...: the command must exit with
# CODE and print PATTERN (extended regex) on stderr.
expect_fail() {
	local code=$1 pat=$2 what=$3 out rc=0
	shift 3
	out=$("$@" 2>&1 >/dev/null) || rc=$?
	if [ "$rc" != "$code" ]; then
		fail "$what: exit $rc, expected $code ($out)"
	elif ! printf '%s' "$out" | grep -Eq -- "$pat"; then
		fail "$what: message '$out' lacks /$pat/"
	else
		pass "$what: exit $code: $out"
	fi
}

# json_get JSON PYTHON_EXPR: evaluate EXPR with the parsed JSON bound to j.
json_get() {
	python3 -c 'import json,sys; j=json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2"
}

# ---------------------------------------------------------------- reliability
# (appended for the reliability suite; the helpers above are unchanged)

# The module to load: REPLCOPY_KO when set; else, when the stock build does
# not match the running kernel (the debug kernel of scripts/test-debug.sh),
# a build under build/*/ that does. The VM does not inherit the host's
# environment, so the match on vermagic is what selects the debug build.
_module_for_running_kernel() {
	local ko kv
	kv=$(uname -r)
	if [ -f "$MODULE" ] && [ "$(modinfo -F vermagic "$MODULE" 2>/dev/null | cut -d' ' -f1)" = "$kv" ]; then
		echo "$MODULE"
		return
	fi
	for ko in "$TOP"/build/*/replcopy.ko; do
		[ -f "$ko" ] || continue
		if [ "$(modinfo -F vermagic "$ko" 2>/dev/null | cut -d' ' -f1)" = "$kv" ]; then
			echo "$ko"
			return
		fi
	done
	echo "$MODULE"
}
if [ -n "${REPLCOPY_KO:-}" ]; then
	MODULE=$REPLCOPY_KO
else
	MODULE=$(_module_for_running_kernel)
fi

# kmemleak_check [WHAT]: after rmmod, ask kmemleak for a scan (twice: an
# object is reported only once it stayed unreferenced over two scans) and
# fail on any report that names replcopy or whose backtrace has an
# unresolved module address (symbols of an unloaded module print as bare
# 0xffffffff[a-f]... addresses). No-op on kernels without kmemleak. Other
# reports are counted, not failed.
kmemleak_check() {
	local f=/sys/kernel/debug/kmemleak what=${1:-after rmmod} out ours t0
	t0=$SECONDS
	# No kmemleak in this kernel (or no debugfs): nothing to check. One
	# that is there but cannot scan (disabled after an error) fails.
	[ -e "$f" ] || return 0
	if ! { echo scan > "$f" && sleep 1 && echo scan > "$f"; } 2>/dev/null; then
		fail "kmemleak ($what): cannot scan ($f): $(dmesg | grep -i kmemleak | tail -1)"
		return 1
	fi
	out=$(cat "$f" 2>/dev/null)
	log "kmemleak ($what): two scans took $((SECONDS - t0))s"
	ours=$(printf '%s\n' "$out" | "$TOP/tests/vm/kmemleak-ours")
	if [ -n "$ours" ]; then
		fail "kmemleak ($what): objects allocated by replcopy leaked:"
		printf '%s\n' "$ours" | head -60
	elif [ -n "$out" ]; then
		log "kmemleak ($what): reports not naming replcopy: $(printf '%s\n' "$out" | grep -c '^unreferenced object')"
		pass "kmemleak ($what): nothing of replcopy"
	else
		pass "kmemleak ($what): no leak"
	fi
	# Forget what was reported, so the next check sees only new reports
	# (and vm-run's console check is not tripped by older ones).
	echo clear > "$f" 2>/dev/null || true
}

# module_unload_checked: rmmod, then the kmemleak check.
module_unload_checked() {
	module_unload || { fail "rmmod replcopy failed"; return 1; }
	kmemleak_check "after rmmod"
}

# have_failslab: the kernel has slab/page fault injection (debugfs).
have_failslab() {
	[ -d /sys/kernel/debug/failslab ] && [ -d /sys/kernel/debug/fail_page_alloc ]
}

# slab_percpu_kb: Slab + Percpu of /proc/meminfo, in KiB, without reclaim.
slab_percpu_kb() {
	awk '/^(Slab|Percpu):/ { s += $2 } END { print s }' /proc/meminfo
}
