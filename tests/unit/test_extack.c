// SPDX-License-Identifier: GPL-2.0
/*
 * test_extack.c - the kernel's extended ack: decoding NLMSG_ERROR and
 * NLMSG_DONE messages (capped or with the request echoed), and the error
 * line replctl prints for a refused request.
 */
#include "unit.h"

#include <errno.h>
#include <libmnl/libmnl.h>

#include "addrs.h"
#include "extack.h"
#include "msg.h"
#include "parse.h"

static uint8_t req_buf[MSG_BUF_SIZE] __attribute__((aligned(8)));
static uint8_t buf[8192] __attribute__((aligned(8)));

/* An NLMSG_ERROR for req with error err; capped: only req's header. */
static struct nlmsghdr *ack(const struct nlmsghdr *req, int err, bool capped,
			    bool tlvs)
{
	struct nlmsghdr *nlh;
	struct nlmsgerr *e;
	size_t len = sizeof(*e);

	if (!capped)
		len += req->nlmsg_len - sizeof(*req);
	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = (capped ? NLM_F_CAPPED : 0) |
			   (tlvs ? NLM_F_ACK_TLVS : 0);
	nlh->nlmsg_seq = req->nlmsg_seq;
	e = mnl_nlmsg_put_extra_header(nlh, len);
	e->error = err;
	memcpy(&e->msg, req, capped ? sizeof(*req) : req->nlmsg_len);
	return nlh;
}

static struct nlmsghdr *del_port_req(void)
{
	struct del_args a = { .by = DEL_BY_PORT, .port = 9999 };

	return msg_del_mapping(req_buf, 0x1a, 5, &a);
}

static char *print(const char *cmd, int err, const struct nl_extack *x,
		   const struct nlmsghdr *req)
{
	struct capture c;

	extack_print(capture_begin(&c), cmd, err, x, req);
	return capture_end(&c);
}

static void test_capped_msg_offs(void **state)
{
	struct nlmsghdr *req = del_port_req(), *nlh;
	struct nl_extack x;
	char *out;
	int err;

	(void)state;
	nlh = ack(req, -ENOENT, true, true);
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "no such mapping");
	mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS, 20);	/* MAP_PORT */
	assert_int_equal(extack_parse(nlh, &x, &err), 0);
	assert_int_equal(err, -ENOENT);
	assert_true(x.has_msg);
	assert_string_equal(x.msg, "no such mapping");
	assert_true(x.has_offs);
	assert_int_equal(x.offs, 20);
	assert_false(x.has_miss_type);
	assert_false(x.has_urange);

	out = print("del", err, &x, req);
	assert_string_equal(out, "replctl: del: No such file or directory: "
			    "no such mapping (PORT)\n");
	free(out);
	/* Without the request, no attribute name. */
	out = print("del", err, &x, NULL);
	assert_string_equal(out, "replctl: del: No such file or directory: "
			    "no such mapping\n");
	free(out);
}

static void test_echoed_request(void **state)
{
	struct add_args a = {
		.port = 8080,
		.targets = { 1, { { .addr = kaddr("127.0.0.1"), .port = 80 } } },
	};
	struct nlmsghdr *req, *nlh;
	struct nl_extack x;
	char *out;
	int err;

	(void)state;
	req = msg_add_mapping(req_buf, 0x1a, 5, &a);
	/* Not capped: the TLVs come after the whole echoed request. */
	nlh = ack(req, -EINVAL, false, true);
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG,
			  "the target must not be a loopback address\n");
	mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS, 28);	/* TARGET_ADDR */
	assert_int_equal(extack_parse(nlh, &x, &err), 0);
	assert_int_equal(err, -EINVAL);
	assert_string_equal(x.msg, "the target must not be a loopback "
			    "address");	/* newline dropped */
	out = print("add", err, &x, req);
	assert_string_equal(out, "replctl: add: Invalid argument: the target "
			    "must not be a loopback address (TARGET address)\n");
	free(out);
}

