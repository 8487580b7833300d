// SPDX-License-Identifier: GPL-2.0
/*
 * output.c - text and JSON output (see output.h).
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "names.h"
#include "output.h"
#include "statcalc.h"

/* ---- small formatters ---------------------------------------------- */

void fmt_ipv4(uint32_t be, char *buf)
{
	struct in_addr a = { .s_addr = be };

	inet_ntop(AF_INET, &a, buf, ADDR_LEN);
}

void fmt_endpoint(uint32_t be, uint16_t port, char *buf, size_t len)
{
	char a[ADDR_LEN];

	fmt_ipv4(be, a);
	snprintf(buf, len, "%s:%u", a, port);
}

void fmt_online(const struct rc_mapping *m, char *buf, size_t len)
{
	if (RC_HAS(m, REPLCOPY_A_MAP_ONLINE_ADDR) && m->online_addr)
		fmt_endpoint(m->online_addr, m->port, buf, len);
	else
		snprintf(buf, len, "*:%u", m->port);
}

void fmt_age(uint64_t ms, char *buf, size_t len)
{
	uint64_t s = ms / 1000;

	if (ms < 1000)
		snprintf(buf, len, "%" PRIu64 "ms", ms);
	else if (s < 60)
		snprintf(buf, len, "%" PRIu64 ".%" PRIu64 "s", s,
			 ms % 1000 / 100);
	else if (s < 3600)
		snprintf(buf, len, "%" PRIu64 "m%02" PRIu64 "s", s / 60,
			 s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%" PRIu64 "h%02" PRIu64 "m", s / 3600,
			 s % 3600 / 60);
	else
		snprintf(buf, len, "%" PRIu64 "d%02" PRIu64 "h", s / 86400,
			 s % 86400 / 3600);
}

void fmt_fidelity(uint64_t acked, uint64_t captured, char *buf, size_t len)
{
	uint64_t x;

	if (rc_fidelity(acked, captured, &x))
		snprintf(buf, len, "%" PRIu64 ".%02" PRIu64 "%%", x / 100,
			 x % 100);
	else
		snprintf(buf, len, "n/a");
}

void fmt_map_flags(uint32_t flags, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	if (flags & REPLCOPY_MAPF_NO_FABRICATE)
		off += snprintf(buf + off, len - off, "no-fabricate");
	flags &= ~(uint32_t)REPLCOPY_MAPF_NO_FABRICATE;
	if (flags && off < len)
		snprintf(buf + off, len - off, "%s0x%" PRIx32, off ? "," : "",
			 flags);
	if (!buf[0])
		snprintf(buf, len, "-");
}

void fmt_sample(uint32_t sample, char *buf, size_t len)
{
	uint32_t frac = sample % 100;

	if (!frac)
		snprintf(buf, len, "%" PRIu32, sample / 100);
	else if (frac % 10)
		snprintf(buf, len, "%" PRIu32 ".%02" PRIu32, sample / 100, frac);
	else
		snprintf(buf, len, "%" PRIu32 ".%" PRIu32, sample / 100,
			 frac / 10);
}

const char *fmt_name(const char *name, unsigned int v, bool bare, char *buf,
		     size_t len)
{
	if (name)
		return name;
	snprintf(buf, len, bare ? "%u" : "unknown(%u)", v);
	return buf;
}

/* A name from a table, or "unknown(N)". */
static const char *ename(const char *name, unsigned int v, char *buf,
			 size_t len)
{
	return fmt_name(name, v, false, buf, len);
}

/* ---- tables -------------------------------------------------------- */

#define CELL 48

struct table {
	size_t ncol;
	const char *const *hdr;
	const bool *right;	/* right-aligned columns (numbers) */
	char (*cell)[CELL];
	size_t nrows;
};

static bool table_init(struct table *t, size_t ncol, const char *const *hdr,
		       const bool *right, size_t nrows)
{
	t->ncol = ncol;
	t->hdr = hdr;
	t->right = right;
	t->nrows = nrows;
	t->cell = calloc(nrows ? nrows * ncol : 1, CELL);
	if (!t->cell)
		fputs("replctl: out of memory\n", stderr);
	return t->cell != NULL;
}

static char *table_cell(struct table *t, size_t row, size_t col)
{
	return t->cell[row * t->ncol + col];
}

