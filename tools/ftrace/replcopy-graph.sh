#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# replcopy-graph.sh  function_graph trace of replcopy's worker path
#                    (replcopy_session_run and everything it calls), and
#                    where the time goes: the top functions by total time.
#
# USAGE: replcopy-graph.sh [-h] [-t SECONDS] [-s SESS_ID | -p PID]
#                          [-d DEPTH] [-n TOP] [-o FILE] [-- COMMAND...]
#
# function_graph cannot run in a tracefs instance, so this uses the
# top-level trace buffer: it refuses to run when another tracer is active,
# and restores what it changed on exit. Must run as root.
set -euo pipefail

usage() {
	cat <<-'EOF2'
	Usage: replcopy-graph.sh [-h] [-t SECONDS] [-s SESS_ID | -p PID] [-d DEPTH]
	                         [-n TOP] [-f FUNC] [-o FILE] [-- COMMAND...]

	Trace replcopy's worker path with function_graph for SECONDS (default 5)
	or while COMMAND runs, then print the top functions by total time
	(inclusive), calls and average, and the worker runs seen. The last
	line says how many events the trace buffer lost: more than 0 means
	it overflowed and the calls are undercounted (trace for less time,
	or with a smaller -d).

	Options:
	  -t SECONDS  trace this long (default 5; 0: until Ctrl-C or SIGTERM;
	              ignored when a COMMAND is given)
	  -s SESS_ID  one session of the kthread model: trace its thread
	              (replcopy/SESS_ID) only; see replctl sessions / replcopy-events.sh
	  -p PID      only this task (e.g. a kworker or a session's kthread)
	  -d DEPTH    max_graph_depth (default 0: unlimited)
	  -n TOP      how many functions to list (default 25)
	  -f FUNC     graph root (default replcopy_session_run)
	  -o FILE     also keep the raw function_graph output in FILE
	  -r FILE     no tracing: analyse FILE, a raw output kept with -o
	  -a          graph every kernel function below the root; by default
	              only the module's functions and the main ones of the
	              transmit path are patched (enabling function_graph on
	              every function takes long under emulation: RCU stalls)
	  -h          this help

	Examples:
	  replcopy-graph.sh -t 10                  # every session's worker runs
	  replcopy-graph.sh -s 42 -t 5             # session 42 (kthread model)
	  replcopy-graph.sh -d 4 -n 10 -- hey -n 200 http://10.0.1.1:8080/
	  replcopy-graph.sh -f replcopy_xmit -t 5  # only the transmit path
	EOF2
}

secs=5 sess="" pid="" depth=0 top=25 func=replcopy_session_run keep="" raw="" all=0
while getopts "ht:s:p:d:n:f:o:r:a" opt; do
	case $opt in
	h) usage; exit 0 ;;
	t) secs=$OPTARG ;;
	s) sess=$OPTARG ;;
	p) pid=$OPTARG ;;
	d) depth=$OPTARG ;;
	n) top=$OPTARG ;;
	f) func=$OPTARG ;;
	o) keep=$OPTARG ;;
	r) raw=$OPTARG ;;
	a) all=1 ;;
	*) usage >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ "${1:-}" != "--" ] || shift
for v in "$secs" "$depth" "$top" ${sess:+"$sess"} ${pid:+"$pid"}; do
	case $v in ''|*[!0-9.]*) echo "replcopy-graph.sh: '$v' is not a number" >&2; exit 2 ;; esac
done

analyze() {
	local rows rc=0 root_total
	rows=$(mktemp /tmp/replcopy-graph-rows.XXXXXX)
	# Lines look like (funcgraph-tail on):
	#   1)   2.345 us    |      ip_local_out();
	#   1)               |    replcopy_xmit [replcopy]() {
	#   1) + 12.345 us   |    } /* replcopy_xmit [replcopy] */
	# A duration ends a leaf call "f();" or a closing "} /* f */"; symbols
	# of modules carry " [module]". Prints "function calls total_us" rows.
	awk '
		/^#/ { next }
		{
			n = index($0, "|")
			if (!n) next
			left = substr($0, 1, n - 1); right = substr($0, n + 1)
			if (!match(left, /[0-9]+(\.[0-9]+)? us/)) next
			d = substr(left, RSTART, RLENGTH); sub(/ us/, "", d)
			f = ""
			if (match(right, /\} \/\* [^*]+ \*\//)) {
				f = substr(right, RSTART + 5, RLENGTH - 8)
			} else if (match(right, /[A-Za-z0-9_.$]+( \[[A-Za-z0-9_]+\])?\(\);/)) {
				f = substr(right, RSTART, RLENGTH - 3)
			}
			sub(/ \[[A-Za-z0-9_]+\]$/, "", f)
			if (f == "") next
			tot[f] += d; calls[f]++
		}
		END { for (f in tot) printf "%s %d %.3f\n", f, calls[f], tot[f] }
	' "$1" | sort -k3,3 -g -r > "$rows" || rc=$?
	root_total=$(awk -v r="$func" '$1 == r { print $3; n = $2 } END { if (!n) exit 1 }' "$rows") || {
		echo "no complete $func run was traced"
		rm -f "$rows"
		return 3
	}
	awk -v r="$func" '$1 == r { printf "%s: %d runs, %.1f us total, %.1f us per run\n\n", r, $2, $3, $3 / $2 }' "$rows"
	printf "%-40s %8s %14s %10s %7s\n" FUNCTION CALLS TOTAL_US AVG_US %ROOT
	head -n "$top" "$rows" | awk -v rt="$root_total" '
		{ printf "%-40s %8d %14.1f %10.2f %6.1f%%\n", $1, $2, $3, $3 / $2, (rt > 0 ? 100 * $3 / rt : 0) }'
	rm -f "$rows"
	# Events the ring buffer lost (overwritten or dropped), noted at the
	# end of the raw trace when it was taken.
	sed -n 's/^# replcopy-graph.sh: events lost: \([0-9]*\)$/\1/p' "$1" | head -n 1 |
		awk '{ printf "\nevents lost: %d%s\n", $1,
			($1 > 0 ? " (the trace buffer overflowed: calls are undercounted)" : "") }'
	return "$rc"
}

