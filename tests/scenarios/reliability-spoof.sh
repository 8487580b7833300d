#!/bin/bash
# timeout: 300
# Forged client segments, default settings. A live redis connection (a
# client blocked in BLPOP on the online server, replayed to the target's
# redis) gets three RSTs from its own address and port with sequence
# numbers away from the connection's (hping3 -R): the online server's
# stack ignores them (RFC 5961), and so must the replay. Facts: the
# online and the target redis keep the connection, the session stays
# established, drop_other counts the three, and the value pushed
# afterwards reaches the blocked client and both servers (LPUSH counted
# on each, BLPOP answered).
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../lib-servers.sh"
# shellcheck disable=SC2034 # MAP_PORT is read by lib-servers.sh
MAP_PORT=6379
command -v hping3 >/dev/null || skip "hping3 missing (make deps)"

topo_setup
redis_pair_start
module_load
dmesg_mark
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

# The connection still works, on both sides.
in_ns $NS_CLIENT redis-cli -h $ONLINE_IP -p 6379 lpush spoof:q hello >/dev/null || fail "lpush"
done_blpop() { grep -q hello "$WORK/blpop.out"; }
check "the blocked client got the value" wait_until 10 done_blpop
check "replay finished (acked == captured)" wait_replay_idle 6379 60
cmd_calls() { redis_cmdstats "$1" "$2" "$3" | awk -v c="$4" '$1 == c { print $2 }'; }
check_eq "target redis ran the replayed BLPOP" "$(cmd_calls $NS_ONLINE $ONLINE_IP 6379 blpop)" \
	"$(cmd_calls $NS_TARGET $TARGET_IP 6380 blpop)"
check_replay_exact
check_dmesg_clean
finish
