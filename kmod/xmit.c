// SPDX-License-Identifier: GPL-2.0
/*
 * Building and sending segments to the target.
 *
 * Every segment is a fresh skb: IPv4 and TCP headers built here, payload
 * copied out of the session's send queue (chunks of payload pages, filled
 * from captured client segments by replcopy_store()), checksum left to the
 * device (CHECKSUM_PARTIAL), routed with the session's source and target,
 * marked untracked as nf_dup_ipv4 does, and sent with ip_local_out().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ip.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <net/ip.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/route.h>
#include <net/tcp.h>

#include "session.h"
#include "trace.h"

static struct rtable *replcopy_route(struct net *net, struct flowi4 *fl4,
				     __be32 saddr, __be32 daddr, __be16 sport,
				     __be16 dport, bool anysrc)
{
	struct rtable *rt;

	memset(fl4, 0, sizeof(*fl4));
	fl4->daddr = daddr;
	fl4->saddr = saddr;
	fl4->flowi4_proto = IPPROTO_TCP;
	fl4->flowi4_scope = RT_SCOPE_UNIVERSE;
	fl4->fl4_sport = sport;
	fl4->fl4_dport = dport;
	if (anysrc)
		fl4->flowi4_flags = FLOWI_FLAG_ANYSRC;
	rt = ip_route_output_key(net, fl4);
	/*
	 * Only to a unicast (or local) address: a target accepted before
	 * its subnet was configured here may be a broadcast address now.
	 */
	if (!IS_ERR(rt) && rt->rt_type != RTN_UNICAST &&
	    rt->rt_type != RTN_LOCAL) {
		ip_rt_put(rt);
		return ERR_PTR(-ENETUNREACH);
	}
	return rt;
}

__be32 replcopy_route_source(struct net *net, __be32 taddr, __be16 tport)
{
	struct flowi4 fl4;
	struct rtable *rt;
	__be32 saddr;

	rt = replcopy_route(net, &fl4, 0, taddr, 0, tport, false);
	if (IS_ERR(rt))
		return 0;
	saddr = fl4.saddr;
	ip_rt_put(rt);
	return saddr;
}

u32 replcopy_route_mss(struct replcopy_session *s)
{
	struct net *net = s->m->rn->net;
	struct flowi4 fl4;
	struct rtable *rt;
	u32 mtu;

	rt = replcopy_route(net, &fl4, s->saddr, s->taddr, s->sport, s->tport,
			    s->m->source == REPLCOPY_SOURCE_CLIENT);
	if (IS_ERR(rt))
		return 0;
	mtu = dst_mtu(&rt->dst);
	ip_rt_put(rt);
	if (mtu < 68 + sizeof(struct iphdr) + sizeof(struct tcphdr))
		return 0;
	return mtu - sizeof(struct iphdr) - sizeof(struct tcphdr);
}

void replcopy_route_update_pmtu(struct replcopy_session *s,
				struct sk_buff *skb, u32 mtu)
{
	struct net *net = s->m->rn->net;

	ipv4_update_pmtu(skb, net, mtu, 0, IPPROTO_TCP);
}

/* Copy len bytes of client data starting at seq out of q into to. */
static int replcopy_copy_payload(const struct sk_buff_head *q, u32 seq,
				 u8 *to, u32 len, u32 new_seq, u64 *cap_ns)
{
	struct sk_buff *skb;

	skb_queue_walk(q, skb) {
		const struct replcopy_cb *cb = REPLCOPY_CB(skb);
		u32 n;

		if (!len)
			break;
		if (!after(cb->end_seq, seq))
			continue;
		if (before(seq, cb->seq))
			return -EINVAL;	/* hole: cannot happen in sndq */
		n = min_t(u32, len, cb->end_seq - seq);
		/* Capture time of the first byte never sent before. */
		if (!before(new_seq, seq) && before(new_seq, seq + n))
			*cap_ns = cb->cap_ns;
		if (skb_copy_bits(skb, cb->off + (seq - cb->seq), to, n))
			return -EFAULT;
		to += n;
		seq += n;
		len -= n;
	}
	return len ? -EINVAL : 0;
}

