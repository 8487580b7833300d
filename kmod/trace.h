/* SPDX-License-Identifier: GPL-2.0 */
/*
 * replcopy tracepoints, system "replcopy". The event and field names are a
 * stable interface: tools/ebpf/ and tools/ftrace/ attach to them.
 *
 *   replcopy_capture        client segment put on a session's inbox (softirq)
 *   replcopy_enqueue        a session's worker kicked: the work item queued
 *                           or the session's kthread woken
 *   replcopy_worker_start   the worker begins a run for a session
 *   replcopy_worker_end     ... and ends it (inbox items processed)
 *   replcopy_xmit           a segment sent to the target
 *   replcopy_retransmit     a segment sent again (RTO, fast retransmit, SYN)
 *   replcopy_state          session state change, with its cause
 *   replcopy_kthread_spawn  the spawner created a session's kthread
 *
 * Every event names its session by sess_id (unique while the module is
 * loaded) and its worker model (0 wq, 1 kthread: enum replcopy_worker).
 * replcopy_capture's seq is the sequence number of the segment's first
 * payload byte (for a SYN: ISN + 1), as replcopy_xmit's seq counts it.
 * replcopy_xmit's new_len counts the segment's bytes never sent before
 * (a retransmission may carry some), and cap_delay_ns is the time from the
 * capture of the first of them to this, their first transmission (0 when
 * new_len is 0, or the data was captured while replcopy_xmit was off).
 * replcopy_capture's caddr and laddr are IPv4 addresses (0 for IPv6);
 * csa and lsa hold either family, as struct sockaddr_in or _in6.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM replcopy

#if !defined(_REPLCOPY_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _REPLCOPY_TRACE_H

#include <linux/in6.h>
#include <linux/tracepoint.h>

#include "session.h"

#ifndef REPLCOPY_TP_SOCKADDR
#define REPLCOPY_TP_SOCKADDR
/* A session's address and port as a sockaddr, for %pISpc. */
static inline void replcopy_tp_sockaddr(void *dst, u8 family,
					const union nf_inet_addr *addr,
					__be16 port)
{
	struct sockaddr_in6 *v6 = dst;
	struct sockaddr_in *v4 = dst;

	memset(dst, 0, sizeof(*v6));
	if (family == AF_INET6) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = port;
		v6->sin6_addr = addr->in6;
	} else {
		v4->sin_family = AF_INET;
		v4->sin_port = port;
		v4->sin_addr.s_addr = addr->ip;
	}
}
#endif

TRACE_DEFINE_ENUM(REPLCOPY_SS_NONE);
TRACE_DEFINE_ENUM(REPLCOPY_SS_SYN_SENT);
TRACE_DEFINE_ENUM(REPLCOPY_SS_ESTABLISHED);
TRACE_DEFINE_ENUM(REPLCOPY_SS_FIN_WAIT);
TRACE_DEFINE_ENUM(REPLCOPY_SS_CLOSE_WAIT);
TRACE_DEFINE_ENUM(REPLCOPY_SS_CLOSED);
TRACE_DEFINE_ENUM(REPLCOPY_WORKER_WQ);
TRACE_DEFINE_ENUM(REPLCOPY_WORKER_KTHREAD);
TRACE_DEFINE_ENUM(REPLCOPY_CAUSE_CONNECT);
TRACE_DEFINE_ENUM(REPLCOPY_CAUSE_SYNACK);
TRACE_DEFINE_ENUM(REPLCOPY_CAUSE_CLIENT_FIN);
TRACE_DEFINE_ENUM(REPLCOPY_CAUSE_TARGET_FIN);
TRACE_DEFINE_ENUM(REPLCOPY_CAUSE_FIN_ACKED);
TRACE_DEFINE_ENUM(REPLCOPY_CAUSE_RESET);
TRACE_DEFINE_ENUM(REPLCOPY_CAUSE_CLIENT_RST);
TRACE_DEFINE_ENUM(REPLCOPY_CAUSE_TIMEDOUT);
TRACE_DEFINE_ENUM(REPLCOPY_CAUSE_LIMIT);
TRACE_DEFINE_ENUM(REPLCOPY_CAUSE_ABORT);

#define show_replcopy_state(s)						\
	__print_symbolic(s,						\
			 { REPLCOPY_SS_NONE,		"NONE" },	\
			 { REPLCOPY_SS_SYN_SENT,	"SYN_SENT" },	\
			 { REPLCOPY_SS_ESTABLISHED,	"ESTABLISHED" },\
			 { REPLCOPY_SS_FIN_WAIT,	"FIN_WAIT" },	\
			 { REPLCOPY_SS_CLOSE_WAIT,	"CLOSE_WAIT" },	\
			 { REPLCOPY_SS_CLOSED,		"CLOSED" })

#define show_replcopy_worker(w)						\
	__print_symbolic(w,						\
			 { REPLCOPY_WORKER_WQ,		"wq" },		\
			 { REPLCOPY_WORKER_KTHREAD,	"kthread" })

