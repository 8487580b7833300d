// SPDX-License-Identifier: GPL-2.0
/*
 * Session table and TCP client emulation.
 *
 * This file holds the table, the capture and consume hooks' side
 * (softirq), the ending of sessions and the control plane; send.c the
 * segments to the target and connecting, receive.c the segments from the
 * client and the target, timers.c the timers and the worker's run,
 * tcp_logic.h the pure decisions (tested on the host), session_int.h what
 * they share.
 *
 * One session per replayed connection. The hooks only look sessions up,
 * put segments on the session's inbox and kick its worker; everything else
 * (the TCP state below the "owned by the worker" line of struct
 * replcopy_session) is read and written by the worker alone.
 *
 * State machine of the emulated client (enum replcopy_session_state):
 *
 *   NONE         created by the capture hook from a client SYN, or from a
 *                data segment ("fabricated": ISN = seq - 1, default
 *                options). The worker picks the source address/port,
 *                enters the reply tuple in the reply hash and sends a SYN.
 *   SYN_SENT     SYN retransmitted with backoff (1 s, 2 s, ...) up to
 *                syn_retries times, then the session times out. The
 *                target's SYN-ACK gives its ISN, MSS, window scale and
 *                timestamps; we ACK it.
 *   ESTABLISHED  client data is sent in sequence within the target's
 *                window (and a small congestion window), in segments of at
 *                most the target's MSS; target data is acked at once.
 *   FIN_WAIT     the client's FIN was sent, when the client's end was due
 *                (see "The client's end" below).
 *   CLOSE_WAIT   the target's FIN came first; client data still flows.
 *   CLOSED       both FINs are acked: linger REPLCOPY_LINGER to absorb the
 *                target's retransmissions, then the session is freed.
 *
 * From every state: client RST -> RST to the target when the client's end
 * is due (below), or once the target made no progress for
 * REPLCOPY_RST_GRACE (below), end (reset); target RST -> end (reset); idle
 * for idle_timeout or max_retries RTOs -> RST, end (timed out); queue limits
 * -> RST, end (reset). These ends linger as a "zombie" (CLOSED,
 * REPLCOPY_LINGER after the last segment) that absorbs the rest of the
 * client connection instead of fabricating a new session in its middle.
 * Mapping deleted, netns exit, rmmod -> RST, freed at once. A client SYN
 * on a lingering tuple starts a new session, and so does one with a new
 * ISN once the online host's connection on the tuple is over.
 *
 * The client's end (its FIN or RST) is due once the target acknowledged
 * all client data before it and has answered it: it used at least as much
 * sequence space as the online server had delivered to the client by then
 * (the client's ACKs tell), or, when its answers differ, it has been quiet
 * for REPLCOPY_END_QUIET, here and on the mapping's other connections (at
 * most REPLCOPY_RST_MAX), and an idle probe shows it holds nothing we
 * missed (for a RST, which discards what the server has not read yet:
 * REPLCOPY_RST_GRACE without progress, on this connection and on the
 * mapping's others, at most REPLCOPY_RST_MAX). Also no sooner after our
 * last data than the real client's own data->end gap, and with response
 * pacing only after the answer. A target that lags behind the online
 * server (lossy path, requests queued up) thus serves every request before it
 * sees the end: an early FIN or RST makes servers drop the requests they
 * have not read or answered yet. REPLCOPY_END_MAX after the client's end
 * it is due anyway. The decision itself is replcopy_end_limit() and
 * replcopy_end_when() in tcp_logic.h, tested on the host.
 *
 * Its life (enum replcopy_life, session.h): LIVE, then LINGER after the
 * FIN exchange or ZOMBIE after the ends above, then ENDED.
 *
 * Ending: the worker unhashes the session, marks it ENDED (no enqueue or
 * kick any more) and moves it to the table's graveyard; the table's reaper
 * (system_wq) stops the timer and the worker, drops the mapping reference
 * and frees the session after an RCU grace period.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/highmem.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/jhash.h>
#include <linux/moduleparam.h>
#include <linux/netfilter_ipv4.h>
#include <linux/random.h>
#include <linux/siphash.h>
#include <linux/slab.h>
#include <linux/tcp.h>
#include <net/genetlink.h>
#include <net/inet6_hashtables.h>
#include <net/inet_hashtables.h>
#include <net/ip.h>
#include <net/ip6_checksum.h>
#include <net/ipv6.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/tcp.h>
#include <asm/unaligned.h>

#include "limit_logic.h"
#include "session_int.h"
#include "tcp_logic.h"
#include "trace.h"

unsigned int replcopy_src_port_min = 61000;
module_param_named(src_port_min, replcopy_src_port_min, uint, 0644);
MODULE_PARM_DESC(src_port_min,
		 "Lowest source port of replayed connections in source mode auto (default 61000); keep the range outside net.ipv4.ip_local_port_range");

unsigned int replcopy_src_port_max = 65535;
module_param_named(src_port_max, replcopy_src_port_max, uint, 0644);
MODULE_PARM_DESC(src_port_max,
		 "Highest source port of replayed connections in source mode auto (default 65535)");

/*
 * Sessions have a slab cache of their own: slabtop shows them, and a
 * session left behind fails kmem_cache_destroy() at module unload loudly.
 */
static struct kmem_cache *replcopy_session_cache __read_mostly;

static atomic_t replcopy_nr_sessions = ATOMIC_INIT(0);
static atomic_long_t replcopy_queued = ATOMIC_LONG_INIT(0);

/*
 * The limits are module-wide, and a user namespace's root may add
 * mappings in its own netns. What the netns of non-initial user
 * namespaces ("guests") hold together is counted apart and held to half
 * of max_sessions and of max_total_kbytes, so that they cannot starve the
 * initial namespace's mappings, nor push more than that into softirq
 * allocations that no memory cgroup accounts.
 */
static atomic_t replcopy_guest_sessions = ATOMIC_INIT(0);
static atomic_long_t replcopy_guest_queued = ATOMIC_LONG_INIT(0);

/* A session's place under the limits: false when there is none (counted). */
static bool replcopy_sessions_reserve(struct replcopy_table *tbl)
{
	u32 limit = READ_ONCE(replcopy_cfg.max_sessions);

	if (atomic_inc_return(&replcopy_nr_sessions) > limit) {
		atomic_dec(&replcopy_nr_sessions);
		return false;
	}
	if (tbl->guest &&
	    atomic_inc_return(&replcopy_guest_sessions) > max(limit / 2, 1U)) {
		atomic_dec(&replcopy_guest_sessions);
		atomic_dec(&replcopy_nr_sessions);
		return false;
	}
	return true;
}

static void replcopy_sessions_unreserve(struct replcopy_table *tbl)
{
	if (tbl->guest)
		atomic_dec(&replcopy_guest_sessions);
	atomic_dec(&replcopy_nr_sessions);
}

static u32 replcopy_hash_rnd __read_mostly;
static atomic_t replcopy_next_id = ATOMIC_INIT(0);
siphash_aligned_key_t replcopy_ts_key;
static siphash_aligned_key_t replcopy_sample_key;

