#!/bin/bash
# timeout: 200
# Without CAP_NET_ADMIN nothing changes; a user-namespace root may change its
# own netns's mappings but not module-wide settings.
source "$(dirname "$0")/../lib.sh"
topo_setup
module_load
dmesg_mark
command -v setpriv >/dev/null || skip "setpriv (util-linux) missing"
replctl_in $NS_ONLINE add 8080 10.0.2.2:80 >/dev/null || die "setup add"

unpriv() { ip netns exec $NS_ONLINE setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$REPLCTL" "$@"; }
expect_fail 1 'permission denied.*CAP_NET_ADMIN' "unprivileged add" unpriv add 9090 10.0.2.2:80
expect_fail 1 'permission denied.*CAP_NET_ADMIN' "unprivileged del" unpriv del 8080
expect_fail 1 'permission denied.*CAP_NET_ADMIN' "unprivileged del --all" unpriv del --all
expect_fail 1 'permission denied.*CAP_NET_ADMIN' "unprivileged set" unpriv set max-sessions 5
check_eq "mapping survived the attempts" 1 "$(json_get "$(replctl_in $NS_ONLINE list --json)" 'len(j)')"

# A user namespace root with its own netns: its mappings only.
if unshare -U -r -n true 2>/dev/null; then
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups unshare -U -r -n sh -c \
		"ip link set lo up; $REPLCTL add 7070 10.0.2.2:80 && $REPLCTL list --json" 2>&1)
	rc=$?
	check_eq "userns root adds in its own netns" 0 "$rc"
	log "$out"
	expect_fail 1 'permission denied' "userns root cannot change module settings" \
		setpriv --reuid=65534 --regid=65534 --clear-groups unshare -U -r -n "$REPLCTL" set max-sessions 5
	check_eq "userns mapping invisible outside" 1 \
		"$(json_get "$(replctl_in $NS_ONLINE list --json)" 'len(j)')"
else
	log "unprivileged user namespaces disabled; userns part skipped"
fi
check_dmesg_clean
finish
