// SPDX-License-Identifier: GPL-2.0
/*
 * Per-netns state and the mapping table.
 *
 * Each netns gets a struct replcopy_net (pernet operations, net_generic).
 * Its mappings sit on a list ordered by id (for dumps) and in a small hash
 * on the local port (for the capture hook); both are changed under
 * rn->lock and read under RCU. The netfilter hooks of a family are
 * registered in a netns with its first mapping that needs them (its
 * clients' or its targets' family) and unregistered with its last, so a
 * netns without mappings costs nothing on its packet path.
 *
 * A mapping's table reference is dropped when it is deleted; sessions hold
 * their own references. The memory goes after an RCU grace period once
 * the last reference is dropped.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hash.h>
#include <linux/inetdevice.h>
#include <linux/percpu.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <linux/stringify.h>
#include <net/addrconf.h>
#include <net/ipv6.h>
#include <net/netlink.h>
#include <net/netns/generic.h>
#include <net/route.h>

#include "replcopy.h"

static unsigned int replcopy_net_id __read_mostly;

struct replcopy_net *replcopy_net(const struct net *net)
{
	return net_generic(net, replcopy_net_id);
}

static struct hlist_head *replcopy_map_bucket(struct replcopy_net *rn,
					      __be16 port)
{
	return &rn->map_hash[hash_32((__force u32)port,
				     REPLCOPY_MAP_HASH_BITS)];
}

/* Would a segment to addr:port be captured by m? */
static bool replcopy_map_matches(const struct replcopy_mapping *m, u8 family,
				 const union nf_inet_addr *addr, __be16 port)
{
	return m->port == port && (m->cap_fams & replcopy_fam(family)) &&
	       (!m->online_family ||
		replcopy_addr_eq(m->online_family, &m->online_addr,
				 family, addr));
}

struct replcopy_mapping *replcopy_mapping_lookup(struct replcopy_net *rn,
						 u8 family,
						 const union nf_inet_addr *daddr,
						 __be16 dport)
{
	struct replcopy_mapping *m;

	hlist_for_each_entry_rcu(m, replcopy_map_bucket(rn, dport), hnode) {
		if (replcopy_map_matches(m, family, daddr, dport) &&
		    !READ_ONCE(m->dead))
			return m;
	}
	return NULL;
}

/* A slab cache of their own, as sessions have (see session.c). */
static struct kmem_cache *replcopy_mapping_cache __read_mostly;

static struct replcopy_pcpu_stats __percpu *replcopy_stats_alloc(void)
{
	struct replcopy_pcpu_stats __percpu *st;
	int cpu;

	st = alloc_percpu_gfp(struct replcopy_pcpu_stats, GFP_KERNEL_ACCOUNT);
	if (st)
		for_each_possible_cpu(cpu)
			u64_stats_init(&per_cpu_ptr(st, cpu)->syncp);
	return st;
}

static void replcopy_mapping_free(struct replcopy_mapping *m)
{
	int i;

	for (i = 0; i < m->nr_targets; i++)
		free_percpu(m->targets[i].stats);
	free_percpu(m->stats);
	kmem_cache_free(replcopy_mapping_cache, m);
}

static void replcopy_mapping_free_rcu(struct rcu_head *head)
{
	struct replcopy_mapping *m = container_of(head, struct replcopy_mapping,
						  rcu);

	replcopy_mapping_free(m);
}

void replcopy_mapping_put(struct replcopy_mapping *m)
{
	if (refcount_dec_and_test(&m->ref))
		call_rcu(&m->rcu, replcopy_mapping_free_rcu);
}

