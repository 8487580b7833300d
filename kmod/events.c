// SPDX-License-Identifier: GPL-2.0
/*
 * The "events" multicast group: what happened to sessions, limits and
 * mappings, as REPLCOPY_CMD_EVENT notifications (include/uapi/replcopy.h).
 *
 * Events are built only while the group has a listener in the netns, so a
 * host that nobody monitors pays one bitmap test per event. They are rate
 * limited per netns by a token bucket (event_rate per second, a burst of
 * as many): a SYN flood cannot flood the listeners. What the bucket
 * refuses is counted, and a SUPPRESSED event a second later says how
 * many. Called from softirq (the hooks) and process context (workers,
 * genetlink), never sleeps.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/moduleparam.h>
#include <linux/workqueue.h>
#include <net/genetlink.h>

#include "limit_logic.h"
#include "replcopy.h"

#define REPLCOPY_EV_RATE_MAX	1000000U
#define REPLCOPY_EV_SIZE	512

static unsigned int replcopy_event_rate = 1000;

static int replcopy_event_rate_set(const char *val,
				   const struct kernel_param *kp)
{
	unsigned int n;
	int err = kstrtouint(val, 0, &n);

	if (err)
		return err;
	if (n < 1 || n > REPLCOPY_EV_RATE_MAX)
		return -ERANGE;
	WRITE_ONCE(replcopy_event_rate, n);
	return 0;
}

static const struct kernel_param_ops replcopy_event_rate_ops = {
	.set = replcopy_event_rate_set,
	.get = param_get_uint,
};
module_param_cb(event_rate, &replcopy_event_rate_ops, &replcopy_event_rate,
		0644);
MODULE_PARM_DESC(event_rate, "Events per second per netns to the events multicast group, with a burst of as many; the rest are counted in a suppressed event, 1..1000000 (default 1000)");

/* Take a token; false (counted) when the bucket is empty. */
static bool replcopy_ev_take(struct replcopy_events *ev)
{
	u32 rate = READ_ONCE(replcopy_event_rate);
	unsigned long now = jiffies;
	bool ok;

	spin_lock_bh(&ev->lock);
	if (time_after(now, ev->stamp)) {
		bool moved;

		ev->tokens = replcopy_bucket_refill(ev->tokens, now - ev->stamp,
						    rate, HZ, &moved);
		if (moved)
			ev->stamp = now;
	}
	ok = ev->tokens > 0;
	if (ok)
		ev->tokens--;
	else
		ev->suppressed++;
	spin_unlock_bh(&ev->lock);
	if (!ok)
		schedule_delayed_work(&ev->summary, HZ);
	return ok;
}

/* An event that could not be built is reported as suppressed too. */
static void replcopy_ev_lost(struct replcopy_events *ev)
{
	spin_lock_bh(&ev->lock);
	ev->suppressed++;
	spin_unlock_bh(&ev->lock);
	schedule_delayed_work(&ev->summary, HZ);
}

static struct sk_buff *replcopy_ev_alloc(u8 type)
{
	struct sk_buff *skb;

	skb = genlmsg_new(REPLCOPY_EV_SIZE, GFP_ATOMIC | __GFP_NOWARN);
	if (!skb)
		return NULL;
	if (!replcopy_genl_event_hdr(skb) ||
	    nla_put_u8(skb, REPLCOPY_A_EVENT, type)) {
		nlmsg_free(skb);
		return NULL;
	}
	return skb;
}

struct sk_buff *replcopy_ev_begin(struct replcopy_net *rn, u8 type)
{
	struct sk_buff *skb;

	if (!replcopy_genl_listening(rn->net))
		return NULL;
	if (!replcopy_ev_take(&rn->events))
		return NULL;
	skb = replcopy_ev_alloc(type);
	if (!skb)
		replcopy_ev_lost(&rn->events);
	return skb;
}

void replcopy_ev_send(struct replcopy_net *rn, struct sk_buff *skb)
{
	replcopy_genl_multicast(rn->net, skb);
}

void replcopy_ev_cancel(struct replcopy_net *rn, struct sk_buff *skb)
{
	nlmsg_free(skb);
	replcopy_ev_lost(&rn->events);
}

/* A limit dropped replay work that no session stands for. */
void replcopy_ev_limit(struct replcopy_mapping *m, u8 limit)
{
	struct replcopy_net *rn = m->rn;
	struct sk_buff *skb = replcopy_ev_begin(rn, REPLCOPY_EV_LIMIT);

	if (!skb)
		return;
	if (nla_put_u8(skb, REPLCOPY_A_EVENT_LIMIT, limit) ||
	    replcopy_genl_put_mapping(skb, m, false)) {
		replcopy_ev_cancel(rn, skb);
		return;
	}
	replcopy_ev_send(rn, skb);
}

/* MAPPING_ADD or MAPPING_DEL; process context, rn->lock held. */
void replcopy_ev_mapping(struct replcopy_mapping *m, u8 type)
{
	struct replcopy_net *rn = m->rn;
	struct sk_buff *skb = replcopy_ev_begin(rn, type);

	if (!skb)
		return;
	if (replcopy_genl_put_mapping(skb, m, true)) {
		replcopy_ev_cancel(rn, skb);
		return;
	}
	replcopy_ev_send(rn, skb);
}

static void replcopy_ev_summary(struct work_struct *work)
{
	struct replcopy_events *ev = container_of(to_delayed_work(work),
						  struct replcopy_events,
						  summary);
	struct replcopy_net *rn = container_of(ev, struct replcopy_net, events);
	struct sk_buff *skb = NULL;
	u32 n;

	spin_lock_bh(&ev->lock);
	n = ev->suppressed;
	ev->suppressed = 0;
	spin_unlock_bh(&ev->lock);
	if (!n || !replcopy_genl_listening(rn->net))
		return;
	skb = replcopy_ev_alloc(REPLCOPY_EV_SUPPRESSED);
	if (skb && !nla_put_u32(skb, REPLCOPY_A_EVENT_SUPPRESSED, n)) {
		replcopy_ev_send(rn, skb);
		return;
	}
	if (skb)
		nlmsg_free(skb);
	/* No memory: say it later. */
	spin_lock_bh(&ev->lock);
	ev->suppressed += n;
	spin_unlock_bh(&ev->lock);
	schedule_delayed_work(&ev->summary, HZ);
}

void replcopy_events_net_init(struct replcopy_net *rn)
{
	struct replcopy_events *ev = &rn->events;

	spin_lock_init(&ev->lock);
	ev->stamp = jiffies;
	ev->tokens = READ_ONCE(replcopy_event_rate);
	INIT_DELAYED_WORK(&ev->summary, replcopy_ev_summary);
}

/* After the netns's sessions and mappings are gone: nothing queues more. */
void replcopy_events_net_exit(struct replcopy_net *rn)
{
	cancel_delayed_work_sync(&rn->events.summary);
}
