// SPDX-License-Identifier: GPL-2.0
/*
 * test_limits.c - the limits' pure decisions (kmod/limit_logic.h), built
 * on the host against tests/unit/kshim/: which limit refuses more bytes
 * in a session's queues (the budget always; a session's fair share only
 * once the budget is more than half used), and the refill of the events'
 * token bucket (rate a second, a burst of rate, fractions kept for later).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "limit_logic.h"

#define MIB (1024L * 1024)

/* Under half the budget, a session may hold more than its share. */
static void test_budget_share_not_binding(void **state)
{
	(void)state;
	assert_int_equal(replcopy_budget_limit(10 * MIB, 256 * MIB, 8 * MIB,
					       1500, 4 * MIB), -1);
	assert_int_equal(replcopy_budget_limit(0, 256 * MIB, 0, 1500, 4 * MIB),
			 -1);
}

/* Over half the budget, the share binds: session bytes. */
static void test_budget_share_binds(void **state)
{
	(void)state;
	assert_int_equal(replcopy_budget_limit(200 * MIB, 256 * MIB, 8 * MIB,
					       1500, 4 * MIB),
			 REPLCOPY_LIMIT_SESSION_BYTES);
	/* Within its share a session still gets room. */
	assert_int_equal(replcopy_budget_limit(200 * MIB, 256 * MIB, MIB,
					       1500, 4 * MIB), -1);
	/* Exactly at the share: taken. */
	assert_int_equal(replcopy_budget_limit(200 * MIB, 256 * MIB,
					       4 * MIB - 1500, 1500, 4 * MIB),
			 -1);
}

/* The budget binds whatever the share: total bytes. */
static void test_budget_total(void **state)
{
	(void)state;
	assert_int_equal(replcopy_budget_limit(256 * MIB - 1000, 256 * MIB, 0,
					       1500, 4 * MIB),
			 REPLCOPY_LIMIT_TOTAL_BYTES);
	/* Exactly at the budget: taken (the share does not bind: mine 0). */
	assert_int_equal(replcopy_budget_limit(256 * MIB - 1500, 256 * MIB, 0,
					       1500, 4 * MIB), -1);
	/* The target's segments have no share (U32_MAX): only the budget. */
	assert_int_equal(replcopy_budget_limit(250 * MIB, 256 * MIB, 100 * MIB,
					       1500, UINT32_MAX), -1);
}

/* Counters may read negative for a moment (uncharge before charge). */
static void test_budget_negative_reads(void **state)
{
	(void)state;
	assert_int_equal(replcopy_budget_limit(-4096, 64 * 1024, -100, 1500,
					       65536), -1);
	assert_int_equal(replcopy_budget_limit(-4096, 1000, 0, 1500, 65536),
			 REPLCOPY_LIMIT_TOTAL_BYTES);
}

/* rate 1000 at HZ 250: 4 tokens a tick, never beyond the burst. */
static void test_bucket_refill(void **state)
{
	bool moved;

	(void)state;
	assert_int_equal(replcopy_bucket_refill(0, 1, 1000, 250, &moved), 4);
	assert_true(moved);
	assert_int_equal(replcopy_bucket_refill(990, 10, 1000, 250, &moved),
			 1000);
	assert_true(moved);
	/* A long pause: a full bucket, no overflow. */
	assert_int_equal(replcopy_bucket_refill(0, 0xffffffffUL, 1000, 250,
						&moved), 1000);
	assert_true(moved);
}

/* rate 20 at HZ 1000: a token every 50 ticks; fewer ticks wait. */
static void test_bucket_fraction_waits(void **state)
{
	bool moved;

	(void)state;
	assert_int_equal(replcopy_bucket_refill(0, 49, 20, 1000, &moved), 0);
	assert_false(moved);
	assert_int_equal(replcopy_bucket_refill(0, 50, 20, 1000, &moved), 1);
	assert_true(moved);
	assert_int_equal(replcopy_bucket_refill(3, 0, 20, 1000, &moved), 3);
	assert_false(moved);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_budget_share_not_binding),
		cmocka_unit_test(test_budget_share_binds),
		cmocka_unit_test(test_budget_total),
		cmocka_unit_test(test_budget_negative_reads),
		cmocka_unit_test(test_bucket_refill),
		cmocka_unit_test(test_bucket_fraction_waits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
