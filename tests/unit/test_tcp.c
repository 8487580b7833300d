// SPDX-License-Identifier: GPL-2.0
/*
 * test_tcp.c - the emulated client's pure TCP decisions (kmod/tcp_logic.h),
 * built on the host against tests/unit/kshim/: the option walk, which
 * RSTs and ACKs are taken, when target data is acked, the send and
 * congestion windows, the RTT estimator, and when the client's end (FIN or
 * RST) is due. The cases include the ones the VM scenarios found: a RST
 * held while a busy target has not answered (engine-rst-busy), sequence
 * and jiffies wrap-around.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <limits.h>

#include "tcp_logic.h"

/* ---- RSTs ------------------------------------------------------------ */

static void test_client_rst(void **state)
{
	(void)state;
	assert_true(replcopy_client_rst_ok(1000, 1000, false));
	assert_false(replcopy_client_rst_ok(1001, 1000, false));
	assert_false(replcopy_client_rst_ok(999, 1000, false));
	/* After the client's FIN, its RST comes one past it. */
	assert_true(replcopy_client_rst_ok(1001, 1000, true));
	assert_true(replcopy_client_rst_ok(1000, 1000, true));
	assert_false(replcopy_client_rst_ok(1002, 1000, true));
	/* Forged far away (reliability-spoof's A). */
	assert_false(replcopy_client_rst_ok(3000000000u, 1000, false));
	/* Across the wrap. */
	assert_true(replcopy_client_rst_ok(0, UINT32_MAX, true));
	assert_false(replcopy_client_rst_ok(0, UINT32_MAX, false));
}

static void test_target_rst(void **state)
{
	(void)state;
	assert_true(replcopy_target_rst_ok(5000, 5000, 100));
	assert_true(replcopy_target_rst_ok(5099, 5000, 100));
	assert_false(replcopy_target_rst_ok(5100, 5000, 100));
	assert_false(replcopy_target_rst_ok(4999, 5000, 100));
	/* The window across the wrap. */
	assert_true(replcopy_target_rst_ok(10, UINT32_MAX - 10, 100));
	assert_false(replcopy_target_rst_ok(UINT32_MAX - 11, UINT32_MAX - 10,
					    100));
}

/* ---- options --------------------------------------------------------- */

/* The kinds replcopy_opt_next() stops at, up to where it gives up. */
static int walk(const u8 *opt, int len, u8 *kinds, int *end)
{
	int i, n = 0;

	for (i = 0; replcopy_opt_next(opt, len, &i); i += opt[i + 1])
		kinds[n++] = opt[i];
	*end = i;
	return n;
}

static void test_options(void **state)
{
	/* A Linux client's SYN: MSS, SACK-permitted, TS, NOP, WS. */
	static const u8 syn[] = { 2, 4, 5, 180, 4, 2, 8, 10, 0, 0, 0, 1,
				  0, 0, 0, 0, 1, 3, 3, 7 };
	static const u8 eol[] = { 1, 1, 2, 4, 5, 180, 0, 3, 3, 7 };
	static const u8 zero_len[] = { 2, 4, 5, 180, 30, 0, 3, 3, 7 };
	static const u8 past_end[] = { 1, 8, 10, 0, 0 };
	static const u8 lone_kind[] = { 1, 1, 1, 3 };
	u8 kinds[16];
	int end;

	(void)state;
	assert_int_equal(walk(syn, sizeof(syn), kinds, &end), 4);
	assert_int_equal(kinds[0], TCPOPT_MSS);
	assert_int_equal(kinds[1], 4);
	assert_int_equal(kinds[2], TCPOPT_TIMESTAMP);
	assert_int_equal(kinds[3], TCPOPT_WINDOW);
	assert_int_equal(end, sizeof(syn));
	/* EOL ends the list: the walk stops at it. */
	assert_int_equal(walk(eol, sizeof(eol), kinds, &end), 1);
	assert_int_equal(end, 6);
	/* A length below 2 would loop forever: the walk stops there. */
	assert_int_equal(walk(zero_len, sizeof(zero_len), kinds, &end), 1);
	assert_int_equal(end, 4);
	/* An option running past the header, a kind without its length. */
	assert_int_equal(walk(past_end, sizeof(past_end), kinds, &end), 0);
	assert_int_equal(end, 1);
	assert_int_equal(walk(lone_kind, sizeof(lone_kind), kinds, &end), 0);
	assert_int_equal(end, 3);
	assert_int_equal(walk(syn, 0, kinds, &end), 0);
}

