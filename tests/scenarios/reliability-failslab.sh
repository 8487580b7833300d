#!/bin/bash
# timeout: 300
# suite: extended (not yet passing reliably on a loaded TCG host; make test-full)
# Allocation failures under replication load (kernels with fault
# injection, e.g. the debug kernel; skipped elsewhere). While hey drives
# nginx → nginx traffic through a mapping, failslab and fail_page_alloc make
# a few percent of the atomic allocations fail (ignore-gfp-wait=Y,
# task-filter off, times -1, verbose 0), system-wide, for at least 20 s and
# until a loss was counted (at most 120 s). Then injection stops.
# Facts: no crash or warning; the losses are counted (drop_nomem > 0); all
# sessions end (accounted); a fresh mapping afterwards replicates exactly
# (captured_bytes == acked_bytes, target log equals online log); nothing
# leaks after rmmod (kmemleak, where present).
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../lib-servers.sh"
# shellcheck disable=SC2034 # MAP_PORT is read by lib-servers.sh
MAP_PORT=8080
URL=http://$ONLINE_IP:8080
FS=/sys/kernel/debug/failslab
FP=/sys/kernel/debug/fail_page_alloc
PROB=${FAILSLAB_PROB:-5}
SECS=${FAILSLAB_SECS:-20}

have_failslab || skip "no fault injection in this kernel ($FS, $FP absent)"

# inject SLAB_PROB PAGE_PROB: set both; 0 0 stops.
inject() {
	local d
	for d in $FS $FP; do
		echo 0 > $d/verbose
		echo 1 > $d/interval
		echo 0 > $d/space
		echo -1 > $d/times
		echo N > $d/task-filter
		echo Y > $d/ignore-gfp-wait
	done
	echo 0 > $FP/min-order
	echo "$2" > $FP/probability
	echo "$1" > $FS/probability
}
on_exit inject 0 0

nginx_pair_setup
mem_idle=$(kernel_mem_kb)
module_load
dmesg_mark
replctl_in $NS_ONLINE add 8080 $TARGET_IP:8081 >/dev/null || die "replctl add"
# Sessions hurt by a lost SYN or segment end soon, not after 300 s.
replctl set idle-timeout 5 syn-retries 3 max-retries 5 || die "replctl set"
on_exit "$REPLCTL" set idle-timeout 300 syn-retries 5 max-retries 12

# --- injection under load: at least SECS seconds, and until a loss was
# counted (at most FAILSLAB_MAX_SECS): a slow guest sends little traffic.
drops() { rstats_json 2>/dev/null | grep -o '"drop_nomem":[0-9]*' | head -1 | cut -d: -f2; }
ip netns exec $NS_CLIENT hey -z 600s -c 10 "$URL/small.html" > "$WORK/hey-small.out" 2>&1 &
p1=$!
ip netns exec $NS_CLIENT hey -z 600s -c 4 -disable-keepalive "$URL/200k.bin" > "$WORK/hey-big.out" 2>&1 &
p2=$!
sleep 2
log "injecting: failslab $PROB%, fail_page_alloc $((PROB / 3 + 1))%, at least $SECS s"
inject "$PROB" $((PROB / 3 + 1))
t0=$SECONDS
while :; do
	sleep 2
	el=$((SECONDS - t0))
	[ $el -lt "$SECS" ] && continue
	[ "$(drops)" -gt 0 ] 2>/dev/null && break
	[ $el -lt "${FAILSLAB_MAX_SECS:-120}" ] || break
done
inject 0 0
log "injection stopped after $((SECONDS - t0)) s"
check "hey stopped on SIGINT" stop_bg 120 $p1 $p2
for f in small big; do
	log "hey $f during injection: $(awk '/^ *\[200\]/ { print $2 }' "$WORK/hey-$f.out") answered 200; $(grep -c '^ *\[[0-9]*\]' "$WORK/hey-$f.out") status lines; errors: $(sed -n '/^Error distribution:/,$p' "$WORK/hey-$f.out" | wc -l) lines"
done
log "stats after injection: $(rstats_line)"
check_stat_gt drop_nomem 0
check "every session ended after injection (idle-timeout 5 s)" wait_sessions_drained 8080 120
check_sessions_accounted
check "module still answers netlink" replctl_in $NS_ONLINE list

# --- new sessions after injection replicate exactly (a fresh mapping:
# fresh counters)
replctl_in $NS_ONLINE del 8080 || fail "replctl del"
nginx_rotate online
nginx_rotate target
replctl_in $NS_ONLINE add 8080 $TARGET_IP:8081 >/dev/null || die "replctl add (after injection)"
hey_check "after injection, keep-alive" 1000 -c 10 "$URL/small.html"
hey_check "after injection, one connection each" 50 -c 5 -disable-keepalive "$URL/200k.bin"
check "after injection: replay finished" wait_replay_idle 8080 120
check_replay_exact
check_stat_eq drop_nomem 0
check_sessions_accounted
compare_nginx_logs online target "after injection"

replctl_in $NS_ONLINE del --all
check_dmesg_clean
module_unload_checked
log "kernel slab+percpu: $mem_idle KiB before insmod, $(kernel_mem_kb) KiB after rmmod"
finish
