#!/bin/bash
# bench/peer.sh: the peer VM of the two-VM benchmark (bench/run.sh boots it
# with one vCPU pinned to the host core the online VM does not use). It runs
# everything that is not production: the clients, the target nginx, and
# tcpcopy's intercept. It drives the whole run: it tells the online VM
# (bench/agent.py, bench/online-lib.sh) which configuration to switch to,
# takes the online VM's /proc/stat before and after each load, and prints
# raw facts between "@@" markers on its console; bench/cost_report.py does
# the arithmetic on the host. It measures and reports: it exits 0 whatever
# the numbers are.
#
#   client 10.0.1.2 ─── 10.0.1.1 online VM 10.0.2.1 ─── 10.0.2.2 target
#          fd00:1::2        fd00:1::1       fd00:2::1        fd00:2::2
#   (netns client)                                        (netns target)
#
# Configurations: off (module loaded, no mapping), nftdup (nft "dup to" the
# target: clone and route only, the floor), wq, wq-unbound, kthread
# (replcopy's worker models), wq-nogso (wq with the module parameter
# gso=N: every segment built and routed on its own, as before GSO skbs;
# not in the default list), copies3 and sample10 (wq with --copies 3 and
# with --sample 10: the cost as the replay grows or shrinks), wq6 (wq
# over IPv6: the clients reach the online nginx at [fd00:1::1]:8080 and
# the mapping replays to [fd00:2::2]:8081), off6 (off with the clients
# over IPv6: wq6's own baseline), tcpcopy (tcpcopy on the online VM,
# intercept here: "not available" unless bench/run.sh was given their
# sources).
#
# Workloads (client -> online:8080, over IPv6 in off6 and wq6):
#   ka-1k       hey, keep-alive, 1 KiB responses, at BENCH_RATE_1K req/s
#   close-1k    the same, one connection per request
#   ka-200k     200 KiB responses, keep-alive, at BENCH_RATE_200K req/s
#   close-200k  the same, one connection per request
#   up-1m       1 MiB POSTs (one connection per request) at BENCH_RATE_UP/s
#   put-64m     one 64 MiB PUT (curl): how long the upload took, and when
#               the target had the whole replayed upload
#   close-cycle close-1k for as long as it takes to hand out every source
#               port of the module's range once and then again within a
#               minute (range / BENCH_RATE_1K + 60 s): its completeness
#               includes ports the target still holds in TIME-WAIT, as at a
#               sustained rate in production. Not in the default list:
#               BENCH_CYCLE=1 runs it once per configuration, in round 1
#   sat         wrk -t1 -cBENCH_SAT_CONC, keep-alive 1 KiB, unlimited rate:
#               the online throughput at saturation (last: a replay that
#               falls behind there ends with the configuration)
#
# Environment (defaults in brackets): BENCH_DURATION seconds per run [10],
# BENCH_ROUNDS [3], BENCH_CONFIGS ["off nftdup wq wq-unbound kthread
# copies3 sample10 off6 wq6 tcpcopy"], BENCH_WORKLOADS [all of the above],
# BENCH_RATE_1K [200],
# BENCH_RATE_200K [40], BENCH_RATE_UP [8], BENCH_SAT_CONC [32],
# BENCH_SETTLE seconds after the load inside the CPU window, the same for
# every configuration [2], BENCH_DRAIN max seconds to wait for the replay
# to finish after that, outside the window [30], BENCH_PEER_BIN (where
# bench/run.sh built tcpcopy and intercept), BENCH_FILES (the upload bodies,
# made by bench/run.sh), BENCH_PROFILE (workloads to run once more per
# configuration in round 1 under perf on the online VM, not measured:
# the top of perf's report) [none], BENCH_CYCLE [0].
BENCH_TOP=${BENCH_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
source "$BENCH_TOP/tests/lib.sh"
source "$BENCH_TOP/tests/lib-servers.sh"

D=${BENCH_DURATION:-10}
ROUNDS=${BENCH_ROUNDS:-3}
CONFIGS=${BENCH_CONFIGS:-off nftdup wq wq-unbound kthread copies3 sample10 off6 wq6 tcpcopy}
WORKLOADS=${BENCH_WORKLOADS:-ka-1k close-1k ka-200k close-200k up-1m put-64m sat}
RATE_1K=${BENCH_RATE_1K:-200}
RATE_200K=${BENCH_RATE_200K:-40}
RATE_UP=${BENCH_RATE_UP:-8}
SAT_CONC=${BENCH_SAT_CONC:-32}
SETTLE=${BENCH_SETTLE:-2}
DRAIN=${BENCH_DRAIN:-30}
PEER_BIN=${BENCH_PEER_BIN:-}
PROFILE=${BENCH_PROFILE:-}
CYCLE=${BENCH_CYCLE:-0}

# base_url CONFIG: the online nginx as the clients reach it: over IPv6 in
# the IPv6 configurations, over IPv4 in all others. run_load uses BASE,
# which the run sets for each configuration.
base_url() {
	case $1 in
	off6|wq6) echo "http://[$ONLINE_IP6]:8080" ;;
	*) echo "http://$ONLINE_IP:8080" ;;
	esac
}
BASE=$(base_url off)
# replcopy_cfg CONFIG: CONFIG replays with replcopy (its counters say when
# the replay is done).
replcopy_cfg() {
	case $1 in
	wq|wq6|wq-unbound|wq-nogso|kthread|copies3|sample10) return 0 ;;
	esac
	return 1
}