/* ---- ACKs ------------------------------------------------------------ */

static void test_ack_when(void **state)
{
	(void)state;
	/* Up to one full segment unacked waits for the batch's end. */
	assert_int_equal(replcopy_ack_when(false, false, false, 2460, 1000, 1460),
			 REPLCOPY_ACK_BATCH);
	assert_int_equal(replcopy_ack_when(false, false, false, 2461, 1000, 1460),
			 REPLCOPY_ACK_NOW);
	assert_int_equal(replcopy_ack_when(false, false, false, 1000, 1000, 1460),
			 REPLCOPY_ACK_BATCH);
	/* A first FIN while we are open waits for ours to carry its ACK... */
	assert_int_equal(replcopy_ack_when(true, true, false, 1000, 1000, 1460),
			 REPLCOPY_ACK_DELAY);
	assert_int_equal(replcopy_ack_when(true, true, false, 2460, 1000, 1460),
			 REPLCOPY_ACK_DELAY);
	/* ...but not with more than a segment unacked, */
	assert_int_equal(replcopy_ack_when(true, true, false, 2461, 1000, 1460),
			 REPLCOPY_ACK_NOW);
	/* nor when it answers our FIN, */
	assert_int_equal(replcopy_ack_when(true, true, true, 1000, 1000, 1460),
			 REPLCOPY_ACK_NOW);
	/* nor when it comes again (our ACK was lost) or out of order. */
	assert_int_equal(replcopy_ack_when(true, false, false, 1000, 1000, 1460),
			 REPLCOPY_ACK_NOW);
	/* Across the wrap. */
	assert_int_equal(replcopy_ack_when(false, false, false, 100, UINT32_MAX - 100, 1460),
			 REPLCOPY_ACK_BATCH);
	assert_int_equal(replcopy_ack_when(false, false, false, 2000, UINT32_MAX - 100, 1460),
			 REPLCOPY_ACK_NOW);
}

/* ---- send and congestion windows ------------------------------------ */

static void test_ack_ok(void **state)
{
	(void)state;
	assert_true(replcopy_ack_ok(1000, 1000, 2000));	/* duplicate */
	assert_true(replcopy_ack_ok(2000, 1000, 2000));
	assert_false(replcopy_ack_ok(2001, 1000, 2000));	/* unsent */
	assert_false(replcopy_ack_ok(999, 1000, 2000));	/* old */
	assert_true(replcopy_ack_ok(5, UINT32_MAX - 5, 10));
}

static void test_wnd_update(void **state)
{
	(void)state;
	/* An ACK of new data updates, whatever its segment number. */
	assert_true(replcopy_wnd_update(100, 2000, 0, 1000, 200, 5000));
	/* A newer segment updates. */
	assert_true(replcopy_wnd_update(300, 1000, 100, 1000, 200, 5000));
	/* The same segment: only a larger window, or a zero one. */
	assert_true(replcopy_wnd_update(200, 1000, 6000, 1000, 200, 5000));
	assert_false(replcopy_wnd_update(200, 1000, 4000, 1000, 200, 5000));
	assert_true(replcopy_wnd_update(200, 1000, 0, 1000, 200, 5000));
	/* An older segment (reordered) does not. */
	assert_false(replcopy_wnd_update(100, 1000, 9000, 1000, 200, 5000));
}

