// SPDX-License-Identifier: GPL-2.0
/*
 * conf.c - reading, checking and writing replctl's config file (see
 * conf.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "output.h"

#define MAX_WORDS 64

void conf_init(struct conf *c)
{
	memset(c, 0, sizeof(*c));
}

void conf_free(struct conf *c)
{
	free(c->maps);
	conf_init(c);
}

/* ---- words ------------------------------------------------------------ */

static bool blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\v' ||
	       ch == '\f' || ch == '\n';
}

/*
 * Split s in place into words, as the shell would without its expansions:
 * blanks separate, '...' and "..." quote, a backslash escapes the next
 * character (in "...", only \ " $ and `), # at the start of a word starts
 * a comment.
 */
static int split(char *s, char **argv, int *argc, struct perr *e)
{
	char *r = s, *w = s, q, ch;
	int n = 0;

	for (;;) {
		while (blank(*r))
			r++;
		if (!*r || *r == '#')
			break;
		if (n == MAX_WORDS)
			return perr_set(e, "more than %d words: a set or add "
					"line needs far fewer", MAX_WORDS);
		argv[n++] = w;
		while (*r && !blank(*r)) {
			if (*r == '\'' || *r == '"') {
				q = *r++;
				while (*r && *r != q) {
					if (q == '"' && *r == '\\' && r[1] &&
					    strchr("\\\"$`", r[1]))
						r++;
					*w++ = *r++;
				}
				if (!*r)
					return perr_set(e, "unterminated "
							"quote (%c): close it "
							"on the same line", q);
				r++;
			} else if (*r == '\\') {
				if (!r[1])
					return perr_set(e, "line ends with a "
							"backslash: a command "
							"must fit on one line");
				r++;
				*w++ = *r++;
			} else {
				*w++ = *r++;
			}
		}
		ch = *r;
		if (ch)
			r++;
		*w++ = '\0';	/* w < r here, or both at the end */
		if (!ch)
			break;
	}
	*argc = n;
	return 0;
}

/* ---- lines ------------------------------------------------------------ */

static const char *const other_cmds[] = {
	"list", "stats", "sessions", "show", "save", "apply", "version",
	"help",
};

static void online_text(const struct add_args *a, char *buf, size_t len)
{
	struct rc_mapping m = conf_map_of(a);

	fmt_online(&m, buf, len);
}

static int add_line(struct conf *c, int argc, char **argv,
		    unsigned int lineno, struct perr *e)
{
	char on[ENDPOINT_LEN], other[ENDPOINT_LEN];
	const struct conf_map *m;
	struct conf_map *p;
	struct add_args a;
	size_t i;

	switch (parse_add_args(argc, argv, &a, e)) {
	case PARSE_ERR:
		return -1;
	case PARSE_HELP:
		return perr_set(e, "-h/--help has no meaning in a config "
				"file: remove it");
	}
	if (a.json)
		return perr_set(e, "--json has no meaning in a config file: "
				"remove it");
	for (i = 0; i < c->nmaps; i++) {
		m = &c->maps[i];
		if (m->a.port != a.port)
			continue;
		online_text(&a, on, sizeof(on));
		if (rc_addr_eq(&m->a.online_addr, &a.online_addr))
			return perr_set(e, "%s is already mapped on line %u: "
					"give each [ONLINE_IP:]PORT once", on,
					m->line);
		if (!rc_addr_is_set(&m->a.online_addr) ||
		    !rc_addr_is_set(&a.online_addr)) {
			online_text(&m->a, other, sizeof(other));
			return perr_set(e, "%s conflicts with %s on line %u "
					"(a mapping for any address covers "
					"every address of the port): keep one "
					"of them", on, other, m->line);
		}
	}
	if (c->nmaps == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 16;

		p = realloc(c->maps, ncap * sizeof(*p));
		if (!p)
			return perr_set(e, "out of memory");
		c->maps = p;
		c->cap = ncap;
	}
	p = &c->maps[c->nmaps++];
	p->a = a;
	p->line = lineno;
	return 0;
}

static int set_line(struct conf *c, int argc, char **argv,
		    unsigned int lineno, struct perr *e)
{
	const struct rc_setting *st;
	struct set_args s;
	unsigned int attr;

	switch (parse_set_args(argc, argv, &s, e)) {
	case PARSE_ERR:
		return -1;
	case PARSE_HELP:
		return perr_set(e, "-h/--help has no meaning in a config "
				"file: remove it");
	}
	for (attr = 0; attr < __REPLCOPY_CFG_MAX; attr++) {
		if (!s.has[attr] || !c->set.has[attr])
			continue;
		st = rc_setting_by_attr(attr);
		return perr_set(e, "setting \"%s\" is already set on line %u: "
				"give each setting once", st ? st->key : "?",
				c->set_line[attr]);
	}
	for (attr = 0; attr < __REPLCOPY_CFG_MAX; attr++) {
		if (!s.has[attr])
			continue;
		c->set.has[attr] = true;
		c->set.val[attr] = s.val[attr];
		c->set.n++;
		c->set_line[attr] = lineno;
	}
	return 0;
}

