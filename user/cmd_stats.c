// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_stats.c - replctl stats: counters once (text, JSON or Prometheus),
 * or per-interval deltas every N seconds.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "atomicfile.h"
#include "cli.h"
#include "msg.h"
#include "output.h"
#include "parse.h"
#include "prom.h"
#include "reply.h"
#include "statcalc.h"

void usage_stats(FILE *f)
{
	fputs(
"Usage: replctl stats [--json] [--id ID] [-i SECONDS [-c COUNT]]\n"
"       replctl stats --prometheus [--id ID] [--write FILE]\n"
"\n"
"Without -i: every mapping's counters, the totals of this network namespace\n"
"(deleted mappings included) and the replay fidelity: the client payload\n"
"bytes the target acknowledged as a percentage of the bytes captured\n"
"(acked_bytes / captured_bytes, rounded down; n/a when nothing was\n"
"captured). A mapping with several targets also has each target's counters\n"
"and fidelity (\"target IP:PORT:\", indented; JSON \"targets\"). The\n"
"mapping's counters are the sum of its targets' and of those counted\n"
"before a connection is handed to them (captured_segs, sess_unsampled,\n"
"drop_frag, drop_nosyn, drop_other); with several targets or --copies,\n"
"captured_bytes and the session counters count each session's.\n"
"\n"
"With -i: every SECONDS, one line per mapping with what happened in that\n"
"interval, until COUNT intervals were printed or SIGINT (Ctrl-C):\n"
"  TIME map ID: cap SEGS/BYTES sent SEGS/BYTES retrans SEGS\n"
"      resp SEGS/BYTES acked BYTES new SESSIONS active SESSIONS drops N\n"
"(cap: captured from clients; sent: sent to the target, retransmissions\n"
"included; resp: target segments consumed; new: sessions started; active:\n"
"live sessions now; drops: sum of the drop_* counters; the mapping's, all\n"
"its targets together.)\n"
"\n"
"With --prometheus: the counters of --json, once, in the Prometheus text\n"
"format 0.0.4: one metric family per counter, replcopy_<name> in base\n"
"units (counters end in _total; sessions_active and queued_bytes are\n"
"gauges), the drop_* counters as replcopy_drops_total{reason=\"nomem\",...};\n"
"each mapping's samples labelled id, online and target (its first); the\n"
"targets of a mapping with several as replcopy_target_<name>, labelled\n"
"the same, target being each one; the namespace totals as\n"
"replcopy_netns_<name>. The names are listed in replctl(8).\n"
"\n"
"Options:\n"
"  -i, --interval SECONDS  print deltas every SECONDS (0.1-86400, e.g. 1 or\n"
"                          0.5)\n"
"  -c, --count COUNT       stop after COUNT intervals (needs -i)\n"
"  --id ID                 only the mapping with this ID (no totals)\n"
"  -j, --json              JSON: once, an object {\"mappings\": [...],\n"
"                          \"total\": {...}} (a mapping with several\n"
"                          targets with \"targets\": [...]); with -i, one\n"
"                          object per line per interval\n"
"  --prometheus            Prometheus text format, once (not with -i, -c\n"
"                          or --json)\n"
"  --write FILE            with --prometheus: replace FILE atomically (a\n"
"                          temporary file in its directory, fsync, rename)\n"
"                          instead of printing, for node_exporter's\n"
"                          textfile collector; on an error FILE stays as\n"
"                          it was (exit status 3)\n"
"  -h, --help              show this help\n"
"\n"
"Counters: captured_segs captured_bytes sess_syn sess_fabricated\n"
"sess_established sess_closed sess_reset sess_timedout sess_refused\n"
"sent_segs sent_bytes retrans_segs resp_segs resp_bytes acked_bytes\n"
"drop_nomem drop_queue drop_nosyn drop_noroute drop_xmit drop_other\n"
"sess_active (a gauge: live sessions now) drop_noport port_reused\n"
"(source port reused within 60 s toward the same target) syn_rst (the\n"
"target acked an old connection to our SYN: reset it, SYN sent again)\n"
"kthread_wq (kthread-model sessions run on a workqueue instead: the cap of\n"
"1024 session threads reached, or the session ended before its thread)\n"
"drop_loop (client SYNs that were replayed SYNs, from this host or another\n"
"one: not replayed again) queued_bytes (a gauge: memory the sessions hold\n"
"now, see replctl set max-total-kbytes) pmtu_lowered (ICMP fragmentation\n"
"needed from a hop toward the target: the session's segments made smaller\n"
"and sent again) zero_wnd_probes (the target's window was closed when the\n"
"retransmission timer fired: a probe sent for its window) syn_unconfirmed\n"
"(client SYNs whose handshake was not completed within 4 s, e.g. spoofed:\n"
"no target connection made; counted in sess_timedout too) rst_unanswered\n"
"(client RSTs replayed before the target had answered as much as the\n"
"online server: requests it had not read were discarded with the\n"
"connection; counted in sess_reset too) sess_unsampled (client SYNs of\n"
"connections outside the mapping's --sample: not replayed) drop_frag\n"
"(IPv6 first fragments on the mapped port, which no conntrack\n"
"reassembled: not replayed, their connection's replay stalls).\n"
"\n"
"Examples:\n"
"  replctl stats\n"
"  replctl stats -i 1\n"
"  replctl stats -i 5 -c 12 --id 1\n"
"  replctl stats --json | jq .total.fidelity_pct\n"
"  replctl stats --prometheus\n"
"  replctl stats --prometheus --write \\\n"
"      /var/lib/node_exporter/textfile_collector/replcopy.prom\n",
	      f);
}

