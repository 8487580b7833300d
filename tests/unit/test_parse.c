// SPDX-License-Identifier: GPL-2.0
/*
 * test_parse.c - replctl argument parsing: numbers, ports, addresses,
 * every subcommand's options, and the exact usage error messages.
 */
#include "unit.h"

#include <arpa/inet.h>

#include "addrs.h"
#include "names.h"
#include "opt.h"
#include "parse.h"

/* Split a command line on spaces (no quoting: tests don't need it). */
struct args {
	int argc;
	char *argv[32];
	char buf[512];
};

static struct args *split(struct args *a, const char *line)
{
	char *p;

	memset(a, 0, sizeof(*a));
	snprintf(a->buf, sizeof(a->buf), "%s", line);
	for (p = strtok(a->buf, " "); p; p = strtok(NULL, " "))
		a->argv[a->argc++] = p;
	return a;
}

/* call fails with exactly this message (in the struct perr named e). */
#define ERR_IS(call, text) do {						\
		assert_int_equal((call), PARSE_ERR);			\
		assert_string_equal(e.msg, (text));			\
	} while (0)

/* ---- numbers --------------------------------------------------------- */

static void test_port_edges(void **state)
{
	struct perr e;
	uint16_t p = 7;

	(void)state;
	ERR_IS(parse_port("0", "PORT", &p, &e),
	       "PORT \"0\" out of range: use 1-65535");
	assert_int_equal(p, 7);		/* untouched on error */
	assert_int_equal(parse_port("1", "PORT", &p, &e), 0);
	assert_int_equal(p, 1);
	assert_int_equal(parse_port("65535", "PORT", &p, &e), 0);
	assert_int_equal(p, 65535);
	ERR_IS(parse_port("65536", "PORT", &p, &e),
	       "PORT \"65536\" out of range: use 1-65535");
	ERR_IS(parse_port("70000", "PORT", &p, &e),
	       "PORT \"70000\" out of range: use 1-65535");
	assert_int_equal(parse_port("080", "PORT", &p, &e), 0);
	assert_int_equal(p, 80);
}

