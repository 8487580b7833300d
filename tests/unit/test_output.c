// SPDX-License-Identifier: GPL-2.0
/*
 * test_output.c - text and JSON output of mappings, counters, sessions,
 * settings and versions, from fabricated kernel messages decoded the way
 * replctl decodes them; the counter names against the uapi header; the
 * counter arithmetic (deltas, drops, fidelity).
 */
#include "unit.h"
#include "kmsg.h"

#include <ctype.h>

#include "json.h"
#include "names.h"
#include "output.h"
#include "reply.h"
#include "statcalc.h"
#include "table.h"

static uint8_t buf[8192] __attribute__((aligned(8)));

/* Decode a fabricated message as replctl would. */
static struct rc_reply decode(const struct nlmsghdr *nlh)
{
	struct rc_reply r;

	assert_int_equal(rc_parse_reply(nlh, &r), 0);
	return r;
}

/* What was written to c since capture_begin() is want. */
static void expect_text(struct capture *c, const char *want)
{
	char *out = capture_end(c);

	assert_string_equal(out, want);
	free(out);
}

/* The same, and want is valid JSON. */
static void expect_json(struct capture *c, const char *want)
{
	char *out = capture_end(c);

	assert_string_equal(out, want);
	assert_json(out);
	free(out);
}

static struct rc_mapping map_of(const struct kmap *k)
{
	struct nlmsghdr *nlh = kmsg(buf, sizeof(buf),
				    REPLCOPY_CMD_GET_MAPPING);

	kput_map(nlh, k);
	return decode(nlh).map;
}

static const struct kmap K1 = {
	.id = 1, .port = 11311, .target = "10.0.0.31", .target_port = 11511,
	.source = REPLCOPY_SOURCE_AUTO, .pacing = REPLCOPY_PACING_STREAM,
	.flags = 0, .sessions = 0,
};

static const struct kmap K12 = {
	.id = 12, .online = "10.0.0.5", .port = 80, .target = "10.0.0.32",
	.target_port = 8080, .source = REPLCOPY_SOURCE_CLIENT,
	.pacing = REPLCOPY_PACING_RESPONSE,
	.flags = REPLCOPY_MAPF_NO_FABRICATE, .sample = 25, .sessions = 1234,
};

/* Three targets of K7, as a module that knows several sends them. */
static const struct ktarget KT[] = {
	{ .addr = "10.0.0.41", .port = 8080, .sessions = 4 },
	{ .addr = "10.0.0.42", .port = 8080, .sessions = 2 },
	{ .addr = "255.255.255.255", .port = 65535, .sessions = 0 },
};

static const struct kmap K7 = {
	.id = 7, .port = 8080, .target = "10.0.0.41", .target_port = 8080,
	.source = REPLCOPY_SOURCE_AUTO, .pacing = REPLCOPY_PACING_STREAM,
	.sample = 10000, .sessions = 6, .copies = 2, .targets = KT,
	.ntargets = 3,
};

/* IPv6: bound to an IPv6 address, targets of both families. */
static const struct ktarget KT6[] = {
	{ .addr = "fd00::31", .port = 11511, .sessions = 1 },
	{ .addr = "10.0.0.32", .port = 8080, .sessions = 0 },
};

static const struct kmap K6 = {
	.id = 6, .online = "fd00::1", .port = 8080, .target = "fd00::31",
	.target_port = 11511, .source = REPLCOPY_SOURCE_AUTO,
	.pacing = REPLCOPY_PACING_STREAM, .sample = 10000, .sessions = 1,
	.copies = 1, .targets = KT6, .ntargets = 2,
};

/* K1 and K12, as replctl decodes them. */
static void two_maps(struct rc_mapping m[2])
{
	m[0] = map_of(&K1);
	m[1] = map_of(&K12);
}

/* ---- small formatters ------------------------------------------------ */

static void test_fmt_age(void **state)
{
	static const struct { uint64_t ms; const char *s; } t[] = {
		{ 0, "0ms" }, { 999, "999ms" }, { 1000, "1.0s" },
		{ 12345, "12.3s" }, { 59999, "59.9s" }, { 60000, "1m00s" },
		{ 61234, "1m01s" }, { 3599999, "59m59s" },
		{ 3600000, "1h00m" }, { 7380000, "2h03m" },
		{ 86399999, "23h59m" }, { 86400000, "1d00h" },
		{ 93600000, "1d02h" }, { 864000000000ull, "10000d00h" },
	};
	char s[32];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		fmt_age(t[i].ms, s, sizeof(s));
		assert_string_equal(s, t[i].s);
	}
}

static void test_fidelity(void **state)
{
	static const struct {
		uint64_t acked, captured;
		const char *s;
	} t[] = {
		{ 0, 0, "n/a" },
		{ 5, 0, "n/a" },
		{ 0, 100, "0.00%" },
		{ 50, 100, "50.00%" },
		{ 1, 3, "33.33%" },
		{ 2, 3, "66.66%" },		/* rounded down */
		{ 9999, 10000, "99.99%" },
		{ 99999, 100000, "99.99%" },	/* never 100.00% unless equal */
		{ 153600, 153600, "100.00%" },
		{ UINT64_MAX, UINT64_MAX, "100.00%" },	/* no overflow */
		{ UINT64_MAX - 1, UINT64_MAX, "99.99%" },
		{ 200, 100, "200.00%" },
	};
	char s[32];
	uint64_t x;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		fmt_fidelity(t[i].acked, t[i].captured, s, sizeof(s));
		assert_string_equal(s, t[i].s);
	}
	assert_false(rc_fidelity(1, 0, &x));
	assert_true(rc_fidelity(1, 8, &x));
	assert_int_equal(x, 1250);
}

