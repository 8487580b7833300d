// SPDX-License-Identifier: GPL-2.0
/*
 * test_reply.c - decoding the module's messages: mappings, counters,
 * sessions, settings, the family and multicast group lookup; unknown
 * attributes skipped, malformed ones refused.
 */
#include "unit.h"

#include <errno.h>
#include "kmsg.h"

#include "names.h"
#include "reply.h"

static uint8_t buf[8192] __attribute__((aligned(8)));

static void test_mapping(void **state)
{
	struct kmap m = {
		.id = 3, .online = "10.0.0.5", .port = 80,
		.target = "10.0.0.32", .target_port = 8080,
		.source = REPLCOPY_SOURCE_CLIENT,
		.pacing = REPLCOPY_PACING_RESPONSE,
		.flags = REPLCOPY_MAPF_NO_FABRICATE, .sessions = 12,
	};
	struct nlmsghdr *nlh;
	struct rc_reply r;

	(void)state;
	nlh = kmsg(buf, sizeof(buf), REPLCOPY_CMD_GET_MAPPING);
	kput_map(nlh, &m);
	assert_int_equal(rc_parse_reply(nlh, &r), 0);
	assert_int_equal(r.cmd, REPLCOPY_CMD_GET_MAPPING);
	assert_int_equal(r.map.id, 3);
	assert_int_equal(r.map.port, 80);
	assert_addr(&r.map.online_addr, "10.0.0.5");
	assert_addr(&r.map.target_addr, "10.0.0.32");
	assert_int_equal(r.map.target_port, 8080);
	assert_int_equal(r.map.source, REPLCOPY_SOURCE_CLIENT);
	assert_int_equal(r.map.pacing, REPLCOPY_PACING_RESPONSE);
	assert_int_equal(r.map.flags, REPLCOPY_MAPF_NO_FABRICATE);
	assert_int_equal(r.map.sessions, 12);
	assert_int_equal(r.map.present,
			 1u << REPLCOPY_A_MAP_ID | 1u << REPLCOPY_A_MAP_PORT |
			 1u << REPLCOPY_A_MAP_ONLINE_ADDR |
			 1u << REPLCOPY_A_MAP_TARGET_ADDR |
			 1u << REPLCOPY_A_MAP_TARGET_PORT |
			 1u << REPLCOPY_A_MAP_SOURCE |
			 1u << REPLCOPY_A_MAP_PACING |
			 1u << REPLCOPY_A_MAP_FLAGS |
			 1u << REPLCOPY_A_MAP_SESSIONS);
	assert_false(r.has_stats);
	assert_false(r.has_session);
	assert_false(r.has_config);
	/* A module older than several targets and copies: one target, the
	 * mapping's sessions its own, one copy.
	 */
	assert_int_equal(r.map.copies, 1);
	assert_int_equal(r.map.targets.n, 1);
	assert_addr(&r.map.targets.v[0].addr, "10.0.0.32");
	assert_int_equal(r.map.targets.v[0].port, 8080);
	assert_true(RC_HAS(&r.map.targets.v[0], REPLCOPY_TA_SESSIONS));
	assert_int_equal(r.map.targets.v[0].sessions, 12);

	m.online = NULL;
	m.sessions = -1;
	nlh = kmsg(buf, sizeof(buf), REPLCOPY_CMD_ADD_MAPPING);
	kput_map(nlh, &m);
	assert_int_equal(rc_parse_reply(nlh, &r), 0);
	assert_false(RC_HAS(&r.map, REPLCOPY_A_MAP_ONLINE_ADDR));
	assert_false(RC_HAS(&r.map, REPLCOPY_A_MAP_SESSIONS));
	assert_true(RC_HAS(&r.map, REPLCOPY_A_MAP_ID));
	assert_addr(&r.map.online_addr, NULL);
	assert_int_equal(r.map.targets.n, 1);
	assert_false(RC_HAS(&r.map.targets.v[0], REPLCOPY_TA_SESSIONS));
}

