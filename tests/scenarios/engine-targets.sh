#!/bin/bash
# timeout: 400
# Several targets and copies per mapping, with default settings otherwise.
#   A. nginx 8080 -> target nginx on 8081 and 8082: one-request connections
#      (hey -disable-keepalive) and keep-alive ones (hey). Each target
#      serves exactly the online server's requests, and sees a SYN for each
#      client SYN; per target, acked == captured and every session ended
#      with a counted cause; the mapping's counters are its targets' sums.
#   B. The second target down (its nginx stopped: connections refused):
#      the first one still serves every request, exactly.
#   C. --copies 3 to one target: connections open before the mapping
#      (fabricated sessions, three per connection) and new ones. The target
#      serves each request three times, on three times the connections,
#      with a SYN each: no source port collides.
#   D. redis 6379 -> two targets, --copies 2: each target's commandstats
#      are twice the online server's, command by command.
#   E. save writes the targets and copies, apply reads them back; bad
#      arguments are refused and leave nothing behind.
# Facts from outside the module: nginx access logs, redis INFO
# commandstats, nft SYN counters. WORKER selects the worker model.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../lib-servers.sh"
# shellcheck disable=SC2034 # MAP_PORT is read by lib-servers.sh
MAP_PORT=8080
URL=http://$ONLINE_IP:8080
# hey_check scales its count itself; N is what it sends (a multiple of 4).
NREQ=120
N=$(scaled $NREQ)

nginx_pair_setup
nginx_start $NS_TARGET target2 8082
nginx_make_files target2
redis_start $NS_ONLINE online $ONLINE_IP 6379
redis_start $NS_TARGET target $TARGET_IP 6380
redis_start $NS_TARGET target2 $TARGET_IP 6381
module_load
dmesg_mark
syn_watch $NS_ONLINE 8080
set_worker

# sums_add_up [PORT]: the mapping's session counters are its targets' sums.
sums_add_up() {
	local js
	js=$(rstats_json) || { fail "replctl stats failed"; return; }
	python3 - "$js" "${1:-$MAP_PORT}" <<-'EOF' || _failed=1
	import json, sys
	j = json.loads(sys.argv[1])
	m = [m for m in j["mappings"] if str(m["port"]) == sys.argv[2]][0]
	keys = ["sess_syn", "sess_fabricated", "sess_established", "sess_closed",
	        "sess_reset", "sess_timedout", "captured_bytes", "acked_bytes",
	        "sent_segs", "resp_bytes"]
	bad = [k for k in keys if m["stats"][k] != sum(t["stats"][k] for t in m["targets"])]
	print(("FAIL: " if bad else "ok: ") + f"port {sys.argv[2]}: the mapping's counters are the sums of its "
	      f"{len(m['targets'])} targets' ({', '.join(bad) or ', '.join(keys[:3]) + ', ...'})")
	sys.exit(1 if bad else 0)
	EOF
}

# one_target_exact NAME IDX SYNS: target IDX (nginx NAME) served exactly
# the online server's requests, with a session per client SYN (SYNS).
one_target_exact() {
	local name=$1 idx=$2 syns=$3 d
	check_eq "$name served as many requests as online" "$(nginx_count online)" "$(nginx_count "$name")"
	d=$(diff_text "$(nginx_requests online)" "$(nginx_requests "$name")") &&
		pass "$name: same method, URI, status, request_length as online" ||
		{ fail "$name: logs differ:"; printf '%s\n' "$d" | head -20; }
	check_eq "$name: a session per client SYN" "$syns" "$(rstat sess_syn "8080:$idx")"
	check_replay_exact "8080:$idx"
	check_sessions_accounted "8080:$idx"
	check_no_drops "8080:$idx"
}

# ---------------------------------------------------------------- A
log "A. two targets: $N one-request connections, then requests on 10 keep-alive ones"
replctl_in $NS_ONLINE add 8080 $TARGET_IP:8081 $TARGET_IP:8082 >/dev/null ||
	die "replctl add 8080 $TARGET_IP:8081 $TARGET_IP:8082"
check_eq "list --json shows both targets" "$TARGET_IP:8081 $TARGET_IP:8082" \
	"$(json_get "$(replctl_in $NS_ONLINE list --json)" '" ".join("%s:%d" % (t["addr"], t["port"]) for t in j[0]["targets"])')"
nginx_rotate online
nginx_rotate target
nginx_rotate target2
hey_check "one request per connection" $NREQ -c 4 -disable-keepalive "$URL/small.html"
hey_check "keep-alive" $((NREQ / 2)) -c 10 "$URL/200k.bin"
check "replay finished" wait_replay_idle 8080 120
syns=$(syn_count $NS_ONLINE)
one_target_exact target 0 "$syns"
one_target_exact target2 1 "$syns"
check_sessions_accounted
sums_add_up

# ---------------------------------------------------------------- B
log "B. the second target down: connections to it refused"
kill "$(cat "$WORK/nginx-target2/nginx.pid")" || fail "stop nginx target2"
wait_until 20 sh -c "! ip netns exec $NS_TARGET ss -Htln 'sport = :8082' | grep -q ." ||
	fail "nginx target2 still listens"
nginx_rotate online
nginx_rotate target
est1=$(rstat sess_established 8080:1)
hey_check "one request per connection, second target down" $NREQ -c 4 -disable-keepalive "$URL/small.html"
check "the first target's replay finished" wait_replay_idle 8080:0 120
check "the second target's sessions ended" wait_sessions_drained 8080:1 60
check_eq "the first target served as many requests as online" "$(nginx_count online)" "$(nginx_count target)"
d=$(diff_text "$(nginx_requests online)" "$(nginx_requests target)") &&
	pass "the first target: same requests as online" || { fail "logs differ:"; printf '%s\n' "$d" | head; }
