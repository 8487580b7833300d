#!/bin/bash
# timeout: 300
# suite: extended (needs fault injection and skbuff_head_cache marked for it: slub_debug=A,skbuff_head_cache, as scripts/test-debug.sh boots the debug kernel)
# The copy of a client's SYN fails (no memory) after its session was made.
# The client's connection goes on untouched; the session's first segment
# is then the handshake's ACK. failslab, filtered to skbuff_head_cache,
# fails exactly one allocation (times 1) while curl opens one connection:
# the first skb head allocated is the hook's clone of the SYN (the neighbour
# entry is fresh, nothing else runs). Three such connections.
# Facts: each injected failure was our SYN's copy (drop_nomem +1 each);
# every request still reaches the target (a SYN of our own starts the
# replay: access logs equal); the sessions end and are accounted; rmmod
# leaves no warning and kmemleak nothing. Before the fix the session
# connected twice (once for the first segment without a SYN, once for the
# handshake's ACK): two source ports taken, one given back, and the reply
# hash node entered twice; rmmod then warned in replcopy_ports_exit (CI,
# report 59 in docs/RELIABILITY.md).
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../lib-servers.sh"
# shellcheck disable=SC2034 # MAP_PORT is read by lib-servers.sh
MAP_PORT=8080
URL=http://$ONLINE_IP:8080
FS=/sys/kernel/debug/failslab
MARK=/sys/kernel/slab/skbuff_head_cache/failslab
LOST=3

have_failslab || skip "no fault injection in this kernel ($FS absent)"
[ "$(cat $MARK 2>/dev/null)" = 1 ] ||
	skip "skbuff_head_cache is not marked for failslab (boot with slub_debug=A,skbuff_head_cache)"

# arm: the next skb head allocation fails, and no other; disarm: none.
arm() {
	echo 0 > $FS/verbose
	echo 1 > $FS/interval
	echo 0 > $FS/space
	echo N > $FS/task-filter
	echo Y > $FS/ignore-gfp-wait
	echo Y > $FS/cache-filter
	echo 1 > $FS/times
	echo 100 > $FS/probability
}
disarm() {
	echo 0 > $FS/probability
	echo N > $FS/cache-filter
	echo -1 > $FS/times
}
on_exit disarm

nginx_pair_setup
module_load
dmesg_mark
replctl_in $NS_ONLINE add 8080 $TARGET_IP:8081 >/dev/null || die "replctl add"
set_worker
# A first connection, not injected: resolves the neighbours both ways.
check_eq "warm-up request answered" 200 \
	"$(in_ns $NS_CLIENT curl -s -o /dev/null -w '%{http_code}' --max-time 20 "$URL/small.html")"
check "warm-up replayed" wait_replay_idle 8080 60

lost=0 tries=0
while [ $lost -lt $LOST ] && [ $tries -lt $((LOST * 4)) ]; do
	tries=$((tries + 1))
	before=$(rstat drop_nomem)
	arm
	code=$(in_ns $NS_CLIENT curl -s -o /dev/null -w '%{http_code}' --max-time 20 "$URL/small.html") || true
	left=$(cat $FS/times)
	disarm
	[ "$code" = 200 ] || fail "try $tries: the client's request got '$code', not 200"
	after=$(rstat drop_nomem)
	if [ "$left" = 0 ] && [ "$after" = $((before + 1)) ]; then
		lost=$((lost + 1))
		log "try $tries: the SYN's copy failed (drop_nomem $before -> $after)"
	else
		log "try $tries: the failure went elsewhere (times left $left, drop_nomem $before -> $after)"
	fi
	check "try $tries: replay finished" wait_replay_idle 8080 60
done
check_eq "connections whose SYN copy failed" $LOST $lost
log "stats: $(rstats_line)"
check_stat_eq drop_nomem "$lost"
check_sessions_accounted
compare_nginx_logs online target "every connection, SYN copy lost or not"

replctl_in $NS_ONLINE del --all
module_unload_checked
check_dmesg_clean
finish
