#!/bin/bash
# timeout: 200
# Without CAP_NET_ADMIN nothing changes and no session (real client
# addresses) is shown, while mappings, counters and settings stay readable;
# a user-namespace root may change and read its own netns's mappings and
# sessions but not module-wide settings.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../lib-servers.sh"
topo_setup
module_load
dmesg_mark
command -v setpriv >/dev/null || skip "setpriv (util-linux) missing"
replctl_in $NS_ONLINE add 8080 10.0.2.2:80 >/dev/null || die "setup add"

# A live session: a redis client blocked in BLPOP on the online server,
# replayed to the target's redis.
redis_pair_start
replctl_in $NS_ONLINE add 6379 $TARGET_IP:6380 >/dev/null || die "setup add 6379"
# (BLPOP without a timeout: a debug kernel takes minutes over this scenario.)
in_ns $NS_CLIENT redis-cli -h $ONLINE_IP -p 6379 blpop perm:q 0 >/dev/null 2>&1 &
on_exit "kill $! 2>/dev/null"
established() {
	[ "$(json_get "$(replctl_in $NS_ONLINE sessions --json)" \
		'sum(s["state"] == "established" for s in j)')" = 1 ]
}
wait_until 20 established ||
	die "no established session for the redis client: $(replctl_in $NS_ONLINE sessions)"
check_eq "root sees the session's client address" "$CLIENT_IP" \
	"$(json_get "$(replctl_in $NS_ONLINE sessions --json)" 'j[0]["client_addr"]')"

unpriv() { ip netns exec $NS_ONLINE setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$REPLCTL" "$@"; }
expect_fail 1 'permission denied.*CAP_NET_ADMIN' "unprivileged add" unpriv add 9090 10.0.2.2:80
expect_fail 1 'permission denied.*CAP_NET_ADMIN' "unprivileged del" unpriv del 8080
expect_fail 1 'permission denied.*CAP_NET_ADMIN' "unprivileged del --all" unpriv del --all
expect_fail 1 'permission denied.*CAP_NET_ADMIN' "unprivileged set" unpriv set max-sessions 5
check_eq "mappings survived the attempts" 2 "$(json_get "$(replctl_in $NS_ONLINE list --json)" 'len(j)')"

# Reading: sessions need CAP_NET_ADMIN; the rest is open, and the same.
expect_fail 1 'sessions: permission denied.*CAP_NET_ADMIN' "unprivileged sessions" unpriv sessions
expect_fail 1 'sessions: permission denied.*CAP_NET_ADMIN' "unprivileged sessions --json" unpriv sessions --json
for c in "list --json" "show --json"; do
	# shellcheck disable=SC2086
	check_eq "unprivileged $c reads what root reads" "$(replctl_in $NS_ONLINE $c)" "$(unpriv $c 2>&1)"
done
check_eq "unprivileged stats --json answers with both mappings" 2 \
	"$(json_get "$(unpriv stats --json)" 'len(j["mappings"])')"

# A user namespace root with its own netns: its mappings only.
if userns_ok "userns part"; then
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups unshare -U -r -n sh -c \
		"ip link set lo up; $REPLCTL add 7070 10.0.2.2:80 && $REPLCTL list --json && $REPLCTL sessions --json" 2>&1)
	rc=$?
	check_eq "userns root adds and lists sessions in its own netns" 0 "$rc"
	log "$out"
	check_eq "userns root's sessions: its netns's, none" "[]" "$(printf '%s\n' "$out" | tail -n 1)"
	expect_fail 1 'permission denied' "userns root cannot change module settings" \
		setpriv --reuid=65534 --regid=65534 --clear-groups unshare -U -r -n "$REPLCTL" set max-sessions 5
	check_eq "userns mapping (port 7070) not in the init netns" 0 \
		"$(json_get "$(replctl list --json)" 'sum(m["port"] == 7070 for m in j)')"
	check_eq "userns mapping invisible outside" 2 \
		"$(json_get "$(replctl_in $NS_ONLINE list --json)" 'len(j)')"
fi
check_eq "the redis session is still live after the attempts" 1 \
	"$(json_get "$(replctl_in $NS_ONLINE sessions --json)" 'len(j)')"
check_dmesg_clean
finish
