#!/bin/bash
# timeout: 900
# Lifecycle stress under full replication load (hey keep-alive and
# one-connection-per-request through an nginx → nginx mapping):
#   1. rmmod/insmod in the middle of the load, LIFECYCLE_CYCLES times
#      (default 30; each cycle: insmod, add, a worker model, traffic
#      replicated for a moment, rmmod);
#   2. replctl add/del churn (other ports and the loaded one) while traffic
#      flows;
#   3. worker-model switches under load (wq <-> kthread): either the switch
#      is applied (new sessions report that model) or refused cleanly
#      (exit 1, a message, the setting unchanged);
#   4. the target restarting mid-session;
#   5. the online netns deleted while its mappings and sessions are live.
# Facts: the client never sees an error except where its own path is torn
# down (5), counters stay consistent (sessions started == ended), a fresh
# mapping after all this replicates exactly, the kernel log is clean, the
# module unloads every time and nothing leaks (kmemleak where present,
# slab+percpu reported).
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../lib-servers.sh"
MAP_PORT=8080
URL=http://$ONLINE_IP:8080
CYCLES=${LIFECYCLE_CYCLES:-30}

nginx_pair_setup
mem_idle=$(kernel_mem_kb)
dmesg_mark

# lib.sh keeps the netfilter static keys on (report 7): the module
# loads and unloads below do not rewrite the kernel's NF_HOOK sites.

# Background load: runs until stopped; its report must show no error.
load_start() {
	ip netns exec $NS_CLIENT hey -z 600s -c 8 "$URL/small.html" > "$WORK/hey-ka-$1.out" 2>&1 &
	ka_pid=$!
	ip netns exec $NS_CLIENT hey -z 600s -c 2 -disable-keepalive "$URL/200k.bin" > "$WORK/hey-cl-$1.out" 2>&1 &
	cl_pid=$!
}
load_stop() { # load_stop TAG [EXPECT_ERRORS]
	local f ok errs
	stop_bg 120 $ka_pid $cl_pid || fail "$1: hey did not stop on SIGINT"
	for f in ka cl; do
		ok=$(awk '/^ *\[200\]/ { print $2 }' "$WORK/hey-$f-$1.out")
		errs=$(sed -n '/^Error distribution:/,$p' "$WORK/hey-$f-$1.out" | grep -c '\[')
		log "$1: hey $f: ${ok:-0} answered 200, $errs error kinds"
		if [ -z "${2:-}" ]; then
			check "$1: hey $f got answers" test "${ok:-0}" -gt 0
			check_eq "$1: hey $f: client saw no error" 0 "$errs"
			[ "$errs" = 0 ] || sed -n '/^Error distribution:/,$p' "$WORK/hey-$f-$1.out" | head -5
		fi
	done
}
live_sessions() { rstat sess_active 2>/dev/null || echo 0; }
sessions_at_least() { [ "$(live_sessions)" -ge "$1" ] 2>/dev/null; }
# Cheap (no python): some mapping of the online netns has live sessions.
any_session() { replctl_in $NS_ONLINE list --json 2>/dev/null | grep -q '"sessions":[1-9]'; }

# ---------------------------------------------------------------- 1
log "1. $CYCLES rmmod/insmod cycles under load"
load_start cycles
start=$SECONDS
bad=0 kt_ok=0 kt_refused=0 live_seen=0
for ((i = 1; i <= CYCLES; i++)); do
	insmod "$MODULE" || { fail "cycle $i: insmod"; bad=1; break; }
	replctl_in $NS_ONLINE add 8080 $TARGET_IP:8081 >/dev/null || { fail "cycle $i: add"; bad=1; }
	if ((i % 2 == 0)); then
		if replctl set worker kthread 2>/dev/null; then kt_ok=$((kt_ok + 1)); else kt_refused=$((kt_refused + 1)); fi
	fi
	# Let sessions start (a few per cycle), then unload in the middle.
	sleep 1.$((RANDOM % 10))
	any_session && live_seen=$((live_seen + 1))
	rmmod replcopy || { fail "cycle $i: rmmod under load"; bad=1; break; }
	[ ! -d /sys/module/replcopy ] || { fail "cycle $i: module still present"; bad=1; break; }
	((i % 10)) || log "cycle $i: $((SECONDS - start))s"
done
took=$((SECONDS - start))
check_eq "rmmod/insmod cycles completed" "$CYCLES" "$((i - 1))"
log "cycles: $((i - 1)) in ${took}s; live sessions at rmmod in $live_seen cycles; worker kthread accepted $kt_ok, refused $kt_refused"
check "sessions were live at rmmod in most cycles ($live_seen/$CYCLES)" test "$live_seen" -ge $((CYCLES / 2))
load_stop cycles
kmemleak_check "after $CYCLES rmmod/insmod cycles"

module_load
replctl_in $NS_ONLINE add 8080 $TARGET_IP:8081 >/dev/null || die "replctl add"

# ---------------------------------------------------------------- 2
log "2. add/del churn under load"
load_start churn
wait_until 30 sessions_at_least 2
start=$SECONDS
nadd=0 ndel=0
for ((i = 1; i <= 50; i++)); do
	p=$((9000 + RANDOM % 20))
	replctl_in $NS_ONLINE add $p $TARGET_IP:$((p + 1)) >/dev/null 2>&1 && nadd=$((nadd + 1))
	replctl_in $NS_ONLINE del $((9000 + RANDOM % 20)) >/dev/null 2>&1 && ndel=$((ndel + 1))
	if ((i % 10 == 0)); then
		replctl_in $NS_ONLINE del 8080 || fail "churn: del 8080 under load"
		replctl_in $NS_ONLINE add 8080 $TARGET_IP:8081 >/dev/null || fail "churn: re-add 8080"
	fi
