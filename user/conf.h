/* SPDX-License-Identifier: GPL-2.0 */
/*
 * conf.h - the config file of `replctl save` and `replctl apply`: reading
 * and checking it, and writing one from the kernel's state. Pure: works on
 * the FILE * and structs it is given, no netlink.
 *
 * The format: one replctl command per line, as typed after "replctl":
 *
 *   set KEY VALUE [KEY VALUE]...
 *   add [ONLINE_IP:]PORT TARGET_IP:PORT [TARGET_IP:PORT]... [--source ...]
 *       [--pacing ...] [--no-fabricate] [--sample ...] [--copies ...]
 *
 * (an IPv6 address in brackets: add [fd00::5]:80 [fd00::31]:8080).
 *
 * Each line goes through the command line parser of set or add
 * (parse.c): the same checks, the same messages. Words are separated by
 * blanks; as in the shell, '...' and "..." quote and a backslash escapes
 * the next character, and a word that starts with # begins a comment that
 * runs to the end of the line. Blank lines are ignored. Settings may be
 * spread over several set lines, each given once; each [ONLINE_IP:]PORT
 * is added once.
 */
#ifndef REPLCTL_CONF_H
#define REPLCTL_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "names.h"
#include "parse.h"
#include "perr.h"
#include "reply.h"

/* An add line. */
struct conf_map {
	struct add_args a;
	unsigned int line;
};

/* A whole file. */
struct conf {
	struct set_args set;				/* the set lines, merged */
	unsigned int set_line[__REPLCOPY_CFG_MAX];	/* where each was set */
	struct conf_map *maps;				/* in file order */
	size_t nmaps, cap;
};

void conf_init(struct conf *c);
void conf_free(struct conf *c);

/*
 * Add line number lineno (its text in line, without the newline; changed
 * in place) to c. 0, or -1 with the reason in e.
 */
int conf_parse_line(struct conf *c, char *line, unsigned int lineno,
		    struct perr *e);

/*
 * Read a whole file into c (conf_init() first). 0, or -1 with the reason
 * in e and *lineno the line at fault (0 when it is no line's: a read
 * error, no memory).
 */
int conf_read(FILE *f, struct conf *c, unsigned int *lineno,
	      struct perr *e);

/*
 * Write the file for the module's settings cfg (those it reported) and
 * the mappings m[0..n) (written in ID order): a header comment, one set
 * line, one add line per mapping with the options that differ from the
 * defaults. version is replctl's, for the header. 0, or -1 with e set and
 * nothing written when a value has no spelling in this replctl (a module
 * newer than replctl).
 */
int conf_write(FILE *f, const struct rc_config *cfg,
	       const struct rc_mapping *m, size_t n, const char *version,
	       struct perr *e);

/* ---- spellings, shared with apply's messages ------------------------- */

/* A setting's value as set takes it: "kthread", "on", "600". */
bool conf_fmt_value(const struct rc_setting *st, uint32_t v, char *buf,
		    size_t len);
/* "set KEY VALUE..." for the settings in s (rc_settings order). */
bool conf_fmt_set(const struct set_args *s, char *buf, size_t len);
/*
 * "add [ONLINE_IP:]PORT TARGET_IP:PORT [TARGET_IP:PORT]... [options]" for
 * m: every target in order, then the options that are not the default.
 */
bool conf_fmt_add(const struct rc_mapping *m, char *buf, size_t len);
/* "del --id ID", or without an ID "del ONLINE_IP:PORT" / "del PORT". */
void conf_fmt_del(const struct rc_mapping *m, char *buf, size_t len);

/*
 * A mapping as an add line gives it, and back (a mapping without a list
 * of targets has its TARGET_ADDR:PORT as the one target).
 */
struct rc_mapping conf_map_of(const struct add_args *a);
struct add_args conf_add_of(const struct rc_mapping *m);

#endif