static void test_fmt_misc(void **state)
{
	struct rc_mapping m;
	char s[64];

	(void)state;
	fmt_map_flags(0, s, sizeof(s));
	assert_string_equal(s, "-");
	fmt_map_flags(REPLCOPY_MAPF_NO_FABRICATE, s, sizeof(s));
	assert_string_equal(s, "no-fabricate");
	fmt_map_flags(REPLCOPY_MAPF_NO_FABRICATE | 0x30, s, sizeof(s));
	assert_string_equal(s, "no-fabricate,0x30");
	fmt_map_flags(0x80000000u, s, sizeof(s));
	assert_string_equal(s, "0x80000000");

	m.online_addr = kaddr("255.255.255.255");
	fmt_endpoint(&m.online_addr, 65535, s, sizeof(s));
	assert_string_equal(s, "255.255.255.255:65535");
	assert_true(strlen(s) < ENDPOINT_LEN);
	/* IPv6: compressed, in brackets before a port; the longest fits. */
	m.online_addr = kaddr("FD00:0:0:0:0:0:0:0031");
	fmt_addr(&m.online_addr, s);
	assert_string_equal(s, "fd00::31");
	fmt_endpoint(&m.online_addr, 11511, s, sizeof(s));
	assert_string_equal(s, "[fd00::31]:11511");
	m.online_addr = kaddr("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	fmt_endpoint(&m.online_addr, 65535, s, sizeof(s));
	assert_string_equal(s, "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:"
			    "65535");
	assert_true(strlen(s) < ENDPOINT_LEN);
	assert_true(strlen(s) < TABLE_CELL);
	m = map_of(&K1);
	fmt_online(&m, s, sizeof(s));
	assert_string_equal(s, "*:11311");
	m = map_of(&K12);
	fmt_online(&m, s, sizeof(s));
	assert_string_equal(s, "10.0.0.5:80");
	/* An online address of 0 reported explicitly is "any" too. */
	m.online_addr = kaddr("0.0.0.0");
	fmt_online(&m, s, sizeof(s));
	assert_string_equal(s, "*:80");
	m.online_addr = kaddr("fd00::5");
	fmt_online(&m, s, sizeof(s));
	assert_string_equal(s, "[fd00::5]:80");
}

/* ---- names ------------------------------------------------------------ */

/*
 * The counter names are the uapi enum's names, lowercased, without the
 * REPLCOPY_STAT_ prefix: read the header itself and compare.
 */
static void test_stat_names_match_uapi(void **state)
{
	char line[256], name[64], *p;
	bool in_enum = false;
	unsigned int idx = 0, checked = 0;
	FILE *f;

	(void)state;
	f = fopen(UAPI_HEADER, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, "enum replcopy_stat {")) {
			in_enum = true;
			continue;
		}
		if (!in_enum)
			continue;
		if (strchr(line, '}'))
			break;
		p = strstr(line, "REPLCOPY_STAT_");
		if (!p || sscanf(p, "REPLCOPY_STAT_%63[A-Z0-9_]", name) != 1)
			continue;
		if (p > line && p[-1] == '_')
			break;		/* __REPLCOPY_STAT_MAX */
		for (p = name; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		if (!strcmp(name, "unspec") || !strcmp(name, "pad")) {
			assert_null(rc_stat_name(idx));
		} else {
			assert_non_null(rc_stat_name(idx));
			assert_string_equal(rc_stat_name(idx), name);
			checked++;
		}
		idx++;
	}
	fclose(f);
	assert_int_equal(idx, __REPLCOPY_STAT_MAX);
	assert_int_equal(checked, __REPLCOPY_STAT_MAX - 2);
	assert_null(rc_stat_name(__REPLCOPY_STAT_MAX));
	assert_true(rc_stat_is_gauge(REPLCOPY_STAT_SESS_ACTIVE));
	assert_false(rc_stat_is_gauge(REPLCOPY_STAT_SESS_SYN));
	/* Every drop_* counter, and only those, adds to "drops". */
	for (idx = 0; idx < __REPLCOPY_STAT_MAX; idx++)
		assert_int_equal(rc_stat_is_drop(idx),
				 rc_stat_name(idx) &&
				 !strncmp(rc_stat_name(idx), "drop_", 5));
}

static void test_enum_names(void **state)
{
	(void)state;
	assert_string_equal(rc_source_name(REPLCOPY_SOURCE_AUTO), "auto");
	assert_string_equal(rc_source_name(REPLCOPY_SOURCE_CLIENT), "client");
	assert_null(rc_source_name(__REPLCOPY_SOURCE_MAX));
	assert_string_equal(rc_pacing_name(REPLCOPY_PACING_STREAM), "stream");
	assert_string_equal(rc_pacing_name(REPLCOPY_PACING_RESPONSE),
			    "response");
	assert_null(rc_pacing_name(__REPLCOPY_PACING_MAX));
	assert_string_equal(rc_worker_name(REPLCOPY_WORKER_WQ), "wq");
	assert_string_equal(rc_worker_name(REPLCOPY_WORKER_KTHREAD),
			    "kthread");
	assert_null(rc_worker_name(__REPLCOPY_WORKER_MAX));
	assert_string_equal(rc_state_name(REPLCOPY_SS_SYN_SENT), "syn_sent");
	assert_string_equal(rc_state_name(REPLCOPY_SS_CLOSE_WAIT),
			    "close_wait");
	assert_null(rc_state_name(__REPLCOPY_SS_MAX));
	assert_string_equal(rc_attr_label(REPLCOPY_A_MAP_TARGET_ADDR),
			    "TARGET address");
	assert_string_equal(rc_attr_label(REPLCOPY_A_MAP_COPIES), "--copies");
	assert_string_equal(rc_attr_label(REPLCOPY_A_MAP_TARGETS),
			    "TARGET_IP:PORT arguments");
	assert_string_equal(rc_target_attr_label(REPLCOPY_TA_PORT),
			    "TARGET port");
	assert_string_equal(rc_attr_label(REPLCOPY_A_MAP_TARGET_ADDR6),
			    "TARGET address");
	assert_string_equal(rc_attr_label(REPLCOPY_A_MAP_ONLINE_ADDR6),
			    "ONLINE_IP");
	assert_string_equal(rc_target_attr_label(REPLCOPY_TA_ADDR6),
			    "TARGET address");
	assert_null(rc_target_attr_label(__REPLCOPY_TA_MAX));
}

/* ---- mappings --------------------------------------------------------- */

