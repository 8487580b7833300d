// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink family "replcopy"; the contract is in
 * include/uapi/replcopy.h.
 *
 * Every request works on the netns of the socket that sent it. The family
 * is parallel_ops: mapping changes serialise on rn->lock, settings on
 * replcopy_config_lock, and dumps read under RCU, so a mapping deletion
 * that waits for its sessions to end does not hold the global genl mutex.
 * Dumps keep their place by mapping id, as the list may change between
 * two parts of a dump.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/rcupdate.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "replcopy.h"

static struct genl_family replcopy_genl_family;
/*
 * The family is registered and events may go to its group. Cleared, and
 * an RCU grace period waited for, before the family is unregistered:
 * senders test it under rcu_read_lock().
 */
static bool replcopy_genl_live;

static struct netlink_range_validation replcopy_port_range = {
	.min = 1,
	.max = U16_MAX,
};

static struct netlink_range_validation replcopy_max_sessions_range = {
	.min = 1,
	.max = REPLCOPY_MAX_SESSIONS_MAX,
};

static struct netlink_range_validation replcopy_session_bytes_range = {
	.min = REPLCOPY_SESSION_BYTES_MIN,
	.max = REPLCOPY_SESSION_BYTES_MAX,
};

static struct netlink_range_validation replcopy_total_kbytes_range = {
	.min = REPLCOPY_TOTAL_KBYTES_MIN,
	.max = REPLCOPY_TOTAL_KBYTES_MAX,
};

static struct netlink_range_validation replcopy_idle_timeout_range = {
	.min = 1,
	.max = 86400,
};

static const struct nla_policy replcopy_cfg_policy[REPLCOPY_CFG_MAX + 1] = {
	[REPLCOPY_CFG_WORKER]		= NLA_POLICY_MAX(NLA_U8, REPLCOPY_WORKER_MAX),
	[REPLCOPY_CFG_WQ_UNBOUND]	= NLA_POLICY_MAX(NLA_U8, 1),
	[REPLCOPY_CFG_WQ_MAX_ACTIVE]	= NLA_POLICY_MAX(NLA_U32, 512),
	[REPLCOPY_CFG_MAX_SESSIONS]	=
		NLA_POLICY_FULL_RANGE(NLA_U32, &replcopy_max_sessions_range),
	[REPLCOPY_CFG_MAX_SESSION_BYTES] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &replcopy_session_bytes_range),
	[REPLCOPY_CFG_MAX_TOTAL_BYTES]	=
		NLA_POLICY_FULL_RANGE(NLA_U32, &replcopy_total_kbytes_range),
	[REPLCOPY_CFG_IDLE_TIMEOUT]	=
		NLA_POLICY_FULL_RANGE(NLA_U32, &replcopy_idle_timeout_range),
	[REPLCOPY_CFG_SYN_RETRIES]	= NLA_POLICY_RANGE(NLA_U8, 1, 10),
	[REPLCOPY_CFG_MAX_RETRIES]	= NLA_POLICY_RANGE(NLA_U8, 1, 20),
};

/*
 * A policy per command, each with only the attributes the command takes:
 * under strict validation every other attribute (NLA_UNSPEC here) is
 * refused with "Unsupported attribute" and its offset. Commands without
 * a policy (GET_MAPPING, GET_STATS, GET_CONFIG) take no attribute at all:
 * the core gives them its reject-all policy.
 */
#define REPLCOPY_POLICY_MAP_PORT \
	NLA_POLICY_FULL_RANGE(NLA_U16, &replcopy_port_range)

static const struct nla_policy replcopy_target_policy[REPLCOPY_TA_MAX + 1] = {
	[REPLCOPY_TA_ADDR]		= { .type = NLA_BE32 },
	[REPLCOPY_TA_ADDR6]		= NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[REPLCOPY_TA_PORT]		= REPLCOPY_POLICY_MAP_PORT,
};

static const struct nla_policy replcopy_targets_policy[REPLCOPY_TL_MAX + 1] = {
	[REPLCOPY_TL_TARGET]		= NLA_POLICY_NESTED(replcopy_target_policy),
};

