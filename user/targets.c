// SPDX-License-Identifier: GPL-2.0
/*
 * targets.c - a mapping's list of targets (see targets.h).
 */
#include <string.h>

#include "targets.h"

bool rc_targets_add(struct rc_targets *t, const struct rc_addr *addr,
		    uint16_t port)
{
	struct rc_target *p;

	if (t->n >= REPLCOPY_MAX_TARGETS)
		return false;
	p = &t->v[t->n++];
	memset(p, 0, sizeof(*p));
	p->present = 1u << REPLCOPY_TA_ADDR | 1u << REPLCOPY_TA_PORT;
	p->addr = *addr;
	p->port = port;
	return true;
}

int rc_targets_find(const struct rc_targets *t, const struct rc_addr *addr,
		    uint16_t port)
{
	unsigned int i;

	for (i = 0; i < t->n; i++)
		if (rc_addr_eq(&t->v[i].addr, addr) && t->v[i].port == port)
			return (int)i;
	return -1;
}

bool rc_targets_same(const struct rc_targets *a, const struct rc_targets *b)
{
	unsigned int i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (!rc_addr_eq(&a->v[i].addr, &b->v[i].addr) ||
		    a->v[i].port != b->v[i].port)
			return false;
	return true;
}
