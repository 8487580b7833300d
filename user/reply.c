// SPDX-License-Identifier: GPL-2.0
/*
 * reply.c - decoding replcopy messages (see reply.h).
 */
#include <errno.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "names.h"
#include "reply.h"

struct walk {
	struct rc_reply *r;
	int nest;		/* enclosing top-level attribute, or 0 */
	struct rc_stats *stats;	/* where stats_cb puts the counters */
	struct rc_target *tgt;	/* where target_cb puts a target */
};

static int bad(struct walk *w, int type)
{
	w->r->bad_attr = type;
	w->r->bad_nest = w->nest;
	return MNL_CB_ERROR;
}

static bool valid(const struct nlattr *a, enum mnl_attr_data_type t)
{
	return mnl_attr_validate(a, t) >= 0;
}

/*
 * An address: the IPv4 attribute type4 (be32) or its IPv6 twin (16 bytes)
 * into *dst, either setting type4's bit in *present; the IPv6 one wins
 * (see reply.h).
 */
static int get_addr(struct walk *w, const struct nlattr *a, int type4,
		    struct rc_addr *dst, uint32_t *present)
{
	int type = mnl_attr_get_type(a);

	if (type == type4) {
		if (!valid(a, MNL_TYPE_U32))
			return bad(w, type);
		if (dst->family != AF_INET6)
			*dst = rc_addr4(mnl_attr_get_u32(a));
	} else {
		if (mnl_attr_validate2(a, MNL_TYPE_BINARY,
				       sizeof(dst->v6)) < 0)
			return bad(w, type);
		*dst = rc_addr6(mnl_attr_get_payload(a));
	}
	*present |= 1u << type4;
	return MNL_CB_OK;
}

static int stats_cb(const struct nlattr *a, void *data)
{
	struct walk *w = data;
	int type = mnl_attr_get_type(a);
	struct rc_stats *st = w->stats;

	if (type >= __REPLCOPY_STAT_MAX || !rc_stat_name(type))
		return MNL_CB_OK;	/* PAD, or a counter newer than us */
	if (!valid(a, MNL_TYPE_U64))
		return bad(w, type);
	st->v[type] = mnl_attr_get_u64(a);
	st->has[type] = true;
	return MNL_CB_OK;
}

