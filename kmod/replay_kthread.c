// SPDX-License-Identifier: GPL-2.0
/*
 * kthread worker model: one kthread per replayed connection, as in a
 * kthread-per-connection server.
 *
 * Sessions start in the capture hook (softirq), where no thread can be
 * created. A session made by a client's SYN gets its thread only once the
 * client completed its handshake (s->c_hs_wait clear): until then its runs
 * (the SYN, the handshake timeout) are work items on system_unbound_wq, so
 * that a flood of spoofed SYNs makes no thread at all. The first kick after
 * that puts the session on the spawner's list; the spawner, a module-wide
 * kthread ("replcopy_spawn"), waits for the last work item of the session,
 * creates its thread ("replcopy/<id>") with kthread_create() in process
 * context and wakes it. Kicks that come before the thread exists only set
 * REPLCOPY_KT_PENDING, which the new thread sees on its first pass. The
 * cost of kthread_create() per connection is part of what the model
 * comparison measures (tracepoint replcopy_kthread_spawn).
 *
 * The session's thread sleeps until kicked (REPLCOPY_KT_PENDING and a
 * wake-up), runs replcopy_session_run() and sleeps again. Only that thread
 * runs the session, which is the single-writer rule. It returns only when
 * kthread_stop() asks it to, so its task_struct stays valid for stop.
 *
 * A session ends only from its own worker, and stop() is only called after
 * that (from the reaper). A work item of the handshake may end a session
 * the spawner already holds: stop() takes the session off the spawner's
 * list, or waits until the spawner is done with it.
 * If kthread_create() fails, the session falls back to a work item on
 * system_unbound_wq (REPLCOPY_KT_FALLBACK) rather than being lost: it
 * still ends, resets the target and is freed like any other. So do the
 * sessions beyond REPLCOPY_KTHREADS_MAX live threads, and those ended
 * (mapping deleted, netns or module going) before the spawner got to
 * them: a teardown does not first make a thread for each. All of them
 * count in kthread_wq.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/spinlock.h>
#include <linux/timekeeping.h>

#include "session.h"
#include "trace.h"

/*
 * Session threads live at once, over all netns. Each takes a PID: without
 * a cap, a flood of connections to a mapped port would use up the host's
 * pid_max (32768 by default) and the production application's fork()
 * would fail. Sessions beyond it run on the workqueue.
 */
#define REPLCOPY_KTHREADS_MAX	1024

static struct task_struct *replcopy_spawner;
static LIST_HEAD(replcopy_spawn_list);
static DEFINE_SPINLOCK(replcopy_spawn_lock);
/*
 * The session the spawner took off its list and is making a thread for:
 * a work item of its handshake may end it meanwhile, and its stop() waits
 * until the spawner is done with it (replcopy_spawn_done).
 */
static struct replcopy_session *replcopy_spawning;
static DECLARE_WAIT_QUEUE_HEAD(replcopy_spawn_done);
static atomic_t replcopy_nr_kthreads = ATOMIC_INIT(0);

