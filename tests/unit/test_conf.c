// SPDX-License-Identifier: GPL-2.0
/*
 * test_conf.c - the config file of `replctl save` and `replctl apply`:
 * reading it (comments, blank lines, quoting, several set lines), the
 * line number and exact message of every kind of bad line, the exact text
 * the writer makes for known states (mappings decoded from fabricated
 * kernel messages, as replctl decodes them), and writer -> reader giving
 * back the same state.
 */
#include "unit.h"
#include "kmsg.h"

#include "conf.h"
#include "confdiff.h"	/* conf_map_same() */
#include "names.h"
#include "reply.h"

/* ---- helpers ---------------------------------------------------------- */

/* conf_read() of the first len bytes of text. */
static int read_n(const char *text, size_t len, struct conf *c,
		  unsigned int *line, struct perr *e)
{
	static char empty[1];
	FILE *f;
	int rc;

	f = fmemopen(len ? (void *)text : empty, len, "r");
	assert_non_null(f);
	conf_init(c);
	memset(e, 0, sizeof(*e));
	rc = conf_read(f, c, line, e);
	fclose(f);
	return rc;
}

static int read_text(const char *text, struct conf *c, unsigned int *line,
		     struct perr *e)
{
	return read_n(text, strlen(text), c, line, e);
}

/* text is refused on line want_line with exactly want_msg. */
static void bad(const char *text, unsigned int want_line,
		const char *want_msg)
{
	unsigned int line = 99;
	struct perr e;
	struct conf c;

	assert_int_equal(read_text(text, &c, &line, &e), -1);
	if (line != want_line || strcmp(e.msg, want_msg))
		print_error("text:\n%s\ngot line %u: %s\nwant line %u: %s\n",
			    text, line, e.msg, want_line, want_msg);
	assert_int_equal(line, want_line);
	assert_string_equal(e.msg, want_msg);
	conf_free(&c);
}

static uint8_t buf[4096] __attribute__((aligned(8)));

/* A mapping as replctl decodes the kernel's GET_MAPPING message. */
static struct rc_mapping kmap(const struct kmap *k)
{
	return kmap_decoded(buf, sizeof(buf), k);
}

/* Every setting, none of them at its default. */
static struct rc_config config_all(void)
{
	struct rc_config c;
	size_t i;

	memset(&c, 0, sizeof(c));
	for (i = 0; i < rc_nsettings; i++)
		c.has[rc_settings[i].attr] = true;
	c.val[REPLCOPY_CFG_WORKER] = REPLCOPY_WORKER_KTHREAD;
	c.val[REPLCOPY_CFG_WQ_UNBOUND] = 1;
	c.val[REPLCOPY_CFG_WQ_MAX_ACTIVE] = 64;
	c.val[REPLCOPY_CFG_MAX_SESSIONS] = 20000;
	c.val[REPLCOPY_CFG_MAX_SESSION_BYTES] = 1048576;
	c.val[REPLCOPY_CFG_MAX_TOTAL_BYTES] = 524288;
	c.val[REPLCOPY_CFG_IDLE_TIMEOUT] = 120;
	c.val[REPLCOPY_CFG_SYN_RETRIES] = 3;
	c.val[REPLCOPY_CFG_MAX_RETRIES] = 8;
	c.has_version = true;
	strcpy(c.version, "0.1.0");
	return c;
}

/* The targets of K[3]. */
static const struct ktarget KT[] = {
	{ .addr = "10.0.0.41", .port = 8080, .sessions = 4 },
	{ .addr = "10.0.0.42", .port = 8080, .sessions = 2 },
	{ .addr = "10.0.0.41", .port = 8081, .sessions = -1 },
};

/*
 * Four mappings, out of ID order: every option, the defaults, and
 * several targets with copies (as a module that knows them sends them).
 */
