#!/bin/bash
# timeout: 900
# Worker model switched under load, and the kthread model's lifecycle.
#   - hey keep-alive (connections opened on wq) and one-connection-per-request
#     load run while replctl set worker kthread / wq / wq-unbound on /
#     wq-max-active switch back and forth: live sessions keep their model,
#     new ones take the new one (replctl sessions lists both models at once
#     after the switch); replctl show reports every setting; every captured byte is acked
#     (captured_bytes == acked_bytes), the target logs the online requests.
#   - one kthread (comm replcopy/<id>) per live kthread-model session, none
#     left once the sessions ended.
#   - replctl del, then rmmod, each with live kthread-model sessions (slow
#     uploads): threads stopped, sessions reset (the target's replayed
#     connections are gone), no hang, module unloads.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../lib-servers.sh"
# shellcheck disable=SC2034 # MAP_PORT is read by lib-servers.sh
MAP_PORT=8080
URL=http://$ONLINE_IP:8080

nginx_pair_setup
nginx_rotate online
module_load
dmesg_mark
replctl_in $NS_ONLINE add 8080 $TARGET_IP:8081 >/dev/null || die "replctl add"
replctl_in $NS_ONLINE set worker wq || die "set worker wq"

kthreads() { ps -e -o comm= | grep -c '^replcopy/' || true; }
# The target's replayed connections: the outside witness of the resets.
tgt_estab() { in_ns $NS_TARGET ss -Htn state established '( sport = :8081 )' | wc -l; }
no_tgt_estab() { [ "$(tgt_estab)" = 0 ]; }
show() { replctl_in $NS_ONLINE show --json; }
sessions_models() { # "wq N kthread N" of the live sessions
	replctl_in $NS_ONLINE sessions --json | python3 -c '
import json, sys
s = json.load(sys.stdin)
print("wq", sum(1 for x in s if x["worker"] == "wq"), "kthread", sum(1 for x in s if x["worker"] == "kthread"))'
}

check_eq "spawner thread exists" 1 "$(ps -e -o comm= | grep -c '^replcopy_spawn$')"

log "load: hey keep-alive (-c 6) and one connection per request, while switching models"
# The load runs until the switching below is done (stop_bg), however slow
# the guest: with a fixed count it ended on the debug kernel before the
# first look at the sessions.
ip netns exec $NS_CLIENT hey -z 600s -c 6 -q 20 "$URL/small.html" > "$WORK/hey-ka.out" 2>&1 &
ka=$!
ip netns exec $NS_CLIENT hey -z 600s -c 2 -q 4 -disable-keepalive "$URL/small.html" > "$WORK/hey-1.out" 2>&1 &
one=$!
on_exit "kill $ka $one 2>/dev/null"
sleep 4
replctl_in $NS_ONLINE set worker kthread || fail "set worker kthread under load"
check_eq "show: worker kthread" kthread "$(json_get "$(show)" 'j["worker"]')"
both=""
max_kt=0
for _ in $(seq 1 40); do
	sm=$(sessions_models)
	n=$(kthreads)
	[ "$n" -gt "$max_kt" ] && max_kt=$n
	set -- $sm
	if [ "$2" -gt 0 ] && [ "$4" -gt 0 ]; then both="$sm (kthreads: $n)"; break; fi
	sleep 0.5
done
[ -n "$both" ] && pass "sessions of both models live at once: $both" ||
	fail "never saw wq and kthread sessions at once (last: $sm)"
# A session's thread is spawned at its first kick, by the spawner thread:
# on a slow kernel the listing can show the session before its thread.
for _ in $(seq 1 40); do
	[ "$max_kt" -gt 0 ] && break
	sleep 0.5
	n=$(kthreads)
	[ "$n" -gt "$max_kt" ] && max_kt=$n
done
if [ "$max_kt" -gt 0 ]; then
	pass "per-session kthreads exist ($max_kt seen)"
