#!/bin/bash
# timeout: 1200
# boot: nosmp
# tools/ftrace/replcopy-events.sh against real traffic (nginx → nginx, hey),
# both worker models: a tracefs instance with all events, until SIGTERM:
# the segs= of its replcopy_xmit events sum to sent_segs, replcopy_state
# "-> ESTABLISHED" lines == sess_established, one spawn per kthread-model
# session, events of both models; the top-level buffer not left at its
# minimum; then -T (trace-cmd, its own instance, removed after) around one
# curl; then -f 'unbound == 1' after replctl set wq-unbound on; then a
# 1 MB upload with the module parameter gso Y and N (segs= of GSO skbs);
# the ACK of nginx's FIN carried by our FIN (one connection per request). (replcopy-graph.sh: tools-ftrace-graph.sh.)
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../lib-servers.sh"
source "$(dirname "$0")/../lib-tools.sh"
FT=$TOP/tools/ftrace
[ -d /sys/kernel/tracing/events ] || skip "tracefs not mounted"
tools_setup

# ---- replcopy-events.sh: everything, both models, until SIGTERM
# The top-level buffer's size before any tracing: "7 (expanded: 1408)"
# (boot-time minimum, default once used) on a freshly booted guest.
TRACEFS=/sys/kernel/tracing
top0=$(cat "$TRACEFS/buffer_size_kb")
EV=$WORK/events.txt
"$FT/replcopy-events.sh" -t 0 -o "$EV" > "$WORK/events.sum" 2> "$WORK/events.err" &
evpid=$!
on_exit "kill $evpid 2>/dev/null"
wait_until 30 grep -q '^Tracing' "$WORK/events.err" || { cat "$WORK/events.err"; die "replcopy-events.sh did not start"; }
snap s0
tools_traffic wq
replctl_in $NS_ONLINE set worker kthread || die "set worker kthread"
tools_traffic kthread
snap s1
kill -TERM $evpid
timeout 60 tail --pid=$evpid -f /dev/null || fail "replcopy-events.sh did not exit on SIGTERM"
cat "$WORK/events.err" "$WORK/events.sum"
# Resizing its instance must not leave the top-level buffer at its minimum
# (on 6.1 it then never grows, and trace-cmd recording there lost events).
case $top0 in
*"expanded: "*)
	want=${top0##*expanded: }
	want=${want%)}
	top1=$(cat "$TRACEFS/buffer_size_kb")
	[ "${top1%% *}" -ge "$want" ] &&
		pass "top-level trace buffer has its default size after the instance ($top1 KB, default $want)" ||
		fail "top-level trace buffer left at $top1 KB after replcopy-events.sh (default $want)"
	;;
*) log "top-level trace buffer already in use ($top0 KB): expansion not checked" ;;
esac
log "first events:"
head -n 8 "$EV"
cnt() { sed -n "s/^# $1 *\\([0-9]*\\)\$/\\1/p" "$WORK/events.sum"; }
# A replcopy_xmit event is one skb; a GSO skb of client data beyond one MSS
# is segs= segments, and sent_segs counts segments.
check_eq "events: replcopy_xmit segs= summed == sent_segs" "$(d sent_segs s0 s1)" \
	"$(sed -n 's/.*replcopy_xmit:.* segs=\([0-9]*\).*/\1/p' "$EV" | awk '{ s += $1 } END { print s + 0 }')"
check "events: as many replcopy_xmit lines as the summary counts" \
	test "$(grep -c 'replcopy_xmit:' "$EV")" = "$(cnt replcopy_xmit)"
check_eq "events: state -> ESTABLISHED lines == sess_established" \
	"$(d sess_established s0 s1)" "$(grep -c 'replcopy_state:.*-> ESTABLISHED cause=synack' "$EV")"
check_eq "events: kthread spawns == sessions of the kthread phase" \
	"$(grep -c 'replcopy_state:.*worker=kthread NONE -> SYN_SENT' "$EV")" "$(cnt replcopy_kthread_spawn)"
