#!/usr/bin/env python3
# @lint-avoid-python-3-compatibility-imports
#
# replcopy_kthread_cost  Cost of creating one kthread per replayed connection
#                        (replcopy's kthread worker model).
#                        For Linux, uses BCC, eBPF.
#
# USAGE: replcopy_kthread_cost.py [-h] [-T] [-m] [interval] [count]
#
# Two histograms:
#   create     kthread_create_on_node() duration in replcopy's spawner
#              thread (kprobe + kretprobe, filtered to the comm
#              "replcopy_spawn": other kthread creations are ignored)
#   first run  from the creation (tracepoint replcopy:replcopy_kthread_spawn)
#              to the new thread's first replcopy:replcopy_worker_start
# The spawner's own measurement (the tracepoint's create_ns field) is
# totalled too, as a cross-check of the kprobe figure.
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
    ./replcopy_kthread_cost.py          # histograms, Ctrl-C ends
    ./replcopy_kthread_cost.py 1 10     # 1 second summaries, 10 times
    ./replcopy_kthread_cost.py -m 5     # milliseconds, every 5 s
    ./replcopy_kthread_cost.py -T 1     # 1 s summaries with timestamps
"""
parser = argparse.ArgumentParser(
    description="Summarize the cost of replcopy's per-connection kthread creation",
    formatter_class=argparse.RawDescriptionHelpFormatter,
    epilog=examples)
parser.add_argument("-T", "--timestamp", action="store_true",
                    help="include timestamp on output")
parser.add_argument("-m", "--milliseconds", action="store_true",
                    help="millisecond histograms")
parser.add_argument("interval", nargs="?", default=99999999,
                    help="output interval, in seconds")
parser.add_argument("count", nargs="?", default=99999999,
                    help="number of outputs")
parser.add_argument("--ebpf", action="store_true",
                    help=argparse.SUPPRESS)
args = parser.parse_args()
countdown = int(args.count)
interval = int(args.interval)

bpf_text = """
#include <uapi/linux/ptrace.h>
#include <linux/sched.h>

struct total {
    u64 n;
    u64 ns;
};

BPF_HASH(start, u32, u64);                 /* spawner tid -> entry time */
BPF_HASH(spawned, u32, u64, 65536);        /* sess_id -> creation time */
BPF_HISTOGRAM(create_dist);
BPF_HISTOGRAM(first_dist);
BPF_ARRAY(totals, struct total, 4);        /* create, first run, tp, errors */

static __always_inline int is_spawner(void)
{
    char comm[TASK_COMM_LEN];
    char want[] = "replcopy_spawn";
    int i;

    bpf_get_current_comm(&comm, sizeof(comm));
#pragma unroll
    for (i = 0; i < sizeof(want); i++)
        if (comm[i] != want[i])
            return 0;
    return 1;
}

static __always_inline void account(int idx, u64 delta)
{
    struct total *t = totals.lookup(&idx);

    if (t) {
        __sync_fetch_and_add(&t->n, 1);
        __sync_fetch_and_add(&t->ns, delta);
    }
}

int create_entry(struct pt_regs *ctx)
{
    u32 tid = bpf_get_current_pid_tgid();
    u64 ts;

    if (!is_spawner())
        return 0;
    ts = bpf_ktime_get_ns();
    start.update(&tid, &ts);
    return 0;
}

int create_return(struct pt_regs *ctx)
{
    u32 tid = bpf_get_current_pid_tgid();
    u64 *tsp, delta;

    tsp = start.lookup(&tid);
    if (!tsp)
        return 0;
    delta = bpf_ktime_get_ns() - *tsp;
    start.delete(&tid);
    account(0, delta);
    create_dist.increment(bpf_log2l(delta / FACTOR));
    return 0;
}

TRACEPOINT_PROBE(replcopy, replcopy_kthread_spawn)
{
    u32 id = args->sess_id;
    u64 ts = bpf_ktime_get_ns();

    if (args->err) {
        account(3, 0);
        return 0;
    }
    account(2, args->create_ns);
    spawned.update(&id, &ts);
    return 0;
}

TRACEPOINT_PROBE(replcopy, replcopy_worker_start)
{
    u32 id = args->sess_id;
    u64 *tsp, delta;

    tsp = spawned.lookup(&id);
    if (!tsp)
        return 0;
    delta = bpf_ktime_get_ns() - *tsp;
    spawned.delete(&id);
    account(1, delta);
    first_dist.increment(bpf_log2l(delta / FACTOR));
    return 0;
}
"""
if args.milliseconds:
    bpf_text = bpf_text.replace("FACTOR", "1000000")
    label = "msecs"
else:
    bpf_text = bpf_text.replace("FACTOR", "1000")
    label = "usecs"

if args.ebpf:
    print(bpf_text)
    exit()

if not os.path.exists("/sys/kernel/tracing/events/replcopy") and \
        not os.path.exists("/sys/kernel/debug/tracing/events/replcopy"):
    print("replcopy tracepoints not found: is the replcopy module loaded?",
          file=sys.stderr)
    exit(1)

b = BPF(text=bpf_text)
b.attach_kprobe(event="kthread_create_on_node", fn_name="create_entry")
b.attach_kretprobe(event="kthread_create_on_node", fn_name="create_return")


def _stop(signum, frame):
    raise KeyboardInterrupt


signal.signal(signal.SIGINT, _stop)
signal.signal(signal.SIGTERM, _stop)

print("Tracing replcopy per-connection kthread creation... Hit Ctrl-C to end.")
sys.stdout.flush()

create_dist = b.get_table("create_dist")
first_dist = b.get_table("first_dist")
totals = b.get_table("totals")
div = 1000000.0 if args.milliseconds else 1000.0
names = ["create", "first_run", "spawner_create_ns", "errors"]
exiting = False
while True:
    try:
        sleep(interval)
    except KeyboardInterrupt:
        exiting = True

    print()
    if args.timestamp:
        print("%-8s" % strftime("%H:%M:%S"))
    print("kthread_create_on_node() in the spawner:")
    create_dist.print_log2_hist(label)
    print("\nkthread created -> its first worker run:")
    first_dist.print_log2_hist(label)
    t = {k.value: v for k, v in totals.items()}
    for i in (0, 1, 2):
        v = t.get(i)
        n = v.n if v else 0
        print("%s: count=%d avg=%.1f %s" %
              (names[i], n, v.ns / n / div if n else 0, label))
    print("errors: count=%d" % (t[3].n if 3 in t else 0))
    sys.stdout.flush()
    create_dist.clear()
    first_dist.clear()
    totals.clear()

    countdown -= 1
    if exiting or countdown == 0:
        exit()
