// SPDX-License-Identifier: GPL-2.0
/*
 * test_event.c - the lines of replctl monitor, text and JSON, from
 * REPLCOPY_CMD_EVENT messages fabricated as the module sends them: every
 * kind of event, names this replctl does not know, malformed messages;
 * the session and mapping objects against those of `replctl sessions
 * --json` and `replctl list --json`.
 */
#include "unit.h"
#include "kmsg.h"

#include <errno.h>
#include <time.h>

#include "event.h"
#include "output.h"
#include "reply.h"

static uint8_t buf[8192] __attribute__((aligned(8)));

/* 2024-05-01T23:10:01.123Z; the tests run with TZ=UTC. */
static const struct timespec T = { .tv_sec = 1714605001,
				   .tv_nsec = 123456789 };

static const struct ksess S = {
	.map_id = 1, .client = "10.0.0.2", .client_port = 40312,
	.source = "10.0.0.1", .source_port = 61002,
	.state = REPLCOPY_SS_CLOSED, .worker = REPLCOPY_WORKER_WQ,
	.captured = 1234, .acked = 1234, .queued = 0, .age_ms = 15,
};

static const struct kmap M = {
	.id = 1, .port = 8080, .target = "10.0.0.31", .target_port = 8081,
	.source = REPLCOPY_SOURCE_AUTO, .pacing = REPLCOPY_PACING_STREAM,
	.flags = 0, .sessions = -1,
};

/* The start of every line: the time of T. */
#define TT "23:10:01.123 "
#define TJ "{\"time\":\"2024-05-01T23:10:01.123Z\","
/* S on mapping 1 (:8080 -> 10.0.0.31:8081): text, its counters, JSON. */
#define S_TEXT "map 1 :8080 client 10.0.0.2:40312 -> 10.0.0.31:8081 " \
	"from 10.0.0.1:61002"
#define S_COUNTS "captured 1234 acked 1234 age 15ms\n"
#define S_JSON "\"map_id\":1,\"port\":8080,\"target\":\"10.0.0.31:8081\"," \
	"\"session\":{\"map_id\":1,\"client_addr\":\"10.0.0.2\"," \
	"\"client_port\":40312,\"target_addr\":\"10.0.0.31\"," \
	"\"target_port\":8081,\"target\":\"10.0.0.31:8081\",\"copy\":0," \
	"\"source_addr\":\"10.0.0.1\"," \
	"\"source_port\":61002,\"state\":\"closed\",\"worker\":\"wq\"," \
	"\"fabricated\":false,\"captured_bytes\":1234," \
	"\"acked_bytes\":1234,\"queued_bytes\":0,\"age_ms\":15}}\n"

static struct nlmsghdr *ev_msg(uint8_t type)
{
	struct nlmsghdr *nlh = kmsg(buf, sizeof(buf), REPLCOPY_CMD_EVENT);

	nlh->nlmsg_flags = 0;
	mnl_attr_put_u8(nlh, REPLCOPY_A_EVENT, type);
	return nlh;
}

/*
 * A session event as the module builds it: the session's target, or
 * 10.0.0.31:8081 when it does not say (an older module).
 */
static struct nlmsghdr *session_msg(uint8_t type, const struct ksess *s)
{
	struct nlmsghdr *nlh = ev_msg(type);

	kput_session(nlh, s);
	mnl_attr_put_u16(nlh, REPLCOPY_A_MAP_PORT, 8080);
	kput_addr(nlh, REPLCOPY_A_MAP_TARGET_ADDR, REPLCOPY_A_MAP_TARGET_ADDR6,
		  s->target ? s->target : "10.0.0.31");
	mnl_attr_put_u16(nlh, REPLCOPY_A_MAP_TARGET_PORT,
			 s->target ? s->target_port : 8081);
	return nlh;
}

