/* SPDX-License-Identifier: GPL-2.0 */
/*
 * extack.h - the kernel's extended acknowledgement: decoding it from an
 * NLMSG_ERROR or NLMSG_DONE message, and printing a refused request as
 * "replctl: <command>: <error>: <the kernel's message> (<what>: use MIN-MAX)".
 * Pure: the unit tests feed it fabricated acks.
 */
#ifndef REPLCTL_EXTACK_H
#define REPLCTL_EXTACK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <linux/netlink.h>

struct nl_extack {
	bool has_msg;
	char msg[256];		/* NLMSGERR_ATTR_MSG */
	bool has_offs;
	uint32_t offs;		/* NLMSGERR_ATTR_OFFS: into the request */
	bool has_miss_type;
	uint32_t miss_type;	/* NLMSGERR_ATTR_MISS_TYPE */
	bool has_miss_nest;
	uint32_t miss_nest;	/* NLMSGERR_ATTR_MISS_NEST: into the request */
	/* From NLMSGERR_ATTR_POLICY: the accepted range of the attribute. */
	bool has_urange, has_srange;
	uint64_t umin, umax;
	int64_t smin, smax;
};

/*
 * Decode an NLMSG_ERROR or NLMSG_DONE message: *error is its error code
 * (0 or -errno) and x gets its extack, if any. 0, or -EBADMSG when the
 * message is too short to be one.
 */
int extack_parse(const struct nlmsghdr *nlh, struct nl_extack *x,
		 int *error);

/*
 * One line on f for a request (req, may be NULL) the kernel refused with
 * err (-errno).
 */
void extack_print(FILE *f, const char *cmd, int err,
		  const struct nl_extack *x, const struct nlmsghdr *req);

#endif
