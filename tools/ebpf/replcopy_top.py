#!/usr/bin/env python3
# @lint-avoid-python-3-compatibility-imports
#
# replcopy_top  Per-interval summary of the replcopy module's activity:
#               its tracepoints counted per event and worker model.
#               For Linux, uses BCC, eBPF.
#
# USAGE: replcopy_top.py [-h] [-C] [-T] [interval] [count]
#
# Every tracepoint of the "replcopy" system is counted, with the payload
# bytes of replcopy_capture and replcopy_xmit, and the state changes by new
# state. The columns are the worker models of the sessions (wq, kthread).
#
# Copyright 2026 The replcopy authors.
# Licensed under the GNU General Public License, version 2.0 (GPL-2.0)

from __future__ import print_function
from bcc import BPF
from time import sleep, strftime
import argparse
import os
import signal
import sys

examples = """examples:
    ./replcopy_top.py            # every second, until Ctrl-C
    ./replcopy_top.py 5 10       # every 5 seconds, 10 times
    ./replcopy_top.py -C 1       # don't clear the screen
    ./replcopy_top.py -T 1       # with timestamps (implies -C)
    ./replcopy_top.py --cumulative 10   # totals since start, every 10 s
"""
parser = argparse.ArgumentParser(
    description="Per-interval summary of replcopy events, per worker model",
    formatter_class=argparse.RawDescriptionHelpFormatter,
    epilog=examples)
parser.add_argument("-C", "--noclear", action="store_true",
                    help="don't clear the screen")
parser.add_argument("-T", "--timestamp", action="store_true",
                    help="include timestamp on output")
parser.add_argument("--cumulative", action="store_true",
                    help="don't clear counts at each interval")
parser.add_argument("interval", nargs="?", default=1,
                    help="output interval, in seconds")
parser.add_argument("count", nargs="?", default=99999999,
                    help="number of outputs")
parser.add_argument("--ebpf", action="store_true",
                    help=argparse.SUPPRESS)
args = parser.parse_args()
countdown = int(args.count)
interval = int(args.interval)
if args.timestamp:
    args.noclear = True

MODELS = ["wq", "kthread"]
STATES = ["NONE", "SYN_SENT", "ESTABLISHED", "FIN_WAIT", "CLOSE_WAIT",
          "CLOSED"]

tracefs = None
for d in ("/sys/kernel/tracing", "/sys/kernel/debug/tracing"):
    if os.path.isdir(d + "/events/replcopy"):
        tracefs = d
        break
if not tracefs:
    print("replcopy tracepoints not found: is the replcopy module loaded?",
          file=sys.stderr)
    exit(1)
events = sorted(e for e in os.listdir(tracefs + "/events/replcopy")
                if os.path.isdir(os.path.join(tracefs, "events/replcopy", e)))

bpf_text = """
struct key {
    u32 event;      /* index in the event list, or STATE_BASE + state */
    u32 worker;
};
struct val {
    u64 n;
    u64 bytes;
};
BPF_HASH(counts, struct key, struct val);

static __always_inline void count(u32 event, u32 worker, u64 bytes)
{
    struct key k = {.event = event, .worker = worker};
    struct val zero = {}, *v;

    v = counts.lookup_or_try_init(&k, &zero);
    if (v) {
        __sync_fetch_and_add(&v->n, 1);
        __sync_fetch_and_add(&v->bytes, bytes);
    }
}
"""
STATE_BASE = 100
for i, e in enumerate(events):
    fmt = open(os.path.join(tracefs, "events/replcopy", e, "format")).read()
    worker = "args->worker" if "field:u8 worker;" in fmt else "0"
    nbytes = "args->len" if e in ("replcopy_capture", "replcopy_xmit") else "0"
    extra = ""
    if e == "replcopy_state":
        extra = "count(%d + args->new_state, %s, 0);" % (STATE_BASE, worker)
    bpf_text += """
TRACEPOINT_PROBE(replcopy, %s)
{
    count(%d, %s, %s);
    %s
    return 0;
}
""" % (e, i, worker, nbytes, extra)

if args.ebpf:
    print(bpf_text)
    exit()

b = BPF(text=bpf_text)


def _stop(signum, frame):
    raise KeyboardInterrupt


signal.signal(signal.SIGINT, _stop)
signal.signal(signal.SIGTERM, _stop)

print("Tracing %d replcopy events... Output every %d secs. Hit Ctrl-C to end."
      % (len(events), interval))
sys.stdout.flush()

counts = b.get_table("counts")
exiting = False
while True:
    try:
        sleep(interval)
    except KeyboardInterrupt:
        exiting = True

    if not args.noclear:
        print("\033[2J\033[H", end="")
    else:
        print()
    if args.timestamp:
        print("%-8s" % strftime("%H:%M:%S"))
    tab = {}
    for k, v in counts.items():
        tab[(k.event, k.worker)] = (v.n, v.bytes)
    print("%-24s %12s %12s %12s %14s" % ("EVENT", "WQ", "KTHREAD", "TOTAL",
                                        "BYTES"))
    rows = [(i, e) for i, e in enumerate(events)]
    rows += [(STATE_BASE + s, "  -> " + name) for s, name in enumerate(STATES)]
    for idx, name in rows:
        n = [tab.get((idx, w), (0, 0))[0] for w in range(len(MODELS))]
        by = sum(tab.get((idx, w), (0, 0))[1] for w in range(len(MODELS)))
        if idx >= STATE_BASE and not sum(n):
            continue
        print("%-24s %12d %12d %12d %14s" % (name, n[0], n[1], sum(n),
                                             by if by else "-"))
    sys.stdout.flush()
    if not args.cumulative:
        counts.clear()

    countdown -= 1
    if exiting or countdown == 0:
        exit()
