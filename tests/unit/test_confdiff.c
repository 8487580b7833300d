// SPDX-License-Identifier: GPL-2.0
/*
 * test_confdiff.c - what `replctl apply` does, without netlink: from the
 * current state (settings, mappings decoded from fabricated kernel
 * messages) and a config file, the exact list of sets, deletes and adds,
 * with their lines; the undo list after a refusal part way; and, run on a
 * model of the kernel's mapping table (which refuses what the module
 * refuses), that the steps make the state equal to the file, that a
 * second plan is empty, and that the undo gives back the state before.
 */
#include "unit.h"
#include "kmsg.h"

#include "conf.h"
#include "confdiff.h"
#include "names.h"
#include "reply.h"

static uint8_t buf[4096] __attribute__((aligned(8)));

/* A mapping as a module older than several targets sends it. */
static struct rc_mapping kmap(uint32_t id, const char *online, uint16_t port,
			      const char *target, uint16_t target_port,
			      uint8_t source, uint8_t pacing, uint32_t flags)
{
	struct kmap k = {
		.id = id, .online = online ? online : "0.0.0.0", .port = port,
		.target = target, .target_port = target_port,
		.source = source, .pacing = pacing, .flags = flags,
		.sessions = 3,
	};

	return kmap_decoded(buf, sizeof(buf), &k);
}

static struct rc_config defaults(void)
{
	struct rc_config c;
	size_t i;

	memset(&c, 0, sizeof(c));
	for (i = 0; i < rc_nsettings; i++)
		c.has[rc_settings[i].attr] = true;
	c.val[REPLCOPY_CFG_WORKER] = REPLCOPY_WORKER_WQ;
	c.val[REPLCOPY_CFG_MAX_SESSIONS] = 65536;
	c.val[REPLCOPY_CFG_MAX_SESSION_BYTES] = 1048576;
	c.val[REPLCOPY_CFG_MAX_TOTAL_BYTES] = 262144;
	c.val[REPLCOPY_CFG_IDLE_TIMEOUT] = 60;
	c.val[REPLCOPY_CFG_SYN_RETRIES] = 5;
	c.val[REPLCOPY_CFG_MAX_RETRIES] = 12;
	return c;
}

/* The state of the examples: three mappings (IDs 1, 2, 3). */
static size_t three(struct rc_mapping *m)
{
	/* Out of ID order, as no one promises otherwise. */
	m[0] = kmap(3, NULL, 9000, "10.0.2.2", 9000, REPLCOPY_SOURCE_AUTO,
		    REPLCOPY_PACING_STREAM, 0);
	m[1] = kmap(1, NULL, 11311, "10.0.2.2", 11511, REPLCOPY_SOURCE_AUTO,
		    REPLCOPY_PACING_STREAM, 0);
	m[2] = kmap(2, "10.0.1.1", 8080, "10.0.2.2", 8081,
		    REPLCOPY_SOURCE_CLIENT, REPLCOPY_PACING_RESPONSE,
		    REPLCOPY_MAPF_NO_FABRICATE);
	return 3;
}

static void parse(const char *text, struct conf *c)
{
	unsigned int line;
	struct perr e;
	FILE *f;

	f = fmemopen((void *)text, strlen(text), "r");
	assert_non_null(f);
	conf_init(c);
	if (conf_read(f, c, &line, &e))
		fail_msg("line %u: %s", line, e.msg);
	fclose(f);
}

