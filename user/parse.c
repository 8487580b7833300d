// SPDX-License-Identifier: GPL-2.0
/*
 * parse.c - argument parsing for every subcommand (see parse.h).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "opt.h"
#include "parse.h"

#define EX_ONLINE	"11311 or 10.0.0.5:11311"
#define EX_ONLINE_PORT	"11311"
#define EX_ONLINE_IP6	"fd00::5"
#define EX_TARGET_IP	"10.0.0.31"
#define EX_TARGET_IP6	"fd00::31"
#define EX_TARGET_PORT	"11511"
#define EX_PROM_FILE	"/var/lib/node_exporter/textfile_collector/replcopy.prom"
#define EX_CONF_FILE	"/etc/replcopy/replcopy.conf"

/* ---- numbers ------------------------------------------------------- */

int parse_u64(const char *s, uint64_t min, uint64_t max, const char *what,
	      uint64_t *out, struct perr *e)
{
	unsigned long long v;
	const char *p;
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return perr_set(e, "%s \"%s\" is not a number: use %" PRIu64
				"-%" PRIu64, what, s, min, max);
	for (p = s; isdigit((unsigned char)*p); p++)
		;
	if (*p)
		return perr_set(e, "%s \"%s\" has \"%s\" after the number: use "
				"a plain number, %" PRIu64 "-%" PRIu64,
				what, s, p, min, max);
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno == ERANGE || v < min || v > max)
		return perr_set(e, "%s \"%s\" out of range: use %" PRIu64 "-%"
				PRIu64, what, s, min, max);
	*out = v;
	return 0;
}

int parse_u32(const char *s, uint32_t min, uint32_t max, const char *what,
	      uint32_t *out, struct perr *e)
{
	uint64_t v;

	if (parse_u64(s, min, max, what, &v, e))
		return -1;
	*out = (uint32_t)v;
	return 0;
}

int parse_port(const char *s, const char *what, uint16_t *out,
	       struct perr *e)
{
	uint64_t v;

	if (parse_u64(s, 1, 65535, what, &v, e))
		return -1;
	*out = (uint16_t)v;
	return 0;
}

int parse_interval(const char *s, const char *what, double *out,
		   struct perr *e)
{
	const char *p = s;
	double v;

	/* Digits, optionally a point and more digits: strtod alone would
	 * also take "1e3", "0x10", "inf", " 1" and "-1".
	 */
	if (!isdigit((unsigned char)*p))
		return perr_set(e, "%s \"%s\" is not a number of seconds: "
				"use e.g. 1 or 0.5", what, s);
	while (isdigit((unsigned char)*p))
		p++;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return perr_set(e, "%s \"%s\" is not a number of "
					"seconds: use e.g. 1 or 0.5", what, s);
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p)
		return perr_set(e, "%s \"%s\" has \"%s\" after the number: "
				"give plain seconds, e.g. 1 or 0.5",
				what, s, p);
	v = strtod(s, NULL);
	if (!(v >= 0.1 && v <= 86400))
		return perr_set(e, "%s \"%s\" out of range: use 0.1-86400 "
				"seconds", what, s);
	*out = v;
	return 0;
}

int parse_sample(const char *s, const char *what, uint32_t *out,
		 struct perr *e)
{
	const char *p = s;
	uint32_t v = 0;
	int frac = 0;

	for (; isdigit((unsigned char)*p); p++)
		if (v <= REPLCOPY_SAMPLE_ALL)	/* no wrap: out of range */
			v = v * 10 + (uint32_t)(*p - '0') * 100;
	if (p == s)
		goto bad;
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p) && frac < 2)
			v += (uint32_t)(*p++ - '0') * (frac++ ? 1 : 10);
		if (!frac)
			goto bad;
		if (isdigit((unsigned char)*p))
			return perr_set(e, "%s \"%s\" has more than two "
					"decimals: the sample is set in steps "
					"of 0.01 %%, e.g. 0.25", what, s);
	}
	if (*p == '%')
		p++;
	if (*p)
		goto bad;
	if (v < 1 || v > REPLCOPY_SAMPLE_ALL)
		return perr_set(e, "%s \"%s\" out of range: give a percentage "
				"of connections from 0.01 to 100", what, s);
	*out = v;
	return 0;
