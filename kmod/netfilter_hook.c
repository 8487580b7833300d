// SPDX-License-Identifier: GPL-2.0
/*
 * The netfilter hooks, per family, registered in a netns while one of its
 * mappings needs them: the family of its clients (the online address's,
 * or both without one) and the family of its targets.
 *
 * LOCAL_IN, last: a client segment about to be delivered to the local
 * stack, after the firewall and NAT, so exactly what the local application
 * gets. It is handed to the session engine, which copies what it needs;
 * the packet itself always goes on, unmodified (NF_ACCEPT). IPv4 arrives
 * here reassembled; an IPv6 fragment (no conntrack reassembled it) is not
 * replayed, and a first fragment on a mapped port is counted.
 *
 * PRE_ROUTING, before raw and conntrack: a target's segment for one of
 * our replayed connections, or an ICMP "fragmentation needed" (ICMPv6
 * "packet too big") about one, is consumed (NF_STOLEN); anything else
 * passes.
 *
 * All run in softirq context under rcu_read_lock() and never sleep.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <net/ip.h>
#include <net/ipv6.h>

#include "replcopy.h"

/* The segment's addresses (IPv4); its TCP header follows the IP header. */
static void replcopy_l3_ipv4(struct sk_buff *skb, struct replcopy_l3 *l3)
{
	const struct iphdr *iph = ip_hdr(skb);

	memset(l3, 0, sizeof(*l3));
	l3->family = AF_INET;
	l3->saddr.ip = iph->saddr;
	l3->daddr.ip = iph->daddr;
	l3->thoff = skb_network_offset(skb) + ip_hdrlen(skb);
}

/*
 * The segment's addresses (IPv6) and the offset of its upper-layer
 * header, past the extension headers. Returns its protocol, or -1: no
 * upper-layer header in this packet (a fragment past the first, or a
 * malformed one). *frag: the packet is a fragment.
 */
static int replcopy_l3_ipv6(struct sk_buff *skb, struct replcopy_l3 *l3,
			    bool *frag)
{
	const struct ipv6hdr *ip6h = ipv6_hdr(skb);
	u8 nexthdr = ip6h->nexthdr;
	__be16 frag_off = 0;
	int off;

	off = ipv6_skip_exthdr(skb, skb_network_offset(skb) + sizeof(*ip6h),
			       &nexthdr, &frag_off);
	*frag = frag_off != 0;
	if (off < 0 || (ntohs(frag_off) & ~0x7))
		return -1;
	memset(l3, 0, sizeof(*l3));
	l3->family = AF_INET6;
	l3->saddr.in6 = ip6h->saddr;
	l3->daddr.in6 = ip6h->daddr;
	l3->thoff = off;
	return nexthdr;
}

/* A client segment of either family whose addresses are in l3. */
static void replcopy_nf_capture(const struct nf_hook_state *state,
				struct sk_buff *skb,
				const struct replcopy_l3 *l3, bool frag)
{
	struct replcopy_mapping *m;
	const __be16 *ports;
	__be16 _ports[2];

	/* Read only: the original must stay exactly as it is. */
	ports = skb_header_pointer(skb, l3->thoff, sizeof(_ports), _ports);
	if (unlikely(!ports))
		return;

	m = replcopy_mapping_lookup(replcopy_net(state->net), l3->family,
				    &l3->daddr, ports[1]);
	if (!m)
		return;
	if (unlikely(frag)) {
		replcopy_stat_inc(m, REPLCOPY_STAT_DROP_FRAG);
		return;
	}
	replcopy_capture(m, skb, l3);
}

static unsigned int replcopy_nf_capture4(void *priv, struct sk_buff *skb,
					 const struct nf_hook_state *state)
{
	const struct iphdr *iph = ip_hdr(skb);
	struct replcopy_l3 l3;

	if (iph->protocol != IPPROTO_TCP || ip_is_fragment(iph))
		return NF_ACCEPT;
	replcopy_l3_ipv4(skb, &l3);
	replcopy_nf_capture(state, skb, &l3, false);
	return NF_ACCEPT;
}

