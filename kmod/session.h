/* SPDX-License-Identifier: GPL-2.0 */
/*
 * replcopy engine-private interfaces: sessions, transmit, worker models.
 *
 * Only session.c, xmit.c, the worker models (replay_wq.c,
 * replay_kthread.c) and the tracepoints (trace.h) include this header.
 */
#ifndef _REPLCOPY_SESSION_H
#define _REPLCOPY_SESSION_H

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/skbuff.h>
#include <linux/spinlock.h>
#include <linux/timer.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "replcopy.h"

struct replcopy_session;

/*
 * A worker model runs replcopy_session_run() for a session, never twice
 * concurrently for the same session (single-writer rule).
 *   start: softirq context, GFP_ATOMIC only; prepare the session's worker.
 *   kick:  any context (called with s->lock or the table lock held); make
 *          sure replcopy_session_run() runs soon. Never sleeps.
 *   stop:  process context, may sleep; after it returns the session's
 *          worker neither runs nor is scheduled. Called once the session
 *          can no longer be kicked.
 */
struct replcopy_worker_ops {
	const char *name;
	int (*start)(struct replcopy_session *s);
	void (*kick)(struct replcopy_session *s);
	void (*stop)(struct replcopy_session *s);
};

/* replay_wq.c */
extern const struct replcopy_worker_ops replcopy_wq_ops;
int replcopy_wq_init(void);
void replcopy_wq_exit(void);

/* replay_kthread.c */
extern const struct replcopy_worker_ops replcopy_kthread_ops;
int replcopy_kthread_init(void);
void replcopy_kthread_exit(void);

/* Per-skb state of queued client data and inbox items, in skb->cb. */
struct replcopy_cb {
	u32 seq;		/* first payload byte (or SYN/FIN seq) */
	u32 end_seq;		/* seq + payload length (FIN/SYN excluded) */
	u32 off;		/* payload offset from skb->data (0 in
				 * sndq: payload pages, see
				 * replcopy_store())
				 */
	u16 thoff;		/* TCP header offset from skb->data */
	u8 tcp_flags;
	u8 from_target:1,	/* inbox item: target segment (else client) */
	   has_ts:1,
	   icmp:1;		/* inbox item: ICMP fragmentation needed
				 * (from_target too): seq of the quoted
				 * segment, mtu, thoff: quoted IP header
				 */
	u32 tsval;		/* client TSval, if has_ts */
	u32 charged;		/* truesize charged to the limits */
	u32 ack;		/* ACK field, if TCPHDR_ACK */
	u16 mtu;		/* icmp: the next hop's MTU */
	u64 cap_ns;		/* capture time (ktime_get_ns), 0: unknown;
				 * only taken while replcopy_xmit is traced
				 */
};

#define REPLCOPY_CB(skb) ((struct replcopy_cb *)(skb)->cb)

/* Session events, s->events bits: set by hooks, timers and control. */
enum {
	REPLCOPY_SE_KILL,	/* end now, reset the target */
	REPLCOPY_SE_LIMIT,	/* replay data was lost: reset, linger */
};

/*
 * A session's life, beside its TCP state toward the target. Its worker
 * moves it forward only: LIVE -> LINGER or ZOMBIE -> ENDED, or LIVE ->
 * ENDED. The capture hook reads it without a lock (a lingering session
 * absorbs its connection's rest; a client SYN on it starts a new one).
 * ENDED is written under s->lock, and every enqueue and kick tests it
 * under that lock: after it, nothing reaches the worker.
 */
enum replcopy_life {
	REPLCOPY_LIFE_LIVE,	/* replaying */
	REPLCOPY_LIFE_LINGER,	/* both FINs acked (CLOSED): absorbs the
				 * target's retransmissions until linger_at
				 */
	REPLCOPY_LIFE_ZOMBIE,	/* ended by a RST, a timeout or a limit,
				 * counted: absorbs the rest of the client's
				 * connection instead of fabricating a new
				 * session in its middle, until linger_at
				 */
	REPLCOPY_LIFE_ENDED,	/* unhashed, handed to the reaper */
};