bad:
	return perr_set(e, "%s \"%s\" is not a percentage: give the share of "
			"connections to replay, 0.01 to 100, e.g. 10 or 2.5",
			what, s);
}

int parse_bool(const char *s, const char *what, bool *out, struct perr *e)
{
	static const char *const yes[] = { "on", "1", "yes", "true" };
	static const char *const no[] = { "off", "0", "no", "false" };
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcmp(s, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcmp(s, no[i])) {
			*out = false;
			return 0;
		}
	}
	return perr_set(e, "%s \"%s\" is not valid: use on or off", what, s);
}

/* ---- addresses ----------------------------------------------------- */

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

#define NOT_IPV6 "%s \"%.*s\" is not an IPv6 address: write it as x:x::x, " \
		 "e.g. " EX_TARGET_IP6

static int parse_ipv6(const char *s, const char *what, struct rc_addr *out,
		      struct perr *e)
{
	const char *zone = strchr(s, '%');
	char v4[ADDR_LEN];
	struct rc_addr a;

	if (zone)
		return perr_set(e, "%s \"%s\" has a zone index (\"%s\"), "
				"which replctl does not take: give a global or "
				"unique local address, e.g. " EX_TARGET_IP6,
				what, s, zone);
	if (!rc_addr_pton(AF_INET6, s, &a))
		return perr_set(e, NOT_IPV6, what, (int)strlen(s), s);
	if (rc_addr_is_v4mapped(&a)) {
		inet_ntop(AF_INET, a.v6 + 12, v4, sizeof(v4));
		return perr_set(e, "%s \"%s\" is an IPv4-mapped IPv6 address: "
				"give the IPv4 address itself (%s), without "
				"brackets", what, s, v4);
	}
	*out = a;
	return 0;
}

int parse_ip(const char *s, const char *what, struct rc_addr *out,
	     struct perr *e)
{
	const char *p;
	bool alpha = false;

	if (strchr(s, ':'))
		return parse_ipv6(s, what, out, e);
	if (rc_addr_pton(AF_INET, s, out))
		return 0;
	if (!*s)
		return perr_set(e, "%s is empty: write it as a.b.c.d, e.g. "
				EX_TARGET_IP, what);
	for (p = s; *p; p++)
		alpha |= isalpha((unsigned char)*p);
	if (alpha)
		return perr_set(e, "%s \"%s\" is not an IPv4 address (host "
				"names are not resolved): write it as a.b.c.d, "
				"e.g. " EX_TARGET_IP, what, s);
	return perr_set(e, "%s \"%s\" is not an IPv4 address: write it as "
			"a.b.c.d, e.g. " EX_TARGET_IP, what, s);
}

/* How the messages about an ADDRESS:PORT argument call it and its parts. */
struct ep_words {
	const char *what;	/* the argument */
	const char *addr;	/* its address */
	const char *port;	/* its port */
	const char *form;	/* how to write it */
	const char *ex;		/* examples of form */
	const char *ex_port;	/* a port */
	const char *ex6;	/* an example with an IPv6 address */
};

static const struct ep_words online_words = {
	"PORT", "ONLINE_IP", "PORT", "[ONLINE_IP:]PORT", EX_ONLINE,
	EX_ONLINE_PORT, "[" EX_ONLINE_IP6 "]:" EX_ONLINE_PORT,
};

static const struct ep_words target_words = {
	"TARGET", "TARGET address", "TARGET port", "IP:PORT",
	EX_TARGET_IP ":" EX_TARGET_PORT, EX_TARGET_PORT,
	"[" EX_TARGET_IP6 "]:" EX_TARGET_PORT,
};

/* "[IPv6]:PORT" (s starts with '['). */
static int parse_bracketed(const char *s, const struct ep_words *w,
			   struct rc_addr *addr, uint16_t *port,
			   struct perr *e)
{
	const char *close = strchr(s, ']');
	struct rc_addr a;
	char ip[64];
	size_t n;

