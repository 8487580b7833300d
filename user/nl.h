/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nl.h - the generic netlink socket: libmnl socket with extended ACK,
 * family resolution, and request/response loops that collect the kernel's
 * extack (message, offending attribute, missing attribute).
 */
#ifndef REPLCTL_NL_H
#define REPLCTL_NL_H

#include <stdbool.h>
#include <stdint.h>

#include <libmnl/libmnl.h>

#include "extack.h"
#include "msg.h"

struct nl {
	struct mnl_socket *sk;
	uint32_t portid;
	uint32_t seq;
	uint16_t family;		/* resolved id */
	uint32_t family_version;	/* the kernel's CTRL_ATTR_VERSION */
	bool dump_intr;			/* NLM_F_DUMP_INTR seen */
	struct nl_extack ext;		/* of the last request */
	struct nlmsghdr *last_req;
	char *rbuf;
	size_t rlen;
	/* Requests are built here (msg_*() take nl->req). */
	char req[MSG_BUF_SIZE] __attribute__((aligned(8)));
};

/* Open and bind the socket; 0 or -errno. */
int nl_open(struct nl *nl);
void nl_close(struct nl *nl);
/* Resolve a generic netlink family: 0, -ENOENT when absent, or -errno. */
int nl_resolve(struct nl *nl, const char *name);
/*
 * The id of family's multicast group called group into *id, for
 * NETLINK_ADD_MEMBERSHIP: 0, -ENOENT when the family or the group is
 * absent, or -errno.
 */
int nl_resolve_group(struct nl *nl, const char *family, const char *group,
		     uint32_t *id);
/*
 * Send req (seq and port id are filled in here) and run cb on every reply
 * message until the final ACK or NLMSG_DONE. 0, or -errno: the kernel's
 * error (with nl->ext filled) or a local one. For dumps, nl->dump_intr
 * tells whether the dump was interrupted by a change.
 */
int nl_talk(struct nl *nl, struct nlmsghdr *req, mnl_cb_t cb, void *data);
/* nl_talk() for a dump; restarts it (after reset(data)) if interrupted. */
int nl_dump(struct nl *nl, struct nlmsghdr *req, mnl_cb_t cb, void *data,
	    void (*reset)(void *data));
#endif