/* Adds the per-CPU counters st to out. */
static void replcopy_stats_sum(const struct replcopy_pcpu_stats __percpu *st,
			       u64 out[__REPLCOPY_STAT_MAX])
{
	u64 v[__REPLCOPY_STAT_MAX];
	unsigned int start;
	int cpu, i;

	for_each_possible_cpu(cpu) {
		const struct replcopy_pcpu_stats *s = per_cpu_ptr(st, cpu);

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			for (i = 0; i < __REPLCOPY_STAT_MAX; i++)
				v[i] = u64_stats_read(&s->c[i]);
		} while (u64_stats_fetch_retry(&s->syncp, start));

		for (i = 0; i < __REPLCOPY_STAT_MAX; i++)
			out[i] += v[i];
	}
}

/* Adds target t's counters and gauges to out. */
static void replcopy_target_add(const struct replcopy_target *t,
				u64 out[__REPLCOPY_STAT_MAX])
{
	replcopy_stats_sum(t->stats, out);
	out[REPLCOPY_STAT_SESS_ACTIVE] += atomic_read(&t->nr_sessions);
	out[REPLCOPY_STAT_QUEUED_BYTES] +=
		max_t(long, atomic_long_read(&t->queued), 0);
}

void replcopy_target_stats(const struct replcopy_target *t,
			   u64 out[__REPLCOPY_STAT_MAX])
{
	memset(out, 0, sizeof(u64) * __REPLCOPY_STAT_MAX);
	replcopy_target_add(t, out);
}

void replcopy_mapping_stats(const struct replcopy_mapping *m,
			    u64 out[__REPLCOPY_STAT_MAX])
{
	int i;

	memset(out, 0, sizeof(u64) * __REPLCOPY_STAT_MAX);
	replcopy_stats_sum(m->stats, out);
	for (i = 0; i < m->nr_targets; i++)
		replcopy_target_add(&m->targets[i], out);
}

u32 replcopy_mapping_sessions(const struct replcopy_mapping *m)
{
	u32 n = 0;
	int i;

	for (i = 0; i < m->nr_targets; i++)
		n += atomic_read(&m->targets[i].nr_sessions);
	return n;
}

void replcopy_net_stats(struct replcopy_net *rn, u64 out[__REPLCOPY_STAT_MAX])
{
	struct replcopy_mapping *m;
	u64 v[__REPLCOPY_STAT_MAX];
	int i;

	mutex_lock(&rn->lock);
	memcpy(out, rn->retired, sizeof(rn->retired));
	list_for_each_entry(m, &rn->mappings, list) {
		replcopy_mapping_stats(m, v);
		for (i = 0; i < __REPLCOPY_STAT_MAX; i++)
			out[i] += v[i];
	}
	mutex_unlock(&rn->lock);
}

static struct replcopy_mapping *replcopy_mapping_find_id(struct replcopy_net *rn,
							 u32 id)
{
	struct replcopy_mapping *m;

	list_for_each_entry(m, &rn->mappings, list)
		if (m->id == id)
			return m;
	return NULL;
}

static u32 replcopy_mapping_alloc_id(struct replcopy_net *rn)
{
	u32 id;

	/* Ids only repeat after 2^32 additions, and then skip live ones. */
	do {
		id = rn->next_id++;
	} while (!id || replcopy_mapping_find_id(rn, id));
	return id;
}

/* Keeps rn->mappings ordered by id, which restartable dumps rely on. */
static void replcopy_mapping_link(struct replcopy_net *rn,
				  struct replcopy_mapping *m)
{
	struct replcopy_mapping *pos;

	list_for_each_entry_reverse(pos, &rn->mappings, list) {
		if (pos->id < m->id) {
			list_add_rcu(&m->list, &pos->list);
			goto hash;
		}
	}
	list_add_rcu(&m->list, &rn->mappings);
hash:
	hlist_add_head_rcu(&m->hnode, replcopy_map_bucket(rn, m->port));
	rn->nr_mappings++;
}

static void replcopy_mapping_unlink(struct replcopy_net *rn,
				    struct replcopy_mapping *m,
				    struct list_head *dead)
{
	WRITE_ONCE(m->dead, true);
	replcopy_ev_mapping(m, REPLCOPY_EV_MAPPING_DEL);
	list_del_rcu(&m->list);
	hlist_del_rcu(&m->hnode);
	rn->nr_mappings--;
	list_add_tail(&m->del_node, dead);
}