struct snap {
	struct rc_stats_entry *v;
	size_t n, cap;
};

static int stats_cb(const struct nlmsghdr *nlh, void *data)
{
	struct snap *s = data;
	struct rc_stats_entry *p;
	struct rc_reply r;

	if (rc_parse_reply(nlh, &r)) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	p = cli_push((void **)&s->v, &s->n, &s->cap, sizeof(*p));
	if (!p) {
		errno = ENOMEM;
		return MNL_CB_ERROR;
	}
	p->map = r.map;
	p->stats = r.stats;
	memcpy(p->tstats, r.tstats, sizeof(p->tstats));
	return MNL_CB_OK;
}

static void snap_reset(void *data)
{
	((struct snap *)data)->n = 0;
}

/* The online address of each mapping, which the stats dump may omit. */
static int online_cb(const struct nlmsghdr *nlh, void *data)
{
	struct snap *s = data;
	struct rc_reply r;
	size_t i;

	if (rc_parse_reply(nlh, &r)) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (!RC_HAS(&r.map, REPLCOPY_A_MAP_ONLINE_ADDR))
		return MNL_CB_OK;
	for (i = 0; i < s->n; i++) {
		struct rc_mapping *m = &s->v[i].map;

		if (m->id == r.map.id &&
		    !RC_HAS(m, REPLCOPY_A_MAP_ONLINE_ADDR)) {
			m->online_addr = r.map.online_addr;
			m->present |= 1u << REPLCOPY_A_MAP_ONLINE_ADDR;
		}
	}
	return MNL_CB_OK;
}

static int total_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rc_stats *t = data;
	struct rc_reply r;

	if (rc_parse_reply(nlh, &r)) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (r.has_stats)
		*t = r.stats;
	return MNL_CB_OK;
}

static int by_id(const void *a, const void *b)
{
	const struct rc_stats_entry *x = a, *y = b;

	return x->map.id < y->map.id ? -1 : x->map.id > y->map.id;
}

/* Counters of every mapping (only of id, when has_id), sorted by ID. */
static int snapshot(struct nl *nl, struct snap *s, bool has_id, uint32_t id)
{
	struct nlmsghdr *req;
	size_t i, j;
	int err;

	s->n = 0;
	req = msg_get_stats(nl->req, nl->family, 0, true);
	err = nl_dump(nl, req, stats_cb, s, snap_reset);
	if (err)
		return err;
	if (has_id) {
		for (i = j = 0; i < s->n; i++)
			if (s->v[i].map.id == id)
				s->v[j++] = s->v[i];
		s->n = j;
	}
	/* Older modules may leave the online address out of the counters'
	 * messages: then take it from the mappings.
	 */
	for (i = 0; i < s->n; i++)
		if (!RC_HAS(&s->v[i].map, REPLCOPY_A_MAP_ONLINE_ADDR))
			break;
	if (i < s->n) {
		req = msg_get_mappings(nl->req, nl->family, 0);
		err = nl_talk(nl, req, online_cb, s);
		if (err)
			return err;
	}
	qsort(s->v, s->n, sizeof(*s->v), by_id);
	return 0;
}

/*
 * --prometheus --write FILE: the exposition made in memory, then FILE
 * replaced by it at once. Nothing is written when it cannot be made whole.
 */
static int prom_write(const char *path, const struct rc_stats_entry *e,
		      size_t n, const struct rc_stats *total)
{
	const char *step;
	char *buf = NULL;
	size_t len = 0;
	int err, bad;
	FILE *f;

	f = open_memstream(&buf, &len);
	if (!f) {
		fprintf(stderr, "replctl: stats: out of memory\n");
		return EXIT_OUTPUT;
	}
	prom_stats(f, e, n, total);
	bad = ferror(f);
	if (fclose(f) || bad) {
		fprintf(stderr, "replctl: stats: out of memory\n");
		free(buf);
		return EXIT_OUTPUT;
	}
	err = atomic_write_file(path, buf, len, &step);
	free(buf);
	if (err) {
		fprintf(stderr, "replctl: stats: --write %s: %s: %s\n", path,
			step, strerror(-err));
		return EXIT_OUTPUT;
	}
	return EXIT_OK;
}