static void table_row(FILE *f, const struct table *t, const size_t *w,
		      const char *const *cells)
{
	size_t c;

	for (c = 0; c < t->ncol; c++) {
		bool last = c + 1 == t->ncol;

		if (c)
			fputs("  ", f);
		if (t->right[c])
			fprintf(f, "%*s", (int)w[c], cells[c]);
		else if (last)
			fputs(cells[c], f);
		else
			fprintf(f, "%-*s", (int)w[c], cells[c]);
	}
	fputc('\n', f);
}

static void table_print(FILE *f, struct table *t)
{
	const char *cells[16];
	size_t w[16], r, c;

	for (c = 0; c < t->ncol; c++)
		w[c] = strlen(t->hdr[c]);
	for (r = 0; r < t->nrows; r++)
		for (c = 0; c < t->ncol; c++)
			if (strlen(table_cell(t, r, c)) > w[c])
				w[c] = strlen(table_cell(t, r, c));
	table_row(f, t, w, t->hdr);
	for (r = 0; r < t->nrows; r++) {
		for (c = 0; c < t->ncol; c++)
			cells[c] = table_cell(t, r, c);
		table_row(f, t, w, cells);
	}
	free(t->cell);
	t->cell = NULL;
}

/* ---- mappings ------------------------------------------------------ */

void out_added_text(FILE *f, const struct rc_mapping *m)
{
	if (RC_HAS(m, REPLCOPY_A_MAP_ID))
		fprintf(f, "added mapping ID: %" PRIu32 "\n", m->id);
	else
		fprintf(f, "added mapping ID: unknown (not in the kernel's "
			"reply)\n");
}

void json_map_fields(struct json *j, const struct rc_mapping *m, bool full)
{
	char a[ADDR_LEN], ep[ENDPOINT_LEN], buf[32];
	uint32_t bits;

	if (RC_HAS(m, REPLCOPY_A_MAP_ID))
		json_u64(j, "id", m->id);
	if (RC_HAS(m, REPLCOPY_A_MAP_ONLINE_ADDR) && m->online_addr) {
		fmt_ipv4(m->online_addr, a);
		json_str(j, "online_addr", a);
	} else {
		json_null(j, "online_addr");
	}
	json_u64(j, "port", m->port);
	fmt_online(m, ep, sizeof(ep));
	json_str(j, "online", ep);
	fmt_ipv4(m->target_addr, a);
	json_str(j, "target_addr", a);
	json_u64(j, "target_port", m->target_port);
	fmt_endpoint(m->target_addr, m->target_port, ep, sizeof(ep));
	json_str(j, "target", ep);
	if (!full)
		return;
	if (RC_HAS(m, REPLCOPY_A_MAP_SOURCE))
		json_str(j, "source", ename(rc_source_name(m->source),
					    m->source, buf, sizeof(buf)));
	if (RC_HAS(m, REPLCOPY_A_MAP_PACING))
		json_str(j, "pacing", ename(rc_pacing_name(m->pacing),
					    m->pacing, buf, sizeof(buf)));
	json_arr_begin(j, "flags");
	if (m->flags & REPLCOPY_MAPF_NO_FABRICATE)
		json_str(j, NULL, "no_fabricate");
	bits = m->flags & ~(uint32_t)REPLCOPY_MAPF_NO_FABRICATE;
	if (bits) {
		snprintf(buf, sizeof(buf), "0x%" PRIx32, bits);
		json_str(j, NULL, buf);
	}
	json_arr_end(j);
	json_fixed2(j, "sample", m->sample);
	if (RC_HAS(m, REPLCOPY_A_MAP_SESSIONS))
		json_u64(j, "sessions", m->sessions);
}

void out_mapping_json(FILE *f, const struct rc_mapping *m)
{
	struct json j;

	json_init(&j, f);
	json_obj_begin(&j, NULL);
	json_map_fields(&j, m, true);
	json_obj_end(&j);
	fputc('\n', f);
}

