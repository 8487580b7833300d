/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The session engine's own interfaces, between its files: session.c (the
 * table, capture and consume in softirq, ending, control plane), send.c
 * (segments to the target, connecting), receive.c (segments from the
 * client and the target) and timers.c (timers and the worker's run).
 * The worker models and xmit.c see only session.h.
 */
#ifndef _REPLCOPY_SESSION_INT_H
#define _REPLCOPY_SESSION_INT_H

#include <linux/siphash.h>

#include "session.h"

#define REPLCOPY_HASH_BITS	10
#define REPLCOPY_HASH_SIZE	(1U << REPLCOPY_HASH_BITS)

#define REPLCOPY_RTO_INIT	(1 * HZ)
#define REPLCOPY_RTO_MIN	(HZ / 5)
#define REPLCOPY_RTO_MAX	(60 * HZ)
#define REPLCOPY_LINGER		(2 * HZ)
/* Linux's TCP_DELACK_MIN: how long the ACK of a target's FIN may wait. */
#define REPLCOPY_DELACK		(HZ / 25 ? HZ / 25 : 1)
#define REPLCOPY_HOLD		(3 * HZ)
/*
 * A client SYN waits this long for the client's next segment (the ACK of
 * the online server's SYN-ACK, or data) before the target is connected:
 * two SYN-ACK retransmissions (1 s, then 2 s later) and a margin.
 */
#define REPLCOPY_HS_WAIT	(4 * HZ)
#define REPLCOPY_DEFAULT_MSS	536
#define REPLCOPY_FAB_MSS	1460
#define REPLCOPY_FAB_WSCALE	7
#define REPLCOPY_RCV_WND	65535
#define REPLCOPY_INIT_CWND	10
#define REPLCOPY_CWND_MAX	SZ_1G	/* bytes: no sum wraps */
#define REPLCOPY_INBOX_MAX	4096	/* target segments waiting */
/* Mode client, tuple busy with an earlier session: see replcopy_start(). */
#define REPLCOPY_BUSY_RETRY	(HZ / 100 ? HZ / 100 : 1)
#define REPLCOPY_BUSY_MAX	(10 * HZ)
/* Sessions visited per hold of the table lock (replcopy_kill_live()). */
#define REPLCOPY_WALK_BATCH	256
/* Ports of a pool tried per pick under the table lock (replcopy_pick_port()). */
#define REPLCOPY_PICK_TRIES	256
/* SYNs sent again at once after resetting an old connection (SYN_SENT). */
#define REPLCOPY_SYN_RSTS_FAST	3

struct replcopy_table {
	struct replcopy_net *rn;
	spinlock_t lock;		/* hashes, lists, dying, port cursor */
	struct hlist_head chash[REPLCOPY_HASH_SIZE];
	struct hlist_head thash[REPLCOPY_HASH_SIZE];
	struct list_head live;		/* sessions not ended yet */
	struct list_head graveyard;	/* ended, waiting for the reaper */
	struct work_struct reaper;
	wait_queue_head_t waitq;	/* a session was freed */
	atomic_t nr;			/* sessions not freed yet */
	unsigned int gen;		/* chash changes: dump consistency */
	bool dying;
	bool guest;			/* netns of a non-initial user ns */
	struct replcopy_ports ports;	/* source ports of mode auto */
};

extern unsigned int replcopy_src_port_min, replcopy_src_port_max;
extern siphash_aligned_key_t replcopy_ts_key;

/* session.c */
u32 replcopy_hash(u8 family, const union nf_inet_addr *a,
		  const union nf_inet_addr *b, __be16 pa, __be16 pb);
struct replcopy_session *
replcopy_lookup_reply(struct replcopy_table *tbl, u8 family,
		      const union nf_inet_addr *taddr, __be16 tport,
		      const union nf_inet_addr *saddr, __be16 sport);
void replcopy_charge(struct replcopy_session *s, long n);
void replcopy_free(struct replcopy_session *s, struct sk_buff *skb);
void replcopy_purge(struct replcopy_session *s,
		    struct sk_buff_head *q);
void replcopy_set_state(struct replcopy_session *s, u8 state,
			enum replcopy_cause cause);
void replcopy_end(struct replcopy_session *s, enum replcopy_end why);

/* send.c */
int replcopy_send_ctl(struct replcopy_session *s, u8 flags, u32 seq);
void replcopy_send_ack(struct replcopy_session *s);
void replcopy_send_rst(struct replcopy_session *s);
void replcopy_send_syn(struct replcopy_session *s, bool retrans);
void replcopy_rtt_sample(struct replcopy_session *s);
void replcopy_retransmit_head(struct replcopy_session *s);
bool replcopy_end_due(struct replcopy_session *s);
bool replcopy_end_unanswered(const struct replcopy_session *s);
void replcopy_xmit_failed(struct replcopy_session *s);
bool replcopy_fit_mtu(struct replcopy_session *s, u32 mtu);
void replcopy_push(struct replcopy_session *s);
bool replcopy_start(struct replcopy_session *s);
void replcopy_syn_options(struct replcopy_session *s,
			  const u8 *opt, int len);
void replcopy_fabricate_syn(struct replcopy_session *s);

/* receive.c */
void replcopy_rx_client(struct replcopy_session *s,
			struct sk_buff *skb);
void replcopy_rx_target(struct replcopy_session *s,
			struct sk_buff *skb);
void replcopy_rx_icmp(struct replcopy_session *s, struct sk_buff *skb);

#endif /* _REPLCOPY_SESSION_INT_H */
