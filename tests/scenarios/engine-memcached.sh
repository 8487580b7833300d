#!/bin/bash
# timeout: 400
# memcached → memcached with libmemcached-tools: memccp/memccat/memcrm
# loops (a connection per command, in order) and memcslap load (text and
# binary protocol, several threads). The target counts the same operations.
#
# get_hits depend on the order in which concurrent connections reach the
# server, so they are compared exactly after the sequential part only; after
# the concurrent load the command counters (cmd_get, cmd_set, ...) and
# hits + misses are compared. The harness reads "stats" (memcstat), which
# changes none of the compared counters. WORKER selects the worker model.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../lib-servers.sh"
# shellcheck disable=SC2034 # MAP_PORT is read by lib-servers.sh
MAP_PORT=11211
SEQ_KEYS="cmd_get cmd_set get_hits get_misses delete_hits delete_misses curr_items total_items"
CMD_KEYS="cmd_get cmd_set cmd_flush cmd_touch total_items"

topo_setup
memcached_start $NS_ONLINE online $ONLINE_IP 11211
memcached_start $NS_TARGET target $TARGET_IP 11212
module_load
dmesg_mark

replctl_in $NS_ONLINE add 11211 $TARGET_IP:11212 >/dev/null || die "replctl add 11211 $TARGET_IP:11212"
set_worker

compare_stats() { # WHAT KEYS
	local on tg
	on=$(memcached_stats $NS_ONLINE $ONLINE_IP 11211 $2)
	tg=$(memcached_stats $NS_TARGET $TARGET_IP 11212 $2)
	log "online: $(echo $on)"
	[ "$(printf '%s\n' "$on" | wc -l)" = "$(echo $2 | wc -w)" ] || fail "$1: cannot read online stats"
	if [ "$on" = "$tg" ]; then
		pass "$1: target counts equal online's"
	else
		fail "$1: stats differ:"
		diff_text "$on" "$tg" | sed 's/^/#   /'
	fi
}

# Sequential part: files copied in, read back, some deleted, misses too.
mkdir -p "$WORK/files"
for i in $(seq 1 20); do head -c $((i * 3000)) /dev/urandom > "$WORK/files/k$i"; done
(cd "$WORK/files" && in_ns $NS_CLIENT memccp --servers=$ONLINE_IP:11211 k*) || fail "memccp"
for i in $(seq 1 20); do
	in_ns $NS_CLIENT memccat --servers=$ONLINE_IP:11211 "k$i" > "$WORK/got" || fail "memccat k$i"
	{ cat "$WORK/files/k$i"; echo; } > "$WORK/want"	# memccat ends the value with a newline
	cmp -s "$WORK/got" "$WORK/want" || fail "memccat k$i returned other bytes"
done
for i in $(seq 1 5); do in_ns $NS_CLIENT memcrm --servers=$ONLINE_IP:11211 "k$i" || fail "memcrm k$i"; done
in_ns $NS_CLIENT memcrm --servers=$ONLINE_IP:11211 nosuchkey 2>/dev/null
in_ns $NS_CLIENT memccat --servers=$ONLINE_IP:11211 k1 nosuchkey >/dev/null 2>&1
check "replay finished after the sequential part" wait_replay_idle 11211 60
compare_stats "sequential memccp/memccat/memcrm" "$SEQ_KEYS"

# Concurrent load, text protocol.
n=$(scaled 600)
for t in set get mget; do
	log "memcslap --test=$t --concurrency=4 --execute-number=$n"
	t0=$SECONDS
	timeout 120 ip netns exec $NS_CLIENT memcslap --servers=$ONLINE_IP:11211 --test=$t --concurrency=4 --execute-number="$n" >/dev/null ||
		fail "memcslap --test=$t against the online server: exit $? after $((SECONDS - t0))s"
	log "  took $((SECONDS - t0))s"
done
check "replay finished after memcslap (text)" wait_replay_idle 11211 120
check_replay_exact
# Binary protocol (memcslap ends each connection with a binary QUIT).
n=$(scaled 300)
log "memcslap --binary --test=get --concurrency=4 --execute-number=$n"
t0=$SECONDS
timeout 120 ip netns exec $NS_CLIENT memcslap --servers=$ONLINE_IP:11211 --binary --test=get --concurrency=4 --execute-number="$n" >/dev/null ||
	fail "memcslap --binary against the online server: exit $? after $((SECONDS - t0))s"
log "memcslap --binary took $((SECONDS - t0))s; $(rstats_line)"
check "replay finished after memcslap" wait_replay_idle 11211 120
compare_stats "after memcslap" "$CMD_KEYS"
on=$(memcached_stats $NS_ONLINE $ONLINE_IP 11211 get_hits get_misses | awk '{ s += $2 } END { print s }')
tg=$(memcached_stats $NS_TARGET $TARGET_IP 11212 get_hits get_misses | awk '{ s += $2 } END { print s }')
check_eq "get_hits + get_misses equal" "$on" "$tg"

check "replay finished after the stats reads" wait_replay_idle 11211 60
check_replay_exact
check_stat_eq sess_fabricated 0
check_sessions_accounted
check_no_drops
check_clean_path
check_dmesg_clean
finish
