/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cli.h - what the subcommands share: the command table entry, exit
 * statuses, error reporting and the connection to the kernel.
 */
#ifndef REPLCTL_CLI_H
#define REPLCTL_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "nl.h"
#include "perr.h"

#ifndef REPLCTL_VERSION
#define REPLCTL_VERSION "0.1.0"
#endif

/* Exit statuses. */
enum {
	EXIT_OK = 0,
	EXIT_KERNEL = 1,	/* the kernel refused, or could not be asked */
	EXIT_USAGE = 2,		/* bad command line */
	EXIT_OUTPUT = 3,	/* the answer could not be written out */
};

struct cmd {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);	/* args after the name */
	void (*usage)(FILE *f);
};

/* The subcommands (cmd_*.c). */
int cmd_add(int argc, char **argv);
int cmd_del(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_sessions(int argc, char **argv);
int cmd_set(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_save(int argc, char **argv);
int cmd_apply(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_monitor(int argc, char **argv);
void usage_add(FILE *f);
void usage_del(FILE *f);
void usage_list(FILE *f);
void usage_stats(FILE *f);
void usage_sessions(FILE *f);
void usage_set(FILE *f);
void usage_show(FILE *f);
void usage_save(FILE *f);
void usage_apply(FILE *f);
void usage_version(FILE *f);
void usage_monitor(FILE *f);

/*
 * The outcome of a parse_*_args(): PARSE_HELP prints usage to stdout and
 * yields EXIT_OK, PARSE_ERR prints "replctl: <cmd>: <msg>" and yields
 * EXIT_USAGE; -1 means go on (PARSE_OK).
 */
int cli_parsed(const char *cmd, int res, const struct perr *e,
	       void (*usage)(FILE *f));

/*
 * Open the netlink socket and resolve the replcopy family, loading the
 * module with libkmod when it is missing. 0, or EXIT_KERNEL after printing
 * why.
 */
int cli_connect(struct nl *nl, const char *cmd);

/* Print "replctl: <cmd>: <strerror>: <extack>" for err; EXIT_KERNEL. */
int cli_kernel_error(struct nl *nl, const char *cmd, int err);
/* Print an extack message that came with a successful request. */
void cli_extack_warning(struct nl *nl, const char *cmd);

struct rc_config;
/*
 * Ask the module for its settings and version into *c (cmd_config.c; for
 * show, version, save and apply). 0, or -errno as nl_talk().
 */
int config_get(struct nl *nl, struct rc_config *c);

struct rc_mapping;
/*
 * The mappings of this network namespace, in ID order, into a new array
 * *v of *n (cmd_map.c; for list, save and apply; free() it). 0, or -errno
 * as nl_talk().
 */
int mappings_get(struct nl *nl, struct rc_mapping **v, size_t *n);

/* Append one zeroed element of size to *arr; NULL when out of memory. */
void *cli_push(void **arr, size_t *n, size_t *cap, size_t size);

#endif
