// SPDX-License-Identifier: GPL-2.0
/*
 * The session's timers (retransmission, idle, linger, handshake wait) and
 * the worker's run over the inbox.
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
#include <net/inet_hashtables.h>
#include <net/ip.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/tcp.h>
#include <asm/unaligned.h>

#include "session_int.h"
#include "tcp_logic.h"
#include "trace.h"

/* ------------------------------------------------------------------ */
/* Worker: timers                                                      */

/* Exponential backoff of the retransmission timer. */
static void replcopy_rto_backoff(struct replcopy_session *s)
{
	s->rto = min_t(unsigned long, s->rto * 2, REPLCOPY_RTO_MAX);
}

/* Data sent again or retried: false once max_retries ended the session. */
static bool replcopy_rto_retry(struct replcopy_session *s)
{
	if (s->retries >= READ_ONCE(replcopy_cfg.max_retries)) {
		replcopy_end(s, REPLCOPY_END_TIMEDOUT);
		return false;
	}
	s->retries++;
	replcopy_rto_backoff(s);
	return true;
}

static void replcopy_rto(struct replcopy_session *s)
{
	s->rto_at = 0;
	switch (replcopy_rto_action(s->state == REPLCOPY_SS_SYN_SENT,
				    s->snd_una, s->snd_nxt, s->snd_max,
				    s->c_nxt, s->snd_wnd,
				    s->c_fin && !s->fin_sent)) {
	case REPLCOPY_RTO_SYN:
		if (s->syn_tries >= READ_ONCE(replcopy_cfg.syn_retries)) {
			replcopy_ev_session(s, REPLCOPY_EV_TARGET_UNREACHABLE,
					    0);
			replcopy_end(s, REPLCOPY_END_TIMEDOUT);
			return;
		}
		s->syn_tries++;
		replcopy_rto_backoff(s);
		replcopy_send_syn(s, true);
		s->rto_at = jiffies + s->rto;
		return;
	case REPLCOPY_RTO_PROBE_HEAD:
		/*
		 * Zero window with data in flight: the window update may have
		 * been lost, and replcopy_push() sends nothing into a closed
		 * window. The target's ACK carries its window, and resets
		 * retries. What was in flight goes again once the window
		 * opens.
		 */
		if (!replcopy_rto_retry(s))
			return;
		replcopy_tstat_inc(s->t, REPLCOPY_STAT_ZERO_WND_PROBES);
		s->snd_nxt = s->snd_una;
		s->rtt_pending = false;
		replcopy_retransmit_head(s);
		s->rto_at = jiffies + s->rto;
		return;
	case REPLCOPY_RTO_LOSS:
		if (!replcopy_rto_retry(s))
			return;
		s->ssthresh = max_t(u32, (s->snd_max - s->snd_una) / 2,
				    2 * s->mss);
		s->cwnd = s->mss;
		s->snd_nxt = s->snd_una;
		s->rtt_pending = false;
		s->dupacks = 0;
		s->in_recovery = false;
		s->rto_at = jiffies + s->rto;	/* push resends from snd_una */
		return;
	case REPLCOPY_RTO_PROBE:
		replcopy_tstat_inc(s->t, REPLCOPY_STAT_ZERO_WND_PROBES);
		replcopy_send_ctl(s, TCPHDR_ACK, s->snd_una - 1);
		replcopy_rto_backoff(s);
		s->rto_at = jiffies + s->rto;
		return;
	case REPLCOPY_RTO_RETRY:
		/* replcopy_push(), which runs next, tries again. */
		replcopy_rto_retry(s);
		return;
	case REPLCOPY_RTO_NONE:
		return;
	}
}

static void replcopy_timers(struct replcopy_session *s)
{
	unsigned long now = jiffies;
	unsigned long idle = (unsigned long)READ_ONCE(replcopy_cfg.idle_timeout) * HZ;

	if (s->life != REPLCOPY_LIFE_LIVE) {
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
		replcopy_tstat_inc(s->t, REPLCOPY_STAT_SYN_UNCONFIRMED);
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

	if (s->life != REPLCOPY_LIFE_LIVE) {
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
		if (s->dack_at && time_before(s->dack_at, next))
			next = s->dack_at;
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

	if (s->life == REPLCOPY_LIFE_ENDED)
		return;

	__skb_queue_head_init(&q);
	spin_lock_bh(&s->lock);
	skb_queue_splice_tail_init(&s->inbox, &q);
	spin_unlock_bh(&s->lock);
	*items = skb_queue_len(&q);

	if (test_and_clear_bit(REPLCOPY_SE_KILL, &s->events) ||
	    READ_ONCE(s->m->dead)) {
		replcopy_purge(s, &q);
		replcopy_end(s, REPLCOPY_END_ABORT);
		return;
	}
	if (test_and_clear_bit(REPLCOPY_SE_LIMIT, &s->events))
		replcopy_end(s, REPLCOPY_END_LIMIT);
	if (unlikely(s->loop) && s->life == REPLCOPY_LIFE_LIVE)
		replcopy_end(s, REPLCOPY_END_LOOP);

	while ((skb = __skb_dequeue(&q))) {
		if (REPLCOPY_CB(skb)->icmp)
			replcopy_rx_icmp(s, skb);
		else if (REPLCOPY_CB(skb)->from_target)
			replcopy_rx_target(s, skb);
		else
			replcopy_rx_client(s, skb);
		if (s->life == REPLCOPY_LIFE_ENDED) {
			replcopy_purge(s, &q);
			return;
		}
	}

	replcopy_timers(s);
	if (s->life == REPLCOPY_LIFE_ENDED)
		return;
	/* Lingers as a zombie: the timer below must still run. */
	if (s->c_rst && s->life == REPLCOPY_LIFE_LIVE && replcopy_end_due(s))
		replcopy_end(s, REPLCOPY_END_CLIENT_RST);
	replcopy_push(s);
	if (s->ack_due &&
	    (!s->dack_at || time_after_eq(jiffies, s->dack_at)))
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