/* event_print()'s output for nlh, and its return value in *rc. */
static char *print(const struct nlmsghdr *nlh, bool json, int *rc)
{
	struct capture c;

	*rc = event_print(capture_begin(&c), nlh, &T, json);
	return capture_end(&c);
}

/* nlh prints want_text and want_json (valid JSON); event_print() says rc. */
static void expect(const struct nlmsghdr *nlh, int rc, const char *want_text,
		   const char *want_json)
{
	char *out;
	int got;

	out = print(nlh, false, &got);
	assert_int_equal(got, rc);
	assert_string_equal(out, want_text);
	free(out);
	out = print(nlh, true, &got);
	assert_int_equal(got, rc);
	assert_string_equal(out, want_json);
	assert_json(out);
	free(out);
}

/* The object of one element of an array printed by fn, without [ ] \n. */
static char *element(char *array)
{
	size_t n = strlen(array);

	assert_true(n > 3 && array[0] == '[' && array[n - 2] == ']');
	array[n - 2] = '\0';
	return array + 1;
}

static void test_session_start(void **state)
{
	struct ksess s = S;

	(void)state;
	/* Before the replayed connection has a source: 0.0.0.0:0. */
	s.source = "0.0.0.0";
	s.source_port = 0;
	s.state = REPLCOPY_SS_NONE;
	s.worker = REPLCOPY_WORKER_KTHREAD;
	s.captured = s.acked = 0;
	s.age_ms = 0;
	s.fabricated = true;
	expect(session_msg(REPLCOPY_EV_SESSION_START, &s), 0,
	       TT "session-start map 1 :8080 client 10.0.0.2:40312 "
	       "-> 10.0.0.31:8081 captured 0 acked 0 age 0ms fabricated\n",
	       TJ "\"event\":\"session-start\","
	       "\"map_id\":1,\"port\":8080,\"target\":\"10.0.0.31:8081\","
	       "\"session\":{\"map_id\":1,\"client_addr\":\"10.0.0.2\","
	       "\"client_port\":40312,\"target_addr\":\"10.0.0.31\","
	       "\"target_port\":8081,\"target\":\"10.0.0.31:8081\","
	       "\"copy\":0,\"source_addr\":\"0.0.0.0\","
	       "\"source_port\":0,\"state\":\"none\",\"worker\":\"kthread\","
	       "\"fabricated\":true,\"captured_bytes\":0,\"acked_bytes\":0,"
	       "\"queued_bytes\":0,\"age_ms\":0}}\n");

	/* A module that says the session's target and copy. */
	s = S;
	s.target = "10.0.0.31";
	s.target_port = 8081;
	s.copy = 2;
	expect(session_msg(REPLCOPY_EV_SESSION_ESTABLISHED, &s), 0,
	       TT "session-established map 1 :8080 client 10.0.0.2:40312 "
	       "-> 10.0.0.31:8081 copy 2 from 10.0.0.1:61002 " S_COUNTS,
	       TJ "\"event\":\"session-established\","
	       "\"map_id\":1,\"port\":8080,\"target\":\"10.0.0.31:8081\","
	       "\"session\":{\"map_id\":1,\"client_addr\":\"10.0.0.2\","
	       "\"client_port\":40312,\"target_addr\":\"10.0.0.31\","
	       "\"target_port\":8081,\"target\":\"10.0.0.31:8081\","
	       "\"copy\":2,\"source_addr\":\"10.0.0.1\","
	       "\"source_port\":61002,\"state\":\"closed\","
	       "\"worker\":\"wq\",\"fabricated\":false,"
	       "\"captured_bytes\":1234,\"acked_bytes\":1234,"
	       "\"queued_bytes\":0,\"age_ms\":15}}\n");
}

