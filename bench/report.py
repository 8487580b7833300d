#!/usr/bin/env python3
"""bench/report.py CONSOLE_LOG OUTDIR

Turn the console output of bench/guest.sh (raw facts between "@@" marker
lines) into OUTDIR/results.csv (one row per measured run), OUTDIR/results.md
(the tables of docs/BENCHMARKS.md) and the data files the gnuplot script
bench/plots.gp draws. Only ratios and increments measured in the same boot
are compared; nothing passes or fails.
"""
import csv
import json
import os
import re
import statistics
import sys

KLINE = re.compile(r"^\[\s*\d+\.\d+\]")


def parse_console(path):
    info, runs, lat, kthread, done = {}, [], {}, None, None
    cur = None          # current run dict
    fname, fbuf = None, None
    target = None       # where a file block goes (run or latency)
    with open(path, errors="replace") as f:
        for raw in f:
            line = raw.rstrip("\n")
            if fname is not None:
                if line == "@@ENDFILE":
                    target[fname] = "\n".join(fbuf)
                    fname = None
                elif not KLINE.match(line):
                    fbuf.append(line)
                continue
            if line.startswith("@@FILE "):
                fname, fbuf = line.split(None, 1)[1], []
                target = cur if cur is not None else info.setdefault("_files", {})
                continue
            if not line.startswith("@@ "):
                continue
            words = line[3:].split()
            kind, kv = words[0], dict(w.split("=", 1) for w in words[1:] if "=" in w)
            if kind == "INFO":
                info.update(kv)
            elif kind == "KTHREAD":
                kthread = line[3 + len("KTHREAD "):]
            elif kind == "RUN":
                cur = dict(kv)
            elif kind == "ENDRUN":
                runs.append(cur)
                cur = None
            elif kind == "LATENCY":
                d = {"status": kv.get("status")}
                lat[kv.get("config")] = d
                if kv.get("status") == "ran":
                    cur = d     # the next file block ("latency") goes here
            elif kind == "DONE":
                done = kv
            if kind != "LATENCY" and kind != "RUN" and cur is not None and "workload" not in cur:
                cur = None
    # a LATENCY dict opened as cur is closed by the next @@ line; tidy up
    return info, runs, lat, kthread, done


def to_ms(v, unit):
    return float(v) * {"us": 1e-3, "ms": 1.0, "s": 1e3, "secs": 1e3, "m": 6e4}[unit]


def parse_load(text):
    r = {"rps": None, "p50_ms": None, "p99_ms": None, "ok": None, "errors": 0,
         "offered": None, "total_s": None}
    m = re.search(r"offered: (\d+) workers x (\d+) req/s = (\d+)", text)
    if m:
        r["offered"] = int(m.group(3))
    m = re.search(r"Requests/sec:\s*([\d.]+)", text)
    if m:
        r["rps"] = float(m.group(1))
    if "Running" in text and "Thread Stats" in text:          # wrk
        for pct, key in (("50", "p50_ms"), ("99", "p99_ms")):
            m = re.search(r"^\s+%s(?:\.000)?%%\s+([\d.]+)(us|ms|s|m)\s*$" % pct, text, re.M)
            if m:
                r[key] = to_ms(m.group(1), m.group(2))
        m = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)", text)
        if m:
            r["ok"] = int(m.group(1))
            r["total_s"] = to_ms(m.group(2), m.group(3)) / 1e3
        m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
        if m:
            r["errors"] += int(m.group(1))
            r["ok"] -= int(m.group(1))
        m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
        if m:
            r["errors"] += sum(int(x) for x in m.groups())
    else:                                                     # hey
        for pct, key in (("50", "p50_ms"), ("99", "p99_ms")):
            m = re.search(r"^\s+%s%% in ([\d.]+) secs" % pct, text, re.M)
            if m:
                r[key] = float(m.group(1)) * 1e3
        if r["p99_ms"] is None:
            # hey prints no 99% line below 100 responses: the slowest
            # response stands in for it then.
            m = re.search(r"Slowest:\s*([\d.]+) secs", text)
            if m and float(m.group(1)) > 0:
                r["p99_ms"] = float(m.group(1)) * 1e3
        m = re.search(r"^\s*\[200\]\s+(\d+) responses", text, re.M)
        r["ok"] = int(m.group(1)) if m else 0
        m = re.search(r"Total:\s*([\d.]+) secs", text)
        if m:
            r["total_s"] = float(m.group(1))
        for m in re.finditer(r"^\s*\[(\d+)\]\s+.*$", text, re.M):
            if "responses" not in m.group(0):
                r["errors"] += int(m.group(1))
        for m in re.finditer(r"^\s*\[(\d{3})\]\s+(\d+) responses", text, re.M):
            if m.group(1) != "200":
                r["errors"] += int(m.group(2))
    return r


