// SPDX-License-Identifier: GPL-2.0
/*
 * msg.c - replcopy netlink request builders (see msg.h).
 */
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "msg.h"
#include "names.h"

#define F_DO	(NLM_F_REQUEST | NLM_F_ACK)
#define F_DUMP	(NLM_F_REQUEST | NLM_F_DUMP)

static struct nlmsghdr *put_hdr(void *buf, uint16_t type, uint8_t cmd,
				uint8_t version, uint16_t flags, uint32_t seq)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;

	/* libmnl (before 1.0.5) leaves attribute padding as it finds it:
	 * start from zeroes so that no stale bytes go to the kernel.
	 */
	memset(buf, 0, MSG_BUF_SIZE);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));	/* zeroed */
	g->cmd = cmd;
	g->version = version;
	return nlh;
}

struct nlmsghdr *msg_genl(void *buf, uint16_t family, uint8_t cmd,
			  uint16_t flags, uint32_t seq)
{
	return put_hdr(buf, family, cmd, REPLCOPY_GENL_VERSION, flags, seq);
}

struct nlmsghdr *msg_get_family(void *buf, uint32_t seq, const char *name)
{
	struct nlmsghdr *nlh;

	nlh = put_hdr(buf, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, F_DO, seq);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, name);
	return nlh;
}

/* An address: the IPv4 attribute type4 (be32) or type6 (16 bytes). */
static void put_addr(struct nlmsghdr *nlh, uint16_t type4, uint16_t type6,
		     const struct rc_addr *a)
{
	if (a->family == AF_INET6)
		mnl_attr_put(nlh, type6, sizeof(a->v6), a->v6);
	else
		mnl_attr_put_u32(nlh, type4, a->v4);
}

/* REPLCOPY_A_MAP_TARGETS: every target, in order. */
static void put_targets(struct nlmsghdr *nlh, const struct rc_targets *t)
{
	struct nlattr *list, *one;
	unsigned int i;

	list = mnl_attr_nest_start(nlh, REPLCOPY_A_MAP_TARGETS);
	for (i = 0; i < t->n; i++) {
		one = mnl_attr_nest_start(nlh, REPLCOPY_TL_TARGET);
		put_addr(nlh, REPLCOPY_TA_ADDR, REPLCOPY_TA_ADDR6,
			 &t->v[i].addr);
		mnl_attr_put_u16(nlh, REPLCOPY_TA_PORT, t->v[i].port);
		mnl_attr_nest_end(nlh, one);
	}
	mnl_attr_nest_end(nlh, list);
}

struct nlmsghdr *msg_add_mapping(void *buf, uint16_t family, uint32_t seq,
				 const struct add_args *a)
{
	const struct rc_targets *t = &a->targets;
	struct nlmsghdr *nlh;

	nlh = msg_genl(buf, family, REPLCOPY_CMD_ADD_MAPPING, F_DO, seq);
	mnl_attr_put_u16(nlh, REPLCOPY_A_MAP_PORT, a->port);
	if (rc_addr_is_set(&a->online_addr))
		put_addr(nlh, REPLCOPY_A_MAP_ONLINE_ADDR,
			 REPLCOPY_A_MAP_ONLINE_ADDR6, &a->online_addr);
	put_addr(nlh, REPLCOPY_A_MAP_TARGET_ADDR, REPLCOPY_A_MAP_TARGET_ADDR6,
		 &t->v[0].addr);
	mnl_attr_put_u16(nlh, REPLCOPY_A_MAP_TARGET_PORT, t->v[0].port);
	mnl_attr_put_u8(nlh, REPLCOPY_A_MAP_SOURCE, a->source);
	mnl_attr_put_u8(nlh, REPLCOPY_A_MAP_PACING, a->pacing);
	mnl_attr_put_u32(nlh, REPLCOPY_A_MAP_FLAGS, a->flags);
	/* The rest only when not the default (0: not set): a module older
	 * than the option takes what does not use it.
	 */
	if (a->sample && a->sample < REPLCOPY_SAMPLE_ALL)
		mnl_attr_put_u32(nlh, REPLCOPY_A_MAP_SAMPLE, a->sample);
	if (t->n > 1)
		put_targets(nlh, t);
	if (a->copies > 1)
		mnl_attr_put_u32(nlh, REPLCOPY_A_MAP_COPIES, a->copies);
	return nlh;
}

struct nlmsghdr *msg_del_mapping(void *buf, uint16_t family, uint32_t seq,
				 const struct del_args *a)
{
	struct nlmsghdr *nlh;

	nlh = msg_genl(buf, family, REPLCOPY_CMD_DEL_MAPPING, F_DO, seq);
	switch (a->by) {
	case DEL_BY_ID:
		mnl_attr_put_u32(nlh, REPLCOPY_A_MAP_ID, a->id);
		break;
	case DEL_BY_PORT:
		mnl_attr_put_u16(nlh, REPLCOPY_A_MAP_PORT, a->port);
		if (rc_addr_is_set(&a->online_addr))
			put_addr(nlh, REPLCOPY_A_MAP_ONLINE_ADDR,
				 REPLCOPY_A_MAP_ONLINE_ADDR6, &a->online_addr);
		break;
	case DEL_ALL:
		mnl_attr_put(nlh, REPLCOPY_A_DEL_ALL, 0, NULL);
		break;
	}
	return nlh;
}

