/* SPDX-License-Identifier: GPL-2.0 */
/*
 * replcopy internal interfaces.
 *
 * Ownership:
 *   main.c            module init/exit, module parameters, global config
 *   mapping.c         per-netns state (pernet ops), mapping table, counters
 *   genl.c            generic netlink family
 *   events.c          the events multicast group, rate limited per netns
 *   netfilter_hook.c  capture (LOCAL_IN) and consume (PRE_ROUTING) hooks
 *   session.c         session table and TCP client emulation
 *   xmit.c            building and sending segments to the target
 *   replay_wq.c       CMWQ worker model
 *   replay_kthread.c  kthread-per-connection worker model and its spawner
 *   trace.c, trace.h  tracepoints (system "replcopy")
 */
#ifndef _REPLCOPY_H
#define _REPLCOPY_H

#include <linux/bits.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/refcount.h>
#include <linux/sizes.h>
#include <linux/spinlock.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>

#include "../include/uapi/replcopy.h"

#define REPLCOPY_VERSION "0.1.0"

/* Mappings per netns; lookups hash on the local port. */
#define REPLCOPY_MAX_MAPPINGS	1024
#define REPLCOPY_MAP_HASH_BITS	6

/*
 * Bounds of the settings, so that no count or sum can wrap: queued bytes
 * are atomic_long_t (a session may hold up to half of the budget), and the
 * session count stays below INT_MAX.
 */
#define REPLCOPY_MAX_SESSIONS_MAX	(4 * SZ_1M)
#define REPLCOPY_SESSION_BYTES_MIN	65536U
#define REPLCOPY_SESSION_BYTES_MAX	SZ_1G
#define REPLCOPY_TOTAL_KBYTES_MIN	1024U
#define REPLCOPY_TOTAL_KBYTES_MAX	BIT(30)	/* KiB: 1 TiB */

/* Per-CPU counters of one mapping, indexed by enum replcopy_stat. */
struct replcopy_pcpu_stats {
	u64_stats_t c[__REPLCOPY_STAT_MAX];
	struct u64_stats_sync syncp;
};

struct replcopy_net;

/*
 * Addresses of either family are a union nf_inet_addr beside their family
 * (AF_INET: .ip, the other words zero; AF_INET6: .in6). Compare both:
 * replcopy_addr_eq().
 */
static inline bool replcopy_addr_eq(u8 fa, const union nf_inet_addr *a,
				    u8 fb, const union nf_inet_addr *b)
{
	return fa == fb && nf_inet_addr_cmp(a, b);
}

/* Sets of families: which hooks a netns needs, what a mapping captures. */
#define REPLCOPY_FAM_4		BIT(0)
#define REPLCOPY_FAM_6		BIT(1)

static inline u8 replcopy_fam(u8 family)
{
	return family == AF_INET6 ? REPLCOPY_FAM_6 : REPLCOPY_FAM_4;
}

/*
 * What a hook parsed of a TCP segment (or ICMP error): its family and
 * addresses, and the offset of the header after the IP header(s).
 */
struct replcopy_l3 {
	union nf_inet_addr saddr, daddr;
	u8 family;
	unsigned int thoff;
};

/* One target of a mapping: its address, and its sessions' counters. */
struct replcopy_target {
	union nf_inet_addr addr;
	u8 family;			/* AF_INET, AF_INET6 */
	__be16 port;
	atomic_t nr_sessions;		/* live sessions: REPLCOPY_TA_SESSIONS,
					 * REPLCOPY_STAT_SESS_ACTIVE
					 */
	atomic_long_t queued;		/* memory its sessions hold:
					 * REPLCOPY_STAT_QUEUED_BYTES
					 */
	struct replcopy_pcpu_stats __percpu *stats;
};

struct replcopy_mapping {
	struct list_head list;		/* rn->mappings, by id, RCU readers */
	struct hlist_node hnode;	/* rn->map_hash, RCU readers */
	struct list_head del_node;	/* private to mapping.c */
	struct rcu_head rcu;
	struct replcopy_net *rn;
	refcount_t ref;			/* table + one per session */
	bool dead;			/* unlinked; sessions must end.
					 * Set (WRITE_ONCE) under rn->lock; an
					 * RCU grace period separates it from
					 * replcopy_sessions_flush_mapping(),
					 * so no replcopy_capture() for m runs
					 * any more when the flush starts.
					 */

	u32 id;
	union nf_inet_addr online_addr;	/* of online_family */
	u8 online_family;		/* AF_INET(6); 0: any local address */
	/* Families (REPLCOPY_FAM_4, _6): of the clients it captures, */
	u8 cap_fams;
	/* and of the hooks it needs: cap_fams and its targets'. */
	u8 hook_fams;
	__be16 port;
	u8 nr_targets;			/* 1..REPLCOPY_MAX_TARGETS */
	u8 copies;			/* 1..REPLCOPY_MAX_COPIES per target */
	u8 source;			/* enum replcopy_source */
	u8 pacing;			/* enum replcopy_pacing */
	u32 flags;			/* REPLCOPY_MAPF_* */
	u32 sample;			/* 1/10 000 of connections replayed */

