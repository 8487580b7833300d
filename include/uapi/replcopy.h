/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * replcopy: in-kernel replay of live TCP traffic to a test server.
 *
 * This is the only header shared by the kernel module and replctl.
 *
 * Generic netlink family REPLCOPY_GENL_NAME, version REPLCOPY_GENL_VERSION.
 * Every request is scoped to the network namespace of the socket that sent
 * it: a mapping belongs to the netns in which it was added, and dumps only
 * ever show that netns's mappings and sessions. Module-wide settings
 * (REPLCOPY_CMD_SET_CONFIG) need CAP_NET_ADMIN in the initial user
 * namespace; mapping changes need CAP_NET_ADMIN over the caller's netns.
 *
 * IPv4 addresses are carried as NLA_U32 in network byte order ("be32"
 * below), IPv6 addresses as 16 bytes in network byte order ("in6" below)
 * in the attribute of the same name ending in ADDR6: a request gives one
 * of the two where it gives an address, a reply the one of the address's
 * family. Ports are NLA_U16 in host byte order.
 *
 * REPLCOPY_CMD_ADD_MAPPING (admin)
 *   Copy what arrives on local port MAP_PORT (optionally only for local
 *   address MAP_ONLINE_ADDR) to MAP_TARGET_ADDR:MAP_TARGET_PORT.
 *     REPLCOPY_A_MAP_PORT          u16   required, 1..65535
 *     REPLCOPY_A_MAP_ONLINE_ADDR   be32  optional, 0 = any local address
 *                                        (or MAP_ONLINE_ADDR6, in6: a
 *                                        local address, not ::)
 *     REPLCOPY_A_MAP_TARGET_ADDR   be32  required, unicast, not loopback
 *                                        (or MAP_TARGET_ADDR6, in6)
 *     REPLCOPY_A_MAP_TARGET_PORT   u16   required, 1..65535
 *     REPLCOPY_A_MAP_SOURCE        u8    enum replcopy_source, default AUTO
 *     REPLCOPY_A_MAP_PACING        u8    enum replcopy_pacing, default STREAM
 *     REPLCOPY_A_MAP_FLAGS         u32   REPLCOPY_MAPF_*, default 0
 *     REPLCOPY_A_MAP_SAMPLE        u32   share of client connections
 *                                        replayed, in 1/10 000 (1..10 000,
 *                                        default REPLCOPY_SAMPLE_ALL)
 *   A connection is in the sample or not by a keyed hash of its address
 *   and port tuple (the key is the module's, random at load), so it is
 *   replayed whole or not at all; each SYN of one left out counts in
 *   REPLCOPY_STAT_SESS_UNSAMPLED.
 *     REPLCOPY_A_MAP_TARGETS       nest  optional: every target, in order,
 *                                        the first being MAP_TARGET_ADDR:
 *                                        MAP_TARGET_PORT; 1..
 *                                        REPLCOPY_MAX_TARGETS entries
 *                                        REPLCOPY_TL_TARGET, each a nest
 *                                        of REPLCOPY_TA_ADDR and _PORT
 *     REPLCOPY_A_MAP_COPIES        u32   replays of each client connection
 *                                        to each target, 1..
 *                                        REPLCOPY_MAX_COPIES, default 1
 *   Each replayed client connection becomes one session per target and
 *   copy, each with its own source port, state and counters. Source mode
 *   CLIENT takes the client's own tuple, so it allows one copy only, and
 *   targets of one family, the online address's if one is given.
 *   A mapping captures the family of its online address; without one,
 *   both families (source mode CLIENT: the targets' family). In source
 *   mode AUTO a client connection of one family may be replayed to a
 *   target of the other.
 *   A mapping's targets and copies are fixed when it is added.
 *   The reply (REPLCOPY_CMD_ADD_MAPPING) carries the mapping's attributes,
 *   among them the REPLCOPY_A_MAP_ID the kernel assigned.
 *
 * REPLCOPY_CMD_DEL_MAPPING (admin)
 *   Exactly one of:
 *     REPLCOPY_A_MAP_ID            u32   the mapping with this id
 *     REPLCOPY_A_MAP_PORT          u16   the mapping(s) on this local port;
 *                                        with MAP_ONLINE_ADDR, only that one
 *     REPLCOPY_A_DEL_ALL           flag  every mapping of the netns
 *   Live replayed connections of a deleted mapping are reset on the target.
 *
 * REPLCOPY_CMD_GET_MAPPING (dump)
 *   One message per mapping: the REPLCOPY_A_MAP_* attributes above plus
 *     REPLCOPY_A_MAP_ID            u32
 *     REPLCOPY_A_MAP_SESSIONS      u32   live sessions
 *   MAP_TARGET_ADDR/PORT is the first target; MAP_TARGETS lists them all,
 *   each entry with its REPLCOPY_TA_SESSIONS.
 *
 * REPLCOPY_CMD_GET_STATS
 *   dump: one message per mapping with REPLCOPY_A_MAP_ID, REPLCOPY_A_MAP_PORT,
 *         REPLCOPY_A_MAP_TARGET_ADDR, REPLCOPY_A_MAP_TARGET_PORT and
 *         REPLCOPY_A_STATS (nest of enum replcopy_stat, each u64), and
 *         REPLCOPY_A_MAP_TARGETS with each target's REPLCOPY_TA_STATS.
 *         The mapping's counters are the sum of its targets' and of those
 *         counted before a connection is given to its targets (captured
 *         segments, unsampled, drops of unusable or unknown segments):
 *         with several targets or copies, the session counters and the
 *         captured, sent and acked bytes count each session's.
 *   do:   the netns-wide totals: REPLCOPY_A_STATS, the sum over the netns's
 *         mappings, live and deleted, since the netns first used replcopy.
 *
 * REPLCOPY_CMD_GET_SESSIONS (dump, admin: client addresses)
 *   One message per live replayed connection of the caller's netns:
 *   REPLCOPY_A_SESSION (nest of enum replcopy_session_attr).
 *   Optional filter in the request: REPLCOPY_A_MAP_ID.
 *
 * REPLCOPY_CMD_SET_CONFIG (admin in the initial user namespace)
 *   Any subset of REPLCOPY_A_CONFIG's nested enum replcopy_config_attr.
 *   Either every given value is applied or none is.
 *
 * REPLCOPY_CMD_GET_CONFIG
 *   REPLCOPY_A_CONFIG (every enum replcopy_config_attr) and
 *   REPLCOPY_A_VERSION (string).
 *
 * REPLCOPY_CMD_EVENT (notification only: never a request)
 *   Sent to the multicast group REPLCOPY_MCGRP_EVENTS of the netns it is
 *   about; only sockets with CAP_NET_ADMIN over that netns may join the
 *   group. Every event carries
 *     REPLCOPY_A_EVENT             u8    enum replcopy_event
 *   Session events (SESSION_*, TARGET_*, and LIMIT when a session hit it)
 *   add REPLCOPY_A_SESSION (as in GET_SESSIONS; SOURCE_ADDR/PORT are 0
 *   until the replayed connection has them), REPLCOPY_A_MAP_PORT,
 *   REPLCOPY_A_MAP_TARGET_ADDR and REPLCOPY_A_MAP_TARGET_PORT.
 *   SESSION_END adds
 *     REPLCOPY_A_EVENT_REASON      u8    enum replcopy_end_reason
 *   LIMIT adds REPLCOPY_A_EVENT_LIMIT (u8, enum replcopy_limit) and, when
 *   no session is concerned, REPLCOPY_A_MAP_ID, REPLCOPY_A_MAP_PORT and the
 *   target's address and port.
 *   MAPPING_ADD and MAPPING_DEL carry the mapping's attributes, as
 *   GET_MAPPING lists them.
 *   Events are rate limited per netns (module parameter event_rate, per
 *   second, with a burst of as many): what the limit drops is counted, and
 *   one SUPPRESSED event a second later says how many:
 *     REPLCOPY_A_EVENT_SUPPRESSED  u32   events not sent since the last
 *                                        SUPPRESSED event
 *   SUPPRESSED itself is never dropped by the limit. An event that finds no
 *   memory is counted in the next SUPPRESSED too. No listener, no cost:
 *   nothing is built while the group has no member in the netns.
 *
 * Each command takes only the attributes listed for it: any other (a
 * read-only one, or one that means nothing for the command, such as
 * REPLCOPY_A_DEL_ALL with ADD_MAPPING) is refused with EINVAL.
 *
 * Errors carry an extended-ack message that names the attribute at fault.
 */
#ifndef _UAPI_REPLCOPY_H
#define _UAPI_REPLCOPY_H

#define REPLCOPY_GENL_NAME	"replcopy"
#define REPLCOPY_GENL_VERSION	1

/*
 * Every SYN the module sends to a target carries a TCP experimental option
 * (RFC 6994: kind 253, length 4) with this ExID ("RC", not registered with
 * IANA). A client SYN that carries it is a replayed SYN, from this host or
 * another running replcopy: it is never replayed again (REPLCOPY_STAT_
 * DROP_LOOP), so mappings that point at each other across network
 * namespaces or hosts cannot amplify. Targets ignore the unknown option.
 */
#define REPLCOPY_TCPOPT_KIND	253
#define REPLCOPY_TCPOPT_LEN	4
#define REPLCOPY_TCPOPT_EXID	0x5243

enum replcopy_cmd {
	REPLCOPY_CMD_UNSPEC,
	REPLCOPY_CMD_ADD_MAPPING,
	REPLCOPY_CMD_DEL_MAPPING,
	REPLCOPY_CMD_GET_MAPPING,
	REPLCOPY_CMD_GET_STATS,
	REPLCOPY_CMD_GET_SESSIONS,
	REPLCOPY_CMD_SET_CONFIG,
	REPLCOPY_CMD_GET_CONFIG,
	REPLCOPY_CMD_EVENT,		/* notification, REPLCOPY_MCGRP_EVENTS */
	__REPLCOPY_CMD_MAX
};
#define REPLCOPY_CMD_MAX (__REPLCOPY_CMD_MAX - 1)

/* Multicast group of REPLCOPY_CMD_EVENT. */
#define REPLCOPY_MCGRP_EVENTS	"events"

enum replcopy_attr {
	REPLCOPY_A_UNSPEC,
	REPLCOPY_A_MAP_ID,		/* u32 */
	REPLCOPY_A_MAP_PORT,		/* u16 */
	REPLCOPY_A_MAP_ONLINE_ADDR,	/* be32 */
	REPLCOPY_A_MAP_TARGET_ADDR,	/* be32 */
	REPLCOPY_A_MAP_TARGET_PORT,	/* u16 */
	REPLCOPY_A_MAP_SOURCE,		/* u8, enum replcopy_source */
	REPLCOPY_A_MAP_PACING,		/* u8, enum replcopy_pacing */
	REPLCOPY_A_MAP_FLAGS,		/* u32, REPLCOPY_MAPF_* */
	REPLCOPY_A_MAP_SESSIONS,	/* u32, read only */
	REPLCOPY_A_DEL_ALL,		/* flag */
	REPLCOPY_A_STATS,		/* nest, enum replcopy_stat */
	REPLCOPY_A_SESSION,		/* nest, enum replcopy_session_attr */
	REPLCOPY_A_CONFIG,		/* nest, enum replcopy_config_attr */
	REPLCOPY_A_VERSION,		/* string, read only */
	REPLCOPY_A_PAD,
	REPLCOPY_A_EVENT,		/* u8, enum replcopy_event */
	REPLCOPY_A_EVENT_REASON,	/* u8, enum replcopy_end_reason */
	REPLCOPY_A_EVENT_LIMIT,		/* u8, enum replcopy_limit */
	REPLCOPY_A_EVENT_SUPPRESSED,	/* u32 */
	REPLCOPY_A_MAP_SAMPLE,		/* u32, 1/10 000 of connections */
	REPLCOPY_A_MAP_TARGETS,		/* nest of REPLCOPY_TL_TARGET */
	REPLCOPY_A_MAP_COPIES,		/* u32, 1..REPLCOPY_MAX_COPIES */
	REPLCOPY_A_MAP_ONLINE_ADDR6,	/* in6 */
	REPLCOPY_A_MAP_TARGET_ADDR6,	/* in6 */
	__REPLCOPY_A_MAX
};
#define REPLCOPY_A_MAX (__REPLCOPY_A_MAX - 1)

/* REPLCOPY_A_EVENT: what happened. */
enum replcopy_event {
	REPLCOPY_EV_NONE,
	REPLCOPY_EV_SESSION_START,	/* a client connection to replay */
	REPLCOPY_EV_SESSION_ESTABLISHED, /* the target completed the handshake */
	REPLCOPY_EV_SESSION_END,	/* the replay ended: EVENT_REASON */
	REPLCOPY_EV_TARGET_REFUSED,	/* the target reset our SYN */
	REPLCOPY_EV_TARGET_UNREACHABLE,	/* no route to the target, or no
					 * answer to any SYN
					 */
	REPLCOPY_EV_LIMIT,		/* replay work dropped: EVENT_LIMIT */
	REPLCOPY_EV_MAPPING_ADD,
	REPLCOPY_EV_MAPPING_DEL,
	REPLCOPY_EV_SUPPRESSED,		/* EVENT_SUPPRESSED events not sent */
	__REPLCOPY_EV_MAX
};
#define REPLCOPY_EV_MAX (__REPLCOPY_EV_MAX - 1)

/* REPLCOPY_A_EVENT_REASON: why a replay ended (and which counter). */
enum replcopy_end_reason {
	REPLCOPY_ER_CLOSED,		/* FIN exchange done (sess_closed) */
	REPLCOPY_ER_RESET,		/* the target reset it, or it could not
					 * connect (sess_reset)
					 */
	REPLCOPY_ER_CLIENT_RST,		/* the client reset it (sess_reset) */
	REPLCOPY_ER_TIMEDOUT,		/* idle, retransmission limit, or a
					 * handshake the client never
					 * completed (sess_timedout)
					 */
	REPLCOPY_ER_LIMIT,		/* client data lost to a limit: reset
					 * (sess_reset)
					 */
	REPLCOPY_ER_ABORT,		/* mapping deleted, netns or module
					 * going away (sess_reset)
					 */
	REPLCOPY_ER_LOOP,		/* a replayed SYN, never replayed again
					 * (sess_reset, drop_loop)
					 */
	__REPLCOPY_ER_MAX
};
#define REPLCOPY_ER_MAX (__REPLCOPY_ER_MAX - 1)

/* REPLCOPY_A_EVENT_LIMIT: which limit dropped replay work. */
enum replcopy_limit {
	REPLCOPY_LIMIT_SESSIONS,	/* max-sessions: not replayed
					 * (sess_refused)
					 */
	REPLCOPY_LIMIT_SESSION_BYTES,	/* the session's fair share of the
					 * memory budget (drop_queue)
					 */
	REPLCOPY_LIMIT_TOTAL_BYTES,	/* the memory budget (drop_queue) */
	REPLCOPY_LIMIT_KTHREADS,	/* kthread model: no thread of its own,
					 * run on a workqueue (kthread_wq)
					 */
	REPLCOPY_LIMIT_PORTS,		/* no free source port, or the client's
					 * tuple busy (drop_noport)
					 */
	__REPLCOPY_LIMIT_MAX
};
#define REPLCOPY_LIMIT_MAX (__REPLCOPY_LIMIT_MAX - 1)

/* Source address of the replayed connections. */
enum replcopy_source {
	/* The online host's address toward the target, module-chosen port. */
	REPLCOPY_SOURCE_AUTO,
	/* The real client's address and port; the target routes back via us. */
	REPLCOPY_SOURCE_CLIENT,
	__REPLCOPY_SOURCE_MAX
};
#define REPLCOPY_SOURCE_MAX (__REPLCOPY_SOURCE_MAX - 1)

/* When client segments are sent to the target. */
enum replcopy_pacing {
	/* As they arrive. */
	REPLCOPY_PACING_STREAM,
	/* Hold the next request until the target has answered the previous. */
	REPLCOPY_PACING_RESPONSE,
	__REPLCOPY_PACING_MAX
};
#define REPLCOPY_PACING_MAX (__REPLCOPY_PACING_MAX - 1)

/* REPLCOPY_A_MAP_FLAGS */
enum replcopy_map_flags {
	/* Do not replay connections whose SYN was not seen (no fabricated
	 * handshake for connections already open when the mapping appeared).
	 */
	REPLCOPY_MAPF_NO_FABRICATE = 1U << 0,
	__REPLCOPY_MAPF_ALL = REPLCOPY_MAPF_NO_FABRICATE,
};

/* REPLCOPY_A_MAP_SAMPLE: every connection (the default). */
#define REPLCOPY_SAMPLE_ALL	10000

#define REPLCOPY_MAX_TARGETS	8
#define REPLCOPY_MAX_COPIES	16

/* Entries of REPLCOPY_A_MAP_TARGETS. */
enum replcopy_targets_attr {
	REPLCOPY_TL_UNSPEC,
	REPLCOPY_TL_TARGET,		/* nest, enum replcopy_target_attr */
	__REPLCOPY_TL_MAX
};
#define REPLCOPY_TL_MAX (__REPLCOPY_TL_MAX - 1)

enum replcopy_target_attr {
	REPLCOPY_TA_UNSPEC,
	REPLCOPY_TA_PAD,
	REPLCOPY_TA_ADDR,		/* be32 */
	REPLCOPY_TA_PORT,		/* u16 */
	REPLCOPY_TA_SESSIONS,		/* u32, read only: live sessions */
	REPLCOPY_TA_STATS,		/* nest, enum replcopy_stat, read only
					 * (GET_STATS dumps): the target's
					 * sessions' counters
					 */
	REPLCOPY_TA_ADDR6,		/* in6 */
	__REPLCOPY_TA_MAX
};
#define REPLCOPY_TA_MAX (__REPLCOPY_TA_MAX - 1)

/*
 * Counters, each u64 inside REPLCOPY_A_STATS. "Segments" are TCP segments
 * as the hooks saw them (a GRO aggregate counts once); "bytes" are TCP
 * payload bytes.
 */
enum replcopy_stat {
	REPLCOPY_STAT_UNSPEC,
	REPLCOPY_STAT_PAD,
	REPLCOPY_STAT_CAPTURED_SEGS,	/* client segments seen at LOCAL_IN */
	REPLCOPY_STAT_CAPTURED_BYTES,	/* client payload bytes, in sequence */
	REPLCOPY_STAT_SESS_SYN,		/* sessions started from a SYN */
	REPLCOPY_STAT_SESS_FABRICATED,	/* sessions started mid-stream */
	REPLCOPY_STAT_SESS_ESTABLISHED,	/* target completed the handshake */
	REPLCOPY_STAT_SESS_CLOSED,	/* ended by FIN exchange */
	REPLCOPY_STAT_SESS_RESET,	/* ended by RST (either side, or ours) */
	REPLCOPY_STAT_SESS_TIMEDOUT,	/* ended by idle or retransmit timeout */
	REPLCOPY_STAT_SESS_REFUSED,	/* not started: session limit */
	REPLCOPY_STAT_SENT_SEGS,	/* wire segments sent to the target */
	REPLCOPY_STAT_SENT_BYTES,	/* payload bytes sent, retransmits too */
	REPLCOPY_STAT_RETRANS_SEGS,	/* retransmitted segments */
	REPLCOPY_STAT_RESP_SEGS,	/* target segments consumed */
	REPLCOPY_STAT_RESP_BYTES,	/* target payload bytes consumed */
	REPLCOPY_STAT_ACKED_BYTES,	/* client payload the target acked */
	REPLCOPY_STAT_DROP_NOMEM,	/* replay work lost: allocation failed */
	REPLCOPY_STAT_DROP_QUEUE,	/* replay work lost: queue limits */
	REPLCOPY_STAT_DROP_NOSYN,	/* mid-stream, fabrication off */
	REPLCOPY_STAT_DROP_NOROUTE,	/* no route to the target */
	REPLCOPY_STAT_DROP_XMIT,	/* ip_local_out refused */
	REPLCOPY_STAT_DROP_OTHER,	/* segment unusable (bad header etc.) */
	REPLCOPY_STAT_SESS_ACTIVE,	/* gauge: live sessions */
	REPLCOPY_STAT_DROP_NOPORT,	/* no free source port (auto), or
					 * the client's tuple busy (client)
					 */
	REPLCOPY_STAT_PORT_REUSED,	/* source port (auto) reused within
					 * 60 s of its last session toward
					 * the same target (its TIME-WAIT)
					 */
	REPLCOPY_STAT_SYN_RST,		/* SYN answered with an ACK of an
					 * old connection: reset it, SYN
					 * sent again
					 */
	REPLCOPY_STAT_KTHREAD_WQ,	/* kthread model sessions run on a
					 * workqueue: thread cap reached,
					 * kthread_create failed, or ended
					 * before their thread was made
					 */
	REPLCOPY_STAT_DROP_LOOP,	/* client SYNs that were replayed
					 * SYNs (REPLCOPY_TCPOPT_EXID): not
					 * replayed again; counted in
					 * sess_reset too
					 */
	REPLCOPY_STAT_QUEUED_BYTES,	/* gauge: memory the mapping's
					 * sessions hold now (truesize of
					 * captured segments, payload pages,
					 * target segments not yet read)
					 */
	REPLCOPY_STAT_PMTU_LOWERED,	/* ICMP "fragmentation needed" for
					 * a replayed connection: its
					 * segments made smaller and sent
					 * again
					 */
	REPLCOPY_STAT_ZERO_WND_PROBES,	/* zero-window probes sent: the
					 * target's window was closed when
					 * the retransmission timer fired
					 */
	REPLCOPY_STAT_SYN_UNCONFIRMED,	/* client SYNs whose handshake
					 * the client did not complete
					 * within 4 s (spoofed, or a client
					 * gone): no target connection was
					 * made; counted in sess_timedout
					 * too
					 */
	REPLCOPY_STAT_RST_UNANSWERED,	/* client RSTs replayed before the
					 * target had answered as much as
					 * the online server had: what it
					 * had not read went with the
					 * connection; counted in
					 * sess_reset too
					 */
	REPLCOPY_STAT_SESS_UNSAMPLED,	/* client SYNs of connections
					 * outside the mapping's sample
					 * (REPLCOPY_A_MAP_SAMPLE): not
					 * replayed
					 */
	REPLCOPY_STAT_DROP_FRAG,	/* IPv6 first fragments on the mapped
					 * port (no conntrack reassembled
					 * them): not replayed, their
					 * connection's replay stalls
					 */
	__REPLCOPY_STAT_MAX
};
#define REPLCOPY_STAT_MAX (__REPLCOPY_STAT_MAX - 1)

/* State of a replayed connection toward the target. */
enum replcopy_session_state {
	REPLCOPY_SS_NONE,
	REPLCOPY_SS_SYN_SENT,
	REPLCOPY_SS_ESTABLISHED,
	REPLCOPY_SS_FIN_WAIT,		/* our FIN sent */
	REPLCOPY_SS_CLOSE_WAIT,		/* target's FIN received */
	REPLCOPY_SS_CLOSED,
	__REPLCOPY_SS_MAX
};

/* Inside REPLCOPY_A_SESSION. */
enum replcopy_session_attr {
	REPLCOPY_SA_UNSPEC,
	REPLCOPY_SA_PAD,
	REPLCOPY_SA_MAP_ID,		/* u32 */
	REPLCOPY_SA_CLIENT_ADDR,	/* be32: the real client */
	REPLCOPY_SA_CLIENT_PORT,	/* u16 */
	REPLCOPY_SA_SOURCE_ADDR,	/* be32: our side toward the target */
	REPLCOPY_SA_SOURCE_PORT,	/* u16 */
	REPLCOPY_SA_STATE,		/* u8, enum replcopy_session_state */
	REPLCOPY_SA_WORKER,		/* u8, enum replcopy_worker */
	REPLCOPY_SA_FABRICATED,		/* flag */
	REPLCOPY_SA_CAPTURED_BYTES,	/* u64 */
	REPLCOPY_SA_ACKED_BYTES,	/* u64 */
	REPLCOPY_SA_QUEUED_BYTES,	/* u32: memory held (truesize),
					 * saturates at 4 GiB - 1
					 */
	REPLCOPY_SA_AGE_MS,		/* u64 */
	REPLCOPY_SA_TARGET_ADDR,	/* be32: the target it replays to */
	REPLCOPY_SA_TARGET_PORT,	/* u16 */
	REPLCOPY_SA_COPY,		/* u8: which copy, 0..copies - 1 */
	REPLCOPY_SA_CLIENT_ADDR6,	/* in6 */
	REPLCOPY_SA_SOURCE_ADDR6,	/* in6 */
	REPLCOPY_SA_TARGET_ADDR6,	/* in6 */
	__REPLCOPY_SA_MAX
};
#define REPLCOPY_SA_MAX (__REPLCOPY_SA_MAX - 1)

/* Worker model of a session. */
enum replcopy_worker {
	REPLCOPY_WORKER_WQ,		/* work item on the module's workqueue */
	REPLCOPY_WORKER_KTHREAD,	/* one kthread per replayed connection */
	__REPLCOPY_WORKER_MAX
};
#define REPLCOPY_WORKER_MAX (__REPLCOPY_WORKER_MAX - 1)

/* Inside REPLCOPY_A_CONFIG: module-wide settings. */
enum replcopy_config_attr {
	REPLCOPY_CFG_UNSPEC,
	REPLCOPY_CFG_WORKER,		/* u8, enum replcopy_worker: new sessions */
	REPLCOPY_CFG_WQ_UNBOUND,	/* u8, 0/1: WQ_UNBOUND workqueue */
	REPLCOPY_CFG_WQ_MAX_ACTIVE,	/* u32, 1..512, 0 = default */
	REPLCOPY_CFG_MAX_SESSIONS,	/* u32, live sessions, all netns,
					 * 1..4194304
					 */
	REPLCOPY_CFG_MAX_SESSION_BYTES,	/* u32, a session's fair share of
					 * the budget, binding once all
					 * queues hold half of it,
					 * 65536..1073741824
					 */
	REPLCOPY_CFG_MAX_TOTAL_BYTES,	/* u32, KiB: memory budget of all
					 * sessions, 1024..1073741824
					 */
	REPLCOPY_CFG_IDLE_TIMEOUT,	/* u32, seconds without traffic */
	REPLCOPY_CFG_SYN_RETRIES,	/* u8, SYN retransmissions, 1..10 */
	REPLCOPY_CFG_MAX_RETRIES,	/* u8, data retransmissions, 1..20 */
	__REPLCOPY_CFG_MAX
};
#define REPLCOPY_CFG_MAX (__REPLCOPY_CFG_MAX - 1)

#endif /* _UAPI_REPLCOPY_H */
