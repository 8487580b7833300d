#!/bin/bash
# timeout: 420
# Aggregated client segments onto a smaller-MTU target link. The client's
# large writes leave as TSO/GSO super-packets over the veth (and GRO is
# switched on for the online's client-facing veth when the kernel allows),
# so LOCAL_IN sees segments far larger than the MSS toward the target, whose
# link has MTU 1000. The uploads must still be replayed exactly. An nft
# counter proves the aggregates really occurred. WORKER selects the worker
# model.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../lib-servers.sh"
# shellcheck disable=SC2034 # MAP_PORT is read by lib-servers.sh
MAP_PORT=8080
URL=http://$ONLINE_IP:8080

topo_setup
in_ns $NS_ONLINE ip link set t-veth mtu 1000
in_ns $NS_TARGET ip link set veth0 mtu 1000
nginx_start $NS_ONLINE online 8080
nginx_start $NS_TARGET target 8081
nginx_make_files online target
module_load
dmesg_mark

# GRO on the online's c-veth (veth NAPI mode), with the ethtool ioctl since
# the ethtool program may be missing: ETHTOOL_SGRO = 0x2c.
in_ns $NS_ONLINE python3 - <<-'EOF' && log "GRO on c-veth: on" || log "GRO on c-veth: could not switch on (GSO from the client still aggregates)"
import ctypes, fcntl, socket, struct
val = ctypes.create_string_buffer(struct.pack("II", 0x2c, 1))
ifr = struct.pack("16sP", b"c-veth", ctypes.addressof(val))
fcntl.ioctl(socket.socket(), 0x8946, ifr)  # SIOCETHTOOL
EOF
log "c-veth mtu $(in_ns $NS_ONLINE cat /sys/class/net/c-veth/mtu), t-veth mtu $(in_ns $NS_ONLINE cat /sys/class/net/t-veth/mtu)"

# Count client packets larger than one MTU arriving for port 8080.
in_ns $NS_ONLINE nft -f - <<-'EOF' || die "nft in online"
table inet watch {
	chain input {
		type filter hook input priority 0; policy accept;
		tcp dport 8080 meta length > 1500 counter
	}
}
EOF

replctl_in $NS_ONLINE add 8080 $TARGET_IP:8081 >/dev/null || die "replctl add 8080 $TARGET_IP:8081"
set_worker

up_kb=$(scaled 5120)
for i in 1 2 3; do
	head -c $((up_kb * 1024)) /dev/urandom > "$WORK/up$i.bin"
	check_eq "PUT /dav/up$i.bin ($up_kb KB)" 201 \
		"$(in_ns $NS_CLIENT curl -s --max-time 60 -o /dev/null -w '%{http_code}' -T "$WORK/up$i.bin" "$URL/dav/up$i.bin")"
done
check_eq "POST $up_kb KB" 200 \
	"$(in_ns $NS_CLIENT curl -s --max-time 60 -o /dev/null -w '%{http_code}' --data-binary @"$WORK/up1.bin" "$URL/post")"
hey_check "keep-alive POSTs of 200 KB" 20 -c 5 -m POST -D "$WORK/files/200k.bin" "$URL/post"

big=$(in_ns $NS_ONLINE nft list chain inet watch input | sed -n 's/.*packets \([0-9]*\).*/\1/p')
log "client packets > 1500 bytes at LOCAL_IN: $big; captured: $(rstat captured_segs) segments, $(rstat captured_bytes) bytes"
check "aggregates larger than the MTU reached LOCAL_IN (precondition)" test "${big:-0}" -gt 0

check "replay finished" wait_replay_idle 8080 120
compare_nginx_logs online target "uploads over MTU 1000"
for i in 1 2 3; do
	check_eq "target stored up$i.bin byte-identical" "$(sha256sum < "$WORK/up$i.bin")" \
		"$(sha256sum < "$(nginx_root target)/dav/up$i.bin" 2>/dev/null)"
done
check "target link stayed at MTU 1000" test "$(in_ns $NS_TARGET cat /sys/class/net/veth0/mtu)" = 1000
check_replay_exact
check_sessions_accounted
check_no_drops
check_dmesg_clean
finish