#define show_replcopy_cause(c)						\
	__print_symbolic(c,						\
			 { REPLCOPY_CAUSE_CONNECT,	"connect" },	\
			 { REPLCOPY_CAUSE_SYNACK,	"synack" },	\
			 { REPLCOPY_CAUSE_CLIENT_FIN,	"client_fin" },	\
			 { REPLCOPY_CAUSE_TARGET_FIN,	"target_fin" },	\
			 { REPLCOPY_CAUSE_FIN_ACKED,	"fin_acked" },	\
			 { REPLCOPY_CAUSE_RESET,	"reset" },	\
			 { REPLCOPY_CAUSE_CLIENT_RST,	"client_rst" },	\
			 { REPLCOPY_CAUSE_TIMEDOUT,	"timedout" },	\
			 { REPLCOPY_CAUSE_LIMIT,	"limit" },	\
			 { REPLCOPY_CAUSE_ABORT,	"abort" })

TRACE_EVENT(replcopy_capture,

	TP_PROTO(const struct replcopy_session *s, u32 seq, u32 len,
		 u8 tcp_flags),

	TP_ARGS(s, seq, len, tcp_flags),

	TP_STRUCT__entry(
		__field(u32, sess_id)
		__field(u8, worker)
		__field(u8, tcp_flags)
		__field(u16, cport)
		__array(u8, caddr, 4)
		__array(u8, laddr, 4)
		__field(u16, lport)
		__array(u8, csa, sizeof(struct sockaddr_in6))
		__array(u8, lsa, sizeof(struct sockaddr_in6))
		__field(u32, seq)
		__field(u32, len)
	),

	TP_fast_assign(
		__entry->sess_id = s->id;
		__entry->worker = s->worker;
		__entry->tcp_flags = tcp_flags;
		memcpy(__entry->caddr, &s->caddr.ip, 4);
		__entry->cport = ntohs(s->cport);
		memcpy(__entry->laddr, &s->laddr.ip, 4);
		__entry->lport = ntohs(s->lport);
		replcopy_tp_sockaddr(__entry->csa, s->cfamily, &s->caddr,
				     s->cport);
		replcopy_tp_sockaddr(__entry->lsa, s->cfamily, &s->laddr,
				     s->lport);
		__entry->seq = seq;
		__entry->len = len;
	),

	TP_printk("sess=%u worker=%s %pISpc->%pISpc seq=%u len=%u flags=%#x",
		  __entry->sess_id, show_replcopy_worker(__entry->worker),
		  __entry->csa, __entry->lsa, __entry->seq, __entry->len,
		  __entry->tcp_flags)
);

TRACE_EVENT(replcopy_enqueue,

	TP_PROTO(const struct replcopy_session *s, bool queued, int pid,
		 bool unbound),

	TP_ARGS(s, queued, pid, unbound),

	TP_STRUCT__entry(
		__field(u32, sess_id)
		__field(u8, worker)
		__field(u8, queued)
		__field(u8, unbound)
		__field(int, pid)
	),

	TP_fast_assign(
		__entry->sess_id = s->id;
		__entry->worker = s->worker;
		__entry->queued = queued;
		__entry->unbound = unbound;
		__entry->pid = pid;
	),

	TP_printk("sess=%u worker=%s queued=%u unbound=%u pid=%d",
		  __entry->sess_id, show_replcopy_worker(__entry->worker),
		  __entry->queued, __entry->unbound, __entry->pid)
);

TRACE_EVENT(replcopy_worker_start,

	TP_PROTO(const struct replcopy_session *s),

	TP_ARGS(s),

	TP_STRUCT__entry(
		__field(u32, sess_id)
		__field(u8, worker)
		__field(u8, state)
	),

	TP_fast_assign(
		__entry->sess_id = s->id;
		__entry->worker = s->worker;
		__entry->state = s->state;
	),

	TP_printk("sess=%u worker=%s state=%s",
		  __entry->sess_id, show_replcopy_worker(__entry->worker),
		  show_replcopy_state(__entry->state))
);

TRACE_EVENT(replcopy_worker_end,

	TP_PROTO(const struct replcopy_session *s, u32 items),

	TP_ARGS(s, items),

	TP_STRUCT__entry(
		__field(u32, sess_id)
		__field(u8, worker)
		__field(u8, state)
		__field(u8, ended)
		__field(u32, items)
	),

	TP_fast_assign(
		__entry->sess_id = s->id;
		__entry->worker = s->worker;
		__entry->state = s->state;
		__entry->ended = s->life == REPLCOPY_LIFE_ENDED;
		__entry->items = items;
	),

	TP_printk("sess=%u worker=%s items=%u state=%s ended=%u",
		  __entry->sess_id, show_replcopy_worker(__entry->worker),
		  __entry->items, show_replcopy_state(__entry->state),
		  __entry->ended)
);

