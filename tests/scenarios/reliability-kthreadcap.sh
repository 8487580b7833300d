#!/bin/bash
# timeout: 600
# The kthread worker model's cap on session threads (1024, module-wide),
# default settings otherwise: 1 500 idle client connections to a mapped
# port, redis's (redis-benchmark -I; redis keeps idle connections open, so
# every session stays live with its target connection established).
# Without a cap each session is a thread, up to max_sessions (65 536), far
# beyond the default pid_max (32 768): a flood of connections would use up
# the host's PIDs. (A flood of bare SYNs no longer makes target
# connections: reliability-spoof.)
# Checked: at most 1 024 session threads; every session beyond them runs on
# the workqueue, counted in kthread_wq (== sessions - 1 024); the target
# completed every handshake; nginx traffic meanwhile is replayed exactly
# (nginx, another mapping); replctl del ends every session (the target's
# connections reset, the threads gone); the kernel log is clean.
# Events (replctl monitor --json, from the model switch to the end): the
# flood's burst is far beyond the rate limit's, yet what was delivered
# plus what the suppressed events count equals the events the counters
# say were due: a start, an established and an end per session, a
# kthreads limit per kthread_wq, a mapping-del per mapping.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../lib-servers.sh"
source "$(dirname "$0")/../lib-events.sh"
# shellcheck disable=SC2034 # MAP_PORT is read by lib-servers.sh
MAP_PORT=8080
URL=http://$ONLINE_IP:8080
CAP=1024
FLOOD=1500

# 1 500 connections need 1 500 descriptors in redis-benchmark and in each
# redis (which sizes maxclients from its limit at start).
ulimit -n 8192 || die "ulimit -n 8192"
nginx_pair_setup
redis_pair_start
module_load
dmesg_mark
replctl_in $NS_ONLINE add 8080 $TARGET_IP:8081 >/dev/null || die "replctl add 8080"
replctl_in $NS_ONLINE add 6379 $TARGET_IP:6380 >/dev/null || die "replctl add 6379"
replctl_in $NS_ONLINE set worker kthread || die "replctl set worker kthread"
EV=$WORK/events.jsonl
monitor_start $NS_ONLINE "$EV"

threads() { ps -e -o comm= | grep -c '^replcopy/[0-9]'; }
target_estab() { in_ns $NS_TARGET ss -Htn state established '( sport = :6380 )' | grep -c .; }
estab_at_least() { [ "$(rstat sess_established 6379)" -ge "$1" ] 2>/dev/null; }

# redis-benchmark first opens one connection of its own (CONFIG GET), and
# closes it: one session more than FLOOD, ended soon (sess_closed 1). It
# may have held a session thread meanwhile, or have been counted in
# kthread_wq: the checks below allow for that one, and no more.
syn_watch $NS_ONLINE 6379
log "flood: redis-benchmark -I -c $FLOOD"
t0=$SECONDS
in_ns $NS_CLIENT redis-benchmark -h $ONLINE_IP -p 6379 -I -c $FLOOD > "$WORK/idle.out" 2>&1 &
idle=$!
on_exit "kill $idle 2>/dev/null"
online_estab() { in_ns $NS_ONLINE ss -Htn state established '( sport = :6379 )' | grep -c .; }
online_all() { [ "$(online_estab)" -ge $FLOOD ]; }
check "flood: $FLOOD client connections open" wait_until 120 online_all
log "flood: open in $((SECONDS - t0))s: $(tail -c 200 "$WORK/idle.out" | tr '\r\n' '  ')"
check "flood: the target completed every handshake" wait_until 120 estab_at_least $FLOOD
log "flood: t=${SECONDS}s, every handshake done"
live_flood() { [ "$(rstat sess_active 6379)" = $FLOOD ]; }
check "flood: the CONFIG GET connection's session ended, every idle one live" wait_until 60 live_flood
sleep 2
syn=$(rstat sess_syn 6379) est=$(rstat sess_established 6379) wq=$(rstat kthread_wq 6379)
live=$(rstat sess_active 6379) thr=$(threads) syns=$(syn_count $NS_ONLINE)
log "flood: $syns SYNs, sess_syn $syn, sess_established $est, live $live, session threads $thr, kthread_wq $wq, target connections $(target_estab)"
check_eq "flood: one session per SYN" "$syns" "$syn"
check_eq "flood: every idle connection's session live" $FLOOD "$live"
check "flood: session threads at the cap ($thr; $CAP less the CONFIG GET one's at most)" \
	test "$thr" -le $CAP -a "$thr" -ge $((CAP - 1))
check "flood: the sessions beyond the cap run on the workqueue (kthread_wq $wq, threads $thr, live $live)" \
	test "$wq" -ge $((FLOOD - CAP)) -a $((thr + wq)) -ge "$live" -a $((thr + wq)) -le $((live + 1))
check_eq "flood: a target connection per session" $FLOOD "$(target_estab)"

# Real traffic meanwhile: new sessions go to the workqueue, replayed exactly.
n=$(scaled 300)
check_eq "traffic during the flood: hey answered" "$n" "$(hey_run $NS_CLIENT -n "$n" -c 5 "$URL/small.html")"
check_eq "traffic during the flood: the target got every request" "$n" "$(nginx_count target)"
log "traffic: t=${SECONDS}s"
compare_nginx_logs online target "traffic during the flood"
check "session threads still within the cap" test "$(threads)" -le $CAP
check "traffic during the flood: its sessions ran on the workqueue" test "$(rstat kthread_wq 8080)" -gt 0

# Teardown: every session ends, its target connection is reset, no thread
# is left.
t0=$SECONDS
replctl_in $NS_ONLINE del --all || fail "replctl del --all"
log "del of $FLOOD sessions and more took $((SECONDS - t0))s"
no_threads() { [ "$(threads)" = 0 ]; }
check "del: no session thread left" wait_until 60 no_threads
no_estab() { [ "$(target_estab)" = 0 ]; }
check "del: target connections reset" wait_until 30 no_estab

# Events: the last suppressed event comes a second after the last refusal.
sleep 3
monitor_stop
check "events: every line is one JSON object" events_summary "$EV"
log "events: $(ev_line)"
read -r syn fab est wq closed reset timedout refused <<< \
	"$(rstat sess_syn,sess_fabricated,sess_established,kthread_wq,sess_closed,sess_reset,sess_timedout,sess_refused total | tr / ' ')"
log "counters: sess_syn $syn fabricated $fab established $est kthread_wq $wq closed $closed reset $reset timedout $timedout refused $refused"
check_eq "events: no receive-buffer overflow" 0 "$(ev_get overflow)"
check_eq "events: delivered + suppressed = starts + established + kthread_wq + ends + 2 mapping-del" \
	$((syn + fab + est + wq + closed + reset + timedout + refused + 2)) \
	$(($(ev_get delivered) + $(ev_get suppressed)))
check "events: kthreads limit events delivered ($(ev_get limit_kthreads)) <= kthread_wq ($wq), > 0" \
	test "$(ev_get limit_kthreads)" -le "$wq" -a "$(ev_get limit_kthreads)" -gt 0
check_dmesg_clean
module_unload_checked
finish