/* A module that knows several targets and copies: the list, in order. */
static void test_mapping_targets(void **state)
{
	static const struct ktarget t[] = {
		{ .addr = "10.0.0.31", .port = 8080, .sessions = 5 },
		{ .addr = "10.0.0.32", .port = 8081, .sessions = 0 },
		{ .addr = "10.0.0.31", .port = 8082, .sessions = -1 },
	};
	struct kmap m = {
		.id = 4, .port = 80, .target = "10.0.0.31", .target_port = 8080,
		.sessions = 5, .copies = 3, .targets = t, .ntargets = 3,
	};
	struct nlmsghdr *nlh;
	struct rc_reply r;

	(void)state;
	nlh = kmsg(buf, sizeof(buf), REPLCOPY_CMD_GET_MAPPING);
	kput_map(nlh, &m);
	assert_int_equal(rc_parse_reply(nlh, &r), 0);
	assert_true(RC_HAS(&r.map, REPLCOPY_A_MAP_TARGETS));
	assert_true(RC_HAS(&r.map, REPLCOPY_A_MAP_COPIES));
	assert_int_equal(r.map.copies, 3);
	assert_addr(&r.map.target_addr, "10.0.0.31");
	assert_int_equal(r.map.target_port, 8080);
	assert_int_equal(r.map.targets.n, 3);
	assert_addr(&r.map.targets.v[1].addr, "10.0.0.32");
	assert_int_equal(r.map.targets.v[1].port, 8081);
	assert_int_equal(r.map.targets.v[0].sessions, 5);
	assert_true(RC_HAS(&r.map.targets.v[1], REPLCOPY_TA_SESSIONS));
	assert_int_equal(r.map.targets.v[1].sessions, 0);
	assert_false(RC_HAS(&r.map.targets.v[2], REPLCOPY_TA_SESSIONS));
	assert_int_equal(r.map.targets.v[2].port, 8082);

	/* Eight is the most; a ninth is malformed. */
	{
		struct ktarget many[REPLCOPY_MAX_TARGETS + 1];
		unsigned int i;

		for (i = 0; i <= REPLCOPY_MAX_TARGETS; i++)
			many[i] = (struct ktarget){ .addr = "10.0.0.9",
						    .port = (uint16_t)(i + 1),
						    .sessions = -1 };
		m.targets = many;
		m.ntargets = REPLCOPY_MAX_TARGETS;
		nlh = kmsg(buf, sizeof(buf), REPLCOPY_CMD_GET_MAPPING);
		kput_map(nlh, &m);
		assert_int_equal(rc_parse_reply(nlh, &r), 0);
		assert_int_equal(r.map.targets.n, REPLCOPY_MAX_TARGETS);
		m.ntargets = REPLCOPY_MAX_TARGETS + 1;
		nlh = kmsg(buf, sizeof(buf), REPLCOPY_CMD_GET_MAPPING);
		kput_map(nlh, &m);
		assert_int_equal(rc_parse_reply(nlh, &r), -EINVAL);
		assert_int_equal(r.bad_attr, REPLCOPY_TL_TARGET);
		assert_int_equal(r.bad_nest, REPLCOPY_A_MAP_TARGETS);
	}

	/* An empty list: the mapping's TARGET alone. */
	m.ntargets = 0;
	nlh = kmsg(buf, sizeof(buf), REPLCOPY_CMD_GET_MAPPING);
	kput_map(nlh, &m);
	assert_int_equal(rc_parse_reply(nlh, &r), 0);
	assert_int_equal(r.map.targets.n, 1);
	assert_addr(&r.map.targets.v[0].addr, "10.0.0.31");
}

/* GET_STATS: each target's counters, by its place in the list. */
static void test_stats_targets(void **state)
{
	uint64_t v[__REPLCOPY_STAT_MAX] = { 0 }, a[__REPLCOPY_STAT_MAX] = { 0 },
		 b[__REPLCOPY_STAT_MAX] = { 0 };
	const struct ktarget t[] = {
		{ .addr = "10.0.0.31", .port = 80, .sessions = 1, .stats = a },
		{ .addr = "10.0.0.32", .port = 80, .sessions = 2, .stats = b },
	};
	struct kmap m = {
		.id = 2, .port = 80, .target = "10.0.0.31", .target_port = 80,
		.sessions = -1, .targets = t, .ntargets = 2,
	};
	struct nlmsghdr *nlh;
	struct rc_reply r;
	int i;

	(void)state;
	v[REPLCOPY_STAT_CAPTURED_SEGS] = 10;
	v[REPLCOPY_STAT_SENT_BYTES] = 300;
	a[REPLCOPY_STAT_SENT_BYTES] = 100;
	b[REPLCOPY_STAT_SENT_BYTES] = 200;
	b[REPLCOPY_STAT_ACKED_BYTES] = 1ull << 40;
	nlh = kmsg(buf, sizeof(buf), REPLCOPY_CMD_GET_STATS);
	kput_map(nlh, &m);
	kput_stats(nlh, v, false);
	assert_int_equal(rc_parse_reply(nlh, &r), 0);
	assert_true(r.has_stats);
	assert_int_equal(r.stats.v[REPLCOPY_STAT_SENT_BYTES], 300);
	assert_int_equal(r.stats.v[REPLCOPY_STAT_CAPTURED_SEGS], 10);
	assert_int_equal(r.map.copies, 1);	/* not sent: one */
	assert_int_equal(r.map.targets.n, 2);
	for (i = 0; i < __REPLCOPY_STAT_MAX; i++) {
		assert_int_equal(r.tstats[0].has[i],
				 i == REPLCOPY_STAT_SENT_BYTES);
		assert_int_equal(r.tstats[1].has[i],
				 i == REPLCOPY_STAT_SENT_BYTES ||
				 i == REPLCOPY_STAT_ACKED_BYTES);
	}
	assert_int_equal(r.tstats[0].v[REPLCOPY_STAT_SENT_BYTES], 100);
	assert_int_equal(r.tstats[1].v[REPLCOPY_STAT_SENT_BYTES], 200);
	assert_true(r.tstats[1].v[REPLCOPY_STAT_ACKED_BYTES] == 1ull << 40);
	assert_false(r.tstats[2].has[REPLCOPY_STAT_SENT_BYTES]);
}

