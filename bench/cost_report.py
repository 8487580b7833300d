#!/usr/bin/env python3
"""bench/cost_report.py DIR: tables and plot data of a two-VM benchmark run.

Reads DIR/console.log (what bench/peer.sh printed: raw facts between "@@"
markers) and writes DIR/results.csv (one row per measured run),
DIR/results.md (the tables) and the data files of bench/cost_plots.gp.
All arithmetic of the benchmark is here; the guests only report.

    bench/cost_report.py --probe DIR BACKEND
prints one Markdown row of the network-backend probe (bench/run.sh
--probe-net) instead.

The online VM's busy CPU is user + nice + system + irq + softirq + steal of
the "cpu" line of its /proc/stat, over the window of a run (the load plus
the same settle time for every configuration). Per request, it is divided
by the requests the online nginx served in that window. A configuration's
cost is its increment over "off" measured in the same round, so that drift
between rounds cancels; figures are medians over rounds with the range.

"off" has IPv4 clients. The IPv6 configuration wq6 (IPv6 clients, replayed
to an IPv6 target) is reported over "off" like the others, so its
increment also holds what IPv6 itself costs the online host; with "off6"
(IPv6 clients, no mapping) in the run, section A6 also gives off6 - off
(IPv6's own difference) and wq6 - off6 (the replay over IPv6), same round.
"""
import csv
import os
import re
import statistics
import sys

CONFIGS = ["off", "nftdup", "wq", "wq-unbound", "wq-nogso", "kthread", "copies3", "sample10",
           "off6", "wq6", "tcpcopy"]
RATED = ["ka-1k", "close-1k", "ka-200k", "close-200k", "up-1m"]
REPLAYING = {"wq", "wq-unbound", "wq-nogso", "kthread", "copies3", "sample10", "wq6", "tcpcopy"}
# One copy, three, a tenth of the connections (section B2).
SHAPED = ("wq", "copies3", "sample10")
WL_TEXT = {
    "ka-1k": "1 KiB, keep-alive",
    "close-1k": "1 KiB, one connection per request",
    "ka-200k": "200 KiB, keep-alive",
    "close-200k": "200 KiB, one connection per request",
    "up-1m": "1 MiB POST, one connection per request",
    "close-cycle": "1 KiB, one connection per request, the source-port range cycled",
}


def parse(path):
    """The runs of a console log, and its @@ INFO / NOTAVAILABLE lines."""
    runs, info, notes = [], {"profiles": []}, []
    cur, block, lines = None, None, []
    with open(path, errors="replace") as f:
        for raw in f:
            line = raw.rstrip("\n")
            if block is not None:
                if line == "@@ENDFILE":
                    if cur is not None:
                        cur["files"][block] = lines
                    elif block in ("perf", "load") and info["profiles"] and \
                            block not in info["profiles"][-1]:
                        info["profiles"][-1][block] = lines
                    else:
                        info[block] = lines
                    block, lines = None, []
                else:
                    lines.append(line)
                continue
            if line.startswith("@@FILE "):
                block, lines = line[7:], []
            elif line.startswith("@@ RUN "):
                cur = dict(kv.split("=", 1) for kv in line[7:].split())
                cur["files"] = {}
            elif line.startswith("@@ ENDRUN"):
                if cur is not None:
                    runs.append(cur)
                cur = None
            elif line.startswith("@@ PROFILE "):
                info["profiles"].append(dict(kv.split("=", 1) for kv in line[11:].split()))
            elif line.startswith("@@ INFO "):
                info["INFO"] = line[8:]
            elif line.startswith("@@ NOTAVAILABLE ") or line.startswith("@@ CFGFAIL "):
                notes.append(line[3:])
    return runs, info, notes


def cpu_ticks(line):
    """(busy, total) ticks of a /proc/stat "cpu" line."""
    v = [int(x) for x in line.split()[1:]]
    v += [0] * (8 - len(v))
    busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7]
    return busy, busy + v[3] + v[4]


def facts_of(run):
    f = {}
    for line in run["files"].get("facts", []):
        parts = line.split(None, 1)
        if len(parts) == 2:
            f[parts[0]] = parts[1]
    return f