say() { echo "@@ $*"; }
# emit NAME: copy stdin into a named block of the console output.
emit() {
	echo "@@FILE $1"
	cat
	echo "@@ENDFILE"
}

# ------------------------------------------------------------- the online VM

# on_online COMMAND: run COMMAND (one line) in the online VM, through
# bench/agent.py; its output on stdout, its exit status returned.
on_online() {
	local line
	printf '%s\n' "$*" >&"$AG" || return 255
	while IFS= read -r line <&"$AG"; do
		case $line in
		"@@RC "*) return "${line#@@RC }" ;;
		esac
		printf '%s\n' "$line"
	done
	return 255
}
agent_open() { exec {AG}<>/dev/tcp/10.0.9.1/7000; }

# ------------------------------------------------------------- setup

modprobe virtio_net 2>/dev/null
modprobe dummy 2>/dev/null
wait_until 10 nic 52:54:00:72:01:02 || die "peer: no NIC 52:54:00:72:01:02"
# The control link (bench/agent.py) stays in the init netns.
ifc=$(nic 52:54:00:72:03:02) || die "peer: no control NIC 52:54:00:72:03:02"
ip addr add 10.0.9.2/24 dev "$ifc"
ip link set "$ifc" up
for ns in $NS_CLIENT $NS_TARGET; do
	ip netns add "$ns" || die "ip netns add $ns"
	in_ns "$ns" ip link set lo up
done
for spec in "52:54:00:72:01:02 $NS_CLIENT $CLIENT_IP $ONLINE_IP $CLIENT_IP6 $ONLINE_IP6" \
	    "52:54:00:72:02:02 $NS_TARGET $TARGET_IP $ONLINE_TIP $TARGET_IP6 $ONLINE_TIP6"; do
	set -- $spec
	ifc=$(nic "$1") || die "peer: no NIC $1"
	ip link set "$ifc" netns "$2"
	in_ns "$2" ip addr add "$3/24" dev "$ifc"
	# IPv6 as tests/lib.sh's topo_ipv6 (nodad: it works at once).
	in_ns "$2" ip -6 addr add "$5/64" dev "$ifc" nodad
	in_ns "$2" ip link set "$ifc" up
	in_ns "$2" ip route add default via "$4"
	in_ns "$2" ip -6 route add default via "$6"
done
# tcpcopy's replayed clients come from 10.0.5.x (cfg_up tcpcopy: -c): the
# target answers them into a dummy interface, where intercept captures the
# answers and nothing else sees them (the "black hole" of tcpcopy's
# assistant server).
in_ns $NS_TARGET ip link add ic0 type dummy
in_ns $NS_TARGET ip link set ic0 up
in_ns $NS_TARGET ip route add 10.0.5.0/24 dev ic0
in_ns $NS_TARGET sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
# info: the target's own account of connections it closed early. On
# [::]:8081 too: wq6 replays to [fd00:2::2]:8081.
NGINX_LOG_LEVEL=info NGINX_IPV6=1 nginx_start $NS_TARGET target 8081
nginx_make_files target
LOG_TG=$(nginx_log target)
ERR_TG=$(dirname "$LOG_TG")/error.log
# The upload bodies: random bytes made on the host (bench/run.sh; /dev/urandom
# is slow under TCG), copied into this VM's memory.
cp "$BENCH_FILES/64m.bin" "$BENCH_FILES/1m.bin" "$WORK/" || die "peer: no upload files in $BENCH_FILES"

