#!/bin/bash
# timeout: 300
# replctl save and apply. Non-default settings and three mappings with
# different options (one on the online address) are saved; after del --all
# and the settings set back to the defaults, apply of the saved file gives
# back the same list --json and show --json (session counts and mapping IDs
# aside; the mappings in the same order). A file with a bad line 3 changes
# nothing and exits 2 naming line 3. A file whose second add the kernel
# refuses (a multicast target) leaves the state exactly as it was, IDs
# included, and exits 1 naming that line; one that deleted and replaced
# mappings before the refusal gets them back. apply - reads standard input.
# Applying the same file twice: the second time changes nothing, prints
# nothing, exits 0. A user-namespace root may apply mappings to its own
# netns, but a set line that changes a module-wide setting makes the whole
# apply change nothing (permission denied).
source "$(dirname "$0")/../lib.sh"
topo_setup
module_load
dmesg_mark
ns=$NS_ONLINE
conf=$WORK/replcopy.conf

# state [keep-ids]: list --json and show --json as one JSON document,
# without the session counts; without the mapping IDs too (and sorted by
# online address and port instead), unless keep-ids: a mapping added again
# has a new ID.
state() {
	python3 - "$(replctl_in $ns list --json)" "$(replctl_in $ns show --json)" "${1:-}" <<'EOF'
import json, sys
maps, show, keep = json.loads(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3]
for m in maps:
    del m["sessions"]
    if keep != "keep-ids":
        del m["id"]
if keep != "keep-ids":
    maps.sort(key=lambda m: m["online"])
print(json.dumps({"mappings": maps, "settings": show}, sort_keys=True))
EOF
}

# set_words SHOW_JSON: the KEY VALUE words of `replctl set` for every
# setting of a `show --json`.
set_words() {
	python3 -c '
import json, sys
words = []
for k, v in json.loads(sys.argv[1]).items():
    if k == "module_version":
        continue
    if isinstance(v, bool):
        v = "on" if v else "off"
    words += [k.replace("_", "-"), str(v)]
print(" ".join(words))' "$1"
}

# id_of ONLINE: the ID of the mapping listed with that "online".
id_of() {
	json_get "$(replctl_in $ns list --json)" "[m['id'] for m in j if m['online'] == '$1'][0]"
}

# apply_run ARGS...: replctl apply in $ns; stdout in $out, stderr in $err,
# status in $rc.
apply_run() {
	rc=0
	replctl_in $ns apply "$@" >"$WORK/out" 2>"$WORK/err" || rc=$?
	out=$(cat "$WORK/out")
	err=$(cat "$WORK/err")
	[ -z "$out" ] || printf '%s\n' "$out" | sed 's/^/# out: /'
	[ -z "$err" ] || printf '%s\n' "$err" | sed 's/^/# err: /'
}

# --- save: non-default settings, three mappings ----------------------------

defaults=$(replctl_in $ns show --json)
log "defaults: $defaults"
replctl_in $ns set worker kthread wq-unbound on wq-max-active 64 \
	max-sessions 20000 max-session-bytes 1048576 max-total-kbytes 524288 \
	idle-timeout 120 syn-retries 3 max-retries 8 ||
	die "set non-default settings"
changed=$(replctl_in $ns show --json)
check_eq "every setting differs from its default" 0 \
	"$(python3 -c 'import json, sys
d, c = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(sum(d[k] == c[k] for k in d if k != "module_version"))' "$defaults" "$changed")"

replctl_in $ns add 11311 $TARGET_IP:11511 >/dev/null || die "add 11311"
replctl_in $ns add $ONLINE_IP:8080 $TARGET_IP:8081 --source client \
	--pacing response >/dev/null || die "add $ONLINE_IP:8080"
replctl_in $ns add 9000 $TARGET_IP:9000 --no-fabricate >/dev/null || die "add 9000"

before=$(state keep-ids)
saved=$(state)
order=$(json_get "$(replctl_in $ns list --json)" '" ".join(m["online"] for m in j)')
log "before: $before"

replctl_in $ns save >"$conf" || die "replctl save"
sed 's/^/# save: /' "$conf"
check_eq "save: starts with its header comment" "# replcopy configuration" "$(head -c 24 "$conf")"
check_eq "save: the header says replctl apply reads it" 1 \
	"$(grep -c '^# replctl apply FILE reads it back' "$conf")"
