// SPDX-License-Identifier: GPL-2.0
/*
 * test_prom.c - `replctl stats --prometheus`: the exposition text of known
 * counters and mappings (decoded from fabricated kernel messages the way
 * replctl decodes them), label escaping, HELP and TYPE once per family,
 * each family's samples together, every counter of names.c present with a
 * name that follows Prometheus' conventions; and the atomic file writer
 * behind --write.
 */
#include "unit.h"
#include "kmsg.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "atomicfile.h"
#include "names.h"
#include "output.h"
#include "prom.h"
#include "reply.h"

static uint8_t buf[8192] __attribute__((aligned(8)));

static const struct kmap K1 = {
	.id = 1, .port = 11311, .target = "10.0.0.31", .target_port = 11511,
	.source = REPLCOPY_SOURCE_AUTO, .pacing = REPLCOPY_PACING_STREAM,
};

static const struct kmap K12 = {
	.id = 12, .online = "10.0.0.5", .port = 80, .target = "10.0.0.32",
	.target_port = 8080, .source = REPLCOPY_SOURCE_CLIENT,
	.pacing = REPLCOPY_PACING_RESPONSE,
	.flags = REPLCOPY_MAPF_NO_FABRICATE, .sessions = 1234,
};

/* A mapping's counters as replctl decodes them: the non-zero ones, or all. */
static struct rc_stats_entry stats_entry(const struct kmap *k,
					 const uint64_t *v, bool all)
{
	struct nlmsghdr *nlh = kmsg(buf, sizeof(buf), REPLCOPY_CMD_GET_STATS);
	struct rc_stats_entry e;
	struct rc_reply r;

	kput_map(nlh, k);
	kput_stats(nlh, v, all);
	assert_int_equal(rc_parse_reply(nlh, &r), 0);
	assert_true(r.has_stats);
	e.map = r.map;
	e.stats = r.stats;
	memcpy(e.tstats, r.tstats, sizeof(e.tstats));
	return e;
}

static char *prom_text(const struct rc_stats_entry *e, size_t n,
		       const struct rc_stats *total)
{
	struct capture c;

	prom_stats(capture_begin(&c), e, n, total);
	return capture_end(&c);
}

/* ---- format checks ---------------------------------------------------- */

/*
 * The structure of the text: every line ends in a newline; a family is
 * "# HELP NAME ...", "# TYPE NAME counter|gauge", then at least one
 * sample of NAME; no family comes twice (so its samples stay together).
 * Returns the number of families.
 */
static int check_structure(const char *out)
{
	static char seen[128][128];
	char cur[128] = "", name[128], kind[16];
	int nfam = 0, nsamples = 0, i;
	const char *p = out, *nl, *v;

	while (*p) {
		nl = strchr(p, '\n');
		assert_non_null(nl);
		if (!strncmp(p, "# HELP ", 7)) {
			assert_true(!nfam || nsamples > 0);
			assert_int_equal(sscanf(p + 7, "%127s", name), 1);
			for (i = 0; i < nfam; i++)
				assert_string_not_equal(seen[i], name);
			assert_true(nfam < 128);
			strcpy(seen[nfam++], name);
			strcpy(cur, name);
			nsamples = 0;
			/* TYPE next, for the same name. */
			p = nl + 1;
			nl = strchr(p, '\n');
			assert_non_null(nl);
			assert_int_equal(sscanf(p, "# TYPE %127s %15s", name,
						kind), 2);
			assert_string_equal(name, cur);
			assert_true(!strcmp(kind, "counter") ||
				    !strcmp(kind, "gauge"));
		} else {
			/* NAME{LABELS} VALUE or NAME VALUE, VALUE digits. */
			size_t len = strcspn(p, "{ ");

			assert_int_not_equal(p[0], '#');
			assert_true(cur[0]);
			assert_int_equal(len, strlen(cur));
			assert_memory_equal(p, cur, len);
			for (v = nl; v > p && v[-1] != ' '; v--)
				assert_true(isdigit((unsigned char)v[-1]));
			assert_true(v > p && v < nl);
			nsamples++;
		}
		p = nl + 1;
	}
	assert_true(!nfam || nsamples > 0);
	return nfam;
}