wait_until 180 agent_open || die "peer: the online VM's agent did not answer on 10.0.9.1:7000"
say "INFO peer $(uname -r) cpus=$(nproc) userhz=$(getconf CLK_TCK) duration=$D rounds=$ROUNDS settle=$SETTLE rate_1k=$RATE_1K rate_200k=$RATE_200K rate_up=$RATE_UP sat_conc=$SAT_CONC"
on_online 'echo "online $(uname -r) cpus=$(nproc) userhz=$(getconf CLK_TCK)"; $ON "$REPLCTL" show' | emit online-info
# The online VM's own busy CPU when nothing is sent (timer ticks, TCG): the
# floor under every window.
on_online snap > "$WORK/idle0"
sleep "$D"
on_online snap > "$WORK/idle1"
{ sed 's/^/online0 /' "$WORK/idle0"; sed 's/^/online1 /' "$WORK/idle1"; } | emit idle

# tcpcopy needs its binaries (bench/run.sh builds them from TCPCOPY_SRC and
# INTERCEPT_SRC); without them it is reported as not available.
tcpcopy_ok=0
if [ -n "$PEER_BIN" ] && [ -x "$PEER_BIN/tcpcopy" ] && [ -x "$PEER_BIN/intercept" ]; then
	tcpcopy_ok=1
fi

# Warm up (page cache, nginx, ARP and IPv6 neighbours) so the first measured
# run is not special, over both families. Their summaries go to the
# console: a warm-up that fails says why.
{
	for b in "$(base_url off)" "$(base_url off6)"; do
		in_ns $NS_CLIENT curl -sS -g -m 10 -o /dev/null -w "curl $b: %{http_code} in %{time_total}s\n" "$b/small.html"
		in_ns $NS_CLIENT hey -n 200 -c 4 -t 5 "$b/small.html"
	done
	in_ns $NS_TARGET hey -n 100 -c 4 -t 5 -disable-keepalive "http://$TARGET_IP:8081/small.html"
	# The target link, from the online VM, over both families.
	for b in "$TARGET_IP" "[$TARGET_IP6]"; do
		on_online "\$ON curl -sS -g -m 10 -o /dev/null -w 'curl online to http://$b:8081: %{http_code} in %{time_total}s\n' 'http://$b:8081/small.html'"
	done
} 2>&1 | grep -E '^curl|Requests/sec|responses|Error|error|timeout' | emit warmup

# peer_up CONFIG / peer_down CONFIG: this VM's side of a configuration.
peer_up() {
	[ "$1" = tcpcopy ] || return 0
	ip netns exec $NS_TARGET "$PEER_BIN/intercept" -i ic0 -F 'tcp and src port 8081' \
		-l "$WORK/intercept.log" </dev/null >/dev/null 2>&1 &
	echo $! > "$WORK/intercept.pid"
	wait_listen $NS_TARGET 36524 || { tail -n 5 "$WORK/intercept.log"; return 1; }
}
peer_down() {
	[ "$1" = tcpcopy ] || return 0
	stop_bg 5 "$(cat "$WORK/intercept.pid")"
}

# ------------------------------------------------------------- one measured run

