#!/bin/bash
# timeout: 300
# Path MTU discovery (RFC 1191) toward the target. The target nginx sits
# two routers behind the online netns, and the link between the routers
# has MTU 1200 while the ends have 1500: the target advertises MSS 1460,
# and the replayed segments (DF set) are too big for that link. The first
# router answers ICMP "fragmentation needed, MTU 1200". The module takes that error (a replayed
# connection has no socket it could reach), makes the session's segments
# fit, sends again, and lowers the route's path MTU so that later sessions
# start with it. Default settings.
#   Three 1 MB uploads at once meet the hop: pmtu_lowered > 0, and the
#   online netns's route toward the target has learnt MTU 1200. Then a
#   1 MB upload, keep-alive requests (hey) and 200 KB POSTs start with it:
#   pmtu_lowered stays. The target logs exactly the online requests and
#   stores the uploads byte-identical; acked == captured; no session timed
#   out or was reset. On the previous module the first upload stalled (the
#   target acked 135 of 1 048 711 bytes in 120 s). WORKER selects the
#   worker model.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../lib-servers.sh"
# shellcheck disable=SC2034 # MAP_PORT is read by lib-servers.sh
MAP_PORT=8080
URL=http://$ONLINE_IP:8080
NS_MID=mid NS_FAR=far FAR_IP=10.0.5.2

# online -- target netns (router 1) -- mid (router 2) -- far (the target
# nginx); the link between the routers has MTU 1200 at both ends, the
# others 1500.
topo_setup
for ns in $NS_MID $NS_FAR; do
	ip netns add $ns || die "ip netns add $ns"
	on_exit ip netns del $ns
	in_ns $ns ip link set lo up
done
_link $NS_TARGET r1 10.0.4.1 $NS_MID r2 10.0.4.2
_link $NS_MID r2-far 10.0.5.1 $NS_FAR veth0 $FAR_IP
in_ns $NS_TARGET ip link set r1 mtu 1200 || die "mtu 1200 on r1"
in_ns $NS_MID ip link set r2 mtu 1200 || die "mtu 1200 on r2"
in_ns $NS_TARGET sysctl -qw net.ipv4.ip_forward=1
in_ns $NS_MID sysctl -qw net.ipv4.ip_forward=1
in_ns $NS_TARGET ip route add 10.0.5.0/24 via 10.0.4.2
in_ns $NS_MID ip route add default via 10.0.4.1
in_ns $NS_FAR ip route add default via 10.0.5.1
in_ns $NS_ONLINE ip route add 10.0.5.0/24 via $TARGET_IP
nginx_start $NS_ONLINE online 8080
nginx_start $NS_FAR target 8081
nginx_make_files online target
module_load
dmesg_mark
log "route to the target before: $(in_ns $NS_ONLINE ip route get $FAR_IP | head -n 1)"

syn_watch $NS_ONLINE 8080
replctl_in $NS_ONLINE add 8080 $FAR_IP:8081 >/dev/null || die "replctl add 8080 $FAR_IP:8081"
set_worker

# Three sessions at once meet the hop: each is fitted, by its own ICMP
# error or, once the first one lowered the route, at its next send.
put_at_once first 1024 3
check "first uploads replayed across the 1200-byte hop" wait_replay_idle 8080 120
check_stat_gt pmtu_lowered 0
lowered=$(rstat pmtu_lowered)
route=$(in_ns $NS_ONLINE ip route get $FAR_IP | tr '\n' ' ')
log "route to the target after: $route"
check "the online netns's route toward the target learnt mtu 1200" grep -q 'mtu 1200' <<< "$route"

# Later sessions start with the route's path MTU: nothing more to lower.
put_at_once later 1024 1
hey_check keep-alive 500 -c 10 "$URL/small.html"
hey_check "POST 200 KB" 20 -c 4 -m POST -D "$WORK/files/200k.bin" "$URL/post"
check "replay finished" wait_replay_idle 8080 180
compare_nginx_logs online target "across a 1200-byte hop"
for f in first1 first2 first3 later1; do
	check_eq "target stored $f.bin byte-identical" "$(sha256sum < "$WORK/$f.bin")" \
		"$(sha256sum < "$(nginx_root target)/dav/$f.bin" 2>/dev/null)"
done
check_replay_exact
check_stat_eq pmtu_lowered "$lowered"
check_stat_eq sess_syn "$(syn_count $NS_ONLINE)"
check_stat_eq sess_timedout 0
check_stat_eq sess_reset 0
check_sessions_accounted
check_no_drops
log "router: $(in_ns $NS_TARGET nstat -az IcmpOutDestUnreachs IpFragFails 2>/dev/null | tail -n +2 | awk '{ printf "%s=%s ", $1, $2 }')"
check_dmesg_clean
finish
