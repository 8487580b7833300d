#!/bin/bash
# timeout: 420
# nginx → nginx: keep-alive requests (hey), one connection per request
# (hey -disable-keepalive, 200 KB file), 5 MB uploads (PUT and POST); a
# tenth of it all under LOAD=light. The
# target nginx logs exactly the online one's requests, stores byte-identical
# uploads, and the client's responses are the same with and without the
# mapping. WORKER selects the worker model (default wq).
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../lib-servers.sh"
# shellcheck disable=SC2034 # MAP_PORT is read by lib-servers.sh
MAP_PORT=8080
URL=http://$ONLINE_IP:8080

nginx_pair_setup
module_load
dmesg_mark

# fetch TAG: what the client receives for a fixed set of requests, one
# connection each: "request status sha256(body)" lines.
fetch() {
	local tag=$1 u out
	for u in small.html 200k.bin 1m.bin 200k.bin missing.html; do
		out=$(in_ns $NS_CLIENT curl -s --max-time 30 -o "$WORK/body" -w '%{http_code}' "$URL/$u") || out="curl-failed"
		echo "GET /$u $out $(sha256sum < "$WORK/body" | cut -c1-64)"
	done > "$WORK/fetch-$tag"
	out=$(in_ns $NS_CLIENT curl -s --max-time 30 -o "$WORK/body" -w '%{http_code}' \
		--data-binary @"$WORK/files/200k.bin" "$URL/post") || out="curl-failed"
	echo "POST /post $out $(sha256sum < "$WORK/body" | cut -c1-64)" >> "$WORK/fetch-$tag"
}

# Baseline: the client's view without any mapping; then a fresh log so only
# requests made with the mapping are compared.
fetch plain
nginx_rotate online
syn_watch $NS_ONLINE 8080
syn_watch $NS_TARGET 8081

replctl_in $NS_ONLINE add 8080 $TARGET_IP:8081 >/dev/null || die "replctl add 8080 $TARGET_IP:8081"
set_worker

log "keep-alive: hey -c 20 $URL/small.html (LOAD=$LOAD)"
hey_check keep-alive 2000 -c 20 "$URL/small.html"
hey_errors

log "one connection per request: hey -c 10 -disable-keepalive $URL/200k.bin"
hey_check one-per-connection 100 -c 10 -disable-keepalive "$URL/200k.bin"
hey_errors

up_kb=$(scaled 5120)

log "uploads: 2 x $up_kb KB PUT, 1 x $up_kb KB POST"
for i in 1 2 3; do head -c $((up_kb * 1024)) /dev/urandom > "$WORK/up$i.bin"; done
for i in 1 2; do
	check_eq "PUT /dav/up$i.bin ($up_kb KB) created" 201 \
		"$(in_ns $NS_CLIENT curl -s --max-time 60 -o /dev/null -w '%{http_code}' -T "$WORK/up$i.bin" "$URL/dav/up$i.bin")"
done
check_eq "POST /post ($up_kb KB) answered" 200 \
	"$(in_ns $NS_CLIENT curl -s --max-time 60 -o /dev/null -w '%{http_code}' --data-binary @"$WORK/up3.bin" "$URL/post")"

fetch replicated
d=$(diff "$WORK/fetch-plain" "$WORK/fetch-replicated") && pass "client responses byte-identical with and without replication ($(wc -l < "$WORK/fetch-plain") requests)" ||
	{ fail "client responses differ with replication:"; printf '%s\n' "$d"; }

check "replay finished (acked == captured, no live session)" wait_replay_idle 8080 120

compare_nginx_logs online target "nginx"
check_eq "target saw as many connections as online" "$(nginx_conns online)" "$(nginx_conns target)"
for i in 1 2; do
	want=$(sha256sum < "$WORK/up$i.bin")
	check_eq "online stored up$i.bin intact" "$want" "$(sha256sum < "$(nginx_root online)/dav/up$i.bin")"
	check_eq "target stored up$i.bin byte-identical" "$want" "$(sha256sum < "$(nginx_root target)/dav/up$i.bin" 2>/dev/null)"
done
log "online $(nginx_count online) requests / $(nginx_sum online 5) request bytes; target $(nginx_count target) / $(nginx_sum target 5)"

check_replay_exact
check_stat_eq sess_syn "$(syn_count $NS_ONLINE)"
check_stat_eq sess_fabricated 0
check_stat_eq sess_established "$(syn_count $NS_ONLINE)"
check_eq "target got one SYN per client connection" "$(syn_count $NS_ONLINE)" "$(syn_count $NS_TARGET)"
check_sessions_accounted
check_no_drops
check_clean_path
check_dmesg_clean
finish