static const struct kmap K[] = {
	{ .id = 12, .online = "10.0.0.5", .port = 80, .target = "10.0.0.32",
	  .target_port = 8080, .source = REPLCOPY_SOURCE_CLIENT,
	  .pacing = REPLCOPY_PACING_RESPONSE,
	  .flags = REPLCOPY_MAPF_NO_FABRICATE, .sessions = 7 },
	/* The kernel always sends the online address: 0.0.0.0 for any. */
	{ .id = 1, .online = "0.0.0.0", .port = 11311, .target = "10.0.0.31",
	  .target_port = 11511, .sessions = 0 },
	{ .id = 5, .port = 6379, .target = "10.0.0.33", .target_port = 6379,
	  .pacing = REPLCOPY_PACING_RESPONSE, .sessions = -1 },
	{ .id = 9, .online = "0.0.0.0", .port = 8080, .target = "10.0.0.41",
	  .target_port = 8080, .sessions = 6, .copies = 3, .targets = KT,
	  .ntargets = 3, .sample = 5000 },
};

#define NK (sizeof(K) / sizeof(K[0]))

/* IPv6: online addresses and targets of either family, mixed. */
static const struct ktarget KT6[] = {
	{ .addr = "fd00::41", .port = 8080, .sessions = 1 },
	{ .addr = "10.0.0.42", .port = 8080, .sessions = 0 },
	{ .addr = "2001:db8:0:0:1::1", .port = 8081, .sessions = 0 },
};

static const struct kmap K6[] = {
	{ .id = 3, .online = "fd00::5", .port = 80, .target = "fd00::32",
	  .target_port = 8080, .source = REPLCOPY_SOURCE_CLIENT,
	  .sessions = 0 },
	{ .id = 2, .online = "0.0.0.0", .port = 8080, .target = "fd00::41",
	  .target_port = 8080, .sessions = 1, .copies = 2, .targets = KT6,
	  .ntargets = 3 },
	{ .id = 4, .online = "10.0.0.5", .port = 80, .target = "fd00::33",
	  .target_port = 80, .sessions = 0 },
};

#define NK6 (sizeof(K6) / sizeof(K6[0]))

static char *write_text(const struct rc_config *cfg,
			const struct rc_mapping *m, size_t n, int *rc,
			struct perr *e)
{
	struct capture cap;

	*rc = conf_write(capture_begin(&cap), cfg, m, n, "0.1.0", e);
	return capture_end(&cap);
}

#define HEADER \
"# replcopy configuration: the module's settings and the mappings of one\n" \
"# network namespace, written by replctl save (replctl 0.1.0).\n" \
"# replctl apply FILE reads it back: it makes the namespace's mappings and\n" \
"# the module's settings equal to these lines (see replctl(8)).\n"

/* ---- reading ---------------------------------------------------------- */

static void test_comments_and_blank_lines(void **state)
{
	unsigned int line;
	struct perr e;
	struct conf c;

	(void)state;
	assert_int_equal(read_text(
		"# replcopy\n"
		"\n"
		"   \t \n"
		"  # an indented comment\n"
		"add 11311 10.0.0.31:11511   # a comment after the command\n"
		"#add 9000 10.0.0.31:9000\n"
		"\n", &c, &line, &e), 0);
	assert_int_equal(c.nmaps, 1);
	assert_int_equal(c.set.n, 0);
	assert_int_equal(c.maps[0].line, 5);
	assert_int_equal(c.maps[0].a.port, 11311);
	assert_addr(&c.maps[0].a.online_addr, NULL);
	assert_int_equal(c.maps[0].a.targets.n, 1);
	assert_addr(&c.maps[0].a.targets.v[0].addr, "10.0.0.31");
	assert_int_equal(c.maps[0].a.targets.v[0].port, 11511);
	assert_int_equal(c.maps[0].a.copies, 1);
	assert_int_equal(c.maps[0].a.source, REPLCOPY_SOURCE_AUTO);
	assert_int_equal(c.maps[0].a.pacing, REPLCOPY_PACING_STREAM);
	assert_int_equal(c.maps[0].a.flags, 0);
	conf_free(&c);

	/* Nothing at all, and only comments: an empty file is valid. */
	assert_int_equal(read_text("", &c, &line, &e), 0);
	assert_int_equal(c.nmaps + c.set.n, 0);
	conf_free(&c);
	assert_int_equal(read_text("# nothing\n\n", &c, &line, &e), 0);
	assert_int_equal(c.nmaps + c.set.n, 0);
	conf_free(&c);
}

