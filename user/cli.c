// SPDX-License-Identifier: GPL-2.0
/*
 * cli.c - error reporting and connecting to the module (see cli.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "kmod.h"
#include "names.h"
#include "parse.h"

int cli_parsed(const char *cmd, int res, const struct perr *e,
	       void (*usage)(FILE *f))
{
	switch (res) {
	case PARSE_HELP:
		usage(stdout);
		return EXIT_OK;
	case PARSE_ERR:
		fprintf(stderr, "replctl: %s: %s\n", cmd, e->msg);
		return EXIT_USAGE;
	}
	return -1;
}

int cli_connect(struct nl *nl, const char *cmd)
{
	char why[256];
	int err, kerr;

	err = nl_open(nl);
	if (err) {
		fprintf(stderr, "replctl: %s: cannot open a generic netlink "
			"socket: %s\n", cmd, strerror(-err));
		return EXIT_KERNEL;
	}
	/* The kernel tries "modprobe" on its own for a missing family
	 * (MODULE_ALIAS_GENL_FAMILY); if that did not work, try libkmod.
	 */
	err = nl_resolve(nl, REPLCOPY_GENL_NAME);
	if (err == -ENOENT) {
		kerr = rc_kmod_load(why, sizeof(why));
		if (kerr) {
			fprintf(stderr, "replctl: %s: replcopy module not loaded "
				"and could not be loaded: %s (insmod "
				"replcopy.ko or make install)\n", cmd, why);
			nl_close(nl);
			return EXIT_KERNEL;
		}
		err = nl_resolve(nl, REPLCOPY_GENL_NAME);
		if (err == -ENOENT) {
			fprintf(stderr, "replctl: %s: replcopy module not "
				"loaded: the module is present but its netlink "
				"family \"%s\" is not (see dmesg)\n", cmd,
				REPLCOPY_GENL_NAME);
			nl_close(nl);
			return EXIT_KERNEL;
		}
	}
	if (err) {
		fprintf(stderr, "replctl: %s: cannot look up netlink family "
			"\"%s\": %s\n", cmd, REPLCOPY_GENL_NAME,
			strerror(-err));
		nl_close(nl);
		return EXIT_KERNEL;
	}
	return 0;
}

int cli_kernel_error(struct nl *nl, const char *cmd, int err)
{
	extack_print(stderr, cmd, err, &nl->ext, nl->last_req);
	return EXIT_KERNEL;
}

void cli_extack_warning(struct nl *nl, const char *cmd)
{
	if (nl->ext.has_msg)
		fprintf(stderr, "replctl: %s: warning: %s\n", cmd,
			nl->ext.msg);
}

void *cli_push(void **arr, size_t *n, size_t *cap, size_t size)
{
	void *p;

	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;

		p = realloc(*arr, ncap * size);
		if (!p)
			return NULL;
		*arr = p;
		*cap = ncap;
	}
	p = (char *)*arr + *n * size;
	memset(p, 0, size);
	(*n)++;
	return p;
}
