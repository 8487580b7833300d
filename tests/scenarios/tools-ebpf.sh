#!/bin/bash
# timeout: 1200
# tools/ebpf/*.py (bcc) against real traffic in both worker models: nginx →
# nginx, hey keep-alive and one connection per request, first on the wq
# model, then on the kthread model (replctl set worker kthread). All four
# tools run at once for the whole traffic, are stopped with SIGTERM (their
# last summary) and their figures are checked against replctl's counters,
# which are exact:
#   replcopy_latency.py  per model, the bytes of first transmissions of
#                        client data == captured_bytes of that phase (every
#                        captured byte is sent first exactly once, all of
#                        it captured while the tool ran); segs > 0 and
#                        <= sent_segs of the phase
#   replcopy_wqlat.py    per model, its worker runs and the items they
#                        processed == the kernel's own tally of the
#                        replcopy_worker_end tracepoint (an ftrace hist
#                        trigger keyed by worker model, set before the
#                        traffic); no run under the model never set
#                        (wq_unbound); queue-delay samples in 1..runs;
#                        items <= captured_segs + resp_segs
#   replcopy_kthread_cost.py  one kthread_create per kthread-model session
#                        (== sessions started in phase 2, none in phase 1),
#                        the same count of first runs, no error
#   replcopy_top.py      cumulative counts: replcopy_xmit == sent_segs per
#                        model, state "-> ESTABLISHED" == sess_established,
#                        replcopy_kthread_spawn == phase-2 sessions
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../lib-servers.sh"
source "$(dirname "$0")/../lib-tools.sh"
TOOLS=$TOP/tools/ebpf

python3 -c 'import bcc' 2>/dev/null || skip "python3-bpfcc not installed"
tools_setup
replctl_in $NS_ONLINE set worker wq || die "replctl set worker wq"

# field FILE REGEX: the last number matched by REGEX's group 1 in FILE.
field() { sed -nE "s/$2/\\1/p" "$1" | tail -n 1; }

# The kernel's own tally of worker runs, beside replcopy_wqlat.py: a hist
# trigger on the tracepoint it reads, keyed by worker model (0 wq, 1
# kthread), summing the items of each run. It counts every run of the
# scenario: no session exists before the traffic or after the replay.
HIST=/sys/kernel/tracing/events/replcopy/replcopy_worker_end
hist_on=0
if [ -e "$HIST/hist" ]; then
	echo 'hist:keys=worker:vals=hitcount,items' > "$HIST/trigger" ||
		die "ftrace: hist trigger on replcopy_worker_end"
	on_exit "echo '!hist:keys=worker:vals=hitcount,items' > $HIST/trigger"
	hist_on=1
else
	skip_part "wqlat against the kernel's hist trigger: kernel built without CONFIG_HIST_TRIGGERS"
fi

pids=()
start_tool() { # start_tool NAME ARGS...
	local name=$1
	shift
	"$TOOLS/$name" "$@" > "$WORK/$name.out" 2>&1 &
	pids+=($!)
	on_exit "kill $! 2>/dev/null"
}
log "starting the bcc tools (each compiles its probes: slow under TCG)"
start_tool replcopy_latency.py
start_tool replcopy_wqlat.py
start_tool replcopy_kthread_cost.py
start_tool replcopy_top.py -C --cumulative 600
for t in replcopy_latency.py replcopy_wqlat.py replcopy_kthread_cost.py replcopy_top.py; do
	if ! wait_until 900 grep -q '^Tracing' "$WORK/$t.out"; then
		cat "$WORK/$t.out"
		die "$t did not start tracing"
	fi
	pass "$t is tracing"
done

traffic() {
	check_eq "$1: hey keep-alive answered" 300 "$(hey_run $NS_CLIENT -n 300 -c 5 "$URL/small.html")"
	check_eq "$1: hey one-per-connection answered" 40 \
		"$(hey_run $NS_CLIENT -n 40 -c 4 -disable-keepalive "$URL/200k.bin")"
	check "$1: replay finished (acked == captured, no live session)" wait_replay_idle 8080 180
}
snap s0
log "phase 1: worker wq"
traffic wq
snap s1
replctl_in $NS_ONLINE set worker kthread || die "replctl set worker kthread"
log "phase 2: worker kthread"
traffic kthread
snap s2

for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
for p in "${pids[@]}"; do
	timeout 120 tail --pid="$p" -f /dev/null || fail "a tool did not exit on SIGTERM"
done
for t in replcopy_latency.py replcopy_wqlat.py replcopy_kthread_cost.py replcopy_top.py; do
	echo "---- $t"
	cat "$WORK/$t.out"
done
echo "----"

sess1=$(( $(d sess_syn s0 s1) + $(d sess_fabricated s0 s1) ))
sess2=$(( $(d sess_syn s1 s2) + $(d sess_fabricated s1 s2) ))
log "phase 1 (wq): $sess1 sessions, captured $(d captured_bytes s0 s1) B, sent $(d sent_segs s0 s1) segs"
log "phase 2 (kthread): $sess2 sessions, captured $(d captured_bytes s1 s2) B, sent $(d sent_segs s1 s2) segs"

# replcopy_latency.py
L=$WORK/replcopy_latency.py.out
grep -q '^worker = wq' "$L" && grep -q '^worker = kthread' "$L" &&
	pass "latency: a histogram per worker model" || fail "latency: missing a model's histogram"
