// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_map.c - replctl add, del, list: the mappings of this network
 * namespace.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "conf.h"
#include "msg.h"
#include "output.h"
#include "parse.h"
#include "reply.h"

void usage_add(FILE *f)
{
	fputs(
"Usage: replctl add [ONLINE_IP:]PORT TARGET_IP:PORT [TARGET_IP:PORT...]\n"
"                   [OPTIONS]\n"
"\n"
"Copy the TCP traffic that arrives on local PORT to the test server\n"
"TARGET_IP:PORT. With ONLINE_IP, only traffic to that local address is\n"
"copied (\"*:PORT\" or just PORT: any local address). With several targets\n"
"(at most 8, each once), every replayed client connection goes to each of\n"
"them. The mapping belongs to the network namespace replctl runs in.\n"
"Prints the new mapping's ID.\n"
"\n"
"An address is IPv4, IP:PORT (10.0.0.31:11511), or IPv6 in brackets,\n"
"[IPv6]:PORT ([fd00::31]:11511, [fd00::5]:80). With ONLINE_IP, only the\n"
"clients of its family are copied; without it, those of both families\n"
"(with --source client, of the targets' family). Targets may mix\n"
"families: with --source auto, a client connection of one family is also\n"
"replayed to a target of the other; --source client needs the online\n"
"address and every target of one family.\n"
"\n"
"A mapping's targets, copies and options are fixed when it is added: to\n"
"change them, delete it (replctl del) and add it again.\n"
"\n"
"Each replayed client connection makes one session per target and copy,\n"
"each with its own source port and counters. The mapping's counters are\n"
"the sum of its targets' (replctl stats shows each one's) and of those\n"
"counted before a connection is handed to the targets: captured_segs,\n"
"sess_unsampled, drop_frag, and drop_nosyn and drop_other of unusable\n"
"segments.\n"
"\n"
"Options:\n"
"  --source auto|client      source address of the replayed connections:\n"
"                            auto (default) this host's address toward the\n"
"                            target and a port the module picks; client the\n"
"                            real client's address and port (the target must\n"
"                            route the client networks back via this host;\n"
"                            one copy only, one address family)\n"
"  --pacing stream|response  stream (default) sends client segments as they\n"
"                            arrive; response holds each request until the\n"
"                            target has answered the previous one\n"
"  --no-fabricate            replay only connections whose SYN was seen (no\n"
"                            fabricated handshake for connections that were\n"
"                            already open when the mapping was added)\n"
"  --sample PERCENT          replay only this share of the client\n"
"                            connections, 0.01-100 (default 100): each one\n"
"                            whole or not at all, chosen by a keyed hash of\n"
"                            its addresses and ports; the others count in\n"
"                            sess_unsampled\n"
"  --copies N                replay each client connection N times to each\n"
"                            target, 1-16 (default 1): N times the load\n"
"                            (not with --source client)\n"
"  -j, --json                print the new mapping as a JSON object\n"
"  -h, --help                show this help\n"
"\n"
"Examples:\n"
"  replctl add 11311 10.0.0.31:11511\n"
"  replctl add 10.0.0.5:80 10.0.0.32:8080 --source client\n"
"  replctl add 6379 10.0.0.33:6379 --pacing response --no-fabricate\n"
"  replctl add 80 10.0.0.34:80 --sample 5     (a 5 % slice of the clients)\n"
"  replctl add 80 10.0.0.31:80 10.0.0.32:80   (the same traffic to both)\n"
"  replctl add 80 10.0.0.31:80 --copies 3     (three times the traffic)\n"
"  replctl add 8080 '[fd00::31]:8081'         (IPv6 target, both families)\n"
"  replctl add '[fd00::5]:80' 10.0.0.32:80    (IPv6 clients, IPv4 target)\n",
	      f);
}

void usage_del(FILE *f)
{
	fputs(
"Usage: replctl del [ONLINE_IP:]PORT\n"
"       replctl del --id ID\n"
"       replctl del --all\n"
"\n"
"Delete mappings of this network namespace: the mapping(s) on local PORT\n"
"(with ONLINE_IP, IPv4 or [IPv6], only the one for that address), the\n"
"mapping with ID (see replctl list), or all of them. Live replayed\n"
"connections of a deleted mapping are reset on the target.\n"
"\n"
"Options:\n"
"  --id ID     delete the mapping with this ID\n"
"  --all       delete every mapping\n"
"  -h, --help  show this help\n"
"\n"
"Examples:\n"
"  replctl del 11311\n"
"  replctl del 10.0.0.5:80\n"
"  replctl del '[fd00::5]:80'\n"
"  replctl del --id 3\n"
"  replctl del --all\n",
	      f);
}