/* The families whose hooks the netns's mappings need. rn->lock held. */
static u8 replcopy_hook_fams(struct replcopy_net *rn)
{
	const struct replcopy_mapping *m;
	u8 fams = 0;

	list_for_each_entry(m, &rn->mappings, list)
		fams |= m->hook_fams;
	return fams;
}

/*
 * Ends what the unlinked mappings on @dead still do, keeps their counters
 * in rn->retired and drops the table's references. Called with rn->lock.
 */
static void replcopy_mappings_retire(struct replcopy_net *rn,
				     struct list_head *dead)
{
	struct replcopy_mapping *m, *tmp;
	u64 v[__REPLCOPY_STAT_MAX];
	int i;

	lockdep_assert_held(&rn->lock);
	if (list_empty(dead))
		return;

	/* No capture hook still works on a mapping of @dead after this. */
	synchronize_rcu();

	list_for_each_entry_safe(m, tmp, dead, del_node) {
		replcopy_sessions_flush_mapping(m);
		replcopy_mapping_stats(m, v);
		for (i = 0; i < __REPLCOPY_STAT_MAX; i++)
			if (i != REPLCOPY_STAT_SESS_ACTIVE &&
			    i != REPLCOPY_STAT_QUEUED_BYTES)
				rn->retired[i] += v[i];
		list_del(&m->del_node);
		replcopy_mapping_put(m);
	}

	replcopy_hooks_unregister(rn, replcopy_hook_fams(rn));
}

/* The request's attribute of this type, for pointing extack at it. */
static const struct nlattr *rc_attr(struct nlattr **attrs, int type)
{
	return attrs ? attrs[type] : NULL;
}

/*
 * inet_addr_type() answers RTN_BROADCAST for any address in a netns that
 * never had an IPv4 address, as its local table does not exist yet.
 */
static bool replcopy_net_has_inet_addr(struct net *net)
{
	struct net_device *dev;
	bool found = false;

	rcu_read_lock();
	for_each_netdev_rcu(net, dev) {
		struct in_device *in_dev = __in_dev_get_rcu(dev);

		if (in_dev && rcu_access_pointer(in_dev->ifa_list)) {
			found = true;
			break;
		}
	}
	rcu_read_unlock();
	return found;
}

/* Is addr one of the netns's own addresses? */
static bool replcopy_addr_local(struct net *net, u8 family,
				const union nf_inet_addr *addr)
{
	if (family == AF_INET6)
		return ipv6_chk_addr(net, &addr->in6, NULL, 0);
	return inet_addr_type(net, addr->ip) == RTN_LOCAL;
}

static int replcopy_check_target6(struct net *net, const struct in6_addr *addr,
				  const struct nlattr *a_addr, bool *local,
				  struct netlink_ext_ack *extack)
{
	int type = ipv6_addr_type(addr);

	if (type == IPV6_ADDR_ANY) {
		NL_SET_ERR_MSG_ATTR(extack, a_addr,
				    "target address is :: (any): give the test server's unicast address");
		return -EINVAL;
	}
	if (type & IPV6_ADDR_LOOPBACK) {
		NL_SET_ERR_MSG_ATTR(extack, a_addr,
				    "target address is the loopback address ::1: give the test server's unicast address (a local one also works)");
		return -EINVAL;
	}
	if (type & IPV6_ADDR_MULTICAST) {
		NL_SET_ERR_MSG_ATTR(extack, a_addr,
				    "target address is multicast: give the test server's unicast address");
		return -EINVAL;
	}
	if (type & IPV6_ADDR_MAPPED) {
		NL_SET_ERR_MSG_ATTR(extack, a_addr,
				    "target address is IPv4-mapped (::ffff:a.b.c.d): give the IPv4 address itself");
		return -EINVAL;
	}
	if (type & IPV6_ADDR_LINKLOCAL) {
		NL_SET_ERR_MSG_ATTR(extack, a_addr,
				    "target address is link-local (fe80::/10), which needs an interface: give a global or unique local address");
		return -EINVAL;
	}
	*local = ipv6_chk_addr(net, addr, NULL, 0);
	return 0;
}

