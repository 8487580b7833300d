// SPDX-License-Identifier: GPL-2.0
/*
 * The netfilter hooks, IPv4, registered per netns while it has mappings.
 *
 * LOCAL_IN, last: a client segment about to be delivered to the local
 * stack, after the firewall and NAT, so exactly what the local application
 * gets. It is handed to the session engine, which copies what it needs;
 * the packet itself always goes on, unmodified (NF_ACCEPT).
 *
 * PRE_ROUTING, before raw and conntrack: a target's segment for one of
 * our replayed connections, or an ICMP "fragmentation needed" about one,
 * is consumed (NF_STOLEN); anything else passes.
 *
 * Both run in softirq context under rcu_read_lock() and never sleep.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ip.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <net/ip.h>

#include "replcopy.h"

static unsigned int replcopy_nf_capture(void *priv, struct sk_buff *skb,
					const struct nf_hook_state *state)
{
	const struct iphdr *iph = ip_hdr(skb);
	union nf_inet_addr daddr = {};
	struct replcopy_mapping *m;
	const __be16 *ports;
	__be16 _ports[2];

	if (iph->protocol != IPPROTO_TCP || ip_is_fragment(iph))
		return NF_ACCEPT;

	/* Read only: the original must stay exactly as it is. */
	ports = skb_header_pointer(skb, ip_hdrlen(skb), sizeof(_ports), _ports);
	if (unlikely(!ports))
		return NF_ACCEPT;

	daddr.ip = iph->daddr;
	m = replcopy_mapping_lookup(replcopy_net(state->net), AF_INET, &daddr,
				    ports[1]);
	if (m)
		replcopy_capture(m, skb);
	return NF_ACCEPT;
}

static unsigned int replcopy_nf_consume(void *priv, struct sk_buff *skb,
					const struct nf_hook_state *state)
{
	const struct iphdr *iph = ip_hdr(skb);
	bool ours;

	if (ip_is_fragment(iph))
		return NF_ACCEPT;
	if (iph->protocol == IPPROTO_TCP)
		ours = replcopy_consume(replcopy_net(state->net), skb);
	else if (iph->protocol == IPPROTO_ICMP)
		ours = replcopy_consume_icmp(replcopy_net(state->net), skb);
	else
		return NF_ACCEPT;
	return ours ? NF_STOLEN : NF_ACCEPT;
}

static const struct nf_hook_ops replcopy_nf_ops[] = {
	{
		.hook		= replcopy_nf_consume,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= NF_IP_PRI_RAW - 1,
	},
	{
		.hook		= replcopy_nf_capture,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_LOCAL_IN,
		.priority	= NF_IP_PRI_LAST - 1,
	},
};

int replcopy_hooks_register(struct replcopy_net *rn)
{
	int err;

	lockdep_assert_held(&rn->lock);
	if (rn->hooks_registered)
		return 0;

	err = nf_register_net_hooks(rn->net, replcopy_nf_ops,
				    ARRAY_SIZE(replcopy_nf_ops));
	if (err) {
		pr_warn("cannot register netfilter hooks: %d\n", err);
		return err;
	}
	rn->hooks_registered = true;
	return 0;
}

void replcopy_hooks_unregister(struct replcopy_net *rn)
{
	lockdep_assert_held(&rn->lock);
	if (!rn->hooks_registered)
		return;

	nf_unregister_net_hooks(rn->net, replcopy_nf_ops,
				ARRAY_SIZE(replcopy_nf_ops));
	rn->hooks_registered = false;
}
