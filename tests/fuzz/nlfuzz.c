// SPDX-License-Identifier: GPL-2.0
/*
 * nlfuzz: send the replcopy generic netlink family malformed and random
 * requests and check every answer.
 *
 *   nlfuzz [-n COUNT] [-s SEED] [-u] [-v] [-k]
 *
 *   -n COUNT  fuzzed requests to send (default 100000)
 *   -s SEED   PRNG seed (default: time); printed first, so a failing run is
 *             reproduced with the same -s (the same kernel state assumed)
 *   -u        unprivileged mode: expect every ADD/DEL/SET and every sessions
 *             dump (client addresses) to be refused with EPERM and the
 *             module's state to stay exactly as found
 *   -k        keep the mappings the fuzzer created (default: delete them at
 *             the end and check the namespace is empty)
 *   -v        print every violation in full (default: the first 20)
 *
 * What is sent: unknown commands; valid commands with missing, duplicated,
 * oversized, truncated, wrongly typed and unknown attributes (addresses of
 * either family: MAP_*_ADDR or _ADDR6, neither, both, IPv6 ones 4 bytes
 * long, read-only session nests with their ADDR6 attributes); garbage and
 * deeply nested nests; random nlmsg flags (dump bit on do-only commands and
 * the reverse), bad genl versions and reserved bytes; short genl headers;
 * well-formed ADD/DEL/SET requests (so that state really changes); dumps of
 * hundreds of mappings interrupted halfway (the socket closed after one
 * part, or read with a tiny buffer and closed).
 *
 * What is checked, for every request: each answer is a well-formed netlink
 * message addressed to us (our port id, the request's sequence number);
 * family messages carry a known command and attributes of the documented
 * types and sizes (each address once, as the attribute of its family:
 * MAP_ONLINE_ADDR 0.0.0.0 or _ADDR6, MAP_TARGET_ADDR or _ADDR6, TA_ADDR or
 * _ADDR6 per target, SA_*_ADDR or _ADDR6 in sessions; counters up to
 * REPLCOPY_STAT_MAX); errors are negative errnos with well-formed
 * extended-ack attributes; a request that asks for an ack or is a dump
 * gets exactly one terminating message (NLMSG_ERROR or NLMSG_DONE). After
 * every request the module's settings (GET_CONFIG) equal the model
 * (changed only by accepted SET_CONFIGs, all of the request or nothing),
 * and regularly the mapping dump equals the model (changed only by
 * accepted ADDs and DELs: a refused request changes nothing). An accepted
 * request carries only its command's attributes; an accepted fuzzed ADD is
 * one the model does not certainly refuse. Unprivileged: nothing may
 * change.
 *
 * Targets and copies: ADDs with REPLCOPY_A_MAP_TARGETS and _MAP_COPIES,
 * valid (1..8 distinct targets, the first being MAP_TARGET_ADDR/PORT,
 * remote or local ones; 1..16 copies) or broken in one way (first entry
 * differs, a target twice, more than 8, an entry without TA_PORT or with
 * a read-only or unknown attribute, a wrong entry type, a target that is
 * no unicast address, copies 0 or above 16, copies with source client),
 * each with the answer the model predicts (the errno: EINVAL, E2BIG for
 * more than 8, ERANGE for what the policy's ranges refuse; or acceptance
 * given the mappings there: EEXIST, a local target that is a mapped
 * port, ...).
 * Every full mapping message carries MAP_COPIES and MAP_TARGETS (each
 * entry TA_ADDR or TA_ADDR6, TA_PORT, TA_SESSIONS; the GET_STATS dump's
 * also TA_STATS), which the ADD reply and the dumps must show as requested.
 *
 * Addresses: the model holds either family. The fuzz netns has exactly
 * LOCAL_ADDR (10.77.0.1) and LOCAL_ADDR6 (fd77::1) on d0, besides lo
 * (checked at start). Predicted ADDs name IPv6 targets too: remote ones
 * (fd00:2::2, 2001:db8::1, fd77::2 on d0's link, site-local fec0::1,
 * IPv4-compatible ::2, ...), the local one, and refused ones (::, ::1,
 * multicast, IPv4-mapped, link-local: EINVAL), one family or both across
 * the targets; IPv4 or IPv6 online addresses, local or not
 * (EADDRNOTAVAIL), or 0.0.0.0 (none); source auto and client (which needs
 * one family for its targets and online address: EINVAL); and broken
 * address attributes: both families given (EINVAL), no target address
 * (EINVAL), an IPv4 attribute of the wrong length (EINVAL) or an IPv6 one
 * (the policy's exact length: ERANGE), in MAP_TARGET, MAP_ONLINE and
 * TA_ADDR(6). The model predicts the errno in replcopy_mapping_check's
 * order: what each mapping captures (its online address's family; with
 * none both, source client its targets'), so a local target that a
 * mapping captures is a loop (EINVAL); on one port, a mapping without
 * online address conflicts with every other (EEXIST), two with online
 * addresses only if these are equal (an IPv4 and an IPv6 one coexist).
 * Predicted DELs by MAP_PORT give MAP_ONLINE_ADDR, _ADDR6, 0.0.0.0, none,
 * or both (EINVAL); ENOENT when the model has no such mapping.
 *
 * Exit status: 0 when no violation was found, 1 otherwise, 2 on setup
 * errors. The last line is a summary: "nlfuzz: seed S: N requests, ...".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "../../include/uapi/replcopy.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NLM_F_CAPPED
#define NLM_F_CAPPED 0x100
#endif
#ifndef NLM_F_ACK_TLVS
#define NLM_F_ACK_TLVS 0x200
#endif

#define BUFSZ (128 * 1024)
#define MAXMAP 2048

/* ------------------------------------------------------------ PRNG */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static uint32_t rn(uint32_t n)
{
	return n ? (uint32_t)(rnd() % n) : 0;
}

static bool chance(unsigned int percent)
{
	return rn(100) < percent;
}

/* ------------------------------------------------------------ state */

static struct mnl_socket *nl;
static uint32_t portid, seq = 1;
static uint16_t family;
static bool unpriv, verbose, keep;
static uint64_t seed;
static unsigned long reqno;

static unsigned long n_sent, n_err, n_ok, n_replies, n_dumps, n_dump_msgs,
	n_interrupted, n_checks, n_violations, n_added, n_deleted, n_cfg_set,
	n_nohdr;
static unsigned long err_hist[256];
/* The targets and copies part: predicted ADDs and what became of them. */
static unsigned long n_pred, n_pred_ok, n_pred_refused, n_multi_targets, n_copies;
/* Mappings added with an IPv6 address (online or target), with targets of both families. */
static unsigned long n_v6_maps, n_mixed_maps, n_pred_del;
static unsigned long pred_err_hist[256];

/* An address of either family, as the module keeps one (family, nf_inet_addr). */
struct ad {
	uint8_t fam;		/* AF_INET, AF_INET6; 0: none (online address only) */
	uint8_t b[16];		/* network byte order; IPv4 in b[0..3], the rest 0 */
};

struct tgt {
	struct ad a;
	uint16_t port;
};

struct map {
	uint32_t id;
	uint16_t port, tport;
	struct ad online;	/* fam 0: none (the dump's MAP_ONLINE_ADDR 0.0.0.0) */
	struct ad taddr;	/* MAP_TARGET_ADDR or _ADDR6 */
	uint8_t source, pacing;
	uint32_t flags;
	uint32_t sample;	/* 1/10 000 of connections */
	uint32_t copies;	/* replays of each connection to each target */
	int ntargets;		/* targets[0] is taddr:tport */
	struct tgt targets[REPLCOPY_MAX_TARGETS];
};
static struct map model[MAXMAP];
static int nmodel;

/* Settings, indexed by enum replcopy_config_attr. */
static uint32_t cfg_model[REPLCOPY_CFG_MAX + 1];
static uint32_t cfg_initial[REPLCOPY_CFG_MAX + 1];

