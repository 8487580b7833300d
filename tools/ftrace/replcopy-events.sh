#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# replcopy-events.sh  Enable the replcopy module's tracepoints, trace for a
#                     while (or while a command runs) and print the events,
#                     then a count per event.
#
# USAGE: replcopy-events.sh [-h] [-t SECONDS] [-e EVENT[,EVENT...]]
#                           [-f FILTER] [-o FILE] [-s] [-T] [-- COMMAND...]
#
# Records into a private tracefs instance (instances/replcopy-events-PID,
# 8 MiB per CPU), so the global trace buffer and other tracers are
# untouched (but for keep_top_expansion below); -T has trace-cmd record
# that instance. Must run as root.
set -euo pipefail

usage() {
	cat <<-'EOF2'
	Usage: replcopy-events.sh [-h] [-t SECONDS] [-e EVENTS] [-f FILTER] [-o FILE]
	                          [-s] [-T] [-- COMMAND...]

	Enable the replcopy:* tracepoints, trace for SECONDS (default 5) or while
	COMMAND runs, print the events and a count per event.

	Options:
	  -t SECONDS  trace this long (default 5; 0: until Ctrl-C or SIGTERM;
	              ignored when a COMMAND is given)
	  -e EVENTS   comma-separated event names (default: all replcopy events),
	              e.g. replcopy_state,replcopy_retransmit
	  -f FILTER   tracefs event filter applied to every event, e.g. 'sess_id == 3'
	  -o FILE     write the events to FILE instead of stdout
	  -s          summary only: the counts, not the events
	  -T          use trace-cmd record/report instead of tracefs directly
	  -h          this help

	Examples:
	  replcopy-events.sh -t 10                       # all events for 10 s
	  replcopy-events.sh -e replcopy_state -- curl -s http://10.0.1.1:8080/
	  replcopy-events.sh -s -t 30                    # counts only
	  replcopy-events.sh -f 'worker == 1' -t 5       # kthread-model sessions
	EOF2
}

secs=5 events="" filter="" outfile="" summary=0 use_tc=0
while getopts "ht:e:f:o:sT" opt; do
	case $opt in
	h) usage; exit 0 ;;
	t) secs=$OPTARG ;;
	e) events=$OPTARG ;;
	f) filter=$OPTARG ;;
	o) outfile=$OPTARG ;;
	s) summary=1 ;;
	T) use_tc=1 ;;
	*) usage >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ "${1:-}" != "--" ] || shift
case $secs in ''|*[!0-9.]*) echo "replcopy-events.sh: -t wants seconds, got '$secs'" >&2; exit 2 ;; esac

tracefs=""
for d in /sys/kernel/tracing /sys/kernel/debug/tracing; do
	if [ -d "$d/events" ]; then tracefs=$d; break; fi
done
[ -n "$tracefs" ] || { echo "replcopy-events.sh: tracefs not mounted (mount -t tracefs tracefs /sys/kernel/tracing)" >&2; exit 1; }
[ -d "$tracefs/events/replcopy" ] || { echo "replcopy-events.sh: no replcopy events: is the replcopy module loaded?" >&2; exit 1; }

all=$(cd "$tracefs/events/replcopy" && for e in *; do [ -d "$e" ] && echo "$e"; done)
if [ -z "$events" ]; then
	sel=$all
else
	sel=$(echo "$events" | tr ',' '\n')
	for e in $sel; do
		[ -d "$tracefs/events/replcopy/$e" ] ||
			{ echo "replcopy-events.sh: no event replcopy:$e (have: ${all//$'\n'/ })" >&2; exit 2; }
	done
fi

out=$(mktemp /tmp/replcopy-events.XXXXXX)
trap 'rm -f "$out"' EXIT
inst_name=replcopy-events-$$
buf_kb=8192

# On 6.1 one "expanded" flag covers every trace buffer. A buffer never used
# has its boot-time minimum (buffer_size_kb reads "7 (expanded: 1408)") and
# grows on first use, unless some buffer was resized before. Resizing our
# instance thus left the top-level buffer at 7 KB per CPU for good, and
# whoever traced there next lost events (trace-cmd record did, here).
# keep_top_expansion gives it the size its first use would have given it,
# when the resize took that away; where the kernel keeps the flag per
# buffer, the top-level buffer still reads "(expanded: N)" and it does
# nothing.
top_before=$(cat "$tracefs/buffer_size_kb")
keep_top_expansion() {
	local want now
	case $top_before in *"expanded: "*) ;; *) return 0 ;; esac
	want=${top_before##*expanded: }
	want=${want%)}
	now=$(cat "$tracefs/buffer_size_kb")
	# Still "N (expanded: M)", or "X" (per-CPU sizes differ): leave it.
	case $now in ''|*[!0-9]*) return 0 ;; esac
	[ "$now" -ge "$want" ] || echo "$want" > "$tracefs/buffer_size_kb"
}

