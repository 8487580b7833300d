#!/bin/bash
# bench/guest.sh: replcopy's benchmark, run INSIDE the test VM by bench/run.sh
# (tests/vm/vm-run -- env BENCH_...=... bench/guest.sh).
#
#   client 10.0.1.2 ── online 10.0.1.1 (nginx :8080) ── target 10.0.2.2 (nginx :8081)
#
# Every configuration is measured in this one boot, so the host parser
# (bench/report.py) can give ratios measured side by side. This script does
# no arithmetic: it prints raw facts (load generator reports, /proc/stat,
# per-thread CPU, replctl stats --json, access-log line counts) between
# "@@" marker lines on the console, and bench/report.py turns them into
# results.csv, results.md and plots. A benchmark measures and reports: this
# script exits 0 whatever the numbers are.
#
# Configurations (column "config"):
#   off         module loaded, no mapping in the online netns: no hook runs
#   hook        a mapping on another port (9999): replcopy's two netfilter
#               hooks run on every packet and look the packet up, nothing
#               matches, nothing is copied (stage "hook only")
#   copy        mapping 8080 -> 10.0.2.2:8081, but the target netns drops
#               everything sent to :8081: every client segment is captured,
#               copied and queued on a session, SYNs are sent and retried,
#               no data is ever transmitted and no response processed
#               (stage "copy")
#   nftdup      nft "dup to 10.0.2.2" at prerouting in the online netns:
#               clone and route only, the in-kernel floor
#   wq          replcopy, bound workqueue (default) (stage "full replay")
#   wq-unbound  replcopy, WQ_UNBOUND workqueue
#   kthread     replcopy, one kthread per replayed connection (probed
#               first: reported "not available" when the module does not
#               run sessions on kthreads)
#
# Workloads (column "workload"), client -> online:8080/small.html (1 KiB):
#   wrk-ka        wrk -t2 -c$KA_CONC --latency, keep-alive, unlimited rate
#   hey-close     hey -c $CL_CONC -disable-keepalive, unlimited rate
#   ka-R          hey -c C -q R/C (total offered R req/s), keep-alive
#   close-R       same, -disable-keepalive (one connection per request)
#
# Environment (defaults in brackets): BENCH_DURATION seconds per run [6],
# BENCH_ROUNDS [1], BENCH_KA_CONC [8], BENCH_CL_CONC [8], BENCH_RATE fixed
# total rate for the per-config runs [200], BENCH_RATES fidelity sweep
# ["100 200 400 800"], BENCH_CONFIGS ["off nftdup wq wq-unbound kthread"],
# BENCH_STAGES ["hook copy"], BENCH_DRAIN max seconds to wait for the replay
# to finish after a run [20], BENCH_SWEEP_CYCLE [1]: the sweep's close-R
# runs last long enough to hand out every source port of the module's range
# once and then again within a minute (range / R + 60 s, at least
# BENCH_DURATION), so that their fidelity includes ports the target still
# holds in TIME-WAIT, as at a sustained rate in production; 0: BENCH_DURATION.
BENCH_TOP=${BENCH_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
source "$BENCH_TOP/tests/lib.sh"
source "$BENCH_TOP/tests/lib-servers.sh"

D=${BENCH_DURATION:-6}
ROUNDS=${BENCH_ROUNDS:-1}
KA_CONC=${BENCH_KA_CONC:-8}
CL_CONC=${BENCH_CL_CONC:-8}
RATE=${BENCH_RATE:-200}
RATES=${BENCH_RATES:-100 200 400 800}
CONFIGS=${BENCH_CONFIGS:-off nftdup wq wq-unbound kthread}
STAGES=${BENCH_STAGES:-hook copy}
DRAIN=${BENCH_DRAIN:-20}
SWEEP_CYCLE=${BENCH_SWEEP_CYCLE:-1}
URL=http://$ONLINE_IP:8080/small.html
LATENCY_TOOL=$TOP/tools/ebpf/replcopy_latency.py

say() { echo "@@ $*"; }
# emitf NAME FILE: a named block of the console output (builtins only).
emitf() {
	local _l
	mapfile -t _l < "$2"
	echo "@@FILE $1"
	[ ${#_l[@]} = 0 ] || printf '%s\n' "${_l[@]}"
	echo "@@ENDFILE"
}
# emit NAME: copy stdin into a named block of the console output.
emit() {
	echo "@@FILE $1"
	cat
	echo "@@ENDFILE"
}
# Per-thread CPU of the threads that do replication work (kworkers,
# ksoftirqd, the module's own threads) and of every nginx process: raw
# /proc/PID/task/TID/stat lines, parsed on the host.
threads() {
	cat /proc/[0-9]*/task/[0-9]*/stat 2>/dev/null |
		grep -E '^[0-9]+ \((kworker|ksoftirqd|replcopy|rc[-_]|nginx)' || true
}
rjson() { replctl_in $NS_ONLINE stats --json 2>/dev/null || echo '{}'; }

# drain: wait until the replay of the current mapping has caught up (the
# target acknowledged every captured byte and no session is live), at most
# $DRAIN s. Sets DRAINED to the seconds it took, or "timeout".
drain() {
	local start=$SECONDS js c a
	while :; do
		js=$(rjson)
		if [[ $js =~ \"captured_bytes\":([0-9]+) ]] && c=${BASH_REMATCH[1]} &&
		   [[ $js =~ \"acked_bytes\":([0-9]+) ]] && a=${BASH_REMATCH[1]} &&
		   [[ $js =~ \"sess_active\":([0-9]+) ]] && [ "${BASH_REMATCH[1]}" = 0 ] &&
		   [ "$c" = "$a" ]; then
			DRAINED=$((SECONDS - start))
			return 0
		fi
		if [ $((SECONDS - start)) -ge "$DRAIN" ]; then
			DRAINED=timeout
			return 1
		fi
		sleep 0.5
	done
}

# ------------------------------------------------------------- configurations

cfg_up() {
	case $1 in
	off) ;;
	hook) replctl_in $NS_ONLINE add 9999 $TARGET_IP:8081 >/dev/null ;;
	copy)
		in_ns $NS_TARGET nft -f - <<-EOF
		table ip blackhole {
			chain pre { type filter hook prerouting priority -300; policy accept;
				tcp dport 8081 counter drop; }
		}
		EOF
		replctl set worker wq wq-unbound off >/dev/null
		replctl_in $NS_ONLINE add 8080 $TARGET_IP:8081 >/dev/null ;;
	nftdup)
		in_ns $NS_ONLINE nft -f - <<-EOF
		table ip bench {
			chain pre { type filter hook prerouting priority -300; policy accept;
				tcp dport 8080 counter dup to $TARGET_IP; }
		}
		EOF
		;;
	wq) replctl set worker wq wq-unbound off >/dev/null
	    replctl_in $NS_ONLINE add 8080 $TARGET_IP:8081 >/dev/null ;;
	wq-unbound) replctl set worker wq wq-unbound on >/dev/null
	    replctl_in $NS_ONLINE add 8080 $TARGET_IP:8081 >/dev/null ;;
	kthread) replctl set worker kthread >/dev/null
	    replctl_in $NS_ONLINE add 8080 $TARGET_IP:8081 >/dev/null ;;
	esac
}
cfg_down() {
	case $1 in
	hook) replctl_in $NS_ONLINE del 9999 >/dev/null ;;
	copy) replctl_in $NS_ONLINE del 8080 >/dev/null
	      in_ns $NS_TARGET nft delete table ip blackhole ;;
	nftdup) in_ns $NS_ONLINE nft delete table ip bench ;;
	wq|wq-unbound|kthread) replctl_in $NS_ONLINE del 8080 >/dev/null
	      replctl set worker wq wq-unbound off >/dev/null ;;
	esac
	# Replayed connections that were reset must be gone before the next
	# configuration is measured.
	wait_until 10 _no_live_sessions || true
}
_no_live_sessions() { [ -z "$(replctl_in $NS_ONLINE sessions 2>/dev/null | sed 1d)" ]; }
replicating() { case $1 in copy|wq|wq-unbound|kthread) return 0 ;; esac; return 1; }