static void test_mappings_text(void **state)
{
	struct rc_mapping m[2];
	struct capture c;

	(void)state;
	two_maps(m);
	out_mappings_text(capture_begin(&c), m, 2);
	expect_text(&c,
"ID  ONLINE       TARGET           SOURCE  PACING    FLAGS         SAMPLE  COPIES  SESSIONS\n"
"1   *:11311      10.0.0.31:11511  auto    stream    -               100%       1         0\n"
"12  10.0.0.5:80  10.0.0.32:8080   client  response  no-fabricate   0.25%       1      1234\n");

	/* No mappings: the header alone. */
	out_mappings_text(capture_begin(&c), NULL, 0);
	expect_text(&c,
		"ID  ONLINE  TARGET  SOURCE  PACING  FLAGS  SAMPLE  COPIES  "
		"SESSIONS\n");
}

/* Several targets: the first in the mapping's row, then one row each. */
static void test_mappings_text_targets(void **state)
{
	struct rc_mapping m[3];
	struct capture c;

	(void)state;
	m[0] = map_of(&K1);
	m[1] = map_of(&K7);
	m[2] = map_of(&K12);
	out_mappings_text(capture_begin(&c), m, 3);
	expect_text(&c,
"ID  ONLINE       TARGET                 SOURCE  PACING    FLAGS         SAMPLE  COPIES  SESSIONS\n"
"1   *:11311      10.0.0.31:11511        auto    stream    -               100%       1         0\n"
"7   *:8080       10.0.0.41:8080         auto    stream    -               100%       2         6\n"
"                 10.0.0.42:8080\n"
"                 255.255.255.255:65535\n"
"12  10.0.0.5:80  10.0.0.32:8080         client  response  no-fabricate   0.25%       1      1234\n");
}

static void test_mappings_json(void **state)
{
	struct rc_mapping m[2];
	struct capture c;

	(void)state;
	two_maps(m);
	out_mappings_json(capture_begin(&c), m, 2);
	expect_json(&c,
		"[{\"id\":1,\"online_addr\":null,\"port\":11311,"
		"\"online\":\"*:11311\",\"target_addr\":\"10.0.0.31\","
		"\"target_port\":11511,\"target\":\"10.0.0.31:11511\","
		"\"source\":\"auto\",\"pacing\":\"stream\",\"flags\":[],"
		"\"sample\":100.00,\"copies\":1,\"targets\":[{\"addr\":"
		"\"10.0.0.31\",\"port\":11511,\"sessions\":0}],"
		"\"sessions\":0},"
		"{\"id\":12,\"online_addr\":\"10.0.0.5\",\"port\":80,"
		"\"online\":\"10.0.0.5:80\",\"target_addr\":\"10.0.0.32\","
		"\"target_port\":8080,\"target\":\"10.0.0.32:8080\","
		"\"source\":\"client\",\"pacing\":\"response\","
		"\"flags\":[\"no_fabricate\"],\"sample\":0.25,"
		"\"copies\":1,\"targets\":[{\"addr\":\"10.0.0.32\","
		"\"port\":8080,\"sessions\":1234}],\"sessions\":1234}]\n");

	out_mappings_json(capture_begin(&c), NULL, 0);
	expect_text(&c, "[]\n");

	/* Several targets, copies: "target" is still the first one. */
	m[0] = map_of(&K7);
	out_mappings_json(capture_begin(&c), m, 1);
	expect_json(&c,
		"[{\"id\":7,\"online_addr\":null,\"port\":8080,"
		"\"online\":\"*:8080\",\"target_addr\":\"10.0.0.41\","
		"\"target_port\":8080,\"target\":\"10.0.0.41:8080\","
		"\"source\":\"auto\",\"pacing\":\"stream\",\"flags\":[],"
		"\"sample\":100.00,\"copies\":2,\"targets\":["
		"{\"addr\":\"10.0.0.41\",\"port\":8080,\"sessions\":4},"
		"{\"addr\":\"10.0.0.42\",\"port\":8080,\"sessions\":2},"
		"{\"addr\":\"255.255.255.255\",\"port\":65535,"
		"\"sessions\":0}],\"sessions\":6}]\n");
}

static void test_mappings_ipv6(void **state)
{
	struct rc_mapping m[2];
	struct capture c;

	(void)state;
	m[0] = map_of(&K6);
	m[1] = map_of(&K1);
	out_mappings_text(capture_begin(&c), m, 2);
	expect_text(&c,
"ID  ONLINE          TARGET            SOURCE  PACING  FLAGS  SAMPLE  COPIES  SESSIONS\n"
"6   [fd00::1]:8080  [fd00::31]:11511  auto    stream  -        100%       1         1\n"
"                    10.0.0.32:8080\n"
"1   *:11311         10.0.0.31:11511   auto    stream  -        100%       1         0\n");

	out_mappings_json(capture_begin(&c), m, 1);
	expect_json(&c,
		"[{\"id\":6,\"online_addr\":\"fd00::1\",\"port\":8080,"
		"\"online\":\"[fd00::1]:8080\",\"target_addr\":\"fd00::31\","
		"\"target_port\":11511,\"target\":\"[fd00::31]:11511\","
		"\"source\":\"auto\",\"pacing\":\"stream\",\"flags\":[],"
		"\"sample\":100.00,\"copies\":1,\"targets\":["
		"{\"addr\":\"fd00::31\",\"port\":11511,\"sessions\":1},"
		"{\"addr\":\"10.0.0.32\",\"port\":8080,\"sessions\":0}],"
		"\"sessions\":1}]\n");
}

static void test_added(void **state)
{
	struct rc_mapping m = map_of(&K12);
	struct capture c;
	char *out;

	(void)state;
	out_added_text(capture_begin(&c), &m);
	expect_text(&c, "added mapping ID: 12\n");

	out_mapping_json(capture_begin(&c), &m);
	out = capture_end(&c);
	assert_json(out);
	assert_non_null(strstr(out, "\"id\":12,"));
	assert_int_equal(out[0], '{');
	free(out);

	/* Unknown values from a newer module are shown, not hidden. */
	m.source = 7;
	m.pacing = 9;
	m.present &= ~(1u << REPLCOPY_A_MAP_ID);
	out_mapping_json(capture_begin(&c), &m);
	out = capture_end(&c);
	assert_json(out);
	assert_null(strstr(out, "\"id\""));
	assert_non_null(strstr(out, "\"source\":\"unknown(7)\""));
	assert_non_null(strstr(out, "\"pacing\":\"unknown(9)\""));
	free(out);
	out_added_text(capture_begin(&c), &m);
	expect_text(&c, "added mapping ID: unknown (not in the "
		    "kernel's reply)\n");
}