def derive(run, userhz):
    """The figures of one run (None where not measured)."""
    f = facts_of(run)
    load = "\n".join(run["files"].get("load", []))
    r = {"round": run["round"], "config": run["config"], "workload": run["workload"]}

    def field(k, pat):
        m = re.search(pat, f.get(k, ""))
        return m.group(1) if m else None

    # online0 / online1 hold three lines each: cpu, uptime, requests.
    on = {}
    for side in ("0", "1"):
        for line in run["files"].get("facts", []):
            if line.startswith("online%s " % side):
                k, rest = line[len("online%s " % side):].split(None, 1)
                on[(side, k)] = rest
    try:
        b0, t0 = cpu_ticks("cpu " + on[("0", "cpu")])
        b1, t1 = cpu_ticks("cpu " + on[("1", "cpu")])
        r["online_busy_s"] = (b1 - b0) / userhz
        r["window_s"] = float(on[("1", "uptime")]) - float(on[("0", "uptime")])
        r["online_requests"] = int(on[("1", "requests")]) - int(on[("0", "requests")])
        if ("0", "packets") in on and ("1", "packets") in on and r["online_requests"]:
            rx0, tx0 = (int(x) for x in on[("0", "packets")].split())
            rx1, tx1 = (int(x) for x in on[("1", "packets")].split())
            r["rx_per_req"] = (rx1 - rx0) / r["online_requests"]
            r["tx_per_req"] = (tx1 - tx0) / r["online_requests"]
    except (KeyError, ValueError):
        return None
    try:
        pb0, pt0 = cpu_ticks(f["peer0"])
        pb1, pt1 = cpu_ticks(f["peer1"])
        r["peer_busy_s"] = (pb1 - pb0) / userhz
    except (KeyError, ValueError):
        r["peer_busy_s"] = None
    try:
        r["target_requests"] = int(f["target_requests1"]) - int(f["target_requests0"])
    except (KeyError, ValueError):
        r["target_requests"] = None
    r["load_s"] = float(f["load_end"]) - float(f["load_start"]) if "load_end" in f else None
    # Busy share of the load's duration (the window also holds the settle
    # time, when both VMs are nearly idle): how close to saturation.
    if r["load_s"]:
        r["online_busy_pct"] = min(100.0, 100.0 * r["online_busy_s"] / r["load_s"])
        if r["peer_busy_s"] is not None:
            r["peer_busy_pct"] = min(100.0, 100.0 * r["peer_busy_s"] / r["load_s"])
    r["replay"] = f.get("replay", "")
    # Who was served, by address and count (which family the run used).
    r["online_clients"] = f.get("online_clients", "").strip()
    r["target_clients"] = f.get("target_clients", "").strip()
    r["put_replayed_s"] = (float(f["put_replayed"]) - float(f["load_start"])
                           if "put_replayed" in f else None)
    m = re.search(r"Requests/sec:\s+([\d.]+)", load)
    r["client_rps"] = float(m.group(1)) if m else None
    m = re.search(r"time_total ([\d.]+)", load)
    r["put_s"] = float(m.group(1)) if m else None
    m = re.search(r"code (\d+) upload_bytes (\d+)", load)
    r["put_ok"] = bool(m and m.group(1) in ("201", "204"))
    n = r["online_requests"]
    r["cpu_per_req_us"] = 1e6 * r["online_busy_s"] / n if n else None
    if r["workload"] == "put-64m":
        r["cpu_per_mib_ms"] = 1e3 * r["online_busy_s"] / 64
    if r["config"] in REPLAYING and n and r["target_requests"] is not None:
        r["replayed_pct"] = 100.0 * r["target_requests"] / n
    else:
        r["replayed_pct"] = None
    return r


def idle_pct(lines):
    """Busy % of the online VM in the idle block (two snapshots)."""
    cpu = {}
    for line in lines:
        p = line.split(None, 2)
        if len(p) == 3 and p[1] == "cpu":
            cpu[p[0]] = cpu_ticks("cpu " + p[2])
    if "online0" not in cpu or "online1" not in cpu:
        return None
    (b0, t0), (b1, t1) = cpu["online0"], cpu["online1"]
    return 100.0 * (b1 - b0) / max(1, t1 - t0)


