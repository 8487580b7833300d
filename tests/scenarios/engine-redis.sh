#!/bin/bash
# timeout: 400
# redis → redis: redis-benchmark pipelined (-P 16) and unpipelined against the
# online redis. The target's INFO commandstats calls equal the online one's,
# command by command. A tenth of the requests under LOAD=light.
#
# What the harness itself sends: INFO (to read the counters), which is left
# out of the comparison (on the online side it is replayed too, but the
# target is also read directly). redis-benchmark's own CONFIG GET at start
# goes through the mapping like everything else, so it must match exactly.
# WORKER selects the worker model (default wq).
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../lib-servers.sh"
# shellcheck disable=SC2034 # MAP_PORT is read by lib-servers.sh
MAP_PORT=6379

topo_setup
redis_start $NS_ONLINE online $ONLINE_IP 6379
redis_start $NS_TARGET target $TARGET_IP 6380
module_load
dmesg_mark

replctl_in $NS_ONLINE add 6379 $TARGET_IP:6380 >/dev/null || die "replctl add 6379 $TARGET_IP:6380"
set_worker

bench() {
	log "redis-benchmark $*"
	in_ns $NS_CLIENT redis-benchmark -h $ONLINE_IP -p 6379 -q "$@" 2>&1 | tr '\r' '\n' |
		grep 'requests per second' | sed 's/^/#   /'
	[ "${PIPESTATUS[0]}" = 0 ] || fail "redis-benchmark $* failed"
}
bench -P 16 -c 10 -n "$(scaled 10000)" -t set,get,incr,lpush,rpush,lpop,rpop,sadd,hset,spop,mset -d 64
bench -c 10 -n "$(scaled 2000)" -t set,get,incr,lpush,lpop,mset -d 256
bench -c 4 -n "$(scaled 500)" -t set,get -d 4000 -r 1000
# A few single commands through redis-cli, a connection each.
for i in 1 2 3 4 5; do
	in_ns $NS_CLIENT redis-cli -h $ONLINE_IP -p 6379 set "cli:$i" "value $i" >/dev/null || fail "redis-cli set"
done
check_eq "redis-cli reads its value back" "value 3" "$(in_ns $NS_CLIENT redis-cli -h $ONLINE_IP -p 6379 get cli:3)"

check "replay finished (acked == captured, no live session)" wait_replay_idle 6379 120

on=$(redis_cmdstats $NS_ONLINE $ONLINE_IP 6379)
tg=$(redis_cmdstats $NS_TARGET $TARGET_IP 6380)
log "online commandstats (command calls failed_calls):"
printf '%s\n' "$on" | sed 's/^/#   /'
[ -n "$on" ] && [ "$(printf '%s\n' "$on" | wc -l)" -ge 10 ] || fail "online commandstats look wrong"
d=$(diff_text "$on" "$tg") &&
	pass "target commandstats equal online's (every command, calls and failed calls)" ||
	{ fail "commandstats differ (< online, > target):"; printf '%s\n' "$d"; }
check_eq "same number of keys" \
	"$(redis_info $NS_ONLINE $ONLINE_IP 6379 keyspace | grep -o 'keys=[0-9]*')" \
	"$(redis_info $NS_TARGET $TARGET_IP 6380 keyspace | grep -o 'keys=[0-9]*')"
check_eq "target has the value redis-cli set" "value 5" "$(in_ns $NS_TARGET redis-cli -h $TARGET_IP -p 6380 get cli:5)"

# The INFO and GET reads above went through the mapping too: let them settle.
check "replay finished after the reads" wait_replay_idle 6379 60
check_replay_exact
check_stat_eq sess_fabricated 0
check_sessions_accounted
check_no_drops
check_clean_path
check_dmesg_clean
finish