# kthread_probe: does "set worker kthread" give sessions that run on a
# kthread? Prints "available" or "not available: REASON".
kthread_probe() {
	local out js
	if ! out=$(replctl set worker kthread 2>&1); then
		echo "not available: replctl set worker kthread failed: $out"
		return
	fi
	replctl_in $NS_ONLINE add 8080 $TARGET_IP:8081 >/dev/null
	in_ns $NS_CLIENT hey -n 120 -c 2 -q 10 "$URL" >/dev/null 2>&1 &
	local pid=$! i
	# Look at the live sessions until one shows (hey starts slowly under TCG).
	for ((i = 0; i < 30; i++)); do
		js=$(replctl_in $NS_ONLINE sessions --json 2>&1)
		[[ $js == *'"worker"'* ]] && break
		sleep 0.5
	done
	wait $pid
	replctl_in $NS_ONLINE del 8080 >/dev/null
	replctl set worker wq >/dev/null
	wait_until 10 _no_live_sessions || true
	if [[ $js != *'"worker"'* ]]; then
		echo "not available: no replayed session was seen during the probe (inconclusive): $js"
	elif printf '%s' "$js" | grep -q '"worker":"kthread"'; then
		echo "available"
	else
		echo "not available: with worker=kthread set, the live sessions report: $(printf '%s' "$js" | grep -o '"worker":"[a-z]*"' | sort | uniq -c | tr -s ' \n' ' ')"
	fi
}