int conf_parse_line(struct conf *c, char *line, unsigned int lineno,
		    struct perr *e)
{
	char *argv[MAX_WORDS];
	size_t i;
	int argc = 0;

	if (split(line, argv, &argc, e))
		return -1;
	if (argc == 0)
		return 0;
	if (!strcmp(argv[0], "set"))
		return set_line(c, argc - 1, argv + 1, lineno, e);
	if (!strcmp(argv[0], "add"))
		return add_line(c, argc - 1, argv + 1, lineno, e);
	if (!strcmp(argv[0], "del"))
		return perr_set(e, "del lines are not allowed: apply deletes "
				"every mapping the file does not add; remove "
				"the line");
	if (!strcmp(argv[0], "replctl"))
		return perr_set(e, "write the command without \"replctl\", "
				"e.g. add 11311 10.0.0.31:11511");
	for (i = 0; i < sizeof(other_cmds) / sizeof(other_cmds[0]); i++)
		if (!strcmp(argv[0], other_cmds[i]))
			return perr_set(e, "%s cannot be used in a config "
					"file: it holds only set and add "
					"lines", argv[0]);
	return perr_set(e, "unknown command \"%s\": a config file holds only "
			"set and add lines (and # comments)", argv[0]);
}

int conf_read(FILE *f, struct conf *c, unsigned int *lineno,
	      struct perr *e)
{
	unsigned int n = 0;
	size_t cap = 0;
	char *line = NULL;
	ssize_t len;
	int rc = 0;

	*lineno = 0;
	errno = 0;
	while ((len = getline(&line, &cap, f)) >= 0) {
		n++;
		if (len && line[len - 1] == '\n')
			line[--len] = '\0';
		if (strlen(line) != (size_t)len) {
			rc = perr_set(e, "the line holds a NUL byte: this is "
				      "not a text file");
		} else {
			rc = conf_parse_line(c, line, n, e);
		}
		if (rc) {
			*lineno = n;
			break;
		}
		errno = 0;
	}
	if (!rc && ferror(f))
		rc = perr_set(e, "read error: %s",
			      strerror(errno ? errno : EIO));
	else if (!rc && errno == ENOMEM)
		rc = perr_set(e, "out of memory");
	free(line);
	return rc;
}

/* ---- spellings -------------------------------------------------------- */

/* snprintf at *off into buf, which stays terminated when it is too short. */
__attribute__((format(printf, 4, 5)))
static void cat(char *buf, size_t len, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*off >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *off, len - *off, fmt, ap);
	va_end(ap);
	if (n > 0)
		*off += (size_t)n;
}

bool conf_fmt_value(const struct rc_setting *st, uint32_t v, char *buf,
		    size_t len)
{
	const char *name;

	switch (st->kind) {
	case RC_SET_WORKER:
		name = rc_worker_name(v);
		if (!name) {
			snprintf(buf, len, "%" PRIu32, v);
			return false;
		}
		snprintf(buf, len, "%s", name);
		return true;
	case RC_SET_BOOL:
		snprintf(buf, len, "%s", v ? "on" : "off");
		return v <= 1;
	default:
		snprintf(buf, len, "%" PRIu32, v);
		return v >= st->min && v <= st->max;
	}
}

bool conf_fmt_set(const struct set_args *s, char *buf, size_t len)
{
	const struct rc_setting *st;
	bool ok = true;
	char v[32];
	size_t i, off = 0;

	buf[0] = '\0';
	cat(buf, len, &off, "set");
	for (i = 0; i < rc_nsettings; i++) {
		st = &rc_settings[i];
		if (!s->has[st->attr])
			continue;
		ok &= conf_fmt_value(st, s->val[st->attr], v, sizeof(v));
		cat(buf, len, &off, " %s %s", st->key, v);
	}
	return ok && off < len;
}

bool conf_fmt_add(const struct rc_mapping *m, char *buf, size_t len)
{
	char on[ENDPOINT_LEN], tg[TARGETS_LEN];
	const char *name;
	uint32_t unknown;
	bool ok = true;
	size_t off = 0;

	fmt_local(m, "", on, sizeof(on));
	fmt_map_targets(m, " ", tg, sizeof(tg));
	buf[0] = '\0';
	cat(buf, len, &off, "add %s %s", on, tg);
	if (m->source != REPLCOPY_SOURCE_AUTO) {
		name = rc_source_name(m->source);
		ok &= name != NULL;
		if (name)
			cat(buf, len, &off, " --source %s", name);
		else
			cat(buf, len, &off, " --source %u", m->source);
	}
	if (m->pacing != REPLCOPY_PACING_STREAM) {
		name = rc_pacing_name(m->pacing);
		ok &= name != NULL;
		if (name)
			cat(buf, len, &off, " --pacing %s", name);
		else
			cat(buf, len, &off, " --pacing %u", m->pacing);
	}
	if (m->flags & REPLCOPY_MAPF_NO_FABRICATE)
		cat(buf, len, &off, " --no-fabricate");
	if (m->sample != REPLCOPY_SAMPLE_ALL) {
		char pct[16];

		fmt_sample(m->sample, pct, sizeof(pct));
		cat(buf, len, &off, " --sample %s", pct);
	}
	if (m->copies > 1) {
		ok &= m->copies <= REPLCOPY_MAX_COPIES;
		cat(buf, len, &off, " --copies %" PRIu32, m->copies);
	}
	unknown = m->flags & ~(uint32_t)REPLCOPY_MAPF_NO_FABRICATE;
	if (unknown) {
		ok = false;
		cat(buf, len, &off, " (flags 0x%" PRIx32 ")", unknown);
	}
	return ok && off < len;
}