/*
 * The text through prometheus_client's own parser, when a python3 has it
 * (python3-prometheus-client; the one in PATH may be another python3 than
 * Debian's): it parses, every family is a counter or a gauge, a sample
 * name belongs to one family only (a family's samples stay together), and
 * it holds as many samples as there are sample lines. 1 valid, 0 not, -1 when no parser is
 * available.
 */
static int prom_python_check(const char *s)
{
	static const char *const py[] = { "python3", "/usr/bin/python3" };
	static const char *const script =
		"import sys\n"
		"try:\n"
		"    from prometheus_client.parser import "
		"text_string_to_metric_families as parse\n"
		"except ImportError:\n"
		"    sys.exit(3)\n"
		"t = open(sys.argv[1]).read()\n"
		"fams = list(parse(t))\n"
		"home = {}\n"
		"for i, f in enumerate(fams):\n"
		"    if f.type not in ('counter', 'gauge'):\n"
		"        sys.exit(1)\n"
		"    for s in f.samples:\n"
		"        if home.setdefault(s.name, i) != i:\n"
		"            sys.exit(1)\n"
		"n = sum(len(f.samples) for f in fams)\n"
		"lines = [l for l in t.splitlines() if not l.startswith('#')]\n"
		"sys.exit(0 if n == len(lines) else 1)\n";
	char text[] = "/tmp/replctl-unit-XXXXXX", prog[] =
		"/tmp/replctl-unit-XXXXXX", cmd[200];
	int fd, rc = -1;
	size_t i;
	FILE *f;

	fd = mkstemp(text);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(s, f);
	fclose(f);
	fd = mkstemp(prog);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(script, f);
	fclose(f);
	for (i = 0; i < sizeof(py) / sizeof(py[0]) && rc < 0; i++) {
		int st;

		snprintf(cmd, sizeof(cmd), "%s %s %s >/dev/null 2>&1", py[i],
			 prog, text);
		st = system(cmd);
		if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
			rc = 1;
		else if (WIFEXITED(st) && WEXITSTATUS(st) == 1)
			rc = 0;
		/* 3: no prometheus_client; 127: no such python3 */
	}
	unlink(text);
	unlink(prog);
	return rc;
}

static void expect_prom(char *out, const char *want)
{
	int py;

	assert_string_equal(out, want);
	check_structure(out);
	py = prom_python_check(out);
	if (py < 0)
		print_message("python3-prometheus-client not found: exposition "
			      "checked by the built-in checker only\n");
	else
		assert_int_equal(py, 1);
	free(out);
}

/* ---- exposition ------------------------------------------------------- */

#define L1 "id=\"1\",online=\"*:11311\",target=\"10.0.0.31:11511\""
#define L12 "id=\"12\",online=\"10.0.0.5:80\",target=\"10.0.0.32:8080\""
#define NETNS_HELP ": total of the network namespace, deleted mappings " \
	"included)."

