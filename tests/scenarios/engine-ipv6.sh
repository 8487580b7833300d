#!/bin/bash
# timeout: 420
# IPv6, default settings; WORKER selects the worker model (default wq).
#  1. A mapping without an online address (both families) to an IPv6
#     target nginx. IPv6 clients send keep-alive requests, one connection
#     per request (200 KB responses) and two 5 MB PUTs; at the same time
#     IPv4 clients send one connection per request, which are replayed over
#     IPv6 (the replayed connection is the online host's own).
#  2. A mapping bound to the online host's IPv6 address, to the IPv4
#     target: IPv6 clients are replayed over IPv4; the port's IPv4 clients
#     are not replayed at all.
# In each, the target nginx logs exactly the replayed requests (count,
# bytes, method, URI, status) and all of them from the online host's
# address of the target's family; uploads are byte-identical; the target
# acknowledged every captured byte; one SYN reached the target per client
# connection replayed. A tenth of the requests under LOAD=light.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../lib-servers.sh"
# shellcheck disable=SC2034 # MAP_PORT is read by lib-servers.sh
MAP_PORT=8080
URL=http://[$ONLINE_IP6]:8080
URL4=http://$ONLINE_IP:8080

# shellcheck disable=SC2034 # read by nginx_start
NGINX_IPV6=1
nginx_pair_setup
topo_ipv6
wait_until 10 in_ns $NS_CLIENT curl -s -o /dev/null "$URL/small.html" ||
	die "no IPv6 path from the client to the online nginx ($URL)"
wait_until 10 in_ns $NS_ONLINE curl -s -o /dev/null "http://[$TARGET_IP6]:8081/small.html" ||
	die "no IPv6 path from the online host to the target nginx"
module_load
dmesg_mark
nginx_rotate online
nginx_rotate target
syn_watch $NS_ONLINE 8080
syn_watch $NS_TARGET 8081

# remote_addrs NAME: the distinct client addresses of nginx NAME's log.
remote_addrs() { awk '{ print $1 }' "$(nginx_log "$1")" | sort -u | tr '\n' ' ' | sed 's/ $//'; }

log "phase 1: replctl add 8080 [$TARGET_IP6]:8081 (both families captured)"
replctl_in $NS_ONLINE add 8080 "[$TARGET_IP6]:8081" >/dev/null ||
	die "replctl add 8080 [$TARGET_IP6]:8081"
set_worker
list=$(replctl_in $NS_ONLINE list)
log "replctl list:"
printf '%s\n' "$list" | sed 's/^/#   /'
check "replctl list shows the target in bracket form" grep -qF "[$TARGET_IP6]:8081" <<< "$list"
check_eq "replctl list --json: target_addr" "$TARGET_IP6" \
	"$(json_get "$(replctl_in $NS_ONLINE list --json)" 'j[0]["target_addr"]')"

hey_check "IPv6 keep-alive" 1000 -c 10 "$URL/small.html"
hey_errors

n4=$(scaled 100)
n4=$(((n4 + 4) / 5 * 5))
log "at once: IPv4 and IPv6 clients, one connection per request ($n4 each, 200 KB)"
in_ns $NS_CLIENT hey -n "$n4" -c 5 -disable-keepalive "$URL4/200k.bin" > "$WORK/hey4.out" 2>&1 &
pid4=$!
hey_check "IPv6 one connection per request" 100 -c 5 -disable-keepalive "$URL/200k.bin"
wait $pid4
check_eq "hey IPv4 one connection per request: every request answered 200" "$n4" \
	"$(awk '/^ *\[200\]/ { print $2 }' "$WORK/hey4.out")"

up_kb=$(scaled 5120)
log "uploads over IPv6: 2 x $up_kb KB PUT"
put_at_once up "$up_kb" 2

check "phase 1: replay finished (acked == captured, no live session)" wait_replay_idle 8080 120
compare_nginx_logs online target "phase 1"
check_eq "phase 1: online clients of both families" "$CLIENT_IP $CLIENT_IP6" "$(remote_addrs online)"
check_eq "phase 1: every replayed request came over IPv6 from the online host" \
	"$ONLINE_TIP6" "$(remote_addrs target)"
for i in 1 2; do
	check_eq "target stored up$i.bin byte-identical" "$(sha256sum < "$WORK/up$i.bin")" \
		"$(sha256sum < "$(nginx_root target)/dav/up$i.bin" 2>/dev/null)"
done
check_replay_exact
check_stat_eq sess_syn "$(syn_count $NS_ONLINE)"
check_stat_eq sess_fabricated 0
check_eq "phase 1: target got one SYN per client connection" "$(syn_count $NS_ONLINE)" "$(syn_count $NS_TARGET)"
check_sessions_accounted
check_no_drops
check_clean_path

log "phase 2: replctl add [$ONLINE_IP6]:8080 $TARGET_IP:8081 (IPv6 clients only)"
replctl_in $NS_ONLINE del 8080 || die "replctl del 8080"
nginx_rotate online
nginx_rotate target
syn0=$(syn_count $NS_TARGET)
replctl_in $NS_ONLINE add "[$ONLINE_IP6]:8080" $TARGET_IP:8081 >/dev/null ||
	die "replctl add [$ONLINE_IP6]:8080 $TARGET_IP:8081"
check "replctl list shows the online address in bracket form" \
	grep -qF "[$ONLINE_IP6]:8080" <<< "$(replctl_in $NS_ONLINE list)"
# hey_check scales its count and rounds it up to a multiple of -c.
n6=$(scaled 200)
n6=$(((n6 + 4) / 5 * 5))
hey_check "IPv6 one connection per request" 200 -c 5 -disable-keepalive "$URL/small.html"
for i in 1 2 3 4 5; do
	check_eq "IPv4 request $i answered" 200 \
		"$(in_ns $NS_CLIENT curl -s --max-time 20 -o /dev/null -w '%{http_code}' "$URL4/small.html")"
done
check "phase 2: replay finished" wait_replay_idle 8080 120
on6=$(awk -v a="$CLIENT_IP6" '$1 == a { print $2, $3, $4, $5 }' "$(nginx_log online)" | LC_ALL=C sort)
d=$(diff_text "$on6" "$(nginx_requests target)") &&
	pass "phase 2: the target got exactly the IPv6 clients' requests ($(wc -l <<< "$on6"))" ||
	{ fail "phase 2: requests differ (< online IPv6 clients, > target):"; printf '%s\n' "$d" | head -20; }
check_eq "phase 2: online served 5 IPv4 requests besides" 5 \
	"$(awk -v a="$CLIENT_IP" '$1 == a' "$(nginx_log online)" | wc -l)"
check_eq "phase 2: every replayed request came over IPv4 from the online host" \
	"$ONLINE_TIP" "$(remote_addrs target)"
check_eq "phase 2: target got one SYN per IPv6 client connection" "$n6" $(($(syn_count $NS_TARGET) - syn0))
check_replay_exact
check_stat_eq sess_syn "$n6"
check_sessions_accounted
check_no_drops
check_dmesg_clean
finish
