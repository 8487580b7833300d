// SPDX-License-Identifier: GPL-2.0
/*
 * confdiff.c - the steps of `replctl apply` and their undo (see
 * confdiff.h).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "confdiff.h"
#include "names.h"
#include "output.h"

void conf_plan_free(struct conf_plan *p)
{
	free(p->v);
	memset(p, 0, sizeof(*p));
}

static struct conf_step *push(struct conf_plan *p, enum conf_step_kind kind,
			      unsigned int line)
{
	struct conf_step *s;

	if (p->n == p->cap) {
		size_t ncap = p->cap ? p->cap * 2 : 16;

		s = realloc(p->v, ncap * sizeof(*s));
		if (!s)
			return NULL;
		p->v = s;
		p->cap = ncap;
	}
	s = &p->v[p->n++];
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->line = line;
	return s;
}

/* m's online address; its "not set" (any) when it has none. */
static const struct rc_addr *online(const struct rc_mapping *m)
{
	static const struct rc_addr any;
	const struct rc_addr *on = rc_map_online(m);

	return on ? on : &any;
}

bool conf_map_same_key(const struct rc_mapping *a, const struct rc_mapping *b)
{
	return a->port == b->port && rc_addr_eq(online(a), online(b));
}

bool conf_map_same(const struct rc_mapping *a, const struct rc_mapping *b)
{
	return conf_map_same_key(a, b) &&
	       rc_addr_eq(&a->target_addr, &b->target_addr) &&
	       a->target_port == b->target_port &&
	       rc_targets_same(&a->targets, &b->targets) &&
	       a->source == b->source && a->pacing == b->pacing &&
	       a->flags == b->flags && a->sample == b->sample &&
	       a->copies == b->copies;
}

static int by_id(const void *x, const void *y)
{
	const struct rc_mapping *a = x, *b = y;

	return a->id < b->id ? -1 : a->id > b->id;
}

static int plan_set(const struct rc_config *cfg, const struct conf *want,
		    struct conf_plan *p, struct perr *e)
{
	const struct rc_setting *st;
	struct set_args set, old;
	unsigned int line = 0;
	struct conf_step *s;
	size_t i;

	memset(&set, 0, sizeof(set));
	memset(&old, 0, sizeof(old));
	for (i = 0; i < rc_nsettings; i++) {
		st = &rc_settings[i];
		if (!want->set.has[st->attr])
			continue;
		if (!cfg->has[st->attr])
			return perr_set(e, "the module does not report setting "
					"%s, so apply could not set it back if "
					"a later change failed: leave it out of "
					"the file, or use a module as new as "
					"replctl (see replctl version)",
					st->key);
		if (cfg->val[st->attr] == want->set.val[st->attr])
			continue;
		set.has[st->attr] = old.has[st->attr] = true;
		set.val[st->attr] = want->set.val[st->attr];
		old.val[st->attr] = cfg->val[st->attr];
		set.n++;
		old.n++;
		if (!line || want->set_line[st->attr] < line)
			line = want->set_line[st->attr];
	}
	if (!set.n)
		return 0;
	s = push(p, CONF_SET, line);
	if (!s)
		return perr_set(e, "out of memory");
	s->set = set;
	s->old = old;
	return 0;
}

int conf_plan_make(const struct rc_config *cfg, const struct rc_mapping *cur,
		   size_t ncur, const struct conf *want, struct conf_plan *p,
		   struct perr *e)
{
	struct rc_mapping *sorted = NULL, w;
	bool *keep = NULL;
	struct conf_step *s;
	size_t i, j;

	memset(p, 0, sizeof(*p));
	if (plan_set(cfg, want, p, e))
		goto fail;
	/* keep[j]: the file's mapping j is there already, identical. */
	keep = calloc(want->nmaps ? want->nmaps : 1, sizeof(*keep));
	sorted = malloc((ncur ? ncur : 1) * sizeof(*sorted));
	if (!keep || !sorted) {
		perr_set(e, "out of memory");
		goto fail;
	}
	if (ncur)
		memcpy(sorted, cur, ncur * sizeof(*sorted));
	qsort(sorted, ncur, sizeof(*sorted), by_id);

