#!/bin/bash
# bench/run.sh [--quick] [--net BACKEND] [--probe-net] [--one-vm] [--reparse DIR]
#
# replcopy's benchmark (make bench). By default, the two-VM method: the
# online host is its own VM (one vCPU pinned to host core 0) running only
# nginx and the replication under test (bench/online.sh); a second VM (one
# vCPU pinned to core 1) runs the clients, the target nginx and tcpcopy's
# intercept, and drives the run (bench/peer.sh). The two are joined by two
# qemu network links (client side, target side). The online VM's own
# /proc/stat gives its busy CPU per request, softirq included, so nothing
# the target or the clients do is charged to production. Results go to
# bench/results/<UTC date-time>/ (console.log of the peer, online.log,
# env, results.csv, results.md, *.png) and bench/results/latest points there.
# It reports; it never fails on a number.
#
#   --quick        1 round of 3-second runs: checks the pipeline
#   --net BACKEND  the qemu link between the VMs: stream-unix (default),
#                  dgram-unix, dgram-udp, socket-tcp, socket-udp
#   --probe-net    measure every backend (keep-alive 1 KiB at saturation,
#                  64 MiB PUT; config off) and write netprobe.md
#   --one-vm       the older single-VM benchmark (bench/guest.sh: fidelity
#                  at rising rates, worker-model latency, stage ablation;
#                  its CPU figures include the target's and clients' work)
#   --reparse DIR  redo the tables and plots of DIR from its logs
#
# tcpcopy + intercept: set TCPCOPY_SRC and INTERCEPT_SRC to their source
# trees (github.com/session-replay-tools/tcpcopy and /intercept); they are
# built under build/bench-peer/, never in this tree's sources. Without them
# the tcpcopy column says "not available".
#
# Environment passed to bench/peer.sh (see its header for defaults):
# BENCH_DURATION BENCH_ROUNDS BENCH_CONFIGS BENCH_WORKLOADS BENCH_RATE_1K
# BENCH_RATE_200K BENCH_RATE_UP BENCH_SAT_CONC BENCH_SETTLE BENCH_DRAIN
# BENCH_PROFILE BENCH_CYCLE;
# and to bench/guest.sh (--one-vm): BENCH_KA_CONC BENCH_CL_CONC BENCH_RATE
# BENCH_RATES BENCH_STAGES BENCH_SWEEP_CYCLE. BENCH_TIMEOUT bounds each VM
# (seconds, default 7200).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

# report DIR: the tables and plots of a run (two-VM or one-VM) from its logs.
report() {
	local dir=$1 term=png plots p
	if gnuplot -e 'set terminal' 2>&1 | grep -qw pngcairo; then term=pngcairo; fi
	if [ -f "$dir/online.log" ]; then
		python3 "$top/bench/cost_report.py" "$dir" > /dev/null
		plots="cost saturation"
		gp=$top/bench/cost_plots.gp
	else
		python3 "$top/bench/report.py" "$dir/console.log" "$dir" > /dev/null
		plots="throughput latency cpu stages fidelity sweep-p99"
		gp=$top/bench/plots.gp
	fi
	for p in $plots; do
		rm -f "$dir/$p.png"
		# A two-VM run without the plot's workloads: its .dat holds only
		# the header line.
		if [ -f "$dir/$p.dat" ] && [ "$(grep -cv '^#\|^workload\|^$' "$dir/$p.dat")" = 0 ]; then
			continue
		fi
		(cd "$dir" && gnuplot -e "term='$term'; plot_name='$p'" "$gp" 2>"$dir/.gnuplot.err") ||
			{ rm -f "$dir/$p.png"; echo "bench: no $p plot: $(grep . "$dir/.gnuplot.err" | tail -n 1)" >&2; }
		rm -f "$dir/.gnuplot.err"
	done
	echo "bench: results in ${dir#"$top"/}: results.md, results.csv, $(cd "$dir" && ls -- *.png 2>/dev/null | tr '\n' ' ')"
}