# run_window: run COMMAND, or wait SECONDS (0: until SIGINT/SIGTERM).
run_window() {
	local spid
	if [ $# -gt 0 ]; then
		"$@" || echo "replcopy-events.sh: command exited $?" >&2
		return 0
	fi
	if [ "$secs" = 0 ]; then sleep infinity & else sleep "$secs" & fi
	spid=$!
	trap 'kill $spid 2>/dev/null' INT TERM
	wait "$spid" || true
	trap - INT TERM
}

if [ "$use_tc" = 1 ]; then
	command -v trace-cmd >/dev/null || { echo "replcopy-events.sh: trace-cmd not installed" >&2; exit 1; }
	[ $# -gt 0 ] || [ "$secs" != 0 ] || { echo "replcopy-events.sh: -T needs -t SECONDS > 0 or a COMMAND" >&2; exit 2; }
	dat=$(mktemp /tmp/replcopy-events.XXXXXX.dat)
	# The instance is trace-cmd's: it creates and sizes it, and removes it
	# at the end.
	trap 'keep_top_expansion; rm -f "$out" "$dat"' EXIT
	tcargs=(-B "$inst_name" -b "$buf_kb")
	for e in $sel; do
		tcargs+=(-e "replcopy:$e")
		[ -z "$filter" ] || tcargs+=(-f "$filter")
	done
	if [ $# -gt 0 ]; then
		trace-cmd record -q -o "$dat" "${tcargs[@]}" "$@" >&2
	else
		trace-cmd record -q -o "$dat" "${tcargs[@]}" sleep "$secs" >&2
	fi
	rep=$(mktemp /tmp/replcopy-events.XXXXXX.err)
	trap 'keep_top_expansion; rm -f "$out" "$dat" "$rep"' EXIT
	trace-cmd report -q -i "$dat" 2> "$rep" | grep -E ' replcopy_[a-z_]+:' > "$out" || true
	# Nothing recorded: show what trace-cmd said, so that the cause is not lost.
	if [ ! -s "$out" ]; then
		echo "replcopy-events.sh: trace-cmd recorded no replcopy event ($(stat -c %s "$dat") bytes of trace data)" >&2
		head -n 20 "$rep" >&2
	fi
else
	inst="$tracefs/instances/$inst_name"
	mkdir "$inst"
	trap 'echo 0 > "$inst/tracing_on" 2>/dev/null; echo 0 > "$inst/events/enable" 2>/dev/null; rmdir "$inst" 2>/dev/null; rm -f "$out"' EXIT
	echo 0 > "$inst/tracing_on"
	echo "$buf_kb" > "$inst/buffer_size_kb"
	keep_top_expansion
	for e in $sel; do
		if [ -n "$filter" ]; then
			echo "$filter" > "$inst/events/replcopy/$e/filter" ||
				{ echo "replcopy-events.sh: bad filter '$filter' for $e" >&2; exit 2; }
		fi
		echo 1 > "$inst/events/replcopy/$e/enable"
	done
	echo 1 > "$inst/tracing_on"
	echo "Tracing replcopy events... Hit Ctrl-C to end." >&2
	run_window "$@"
	echo 0 > "$inst/tracing_on"
	grep -v '^#' "$inst/trace" > "$out" || true
	lost=$(awk '/^overrun:/ { s += $2 } END { print s + 0 }' "$inst"/per_cpu/cpu*/stats)
	[ "$lost" = 0 ] || echo "replcopy-events.sh: $lost events lost (buffer overrun): shorten the window or filter" >&2
fi

if [ "$summary" = 0 ]; then
	if [ -n "$outfile" ]; then cp "$out" "$outfile"; else cat "$out"; fi
fi
echo "# replcopy events: $(wc -l < "$out") total"
for e in $sel; do
	printf '# %-24s %d\n' "$e" "$(grep -c " $e:" "$out" || true)"
done
