/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The emulated client's pure TCP decisions: what a client SYN on a known
 * tuple means, what it takes, when it acks, how its send and congestion
 * windows move, how it estimates the RTT, what its retransmission timer
 * does, its segment size for a path MTU, how much one GSO skb carries, and
 * when the client's end (FIN or RST) is due.
 * Only values in, a verdict out: no session, no skb, no clock read. They
 * run in the module (session.c) and, on the host, in the cmocka tests of
 * tests/unit/test_tcp.c, which build this header against a shim of the
 * few kernel definitions it uses (tests/unit/kshim/).
 */
#ifndef _REPLCOPY_TCP_LOGIC_H
#define _REPLCOPY_TCP_LOGIC_H

#include <linux/jiffies.h>
#include <linux/types.h>
#include <net/tcp.h>

/* A target quiet this long after its last progress may be done. */
#define REPLCOPY_END_QUIET	(1 * HZ)
/* The client's end is due this long after it at the latest. */
#define REPLCOPY_END_MAX	(60 * HZ)
/*
 * A client's RST waits at most this long without the target's progress on
 * its connection or on any of the mapping's others (replcopy_end_limit()).
 */
#define REPLCOPY_RST_GRACE	(5 * HZ)
/* Progress on the others alone holds it at most this long after the RST. */
#define REPLCOPY_RST_MAX	(20 * HZ)

/* A client SYN (no ACK) on the tuple of a session: what is it? */
enum replcopy_syn_verdict {
	REPLCOPY_SYN_AGAIN,	/* the session's own SYN, retransmitted */
	REPLCOPY_SYN_NEW,	/* a new connection: the session is over */
	REPLCOPY_SYN_ASK,	/* another ISN on a live session: new only if
				 * the online host's connection on the tuple
				 * is over (else a stray or forged SYN)
				 */
};

/*
 * A client reuses its port (SO_LINGER 0 closes, tcp_tw_reuse): a SYN on a
 * lingering or ended session is a new connection, and so may be one with
 * another ISN on a live session.
 */
static inline enum replcopy_syn_verdict
replcopy_client_syn(bool live, u32 isn, u32 c_isn)
{
	if (!live)
		return REPLCOPY_SYN_NEW;
	return isn == c_isn ? REPLCOPY_SYN_AGAIN : REPLCOPY_SYN_ASK;
}

/*
 * The segment size for a path MTU (ICMP "fragmentation needed"): not below
 * min_mtu (Linux's ip_rt_min_pmtu), where DF goes off (*no_df); 0 when the
 * segments of size mss fit already.
 */
static inline u32 replcopy_pmtu_mss(u32 mtu, u32 hdr, u32 mss, u32 min_mtu,
				    bool *no_df)
{
	if (mtu < min_mtu) {
		*no_df = true;
		mtu = min_mtu;
	}
	return mtu - hdr >= mss ? 0 : mtu - hdr;
}

/*
 * How many of len bytes of client data one skb carries (xmit.c): up to one
 * MSS, as many as there are; beyond, with GSO, whole segments of mss up to
 * what one GSO skb may hold, or all of len if less. max_size: the most the
 * device takes in one skb (its gso_max_size, at most IPv4's 64 KiB), of
 * which hdrlen is kept for the headers (TCP keeps MAX_TCP_HEADER + 1, so
 * that link-layer and tunnel headers fit too); max_segs its gso_max_segs;
 * max_payload what the skb's pages hold. Below TCP_MIN_SND_MSS (a target
 * announcing a tiny MSS), no GSO: one skb would be thousands of segments.
 */
static inline u32 replcopy_gso_bytes(u32 len, u32 mss, bool gso, u32 max_size,
				     u32 max_segs, u32 hdrlen, u32 max_payload)
{
	u32 max, segs;

	if (len <= mss || !gso || mss < TCP_MIN_SND_MSS)
		return len < mss ? len : mss;
	if (max_size <= hdrlen)
		return mss;
	max = max_size - hdrlen;
	if (max > max_payload)
		max = max_payload;
	segs = max / mss;
	if (segs > max_segs)
		segs = max_segs;
	if (segs <= 1)
		return mss;
	return len < segs * mss ? len : segs * mss;
}

/*
 * A client's RST is taken only at its rcv_nxt, as the online host's stack
 * takes it (RFC 5961 3.2), or just after the client's FIN.
 */