	for (i = 0; i < ncur; i++) {
		unsigned int line = 0;	/* of the mapping replacing it */
		bool same = false;

		for (j = 0; j < want->nmaps; j++) {
			w = conf_map_of(&want->maps[j].a);
			if (keep[j] || !conf_map_same_key(&sorted[i], &w))
				continue;
			same = conf_map_same(&sorted[i], &w);
			keep[j] = same;
			line = want->maps[j].line;
			break;
		}
		if (same)
			continue;
		s = push(p, CONF_DEL, line);
		if (!s) {
			perr_set(e, "out of memory");
			goto fail;
		}
		s->map = sorted[i];
	}
	for (j = 0; j < want->nmaps; j++) {
		if (keep[j])
			continue;
		s = push(p, CONF_ADD, want->maps[j].line);
		if (!s) {
			perr_set(e, "out of memory");
			goto fail;
		}
		s->map = conf_map_of(&want->maps[j].a);
	}
	free(keep);
	free(sorted);
	return 0;
fail:
	free(keep);
	free(sorted);
	conf_plan_free(p);
	return -1;
}

int conf_plan_undo(const struct conf_plan *p, size_t done,
		   struct conf_plan *undo)
{
	const struct conf_step *s;
	struct conf_step *u;
	size_t i;

	memset(undo, 0, sizeof(*undo));
	for (i = done; i-- > 0;) {
		s = &p->v[i];
		switch (s->kind) {
		case CONF_SET:
			u = push(undo, CONF_SET, s->line);
			if (u) {
				u->set = s->old;
				u->old = s->set;
			}
			break;
		case CONF_DEL:
			u = push(undo, CONF_ADD, s->line);
			if (u) {
				u->map = s->map;
				u->map.present &= ~(1u << REPLCOPY_A_MAP_ID);
				u->map.id = 0;
				u->was_id = s->map.id;
			}
			break;
		case CONF_ADD:
			u = push(undo, CONF_DEL, s->line);
			if (u)
				u->map = s->map;
			break;
		default:
			continue;
		}
		if (!u) {
			conf_plan_free(undo);
			return -1;
		}
	}
	return 0;
}

void conf_step_fmt(const struct conf_step *s, char *buf, size_t len)
{
	const struct rc_mapping *m = &s->map;
	/* An add line: "add", ONLINE, TARGETS_LEN of targets, options. */
	char a[ENDPOINT_LEN + TARGETS_LEN + 256], b[sizeof(a)];

	switch (s->kind) {
	case CONF_SET:
		conf_fmt_set(&s->set, a, sizeof(a));
		conf_fmt_set(&s->old, b, sizeof(b));
		/* "set k v  # was v" for one setting, else "# was k v..." */
		if (s->set.n == 1)
			snprintf(buf, len, "%s  # was %s", a,
				 strrchr(b, ' ') + 1);
		else
			snprintf(buf, len, "%s  # was%s", a, b + 3);
		break;
	case CONF_DEL:
		conf_fmt_del(m, a, sizeof(a));
		conf_fmt_add(m, b, sizeof(b));
		snprintf(buf, len, "%s  # was %s", a, b);
		break;
	case CONF_ADD:
		conf_fmt_add(m, a, sizeof(a));
		if (RC_HAS(m, REPLCOPY_A_MAP_ID))
			snprintf(buf, len, "%s  # ID %" PRIu32, a, m->id);
		else if (s->was_id)
			snprintf(buf, len, "%s  # was ID %" PRIu32, a,
				 s->was_id);
		else
			snprintf(buf, len, "%s", a);
		break;
	}
}