for m in wq kthread; do
	n=$(grep -c "replcopy_xmit:.*worker=$m " "$EV")
	[ "$n" -gt 0 ] && pass "events: $n replcopy_xmit events of worker $m" || fail "events: no replcopy_xmit of worker $m"
done
for e in capture enqueue worker_start worker_end xmit state kthread_spawn; do
	n=$(cnt replcopy_$e)
	[ "${n:-0}" -gt 0 ] && pass "events: replcopy_$e seen ($n)" || fail "events: no replcopy_$e"
done

# ---- The ACK of the target's FIN rides on our FIN. nginx closes each
# connection of hey -disable-keepalive first; Linux holds the ACK of that
# FIN in CLOSE_WAIT (up to its 40 ms delayed-ACK time) for the
# application's close to carry it, and so does the module: after a
# session's "-> CLOSE_WAIT cause=target_fin", its next segment is our FIN
# (or data: anything carries the ACK), or a lone ACK no sooner than the
# timer (30 ms, jiffies rounding aside). The answer (small.html, headers
# and body) is less than one MSS: no rule acks the FIN at once here.
for m in kthread wq; do
	replctl_in $NS_ONLINE set worker $m || die "set worker $m"
	"$FT/replcopy-events.sh" -t 0 -e replcopy_state,replcopy_xmit -o "$WORK/fin-$m.txt" > "$WORK/fin-$m.out" 2>&1 &
	fpid=$!
	wait_until 30 grep -q '^Tracing' "$WORK/fin-$m.out" || die "replcopy-events.sh (FIN, $m) did not start"
	check_eq "FIN ($m): hey one-per-connection answered" 50 \
		"$(hey_run $NS_CLIENT -n 50 -c 2 -disable-keepalive "$URL/small.html")"
	check "FIN ($m): replay finished" wait_replay_idle 8080 60
	kill -TERM $fpid
	timeout 60 tail --pid=$fpid -f /dev/null || fail "replcopy-events.sh (FIN, $m) did not exit on SIGTERM"
	read -r fin_cw fin_carried fin_late fin_early < <(python3 - "$WORK/fin-$m.txt" <<'PYEOF'
import re
import sys
cw = {}
n = carried = late = early = 0
for line in open(sys.argv[1]):
    m = re.search(r' (\d+\.\d+): replcopy_(state|xmit): sess=(\d+) ', line)
    if not m:
        continue
    t, ev, sid = float(m.group(1)), m.group(2), m.group(3)
    if ev == "state":
        if "-> CLOSE_WAIT cause=target_fin" in line:
            cw[sid] = t
            n += 1
        continue
    if sid not in cw:
        continue
    flags = int(re.search(r" flags=(0x[0-9a-f]+|0) ", line).group(1), 16)
    length = int(re.search(r" len=(\d+) ", line).group(1))
    t0 = cw.pop(sid)
    if flags & 0x01 or length:
        carried += 1
    elif flags == 0x10:
        if t - t0 >= 0.030:
            late += 1
        else:
            early += 1
print(n, carried, late, early)
PYEOF
	)
	log "FIN ($m): $fin_cw sessions saw the target's FIN first; next segment: our FIN or data $fin_carried, a lone ACK after the timer $fin_late, a lone ACK sooner $fin_early"
	check "FIN ($m): sessions whose target closed first traced ($fin_cw)" test "${fin_cw:-0}" -gt 0
	check_eq "FIN ($m): no lone ACK of the target's FIN before the delayed-ACK time" 0 "$fin_early"
	check "FIN ($m): our FIN carried the ACK in $fin_carried of $fin_cw" test "${fin_carried:-0}" -gt 0
	check_eq "FIN ($m): every such session accounted" "$fin_cw" "$((fin_carried + fin_late + fin_early))"
done

