#!/bin/bash
# timeout: 600
# Multi-MB uploads with the module's default limits: a client uploads far
# faster than the replay can follow (the replay is paced by the target's
# ACKs, and here by a lossy path), so the replay lags tens of MB behind.
# The per-session limit (max_session_bytes, 4 MiB) is a fair share that
# only binds when the queues of all sessions fill half of the global budget
# (max_total_kbytes): an ordinary upload is never reset for it.
#   A. clean online<->target path: two 32 MB PUTs at once and a 32 MB POST;
#   B. the same path with tc netem both ways (5% loss, 2 ms delay, 10%
#      reordered): two 20 MB PUTs at once.
# Each time the target stores the uploads byte-identical, logs exactly the
# online requests, acks every captured byte; no drop counter moves; the
# queued_bytes gauge returns to 0. WORKER selects the worker model.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../lib-servers.sh"
# shellcheck disable=SC2034 # MAP_PORT is read by lib-servers.sh
MAP_PORT=8080
URL=http://$ONLINE_IP:8080

nginx_pair_setup
module_load
dmesg_mark
cfg=$(replctl_in $NS_ONLINE show --json) || die "replctl show --json"
check_eq "default max_session_bytes" 4194304 "$(json_get "$cfg" 'j["max_session_bytes"]')"
check_eq "default max_total_kbytes" 262144 "$(json_get "$cfg" 'j["max_total_kbytes"]')"
syn_watch $NS_ONLINE 8080
syn_watch $NS_TARGET 8081
replctl_in $NS_ONLINE add 8080 $TARGET_IP:8081 >/dev/null || die "replctl add 8080 $TARGET_IP:8081"
set_worker

# replayed WHAT N: the replay of put_at_once's N files ended exactly.
replayed() {
	local what=$1 n=$2 i
	check "$what: replay finished (acked == captured, no live session)" wait_replay_idle 8080 420
	for ((i = 1; i <= n; i++)); do
		check_eq "$what: target stored $what$i.bin byte-identical" "$(sha256sum < "$WORK/$what$i.bin")" \
			"$(sha256sum < "$(nginx_root target)/dav/$what$i.bin" 2>/dev/null)"
	done
	compare_nginx_logs online target "$what"
	check_replay_exact
	check_no_drops
	check_stat_eq queued_bytes 0
	check_stat_eq sess_syn "$(syn_count $NS_ONLINE)"
	if [ "$what" = lossy ]; then
		# netem also drops the target's SYN-ACKs: our SYN then goes
		# again, and the target counts it twice (sess_syn above holds
		# the sessions to one per online SYN).
		check "$what: target got at least as many SYNs as online ($(syn_count $NS_ONLINE))" \
			test "$(syn_count $NS_TARGET)" -ge "$(syn_count $NS_ONLINE)"
	else
		check_eq "$what: target got as many SYNs as online" "$(syn_count $NS_ONLINE)" "$(syn_count $NS_TARGET)"
	fi
}

up_kb=$(scaled 32768)
log "A: clean path, 2 x $up_kb KB PUT at once, 1 x $up_kb KB POST"
start=$SECONDS
put_at_once clean "$up_kb" 2
head -c $((up_kb * 1024)) /dev/urandom > "$WORK/post.bin"
check_eq "clean: POST /post ($up_kb KB) answered" 200 \
	"$(in_ns $NS_CLIENT curl -s --max-time 120 -o /dev/null -w '%{http_code}' --data-binary @"$WORK/post.bin" "$URL/post")"
log "clean: uploads took $((SECONDS - start)) s online; stats: $(rstats_line 8080)"
replayed clean 2
log "clean: replay done $((SECONDS - start)) s after the first upload began"

nginx_rotate online
nginx_rotate target
NETEM="delay 2ms loss 5% reorder 10% 50%"
in_ns $NS_ONLINE tc qdisc add dev t-veth root netem $NETEM || die "tc netem on online t-veth"
in_ns $NS_TARGET tc qdisc add dev veth0 root netem $NETEM || die "tc netem on target veth0"
up_kb=$(scaled 20480)
log "B: lossy path ($NETEM both ways), 2 x $up_kb KB PUT at once"
start=$SECONDS
put_at_once lossy "$up_kb" 2
log "lossy: uploads took $((SECONDS - start)) s online; stats: $(rstats_line 8080)"
replayed lossy 2
check_stat_gt retrans_segs 0
log "lossy: replay done $((SECONDS - start)) s after the uploads began"
log "netem drops: online $(in_ns $NS_ONLINE tc -s qdisc show dev t-veth | grep -o 'dropped [0-9]*'), target $(in_ns $NS_TARGET tc -s qdisc show dev veth0 | grep -o 'dropped [0-9]*')"

check_sessions_accounted
check_dmesg_clean
finish
