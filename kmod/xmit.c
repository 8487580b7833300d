// SPDX-License-Identifier: GPL-2.0
/*
 * Building and sending segments to the target.
 *
 * Every segment is a fresh skb: IP (v4 or v6) and TCP headers built here,
 * payload
 * copied out of the session's send queue (chunks of payload pages,
 * filled from captured client segments by replcopy_store()), checksum left
 * to the device (CHECKSUM_PARTIAL), routed with the session's source and
 * target, marked untracked as nf_dup_ipv4 and nf_dup_ipv6 do, and sent
 * with ip_local_out() or ip6_local_out().
 *
 * Data beyond one MSS leaves as one GSO skb (gso_size = MSS) of up to
 * 64 KiB, as TCP's own TSO/GSO sends: one route lookup and one trip
 * through IP output and netfilter for up to 44 segments, which the device
 * or the stack (skb_gso_segment()) cuts into MSS-sized ones.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/highmem.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/moduleparam.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <net/ip.h>
#include <net/ip6_checksum.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/route.h>
#include <net/tcp.h>

#include "session.h"
#include "tcp_logic.h"
#include "trace.h"

static bool replcopy_gso = true;
module_param_named(gso, replcopy_gso, bool, 0644);
MODULE_PARM_DESC(gso,
		 "Send client data beyond one MSS as GSO packets of up to 64 KiB, cut into segments by the stack or the device (default Y); N sends every segment on its own");

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

/*
 * The IPv6 route from saddr (NULL or :: : the one the route prefers, in
 * fl6->saddr then) to daddr. Its source is not checked to be local, as
 * source mode client needs.
 */
static struct dst_entry *replcopy_route6(struct net *net, struct flowi6 *fl6,
					 const struct in6_addr *saddr,
					 const struct in6_addr *daddr,
					 __be16 sport, __be16 dport)
{
	struct dst_entry *dst;
	int err;

	memset(fl6, 0, sizeof(*fl6));
	fl6->daddr = *daddr;
	if (saddr)
		fl6->saddr = *saddr;
	fl6->flowi6_proto = IPPROTO_TCP;
	fl6->fl6_sport = sport;
	fl6->fl6_dport = dport;
	err = ip6_dst_lookup(net, NULL, &dst, fl6);
	return err ? ERR_PTR(err) : dst;
}

/* The route of the session's replayed connection, either family. */
static struct dst_entry *replcopy_session_route(struct replcopy_session *s)
{
	struct net *net = s->m->rn->net;
	struct flowi6 fl6;
	struct flowi4 fl4;
	struct rtable *rt;

	if (s->family == AF_INET6)
		return replcopy_route6(net, &fl6, &s->saddr.in6, &s->taddr.in6,
				       s->sport, s->tport);
	rt = replcopy_route(net, &fl4, s->saddr.ip, s->taddr.ip, s->sport,
			    s->tport, s->m->source == REPLCOPY_SOURCE_CLIENT);
	return IS_ERR(rt) ? ERR_CAST(rt) : &rt->dst;
}

int replcopy_route_source(struct net *net, u8 family,
			  const union nf_inet_addr *taddr, __be16 tport,
			  union nf_inet_addr *saddr)
{
	struct dst_entry *dst;
	struct flowi6 fl6;
	struct flowi4 fl4;
	struct rtable *rt;

	memset(saddr, 0, sizeof(*saddr));
	if (family == AF_INET6) {
		dst = replcopy_route6(net, &fl6, NULL, &taddr->in6, 0, tport);
		if (IS_ERR(dst))
			return PTR_ERR(dst);
		saddr->in6 = fl6.saddr;
		dst_release(dst);
		return ipv6_addr_any(&saddr->in6) ? -EADDRNOTAVAIL : 0;
	}
	rt = replcopy_route(net, &fl4, 0, taddr->ip, 0, tport, false);
	if (IS_ERR(rt))
		return PTR_ERR(rt);
	saddr->ip = fl4.saddr;
	ip_rt_put(rt);
	return saddr->ip ? 0 : -EADDRNOTAVAIL;
}

u32 replcopy_route_mss(struct replcopy_session *s)
{
	u32 hdr = replcopy_nhlen(s) + sizeof(struct tcphdr);
	struct dst_entry *dst;
	u32 mtu;

	dst = replcopy_session_route(s);
	if (IS_ERR(dst))
		return 0;
	mtu = dst_mtu(dst);
	dst_release(dst);
	if (mtu < 68 + hdr)
		return 0;
	return mtu - hdr;
}

/* skb->data is the IP header that the ICMP error quotes: our segment's. */
void replcopy_route_update_pmtu(struct replcopy_session *s,
				struct sk_buff *skb, u32 mtu)
{
	struct net *net = s->m->rn->net;