void usage_list(FILE *f)
{
	fputs(
"Usage: replctl list [--json]\n"
"\n"
"List the mappings of this network namespace: ID, ONLINE (local address and\n"
"port, * for any address), TARGET, SOURCE, PACING, FLAGS, SAMPLE, COPIES\n"
"and the number of live replayed SESSIONS; an IPv6 address is shown in\n"
"brackets before its port ([fd00::31]:11511). A mapping with several\n"
"targets has its first one in its row, then one row per further target,\n"
"with only the TARGET column. In JSON, \"target\" is the first target and\n"
"\"targets\" lists them all, each with its live \"sessions\"; the\n"
"\"..._addr\" and \"addr\" keys hold the address alone (\"fd00::31\").\n"
"\n"
"Options:\n"
"  -j, --json  print a JSON array of mapping objects\n"
"  -h, --help  show this help\n"
"\n"
"Examples:\n"
"  replctl list\n"
"  replctl list --json | jq '.[] | select(.sessions > 0) | .id'\n"
"  replctl list --json | jq -r '.[].targets[] | \"\\(.addr) \\(.port) \\(.sessions)\"'\n",
	      f);
}

/* Collects decoded mappings from replies (ADD's reply, GET_MAPPING dump). */
struct maps {
	struct rc_mapping *v;
	size_t n, cap;
};

static int maps_cb(const struct nlmsghdr *nlh, void *data)
{
	struct maps *m = data;
	struct rc_mapping *p;
	struct rc_reply r;

	if (rc_parse_reply(nlh, &r)) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	p = cli_push((void **)&m->v, &m->n, &m->cap, sizeof(*p));
	if (!p) {
		errno = ENOMEM;
		return MNL_CB_ERROR;
	}
	*p = r.map;
	return MNL_CB_OK;
}

static void maps_reset(void *data)
{
	((struct maps *)data)->n = 0;
}

static int by_id(const void *a, const void *b)
{
	const struct rc_mapping *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

int cmd_add(int argc, char **argv)
{
	struct maps m = { 0 };
	struct nlmsghdr *req;
	struct add_args a;
	struct perr e;
	struct nl nl;
	int rc, err;

	rc = cli_parsed("add", parse_add_args(argc, argv, &a, &e), &e,
			usage_add);
	if (rc >= 0)
		return rc;
	rc = cli_connect(&nl, "add");
	if (rc)
		return rc;

	req = msg_add_mapping(nl.req, nl.family, 0, &a);
	err = nl_talk(&nl, req, maps_cb, &m);
	if (err) {
		rc = cli_kernel_error(&nl, "add", err);
	} else {
		/* No reply body (the ID is unknown): show what was asked for. */
		struct rc_mapping asked = conf_map_of(&a),
				  *p = m.n ? &m.v[0] : &asked;

		cli_extack_warning(&nl, "add");
		if (a.json)
			out_mapping_json(stdout, p);
		else
			out_added_text(stdout, p);
	}
	free(m.v);
	nl_close(&nl);
	return rc;
}

int cmd_del(int argc, char **argv)
{
	struct nlmsghdr *req;
	struct del_args a;
	struct perr e;
	struct nl nl;
	int rc, err;

	rc = cli_parsed("del", parse_del_args(argc, argv, &a, &e), &e,
			usage_del);
	if (rc >= 0)
		return rc;
	rc = cli_connect(&nl, "del");
	if (rc)
		return rc;

	req = msg_del_mapping(nl.req, nl.family, 0, &a);
	err = nl_talk(&nl, req, NULL, NULL);
	if (err)
		rc = cli_kernel_error(&nl, "del", err);
	else
		cli_extack_warning(&nl, "del");
	nl_close(&nl);
	return rc;
}

int mappings_get(struct nl *nl, struct rc_mapping **v, size_t *n)
{
	struct maps m = { 0 };
	struct nlmsghdr *req;
	int err;

	req = msg_get_mappings(nl->req, nl->family, 0);
	err = nl_dump(nl, req, maps_cb, &m, maps_reset);
	if (err) {
		free(m.v);
		return err;
	}
	qsort(m.v, m.n, sizeof(*m.v), by_id);
	*v = m.v;
	*n = m.n;
	return 0;
}

int cmd_list(int argc, char **argv)
{
	struct rc_mapping *v = NULL;
	struct json_args a;
	struct perr e;
	struct nl nl;
	int rc, err;
	size_t n = 0;

	rc = cli_parsed("list", parse_json_args("list", argc, argv, &a, &e),
			&e, usage_list);
	if (rc >= 0)
		return rc;
	rc = cli_connect(&nl, "list");
	if (rc)
		return rc;

	err = mappings_get(&nl, &v, &n);
	if (err)
		rc = cli_kernel_error(&nl, "list", err);
	else if (a.json)
		out_mappings_json(stdout, v, n);
	else
		out_mappings_text(stdout, v, n);
	free(v);
	nl_close(&nl);
	return rc;
}
