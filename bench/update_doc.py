#!/usr/bin/env python3
"""bench/update_doc.py RESULTS_DIR [DOC]

For the single-VM benchmark (bench/run.sh --one-vm): point the part of
docs/BENCHMARKS.md (or DOC) about it at the run in RESULTS_DIR: rewrite its
"Last recorded run" line and its "#### Tables" and "#### Plots" sections
from RESULTS_DIR/results.md and the PNGs there. The "#### Reading" section
is prose about one particular run: rewrite it by hand afterwards.
"""
import os
import re
import sys

PLOTS = [("throughput", "Throughput ratio"), ("latency", "p99 ratio"),
         ("cpu", "Extra CPU per request"), ("stages", "Stage ablation"),
         ("fidelity", "Fidelity vs offered rate"), ("sweep-p99", "Online p99 vs offered rate")]


def main():
    resdir = os.path.abspath(sys.argv[1])
    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    doc = sys.argv[2] if len(sys.argv) > 2 else os.path.join(top, "docs", "BENCHMARKS.md")
    rel = os.path.relpath(resdir, os.path.dirname(os.path.abspath(doc)))
    stamp = os.path.relpath(resdir, top)
    md = re.sub(r"^### ", "##### ", open(os.path.join(resdir, "results.md")).read(), flags=re.M)
    plots = "".join(f"![{cap}]({rel}/{p}.png)\n\n" for p, cap in PLOTS
                    if os.path.exists(os.path.join(resdir, p + ".png")))
    s = open(doc).read()
    s = re.sub(r"^Last recorded run: .*$",
               f"Last recorded run: [`{stamp}/`]({rel}/) ([results.md]({rel}/results.md), "
               f"[results.csv]({rel}/results.csv), [console.log]({rel}/console.log)).",
               s, count=1, flags=re.M)
    start = s.index("#### Tables\n")
    end = s.index("\n### Caveats\n", start)
    s = s[:start] + "#### Tables\n\n" + md + "\n#### Plots\n\n" + plots + s[end:]
    open(doc, "w").write(s)
    print(f"{doc}: tables and plots now from {stamp}; rewrite its \"Reading\" section by hand")


if __name__ == "__main__":
    main()