/* The line printed when the kernel refuses req with err, msg at offs. */
static char *refusal(const struct nlmsghdr *req, int err, const char *msg,
		     uint32_t offs)
{
	struct nlmsghdr *nlh = ack(req, err, true, true);
	struct nl_extack x;
	int got;

	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, msg);
	mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS, offs);
	assert_int_equal(extack_parse(nlh, &x, &got), 0);
	assert_int_equal(got, err);
	return print("add", got, &x, req);
}

/* What is at fault in one of several targets is named by that target. */
static void test_target_at_fault(void **state)
{
	struct add_args a = {
		.port = 8080,
		.targets = { 2, {
			{ .addr = kaddr("10.0.0.31"), .port = 80 },
			{ .addr = kaddr("127.0.0.1"), .port = 81 },
		} },
		.copies = 20,
	};
	struct nlmsghdr *req, *nlh;
	struct nl_extack x;
	char *out;
	int err;

	(void)state;
	req = msg_add_mapping(req_buf, 0x1a, 5, &a);
	/* The second entry of TARGETS (at 68) is at 92, its ADDR at 96. */
	out = refusal(req, -EINVAL, "loopback", 96);
	assert_string_equal(out, "replctl: add: Invalid argument: loopback "
			    "(TARGET 127.0.0.1:81)\n");
	free(out);
	out = refusal(req, -EINVAL, "loopback", 92);	/* the entry */
	assert_string_equal(out, "replctl: add: Invalid argument: loopback "
			    "(TARGET 127.0.0.1:81)\n");
	free(out);
	out = refusal(req, -EEXIST, "twice", 68);	/* the whole list */
	assert_string_equal(out, "replctl: add: File exists: twice "
			    "(TARGET_IP:PORT arguments)\n");
	free(out);

	/* COPIES, after TARGETS (4 + 2 * 20 bytes), with its range. */
	nlh = ack(req, -ERANGE, true, true);
	mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS, 68 + 44);
	{
		struct nlattr *pol = mnl_attr_nest_start(nlh,
							 NLMSGERR_ATTR_POLICY);

		mnl_attr_put_u64(nlh, NL_POLICY_TYPE_ATTR_MIN_VALUE_U, 1);
		mnl_attr_put_u64(nlh, NL_POLICY_TYPE_ATTR_MAX_VALUE_U, 16);
		mnl_attr_nest_end(nlh, pol);
	}
	assert_int_equal(extack_parse(nlh, &x, &err), 0);
	out = print("add", err, &x, req);
	assert_string_equal(out, "replctl: add: Numerical result out of "
			    "range: --copies refused: use 1-16\n");
	free(out);

	/* An attribute missing in a target's nest is a target's. */
	nlh = ack(req, -EINVAL, true, true);
	mnl_attr_put_u32(nlh, NLMSGERR_ATTR_MISS_TYPE, REPLCOPY_TA_PORT);
	mnl_attr_put_u32(nlh, NLMSGERR_ATTR_MISS_NEST, 92);
	assert_int_equal(extack_parse(nlh, &x, &err), 0);
	out = print("add", err, &x, req);
	assert_string_equal(out, "replctl: add: Invalid argument: TARGET port "
			    "missing\n");
	free(out);
}

