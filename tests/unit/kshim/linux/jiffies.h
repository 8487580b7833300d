/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host shim of <linux/jiffies.h> for the tests of kmod/tcp_logic.h: HZ
 * (Debian's kernels use 250) and the wrap-safe comparisons, as the
 * kernel defines them.
 */
#ifndef KSHIM_LINUX_JIFFIES_H
#define KSHIM_LINUX_JIFFIES_H

#define HZ 250

#define time_after(a, b)	((long)((b) - (a)) < 0)
#define time_before(a, b)	time_after(b, a)
#define time_after_eq(a, b)	((long)((a) - (b)) >= 0)
#define time_before_eq(a, b)	time_after_eq(b, a)

#endif