static void test_prom_text(void **state)
{
	uint64_t v[__REPLCOPY_STAT_MAX] = { 0 }, w[__REPLCOPY_STAT_MAX] = { 0 },
		 t[__REPLCOPY_STAT_MAX] = { 0 };
	struct rc_stats_entry e[2];
	struct rc_stats total;

	(void)state;
	v[REPLCOPY_STAT_CAPTURED_SEGS] = 1200;
	v[REPLCOPY_STAT_CAPTURED_BYTES] = 153600;
	v[REPLCOPY_STAT_DROP_NOMEM] = 1;
	v[REPLCOPY_STAT_DROP_LOOP] = 4;
	v[REPLCOPY_STAT_SESS_ACTIVE] = 3;
	v[REPLCOPY_STAT_QUEUED_BYTES] = 4096;
	e[0] = stats_entry(&K1, v, false);
	w[REPLCOPY_STAT_CAPTURED_SEGS] = 7;
	w[REPLCOPY_STAT_SENT_BYTES] = UINT64_MAX;
	w[REPLCOPY_STAT_DROP_QUEUE] = 2;
	w[REPLCOPY_STAT_ZERO_WND_PROBES] = 5;
	e[1] = stats_entry(&K12, w, false);
	t[REPLCOPY_STAT_CAPTURED_SEGS] = 1207;
	t[REPLCOPY_STAT_DROP_NOMEM] = 1;
	t[REPLCOPY_STAT_SESS_ACTIVE] = 3;
	total = stats_entry(&K1, t, false).stats;

	/*
	 * Families in the order of the counters, drops where drop_nomem is;
	 * a counter no message carried has no family; the netns totals
	 * after the mappings.
	 */
	expect_prom(prom_text(e, 2, &total),
"# HELP replcopy_captured_segments_total Client segments seen at LOCAL_IN, "
"a GRO aggregate counting once (replctl counter captured_segs).\n"
"# TYPE replcopy_captured_segments_total counter\n"
"replcopy_captured_segments_total{" L1 "} 1200\n"
"replcopy_captured_segments_total{" L12 "} 7\n"
"# HELP replcopy_captured_bytes_total Client payload bytes captured, in "
"sequence (replctl counter captured_bytes).\n"
"# TYPE replcopy_captured_bytes_total counter\n"
"replcopy_captured_bytes_total{" L1 "} 153600\n"
"# HELP replcopy_sent_bytes_total Payload bytes sent to the target, "
"retransmissions included (replctl counter sent_bytes).\n"
"# TYPE replcopy_sent_bytes_total counter\n"
"replcopy_sent_bytes_total{" L12 "} 18446744073709551615\n"
"# HELP replcopy_drops_total Replay work lost, by reason; production "
"traffic is never dropped (replctl counter drop_REASON).\n"
"# TYPE replcopy_drops_total counter\n"
"replcopy_drops_total{" L1 ",reason=\"nomem\"} 1\n"
"replcopy_drops_total{" L1 ",reason=\"loop\"} 4\n"
"replcopy_drops_total{" L12 ",reason=\"queue\"} 2\n"
"# HELP replcopy_sessions_active Live replayed sessions (replctl counter "
"sess_active).\n"
"# TYPE replcopy_sessions_active gauge\n"
"replcopy_sessions_active{" L1 "} 3\n"
"# HELP replcopy_queued_bytes Memory the sessions hold now, in bytes of "
"truesize (replctl counter queued_bytes).\n"
"# TYPE replcopy_queued_bytes gauge\n"
"replcopy_queued_bytes{" L1 "} 4096\n"
"# HELP replcopy_zero_window_probes_total Zero-window probes sent to the "
"target (replctl counter zero_wnd_probes).\n"
"# TYPE replcopy_zero_window_probes_total counter\n"
"replcopy_zero_window_probes_total{" L12 "} 5\n"
"# HELP replcopy_netns_captured_segments_total Client segments seen at "
"LOCAL_IN, a GRO aggregate counting once (replctl counter captured_segs"
NETNS_HELP "\n"
"# TYPE replcopy_netns_captured_segments_total counter\n"
"replcopy_netns_captured_segments_total 1207\n"
"# HELP replcopy_netns_drops_total Replay work lost, by reason; production "
"traffic is never dropped (replctl counter drop_REASON" NETNS_HELP "\n"
"# TYPE replcopy_netns_drops_total counter\n"
"replcopy_netns_drops_total{reason=\"nomem\"} 1\n"
"# HELP replcopy_netns_sessions_active Live replayed sessions (replctl "
"counter sess_active" NETNS_HELP "\n"
"# TYPE replcopy_netns_sessions_active gauge\n"
"replcopy_netns_sessions_active 3\n");

	/* --id: that mapping alone, no totals. */
	expect_prom(prom_text(&e[1], 1, NULL),
"# HELP replcopy_captured_segments_total Client segments seen at LOCAL_IN, "
"a GRO aggregate counting once (replctl counter captured_segs).\n"
"# TYPE replcopy_captured_segments_total counter\n"
"replcopy_captured_segments_total{" L12 "} 7\n"
"# HELP replcopy_sent_bytes_total Payload bytes sent to the target, "
"retransmissions included (replctl counter sent_bytes).\n"
"# TYPE replcopy_sent_bytes_total counter\n"
"replcopy_sent_bytes_total{" L12 "} 18446744073709551615\n"
"# HELP replcopy_drops_total Replay work lost, by reason; production "
"traffic is never dropped (replctl counter drop_REASON).\n"
"# TYPE replcopy_drops_total counter\n"
"replcopy_drops_total{" L12 ",reason=\"queue\"} 2\n"
"# HELP replcopy_zero_window_probes_total Zero-window probes sent to the "
"target (replctl counter zero_wnd_probes).\n"
"# TYPE replcopy_zero_window_probes_total counter\n"
"replcopy_zero_window_probes_total{" L12 "} 5\n");
}

