#!/bin/bash
# timeout: 600
# Scale: SCALE_CONNS (default 10000; LOAD=light: 1000) concurrent long-lived
# keep-alive connections replayed at once, plus one more with max-sessions
# set to SCALE_CONNS: that one is refused replay (N + 1 SYNs, N sessions,
# sess_refused > 0) while the client's own connections all work (a request
# on every connection, before and after). Reports the module's memory per
# session (slab+percpu delta over the replayed sessions, with the sockets'
# own share estimated from a run without the mapping) and shows it returns
# to idle after the connections close, and after rmmod (kmemleak where
# present). Connections are opened 64 at a time (about 70 s under TCG).
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../lib-servers.sh"
# shellcheck disable=SC2034 # MAP_PORT is read by lib-servers.sh
MAP_PORT=8080
N=${SCALE_CONNS:-$(scaled 10000)}
BASE_N=${SCALE_BASE_CONNS:-$(scaled 2000)}

ulimit -n 65536 || die "cannot raise the open-file limit"
sysctl -qw net.core.somaxconn=4096
sysctl -qw net.ipv4.ip_local_port_range="10000 65000"

# nginx able to hold N+ connections (lib-servers' nginx allows 1000). Its
# access log (one URI a line) is the outside witness of what was replayed.
big_nginx() { # big_nginx NS NAME PORT
	local ns=$1 name=$2 port=$3 d
	d=$(_srv_dir "nginx-$name")
	mkdir -p "$d/root" "$d/tmp" "$d/logs"
	cat > "$d/nginx.conf" <<-EOF2
	user root;
	worker_processes 1;
	worker_rlimit_nofile 65536;
	daemon on;
	pid $d/nginx.pid;
	error_log $d/logs/error.log warn;
	events { worker_connections 30000; }
	http {
		log_format uri '\$uri';
		access_log $d/logs/access.log uri;
		client_body_temp_path $d/tmp/body;
		proxy_temp_path $d/tmp/proxy;
		fastcgi_temp_path $d/tmp/fastcgi;
		uwsgi_temp_path $d/tmp/uwsgi;
		scgi_temp_path $d/tmp/scgi;
		keepalive_requests 1000000;
		keepalive_timeout 3600s;
		server { listen $port backlog=4096; root $d/root; }
	}
	EOF2
	head -c 1024 /dev/zero | tr '\0' x > "$d/root/small.html"
	in_ns "$ns" nginx -p "$d" -c "$d/nginx.conf" -e "$d/logs/error.log" ||
		die "nginx $name did not start: $(tail -5 "$d/logs/error.log")"
	on_exit "kill \$(cat $d/nginx.pid)"
	wait_listen "$ns" "$port" || die "nginx $name does not listen on $port"
}

cat > "$WORK/client.py" <<'EOF2'
import asyncio, os, sys, time
host, port, n, status, go = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
REQ = f"GET /small.html HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()

async def get(r, w):
    w.write(REQ)
    await w.drain()
    head = await r.readuntil(b"\r\n\r\n")
    lines = head.decode("latin1").split("\r\n")
    if not lines[0].startswith("HTTP/1.1 200"):
        raise RuntimeError(lines[0])
    length = 0
    for l in lines[1:]:
        if l.lower().startswith("content-length:"):
            length = int(l.split(":")[1])
    await r.readexactly(length)

async def one(i, sem, conns):
    async with sem:
        for attempt in range(5):
            try:
                r, w = await asyncio.wait_for(asyncio.open_connection(host, port), 60)
                break
            except Exception:
                await asyncio.sleep(1 + attempt)
        else:
            return False
        try:
            await asyncio.wait_for(get(r, w), 60)
        except Exception:
            w.close()
            return False
        conns[i] = (r, w)
        return True

