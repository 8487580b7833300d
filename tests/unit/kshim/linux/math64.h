/* SPDX-License-Identifier: GPL-2.0 */
/* Host shim of <linux/math64.h> for the tests of kmod/limit_logic.h. */
#ifndef KSHIM_LINUX_MATH64_H
#define KSHIM_LINUX_MATH64_H

#include <linux/types.h>

static inline u64 div_u64(u64 dividend, u32 divisor)
{
	return dividend / divisor;
}

#endif
