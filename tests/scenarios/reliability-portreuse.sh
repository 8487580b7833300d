#!/bin/bash
# timeout: 600
# Source ports reused while the target holds them in TIME-WAIT, on purpose:
# the module is loaded with src_port_min=65000 (536 ports) and replays
#   A. 20 000 short connections (hey, one connection per request, nginx
#      closes each: the target keeps a TIME-WAIT socket per connection), at
#      160 a second: every port is reused about 37 times, a few seconds
#      after its last connection ended;
#   B. mid-stream sessions on the same ports, right after A: a second
#      mapping (online :8090) to the same target is added while 20
#      keep-alive connections to :8090 are open, so their next requests
#      start fabricated sessions; the pool of source ports is per target,
#      so they get ports the target still holds in TIME-WAIT from A;
#   C. one client port reused back to back: 200 connections from client
#      port 40000, each opened as soon as the one before closed (every
#      other one by a client RST), while the replay of the one before may
#      still run;
#   D. --source client: 5 clients at once reconnect 200 times each from
#      their own port, so each connection is a new one on a tuple whose
#      previous connection the target still holds in TIME-WAIT, or whose
#      replay still runs.
#   E. per target: a range of 4 ports, 6 keep-alive connections at once
#      on each of two mappings to two targets: 4 replayed on each.
# Each phase A-D: the target logs exactly the online requests, every session is
# established, none times out, the target's PAWS counter does not grow; the
# module counts the reuse (port_reused). Under LOAD=light a tenth of A, C, D.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../lib-servers.sh"
# shellcheck disable=SC2034 # MAP_PORT is read by lib-servers.sh
MAP_PORT=8080
URL=http://$ONLINE_IP:8080
RANGE=536 NA=$(scaled 20000) NKA=20 NC=$(scaled 200) ND=$(scaled 1000)

nginx_pair_setup
nginx_start $NS_ONLINE online2 8090
nginx_start $NS_TARGET target2 8091
nginx_make_files online2 target2
module_load src_port_min=$((65536 - RANGE))
dmesg_mark
syn_watch $NS_ONLINE 8080
syn_watch $NS_TARGET 8081

paws0=$(tcp_ext $NS_TARGET PAWSEstab)
check_paws() {
	check_eq "$1: target's PAWSEstab (segments PAWS refused, TIME-WAIT SYNs among them) did not grow" "$paws0" "$(tcp_ext $NS_TARGET PAWSEstab)"
}

# nginx_reqs NAME PATTERN: nginx_requests of the lines matching PATTERN.
nginx_reqs() { grep -e "$2" "$(nginx_log "$1")" | awk '{ print $2, $3, $4, $5 }' | LC_ALL=C sort; }

# --- A: short connections through 536 ports
replctl_in $NS_ONLINE add 8080 $TARGET_IP:8081 >/dev/null || die "replctl add 8080 $TARGET_IP:8081"
log "A: hey -n $NA -c 20 -q 8 -disable-keepalive $URL/small.html"
check_eq "A: every request answered 200" "$NA" "$(hey_run $NS_CLIENT -n "$NA" -c 20 -q 8 -disable-keepalive "$URL/small.html")"
hey_errors
log "A: $(awk '/Requests\/sec:/ { print $2 }' "$WORK/hey.out") req/s"
check "A: replay finished (acked == captured, no live session)" wait_replay_idle 8080 180

# --- B, at once (the target holds A's last ports in TIME-WAIT for a
# minute): a second mapping to the same target shares its port pool.
cat > "$WORK/ka.py" <<'EOF2'
import http.client, os, sys, time
n, go = int(sys.argv[1]), sys.argv[2]
cs = [http.client.HTTPConnection("10.0.1.1", 8090, timeout=60) for _ in range(n)]
def get(i, path):
    cs[i].request("GET", path)
    r = cs[i].getresponse()
    r.read()
    print(i, path, r.status, flush=True)
for i in range(n):
    get(i, f"/ka{i}/before")
open(go + ".ready", "w").close()
while not os.path.exists(go):
    time.sleep(0.05)
for k in range(2):
    for i in range(n):
        get(i, f"/ka{i}/after-{k}")
EOF2
in_ns $NS_CLIENT python3 "$WORK/ka.py" $NKA "$WORK/go" > "$WORK/ka.out" 2>&1 &
ka=$!
wait_until 120 test -e "$WORK/go.ready" || die "B: keep-alive clients did not get their first answers"
replctl_in $NS_ONLINE add 8090 $TARGET_IP:8081 >/dev/null || die "replctl add 8090 $TARGET_IP:8081"
touch "$WORK/go"
wait $ka || fail "B: keep-alive clients failed: $(tail -3 "$WORK/ka.out")"
check_eq "B: every keep-alive request answered" $((NKA * 3)) "$(grep -c ' 404$' "$WORK/ka.out")"
check "B: replay finished" wait_replay_idle 8090 120

