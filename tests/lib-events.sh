#!/bin/bash
# Helpers for scenarios that watch the module's events (replctl monitor).
# Source after lib.sh.

# monitor_start NS FILE: `replctl monitor --json` in NS into FILE, in the
# background (MONITOR_PID), stopped at exit; returns once it runs (the
# group is joined well within the 2 s waited).
monitor_start() {
	in_ns "$1" "$REPLCTL" monitor --json > "$2" 2> "$WORK/monitor.err" &
	MONITOR_PID=$!
	on_exit "kill $MONITOR_PID 2>/dev/null"
	sleep 2
	check "replctl monitor runs" _monitoring
}
_monitoring() { [ -d "/proc/$MONITOR_PID" ] && [ ! -s "$WORK/monitor.err" ]; }

# monitor_stop: SIGTERM, and wait for its last line.
monitor_stop() {
	kill "$MONITOR_PID" 2>/dev/null
	wait "$MONITOR_PID" 2>/dev/null
	[ ! -s "$WORK/monitor.err" ] || fail "replctl monitor said: $(head -c 300 "$WORK/monitor.err")"
}

# events_summary FILE [FIRST_LINE]: the events from line FIRST_LINE (1) on,
# summed up as KEY=VALUE lines in $WORK/summary (read with ev_get KEY);
# fails on a line that is not one JSON event object.
events_summary() {
	python3 - "$1" "${2:-1}" > "$WORK/summary" <<-'EOF'
	import json, sys
	first = int(sys.argv[2])
	ev = []
	for n, l in enumerate(open(sys.argv[1]).read().splitlines()[first - 1:], first):
	    try:
	        o = json.loads(l)
	    except ValueError as e:
	        sys.exit("line %d is not JSON (%s): %r" % (n, e, l))
	    if not isinstance(o, dict) or "event" not in o:
	        sys.exit("line %d is not an event object: %r" % (n, l))
	    ev.append(o)
	def count(t, key=None, vals=None):
	    return sum(1 for e in ev if e["event"] == t and
	               (key is None or e.get(key) in vals))
	starts = [e for e in ev if e["event"] == "session-start"]
	ends = [e for e in ev if e["event"] == "session-end"]
	port = lambda e: (e["map_id"], e["session"]["client_addr"], e["session"]["client_port"])
	out = {
	    "lines": len(ev),
	    "starts": len(starts),
	    "established": count("session-established"),
	    "ends": len(ends),
	    "ends_closed": count("session-end", "reason", ("closed",)),
	    "ends_reset": count("session-end", "reason",
	                        ("reset", "client-rst", "limit", "abort", "loop")),
	    "ends_timedout": count("session-end", "reason", ("timedout",)),
	    "unpaired": len({port(e) for e in starts} ^ {port(e) for e in ends}),
	    "closed_inexact": sum(1 for e in ends if e.get("reason") == "closed" and
	                          (e["session"]["captured_bytes"] != e["session"]["acked_bytes"]
	                           or e["session"]["captured_bytes"] == 0)),
	    "target_refused": count("target-refused"),
	    "target_unreachable": count("target-unreachable"),
	    "limit_kthreads": count("limit", "limit", ("kthreads",)),
	    "limit_other": count("limit") - count("limit", "limit", ("kthreads",)),
	    "map_add": ",".join(str(e["mapping"]["id"]) for e in ev if e["event"] == "mapping-add"),
	    "map_del": ",".join(str(e["mapping"]["id"]) for e in ev if e["event"] == "mapping-del"),
	    "suppressed_events": count("suppressed"),
	    "suppressed": sum(e["suppressed"] for e in ev if e["event"] == "suppressed"),
	    "overflow": count("overflow"),
	    "delivered": sum(1 for e in ev if e["event"] not in ("suppressed", "overflow")),
	}
	for k, v in out.items():
	    print("%s=%s" % (k, v))
	EOF
}
ev_get() { sed -n "s/^$1=//p" "$WORK/summary"; }
ev_line() { tr '\n' ' ' < "$WORK/summary"; }
