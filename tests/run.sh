#!/bin/bash
# tests/run.sh [--vm-only|--unit-only] [SCENARIO...]
#
# Run replcopy's test suite: the host unit tests (cmocka, no kernel needed),
# then every VM scenario in tests/scenarios/ (or the ones named), each in
# its own boot of the test kernel (tests/vm/vm-run) so one crash cannot hide
# another result. Ends with "N passed, N failed, N skipped" and exits non-zero
# on any failure; the skipped count includes the parts of passed scenarios
# that could not run on this kernel (lib.sh's skip_part), each listed.
#
# Scenarios whose header says "# suite: extended" (long stress runs, and
# those not yet passing reliably) run only when named or with EXTENDED=1
# (make test-full).
#
# Environment: KVER, KERNEL, MODDIR (see tests/vm/vm-run); TIMEOUT_FACTOR
# multiplies every scenario's time limit (debug kernels are slower), and
# TIMEOUT_CAP caps the result (light runs, whose limits are set for full load);
# RESULTS=DIR keeps each scenario's console log there; WORKERS lists the
# worker models every engine-* scenario runs under (default: all of them; a
# scenario named as NAME@MODEL runs under that model only); LOAD=light makes
# the scenarios send a tenth of their load (tests/lib.sh: scaled);
# TEST_BUDGET=SECONDS: start a scenario only if it can end (its time limit)
# within that many seconds of the suite's start (CI's time limit); the
# others are reported by name: as failed (a green run must have run
# everything), or as skipped with SKIP_FOR_TIME=ok (the debug kernel's
# quick pass, which CI rotates through over commits). JOBS=N runs up to N scenarios
# at once, each in its own VM (default 1); results are reported as they
# finish, in the order started. The scenarios' own settings (NLFUZZ_SEED,
# SCALE_CONNS, FAILSLAB_PROB, ...: each scenario's header names its own)
# are passed into the VM when set.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
unit=1 vm=1
case "${1:-}" in
--vm-only) unit=0; shift ;;
--unit-only) vm=0; shift ;;
esac
factor=${TIMEOUT_FACTOR:-1}
workers=${WORKERS:-wq kthread}
results=${RESULTS:-$top/build/results}
mkdir -p "$results"
passed=0 failed=0 skipped=0 failures=() skips=()

if [ "$unit" = 1 ]; then
	echo "== unit tests (host)"
	out=$(make -s -C user check 2>&1)
	rc=$?
	printf '%s\n' "$out"
	n=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
	passed=$((passed + n))
	failed=$((failed + f))
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		failed=$((failed + 1))
		failures+=("unit tests (make -C user check exited $rc)")
	fi
	[ "$f" = 0 ] || failures+=("unit tests: $f failed")

	echo "== fuzz_parse (libFuzzer on replctl's parsers, ${FUZZ_TIME:-30}s)"
	if command -v clang >/dev/null; then
		if make -s -C tests/fuzz run-parse FUZZ_TIME="${FUZZ_TIME:-30}" \
			> "$results/fuzz_parse.log" 2>&1; then
			passed=$((passed + 1))
			echo "ok - fuzz_parse"
		else
			failed=$((failed + 1))
			failures+=("fuzz_parse (see $results/fuzz_parse.log)")
			tail -20 "$results/fuzz_parse.log"
		fi
	else
		skipped=$((skipped + 1))
		echo "ok - fuzz_parse # SKIP clang missing (make deps)"
	fi
fi

