// SPDX-License-Identifier: GPL-2.0
/*
 * Segments from the client (ordering, payload storage, the client's
 * ACKs and end) and from the target (handshake, ACKs, data, RST, ICMP).
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
	int i;

	memset(o, 0, sizeof(*o));
	for (i = 0; replcopy_opt_next(opt, len, &i); i += opt[i + 1]) {
		switch (opt[i]) {
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
		replcopy_tstat_inc(s->t, REPLCOPY_STAT_DROP_NOMEM);
		replcopy_free(s, skb);
		replcopy_end(s, REPLCOPY_END_LIMIT);
		return false;
	}
	s->c_nxt = cb->end_seq;
	if (n) {
		s->c_data_at = jiffies;
		s->captured_bytes += n;
		replcopy_tstat_add(s->t, REPLCOPY_STAT_CAPTURED_BYTES, n);
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

void replcopy_rx_client(struct replcopy_session *s,
			struct sk_buff *skb)
{
	struct replcopy_cb *cb = REPLCOPY_CB(skb);
	u8 buf[60];
	const struct tcphdr *th;
	int optlen;

	if (s->life == REPLCOPY_LIFE_ZOMBIE) {
		replcopy_free(s, skb);
		return;
	}
	th = replcopy_tcp_header(skb, buf, &optlen);
	if (!th) {
		replcopy_tstat_inc(s->t, REPLCOPY_STAT_DROP_OTHER);
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
		replcopy_tstat_inc(s->t, REPLCOPY_STAT_DROP_OTHER);
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
			replcopy_tstat_inc(s->t, REPLCOPY_STAT_DROP_OTHER);
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

/* The target made progress: on this connection, and so on the mapping's. */
static void replcopy_progress(struct replcopy_session *s)
{
	unsigned long now = jiffies;

	s->t_progress_at = now;
	if (READ_ONCE(s->m->t_progress_at) != now)
		WRITE_ONCE(s->m->t_progress_at, now);
}

static void replcopy_check_closed(struct replcopy_session *s)
{
	if (s->fin_acked && s->t_fin && s->state != REPLCOPY_SS_CLOSED) {
		replcopy_set_state(s, REPLCOPY_SS_CLOSED,
				   REPLCOPY_CAUSE_FIN_ACKED);
		replcopy_tstat_inc(s->t, REPLCOPY_STAT_SESS_CLOSED);
		replcopy_ev_session(s, REPLCOPY_EV_SESSION_END,
				    REPLCOPY_ER_CLOSED);
		s->linger_at = jiffies + REPLCOPY_LINGER;
		s->rto_at = 0;
		s->hold_at = 0;
		WRITE_ONCE(s->life, REPLCOPY_LIFE_LINGER);
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
	replcopy_tstat_inc(s->t, REPLCOPY_STAT_SESS_ESTABLISHED);
	replcopy_ev_session(s, REPLCOPY_EV_SESSION_ESTABLISHED, 0);
	/*
	 * The handshake's ACK goes at the batch's end, in the first data
	 * segment if the client's request is waiting, as Linux saves it when
	 * a write is pending (tcp_rcv_synsent_state_process()); else alone.
	 */
	s->ack_due = true;
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
	bool wnd_update;
	u32 bytes;

	if (!replcopy_ack_ok(ack, s->snd_una, s->snd_max))
		return;
	wnd_update = replcopy_wnd_update(seq, ack, wnd, s->snd_una, s->snd_wl1,
					 s->snd_wnd);

	if (after(ack, s->snd_una)) {
		bytes = replcopy_acked_payload(ack, s->snd_una, s->c_nxt,
					       s->fin_sent);
		if (s->fin_sent && after(ack, s->c_nxt))
			s->fin_acked = true;
		if (bytes) {
			s->acked_bytes += bytes;
			replcopy_tstat_add(s->t, REPLCOPY_STAT_ACKED_BYTES, bytes);
			s->cwnd = replcopy_cwnd_acked(s->cwnd, s->ssthresh, bytes,
						      s->mss, REPLCOPY_CWND_MAX);
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
	} else if (replcopy_dupack(pure, ack, s->snd_una, s->snd_max, wnd,
				   s->snd_wnd)) {
		/* Duplicate ACK: fast retransmit on the third. */
		if (++s->dupacks == 3 && !s->in_recovery) {
			s->in_recovery = true;
			s->recover = s->snd_max;
			s->ssthresh = replcopy_ssthresh_loss(s->snd_max - s->snd_una,
							     s->mss);
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
	replcopy_tstat_inc(s->t, REPLCOPY_STAT_SYN_RST);
	replcopy_send_ctl(s, TCPHDR_RST, ack);
	if (s->syn_rsts < REPLCOPY_SYN_RSTS_FAST) {
		s->syn_rsts++;
		replcopy_send_syn(s, true);
		s->rto_at = jiffies + s->rto;
	}
}

void replcopy_rx_target(struct replcopy_session *s,
			struct sk_buff *skb)
{
	u8 buf[60];
	const struct tcphdr *th;
	struct replcopy_opts o;
	unsigned int len;
	int optlen;
	u32 seq, ack, wnd, una;
	bool fin_new = false;

	if (s->life == REPLCOPY_LIFE_ZOMBIE)
		goto out;
	th = replcopy_tcp_header(skb, buf, &optlen);
	if (!th || nf_checksum(skb, NF_INET_PRE_ROUTING,
			       REPLCOPY_CB(skb)->thoff, IPPROTO_TCP,
			       s->family)) {
		replcopy_tstat_inc(s->t, REPLCOPY_STAT_DROP_OTHER);
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
			if (th->ack) {
				replcopy_ev_session(s,
						    REPLCOPY_EV_TARGET_REFUSED,
						    0);
				replcopy_end(s, REPLCOPY_END_RESET);
			}
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
		replcopy_progress(s);
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
		replcopy_progress(s);
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
			fin_new = true;
			s->rcv_nxt++;
			s->t_fin = true;
			if (s->state == REPLCOPY_SS_ESTABLISHED)
				replcopy_set_state(s, REPLCOPY_SS_CLOSE_WAIT, REPLCOPY_CAUSE_TARGET_FIN);
		}
		switch (replcopy_ack_when(th->fin, fin_new, s->fin_sent,
					  s->rcv_nxt, s->rcv_acked, s->mss)) {
		case REPLCOPY_ACK_NOW:
			replcopy_send_ack(s);
			break;
		case REPLCOPY_ACK_DELAY:
			s->dack_at = jiffies + REPLCOPY_DELACK;
			fallthrough;
		case REPLCOPY_ACK_BATCH:
			/* replcopy_session_work() sends it. */
			s->ack_due = true;
			break;
		}
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
void replcopy_rx_icmp(struct replcopy_session *s, struct sk_buff *skb)
{
	const struct replcopy_cb *cb = REPLCOPY_CB(skb);

	if (s->life == REPLCOPY_LIFE_ZOMBIE || before(cb->seq, s->snd_una) ||
	    !before(cb->seq, s->snd_max) || cb->mtu < 68)
		goto out;
	if (replcopy_fit_mtu(s, cb->mtu) &&
	    pskb_may_pull(skb, cb->thoff + replcopy_nhlen(s))) {
		__skb_pull(skb, cb->thoff);
		replcopy_route_update_pmtu(s, skb, cb->mtu);
	}
out:
	replcopy_free(s, skb);
}
