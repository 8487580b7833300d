/* SPDX-License-Identifier: GPL-2.0 */
/*
 * perr.h - a usage error message, filled by the pure parsers. The caller
 * prints it as "replctl: <command>: <msg>" and exits with status 2.
 */
#ifndef REPLCTL_PERR_H
#define REPLCTL_PERR_H

struct perr {
	char msg[512];
};

__attribute__((format(printf, 2, 3)))
int perr_set(struct perr *e, const char *fmt, ...);

#endif