/* Every reason, by name. */
static void test_session_end(void **state)
{
	static const struct { uint8_t reason; const char *name; } t[] = {
		{ REPLCOPY_ER_CLOSED, "closed" },
		{ REPLCOPY_ER_RESET, "reset" },
		{ REPLCOPY_ER_CLIENT_RST, "client-rst" },
		{ REPLCOPY_ER_TIMEDOUT, "timedout" },
		{ REPLCOPY_ER_LIMIT, "limit" },
		{ REPLCOPY_ER_ABORT, "abort" },
		{ REPLCOPY_ER_LOOP, "loop" },
	};
	char text[256], json[1024];
	struct nlmsghdr *nlh;
	size_t i;

	(void)state;
	assert_int_equal(sizeof(t) / sizeof(t[0]), __REPLCOPY_ER_MAX);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		nlh = session_msg(REPLCOPY_EV_SESSION_END, &S);
		mnl_attr_put_u8(nlh, REPLCOPY_A_EVENT_REASON, t[i].reason);
		snprintf(text, sizeof(text), TT "session-end " S_TEXT
			 " reason %s " S_COUNTS, t[i].name);
		snprintf(json, sizeof(json), TJ "\"event\":\"session-end\","
			 "\"reason\":\"%s\"," S_JSON, t[i].name);
		expect(nlh, 0, text, json);
	}
}

/* The other session events: only the name differs. */
static void test_session_kinds(void **state)
{
	static const struct { uint8_t type; const char *name; } t[] = {
		{ REPLCOPY_EV_SESSION_ESTABLISHED, "session-established" },
		{ REPLCOPY_EV_TARGET_REFUSED, "target-refused" },
		{ REPLCOPY_EV_TARGET_UNREACHABLE, "target-unreachable" },
	};
	char text[256], json[1024];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(text, sizeof(text), TT "%s " S_TEXT " " S_COUNTS,
			 t[i].name);
		snprintf(json, sizeof(json), TJ "\"event\":\"%s\"," S_JSON,
			 t[i].name);
		expect(session_msg(t[i].type, &S), 0, text, json);
	}
}

/* The session object is one element of `replctl sessions --json`. */
static void test_session_object(void **state)
{
	struct capture c;
	struct rc_reply r;
	char *arr, *ev;
	int rc;

	(void)state;
	assert_int_equal(rc_parse_reply(session_msg(REPLCOPY_EV_SESSION_END,
						    &S), &r), 0);
	assert_true(r.has_session);
	out_sessions_json(capture_begin(&c), &r.sess, 1);
	arr = capture_end(&c);
	ev = print(session_msg(REPLCOPY_EV_SESSION_END, &S), true, &rc);
	assert_non_null(strstr(ev, element(arr)));
	free(arr);
	free(ev);
}

static void test_limit(void **state)
{
	static const struct { uint8_t limit; const char *name; } t[] = {
		{ REPLCOPY_LIMIT_SESSIONS, "sessions" },
		{ REPLCOPY_LIMIT_SESSION_BYTES, "session-bytes" },
		{ REPLCOPY_LIMIT_TOTAL_BYTES, "total-bytes" },
		{ REPLCOPY_LIMIT_KTHREADS, "kthreads" },
		{ REPLCOPY_LIMIT_PORTS, "ports" },
	};
	char text[256], json[1024];
	struct nlmsghdr *nlh;
	size_t i;

	(void)state;
	/* No session concerned: the mapping's id, port and target. */
	nlh = ev_msg(REPLCOPY_EV_LIMIT);
	mnl_attr_put_u8(nlh, REPLCOPY_A_EVENT_LIMIT,
			REPLCOPY_LIMIT_TOTAL_BYTES);
	mnl_attr_put_u32(nlh, REPLCOPY_A_MAP_ID, 1);
	mnl_attr_put_u16(nlh, REPLCOPY_A_MAP_PORT, 8080);
	mnl_attr_put_u32(nlh, REPLCOPY_A_MAP_ONLINE_ADDR, 0);
	mnl_attr_put_u32(nlh, REPLCOPY_A_MAP_TARGET_ADDR, kip("10.0.0.31"));
	mnl_attr_put_u16(nlh, REPLCOPY_A_MAP_TARGET_PORT, 8081);
	expect(nlh, 0,
	       TT "limit map 1 :8080 -> 10.0.0.31:8081 "
	       "limit total-bytes\n",
	       TJ "\"event\":\"limit\","
	       "\"limit\":\"total-bytes\",\"map_id\":1,\"port\":8080,"
	       "\"target\":\"10.0.0.31:8081\"}\n");

	/* Every limit, by name (and a session hit it). */
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		nlh = session_msg(REPLCOPY_EV_LIMIT, &S);
		mnl_attr_put_u8(nlh, REPLCOPY_A_EVENT_LIMIT, t[i].limit);
		snprintf(text, sizeof(text), TT "limit " S_TEXT " limit %s "
			 S_COUNTS, t[i].name);
		snprintf(json, sizeof(json), TJ "\"event\":\"limit\","
			 "\"limit\":\"%s\"," S_JSON, t[i].name);
		expect(nlh, 0, text, json);
	}
	assert_int_equal(sizeof(t) / sizeof(t[0]), __REPLCOPY_LIMIT_MAX);
}