/* ---- counters --------------------------------------------------------- */

static struct rc_stats_entry stats_entry(const struct kmap *k,
					 const uint64_t *v, bool all)
{
	struct nlmsghdr *nlh = kmsg(buf, sizeof(buf), REPLCOPY_CMD_GET_STATS);
	struct rc_stats_entry e;
	struct rc_reply r;

	kput_map(nlh, k);
	kput_stats(nlh, v, all);
	r = decode(nlh);
	assert_true(r.has_stats);
	e.map = r.map;
	e.stats = r.stats;
	memcpy(e.tstats, r.tstats, sizeof(e.tstats));
	return e;
}

static void test_stats_text(void **state)
{
	uint64_t v[__REPLCOPY_STAT_MAX] = { 0 }, t[__REPLCOPY_STAT_MAX] = { 0 };
	struct rc_stats_entry e;
	struct rc_stats total;
	struct capture c;
	char *out;

	(void)state;
	v[REPLCOPY_STAT_CAPTURED_SEGS] = 1200;
	v[REPLCOPY_STAT_CAPTURED_BYTES] = 153600;
	v[REPLCOPY_STAT_ACKED_BYTES] = 153599;
	e = stats_entry(&K1, v, false);
	t[REPLCOPY_STAT_SESS_ACTIVE] = 3;
	total = stats_entry(&K1, t, false).stats;

	out_stats_text(capture_begin(&c), &e, 1, &total);
	expect_text(&c,
"mapping 1: *:11311 -> 10.0.0.31:11511\n"
"  captured_segs                      1200\n"
"  captured_bytes                   153600\n"
"  acked_bytes                      153599\n"
"  fidelity                         99.99%  (acked_bytes 153599 of "
"captured_bytes 153600)\n"
"\n"
"total (this network namespace, deleted mappings included):\n"
"  sess_active                           3\n"
"  fidelity                            n/a  (no bytes captured)\n");

	/* --id: no totals. */
	out_stats_text(capture_begin(&c), &e, 1, NULL);
	out = capture_end(&c);
	assert_null(strstr(out, "total"));
	free(out);
}

/* Every counter appears, in enum order, with its value. */
static void test_stats_text_all(void **state)
{
	uint64_t v[__REPLCOPY_STAT_MAX] = { 0 };
	struct rc_stats_entry e;
	char want[64], *out, *p;
	struct capture c;
	int i;

	(void)state;
	for (i = REPLCOPY_STAT_CAPTURED_SEGS; i < __REPLCOPY_STAT_MAX; i++)
		v[i] = 100 + i;
	e = stats_entry(&K12, v, true);
	out_stats_text(capture_begin(&c), &e, 1, NULL);
	out = capture_end(&c);
	p = out;
	for (i = REPLCOPY_STAT_CAPTURED_SEGS; i < __REPLCOPY_STAT_MAX; i++) {
		snprintf(want, sizeof(want), "\n  %s ", rc_stat_name(i));
		p = strstr(p, want);
		assert_non_null(p);
		snprintf(want, sizeof(want), " %d\n", 100 + i);
		assert_non_null(strstr(p, want));
		assert_true(strstr(p, want) < strchr(p + 1, '\n') + 1);
	}
	assert_non_null(strstr(out, "mapping 12: 10.0.0.5:80 -> "
			       "10.0.0.32:8080\n"));
	free(out);
}

static void test_stats_json(void **state)
{
	uint64_t v[__REPLCOPY_STAT_MAX] = { 0 };
	struct rc_stats_entry e[2];
	struct rc_stats total;
	struct capture c;

	(void)state;
	v[REPLCOPY_STAT_CAPTURED_BYTES] = 3;
	v[REPLCOPY_STAT_ACKED_BYTES] = 2;
	v[REPLCOPY_STAT_DROP_NOMEM] = 1;
	v[REPLCOPY_STAT_DROP_XMIT] = 4;
	e[0] = stats_entry(&K1, v, false);
	memset(v, 0, sizeof(v));
	e[1] = stats_entry(&K12, v, false);
	v[REPLCOPY_STAT_CAPTURED_BYTES] = 10;
	v[REPLCOPY_STAT_ACKED_BYTES] = 10;
	total = stats_entry(&K1, v, false).stats;

	out_stats_json(capture_begin(&c), e, 2, &total);
	expect_json(&c,
		"{\"mappings\":["
		"{\"id\":1,\"online_addr\":null,\"port\":11311,"
		"\"online\":\"*:11311\",\"target_addr\":\"10.0.0.31\","
		"\"target_port\":11511,\"target\":\"10.0.0.31:11511\","
		"\"stats\":{\"captured_bytes\":3,\"acked_bytes\":2,"
		"\"drop_nomem\":1,\"drop_xmit\":4},\"drops\":5,"
		"\"fidelity_pct\":66.66},"
		"{\"id\":12,\"online_addr\":\"10.0.0.5\",\"port\":80,"
		"\"online\":\"10.0.0.5:80\",\"target_addr\":\"10.0.0.32\","
		"\"target_port\":8080,\"target\":\"10.0.0.32:8080\","
		"\"stats\":{},\"drops\":0,\"fidelity_pct\":null}],"
		"\"total\":{\"stats\":{\"captured_bytes\":10,"
		"\"acked_bytes\":10},\"drops\":0,\"fidelity_pct\":100.00}}\n");

	out_stats_json(capture_begin(&c), NULL, 0, NULL);
	expect_text(&c, "{\"mappings\":[]}\n");
}