else
	fail "no replcopy/<id> kthread seen ($(sessions_models) listed)"
	# Where the spawner (and kthreadd, which it waits for) are.
	for p in $(pgrep -x replcopy_spawn) $(pgrep -x kthreadd); do
		log "$(cat /proc/$p/comm) (pid $p): state $(awk '{ print $3 }' /proc/$p/stat), wchan $(cat /proc/$p/wchan)"
		sed 's/^/#   /' /proc/$p/stack 2>/dev/null || true
	done
	ps -e -o pid=,stat=,comm= | grep replcopy | sed 's/^/#   /' || true
fi
sleep 3
replctl_in $NS_ONLINE set worker wq wq-unbound on wq-max-active 4 || fail "set wq-unbound on under load"
js=$(show)
check_eq "show: worker wq" wq "$(json_get "$js" 'j["worker"]')"
check_eq "show: wq_unbound on" True "$(json_get "$js" 'j["wq_unbound"]')"
check_eq "show: wq_max_active 4" 4 "$(json_get "$js" 'j["wq_max_active"]')"
replctl_in $NS_ONLINE show
sleep 3
replctl_in $NS_ONLINE set worker kthread wq-unbound off wq-max-active 0 || fail "set worker kthread again"
sleep 3
stop_bg 60 $ka $one || fail "hey did not stop on SIGINT"
for f in ka 1; do
	n=$(awk '/^ *\[200\]/ { print $2 }' "$WORK/hey-$f.out")
	errs=$(sed -n '/^Error distribution:/,$p' "$WORK/hey-$f.out" | grep -c '\[')
	check "hey-$f: requests answered 200 (${n:-0})" test "${n:-0}" -gt 0
	check_eq "hey-$f: no client error" 0 "$errs"
done
check "replay finished (acked == captured, no live session)" wait_replay_idle 8080 180
check_replay_exact
compare_nginx_logs online target "switched models"
check_sessions_accounted
check_no_drops
wait_until 20 sh -c '! ps -e -o comm= | grep -q "^replcopy/"' &&
	pass "no session kthread left once the sessions ended" || fail "$(kthreads) session kthreads left"

# ---- teardown with live kthread-model sessions
upload() { # upload N: N slow uploads in the background
	local i
	head -c 400000 /dev/urandom > "$WORK/up.bin"
	for i in $(seq 1 "$1"); do
		in_ns $NS_CLIENT curl -s -o /dev/null --max-time 120 --limit-rate 20k -T "$WORK/up.bin" "$URL/dav/up$i.bin" &
		on_exit "kill $! 2>/dev/null"
	done
}
replctl_in $NS_ONLINE set worker kthread >/dev/null
upload 3
wait_until 30 sh -c '[ "$(ps -e -o comm= | grep -c "^replcopy/")" -ge 3 ]' &&
	pass "3 live kthread sessions ($(kthreads) threads)" || fail "expected 3 session kthreads, have $(kthreads)"
check "the target holds the 3 replayed uploads ($(tgt_estab) connections)" test "$(tgt_estab)" -ge 3
if timeout 60 ip netns exec $NS_ONLINE "$REPLCTL" del 8080; then
	pass "replctl del with live kthread sessions returned"
else
	fail "replctl del hung or failed"
fi
check_eq "session kthreads after replctl del" 0 "$(kthreads)"
check "replctl del reset the sessions: the target's connections are gone" wait_until 10 no_tgt_estab
replctl_in $NS_ONLINE add 8080 $TARGET_IP:8081 >/dev/null || die "replctl add again"
upload 3
wait_until 30 sh -c '[ "$(ps -e -o comm= | grep -c "^replcopy/")" -ge 3 ]' &&
	pass "3 live kthread sessions again ($(kthreads) threads)" || fail "expected 3 session kthreads, have $(kthreads)"
check "the target holds the 3 replayed uploads again ($(tgt_estab) connections)" test "$(tgt_estab)" -ge 3
if timeout 60 rmmod replcopy; then
	pass "rmmod with live kthread sessions"
else
	fail "rmmod hung or failed"
fi
check "rmmod reset the sessions: the target's connections are gone" wait_until 10 no_tgt_estab
check_eq "no replcopy thread after rmmod" 0 "$(ps -e -o comm= | grep -c '^replcopy')"
[ ! -d /sys/module/replcopy ] && pass "module unloaded" || fail "module still loaded"
wait
check_dmesg_clean
finish