/* Reasons a session ends; decide which counter moves and whether we RST. */
enum replcopy_end {
	REPLCOPY_END_CLOSED,	/* FIN exchange done, linger over */
	REPLCOPY_END_RESET,	/* target RST, or no connection possible */
	REPLCOPY_END_CLIENT_RST, /* client RST: forwarded, linger */
	REPLCOPY_END_TIMEDOUT,	/* idle or retransmission limit */
	REPLCOPY_END_LIMIT,	/* client data lost to limits: RST, linger */
	REPLCOPY_END_ABORT,	/* mapping gone, module/netns exit: RST, free */
	REPLCOPY_END_LOOP,	/* a replayed SYN: never connects, linger */
};

/* Why a session changed state (replcopy_state tracepoint). */
enum replcopy_cause {
	REPLCOPY_CAUSE_CONNECT,		/* SYN sent */
	REPLCOPY_CAUSE_SYNACK,		/* target completed the handshake */
	REPLCOPY_CAUSE_CLIENT_FIN,	/* client's FIN forwarded */
	REPLCOPY_CAUSE_TARGET_FIN,	/* target's FIN received */
	REPLCOPY_CAUSE_FIN_ACKED,	/* both FINs acknowledged */
	REPLCOPY_CAUSE_RESET,		/* target RST, or connect failed */
	REPLCOPY_CAUSE_CLIENT_RST,	/* client RST forwarded */
	REPLCOPY_CAUSE_TIMEDOUT,	/* idle or retransmission limit */
	REPLCOPY_CAUSE_LIMIT,		/* client data lost to limits */
	REPLCOPY_CAUSE_ABORT,		/* mapping gone, netns/module exit */
};

/* kthread model: bits of s->kt_flags. */
enum {
	REPLCOPY_KT_PENDING,	/* work to do: the thread must run */
	REPLCOPY_KT_SPAWNING,	/* on the spawner's list or being created */
	REPLCOPY_KT_FALLBACK,	/* no thread could be made: s->work instead */
};

struct replcopy_table;
struct replcopy_pool;

/*
 * How long a target keeps a connection it closed first in TIME-WAIT
 * (Linux: TCP_TIMEWAIT_LEN): a source port reused sooner is counted.
 */
#define REPLCOPY_TW_LEN		(60 * HZ)

/* ports.c: source ports of mode auto, a pool per target (see there). */
struct replcopy_ports {
	struct list_head pools;
	unsigned int nr;
};

void replcopy_ports_init(struct replcopy_ports *p);
void replcopy_ports_exit(struct replcopy_ports *p);
struct replcopy_pool *replcopy_pool_new(u8 family,
					const union nf_inet_addr *saddr,
					const union nf_inet_addr *taddr,
					__be16 tport, u16 lo, u16 hi);
void replcopy_pool_free(struct replcopy_pool *pool);
void replcopy_pools_free(struct list_head *gc);
struct replcopy_pool *replcopy_pool_find(struct replcopy_ports *p,
					 u8 family,
					 const union nf_inet_addr *saddr,
					 const union nf_inet_addr *taddr,
					 __be16 tport, u16 lo, u16 hi);
void replcopy_pool_add(struct replcopy_ports *p, struct replcopy_pool *pool,
		       struct list_head *gc);
u16 replcopy_pool_get(struct replcopy_pool *pool, bool *reused);
void replcopy_pool_put(struct replcopy_pool *pool, u16 port, bool used);
u32 replcopy_pool_nfree(const struct replcopy_pool *pool);

struct replcopy_session {
	/* Lookup, protected by the table lock for writers, RCU for readers. */
	struct hlist_node cnode;	/* client tuple hash */
	struct hlist_node tnode;	/* reply tuple hash (once we sent) */
	struct list_head node;		/* tbl->live or tbl->graveyard */
	struct rcu_head rcu;

	struct replcopy_table *tbl;
	struct replcopy_mapping *m;	/* holds a reference */
	struct replcopy_target *t;	/* m's target it replays to:
					 * m->targets[replica / m->copies],
					 * kept for every counter update
					 */
	u8 replica;			/* index among the connection's
					 * sessions: target, then copy
					 * (replica % m->copies)
					 */
	struct replcopy_pool *pool;	/* of sport, while port_held */