static void test_stats(void **state)
{
	uint64_t v[__REPLCOPY_STAT_MAX] = { 0 };
	struct kmap m = {
		.id = 9, .port = 11311, .target = "10.0.0.31",
		.target_port = 11511, .sessions = -1,
	};
	struct nlmsghdr *nlh;
	struct rc_reply r;
	int i;

	(void)state;
	for (i = REPLCOPY_STAT_CAPTURED_SEGS; i < __REPLCOPY_STAT_MAX; i++)
		v[i] = 1000 + i;
	v[REPLCOPY_STAT_ACKED_BYTES] = 0xfedcba9876543210ull;
	nlh = kmsg(buf, sizeof(buf), REPLCOPY_CMD_GET_STATS);
	kput_map(nlh, &m);
	kput_stats(nlh, v, true);
	assert_int_equal(rc_parse_reply(nlh, &r), 0);
	assert_true(r.has_stats);
	assert_int_equal(r.map.id, 9);
	assert_false(r.stats.has[REPLCOPY_STAT_UNSPEC]);
	assert_false(r.stats.has[REPLCOPY_STAT_PAD]);
	for (i = REPLCOPY_STAT_CAPTURED_SEGS; i < __REPLCOPY_STAT_MAX; i++) {
		assert_true(r.stats.has[i]);
		assert_true(r.stats.v[i] == v[i]);
	}

	/* Only some counters, and one from a newer module: skipped. */
	memset(v, 0, sizeof(v));
	v[REPLCOPY_STAT_SENT_SEGS] = 5;
	nlh = kmsg(buf, sizeof(buf), REPLCOPY_CMD_GET_STATS);
	{
		struct nlattr *nest = mnl_attr_nest_start(nlh,
							  REPLCOPY_A_STATS);

		kput_u64(nlh, REPLCOPY_STAT_SENT_SEGS, REPLCOPY_STAT_PAD, 5);
		kput_u64(nlh, __REPLCOPY_STAT_MAX + 3, REPLCOPY_STAT_PAD, 77);
		mnl_attr_nest_end(nlh, nest);
	}
	assert_int_equal(rc_parse_reply(nlh, &r), 0);
	for (i = 0; i < __REPLCOPY_STAT_MAX; i++)
		assert_int_equal(r.stats.has[i], i == REPLCOPY_STAT_SENT_SEGS);
	assert_int_equal(r.stats.v[REPLCOPY_STAT_SENT_SEGS], 5);
}