/* A mapping with several targets: each target's counters after its own. */
static void test_stats_targets(void **state)
{
	uint64_t v[__REPLCOPY_STAT_MAX] = { 0 }, a[__REPLCOPY_STAT_MAX] = { 0 },
		 b[__REPLCOPY_STAT_MAX] = { 0 };
	const struct ktarget t[] = {
		{ .addr = "10.0.0.41", .port = 8080, .sessions = 1,
		  .stats = a },
		{ .addr = "10.0.0.42", .port = 8080, .sessions = 0,
		  .stats = b },
	};
	struct kmap k = K7;
	struct rc_stats_entry e[2];
	struct capture c;

	(void)state;
	k.targets = t;
	k.ntargets = 2;
	k.sessions = -1;
	v[REPLCOPY_STAT_CAPTURED_SEGS] = 30;
	v[REPLCOPY_STAT_CAPTURED_BYTES] = 400;
	v[REPLCOPY_STAT_ACKED_BYTES] = 300;
	v[REPLCOPY_STAT_DROP_OTHER] = 1;
	a[REPLCOPY_STAT_CAPTURED_BYTES] = 200;
	a[REPLCOPY_STAT_ACKED_BYTES] = 200;
	b[REPLCOPY_STAT_CAPTURED_BYTES] = 200;
	b[REPLCOPY_STAT_ACKED_BYTES] = 100;
	b[REPLCOPY_STAT_DROP_QUEUE] = 2;
	e[0] = stats_entry(&k, v, false);
	memset(v, 0, sizeof(v));
	e[1] = stats_entry(&K1, v, false);

	out_stats_text(capture_begin(&c), e, 2, NULL);
	expect_text(&c,
"mapping 7: *:8080 -> 10.0.0.41:8080,10.0.0.42:8080 (2 copies)\n"
"  captured_segs                        30\n"
"  captured_bytes                      400\n"
"  acked_bytes                         300\n"
"  drop_other                            1\n"
"  fidelity                         75.00%  (acked_bytes 300 of "
"captured_bytes 400)\n"
"  target 10.0.0.41:8080:\n"
"    captured_bytes                    200\n"
"    acked_bytes                       200\n"
"    fidelity                      100.00%  (acked_bytes 200 of "
"captured_bytes 200)\n"
"  target 10.0.0.42:8080:\n"
"    captured_bytes                    200\n"
"    acked_bytes                       100\n"
"    drop_queue                          2\n"
"    fidelity                       50.00%  (acked_bytes 100 of "
"captured_bytes 200)\n"
"\n"
"mapping 1: *:11311 -> 10.0.0.31:11511\n"
"  fidelity                            n/a  (no bytes captured)\n");

	out_stats_json(capture_begin(&c), e, 2, NULL);
	expect_json(&c,
		"{\"mappings\":["
		"{\"id\":7,\"online_addr\":null,\"port\":8080,"
		"\"online\":\"*:8080\",\"target_addr\":\"10.0.0.41\","
		"\"target_port\":8080,\"target\":\"10.0.0.41:8080\","
		"\"stats\":{\"captured_segs\":30,\"captured_bytes\":400,"
		"\"acked_bytes\":300,\"drop_other\":1},\"drops\":1,"
		"\"fidelity_pct\":75.00,\"targets\":["
		"{\"addr\":\"10.0.0.41\",\"port\":8080,\"sessions\":1,"
		"\"stats\":{\"captured_bytes\":200,\"acked_bytes\":200},"
		"\"drops\":0,\"fidelity_pct\":100.00},"
		"{\"addr\":\"10.0.0.42\",\"port\":8080,\"sessions\":0,"
		"\"stats\":{\"captured_bytes\":200,\"acked_bytes\":100,"
		"\"drop_queue\":2},\"drops\":2,\"fidelity_pct\":50.00}]},"
		"{\"id\":1,\"online_addr\":null,\"port\":11311,"
		"\"online\":\"*:11311\",\"target_addr\":\"10.0.0.31\","
		"\"target_port\":11511,\"target\":\"10.0.0.31:11511\","
		"\"stats\":{},\"drops\":0,\"fidelity_pct\":null}]}\n");
}

/* IPv6 endpoints in brackets; drop_frag with the other drops. */
static void test_stats_ipv6(void **state)
{
	static const uint64_t a[__REPLCOPY_STAT_MAX] = {
		[REPLCOPY_STAT_CAPTURED_BYTES] = 100,
	};
	static const struct ktarget t[] = {
		{ .addr = "fd00::31", .port = 11511, .sessions = 1, .stats = a },
		{ .addr = "10.0.0.32", .port = 8080, .sessions = 0, .stats = a },
	};
	uint64_t v[__REPLCOPY_STAT_MAX] = { 0 };
	struct rc_stats_entry e;
	struct kmap k = K6;
	struct capture c;

	(void)state;
	k.targets = t;
	v[REPLCOPY_STAT_DROP_FRAG] = 3;
	e = stats_entry(&k, v, false);
	out_stats_text(capture_begin(&c), &e, 1, NULL);
	expect_text(&c,
"mapping 6: [fd00::1]:8080 -> [fd00::31]:11511,10.0.0.32:8080\n"
"  drop_frag                             3\n"
"  fidelity                            n/a  (no bytes captured)\n"
"  target [fd00::31]:11511:\n"
"    captured_bytes                    100\n"
"    fidelity                        0.00%  (acked_bytes 0 of "
"captured_bytes 100)\n"
"  target 10.0.0.32:8080:\n"
"    captured_bytes                    100\n"
"    fidelity                        0.00%  (acked_bytes 0 of "
"captured_bytes 100)\n");

	out_stats_json(capture_begin(&c), &e, 1, NULL);
	expect_json(&c,
		"{\"mappings\":["
		"{\"id\":6,\"online_addr\":\"fd00::1\",\"port\":8080,"
		"\"online\":\"[fd00::1]:8080\",\"target_addr\":\"fd00::31\","
		"\"target_port\":11511,\"target\":\"[fd00::31]:11511\","
		"\"stats\":{\"drop_frag\":3},\"drops\":3,"
		"\"fidelity_pct\":null,\"targets\":["
		"{\"addr\":\"fd00::31\",\"port\":11511,\"sessions\":1,"
		"\"stats\":{\"captured_bytes\":100},"
		"\"drops\":0,\"fidelity_pct\":0.00},"
		"{\"addr\":\"10.0.0.32\",\"port\":8080,\"sessions\":0,"
		"\"stats\":{\"captured_bytes\":100},"
		"\"drops\":0,\"fidelity_pct\":0.00}]}]}\n");
}