	/* Client side: caddr:cport -> laddr:lport (what the local app sees). */
	union nf_inet_addr caddr, laddr;
	__be16 cport, lport;
	u8 cfamily;			/* of caddr and laddr: AF_INET */
	/* Replay side: saddr:sport -> taddr:tport, of the target's family. */
	u8 family;			/* of saddr and taddr: t->family */
	union nf_inet_addr saddr, taddr;
	__be16 sport, tport;

	/* Inbox: written by hooks under lock, drained by the worker. */
	spinlock_t lock;
	u8 life;			/* enum replcopy_life: written by the
					 * worker, read by the hooks; ENDED
					 * only under lock
					 */
	struct sk_buff_head inbox;
	unsigned long events;
	atomic_long_t queued;		/* memory charged to the limits */
	unsigned long last_seen;	/* jiffies, client or target traffic */

	/* Worker model. */
	const struct replcopy_worker_ops *wops;
	u8 worker;			/* enum replcopy_worker */
	struct work_struct work;	/* wq model */
	struct workqueue_struct *wq;	/* wq model: where work runs */
	struct task_struct *kthread;	/* kthread model: set by the spawner */
	struct list_head spawn_node;	/* kthread model: spawner's list */
	unsigned long kt_flags;		/* kthread model: REPLCOPY_KT_* */
	u32 id;				/* unique per session, for tracing */
	bool loop;			/* the client SYN was a replayed one;
					 * set at creation
					 */
	u32 c_isn;			/* client ISN (fabricated: first data
					 * seq - 1); set at creation, read by
					 * the capture hook
					 */
	bool c_hs_wait;			/* client SYN seen, its handshake not
					 * complete: no target connection
					 * yet; set at creation, cleared by
					 * the worker, read by the capture
					 * hook (its pure ACKs are queued)
					 */
	struct timer_list timer;	/* kicks the worker at a deadline */
	bool ev_limit;			/* a LIMIT event for the target's data
					 * was sent; under s->lock
					 */

	/* ---- Everything below is owned by the worker. ---- */
	u8 state;			/* enum replcopy_session_state */
	bool fabricated;
	bool c_started;			/* iss and SYN options set */
	bool port_held;			/* sport taken from pool */
	bool ts_ok;			/* timestamps negotiated */
	bool ws_ok;			/* window scaling negotiated */
	bool c_fin;			/* client FIN received in sequence */
	bool c_rst;			/* client RST seen, ours is pending */
	bool c_ended;			/* client FIN or RST seen */
	bool c_ack_seen;		/* c_ack_base is set */
	bool fin_sent;			/* our FIN was sent at least once */
	bool fin_acked;
	bool t_fin;			/* target FIN received in sequence */
	bool t_hole;			/* target data missing before some seen */
	bool ack_due;			/* target data in sequence not acked yet */
	bool t_idle;			/* target sent all it had (probe answer) */
	bool resp_wait;			/* pacing: request sent, no response */
	bool rtt_pending;
	bool in_recovery;		/* fast recovery until snd_una >= recover */
	bool no_df;			/* path MTU below 552: DF off */
	u32 route_mtu;			/* xmit's -EMSGSIZE: the route's MTU */
	u8 snd_wscale;			/* target's shift */
	u8 rcv_wscale;			/* ours (the client's) */
	u8 syn_tries;
	u8 syn_rsts;			/* old connections reset in SYN_SENT */
	u8 retries;			/* consecutive RTOs at snd_una */
	u8 dupacks;
	u8 synopt_len;
	u8 synopt_ts_off;		/* TSval offset in synopt, 0: none */
	u8 synopt[40];			/* options of the SYN we send */