static void test_acked_payload(void **state)
{
	(void)state;
	assert_int_equal(replcopy_acked_payload(1500, 1000, 2000, false), 500);
	/* Our FIN's sequence number is not client payload. */
	assert_int_equal(replcopy_acked_payload(2001, 1000, 2000, true), 1000);
	assert_int_equal(replcopy_acked_payload(2001, 2000, 2000, true), 0);
	/* Before the FIN was sent an ACK cannot pass c_nxt; no FIN rule. */
	assert_int_equal(replcopy_acked_payload(2000, 1000, 2000, false), 1000);
	assert_int_equal(replcopy_acked_payload(10, UINT32_MAX - 9, 100, false),
			 20);
}

static void test_cwnd(void **state)
{
	u32 cwnd = 10 * 1460, cap = 1U << 30;

	(void)state;
	/* Slow start: the bytes acked, at most an MSS per ACK. */
	assert_int_equal(replcopy_cwnd_acked(cwnd, UINT32_MAX, 500, 1460, cap),
			 cwnd + 500);
	assert_int_equal(replcopy_cwnd_acked(cwnd, UINT32_MAX, 5000, 1460, cap),
			 cwnd + 1460);
	/* Congestion avoidance: mss * mss / cwnd, at least one byte (a
	 * 512 MiB window grows by 1460^2 / 2^29 = 0, so by one).
	 */
	assert_int_equal(replcopy_cwnd_acked(cwnd, cwnd, 1460, 1460, cap),
			 cwnd + 146);
	assert_int_equal(replcopy_cwnd_acked(1U << 29, 100, 1460, 1460, cap),
			 (1U << 29) + 1);
	assert_int_equal(replcopy_cwnd_acked(cap - 1, 100, 1460, 1460, cap), cap);
	assert_int_equal(replcopy_cwnd_acked(cap, 100, 1460, 1460, cap), cap);
	/* About one MSS per window's worth of ACKs. */
	{
		u32 c = cwnd;
		int i;

		for (i = 0; i < 10; i++)
			c = replcopy_cwnd_acked(c, cwnd, 1460, 1460, cap);
		assert_in_range(c, cwnd + 1300, cwnd + 1460);
	}
}

static void test_dupack_and_loss(void **state)
{
	(void)state;
	assert_true(replcopy_dupack(true, 1000, 1000, 3000, 5000, 5000));
	/* Carries data, acks new data, nothing in flight, a window update. */
	assert_false(replcopy_dupack(false, 1000, 1000, 3000, 5000, 5000));
	assert_false(replcopy_dupack(true, 1500, 1000, 3000, 5000, 5000));
	assert_false(replcopy_dupack(true, 1000, 1000, 1000, 5000, 5000));
	assert_false(replcopy_dupack(true, 1000, 1000, 3000, 6000, 5000));
	/* ssthresh: half the flight, at least two segments. */
	assert_int_equal(replcopy_ssthresh_loss(100000, 1460), 50000);
	assert_int_equal(replcopy_ssthresh_loss(3000, 1460), 2920);
}

/* ---- RTT --------------------------------------------------------------- */

static void test_rtt(void **state)
{
	u32 srtt = 0, rttvar = 0;
	int i;

	(void)state;
	replcopy_rtt_update(&srtt, &rttvar, 800);
	assert_int_equal(srtt, 800);
	assert_int_equal(rttvar, 400);
	/* RFC 6298 2.3: rttvar = 3/4 rttvar + 1/4 |srtt - r|, then srtt. */
	replcopy_rtt_update(&srtt, &rttvar, 400);
	assert_int_equal(rttvar, (3 * 400 + 400) / 4);
	assert_int_equal(srtt, (7 * 800 + 400) / 8);
	/* A steady RTT: srtt converges on it, rttvar toward 0. */
	for (i = 0; i < 100; i++)
		replcopy_rtt_update(&srtt, &rttvar, 1000);
	assert_in_range(srtt, 990, 1000);
	assert_in_range(rttvar, 0, 10);
	/* RTO: the clock's granularity bounds 4 rttvar from below. */
	assert_int_equal(replcopy_rto_us(1000, 1, 4000), 5000);
	assert_int_equal(replcopy_rto_us(1000, 2000, 4000), 9000);
}