/*
 * A mapping with several targets: its series as always (target: its
 * first), then each target's in the replcopy_target_ families, labelled
 * the same with target its own; a mapping with one target has none.
 */
static void test_prom_targets(void **state)
{
	uint64_t v[__REPLCOPY_STAT_MAX] = { 0 }, a[__REPLCOPY_STAT_MAX] = { 0 },
		 b[__REPLCOPY_STAT_MAX] = { 0 }, w[__REPLCOPY_STAT_MAX] = { 0 };
	const struct ktarget t[] = {
		{ .addr = "10.0.0.41", .port = 8080, .sessions = 1,
		  .stats = a },
		{ .addr = "10.0.0.42", .port = 8081, .sessions = 0,
		  .stats = b },
	};
	const struct kmap k = {
		.id = 7, .port = 8080, .target = "10.0.0.41",
		.target_port = 8080, .sessions = -1, .copies = 2,
		.targets = t, .ntargets = 2,
	};
	struct rc_stats_entry e[2];

	(void)state;
	v[REPLCOPY_STAT_CAPTURED_SEGS] = 30;
	v[REPLCOPY_STAT_SENT_BYTES] = 500;
	v[REPLCOPY_STAT_DROP_OTHER] = 1;
	v[REPLCOPY_STAT_DROP_QUEUE] = 2;
	a[REPLCOPY_STAT_SENT_BYTES] = 200;
	b[REPLCOPY_STAT_SENT_BYTES] = 300;
	b[REPLCOPY_STAT_DROP_QUEUE] = 2;
	e[0] = stats_entry(&k, v, false);
	w[REPLCOPY_STAT_SENT_BYTES] = 9;
	e[1] = stats_entry(&K12, w, false);

#define L7 "id=\"7\",online=\"*:8080\",target=\"10.0.0.41:8080\""
#define L7B "id=\"7\",online=\"*:8080\",target=\"10.0.0.42:8081\""
#define TGT_HELP ": one target of a mapping with several)."
	expect_prom(prom_text(e, 2, NULL),
"# HELP replcopy_captured_segments_total Client segments seen at LOCAL_IN, "
"a GRO aggregate counting once (replctl counter captured_segs).\n"
"# TYPE replcopy_captured_segments_total counter\n"
"replcopy_captured_segments_total{" L7 "} 30\n"
"# HELP replcopy_sent_bytes_total Payload bytes sent to the target, "
"retransmissions included (replctl counter sent_bytes).\n"
"# TYPE replcopy_sent_bytes_total counter\n"
"replcopy_sent_bytes_total{" L7 "} 500\n"
"replcopy_sent_bytes_total{" L12 "} 9\n"
"# HELP replcopy_drops_total Replay work lost, by reason; production "
"traffic is never dropped (replctl counter drop_REASON).\n"
"# TYPE replcopy_drops_total counter\n"
"replcopy_drops_total{" L7 ",reason=\"queue\"} 2\n"
"replcopy_drops_total{" L7 ",reason=\"other\"} 1\n"
"# HELP replcopy_target_sent_bytes_total Payload bytes sent to the target, "
"retransmissions included (replctl counter sent_bytes" TGT_HELP "\n"
"# TYPE replcopy_target_sent_bytes_total counter\n"
"replcopy_target_sent_bytes_total{" L7 "} 200\n"
"replcopy_target_sent_bytes_total{" L7B "} 300\n"
"# HELP replcopy_target_drops_total Replay work lost, by reason; "
"production traffic is never dropped (replctl counter drop_REASON"
TGT_HELP "\n"
"# TYPE replcopy_target_drops_total counter\n"
"replcopy_target_drops_total{" L7B ",reason=\"queue\"} 2\n");
#undef L7
#undef L7B
#undef TGT_HELP
}