static void test_line_ends(void **state)
{
	unsigned int line;
	struct perr e;
	struct conf c;

	(void)state;
	/* CRLF, and a last line without its newline. */
	assert_int_equal(read_text("add 1 10.0.0.1:2\r\n"
				   "set idle-timeout 60", &c, &line, &e), 0);
	assert_int_equal(c.nmaps, 1);
	assert_int_equal(c.maps[0].a.targets.v[0].port, 2);
	assert_true(c.set.has[REPLCOPY_CFG_IDLE_TIMEOUT]);
	assert_int_equal(c.set.val[REPLCOPY_CFG_IDLE_TIMEOUT], 60);
	assert_int_equal(c.set_line[REPLCOPY_CFG_IDLE_TIMEOUT], 2);
	conf_free(&c);
}

static void test_quoting(void **state)
{
	unsigned int line;
	struct perr e;
	struct conf c;

	(void)state;
	assert_int_equal(read_text(
		"set worker 'kthread' idle-timeout \"6\"0\n"
		"add \\8\\0 \"10.0.0.1:80\" --pacing=response\n",
		&c, &line, &e), 0);
	assert_int_equal(c.set.val[REPLCOPY_CFG_WORKER],
			 REPLCOPY_WORKER_KTHREAD);
	assert_int_equal(c.set.val[REPLCOPY_CFG_IDLE_TIMEOUT], 60);
	assert_int_equal(c.maps[0].a.port, 80);
	assert_int_equal(c.maps[0].a.pacing, REPLCOPY_PACING_RESPONSE);
	conf_free(&c);

	/* '#' inside a word is no comment, as in the shell. */
	bad("set worker kthread#x\n", 1,
	    "worker \"kthread#x\" is not valid: use wq or kthread");
	bad("set worker 'kthread\n", 1,
	    "unterminated quote ('): close it on the same line");
	bad("\nadd 1 \"10.0.0.1:2\n", 2,
	    "unterminated quote (\"): close it on the same line");
	bad("add 1 10.0.0.1:2 \\\n", 1,
	    "line ends with a backslash: a command must fit on one line");
}

static void test_several_set_lines(void **state)
{
	unsigned int line;
	struct perr e;
	struct conf c;

	(void)state;
	assert_int_equal(read_text(
		"set worker kthread\n"
		"# limits\n"
		"set max-sessions 100 idle_timeout 5\n"
		"set wq-unbound off\n", &c, &line, &e), 0);
	assert_int_equal(c.set.n, 4);
	assert_true(c.set.has[REPLCOPY_CFG_WQ_UNBOUND]);
	assert_int_equal(c.set.val[REPLCOPY_CFG_WQ_UNBOUND], 0);
	assert_int_equal(c.set.val[REPLCOPY_CFG_MAX_SESSIONS], 100);
	assert_int_equal(c.set_line[REPLCOPY_CFG_WORKER], 1);
	assert_int_equal(c.set_line[REPLCOPY_CFG_MAX_SESSIONS], 3);
	assert_int_equal(c.set_line[REPLCOPY_CFG_IDLE_TIMEOUT], 3);
	assert_int_equal(c.set_line[REPLCOPY_CFG_WQ_UNBOUND], 4);
	assert_false(c.set.has[REPLCOPY_CFG_SYN_RETRIES]);
	conf_free(&c);
}