static int session_cb(const struct nlattr *a, void *data)
{
	struct walk *w = data;
	struct rc_session *s = &w->r->sess;
	int type = mnl_attr_get_type(a);
	enum mnl_attr_data_type t;

	switch (type) {
	case REPLCOPY_SA_CLIENT_ADDR:
	case REPLCOPY_SA_CLIENT_ADDR6:
		return get_addr(w, a, REPLCOPY_SA_CLIENT_ADDR, &s->client_addr,
				&s->present);
	case REPLCOPY_SA_SOURCE_ADDR:
	case REPLCOPY_SA_SOURCE_ADDR6:
		return get_addr(w, a, REPLCOPY_SA_SOURCE_ADDR, &s->source_addr,
				&s->present);
	case REPLCOPY_SA_TARGET_ADDR:
	case REPLCOPY_SA_TARGET_ADDR6:
		return get_addr(w, a, REPLCOPY_SA_TARGET_ADDR, &s->target_addr,
				&s->present);
	case REPLCOPY_SA_MAP_ID:
	case REPLCOPY_SA_QUEUED_BYTES:
		t = MNL_TYPE_U32;
		break;
	case REPLCOPY_SA_CLIENT_PORT:
	case REPLCOPY_SA_SOURCE_PORT:
	case REPLCOPY_SA_TARGET_PORT:
		t = MNL_TYPE_U16;
		break;
	case REPLCOPY_SA_STATE:
	case REPLCOPY_SA_WORKER:
	case REPLCOPY_SA_COPY:
		t = MNL_TYPE_U8;
		break;
	case REPLCOPY_SA_FABRICATED:
		t = MNL_TYPE_FLAG;
		break;
	case REPLCOPY_SA_CAPTURED_BYTES:
	case REPLCOPY_SA_ACKED_BYTES:
	case REPLCOPY_SA_AGE_MS:
		t = MNL_TYPE_U64;
		break;
	default:
		return MNL_CB_OK;
	}
	if (!valid(a, t))
		return bad(w, type);
	s->present |= 1u << type;

	switch (type) {
	case REPLCOPY_SA_MAP_ID:
		s->map_id = mnl_attr_get_u32(a);
		break;
	case REPLCOPY_SA_QUEUED_BYTES:
		s->queued_bytes = mnl_attr_get_u32(a);
		break;
	case REPLCOPY_SA_CLIENT_PORT:
		s->client_port = mnl_attr_get_u16(a);
		break;
	case REPLCOPY_SA_SOURCE_PORT:
		s->source_port = mnl_attr_get_u16(a);
		break;
	case REPLCOPY_SA_STATE:
		s->state = mnl_attr_get_u8(a);
		break;
	case REPLCOPY_SA_WORKER:
		s->worker = mnl_attr_get_u8(a);
		break;
	case REPLCOPY_SA_FABRICATED:
		s->fabricated = true;
		break;
	case REPLCOPY_SA_CAPTURED_BYTES:
		s->captured_bytes = mnl_attr_get_u64(a);
		break;
	case REPLCOPY_SA_ACKED_BYTES:
		s->acked_bytes = mnl_attr_get_u64(a);
		break;
	case REPLCOPY_SA_AGE_MS:
		s->age_ms = mnl_attr_get_u64(a);
		break;
	case REPLCOPY_SA_TARGET_PORT:
		s->target_port = mnl_attr_get_u16(a);
		break;
	case REPLCOPY_SA_COPY:
		s->copy = mnl_attr_get_u8(a);
		break;
	}
	return MNL_CB_OK;
}

static int config_cb(const struct nlattr *a, void *data)
{
	struct walk *w = data;
	struct rc_config *c = &w->r->cfg;
	int type = mnl_attr_get_type(a);
	const struct rc_setting *st = rc_setting_by_attr(type);

	if (!st)
		return MNL_CB_OK;
	if (st->kind == RC_SET_U32) {
		if (!valid(a, MNL_TYPE_U32))
			return bad(w, type);
		c->val[type] = mnl_attr_get_u32(a);
	} else {
		if (!valid(a, MNL_TYPE_U8))
			return bad(w, type);
		c->val[type] = mnl_attr_get_u8(a);
	}
	c->has[type] = true;
	return MNL_CB_OK;
}

/*
 * libmnl's attribute walks stop quietly at an attribute that runs past the
 * end: a message is well formed only when the walk reaches the end.
 */
static bool complete(const struct nlattr *first, const void *end)
{
	const struct nlattr *a = first;
	int len = (int)((const char *)end - (const char *)first);

	while (mnl_attr_ok(a, len)) {
		len -= MNL_ALIGN(a->nla_len);
		a = mnl_attr_next(a);
	}
	return len <= 0;
}

static int nested(const struct nlattr *a, struct walk *w, mnl_attr_cb_t cb)
{
	struct walk inner = *w;

	if (!inner.nest)
		inner.nest = mnl_attr_get_type(a);

	if (!valid(a, MNL_TYPE_NESTED) ||
	    !complete(mnl_attr_get_payload(a),
		      (const char *)a + a->nla_len))
		return bad(w, mnl_attr_get_type(a));
	return mnl_attr_parse_nested(a, cb, &inner);
}

