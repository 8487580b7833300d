/* SPDX-License-Identifier: GPL-2.0 */
/*
 * reply.h - decoding replcopy netlink messages from the kernel into plain
 * structs. Pure: works on any buffer holding a message, so the unit tests
 * feed it fabricated ones.
 *
 * Attributes this replctl does not know (newer kernels) are skipped; a
 * known attribute of the wrong size makes the message malformed.
 *
 * Addresses: each comes as its IPv4 attribute (be32) or as its IPv6 twin
 * (the one ending in ADDR6, 16 bytes) into a struct rc_addr whose family
 * says which. Either sets the present bit of the IPv4 attribute, which
 * thus means "the address is known" (RC_HAS(m, REPLCOPY_A_MAP_TARGET_ADDR)
 * for an IPv6 target too); the ADDR6 attributes' own bits are never set.
 * Should both come, the IPv6 one wins.
 */
#ifndef REPLCTL_REPLY_H
#define REPLCTL_REPLY_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/netlink.h>
#include <uapi/replcopy.h>

#include "targets.h"

/*
 * A mapping, as in the GET_MAPPING dump, the ADD reply or a stats entry;
 * in a session event, the session's port and target.
 */
struct rc_mapping {
	uint32_t present;	/* bit (1 << REPLCOPY_A_x) per attribute */
	uint32_t id;
	uint16_t port;
	/* MAP_ONLINE_ADDR(6); 0.0.0.0 (or not given) is any address: see
	 * rc_map_online()
	 */
	struct rc_addr online_addr;
	/* MAP_TARGET_ADDR(6): the first target */
	struct rc_addr target_addr;
	uint16_t target_port;
	uint8_t source;
	uint8_t pacing;
	uint32_t flags;
	uint32_t sample;	/* REPLCOPY_SAMPLE_ALL when not given */
	uint32_t sessions;
	uint32_t copies;	/* 1 when not given */
	/*
	 * REPLCOPY_A_MAP_TARGETS; without it (a module older than several
	 * targets), the one of TARGET_ADDR:PORT, whose sessions are the
	 * mapping's.
	 */
	struct rc_targets targets;
};

#define RC_HAS(x, attr) (((x)->present >> (attr)) & 1)

/* m's online address, or NULL when it has none (any local address). */
const struct rc_addr *rc_map_online(const struct rc_mapping *m);

/* enum replcopy_stat counters. */
struct rc_stats {
	bool has[__REPLCOPY_STAT_MAX];
	uint64_t v[__REPLCOPY_STAT_MAX];
};

/* One live session: enum replcopy_session_attr. */
struct rc_session {
	uint32_t present;	/* bit (1 << REPLCOPY_SA_x) per attribute */
	uint32_t map_id;
	struct rc_addr client_addr;	/* SA_CLIENT_ADDR(6) */
	uint16_t client_port;
	/* SA_SOURCE_ADDR(6), of the target's family; not set (0.0.0.0, ::)
	 * until the replayed connection has one
	 */
	struct rc_addr source_addr;
	uint16_t source_port;
	uint8_t state;
	uint8_t worker;
	bool fabricated;
	uint64_t captured_bytes;
	uint64_t acked_bytes;
	uint32_t queued_bytes;
	uint64_t age_ms;
	/* Its target: without REPLCOPY_SA_TARGET_ADDR (an older module), in
	 * an event, the event's REPLCOPY_A_MAP_TARGET_ADDR:PORT.
	 */
	struct rc_addr target_addr;	/* SA_TARGET_ADDR(6) */
	uint16_t target_port;
	uint8_t copy;		/* 0..copies - 1; 0 when not given */
};

/* Module-wide settings: enum replcopy_config_attr, plus the version. */
struct rc_config {
	bool has[__REPLCOPY_CFG_MAX];
	uint32_t val[__REPLCOPY_CFG_MAX];
	bool has_version;
	char version[64];
};

/* What a REPLCOPY_CMD_EVENT adds: the REPLCOPY_A_EVENT* attributes. */
struct rc_event {
	uint32_t present;	/* bit (1 << REPLCOPY_A_EVENT_x) per attribute */
	uint8_t type;		/* enum replcopy_event */
	uint8_t reason;		/* enum replcopy_end_reason */
	uint8_t limit;		/* enum replcopy_limit */
	uint32_t suppressed;
};

/* Everything one message can carry. */
struct rc_reply {
	uint8_t cmd;			/* genlmsghdr.cmd */
	struct rc_mapping map;
	bool has_stats;
	struct rc_stats stats;
	/* REPLCOPY_TA_STATS of map.targets.v[i] (GET_STATS dumps). */
	struct rc_stats tstats[REPLCOPY_MAX_TARGETS];
	bool has_session;
	struct rc_session sess;
	bool has_config;
	struct rc_config cfg;
	struct rc_event ev;
	int bad_attr;			/* set with -EINVAL: offending type */
	int bad_nest;			/* ... inside this nest, or 0 */
};

/* Decode one replcopy message. 0, or -EINVAL when malformed. */
int rc_parse_reply(const struct nlmsghdr *nlh, struct rc_reply *r);

/* Decode the controller's answer to CTRL_CMD_GETFAMILY. */
int rc_parse_family(const struct nlmsghdr *nlh, uint16_t *id,
		    uint32_t *version);
/*
 * The id of the family's multicast group called name, from the same
 * answer: 0, -ENOENT when the family has no such group, or -EINVAL when
 * the message is malformed.
 */
int rc_parse_family_group(const struct nlmsghdr *nlh, const char *name,
			  uint32_t *id);

#endif