	if (s->family == AF_INET6)
		ip6_update_pmtu(skb, net, htonl(mtu), 0, 0,
				sock_net_uid(net, NULL));
	else
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

/*
 * See replcopy_gso_bytes(): what one skb carries of a data segment, with
 * the room TCP keeps for headers (sk_setup_caps()).
 */
static u32 replcopy_gso_len(const struct replcopy_session *s,
			    const struct net_device *dev, u32 len)
{
	return replcopy_gso_bytes(len, s->mss, READ_ONCE(replcopy_gso),
				  min(READ_ONCE(dev->gso_max_size),
				      GSO_LEGACY_MAX_SIZE),
				  READ_ONCE(dev->gso_max_segs),
				  MAX_TCP_HEADER + 1,
				  MAX_SKB_FRAGS * PAGE_SIZE);
}

/*
 * An skb for len bytes of payload after MAX_TCP_HEADER of headroom: in its
 * head up to one MSS, else in page fragments (a GSO skb). The payload is
 * copied from q at seq; *cap_ns: see replcopy_copy_payload().
 */
static struct sk_buff *replcopy_payload_skb(const struct replcopy_session *s,
					    const struct sk_buff_head *q,
					    u32 seq, u32 len, u32 new_seq,
					    u64 *cap_ns, int *err)
{
	struct sk_buff *skb;
	int i;

	if (len <= s->mss) {
		skb = alloc_skb(MAX_TCP_HEADER + len,
				GFP_KERNEL | __GFP_NOWARN);
		if (!skb) {
			*err = -ENOMEM;
			return NULL;
		}
		skb_reserve(skb, MAX_TCP_HEADER);
		*err = len ? replcopy_copy_payload(q, seq, skb_put(skb, len),
						   len, new_seq, cap_ns) : 0;
		goto out;
	}

	skb = alloc_skb_with_frags(MAX_TCP_HEADER, len, 0, err,
				   GFP_KERNEL | __GFP_NOWARN);
	if (!skb) {
		*err = -ENOMEM;
		return NULL;
	}
	skb_reserve(skb, MAX_TCP_HEADER);
	skb->len = len;
	skb->data_len = len;
	*err = 0;
	for (i = 0; i < skb_shinfo(skb)->nr_frags && !*err; i++) {
		const skb_frag_t *f = &skb_shinfo(skb)->frags[i];
		u32 n = skb_frag_size(f);
		u8 *p = kmap_local_page(skb_frag_page(f));

		*err = replcopy_copy_payload(q, seq, p + skb_frag_off(f), n,
					     new_seq, cap_ns);
		kunmap_local(p);
		seq += n;
	}
	skb_shinfo(skb)->gso_size = s->mss;
	skb_shinfo(skb)->gso_type = s->family == AF_INET6 ? SKB_GSO_TCPV6 :
							     SKB_GSO_TCPV4;
	skb_shinfo(skb)->gso_segs = DIV_ROUND_UP(len, s->mss);
out:
	if (*err) {
		kfree_skb(skb);
		return NULL;
	}
	return skb;
}

/* Push the IPv4 header on skb, whose TCP header is in place, and send. */
static int replcopy_out4(struct replcopy_session *s, struct net *net,
			 struct sk_buff *skb, struct dst_entry *dst, u32 segs)
{
	struct iphdr *iph;

	skb->csum_start = skb_transport_header(skb) - skb->head;
	tcp_hdr(skb)->check = ~tcp_v4_check(skb->len, s->saddr.ip, s->taddr.ip,
					    0);

	iph = skb_push(skb, sizeof(*iph));
	skb_reset_network_header(skb);
	iph->version = 4;
	iph->ihl = sizeof(*iph) / 4;
	iph->tos = 0;
	iph->frag_off = s->no_df ? 0 : htons(IP_DF);
	iph->ttl = ip4_dst_hoplimit(dst);
	iph->protocol = IPPROTO_TCP;
	iph->saddr = s->saddr.ip;
	iph->daddr = s->taddr.ip;
	iph->tot_len = htons(skb->len);
	iph->check = 0;

	skb->protocol = htons(ETH_P_IP);
	ip_select_ident_segs(net, skb, NULL, segs);
	return ip_local_out(net, NULL, skb);
}

/* The same for IPv6 (ip6_local_out() sets the payload length). */
static int replcopy_out6(struct replcopy_session *s, struct net *net,
			 struct sk_buff *skb, struct dst_entry *dst)
{
	struct ipv6hdr *ip6h;

	skb->csum_start = skb_transport_header(skb) - skb->head;
	tcp_hdr(skb)->check = ~tcp_v6_check(skb->len, &s->saddr.in6,
					    &s->taddr.in6, 0);