static void violation(const char *fmt, ...)
{
	va_list ap;

	n_violations++;
	if (!verbose && n_violations > 20)
		return;
	fprintf(stderr, "VIOLATION (seed %" PRIu64 ", request %lu): ", seed, reqno);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ------------------------------------------------------------ building */

struct req {
	char buf[BUFSZ];
	struct nlmsghdr *nlh;
	uint8_t cmd;
	bool dump;		/* the kernel will treat it as a dump request */
	bool ack;
	bool short_hdr;		/* genl header cut short */
	bool bad_len;		/* nlmsg_len lies: the kernel drops it silently */
	bool hdr_bad;		/* genl reserved bytes or nlmsg flags refused */
	unsigned int expect;	/* EXP_* answers the model allows; 0: no prediction */
	char desc[1024];	/* the predicted request, for the report */
};

/* Answers to a predicted request: acceptance or one errno. */
#define EXP_OK			(1U << 0)
#define EXP_EINVAL		(1U << 1)
#define EXP_E2BIG		(1U << 2)
#define EXP_EEXIST		(1U << 3)
#define EXP_ENOSPC		(1U << 4)
#define EXP_EADDRNOTAVAIL	(1U << 5)
#define EXP_ERANGE		(1U << 6)	/* a policy's range: ports 0, copies, ADDR6 length */
#define EXP_ENOENT		(1U << 7)	/* DEL of nothing */

static unsigned int exp_bit(int err)
{
	switch (err) {
	case 0: return EXP_OK;
	case -EINVAL: return EXP_EINVAL;
	case -E2BIG: return EXP_E2BIG;
	case -EEXIST: return EXP_EEXIST;
	case -ENOSPC: return EXP_ENOSPC;
	case -EADDRNOTAVAIL: return EXP_EADDRNOTAVAIL;
	case -ERANGE: return EXP_ERANGE;
	case -ENOENT: return EXP_ENOENT;
	default: return 0;
	}
}

static const char *exp_str(unsigned int e)
{
	static char b[80];
	static const char *const name[] = { "accepted", "EINVAL", "E2BIG", "EEXIST",
					    "ENOSPC", "EADDRNOTAVAIL", "ERANGE", "ENOENT" };
	size_t i;

	b[0] = '\0';
	for (i = 0; i < sizeof(name) / sizeof(name[0]); i++)
		if (e & (1U << i))
			snprintf(b + strlen(b), sizeof(b) - strlen(b), "%s%s",
				 b[0] ? " or " : "", name[i]);
	return b;
}

/* kmod/replcopy.h: REPLCOPY_MAX_MAPPINGS, per netns. */
#define MODEL_MAX_MAPPINGS 1024

static const int cfg_size[REPLCOPY_CFG_MAX + 1] = {
	[REPLCOPY_CFG_WORKER] = 1, [REPLCOPY_CFG_WQ_UNBOUND] = 1,
	[REPLCOPY_CFG_WQ_MAX_ACTIVE] = 4, [REPLCOPY_CFG_MAX_SESSIONS] = 4,
	[REPLCOPY_CFG_MAX_SESSION_BYTES] = 4, [REPLCOPY_CFG_MAX_TOTAL_BYTES] = 4,
	[REPLCOPY_CFG_IDLE_TIMEOUT] = 4, [REPLCOPY_CFG_SYN_RETRIES] = 1,
	[REPLCOPY_CFG_MAX_RETRIES] = 1,
};

/* Payload size of each top-level attribute; -1 flag, -2 nest, -3 string. */
static const int attr_size[REPLCOPY_A_MAX + 1] = {
	[REPLCOPY_A_MAP_ID] = 4, [REPLCOPY_A_MAP_PORT] = 2,
	[REPLCOPY_A_MAP_ONLINE_ADDR] = 4, [REPLCOPY_A_MAP_TARGET_ADDR] = 4,
	[REPLCOPY_A_MAP_TARGET_PORT] = 2, [REPLCOPY_A_MAP_SOURCE] = 1,
	[REPLCOPY_A_MAP_PACING] = 1, [REPLCOPY_A_MAP_FLAGS] = 4,
	[REPLCOPY_A_MAP_SESSIONS] = 4, [REPLCOPY_A_DEL_ALL] = -1,
	[REPLCOPY_A_STATS] = -2, [REPLCOPY_A_SESSION] = -2,
	[REPLCOPY_A_CONFIG] = -2, [REPLCOPY_A_VERSION] = -3,
	[REPLCOPY_A_PAD] = 0, [REPLCOPY_A_MAP_SAMPLE] = 4,
	[REPLCOPY_A_MAP_TARGETS] = -2, [REPLCOPY_A_MAP_COPIES] = 4,
	[REPLCOPY_A_MAP_ONLINE_ADDR6] = 16, [REPLCOPY_A_MAP_TARGET_ADDR6] = 16,
};

/* Payload size of each session attribute (REPLCOPY_A_SESSION); -1 flag. */
static const int sa_size[REPLCOPY_SA_MAX + 1] = {
	[REPLCOPY_SA_MAP_ID] = 4, [REPLCOPY_SA_CLIENT_ADDR] = 4,
	[REPLCOPY_SA_CLIENT_PORT] = 2, [REPLCOPY_SA_SOURCE_ADDR] = 4,
	[REPLCOPY_SA_SOURCE_PORT] = 2, [REPLCOPY_SA_STATE] = 1,
	[REPLCOPY_SA_WORKER] = 1, [REPLCOPY_SA_FABRICATED] = -1,
	[REPLCOPY_SA_CAPTURED_BYTES] = 8, [REPLCOPY_SA_ACKED_BYTES] = 8,
	[REPLCOPY_SA_QUEUED_BYTES] = 4, [REPLCOPY_SA_AGE_MS] = 8,
	[REPLCOPY_SA_TARGET_ADDR] = 4, [REPLCOPY_SA_TARGET_PORT] = 2,
	[REPLCOPY_SA_COPY] = 1, [REPLCOPY_SA_CLIENT_ADDR6] = 16,
	[REPLCOPY_SA_SOURCE_ADDR6] = 16, [REPLCOPY_SA_TARGET_ADDR6] = 16,
};

static uint32_t interesting32(void)
{
	static const uint32_t v[] = { 0, 1, 2, 7, 8, 10, 20, 21, 255, 256, 511,
		512, 513, 1023, 1024, 65535, 65536, 86400, 86401, 0x7fffffff,
		0x80000000, 0xfffffffe, 0xffffffff };

	if (chance(50))
		return v[rn(sizeof(v) / sizeof(v[0]))];
	return (uint32_t)rnd();
}

/* ------------------------------------------------------------ addresses */

/*
 * The fuzz netns's addresses that are local and no loopback, both on d0
 * (tests/scenarios/reliability-nlfuzz.sh configures them; main() checks
 * that they are local).
 */
#define LOCAL_ADDR htonl(0x0a4d0001)	/* 10.77.0.1 */
#define LOCAL_ADDR6 "fd77::1"

static const struct ad no_ad;

static struct ad ad4(uint32_t be)
{
	struct ad a = no_ad;

	a.fam = AF_INET;
	memcpy(a.b, &be, 4);
	return a;
}

static struct ad ad6_raw(const void *p)
{
	struct ad a = no_ad;

	a.fam = AF_INET6;
	memcpy(a.b, p, 16);
	return a;
}

static struct ad ad6(const char *s)
{
	uint8_t b[16];

	if (inet_pton(AF_INET6, s, b) != 1) {
		fprintf(stderr, "nlfuzz: bad IPv6 address %s in the source\n", s);
		exit(2);
	}
	return ad6_raw(b);
}

static uint32_t ad_v4(const struct ad *a)
{
	uint32_t v;

	memcpy(&v, a->b, 4);
	return v;
}

/* replcopy_addr_eq(): same family and address (none equals none). */
static bool ad_eq(const struct ad *x, const struct ad *y)
{
	return x->fam == y->fam && !memcmp(x->b, y->b, sizeof(x->b));
}

/* For reports: a few at a time (rotating buffers). */
static const char *ad_str(const struct ad *a)
{
	static char buf[8][INET6_ADDRSTRLEN];
	static unsigned int k;
	char *s = buf[k++ % 8];

	if (a->fam != AF_INET && a->fam != AF_INET6)
		return "none";
	inet_ntop(a->fam, a->b, s, INET6_ADDRSTRLEN);
	return s;
}

static struct ad local4(void)
{
	return ad4(LOCAL_ADDR);
}

static struct ad local6(void)
{
	static struct ad a;

	if (!a.fam)
		a = ad6(LOCAL_ADDR6);
	return a;
}

/*
 * Is a one of the netns's own addresses (inet_addr_type() RTN_LOCAL,
 * ipv6_chk_addr())? d0's, and lo's 127.0.0.0/8 and ::1 (all of
 * 127.0.0.0/8, its broadcast address too: as online addresses a
 * superset is safe, and targets there are refused before).
 */
static bool is_local(const struct ad *a)
{
	static const uint8_t lo6[16] = { [15] = 1 };
	struct ad l6;

	if (a->fam == AF_INET)
		return ad_v4(a) == LOCAL_ADDR || (ntohl(ad_v4(a)) >> 24) == 127;
	if (a->fam != AF_INET6)
		return false;
	l6 = local6();
	return ad_eq(a, &l6) || !memcmp(a->b, lo6, 16);
}

/*
 * A target the module refuses whatever the netns (replcopy_check_target
 * and _target6): IPv4 0.0.0.0, loopback, multicast, the limited broadcast
 * and d0's subnet broadcast; IPv6 ::, ::1, multicast, IPv4-mapped and
 * link-local.
 */
static bool target_refused(const struct ad *t)
{
	static const uint8_t zero[16];
	const uint8_t *b = t->b;
	uint32_t a = ntohl(ad_v4(t));

	if (t->fam == AF_INET)
		return a == 0 || (a >> 24) == 127 || (a >> 28) == 14 || a == 0xffffffff ||
		       a == 0x0a4d00ff;
	if (!memcmp(b, zero, 15) && b[15] <= 1)
		return true;				/* :: and ::1 */
	if (b[0] == 0xff)
		return true;				/* ff00::/8 */
	if (!memcmp(b, zero, 10) && b[10] == 0xff && b[11] == 0xff)
		return true;				/* ::ffff:0:0/96 */
	return b[0] == 0xfe && (b[1] & 0xc0) == 0x80;	/* fe80::/10 */
}

/* A target address: remote, local, loopback, multicast, zero, broadcast. */
static uint32_t some_addr(void)
{
	static const char *const a[] = { "10.0.2.2", "10.0.2.3", "10.77.0.1",
		"127.0.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255",
		"10.77.0.255", "192.0.2.1", "0.1.2.3" };

	if (chance(10))
		return (uint32_t)rnd();
	return inet_addr(a[rn(sizeof(a) / sizeof(a[0]))]);
}

/* The same for IPv6: remote, local, ::, loopback, multicast, mapped, link-local. */
static struct ad some_addr6(void)
{
	static const char *const a[] = { "fd00:2::2", "2001:db8::1", LOCAL_ADDR6, "fd77::2",
		"::", "::1", "ff02::1", "::ffff:10.0.2.2", "::ffff:10.77.0.1", "fe80::1",
		"febf::1", "fec0::1", "::2" };
	uint8_t b[16];
	size_t i;

	if (chance(10)) {
		for (i = 0; i < sizeof(b); i++)
			b[i] = (uint8_t)rnd();
		return ad6_raw(b);
	}
	return ad6(a[rn(sizeof(a) / sizeof(a[0]))]);
}

/* Either family. */
static struct ad some_ad(void)
{
	return chance(50) ? ad4(some_addr()) : some_addr6();
}

/* A local port: mostly a small range, so duplicates and conflicts happen. */
static uint16_t some_port(void)
{
	if (chance(5))
		return 0;
	if (chance(10))
		return (uint16_t)rnd();
	return (uint16_t)(1 + rn(24));
}

static void put_raw(struct nlmsghdr *nlh, uint16_t type, const void *data,
		    size_t len)
{
	if (nlh->nlmsg_len + MNL_ALIGN(MNL_ATTR_HDRLEN + len) > BUFSZ - 64)
		return;
	mnl_attr_put(nlh, type, len, data);
}

static void put_random_bytes(struct nlmsghdr *nlh, uint16_t type, size_t len)
{
	uint8_t b[4096];
	size_t i;

	if (len > sizeof(b))
		len = sizeof(b);
	for (i = 0; i < len; i++)
		b[i] = (uint8_t)rnd();
	put_raw(nlh, type, b, len);
}

/* A well-typed value of width size (1, 2, 4, 8). */
static void put_int(struct nlmsghdr *nlh, uint16_t type, int size, uint32_t v)
{
	uint8_t u8 = (uint8_t)v;
	uint16_t u16 = (uint16_t)v;
	uint64_t u64 = v;

	switch (size) {
	case 1: put_raw(nlh, type, &u8, 1); break;
	case 2: put_raw(nlh, type, &u16, 2); break;
	case 8: put_raw(nlh, type, &u64, 8); break;
	default: put_raw(nlh, type, &v, 4); break;
	}
}

static void put_cfg_nest(struct nlmsghdr *nlh, int depth);
static const struct nlattr *last_attr(const struct nlmsghdr *nlh, uint16_t t);

/* ------------------------------------------------------------ targets */

/* a as the attribute of its family: type4 (be32) or type6 (16 bytes). */
static void put_ad(struct nlmsghdr *nlh, uint16_t type4, uint16_t type6, const struct ad *a)
{
	if (a->fam == AF_INET6)
		put_raw(nlh, type6, a->b, 16);
	else
		put_raw(nlh, type4, a->b, 4);
}

/*
 * The attribute of family fam with a wrong length: the IPv4 one (NLA_BE32,
 * strict: EINVAL), sometimes 16 bytes long; the IPv6 one (exact length 16
 * in the policy: ERANGE), sometimes 4 bytes long. Returns the errno bit.
 */
static unsigned int put_ad_badlen(struct nlmsghdr *nlh, uint16_t type4, uint16_t type6,
				  uint8_t fam)
{
	static const size_t len6[] = { 0, 4, 4, 8, 15, 17, 20, 32 };
	static const size_t len4[] = { 0, 2, 3, 5, 8, 16, 16 };

	if (fam == AF_INET6) {
		put_random_bytes(nlh, type6, len6[rn(sizeof(len6) / sizeof(len6[0]))]);
		return EXP_ERANGE;
	}
	put_random_bytes(nlh, type4, len4[rn(sizeof(len4) / sizeof(len4[0]))]);
	return EXP_EINVAL;
}

static uint8_t other_fam(uint8_t fam)
{
	return fam == AF_INET6 ? AF_INET : AF_INET6;
}

static uint8_t some_fam(void)
{
	return chance(50) ? AF_INET : AF_INET6;
}

/*
 * A remote address the module takes as a target: no route needed, and
 * none is local here (fd77::2 is on d0's link; fec0::1 is site-local and
 * ::2 IPv4-compatible, both unicast to ipv6_addr_type()).
 */
static struct ad remote_addr(uint8_t fam)
{
	static const uint32_t r4[] = { 0x0a000202, 0x0a000203, 0xc0000201,
				       0xc6336407, 0xcb007109 };
	static const char *const r6[] = { "fd00:2::2", "fd00:2::3", "2001:db8::1",
					  "2001:db8:ffff::abcd", "fd77::2", "fec0::1", "::2",
					  "64:ff9b::a00:202" };

	if (fam == AF_INET6)
		return ad6(r6[rn(sizeof(r6) / sizeof(r6[0]))]);
	return ad4(htonl(r4[rn(sizeof(r4) / sizeof(r4[0]))]));
}

/* A target the kernel takes: remote, or local (local_pct %); fam 0: either. */
static struct ad good_target_addr(uint8_t fam, unsigned int local_pct)
{
	if (!fam)
		fam = some_fam();
	if (chance(local_pct))
		return fam == AF_INET6 ? local6() : local4();
	return remote_addr(fam);
}

/*
 * No unicast address (target_refused()): 0.0.0.0, loopback, multicast,
 * the limited broadcast, and d0's subnet broadcast (the netns has an
 * address); ::, ::1, multicast, IPv4-mapped, link-local. Not the rest of
 * 0.0.0.0/8: Linux routes it as unicast since 5.3, and ipv4_is_zeronet()
 * matches 0.0.0.0 only.
 */
static struct ad bad_target_addr(uint8_t fam)
{
	static const uint32_t bad[] = { 0x00000000, 0x7f000001, 0x7f010203,
					0xe0000001, 0xefffffff, 0xffffffff, 0x0a4d00ff };
	static const char *const bad6[] = { "::", "::1", "ff02::1", "ff0e::1:2",
					    "::ffff:10.0.2.2", "::ffff:0.0.0.0", "fe80::1",
					    "febf:ffff::1" };

	if (!fam)
		fam = some_fam();
	if (fam == AF_INET6)
		return ad6(bad6[rn(sizeof(bad6) / sizeof(bad6[0]))]);
	return ad4(htonl(bad[rn(sizeof(bad) / sizeof(bad[0]))]));
}

/* A target port: mostly the fuzzed mapping ports, so that loops happen. */
static uint16_t target_port(void)
{
	return chance(70) ? (uint16_t)(1 + rn(24)) : (uint16_t)(1 + rn(65535));
}

static bool same_tgt(const struct tgt *a, const struct tgt *b)
{
	return ad_eq(&a->a, &b->a) && a->port == b->port;
}

/* Is t[k] one of t[0..k)? */
static bool tgt_dup(const struct tgt *t, int k)
{
	int j;

	for (j = 0; j < k; j++)
		if (same_tgt(&t[j], &t[k]))
			return true;
	return false;
}

/* Is t[k] another of t[0..n)? */
static bool tgt_dup_in(const struct tgt *t, int n, int k)
{
	int j;

	for (j = 0; j < n; j++)
		if (j != k && same_tgt(&t[j], &t[k]))
			return true;
	return false;
}

/* n distinct good targets of family fam (0: each either), t[0] given. */
static void good_targets(struct tgt *t, int n, uint8_t fam, unsigned int local_pct)
{
	int i;

	for (i = 1; i < n; i++) {
		do {
			t[i].a = good_target_addr(fam, local_pct);
			t[i].port = target_port();
		} while (tgt_dup(t, i));
	}
}

/* How an entry of MAP_TARGETS is broken (refused with EINVAL, or ERANGE). */
enum ent_fault {
	ENT_OK,
	ENT_NO_PORT,		/* TA_PORT left out */
	ENT_NO_ADDR,		/* neither TA_ADDR nor TA_ADDR6 */
	ENT_SESSIONS,		/* read-only TA_SESSIONS */
	ENT_STATS,		/* read-only TA_STATS */
	ENT_UNKNOWN,		/* TA_UNSPEC, TA_PAD, or beyond TA_MAX */
	ENT_PORT0,		/* TA_PORT 0: ERANGE */
	ENT_ADDR_LEN,		/* TA_ADDR not 4 bytes; TA_ADDR6 not 16: ERANGE */
	ENT_PORT_LEN,		/* TA_PORT not 2 bytes */
	ENT_NOT_NESTED,		/* TL_TARGET without NLA_F_NESTED */
	ENT_TYPE,		/* not TL_TARGET */
	ENT_PLAIN,		/* TA_ADDR or _ADDR6 with NLA_F_NESTED */
	ENT_BOTH,		/* TA_ADDR and TA_ADDR6 */
	ENT_FAULTS
};

static const char *const ent_fault_name[ENT_FAULTS] = {
	"ok", "no TA_PORT", "no TA_ADDR(6)", "TA_SESSIONS", "TA_STATS", "unknown attribute",
	"TA_PORT 0", "TA_ADDR(6) length", "TA_PORT length", "entry without NLA_F_NESTED",
	"entry type", "TA_ADDR(6) with NLA_F_NESTED", "TA_ADDR and TA_ADDR6",
};

/* The errno bit of an entry fault, the entry's target of family fam. */
static unsigned int ent_fault_exp(int fault, uint8_t fam)
{
	if (fault == ENT_PORT0 || (fault == ENT_ADDR_LEN && fam == AF_INET6))
		return EXP_ERANGE;
	return EXP_EINVAL;
}

static void put_target_entry(struct nlmsghdr *nlh, const struct tgt *t, int fault)
{
	uint16_t type = REPLCOPY_TL_TARGET;
	struct nlattr *nest;
	uint64_t u64 = 0;
	bool sessions_first = chance(50);

	if (fault == ENT_TYPE)
		type = chance(30) ? REPLCOPY_TL_UNSPEC :
				    (uint16_t)(REPLCOPY_TL_MAX + 1 + rn(60));
	nest = mnl_attr_nest_start(nlh, type);
	if (fault == ENT_SESSIONS && sessions_first)
		mnl_attr_put_u32(nlh, REPLCOPY_TA_SESSIONS, 0);
	if (fault == ENT_ADDR_LEN) {
		put_ad_badlen(nlh, REPLCOPY_TA_ADDR, REPLCOPY_TA_ADDR6, t->a.fam);
	} else if (fault == ENT_PLAIN) {
		if (t->a.fam == AF_INET6)
			mnl_attr_put(nlh, REPLCOPY_TA_ADDR6 | NLA_F_NESTED, 16, t->a.b);
		else
			mnl_attr_put(nlh, REPLCOPY_TA_ADDR | NLA_F_NESTED, 4, t->a.b);
	} else if (fault == ENT_BOTH) {
		/* The target's own address and one of the other family, in either order. */
		struct ad o = remote_addr(other_fam(t->a.fam));
		bool own_first = chance(50);

		put_ad(nlh, REPLCOPY_TA_ADDR, REPLCOPY_TA_ADDR6, own_first ? &t->a : &o);
		put_ad(nlh, REPLCOPY_TA_ADDR, REPLCOPY_TA_ADDR6, own_first ? &o : &t->a);
	} else if (fault != ENT_NO_ADDR) {
		put_ad(nlh, REPLCOPY_TA_ADDR, REPLCOPY_TA_ADDR6, &t->a);
	}
	if (fault == ENT_PORT0)
		mnl_attr_put_u16(nlh, REPLCOPY_TA_PORT, 0);
	else if (fault == ENT_PORT_LEN)
		mnl_attr_put_u32(nlh, REPLCOPY_TA_PORT, t->port);
	else if (fault != ENT_NO_PORT)
		mnl_attr_put_u16(nlh, REPLCOPY_TA_PORT, t->port);
	if (fault == ENT_SESSIONS && !sessions_first)
		mnl_attr_put_u32(nlh, REPLCOPY_TA_SESSIONS, 0);
	if (fault == ENT_STATS) {
		struct nlattr *st = mnl_attr_nest_start(nlh, REPLCOPY_TA_STATS);

		if (chance(70))
			mnl_attr_put(nlh, chance(50) ? REPLCOPY_STAT_SESS_ACTIVE :
				     REPLCOPY_STAT_DROP_FRAG, 8, &u64);
		mnl_attr_nest_end(nlh, st);
	}
	if (fault == ENT_UNKNOWN)
		put_random_bytes(nlh, chance(30) ? REPLCOPY_TA_UNSPEC : chance(30) ?
				 REPLCOPY_TA_PAD : (uint16_t)(REPLCOPY_TA_MAX + 1 + rn(60)),
				 rn(9));
	mnl_attr_nest_end(nlh, nest);
	if (fault == ENT_NOT_NESTED)
		nest->nla_type &= (uint16_t)~NLA_F_NESTED;
}

/*
 * The request's first target (replcopy_parse_targets: the last
 * MAP_TARGET_ADDR or _ADDR6, and _PORT, of the request) into *t: NULL if
 * it is well formed, else why not.
 */
static const char *req_first_target(const struct nlmsghdr *nlh, struct tgt *t)
{
	const struct nlattr *a = last_attr(nlh, REPLCOPY_A_MAP_TARGET_ADDR);
	const struct nlattr *a6 = last_attr(nlh, REPLCOPY_A_MAP_TARGET_ADDR6);
	const struct nlattr *p = last_attr(nlh, REPLCOPY_A_MAP_TARGET_PORT);

	memset(t, 0, sizeof(*t));
	if (a && a6)
		return "both MAP_TARGET_ADDR and MAP_TARGET_ADDR6";
	if (!(a || a6) || !p)
		return "no MAP_TARGET_ADDR (or _ADDR6) or no MAP_TARGET_PORT";
	if (mnl_attr_get_payload_len(p) != 2 ||
	    mnl_attr_get_payload_len(a ? a : a6) != (a ? 4 : 16))
		return "a malformed MAP_TARGET_ADDR, _ADDR6 or _PORT";
	t->a = a ? ad4(mnl_attr_get_u32(a)) : ad6_raw(mnl_attr_get_payload(a6));
	t->port = mnl_attr_get_u16(p);
	return NULL;
}

/* A fuzzed MAP_TARGETS: mostly starting with the request's target. */
static void put_fuzz_targets(struct nlmsghdr *nlh, int badness)
{
	struct tgt t[REPLCOPY_MAX_TARGETS + 5], first;
	struct nlattr *list;
	int i, n = chance(10) ? (int)rn(REPLCOPY_MAX_TARGETS + 5) : 1 + (int)rn(REPLCOPY_MAX_TARGETS);
	bool ok = !req_first_target(nlh, &first);

	list = mnl_attr_nest_start(nlh, REPLCOPY_A_MAP_TARGETS);
	for (i = 0; i < n; i++) {
		if (!i && ok && chance(85)) {
			t[i] = first;
		} else if (i && chance(5)) {
			t[i] = t[rn((uint32_t)i)];
		} else {
			t[i].a = chance(70) ? good_target_addr(0, 25) : some_ad();
			t[i].port = chance(95) ? target_port() : some_port();
		}
		put_target_entry(nlh, &t[i], chance(badness + 2) ? 1 + (int)rn(ENT_FAULTS - 1) : ENT_OK);
	}
	mnl_attr_nest_end(nlh, list);
}

/* A copies count: mostly 1..16. */
static uint32_t some_copies(void)
{
	return chance(80) ? 1 + rn(REPLCOPY_MAX_COPIES) :
	       chance(50) ? (chance(50) ? 0 : REPLCOPY_MAX_COPIES + 1) : interesting32();
}

/* Garbage in a nest: random attributes, some nested again. */
static void put_garbage_nest(struct nlmsghdr *nlh, uint16_t type, int depth)
{
	struct nlattr *nest;
	int i, n = (int)rn(6);

	if (nlh->nlmsg_len > BUFSZ / 2)
		return;
	nest = mnl_attr_nest_start(nlh, type);
	for (i = 0; i < n; i++) {
		if (depth < 8 && chance(25))
			put_garbage_nest(nlh, (uint16_t)rn(20), depth + 1);
		else
			put_random_bytes(nlh, (uint16_t)rn(20), rn(12));
	}
	if (chance(20))
		put_cfg_nest(nlh, depth + 1);
	mnl_attr_nest_end(nlh, nest);
}

/* One config setting, mostly well formed. */
static void put_cfg_attr(struct nlmsghdr *nlh, int depth)
{
	uint16_t t = (uint16_t)(1 + rn(REPLCOPY_CFG_MAX));
	uint32_t v;

	if (chance(4)) {
		t = (uint16_t)(chance(50) ? 0 : REPLCOPY_CFG_MAX + 1 + rn(100));
		put_random_bytes(nlh, t, rn(9));
		return;
	}
	if (chance(4)) {
		put_random_bytes(nlh, t, rn(12));	/* wrong size, likely */
		return;
	}
	if (chance(2) && depth < 8) {
		put_garbage_nest(nlh, t, depth + 1);
		return;
	}
	/* Values near the valid ranges. */
	switch (t) {
	case REPLCOPY_CFG_WORKER: v = rn(4); break;
	case REPLCOPY_CFG_WQ_UNBOUND: v = rn(3); break;
	case REPLCOPY_CFG_WQ_MAX_ACTIVE: v = chance(70) ? rn(600) : interesting32(); break;
	case REPLCOPY_CFG_MAX_SESSIONS: v = chance(70) ? rn(100000) : interesting32(); break;
	case REPLCOPY_CFG_MAX_SESSION_BYTES: v = chance(70) ? 60000 + rn(2000000) : interesting32(); break;
	case REPLCOPY_CFG_MAX_TOTAL_BYTES: v = chance(70) ? 1000 + rn(300000) : interesting32(); break;
	case REPLCOPY_CFG_IDLE_TIMEOUT: v = chance(70) ? rn(90000) : interesting32(); break;
	case REPLCOPY_CFG_SYN_RETRIES: v = rn(12); break;
	default: v = rn(23); break;
	}
	put_int(nlh, t, cfg_size[t], v);
}

static void put_cfg_nest(struct nlmsghdr *nlh, int depth)
{
	struct nlattr *nest;
	int i, n = 1 + (int)rn(4);

	nest = mnl_attr_nest_start(nlh, REPLCOPY_A_CONFIG);
	for (i = 0; i < n; i++)
		put_cfg_attr(nlh, depth);
	mnl_attr_nest_end(nlh, nest);
}

/*
 * A session nest as GET_SESSIONS gives it (read only: no command takes
 * it), the addresses of either family, some given twice (both families).
 */
static void put_session_nest(struct nlmsghdr *nlh)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, REPLCOPY_A_SESSION);
	uint8_t fam = some_fam();
	struct ad c = chance(50) ? remote_addr(AF_INET) : remote_addr(AF_INET6);
	struct ad src = fam == AF_INET6 ? local6() : local4(), dst = remote_addr(fam);
	uint64_t u64 = rnd();

	mnl_attr_put_u32(nlh, REPLCOPY_SA_MAP_ID, 1 + rn(40));
	put_ad(nlh, REPLCOPY_SA_CLIENT_ADDR, REPLCOPY_SA_CLIENT_ADDR6, &c);
	mnl_attr_put_u16(nlh, REPLCOPY_SA_CLIENT_PORT, (uint16_t)rnd());
	put_ad(nlh, REPLCOPY_SA_SOURCE_ADDR, REPLCOPY_SA_SOURCE_ADDR6, &src);
	if (chance(20)) {
		struct ad o = remote_addr(other_fam(fam));

		put_ad(nlh, REPLCOPY_SA_SOURCE_ADDR, REPLCOPY_SA_SOURCE_ADDR6, &o);
	}
	mnl_attr_put_u8(nlh, REPLCOPY_SA_STATE, (uint8_t)rn(__REPLCOPY_SS_MAX + 1));
	mnl_attr_put(nlh, REPLCOPY_SA_CAPTURED_BYTES, 8, &u64);
	put_ad(nlh, REPLCOPY_SA_TARGET_ADDR, REPLCOPY_SA_TARGET_ADDR6, &dst);
	mnl_attr_put_u16(nlh, REPLCOPY_SA_TARGET_PORT, target_port());
	if (chance(30))
		put_random_bytes(nlh, (uint16_t)(REPLCOPY_SA_MAX + 1 + rn(10)), rn(17));
	mnl_attr_nest_end(nlh, nest);
}