/* IPv6: the ADDR6 attributes are named as their IPv4 twins. */
static void test_ipv6_at_fault(void **state)
{
	struct add_args a = {
		.online_addr = kaddr("fd00::5"),
		.port = 8080,
		.targets = { 2, {
			{ .addr = kaddr("10.0.0.31"), .port = 80 },
			{ .addr = kaddr("ff02::1"), .port = 81 },
		} },
	};
	struct nlmsghdr *req;
	char *out;

	(void)state;
	req = msg_add_mapping(req_buf, 0x1a, 5, &a);
	/* 20, PORT 8, ONLINE_ADDR6 at 28 (20 bytes), TARGET_ADDR at 48. */
	out = refusal(req, -EADDRNOTAVAIL, "not local", 28);
	assert_string_equal(out, "replctl: add: Cannot assign requested "
			    "address: not local (ONLINE_IP)\n");
	free(out);
	/*
	 * TARGET_PORT 56, SOURCE, PACING, FLAGS: TARGETS at 88; its first
	 * entry at 92 (20 bytes), the second at 112, its ADDR6 at 116.
	 */
	out = refusal(req, -EINVAL, "multicast", 116);
	assert_string_equal(out, "replctl: add: Invalid argument: multicast "
			    "(TARGET [ff02::1]:81)\n");
	free(out);

	a.targets.v[0].addr = kaddr("fd00::31");
	req = msg_add_mapping(req_buf, 0x1a, 5, &a);
	out = refusal(req, -EINVAL, "both", 48);
	assert_string_equal(out, "replctl: add: Invalid argument: both "
			    "(TARGET address)\n");
	free(out);
}

static void test_eperm_plain(void **state)
{
	struct nlmsghdr *req = del_port_req(), *nlh;
	struct nl_extack x;
	char *out;
	int err;

	(void)state;
	/* No NLM_F_ACK_TLVS: whatever follows is not an extack. */
	nlh = ack(req, -EPERM, true, false);
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "ignored");
	assert_int_equal(extack_parse(nlh, &x, &err), 0);
	assert_int_equal(err, -EPERM);
	assert_false(x.has_msg);
	out = print("del", err, &x, req);
	assert_string_equal(out, "replctl: del: permission denied (need "
			    "CAP_NET_ADMIN)\n");
	free(out);
}

static void test_policy_range(void **state)
{
	struct nlmsghdr *req, *nlh;
	struct nlattr *pol;
	struct set_args s;
	struct nl_extack x;
	char *out;
	int err;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.has[REPLCOPY_CFG_MAX_SESSIONS] = true;
	req = msg_set_config(req_buf, 0x1a, 5, &s);
	nlh = ack(req, -ERANGE, true, true);
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "integer out of range");
	mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS, 24);	/* in the nest */
	pol = mnl_attr_nest_start(nlh, NLMSGERR_ATTR_POLICY);
	mnl_attr_put_u32(nlh, NL_POLICY_TYPE_ATTR_TYPE, NL_ATTR_TYPE_U32);
	mnl_attr_put_u64(nlh, NL_POLICY_TYPE_ATTR_MIN_VALUE_U, 1);
	mnl_attr_put_u64(nlh, NL_POLICY_TYPE_ATTR_MAX_VALUE_U, 4294967295u);
	mnl_attr_nest_end(nlh, pol);
	assert_int_equal(extack_parse(nlh, &x, &err), 0);
	assert_true(x.has_urange);
	assert_int_equal(x.umin, 1);
	assert_int_equal(x.umax, 4294967295u);
	out = print("set", err, &x, req);
	assert_string_equal(out, "replctl: set: Numerical result out of "
			    "range: integer out of range (max-sessions: use "
			    "1-4294967295)\n");
	free(out);

	/* No message: the attribute and the range still say it. */
	x.has_msg = false;
	out = print("set", err, &x, req);
	assert_string_equal(out, "replctl: set: Numerical result out of "
			    "range: max-sessions refused: use 1-4294967295\n");
	free(out);

	/* Signed ranges too. */
	nlh = ack(req, -ERANGE, true, true);
	pol = mnl_attr_nest_start(nlh, NLMSGERR_ATTR_POLICY);
	mnl_attr_put_u64(nlh, NL_POLICY_TYPE_ATTR_MIN_VALUE_S, (uint64_t)-5);
	mnl_attr_put_u64(nlh, NL_POLICY_TYPE_ATTR_MAX_VALUE_S, 5);
	mnl_attr_nest_end(nlh, pol);
	assert_int_equal(extack_parse(nlh, &x, &err), 0);
	assert_true(x.has_srange);
	out = print("set", err, &x, NULL);
	assert_string_equal(out, "replctl: set: Numerical result out of "
			    "range: use -5-5\n");
	free(out);
}