struct nlmsghdr *msg_get_mappings(void *buf, uint16_t family, uint32_t seq)
{
	return msg_genl(buf, family, REPLCOPY_CMD_GET_MAPPING, F_DUMP, seq);
}

struct nlmsghdr *msg_get_stats(void *buf, uint16_t family, uint32_t seq,
			       bool dump)
{
	return msg_genl(buf, family, REPLCOPY_CMD_GET_STATS,
			dump ? F_DUMP : F_DO, seq);
}

struct nlmsghdr *msg_get_sessions(void *buf, uint16_t family, uint32_t seq,
				  bool has_id, uint32_t id)
{
	struct nlmsghdr *nlh;

	nlh = msg_genl(buf, family, REPLCOPY_CMD_GET_SESSIONS, F_DUMP, seq);
	if (has_id)
		mnl_attr_put_u32(nlh, REPLCOPY_A_MAP_ID, id);
	return nlh;
}

struct nlmsghdr *msg_set_config(void *buf, uint16_t family, uint32_t seq,
				const struct set_args *a)
{
	const struct rc_setting *st;
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	unsigned int attr;

	nlh = msg_genl(buf, family, REPLCOPY_CMD_SET_CONFIG, F_DO, seq);
	nest = mnl_attr_nest_start(nlh, REPLCOPY_A_CONFIG);
	for (attr = 1; attr < __REPLCOPY_CFG_MAX; attr++) {
		if (!a->has[attr])
			continue;
		st = rc_setting_by_attr(attr);
		if (!st)
			continue;
		if (st->kind == RC_SET_U32)
			mnl_attr_put_u32(nlh, attr, a->val[attr]);
		else
			mnl_attr_put_u8(nlh, attr, (uint8_t)a->val[attr]);
	}
	mnl_attr_nest_end(nlh, nest);
	return nlh;
}

struct nlmsghdr *msg_get_config(void *buf, uint16_t family, uint32_t seq)
{
	return msg_genl(buf, family, REPLCOPY_CMD_GET_CONFIG, F_DO, seq);
}

static uint32_t offset(const struct nlmsghdr *req, const void *p)
{
	return (uint32_t)((const char *)p - (const char *)req);
}

/* offs falls inside the nest a (on it or on one of its attributes). */
static bool inside(const struct nlmsghdr *req, const struct nlattr *a,
		   uint32_t offs)
{
	return (a->nla_type & NLA_F_NESTED) && offs >= offset(req, a) &&
	       offs < offset(req, a) + a->nla_len;
}

/* In the nest a, at any depth: the attribute that starts at offs. */
static const struct nlattr *nested_at(const struct nlmsghdr *req,
				      const struct nlattr *a, uint32_t offs)
{
	const struct nlattr *b;

	mnl_attr_for_each_nested(b, a) {
		if (offset(req, b) == offs)
			return b;
		if (inside(req, b, offs))
			return nested_at(req, b, offs);
	}
	return NULL;
}

/* The top-level nest of req that offs falls inside, or NULL. */
static const struct nlattr *top_nest_at(const struct nlmsghdr *req,
					uint32_t offs)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, req, sizeof(struct genlmsghdr))
		if (offset(req, a) != offs && inside(req, a, offs))
			return a;
	return NULL;
}

int msg_attr_at(const struct nlmsghdr *req, uint32_t offs, int *type,
		int *nest)
{
	const struct nlattr *a, *b;

	mnl_attr_for_each(a, req, sizeof(struct genlmsghdr)) {
		if (offset(req, a) == offs) {
			*type = mnl_attr_get_type(a);
			*nest = 0;
			return 0;
		}
	}
	a = top_nest_at(req, offs);
	b = a ? nested_at(req, a, offs) : NULL;
	if (!b)
		return -1;
	*type = mnl_attr_get_type(b);
	*nest = mnl_attr_get_type(a);
	return 0;
}

/* One attribute of a target entry we built into *t (as reply.h does). */
static void target_attr(const struct nlattr *b, struct rc_target *t)
{
	uint16_t len = mnl_attr_get_payload_len(b);

	switch (mnl_attr_get_type(b)) {
	case REPLCOPY_TA_ADDR:
		if (len != sizeof(t->addr.v4))
			return;
		t->addr = rc_addr4(mnl_attr_get_u32(b));
		t->present |= 1u << REPLCOPY_TA_ADDR;
		break;
	case REPLCOPY_TA_ADDR6:
		if (len != sizeof(t->addr.v6))
			return;
		t->addr = rc_addr6(mnl_attr_get_payload(b));
		t->present |= 1u << REPLCOPY_TA_ADDR;
		break;
	case REPLCOPY_TA_PORT:
		if (len != sizeof(t->port))
			return;
		t->port = mnl_attr_get_u16(b);
		t->present |= 1u << REPLCOPY_TA_PORT;
		break;
	}
}

int msg_target_at(const struct nlmsghdr *req, uint32_t offs,
		  unsigned int *k, struct rc_target *t)
{
	const struct nlattr *list = top_nest_at(req, offs), *one, *b;
	unsigned int i = 0;

	if (!list || mnl_attr_get_type(list) != REPLCOPY_A_MAP_TARGETS)
		return -1;
	mnl_attr_for_each_nested(one, list) {
		if (!inside(req, one, offs)) {
			i++;
			continue;
		}
		memset(t, 0, sizeof(*t));
		mnl_attr_for_each_nested(b, one)
			target_attr(b, t);
		*k = i;
		return 0;
	}
	return -1;
}