static void test_session(void **state)
{
	struct ksess s = {
		.map_id = 2, .client = "192.168.7.8", .client_port = 51234,
		.source = "10.0.0.1", .source_port = 40001,
		.state = REPLCOPY_SS_ESTABLISHED,
		.worker = REPLCOPY_WORKER_KTHREAD, .fabricated = true,
		.captured = 1ull << 40, .acked = 12345, .queued = 4096,
		.age_ms = 61234,
	};
	struct nlmsghdr *nlh;
	struct rc_reply r;

	(void)state;
	nlh = kmsg(buf, sizeof(buf), REPLCOPY_CMD_GET_SESSIONS);
	kput_session(nlh, &s);
	assert_int_equal(rc_parse_reply(nlh, &r), 0);
	assert_true(r.has_session);
	assert_int_equal(r.sess.map_id, 2);
	assert_addr(&r.sess.client_addr, "192.168.7.8");
	assert_int_equal(r.sess.client_port, 51234);
	assert_addr(&r.sess.source_addr, "10.0.0.1");
	assert_int_equal(r.sess.source_port, 40001);
	assert_int_equal(r.sess.state, REPLCOPY_SS_ESTABLISHED);
	assert_int_equal(r.sess.worker, REPLCOPY_WORKER_KTHREAD);
	assert_true(r.sess.fabricated);
	assert_true(r.sess.captured_bytes == 1ull << 40);
	assert_int_equal(r.sess.acked_bytes, 12345);
	assert_int_equal(r.sess.queued_bytes, 4096);
	assert_int_equal(r.sess.age_ms, 61234);
	assert_true(RC_HAS(&r.sess, REPLCOPY_SA_AGE_MS));
	/* A module older than several targets: no target, copy 0. */
	assert_false(RC_HAS(&r.sess, REPLCOPY_SA_TARGET_ADDR));
	assert_false(RC_HAS(&r.sess, REPLCOPY_SA_COPY));
	assert_int_equal(r.sess.copy, 0);

	s.target = "10.0.0.32";
	s.target_port = 8081;
	s.copy = 15;
	nlh = kmsg(buf, sizeof(buf), REPLCOPY_CMD_GET_SESSIONS);
	kput_session(nlh, &s);
	assert_int_equal(rc_parse_reply(nlh, &r), 0);
	assert_true(RC_HAS(&r.sess, REPLCOPY_SA_TARGET_ADDR));
	assert_addr(&r.sess.target_addr, "10.0.0.32");
	assert_int_equal(r.sess.target_port, 8081);
	assert_int_equal(r.sess.copy, 15);
	s.target = NULL;

	s.fabricated = false;
	nlh = kmsg(buf, sizeof(buf), REPLCOPY_CMD_GET_SESSIONS);
	kput_session(nlh, &s);
	assert_int_equal(rc_parse_reply(nlh, &r), 0);
	assert_false(r.sess.fabricated);
	assert_false(RC_HAS(&r.sess, REPLCOPY_SA_FABRICATED));
}

/* s as replctl decodes the module's GET_SESSIONS message. */
static struct rc_session session_of(const struct ksess *s)
{
	struct nlmsghdr *nlh = kmsg(buf, sizeof(buf),
				    REPLCOPY_CMD_GET_SESSIONS);
	struct rc_reply r;

	kput_session(nlh, s);
	assert_int_equal(rc_parse_reply(nlh, &r), 0);
	assert_true(r.has_session);
	return r.sess;
}

/*
 * IPv6: the ADDR6 twins, 16 bytes, into the same fields, setting the
 * IPv4 attribute's present bit; 0.0.0.0 as the online address of a dump
 * is no online address; IPv4 and IPv6 targets of one mapping mix.
 */
static void test_ipv6(void **state)
{
	static const struct ktarget t[] = {
		{ .addr = "fd00::31", .port = 8081, .sessions = 2 },
		{ .addr = "10.0.0.32", .port = 8082, .sessions = 1 },
	};
	struct kmap m = {
		.id = 5, .online = "fd00::5", .port = 8080,
		.target = "fd00::31", .target_port = 8081, .sessions = 3,
		.copies = 1, .targets = t, .ntargets = 2,
	};
	struct ksess s = {
		.map_id = 5, .client = "2001:db8::99", .client_port = 51234,
		.source = "10.0.0.1", .source_port = 40001,
		.target = "10.0.0.32", .target_port = 8082,
	};
	struct nlmsghdr *nlh;
	struct rc_reply r;

	(void)state;
	nlh = kmsg(buf, sizeof(buf), REPLCOPY_CMD_GET_MAPPING);
	kput_map(nlh, &m);
	assert_int_equal(rc_parse_reply(nlh, &r), 0);
	assert_addr(&r.map.online_addr, "fd00::5");
	assert_addr(&r.map.target_addr, "fd00::31");
	assert_true(RC_HAS(&r.map, REPLCOPY_A_MAP_ONLINE_ADDR));
	assert_true(RC_HAS(&r.map, REPLCOPY_A_MAP_TARGET_ADDR));
	assert_false(RC_HAS(&r.map, REPLCOPY_A_MAP_ONLINE_ADDR6));
	assert_false(RC_HAS(&r.map, REPLCOPY_A_MAP_TARGET_ADDR6));
	assert_ptr_equal(rc_map_online(&r.map), &r.map.online_addr);
	assert_int_equal(r.map.targets.n, 2);
	assert_addr(&r.map.targets.v[0].addr, "fd00::31");
	assert_true(RC_HAS(&r.map.targets.v[0], REPLCOPY_TA_ADDR));
	assert_false(RC_HAS(&r.map.targets.v[0], REPLCOPY_TA_ADDR6));
	assert_addr(&r.map.targets.v[1].addr, "10.0.0.32");
	assert_int_equal(r.map.targets.v[1].sessions, 1);

	/* Any address, as a dump says it: 0.0.0.0. */
	m.online = "0.0.0.0";
	nlh = kmsg(buf, sizeof(buf), REPLCOPY_CMD_GET_MAPPING);
	kput_map(nlh, &m);
	assert_int_equal(rc_parse_reply(nlh, &r), 0);
	assert_true(RC_HAS(&r.map, REPLCOPY_A_MAP_ONLINE_ADDR));
	assert_null(rc_map_online(&r.map));

	/* A module older than several targets: the one target is IPv6. */
	m.targets = NULL;
	nlh = kmsg(buf, sizeof(buf), REPLCOPY_CMD_GET_MAPPING);
	kput_map(nlh, &m);
	assert_int_equal(rc_parse_reply(nlh, &r), 0);
	assert_int_equal(r.map.targets.n, 1);
	assert_addr(&r.map.targets.v[0].addr, "fd00::31");

	/* A session of an IPv6 client replayed over IPv4, and back. */
	r.sess = session_of(&s);
	assert_addr(&r.sess.client_addr, "2001:db8::99");
	assert_addr(&r.sess.source_addr, "10.0.0.1");
	assert_addr(&r.sess.target_addr, "10.0.0.32");
	assert_true(RC_HAS(&r.sess, REPLCOPY_SA_CLIENT_ADDR));
	assert_false(RC_HAS(&r.sess, REPLCOPY_SA_CLIENT_ADDR6));
	s.client = "192.168.7.8";
	s.source = "fd00::1";
	s.target = "fd00::31";
	r.sess = session_of(&s);
	assert_addr(&r.sess.client_addr, "192.168.7.8");
	assert_addr(&r.sess.source_addr, "fd00::1");
	assert_addr(&r.sess.target_addr, "fd00::31");
	assert_true(RC_HAS(&r.sess, REPLCOPY_SA_SOURCE_ADDR));
	assert_true(RC_HAS(&r.sess, REPLCOPY_SA_TARGET_ADDR));
	/* Until it has one, its source is :: (not set). */
	s.source = "::";
	r.sess = session_of(&s);
	assert_addr(&r.sess.source_addr, "::");
	assert_false(rc_addr_is_set(&r.sess.source_addr));
}

