/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kmod.h - loading the replcopy module with libkmod when its netlink family
 * is missing, and reporting the module's state for `replctl version`.
 */
#ifndef REPLCTL_KMOD_H
#define REPLCTL_KMOD_H

#include <stdbool.h>
#include <stddef.h>

#define RC_MODULE_NAME "replcopy"

/*
 * Load the module as modprobe would (with its dependencies). 0 when it is
 * loaded (or was already), else -errno with a reason in why, e.g. "module
 * replcopy not found in /lib/modules/6.1.0-26-amd64".
 */
int rc_kmod_load(char *why, size_t len);

struct rc_kmod_info {
	char error[128];	/* non-empty: libkmod unusable */
	char state[16];		/* "live", ..., "" when not loaded */
	int refcnt;		/* -1: unknown */
	long size;		/* -1: unknown */
	char holders[128];	/* "a,b" */
	char path[512];		/* module file, "" when not installed */
	char file_version[64];	/* "version" from that file's modinfo */
	char release[65];	/* uname -r */
};

/* Fill info; never fails (problems are in info->error). */
void rc_kmod_info(struct rc_kmod_info *info);

#endif
