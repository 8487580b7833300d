/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pure decisions of the limits: which limit refuses more bytes in a
 * session's queues, and how the events' token bucket refills. Only values
 * in, a verdict out, as in tcp_logic.h; tested on the host by
 * tests/unit/test_limits.c against tests/unit/kshim/.
 */
#ifndef _REPLCOPY_LIMIT_LOGIC_H
#define _REPLCOPY_LIMIT_LOGIC_H

#include <linux/math64.h>
#include <linux/types.h>

#include "../include/uapi/replcopy.h"

/*
 * The limit that refuses size more bytes, or -1 when none does. used: what
 * all sessions under the budget hold (may read negative for a moment:
 * counted as 0); budget: bytes; mine: what this session holds; share: its
 * fair share, which binds only once the budget is more than half used.
 */
static inline int replcopy_budget_limit(long used, u64 budget, long mine,
					u32 size, u32 share)
{
	u64 after = (u64)(used > 0 ? used : 0) + size;

	if (after > budget)
		return REPLCOPY_LIMIT_TOTAL_BYTES;
	if ((u64)(mine > 0 ? mine : 0) + size <= share || after <= budget / 2)
		return -1;
	return REPLCOPY_LIMIT_SESSION_BYTES;
}

/*
 * Tokens after elapsed ticks at rate tokens a second (hz ticks a second),
 * with a burst of rate. *moved: whole tokens were added, so the refill's
 * time stamp moves on (a fraction of a token waits for more ticks).
 */
static inline u32 replcopy_bucket_refill(u32 tokens, unsigned long elapsed,
					 u32 rate, u32 hz, bool *moved)
{
	u64 add = div_u64((u64)elapsed * rate, hz);

	*moved = add > 0;
	if (add > (u64)rate)
		add = rate;
	return tokens + add > rate ? rate : (u32)(tokens + add);
}

#endif /* _REPLCOPY_LIMIT_LOGIC_H */