/* IPv6: the online and target labels in bracket form; drop_frag. */
static void test_prom_ipv6(void **state)
{
	uint64_t v[__REPLCOPY_STAT_MAX] = { 0 }, a[__REPLCOPY_STAT_MAX] = { 0 };
	const struct ktarget t[] = {
		{ .addr = "fd00::31", .port = 11511, .sessions = 0,
		  .stats = a },
		{ .addr = "10.0.0.32", .port = 8080, .sessions = 0,
		  .stats = a },
	};
	const struct kmap k = {
		.id = 3, .online = "fd00::1", .port = 8080,
		.target = "fd00::31", .target_port = 11511, .sessions = -1,
		.targets = t, .ntargets = 2,
	};
	struct rc_stats_entry e;

	(void)state;
	v[REPLCOPY_STAT_DROP_FRAG] = 4;
	a[REPLCOPY_STAT_SENT_BYTES] = 10;
	e = stats_entry(&k, v, false);
	assert_string_equal(prom_drop_reason(REPLCOPY_STAT_DROP_FRAG), "frag");

#define L3 "id=\"3\",online=\"[fd00::1]:8080\",target=\"[fd00::31]:11511\""
#define L3B "id=\"3\",online=\"[fd00::1]:8080\",target=\"10.0.0.32:8080\""
	expect_prom(prom_text(&e, 1, NULL),
"# HELP replcopy_drops_total Replay work lost, by reason; production "
"traffic is never dropped (replctl counter drop_REASON).\n"
"# TYPE replcopy_drops_total counter\n"
"replcopy_drops_total{" L3 ",reason=\"frag\"} 4\n"
"# HELP replcopy_target_sent_bytes_total Payload bytes sent to the target, "
"retransmissions included (replctl counter sent_bytes: one target of a "
"mapping with several).\n"
"# TYPE replcopy_target_sent_bytes_total counter\n"
"replcopy_target_sent_bytes_total{" L3 "} 10\n"
"replcopy_target_sent_bytes_total{" L3B "} 10\n");
#undef L3
#undef L3B
}

/* Nothing to say: no text at all, not families without samples. */
static void test_prom_empty(void **state)
{
	uint64_t v[__REPLCOPY_STAT_MAX] = { 0 };
	struct rc_stats_entry e;
	struct rc_stats none;
	char *out;

	(void)state;
	memset(&none, 0, sizeof(none));
	out = prom_text(NULL, 0, NULL);
	assert_string_equal(out, "");
	free(out);
	out = prom_text(NULL, 0, &none);
	assert_string_equal(out, "");
	free(out);
	e = stats_entry(&K1, v, false);		/* a mapping, no counters */
	out = prom_text(&e, 1, &none);
	assert_string_equal(out, "");
	free(out);

	/* No mapping, only the totals. */
	v[REPLCOPY_STAT_SESS_REFUSED] = 9;
	none = stats_entry(&K1, v, false).stats;
	expect_prom(prom_text(NULL, 0, &none),
"# HELP replcopy_netns_sessions_refused_total Sessions not started because "
"of the session limit (replctl counter sess_refused" NETNS_HELP "\n"
"# TYPE replcopy_netns_sessions_refused_total counter\n"
"replcopy_netns_sessions_refused_total 9\n");
}

/* A counter the kernel reported as 0 is a sample with 0, as in JSON. */
static void test_prom_zero(void **state)
{
	uint64_t v[__REPLCOPY_STAT_MAX] = { 0 };
	struct rc_stats_entry e;
	char *out;

	(void)state;
	e = stats_entry(&K12, v, true);
	out = prom_text(&e, 1, NULL);
	assert_non_null(strstr(out, "\nreplcopy_sessions_active{" L12 "} 0\n"));
	assert_non_null(strstr(out, "\nreplcopy_drops_total{" L12
			       ",reason=\"other\"} 0\n"));
	check_structure(out);
	free(out);
}