/* A top-level attribute of type t: well formed or broken in some way. */
static void put_attr(struct nlmsghdr *nlh, uint16_t t, int badness)
{
	int size = t <= REPLCOPY_A_MAX ? attr_size[t] : 4;
	uint32_t v;

	if (chance(badness)) {
		switch (rn(6)) {
		case 0:	/* wrong length */
			put_random_bytes(nlh, t, rn(10));
			return;
		case 1:	/* oversized */
			put_random_bytes(nlh, t, 16 + rn(chance(10) ? 4000 : 300));
			return;
		case 2:	/* type flags on a plain attribute */
			if (size == 16) {
				struct ad a = some_addr6();

				put_raw(nlh, t | (chance(50) ? NLA_F_NESTED : NLA_F_NET_BYTEORDER),
					a.b, 16);
				return;
			}
			put_int(nlh, t | (chance(50) ? NLA_F_NESTED : NLA_F_NET_BYTEORDER),
				size > 0 ? size : 4, (uint32_t)rnd());
			return;
		case 3:	/* a string or nest where a number belongs */
			if (chance(50))
				mnl_attr_put_strz(nlh, t, "10.0.2.2:80");
			else
				put_garbage_nest(nlh, t, 0);
			return;
		case 4:	/* unknown attribute */
			put_random_bytes(nlh, (uint16_t)(REPLCOPY_A_MAX + 1 + rn(200)), rn(8));
			return;
		default: /* type 0 */
			put_random_bytes(nlh, 0, rn(8));
			return;
		}
	}
	switch (t) {
	case REPLCOPY_A_MAP_ID:
		v = chance(80) ? 1 + rn(nmodel ? model[nmodel - 1].id + 3 : 40) : interesting32();
		if (nmodel && chance(50))
			v = model[rn(nmodel)].id;
		put_int(nlh, t, 4, v);
		return;
	case REPLCOPY_A_MAP_PORT:
	case REPLCOPY_A_MAP_TARGET_PORT:
		put_int(nlh, t, 2, some_port());
		return;
	case REPLCOPY_A_MAP_ONLINE_ADDR:
		v = chance(60) ? inet_addr("10.77.0.1") : some_addr();
		put_raw(nlh, t, &v, 4);
		return;
	case REPLCOPY_A_MAP_TARGET_ADDR:
		v = some_addr();
		put_raw(nlh, t, &v, 4);
		return;
	case REPLCOPY_A_MAP_ONLINE_ADDR6:
	case REPLCOPY_A_MAP_TARGET_ADDR6: {
		struct ad a = t == REPLCOPY_A_MAP_ONLINE_ADDR6 && chance(60) ? local6() :
			      some_addr6();

		if (chance(5)) {	/* the IPv4 address where IPv6 belongs */
			v = some_addr();
			put_raw(nlh, t, &v, 4);
			return;
		}
		put_raw(nlh, t, a.b, 16);
		return;
	}
	case REPLCOPY_A_MAP_SOURCE:
	case REPLCOPY_A_MAP_PACING:
		put_int(nlh, t, 1, chance(90) ? rn(2) : rn(256));
		return;
	case REPLCOPY_A_MAP_FLAGS:
		put_int(nlh, t, 4, chance(90) ? rn(2) : interesting32());
		return;
	case REPLCOPY_A_MAP_SAMPLE:
		put_int(nlh, t, 4, chance(80) ? 1 + rn(REPLCOPY_SAMPLE_ALL) :
						 interesting32());
		return;
	case REPLCOPY_A_MAP_COPIES:
		put_int(nlh, t, 4, some_copies());
		return;
	case REPLCOPY_A_MAP_TARGETS:
		put_fuzz_targets(nlh, badness);
		return;
	case REPLCOPY_A_DEL_ALL:
		put_raw(nlh, t, NULL, 0);
		return;
	case REPLCOPY_A_CONFIG:
		put_cfg_nest(nlh, 0);
		return;
	case REPLCOPY_A_SESSION:
		if (chance(50)) {
			put_session_nest(nlh);
			return;
		}
		put_garbage_nest(nlh, t, 0);
		return;
	case REPLCOPY_A_STATS:
		put_garbage_nest(nlh, t, 0);
		return;
	case REPLCOPY_A_VERSION:
		mnl_attr_put_strz(nlh, t, "0.1.0");
		return;
	default:
		put_int(nlh, t, size > 0 ? size : 4, interesting32());
		return;
	}
}

static struct nlmsghdr *start_msg(struct req *r, uint8_t cmd, uint16_t flags)
{
	struct genlmsghdr *g;

	memset(r->buf, 0, 4096);
	r->nlh = mnl_nlmsg_put_header(r->buf);
	r->nlh->nlmsg_type = family;
	r->nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	r->nlh->nlmsg_seq = seq++;
	g = mnl_nlmsg_put_extra_header(r->nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = REPLCOPY_GENL_VERSION;
	r->cmd = cmd;
	r->ack = flags & NLM_F_ACK;
	r->dump = (flags & NLM_F_DUMP) == NLM_F_DUMP;
	r->short_hdr = false;
	r->bad_len = false;
	r->hdr_bad = false;
	r->expect = 0;
	r->desc[0] = '\0';
	return r->nlh;
}

/* Sets of families (REPLCOPY_FAM_4, _6 of the module). */
#define FAM4 1U
#define FAM6 2U

static unsigned int fam_bit(uint8_t fam)
{
	return fam == AF_INET6 ? FAM6 : FAM4;
}

/*
 * The families a mapping captures (replcopy_mapping_add's cap_fams): its
 * online address's; without one both, but in source mode client only its
 * targets' (those of its first, a mixed set being refused).
 */
static unsigned int cap_fams(const struct ad *online, uint8_t source, uint8_t tfam)
{
	if (online->fam)
		return fam_bit(online->fam);
	if (source == REPLCOPY_SOURCE_CLIENT)
		return fam_bit(tfam);
	return FAM4 | FAM6;
}

/*
 * replcopy_map_matches(): would a segment to a:aport be captured by a
 * mapping of port port, online address online, capturing the families caps?
 */
static bool captures(uint16_t port, const struct ad *online, unsigned int caps,
		     const struct ad *a, uint16_t aport)
{
	return port == aport && (caps & fam_bit(a->fam)) && (!online->fam || ad_eq(online, a));
}

static bool map_captures(const struct map *m, const struct tgt *t)
{
	return captures(m->port, &m->online, cap_fams(&m->online, m->source, m->targets[0].a.fam),
			&t->a, t->port);
}

/*
 * What the kernel answers to an ADD whose attributes are all well formed,
 * its targets t[0..n) valid as a list, online its online address (fam 0:
 * none): replcopy_mapping_check's checks in its order, with the mappings
 * of the model. A target is local if is_local() says so (10.77.0.1,
 * fd77::1; lo's addresses are refused as targets before).
 */
static unsigned int predict_add(uint16_t port, const struct ad *online, uint8_t source,
				uint32_t copies, const struct tgt *t, int n)
{
	unsigned int caps = cap_fams(online, source, t[0].a.fam);
	bool client = source == REPLCOPY_SOURCE_CLIENT;
	const struct map *m, *hit = NULL;
	bool hit_exist = false;
	int i, j;

	if (!port || !t[0].port)
		return EXP_ERANGE;	/* the policy's port range */
	if (copies > 1 && client)
		return EXP_EINVAL;
	/* Source client: the targets and the online address of one family. */
	for (i = 0; client && i < n; i++)
		if (t[i].a.fam != t[0].a.fam || (online->fam && t[i].a.fam != online->fam))
			return EXP_EINVAL;
	if (online->fam && !is_local(online))
		return EXP_EADDRNOTAVAIL;
	for (i = 0; i < n; i++) {
		/* replcopy_check_target(), _target6(): only unicast. */
		if (target_refused(&t[i].a))
			return EXP_EINVAL;
		if (!is_local(&t[i].a))
			continue;
		/* A local target: no copies of copies, no source client. */
		if (captures(port, online, caps, &t[i].a, t[i].port))
			return EXP_EINVAL;
		if (client)
			return EXP_EINVAL;
		for (j = 0; j < nmodel; j++)
			if (map_captures(&model[j], &t[i]))
				return EXP_EINVAL;
	}
	/* The mappings in id order: the first conflict tells. */
	for (j = 0; j < nmodel; j++) {
		bool exist, copied = false;

		m = &model[j];
		/* Online addresses conflict if equal, or if one is none (any family). */
		exist = m->port == port &&
			(!m->online.fam || !online->fam || ad_eq(&m->online, online));
		for (i = 0; i < m->ntargets; i++)
			if (is_local(&m->targets[i].a) &&
			    captures(port, online, caps, &m->targets[i].a, m->targets[i].port))
				copied = true;
		if ((exist || copied) && (!hit || m->id < hit->id)) {
			hit = m;
			hit_exist = exist;
		}
	}
	if (hit)
		return hit_exist ? EXP_EEXIST : EXP_EINVAL;
	return nmodel >= MODEL_MAX_MAPPINGS ? EXP_ENOSPC : EXP_OK;
}

static void desc_add(struct req *r, const char *fmt, ...)
{
	size_t len = strlen(r->desc);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->desc + len, sizeof(r->desc) - len, fmt, ap);
	va_end(ap);
}

static void desc_targets(struct req *r, const struct tgt *t, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		if (t[i].a.fam == AF_INET6)
			desc_add(r, "%s[%s]:%u", i ? "," : "", ad_str(&t[i].a), t[i].port);
		else
			desc_add(r, "%s%s:%u", i ? "," : "", ad_str(&t[i].a), t[i].port);
	}
}

/* MAP_TARGETS with t[0..n), entry fault_at broken by fault. */
static void put_targets_list(struct nlmsghdr *nlh, const struct tgt *t, int n,
			     int fault_at, int fault)
{
	struct nlattr *list = mnl_attr_nest_start(nlh, REPLCOPY_A_MAP_TARGETS);
	int i;

	for (i = 0; i < n; i++)
		put_target_entry(nlh, &t[i], i == fault_at ? fault : ENT_OK);
	mnl_attr_nest_end(nlh, list);
}

/* An online address the module takes: none mostly, or a local one. */
static struct ad online_local(void)
{
	uint32_t k = rn(100);

	return k < 60 ? no_ad : k < 80 ? local4() : local6();
}

/* An online address that is not local here (EADDRNOTAVAIL). */
static struct ad online_remote(uint8_t fam)
{
	static const char *const a6[] = { "fd77::2", "fd00:2::2", "::", "::ffff:10.77.0.1",
					  "2001:db8::1" };

	if (fam == AF_INET6)
		return ad6(a6[rn(sizeof(a6) / sizeof(a6[0]))]);
	return remote_addr(AF_INET);
}

/* For the predicted ADDs: none, local, or sometimes not local. */
static struct ad some_online(void)
{
	uint32_t k = rn(100);

	if (k < 45)
		return no_ad;
	if (k < 65)
		return local4();
	if (k < 88)
		return local6();
	return online_remote(k < 94 ? AF_INET6 : AF_INET);
}

/* A request that must work: ADD with sane values, to make real state. */
static void build_valid_add(struct req *r, uint16_t port, const struct ad *online)
{
	struct nlmsghdr *nlh = start_msg(r, REPLCOPY_CMD_ADD_MAPPING, NLM_F_ACK);
	struct tgt t[REPLCOPY_MAX_TARGETS];
	bool put_source = chance(50), any0 = false;
	uint8_t source = put_source ? (uint8_t)rn(2) : REPLCOPY_SOURCE_AUTO, fam;
	uint32_t copies = 1;
	int i, n = 1;

	/* Source client: the targets of the online address's family. */
	fam = source == REPLCOPY_SOURCE_CLIENT && online->fam ? online->fam :
	      chance(60) ? AF_INET : AF_INET6;
	t[0].a = fam == AF_INET6 ? ad6("fd00:2::2") : ad4(inet_addr("10.0.2.2"));
	t[0].port = (uint16_t)(1 + rn(65535));
	mnl_attr_put_u16(nlh, REPLCOPY_A_MAP_PORT, port);
	put_ad(nlh, REPLCOPY_A_MAP_TARGET_ADDR, REPLCOPY_A_MAP_TARGET_ADDR6, &t[0].a);
	mnl_attr_put_u16(nlh, REPLCOPY_A_MAP_TARGET_PORT, t[0].port);
	if (online->fam) {
		put_ad(nlh, REPLCOPY_A_MAP_ONLINE_ADDR, REPLCOPY_A_MAP_ONLINE_ADDR6, online);
	} else if (chance(10)) {
		/* 0.0.0.0, as dumps give it: no online address. */
		mnl_attr_put_u32(nlh, REPLCOPY_A_MAP_ONLINE_ADDR, 0);
		any0 = true;
	}
	if (put_source)
		mnl_attr_put_u8(nlh, REPLCOPY_A_MAP_SOURCE, source);
	if (chance(50))
		mnl_attr_put_u8(nlh, REPLCOPY_A_MAP_PACING, (uint8_t)rn(2));
	if (chance(50))
		mnl_attr_put_u32(nlh, REPLCOPY_A_MAP_FLAGS, rn(2));
	if (chance(30))
		mnl_attr_put_u32(nlh, REPLCOPY_A_MAP_SAMPLE,
				 1 + rn(REPLCOPY_SAMPLE_ALL));
	/*
	 * More targets: remote ones only (a local one may loop), of either
	 * family (source client: of the first's).
	 */
	if (chance(30)) {
		n = 1 + (int)rn(REPLCOPY_MAX_TARGETS);
		for (i = 1; i < n; i++) {
			do {
				uint8_t f = source == REPLCOPY_SOURCE_CLIENT ? fam : some_fam();

				if (f == fam && chance(50))
					t[i].a = t[0].a;
				else if (f == AF_INET6)
					t[i].a = ad6(chance(50) ? "fd00:2::3" : "2001:db8::1");
				else
					t[i].a = ad4(inet_addr("10.0.2.3"));
				t[i].port = (uint16_t)(1 + rn(65535));
			} while (tgt_dup(t, i));
		}
		put_targets_list(nlh, t, n, -1, ENT_OK);
	}
	if (chance(30)) {
		copies = source == REPLCOPY_SOURCE_CLIENT ? 1 : 1 + rn(REPLCOPY_MAX_COPIES);
		mnl_attr_put_u32(nlh, REPLCOPY_A_MAP_COPIES, copies);
	}
	r->expect = predict_add(port, online, source, copies, t, n);
	snprintf(r->desc, sizeof(r->desc), "valid ADD port %u online %s%s source %u copies %u targets ",
		 port, ad_str(online), any0 ? " (0.0.0.0)" : "", source, copies);
	desc_targets(r, t, n);
}