/* One attribute of a REPLCOPY_TL_TARGET entry. */
static int target_cb(const struct nlattr *a, void *data)
{
	struct walk *w = data;
	struct rc_target *t = w->tgt;
	int type = mnl_attr_get_type(a);

	switch (type) {
	case REPLCOPY_TA_ADDR:
	case REPLCOPY_TA_ADDR6:
		return get_addr(w, a, REPLCOPY_TA_ADDR, &t->addr, &t->present);
	case REPLCOPY_TA_SESSIONS:
		if (!valid(a, MNL_TYPE_U32))
			return bad(w, type);
		break;
	case REPLCOPY_TA_PORT:
		if (!valid(a, MNL_TYPE_U16))
			return bad(w, type);
		break;
	case REPLCOPY_TA_STATS:
		w->stats = &w->r->tstats[t - w->r->map.targets.v];
		return nested(a, w, stats_cb);
	default:
		return MNL_CB_OK;
	}
	t->present |= 1u << type;
	if (type == REPLCOPY_TA_PORT)
		t->port = mnl_attr_get_u16(a);
	else
		t->sessions = mnl_attr_get_u32(a);
	return MNL_CB_OK;
}

/*
 * One entry of REPLCOPY_A_MAP_TARGETS: a target with its address and
 * port. More entries than REPLCOPY_MAX_TARGETS make the message malformed.
 */
static int targets_cb(const struct nlattr *a, void *data)
{
	struct walk *w = data;
	struct rc_targets *ts = &w->r->map.targets;
	int type = mnl_attr_get_type(a);
	struct rc_target *t;

	if (type != REPLCOPY_TL_TARGET)
		return MNL_CB_OK;
	if (ts->n == REPLCOPY_MAX_TARGETS)
		return bad(w, type);
	t = &ts->v[ts->n];
	w->tgt = t;
	if (nested(a, w, target_cb) < 0)
		return MNL_CB_ERROR;
	if (!RC_HAS(t, REPLCOPY_TA_ADDR) || !RC_HAS(t, REPLCOPY_TA_PORT))
		return bad(w, type);
	ts->n++;
	return MNL_CB_OK;
}

static int event_attr(const struct nlattr *a, struct walk *w)
{
	struct rc_event *ev = &w->r->ev;
	int type = mnl_attr_get_type(a);

	if (!valid(a, type == REPLCOPY_A_EVENT_SUPPRESSED ? MNL_TYPE_U32
							 : MNL_TYPE_U8))
		return bad(w, type);
	ev->present |= 1u << type;
	switch (type) {
	case REPLCOPY_A_EVENT:
		ev->type = mnl_attr_get_u8(a);
		break;
	case REPLCOPY_A_EVENT_REASON:
		ev->reason = mnl_attr_get_u8(a);
		break;
	case REPLCOPY_A_EVENT_LIMIT:
		ev->limit = mnl_attr_get_u8(a);
		break;
	case REPLCOPY_A_EVENT_SUPPRESSED:
		ev->suppressed = mnl_attr_get_u32(a);
		break;
	}
	return MNL_CB_OK;
}