# A's facts (the target's log also has B's requests, under /ka*/).
check_eq "A: target got exactly the online requests" "$(nginx_reqs online /small.html)" "$(nginx_reqs target /small.html)"
check_eq "A: ... which are $NA" "$NA" "$(grep -c /small.html "$(nginx_log target)")"
check_stat_eq sess_syn "$NA"
check_stat_eq sess_established "$NA"
check_stat_eq sess_timedout 0
log "A, B: target TIME-WAIT sockets: $(in_ns $NS_TARGET ss -Htan state time-wait | wc -l); SYNs target $(syn_count $NS_TARGET); syn_rst $(rstat syn_rst)/$(rstat syn_rst 8090)"
# Least recently used first: only the first RANGE sessions found a port
# the target had not seen within the last minute.
check_stat_eq port_reused $((NA - RANGE))
check_replay_exact
check_sessions_accounted
check_no_drops

check_stat_eq sess_fabricated $NKA 8090
check_stat_eq sess_syn 0 8090
check_stat_eq sess_established $NKA 8090
check_stat_eq sess_timedout 0 8090
check_eq "B: target got exactly the requests sent after the mapping appeared" \
	"$(nginx_reqs online2 /after-)" "$(nginx_reqs target /ka)"
check_eq "B: ... which are $((NKA * 2))" $((NKA * 2)) "$(grep -c /ka "$(nginx_log target)")"
check_stat_eq port_reused $NKA 8090
check_replay_exact 8090
check_sessions_accounted 8090
check_no_drops 8090
check_paws "A, B"
replctl_in $NS_ONLINE del 8090 >/dev/null || fail "replctl del 8090"
nginx_rotate online2

# --- C: one client port reused back to back: each connection from port
# 40000 starts while the replay of the one before may still run; every
# other one the client ends with a RST (SO_LINGER 0, as many HTTP
# libraries and load balancers close), the others nginx closes.
# reconnect.py N LPORT DPORT TAG [alt]: N connections from LPORT to DPORT,
# one after the other, each "GET /TAG/I" with Connection: close (nginx
# closes first, so the client keeps no TIME-WAIT socket and binds LPORT
# again at once); with alt, every odd one keep-alive instead, the answer
# read by its Content-Length, then a RST from the client. Prints how many
# were answered 404.
cat > "$WORK/reconnect.py" <<'EOF2'
import socket, struct, sys, time
n, lport, dport, tag = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
alt = sys.argv[5:] == ["alt"]
ok = 0
for i in range(n):
    # Until the client's own socket of the last connection is gone (it
    # waits for the server's ACK of its FIN): EADDRINUSE or EADDRNOTAVAIL.
    for t in range(1000):
        c = socket.socket()
        c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        c.settimeout(30)
        try:
            c.bind(("10.0.1.2", lport))
            c.connect(("10.0.1.1", dport))
            break
        except OSError as e:
            c.close()
            if e.errno not in (98, 99) or t == 999:
                raise
            time.sleep(0.01)
    rst = alt and i % 2 == 1
    conn = "keep-alive" if rst else "close"
    c.sendall(f"GET /{tag}/{i} HTTP/1.1\r\nHost: online\r\nConnection: {conn}\r\n\r\n".encode())
    r = b""
    while True:
        if rst and b"\r\n\r\n" in r:
            head, body = r.split(b"\r\n\r\n", 1)
            length = [int(h.split(b":")[1]) for h in head.split(b"\r\n")
                      if h.lower().startswith(b"content-length:")]
            if length and len(body) >= length[0]:
                break
        d = c.recv(65536)
        if not d:
            break
        r += d
    if rst:
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    c.close()
    ok += r.startswith(b"HTTP/1.1 404")
print(ok)
EOF2
syn0=$(rstat sess_syn)
check_eq "C: $NC connections from client port 40000 answered, half closed by a client RST" "$NC" "$(in_ns $NS_CLIENT python3 "$WORK/reconnect.py" "$NC" 40000 8080 reconnect alt)"
check "C: replay finished" wait_replay_idle 8080 120
check_eq "C: target got exactly the online requests" "$(nginx_reqs online /reconnect/)" "$(nginx_reqs target /reconnect/)"
check_eq "C: ... which are $NC" "$NC" "$(grep -c /reconnect/ "$(nginx_log target)")"
check_eq "C: a session per connection (sess_syn grew by $NC)" "$((syn0 + NC))" "$(rstat sess_syn)"
check_stat_eq sess_timedout 0
check_replay_exact
check_sessions_accounted
check_no_drops

# --- D: --source client: the target sees the client's own tuple, so the
# client reconnecting from a port is a new connection on the tuple the
# target holds in TIME-WAIT, and the session waits for the replay of the
# previous connection on it. 5 clients at once, each from its own port.
replctl_in $NS_ONLINE add 8090 $TARGET_IP:8091 --source client >/dev/null ||
	die "replctl add 8090 $TARGET_IP:8091 --source client"