static void test_mapping(void **state)
{
	struct kmap k = M;
	struct nlmsghdr *nlh;
	struct capture c;
	struct rc_reply r;
	char *arr, *ev, *out;
	int rc;

	(void)state;
	nlh = ev_msg(REPLCOPY_EV_MAPPING_ADD);
	kput_map(nlh, &M);
	expect(nlh, 0,
	       TT "mapping-add map 1 :8080 -> 10.0.0.31:8081 "
	       "source auto pacing stream\n",
	       TJ "\"event\":\"mapping-add\","
	       "\"map_id\":1,\"mapping\":{\"id\":1,\"online_addr\":null,"
	       "\"port\":8080,\"online\":\"*:8080\","
	       "\"target_addr\":\"10.0.0.31\",\"target_port\":8081,"
	       "\"target\":\"10.0.0.31:8081\",\"source\":\"auto\","
	       "\"pacing\":\"stream\",\"flags\":[],\"sample\":100.00,"
	       "\"copies\":1,\"targets\":[{\"addr\":\"10.0.0.31\","
	       "\"port\":8081}]}}\n");

	/* The mapping object is one element of `replctl list --json`. */
	assert_int_equal(rc_parse_reply(nlh, &r), 0);
	out_mappings_json(capture_begin(&c), &r.map, 1);
	arr = capture_end(&c);
	ev = print(nlh, true, &rc);
	assert_non_null(strstr(ev, element(arr)));
	free(arr);
	free(ev);

	k.id = 7;
	k.online = "10.0.0.5";
	k.source = REPLCOPY_SOURCE_CLIENT;
	k.pacing = REPLCOPY_PACING_RESPONSE;
	k.flags = REPLCOPY_MAPF_NO_FABRICATE;
	k.sample = 1000;
	k.sessions = 3;
	nlh = ev_msg(REPLCOPY_EV_MAPPING_DEL);
	kput_map(nlh, &k);
	expect(nlh, 0,
	       TT "mapping-del map 7 10.0.0.5:8080 -> "
	       "10.0.0.31:8081 source client pacing response "
	       "flags no-fabricate sample 10%\n",
	       TJ "\"event\":\"mapping-del\","
	       "\"map_id\":7,\"mapping\":{\"id\":7,"
	       "\"online_addr\":\"10.0.0.5\",\"port\":8080,"
	       "\"online\":\"10.0.0.5:8080\",\"target_addr\":\"10.0.0.31\","
	       "\"target_port\":8081,\"target\":\"10.0.0.31:8081\","
	       "\"source\":\"client\",\"pacing\":\"response\","
	       "\"flags\":[\"no_fabricate\"],\"sample\":10.00,"
	       "\"copies\":1,\"targets\":[{\"addr\":\"10.0.0.31\","
	       "\"port\":8081,\"sessions\":3}],\"sessions\":3}}\n");

	/* An online address of 0 sent explicitly is any address too. */
	k = M;
	k.online = "0.0.0.0";
	nlh = ev_msg(REPLCOPY_EV_MAPPING_ADD);
	kput_map(nlh, &k);
	out = print(nlh, false, &rc);
	assert_string_equal(out, TT "mapping-add map 1 :8080 -> "
			    "10.0.0.31:8081 source auto pacing stream\n");
	free(out);

	/* Several targets and copies: all of them, in order. */
	{
		static const struct ktarget t[] = {
			{ .addr = "10.0.0.31", .port = 8081, .sessions = 0 },
			{ .addr = "10.0.0.32", .port = 8081, .sessions = 0 },
		};

		k = M;
		k.targets = t;
		k.ntargets = 2;
		k.copies = 3;
		nlh = ev_msg(REPLCOPY_EV_MAPPING_ADD);
		kput_map(nlh, &k);
		expect(nlh, 0,
		       TT "mapping-add map 1 :8080 -> "
		       "10.0.0.31:8081,10.0.0.32:8081 source auto pacing "
		       "stream copies 3\n",
		       TJ "\"event\":\"mapping-add\","
		       "\"map_id\":1,\"mapping\":{\"id\":1,"
		       "\"online_addr\":null,\"port\":8080,"
		       "\"online\":\"*:8080\",\"target_addr\":\"10.0.0.31\","
		       "\"target_port\":8081,\"target\":\"10.0.0.31:8081\","
		       "\"source\":\"auto\",\"pacing\":\"stream\","
		       "\"flags\":[],\"sample\":100.00,\"copies\":3,"
		       "\"targets\":[{\"addr\":\"10.0.0.31\",\"port\":8081,"
		       "\"sessions\":0},{\"addr\":\"10.0.0.32\","
		       "\"port\":8081,\"sessions\":0}]}}\n");
	}
}