if [ -n "$raw" ]; then
	analyze "$raw"
	exit
fi

# Kernel functions graphed besides the module's (without -a).
KFUNCS="ip_local_out __ip_local_out ip_output ip_finish_output ip_finish_output2
nf_hook_slow __dev_queue_xmit dev_hard_start_xmit veth_xmit __netif_rx
netif_rx ip_route_output_flow ip_route_output_key_hash __alloc_skb
skb_copy_bits kfree_skb_reason consume_skb skb_release_data
__inet_lookup_established mod_timer _raw_spin_lock_bh _raw_spin_unlock_bh
__local_bh_enable_ip do_softirq net_rx_action __napi_poll process_backlog
__netif_receive_skb_one_core ip_rcv ip_rcv_finish ip_local_deliver
tcp_v4_rcv nf_ip_checksum __skb_checksum_complete wake_up_process
queue_work_on try_to_wake_up ip_select_ident __ip_select_ident"

# The session first: its thread may not live long.
if [ -n "$sess" ]; then
	pid=""
	for p in /proc/[0-9]*; do
		c=""
		read -r c 2>/dev/null < "$p/comm" || true
		if [ "$c" = "replcopy/$sess" ]; then
			pid=${p#/proc/}
			break
		fi
	done
	[ -n "$pid" ] || { echo "replcopy-graph.sh: no thread replcopy/$sess: -s needs a live session of the kthread model (wq sessions share kworkers; use -p)" >&2; exit 1; }
fi

T=""
for d in /sys/kernel/tracing /sys/kernel/debug/tracing; do
	if [ -d "$d/events" ]; then T=$d; break; fi
done
[ -n "$T" ] || { echo "replcopy-graph.sh: tracefs not mounted" >&2; exit 1; }
grep -qw function_graph "$T/available_tracers" ||
	{ echo "replcopy-graph.sh: this kernel has no function_graph tracer" >&2; exit 1; }
grep -qE "^$func( |$)" "$T/available_filter_functions" 2>/dev/null ||
	{ echo "replcopy-graph.sh: $func is not traceable: is the replcopy module loaded?" >&2; exit 1; }
cur=$(cat "$T/current_tracer")
[ "$cur" = nop ] || { echo "replcopy-graph.sh: tracer '$cur' is in use; stop it first (echo nop > $T/current_tracer)" >&2; exit 1; }


out=$(mktemp /tmp/replcopy-graph.XXXXXX)
old_depth=$(cat "$T/max_graph_depth")
old_tail=$(cat "$T/options/funcgraph-tail")
# "1408" or, before first use, "7 (expanded: 1408)": restore the size in use.
old_size=$(sed -E 's/.*expanded: *([0-9]+).*/\1/; s/^([0-9]+).*/\1/' "$T/buffer_size_kb")
old_on=$(cat "$T/tracing_on")
restore() {
	echo 0 > "$T/tracing_on"
	echo nop > "$T/current_tracer"
	echo > "$T/set_graph_function"
	echo > "$T/set_ftrace_filter"
	echo > "$T/set_ftrace_pid"
	echo "$old_depth" > "$T/max_graph_depth"
	echo "$old_tail" > "$T/options/funcgraph-tail"
	echo "$old_size" > "$T/buffer_size_kb"
	echo "$old_on" > "$T/tracing_on"
	rm -f "$out"
}
trap restore EXIT

echo 0 > "$T/tracing_on"
echo "$func" > "$T/set_graph_function"
if [ "$all" = 0 ]; then
	echo '*:mod:replcopy' > "$T/set_ftrace_filter"
	for f in $KFUNCS; do
		echo "$f" >> "$T/set_ftrace_filter" 2>/dev/null || true
	done
fi
if [ -n "$pid" ]; then echo "$pid" > "$T/set_ftrace_pid"; else echo > "$T/set_ftrace_pid"; fi
echo "$depth" > "$T/max_graph_depth"
echo 1 > "$T/options/funcgraph-tail"
echo 16384 > "$T/buffer_size_kb"
echo function_graph > "$T/current_tracer"
echo > "$T/trace"
echo "Tracing $func${pid:+ in pid $pid}${sess:+ (session $sess)} with function_graph... Hit Ctrl-C to end." >&2
echo 1 > "$T/tracing_on"
if [ $# -gt 0 ]; then
	"$@" || echo "replcopy-graph.sh: command exited $?" >&2
else
	# -t 0: until SIGINT/SIGTERM, which end the window, not the script.
	if [ "$secs" = 0 ]; then sleep infinity & else sleep "$secs" & fi
	spid=$!
	trap 'kill $spid 2>/dev/null' INT TERM
	wait "$spid" || true
	trap - INT TERM
fi
echo 0 > "$T/tracing_on"
cat "$T/trace" > "$out"
# Per CPU: "overrun:" (overwritten) and "dropped events:" (not written).
lost=$(cat "$T"/per_cpu/cpu*/stats 2>/dev/null |
	awk '/^(overrun|dropped events):/ { n += $NF } END { print n + 0 }')
echo "# replcopy-graph.sh: events lost: $lost" >> "$out"
[ -z "$keep" ] || cp "$out" "$keep"

analyze "$out"