/* ADDs with targets and copies, valid or broken in one way. */
enum {
	TS_VALID,	/* 1..8 distinct, remote or local, of one family or both */
	TS_FIRST,	/* the first entry is not MAP_TARGET_ADDR/PORT */
	TS_DUP,		/* a target twice */
	TS_MANY,	/* more than REPLCOPY_MAX_TARGETS: E2BIG */
	TS_ENTRY,	/* an entry broken (enum ent_fault) */
	TS_EMPTY,	/* MAP_TARGETS without entries */
	TS_ADDR,	/* a target is no unicast address */
	TS_COPIES,	/* copies 0 or beyond REPLCOPY_MAX_COPIES: ERANGE */
	TS_CLIENT,	/* copies > 1 with source client */
	TS_FAMILY,	/* source client, the targets or the online address of both families */
	TS_ATTR,	/* an address attribute broken (enum addr_fault) */
	TS_N
};

static const char *const ts_name[TS_N] = {
	"valid", "first entry differs", "a target twice", "too many targets",
	"broken entry", "empty MAP_TARGETS", "no unicast target", "copies out of range",
	"copies with source client", "source client across families",
	"broken address attribute",
};

/* How a top-level address attribute of an ADD is broken. */
enum addr_fault {
	AF_TARGET_BOTH,		/* MAP_TARGET_ADDR and _ADDR6: EINVAL */
	AF_ONLINE_BOTH,		/* MAP_ONLINE_ADDR and _ADDR6: EINVAL */
	AF_NO_TARGET,		/* neither MAP_TARGET_ADDR nor _ADDR6: EINVAL */
	AF_TARGET_LEN,		/* MAP_TARGET_ADDR(6) of a wrong length */
	AF_ONLINE_LEN,		/* MAP_ONLINE_ADDR(6) of a wrong length */
	AF_N
};

static const char *const af_name[AF_N] = {
	"MAP_TARGET_ADDR and _ADDR6", "MAP_ONLINE_ADDR and _ADDR6", "no MAP_TARGET_ADDR(6)",
	"MAP_TARGET_ADDR(6) length", "MAP_ONLINE_ADDR(6) length",
};

/* The two address attributes a (its family's) and one of the other family, in either order. */
static void put_ad_both(struct nlmsghdr *nlh, uint16_t type4, uint16_t type6, const struct ad *a,
			const struct ad *o)
{
	bool a_first = chance(50);

	put_ad(nlh, type4, type6, a_first ? a : o);
	put_ad(nlh, type4, type6, a_first ? o : a);
}

static void build_targets_add(struct req *r, uint16_t port, const struct ad *online_in)
{
	struct nlmsghdr *nlh = start_msg(r, REPLCOPY_CMD_ADD_MAPPING, NLM_F_ACK);
	struct tgt t[REPLCOPY_MAX_TARGETS + 4], first;
	struct ad online = *online_in;
	int kind = chance(45) ? TS_VALID : 1 + (int)rn(TS_N - 1);
	int j, n = 1 + (int)rn(REPLCOPY_MAX_TARGETS), fault_at = -1, fault = ENT_OK, afault = -1;
	uint8_t source = chance(25) ? REPLCOPY_SOURCE_CLIENT : REPLCOPY_SOURCE_AUTO, fam;
	bool put_source, put_list, put_copies = chance(60), any0 = false;
	unsigned int local_pct = 25, exp_len = 0;
	uint32_t copies = 1;

	if (!port)
		port = 1;
	if (kind == TS_CLIENT || kind == TS_FAMILY)
		source = REPLCOPY_SOURCE_CLIENT;
	put_source = source == REPLCOPY_SOURCE_CLIENT || chance(50);
	/* Targets of one family or of both; source client mostly the online address's. */
	fam = chance(40) ? 0 : some_fam();
	if (source == REPLCOPY_SOURCE_CLIENT) {
		if (online.fam && chance(80))
			fam = online.fam;
		else if (!fam && chance(70))
			fam = some_fam();
		/* Source client refuses a local target: mostly remote ones. */
		if (chance(70))
			local_pct = 0;
	}
	if (kind == TS_MANY)
		n = REPLCOPY_MAX_TARGETS + 1 + (int)rn(4);
	if (kind == TS_DUP && n < 2)
		n = 2;
	t[0].a = good_target_addr(fam, local_pct);
	t[0].port = target_port();
	good_targets(t, n, fam, local_pct);
	first = t[0];
	if (put_copies && source != REPLCOPY_SOURCE_CLIENT)
		copies = 1 + rn(REPLCOPY_MAX_COPIES);
	switch (kind) {
	case TS_FIRST:
		if (chance(50)) {
			do
				t[0].a = good_target_addr(chance(50) ? first.a.fam : 0, 25);
			while (ad_eq(&t[0].a, &first.a));
		} else {
			t[0].port = (uint16_t)(first.port % 65535 + 1);
		}
		break;
	case TS_DUP:
		j = 1 + (int)rn((uint32_t)n - 1);
		t[j] = t[rn((uint32_t)j)];
		break;
	case TS_ENTRY:
		fault_at = (int)rn((uint32_t)n);
		fault = 1 + (int)rn(ENT_FAULTS - 1);
		break;
	case TS_EMPTY:
		n = 0;
		break;
	case TS_ADDR:
		/* Any of them, the first (MAP_TARGET_ADDR(6) too) included. */
		j = (int)rn((uint32_t)n);
		t[j].a = bad_target_addr(chance(70) ? t[j].a.fam : 0);
		first = t[0];
		break;
	case TS_COPIES:
		put_copies = true;
		do
			copies = chance(70) ? (chance(50) ? 0 : REPLCOPY_MAX_COPIES + 1) : interesting32();
		while (copies >= 1 && copies <= REPLCOPY_MAX_COPIES);
		break;
	case TS_CLIENT:
		put_copies = true;
		copies = 2 + rn(REPLCOPY_MAX_COPIES - 1);
		break;
	case TS_FAMILY:
		if (n >= 2 && chance(60)) {
			/* A target of the other family than the first's. */
			j = 1 + (int)rn((uint32_t)n - 1);
			do {
				t[j].a = good_target_addr(other_fam(t[0].a.fam), chance(80) ? 0 : 25);
				t[j].port = target_port();
			} while (tgt_dup_in(t, n, j));
		} else {
			online = chance(60) ? (t[0].a.fam == AF_INET6 ? local4() : local6()) :
					      online_remote(other_fam(t[0].a.fam));
		}
		break;
	case TS_ATTR:
		afault = (int)rn(AF_N);
		break;
	default:
		break;
	}
	put_list = kind == TS_VALID || kind == TS_COPIES || kind == TS_CLIENT ||
		   kind == TS_FAMILY || kind == TS_ATTR ? n > 1 || chance(50) : true;

	mnl_attr_put_u16(nlh, REPLCOPY_A_MAP_PORT, port);
	if (afault == AF_TARGET_LEN) {
		exp_len = put_ad_badlen(nlh, REPLCOPY_A_MAP_TARGET_ADDR, REPLCOPY_A_MAP_TARGET_ADDR6,
					first.a.fam);
	} else if (afault == AF_TARGET_BOTH) {
		struct ad o = remote_addr(other_fam(first.a.fam));

		put_ad_both(nlh, REPLCOPY_A_MAP_TARGET_ADDR, REPLCOPY_A_MAP_TARGET_ADDR6, &first.a, &o);
	} else if (afault != AF_NO_TARGET) {
		put_ad(nlh, REPLCOPY_A_MAP_TARGET_ADDR, REPLCOPY_A_MAP_TARGET_ADDR6, &first.a);
	}
	mnl_attr_put_u16(nlh, REPLCOPY_A_MAP_TARGET_PORT, first.port);
	if (afault == AF_ONLINE_LEN) {
		exp_len = put_ad_badlen(nlh, REPLCOPY_A_MAP_ONLINE_ADDR, REPLCOPY_A_MAP_ONLINE_ADDR6,
					online.fam ? online.fam : some_fam());
	} else if (afault == AF_ONLINE_BOTH) {
		/* Even 0.0.0.0 (no address) beside an IPv6 one is refused. */
		struct ad a4 = online.fam == AF_INET ? online : chance(30) ? ad4(0) : local4();
		struct ad a6 = online.fam == AF_INET6 ? online : local6();

		put_ad_both(nlh, REPLCOPY_A_MAP_ONLINE_ADDR, REPLCOPY_A_MAP_ONLINE_ADDR6, &a4, &a6);
	} else if (online.fam) {
		put_ad(nlh, REPLCOPY_A_MAP_ONLINE_ADDR, REPLCOPY_A_MAP_ONLINE_ADDR6, &online);
	} else if (chance(10)) {
		mnl_attr_put_u32(nlh, REPLCOPY_A_MAP_ONLINE_ADDR, 0);
		any0 = true;
	}
	if (put_source)
		mnl_attr_put_u8(nlh, REPLCOPY_A_MAP_SOURCE, source);
	if (put_list)
		put_targets_list(nlh, t, n, fault_at, fault);
	if (put_copies)
		mnl_attr_put_u32(nlh, REPLCOPY_A_MAP_COPIES, copies);

	switch (kind) {
	case TS_VALID:
	case TS_ADDR:
	case TS_CLIENT:
	case TS_FAMILY:
		/* Well formed: replcopy_mapping_check decides. */
		r->expect = predict_add(port, &online, source, copies, t, put_list ? n : 1);
		break;
	case TS_MANY:
		r->expect = EXP_E2BIG;
		break;
	case TS_COPIES:
		r->expect = EXP_ERANGE;
		break;
	case TS_ENTRY:
		r->expect = ent_fault_exp(fault, t[fault_at].a.fam);
		break;
	case TS_ATTR:
		r->expect = exp_len ? exp_len : EXP_EINVAL;
		break;
	default:
		r->expect = EXP_EINVAL;
		break;
	}
	snprintf(r->desc, sizeof(r->desc), "ADD (%s%s%s) port %u online %s%s source %u%s copies %u%s target ",
		 ts_name[kind], kind == TS_ENTRY || kind == TS_ATTR ? ": " : "",
		 kind == TS_ENTRY ? ent_fault_name[fault] : kind == TS_ATTR ? af_name[afault] : "",
		 port, ad_str(&online), any0 ? " (0.0.0.0)" : "", source,
		 put_source ? "" : " (default)", copies, put_copies ? "" : " (default)");
	desc_targets(r, &first, 1);
	if (put_list) {
		desc_add(r, " MAP_TARGETS [");
		desc_targets(r, t, n);
		desc_add(r, "]");
		if (fault_at >= 0)
			desc_add(r, " entry %d: %s", fault_at, ent_fault_name[fault]);
	}
}

/*
 * DEL by port, with an online address of either family (only that
 * mapping), none (all on the port), 0.0.0.0 (none too) or both (EINVAL):
 * the answer predicted from the model.
 */
static void build_del(struct req *r)
{
	struct nlmsghdr *nlh = start_msg(r, REPLCOPY_CMD_DEL_MAPPING, NLM_F_ACK);
	const struct map *m = nmodel && chance(85) ? &model[rn((uint32_t)nmodel)] : NULL;
	uint16_t port = m ? m->port : some_port();
	struct ad on = no_ad;
	uint32_t k = rn(100);
	bool both = false, any0 = false;
	int i, hits = 0;

	if (k < 20)
		;			/* every mapping on the port */
	else if (k < 50)
		on = m && m->online.fam ? m->online : local6();
	else if (k < 65)
		on = local6();
	else if (k < 75)
		on = local4();
	else if (k < 85)
		on = online_remote(some_fam());	/* no mapping has it */
	else if (k < 92)
		any0 = true;
	else
		both = true;
	mnl_attr_put_u16(nlh, REPLCOPY_A_MAP_PORT, port);
	if (both) {
		struct ad a4 = chance(30) ? ad4(0) : local4(), a6 = local6();

		put_ad_both(nlh, REPLCOPY_A_MAP_ONLINE_ADDR, REPLCOPY_A_MAP_ONLINE_ADDR6, &a4, &a6);
	} else if (any0) {
		mnl_attr_put_u32(nlh, REPLCOPY_A_MAP_ONLINE_ADDR, 0);
	} else if (on.fam) {
		put_ad(nlh, REPLCOPY_A_MAP_ONLINE_ADDR, REPLCOPY_A_MAP_ONLINE_ADDR6, &on);
	}
	for (i = 0; i < nmodel; i++)
		if (model[i].port == port && (!on.fam || ad_eq(&model[i].online, &on)))
			hits++;
	r->expect = !port ? EXP_ERANGE : both ? EXP_EINVAL : hits ? EXP_OK : EXP_ENOENT;
	snprintf(r->desc, sizeof(r->desc), "DEL port %u online %s (%d of the model's mappings)",
		 port, both ? "both MAP_ONLINE_ADDR and _ADDR6" : any0 ? "0.0.0.0" : ad_str(&on),
		 hits);
}

/* The fuzzed request. */
static void build_fuzz(struct req *r)
{
	static const uint16_t flagset[] = { NLM_F_ACK, NLM_F_ACK, NLM_F_ACK,
		NLM_F_ACK | NLM_F_DUMP, NLM_F_DUMP, 0, NLM_F_ACK | NLM_F_ECHO,
		NLM_F_ACK | NLM_F_ROOT, NLM_F_ACK | NLM_F_MATCH,
		NLM_F_ACK | NLM_F_ATOMIC, NLM_F_ACK | NLM_F_EXCL,
		NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE };
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;
	uint8_t cmd;
	uint16_t flags;
	int i, n, badness, kind = (int)rn(100);

	/* Command: mostly real ones, sometimes unknown. */
	if (chance(8))
		cmd = chance(50) ? 0 : (uint8_t)(REPLCOPY_CMD_MAX + 1 + rn(255 - REPLCOPY_CMD_MAX));
	else
		cmd = (uint8_t)(1 + rn(REPLCOPY_CMD_MAX));
	/* Flags: the right kind for the command most of the time. */
	if (chance(75)) {
		bool dumpcmd = cmd == REPLCOPY_CMD_GET_MAPPING ||
			       cmd == REPLCOPY_CMD_GET_SESSIONS ||
			       (cmd == REPLCOPY_CMD_GET_STATS && chance(50));
		flags = dumpcmd ? NLM_F_DUMP : NLM_F_ACK;
		if (dumpcmd && chance(30))
			flags |= NLM_F_ACK;
	} else if (chance(90)) {
		flags = flagset[rn(sizeof(flagset) / sizeof(flagset[0]))];
	} else {
		flags = (uint16_t)rnd() & ~NLM_F_REQUEST;
	}
	nlh = start_msg(r, cmd, flags);
	g = mnl_nlmsg_get_payload(nlh);
	if (chance(3))
		g->version = (uint8_t)rnd();
	if (chance(3))
		g->reserved = (uint16_t)rnd();
	{
		/* What genl_header_check() refuses with EINVAL, before all else. */
		uint16_t f = nlh->nlmsg_flags;

		if ((f & NLM_F_DUMP) == NLM_F_DUMP)
			f &= ~NLM_F_DUMP;
		r->hdr_bad = g->reserved || (f & ~(NLM_F_REQUEST | NLM_F_ACK | NLM_F_ECHO));
	}

	if (kind < 3) {
		/* genl header cut short (or missing). */
		nlh->nlmsg_len = MNL_NLMSG_HDRLEN + rn(GENL_HDRLEN);
		r->short_hdr = true;
		return;
	}
	if (kind < 5) {
		/* Random bytes as attributes. */
		put_random_bytes(nlh, (uint16_t)rnd(), rn(64));
		n = (int)rn(64);
		for (i = 0; i < n && nlh->nlmsg_len < BUFSZ - 64; i++)
			((uint8_t *)nlh)[nlh->nlmsg_len++] = (uint8_t)rnd();
		return;
	}
	badness = kind < 40 ? 0 : kind < 70 ? 10 : 40;
	/* Attributes the command uses, some left out, some doubled. */
	switch (cmd) {
	case REPLCOPY_CMD_ADD_MAPPING:
		if (!chance(10))
			put_attr(nlh, REPLCOPY_A_MAP_PORT, badness);
		/* The target's address: IPv4, IPv6, neither or both. */
		i = (int)rn(100);
		if (i >= 8 && i < 55)
			put_attr(nlh, REPLCOPY_A_MAP_TARGET_ADDR, badness);
		else if (i >= 55 && i < 95)
			put_attr(nlh, REPLCOPY_A_MAP_TARGET_ADDR6, badness);
		if (i >= 95) {
			put_attr(nlh, chance(50) ? REPLCOPY_A_MAP_TARGET_ADDR :
				 REPLCOPY_A_MAP_TARGET_ADDR6, badness);
			put_attr(nlh, chance(50) ? REPLCOPY_A_MAP_TARGET_ADDR :
				 REPLCOPY_A_MAP_TARGET_ADDR6, badness);
		}
		if (!chance(10))
			put_attr(nlh, REPLCOPY_A_MAP_TARGET_PORT, badness);
		if (chance(30))
			put_attr(nlh, chance(50) ? REPLCOPY_A_MAP_ONLINE_ADDR :
				 REPLCOPY_A_MAP_ONLINE_ADDR6, badness);
		if (chance(3))
			put_attr(nlh, chance(50) ? REPLCOPY_A_MAP_ONLINE_ADDR :
				 REPLCOPY_A_MAP_ONLINE_ADDR6, badness);
		if (chance(30))
			put_attr(nlh, REPLCOPY_A_MAP_SOURCE, badness);
		if (chance(30))
			put_attr(nlh, REPLCOPY_A_MAP_PACING, badness);
		if (chance(30))
			put_attr(nlh, REPLCOPY_A_MAP_FLAGS, badness);
		if (chance(20))
			put_attr(nlh, REPLCOPY_A_MAP_TARGETS, badness);
		if (chance(20))
			put_attr(nlh, REPLCOPY_A_MAP_COPIES, badness);
		break;
	case REPLCOPY_CMD_DEL_MAPPING:
		i = (int)rn(10);
		if (i < 4 || i == 8)
			put_attr(nlh, REPLCOPY_A_MAP_ID, badness);
		if ((i >= 4 && i < 7) || i == 8 || i == 9)
			put_attr(nlh, REPLCOPY_A_MAP_PORT, badness);
		if (i == 5 || i == 9 || chance(5))
			put_attr(nlh, chance(50) ? REPLCOPY_A_MAP_ONLINE_ADDR :
				 REPLCOPY_A_MAP_ONLINE_ADDR6, badness);
		if (chance(3))
			put_attr(nlh, chance(50) ? REPLCOPY_A_MAP_ONLINE_ADDR :
				 REPLCOPY_A_MAP_ONLINE_ADDR6, badness);
		if (i == 7 || (i == 9 && chance(50)) || chance(2))
			put_attr(nlh, REPLCOPY_A_DEL_ALL, badness);
		break;
	case REPLCOPY_CMD_GET_SESSIONS:
		if (chance(50))
			put_attr(nlh, REPLCOPY_A_MAP_ID, badness);
		break;
	case REPLCOPY_CMD_SET_CONFIG:
		if (!chance(5))
			put_attr(nlh, REPLCOPY_A_CONFIG, badness);
		break;
	default:
		break;
	}
	/* Extra attributes: any type, duplicates of the above. */
	n = chance(60) ? 0 : (int)rn(5);
	for (i = 0; i < n; i++)
		put_attr(nlh, (uint16_t)(1 + rn(REPLCOPY_A_MAX)), badness + 10);
	if (chance(3)) {
		/* The last attribute claims more bytes than the message has. */
		struct nlattr *a = (struct nlattr *)((char *)nlh + nlh->nlmsg_len);

		if (nlh->nlmsg_len + 8 < BUFSZ) {
			a->nla_type = (uint16_t)(1 + rn(REPLCOPY_A_MAX));
			a->nla_len = (uint16_t)(8 + rn(64));
			memset(a + 1, 0xab, 4);
			nlh->nlmsg_len += 8;
		}
	}
	if (chance(1)) {
		/* nlmsg_len beyond what is sent: dropped without an answer. */
		r->bad_len = true;
	}
}