static inline bool replcopy_client_rst_ok(u32 seq, u32 c_nxt, bool c_fin)
{
	return seq == c_nxt || (c_fin && seq == c_nxt + 1);
}

/* A target's RST is taken anywhere in the window we announced (RFC 793). */
static inline bool replcopy_target_rst_ok(u32 seq, u32 rcv_nxt, u32 rcv_wnd)
{
	return !before(seq, rcv_nxt) && before(seq, rcv_nxt + rcv_wnd);
}

enum replcopy_ack {
	REPLCOPY_ACK_BATCH,	/* at the batch's end, or with our data */
	REPLCOPY_ACK_NOW,
	REPLCOPY_ACK_DELAY,	/* up to REPLCOPY_DELACK, for our FIN */
};

/*
 * When to ack the target's data or FIN, as Linux does
 * (__tcp_ack_snd_check(), tcp_fin()):
 * - at once when more than one full segment is unacked, for a FIN that
 *   answers ours (FIN_WAIT: the last ACK), and for a FIN seen before
 *   (a retransmission: our ACK was lost);
 * - a first FIN while we are still open (CLOSE_WAIT, Linux's pingpong
 *   mode) waits up to the delayed-ACK time, so that the client's FIN,
 *   which usually follows within it, carries the ACK: one segment less
 *   per connection the server closes;
 * - else one ACK at the end of the batch, for all of it, or in the data
 *   we send meanwhile.
 */
static inline enum replcopy_ack replcopy_ack_when(bool fin, bool fin_new,
						  bool fin_sent, u32 rcv_nxt,
						  u32 rcv_acked, u32 mss)
{
	if (rcv_nxt - rcv_acked > mss || (fin && (!fin_new || fin_sent)))
		return REPLCOPY_ACK_NOW;
	return fin ? REPLCOPY_ACK_DELAY : REPLCOPY_ACK_BATCH;
}

/*
 * Walks TCP options (RFC 9293 3.1): from *i, skips NOPs and returns true
 * with *i at the next option, whose kind opt[*i] and length opt[*i + 1]
 * (at least 2) lie within len; false at the end, at EOL or at a malformed
 * option, with *i there. The caller steps *i by the option's length.
 */
static inline bool replcopy_opt_next(const u8 *opt, int len, int *i)
{
	while (*i < len && opt[*i] == TCPOPT_NOP)
		(*i)++;
	return *i + 1 < len && opt[*i] != TCPOPT_EOL && opt[*i + 1] >= 2 &&
	       *i + opt[*i + 1] <= len;
}

/* An ACK of something we sent, or a duplicate (RFC 793 3.9). */
static inline bool replcopy_ack_ok(u32 ack, u32 snd_una, u32 snd_max)
{
	return !after(ack, snd_max) && !before(ack, snd_una);
}

/*
 * Does the segment (seq, ack, wnd) update the send window? RFC 793's
 * SND.WL1 rule: a newer segment, or an ACK of new data; of the same
 * segment number, a window that opens more or closes (a zero window).
 */
static inline bool replcopy_wnd_update(u32 seq, u32 ack, u32 wnd,
				       u32 snd_una, u32 snd_wl1, u32 snd_wnd)
{
	return after(ack, snd_una) || after(seq, snd_wl1) ||
	       (seq == snd_wl1 && (wnd > snd_wnd || !wnd));
}

/*
 * Client payload bytes an ACK of new data covers: up to ack, but not our
 * FIN, which takes the sequence number after the client's last byte.
 */
static inline u32 replcopy_acked_payload(u32 ack, u32 snd_una, u32 c_nxt,
					 bool fin_sent)
{
	u32 end = (fin_sent && after(ack, c_nxt)) ? c_nxt : ack;

	return after(end, snd_una) ? end - snd_una : 0;
}

/*
 * Congestion window after bytes of new data were acked (RFC 5681 3.1):
 * slow start below ssthresh (at most an MSS per ACK), then about an MSS
 * per round trip; never above cap.
 */
static inline u32 replcopy_cwnd_acked(u32 cwnd, u32 ssthresh, u32 bytes,
				      u32 mss, u32 cap)
{
	u32 inc;

	if (cwnd < ssthresh) {
		inc = bytes < mss ? bytes : mss;
	} else {
		inc = (u32)(((u64)mss * mss) / cwnd);
		if (!inc)
			inc = 1;
	}
	return cwnd + inc < cap ? cwnd + inc : cap;
}