/* The parsers' own messages, on the line they come from. */
static void test_bad_values(void **state)
{
	(void)state;
	bad("add 1 10.0.0.1:2\n\nadd 70000 1.2.3.4:5\n", 3,
	    "PORT \"70000\" out of range: use 1-65535");
	bad("# settings\nset syn-retries 11\n", 2,
	    "syn-retries \"11\" out of range: use 1-10");
	bad("add 11311\n", 1,
	    "missing TARGET: write replctl add 11311 TARGET_IP:PORT, e.g. "
	    "replctl add 11311 10.0.0.31:11511");
	bad("add 11311 10.0.0.31\n", 1,
	    "TARGET \"10.0.0.31\" has no port: write it as IP:PORT, e.g. "
	    "10.0.0.31:11511");
	bad("add 1 10.0.0.1:2 --replicas 2\n", 1,
	    "unknown option \"--replicas\": see replctl add -h");
	bad("add 1 10.0.0.1:2 --copies 17\n", 1,
	    "--copies \"17\" out of range: use 1-16");
	bad("add 1 10.0.0.1:2 --copies 2 --source client\n", 1,
	    "--copies 2 with --source client: every copy would take the "
	    "client's own address and port toward the same target, where "
	    "only one can be; use --copies 1, or --source auto to make "
	    "copies");
	bad("\nadd 1 10.0.0.1:2 10.0.0.2:2 10.0.0.1:2\n", 2,
	    "TARGET \"10.0.0.1:2\" is given twice (targets 1 and 3): give "
	    "each target once; to replay each connection several times to "
	    "one target, use --copies N");
	bad("add 1 10.0.0.1:2 --source server\n", 1,
	    "--source \"server\" is not valid: use auto or client");
	bad("set\n", 1,
	    "nothing to set: give KEY VALUE pairs, e.g. replctl set worker "
	    "kthread");
	bad("set max-sessions\n", 1,
	    "setting \"max-sessions\" needs a value: e.g. replctl set "
	    "max-sessions 10000");
	bad("set colour blue\n", 1,
	    "unknown setting \"colour\": use one of worker, wq-unbound, "
	    "wq-max-active, max-sessions, max-session-bytes, "
	    "max-total-kbytes, idle-timeout, syn-retries, max-retries");
	bad("set worker wq worker kthread\n", 1,
	    "setting \"worker\" given twice: give each setting once");
}

static void test_bad_commands(void **state)
{
	(void)state;
	bad("add 1 10.0.0.1:2\nfrobnicate 3\n", 2,
	    "unknown command \"frobnicate\": a config file holds only set "
	    "and add lines (and # comments)");
	bad("del 11311\n", 1,
	    "del lines are not allowed: apply deletes every mapping the file "
	    "does not add; remove the line");
	bad("\n\ndel --all\n", 3,
	    "del lines are not allowed: apply deletes every mapping the file "
	    "does not add; remove the line");
	bad("list\n", 1,
	    "list cannot be used in a config file: it holds only set and "
	    "add lines");
	bad("apply other.conf\n", 1,
	    "apply cannot be used in a config file: it holds only set and "
	    "add lines");
	bad("replctl add 1 10.0.0.1:2\n", 1,
	    "write the command without \"replctl\", e.g. add 11311 "
	    "10.0.0.31:11511");
	bad("ADD 1 10.0.0.1:2\n", 1,
	    "unknown command \"ADD\": a config file holds only set and add "
	    "lines (and # comments)");
	bad("add 1 10.0.0.1:2 -h\n", 1,
	    "-h/--help has no meaning in a config file: remove it");
	bad("set --help\n", 1,
	    "-h/--help has no meaning in a config file: remove it");
	bad("add 1 10.0.0.1:2 -j\n", 1,
	    "--json has no meaning in a config file: remove it");
}

static void test_duplicates(void **state)
{
	(void)state;
	bad("set worker wq\nadd 1 10.0.0.1:2\nset idle-timeout 9 worker "
	    "kthread\n", 3,
	    "setting \"worker\" is already set on line 1: give each setting "
	    "once");
	bad("add 80 10.0.0.1:80\nadd 80 10.0.0.2:80\n", 2,
	    "*:80 is already mapped on line 1: give each [ONLINE_IP:]PORT "
	    "once");
	bad("add 10.0.0.5:80 10.0.0.1:80\n#\nadd 10.0.0.5:80 10.0.0.1:81\n",
	    3, "10.0.0.5:80 is already mapped on line 1: give each "
	    "[ONLINE_IP:]PORT once");
	bad("add 10.0.0.5:80 10.0.0.1:80\nadd 80 10.0.0.1:81\n", 2,
	    "*:80 conflicts with 10.0.0.5:80 on line 1 (a mapping for any "
	    "address covers every address of the port): keep one of them");
	bad("add *:80 10.0.0.1:80\nadd 10.0.0.5:80 10.0.0.1:81\n", 2,
	    "10.0.0.5:80 conflicts with *:80 on line 1 (a mapping for any "
	    "address covers every address of the port): keep one of them");
}

