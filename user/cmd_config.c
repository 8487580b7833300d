// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_config.c - replctl set and show: module-wide settings.
 */
#include <errno.h>
#include <string.h>

#include "cli.h"
#include "msg.h"
#include "names.h"
#include "output.h"
#include "parse.h"
#include "reply.h"

void usage_set(FILE *f)
{
	fputs(
"Usage: replctl set KEY VALUE [KEY VALUE]...\n"
"\n"
"Change module-wide settings (all network namespaces; needs CAP_NET_ADMIN\n"
"in the initial user namespace). Several settings may be given at once:\n"
"either all of them are applied or none is.\n"
"\n"
"Settings:\n"
"  worker wq|kthread         worker model of new sessions: a work item per\n"
"                            session on the module's workqueue, or one\n"
"                            kthread per replayed connection\n"
"  wq-unbound on|off         use a WQ_UNBOUND workqueue\n"
"  wq-max-active N           workqueue max_active, 1-512 (0: default)\n"
"  max-sessions N            live sessions, over all namespaces, 1-4194304\n"
"                            (netns of non-initial user namespaces: half of\n"
"                            it and of max-total-kbytes, together)\n"
"  max-session-bytes N       a session's fair share of the memory budget,\n"
"                            65536-1073741824 (at most max-total-kbytes\n"
"                            KiB); binds only once all sessions together\n"
"                            hold half of the budget\n"
"  max-total-kbytes N        memory budget of all sessions (truesize of\n"
"                            what they hold), KiB, 1024-1073741824\n"
"  idle-timeout SECONDS      end sessions idle this long, 1-86400\n"
"  syn-retries N             SYN retransmissions, 1-10\n"
"  max-retries N             data retransmissions, 1-20\n"
"Going over a limit drops replay work (counted in replctl stats), never\n"
"production traffic. replctl show prints the current values.\n"
"\n"
"Options:\n"
"  -h, --help  show this help\n"
"\n"
"Examples:\n"
"  replctl set worker kthread\n"
"  replctl set wq-unbound on wq-max-active 64\n"
"  replctl set max-sessions 20000 max-total-kbytes 524288 idle-timeout 120\n",
	      f);
}

void usage_show(FILE *f)
{
	fputs(
"Usage: replctl show [--json]\n"
"\n"
"Show the module's version and its module-wide settings (see replctl set).\n"
"\n"
"Options:\n"
"  -j, --json  print a JSON object\n"
"  -h, --help  show this help\n"
"\n"
"Examples:\n"
"  replctl show\n"
"  replctl show --json | jq -r .worker\n",
	      f);
}

int cmd_set(int argc, char **argv)
{
	struct nlmsghdr *req;
	struct set_args a;
	struct perr e;
	struct nl nl;
	int rc, err;

	rc = cli_parsed("set", parse_set_args(argc, argv, &a, &e), &e,
			usage_set);
	if (rc >= 0)
		return rc;
	rc = cli_connect(&nl, "set");
	if (rc)
		return rc;

	req = msg_set_config(nl.req, nl.family, 0, &a);
	err = nl_talk(&nl, req, NULL, NULL);
	if (err)
		rc = cli_kernel_error(&nl, "set", err);
	else
		cli_extack_warning(&nl, "set");
	nl_close(&nl);
	return rc;
}

static int config_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rc_config *c = data;
	struct rc_reply r;

	if (rc_parse_reply(nlh, &r)) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	*c = r.cfg;
	return MNL_CB_OK;
}

int config_get(struct nl *nl, struct rc_config *c)
{
	struct nlmsghdr *req;

	memset(c, 0, sizeof(*c));
	req = msg_get_config(nl->req, nl->family, 0);
	return nl_talk(nl, req, config_cb, c);
}

int cmd_show(int argc, char **argv)
{
	struct json_args a;
	struct rc_config c;
	struct perr e;
	struct nl nl;
	int rc, err;

	rc = cli_parsed("show", parse_json_args("show", argc, argv, &a, &e),
			&e, usage_show);
	if (rc >= 0)
		return rc;
	rc = cli_connect(&nl, "show");
	if (rc)
		return rc;

	err = config_get(&nl, &c);
	if (err)
		rc = cli_kernel_error(&nl, "show", err);
	else if (a.json)
		out_config_json(stdout, &c);
	else
		out_config_text(stdout, &c);
	nl_close(&nl);
	return rc;
}
