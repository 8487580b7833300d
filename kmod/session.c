// SPDX-License-Identifier: GPL-2.0
/*
 * Session table and TCP client emulation.
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
 * REPLCOPY_RST_GRACE, end (reset); target RST -> end (reset); idle for
 * idle_timeout or max_retries RTOs -> RST, end (timed out); queue limits
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
 * for REPLCOPY_END_QUIET and an idle probe shows it holds nothing we
 * missed (for a RST, which discards what the server has not read yet:
 * REPLCOPY_RST_GRACE without progress). Also no sooner after our last
 * data than the real client's own data->end gap, and with response pacing
 * only after the answer. A target that lags behind the online server
 * (lossy path, requests queued up) thus serves every request before it
 * sees the end: an early FIN or RST makes servers drop the requests they
 * have not read or answered yet. REPLCOPY_END_MAX after the client's end
 * it is due anyway. The decision itself is replcopy_end_limit() and
 * replcopy_end_when() in tcp_logic.h, tested on the host.
 *
 * Ending: the worker unhashes the session, marks it dead (no enqueue or
 * kick any more) and moves it to the table's graveyard; the table's reaper
 * (system_wq) stops the timer and the worker, drops the mapping reference
 * and frees the session after an RCU grace period.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/highmem.h>
#include <linux/icmp.h>
#include <linux/ip.h>
#include <linux/jhash.h>
#include <linux/moduleparam.h>
#include <linux/netfilter_ipv4.h>
#include <linux/random.h>
#include <linux/siphash.h>
#include <linux/slab.h>
#include <linux/tcp.h>
#include <net/genetlink.h>
#include <net/inet_hashtables.h>
#include <net/ip.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/tcp.h>
#include <asm/unaligned.h>

#include "session.h"
#include "tcp_logic.h"
#include "trace.h"

static unsigned int src_port_min = 61000;
module_param(src_port_min, uint, 0644);
MODULE_PARM_DESC(src_port_min,
		 "Lowest source port of replayed connections in source mode auto (default 61000); keep the range outside net.ipv4.ip_local_port_range");

static unsigned int src_port_max = 65535;
module_param(src_port_max, uint, 0644);
MODULE_PARM_DESC(src_port_max,
		 "Highest source port of replayed connections in source mode auto (default 65535)");

#define REPLCOPY_HASH_BITS	10
#define REPLCOPY_HASH_SIZE	(1U << REPLCOPY_HASH_BITS)

#define REPLCOPY_RTO_INIT	(1 * HZ)
#define REPLCOPY_RTO_MIN	(HZ / 5)
#define REPLCOPY_RTO_MAX	(60 * HZ)
#define REPLCOPY_LINGER		(2 * HZ)
#define REPLCOPY_HOLD		(3 * HZ)
/*
 * A client SYN waits this long for the client's next segment (the ACK of
 * the online server's SYN-ACK, or data) before the target is connected:
 * two SYN-ACK retransmissions (1 s, then 2 s later) and a margin.
 */
#define REPLCOPY_HS_WAIT	(4 * HZ)
#define REPLCOPY_DEFAULT_MSS	536
#define REPLCOPY_FAB_MSS	1460
#define REPLCOPY_FAB_WSCALE	7
#define REPLCOPY_RCV_WND	65535
#define REPLCOPY_INIT_CWND	10
#define REPLCOPY_CWND_MAX	SZ_1G	/* bytes: no sum wraps */
#define REPLCOPY_INBOX_MAX	4096	/* target segments waiting */
/* Mode client, tuple busy with an earlier session: see replcopy_start(). */
#define REPLCOPY_BUSY_RETRY	(HZ / 100 ? HZ / 100 : 1)
#define REPLCOPY_BUSY_MAX	(10 * HZ)
/* Sessions visited per hold of the table lock (replcopy_kill_live()). */
#define REPLCOPY_WALK_BATCH	256
/* Ports of a pool tried per pick under the table lock (replcopy_pick_port()). */
#define REPLCOPY_PICK_TRIES	256
/* SYNs sent again at once after resetting an old connection (SYN_SENT). */
#define REPLCOPY_SYN_RSTS_FAST	3

struct replcopy_table {
	struct replcopy_net *rn;
	spinlock_t lock;		/* hashes, lists, dying, port cursor */
	struct hlist_head chash[REPLCOPY_HASH_SIZE];
	struct hlist_head thash[REPLCOPY_HASH_SIZE];
	struct list_head live;		/* sessions not ended yet */
	struct list_head graveyard;	/* ended, waiting for the reaper */
	struct work_struct reaper;
	wait_queue_head_t waitq;	/* a session was freed */
	atomic_t nr;			/* sessions not freed yet */
	unsigned int gen;		/* chash changes: dump consistency */
	bool dying;
	bool guest;			/* netns of a non-initial user ns */
	struct replcopy_ports ports;	/* source ports of mode auto */
};

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
static siphash_aligned_key_t replcopy_ts_key;

/* ------------------------------------------------------------------ */
/* Lookup                                                              */

static u32 replcopy_hash(__be32 a, __be32 b, __be16 pa, __be16 pb)
{
	return jhash_3words((__force u32)a, (__force u32)b,
			    ((__force u32)pa << 16) | (__force u32)pb,
			    replcopy_hash_rnd) & (REPLCOPY_HASH_SIZE - 1);
}

/* Client tuple: caddr:cport -> laddr:lport. RCU or tbl->lock. */
static struct replcopy_session *
replcopy_lookup_client(struct replcopy_table *tbl, __be32 caddr, __be16 cport,
		       __be32 laddr, __be16 lport)
{
	struct replcopy_session *s;
	u32 h = replcopy_hash(caddr, laddr, cport, lport);

	hlist_for_each_entry_rcu(s, &tbl->chash[h], cnode)
		if (s->caddr == caddr && s->laddr == laddr &&
		    s->cport == cport && s->lport == lport)
			return s;
	return NULL;
}

