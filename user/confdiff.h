/* SPDX-License-Identifier: GPL-2.0 */
/*
 * confdiff.h - what `replctl apply` has to do: the steps that make the
 * kernel's state (settings, mappings) equal to a config file, and the
 * steps that undo a part of them. Pure: no netlink; cmd_conf.c runs the
 * steps.
 *
 * A mapping is known by its [ONLINE_IP:]PORT. One that the file does not
 * add is deleted; one the file adds with other targets (or the same in
 * another order), other copies or other options is deleted and added
 * again (the kernel changes no mapping in place); an identical one is left alone (its ID and
 * live sessions stay). Only the settings the file gives and whose value
 * differs are set.
 *
 * The order: the settings first, in one request (the kernel applies all
 * of them or none; a refusal, e.g. for want of CAP_NET_ADMIN in the
 * initial user namespace, then comes before anything else changed), then
 * the deletes in ID order, then the adds in file order (after the deletes,
 * so that an add never meets the mapping it replaces).
 */
#ifndef REPLCTL_CONFDIFF_H
#define REPLCTL_CONFDIFF_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "parse.h"
#include "perr.h"
#include "reply.h"

enum conf_step_kind {
	CONF_SET,
	CONF_DEL,
	CONF_ADD,
};

struct conf_step {
	enum conf_step_kind kind;
	/* The file's line behind the step (for a delete: the line of the
	 * mapping that replaces it), 0 when none.
	 */
	unsigned int line;
	/*
	 * CONF_DEL: the mapping to delete, by its ID when RC_HAS(ID), else
	 * by [ONLINE_IP:]PORT. CONF_ADD: the mapping to add; whoever adds it
	 * stores the ID the kernel gave it here, so that an undo deletes
	 * exactly that one.
	 */
	struct rc_mapping map;
	/* CONF_ADD that undoes a delete: the ID the mapping had, or 0. */
	uint32_t was_id;
	struct set_args set;	/* CONF_SET: the values to set */
	struct set_args old;	/* CONF_SET: the values they replace */
};

struct conf_plan {
	struct conf_step *v;
	size_t n, cap;
};

/*
 * The steps that make the state (settings cfg, mappings cur[0..ncur))
 * equal to want, into p (zeroed first; conf_plan_free() it). 0, or -1
 * with e set: no memory, or the file gives a setting whose current value
 * the module does not report (so it could not be set back).
 */
int conf_plan_make(const struct rc_config *cfg, const struct rc_mapping *cur,
		   size_t ncur, const struct conf *want, struct conf_plan *p,
		   struct perr *e);

/*
 * The steps that undo p->v[0..done), last first, into undo (zeroed first):
 * an add is deleted (by the ID stored in it, if any), a deleted mapping
 * is added again with its options, the settings get their old values.
 * 0, or -1 when out of memory.
 */
int conf_plan_undo(const struct conf_plan *p, size_t done,
		   struct conf_plan *undo);

void conf_plan_free(struct conf_plan *p);

/*
 * Same [ONLINE_IP:]PORT; same everything an add line sets (the targets in
 * the same order, the copies, the options).
 */
bool conf_map_same_key(const struct rc_mapping *a, const struct rc_mapping *b);
bool conf_map_same(const struct rc_mapping *a, const struct rc_mapping *b);

/*
 * A step as the replctl command it amounts to, with what it replaced as a
 * comment: "set idle-timeout 77  # was 60", "del --id 3  # was add 9000
 * 10.0.2.2:9000", "add 9000 10.0.2.2:9001" (then "  # ID 7" once the ID
 * is known, or "  # was ID 3" when it re-adds a deleted mapping).
 */
void conf_step_fmt(const struct conf_step *s, char *buf, size_t len);

#endif