	if (!close)
		return perr_set(e, "%s \"%s\" has no closing ']': write it as "
				"[IPv6]:PORT, e.g. %s", w->what, s, w->ex6);
	n = (size_t)(close - s - 1);
	if (!n)
		return perr_set(e, "%s \"%s\" has no address between the "
				"brackets: write it as [IPv6]:PORT, e.g. %s",
				w->what, s, w->ex6);
	if (n >= sizeof(ip))
		return perr_set(e, NOT_IPV6, w->addr, (int)n, s + 1);
	memcpy(ip, s + 1, n);
	ip[n] = '\0';
	if (!strchr(ip, ':') && rc_addr_pton(AF_INET, ip, &a))
		return perr_set(e, "%s \"%s\" has an IPv4 address in brackets: "
				"write IPv4 addresses without them, e.g. %s:%s",
				w->what, s, ip,
				close[1] == ':' && close[2] ? close + 2
							    : w->ex_port);
	if (parse_ipv6(ip, w->addr, &a, e))
		return -1;
	if (close[1] && close[1] != ':')
		return perr_set(e, "%s \"%s\" has \"%s\" after ']': write it "
				"as [IPv6]:PORT, e.g. [%s]:%s", w->what, s,
				close + 1, ip, w->ex_port);
	if (!close[1] || !close[2])
		return perr_set(e, "%s \"%s\" has no port: write it as "
				"[IPv6]:PORT, e.g. [%s]:%s", w->what, s, ip,
				w->ex_port);
	if (parse_port(close + 2, w->port, port, e))
		return -1;
	*addr = a;
	return 0;
}

/* s has more than one ':' and no '[': an IPv6 address without brackets? */
static int unbracketed(const char *s, const struct ep_words *w,
		       struct perr *e)
{
	const char *last = strrchr(s, ':');
	size_t n = (size_t)(last - s);
	char ip[64], ex[160];
	struct rc_addr a;

	ex[0] = '\0';
	if (n < sizeof(ip)) {
		memcpy(ip, s, n);
		ip[n] = '\0';
		/* "fd00::31:11511": the address, then its port. */
		if (all_digits(last + 1) && rc_addr_pton(AF_INET6, ip, &a))
			snprintf(ex, sizeof(ex), "[%s]:%s", ip, last + 1);
	}
	if (!ex[0] && strlen(s) < sizeof(ip) && rc_addr_pton(AF_INET6, s, &a))
		snprintf(ex, sizeof(ex), "[%s]:%s", s, w->ex_port);
	if (ex[0])
		return perr_set(e, "%s \"%s\" looks like an IPv6 address "
				"without brackets: write it as [IPv6]:PORT, "
				"e.g. %s", w->what, s, ex);
	return perr_set(e, "%s \"%s\" has more than one ':': write it as %s, "
			"e.g. %s, or an IPv6 address in brackets, e.g. %s",
			w->what, s, w->form, w->ex, w->ex6);
}

/* '[' first, or a second ':': an IPv6 form, with brackets or without. */
static bool ipv6_form(const char *s)
{
	const char *c = strchr(s, ':');

	return s[0] == '[' || (c && strchr(c + 1, ':'));
}

static int parse_ipv6_form(const char *s, const struct ep_words *w,
			   struct rc_addr *addr, uint16_t *port,
			   struct perr *e)
{
	if (s[0] == '[')
		return parse_bracketed(s, w, addr, port, e);
	return unbracketed(s, w, e);
}

int parse_online(const char *s, struct rc_addr *addr, uint16_t *port,
		 struct perr *e)
{
	const char *colon;
	struct rc_addr a;
	char ip[64];

	memset(&a, 0, sizeof(a));
	if (ipv6_form(s)) {
		if (parse_ipv6_form(s, &online_words, &a, port, e))
			return -1;
		goto any;
	}
	colon = strchr(s, ':');
	if (!colon) {
		if (strchr(s, '.') && rc_addr_pton(AF_INET, s, &a))
			return perr_set(e, "PORT \"%s\" is an address without a "
					"port: write it as [ONLINE_IP:]PORT, "
					"e.g. %s:11311", s, s);
		memset(addr, 0, sizeof(*addr));
		return parse_port(s, "PORT", port, e);
	}

