// SPDX-License-Identifier: GPL-2.0
/*
 * output.c - text and JSON output (see output.h).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "names.h"
#include "output.h"
#include "statcalc.h"
#include "table.h"

/* ---- small formatters ---------------------------------------------- */

void fmt_local(const struct rc_mapping *m, const char *any, char *buf,
	       size_t len)
{
	const struct rc_addr *on = rc_map_online(m);

	if (on)
		fmt_endpoint(on, m->port, buf, len);
	else
		snprintf(buf, len, "%s%u", any, m->port);
}

void fmt_online(const struct rc_mapping *m, char *buf, size_t len)
{
	fmt_local(m, "*:", buf, len);
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

void fmt_map_targets(const struct rc_mapping *m, const char *sep, char *buf,
		     size_t len)
{
	const struct rc_targets *t = &m->targets;
	char ep[ENDPOINT_LEN];
	size_t off = 0;
	unsigned int i;

	if (!t->n) {
		fmt_endpoint(&m->target_addr, m->target_port, buf, len);
		return;
	}
	buf[0] = '\0';
	for (i = 0; i < t->n && off < len; i++) {
		fmt_endpoint(&t->v[i].addr, t->v[i].port, ep, sizeof(ep));
		off += snprintf(buf + off, len - off, "%s%s", i ? sep : "", ep);
	}
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
	const struct rc_addr *on = rc_map_online(m);
	char a[ADDR_LEN], ep[ENDPOINT_LEN], buf[32];
	unsigned int i;
	uint32_t bits;

	if (RC_HAS(m, REPLCOPY_A_MAP_ID))
		json_u64(j, "id", m->id);
	if (on) {
		fmt_addr(on, a);
		json_str(j, "online_addr", a);
	} else {
		json_null(j, "online_addr");
	}
	json_u64(j, "port", m->port);
	fmt_online(m, ep, sizeof(ep));
	json_str(j, "online", ep);
	fmt_addr(&m->target_addr, a);
	json_str(j, "target_addr", a);
	json_u64(j, "target_port", m->target_port);
	fmt_endpoint(&m->target_addr, m->target_port, ep, sizeof(ep));
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
	json_u64(j, "copies", m->copies);
	json_arr_begin(j, "targets");
	for (i = 0; i < m->targets.n; i++) {
		json_obj_begin(j, NULL);
		json_target_fields(j, &m->targets.v[i]);
		json_obj_end(j);
	}
	json_arr_end(j);
	if (RC_HAS(m, REPLCOPY_A_MAP_SESSIONS))
		json_u64(j, "sessions", m->sessions);
}

void json_target_fields(struct json *j, const struct rc_target *t)
{
	char a[ADDR_LEN];

	fmt_addr(&t->addr, a);
	json_str(j, "addr", a);
	json_u64(j, "port", t->port);
	if (RC_HAS(t, REPLCOPY_TA_SESSIONS))
		json_u64(j, "sessions", t->sessions);
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

/* Mapping p on row r of t: every column, its first target. */
static void mapping_row(struct table *t, size_t r, const struct rc_mapping *p)
{
	char tmp[TABLE_CELL], pct[16];

	if (RC_HAS(p, REPLCOPY_A_MAP_ID))
		snprintf(table_cell(t, r, 0), TABLE_CELL, "%" PRIu32, p->id);
	else
		snprintf(table_cell(t, r, 0), TABLE_CELL, "-");
	fmt_online(p, table_cell(t, r, 1), TABLE_CELL);
	fmt_endpoint(&p->target_addr, p->target_port, table_cell(t, r, 2),
		     TABLE_CELL);
	snprintf(table_cell(t, r, 3), TABLE_CELL, "%s",
		 !RC_HAS(p, REPLCOPY_A_MAP_SOURCE) ? "-" :
		 ename(rc_source_name(p->source), p->source, tmp,
		       sizeof(tmp)));
	snprintf(table_cell(t, r, 4), TABLE_CELL, "%s",
		 !RC_HAS(p, REPLCOPY_A_MAP_PACING) ? "-" :
		 ename(rc_pacing_name(p->pacing), p->pacing, tmp,
		       sizeof(tmp)));
	fmt_map_flags(p->flags, table_cell(t, r, 5), TABLE_CELL);
	fmt_sample(p->sample, pct, sizeof(pct));
	snprintf(table_cell(t, r, 6), TABLE_CELL, "%s%%", pct);
	snprintf(table_cell(t, r, 7), TABLE_CELL, "%" PRIu32, p->copies);
	if (RC_HAS(p, REPLCOPY_A_MAP_SESSIONS))
		snprintf(table_cell(t, r, 8), TABLE_CELL, "%" PRIu32,
			 p->sessions);
	else
		snprintf(table_cell(t, r, 8), TABLE_CELL, "-");
}

/* The rows of a mapping: its own, then one per further target. */
static size_t mapping_rows(const struct rc_mapping *p)
{
	return p->targets.n > 1 ? p->targets.n : 1;
}

void out_mappings_text(FILE *f, const struct rc_mapping *m, size_t n)
{
	static const char *const hdr[] = {
		"ID", "ONLINE", "TARGET", "SOURCE", "PACING", "FLAGS",
		"SAMPLE", "COPIES", "SESSIONS",
	};
	static const bool right[] = { 0, 0, 0, 0, 0, 0, 1, 1, 1 };
	const struct rc_target *tg;
	size_t i, k, r = 0, rows = 0;
	struct table t;

	for (i = 0; i < n; i++)
		rows += mapping_rows(&m[i]);
	if (!table_init(&t, 9, hdr, right, rows))
		return;
	for (i = 0; i < n; i++) {
		mapping_row(&t, r++, &m[i]);
		for (k = 1; k < mapping_rows(&m[i]); k++) {
			tg = &m[i].targets.v[k];
			fmt_endpoint(&tg->addr, tg->port,
				     table_cell(&t, r++, 2), TABLE_CELL);
		}
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

/* ---- sessions ------------------------------------------------------ */

/* "10.0.0.31:11511", or "-" when the kernel did not say. */
static void session_target(const struct rc_session *p, char *buf, size_t len)
{
	if (RC_HAS(p, REPLCOPY_SA_TARGET_ADDR))
		fmt_endpoint(&p->target_addr, p->target_port, buf, len);
	else
		snprintf(buf, len, "-");
}

void out_sessions_text(FILE *f, const struct rc_session *s, size_t n)
{
	static const char *const hdr[] = {
		"MAP", "CLIENT", "TARGET", "COPY", "SOURCE", "STATE", "WORKER",
		"CAPTURED", "ACKED", "QUEUED", "AGE", "FLAGS",
	};
	static const bool right[] = { 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1, 0 };
	struct table t;
	size_t i;

	if (!table_init(&t, 12, hdr, right, n))
		return;
	for (i = 0; i < n; i++) {
		const struct rc_session *p = &s[i];
		char tmp[TABLE_CELL];

		snprintf(table_cell(&t, i, 0), TABLE_CELL, "%" PRIu32,
			 p->map_id);
		fmt_endpoint(&p->client_addr, p->client_port,
			     table_cell(&t, i, 1), TABLE_CELL);
		session_target(p, table_cell(&t, i, 2), TABLE_CELL);
		snprintf(table_cell(&t, i, 3), TABLE_CELL, "%u", p->copy);
		fmt_endpoint(&p->source_addr, p->source_port,
			     table_cell(&t, i, 4), TABLE_CELL);
		snprintf(table_cell(&t, i, 5), TABLE_CELL, "%s",
			 ename(rc_state_name(p->state), p->state, tmp,
			       sizeof(tmp)));
		snprintf(table_cell(&t, i, 6), TABLE_CELL, "%s",
			 ename(rc_worker_name(p->worker), p->worker, tmp,
			       sizeof(tmp)));
		snprintf(table_cell(&t, i, 7), TABLE_CELL, "%" PRIu64,
			 p->captured_bytes);
		snprintf(table_cell(&t, i, 8), TABLE_CELL, "%" PRIu64,
			 p->acked_bytes);
		snprintf(table_cell(&t, i, 9), TABLE_CELL, "%" PRIu32,
			 p->queued_bytes);
		fmt_age(p->age_ms, table_cell(&t, i, 10), TABLE_CELL);
		snprintf(table_cell(&t, i, 11), TABLE_CELL, "%s",
			 p->fabricated ? "fabricated" : "-");
	}
	table_print(f, &t);
}

void json_session_fields(struct json *j, const struct rc_session *p)
{
	char a[ADDR_LEN], ep[ENDPOINT_LEN], tmp[32];
	bool tg = RC_HAS(p, REPLCOPY_SA_TARGET_ADDR);

	json_u64(j, "map_id", p->map_id);
	fmt_addr(&p->client_addr, a);
	json_str(j, "client_addr", a);
	json_u64(j, "client_port", p->client_port);
	fmt_addr(&p->target_addr, a);
	json_str(j, "target_addr", tg ? a : NULL);
	if (tg)
		json_u64(j, "target_port", p->target_port);
	else
		json_null(j, "target_port");
	session_target(p, ep, sizeof(ep));
	json_str(j, "target", tg ? ep : NULL);
	json_u64(j, "copy", p->copy);
	fmt_addr(&p->source_addr, a);
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