# build: replcopy.ko and replctl, when missing or older than their sources.
build() {
	local need=0 out
	for out in replcopy.ko user/replctl; do
		[ -e "$out" ] || need=1
	done
	if [ $need = 0 ] &&
	   [ -n "$(find kmod include user Kbuild -newer replcopy.ko \( -name '*.c' -o -name '*.h' -o -name Kbuild \) 2>/dev/null | grep -v '^user/' | head -n 1)" ]; then
		need=1
	fi
	if [ $need = 0 ] &&
	   [ -n "$(find user include -newer user/replctl \( -name '*.c' -o -name '*.h' \) 2>/dev/null | head -n 1)" ]; then
		need=1
	fi
	if [ $need = 1 ]; then
		echo "bench: building (make)"
		make -s all
	fi
}

# build_peer: tcpcopy and intercept from TCPCOPY_SRC / INTERCEPT_SRC, built
# in copies under build/bench-peer/ (their configure writes into the tree
# it runs in). Sets peer_bin, or explains in peer_why why not.
build_peer() {
	local d=$top/build/bench-peer n src
	peer_bin='' peer_why=''
	if [ -z "${TCPCOPY_SRC:-}" ] || [ -z "${INTERCEPT_SRC:-}" ]; then
		peer_why="TCPCOPY_SRC and INTERCEPT_SRC not given"
		return
	fi
	mkdir -p "$d/bin"
	for n in tcpcopy intercept; do
		if [ $n = tcpcopy ]; then src=$TCPCOPY_SRC; else src=$INTERCEPT_SRC; fi
		[ -x "$src/configure" ] || { peer_why="$src: no configure script"; return; }
		rm -rf "${d:?}/$n"
		cp -a "$src" "$d/$n"
		echo "bench: building $n from $src (log: build/bench-peer/$n.log)"
		if ! (cd "$d/$n" && ./configure && make) > "$d/$n.log" 2>&1; then
			peer_why="$n did not build (build/bench-peer/$n.log)"
			return
		fi
		cp "$d/$n/objs/$n" "$d/bin/$n"
	done
	peer_bin=$d/bin
}

# netargs BACKEND ROLE DIR PORT: the qemu arguments of ROLE's (online or
# peer) three NICs: link c (client side), link t (target side) and link k
# (control: bench/agent.py's commands, off the measured links). The MAC
# addresses (52:54:00:72:0<link>:0<role>) are how bench/online.sh and
# bench/peer.sh find them. No option ROM: nothing boots from them.
netargs() {
	local be=$1 role=$2 dir=$3 port=$4 l a mine other srv
	for l in c t k; do
		case $l in
		c) mine=$port other=$((port + 1)) ;;
		t) mine=$((port + 2)) other=$((port + 3)) ;;
		k) mine=$((port + 4)) other=$((port + 5)) ;;
		esac
		[ "$role" = online ] || { local x=$mine; mine=$other other=$x; }
		srv=off
		[ "$role" = online ] && srv=on
		case $be in
		stream-unix) a="stream,id=$l,server=$srv,addr.type=unix,addr.path=$dir/$l.sock" ;;
		dgram-unix) a="dgram,id=$l,local.type=unix,local.path=$dir/$l-$role.sock,remote.type=unix,remote.path=$dir/$l-$([ "$role" = online ] && echo peer || echo online).sock" ;;
		dgram-udp) a="dgram,id=$l,local.type=inet,local.host=127.0.0.1,local.port=$mine,remote.type=inet,remote.host=127.0.0.1,remote.port=$other" ;;
		socket-tcp) if [ "$role" = online ]; then a="socket,id=$l,listen=127.0.0.1:$mine"
			    else a="socket,id=$l,connect=127.0.0.1:$other"; fi ;;
		socket-udp) a="socket,id=$l,udp=127.0.0.1:$other,localaddr=127.0.0.1:$mine" ;;
		*) echo "bench: unknown network backend '$be'" >&2; return 2 ;;
		esac
		printf -- '-netdev %s -device virtio-net-pci,netdev=%s,romfile=,mac=52:54:00:72:0%s:0%s ' \
			"$a" "$l" "$(case $l in c) echo 1 ;; t) echo 2 ;; k) echo 3 ;; esac)" \
			"$([ "$role" = online ] && echo 1 || echo 2)"
	done
}