async def main():
    sem = asyncio.Semaphore(int(os.environ.get("SCALE_CONNECTS", "64")))
    conns = {}
    t0 = time.time()
    ok = sum(await asyncio.gather(*(one(i, sem, conns) for i in range(n))))
    with open(status, "w") as f:
        f.write(f"opened {ok} {n - ok} {time.time() - t0:.0f}\n")
    while not os.path.exists(go):
        await asyncio.sleep(0.5)
    sem2 = asyncio.Semaphore(128)
    async def again(c):
        async with sem2:
            try:
                await asyncio.wait_for(get(*c), 120)
                return True
            except Exception:
                return False
    ok2 = sum(await asyncio.gather(*(again(c) for c in conns.values())))
    for r, w in conns.values():
        w.close()
    await asyncio.sleep(2)
    with open(status, "a") as f:
        f.write(f"second {ok2} {len(conns) - ok2}\n")
    return ok == n and ok2 == n
sys.exit(0 if asyncio.run(main()) else 1)
EOF2

# clients N TAG: open N connections in the background; wait until all are
# up (or failed); "opened OK FAILED SECONDS" in $WORK/TAG.status.
clients() {
	local n=$1 tag=$2
	rm -f "$WORK/$tag.go" "$WORK/$tag.status"
	in_ns $NS_CLIENT python3 "$WORK/client.py" $ONLINE_IP 8080 "$n" "$WORK/$tag.status" "$WORK/$tag.go" &
	client_pid=$!
	wait_until 1200 test -s "$WORK/$tag.status" || die "$tag: client did not finish connecting"
	cat "$WORK/$tag.status" | sed "s/^/# $tag: /"
}
clients_finish() { # clients_finish TAG: second request on all, close
	touch "$WORK/$1.go"
	wait $client_pid
	client_rc=$?
	sed -n 's/^second/# '"$1"': second/p' "$WORK/$1.status"
}
online_estab() { in_ns $NS_ONLINE ss -Htn state established '( sport = :8080 )' | wc -l; }

topo_setup
big_nginx $NS_ONLINE online 8080
big_nginx $NS_TARGET target 8081
# N sessions to one target need N source ports (the default range,
# 61000-65535, holds 4536); the online host's own connections keep out of it.
in_ns $NS_ONLINE sysctl -qw net.ipv4.ip_local_port_range="10000 19999"
module_load src_port_min=20000 src_port_max=65535
dmesg_mark
replctl_in $NS_ONLINE add 8080 $TARGET_IP:8081 >/dev/null || die "replctl add"
# Opening N connections takes minutes under TCG: the first sessions must
# not idle out before the last one is up.
replctl set max-sessions "$N" idle-timeout 3600 || die "replctl set max-sessions $N"
on_exit "$REPLCTL" set max-sessions 65536 idle-timeout 300
mem_idle=$(kernel_mem_kb)
log "idle (module loaded, mapping, no connection): slab+percpu $mem_idle KiB"

# Sockets alone: BASE_N connections without replication.
replctl_in $NS_ONLINE del 8080
clients "$BASE_N" base
mem_base=$(kernel_mem_kb)
clients_finish base
check_eq "without mapping: every connection worked twice" 0 "$client_rc"
per_conn=$(( (mem_base - mem_idle) * 1024 / BASE_N ))
log "no replication: $BASE_N connections cost $((mem_base - mem_idle)) KiB: $per_conn bytes per connection (client + server socket)"
wait_until 60 sh -c "[ \$(ip netns exec $NS_ONLINE ss -Htn state established '( sport = :8080 )' | wc -l) = 0 ]"

# N + 1 connections with replication, max-sessions N.
replctl_in $NS_ONLINE add 8080 $TARGET_IP:8081 >/dev/null || die "replctl add"
mem_idle2=$(kernel_mem_kb)
start=$SECONDS
clients $((N + 1)) scale
check_eq "client: all $((N + 1)) connections opened and answered" "opened $((N + 1)) 0" "$(cut -d' ' -f1-3 < "$WORK/scale.status" | head -1)"
check_eq "online server holds every connection" $((N + 1)) "$(online_estab)"
sessions_n() { [ "$(rstat sess_active)" -ge "$1" ] 2>/dev/null; }
wait_until 300 sessions_n "$N" || true
live=$(rstat sess_active)
check_eq "replayed sessions live at once" "$N" "$live"
# N + 1 SYNs, N sessions: the one beyond the limit was refused (its SYN,
# and each data segment after it that would have started a session).
check_eq "sessions started from a SYN" "$N" "$(rstat sess_syn)"
check_eq "no session started mid-stream" 0 "$(rstat sess_fabricated)"
check "the connection beyond max-sessions was refused replay (sess_refused $(rstat sess_refused))" \
	test "$(rstat sess_refused)" -ge 1