/* Reply tuple as the target sends it: taddr:tport -> saddr:sport. */
static struct replcopy_session *
replcopy_lookup_reply(struct replcopy_table *tbl, __be32 taddr, __be16 tport,
		      __be32 saddr, __be16 sport)
{
	struct replcopy_session *s;
	u32 h = replcopy_hash(taddr, saddr, tport, sport);

	hlist_for_each_entry_rcu(s, &tbl->thash[h], tnode)
		if (s->taddr == taddr && s->saddr == saddr &&
		    s->tport == tport && s->sport == sport)
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
static void replcopy_charge(struct replcopy_session *s, long n)
{
	atomic_long_add(n, &s->queued);
	atomic_long_add(n, &s->m->queued);
	atomic_long_add(n, &replcopy_queued);
	if (s->tbl->guest)
		atomic_long_add(n, &replcopy_guest_queued);
}

static bool replcopy_budget_ok(long used, u64 budget, long mine, u32 size,
			       u32 share)
{
	u64 after = (u64)max(used, 0L) + size;

	if (after > budget)
		return false;
	return (u64)max(mine, 0L) + size <= share || after <= budget / 2;
}

/*
 * Room for size more bytes in session s? fair: client data, which the
 * fair share bounds; the target's segments only need the budget.
 */
static bool replcopy_room(struct replcopy_session *s, u32 size, bool fair)
{
	u64 total = (u64)READ_ONCE(replcopy_cfg.max_total_kbytes) << 10;
	u32 share = fair ? READ_ONCE(replcopy_cfg.max_session_bytes) : U32_MAX;
	long mine = atomic_long_read(&s->queued);

	if (!replcopy_budget_ok(atomic_long_read(&replcopy_queued), total,
				mine, size, share))
		return false;
	return !s->tbl->guest ||
	       replcopy_budget_ok(atomic_long_read(&replcopy_guest_queued),
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

static void replcopy_free(struct replcopy_session *s, struct sk_buff *skb)
{
	replcopy_uncharge(s, skb);
	consume_skb(skb);
}

static void replcopy_purge(struct replcopy_session *s,
			   struct sk_buff_head *q)
{
	struct sk_buff *skb;

	while ((skb = __skb_dequeue(q)))
		replcopy_free(s, skb);
}

/* Every state change goes through here: the replcopy_state tracepoint. */
static void replcopy_set_state(struct replcopy_session *s, u8 state,
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
	if (!s->dead)
		s->wops->kick(s);
}

static void replcopy_event(struct replcopy_session *s, int ev)
{
	spin_lock_bh(&s->lock);
	if (!s->dead) {
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
 * A new session for the client segment iph/th. Returns the session (new,
 * or one another CPU created meanwhile), or NULL (counted).
 */
static struct replcopy_session *
replcopy_session_new(struct replcopy_mapping *m, struct replcopy_table *tbl,
		     const struct iphdr *iph, const struct tcphdr *th,
		     bool fabricated, bool loop)
{
	struct replcopy_session *s, *old;

	if (!replcopy_sessions_reserve(tbl)) {
		replcopy_stat_inc(m, REPLCOPY_STAT_SESS_REFUSED);
		return NULL;
	}

	s = kmem_cache_zalloc(replcopy_session_cache, GFP_ATOMIC | __GFP_NOWARN);
	if (!s) {
		replcopy_sessions_unreserve(tbl);
		replcopy_stat_inc(m, REPLCOPY_STAT_DROP_NOMEM);
		return NULL;
	}

	s->tbl = tbl;
	s->m = m;
	s->caddr = iph->saddr;
	s->cport = th->source;
	s->laddr = iph->daddr;
	s->lport = th->dest;
	s->taddr = m->target_addr;
	s->tport = m->target_port;
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
	old = replcopy_lookup_client(tbl, s->caddr, s->cport, s->laddr,
				     s->lport);
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
			   &tbl->chash[replcopy_hash(s->caddr, s->laddr,
						     s->cport, s->lport)]);
	list_add_tail(&s->node, &tbl->live);
	atomic_inc(&tbl->nr);
	atomic_inc(&m->nr_sessions);
	spin_unlock(&tbl->lock);

	replcopy_stat_inc(m, fabricated ? REPLCOPY_STAT_SESS_FABRICATED :
					  REPLCOPY_STAT_SESS_SYN);
	return s;

drop_nomem:
	kmem_cache_free(replcopy_session_cache, s);
	replcopy_sessions_unreserve(tbl);
	replcopy_stat_inc(m, REPLCOPY_STAT_DROP_NOMEM);
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
				       const struct iphdr *iph,
				       const struct tcphdr *th)
{
	struct net *net = m->rn->net;
	struct sock *sk;
	bool over;

	sk = __inet_lookup_established(net, net->ipv4.tcp_death_row.hashinfo,
				       iph->saddr, th->source, iph->daddr,
				       ntohs(th->dest), inet_iif(skb),
				       inet_sdif(skb));
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
static bool replcopy_csum_ok(const struct sk_buff *skb, unsigned int nhoff,
			     unsigned int thoff, const struct iphdr *iph)
{
	unsigned int len = skb->len - thoff;
	__wsum csum;

	if (skb_csum_unnecessary(skb))
		return true;
	/* COMPLETE covers the IP header too, which sums to zero if valid. */
	if (skb->ip_summed == CHECKSUM_COMPLETE && !nhoff &&
	    !csum_tcpudp_magic(iph->saddr, iph->daddr, len, IPPROTO_TCP,
			       skb->csum))
		return true;
	csum = csum_tcpudp_nofold(iph->saddr, iph->daddr, len, IPPROTO_TCP, 0);
	return !csum_fold(skb_checksum(skb, thoff, len, csum));
}

void replcopy_capture(struct replcopy_mapping *m, struct sk_buff *skb)
{
	struct replcopy_table *tbl = m->rn->sessions;
	unsigned int nhoff, thoff, poff, len;
	struct replcopy_session *s;
	const struct tcphdr *th;
	const struct iphdr *iph;
	struct replcopy_cb *cb;
	struct tcphdr _th;
	struct iphdr _iph;
	struct sk_buff *c;

	replcopy_stat_inc(m, REPLCOPY_STAT_CAPTURED_SEGS);
	if (unlikely(!tbl))
		return;

	nhoff = skb_network_offset(skb);
	iph = skb_header_pointer(skb, nhoff, sizeof(_iph), &_iph);
	if (unlikely(!iph || iph->ihl < 5))
		goto bad;
	thoff = nhoff + iph->ihl * 4;
	th = skb_header_pointer(skb, thoff, sizeof(_th), &_th);
	if (unlikely(!th || th->doff < 5))
		goto bad;
	poff = thoff + th->doff * 4;
	if (unlikely(skb->len < poff))
		goto bad;
	len = skb->len - poff;
	/* Pure ACKs are not replayed: their checksum does not matter. */
	if ((len || th->syn || th->fin || th->rst) &&
	    unlikely(!replcopy_csum_ok(skb, nhoff, thoff, iph)))
		goto bad;

	s = replcopy_lookup_client(tbl, iph->saddr, th->source, iph->daddr,
				   th->dest);
	if (s && unlikely(th->syn && !th->ack) &&
	    (READ_ONCE(s->lingering) ||
	     (ntohl(th->seq) != s->c_isn &&
	      replcopy_client_reconnects(m, skb, iph, th)))) {
		replcopy_unhash_client(tbl, s);
		s = NULL;
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
		/*
		 * One of our own replayed segments, back at LOCAL_IN because
		 * the target address became local after the mapping was
		 * added: replaying it again would loop.
		 */
		if (unlikely(replcopy_lookup_reply(tbl, iph->daddr, th->dest,
						   iph->saddr, th->source))) {
			replcopy_stat_inc(m, REPLCOPY_STAT_DROP_OTHER);
			return;
		}
		if (!syn && (m->flags & REPLCOPY_MAPF_NO_FABRICATE)) {
			replcopy_stat_inc(m, REPLCOPY_STAT_DROP_NOSYN);
			return;
		}
		s = replcopy_session_new(m, tbl, iph, th, !syn,
					 syn && replcopy_syn_marked(skb, thoff, th));
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
	if (READ_ONCE(s->lingering))
		return;

	if (len && unlikely(!replcopy_room(s, skb->truesize, true))) {
		/* A lost byte stalls the replay for good: end it. */
		replcopy_stat_inc(m, REPLCOPY_STAT_DROP_QUEUE);
		replcopy_event(s, REPLCOPY_EV_LIMIT);
		return;
	}

	c = skb_clone(skb, GFP_ATOMIC);
	if (unlikely(!c)) {
		replcopy_stat_inc(m, REPLCOPY_STAT_DROP_NOMEM);
		if (len)
			replcopy_event(s, REPLCOPY_EV_LIMIT);
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
	cb->thoff = thoff;
	cb->off = poff;
	cb->tcp_flags = tcp_flag_byte(th);
	cb->ack = ntohl(th->ack_seq);
	cb->charged = c->truesize;
	/* Capture time, only while someone measures capture -> transmit. */
	if (trace_replcopy_xmit_enabled())
		cb->cap_ns = ktime_get_ns();
	replcopy_charge(s, cb->charged);

	trace_replcopy_capture(s, cb->seq, len, cb->tcp_flags);

	spin_lock(&s->lock);
	if (unlikely(s->dead)) {
		spin_unlock(&s->lock);
		replcopy_free(s, c);
		if (len)
			replcopy_stat_inc(m, REPLCOPY_STAT_DROP_OTHER);
		return;
	}
	__skb_queue_tail(&s->inbox, c);
	s->wops->kick(s);
	spin_unlock(&s->lock);
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
	spin_lock(&s->lock);
	if (unlikely(s->dead || skb_queue_len(&s->inbox) >= REPLCOPY_INBOX_MAX ||
		     (data && !replcopy_room(s, skb->truesize, false)))) {
		if (!s->dead)
			replcopy_stat_inc(s->m, REPLCOPY_STAT_DROP_QUEUE);
		spin_unlock(&s->lock);
		kfree_skb(skb);
		return;
	}
	REPLCOPY_CB(skb)->charged = skb->truesize;
	replcopy_charge(s, skb->truesize);
	__skb_queue_tail(&s->inbox, skb);
	s->wops->kick(s);
	spin_unlock(&s->lock);
}

bool replcopy_consume(struct replcopy_net *rn, struct sk_buff *skb)
{
	struct replcopy_table *tbl = rn->sessions;
	unsigned int nhoff, thoff;
	struct replcopy_session *s;
	const struct tcphdr *th;
	const struct iphdr *iph;
	struct tcphdr _th;
	struct iphdr _iph;
	bool data = false;

	if (unlikely(!tbl))
		return false;

	nhoff = skb_network_offset(skb);
	iph = skb_header_pointer(skb, nhoff, sizeof(_iph), &_iph);
	if (unlikely(!iph || iph->ihl < 5 || iph->protocol != IPPROTO_TCP))
		return false;
	thoff = nhoff + iph->ihl * 4;
	th = skb_header_pointer(skb, thoff, sizeof(_th), &_th);
	if (unlikely(!th))
		return false;

	rcu_read_lock();
	s = replcopy_lookup_reply(tbl, iph->saddr, th->source, iph->daddr,
				  th->dest);
	if (!s) {
		rcu_read_unlock();
		return false;
	}

	replcopy_stat_inc(s->m, REPLCOPY_STAT_RESP_SEGS);
	if (th->doff >= 5 && skb->len > thoff + th->doff * 4) {
		data = true;
		replcopy_stat_add(s->m, REPLCOPY_STAT_RESP_BYTES,
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
 * An ICMP "fragmentation needed" that quotes one of our replayed segments
 * is for us alone: no local socket has that tuple, so the kernel would
 * drop it. The worker checks it against the session (replcopy_rx_icmp()).
 */
bool replcopy_consume_icmp(struct replcopy_net *rn, struct sk_buff *skb)
{
	struct replcopy_table *tbl = rn->sessions;
	unsigned int nhoff, icoff, inoff;
	const struct iphdr *iph, *in;
	struct replcopy_session *s;
	const struct icmphdr *ic;
	struct replcopy_cb *cb;
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

	rcu_read_lock();
	s = replcopy_lookup_reply(tbl, in->daddr, p[1], in->saddr, p[0]);
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
	cb->mtu = ntohs(ic->un.frag.mtu);
	replcopy_enqueue_target(s, skb, false);
	rcu_read_unlock();
	return true;
}

/* ------------------------------------------------------------------ */
/* Worker: segments to the target                                      */

/*
 * The TSval we send. The replayed connection is ours, not the client's: its
 * timestamps come from our own clock, offset per (source, target) address
 * pair as Linux offsets its own. So they only grow from one connection to
 * the next on the same pair, and a target that still holds a reused source
 * port in TIME-WAIT accepts the new SYN (RFC 6191). The client's TSvals are
 * random per connection (Debian's 6.1 kernel offsets them per 4-tuple):
 * replayed as they were, PAWS refused such a SYN about every other time.
 *
 * The clock ticks once a second, the slowest RFC 7323 allows. PAWS drops a
 * segment more than one tick older than the newest one the target saw, and
 * the segments of one session leave from whichever CPU its worker ran on:
 * two of them can swap places in two CPUs' backlogs (softirq work deferred
 * to ksoftirqd, a descheduled vCPU). With 1 ms ticks the target dropped 1
 * segment in an 11 000-connection run, with 10 ms ticks 11 in a 20 000-
 * connection run beside another VM (docs/RELIABILITY.md, report 29). A
 * source port is reused no sooner than REPLCOPY_LINGER (2 s) after its last
 * segment, so a new SYN is still at least one tick newer than anything the
 * old connection sent.
 */
#define REPLCOPY_TS_HZ		1

static u32 replcopy_ts_now(const struct replcopy_session *s)
{
	return (u32)div_u64(ktime_get_ns(), NSEC_PER_SEC / REPLCOPY_TS_HZ) +
	       s->ts_off;
}

static u8 replcopy_ts_opt(struct replcopy_session *s, u8 *opt)
{
	if (!s->ts_ok)
		return 0;
	opt[0] = TCPOPT_NOP;
	opt[1] = TCPOPT_NOP;
	opt[2] = TCPOPT_TIMESTAMP;
	opt[3] = TCPOLEN_TIMESTAMP;
	put_unaligned_be32(replcopy_ts_now(s), opt + 4);
	put_unaligned_be32(s->ts_recent, opt + 8);
	return TCPOLEN_TSTAMP_ALIGNED;
}

/* An ACK of everything received leaves: nothing is due any more. */
static void replcopy_acked(struct replcopy_session *s)
{
	s->ack_due = false;
	s->rcv_acked = s->rcv_nxt;
}

static int replcopy_send_ctl(struct replcopy_session *s, u8 flags, u32 seq)
{
	struct replcopy_seg seg = {};
	u8 opt[TCPOLEN_TSTAMP_ALIGNED];

	seg.flags = flags;
	seg.seq = seq;
	if (flags & TCPHDR_ACK) {
		seg.ack = s->rcv_nxt;
		replcopy_acked(s);
	}
	seg.window = REPLCOPY_RCV_WND;
	if (!(flags & TCPHDR_RST)) {
		seg.optlen = replcopy_ts_opt(s, opt);
		seg.opts = opt;
	}
	return replcopy_xmit(s, &seg);
}

static void replcopy_send_ack(struct replcopy_session *s)
{
	replcopy_send_ctl(s, TCPHDR_ACK, s->snd_nxt);
}

/* Reset the target's side, if it may know this connection at all. */
static void replcopy_send_rst(struct replcopy_session *s)
{
	switch (s->state) {
	case REPLCOPY_SS_SYN_SENT:
		replcopy_send_ctl(s, TCPHDR_RST, s->snd_nxt);
		break;
	case REPLCOPY_SS_ESTABLISHED:
	case REPLCOPY_SS_FIN_WAIT:
	case REPLCOPY_SS_CLOSE_WAIT:
		/*
		 * The target takes a RST only at exactly its rcv_nxt (else it
		 * sends a challenge ACK): everything sent arrived, or only
		 * what it acknowledged.
		 */
		replcopy_send_ctl(s, TCPHDR_RST | TCPHDR_ACK, s->snd_max);
		if (s->snd_una != s->snd_max)
			replcopy_send_ctl(s, TCPHDR_RST | TCPHDR_ACK,
					  s->snd_una);
		break;
	default:
		break;
	}
}

static void replcopy_send_syn(struct replcopy_session *s, bool retrans)
{
	struct replcopy_seg seg = {};

	if (s->synopt_ts_off)
		put_unaligned_be32(replcopy_ts_now(s),
				   s->synopt + s->synopt_ts_off);
	seg.flags = TCPHDR_SYN;
	seg.seq = s->iss;
	seg.window = REPLCOPY_RCV_WND;
	seg.opts = s->synopt;
	seg.optlen = s->synopt_len;
	seg.retrans = retrans;
	s->rtt_start_us = tcp_clock_us();
	replcopy_xmit(s, &seg);
}

static void replcopy_rtt_sample(struct replcopy_session *s)
{
	/* In us, as tcp does: a jiffy is 4 ms, far above a LAN RTT. */
	u32 r = clamp_t(u64, tcp_clock_us() - s->rtt_start_us, 1, U32_MAX);
	unsigned long rto;

	replcopy_rtt_update(&s->srtt_us, &s->rttvar_us, r);
	rto = usecs_to_jiffies(replcopy_rto_us(s->srtt_us, s->rttvar_us,
					       jiffies_to_usecs(1)));
	s->rto_base = clamp_t(unsigned long, rto, REPLCOPY_RTO_MIN,
			      REPLCOPY_RTO_MAX);
	s->rto = s->rto_base;
}

/*
 * Pacing REPLCOPY_PACING_RESPONSE: after the target acknowledged all the
 * client data we sent and has not answered yet, hold the next client data
 * until it answers or REPLCOPY_HOLD passes.
 */
static bool replcopy_hold(struct replcopy_session *s)
{
	if (s->m->pacing != REPLCOPY_PACING_RESPONSE || !s->resp_wait ||
	    s->snd_nxt != s->snd_una)
		return false;
	if (!s->hold_at)
		s->hold_at = jiffies + REPLCOPY_HOLD;
	return true;
}

/* One segment of client data: len bytes at seq, copied from sndq. */
static int replcopy_send_data(struct replcopy_session *s, u32 seq, u32 len)
{
	struct replcopy_seg seg = {};
	u8 opt[TCPOLEN_TSTAMP_ALIGNED];

	seg.q = &s->sndq;
	seg.opts = opt;
	seg.optlen = replcopy_ts_opt(s, opt);
	seg.window = REPLCOPY_RCV_WND;
	seg.seq = seq;
	seg.ack = s->rcv_nxt;
	replcopy_acked(s);
	seg.len = len;
	seg.flags = TCPHDR_ACK;
	if (seq + len == s->c_nxt)
		seg.flags |= TCPHDR_PSH;
	seg.retrans = before(seq, s->snd_max);
	return replcopy_xmit(s, &seg);
}

/* Fast retransmit: the first unacknowledged segment (or our FIN). */
static void replcopy_retransmit_head(struct replcopy_session *s)
{
	if (before(s->snd_una, s->c_nxt)) {
		replcopy_send_data(s, s->snd_una,
				   min3(s->c_nxt - s->snd_una,
					s->snd_max - s->snd_una, (u32)s->mss));
	} else if (s->fin_sent && !s->fin_acked) {
		if (!replcopy_send_ctl(s, TCPHDR_FIN | TCPHDR_ACK, s->c_nxt))
			replcopy_stat_inc(s->m, REPLCOPY_STAT_RETRANS_SEGS);
	}
}

/*
 * Sequence space the target used so far: its bytes, and its FIN, as the
 * client's ACKs count the online server's FIN too.
 */
static u32 replcopy_target_bytes(const struct replcopy_session *s)
{
	return s->rcv_nxt - s->irs - 1;
}

/*
 * A quiet target may still hold data we lost (its retransmission timer
 * backs off on a lossy path): an old sequence number makes it answer with
 * an ACK that carries its next sequence number, which tells. Linux answers
 * such a probe at most every 500 ms (tcp_invalid_ratelimit). Returns when
 * to look again.
 */
static unsigned long replcopy_idle_probe(struct replcopy_session *s,
					 unsigned long now)
{
	unsigned long wait = max_t(unsigned long, s->rto, HZ / 2);

	if (!s->probe_at || time_after_eq(now, s->probe_at + wait)) {
		replcopy_send_ctl(s, TCPHDR_ACK, s->snd_una - 1);
		s->probe_at = now;
	}
	return s->probe_at + wait;
}

/*
 * Is the client's end (FIN or RST) due? See the comment at the top. If it
 * is not, s->end_at is when to look again (other events may come sooner).
 */
static bool replcopy_end_due(struct replcopy_session *s)
{
	struct replcopy_end_view v = {
		.now = jiffies,
		.c_end_at = s->c_end_at,
		.t_progress_at = s->t_progress_at,
		.data_sent_at = s->data_sent_at,
		.fin_gap = s->fin_gap,
		.t_used = replcopy_target_bytes(s),
		.c_acked = s->c_ack_end - s->c_ack_base,
		.c_rst = s->c_rst,
		.c_ack_seen = s->c_ack_seen,
		.t_fin = s->t_fin,
		.t_hole = s->t_hole,
		.t_idle = s->t_idle,
	};
	unsigned long at, limit;

	/*
	 * A RST before the handshake's end (a health check's SYN, SYN-ACK,
	 * RST): the target was never connected, nothing to wait for.
	 */
	if (s->c_hs_wait)
		return true;
	limit = replcopy_end_limit(&v);
	s->end_at = 0;
	if (time_after_eq(v.now, limit))
		return true;
	if (s->state == REPLCOPY_SS_NONE ||
	    s->state == REPLCOPY_SS_SYN_SENT || s->snd_una != s->c_nxt) {
		s->end_at = limit;
		return false;
	}
	if (replcopy_hold(s))
		return false;

	switch (replcopy_end_when(&v, limit, &at)) {
	case REPLCOPY_END_DUE:
		return true;
	case REPLCOPY_END_PROBE:
		at = replcopy_idle_probe(s, v.now);
		break;
	case REPLCOPY_END_WAIT:
		break;
	}
	s->end_at = time_before(at, limit) ? at : limit;
	return false;
}

/*
 * The stack refused a segment (drop_xmit, drop_noroute, no memory): try
 * again on the retransmission timer, even when nothing is in flight that
 * would arm it (the first segment of a burst, the client's FIN). Without
 * it the session would wait for the idle timeout.
 */
static void replcopy_xmit_failed(struct replcopy_session *s)
{
	if (!s->rto_at)
		s->rto_at = jiffies + s->rto;
}

/* Send the client data and FIN that the window, cwnd and pacing allow. */
/* Lowest path MTU used (Linux: ip_rt_min_pmtu); below it, DF is off. */
#define REPLCOPY_MIN_PMTU	552

/*
 * The path toward the target passes at most mtu bytes a packet: make the
 * segments fit and send what is in flight again (it did not get through).
 * False when they fit already.
 */
static bool replcopy_fit_mtu(struct replcopy_session *s, u32 mtu)
{
	u32 hdr = sizeof(struct iphdr) + sizeof(struct tcphdr) +
		  (s->ts_ok ? TCPOLEN_TSTAMP_ALIGNED : 0);

	if (mtu < REPLCOPY_MIN_PMTU) {
		s->no_df = true;
		mtu = REPLCOPY_MIN_PMTU;
	}
	if (mtu - hdr >= s->mss)
		return false;
	s->mss = mtu - hdr;
	replcopy_stat_inc(s->m, REPLCOPY_STAT_PMTU_LOWERED);
	s->snd_nxt = s->snd_una;
	s->rtt_pending = false;
	s->in_recovery = false;
	s->dupacks = 0;
	return true;
}

static void replcopy_push(struct replcopy_session *s)
{
	u32 wnd_end, len;
	bool retrans;
	int err;

	if (s->state == REPLCOPY_SS_NONE || s->state == REPLCOPY_SS_SYN_SENT ||
	    s->state == REPLCOPY_SS_CLOSED)
		return;

	wnd_end = s->snd_una + min(s->snd_wnd, s->cwnd);

	while (before(s->snd_nxt, s->c_nxt)) {
		if (!before(s->snd_nxt, wnd_end))
			break;
		if (!before(s->snd_nxt, s->snd_max) && replcopy_hold(s))
			break;
		len = min3(s->c_nxt - s->snd_nxt, wnd_end - s->snd_nxt,
			   (u32)s->mss);
		retrans = before(s->snd_nxt, s->snd_max);
		err = replcopy_send_data(s, s->snd_nxt, len);
		if (err == -EMSGSIZE && replcopy_fit_mtu(s, s->route_mtu))
			continue;
		if (err) {
			replcopy_xmit_failed(s);
			break;
		}
		if (!retrans) {
			s->resp_wait = true;
			s->hold_at = 0;
			s->data_sent_at = jiffies;
			if (!s->rtt_pending) {
				s->rtt_pending = true;
				s->rtt_seq = s->snd_nxt + len;
				s->rtt_start_us = tcp_clock_us();
			}
		}
		s->snd_nxt += len;
		if (after(s->snd_nxt, s->snd_max))
			s->snd_max = s->snd_nxt;
		if (!s->rto_at)
			s->rto_at = jiffies + s->rto;
	}

	/* The client's FIN goes after all of its data, when its end is due. */
	if (s->c_fin && s->snd_nxt == s->c_nxt && !s->fin_acked) {
		bool retrans = s->fin_sent;

		if (retrans && s->snd_max != s->c_nxt + 1)
			return;
		if (!retrans && !replcopy_end_due(s))
			return;
		if (replcopy_send_ctl(s, TCPHDR_FIN | TCPHDR_ACK, s->snd_nxt)) {
			replcopy_xmit_failed(s);
			return;
		}
		if (retrans)
			replcopy_stat_inc(s->m, REPLCOPY_STAT_RETRANS_SEGS);
		s->fin_sent = true;
		s->snd_nxt++;
		s->snd_max = s->snd_nxt;
		replcopy_set_state(s, REPLCOPY_SS_FIN_WAIT, REPLCOPY_CAUSE_CLIENT_FIN);
		if (!s->rto_at)
			s->rto_at = jiffies + s->rto;
	}
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
static void replcopy_end(struct replcopy_session *s, enum replcopy_end why)
{
	struct replcopy_mapping *m = s->m;

	if (s->ended)
		return;
	/* Already ended and counted, lingering: only finishing is left. */
	if (s->zombie || s->linger_at) {
		if (why == REPLCOPY_END_ABORT || why == REPLCOPY_END_CLOSED)
			replcopy_finish(s);
		return;
	}

	switch (why) {
	case REPLCOPY_END_CLOSED:
		break;		/* counted when both FINs were acked */
	case REPLCOPY_END_RESET:
		replcopy_stat_inc(m, REPLCOPY_STAT_SESS_RESET);
		break;
	case REPLCOPY_END_TIMEDOUT:
		replcopy_send_rst(s);
		replcopy_stat_inc(m, REPLCOPY_STAT_SESS_TIMEDOUT);
		break;
	case REPLCOPY_END_CLIENT_RST:
	case REPLCOPY_END_LIMIT:
	case REPLCOPY_END_ABORT:
		replcopy_send_rst(s);
		replcopy_stat_inc(m, REPLCOPY_STAT_SESS_RESET);
		break;
	case REPLCOPY_END_LOOP:
		/* Nothing was sent: the session only absorbs its client. */
		replcopy_stat_inc(m, REPLCOPY_STAT_SESS_RESET);
		replcopy_stat_inc(m, REPLCOPY_STAT_DROP_LOOP);
		break;
	}

	replcopy_set_state(s, REPLCOPY_SS_CLOSED, replcopy_end_cause(why));
	if (why == REPLCOPY_END_ABORT || why == REPLCOPY_END_CLOSED) {
		replcopy_finish(s);
		return;
	}

	/*
	 * Linger as a zombie: the rest of this client connection (data in
	 * flight, retransmissions, a long upload) is absorbed instead of
	 * starting a fabricated session in the middle of it.
	 */
	s->zombie = true;
	s->rto_at = 0;
	s->hold_at = 0;
	s->linger_at = jiffies + REPLCOPY_LINGER;
	replcopy_purge(s, &s->sndq);
	replcopy_purge(s, &s->ooo);
	WRITE_ONCE(s->lingering, true);
}

/* The session is over: unhash it and hand it to the reaper. */
static void replcopy_finish(struct replcopy_session *s)
{
	s->ended = true;
	replcopy_set_state(s, REPLCOPY_SS_CLOSED, REPLCOPY_CAUSE_ABORT);
	spin_lock_bh(&s->lock);
	s->dead = true;
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
	atomic_dec(&m->nr_sessions);
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
/* Worker: connecting                                                  */

/*
 * tbl->lock held: the least recently used port of pool that no session of
 * ours (mode client included) and no socket of the host uses toward the
 * target, or 0. *reused: see replcopy_pool_get(). At most
 * REPLCOPY_PICK_TRIES ports are tried, each a socket lookup with softirqs
 * off: a range the host's own connections use is misconfigured (see
 * src_port_min), and its sessions count in drop_noport.
 */
static __be16 replcopy_pick_port(struct replcopy_session *s,
				 struct replcopy_pool *pool, bool *reused)
{
	struct replcopy_table *tbl = s->tbl;
	struct net *net = tbl->rn->net;
	u32 i, n = min_t(u32, replcopy_pool_nfree(pool), REPLCOPY_PICK_TRIES);
	struct sock *sk;
	u16 port;

	rcu_read_lock();
	for (i = 0; i < n; i++) {
		port = replcopy_pool_get(pool, reused);
		if (!replcopy_lookup_reply(tbl, s->taddr, s->tport, s->saddr,
					   htons(port))) {
			sk = __inet_lookup_established(net,
						       net->ipv4.tcp_death_row.hashinfo,
						       s->taddr, s->tport,
						       s->saddr, htons(port),
						       0, 0);
			if (!sk) {
				rcu_read_unlock();
				return htons(port);
			}
			sock_gen_put(sk);
		}
		replcopy_pool_put(pool, port, false);
	}
	rcu_read_unlock();
	return 0;
}

/*
 * Mode auto: take a source port from the target's pool (ports.c) and enter
 * the reply tuple. Returns 0, or -errno (counted).
 */
static int replcopy_take_port(struct replcopy_session *s)
{
	u32 lo = READ_ONCE(src_port_min), hi = READ_ONCE(src_port_max);
	struct replcopy_table *tbl = s->tbl;
	struct replcopy_pool *pool, *new = NULL;
	bool reused = false;
	LIST_HEAD(gc);
	int err = 0;

	if (!lo || lo > hi || hi > 65535) {
		replcopy_stat_inc(s->m, REPLCOPY_STAT_DROP_NOPORT);
		return -EADDRNOTAVAIL;
	}
	spin_lock_bh(&tbl->lock);
	pool = replcopy_pool_find(&tbl->ports, s->saddr, s->taddr, s->tport,
				  lo, hi);
	if (!pool) {
		/* The first session toward this target: make its pool. */
		spin_unlock_bh(&tbl->lock);
		new = replcopy_pool_new(s->saddr, s->taddr, s->tport, lo, hi);
		if (!new) {
			replcopy_stat_inc(s->m, REPLCOPY_STAT_DROP_NOMEM);
			return -ENOMEM;
		}
		spin_lock_bh(&tbl->lock);
		pool = replcopy_pool_find(&tbl->ports, s->saddr, s->taddr,
					  s->tport, lo, hi);
		if (!pool) {
			replcopy_pool_add(&tbl->ports, new, &gc);
			pool = new;
			new = NULL;
		}
	}
	s->sport = replcopy_pick_port(s, pool, &reused);
	if (s->sport) {
		s->pool = pool;
		s->port_held = true;
		hlist_add_head_rcu(&s->tnode,
				   &tbl->thash[replcopy_hash(s->taddr, s->saddr,
							     s->tport,
							     s->sport)]);
	}
	spin_unlock_bh(&tbl->lock);

	if (new)
		replcopy_pool_free(new);
	replcopy_pools_free(&gc);
	if (!s->sport) {
		/* Every port of the range busy toward this target. */
		replcopy_stat_inc(s->m, REPLCOPY_STAT_DROP_NOPORT);
		err = -EADDRNOTAVAIL;
	} else if (reused) {
		replcopy_stat_inc(s->m, REPLCOPY_STAT_PORT_REUSED);
	}
	return err;
}

/*
 * Choose the source, enter the reply tuple, send the SYN. -EBUSY (mode
 * client, not counted): another session still replays a connection on the
 * same tuple.
 */
static int replcopy_connect(struct replcopy_session *s)
{
	struct replcopy_table *tbl = s->tbl;
	struct replcopy_mapping *m = s->m;
	struct replcopy_session *old;
	int err;
	u32 mss;

	/* Once per session: a second would take a second port and tnode. */
	if (WARN_ON_ONCE(s->state != REPLCOPY_SS_NONE || s->port_held))
		return 0;
	if (m->source == REPLCOPY_SOURCE_CLIENT) {
		s->saddr = s->caddr;
		s->sport = s->cport;
	} else {
		s->saddr = replcopy_route_source(tbl->rn->net, s->taddr,
						 s->tport);
		if (!s->saddr) {
			replcopy_stat_inc(m, REPLCOPY_STAT_DROP_NOROUTE);
			return -EHOSTUNREACH;
		}
	}

	s->ts_off = (u32)siphash_2u32((__force u32)s->saddr,
				      (__force u32)s->taddr, &replcopy_ts_key);

	if (m->source == REPLCOPY_SOURCE_CLIENT) {
		spin_lock_bh(&tbl->lock);
		old = replcopy_lookup_reply(tbl, s->taddr, s->tport, s->saddr,
					    s->sport);
		if (old && !READ_ONCE(old->lingering)) {
			/* See replcopy_start(). */
			spin_unlock_bh(&tbl->lock);
			return -EBUSY;
		}
		/* The lingering one gets no target segment any more. */
		if (old)
			hlist_del_init_rcu(&old->tnode);
		hlist_add_head_rcu(&s->tnode,
				   &tbl->thash[replcopy_hash(s->taddr, s->saddr,
							     s->tport,
							     s->sport)]);
		spin_unlock_bh(&tbl->lock);
	} else {
		err = replcopy_take_port(s);
		if (err)
			return err;
	}

	mss = replcopy_route_mss(s);
	s->mss = mss ? mss : REPLCOPY_DEFAULT_MSS;
	s->snd_una = s->iss;
	s->snd_nxt = s->iss + 1;
	s->snd_max = s->snd_nxt;
	s->rto = REPLCOPY_RTO_INIT;
	replcopy_set_state(s, REPLCOPY_SS_SYN_SENT, REPLCOPY_CAUSE_CONNECT);
	replcopy_send_syn(s, false);
	s->rto_at = jiffies + s->rto;
	return 0;
}

/*
 * Connect, or in mode client wait for the tuple: the client reconnected
 * from the same port while the replay of its previous connection still
 * runs (the target lags behind the online server), and the target can hold
 * one connection per tuple. Try again every REPLCOPY_BUSY_RETRY until that
 * session lingers, for REPLCOPY_BUSY_MAX at most; the client's data waits
 * in the queue meanwhile. Returns false when the session ended.
 */
static bool replcopy_start(struct replcopy_session *s)
{
	int err = replcopy_connect(s);

	s->busy_at = 0;
	if (err == -EBUSY) {
		if (!s->busy_until)
			s->busy_until = jiffies + REPLCOPY_BUSY_MAX;
		if (time_before(jiffies, s->busy_until)) {
			s->busy_at = jiffies + REPLCOPY_BUSY_RETRY;
			return true;
		}
		replcopy_stat_inc(s->m, REPLCOPY_STAT_DROP_NOPORT);
	}
	if (err) {
		replcopy_end(s, REPLCOPY_END_RESET);
		return false;
	}
	return true;
}

/*
 * Mark our SYN as a replayed one (REPLCOPY_TCPOPT_EXID, see the uapi
 * header): over four NOPs, else where the options end, while the 40 bytes
 * leave room. A SYN without room goes unmarked.
 */
static void replcopy_syn_mark(struct replcopy_session *s)
{
	u8 *o = s->synopt;
	int i, end = 0, len;

	while (end < s->synopt_len && o[end] != TCPOPT_EOL) {
		if (o[end] != TCPOPT_NOP) {
			if (end + 1 >= s->synopt_len || o[end + 1] < 2)
				break;
			end += o[end + 1];
			continue;
		}
		if (end + REPLCOPY_TCPOPT_LEN <= s->synopt_len &&
		    !memchr_inv(o + end, TCPOPT_NOP, REPLCOPY_TCPOPT_LEN))
			goto put;
		end++;
	}
	end = min_t(int, end, s->synopt_len);
	if (end + REPLCOPY_TCPOPT_LEN > MAX_TCP_OPTION_SPACE)
		return;
	len = max_t(int, s->synopt_len, ALIGN(end + REPLCOPY_TCPOPT_LEN, 4));
	for (i = end + REPLCOPY_TCPOPT_LEN; i < len; i++)
		o[i] = TCPOPT_EOL;
	s->synopt_len = len;
put:
	o[end] = REPLCOPY_TCPOPT_KIND;
	o[end + 1] = REPLCOPY_TCPOPT_LEN;
	put_unaligned_be16(REPLCOPY_TCPOPT_EXID, o + end + 2);
}

/*
 * Options of the SYN we send, from the client's SYN: SACK-permitted and
 * everything we do not understand become NOPs; MSS, window scale and
 * timestamps are kept. Then our mark.
 */
static void replcopy_syn_options(struct replcopy_session *s,
				 const u8 *opt, int len)
{
	int i = 0, n;

	memcpy(s->synopt, opt, len);
	s->synopt_len = len;
	while (i < len) {
		u8 kind = opt[i];

		if (kind == TCPOPT_EOL)
			break;
		if (kind == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= len || opt[i + 1] < 2 || i + opt[i + 1] > len)
			break;
		n = opt[i + 1];
		switch (kind) {
		case TCPOPT_MSS:
			break;
		case TCPOPT_WINDOW:
			if (n == TCPOLEN_WINDOW) {
				s->rcv_wscale = min_t(u8, opt[i + 2],
						      TCP_MAX_WSCALE);
				s->ws_ok = true;	/* offered */
			}
			break;
		case TCPOPT_TIMESTAMP:
			if (n == TCPOLEN_TIMESTAMP) {
				/* Our clock's TSval goes there, TSecr 0. */
				put_unaligned_be32(0, s->synopt + i + 6);
				s->synopt_ts_off = i + 2;
				s->ts_ok = true;	/* offered */
			}
			break;
		default:	/* SACK-permitted, TFO, MPTCP, MD5, ... */
			memset(s->synopt + i, TCPOPT_NOP, n);
			break;
		}
		i += n;
	}
	if (i < len)	/* truncated or EOL: pad the rest */
		memset(s->synopt + i, i < len && opt[i] == TCPOPT_EOL ?
		       TCPOPT_EOL : TCPOPT_NOP, len - i);
	replcopy_syn_mark(s);
}

/*
 * Options of a fabricated SYN (mid-stream session): MSS, window scale and,
 * since the timestamps are our own clock's, timestamps.
 */
static void replcopy_fabricate_syn(struct replcopy_session *s)
{
	static const u8 opt[] = {
		TCPOPT_MSS, TCPOLEN_MSS, REPLCOPY_FAB_MSS >> 8,
		REPLCOPY_FAB_MSS & 0xff,
		TCPOPT_NOP, TCPOPT_WINDOW, TCPOLEN_WINDOW, REPLCOPY_FAB_WSCALE,
		TCPOPT_NOP, TCPOPT_NOP, TCPOPT_TIMESTAMP, TCPOLEN_TIMESTAMP,
		0, 0, 0, 0, 0, 0, 0, 0,
	};

	memcpy(s->synopt, opt, sizeof(opt));
	s->synopt_len = sizeof(opt);
	s->synopt_ts_off = 12;
	s->rcv_wscale = REPLCOPY_FAB_WSCALE;
	s->ws_ok = true;
	s->ts_ok = true;
	replcopy_syn_mark(s);
}

/* ------------------------------------------------------------------ */
/* Worker: segments from the client                                    */

struct replcopy_opts {
	u16 mss;
	u8 wscale;
	bool has_ws, has_ts;
	u32 tsval, tsecr;
};

static void replcopy_parse_opts(const u8 *opt, int len,
				struct replcopy_opts *o)
{
	int i = 0;

	memset(o, 0, sizeof(*o));
	while (i < len) {
		u8 kind = opt[i];

		if (kind == TCPOPT_EOL)
			break;
		if (kind == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= len || opt[i + 1] < 2 || i + opt[i + 1] > len)
			break;
		switch (kind) {
		case TCPOPT_MSS:
			if (opt[i + 1] == TCPOLEN_MSS)
				o->mss = get_unaligned_be16(opt + i + 2);
			break;
		case TCPOPT_WINDOW:
			if (opt[i + 1] == TCPOLEN_WINDOW) {
				o->wscale = min_t(u8, opt[i + 2],
						  TCP_MAX_WSCALE);
				o->has_ws = true;
			}
			break;
		case TCPOPT_TIMESTAMP:
			if (opt[i + 1] == TCPOLEN_TIMESTAMP) {
				o->tsval = get_unaligned_be32(opt + i + 2);
				o->tsecr = get_unaligned_be32(opt + i + 6);
				o->has_ts = true;
			}
			break;
		}
		i += opt[i + 1];
	}
}

/* Header and options of a queued segment; NULL if unreadable. */
static const struct tcphdr *replcopy_tcp_header(struct sk_buff *skb,
						u8 *buf, int *optlen)
{
	const struct tcphdr *th;
	unsigned int thoff = REPLCOPY_CB(skb)->thoff;

	th = skb_header_pointer(skb, thoff, sizeof(struct tcphdr), buf);
	if (!th || th->doff < 5)
		return NULL;
	th = skb_header_pointer(skb, thoff, th->doff * 4, buf);
	if (!th)
		return NULL;
	*optlen = th->doff * 4 - sizeof(*th);
	return th;
}

/*
 * The client ended its stream (FIN or RST): note when, and how long the
 * real client waited after its last data unless the segment that ends the
 * stream carries data itself.
 */
static void replcopy_client_end(struct replcopy_session *s, bool with_data)
{
	unsigned long max_gap = (unsigned long)
		READ_ONCE(replcopy_cfg.idle_timeout) * HZ / 2;

	if (s->c_ended)
		return;
	s->c_ended = true;
	s->c_end_at = jiffies;
	if (s->c_data_at && !with_data)
		s->fin_gap = min(jiffies - s->c_data_at, max_gap);
}

/*
 * Payload storage. The worker copies the client's in-sequence bytes out of
 * the captured clone into pages of its own and frees the clone at once: a
 * clone pins the production packet's buffer, and keeps the local stack
 * from coalescing that packet into the socket's receive queue, for as long
 * as the target takes to ack. The copy holds only payload, packed: small
 * segments share a page. sndq is a list of chunks, skbs of page fragments
 * (at most MAX_SKB_FRAGS pages each) whose REPLCOPY_CB gives seq..end_seq,
 * off 0, and the truesize charged. While capture -> transmit is traced
 * (cap_ns set), each segment gets its own chunk so its capture time stays.
 *
 * Appends up to n bytes of from at off to chunk (a new page if its last
 * one is full): returns how many, 0 if chunk is full, or -errno.
 */
static int replcopy_chunk_fill(struct replcopy_session *s,
			       struct sk_buff *chunk,
			       const struct sk_buff *from, u32 off, u32 n)
{
	struct skb_shared_info *sh = skb_shinfo(chunk);
	skb_frag_t *f = sh->nr_frags ? &sh->frags[sh->nr_frags - 1] : NULL;
	u32 used, k;
	void *p;
	int err;

	if (!f || skb_frag_size(f) == PAGE_SIZE) {
		struct page *page;

		if (sh->nr_frags == MAX_SKB_FRAGS)
			return 0;
		page = alloc_page(GFP_KERNEL | __GFP_NOWARN);
		if (!page)
			return -ENOMEM;
		skb_fill_page_desc(chunk, sh->nr_frags, page, 0, 0);
		chunk->truesize += PAGE_SIZE;
		REPLCOPY_CB(chunk)->charged += PAGE_SIZE;
		replcopy_charge(s, PAGE_SIZE);
		f = &sh->frags[sh->nr_frags - 1];
	}
	used = skb_frag_size(f);
	k = min_t(u32, n, PAGE_SIZE - used);
	p = kmap_local_page(skb_frag_page(f));
	err = skb_copy_bits(from, off, p + used, k);
	kunmap_local(p);
	if (err)
		return err;
	skb_frag_size_add(f, k);
	chunk->len += k;
	chunk->data_len += k;
	REPLCOPY_CB(chunk)->end_seq += k;
	return k;
}

/* Stores n bytes of from at off, client sequence seq, at the end of sndq. */
static int replcopy_store(struct replcopy_session *s,
			  const struct sk_buff *from, u32 off, u32 seq, u32 n,
			  u64 cap_ns)
{
	struct sk_buff *chunk = skb_peek_tail(&s->sndq);
	struct replcopy_cb *cb;
	int k;

	if (chunk && (cap_ns || REPLCOPY_CB(chunk)->cap_ns ||
		      REPLCOPY_CB(chunk)->end_seq != seq))
		chunk = NULL;
	while (n) {
		if (!chunk) {
			chunk = alloc_skb(0, GFP_KERNEL | __GFP_NOWARN);
			if (!chunk)
				return -ENOMEM;
			cb = REPLCOPY_CB(chunk);
			memset(cb, 0, sizeof(*cb));
			cb->seq = seq;
			cb->end_seq = seq;
			cb->cap_ns = cap_ns;
			cb->charged = chunk->truesize;
			replcopy_charge(s, cb->charged);
			__skb_queue_tail(&s->sndq, chunk);
		}
		k = replcopy_chunk_fill(s, chunk, from, off, n);
		if (k < 0)
			return k;
		if (!k) {
			chunk = NULL;
			continue;
		}
		off += k;
		seq += k;
		n -= k;
	}
	return 0;
}

/*
 * In-sequence client segment: store its new bytes, note its FIN, free it.
 * False when the bytes could not be stored: the session has ended.
 */
static bool replcopy_accept(struct replcopy_session *s, struct sk_buff *skb)
{
	struct replcopy_cb *cb = REPLCOPY_CB(skb);
	u32 skip = 0, n;

	if (before(cb->seq, s->c_nxt))
		skip = s->c_nxt - cb->seq;
	n = cb->end_seq - cb->seq - skip;
	if (n && replcopy_store(s, skb, cb->off + skip, cb->seq + skip, n,
				cb->cap_ns)) {
		/* A lost byte stalls the replay for good: end it. */
		replcopy_stat_inc(s->m, REPLCOPY_STAT_DROP_NOMEM);
		replcopy_free(s, skb);
		replcopy_end(s, REPLCOPY_END_LIMIT);
		return false;
	}
	s->c_nxt = cb->end_seq;
	if (n) {
		s->c_data_at = jiffies;
		s->captured_bytes += n;
		replcopy_stat_add(s->m, REPLCOPY_STAT_CAPTURED_BYTES, n);
	}
	if (cb->tcp_flags & TCPHDR_FIN) {
		s->c_fin = true;
		replcopy_client_end(s, n);
	}
	replcopy_free(s, skb);
	return true;
}

/* A client segment is a duplicate if it brings neither new bytes nor FIN. */
static bool replcopy_client_dup(struct replcopy_session *s,
				struct sk_buff *skb)
{
	struct replcopy_cb *cb = REPLCOPY_CB(skb);

	if (s->c_fin)
		return true;
	if (after(cb->end_seq, s->c_nxt))
		return false;
	return !((cb->tcp_flags & TCPHDR_FIN) && cb->end_seq == s->c_nxt);
}

static void replcopy_client_data(struct replcopy_session *s,
				 struct sk_buff *skb)
{
	struct replcopy_cb *cb = REPLCOPY_CB(skb);
	struct sk_buff *p;

	if (replcopy_client_dup(s, skb)) {
		replcopy_free(s, skb);
		return;
	}
	if (after(cb->seq, s->c_nxt)) {
		/* After a gap: wait for the client's retransmission. */
		skb_queue_reverse_walk(&s->ooo, p) {
			if (!after(REPLCOPY_CB(p)->seq, cb->seq)) {
				__skb_queue_after(&s->ooo, p, skb);
				return;
			}
		}
		__skb_queue_head(&s->ooo, skb);
		return;
	}
	if (!replcopy_accept(s, skb))
		return;

	while ((p = skb_peek(&s->ooo)) &&
	       !after(REPLCOPY_CB(p)->seq, s->c_nxt)) {
		__skb_unlink(p, &s->ooo);
		if (replcopy_client_dup(s, p))
			replcopy_free(s, p);
		else if (!replcopy_accept(s, p))
			return;
	}
}

/*
 * The client's ACK field: how much of its answer the online server had
 * delivered. Counted from the handshake's ACK, a server greeting included
 * (fabricated sessions: from the first ACK we see).
 */
static void replcopy_client_ack(struct replcopy_session *s,
				const struct replcopy_cb *cb)
{
	if (!(cb->tcp_flags & TCPHDR_ACK))
		return;
	if (!s->c_ack_seen) {
		s->c_ack_seen = true;
		s->c_ack_base = cb->ack;
		s->c_ack_end = cb->ack;
	} else if (after(cb->ack, s->c_ack_end)) {
		s->c_ack_end = cb->ack;
	}
}

static void replcopy_rx_client(struct replcopy_session *s,
			       struct sk_buff *skb)
{
	struct replcopy_cb *cb = REPLCOPY_CB(skb);
	u8 buf[60];
	const struct tcphdr *th;
	int optlen;

	if (s->zombie) {
		replcopy_free(s, skb);
		return;
	}
	th = replcopy_tcp_header(skb, buf, &optlen);
	if (!th) {
		replcopy_stat_inc(s->m, REPLCOPY_STAT_DROP_OTHER);
		replcopy_free(s, skb);
		return;
	}

	/*
	 * The local stack takes a RST only at its rcv_nxt (RFC 5961; it
	 * challenges others in the window and drops the rest), and sees the
	 * client's segments in the order we do: a RST elsewhere, forged or
	 * stale, leaves the connection up, and so the replay too.
	 */
	if (th->rst && !s->c_rst &&
	    !replcopy_client_rst_ok(cb->seq, s->c_nxt, s->c_fin)) {
		replcopy_stat_inc(s->m, REPLCOPY_STAT_DROP_OTHER);
		replcopy_free(s, skb);
		return;
	}
	if (s->c_rst || th->rst) {
		/*
		 * Data before the RST is still replayed, as the local stack
		 * got it too; what follows the RST is stale.
		 */
		if (th->rst && !s->c_rst) {
			replcopy_client_ack(s, cb);
			s->c_rst = true;
			replcopy_client_end(s, false);
		}
		replcopy_free(s, skb);
		return;
	}

	if (s->state == REPLCOPY_SS_NONE && !s->c_started) {
		s->c_started = true;
		s->iss = cb->seq - 1;
		s->c_nxt = s->iss + 1;
		if (th->syn) {
			replcopy_syn_options(s, (const u8 *)(th + 1), optlen);
			/* The target waits for the client's handshake. */
			s->hs_at = jiffies + REPLCOPY_HS_WAIT;
			replcopy_free(s, skb);
			return;
		}
		/*
		 * No SYN came first: mid-stream, or the copy of the client's
		 * SYN failed (no memory). Its later segments show the
		 * handshake done; start once, now, with a SYN of our own.
		 */
		WRITE_ONCE(s->c_hs_wait, false);
		replcopy_fabricate_syn(s);
		if (!replcopy_start(s)) {
			replcopy_free(s, skb);
			return;
		}
	}

	if (s->c_hs_wait && !th->syn) {
		/*
		 * The client acknowledged the online server's SYN-ACK (a
		 * segment without ACK is not part of a handshake): it is a
		 * real client, as a spoofed SYN never gets this far. Now the
		 * target is connected.
		 */
		if (!(cb->tcp_flags & TCPHDR_ACK)) {
			replcopy_stat_inc(s->m, REPLCOPY_STAT_DROP_OTHER);
			replcopy_free(s, skb);
			return;
		}
		WRITE_ONCE(s->c_hs_wait, false);
		s->hs_at = 0;
		if (!replcopy_start(s)) {
			replcopy_free(s, skb);
			return;
		}
		if (cb->seq == cb->end_seq &&
		    !(cb->tcp_flags & TCPHDR_FIN)) {
			/* The handshake's ACK: the base of the client's ACKs. */
			replcopy_client_ack(s, cb);
			replcopy_free(s, skb);
			return;
		}
	}

	if (th->syn) {
		/* The client's SYN retransmissions: we retransmit our own. */
		replcopy_free(s, skb);
		return;
	}

	if (!s->c_ended)
		replcopy_client_ack(s, cb);
	replcopy_client_data(s, skb);
}

/* ------------------------------------------------------------------ */
/* Worker: segments from the target                                    */

static void replcopy_check_closed(struct replcopy_session *s)
{
	if (s->fin_acked && s->t_fin && s->state != REPLCOPY_SS_CLOSED) {
		replcopy_set_state(s, REPLCOPY_SS_CLOSED,
				   REPLCOPY_CAUSE_FIN_ACKED);
		replcopy_stat_inc(s->m, REPLCOPY_STAT_SESS_CLOSED);
		s->linger_at = jiffies + REPLCOPY_LINGER;
		s->rto_at = 0;
		s->hold_at = 0;
		WRITE_ONCE(s->lingering, true);
	}
}

static void replcopy_synack(struct replcopy_session *s,
			    const struct tcphdr *th, int optlen)
{
	struct replcopy_opts o;

	replcopy_parse_opts((const u8 *)(th + 1), optlen, &o);
	s->irs = ntohl(th->seq);
	s->rcv_nxt = s->irs + 1;
	s->snd_una = s->iss + 1;
	s->ws_ok = s->ws_ok && o.has_ws;
	s->snd_wscale = s->ws_ok ? o.wscale : 0;
	if (!s->ws_ok)
		s->rcv_wscale = 0;
	s->ts_ok = s->ts_ok && o.has_ts;
	if (s->ts_ok)
		s->ts_recent = o.tsval;
	s->snd_wnd = ntohs(th->window);
	s->snd_wl1 = s->irs;
	s->t_mss = o.mss ? o.mss : REPLCOPY_DEFAULT_MSS;
	s->mss = min(s->mss, s->t_mss);
	if (s->ts_ok && s->mss > TCPOLEN_TSTAMP_ALIGNED + 64)
		s->mss -= TCPOLEN_TSTAMP_ALIGNED;
	s->cwnd = REPLCOPY_INIT_CWND * s->mss;
	s->ssthresh = U32_MAX;
	if (!s->syn_tries)
		replcopy_rtt_sample(s);
	s->rto_at = 0;
	s->retries = 0;
	replcopy_set_state(s, REPLCOPY_SS_ESTABLISHED, REPLCOPY_CAUSE_SYNACK);
	replcopy_stat_inc(s->m, REPLCOPY_STAT_SESS_ESTABLISHED);
	replcopy_send_ack(s);
}

/*
 * The target's ACK field and window, of a segment at seq. The window is
 * taken only from a segment no older than the one it was last taken from
 * (RFC 793's SND.WL1/WL2, as Linux's tcp_may_update_window()): a segment
 * the path reordered must not bring back a window the target has
 * changed since.
 */
static void replcopy_rx_ack(struct replcopy_session *s, u32 seq, u32 ack,
			    u32 wnd, bool pure)
{
	struct sk_buff *skb;
	u32 data_end, bytes;
	bool wnd_update;

	if (after(ack, s->snd_max) || before(ack, s->snd_una))
		return;
	wnd_update = after(ack, s->snd_una) || after(seq, s->snd_wl1) ||
		     (seq == s->snd_wl1 && (wnd > s->snd_wnd || !wnd));

	if (after(ack, s->snd_una)) {
		/* Client payload acked: excludes our FIN. */
		data_end = (s->fin_sent && after(ack, s->c_nxt)) ? s->c_nxt : ack;
		bytes = after(data_end, s->snd_una) ? data_end - s->snd_una : 0;
		if (s->fin_sent && after(ack, s->c_nxt))
			s->fin_acked = true;
		if (bytes) {
			s->acked_bytes += bytes;
			replcopy_stat_add(s->m, REPLCOPY_STAT_ACKED_BYTES, bytes);
			if (s->cwnd < s->ssthresh)
				s->cwnd += min_t(u32, bytes, s->mss);
			else
				s->cwnd += max_t(u32, 1,
						 div_u64((u64)s->mss * s->mss,
							 s->cwnd));
			s->cwnd = min_t(u32, s->cwnd, REPLCOPY_CWND_MAX);
		}
		s->snd_una = ack;
		if (before(s->snd_nxt, ack))
			s->snd_nxt = ack;
		while ((skb = skb_peek(&s->sndq)) &&
		       !after(REPLCOPY_CB(skb)->end_seq, ack)) {
			__skb_unlink(skb, &s->sndq);
			replcopy_free(s, skb);
		}
		if (s->rtt_pending && !before(ack, s->rtt_seq)) {
			s->rtt_pending = false;
			replcopy_rtt_sample(s);
		}
		s->retries = 0;
		s->dupacks = 0;
		/* Progress: drop the backoff (as Linux does), keep srtt. */
		if (s->rto_base)
			s->rto = s->rto_base;
		s->rto_at = s->snd_una == s->snd_max ? 0 : jiffies + s->rto;
		/* NewReno: a partial ACK in recovery shows the next hole. */
		if (s->in_recovery) {
			if (before(ack, s->recover))
				replcopy_retransmit_head(s);
			else
				s->in_recovery = false;
		}
	} else if (pure && s->snd_una != s->snd_max && wnd == s->snd_wnd) {
		/* Duplicate ACK: fast retransmit on the third. */
		if (++s->dupacks == 3 && !s->in_recovery) {
			u32 flight = s->snd_max - s->snd_una;

			s->in_recovery = true;
			s->recover = s->snd_max;
			s->ssthresh = max_t(u32, flight / 2, 2 * s->mss);
			s->cwnd = s->ssthresh;
			s->rtt_pending = false;
			replcopy_retransmit_head(s);
		}
	}
	if (wnd_update) {
		s->snd_wnd = wnd;
		s->snd_wl1 = seq;
	}
	/*
	 * An answer with the window closed: the target is alive, and its
	 * window may stay closed for as long as its application does not
	 * read (RFC 9293 3.8.6.1). The probes it answers do not count
	 * toward max_retries (Linux resets icsk_probes_out likewise).
	 */
	if (!s->snd_wnd)
		s->retries = 0;
}

/*
 * SYN_SENT, and the target acked something that is not our SYN: most
 * likely its TIME-WAIT socket of an earlier connection on this tuple, which
 * refused our SYN (PAWS, or an ISN below its old rcv_nxt) and acked its old
 * connection instead. As RFC 793 says, reset it with seq = SEG.ACK: a Linux
 * target drops the TIME-WAIT socket on that RST (unless tcp_rfc1337 is
 * set). Then the SYN again, at once the first few times; after that the
 * SYN timer's backoff paces it.
 */
static void replcopy_syn_sent_bad_ack(struct replcopy_session *s, u32 ack)
{
	replcopy_stat_inc(s->m, REPLCOPY_STAT_SYN_RST);
	replcopy_send_ctl(s, TCPHDR_RST, ack);
	if (s->syn_rsts < REPLCOPY_SYN_RSTS_FAST) {
		s->syn_rsts++;
		replcopy_send_syn(s, true);
		s->rto_at = jiffies + s->rto;
	}
}

static void replcopy_rx_target(struct replcopy_session *s,
			       struct sk_buff *skb)
{
	u8 buf[60];
	const struct tcphdr *th;
	struct replcopy_opts o;
	unsigned int len;
	int optlen;
	u32 seq, ack, wnd, una;

	if (s->zombie)
		goto out;
	th = replcopy_tcp_header(skb, buf, &optlen);
	if (!th || nf_ip_checksum(skb, NF_INET_PRE_ROUTING,
				  REPLCOPY_CB(skb)->thoff, IPPROTO_TCP)) {
		replcopy_stat_inc(s->m, REPLCOPY_STAT_DROP_OTHER);
		goto out;
	}
	len = skb->len - REPLCOPY_CB(skb)->thoff - th->doff * 4;
	seq = ntohl(th->seq);
	ack = ntohl(th->ack_seq);

	if (s->state == REPLCOPY_SS_SYN_SENT) {
		if (th->ack && ack != s->iss + 1) {
			if (!th->rst)
				replcopy_syn_sent_bad_ack(s, ack);
			goto out;
		}
		if (th->rst) {
			if (th->ack)
				replcopy_end(s, REPLCOPY_END_RESET);
			goto out;
		}
		if (th->syn && th->ack)
			replcopy_synack(s, th, optlen);
		goto out;
	}

	if (th->syn) {
		/* SYN-ACK again: our ACK was lost. */
		if (th->ack && ack == s->iss + 1)
			replcopy_send_ack(s);
		goto out;
	}
	if (th->rst) {
		if (replcopy_target_rst_ok(seq, s->rcv_nxt,
					   REPLCOPY_RCV_WND << s->rcv_wscale))
			replcopy_end(s, REPLCOPY_END_RESET);
		goto out;
	}
	if (!th->ack)
		goto out;

	if (after(seq, s->rcv_nxt)) {
		/* Out of order: we keep no target data, ask again. */
		s->t_hole = true;
		s->t_progress_at = jiffies;
		replcopy_send_ack(s);
		goto out;
	}
	if (s->ts_ok && optlen) {
		replcopy_parse_opts((const u8 *)(th + 1), optlen, &o);
		if (o.has_ts && !before(o.tsval, s->ts_recent))
			s->ts_recent = o.tsval;
	}

	wnd = (u32)ntohs(th->window) << s->snd_wscale;
	una = s->snd_una;
	replcopy_rx_ack(s, seq, ack, wnd, !len && !th->fin);
	if (s->snd_una != una || after(seq + len + th->fin, s->rcv_nxt)) {
		s->t_progress_at = jiffies;
		s->t_hole = false;
		s->t_idle = false;
		s->probe_at = 0;
	} else if (!len && !th->fin && seq == s->rcv_nxt && s->probe_at) {
		/* Its next sequence number is ours: it sent all it had. */
		s->t_idle = true;
	}

	if (len || th->fin) {
		if (after(seq + len, s->rcv_nxt)) {
			s->rcv_nxt = seq + len;
			/* The target answered: release a held request. */
			s->resp_wait = false;
			s->hold_at = 0;
		}
		if (th->fin && seq + len == s->rcv_nxt && !s->t_fin) {
			s->rcv_nxt++;
			s->t_fin = true;
			if (s->state == REPLCOPY_SS_ESTABLISHED)
				replcopy_set_state(s, REPLCOPY_SS_CLOSE_WAIT, REPLCOPY_CAUSE_TARGET_FIN);
		}
		/*
		 * As Linux acks (__tcp_ack_snd_check): at once for its FIN
		 * or once more than one full segment is unacked; else at
		 * the end of this batch of the inbox, in one ACK for all of
		 * it, or in the data we send meanwhile
		 * (replcopy_session_work()).
		 */
		if (replcopy_ack_now(th->fin, s->rcv_nxt, s->rcv_acked, s->mss))
			replcopy_send_ack(s);
		else
			s->ack_due = true;
	}
	replcopy_check_closed(s);
out:
	replcopy_free(s, skb);
}

/*
 * ICMP fragmentation needed (RFC 1191): a hop toward the target passes at
 * most mtu bytes. Taken only when it quotes a segment still in flight
 * (RFC 5927: anything else is stale or forged). The route's path MTU is
 * lowered too, as the kernel does for its own sockets, so that later
 * sessions start with it (replcopy_route_mss()) and the others fit their
 * segments at their next send (replcopy_push()).
 */
static void replcopy_rx_icmp(struct replcopy_session *s, struct sk_buff *skb)
{
	const struct replcopy_cb *cb = REPLCOPY_CB(skb);

	if (s->zombie || before(cb->seq, s->snd_una) ||
	    !before(cb->seq, s->snd_max) || cb->mtu < 68)
		goto out;
	if (replcopy_fit_mtu(s, cb->mtu) &&
	    pskb_may_pull(skb, cb->thoff + sizeof(struct iphdr))) {
		__skb_pull(skb, cb->thoff);
		replcopy_route_update_pmtu(s, skb, cb->mtu);
	}
out:
	replcopy_free(s, skb);
}

/* ------------------------------------------------------------------ */
/* Worker: timers                                                      */

static void replcopy_rto(struct replcopy_session *s)
{
	s->rto_at = 0;
	if (s->state == REPLCOPY_SS_SYN_SENT) {
		if (s->syn_tries >= READ_ONCE(replcopy_cfg.syn_retries)) {
			replcopy_end(s, REPLCOPY_END_TIMEDOUT);
			return;
		}
		s->syn_tries++;
		s->rto = min_t(unsigned long, s->rto * 2, REPLCOPY_RTO_MAX);
		replcopy_send_syn(s, true);
		s->rto_at = jiffies + s->rto;
		return;
	}
	if (s->snd_una != s->snd_max) {
		if (s->retries >= READ_ONCE(replcopy_cfg.max_retries)) {
			replcopy_end(s, REPLCOPY_END_TIMEDOUT);
			return;
		}
		s->retries++;
		s->rto = min_t(unsigned long, s->rto * 2, REPLCOPY_RTO_MAX);
		if (!s->snd_wnd && before(s->snd_una, s->c_nxt)) {
			/*
			 * Zero window with data in flight: the window update
			 * may have been lost, and replcopy_push() sends
			 * nothing into a closed window. Probe as Linux does
			 * (tcp_retransmit_timer): the first unacknowledged
			 * segment, whatever the window. The target's ACK
			 * carries its window, and resets retries. What was
			 * in flight goes again once the window opens.
			 */
			replcopy_stat_inc(s->m, REPLCOPY_STAT_ZERO_WND_PROBES);
			s->snd_nxt = s->snd_una;
			s->rtt_pending = false;
			replcopy_retransmit_head(s);
			s->rto_at = jiffies + s->rto;
			return;
		}
		s->ssthresh = max_t(u32, (s->snd_max - s->snd_una) / 2,
				    2 * s->mss);
		s->cwnd = s->mss;
		s->snd_nxt = s->snd_una;
		s->rtt_pending = false;
		s->dupacks = 0;
		s->in_recovery = false;
		s->rto_at = jiffies + s->rto;	/* push resends from snd_una */
		return;
	}
	if (before(s->snd_nxt, s->c_nxt) && !s->snd_wnd) {
		/* Zero window probe: an old sequence number asks for an ACK. */
		replcopy_stat_inc(s->m, REPLCOPY_STAT_ZERO_WND_PROBES);
		replcopy_send_ctl(s, TCPHDR_ACK, s->snd_una - 1);
		s->rto = min_t(unsigned long, s->rto * 2, REPLCOPY_RTO_MAX);
		s->rto_at = jiffies + s->rto;
		return;
	}
	if (before(s->snd_nxt, s->c_nxt) ||
	    (s->c_fin && !s->fin_sent && s->snd_nxt == s->c_nxt)) {
		/*
		 * Nothing in flight but something to send: a local transmit
		 * failed (replcopy_xmit_failed). Back off; replcopy_push(),
		 * which runs next, tries again.
		 */
		if (s->retries >= READ_ONCE(replcopy_cfg.max_retries)) {
			replcopy_end(s, REPLCOPY_END_TIMEDOUT);
			return;
		}
		s->retries++;
		s->rto = min_t(unsigned long, s->rto * 2, REPLCOPY_RTO_MAX);
	}
}

static void replcopy_timers(struct replcopy_session *s)
{
	unsigned long now = jiffies;
	unsigned long idle = (unsigned long)READ_ONCE(replcopy_cfg.idle_timeout) * HZ;

	if (s->linger_at) {
		/* Linger until REPLCOPY_LINGER without traffic. */
		if (time_after_eq(now, s->linger_at) &&
		    time_after_eq(now, READ_ONCE(s->last_seen) +
				  REPLCOPY_LINGER))
			replcopy_end(s, REPLCOPY_END_CLOSED);
		return;
	}
	if (time_after_eq(now, READ_ONCE(s->last_seen) + idle)) {
		bool quiet = !before(s->snd_una, s->c_nxt) &&
			     skb_queue_empty(&s->ooo);

		replcopy_end(s, REPLCOPY_END_TIMEDOUT);
		/*
		 * An idle keep-alive connection may carry more requests
		 * later: free the session at once, so that its next data
		 * starts a fabricated one instead of a zombie absorbing it.
		 */
		if (quiet)
			replcopy_end(s, REPLCOPY_END_ABORT);
		return;
	}
	if (s->hs_at && time_after_eq(now, s->hs_at)) {
		/*
		 * The client never completed its handshake: a spoofed SYN,
		 * or a client gone. Nothing was sent to the target; free
		 * the session at once (its late data, if any, starts a
		 * fabricated one).
		 */
		replcopy_stat_inc(s->m, REPLCOPY_STAT_SYN_UNCONFIRMED);
		replcopy_end(s, REPLCOPY_END_TIMEDOUT);
		replcopy_end(s, REPLCOPY_END_ABORT);
		return;
	}
	if (s->busy_at && time_after_eq(now, s->busy_at) &&
	    !replcopy_start(s))
		return;
	if (s->rto_at && time_after_eq(now, s->rto_at))
		replcopy_rto(s);
	if (s->hold_at && time_after_eq(now, s->hold_at)) {
		s->hold_at = 0;
		s->resp_wait = false;
	}
}

static void replcopy_arm(struct replcopy_session *s)
{
	unsigned long idle = (unsigned long)READ_ONCE(replcopy_cfg.idle_timeout) * HZ;
	unsigned long next;

	if (s->linger_at) {
		next = READ_ONCE(s->last_seen) + REPLCOPY_LINGER;
		if (time_before(next, s->linger_at))
			next = s->linger_at;
	} else {
		next = READ_ONCE(s->last_seen) + idle;
		if (s->rto_at && time_before(s->rto_at, next))
			next = s->rto_at;
		if (s->hold_at && time_before(s->hold_at, next))
			next = s->hold_at;
		if (s->end_at && time_before(s->end_at, next))
			next = s->end_at;
		if (s->busy_at && time_before(s->busy_at, next))
			next = s->busy_at;
		if (s->hs_at && time_before(s->hs_at, next))
			next = s->hs_at;
		if (!s->rto_at && before(s->snd_nxt, s->c_nxt) &&
		    !s->snd_wnd && s->state != REPLCOPY_SS_SYN_SENT &&
		    s->state != REPLCOPY_SS_NONE) {
			s->rto_at = jiffies + s->rto;
			if (time_before(s->rto_at, next))
				next = s->rto_at;
		}
	}
	mod_timer(&s->timer, next);
}

/* ------------------------------------------------------------------ */
/* Worker entry                                                        */

static void replcopy_session_work(struct replcopy_session *s, u32 *items)
{
	struct sk_buff_head q;
	struct sk_buff *skb;

	if (s->ended)
		return;

	__skb_queue_head_init(&q);
	spin_lock_bh(&s->lock);
	skb_queue_splice_tail_init(&s->inbox, &q);
	spin_unlock_bh(&s->lock);
	*items = skb_queue_len(&q);

	if (test_and_clear_bit(REPLCOPY_EV_KILL, &s->events) ||
	    READ_ONCE(s->m->dead)) {
		replcopy_purge(s, &q);
		replcopy_end(s, REPLCOPY_END_ABORT);
		return;
	}
	if (test_and_clear_bit(REPLCOPY_EV_LIMIT, &s->events))
		replcopy_end(s, REPLCOPY_END_LIMIT);
	if (unlikely(s->loop) && !s->zombie)
		replcopy_end(s, REPLCOPY_END_LOOP);

	while ((skb = __skb_dequeue(&q))) {
		if (REPLCOPY_CB(skb)->icmp)
			replcopy_rx_icmp(s, skb);
		else if (REPLCOPY_CB(skb)->from_target)
			replcopy_rx_target(s, skb);
		else
			replcopy_rx_client(s, skb);
		if (s->ended) {
			replcopy_purge(s, &q);
			return;
		}
	}

	replcopy_timers(s);
	if (s->ended)
		return;
	/* Lingers as a zombie: the timer below must still run. */
	if (s->c_rst && !s->zombie && replcopy_end_due(s))
		replcopy_end(s, REPLCOPY_END_CLIENT_RST);
	replcopy_push(s);
	if (s->ack_due)
		replcopy_send_ack(s);
	replcopy_arm(s);
}

/*
 * Run by the session's worker model, never concurrently for one session.
 * The session stays valid until the model's stop() returned.
 */
void replcopy_session_run(struct replcopy_session *s)
{
	u32 items = 0;

	trace_replcopy_worker_start(s);
	replcopy_session_work(s, &items);
	trace_replcopy_worker_end(s, items);
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
			replcopy_event(s, REPLCOPY_EV_KILL);
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
	wait_event(tbl->waitq, !atomic_read(&m->nr_sessions));
}

static int replcopy_session_fill(struct sk_buff *skb,
				 struct replcopy_session *s)
{
	struct nlattr *nest;

	nest = nla_nest_start(skb, REPLCOPY_A_SESSION);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, REPLCOPY_SA_MAP_ID, s->m->id) ||
	    nla_put_in_addr(skb, REPLCOPY_SA_CLIENT_ADDR, s->caddr) ||
	    nla_put_u16(skb, REPLCOPY_SA_CLIENT_PORT, ntohs(s->cport)) ||
	    nla_put_in_addr(skb, REPLCOPY_SA_SOURCE_ADDR, READ_ONCE(s->saddr)) ||
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
			      REPLCOPY_SA_PAD)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
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