static void test_prom_label_escaping(void **state)
{
	struct capture c;
	char *out;

	(void)state;
	prom_label_value(capture_begin(&c), "a\\b\"c\nd\te/é{}=,");
	out = capture_end(&c);
	assert_string_equal(out, "\"a\\\\b\\\"c\\nd\te/é{}=,\"");
	free(out);

	prom_label_value(capture_begin(&c), "");
	out = capture_end(&c);
	assert_string_equal(out, "\"\"");
	free(out);

	prom_label_value(capture_begin(&c), "\\\\\n\"");
	out = capture_end(&c);
	assert_string_equal(out, "\"\\\\\\\\\\n\\\"\"");
	free(out);

	/* What the mappings put there needs none. */
	prom_label_value(capture_begin(&c), "*:11311");
	out = capture_end(&c);
	assert_string_equal(out, "\"*:11311\"");
	free(out);
}

/* The checkers themselves refuse broken expositions. */
static void test_prom_checker(void **state)
{
	(void)state;
	if (prom_python_check("# TYPE a gauge\na 1\n") < 0) {
		print_message("python3-prometheus-client not found: its "
			      "parser is not used\n");
		return;
	}
	assert_int_equal(prom_python_check("# TYPE a_total counter\n"
					   "a_total{x=\"1\"} 1\n"), 1);
	/* Split family. */
	assert_int_equal(prom_python_check(
		"# TYPE a_total counter\na_total{x=\"1\"} 1\n"
		"# TYPE b gauge\nb 2\na_total{x=\"2\"} 3\n"), 0);
	/* Unterminated label value, untyped family. */
	assert_int_equal(prom_python_check("# TYPE a gauge\n"
					   "a{x=\"1} 1\n"), 0);
	assert_int_equal(prom_python_check("a 1\n"), 0);
}

static bool valid_metric_name(const char *s)
{
	if (!(isalpha((unsigned char)*s) || *s == '_' || *s == ':'))
		return false;
	for (; *s; s++)
		if (!(islower((unsigned char)*s) ||
		      isdigit((unsigned char)*s) || *s == '_'))
			return false;
	return true;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !strcmp(s + a - b, suffix);
}

/*
 * Every counter of names.c has a metric, with a name that follows the
 * conventions, and a sample with its value for a mapping and for the
 * totals: a counter added to names.c without a metric fails here.
 */