static int stats_once(struct nl *nl, const struct stats_args *a)
{
	struct rc_stats total;
	struct snap s = { 0 };
	struct nlmsghdr *req;
	int err, rc = EXIT_OK;

	memset(&total, 0, sizeof(total));
	err = snapshot(nl, &s, a->has_id, a->id);
	if (!err && !a->has_id) {
		req = msg_get_stats(nl->req, nl->family, 0, false);
		err = nl_talk(nl, req, total_cb, &total);
	}
	if (err) {
		rc = cli_kernel_error(nl, "stats", err);
	} else if (a->has_id && !s.n) {
		fprintf(stderr, "replctl: stats: no mapping with ID %u: see "
			"replctl list\n", a->id);
		rc = EXIT_KERNEL;
	} else if (a->prometheus && a->write) {
		rc = prom_write(a->write, s.v, s.n, a->has_id ? NULL : &total);
	} else if (a->prometheus) {
		prom_stats(stdout, s.v, s.n, a->has_id ? NULL : &total);
	} else if (a->json) {
		out_stats_json(stdout, s.v, s.n, a->has_id ? NULL : &total);
	} else {
		out_stats_text(stdout, s.v, s.n, a->has_id ? NULL : &total);
	}
	free(s.v);
	return rc;
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void ts_add(struct timespec *t, double sec)
{
	long long ns = (long long)(sec * 1e9 + 0.5);

	t->tv_sec += ns / 1000000000;
	t->tv_nsec += ns % 1000000000;
	if (t->tv_nsec >= 1000000000) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000;
	}
}

static bool ts_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec ||
	       (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

static const struct rc_stats *find(const struct snap *s, uint32_t id)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->v[i].map.id == id)
			return &s->v[i].stats;
	return NULL;
}

static int stats_every(struct nl *nl, const struct stats_args *a)
{
	struct snap prev = { 0 }, now = { 0 }, delta = { 0 }, tmp;
	struct timespec next, mono, real;
	struct sigaction sa;
	char hms[16], iso[40];
	struct rc_tick tick;
	uint32_t printed = 0;
	struct tm tm;
	int err = 0, rc = EXIT_OK;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: wake up the sleep */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	err = snapshot(nl, &prev, a->has_id, a->id);
	if (!err && a->has_id && !prev.n) {
		fprintf(stderr, "replctl: stats: no mapping with ID %u: see "
			"replctl list\n", a->id);
		rc = EXIT_KERNEL;
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &next);

	while (!err && !stop) {
		ts_add(&next, a->interval);
		while (!stop && clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME,
						&next, NULL) == EINTR)
			;
		if (stop)
			break;
		err = snapshot(nl, &now, a->has_id, a->id);
		if (err)
			break;

		delta.n = 0;
		for (i = 0; i < now.n; i++) {
			struct rc_stats_entry *d;

			d = cli_push((void **)&delta.v, &delta.n, &delta.cap,
				     sizeof(*d));
			if (!d) {
				err = -ENOMEM;
				goto out;
			}
			d->map = now.v[i].map;
			rc_stats_delta(find(&prev, now.v[i].map.id),
				       &now.v[i].stats, &d->stats);
		}

		clock_gettime(CLOCK_REALTIME, &real);
		localtime_r(&real.tv_sec, &tm);
		strftime(hms, sizeof(hms), "%H:%M:%S", &tm);
		strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%S%z", &tm);
		tick.hms = hms;
		tick.iso = iso;
		tick.timestamp = real.tv_sec + real.tv_nsec / 1e9;
		tick.interval = a->interval;
		if (a->json)
			out_stats_tick_json(stdout, &tick, delta.v, delta.n);
		else
			out_stats_tick_text(stdout, &tick, delta.v, delta.n);
		if (fflush(stdout))
			break;

		tmp = prev;
		prev = now;
		now = tmp;
		if (a->count && ++printed >= a->count)
			break;
		/* Fell behind (suspended, slow kernel): restart the cadence. */
		clock_gettime(CLOCK_MONOTONIC, &mono);
		if (ts_before(&next, &mono))
			next = mono;
	}
out:
	if (err == -ENOMEM) {
		fprintf(stderr, "replctl: stats: out of memory\n");
		rc = EXIT_KERNEL;
	} else if (err && !(err == -EINTR && stop)) {
		rc = cli_kernel_error(nl, "stats", err);
	}
	free(prev.v);
	free(now.v);
	free(delta.v);
	return rc;
}

int cmd_stats(int argc, char **argv)
{
	struct stats_args a;
	struct perr e;
	struct nl nl;
	int rc;

	rc = cli_parsed("stats", parse_stats_args(argc, argv, &a, &e), &e,
			usage_stats);
	if (rc >= 0)
		return rc;
	rc = cli_connect(&nl, "stats");
	if (rc)
		return rc;
	rc = a.has_interval ? stats_every(&nl, &a) : stats_once(&nl, &a);
	nl_close(&nl);
	return rc;
}
