#!/bin/bash
# timeout: 420
# replctl del, then rmmod, each in the middle of load (hey running): the
# client notices nothing (every request answered), the target's replayed
# connections are reset (nft counts RSTs and FINs arriving at the target:
# one per open session, RSTs among them; its established connections drop
# to 0 long before nginx's 300 s keep-alive
# timeout), no live session is left, the module unloads, the kernel log is
# clean. Last, the online netns is deleted with sessions open (its nginx
# killed, the client stopped): the target's connections are reset the same
# way. WORKER selects the worker model.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../lib-servers.sh"
# shellcheck disable=SC2034 # MAP_PORT is read by lib-servers.sh
MAP_PORT=8080
URL=http://$ONLINE_IP:8080

nginx_pair_setup
mem_idle=$(kernel_mem_kb)
module_load
dmesg_mark

in_ns $NS_TARGET nft -f - <<-'EOF' || die "nft in target"
table inet watch {
	chain input {
		type filter hook input priority 0; policy accept;
		tcp dport 8081 tcp flags & rst == rst counter comment "rst"
		tcp dport 8081 tcp flags & (fin | rst) == fin counter comment "fin"
	}
}
EOF
# Segments of each kind that reached the target: closes (RST or FIN).
target_count() { in_ns $NS_TARGET nft list chain inet watch input | sed -n "s/.*packets \([0-9]*\).*comment \"$1\".*/\1/p"; }
target_closes() { echo $(($(target_count rst) + $(target_count fin))); }
# Established connections at the target; "ss-failed" when ss did not answer
# (in time: a debug kernel under load is slow).
target_estab() {
	local out
	out=$(timeout 30 ip netns exec $NS_TARGET ss -Htn state established '( sport = :8081 )') || { echo ss-failed; return; }
	printf '%s' "$out" | grep -c .
}
estab_at_least() { [ "$(target_estab)" -ge "$1" ] 2>/dev/null; }
# session_states: "state count" of the sessions listed in the online netns.
session_states() {
	json_get "$(replctl_in $NS_ONLINE sessions --json)" \
		'" ".join(f"{k}:{v}" for k, v in sorted(__import__("collections").Counter(x["state"] for x in j).items()))'
}
no_estab() { [ "$(target_estab)" = 0 ]; }
# hey runs until interrupted (SIGINT makes it stop and print its report).
hey_bg() { ip netns exec $NS_CLIENT hey -z 600s -c 20 "$URL/small.html" > "$WORK/hey-$1.out" 2>&1 & hey_pid=$!; }
# stuck WHAT: something did not return in time; show the blocked tasks.
stuck() {
	fail "$1 did not finish in time; blocked tasks:"
	ps -eo pid,stat,wchan:30,args | awk 'NR == 1 || $2 ~ /D/' | sed 's/^/#   /'
	echo w > /proc/sysrq-trigger
	sleep 1
	dmesg | tail -80 | sed 's/^/#   /'
}
hey_report() {
	log "$1: t=${SECONDS}s, stopping hey"
	sleep 2	# load keeps going after the teardown
	stop_bg 20 $hey_pid || fail "$1: hey did not stop on SIGINT"
	local ok errs
	ok=$(awk '/^ *\[200\]/ { print $2 }' "$WORK/hey-$1.out")
	errs=$(grep -E '^ *\[[0-9]+\]' "$WORK/hey-$1.out" | grep -vc '\[200\]')
	log "$1: hey: ${ok:-0} responses 200; $(grep 'Requests/sec' "$WORK/hey-$1.out" | tr -s ' \t' ' ')"
	check "$1: hey got answers" test "${ok:-0}" -gt 0
	check_eq "$1: no failed client request" 0 "$errs"
	sed -n '/^Error distribution:/,$p' "$WORK/hey-$1.out"
	grep -q '^Error distribution:' "$WORK/hey-$1.out" && fail "$1: client saw errors"
}

# Sessions whose target connection is open and not yet closing on our side
# (closed ones only linger to absorb retransmissions; in fin_wait our FIN
# went out already). Each must send the target a RST at the teardown, or a
# FIN if it closes normally first: hey (Go's HTTP client) opens a few
# connections beyond -c and closes them again while it runs.
open_sessions() {
	json_get "$(replctl_in $NS_ONLINE sessions --json)" \
		'sum(1 for x in j if x["state"] in ("syn_sent", "established", "close_wait"))'
}