i=1
for m in wq kthread; do
	a=s$((i - 1)) b=s$i
	check_eq "latency $m: bytes of first transmissions == captured_bytes of the phase" \
		"$(d captured_bytes $a $b)" "$(field "$L" "^worker $m: segs=[0-9]+ bytes=([0-9]+).*")"
	segs=$(field "$L" "^worker $m: segs=([0-9]+).*")
	sent=$(d sent_segs $a $b)
	if [ -n "$segs" ] && [ "$segs" -gt 0 ] && [ "$segs" -le "$sent" ]; then
		pass "latency $m: $segs data segments timed, 0 < n <= sent_segs ($sent)"
	else
		fail "latency $m: segs '$segs' not in 1..$sent"
	fi
	i=$((i + 1))
done

# replcopy_wqlat.py
W=$WORK/replcopy_wqlat.py.out
bound=$(( $(d captured_segs s0 s2) + $(d resp_segs s0 s2) ))
items=0
[ "$hist_on" = 1 ] && { echo "---- $HIST/hist"; cat "$HIST/hist"; }
# hist_get MODEL FIELD: FIELD of the hist line of worker MODEL (0 if none).
hist_get() {
	sed -nE "s/^\{ worker: +$1 \}.* $2: +([0-9]+).*/\1/p" "$HIST/hist" | head -n 1 | grep . || echo 0
}
wm=0
for m in wq kthread; do
	q=$(field "$W" "^queue $m: runs=([0-9]+).*")
	r=$(field "$W" "^run $m: runs=([0-9]+).*")
	it=$(field "$W" "^run $m: runs=[0-9]+ items=([0-9]+).*")
	if [ "$hist_on" = 1 ]; then
		hr=$(hist_get $wm hitcount)
		check "wqlat $m: the kernel counted runs of this model ($hr)" test "$hr" -gt 0
		check_eq "wqlat $m: runs == the kernel's count of replcopy_worker_end" "$hr" "${r:-none}"
		check_eq "wqlat $m: items == the kernel's sum of their items" "$(hist_get $wm items)" "${it:-none}"
	else
		check "wqlat $m: runs ($r) > 0" test "${r:-0}" -gt 0
	fi
	if [ "${q:-0}" -gt 0 ] && [ "${q:-0}" -le "${r:-0}" ]; then
		pass "wqlat $m: queue-delay samples ($q) in 1..runs ($r)"
	else
		fail "wqlat $m: queue-delay samples '$q' not in 1..runs ('$r')"
	fi
	items=$((items + ${it:-0}))
	wm=$((wm + 1))
done
check_eq "wqlat: nothing under wq_unbound, a model never set" 0 "$(grep -c 'wq_unbound' "$W")"
if [ "$items" -le "$bound" ]; then
	pass "wqlat: items processed ($items) <= captured_segs + resp_segs ($bound)"
else
	fail "wqlat: items processed ($items) > captured_segs + resp_segs ($bound)"
fi

# replcopy_kthread_cost.py
K=$WORK/replcopy_kthread_cost.py.out
check_eq "kthread_cost: kthread_create_on_node calls by the spawner == kthread-model sessions" \
	"$sess2" "$(field "$K" '^create: count=([0-9]+).*')"
check_eq "kthread_cost: spawn tracepoints == kthread-model sessions" \
	"$sess2" "$(field "$K" '^spawner_create_ns: count=([0-9]+).*')"
check_eq "kthread_cost: first runs == kthread-model sessions" \
	"$sess2" "$(field "$K" '^first_run: count=([0-9]+).*')"
check_eq "kthread_cost: no kthread_create error" 0 "$(field "$K" '^errors: count=([0-9]+).*')"

# replcopy_top.py: the last (cumulative) table
TOPO=$WORK/replcopy_top.py.out
row() { awk -v e="$1" -v c="$2" '$1 == e { v = $c } $1 == "->" && "-> " $2 == e { v = $(c + 1) } END { print v + 0 }' "$TOPO"; }
# The clients' requests are below one MSS: one segment per replcopy_xmit.
check_eq "top: replcopy_xmit (wq column) == sent_segs of phase 1" "$(d sent_segs s0 s1)" "$(row replcopy_xmit 2)"
check_eq "top: replcopy_xmit (kthread column) == sent_segs of phase 2" "$(d sent_segs s1 s2)" "$(row replcopy_xmit 3)"
check_eq "top: state -> ESTABLISHED == sess_established" "$(d sess_established s0 s2)" "$(row '-> ESTABLISHED' 4)"
check_eq "top: replcopy_kthread_spawn == kthread-model sessions" "$sess2" "$(row replcopy_kthread_spawn 4)"
cap=$(row replcopy_capture 4)
capsegs=$(d captured_segs s0 s2)
if [ "$cap" -gt 0 ] && [ "$cap" -le "$capsegs" ]; then
	pass "top: replcopy_capture ($cap) in 1..captured_segs ($capsegs; pure ACKs are counted but not queued)"
else
	fail "top: replcopy_capture ($cap) not in 1..$capsegs"
fi

check_replay_exact
check_sessions_accounted
check_no_drops
check_dmesg_clean
finish
