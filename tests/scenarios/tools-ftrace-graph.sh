#!/bin/bash
# timeout: 1200
# tools/ftrace/replcopy-graph.sh against real traffic (nginx → nginx, hey,
# kthread model): function_graph of replcopy_session_run under load until
# SIGTERM: no event lost, replcopy_xmit called exactly sent_segs times
# and replcopy_start once per session (every send and every connect runs
# inside a worker run), the tracer is restored; -r re-analyses the kept
# raw trace identically; -s traces one live kthread-model session (a slow
# upload).
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../lib-servers.sh"
source "$(dirname "$0")/../lib-tools.sh"
FT=$TOP/tools/ftrace
[ -d /sys/kernel/tracing/events ] || skip "tracefs not mounted"
tools_setup

# ---- replcopy-graph.sh: all worker runs during traffic (kthread model)
replctl_in $NS_ONLINE set worker kthread || die "set worker kthread"
snap s0
# Depth 10: replcopy_xmit sits 4 to 7 calls below the root.
"$FT/replcopy-graph.sh" -t 0 -d 10 -n 100 -o "$WORK/graph.raw" > "$WORK/graph.out" 2> "$WORK/graph.err" &
gpid=$!
on_exit "kill $gpid 2>/dev/null"
wait_until 300 grep -q '^Tracing' "$WORK/graph.err" || { cat "$WORK/graph.err"; die "replcopy-graph.sh did not start"; }
check_eq "graph: hey answered" 50 "$(hey_run $NS_CLIENT -n 50 -c 2 "$URL/small.html")"
check "graph: replay finished" wait_replay_idle 8080 120
kill -TERM $gpid
timeout 120 tail --pid=$gpid -f /dev/null || fail "replcopy-graph.sh did not exit on SIGTERM"
cat "$WORK/graph.err" "$WORK/graph.out"
runs=$(sed -n 's/^replcopy_session_run: \([0-9]*\) runs.*/\1/p' "$WORK/graph.out")
[ "${runs:-0}" -gt 0 ] && pass "graph: $runs worker runs traced" || fail "graph: no worker run traced"
snap s1
calls() { awk -v f="$1" '$1 == f { print $2 }' "$WORK/graph.out"; }
check_eq "graph: no event lost (trace buffer big enough)" 0 \
	"$(sed -n 's/^events lost: \([0-9]*\).*/\1/p' "$WORK/graph.out")"
# Each request is below one MSS, so each replcopy_xmit sends one segment
# (no GSO skb) and the calls equal the segments.
check_eq "graph: replcopy_xmit calls == sent_segs" "$(d sent_segs s0 s1)" "$(calls replcopy_xmit)"
check_eq "graph: replcopy_start calls == sessions started" \
	"$(( $(d sess_syn s0 s1) + $(d sess_fabricated s0 s1) ))" "$(calls replcopy_start)"
[ "$(cat /sys/kernel/tracing/current_tracer)" = nop ] && pass "graph: tracer restored to nop" ||
	fail "graph: tracer left as $(cat /sys/kernel/tracing/current_tracer)"
"$FT/replcopy-graph.sh" -n 100 -r "$WORK/graph.raw" > "$WORK/graph2.out" 2>&1
d2=$(diff_text "$(cat "$WORK/graph.out")" "$(cat "$WORK/graph2.out")") &&
	pass "graph -r: the kept raw trace gives the same report" || { fail "graph -r differs"; echo "$d2"; }

# ---- replcopy-graph.sh -s: one live kthread-model session (slow upload)
head -c 1200000 /dev/urandom > "$WORK/up.bin"
in_ns $NS_CLIENT curl -s -o /dev/null --limit-rate 20k -T "$WORK/up.bin" "$URL/dav/up.bin" &
cpid=$!
on_exit "kill $cpid 2>/dev/null"
sid=""
wait_until 30 sh -c 'ps -e -o comm= | grep -q "^replcopy/"' && sid=$(ps -e -o comm= | sed -n 's|^replcopy/||p' | head -n 1)
if [ -n "$sid" ]; then
	# curl --limit-rate likely sends its 64 KB upload buffer at once, then
	# waits 3.2 s at 20 KB/s: a 3 s window saw no run once (stock kernel).
	# 8 s holds at least two such periods.
	"$FT/replcopy-graph.sh" -s "$sid" -t 8 -d 3 -n 10 > "$WORK/graph-s.out" 2>&1 || true
	cat "$WORK/graph-s.out"
	runs=$(sed -n 's/^replcopy_session_run: \([0-9]*\) runs.*/\1/p' "$WORK/graph-s.out")
	[ "${runs:-0}" -gt 0 ] && pass "graph -s $sid: $runs runs of that session's kthread" ||
		fail "graph -s $sid: no run traced"
else
	fail "no replcopy/<id> kthread for the upload"
fi
wait $cpid || fail "slow upload failed"
check "replay finished after the upload" wait_replay_idle 8080 120

check_replay_exact
check_sessions_accounted
check_no_drops
check_dmesg_clean
finish