# --- replctl del under load
replctl_in $NS_ONLINE add 8080 $TARGET_IP:8081 >/dev/null || die "replctl add"
set_worker
hey_bg del
log "del: t=${SECONDS}s, hey started"
check "del: replayed connections established on the target" wait_until 90 estab_at_least 10
sleep 2
c0=$(target_closes) r0=$(target_count rst)
live=$(open_sessions)
log "del: $live open sessions ($(session_states)), $(target_estab) target connections, before del"
check "del: sessions live under load before del" test "${live:-0}" -gt 0
t0=$SECONDS
timeout 60 ip netns exec $NS_ONLINE "$REPLCTL" del 8080 && pass "del: replctl del 8080 under load ($((SECONDS - t0))s)" || stuck "del: replctl del 8080 (exit $?)"
check "del: target connections gone (reset, not timed out)" wait_until 10 no_estab
log "del: target connections now: $(target_estab)"
c1=$(target_closes) r1=$(target_count rst)
check "del: target received a RST or FIN per open session ($((r1 - r0)) RSTs + $((c1 - c0 - r1 + r0)) FINs after del, $live sessions were open)" \
	test "$((c1 - c0))" -ge "${live:-1}"
check "del: target received RSTs ($((r1 - r0)))" test "$((r1 - r0))" -gt 0
check_eq "del: no live session in the netns" 0 "$(rstat sess_active total)"
check_eq "del: no session listed" 0 "$(json_get "$(replctl_in $NS_ONLINE sessions --json)" 'len(j)')"
hey_report del

# --- rmmod under load
replctl_in $NS_ONLINE add 8080 $TARGET_IP:8081 >/dev/null || die "replctl add (again)"
hey_bg rmmod
log "rmmod: t=${SECONDS}s, hey started"
check "rmmod: replayed connections established on the target" wait_until 90 estab_at_least 10
sleep 2
c0=$(target_closes) r0=$(target_count rst)
live=$(open_sessions)
log "rmmod: $live open sessions ($(session_states)), $(target_estab) target connections, before rmmod"
check "rmmod: sessions live under load before rmmod" test "${live:-0}" -gt 0
t0=$SECONDS
timeout 60 rmmod replcopy && pass "rmmod: rmmod replcopy under load ($((SECONDS - t0))s)" || stuck "rmmod: rmmod replcopy (exit $?)"
check "rmmod: module gone" test ! -d /sys/module/replcopy
check "rmmod: target connections gone (reset, not timed out)" wait_until 10 no_estab
c1=$(target_closes) r1=$(target_count rst)
check "rmmod: target received a RST or FIN per open session ($((r1 - r0)) RSTs + $((c1 - c0 - r1 + r0)) FINs after rmmod, $live sessions were open)" \
	test "$((c1 - c0))" -ge "${live:-1}"
check "rmmod: target received RSTs ($((r1 - r0)))" test "$((r1 - r0))" -gt 0
hey_report rmmod
! declare -F kmemleak_check >/dev/null || kmemleak_check "after rmmod under load"
log "kernel slab+percpu: $mem_idle KiB before insmod, $(kernel_mem_kb) KiB after rmmod"

# Reload: starts empty, a fresh mapping works.
insmod "$MODULE" || die "reload failed"
check_eq "reloaded module starts with no mapping" 0 "$(json_get "$(replctl_in $NS_ONLINE list --json)" 'len(j)')"
nginx_rotate online
nginx_rotate target
replctl_in $NS_ONLINE add 8080 $TARGET_IP:8081 >/dev/null || die "replctl add (after reload)"
set_worker	# a fresh load starts with the default model
check_eq "after reload: requests answered" 200 "$(hey_run $NS_CLIENT -n 200 -c 5 "$URL/small.html")"
check "after reload: replay finished" wait_replay_idle 8080 60
compare_nginx_logs online target "after reload"
check_replay_exact
check_sessions_accounted

# --- the online netns deleted with sessions open: they end before the
# netns's devices go (.pre_exit), so their RSTs still reach the target.
hey_bg netns
log "netns: t=${SECONDS}s, hey started"
check "netns: replayed connections established on the target" wait_until 90 estab_at_least 10
sleep 2
kill -STOP $hey_pid	# the client neither sends nor closes any more
sleep 1
c0=$(target_closes) r0=$(target_count rst)
live=$(open_sessions)
log "netns: $live open sessions ($(session_states)), $(target_estab) target connections, before the netns goes"
check "netns: sessions open before the netns goes" test "${live:-0}" -gt 0
# Nothing may hold the netns: its processes (nginx) go first.
ip netns pids $NS_ONLINE | xargs -r kill -KILL
no_pids() { [ -z "$(ip netns pids $NS_ONLINE)" ]; }
wait_until 10 no_pids || fail "netns: processes left in $NS_ONLINE: $(ip netns pids $NS_ONLINE)"
ip netns del $NS_ONLINE || fail "ip netns del $NS_ONLINE"
check "netns: target connections gone (reset, not left open)" wait_until 30 no_estab
log "netns: target connections now: $(target_estab)"
c1=$(target_closes) r1=$(target_count rst)
check "netns: target received a RST or FIN per open session ($((r1 - r0)) RSTs + $((c1 - c0 - r1 + r0)) FINs, $live sessions were open)" \
	test "$((c1 - c0))" -ge "${live:-1}"
check "netns: target received RSTs ($((r1 - r0)))" test "$((r1 - r0))" -gt 0
kill -KILL $hey_pid 2>/dev/null
check_dmesg_clean
finish
