#!/usr/bin/env python3
# @lint-avoid-python-3-compatibility-imports
#
# replcopy_wqlat  Worker queue delay (kick -> worker start) and worker run
#                 time of replcopy sessions, per worker model.
#                 For Linux, uses BCC, eBPF.
#
# USAGE: replcopy_wqlat.py [-h] [-T] [-m] [-Q | -R] [interval] [count]
#
# Attaches to the replcopy module's tracepoints:
#   replcopy:replcopy_enqueue       a session's worker is kicked (queued=1:
#                                   this kick queued the work item or made
#                                   the kthread's work pending)
#   replcopy:replcopy_worker_start  the worker begins a run for the session
#   replcopy:replcopy_worker_end    ... and ends it
# Queue delay is the time from the kick that queued to the run's start;
# run time is start to end. Models: wq (bound workqueue), wq_unbound
# (WQ_UNBOUND workqueue), kthread (one kthread per session; the first queue
# delay of a session includes creating its kthread).
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
    ./replcopy_wqlat.py             # queue delay and run time, Ctrl-C ends
    ./replcopy_wqlat.py 1 10        # 1 second summaries, 10 times
    ./replcopy_wqlat.py -Q          # queue delay only
    ./replcopy_wqlat.py -R -m 5     # run time only, milliseconds, every 5 s
    ./replcopy_wqlat.py -T 1        # 1 s summaries with timestamps
"""
parser = argparse.ArgumentParser(
    description="Summarize replcopy worker queue delay and run time as histograms, per worker model",
    formatter_class=argparse.RawDescriptionHelpFormatter,
    epilog=examples)
parser.add_argument("-T", "--timestamp", action="store_true",
                    help="include timestamp on output")
parser.add_argument("-m", "--milliseconds", action="store_true",
                    help="millisecond histograms")
group = parser.add_mutually_exclusive_group()
group.add_argument("-Q", "--queue", action="store_true",
                   help="only the queue delay (kick -> worker start)")
group.add_argument("-R", "--run", action="store_true",
                   help="only the run time (worker start -> end)")
parser.add_argument("interval", nargs="?", default=99999999,
                    help="output interval, in seconds")
parser.add_argument("count", nargs="?", default=99999999,
                    help="number of outputs")
parser.add_argument("--ebpf", action="store_true",
                    help=argparse.SUPPRESS)
args = parser.parse_args()
countdown = int(args.count)
interval = int(args.interval)

# Labels: worker model, and for wq whether the workqueue is unbound.
MODELS = {0: "wq", 1: "kthread", 2: "wq_unbound"}

bpf_text = """
#include <uapi/linux/ptrace.h>

typedef struct model_key {
    u32 model;
    u64 slot;
} model_key_t;

struct qinfo {
    u64 ts;
    u32 model;
};

struct total {
    u64 n;
    u64 ns;
};

BPF_HASH(queued, u32, struct qinfo, 65536);    /* sess_id -> oldest queued kick */
BPF_HASH(running, u32, struct qinfo, 65536);   /* sess_id -> run start */
BPF_HASH(models, u32, u32, 65536);             /* sess_id -> model label */
BPF_HISTOGRAM(qdist, model_key_t);
BPF_HISTOGRAM(rdist, model_key_t);
BPF_HASH(qtotal, u32, struct total);
BPF_HASH(rtotal, u32, struct total);
BPF_HASH(items, u32, u64);

static __always_inline void account(struct total *t, u64 delta)
{
    __sync_fetch_and_add(&t->n, 1);
    __sync_fetch_and_add(&t->ns, delta);
}

TRACEPOINT_PROBE(replcopy, replcopy_enqueue)
{
    u32 id = args->sess_id;
    u32 model = args->worker;
    struct qinfo q = {};

    if (model == 0 && args->unbound)
        model = 2;
    models.update(&id, &model);
    if (!args->queued)
        return 0;
    q.ts = bpf_ktime_get_ns();
    q.model = model;
    queued.insert(&id, &q);         /* keep the oldest */
    return 0;
}

