/* SPDX-License-Identifier: GPL-2.0 */
/*
 * msg.h - building replcopy generic netlink requests into a caller's
 * buffer (at least MSG_BUF_SIZE bytes). Pure: nothing is sent here.
 *
 * "do" requests carry NLM_F_REQUEST | NLM_F_ACK, so the kernel always
 * answers with an ack (and its extack) after any reply; dumps carry
 * NLM_F_REQUEST | NLM_F_DUMP.
 */
#ifndef REPLCTL_MSG_H
#define REPLCTL_MSG_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/netlink.h>

#include "parse.h"

#define MSG_BUF_SIZE 4096

/* nlmsghdr + genlmsghdr for one replcopy command. */
struct nlmsghdr *msg_genl(void *buf, uint16_t family, uint8_t cmd,
			  uint16_t flags, uint32_t seq);

/* CTRL_CMD_GETFAMILY for name, to the generic netlink controller. */
struct nlmsghdr *msg_get_family(void *buf, uint32_t seq, const char *name);

struct nlmsghdr *msg_add_mapping(void *buf, uint16_t family, uint32_t seq,
				 const struct add_args *a);
struct nlmsghdr *msg_del_mapping(void *buf, uint16_t family, uint32_t seq,
				 const struct del_args *a);
/* Dump of every mapping of the caller's netns. */
struct nlmsghdr *msg_get_mappings(void *buf, uint16_t family, uint32_t seq);
/* dump: per-mapping counters; !dump: the netns totals. */
struct nlmsghdr *msg_get_stats(void *buf, uint16_t family, uint32_t seq,
			       bool dump);
/* Dump of live sessions, of mapping id only when has_id. */
struct nlmsghdr *msg_get_sessions(void *buf, uint16_t family, uint32_t seq,
				  bool has_id, uint32_t id);
struct nlmsghdr *msg_set_config(void *buf, uint16_t family, uint32_t seq,
				const struct set_args *a);
struct nlmsghdr *msg_get_config(void *buf, uint16_t family, uint32_t seq);

/*
 * Which attribute of the request req starts at byte offset offs (as the
 * kernel's extack NLMSGERR_ATTR_OFFS reports it), at any depth: *type,
 * and *nest, the enclosing top-level attribute or 0. 0, or -1 when none
 * starts there.
 */
int msg_attr_at(const struct nlmsghdr *req, uint32_t offs, int *type,
		int *nest);
/*
 * When offs falls inside an entry of req's REPLCOPY_A_MAP_TARGETS (on the
 * entry or on one of its attributes): *k, its index (0 for the first
 * target), and *t, its address and port. 0, or -1.
 */
int msg_target_at(const struct nlmsghdr *req, uint32_t offs,
		  unsigned int *k, struct rc_target *t);

#endif