CPU_FIELDS = "user nice system idle iowait irq softirq steal".split()


def parse_cpu(text):
    snaps = {}
    for line in text.splitlines():
        w = line.split()
        if len(w) >= 10 and w[1] == "cpu":
            snaps[w[0]] = dict(zip(CPU_FIELDS, map(int, w[2:10])))
    return snaps


def parse_threads(text):
    th = {}
    for line in (text or "").splitlines():
        m = re.match(r"^(\d+) \((.*)\) (.*)$", line)
        if not m:
            continue
        rest = m.group(3).split()
        th[int(m.group(1))] = {"comm": m.group(2), "ppid": int(rest[1]),
                               "cpu": int(rest[11]) + int(rest[12]),
                               "stime": int(rest[12])}
    return th


def thread_delta(t0, t1, pred):
    tot = 0
    for tid, t in t1.items():
        if not pred(tid, t):
            continue
        # Match by thread id only: a kworker's name changes with the
        # workqueue it is running ("kworker/0:1-events").
        tot += t["cpu"] - (t0[tid]["cpu"] if tid in t0 else 0)
    return tot


def stats_of(line):
    try:
        j = json.loads(line)
    except ValueError:
        return None
    if not j.get("mappings"):
        return None
    return j["mappings"][0]["stats"]


def analyse(info, raw):
    row = {k: raw.get(k) for k in ("round", "config", "workload", "duration", "drain")}
    load = parse_load(raw.get("load", ""))
    row.update(load)
    cpu = parse_cpu(raw.get("cpu", ""))
    userhz = int(info.get("userhz", 100))
    jms = 1000.0 / userhz
    if "before" in cpu and "settled" in cpu:
        d = {k: cpu["settled"][k] - cpu["before"][k] for k in CPU_FIELDS}
        row["cpu_busy_ms"] = (d["user"] + d["nice"] + d["system"] + d["irq"] + d["softirq"] + d["steal"]) * jms
        row["cpu_kernel_ms"] = (d["system"] + d["irq"] + d["softirq"]) * jms
        row["cpu_softirq_ms"] = (d["softirq"] + d["irq"]) * jms
    t0, t1 = parse_threads(raw.get("threads0")), parse_threads(raw.get("threads1"))
    tgt = int(info.get("nginx_target", -1))
    is_tgt = lambda tid, t: t["comm"] == "nginx" and (tid == tgt or t["ppid"] == tgt)
    row["tgt_nginx_ms"] = thread_delta(t0, t1, is_tgt) * jms
    tgt_sys = sum(t["stime"] - (t0[tid]["stime"] if tid in t0 else 0)
                  for tid, t in t1.items() if is_tgt(tid, t)) * jms
    row["workers_ms"] = thread_delta(
        t0, t1, lambda tid, t: t["comm"].startswith(("kworker", "ksoftirqd", "replcopy", "rc-", "rc_"))) * jms
    def wc(text):
        c = {}
        for line in (text or "").splitlines():
            w = line.split()
            if len(w) == 2 and w[1] != "total":
                c["online" if "nginx-online" in w[1] else "target"] = int(w[0])
        return c
    c0, c1 = wc(raw.get("counts0")), wc(raw.get("counts1"))
    counts = {k: c1[k] - c0.get(k, 0) for k in c1}
    row["online_reqs"] = counts.get("online")
    row["target_reqs"] = counts.get("target")
    rs = {"before": stats_of(raw.get("rstats0", "")), "after": stats_of(raw.get("rstats1", ""))}
    a = rs.get("after")
    if a:
        b = rs.get("before") or {}
        # A mapping is added per configuration, so "before" is either the
        # same mapping earlier or none at all.
        dl = {k: a[k] - (b.get(k, 0) if b else 0) for k in a if k != "sess_active"}
        row["captured_bytes"] = dl.get("captured_bytes")
        row["acked_bytes"] = dl.get("acked_bytes")
        row["sessions"] = dl.get("sess_syn", 0) + dl.get("sess_fabricated", 0)
        row["sess_refused"] = dl.get("sess_refused")
        row["retrans"] = dl.get("retrans_segs")
        row["drops"] = sum(v for k, v in dl.items() if k.startswith("drop_"))
        row["sess_active_after"] = a.get("sess_active")
        if row["captured_bytes"]:
            row["fidelity_bytes_pct"] = 100.0 * row["acked_bytes"] / row["captured_bytes"]
    if row.get("online_reqs") and row.get("config") not in ("off", "hook", "nftdup"):
        row["fidelity_reqs_pct"] = 100.0 * (row["target_reqs"] or 0) / row["online_reqs"]
    m = re.search(r"start ([\d.]+) load ([\d.]+) loadend ([\d.]+) drained ([\d.]+) end ([\d.]+)",
                  raw.get("times", ""))
    if m:
        t = [float(x) for x in m.groups()]
        row["load_wall_s"] = t[2] - t[1]
        row["run_wall_s"] = t[4] - t[0]
    m = re.search(r"packets (\d+) bytes (\d+)", raw.get("nft", ""))
    if m:
        row["nft_dup_packets"] = int(m.group(1))
    if row.get("cpu_busy_ms") is not None and row.get("online_reqs"):
        n = row["online_reqs"]
        row["host_cpu_us_per_req"] = 1000.0 * (row["cpu_busy_ms"] - row["tgt_nginx_ms"]) / n
        row["kernel_cpu_us_per_req"] = 1000.0 * (row["cpu_kernel_ms"] - tgt_sys) / n
        row["workers_cpu_us_per_req"] = 1000.0 * row["workers_ms"] / n
    return row


