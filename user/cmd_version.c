// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_version.c - replctl version: replctl's version, the loaded module's
 * version (asked over netlink) and the module's state (from libkmod).
 */
#include <string.h>

#include "cli.h"
#include "kmod.h"
#include "output.h"
#include "parse.h"
#include "reply.h"

void usage_version(FILE *f)
{
	fputs(
"Usage: replctl version [--json]\n"
"\n"
"Print replctl's version and the netlink family version it speaks; when the\n"
"replcopy module is loaded, its version as the kernel reports it; and the\n"
"module's state from libkmod (live, coming, going, builtin or not loaded,\n"
"reference count, size, holders) and module file. Never loads the module.\n"
"\n"
"Options:\n"
"  -j, --json  print a JSON object\n"
"  -h, --help  show this help\n"
"\n"
"Examples:\n"
"  replctl version\n"
"  replctl version --json | jq -r .module.state\n",
	      f);
}

/* Ask the loaded module for its version; the reason in why if not. */
static void kernel_version(struct rc_version_info *v, struct rc_config *c,
			   char *why, size_t len)
{
	struct nl nl;
	int err;

	err = nl_open(&nl);
	if (err) {
		snprintf(why, len, "netlink: %s", strerror(-err));
		v->kernel_error = why;
		return;
	}
	err = nl_resolve(&nl, REPLCOPY_GENL_NAME);
	if (err) {
		snprintf(why, len, "netlink family %s: %s", REPLCOPY_GENL_NAME,
			 strerror(-err));
		v->kernel_error = why;
		goto out;
	}
	v->has_family_version = true;
	v->family_version = nl.family_version;
	err = config_get(&nl, c);
	if (err) {
		snprintf(why, len, "%s%s%s", strerror(-err),
			 nl.ext.has_msg ? ": " : "", nl.ext.msg);
		v->kernel_error = why;
	} else if (c->has_version) {
		v->module_version = c->version;
	} else {
		snprintf(why, len, "the module did not report it");
		v->kernel_error = why;
	}
out:
	nl_close(&nl);
}

int cmd_version(int argc, char **argv)
{
	struct rc_version_info v;
	struct rc_kmod_info ki;
	struct json_args a;
	struct rc_config c;
	char why[400];
	struct perr e;
	int rc;

	rc = cli_parsed("version", parse_json_args("version", argc, argv, &a,
						   &e), &e, usage_version);
	if (rc >= 0)
		return rc;

	memset(&v, 0, sizeof(v));
	v.replctl = REPLCTL_VERSION;
	v.genl_version = REPLCOPY_GENL_VERSION;
	rc_kmod_info(&ki);
	v.kmod_error = ki.error[0] ? ki.error : NULL;
	v.state = ki.state[0] ? ki.state : NULL;
	v.refcnt = ki.refcnt;
	v.size = ki.size;
	v.holders = ki.holders[0] ? ki.holders : NULL;
	v.path = ki.path[0] ? ki.path : NULL;
	v.file_version = ki.file_version[0] ? ki.file_version : NULL;
	v.release = ki.release;

	/* Only ask the kernel when the module is there: looking up a missing
	 * family makes the kernel try to load it, and version must not.
	 */
	if (v.state)
		kernel_version(&v, &c, why, sizeof(why));

	if (a.json)
		out_version_json(stdout, &v);
	else
		out_version_text(stdout, &v);
	return EXIT_OK;
}