/* p's steps are exactly want[] (conf_step_fmt) with these lines. */
static void steps_are(const struct conf_plan *p, const char *const *want,
		      const unsigned int *lines, size_t n)
{
	bool differ = p->n != n;
	char b[1024];
	size_t i;

	for (i = 0; i < p->n && i < n; i++) {
		conf_step_fmt(&p->v[i], b, sizeof(b));
		differ |= strcmp(b, want[i]) || p->v[i].line != lines[i];
	}
	for (i = 0; differ && i < p->n; i++) {
		conf_step_fmt(&p->v[i], b, sizeof(b));
		print_error("  step %zu (line %u): %s\n", i, p->v[i].line, b);
	}
	assert_int_equal(p->n, n);
	for (i = 0; i < n; i++) {
		conf_step_fmt(&p->v[i], b, sizeof(b));
		assert_string_equal(b, want[i]);
		assert_int_equal(p->v[i].line, lines[i]);
	}
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- a model of the kernel -------------------------------------------- */

struct model {
	struct rc_config cfg;
	struct rc_mapping m[32];
	size_t n;
	uint32_t next_id;
};

/* m's online address; NULL for any. */
static const struct rc_addr *on(const struct rc_mapping *m)
{
	return rc_map_online(m);
}

/* Two online addresses (NULL: any) are the same. */
static bool on_eq(const struct rc_addr *a, const struct rc_addr *b)
{
	return a && b ? rc_addr_eq(a, b) : !a && !b;
}

static void model_init(struct model *k, const struct rc_config *cfg,
		       const struct rc_mapping *m, size_t n)
{
	size_t i;

	k->cfg = *cfg;
	memcpy(k->m, m, n * sizeof(*m));
	k->n = n;
	k->next_id = 1;
	for (i = 0; i < n; i++)
		if (m[i].id >= k->next_id)
			k->next_id = m[i].id + 1;
}

/* One step as the module does it; an add gets an ID, as cmd_conf.c does. */
static int model_run(struct model *k, struct conf_step *s)
{
	struct rc_mapping *m;
	unsigned int attr;
	size_t i, gone = 0;

	switch (s->kind) {
	case CONF_SET:
		for (attr = 0; attr < __REPLCOPY_CFG_MAX; attr++)
			if (s->set.has[attr])
				k->cfg.val[attr] = s->set.val[attr];
		return 0;
	case CONF_DEL:
		for (i = 0; i < k->n; i++) {
			m = &k->m[i];
			if (RC_HAS(&s->map, REPLCOPY_A_MAP_ID) ?
			    m->id != s->map.id :
			    m->port != s->map.port ||
			    (on(&s->map) && !on_eq(on(m), on(&s->map)))) {
				k->m[i - gone] = *m;
				continue;
			}
			gone++;
		}
		k->n -= gone;
		return gone ? 0 : -2;		/* -ENOENT */
	case CONF_ADD:
		for (i = 0; i < k->n; i++)
			if (k->m[i].port == s->map.port &&
			    (!on(&k->m[i]) || !on(&s->map) ||
			     on_eq(on(&k->m[i]), on(&s->map))))
				return -17;	/* -EEXIST */
		/* The module refuses multicast targets, of both families. */
		if (s->map.target_addr.family == AF_INET ?
		    (ntohl(s->map.target_addr.v4) >> 28) == 0xe :
		    s->map.target_addr.v6[0] == 0xff)
			return -22;		/* -EINVAL */
		m = &k->m[k->n++];
		*m = s->map;
		m->id = k->next_id++;
		m->present |= 1u << REPLCOPY_A_MAP_ID;
		s->map.id = m->id;
		s->map.present |= 1u << REPLCOPY_A_MAP_ID;
		return 0;
	}
	return -1;
}

/* Run p on k up to the first refusal: the number of steps done. */
static size_t model_apply(struct model *k, struct conf_plan *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (model_run(k, &p->v[i]))
			break;
	return i;
}

/* Same settings and the same mappings, IDs aside. */
static void same_state(const struct model *k, const struct rc_config *cfg,
		       const struct rc_mapping *m, size_t n)
{
	unsigned int attr;
	size_t i, j;

	for (attr = 0; attr < __REPLCOPY_CFG_MAX; attr++)
		if (cfg->has[attr])
			assert_int_equal(k->cfg.val[attr], cfg->val[attr]);
	assert_int_equal(k->n, n);
	for (i = 0; i < n; i++) {
		for (j = 0; j < k->n; j++)
			if (conf_map_same(&k->m[j], &m[i]))
				break;
		assert_true(j < k->n);
	}
}

/* ---- the steps -------------------------------------------------------- */

static const char FILE1[] =
	"set idle-timeout 77 max-sessions 65536\n"	/* one change */
	"add 11311 10.0.2.2:11511\n"			/* as it is */
	"add 10.0.1.1:8080 10.0.2.2:8081 --source client\n" /* other opts */
	"add 7000 10.0.2.2:7000\n";			/* new */
						/* 9000: not there */

static void test_plan(void **state)
{
	static const char *const want[] = {
		"set idle-timeout 77  # was 60",
		"del --id 2  # was add 10.0.1.1:8080 10.0.2.2:8081 --source "
		"client --pacing response --no-fabricate",
		"del --id 3  # was add 9000 10.0.2.2:9000",
		"add 10.0.1.1:8080 10.0.2.2:8081 --source client",
		"add 7000 10.0.2.2:7000",
	};
	static const unsigned int lines[] = { 1, 3, 0, 3, 4 };
	struct rc_config cfg = defaults();
	struct rc_mapping m[8];
	struct conf_plan p;
	struct perr e;
	struct conf c;
	size_t n = three(m);

	(void)state;
	parse(FILE1, &c);
	assert_int_equal(conf_plan_make(&cfg, m, n, &c, &p, &e), 0);
	steps_are(&p, want, lines, N(want));
	assert_int_equal(p.v[0].kind, CONF_SET);
	assert_int_equal(p.v[0].set.n, 1);
	assert_true(p.v[0].set.has[REPLCOPY_CFG_IDLE_TIMEOUT]);
	assert_false(p.v[0].set.has[REPLCOPY_CFG_MAX_SESSIONS]);
	assert_int_equal(p.v[0].old.val[REPLCOPY_CFG_IDLE_TIMEOUT], 60);
	assert_int_equal(p.v[1].kind, CONF_DEL);
	assert_int_equal(p.v[4].kind, CONF_ADD);
	conf_plan_free(&p);
	conf_free(&c);
}

/* The undo of the first steps, after the next one was refused. */
static void test_undo(void **state)
{
	static const char *const want4[] = {
		"del --id 4  # was add 10.0.1.1:8080 10.0.2.2:8081 --source "
		"client",
		"add 9000 10.0.2.2:9000  # was ID 3",
		"add 10.0.1.1:8080 10.0.2.2:8081 --source client --pacing "
		"response --no-fabricate  # was ID 2",
		"set idle-timeout 60  # was 77",
	};
	static const unsigned int lines4[] = { 3, 0, 3, 1 };
	/* Adds whose ID is not known are deleted by [ONLINE_IP:]PORT. */
	static const char *const want5[] = {
		"del 7000  # was add 7000 10.0.2.2:7000",
		"del 10.0.1.1:8080  # was add 10.0.1.1:8080 10.0.2.2:8081 "
		"--source client",
		"add 9000 10.0.2.2:9000  # was ID 3",
		"add 10.0.1.1:8080 10.0.2.2:8081 --source client --pacing "
		"response --no-fabricate  # was ID 2",
		"set idle-timeout 60  # was 77",
	};
	static const unsigned int lines5[] = { 4, 3, 0, 3, 1 };
	struct rc_config cfg = defaults();
	struct conf_plan p, u;
	struct rc_mapping m[8];
	struct perr e;
	struct conf c;
	size_t n = three(m);

	(void)state;
	parse(FILE1, &c);
	assert_int_equal(conf_plan_make(&cfg, m, n, &c, &p, &e), 0);

	/* Refused at once: nothing to undo. */
	assert_int_equal(conf_plan_undo(&p, 0, &u), 0);
	assert_int_equal(u.n, 0);
	conf_plan_free(&u);

	/* All done but the last add, the first add got ID 4. */
	p.v[3].map.id = 4;
	p.v[3].map.present |= 1u << REPLCOPY_A_MAP_ID;
	assert_int_equal(conf_plan_undo(&p, 4, &u), 0);
	steps_are(&u, want4, lines4, N(want4));
	assert_int_equal(u.v[0].kind, CONF_DEL);
	assert_int_equal(u.v[1].kind, CONF_ADD);
	assert_false(RC_HAS(&u.v[1].map, REPLCOPY_A_MAP_ID));
	assert_int_equal(u.v[3].kind, CONF_SET);
	assert_int_equal(u.v[3].set.n, 1);
	assert_int_equal(u.v[3].set.val[REPLCOPY_CFG_IDLE_TIMEOUT], 60);
	conf_plan_free(&u);

	p.v[3].map.present &= ~(1u << REPLCOPY_A_MAP_ID);
	assert_int_equal(conf_plan_undo(&p, 5, &u), 0);
	steps_are(&u, want5, lines5, N(want5));
	conf_plan_free(&u);
	conf_plan_free(&p);
	conf_free(&c);
}

static void test_nothing_to_do(void **state)
{
	struct rc_config cfg = defaults();
	struct rc_mapping m[8];
	struct conf_plan p;
	struct perr e;
	struct conf c;
	size_t n = three(m);

	(void)state;
	/* The same mappings in another order, settings as they are. */
	parse("set worker wq idle-timeout 60\n"
	      "add 10.0.1.1:8080 10.0.2.2:8081 --pacing response "
	      "--no-fabricate --source client\n"
	      "add 9000 10.0.2.2:9000\n"
	      "add *:11311 10.0.2.2:11511 --source auto\n", &c);
	assert_int_equal(conf_plan_make(&cfg, m, n, &c, &p, &e), 0);
	assert_int_equal(p.n, 0);
	conf_plan_free(&p);
	conf_free(&c);

	/* No mappings, an empty file. */
	parse("# nothing\n", &c);
	assert_int_equal(conf_plan_make(&cfg, NULL, 0, &c, &p, &e), 0);
	assert_int_equal(p.n, 0);
	conf_plan_free(&p);
	conf_free(&c);
}

static void test_empty_file_deletes_all(void **state)
{
	static const char *const want[] = {
		"del --id 1  # was add 11311 10.0.2.2:11511",
		"del --id 2  # was add 10.0.1.1:8080 10.0.2.2:8081 --source "
		"client --pacing response --no-fabricate",
		"del --id 3  # was add 9000 10.0.2.2:9000",
	};
	static const unsigned int lines[] = { 0, 0, 0 };
	struct rc_config cfg = defaults();
	struct rc_mapping m[8];
	struct conf_plan p;
	struct perr e;
	struct conf c;
	size_t n = three(m);

	(void)state;
	parse("\n", &c);
	assert_int_equal(conf_plan_make(&cfg, m, n, &c, &p, &e), 0);
	steps_are(&p, want, lines, N(want));
	conf_plan_free(&p);
	conf_free(&c);
}

/* Any address and one address of a port are different mappings. */
static void test_online_address_is_the_key(void **state)
{
	static const char *const want[] = {
		"del --id 3  # was add 9000 10.0.2.2:9000",
		"add 10.0.1.1:9000 10.0.2.2:9000",
	};
	static const unsigned int lines[] = { 0, 2 };
	struct rc_config cfg = defaults();
	struct rc_mapping m[1];
	struct conf_plan p;
	struct perr e;
	struct conf c;

	(void)state;
	m[0] = kmap(3, NULL, 9000, "10.0.2.2", 9000, REPLCOPY_SOURCE_AUTO,
		    REPLCOPY_PACING_STREAM, 0);
	parse("\nadd 10.0.1.1:9000 10.0.2.2:9000\n", &c);
	assert_int_equal(conf_plan_make(&cfg, m, 1, &c, &p, &e), 0);
	steps_are(&p, want, lines, N(want));
	conf_plan_free(&p);
	conf_free(&c);
}

/*
 * IPv6: the online address of either family is the key, a target is the
 * same however it is spelled; an IPv6 target multicast is refused too.
 */
static void test_ipv6(void **state)
{
	static const char *const want[] = {
		"del --id 4  # was add 10.0.1.1:80 [fd00::31]:80",
		"add [fd00::6]:80 [fd00::31]:80",
		"add 10.0.1.1:80 [fd00::32]:80",
	};
	static const unsigned int lines[] = { 3, 2, 3 };
	struct rc_config cfg = defaults();
	struct rc_mapping m[2];
	struct conf_plan p, u;
	struct model k;
	struct perr e;
	struct conf c;

	(void)state;
	m[0] = kmap(3, "fd00::5", 80, "fd00::31", 80, REPLCOPY_SOURCE_AUTO,
		    REPLCOPY_PACING_STREAM, 0);
	m[1] = kmap(4, "10.0.1.1", 80, "fd00::31", 80, REPLCOPY_SOURCE_AUTO,
		    REPLCOPY_PACING_STREAM, 0);
	parse("add [FD00:0::5]:80 [fd00:0:0::31]:80\n"
	      "add [fd00::6]:80 [fd00::31]:80\n"
	      "add 10.0.1.1:80 [fd00::32]:80\n", &c);
	assert_int_equal(conf_plan_make(&cfg, m, 2, &c, &p, &e), 0);
	steps_are(&p, want, lines, N(want));
	model_init(&k, &cfg, m, 2);
	assert_int_equal(model_apply(&k, &p), p.n);
	assert_int_equal(k.n, 3);
	conf_plan_free(&p);
	conf_free(&c);

	/* Refused (an IPv6 multicast target): undone, last first. */
	parse("add [fd00::5]:80 [fd00::31]:80\n"
	      "add 10.0.1.1:80 [ff02::1]:80\n", &c);
	assert_int_equal(conf_plan_make(&cfg, m, 2, &c, &p, &e), 0);
	model_init(&k, &cfg, m, 2);
	assert_int_equal(model_apply(&k, &p), 1);
	assert_int_equal(conf_plan_undo(&p, 1, &u), 0);
	assert_int_equal(model_apply(&k, &u), u.n);
	same_state(&k, &cfg, m, 2);
	conf_plan_free(&u);
	conf_plan_free(&p);
	conf_free(&c);
}

/* Mapping 4: *:80 to two targets, two copies each, as the module says. */
static struct rc_mapping two_targets(void)
{
	static const struct ktarget t[] = {
		{ .addr = "10.0.2.2", .port = 80, .sessions = 2 },
		{ .addr = "10.0.2.3", .port = 80, .sessions = 2 },
	};
	struct kmap k = {
		.id = 4, .online = "0.0.0.0", .port = 80, .target = "10.0.2.2",
		.target_port = 80, .sessions = 4, .copies = 2, .targets = t,
		.ntargets = 2,
	};

	return kmap_decoded(buf, sizeof(buf), &k);
}

/*
 * Targets (in their order) and copies are part of a mapping: another
 * list or count deletes it and adds it again; the same leaves it alone.
 */
static void test_targets_and_copies(void **state)
{
	static const struct {
		const char *file;
		const char *add;	/* NULL: nothing to do */
	} t[] = {
		{ "add 80 10.0.2.2:80 10.0.2.3:80 --copies 2\n", NULL },
		{ "add *:80 10.0.2.2:80 --copies=2 10.0.2.3:80\n", NULL },
		{ "add 80 10.0.2.3:80 10.0.2.2:80 --copies 2\n",
		  "add 80 10.0.2.3:80 10.0.2.2:80 --copies 2" },
		{ "add 80 10.0.2.2:80 10.0.2.3:80\n",
		  "add 80 10.0.2.2:80 10.0.2.3:80" },
		{ "add 80 10.0.2.2:80 10.0.2.3:80 --copies 3\n",
		  "add 80 10.0.2.2:80 10.0.2.3:80 --copies 3" },
		{ "add 80 10.0.2.2:80 --copies 2\n",
		  "add 80 10.0.2.2:80 --copies 2" },
		{ "add 80 10.0.2.2:80 10.0.2.3:80 10.0.2.4:80 --copies 2\n",
		  "add 80 10.0.2.2:80 10.0.2.3:80 10.0.2.4:80 --copies 2" },
	};
	struct rc_config cfg = defaults();
	const char *want[2];
	unsigned int lines[2] = { 1, 1 };
	struct rc_mapping m[1];
	struct conf_plan p;
	struct model k;
	struct perr e;
	struct conf c;
	size_t i;

	(void)state;
	m[0] = two_targets();
	want[0] = "del --id 4  # was add 80 10.0.2.2:80 10.0.2.3:80 --copies 2";
	for (i = 0; i < N(t); i++) {
		parse(t[i].file, &c);
		assert_int_equal(conf_plan_make(&cfg, m, 1, &c, &p, &e), 0);
		want[1] = t[i].add;
		steps_are(&p, want, lines, t[i].add ? 2 : 0);
		/* Run on the model: the file's state, then nothing to do. */
		model_init(&k, &cfg, m, 1);
		assert_int_equal(model_apply(&k, &p), p.n);
		same_state(&k, &cfg, p.n ? &p.v[1].map : &m[0], 1);
		conf_plan_free(&p);
		assert_int_equal(conf_plan_make(&k.cfg, k.m, k.n, &c, &p, &e),
				 0);
		assert_int_equal(p.n, 0);
		conf_plan_free(&p);
		conf_free(&c);
	}
}

static void test_settings(void **state)
{
	static const char *const want[] = {
		"set worker kthread idle-timeout 77  # was worker wq "
		"idle-timeout 60",
	};
	static const unsigned int lines[] = { 2 };
	struct rc_config cfg = defaults();
	struct conf_plan p;
	struct perr e;
	struct conf c;

	(void)state;
	/* Changed keys on lines 3 and 2: the step is line 2's. */
	parse("set syn-retries 5\n"
	      "set idle-timeout 77\n"
	      "set worker kthread max-retries 12\n", &c);
	assert_int_equal(conf_plan_make(&cfg, NULL, 0, &c, &p, &e), 0);
	steps_are(&p, want, lines, N(want));
	assert_int_equal(p.v[0].set.n, 2);
	assert_int_equal(p.v[0].old.n, 2);
	assert_int_equal(p.v[0].old.val[REPLCOPY_CFG_WORKER],
			 REPLCOPY_WORKER_WQ);
	conf_plan_free(&p);

	/* A setting the module does not report could not be set back. */
	cfg.has[REPLCOPY_CFG_MAX_RETRIES] = false;
	assert_int_equal(conf_plan_make(&cfg, NULL, 0, &c, &p, &e), -1);
	assert_string_equal(e.msg, "the module does not report setting "
			    "max-retries, so apply could not set it back if a "
			    "later change failed: leave it out of the file, or "
			    "use a module as new as replctl (see replctl "
			    "version)");
	assert_int_equal(p.n, 0);
	conf_free(&c);
}

/* ---- on the model ----------------------------------------------------- */

static void test_model_reaches_the_file(void **state)
{
	struct rc_config cfg = defaults();
	struct rc_mapping m[8], want[8];
	struct conf_plan p, again;
	struct model k;
	struct perr e;
	struct conf c;
	size_t n = three(m), i;

	(void)state;
	/* The replaced port is both deleted and added: order matters. */
	parse("set idle-timeout 77 worker kthread\n"
	      "add 10.0.1.1:8080 10.0.2.2:8082 --source client\n"
	      "add 11311 10.0.2.2:11511\n"
	      "add 9000 10.0.2.2:9001 --no-fabricate\n"
	      "add 10.0.1.1:7000 10.0.2.2:7000 --pacing response\n", &c);
	assert_int_equal(conf_plan_make(&cfg, m, n, &c, &p, &e), 0);
	model_init(&k, &cfg, m, n);
	assert_int_equal(model_apply(&k, &p), p.n);

	/* The model now holds exactly the file. */
	for (i = 0; i < c.nmaps; i++)
		want[i] = conf_map_of(&c.maps[i].a);
	cfg.val[REPLCOPY_CFG_IDLE_TIMEOUT] = 77;
	cfg.val[REPLCOPY_CFG_WORKER] = REPLCOPY_WORKER_KTHREAD;
	same_state(&k, &cfg, want, c.nmaps);
	/* The unchanged mapping kept its ID. */
	for (i = 0; i < k.n; i++)
		if (k.m[i].port == 11311)
			assert_int_equal(k.m[i].id, 1);

	/* Applying the file again: nothing to do. */
	assert_int_equal(conf_plan_make(&k.cfg, k.m, k.n, &c, &again, &e), 0);
	assert_int_equal(again.n, 0);

	/* And the undo of all of it gives back the state before. */
	conf_plan_free(&again);
	assert_int_equal(conf_plan_undo(&p, p.n, &again), 0);
	assert_int_equal(model_apply(&k, &again), again.n);
	cfg = defaults();
	same_state(&k, &cfg, m, n);
	conf_plan_free(&again);
	conf_plan_free(&p);
	conf_free(&c);
}

/* The kernel refuses the file's second add: undone, nothing else left. */
static void test_model_refusal(void **state)
{
	struct rc_config cfg = defaults();
	struct rc_mapping m[8];
	struct conf_plan p, u;
	struct model k;
	struct perr e;
	struct conf c;
	size_t n = three(m), done;

	(void)state;
	parse("set max-sessions 100\n"
	      "add 11311 10.0.2.2:11511\n"
	      "add 10.0.1.1:8080 10.0.2.2:8081 --source client --pacing "
	      "response --no-fabricate\n"
	      "add 9001 10.0.2.2:9001\n"
	      "add 9002 224.0.0.1:9002\n", &c);		/* multicast */
	assert_int_equal(conf_plan_make(&cfg, m, n, &c, &p, &e), 0);
	model_init(&k, &cfg, m, n);
	done = model_apply(&k, &p);
	/* set, del 9000, add 9001 done; add 9002 refused, on line 5. */
	assert_int_equal(done, 3);
	assert_int_equal(p.v[done].kind, CONF_ADD);
	assert_int_equal(p.v[done].line, 5);

	assert_int_equal(conf_plan_undo(&p, done, &u), 0);
	assert_int_equal(u.n, 3);
	assert_int_equal(model_apply(&k, &u), u.n);
	same_state(&k, &cfg, m, n);
	assert_int_equal(k.cfg.val[REPLCOPY_CFG_MAX_SESSIONS], 65536);
	conf_plan_free(&u);
	conf_plan_free(&p);
	conf_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan),
		cmocka_unit_test(test_undo),
		cmocka_unit_test(test_nothing_to_do),
		cmocka_unit_test(test_empty_file_deletes_all),
		cmocka_unit_test(test_online_address_is_the_key),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_targets_and_copies),
		cmocka_unit_test(test_settings),
		cmocka_unit_test(test_model_reaches_the_file),
		cmocka_unit_test(test_model_refusal),
	};

	return cmocka_run_group_tests_name("confdiff", tests, NULL, NULL);
}