/* IPv6: endpoints in brackets, addresses plain in JSON. */
static void test_ipv6(void **state)
{
	static const struct ksess s6 = {
		.map_id = 2, .client = "2001:db8::99", .client_port = 40312,
		.source = "::", .source_port = 0,
		.state = REPLCOPY_SS_NONE, .worker = REPLCOPY_WORKER_WQ,
		.target = "fd00::31", .target_port = 8081,
	};
	static const struct ktarget t[] = {
		{ .addr = "fd00::31", .port = 8081, .sessions = 0 },
		{ .addr = "10.0.0.32", .port = 8081, .sessions = 0 },
	};
	struct kmap k = M;
	struct nlmsghdr *nlh;
	struct ksess s = s6;

	(void)state;
	/* An IPv6 client, before its replayed connection has a source. */
	nlh = session_msg(REPLCOPY_EV_SESSION_START, &s);
	expect(nlh, 0,
	       TT "session-start map 2 :8080 client [2001:db8::99]:40312 "
	       "-> [fd00::31]:8081 copy 0 captured 0 acked 0 age 0ms\n",
	       TJ "\"event\":\"session-start\","
	       "\"map_id\":2,\"port\":8080,\"target\":\"[fd00::31]:8081\","
	       "\"session\":{\"map_id\":2,\"client_addr\":\"2001:db8::99\","
	       "\"client_port\":40312,\"target_addr\":\"fd00::31\","
	       "\"target_port\":8081,\"target\":\"[fd00::31]:8081\","
	       "\"copy\":0,\"source_addr\":\"::\","
	       "\"source_port\":0,\"state\":\"none\",\"worker\":\"wq\","
	       "\"fabricated\":false,\"captured_bytes\":0,"
	       "\"acked_bytes\":0,\"queued_bytes\":0,\"age_ms\":0}}\n");

	/* Established: its source, of the target's family. */
	s.source = "fd00::1";
	s.source_port = 61002;
	nlh = session_msg(REPLCOPY_EV_SESSION_ESTABLISHED, &s);
	expect(nlh, 0,
	       TT "session-established map 2 :8080 client "
	       "[2001:db8::99]:40312 -> [fd00::31]:8081 copy 0 from "
	       "[fd00::1]:61002 captured 0 acked 0 age 0ms\n",
	       TJ "\"event\":\"session-established\","
	       "\"map_id\":2,\"port\":8080,\"target\":\"[fd00::31]:8081\","
	       "\"session\":{\"map_id\":2,\"client_addr\":\"2001:db8::99\","
	       "\"client_port\":40312,\"target_addr\":\"fd00::31\","
	       "\"target_port\":8081,\"target\":\"[fd00::31]:8081\","
	       "\"copy\":0,\"source_addr\":\"fd00::1\","
	       "\"source_port\":61002,\"state\":\"none\",\"worker\":\"wq\","
	       "\"fabricated\":false,\"captured_bytes\":0,"
	       "\"acked_bytes\":0,\"queued_bytes\":0,\"age_ms\":0}}\n");

	/* A mapping bound to an IPv6 address, targets of both families. */
	k.online = "fd00::5";
	k.target = "fd00::31";
	k.targets = t;
	k.ntargets = 2;
	nlh = ev_msg(REPLCOPY_EV_MAPPING_ADD);
	kput_map(nlh, &k);
	expect(nlh, 0,
	       TT "mapping-add map 1 [fd00::5]:8080 -> "
	       "[fd00::31]:8081,10.0.0.32:8081 source auto pacing stream\n",
	       TJ "\"event\":\"mapping-add\","
	       "\"map_id\":1,\"mapping\":{\"id\":1,"
	       "\"online_addr\":\"fd00::5\",\"port\":8080,"
	       "\"online\":\"[fd00::5]:8080\",\"target_addr\":\"fd00::31\","
	       "\"target_port\":8081,\"target\":\"[fd00::31]:8081\","
	       "\"source\":\"auto\",\"pacing\":\"stream\","
	       "\"flags\":[],\"sample\":100.00,\"copies\":1,"
	       "\"targets\":[{\"addr\":\"fd00::31\",\"port\":8081,"
	       "\"sessions\":0},{\"addr\":\"10.0.0.32\","
	       "\"port\":8081,\"sessions\":0}]}}\n");
}