static void test_delta(void **state)
{
	struct rc_stats prev, now, d;

	(void)state;
	memset(&prev, 0, sizeof(prev));
	memset(&now, 0, sizeof(now));
	prev.has[REPLCOPY_STAT_SENT_SEGS] = now.has[REPLCOPY_STAT_SENT_SEGS] =
		true;
	prev.v[REPLCOPY_STAT_SENT_SEGS] = 100;
	now.v[REPLCOPY_STAT_SENT_SEGS] = 250;
	prev.has[REPLCOPY_STAT_SESS_ACTIVE] =
		now.has[REPLCOPY_STAT_SESS_ACTIVE] = true;
	prev.v[REPLCOPY_STAT_SESS_ACTIVE] = 9;
	now.v[REPLCOPY_STAT_SESS_ACTIVE] = 4;
	prev.has[REPLCOPY_STAT_RESP_SEGS] = now.has[REPLCOPY_STAT_RESP_SEGS] =
		true;
	prev.v[REPLCOPY_STAT_RESP_SEGS] = 50;
	now.v[REPLCOPY_STAT_RESP_SEGS] = 7;	/* went backwards */
	now.has[REPLCOPY_STAT_DROP_QUEUE] = true;	/* new counter */
	now.v[REPLCOPY_STAT_DROP_QUEUE] = 6;
	now.has[REPLCOPY_STAT_DROP_OTHER] = true;
	now.v[REPLCOPY_STAT_DROP_OTHER] = 1;

	rc_stats_delta(&prev, &now, &d);
	assert_int_equal(d.v[REPLCOPY_STAT_SENT_SEGS], 150);
	assert_int_equal(d.v[REPLCOPY_STAT_SESS_ACTIVE], 4);	/* gauge */
	assert_int_equal(d.v[REPLCOPY_STAT_RESP_SEGS], 7);
	assert_int_equal(d.v[REPLCOPY_STAT_DROP_QUEUE], 6);
	assert_true(d.has[REPLCOPY_STAT_SENT_SEGS]);
	assert_false(d.has[REPLCOPY_STAT_CAPTURED_SEGS]);
	assert_int_equal(rc_stats_drops(&d), 7);

	/* A mapping that appeared during the interval: all of it. */
	rc_stats_delta(NULL, &now, &d);
	assert_int_equal(d.v[REPLCOPY_STAT_SENT_SEGS], 250);
}

static void test_tick(void **state)
{
	uint64_t v[__REPLCOPY_STAT_MAX] = { 0 };
	struct rc_tick t = {
		.hms = "12:00:01", .iso = "2024-05-01T12:00:01+0200",
		.timestamp = 1714557601.25, .interval = 1,
	};
	struct rc_stats_entry e[2];
	struct capture c;
	char *out;
	int i;

	(void)state;
	for (i = REPLCOPY_STAT_CAPTURED_SEGS; i < __REPLCOPY_STAT_MAX; i++)
		v[i] = i;
	e[0] = stats_entry(&K1, v, true);
	memset(v, 0, sizeof(v));
	e[1] = stats_entry(&K12, v, true);

	out_stats_tick_text(capture_begin(&c), &t, e, 2);
	out = capture_end(&c);
	/* cap 2/3 sent 11/12 retrans 13 resp 14/15 acked 16, new 4+5,
	 * active 23, drops 17+...+22 + 24 (drop_noport) + 28 (drop_loop)
	 * + 35 (drop_frag).
	 */
	assert_string_equal(out,
		"12:00:01 map 1: cap 2/3 sent 11/12 retrans 13 resp 14/15 "
		"acked 16 new 9 active 23 drops 204\n"
		"12:00:01 map 12: cap 0/0 sent 0/0 retrans 0 resp 0/0 acked 0 "
		"new 0 active 0 drops 0\n");
	free(out);

	out_stats_tick_text(capture_begin(&c), &t, NULL, 0);
	expect_text(&c, "12:00:01 no mappings\n");

	out_stats_tick_json(capture_begin(&c), &t, e, 2);
	out = capture_end(&c);
	assert_json(out);
	assert_int_equal(strchr(out, '\n') - out, (long)strlen(out) - 1);
	assert_non_null(strstr(out, "{\"time\":\"2024-05-01T12:00:01+0200\","
			       "\"timestamp\":1714557601.250,"
			       "\"interval\":1.000,\"mappings\":[{\"id\":1,"));
	assert_non_null(strstr(out, "\"sess_active\":23,\"drop_noport\":24,"
			       "\"port_reused\":25,\"syn_rst\":26,"
			       "\"kthread_wq\":27,\"drop_loop\":28,"
			       "\"queued_bytes\":29,\"pmtu_lowered\":30,"
			       "\"zero_wnd_probes\":31,"
			       "\"syn_unconfirmed\":32,"
			       "\"rst_unanswered\":33,"
			       "\"sess_unsampled\":34,\"drop_frag\":35},"
			       "\"drops\":204}"));
	assert_null(strstr(out, "fidelity"));
	free(out);

	out_stats_tick_json(capture_begin(&c), &t, NULL, 0);
	out = capture_end(&c);
	assert_json(out);
	assert_non_null(strstr(out, "\"mappings\":[]}\n"));
	free(out);
}

/* ---- sessions --------------------------------------------------------- */

static struct rc_session session_of(const struct ksess *k)
{
	struct nlmsghdr *nlh = kmsg(buf, sizeof(buf),
				    REPLCOPY_CMD_GET_SESSIONS);
	struct rc_reply r;

	kput_session(nlh, k);
	r = decode(nlh);
	assert_true(r.has_session);
	return r.sess;
}

static const struct ksess S1 = {
	.map_id = 1, .client = "192.168.7.8", .client_port = 51234,
	.source = "10.0.0.1", .source_port = 40001,
	.state = REPLCOPY_SS_ESTABLISHED, .worker = REPLCOPY_WORKER_WQ,
	.captured = 1048576, .acked = 1048000, .queued = 576,
	.age_ms = 12345, .target = "10.0.0.42", .target_port = 8080, .copy = 1,
};

static const struct ksess S2 = {
	.map_id = 12, .client = "172.16.0.10", .client_port = 2,
	.source = "172.16.0.10", .source_port = 2,
	.state = REPLCOPY_SS_SYN_SENT, .worker = REPLCOPY_WORKER_KTHREAD,
	.fabricated = true, .age_ms = 5,
};

/* S1 (a module that says its target and copy) and S2 (an older one). */
static void two_sessions(struct rc_session s[2])
{
	s[0] = session_of(&S1);
	s[1] = session_of(&S2);
}