# ------------------------------------------------------------- one measured run

# run_load WORKLOAD: run the load generator from the client netns.
run_load() {
	local wl=$1 r c q
	case $wl in
	wrk-ka) in_ns $NS_CLIENT wrk -t2 -c"$KA_CONC" -d"${D}s" --latency "$URL" ;;
	hey-close) in_ns $NS_CLIENT hey -z "${D}s" -c "$CL_CONC" -disable-keepalive "$URL" ;;
	ka-*|close-*)
		r=${wl#*-}
		if [ "$r" -le 200 ]; then c=4; else c=8; fi
		q=$((r / c))
		echo "offered: $c workers x $q req/s = $((c * q)) req/s total"
		if [ "${wl%%-*}" = close ]; then
			in_ns $NS_CLIENT hey -z "${D}s" -c "$c" -q "$q" -disable-keepalive "$URL"
		else
			in_ns $NS_CLIENT hey -z "${D}s" -c "$c" -q "$q" "$URL"
		fi ;;
	esac
}

# measure ROUND CONFIG WORKLOAD: one measured run. Under TCG every fork
# costs, so the snapshots use shell builtins where they can and the whole
# record is printed at the end.
measure() {
	local round=$1 cfg=$2 wl=$3 d=none u0 u1 u2 u3 u4 c0 c1 c2 c3 rep=0
	replicating "$cfg" && rep=1
	read -r u0 _ < /proc/uptime
	wc -l "$LOG_ON" "$LOG_TG" > "$WORK/counts0"
	if [ $rep = 1 ]; then rjson > "$WORK/rs0"; else : > "$WORK/rs0"; fi
	threads > "$WORK/th0"
	read -r c0 < /proc/stat
	read -r u1 _ < /proc/uptime
	run_load "$wl" > "$WORK/load.out" 2>&1
	read -r c1 < /proc/stat
	read -r u2 _ < /proc/uptime
	sleep 1
	read -r c2 < /proc/stat
	threads > "$WORK/th1"
	if [ $rep = 1 ] && [ "$cfg" != copy ]; then
		drain
		d=$DRAINED
	fi
	read -r u3 _ < /proc/uptime
	read -r c3 < /proc/stat
	wc -l "$LOG_ON" "$LOG_TG" > "$WORK/counts1"
	if [ $rep = 1 ]; then rjson > "$WORK/rs1"; else : > "$WORK/rs1"; fi
	[ "$cfg" != nftdup ] || in_ns $NS_ONLINE nft list table ip bench > "$WORK/nft"
	say "RUN round=$round config=$cfg workload=$wl duration=$D drain=$d"
	emitf load "$WORK/load.out"
	printf '@@FILE cpu\nbefore %s\nloadend %s\nsettled %s\nafter %s\n@@ENDFILE\n' "$c0" "$c1" "$c2" "$c3"
	emitf threads0 "$WORK/th0"
	emitf threads1 "$WORK/th1"
	emitf counts0 "$WORK/counts0"
	emitf counts1 "$WORK/counts1"
	emitf rstats0 "$WORK/rs0"
	emitf rstats1 "$WORK/rs1"
	[ "$cfg" != nftdup ] || emitf nft "$WORK/nft"
	read -r u4 _ < /proc/uptime
	printf '@@FILE times\nstart %s load %s loadend %s drained %s end %s\n@@ENDFILE\n' "$u0" "$u1" "$u2" "$u3" "$u4"
	say "ENDRUN"
}

