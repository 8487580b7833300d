// SPDX-License-Identifier: GPL-2.0
/*
 * prom.c - counters in the Prometheus text exposition format (see prom.h).
 */
#include <inttypes.h>
#include <string.h>

#include "names.h"
#include "prom.h"

#define PREFIX		"replcopy_"
#define NETNS		"netns_"
#define TARGET		"target_"
#define FAMILY_LEN	96

/*
 * The metric of each counter (by enum replcopy_stat): the family name
 * after the prefix, in base units, and its help. Counter or gauge is
 * names.c's call (rc_stat_is_gauge). The drop_* counters are not here:
 * they make one family, DROPS, labelled by reason. A counter of names.c
 * left out of this table makes test_prom fail.
 */
static const struct {
	const char *name;
	const char *help;
} metrics[__REPLCOPY_STAT_MAX] = {
	[REPLCOPY_STAT_CAPTURED_SEGS] = { "captured_segments_total",
		"Client segments seen at LOCAL_IN, a GRO aggregate counting "
		"once" },
	[REPLCOPY_STAT_CAPTURED_BYTES] = { "captured_bytes_total",
		"Client payload bytes captured, in sequence" },
	[REPLCOPY_STAT_SESS_SYN] = { "sessions_syn_total",
		"Sessions started from a client SYN" },
	[REPLCOPY_STAT_SESS_FABRICATED] = { "sessions_fabricated_total",
		"Sessions started mid-stream, with a fabricated handshake" },
	[REPLCOPY_STAT_SESS_ESTABLISHED] = { "sessions_established_total",
		"Sessions whose handshake the target completed" },
	[REPLCOPY_STAT_SESS_CLOSED] = { "sessions_closed_total",
		"Sessions ended by a FIN exchange" },
	[REPLCOPY_STAT_SESS_RESET] = { "sessions_reset_total",
		"Sessions ended by a RST from either side, or by ours" },
	[REPLCOPY_STAT_SESS_TIMEDOUT] = { "sessions_timedout_total",
		"Sessions ended by an idle or retransmission timeout" },
	[REPLCOPY_STAT_SESS_REFUSED] = { "sessions_refused_total",
		"Sessions not started because of the session limit" },
	[REPLCOPY_STAT_SENT_SEGS] = { "sent_segments_total",
		"Segments sent to the target, retransmissions included" },
	[REPLCOPY_STAT_SENT_BYTES] = { "sent_bytes_total",
		"Payload bytes sent to the target, retransmissions included" },
	[REPLCOPY_STAT_RETRANS_SEGS] = { "retransmitted_segments_total",
		"Segments retransmitted to the target" },
	[REPLCOPY_STAT_RESP_SEGS] = { "response_segments_total",
		"Target segments consumed" },
	[REPLCOPY_STAT_RESP_BYTES] = { "response_bytes_total",
		"Target payload bytes consumed" },
	[REPLCOPY_STAT_ACKED_BYTES] = { "acked_bytes_total",
		"Client payload bytes the target acknowledged" },
	[REPLCOPY_STAT_SESS_ACTIVE] = { "sessions_active",
		"Live replayed sessions" },
	[REPLCOPY_STAT_PORT_REUSED] = { "ports_reused_total",
		"Replayed connections whose source port had a session toward "
		"the same target less than 60 s before" },
	[REPLCOPY_STAT_SYN_RST] = { "syn_rst_total",
		"SYNs the target answered with an ACK of an older connection: "
		"that one reset, the SYN sent again" },
	[REPLCOPY_STAT_KTHREAD_WQ] = { "kthread_wq_sessions_total",
		"Sessions of the kthread model run on the workqueue instead" },
	[REPLCOPY_STAT_QUEUED_BYTES] = { "queued_bytes",
		"Memory the sessions hold now, in bytes of truesize" },
	[REPLCOPY_STAT_PMTU_LOWERED] = { "pmtu_lowered_total",
		"ICMP fragmentation-needed errors that made a session's "
		"segments smaller" },
	[REPLCOPY_STAT_ZERO_WND_PROBES] = { "zero_window_probes_total",
		"Zero-window probes sent to the target" },
	[REPLCOPY_STAT_SYN_UNCONFIRMED] = { "syn_unconfirmed_total",
		"Client SYNs whose handshake was not completed within 4 s, "
		"counted in sessions_timedout too" },
	[REPLCOPY_STAT_RST_UNANSWERED] = { "rst_unanswered_total",
		"Client RSTs replayed before the target had answered as much "
		"as the online server, counted in sessions_reset too" },
	[REPLCOPY_STAT_SESS_UNSAMPLED] = { "sessions_unsampled_total",
		"Client connections (SYNs) outside the mapping's sample, not "
		"replayed" },
};