static int replcopy_check_target(struct net *net, __be32 addr,
				 const struct nlattr *a_addr, bool *local,
				 struct netlink_ext_ack *extack)
{
	if (ipv4_is_zeronet(addr)) {
		NL_SET_ERR_MSG_ATTR(extack, a_addr,
				    "target address is 0.0.0.0 (any): give the test server's unicast address");
		return -EINVAL;
	}
	if (ipv4_is_loopback(addr)) {
		NL_SET_ERR_MSG_ATTR(extack, a_addr,
				    "target address is a loopback address: give the test server's unicast address (a local one also works, not 127.0.0.0/8)");
		return -EINVAL;
	}
	if (ipv4_is_multicast(addr)) {
		NL_SET_ERR_MSG_ATTR(extack, a_addr,
				    "target address is multicast: give the test server's unicast address");
		return -EINVAL;
	}
	if (ipv4_is_lbcast(addr)) {
		NL_SET_ERR_MSG_ATTR(extack, a_addr,
				    "target address is the limited broadcast address: give the test server's unicast address");
		return -EINVAL;
	}

	switch (inet_addr_type(net, addr)) {
	case RTN_LOCAL:
		*local = true;
		return 0;
	case RTN_UNICAST:
		*local = false;
		return 0;
	case RTN_BROADCAST:
		/*
		 * Without any address here yet, a subnet's broadcast address
		 * is not known: accepted, and replcopy_route() refuses to
		 * send there once it is one.
		 */
		if (!replcopy_net_has_inet_addr(net)) {
			*local = false;
			return 0;
		}
		NL_SET_ERR_MSG_ATTR(extack, a_addr,
				    "target address is a broadcast address: give the test server's unicast address");
		return -EINVAL;
	default:
		NL_SET_ERR_MSG_ATTR(extack, a_addr,
				    "target address is not a unicast address here (blackhole, unreachable or similar local route): give the test server's unicast address");
		return -EINVAL;
	}
}

/*
 * Target i of the new mapping t: a unicast address, and no loop through
 * t or another mapping. The first target's attributes are the request's
 * MAP_TARGET_ADDR/PORT; the others' are in MAP_TARGETS.
 */
static int replcopy_check_one_target(struct replcopy_net *rn,
				     const struct replcopy_mapping *t, int i,
				     struct nlattr **attrs,
				     struct netlink_ext_ack *extack)
{
	const struct replcopy_target *tg = &t->targets[i];
	const struct nlattr *a_addr = rc_attr(attrs, i ? REPLCOPY_A_MAP_TARGETS :
					      tg->family == AF_INET6 ?
					      REPLCOPY_A_MAP_TARGET_ADDR6 :
					      REPLCOPY_A_MAP_TARGET_ADDR);
	const struct nlattr *a_tport = rc_attr(attrs, i ? REPLCOPY_A_MAP_TARGETS :
						  REPLCOPY_A_MAP_TARGET_PORT);
	const struct replcopy_mapping *m;
	struct net *net = rn->net;
	bool local;
	int err;

	if (!tg->port) {
		NL_SET_ERR_MSG_ATTR(extack, a_tport,
				    "port 0 cannot be targeted: give a port in 1..65535");
		return -EINVAL;
	}
	if (tg->family == AF_INET6)
		err = replcopy_check_target6(net, &tg->addr.in6, a_addr, &local,
					     extack);
	else
		err = replcopy_check_target(net, tg->addr.ip, a_addr, &local,
					    extack);
	if (err || !local)
		return err;

