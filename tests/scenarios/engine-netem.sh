#!/bin/bash
# timeout: 420
# A damaged online↔target link (tc netem both ways: 7% loss, delay with
# jitter, reordering): the replay is still exact (same requests on the
# target, byte-identical uploads, every captured byte acknowledged) and the
# module had to retransmit (retrans_segs > 0). The client↔online link is
# clean, so the client sees no difference. WORKER selects the worker model.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../lib-servers.sh"
# shellcheck disable=SC2034 # MAP_PORT is read by lib-servers.sh
MAP_PORT=8080
URL=http://$ONLINE_IP:8080

nginx_pair_setup
module_load
dmesg_mark

NETEM="delay 10ms 5ms loss 7% reorder 25% 50%"
in_ns $NS_ONLINE tc qdisc add dev t-veth root netem $NETEM || die "tc netem on online t-veth"
in_ns $NS_TARGET tc qdisc add dev veth0 root netem $NETEM || die "tc netem on target veth0"
log "online t-veth: $(in_ns $NS_ONLINE tc qdisc show dev t-veth)"
log "target veth0:  $(in_ns $NS_TARGET tc qdisc show dev veth0)"

syn_watch $NS_ONLINE 8080
replctl_in $NS_ONLINE add 8080 $TARGET_IP:8081 >/dev/null || die "replctl add 8080 $TARGET_IP:8081"
set_worker

hey_check keep-alive 1000 -c 10 "$URL/small.html"
hey_check one-per-connection 60 -c 6 -disable-keepalive "$URL/200k.bin"
up_kb=$(scaled 3072)
for i in 1 2 3; do
	head -c $((up_kb * 1024)) /dev/urandom > "$WORK/up$i.bin"
	check_eq "PUT /dav/up$i.bin ($up_kb KB)" 201 \
		"$(in_ns $NS_CLIENT curl -s --max-time 60 -o /dev/null -w '%{http_code}' -T "$WORK/up$i.bin" "$URL/dav/up$i.bin")"
done

check "replay finished despite the lossy link" wait_replay_idle 8080 240
compare_nginx_logs online target "nginx over netem"
check_eq "target saw as many connections as online" "$(nginx_conns online)" "$(nginx_conns target)"
for i in 1 2 3; do
	check_eq "target stored up$i.bin byte-identical" "$(sha256sum < "$WORK/up$i.bin")" \
		"$(sha256sum < "$(nginx_root target)/dav/up$i.bin" 2>/dev/null)"
done
check_replay_exact
check_stat_gt retrans_segs 0
check_stat_eq sess_syn "$(syn_count $NS_ONLINE)"
check_sessions_accounted
check_no_drops
log "netem drops: online $(in_ns $NS_ONLINE tc -s qdisc show dev t-veth | grep -o 'dropped [0-9]*'), target $(in_ns $NS_TARGET tc -s qdisc show dev veth0 | grep -o 'dropped [0-9]*')"
check_dmesg_clean
finish
