/* SPDX-License-Identifier: GPL-2.0 */
/*
 * targets.h - the targets of a mapping (REPLCOPY_A_MAP_TARGETS), in order:
 * one list type for what add asks for and what the kernel reports. Pure.
 */
#ifndef REPLCTL_TARGETS_H
#define REPLCTL_TARGETS_H

#include <stdbool.h>
#include <stdint.h>

#include <uapi/replcopy.h>

#include "addr.h"

/* One target: enum replcopy_target_attr. */
struct rc_target {
	/* bit (1 << REPLCOPY_TA_x) per attribute; TA_ADDR's for an address
	 * of either family (TA_ADDR or TA_ADDR6), as in reply.h
	 */
	uint32_t present;
	struct rc_addr addr;
	uint16_t port;
	uint32_t sessions;	/* live sessions (dumps: REPLCOPY_TA_SESSIONS) */
};

struct rc_targets {
	unsigned int n;		/* 0..REPLCOPY_MAX_TARGETS */
	struct rc_target v[REPLCOPY_MAX_TARGETS];
};

/* Append addr:port (ADDR and PORT present). false when the list is full. */
bool rc_targets_add(struct rc_targets *t, const struct rc_addr *addr,
		    uint16_t port);
/* The index of addr:port in t, or -1. */
int rc_targets_find(const struct rc_targets *t, const struct rc_addr *addr,
		    uint16_t port);
/* The same addresses and ports in the same order (nothing else compared). */
bool rc_targets_same(const struct rc_targets *a, const struct rc_targets *b);

#endif