static void test_not_text(void **state)
{
	static const char text[] = "add 1 10.0.0.1:2\nadd\0 3 10.0.0.1:4\n";
	unsigned int line;
	struct perr e;
	struct conf c;

	(void)state;
	assert_int_equal(read_n(text, sizeof(text) - 1, &c, &line, &e), -1);
	assert_int_equal(line, 2);
	assert_string_equal(e.msg, "the line holds a NUL byte: this is not "
			    "a text file");
	conf_free(&c);
}

static void test_every_mapping_spelling(void **state)
{
	unsigned int line;
	struct perr e;
	struct conf c;

	(void)state;
	assert_int_equal(read_text(
		"add 10.0.0.5:80 10.0.0.32:8080 --source client --pacing "
		"response --no-fabricate\n"
		"add *:81 10.0.0.32:8081 --source=auto --pacing stream\n",
		&c, &line, &e), 0);
	assert_int_equal(c.nmaps, 2);
	assert_addr(&c.maps[0].a.online_addr, "10.0.0.5");
	assert_int_equal(c.maps[0].a.source, REPLCOPY_SOURCE_CLIENT);
	assert_int_equal(c.maps[0].a.pacing, REPLCOPY_PACING_RESPONSE);
	assert_int_equal(c.maps[0].a.flags, REPLCOPY_MAPF_NO_FABRICATE);
	assert_addr(&c.maps[1].a.online_addr, NULL);
	assert_int_equal(c.maps[1].a.port, 81);
	assert_int_equal(c.maps[1].line, 2);
	conf_free(&c);
}

/* ---- writing ---------------------------------------------------------- */

static void test_write_empty(void **state)
{
	struct rc_config cfg;
	struct perr e;
	char *out;
	int rc;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	out = write_text(&cfg, NULL, 0, &rc, &e);
	assert_int_equal(rc, 0);
	assert_string_equal(out, HEADER);
	free(out);
}

static void test_write_state(void **state)
{
	struct rc_config cfg = config_all();
	struct rc_mapping m[NK];
	struct perr e;
	size_t i;
	char *out;
	int rc;

	(void)state;
	for (i = 0; i < NK; i++)
		m[i] = kmap(&K[i]);
	out = write_text(&cfg, m, NK, &rc, &e);
	assert_int_equal(rc, 0);
	assert_string_equal(out, HEADER
		"set worker kthread wq-unbound on wq-max-active 64 "
		"max-sessions 20000 max-session-bytes 1048576 "
		"max-total-kbytes 524288 idle-timeout 120 syn-retries 3 "
		"max-retries 8\n"
		"add 11311 10.0.0.31:11511\n"
		"add 6379 10.0.0.33:6379 --pacing response\n"
		"add 8080 10.0.0.41:8080 10.0.0.42:8080 10.0.0.41:8081 "
		"--sample 50 --copies 3\n"
		"add 10.0.0.5:80 10.0.0.32:8080 --source client --pacing "
		"response --no-fabricate\n");
	free(out);

	/* The module's defaults: every setting still written. */
	cfg.val[REPLCOPY_CFG_WORKER] = REPLCOPY_WORKER_WQ;
	cfg.val[REPLCOPY_CFG_WQ_UNBOUND] = 0;
	cfg.val[REPLCOPY_CFG_WQ_MAX_ACTIVE] = 0;
	cfg.has[REPLCOPY_CFG_MAX_RETRIES] = false;	/* not reported */
	out = write_text(&cfg, m + 1, 1, &rc, &e);
	assert_int_equal(rc, 0);
	assert_string_equal(out, HEADER
		"set worker wq wq-unbound off wq-max-active 0 "
		"max-sessions 20000 max-session-bytes 1048576 "
		"max-total-kbytes 524288 idle-timeout 120 syn-retries 3\n"
		"add 11311 10.0.0.31:11511\n");
	free(out);
}

