// SPDX-License-Identifier: GPL-2.0
/*
 * extack.c - decoding and printing the kernel's extended ack (see
 * extack.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <libmnl/libmnl.h>

#include "extack.h"
#include "msg.h"
#include "names.h"
#include "output.h"

static int policy_cb(const struct nlattr *a, void *data)
{
	struct nl_extack *x = data;

	if (mnl_attr_validate(a, MNL_TYPE_U64) < 0)
		return MNL_CB_OK;	/* types, masks: not needed */
	switch (mnl_attr_get_type(a)) {
	case NL_POLICY_TYPE_ATTR_MIN_VALUE_U:
		x->umin = mnl_attr_get_u64(a);
		x->has_urange = true;
		break;
	case NL_POLICY_TYPE_ATTR_MAX_VALUE_U:
		x->umax = mnl_attr_get_u64(a);
		break;
	case NL_POLICY_TYPE_ATTR_MIN_VALUE_S:
		x->smin = (int64_t)mnl_attr_get_u64(a);
		x->has_srange = true;
		break;
	case NL_POLICY_TYPE_ATTR_MAX_VALUE_S:
		x->smax = (int64_t)mnl_attr_get_u64(a);
		break;
	}
	return MNL_CB_OK;
}

static bool get_u32(const struct nlattr *a, uint32_t *v)
{
	if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
		return false;
	*v = mnl_attr_get_u32(a);
	return true;
}

static void parse_tlvs(const struct nlmsghdr *nlh, size_t off,
		       struct nl_extack *x)
{
	const struct nlattr *a;
	size_t len;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (MNL_ALIGN(off) > mnl_nlmsg_get_payload_len(nlh))
		return;
	mnl_attr_for_each(a, nlh, off) {
		switch (mnl_attr_get_type(a)) {
		case NLMSGERR_ATTR_MSG:
			if (mnl_attr_validate(a, MNL_TYPE_STRING) < 0)
				break;
			len = strnlen(mnl_attr_get_str(a),
				      mnl_attr_get_payload_len(a));
			if (len >= sizeof(x->msg))
				len = sizeof(x->msg) - 1;
			memcpy(x->msg, mnl_attr_get_str(a), len);
			/* Some messages end with a newline. */
			while (len && x->msg[len - 1] == '\n')
				len--;
			x->msg[len] = '\0';
			x->has_msg = len > 0;
			break;
		case NLMSGERR_ATTR_OFFS:
			x->has_offs = get_u32(a, &x->offs);
			break;
		case NLMSGERR_ATTR_MISS_TYPE:
			x->has_miss_type = get_u32(a, &x->miss_type);
			break;
		case NLMSGERR_ATTR_MISS_NEST:
			x->has_miss_nest = get_u32(a, &x->miss_nest);
			break;
		case NLMSGERR_ATTR_POLICY:
			if (mnl_attr_validate(a, MNL_TYPE_NESTED) >= 0)
				mnl_attr_parse_nested(a, policy_cb, x);
			break;
		}
	}
	if (x->has_urange && x->umax < x->umin)
		x->has_urange = false;
	if (x->has_srange && x->smax < x->smin)
		x->has_srange = false;
}

/* A kernel error is a negative errno; anything else is a malformed reply. */
static int errno_of(int err)
{
	if (err >= 0)
		return 0;
	return err >= -4095 ? err : -EBADMSG;
}

int extack_parse(const struct nlmsghdr *nlh, struct nl_extack *x,
		 int *error)
{
	const struct nlmsgerr *e;
	size_t off;
	int err;

	memset(x, 0, sizeof(*x));
	*error = 0;
	if (nlh->nlmsg_type == NLMSG_DONE) {
		/* A dump that failed part way says so in NLMSG_DONE. */
		if (mnl_nlmsg_get_payload_len(nlh) < sizeof(int))
			return 0;
		memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
		*error = errno_of(err);
		parse_tlvs(nlh, sizeof(int), x);
		return 0;
	}
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e))
		return -EBADMSG;
	e = mnl_nlmsg_get_payload(nlh);
	*error = errno_of(e->error);
	/* The TLVs follow the echoed request, or only its header. */
	off = sizeof(*e);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED) &&
	    e->msg.nlmsg_len >= sizeof(struct nlmsghdr))
		off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
	parse_tlvs(nlh, off, x);
	return 0;
}

