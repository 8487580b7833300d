#!/bin/bash
# timeout: 300
# Forged client segments, default settings.
#   A. A live redis connection (a client blocked in BLPOP on the online
#      server, replayed to the target's redis) gets three RSTs from its
#      own address and port with sequence numbers away from the
#      connection's (hping3 -R): the online server's stack ignores them
#      (RFC 5961), and so must the replay. Facts: the online and the
#      target redis keep the connection, the session stays established,
#      drop_other counts the three.
#   B. 1 000 spoofed SYNs (hping3 -S) from 50 absent addresses of the
#      client's subnet: no client completes a handshake, so none may become
#      a connection to the target. Facts: the target's netns sees no SYN
#      of them (nft counter), syn_unconfirmed counts all 1 000, the
#      sessions are gone after 4 s, no source port was taken (drop_noport
#      0), and the BLPOP's replayed connection is untouched.
#   B2. Under the kthread model (set from here on), 300 spoofed SYNs more:
#      no session thread is made for them (ps, while their sessions
#      live), none runs as a thread's fallback (kthread_wq), and they are
#      counted as unconfirmed like the others.
#   C. 10 half-open checks from the client's real address (SYN, SYN-ACK,
#      RST, as load balancers probe): each ends on its RST (sess_reset),
#      and none reaches the target either.
# Then the value pushed reaches the blocked client and both servers (LPUSH
# counted on each, BLPOP answered), and a fresh client's SETs are replayed
# exactly. Before B's fix, 1 000 spoofed SYNs left 460 established
# connections on the target.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../lib-servers.sh"
# shellcheck disable=SC2034 # MAP_PORT is read by lib-servers.sh
MAP_PORT=6379
command -v hping3 >/dev/null || skip "hping3 missing (make deps)"

topo_setup
redis_pair_start
module_load
dmesg_mark
syn_watch $NS_TARGET 6380
replctl_in $NS_ONLINE add 6379 $TARGET_IP:6380 >/dev/null || die "replctl add"
set_worker

in_ns $NS_CLIENT redis-cli -h $ONLINE_IP -p 6379 blpop spoof:q 0 > "$WORK/blpop.out" 2>&1 &
cli=$!
on_exit "kill $cli 2>/dev/null"
session() { # session FIELD: of the BLPOP client's session ("" if none)
	json_get "$(replctl_in $NS_ONLINE sessions --json)" \
		"next((str(s['$1']) for s in j if s['client_port'] == $port), '')"
}
established() { [ "$(session state)" = established ]; }
port=
first_session() {
	port=$(json_get "$(replctl_in $NS_ONLINE sessions --json)" \
		"next((str(s['client_port']) for s in j if s['state'] == 'established'), '')")
	[ -n "$port" ]
}
wait_until 20 first_session || die "no established session: $(replctl_in $NS_ONLINE sessions)"
sport=$(session source_port)
# The two ends of the connection, seen by each server's netns.
online_conn() { in_ns $NS_ONLINE ss -Htn state established "( sport = :6379 and dport = :$port )" | grep -c .; }
target_conn() { in_ns $NS_TARGET ss -Htn state established "( sport = :6380 and dport = :$sport )" | grep -c .; }
check_eq "online: the client's connection" 1 "$(online_conn)"
check_eq "target: the replayed connection" 1 "$(target_conn)"
other0=$(rstat drop_other)
log "client port $port, replayed from source port $sport"

# Three RSTs (with ACK, as a stack sends them) at sequence numbers far
# from the connection's, from the client's own address and port.
for seq in 1000 2000000000 3000000000; do
	in_ns $NS_CLIENT hping3 -q -R -A -s "$port" -k -p 6379 -M $seq -c 1 $ONLINE_IP >/dev/null 2>&1
done
sleep 2
check_eq "online kept the client's connection" 1 "$(online_conn)"
check_eq "target kept the replayed connection" 1 "$(target_conn)"
check "the session is still established" established
check_eq "the three forged RSTs counted in drop_other" $((other0 + 3)) "$(rstat drop_other)"

# B. Spoofed SYNs from 50 absent addresses, 20 each (hping3 moves the
# source port on for each one): 1 000 distinct tuples.
syns0=$(syn_count $NS_TARGET)
read -r unconf0 timedout0 <<< "$(rstat syn_unconfirmed,sess_timedout | tr / ' ')"
for ((i = 100; i < 150; i++)); do
	in_ns $NS_CLIENT hping3 -q -S -a 10.0.1.$i -p 6379 -i u2000 -c 20 $ONLINE_IP >/dev/null 2>&1