/* ---- the client's end ----------------------------------------------- */

/*
 * A session whose client sent its end at T0 after our last data, the
 * target acked everything and answered half of what the online server
 * delivered, and made its last progress at T0 too.
 */
#define T0 100000UL

static struct replcopy_end_view view(bool rst)
{
	struct replcopy_end_view v = {
		.now = T0,
		.c_end_at = T0,
		.t_progress_at = T0,
		.m_progress_at = T0,
		.data_sent_at = T0,
		.t_used = 500,
		.c_acked = 1000,
		.c_rst = rst,
		.c_ack_seen = true,
	};
	return v;
}

static void test_end_limit(void **state)
{
	struct replcopy_end_view v = view(false);

	(void)state;
	/* A FIN: REPLCOPY_END_MAX after it, progress or not. */
	assert_int_equal(replcopy_end_limit(&v), T0 + REPLCOPY_END_MAX);
	v.t_progress_at = T0 + 10 * HZ;
	assert_int_equal(replcopy_end_limit(&v), T0 + REPLCOPY_END_MAX);
	/* A RST: REPLCOPY_RST_GRACE after the last progress or the RST. */
	v = view(true);
	assert_int_equal(replcopy_end_limit(&v), T0 + REPLCOPY_RST_GRACE);
	v.t_progress_at = T0 - 30 * HZ;
	assert_int_equal(replcopy_end_limit(&v), T0 + REPLCOPY_RST_GRACE);
	v.t_progress_at = T0 + 10 * HZ;
	assert_int_equal(replcopy_end_limit(&v),
			 T0 + 10 * HZ + REPLCOPY_RST_GRACE);
	/* Progress moves it on, up to REPLCOPY_END_MAX. */
	v.t_progress_at = T0 + REPLCOPY_END_MAX - HZ;
	assert_int_equal(replcopy_end_limit(&v), T0 + REPLCOPY_END_MAX);
}

static enum replcopy_end_verdict when(const struct replcopy_end_view *v,
				      unsigned long *at)
{
	return replcopy_end_when(v, replcopy_end_limit(v), at);
}

static void test_end_answered(void **state)
{
	struct replcopy_end_view v = view(false);
	unsigned long at;

	(void)state;
	/* Answered as much as the online server: due at once. */
	v.t_used = 1000;
	assert_int_equal(when(&v, &at), REPLCOPY_END_DUE);
	v.t_used = 1200;	/* answered more (its answers differ) */
	assert_int_equal(when(&v, &at), REPLCOPY_END_DUE);
	/* The target's FIN came: nothing more to wait for. */
	v = view(true);
	v.t_fin = true;
	assert_int_equal(when(&v, &at), REPLCOPY_END_DUE);
	/* No sooner after our last data than the real client's gap. */
	v = view(false);
	v.t_used = 1000;
	v.fin_gap = HZ / 2;
	assert_int_equal(when(&v, &at), REPLCOPY_END_WAIT);
	assert_int_equal(at, T0 + HZ / 2);
	v.now = T0 + HZ / 2;
	assert_int_equal(when(&v, &at), REPLCOPY_END_DUE);
}