	if ((size_t)(colon - s) >= sizeof(ip))
		return perr_set(e, "ONLINE_IP in \"%s\" is not an IPv4 address: "
				"write [ONLINE_IP:]PORT, e.g. " EX_ONLINE, s);
	memcpy(ip, s, colon - s);
	ip[colon - s] = '\0';
	if (!ip[0])
		return perr_set(e, "PORT \"%s\" has an empty address before "
				"':': write it as PORT or ONLINE_IP:PORT, e.g. "
				EX_ONLINE, s);
	if (strcmp(ip, "*") && parse_ip(ip, "ONLINE_IP", &a, e))
		return -1;
	if (!colon[1])
		return perr_set(e, "PORT \"%s\" has no port: write it as "
				"[ONLINE_IP:]PORT, e.g. %s11311", s, s);
	if (parse_port(colon + 1, "PORT", port, e))
		return -1;
any:
	/* 0.0.0.0 and :: mean any local address, as no address does. */
	if (!rc_addr_is_set(&a))
		memset(&a, 0, sizeof(a));
	*addr = a;
	return 0;
}

int parse_target(const char *s, struct rc_addr *addr, uint16_t *port,
		 struct perr *e)
{
	const char *colon;
	struct rc_addr a;
	char ip[64];

	if (!*s)
		return perr_set(e, "TARGET is empty: write it as IP:PORT, e.g. "
				EX_TARGET_IP ":" EX_TARGET_PORT);
	if (ipv6_form(s))
		return parse_ipv6_form(s, &target_words, addr, port, e);
	colon = strchr(s, ':');
	if (!colon) {
		if (all_digits(s))
			return perr_set(e, "TARGET \"%s\" has no address: write "
					"it as IP:PORT, e.g. " EX_TARGET_IP
					":%s", s, s);
		return perr_set(e, "TARGET \"%s\" has no port: write it as "
				"IP:PORT, e.g. %s:" EX_TARGET_PORT, s,
				rc_addr_pton(AF_INET, s, &a) ? s
							     : EX_TARGET_IP);
	}
	if ((size_t)(colon - s) >= sizeof(ip))
		return perr_set(e, "TARGET \"%s\" is not IP:PORT: write it as "
				"IP:PORT, e.g. " EX_TARGET_IP ":"
				EX_TARGET_PORT, s);
	memcpy(ip, s, colon - s);
	ip[colon - s] = '\0';
	if (!ip[0])
		return perr_set(e, "TARGET \"%s\" has no address: write it as "
				"IP:PORT, e.g. " EX_TARGET_IP "%s", s, s);
	if (parse_ip(ip, "TARGET address", &a, e))
		return -1;
	if (!colon[1])
		return perr_set(e, "TARGET \"%s\" has no port: write it as "
				"IP:PORT, e.g. %s" EX_TARGET_PORT, s, s);
	if (parse_port(colon + 1, "TARGET port", port, e))
		return -1;

	*addr = a;
	return 0;
}

/* ---- subcommands --------------------------------------------------- */

enum {
	O_JSON = 1,
	O_HELP,
	O_SOURCE,
	O_PACING,
	O_NO_FABRICATE,
	O_SAMPLE,
	O_COPIES,
	O_ID,
	O_ALL,
	O_INTERVAL,
	O_COUNT,
	O_PROMETHEUS,
	O_WRITE,
};

#define OPT_JSON	{ "json", 'j', false, O_JSON }
#define OPT_HELP	{ "help", 'h', false, O_HELP }
#define OPT_ID		{ "id", 0, true, O_ID }
#define OPT_END_DEF	{ NULL, 0, false, 0 }

/* Where the options several subcommands share land (NULL: not offered). */
struct common_opts {
	bool *json;		/* --json/-j */
	uint32_t *id;		/* --id ID */
	bool *has_id;
};

/*
 * opt_next() that stores the shared options (O_JSON, O_ID) in *c itself
 * and returns only the subcommand's own ids, OPT_POS, OPT_END or OPT_ERR.
 */
static int next_opt(struct optscan *s, const struct optdef *defs,
		    const struct common_opts *c, const char **val,
		    const char **name, struct perr *e)
{
	int id;

	while ((id = opt_next(s, defs, val, name, e)) != OPT_END) {
		switch (id) {
		case O_JSON:
			*c->json = true;
			break;
		case O_ID:
			if (parse_u32(*val, 1, UINT32_MAX, *name, c->id, e))
				return OPT_ERR;
			*c->has_id = true;
			break;
		default:
			return id;
		}
	}
	return OPT_END;
}

/* The word at the i-th target's place (i from 1) is no target at all. */
static bool unlike_target(const char *s, int i)
{
	return i > 1 && !strchr(s, ':') && !strchr(s, '.') && !all_digits(s);
}

