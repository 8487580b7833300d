#!/bin/bash
# timeout: 300
# A target whose receive window closes while replayed data is in flight,
# and whose window update is lost. Default settings. While a PUT upload is
# replayed, nft in the target netns, for about 3 s, rewrites the window of
# every segment the target sends to 0 and drops about half of the data
# segments that reach it: the target acknowledges part of what was in flight and
# announces a closed window, as a receiver that shrinks its window does.
# Then the rules go; the target itself never sent a zero window, so no
# window update follows. The replay must probe the window
# (as Linux does: the first unacknowledged segment, RFC 9293 3.8.6.1) and
# go on. Facts: zero_wnd_probes > 0; the target stores the upload
# byte-identical and logs exactly the online requests; acked == captured;
# no session timed out or was reset. Before the probe existed, the replay
# sent nothing more (retransmissions into a closed window were held back)
# until max_retries ended the session. WORKER selects the worker model.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../lib-servers.sh"
# shellcheck disable=SC2034 # MAP_PORT is read by lib-servers.sh
MAP_PORT=8080
URL=http://$ONLINE_IP:8080

nginx_pair_setup
module_load
dmesg_mark
syn_watch $NS_ONLINE 8080
replctl_in $NS_ONLINE add 8080 $TARGET_IP:8081 >/dev/null || die "replctl add 8080 $TARGET_IP:8081"
set_worker

# The upload: the client sends it at once; the replay follows at the
# pace of the path toward the target, 4 Mbit/s here (netem's rate on the
# online netns's link to it: the debug kernel has netem, not tbf), so it
# is still under way when the window closes (8 MB: about 16 s). The
# target's receive buffer (256 KB at most) stays below netem's queue (1 000
# packets), so that the queue never overflows (that would count as
# drop_xmit).
in_ns $NS_TARGET sysctl -qw net.ipv4.tcp_rmem="4096 131072 262144" || die "tcp_rmem in $NS_TARGET"
# The replay sends GSO skbs of up to 44 segments, and veth would carry them
# whole to the target, where the drop rule below would take 64 KB at a
# time. TSO off on the online's t-veth (ETHTOOL_STSO = 0x1f, by ioctl: the
# ethtool program may be missing): the stack cuts them into the segments
# a wire carries, and the target sees and drops those.
in_ns $NS_ONLINE python3 - <<-'EOF' || die "TSO off on t-veth"
import ctypes, fcntl, socket, struct
val = ctypes.create_string_buffer(struct.pack("II", 0x1f, 0))
ifr = struct.pack("16sP", b"t-veth", ctypes.addressof(val))
fcntl.ioctl(socket.socket(), 0x8946, ifr)  # SIOCETHTOOL
EOF
in_ns $NS_ONLINE tc qdisc add dev t-veth root netem rate 4mbit limit 1000 ||
	die "tc netem rate on t-veth"
# Not scaled by LOAD: netem sets the pace, and under LOAD=light (the debug
# kernel) a tenth of it was replayed before the window could close.
kb=8192
head -c $((kb * 1024)) /dev/urandom > "$WORK/up.bin"
in_ns $NS_CLIENT curl -s --max-time 120 -o /dev/null -w '%{http_code}' \
	-T "$WORK/up.bin" "$URL/dav/up.bin" > "$WORK/up.code" &
up=$!
# The window closes 1 s after the replayed connection is established
# (seen from the target's side: cheaper than replctl under TCG).
replayed_conn() { in_ns $NS_TARGET ss -Htn state established "( sport = :8081 )" | grep -q .; }
wait_until 60 replayed_conn || die "no replayed connection on the target"
sleep 1
# Both at once: every target segment says its window is 0, and about half
# of the data segments that reach the target (IP length above the 52 bytes
# of a header with timestamps, sequence number with bit 11 set) are
# dropped. So the target acknowledges part of the flight with a closed
# window and never sees the rest, as with a receiver that shrinks its
# window and drops. (The bit, not numgen: the debug kernel has no
# nft_numgen.)
in_ns $NS_TARGET nft -f - <<EOF || die "nft: zero-window rules"
table ip zerownd {
	chain in {
		type filter hook input priority -300; policy accept;
		tcp dport 8081 ip length > 52 tcp sequence & 0x800 == 0x800 counter drop
	}
	chain out {
		type filter hook output priority -300; policy accept;
		tcp sport 8081 counter tcp window set 0
	}
}
EOF
on_exit "ip netns exec $NS_TARGET nft delete table ip zerownd 2>/dev/null"
log "window closed, data dropped: $(rstat acked_bytes) of $((kb * 1024)) bytes acked"
sleep 3
held=$(rstat acked_bytes,zero_wnd_probes)
log "nft: $(in_ns $NS_TARGET nft list table ip zerownd | grep -o 'counter packets [0-9]*' | tr '\n' ' ')"
in_ns $NS_TARGET nft delete table ip zerownd || die "nft delete table"
log "rules removed after 3 s: acked_bytes/zero_wnd_probes $held; stats: $(rstats_line 8080)"
wait $up
check_eq "PUT /dav/up.bin ($kb KB) created" 201 "$(cat "$WORK/up.code")"
check_stat_gt zero_wnd_probes 0
check "replay finished after the window opened again" wait_replay_idle 8080 90
check_eq "target stored up.bin byte-identical" "$(sha256sum < "$WORK/up.bin")" \
	"$(sha256sum < "$(nginx_root target)/dav/up.bin" 2>/dev/null)"
compare_nginx_logs online target "zero window"
check_replay_exact
check_stat_eq sess_syn "$(syn_count $NS_ONLINE)"
check_stat_eq sess_timedout 0
check_stat_eq sess_reset 0
check_sessions_accounted
check_no_drops
log "stats: $(rstats_line 8080)"
check_dmesg_clean
finish