static void test_end_less_answered(void **state)
{
	struct replcopy_end_view v = view(false);
	unsigned long at;

	(void)state;
	/* Less answered: wait for REPLCOPY_END_QUIET after the last progress. */
	assert_int_equal(when(&v, &at), REPLCOPY_END_WAIT);
	assert_int_equal(at, T0 + REPLCOPY_END_QUIET);
	/* Client ACKs never seen count as less answered. */
	v.t_used = 5000;
	v.c_ack_seen = false;
	assert_int_equal(when(&v, &at), REPLCOPY_END_WAIT);
	v = view(false);
	/* Quiet long enough: probe whether it holds data we missed. */
	v.now = T0 + REPLCOPY_END_QUIET;
	assert_int_equal(when(&v, &at), REPLCOPY_END_PROBE);
	/* It holds nothing: a FIN is due (its answers differ). */
	v.t_idle = true;
	assert_int_equal(when(&v, &at), REPLCOPY_END_DUE);
	/* Busy on the mapping's other connections: not quiet yet. */
	v = view(false);
	v.now = T0 + REPLCOPY_END_QUIET;
	v.m_progress_at = T0 + 5 * HZ;
	assert_int_equal(when(&v, &at), REPLCOPY_END_WAIT);
	assert_int_equal(at, T0 + 5 * HZ + REPLCOPY_END_QUIET);
	/* ... for at most REPLCOPY_RST_MAX after the client's end. */
	v.m_progress_at = T0 + REPLCOPY_RST_MAX + 10 * HZ;
	assert_int_equal(when(&v, &at), REPLCOPY_END_WAIT);
	assert_int_equal(at, T0 + REPLCOPY_RST_MAX + REPLCOPY_END_QUIET);
	v.now = T0 + REPLCOPY_RST_MAX + REPLCOPY_END_QUIET;
	assert_int_equal(when(&v, &at), REPLCOPY_END_PROBE);
	/* Answered as much as the online server: busy or not, due. */
	v = view(false);
	v.m_progress_at = T0 + 5 * HZ;
	v.t_used = 1000;
	assert_int_equal(when(&v, &at), REPLCOPY_END_DUE);
	/* Missing target data: wait until the limit. */
	v = view(false);
	v.t_hole = true;
	v.now = T0 + 2 * REPLCOPY_END_QUIET;
	assert_int_equal(when(&v, &at), REPLCOPY_END_WAIT);
	assert_int_equal(at, T0 + REPLCOPY_END_MAX);
}

/* Issue 18 item 1: a client that reuses its port. */
static void test_client_syn(void **state)
{
	(void)state;
	/* The same ISN: its SYN again. */
	assert_int_equal(replcopy_client_syn(true, 1000, 1000),
			 REPLCOPY_SYN_AGAIN);
	/* Another ISN on a live session: ask the online host's stack. */
	assert_int_equal(replcopy_client_syn(true, 5000, 1000),
			 REPLCOPY_SYN_ASK);
	/* On a lingering (RST or FIN ended) session: new, even with the
	 * same ISN (a client that reconnects at once may reuse it).
	 */
	assert_int_equal(replcopy_client_syn(false, 1000, 1000),
			 REPLCOPY_SYN_NEW);
	assert_int_equal(replcopy_client_syn(false, 5000, 1000),
			 REPLCOPY_SYN_NEW);
}

/* Issue 18 item 3: ICMP "fragmentation needed" (engine-pmtu's 1280 hop). */
static void test_pmtu_mss(void **state)
{
	const u32 hdr = 20 + 20 + 12;	/* IP, TCP, timestamps */
	bool no_df = false;

	(void)state;
	assert_int_equal(replcopy_pmtu_mss(1280, hdr, 1448, 552, &no_df),
			 1280 - hdr);
	assert_false(no_df);
	/* Fits already: nothing to do. */
	assert_int_equal(replcopy_pmtu_mss(1500, hdr, 1448, 552, &no_df), 0);
	assert_int_equal(replcopy_pmtu_mss(1280, hdr, 1228, 552, &no_df), 0);
	/* Below the floor: 552, and DF off. */
	assert_int_equal(replcopy_pmtu_mss(300, hdr, 1448, 552, &no_df),
			 552 - hdr);
	assert_true(no_df);
}

