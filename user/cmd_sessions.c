// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_sessions.c - replctl sessions: the live replayed connections.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "msg.h"
#include "output.h"
#include "parse.h"
#include "reply.h"

void usage_sessions(FILE *f)
{
	fputs(
"Usage: replctl sessions [--json] [--id ID]\n"
"\n"
"List the live replayed connections of this network namespace: MAP (the\n"
"mapping's ID), CLIENT (the real client), TARGET (the target it replays\n"
"to), COPY (which copy of the client connection, 0 to the mapping's\n"
"copies - 1), SOURCE (our side toward the target), STATE (syn_sent,\n"
"established, fin_wait, close_wait, closed), WORKER (wq or kthread),\n"
"CAPTURED (client payload bytes captured), ACKED (bytes the target\n"
"acknowledged), QUEUED (memory the session holds: the payload not acked\n"
"yet, and segments not processed yet), AGE, and FLAGS (fabricated:\n"
"started mid-stream without a SYN). Each client connection is one session\n"
"per target and copy of its mapping, each with its own source port and\n"
"counters. Sessions show real client addresses: listing them needs\n"
"CAP_NET_ADMIN over the network namespace (root, or the root of its user\n"
"namespace).\n"
"\n"
"Options:\n"
"  --id ID     only the sessions of mapping ID\n"
"  -j, --json  print a JSON array of session objects\n"
"  -h, --help  show this help\n"
"\n"
"Examples:\n"
"  replctl sessions\n"
"  replctl sessions --id 1 --json\n",
	      f);
}

struct sessions {
	struct rc_session *v;
	size_t n, cap;
};

static int sessions_cb(const struct nlmsghdr *nlh, void *data)
{
	struct sessions *s = data;
	struct rc_session *p;
	struct rc_reply r;

	if (rc_parse_reply(nlh, &r)) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (!r.has_session)
		return MNL_CB_OK;
	p = cli_push((void **)&s->v, &s->n, &s->cap, sizeof(*p));
	if (!p) {
		errno = ENOMEM;
		return MNL_CB_ERROR;
	}
	*p = r.sess;
	return MNL_CB_OK;
}

static void sessions_reset(void *data)
{
	((struct sessions *)data)->n = 0;
}

static int cmp(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

/* By mapping, client address and port, then target and copy. */
static int by_map_client(const void *a, const void *b)
{
	const struct rc_session *x = a, *y = b;
	int c;

	if (x->map_id != y->map_id)
		return cmp(x->map_id, y->map_id);
	c = rc_addr_cmp(&x->client_addr, &y->client_addr);
	if (c)
		return c;
	if (x->client_port != y->client_port)
		return cmp(x->client_port, y->client_port);
	c = rc_addr_cmp(&x->target_addr, &y->target_addr);
	if (c)
		return c;
	if (x->target_port != y->target_port)
		return cmp(x->target_port, y->target_port);
	return cmp(x->copy, y->copy);
}

/*
 * A module older than several targets does not say a session's target:
 * it is its mapping's only one. 0, or -errno as nl_talk().
 */
static int older_module_targets(struct nl *nl, struct sessions *s)
{
	struct rc_mapping *v = NULL;
	size_t i, j, n = 0;
	int err;

	for (i = 0; i < s->n; i++)
		if (!RC_HAS(&s->v[i], REPLCOPY_SA_TARGET_ADDR))
			break;
	if (i == s->n)
		return 0;
	err = mappings_get(nl, &v, &n);
	for (i = 0; !err && i < s->n; i++) {
		struct rc_session *p = &s->v[i];

		for (j = 0; j < n && !RC_HAS(p, REPLCOPY_SA_TARGET_ADDR); j++) {
			if (v[j].id != p->map_id)
				continue;
			p->target_addr = v[j].target_addr;
			p->target_port = v[j].target_port;
			p->present |= 1u << REPLCOPY_SA_TARGET_ADDR |
				      1u << REPLCOPY_SA_TARGET_PORT;
		}
	}
	free(v);
	return err;
}

int cmd_sessions(int argc, char **argv)
{
	struct sessions s = { 0 };
	struct sessions_args a;
	struct nlmsghdr *req;
	struct perr e;
	struct nl nl;
	size_t i, j;
	int rc, err;

	rc = cli_parsed("sessions", parse_sessions_args(argc, argv, &a, &e),
			&e, usage_sessions);
	if (rc >= 0)
		return rc;
	rc = cli_connect(&nl, "sessions");
	if (rc)
		return rc;

	req = msg_get_sessions(nl.req, nl.family, 0, a.has_id, a.id);
	err = nl_dump(&nl, req, sessions_cb, &s, sessions_reset);
	if (!err)
		err = older_module_targets(&nl, &s);
	if (err == -ENOENT && a.has_id && !nl.ext.has_msg) {
		/* The module refuses a filter on a mapping it does not have
		 * (some kernels drop the extack of a dump's start).
		 */
		fprintf(stderr, "replctl: sessions: no mapping with ID %u: see "
			"replctl list\n", a.id);
		rc = EXIT_KERNEL;
	} else if (err) {
		rc = cli_kernel_error(&nl, "sessions", err);
	} else {
		if (nl.dump_intr)
			fputs("replctl: sessions: sessions came and went while "
			      "they were listed (three tries): a session may be "
			      "missing or listed twice\n", stderr);
		/* The kernel filters too; this keeps the promise if not. */
		if (a.has_id) {
			for (i = j = 0; i < s.n; i++)
				if (s.v[i].map_id == a.id)
					s.v[j++] = s.v[i];
			s.n = j;
		}
		qsort(s.v, s.n, sizeof(*s.v), by_map_client);
		if (a.json)
			out_sessions_json(stdout, s.v, s.n);
		else
			out_sessions_text(stdout, s.v, s.n);
	}
	free(s.v);
	nl_close(&nl);
	return rc;
}
