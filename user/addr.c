// SPDX-License-Identifier: GPL-2.0
/*
 * addr.c - addresses of either family (see addr.h).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"

static const uint8_t v4mapped[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff,
};

struct rc_addr rc_addr4(uint32_t be)
{
	struct rc_addr a;

	memset(&a, 0, sizeof(a));
	a.family = AF_INET;
	a.v4 = be;
	return a;
}

struct rc_addr rc_addr6(const void *in6)
{
	struct rc_addr a;

	memset(&a, 0, sizeof(a));
	a.family = AF_INET6;
	memcpy(a.v6, in6, sizeof(a.v6));
	return a;
}

bool rc_addr_pton(int family, const char *s, struct rc_addr *a)
{
	uint8_t buf[16];

	if ((family != AF_INET && family != AF_INET6) ||
	    inet_pton(family, s, buf) != 1)
		return false;
	if (family == AF_INET) {
		uint32_t be;

		memcpy(&be, buf, sizeof(be));
		*a = rc_addr4(be);
	} else {
		*a = rc_addr6(buf);
	}
	return true;
}

static size_t addr_size(const struct rc_addr *a)
{
	switch (a->family) {
	case AF_INET:
		return sizeof(a->v4);
	case AF_INET6:
		return sizeof(a->v6);
	}
	return 0;
}

bool rc_addr_is_set(const struct rc_addr *a)
{
	static const uint8_t zero[16];

	return addr_size(a) && memcmp(a->v6, zero, addr_size(a));
}

bool rc_addr_is_v4mapped(const struct rc_addr *a)
{
	return a->family == AF_INET6 &&
	       !memcmp(a->v6, v4mapped, sizeof(v4mapped));
}

int rc_addr_cmp(const struct rc_addr *a, const struct rc_addr *b)
{
	bool sa = rc_addr_is_set(a), sb = rc_addr_is_set(b);

	if (!sa || !sb)
		return sa - sb;
	if (a->family != b->family)
		return a->family == AF_INET ? -1 : 1;
	/* Network byte order: memcmp is the numeric order. */
	return memcmp(a->v6, b->v6, addr_size(a));
}

bool rc_addr_eq(const struct rc_addr *a, const struct rc_addr *b)
{
	return !rc_addr_cmp(a, b);
}

const char *rc_addr_family_name(const struct rc_addr *a)
{
	switch (a->family) {
	case AF_INET:
		return "IPv4";
	case AF_INET6:
		return "IPv6";
	}
	return "no address";
}

void fmt_addr(const struct rc_addr *a, char *buf)
{
	uint32_t none = 0;

	if (a->family == AF_INET6)
		inet_ntop(AF_INET6, a->v6, buf, ADDR_LEN);
	else
		inet_ntop(AF_INET, a->family == AF_INET ? &a->v4 : &none, buf,
			  ADDR_LEN);
}

void fmt_endpoint(const struct rc_addr *a, uint16_t port, char *buf,
		  size_t len)
{
	char s[ADDR_LEN];

	fmt_addr(a, s);
	snprintf(buf, len, a->family == AF_INET6 ? "[%s]:%u" : "%s:%u", s,
		 port);
}