check_replay_exact 8080:0
check_eq "the second target: no connection established" "$est1" "$(rstat sess_established 8080:1)"
check_sessions_accounted 8080:1
sums_add_up

# ---------------------------------------------------------------- C
log "C. --copies 3: 3 connections open before the mapping, then $N new ones"
replctl_in $NS_ONLINE del 8080 || fail "replctl del 8080"
nginx_rotate online
nginx_rotate target
syn_watch $NS_TARGET 8081
ka_clients fab 3 2 5 replctl_in $NS_ONLINE add 8080 $TARGET_IP:8081 --copies 3
syn0=$(syn_count $NS_ONLINE)
check_eq "list --json shows 3 copies" 3 "$(json_get "$(replctl_in $NS_ONLINE list --json)" 'j[0]["copies"]')"
hey_check "one request per connection, 3 copies" $NREQ -c 4 -disable-keepalive "$URL/small.html"
check "replay finished" wait_replay_idle 8080 120
after=$(grep -c -v '/before-' "$(nginx_log online)")
check_eq "the target served each request after the mapping 3 times" $((3 * after)) "$(nginx_count target)"
d=$(diff_text "$(grep -v '/before-' "$(nginx_log online)" | awk '{ for (i = 0; i < 3; i++) print $2, $3, $4, $5 }' | LC_ALL=C sort)" \
	"$(nginx_requests target)") && pass "each request three times, same method, URI, status, length" ||
	{ fail "logs differ:"; printf '%s\n' "$d" | head; }
check_eq "3 sessions per fabricated connection" 9 "$(rstat sess_fabricated)"
check_eq "3 sessions per new client connection" $((3 * ($(syn_count $NS_ONLINE) - syn0))) "$(rstat sess_syn)"
check_eq "the target saw one SYN per session: no port collided" \
	"$(($(rstat sess_syn) + $(rstat sess_fabricated)))" "$(syn_count $NS_TARGET)"
check_eq "the target saw 3 connections per client connection" $((3 * (N + 3))) "$(nginx_conns target)"
check_stat_eq syn_rst 0
check_replay_exact
check_sessions_accounted
check_no_drops

# ---------------------------------------------------------------- D
log "D. redis 6379 -> $TARGET_IP:6380 and :6381, --copies 2"
replctl_in $NS_ONLINE add 6379 $TARGET_IP:6380 $TARGET_IP:6381 --copies 2 >/dev/null ||
	die "replctl add 6379 two targets --copies 2"
for args in "-c 10 -n $(scaled 1000) -t set,get,incr,lpush,lpop -d 64" "-c 4 -n $(scaled 100) -k 0 -t set,get"; do
	# shellcheck disable=SC2086 # the benchmark's arguments
	in_ns $NS_CLIENT redis-benchmark -h $ONLINE_IP -p 6379 -q $args > "$WORK/rb.out" 2>&1 ||
		fail "redis-benchmark $args: $(tail -2 "$WORK/rb.out")"
done
check "redis replay finished" wait_replay_idle 6379 120
double=$(redis_cmdstats $NS_ONLINE $ONLINE_IP 6379 | awk '{ print $1, 2 * $2, 2 * $3 }')
log "online commandstats, doubled: $(printf '%s' "$double" | tr '\n' ';')"
for p in 6380 6381; do
	d=$(diff_text "$double" "$(redis_cmdstats $NS_TARGET $TARGET_IP $p)") &&
		pass "redis :$p: twice the online calls, command by command" ||
		{ fail "redis :$p: commandstats differ (< 2x online, > target):"; printf '%s\n' "$d"; }
done
# The INFO reads above went through the mapping too: let them settle.
check "replay finished after the reads" wait_replay_idle 6379 60
check_replay_exact 6379:0
check_replay_exact 6379:1
check_sessions_accounted 6379
sums_add_up 6379

# ---------------------------------------------------------------- E
log "E. save and apply; refused arguments"
replctl_in $NS_ONLINE save > "$WORK/saved.conf" || fail "replctl save"
check "save writes both targets and the copies" \
	grep -q -- "add 6379 $TARGET_IP:6380 $TARGET_IP:6381 .*--copies 2" "$WORK/saved.conf"
replctl_in $NS_ONLINE list --json > "$WORK/list.before"
replctl_in $NS_ONLINE del --all || fail "del --all"
replctl_in $NS_ONLINE apply "$WORK/saved.conf" >/dev/null || fail "apply"
replctl_in $NS_ONLINE list --json > "$WORK/list.after"
check_eq "apply restores targets and copies" \
	"$(json_get "$(cat "$WORK/list.before")" '[(m["port"], [(t["addr"], t["port"]) for t in m["targets"]], m["copies"]) for m in j]')" \
	"$(json_get "$(cat "$WORK/list.after")" '[(m["port"], [(t["addr"], t["port"]) for t in m["targets"]], m["copies"]) for m in j]')"
expect_fail 2 "copies" "--copies 2 with --source client refused" \
	replctl_in $NS_ONLINE add 9000 $TARGET_IP:9000 --copies 2 --source client
expect_fail 2 "twice" "a target given twice refused" \
	replctl_in $NS_ONLINE add 9000 $TARGET_IP:9000 $TARGET_IP:9000
expect_fail 2 "copies" "--copies 17 refused" \
	replctl_in $NS_ONLINE add 9000 $TARGET_IP:9000 --copies 17
check_eq "the refused adds left nothing" 2 "$(json_get "$(replctl_in $NS_ONLINE list --json)" 'len(j)')"
check_dmesg_clean
finish
