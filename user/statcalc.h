/* SPDX-License-Identifier: GPL-2.0 */
/*
 * statcalc.h - arithmetic on counters: interval deltas, drop totals and
 * the replay fidelity (bytes the target acknowledged / bytes captured).
 */
#ifndef REPLCTL_STATCALC_H
#define REPLCTL_STATCALC_H

#include <stdbool.h>
#include <stdint.h>

#include "reply.h"

/*
 * out = now - prev for every counter, except gauges (sess_active), which
 * keep their current value. A counter that went backwards (the mapping
 * was replaced) counts from zero.
 */
void rc_stats_delta(const struct rc_stats *prev, const struct rc_stats *now,
		    struct rc_stats *out);
/* Sum of the drop_* counters. */
uint64_t rc_stats_drops(const struct rc_stats *s);
/*
 * acked / captured as a percentage in hundredths, rounded down, so that
 * 100.00% means every byte was acknowledged. false when captured is 0.
 */
bool rc_fidelity(uint64_t acked, uint64_t captured, uint64_t *pct_x100);

#endif