static void test_prom_every_counter(void **state)
{
	char fam[96], other[96], want[256], *out, *p, *nl;
	uint64_t v[__REPLCOPY_STAT_MAX] = { 0 };
	struct rc_stats_entry e;
	unsigned int i, j, nstat = 0, ndrop = 0;
	struct rc_stats total;

	(void)state;
	for (i = REPLCOPY_STAT_CAPTURED_SEGS; i < __REPLCOPY_STAT_MAX; i++)
		v[i] = 1000 + i;
	e = stats_entry(&K12, v, true);
	for (i = REPLCOPY_STAT_CAPTURED_SEGS; i < __REPLCOPY_STAT_MAX; i++)
		v[i] = 5000 + i;
	total = stats_entry(&K1, v, true).stats;
	out = prom_text(&e, 1, &total);

	assert_null(prom_family(REPLCOPY_STAT_UNSPEC, false, fam,
				sizeof(fam)));
	assert_null(prom_family(REPLCOPY_STAT_PAD, false, fam, sizeof(fam)));
	assert_null(prom_family(__REPLCOPY_STAT_MAX, false, fam,
				sizeof(fam)));
	assert_null(prom_drop_reason(REPLCOPY_STAT_CAPTURED_SEGS));
	assert_string_equal(prom_drop_reason(REPLCOPY_STAT_DROP_NOPORT),
			    "noport");

	for (i = 0; i < __REPLCOPY_STAT_MAX; i++) {
		const char *name = rc_stat_name(i), *reason;

		if (!name)
			continue;
		nstat++;
		assert_non_null(prom_family(i, false, fam, sizeof(fam)));
		assert_true(valid_metric_name(fam));
		assert_int_equal(strncmp(fam, "replcopy_", 9), 0);
		/* Counters end in _total, gauges do not. */
		assert_int_equal(ends_with(fam, "_total"),
				 !rc_stat_is_gauge(i));
		/* Base units: bytes stay bytes, segs are segments. */
		if (ends_with(name, "_bytes"))
			assert_non_null(strstr(fam, "_bytes"));
		if (ends_with(name, "_segs"))
			assert_non_null(strstr(fam, "_segments_total"));

		reason = prom_drop_reason(i);
		if (reason) {
			ndrop++;
			assert_string_equal(fam, "replcopy_drops_total");
			assert_string_equal(reason, name + 5);
			snprintf(want, sizeof(want), "\n%s{" L12 ",reason=\"%s\"} "
				 "%u\n", fam, reason, 1000 + i);
		} else {
			/* One family per counter. */
			for (j = 0; j < i; j++)
				if (prom_family(j, false, other,
						sizeof(other)))
					assert_string_not_equal(fam, other);
			snprintf(want, sizeof(want), "# HELP %s ", fam);
			p = strstr(out, want);
			assert_non_null(p);
			assert_null(strstr(p + 1, want));
			/* HELP names the counter; TYPE follows. */
			nl = strchr(p, '\n');
			snprintf(want, sizeof(want), "(replctl counter %s).\n",
				 name);
			assert_true((size_t)(nl + 1 - p) > strlen(want));
			assert_int_equal(strncmp(nl + 1 - strlen(want), want,
						 strlen(want)), 0);
			snprintf(want, sizeof(want), "# TYPE %s %s\n", fam,
				 rc_stat_is_gauge(i) ? "gauge" : "counter");
			assert_int_equal(strncmp(nl + 1, want, strlen(want)),
					 0);
			snprintf(want, sizeof(want), "\n%s{" L12 "} %u\n",
				 fam, 1000 + i);
		}
		assert_non_null(strstr(out, want));

		/* And the namespace total. */
		assert_non_null(prom_family(i, true, fam, sizeof(fam)));
		assert_int_equal(strncmp(fam, "replcopy_netns_", 15), 0);
		if (reason)
			snprintf(want, sizeof(want), "\n%s{reason=\"%s\"} %u\n",
				 fam, reason, 5000 + i);
		else
			snprintf(want, sizeof(want), "\n%s %u\n", fam,
				 5000 + i);
		assert_non_null(strstr(out, want));
	}
	assert_int_equal(nstat, __REPLCOPY_STAT_MAX - 2);
	assert_true(ndrop > 1);
	/* One family per counter, the drops in one, twice (netns). */
	assert_int_equal(check_structure(out), 2 * (nstat - ndrop + 1));
	assert_int_not_equal(prom_python_check(out), 0);
	free(out);
}

/* ---- atomic writer ---------------------------------------------------- */

static char *slurp(const char *path)
{
	static char text[65536];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return NULL;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	assert_true(n >= 0);
	text[n] = '\0';
	return text;
}

/* The names in dir, sorted, joined by spaces. */
static char *listing(const char *dir)
{
	static char names[1024];
	struct dirent **ent;
	int n, i;

	names[0] = '\0';
	n = scandir(dir, &ent, NULL, alphasort);
	assert_true(n >= 0);
	for (i = 0; i < n; i++) {
		if (strcmp(ent[i]->d_name, ".") && strcmp(ent[i]->d_name, "..")) {
			if (names[0])
				strcat(names, " ");
			strcat(names, ent[i]->d_name);
		}
		free(ent[i]);
	}
	free(ent);
	return names;
}

