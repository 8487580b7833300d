// SPDX-License-Identifier: GPL-2.0
/*
 * CMWQ worker model: one work item per session on a module-owned workqueue.
 *
 * A work item never runs concurrently with itself, which gives the
 * single-writer rule for free. Two workqueues exist, per-CPU (bound) and
 * WQ_UNBOUND; replcopy_cfg.wq_unbound picks one when a session starts, so
 * the setting can change at runtime and applies to new sessions.
 *
 * No WQ_MEM_RECLAIM: replaying is never needed to make memory reclaim
 * progress, so no rescuer thread is required.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/workqueue.h>

#include "session.h"
#include "trace.h"

static struct workqueue_struct *replcopy_wq_bound;
static struct workqueue_struct *replcopy_wq_unbound;

static void replcopy_wq_fn(struct work_struct *work)
{
	struct replcopy_session *s = container_of(work, struct replcopy_session,
						  work);

	replcopy_session_run(s);
}

static int replcopy_wq_start(struct replcopy_session *s)
{
	INIT_WORK(&s->work, replcopy_wq_fn);
	s->wq = READ_ONCE(replcopy_cfg.wq_unbound) ? replcopy_wq_unbound :
						     replcopy_wq_bound;
	return 0;
}

/*
 * Traced before queueing, so that the event precedes the run it causes;
 * kicks of a session are serialised by s->lock, so "not pending" here
 * means this kick queues the work.
 */
static void replcopy_wq_kick(struct replcopy_session *s)
{
	if (trace_replcopy_enqueue_enabled())
		trace_replcopy_enqueue(s, !work_pending(&s->work), 0,
				       s->wq == replcopy_wq_unbound);
	queue_work(s->wq, &s->work);
}

static void replcopy_wq_stop(struct replcopy_session *s)
{
	cancel_work_sync(&s->work);
}

const struct replcopy_worker_ops replcopy_wq_ops = {
	.name	= "wq",
	.start	= replcopy_wq_start,
	.kick	= replcopy_wq_kick,
	.stop	= replcopy_wq_stop,
};

/* Apply replcopy_cfg.wq_max_active to both workqueues. */
void replcopy_wq_apply_config(void)
{
	int max_active = READ_ONCE(replcopy_cfg.wq_max_active);

	if (!max_active)
		max_active = WQ_DFL_ACTIVE;
	if (replcopy_wq_bound)
		workqueue_set_max_active(replcopy_wq_bound, max_active);
	if (replcopy_wq_unbound)
		workqueue_set_max_active(replcopy_wq_unbound, max_active);
}

int replcopy_wq_init(void)
{
	int max_active = READ_ONCE(replcopy_cfg.wq_max_active);

	replcopy_wq_bound = alloc_workqueue("replcopy", 0, max_active);
	if (!replcopy_wq_bound)
		return -ENOMEM;
	replcopy_wq_unbound = alloc_workqueue("replcopy_unbound", WQ_UNBOUND,
					      max_active);
	if (!replcopy_wq_unbound) {
		destroy_workqueue(replcopy_wq_bound);
		replcopy_wq_bound = NULL;
		return -ENOMEM;
	}
	return 0;
}

void replcopy_wq_exit(void)
{
	destroy_workqueue(replcopy_wq_unbound);
	destroy_workqueue(replcopy_wq_bound);
	replcopy_wq_unbound = NULL;
	replcopy_wq_bound = NULL;
}
