/* SPDX-License-Identifier: GPL-2.0 */
/*
 * addrs.h - addresses of either family in the unit tests: a struct rc_addr
 * from its text, and checking one against its text.
 */
#ifndef REPLCTL_ADDRS_H
#define REPLCTL_ADDRS_H

#include <stdlib.h>
#include <string.h>

#include "addr.h"

/* "10.0.0.31" or "fd00::31" (a ':' makes it IPv6); aborts on a bad one. */
static inline struct rc_addr kaddr(const char *s)
{
	struct rc_addr a;

	memset(&a, 0, sizeof(a));
	if (!rc_addr_pton(strchr(s, ':') ? AF_INET6 : AF_INET, s, &a))
		abort();
	return a;
}

/* *a is the address s, of its family; NULL: no address (family 0). */
#define assert_addr(a, s) do {						\
		const struct rc_addr *a_ = (a);				\
		const char *s_ = (s);					\
		char b_[ADDR_LEN];					\
									\
		if (!s_) {						\
			assert_int_equal(a_->family, 0);		\
			break;						\
		}							\
		fmt_addr(a_, b_);					\
		assert_string_equal(b_, s_);				\
		assert_int_equal(a_->family,				\
				 strchr(s_, ':') ? AF_INET6 : AF_INET);	\
	} while (0)

#endif