static const struct nla_policy replcopy_add_policy[REPLCOPY_A_MAX + 1] = {
	[REPLCOPY_A_MAP_ID]		= {
		.type = NLA_REJECT,
		.reject_message = "the kernel assigns mapping ids: do not send REPLCOPY_A_MAP_ID with ADD_MAPPING",
	},
	[REPLCOPY_A_MAP_PORT]		= REPLCOPY_POLICY_MAP_PORT,
	[REPLCOPY_A_MAP_ONLINE_ADDR]	= { .type = NLA_BE32 },
	[REPLCOPY_A_MAP_ONLINE_ADDR6]	= NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[REPLCOPY_A_MAP_TARGET_ADDR]	= { .type = NLA_BE32 },
	[REPLCOPY_A_MAP_TARGET_ADDR6]	= NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[REPLCOPY_A_MAP_TARGET_PORT]	= REPLCOPY_POLICY_MAP_PORT,
	[REPLCOPY_A_MAP_SOURCE]		= NLA_POLICY_MAX(NLA_U8, REPLCOPY_SOURCE_MAX),
	[REPLCOPY_A_MAP_PACING]		= NLA_POLICY_MAX(NLA_U8, REPLCOPY_PACING_MAX),
	[REPLCOPY_A_MAP_FLAGS]		= NLA_POLICY_MASK(NLA_U32, __REPLCOPY_MAPF_ALL),
	[REPLCOPY_A_MAP_SAMPLE]		= NLA_POLICY_RANGE(NLA_U32, 1, REPLCOPY_SAMPLE_ALL),
	[REPLCOPY_A_MAP_TARGETS]	= NLA_POLICY_NESTED(replcopy_targets_policy),
	[REPLCOPY_A_MAP_COPIES]		= NLA_POLICY_RANGE(NLA_U32, 1, REPLCOPY_MAX_COPIES),
};

static const struct nla_policy replcopy_del_policy[REPLCOPY_A_MAX + 1] = {
	[REPLCOPY_A_MAP_ID]		= NLA_POLICY_MIN(NLA_U32, 1),
	[REPLCOPY_A_MAP_PORT]		= REPLCOPY_POLICY_MAP_PORT,
	[REPLCOPY_A_MAP_ONLINE_ADDR]	= { .type = NLA_BE32 },
	[REPLCOPY_A_MAP_ONLINE_ADDR6]	= NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[REPLCOPY_A_DEL_ALL]		= { .type = NLA_FLAG },
};

static const struct nla_policy replcopy_sessions_policy[REPLCOPY_A_MAX + 1] = {
	[REPLCOPY_A_MAP_ID]		= NLA_POLICY_MIN(NLA_U32, 1),
};

static const struct nla_policy replcopy_set_config_policy[REPLCOPY_A_MAX + 1] = {
	[REPLCOPY_A_CONFIG]		= NLA_POLICY_NESTED(replcopy_cfg_policy),
};

static struct replcopy_net *replcopy_genl_net(struct sk_buff *skb)
{
	return replcopy_net(sock_net(skb->sk));
}

void *replcopy_genl_dump_hdr(struct sk_buff *skb, struct netlink_callback *cb,
			     u8 cmd)
{
	return genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
			   cb->nlh->nlmsg_seq, &replcopy_genl_family,
			   NLM_F_MULTI, cmd);
}

