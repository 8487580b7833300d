/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host shim of <net/tcp.h> for the tests of kmod/tcp_logic.h: sequence
 * number comparisons modulo 2^32, as the kernel defines them, the option
 * kinds used, and the smallest MSS Linux sends with.
 */
#ifndef KSHIM_NET_TCP_H
#define KSHIM_NET_TCP_H

#include <linux/types.h>

#define TCPOPT_EOL		0
#define TCPOPT_NOP		1
#define TCPOPT_MSS		2
#define TCPOPT_WINDOW		3
#define TCPOPT_TIMESTAMP	8

#define TCP_MIN_SND_MSS		48

static inline bool before(u32 seq1, u32 seq2)
{
	return (s32)(seq1 - seq2) < 0;
}

#define after(seq2, seq1)	before(seq1, seq2)

#endif