# two_vm DIR BACKEND ENV...: boot the online VM, then the peer VM, with
# the peer's environment ENV; logs in DIR. Sets rc (the peer's status).
two_vm() {
	local dir=$1 be=$2 sock port c_on=0 c_peer=1 onpid orc=0
	shift 2
	# The VMs run copies kept with the results: what ran is what is
	# recorded, and editing bench/ during a run cannot disturb it.
	cp "$top/bench/online.sh" "$top/bench/online-lib.sh" "$top/bench/agent.py" \
		"$top/bench/peer.sh" "$dir/"
	sock=$(mktemp -d /tmp/replcopy-bench.XXXXXX)
	port=$((20000 + RANDOM % 20000))
	[ "$(nproc)" -ge 2 ] || { c_peer=0; echo "bench: one host CPU: both VMs share it (the online VM is not alone)" >&2; }
	VM_SMP=1 VM_CPUS=$c_on VM_NET=$(netargs "$be" online "$sock" "$port") VM_LOG="$dir/online.log" \
		tests/vm/vm-run -t "${BENCH_TIMEOUT:-7200}" -- \
		env BENCH_TOP="$top" BENCH_PEER_BIN="${peer_bin:-}" "$dir/online.sh" \
		> "$dir/online.out" 2>&1 &
	onpid=$!
	# The stream and socket-tcp backends: the server (online) must listen
	# before the peer connects.
	for _ in $(seq 100); do
		case $be in
		stream-unix) [ -S "$sock/k.sock" ] && break ;;
		socket-tcp) ss -Hltn "sport = :$((port + 4))" | grep -q . && break ;;
		*) break ;;
		esac
		sleep 0.1
	done
	rc=0
	VM_SMP=1 VM_CPUS=$c_peer VM_NET=$(netargs "$be" peer "$sock" "$port") VM_LOG="$dir/console.log" \
		tests/vm/vm-run -t "${BENCH_TIMEOUT:-7200}" -- env "$@" "$dir/peer.sh" \
		> "$dir/peer.out" 2>&1 || rc=$?
	# The peer ends the online VM (@@QUIT); if it died first, so must the
	# online VM.
	for _ in $(seq 60); do kill -0 $onpid 2>/dev/null || break; sleep 1; done
	kill $onpid 2>/dev/null && echo "bench: the online VM was still running after the peer ended: stopped" >&2
	wait $onpid || orc=$?
	echo "vm: peer exit $rc, online exit $orc; host load average $(cut -d' ' -f1-3 /proc/loadavg) at end" >> "$dir/env"
	[ "$orc" = 0 ] || echo "bench: the online VM exited $orc (see online.log)" >&2
	# vm-run's output is the console log again: keep one copy.
	[ ! -s "$dir/console.log" ] || rm -f "$dir/peer.out"
	[ ! -s "$dir/online.log" ] || rm -f "$dir/online.out"
	rm -rf "$sock"
}

