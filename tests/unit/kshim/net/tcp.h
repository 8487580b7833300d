/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host shim of <net/tcp.h> for the tests of kmod/tcp_logic.h: sequence
 * number comparisons modulo 2^32, as the kernel defines them.
 */
#ifndef KSHIM_NET_TCP_H
#define KSHIM_NET_TCP_H

#include <linux/types.h>

static inline bool before(u32 seq1, u32 seq2)
{
	return (s32)(seq1 - seq2) < 0;
}

#define after(seq2, seq1)	before(seq1, seq2)

#endif