/* The i-th TARGET_IP:PORT argument s (i from 1) into a->targets. */
static int add_target(struct add_args *a, const char *s, int i,
		      struct perr *e)
{
	struct rc_addr addr;
	uint16_t port;
	int k;

	if (unlike_target(s, i))
		return perr_set(e, "unexpected argument \"%s\": add takes "
				"[ONLINE_IP:]PORT TARGET_IP:PORT "
				"[TARGET_IP:PORT...] and options; see replctl "
				"add -h", s);
	if (parse_target(s, &addr, &port, e))
		return -1;
	k = rc_targets_find(&a->targets, &addr, port);
	if (k >= 0)
		return perr_set(e, "TARGET \"%s\" is given twice (targets %d "
				"and %d): give each target once; to replay "
				"each connection several times to one target, "
				"use --copies N", s, k + 1, i);
	rc_targets_add(&a->targets, &addr, port);
	return 0;
}

/* --source client with argument xs (address x) and TARGET ys (y). */
static int mixed_families(const char *what, const char *xs,
			  const struct rc_addr *x, const char *ys,
			  const struct rc_addr *y, struct perr *e)
{
	return perr_set(e, "--source client with %s \"%s\" (%s) and TARGET "
			"\"%s\" (%s): the replayed connections take the "
			"client's own address, so the online address and "
			"every target must be of one family; use --source auto "
			"to replay across families", what, xs,
			rc_addr_family_name(x), ys, rc_addr_family_name(y));
}

/*
 * --source client: the replayed connections take the client's own
 * address, so the online address (if any) and every target are of one
 * family. pos: the positional arguments, ONLINE then the targets.
 */
static int client_one_family(const struct add_args *a, const char **pos,
			     struct perr *e)
{
	const struct rc_addr *t0 = &a->targets.v[0].addr, *t;
	unsigned int i;

	if (rc_addr_is_set(&a->online_addr) &&
	    a->online_addr.family != t0->family)
		return mixed_families("PORT", pos[0], &a->online_addr, pos[1],
				      t0, e);
	for (i = 1; i < a->targets.n; i++) {
		t = &a->targets.v[i].addr;
		if (t->family != t0->family)
			return mixed_families("TARGET", pos[1], t0, pos[i + 1],
					      t, e);
	}
	return 0;
}

int parse_add_args(int argc, char **argv, struct add_args *a,
		   struct perr *e)
{
	static const struct optdef defs[] = {
		OPT_JSON, OPT_HELP,
		{ "source", 0, true, O_SOURCE },
		{ "pacing", 0, true, O_PACING },
		{ "no-fabricate", 0, false, O_NO_FABRICATE },
		{ "sample", 0, true, O_SAMPLE },
		{ "copies", 0, true, O_COPIES },
		OPT_END_DEF,
	};
	const struct common_opts c = { .json = &a->json };
	const char *pos[1 + REPLCOPY_MAX_TARGETS], *extra = NULL, *val, *name;
	struct optscan s;
	int npos = 0, id, i;

	memset(a, 0, sizeof(*a));
	a->source = REPLCOPY_SOURCE_AUTO;
	a->pacing = REPLCOPY_PACING_STREAM;
	a->sample = REPLCOPY_SAMPLE_ALL;
	a->copies = 1;
	if (opt_wants_help(argc, argv))
		return PARSE_HELP;

	opt_init(&s, "add", argc, argv);
	while ((id = next_opt(&s, defs, &c, &val, &name, e)) != OPT_END) {
		switch (id) {
		case OPT_ERR:
			return PARSE_ERR;
		case OPT_POS:
			if (npos < 1 + REPLCOPY_MAX_TARGETS)
				pos[npos++] = val;
			else if (!extra)
				extra = val;
			break;
		case O_SOURCE:
			if (rc_source_parse(val, &a->source))
				return perr_set(e, "%s \"%s\" is not valid: use "
						"auto or client", name, val);
			break;
		case O_PACING:
			if (rc_pacing_parse(val, &a->pacing))
				return perr_set(e, "%s \"%s\" is not valid: use "
						"stream or response", name, val);
			break;
		case O_NO_FABRICATE:
			a->flags |= REPLCOPY_MAPF_NO_FABRICATE;
			break;
		case O_SAMPLE:
			if (parse_sample(val, name, &a->sample, e))
				return PARSE_ERR;
			break;
		case O_COPIES:
			if (parse_u32(val, 1, REPLCOPY_MAX_COPIES, name,
				      &a->copies, e))
				return PARSE_ERR;
			break;
		}
	}