/* ------------------------------------------------------------ checking */

/* The last top-level attribute of type t in the request, or NULL. */
static const struct nlattr *last_attr(const struct nlmsghdr *nlh, uint16_t t)
{
	const struct nlattr *a, *found = NULL;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN)
		if (mnl_attr_get_type(a) == t)
			found = a;
	return found;
}

static int payload_ok(const struct nlattr *a, int size)
{
	return mnl_attr_get_payload_len(a) == (uint16_t)size;
}

/* Do the attributes fill len bytes exactly (nla_parse's rule)? */
static bool attrs_fill(const void *data, int len)
{
	const struct nlattr *a = data;

	while (mnl_attr_ok(a, len)) {
		len -= (int)MNL_ALIGN(a->nla_len);
		a = (const struct nlattr *)((const char *)a + MNL_ALIGN(a->nla_len));
	}
	return len == 0;
}

static bool nest_fills(const struct nlattr *nest)
{
	return attrs_fill(mnl_attr_get_payload(nest), mnl_attr_get_payload_len(nest));
}

static int check_stats_nest(const struct nlattr *nest);

/*
 * REPLCOPY_A_MAP_TARGETS of a mapping message into m: 1..8 distinct
 * REPLCOPY_TL_TARGET nests, each with TA_ADDR or TA_ADDR6 (not both),
 * TA_PORT (not 0) and TA_SESSIONS, and TA_STATS exactly in the GET_STATS
 * dump (stats).
 */
static int parse_msg_targets(const struct nlattr *list, struct map *m, bool stats)
{
	const struct nlattr *e, *a;
	int n = 0, i;

	if (!(list->nla_type & NLA_F_NESTED) || !nest_fills(list)) {
		violation("mapping %u: MAP_TARGETS without NLA_F_NESTED or with broken entries", m->id);
		return -1;
	}
	mnl_attr_for_each_nested(e, list) {
		unsigned int seen = 0, need = 1U << REPLCOPY_TA_PORT | 1U << REPLCOPY_TA_SESSIONS;
		struct tgt t;

		memset(&t, 0, sizeof(t));

		if (mnl_attr_get_type(e) != REPLCOPY_TL_TARGET || !(e->nla_type & NLA_F_NESTED) ||
		    !nest_fills(e)) {
			violation("mapping %u: MAP_TARGETS entry of type %#x", m->id, e->nla_type);
			return -1;
		}
		if (n == REPLCOPY_MAX_TARGETS) {
			violation("mapping %u: more than %d targets", m->id, REPLCOPY_MAX_TARGETS);
			return -1;
		}
		mnl_attr_for_each_nested(a, e) {
			uint16_t ty = mnl_attr_get_type(a);
			bool ok;

			switch (ty) {
			case REPLCOPY_TA_ADDR:
				ok = payload_ok(a, 4);
				if (ok)
					t.a = ad4(mnl_attr_get_u32(a));
				break;
			case REPLCOPY_TA_ADDR6:
				ok = payload_ok(a, 16);
				if (ok)
					t.a = ad6_raw(mnl_attr_get_payload(a));
				break;
			case REPLCOPY_TA_PORT:
				ok = payload_ok(a, 2);
				if (ok)
					t.port = mnl_attr_get_u16(a);
				break;
			case REPLCOPY_TA_SESSIONS:
				ok = payload_ok(a, 4);
				break;
			case REPLCOPY_TA_STATS:
				ok = stats && (a->nla_type & NLA_F_NESTED) && !check_stats_nest(a);
				break;
			default:
				ok = false;
			}
			if (!ok || (seen & 1U << ty)) {
				violation("mapping %u: target %d: attribute %u (length %u, %s)", m->id, n,
					  ty, mnl_attr_get_payload_len(a),
					  ok ? "twice" : "unexpected here or malformed");
				return -1;
			}
			seen |= 1U << ty;
		}
		if (stats)
			need |= 1U << REPLCOPY_TA_STATS;
		if ((seen & need) != need || !t.port) {
			violation("mapping %u: target %d lacks attributes (have %#x, need %#x) or has port 0",
				  m->id, n, seen, need);
			return -1;
		}
		if (!(seen & 1U << REPLCOPY_TA_ADDR) == !(seen & 1U << REPLCOPY_TA_ADDR6)) {
			violation("mapping %u: target %d has %s TA_ADDR nor TA_ADDR6", m->id, n,
				  seen & 1U << REPLCOPY_TA_ADDR ? "both" : "neither");
			return -1;
		}
		for (i = 0; i < n; i++)
			if (same_tgt(&m->targets[i], &t)) {
				violation("mapping %u: target %d is target %d again", m->id, n, i);
				return -1;
			}
		m->targets[n++] = t;
	}
	if (!n) {
		violation("mapping %u: MAP_TARGETS is empty", m->id);
		return -1;
	}
	m->ntargets = n;
	return 0;
}

/* Parse and check one mapping message (GET_MAPPING dump, ADD reply). */
static int check_mapping_msg(const struct nlmsghdr *nlh, struct map *m, bool full)
{
	const struct nlattr *a, *targets = NULL;
	unsigned int seen = 0;

	memset(m, 0, sizeof(*m));
	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		uint16_t t = mnl_attr_get_type(a);

		if (t > REPLCOPY_A_MAX) {
			violation("mapping message with unknown attribute %u", t);
			return -1;
		}
		switch (t) {
		case REPLCOPY_A_MAP_ID:
		case REPLCOPY_A_MAP_ONLINE_ADDR:
		case REPLCOPY_A_MAP_TARGET_ADDR:
		case REPLCOPY_A_MAP_FLAGS:
		case REPLCOPY_A_MAP_SESSIONS:
		case REPLCOPY_A_MAP_SAMPLE:
		case REPLCOPY_A_MAP_COPIES:
			if (!payload_ok(a, 4))
				goto bad;
			break;
		case REPLCOPY_A_MAP_ONLINE_ADDR6:
		case REPLCOPY_A_MAP_TARGET_ADDR6:
			if (!payload_ok(a, 16))
				goto bad;
			break;
		case REPLCOPY_A_MAP_TARGETS:
			if (targets)
				goto bad;
			targets = a;
			break;
		case REPLCOPY_A_MAP_PORT:
		case REPLCOPY_A_MAP_TARGET_PORT:
			if (!payload_ok(a, 2))
				goto bad;
			break;
		case REPLCOPY_A_MAP_SOURCE:
		case REPLCOPY_A_MAP_PACING:
			if (!payload_ok(a, 1))
				goto bad;
			break;
		case REPLCOPY_A_STATS:
			if (full)
				goto bad;
			break;
		default:
			goto bad;
		}
		seen |= 1U << t;
		switch (t) {
		case REPLCOPY_A_MAP_ID: m->id = mnl_attr_get_u32(a); break;
		case REPLCOPY_A_MAP_PORT: m->port = mnl_attr_get_u16(a); break;
		case REPLCOPY_A_MAP_TARGET_PORT: m->tport = mnl_attr_get_u16(a); break;
		case REPLCOPY_A_MAP_ONLINE_ADDR:
			/* 0.0.0.0: no online address. */
			m->online = mnl_attr_get_u32(a) ? ad4(mnl_attr_get_u32(a)) : no_ad;
			break;
		case REPLCOPY_A_MAP_ONLINE_ADDR6:
			m->online = ad6_raw(mnl_attr_get_payload(a));
			break;
		case REPLCOPY_A_MAP_TARGET_ADDR: m->taddr = ad4(mnl_attr_get_u32(a)); break;
		case REPLCOPY_A_MAP_TARGET_ADDR6: m->taddr = ad6_raw(mnl_attr_get_payload(a)); break;
		case REPLCOPY_A_MAP_SOURCE: m->source = mnl_attr_get_u8(a); break;
		case REPLCOPY_A_MAP_PACING: m->pacing = mnl_attr_get_u8(a); break;
		case REPLCOPY_A_MAP_FLAGS: m->flags = mnl_attr_get_u32(a); break;
		case REPLCOPY_A_MAP_SAMPLE: m->sample = mnl_attr_get_u32(a); break;
		case REPLCOPY_A_MAP_COPIES: m->copies = mnl_attr_get_u32(a); break;
		default: break;
		}
	}
	{
		unsigned int need = 1U << REPLCOPY_A_MAP_ID | 1U << REPLCOPY_A_MAP_PORT |
			1U << REPLCOPY_A_MAP_TARGET_PORT | 1U << REPLCOPY_A_MAP_TARGETS;
		static const uint16_t pair[2][2] = {
			{ REPLCOPY_A_MAP_ONLINE_ADDR, REPLCOPY_A_MAP_ONLINE_ADDR6 },
			{ REPLCOPY_A_MAP_TARGET_ADDR, REPLCOPY_A_MAP_TARGET_ADDR6 },
		};
		int k;

		/* Each address as the attribute of its family, once (0.0.0.0: no online address). */
		for (k = 0; k < 2; k++)
			if (!(seen & 1U << pair[k][0]) == !(seen & 1U << pair[k][1])) {
				violation("mapping %u: %s attributes %u and %u", m->id,
					  seen & 1U << pair[k][0] ? "both" : "neither of the",
					  pair[k][0], pair[k][1]);
				return -1;
			}

		if (full)
			need |= 1U << REPLCOPY_A_MAP_SOURCE | 1U << REPLCOPY_A_MAP_PACING |
				1U << REPLCOPY_A_MAP_FLAGS | 1U << REPLCOPY_A_MAP_SESSIONS |
				1U << REPLCOPY_A_MAP_SAMPLE | 1U << REPLCOPY_A_MAP_COPIES;
		else
			need |= 1U << REPLCOPY_A_STATS;
		if ((seen & need) != need) {
			violation("mapping message lacks attributes (have %#x, need %#x)", seen, need);
			return -1;
		}
	}
	if (!m->id || !m->port || !m->tport) {
		violation("mapping message with id %u port %u target port %u", m->id, m->port, m->tport);
		return -1;
	}
	if (full && (m->sample < 1 || m->sample > REPLCOPY_SAMPLE_ALL)) {
		violation("mapping message with sample %u", m->sample);
		return -1;
	}
	if (full && (m->copies < 1 || m->copies > REPLCOPY_MAX_COPIES)) {
		violation("mapping %u: copies %u", m->id, m->copies);
		return -1;
	}
	if (parse_msg_targets(targets, m, !full))
		return -1;
	if (!ad_eq(&m->targets[0].a, &m->taddr) || m->targets[0].port != m->tport) {
		violation("mapping %u: first of MAP_TARGETS is not MAP_TARGET_ADDR/PORT", m->id);
		return -1;
	}
	return 0;
bad:
	violation("mapping message: attribute %u has length %u", mnl_attr_get_type(a),
		  mnl_attr_get_payload_len(a));
	return -1;
}

/*
 * A session (REPLCOPY_A_SESSION): the documented attributes and sizes,
 * each address as the attribute of its family, once; the source and
 * target addresses of one family (the client's may be of the other).
 */
static void check_session_nest(const struct nlattr *nest)
{
	static const uint16_t pair[3][2] = {
		{ REPLCOPY_SA_CLIENT_ADDR, REPLCOPY_SA_CLIENT_ADDR6 },
		{ REPLCOPY_SA_SOURCE_ADDR, REPLCOPY_SA_SOURCE_ADDR6 },
		{ REPLCOPY_SA_TARGET_ADDR, REPLCOPY_SA_TARGET_ADDR6 },
	};
	const struct nlattr *a;
	unsigned int seen = 0;
	int k;

	if (!(nest->nla_type & NLA_F_NESTED) || !nest_fills(nest)) {
		violation("session nest without NLA_F_NESTED or with broken attributes");
		return;
	}
	mnl_attr_for_each_nested(a, nest) {
		uint16_t t = mnl_attr_get_type(a);

		if (t == REPLCOPY_SA_PAD)
			continue;
		if (!t || t > REPLCOPY_SA_MAX ||
		    !payload_ok(a, sa_size[t] < 0 ? 0 : sa_size[t]) || (seen & 1U << t)) {
			violation("session nest: attribute %u length %u%s", t,
				  mnl_attr_get_payload_len(a),
				  t && t <= REPLCOPY_SA_MAX && (seen & 1U << t) ? " (twice)" : "");
			return;
		}
		seen |= 1U << t;
	}
	for (k = 0; k < 3; k++)
		if (!(seen & 1U << pair[k][0]) == !(seen & 1U << pair[k][1])) {
			violation("session nest: %s attributes %u and %u",
				  seen & 1U << pair[k][0] ? "both" : "neither of the", pair[k][0],
				  pair[k][1]);
			return;
		}
	if (!(seen & 1U << REPLCOPY_SA_SOURCE_ADDR) != !(seen & 1U << REPLCOPY_SA_TARGET_ADDR))
		violation("session nest: source and target addresses of different families");
}

static int check_stats_nest(const struct nlattr *nest)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, nest) {
		uint16_t t = mnl_attr_get_type(a);

		if (t == REPLCOPY_STAT_PAD)
			continue;
		if (t <= REPLCOPY_STAT_PAD || t > REPLCOPY_STAT_MAX || !payload_ok(a, 8)) {
			violation("stats nest: attribute %u length %u", t, mnl_attr_get_payload_len(a));
			return -1;
		}
	}
	return 0;
}

static int check_config_msg(const struct nlmsghdr *nlh, uint32_t out[])
{
	const struct nlattr *a, *c;
	unsigned int seen = 0;
	bool version = false;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		switch (mnl_attr_get_type(a)) {
		case REPLCOPY_A_CONFIG:
			mnl_attr_for_each_nested(c, a) {
				uint16_t t = mnl_attr_get_type(c);

				if (!t || t > REPLCOPY_CFG_MAX || !payload_ok(c, cfg_size[t])) {
					violation("config nest: attribute %u length %u", t,
						  mnl_attr_get_payload_len(c));
					return -1;
				}
				seen |= 1U << t;
				out[t] = cfg_size[t] == 1 ? mnl_attr_get_u8(c) : mnl_attr_get_u32(c);
			}
			break;
		case REPLCOPY_A_VERSION:
			if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0) {
				violation("version is not a NUL-terminated string");
				return -1;
			}
			version = true;
			break;
		default:
			violation("config reply with attribute %u", mnl_attr_get_type(a));
			return -1;
		}
	}
	if (seen != ((1U << (REPLCOPY_CFG_MAX + 1)) - 2) || !version) {
		violation("config reply incomplete (settings %#x, version %d)", seen, version);
		return -1;
	}
	return 0;
}

static struct map last_added;
static bool have_last_added;

/* Check a family message; mapping messages of dumps go to *dumped. */
static struct map dumped[MAXMAP];
static int ndumped;

