#!/bin/bash
# bench/run.sh [--quick] [--reparse DIR]: replcopy's benchmark (make bench).
#
# Builds replcopy.ko and replctl when they are missing or older than their
# sources, boots the test VM (tests/vm/vm-run, Debian's kernel under qemu)
# running bench/guest.sh, and turns what the guest printed on its console
# into bench/results/<UTC date-time>/:
#   console.log   the whole console output (raw facts between @@ markers)
#   guest.sh      the exact guest script that ran
#   env           the settings of the run and the host it ran on
#   results.csv   one row per measured run
#   results.md    tables A-D (see docs/BENCHMARKS.md)
#   *.png         plots (gnuplot), *.dat their data
# and points bench/results/latest at it. Every figure is a ratio or an
# increment measured side by side in that one boot. It reports; it never
# fails on a number (exit status 0 unless the run could not be made).
#
#   --quick        2-second runs, one fidelity rate: checks the pipeline
#   --reparse DIR  redo the tables and plots of DIR from its console.log
#
# Environment passed to the guest (see bench/guest.sh for defaults):
# BENCH_DURATION BENCH_ROUNDS BENCH_KA_CONC BENCH_CL_CONC BENCH_RATE
# BENCH_RATES BENCH_CONFIGS BENCH_STAGES BENCH_DRAIN BENCH_SWEEP_CYCLE.
# BENCH_TIMEOUT bounds
# the VM (seconds, default 3600).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

report() { # report DIR
	local dir=$1 term=png
	python3 "$top/bench/report.py" "$dir/console.log" "$dir" > /dev/null
	if gnuplot -e 'set terminal' 2>&1 | grep -qw pngcairo; then term=pngcairo; fi
	for p in throughput latency cpu stages fidelity sweep-p99; do
		rm -f "$dir/$p.png"
		(cd "$dir" && gnuplot -e "term='$term'; plot_name='$p'" "$top/bench/plots.gp" 2>"$dir/.gnuplot.err") ||
			{ rm -f "$dir/$p.png"; echo "bench: no $p plot: $(grep . "$dir/.gnuplot.err" | tail -n 1)" >&2; }
		rm -f "$dir/.gnuplot.err"
	done
	echo "bench: results in ${dir#"$top"/}: results.md, results.csv, $(cd "$dir" && ls -- *.png 2>/dev/null | tr '\n' ' ')"
}

# The whole run is one function, read before it starts: editing this file
# during a run cannot change what the run does.
main() {
	quick=0
	while [ $# -gt 0 ]; do
		case $1 in
		--quick) quick=1; shift ;;
		--reparse) report "$(cd "$2" && pwd)"; exit 0 ;;
		-h|--help) sed -n '2,29s/^# \{0,1\}//p' "$0"; exit 0 ;;
		*) echo "bench/run.sh: unknown option $1 (see bench/run.sh -h)" >&2; exit 2 ;;
		esac
	done

	for tool in qemu-system-x86_64 gnuplot python3 wrk hey nginx nft; do
		command -v $tool >/dev/null || { echo "bench: $tool missing (make deps)" >&2; exit 2; }
	done

	# Build only when needed: the module and replctl must match their sources.
	need_build=0
	for out in replcopy.ko user/replctl; do
		[ -e "$out" ] || need_build=1
	done
	if [ $need_build = 0 ] &&
	   [ -n "$(find kmod include user Kbuild -newer replcopy.ko \( -name '*.c' -o -name '*.h' -o -name Kbuild \) 2>/dev/null | grep -v '^user/' | head -n 1)" ]; then
		need_build=1
	fi
	if [ $need_build = 0 ] &&
	   [ -n "$(find user include -newer user/replctl \( -name '*.c' -o -name '*.h' \) 2>/dev/null | head -n 1)" ]; then
		need_build=1
	fi
	if [ $need_build = 1 ]; then
		echo "bench: building (make)"
		make -s all
	fi

	stamp=$(date -u +%Y%m%d-%H%M%S)
	res=$top/bench/results/$stamp
	mkdir -p "$res"
	# The guest runs a copy kept with the results: what ran is what is recorded,
	# and editing bench/guest.sh during a run cannot disturb it.
	cp bench/guest.sh "$res/guest.sh"
	envs=(BENCH_TOP="$top")
	if [ $quick = 1 ]; then
		envs+=(BENCH_DURATION=2 BENCH_RATES=200 BENCH_DRAIN=8 BENCH_SWEEP_CYCLE=0)
	fi
	for v in BENCH_DURATION BENCH_ROUNDS BENCH_KA_CONC BENCH_CL_CONC BENCH_RATE BENCH_RATES \
		 BENCH_CONFIGS BENCH_STAGES BENCH_DRAIN BENCH_SWEEP_CYCLE; do
		[ -z "${!v:-}" ] || envs+=("$v=${!v}")
	done
	{
		echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
		echo "command: ${BENCH_TIMEOUT:+BENCH_TIMEOUT=$BENCH_TIMEOUT }bench/run.sh$([ $quick = 1 ] && echo ' --quick')"
		printf 'guest env: %s\n' "${envs[*]}"
		echo "git: $(git rev-parse --short HEAD 2>/dev/null || echo ?)$(git status --porcelain -- kmod include user 2>/dev/null | grep -q . && echo ' + uncommitted changes in kmod/include/user')"
		echo "host: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) at start"
	} > "$res/env"
	echo "bench: booting the VM (log: ${res#"$top"/}/console.log)"
	start=$SECONDS
	# On a heavily loaded host the guest kernel's early timer check can fail
	# under TCG ("IO-APIC + timer doesn't work", panic before anything ran):
	# boot again then, at most 3 times.
	for try in 1 2 3; do
		rc=0
		tests/vm/vm-run -t "${BENCH_TIMEOUT:-3600}" -- env "${envs[@]}" "$res/guest.sh" > "$res/console.log" 2>&1 || rc=$?
		if grep -q '^@@ INFO' "$res/console.log" || ! grep -q 'Kernel panic' "$res/console.log"; then
			break
		fi
		mv "$res/console.log" "$res/console-bootfail-$try.log"
		echo "bench: the guest kernel panicked while booting (try $try: $(grep -m1 -o 'Kernel panic.*' "$res/console-bootfail-$try.log" | cut -c1-80)); booting again"
	done
	echo "vm: exit $rc after $((SECONDS - start)) s; host load average $(cut -d' ' -f1-3 /proc/loadavg) at end" >> "$res/env"
	echo "bench: VM exited $rc after $((SECONDS - start)) s"
	case $rc in
	0) ;;
	125) echo "bench: the guest kernel logged a warning (see console.log); results kept" >&2 ;;
	*) grep -q '^@@ DONE' "$res/console.log" ||
		echo "bench: the guest did not finish (exit $rc): tables show what was measured" >&2 ;;
	esac
	grep -q '^@@ RUN' "$res/console.log" || { echo "bench: no measurement in console.log" >&2; exit 1; }
	report "$res"
	ln -sfn "$stamp" "$top/bench/results/latest"
}
main "$@"
exit