/* Both twins of one address (never sent): the IPv6 one, in any order. */
static void test_ipv6_both(void **state)
{
	struct rc_addr six = kaddr("fd00::31");
	struct nlmsghdr *nlh;
	struct rc_reply r;
	int order;

	(void)state;
	for (order = 0; order < 2; order++) {
		nlh = kmsg(buf, sizeof(buf), REPLCOPY_CMD_GET_MAPPING);
		if (order)
			mnl_attr_put(nlh, REPLCOPY_A_MAP_TARGET_ADDR6, 16,
				     six.v6);
		mnl_attr_put_u32(nlh, REPLCOPY_A_MAP_TARGET_ADDR,
				 kip("10.0.0.31"));
		if (!order)
			mnl_attr_put(nlh, REPLCOPY_A_MAP_TARGET_ADDR6, 16,
				     six.v6);
		assert_int_equal(rc_parse_reply(nlh, &r), 0);
		assert_addr(&r.map.target_addr, "fd00::31");
	}
}

static void test_config(void **state)
{
	struct kcfg c = {
		.worker = REPLCOPY_WORKER_KTHREAD, .wq_unbound = 1,
		.wq_max_active = 0, .max_sessions = 65536,
		.max_session_bytes = 1048576, .max_total_kbytes = 262144,
		.idle_timeout = 60, .syn_retries = 5, .max_retries = 15,
		.version = "0.1.0",
	};
	char longv[200];
	struct nlmsghdr *nlh;
	struct rc_reply r;
	int i;

	(void)state;
	nlh = kmsg(buf, sizeof(buf), REPLCOPY_CMD_GET_CONFIG);
	kput_config(nlh, &c);
	assert_int_equal(rc_parse_reply(nlh, &r), 0);
	assert_true(r.has_config);
	for (i = 1; i < __REPLCOPY_CFG_MAX; i++)
		assert_true(r.cfg.has[i]);
	assert_int_equal(r.cfg.val[REPLCOPY_CFG_WORKER],
			 REPLCOPY_WORKER_KTHREAD);
	assert_int_equal(r.cfg.val[REPLCOPY_CFG_WQ_UNBOUND], 1);
	assert_int_equal(r.cfg.val[REPLCOPY_CFG_WQ_MAX_ACTIVE], 0);
	assert_int_equal(r.cfg.val[REPLCOPY_CFG_MAX_SESSIONS], 65536);
	assert_int_equal(r.cfg.val[REPLCOPY_CFG_MAX_SESSION_BYTES], 1048576);
	assert_int_equal(r.cfg.val[REPLCOPY_CFG_MAX_TOTAL_BYTES], 262144);
	assert_int_equal(r.cfg.val[REPLCOPY_CFG_IDLE_TIMEOUT], 60);
	assert_int_equal(r.cfg.val[REPLCOPY_CFG_SYN_RETRIES], 5);
	assert_int_equal(r.cfg.val[REPLCOPY_CFG_MAX_RETRIES], 15);
	assert_true(r.cfg.has_version);
	assert_string_equal(r.cfg.version, "0.1.0");

	/* A version longer than the buffer is cut, still terminated. */
	memset(longv, 'v', sizeof(longv) - 1);
	longv[sizeof(longv) - 1] = '\0';
	c.version = longv;
	nlh = kmsg(buf, sizeof(buf), REPLCOPY_CMD_GET_CONFIG);
	kput_config(nlh, &c);
	assert_int_equal(rc_parse_reply(nlh, &r), 0);
	assert_int_equal(strlen(r.cfg.version), sizeof(r.cfg.version) - 1);
}

