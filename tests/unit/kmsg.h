/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kmsg.h - fabricating the messages the replcopy module sends, as its
 * genl code would (nla_put_u64_64bit's PAD attributes included), for the
 * decoding and output tests.
 */
#ifndef REPLCTL_KMSG_H
#define REPLCTL_KMSG_H

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <uapi/replcopy.h>

#include "addrs.h"
#include "reply.h"

#define KFAMILY 0x1a

static inline uint32_t kip(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		abort();
	return a.s_addr;
}

/* Address s as the module puts it: type4 (IPv4) or type6 (IPv6). */
static inline void kput_addr(struct nlmsghdr *nlh, uint16_t type4,
			     uint16_t type6, const char *s)
{
	struct rc_addr a = kaddr(s);

	if (a.family == AF_INET6)
		mnl_attr_put(nlh, type6, sizeof(a.v6), a.v6);
	else
		mnl_attr_put_u32(nlh, type4, a.v4);
}

static inline struct nlmsghdr *kmsg(void *buf, size_t len, uint8_t cmd)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;

	memset(buf, 0, len);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = KFAMILY;
	nlh->nlmsg_flags = NLM_F_MULTI;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = REPLCOPY_GENL_VERSION;
	return nlh;
}

/* A u64 as the kernel puts it: a PAD attribute first when unaligned. */
static inline void kput_u64(struct nlmsghdr *nlh, uint16_t type,
			    uint16_t pad, uint64_t v)
{
	mnl_attr_put(nlh, pad, 0, NULL);
	mnl_attr_put_u64(nlh, type, v);
}

/* One entry of REPLCOPY_A_MAP_TARGETS. */
struct ktarget {
	const char *addr;
	uint16_t port;
	int sessions;		/* < 0: attribute left out */
	const uint64_t *stats;	/* [__REPLCOPY_STAT_MAX], non-zero ones put;
				 * NULL: no REPLCOPY_TA_STATS
				 */
};

struct kmap {
	uint32_t id;
	const char *online;	/* NULL: attribute left out; IPv4 or IPv6 */
	uint16_t port;
	const char *target;
	uint16_t target_port;
	uint8_t source, pacing;
	uint32_t flags;
	uint32_t sample;	/* 0: attribute left out (an older module) */
	int sessions;		/* < 0: attribute left out */
	uint32_t copies;	/* 0: attribute left out (an older module) */
	/* REPLCOPY_A_MAP_TARGETS; NULL: left out (an older module). */
	const struct ktarget *targets;
	unsigned int ntargets;
};

/* The counters v[1..STAT_MAX] that are non-zero or listed in all. */
static inline void kput_stats_in(struct nlmsghdr *nlh, uint16_t type,
				 const uint64_t v[__REPLCOPY_STAT_MAX],
				 bool all)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, type);
	int i;

	for (i = REPLCOPY_STAT_CAPTURED_SEGS; i < __REPLCOPY_STAT_MAX; i++)
		if (all || v[i])
			kput_u64(nlh, i, REPLCOPY_STAT_PAD, v[i]);
	mnl_attr_nest_end(nlh, nest);
}

static inline void kput_targets(struct nlmsghdr *nlh,
				const struct ktarget *t, unsigned int n)
{
	struct nlattr *list = mnl_attr_nest_start(nlh, REPLCOPY_A_MAP_TARGETS);
	struct nlattr *one;
	unsigned int i;

	for (i = 0; i < n; i++) {
		one = mnl_attr_nest_start(nlh, REPLCOPY_TL_TARGET);
		kput_addr(nlh, REPLCOPY_TA_ADDR, REPLCOPY_TA_ADDR6, t[i].addr);
		mnl_attr_put_u16(nlh, REPLCOPY_TA_PORT, t[i].port);
		if (t[i].sessions >= 0)
			mnl_attr_put_u32(nlh, REPLCOPY_TA_SESSIONS,
					 (uint32_t)t[i].sessions);
		if (t[i].stats)
			kput_stats_in(nlh, REPLCOPY_TA_STATS, t[i].stats,
				      false);
		mnl_attr_nest_end(nlh, one);
	}
	mnl_attr_nest_end(nlh, list);
}

static inline void kput_map(struct nlmsghdr *nlh, const struct kmap *m)
{
	mnl_attr_put_u32(nlh, REPLCOPY_A_MAP_ID, m->id);
	mnl_attr_put_u16(nlh, REPLCOPY_A_MAP_PORT, m->port);
	if (m->online)
		kput_addr(nlh, REPLCOPY_A_MAP_ONLINE_ADDR,
			  REPLCOPY_A_MAP_ONLINE_ADDR6, m->online);
	kput_addr(nlh, REPLCOPY_A_MAP_TARGET_ADDR, REPLCOPY_A_MAP_TARGET_ADDR6,
		  m->target);
	mnl_attr_put_u16(nlh, REPLCOPY_A_MAP_TARGET_PORT, m->target_port);
	mnl_attr_put_u8(nlh, REPLCOPY_A_MAP_SOURCE, m->source);
	mnl_attr_put_u8(nlh, REPLCOPY_A_MAP_PACING, m->pacing);
	mnl_attr_put_u32(nlh, REPLCOPY_A_MAP_FLAGS, m->flags);
	if (m->sample)
		mnl_attr_put_u32(nlh, REPLCOPY_A_MAP_SAMPLE, m->sample);
	if (m->sessions >= 0)
		mnl_attr_put_u32(nlh, REPLCOPY_A_MAP_SESSIONS,
				 (uint32_t)m->sessions);
	if (m->copies)
		mnl_attr_put_u32(nlh, REPLCOPY_A_MAP_COPIES, m->copies);
	if (m->targets)
		kput_targets(nlh, m->targets, m->ntargets);
}

