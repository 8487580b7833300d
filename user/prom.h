/* SPDX-License-Identifier: GPL-2.0 */
/*
 * prom.h - `replctl stats --prometheus`: the counters of `replctl stats
 * --json` in the Prometheus text exposition format, version 0.0.4. Pure:
 * writes to the FILE * it is given and depends on nothing but its
 * arguments.
 *
 * One metric family per counter of names.c, named replcopy_<what> in base
 * units (counters end in _total, the gauges sess_active and queued_bytes
 * do not); the drop_* counters share the family replcopy_drops_total with
 * a label reason="nomem", "queue", ... (the counter's name without
 * "drop_"). Per-mapping samples carry the labels id, online ("*:8080",
 * "10.0.1.1:8080" or "[fd00::1]:8080") and target ("10.0.2.2:8081" or
 * "[fd00::31]:11511", the mapping's first target); a mapping with
 * several targets also has each target's counters, in the families
 * replcopy_target_<what> with the same labels, target being that target;
 * the totals of the network namespace are the families
 * replcopy_netns_<what>, without those labels.
 * "# HELP" and "# TYPE" come once per family, before its samples, which
 * stay together. No timestamps (node_exporter's textfile collector refuses
 * them).
 */
#ifndef REPLCTL_PROM_H
#define REPLCTL_PROM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "output.h"

/* Content-Type of what prom_stats() writes. */
#define PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/*
 * Every counter of every mapping (e[0..n-1], in that order), then those of
 * the targets of the mappings with several (e[i].tstats), then the netns
 * totals (total may be NULL, e.g. with --id). Counters a message did
 * not carry (has[] false) have no sample, as in the JSON output; a family
 * without any sample is left out.
 */
void prom_stats(FILE *f, const struct rc_stats_entry *e, size_t n,
		const struct rc_stats *total);

/*
 * The family name of counter stat in buf: "replcopy_captured_bytes_total"
 * ("replcopy_netns_captured_bytes_total" when netns); for the drop_*
 * counters "replcopy_drops_total". NULL for a counter without a metric
 * (UNSPEC, PAD, unknown).
 */
const char *prom_family(unsigned int stat, bool netns, char *buf, size_t len);
/* The reason label of a drop_* counter ("nomem"), NULL for the others. */
const char *prom_drop_reason(unsigned int stat);

/* s as a label value: quoted, with \ " and newline escaped. */
void prom_label_value(FILE *f, const char *s);

#endif