static void test_unknown_skipped(void **state)
{
	struct nlmsghdr *nlh;
	struct nlattr *nest, *one;
	struct rc_reply r;

	(void)state;
	nlh = kmsg(buf, sizeof(buf), REPLCOPY_CMD_GET_MAPPING);
	mnl_attr_put_u32(nlh, REPLCOPY_A_MAP_ID, 4);
	mnl_attr_put_u64(nlh, 60, 1);			/* newer than us */
	mnl_attr_put_strz(nlh, __REPLCOPY_A_MAX, "x");
	nest = mnl_attr_nest_start(nlh, REPLCOPY_A_SESSION);
	mnl_attr_put_u32(nlh, __REPLCOPY_SA_MAX, 5);
	mnl_attr_put_u32(nlh, REPLCOPY_SA_MAP_ID, 4);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(rc_parse_reply(nlh, &r), 0);
	assert_int_equal(r.map.id, 4);
	assert_int_equal(r.map.present, 1u << REPLCOPY_A_MAP_ID);
	assert_int_equal(r.sess.map_id, 4);
	assert_int_equal(r.sess.present, 1u << REPLCOPY_SA_MAP_ID);

	/* Newer attributes in the list of targets and in a target. */
	nlh = kmsg(buf, sizeof(buf), REPLCOPY_CMD_GET_MAPPING);
	nest = mnl_attr_nest_start(nlh, REPLCOPY_A_MAP_TARGETS);
	mnl_attr_put_u32(nlh, __REPLCOPY_TL_MAX, 5);
	one = mnl_attr_nest_start(nlh, REPLCOPY_TL_TARGET);
	mnl_attr_put_u64(nlh, __REPLCOPY_TA_MAX, 5);
	mnl_attr_put_u32(nlh, REPLCOPY_TA_ADDR, kip("10.0.0.1"));
	mnl_attr_put_u16(nlh, REPLCOPY_TA_PORT, 80);
	mnl_attr_nest_end(nlh, one);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(rc_parse_reply(nlh, &r), 0);
	assert_int_equal(r.map.targets.n, 1);
	assert_int_equal(r.map.targets.v[0].port, 80);
}

/*
 * A list of one target whose address (attribute addr_type) has addr_len
 * bytes, with PORT when
 * port, and a sent_bytes counter of stat_len bytes when stat_len: refused,
 * naming want inside REPLCOPY_A_MAP_TARGETS.
 */
static void bad_target(uint16_t addr_type, size_t addr_len, bool port,
		       size_t stat_len, uint16_t want)
{
	struct nlmsghdr *nlh = kmsg(buf, sizeof(buf), REPLCOPY_CMD_GET_STATS);
	struct nlattr *list, *one, *st;
	uint64_t v[3] = { kip("10.0.0.1") };
	struct rc_reply r;

	list = mnl_attr_nest_start(nlh, REPLCOPY_A_MAP_TARGETS);
	one = mnl_attr_nest_start(nlh, REPLCOPY_TL_TARGET);
	mnl_attr_put(nlh, addr_type, addr_len, v);
	if (port)
		mnl_attr_put_u16(nlh, REPLCOPY_TA_PORT, 80);
	if (stat_len) {
		st = mnl_attr_nest_start(nlh, REPLCOPY_TA_STATS);
		mnl_attr_put(nlh, REPLCOPY_STAT_SENT_BYTES, stat_len, v);
		mnl_attr_nest_end(nlh, st);
	}
	mnl_attr_nest_end(nlh, one);
	mnl_attr_nest_end(nlh, list);
	assert_int_equal(rc_parse_reply(nlh, &r), -EINVAL);
	assert_int_equal(r.bad_attr, want);
	assert_int_equal(r.bad_nest, REPLCOPY_A_MAP_TARGETS);
}

