#!/bin/bash
# timeout: 300
# replctl monitor: the module's events (multicast group "events"), default
# settings, with real traffic.
#   A. `replctl monitor --json` runs from before the mapping is added. nginx
#      → nginx traffic: 20 requests, one connection each (hey), then the
#      mapping is deleted. Facts: every line is one JSON object; one
#      mapping-add and one mapping-del for the mapping; session-start
#      events equal sess_syn + sess_fabricated, session-established equal
#      sess_established, session-end events equal the sessions that ended,
#      by reason as the counters say (closed = sess_closed); each start has
#      its end (same client port); every closed session's end says its
#      target acked what it captured; nothing was suppressed (60 events are
#      within the default burst of 1000).
#   B. Without CAP_NET_ADMIN over the netns, monitor is refused (exit 1,
#      naming CAP_NET_ADMIN): events carry client addresses.
#   C. The rate limit under a SYN burst: event_rate lowered to 20 (the
#      setting under test), 300 spoofed SYNs (hping3, absent addresses)
#      make 300 session-start and, 4 s later, 300 session-end events. At
#      most the burst plus the rate per second get through; a suppressed
#      event counts the rest, so delivered + suppressed is exactly 600.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../lib-servers.sh"
source "$(dirname "$0")/../lib-events.sh"
# shellcheck disable=SC2034 # MAP_PORT is read by lib-servers.sh
MAP_PORT=8080
URL=http://$ONLINE_IP:8080
RATE=20
SPOOFED=300
command -v hping3 >/dev/null || skip "hping3 missing (make deps)"
command -v setpriv >/dev/null || skip "setpriv (util-linux) missing"

nginx_pair_setup
module_load
dmesg_mark
ns=$MAP_NS
EV=$WORK/events.jsonl

monitor_start $ns "$EV"

# --- A. real traffic
replctl_in $ns add 8080 $TARGET_IP:8081 >/dev/null || die "replctl add"
set_worker
CONNS=$(scaled 20)
hey_check "one connection each" 20 -c 2 -disable-keepalive "$URL/small.html"
check "replay finished" wait_replay_idle 8080 60
check "every session ended" wait_sessions_drained 8080 60
read -r syn fab est closed reset timedout <<< "$(rstat sess_syn,sess_fabricated,sess_established,sess_closed,sess_reset,sess_timedout | tr / ' ')"
id=$(json_get "$(replctl_in $ns list --json)" '[m["id"] for m in j if m["port"] == 8080][0]')
replctl_in $ns del 8080 || fail "replctl del 8080"
sleep 1

check "every event line is one JSON object" events_summary "$EV"
log "events (A): $(ev_line)"
log "counters (A): syn $syn fabricated $fab established $est closed $closed reset $reset timedout $timedout"
check_eq "one mapping-add, for the mapping" "$id" "$(ev_get map_add)"
check_eq "one mapping-del, for the mapping" "$id" "$(ev_get map_del)"
check_eq "session-start events = sess_syn + sess_fabricated" $((syn + fab)) "$(ev_get starts)"
check_eq "session-established events = sess_established" "$est" "$(ev_get established)"
check_eq "session-end events = sessions ended" $((closed + reset + timedout)) "$(ev_get ends)"
check_eq "session-end reason closed = sess_closed" "$closed" "$(ev_get ends_closed)"
check_eq "session-end reason reset, client-rst, limit, abort, loop = sess_reset" "$reset" "$(ev_get ends_reset)"
check_eq "session-end reason timedout = sess_timedout" "$timedout" "$(ev_get ends_timedout)"
check_eq "every start has its end (client ports)" 0 "$(ev_get unpaired)"
check_eq "closed sessions whose end event says acked != captured" 0 "$(ev_get closed_inexact)"
check_eq "nothing suppressed under the default rate" 0 "$(ev_get suppressed_events)"
[ "$(ev_get starts)" -ge "$CONNS" ] ||
	fail "fewer session-start events than the $CONNS connections: $(ev_get starts)"

# --- B. no CAP_NET_ADMIN, no events
expect_fail 1 'CAP_NET_ADMIN' "unprivileged monitor" \
	timeout 10 ip netns exec $ns setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$REPLCTL" monitor

# --- C. the rate limit under a SYN burst
replctl_in $ns add 8080 $TARGET_IP:8081 >/dev/null || die "replctl add (C)"
echo $RATE > /sys/module/replcopy/parameters/event_rate || die "event_rate $RATE"
on_exit "echo 1000 > /sys/module/replcopy/parameters/event_rate"
sleep 2
first=$(($(wc -l < "$EV") + 1))
unconf0=$(rstat syn_unconfirmed)
t0=$SECONDS
for ((i = 100; i < 115; i++)); do
	in_ns $NS_CLIENT hping3 -q -S -a 10.0.1.$i -p 8080 -i u2000 -c 20 $ONLINE_IP >/dev/null 2>&1
done
check "the spoofed SYNs' sessions ended" wait_sessions_drained 8080 60
check_eq "syn_unconfirmed counts the spoofed SYNs" $((unconf0 + SPOOFED)) "$(rstat syn_unconfirmed)"
# The last suppressed event comes a second after the last refusal.
sleep 3
took=$((SECONDS - t0))
check "the burst's events are JSON" events_summary "$EV" "$first"
log "events (C, ${took}s): $(ev_line)"
check_eq "no receive-buffer overflow" 0 "$(ev_get overflow)"
check_eq "delivered + suppressed = 2 events per spoofed SYN" $((2 * SPOOFED)) \
	$(($(ev_get delivered) + $(ev_get suppressed)))
max=$((RATE + RATE * took))
if [ "$(ev_get delivered)" -le $max ]; then
	pass "delivered within the burst plus the rate ($(ev_get delivered) <= $max)"
else
	fail "delivered $(ev_get delivered) events in ${took}s at $RATE/s (at most $max)"
fi
if [ "$(ev_get suppressed)" -gt 0 ]; then
	pass "suppressed events reported ($(ev_get suppressed) in $(ev_get suppressed_events) events)"
else
	fail "no suppressed event although $((2 * SPOOFED)) events came at $RATE/s"
fi

monitor_stop
replctl_in $ns del --all
check_dmesg_clean
module_unload_checked
finish