#define DROPS		"drops_total"
#define DROPS_HELP	"Replay work lost, by reason; production traffic is " \
			"never dropped"

const char *prom_drop_reason(unsigned int stat)
{
	const char *name = rc_stat_name(stat);

	if (!name || !rc_stat_is_drop(stat) || strncmp(name, "drop_", 5))
		return NULL;
	return name + 5;
}

static const char *metric_name(unsigned int stat)
{
	if (prom_drop_reason(stat))
		return DROPS;
	if (stat >= __REPLCOPY_STAT_MAX || !rc_stat_name(stat))
		return NULL;
	return metrics[stat].name;
}

/* "replcopy_" SCOPE NAME: scope "", NETNS or TARGET. */
static const char *family_name(unsigned int stat, const char *scope,
			       char *buf, size_t len)
{
	const char *name = metric_name(stat);

	if (!name)
		return NULL;
	snprintf(buf, len, PREFIX "%s%s", scope, name);
	return buf;
}

const char *prom_family(unsigned int stat, bool netns, char *buf, size_t len)
{
	return family_name(stat, netns ? NETNS : "", buf, len);
}

void prom_label_value(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '"')
			fputs("\\\"", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

/* Help text: only backslash and newline are escaped there. */
static void help_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

/*
 * The sets of counters one family covers: the mappings', their targets'
 * (of the mappings with several), or the netns totals.
 */
enum scope {
	SCOPE_MAPS,
	SCOPE_TARGETS,
	SCOPE_NETNS,
};

struct series {
	enum scope scope;
	const struct rc_stats_entry *e;
	size_t n;
	const struct rc_stats *total;	/* SCOPE_NETNS */
};

/* One set of counters of a series, and the labels of its samples. */
struct item {
	const struct rc_stats *stats;
	const struct rc_mapping *map;	/* NULL: no labels (the totals) */
	struct rc_addr target_addr;	/* the target label */
	uint16_t target_port;
};

/* Item k of s into *it; false when there is none. */
static bool series_item(const struct series *s, size_t k, struct item *it)
{
	const struct rc_mapping *m;
	size_t i;

	memset(it, 0, sizeof(*it));
	switch (s->scope) {
	case SCOPE_NETNS:
		it->stats = s->total;
		return k == 0;
	case SCOPE_MAPS:
		if (k >= s->n)
			return false;
		it->stats = &s->e[k].stats;
		it->map = &s->e[k].map;
		it->target_addr = it->map->target_addr;
		it->target_port = it->map->target_port;
		return true;
	case SCOPE_TARGETS:
		for (i = 0; i < s->n; i++) {
			m = &s->e[i].map;
			if (m->targets.n < 2)
				continue;
			if (k >= m->targets.n) {
				k -= m->targets.n;
				continue;
			}
			it->stats = &s->e[i].tstats[k];
			it->map = m;
			it->target_addr = m->targets.v[k].addr;
			it->target_port = m->targets.v[k].port;
			return true;
		}
	}
	return false;
}

/* The counters a family covers: stat alone, or every drop_* counter. */
static bool in_family(unsigned int stat, unsigned int i)
{
	return i == stat || (prom_drop_reason(stat) && prom_drop_reason(i));
}

static bool family_has_samples(const struct series *s, unsigned int stat)
{
	struct item it;
	unsigned int i;
	size_t k;

	for (k = 0; series_item(s, k, &it); k++)
		for (i = 0; i < __REPLCOPY_STAT_MAX; i++)
			if (in_family(stat, i) && it.stats->has[i])
				return true;
	return false;
}

static void sample(FILE *f, const char *family, const struct item *it,
		   const char *reason, uint64_t v)
{
	const struct rc_mapping *m = it->map;
	char buf[ENDPOINT_LEN];
	const char *sep = "";

	fputs(family, f);
	if (m || reason)
		fputc('{', f);
	if (m) {
		snprintf(buf, sizeof(buf), "%" PRIu32, m->id);
		fputs("id=", f);
		prom_label_value(f, buf);
		fmt_online(m, buf, sizeof(buf));
		fputs(",online=", f);
		prom_label_value(f, buf);
		fmt_endpoint(&it->target_addr, it->target_port, buf,
			     sizeof(buf));
		fputs(",target=", f);
		prom_label_value(f, buf);
		sep = ",";
	}
	if (reason) {
		fprintf(f, "%sreason=", sep);
		prom_label_value(f, reason);
	}
	if (m || reason)
		fputc('}', f);
	fprintf(f, " %" PRIu64 "\n", v);
}

static const struct {
	const char *name;	/* between "replcopy_" and the metric */
	const char *help;	/* after the counter's name in HELP */
} scopes[] = {
	[SCOPE_MAPS] = { "", "" },
	[SCOPE_TARGETS] = { TARGET, ": one target of a mapping with several" },
	[SCOPE_NETNS] = { NETNS, ": total of the network namespace, "
			  "deleted mappings included" },
};

/* One family: HELP, TYPE, then its samples, series by series. */
static void family(FILE *f, const struct series *s, unsigned int stat)
{
	bool drops = prom_drop_reason(stat);
	char name[FAMILY_LEN];
	struct item it;
	unsigned int i;
	size_t k;

	if (!family_name(stat, scopes[s->scope].name, name, sizeof(name)) ||
	    !family_has_samples(s, stat))
		return;
	fprintf(f, "# HELP %s ", name);
	help_text(f, drops ? DROPS_HELP : metrics[stat].help);
	fprintf(f, " (replctl counter %s%s).\n",
		drops ? "drop_REASON" : rc_stat_name(stat),
		scopes[s->scope].help);
	fprintf(f, "# TYPE %s %s\n", name,
		rc_stat_is_gauge(stat) ? "gauge" : "counter");
	for (k = 0; series_item(s, k, &it); k++)
		for (i = 0; i < __REPLCOPY_STAT_MAX; i++)
			if (in_family(stat, i) && it.stats->has[i])
				sample(f, name, &it,
				       drops ? prom_drop_reason(i) : NULL,
				       it.stats->v[i]);
}

/* Every family, in the order of the counters; drops where the first is. */
static void families(FILE *f, const struct series *s)
{
	bool drops_done = false;
	unsigned int i;

	for (i = 0; i < __REPLCOPY_STAT_MAX; i++) {
		if (prom_drop_reason(i)) {
			if (drops_done)
				continue;
			drops_done = true;
		}
		family(f, s, i);
	}
}

void prom_stats(FILE *f, const struct rc_stats_entry *e, size_t n,
		const struct rc_stats *total)
{
	struct series maps = { .scope = SCOPE_MAPS, .e = e, .n = n },
		      targets = { .scope = SCOPE_TARGETS, .e = e, .n = n },
		      netns = { .scope = SCOPE_NETNS, .total = total };

	if (n) {
		families(f, &maps);
		families(f, &targets);
	}
	if (total)
		families(f, &netns);
}