check_eq "save: one set line" 1 "$(grep -c '^set ' "$conf")"
check_eq "save: the set line has every setting" "$(set_words "$changed")" \
	"$(sed -n 's/^set //p' "$conf")"
check_eq "save: one add line per mapping, in ID order" "11311 $ONLINE_IP:8080 9000" \
	"$(awk '/^add / { printf "%s%s", sep, $2; sep = " " }' "$conf")"
check_eq "save: online address and options" \
	"add $ONLINE_IP:8080 $TARGET_IP:8081 --source client --pacing response" \
	"$(grep " $TARGET_IP:8081" "$conf")"
check_eq "save: default options left out" "add 11311 $TARGET_IP:11511" \
	"$(grep " $TARGET_IP:11511" "$conf")"
check_eq "save: --no-fabricate" "add 9000 $TARGET_IP:9000 --no-fabricate" \
	"$(grep " $TARGET_IP:9000" "$conf")"

# --- apply of the saved file into an empty namespace, default settings -----

replctl_in $ns del --all || fail "del --all"
# shellcheck disable=SC2046 # KEY VALUE words
replctl_in $ns set $(set_words "$defaults") || fail "set back to the defaults"
check_eq "settings back to the defaults" "$defaults" "$(replctl_in $ns show --json)"
check_eq "no mapping left" 0 "$(json_get "$(replctl_in $ns list --json)" 'len(j)')"

apply_run "$conf"
check_eq "apply of the saved file: exit 0" 0 "$rc"
check_empty "apply of the saved file: no message" "$err"
check_eq "apply prints its changes: one set, three adds" "set add add add" \
	"$(printf '%s\n' "$out" | awk '{ printf "%s%s", sep, $1; sep = " " }')"
check_eq "list --json and show --json as saved (IDs and session counts aside)" \
	"$saved" "$(state)"
check_eq "mappings in the same order as saved" "$order" \
	"$(json_get "$(replctl_in $ns list --json)" '" ".join(m["online"] for m in j)')"

# --- a bad line 3: nothing changes, exit 2 ---------------------------------

cur=$(state keep-ids)
printf 'set idle-timeout 99\nadd 7000 %s:7000\nadd 70000 %s:7001\nadd 7002 %s:7002\n' \
	$TARGET_IP $TARGET_IP $TARGET_IP >"$WORK/bad.conf"
apply_run "$WORK/bad.conf"
check_eq "a bad line: exit 2" 2 "$rc"
check_eq "a bad line: the message names line 3 and the parser's reason" \
	"replctl: apply: $WORK/bad.conf:3: PORT \"70000\" out of range: use 1-65535" "$err"
check_empty "a bad line: nothing printed" "$out"
check_eq "a bad line changes nothing" "$cur" "$(state keep-ids)"

# --- the kernel refuses the second add: everything undone, exit 1 ----------

{
	grep -v '^add ' "$conf" | sed 's/ idle-timeout 120 / idle-timeout 77 /'
	echo "add 7000 $TARGET_IP:7000"
	echo "add 7001 224.0.0.1:7001"		# multicast: refused
	grep '^add ' "$conf"
} >"$WORK/refused.conf"
grep -q ' idle-timeout 77 ' "$WORK/refused.conf" || die "refused.conf: no idle-timeout to change"
line=$(grep -n '224\.0\.0\.1' "$WORK/refused.conf" | cut -d: -f1)
apply_run "$WORK/refused.conf"
check_eq "second add refused: exit 1" 1 "$rc"
check_eq "second add refused: the kernel's message, on its line" 1 \
	"$(printf '%s\n' "$err" | grep -c "^replctl: apply: $WORK/refused.conf:$line: .*multicast")"
check_eq "second add refused: says the state was restored" 1 \
	"$(printf '%s\n' "$err" | grep -c '^replctl: apply: the state before apply was restored$')"
check_empty "second add refused: nothing printed" "$out"
check_eq "second add refused: state exactly as before (IDs included)" "$cur" "$(state keep-ids)"

# Refused after a delete and a replacement: those come back (new IDs).
id8080=$(id_of "$ONLINE_IP:8080")
{
	echo "set idle-timeout 77"
	echo "add 11311 $TARGET_IP:11512"	# another target: deleted, added again
	grep " $TARGET_IP:8081" "$conf"		# as it is: left alone
	echo "add 7001 224.0.0.1:7001"		# refused; 9000 is deleted before
} >"$WORK/refused2.conf"
apply_run "$WORK/refused2.conf"
check_eq "refused after deletes: exit 1" 1 "$rc"
check_eq "refused after deletes: the kernel's message, on line 4" 1 \
	"$(printf '%s\n' "$err" | grep -c "^replctl: apply: $WORK/refused2.conf:4: .*multicast")"