	if (npos == 0)
		return perr_set(e, "missing PORT and TARGET: write replctl add "
				"[ONLINE_IP:]PORT TARGET_IP:PORT, e.g. replctl "
				"add 11311 10.0.0.31:11511");
	if (parse_online(pos[0], &a->online_addr, &a->port, e))
		return PARSE_ERR;
	if (npos == 1)
		return perr_set(e, "missing TARGET: write replctl add %s "
				"TARGET_IP:PORT, e.g. replctl add %s "
				"10.0.0.31:11511", pos[0], pos[0]);
	if (extra)
		return perr_set(e, "too many targets: \"%s\" would be target "
				"%d, a mapping has at most %d; give at most %d "
				"TARGET_IP:PORT", extra, REPLCOPY_MAX_TARGETS + 1,
				REPLCOPY_MAX_TARGETS, REPLCOPY_MAX_TARGETS);
	for (i = 1; i < npos; i++)
		if (add_target(a, pos[i], i, e))
			return PARSE_ERR;
	if (a->copies > 1 && a->source == REPLCOPY_SOURCE_CLIENT)
		return perr_set(e, "--copies %" PRIu32 " with --source client: "
				"every copy would take the client's own address "
				"and port toward the same target, where only "
				"one can be; use --copies 1, or --source auto "
				"to make copies", a->copies);
	if (a->source == REPLCOPY_SOURCE_CLIENT &&
	    client_one_family(a, pos, e))
		return PARSE_ERR;
	return PARSE_OK;
}

int parse_del_args(int argc, char **argv, struct del_args *a,
		   struct perr *e)
{
	static const struct optdef defs[] = {
		OPT_HELP, OPT_ID,
		{ "all", 0, false, O_ALL },
		OPT_END_DEF,
	};
	const char *pos = NULL, *val, *name;
	bool has_id = false, all = false;
	const struct common_opts c = { .id = &a->id, .has_id = &has_id };
	struct optscan s;
	int id, n;

	memset(a, 0, sizeof(*a));
	if (opt_wants_help(argc, argv))
		return PARSE_HELP;

	opt_init(&s, "del", argc, argv);
	while ((id = next_opt(&s, defs, &c, &val, &name, e)) != OPT_END) {
		switch (id) {
		case OPT_ERR:
			return PARSE_ERR;
		case OPT_POS:
			if (pos)
				return perr_set(e, "unexpected argument \"%s\": "
						"del takes one [ONLINE_IP:]PORT; "
						"to delete several, run del for "
						"each or use --all", val);
			pos = val;
			break;
		case O_ALL:
			all = true;
			break;
		}
	}

	n = !!pos + has_id + all;
	if (n == 0)
		return perr_set(e, "nothing to delete: give [ONLINE_IP:]PORT, "
				"--id ID or --all, e.g. replctl del 11311");
	if (n > 1)
		return perr_set(e, "give only one of [ONLINE_IP:]PORT, --id ID "
				"and --all");
	if (all) {
		a->by = DEL_ALL;
	} else if (has_id) {
		a->by = DEL_BY_ID;
	} else {
		a->by = DEL_BY_PORT;
		if (parse_online(pos, &a->online_addr, &a->port, e))
			return PARSE_ERR;
	}
	return PARSE_OK;
}

int parse_json_args(const char *cmd, int argc, char **argv,
		    struct json_args *a, struct perr *e)
{
	static const struct optdef defs[] = { OPT_JSON, OPT_HELP, OPT_END_DEF };
	const struct common_opts c = { .json = &a->json };
	const char *val, *name;
	struct optscan s;
	int id;

	memset(a, 0, sizeof(*a));
	if (opt_wants_help(argc, argv))
		return PARSE_HELP;
	opt_init(&s, cmd, argc, argv);
	while ((id = next_opt(&s, defs, &c, &val, &name, e)) != OPT_END) {
		switch (id) {
		case OPT_ERR:
			return PARSE_ERR;
		case OPT_POS:
			return perr_set(e, "unexpected argument \"%s\": %s takes "
					"no arguments, only --json", val, cmd);
		}
	}
	return PARSE_OK;
}