	unsigned long t_progress_at;	/* jiffies: the target's last
					 * progress on any of its sessions
					 * (WRITE_ONCE by their workers)
					 */
	/* Counted before a connection is given to its targets. */
	struct replcopy_pcpu_stats __percpu *stats;
	struct replcopy_target targets[REPLCOPY_MAX_TARGETS];
};

/* Per-netns rate limit of events (events.c). */
struct replcopy_events {
	spinlock_t lock;		/* the fields below */
	unsigned long stamp;		/* jiffies of the last refill */
	u32 tokens;
	u32 suppressed;			/* since the last SUPPRESSED event */
	struct delayed_work summary;	/* sends the SUPPRESSED event */
};

struct replcopy_net {
	struct net *net;
	struct mutex lock;		/* serialises mapping changes */
	struct list_head mappings;	/* RCU list of struct replcopy_mapping */
	struct hlist_head map_hash[1 << REPLCOPY_MAP_HASH_BITS];
	unsigned int nr_mappings;
	u32 next_id;
	u8 hooks;			/* REPLCOPY_FAM_* registered */
	/* Totals of deleted mappings, so netns-wide stats stay monotonic. */
	u64 retired[__REPLCOPY_STAT_MAX];
	void *sessions;			/* session.c's per-netns table */
	struct replcopy_events events;
};

/* Module-wide settings; readers use READ_ONCE(), writers hold config_lock. */
struct replcopy_config {
	u8 worker;
	u8 wq_unbound;
	u32 wq_max_active;
	u32 max_sessions;
	u32 max_session_bytes;
	u32 max_total_kbytes;
	u32 idle_timeout;
	u8 syn_retries;
	u8 max_retries;
};

extern struct replcopy_config replcopy_cfg;
extern struct mutex replcopy_config_lock;

/* mapping.c */
int replcopy_pernet_init(void);
void replcopy_pernet_exit(void);
struct replcopy_net *replcopy_net(const struct net *net);
/*
 * Returns the new mapping with a reference for the caller (drop it with
 * replcopy_mapping_put()), or ERR_PTR(). attrs (may be NULL) are the
 * request's attributes, used to point extack at the one at fault.
 */
struct replcopy_mapping *replcopy_mapping_add(struct replcopy_net *rn,
					      const struct replcopy_mapping *tmpl,
					      struct nlattr **attrs,
					      struct netlink_ext_ack *extack);
/* Deletes the mappings that match; returns how many, or -errno. */
int replcopy_mapping_del(struct replcopy_net *rn, u32 id, __be16 port,
			 u8 online_family,
			 const union nf_inet_addr *online_addr, bool all,
			 struct netlink_ext_ack *extack);
void replcopy_mapping_put(struct replcopy_mapping *m);
/* RCU reader: the live mapping for a segment to daddr:dport, or NULL. */
struct replcopy_mapping *replcopy_mapping_lookup(struct replcopy_net *rn,
						 u8 family,
						 const union nf_inet_addr *daddr,
						 __be16 dport);
/* The mapping's counters: its own and its targets'. */
void replcopy_mapping_stats(const struct replcopy_mapping *m,
			    u64 out[__REPLCOPY_STAT_MAX]);
/* One target's counters. */
void replcopy_target_stats(const struct replcopy_target *t,
			   u64 out[__REPLCOPY_STAT_MAX]);
/* Live sessions of all its targets. */
u32 replcopy_mapping_sessions(const struct replcopy_mapping *m);
/* Netns totals: deleted mappings plus live ones. Sleeps (rn->lock). */
void replcopy_net_stats(struct replcopy_net *rn, u64 out[__REPLCOPY_STAT_MAX]);

static inline void replcopy_pcpu_add(struct replcopy_pcpu_stats __percpu *st,
				     enum replcopy_stat idx, u64 v)
{
	struct replcopy_pcpu_stats *s = get_cpu_ptr(st);
	unsigned long flags = u64_stats_update_begin_irqsave(&s->syncp);

	u64_stats_add(&s->c[idx], v);
	u64_stats_update_end_irqrestore(&s->syncp, flags);
	put_cpu_ptr(st);
}

/* A counter of the mapping's own: before a connection has its sessions. */
static inline void replcopy_stat_inc(struct replcopy_mapping *m,
				     enum replcopy_stat idx)
{
	replcopy_pcpu_add(m->stats, idx, 1);
}