/*
 * A duplicate ACK (RFC 5681 2): no data, nothing new acked, data in
 * flight, the same window.
 */
static inline bool replcopy_dupack(bool pure, u32 ack, u32 snd_una,
				   u32 snd_max, u32 wnd, u32 snd_wnd)
{
	return pure && ack == snd_una && snd_una != snd_max && wnd == snd_wnd;
}

/* Slow start threshold after a loss (RFC 5681 (4)): half the flight. */
static inline u32 replcopy_ssthresh_loss(u32 flight, u32 mss)
{
	return flight / 2 > 2 * mss ? flight / 2 : 2 * mss;
}

/* RTT sample r (us) into srtt and rttvar, as RFC 6298 2.2-2.3. */
static inline void replcopy_rtt_update(u32 *srtt_us, u32 *rttvar_us, u32 r)
{
	u32 d;

	if (!*srtt_us) {
		*srtt_us = r;
		*rttvar_us = r / 2;
		return;
	}
	d = *srtt_us > r ? *srtt_us - r : r - *srtt_us;
	*rttvar_us = (3 * *rttvar_us + d) / 4;
	*srtt_us = (7 * *srtt_us + r) / 8;
}

/* RTO (us) before its bounds: SRTT + max(G, 4 RTTVAR), RFC 6298 2.3. */
static inline u32 replcopy_rto_us(u32 srtt_us, u32 rttvar_us, u32 g_us)
{
	u32 k = 4 * rttvar_us;

	return srtt_us + (k > g_us ? k : g_us);
}

/*
 * What the retransmission timer does when it fires. One timer, as Linux's
 * icsk retransmit timer serves the SYN, the RTO and the zero-window probe:
 * what is in flight and what the window allows decide which it is.
 */
enum replcopy_rto_action {
	REPLCOPY_RTO_SYN,	/* SYN_SENT: the SYN again (or give up) */
	REPLCOPY_RTO_PROBE_HEAD, /* window closed, data in flight: the
				  * first unacknowledged segment, whatever
				  * the window (tcp_retransmit_timer)
				  */
	REPLCOPY_RTO_LOSS,	/* data in flight: back to snd_una, cwnd 1 */
	REPLCOPY_RTO_PROBE,	/* window closed, nothing in flight: an old
				 * sequence number asks for its window
				 */
	REPLCOPY_RTO_RETRY,	/* nothing in flight, data or our FIN to send:
				 * a local transmit failed; back off
				 */
	REPLCOPY_RTO_NONE,	/* nothing to do */
};

static inline enum replcopy_rto_action
replcopy_rto_action(bool syn_sent, u32 snd_una, u32 snd_nxt, u32 snd_max,
		    u32 c_nxt, u32 snd_wnd, bool fin_to_send)
{
	if (syn_sent)
		return REPLCOPY_RTO_SYN;
	if (snd_una != snd_max)
		return !snd_wnd && before(snd_una, c_nxt) ?
		       REPLCOPY_RTO_PROBE_HEAD : REPLCOPY_RTO_LOSS;
	if (before(snd_nxt, c_nxt) && !snd_wnd)
		return REPLCOPY_RTO_PROBE;
	if (before(snd_nxt, c_nxt) || (fin_to_send && snd_nxt == c_nxt))
		return REPLCOPY_RTO_RETRY;
	return REPLCOPY_RTO_NONE;
}

/* What the end of the client's connection waits on (session.c fills it). */
struct replcopy_end_view {
	unsigned long now;
	unsigned long c_end_at;		/* the client's FIN or RST came */
	unsigned long t_progress_at;	/* the target's last progress */
	unsigned long m_progress_at;	/* ... on any of the mapping's
					 * sessions
					 */
	unsigned long data_sent_at;	/* our last client data left */
	unsigned long fin_gap;		/* the real client's data -> end gap */
	u32 t_used;			/* sequence space the target used */
	u32 c_acked;			/* what the online server delivered
					 * to the client by then (its ACKs)
					 */
	bool c_rst;			/* the end is a RST */
	bool c_ack_seen;		/* c_acked is known */
	bool t_fin;			/* the target's FIN came */
	bool t_hole;			/* target data is missing */
	bool t_idle;			/* a probe showed it sent all it had */
};