static void test_sessions_text(void **state)
{
	struct rc_session s[2];
	struct capture c;

	(void)state;
	two_sessions(s);
	out_sessions_text(capture_begin(&c), s, 2);
	expect_text(&c,
"MAP  CLIENT             TARGET          COPY  SOURCE          STATE    "
"    WORKER   CAPTURED    ACKED  QUEUED    AGE  FLAGS\n"
"1    192.168.7.8:51234  10.0.0.42:8080     1  10.0.0.1:40001  "
"established  wq        1048576  1048000     576  12.3s  -\n"
"12   172.16.0.10:2      -                  0  172.16.0.10:2   "
"syn_sent     kthread         0        0       0    5ms  fabricated\n");
}

static void test_sessions_json(void **state)
{
	struct rc_session s[2];
	struct capture c;

	(void)state;
	two_sessions(s);
	s[1].state = 42;	/* from a newer module */
	out_sessions_json(capture_begin(&c), s, 2);
	expect_json(&c,
		"[{\"map_id\":1,\"client_addr\":\"192.168.7.8\","
		"\"client_port\":51234,\"target_addr\":\"10.0.0.42\","
		"\"target_port\":8080,\"target\":\"10.0.0.42:8080\","
		"\"copy\":1,\"source_addr\":\"10.0.0.1\","
		"\"source_port\":40001,\"state\":\"established\","
		"\"worker\":\"wq\",\"fabricated\":false,"
		"\"captured_bytes\":1048576,\"acked_bytes\":1048000,"
		"\"queued_bytes\":576,\"age_ms\":12345},"
		"{\"map_id\":12,\"client_addr\":\"172.16.0.10\","
		"\"client_port\":2,\"target_addr\":null,"
		"\"target_port\":null,\"target\":null,\"copy\":0,"
		"\"source_addr\":\"172.16.0.10\","
		"\"source_port\":2,\"state\":\"unknown(42)\","
		"\"worker\":\"kthread\",\"fabricated\":true,"
		"\"captured_bytes\":0,\"acked_bytes\":0,"
		"\"queued_bytes\":0,\"age_ms\":5}]\n");
}

/* An IPv6 client replayed over IPv4, an IPv4 one over IPv6. */
static void test_sessions_ipv6(void **state)
{
	static const struct ksess S6 = {
		.map_id = 6, .client = "2001:db8::99", .client_port = 51234,
		.source = "10.0.0.1", .source_port = 40001,
		.state = REPLCOPY_SS_ESTABLISHED, .worker = REPLCOPY_WORKER_WQ,
		.target = "10.0.0.32", .target_port = 8080,
	};
	static const struct ksess S4 = {
		.map_id = 6, .client = "192.168.7.8", .client_port = 2,
		.source = "fd00::1", .source_port = 40002,
		.state = REPLCOPY_SS_SYN_SENT, .worker = REPLCOPY_WORKER_WQ,
		.target = "fd00::31", .target_port = 11511,
	};
	struct rc_session s[2];
	struct capture c;

	(void)state;
	s[0] = session_of(&S6);
	s[1] = session_of(&S4);
	out_sessions_text(capture_begin(&c), s, 2);
	expect_text(&c,
"MAP  CLIENT                TARGET            COPY  SOURCE           "
"STATE        WORKER  CAPTURED  ACKED  QUEUED  AGE  FLAGS\n"
"6    [2001:db8::99]:51234  10.0.0.32:8080       0  10.0.0.1:40001   "
"established  wq             0      0       0  0ms  -\n"
"6    192.168.7.8:2         [fd00::31]:11511     0  [fd00::1]:40002  "
"syn_sent     wq             0      0       0  0ms  -\n");

	out_sessions_json(capture_begin(&c), s, 2);
	expect_json(&c,
		"[{\"map_id\":6,\"client_addr\":\"2001:db8::99\","
		"\"client_port\":51234,\"target_addr\":\"10.0.0.32\","
		"\"target_port\":8080,\"target\":\"10.0.0.32:8080\","
		"\"copy\":0,\"source_addr\":\"10.0.0.1\","
		"\"source_port\":40001,\"state\":\"established\","
		"\"worker\":\"wq\",\"fabricated\":false,"
		"\"captured_bytes\":0,\"acked_bytes\":0,"
		"\"queued_bytes\":0,\"age_ms\":0},"
		"{\"map_id\":6,\"client_addr\":\"192.168.7.8\","
		"\"client_port\":2,\"target_addr\":\"fd00::31\","
		"\"target_port\":11511,\"target\":\"[fd00::31]:11511\","
		"\"copy\":0,\"source_addr\":\"fd00::1\","
		"\"source_port\":40002,\"state\":\"syn_sent\","
		"\"worker\":\"wq\",\"fabricated\":false,"
		"\"captured_bytes\":0,\"acked_bytes\":0,"
		"\"queued_bytes\":0,\"age_ms\":0}]\n");
}

/* ---- settings and versions ------------------------------------------- */

static struct rc_config config_of(const struct kcfg *k)
{
	struct nlmsghdr *nlh = kmsg(buf, sizeof(buf),
				    REPLCOPY_CMD_GET_CONFIG);

	kput_config(nlh, k);
	return decode(nlh).cfg;
}

static const struct kcfg C1 = {
	.worker = REPLCOPY_WORKER_KTHREAD, .wq_unbound = 1,
	.wq_max_active = 0, .max_sessions = 65536,
	.max_session_bytes = 1048576, .max_total_kbytes = 262144,
	.idle_timeout = 60, .syn_retries = 5, .max_retries = 15,
	.version = "0.1.0",
};

static void test_config_text(void **state)
{
	struct rc_config cfg = config_of(&C1);
	struct capture c;

	(void)state;
	out_config_text(capture_begin(&c), &cfg);
	expect_text(&c,
		"module-version     0.1.0\n"
		"worker             kthread\n"
		"wq-unbound         on\n"
		"wq-max-active      0 (default)\n"
		"max-sessions       65536\n"
		"max-session-bytes  1048576 bytes\n"
		"max-total-kbytes   262144 KiB\n"
		"idle-timeout       60 s\n"
		"syn-retries        5\n"
		"max-retries        15\n");
}

