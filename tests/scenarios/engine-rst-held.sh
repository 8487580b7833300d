#!/bin/bash
# timeout: 300
# A client's RST while its last request has not reached the target yet,
# and the target server is at work on the mapping's other connections.
# Default settings. Client B sends a request on a keep-alive connection
# (replayed), then nft in the target's netns drops every packet of B's
# replayed connection; B sends a second request, reads the online
# server's answer and resets (SO_LINGER 0). Client A meanwhile makes 10
# requests a second on another connection for 14 s, so the target makes
# progress, but not on B's connection, for longer than REPLCOPY_RST_GRACE
# (5 s). The drop ends 6 s after B's RST; the replay's retransmission then
# delivers B's second request. The previous module sent the RST 5 s after
# B's connection's last progress, with the request never delivered; now
# the RST waits while the target makes progress on the mapping's other
# connections (up to REPLCOPY_RST_MAX, 20 s). Facts: the target's nginx
# logs exactly the online's requests (B's two included); acked ==
# captured; B's session ends by the client's RST (an event); no drops;
# kernel log clean. WORKER selects the worker model.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../lib-servers.sh"
source "$(dirname "$0")/../lib-events.sh"
# shellcheck disable=SC2034 # MAP_PORT is read by lib-servers.sh
MAP_PORT=8080
URL=http://$ONLINE_IP:8080
DROP_FOR=6 A_FOR=14

nginx_pair_setup
module_load
dmesg_mark
replctl_in $NS_ONLINE add 8080 $TARGET_IP:8081 >/dev/null || die "replctl add 8080 $TARGET_IP:8081"
set_worker
monitor_start $NS_ONLINE "$WORK/events.json"

# Client B: a request, its local port in port.b, then, once go.b exists, a
# second request and a RST.
rst_client $NS_CLIENT "$ONLINE_IP" 8080 1 "$WORK/port.b" "$WORK/go.b" 1 > "$WORK/b.out" 2>&1 &
bpid=$!
on_exit "kill $bpid 2>/dev/null"
wait_until 30 test -s "$WORK/port.b" || die "client B did not get its first answer: $(cat "$WORK/b.out")"
bport=$(cat "$WORK/port.b")
check "B's first request replayed" wait_until 30 test "$(nginx_count target)" -ge 1

# B's replayed connection: its source address and port toward the target.
sess=$(replctl_in $NS_ONLINE sessions --json) || die "replctl sessions"
read -r saddr sport < <(json_get "$sess" \
	"' '.join(str(x) for s in j if s['client_port'] == $bport for x in (s['source_addr'], s['source_port']))")
[ -n "$sport" ] || die "no session for client B's port $bport: $sess"
log "client B: port $bport, replayed from $saddr:$sport"
in_ns $NS_TARGET nft -f - <<-EOF || die "nft in $NS_TARGET"
table inet rstheld {
	chain in {
		type filter hook input priority 0; policy accept;
		ip saddr $saddr tcp sport $sport tcp dport 8081 counter drop
	}
}
EOF
on_exit "in_ns $NS_TARGET nft delete table inet rstheld"

touch "$WORK/go.b"
wait $bpid
check_eq "client B's two requests answered by the online server, then its RST" \
	2 "$(tail -n 1 "$WORK/b.out")"
log "B reset; client A for ${A_FOR}s, B's connection dropped for ${DROP_FOR}s more"
in_ns $NS_CLIENT hey -z "${A_FOR}s" -c 1 -q 10 "$URL/small.html" > "$WORK/hey.out" 2>&1 &
apid=$!
sleep "$DROP_FOR"
dropped=$(in_ns $NS_TARGET nft list table inet rstheld | sed -n 's/.*packets \([0-9]*\).*/\1/p')
in_ns $NS_TARGET nft delete table inet rstheld || fail "nft delete table"
log "drop ended: $dropped packets of B's replayed connection dropped; $(rstats_line)"
check "the replay of B's connection was dropped meanwhile" test "${dropped:-0}" -gt 0
wait $apid
check_eq "client A's requests all answered" 0 \
	"$(awk '/^Status code distribution:/ { f = 1; next } f && /\[[0-9]+\]/ && $1 != "[200]" { n += $2 } END { print n + 0 }' "$WORK/hey.out")"
check "replay finished" wait_replay_idle 8080 120
log "stats: $(rstats_line)"
sleep 1
monitor_stop

compare_nginx_logs online target "A's and B's requests"
check_replay_exact
check_sessions_accounted
check_no_drops
check_eq "B's session ended by its RST" 1 \
	"$(python3 -c '
import json, sys
n = 0
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e.get("event") == "session-end" and e["session"]["client_port"] == int(sys.argv[2]):
        n += e.get("reason") == "client-rst"
print(n)' "$WORK/events.json" "$bport")"
check_dmesg_clean
finish
