#!/bin/bash
# timeout: 200
# rmmod with mappings present in several netns frees everything; a new load
# starts empty.
source "$(dirname "$0")/../lib.sh"
topo_setup
module_load
dmesg_mark
for p in 8080 8081 8082; do
	replctl_in $NS_ONLINE add $p 10.0.2.2:80 >/dev/null || die "add $p in $NS_ONLINE"
done
replctl_in $NS_CLIENT add 7070 10.0.2.2:80 >/dev/null || die "add 7070 in $NS_CLIENT"
replctl add 6060 10.0.2.2:80 >/dev/null || die "add 6060 in the init netns"
check_eq "five mappings in three netns before rmmod" "3 1 1" \
	"$(json_get "$(replctl_in $NS_ONLINE list --json)" 'len(j)') $(json_get "$(replctl_in $NS_CLIENT list --json)" 'len(j)') $(json_get "$(replctl list --json)" 'len(j)')"
check "rmmod with live mappings" rmmod replcopy
check "module gone" test ! -d /sys/module/replcopy
insmod "$MODULE" || die "reload failed"
check_eq "a fresh load starts empty" 0 "$(json_get "$(replctl_in $NS_ONLINE list --json)" 'len(j)')"
check_dmesg_clean
finish