enum replcopy_end_verdict {
	REPLCOPY_END_DUE,		/* end now */
	REPLCOPY_END_WAIT,		/* not before *at */
	REPLCOPY_END_PROBE,		/* probe the target, then as WAIT */
};

/*
 * The latest time the end can wait: REPLCOPY_END_MAX after it. For a RST
 * also REPLCOPY_RST_GRACE after the target's last progress on this
 * connection (or the RST), or, if later, after its last progress on any of
 * the mapping's connections, but no later than REPLCOPY_RST_MAX after the
 * RST: a server that works through a backlog one connection after another
 * (nginx drains one connection's pipelined requests before the next)
 * leaves the last ones without progress for as long as the others take.
 */
static inline unsigned long
replcopy_end_limit(const struct replcopy_end_view *v)
{
	unsigned long last = v->t_progress_at, limit, busy;

	if (time_before(last, v->c_end_at))
		last = v->c_end_at;
	limit = v->c_end_at + REPLCOPY_END_MAX;
	if (!v->c_rst)
		return limit;
	busy = v->m_progress_at + REPLCOPY_RST_GRACE;
	if (time_after(busy, v->c_end_at + REPLCOPY_RST_MAX))
		busy = v->c_end_at + REPLCOPY_RST_MAX;
	if (time_before(busy, last + REPLCOPY_RST_GRACE))
		busy = last + REPLCOPY_RST_GRACE;
	return time_before(busy, limit) ? busy : limit;
}

/*
 * The target answered less than the online server had delivered to the
 * client when it ended (or we do not know how much that was), and has not
 * ended its side: it may hold requests it has not read.
 */
static inline bool replcopy_end_behind(const struct replcopy_end_view *v)
{
	return !v->t_fin && (!v->c_ack_seen || v->t_used < v->c_acked);
}

/*
 * Once the target acknowledged all client data before the end: is the end
 * due, or when to look again? It is due when the target answered at least
 * as much as the online server did, no sooner after our last data than
 * the real client's own gap. When it answered less, it may still be at
 * work: wait until it was quiet for REPLCOPY_END_QUIET, on this connection
 * and on the mapping's others (these at most REPLCOPY_RST_MAX after the
 * client's end), then probe it
 * (REPLCOPY_END_PROBE: the caller sends the probe and waits for its
 * answer); once it showed it holds nothing more, a FIN is due (its answers
 * differ from the online server's), but a RST, which discards what the
 * server has not read yet, waits until limit (replcopy_end_limit(), which
 * the target's progress moves on). Missing target data: until limit.
 */
static inline enum replcopy_end_verdict
replcopy_end_when(const struct replcopy_end_view *v, unsigned long limit,
		  unsigned long *at)
{
	unsigned long last = v->t_progress_at, busy;
	enum replcopy_end_verdict verdict = REPLCOPY_END_WAIT;

	if (time_before(last, v->c_end_at))
		last = v->c_end_at;
	*at = v->now;
	if (v->fin_gap && time_before(*at, v->data_sent_at + v->fin_gap))
		*at = v->data_sent_at + v->fin_gap;
	if (replcopy_end_behind(v)) {
		/*
		 * Quiet here is not done while the target works on the
		 * mapping's other connections: its stack acknowledged our
		 * requests, but its server may not have read them yet, and
		 * an end now makes a server such as nginx drop them (seen:
		 * --copies 3 on a saturated target). Its progress anywhere
		 * counts, up to REPLCOPY_RST_MAX after the client's end (a
		 * RST's limit has that already).
		 */
		busy = v->m_progress_at;
		if (time_after(busy, v->c_end_at + REPLCOPY_RST_MAX))
			busy = v->c_end_at + REPLCOPY_RST_MAX;
		if (!v->c_rst && time_after(busy, last))
			last = busy;
		if (v->t_hole)
			*at = limit;
		else if (time_before(*at, last + REPLCOPY_END_QUIET))
			*at = last + REPLCOPY_END_QUIET;
		else if (!v->t_idle)
			verdict = REPLCOPY_END_PROBE;
		else if (v->c_rst)
			*at = limit;
	}
	if (verdict == REPLCOPY_END_WAIT && !time_before(v->now, *at))
		return REPLCOPY_END_DUE;
	return verdict;
}

#endif /* _REPLCOPY_TCP_LOGIC_H */