COLUMNS = ["round", "config", "workload", "duration", "offered", "ok", "errors", "rps", "p50_ms",
           "p99_ms", "online_reqs", "target_reqs", "fidelity_reqs_pct", "captured_bytes",
           "acked_bytes", "fidelity_bytes_pct", "sessions", "sess_refused", "retrans", "drops",
           "sess_active_after", "drain", "nft_dup_packets", "cpu_busy_ms", "cpu_kernel_ms",
           "cpu_softirq_ms", "tgt_nginx_ms", "workers_ms", "host_cpu_us_per_req",
           "kernel_cpu_us_per_req", "workers_cpu_us_per_req", "load_wall_s", "run_wall_s"]


def med(rows, key):
    v = [r[key] for r in rows if r.get(key) is not None]
    return statistics.median(v) if v else None


def f(v, nd=1, suffix=""):
    if v is None:
        return "n/a"
    if isinstance(v, str):
        return v
    return f"{v:.{nd}f}{suffix}"


def ratio(a, b):
    return a / b if a is not None and b else None


def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


NAMES = {"off": "no replication", "nftdup": "nft dup (clone+route floor)", "wq": "replcopy wq (bound)",
         "wq-unbound": "replcopy wq unbound", "kthread": "replcopy kthread",
         "hook": "stage: hook only", "copy": "stage: hook+copy (target black-holed)"}


def parse_latency(text):
    """p50/p99 in microseconds from the latency tool's output: explicit
    'p50'/'p99' figures when it prints them, else from a bcc log2
    histogram (upper bound of the bucket holding the percentile)."""
    if not text:
        return None, None
    p = {}
    for key in ("50", "99"):
        m = re.search(r"p%s\D{0,6}([\d.]+)\s*(ns|us|usecs|ms|msecs)?" % key, text)
        if m:
            mult = {"ns": 1e-3, "ms": 1e3, "msecs": 1e3}.get(m.group(2) or "us", 1.0)
            p[key] = float(m.group(1)) * mult
    if len(p) == 2:
        return p["50"], p["99"]
    unit = 1.0
    um = re.search(r"^\s*(nsecs|usecs|msecs)\s*:", text, re.M)
    if um:
        unit = {"nsecs": 1e-3, "usecs": 1.0, "msecs": 1e3}[um.group(1)]
    buckets = [(int(m.group(2)), int(m.group(3)))
               for m in re.finditer(r"^\s*(\d+)\s*->\s*(\d+)\s*:\s*(\d+)", text, re.M)]
    buckets = [(int(m.group(2)), int(m.group(3)))
               for m in re.finditer(r"^\s*(\d+)\s*->\s*(\d+)\s*:\s*(\d+)", text, re.M)]
    if not buckets:
        return None, None
    total = sum(c for _, c in buckets)
    if not total:
        return None, None
    res = []
    for q in (0.5, 0.99):
        acc = 0
        for hi, c in buckets:
            acc += c
            if acc >= q * total:
                res.append(hi * unit)
                break
    return res[0], res[1]


