#!/bin/bash
# timeout: 300
# Mappings that point at each other across network namespaces (the same
# holds across hosts): the online netns maps 8080 to the target's nginx
# (8081), and the target netns maps 8081 back to the online nginx (8080).
# Every SYN the module sends carries its mark (TCP option 253, ExID
# 0x5243); a marked client SYN is never replayed again (drop_loop), and its
# connection is absorbed. Default settings. Facts: hey's 20 connections
# give exactly 20 requests on each nginx (the client's on the online one,
# the replay on the target), the target netns's mapping counts 20 loops,
# starts no fabricated session from the absorbed data and sends nothing,
# and the online mapping's replay is exact. (Without the mark, 10 requests
# became 14 517 on the online nginx within 8 s: issue 18.)
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../lib-servers.sh"
# shellcheck disable=SC2034 # MAP_PORT is read by lib-servers.sh
MAP_PORT=8080
URL=http://$ONLINE_IP:8080
N=20

nginx_pair_setup
module_load
dmesg_mark
replctl_in $NS_ONLINE add 8080 $TARGET_IP:8081 >/dev/null || die "replctl add (online)"
replctl_in $NS_TARGET add 8081 $ONLINE_TIP:8080 >/dev/null || die "replctl add (target, back to online)"
tstat() { MAP_NS=$NS_TARGET rstat "$1" 8081; }

check_eq "hey: one connection per request, all answered" $N \
	"$(hey_run $NS_CLIENT -n $N -c 2 -disable-keepalive "$URL/small.html")"
check "online replay finished" wait_replay_idle 8080 60
# Whatever a loop would make has had time to show.
sleep 5
log "online nginx $(nginx_count online) requests, target nginx $(nginx_count target); target netns: $(MAP_NS=$NS_TARGET rstats_line 8081)"
check_eq "online nginx: the client's requests only" $N "$(nginx_count online)"
check_eq "target nginx: the replay of each, once" $N "$(nginx_count target)"
check_eq "target netns: every replayed SYN recognised (drop_loop)" $N "$(tstat drop_loop)"
check_eq "target netns: a session per replayed connection, to absorb it" $N "$(tstat sess_syn)"
check_eq "target netns: no fabricated session from the absorbed data" 0 "$(tstat sess_fabricated)"
check_eq "target netns: nothing sent back to the online nginx" 0 "$(tstat sent_segs)"
compare_nginx_logs online target "replay"
check_replay_exact
check_sessions_accounted
check_eq "online netns: no loop counted on the online mapping" 0 "$(rstat drop_loop)"
replctl_in $NS_TARGET del --all || fail "target del --all"
check_dmesg_clean
finish
