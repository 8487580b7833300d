#!/bin/bash
# timeout: 900
# Generic netlink fuzzing (tests/fuzz/nlfuzz): NLFUZZ_N (default 100000)
# malformed and random requests as root in a netns, then as many as an
# unprivileged user (setpriv --reuid=65534 --inh-caps=-all). Every request
# gets an error or a correct answer; the settings and mappings always equal
# what the accepted requests made; the unprivileged run changes nothing; a
# bystander netns's mapping is untouched; the kernel log stays clean and
# nothing leaks after rmmod. NLFUZZ_SEED reproduces a run (the seeds are
# printed). The fuzz netns has an IPv4 and an IPv6 address on d0
# (nlfuzz's LOCAL_ADDR and LOCAL_ADDR6), so that the model knows which
# targets and online addresses of each family are local.
source "$(dirname "$0")/../lib.sh"
FUZZ=$TOP/tests/fuzz/nlfuzz
N=${NLFUZZ_N:-100000}
[ -x "$FUZZ" ] || skip "tests/fuzz/nlfuzz not built (make -C tests/fuzz)"
command -v setpriv >/dev/null || skip "setpriv (util-linux) missing"
# Slow kernels (debug: KASAN, lockdep) get fewer requests unless told.
if [ -z "${NLFUZZ_N:-}" ] && grep -q debug /proc/version; then
	N=30000
fi

module_load
dmesg_mark
for ns in fuzz bystander; do
	ip netns add $ns || die "ip netns add $ns"
	on_exit ip netns del $ns
	in_ns $ns ip link set lo up
done
in_ns fuzz ip link add d0 type veth peer name d1
in_ns fuzz ip addr add 10.77.0.1/24 dev d0
# Without duplicate address detection: usable at once (nlfuzz checks).
in_ns fuzz ip -6 addr add fd77::1/64 dev d0 nodad || die "IPv6 address on d0"
in_ns fuzz ip link set d0 up
replctl_in bystander add 8080 10.0.2.2:80 >/dev/null || die "bystander add"
before_by=$(replctl_in bystander list --json)
cfg_before=$(replctl show --json 2>/dev/null)

seed=${NLFUZZ_SEED:-$(( (RANDOM << 16) | RANDOM ))}
log "root: $FUZZ -n $N -s $seed (netns fuzz)"
start=$SECONDS
in_ns fuzz "$FUZZ" -n "$N" -s "$seed" -k > "$WORK/root.out" 2>&1
rc=$?
grep -v '^VIOLATION' "$WORK/root.out" | sed 's/^/# /'
grep '^VIOLATION' "$WORK/root.out" | head -20
check_eq "root fuzz run: no violation (seed $seed, $((SECONDS - start))s)" 0 "$rc"

# What the fuzzer kept (-k) is what replctl lists; then the fuzzer cleans
# up with a short run without -k.
left=$(sed -n 's/.* \([0-9]*\) mappings left.*/\1/p' "$WORK/root.out")
check_eq "replctl list shows the fuzzer's mappings" "$left" \
	"$(json_get "$(replctl_in fuzz list --json)" 'len(j)')"

# Unprivileged: against the netns with the mappings left by the root run.
log "unprivileged: setpriv --reuid=65534 --inh-caps=-all $FUZZ -u -n $N -s $((seed + 1))"
chmod o+rx "$WORK" 2>/dev/null
start=$SECONDS
in_ns fuzz setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
	"$FUZZ" -u -n "$N" -s $((seed + 1)) > "$WORK/unpriv.out" 2>&1
rc=$?
grep -v '^VIOLATION' "$WORK/unpriv.out" | sed 's/^/# /'
grep '^VIOLATION' "$WORK/unpriv.out" | head -20
check_eq "unprivileged fuzz run: no violation (seed $((seed + 1)), $((SECONDS - start))s)" 0 "$rc"
check_eq "unprivileged run changed no mapping" "$left" \
	"$(json_get "$(replctl_in fuzz list --json)" 'len(j)')"

in_ns fuzz "$FUZZ" -n 200 -s $((seed + 2)) > "$WORK/clean.out" 2>&1
rc=$?
grep '^VIOLATION' "$WORK/clean.out" | head -20
check_eq "cleanup run (no violation, seed $((seed + 2)))" 0 "$rc"
tail -1 "$WORK/clean.out" | sed 's/^/# /'
check_eq "fuzz netns empty after cleanup" 0 "$(json_get "$(replctl_in fuzz list --json)" 'len(j)')"
check_eq "bystander netns untouched" "$before_by" "$(replctl_in bystander list --json)"
[ -z "$cfg_before" ] || check_eq "module settings restored" "$cfg_before" "$(replctl show --json)"

replctl_in bystander del --all || fail "bystander del --all"
ip netns del fuzz
check_dmesg_clean
module_unload_checked
finish