static int top_cb(const struct nlattr *a, void *data)
{
	struct walk *w = data;
	struct rc_reply *r = w->r;
	struct rc_mapping *m = &r->map;
	int type = mnl_attr_get_type(a);
	size_t len;

	switch (type) {
	case REPLCOPY_A_MAP_ONLINE_ADDR:
	case REPLCOPY_A_MAP_ONLINE_ADDR6:
		return get_addr(w, a, REPLCOPY_A_MAP_ONLINE_ADDR,
				&m->online_addr, &m->present);
	case REPLCOPY_A_MAP_TARGET_ADDR:
	case REPLCOPY_A_MAP_TARGET_ADDR6:
		return get_addr(w, a, REPLCOPY_A_MAP_TARGET_ADDR,
				&m->target_addr, &m->present);
	case REPLCOPY_A_MAP_ID:
	case REPLCOPY_A_MAP_FLAGS:
	case REPLCOPY_A_MAP_SAMPLE:
	case REPLCOPY_A_MAP_SESSIONS:
	case REPLCOPY_A_MAP_COPIES:
		if (!valid(a, MNL_TYPE_U32))
			return bad(w, type);
		break;
	case REPLCOPY_A_MAP_PORT:
	case REPLCOPY_A_MAP_TARGET_PORT:
		if (!valid(a, MNL_TYPE_U16))
			return bad(w, type);
		break;
	case REPLCOPY_A_MAP_SOURCE:
	case REPLCOPY_A_MAP_PACING:
		if (!valid(a, MNL_TYPE_U8))
			return bad(w, type);
		break;
	case REPLCOPY_A_STATS:
		r->has_stats = true;
		w->stats = &r->stats;
		return nested(a, w, stats_cb);
	case REPLCOPY_A_MAP_TARGETS:
		m->present |= 1u << type;
		return nested(a, w, targets_cb);
	case REPLCOPY_A_SESSION:
		r->has_session = true;
		return nested(a, w, session_cb);
	case REPLCOPY_A_CONFIG:
		r->has_config = true;
		return nested(a, w, config_cb);
	case REPLCOPY_A_EVENT:
	case REPLCOPY_A_EVENT_REASON:
	case REPLCOPY_A_EVENT_LIMIT:
	case REPLCOPY_A_EVENT_SUPPRESSED:
		return event_attr(a, w);
	case REPLCOPY_A_VERSION:
		if (!valid(a, MNL_TYPE_STRING))
			return bad(w, type);
		len = mnl_attr_get_payload_len(a);
		if (len >= sizeof(r->cfg.version))
			len = sizeof(r->cfg.version) - 1;
		memcpy(r->cfg.version, mnl_attr_get_str(a), len);
		r->cfg.version[len] = '\0';
		r->cfg.has_version = true;
		return MNL_CB_OK;
	default:
		return MNL_CB_OK;
	}

	m->present |= 1u << type;
	switch (type) {
	case REPLCOPY_A_MAP_ID:
		m->id = mnl_attr_get_u32(a);
		break;
	case REPLCOPY_A_MAP_FLAGS:
		m->flags = mnl_attr_get_u32(a);
		break;
	case REPLCOPY_A_MAP_SAMPLE:
		m->sample = mnl_attr_get_u32(a);
		break;
	case REPLCOPY_A_MAP_SESSIONS:
		m->sessions = mnl_attr_get_u32(a);
		break;
	case REPLCOPY_A_MAP_COPIES:
		m->copies = mnl_attr_get_u32(a);
		break;
	case REPLCOPY_A_MAP_PORT:
		m->port = mnl_attr_get_u16(a);
		break;
	case REPLCOPY_A_MAP_TARGET_PORT:
		m->target_port = mnl_attr_get_u16(a);
		break;
	case REPLCOPY_A_MAP_SOURCE:
		m->source = mnl_attr_get_u8(a);
		break;
	case REPLCOPY_A_MAP_PACING:
		m->pacing = mnl_attr_get_u8(a);
		break;
	}
	return MNL_CB_OK;
}

/*
 * What an older module leaves out: a mapping without REPLCOPY_A_MAP_TARGETS
 * has one target, TARGET_ADDR:PORT, with the mapping's sessions; a
 * session in an event without its own target has the event's.
 */
static void older_module(struct rc_reply *r)
{
	struct rc_mapping *m = &r->map;
	struct rc_session *s = &r->sess;

	if (!m->targets.n && RC_HAS(m, REPLCOPY_A_MAP_TARGET_ADDR)) {
		rc_targets_add(&m->targets, &m->target_addr, m->target_port);
		if (RC_HAS(m, REPLCOPY_A_MAP_SESSIONS)) {
			m->targets.v[0].sessions = m->sessions;
			m->targets.v[0].present |= 1u << REPLCOPY_TA_SESSIONS;
		}
	}
	if (r->has_session && !RC_HAS(s, REPLCOPY_SA_TARGET_ADDR) &&
	    RC_HAS(m, REPLCOPY_A_MAP_TARGET_ADDR)) {
		s->target_addr = m->target_addr;
		s->target_port = m->target_port;
		s->present |= 1u << REPLCOPY_SA_TARGET_ADDR |
			      1u << REPLCOPY_SA_TARGET_PORT;
	}
}

const struct rc_addr *rc_map_online(const struct rc_mapping *m)
{
	return RC_HAS(m, REPLCOPY_A_MAP_ONLINE_ADDR) &&
	       rc_addr_is_set(&m->online_addr) ? &m->online_addr : NULL;
}

