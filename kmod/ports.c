// SPDX-License-Identifier: GPL-2.0
/*
 * Source ports of the replayed connections in source mode auto.
 *
 * A port need only be unique per 4-tuple, as connect() allows: one pool of
 * the whole range src_port_min..src_port_max per (source address, target
 * address, target port), shared by every mapping of the netns that replays
 * to that target. The cap on concurrent replayed connections is thus the
 * range per target, not per mapping or host.
 *
 * A pool hands out its free ports least recently used first: a ring of the
 * free ports in the order their last session ended. The target keeps a
 * TIME-WAIT socket for a minute after a connection it closed first; the
 * longest-free port is the one most likely to have none. When the range
 * cannot cover the rate (more than range / 60 s new connections a second)
 * a port is reused within that minute anyway, and counted: the target
 * accepts the new SYN from TIME-WAIT by its newer timestamp (RFC 6191; see
 * replcopy_ts_now() in session.c), or, without timestamps, after the RST
 * our SYN-SENT answers its old connection's ACK with.
 *
 * Locking: every pool operation runs under the session table's lock, which
 * also covers the reply hash the caller checks a port against. Pools are
 * made in process context outside that lock (replcopy_pool_new), and freed
 * when idle for a TIME-WAIT period once there are more than a few, or with
 * the netns.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "session.h"

/* Keep this many idle pools before freeing those unused for a TW period. */
#define REPLCOPY_POOLS_KEEP	8

struct replcopy_pool {
	struct list_head node;		/* replcopy_ports.pools */
	union nf_inet_addr saddr, taddr;
	u8 family;
	__be16 tport;
	u16 lo;				/* first port of the range */
	u32 n;				/* ports in the range */
	u32 head;			/* ring index of the LRU free port */
	u32 nfree;			/* free ports in the ring */
	u32 held;			/* ports handed out */
	unsigned long last_put;		/* jiffies of the last release */
	u32 *freed;			/* per port: (u32)jiffies | 1 of its
					 * last release, 0: never used
					 */
	u16 ring[];			/* free ports, minus lo */
};

void replcopy_ports_init(struct replcopy_ports *p)
{
	INIT_LIST_HEAD(&p->pools);
	p->nr = 0;
}

/* The netns is going away: no session holds a port any more. */
void replcopy_ports_exit(struct replcopy_ports *p)
{
	struct replcopy_pool *pool, *tmp;

	list_for_each_entry_safe(pool, tmp, &p->pools, node) {
		WARN_ON_ONCE(pool->held);
		list_del(&pool->node);
		kvfree(pool);
	}
	p->nr = 0;
}

/* Process context, no lock held: a pool of lo..hi for the target. */
struct replcopy_pool *replcopy_pool_new(u8 family,
					const union nf_inet_addr *saddr,
					const union nf_inet_addr *taddr,
					__be16 tport, u16 lo, u16 hi)
{
	struct replcopy_pool *pool;
	u32 n = hi - lo + 1, i, start;
	size_t size;

	size = struct_size(pool, ring, n);
	size = ALIGN(size, sizeof(u32));
	pool = kvzalloc(size + n * sizeof(u32), GFP_KERNEL | __GFP_NOWARN);
	if (!pool)
		return NULL;
	pool->freed = (u32 *)((u8 *)pool + size);
	pool->family = family;
	pool->saddr = *saddr;
	pool->taddr = *taddr;
	pool->tport = tport;
	pool->lo = lo;
	pool->n = n;
	pool->nfree = n;
	/* Never used: any order; start at a random port of the range. */
	start = get_random_u32_below(n);
	for (i = 0; i < n; i++)
		pool->ring[i] = (start + i) % n;
	return pool;
}

void replcopy_pool_free(struct replcopy_pool *pool)
{
	kvfree(pool);
}

/* Free the pools that replcopy_pool_add() moved to gc. */
void replcopy_pools_free(struct list_head *gc)
{
	struct replcopy_pool *pool, *tmp;

	list_for_each_entry_safe(pool, tmp, gc, node)
		kvfree(pool);
}

/* Table lock held: the pool of the target for the range lo..hi, or NULL. */
struct replcopy_pool *replcopy_pool_find(struct replcopy_ports *p,
					 u8 family,
					 const union nf_inet_addr *saddr,
					 const union nf_inet_addr *taddr,
					 __be16 tport, u16 lo, u16 hi)
{
	struct replcopy_pool *pool;

	list_for_each_entry(pool, &p->pools, node)
		if (replcopy_addr_eq(pool->family, &pool->saddr,
				     family, saddr) &&
		    nf_inet_addr_cmp(&pool->taddr, taddr) &&
		    pool->tport == tport && pool->lo == lo &&
		    pool->n == (u32)(hi - lo + 1))
			return pool;
	return NULL;
}

/*
 * Table lock held: add pool (from replcopy_pool_new). Pools beyond
 * REPLCOPY_POOLS_KEEP that hold no port and released none for a TIME-WAIT
 * period move to gc, for the caller to free after unlocking.
 */
void replcopy_pool_add(struct replcopy_ports *p, struct replcopy_pool *pool,
		       struct list_head *gc)
{
	struct replcopy_pool *old, *tmp;

	list_for_each_entry_safe(old, tmp, &p->pools, node) {
		if (p->nr < REPLCOPY_POOLS_KEEP)
			break;
		if (old->held || time_before(jiffies, old->last_put +
					     REPLCOPY_TW_LEN))
			continue;
		list_move(&old->node, gc);
		p->nr--;
	}
	list_add_tail(&pool->node, &p->pools);
	p->nr++;
}

/*
 * Table lock held: take the least recently used free port (host order), or
 * 0 when every port is held. *reused: its last session to this target
 * ended less than REPLCOPY_TW_LEN ago.
 */
u16 replcopy_pool_get(struct replcopy_pool *pool, bool *reused)
{
	u32 idx, stamp;

	if (!pool->nfree)
		return 0;
	idx = pool->ring[pool->head];
	pool->head = (pool->head + 1) % pool->n;
	pool->nfree--;
	pool->held++;
	stamp = pool->freed[idx];
	*reused = stamp && (u32)jiffies - stamp < REPLCOPY_TW_LEN;
	return pool->lo + idx;
}

/*
 * Table lock held: give port back (from replcopy_pool_get). used: a
 * session went out on it (its release time counts for the LRU order);
 * else the caller found it busy and it goes back unchanged.
 */
void replcopy_pool_put(struct replcopy_pool *pool, u16 port, bool used)
{
	u32 idx = port - pool->lo;

	if (WARN_ON_ONCE(idx >= pool->n || pool->nfree >= pool->n ||
			 !pool->held))
		return;
	pool->ring[(pool->head + pool->nfree) % pool->n] = idx;
	pool->nfree++;
	pool->held--;
	if (used) {
		pool->freed[idx] = (u32)jiffies | 1;
		pool->last_put = jiffies;
	}
}

/* Table lock held: free ports of the pool, for one pass over them. */
u32 replcopy_pool_nfree(const struct replcopy_pool *pool)
{
	return pool->nfree;
}