/*
 * How much client data one skb carries (xmit.c): one MSS without GSO,
 * else whole MSS-sized segments up to the device's limits, with the room
 * TCP keeps for headers below 64 KiB.
 */
static void test_gso_bytes(void **state)
{
	const u32 room = 321, pages = 17 * 4096;	/* MAX_TCP_HEADER + 1 */
	u32 mss, n;

	(void)state;
	/* Up to one MSS: as it is, GSO or not. */
	assert_int_equal(replcopy_gso_bytes(100, 1448, true, 65536, 65535,
					    room, pages), 100);
	assert_int_equal(replcopy_gso_bytes(1448, 1448, true, 65536, 65535,
					    room, pages), 1448);
	/* GSO off: one MSS at a time. */
	assert_int_equal(replcopy_gso_bytes(100000, 1448, false, 65536, 65535,
					    room, pages), 1448);
	/* Less than one GSO skb holds: all of it, not whole segments. */
	assert_int_equal(replcopy_gso_bytes(5000, 1448, true, 65536, 65535,
					    room, pages), 5000);
	/* A 64 KiB skb: 45 segments of 1448, as TCP sends them. */
	assert_int_equal(replcopy_gso_bytes(1000000, 1448, true, 65536, 65535,
					    room, pages), 45 * 1448);
	/* The device's limits: gso_max_segs, a small gso_max_size. */
	assert_int_equal(replcopy_gso_bytes(1000000, 1448, true, 65536, 8,
					    room, pages), 8 * 1448);
	assert_int_equal(replcopy_gso_bytes(1000000, 1448, true, 3300, 65535,
					    room, pages), 2 * 1448);
	/* Not even two segments, or no room past the headers: one MSS. */
	assert_int_equal(replcopy_gso_bytes(1000000, 1448, true, 65536, 1,
					    room, pages), 1448);
	assert_int_equal(replcopy_gso_bytes(1000000, 1448, true, 2000, 65535,
					    room, pages), 1448);
	assert_int_equal(replcopy_gso_bytes(1000000, 1448, true, room, 65535,
					    room, pages), 1448);
	assert_int_equal(replcopy_gso_bytes(1000000, 1448, true, 0, 65535,
					    room, pages), 1448);
	/* The skb's pages bound it too. */
	assert_int_equal(replcopy_gso_bytes(1000000, 1448, true, 65536, 65535,
					    room, 4 * 4096), 11 * 1448);
	/* A target's tiny MSS: no GSO (one skb, thousands of segments). */
	assert_int_equal(replcopy_gso_bytes(1000000, 40, true, 65536, 65535,
					    room, pages), 40);
	assert_int_equal(replcopy_gso_bytes(1000000, 48, true, 65536, 65535,
					    room, pages), 1358 * 48);
	/* Any MSS: whole segments, and room left below 64 KiB. */
	for (mss = 48; mss <= 9000; mss += 7) {
		n = replcopy_gso_bytes(10000000, mss, true, 65536, 65535, room,
				       pages);
		assert_true(n >= mss && n % mss == 0);
		assert_true(n + room <= 65536);
	}
}

/*
 * The retransmission timer's one decision: SYN, loss, the two zero-window
 * probes (engine-zerowindow), a failed transmit's retry, or nothing.
 * Sequence numbers near the wrap.
 */
