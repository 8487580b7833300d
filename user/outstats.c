// SPDX-License-Identifier: GPL-2.0
/*
 * outstats.c - text and JSON output of counters: `replctl stats`, once
 * and every N seconds (see output.h).
 */
#include <inttypes.h>

#include "json.h"
#include "names.h"
#include "output.h"
#include "statcalc.h"

/*
 * One line per counter, then the fidelity, each after indent blanks; the
 * values line up whatever the indent.
 */
static void stats_block_text(FILE *f, const struct rc_stats *s, int indent)
{
	int w = 20 - indent;
	unsigned int i;
	char fid[16];

	for (i = 0; i < __REPLCOPY_STAT_MAX; i++)
		if (s->has[i] && rc_stat_name(i))
			fprintf(f, "%*s%-*s %20" PRIu64 "\n", indent, "", w,
				rc_stat_name(i), s->v[i]);
	fmt_fidelity(s->v[REPLCOPY_STAT_ACKED_BYTES],
		     s->v[REPLCOPY_STAT_CAPTURED_BYTES], fid, sizeof(fid));
	fprintf(f, "%*s%-*s %20s  ", indent, "", w, "fidelity", fid);
	if (s->v[REPLCOPY_STAT_CAPTURED_BYTES])
		fprintf(f, "(acked_bytes %" PRIu64 " of captured_bytes %"
			PRIu64 ")\n", s->v[REPLCOPY_STAT_ACKED_BYTES],
			s->v[REPLCOPY_STAT_CAPTURED_BYTES]);
	else
		fputs("(no bytes captured)\n", f);
}

/* A mapping with several targets: each one's counters, in its order. */
static void targets_text(FILE *f, const struct rc_stats_entry *e)
{
	const struct rc_targets *t = &e->map.targets;
	char tg[ENDPOINT_LEN];
	unsigned int k;

	for (k = 0; t->n > 1 && k < t->n; k++) {
		fmt_endpoint(&t->v[k].addr, t->v[k].port, tg, sizeof(tg));
		fprintf(f, "  target %s:\n", tg);
		stats_block_text(f, &e->tstats[k], 4);
	}
}

void out_stats_text(FILE *f, const struct rc_stats_entry *e, size_t n,
		    const struct rc_stats *total)
{
	char on[ENDPOINT_LEN], tg[TARGETS_LEN];
	size_t i;

	for (i = 0; i < n; i++) {
		fmt_online(&e[i].map, on, sizeof(on));
		fmt_map_targets(&e[i].map, ",", tg, sizeof(tg));
		fprintf(f, "%smapping %" PRIu32 ": %s -> %s", i ? "\n" : "",
			e[i].map.id, on, tg);
		if (e[i].map.copies > 1)
			fprintf(f, " (%" PRIu32 " copies)", e[i].map.copies);
		fputc('\n', f);
		stats_block_text(f, &e[i].stats, 2);
		targets_text(f, &e[i]);
	}
	if (total) {
		fprintf(f, "%stotal (this network namespace, deleted mappings "
			"included):\n", n ? "\n" : "");
		stats_block_text(f, total, 2);
	}
}

static void json_stats_fields(struct json *j, const struct rc_stats *s,
			      bool fidelity)
{
	unsigned int i;
	uint64_t x;

	json_obj_begin(j, "stats");
	for (i = 0; i < __REPLCOPY_STAT_MAX; i++)
		if (s->has[i] && rc_stat_name(i))
			json_u64(j, rc_stat_name(i), s->v[i]);
	json_obj_end(j);
	json_u64(j, "drops", rc_stats_drops(s));
	if (!fidelity)
		return;
	if (rc_fidelity(s->v[REPLCOPY_STAT_ACKED_BYTES],
			s->v[REPLCOPY_STAT_CAPTURED_BYTES], &x))
		json_fixed2(j, "fidelity_pct", x);
	else
		json_null(j, "fidelity_pct");
}

/* A mapping with several targets: "targets", each with its counters. */
static void json_targets_stats(struct json *j, const struct rc_stats_entry *e)
{
	const struct rc_targets *t = &e->map.targets;
	unsigned int k;

	if (t->n < 2)
		return;
	json_arr_begin(j, "targets");
	for (k = 0; k < t->n; k++) {
		json_obj_begin(j, NULL);
		json_target_fields(j, &t->v[k]);
		json_stats_fields(j, &e->tstats[k], true);
		json_obj_end(j);
	}
	json_arr_end(j);
}

void out_stats_json(FILE *f, const struct rc_stats_entry *e, size_t n,
		    const struct rc_stats *total)
{
	struct json j;
	size_t i;

	json_init(&j, f);
	json_obj_begin(&j, NULL);
	json_arr_begin(&j, "mappings");
	for (i = 0; i < n; i++) {
		json_obj_begin(&j, NULL);
		json_map_fields(&j, &e[i].map, false);
		json_stats_fields(&j, &e[i].stats, true);
		json_targets_stats(&j, &e[i]);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	if (total) {
		json_obj_begin(&j, "total");
		json_stats_fields(&j, total, true);
		json_obj_end(&j);
	}
	json_obj_end(&j);
	fputc('\n', f);
}

void out_stats_tick_text(FILE *f, const struct rc_tick *t,
			 const struct rc_stats_entry *d, size_t n)
{
	size_t i;

	if (!n)
		fprintf(f, "%s no mappings\n", t->hms);
	for (i = 0; i < n; i++) {
		const uint64_t *v = d[i].stats.v;

		fprintf(f, "%s map %" PRIu32 ": cap %" PRIu64 "/%" PRIu64
			" sent %" PRIu64 "/%" PRIu64 " retrans %" PRIu64
			" resp %" PRIu64 "/%" PRIu64 " acked %" PRIu64
			" new %" PRIu64 " active %" PRIu64 " drops %" PRIu64
			"\n", t->hms, d[i].map.id,
			v[REPLCOPY_STAT_CAPTURED_SEGS],
			v[REPLCOPY_STAT_CAPTURED_BYTES],
			v[REPLCOPY_STAT_SENT_SEGS],
			v[REPLCOPY_STAT_SENT_BYTES],
			v[REPLCOPY_STAT_RETRANS_SEGS],
			v[REPLCOPY_STAT_RESP_SEGS],
			v[REPLCOPY_STAT_RESP_BYTES],
			v[REPLCOPY_STAT_ACKED_BYTES],
			v[REPLCOPY_STAT_SESS_SYN] +
			v[REPLCOPY_STAT_SESS_FABRICATED],
			v[REPLCOPY_STAT_SESS_ACTIVE],
			rc_stats_drops(&d[i].stats));
	}
}

void out_stats_tick_json(FILE *f, const struct rc_tick *t,
			 const struct rc_stats_entry *d, size_t n)
{
	struct json j;
	size_t i;

	json_init(&j, f);
	json_obj_begin(&j, NULL);
	json_str(&j, "time", t->iso);
	json_double(&j, "timestamp", t->timestamp);
	json_double(&j, "interval", t->interval);
	json_arr_begin(&j, "mappings");
	for (i = 0; i < n; i++) {
		json_obj_begin(&j, NULL);
		json_map_fields(&j, &d[i].map, false);
		json_stats_fields(&j, &d[i].stats, false);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_obj_end(&j);
	fputc('\n', f);
}