void out_mappings_text(FILE *f, const struct rc_mapping *m, size_t n)
{
	static const char *const hdr[] = {
		"ID", "ONLINE", "TARGET", "SOURCE", "PACING", "FLAGS",
		"SAMPLE", "SESSIONS",
	};
	static const bool right[] = { 0, 0, 0, 0, 0, 0, 1, 1 };
	struct table t;
	size_t i;

	if (!table_init(&t, 8, hdr, right, n))
		return;
	for (i = 0; i < n; i++) {
		const struct rc_mapping *p = &m[i];
		char *c0 = table_cell(&t, i, 0);
		char tmp[CELL], pct[16];

		if (RC_HAS(p, REPLCOPY_A_MAP_ID))
			snprintf(c0, CELL, "%" PRIu32, p->id);
		else
			snprintf(c0, CELL, "-");
		fmt_online(p, table_cell(&t, i, 1), CELL);
		fmt_endpoint(p->target_addr, p->target_port,
			     table_cell(&t, i, 2), CELL);
		snprintf(table_cell(&t, i, 3), CELL, "%s",
			 !RC_HAS(p, REPLCOPY_A_MAP_SOURCE) ? "-" :
			 ename(rc_source_name(p->source), p->source,
			       tmp, sizeof(tmp)));
		snprintf(table_cell(&t, i, 4), CELL, "%s",
			 !RC_HAS(p, REPLCOPY_A_MAP_PACING) ? "-" :
			 ename(rc_pacing_name(p->pacing), p->pacing,
			       tmp, sizeof(tmp)));
		fmt_map_flags(p->flags, table_cell(&t, i, 5), CELL);
		fmt_sample(p->sample, pct, sizeof(pct));
		snprintf(table_cell(&t, i, 6), CELL, "%s%%", pct);
		if (RC_HAS(p, REPLCOPY_A_MAP_SESSIONS))
			snprintf(table_cell(&t, i, 7), CELL, "%" PRIu32,
				 p->sessions);
		else
			snprintf(table_cell(&t, i, 7), CELL, "-");
	}
	table_print(f, &t);
}

