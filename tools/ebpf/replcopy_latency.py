#!/usr/bin/env python3
# @lint-avoid-python-3-compatibility-imports
#
# replcopy_latency  Capture -> transmit latency of replayed client data,
#                   per worker model. For Linux, uses BCC, eBPF.
#
# USAGE: replcopy_latency.py [-h] [-T] [-m] [-b] [interval] [count]
#
# Attaches to the replcopy module's replcopy:replcopy_xmit tracepoint. Its
# new_len field counts the segment's client bytes never sent before, and
# cap_delay_ns is the time from the capture of the first of them (in the
# LOCAL_IN hook, softirq) to this, their first transmission toward the
# target by the session's worker (wq or kthread). Only first transmissions
# count: resent bytes, control segments and data captured before this tool
# started are left out. "bytes" below sums new_len: every captured byte
# counts once.
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
    ./replcopy_latency.py            # histogram per worker model, Ctrl-C ends
    ./replcopy_latency.py 1 10       # print 1 second summaries, 10 times
    ./replcopy_latency.py -m 5       # 5 s summaries, milliseconds
    ./replcopy_latency.py -T 1       # 1 s summaries with timestamps
    ./replcopy_latency.py -b         # also a histogram of segment sizes
"""
parser = argparse.ArgumentParser(
    description="Summarize replcopy capture -> transmit latency as histograms, per worker model",
    formatter_class=argparse.RawDescriptionHelpFormatter,
    epilog=examples)
parser.add_argument("-T", "--timestamp", action="store_true",
                    help="include timestamp on output")
parser.add_argument("-m", "--milliseconds", action="store_true",
                    help="millisecond histogram")
parser.add_argument("-b", "--bytes", action="store_true",
                    help="also show a histogram of segment payload sizes")
parser.add_argument("interval", nargs="?", default=99999999,
                    help="output interval, in seconds")
parser.add_argument("count", nargs="?", default=99999999,
                    help="number of outputs")
parser.add_argument("--ebpf", action="store_true",
                    help=argparse.SUPPRESS)
args = parser.parse_args()
countdown = int(args.count)
interval = int(args.interval)

MODELS = {0: "wq", 1: "kthread"}

bpf_text = """
#include <uapi/linux/ptrace.h>

typedef struct model_key {
    u32 worker;
    u64 slot;
} model_key_t;

struct total {
    u64 segs;
    u64 bytes;
    u64 ns;
};

BPF_HISTOGRAM(dist, model_key_t);
BPF_HISTOGRAM(sizes, model_key_t);
BPF_HASH(totals, u32, struct total);

TRACEPOINT_PROBE(replcopy, replcopy_xmit)
{
    struct total zero = {}, *t;
    u64 delta = args->cap_delay_ns;
    u32 worker = args->worker;

    if (args->new_len == 0 || delta == 0 || args->err != 0)
        return 0;
    t = totals.lookup_or_try_init(&worker, &zero);
    if (t) {
        __sync_fetch_and_add(&t->segs, 1);
        __sync_fetch_and_add(&t->bytes, args->new_len);
        __sync_fetch_and_add(&t->ns, delta);
    }
    delta /= FACTOR;
    model_key_t key = {.worker = worker, .slot = bpf_log2l(delta)};
    dist.increment(key);
    SIZES
    return 0;
}
"""
if args.milliseconds:
    bpf_text = bpf_text.replace("FACTOR", "1000000")
    label = "msecs"
else:
    bpf_text = bpf_text.replace("FACTOR", "1000")
    label = "usecs"
if args.bytes:
    bpf_text = bpf_text.replace("SIZES", """
    model_key_t skey = {.worker = worker, .slot = bpf_log2l(args->new_len)};
    sizes.increment(skey);""")
else:
    bpf_text = bpf_text.replace("SIZES", "")

if args.ebpf:
    print(bpf_text)
    exit()

if not os.path.exists("/sys/kernel/tracing/events/replcopy") and \
        not os.path.exists("/sys/kernel/debug/tracing/events/replcopy"):
    print("replcopy tracepoints not found: is the replcopy module loaded?",
          file=sys.stderr)
    exit(1)

b = BPF(text=bpf_text)


def model_name(w):
    return MODELS.get(w, "worker%d" % w)


# Background runs (tests) stop the tool with SIGINT or SIGTERM: both end it
# cleanly with a last summary.
def _stop(signum, frame):
    raise KeyboardInterrupt


signal.signal(signal.SIGINT, _stop)
signal.signal(signal.SIGTERM, _stop)

print("Tracing replcopy capture -> transmit latency... Hit Ctrl-C to end.")
sys.stdout.flush()

dist = b.get_table("dist")
sizes = b.get_table("sizes")
totals = b.get_table("totals")
exiting = False
while True:
    try:
        sleep(interval)
    except KeyboardInterrupt:
        exiting = True

    print()
    if args.timestamp:
        print("%-8s" % strftime("%H:%M:%S"))
    dist.print_log2_hist(label, "worker", section_print_fn=model_name)
    if args.bytes:
        sizes.print_log2_hist("bytes", "worker", section_print_fn=model_name)
    for k, v in sorted(totals.items(), key=lambda kv: kv[0].value):
        avg = v.ns / v.segs / (1000000.0 if args.milliseconds else 1000.0) \
            if v.segs else 0
        print("worker %s: segs=%d bytes=%d avg=%.1f %s" %
              (model_name(k.value), v.segs, v.bytes, avg, label))
    sys.stdout.flush()
    dist.clear()
    sizes.clear()
    totals.clear()

    countdown -= 1
    if exiting or countdown == 0:
        exit()