static void test_suppressed(void **state)
{
	struct nlmsghdr *nlh;

	(void)state;
	nlh = ev_msg(REPLCOPY_EV_SUPPRESSED);
	mnl_attr_put_u32(nlh, REPLCOPY_A_EVENT_SUPPRESSED, 1523);
	expect(nlh, 0,
	       TT "suppressed 1523 events (rate limit)\n",
	       TJ "\"event\":\"suppressed\","
	       "\"suppressed\":1523}\n");
}

/* A newer module: names this replctl does not know print as numbers. */
static void test_unknown(void **state)
{
	struct nlmsghdr *nlh;

	(void)state;
	nlh = ev_msg(42);
	expect(nlh, 0, TT "42\n", TJ "\"event\":42}\n");

	/* With what it carries, and an attribute newer than us. */
	nlh = session_msg(200, &S);
	mnl_attr_put_u8(nlh, REPLCOPY_A_EVENT_REASON, 99);
	mnl_attr_put_u8(nlh, REPLCOPY_A_EVENT_LIMIT, 77);
	mnl_attr_put_u32(nlh, __REPLCOPY_A_MAX + 3, 5);
	expect(nlh, 0, TT "200 " S_TEXT " reason 99 limit 77 " S_COUNTS,
	       TJ "\"event\":200,\"reason\":99,\"limit\":77," S_JSON);

	/* REPLCOPY_EV_NONE has no name either. */
	expect(ev_msg(REPLCOPY_EV_NONE), 0, TT "0\n", TJ "\"event\":0}\n");
}

