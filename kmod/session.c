// SPDX-License-Identifier: GPL-2.0
/*
 * Session table and TCP client emulation.
 *
 * Placeholder until the replication engine lands: captures are counted,
 * nothing is replayed and nothing is consumed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ip.h>
#include <linux/tcp.h>
#include <net/genetlink.h>

#include "replcopy.h"

int replcopy_sessions_init(void)
{
	return 0;
}

void replcopy_sessions_exit(void)
{
}

int replcopy_sessions_net_init(struct replcopy_net *rn)
{
	return 0;
}

void replcopy_sessions_net_exit(struct replcopy_net *rn)
{
}

void replcopy_capture(struct replcopy_mapping *m, struct sk_buff *skb)
{
	replcopy_stat_inc(m, REPLCOPY_STAT_CAPTURED_SEGS);
}

bool replcopy_consume(struct replcopy_net *rn, struct sk_buff *skb)
{
	return false;
}

void replcopy_sessions_flush_mapping(struct replcopy_mapping *m)
{
}

int replcopy_sessions_dump(struct replcopy_net *rn, struct sk_buff *skb,
			   struct netlink_callback *cb, u32 map_id)
{
	return 0;
}