def main():
    console, outdir = sys.argv[1], sys.argv[2]
    info, raws, lat, kthread, done = parse_console(console)
    rows = [analyse(info, r) for r in raws]
    with open(os.path.join(outdir, "results.csv"), "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS, extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow({k: (round(v, 3) if isinstance(v, float) else v) for k, v in r.items()})

    rate = int(info.get("rate", 200))
    main_rows = [r for r in rows if r["round"] != "sweep"]

    def pick(cfg, wl, rs=main_rows):
        return [r for r in rs if r["config"] == cfg and r["workload"] == wl]

    wls = ["wrk-ka", "hey-close", f"close-{rate}", f"ka-{rate}"]
    wl_desc = {"wrk-ka": f"wrk keep-alive, {info.get('ka_conc')} conns, unlimited",
               "hey-close": f"hey one conn/request, {info.get('cl_conc')} workers, unlimited",
               f"close-{rate}": f"hey one conn/request, {rate} req/s offered",
               f"ka-{rate}": f"hey keep-alive, {rate} req/s offered"}
    configs = [c for c in ["off", "nftdup", "wq", "wq-unbound", "kthread"]
               if any(r["config"] == c for r in main_rows)]
    stages = [c for c in ["off", "hook", "copy", "nftdup", "wq"] if any(r["config"] == c for r in main_rows)]
    md = []
    md.append(f"Kernel {info.get('kernel')}, replcopy {info.get('module')}, {info.get('cpus')} vCPUs (qemu TCG), "
              f"{info.get('duration')} s per run, {info.get('rounds')} round(s) (medians over rounds); "
              f"response: 1 KiB static file from nginx (1 worker process) on the online host.")
    envf = os.path.join(outdir, "env")
    if os.path.exists(envf):
        md.append("\n```\n" + open(envf).read().rstrip("\n") + "\n```")
    md.append("")
    md.append(f"kthread worker model: **{kthread or 'not probed'}**")
    if done:
        md.append(f"\nGuest time for the whole benchmark: {done.get('elapsed')} s.")

    # A: production path cost, off vs wq
    md.append("\n### A. Cost on the production path (replcopy wq vs no replication)\n")
    t = []
    for wl in wls:
        o, q = pick("off", wl), pick("wq", wl)
        if not o or not q:
            continue
        offered = med(o, "offered")
        t.append([wl_desc[wl], f(offered, 0) if offered else "unlimited",
                  f(med(o, "rps")), f(med(q, "rps")), f(ratio(med(q, "rps"), med(o, "rps")), 3),
                  f(med(o, "p99_ms"), 2), f(med(q, "p99_ms"), 2),
                  f(ratio(med(q, "p99_ms"), med(o, "p99_ms")), 2),
                  f(med(q, "errors"), 0)])
    md.append(table(["workload", "offered req/s (total)", "req/s off", "req/s wq", "throughput ratio",
                     "p99 ms off", "p99 ms wq", "p99 ratio", "client errors (wq)"], t))

    # B: fidelity sweep
    sweep = [r for r in rows if r["round"] == "sweep"]
    md.append("\n### B. Fidelity at rising offered rates (replcopy wq)\n")
    t, fid_dat = [], []
    rates = sorted({int(r["workload"].split("-")[1]) for r in sweep})
    for mode in ("ka", "close"):
        for rt in rates:
            q = pick("wq", f"{mode}-{rt}", sweep)
            o = pick("off", f"{mode}-{rt}", sweep)
            if not q:
                continue
            q = q[0]
            o = o[0] if o else {}
            t.append(["keep-alive" if mode == "ka" else "one conn/request", f(q.get("offered"), 0),
                      f(q.get("rps")), q.get("online_reqs"), q.get("target_reqs"),
                      f(q.get("fidelity_reqs_pct"), 2), q.get("captured_bytes"), q.get("acked_bytes"),
                      f(q.get("fidelity_bytes_pct"), 2), q.get("drops"), q.get("drain"),
                      f(o.get("p99_ms"), 2), f(q.get("p99_ms"), 2)])
            fid_dat.append((mode, rt, q.get("fidelity_bytes_pct"), q.get("fidelity_reqs_pct"),
                            o.get("p99_ms"), q.get("p99_ms"), o.get("rps"), q.get("rps")))
    md.append(table(["connections", "offered req/s", "achieved req/s", "online requests",
                     "target requests", "target/online %", "captured bytes", "acked bytes",
                     "acked/captured %", "drops", "drain s", "p99 ms off", "p99 ms wq"], t))

    # C: comparison
    md.append("\n### C. Worker models against the floor and no replication\n")
    off_host = {wl: med(pick("off", wl), "host_cpu_us_per_req") for wl in wls}
    off_kern = {wl: med(pick("off", wl), "kernel_cpu_us_per_req") for wl in wls}
    off_work = {wl: med(pick("off", wl), "workers_cpu_us_per_req") for wl in wls}
    t, c_dat = [], []
    for c in configs:
        def m(wl, key):
            return med(pick(c, wl), key)
        def inc(wl, key, base):
            v = m(wl, key)
            return v - base[wl] if v is not None and base[wl] is not None else None
        lp50, lp99 = (None, None)
        if c in lat and lat[c].get("latency"):
            lp50, lp99 = parse_latency(lat[c]["latency"])
        lat_s = ("n/a (tool not present)" if c not in lat or lat[c]["status"] == "missing" else
                 f"{f(lp50, 0)} / {f(lp99, 0)}" if lp50 is not None else "n/a (no output)") \
            if c not in ("off", "nftdup") else "—"
        fid = lambda wl: (f"{f(m(wl, 'fidelity_bytes_pct'), 2)} / {f(m(wl, 'fidelity_reqs_pct'), 2)}"
                          if c not in ("off", "nftdup") else "—")
        row = [NAMES.get(c, c),
               f(ratio(m("wrk-ka", "rps"), med(pick("off", "wrk-ka"), "rps")), 3),
               f(ratio(m("hey-close", "rps"), med(pick("off", "hey-close"), "rps")), 3),
               f(ratio(m("wrk-ka", "p99_ms"), med(pick("off", "wrk-ka"), "p99_ms")), 2),
               f(ratio(m(f"close-{rate}", "p99_ms"), med(pick("off", f"close-{rate}"), "p99_ms")), 2),
               fid(f"close-{rate}"), fid(f"ka-{rate}"),
               f"{f(m(f'close-{rate}', 'rps'))} / {f(m(f'ka-{rate}', 'rps'))}",
               f(inc(f"close-{rate}", "host_cpu_us_per_req", off_host), 0),
               f(inc(f"ka-{rate}", "host_cpu_us_per_req", off_host), 0),
               f(inc(f"close-{rate}", "kernel_cpu_us_per_req", off_kern), 0),
               f(inc(f"close-{rate}", "workers_cpu_us_per_req", off_work), 0),
               lat_s]
        t.append(row)
        c_dat.append((c, ratio(m("wrk-ka", "rps"), med(pick("off", "wrk-ka"), "rps")),
                      ratio(m("hey-close", "rps"), med(pick("off", "hey-close"), "rps")),
                      ratio(m("wrk-ka", "p99_ms"), med(pick("off", "wrk-ka"), "p99_ms")),
                      ratio(m("hey-close", "p99_ms"), med(pick("off", "hey-close"), "p99_ms")),
                      inc(f"close-{rate}", "host_cpu_us_per_req", off_host),
                      inc(f"ka-{rate}", "host_cpu_us_per_req", off_host)))
    if "kthread" not in configs:
        why = "not available" if kthread and kthread.startswith("not available") else "not measured"
        t.append([NAMES["kthread"]] + [why] * 11 + ["n/a"])
    md.append(table(["configuration", "req/s ratio wrk-ka", "req/s ratio hey-close", "p99 ratio wrk-ka",
                     f"p99 ratio close-{rate}", f"fidelity bytes / requests % (close-{rate})",
                     f"fidelity bytes / requests % (ka-{rate})",
                     f"achieved req/s close-{rate} / ka-{rate}",
                     f"extra CPU µs/request close-{rate}", f"extra CPU µs/request ka-{rate}",
                     f"of which kernel (sys+irq+softirq) close-{rate}",
                     f"of which kworker/ksoftirqd/module threads close-{rate}",
                     "capture→transmit µs p50 / p99"], t))

    # D: stage ablation
    md.append("\n### D. Stage ablation\n")
    t, d_dat = [], []
    for c in stages:
        def m(wl, key):
            return med(pick(c, wl), key)
        hi = m(f"close-{rate}", "host_cpu_us_per_req")
        hk = m(f"ka-{rate}", "host_cpu_us_per_req")
        r = [NAMES.get(c, c),
             f(ratio(m("wrk-ka", "rps"), med(pick("off", "wrk-ka"), "rps")), 3),
             f(ratio(m("hey-close", "rps"), med(pick("off", "hey-close"), "rps")), 3),
             f(ratio(m("wrk-ka", "p99_ms"), med(pick("off", "wrk-ka"), "p99_ms")), 2),
             f(hi - off_host[f"close-{rate}"] if hi is not None and off_host[f"close-{rate}"] is not None else None, 0),
             f(hk - off_host[f"ka-{rate}"] if hk is not None and off_host[f"ka-{rate}"] is not None else None, 0),
             f(m(f"close-{rate}", "sessions"), 0) if c in ("copy", "wq") else "—",
             f(m(f"close-{rate}", "drops"), 0) if c in ("copy", "wq") else "—"]
        t.append(r)
        d_dat.append((c, ratio(m("wrk-ka", "rps"), med(pick("off", "wrk-ka"), "rps")),
                      ratio(m("hey-close", "rps"), med(pick("off", "hey-close"), "rps")),
                      hi - off_host[f"close-{rate}"] if hi is not None and off_host[f"close-{rate}"] is not None else None,
                      hk - off_host[f"ka-{rate}"] if hk is not None and off_host[f"ka-{rate}"] is not None else None))
    md.append(table(["stage", "req/s ratio wrk-ka", "req/s ratio hey-close", "p99 ratio wrk-ka",
                     f"extra CPU µs/request close-{rate}", f"extra CPU µs/request ka-{rate}",
                     f"sessions (close-{rate})", f"replay drops (close-{rate})"], t))

    # raw per-run table
    md.append("\n### All runs (raw)\n")
    t = []
    for r in rows:
        t.append([r["round"], r["config"], r["workload"], f(r.get("offered"), 0) if r.get("offered") else "—",
                  f(r.get("rps")), f(r.get("p50_ms"), 2), f(r.get("p99_ms"), 2), r.get("ok"), r.get("errors"),
                  r.get("online_reqs"), r.get("target_reqs"), f(r.get("fidelity_bytes_pct"), 2),
                  f(r.get("host_cpu_us_per_req"), 0), r.get("drain")])
    md.append(table(["round", "config", "workload", "offered", "req/s", "p50 ms", "p99 ms", "ok",
                     "errors", "online reqs", "target reqs", "acked/captured %",
                     "host CPU µs/req", "drain s"], t))
    with open(os.path.join(outdir, "results.md"), "w") as fh:
        fh.write("\n".join(md) + "\n")

    def dat(name, header, data):
        with open(os.path.join(outdir, name), "w") as fh:
            fh.write("# " + " ".join(header) + "\n")
            for row in data:
                fh.write(" ".join("NaN" if v is None else (f"{v:.4f}" if isinstance(v, float) else str(v))
                                  for v in row) + "\n")

    dat("compare.dat", ["config", "tput_wrk_ka", "tput_hey_close", "p99_wrk_ka", "p99_hey_close",
                        "cpu_close", "cpu_ka"], c_dat)
    dat("stages.dat", ["stage", "tput_wrk_ka", "tput_hey_close", "cpu_close", "cpu_ka"], d_dat)
    for mode in ("ka", "close"):
        dat(f"fidelity-{mode}.dat", ["mode", "rate", "bytes_pct", "reqs_pct", "p99_off", "p99_wq",
                                     "rps_off", "rps_wq"], [d for d in fid_dat if d[0] == mode])
    print("\n".join(md))


if __name__ == "__main__":
    main()
