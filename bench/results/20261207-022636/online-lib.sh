# shellcheck shell=bash
# bench/online-lib.sh: what the online VM of the two-VM benchmark can be
# told to do. bench/agent.py runs every command of bench/peer.sh with
# BASH_ENV pointing here (in the online VM's init netns, where the control
# link is), so each command line can call these functions. Only the configuration changes and the snapshots run
# here; the load, the target and the arithmetic are elsewhere.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
: "${BENCH_TOP:?}" "${BENCH_RUN:?}"
REPLCTL=$BENCH_TOP/user/replctl
ON="ip netns exec online"
TARGET_IP=10.0.2.2
TARGET_IP6=fd00:2::2

# snap: the online VM's CPU time so far (the "cpu" line of /proc/stat: user
# nice system idle iowait irq softirq steal, in USER_HZ ticks), the clock,
# and the online nginx's request count.
snap() {
	head -n 1 /proc/stat
	echo "uptime $(cut -d' ' -f1 /proc/uptime)"
	echo "requests $(wc -l < "$BENCH_RUN/nginx-online/logs/access.log")"
	# Packets received and sent on the two measured links (all of the
	# online netns's traffic but loopback).
	$ON awk -F'[: ]+' '$2 != "lo" && NR > 2 { rx += $4; tx += $12 } END { print "packets", rx + 0, tx + 0 }' /proc/net/dev
}

# profile_start / profile_stop: perf's view of the online VM (every CPU,
# call graphs, 499 Hz cpu-clock: under TCG there is no PMU) around a run
# that is not measured; the top of its report.
profile_start() {
	perf record -a -g -F 499 -e cpu-clock -o "$BENCH_RUN/perf.data" </dev/null >"$BENCH_RUN/perf.log" 2>&1 &
	echo $! > "$BENCH_RUN/perf.pid"
	sleep 2
}
profile_stop() {
	kill -INT "$(cat "$BENCH_RUN/perf.pid")"
	while kill -0 "$(cat "$BENCH_RUN/perf.pid")" 2>/dev/null; do sleep 0.2; done
	# Self time per symbol (the idle loop included: its share is the
	# idle time), then who rings virtio's doorbell (vp_notify: under TCG
	# each ring is an exit to qemu, the most expensive symbol).
	perf report -i "$BENCH_RUN/perf.data" --no-children --sort dso,sym --stdio -g none \
		--percent-limit 0.3 2>/dev/null | grep -v '^#' | grep . | head -n 40
	echo "-- callers of vp_notify"
	perf report -i "$BENCH_RUN/perf.data" --no-children --sort sym --stdio -S vp_notify \
		-g caller,2,callee,function,percent 2>/dev/null | grep -v '^#' | grep . | head -n 60
	# Inclusive time (the function and all it called) of the module's
	# entry points and of the stack's paths around them: how much of the
	# busy time is the module's own work, transmit and doorbells included.
	echo "-- inclusive (children, self): replcopy and the paths around it"
	perf report -i "$BENCH_RUN/perf.data" --children --sort sym --stdio -g none \
		--percent-limit 0.1 2>/dev/null | grep -v '^#' |
		grep -E '\] (replcopy_[a-z0-9_]+|tcpcopy_[a-z0-9_]+|nf_hook_slow|net_rx_action|ip_rcv|ip6_rcv|ip_local_out|ip6_local_out|tcp_v4_rcv|tcp_v6_rcv|virtnet_poll|start_xmit|vp_notify|process_one_work|worker_thread)$' |
		head -n 40
	rm -f "$BENCH_RUN/perf.data"
}

rstats() { $ON "$REPLCTL" stats --json; }

# clients N: the addresses the online nginx served after its first N
# requests, with their counts ("10.0.1.2=600"): which family a run's
# clients used. Asked after the window.
clients() {
	tail -n +"$(($1 + 1))" "$BENCH_RUN/nginx-online/logs/access.log" |
		awk '{ n[$1]++ } END { for (a in n) printf "%s=%d ", a, n[a]; print "" }'
}

