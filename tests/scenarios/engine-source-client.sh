#!/bin/bash
# timeout: 400
# --source client: replayed connections keep the real client's address and
# port; the target routes 10.0.1.0/24 back via the online host (topo_setup's
# default route), where the module consumes the responses. The replay is
# exact, the target's access log shows the client 10.0.1.2 on every line,
# and no target packet ever reaches the real client. WORKER selects the
# worker model.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../lib-servers.sh"
# shellcheck disable=SC2034 # MAP_PORT is read by lib-servers.sh
MAP_PORT=8080
URL=http://$ONLINE_IP:8080

nginx_pair_setup
module_load
dmesg_mark
log "target routes: $(in_ns $NS_TARGET ip route | tr '\n' ';')"

# Count what the client receives from the target (must stay 0).
in_ns $NS_CLIENT nft -f - <<-EOF || die "nft in client"
table inet watch {
	chain input {
		type filter hook input priority 0; policy accept;
		ip saddr $TARGET_IP counter
	}
}
EOF

replctl_in $NS_ONLINE add 8080 $TARGET_IP:8081 --source client >/dev/null ||
	die "replctl add 8080 $TARGET_IP:8081 --source client"
set_worker
check_eq "mapping uses the client's address" client \
	"$(json_get "$(replctl_in $NS_ONLINE list --json)" '[m["source"] for m in j if m["port"] == 8080][0]')"

hey_check keep-alive 500 -c 10 "$URL/small.html"
hey_check one-per-connection 40 -c 5 -disable-keepalive "$URL/200k.bin"
up_kb=$(scaled 5120)
head -c $((up_kb * 1024)) /dev/urandom > "$WORK/up.bin"
check_eq "PUT $up_kb KB" 201 \
	"$(in_ns $NS_CLIENT curl -s --max-time 60 -o /dev/null -w '%{http_code}' -T "$WORK/up.bin" "$URL/dav/up.bin")"

# Look at live sessions once: the source is the client's address.
in_ns $NS_CLIENT python3 - > "$WORK/ka.out" 2>&1 <<-'EOF' &
import http.client, time
c = http.client.HTTPConnection("10.0.1.1", 8080, timeout=30)
for i in range(60):
    c.request("GET", "/small.html"); c.getresponse().read(); time.sleep(0.1)
c.close()
EOF
ka=$!
# (The listing that shows a session is the one checked: a session that was
# only lingering may be gone by the next listing, before python's connects
# on a slow kernel.)
have_session() {
	sess=$(replctl_in $NS_ONLINE sessions --json) &&
		[ "$(json_get "$sess" 'len(j)')" -gt 0 ]
}
wait_until 60 have_session || fail "no live session while the keep-alive client runs"
log "sessions: $sess"
check_eq "live session's source is the client" "$CLIENT_IP" \
	"$(json_get "$sess" '",".join(sorted(set(s["source_addr"] for s in j)))')"
wait $ka || fail "keep-alive client failed"

check "replay finished" wait_replay_idle 8080 120
compare_nginx_logs online target "source client"
check_eq "target's log shows only the client's address" "$CLIENT_IP" \
	"$(awk '{ print $1 }' "$(nginx_log target)" | sort -u | tr '\n' ' ' | sed 's/ $//')"
check_eq "target stored the upload byte-identical" "$(sha256sum < "$WORK/up.bin")" \
	"$(sha256sum < "$(nginx_root target)/dav/up.bin" 2>/dev/null)"
check_eq "no packet from the target reached the client" "packets 0" \
	"$(in_ns $NS_CLIENT nft list chain inet watch input | grep -o 'packets [0-9]*')"
check_replay_exact
check_sessions_accounted
check_no_drops
check_dmesg_clean
finish