	ip6h = skb_push(skb, sizeof(*ip6h));
	skb_reset_network_header(skb);
	ip6_flow_hdr(ip6h, 0, 0);
	ip6h->nexthdr = IPPROTO_TCP;
	ip6h->hop_limit = ip6_dst_hoplimit(dst);
	ip6h->saddr = s->saddr.in6;
	ip6h->daddr = s->taddr.in6;

	skb->protocol = htons(ETH_P_IPV6);
	return ip6_local_out(net, NULL, skb);
}

int replcopy_xmit(struct replcopy_session *s, const struct replcopy_seg *seg)
{
	struct replcopy_mapping *m = s->m;
	struct net *net = m->rn->net;
	unsigned int thlen = sizeof(struct tcphdr) + seg->optlen;
	struct sk_buff *skb;
	struct tcphdr *th;
	u32 new_seq = seg->seq, new_len = 0, len, segs;
	u8 flags = seg->flags;
	struct dst_entry *dst;
	u64 cap_ns = 0;
	int err;

	dst = replcopy_session_route(s);
	if (IS_ERR(dst)) {
		replcopy_tstat_inc(s->t, REPLCOPY_STAT_DROP_NOROUTE);
		return PTR_ERR(dst);
	}

	/*
	 * The route's path MTU is below the session's segments (an ICMP
	 * error lowered it, maybe for another session to this target): the
	 * caller fits them to it first, as TCP does (tcp_current_mss()).
	 */
	if (unlikely(seg->len && !s->no_df &&
		     replcopy_nhlen(s) + thlen + min_t(u32, seg->len, s->mss) >
		     dst_mtu(dst))) {
		s->route_mtu = dst_mtu(dst);
		dst_release(dst);
		return -EMSGSIZE;
	}

	/* Less than asked when one skb cannot carry it all: no PSH then. */
	len = replcopy_gso_len(s, dst->dev, seg->len);
	if (len < seg->len)
		flags &= ~TCPHDR_PSH;

	/*
	 * For the capture -> transmit latency: the bytes of this segment
	 * that were never sent before (a retransmission may carry some).
	 */
	if (len && after(seg->seq + len, s->snd_max)) {
		if (after(s->snd_max, seg->seq))
			new_seq = s->snd_max;
		new_len = seg->seq + len - new_seq;
	}

	skb = replcopy_payload_skb(s, seg->q, seg->seq, len, new_seq, &cap_ns,
				   &err);
	if (!skb) {
		dst_release(dst);
		replcopy_tstat_inc(s->t, err == -ENOMEM ?
				   REPLCOPY_STAT_DROP_NOMEM :
				   REPLCOPY_STAT_DROP_OTHER);
		return err;
	}
	segs = skb_shinfo(skb)->gso_segs ?: 1;

	th = skb_push(skb, thlen);
	skb_reset_transport_header(skb);
	memset(th, 0, sizeof(*th));
	th->source = s->sport;
	th->dest = s->tport;
	th->seq = htonl(seg->seq);
	th->ack_seq = htonl(seg->ack);
	th->doff = thlen / 4;
	tcp_flag_byte(th) = flags;
	th->window = htons(seg->window);
	if (seg->optlen)
		memcpy(th + 1, seg->opts, seg->optlen);

	skb->ip_summed = CHECKSUM_PARTIAL;
	skb->csum_offset = offsetof(struct tcphdr, check);
	skb->priority = 0;
	skb_dst_set(skb, dst);
	skb->dev = dst->dev;

	/* Replayed segments must not create or join conntrack entries. */
	nf_reset_ct(skb);
	nf_ct_set(skb, NULL, IP_CT_UNTRACKED);

	if (seg->retrans)
		trace_replcopy_retransmit(s, seg->seq, len, flags);
	local_bh_disable();
	if (s->family == AF_INET6)
		err = replcopy_out6(s, net, skb, dst);
	else
		err = replcopy_out4(s, net, skb, dst, segs);
	local_bh_enable();
	trace_replcopy_xmit(s, seg->seq, seg->ack, len, flags, seg->retrans,
			    new_len, new_len ? cap_ns : 0, net_xmit_eval(err),
			    segs);
	if (unlikely(net_xmit_eval(err))) {
		replcopy_tstat_inc(s->t, REPLCOPY_STAT_DROP_XMIT);
		return net_xmit_eval(err);
	}

	replcopy_tstat_add(s->t, REPLCOPY_STAT_SENT_SEGS, segs);
	if (len)
		replcopy_tstat_add(s->t, REPLCOPY_STAT_SENT_BYTES, len);
	if (seg->retrans)
		replcopy_tstat_add(s->t, REPLCOPY_STAT_RETRANS_SEGS, segs);
	return len;
}
