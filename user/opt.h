/* SPDX-License-Identifier: GPL-2.0 */
/*
 * opt.h - a small, reentrant option scanner for subcommand arguments.
 *
 * Accepts "--name value", "--name=value", "-x value", "-xvalue", "--"
 * (everything after it is positional) and options mixed with positional
 * arguments. Unlike getopt it keeps no global state (all of it is in struct optscan), so the parsers that
 * use it are pure and can be unit tested.
 */
#ifndef REPLCTL_OPT_H
#define REPLCTL_OPT_H

#include <stdbool.h>

#include "perr.h"

struct optdef {
	const char *lng;	/* "source" for --source, or NULL */
	char shrt;		/* 'i' for -i, or 0 */
	bool arg;		/* takes a value */
	int id;			/* > 0, returned by opt_next() */
};

struct optscan {
	const char *cmd;	/* subcommand, for messages */
	int argc;
	char **argv;
	int i;
	bool only_pos;		/* "--" seen */
	char spelled[64];	/* the option as typed, for *name */
};

enum {
	OPT_END = 0,		/* no more arguments */
	OPT_POS = -1,		/* positional argument in *val */
	OPT_ERR = -2,		/* error in *err */
};

void opt_init(struct optscan *s, const char *cmd, int argc, char **argv);
/*
 * The next option's id (its value, if it takes one, in *val), OPT_POS with
 * the argument in *val, OPT_END or OPT_ERR. *name is set to the spelling
 * the user typed ("--source" or "-i") for messages.
 */
int opt_next(struct optscan *s, const struct optdef *defs, const char **val,
	     const char **name, struct perr *err);
/* True when argv holds -h or --help before any "--". */
bool opt_wants_help(int argc, char **argv);

#endif