	if (replcopy_map_matches(t, tg->family, &tg->addr, tg->port)) {
		NL_SET_ERR_MSG_ATTR(extack, a_tport,
				    "target address is local and port equals the mapped port: the mapping would copy its own copies; use another target port or a remote target");
		return -EINVAL;
	}
	if (t->source == REPLCOPY_SOURCE_CLIENT) {
		NL_SET_ERR_MSG_ATTR(extack, rc_attr(attrs, REPLCOPY_A_MAP_SOURCE),
				    "source mode client needs a remote target: a local target would answer the real client directly; use source auto");
		return -EINVAL;
	}
	list_for_each_entry(m, &rn->mappings, list) {
		if (replcopy_map_matches(m, tg->family, &tg->addr, tg->port)) {
			NL_SET_ERR_MSG_ATTR(extack, a_tport,
					    "the target is a local address and port that another mapping copies from: copies would be copied again; delete that mapping or choose another target");
			return -EINVAL;
		}
	}
	return 0;
}

/* Does another mapping copy to one of t's local addresses and its port? */
static bool replcopy_copied_to(struct net *net,
			       const struct replcopy_mapping *m,
			       const struct replcopy_mapping *t)
{
	int i;

	for (i = 0; i < m->nr_targets; i++) {
		const struct replcopy_target *tg = &m->targets[i];

		if (replcopy_map_matches(t, tg->family, &tg->addr, tg->port) &&
		    replcopy_addr_local(net, tg->family, &tg->addr))
			return true;
	}
	return false;
}

static int replcopy_mapping_check(struct replcopy_net *rn,
				  const struct replcopy_mapping *t,
				  struct nlattr **attrs,
				  struct netlink_ext_ack *extack)
{
	const struct nlattr *a_port = rc_attr(attrs, REPLCOPY_A_MAP_PORT);
	const struct replcopy_mapping *m;
	struct net *net = rn->net;
	int err, i;

	if (!t->port) {
		NL_SET_ERR_MSG_ATTR(extack, a_port,
				    "port 0 cannot be mapped: give a port in 1..65535");
		return -EINVAL;
	}
	if (t->source > REPLCOPY_SOURCE_MAX || t->pacing > REPLCOPY_PACING_MAX ||
	    t->flags & ~__REPLCOPY_MAPF_ALL) {
		NL_SET_ERR_MSG(extack,
			       "unknown source mode, pacing or flag: update the module or drop the option");
		return -EINVAL;
	}
	if (!t->nr_targets || t->nr_targets > REPLCOPY_MAX_TARGETS ||
	    !t->copies || t->copies > REPLCOPY_MAX_COPIES) {
		NL_SET_ERR_MSG(extack,
			       "a mapping has 1.." __stringify(REPLCOPY_MAX_TARGETS)
			       " targets and 1.." __stringify(REPLCOPY_MAX_COPIES)
			       " copies");
		return -EINVAL;
	}
	if (t->copies > 1 && t->source == REPLCOPY_SOURCE_CLIENT) {
		NL_SET_ERR_MSG_ATTR(extack, rc_attr(attrs, REPLCOPY_A_MAP_COPIES),
				    "source mode client replays from the client's own address and port, so its copies would collide: use one copy, or source auto");
		return -EINVAL;
	}

	if (t->source == REPLCOPY_SOURCE_CLIENT) {
		for (i = 0; i < t->nr_targets; i++) {
			u8 f = t->targets[i].family;

			if (f != t->targets[0].family ||
			    (t->online_family && f != t->online_family)) {
				NL_SET_ERR_MSG_ATTR(extack,
						    rc_attr(attrs, REPLCOPY_A_MAP_SOURCE),
						    "source mode client replays from the client's own address, so the online address and every target must be of one family (IPv4 or IPv6): use source auto to replay across families");
				return -EINVAL;
			}
		}
	}

