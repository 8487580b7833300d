#!/bin/bash
# timeout: 300
# Connections opened before the mapping was added. Three keep-alive HTTP
# clients (python3 http.client: no Debian client keeps a connection idle on
# command) each send 3 requests, wait until the mapping exists, then send 5
# more on the same connection. With fabrication (default) the module makes
# up the handshake from the first data it sees: sess_fabricated == 3 and the
# target logs exactly the 15 requests sent after the mapping appeared. With
# --no-fabricate the target gets nothing from those connections and
# drop_nosyn counts their segments; new connections are still replayed.
# WORKER selects the worker model (default wq).
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../lib-servers.sh"
# shellcheck disable=SC2034 # MAP_PORT is read by lib-servers.sh
MAP_PORT=8080
NCLIENTS=3 BEFORE=3 AFTER=5

nginx_pair_setup
module_load
dmesg_mark
set_worker

# run_clients TAG MAPPING-ARGS...: clients connect and send their first
# requests, then the mapping is added, then they send the rest.
run_clients() {
	local tag=$1
	shift
	ka_clients "$tag" $NCLIENTS $BEFORE $AFTER \
		replctl_in $NS_ONLINE add 8080 $TARGET_IP:8081 "$@"
}

# --- fabricated handshakes
run_clients fab
in_ns $NS_CLIENT curl -s -o /dev/null "http://$ONLINE_IP:8080/fab-new-connection" || fail "curl"
check "replay finished" wait_replay_idle 8080 60
check_stat_eq sess_fabricated $NCLIENTS
check_stat_eq sess_syn 1
check_eq "target got exactly the requests sent after the mapping appeared" \
	"$(grep -c -e '/after-' -e 'fab-new' "$(nginx_log online)")" "$(nginx_count target)"
check_eq "... which are $((NCLIENTS * AFTER + 1))" $((NCLIENTS * AFTER + 1)) "$(nginx_count target)"
check_eq "target got none of the requests sent before" 0 "$(grep -c '/before-' "$(nginx_log target)")"
d=$(diff_text "$(grep -v '/before-' "$(nginx_log online)" | awk '{ print $2, $3, $4, $5 }' | LC_ALL=C sort)" "$(nginx_requests target)") &&
	pass "same method, URI, status, request_length as online" || { fail "logs differ:"; printf '%s\n' "$d"; }
check_eq "target saw one connection per client plus the new one" $((NCLIENTS + 1)) "$(nginx_conns target)"
check_replay_exact
check_sessions_accounted
check_no_drops

# --- --no-fabricate: a fresh mapping and fresh logs
replctl_in $NS_ONLINE del 8080 || fail "replctl del 8080"
nginx_rotate online
nginx_rotate target
run_clients nofab --no-fabricate
in_ns $NS_CLIENT curl -s -o /dev/null "http://$ONLINE_IP:8080/nofab-new-connection" || fail "curl"
check "replay finished (--no-fabricate)" wait_replay_idle 8080 60
check_stat_eq sess_fabricated 0
check_stat_eq sess_syn 1
check_stat_gt drop_nosyn $((NCLIENTS * AFTER - 1))
check_eq "--no-fabricate: target got only the new connection's request" \
	"GET /nofab-new-connection 404" "$(awk '{ print $2, $3, $4 }' "$(nginx_log target)")"
check_replay_exact
check_sessions_accounted
check_dmesg_clean
finish