static void test_atomic_write(void **state)
{
	char dir[] = "/tmp/replctl-unit-XXXXXX", path[256], sub[256];
	const char *step = NULL, *big;
	struct stat st, st2;
	mode_t mask;
	char *text;
	int old, rc;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/replcopy.prom", dir);
	mask = umask(027);

	/* A new file: complete, mode 0666 less the umask, nothing else. */
	assert_int_equal(atomic_write_file(path, "a 1\n", 4, &step), 0);
	assert_string_equal(slurp(path), "a 1\n");
	assert_string_equal(listing(dir), "replcopy.prom");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);

	/*
	 * Replaced, not rewritten: a reader that opened the old file reads
	 * the old content whole, the path gives the new one whole.
	 */
	old = open(path, O_RDONLY);
	assert_true(old >= 0);
	big = "# HELP x y\n# TYPE x counter\nx 2\n";
	assert_int_equal(atomic_write_file(path, big, strlen(big), &step), 0);
	assert_string_equal(slurp(path), big);
	assert_int_equal(stat(path, &st2), 0);
	assert_true(st2.st_ino != st.st_ino);
	{
		char b[16] = "";

		assert_int_equal(read(old, b, sizeof(b) - 1), 4);
		assert_string_equal(b, "a 1\n");
	}
	close(old);
	assert_string_equal(listing(dir), "replcopy.prom");

	/* Empty content is a file too. */
	assert_int_equal(atomic_write_file(path, "", 0, &step), 0);
	assert_string_equal(slurp(path), "");
	umask(mask);

	/* A directory that is not there: nothing made, the step said. */
	snprintf(sub, sizeof(sub), "%s/nodir/replcopy.prom", dir);
	rc = atomic_write_file(sub, "x\n", 2, &step);
	assert_int_equal(rc, -ENOENT);
	assert_string_equal(step,
			    "cannot create a temporary file in its directory");

	/* The rename fails (a directory is in the way): no temporary left. */
	snprintf(sub, sizeof(sub), "%s/busy", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	snprintf(path, sizeof(path), "%s/busy/inner", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	rc = atomic_write_file(sub, "x\n", 2, &step);
	assert_true(rc == -EISDIR || rc == -ENOTEMPTY || rc == -EEXIST);
	assert_string_equal(step, "cannot rename the temporary file over it");
	assert_string_equal(listing(dir), "busy replcopy.prom");

	/* No file name. */
	snprintf(sub, sizeof(sub), "%s/", dir);
	assert_int_equal(atomic_write_file(sub, "x\n", 2, &step), -EISDIR);

	/* A name without a directory: in the current one. */
	{
		char cwd[512];

		assert_non_null(getcwd(cwd, sizeof(cwd)));
		assert_int_equal(chdir(dir), 0);
		rc = atomic_write_file("rel.prom", "r 1\n", 4, &step);
		assert_int_equal(chdir(cwd), 0);
		assert_int_equal(rc, 0);
		snprintf(path, sizeof(path), "%s/rel.prom", dir);
		text = slurp(path);
		assert_non_null(text);
		assert_string_equal(text, "r 1\n");
		assert_string_equal(listing(dir),
				    "busy rel.prom replcopy.prom");
	}

	snprintf(path, sizeof(path), "rm -rf %s", dir);
	assert_int_equal(system(path), 0);
}

/* What --write writes is what stdout gets. */
static void test_atomic_write_prom(void **state)
{
	char dir[] = "/tmp/replctl-unit-XXXXXX", path[256];
	uint64_t v[__REPLCOPY_STAT_MAX] = { 0 };
	struct rc_stats_entry e;
	const char *step;
	char *out;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/replcopy.prom", dir);
	v[REPLCOPY_STAT_CAPTURED_SEGS] = 3;
	e = stats_entry(&K1, v, true);
	out = prom_text(&e, 1, NULL);
	assert_true(strlen(out) > 4000 && strlen(out) < 60000);
	assert_int_equal(atomic_write_file(path, out, strlen(out), &step), 0);
	assert_string_equal(slurp(path), out);
	free(out);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prom_text),
		cmocka_unit_test(test_prom_targets),
		cmocka_unit_test(test_prom_ipv6),
		cmocka_unit_test(test_prom_empty),
		cmocka_unit_test(test_prom_zero),
		cmocka_unit_test(test_prom_label_escaping),
		cmocka_unit_test(test_prom_checker),
		cmocka_unit_test(test_prom_every_counter),
		cmocka_unit_test(test_atomic_write),
		cmocka_unit_test(test_atomic_write_prom),
	};

	return cmocka_run_group_tests_name("prom", tests, NULL, NULL);
}