static unsigned int replcopy_nf_capture6(void *priv, struct sk_buff *skb,
					 const struct nf_hook_state *state)
{
	struct replcopy_l3 l3;
	bool frag;

	if (replcopy_l3_ipv6(skb, &l3, &frag) == IPPROTO_TCP)
		replcopy_nf_capture(state, skb, &l3, frag);
	return NF_ACCEPT;
}

static unsigned int replcopy_nf_consume4(void *priv, struct sk_buff *skb,
					 const struct nf_hook_state *state)
{
	const struct iphdr *iph = ip_hdr(skb);
	struct replcopy_l3 l3;
	bool ours;

	if (ip_is_fragment(iph))
		return NF_ACCEPT;
	if (iph->protocol == IPPROTO_TCP) {
		replcopy_l3_ipv4(skb, &l3);
		ours = replcopy_consume(replcopy_net(state->net), skb, &l3);
	} else if (iph->protocol == IPPROTO_ICMP) {
		ours = replcopy_consume_icmp(replcopy_net(state->net), skb);
	} else {
		return NF_ACCEPT;
	}
	return ours ? NF_STOLEN : NF_ACCEPT;
}

static unsigned int replcopy_nf_consume6(void *priv, struct sk_buff *skb,
					 const struct nf_hook_state *state)
{
	struct replcopy_l3 l3;
	bool frag, ours;

	switch (replcopy_l3_ipv6(skb, &l3, &frag)) {
	case IPPROTO_TCP:
		if (frag)
			return NF_ACCEPT;
		ours = replcopy_consume(replcopy_net(state->net), skb, &l3);
		break;
	case IPPROTO_ICMPV6:
		if (frag)
			return NF_ACCEPT;
		ours = replcopy_consume_icmp6(replcopy_net(state->net), skb,
					      &l3);
		break;
	default:
		return NF_ACCEPT;
	}
	return ours ? NF_STOLEN : NF_ACCEPT;
}

static const struct nf_hook_ops replcopy_nf_ops4[] = {
	{
		.hook		= replcopy_nf_consume4,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= NF_IP_PRI_RAW - 1,
	},
	{
		.hook		= replcopy_nf_capture4,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_LOCAL_IN,
		.priority	= NF_IP_PRI_LAST - 1,
	},
};

static const struct nf_hook_ops replcopy_nf_ops6[] = {
	{
		.hook		= replcopy_nf_consume6,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= NF_IP6_PRI_RAW - 1,
	},
	{
		.hook		= replcopy_nf_capture6,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_LOCAL_IN,
		.priority	= NF_IP6_PRI_LAST - 1,
	},
};

static const struct {
	const struct nf_hook_ops *ops;
	unsigned int n;
} replcopy_nf_families[] = {
	{ replcopy_nf_ops4, ARRAY_SIZE(replcopy_nf_ops4) },	/* REPLCOPY_FAM_4 */
	{ replcopy_nf_ops6, ARRAY_SIZE(replcopy_nf_ops6) },	/* REPLCOPY_FAM_6 */
};

/* Register the hooks of the families in fams (REPLCOPY_FAM_*) not yet. */
int replcopy_hooks_register(struct replcopy_net *rn, u8 fams)
{
	unsigned int i;
	int err;

	lockdep_assert_held(&rn->lock);
	for (i = 0; i < ARRAY_SIZE(replcopy_nf_families); i++) {
		if (!(fams & BIT(i)) || (rn->hooks & BIT(i)))
			continue;
		err = nf_register_net_hooks(rn->net, replcopy_nf_families[i].ops,
					    replcopy_nf_families[i].n);
		if (err) {
			pr_warn("cannot register netfilter hooks: %d\n", err);
			return err;
		}
		rn->hooks |= BIT(i);
	}
	return 0;
}

/* Unregister the hooks of the families not in keep. */
void replcopy_hooks_unregister(struct replcopy_net *rn, u8 keep)
{
	unsigned int i;

	lockdep_assert_held(&rn->lock);
	for (i = 0; i < ARRAY_SIZE(replcopy_nf_families); i++) {
		if ((keep & BIT(i)) || !(rn->hooks & BIT(i)))
			continue;
		nf_unregister_net_hooks(rn->net, replcopy_nf_families[i].ops,
					replcopy_nf_families[i].n);
		rn->hooks &= ~BIT(i);
	}
}
