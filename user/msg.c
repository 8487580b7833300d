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

struct nlmsghdr *msg_add_mapping(void *buf, uint16_t family, uint32_t seq,
				 const struct add_args *a)
{
	struct nlmsghdr *nlh;

	nlh = msg_genl(buf, family, REPLCOPY_CMD_ADD_MAPPING, F_DO, seq);
	mnl_attr_put_u16(nlh, REPLCOPY_A_MAP_PORT, a->port);
	if (a->online_addr)
		mnl_attr_put_u32(nlh, REPLCOPY_A_MAP_ONLINE_ADDR,
				 a->online_addr);
	mnl_attr_put_u32(nlh, REPLCOPY_A_MAP_TARGET_ADDR, a->target_addr);
	mnl_attr_put_u16(nlh, REPLCOPY_A_MAP_TARGET_PORT, a->target_port);
	mnl_attr_put_u8(nlh, REPLCOPY_A_MAP_SOURCE, a->source);
	mnl_attr_put_u8(nlh, REPLCOPY_A_MAP_PACING, a->pacing);
	mnl_attr_put_u32(nlh, REPLCOPY_A_MAP_FLAGS, a->flags);
	/* Only when sampling (0: not set): a module without --sample takes
	 * the rest.
	 */
	if (a->sample && a->sample < REPLCOPY_SAMPLE_ALL)
		mnl_attr_put_u32(nlh, REPLCOPY_A_MAP_SAMPLE, a->sample);
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
		if (a->online_addr)
			mnl_attr_put_u32(nlh, REPLCOPY_A_MAP_ONLINE_ADDR,
					 a->online_addr);
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

int msg_attr_at(const struct nlmsghdr *req, uint32_t offs, int *type,
		int *nest)
{
	const struct nlattr *a, *b;
	uint32_t at;

	mnl_attr_for_each(a, req, sizeof(struct genlmsghdr)) {
		at = (uint32_t)((const char *)a - (const char *)req);
		if (at == offs) {
			*type = mnl_attr_get_type(a);
			*nest = 0;
			return 0;
		}
		if (!(a->nla_type & NLA_F_NESTED) || offs < at ||
		    offs >= at + a->nla_len)
			continue;
		mnl_attr_for_each_nested(b, a) {
			if ((uint32_t)((const char *)b - (const char *)req) ==
			    offs) {
				*type = mnl_attr_get_type(b);
				*nest = mnl_attr_get_type(a);
				return 0;
			}
		}
	}
	return -1;
}