static void test_config_json(void **state)
{
	struct rc_config cfg = config_of(&C1);
	struct capture c;

	(void)state;
	out_config_json(capture_begin(&c), &cfg);
	expect_json(&c,
		"{\"module_version\":\"0.1.0\",\"worker\":\"kthread\","
		"\"wq_unbound\":true,\"wq_max_active\":0,"
		"\"max_sessions\":65536,\"max_session_bytes\":1048576,"
		"\"max_total_kbytes\":262144,\"idle_timeout\":60,"
		"\"syn_retries\":5,\"max_retries\":15}\n");

	/* Settings the kernel left out are left out. */
	memset(&cfg, 0, sizeof(cfg));
	cfg.has[REPLCOPY_CFG_WQ_UNBOUND] = true;
	out_config_json(capture_begin(&c), &cfg);
	expect_text(&c, "{\"module_version\":null,"
		    "\"wq_unbound\":false}\n");
}

static void test_version(void **state)
{
	struct rc_version_info v = {
		.replctl = "0.1.0", .genl_version = 1,
		.module_version = "0.1.0", .has_family_version = true,
		.family_version = 1, .state = "live", .refcnt = 0,
		.size = 98304, .holders = "a,b",
		.path = "/lib/modules/6.1.0-26-amd64/extra/replcopy.ko",
		.file_version = "0.1.0", .release = "6.1.0-26-amd64",
	};
	struct capture c;
	char *out;

	(void)state;
	out_version_text(capture_begin(&c), &v);
	expect_text(&c,
		"replctl 0.1.0 (netlink family replcopy, version 1)\n"
		"module: 0.1.0 (netlink family version 1)\n"
		"module state: live, refcount 0, size 98304, used by a,b\n"
		"module file: /lib/modules/6.1.0-26-amd64/extra/replcopy.ko "
		"(version 0.1.0)\n");

	out_version_json(capture_begin(&c), &v);
	expect_json(&c,
		"{\"replctl_version\":\"0.1.0\",\"genl_version\":1,"
		"\"module\":{\"loaded\":true,\"version\":\"0.1.0\","
		"\"genl_version\":1,\"state\":\"live\",\"refcount\":0,"
		"\"size\":98304,\"holders\":[\"a\",\"b\"],"
		"\"path\":\"/lib/modules/6.1.0-26-amd64/extra/replcopy.ko\","
		"\"file_version\":\"0.1.0\","
		"\"kernel_release\":\"6.1.0-26-amd64\"}}\n");

	/* Not loaded, not installed. */
	memset(&v, 0, sizeof(v));
	v.replctl = "0.1.0";
	v.genl_version = 1;
	v.refcnt = -1;
	v.size = -1;
	v.release = "6.1.0-26-amd64";
	out_version_text(capture_begin(&c), &v);
	expect_text(&c,
		"replctl 0.1.0 (netlink family replcopy, version 1)\n"
		"module: not loaded\n"
		"module state: not loaded\n"
		"module file: not installed for kernel 6.1.0-26-amd64\n");
	out_version_json(capture_begin(&c), &v);
	out = capture_end(&c);
	assert_json(out);
	assert_non_null(strstr(out, "\"loaded\":false,\"version\":null,"));
	assert_non_null(strstr(out, "\"refcount\":null,\"size\":null,"
			       "\"holders\":[],\"path\":null"));
	free(out);
}

/* ---- JSON writer ------------------------------------------------------ */

static void test_json_escaping(void **state)
{
	struct capture c;
	struct json j;

	(void)state;
	json_init(&j, capture_begin(&c));
	json_obj_begin(&j, NULL);
	json_str(&j, "q\"k", "a\"b\\c\nd\te\x01\x1f\x7f/é");
	json_arr_begin(&j, "a");
	json_u64(&j, NULL, UINT64_MAX);
	json_bool(&j, NULL, true);
	json_null(&j, NULL);
	json_fixed2(&j, NULL, 5);
	json_double(&j, NULL, 0.5);
	json_obj_begin(&j, NULL);
	json_obj_end(&j);
	json_arr_begin(&j, NULL);
	json_arr_end(&j);
	json_arr_end(&j);
	json_obj_end(&j);
	expect_json(&c,
		"{\"q\\\"k\":\"a\\\"b\\\\c\\nd\\te\\u0001\\u001f\\u007f/é\","
		"\"a\":[18446744073709551615,true,null,0.05,0.500,{},[]]}");

	/* The checker itself rejects broken JSON. */
	assert_false(json_valid("{\"a\":1,}"));
	assert_false(json_valid("{\"a\" 1}"));
	assert_false(json_valid("[1 2]"));
	assert_false(json_valid("\"\x01\""));
	assert_false(json_valid("{} {}"));
	assert_false(json_valid("01"));
	assert_true(json_valid(" {\"a\":[1.5e3,-0,\"\\u00e9\"]} "));

	/* And so does python3's json.tool, when there is a python3. */
	if (json_python_check("{}") < 0) {
		print_message("python3 not found: JSON checked by the built-in "
			      "checker only\n");
		return;
	}
	assert_int_equal(json_python_check("{\"a\":[1,{\"b\":null}]}\n[]"),
			 1);
	assert_int_equal(json_python_check("{\"a\":1,}"), 0);
	assert_int_equal(json_python_check("{}\n{bad}"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fmt_age),
		cmocka_unit_test(test_fidelity),
		cmocka_unit_test(test_fmt_misc),
		cmocka_unit_test(test_stat_names_match_uapi),
		cmocka_unit_test(test_enum_names),
		cmocka_unit_test(test_mappings_text),
		cmocka_unit_test(test_mappings_text_targets),
		cmocka_unit_test(test_mappings_json),
		cmocka_unit_test(test_mappings_ipv6),
		cmocka_unit_test(test_added),
		cmocka_unit_test(test_stats_text),
		cmocka_unit_test(test_stats_text_all),
		cmocka_unit_test(test_stats_json),
		cmocka_unit_test(test_stats_targets),
		cmocka_unit_test(test_stats_ipv6),
		cmocka_unit_test(test_delta),
		cmocka_unit_test(test_tick),
		cmocka_unit_test(test_sessions_text),
		cmocka_unit_test(test_sessions_json),
		cmocka_unit_test(test_sessions_ipv6),
		cmocka_unit_test(test_config_text),
		cmocka_unit_test(test_config_json),
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_json_escaping),
	};

	return cmocka_run_group_tests_name("output", tests, NULL, NULL);
}
