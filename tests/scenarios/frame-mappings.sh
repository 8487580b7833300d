#!/bin/bash
# timeout: 200
# add / list / del round trip: by port, by online address, by id, all.
source "$(dirname "$0")/../lib.sh"
topo_setup
module_load
dmesg_mark
ns=$NS_ONLINE

out=$(replctl_in $ns add 11311 10.0.2.2:11511) || fail "add 11311"
log "$out"
replctl_in $ns add $ONLINE_IP:8080 10.0.2.2:8081 --source client --pacing response --no-fabricate >/dev/null ||
	fail "add with every option"
replctl_in $ns add 9000 10.0.2.2:9000 >/dev/null || fail "add 9000"

list=$(replctl_in $ns list --json)
log "$list"
check_eq "three mappings listed" 3 "$(json_get "$list" 'len(j)')"
check_eq "port 11311 maps to 10.0.2.2:11511" "10.0.2.2:11511" \
	"$(json_get "$list" '[m["target_addr"] + ":" + str(m["target_port"]) for m in j if m["port"] == 11311][0]')"
check_eq "options kept" "client response 1" \
	"$(json_get "$list" '[" ".join((m["source"], m["pacing"], str(int("no_fabricate" in m["flags"])))) for m in j if m["port"] == 8080][0]')"
check_eq "online address kept" "$ONLINE_IP" \
	"$(json_get "$list" '[m["online_addr"] for m in j if m["port"] == 8080][0]')"
id9000=$(json_get "$list" '[m["id"] for m in j if m["port"] == 9000][0]')

# Text output shows the same mappings.
text=$(replctl_in $ns list)
log "$text"
for want in 11311 10.0.2.2:11511 "$ONLINE_IP:8080" 10.0.2.2:8081; do
	printf '%s' "$text" | grep -q -- "$want" || fail "text list lacks $want"
done

replctl_in $ns del --id "$id9000" || fail "del --id $id9000"
replctl_in $ns del $ONLINE_IP:8080 || fail "del $ONLINE_IP:8080"
check_eq "one mapping left" 1 "$(json_get "$(replctl_in $ns list --json)" 'len(j)')"
replctl_in $ns del 11311 || fail "del 11311"
check_eq "no mapping left" 0 "$(json_get "$(replctl_in $ns list --json)" 'len(j)')"
expect_fail 1 "no such mapping" "deleting a deleted mapping" replctl_in $ns del 11311

for p in 1 2 3; do replctl_in $ns add $p 10.0.2.2:80 >/dev/null; done
replctl_in $ns del --all || fail "del --all"
check_eq "del --all empties the table" 0 "$(json_get "$(replctl_in $ns list --json)" 'len(j)')"

# Settings round trip.
replctl_in $ns set max-sessions 1234 idle-timeout 77 || fail "set"
show=$(replctl_in $ns show --json)
log "$show"
check_eq "max-sessions set" 1234 "$(json_get "$show" 'j["max_sessions"]')"
check_eq "idle-timeout set" 77 "$(json_get "$show" 'j["idle_timeout"]')"
expect_fail 2 "syn-retries.*1-10" "a bad value refuses the whole set" \
	replctl_in $ns set max-sessions 99 syn-retries 99
check_eq "max-sessions unchanged after a refused set" 1234 \
	"$(json_get "$(replctl_in $ns show --json)" 'j["max_sessions"]')"

ver=$(replctl_in $ns version --json)
log "$ver"
check_eq "module version reported" "$(cat /sys/module/replcopy/version)" \
	"$(json_get "$ver" 'j["module"]["version"]')"
check_dmesg_clean
finish