TRACE_EVENT(replcopy_xmit,

	TP_PROTO(const struct replcopy_session *s, u32 seq, u32 ack, u32 len,
		 u8 tcp_flags, bool retrans, u32 new_len, u64 cap_ns, int err,
		 u32 segs),

	TP_ARGS(s, seq, ack, len, tcp_flags, retrans, new_len, cap_ns, err,
		segs),

	TP_STRUCT__entry(
		__field(u32, sess_id)
		__field(u8, worker)
		__field(u8, tcp_flags)
		__field(u8, retrans)
		__field(u32, seq)
		__field(u32, ack)
		__field(u32, len)
		__field(u32, new_len)
		__field(int, err)
		__field(u64, cap_delay_ns)
		__field(u32, segs)
	),

	TP_fast_assign(
		u64 now = cap_ns ? ktime_get_ns() : 0;

		__entry->sess_id = s->id;
		__entry->worker = s->worker;
		__entry->tcp_flags = tcp_flags;
		__entry->retrans = retrans;
		__entry->seq = seq;
		__entry->ack = ack;
		__entry->len = len;
		__entry->new_len = new_len;
		__entry->err = err;
		__entry->cap_delay_ns = now > cap_ns ? now - cap_ns : 0;
		__entry->segs = segs;
	),

	TP_printk("sess=%u worker=%s seq=%u ack=%u len=%u new_len=%u flags=%#x retrans=%u err=%d cap_delay_ns=%llu segs=%u",
		  __entry->sess_id, show_replcopy_worker(__entry->worker),
		  __entry->seq, __entry->ack, __entry->len, __entry->new_len,
		  __entry->tcp_flags, __entry->retrans, __entry->err,
		  __entry->cap_delay_ns, __entry->segs)
);

TRACE_EVENT(replcopy_retransmit,

	TP_PROTO(const struct replcopy_session *s, u32 seq, u32 len,
		 u8 tcp_flags),

	TP_ARGS(s, seq, len, tcp_flags),

	TP_STRUCT__entry(
		__field(u32, sess_id)
		__field(u8, worker)
		__field(u8, tcp_flags)
		__field(u8, state)
		__field(u8, retries)
		__field(u32, seq)
		__field(u32, len)
		__field(u32, snd_una)
		__field(u32, rto_ms)
	),

	TP_fast_assign(
		__entry->sess_id = s->id;
		__entry->worker = s->worker;
		__entry->tcp_flags = tcp_flags;
		__entry->state = s->state;
		__entry->retries = s->state == REPLCOPY_SS_SYN_SENT ?
				   s->syn_tries : s->retries;
		__entry->seq = seq;
		__entry->len = len;
		__entry->snd_una = s->snd_una;
		__entry->rto_ms = jiffies_to_msecs(s->rto);
	),

	TP_printk("sess=%u worker=%s state=%s seq=%u len=%u flags=%#x snd_una=%u retries=%u rto_ms=%u",
		  __entry->sess_id, show_replcopy_worker(__entry->worker),
		  show_replcopy_state(__entry->state), __entry->seq,
		  __entry->len, __entry->tcp_flags, __entry->snd_una,
		  __entry->retries, __entry->rto_ms)
);

TRACE_EVENT(replcopy_state,

	TP_PROTO(const struct replcopy_session *s, u8 old, u8 new, u8 cause),

	TP_ARGS(s, old, new, cause),

	TP_STRUCT__entry(
		__field(u32, sess_id)
		__field(u8, worker)
		__field(u8, old_state)
		__field(u8, new_state)
		__field(u8, cause)
		__field(u64, captured_bytes)
		__field(u64, acked_bytes)
	),

	TP_fast_assign(
		__entry->sess_id = s->id;
		__entry->worker = s->worker;
		__entry->old_state = old;
		__entry->new_state = new;
		__entry->cause = cause;
		__entry->captured_bytes = s->captured_bytes;
		__entry->acked_bytes = s->acked_bytes;
	),

	TP_printk("sess=%u worker=%s %s -> %s cause=%s captured=%llu acked=%llu",
		  __entry->sess_id, show_replcopy_worker(__entry->worker),
		  show_replcopy_state(__entry->old_state),
		  show_replcopy_state(__entry->new_state),
		  show_replcopy_cause(__entry->cause),
		  __entry->captured_bytes, __entry->acked_bytes)
);

TRACE_EVENT(replcopy_kthread_spawn,

	TP_PROTO(const struct replcopy_session *s, int pid, u64 create_ns,
		 int err),

	TP_ARGS(s, pid, create_ns, err),

	TP_STRUCT__entry(
		__field(u32, sess_id)
		__field(int, pid)
		__field(int, err)
		__field(u64, create_ns)
	),

	TP_fast_assign(
		__entry->sess_id = s->id;
		__entry->pid = pid;
		__entry->err = err;
		__entry->create_ns = create_ns;
	),

	TP_printk("sess=%u pid=%d create_ns=%llu err=%d",
		  __entry->sess_id, __entry->pid, __entry->create_ns,
		  __entry->err)
);

#endif /* _REPLCOPY_TRACE_H */

/* This part must be outside the include guard. */
#undef TRACE_INCLUDE_PATH
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_PATH .
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
