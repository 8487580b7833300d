// SPDX-License-Identifier: GPL-2.0
/*
 * opt.c - option scanner for subcommand arguments (see opt.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "opt.h"

int perr_set(struct perr *e, const char *fmt, ...)
{
	va_list ap;

	if (e) {
		va_start(ap, fmt);
		vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
		va_end(ap);
	}
	return -1;
}

void opt_init(struct optscan *s, const char *cmd, int argc, char **argv)
{
	memset(s, 0, sizeof(*s));
	s->cmd = cmd;
	s->argc = argc;
	s->argv = argv;
}

bool opt_wants_help(int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			return false;
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return true;
	}
	return false;
}

static const struct optdef *find_long(const struct optdef *defs,
				      const char *name, size_t len)
{
	for (; defs->id; defs++)
		if (defs->lng && strlen(defs->lng) == len &&
		    !strncmp(defs->lng, name, len))
			return defs;
	return NULL;
}

static const struct optdef *find_short(const struct optdef *defs, char c)
{
	for (; defs->id; defs++)
		if (defs->shrt && defs->shrt == c)
			return defs;
	return NULL;
}

int opt_next(struct optscan *s, const struct optdef *defs, const char **val,
	     const char **name, struct perr *err)
{
	char *spelled = s->spelled;
	const struct optdef *d;
	const char *a, *eq;

	*val = NULL;
	if (name)
		*name = NULL;
	if (s->i >= s->argc)
		return OPT_END;
	a = s->argv[s->i++];

	if (s->only_pos || a[0] != '-' || a[1] == '\0') {
		*val = a;
		return OPT_POS;
	}
	if (!strcmp(a, "--")) {
		s->only_pos = true;
		return opt_next(s, defs, val, name, err);
	}

	if (a[1] == '-') {
		eq = strchr(a + 2, '=');
		d = find_long(defs, a + 2, eq ? (size_t)(eq - a - 2)
					      : strlen(a + 2));
		snprintf(spelled, sizeof(s->spelled), "%.*s",
			 eq ? (int)(eq - a) : (int)strlen(a), a);
		if (!d) {
			perr_set(err, "unknown option \"%s\": see replctl %s -h",
				 spelled, s->cmd);
			return OPT_ERR;
		}
		if (name)
			*name = spelled;
		if (!d->arg) {
			if (eq) {
				perr_set(err, "option \"%s\" takes no value: "
					 "write it as %s alone", spelled,
					 spelled);
				return OPT_ERR;
			}
			return d->id;
		}
		if (eq) {
			*val = eq + 1;
			return d->id;
		}
	} else {
		d = find_short(defs, a[1]);
		snprintf(spelled, sizeof(s->spelled), "-%c", a[1]);
		if (!d) {
			perr_set(err, "unknown option \"%s\": see replctl %s -h",
				 a, s->cmd);
			return OPT_ERR;
		}
		if (name)
			*name = spelled;
		if (!d->arg) {
			if (a[2]) {
				perr_set(err, "option \"%s\" takes no value: "
					 "write \"%s\" alone, not \"%s\"",
					 spelled, spelled, a);
				return OPT_ERR;
			}
			return d->id;
		}
		if (a[2]) {
			*val = a + 2;
			return d->id;
		}
	}

	/* The value is the next argument. */
	if (s->i >= s->argc) {
		perr_set(err, "option \"%s\" needs a value: see replctl %s -h",
			 spelled, s->cmd);
		return OPT_ERR;
	}
	*val = s->argv[s->i++];
	return d->id;
}