static void test_write_unknown_values(void **state)
{
	struct rc_config cfg = config_all();
	struct kmap k = K[1];
	struct rc_mapping m;
	struct perr e;
	char *out;
	int rc;

	(void)state;
	k.source = 7;
	m = kmap(&k);
	out = write_text(&cfg, &m, 1, &rc, &e);
	assert_int_equal(rc, -1);
	assert_string_equal(out, "");		/* nothing written */
	assert_string_equal(e.msg, "mapping ID 1 has an option this replctl "
			    "does not know (add 11311 10.0.0.31:11511 "
			    "--source 7): use a replctl as new as the module "
			    "(see replctl version)");
	free(out);

	k = K[1];
	k.flags = 0x10 | REPLCOPY_MAPF_NO_FABRICATE;
	m = kmap(&k);
	out = write_text(&cfg, &m, 1, &rc, &e);
	assert_int_equal(rc, -1);
	assert_string_equal(out, "");
	assert_string_equal(e.msg, "mapping ID 1 has an option this replctl "
			    "does not know (add 11311 10.0.0.31:11511 "
			    "--no-fabricate (flags 0x10)): use a replctl as new "
			    "as the module (see replctl version)");
	free(out);

	cfg.val[REPLCOPY_CFG_WORKER] = 9;
	out = write_text(&cfg, NULL, 0, &rc, &e);
	assert_int_equal(rc, -1);
	assert_string_equal(out, "");
	assert_non_null(strstr(e.msg, "set worker 9 "));
	free(out);
}

/* What save writes, apply reads back as the same state. */
static void round_trip(const struct rc_config *cfg,
		       const struct rc_mapping *m, size_t n)
{
	const struct rc_mapping *by_id[NK];
	struct rc_mapping back;
	unsigned int line, attr;
	struct perr e;
	struct conf c;
	size_t i, j;
	char *out;
	int rc;

	out = write_text(cfg, m, n, &rc, &e);
	assert_int_equal(rc, 0);
	assert_int_equal(read_text(out, &c, &line, &e), 0);
	free(out);

	for (attr = 0; attr < __REPLCOPY_CFG_MAX; attr++) {
		assert_int_equal(c.set.has[attr],
				 cfg->has[attr] && rc_setting_by_attr(attr));
		if (c.set.has[attr])
			assert_int_equal(c.set.val[attr], cfg->val[attr]);
	}
	/* The add lines: one per mapping, in ID order. */
	assert_true(n <= NK);
	for (i = 0; i < n; i++) {
		by_id[i] = &m[i];
		for (j = i; j > 0 && by_id[j - 1]->id > by_id[j]->id; j--) {
			const struct rc_mapping *t = by_id[j];

			by_id[j] = by_id[j - 1];
			by_id[j - 1] = t;
		}
	}
	assert_int_equal(c.nmaps, n);
	for (i = 0; i < n; i++) {
		back = conf_map_of(&c.maps[i].a);
		assert_true(conf_map_same(&back, by_id[i]));
		assert_int_equal(c.maps[i].a.port, by_id[i]->port);
	}
	conf_free(&c);
}

static void test_round_trip(void **state)
{
	struct rc_config cfg = config_all();
	struct rc_mapping m[NK];
	size_t i;

	(void)state;
	for (i = 0; i < NK; i++)
		m[i] = kmap(&K[i]);
	round_trip(&cfg, m, NK);
	round_trip(&cfg, m + 2, 1);
	round_trip(&cfg, m + 3, 1);

	memset(&cfg, 0, sizeof(cfg));
	round_trip(&cfg, NULL, 0);

	/* Every value of every setting kind at its edges. */
	cfg = config_all();
	cfg.val[REPLCOPY_CFG_WORKER] = REPLCOPY_WORKER_WQ;
	cfg.val[REPLCOPY_CFG_WQ_UNBOUND] = 0;
	cfg.val[REPLCOPY_CFG_WQ_MAX_ACTIVE] = 512;
	cfg.val[REPLCOPY_CFG_MAX_SESSIONS] = UINT32_MAX;
	cfg.val[REPLCOPY_CFG_SYN_RETRIES] = 10;
	cfg.val[REPLCOPY_CFG_MAX_RETRIES] = 1;
	round_trip(&cfg, m, 2);
}

