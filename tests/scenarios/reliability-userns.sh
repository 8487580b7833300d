#!/bin/bash
# timeout: 400
# The limits are module-wide, and a user namespace's root may add mappings
# in its own netns. The netns of non-initial user namespaces ("guests")
# together get at most half of max_sessions and of max_total_kbytes, so
# that they cannot starve the initial namespace's mappings. The scenario
# is about those limits, so it lowers them to sizes a test reaches:
# max-sessions 200, max-total-kbytes 1024 (max-session-bytes 1 MiB).
#   sessions: 300 idle client connections to a guest netns's mapped port
#     (redis-benchmark -I against its nginx; its target never answers, so
#     the sessions stay in SYN-SENT): 100 sessions (half of 200), 200
#     refused; then hey's 100 requests to the initial netns's nginx are
#     all replayed, none refused.
#   bytes: an 800 KB upload to the guest's nginx (its target never answers,
#     so the bytes stay queued) is held to 512 KiB (drop_queue); a 300 KB
#     upload in the initial netns meanwhile is replayed exactly.
# Without the share the guest took all 200 sessions and 1 MiB, and the
# initial netns's replay was refused.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../lib-servers.sh"
# shellcheck disable=SC2034 # MAP_PORT is read by lib-servers.sh
MAP_PORT=8080
URL=http://$ONLINE_IP:8080
GUEST_IP=10.0.3.1 GCLIENT_IP=10.0.3.2
command -v setpriv >/dev/null || skip "setpriv (util-linux) missing"
rc=0
userns_ok "the scenario" || rc=$?
[ $rc = 1 ] && skip "kernel built without CONFIG_USER_NS"
[ $rc = 2 ] && finish

nginx_pair_setup
module_load
dmesg_mark
cfg=$(replctl show --json)
replctl set max-sessions 200 max-total-kbytes 1024 max-session-bytes 1048576 ||
	die "replctl set"
on_exit "replctl set max-sessions $(json_get "$cfg" 'j["max_sessions"]') max-total-kbytes $(json_get "$cfg" 'j["max_total_kbytes"]') max-session-bytes $(json_get "$cfg" 'j["max_session_bytes"]')"
replctl_in $NS_ONLINE add 8080 $TARGET_IP:8081 >/dev/null || die "replctl add"

# The guest: a netns made by an unprivileged user's user namespace, named
# for ip netns, linked to the client's netns.
setpriv --reuid=65534 --regid=65534 --clear-groups unshare -U -r -n sleep 600 &
gpid=$!
on_exit "kill $gpid 2>/dev/null"
own_ns() { [ "$(readlink /proc/$gpid/ns/user)" != "$(readlink /proc/self/ns/user)" ]; }
wait_until 10 own_ns || die "no user namespace for the guest"
ip netns attach guest $gpid || die "ip netns attach guest"
on_exit ip netns del guest
in_ns guest ip link set lo up
_link $NS_CLIENT g-veth $GCLIENT_IP guest veth0 $GUEST_IP
# unshare -U -n made the user namespace first, then the netns in it.
check_eq "ip netns 'guest' is the netns of the user namespace's process" \
	"$(readlink /proc/$gpid/ns/net)" "$(in_ns guest readlink /proc/self/ns/net)"
nginx_start guest guest 8080
# Its mapping's target is on its link but absent: never answers.
replctl_in guest add 8080 10.0.3.99:8081 >/dev/null || die "replctl add in the guest"
gstat() { MAP_NS=guest rstat "$@"; }

# --- sessions
# Real connections (a bare SYN makes no target connection, and its session
# ends after 4 s): they stay open, idle, until the end of this part.
# (redis-benchmark first opens one connection of its own for CONFIG GET:
# the SYNs are counted, 301 or so.)
syn_watch guest 8080
in_ns $NS_CLIENT redis-benchmark -h $GUEST_IP -p 8080 -I -c 300 > "$WORK/idle.out" 2>&1 &
idle=$!
on_exit "kill $idle 2>/dev/null"
guest_conns() { [ "$(in_ns guest ss -Htn state established '( sport = :8080 )' | grep -c .)" -ge 300 ]; }
check "flood: 300 client connections open in the guest" wait_until 60 guest_conns
syns=$(syn_count guest)
refused_all() { [ "$(gstat sess_refused)" = $((syns - 100)) ]; }
wait_until 30 refused_all || true
got=$(gstat sess_syn,sess_refused,sess_active)
log "guest: $syns SYNs; sess_syn/sess_refused/sess_active = $got"
check_eq "guest: half of max-sessions (100) started, the other SYNs refused" "100/$((syns - 100))/100" "$got"
check_eq "initial netns: hey answered" 100 "$(hey_run $NS_CLIENT -n 100 -c 5 "$URL/small.html")"
check "initial netns: replay finished" wait_replay_idle 8080 60
check_eq "initial netns: no session refused" 0 "$(rstat sess_refused)"
compare_nginx_logs online target "initial netns, beside the guest's sessions"
replctl_in guest del --all || fail "guest del --all"
kill $idle 2>/dev/null
replctl_in guest add 8080 10.0.3.99:8081 >/dev/null || die "replctl add in the guest (again)"

# --- bytes
head -c 800000 /dev/urandom > "$WORK/up800k.bin"
head -c 300000 /dev/urandom > "$WORK/up300k.bin"
in_ns $NS_CLIENT curl -s -m 60 -o /dev/null --data-binary @"$WORK/up800k.bin" \
	"http://$GUEST_IP:8080/post" &
cpid=$!
on_exit "kill $cpid 2>/dev/null"
guest_full() { [ "$(gstat drop_queue)" -gt 0 ] 2>/dev/null; }
check "guest: its upload hit the guests' share (drop_queue)" wait_until 30 guest_full
log "guest: captured_bytes/drop_queue = $(gstat captured_bytes,drop_queue)"
check_eq "initial netns: POST /post (300 KB) answered" 200 \
	"$(in_ns $NS_CLIENT curl -s --max-time 60 -o /dev/null -w '%{http_code}' --data-binary @"$WORK/up300k.bin" "$URL/post")"
check "initial netns: replay finished" wait_replay_idle 8080 60
check_replay_exact
check_stat_eq drop_queue 0
kill $cpid 2>/dev/null
replctl_in guest del --all || fail "guest del --all"
check_dmesg_clean
finish
