#!/bin/bash
# timeout: 600
# The kthread worker model's cap on session threads (1024, module-wide),
# default settings otherwise: a flood of 1 500 SYNs from hping3 to a
# mapped port, redis's (the client's kernel's RSTs to the online server's
# SYN-ACKs dropped, so that every session stays live with its target
# connection established; redis keeps idle connections open). Without a cap each session is a thread, up to max_sessions
# (65 536), far beyond the default pid_max (32 768): the flood would use up
# the host's PIDs.
# Checked: at most 1 024 session threads; every session beyond them runs on
# the workqueue, counted in kthread_wq (== sessions - 1 024); the target
# completed every handshake; nginx traffic during the flood is replayed
# exactly (nginx, another mapping); replctl del ends every session (the target's connections reset,
# the threads gone); the kernel log is clean.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../lib-servers.sh"
# shellcheck disable=SC2034 # MAP_PORT is read by lib-servers.sh
MAP_PORT=8080
URL=http://$ONLINE_IP:8080
CAP=1024
FLOOD=1500
command -v hping3 >/dev/null || skip "hping3 missing (make deps)"

nginx_pair_setup
redis_pair_start
module_load
dmesg_mark
replctl_in $NS_ONLINE add 8080 $TARGET_IP:8081 >/dev/null || die "replctl add 8080"
replctl_in $NS_ONLINE add 6379 $TARGET_IP:6380 >/dev/null || die "replctl add 6379"
replctl_in $NS_ONLINE set worker kthread || die "replctl set worker kthread"

# The online server's SYN-ACKs to the flood never leave it: the client's
# kernel would answer them with RSTs, which end the sessions, and hping3
# (which sees packets before netfilter) would count them against -c: it
# stops after COUNT replies.
in_ns $NS_ONLINE nft -f - <<-EOF || die "nft in online"
table inet flood {
	chain output {
		type filter hook output priority 0; policy accept;
		ip daddr $CLIENT_IP tcp sport 6379 counter drop
	}
}
EOF
threads() { ps -e -o comm= | grep -c '^replcopy/[0-9]'; }
target_estab() { in_ns $NS_TARGET ss -Htn state established '( sport = :6380 )' | grep -c .; }
estab_at_least() { [ "$(rstat sess_established 6379)" -ge "$1" ] 2>/dev/null; }

# Source ports 20000 up, one per SYN (hping3 counts up from -s).
log "flood: hping3 -S -p 6379 -s 20000 -c $FLOOD"
t0=$SECONDS
in_ns $NS_CLIENT hping3 -q -S -p 6379 -s 20000 -i u2000 -c $FLOOD $ONLINE_IP > "$WORK/hping3.out" 2>&1
log "flood: sent in $((SECONDS - t0))s: $(grep -h 'packets' "$WORK/hping3.out")"
check "flood: the target completed every handshake" wait_until 120 estab_at_least $FLOOD
log "flood: t=${SECONDS}s, every handshake done"
sleep 2
syn=$(rstat sess_syn 6379) est=$(rstat sess_established 6379) wq=$(rstat kthread_wq 6379)
live=$(rstat sess_active 6379) thr=$(threads)
log "flood: sess_syn $syn, sess_established $est, live $live, session threads $thr, kthread_wq $wq, target connections $(target_estab)"
check_eq "flood: one session per SYN" $FLOOD "$syn"
check_eq "flood: every session live" $FLOOD "$live"
check_eq "flood: session threads at the cap" $CAP "$thr"
check_eq "flood: the sessions beyond the cap run on the workqueue (kthread_wq)" $((FLOOD - CAP)) "$wq"
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
check_dmesg_clean
module_unload_checked
finish