/* ------------------------------------------------------------------ */
/* Lookup                                                              */

/* The bucket of the tuple a:pa, b:pb of the family. */
u32 replcopy_hash(u8 family, const union nf_inet_addr *a,
		  const union nf_inet_addr *b, __be16 pa, __be16 pb)
{
	u32 ports = ((__force u32)pa << 16) | (__force u32)pb;

	if (family == AF_INET)
		return jhash_3words((__force u32)a->ip, (__force u32)b->ip,
				    ports, replcopy_hash_rnd) &
		       (REPLCOPY_HASH_SIZE - 1);
	return jhash2(a->all, ARRAY_SIZE(a->all),
		      jhash2(b->all, ARRAY_SIZE(b->all),
			     ports ^ replcopy_hash_rnd)) &
	       (REPLCOPY_HASH_SIZE - 1);
}

/*
 * Client tuple caddr:cport -> laddr:lport, and which of its sessions (one
 * per target and copy, all in the tuple's bucket). RCU or tbl->lock.
 */
static struct replcopy_session *
replcopy_lookup_client(struct replcopy_table *tbl, u8 family,
		       const union nf_inet_addr *caddr, __be16 cport,
		       const union nf_inet_addr *laddr, __be16 lport,
		       u8 replica)
{
	struct replcopy_session *s;
	u32 h = replcopy_hash(family, caddr, laddr, cport, lport);

	hlist_for_each_entry_rcu(s, &tbl->chash[h], cnode)
		if (s->cport == cport && s->lport == lport &&
		    s->replica == replica && s->cfamily == family &&
		    nf_inet_addr_cmp(&s->caddr, caddr) &&
		    nf_inet_addr_cmp(&s->laddr, laddr))
			return s;
	return NULL;
}