static void check_family_msg(const struct nlmsghdr *nlh, uint8_t want_cmd)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;
	struct map m;

	if (mnl_nlmsg_get_payload_len(nlh) < GENL_HDRLEN) {
		violation("family message shorter than a genl header");
		return;
	}
	{
		int len = (int)mnl_nlmsg_get_payload_len(nlh) - GENL_HDRLEN;

		a = mnl_nlmsg_get_payload_offset(nlh, GENL_HDRLEN);
		while (mnl_attr_ok(a, len))
			a = mnl_attr_next(a), len = (int)((const char *)nlh + nlh->nlmsg_len - (const char *)a);
		if (len != 0 && len >= (int)sizeof(struct nlattr)) {
			violation("family message (cmd %u) has %d bytes of broken attributes", g->cmd, len);
			return;
		}
	}
	if (g->cmd != want_cmd) {
		violation("answer has command %u, request had %u", g->cmd, want_cmd);
		return;
	}
	n_replies++;
	switch (g->cmd) {
	case REPLCOPY_CMD_ADD_MAPPING:
		if (!check_mapping_msg(nlh, &m, true)) {
			if (have_last_added)
				violation("two ADD_MAPPING replies to one request");
			last_added = m;
			have_last_added = true;
		}
		break;
	case REPLCOPY_CMD_GET_MAPPING:
		if (!check_mapping_msg(nlh, &m, true)) {
			if (ndumped && m.id <= dumped[ndumped - 1].id)
				violation("dump: mapping id %u after %u (not increasing)", m.id,
					  dumped[ndumped - 1].id);
			if (ndumped < MAXMAP)
				dumped[ndumped++] = m;
		}
		break;
	case REPLCOPY_CMD_GET_STATS:
		mnl_attr_for_each(a, nlh, GENL_HDRLEN)
			if (mnl_attr_get_type(a) == REPLCOPY_A_STATS)
				check_stats_nest(a);
		/* The dump's, one per mapping: compared with the model. */
		if ((nlh->nlmsg_flags & NLM_F_MULTI) && !check_mapping_msg(nlh, &m, false)) {
			if (ndumped && m.id <= dumped[ndumped - 1].id)
				violation("stats dump: mapping id %u after %u (not increasing)", m.id,
					  dumped[ndumped - 1].id);
			if (ndumped < MAXMAP)
				dumped[ndumped++] = m;
		}
		break;
	case REPLCOPY_CMD_GET_SESSIONS:
		mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
			if (mnl_attr_get_type(a) != REPLCOPY_A_SESSION)
				violation("session message with attribute %u", mnl_attr_get_type(a));
			else
				check_session_nest(a);
		}
		break;
	case REPLCOPY_CMD_GET_CONFIG: {
		uint32_t c[REPLCOPY_CFG_MAX + 1];

		check_config_msg(nlh, c);
		break;
	}
	default:
		violation("answer with command %u", g->cmd);
	}
}

/* The extack message of the last NLMSG_ERROR, for violation reports. */
static char last_extack[256];

/* An NLMSG_ERROR: a negative errno or 0, extack TLVs well formed. */
static int check_error_msg(const struct nlmsghdr *nlh, int *errp)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	size_t off;
	const struct nlattr *a;
	int len;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e)) {
		violation("NLMSG_ERROR too short");
		return -1;
	}
	*errp = e->error;
	last_extack[0] = '\0';
	if (e->error > 0 || e->error < -4095) {
		violation("NLMSG_ERROR with error %d", e->error);
		return -1;
	}
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return 0;
	off = sizeof(*e);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
	if (off > mnl_nlmsg_get_payload_len(nlh)) {
		violation("NLMSG_ERROR: echoed request longer than the message");
		return -1;
	}
	a = mnl_nlmsg_get_payload_offset(nlh, off);
	len = (int)(mnl_nlmsg_get_payload_len(nlh) - off);
	while (mnl_attr_ok(a, len)) {
		uint16_t t = mnl_attr_get_type(a);

		if (t == NLMSGERR_ATTR_MSG && mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
			violation("extack message not a NUL-terminated string");
		else if (t == NLMSGERR_ATTR_MSG)
			snprintf(last_extack, sizeof(last_extack), "%s", mnl_attr_get_str(a));
		if (t == NLMSGERR_ATTR_OFFS && mnl_attr_get_payload_len(a) != 4)
			violation("extack offset of length %u", mnl_attr_get_payload_len(a));
		if (t == NLMSGERR_ATTR_OFFS && mnl_attr_get_payload_len(a) == 4 &&
		    mnl_attr_get_u32(a) >= e->msg.nlmsg_len)
			violation("extack offset %u beyond the request (%u bytes)",
				  mnl_attr_get_u32(a), e->msg.nlmsg_len);
		len -= MNL_ALIGN(a->nla_len);
		a = (const struct nlattr *)((const char *)a + MNL_ALIGN(a->nla_len));
	}
	if (len > 0 && len >= (int)sizeof(struct nlattr))
		violation("NLMSG_ERROR: %d bytes of broken extack attributes", len);
	return 0;
}

/* ------------------------------------------------------------ talking */

struct pending {
	uint32_t seq;
	uint8_t cmd;
	bool need_term;		/* ack or dump: exactly one terminator */
	bool dump;
	bool done;
	int err;		/* from NLMSG_ERROR, or DONE's error */
	bool got_err;
	int replies;
	char extack[256];	/* the NLMSG_ERROR's extack message */
};

static char rbuf[BUFSZ];

/*
 * Read until every pending request that needs a terminator has one. A
 * request without ack or dump is followed by a sync request that has one.
 */
static int talk(struct pending *p, int np)
{
	int i, left;

	for (;;) {
		left = 0;
		for (i = 0; i < np; i++)
			if (p[i].need_term && !p[i].done)
				left++;
		if (!left)
			return 0;

		ssize_t n = recv(mnl_socket_get_fd(nl), rbuf, sizeof(rbuf), MSG_TRUNC);

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				violation("no answer within the timeout (%d requests waiting, first seq %u cmd %u)",
					  left, p[0].seq, p[0].cmd);
				return -1;
			}
			if (errno == ENOBUFS) {
				violation("ENOBUFS: answers lost");
				return -1;
			}
			violation("recv: %s", strerror(errno));
			return -1;
		}
		if ((size_t)n > sizeof(rbuf)) {
			violation("datagram of %zd bytes truncated", n);
			return -1;
		}
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)rbuf;
		int len = (int)n;

		if (len == 0) {
			violation("empty datagram");
			return -1;
		}
		while (mnl_nlmsg_ok(nlh, len)) {
			struct pending *q = NULL;

			for (i = 0; i < np; i++)
				if (p[i].seq == nlh->nlmsg_seq)
					q = &p[i];
			if (nlh->nlmsg_pid != portid)
				violation("answer for port id %u, ours is %u", nlh->nlmsg_pid, portid);
			if (!q) {
				/* An ack after the DONE of an acked dump is tolerated. */
				if (nlh->nlmsg_type != NLMSG_ERROR)
					violation("answer (type %u) for unknown seq %u", nlh->nlmsg_type,
						  nlh->nlmsg_seq);
			} else if (q->done) {
				int e;

				if (!(q->dump && nlh->nlmsg_type == NLMSG_ERROR &&
				      !check_error_msg(nlh, &e) && e == 0))
					violation("answer (type %u) after the request's end (seq %u)",
						  nlh->nlmsg_type, q->seq);
			} else if (nlh->nlmsg_type == NLMSG_ERROR) {
				if (!check_error_msg(nlh, &q->err)) {
					q->got_err = true;
					q->done = true;
					memcpy(q->extack, last_extack, sizeof(q->extack));
				}
			} else if (nlh->nlmsg_type == NLMSG_DONE) {
				if (!q->dump)
					violation("NLMSG_DONE for a request that is no dump (seq %u)", q->seq);
				if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(int)) {
					q->err = *(const int *)mnl_nlmsg_get_payload(nlh);
					if (q->err > 0 || q->err < -4095)
						violation("NLMSG_DONE with error %d", q->err);
				}
				q->done = true;
			} else if (nlh->nlmsg_type == family) {
				if (q->dump && !(nlh->nlmsg_flags & NLM_F_MULTI))
					violation("dump message without NLM_F_MULTI");
				if (q->dump)
					n_dump_msgs++;
				q->replies++;
				check_family_msg(nlh, q->cmd);
			} else if (nlh->nlmsg_type == NLMSG_OVERRUN) {
				violation("NLMSG_OVERRUN");
			} else if (nlh->nlmsg_type != NLMSG_NOOP) {
				violation("answer of type %u", nlh->nlmsg_type);
			}
			nlh = mnl_nlmsg_next(nlh, &len);
		}
		if (len != 0)
			violation("%d bytes of broken netlink messages in a datagram", len);
	}
}