static int replcopy_kthread_fn(void *arg)
{
	struct replcopy_session *s = arg;

	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (kthread_should_stop())
			break;
		if (test_and_clear_bit(REPLCOPY_KT_PENDING, &s->kt_flags)) {
			__set_current_state(TASK_RUNNING);
			replcopy_session_run(s);
			cond_resched();
			continue;
		}
		schedule();
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

/* A run on system_unbound_wq: before the handshake, or as fallback. */
static void replcopy_kthread_work_fn(struct work_struct *work)
{
	struct replcopy_session *s = container_of(work, struct replcopy_session,
						  work);

	clear_bit(REPLCOPY_KT_PENDING, &s->kt_flags);
	replcopy_session_run(s);
}

/* Run session s on system_unbound_wq from now on. Spawner context. */
static void replcopy_kthread_use_wq(struct replcopy_session *s)
{
	replcopy_tstat_inc(s->t, REPLCOPY_STAT_KTHREAD_WQ);
	replcopy_ev_session(s, REPLCOPY_EV_LIMIT, REPLCOPY_LIMIT_KTHREADS);
	set_bit(REPLCOPY_KT_FALLBACK, &s->kt_flags);
	smp_mb__after_atomic();	/* FALLBACK before PENDING: see kick */
	queue_work(system_unbound_wq, &s->work);
}

/* Ended before it ran: its worker only needs to reset and free it. */
static bool replcopy_kthread_ending(struct replcopy_session *s)
{
	return test_bit(REPLCOPY_SE_KILL, &s->events) || READ_ONCE(s->m->dead);
}

/* Create the thread of session s. Spawner context, may sleep. */
static void replcopy_kthread_spawn(struct replcopy_session *s)
{
	bool traced = trace_replcopy_kthread_spawn_enabled();
	u64 t0 = traced ? ktime_get_ns() : 0;
	struct task_struct *t;

	if (replcopy_kthread_ending(s)) {
		replcopy_kthread_use_wq(s);
		return;
	}
	/*
	 * The runs before the handshake's end are work items; kicks since
	 * (they put s on our list) queue none: after the last one, the
	 * thread is the session's only worker.
	 */
	flush_work(&s->work);
	if (atomic_inc_return(&replcopy_nr_kthreads) > REPLCOPY_KTHREADS_MAX) {
		atomic_dec(&replcopy_nr_kthreads);
		replcopy_kthread_use_wq(s);
		return;
	}

	t = kthread_create(replcopy_kthread_fn, s, "replcopy/%u", s->id);
	if (traced)
		trace_replcopy_kthread_spawn(s, IS_ERR(t) ? 0 : t->pid,
					     ktime_get_ns() - t0,
					     IS_ERR(t) ? PTR_ERR(t) : 0);
	if (IS_ERR(t)) {
		atomic_dec(&replcopy_nr_kthreads);
		pr_warn_ratelimited("session %u: kthread_create failed (%ld), running it on a workqueue\n",
				    s->id, PTR_ERR(t));
		replcopy_kthread_use_wq(s);
		return;
	}

	/*
	 * Once published, a kick may wake the thread, which may end the
	 * session, whose reaper then stops the thread: hold the task for
	 * our own wake-up below.
	 */
	get_task_struct(t);
	WRITE_ONCE(s->kthread, t);
	smp_mb();	/* kthread before PENDING: pairs with kick */
	wake_up_process(t);
	put_task_struct(t);
}

static int replcopy_spawner_fn(void *unused)
{
	struct replcopy_session *s;

	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		spin_lock_bh(&replcopy_spawn_lock);
		s = list_first_entry_or_null(&replcopy_spawn_list,
					     struct replcopy_session,
					     spawn_node);
		if (s) {
			list_del_init(&s->spawn_node);
			WRITE_ONCE(replcopy_spawning, s);
		}
		spin_unlock_bh(&replcopy_spawn_lock);
		if (s) {
			__set_current_state(TASK_RUNNING);
			replcopy_kthread_spawn(s);
			/* Done with s: what it published before, then NULL. */
			smp_store_release(&replcopy_spawning, NULL);
			wake_up_all(&replcopy_spawn_done);
			cond_resched();
			continue;
		}
		if (kthread_should_stop())
			break;
		schedule();
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

/* Softirq: nothing may be created here; the first kick spawns. */
static int replcopy_kthread_start(struct replcopy_session *s)
{
	s->kthread = NULL;
	s->kt_flags = 0;
	INIT_LIST_HEAD(&s->spawn_node);
	INIT_WORK(&s->work, replcopy_kthread_work_fn);
	return 0;
}

/*
 * Any context, s->lock held, the session not dead. Traced before the
 * wake-up, so that the event precedes the run it causes.
 */
static void replcopy_kthread_kick(struct replcopy_session *s)
{
	struct task_struct *t;

	if (trace_replcopy_enqueue_enabled()) {
		t = READ_ONCE(s->kthread);
		trace_replcopy_enqueue(s, !test_bit(REPLCOPY_KT_PENDING,
						    &s->kt_flags),
				       t ? t->pid : 0,
				       test_bit(REPLCOPY_KT_FALLBACK,
						&s->kt_flags));
	}
	set_bit(REPLCOPY_KT_PENDING, &s->kt_flags);
	smp_mb__after_atomic();	/* PENDING before kthread: see spawn */
	if (test_bit(REPLCOPY_KT_FALLBACK, &s->kt_flags)) {
		queue_work(system_unbound_wq, &s->work);
		return;
	}
	t = READ_ONCE(s->kthread);
	if (t) {
		wake_up_process(t);
		return;
	}
	/*
	 * No thread for a client that has not completed its handshake (a
	 * spoofed SYN, a half-open check). Kicks are serialized by s->lock:
	 * once one saw the handshake done, every later one does.
	 */
	if (READ_ONCE(s->c_hs_wait)) {
		queue_work(system_unbound_wq, &s->work);
		return;
	}
	if (test_and_set_bit(REPLCOPY_KT_SPAWNING, &s->kt_flags))
		return;		/* already on its way */
	spin_lock_bh(&replcopy_spawn_lock);
	list_add_tail(&s->spawn_node, &replcopy_spawn_list);
	spin_unlock_bh(&replcopy_spawn_lock);
	wake_up_process(replcopy_spawner);
}

/* Is the spawner still making session s's thread? */
static bool replcopy_spawner_has(struct replcopy_session *s)
{
	/* Acquire: pairs with the spawner's release; s->kthread is set. */
	return smp_load_acquire(&replcopy_spawning) == s;
}

/* Process context; the session can no longer be kicked. */
static void replcopy_kthread_stop(struct replcopy_session *s)
{
	struct task_struct *t;

	/*
	 * A work item of the handshake may have ended the session after a
	 * kick put it on the spawner's list: take it off, or wait until the
	 * spawner is done with it (its thread, or its fallback, is then set).
	 */
	spin_lock_bh(&replcopy_spawn_lock);
	if (!list_empty(&s->spawn_node))
		list_del_init(&s->spawn_node);
	spin_unlock_bh(&replcopy_spawn_lock);
	wait_event(replcopy_spawn_done, !replcopy_spawner_has(s));

	cancel_work_sync(&s->work);
	t = READ_ONCE(s->kthread);
	if (t) {
		kthread_stop(t);
		s->kthread = NULL;
		atomic_dec(&replcopy_nr_kthreads);
	}
}

const struct replcopy_worker_ops replcopy_kthread_ops = {
	.name	= "kthread",
	.start	= replcopy_kthread_start,
	.kick	= replcopy_kthread_kick,
	.stop	= replcopy_kthread_stop,
};

int replcopy_kthread_init(void)
{
	struct task_struct *t;

	t = kthread_run(replcopy_spawner_fn, NULL, "replcopy_spawn");
	if (IS_ERR(t))
		return PTR_ERR(t);
	replcopy_spawner = t;
	return 0;
}

/* Every session is gone: the spawner's list is empty. */
void replcopy_kthread_exit(void)
{
	WARN_ON(!list_empty(&replcopy_spawn_list));
	WARN_ON(atomic_read(&replcopy_nr_kthreads));
	kthread_stop(replcopy_spawner);
	replcopy_spawner = NULL;
}
