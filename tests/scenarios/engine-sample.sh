#!/bin/bash
# timeout: 300
# --sample: a mapping that replays half of the client connections,
# nginx -> nginx, default settings otherwise.
#   A. One connection per request (hey -disable-keepalive): every SYN is
#      counted once, in sess_syn (replayed) or sess_unsampled; the target
#      serves exactly the replayed connections' requests; the share is
#      within five standard deviations of 50 %.
#   B. 100 keep-alive connections of five requests each (curl): 30-70 % of
#      them are replayed, each whole or not at all, so the target serves
#      five requests on each connection it sees, five per replayed one.
#   C. list --json and save show the share; apply reads it back.
# Facts from outside the module: the online and target nginx logs and nft
# SYN counters on both. WORKER selects the worker model.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../lib-servers.sh"
# shellcheck disable=SC2034 # MAP_PORT is read by lib-servers.sh
MAP_PORT=8080
URL=http://$ONLINE_IP:8080
N=$(scaled 400) K=$(scaled 100) PER=5

nginx_pair_setup
module_load
dmesg_mark
syn_watch $NS_ONLINE 8080
syn_watch $NS_TARGET 8081
replctl_in $NS_ONLINE add 8080 $TARGET_IP:8081 --sample 50 >/dev/null ||
	die "replctl add 8080 $TARGET_IP:8081 --sample 50"
set_worker
check_eq "list --json shows the share" 50.00 \
	"$(json_get "$(replctl_in $NS_ONLINE list --json)" '"%.2f" % j[0]["sample"]')"

# within LO HI X: X in [LO, HI]
within() { [ "$3" -ge "$1" ] && [ "$3" -le "$2" ]; }

# ---------------------------------------------------------------- A
log "A. $N connections, one request each"
nginx_rotate online
nginx_rotate target
in_ns $NS_CLIENT hey -n "$N" -c 4 -disable-keepalive "$URL/small.html" > "$WORK/hey.out" 2>&1 ||
	fail "hey failed: $(tail -3 "$WORK/hey.out")"
check "replay finished" wait_replay_idle 8080 90
read -r syn unsampled <<< "$(rstat sess_syn,sess_unsampled | tr / ' ')"
on_syn=$(syn_count $NS_ONLINE) tg_syn=$(syn_count $NS_TARGET)
log "online SYNs $on_syn, target SYNs $tg_syn; sess_syn $syn, sess_unsampled $unsampled"
check_eq "the online server answered $N requests" "$N" "$(nginx_count online)"
check_eq "every client SYN counted once: sess_syn + sess_unsampled" "$on_syn" $((syn + unsampled))
check_eq "the target saw a SYN per replayed connection" "$syn" "$tg_syn"
check_eq "the target served the replayed connections' requests" "$syn" "$(nginx_count target)"
# bounds N: mean +- 5 standard deviations of a half of N
bounds() { python3 -c "import math; n=$1; d=5*math.sqrt(n/4); print(max(0, math.ceil(n/2-d)), math.floor(n/2+d))"; }
read -r lo hi <<< "$(bounds "$N")"
check "about half replayed: $syn of $N in [$lo, $hi]" within "$lo" "$hi" "$syn"
check_replay_exact

# ---------------------------------------------------------------- B
log "B. $K connections of $PER requests each"
nginx_rotate online
nginx_rotate target
syn0=$syn
urls=$(for ((i = 0; i < PER; i++)); do printf '%s ' "$URL/small.html"; done)
for ((c = 0; c < K; c++)); do
	# shellcheck disable=SC2086 # PER URLs, one connection
	in_ns $NS_CLIENT curl -s -o /dev/null $urls || fail "curl $c failed"
done
check "replay finished" wait_replay_idle 8080 90
syn=$(rstat sess_syn)
check_eq "the online server answered $((K * PER)) requests" $((K * PER)) "$(nginx_count online)"
check_eq "the online server saw them on $K connections" "$K" "$(nginx_conns online)"
check_eq "the target served $PER requests per replayed connection" \
	$(((syn - syn0) * PER)) "$(nginx_count target)"
# Each connection the target saw carried all five: none was cut.
bad=$(awk '{ n[$7]++ } END { for (c in n) if (n[c] != '"$PER"') print c, n[c] }' "$(nginx_log target)")
check_empty "every replayed connection whole: connections with another count" "$bad"
log "keep-alive: $((syn - syn0)) of $K connections replayed"
read -r lo hi <<< "$(bounds "$K")"
# Full load: 30-70 of 100 (4 standard deviations); light: 5 of them.
[ "$K" -lt 100 ] || { lo=$((K * 3 / 10)) hi=$((K * 7 / 10)); }
check "$((syn - syn0)) of $K keep-alive connections replayed, in [$lo, $hi]" \
	within "$lo" "$hi" $((syn - syn0))
check_replay_exact
check_sessions_accounted

# ---------------------------------------------------------------- C
log "C. save and apply keep the share"
replctl_in $NS_ONLINE save > "$WORK/saved.conf" || fail "replctl save"
check "save writes --sample 50" grep -q -- "--sample 50\$" "$WORK/saved.conf"
replctl_in $NS_ONLINE del --all || fail "del --all"
replctl_in $NS_ONLINE apply "$WORK/saved.conf" >/dev/null || fail "apply"
check_eq "apply restores the share" 50.00 \
	"$(json_get "$(replctl_in $NS_ONLINE list --json)" '"%.2f" % j[0]["sample"]')"
expect_fail 2 "out of range" "--sample 0 refused" \
	replctl_in $NS_ONLINE add 9000 $TARGET_IP:9000 --sample 0
check_eq "the refused add left nothing" 1 "$(json_get "$(replctl_in $NS_ONLINE list --json)" 'len(j)')"
check_dmesg_clean
finish
