/* SPDX-License-Identifier: GPL-2.0 */
/*
 * output.h - text and JSON output of mappings, counters (outstats.c),
 * sessions, settings and versions. Pure: every function writes to the
 * FILE * it is given and depends on nothing but its arguments.
 *
 * Text is for people (aligned tables, exact numbers); JSON is compact, one
 * document per line, snake_case keys, counters as numbers and addresses as
 * strings: an address alone ("..._addr", "addr") as "10.0.0.31" or
 * "fd00::31", with its port ("online", "target") as "10.0.0.31:11511" or
 * "[fd00::31]:11511".
 */
#ifndef REPLCTL_OUTPUT_H
#define REPLCTL_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "reply.h"

/* ---- small formatters ---------------------------------------------- */

/* fmt_addr() and fmt_endpoint(), ADDR_LEN and ENDPOINT_LEN: addr.h. */
#define TARGETS_LEN (REPLCOPY_MAX_TARGETS * ENDPOINT_LEN)

/*
 * m's local side: "10.0.0.5:11311" or "[fd00::5]:11311", or without an
 * online address (any) any then the port: "*:11311" with any "*:".
 */
void fmt_local(const struct rc_mapping *m, const char *any, char *buf,
	       size_t len);
/* "*:11311", "10.0.0.5:11311" or "[fd00::5]:11311" (none means any). */
void fmt_online(const struct rc_mapping *m, char *buf, size_t len);
/*
 * Every target of m, in order, sep between them ("10.0.0.31:11511" or
 * "10.0.0.31:11511,[fd00::32]:8080" with ","); TARGETS_LEN holds them all.
 */
void fmt_map_targets(const struct rc_mapping *m, const char *sep, char *buf,
		     size_t len);
/* 850ms, 12.3s, 5m02s, 2h03m, 1d02h. */
void fmt_age(uint64_t ms, char *buf, size_t len);
/* "99.99%" (rounded down) or "n/a" when nothing was captured. */
void fmt_fidelity(uint64_t acked, uint64_t captured, char *buf, size_t len);
/* "no-fabricate", "-" for none; unknown bits as hex. */
void fmt_map_flags(uint32_t flags, char *buf, size_t len);
/* A sample in 1/10 000 as a percentage: "100", "25", "2.5", "0.25". */
void fmt_sample(uint32_t sample, char *buf, size_t len);
/* name (from a names.h table), or v: "unknown(5)", or "5" when bare. */
const char *fmt_name(const char *name, unsigned int v, bool bare, char *buf,
		     size_t len);

/* ---- the members of one object, inside an object being written ---- */

struct json;
/*
 * A mapping's keys: id, online_addr, port, online, target_addr,
 * target_port, target (its first target); with full, also source,
 * pacing, flags, sample, copies, targets (an array of target objects,
 * every target in order) and sessions (those the kernel sent).
 * `replctl list --json` has full ones.
 */
void json_map_fields(struct json *j, const struct rc_mapping *m, bool full);
/* A target's keys: addr, port, and sessions when the kernel sent it. */
void json_target_fields(struct json *j, const struct rc_target *t);
/*
 * A session's keys, as in `replctl sessions --json`: map_id, client_addr,
 * client_port, target_addr, target_port, target (null when not known),
 * copy, source_addr, source_port, state, worker, fabricated,
 * captured_bytes, acked_bytes, queued_bytes, age_ms.
 */
void json_session_fields(struct json *j, const struct rc_session *s);

/* ---- mappings ------------------------------------------------------ */

/* `replctl add`: "added mapping ID: 3". */
void out_added_text(FILE *f, const struct rc_mapping *m);
/* One mapping as a JSON object (`replctl add --json`). */
void out_mapping_json(FILE *f, const struct rc_mapping *m);
/*
 * `replctl list`: a table, one row per mapping with its first target,
 * then for a mapping with several targets one row per further target
 * (only its TARGET cell); JSON: an array of mapping objects.
 */
void out_mappings_text(FILE *f, const struct rc_mapping *m, size_t n);
void out_mappings_json(FILE *f, const struct rc_mapping *m, size_t n);

/* ---- counters ------------------------------------------------------ */

struct rc_stats_entry {
	struct rc_mapping map;	/* id, port, targets (online if known) */
	struct rc_stats stats;
	/* The counters of map.targets.v[i] (REPLCOPY_TA_STATS). */
	struct rc_stats tstats[REPLCOPY_MAX_TARGETS];
};

/*
 * `replctl stats`: each mapping's counters and fidelity (for a mapping
 * with several targets, then each target's: text "  target IP:PORT:"
 * and its lines indented, JSON "targets": [{addr, port, sessions, stats,
 * drops, fidelity_pct}]), then the netns totals (total may be NULL, e.g.
 * with --id).
 */
void out_stats_text(FILE *f, const struct rc_stats_entry *e, size_t n,
		    const struct rc_stats *total);
void out_stats_json(FILE *f, const struct rc_stats_entry *e, size_t n,
		    const struct rc_stats *total);

/* One interval of `replctl stats -i`. */
struct rc_tick {
	const char *hms;	/* "12:00:01", text lines */
	const char *iso;	/* "2024-05-01T12:00:01+02:00", JSON */
	double timestamp;	/* seconds since the epoch */
	double interval;	/* seconds this delta covers */
};

/*
 * delta[i].stats are per-interval deltas (sess_active: current value);
 * the mappings' totals only, not their targets'.
 */
void out_stats_tick_text(FILE *f, const struct rc_tick *t,
			 const struct rc_stats_entry *delta, size_t n);
void out_stats_tick_json(FILE *f, const struct rc_tick *t,
			 const struct rc_stats_entry *delta, size_t n);

/* ---- sessions ------------------------------------------------------ */

/*
 * Text: MAP CLIENT TARGET COPY SOURCE STATE WORKER CAPTURED ACKED QUEUED
 * AGE FLAGS (TARGET "-" when not known); JSON: an array of session
 * objects (json_session_fields()).
 */
void out_sessions_text(FILE *f, const struct rc_session *s, size_t n);
void out_sessions_json(FILE *f, const struct rc_session *s, size_t n);

/* ---- settings and versions ----------------------------------------- */

void out_config_text(FILE *f, const struct rc_config *c);
void out_config_json(FILE *f, const struct rc_config *c);

struct rc_version_info {
	const char *replctl;		/* replctl's own version */
	unsigned int genl_version;	/* REPLCOPY_GENL_VERSION built in */

	/* From the kernel over netlink (NULL/false when not asked). */
	const char *module_version;	/* REPLCOPY_A_VERSION */
	bool has_family_version;
	unsigned int family_version;	/* CTRL_ATTR_VERSION */
	const char *kernel_error;	/* why the kernel was not asked */

	/* From libkmod. */
	const char *kmod_error;		/* libkmod unusable: why */
	const char *state;		/* "live", "coming", "going",
					 * "builtin" or NULL: not loaded */
	int refcnt;			/* -1: unknown */
	long size;			/* -1: unknown */
	const char *holders;		/* "a,b" or NULL */
	const char *path;		/* module file, NULL: not installed */
	const char *file_version;	/* modinfo version of that file */
	const char *release;		/* running kernel (uname -r) */
};

void out_version_text(FILE *f, const struct rc_version_info *v);
void out_version_json(FILE *f, const struct rc_version_info *v);

#endif