static int send_buf(const void *buf, size_t len)
{
	ssize_t n = mnl_socket_sendto(nl, buf, len);

	if (n < 0) {
		violation("sendto: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Send one well-formed request and read its answer; returns the error. */
static struct req sreq;

static int simple(struct req *r, struct pending *p)
{
	memset(p, 0, sizeof(*p));
	p->seq = r->nlh->nlmsg_seq;
	p->cmd = r->cmd;
	p->dump = r->dump;
	p->need_term = true;
	ndumped = 0;
	if (send_buf(r->nlh, r->nlh->nlmsg_len) || talk(p, 1))
		return -EIO;
	return p->err;
}

static void model_add(const struct map *m)
{
	int i;

	for (i = 0; i < nmodel; i++)
		if (model[i].id == m->id)
			violation("ADD returned id %u, which is already in use", m->id);
	if (nmodel < MAXMAP)
		model[nmodel++] = *m;
	n_added++;
}


/* Read GET_CONFIG into c. */
static int get_config(uint32_t c[])
{
	struct pending p;
	struct req *r = &sreq;

	start_msg(r, REPLCOPY_CMD_GET_CONFIG, NLM_F_ACK);
	memset(&p, 0, sizeof(p));
	p.seq = r->nlh->nlmsg_seq;
	p.cmd = r->cmd;
	p.need_term = true;
	if (send_buf(r->nlh, r->nlh->nlmsg_len))
		return -1;
	/* talk() checks the message; read the values from the buffer. */
	for (;;) {
		ssize_t n = recv(mnl_socket_get_fd(nl), rbuf, sizeof(rbuf), 0);
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)rbuf;
		int len = (int)n;

		if (n <= 0) {
			violation("GET_CONFIG: no answer");
			return -1;
		}
		while (mnl_nlmsg_ok(nlh, len)) {
			if (nlh->nlmsg_seq == p.seq) {
				if (nlh->nlmsg_type == family) {
					if (check_config_msg(nlh, c))
						return -1;
				} else if (nlh->nlmsg_type == NLMSG_ERROR) {
					int e;

					check_error_msg(nlh, &e);
					if (e) {
						violation("GET_CONFIG failed: %s", strerror(-e));
						return -1;
					}
					return 0;
				}
			}
			nlh = mnl_nlmsg_next(nlh, &len);
		}
	}
}

static void compare_config(const char *when)
{
	uint32_t c[REPLCOPY_CFG_MAX + 1] = { 0 };
	int i;

	if (get_config(c))
		return;
	n_checks++;
	for (i = 1; i <= REPLCOPY_CFG_MAX; i++)
		if (c[i] != cfg_model[i]) {
			violation("%s: setting %d is %u, expected %u", when, i, c[i], cfg_model[i]);
			cfg_model[i] = c[i];
		}
}

static void dump_mappings(void)
{
	struct pending p;

	start_msg(&sreq, REPLCOPY_CMD_GET_MAPPING, NLM_F_DUMP);
	if (simple(&sreq, &p))
		violation("GET_MAPPING dump failed: %s", strerror(-p.err));
	n_dumps++;
}

static bool same_targets(const struct map *a, const struct map *b)
{
	int i;

	if (a->ntargets != b->ntargets)
		return false;
	for (i = 0; i < a->ntargets; i++)
		if (!same_tgt(&a->targets[i], &b->targets[i]))
			return false;
	return true;
}

/* The GET_STATS dump (in dumped[]) lists the model's mappings and targets. */
static void compare_stats_dump(void)
{
	int i, j;

	n_checks++;
	if (ndumped != nmodel)
		violation("stats dump: %d mappings, %d expected", ndumped, nmodel);
	for (j = 0; j < ndumped; j++) {
		for (i = 0; i < nmodel && model[i].id != dumped[j].id; i++)
			;
		if (i == nmodel) {
			violation("stats dump: mapping %u unknown", dumped[j].id);
			continue;
		}
		if (dumped[j].port != model[i].port || !ad_eq(&dumped[j].online, &model[i].online) ||
		    !ad_eq(&dumped[j].taddr, &model[i].taddr) || !same_targets(&dumped[j], &model[i]))
			violation("stats dump: mapping %u (port %u, online %s, target %s, %d targets) differs from the model (port %u, online %s, target %s, %d targets)",
				  dumped[j].id, dumped[j].port, ad_str(&dumped[j].online),
				  ad_str(&dumped[j].taddr), dumped[j].ntargets, model[i].port,
				  ad_str(&model[i].online), ad_str(&model[i].taddr), model[i].ntargets);
	}
}

static void compare_mappings(const char *when)
{
	int i, j;

	dump_mappings();
	n_checks++;
	if (ndumped != nmodel) {
		violation("%s: %d mappings listed, %d expected", when, ndumped, nmodel);
	}
	for (i = 0; i < nmodel; i++) {
		for (j = 0; j < ndumped; j++)
			if (dumped[j].id == model[i].id)
				break;
		if (j == ndumped) {
			violation("%s: mapping %u (port %u) missing", when, model[i].id, model[i].port);
			continue;
		}
		if (dumped[j].port != model[i].port || dumped[j].tport != model[i].tport ||
		    !ad_eq(&dumped[j].taddr, &model[i].taddr) ||
		    !ad_eq(&dumped[j].online, &model[i].online) ||
		    dumped[j].source != model[i].source || dumped[j].pacing != model[i].pacing ||
		    dumped[j].flags != model[i].flags)
			violation("%s: mapping %u differs from what ADD answered (online %s, target %s; ADD answered online %s, target %s)",
				  when, model[i].id, ad_str(&dumped[j].online), ad_str(&dumped[j].taddr),
				  ad_str(&model[i].online), ad_str(&model[i].taddr));
		else if (dumped[j].copies != model[i].copies ||
			 !same_targets(&dumped[j], &model[i]))
			violation("%s: mapping %u: copies %u, %d targets, ADD answered %u, %d targets%s",
				  when, model[i].id, dumped[j].copies, dumped[j].ntargets,
				  model[i].copies, model[i].ntargets,
				  dumped[j].ntargets == model[i].ntargets ? " (different ones)" : "");
	}
	for (j = 0; j < ndumped; j++) {
		for (i = 0; i < nmodel; i++)
			if (dumped[j].id == model[i].id)
				break;
		if (i == nmodel)
			violation("%s: mapping %u (port %u) listed but never added", when,
				  dumped[j].id, dumped[j].port);
	}
	/* Resynchronise, so one violation is reported once. */
	memcpy(model, dumped, sizeof(dumped[0]) * (size_t)ndumped);
	nmodel = ndumped;
}

/*
 * Would the policy take a MAP_TARGETS attribute (strict validation of
 * replcopy_targets_policy and replcopy_target_policy)?
 */
static bool targets_policy_ok(const struct nlattr *list)
{
	const struct nlattr *e, *a;

	if (!(list->nla_type & NLA_F_NESTED) || !nest_fills(list))
		return false;
	mnl_attr_for_each_nested(e, list) {
		if (mnl_attr_get_type(e) != REPLCOPY_TL_TARGET || !(e->nla_type & NLA_F_NESTED) ||
		    !nest_fills(e))
			return false;
		mnl_attr_for_each_nested(a, e) {
			if (a->nla_type & NLA_F_NESTED)
				return false;
			switch (mnl_attr_get_type(a)) {
			case REPLCOPY_TA_ADDR:
				if (!payload_ok(a, 4))
					return false;
				break;
			case REPLCOPY_TA_ADDR6:
				if (!payload_ok(a, 16))
					return false;
				break;
			case REPLCOPY_TA_PORT:
				if (!payload_ok(a, 2) || !mnl_attr_get_u16(a))
					return false;
				break;
			default:
				return false;
			}
		}
	}
	return true;
}

/*
 * The targets an ADD names (replcopy_parse_targets): its last MAP_TARGETS,
 * or MAP_TARGET_ADDR(6)/PORT alone. NULL, or why the kernel must refuse it.
 */
static const char *req_targets(const struct nlmsghdr *nlh, struct tgt *t, int *np)
{
	const struct nlattr *a, *e, *list = NULL;
	struct tgt first;
	const char *why;
	int n = 0, i;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN)
		if (mnl_attr_get_type(a) == REPLCOPY_A_MAP_TARGETS) {
			if (!targets_policy_ok(a))
				return "a MAP_TARGETS the policy refuses";
			list = a;
		}
	why = req_first_target(nlh, &first);
	if (why)
		return why;
	t[0] = first;
	*np = 1;
	if (!list)
		return NULL;
	mnl_attr_for_each_nested(e, list) {
		bool has_addr = false, has_addr6 = false, has_port = false;

		if (n == REPLCOPY_MAX_TARGETS)
			return "more than REPLCOPY_MAX_TARGETS targets";
		memset(&t[n], 0, sizeof(t[n]));
		mnl_attr_for_each_nested(a, e) {
			if (mnl_attr_get_type(a) == REPLCOPY_TA_ADDR) {
				t[n].a = ad4(mnl_attr_get_u32(a));
				has_addr = true;
			} else if (mnl_attr_get_type(a) == REPLCOPY_TA_ADDR6) {
				t[n].a = ad6_raw(mnl_attr_get_payload(a));
				has_addr6 = true;
			} else {
				t[n].port = mnl_attr_get_u16(a);
				has_port = true;
			}
		}
		if (!(has_addr || has_addr6) || !has_port)
			return "an entry without TA_ADDR (or _ADDR6) or TA_PORT";
		if (has_addr && has_addr6)
			return "an entry with both TA_ADDR and TA_ADDR6";
		if (!n && !same_tgt(&t[0], &first))
			return "MAP_TARGETS not starting with MAP_TARGET_ADDR/PORT";
		for (i = 0; i < n; i++)
			if (same_tgt(&t[i], &t[n]))
				return "a target twice";
		n++;
	}
	if (!n)
		return "an empty MAP_TARGETS";
	*np = n;
	return NULL;
}

/*
 * The request's online address (replcopy_get_addr: the last
 * MAP_ONLINE_ADDR or _ADDR6; 0.0.0.0 is none) into *on: NULL, or why the
 * kernel must refuse it.
 */
static const char *req_online(const struct nlmsghdr *nlh, struct ad *on)
{
	const struct nlattr *a = last_attr(nlh, REPLCOPY_A_MAP_ONLINE_ADDR);
	const struct nlattr *a6 = last_attr(nlh, REPLCOPY_A_MAP_ONLINE_ADDR6);

	*on = no_ad;
	if (a && a6)
		return "both MAP_ONLINE_ADDR and MAP_ONLINE_ADDR6";
	if ((a && !payload_ok(a, 4)) || (a6 && !payload_ok(a6, 16)))
		return "a malformed MAP_ONLINE_ADDR or _ADDR6";
	if (a6)
		*on = ad6_raw(mnl_attr_get_payload(a6));
	else if (a && mnl_attr_get_u32(a))
		*on = ad4(mnl_attr_get_u32(a));
	return NULL;
}

/*
 * Does command cmd take the top-level attribute type t (its policy)? The
 * commands without a policy take none.
 */
static bool cmd_takes(uint8_t cmd, uint16_t t)
{
	switch (cmd) {
	case REPLCOPY_CMD_ADD_MAPPING:
		return t == REPLCOPY_A_MAP_PORT || t == REPLCOPY_A_MAP_ONLINE_ADDR ||
		       t == REPLCOPY_A_MAP_ONLINE_ADDR6 || t == REPLCOPY_A_MAP_TARGET_ADDR ||
		       t == REPLCOPY_A_MAP_TARGET_ADDR6 || t == REPLCOPY_A_MAP_TARGET_PORT ||
		       t == REPLCOPY_A_MAP_SOURCE || t == REPLCOPY_A_MAP_PACING ||
		       t == REPLCOPY_A_MAP_FLAGS || t == REPLCOPY_A_MAP_SAMPLE ||
		       t == REPLCOPY_A_MAP_TARGETS || t == REPLCOPY_A_MAP_COPIES;
	case REPLCOPY_CMD_DEL_MAPPING:
		return t == REPLCOPY_A_MAP_ID || t == REPLCOPY_A_MAP_PORT ||
		       t == REPLCOPY_A_MAP_ONLINE_ADDR || t == REPLCOPY_A_MAP_ONLINE_ADDR6 ||
		       t == REPLCOPY_A_DEL_ALL;
	case REPLCOPY_CMD_SET_CONFIG:
		return t == REPLCOPY_A_CONFIG;
	case REPLCOPY_CMD_GET_SESSIONS:
		return t == REPLCOPY_A_MAP_ID;
	default:
		return false;
	}
}

/* The model after an accepted request r (ADD reply is in last_added). */
static void apply_accepted(const struct req *r)
{
	const struct nlattr *a;
	int i, j;

	/* Strict validation: only the command's own attributes. */
	if (r->cmd >= REPLCOPY_CMD_ADD_MAPPING && r->cmd <= REPLCOPY_CMD_GET_CONFIG &&
	    r->cmd != REPLCOPY_CMD_GET_MAPPING)
		mnl_attr_for_each(a, r->nlh, GENL_HDRLEN)
			if (!cmd_takes(r->cmd, mnl_attr_get_type(a)))
				violation("command %u accepted with attribute %u, which it does not take",
					  r->cmd, mnl_attr_get_type(a));

	switch (r->cmd) {
	case REPLCOPY_CMD_ADD_MAPPING:
		if (unpriv) {
			violation("unprivileged ADD_MAPPING accepted");
		}
		if (!have_last_added) {
			violation("ADD_MAPPING accepted without a reply");
			return;
		}
		a = last_attr(r->nlh, REPLCOPY_A_MAP_PORT);
		if (a && mnl_attr_get_u16(a) != last_added.port)
			violation("ADD reply port %u, request %u", last_added.port, mnl_attr_get_u16(a));
		{
			struct tgt first;
			struct ad on;
			const char *why = req_first_target(r->nlh, &first);

			if (!why && !ad_eq(&first.a, &last_added.taddr))
				violation("ADD reply target %s, request %s", ad_str(&last_added.taddr),
					  ad_str(&first.a));
			why = req_online(r->nlh, &on);
			if (why)
				violation("ADD accepted with %s (mapping %u)", why, last_added.id);
			else if (!ad_eq(&on, &last_added.online))
				violation("ADD reply online address %s, request %s",
					  ad_str(&last_added.online), ad_str(&on));
		}
		a = last_attr(r->nlh, REPLCOPY_A_MAP_TARGET_PORT);
		if (a && mnl_attr_get_u16(a) != last_added.tport)
			violation("ADD reply target port differs from the request");
		a = last_attr(r->nlh, REPLCOPY_A_MAP_SOURCE);
		if ((a ? mnl_attr_get_u8(a) : REPLCOPY_SOURCE_AUTO) != last_added.source)
			violation("ADD reply source mode differs from the request");
		a = last_attr(r->nlh, REPLCOPY_A_MAP_FLAGS);
		if ((a ? mnl_attr_get_u32(a) : 0) != last_added.flags)
			violation("ADD reply flags differ from the request");
		a = last_attr(r->nlh, REPLCOPY_A_MAP_SAMPLE);
		if ((a ? mnl_attr_get_u32(a) : REPLCOPY_SAMPLE_ALL) != last_added.sample)
			violation("ADD reply sample differs from the request");
		{
			struct tgt t[REPLCOPY_MAX_TARGETS];
			const char *why;
			uint32_t copies = 1;
			uint8_t source = REPLCOPY_SOURCE_AUTO;
			int n = 0;

			mnl_attr_for_each(a, r->nlh, GENL_HDRLEN)
				if (mnl_attr_get_type(a) == REPLCOPY_A_MAP_COPIES &&
				    (a->nla_type & NLA_F_NESTED || !payload_ok(a, 4) ||
				     mnl_attr_get_u32(a) < 1 ||
				     mnl_attr_get_u32(a) > REPLCOPY_MAX_COPIES))
					violation("ADD accepted with MAP_COPIES of length %u, value %u",
						  mnl_attr_get_payload_len(a),
						  payload_ok(a, 4) ? mnl_attr_get_u32(a) : 0);
			a = last_attr(r->nlh, REPLCOPY_A_MAP_COPIES);
			if (a && payload_ok(a, 4))
				copies = mnl_attr_get_u32(a);
			a = last_attr(r->nlh, REPLCOPY_A_MAP_SOURCE);
			if (a && payload_ok(a, 1))
				source = mnl_attr_get_u8(a);
			if (copies != last_added.copies)
				violation("ADD reply copies %u, request %u", last_added.copies, copies);
			if (copies > 1 && source == REPLCOPY_SOURCE_CLIENT)
				violation("ADD accepted %u copies with source client", copies);
			why = req_targets(r->nlh, t, &n);
			if (why) {
				violation("ADD accepted with %s (mapping %u)", why, last_added.id);
			} else {
				struct map want = last_added;

				want.ntargets = n;
				memcpy(want.targets, t, sizeof(t[0]) * (size_t)n);
				if (!same_targets(&want, &last_added))
					violation("ADD reply: %d targets, not the %d requested (or other ones)",
						  last_added.ntargets, n);
			}
			/*
			 * A fuzzed ADD the kernel took: what it certainly refuses
			 * (the prediction of an ADD of these values is acceptance;
			 * the predicted requests were checked already).
			 */
			if (!why && !r->expect) {
				struct ad on;
				unsigned int e;

				if (!req_online(r->nlh, &on)) {
					e = predict_add(last_added.port, &on, source, copies, t, n);
					if (!(e & EXP_OK)) {
						violation("fuzzed ADD accepted (mapping %u: port %u online %s source %u copies %u, %d targets, the first %s), the model expects %s",
							  last_added.id, last_added.port, ad_str(&on),
							  source, copies, n, ad_str(&t[0].a), exp_str(e));
					}
				}
			}
			if (last_added.ntargets > 1)
				n_multi_targets++;
			if (last_added.copies > 1)
				n_copies++;
			for (i = 0, j = 0; i < last_added.ntargets; i++)
				j |= last_added.targets[i].a.fam == AF_INET6 ? 2 : 1;
			if (j == 3)
				n_mixed_maps++;
			if ((j & 2) || last_added.online.fam == AF_INET6)
				n_v6_maps++;
		}
		model_add(&last_added);
		break;
	case REPLCOPY_CMD_DEL_MAPPING: {
		const struct nlattr *aid = last_attr(r->nlh, REPLCOPY_A_MAP_ID);
		const struct nlattr *aport = last_attr(r->nlh, REPLCOPY_A_MAP_PORT);
		bool aon = last_attr(r->nlh, REPLCOPY_A_MAP_ONLINE_ADDR) ||
			   last_attr(r->nlh, REPLCOPY_A_MAP_ONLINE_ADDR6);
		bool all = last_attr(r->nlh, REPLCOPY_A_DEL_ALL);
		int removed = 0;
		struct ad on;
		const char *why = req_online(r->nlh, &on);

		if (unpriv)
			violation("unprivileged DEL_MAPPING accepted");
		if (!!aid + !!aport + all != 1)
			violation("DEL_MAPPING accepted with %d selectors", !!aid + !!aport + all);
		if (aon && !aport)
			violation("DEL_MAPPING accepted with an online address but no MAP_PORT");
		if (why)
			violation("DEL_MAPPING accepted with %s", why);
		for (i = 0, j = 0; i < nmodel; i++) {
			/* ONLINE_ADDR 0 means "any address", as in ADD_MAPPING. */
			bool del = all ||
				(aid && model[i].id == mnl_attr_get_u32(aid)) ||
				(!aid && aport && model[i].port == mnl_attr_get_u16(aport) &&
				 (!on.fam || ad_eq(&model[i].online, &on)));

			if (del)
				removed++;
			else
				model[j++] = model[i];
		}
		nmodel = j;
		n_deleted += (unsigned long)removed;
		if (!removed && !all)
			violation("DEL_MAPPING accepted, but nothing it names exists");
		break;
	}
	case REPLCOPY_CMD_SET_CONFIG: {
		const struct nlattr *nest = last_attr(r->nlh, REPLCOPY_A_CONFIG);

		if (unpriv)
			violation("unprivileged SET_CONFIG accepted");
		if (!nest) {
			violation("SET_CONFIG accepted without REPLCOPY_A_CONFIG");
			break;
		}
		mnl_attr_for_each_nested(a, nest) {
			uint16_t t = mnl_attr_get_type(a);

			if (t && t <= REPLCOPY_CFG_MAX)
				cfg_model[t] = cfg_size[t] == 1 ? mnl_attr_get_u8(a) : mnl_attr_get_u32(a);
		}
		n_cfg_set++;
		break;
	}
	default:
		break;
	}
}

static bool mutating(uint8_t cmd)
{
	return cmd == REPLCOPY_CMD_ADD_MAPPING || cmd == REPLCOPY_CMD_DEL_MAPPING ||
	       cmd == REPLCOPY_CMD_SET_CONFIG;
}

/* Commands that need CAP_NET_ADMIN: the changes, and the sessions (client data). */
static bool admin_only(uint8_t cmd)
{
	return mutating(cmd) || cmd == REPLCOPY_CMD_GET_SESSIONS;
}

/* Send the fuzzed request with a GET_CONFIG behind it; check both. */
static void fuzz_one(struct req *r)
{
	static struct req sync;
	struct pending p[2];
	size_t len = r->nlh->nlmsg_len;
	bool nsync;
	int e;

	memset(p, 0, sizeof(p));
	p[0].seq = r->nlh->nlmsg_seq;
	p[0].cmd = r->cmd;
	p[0].dump = r->dump && !r->short_hdr;
	p[0].need_term = !r->bad_len && (r->ack || p[0].dump);
	if (r->bad_len) {
		/* Alone in its datagram, claiming more bytes than sent. */
		r->nlh->nlmsg_len += 4 + rn(64);
		if (send_buf(r->nlh, len))
			return;
		n_nohdr++;
	}
	/*
	 * A request without ack that is no dump may get no answer at all: a
	 * GET_CONFIG with an ack behind it (sometimes in the same datagram,
	 * which the kernel handles in order) says when everything came.
	 */
	nsync = r->bad_len || !p[0].need_term || chance(5);
	if (nsync) {
		start_msg(&sync, REPLCOPY_CMD_GET_CONFIG, NLM_F_ACK);
		p[1].seq = sync.nlh->nlmsg_seq;
		p[1].cmd = REPLCOPY_CMD_GET_CONFIG;
		p[1].need_term = true;
	}
	if (r->bad_len) {
		if (send_buf(sync.nlh, sync.nlh->nlmsg_len))
			return;
	} else if (nsync && chance(50)) {
		memcpy((char *)r->nlh + MNL_ALIGN(len), sync.nlh, sync.nlh->nlmsg_len);
		if (send_buf(r->nlh, MNL_ALIGN(len) + sync.nlh->nlmsg_len))
			return;
	} else {
		if (send_buf(r->nlh, len) ||
		    (nsync && send_buf(sync.nlh, sync.nlh->nlmsg_len)))
			return;
	}
	n_sent++;
	have_last_added = false;
	ndumped = 0;
	/* Keep the ADD reply for the model. */
	if (talk(p, nsync ? 2 : 1))
		return;
	if (nsync && p[1].err)
		violation("the GET_CONFIG after a request failed: %s", strerror(-p[1].err));

	e = p[0].err;
	if (p[0].got_err || p[0].done) {
		if (e < 0) {
			n_err++;
			err_hist[-e < 256 ? -e : 255]++;
		} else {
			n_ok++;
		}
	}
	if (r->bad_len) {
		if (p[0].got_err && !e)
			violation("a request with a bad nlmsg_len was accepted");
		return;
	}
	if (r->short_hdr && !e && (p[0].got_err || p[0].done))
		violation("a request with a short genl header was accepted");
	if (r->hdr_bad && !r->short_hdr && p[0].got_err && e != -EINVAL)
		violation("bad genl header or flags: error %d, expected EINVAL", e);
	if (unpriv && admin_only(r->cmd) && !r->hdr_bad && !r->short_hdr && p[0].got_err &&
	    e != -EPERM)
		violation("unprivileged command %u: error %d, expected EPERM", r->cmd, e);
	if (unpriv && r->cmd == REPLCOPY_CMD_GET_SESSIONS && !r->hdr_bad && !r->short_hdr &&
	    !r->bad_len && !e && (p[0].done || p[0].replies))
		violation("unprivileged GET_SESSIONS answered (client data)");

	/* The model's prediction (ADDs with targets and copies). */
	if (r->expect && !unpriv && (p[0].got_err || p[0].done)) {
		n_pred++;
		if (!(r->expect & exp_bit(e))) {
			violation("%s: %s%s%s%s, the model expects %s", r->desc,
				  e ? strerrorname_np(-e) ?: "?" : "accepted",
				  p[0].extack[0] ? " (" : "", p[0].extack,
				  p[0].extack[0] ? ")" : "", exp_str(r->expect));
		} else if (e && !p[0].extack[0]) {
			violation("%s: %s without a message", r->desc, strerrorname_np(-e) ?: "?");
		} else if (!e) {
			n_pred_ok++;
			if (r->cmd == REPLCOPY_CMD_DEL_MAPPING)
				n_pred_del++;
		} else {
			n_pred_refused++;
			pred_err_hist[-e < 256 ? -e : 255]++;
		}
	}
	/* Errors are always answered; without an ack asked, silence is success. */
	if (!r->dump && !r->short_hdr && (p[0].got_err ? !e : !r->ack)) {
		if (r->cmd == REPLCOPY_CMD_ADD_MAPPING && !have_last_added) {
			if (p[0].got_err || mutating(r->cmd))
				violation("ADD_MAPPING accepted without the mapping in a reply");
		} else {
			apply_accepted(r);
		}
	}
	if (r->cmd == REPLCOPY_CMD_SET_CONFIG || chance(2))
		compare_config("after the request");
	if (mutating(r->cmd) && chance(5))
		compare_mappings(e ? "after a refused request" : "after an accepted request");
}

static bool copies_to_port(const struct map *m, uint16_t port)
{
	int i;

	for (i = 0; i < m->ntargets; i++)
		if (m->targets[i].port == port)
			return true;
	return m->tport == port;
}

/* Many mappings, so that dumps need several parts. */
static void populate(int count)
{
	struct pending p;
	struct map m;
	int i;

	if (unpriv)
		return;
	for (i = 0; i < count && nmodel < MAXMAP - 1; i++) {
		uint16_t port;
		int j;

		/*
		 * Not a port that a fuzzed mapping copies to: with a local
		 * target, the module refuses it (copies of copies).
		 */
		do {
			port = (uint16_t)(20000 + rn(20000));
			for (j = 0; j < nmodel && !copies_to_port(&model[j], port); j++)
				;
		} while (j < nmodel);
		build_valid_add(&sreq, port, &no_ad);
		have_last_added = false;
		memset(&p, 0, sizeof(p));
		p.seq = sreq.nlh->nlmsg_seq;
		p.cmd = sreq.cmd;
		p.need_term = true;
		if (send_buf(sreq.nlh, sreq.nlh->nlmsg_len) || talk(&p, 1))
			return;
		if (!p.err) {
			if (have_last_added)
				model_add(&last_added);
			else
				violation("ADD accepted without a reply");
		} else if (p.err != -EEXIST && p.err != -ENOSPC) {
			violation("valid ADD of port %u refused: %s (%s)", port,
				  strerror(-p.err), last_extack);
		}
	}
	(void)m;
}

/* Start a dump on a new socket and give up on it part way. */
static void interrupted_dump(void)
{
	static const uint8_t cmds[] = { REPLCOPY_CMD_GET_MAPPING, REPLCOPY_CMD_GET_STATS,
					REPLCOPY_CMD_GET_SESSIONS };
	struct mnl_socket *s = mnl_socket_open(NETLINK_GENERIC);
	char small[512];
	struct req *r = &sreq;
	int rcvbuf = 4096;

	if (!s || mnl_socket_bind(s, 0, MNL_SOCKET_AUTOPID) < 0) {
		violation("cannot open a second netlink socket: %s", strerror(errno));
		if (s)
			mnl_socket_close(s);
		return;
	}
	if (chance(50))
		setsockopt(mnl_socket_get_fd(s), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	start_msg(r, cmds[rn(3)], NLM_F_DUMP | (chance(50) ? NLM_F_ACK : 0));
	if (mnl_socket_sendto(s, r->nlh, r->nlh->nlmsg_len) < 0)
		violation("dump request: %s", strerror(errno));
	switch (rn(3)) {
	case 0:	/* close at once */
		break;
	case 1:	/* one part, then close */
		recv(mnl_socket_get_fd(s), rbuf, sizeof(rbuf), 0);
		break;
	default: /* a piece of one part (the rest is truncated), then another */
		recv(mnl_socket_get_fd(s), small, sizeof(small), MSG_TRUNC);
		if (chance(50))
			recv(mnl_socket_get_fd(s), small, sizeof(small), MSG_DONTWAIT);
		break;
	}
	mnl_socket_close(s);
	n_interrupted++;
}

/* ------------------------------------------------------------ setup */

/* Can a socket bind to a (a local address, not tentative)? */
static bool addr_usable(const struct ad *a)
{
	struct sockaddr_in6 s6;
	struct sockaddr_in s4;
	int fd = socket(a->fam, SOCK_DGRAM, 0), ret;

	if (fd < 0)
		return false;
	if (a->fam == AF_INET6) {
		memset(&s6, 0, sizeof(s6));
		s6.sin6_family = AF_INET6;
		memcpy(&s6.sin6_addr, a->b, 16);
		ret = bind(fd, (struct sockaddr *)&s6, sizeof(s6));
	} else {
		memset(&s4, 0, sizeof(s4));
		s4.sin_family = AF_INET;
		memcpy(&s4.sin_addr, a->b, 4);
		ret = bind(fd, (struct sockaddr *)&s4, sizeof(s4));
	}
	close(fd);
	return !ret;
}

static int ctrl_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *a;

	(void)data;
	mnl_attr_for_each(a, nlh, GENL_HDRLEN)
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID)
			family = mnl_attr_get_u16(a);
	return MNL_CB_OK;
}