/* IPv6 mappings: written in bracket form, read back the same. */
static void test_ipv6(void **state)
{
	struct rc_config cfg;
	struct rc_mapping m[NK6];
	unsigned int line;
	struct perr e;
	struct conf c;
	size_t i;
	char *out;
	int rc;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	for (i = 0; i < NK6; i++)
		m[i] = kmap(&K6[i]);
	out = write_text(&cfg, m, NK6, &rc, &e);
	assert_int_equal(rc, 0);
	assert_string_equal(out, HEADER
		"add 8080 [fd00::41]:8080 10.0.0.42:8080 "
		"[2001:db8::1:0:0:1]:8081 --copies 2\n"
		"add [fd00::5]:80 [fd00::32]:8080 --source client\n"
		"add 10.0.0.5:80 [fd00::33]:80\n");
	free(out);
	round_trip(&cfg, m, NK6);

	/* Read: each [ONLINE_IP:]PORT once, the families apart. */
	assert_int_equal(read_text("add [fd00::5]:80 [fd00::1]:80\n"
				   "add 10.0.0.5:80 [fd00::1]:80\n"
				   "add [fd00::6]:80 10.0.0.1:80\n",
				   &c, &line, &e), 0);
	assert_int_equal(c.nmaps, 3);
	assert_addr(&c.maps[0].a.online_addr, "fd00::5");
	assert_addr(&c.maps[0].a.targets.v[0].addr, "fd00::1");
	assert_addr(&c.maps[1].a.online_addr, "10.0.0.5");
	conf_free(&c);
	bad("add [fd00::5]:80 [fd00::1]:80\nadd [FD00:0::5]:80 10.0.0.1:80\n",
	    2, "[fd00::5]:80 is already mapped on line 1: give each "
	    "[ONLINE_IP:]PORT once");
	bad("add [fd00::5]:80 [fd00::1]:80\nadd 80 10.0.0.1:80\n", 2,
	    "*:80 conflicts with [fd00::5]:80 on line 1 (a mapping for any "
	    "address covers every address of the port): keep one of them");
	bad("add 80 10.0.0.1:80\nadd [::]:80 [fd00::1]:80\n", 2,
	    "*:80 is already mapped on line 1: give each [ONLINE_IP:]PORT "
	    "once");
	bad("add 80 fd00::1:80\n", 1,
	    "TARGET \"fd00::1:80\" looks like an IPv6 address without "
	    "brackets: write it as [IPv6]:PORT, e.g. [fd00::1]:80");
	bad("add 80 10.0.0.1:80 [fd00::1]:80 --source client\n", 1,
	    "--source client with TARGET \"10.0.0.1:80\" (IPv4) and TARGET "
	    "\"[fd00::1]:80\" (IPv6): the replayed connections take the "
	    "client's own address, so the online address and every target "
	    "must be of one family; use --source auto to replay across "
	    "families");
}

