// SPDX-License-Identifier: GPL-2.0
/*
 * test_msg.c - replcopy netlink requests, built byte-exactly: headers,
 * flags, attribute types, sizes and values, read back with libmnl.
 */
#include "unit.h"

#include <arpa/inet.h>
#include <endian.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "addrs.h"
#include "msg.h"
#include "names.h"
#include "parse.h"

#define FAMILY 0x1a
#define SEQ 7

static uint32_t ip(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

/* Attributes of one level, by type; each type may appear once. */
struct attrs {
	const struct nlattr *tb[64];
	int n;
	int order[64];
};

static int collect(const struct nlattr *a, void *data)
{
	struct attrs *t = data;
	int type = mnl_attr_get_type(a);

	assert_true(type < 64);
	assert_null(t->tb[type]);		/* no duplicates */
	t->tb[type] = a;
	t->order[t->n++] = type;
	return MNL_CB_OK;
}

/* Check the headers, return the top-level attributes. */
static void check_hdr(const struct nlmsghdr *nlh, uint16_t type,
		      uint16_t flags, uint8_t cmd, uint8_t version,
		      struct attrs *t)
{
	const struct genlmsghdr *g;

	assert_int_equal(nlh->nlmsg_type, type);
	assert_int_equal(nlh->nlmsg_flags, flags);
	assert_int_equal(nlh->nlmsg_seq, SEQ);
	assert_int_equal(nlh->nlmsg_pid, 0);
	assert_true(nlh->nlmsg_len >= NLMSG_HDRLEN + GENL_HDRLEN);
	assert_int_equal(nlh->nlmsg_len % 4, 0);
	g = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(g->cmd, cmd);
	assert_int_equal(g->version, version);
	assert_int_equal(g->reserved, 0);
	memset(t, 0, sizeof(*t));
	assert_int_equal(mnl_attr_parse(nlh, sizeof(*g), collect, t),
			 MNL_CB_OK);
}

#define DO (NLM_F_REQUEST | NLM_F_ACK)
#define DUMP (NLM_F_REQUEST | NLM_F_DUMP)

static void assert_u8(const struct nlattr *a, uint8_t v)
{
	assert_non_null(a);
	assert_int_equal(mnl_attr_get_payload_len(a), 1);
	assert_int_equal(mnl_attr_get_u8(a), v);
}

static void assert_u16(const struct nlattr *a, uint16_t v)
{
	assert_non_null(a);
	assert_int_equal(mnl_attr_get_payload_len(a), 2);
	assert_int_equal(mnl_attr_get_u16(a), v);
}

static void assert_u32(const struct nlattr *a, uint32_t v)
{
	assert_non_null(a);
	assert_int_equal(mnl_attr_get_payload_len(a), 4);
	assert_int_equal(mnl_attr_get_u32(a), v);
}

/* A 16-byte ADDR6 attribute holding the IPv6 address s. */
static void assert_in6(const struct nlattr *a, const char *s)
{
	struct rc_addr want = kaddr(s);

	assert_non_null(a);
	assert_int_equal(mnl_attr_get_payload_len(a), 16);
	assert_int_equal(a->nla_len, 4 + 16);
	assert_memory_equal(mnl_attr_get_payload(a), want.v6, 16);
}

static void test_add_bytes(void **state)
{
	/* Byte for byte, as the kernel will read it (little endian host). */
	static const uint8_t want[] = {
		0x44, 0x00, 0x00, 0x00,	/* nlmsg_len 68 */
		0x1a, 0x00,		/* nlmsg_type: the family id */
		0x05, 0x00,		/* NLM_F_REQUEST | NLM_F_ACK */
		0x07, 0x00, 0x00, 0x00,	/* seq */
		0x00, 0x00, 0x00, 0x00,	/* pid */
		0x01, 0x01, 0x00, 0x00,	/* ADD_MAPPING, version 1 */
		0x06, 0x00, 0x02, 0x00, 0x2f, 0x2c, 0x00, 0x00,	/* port 11311 */
		0x08, 0x00, 0x04, 0x00, 0x0a, 0x00, 0x00, 0x1f,	/* 10.0.0.31 */
		0x06, 0x00, 0x05, 0x00, 0xf7, 0x2c, 0x00, 0x00,	/* 11511 */
		0x05, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00,	/* auto */
		0x05, 0x00, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00,	/* stream */
		0x08, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00,	/* flags 0 */
	};
	struct add_args a = {
		.port = 11311,
		.targets = { 1, { { .addr = kaddr("10.0.0.31"), .port = 11511 } } },
		.source = REPLCOPY_SOURCE_AUTO,
		.pacing = REPLCOPY_PACING_STREAM,
		.copies = 1,
	};
	uint8_t buf[MSG_BUF_SIZE];
	struct nlmsghdr *nlh;

	(void)state;
	if (__BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__)
		skip();
	memset(buf, 0xee, sizeof(buf));
	nlh = msg_add_mapping(buf, FAMILY, SEQ, &a);
	assert_ptr_equal(nlh, buf);
	assert_int_equal(nlh->nlmsg_len, sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
}

static void test_add_attrs(void **state)
{
	struct add_args a = {
		.online_addr = kaddr("10.0.0.5"),
		.port = 80,
		.targets = { 1, { { .addr = kaddr("10.0.0.32"), .port = 8080 } } },
		.source = REPLCOPY_SOURCE_CLIENT,
		.pacing = REPLCOPY_PACING_RESPONSE,
		.flags = REPLCOPY_MAPF_NO_FABRICATE,
		.sample = 2500,
	};
	uint8_t buf[MSG_BUF_SIZE];
	struct nlmsghdr *nlh;
	struct attrs t;

	(void)state;
	nlh = msg_add_mapping(buf, FAMILY, SEQ, &a);
	check_hdr(nlh, FAMILY, DO, REPLCOPY_CMD_ADD_MAPPING,
		  REPLCOPY_GENL_VERSION, &t);
	assert_int_equal(t.n, 8);
	assert_int_equal(nlh->nlmsg_len, 20 + 8 * 8);
	assert_u32(t.tb[REPLCOPY_A_MAP_SAMPLE], 2500);
	assert_u16(t.tb[REPLCOPY_A_MAP_PORT], 80);
	assert_u32(t.tb[REPLCOPY_A_MAP_ONLINE_ADDR], ip("10.0.0.5"));
	assert_u32(t.tb[REPLCOPY_A_MAP_TARGET_ADDR], ip("10.0.0.32"));
	assert_u16(t.tb[REPLCOPY_A_MAP_TARGET_PORT], 8080);
	assert_u8(t.tb[REPLCOPY_A_MAP_SOURCE], REPLCOPY_SOURCE_CLIENT);
	assert_u8(t.tb[REPLCOPY_A_MAP_PACING], REPLCOPY_PACING_RESPONSE);
	assert_u32(t.tb[REPLCOPY_A_MAP_FLAGS], REPLCOPY_MAPF_NO_FABRICATE);
	/* Network byte order on the wire: 10.0.0.32 is 0a 00 00 20. */
	assert_memory_equal(mnl_attr_get_payload(
		t.tb[REPLCOPY_A_MAP_TARGET_ADDR]), "\x0a\x00\x00\x20", 4);
	assert_null(t.tb[REPLCOPY_A_MAP_ID]);
}

/*
 * Several targets: TARGET_ADDR/PORT is the first, and MAP_TARGETS lists
 * them all in order, each a nest of ADDR and PORT; copies > 1 as
 * MAP_COPIES. Neither goes out for one target and one copy (above), so
 * that a module older than them keeps adding such mappings.
 */
static void test_add_targets_copies(void **state)
{
	struct add_args a = {
		.port = 80,
		.targets = { 3, {
			{ .addr = kaddr("10.0.0.31"), .port = 8080 },
			{ .addr = kaddr("10.0.0.32"), .port = 8081 },
			{ .addr = kaddr("10.0.0.31"), .port = 8082 },
		} },
		.copies = 4,
	};
	static const uint16_t ports[] = { 8080, 8081, 8082 };
	static const char *const addrs[] = {
		"10.0.0.31", "10.0.0.32", "10.0.0.31",
	};
	uint8_t buf[MSG_BUF_SIZE];
	const struct nlattr *list, *one;
	struct nlmsghdr *nlh;
	struct attrs t, in;
	unsigned int k = 0;

	(void)state;
	nlh = msg_add_mapping(buf, FAMILY, SEQ, &a);
	check_hdr(nlh, FAMILY, DO, REPLCOPY_CMD_ADD_MAPPING, 1, &t);
	assert_int_equal(t.n, 8);
	assert_u32(t.tb[REPLCOPY_A_MAP_TARGET_ADDR], ip("10.0.0.31"));
	assert_u16(t.tb[REPLCOPY_A_MAP_TARGET_PORT], 8080);
	assert_u32(t.tb[REPLCOPY_A_MAP_COPIES], 4);
	assert_null(t.tb[REPLCOPY_A_MAP_SAMPLE]);
	list = t.tb[REPLCOPY_A_MAP_TARGETS];
	assert_non_null(list);
	assert_true(list->nla_type & NLA_F_NESTED);
	/* 4 + 3 entries of 4 + ADDR 8 + PORT 8. */
	assert_int_equal(list->nla_len, 4 + 3 * 20);
	mnl_attr_for_each_nested(one, list) {
		assert_int_equal(mnl_attr_get_type(one), REPLCOPY_TL_TARGET);
		assert_true(one->nla_type & NLA_F_NESTED);
		memset(&in, 0, sizeof(in));
		assert_int_equal(mnl_attr_parse_nested(one, collect, &in),
				 MNL_CB_OK);
		assert_int_equal(in.n, 2);
		assert_int_equal(in.order[0], REPLCOPY_TA_ADDR);
		assert_u32(in.tb[REPLCOPY_TA_ADDR], ip(addrs[k]));
		assert_u16(in.tb[REPLCOPY_TA_PORT], ports[k]);
		k++;
	}
	assert_int_equal(k, 3);
	assert_int_equal(nlh->nlmsg_len, 20 + 6 * 8 + 4 + 3 * 20 + 8);

	/* One target, several copies: COPIES, no TARGETS. */
	a.targets.n = 1;
	nlh = msg_add_mapping(buf, FAMILY, SEQ, &a);
	check_hdr(nlh, FAMILY, DO, REPLCOPY_CMD_ADD_MAPPING, 1, &t);
	assert_int_equal(t.n, 7);
	assert_null(t.tb[REPLCOPY_A_MAP_TARGETS]);
	assert_u32(t.tb[REPLCOPY_A_MAP_COPIES], 4);

	/* Two targets, one copy (0: not set, is one too): TARGETS only. */
	a.targets.n = 2;
	a.copies = 0;
	nlh = msg_add_mapping(buf, FAMILY, SEQ, &a);
	check_hdr(nlh, FAMILY, DO, REPLCOPY_CMD_ADD_MAPPING, 1, &t);
	assert_int_equal(t.n, 7);
	assert_null(t.tb[REPLCOPY_A_MAP_COPIES]);
	assert_non_null(t.tb[REPLCOPY_A_MAP_TARGETS]);
	a.copies = 1;
	nlh = msg_add_mapping(buf, FAMILY, SEQ, &a);
	check_hdr(nlh, FAMILY, DO, REPLCOPY_CMD_ADD_MAPPING, 1, &t);
	assert_null(t.tb[REPLCOPY_A_MAP_COPIES]);
}

/*
 * IPv6 addresses go as the ADDR6 attributes (16 bytes, network byte
 * order), never with their IPv4 twins; targets of both families mix.
 */
static void test_add_ipv6(void **state)
{
	struct add_args a = {
		.online_addr = kaddr("fd00::5"),
		.port = 8080,
		.targets = { 3, {
			{ .addr = kaddr("fd00::31"), .port = 8081 },
			{ .addr = kaddr("10.0.0.32"), .port = 8082 },
			{ .addr = kaddr("2001:db8::1:2"), .port = 8083 },
		} },
	};
	static const char *const addrs[] = {
		"fd00::31", "10.0.0.32", "2001:db8::1:2",
	};
	uint8_t buf[MSG_BUF_SIZE];
	const struct nlattr *one;
	struct nlmsghdr *nlh;
	struct attrs t, in;
	unsigned int k = 0;

	(void)state;
	nlh = msg_add_mapping(buf, FAMILY, SEQ, &a);
	check_hdr(nlh, FAMILY, DO, REPLCOPY_CMD_ADD_MAPPING, 1, &t);
	assert_null(t.tb[REPLCOPY_A_MAP_ONLINE_ADDR]);
	assert_null(t.tb[REPLCOPY_A_MAP_TARGET_ADDR]);
	assert_in6(t.tb[REPLCOPY_A_MAP_ONLINE_ADDR6], "fd00::5");
	assert_in6(t.tb[REPLCOPY_A_MAP_TARGET_ADDR6], "fd00::31");
	assert_memory_equal(mnl_attr_get_payload(
		t.tb[REPLCOPY_A_MAP_TARGET_ADDR6]),
		"\xfd\x00\0\0\0\0\0\0\0\0\0\0\0\0\0\x31", 16);
	assert_u16(t.tb[REPLCOPY_A_MAP_PORT], 8080);
	assert_u16(t.tb[REPLCOPY_A_MAP_TARGET_PORT], 8081);
	mnl_attr_for_each_nested(one, t.tb[REPLCOPY_A_MAP_TARGETS]) {
		memset(&in, 0, sizeof(in));
		assert_int_equal(mnl_attr_parse_nested(one, collect, &in),
				 MNL_CB_OK);
		assert_int_equal(in.n, 2);
		if (k == 1) {
			assert_null(in.tb[REPLCOPY_TA_ADDR6]);
			assert_u32(in.tb[REPLCOPY_TA_ADDR], ip(addrs[k]));
		} else {
			assert_null(in.tb[REPLCOPY_TA_ADDR]);
			assert_in6(in.tb[REPLCOPY_TA_ADDR6], addrs[k]);
		}
		assert_u16(in.tb[REPLCOPY_TA_PORT], 8081 + k);
		k++;
	}
	assert_int_equal(k, 3);
	/* 20, PORT, ONLINE6 20, TARGET6 20, TARGET_PORT, SOURCE, PACING,
	 * FLAGS; TARGETS: 4 + (4 + 20 + 8) + (4 + 8 + 8) + (4 + 20 + 8).
	 */
	assert_int_equal(nlh->nlmsg_len, 20 + 8 + 20 + 20 + 4 * 8 + 4 + 32 +
			 20 + 32);

	/* No online address: none sent, of either family. */
	memset(&a.online_addr, 0, sizeof(a.online_addr));
	nlh = msg_add_mapping(buf, FAMILY, SEQ, &a);
	check_hdr(nlh, FAMILY, DO, REPLCOPY_CMD_ADD_MAPPING, 1, &t);
	assert_null(t.tb[REPLCOPY_A_MAP_ONLINE_ADDR]);
	assert_null(t.tb[REPLCOPY_A_MAP_ONLINE_ADDR6]);

	/* An IPv4 first target: TARGET_ADDR, no TARGET_ADDR6. */
	a.targets.v[0].addr = kaddr("10.0.0.31");
	a.online_addr = kaddr("10.0.0.5");
	nlh = msg_add_mapping(buf, FAMILY, SEQ, &a);
	check_hdr(nlh, FAMILY, DO, REPLCOPY_CMD_ADD_MAPPING, 1, &t);
	assert_u32(t.tb[REPLCOPY_A_MAP_ONLINE_ADDR], ip("10.0.0.5"));
	assert_u32(t.tb[REPLCOPY_A_MAP_TARGET_ADDR], ip("10.0.0.31"));
	assert_null(t.tb[REPLCOPY_A_MAP_ONLINE_ADDR6]);
	assert_null(t.tb[REPLCOPY_A_MAP_TARGET_ADDR6]);
}

static void test_del(void **state)
{
	uint8_t buf[MSG_BUF_SIZE];
	struct nlmsghdr *nlh;
	struct del_args a;
	struct attrs t;

	(void)state;
	memset(&a, 0, sizeof(a));
	a.by = DEL_BY_ID;
	a.id = 42;
	a.port = 99;		/* ignored when deleting by id */
	nlh = msg_del_mapping(buf, FAMILY, SEQ, &a);
	check_hdr(nlh, FAMILY, DO, REPLCOPY_CMD_DEL_MAPPING, 1, &t);
	assert_int_equal(t.n, 1);
	assert_u32(t.tb[REPLCOPY_A_MAP_ID], 42);

	memset(&a, 0, sizeof(a));
	a.by = DEL_BY_PORT;
	a.port = 11311;
	nlh = msg_del_mapping(buf, FAMILY, SEQ, &a);
	check_hdr(nlh, FAMILY, DO, REPLCOPY_CMD_DEL_MAPPING, 1, &t);
	assert_int_equal(t.n, 1);
	assert_u16(t.tb[REPLCOPY_A_MAP_PORT], 11311);

	a.online_addr = kaddr("192.168.0.1");
	nlh = msg_del_mapping(buf, FAMILY, SEQ, &a);
	check_hdr(nlh, FAMILY, DO, REPLCOPY_CMD_DEL_MAPPING, 1, &t);
	assert_int_equal(t.n, 2);
	assert_u16(t.tb[REPLCOPY_A_MAP_PORT], 11311);
	assert_u32(t.tb[REPLCOPY_A_MAP_ONLINE_ADDR], ip("192.168.0.1"));

	a.online_addr = kaddr("fd00::5");
	nlh = msg_del_mapping(buf, FAMILY, SEQ, &a);
	check_hdr(nlh, FAMILY, DO, REPLCOPY_CMD_DEL_MAPPING, 1, &t);
	assert_int_equal(t.n, 2);
	assert_u16(t.tb[REPLCOPY_A_MAP_PORT], 11311);
	assert_in6(t.tb[REPLCOPY_A_MAP_ONLINE_ADDR6], "fd00::5");
	assert_null(t.tb[REPLCOPY_A_MAP_ONLINE_ADDR]);

	memset(&a, 0, sizeof(a));
	a.by = DEL_ALL;
	nlh = msg_del_mapping(buf, FAMILY, SEQ, &a);
	check_hdr(nlh, FAMILY, DO, REPLCOPY_CMD_DEL_MAPPING, 1, &t);
	assert_int_equal(t.n, 1);
	assert_non_null(t.tb[REPLCOPY_A_DEL_ALL]);
	assert_int_equal(t.tb[REPLCOPY_A_DEL_ALL]->nla_len, 4);	/* flag */
	assert_int_equal(nlh->nlmsg_len, 20 + 4);
}

static void test_gets(void **state)
{
	uint8_t buf[MSG_BUF_SIZE];
	struct nlmsghdr *nlh;
	struct attrs t;

	(void)state;
	nlh = msg_get_mappings(buf, FAMILY, SEQ);
	check_hdr(nlh, FAMILY, DUMP, REPLCOPY_CMD_GET_MAPPING, 1, &t);
	assert_int_equal(t.n, 0);
	assert_int_equal(nlh->nlmsg_len, 20);

	nlh = msg_get_stats(buf, FAMILY, SEQ, true);
	check_hdr(nlh, FAMILY, DUMP, REPLCOPY_CMD_GET_STATS, 1, &t);
	assert_int_equal(t.n, 0);
	nlh = msg_get_stats(buf, FAMILY, SEQ, false);
	check_hdr(nlh, FAMILY, DO, REPLCOPY_CMD_GET_STATS, 1, &t);
	assert_int_equal(t.n, 0);

	nlh = msg_get_sessions(buf, FAMILY, SEQ, false, 5);
	check_hdr(nlh, FAMILY, DUMP, REPLCOPY_CMD_GET_SESSIONS, 1, &t);
	assert_int_equal(t.n, 0);
	nlh = msg_get_sessions(buf, FAMILY, SEQ, true, 5);
	check_hdr(nlh, FAMILY, DUMP, REPLCOPY_CMD_GET_SESSIONS, 1, &t);
	assert_int_equal(t.n, 1);
	assert_u32(t.tb[REPLCOPY_A_MAP_ID], 5);
	assert_int_equal(nlh->nlmsg_len, 28);

	nlh = msg_get_config(buf, FAMILY, SEQ);
	check_hdr(nlh, FAMILY, DO, REPLCOPY_CMD_GET_CONFIG, 1, &t);
	assert_int_equal(t.n, 0);
}

static void test_set_config(void **state)
{
	uint8_t buf[MSG_BUF_SIZE];
	const struct nlattr *nest;
	struct nlmsghdr *nlh;
	struct set_args a;
	struct attrs t, in;

	(void)state;
	memset(&a, 0, sizeof(a));
	a.has[REPLCOPY_CFG_WORKER] = true;
	a.val[REPLCOPY_CFG_WORKER] = REPLCOPY_WORKER_KTHREAD;
	a.has[REPLCOPY_CFG_MAX_SESSIONS] = true;
	a.val[REPLCOPY_CFG_MAX_SESSIONS] = 4000000000u;
	a.has[REPLCOPY_CFG_SYN_RETRIES] = true;
	a.val[REPLCOPY_CFG_SYN_RETRIES] = 3;
	a.has[REPLCOPY_CFG_WQ_UNBOUND] = true;
	a.val[REPLCOPY_CFG_WQ_UNBOUND] = 0;	/* "off" is sent, not omitted */
	a.n = 4;

	nlh = msg_set_config(buf, FAMILY, SEQ, &a);
	check_hdr(nlh, FAMILY, DO, REPLCOPY_CMD_SET_CONFIG, 1, &t);
	assert_int_equal(t.n, 1);
	nest = t.tb[REPLCOPY_A_CONFIG];
	assert_non_null(nest);
	/* Strict kernel policies want NLA_F_NESTED on nests. */
	assert_true(nest->nla_type & NLA_F_NESTED);
	assert_int_equal(mnl_attr_validate(nest, MNL_TYPE_NESTED), 0);

	memset(&in, 0, sizeof(in));
	assert_int_equal(mnl_attr_parse_nested(nest, collect, &in), MNL_CB_OK);
	assert_int_equal(in.n, 4);
	/* In attribute order, each with the uapi's width. */
	assert_int_equal(in.order[0], REPLCOPY_CFG_WORKER);
	assert_int_equal(in.order[1], REPLCOPY_CFG_WQ_UNBOUND);
	assert_int_equal(in.order[2], REPLCOPY_CFG_MAX_SESSIONS);
	assert_int_equal(in.order[3], REPLCOPY_CFG_SYN_RETRIES);
	assert_u8(in.tb[REPLCOPY_CFG_WORKER], REPLCOPY_WORKER_KTHREAD);
	assert_u8(in.tb[REPLCOPY_CFG_WQ_UNBOUND], 0);
	assert_u32(in.tb[REPLCOPY_CFG_MAX_SESSIONS], 4000000000u);
	assert_u8(in.tb[REPLCOPY_CFG_SYN_RETRIES], 3);
	assert_int_equal(nest->nla_len, 4 + 4 * 8);
	assert_int_equal(nlh->nlmsg_len, 20 + 4 + 4 * 8);
}

/* Every setting goes out with the width the uapi header documents. */
static void test_set_config_widths(void **state)
{
	static const struct { unsigned int attr; int len; } widths[] = {
		{ REPLCOPY_CFG_WORKER, 1 },
		{ REPLCOPY_CFG_WQ_UNBOUND, 1 },
		{ REPLCOPY_CFG_WQ_MAX_ACTIVE, 4 },
		{ REPLCOPY_CFG_MAX_SESSIONS, 4 },
		{ REPLCOPY_CFG_MAX_SESSION_BYTES, 4 },
		{ REPLCOPY_CFG_MAX_TOTAL_BYTES, 4 },
		{ REPLCOPY_CFG_IDLE_TIMEOUT, 4 },
		{ REPLCOPY_CFG_SYN_RETRIES, 1 },
		{ REPLCOPY_CFG_MAX_RETRIES, 1 },
	};
	uint8_t buf[MSG_BUF_SIZE];
	struct nlmsghdr *nlh;
	struct set_args a;
	struct attrs t, in;
	size_t i;

	(void)state;
	assert_int_equal(sizeof(widths) / sizeof(widths[0]), REPLCOPY_CFG_MAX);
	memset(&a, 0, sizeof(a));
	for (i = 0; i < REPLCOPY_CFG_MAX; i++) {
		a.has[widths[i].attr] = true;
		a.val[widths[i].attr] = 1;
	}
	nlh = msg_set_config(buf, FAMILY, SEQ, &a);
	check_hdr(nlh, FAMILY, DO, REPLCOPY_CMD_SET_CONFIG, 1, &t);
	memset(&in, 0, sizeof(in));
	mnl_attr_parse_nested(t.tb[REPLCOPY_A_CONFIG], collect, &in);
	assert_int_equal(in.n, REPLCOPY_CFG_MAX);
	for (i = 0; i < REPLCOPY_CFG_MAX; i++) {
		const struct nlattr *x = in.tb[widths[i].attr];

		assert_non_null(x);
		assert_int_equal(mnl_attr_get_payload_len(x), widths[i].len);
	}
}

static void test_get_family(void **state)
{
	uint8_t buf[MSG_BUF_SIZE];
	const struct nlattr *name;
	struct nlmsghdr *nlh;
	struct attrs t;

	(void)state;
	nlh = msg_get_family(buf, SEQ, REPLCOPY_GENL_NAME);
	check_hdr(nlh, GENL_ID_CTRL, DO, CTRL_CMD_GETFAMILY, 1, &t);
	assert_int_equal(t.n, 1);
	name = t.tb[CTRL_ATTR_FAMILY_NAME];
	assert_non_null(name);
	assert_int_equal(mnl_attr_validate(name, MNL_TYPE_NUL_STRING), 0);
	assert_string_equal(mnl_attr_get_str(name), "replcopy");
	assert_int_equal(name->nla_len, 4 + 9);
	assert_int_equal(nlh->nlmsg_len, 20 + 16);
}

/* The extack offset of an attribute maps back to the attribute. */
static void test_attr_at(void **state)
{
	struct add_args a = {
		.online_addr = kaddr("10.0.0.5"), .port = 80,
		.targets = { 1, { { .addr = kaddr("10.0.0.32"), .port = 8080 } } },
	};
	uint8_t buf[MSG_BUF_SIZE];
	struct nlmsghdr *nlh;
	struct set_args s;
	int type, nest;

	(void)state;
	nlh = msg_add_mapping(buf, FAMILY, SEQ, &a);
	/* 20 header bytes, then PORT, ONLINE_ADDR, TARGET_ADDR, ... */
	assert_int_equal(msg_attr_at(nlh, 20, &type, &nest), 0);
	assert_int_equal(type, REPLCOPY_A_MAP_PORT);
	assert_int_equal(nest, 0);
	assert_int_equal(msg_attr_at(nlh, 36, &type, &nest), 0);
	assert_int_equal(type, REPLCOPY_A_MAP_TARGET_ADDR);
	assert_int_equal(msg_attr_at(nlh, 37, &type, &nest), -1);
	assert_int_equal(msg_attr_at(nlh, 4000, &type, &nest), -1);

	memset(&s, 0, sizeof(s));
	s.has[REPLCOPY_CFG_WORKER] = true;
	s.has[REPLCOPY_CFG_MAX_RETRIES] = true;
	s.val[REPLCOPY_CFG_MAX_RETRIES] = 5;
	nlh = msg_set_config(buf, FAMILY, SEQ, &s);
	/* 20 header, 4 nest header, 8 WORKER, then MAX_RETRIES at 32. */
	assert_int_equal(msg_attr_at(nlh, 20, &type, &nest), 0);
	assert_int_equal(type, REPLCOPY_A_CONFIG);
	assert_int_equal(msg_attr_at(nlh, 32, &type, &nest), 0);
	assert_int_equal(type, REPLCOPY_CFG_MAX_RETRIES);
	assert_int_equal(nest, REPLCOPY_A_CONFIG);
	assert_string_equal(rc_cfg_attr_name(type), "max-retries");
}

/* An offset inside REPLCOPY_A_MAP_TARGETS: which target, at any depth. */
static void test_target_at(void **state)
{
	struct add_args a = {
		.port = 80,
		.targets = { 2, {
			{ .addr = kaddr("10.0.0.31"), .port = 8080 },
			{ .addr = kaddr("10.0.0.32"), .port = 8081 },
		} },
	};
	uint8_t buf[MSG_BUF_SIZE];
	struct nlmsghdr *nlh;
	struct rc_target t;
	unsigned int k = 9;
	int type, nest;

	(void)state;
	nlh = msg_add_mapping(buf, FAMILY, SEQ, &a);
	/*
	 * 20 header, PORT, TARGET_ADDR, TARGET_PORT, SOURCE, PACING, FLAGS
	 * (8 each): TARGETS at 68; its entries at 72 and 92, each with ADDR
	 * (+4) and PORT (+12).
	 */
	assert_int_equal(msg_attr_at(nlh, 68, &type, &nest), 0);
	assert_int_equal(type, REPLCOPY_A_MAP_TARGETS);
	assert_int_equal(nest, 0);
	assert_int_equal(msg_target_at(nlh, 68, &k, &t), -1);

	assert_int_equal(msg_attr_at(nlh, 92, &type, &nest), 0);
	assert_int_equal(type, REPLCOPY_TL_TARGET);
	assert_int_equal(nest, REPLCOPY_A_MAP_TARGETS);
	assert_int_equal(msg_target_at(nlh, 92, &k, &t), 0);
	assert_int_equal(k, 1);
	assert_addr(&t.addr, "10.0.0.32");
	assert_int_equal(t.port, 8081);

	assert_int_equal(msg_attr_at(nlh, 76, &type, &nest), 0);
	assert_int_equal(type, REPLCOPY_TA_ADDR);
	assert_int_equal(nest, REPLCOPY_A_MAP_TARGETS);
	assert_int_equal(msg_target_at(nlh, 84, &k, &t), 0);
	assert_int_equal(k, 0);
	assert_addr(&t.addr, "10.0.0.31");
	assert_int_equal(t.port, 8080);

	/* Not on an attribute, or outside the targets. */
	assert_int_equal(msg_attr_at(nlh, 78, &type, &nest), -1);
	assert_int_equal(msg_target_at(nlh, 20, &k, &t), -1);
	assert_int_equal(msg_target_at(nlh, 4000, &k, &t), -1);

	/*
	 * An IPv6 first target: TARGET_ADDR6 and TA_ADDR6 of 20 bytes each,
	 * so TARGETS at 80, its entries at 84 (ADDR6 at 88) and 116.
	 */
	a.targets.v[0].addr = kaddr("fd00::31");
	nlh = msg_add_mapping(buf, FAMILY, SEQ, &a);
	assert_int_equal(msg_attr_at(nlh, 88, &type, &nest), 0);
	assert_int_equal(type, REPLCOPY_TA_ADDR6);
	assert_int_equal(msg_target_at(nlh, 88, &k, &t), 0);
	assert_int_equal(k, 0);
	assert_addr(&t.addr, "fd00::31");
	assert_true(t.present & 1u << REPLCOPY_TA_ADDR);
	assert_int_equal(t.port, 8080);
	assert_int_equal(msg_target_at(nlh, 116, &k, &t), 0);
	assert_int_equal(k, 1);
	assert_addr(&t.addr, "10.0.0.32");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_bytes),
		cmocka_unit_test(test_add_attrs),
		cmocka_unit_test(test_add_targets_copies),
		cmocka_unit_test(test_add_ipv6),
		cmocka_unit_test(test_del),
		cmocka_unit_test(test_gets),
		cmocka_unit_test(test_set_config),
		cmocka_unit_test(test_set_config_widths),
		cmocka_unit_test(test_get_family),
		cmocka_unit_test(test_attr_at),
		cmocka_unit_test(test_target_at),
	};

	return cmocka_run_group_tests_name("msg", tests, NULL, NULL);
}
