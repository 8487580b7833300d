#!/bin/bash
# bench/online.sh: the online VM of the two-VM benchmark (bench/run.sh boots
# it with one vCPU pinned to one host core). It runs what a production host
# runs, and nothing else: nginx on 10.0.1.1:8080 serving the same files as
# the tests (1 KiB, 200 KiB, 1 MiB; /post reads a body), replcopy.ko loaded
# (no mapping until a configuration adds one), and bench/agent.py on
# 10.0.9.1:7000, a third link that carries no measured traffic, so that
# the peer VM (bench/peer.sh) can switch the configuration and read
# /proc/stat between measurements. It ends when the peer says @@QUIT.
# Both measured links carry IPv6 too (fd00:1::1, fd00:2::1; nginx listens
# on [::]:8080 as well): the IPv6 configurations (off6, wq6) use them.
#
#   client 10.0.1.2 ── 10.0.1.1 [netns online] 10.0.2.1 ── 10.0.2.2 target
#   fd00:1::2          fd00:1::1               fd00:2::1    fd00:2::2
#   (peer VM)            control 10.0.9.1 (init netns)       (peer VM)
#
# The NICs are found by their MAC addresses (bench/run.sh sets them).
BENCH_TOP=${BENCH_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
source "$BENCH_TOP/tests/lib.sh"
source "$BENCH_TOP/tests/lib-servers.sh"

modprobe virtio_net 2>/dev/null
wait_until 10 nic 52:54:00:72:01:01 || die "online: no NIC 52:54:00:72:01:01"
ip netns add $NS_ONLINE || die "ip netns add $NS_ONLINE"
in_ns $NS_ONLINE ip link set lo up
for spec in "52:54:00:72:01:01 $ONLINE_IP $ONLINE_IP6" "52:54:00:72:02:01 $ONLINE_TIP $ONLINE_TIP6"; do
	set -- $spec
	ifc=$(nic "$1") || die "online: no NIC $1"
	ip link set "$ifc" netns $NS_ONLINE
	in_ns $NS_ONLINE ip addr add "$2/24" dev "$ifc"
	# IPv6 as tests/lib.sh's topo_ipv6: no duplicate address
	# detection, so the address works at once.
	in_ns $NS_ONLINE ip -6 addr add "$3/64" dev "$ifc" nodad
	in_ns $NS_ONLINE ip link set "$ifc" up
done
ifc=$(nic 52:54:00:72:03:01) || die "online: no control NIC 52:54:00:72:03:01"
ip addr add 10.0.9.1/24 dev "$ifc"
ip link set "$ifc" up
NGINX_IPV6=1 nginx_start $NS_ONLINE online 8080
nginx_make_files online
module_load
echo "@@ ONLINE $(uname -r), $(nproc) CPU, replcopy $(cat /sys/module/replcopy/version 2>/dev/null || echo loaded)"
here=$(cd "$(dirname "$0")" && pwd)
BENCH_RUN=$WORK BASH_ENV=$here/online-lib.sh BENCH_TOP=$BENCH_TOP \
	BENCH_PEER_BIN=${BENCH_PEER_BIN:-} \
	python3 "$here/agent.py" 10.0.9.1 7000
echo "@@ ONLINE DONE"
check_dmesg_clean
finish