static int resolve_family(void)
{
	char buf[8192];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;
	ssize_t n;

	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq++;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, REPLCOPY_GENL_NAME);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	while ((n = mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0) {
		int r = mnl_cb_run(buf, (size_t)n, 0, portid, ctrl_cb, NULL);

		if (r <= 0)
			return family ? 0 : -1;
	}
	return -1;
}

/*
 * Each command takes only its own attributes: one that means nothing for
 * it, added to an otherwise good request, is refused with EINVAL and a
 * message (EPERM first for the admin commands when unprivileged).
 */
static void policy_round(void)
{
	static const struct {
		uint8_t cmd;
		uint16_t flags, attr;
	} cases[] = {
		{ REPLCOPY_CMD_ADD_MAPPING, NLM_F_ACK, REPLCOPY_A_DEL_ALL },
		{ REPLCOPY_CMD_ADD_MAPPING, NLM_F_ACK, REPLCOPY_A_CONFIG },
		{ REPLCOPY_CMD_ADD_MAPPING, NLM_F_ACK, REPLCOPY_A_MAP_SESSIONS },
		{ REPLCOPY_CMD_DEL_MAPPING, NLM_F_ACK, REPLCOPY_A_MAP_TARGET_ADDR },
		{ REPLCOPY_CMD_DEL_MAPPING, NLM_F_ACK, REPLCOPY_A_MAP_TARGETS },
		{ REPLCOPY_CMD_DEL_MAPPING, NLM_F_ACK, REPLCOPY_A_MAP_COPIES },
		{ REPLCOPY_CMD_GET_SESSIONS, NLM_F_DUMP, REPLCOPY_A_MAP_COPIES },
		{ REPLCOPY_CMD_GET_MAPPING, NLM_F_DUMP, REPLCOPY_A_MAP_PORT },
		{ REPLCOPY_CMD_GET_STATS, NLM_F_ACK, REPLCOPY_A_MAP_ID },
		{ REPLCOPY_CMD_GET_STATS, NLM_F_DUMP, REPLCOPY_A_MAP_PORT },
		{ REPLCOPY_CMD_GET_SESSIONS, NLM_F_DUMP, REPLCOPY_A_MAP_PORT },
		{ REPLCOPY_CMD_SET_CONFIG, NLM_F_ACK, REPLCOPY_A_MAP_PORT },
		{ REPLCOPY_CMD_GET_CONFIG, NLM_F_ACK, REPLCOPY_A_DEL_ALL },
		{ REPLCOPY_CMD_ADD_MAPPING, NLM_F_ACK, REPLCOPY_A_SESSION },
		{ REPLCOPY_CMD_DEL_MAPPING, NLM_F_ACK, REPLCOPY_A_MAP_TARGET_ADDR6 },
		{ REPLCOPY_CMD_GET_SESSIONS, NLM_F_DUMP, REPLCOPY_A_MAP_ONLINE_ADDR6 },
		{ REPLCOPY_CMD_SET_CONFIG, NLM_F_ACK, REPLCOPY_A_MAP_TARGET_ADDR6 },
		{ REPLCOPY_CMD_GET_STATS, NLM_F_ACK, REPLCOPY_A_MAP_ONLINE_ADDR6 },
		{ REPLCOPY_CMD_GET_MAPPING, NLM_F_DUMP, REPLCOPY_A_MAP_TARGET_ADDR6 },
	};
	struct pending p;
	struct nlattr *nest;
	size_t i;
	int want, e;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (cases[i].cmd == REPLCOPY_CMD_ADD_MAPPING)
			build_valid_add(&sreq, 9, &no_ad);
		else
			start_msg(&sreq, cases[i].cmd, cases[i].flags);
		if (cases[i].cmd == REPLCOPY_CMD_DEL_MAPPING)
			mnl_attr_put_u16(sreq.nlh, REPLCOPY_A_MAP_PORT, 9);
		if (cases[i].cmd == REPLCOPY_CMD_SET_CONFIG) {
			nest = mnl_attr_nest_start(sreq.nlh, REPLCOPY_A_CONFIG);
			mnl_attr_nest_end(sreq.nlh, nest);
		}
		switch (cases[i].attr) {
		case REPLCOPY_A_DEL_ALL:
			mnl_attr_put(sreq.nlh, cases[i].attr, 0, NULL);
			break;
		case REPLCOPY_A_CONFIG:
			nest = mnl_attr_nest_start(sreq.nlh, cases[i].attr);
			mnl_attr_nest_end(sreq.nlh, nest);
			break;
		case REPLCOPY_A_MAP_TARGETS: {
			struct tgt t = { ad4(inet_addr("10.0.2.2")), 80 };

			put_targets_list(sreq.nlh, &t, 1, -1, ENT_OK);
			break;
		}
		case REPLCOPY_A_MAP_ONLINE_ADDR6:
		case REPLCOPY_A_MAP_TARGET_ADDR6: {
			struct ad a = local6();

			mnl_attr_put(sreq.nlh, cases[i].attr, 16, a.b);
			break;
		}
		case REPLCOPY_A_SESSION:
			put_session_nest(sreq.nlh);
			break;
		case REPLCOPY_A_MAP_PORT:
			mnl_attr_put_u16(sreq.nlh, cases[i].attr, 9);
			break;
		default:
			mnl_attr_put_u32(sreq.nlh, cases[i].attr, 1);
		}
		have_last_added = false;
		e = simple(&sreq, &p);
		want = unpriv && admin_only(cases[i].cmd) ? -EPERM : -EINVAL;
		n_checks++;
		if (e != want)
			violation("command %u with attribute %u: %d (%s), expected %d",
				  cases[i].cmd, cases[i].attr, e, last_extack, want);
		else if (want == -EINVAL && !last_extack[0])
			violation("command %u with attribute %u: refused without a message",
				  cases[i].cmd, cases[i].attr);
	}
}

/* GET_SESSIONS/STATS dumps and GET_STATS do, answers checked. */
static void read_only_round(void)
{
	struct pending p;

	start_msg(&sreq, REPLCOPY_CMD_GET_STATS, NLM_F_DUMP);
	if (simple(&sreq, &p))
		violation("GET_STATS dump failed: %d", p.err);
	else
		compare_stats_dump();
	start_msg(&sreq, REPLCOPY_CMD_GET_STATS, NLM_F_ACK);
	if (simple(&sreq, &p))
		violation("GET_STATS failed: %d", p.err);
	start_msg(&sreq, REPLCOPY_CMD_GET_SESSIONS, NLM_F_DUMP);
	if (simple(&sreq, &p) != (unpriv ? -EPERM : 0))
		violation("GET_SESSIONS dump: %d, expected %d", p.err, unpriv ? -EPERM : 0);
	n_dumps += 2;
}

int main(int argc, char **argv)
{
	unsigned long count = 100000, i;
	struct timeval tv = { .tv_sec = 30 };
	int one = 1, opt, bufsz = 4 << 20;
	struct timespec t0, t1;
	static struct req r;

	seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	while ((opt = getopt(argc, argv, "n:s:uvkh")) != -1) {
		switch (opt) {
		case 'n': count = strtoul(optarg, NULL, 0); break;
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'u': unpriv = true; break;
		case 'v': verbose = true; break;
		case 'k': keep = true; break;
		default:
			fprintf(stderr, "usage: nlfuzz [-n COUNT] [-s SEED] [-u] [-k] [-v]\n");
			return 2;
		}
	}
	rng_state = seed ? seed : 1;
	printf("nlfuzz: seed %" PRIu64 " (reproduce: nlfuzz -n %lu -s %" PRIu64 "%s), uid %u\n",
	       seed, count, seed, unpriv ? " -u" : "", getuid());
	fflush(stdout);
	if (getenv("NLFUZZ_TIMEOUT"))
		tv.tv_sec = atoi(getenv("NLFUZZ_TIMEOUT"));

	nl = mnl_socket_open(NETLINK_GENERIC);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("nlfuzz: netlink socket");
		return 2;
	}
	portid = mnl_socket_get_portid(nl);
	mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUF, &bufsz, sizeof(bufsz));
	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (resolve_family()) {
		fprintf(stderr, "nlfuzz: family %s not found (module loaded?)\n", REPLCOPY_GENL_NAME);
		return 2;
	}
	/* The model's local addresses must be this netns's. */
	{
		struct ad l[2] = { local4(), local6() };

		for (i = 0; i < 2; i++)
			if (!addr_usable(&l[i])) {
				fprintf(stderr, "nlfuzz: %s is not a usable local address here: the model needs %s and %s on a device (tests/scenarios/reliability-nlfuzz.sh)\n",
					ad_str(&l[i]), ad_str(&l[0]), ad_str(&l[1]));
				return 2;
			}
	}

	/* Starting point: the settings and mappings as found. */
	if (get_config(cfg_model))
		return 2;
	memcpy(cfg_initial, cfg_model, sizeof(cfg_model));
	dump_mappings();
	memcpy(model, dumped, sizeof(dumped[0]) * (size_t)ndumped);
	nmodel = ndumped;
	printf("nlfuzz: start: %d mappings, family id %u\n", nmodel, family);
	fflush(stdout);
	policy_round();
	compare_mappings("after the policy round");

	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* count fuzzed requests; dumps and checks come on top. */
	for (i = 0; n_sent < count && i < 3 * count; i++) {
		reqno = i;
		/* Every so often: many mappings, then dumps broken off. */
		if (i % 5000 == 100) {
			populate(200 + (int)rn(200));
			compare_mappings("after populating");
		}
		if (chance(1)) {
			interrupted_dump();
			continue;
		}
		if (chance(2)) {
			read_only_round();
			continue;
		}
		if (!unpriv && chance(3)) {
			/* Well-formed ADD in the fuzzed ports, with ack. */
			struct ad on = online_local();

			build_valid_add(&r, some_port(), &on);
		} else if (!unpriv && chance(4)) {
			/* Targets, copies and addresses, valid or not, the answer predicted. */
			struct ad on = some_online();

			build_targets_add(&r, some_port(), &on);
		} else if (!unpriv && chance(1)) {
			/* DEL by port and online address, the answer predicted. */
			build_del(&r);
		} else {
			build_fuzz(&r);
		}
		fuzz_one(&r);
		if (i && i % 20000 == 0) {
			clock_gettime(CLOCK_MONOTONIC, &t1);
			printf("nlfuzz: %lu requests, %lu violations, %.0f s\n", i, n_violations,
			       (double)(t1.tv_sec - t0.tv_sec));
			fflush(stdout);
		}
	}
	compare_mappings("at the end");
	compare_config("at the end");
	read_only_round();

	/* Restore the settings; remove what was added (unless -k). */
	if (!unpriv) {
		struct pending p;
		struct nlattr *nest;
		int t;

		start_msg(&sreq, REPLCOPY_CMD_SET_CONFIG, NLM_F_ACK);
		nest = mnl_attr_nest_start(sreq.nlh, REPLCOPY_A_CONFIG);
		for (t = 1; t <= REPLCOPY_CFG_MAX; t++)
			put_int(sreq.nlh, (uint16_t)t, cfg_size[t], cfg_initial[t]);
		mnl_attr_nest_end(sreq.nlh, nest);
		if (simple(&sreq, &p) || p.err) {
			/* max_session_bytes vs max_total_kbytes order: twice. */
			start_msg(&sreq, REPLCOPY_CMD_SET_CONFIG, NLM_F_ACK);
			nest = mnl_attr_nest_start(sreq.nlh, REPLCOPY_A_CONFIG);
			/* The module's upper bound of max_total_kbytes. */
			put_int(sreq.nlh, REPLCOPY_CFG_MAX_TOTAL_BYTES, 4, 1U << 30);
			mnl_attr_nest_end(sreq.nlh, nest);
			simple(&sreq, &p);
			start_msg(&sreq, REPLCOPY_CMD_SET_CONFIG, NLM_F_ACK);
			nest = mnl_attr_nest_start(sreq.nlh, REPLCOPY_A_CONFIG);
			for (t = 1; t <= REPLCOPY_CFG_MAX; t++)
				put_int(sreq.nlh, (uint16_t)t, cfg_size[t], cfg_initial[t]);
			mnl_attr_nest_end(sreq.nlh, nest);
			if (simple(&sreq, &p) || p.err)
				violation("restoring the settings failed: %d", p.err);
		}
		memcpy(cfg_model, cfg_initial, sizeof(cfg_model));
		compare_config("after restoring");
		if (!keep) {
			start_msg(&sreq, REPLCOPY_CMD_DEL_MAPPING, NLM_F_ACK);
			mnl_attr_put(sreq.nlh, REPLCOPY_A_DEL_ALL, 0, NULL);
			if (simple(&sreq, &p) || p.err)
				violation("DEL_ALL at the end failed: %d", p.err);
			nmodel = 0;
			compare_mappings("after deleting everything");
		}
	} else {
		compare_config("unprivileged: settings unchanged");
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);

	printf("nlfuzz: errors by errno:");
	for (i = 1; i < 256; i++)
		if (err_hist[i])
			printf(" %s=%lu", strerrorname_np((int)i) ?: "?", err_hist[i]);
	printf("\n");
	printf("nlfuzz: predicted: %lu ADDs and DELs (%lu accepted, %lu of them DELs; %lu refused as predicted:",
	       n_pred, n_pred_ok, n_pred_del, n_pred_refused);
	for (i = 1; i < 256; i++)
		if (pred_err_hist[i])
			printf(" %s=%lu", strerrorname_np((int)i) ?: "?", pred_err_hist[i]);
	printf("); mappings added with several targets %lu, several copies %lu, an IPv6 address %lu, targets of both families %lu\n",
	       n_multi_targets, n_copies, n_v6_maps, n_mixed_maps);
	printf("nlfuzz: seed %" PRIu64 ": %lu requests (%lu accepted, %lu refused, %lu dropped for a bad length), "
	       "%lu replies, %lu dumps (%lu dump messages), %lu interrupted dumps, %lu adds, "
	       "%lu deletes, %lu settings changes, %lu state checks, %d mappings left, "
	       "%lu violations, %.1f s\n",
	       seed, n_sent, n_ok, n_err, n_nohdr, n_replies, n_dumps, n_dump_msgs, n_interrupted,
	       n_added, n_deleted, n_cfg_set, n_checks, nmodel, n_violations,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	mnl_socket_close(nl);
	return n_violations ? 1 : 0;
}