int replcopy_xmit(struct replcopy_session *s, const struct replcopy_seg *seg)
{
	struct replcopy_mapping *m = s->m;
	struct net *net = m->rn->net;
	unsigned int thlen = sizeof(struct tcphdr) + seg->optlen;
	struct flowi4 fl4;
	struct sk_buff *skb;
	struct tcphdr *th;
	struct iphdr *iph;
	u32 new_seq = seg->seq, new_len = 0;
	struct rtable *rt;
	u64 cap_ns = 0;
	int err;

	rt = replcopy_route(net, &fl4, s->saddr, s->taddr, s->sport, s->tport,
			    m->source == REPLCOPY_SOURCE_CLIENT);
	if (IS_ERR(rt)) {
		replcopy_tstat_inc(s->t, REPLCOPY_STAT_DROP_NOROUTE);
		return PTR_ERR(rt);
	}

	/*
	 * The route's path MTU is below the session's segments (an ICMP
	 * error lowered it, maybe for another session to this target): the
	 * caller fits them to it first, as TCP does (tcp_current_mss()).
	 */
	if (unlikely(seg->len && !s->no_df &&
		     sizeof(struct iphdr) + thlen + seg->len >
		     dst_mtu(&rt->dst))) {
		s->route_mtu = dst_mtu(&rt->dst);
		ip_rt_put(rt);
		return -EMSGSIZE;
	}

	skb = alloc_skb(MAX_TCP_HEADER + seg->len, GFP_KERNEL | __GFP_NOWARN);
	if (!skb) {
		ip_rt_put(rt);
		replcopy_tstat_inc(s->t, REPLCOPY_STAT_DROP_NOMEM);
		return -ENOMEM;
	}
	skb_reserve(skb, MAX_TCP_HEADER);

	/*
	 * For the capture -> transmit latency: the bytes of this segment
	 * that were never sent before (a retransmission may carry some).
	 */
	if (seg->len && after(seg->seq + seg->len, s->snd_max)) {
		if (after(s->snd_max, seg->seq))
			new_seq = s->snd_max;
		new_len = seg->seq + seg->len - new_seq;
	}

	if (seg->len) {
		err = replcopy_copy_payload(seg->q, seg->seq,
					    skb_put(skb, seg->len), seg->len,
					    new_seq, &cap_ns);
		if (err) {
			kfree_skb(skb);
			ip_rt_put(rt);
			replcopy_tstat_inc(s->t, REPLCOPY_STAT_DROP_OTHER);
			return err;
		}
	}

	th = skb_push(skb, thlen);
	skb_reset_transport_header(skb);
	memset(th, 0, sizeof(*th));
	th->source = s->sport;
	th->dest = s->tport;
	th->seq = htonl(seg->seq);
	th->ack_seq = htonl(seg->ack);
	th->doff = thlen / 4;
	tcp_flag_byte(th) = seg->flags;
	th->window = htons(seg->window);
	if (seg->optlen)
		memcpy(th + 1, seg->opts, seg->optlen);

	skb->ip_summed = CHECKSUM_PARTIAL;
	skb->csum_start = skb_transport_header(skb) - skb->head;
	skb->csum_offset = offsetof(struct tcphdr, check);
	th->check = ~tcp_v4_check(skb->len, s->saddr, s->taddr, 0);

	iph = skb_push(skb, sizeof(*iph));
	skb_reset_network_header(skb);
	iph->version = 4;
	iph->ihl = sizeof(*iph) / 4;
	iph->tos = 0;
	iph->frag_off = s->no_df ? 0 : htons(IP_DF);
	iph->ttl = ip4_dst_hoplimit(&rt->dst);
	iph->protocol = IPPROTO_TCP;
	iph->saddr = s->saddr;
	iph->daddr = s->taddr;
	iph->tot_len = htons(skb->len);
	iph->check = 0;

	skb->protocol = htons(ETH_P_IP);
	skb->priority = 0;
	skb_dst_set(skb, &rt->dst);
	skb->dev = rt->dst.dev;
	ip_select_ident(net, skb, NULL);

	/* Replayed segments must not create or join conntrack entries. */
	nf_reset_ct(skb);
	nf_ct_set(skb, NULL, IP_CT_UNTRACKED);

	if (seg->retrans)
		trace_replcopy_retransmit(s, seg->seq, seg->len, seg->flags);
	local_bh_disable();
	err = ip_local_out(net, NULL, skb);
	local_bh_enable();
	trace_replcopy_xmit(s, seg->seq, seg->ack, seg->len, seg->flags,
			    seg->retrans, new_len, new_len ? cap_ns : 0,
			    net_xmit_eval(err));
	if (unlikely(net_xmit_eval(err))) {
		replcopy_tstat_inc(s->t, REPLCOPY_STAT_DROP_XMIT);
		return net_xmit_eval(err);
	}

	replcopy_tstat_inc(s->t, REPLCOPY_STAT_SENT_SEGS);
	if (seg->len)
		replcopy_tstat_add(s->t, REPLCOPY_STAT_SENT_BYTES, seg->len);
	if (seg->retrans)
		replcopy_tstat_inc(s->t, REPLCOPY_STAT_RETRANS_SEGS);
	return 0;
}