	if (t->online_family &&
	    !replcopy_addr_local(net, t->online_family, &t->online_addr)) {
		NL_SET_ERR_MSG_ATTR(extack,
				    rc_attr(attrs, t->online_family == AF_INET6 ?
					    REPLCOPY_A_MAP_ONLINE_ADDR6 :
					    REPLCOPY_A_MAP_ONLINE_ADDR),
				    "online address is not a local address of this network namespace: give an address configured here, or none to match every local address");
		return -EADDRNOTAVAIL;
	}

	for (i = 0; i < t->nr_targets; i++) {
		err = replcopy_check_one_target(rn, t, i, attrs, extack);
		if (err)
			return err;
	}

	list_for_each_entry(m, &rn->mappings, list) {
		if (m->port == t->port &&
		    (!m->online_family || !t->online_family ||
		     replcopy_addr_eq(m->online_family, &m->online_addr,
				      t->online_family, &t->online_addr))) {
			NL_SET_ERR_MSG_ATTR(extack, a_port,
					    "this local port already has a mapping for this address (a mapping for any address conflicts with one for a specific address): delete it first");
			return -EEXIST;
		}
		if (replcopy_copied_to(net, m, t)) {
			NL_SET_ERR_MSG_ATTR(extack, a_port,
					    "another mapping copies to this local port: copies would be copied again; delete that mapping or map another port");
			return -EINVAL;
		}
	}

	if (rn->nr_mappings >= REPLCOPY_MAX_MAPPINGS) {
		NL_SET_ERR_MSG(extack,
			       "too many mappings in this network namespace (limit "
			       __stringify(REPLCOPY_MAX_MAPPINGS)
			       "): delete unused ones first");
		return -ENOSPC;
	}
	return 0;
}

struct replcopy_mapping *replcopy_mapping_add(struct replcopy_net *rn,
					      const struct replcopy_mapping *tmpl,
					      struct nlattr **attrs,
					      struct netlink_ext_ack *extack)
{
	struct replcopy_mapping *m;
	int err, i;

	m = kmem_cache_zalloc(replcopy_mapping_cache, GFP_KERNEL);
	if (!m)
		return ERR_PTR(-ENOMEM);

	m->rn = rn;
	m->online_addr = tmpl->online_addr;
	m->online_family = tmpl->online_family;
	/*
	 * Without an online address both families, but in source mode
	 * client only the targets' (a mixed set is refused below).
	 */
	if (m->online_family)
		m->cap_fams = replcopy_fam(m->online_family);
	else if (tmpl->source == REPLCOPY_SOURCE_CLIENT)
		m->cap_fams = replcopy_fam(tmpl->targets[0].family);
	else
		m->cap_fams = REPLCOPY_FAM_4 | REPLCOPY_FAM_6;
	m->hook_fams = m->cap_fams;
	m->port = tmpl->port;
	m->nr_targets = min_t(u8, tmpl->nr_targets, REPLCOPY_MAX_TARGETS);
	m->copies = tmpl->copies;
	m->source = tmpl->source;
	m->pacing = tmpl->pacing;
	m->flags = tmpl->flags;
	m->sample = tmpl->sample;
	m->t_progress_at = jiffies;
	/* The table's reference and the caller's. */
	refcount_set(&m->ref, 2);

	err = -ENOMEM;
	m->stats = replcopy_stats_alloc();
	if (!m->stats)
		goto err_free;
	for (i = 0; i < m->nr_targets; i++) {
		struct replcopy_target *t = &m->targets[i];

		t->addr = tmpl->targets[i].addr;
		t->family = tmpl->targets[i].family;
		m->hook_fams |= replcopy_fam(t->family);
		t->port = tmpl->targets[i].port;
		atomic_set(&t->nr_sessions, 0);
		atomic_long_set(&t->queued, 0);
		t->stats = replcopy_stats_alloc();
		if (!t->stats)
			goto err_free;
	}

	mutex_lock(&rn->lock);
	err = replcopy_mapping_check(rn, m, attrs, extack);
	if (err)
		goto err_unlock;