int parse_stats_args(int argc, char **argv, struct stats_args *a,
		     struct perr *e)
{
	static const struct optdef defs[] = {
		OPT_JSON, OPT_HELP, OPT_ID,
		{ "interval", 'i', true, O_INTERVAL },
		{ "count", 'c', true, O_COUNT },
		{ "prometheus", 0, false, O_PROMETHEUS },
		{ "write", 0, true, O_WRITE },
		OPT_END_DEF,
	};
	const struct common_opts c = {
		.json = &a->json, .id = &a->id, .has_id = &a->has_id,
	};
	/* The options as typed ("-i" or "--interval"), for messages. */
	char interval_opt[64] = "", count_opt[64] = "";
	const char *val, *name;
	bool has_count = false;
	struct optscan s;
	int id;

	memset(a, 0, sizeof(*a));
	if (opt_wants_help(argc, argv))
		return PARSE_HELP;
	opt_init(&s, "stats", argc, argv);
	while ((id = next_opt(&s, defs, &c, &val, &name, e)) != OPT_END) {
		switch (id) {
		case OPT_ERR:
			return PARSE_ERR;
		case OPT_POS:
			return perr_set(e, "unexpected argument \"%s\": to print "
					"every N seconds write -i N [-c COUNT], "
					"e.g. replctl stats -i 1", val);
		case O_INTERVAL:
			if (parse_interval(val, name, &a->interval, e))
				return PARSE_ERR;
			a->has_interval = true;
			snprintf(interval_opt, sizeof(interval_opt), "%s", name);
			break;
		case O_COUNT:
			if (parse_u32(val, 1, UINT32_MAX, name, &a->count, e))
				return PARSE_ERR;
			has_count = true;
			snprintf(count_opt, sizeof(count_opt), "%s", name);
			break;
		case O_PROMETHEUS:
			a->prometheus = true;
			break;
		case O_WRITE:
			if (!*val)
				return perr_set(e, "--write needs a file name: "
						"write e.g. replctl stats "
						"--prometheus --write "
						EX_PROM_FILE);
			a->write = val;
			break;
		}
	}
	if (a->prometheus && a->json)
		return perr_set(e, "--prometheus and --json are two output "
				"formats: give only one of them, e.g. replctl "
				"stats --prometheus");
	if (a->prometheus && (a->has_interval || has_count))
		return perr_set(e, "--prometheus prints the counters once: "
				"leave out %s (Prometheus computes rates "
				"itself), e.g. replctl stats --prometheus",
				a->has_interval ? interval_opt : count_opt);
	if (a->write && !a->prometheus)
		return perr_set(e, "--write FILE needs --prometheus: write "
				"replctl stats --prometheus --write %s",
				a->write);
	if (has_count && !a->has_interval)
		return perr_set(e, "-c COUNT needs -i SECONDS: write e.g. "
				"replctl stats -i 1 -c %" PRIu32, a->count);
	return PARSE_OK;
}

int parse_sessions_args(int argc, char **argv, struct sessions_args *a,
			struct perr *e)
{
	static const struct optdef defs[] = {
		OPT_JSON, OPT_HELP, OPT_ID, OPT_END_DEF,
	};
	const struct common_opts c = {
		.json = &a->json, .id = &a->id, .has_id = &a->has_id,
	};
	const char *val, *name;
	struct optscan s;
	int id;

	memset(a, 0, sizeof(*a));
	if (opt_wants_help(argc, argv))
		return PARSE_HELP;
	opt_init(&s, "sessions", argc, argv);
	while ((id = next_opt(&s, defs, &c, &val, &name, e)) != OPT_END) {
		switch (id) {
		case OPT_ERR:
			return PARSE_ERR;
		case OPT_POS:
			return perr_set(e, "unexpected argument \"%s\": to show "
					"one mapping's sessions write --id ID, "
					"e.g. replctl sessions --id 1", val);
		}
	}
	return PARSE_OK;
}

static void settings_list(char *buf, size_t len)
{
	size_t i, off = 0;

	buf[0] = '\0';
	for (i = 0; i < rc_nsettings && off < len; i++)
		off += snprintf(buf + off, len - off, "%s%s", i ? ", " : "",
				rc_settings[i].key);
}