# ---- replcopy-events.sh -T (trace-cmd) around one request. trace-cmd is
# one of the suite's dependencies (make deps): missing, it fails.
command -v trace-cmd >/dev/null || fail "trace-cmd missing (make deps): -T not tested"
if command -v trace-cmd >/dev/null; then
	"$FT/replcopy-events.sh" -T -e replcopy_state,replcopy_capture -- \
		ip netns exec $NS_CLIENT curl -s -o /dev/null "$URL/small.html" > "$WORK/tc.out" 2>&1 ||
		fail "replcopy-events.sh -T failed"
	cat "$WORK/tc.out" | tail -n 12
	n=$(sed -n 's/^# replcopy_capture *\([0-9]*\)$/\1/p' "$WORK/tc.out")
	[ "${n:-0}" -gt 0 ] && pass "events -T (trace-cmd): $n capture events" || fail "events -T: no capture event"
	check_eq "no replcopy-events instance left after -T" 0 \
		"$(find "$TRACEFS/instances" -mindepth 1 -maxdepth 1 -name 'replcopy-events-*' | wc -l)"
	check "replay finished after the curl" wait_replay_idle 8080 60
fi

# ---- -f: only enqueues to the unbound workqueue, after wq-unbound on
replctl_in $NS_ONLINE set worker wq wq-unbound on wq-max-active 8 || die "set wq-unbound on"
"$FT/replcopy-events.sh" -s -e replcopy_enqueue -f 'unbound == 1' -- \
	ip netns exec $NS_CLIENT curl -s -o /dev/null "$URL/small.html" > "$WORK/ub.out" 2>&1 ||
	fail "replcopy-events.sh -f failed"
cat "$WORK/ub.out"
n=$(sed -n 's/^# replcopy_enqueue *\([0-9]*\)$/\1/p' "$WORK/ub.out")
[ "${n:-0}" -gt 0 ] && pass "events -f 'unbound == 1': $n enqueues to the unbound workqueue" ||
	fail "no enqueue to the unbound workqueue after wq-unbound on"
check "replay finished after the curl" wait_replay_idle 8080 60
replctl_in $NS_ONLINE set wq-unbound off wq-max-active 0 >/dev/null

# ---- GSO: a 1 MB upload's data leaves in GSO skbs of several segments
# (segs= > 1), and with the module parameter gso=N in one segment each;
# either way the segs= of the replcopy_xmit events sum to sent_segs.
head -c 1000000 /dev/urandom > "$WORK/gso.bin"
for g in Y N; do
	echo $g > /sys/module/replcopy/parameters/gso || fail "gso=$g"
	# Traced until the replay is over (its last segments, the FIN
	# among them, leave after curl has exited).
	snap g0
	"$FT/replcopy-events.sh" -t 0 -e replcopy_xmit -o "$WORK/gso-$g.txt" > "$WORK/gso-$g.out" 2>&1 &
	gpid=$!
	wait_until 30 grep -q '^Tracing' "$WORK/gso-$g.out" || die "replcopy-events.sh (gso=$g) did not start"
	check_eq "gso=$g: PUT answered" 201 "$(in_ns $NS_CLIENT curl -s -o /dev/null -w '%{http_code}' \
		-T "$WORK/gso.bin" "$URL/dav/gso-$g.bin")"
	check "gso=$g: upload replayed" wait_replay_idle 8080 60
	kill -TERM $gpid
	timeout 60 tail --pid=$gpid -f /dev/null || fail "replcopy-events.sh (gso=$g) did not exit on SIGTERM"
	snap g1
	segs() { sed -n 's/.*replcopy_xmit:.* segs=\([0-9]*\).*/\1/p' "$WORK/gso-$g.txt"; }
	check_eq "gso=$g: segs= summed == sent_segs" "$(d sent_segs g0 g1)" "$(segs | awk '{ s += $1 } END { print s + 0 }')"
	multi=$(segs | awk '$1 > 1' | wc -l)
	if [ $g = Y ]; then
		check "gso=Y: GSO skbs of several segments sent ($multi)" test "$multi" -gt 0
	else
		check_eq "gso=N: no skb of several segments" 0 "$multi"
	fi
	check_eq "gso=$g: the target stored the upload intact" "$(sha256sum < "$WORK/gso.bin")" \
		"$(sha256sum < "$(nginx_root target)/dav/gso-$g.bin" 2>/dev/null)"
done
echo Y > /sys/module/replcopy/parameters/gso

check_replay_exact
check_sessions_accounted
check_no_drops
check_dmesg_clean
finish