static int replcopy_put_stats_nest(struct sk_buff *skb, int type,
				   const u64 v[__REPLCOPY_STAT_MAX])
{
	struct nlattr *nest;
	int i;

	nest = nla_nest_start(skb, type);
	if (!nest)
		return -EMSGSIZE;
	for (i = REPLCOPY_STAT_PAD + 1; i < __REPLCOPY_STAT_MAX; i++) {
		if (nla_put_u64_64bit(skb, i, v[i], REPLCOPY_STAT_PAD)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int replcopy_put_stats(struct sk_buff *skb,
			      const u64 v[__REPLCOPY_STAT_MAX])
{
	return replcopy_put_stats_nest(skb, REPLCOPY_A_STATS, v);
}

/* REPLCOPY_A_MAP_TARGETS; with @stats each target's counters too. */
static int replcopy_put_targets(struct sk_buff *skb,
				const struct replcopy_mapping *m, bool stats)
{
	struct nlattr *list, *nest;
	u64 v[__REPLCOPY_STAT_MAX];
	int i;

	list = nla_nest_start(skb, REPLCOPY_A_MAP_TARGETS);
	if (!list)
		return -EMSGSIZE;
	for (i = 0; i < m->nr_targets; i++) {
		const struct replcopy_target *t = &m->targets[i];

		nest = nla_nest_start(skb, REPLCOPY_TL_TARGET);
		if (!nest ||
		    replcopy_nla_put_addr(skb, REPLCOPY_TA_ADDR,
					  REPLCOPY_TA_ADDR6, t->family,
					  &t->addr) ||
		    nla_put_u16(skb, REPLCOPY_TA_PORT, ntohs(t->port)) ||
		    nla_put_u32(skb, REPLCOPY_TA_SESSIONS,
				atomic_read(&t->nr_sessions)))
			goto cancel;
		if (stats) {
			replcopy_target_stats(t, v);
			if (replcopy_put_stats_nest(skb, REPLCOPY_TA_STATS, v))
				goto cancel;
		}
		nla_nest_end(skb, nest);
	}
	nla_nest_end(skb, list);
	return 0;

cancel:
	nla_nest_cancel(skb, list);
	return -EMSGSIZE;
}

/* The mapping's address attributes; with @full its whole description. */
int replcopy_genl_put_mapping(struct sk_buff *skb,
			      const struct replcopy_mapping *m, bool full)
{
	if (nla_put_u32(skb, REPLCOPY_A_MAP_ID, m->id) ||
	    nla_put_u16(skb, REPLCOPY_A_MAP_PORT, ntohs(m->port)) ||
	    replcopy_nla_put_addr(skb, REPLCOPY_A_MAP_ONLINE_ADDR,
				  REPLCOPY_A_MAP_ONLINE_ADDR6,
				  m->online_family, &m->online_addr) ||
	    replcopy_nla_put_addr(skb, REPLCOPY_A_MAP_TARGET_ADDR,
				  REPLCOPY_A_MAP_TARGET_ADDR6,
				  m->targets[0].family,
				  &m->targets[0].addr) ||
	    nla_put_u16(skb, REPLCOPY_A_MAP_TARGET_PORT,
			ntohs(m->targets[0].port)))
		return -EMSGSIZE;
	if (full &&
	    (nla_put_u8(skb, REPLCOPY_A_MAP_SOURCE, m->source) ||
	     nla_put_u8(skb, REPLCOPY_A_MAP_PACING, m->pacing) ||
	     nla_put_u32(skb, REPLCOPY_A_MAP_FLAGS, m->flags) ||
	     nla_put_u32(skb, REPLCOPY_A_MAP_SAMPLE, m->sample) ||
	     nla_put_u32(skb, REPLCOPY_A_MAP_COPIES, m->copies) ||
	     nla_put_u32(skb, REPLCOPY_A_MAP_SESSIONS,
			 replcopy_mapping_sessions(m)) ||
	     replcopy_put_targets(skb, m, false)))
		return -EMSGSIZE;
	return 0;
}

/* An address of either family; without one (family 0), 0.0.0.0. */
int replcopy_nla_put_addr(struct sk_buff *skb, int type, int type6,
			  u8 family, const union nf_inet_addr *addr)
{
	if (family == AF_INET6)
		return nla_put_in6_addr(skb, type6, &addr->in6);
	return nla_put_in_addr(skb, type, addr->ip);
}

/*
 * The address in a (IPv4) or a6 (IPv6) into addr and *family: at most one
 * of them. Neither: *family 0. An IPv4 0.0.0.0 is an address only if
 * @target (where it is refused with its own message); elsewhere it is
 * the "any" of dumps: no address.
 */
static int replcopy_get_addr(const struct nlattr *a, const struct nlattr *a6,
			     bool target, union nf_inet_addr *addr,
			     u8 *family, struct netlink_ext_ack *extack)
{
	memset(addr, 0, sizeof(*addr));
	*family = 0;
	if (a && a6) {
		NL_SET_ERR_MSG_ATTR(extack, a6,
				    "an address is given once, as IPv4 (..._ADDR) or as IPv6 (..._ADDR6), not both");
		return -EINVAL;
	}
	if (a6) {
		addr->in6 = nla_get_in6_addr(a6);
		*family = AF_INET6;
	} else if (a && (target || nla_get_in_addr(a))) {
		addr->ip = nla_get_in_addr(a);
		*family = AF_INET;
	}
	return 0;
}

/*
 * The request's targets into tmpl: MAP_TARGET_ADDR/PORT, the first, and
 * MAP_TARGETS, all of them in order, if the mapping has more than one.
 */
static int replcopy_parse_targets(struct nlattr **attrs,
				  struct replcopy_mapping *tmpl,
				  struct netlink_ext_ack *extack)
{
	struct nlattr *tb[REPLCOPY_TA_MAX + 1];
	struct nlattr *list = attrs[REPLCOPY_A_MAP_TARGETS];
	struct replcopy_target *t = tmpl->targets, t0;
	struct nlattr *e;
	int rem, n = 0, i, err;

	err = replcopy_get_addr(attrs[REPLCOPY_A_MAP_TARGET_ADDR],
				attrs[REPLCOPY_A_MAP_TARGET_ADDR6], true,
				&t[0].addr, &t[0].family, extack);
	if (err)
		return err;
	t[0].port = htons(nla_get_u16(attrs[REPLCOPY_A_MAP_TARGET_PORT]));
	t0 = t[0];
	tmpl->nr_targets = 1;
	if (!list)
		return 0;

	nla_for_each_nested(e, list, rem) {
		if (n == REPLCOPY_MAX_TARGETS) {
			NL_SET_ERR_MSG_ATTR(extack, e,
					    "too many targets: a mapping has at most "
					    __stringify(REPLCOPY_MAX_TARGETS));
			return -E2BIG;
		}
		/* The policy validated the entries' contents already. */
		err = nla_parse_nested(tb, REPLCOPY_TA_MAX, e,
				       replcopy_target_policy, extack);
		if (err)
			return err;
		if (nla_type(e) != REPLCOPY_TL_TARGET ||
		    !(tb[REPLCOPY_TA_ADDR] || tb[REPLCOPY_TA_ADDR6]) ||
		    !tb[REPLCOPY_TA_PORT]) {
			NL_SET_ERR_MSG_ATTR(extack, e,
					    "each entry of REPLCOPY_A_MAP_TARGETS is a REPLCOPY_TL_TARGET with REPLCOPY_TA_ADDR (or _ADDR6) and REPLCOPY_TA_PORT");
			return -EINVAL;
		}
		err = replcopy_get_addr(tb[REPLCOPY_TA_ADDR],
					tb[REPLCOPY_TA_ADDR6], true,
					&t[n].addr, &t[n].family, extack);
		if (err)
			return err;
		t[n].port = htons(nla_get_u16(tb[REPLCOPY_TA_PORT]));
		if (!n && (!replcopy_addr_eq(t[0].family, &t[0].addr,
					     t0.family, &t0.addr) ||
			   t[0].port != t0.port))
			goto first;
		for (i = 0; i < n; i++) {
			if (replcopy_addr_eq(t[i].family, &t[i].addr,
					     t[n].family, &t[n].addr) &&
			    t[i].port == t[n].port) {
				NL_SET_ERR_MSG_ATTR(extack, e,
						    "a target is listed twice: give each target once (use --copies for more replays to one target)");
				return -EINVAL;
			}
		}
		n++;
	}
	if (!n)
		goto first;
	tmpl->nr_targets = n;
	return 0;

first:
	NL_SET_ERR_MSG_ATTR(extack, list,
			    "REPLCOPY_A_MAP_TARGETS must start with the target of REPLCOPY_A_MAP_TARGET_ADDR and _PORT");
	return -EINVAL;
}

static int replcopy_nl_add_mapping(struct sk_buff *skb, struct genl_info *info)
{
	struct replcopy_net *rn = replcopy_genl_net(skb);
	struct nlattr **attrs = info->attrs;
	struct replcopy_mapping tmpl = {}, *m;
	struct sk_buff *msg;
	void *hdr;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, REPLCOPY_A_MAP_PORT)) {
		GENL_SET_ERR_MSG(info,
				 "missing REPLCOPY_A_MAP_PORT: give the local port to copy from");
		return -EINVAL;
	}
	if (!attrs[REPLCOPY_A_MAP_TARGET_ADDR6] &&
	    GENL_REQ_ATTR_CHECK(info, REPLCOPY_A_MAP_TARGET_ADDR)) {
		GENL_SET_ERR_MSG(info,
				 "missing REPLCOPY_A_MAP_TARGET_ADDR (or _ADDR6): give the test server's address");
		return -EINVAL;
	}
	if (GENL_REQ_ATTR_CHECK(info, REPLCOPY_A_MAP_TARGET_PORT)) {
		GENL_SET_ERR_MSG(info,
				 "missing REPLCOPY_A_MAP_TARGET_PORT: give the test server's port");
		return -EINVAL;
	}
	tmpl.port = htons(nla_get_u16(attrs[REPLCOPY_A_MAP_PORT]));
	err = replcopy_parse_targets(attrs, &tmpl, info->extack);
	if (err)
		return err;
	tmpl.copies = 1;
	if (attrs[REPLCOPY_A_MAP_COPIES])
		tmpl.copies = nla_get_u32(attrs[REPLCOPY_A_MAP_COPIES]);
	/* 0.0.0.0, as a dump gives it back, means any address too. */
	err = replcopy_get_addr(attrs[REPLCOPY_A_MAP_ONLINE_ADDR],
				attrs[REPLCOPY_A_MAP_ONLINE_ADDR6], false,
				&tmpl.online_addr, &tmpl.online_family,
				info->extack);
	if (err)
		return err;
	tmpl.source = REPLCOPY_SOURCE_AUTO;
	if (attrs[REPLCOPY_A_MAP_SOURCE])
		tmpl.source = nla_get_u8(attrs[REPLCOPY_A_MAP_SOURCE]);
	tmpl.pacing = REPLCOPY_PACING_STREAM;
	if (attrs[REPLCOPY_A_MAP_PACING])
		tmpl.pacing = nla_get_u8(attrs[REPLCOPY_A_MAP_PACING]);
	if (attrs[REPLCOPY_A_MAP_FLAGS])
		tmpl.flags = nla_get_u32(attrs[REPLCOPY_A_MAP_FLAGS]);
	tmpl.sample = REPLCOPY_SAMPLE_ALL;
	if (attrs[REPLCOPY_A_MAP_SAMPLE])
		tmpl.sample = nla_get_u32(attrs[REPLCOPY_A_MAP_SAMPLE]);

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	m = replcopy_mapping_add(rn, &tmpl, attrs, info->extack);
	if (IS_ERR(m)) {
		nlmsg_free(msg);
		return PTR_ERR(m);
	}

	err = -EMSGSIZE;
	hdr = genlmsg_put_reply(msg, info, &replcopy_genl_family, 0,
				REPLCOPY_CMD_ADD_MAPPING);
	if (hdr && !replcopy_genl_put_mapping(msg, m, true)) {
		genlmsg_end(msg, hdr);
		err = 0;
	}
	replcopy_mapping_put(m);
	if (err) {
		/* Cannot happen with NLMSG_GOODSIZE; the mapping stays. */
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

static int replcopy_nl_del_mapping(struct sk_buff *skb, struct genl_info *info)
{
	struct replcopy_net *rn = replcopy_genl_net(skb);
	struct nlattr **attrs = info->attrs;
	struct nlattr *a_id = attrs[REPLCOPY_A_MAP_ID];
	struct nlattr *a_port = attrs[REPLCOPY_A_MAP_PORT];
	struct nlattr *a_online = attrs[REPLCOPY_A_MAP_ONLINE_ADDR];
	struct nlattr *a_online6 = attrs[REPLCOPY_A_MAP_ONLINE_ADDR6];
	bool all = nla_get_flag(attrs[REPLCOPY_A_DEL_ALL]);
	union nf_inet_addr online = {};
	u8 family = 0;
	__be16 port = 0;
	u32 id = 0;
	int n;

	if (!!a_id + !!a_port + all != 1) {
		GENL_SET_ERR_MSG(info,
				 "give exactly one of REPLCOPY_A_MAP_ID, REPLCOPY_A_MAP_PORT or REPLCOPY_A_DEL_ALL to say which mappings to delete");
		return -EINVAL;
	}
	if ((a_online || a_online6) && !a_port) {
		NL_SET_ERR_MSG_ATTR(info->extack, a_online ?: a_online6,
				    "an online address (REPLCOPY_A_MAP_ONLINE_ADDR or _ADDR6) selects a mapping only together with REPLCOPY_A_MAP_PORT: add the port or drop the address");
		return -EINVAL;
	}

	if (a_id)
		id = nla_get_u32(a_id);
	if (a_port)
		port = htons(nla_get_u16(a_port));
	n = replcopy_get_addr(a_online, a_online6, false, &online, &family,
			      info->extack);
	if (n)
		return n;

	n = replcopy_mapping_del(rn, id, port, family, &online, all,
				 info->extack);
	if (n < 0)
		return n;
	/* Deleting all of nothing is not an error: it is already done. */
	if (!n && !all) {
		NL_SET_ERR_MSG_ATTR(info->extack, a_id ?: a_port,
				    "no such mapping");
		return -ENOENT;
	}
	return 0;
}

/* One message per live mapping: configuration, or counters. */
static int replcopy_dump_mappings(struct sk_buff *skb,
				  struct netlink_callback *cb, u8 cmd)
{
	struct replcopy_net *rn = replcopy_genl_net(skb);
	struct replcopy_mapping *m;
	u64 v[__REPLCOPY_STAT_MAX];
	u32 last = cb->args[0];
	int err = 0;
	void *hdr;

	rcu_read_lock();
	list_for_each_entry_rcu(m, &rn->mappings, list) {
		if (m->id <= last || READ_ONCE(m->dead))
			continue;

		hdr = replcopy_genl_dump_hdr(skb, cb, cmd);
		if (!hdr) {
			err = -EMSGSIZE;
			break;
		}
		if (cmd == REPLCOPY_CMD_GET_STATS) {
			replcopy_mapping_stats(m, v);
			err = replcopy_genl_put_mapping(skb, m, false) ?:
			      replcopy_put_stats(skb, v) ?:
			      replcopy_put_targets(skb, m, true);
		} else {
			err = replcopy_genl_put_mapping(skb, m, true);
		}
		if (err) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
		last = m->id;
	}
	rcu_read_unlock();

	/* A message that does not fit even an empty buffer is an error. */
	if (err && !skb->len)
		return err;
	cb->args[0] = last;
	return skb->len;
}

static int replcopy_nl_dump_mapping(struct sk_buff *skb,
				    struct netlink_callback *cb)
{
	return replcopy_dump_mappings(skb, cb, REPLCOPY_CMD_GET_MAPPING);
}

/*
 * A mapping's counters with those of REPLCOPY_MAX_TARGETS targets take
 * more than NLMSG_GOODSIZE: dump into buffers that hold one.
 */
static int replcopy_nl_start_stats(struct netlink_callback *cb)
{
	cb->min_dump_alloc = 2 * NLMSG_GOODSIZE;
	return 0;
}

static int replcopy_nl_dump_stats(struct sk_buff *skb,
				  struct netlink_callback *cb)
{
	return replcopy_dump_mappings(skb, cb, REPLCOPY_CMD_GET_STATS);
}

static int replcopy_nl_get_stats(struct sk_buff *skb, struct genl_info *info)
{
	u64 v[__REPLCOPY_STAT_MAX];
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	replcopy_net_stats(replcopy_genl_net(skb), v);

	hdr = genlmsg_put_reply(msg, info, &replcopy_genl_family, 0,
				REPLCOPY_CMD_GET_STATS);
	if (!hdr || replcopy_put_stats(msg, v)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static u32 replcopy_sessions_filter(struct netlink_callback *cb)
{
	struct nlattr *a = genl_dumpit_info(cb)->attrs[REPLCOPY_A_MAP_ID];

	return a ? nla_get_u32(a) : 0;
}

static int replcopy_nl_start_sessions(struct netlink_callback *cb)
{
	struct replcopy_net *rn = replcopy_net(sock_net(cb->skb->sk));
	u32 id = replcopy_sessions_filter(cb);
	struct replcopy_mapping *m;
	bool found = false;

	if (!id)
		return 0;

	rcu_read_lock();
	list_for_each_entry_rcu(m, &rn->mappings, list) {
		if (m->id == id && !READ_ONCE(m->dead)) {
			found = true;
			break;
		}
	}
	rcu_read_unlock();

	if (!found) {
		NL_SET_ERR_MSG_ATTR(cb->extack,
				    genl_dumpit_info(cb)->attrs[REPLCOPY_A_MAP_ID],
				    "no such mapping");
		return -ENOENT;
	}
	return 0;
}

static int replcopy_nl_dump_sessions(struct sk_buff *skb,
				     struct netlink_callback *cb)
{
	return replcopy_sessions_dump(replcopy_genl_net(skb), skb, cb,
				      replcopy_sessions_filter(cb));
}

static int replcopy_put_config(struct sk_buff *skb,
			       const struct replcopy_config *c)
{
	struct nlattr *nest;

	nest = nla_nest_start(skb, REPLCOPY_A_CONFIG);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u8(skb, REPLCOPY_CFG_WORKER, c->worker) ||
	    nla_put_u8(skb, REPLCOPY_CFG_WQ_UNBOUND, c->wq_unbound) ||
	    nla_put_u32(skb, REPLCOPY_CFG_WQ_MAX_ACTIVE, c->wq_max_active) ||
	    nla_put_u32(skb, REPLCOPY_CFG_MAX_SESSIONS, c->max_sessions) ||
	    nla_put_u32(skb, REPLCOPY_CFG_MAX_SESSION_BYTES,
			c->max_session_bytes) ||
	    nla_put_u32(skb, REPLCOPY_CFG_MAX_TOTAL_BYTES,
			c->max_total_kbytes) ||
	    nla_put_u32(skb, REPLCOPY_CFG_IDLE_TIMEOUT, c->idle_timeout) ||
	    nla_put_u8(skb, REPLCOPY_CFG_SYN_RETRIES, c->syn_retries) ||
	    nla_put_u8(skb, REPLCOPY_CFG_MAX_RETRIES, c->max_retries)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int replcopy_nl_get_config(struct sk_buff *skb, struct genl_info *info)
{
	struct replcopy_config c;
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	mutex_lock(&replcopy_config_lock);
	c = replcopy_cfg;
	mutex_unlock(&replcopy_config_lock);

	hdr = genlmsg_put_reply(msg, info, &replcopy_genl_family, 0,
				REPLCOPY_CMD_GET_CONFIG);
	if (!hdr || replcopy_put_config(msg, &c) ||
	    nla_put_string(msg, REPLCOPY_A_VERSION, REPLCOPY_VERSION)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int replcopy_nl_set_config(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[REPLCOPY_CFG_MAX + 1];
	struct replcopy_config c;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, REPLCOPY_A_CONFIG)) {
		GENL_SET_ERR_MSG(info, "missing REPLCOPY_A_CONFIG: give the settings to change");
		return -EINVAL;
	}
	/* Already validated against replcopy_cfg_policy with the request. */
	err = nla_parse_nested(tb, REPLCOPY_CFG_MAX,
			       info->attrs[REPLCOPY_A_CONFIG],
			       replcopy_cfg_policy, info->extack);
	if (err)
		return err;

	mutex_lock(&replcopy_config_lock);
	c = replcopy_cfg;
	if (tb[REPLCOPY_CFG_WORKER])
		c.worker = nla_get_u8(tb[REPLCOPY_CFG_WORKER]);
	if (tb[REPLCOPY_CFG_WQ_UNBOUND])
		c.wq_unbound = nla_get_u8(tb[REPLCOPY_CFG_WQ_UNBOUND]);
	if (tb[REPLCOPY_CFG_WQ_MAX_ACTIVE])
		c.wq_max_active = nla_get_u32(tb[REPLCOPY_CFG_WQ_MAX_ACTIVE]);
	if (tb[REPLCOPY_CFG_MAX_SESSIONS])
		c.max_sessions = nla_get_u32(tb[REPLCOPY_CFG_MAX_SESSIONS]);
	if (tb[REPLCOPY_CFG_MAX_SESSION_BYTES])
		c.max_session_bytes =
			nla_get_u32(tb[REPLCOPY_CFG_MAX_SESSION_BYTES]);
	if (tb[REPLCOPY_CFG_MAX_TOTAL_BYTES])
		c.max_total_kbytes =
			nla_get_u32(tb[REPLCOPY_CFG_MAX_TOTAL_BYTES]);
	if (tb[REPLCOPY_CFG_IDLE_TIMEOUT])
		c.idle_timeout = nla_get_u32(tb[REPLCOPY_CFG_IDLE_TIMEOUT]);
	if (tb[REPLCOPY_CFG_SYN_RETRIES])
		c.syn_retries = nla_get_u8(tb[REPLCOPY_CFG_SYN_RETRIES]);
	if (tb[REPLCOPY_CFG_MAX_RETRIES])
		c.max_retries = nla_get_u8(tb[REPLCOPY_CFG_MAX_RETRIES]);

	if (c.max_session_bytes > (u64)c.max_total_kbytes * 1024) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    tb[REPLCOPY_CFG_MAX_SESSION_BYTES] ?:
				    tb[REPLCOPY_CFG_MAX_TOTAL_BYTES],
				    "max_session_bytes would be larger than max_total_kbytes: lower max_session_bytes or raise max_total_kbytes (both may go in one request)");
		err = -EINVAL;
		goto out;
	}

	WRITE_ONCE(replcopy_cfg.worker, c.worker);
	WRITE_ONCE(replcopy_cfg.wq_unbound, c.wq_unbound);
	WRITE_ONCE(replcopy_cfg.wq_max_active, c.wq_max_active);
	WRITE_ONCE(replcopy_cfg.max_sessions, c.max_sessions);
	WRITE_ONCE(replcopy_cfg.max_session_bytes, c.max_session_bytes);
	WRITE_ONCE(replcopy_cfg.max_total_kbytes, c.max_total_kbytes);
	WRITE_ONCE(replcopy_cfg.idle_timeout, c.idle_timeout);
	WRITE_ONCE(replcopy_cfg.syn_retries, c.syn_retries);
	WRITE_ONCE(replcopy_cfg.max_retries, c.max_retries);
	/* The other settings are read when a session starts or runs. */
	if (tb[REPLCOPY_CFG_WQ_MAX_ACTIVE])
		replcopy_wq_apply_config();
out:
	mutex_unlock(&replcopy_config_lock);
	return err;
}

static const struct genl_ops replcopy_genl_ops[] = {
	{
		.cmd = REPLCOPY_CMD_ADD_MAPPING,
		.doit = replcopy_nl_add_mapping,
		.policy = replcopy_add_policy,
		.maxattr = REPLCOPY_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = REPLCOPY_CMD_DEL_MAPPING,
		.doit = replcopy_nl_del_mapping,
		.policy = replcopy_del_policy,
		.maxattr = REPLCOPY_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = REPLCOPY_CMD_GET_MAPPING,
		.dumpit = replcopy_nl_dump_mapping,
	},
	{
		.cmd = REPLCOPY_CMD_GET_STATS,
		.start = replcopy_nl_start_stats,
		.doit = replcopy_nl_get_stats,
		.dumpit = replcopy_nl_dump_stats,
	},
	{
		/*
		 * Sessions carry client addresses and ports: like conntrack
		 * and WireGuard's peers, only for CAP_NET_ADMIN over the
		 * netns. Mappings, counters, settings and the version hold
		 * no client data and stay readable.
		 */
		.cmd = REPLCOPY_CMD_GET_SESSIONS,
		.start = replcopy_nl_start_sessions,
		.dumpit = replcopy_nl_dump_sessions,
		.policy = replcopy_sessions_policy,
		.maxattr = REPLCOPY_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = REPLCOPY_CMD_SET_CONFIG,
		.doit = replcopy_nl_set_config,
		.policy = replcopy_set_config_policy,
		.maxattr = REPLCOPY_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = REPLCOPY_CMD_GET_CONFIG,
		.doit = replcopy_nl_get_config,
	},
};

static const struct genl_multicast_group replcopy_genl_mcgrps[] = {
	/* Events carry client addresses, as sessions do. */
	{ .name = REPLCOPY_MCGRP_EVENTS, .flags = GENL_MCAST_CAP_NET_ADMIN },
};

/*
 * resv_start_op stays 0: every command is "new", so the core also checks
 * that genlmsghdr.reserved is 0 and that nlmsg_flags hold nothing beyond
 * NLM_F_REQUEST, NLM_F_ACK, NLM_F_ECHO and NLM_F_DUMP, and validates the
 * attributes strictly against the command's own policy (or rejects them
 * all). maxattr is what the family reports to the controller.
 */
static struct genl_family replcopy_genl_family __ro_after_init = {
	.name		= REPLCOPY_GENL_NAME,
	.version	= REPLCOPY_GENL_VERSION,
	.maxattr	= REPLCOPY_A_MAX,
	.netnsok	= true,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.ops		= replcopy_genl_ops,
	.n_ops		= ARRAY_SIZE(replcopy_genl_ops),
	.mcgrps		= replcopy_genl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(replcopy_genl_mcgrps),
};

/* Has the events group a member in net? Any context. */
bool replcopy_genl_listening(struct net *net)
{
	bool on;

	rcu_read_lock();
	on = READ_ONCE(replcopy_genl_live) &&
	     genl_has_listeners(&replcopy_genl_family, net, 0);
	rcu_read_unlock();
	return on;
}

void *replcopy_genl_event_hdr(struct sk_buff *skb)
{
	return genlmsg_put(skb, 0, 0, &replcopy_genl_family, 0,
			   REPLCOPY_CMD_EVENT);
}

/* Ends and sends an event to the group in net; consumes skb. */
void replcopy_genl_multicast(struct net *net, struct sk_buff *skb)
{
	nlmsg_end(skb, nlmsg_hdr(skb));
	rcu_read_lock();
	if (READ_ONCE(replcopy_genl_live))
		genlmsg_multicast_netns(&replcopy_genl_family, net, skb, 0, 0,
					GFP_ATOMIC);
	else
		nlmsg_free(skb);
	rcu_read_unlock();
}

int __init replcopy_genl_init(void)
{
	int err = genl_register_family(&replcopy_genl_family);

	if (!err)
		WRITE_ONCE(replcopy_genl_live, true);
	return err;
}

void replcopy_genl_exit(void)
{
	WRITE_ONCE(replcopy_genl_live, false);
	synchronize_rcu();
	genl_unregister_family(&replcopy_genl_family);
}