	err = replcopy_hooks_register(rn, m->hook_fams);
	if (err) {
		replcopy_hooks_unregister(rn, replcopy_hook_fams(rn));
		NL_SET_ERR_MSG(extack,
			       "cannot register the netfilter hooks in this network namespace");
		goto err_unlock;
	}

	m->id = replcopy_mapping_alloc_id(rn);
	replcopy_mapping_link(rn, m);
	replcopy_ev_mapping(m, REPLCOPY_EV_MAPPING_ADD);
	mutex_unlock(&rn->lock);
	return m;

err_unlock:
	mutex_unlock(&rn->lock);
err_free:
	replcopy_mapping_free(m);
	return ERR_PTR(err);
}

int replcopy_mapping_del(struct replcopy_net *rn, u32 id, __be16 port,
			 u8 online_family,
			 const union nf_inet_addr *online_addr, bool all,
			 struct netlink_ext_ack *extack)
{
	struct replcopy_mapping *m, *tmp;
	LIST_HEAD(dead);
	int n = 0;

	mutex_lock(&rn->lock);
	list_for_each_entry_safe(m, tmp, &rn->mappings, list) {
		if (!all) {
			if (id && m->id != id)
				continue;
			if (!id && (m->port != port ||
				    (online_family &&
				     !replcopy_addr_eq(m->online_family,
						       &m->online_addr,
						       online_family,
						       online_addr))))
				continue;
		}
		replcopy_mapping_unlink(rn, m, &dead);
		n++;
	}
	replcopy_mappings_retire(rn, &dead);
	mutex_unlock(&rn->lock);
	return n;
}

static int __net_init replcopy_net_init(struct net *net)
{
	struct replcopy_net *rn = replcopy_net(net);

	rn->net = net;
	mutex_init(&rn->lock);
	INIT_LIST_HEAD(&rn->mappings);
	rn->next_id = 1;
	replcopy_events_net_init(rn);
	return replcopy_sessions_net_init(rn);
}

/*
 * Before the netns's devices go (.exit runs after them): the sessions
 * end here, so that the RSTs they send still find a route to the target,
 * whose connections would otherwise stay open until its own timeouts.
 */
static void __net_exit replcopy_net_pre_exit(struct net *net)
{
	struct replcopy_net *rn = replcopy_net(net);
	struct replcopy_mapping *m, *tmp;
	LIST_HEAD(dead);

	mutex_lock(&rn->lock);
	list_for_each_entry_safe(m, tmp, &rn->mappings, list)
		replcopy_mapping_unlink(rn, m, &dead);
	replcopy_mappings_retire(rn, &dead);
	replcopy_hooks_unregister(rn, 0);
	mutex_unlock(&rn->lock);
}

static void __net_exit replcopy_net_exit(struct net *net)
{
	struct replcopy_net *rn = replcopy_net(net);

	/* Nothing is live any more; frees the table and the port pools. */
	replcopy_sessions_net_exit(rn);
	replcopy_events_net_exit(rn);
	mutex_destroy(&rn->lock);
}

static struct pernet_operations replcopy_net_ops = {
	.init = replcopy_net_init,
	.pre_exit = replcopy_net_pre_exit,
	.exit = replcopy_net_exit,
	.id = &replcopy_net_id,
	.size = sizeof(struct replcopy_net),
};

int replcopy_pernet_init(void)
{
	int err;

	replcopy_mapping_cache = KMEM_CACHE(replcopy_mapping, SLAB_ACCOUNT);
	if (!replcopy_mapping_cache)
		return -ENOMEM;
	err = register_pernet_subsys(&replcopy_net_ops);
	if (err)
		kmem_cache_destroy(replcopy_mapping_cache);
	return err;
}

void replcopy_pernet_exit(void)
{
	unregister_pernet_subsys(&replcopy_net_ops);
	/* Mappings are freed by RCU callbacks in this module. */
	rcu_barrier();
	kmem_cache_destroy(replcopy_mapping_cache);
}
