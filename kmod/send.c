// SPDX-License-Identifier: GPL-2.0
/*
 * Segments to the target: timestamps, control segments, client data within
 * the window, retransmissions; and connecting: source port, SYN and its
 * options.
 * See session.c for the state machine.
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
#include <net/inet6_hashtables.h>
#include <net/inet_hashtables.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/tcp.h>
#include <asm/unaligned.h>

#include "session_int.h"
#include "tcp_logic.h"
#include "trace.h"

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
	s->dack_at = 0;
	s->rcv_acked = s->rcv_nxt;
}

int replcopy_send_ctl(struct replcopy_session *s, u8 flags, u32 seq)
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

void replcopy_send_ack(struct replcopy_session *s)
{
	replcopy_send_ctl(s, TCPHDR_ACK, s->snd_nxt);
}

/* Reset the target's side, if it may know this connection at all. */
void replcopy_send_rst(struct replcopy_session *s)
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

void replcopy_send_syn(struct replcopy_session *s, bool retrans)
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

void replcopy_rtt_sample(struct replcopy_session *s)
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

/*
 * Client data: len bytes at seq, copied from sndq, one segment or one GSO
 * skb of several. Returns the bytes sent (maybe fewer), or -errno.
 */
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
void replcopy_retransmit_head(struct replcopy_session *s)
{
	if (before(s->snd_una, s->c_nxt)) {
		replcopy_send_data(s, s->snd_una,
				   min3(s->c_nxt - s->snd_una,
					s->snd_max - s->snd_una, (u32)s->mss));
	} else if (s->fin_sent && !s->fin_acked) {
		if (!replcopy_send_ctl(s, TCPHDR_FIN | TCPHDR_ACK, s->c_nxt))
			replcopy_tstat_inc(s->t, REPLCOPY_STAT_RETRANS_SEGS);
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

static void replcopy_end_view(const struct replcopy_session *s,
			      struct replcopy_end_view *v)
{
	*v = (struct replcopy_end_view) {
		.now = jiffies,
		.c_end_at = s->c_end_at,
		.t_progress_at = s->t_progress_at,
		.m_progress_at = READ_ONCE(s->m->t_progress_at),
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
}

/*
 * Ending now with a RST would discard what the connected target has not
 * acknowledged or not answered yet (counted in rst_unanswered).
 */
bool replcopy_end_unanswered(const struct replcopy_session *s)
{
	struct replcopy_end_view v;

	if (s->state != REPLCOPY_SS_ESTABLISHED &&
	    s->state != REPLCOPY_SS_FIN_WAIT &&
	    s->state != REPLCOPY_SS_CLOSE_WAIT)
		return false;
	if (before(s->snd_una, s->c_nxt))
		return true;
	replcopy_end_view(s, &v);
	return replcopy_end_behind(&v);
}

/*
 * Is the client's end (FIN or RST) due? See the comment at the top. If it
 * is not, s->end_at is when to look again (other events may come sooner).
 */
bool replcopy_end_due(struct replcopy_session *s)
{
	struct replcopy_end_view v;
	unsigned long at, limit;

	replcopy_end_view(s, &v);

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
void replcopy_xmit_failed(struct replcopy_session *s)
{
	if (!s->rto_at)
		s->rto_at = jiffies + s->rto;
}

/* Lowest path MTU used (Linux: ip_rt_min_pmtu); below it, DF is off. */
#define REPLCOPY_MIN_PMTU	552

/*
 * The path toward the target passes at most mtu bytes a packet: make the
 * segments fit and send what is in flight again (it did not get through).
 * False when they fit already.
 */
bool replcopy_fit_mtu(struct replcopy_session *s, u32 mtu)
{
	u32 hdr = replcopy_nhlen(s) + sizeof(struct tcphdr) +
		  (s->ts_ok ? TCPOLEN_TSTAMP_ALIGNED : 0);
	bool no_df = false;
	u32 mss;

	/* IPv6 has no DF to clear: never below its minimum MTU (RFC 8201). */
	if (s->family == AF_INET6)
		mss = replcopy_pmtu_mss(mtu, hdr, s->mss, IPV6_MIN_MTU, &no_df);
	else
		mss = replcopy_pmtu_mss(mtu, hdr, s->mss, REPLCOPY_MIN_PMTU,
					&s->no_df);

	if (!mss)
		return false;
	s->mss = mss;
	replcopy_tstat_inc(s->t, REPLCOPY_STAT_PMTU_LOWERED);
	s->snd_nxt = s->snd_una;
	s->rtt_pending = false;
	s->in_recovery = false;
	s->dupacks = 0;
	return true;
}

/* Send the client data and FIN that the window, cwnd and pacing allow. */
void replcopy_push(struct replcopy_session *s)
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
		len = min(s->c_nxt - s->snd_nxt, wnd_end - s->snd_nxt);
		retrans = before(s->snd_nxt, s->snd_max);
		/* A retransmission and new data never share a GSO skb. */
		if (retrans)
			len = min(len, s->snd_max - s->snd_nxt);
		err = replcopy_send_data(s, s->snd_nxt, len);
		if (err == -EMSGSIZE && replcopy_fit_mtu(s, s->route_mtu))
			continue;
		if (err <= 0) {
			replcopy_xmit_failed(s);
			break;
		}
		len = err;	/* what one skb carried (GSO: see xmit.c) */
		if (!retrans) {
			s->resp_wait = true;
			s->hold_at = 0;
			s->data_sent_at = jiffies;
			if (!s->rtt_pending) {
				s->rtt_pending = true;
				/* The first segment's ACK, not the skb's. */
				s->rtt_seq = s->snd_nxt + min_t(u32, len, s->mss);
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
			replcopy_tstat_inc(s->t, REPLCOPY_STAT_RETRANS_SEGS);
		s->fin_sent = true;
		s->snd_nxt++;
		s->snd_max = s->snd_nxt;
		replcopy_set_state(s, REPLCOPY_SS_FIN_WAIT, REPLCOPY_CAUSE_CLIENT_FIN);
		if (!s->rto_at)
			s->rto_at = jiffies + s->rto;
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
/*
 * A connection of the host's own from the session's source address and
 * port toward its target (a socket or a TIME-WAIT one), or NULL.
 */
static struct sock *replcopy_local_conn(struct net *net,
					struct replcopy_session *s,
					__be16 sport)
{
	struct inet_hashinfo *h = net->ipv4.tcp_death_row.hashinfo;

	if (s->family == AF_INET6)
		return __inet6_lookup_established(net, h, &s->taddr.in6,
						  s->tport, &s->saddr.in6,
						  ntohs(sport), 0, 0);
	return __inet_lookup_established(net, h, s->taddr.ip, s->tport,
					 s->saddr.ip, ntohs(sport), 0, 0);
}

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
		if (!replcopy_lookup_reply(tbl, s->family, &s->taddr, s->tport,
					   &s->saddr, htons(port))) {
			sk = replcopy_local_conn(net, s, htons(port));
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
	u32 lo = READ_ONCE(replcopy_src_port_min),
	    hi = READ_ONCE(replcopy_src_port_max);
	struct replcopy_table *tbl = s->tbl;
	struct replcopy_pool *pool, *new = NULL;
	bool reused = false;
	LIST_HEAD(gc);
	int err = 0;

	if (!lo || lo > hi || hi > 65535) {
		replcopy_tstat_inc(s->t, REPLCOPY_STAT_DROP_NOPORT);
		return -EADDRNOTAVAIL;
	}
	spin_lock_bh(&tbl->lock);
	pool = replcopy_pool_find(&tbl->ports, s->family, &s->saddr, &s->taddr,
				  s->tport, lo, hi);
	if (!pool) {
		/* The first session toward this target: make its pool. */
		spin_unlock_bh(&tbl->lock);
		new = replcopy_pool_new(s->family, &s->saddr, &s->taddr,
					s->tport, lo, hi);
		if (!new) {
			replcopy_tstat_inc(s->t, REPLCOPY_STAT_DROP_NOMEM);
			return -ENOMEM;
		}
		spin_lock_bh(&tbl->lock);
		pool = replcopy_pool_find(&tbl->ports, s->family, &s->saddr,
					  &s->taddr, s->tport, lo, hi);
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
				   &tbl->thash[replcopy_hash(s->family,
							     &s->taddr,
							     &s->saddr,
							     s->tport,
							     s->sport)]);
	}
	spin_unlock_bh(&tbl->lock);

	if (new)
		replcopy_pool_free(new);
	replcopy_pools_free(&gc);
	if (!s->sport) {
		/* Every port of the range busy toward this target. */
		replcopy_tstat_inc(s->t, REPLCOPY_STAT_DROP_NOPORT);
		err = -EADDRNOTAVAIL;
	} else if (reused) {
		replcopy_tstat_inc(s->t, REPLCOPY_STAT_PORT_REUSED);
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
		if (replcopy_route_source(tbl->rn->net, s->family, &s->taddr,
					  s->tport, &s->saddr)) {
			replcopy_tstat_inc(s->t, REPLCOPY_STAT_DROP_NOROUTE);
			return -EHOSTUNREACH;
		}
	}

	if (s->family == AF_INET6) {
		struct in6_addr a[2] = { s->saddr.in6, s->taddr.in6 };

		s->ts_off = (u32)siphash(a, sizeof(a), &replcopy_ts_key);
	} else {
		s->ts_off = (u32)siphash_2u32((__force u32)s->saddr.ip,
					      (__force u32)s->taddr.ip,
					      &replcopy_ts_key);
	}

	if (m->source == REPLCOPY_SOURCE_CLIENT) {
		spin_lock_bh(&tbl->lock);
		old = replcopy_lookup_reply(tbl, s->family, &s->taddr, s->tport,
					    &s->saddr, s->sport);
		if (old && replcopy_life(old) == REPLCOPY_LIFE_LIVE) {
			/* See replcopy_start(). */
			spin_unlock_bh(&tbl->lock);
			return -EBUSY;
		}
		/* The lingering one gets no target segment any more. */
		if (old)
			hlist_del_init_rcu(&old->tnode);
		hlist_add_head_rcu(&s->tnode,
				   &tbl->thash[replcopy_hash(s->family,
							     &s->taddr,
							     &s->saddr,
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
bool replcopy_start(struct replcopy_session *s)
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
		replcopy_tstat_inc(s->t, REPLCOPY_STAT_DROP_NOPORT);
	}
	if (err == -EHOSTUNREACH)
		replcopy_ev_session(s, REPLCOPY_EV_TARGET_UNREACHABLE, 0);
	else if (err == -EADDRNOTAVAIL || err == -EBUSY)
		replcopy_ev_session(s, REPLCOPY_EV_LIMIT, REPLCOPY_LIMIT_PORTS);
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
void replcopy_syn_options(struct replcopy_session *s,
			  const u8 *opt, int len)
{
	int i, n;

	memcpy(s->synopt, opt, len);
	s->synopt_len = len;
	for (i = 0; replcopy_opt_next(opt, len, &i); i += n) {
		n = opt[i + 1];
		switch (opt[i]) {
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
void replcopy_fabricate_syn(struct replcopy_session *s)
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