static void test_malformed(void **state)
{
	struct nlmsghdr *nlh;
	char *out;
	int rc;

	(void)state;
	/* No REPLCOPY_A_EVENT. */
	nlh = kmsg(buf, sizeof(buf), REPLCOPY_CMD_EVENT);
	kput_session(nlh, &S);
	expect(nlh, -EINVAL,
	       TT "malformed event: no event type\n",
	       TJ "\"event\":\"malformed\","
	       "\"error\":\"no event type\"}\n");

	/* REPLCOPY_A_EVENT of the wrong size. */
	nlh = kmsg(buf, sizeof(buf), REPLCOPY_CMD_EVENT);
	mnl_attr_put_u32(nlh, REPLCOPY_A_EVENT_SUPPRESSED, 1);
	mnl_attr_put_u32(nlh, REPLCOPY_A_EVENT, 1);
	expect(nlh, -EINVAL,
	       TT "malformed event: bad attribute 16\n",
	       TJ "\"event\":\"malformed\","
	       "\"error\":\"bad attribute 16\"}\n");

	/* Inside the session nest. */
	nlh = ev_msg(REPLCOPY_EV_SESSION_END);
	{
		struct nlattr *n = mnl_attr_nest_start(nlh, REPLCOPY_A_SESSION);

		mnl_attr_put_u8(nlh, REPLCOPY_SA_CLIENT_PORT, 1);
		mnl_attr_nest_end(nlh, n);
	}
	expect(nlh, -EINVAL,
	       TT "malformed event: bad attribute 4 in attribute 12\n",
	       TJ "\"event\":\"malformed\","
	       "\"error\":\"bad attribute 4 in attribute 12\"}\n");

	/* No room for the genl header. */
	nlh = ev_msg(REPLCOPY_EV_SESSION_END);
	nlh->nlmsg_len = NLMSG_HDRLEN + 2;
	expect(nlh, -EINVAL,
	       TT "malformed event: truncated message\n",
	       TJ "\"event\":\"malformed\","
	       "\"error\":\"truncated message\"}\n");

	/* Not an event: nothing. */
	nlh = kmsg(buf, sizeof(buf), REPLCOPY_CMD_GET_MAPPING);
	kput_map(nlh, &M);
	out = print(nlh, false, &rc);
	assert_int_equal(rc, 1);
	assert_string_equal(out, "");
	free(out);
}

static void test_overflow(void **state)
{
	struct capture c;
	char *out;

	(void)state;
	event_print_overflow(capture_begin(&c), &T, false);
	out = capture_end(&c);
	assert_string_equal(out, TT "overflow: events lost "
			    "(receive buffer full)\n");
	free(out);
	event_print_overflow(capture_begin(&c), &T, true);
	out = capture_end(&c);
	assert_string_equal(out, TJ ""
			    "\"event\":\"overflow\"}\n");
	assert_json(out);
	free(out);
}

/* Milliseconds are cut, not rounded: 999.9 ms stays in its second. */
static void test_time(void **state)
{
	const struct timespec t = { .tv_sec = 0, .tv_nsec = 999999999 };
	struct capture c;
	char *out;

	(void)state;
	event_print(capture_begin(&c), ev_msg(REPLCOPY_EV_NONE), &t, true);
	out = capture_end(&c);
	assert_string_equal(out, "{\"time\":\"1970-01-01T00:00:00.999Z\","
			    "\"event\":0}\n");
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_session_start),
		cmocka_unit_test(test_session_end),
		cmocka_unit_test(test_session_kinds),
		cmocka_unit_test(test_session_object),
		cmocka_unit_test(test_limit),
		cmocka_unit_test(test_mapping),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_suppressed),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_time),
	};

	/* The text lines' time is local time. */
	setenv("TZ", "UTC", 1);
	tzset();
	return cmocka_run_group_tests_name("event", tests, NULL, NULL);
}