static void test_rto_action(void **state)
{
	const u32 una = 0xfffffff0U;	/* snd_una; 0x20 past it wraps */

	(void)state;
	assert_int_equal(replcopy_rto_action(true, una, una, una, una, 0, false),
			 REPLCOPY_RTO_SYN);
	/* Data in flight: a loss, or with the window closed a probe of
	 * the first unacknowledged segment.
	 */
	assert_int_equal(replcopy_rto_action(false, una, una + 0x20, una + 0x20,
					     una + 0x40, 65535, false),
			 REPLCOPY_RTO_LOSS);
	assert_int_equal(replcopy_rto_action(false, una, una + 0x20, una + 0x20,
					     una + 0x40, 0, false),
			 REPLCOPY_RTO_PROBE_HEAD);
	/* Only our FIN in flight, window closed: nothing of the client's
	 * data to probe with, so a loss (the FIN goes again).
	 */
	assert_int_equal(replcopy_rto_action(false, una, una + 1, una + 1,
					     una, 0, false),
			 REPLCOPY_RTO_LOSS);
	/* Nothing in flight, data waiting, window closed: an old-sequence
	 * probe asks for the window.
	 */
	assert_int_equal(replcopy_rto_action(false, una, una, una, una + 0x40,
					     0, false),
			 REPLCOPY_RTO_PROBE);
	/* Nothing in flight, the window open, data or the FIN waiting: a
	 * local transmit failed.
	 */
	assert_int_equal(replcopy_rto_action(false, una, una, una, una + 0x40,
					     65535, false),
			 REPLCOPY_RTO_RETRY);
	assert_int_equal(replcopy_rto_action(false, una, una, una, una,
					     65535, true),
			 REPLCOPY_RTO_RETRY);
	/* All acknowledged, nothing to send. */
	assert_int_equal(replcopy_rto_action(false, una, una, una, una,
					     65535, false),
			 REPLCOPY_RTO_NONE);
}

/* rst_unanswered's test: behind while it answered less and did not end. */
static void test_end_behind(void **state)
{
	struct replcopy_end_view v = view(true);

	(void)state;
	assert_true(replcopy_end_behind(&v));
	v.t_used = 1000;
	assert_false(replcopy_end_behind(&v));
	v.c_ack_seen = false;	/* how much the client got is unknown */
	assert_true(replcopy_end_behind(&v));
	v.t_fin = true;		/* the target ended its side */
	assert_false(replcopy_end_behind(&v));
}

/*
 * engine-rst-busy: the target's server has not read the last requests
 * (its kernel acked them, it has nothing in flight): a RST would discard
 * them. The RST waits while the target makes progress, or
 * REPLCOPY_RST_GRACE without.
 */
static void test_end_rst_busy_target(void **state)
{
	struct replcopy_end_view v = view(true);
	unsigned long at, limit;

	(void)state;
	v.now = T0 + 2 * REPLCOPY_END_QUIET;
	v.t_idle = true;
	limit = replcopy_end_limit(&v);
	assert_int_equal(replcopy_end_when(&v, limit, &at), REPLCOPY_END_WAIT);
	assert_int_equal(at, T0 + REPLCOPY_RST_GRACE);
	/* It answers part of it: the wait starts again from there. */
	v.t_progress_at = T0 + 3 * HZ;
	v.t_idle = false;
	v.now = T0 + 3 * HZ;
	assert_int_equal(when(&v, &at), REPLCOPY_END_WAIT);
	assert_int_equal(at, T0 + 3 * HZ + REPLCOPY_END_QUIET);
	v.t_idle = true;
	v.now = T0 + 5 * HZ;
	assert_int_equal(when(&v, &at), REPLCOPY_END_WAIT);
	assert_int_equal(at, T0 + 3 * HZ + REPLCOPY_RST_GRACE);
	/* Then it answered all: due. */
	v.t_used = 1000;
	assert_int_equal(when(&v, &at), REPLCOPY_END_DUE);
}

/*
 * engine-backlog: the target's server works through thousands of requests
 * on the mapping's other connections first; this one's lie unread in its
 * kernel, without progress here for longer than REPLCOPY_RST_GRACE. The
 * RST waits while the server makes progress elsewhere, up to
 * REPLCOPY_RST_MAX, and so does a FIN before it counts the target quiet.
 */
