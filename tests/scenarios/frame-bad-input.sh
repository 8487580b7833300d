#!/bin/bash
# timeout: 200
# Every bad input is refused with a message that names it and an exit code
# that says who refused it (2: usage, 1: kernel); nothing half-applied stays.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../lib-servers.sh"
topo_setup
module_load
dmesg_mark
ns=$NS_ONLINE
r() { replctl_in $ns "$@"; }

# Usage errors, caught by replctl (exit 2).
expect_fail 2 'PORT.*70000.*1-65535' "port out of range" r add 70000 10.0.2.2:80
expect_fail 2 'PORT.*0.*1-65535' "port zero" r add 0 10.0.2.2:80
expect_fail 2 'port' "target without port" r add 8080 10.0.2.2
expect_fail 2 '300\.1\.1\.1' "bad target address" r add 8080 300.1.1.1:80
expect_fail 2 'TARGET' "missing target" r add 8080
expect_fail 2 'bogus' "bad --source value" r add 8080 10.0.2.2:80 --source bogus
expect_fail 2 'slow' "bad --pacing value" r add 8080 10.0.2.2:80 --pacing slow
expect_fail 2 'frobnicate' "unknown subcommand" r frobnicate
expect_fail 2 'worker' "bad worker model" r set worker fibers
expect_fail 2 'abc' "non-numeric setting" r set max-sessions abc
expect_fail 2 '--id' "del --id without a number" r del --id x

# Refused by the kernel (exit 1) with its extended-ack message.
expect_fail 1 'multicast|unicast' "multicast target" r add 8080 224.0.0.1:80
expect_fail 1 'broadcast|unicast' "broadcast target" r add 8080 255.255.255.255:80
expect_fail 1 'loopback' "loopback target" r add 8080 127.0.0.1:80
expect_fail 1 '0\.0\.0\.0|unicast|zero' "zero target" r add 8080 0.0.0.0:80
expect_fail 1 'own copies|itself' "target is the mapping itself" r add 8080 $ONLINE_IP:8080
expect_fail 1 'not a local address|local' "online address not local" r add 10.9.9.9:8080 10.0.2.2:80
r add 8080 10.0.2.2:80 >/dev/null || fail "a good add"
expect_fail 1 'exists|duplicate|already' "duplicate mapping" r add 8080 10.0.2.2:81
expect_fail 1 'exists|duplicate|already|overlap' "specific address over a wildcard" r add $ONLINE_IP:8080 10.0.2.2:81
expect_fail 1 'no such mapping' "del of an unknown port" r del 9999
expect_fail 1 'no such mapping' "del of an unknown id" r del --id 4242
expect_fail 2 'syn-retries.*1-10' "setting out of range" r set syn-retries 99
expect_fail 2 'wq-max-active.*0-512' "wq-max-active out of range" r set wq-max-active 100000

check_eq "only the good mapping is left" 1 "$(json_get "$(r list --json)" 'len(j)')"

# Settings at the edge of what can be counted without wrapping (replctl
# passes any u32 on; the module bounds them): refused, nothing changed.
cfg=$(r show --json)
expect_fail 1 'max.session.bytes.*range|range' "max-session-bytes 4294967295" \
	r set max-session-bytes 4294967295
expect_fail 1 'max.total.kbytes.*range|range' "max-total-kbytes 4294967295" \
	r set max-total-kbytes 4294967295
expect_fail 1 'max.sessions.*range|range' "max-sessions 4294967295" r set max-sessions 4294967295
expect_fail 1 'max.session.bytes.*range|range' "max-session-bytes 1 GiB + 1 in one request with a good one" \
	r set idle-timeout 100 max-session-bytes 1073741825
check_eq "settings unchanged by the refused requests" "$cfg" "$(r show --json)"

# Segments with a bad TCP checksum (hping3 -b): the local stack drops
# them, so they are not replayed either (drop_other), where the same SYNs
# with a good checksum start sessions.
if command -v hping3 >/dev/null; then
	before=$(rstat sess_syn,drop_other 8080)
	in_ns $NS_CLIENT hping3 -q -S -b -p 8080 -s 30000 -i u100000 -c 3 $ONLINE_IP >/dev/null 2>&1
	sleep 1
	after=$(rstat sess_syn,drop_other 8080)
	log "bad checksums: sess_syn/drop_other $before -> $after"
	check_eq "3 SYNs with a bad checksum: no session" "${before%%/*}" "${after%%/*}"
	check_eq "3 SYNs with a bad checksum: drop_other +3" "$(( ${before##*/} + 3 ))" "${after##*/}"
	in_ns $NS_CLIENT hping3 -q -S -p 8080 -s 31000 -i u100000 -c 3 $ONLINE_IP >/dev/null 2>&1
	sleep 1
	good=$(rstat sess_syn 8080)
	check "the same SYNs with a good checksum start sessions ($((good - ${after%%/*})))" \
		test "$good" -gt "${after%%/*}"
else
	fail "hping3 missing (make deps)"
fi

# Broadcast targets in a netns that has no IPv4 address yet (its local
# table, which tells broadcast addresses, does not exist): the limited
# broadcast address is always refused; a subnet's broadcast address cannot
# be told yet and is accepted, but once the subnet is configured nothing is
# ever sent there (counted as drop_noroute), and a new mapping to it is
# refused.
ip netns add bare || die "ip netns add bare"
on_exit ip netns del bare
ip netns add bclient || die "ip netns add bclient"
on_exit ip netns del bclient
in_ns bare ip link set lo up
b() { replctl_in bare "$@"; }
expect_fail 1 'limited broadcast' "255.255.255.255 in a netns without addresses" b add 8080 255.255.255.255:80
b add 8080 10.9.0.255:80 >/dev/null || fail "a subnet broadcast address cannot be told without addresses: accepted"
in_ns bare ip link add b0 type veth peer name b1 netns bclient
in_ns bare ip addr add 10.9.0.1/24 dev b0
in_ns bare ip link set b0 up
in_ns bclient ip addr add 10.9.0.2/24 dev b1
in_ns bclient ip link set b1 up
in_ns bclient ip link set lo up
expect_fail 1 'broadcast' "a subnet's broadcast address once configured" b add 8081 10.9.0.255:80
# An nginx on 8080: the target is connected only once a client completed
# its handshake (a SYN alone makes no target connection).
nginx_start bare bare 8080
for _ in 1 2 3; do in_ns bclient curl -s -m 2 -o /dev/null http://10.9.0.1:8080/; done
got=$(MAP_NS=bare rstat sess_syn,sent_segs,drop_noroute 8080)
log "bare netns, mapping 8080 -> 10.9.0.255:80: sess_syn/sent_segs/drop_noroute = $got"
check "sessions started for the client's SYNs" test "${got%%/*}" -ge 3
check_eq "nothing sent to the broadcast address" 0 "$(echo "$got" | cut -d/ -f2)"
check "every attempt counted as drop_noroute" test "${got##*/}" -ge 3
b del --all || fail "bare del --all"
check_dmesg_clean
finish