pids=()
for i in 1 2 3 4 5; do
	ip netns exec $NS_CLIENT python3 "$WORK/reconnect.py" $((ND / 5)) $((40000 + i)) 8090 client$i > "$WORK/rc$i.out" 2>&1 &
	pids+=($!)
done
for i in "${!pids[@]}"; do
	wait "${pids[$i]}" || fail "D: client $((i + 1)) failed: $(tail -2 "$WORK/rc$((i + 1)).out")"
done
check_eq "D: every request answered" "$ND" "$(cat "$WORK"/rc*.out | awk '{ s += $1 } END { print s + 0 }')"
check "D: replay finished" wait_replay_idle 8090 180
compare_nginx_logs online2 target2 "D"
check_eq "D: every target log line from the client's address" "$ND" "$(awk -v c=$CLIENT_IP '$1 == c' "$(nginx_log target2)" | wc -l)"
check_stat_eq sess_syn "$ND" 8090
check_stat_eq sess_established "$ND" 8090
check_stat_eq sess_timedout 0 8090
check_paws "C, D"
check_replay_exact 8090
check_sessions_accounted 8090
check_no_drops 8090
# --- E: the range is per target. 4 ports (src_port_max lowered at run
# time), 6 keep-alive connections at once on each of two mappings to two
# targets: each target has 4 sessions at once (8 in all, more than the
# range holds), the others on each count in drop_noport. hey may open a
# connection more than -c and close one early, which frees its port for
# another: what must hold is that no target ever holds more than 4
# replayed connections, each holds 4 while the load runs, and each got one
# connection per session established, fewer than the online server's.
replctl_in $NS_ONLINE del 8090 >/dev/null || fail "replctl del 8090"
P=/sys/module/replcopy/parameters
echo $((65536 - RANGE + 3)) > $P/src_port_max || die "src_port_max"
replctl_in $NS_ONLINE add 8090 $TARGET_IP:8091 >/dev/null || die "replctl add 8090 $TARGET_IP:8091"
e0=$(rstat sess_established)
n0=$(rstat drop_noport)
n0b=$(rstat drop_noport 8090)
for l in online target online2 target2; do
	eval "lines_$l=$(wc -l < "$(nginx_log $l)")"
done
ip netns exec $NS_CLIENT hey -n 120 -c 6 -q 2 "$URL/small.html" > "$WORK/hey-e1.out" 2>&1 &
h1=$!
ip netns exec $NS_CLIENT hey -n 120 -c 6 -q 2 "http://$ONLINE_IP:8090/small.html" > "$WORK/hey-e2.out" 2>&1 &
h2=$!
# The replayed connections the target holds established on each port,
# read every 0.2 s while hey runs (sess_active would count too the
# sessions that exist only until they find no port).
est_on() { ip netns exec $NS_TARGET ss -Htn state established "( sport = :$1 )" | wc -l; }
while kill -0 $h1 2>/dev/null || kill -0 $h2 2>/dev/null; do
	echo "$(est_on 8081) $(est_on 8091)" >> "$WORK/e-active"
	sleep 0.2
done
wait $h1 $h2
for f in e1 e2; do
	check_eq "E: hey $f: every request answered 200" 120 "$(awk '/^ *\[200\]/ { print $2 }' "$WORK/hey-$f.out")"
done
check "E: sessions drained" wait_sessions_drained 8090 60
check "E: sessions drained (8080)" wait_sessions_drained 8080 60
# e_conns NGINX: the connections that NGINX logged a request of since E began.
e_conns() {
	local var=lines_$1
	tail -n +$((${!var} + 1)) "$(nginx_log "$1")" | awk '{ print $7 }' | sort -u | wc -l
}
check_eq "E: the target's established replays on :8081 peaked at the range's 4" 4 "$(awk '{ print $1 }' "$WORK/e-active" | sort -n | tail -1)"
check_eq "E: the target's established replays on :8091 peaked at the range's 4" 4 "$(awk '{ print $2 }' "$WORK/e-active" | sort -n | tail -1)"
est=$(( $(rstat sess_established) - e0 ))
est_b=$(rstat sess_established 8090)
check_eq "E: target :8081 got a connection per session established ($est)" "$est" "$(e_conns target)"
check_eq "E: target :8091 got a connection per session established ($est_b)" "$est_b" "$(e_conns target2)"
check "E: the online server had connections that got no port ($est of $(e_conns online))" \
	test "$est" -lt "$(e_conns online)"
check "E: ... on 8090 too ($est_b of $(e_conns online2))" test "$est_b" -lt "$(e_conns online2)"
check "E: drop_noport grew (8080)" test "$(rstat drop_noport)" -gt "$n0"
check "E: drop_noport grew (8090)" test "$(rstat drop_noport 8090)" -gt "$n0b"
echo 65535 > $P/src_port_max || fail "src_port_max"
check_dmesg_clean
finish