# latency_run CONFIG: the capture->transmit latency tool over one fixed-rate
# run, when tools/ebpf/replcopy_latency.py exists and works.
latency_run() {
	local cfg=$1 pid i
	[ -f "$LATENCY_TOOL" ] || { say "LATENCY config=$cfg status=missing"; return; }
	cfg_up "$cfg"
	python3 "$LATENCY_TOOL" > "$WORK/lat.out" 2>&1 &
	pid=$!
	# bcc compiles the probe first (about 15 s under TCG): wait for its
	# banner before sending traffic.
	for ((i = 0; i < 120; i++)); do
		grep -qiE 'tracing|ctrl-c' "$WORK/lat.out" 2>/dev/null && break
		kill -0 $pid 2>/dev/null || break
		sleep 0.5
	done
	run_load "close-$RATE" > "$WORK/lat-load.out" 2>&1
	run_load "ka-$RATE" >> "$WORK/lat-load.out" 2>&1
	drain || true
	kill -INT $pid 2>/dev/null
	for ((i = 0; i < 40; i++)); do kill -0 $pid 2>/dev/null || break; sleep 0.5; done
	kill -KILL $pid 2>/dev/null
	wait $pid 2>/dev/null
	say "LATENCY config=$cfg status=ran"
	emit latency < "$WORK/lat.out"
	cfg_down "$cfg"
}

# ------------------------------------------------------------- the run

t_start=$SECONDS
topo_setup
nginx_start $NS_ONLINE online 8080
nginx_start $NS_TARGET target 8081
nginx_make_files online target
LOG_ON=$(nginx_log online) LOG_TG=$(nginx_log target)
module_load
dmesg_mark
say "INFO kernel=$(uname -r) module=$(cat /sys/module/replcopy/version 2>/dev/null || echo ?) cpus=$(nproc) duration=$D rounds=$ROUNDS ka_conc=$KA_CONC cl_conc=$CL_CONC rate=$RATE rates=${RATES// /,}"
say "INFO userhz=$(getconf CLK_TCK) nginx_online=$(cat "$WORK/nginx-online/nginx.pid") nginx_target=$(cat "$WORK/nginx-target/nginx.pid")"
replctl show 2>&1 | emit show

# Warm up (page cache, nginx, ARP) so the first measured run is not special.
in_ns $NS_CLIENT hey -n 200 -c 4 "$URL" >/dev/null 2>&1
in_ns $NS_CLIENT hey -n 100 -c 4 -disable-keepalive "http://$TARGET_IP:8081/small.html" >/dev/null 2>&1

kstat="not tried"
case " $CONFIGS " in *" kthread "*)
	kstat=$(kthread_probe)
	say "KTHREAD $kstat" ;;
esac

# A and C: every configuration on the same workloads; rounds interleave the
# configurations so slow drift of a shared host hits all of them alike.
for ((round = 1; round <= ROUNDS; round++)); do
	for cfg in $CONFIGS $STAGES; do
		if [ "$cfg" = kthread ] && [ "$kstat" != available ]; then
			continue
		fi
		cfg_up "$cfg"
		for wl in wrk-ka hey-close "close-$RATE" "ka-$RATE"; do
			measure "$round" "$cfg" "$wl"
		done
		cfg_down "$cfg"
	done
done

# B: fidelity and production latency at rising offered rates, off vs wq.
# sweep_duration R: seconds of a close-R run (BENCH_SWEEP_CYCLE).
sweep_duration() {
	local p=/sys/module/replcopy/parameters range d
	range=$(($(cat $p/src_port_max) - $(cat $p/src_port_min) + 1))
	d=$(((range + $1 - 1) / $1 + 60))
	echo $((d > D0 ? d : D0))
}
D0=$D
for r in $RATES; do
	for mode in ka close; do
		D=$D0
		[ "$mode" = ka ] || [ "$SWEEP_CYCLE" = 0 ] || D=$(sweep_duration "$r")
		for cfg in off wq; do
			cfg_up "$cfg"
			measure sweep "$cfg" "$mode-$r"
			cfg_down "$cfg"
		done
	done
done
D=$D0

# Capture->transmit latency per worker model.
for cfg in wq wq-unbound kthread; do
	if [ "$cfg" = kthread ] && [ "$kstat" != available ]; then
		say "LATENCY config=$cfg status=model-not-available"
		continue
	fi
	case " $CONFIGS " in *" $cfg "*) latency_run "$cfg" ;; esac
done

dmesg_new | emit dmesg
say "DONE elapsed=$((SECONDS - t_start))"
exit 0
