#!/bin/bash
# timeout: 300
# replctl stats --prometheus, after nginx traffic (hey) through a mapping on
# any address and next to one on the online address that saw none: the
# exposition parses with python3-prometheus-client
# (text_string_to_metric_families), every family has HELP and a counter or
# gauge TYPE and its samples together, and every sample equals the same
# counter of `replctl stats --json` read around it (labels id, online,
# target; drop_* as replcopy_drops_total{reason}; the namespace totals as
# replcopy_netns_*), with nothing missing and nothing extra; --id gives that
# mapping alone, without totals. --write FILE writes the same text, mode
# 0644 under umask 022, replacing the file (new inode) and leaving no
# temporary file; into a missing directory it exits 3 and makes nothing;
# with --json it is a usage error (2).
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../lib-servers.sh"
# shellcheck disable=SC2034 # MAP_PORT is read by lib-servers.sh
MAP_PORT=8080
URL=http://$ONLINE_IP:8080

# The reference parser is one of the suite's dependencies: missing, fail.
python3 -c 'import prometheus_client.parser' 2>/dev/null ||
	die "python3-prometheus-client is not installed (make deps)"

nginx_pair_setup
module_load
dmesg_mark
ns=$MAP_NS

replctl_in $ns add 8080 $TARGET_IP:8081 >/dev/null || die "replctl add 8080 $TARGET_IP:8081"
replctl_in $ns add $ONLINE_IP:9000 $TARGET_IP:9000 >/dev/null || die "replctl add $ONLINE_IP:9000 $TARGET_IP:9000"
set_worker
id8080=$(json_get "$(replctl_in $ns list --json)" '[m["id"] for m in j if m["port"] == 8080][0]')

log "keep-alive: hey -c 10 $URL/small.html (LOAD=$LOAD)"
hey_check keep-alive 500 -c 10 "$URL/small.html"
log "one connection per request: hey -c 5 -disable-keepalive $URL/200k.bin"
hey_check one-per-connection 50 -c 5 -disable-keepalive "$URL/200k.bin"
wait_replay_idle || fail "replay not idle: $(rstats_line)"

# The exposition against --json: the metric names as replctl(8) documents
# them (PROMETHEUS METRICS), written out here so that a renamed metric
# fails this check.
cat > "$WORK/compare.py" <<'EOF'
import json, sys
from prometheus_client.parser import text_string_to_metric_families

NAMES = {
    "captured_segs": "captured_segments_total",
    "captured_bytes": "captured_bytes_total",
    "sess_syn": "sessions_syn_total",
    "sess_fabricated": "sessions_fabricated_total",
    "sess_established": "sessions_established_total",
    "sess_closed": "sessions_closed_total",
    "sess_reset": "sessions_reset_total",
    "sess_timedout": "sessions_timedout_total",
    "sess_refused": "sessions_refused_total",
    "sent_segs": "sent_segments_total",
    "sent_bytes": "sent_bytes_total",
    "retrans_segs": "retransmitted_segments_total",
    "resp_segs": "response_segments_total",
    "resp_bytes": "response_bytes_total",
    "acked_bytes": "acked_bytes_total",
    "sess_active": "sessions_active",
    "port_reused": "ports_reused_total",
    "syn_rst": "syn_rst_total",
    "kthread_wq": "kthread_wq_sessions_total",
    "queued_bytes": "queued_bytes",
    "pmtu_lowered": "pmtu_lowered_total",
    "zero_wnd_probes": "zero_window_probes_total",
    "syn_unconfirmed": "syn_unconfirmed_total",
    "rst_unanswered": "rst_unanswered_total",
    "sess_unsampled": "sessions_unsampled_total",
}
GAUGES = {"sess_active", "queued_bytes"}

js = json.load(open(sys.argv[1]))
text = open(sys.argv[2]).read()
what = sys.argv[3]
fails = 0


def bad(msg):
    global fails
    fails += 1
    print(f"FAIL: {what}: {msg}")


def key(name, labels):
    return name + "{" + ",".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}"


got, home = {}, {}
for i, fam in enumerate(text_string_to_metric_families(text)):
    if fam.type not in ("counter", "gauge"):
        bad(f"family {fam.name} has type {fam.type}")
    if not fam.documentation:
        bad(f"family {fam.name} has no HELP")
    for s in fam.samples:
        if home.setdefault(s.name, i) != i:
            bad(f"the samples of {s.name} are not together")
        k = key(s.name, s.labels)
        if k in got:
            bad(f"{k} twice")
        got[k] = (s.value, fam.type)

want = {}


def expect(prefix, labels, stats):
    for c, v in stats.items():
        if c.startswith("drop_"):
            name, lab = prefix + "drops_total", dict(labels, reason=c[5:])
        elif c in NAMES:
            name, lab = prefix + NAMES[c], labels
        else:
            bad(f"counter {c} of --json has no documented metric")
            continue
        want[key(name, lab)] = (float(v), "gauge" if c in GAUGES else "counter")


