#!/bin/bash
# timeout: 300
# Copy loop: a mapping 8080 -> 10.0.2.9:8080 is added while 10.0.2.9 is a
# remote address, then the online host takes 10.0.2.9 itself. The replayed
# connections now arrive at the online host's own port 8080, which is the
# mapped port: the capture hook must recognise its own segments and not
# replay them again (which would loop, one new session per hop). Facts: the
# online nginx logs each client request once and each replay once (its
# copy arrived locally), sess_syn equals the client connections,
# drop_other counts the module's own segments, every replayed byte is
# acked. WORKER selects the worker model.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../lib-servers.sh"
# shellcheck disable=SC2034 # MAP_PORT is read by lib-servers.sh
MAP_PORT=8080
LOOP_IP=10.0.2.9
N=5

topo_setup
nginx_start $NS_ONLINE online 8080
nginx_make_files online
module_load
dmesg_mark
set_worker

replctl_in $NS_ONLINE add 8080 $LOOP_IP:8080 >/dev/null || die "replctl add 8080 $LOOP_IP:8080"
in_ns $NS_ONLINE ip addr add $LOOP_IP/32 dev lo || die "ip addr add $LOOP_IP/32 dev lo"

for i in $(seq 1 $N); do
	code=$(in_ns $NS_CLIENT curl -s --max-time 20 -o /dev/null -w '%{http_code}' "http://$ONLINE_IP:8080/small.html?req=$i")
	[ "$code" = 200 ] || fail "client request $i answered $code"
done

check "replay finished" wait_replay_idle 8080 60
# Give a loop the time to show itself: every hop would be a new session.
sleep 2
check_eq "one replayed session per client connection (sess_syn)" $N "$(rstat sess_syn)"
check_eq "no fabricated session" 0 "$(rstat sess_fabricated)"
check_stat_gt drop_other 0
check_eq "client requests logged once by online nginx" $N \
	"$(grep -c "^$CLIENT_IP " "$(nginx_log online)")"
check_eq "replayed requests logged once (arrived at the now-local target)" $N \
	"$(grep -vc "^$CLIENT_IP " "$(nginx_log online)")"
check_replay_exact
check_sessions_accounted
check_dmesg_clean
finish
