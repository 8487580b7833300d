/* SPDX-License-Identifier: GPL-2.0 */
/*
 * names.h - the names replctl uses for the uapi enums: counters, session
 * states, worker models, source and pacing modes, settings, events. One table per
 * enum, shared by the argument parser and the output formatter.
 */
#ifndef REPLCTL_NAMES_H
#define REPLCTL_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uapi/replcopy.h>

/* enum replcopy_stat -> "captured_segs"; NULL for UNSPEC, PAD, unknown. */
const char *rc_stat_name(unsigned int stat);
/* True for counters that are gauges (a value now, not a running total). */
bool rc_stat_is_gauge(unsigned int stat);
/* True for the drop_* counters. */
bool rc_stat_is_drop(unsigned int stat);

/* Names of the small enums; NULL when the value is unknown. */
const char *rc_source_name(unsigned int v);	/* "auto", "client" */
const char *rc_pacing_name(unsigned int v);	/* "stream", "response" */
const char *rc_worker_name(unsigned int v);	/* "wq", "kthread" */
const char *rc_state_name(unsigned int v);	/* "syn_sent", ... */
/* replctl monitor's names (kebab-case). */
const char *rc_event_name(unsigned int v);	/* "session-start", ... */
const char *rc_end_reason_name(unsigned int v);	/* "closed", ... */
const char *rc_limit_name(unsigned int v);	/* "total-bytes", ... */

/* Inverse lookups for the parser: 0 and *out set, or -1. */
int rc_source_parse(const char *s, uint8_t *out);
int rc_pacing_parse(const char *s, uint8_t *out);
int rc_worker_parse(const char *s, uint8_t *out);

/*
 * Top-level attribute (enum replcopy_attr) -> what the user calls it on the
 * command line ("PORT", "TARGET address", "--source"), for kernel errors.
 */
const char *rc_attr_label(unsigned int attr);
/* The same for an attribute of a target (enum replcopy_target_attr). */
const char *rc_target_attr_label(unsigned int attr);
/* enum replcopy_config_attr -> the setting's replctl name. */
const char *rc_cfg_attr_name(unsigned int attr);

/* Settings of `replctl set` / `replctl show`, by config attribute. */
enum rc_setting_kind {
	RC_SET_WORKER,		/* wq | kthread */
	RC_SET_BOOL,		/* on | off */
	RC_SET_U8,
	RC_SET_U32,
};

struct rc_setting {
	const char *key;	/* name on the command line: "max-sessions" */
	const char *json;	/* name in JSON output: "max_sessions" */
	unsigned int attr;	/* enum replcopy_config_attr */
	enum rc_setting_kind kind;
	uint32_t min, max;	/* accepted range (numbers) */
	const char *unit;	/* shown by `show`, may be NULL */
	const char *example;	/* a value for the help text */
};

extern const struct rc_setting rc_settings[];
extern const size_t rc_nsettings;

/* By command-line key ("max-sessions" or "max_sessions"), or NULL. */
const struct rc_setting *rc_setting_by_key(const char *key);
/* By enum replcopy_config_attr, or NULL. */
const struct rc_setting *rc_setting_by_attr(unsigned int attr);

#endif
