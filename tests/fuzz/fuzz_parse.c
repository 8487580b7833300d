// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for replctl's pure code (the pure objects of user/, no netlink I/O):
 * argument parsing, kernel message decoding, extended-ack decoding and the
 * text/JSON output of whatever was decoded.
 *
 *   clang -fsanitize=fuzzer,address,undefined ... (see tests/fuzz/Makefile)
 *   ./fuzz_parse -max_total_time=30 corpus-dir
 *
 * The first input byte picks the target; the rest is its input:
 *   0..5  argv of add, del, list, stats, sessions, set (NUL-separated)
 *   6     a replcopy message body (genl header + attributes) for
 *         rc_parse_reply(), then every out_*() that fits what was decoded,
 *         and event_print() (replctl monitor's lines)
 *   7     an NLMSG_ERROR body for extack_parse() and extack_print()
 *   8     a controller message for rc_parse_family() and
 *         rc_parse_family_group()
 *   9     one string for each building-block parser
 * Beyond the sanitizers, it checks: a parser that fails leaves a non-empty,
 * NUL-terminated message; JSON output has balanced brackets outside
 * strings and no raw control character inside them.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "event.h"
#include "extack.h"
#include "output.h"
#include "parse.h"
#include "reply.h"

#define MAXARGS 24

static void check_perr(int rc, const struct perr *e, const char *what)
{
	if (rc == PARSE_ERR &&
	    (memchr(e->msg, 0, sizeof(e->msg)) == NULL || e->msg[0] == 0)) {
		fprintf(stderr, "%s failed without a message\n", what);
		abort();
	}
}

/* Balanced {} [] outside strings, no raw control characters in strings. */
static void check_json(const char *s, size_t n)
{
	int depth = 0;
	bool str = false, esc = false;
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (str) {
			if (esc)
				esc = false;
			else if (c == '\\')
				esc = true;
			else if (c == '"')
				str = false;
			else if (c < 0x20) {
				fprintf(stderr, "JSON: raw control character %#x in a string\n", c);
				abort();
			}
			continue;
		}
		if (c == '"')
			str = true;
		else if (c == '{' || c == '[')
			depth++;
		else if (c == '}' || c == ']')
			depth--;
		if (depth < 0) {
			fprintf(stderr, "JSON: unbalanced closing bracket\n");
			abort();
		}
	}
	if (depth || str) {
		fprintf(stderr, "JSON: unbalanced output (depth %d, in string %d): %.*s\n",
			depth, str, (int)n, s);
		abort();
	}
}

static void fuzz_argv(uint8_t which, const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *argv[MAXARGS + 1];
	int argc = 0, rc = 0;
	size_t i, start = 0;
	struct perr e;

	memcpy(buf, data, size);
	buf[size] = 0;
	for (i = 0; i <= size && argc < MAXARGS; i++) {
		if (buf[i] == 0) {
			argv[argc++] = buf + start;
			start = i + 1;
		}
	}
	argv[argc] = NULL;
	memset(&e, 0, sizeof(e));
	switch (which) {
	case 0: {
		struct add_args a;

		rc = parse_add_args(argc, argv, &a, &e);
		break;
	}
	case 1: {
		struct del_args a;

		rc = parse_del_args(argc, argv, &a, &e);
		break;
	}
	case 2: {
		struct json_args a;

		rc = parse_json_args("list", argc, argv, &a, &e);
		break;
	}
	case 3: {
		struct stats_args a;

		rc = parse_stats_args(argc, argv, &a, &e);
		break;
	}
	case 4: {
		struct sessions_args a;

		rc = parse_sessions_args(argc, argv, &a, &e);
		break;
	}
	default: {
		struct set_args a;
		unsigned int k;

		rc = parse_set_args(argc, argv, &a, &e);
		if (rc == PARSE_OK)
			for (k = 0; k < __REPLCOPY_CFG_MAX; k++)
				if (a.has[k] && (k == 0 || k > REPLCOPY_CFG_MAX))
					abort();
		break;
	}
	}
	check_perr(rc, &e, "argv parser");
	free(buf);
}