static void test_malformed(void **state)
{
	/* Attributes of the wrong size: refused, naming them and their nest. */
	static const struct {
		uint8_t cmd;
		uint16_t nest;		/* 0: top level */
		uint16_t type;
		size_t len;
	} t[] = {
		/* MAP_ID must be a u32. */
		{ REPLCOPY_CMD_GET_MAPPING, 0, REPLCOPY_A_MAP_ID, 2 },
		/* MAP_PORT must be a u16. */
		{ REPLCOPY_CMD_GET_MAPPING, 0, REPLCOPY_A_MAP_PORT, 4 },
		/* Counters must be u64. */
		{ REPLCOPY_CMD_GET_STATS, REPLCOPY_A_STATS,
		  REPLCOPY_STAT_SENT_BYTES, 4 },
		/* WORKER is a u8. */
		{ REPLCOPY_CMD_GET_CONFIG, REPLCOPY_A_CONFIG,
		  REPLCOPY_CFG_WORKER, 4 },
		/* COPIES is a u32, a session's COPY a u8. */
		{ REPLCOPY_CMD_GET_MAPPING, 0, REPLCOPY_A_MAP_COPIES, 1 },
		{ REPLCOPY_CMD_GET_SESSIONS, REPLCOPY_A_SESSION,
		  REPLCOPY_SA_COPY, 4 },
		{ REPLCOPY_CMD_GET_SESSIONS, REPLCOPY_A_SESSION,
		  REPLCOPY_SA_TARGET_PORT, 4 },
		/* Addresses: be32, or 16 bytes for the ADDR6 ones. */
		{ REPLCOPY_CMD_GET_MAPPING, 0, REPLCOPY_A_MAP_TARGET_ADDR, 16 },
		{ REPLCOPY_CMD_GET_MAPPING, 0, REPLCOPY_A_MAP_TARGET_ADDR6, 4 },
		{ REPLCOPY_CMD_GET_MAPPING, 0, REPLCOPY_A_MAP_ONLINE_ADDR6, 15 },
		{ REPLCOPY_CMD_GET_MAPPING, 0, REPLCOPY_A_MAP_ONLINE_ADDR6, 17 },
		{ REPLCOPY_CMD_GET_SESSIONS, REPLCOPY_A_SESSION,
		  REPLCOPY_SA_CLIENT_ADDR6, 8 },
		{ REPLCOPY_CMD_GET_SESSIONS, REPLCOPY_A_SESSION,
		  REPLCOPY_SA_SOURCE_ADDR6, 0 },
		{ REPLCOPY_CMD_GET_SESSIONS, REPLCOPY_A_SESSION,
		  REPLCOPY_SA_TARGET_ADDR6, 20 },
	};
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	struct rc_reply r;
	uint64_t v[3] = { 1 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		nlh = kmsg(buf, sizeof(buf), t[i].cmd);
		nest = t[i].nest ? mnl_attr_nest_start(nlh, t[i].nest) : NULL;
		mnl_attr_put(nlh, t[i].type, t[i].len, v);
		if (nest)
			mnl_attr_nest_end(nlh, nest);
		assert_int_equal(rc_parse_reply(nlh, &r), -EINVAL);
		assert_int_equal(r.bad_attr, t[i].type);
		assert_int_equal(r.bad_nest, t[i].nest);
	}

	/* An attribute running past the end of the message. */
	nlh = kmsg(buf, sizeof(buf), REPLCOPY_CMD_GET_MAPPING);
	mnl_attr_put_u32(nlh, REPLCOPY_A_MAP_ID, 4);
	((struct nlattr *)((char *)nlh + 20))->nla_len = 64;
	assert_int_equal(rc_parse_reply(nlh, &r), -EINVAL);

	/* An attribute running past the end of its nest. */
	nlh = kmsg(buf, sizeof(buf), REPLCOPY_CMD_GET_STATS);
	nest = mnl_attr_nest_start(nlh, REPLCOPY_A_STATS);
	mnl_attr_put_u64(nlh, REPLCOPY_STAT_SENT_BYTES, 1);
	mnl_attr_nest_end(nlh, nest);
	mnl_attr_put_u32(nlh, REPLCOPY_A_MAP_ID, 4);
	/* The counter claims 4 more bytes than its nest has. */
	((struct nlattr *)mnl_attr_get_payload(nest))->nla_len += 4;
	assert_int_equal(rc_parse_reply(nlh, &r), -EINVAL);
	assert_int_equal(r.bad_attr, REPLCOPY_A_STATS);

	/* In a target: its address of the wrong size, no port, a counter
	 * of the wrong size.
	 */
	bad_target(REPLCOPY_TA_ADDR, 2, true, 0, REPLCOPY_TA_ADDR);
	bad_target(REPLCOPY_TA_ADDR6, 4, true, 0, REPLCOPY_TA_ADDR6);
	bad_target(REPLCOPY_TA_ADDR6, 24, true, 0, REPLCOPY_TA_ADDR6);
	bad_target(REPLCOPY_TA_ADDR, 4, false, 0, REPLCOPY_TL_TARGET);
	bad_target(REPLCOPY_TA_ADDR6, 16, false, 0, REPLCOPY_TL_TARGET);
	bad_target(REPLCOPY_TA_ADDR, 4, true, 4, REPLCOPY_STAT_SENT_BYTES);

	/* Trailing bytes that are no attribute. */
	nlh = kmsg(buf, sizeof(buf), REPLCOPY_CMD_GET_MAPPING);
	mnl_attr_put_u32(nlh, REPLCOPY_A_MAP_ID, 4);
	nlh->nlmsg_len += 4;
	assert_int_equal(rc_parse_reply(nlh, &r), -EINVAL);

	/* No room for the genl header. */
	nlh = kmsg(buf, sizeof(buf), REPLCOPY_CMD_GET_MAPPING);
	nlh->nlmsg_len = NLMSG_HDRLEN + 2;
	assert_int_equal(rc_parse_reply(nlh, &r), -EINVAL);
}