/* k as replctl decodes the module's GET_MAPPING message (built in buf). */
static inline struct rc_mapping kmap_decoded(void *buf, size_t len,
					     const struct kmap *k)
{
	struct nlmsghdr *nlh = kmsg(buf, len, REPLCOPY_CMD_GET_MAPPING);
	struct rc_reply r;

	kput_map(nlh, k);
	if (rc_parse_reply(nlh, &r))
		abort();
	return r.map;
}

/* The counters v[1..STAT_MAX] that are non-zero or listed in all. */
static inline void kput_stats(struct nlmsghdr *nlh,
			      const uint64_t v[__REPLCOPY_STAT_MAX], bool all)
{
	kput_stats_in(nlh, REPLCOPY_A_STATS, v, all);
}

struct ksess {
	uint32_t map_id;
	const char *client;
	uint16_t client_port;
	const char *source;
	uint16_t source_port;
	uint8_t state, worker;
	bool fabricated;
	uint64_t captured, acked;
	uint32_t queued;
	uint64_t age_ms;
	/* REPLCOPY_SA_TARGET_ADDR, _PORT and _COPY; NULL: left out (an
	 * older module).
	 */
	const char *target;
	uint16_t target_port;
	uint8_t copy;
};

static inline void kput_session(struct nlmsghdr *nlh, const struct ksess *s)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, REPLCOPY_A_SESSION);

	mnl_attr_put_u32(nlh, REPLCOPY_SA_MAP_ID, s->map_id);
	kput_addr(nlh, REPLCOPY_SA_CLIENT_ADDR, REPLCOPY_SA_CLIENT_ADDR6,
		  s->client);
	mnl_attr_put_u16(nlh, REPLCOPY_SA_CLIENT_PORT, s->client_port);
	kput_addr(nlh, REPLCOPY_SA_SOURCE_ADDR, REPLCOPY_SA_SOURCE_ADDR6,
		  s->source);
	mnl_attr_put_u16(nlh, REPLCOPY_SA_SOURCE_PORT, s->source_port);
	mnl_attr_put_u8(nlh, REPLCOPY_SA_STATE, s->state);
	mnl_attr_put_u8(nlh, REPLCOPY_SA_WORKER, s->worker);
	if (s->fabricated)
		mnl_attr_put(nlh, REPLCOPY_SA_FABRICATED, 0, NULL);
	kput_u64(nlh, REPLCOPY_SA_CAPTURED_BYTES, REPLCOPY_SA_PAD, s->captured);
	kput_u64(nlh, REPLCOPY_SA_ACKED_BYTES, REPLCOPY_SA_PAD, s->acked);
	mnl_attr_put_u32(nlh, REPLCOPY_SA_QUEUED_BYTES, s->queued);
	kput_u64(nlh, REPLCOPY_SA_AGE_MS, REPLCOPY_SA_PAD, s->age_ms);
	if (s->target) {
		kput_addr(nlh, REPLCOPY_SA_TARGET_ADDR,
			  REPLCOPY_SA_TARGET_ADDR6, s->target);
		mnl_attr_put_u16(nlh, REPLCOPY_SA_TARGET_PORT, s->target_port);
		mnl_attr_put_u8(nlh, REPLCOPY_SA_COPY, s->copy);
	}
	mnl_attr_nest_end(nlh, nest);
}

struct kcfg {
	uint8_t worker, wq_unbound;
	uint32_t wq_max_active, max_sessions, max_session_bytes;
	uint32_t max_total_kbytes, idle_timeout;
	uint8_t syn_retries, max_retries;
	const char *version;
};

static inline void kput_config(struct nlmsghdr *nlh, const struct kcfg *c)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, REPLCOPY_A_CONFIG);

	mnl_attr_put_u8(nlh, REPLCOPY_CFG_WORKER, c->worker);
	mnl_attr_put_u8(nlh, REPLCOPY_CFG_WQ_UNBOUND, c->wq_unbound);
	mnl_attr_put_u32(nlh, REPLCOPY_CFG_WQ_MAX_ACTIVE, c->wq_max_active);
	mnl_attr_put_u32(nlh, REPLCOPY_CFG_MAX_SESSIONS, c->max_sessions);
	mnl_attr_put_u32(nlh, REPLCOPY_CFG_MAX_SESSION_BYTES,
			 c->max_session_bytes);
	mnl_attr_put_u32(nlh, REPLCOPY_CFG_MAX_TOTAL_BYTES,
			 c->max_total_kbytes);
	mnl_attr_put_u32(nlh, REPLCOPY_CFG_IDLE_TIMEOUT, c->idle_timeout);
	mnl_attr_put_u8(nlh, REPLCOPY_CFG_SYN_RETRIES, c->syn_retries);
	mnl_attr_put_u8(nlh, REPLCOPY_CFG_MAX_RETRIES, c->max_retries);
	mnl_attr_nest_end(nlh, nest);
	if (c->version)
		mnl_attr_put_strz(nlh, REPLCOPY_A_VERSION, c->version);
}

#endif