void out_mappings_json(FILE *f, const struct rc_mapping *m, size_t n)
{
	struct json j;
	size_t i;

	json_init(&j, f);
	json_arr_begin(&j, NULL);
	for (i = 0; i < n; i++) {
		json_obj_begin(&j, NULL);
		json_map_fields(&j, &m[i], true);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	fputc('\n', f);
}

/* ---- counters ------------------------------------------------------ */

static void stats_block_text(FILE *f, const struct rc_stats *s)
{
	unsigned int i;
	char fid[16];

	for (i = 0; i < __REPLCOPY_STAT_MAX; i++)
		if (s->has[i] && rc_stat_name(i))
			fprintf(f, "  %-18s %20" PRIu64 "\n", rc_stat_name(i),
				s->v[i]);
	fmt_fidelity(s->v[REPLCOPY_STAT_ACKED_BYTES],
		     s->v[REPLCOPY_STAT_CAPTURED_BYTES], fid, sizeof(fid));
	if (s->v[REPLCOPY_STAT_CAPTURED_BYTES])
		fprintf(f, "  %-18s %20s  (acked_bytes %" PRIu64 " of "
			"captured_bytes %" PRIu64 ")\n", "fidelity", fid,
			s->v[REPLCOPY_STAT_ACKED_BYTES],
			s->v[REPLCOPY_STAT_CAPTURED_BYTES]);
	else
		fprintf(f, "  %-18s %20s  (no bytes captured)\n", "fidelity",
			fid);
}

void out_stats_text(FILE *f, const struct rc_stats_entry *e, size_t n,
		    const struct rc_stats *total)
{
	char on[ENDPOINT_LEN], tg[ENDPOINT_LEN];
	size_t i;

	for (i = 0; i < n; i++) {
		fmt_online(&e[i].map, on, sizeof(on));
		fmt_endpoint(e[i].map.target_addr, e[i].map.target_port, tg,
			     sizeof(tg));
		fprintf(f, "%smapping %" PRIu32 ": %s -> %s\n", i ? "\n" : "",
			e[i].map.id, on, tg);
		stats_block_text(f, &e[i].stats);
	}
	if (total) {
		fprintf(f, "%stotal (this network namespace, deleted mappings "
			"included):\n", n ? "\n" : "");
		stats_block_text(f, total);
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

/* ---- sessions ------------------------------------------------------ */

void out_sessions_text(FILE *f, const struct rc_session *s, size_t n)
{
	static const char *const hdr[] = {
		"MAP", "CLIENT", "SOURCE", "STATE", "WORKER", "CAPTURED",
		"ACKED", "QUEUED", "AGE", "FLAGS",
	};
	static const bool right[] = { 0, 0, 0, 0, 0, 1, 1, 1, 1, 0 };
	struct table t;
	size_t i;

	if (!table_init(&t, 10, hdr, right, n))
		return;
	for (i = 0; i < n; i++) {
		const struct rc_session *p = &s[i];
		char tmp[CELL];

		snprintf(table_cell(&t, i, 0), CELL, "%" PRIu32, p->map_id);
		fmt_endpoint(p->client_addr, p->client_port,
			     table_cell(&t, i, 1), CELL);
		fmt_endpoint(p->source_addr, p->source_port,
			     table_cell(&t, i, 2), CELL);
		snprintf(table_cell(&t, i, 3), CELL, "%s",
			 ename(rc_state_name(p->state), p->state, tmp,
			       sizeof(tmp)));
		snprintf(table_cell(&t, i, 4), CELL, "%s",
			 ename(rc_worker_name(p->worker), p->worker, tmp,
			       sizeof(tmp)));
		snprintf(table_cell(&t, i, 5), CELL, "%" PRIu64,
			 p->captured_bytes);
		snprintf(table_cell(&t, i, 6), CELL, "%" PRIu64,
			 p->acked_bytes);
		snprintf(table_cell(&t, i, 7), CELL, "%" PRIu32,
			 p->queued_bytes);
		fmt_age(p->age_ms, table_cell(&t, i, 8), CELL);
		snprintf(table_cell(&t, i, 9), CELL, "%s",
			 p->fabricated ? "fabricated" : "-");
	}
	table_print(f, &t);
}

void json_session_fields(struct json *j, const struct rc_session *p)
{
	char a[ADDR_LEN], tmp[32];

	json_u64(j, "map_id", p->map_id);
	fmt_ipv4(p->client_addr, a);
	json_str(j, "client_addr", a);
	json_u64(j, "client_port", p->client_port);
	fmt_ipv4(p->source_addr, a);
	json_str(j, "source_addr", a);
	json_u64(j, "source_port", p->source_port);
	json_str(j, "state", ename(rc_state_name(p->state), p->state, tmp,
				   sizeof(tmp)));
	json_str(j, "worker", ename(rc_worker_name(p->worker), p->worker, tmp,
				    sizeof(tmp)));
	json_bool(j, "fabricated", p->fabricated);
	json_u64(j, "captured_bytes", p->captured_bytes);
	json_u64(j, "acked_bytes", p->acked_bytes);
	json_u64(j, "queued_bytes", p->queued_bytes);
	json_u64(j, "age_ms", p->age_ms);
}

void out_sessions_json(FILE *f, const struct rc_session *s, size_t n)
{
	struct json j;
	size_t i;

	json_init(&j, f);
	json_arr_begin(&j, NULL);
	for (i = 0; i < n; i++) {
		json_obj_begin(&j, NULL);
		json_session_fields(&j, &s[i]);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	fputc('\n', f);
}

/* ---- settings and versions ----------------------------------------- */

static void setting_value(const struct rc_setting *st, uint32_t v, char *buf,
			  size_t len)
{
	char tmp[32];

	switch (st->kind) {
	case RC_SET_WORKER:
		snprintf(buf, len, "%s", ename(rc_worker_name(v), v, tmp,
					       sizeof(tmp)));
		break;
	case RC_SET_BOOL:
		snprintf(buf, len, "%s", v ? "on" : "off");
		break;
	default:
		if (st->attr == REPLCOPY_CFG_WQ_MAX_ACTIVE && v == 0)
			snprintf(buf, len, "0 (default)");
		else if (st->unit)
			snprintf(buf, len, "%" PRIu32 " %s", v, st->unit);
		else
			snprintf(buf, len, "%" PRIu32, v);
	}
}

void out_config_text(FILE *f, const struct rc_config *c)
{
	char buf[64];
	size_t i;

	fprintf(f, "%-18s %s\n", "module-version",
		c->has_version ? c->version : "-");
	for (i = 0; i < rc_nsettings; i++) {
		const struct rc_setting *st = &rc_settings[i];

		if (!c->has[st->attr])
			continue;
		setting_value(st, c->val[st->attr], buf, sizeof(buf));
		fprintf(f, "%-18s %s\n", st->key, buf);
	}
}

void out_config_json(FILE *f, const struct rc_config *c)
{
	char tmp[32];
	struct json j;
	size_t i;

	json_init(&j, f);
	json_obj_begin(&j, NULL);
	json_str(&j, "module_version", c->has_version ? c->version : NULL);
	for (i = 0; i < rc_nsettings; i++) {
		const struct rc_setting *st = &rc_settings[i];
		uint32_t v = c->val[st->attr];

		if (!c->has[st->attr])
			continue;
		switch (st->kind) {
		case RC_SET_WORKER:
			json_str(&j, st->json, ename(rc_worker_name(v), v, tmp,
						     sizeof(tmp)));
			break;
		case RC_SET_BOOL:
			json_bool(&j, st->json, v != 0);
			break;
		default:
			json_u64(&j, st->json, v);
		}
	}
	json_obj_end(&j);
	fputc('\n', f);
}

void out_version_text(FILE *f, const struct rc_version_info *v)
{
	fprintf(f, "replctl %s (netlink family %s, version %u)\n", v->replctl,
		REPLCOPY_GENL_NAME, v->genl_version);

	if (v->module_version) {
		fprintf(f, "module: %s", v->module_version);
		if (v->has_family_version)
			fprintf(f, " (netlink family version %u)",
				v->family_version);
		fputc('\n', f);
	} else if (v->state) {
		fprintf(f, "module: version unknown (%s)\n",
			v->kernel_error ? v->kernel_error : "not asked");
	} else {
		fprintf(f, "module: not loaded\n");
	}

	if (v->kmod_error) {
		fprintf(f, "module state: unknown (%s)\n", v->kmod_error);
		return;
	}
	if (v->state) {
		fprintf(f, "module state: %s", v->state);
		if (v->refcnt >= 0)
			fprintf(f, ", refcount %d", v->refcnt);
		if (v->size >= 0)
			fprintf(f, ", size %ld", v->size);
		if (v->holders && *v->holders)
			fprintf(f, ", used by %s", v->holders);
		fputc('\n', f);
	} else {
		fprintf(f, "module state: not loaded\n");
	}
	if (v->path)
		fprintf(f, "module file: %s%s%s%s\n", v->path,
			v->file_version ? " (version " : "",
			v->file_version ? v->file_version : "",
			v->file_version ? ")" : "");
	else
		fprintf(f, "module file: not installed for kernel %s\n",
			v->release ? v->release : "?");
}

void out_version_json(FILE *f, const struct rc_version_info *v)
{
	const char *h, *comma;
	char name[64];
	struct json j;

	json_init(&j, f);
	json_obj_begin(&j, NULL);
	json_str(&j, "replctl_version", v->replctl);
	json_u64(&j, "genl_version", v->genl_version);
	json_obj_begin(&j, "module");
	json_bool(&j, "loaded", v->state != NULL);
	json_str(&j, "version", v->module_version);
	if (v->has_family_version)
		json_u64(&j, "genl_version", v->family_version);
	else
		json_null(&j, "genl_version");
	if (v->kernel_error)
		json_str(&j, "kernel_error", v->kernel_error);
	if (v->kmod_error)
		json_str(&j, "kmod_error", v->kmod_error);
	json_str(&j, "state", v->state);
	if (v->refcnt >= 0)
		json_u64(&j, "refcount", (uint64_t)v->refcnt);
	else
		json_null(&j, "refcount");
	if (v->size >= 0)
		json_u64(&j, "size", (uint64_t)v->size);
	else
		json_null(&j, "size");
	json_arr_begin(&j, "holders");
	for (h = v->holders; h && *h; h = comma ? comma + 1 : "") {
		comma = strchr(h, ',');
		snprintf(name, sizeof(name), "%.*s",
			 comma ? (int)(comma - h) : (int)strlen(h), h);
		json_str(&j, NULL, name);
	}
	json_arr_end(&j);
	json_str(&j, "path", v->path);
	json_str(&j, "file_version", v->file_version);
	json_str(&j, "kernel_release", v->release);
	json_obj_end(&j);
	json_obj_end(&j);
	fputc('\n', f);
}
