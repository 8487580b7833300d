#!/bin/bash
# timeout: 420
# IPv6 with the client's own address, and over a path with a smaller MTU;
# default settings, WORKER selects the worker model (default wq).
#  1. redis over IPv6, --source client: redis-benchmark pipelined (-P 16)
#     and unpipelined against the online redis. The target's commandstats
#     equal the online one's, command by command, and every connection
#     reached the target from the real client's address (an nft counter
#     of SYNs from it on the target), none from the online host's.
#  2. nginx over IPv6 two routers behind the target netns, whose link has
#     MTU 1280 (IPv6's minimum) while the ends have 1500: the replayed
#     segments are too big for it, the first router answers ICMPv6
#     "packet too big", the module fits its segments and lowers the
#     route's path MTU (pmtu_lowered). Three 1 MB uploads at once, then
#     keep-alive requests: the target stores the uploads byte-identical and
#     logs exactly the online requests; acked == captured.
# A tenth of the requests under LOAD=light.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../lib-servers.sh"
# shellcheck disable=SC2034 # MAP_PORT is read by lib-servers.sh
MAP_PORT=6379
NS_MID=mid NS_FAR=far FAR_IP6=fd00:5::2
URL=http://[$ONLINE_IP6]:8080

# online -- target netns (router 1) -- mid (router 2) -- far (nginx); the
# routers' link has MTU 1280 at both ends, the others 1500.
topo_setup
topo_ipv6
for ns in $NS_MID $NS_FAR; do
	ip netns add $ns || die "ip netns add $ns"
	on_exit ip netns del $ns
	in_ns $ns ip link set lo up
done
_link $NS_TARGET r1 10.0.4.1 $NS_MID r2 10.0.4.2
_link $NS_MID r2-far 10.0.5.1 $NS_FAR veth0 10.0.5.2
in_ns $NS_TARGET ip -6 addr add fd00:4::1/64 dev r1 nodad
in_ns $NS_MID ip -6 addr add fd00:4::2/64 dev r2 nodad
in_ns $NS_MID ip -6 addr add fd00:5::1/64 dev r2-far nodad
in_ns $NS_FAR ip -6 addr add $FAR_IP6/64 dev veth0 nodad
in_ns $NS_TARGET ip link set r1 mtu 1280 || die "mtu 1280 on r1"
in_ns $NS_MID ip link set r2 mtu 1280 || die "mtu 1280 on r2"
in_ns $NS_TARGET sysctl -qw net.ipv6.conf.all.forwarding=1
in_ns $NS_MID sysctl -qw net.ipv6.conf.all.forwarding=1
in_ns $NS_TARGET ip -6 route add fd00:5::/64 via fd00:4::2
in_ns $NS_MID ip -6 route add default via fd00:4::1
in_ns $NS_FAR ip -6 route add default via fd00:5::1
in_ns $NS_ONLINE ip -6 route add fd00:5::/64 via $TARGET_IP6

redis_start $NS_ONLINE online $ONLINE_IP6 6379
redis_start $NS_TARGET target $TARGET_IP6 6380
# shellcheck disable=SC2034 # read by nginx_start
NGINX_IPV6=1
nginx_start $NS_ONLINE online 8080
nginx_start $NS_FAR target 8081
nginx_make_files online target
wait_until 10 in_ns $NS_ONLINE curl -s -o /dev/null "http://[$FAR_IP6]:8081/small.html" ||
	die "no IPv6 path from the online host to the far nginx"
module_load
dmesg_mark
nginx_rotate online
nginx_rotate target

# SYNs reaching the target redis: from the real client, and in all.
in_ns $NS_TARGET nft -f - <<-EOF || die "nft counters on the target"
table inet srcs {
	chain input {
		type filter hook input priority -5; policy accept;
		ip6 saddr $CLIENT_IP6 tcp dport 6380 tcp flags & (syn | ack) == syn counter
		tcp dport 6380 tcp flags & (syn | ack) == syn counter
	}
}
EOF
syn_counts() { in_ns $NS_TARGET nft list table inet srcs | sed -n 's/.*packets \([0-9]*\).*/\1/p' | tr '\n' ' '; }

