#!/bin/bash
# timeout: 200
# Every bad input is refused with a message that names it and an exit code
# that says who refused it (2: usage, 1: kernel); nothing half-applied stays.
source "$(dirname "$0")/../lib.sh"
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
check_dmesg_clean
finish