check_stat_eq drop_noport 0
wait_until 300 sh -c "[ \$(ip netns exec $NS_TARGET ss -Htn state established '( sport = :8081 )' | wc -l) -ge $N ]" || true
tgt=$(in_ns $NS_TARGET ss -Htn state established '( sport = :8081 )' | wc -l)
check_eq "target holds a replayed connection per session" "$N" "$tgt"
mem_peak=$(kernel_mem_kb)
delta=$((mem_peak - mem_idle2))
# The module's session objects, counted in their own slab cache (exact
# where SLUB did not merge it with another cache).
objs_peak=$(slab_objs replcopy_session)
if [ "$objs_peak" = "?" ]; then
	log "replcopy_session is not in /proc/slabinfo (merged): object counts not checked"
else
	check "session objects at the peak: $objs_peak for $live sessions" test "$objs_peak" -ge "$live"
fi
# The sessions dump: N sessions at rest, each listed once (its parts
# resume where the last one stopped; none came or went meanwhile).
t0=$SECONDS
replctl_in $NS_ONLINE sessions --json > "$WORK/sessions.json" 2> "$WORK/sessions.err" ||
	fail "replctl sessions with $N sessions: $(cat "$WORK/sessions.err")"
log "replctl sessions: $N sessions listed in $((SECONDS - t0))s"
check_eq "sessions listed: $N, each client port once" "$N $N" \
	"$(python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(len(j), len({s["client_port"] for s in j}))' "$WORK/sessions.json")"
check_empty "sessions listed without an interrupted dump" "$(cat "$WORK/sessions.err")"
log "opening took $((SECONDS - start))s; slab+percpu: idle $mem_idle2 KiB, with $live sessions $mem_peak KiB (+$delta KiB)"
log "per replayed session (everything): $((delta * 1024 / (live > 0 ? live : 1))) bytes"
# Minus the client+server sockets of production traffic (measured above
# without the mapping): what replaying costs per session, the target's
# socket (in the target namespace here, another host in real life) and the
# module's session (a 616-byte object in kmalloc-1k on x86-64 6.1).
mod=$(( (delta * 1024 - (N + 1) * per_conn) / (live > 0 ? live : 1) ))
log "per session, replay only (minus the production sockets): $mod bytes (target socket + module session)"

clients_finish scale
check_eq "client: a second request on every connection worked (production untouched)" 0 "$client_rc"
check "all sessions ended after the client closed" wait_sessions_drained 8080 600
check "replay finished (acked == captured)" wait_replay_idle 8080 300
check_replay_exact
check_sessions_accounted
check_stat_eq sess_syn "$N"
check_stat_eq drop_nomem 0
# The target's own count: two requests on each of the N replayed
# connections (the one beyond max-sessions is not replayed).
check_eq "target nginx served two requests per replayed connection" $((2 * N)) \
	"$(grep -c '^/small.html$' "$WORK/nginx-target/logs/access.log")"
replctl_in $NS_ONLINE del --all
if [ "$objs_peak" != "?" ]; then
	no_session_objs() { [ "$(slab_objs replcopy_session)" = 0 ]; }
	wait_until 60 no_session_objs || true
	check_eq "session objects after close and del (of $objs_peak at the peak)" 0 "$(slab_objs replcopy_session)"
fi
# Back to idle: within 10% of the peak's growth (caches keep some slabs).
# Up to 60 s for the memory to come back (kernel_mem_settle).
t0=$SECONDS
allowed=$((delta / 10 + 1024))
mem_after=$(kernel_mem_settle 60 $((mem_idle2 + allowed)))
log "after close and del: slab+percpu $mem_after KiB (idle $mem_idle2 KiB, peak $mem_peak KiB; lowest reading within $((SECONDS - t0))s)"
check "memory returned to idle (within 10% of the growth: $((mem_after - mem_idle2)) KiB of $delta KiB)" \
	test $((mem_after - mem_idle2)) -le $allowed
check_dmesg_clean
module_unload_checked
log "after rmmod: slab+percpu $(kernel_mem_kb) KiB"
finish