done
log "churn: $nadd adds, $ndel deletes accepted in $((SECONDS - start))s"
n=$(json_get "$(replctl_in $NS_ONLINE list --json)" 'len([m for m in j if 9000 <= m["port"] < 9020])')
check_eq "churn: listed mappings = adds - deletes" $((nadd - ndel)) "$n"
replctl_in $NS_ONLINE del --all || fail "del --all"
replctl_in $NS_ONLINE add 8080 $TARGET_IP:8081 >/dev/null || die "replctl add"

# ---------------------------------------------------------------- 3
log "3. worker-model switches under load"
wait_until 30 sessions_at_least 2
sw_ok=0 sw_refused=0 workers_kt=
kthread_session() {
	in_ns $NS_CLIENT curl -s -o /dev/null "$URL/small.html" || true
	workers_kt=$(json_get "$(replctl_in $NS_ONLINE sessions --json)" \
		'" ".join(sorted(set(s["worker"] for s in j)))') || return 1
	case " $workers_kt " in *" kthread "*) return 0 ;; esac
	return 1
}
for ((i = 1; i <= 20; i++)); do
	for w in kthread wq; do
		out=$(replctl set worker $w 2>&1) && rc=0 || rc=$?
		cur=$(json_get "$(replctl show --json)" 'j["worker"]')
		if [ "$rc" = 0 ]; then
			sw_ok=$((sw_ok + 1))
			[ "$cur" = "$w" ] || fail "set worker $w accepted but show says $cur"
		else
			sw_refused=$((sw_refused + 1))
			[ "$rc" = 1 ] && [ -n "$out" ] || fail "set worker $w refused uncleanly (exit $rc: $out)"
			[ "$cur" != "$w" ] || fail "set worker $w refused but applied"
		fi
	done
	# Once, with kthread set: new connections (hey's and a curl's) must
	# show up on it. Poll, so a loaded machine's slow listing is no failure.
	[ "$i" != 10 ] || ! replctl set worker kthread >/dev/null 2>&1 || \
		wait_until 15 kthread_session || true
	sleep 0.2
done
log "worker switches: $sw_ok accepted, $sw_refused refused; sessions while kthread was set: ${workers_kt:-none}"
if [ "$sw_ok" -gt 20 ]; then
	# kthread accepted: sessions started under it must run on it.
	case " ${workers_kt:-} " in
	*" kthread "*) pass "sessions started under worker kthread run on kthread" ;;
	*) fail "set worker kthread is accepted, but sessions started after it run on '${workers_kt:-no session listed}' for 15 s (the model is not implemented: the switch should be refused)" ;;
	esac
fi
replctl set worker wq >/dev/null
load_stop churn

# ---------------------------------------------------------------- 4
log "4. target restarts mid-session"
load_start target
wait_until 30 sessions_at_least 2
reset0=$(rstat sess_reset)
for k in 1 2 3; do
	kill "$(cat "$WORK/nginx-target/nginx.pid")"
	wait_until 10 sh -c "! ip netns exec $NS_TARGET ss -Hltn 'sport = :8081' | grep -q ."
	sleep 1
	in_ns $NS_TARGET nginx -p "$WORK/nginx-target" -c "$WORK/nginx-target/nginx.conf" \
		-e "$WORK/nginx-target/logs/error.log" || die "target nginx restart $k"
	wait_listen $NS_TARGET 8081 || die "target does not listen after restart $k"
	sleep 2
done
load_stop target
check "target restarts: sessions drained" wait_sessions_drained 8080 90
log "after target restarts: $(rstats_line)"
check "target restarts: sessions were reset ($(rstat sess_reset) resets, $reset0 before)" test "$(rstat sess_reset)" -gt "$reset0"
check_sessions_accounted

# Counters consistent, and a fresh mapping replicates exactly.
replctl_in $NS_ONLINE del 8080
nginx_rotate online
nginx_rotate target
replctl_in $NS_ONLINE add 8080 $TARGET_IP:8081 >/dev/null || die "replctl add (fresh)"
check_eq "fresh mapping: requests answered" 500 "$(hey_run $NS_CLIENT -n 500 -c 10 "$URL/small.html")"
check "fresh mapping: replay finished" wait_replay_idle 8080 90
check_replay_exact
check_sessions_accounted
check_no_drops
compare_nginx_logs online target "after the stress"
tot=$(rstats_json)
check "netns totals: started == ended over every mapping" python3 -c '
import json, sys
s = json.loads(sys.argv[1])["total"]["stats"]
st = s["sess_syn"] + s["sess_fabricated"]; en = s["sess_closed"] + s["sess_reset"] + s["sess_timedout"]
act = s["sess_active"]
print(f"# totals: started {st}, ended {en}, active {act}")
sys.exit(0 if st == en and act == 0 else 1)' "$tot"

# ---------------------------------------------------------------- 5
log "5. deleting the online netns with live mappings and sessions"
load_start netns
wait_until 30 sessions_at_least 2
log "before netns deletion: $(live_sessions) live sessions"
replctl_in $NS_ONLINE add 9999 $TARGET_IP:9998 >/dev/null
for p in $(ip netns pids $NS_ONLINE); do kill -9 "$p"; done
ip netns del $NS_ONLINE || fail "ip netns del $NS_ONLINE"
load_stop netns expect-errors
# The netns is freed asynchronously (cleanup_net); rmmod must wait for
# nothing and succeed once it is gone.
sleep 5
check "rmmod after the netns went away" module_unload
kmemleak_check "after netns deletion and rmmod"
check_dmesg_clean
log "kernel slab+percpu: $mem_idle KiB before insmod, $(kernel_mem_kb) KiB after rmmod"
finish
