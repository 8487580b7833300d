/* SPDX-License-Identifier: GPL-2.0 */
/*
 * parse.h - command-line parsing of every subcommand. Pure: no netlink, no
 * kmod, no output; errors are returned in a struct perr whose message names
 * the bad argument and says how to write it.
 *
 * Each parse_*_args() takes the arguments after the subcommand name and
 * returns PARSE_OK, PARSE_HELP (-h/--help was given) or PARSE_ERR.
 */
#ifndef REPLCTL_PARSE_H
#define REPLCTL_PARSE_H

#include <stdbool.h>
#include <stdint.h>

#include <uapi/replcopy.h>

#include "addr.h"
#include "perr.h"
#include "targets.h"

enum parse_result {
	PARSE_OK = 0,
	PARSE_HELP = 1,
	PARSE_ERR = -1,
};

/* ---- building blocks ---------------------------------------------- */

/*
 * A decimal number in [min, max]. No sign, no spaces, no suffix.
 * what names the argument in messages: `PORT "70000" out of range: use
 * 1-65535`.
 */
int parse_u64(const char *s, uint64_t min, uint64_t max, const char *what,
	      uint64_t *out, struct perr *e);
int parse_u32(const char *s, uint32_t min, uint32_t max, const char *what,
	      uint32_t *out, struct perr *e);
/* A TCP port, 1..65535. */
int parse_port(const char *s, const char *what, uint16_t *out,
	       struct perr *e);
/*
 * An address without brackets: IPv4 a.b.c.d, or IPv6 (when s has a ':'),
 * not IPv4-mapped (::ffff:a.b.c.d: give a.b.c.d), without a zone (%eth0).
 */
int parse_ip(const char *s, const char *what, struct rc_addr *out,
	     struct perr *e);
/*
 * The local side of a mapping: PORT, *:PORT, IPv4:PORT or [IPv6]:PORT.
 * *addr not set (family 0) for any address (also for 0.0.0.0 and [::]).
 */
int parse_online(const char *s, struct rc_addr *addr, uint16_t *port,
		 struct perr *e);
/*
 * The test server: IPv4:PORT or [IPv6]:PORT. Only the syntax is checked
 * here: whether the address may be a target (unicast, not loopback, not
 * the mapping itself) is the kernel's call, with an extack message.
 */
int parse_target(const char *s, struct rc_addr *addr, uint16_t *port,
		 struct perr *e);
/* Seconds, decimal fractions allowed ("0.5"), in [0.1, 86400]. */
int parse_interval(const char *s, const char *what, double *out,
		   struct perr *e);
/* on|off (also 1|0, yes|no, true|false). */
int parse_bool(const char *s, const char *what, bool *out, struct perr *e);
/*
 * A percentage of connections, 0.01 to 100, at most two decimals, an
 * optional "%": *out in 1/10 000 (1..REPLCOPY_SAMPLE_ALL).
 */
int parse_sample(const char *s, const char *what, uint32_t *out,
		 struct perr *e);

/* ---- subcommands ---------------------------------------------------- */

struct add_args {
	struct rc_addr online_addr;	/* not set (family 0) = any */
	uint16_t port;
	/* 1..REPLCOPY_MAX_TARGETS, in order, none twice: the first is
	 * REPLCOPY_A_MAP_TARGET_ADDR:_PORT.
	 */
	struct rc_targets targets;
	uint8_t source;		/* enum replcopy_source */
	uint8_t pacing;		/* enum replcopy_pacing */
	uint32_t flags;		/* REPLCOPY_MAPF_* */
	uint32_t sample;	/* 1/10 000; 0 or REPLCOPY_SAMPLE_ALL: all */
	uint32_t copies;	/* 1..REPLCOPY_MAX_COPIES; 0 or 1: one */
	bool json;
};

enum del_by {
	DEL_BY_PORT,		/* port, and online_addr when set */
	DEL_BY_ID,
	DEL_ALL,
};

struct del_args {
	enum del_by by;
	uint32_t id;
	uint16_t port;
	struct rc_addr online_addr;	/* not set (family 0) = any */
};

/* list, show, version, monitor */
struct json_args {
	bool json;
};

struct stats_args {
	bool json;
	bool prometheus;	/* --prometheus: Prometheus text format */
	const char *write;	/* --write FILE (with --prometheus), or NULL */
	bool has_interval;
	double interval;	/* seconds */
	uint32_t count;		/* 0 = until SIGINT */
	bool has_id;
	uint32_t id;
};

struct sessions_args {
	bool json;
	bool has_id;
	uint32_t id;
};

struct set_args {
	bool has[__REPLCOPY_CFG_MAX];		/* by replcopy_config_attr */
	uint32_t val[__REPLCOPY_CFG_MAX];
	unsigned int n;
};

struct apply_args {
	const char *file;	/* a path, or "-" for standard input */
};

int parse_add_args(int argc, char **argv, struct add_args *a,
		   struct perr *e);
int parse_del_args(int argc, char **argv, struct del_args *a,
		   struct perr *e);
/* For list, show, version and monitor: only --json/-j. */
int parse_json_args(const char *cmd, int argc, char **argv,
		    struct json_args *a, struct perr *e);
int parse_stats_args(int argc, char **argv, struct stats_args *a,
		     struct perr *e);
int parse_sessions_args(int argc, char **argv, struct sessions_args *a,
			struct perr *e);
int parse_set_args(int argc, char **argv, struct set_args *a,
		   struct perr *e);
/* save takes no arguments, only -h. */
int parse_save_args(int argc, char **argv, struct perr *e);
int parse_apply_args(int argc, char **argv, struct apply_args *a,
		     struct perr *e);

#endif