# one_vm DIR QUICK: the single-VM benchmark (bench/guest.sh).
one_vm() {
	local res=$1 quick=$2 envs v try start
	cp bench/guest.sh "$res/guest.sh"
	envs=(BENCH_TOP="$top")
	if [ "$quick" = 1 ]; then
		envs+=(BENCH_DURATION=2 BENCH_RATES=200 BENCH_DRAIN=8 BENCH_SWEEP_CYCLE=0)
	fi
	for v in BENCH_DURATION BENCH_ROUNDS BENCH_KA_CONC BENCH_CL_CONC BENCH_RATE BENCH_RATES \
		 BENCH_CONFIGS BENCH_STAGES BENCH_DRAIN BENCH_SWEEP_CYCLE; do
		[ -z "${!v:-}" ] || envs+=("$v=${!v}")
	done
	printf 'guest env: %s\n' "${envs[*]}" >> "$res/env"
	start=$SECONDS
	# On a heavily loaded host the guest kernel's early timer check can fail
	# under TCG ("IO-APIC + timer doesn't work", panic before anything ran):
	# boot again then, at most 3 times.
	for try in 1 2 3; do
		rc=0
		tests/vm/vm-run -t "${BENCH_TIMEOUT:-7200}" -- env "${envs[@]}" "$res/guest.sh" > "$res/console.log" 2>&1 || rc=$?
		if grep -q '^@@ INFO' "$res/console.log" || ! grep -q 'Kernel panic' "$res/console.log"; then
			break
		fi
		mv "$res/console.log" "$res/console-bootfail-$try.log"
		echo "bench: the guest kernel panicked while booting (try $try); booting again"
	done
	echo "vm: exit $rc after $((SECONDS - start)) s; host load average $(cut -d' ' -f1-3 /proc/loadavg) at end" >> "$res/env"
}

# probe_net DIR: every backend, config off, keep-alive saturation and a
# 64 MiB PUT, two short rounds each; netprobe.md says which is fastest.
probe_net() {
	local dir=$1 be
	{
		echo "# qemu network backends between the two VMs (TCG, config off)"
		echo
		echo "| backend | keep-alive 1 KiB req/s (wrk) | 64 MiB PUT s | status |"
		echo "|---|---:|---:|---|"
	} > "$dir/netprobe.md"
	for be in stream-unix dgram-unix dgram-udp socket-tcp socket-udp; do
		mkdir -p "$dir/$be"
		echo "bench: probing $be"
		two_vm "$dir/$be" "$be" BENCH_TOP="$top" BENCH_FILES="$top/build/bench-files" BENCH_CONFIGS=off \
			BENCH_DURATION=5 BENCH_WORKLOADS="sat put-64m" BENCH_SETTLE=0 BENCH_ROUNDS=2
		python3 "$top/bench/cost_report.py" --probe "$dir/$be" "$be" >> "$dir/netprobe.md" ||
			echo "| $be | - | - | no result (exit $rc) |" >> "$dir/netprobe.md"
		# The scripts that ran: one copy for the whole probe.
		mv "$dir/$be"/{online.sh,online-lib.sh,agent.py,peer.sh} "$dir/"
	done
	cat "$dir/netprobe.md"
}