# run_load WORKLOAD: the load generator, from the client netns.
run_load() {
	local q
	case $1 in
	ka-1k|close-1k) q=$((RATE_1K / 4)) ;;
	ka-200k|close-200k) q=$((RATE_200K / 4)) ;;
	esac
	case $1 in
	ka-1k) in_ns $NS_CLIENT hey -z "${D}s" -c 4 -q "$q" "$BASE/small.html" ;;
	close-1k) in_ns $NS_CLIENT hey -z "${D}s" -c 4 -q "$q" -disable-keepalive "$BASE/small.html" ;;
	close-cycle) in_ns $NS_CLIENT hey -z "${CYCLE_D}s" -c 4 -q $((RATE_1K / 4)) -disable-keepalive "$BASE/small.html" ;;
	ka-200k) in_ns $NS_CLIENT hey -z "${D}s" -c 4 -q "$q" "$BASE/200k.bin" ;;
	close-200k) in_ns $NS_CLIENT hey -z "${D}s" -c 4 -q "$q" -disable-keepalive "$BASE/200k.bin" ;;
	up-1m) in_ns $NS_CLIENT hey -z "${D}s" -c 2 -q $(((RATE_UP + 1) / 2)) -disable-keepalive \
		-m POST -D "$WORK/1m.bin" "$BASE/post" ;;
	sat) in_ns $NS_CLIENT wrk -t1 -c"$SAT_CONC" -d"${D}s" --latency "$BASE/small.html" ;;
	put-64m) in_ns $NS_CLIENT curl -sS -g -o /dev/null -T "$WORK/64m.bin" \
		-w 'curl: code %{http_code} upload_bytes %{size_upload} time_total %{time_total}\n' \
		"$BASE/dav/up-$PUT_NAME" ;;
	esac
}

# target_has URI: the target logged a completed request for URI.
target_has() { grep -q " $1 20[014] " "$LOG_TG"; }
tg_count() { wc -l < "$LOG_TG"; }

# wait_replayed CONFIG N0 ONLINE_N: wait (at most DRAIN s, outside the CPU
# window) until the replay has caught up; prints how it ended.
wait_replayed() {
	local cfg=$1 start=$SECONDS last=-1 n stable=0
	if replcopy_cfg "$cfg"; then
		while ! on_online replayed > "$WORK/replayed"; do
			[ $((SECONDS - start)) -lt "$DRAIN" ] || { echo "timeout $(cat "$WORK/replayed")"; return; }
			sleep 0.5
		done
		echo "done $((SECONDS - start))s $(cat "$WORK/replayed")"
		return
	fi
	case $cfg in
	tcpcopy)
		# No counters to ask: the target's request count must stop
		# moving (2 s) or reach the online count.
		while [ $((SECONDS - start)) -lt "$DRAIN" ]; do
			n=$(tg_count)
			[ $((n - $2)) -lt "$3" ] || break
			if [ "$n" = "$last" ]; then
				stable=$((stable + 1))
				[ $stable -lt 4 ] || break
			else
				stable=0
			fi
			last=$n
			sleep 0.5
		done
		echo "settled $((SECONDS - start))s" ;;
	*) echo "none" ;;
	esac
}

# measure ROUND CONFIG WORKLOAD: one measured run. The CPU window is the
# load plus SETTLE seconds (the same for every configuration, so the
# replay's tail is in it and idle time weighs alike); the wait for the
# replay to finish and the request counts come after it.
measure() {
	local round=$1 cfg=$2 wl=$3 on0 on1 pc0 pc1 tg0 tg1 t0 t1 rep cl_on cl_tg put_done=
	PUT_NAME=$round-$cfg
	tg0=$(tg_count)
	tg_err0=$(wc -l < "$ERR_TG")
	on0=$(on_online snap)
	read -r pc0 < /proc/stat
	t0=$(cut -d' ' -f1 /proc/uptime)
	run_load "$wl" > "$WORK/load.out" 2>&1
	t1=$(cut -d' ' -f1 /proc/uptime)
	if [ "$wl" = put-64m ]; then
		# When did the target have the whole replayed upload? Polled
		# here (the peer's CPU, not the online VM's).
		local i
		for ((i = 0; i < DRAIN * 10; i++)); do
			target_has "/dav/up-$PUT_NAME" && break
			case $cfg in off|off6|nftdup) break ;; esac
			sleep 0.1
		done
		if target_has "/dav/up-$PUT_NAME"; then
			put_done=$(cut -d' ' -f1 /proc/uptime)
		fi
	fi
	sleep "$SETTLE"
	on1=$(on_online snap)
	read -r pc1 < /proc/stat
	rep=$(wait_replayed "$cfg" "$tg0" "$(($(echo "$on1" | sed -n 's/^requests //p') - $(echo "$on0" | sed -n 's/^requests //p')))")
	tg1=$(tg_count)
	# Who was served, by address (wq6: IPv6 on both links).
	cl_on=$(on_online "clients $(echo "$on0" | sed -n 's/^requests //p')")
	cl_tg=$(tail -n +"$((tg0 + 1))" "$LOG_TG" | awk '{ n[$1]++ } END { for (a in n) printf "%s=%d ", a, n[a]; print "" }')
	say "RUN round=$round config=$cfg workload=$wl duration=$([ "$wl" = close-cycle ] && echo "$CYCLE_D" || echo "$D")"
	emit load < "$WORK/load.out"
	{
		echo "$on0" | sed 's/^/online0 /'
		echo "$on1" | sed 's/^/online1 /'
		echo "peer0 $pc0"
		echo "peer1 $pc1"
		echo "target_requests0 $tg0"
		echo "target_requests1 $tg1"
		echo "load_start $t0"
		echo "load_end $t1"
		[ -z "$put_done" ] || echo "put_replayed $put_done"
		echo "replay $rep"
		echo "online_clients $cl_on"
		echo "target_clients $cl_tg"
	} | emit facts
	! replcopy_cfg "$cfg" || on_online rstats | emit rstats
	# What the target's nginx logged during the run, by message.
	tail -n +"$((tg_err0 + 1))" "$ERR_TG" |
		sed -E 's/^[^]]*\] [0-9#]+: (\*[0-9]+ )?//; s/, client:.*//; s/[0-9]+/N/g' |
		sort | uniq -c | sort -rn | head -n 20 | emit target-errors
	say "ENDRUN"
	if [ "$wl" = put-64m ]; then
		on_online 'rm -f "$BENCH_RUN"/nginx-online/root/dav/up-*' >/dev/null
		rm -f "$(nginx_root target)"/dav/up-*
	fi
}