/* Text and JSON of a decoded reply, into memory; the JSON is checked. */
static void outputs(const struct rc_reply *r)
{
	char *mem = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&mem, &len);
	struct rc_stats_entry ent;

	if (!f)
		return;
	out_mapping_json(f, &r->map);
	fflush(f);
	check_json(mem, len);
	rewind(f);
	len = 0;
	out_mappings_json(f, &r->map, 1);
	fflush(f);
	check_json(mem, len);
	out_mappings_text(f, &r->map, 1);
	out_added_text(f, &r->map);
	if (r->has_stats) {
		ent.map = r->map;
		ent.stats = r->stats;
		memcpy(ent.tstats, r->tstats, sizeof(ent.tstats));
		rewind(f);
		out_stats_json(f, &ent, 1, &r->stats);
		fflush(f);
		check_json(mem, (size_t)ftell(f));
		out_stats_text(f, &ent, 1, &r->stats);
		{
			struct rc_tick t = { "12:00:00", "2024-01-01T12:00:00Z", 1.0, 1.0 };

			rewind(f);
			out_stats_tick_json(f, &t, &ent, 1);
			fflush(f);
			check_json(mem, (size_t)ftell(f));
			out_stats_tick_text(f, &t, &ent, 1);
		}
	}
	if (r->has_session) {
		rewind(f);
		out_sessions_json(f, &r->sess, 1);
		fflush(f);
		check_json(mem, (size_t)ftell(f));
		out_sessions_text(f, &r->sess, 1);
	}
	if (r->has_config) {
		rewind(f);
		out_config_json(f, &r->cfg);
		fflush(f);
		check_json(mem, (size_t)ftell(f));
		out_config_text(f, &r->cfg);
	}
	fclose(f);
	free(mem);
}

/* data becomes the payload of a netlink message of the given type. */
static struct nlmsghdr *wrap(uint16_t type, uint16_t flags, const uint8_t *data,
			     size_t size)
{
	struct nlmsghdr *nlh;

	if (size > 60000)
		size = 60000;
	nlh = calloc(1, NLMSG_HDRLEN + NLMSG_ALIGN(size) + 8);
	nlh->nlmsg_len = (uint32_t)(NLMSG_HDRLEN + size);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	memcpy((char *)nlh + NLMSG_HDRLEN, data, size);
	return nlh;
}

/* replctl monitor's lines for nlh: one line, or none; the JSON is checked. */
static void events(const struct nlmsghdr *nlh)
{
	const struct timespec t = { 1714605001, 123456789 };
	char *mem = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&mem, &len);
	int rc;

	if (!f)
		return;
	rc = event_print(f, nlh, &t, true);
	fflush(f);
	check_json(mem, len);
	if ((rc == 1) != (len == 0) || (len && (mem[len - 1] != '\n' ||
						memchr(mem, '\n', len) != mem + len - 1))) {
		fprintf(stderr, "event_print: %d, not one line: %.*s\n", rc,
			(int)len, mem);
		abort();
	}
	event_print(f, nlh, &t, false);
	fclose(f);
	free(mem);
}

static void fuzz_reply(const uint8_t *data, size_t size)
{
	struct nlmsghdr *nlh = wrap(0x20, NLM_F_MULTI, data, size);
	struct rc_reply r;

	memset(&r, 0, sizeof(r));
	if (rc_parse_reply(nlh, &r) == 0)
		outputs(&r);
	events(nlh);
	free(nlh);
}