# The whole run is one function, read before it starts: editing this file
# during a run cannot change what the run does.
main() {
	local quick=0 mode=two be=stream-unix stamp res envs v changed
	while [ $# -gt 0 ]; do
		case $1 in
		--quick) quick=1; shift ;;
		--one-vm) mode=one; shift ;;
		--probe-net) mode=probe; shift ;;
		--net) be=${2:?--net needs a backend}; shift 2 ;;
		--reparse) report "$(cd "$2" && pwd)"; exit 0 ;;
		-h|--help) sed -n '2,37s/^# \{0,1\}//p' "$0"; exit 0 ;;
		*) echo "bench/run.sh: unknown option $1 (see bench/run.sh -h)" >&2; exit 2 ;;
		esac
	done
	case $be in
	stream-unix|dgram-unix|dgram-udp|socket-tcp|socket-udp) ;;
	*) echo "bench/run.sh: --net $be: use stream-unix, dgram-unix, dgram-udp, socket-tcp or socket-udp" >&2; exit 2 ;;
	esac

	for tool in qemu-system-x86_64 gnuplot python3 wrk hey nginx nft curl taskset; do
		command -v $tool >/dev/null || { echo "bench: $tool missing (make deps)" >&2; exit 2; }
	done
	build
	# Upload bodies for bench/peer.sh (random, made here: /dev/urandom is
	# slow under TCG).
	mkdir -p build/bench-files
	[ -s build/bench-files/64m.bin ] || head -c $((64 << 20)) /dev/urandom > build/bench-files/64m.bin
	[ -s build/bench-files/1m.bin ] || head -c $((1 << 20)) /dev/urandom > build/bench-files/1m.bin

	stamp=$(date -u +%Y%m%d-%H%M%S)
	res=$top/bench/results/$stamp
	mkdir -p "$res"
	{
		echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
		echo "command: ${BENCH_TIMEOUT:+BENCH_TIMEOUT=$BENCH_TIMEOUT }bench/run.sh $([ $quick = 1 ] && echo '--quick ')$([ $mode = one ] && echo '--one-vm')$([ $mode = probe ] && echo '--probe-net')$([ $mode = two ] && echo "--net $be")"
		changed=$(git status --porcelain -- kmod include user bench 2>/dev/null | awk '{ print $2 }' | cut -d/ -f1 | sort -u | tr '\n' ' ')
		echo "git: $(git rev-parse --short HEAD 2>/dev/null || echo ?)${changed:+ + uncommitted changes in ${changed% }}"
		echo "host: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), load average $(cut -d' ' -f1-3 /proc/loadavg) at start"
	} > "$res/env"
	case $mode in
	one)
		echo "bench: booting the VM (log: ${res#"$top"/}/console.log)"
		one_vm "$res" $quick
		;;
	probe)
		probe_net "$res"
		ln -sfn "$stamp" "$top/bench/results/latest-netprobe"
		return 0
		;;
	two)
		build_peer
		echo "tcpcopy: ${peer_bin:+built from $TCPCOPY_SRC and $INTERCEPT_SRC ($(cd "$TCPCOPY_SRC" && git rev-parse --short HEAD 2>/dev/null || echo no git))}${peer_why:+not available: $peer_why}" >> "$res/env"
		envs=(BENCH_TOP="$top" BENCH_PEER_BIN="${peer_bin:-}" BENCH_FILES="$top/build/bench-files")
		if [ $quick = 1 ]; then
			envs+=(BENCH_DURATION=3 BENCH_ROUNDS=1 BENCH_SETTLE=1)
		fi
		for v in BENCH_DURATION BENCH_ROUNDS BENCH_CONFIGS BENCH_WORKLOADS BENCH_RATE_1K \
			 BENCH_RATE_200K BENCH_RATE_UP BENCH_SAT_CONC BENCH_SETTLE BENCH_DRAIN BENCH_PROFILE \
			 BENCH_CYCLE; do
			[ -z "${!v:-}" ] || envs+=("$v=${!v}")
		done
		printf 'peer env: %s\nnetwork: %s\n' "${envs[*]}" "$be" >> "$res/env"
		echo "bench: booting the online VM (core 0) and the peer VM (core 1); logs: ${res#"$top"/}/online.log, console.log"
		start=$SECONDS
		two_vm "$res" "$be" "${envs[@]}"
		echo "bench: VMs done after $((SECONDS - start)) s (peer exit $rc)"
		;;
	esac
	case $rc in
	0) ;;
	125) echo "bench: a guest kernel logged a warning (see the logs); results kept" >&2 ;;
	*) grep -q '^@@ DONE' "$res/console.log" ||
		echo "bench: the run did not finish (exit $rc): tables show what was measured" >&2 ;;
	esac
	grep -q '^@@ RUN\|^@@ PROFILE' "$res/console.log" || { echo "bench: no measurement in console.log" >&2; exit 1; }
	report "$res"
	# A run of profiles only (BENCH_WORKLOADS=" " BENCH_PROFILE=...) has
	# no tables: latest stays on the last run that measured.
	if grep -q '^@@ RUN' "$res/console.log"; then
		ln -sfn "$stamp" "$top/bench/results/latest"
	fi
}
# One line: bash has read the exit before main runs, so editing this file
# while it runs cannot make bash read past main into the edited text.
main "$@"; exit
