#!/bin/bash
# timeout: 200
# Mappings belong to the netns where replctl ran: two netns never see each
# other's mappings, and deleting a netns takes its mappings with it.
source "$(dirname "$0")/../lib.sh"
module_load
dmesg_mark
for ns in red blue; do
	ip netns add $ns
	on_exit ip netns del $ns
done
replctl_in red add 8080 10.0.2.2:80 >/dev/null || fail "add in red"
replctl_in red add 8081 10.0.2.2:81 >/dev/null || fail "add 2 in red"
replctl_in blue add 8080 10.0.3.3:80 >/dev/null || fail "same port in blue is no duplicate"

check_eq "red sees its two" "8080 8081" \
	"$(json_get "$(replctl_in red list --json)" '" ".join(str(m["port"]) for m in sorted(j, key=lambda m: m["port"]))')"
check_eq "blue sees only its own" "10.0.3.3" \
	"$(json_get "$(replctl_in blue list --json)" '" ".join(m["target_addr"] for m in j)')"
check_eq "init netns sees none" 0 "$(json_get "$(replctl list --json)" 'len(j)')"
check_eq "ids are per netns" "1" "$(json_get "$(replctl_in blue list --json)" 'j[0]["id"]')"

replctl_in red del --all || fail "del --all in red"
check_eq "blue untouched by red's del --all" 1 "$(json_get "$(replctl_in blue list --json)" 'len(j)')"

ip netns del blue
ip netns add blue
check_eq "a new netns starts empty" 0 "$(json_get "$(replctl_in blue list --json)" 'len(j)')"

# Stats are per netns as well.
replctl_in red add 8080 10.0.2.2:80 >/dev/null
check_eq "stats in blue show no mapping" 0 \
	"$(json_get "$(replctl_in blue stats --json)" 'len(j["mappings"])')"
check_eq "stats in red show one" 1 \
	"$(json_get "$(replctl_in red stats --json)" 'len(j["mappings"])')"
check_dmesg_clean
finish