static void test_missing_attr(void **state)
{
	struct nlmsghdr *req = del_port_req(), *nlh;
	struct nl_extack x;
	char *out;
	int err;

	(void)state;
	nlh = ack(req, -EINVAL, true, true);
	mnl_attr_put_u32(nlh, NLMSGERR_ATTR_MISS_TYPE,
			 REPLCOPY_A_MAP_TARGET_PORT);
	assert_int_equal(extack_parse(nlh, &x, &err), 0);
	assert_true(x.has_miss_type);
	assert_int_equal(x.miss_type, REPLCOPY_A_MAP_TARGET_PORT);
	out = print("add", err, &x, req);
	assert_string_equal(out, "replctl: add: Invalid argument: TARGET port "
			    "missing\n");
	free(out);

	nlh = ack(req, -EINVAL, true, true);
	mnl_attr_put_u32(nlh, NLMSGERR_ATTR_MISS_TYPE, 200);
	assert_int_equal(extack_parse(nlh, &x, &err), 0);
	out = print("add", err, &x, req);
	assert_string_equal(out, "replctl: add: Invalid argument: attribute "
			    "200 missing\n");
	free(out);
}

static void test_ack_with_warning(void **state)
{
	struct nlmsghdr *req = del_port_req(), *nlh;
	struct nl_extack x;
	int err = 99;

	(void)state;
	nlh = ack(req, 0, true, true);
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "nothing to do");
	assert_int_equal(extack_parse(nlh, &x, &err), 0);
	assert_int_equal(err, 0);
	assert_string_equal(x.msg, "nothing to do");

	nlh = ack(req, 0, true, false);
	assert_int_equal(extack_parse(nlh, &x, &err), 0);
	assert_int_equal(err, 0);
	assert_false(x.has_msg);
}

static void test_done(void **state)
{
	struct nlmsghdr *nlh;
	struct nl_extack x;
	int *e, err;

	(void)state;
	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLMSG_DONE;
	nlh->nlmsg_flags = NLM_F_MULTI | NLM_F_ACK_TLVS;
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(int));
	*e = -ENOENT;
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "no such mapping");
	assert_int_equal(extack_parse(nlh, &x, &err), 0);
	assert_int_equal(err, -ENOENT);
	assert_string_equal(x.msg, "no such mapping");

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLMSG_DONE;
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(int));
	*e = 0;
	assert_int_equal(extack_parse(nlh, &x, &err), 0);
	assert_int_equal(err, 0);
	assert_false(x.has_msg);
}

static void test_short(void **state)
{
	struct nlmsghdr *nlh;
	struct nl_extack x;
	int err;

	(void)state;
	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLMSG_ERROR;
	mnl_nlmsg_put_extra_header(nlh, 4);
	assert_int_equal(extack_parse(nlh, &x, &err), -EBADMSG);

	/* TLV flag, but the echoed length points past the message. */
	nlh = ack(del_port_req(), -EINVAL, false, true);
	((struct nlmsgerr *)mnl_nlmsg_get_payload(nlh))->msg.nlmsg_len = 4000;
	assert_int_equal(extack_parse(nlh, &x, &err), 0);
	assert_int_equal(err, -EINVAL);
	assert_false(x.has_msg);
	assert_false(x.has_offs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_capped_msg_offs),
		cmocka_unit_test(test_echoed_request),
		cmocka_unit_test(test_target_at_fault),
		cmocka_unit_test(test_ipv6_at_fault),
		cmocka_unit_test(test_eperm_plain),
		cmocka_unit_test(test_policy_range),
		cmocka_unit_test(test_missing_attr),
		cmocka_unit_test(test_ack_with_warning),
		cmocka_unit_test(test_done),
		cmocka_unit_test(test_short),
	};

	return cmocka_run_group_tests_name("extack", tests, NULL, NULL);
}