done
spoof_gone() { [ "$(rstat sess_active)" = 1 ]; }
check "the spoofed SYNs' sessions are gone (only the BLPOP's is left)" wait_until 60 spoof_gone
check_eq "syn_unconfirmed counts the 1000 spoofed SYNs" $((unconf0 + 1000)) "$(rstat syn_unconfirmed)"
check_eq "sess_timedout counts them too" $((timedout0 + 1000)) "$(rstat sess_timedout)"
check_eq "target: no SYN of them" "$syns0" "$(syn_count $NS_TARGET)"
check_eq "target: only the replayed BLPOP connection" 1 \
	"$(in_ns $NS_TARGET ss -Htn state established "( sport = :6380 )" | grep -c .)"
check_stat_eq drop_noport 0
check "the BLPOP's session is still established" established
log "after the spoofed SYNs: $(rstats_line 6379)"

# B2. The same under the kthread model, whose sessions are threads: 300
# spoofed SYNs more must make no thread (a thread is made once the client
# completes its handshake; before, a flood made one per SYN, each living
# the 4 s of the handshake's wait). Sampled while their sessions live.
replctl_in $NS_ONLINE set worker kthread || die "replctl set worker kthread"
threads() { ps -e -o comm= | grep -c '^replcopy/[0-9]'; }
kwq0=$(rstat kthread_wq)
for ((i = 150; i < 165; i++)); do
	in_ns $NS_CLIENT hping3 -q -S -a 10.0.1.$i -p 6379 -i u2000 -c 20 $ONLINE_IP >/dev/null 2>&1
done
most=0
for ((i = 0; i < 5; i++)); do
	n=$(threads)
	[ "$n" -gt "$most" ] && most=$n
	sleep 0.3
done
check_eq "kthread model: session threads for the 300 spoofed SYNs (most seen while they lived)" 0 "$most"
check "kthread model: the spoofed SYNs' sessions are gone" wait_until 60 spoof_gone
check_eq "kthread model: syn_unconfirmed counts the 300" $((unconf0 + 1300)) "$(rstat syn_unconfirmed)"
check_eq "kthread model: none ran as a thread's fallback (kthread_wq)" "$kwq0" "$(rstat kthread_wq)"
check_eq "kthread model: target saw no SYN of them" "$syns0" "$(syn_count $NS_TARGET)"

# C. Half-open checks, as load balancers probe a port: 10 SYNs from the
# client's real address (hping3 -S); its stack answers each SYN-ACK with a
# RST. Each session ends on that RST (sess_reset), not as unconfirmed,
# and still nothing reaches the target.
reset0=$(rstat sess_reset)
in_ns $NS_CLIENT hping3 -q -S -p 6379 -i u20000 -c 10 $ONLINE_IP >/dev/null 2>&1
check "the half-open checks' sessions are gone" wait_until 60 spoof_gone
check_eq "sess_reset counts the 10 half-open checks" $((reset0 + 10)) "$(rstat sess_reset)"
check_eq "syn_unconfirmed unchanged by them" $((unconf0 + 1300)) "$(rstat syn_unconfirmed)"
check_eq "target: no SYN of them" "$syns0" "$(syn_count $NS_TARGET)"

# The connection still works, on both sides.
in_ns $NS_CLIENT redis-cli -h $ONLINE_IP -p 6379 lpush spoof:q hello >/dev/null || fail "lpush"
done_blpop() { grep -q hello "$WORK/blpop.out"; }
check "the blocked client got the value" wait_until 10 done_blpop
check "replay finished (acked == captured)" wait_replay_idle 6379 60
cmd_calls() { redis_cmdstats "$1" "$2" "$3" | awk -v c="$4" '$1 == c { print $2 }'; }
check_eq "target redis ran the replayed BLPOP" "$(cmd_calls $NS_ONLINE $ONLINE_IP 6379 blpop)" \
	"$(cmd_calls $NS_TARGET $TARGET_IP 6380 blpop)"
# A fresh client after the flood: replayed exactly.
for ((i = 0; i < 20; i++)); do
	in_ns $NS_CLIENT redis-cli -h $ONLINE_IP -p 6379 set spoof:k$i v$i >/dev/null || fail "set $i"
done
check "replay finished after the fresh clients" wait_replay_idle 6379 60
check_eq "target redis ran the 20 SETs" "$(cmd_calls $NS_ONLINE $ONLINE_IP 6379 set)" \
	"$(cmd_calls $NS_TARGET $TARGET_IP 6380 set)"
check_eq "the SETs' values on the target" v19 "$(in_ns $NS_TARGET redis-cli -h $TARGET_IP -p 6380 get spoof:k19)"
check_replay_exact
check_dmesg_clean
finish
