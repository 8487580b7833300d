// SPDX-License-Identifier: GPL-2.0
/*
 * statcalc.c - counter arithmetic (see statcalc.h).
 */
#include "names.h"
#include "statcalc.h"

void rc_stats_delta(const struct rc_stats *prev, const struct rc_stats *now,
		    struct rc_stats *out)
{
	unsigned int i;
	uint64_t p;

	for (i = 0; i < __REPLCOPY_STAT_MAX; i++) {
		out->has[i] = now->has[i];
		p = prev && prev->has[i] ? prev->v[i] : 0;
		if (rc_stat_is_gauge(i) || now->v[i] < p)
			out->v[i] = now->v[i];
		else
			out->v[i] = now->v[i] - p;
	}
}

uint64_t rc_stats_drops(const struct rc_stats *s)
{
	uint64_t sum = 0;
	unsigned int i;

	for (i = 0; i < __REPLCOPY_STAT_MAX; i++)
		if (rc_stat_is_drop(i) && s->has[i])
			sum += s->v[i];
	return sum;
}

bool rc_fidelity(uint64_t acked, uint64_t captured, uint64_t *pct_x100)
{
	if (!captured)
		return false;
	*pct_x100 = (uint64_t)((unsigned __int128)acked * 10000 / captured);
	return true;
}