/* One entry of CTRL_ATTR_MCAST_GROUPS; the id as a u16 when short_id. */
static void put_group(struct nlmsghdr *nlh, uint16_t index, const char *name,
		      uint32_t id, bool short_id)
{
	struct nlattr *g = mnl_attr_nest_start(nlh, index);

	mnl_attr_put_strz(nlh, CTRL_ATTR_MCAST_GRP_NAME, name);
	if (short_id)
		mnl_attr_put_u16(nlh, CTRL_ATTR_MCAST_GRP_ID, (uint16_t)id);
	else
		mnl_attr_put_u32(nlh, CTRL_ATTR_MCAST_GRP_ID, id);
	mnl_attr_nest_end(nlh, g);
}

static void test_family(void **state)
{
	struct nlattr *groups;
	struct nlmsghdr *nlh;
	uint32_t version = 0, grp = 0;
	uint16_t id = 0;

	(void)state;
	nlh = kmsg(buf, sizeof(buf), CTRL_CMD_NEWFAMILY);
	nlh->nlmsg_type = GENL_ID_CTRL;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, "replcopy");
	mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, 0x23);
	mnl_attr_put_u32(nlh, CTRL_ATTR_VERSION, 1);
	mnl_attr_put_u32(nlh, CTRL_ATTR_HDRSIZE, 0);
	mnl_attr_put_u32(nlh, CTRL_ATTR_MAXATTR, REPLCOPY_A_MAX);
	groups = mnl_attr_nest_start(nlh, CTRL_ATTR_MCAST_GROUPS);
	put_group(nlh, 1, "other", 9, false);
	put_group(nlh, 2, REPLCOPY_MCGRP_EVENTS, 17, false);
	mnl_attr_nest_end(nlh, groups);
	assert_int_equal(rc_parse_family(nlh, &id, &version), 0);
	assert_int_equal(id, 0x23);
	assert_int_equal(version, 1);
	assert_int_equal(rc_parse_family_group(nlh, REPLCOPY_MCGRP_EVENTS,
					       &grp), 0);
	assert_int_equal(grp, 17);
	assert_int_equal(rc_parse_family_group(nlh, "none", &grp), -ENOENT);

	/* No id; and no groups at all (a module older than the events). */
	nlh = kmsg(buf, sizeof(buf), CTRL_CMD_NEWFAMILY);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, "replcopy");
	assert_int_equal(rc_parse_family(nlh, &id, &version), -EINVAL);
	assert_int_equal(rc_parse_family_group(nlh, REPLCOPY_MCGRP_EVENTS,
					       &grp), -ENOENT);

	/* A group id of the wrong size. */
	nlh = kmsg(buf, sizeof(buf), CTRL_CMD_NEWFAMILY);
	groups = mnl_attr_nest_start(nlh, CTRL_ATTR_MCAST_GROUPS);
	put_group(nlh, 1, REPLCOPY_MCGRP_EVENTS, 17, true);
	mnl_attr_nest_end(nlh, groups);
	assert_int_equal(rc_parse_family_group(nlh, REPLCOPY_MCGRP_EVENTS,
					       &grp), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mapping),
		cmocka_unit_test(test_mapping_targets),
		cmocka_unit_test(test_stats),
		cmocka_unit_test(test_stats_targets),
		cmocka_unit_test(test_session),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_ipv6_both),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_unknown_skipped),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_family),
	};

	return cmocka_run_group_tests_name("reply", tests, NULL, NULL);
}