	u32 iss;			/* client ISN */
	u32 c_nxt;			/* end of in-sequence client data */
	u32 snd_una, snd_nxt, snd_max;
	u32 snd_wnd;
	u32 snd_wl1;			/* seq of the segment snd_wnd came from */
	u32 cwnd;			/* bytes */
	u32 ssthresh;
	u32 recover;			/* snd_max when fast recovery began */
	u32 irs, rcv_nxt;		/* target ISN, next byte expected */
	u32 rcv_acked;			/* rcv_nxt of our last ACK */
	u32 ts_off;			/* our TSval = ms clock + ts_off */
	u32 ts_recent;			/* last TSval from the target */
	u16 t_mss;			/* target's MSS option */
	u16 mss;			/* payload bytes per segment */
	u32 rtt_seq;
	u64 rtt_start_us;		/* tcp_clock_us() of the timed segment */
	u32 srtt_us, rttvar_us;
	unsigned long rto;		/* jiffies, with backoff */
	unsigned long rto_base;		/* from srtt/rttvar, 0: no sample */
	unsigned long rto_at;		/* 0: not armed */
	unsigned long hold_at;		/* pacing hold deadline, 0: none */
	unsigned long linger_at;	/* LINGER, ZOMBIE: linger until */
	unsigned long end_at;		/* look again if the end is due, 0: no */
	unsigned long busy_at;		/* try to connect again, 0: no */
	unsigned long busy_until;	/* give up waiting for the tuple */
	unsigned long hs_at;		/* c_hs_wait: give up waiting */
	unsigned long c_end_at;		/* client FIN or RST seen, if c_ended */
	unsigned long fin_gap;		/* client's last data -> its end */
	unsigned long t_progress_at;	/* target acked or sent new bytes */
	unsigned long probe_at;		/* idle probe sent, 0: none */
	unsigned long dack_at;		/* ack_due waits until; 0 when none */
	u32 c_ack_base, c_ack_end;	/* client's first and highest ACK */
	unsigned long c_data_at;	/* client data last accepted */
	unsigned long data_sent_at;	/* new data last sent */
	unsigned long start;		/* jiffies at creation */

	u64 captured_bytes;		/* for the session dump */
	u64 acked_bytes;

	struct sk_buff_head sndq;	/* in-sequence client data, copied
					 * into pages of our own
					 */
	struct sk_buff_head ooo;	/* client segments after a gap,
					 * sorted (clones)
					 */
};

/* enum replcopy_life, read where the worker may be writing it. */
static inline u8 replcopy_life(const struct replcopy_session *s)
{
	return READ_ONCE(s->life);
}

/* The worker is done with it: nothing may be queued or kicked (s->lock). */
static inline bool replcopy_ended(const struct replcopy_session *s)
{
	return replcopy_life(s) == REPLCOPY_LIFE_ENDED;
}

/* The IP header's length of the replayed connection's segments. */
static inline u32 replcopy_nhlen(const struct replcopy_session *s)
{
	return s->family == AF_INET6 ? sizeof(struct ipv6hdr) :
				       sizeof(struct iphdr);
}

/* session.c: the worker model calls this to process a session. */
void replcopy_session_run(struct replcopy_session *s);

/* xmit.c */
struct replcopy_seg {
	u8 flags;			/* TCPHDR_* */
	u32 seq;
	u32 ack;
	u16 window;			/* host order, already scaled down */
	const u8 *opts;			/* TCP options, multiple of 4 bytes */
	u8 optlen;
	u32 len;			/* payload at seq in q (> MSS: GSO) */
	const struct sk_buff_head *q;	/* payload source (sndq) */
	bool retrans;
};

/*
 * Sends seg: returns the payload bytes sent (seg->len, or fewer whole MSS
 * when they do not fit in one GSO skb), or -errno; -EMSGSIZE: the segment
 * is larger than the route's MTU (s->route_mtu).
 */
int replcopy_xmit(struct replcopy_session *s, const struct replcopy_seg *seg);
/* Path MTU toward the target minus IP and TCP headers, or 0. */
u32 replcopy_route_mss(struct replcopy_session *s);
/* Lowers the route's path MTU toward the target (skb->data: the quoted
 * IP header of an ICMP error).
 */
void replcopy_route_update_pmtu(struct replcopy_session *s,
				struct sk_buff *skb, u32 mtu);
/* Route's preferred source address toward the target, or 0. */
/* The source address the route to taddr prefers: 0, or -errno. */
int replcopy_route_source(struct net *net, u8 family,
			  const union nf_inet_addr *taddr, __be16 tport,
			  union nf_inet_addr *saddr);

/*
 * An event about s: SESSION_*, TARGET_*, or LIMIT; arg is the enum
 * replcopy_end_reason of SESSION_END, the enum replcopy_limit of LIMIT.
 */
void replcopy_ev_session(struct replcopy_session *s, u8 type, u8 arg);

#endif /* _REPLCOPY_SESSION_H */