# cfg_up CONFIG / cfg_down CONFIG: switch replication on or off.
cfg_up() {
	case $1 in
	off|off6) ;;
	nftdup)
		$ON nft -f - <<-EON
		table ip bench {
			chain pre { type filter hook prerouting priority -300; policy accept;
				tcp dport 8080 dup to $TARGET_IP; }
		}
		EON
		;;
	wq) $ON "$REPLCTL" set worker wq wq-unbound off && $ON "$REPLCTL" add 8080 $TARGET_IP:8081 ;;
	# wq over IPv6: the peer's clients come over IPv6 (bench/peer.sh) and
	# the target is its IPv6 address, so the replay is IPv6 end to end.
	wq6) $ON "$REPLCTL" set worker wq wq-unbound off && $ON "$REPLCTL" add 8080 "[$TARGET_IP6]:8081" ;;
	wq-unbound) $ON "$REPLCTL" set worker wq wq-unbound on && $ON "$REPLCTL" add 8080 $TARGET_IP:8081 ;;
	kthread) $ON "$REPLCTL" set worker kthread && $ON "$REPLCTL" add 8080 $TARGET_IP:8081 ;;
	wq-nogso) echo N > /sys/module/replcopy/parameters/gso &&
		$ON "$REPLCTL" set worker wq wq-unbound off && $ON "$REPLCTL" add 8080 $TARGET_IP:8081 ;;
	copies3) $ON "$REPLCTL" set worker wq wq-unbound off && $ON "$REPLCTL" add 8080 $TARGET_IP:8081 --copies 3 ;;
	sample10) $ON "$REPLCTL" set worker wq wq-unbound off && $ON "$REPLCTL" add 8080 $TARGET_IP:8081 --sample 10 ;;
	tcpcopy)
		# Client addresses become 10.0.5.x, which the target routes to
		# intercept's capture interface (bench/peer.sh); intercept
		# listens on the target's address.
		# In the foreground, in the background of this command (tcpcopy
		# 1.3 does not write the -P pid file of its daemon mode).
		$ON "$BENCH_PEER_BIN/tcpcopy" -x 8080-$TARGET_IP:8081 -s $TARGET_IP -c 10.0.5.x \
			-l "$BENCH_RUN/tcpcopy.log" </dev/null >/dev/null 2>&1 &
		echo $! > "$BENCH_RUN/tcpcopy.pid"
		sleep 1
		kill -0 "$(cat "$BENCH_RUN/tcpcopy.pid")" || { tail -n 5 "$BENCH_RUN/tcpcopy.log"; return 1; }
		grep -q 'connect to remote server' "$BENCH_RUN/tcpcopy.log" || { tail -n 5 "$BENCH_RUN/tcpcopy.log"; return 1; }
		;;
	*) echo "online: no configuration '$1'"; return 2 ;;
	esac
}
cfg_down() {
	case $1 in
	nftdup) $ON nft delete table ip bench ;;
	wq|wq6|wq-unbound|wq-nogso|kthread|copies3|sample10)
		$ON "$REPLCTL" del 8080
		$ON "$REPLCTL" set worker wq wq-unbound off
		echo Y > /sys/module/replcopy/parameters/gso ;;
	tcpcopy)
		kill "$(cat "$BENCH_RUN/tcpcopy.pid")"
		sleep 1
		if kill -0 "$(cat "$BENCH_RUN/tcpcopy.pid")" 2>/dev/null; then
			kill -9 "$(cat "$BENCH_RUN/tcpcopy.pid")"
			echo "tcpcopy needed SIGKILL"
		fi
		tail -n 3 "$BENCH_RUN/tcpcopy.log" ;;
	esac
	return 0
}

# replayed: have the module's sessions caught up (every captured byte
# acked by the target, no session live)? Prints the two byte counts, and
# rst_unanswered (client RSTs replayed before the target had answered as
# much as the online server: requests it had not read may be lost).
replayed() {
	local js c a l r
	js=$(rstats) || return 1
	[[ $js =~ \"captured_bytes\":([0-9]+) ]] && c=${BASH_REMATCH[1]}
	[[ $js =~ \"acked_bytes\":([0-9]+) ]] && a=${BASH_REMATCH[1]}
	[[ $js =~ \"sess_active\":([0-9]+) ]] && l=${BASH_REMATCH[1]}
	[[ $js =~ \"rst_unanswered\":([0-9]+) ]] && r=${BASH_REMATCH[1]}
	echo "captured ${c:-?} acked ${a:-?} live ${l:-?} rst_unanswered ${r:-?}"
	[ -n "${c:-}" ] && [ "$c" = "${a:-}" ] && [ "${l:-}" = 0 ]
}