int rc_parse_reply(const struct nlmsghdr *nlh, struct rc_reply *r)
{
	struct walk w = { .r = r, .nest = 0 };
	const struct genlmsghdr *g;

	memset(r, 0, sizeof(*r));
	r->map.sample = REPLCOPY_SAMPLE_ALL;
	r->map.copies = 1;
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*g))
		return -EINVAL;
	g = mnl_nlmsg_get_payload(nlh);
	r->cmd = g->cmd;
	if (!complete(mnl_nlmsg_get_payload_offset(nlh, sizeof(*g)),
		      mnl_nlmsg_get_payload_tail(nlh)))
		return -EINVAL;
	if (mnl_attr_parse(nlh, sizeof(*g), top_cb, &w) < 0)
		return -EINVAL;
	older_module(r);
	return 0;
}

struct family {
	uint16_t id;
	uint32_t version;
	bool has_id;
};

static int family_cb(const struct nlattr *a, void *data)
{
	struct family *f = data;

	switch (mnl_attr_get_type(a)) {
	case CTRL_ATTR_FAMILY_ID:
		if (!valid(a, MNL_TYPE_U16))
			return MNL_CB_ERROR;
		f->id = mnl_attr_get_u16(a);
		f->has_id = true;
		break;
	case CTRL_ATTR_VERSION:
		if (!valid(a, MNL_TYPE_U32))
			return MNL_CB_ERROR;
		f->version = mnl_attr_get_u32(a);
		break;
	}
	return MNL_CB_OK;
}

int rc_parse_family(const struct nlmsghdr *nlh, uint16_t *id,
		    uint32_t *version)
{
	struct family f = { 0 };

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct genlmsghdr))
		return -EINVAL;
	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), family_cb, &f) < 0
	    || !f.has_id)
		return -EINVAL;
	*id = f.id;
	*version = f.version;
	return 0;
}

struct mcast_group {
	const char *name;
	uint32_t id;
	bool has_id;
};

/* One group: CTRL_ATTR_MCAST_GRP_NAME and CTRL_ATTR_MCAST_GRP_ID. */
static int group_cb(const struct nlattr *a, void *data)
{
	struct mcast_group *g = data;

	switch (mnl_attr_get_type(a)) {
	case CTRL_ATTR_MCAST_GRP_NAME:
		if (!valid(a, MNL_TYPE_NUL_STRING))
			return MNL_CB_ERROR;
		g->name = mnl_attr_get_str(a);
		break;
	case CTRL_ATTR_MCAST_GRP_ID:
		if (!valid(a, MNL_TYPE_U32))
			return MNL_CB_ERROR;
		g->id = mnl_attr_get_u32(a);
		g->has_id = true;
		break;
	}
	return MNL_CB_OK;
}

/* CTRL_ATTR_MCAST_GROUPS holds one nest per group. */
static int groups_cb(const struct nlattr *a, void *data)
{
	struct mcast_group *want = data, g = { 0 };

	if (!valid(a, MNL_TYPE_NESTED) ||
	    mnl_attr_parse_nested(a, group_cb, &g) < 0)
		return MNL_CB_ERROR;
	if (g.name && g.has_id && !strcmp(g.name, want->name)) {
		want->id = g.id;
		want->has_id = true;
	}
	return MNL_CB_OK;
}

static int family_groups_cb(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) != CTRL_ATTR_MCAST_GROUPS)
		return MNL_CB_OK;
	if (!valid(a, MNL_TYPE_NESTED))
		return MNL_CB_ERROR;
	return mnl_attr_parse_nested(a, groups_cb, data);
}

int rc_parse_family_group(const struct nlmsghdr *nlh, const char *name,
			  uint32_t *id)
{
	struct mcast_group want = { .name = name };

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct genlmsghdr))
		return -EINVAL;
	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), family_groups_cb,
			   &want) < 0)
		return -EINVAL;
	if (!want.has_id)
		return -ENOENT;
	*id = want.id;
	return 0;
}