# profile CONFIG WORKLOAD: one run of WORKLOAD under perf on the online VM
# (not measured: perf costs CPU there); prints the top of perf's report.
profile() {
	on_online profile_start > /dev/null
	PUT_NAME=profile-$1
	run_load "$2" > "$WORK/load.out" 2>&1
	sleep "$SETTLE"
	say "PROFILE config=$1 workload=$2"
	on_online profile_stop | emit perf
	emit load < "$WORK/load.out"
	wait_replayed "$1" 0 0 > /dev/null
}

# ------------------------------------------------------------- the run

t_start=$SECONDS
for cfg in $CONFIGS; do
	if [ "$cfg" = tcpcopy ] && [ $tcpcopy_ok = 0 ]; then
		say "NOTAVAILABLE config=tcpcopy reason=no tcpcopy/intercept build (bench/run.sh: TCPCOPY_SRC, INTERCEPT_SRC)"
	fi
done
# close-cycle's duration: the module's source-port range at RATE_1K, plus
# a minute of reuse.
CYCLE_D=$(on_online 'p=/sys/module/replcopy/parameters; echo $(( ($(cat $p/src_port_max) - $(cat $p/src_port_min) + 1) / '"$RATE_1K"' + 60 ))')
[ "$CYCLE" = 0 ] || say "INFO close-cycle duration=${CYCLE_D}s"
# Rounds interleave the configurations, so that slow drift of the host
# hits all of them alike.
for ((round = 1; round <= ROUNDS; round++)); do
	for cfg in $CONFIGS; do
		[ "$cfg" != tcpcopy ] || [ $tcpcopy_ok = 1 ] || continue
		BASE=$(base_url "$cfg")
		if ! peer_up "$cfg" > "$WORK/up.out" 2>&1 ||
		   ! on_online "cfg_up $cfg" >> "$WORK/up.out" 2>&1; then
			say "CFGFAIL round=$round config=$cfg"
			emit cfg-up < "$WORK/up.out"
			on_online "cfg_down $cfg" >/dev/null 2>&1
			peer_down "$cfg"
			continue
		fi
		for wl in $WORKLOADS; do
			measure "$round" "$cfg" "$wl"
		done
		if [ "$round" = 1 ] && [ "$CYCLE" != 0 ]; then
			measure "$round" "$cfg" close-cycle
		fi
		if [ "$round" = 1 ]; then
			for wl in $PROFILE; do
				profile "$cfg" "$wl"
			done
		fi
		on_online "cfg_down $cfg" | emit "cfg-down round=$round config=$cfg"
		peer_down "$cfg"
	done
done
on_online 'dmesg | tail -n 30' | emit online-dmesg
on_online @@QUIT >/dev/null
say "DONE elapsed=$((SECONDS - t_start))"
exit 0