log "part 1: replctl add [$ONLINE_IP6]:6379 [$TARGET_IP6]:6380 --source client"
replctl_in $NS_ONLINE add "[$ONLINE_IP6]:6379" "[$TARGET_IP6]:6380" --source client >/dev/null ||
	die "replctl add [$ONLINE_IP6]:6379 [$TARGET_IP6]:6380 --source client"
set_worker
bench() {
	log "redis-benchmark $*"
	in_ns $NS_CLIENT redis-benchmark -h $ONLINE_IP6 -p 6379 -q "$@" 2>&1 | tr '\r' '\n' |
		grep 'requests per second' | sed 's/^/#   /'
	[ "${PIPESTATUS[0]}" = 0 ] || fail "redis-benchmark $* failed"
}
bench -P 16 -c 10 -n "$(scaled 10000)" -t set,get,incr,lpush,lpop,sadd,hset,mset -d 64
bench -c 10 -n "$(scaled 1000)" -t set,get -d 256
check "part 1: replay finished (acked == captured, no live session)" wait_replay_idle 6379 120
# Before the harness's own reads (redis-cli INFO on each side: the online
# one is replayed too, from the online host's address).
read -r from_client all _ <<< "$(syn_counts)"
log "target SYNs: $from_client from $CLIENT_IP6 of $all"
check "part 1: connections reached the target from the client's own address" test "${from_client:-0}" -gt 0
check_eq "part 1: every connection came from the client's address" "$all" "$from_client"
check_stat_eq sess_syn "$all" 6379
on=$(redis_cmdstats $NS_ONLINE $ONLINE_IP6 6379)
tg=$(redis_cmdstats $NS_TARGET $TARGET_IP6 6380)
[ "$(printf '%s\n' "$on" | wc -l)" -ge 8 ] || fail "online commandstats look wrong: $on"
d=$(diff_text "$on" "$tg") &&
	pass "part 1: target commandstats equal online's (every command, calls and failed calls)" ||
	{ fail "part 1: commandstats differ (< online, > target):"; printf '%s\n' "$d"; }
check "part 1: replay finished after the reads" wait_replay_idle 6379 60
check_replay_exact 6379
check_sessions_accounted 6379
check_no_drops 6379

log "part 2: replctl add 8080 [$FAR_IP6]:8081, across the 1280-byte hop"
replctl_in $NS_ONLINE add 8080 "[$FAR_IP6]:8081" >/dev/null || die "replctl add 8080 [$FAR_IP6]:8081"
# shellcheck disable=SC2034 # read by put_at_once
MAP_PORT=8080
put_at_once first 1024 3
check "part 2: uploads replayed across the 1280-byte hop" wait_replay_idle 8080 120
check_stat_gt pmtu_lowered 0
log "route to the far target: $(in_ns $NS_ONLINE ip -6 route get $FAR_IP6 | head -n 1)"
check "the online host's route to the far target learnt MTU 1280" \
	sh -c "ip netns exec $NS_ONLINE ip -6 route get $FAR_IP6 | grep -q 'mtu 1280'"
hey_check "keep-alive after the hop was learnt" 500 -c 10 "$URL/small.html"
check "part 2: replay finished" wait_replay_idle 8080 120
compare_nginx_logs online target "part 2"
for i in 1 2 3; do
	check_eq "target stored first$i.bin byte-identical" "$(sha256sum < "$WORK/first$i.bin")" \
		"$(sha256sum < "$(nginx_root target)/dav/first$i.bin" 2>/dev/null)"
done
check_replay_exact 8080
check_stat_eq sess_timedout 0 8080
check_stat_eq sess_reset 0 8080
check_sessions_accounted 8080
check_dmesg_clean
finish