/* Reply tuple as the target sends it: taddr:tport -> saddr:sport. */
struct replcopy_session *
replcopy_lookup_reply(struct replcopy_table *tbl, u8 family,
		      const union nf_inet_addr *taddr, __be16 tport,
		      const union nf_inet_addr *saddr, __be16 sport)
{
	struct replcopy_session *s;
	u32 h = replcopy_hash(family, taddr, saddr, tport, sport);

	hlist_for_each_entry_rcu(s, &tbl->thash[h], tnode)
		if (s->tport == tport && s->sport == sport &&
		    s->family == family &&
		    nf_inet_addr_cmp(&s->taddr, taddr) &&
		    nf_inet_addr_cmp(&s->saddr, saddr))
			return s;
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Queue accounting                                                    */

/*
 * Every skb a session holds is charged with its truesize, the memory it
 * really pins: client segments (clones of production packets, until the
 * worker copies their payload out, see replcopy_store()), the pages of
 * copied payload, and the target's segments waiting on the inbox.
 *
 * The global budget (max_total_kbytes) is a hard bound: at it, replay work
 * is dropped and counted (drop_queue). Within it, max_session_bytes is a
 * session's fair share, and binds only under pressure, once the queues of
 * all sessions hold half of the budget: alone, one upload may lag far
 * behind its client (a fast client, a slow or lossy target) without being
 * reset; when memory gets scarce the sessions beyond their share go first.
 * The netns of user namespaces other than the initial one share half of
 * the budget, under the same rule.
 */
/* n > 0 charges session s with n bytes, n < 0 gives them back. */
void replcopy_charge(struct replcopy_session *s, long n)
{
	atomic_long_add(n, &s->queued);
	atomic_long_add(n, &s->t->queued);
	atomic_long_add(n, &replcopy_queued);
	if (s->tbl->guest)
		atomic_long_add(n, &replcopy_guest_queued);
}

/*
 * Room for size more bytes in session s? fair: client data, which the
 * fair share bounds; the target's segments only need the budget. Returns
 * -1 when there is, else the enum replcopy_limit that refuses them.
 */
static int replcopy_room(struct replcopy_session *s, u32 size, bool fair)
{
	u64 total = (u64)READ_ONCE(replcopy_cfg.max_total_kbytes) << 10;
	u32 share = fair ? READ_ONCE(replcopy_cfg.max_session_bytes) : U32_MAX;
	long mine = atomic_long_read(&s->queued);
	int limit;

	limit = replcopy_budget_limit(atomic_long_read(&replcopy_queued), total,
				      mine, size, share);
	if (limit >= 0 || !s->tbl->guest)
		return limit;
	return replcopy_budget_limit(atomic_long_read(&replcopy_guest_queued),
				     total / 2, mine, size, share);
}

static void replcopy_uncharge(struct replcopy_session *s, struct sk_buff *skb)
{
	u32 c = REPLCOPY_CB(skb)->charged;

	if (c) {
		replcopy_charge(s, -(long)c);
		REPLCOPY_CB(skb)->charged = 0;
	}
}

void replcopy_free(struct replcopy_session *s, struct sk_buff *skb)
{
	replcopy_uncharge(s, skb);
	consume_skb(skb);
}

void replcopy_purge(struct replcopy_session *s,
		    struct sk_buff_head *q)
{
	struct sk_buff *skb;

	while ((skb = __skb_dequeue(q)))
		replcopy_free(s, skb);
}

/* Every state change goes through here: the replcopy_state tracepoint. */
void replcopy_set_state(struct replcopy_session *s, u8 state,
			enum replcopy_cause cause)
{
	if (s->state == state)
		return;
	trace_replcopy_state(s, s->state, state, cause);
	WRITE_ONCE(s->state, state);
}

/* Caller holds s->lock. */
static void replcopy_kick_locked(struct replcopy_session *s)
{
	if (!replcopy_ended(s))
		s->wops->kick(s);
}

static void replcopy_event(struct replcopy_session *s, int ev)
{
	spin_lock_bh(&s->lock);
	if (!replcopy_ended(s)) {
		set_bit(ev, &s->events);
		s->wops->kick(s);
	}
	spin_unlock_bh(&s->lock);
}

static void replcopy_timer_fn(struct timer_list *t)
{
	struct replcopy_session *s = from_timer(s, t, timer);

	spin_lock(&s->lock);
	replcopy_kick_locked(s);
	spin_unlock(&s->lock);
}

/* ------------------------------------------------------------------ */
/* Capture and consume: softirq, never sleep                           */

/*
 * A client segment, parsed once for all the sessions of its connection:
 * its addresses, its TCP header (th, a copy or in the skb) at thoff, its
 * payload at poff.
 */
struct replcopy_cap {
	union nf_inet_addr saddr, daddr;
	u8 family;
	const struct tcphdr *th;
	unsigned int nhoff, thoff, poff, len;
	int admit;			/* a new session may start: 1 yes,
					 * 0 no, -1 not decided yet
					 */
};

/*
 * A new session for the client segment cap. Returns the session (new,
 * or one another CPU created meanwhile), or NULL (counted).
 */
static struct replcopy_session *
replcopy_session_new(struct replcopy_mapping *m, struct replcopy_table *tbl,
		     u8 replica, const struct replcopy_cap *cap,
		     bool fabricated, bool loop)
{
	const struct tcphdr *th = cap->th;
	struct replcopy_target *t = &m->targets[replica / m->copies];
	struct replcopy_session *s, *old;

	if (!replcopy_sessions_reserve(tbl)) {
		replcopy_tstat_inc(t, REPLCOPY_STAT_SESS_REFUSED);
		replcopy_ev_limit(m, REPLCOPY_LIMIT_SESSIONS);
		return NULL;
	}

	s = kmem_cache_zalloc(replcopy_session_cache, GFP_ATOMIC | __GFP_NOWARN);
	if (!s) {
		replcopy_sessions_unreserve(tbl);
		replcopy_tstat_inc(t, REPLCOPY_STAT_DROP_NOMEM);
		return NULL;
	}

	s->tbl = tbl;
	s->m = m;
	s->t = t;
	s->replica = replica;
	s->cfamily = cap->family;
	s->caddr = cap->saddr;
	s->cport = th->source;
	s->laddr = cap->daddr;
	s->lport = th->dest;
	s->family = t->family;
	s->taddr = t->addr;
	s->tport = t->port;
	s->fabricated = fabricated;
	s->loop = loop;
	s->c_isn = ntohl(th->seq) - (fabricated ? 1 : 0);
	s->c_hs_wait = !fabricated;
	s->state = REPLCOPY_SS_NONE;
	s->start = jiffies;
	s->t_progress_at = s->start;
	s->last_seen = s->start;
	s->rto = REPLCOPY_RTO_INIT;
	spin_lock_init(&s->lock);
	skb_queue_head_init(&s->inbox);
	skb_queue_head_init(&s->sndq);
	skb_queue_head_init(&s->ooo);
	atomic_long_set(&s->queued, 0);
	INIT_HLIST_NODE(&s->cnode);
	INIT_HLIST_NODE(&s->tnode);
	timer_setup(&s->timer, replcopy_timer_fn, 0);

	s->id = atomic_inc_return(&replcopy_next_id);
	/* The model of new sessions; live ones finish on their own. */
	s->worker = READ_ONCE(replcopy_cfg.worker);
	s->wops = s->worker == REPLCOPY_WORKER_KTHREAD ? &replcopy_kthread_ops :
							 &replcopy_wq_ops;
	if (s->wops->start(s))
		goto drop_nomem;

	spin_lock(&tbl->lock);
	old = replcopy_lookup_client(tbl, s->cfamily, &s->caddr, s->cport,
				     &s->laddr, s->lport, replica);
	if (old) {
		/* Another CPU was faster; use its session. */
		spin_unlock(&tbl->lock);
		kmem_cache_free(replcopy_session_cache, s);
		replcopy_sessions_unreserve(tbl);
		return old;
	}
	if (tbl->dying || READ_ONCE(m->dead) || !refcount_inc_not_zero(&m->ref)) {
		spin_unlock(&tbl->lock);
		kmem_cache_free(replcopy_session_cache, s);
		replcopy_sessions_unreserve(tbl);
		return NULL;
	}
	WRITE_ONCE(tbl->gen, tbl->gen + 1);
	hlist_add_head_rcu(&s->cnode,
			   &tbl->chash[replcopy_hash(s->cfamily, &s->caddr,
						     &s->laddr, s->cport,
						     s->lport)]);
	list_add_tail(&s->node, &tbl->live);
	atomic_inc(&tbl->nr);
	atomic_inc(&t->nr_sessions);
	spin_unlock(&tbl->lock);

	replcopy_tstat_inc(s->t, fabricated ? REPLCOPY_STAT_SESS_FABRICATED :
					  REPLCOPY_STAT_SESS_SYN);
	replcopy_ev_session(s, REPLCOPY_EV_SESSION_START, 0);
	return s;

drop_nomem:
	kmem_cache_free(replcopy_session_cache, s);
	replcopy_sessions_unreserve(tbl);
	replcopy_tstat_inc(t, REPLCOPY_STAT_DROP_NOMEM);
	return NULL;
}

/*
 * A client SYN for a tuple whose session only lingers after a close, or
 * whose connection the client left (replcopy_client_reconnects): the
 * client reuses its port. Forget the old session's client tuple so that
 * the SYN starts a new session; the old one ends on its own (linger timer,
 * or the rest of its replay).
 */
static void replcopy_unhash_client(struct replcopy_table *tbl,
				   struct replcopy_session *s)
{
	spin_lock(&tbl->lock);
	if (!hlist_unhashed(&s->cnode)) {
		hlist_del_init_rcu(&s->cnode);
		WRITE_ONCE(tbl->gen, tbl->gen + 1);
	}
	spin_unlock(&tbl->lock);
}

/*
 * Is the client connection in the mapping's sample (--sample)? A keyed
 * hash of its tuple decides, the same for each of its segments, so it is
 * replayed whole or not at all, and the ones left out need no state.
 */
static bool replcopy_sampled(const struct replcopy_mapping *m,
			     const struct replcopy_cap *cap)
{
	const struct tcphdr *th = cap->th;
	u32 h;

	if (m->sample >= REPLCOPY_SAMPLE_ALL)
		return true;
	if (cap->family == AF_INET) {
		h = (u32)siphash_3u32((__force u32)cap->saddr.ip,
				      (__force u32)cap->daddr.ip,
				      (u32)ntohs(th->source) << 16 |
				      ntohs(th->dest),
				      &replcopy_sample_key);
	} else {
		struct {
			struct in6_addr saddr, daddr;
			__be16 sport, dport;
		} t = {
			.saddr = cap->saddr.in6, .daddr = cap->daddr.in6,
			.sport = th->source, .dport = th->dest,
		};

		h = (u32)siphash(&t, sizeof(t), &replcopy_sample_key);
	}
	return reciprocal_scale(h, REPLCOPY_SAMPLE_ALL) < m->sample;
}

/*
 * A client SYN with another ISN on the tuple of a live session that does
 * not linger yet: the client reused its port while we were still replaying
 * its previous connection (seen: a port taken again 25 ms later, when the
 * target lags behind the online server). A new connection if the online
 * host's one on that tuple is over (no socket, or a TIME-WAIT one); else a
 * stray or forged SYN, which the local stack only answers with a challenge
 * ACK, and the live session goes on.
 */
static bool replcopy_client_reconnects(struct replcopy_mapping *m,
				       struct sk_buff *skb,
				       const struct replcopy_cap *cap)
{
	const struct tcphdr *th = cap->th;
	struct net *net = m->rn->net;
	struct sock *sk;
	bool over;

	if (cap->family == AF_INET)
		sk = __inet_lookup_established(net,
					       net->ipv4.tcp_death_row.hashinfo,
					       cap->saddr.ip, th->source,
					       cap->daddr.ip, ntohs(th->dest),
					       inet_iif(skb), inet_sdif(skb));
	else
		sk = __inet6_lookup_established(net,
						net->ipv4.tcp_death_row.hashinfo,
						&cap->saddr.in6, th->source,
						&cap->daddr.in6,
						ntohs(th->dest), inet6_iif(skb),
						inet6_sdif(skb));
	if (!sk)
		return true;
	over = sk->sk_state == TCP_TIME_WAIT || sk->sk_state == TCP_CLOSE;
	sock_gen_put(sk);
	return over;
}

/*
 * Does the SYN whose TCP header is at @thoff carry the mark of a replayed
 * SYN (REPLCOPY_TCPOPT_EXID)? Read only.
 */
static bool replcopy_syn_marked(const struct sk_buff *skb, unsigned int thoff,
				const struct tcphdr *th)
{
	int len = th->doff * 4 - sizeof(*th), i = 0;
	u8 buf[MAX_TCP_OPTION_SPACE];
	const u8 *opt;

	if (len <= 0)
		return false;
	opt = skb_header_pointer(skb, thoff + sizeof(*th), len, buf);
	if (!opt)
		return false;
	while (i < len) {
		if (opt[i] == TCPOPT_EOL)
			break;
		if (opt[i] == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= len || opt[i + 1] < 2 || i + opt[i + 1] > len)
			break;
		if (opt[i] == REPLCOPY_TCPOPT_KIND &&
		    opt[i + 1] == REPLCOPY_TCPOPT_LEN &&
		    get_unaligned_be16(opt + i + 2) == REPLCOPY_TCPOPT_EXID)
			return true;
		i += opt[i + 1];
	}
	return false;
}

/*
 * Is the TCP checksum of the segment at @thoff right? The local stack
 * checks it only after the capture hook, and drops the segment if not: a
 * corrupted segment must not be replayed with a fresh, valid checksum.
 * Read only: the original skb's checksum state is left as it is, so this
 * costs a checksum of the segment only where the device gave none
 * (CHECKSUM_NONE), as tcp_v4_rcv() then computes one too.
 */
static bool replcopy_csum_ok(const struct sk_buff *skb,
			     const struct replcopy_cap *cap)
{
	unsigned int len = skb->len - cap->thoff;
	__be32 saddr = cap->saddr.ip, daddr = cap->daddr.ip;
	__wsum csum;

	if (skb_csum_unnecessary(skb))
		return true;
	/*
	 * IPv6: the pseudo-header's sum, and the segment's, always (an IPv6
	 * header does not sum to zero under a COMPLETE checksum).
	 */
	if (cap->family == AF_INET6) {
		csum = ~csum_unfold(csum_ipv6_magic(&cap->saddr.in6,
						    &cap->daddr.in6, len,
						    IPPROTO_TCP, 0));
		return !csum_fold(skb_checksum(skb, cap->thoff, len, csum));
	}
	/* COMPLETE covers the IP header too, which sums to zero if valid. */
	if (skb->ip_summed == CHECKSUM_COMPLETE && !cap->nhoff &&
	    !csum_tcpudp_magic(saddr, daddr, len, IPPROTO_TCP, skb->csum))
		return true;
	csum = csum_tcpudp_nofold(saddr, daddr, len, IPPROTO_TCP, 0);
	return !csum_fold(skb_checksum(skb, cap->thoff, len, csum));
}

/*
 * May the segment start a new session? Decided once per segment, for all
 * its targets and copies, and counted once.
 */
static bool replcopy_admit(struct replcopy_mapping *m,
			   struct replcopy_table *tbl, struct replcopy_cap *cap,
			   bool syn)
{
	const struct tcphdr *th = cap->th;

	if (cap->admit >= 0)
		return cap->admit;
	cap->admit = 0;
	if (!replcopy_sampled(m, cap)) {
		if (syn)
			replcopy_stat_inc(m, REPLCOPY_STAT_SESS_UNSAMPLED);
		return false;
	}
	/*
	 * One of our own replayed segments, back at LOCAL_IN because the
	 * target address became local after the mapping was added:
	 * replaying it again would loop.
	 */
	if (unlikely(replcopy_lookup_reply(tbl, cap->family, &cap->daddr,
					   th->dest, &cap->saddr,
					   th->source))) {
		replcopy_stat_inc(m, REPLCOPY_STAT_DROP_OTHER);
		return false;
	}
	if (!syn && (m->flags & REPLCOPY_MAPF_NO_FABRICATE)) {
		replcopy_stat_inc(m, REPLCOPY_STAT_DROP_NOSYN);
		return false;
	}
	cap->admit = 1;
	return true;
}

/* The segment for one of its connection's sessions (target and copy). */
static void replcopy_capture_one(struct replcopy_mapping *m,
				 struct replcopy_table *tbl,
				 struct sk_buff *skb, struct replcopy_cap *cap,
				 u8 replica)
{
	const struct tcphdr *th = cap->th;
	unsigned int len = cap->len;
	struct replcopy_session *s;
	struct replcopy_cb *cb;
	struct sk_buff *c;
	int limit;

	s = replcopy_lookup_client(tbl, cap->family, &cap->saddr, th->source,
				   &cap->daddr, th->dest, replica);
	if (s && unlikely(th->syn && !th->ack)) {
		enum replcopy_syn_verdict v;

		v = replcopy_client_syn(replcopy_life(s) == REPLCOPY_LIFE_LIVE,
					ntohl(th->seq), s->c_isn);
		if (v == REPLCOPY_SYN_NEW ||
		    (v == REPLCOPY_SYN_ASK &&
		     replcopy_client_reconnects(m, skb, cap))) {
			replcopy_unhash_client(tbl, s);
			s = NULL;
		}
	}
	if (!s) {
		bool syn = th->syn && !th->ack;

		/*
		 * RST, pure ACK or bare FIN of an unknown connection: nothing
		 * to replay (a fabricated session for a lone FIN would only
		 * open and close a connection).
		 */
		if (th->rst || (!syn && !len))
			return;
		if (!replcopy_admit(m, tbl, cap, syn))
			return;
		s = replcopy_session_new(m, tbl, replica, cap, !syn,
					 syn && replcopy_syn_marked(skb,
								    cap->thoff,
								    th));
		if (!s)
			return;
	}

	WRITE_ONCE(s->last_seen, jiffies);
	/*
	 * Pure ACKs acknowledge the online server's data: not replayed. But
	 * the one that completes the client's handshake starts the replay.
	 */
	if (!len && !th->syn && !th->fin && !th->rst &&
	    !READ_ONCE(s->c_hs_wait))
		return;
	/* After the end: absorbed while the session lingers. */
	if (replcopy_life(s) != REPLCOPY_LIFE_LIVE)
		return;

	limit = len ? replcopy_room(s, skb->truesize, true) : -1;
	if (unlikely(limit >= 0)) {
		/* A lost byte stalls the replay for good: end it. */
		replcopy_tstat_inc(s->t, REPLCOPY_STAT_DROP_QUEUE);
		replcopy_ev_session(s, REPLCOPY_EV_LIMIT, limit);
		replcopy_event(s, REPLCOPY_SE_LIMIT);
		return;
	}

	c = skb_clone(skb, GFP_ATOMIC);
	if (unlikely(!c)) {
		replcopy_tstat_inc(s->t, REPLCOPY_STAT_DROP_NOMEM);
		if (len)
			replcopy_event(s, REPLCOPY_SE_LIMIT);
		return;
	}
	/* Only its bytes are used: no route or conntrack entry pinned. */
	skb_dst_drop(c);
	nf_reset_ct(c);

	cb = REPLCOPY_CB(c);
	memset(cb, 0, sizeof(*cb));
	cb->seq = ntohl(th->seq);
	if (th->syn)
		cb->seq++;
	cb->end_seq = cb->seq + len;
	cb->thoff = cap->thoff;
	cb->off = cap->poff;
	cb->tcp_flags = tcp_flag_byte(th);
	cb->ack = ntohl(th->ack_seq);
	cb->charged = c->truesize;
	/* Capture time, only while someone measures capture -> transmit. */
	if (trace_replcopy_xmit_enabled())
		cb->cap_ns = ktime_get_ns();
	replcopy_charge(s, cb->charged);

	trace_replcopy_capture(s, cb->seq, len, cb->tcp_flags);

	spin_lock(&s->lock);
	if (unlikely(replcopy_ended(s))) {
		spin_unlock(&s->lock);
		replcopy_free(s, c);
		if (len)
			replcopy_tstat_inc(s->t, REPLCOPY_STAT_DROP_OTHER);
		return;
	}
	__skb_queue_tail(&s->inbox, c);
	s->wops->kick(s);
	spin_unlock(&s->lock);
}

void replcopy_capture(struct replcopy_mapping *m, struct sk_buff *skb,
		      const struct replcopy_l3 *l3)
{
	struct replcopy_table *tbl = m->rn->sessions;
	struct replcopy_cap cap = { .admit = -1 };
	struct tcphdr _th;
	unsigned int nr, r;

	replcopy_stat_inc(m, REPLCOPY_STAT_CAPTURED_SEGS);
	if (unlikely(!tbl))
		return;

	cap.nhoff = skb_network_offset(skb);
	cap.family = l3->family;
	cap.saddr = l3->saddr;
	cap.daddr = l3->daddr;
	cap.thoff = l3->thoff;
	cap.th = skb_header_pointer(skb, cap.thoff, sizeof(_th), &_th);
	if (unlikely(!cap.th || cap.th->doff < 5))
		goto bad;
	cap.poff = cap.thoff + cap.th->doff * 4;
	if (unlikely(skb->len < cap.poff))
		goto bad;
	cap.len = skb->len - cap.poff;
	/* Pure ACKs are not replayed: their checksum does not matter. */
	if ((cap.len || cap.th->syn || cap.th->fin || cap.th->rst) &&
	    unlikely(!replcopy_csum_ok(skb, &cap)))
		goto bad;

	/* One session per target and copy: each gets its own clone. */
	nr = m->nr_targets * m->copies;
	for (r = 0; r < nr; r++)
		replcopy_capture_one(m, tbl, skb, &cap, r);
	return;

bad:
	replcopy_stat_inc(m, REPLCOPY_STAT_DROP_OTHER);
}

/*
 * Puts a segment from the target's side (an ICMP error too) on the inbox,
 * or drops it: the target sends its data again, so only replay work is
 * lost. Its ACKs (no data) free memory and are taken even when the budget
 * is spent.
 */
static void replcopy_enqueue_target(struct replcopy_session *s,
				    struct sk_buff *skb, bool data)
{
	int limit = data ? replcopy_room(s, skb->truesize, false) : -1;
	bool ended;

	spin_lock(&s->lock);
	ended = replcopy_ended(s);
	if (unlikely(ended || skb_queue_len(&s->inbox) >= REPLCOPY_INBOX_MAX ||
		     limit >= 0)) {
		bool ev = !ended && limit >= 0 && !s->ev_limit;

		if (!ended)
			replcopy_tstat_inc(s->t, REPLCOPY_STAT_DROP_QUEUE);
		if (ev)
			s->ev_limit = true;
		spin_unlock(&s->lock);
		kfree_skb(skb);
		if (ev)
			replcopy_ev_session(s, REPLCOPY_EV_LIMIT, limit);
		return;
	}
	REPLCOPY_CB(skb)->charged = skb->truesize;
	replcopy_charge(s, skb->truesize);
	__skb_queue_tail(&s->inbox, skb);
	s->wops->kick(s);
	spin_unlock(&s->lock);
}

bool replcopy_consume(struct replcopy_net *rn, struct sk_buff *skb,
		      const struct replcopy_l3 *l3)
{
	struct replcopy_table *tbl = rn->sessions;
	unsigned int thoff = l3->thoff;
	struct replcopy_session *s;
	const struct tcphdr *th;
	struct tcphdr _th;
	bool data = false;

	if (unlikely(!tbl))
		return false;

	th = skb_header_pointer(skb, thoff, sizeof(_th), &_th);
	if (unlikely(!th))
		return false;

	rcu_read_lock();
	s = replcopy_lookup_reply(tbl, l3->family, &l3->saddr, th->source,
				  &l3->daddr, th->dest);
	if (!s) {
		rcu_read_unlock();
		return false;
	}

	replcopy_tstat_inc(s->t, REPLCOPY_STAT_RESP_SEGS);
	if (th->doff >= 5 && skb->len > thoff + th->doff * 4) {
		data = true;
		replcopy_tstat_add(s->t, REPLCOPY_STAT_RESP_BYTES,
				   skb->len - thoff - th->doff * 4);
	}
	WRITE_ONCE(s->last_seen, jiffies);

	memset(REPLCOPY_CB(skb), 0, sizeof(struct replcopy_cb));
	REPLCOPY_CB(skb)->from_target = 1;
	REPLCOPY_CB(skb)->thoff = thoff;
	replcopy_enqueue_target(s, skb, data);
	rcu_read_unlock();
	return true;
}

/*
 * An ICMP error that quotes our segment saddr:p[0] -> daddr:p[1] (p[2..3]
 * its sequence number), whose quoted IP header is at inoff: for its
 * session's worker (replcopy_rx_icmp()), if it is one of ours.
 */
static bool replcopy_consume_quoted(struct replcopy_table *tbl,
				    struct sk_buff *skb, u8 family,
				    const union nf_inet_addr *saddr,
				    const union nf_inet_addr *daddr,
				    const __be16 *p, unsigned int inoff,
				    u32 mtu)
{
	struct replcopy_session *s;
	struct replcopy_cb *cb;

	rcu_read_lock();
	s = replcopy_lookup_reply(tbl, family, daddr, p[1], saddr, p[0]);
	if (!s) {
		rcu_read_unlock();
		return false;
	}
	cb = REPLCOPY_CB(skb);
	memset(cb, 0, sizeof(*cb));
	cb->from_target = 1;
	cb->icmp = 1;
	cb->thoff = inoff;
	cb->seq = get_unaligned_be32(p + 2);
	cb->mtu = mtu;
	replcopy_enqueue_target(s, skb, false);
	rcu_read_unlock();
	return true;
}

/*
 * An ICMP "fragmentation needed" that quotes one of our replayed segments
 * is for us alone: no local socket has that tuple, so the kernel would
 * drop it. The worker checks it against the session (replcopy_rx_icmp()).
 */
bool replcopy_consume_icmp(struct replcopy_net *rn, struct sk_buff *skb)
{
	struct replcopy_table *tbl = rn->sessions;
	union nf_inet_addr saddr = {}, daddr = {};
	unsigned int nhoff, icoff, inoff;
	const struct iphdr *iph, *in;
	const struct icmphdr *ic;
	struct iphdr _iph, _in;
	struct icmphdr _ic;
	const __be16 *p;
	__be16 _p[4];		/* ports and sequence number */

	if (unlikely(!tbl))
		return false;

	nhoff = skb_network_offset(skb);
	iph = skb_header_pointer(skb, nhoff, sizeof(_iph), &_iph);
	if (unlikely(!iph || iph->ihl < 5))
		return false;
	icoff = nhoff + iph->ihl * 4;
	ic = skb_header_pointer(skb, icoff, sizeof(_ic), &_ic);
	if (!ic || ic->type != ICMP_DEST_UNREACH ||
	    ic->code != ICMP_FRAG_NEEDED)
		return false;
	inoff = icoff + sizeof(_ic);
	in = skb_header_pointer(skb, inoff, sizeof(_in), &_in);
	if (!in || in->ihl < 5 || in->protocol != IPPROTO_TCP)
		return false;
	p = skb_header_pointer(skb, inoff + in->ihl * 4, sizeof(_p), _p);
	if (!p)
		return false;

	/* The quoted segment is ours: saddr:sport -> taddr:tport. */
	saddr.ip = in->saddr;
	daddr.ip = in->daddr;
	return replcopy_consume_quoted(tbl, skb, AF_INET, &saddr, &daddr, p,
				       inoff, ntohs(ic->un.frag.mtu));
}

/*
 * An ICMPv6 "packet too big" that quotes one of our replayed segments, as
 * replcopy_consume_icmp(). l3->thoff is the ICMPv6 header's offset.
 */
bool replcopy_consume_icmp6(struct replcopy_net *rn, struct sk_buff *skb,
			    const struct replcopy_l3 *l3)
{
	struct replcopy_table *tbl = rn->sessions;
	union nf_inet_addr saddr = {}, daddr = {};
	const struct icmp6hdr *ic;
	const struct ipv6hdr *in;
	struct icmp6hdr _ic;
	struct ipv6hdr _in;
	unsigned int inoff;
	__be16 frag_off;
	const __be16 *p;
	__be16 _p[4];		/* ports and sequence number */
	u8 nexthdr;
	int off;

	if (unlikely(!tbl))
		return false;

	ic = skb_header_pointer(skb, l3->thoff, sizeof(_ic), &_ic);
	if (!ic || ic->icmp6_type != ICMPV6_PKT_TOOBIG || ic->icmp6_code)
		return false;
	inoff = l3->thoff + sizeof(_ic);
	in = skb_header_pointer(skb, inoff, sizeof(_in), &_in);
	if (!in)
		return false;
	nexthdr = in->nexthdr;
	off = ipv6_skip_exthdr(skb, inoff + sizeof(_in), &nexthdr, &frag_off);
	if (off < 0 || nexthdr != IPPROTO_TCP || (ntohs(frag_off) & ~0x7))
		return false;
	p = skb_header_pointer(skb, off, sizeof(_p), _p);
	if (!p)
		return false;

	saddr.in6 = in->saddr;
	daddr.in6 = in->daddr;
	return replcopy_consume_quoted(tbl, skb, AF_INET6, &saddr, &daddr, p,
				       inoff, min_t(u32, ntohl(ic->icmp6_mtu),
						    U16_MAX));
}

/* ------------------------------------------------------------------ */
/* Worker: ending                                                      */

static void replcopy_reap_later(struct replcopy_session *s)
{
	struct replcopy_table *tbl = s->tbl;

	spin_lock_bh(&tbl->lock);
	if (!hlist_unhashed(&s->cnode)) {
		hlist_del_init_rcu(&s->cnode);
		WRITE_ONCE(tbl->gen, tbl->gen + 1);
	}
	if (!hlist_unhashed(&s->tnode))
		hlist_del_init_rcu(&s->tnode);
	if (s->port_held) {
		s->port_held = false;
		replcopy_pool_put(s->pool, ntohs(s->sport), true);
	}
	list_move_tail(&s->node, &tbl->graveyard);
	schedule_work(&tbl->reaper);
	spin_unlock_bh(&tbl->lock);
}

static int replcopy_session_fill(struct sk_buff *skb,
				 struct replcopy_session *s)
{
	union nf_inet_addr saddr = {};
	struct nlattr *nest;

	/*
	 * The worker sets the source address once, before the state leaves
	 * NONE (a lock release in between): 0 until then, never half of it.
	 */
	if (READ_ONCE(s->state) != REPLCOPY_SS_NONE) {
		/* Pairs with tbl->lock's release in replcopy_connect(). */
		smp_rmb();
		saddr = s->saddr;
	}
	nest = nla_nest_start(skb, REPLCOPY_A_SESSION);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, REPLCOPY_SA_MAP_ID, s->m->id) ||
	    replcopy_nla_put_addr(skb, REPLCOPY_SA_CLIENT_ADDR,
				  REPLCOPY_SA_CLIENT_ADDR6, s->cfamily,
				  &s->caddr) ||
	    nla_put_u16(skb, REPLCOPY_SA_CLIENT_PORT, ntohs(s->cport)) ||
	    replcopy_nla_put_addr(skb, REPLCOPY_SA_SOURCE_ADDR,
				  REPLCOPY_SA_SOURCE_ADDR6, s->family,
				  &saddr) ||
	    nla_put_u16(skb, REPLCOPY_SA_SOURCE_PORT,
			ntohs(READ_ONCE(s->sport))) ||
	    nla_put_u8(skb, REPLCOPY_SA_STATE, READ_ONCE(s->state)) ||
	    nla_put_u8(skb, REPLCOPY_SA_WORKER, s->worker) ||
	    (s->fabricated && nla_put_flag(skb, REPLCOPY_SA_FABRICATED)) ||
	    nla_put_u64_64bit(skb, REPLCOPY_SA_CAPTURED_BYTES,
			      READ_ONCE(s->captured_bytes), REPLCOPY_SA_PAD) ||
	    nla_put_u64_64bit(skb, REPLCOPY_SA_ACKED_BYTES,
			      READ_ONCE(s->acked_bytes), REPLCOPY_SA_PAD) ||
	    nla_put_u32(skb, REPLCOPY_SA_QUEUED_BYTES,
			clamp_t(long, atomic_long_read(&s->queued), 0,
				U32_MAX)) ||
	    nla_put_u64_64bit(skb, REPLCOPY_SA_AGE_MS,
			      jiffies_to_msecs(jiffies - s->start),
			      REPLCOPY_SA_PAD) ||
	    replcopy_nla_put_addr(skb, REPLCOPY_SA_TARGET_ADDR,
				  REPLCOPY_SA_TARGET_ADDR6, s->family,
				  &s->taddr) ||
	    nla_put_u16(skb, REPLCOPY_SA_TARGET_PORT, ntohs(s->tport)) ||
	    nla_put_u8(skb, REPLCOPY_SA_COPY, s->replica % s->m->copies)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* enum replcopy_end_reason of each enum replcopy_end. */
static const u8 replcopy_end_reason[] = {
	[REPLCOPY_END_CLOSED]		= REPLCOPY_ER_CLOSED,
	[REPLCOPY_END_RESET]		= REPLCOPY_ER_RESET,
	[REPLCOPY_END_CLIENT_RST]	= REPLCOPY_ER_CLIENT_RST,
	[REPLCOPY_END_TIMEDOUT]		= REPLCOPY_ER_TIMEDOUT,
	[REPLCOPY_END_LIMIT]		= REPLCOPY_ER_LIMIT,
	[REPLCOPY_END_ABORT]		= REPLCOPY_ER_ABORT,
	[REPLCOPY_END_LOOP]		= REPLCOPY_ER_LOOP,
};

void replcopy_ev_session(struct replcopy_session *s, u8 type, u8 arg)
{
	struct replcopy_mapping *m = s->m;
	struct sk_buff *skb = replcopy_ev_begin(m->rn, type);

	if (!skb)
		return;
	if (replcopy_session_fill(skb, s) ||
	    nla_put_u16(skb, REPLCOPY_A_MAP_PORT, ntohs(m->port)) ||
	    replcopy_nla_put_addr(skb, REPLCOPY_A_MAP_TARGET_ADDR,
				  REPLCOPY_A_MAP_TARGET_ADDR6, s->family,
				  &s->taddr) ||
	    nla_put_u16(skb, REPLCOPY_A_MAP_TARGET_PORT, ntohs(s->tport)) ||
	    (type == REPLCOPY_EV_SESSION_END &&
	     nla_put_u8(skb, REPLCOPY_A_EVENT_REASON, arg)) ||
	    (type == REPLCOPY_EV_LIMIT &&
	     nla_put_u8(skb, REPLCOPY_A_EVENT_LIMIT, arg))) {
		replcopy_ev_cancel(m->rn, skb);
		return;
	}
	replcopy_ev_send(m->rn, skb);
}

static void replcopy_finish(struct replcopy_session *s);

static enum replcopy_cause replcopy_end_cause(enum replcopy_end why)
{
	switch (why) {
	case REPLCOPY_END_CLOSED:
		return REPLCOPY_CAUSE_FIN_ACKED;
	case REPLCOPY_END_RESET:
		return REPLCOPY_CAUSE_RESET;
	case REPLCOPY_END_CLIENT_RST:
		return REPLCOPY_CAUSE_CLIENT_RST;
	case REPLCOPY_END_TIMEDOUT:
		return REPLCOPY_CAUSE_TIMEDOUT;
	case REPLCOPY_END_LIMIT:
		return REPLCOPY_CAUSE_LIMIT;
	default:
		return REPLCOPY_CAUSE_ABORT;
	}
}

/*
 * End the replayed connection: count why, reset the target where needed.
 * Closed and aborted sessions are finished at once, the others linger.
 */
void replcopy_end(struct replcopy_session *s, enum replcopy_end why)
{
	if (s->life == REPLCOPY_LIFE_ENDED)
		return;
	/* Already ended and counted, lingering: only finishing is left. */
	if (s->life != REPLCOPY_LIFE_LIVE) {
		if (why == REPLCOPY_END_ABORT || why == REPLCOPY_END_CLOSED)
			replcopy_finish(s);
		return;
	}

	switch (why) {
	case REPLCOPY_END_CLOSED:
		break;		/* counted when both FINs were acked */
	case REPLCOPY_END_RESET:
		replcopy_tstat_inc(s->t, REPLCOPY_STAT_SESS_RESET);
		break;
	case REPLCOPY_END_TIMEDOUT:
		replcopy_send_rst(s);
		replcopy_tstat_inc(s->t, REPLCOPY_STAT_SESS_TIMEDOUT);
		break;
	case REPLCOPY_END_CLIENT_RST:
		if (replcopy_end_unanswered(s))
			replcopy_tstat_inc(s->t, REPLCOPY_STAT_RST_UNANSWERED);
		fallthrough;
	case REPLCOPY_END_LIMIT:
	case REPLCOPY_END_ABORT:
		replcopy_send_rst(s);
		replcopy_tstat_inc(s->t, REPLCOPY_STAT_SESS_RESET);
		break;
	case REPLCOPY_END_LOOP:
		/* Nothing was sent: the session only absorbs its client. */
		replcopy_tstat_inc(s->t, REPLCOPY_STAT_SESS_RESET);
		replcopy_tstat_inc(s->t, REPLCOPY_STAT_DROP_LOOP);
		break;
	}

	replcopy_set_state(s, REPLCOPY_SS_CLOSED, replcopy_end_cause(why));
	/* A FIN exchange had its event when both FINs were acked. */
	if (why != REPLCOPY_END_CLOSED)
		replcopy_ev_session(s, REPLCOPY_EV_SESSION_END,
				    replcopy_end_reason[why]);
	if (why == REPLCOPY_END_ABORT || why == REPLCOPY_END_CLOSED) {
		replcopy_finish(s);
		return;
	}

	/*
	 * Linger as a zombie: the rest of this client connection (data in
	 * flight, retransmissions, a long upload) is absorbed instead of
	 * starting a fabricated session in the middle of it.
	 */
	s->rto_at = 0;
	s->hold_at = 0;
	s->linger_at = jiffies + REPLCOPY_LINGER;
	replcopy_purge(s, &s->sndq);
	replcopy_purge(s, &s->ooo);
	WRITE_ONCE(s->life, REPLCOPY_LIFE_ZOMBIE);
}

/* The session is over: unhash it and hand it to the reaper. */
static void replcopy_finish(struct replcopy_session *s)
{
	replcopy_set_state(s, REPLCOPY_SS_CLOSED, REPLCOPY_CAUSE_ABORT);
	spin_lock_bh(&s->lock);
	WRITE_ONCE(s->life, REPLCOPY_LIFE_ENDED);
	spin_unlock_bh(&s->lock);
	/* Nobody enqueues any more: the inbox is ours now. */
	replcopy_purge(s, &s->inbox);
	replcopy_purge(s, &s->sndq);
	replcopy_purge(s, &s->ooo);
	replcopy_reap_later(s);
}

static void replcopy_session_free_rcu(struct rcu_head *head)
{
	kmem_cache_free(replcopy_session_cache,
			container_of(head, struct replcopy_session, rcu));
}

static void replcopy_session_free(struct replcopy_session *s)
{
	struct replcopy_table *tbl = s->tbl;
	struct replcopy_mapping *m = s->m;

	replcopy_sessions_unreserve(tbl);
	atomic_dec(&s->t->nr_sessions);
	replcopy_mapping_put(m);
	call_rcu(&s->rcu, replcopy_session_free_rcu);
	atomic_dec(&tbl->nr);
	wake_up_all(&tbl->waitq);
}

static void replcopy_reaper(struct work_struct *work)
{
	struct replcopy_table *tbl = container_of(work, struct replcopy_table,
						  reaper);
	struct replcopy_session *s, *tmp;
	LIST_HEAD(list);

	spin_lock_bh(&tbl->lock);
	list_splice_init(&tbl->graveyard, &list);
	spin_unlock_bh(&tbl->lock);

	list_for_each_entry_safe(s, tmp, &list, node) {
		list_del(&s->node);
		timer_shutdown_sync(&s->timer);
		s->wops->stop(s);
		replcopy_purge(s, &s->inbox);
		replcopy_session_free(s);
	}
}

/* ------------------------------------------------------------------ */
/* Control plane                                                       */

/*
 * Kills the live sessions of m (NULL: all of them), a batch at a time
 * under the table lock, so that a table of many sessions never holds
 * softirqs off for long. A bookmark in the list keeps the place between
 * batches: meanwhile sessions come at the list's tail and leave it from
 * wherever they are, and the callers (mapping deletion under rn->lock,
 * netns exit) never walk it two at a time.
 */
static void replcopy_kill_live(struct replcopy_table *tbl,
			       struct replcopy_mapping *m)
{
	struct list_head mark, *pos;
	unsigned int n = 0;

	spin_lock_bh(&tbl->lock);
	for (pos = tbl->live.next; pos != &tbl->live; pos = pos->next) {
		struct replcopy_session *s = list_entry(pos, typeof(*s), node);

		if (!m || s->m == m)
			replcopy_event(s, REPLCOPY_SE_KILL);
		if (++n % REPLCOPY_WALK_BATCH || pos->next == &tbl->live)
			continue;
		list_add(&mark, pos);
		spin_unlock_bh(&tbl->lock);
		cond_resched();
		spin_lock_bh(&tbl->lock);
		pos = mark.prev;
		list_del(&mark);
	}
	spin_unlock_bh(&tbl->lock);
}

void replcopy_sessions_flush_mapping(struct replcopy_mapping *m)
{
	struct replcopy_table *tbl = m->rn->sessions;

	if (!tbl)
		return;
	replcopy_kill_live(tbl, m);
	wait_event(tbl->waitq, !replcopy_mapping_sessions(m));
}

/*
 * The sessions, by client tuple: the client hash is walked under RCU (no
 * lock, softirqs on), and each part of the dump resumes where the last one
 * stopped, at (bucket, position in it), so a part costs what it lists. The
 * table's generation is the dump's sequence number: when sessions came or
 * went between two parts, genl_dump_check_consistent() flags the message
 * NLM_F_DUMP_INTR and replctl lists again. A session whose client tuple a
 * reconnecting client took over (replcopy_unhash_client) finishes unlisted.
 */
int replcopy_sessions_dump(struct replcopy_net *rn, struct sk_buff *skb,
			   struct netlink_callback *cb, u32 map_id)
{
	struct replcopy_table *tbl = rn->sessions;
	unsigned long b = cb->args[0], pos = cb->args[1], i;
	struct replcopy_session *s;
	void *hdr;

	if (!tbl)
		return 0;
	/* Never 0: the core compares it only once it was set. */
	cb->seq = READ_ONCE(tbl->gen) | 1U << 31;
	rcu_read_lock();
	for (; b < REPLCOPY_HASH_SIZE; b++, pos = 0) {
		i = 0;
		hlist_for_each_entry_rcu(s, &tbl->chash[b], cnode) {
			if (i++ < pos)
				continue;
			if (!map_id || s->m->id == map_id) {
				hdr = replcopy_genl_dump_hdr(skb, cb,
							     REPLCOPY_CMD_GET_SESSIONS);
				if (!hdr)
					goto out;
				genl_dump_check_consistent(cb, hdr);
				if (replcopy_session_fill(skb, s)) {
					genlmsg_cancel(skb, hdr);
					goto out;
				}
				genlmsg_end(skb, hdr);
			}
			pos = i;
		}
	}
out:
	rcu_read_unlock();
	cb->args[0] = b;
	cb->args[1] = pos;
	return skb->len;
}

/* ------------------------------------------------------------------ */
/* Per netns and module                                                */

int replcopy_sessions_net_init(struct replcopy_net *rn)
{
	struct replcopy_table *tbl;
	int i;

	tbl = kvzalloc(sizeof(*tbl), GFP_KERNEL);
	if (!tbl)
		return -ENOMEM;
	tbl->rn = rn;
	tbl->guest = rn->net->user_ns != &init_user_ns;
	spin_lock_init(&tbl->lock);
	for (i = 0; i < REPLCOPY_HASH_SIZE; i++) {
		INIT_HLIST_HEAD(&tbl->chash[i]);
		INIT_HLIST_HEAD(&tbl->thash[i]);
	}
	INIT_LIST_HEAD(&tbl->live);
	INIT_LIST_HEAD(&tbl->graveyard);
	INIT_WORK(&tbl->reaper, replcopy_reaper);
	init_waitqueue_head(&tbl->waitq);
	atomic_set(&tbl->nr, 0);
	replcopy_ports_init(&tbl->ports);
	rn->sessions = tbl;
	return 0;
}

void replcopy_sessions_net_exit(struct replcopy_net *rn)
{
	struct replcopy_table *tbl = rn->sessions;

	if (!tbl)
		return;
	spin_lock_bh(&tbl->lock);
	tbl->dying = true;
	spin_unlock_bh(&tbl->lock);
	replcopy_kill_live(tbl, NULL);
	wait_event(tbl->waitq, !atomic_read(&tbl->nr));
	flush_work(&tbl->reaper);
	replcopy_ports_exit(&tbl->ports);
	rn->sessions = NULL;
	kvfree(tbl);
}

int replcopy_sessions_init(void)
{
	int err;

	BUILD_BUG_ON(sizeof(struct replcopy_cb) >
		     sizeof_field(struct sk_buff, cb));
	replcopy_hash_rnd = get_random_u32();
	get_random_bytes(&replcopy_ts_key, sizeof(replcopy_ts_key));
	get_random_bytes(&replcopy_sample_key, sizeof(replcopy_sample_key));
	replcopy_session_cache = KMEM_CACHE(replcopy_session, 0);
	if (!replcopy_session_cache)
		return -ENOMEM;
	err = replcopy_wq_init();
	if (err)
		goto err_cache;
	err = replcopy_kthread_init();
	if (err)
		goto err_wq;
	return 0;

err_wq:
	replcopy_wq_exit();
err_cache:
	kmem_cache_destroy(replcopy_session_cache);
	return err;
}

void replcopy_sessions_exit(void)
{
	replcopy_kthread_exit();
	replcopy_wq_exit();
	/* Sessions are freed by RCU callbacks in this module. */
	rcu_barrier();
	kmem_cache_destroy(replcopy_session_cache);
}