static void test_number_junk(void **state)
{
	struct perr e;
	uint64_t v;
	uint32_t w;

	(void)state;
	ERR_IS(parse_u64("", 1, 10, "N", &v, &e),
	       "N \"\" is not a number: use 1-10");
	ERR_IS(parse_u64("-1", 1, 10, "N", &v, &e),
	       "N \"-1\" is not a number: use 1-10");
	ERR_IS(parse_u64("+1", 1, 10, "N", &v, &e),
	       "N \"+1\" is not a number: use 1-10");
	ERR_IS(parse_u64(" 1", 1, 10, "N", &v, &e),
	       "N \" 1\" is not a number: use 1-10");
	ERR_IS(parse_u64("abc", 1, 10, "N", &v, &e),
	       "N \"abc\" is not a number: use 1-10");
	ERR_IS(parse_u64("80x", 1, 100, "PORT", &v, &e),
	       "PORT \"80x\" has \"x\" after the number: use a plain number, "
	       "1-100");
	ERR_IS(parse_u64("8 ", 1, 100, "N", &v, &e),
	       "N \"8 \" has \" \" after the number: use a plain number, "
	       "1-100");
	ERR_IS(parse_u64("0x10", 0, 100, "N", &v, &e),
	       "N \"0x10\" has \"x10\" after the number: use a plain number, "
	       "0-100");
	ERR_IS(parse_u64("1.5", 0, 100, "N", &v, &e),
	       "N \"1.5\" has \".5\" after the number: use a plain number, "
	       "0-100");
	ERR_IS(parse_u64("99999999999999999999999", 0, UINT64_MAX, "N", &v,
			 &e),
	       "N \"99999999999999999999999\" out of range: use "
	       "0-18446744073709551615");
	assert_int_equal(parse_u64("18446744073709551615", 0, UINT64_MAX,
				   "N", &v, &e), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(parse_u32("4294967295", 0, UINT32_MAX, "N", &w, &e),
			 0);
	assert_true(w == UINT32_MAX);
	ERR_IS(parse_u32("4294967296", 0, UINT32_MAX, "N", &w, &e),
	       "N \"4294967296\" out of range: use 0-4294967295");
}

static void test_interval(void **state)
{
	struct perr e;
	double d = 0;

	(void)state;
	assert_int_equal(parse_interval("1", "-i", &d, &e), 0);
	assert_true(d == 1.0);
	assert_int_equal(parse_interval("0.5", "-i", &d, &e), 0);
	assert_true(d == 0.5);
	assert_int_equal(parse_interval("0.1", "-i", &d, &e), 0);
	assert_int_equal(parse_interval("86400", "-i", &d, &e), 0);
	ERR_IS(parse_interval("0", "-i", &d, &e),
	       "-i \"0\" out of range: use 0.1-86400 seconds");
	ERR_IS(parse_interval("0.05", "-i", &d, &e),
	       "-i \"0.05\" out of range: use 0.1-86400 seconds");
	ERR_IS(parse_interval("86401", "-i", &d, &e),
	       "-i \"86401\" out of range: use 0.1-86400 seconds");
	ERR_IS(parse_interval("1s", "-i", &d, &e),
	       "-i \"1s\" has \"s\" after the number: give plain seconds, "
	       "e.g. 1 or 0.5");
	ERR_IS(parse_interval("1e3", "-i", &d, &e),
	       "-i \"1e3\" has \"e3\" after the number: give plain seconds, "
	       "e.g. 1 or 0.5");
	ERR_IS(parse_interval("1.", "-i", &d, &e),
	       "-i \"1.\" is not a number of seconds: use e.g. 1 or 0.5");
	ERR_IS(parse_interval(".5", "-i", &d, &e),
	       "-i \".5\" is not a number of seconds: use e.g. 1 or 0.5");
	ERR_IS(parse_interval("inf", "-i", &d, &e),
	       "-i \"inf\" is not a number of seconds: use e.g. 1 or 0.5");
	ERR_IS(parse_interval("-1", "-i", &d, &e),
	       "-i \"-1\" is not a number of seconds: use e.g. 1 or 0.5");
}

static void test_bool(void **state)
{
	struct perr e;
	bool b;

	(void)state;
	assert_int_equal(parse_bool("on", "x", &b, &e), 0);
	assert_true(b);
	assert_int_equal(parse_bool("off", "x", &b, &e), 0);
	assert_false(b);
	assert_int_equal(parse_bool("1", "x", &b, &e), 0);
	assert_true(b);
	assert_int_equal(parse_bool("no", "x", &b, &e), 0);
	assert_false(b);
	ERR_IS(parse_bool("maybe", "wq-unbound", &b, &e),
	       "wq-unbound \"maybe\" is not valid: use on or off");
	ERR_IS(parse_bool("ON", "wq-unbound", &b, &e),
	       "wq-unbound \"ON\" is not valid: use on or off");
}

/* ---- addresses ------------------------------------------------------- */

static void test_ip(void **state)
{
	struct rc_addr a = kaddr("10.9.9.9");
	struct perr e;

	(void)state;
	assert_int_equal(parse_ip("10.0.0.31", "X", &a, &e), 0);
	assert_addr(&a, "10.0.0.31");
	assert_int_equal(ntohl(a.v4), 0x0a00001f);
	ERR_IS(parse_ip("10.0.0.256", "X", &a, &e),
	       "X \"10.0.0.256\" is not an IPv4 address: write it as a.b.c.d, "
	       "e.g. 10.0.0.31");
	ERR_IS(parse_ip("10.0.0", "X", &a, &e),
	       "X \"10.0.0\" is not an IPv4 address: write it as a.b.c.d, "
	       "e.g. 10.0.0.31");
	ERR_IS(parse_ip("10.0.0.1.2", "X", &a, &e),
	       "X \"10.0.0.1.2\" is not an IPv4 address: write it as a.b.c.d, "
	       "e.g. 10.0.0.31");
	ERR_IS(parse_ip("010.0.0.1", "X", &a, &e),
	       "X \"010.0.0.1\" is not an IPv4 address: write it as a.b.c.d, "
	       "e.g. 10.0.0.31");
	ERR_IS(parse_ip("test.example", "X", &a, &e),
	       "X \"test.example\" is not an IPv4 address (host names are not "
	       "resolved): write it as a.b.c.d, e.g. 10.0.0.31");
	ERR_IS(parse_ip("", "X", &a, &e),
	       "X is empty: write it as a.b.c.d, e.g. 10.0.0.31");
	assert_addr(&a, "10.0.0.31");	/* untouched on error */

	/* IPv6: a ':' says so; printed back compressed. */
	assert_int_equal(parse_ip("::1", "X", &a, &e), 0);
	assert_addr(&a, "::1");
	assert_int_equal(parse_ip("FD00:0:0:0:0:0:0:31", "X", &a, &e), 0);
	assert_addr(&a, "fd00::31");
	assert_int_equal(a.v6[0], 0xfd);
	assert_int_equal(a.v6[15], 0x31);
	assert_int_equal(parse_ip("2001:db8::10.0.0.1", "X", &a, &e), 0);
	assert_addr(&a, "2001:db8::a00:1");
	ERR_IS(parse_ip("fd00::zz", "X", &a, &e),
	       "X \"fd00::zz\" is not an IPv6 address: write it as x:x::x, "
	       "e.g. fd00::31");
	ERR_IS(parse_ip("fd00:::1", "X", &a, &e),
	       "X \"fd00:::1\" is not an IPv6 address: write it as x:x::x, "
	       "e.g. fd00::31");
	ERR_IS(parse_ip("1:2:3:4:5:6:7:8:9", "X", &a, &e),
	       "X \"1:2:3:4:5:6:7:8:9\" is not an IPv6 address: write it as "
	       "x:x::x, e.g. fd00::31");
	ERR_IS(parse_ip("fe80::1%eth0", "X", &a, &e),
	       "X \"fe80::1%eth0\" has a zone index (\"%eth0\"), which replctl "
	       "does not take: give a global or unique local address, e.g. "
	       "fd00::31");
	ERR_IS(parse_ip("::ffff:10.0.0.31", "X", &a, &e),
	       "X \"::ffff:10.0.0.31\" is an IPv4-mapped IPv6 address: give "
	       "the IPv4 address itself (10.0.0.31), without brackets");
	ERR_IS(parse_ip("::FFFF:a00:1f", "X", &a, &e),
	       "X \"::FFFF:a00:1f\" is an IPv4-mapped IPv6 address: give "
	       "the IPv4 address itself (10.0.0.31), without brackets");
	assert_addr(&a, "2001:db8::a00:1");	/* untouched on error */
}

static void test_online(void **state)
{
	struct rc_addr a = kaddr("10.9.9.9");
	uint16_t p = 0;
	struct perr e;

	(void)state;
	assert_int_equal(parse_online("11311", &a, &p, &e), 0);
	assert_addr(&a, NULL);
	assert_int_equal(p, 11311);
	assert_int_equal(parse_online("10.0.0.5:80", &a, &p, &e), 0);
	assert_addr(&a, "10.0.0.5");
	assert_int_equal(p, 80);
	assert_int_equal(parse_online("*:8080", &a, &p, &e), 0);
	assert_addr(&a, NULL);
	assert_int_equal(p, 8080);
	assert_int_equal(parse_online("0.0.0.0:1", &a, &p, &e), 0);
	assert_addr(&a, NULL);
	assert_int_equal(p, 1);
	assert_int_equal(parse_online("1.2.3.4:65535", &a, &p, &e), 0);
	assert_int_equal(p, 65535);

	ERR_IS(parse_online("0", &a, &p, &e),
	       "PORT \"0\" out of range: use 1-65535");
	ERR_IS(parse_online("65536", &a, &p, &e),
	       "PORT \"65536\" out of range: use 1-65535");
	ERR_IS(parse_online("1.2.3.4:0", &a, &p, &e),
	       "PORT \"0\" out of range: use 1-65535");
	ERR_IS(parse_online("1.2.3.4:65536", &a, &p, &e),
	       "PORT \"65536\" out of range: use 1-65535");
	ERR_IS(parse_online("", &a, &p, &e),
	       "PORT \"\" is not a number: use 1-65535");
	ERR_IS(parse_online("http", &a, &p, &e),
	       "PORT \"http\" is not a number: use 1-65535");
	ERR_IS(parse_online("80/tcp", &a, &p, &e),
	       "PORT \"80/tcp\" has \"/tcp\" after the number: use a plain "
	       "number, 1-65535");
	ERR_IS(parse_online("10.0.0.5", &a, &p, &e),
	       "PORT \"10.0.0.5\" is an address without a port: write it as "
	       "[ONLINE_IP:]PORT, e.g. 10.0.0.5:11311");
	ERR_IS(parse_online("10.0.0.5:", &a, &p, &e),
	       "PORT \"10.0.0.5:\" has no port: write it as [ONLINE_IP:]PORT, "
	       "e.g. 10.0.0.5:11311");
	ERR_IS(parse_online(":80", &a, &p, &e),
	       "PORT \":80\" has an empty address before ':': write it as "
	       "PORT or ONLINE_IP:PORT, e.g. 11311 or 10.0.0.5:11311");
	ERR_IS(parse_online("10.0.0.500:80", &a, &p, &e),
	       "ONLINE_IP \"10.0.0.500\" is not an IPv4 address: write it as "
	       "a.b.c.d, e.g. 10.0.0.31");
	ERR_IS(parse_online("1.2.3.4:80:81", &a, &p, &e),
	       "PORT \"1.2.3.4:80:81\" has more than one ':': write it as "
	       "[ONLINE_IP:]PORT, e.g. 11311 or 10.0.0.5:11311, or an IPv6 "
	       "address in brackets, e.g. [fd00::5]:11311");
}

static void test_online6(void **state)
{
	struct rc_addr a = kaddr("10.9.9.9");
	uint16_t p = 0;
	struct perr e;

	(void)state;
	assert_int_equal(parse_online("[fd00::5]:8080", &a, &p, &e), 0);
	assert_addr(&a, "fd00::5");
	assert_int_equal(p, 8080);
	assert_int_equal(parse_online("[2001:DB8:0::1]:1", &a, &p, &e), 0);
	assert_addr(&a, "2001:db8::1");
	assert_int_equal(p, 1);
	/* [::], as 0.0.0.0: any local address, of both families. */
	assert_int_equal(parse_online("[::]:443", &a, &p, &e), 0);
	assert_addr(&a, NULL);
	assert_int_equal(p, 443);

	ERR_IS(parse_online("fd00::5:8080", &a, &p, &e),
	       "PORT \"fd00::5:8080\" looks like an IPv6 address without "
	       "brackets: write it as [IPv6]:PORT, e.g. [fd00::5]:8080");
	ERR_IS(parse_online("fe80::1", &a, &p, &e),
	       "PORT \"fe80::1\" looks like an IPv6 address without brackets: "
	       "write it as [IPv6]:PORT, e.g. [fe80::1]:11311");
	ERR_IS(parse_online("[fd00::5:8080", &a, &p, &e),
	       "PORT \"[fd00::5:8080\" has no closing ']': write it as "
	       "[IPv6]:PORT, e.g. [fd00::5]:11311");
	ERR_IS(parse_online("[fd00::5]", &a, &p, &e),
	       "PORT \"[fd00::5]\" has no port: write it as [IPv6]:PORT, e.g. "
	       "[fd00::5]:11311");
	ERR_IS(parse_online("[fd00::5]:", &a, &p, &e),
	       "PORT \"[fd00::5]:\" has no port: write it as [IPv6]:PORT, e.g. "
	       "[fd00::5]:11311");
	ERR_IS(parse_online("[fd00::5]8080", &a, &p, &e),
	       "PORT \"[fd00::5]8080\" has \"8080\" after ']': write it as "
	       "[IPv6]:PORT, e.g. [fd00::5]:11311");
	ERR_IS(parse_online("[]:8080", &a, &p, &e),
	       "PORT \"[]:8080\" has no address between the brackets: write it "
	       "as [IPv6]:PORT, e.g. [fd00::5]:11311");
	ERR_IS(parse_online("[fd00::5]:0", &a, &p, &e),
	       "PORT \"0\" out of range: use 1-65535");
	ERR_IS(parse_online("[fd00::5]:http", &a, &p, &e),
	       "PORT \"http\" is not a number: use 1-65535");
	ERR_IS(parse_online("[fd00::zz]:80", &a, &p, &e),
	       "ONLINE_IP \"fd00::zz\" is not an IPv6 address: write it as "
	       "x:x::x, e.g. fd00::31");
	ERR_IS(parse_online("[10.0.0.5]:80", &a, &p, &e),
	       "PORT \"[10.0.0.5]:80\" has an IPv4 address in brackets: write "
	       "IPv4 addresses without them, e.g. 10.0.0.5:80");
	ERR_IS(parse_online("[::ffff:10.0.0.5]:80", &a, &p, &e),
	       "ONLINE_IP \"::ffff:10.0.0.5\" is an IPv4-mapped IPv6 address: "
	       "give the IPv4 address itself (10.0.0.5), without brackets");
	assert_addr(&a, NULL);		/* untouched on error */
	assert_int_equal(p, 443);
}

static void test_target(void **state)
{
	struct rc_addr a;
	uint16_t p = 0;
	struct perr e;

	(void)state;
	assert_int_equal(parse_target("10.0.0.31:11511", &a, &p, &e), 0);
	assert_addr(&a, "10.0.0.31");
	assert_int_equal(p, 11511);
	assert_int_equal(parse_target("192.168.1.1:1", &a, &p, &e), 0);
	assert_int_equal(p, 1);

	ERR_IS(parse_target("10.0.0.31", &a, &p, &e),
	       "TARGET \"10.0.0.31\" has no port: write it as IP:PORT, e.g. "
	       "10.0.0.31:11511");
	ERR_IS(parse_target("10.1.2.3", &a, &p, &e),
	       "TARGET \"10.1.2.3\" has no port: write it as IP:PORT, e.g. "
	       "10.1.2.3:11511");
	ERR_IS(parse_target("testhost", &a, &p, &e),
	       "TARGET \"testhost\" has no port: write it as IP:PORT, e.g. "
	       "10.0.0.31:11511");
	ERR_IS(parse_target("11511", &a, &p, &e),
	       "TARGET \"11511\" has no address: write it as IP:PORT, e.g. "
	       "10.0.0.31:11511");
	ERR_IS(parse_target(":80", &a, &p, &e),
	       "TARGET \":80\" has no address: write it as IP:PORT, e.g. "
	       "10.0.0.31:80");
	ERR_IS(parse_target("10.0.0.31:", &a, &p, &e),
	       "TARGET \"10.0.0.31:\" has no port: write it as IP:PORT, e.g. "
	       "10.0.0.31:11511");
	ERR_IS(parse_target("", &a, &p, &e),
	       "TARGET is empty: write it as IP:PORT, e.g. 10.0.0.31:11511");
	ERR_IS(parse_target("10.0.0.31:0", &a, &p, &e),
	       "TARGET port \"0\" out of range: use 1-65535");
	ERR_IS(parse_target("10.0.0.31:70000", &a, &p, &e),
	       "TARGET port \"70000\" out of range: use 1-65535");
	ERR_IS(parse_target("10.0.0.31:http", &a, &p, &e),
	       "TARGET port \"http\" is not a number: use 1-65535");
	ERR_IS(parse_target("test.example:80", &a, &p, &e),
	       "TARGET address \"test.example\" is not an IPv4 address (host "
	       "names are not resolved): write it as a.b.c.d, e.g. "
	       "10.0.0.31");
	ERR_IS(parse_target("10.0.0.300:80", &a, &p, &e),
	       "TARGET address \"10.0.0.300\" is not an IPv4 address: write "
	       "it as a.b.c.d, e.g. 10.0.0.31");
	ERR_IS(parse_target("10.0.0.31:80:81", &a, &p, &e),
	       "TARGET \"10.0.0.31:80:81\" has more than one ':': write it as "
	       "IP:PORT, e.g. 10.0.0.31:11511, or an IPv6 address in "
	       "brackets, e.g. [fd00::31]:11511");
	/*
	 * Whether an address may be a target is the kernel's call (it
	 * answers with an extack message and status 1): replctl checks the
	 * syntax only.
	 */
	assert_int_equal(parse_target("0.0.0.0:80", &a, &p, &e), 0);
	assert_addr(&a, "0.0.0.0");
	assert_int_equal(parse_target("127.0.0.1:80", &a, &p, &e), 0);
	assert_addr(&a, "127.0.0.1");
	assert_int_equal(parse_target("224.0.0.1:80", &a, &p, &e), 0);
	assert_int_equal(parse_target("255.255.255.255:65535", &a, &p, &e), 0);
	assert_int_equal(a.v4, 0xffffffffu);
	assert_int_equal(p, 65535);
}

static void test_target6(void **state)
{
	struct rc_addr a;
	uint16_t p = 0;
	struct perr e;

	(void)state;
	assert_int_equal(parse_target("[fd00::31]:11511", &a, &p, &e), 0);
	assert_addr(&a, "fd00::31");
	assert_int_equal(p, 11511);
	assert_int_equal(parse_target("[2001:db8:0:0:1:0:0:1]:65535", &a, &p,
				      &e), 0);
	assert_addr(&a, "2001:db8::1:0:0:1");
	assert_int_equal(p, 65535);
	/* The kernel's call, as for IPv4 (::, ::1, multicast, link-local). */
	assert_int_equal(parse_target("[::]:80", &a, &p, &e), 0);
	assert_addr(&a, "::");
	assert_int_equal(parse_target("[::1]:80", &a, &p, &e), 0);
	assert_addr(&a, "::1");
	assert_int_equal(parse_target("[ff02::1]:80", &a, &p, &e), 0);
	assert_int_equal(parse_target("[fe80::1]:80", &a, &p, &e), 0);

	ERR_IS(parse_target("fd00::31:11511", &a, &p, &e),
	       "TARGET \"fd00::31:11511\" looks like an IPv6 address without "
	       "brackets: write it as [IPv6]:PORT, e.g. [fd00::31]:11511");
	ERR_IS(parse_target("2001:db8::1:80", &a, &p, &e),
	       "TARGET \"2001:db8::1:80\" looks like an IPv6 address without "
	       "brackets: write it as [IPv6]:PORT, e.g. [2001:db8::1]:80");
	ERR_IS(parse_target("fe80::1", &a, &p, &e),
	       "TARGET \"fe80::1\" looks like an IPv6 address without "
	       "brackets: write it as [IPv6]:PORT, e.g. [fe80::1]:11511");
	ERR_IS(parse_target("[fd00::31", &a, &p, &e),
	       "TARGET \"[fd00::31\" has no closing ']': write it as "
	       "[IPv6]:PORT, e.g. [fd00::31]:11511");
	ERR_IS(parse_target("[fd00::31:11511", &a, &p, &e),
	       "TARGET \"[fd00::31:11511\" has no closing ']': write it as "
	       "[IPv6]:PORT, e.g. [fd00::31]:11511");
	ERR_IS(parse_target("[fd00::31]", &a, &p, &e),
	       "TARGET \"[fd00::31]\" has no port: write it as [IPv6]:PORT, "
	       "e.g. [fd00::31]:11511");
	ERR_IS(parse_target("[fd00::31]:", &a, &p, &e),
	       "TARGET \"[fd00::31]:\" has no port: write it as [IPv6]:PORT, "
	       "e.g. [fd00::31]:11511");
	ERR_IS(parse_target("[fd00::31]/80", &a, &p, &e),
	       "TARGET \"[fd00::31]/80\" has \"/80\" after ']': write it as "
	       "[IPv6]:PORT, e.g. [fd00::31]:11511");
	ERR_IS(parse_target("[]:80", &a, &p, &e),
	       "TARGET \"[]:80\" has no address between the brackets: write "
	       "it as [IPv6]:PORT, e.g. [fd00::31]:11511");
	ERR_IS(parse_target("[fd00::31]:0", &a, &p, &e),
	       "TARGET port \"0\" out of range: use 1-65535");
	ERR_IS(parse_target("[fd00::31]:70000", &a, &p, &e),
	       "TARGET port \"70000\" out of range: use 1-65535");
	ERR_IS(parse_target("[fd00::31]:http", &a, &p, &e),
	       "TARGET port \"http\" is not a number: use 1-65535");
	ERR_IS(parse_target("[testhost]:80", &a, &p, &e),
	       "TARGET address \"testhost\" is not an IPv6 address: write it "
	       "as x:x::x, e.g. fd00::31");
	ERR_IS(parse_target("[fd00::31::1]:80", &a, &p, &e),
	       "TARGET address \"fd00::31::1\" is not an IPv6 address: write "
	       "it as x:x::x, e.g. fd00::31");
	ERR_IS(parse_target("[10.0.0.31]:80", &a, &p, &e),
	       "TARGET \"[10.0.0.31]:80\" has an IPv4 address in brackets: "
	       "write IPv4 addresses without them, e.g. 10.0.0.31:80");
	ERR_IS(parse_target("[10.0.0.31]", &a, &p, &e),
	       "TARGET \"[10.0.0.31]\" has an IPv4 address in brackets: write "
	       "IPv4 addresses without them, e.g. 10.0.0.31:11511");
	ERR_IS(parse_target("[::ffff:10.0.0.31]:80", &a, &p, &e),
	       "TARGET address \"::ffff:10.0.0.31\" is an IPv4-mapped IPv6 "
	       "address: give the IPv4 address itself (10.0.0.31), without "
	       "brackets");
	ERR_IS(parse_target("[fe80::1%eth0]:80", &a, &p, &e),
	       "TARGET address \"fe80::1%eth0\" has a zone index (\"%eth0\"), "
	       "which replctl does not take: give a global or unique local "
	       "address, e.g. fd00::31");
	ERR_IS(parse_target("[0123456789012345678901234567890123456789"
			    "0123456789012345678901234567890123456789]:80",
			    &a, &p, &e),
	       "TARGET address \"0123456789012345678901234567890123456789"
	       "0123456789012345678901234567890123456789\" is not an IPv6 "
	       "address: write it as x:x::x, e.g. fd00::31");
}

/* ---- option scanner -------------------------------------------------- */

static void test_opt_scanner(void **state)
{
	static const struct optdef defs[] = {
		{ "interval", 'i', true, 1 },
		{ "json", 'j', false, 2 },
		{ NULL, 0, false, 0 },
	};
	const char *val, *name;
	struct optscan s;
	struct args a;
	struct perr e;

	(void)state;
	split(&a, "-i1 pos --interval=2 -j --interval 3 -- -j");
	opt_init(&s, "x", a.argc, a.argv);
	assert_int_equal(opt_next(&s, defs, &val, &name, &e), 1);
	assert_string_equal(val, "1");
	assert_string_equal(name, "-i");
	assert_int_equal(opt_next(&s, defs, &val, &name, &e), OPT_POS);
	assert_string_equal(val, "pos");
	assert_int_equal(opt_next(&s, defs, &val, &name, &e), 1);
	assert_string_equal(val, "2");
	assert_string_equal(name, "--interval");
	assert_int_equal(opt_next(&s, defs, &val, &name, &e), 2);
	assert_null(val);
	assert_int_equal(opt_next(&s, defs, &val, &name, &e), 1);
	assert_string_equal(val, "3");
	assert_int_equal(opt_next(&s, defs, &val, &name, &e), OPT_POS);
	assert_string_equal(val, "-j");		/* after "--" */
	assert_int_equal(opt_next(&s, defs, &val, &name, &e), OPT_END);

	split(&a, "-");
	opt_init(&s, "x", a.argc, a.argv);
	assert_int_equal(opt_next(&s, defs, &val, &name, &e), OPT_POS);
	assert_string_equal(val, "-");

	split(&a, "--json=1");
	opt_init(&s, "x", a.argc, a.argv);
	assert_int_equal(opt_next(&s, defs, &val, &name, &e), OPT_ERR);
	assert_string_equal(e.msg, "option \"--json\" takes no value: write "
			    "it as --json alone");
	split(&a, "-jx");
	opt_init(&s, "x", a.argc, a.argv);
	assert_int_equal(opt_next(&s, defs, &val, &name, &e), OPT_ERR);
	assert_string_equal(e.msg, "option \"-j\" takes no value: write "
			    "\"-j\" alone, not \"-jx\"");
	split(&a, "--interval");
	opt_init(&s, "x", a.argc, a.argv);
	assert_int_equal(opt_next(&s, defs, &val, &name, &e), OPT_ERR);
	assert_string_equal(e.msg, "option \"--interval\" needs a value: see "
			    "replctl x -h");
	split(&a, "--intervals=1");
	opt_init(&s, "x", a.argc, a.argv);
	assert_int_equal(opt_next(&s, defs, &val, &name, &e), OPT_ERR);
	assert_string_equal(e.msg, "unknown option \"--intervals\": see "
			    "replctl x -h");
	split(&a, "-q");
	opt_init(&s, "x", a.argc, a.argv);
	assert_int_equal(opt_next(&s, defs, &val, &name, &e), OPT_ERR);
	assert_string_equal(e.msg, "unknown option \"-q\": see replctl x -h");

	assert_true(opt_wants_help(2, split(&a, "a -h")->argv));
	assert_true(opt_wants_help(2, split(&a, "--help b")->argv));
	assert_false(opt_wants_help(3, split(&a, "a -- -h")->argv));
	assert_false(opt_wants_help(1, split(&a, "-hx")->argv));
}

/* ---- add -------------------------------------------------------------- */

static int add(const char *line, struct add_args *a, struct perr *e)
{
	struct args s;

	split(&s, line);
	return parse_add_args(s.argc, s.argv, a, e);
}

static void test_add_ok(void **state)
{
	struct add_args a;
	struct perr e;

	(void)state;
	assert_int_equal(add("11311 10.0.0.31:11511", &a, &e), PARSE_OK);
	assert_int_equal(a.port, 11311);
	assert_addr(&a.online_addr, NULL);
	assert_int_equal(a.targets.n, 1);
	assert_addr(&a.targets.v[0].addr, "10.0.0.31");
	assert_int_equal(a.targets.v[0].port, 11511);
	assert_int_equal(a.source, REPLCOPY_SOURCE_AUTO);
	assert_int_equal(a.pacing, REPLCOPY_PACING_STREAM);
	assert_int_equal(a.flags, 0);
	assert_int_equal(a.sample, REPLCOPY_SAMPLE_ALL);
	assert_int_equal(a.copies, 1);
	assert_false(a.json);

	/* --sample: a percentage in steps of 0.01, stored in 1/10 000. */
	assert_int_equal(add("80 10.0.0.32:80 --sample 25", &a, &e), PARSE_OK);
	assert_int_equal(a.sample, 2500);
	assert_int_equal(add("80 10.0.0.32:80 --sample=2.5%", &a, &e),
			 PARSE_OK);
	assert_int_equal(a.sample, 250);
	assert_int_equal(add("80 10.0.0.32:80 --sample 0.01", &a, &e),
			 PARSE_OK);
	assert_int_equal(a.sample, 1);
	assert_int_equal(add("80 10.0.0.32:80 --sample 100.00", &a, &e),
			 PARSE_OK);
	assert_int_equal(a.sample, REPLCOPY_SAMPLE_ALL);
	assert_int_equal(add("80 10.0.0.32:80 --sample 007.5", &a, &e),
			 PARSE_OK);
	assert_int_equal(a.sample, 750);

	assert_int_equal(add("--source client --pacing=response --no-fabricate "
			     "-j 10.0.0.5:80 10.0.0.32:8080", &a, &e),
			 PARSE_OK);
	assert_addr(&a.online_addr, "10.0.0.5");
	assert_int_equal(a.port, 80);
	assert_int_equal(a.targets.n, 1);
	assert_addr(&a.targets.v[0].addr, "10.0.0.32");
	assert_int_equal(a.targets.v[0].port, 8080);
	assert_int_equal(a.source, REPLCOPY_SOURCE_CLIENT);
	assert_int_equal(a.pacing, REPLCOPY_PACING_RESPONSE);
	assert_int_equal(a.flags, REPLCOPY_MAPF_NO_FABRICATE);
	assert_true(a.json);

	/* Options after the positionals; the last --source wins. */
	assert_int_equal(add("*:80 10.0.0.32:8080 --source=client --source "
			     "auto --pacing stream --json", &a, &e), PARSE_OK);
	assert_addr(&a.online_addr, NULL);
	assert_int_equal(a.source, REPLCOPY_SOURCE_AUTO);
	assert_int_equal(a.pacing, REPLCOPY_PACING_STREAM);
	assert_true(a.json);

	/* Same port, other host: not a loop. */
	assert_int_equal(add("10.0.0.5:80 10.0.0.6:80", &a, &e), PARSE_OK);
}

static void test_add_errors(void **state)
{
	struct add_args a;
	struct perr e;

	(void)state;
	ERR_IS(add("70000 1.2.3.4:5", &a, &e),
	       "PORT \"70000\" out of range: use 1-65535");
	ERR_IS(add("11311 10.0.0.31", &a, &e),
	       "TARGET \"10.0.0.31\" has no port: write it as IP:PORT, e.g. "
	       "10.0.0.31:11511");
	ERR_IS(add("", &a, &e),
	       "missing PORT and TARGET: write replctl add [ONLINE_IP:]PORT "
	       "TARGET_IP:PORT, e.g. replctl add 11311 10.0.0.31:11511");
	ERR_IS(add("11311", &a, &e),
	       "missing TARGET: write replctl add 11311 TARGET_IP:PORT, e.g. "
	       "replctl add 11311 10.0.0.31:11511");
	ERR_IS(add("1 10.0.0.31:2 extra", &a, &e),
	       "unexpected argument \"extra\": add takes [ONLINE_IP:]PORT "
	       "TARGET_IP:PORT [TARGET_IP:PORT...] and options; see replctl "
	       "add -h");
	ERR_IS(add("1 10.0.0.31:2 --source server", &a, &e),
	       "--source \"server\" is not valid: use auto or client");
	ERR_IS(add("1 10.0.0.31:2 --source=", &a, &e),
	       "--source \"\" is not valid: use auto or client");
	ERR_IS(add("1 10.0.0.31:2 --pacing wait", &a, &e),
	       "--pacing \"wait\" is not valid: use stream or response");
	ERR_IS(add("1 10.0.0.31:2 --source", &a, &e),
	       "option \"--source\" needs a value: see replctl add -h");
	ERR_IS(add("1 10.0.0.31:2 --fabricate", &a, &e),
	       "unknown option \"--fabricate\": see replctl add -h");
	ERR_IS(add("1 10.0.0.31:2 --no-fabricate=yes", &a, &e),
	       "option \"--no-fabricate\" takes no value: write it as "
	       "--no-fabricate alone");
	ERR_IS(add("1 10.0.0.31:2 -x", &a, &e),
	       "unknown option \"-x\": see replctl add -h");
	ERR_IS(add("1 10.0.0.31:2 --sample 0", &a, &e),
	       "--sample \"0\" out of range: give a percentage of "
	       "connections from 0.01 to 100");
	ERR_IS(add("1 10.0.0.31:2 --sample 100.01", &a, &e),
	       "--sample \"100.01\" out of range: give a percentage of "
	       "connections from 0.01 to 100");
	ERR_IS(add("1 10.0.0.31:2 --sample 99999999999999999999", &a, &e),
	       "--sample \"99999999999999999999\" out of range: give a "
	       "percentage of connections from 0.01 to 100");
	ERR_IS(add("1 10.0.0.31:2 --sample 0.005", &a, &e),
	       "--sample \"0.005\" has more than two decimals: the sample "
	       "is set in steps of 0.01 %, e.g. 0.25");
	ERR_IS(add("1 10.0.0.31:2 --sample half", &a, &e),
	       "--sample \"half\" is not a percentage: give the share of "
	       "connections to replay, 0.01 to 100, e.g. 10 or 2.5");
	ERR_IS(add("1 10.0.0.31:2 --sample 5.", &a, &e),
	       "--sample \"5.\" is not a percentage: give the share of "
	       "connections to replay, 0.01 to 100, e.g. 10 or 2.5");
	ERR_IS(add("1 10.0.0.31:2 --sample -5", &a, &e),
	       "--sample \"-5\" is not a percentage: give the share of "
	       "connections to replay, 0.01 to 100, e.g. 10 or 2.5");
	/* A target that is the mapping itself, or loopback: the kernel's. */
	assert_int_equal(add("10.0.0.5:80 10.0.0.5:80", &a, &e), PARSE_OK);
	assert_int_equal(add("80 127.0.0.1:8080", &a, &e), PARSE_OK);
	/* The PORT is checked before the TARGET. */
	ERR_IS(add("0 bad", &a, &e),
	       "PORT \"0\" out of range: use 1-65535");
}

/* Several targets: in order, each once, at most REPLCOPY_MAX_TARGETS. */
static void test_add_targets(void **state)
{
	struct add_args a;
	struct perr e;
	char line[512];
	int i;

	(void)state;
	assert_int_equal(add("10.0.0.5:80 10.0.0.31:8080 --pacing response "
			     "10.0.0.32:8080 10.0.0.31:8081", &a, &e),
			 PARSE_OK);
	assert_int_equal(a.port, 80);
	assert_int_equal(a.targets.n, 3);
	assert_addr(&a.targets.v[0].addr, "10.0.0.31");
	assert_int_equal(a.targets.v[0].port, 8080);
	assert_addr(&a.targets.v[1].addr, "10.0.0.32");
	assert_int_equal(a.targets.v[1].port, 8080);
	assert_addr(&a.targets.v[2].addr, "10.0.0.31");
	assert_int_equal(a.targets.v[2].port, 8081);
	assert_int_equal(a.pacing, REPLCOPY_PACING_RESPONSE);

	/* Eight is the most. */
	snprintf(line, sizeof(line), "80");
	for (i = 1; i <= REPLCOPY_MAX_TARGETS; i++)
		snprintf(line + strlen(line), sizeof(line) - strlen(line),
			 " 10.0.1.%d:80", i);
	assert_int_equal(add(line, &a, &e), PARSE_OK);
	assert_int_equal(a.targets.n, REPLCOPY_MAX_TARGETS);
	assert_addr(&a.targets.v[7].addr, "10.0.1.8");
	strcat(line, " 10.0.1.9:80 10.0.1.10:80");
	ERR_IS(add(line, &a, &e),
	       "too many targets: \"10.0.1.9:80\" would be target 9, a "
	       "mapping has at most 8; give at most 8 TARGET_IP:PORT");

	/* Each target once, however it is spelled. */
	ERR_IS(add("80 10.0.0.31:80 10.0.0.32:80 10.0.0.31:80", &a, &e),
	       "TARGET \"10.0.0.31:80\" is given twice (targets 1 and 3): "
	       "give each target once; to replay each connection several "
	       "times to one target, use --copies N");
	ERR_IS(add("80 10.0.0.32:80 10.0.0.32:080", &a, &e),
	       "TARGET \"10.0.0.32:080\" is given twice (targets 1 and 2): "
	       "give each target once; to replay each connection several "
	       "times to one target, use --copies N");
	/* Same address, other port: another target. */
	assert_int_equal(add("80 10.0.0.32:80 10.0.0.32:81", &a, &e),
			 PARSE_OK);

	/* A further target is checked as the first one is. */
	ERR_IS(add("80 10.0.0.31:80 10.0.0.32", &a, &e),
	       "TARGET \"10.0.0.32\" has no port: write it as IP:PORT, e.g. "
	       "10.0.0.32:11511");
	ERR_IS(add("80 10.0.0.31:80 10.0.0.32:0", &a, &e),
	       "TARGET port \"0\" out of range: use 1-65535");
	ERR_IS(add("80 10.0.0.31:80 8080", &a, &e),
	       "TARGET \"8080\" has no address: write it as IP:PORT, e.g. "
	       "10.0.0.31:8080");
	ERR_IS(add("80 10.0.0.31:80 client", &a, &e),
	       "unexpected argument \"client\": add takes [ONLINE_IP:]PORT "
	       "TARGET_IP:PORT [TARGET_IP:PORT...] and options; see replctl "
	       "add -h");
	/* The PORT first, then the count, then each target. */
	ERR_IS(add("0 10.0.0.31:80 x", &a, &e),
	       "PORT \"0\" out of range: use 1-65535");
}

static void test_add_copies(void **state)
{
	struct add_args a;
	struct perr e;

	(void)state;
	assert_int_equal(add("80 10.0.0.31:80 --copies 3", &a, &e), PARSE_OK);
	assert_int_equal(a.copies, 3);
	assert_int_equal(add("80 10.0.0.31:80 --copies=16 10.0.0.32:80", &a,
			     &e), PARSE_OK);
	assert_int_equal(a.copies, 16);
	assert_int_equal(a.targets.n, 2);
	assert_int_equal(add("80 10.0.0.31:80 --copies 1", &a, &e), PARSE_OK);
	assert_int_equal(a.copies, 1);
	/* One copy is all --source client allows, and it is the default. */
	assert_int_equal(add("80 10.0.0.31:80 --source client --copies 1", &a,
			     &e), PARSE_OK);
	assert_int_equal(add("80 10.0.0.31:80 10.0.0.32:80 --source client",
			     &a, &e), PARSE_OK);

	ERR_IS(add("80 10.0.0.31:80 --copies 0", &a, &e),
	       "--copies \"0\" out of range: use 1-16");
	ERR_IS(add("80 10.0.0.31:80 --copies 17", &a, &e),
	       "--copies \"17\" out of range: use 1-16");
	ERR_IS(add("80 10.0.0.31:80 --copies two", &a, &e),
	       "--copies \"two\" is not a number: use 1-16");
	ERR_IS(add("80 10.0.0.31:80 --copies", &a, &e),
	       "option \"--copies\" needs a value: see replctl add -h");
	ERR_IS(add("80 10.0.0.31:80 --copies 2 --source client", &a, &e),
	       "--copies 2 with --source client: every copy would take the "
	       "client's own address and port toward the same target, where "
	       "only one can be; use --copies 1, or --source auto to make "
	       "copies");
	/* The last --source counts. */
	assert_int_equal(add("80 10.0.0.31:80 --source client --copies 2 "
			     "--source auto", &a, &e), PARSE_OK);
}

/* IPv6: bracket forms, families mixed (source auto), one (client). */
static void test_add_ipv6(void **state)
{
	struct add_args a;
	struct perr e;

	(void)state;
	assert_int_equal(add("8080 [fd00::31]:8081", &a, &e), PARSE_OK);
	assert_int_equal(a.port, 8080);
	assert_addr(&a.online_addr, NULL);
	assert_int_equal(a.targets.n, 1);
	assert_addr(&a.targets.v[0].addr, "fd00::31");
	assert_int_equal(a.targets.v[0].port, 8081);

	assert_int_equal(add("[fd00::5]:8080 10.0.0.31:8081 [fd00::31]:8081 "
			     "[FD00::31]:8082", &a, &e), PARSE_OK);
	assert_addr(&a.online_addr, "fd00::5");
	assert_int_equal(a.targets.n, 3);
	assert_addr(&a.targets.v[0].addr, "10.0.0.31");
	assert_addr(&a.targets.v[1].addr, "fd00::31");
	assert_addr(&a.targets.v[2].addr, "fd00::31");
	assert_int_equal(a.targets.v[2].port, 8082);

	/* Source client: one family, the online address's too. */
	assert_int_equal(add("[fd00::5]:80 [fd00::31]:80 [fd00::32]:80 "
			     "--source client", &a, &e), PARSE_OK);
	assert_int_equal(add("80 [fd00::31]:80 --source client", &a, &e),
			 PARSE_OK);
	ERR_IS(add("80 10.0.0.31:80 [fd00::31]:80 --source client", &a, &e),
	       "--source client with TARGET \"10.0.0.31:80\" (IPv4) and "
	       "TARGET \"[fd00::31]:80\" (IPv6): the replayed connections "
	       "take the client's own address, so the online address and "
	       "every target must be of one family; use --source auto to "
	       "replay across families");
	ERR_IS(add("80 [fd00::31]:80 [fd00::32]:80 10.0.0.31:80 --source "
		   "client", &a, &e),
	       "--source client with TARGET \"[fd00::31]:80\" (IPv6) and "
	       "TARGET \"10.0.0.31:80\" (IPv4): the replayed connections "
	       "take the client's own address, so the online address and "
	       "every target must be of one family; use --source auto to "
	       "replay across families");
	ERR_IS(add("[fd00::5]:80 10.0.0.31:80 --source client", &a, &e),
	       "--source client with PORT \"[fd00::5]:80\" (IPv6) and "
	       "TARGET \"10.0.0.31:80\" (IPv4): the replayed connections "
	       "take the client's own address, so the online address and "
	       "every target must be of one family; use --source auto to "
	       "replay across families");

	/* Each target once, however it is spelled. */
	ERR_IS(add("80 [fd00::31]:80 [fd00:0::31]:80", &a, &e),
	       "TARGET \"[fd00:0::31]:80\" is given twice (targets 1 and 2): "
	       "give each target once; to replay each connection several "
	       "times to one target, use --copies N");
	ERR_IS(add("80 fd00::31:80", &a, &e),
	       "TARGET \"fd00::31:80\" looks like an IPv6 address without "
	       "brackets: write it as [IPv6]:PORT, e.g. [fd00::31]:80");
	ERR_IS(add("[::ffff:10.0.0.5]:80 10.0.0.31:80", &a, &e),
	       "ONLINE_IP \"::ffff:10.0.0.5\" is an IPv4-mapped IPv6 "
	       "address: give the IPv4 address itself (10.0.0.5), without "
	       "brackets");
}

static void test_add_help(void **state)
{
	struct add_args a;
	struct perr e;

	(void)state;
	assert_int_equal(add("-h", &a, &e), PARSE_HELP);
	assert_int_equal(add("--help", &a, &e), PARSE_HELP);
	/* Help wins over errors elsewhere on the line. */
	assert_int_equal(add("70000 nonsense --bogus -h", &a, &e), PARSE_HELP);
	/* ... but not after "--". */
	assert_int_equal(add("1 10.0.0.31:2 -- -h", &a, &e), PARSE_ERR);
}

/* ---- del -------------------------------------------------------------- */

static int del(const char *line, struct del_args *a, struct perr *e)
{
	struct args s;

	split(&s, line);
	return parse_del_args(s.argc, s.argv, a, e);
}

static void test_del(void **state)
{
	struct del_args a;
	struct perr e;

	(void)state;
	assert_int_equal(del("11311", &a, &e), PARSE_OK);
	assert_int_equal(a.by, DEL_BY_PORT);
	assert_int_equal(a.port, 11311);
	assert_addr(&a.online_addr, NULL);
	assert_int_equal(del("10.0.0.5:80", &a, &e), PARSE_OK);
	assert_int_equal(a.by, DEL_BY_PORT);
	assert_int_equal(a.port, 80);
	assert_addr(&a.online_addr, "10.0.0.5");
	assert_int_equal(del("[fd00::5]:8080", &a, &e), PARSE_OK);
	assert_int_equal(a.by, DEL_BY_PORT);
	assert_int_equal(a.port, 8080);
	assert_addr(&a.online_addr, "fd00::5");
	ERR_IS(del("fd00::5:8080", &a, &e),
	       "PORT \"fd00::5:8080\" looks like an IPv6 address without "
	       "brackets: write it as [IPv6]:PORT, e.g. [fd00::5]:8080");
	assert_int_equal(del("--id 7", &a, &e), PARSE_OK);
	assert_int_equal(a.by, DEL_BY_ID);
	assert_int_equal(a.id, 7);
	assert_int_equal(del("--id=4294967295", &a, &e), PARSE_OK);
	assert_true(a.id == UINT32_MAX);
	assert_int_equal(del("--all", &a, &e), PARSE_OK);
	assert_int_equal(a.by, DEL_ALL);
	assert_int_equal(del("-h", &a, &e), PARSE_HELP);

	ERR_IS(del("", &a, &e),
	       "nothing to delete: give [ONLINE_IP:]PORT, --id ID or --all, "
	       "e.g. replctl del 11311");
	ERR_IS(del("80 --all", &a, &e),
	       "give only one of [ONLINE_IP:]PORT, --id ID and --all");
	ERR_IS(del("--id 1 --all", &a, &e),
	       "give only one of [ONLINE_IP:]PORT, --id ID and --all");
	ERR_IS(del("80 81", &a, &e),
	       "unexpected argument \"81\": del takes one [ONLINE_IP:]PORT; to "
	       "delete several, run del for each or use --all");
	ERR_IS(del("--id abc", &a, &e),
	       "--id \"abc\" is not a number: use 1-4294967295");
	ERR_IS(del("--id 4294967296", &a, &e),
	       "--id \"4294967296\" out of range: use 1-4294967295");
	ERR_IS(del("--id 0", &a, &e),
	       "--id \"0\" out of range: use 1-4294967295");
	ERR_IS(del("--id", &a, &e),
	       "option \"--id\" needs a value: see replctl del -h");
	ERR_IS(del("65536", &a, &e),
	       "PORT \"65536\" out of range: use 1-65535");
	ERR_IS(del("--all=yes", &a, &e),
	       "option \"--all\" takes no value: write it as --all alone");
}

/* ---- list/show/version, stats, sessions ------------------------------ */

static void test_json_args(void **state)
{
	struct json_args a;
	struct args s;
	struct perr e;

	(void)state;
	split(&s, "");
	assert_int_equal(parse_json_args("list", s.argc, s.argv, &a, &e),
			 PARSE_OK);
	assert_false(a.json);
	split(&s, "--json");
	assert_int_equal(parse_json_args("list", s.argc, s.argv, &a, &e),
			 PARSE_OK);
	assert_true(a.json);
	split(&s, "-j");
	assert_int_equal(parse_json_args("show", s.argc, s.argv, &a, &e),
			 PARSE_OK);
	assert_true(a.json);
	split(&s, "-h");
	assert_int_equal(parse_json_args("version", s.argc, s.argv, &a, &e),
			 PARSE_HELP);
	split(&s, "all");
	ERR_IS(parse_json_args("list", s.argc, s.argv, &a, &e),
	       "unexpected argument \"all\": list takes no arguments, only "
	       "--json");
	split(&s, "--yaml");
	ERR_IS(parse_json_args("show", s.argc, s.argv, &a, &e),
	       "unknown option \"--yaml\": see replctl show -h");
}

static int stats(const char *line, struct stats_args *a, struct perr *e)
{
	struct args s;

	split(&s, line);
	return parse_stats_args(s.argc, s.argv, a, e);
}

static void test_stats(void **state)
{
	struct stats_args a;
	struct perr e;

	(void)state;
	assert_int_equal(stats("", &a, &e), PARSE_OK);
	assert_false(a.has_interval);
	assert_false(a.has_id);
	assert_false(a.json);
	assert_int_equal(stats("-i 1", &a, &e), PARSE_OK);
	assert_true(a.has_interval);
	assert_true(a.interval == 1.0);
	assert_int_equal(a.count, 0);
	assert_int_equal(stats("-i0.5 -c 10 --id 3 --json", &a, &e),
			 PARSE_OK);
	assert_true(a.interval == 0.5);
	assert_int_equal(a.count, 10);
	assert_true(a.has_id);
	assert_int_equal(a.id, 3);
	assert_true(a.json);
	assert_int_equal(stats("--interval=2 --count=1 -j", &a, &e),
			 PARSE_OK);
	assert_true(a.interval == 2.0);
	assert_int_equal(a.count, 1);

	ERR_IS(stats("-c 5", &a, &e),
	       "-c COUNT needs -i SECONDS: write e.g. replctl stats -i 1 -c 5");
	ERR_IS(stats("-i 1 -c 0", &a, &e),
	       "-c \"0\" out of range: use 1-4294967295");
	ERR_IS(stats("-i 0", &a, &e),
	       "-i \"0\" out of range: use 0.1-86400 seconds");
	ERR_IS(stats("--interval=fast", &a, &e),
	       "--interval \"fast\" is not a number of seconds: use e.g. 1 or "
	       "0.5");
	ERR_IS(stats("1", &a, &e),
	       "unexpected argument \"1\": to print every N seconds write -i N "
	       "[-c COUNT], e.g. replctl stats -i 1");
	ERR_IS(stats("--id x", &a, &e),
	       "--id \"x\" is not a number: use 1-4294967295");
	ERR_IS(stats("-i", &a, &e),
	       "option \"-i\" needs a value: see replctl stats -h");
	assert_int_equal(stats("-i 0 -h", &a, &e), PARSE_HELP);
	assert_false(a.prometheus);
	assert_null(a.write);
}

static void test_stats_prometheus(void **state)
{
	struct stats_args a;
	struct args s;
	struct perr e;

	(void)state;
	assert_int_equal(stats("--prometheus", &a, &e), PARSE_OK);
	assert_true(a.prometheus);
	assert_false(a.json);
	assert_false(a.has_interval);
	assert_null(a.write);
	assert_int_equal(stats("--id 3 --prometheus --write /tmp/r.prom", &a,
			       &e), PARSE_OK);
	assert_true(a.prometheus);
	assert_true(a.has_id);
	assert_int_equal(a.id, 3);
	assert_string_equal(a.write, "/tmp/r.prom");
	/* The value points into argv, as it was typed. */
	split(&s, "--write=x.prom --prometheus");
	assert_int_equal(parse_stats_args(s.argc, s.argv, &a, &e), PARSE_OK);
	assert_ptr_equal(a.write, s.argv[0] + strlen("--write="));

	ERR_IS(stats("--prometheus --json", &a, &e),
	       "--prometheus and --json are two output formats: give only one "
	       "of them, e.g. replctl stats --prometheus");
	ERR_IS(stats("-j --prometheus --write f", &a, &e),
	       "--prometheus and --json are two output formats: give only one "
	       "of them, e.g. replctl stats --prometheus");
	ERR_IS(stats("--prometheus -i 1", &a, &e),
	       "--prometheus prints the counters once: leave out -i "
	       "(Prometheus computes rates itself), e.g. replctl stats "
	       "--prometheus");
	ERR_IS(stats("--interval=5 --prometheus -c 2", &a, &e),
	       "--prometheus prints the counters once: leave out --interval "
	       "(Prometheus computes rates itself), e.g. replctl stats "
	       "--prometheus");
	/* -c alone: the conflict with --prometheus is named, not -i. */
	ERR_IS(stats("--prometheus --count 2", &a, &e),
	       "--prometheus prints the counters once: leave out --count "
	       "(Prometheus computes rates itself), e.g. replctl stats "
	       "--prometheus");
	ERR_IS(stats("--write /tmp/r.prom", &a, &e),
	       "--write FILE needs --prometheus: write replctl stats "
	       "--prometheus --write /tmp/r.prom");
	ERR_IS(stats("--json --write /tmp/r.prom", &a, &e),
	       "--write FILE needs --prometheus: write replctl stats "
	       "--prometheus --write /tmp/r.prom");
	ERR_IS(stats("--prometheus --write=", &a, &e),
	       "--write needs a file name: write e.g. replctl stats "
	       "--prometheus --write "
	       "/var/lib/node_exporter/textfile_collector/replcopy.prom");
	ERR_IS(stats("--prometheus --write", &a, &e),
	       "option \"--write\" needs a value: see replctl stats -h");
	ERR_IS(stats("--prometheus=yes", &a, &e),
	       "option \"--prometheus\" takes no value: write it as "
	       "--prometheus alone");
	assert_int_equal(stats("--prometheus --json -h", &a, &e), PARSE_HELP);
}

static void test_sessions(void **state)
{
	struct sessions_args a;
	struct args s;
	struct perr e;

	(void)state;
	split(&s, "");
	assert_int_equal(parse_sessions_args(s.argc, s.argv, &a, &e),
			 PARSE_OK);
	assert_false(a.has_id);
	split(&s, "--id 12 -j");
	assert_int_equal(parse_sessions_args(s.argc, s.argv, &a, &e),
			 PARSE_OK);
	assert_true(a.has_id);
	assert_int_equal(a.id, 12);
	assert_true(a.json);
	split(&s, "12");
	ERR_IS(parse_sessions_args(s.argc, s.argv, &a, &e),
	       "unexpected argument \"12\": to show one mapping's sessions "
	       "write --id ID, e.g. replctl sessions --id 1");
	split(&s, "--id -1");
	ERR_IS(parse_sessions_args(s.argc, s.argv, &a, &e),
	       "--id \"-1\" is not a number: use 1-4294967295");
}

/* ---- set -------------------------------------------------------------- */

static int set(const char *line, struct set_args *a, struct perr *e)
{
	struct args s;

	split(&s, line);
	return parse_set_args(s.argc, s.argv, a, e);
}

static void test_set_ok(void **state)
{
	struct set_args a;
	struct perr e;
	unsigned int i;

	(void)state;
	assert_int_equal(set("worker kthread", &a, &e), PARSE_OK);
	assert_int_equal(a.n, 1);
	assert_true(a.has[REPLCOPY_CFG_WORKER]);
	assert_int_equal(a.val[REPLCOPY_CFG_WORKER], REPLCOPY_WORKER_KTHREAD);
	for (i = 0; i < __REPLCOPY_CFG_MAX; i++)
		if (i != REPLCOPY_CFG_WORKER)
			assert_false(a.has[i]);

	assert_int_equal(set("worker wq wq-unbound on wq-max-active 512 "
			     "max-sessions 4294967295 max-session-bytes 0 "
			     "max-total-kbytes 262144 idle-timeout 60 "
			     "syn-retries 10 max-retries 20", &a, &e),
			 PARSE_OK);
	assert_int_equal(a.n, 9);
	assert_int_equal(a.val[REPLCOPY_CFG_WORKER], REPLCOPY_WORKER_WQ);
	assert_int_equal(a.val[REPLCOPY_CFG_WQ_UNBOUND], 1);
	assert_int_equal(a.val[REPLCOPY_CFG_WQ_MAX_ACTIVE], 512);
	assert_true(a.val[REPLCOPY_CFG_MAX_SESSIONS] == UINT32_MAX);
	assert_int_equal(a.val[REPLCOPY_CFG_MAX_SESSION_BYTES], 0);
	assert_int_equal(a.val[REPLCOPY_CFG_MAX_TOTAL_BYTES], 262144);
	assert_int_equal(a.val[REPLCOPY_CFG_IDLE_TIMEOUT], 60);
	assert_int_equal(a.val[REPLCOPY_CFG_SYN_RETRIES], 10);
	assert_int_equal(a.val[REPLCOPY_CFG_MAX_RETRIES], 20);
	for (i = 1; i < __REPLCOPY_CFG_MAX; i++)
		assert_true(a.has[i]);

	/* snake_case keys (as in show --json) are accepted too. */
	assert_int_equal(set("wq_unbound off syn_retries 1 wq-max-active 0",
			     &a, &e), PARSE_OK);
	assert_int_equal(a.val[REPLCOPY_CFG_WQ_UNBOUND], 0);
	assert_int_equal(a.val[REPLCOPY_CFG_SYN_RETRIES], 1);
	assert_int_equal(a.val[REPLCOPY_CFG_WQ_MAX_ACTIVE], 0);
	assert_int_equal(set("-h", &a, &e), PARSE_HELP);
	assert_int_equal(set("worker bogus --help", &a, &e), PARSE_HELP);
}

static void test_set_errors(void **state)
{
	struct set_args a;
	struct perr e;

	(void)state;
	ERR_IS(set("", &a, &e),
	       "nothing to set: give KEY VALUE pairs, e.g. replctl set worker "
	       "kthread");
	ERR_IS(set("workers kthread", &a, &e),
	       "unknown setting \"workers\": use one of worker, wq-unbound, "
	       "wq-max-active, max-sessions, max-session-bytes, "
	       "max-total-kbytes, idle-timeout, syn-retries, max-retries");
	ERR_IS(set("--worker kthread", &a, &e),
	       "unknown option \"--worker\": set takes KEY VALUE pairs; keys "
	       "are worker, wq-unbound, wq-max-active, max-sessions, "
	       "max-session-bytes, max-total-kbytes, idle-timeout, "
	       "syn-retries, max-retries");
	ERR_IS(set("worker", &a, &e),
	       "setting \"worker\" needs a value: e.g. replctl set worker "
	       "kthread");
	ERR_IS(set("worker wq max-sessions", &a, &e),
	       "setting \"max-sessions\" needs a value: e.g. replctl set "
	       "max-sessions 10000");
	ERR_IS(set("worker wq worker kthread", &a, &e),
	       "setting \"worker\" given twice: give each setting once");
	ERR_IS(set("worker thread", &a, &e),
	       "worker \"thread\" is not valid: use wq or kthread");
	ERR_IS(set("wq-unbound yesplease", &a, &e),
	       "wq-unbound \"yesplease\" is not valid: use on or off");
	ERR_IS(set("wq-max-active 513", &a, &e),
	       "wq-max-active \"513\" out of range: use 0-512");
	ERR_IS(set("syn-retries 0", &a, &e),
	       "syn-retries \"0\" out of range: use 1-10");
	ERR_IS(set("syn-retries 11", &a, &e),
	       "syn-retries \"11\" out of range: use 1-10");
	ERR_IS(set("max-retries 21", &a, &e),
	       "max-retries \"21\" out of range: use 1-20");
	ERR_IS(set("max-retries 0", &a, &e),
	       "max-retries \"0\" out of range: use 1-20");
	ERR_IS(set("max-sessions 4294967296", &a, &e),
	       "max-sessions \"4294967296\" out of range: use 0-4294967295");
	ERR_IS(set("idle-timeout 30s", &a, &e),
	       "idle-timeout \"30s\" has \"s\" after the number: use a plain "
	       "number, 0-4294967295");
	ERR_IS(set("max-session-bytes -1", &a, &e),
	       "max-session-bytes \"-1\" is not a number: use 0-4294967295");
}

/* Every setting has a distinct key and attribute, both ways round. */
static void test_settings_table(void **state)
{
	size_t i, j;

	(void)state;
	assert_int_equal(rc_nsettings, REPLCOPY_CFG_MAX);
	for (i = 0; i < rc_nsettings; i++) {
		assert_ptr_equal(rc_setting_by_key(rc_settings[i].key),
				 &rc_settings[i]);
		assert_ptr_equal(rc_setting_by_key(rc_settings[i].json),
				 &rc_settings[i]);
		assert_ptr_equal(rc_setting_by_attr(rc_settings[i].attr),
				 &rc_settings[i]);
		for (j = 0; j < i; j++)
			assert_int_not_equal(rc_settings[i].attr,
					     rc_settings[j].attr);
	}
	assert_null(rc_setting_by_attr(REPLCOPY_CFG_UNSPEC));
	assert_null(rc_setting_by_key("bogus"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_port_edges),
		cmocka_unit_test(test_number_junk),
		cmocka_unit_test(test_interval),
		cmocka_unit_test(test_bool),
		cmocka_unit_test(test_ip),
		cmocka_unit_test(test_online),
		cmocka_unit_test(test_online6),
		cmocka_unit_test(test_target),
		cmocka_unit_test(test_target6),
		cmocka_unit_test(test_opt_scanner),
		cmocka_unit_test(test_add_ok),
		cmocka_unit_test(test_add_errors),
		cmocka_unit_test(test_add_targets),
		cmocka_unit_test(test_add_copies),
		cmocka_unit_test(test_add_ipv6),
		cmocka_unit_test(test_add_help),
		cmocka_unit_test(test_del),
		cmocka_unit_test(test_json_args),
		cmocka_unit_test(test_stats),
		cmocka_unit_test(test_stats_prometheus),
		cmocka_unit_test(test_sessions),
		cmocka_unit_test(test_set_ok),
		cmocka_unit_test(test_set_errors),
		cmocka_unit_test(test_settings_table),
	};

	return cmocka_run_group_tests_name("parse", tests, NULL, NULL);
}