static void test_fmt(void **state)
{
	const struct rc_setting *st;
	struct rc_mapping m;
	struct add_args a;
	struct rc_addr t;
	char b[256];

	(void)state;
	st = rc_setting_by_attr(REPLCOPY_CFG_WQ_UNBOUND);
	assert_true(conf_fmt_value(st, 1, b, sizeof(b)));
	assert_string_equal(b, "on");
	assert_false(conf_fmt_value(st, 2, b, sizeof(b)));
	st = rc_setting_by_attr(REPLCOPY_CFG_SYN_RETRIES);
	assert_false(conf_fmt_value(st, 11, b, sizeof(b)));
	assert_string_equal(b, "11");

	/* add_args -> mapping -> add_args, and its spelling. */
	memset(&a, 0, sizeof(a));
	a.online_addr = kaddr("10.0.1.1");
	a.port = 8080;
	t = kaddr("10.0.2.2");
	rc_targets_add(&a.targets, &t, 8081);
	a.source = REPLCOPY_SOURCE_CLIENT;
	m = conf_map_of(&a);
	assert_true(conf_fmt_add(&m, b, sizeof(b)));
	assert_string_equal(b, "add 10.0.1.1:8080 10.0.2.2:8081 --source "
			    "client");
	a = conf_add_of(&m);
	assert_addr(&a.online_addr, "10.0.1.1");
	assert_int_equal(a.source, REPLCOPY_SOURCE_CLIENT);
	/* A sample is written as --sample PERCENT, read back the same. */
	a.sample = 250;
	m = conf_map_of(&a);
	assert_true(conf_fmt_add(&m, b, sizeof(b)));
	assert_string_equal(b, "add 10.0.1.1:8080 10.0.2.2:8081 --source "
			    "client --sample 2.5");
	a = conf_add_of(&m);
	assert_int_equal(a.sample, 250);

	/* Several targets, in order, and copies: written and read back. */
	t = kaddr("10.0.2.3");
	rc_targets_add(&a.targets, &t, 8081);
	t = kaddr("10.0.2.2");
	rc_targets_add(&a.targets, &t, 8082);
	a.source = REPLCOPY_SOURCE_AUTO;
	a.copies = 2;
	m = conf_map_of(&a);
	assert_addr(&m.target_addr, "10.0.2.2");
	assert_int_equal(m.target_port, 8081);
	assert_int_equal(m.targets.n, 3);
	assert_int_equal(m.copies, 2);
	assert_true(conf_fmt_add(&m, b, sizeof(b)));
	assert_string_equal(b, "add 10.0.1.1:8080 10.0.2.2:8081 10.0.2.3:8081 "
			    "10.0.2.2:8082 --sample 2.5 --copies 2");
	a = conf_add_of(&m);
	assert_int_equal(a.targets.n, 3);
	assert_int_equal(a.targets.v[2].port, 8082);
	assert_int_equal(a.copies, 2);
	/* A module older than copies says none: written as one. */
	m.copies = 0;
	assert_true(conf_fmt_add(&m, b, sizeof(b)));
	assert_null(strstr(b, "--copies"));
	/* More copies than this replctl knows: said so. */
	m.copies = 17;
	assert_false(conf_fmt_add(&m, b, sizeof(b)));
	assert_non_null(strstr(b, " --copies 17"));
	/* A mapping without a list (an older module): its TARGET alone. */
	m.targets.n = 0;
	a = conf_add_of(&m);
	assert_int_equal(a.targets.n, 1);
	assert_addr(&a.targets.v[0].addr, "10.0.2.2");
	assert_int_equal(a.targets.v[0].port, 8081);
	m.copies = 1;
	assert_true(conf_fmt_add(&m, b, sizeof(b)));
	assert_string_equal(b, "add 10.0.1.1:8080 10.0.2.2:8081 --sample 2.5");
	a.targets.n = 1;
	a.copies = 1;
	m = conf_map_of(&a);

	/* A delete by ID, else by what the add line names. */
	conf_fmt_del(&m, b, sizeof(b));
	assert_string_equal(b, "del 10.0.1.1:8080");
	m.online_addr = kaddr("fd00::5");
	conf_fmt_del(&m, b, sizeof(b));
	assert_string_equal(b, "del [fd00::5]:8080");
	m.online_addr = kaddr("0.0.0.0");
	conf_fmt_del(&m, b, sizeof(b));
	assert_string_equal(b, "del 8080");
	m.id = 7;
	m.present |= 1u << REPLCOPY_A_MAP_ID;
	conf_fmt_del(&m, b, sizeof(b));
	assert_string_equal(b, "del --id 7");
	m = conf_map_of(&a);

	/* Too small a buffer: cut, and said so. */
	assert_false(conf_fmt_add(&m, b, 10));
	assert_string_equal(b, "add 10.0.");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_comments_and_blank_lines),
		cmocka_unit_test(test_line_ends),
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_several_set_lines),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_bad_commands),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_not_text),
		cmocka_unit_test(test_every_mapping_spelling),
		cmocka_unit_test(test_write_empty),
		cmocka_unit_test(test_write_state),
		cmocka_unit_test(test_write_unknown_values),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_fmt),
	};

	return cmocka_run_group_tests_name("conf", tests, NULL, NULL);
}
