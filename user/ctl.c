// SPDX-License-Identifier: GPL-2.0
/*
 * ctl.c - replctl: control of the replcopy kernel module, which copies live
 * TCP traffic arriving on a local port to a test server.
 *
 * Entry point and subcommand table. Every subcommand parses its whole
 * command line before it touches netlink or libkmod, so usage errors
 * (exit status 2) never depend on the module.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void usage_help(FILE *f);

static const struct cmd cmds[] = {
	{ "add", "copy a local port's traffic to a test server",
	  cmd_add, usage_add },
	{ "del", "delete mappings: by [ONLINE_IP:]PORT, --id ID or --all",
	  cmd_del, usage_del },
	{ "list", "list the mappings", cmd_list, usage_list },
	{ "stats", "counters and fidelity: once, every N seconds (-i), or "
	  "--prometheus",
	  cmd_stats, usage_stats },
	{ "sessions", "list the live replayed connections",
	  cmd_sessions, usage_sessions },
	{ "monitor", "print events (sessions, limits, mappings) as they "
	  "happen", cmd_monitor, usage_monitor },
	{ "set", "change module settings: worker model, limits, timeouts",
	  cmd_set, usage_set },
	{ "show", "show module settings and version", cmd_show, usage_show },
	{ "save", "print the settings and mappings as a config file",
	  cmd_save, usage_save },
	{ "apply", "make settings and mappings equal to a config file",
	  cmd_apply, usage_apply },
	{ "version", "versions of replctl and the module, module state",
	  cmd_version, usage_version },
	{ "help", "this help, or a command's: replctl help COMMAND",
	  NULL, usage_help },
};

#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

static void usage_main(FILE *f)
{
	size_t i;

	fputs(
"Usage: replctl COMMAND [ARGUMENTS] [OPTIONS]\n"
"       replctl COMMAND -h    (help on one command)\n"
"\n"
"Control replcopy, the kernel module that copies live TCP traffic arriving\n"
"on a local port to a test server.\n"
"\n"
"Commands:\n", f);
	for (i = 0; i < NCMDS; i++)
		fprintf(f, "  %-9s %s\n", cmds[i].name, cmds[i].summary);
	fputs(
"\n"
"Options:\n"
"  -h, --help     show this help\n"
"  -V, --version  print replctl's version\n"
"\n"
"Exit status: 0 success, 1 the kernel refused (or the module is missing),\n"
"2 usage error, 3 the output could not be written.\n"
"\n"
"Permissions: add, del, apply, sessions and monitor need CAP_NET_ADMIN over\n"
"the network namespace, set (and apply, to change settings) needs it over\n"
"the host; list, stats, show, save and version are open to every user\n"
"(they hold no client addresses).\n"
"\n"
"Examples:\n"
"  replctl add 11311 10.0.0.31:11511\n"
"  replctl add 8080 '[fd00::31]:8081'\n"
"  replctl list\n"
"  replctl stats -i 1\n"
"  replctl monitor --json\n"
"  replctl set worker kthread\n"
"  replctl save > /etc/replcopy/replcopy.conf\n"
"  replctl apply /etc/replcopy/replcopy.conf\n"
"  replctl del 11311\n"
"\n"
"See replctl(8).\n", f);
}

static void usage_help(FILE *f)
{
	fputs(
"Usage: replctl help [COMMAND]\n"
"\n"
"Show the list of commands, or the help of COMMAND (same as replctl COMMAND\n"
"-h).\n"
"\n"
"Examples:\n"
"  replctl help\n"
"  replctl help stats\n", f);
}

static const struct cmd *find(const char *name)
{
	size_t i;

	for (i = 0; i < NCMDS; i++)
		if (!strcmp(cmds[i].name, name))
			return &cmds[i];
	return NULL;
}

static int unknown(const char *name)
{
	fprintf(stderr, "replctl: unknown command \"%s\": use one of add, del, "
		"list, stats, sessions, monitor, set, show, save, apply, "
		"version, help (see replctl -h)\n", name);
	return EXIT_USAGE;
}

static int help(int argc, char **argv)
{
	const struct cmd *c;

	if (argc == 0) {
		usage_main(stdout);
		return EXIT_OK;
	}
	if (argc > 1) {
		fprintf(stderr, "replctl: help: unexpected argument \"%s\": "
			"write replctl help COMMAND\n", argv[1]);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[0], "-h") || !strcmp(argv[0], "--help")) {
		usage_help(stdout);
		return EXIT_OK;
	}
	c = find(argv[0]);
	if (!c)
		return unknown(argv[0]);
	c->usage(stdout);
	return EXIT_OK;
}

/*
 * Like coreutils' close_stdout: a failed write is an error, with its own
 * status (the kernel may well have done what was asked). A closed pipe
 * (replctl ... | head) is not worth a message.
 */
static int finish(int rc)
{
	if (fflush(stdout) || ferror(stdout)) {
		if (errno != EPIPE)
			fprintf(stderr, "replctl: write error on standard output: %s\n",
				strerror(errno));
		return rc ? rc : EXIT_OUTPUT;
	}
	return rc;
}

int main(int argc, char **argv)
{
	const struct cmd *c;
	const char *name;

	if (argc < 2) {
		usage_main(stderr);
		return EXIT_USAGE;
	}
	name = argv[1];
	if (!strcmp(name, "-h") || !strcmp(name, "--help"))
		return finish((usage_main(stdout), EXIT_OK));
	if (!strcmp(name, "-V") || !strcmp(name, "--version")) {
		printf("replctl %s\n", REPLCTL_VERSION);
		return finish(EXIT_OK);
	}
	if (name[0] == '-') {
		fprintf(stderr, "replctl: unknown option \"%s\": options go "
			"after the command, e.g. replctl list --json (see "
			"replctl -h)\n", name);
		return EXIT_USAGE;
	}
	if (!strcmp(name, "help"))
		return finish(help(argc - 2, argv + 2));
	c = find(name);
	if (!c)
		return unknown(name);
	return finish(c->run(argc - 2, argv + 2));
}