static void fuzz_extack(const uint8_t *data, size_t size)
{
	uint16_t flags = size >= 2 ? (uint16_t)(data[0] | data[1] << 8) : 0;
	struct nlmsghdr *nlh = wrap(NLMSG_ERROR, flags, data + (size >= 2 ? 2 : size),
				    size >= 2 ? size - 2 : 0);
	struct nl_extack x;
	char *mem = NULL;
	size_t len = 0;
	FILE *f;
	int err = 0;

	memset(&x, 0, sizeof(x));
	if (extack_parse(nlh, &x, &err) == 0) {
#ifdef FUZZ_SKIP_KNOWN
		/* Known: extack_print() negates an error of INT_MIN (UB). */
		if (err < -4095)
			err = -4095;
#endif
		f = open_memstream(&mem, &len);
		if (f) {
			/* The request: the echoed one when it is there. */
			extack_print(f, "add", err ? err : -22, &x, NULL);
			if (nlh->nlmsg_len >= NLMSG_HDRLEN + sizeof(struct nlmsgerr)) {
				const struct nlmsgerr *e = NLMSG_DATA(nlh);
				uint32_t avail = nlh->nlmsg_len - NLMSG_HDRLEN - sizeof(int);

				if (!(flags & NLM_F_CAPPED) && e->msg.nlmsg_len >= NLMSG_HDRLEN &&
				    e->msg.nlmsg_len <= avail)
					extack_print(f, "add", -22, &x, &e->msg);
			}
			fclose(f);
			free(mem);
		}
	}
	free(nlh);
}

static void fuzz_family(const uint8_t *data, size_t size)
{
	struct nlmsghdr *nlh = wrap(GENL_ID_CTRL, 0, data, size);
	uint32_t version, grp;
	uint16_t id;

	rc_parse_family(nlh, &id, &version);
	rc_parse_family_group(nlh, "events", &grp);
	free(nlh);
}

static void fuzz_blocks(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	struct perr e;
	uint64_t u64;
	struct rc_addr addr;
	uint32_t u32;
	uint16_t port;
	double d;
	bool b;

	memcpy(s, data, size);
	s[size] = 0;
	memset(&e, 0, sizeof(e));
	check_perr(parse_u64(s, 0, UINT64_MAX, "n", &u64, &e), &e, "parse_u64");
	check_perr(parse_u32(s, 5, 70000, "n", &u32, &e), &e, "parse_u32");
	if (parse_u32(s, 5, 70000, "n", &u32, &e) == PARSE_OK && (u32 < 5 || u32 > 70000))
		abort();
	check_perr(parse_port(s, "port", &port, &e), &e, "parse_port");
	if (parse_port(s, "port", &port, &e) == PARSE_OK && port == 0)
		abort();
	check_perr(parse_ip(s, "addr", &addr, &e), &e, "parse_ip");
	check_perr(parse_online(s, &addr, &port, &e), &e, "parse_online");
	if (parse_online(s, &addr, &port, &e) == PARSE_OK &&
	    (port == 0 || (addr.family && !rc_addr_is_set(&addr)) ||
	     rc_addr_is_v4mapped(&addr)))
		abort();
	check_perr(parse_target(s, &addr, &port, &e), &e, "parse_target");
	if (parse_target(s, &addr, &port, &e) == PARSE_OK &&
	    (port == 0 || !addr.family || rc_addr_is_v4mapped(&addr)))
		abort();
	check_perr(parse_interval(s, "interval", &d, &e), &e, "parse_interval");
	if (parse_interval(s, "interval", &d, &e) == PARSE_OK && !(d >= 0.1 && d <= 86400))
		abort();
	check_perr(parse_bool(s, "on", &b, &e), &e, "parse_bool");
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	switch (data[0] % 10) {
	case 6:
		fuzz_reply(data + 1, size - 1);
		break;
	case 7:
		fuzz_extack(data + 1, size - 1);
		break;
	case 8:
		fuzz_family(data + 1, size - 1);
		break;
	case 9:
		fuzz_blocks(data + 1, size - 1);
		break;
	default:
		fuzz_argv(data[0] % 10, data + 1, size - 1);
		break;
	}
	return 0;
}