void conf_fmt_del(const struct rc_mapping *m, char *buf, size_t len)
{
	char on[ENDPOINT_LEN];

	if (RC_HAS(m, REPLCOPY_A_MAP_ID)) {
		snprintf(buf, len, "del --id %" PRIu32, m->id);
		return;
	}
	fmt_local(m, "", on, sizeof(on));
	snprintf(buf, len, "del %s", on);
}

struct rc_mapping conf_map_of(const struct add_args *a)
{
	struct rc_mapping m;

	memset(&m, 0, sizeof(m));
	m.present = 1u << REPLCOPY_A_MAP_PORT |
		    1u << REPLCOPY_A_MAP_TARGET_ADDR |
		    1u << REPLCOPY_A_MAP_TARGET_PORT |
		    1u << REPLCOPY_A_MAP_SOURCE |
		    1u << REPLCOPY_A_MAP_PACING |
		    1u << REPLCOPY_A_MAP_FLAGS;
	if (rc_addr_is_set(&a->online_addr))
		m.present |= 1u << REPLCOPY_A_MAP_ONLINE_ADDR;
	m.port = a->port;
	m.online_addr = a->online_addr;
	m.target_addr = a->targets.v[0].addr;
	m.target_port = a->targets.v[0].port;
	m.targets = a->targets;
	m.source = a->source;
	m.pacing = a->pacing;
	m.flags = a->flags;
	m.sample = a->sample ? a->sample : REPLCOPY_SAMPLE_ALL;
	m.copies = a->copies ? a->copies : 1;
	return m;
}

struct add_args conf_add_of(const struct rc_mapping *m)
{
	struct add_args a;

	memset(&a, 0, sizeof(a));
	if (rc_map_online(m))
		a.online_addr = m->online_addr;
	a.port = m->port;
	a.targets = m->targets;
	if (!a.targets.n)
		rc_targets_add(&a.targets, &m->target_addr, m->target_port);
	a.source = m->source;
	a.pacing = m->pacing;
	a.flags = m->flags;
	a.sample = m->sample;
	a.copies = m->copies;
	return a;
}

/* ---- writing ---------------------------------------------------------- */

static int by_id(const void *x, const void *y)
{
	const struct rc_mapping *a = x, *b = y;

	return a->id < b->id ? -1 : a->id > b->id;
}

int conf_write(FILE *f, const struct rc_config *cfg,
	       const struct rc_mapping *m, size_t n, const char *version,
	       struct perr *e)
{
	struct rc_mapping *sorted = NULL;
	char line[1024];
	struct set_args s;
	unsigned int attr;
	size_t i;

	memset(&s, 0, sizeof(s));
	for (attr = 0; attr < __REPLCOPY_CFG_MAX; attr++) {
		if (!cfg->has[attr] || !rc_setting_by_attr(attr))
			continue;
		s.has[attr] = true;
		s.val[attr] = cfg->val[attr];
		s.n++;
	}
	if (s.n && !conf_fmt_set(&s, line, sizeof(line)))
		return perr_set(e, "the module reports a setting value this "
				"replctl cannot write (%s): use a replctl as "
				"new as the module (see replctl version)",
				line);
	for (i = 0; i < n; i++)
		if (!conf_fmt_add(&m[i], line, sizeof(line)))
			return perr_set(e, "mapping ID %" PRIu32 " has an "
					"option this replctl does not know "
					"(%s): use a replctl as new as the "
					"module (see replctl version)",
					m[i].id, line);
	if (n) {
		sorted = malloc(n * sizeof(*sorted));
		if (!sorted)
			return perr_set(e, "out of memory");
		memcpy(sorted, m, n * sizeof(*sorted));
		qsort(sorted, n, sizeof(*sorted), by_id);
	}

	fprintf(f,
"# replcopy configuration: the module's settings and the mappings of one\n"
"# network namespace, written by replctl save (replctl %s).\n"
"# replctl apply FILE reads it back: it makes the namespace's mappings and\n"
"# the module's settings equal to these lines (see replctl(8)).\n",
		version);
	if (s.n) {
		conf_fmt_set(&s, line, sizeof(line));
		fprintf(f, "%s\n", line);
	}
	for (i = 0; i < n; i++) {
		conf_fmt_add(&sorted[i], line, sizeof(line));
		fprintf(f, "%s\n", line);
	}
	free(sorted);
	return 0;
}