def med(xs):
    xs = [x for x in xs if x is not None]
    if not xs:
        return None
    return statistics.median(xs), min(xs), max(xs), len(xs)


def fmt(s, digits=0, unit=""):
    if s is None:
        return "–"
    m, lo, hi, n = s
    if n == 1 or lo == hi:
        return "%.*f%s" % (digits, m, unit)
    return "%.*f%s [%.*f–%.*f]" % (digits, m, unit, digits, lo, digits, hi)


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "--probe":
        return probe(sys.argv[2], sys.argv[3])
    d = sys.argv[1]
    runs, info, notes = parse(os.path.join(d, "console.log"))
    m = re.search(r"userhz=(\d+)", info.get("INFO", ""))
    userhz = int(m.group(1)) if m else 100
    rows = [r for r in (derive(x, userhz) for x in runs) if r]
    idle = idle_pct(info.get("idle", []))
    cols = ["round", "config", "workload", "window_s", "load_s", "online_requests",
            "target_requests", "online_busy_s", "online_busy_pct", "peer_busy_s", "peer_busy_pct",
            "cpu_per_req_us", "rx_per_req", "tx_per_req", "replayed_pct", "client_rps", "put_s", "put_replayed_s", "replay",
            "online_clients", "target_clients"]
    with open(os.path.join(d, "results.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(cols)
        for r in rows:
            w.writerow(["" if r.get(c) is None else
                        ("%.3f" % r[c] if isinstance(r[c], float) else r[c]) for c in cols])

    by = {}
    for r in rows:
        by.setdefault((r["config"], r["workload"]), []).append(r)
    present = [c for c in CONFIGS if any(k[0] == c for k in by)]
    rounds = sorted({r["round"] for r in rows}, key=lambda x: int(x) if x.isdigit() else 0)

    # Increments over off (or BASE), per round (rel: in % of the base's
    # own figure).
    def inc(cfg, wl, key="cpu_per_req_us", rel=False, base="off"):
        out = []
        for rd in rounds:
            a = [r[key] for r in by.get((cfg, wl), []) if r["round"] == rd and r.get(key) is not None]
            b = [r[key] for r in by.get((base, wl), []) if r["round"] == rd and r.get(key) is not None]
            if a and b:
                out.append(100.0 * (a[0] - b[0]) / b[0] if rel else a[0] - b[0])
        return out

    md = []
    md.append("# Two-VM benchmark: the online host's cost")
    md.append("")
    md.append("Online VM: 1 vCPU pinned to one host core, running nginx and the "
              "replication under test only; clients, target and intercept in the "
              "peer VM on the other core. `%s`." % info.get("INFO", ""))
    md.append("")
    if idle is not None:
        md.append("The online VM idle (nothing sent) is %.1f %% busy (timer ticks under TCG): "
                  "part of every window, the same for every configuration." % idle)
        md.append("")
    if notes:
        for n in notes:
            md.append("- %s" % n)
        md.append("")
    md.append("## A. Extra online CPU per request (µs), over `off` in the same round")
    md.append("")
    md.append("Median over %d round(s) [range]. `off` shows its own CPU per request." % len(rounds))
    md.append("")
    if "wq6" in present or "off6" in present:
        md.append("`off` has IPv4 clients: the increments of `off6` and `wq6` (IPv6 clients) "
                  "also hold what IPv6 itself costs the online host; `off6` is that alone, "
                  "section A6 subtracts it.")
        md.append("")
    md.append("| workload | off (absolute) | " + " | ".join(c for c in present if c != "off") + " |")
    md.append("|---|" + "---:|" * len(present))
    plot = []
    for wl in RATED:
        if not any(k[1] == wl for k in by):
            continue
        cells = [fmt(med([r["cpu_per_req_us"] for r in by.get(("off", wl), [])]))]
        prow = [wl]
        for c in present:
            if c == "off":
                continue
            s = med(inc(c, wl))
            cells.append(fmt(s))
            rs = med(inc(c, wl, rel=True))
            prow.append("%.1f" % rs[0] if rs else "NaN")
        md.append("| %s | %s |" % (WL_TEXT[wl], " | ".join(cells)))
        plot.append(prow)
    md.append("")
    md.append("The same increments in % of `off`'s own CPU per request (per round, then the median):")
    md.append("")
    md.append("| workload | " + " | ".join(c for c in present if c != "off") + " |")
    md.append("|---|" + "---:|" * (len(present) - 1))
    for wl in RATED:
        if not any(k[1] == wl for k in by):
            continue
        md.append("| %s | %s |" % (WL_TEXT[wl], " | ".join(
            fmt(med(inc(c, wl, rel=True)), 0, " %") for c in present if c != "off")))
    md.append("")
    with open(os.path.join(d, "cost.dat"), "w") as f:
        f.write("workload " + " ".join(c for c in present if c != "off") + "\n")
        for p in plot:
            f.write(" ".join(p) + "\n")

    def sat_ratios(cfg, base="off"):
        out = []
        for rd in rounds:
            a = [r["client_rps"] for r in by.get((cfg, "sat"), []) if r["round"] == rd and r["client_rps"]]
            b = [r["client_rps"] for r in by.get((base, "sat"), []) if r["round"] == rd and r["client_rps"]]
            if a and b:
                out.append(a[0] / b[0])
        return out

    def verdict(v, limit, le=True):
        if v is None:
            return "–"
        return "yes" if (v <= limit if le else v >= limit) else "no"

    if "wq6" in present:
        md.append("## A6. IPv6: the replay over IPv6 against its own baseline")
        md.append("")
        md.append("`wq6`: the clients reach the online nginx over IPv6 and the mapping replays "
                  "to the target's IPv6 address (`replctl add 8080 '[fd00:2::2]:8081'`). "
                  "Increments per round, then the median [range]: `off6 − off` is what IPv6 "
                  "clients cost without replication, `wq6 − off6` the replay over IPv6, "
                  "`wq − off` the same replay over IPv4. µs per request; for the 64 MiB "
                  "PUT, ms per MiB.")
        md.append("")
        md.append("| workload | off6 (absolute) | off6 − off | wq6 − off | wq6 − off6 | wq − off |")
        md.append("|---|---:|---:|---:|---:|---:|")
        for wl in RATED + ["put-64m"]:
            if not any(k[1] == wl for k in by):
                continue
            key = "cpu_per_mib_ms" if wl == "put-64m" else "cpu_per_req_us"
            digits = 1 if wl == "put-64m" else 0
            md.append("| %s | %s | %s | %s | %s | %s |" % (
                WL_TEXT.get(wl, "64 MiB PUT, per MiB"),
                fmt(med([r.get(key) for r in by.get(("off6", wl), [])]), digits),
                fmt(med(inc("off6", wl, key)), digits),
                fmt(med(inc("wq6", wl, key)), digits),
                fmt(med(inc("wq6", wl, key, base="off6")), digits),
                fmt(med(inc("wq", wl, key)), digits)))
        md.append("")

        if by.get(("wq6", "sat")):
            md.append("Saturation (wrk, keep-alive 1 KiB), throughput ratios in the same round: "
                      "`off6` ÷ `off` %s, `wq6` ÷ `off6` %s, `wq6` ÷ `off` %s, `wq` ÷ `off` %s." % (
                          fmt(med(sat_ratios("off6", "off")), 2), fmt(med(sat_ratios("wq6", "off6")), 2),
                          fmt(med(sat_ratios("wq6", "off")), 2), fmt(med(sat_ratios("wq", "off")), 2)))
            md.append("")
        if "off6" not in present:
            md.append("No `off6` in this run: `wq6 − off` holds IPv6's own cost as well.")
            md.append("")

    md.append("## B. Against the targets (issue 12)")
    md.append("")
    md.append("Medians over rounds. CPU: the increment over `off` per request, ÷ tcpcopy's "
              "(target ≤ 0.20) and × `nft dup`'s (target ≤ 1.5; \"–\" where `nft dup`'s "
              "median increment is not above zero: below what the method resolves). "
              "Saturation: keep-alive 1 KiB throughput ÷ `off`'s in the same round "
              "(target ≥ 0.95). 64 MiB PUT: when the target had the whole replay, "
              "÷ the upload's own time (target ≤ 1.2).")
    md.append("")
    md.append("| figure | config | value | ÷ tcpcopy | × nft dup | met? |")
    md.append("|---|---|---:|---:|---:|---|")
    for wl in ("ka-1k", "close-1k"):
        nd = med(inc("nftdup", wl))
        tc = med(inc("tcpcopy", wl))
        for c in ("wq", "wq-unbound", "kthread"):
            s = med(inc(c, wl))
            if not s:
                continue
            r_tc = s[0] / tc[0] if tc and tc[0] > 0 else None
            r_nd = s[0] / nd[0] if nd and nd[0] > 0 else None
            met = []
            if r_tc is not None:
                met.append("%s (÷ tcpcopy)" % verdict(r_tc, 0.20))
            if r_nd is not None:
                met.append("%s (× nft dup)" % verdict(r_nd, 1.5))
            met = ", ".join(met) or "–"
            md.append("| %s: extra µs per request | %s | %.0f | %s | %s | %s |" % (
                WL_TEXT[wl], c, s[0], "%.2f" % r_tc if r_tc is not None else "–",
                "%.2f" % r_nd if r_nd is not None else "–", met))
    for c in ("wq", "wq-unbound", "kthread"):
        s = med(sat_ratios(c))
        if s:
            md.append("| saturation ÷ `off` | %s | %.2f | | | %s |" % (c, s[0], verdict(s[0], 0.95, le=False)))
    for c in ("wq", "wq-unbound", "kthread"):
        rs = by.get((c, "put-64m"), [])
        ratio = med([r["put_replayed_s"] / r["put_s"] for r in rs if r["put_replayed_s"] and r["put_s"]])
        if ratio:
            md.append("| 64 MiB PUT: replay done ÷ upload | %s | %.2f | | | %s |" % (c, ratio[0], verdict(ratio[0], 1.2)))
    md.append("")

    if any(c in present for c in ("copies3", "sample10")):
        md.append("## B2. Copies and sampling: extra online CPU per replicated request")
        md.append("")
        md.append("wq with one copy, `--copies 3` and `--sample 10`. The increment over `off` "
                  "per online request, how many requests the target served per online request, "
                  "and the increment divided by that: the cost of one replicated request.")
        md.append("")
        md.append("| workload | config | increment µs per online request | target ÷ online | µs per replicated request |")
        md.append("|---|---|---:|---:|---:|")
        for wl in RATED:
            for c in SHAPED:
                s = med(inc(c, wl))
                rp = med([r["replayed_pct"] for r in by.get((c, wl), [])])
                if not s or not rp or rp[0] <= 0:
                    continue
                md.append("| %s | %s | %.0f | %.2f | %.0f |" % (
                    WL_TEXT[wl], c, s[0], rp[0] / 100, s[0] * 100 / rp[0]))
        md.append("")

    md.append("## C. Online throughput at saturation (wrk, keep-alive 1 KiB)")
    md.append("")
    md.append("The peer VM's CPU shows whether the load generator (and the target, "
              "which shares its VM) was the bottleneck: near 100 % it was.")
    md.append("")
    md.append("CPU % is busy time over the load's duration.")
    md.append("")
    md.append("| config | req/s | ÷ off (same round) | online CPU % | peer CPU % |")
    md.append("|---|---:|---:|---:|---:|")
    sat_plot = []
    for c in present:
        rs = by.get((c, "sat"), [])
        if not rs:
            continue
        s = med(sat_ratios(c))
        md.append("| %s | %s | %s | %s | %s |" % (
            c, fmt(med([r["client_rps"] for r in rs])), fmt(s, 2),
            fmt(med([r["online_busy_pct"] for r in rs])),
            fmt(med([r["peer_busy_pct"] for r in rs]))))
        sat_plot.append("%s %.3f" % (c, s[0] if s else float("nan")))
    md.append("")
    with open(os.path.join(d, "saturation.dat"), "w") as f:
        f.write("# config throughput/off\n" + "\n".join(sat_plot) + "\n")

    md.append("## D. Replay completeness: requests the target served ÷ requests the online server served")
    md.append("")
    md.append("| workload | " + " | ".join(c for c in present if c in REPLAYING) + " |")
    md.append("|---|" + "---:|" * len([c for c in present if c in REPLAYING]))
    for wl in RATED + ["close-cycle", "sat"]:
        if not any(k[1] == wl for k in by):
            continue
        cells = [fmt(med([r["replayed_pct"] for r in by.get((c, wl), [])]), 1, " %")
                 for c in present if c in REPLAYING]
        md.append("| %s | %s |" % (WL_TEXT.get(wl, "saturation (wrk)"), " | ".join(cells)))
    md.append("")

    md.append("## E. A 64 MiB upload (curl PUT): the original, and when the target had the replay")
    md.append("")
    md.append("| config | upload s | replay done s (from the upload's start) | ÷ upload | extra online CPU ms per MiB |")
    md.append("|---|---:|---:|---:|---:|")
    for c in present:
        rs = by.get((c, "put-64m"), [])
        if not rs:
            continue
        ratio = [r["put_replayed_s"] / r["put_s"] for r in rs if r["put_replayed_s"] and r["put_s"]]
        md.append("| %s | %s | %s | %s | %s |" % (
            c, fmt(med([r["put_s"] for r in rs]), 1),
            fmt(med([r["put_replayed_s"] for r in rs]), 1) if c in REPLAYING else "n/a",
            fmt(med(ratio), 2) if c in REPLAYING else "n/a",
            fmt(med(inc(c, "put-64m", "cpu_per_mib_ms")), 1) if c != "off" else
            fmt(med([r.get("cpu_per_mib_ms") for r in rs]), 1) + " (absolute)"))
    md.append("")
    if any(r.get("rx_per_req") is not None for r in rows):
        md.append("## F. Packets the online VM received / sent per request (its two links)")
        md.append("")
        md.append("| workload | " + " | ".join(present) + " |")
        md.append("|---|" + "---:|" * len(present))
        for wl in RATED:
            if not any(k[1] == wl for k in by):
                continue
            cells = []
            for c in present:
                rx = med([r.get("rx_per_req") for r in by.get((c, wl), [])])
                tx = med([r.get("tx_per_req") for r in by.get((c, wl), [])])
                cells.append("%.1f / %.1f" % (rx[0], tx[0]) if rx and tx else "–")
            md.append("| %s | %s |" % (WL_TEXT[wl], " | ".join(cells)))
        md.append("")
    if info["profiles"]:
        md.append("## G. Where the online VM's time goes (perf, one extra run each, not measured)")
        md.append("")
        # Runs before 2026-12-07 have no inclusive part in their profiles.
        inclusive = any(l.startswith("-- inclusive") for pr in info["profiles"]
                        for l in pr.get("perf", []))
        md.append("`perf record -a -g -F 499 -e cpu-clock` on the online VM over one run; "
                  "the symbols above 0.3 % of the samples (self time; `native_safe_halt` is "
                  "the idle loop), then the call chains that end in `vp_notify` (virtio's "
                  "doorbell: each ring is an exit to qemu)" +
                  (", then the inclusive time (children: the function and all it called, "
                   "then its self time) of the module's functions and of the stack's paths "
                   "around them." if inclusive else "."))
        md.append("")
        for pr in info["profiles"]:
            md.append("### %s, %s" % (pr.get("config"), WL_TEXT.get(pr.get("workload"), pr.get("workload"))))
            md.append("")
            rps = [l.split(":", 1)[1].strip() for l in pr.get("load", []) if "Requests/sec:" in l]
            if rps:
                md.append("The load reached %s req/s under perf." % rps[0])
                md.append("")
            md.append("```")
            md.extend(pr.get("perf", ["(no report)"])[:150])
            md.append("```")
            md.append("")
    with open(os.path.join(d, "results.md"), "w") as f:
        f.write("\n".join(md) + "\n")
    print("\n".join(md))
    return 0


def probe(d, backend):
    runs, info, notes = parse(os.path.join(d, "console.log"))
    rows = [r for r in (derive(x, 100) for x in runs) if r]
    sat = [r["client_rps"] for r in rows if r["workload"] == "sat" and r["client_rps"]]
    put = [r["put_s"] for r in rows if r["workload"] == "put-64m" and r["put_s"] and r["put_ok"]]
    if not sat and not put:
        return 1
    print("| %s | %s | %s | %d rounds |" % (backend, fmt(med(sat)), fmt(med(put), 1),
                                            max(len(sat), len(put))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
