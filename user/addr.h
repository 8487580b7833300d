/* SPDX-License-Identifier: GPL-2.0 */
/*
 * addr.h - an IP address of either family, as replctl holds the uapi's
 * addresses (an IPv4 one as be32, an IPv6 one as 16 bytes, both in
 * network byte order): making, comparing and formatting them. Pure.
 */
#ifndef REPLCTL_ADDR_H
#define REPLCTL_ADDR_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rc_addr {
	uint8_t family;		/* 0: none, AF_INET or AF_INET6 */
	union {
		uint32_t v4;	/* AF_INET: be32 */
		uint8_t v6[16];	/* AF_INET6: network byte order */
	};
};

/* "ffff:ffff:...:ffff" or "::ffff:255.255.255.255", its NUL included. */
#define ADDR_LEN INET6_ADDRSTRLEN
/* "[" ADDR "]:65535" */
#define ENDPOINT_LEN (ADDR_LEN + 8)

struct rc_addr rc_addr4(uint32_t be);
struct rc_addr rc_addr6(const void *in6);
/* s in family's text form (inet_pton) into *a: true, or false (*a kept). */
bool rc_addr_pton(int family, const char *s, struct rc_addr *a);

/*
 * An address at all: a family, and not 0.0.0.0 or :: (the kernel's "any"
 * online address, or a session's source address not known yet).
 */
bool rc_addr_is_set(const struct rc_addr *a);
/* An IPv4-mapped IPv6 address, ::ffff:a.b.c.d. */
bool rc_addr_is_v4mapped(const struct rc_addr *a);
/* The same address; any two that are not set (rc_addr_is_set) are equal. */
bool rc_addr_eq(const struct rc_addr *a, const struct rc_addr *b);
/* Order: not set, then IPv4, then IPv6, each numerically. */
int rc_addr_cmp(const struct rc_addr *a, const struct rc_addr *b);
/* "IPv4", "IPv6", or "no address". */
const char *rc_addr_family_name(const struct rc_addr *a);

/* "10.0.0.31", "fd00::31" (compressed); "0.0.0.0" when none. ADDR_LEN. */
void fmt_addr(const struct rc_addr *a, char *buf);
/* "10.0.0.31:11511", "[fd00::31]:11511". */
void fmt_endpoint(const struct rc_addr *a, uint16_t port, char *buf,
		  size_t len);

#endif