static int parse_setting_value(const struct rc_setting *st, const char *v,
			       uint32_t *out, struct perr *e)
{
	uint8_t w;
	bool b;

	switch (st->kind) {
	case RC_SET_WORKER:
		if (rc_worker_parse(v, &w))
			return perr_set(e, "%s \"%s\" is not valid: use wq or "
					"kthread", st->key, v);
		*out = w;
		return 0;
	case RC_SET_BOOL:
		if (parse_bool(v, st->key, &b, e))
			return -1;
		*out = b;
		return 0;
	case RC_SET_U8:
	case RC_SET_U32:
		return parse_u32(v, st->min, st->max, st->key, out, e);
	}
	return perr_set(e, "internal error: setting %s", st->key);
}

int parse_set_args(int argc, char **argv, struct set_args *a,
		   struct perr *e)
{
	const struct rc_setting *st;
	char keys[256];
	int i = 0;

	memset(a, 0, sizeof(*a));
	if (opt_wants_help(argc, argv))
		return PARSE_HELP;
	if (argc > 0 && !strcmp(argv[0], "--"))
		i++;
	if (i >= argc)
		return perr_set(e, "nothing to set: give KEY VALUE pairs, e.g. "
				"replctl set worker kthread");
	for (; i < argc; i += 2) {
		st = rc_setting_by_key(argv[i]);
		if (!st) {
			settings_list(keys, sizeof(keys));
			if (argv[i][0] == '-')
				return perr_set(e, "unknown option \"%s\": set "
						"takes KEY VALUE pairs; keys "
						"are %s", argv[i], keys);
			return perr_set(e, "unknown setting \"%s\": use one of "
					"%s", argv[i], keys);
		}
		if (i + 1 >= argc)
			return perr_set(e, "setting \"%s\" needs a value: e.g. "
					"replctl set %s %s", argv[i], st->key,
					st->example);
		if (a->has[st->attr])
			return perr_set(e, "setting \"%s\" given twice: give "
					"each setting once", st->key);
		if (parse_setting_value(st, argv[i + 1], &a->val[st->attr], e))
			return PARSE_ERR;
		a->has[st->attr] = true;
		a->n++;
	}
	return PARSE_OK;
}

int parse_save_args(int argc, char **argv, struct perr *e)
{
	static const struct optdef defs[] = { OPT_HELP, OPT_END_DEF };
	const char *val, *name;
	struct optscan s;
	int id;

	if (opt_wants_help(argc, argv))
		return PARSE_HELP;
	opt_init(&s, "save", argc, argv);
	while ((id = opt_next(&s, defs, &val, &name, e)) != OPT_END) {
		switch (id) {
		case OPT_ERR:
			return PARSE_ERR;
		case OPT_POS:
			return perr_set(e, "unexpected argument \"%s\": save takes "
					"no arguments, it prints the "
					"configuration; to keep it write "
					"replctl save > " EX_CONF_FILE, val);
		}
	}
	return PARSE_OK;
}

int parse_apply_args(int argc, char **argv, struct apply_args *a,
		     struct perr *e)
{
	static const struct optdef defs[] = { OPT_HELP, OPT_END_DEF };
	const char *val, *name;
	struct optscan s;
	int id;

	memset(a, 0, sizeof(*a));
	if (opt_wants_help(argc, argv))
		return PARSE_HELP;
	opt_init(&s, "apply", argc, argv);
	while ((id = opt_next(&s, defs, &val, &name, e)) != OPT_END) {
		switch (id) {
		case OPT_ERR:
			return PARSE_ERR;
		case OPT_POS:
			if (a->file)
				return perr_set(e, "unexpected argument \"%s\": "
						"apply takes one FILE (- for "
						"standard input)", val);
			a->file = val;
			break;
		}
	}
	if (!a->file)
		return perr_set(e, "missing FILE: write replctl apply FILE, or "
				"replctl apply - to read standard input, e.g. "
				"replctl apply " EX_CONF_FILE);
	if (!*a->file)
		return perr_set(e, "FILE is empty: give the config file's "
				"name, e.g. replctl apply " EX_CONF_FILE);
	return PARSE_OK;
}