static const char *label(int type, int nest)
{
	if (nest == REPLCOPY_A_CONFIG)
		return rc_cfg_attr_name(type);
	if (nest == REPLCOPY_A_MAP_TARGETS)
		return rc_target_attr_label(type);
	if (!nest)
		return rc_attr_label(type);
	return NULL;
}

/*
 * What the user calls the attribute of req at offs: a label, or in buf
 * "TARGET IP:PORT" for what is in one of the targets. NULL: not known.
 */
static const char *label_at(const struct nlmsghdr *req, uint32_t offs,
			    char *buf, size_t len)
{
	char ep[ENDPOINT_LEN];
	struct rc_target t;
	unsigned int k;
	int type, nest;

	if (msg_attr_at(req, offs, &type, &nest))
		return NULL;
	if (nest != REPLCOPY_A_MAP_TARGETS)
		return label(type, nest);
	if (msg_target_at(req, offs, &k, &t))
		return NULL;
	fmt_endpoint(&t.addr, t.port, ep, sizeof(ep));
	snprintf(buf, len, "TARGET %s", ep);
	return buf;
}

/* The nest a missing attribute belongs in: a target, else the settings. */
static int miss_nest(const struct nl_extack *x, const struct nlmsghdr *req)
{
	int type, nest;

	if (!x->has_miss_nest)
		return 0;
	if (req && !msg_attr_at(req, x->miss_nest, &type, &nest) &&
	    nest == REPLCOPY_A_MAP_TARGETS)
		return REPLCOPY_A_MAP_TARGETS;
	return REPLCOPY_A_CONFIG;
}

static void print_range(FILE *f, const struct nl_extack *x)
{
	if (x->has_urange)
		fprintf(f, "use %" PRIu64 "-%" PRIu64, x->umin, x->umax);
	else if (x->has_srange)
		fprintf(f, "use %" PRId64 "-%" PRId64, x->smin, x->smax);
}

void extack_print(FILE *f, const char *cmd, int err,
		  const struct nl_extack *x, const struct nlmsghdr *req)
{
	const char *what = NULL;
	bool range = x->has_urange || x->has_srange;
	char buf[ENDPOINT_LEN + 16];

	fprintf(f, "replctl: %s: ", cmd);
	if (err == -EPERM)
		fputs("permission denied (need CAP_NET_ADMIN)", f);
	else if (err == -EBADMSG)
		fputs("malformed reply from the kernel (do replctl and the "
		      "module match? see replctl version)", f);
	else
		fputs(strerror(-err), f);

	if (x->has_offs && req)
		what = label_at(req, x->offs, buf, sizeof(buf));

	if (x->has_msg) {
		fprintf(f, ": %s", x->msg);
		if (what || range) {
			fputs(" (", f);
			if (what)
				fprintf(f, "%s%s", what, range ? ": " : "");
			print_range(f, x);
			fputc(')', f);
		}
	} else if (what) {
		fprintf(f, ": %s refused", what);
		if (range) {
			fputs(": ", f);
			print_range(f, x);
		}
	} else if (range) {
		fputs(": ", f);
		print_range(f, x);
	}
	if (!x->has_msg && x->has_miss_type) {
		what = label((int)x->miss_type, miss_nest(x, req));
		if (what)
			fprintf(f, ": %s missing", what);
		else
			fprintf(f, ": attribute %" PRIu32 " missing",
				x->miss_type);
	}
	fputc('\n', f);
}
