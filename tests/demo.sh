#!/bin/bash
# replcopy demo (make demo): runs inside the test VM.
#
#   client 10.0.1.2 ── online 10.0.1.1 (nginx :8080, replcopy.ko) ── target 10.0.2.2 (nginx :8081)
#
# Loads the module, maps the online nginx's port 8080 to the target's nginx
# on 10.0.2.2:8081 (replctl add 8080 10.0.2.2:8081), sends real HTTP traffic
# from the client (curl, hey keep-alive, hey one connection per request, an
# upload), and shows what happened: the mapping, the counters, live
# sessions, the requests each nginx logged, captured vs acknowledged bytes.
# It reports what it sees: when the target did not get everything, it says
# so and exits 1.
#
# WORKER=kthread selects the other worker model.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib-servers.sh"
# shellcheck disable=SC2034 # MAP_PORT is read by lib-servers.sh
MAP_PORT=8080

say() { printf '\n=== %s\n' "$*"; }
show() { printf '$ %s\n' "$*"; "$@" 2>&1 | sed 's/^/  /'; }
online() { printf '$ replctl %s\n' "$*"; replctl_in $NS_ONLINE "$@" 2>&1 | sed 's/^/  /'; }

say "topology: client $CLIENT_IP -> online $ONLINE_IP / $ONLINE_TIP -> target $TARGET_IP"
nginx_pair_setup
module_load
dmesg_mark
echo "replcopy $(cat /sys/module/replcopy/version 2>/dev/null) loaded; kernel $(uname -r)"

say "baseline without any mapping: hey -n 500 -c 10 (keep-alive) http://$ONLINE_IP:8080/small.html"
in_ns $NS_CLIENT hey -n 500 -c 10 http://$ONLINE_IP:8080/small.html > "$WORK/hey-base.out" 2>&1
grep -E '^ *\[[0-9]+\][[:space:]]+[0-9]+ responses' "$WORK/hey-base.out" | sed 's/^/  /'
nginx_rotate online

say "mapping: what arrives on online:8080 is replayed to target 10.0.2.2:8081"
online add 8080 10.0.2.2:8081
set_worker
online list

say "traffic from the client (real curl and hey)"
show in_ns $NS_CLIENT curl -s -o /dev/null -w 'GET /small.html -> %{http_code}, %{size_download} bytes\n' http://$ONLINE_IP:8080/small.html
show in_ns $NS_CLIENT curl -s -o /dev/null -w 'GET /200k.bin -> %{http_code}, %{size_download} bytes\n' http://$ONLINE_IP:8080/200k.bin
head -c 1048576 /dev/urandom > "$WORK/upload.bin"
show in_ns $NS_CLIENT curl -s -o /dev/null -w 'PUT /dav/upload.bin (1 MiB) -> %{http_code}\n' -T "$WORK/upload.bin" http://$ONLINE_IP:8080/dav/upload.bin

echo "hey -n 500 -c 10 (keep-alive) http://$ONLINE_IP:8080/small.html, in the background"
in_ns $NS_CLIENT hey -n 500 -c 10 http://$ONLINE_IP:8080/small.html > "$WORK/hey-ka.out" 2>&1 &
hey_pid=$!
sleep 1
say "live replayed sessions while hey runs"
online sessions
wait $hey_pid
grep -E '^ *\[[0-9]+\][[:space:]]+[0-9]+ responses' "$WORK/hey-ka.out" | sed 's/^/  /'

echo "hey -n 100 -c 10 -disable-keepalive http://$ONLINE_IP:8080/200k.bin (one connection per request)"
in_ns $NS_CLIENT hey -n 100 -c 10 -disable-keepalive http://$ONLINE_IP:8080/200k.bin > "$WORK/hey-cl.out" 2>&1
grep -E '^ *\[[0-9]+\][[:space:]]+[0-9]+ responses' "$WORK/hey-cl.out" | sed 's/^/  /'

say "waiting for the replay to finish (asynchronous; at most 60 s)"
if wait_replay_idle 8080 60; then
	echo "  every session ended and the target acknowledged everything captured"
else
	echo "  NOT idle after 60 s"
fi

say "counters"
online stats
say "sessions left"
online sessions

say "what each nginx logged (method uri status: count)"
summary() { awk '{ n[$2 " " $3 " " $4]++; b += $5 } END { for (k in n) printf "  %-32s %6d\n", k, n[k]; printf "  %-32s %6d bytes\n", "request bytes ($request_length)", b }' "$(nginx_log "$1")"; }
echo "online nginx ($(nginx_count online) requests):"
summary online
echo "target nginx ($(nginx_count target) requests):"
summary target
echo "clients seen by the target: $(awk '{ print $1 }' "$(nginx_log target)" | sort -u | tr '\n' ' ')"

say "the production path: what the client got (same hey run, keep-alive, 1 KB)"
ok200() { grep -E '^ *\[200\]' "$1" | awk '{ print $2 }'; }
printf '  without mapping: %s of 500 answered 200\n' "$(ok200 "$WORK/hey-base.out")"
printf '  with mapping:    %s of 500 answered 200\n' "$(ok200 "$WORK/hey-ka.out")"
echo "  (No cost figure here: the client, the online server, the replay and the"
echo "  target share this VM's two vCPUs, so the target's work would be charged"
echo "  to production. docs/BENCHMARKS.md has what has been measured, and what"
echo "  its figures include.)"

say "verdict"
cap=$(rstat captured_bytes 8080)
ack=$(rstat acked_bytes 8080)
req_on=$(nginx_count online)
req_tg=$(nginx_count target)
diffs=$(diff_text "$(nginx_requests online)" "$(nginx_requests target)" | grep -c '^[<>]' || true)
printf '  client payload captured: %s bytes\n  acknowledged by target:  %s bytes\n' "$cap" "$ack"
printf '  requests: online %s, target %s; lines that differ: %s\n' "$req_on" "$req_tg" "$diffs"
check_dmesg_clean
if [ "$cap" != "?" ] && [ "$cap" -gt 0 ] && [ "$cap" = "$ack" ] && [ "$req_on" = "$req_tg" ] && [ "$diffs" = 0 ]; then
	echo "  REPLAY EXACT: the target got every request the online server got"
else
	echo "  REPLAY NOT EXACT (see above)"
	_failed=1
fi
online del 8080
finish