for m in js["mappings"]:
    expect("replcopy_", {"id": str(m["id"]), "online": m["online"],
                         "target": m["target"]}, m["stats"])
if "total" in js:
    expect("replcopy_netns_", {}, js["total"]["stats"])

for k, (v, t) in want.items():
    if k not in got:
        bad(f"{k} missing (--json: {v:.0f})")
    elif got[k] != (v, t):
        bad(f"{k} is {got[k][0]:.0f} ({got[k][1]}), --json {v:.0f} ({t})")
for k in got:
    if k not in want:
        bad(f"{k} is not in --json")
nonzero = sum(1 for v, _ in want.values() if v)
if not nonzero:
    bad("every counter is 0: nothing was compared")
if not fails:
    print(f"ok: {what}: {len(got)} samples of {len(js['mappings'])} mapping(s)"
          f"{' and the totals' if 'total' in js else ''} equal --json"
          f" ({nonzero} non-zero)")
sys.exit(1 if fails else 0)
EOF

# read_pair TAG ARGS...: --json, --prometheus, --json again, until the two
# --json readings agree (no counter moved meanwhile); $WORK/TAG.json and
# $WORK/TAG.prom.
read_pair() {
	local tag=$1
	shift
	for _ in 1 2 3 4 5; do
		replctl_in $ns stats --json "$@" > "$WORK/$tag.json" || return 1
		replctl_in $ns stats --prometheus "$@" > "$WORK/$tag.prom" || return 1
		replctl_in $ns stats --json "$@" > "$WORK/$tag.json2" || return 1
		cmp -s "$WORK/$tag.json" "$WORK/$tag.json2" && return 0
		sleep 1
	done
	log "the counters kept moving"
	return 1
}

if read_pair all; then
	log "$(grep -c -v '^#' "$WORK/all.prom") samples, e.g.:"
	grep -m 3 '^replcopy_captured_bytes_total' "$WORK/all.prom" | sed 's/^/#   /'
	grep -q "^replcopy_captured_bytes_total{id=\"$id8080\",online=\"\*:8080\",target=\"$TARGET_IP:8081\"} [1-9]" "$WORK/all.prom" ||
		fail "no non-zero captured_bytes sample for mapping $id8080 (*:8080)"
	grep -q "^replcopy_captured_bytes_total{id=\"[0-9]*\",online=\"$ONLINE_IP:9000\",target=\"$TARGET_IP:9000\"} 0\$" "$WORK/all.prom" ||
		fail "no captured_bytes sample 0 for $ONLINE_IP:9000"
	python3 "$WORK/compare.py" "$WORK/all.json" "$WORK/all.prom" "every mapping" || _failed=1
else
	fail "replctl stats --json/--prometheus failed or kept changing"
fi

if read_pair one --id "$id8080"; then
	check_empty "--id: no netns totals" "$(grep '^replcopy_netns_' "$WORK/one.prom")"
	python3 "$WORK/compare.py" "$WORK/one.json" "$WORK/one.prom" "--id $id8080" || _failed=1
else
	fail "replctl stats --id $id8080 --json/--prometheus failed or kept changing"
fi

# --write: the same text, replacing the file, nothing else left behind.
dir=$WORK/textfile_collector
mkdir -p "$dir"
echo "stale" > "$dir/replcopy.prom"
ino=$(stat -c %i "$dir/replcopy.prom")
written=no
for _ in 1 2 3 4 5; do
	replctl_in $ns stats --prometheus > "$WORK/w1.prom" || break
	(umask 022 && replctl_in $ns stats --prometheus --write "$dir/replcopy.prom") ||
		{ fail "replctl stats --prometheus --write failed"; break; }
	replctl_in $ns stats --prometheus > "$WORK/w2.prom" || break
	if cmp -s "$WORK/w1.prom" "$WORK/w2.prom"; then
		written=yes
		break
	fi
	sleep 1
done
if [ $written = yes ]; then
	check "--write FILE holds what stdout gets" cmp "$WORK/w1.prom" "$dir/replcopy.prom"
	check_eq "--write: mode 0644 under umask 022" 644 "$(stat -c %a "$dir/replcopy.prom")"
	check "--write replaced the file (new inode)" test "$(stat -c %i "$dir/replcopy.prom")" != "$ino"
	check_eq "--write left no temporary file" replcopy.prom "$(ls -A "$dir")"
else
	fail "replctl stats --prometheus (with --write) failed or kept changing"
fi

expect_fail 3 "--write $WORK/nodir/replcopy.prom: cannot create a temporary file" \
	"--write into a missing directory" \
	replctl_in $ns stats --prometheus --write "$WORK/nodir/replcopy.prom"
check "--write into a missing directory made nothing" test ! -e "$WORK/nodir"
expect_fail 2 "--prometheus and --json" "--prometheus with --json" \
	replctl_in $ns stats --prometheus --json

check_dmesg_clean
finish