static void test_end_rst_server_busy(void **state)
{
	struct replcopy_end_view v = view(true);
	unsigned long at;

	(void)state;
	v.t_idle = true;
	v.now = T0 + 8 * HZ;
	v.m_progress_at = T0 + 8 * HZ;
	assert_int_equal(replcopy_end_limit(&v), T0 + 8 * HZ + REPLCOPY_RST_GRACE);
	assert_int_equal(when(&v, &at), REPLCOPY_END_WAIT);
	assert_int_equal(at, T0 + 8 * HZ + REPLCOPY_RST_GRACE);
	/* Busy for longer: REPLCOPY_RST_MAX after the RST at the latest. */
	v.m_progress_at = T0 + REPLCOPY_RST_MAX;
	assert_int_equal(replcopy_end_limit(&v), T0 + REPLCOPY_RST_MAX);
	/* Its own progress later than that still counts. */
	v.t_progress_at = T0 + REPLCOPY_RST_MAX;
	assert_int_equal(replcopy_end_limit(&v),
			 T0 + REPLCOPY_RST_MAX + REPLCOPY_RST_GRACE);
	/* The server idle since the RST: the grace as before. */
	v.t_progress_at = T0;
	v.m_progress_at = T0 - HZ;
	assert_int_equal(replcopy_end_limit(&v), T0 + REPLCOPY_RST_GRACE);
	/*
	 * A FIN: its limit is REPLCOPY_END_MAX, but it waits for the server
	 * to be quiet everywhere too (nginx drops the requests it has not
	 * read when the client's FIN comes while it writes a response).
	 */
	v.c_rst = false;
	v.m_progress_at = T0 + 8 * HZ;
	assert_int_equal(replcopy_end_limit(&v), T0 + REPLCOPY_END_MAX);
	assert_int_equal(when(&v, &at), REPLCOPY_END_WAIT);
	assert_int_equal(at, T0 + 8 * HZ + REPLCOPY_END_QUIET);
	v.now = T0 + 8 * HZ + REPLCOPY_END_QUIET;
	assert_int_equal(when(&v, &at), REPLCOPY_END_DUE);
}

/* jiffies wrap: the same decisions across ULONG_MAX. */
static void test_end_jiffies_wrap(void **state)
{
	struct replcopy_end_view v = view(true);
	unsigned long base = ULONG_MAX - HZ, at;

	(void)state;
	v.now = base;
	v.c_end_at = base;
	v.t_progress_at = base;
	v.m_progress_at = base;
	v.data_sent_at = base;
	assert_int_equal(replcopy_end_limit(&v), base + REPLCOPY_RST_GRACE);
	assert_int_equal(when(&v, &at), REPLCOPY_END_WAIT);
	assert_int_equal(at, base + REPLCOPY_END_QUIET);
	v.now = base + 2 * REPLCOPY_END_QUIET;	/* past the wrap */
	v.t_idle = true;
	assert_int_equal(when(&v, &at), REPLCOPY_END_WAIT);
	assert_int_equal(at, base + REPLCOPY_RST_GRACE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_client_rst),
		cmocka_unit_test(test_target_rst),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_ack_when),
		cmocka_unit_test(test_ack_ok),
		cmocka_unit_test(test_wnd_update),
		cmocka_unit_test(test_acked_payload),
		cmocka_unit_test(test_cwnd),
		cmocka_unit_test(test_dupack_and_loss),
		cmocka_unit_test(test_rtt),
		cmocka_unit_test(test_end_limit),
		cmocka_unit_test(test_end_answered),
		cmocka_unit_test(test_end_less_answered),
		cmocka_unit_test(test_client_syn),
		cmocka_unit_test(test_pmtu_mss),
		cmocka_unit_test(test_gso_bytes),
		cmocka_unit_test(test_rto_action),
		cmocka_unit_test(test_end_behind),
		cmocka_unit_test(test_end_rst_busy_target),
		cmocka_unit_test(test_end_rst_server_busy),
		cmocka_unit_test(test_end_jiffies_wrap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