TRACEPOINT_PROBE(replcopy, replcopy_worker_start)
{
    u32 id = args->sess_id;
    u64 now = bpf_ktime_get_ns();
    struct total zero = {}, *t;
    struct qinfo *q, r = {};
    u32 model = args->worker, *mp;

    mp = models.lookup(&id);
    if (mp)
        model = *mp;
    q = queued.lookup(&id);
    if (q) {
        u64 delta = now - q->ts;

        model = q->model;
        queued.delete(&id);
        if (DO_QUEUE) {
            t = qtotal.lookup_or_try_init(&model, &zero);
            if (t)
                account(t, delta);
            model_key_t key = {.model = model, .slot = bpf_log2l(delta / FACTOR)};
            qdist.increment(key);
        }
    }
    r.ts = now;
    r.model = model;
    running.update(&id, &r);
    return 0;
}

TRACEPOINT_PROBE(replcopy, replcopy_worker_end)
{
    u32 id = args->sess_id;
    struct total zero = {}, *t;
    struct qinfo *r;
    u64 delta, zero64 = 0, *it;
    u32 model;

    r = running.lookup(&id);
    if (!r)
        return 0;
    delta = bpf_ktime_get_ns() - r->ts;
    model = r->model;
    running.delete(&id);
    if (args->ended)
        models.delete(&id);
    if (!DO_RUN)
        return 0;
    t = rtotal.lookup_or_try_init(&model, &zero);
    if (t)
        account(t, delta);
    it = items.lookup_or_try_init(&model, &zero64);
    if (it)
        __sync_fetch_and_add(it, args->items);
    model_key_t key = {.model = model, .slot = bpf_log2l(delta / FACTOR)};
    rdist.increment(key);
    return 0;
}
"""
if args.milliseconds:
    bpf_text = bpf_text.replace("FACTOR", "1000000")
    label = "msecs"
else:
    bpf_text = bpf_text.replace("FACTOR", "1000")
    label = "usecs"
bpf_text = bpf_text.replace("DO_QUEUE", "0" if args.run else "1")
bpf_text = bpf_text.replace("DO_RUN", "0" if args.queue else "1")

if args.ebpf:
    print(bpf_text)
    exit()

if not os.path.exists("/sys/kernel/tracing/events/replcopy") and \
        not os.path.exists("/sys/kernel/debug/tracing/events/replcopy"):
    print("replcopy tracepoints not found: is the replcopy module loaded?",
          file=sys.stderr)
    exit(1)

b = BPF(text=bpf_text)


def model_name(m):
    return MODELS.get(m, "model%d" % m)


def _stop(signum, frame):
    raise KeyboardInterrupt


signal.signal(signal.SIGINT, _stop)
signal.signal(signal.SIGTERM, _stop)

print("Tracing replcopy worker queue delay and run time... Hit Ctrl-C to end.")
sys.stdout.flush()

qdist = b.get_table("qdist")
rdist = b.get_table("rdist")
qtotal = b.get_table("qtotal")
rtotal = b.get_table("rtotal")
items = b.get_table("items")
div = 1000000.0 if args.milliseconds else 1000.0
exiting = False
while True:
    try:
        sleep(interval)
    except KeyboardInterrupt:
        exiting = True

    print()
    if args.timestamp:
        print("%-8s" % strftime("%H:%M:%S"))
    if not args.run:
        print("queue delay (kick -> worker start):")
        qdist.print_log2_hist(label, "model", section_print_fn=model_name)
        for k, v in sorted(qtotal.items(), key=lambda kv: kv[0].value):
            print("queue %s: runs=%d avg=%.1f %s" %
                  (model_name(k.value), v.n, v.ns / v.n / div if v.n else 0,
                   label))
    if not args.queue:
        print("\nrun time (worker start -> end):")
        rdist.print_log2_hist(label, "model", section_print_fn=model_name)
        it = {k.value: v.value for k, v in items.items()}
        for k, v in sorted(rtotal.items(), key=lambda kv: kv[0].value):
            print("run %s: runs=%d items=%d avg=%.1f %s" %
                  (model_name(k.value), v.n, it.get(k.value, 0),
                   v.ns / v.n / div if v.n else 0, label))
    sys.stdout.flush()
    for t in (qdist, rdist, qtotal, rtotal, items):
        t.clear()

    countdown -= 1
    if exiting or countdown == 0:
        exit()