if [ "$vm" = 1 ]; then
	if [ $# -gt 0 ]; then
		scenarios=()
		for s in "$@"; do
			w=
			case $s in *@*) w=@${s##*@} s=${s%@*} ;; esac
			[ -f "$s" ] || s=tests/scenarios/$s
			[ -f "$s" ] || s=$s.sh
			scenarios+=("$s$w")
		done
	else
		# The tools first: their limits are the longest (up to 20
		# minutes, most of it for compiling bcc tools in the guest), and
		# under TEST_BUDGET a scenario starts only when its limit still
		# fits. Then the frame, the engine, the stress runs; in each
		# group the longest limits first, for the same reason.
		scenarios=()
		for group in tools frame engine reliability; do
			while read -r _ s; do
				scenarios+=("$s")
			done < <(for s in tests/scenarios/"$group"-*.sh; do
					t=$(sed -n 's/^# timeout: *\([0-9]*\).*/\1/p' "$s" | head -n 1)
					echo "${t:-300} $s"
				 done | sort -k1,1nr -k2,2)
		done
		for s in tests/scenarios/*.sh; do
			case $(basename "$s") in
			frame-*|engine-*|tools-*|reliability-*) ;;
			*) scenarios+=("$s") ;;
			esac
		done
		if [ "${EXTENDED:-0}" != 1 ]; then
			chosen=()
			for s in "${scenarios[@]}"; do
				if grep -q '^# suite: extended' "$s"; then
					echo "# $(basename "$s" .sh): extended suite (make test-full)"
				else
					chosen+=("$s")
				fi
			done
			scenarios=("${chosen[@]}")
		fi
	fi
	runs=()
	for s in "${scenarios[@]}"; do
		case $(basename "$s") in
		*@*) runs+=("${s%@*}:${s##*@}") ;;
		engine-*) for w in $workers; do runs+=("$s:$w"); done ;;
		*) runs+=("$s:") ;;
		esac
	done
	# Can a run of at most $1 seconds (plus vm-run's two minutes for the
	# boot and the end-of-run checks) finish within TEST_BUDGET?
	fits() { [ -z "${TEST_BUDGET:-}" ] || [ $((SECONDS + $1 + 120)) -le "$TEST_BUDGET" ]; }
	# The guest does not inherit this environment: the scenarios' own
	# knobs (the NAME of every ${NAME:-default} in tests/scenarios/ and
	# tests/lib*.sh, e.g. NLFUZZ_SEED) go along when set here.
	knobs=()
	for k in $(grep -oh '\${[A-Z][A-Z0-9_]*:-' tests/scenarios/*.sh tests/lib*.sh |
		   sed 's/^..//; s/:-$//' | sort -u); do
		case $k in WORKER|LOAD) continue ;; esac
		[ -z "${!k+set}" ] || knobs+=("$k=${!k}")
	done
	[ ${#knobs[@]} = 0 ] || echo "# passed to the scenarios: ${knobs[*]}"
	# Boot the VM for scenario $s under worker model $worker.
	# A scenario's "# boot: ARGS" header adds kernel arguments to its VM's
	# command line (after VM_APPEND: a later slub_debug= wins).
	boot() {
		local args
		args=$(sed -n 's/^# boot: *//p' "$s" | head -n 1)
		VM_APPEND="${VM_APPEND:-}${args:+ $args}" \
		VM_LOG="$results/$name.log" tests/vm/vm-run -t "$limit" -- \
			env "${knobs[@]}" WORKER="${worker:-wq}" LOAD="${LOAD:-full}" "$s" \
			> "$results/$name.out" 2>&1
	}
	# Run one scenario (in the background when JOBS > 1) and leave its
	# exit status, duration and script in $results/$name.rc.
	run_one() {
		local start=$SECONDS rc
		boot
		rc=$?
		if [ "$rc" = 124 ] && fits "$limit"; then
			# The VM itself did not finish (host starved, boot hang):
			# say so and give the scenario one more boot.
			echo "# $name: VM did not finish in ${limit}s; booting it once more"
			mv "$results/$name.out" "$results/$name.first.out"
			boot
			rc=$?
		fi
		echo "$rc $((SECONDS - start)) $s" > "$results/$name.rc.tmp"
		mv "$results/$name.rc.tmp" "$results/$name.rc"
	}
	# Print the result of a finished run and count it.
	report() {
		local name=$1 rc took s
		read -r rc took s < "$results/$name.rc"
		[ "$jobs" = 1 ] || echo "== $name: result"
		if [ -f "$results/$name.first.out" ]; then
			echo "# $name: the end of its first boot, which timed out:"
			grep -Ev '^(SeaBIOS|Booting from|\[ *[0-9]+\.[0-9]+\])' "$results/$name.first.out" |
				tail -n 15 | sed 's/^/#   /'
		fi
		# The scenario's own lines, without the firmware and kernel chatter.
		grep -Ev '^(SeaBIOS|Booting from|\[ *[0-9]+\.[0-9]+\])' "$results/$name.out"
		# A scenario passes by saying so (lib.sh's finish): exit 0 without
		# its verdict line means it ended somewhere else.
		if [ "$rc" = 0 ] && ! grep -q "^PASS: $(basename "$s")" "$results/$name.out"; then
			echo "FAIL: $name exited 0 without its verdict line (PASS: $(basename "$s"))"
			grep -q '^FAIL' "$results/$name.out" && rc=1 || rc=3
		fi
		case $rc in
		0) passed=$((passed + 1)); echo "ok - $name (${took}s)"
		   # Parts it could not run here (lib.sh's skip_part) count as
		   # skipped, by name, beside the pass.
		   while IFS= read -r part; do
			skipped=$((skipped + 1))
			skips+=("$name (a part): $part")
			echo "ok - $name: a part # SKIP $part"
		   done < <(sed -n 's/^SKIP-PART: //p' "$results/$name.out") ;;
		4) skipped=$((skipped + 1))
		   skips+=("$name: $(sed -n 's/^SKIP: //p' "$results/$name.out" | head -n 1)")
		   echo "ok - $name # SKIP (${took}s)" ;;
		*) failed=$((failed + 1))
		   # Keep the failed checks for the summary: a CI excerpt
		   # shows the end of the output, not the middle.
		   why=$(grep -E '^(FAIL|not ok)' "$results/$name.out" | head -n 5 | sed 's/^/    /')
		   failures+=("$name (exit $rc)${why:+$'\n'$why}")
		   echo "not ok - $name (exit $rc, ${took}s)" ;;
		esac
	}
	# Report the runs that have finished (in the order started, among those).
	pending=()
	collect() {
		local keep=() n
		for n in "${pending[@]}"; do
			if [ -f "$results/$n.rc" ]; then report "$n"; else keep+=("$n"); fi
		done
		pending=("${keep[@]}")
	}
	# JOBS=N boots up to N scenarios at once. Each is its own VM, so they
	# cannot disturb each other's state; under TCG two at a time on two
	# cores finish about 1.6 times as many runs per hour as one at a time
	# (the guest leaves part of the host idle), at the cost of each run
	# taking longer, so time limits must allow for it.
	jobs=${JOBS:-1}
	# Stopped (SIGINT, SIGTERM): stop the runs in flight too, VMs
	# included. Each process is frozen before its children are killed,
	# so that no run_one boots a killed VM once more.
	killtree() {
		local c
		kill -STOP "$1" 2>/dev/null
		for c in $(pgrep -P "$1"); do killtree "$c"; done
		kill "$1" 2>/dev/null
		kill -CONT "$1" 2>/dev/null
	}
	stop_runs() {
		local p
		for p in $(jobs -p); do killtree "$p"; done
		exit 130
	}
	trap stop_runs INT TERM
	for run in "${runs[@]}"; do
		s=${run%:*} worker=${run##*:}
		name=$(basename "$s" .sh)${worker:+@$worker}
		limit=$(sed -n 's/^# timeout: *\([0-9]*\).*/\1/p' "$s" | head -n 1)
		limit=$(( ${limit:-300} * factor ))
		[ -z "${TIMEOUT_CAP:-}" ] || [ "$limit" -le "$TIMEOUT_CAP" ] || limit=$TIMEOUT_CAP
		# Wait for a free slot before judging the budget: what is left
		# is known only once the run can start.
		while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
			wait -n
			collect
		done
		if ! fits "$limit"; then
			why="its ${limit}s limit does not fit in what is left of TEST_BUDGET=${TEST_BUDGET}s"
			if [ "${SKIP_FOR_TIME:-fail}" = ok ]; then
				skipped=$((skipped + 1))
				skips+=("$name: $why")
				echo "ok - $name # SKIP $why"
			else
				failed=$((failed + 1))
				failures+=("$name (not run: $why)")
				echo "not ok - $name # not run: $why"
			fi
			continue
		fi
		echo "== $name (VM, limit ${limit}s)"
		rm -f "$results/$name.rc" "$results/$name.first.out"
		pending+=("$name")
		run_one &
		[ "$jobs" != 1 ] || { wait; collect; }
	done
	wait
	collect
fi

echo
for f in "${skips[@]}"; do echo "skipped: $f"; done
for f in "${failures[@]}"; do echo "failed: $f"; done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