check_eq "refused after deletes: restored, with the new IDs" 1 \
	"$(printf '%s\n' "$err" | grep -c '^replctl: apply: the state before apply was restored; the mappings deleted and added again have new IDs: ')"
check_eq "refused after deletes: state as before (IDs aside)" "$saved" "$(state)"
check_eq "refused after deletes: the untouched mapping kept its ID" "$id8080" "$(id_of "$ONLINE_IP:8080")"

# --- apply - reads standard input ------------------------------------------

id9000=$(id_of "*:9000")
rc=0
out=$(grep -v " $TARGET_IP:9000" "$conf" | replctl_in $ns apply -) || rc=$?
log "$out"
check_eq "apply -: exit 0" 0 "$rc"
check_eq "apply -: deletes the mapping the file leaves out, and only it" \
	"del --id $id9000  # was add 9000 $TARGET_IP:9000 --no-fabricate" "$out"
check_eq "apply -: mapping 9000 gone, the other two left" "11311 8080" \
	"$(json_get "$(replctl_in $ns list --json)" '" ".join(sorted(str(m["port"]) for m in j))')"
rc=0
replctl_in $ns apply - <"$conf" >/dev/null || rc=$?
check_eq "apply - <FILE: exit 0" 0 "$rc"
check_eq "apply - <FILE: state as saved" "$saved" "$(state)"

# --- the same file twice: the second apply is a no-op ----------------------

replctl_in $ns set idle-timeout 33 || fail "set idle-timeout 33"
replctl_in $ns del 11311 || fail "del 11311"
apply_run "$conf"
check_eq "first apply: exit 0" 0 "$rc"
check_eq "first apply: sets idle-timeout back and adds 11311" \
	"set idle-timeout 120  # was 33|add 11311 $TARGET_IP:11511" \
	"$(printf '%s\n' "$out" | sed 's/  # ID [0-9]*$//' | paste -sd '|')"
mid=$(state keep-ids)
apply_run "$conf"
check_eq "second apply: exit 0" 0 "$rc"
check_empty "second apply: prints nothing" "$out$err"
check_eq "second apply: changes nothing (IDs included)" "$mid" "$(state keep-ids)"
check_eq "state as saved" "$saved" "$(state)"

# --- permissions: a user-namespace root and module-wide settings -----------

if userns_ok "permission part"; then
	# As user nobody, root of a new user and network namespace; the file
	# comes on standard input ($WORK is root's alone). Its set line holds
	# the current values: nothing to set, the add is made.
	{ grep '^set ' "$conf"; echo "add 7070 10.0.2.2:80"; } >"$WORK/userns.conf"
	rc=0
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups unshare -U -r -n sh -c \
		"ip link set lo up; $REPLCTL apply - && $REPLCTL list --json" \
		<"$WORK/userns.conf" 2>&1) || rc=$?
	log "$out"
	check_eq "userns root: apply with current settings: exit 0" 0 "$rc"
	check_eq "userns root: the mapping added in its netns" "add 7070 10.0.2.2:80  # ID 1" \
		"$(printf '%s\n' "$out" | head -n 1)"

	# A set line that changes a setting: refused, so nothing changes.
	printf 'set idle-timeout 31\nadd 7070 10.0.2.2:80\n' >"$WORK/userns-set.conf"
	rc=0
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups unshare -U -r -n sh -c \
		"ip link set lo up; $REPLCTL apply -; echo \"rc=\$?\"; $REPLCTL list --json" \
		<"$WORK/userns-set.conf" 2>&1) || rc=$?
	log "$out"
	check_eq "userns root: a set line is refused for permission, naming line 1" 1 \
		"$(printf '%s\n' "$out" | grep -c '^replctl: apply: <stdin>:1: permission denied (need CAP_NET_ADMIN in the initial user namespace')"
	check_eq "userns root: the whole apply changes nothing" 1 \
		"$(printf '%s\n' "$out" | grep -c '^replctl: apply: nothing was changed$')"
	check_eq "userns root: exit 1, no mapping added" "rc=1|[]" \
		"$(printf '%s\n' "$out" | tail -n 2 | paste -sd '|')"
	check_eq "userns root: module settings untouched" "$saved" "$(state)"
fi

check_dmesg_clean
finish