/* A counter of one target's sessions. */
static inline void replcopy_tstat_add(struct replcopy_target *t,
				      enum replcopy_stat idx, u64 v)
{
	replcopy_pcpu_add(t->stats, idx, v);
}

static inline void replcopy_tstat_inc(struct replcopy_target *t,
				      enum replcopy_stat idx)
{
	replcopy_tstat_add(t, idx, 1);
}

/*
 * events.c. replcopy_ev_begin() returns an event message of the type with
 * REPLCOPY_A_EVENT in it, or NULL: nobody listens in the netns, the rate
 * limit refused it, or no memory (both counted for the SUPPRESSED event).
 * The caller adds its attributes and sends it, or cancels it when they do
 * not fit (counted too). Any context; never sleeps.
 */
struct sk_buff *replcopy_ev_begin(struct replcopy_net *rn, u8 type);
void replcopy_ev_send(struct replcopy_net *rn, struct sk_buff *skb);
void replcopy_ev_cancel(struct replcopy_net *rn, struct sk_buff *skb);
void replcopy_ev_limit(struct replcopy_mapping *m, u8 limit);
void replcopy_ev_mapping(struct replcopy_mapping *m, u8 type);
void replcopy_events_net_init(struct replcopy_net *rn);
void replcopy_events_net_exit(struct replcopy_net *rn);

/* netfilter_hook.c: called with rn->lock held. */
int replcopy_hooks_register(struct replcopy_net *rn, u8 fams);
void replcopy_hooks_unregister(struct replcopy_net *rn, u8 keep);

/* genl.c */
int replcopy_genl_init(void);
void replcopy_genl_exit(void);
struct netlink_callback;
/*
 * Starts one message of a dump (NLM_F_MULTI, this family's header); the
 * caller adds attributes and ends it with genlmsg_end(), or undoes it with
 * genlmsg_cancel(). NULL when skb is full.
 */
void *replcopy_genl_dump_hdr(struct sk_buff *skb, struct netlink_callback *cb,
			     u8 cmd);
/* The mapping's attributes; full: also source, pacing, flags, sessions. */
int replcopy_genl_put_mapping(struct sk_buff *skb,
			      const struct replcopy_mapping *m, bool full);
/* An address attribute: type for IPv4 (be32), type6 for IPv6 (in6). */
int replcopy_nla_put_addr(struct sk_buff *skb, int type, int type6,
			  u8 family, const union nf_inet_addr *addr);
/* Events: has the group a member in net; the message header; send. */
bool replcopy_genl_listening(struct net *net);
void *replcopy_genl_event_hdr(struct sk_buff *skb);
void replcopy_genl_multicast(struct net *net, struct sk_buff *skb);

/*
 * session.c: the engine. Until it exists these are stubs in session.c.
 *   replcopy_sessions_net_init/exit: per-netns session table.
 *   replcopy_capture: softirq, RCU held; skb is the original packet and
 *     must not be modified, consumed or freed. Never sleeps.
 *   replcopy_consume: softirq; returns true when skb belonged to a replayed
 *     connection and was consumed (freed), false to let it pass.
 *   replcopy_consume_icmp, _icmp6: the same for an ICMP error about one.
 *   l3: what the hook parsed of skb's IP header(s).
 *   replcopy_sessions_flush_mapping: process context; resets the target
 *     side of every session of m and waits until they are gone.
 *   replcopy_sessions_dump: fill one REPLCOPY_A_SESSION per session, each
 *     in its own message started with replcopy_genl_dump_hdr(skb, cb,
 *     REPLCOPY_CMD_GET_SESSIONS); map_id 0 means all mappings. Called in
 *     process context without locks held; cb->args[] are all the
 *     engine's (the dump cursor). Returns skb->len, or -errno.
 */
int replcopy_sessions_net_init(struct replcopy_net *rn);
void replcopy_sessions_net_exit(struct replcopy_net *rn);
void replcopy_capture(struct replcopy_mapping *m, struct sk_buff *skb,
		      const struct replcopy_l3 *l3);
bool replcopy_consume(struct replcopy_net *rn, struct sk_buff *skb,
		      const struct replcopy_l3 *l3);
bool replcopy_consume_icmp(struct replcopy_net *rn, struct sk_buff *skb);
bool replcopy_consume_icmp6(struct replcopy_net *rn, struct sk_buff *skb,
			    const struct replcopy_l3 *l3);
void replcopy_sessions_flush_mapping(struct replcopy_mapping *m);
int replcopy_sessions_init(void);
void replcopy_sessions_exit(void);

int replcopy_sessions_dump(struct replcopy_net *rn, struct sk_buff *skb,
			   struct netlink_callback *cb, u32 map_id);

/* replay_wq.c: apply a changed replcopy_cfg.wq_max_active (process context). */
void replcopy_wq_apply_config(void);

#endif /* _REPLCOPY_H */
