// SPDX-License-Identifier: GPL-2.0
/*
 * names.c - tables of the names replctl shows for uapi enum values.
 */
#include <string.h>

#include "names.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *const stat_names[__REPLCOPY_STAT_MAX] = {
	[REPLCOPY_STAT_CAPTURED_SEGS]	= "captured_segs",
	[REPLCOPY_STAT_CAPTURED_BYTES]	= "captured_bytes",
	[REPLCOPY_STAT_SESS_SYN]	= "sess_syn",
	[REPLCOPY_STAT_SESS_FABRICATED]	= "sess_fabricated",
	[REPLCOPY_STAT_SESS_ESTABLISHED] = "sess_established",
	[REPLCOPY_STAT_SESS_CLOSED]	= "sess_closed",
	[REPLCOPY_STAT_SESS_RESET]	= "sess_reset",
	[REPLCOPY_STAT_SESS_TIMEDOUT]	= "sess_timedout",
	[REPLCOPY_STAT_SESS_REFUSED]	= "sess_refused",
	[REPLCOPY_STAT_SENT_SEGS]	= "sent_segs",
	[REPLCOPY_STAT_SENT_BYTES]	= "sent_bytes",
	[REPLCOPY_STAT_RETRANS_SEGS]	= "retrans_segs",
	[REPLCOPY_STAT_RESP_SEGS]	= "resp_segs",
	[REPLCOPY_STAT_RESP_BYTES]	= "resp_bytes",
	[REPLCOPY_STAT_ACKED_BYTES]	= "acked_bytes",
	[REPLCOPY_STAT_DROP_NOMEM]	= "drop_nomem",
	[REPLCOPY_STAT_DROP_QUEUE]	= "drop_queue",
	[REPLCOPY_STAT_DROP_NOSYN]	= "drop_nosyn",
	[REPLCOPY_STAT_DROP_NOROUTE]	= "drop_noroute",
	[REPLCOPY_STAT_DROP_XMIT]	= "drop_xmit",
	[REPLCOPY_STAT_DROP_OTHER]	= "drop_other",
	[REPLCOPY_STAT_SESS_ACTIVE]	= "sess_active",
	[REPLCOPY_STAT_DROP_NOPORT]	= "drop_noport",
	[REPLCOPY_STAT_PORT_REUSED]	= "port_reused",
	[REPLCOPY_STAT_SYN_RST]		= "syn_rst",
	[REPLCOPY_STAT_KTHREAD_WQ]	= "kthread_wq",
	[REPLCOPY_STAT_DROP_LOOP]	= "drop_loop",
	[REPLCOPY_STAT_QUEUED_BYTES]	= "queued_bytes",
	[REPLCOPY_STAT_PMTU_LOWERED]	= "pmtu_lowered",
	[REPLCOPY_STAT_ZERO_WND_PROBES]	= "zero_wnd_probes",
	[REPLCOPY_STAT_SYN_UNCONFIRMED]	= "syn_unconfirmed",
	[REPLCOPY_STAT_RST_UNANSWERED]	= "rst_unanswered",
	[REPLCOPY_STAT_SESS_UNSAMPLED]	= "sess_unsampled",
	[REPLCOPY_STAT_DROP_FRAG]	= "drop_frag",
};

const char *rc_stat_name(unsigned int stat)
{
	return stat < ARRAY_SIZE(stat_names) ? stat_names[stat] : NULL;
}

bool rc_stat_is_gauge(unsigned int stat)
{
	return stat == REPLCOPY_STAT_SESS_ACTIVE ||
	       stat == REPLCOPY_STAT_QUEUED_BYTES;
}

bool rc_stat_is_drop(unsigned int stat)
{
	return (stat >= REPLCOPY_STAT_DROP_NOMEM &&
		stat <= REPLCOPY_STAT_DROP_OTHER) ||
	       stat == REPLCOPY_STAT_DROP_NOPORT ||
	       stat == REPLCOPY_STAT_DROP_LOOP ||
	       stat == REPLCOPY_STAT_DROP_FRAG;
}

static const char *const source_names[] = {
	[REPLCOPY_SOURCE_AUTO]		= "auto",
	[REPLCOPY_SOURCE_CLIENT]	= "client",
};

static const char *const pacing_names[] = {
	[REPLCOPY_PACING_STREAM]	= "stream",
	[REPLCOPY_PACING_RESPONSE]	= "response",
};

static const char *const worker_names[] = {
	[REPLCOPY_WORKER_WQ]		= "wq",
	[REPLCOPY_WORKER_KTHREAD]	= "kthread",
};

static const char *const state_names[] = {
	[REPLCOPY_SS_NONE]		= "none",
	[REPLCOPY_SS_SYN_SENT]		= "syn_sent",
	[REPLCOPY_SS_ESTABLISHED]	= "established",
	[REPLCOPY_SS_FIN_WAIT]		= "fin_wait",
	[REPLCOPY_SS_CLOSE_WAIT]	= "close_wait",
	[REPLCOPY_SS_CLOSED]		= "closed",
};

static const char *const event_names[] = {
	[REPLCOPY_EV_SESSION_START]	= "session-start",
	[REPLCOPY_EV_SESSION_ESTABLISHED] = "session-established",
	[REPLCOPY_EV_SESSION_END]	= "session-end",
	[REPLCOPY_EV_TARGET_REFUSED]	= "target-refused",
	[REPLCOPY_EV_TARGET_UNREACHABLE] = "target-unreachable",
	[REPLCOPY_EV_LIMIT]		= "limit",
	[REPLCOPY_EV_MAPPING_ADD]	= "mapping-add",
	[REPLCOPY_EV_MAPPING_DEL]	= "mapping-del",
	[REPLCOPY_EV_SUPPRESSED]	= "suppressed",
};

static const char *const end_reason_names[] = {
	[REPLCOPY_ER_CLOSED]		= "closed",
	[REPLCOPY_ER_RESET]		= "reset",
	[REPLCOPY_ER_CLIENT_RST]	= "client-rst",
	[REPLCOPY_ER_TIMEDOUT]		= "timedout",
	[REPLCOPY_ER_LIMIT]		= "limit",
	[REPLCOPY_ER_ABORT]		= "abort",
	[REPLCOPY_ER_LOOP]		= "loop",
};

static const char *const limit_names[] = {
	[REPLCOPY_LIMIT_SESSIONS]	= "sessions",
	[REPLCOPY_LIMIT_SESSION_BYTES]	= "session-bytes",
	[REPLCOPY_LIMIT_TOTAL_BYTES]	= "total-bytes",
	[REPLCOPY_LIMIT_KTHREADS]	= "kthreads",
	[REPLCOPY_LIMIT_PORTS]		= "ports",
};

static const char *lookup(const char *const *tab, size_t n, unsigned int v)
{
	return v < n ? tab[v] : NULL;
}

static int rlookup(const char *const *tab, size_t n, const char *s,
		   uint8_t *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (tab[i] && !strcmp(tab[i], s)) {
			*out = (uint8_t)i;
			return 0;
		}
	}
	return -1;
}

const char *rc_source_name(unsigned int v)
{
	return lookup(source_names, ARRAY_SIZE(source_names), v);
}

const char *rc_pacing_name(unsigned int v)
{
	return lookup(pacing_names, ARRAY_SIZE(pacing_names), v);
}

const char *rc_worker_name(unsigned int v)
{
	return lookup(worker_names, ARRAY_SIZE(worker_names), v);
}

const char *rc_state_name(unsigned int v)
{
	return lookup(state_names, ARRAY_SIZE(state_names), v);
}

const char *rc_event_name(unsigned int v)
{
	return lookup(event_names, ARRAY_SIZE(event_names), v);
}

const char *rc_end_reason_name(unsigned int v)
{
	return lookup(end_reason_names, ARRAY_SIZE(end_reason_names), v);
}

const char *rc_limit_name(unsigned int v)
{
	return lookup(limit_names, ARRAY_SIZE(limit_names), v);
}

int rc_source_parse(const char *s, uint8_t *out)
{
	return rlookup(source_names, ARRAY_SIZE(source_names), s, out);
}

int rc_pacing_parse(const char *s, uint8_t *out)
{
	return rlookup(pacing_names, ARRAY_SIZE(pacing_names), s, out);
}

int rc_worker_parse(const char *s, uint8_t *out)
{
	return rlookup(worker_names, ARRAY_SIZE(worker_names), s, out);
}

static const char *const attr_labels[] = {
	[REPLCOPY_A_MAP_ID]		= "ID",
	[REPLCOPY_A_MAP_PORT]		= "PORT",
	[REPLCOPY_A_MAP_ONLINE_ADDR]	= "ONLINE_IP",
	[REPLCOPY_A_MAP_TARGET_ADDR]	= "TARGET address",
	[REPLCOPY_A_MAP_TARGET_PORT]	= "TARGET port",
	[REPLCOPY_A_MAP_SOURCE]		= "--source",
	[REPLCOPY_A_MAP_PACING]		= "--pacing",
	[REPLCOPY_A_MAP_FLAGS]		= "mapping flags",
	[REPLCOPY_A_MAP_SAMPLE]		= "--sample",
	[REPLCOPY_A_MAP_TARGETS]	= "TARGET_IP:PORT arguments",
	[REPLCOPY_A_MAP_COPIES]		= "--copies",
	[REPLCOPY_A_MAP_ONLINE_ADDR6]	= "ONLINE_IP",
	[REPLCOPY_A_MAP_TARGET_ADDR6]	= "TARGET address",
	[REPLCOPY_A_MAP_SESSIONS]	= "session count",
	[REPLCOPY_A_DEL_ALL]		= "--all",
	[REPLCOPY_A_STATS]		= "counters",
	[REPLCOPY_A_SESSION]		= "session",
	[REPLCOPY_A_CONFIG]		= "settings",
	[REPLCOPY_A_VERSION]		= "version",
};

const char *rc_attr_label(unsigned int attr)
{
	return lookup(attr_labels, ARRAY_SIZE(attr_labels), attr);
}

static const char *const target_attr_labels[] = {
	[REPLCOPY_TA_ADDR]		= "TARGET address",
	[REPLCOPY_TA_PORT]		= "TARGET port",
	[REPLCOPY_TA_SESSIONS]		= "target session count",
	[REPLCOPY_TA_STATS]		= "target counters",
	[REPLCOPY_TA_ADDR6]		= "TARGET address",
};

const char *rc_target_attr_label(unsigned int attr)
{
	return lookup(target_attr_labels, ARRAY_SIZE(target_attr_labels),
		      attr);
}

/*
 * Ranges: the ones the uapi header documents are checked here; for the
 * others any u32 is passed on and the kernel has the last word.
 */
const struct rc_setting rc_settings[] = {
	{ "worker", "worker", REPLCOPY_CFG_WORKER, RC_SET_WORKER,
	  0, REPLCOPY_WORKER_MAX, NULL, "kthread" },
	{ "wq-unbound", "wq_unbound", REPLCOPY_CFG_WQ_UNBOUND, RC_SET_BOOL,
	  0, 1, NULL, "on" },
	{ "wq-max-active", "wq_max_active", REPLCOPY_CFG_WQ_MAX_ACTIVE,
	  RC_SET_U32, 0, 512, NULL, "16" },
	{ "max-sessions", "max_sessions", REPLCOPY_CFG_MAX_SESSIONS,
	  RC_SET_U32, 0, UINT32_MAX, NULL, "10000" },
	{ "max-session-bytes", "max_session_bytes",
	  REPLCOPY_CFG_MAX_SESSION_BYTES, RC_SET_U32, 0, UINT32_MAX, "bytes",
	  "1048576" },
	{ "max-total-kbytes", "max_total_kbytes", REPLCOPY_CFG_MAX_TOTAL_BYTES,
	  RC_SET_U32, 0, UINT32_MAX, "KiB", "262144" },
	{ "idle-timeout", "idle_timeout", REPLCOPY_CFG_IDLE_TIMEOUT,
	  RC_SET_U32, 0, UINT32_MAX, "s", "60" },
	{ "syn-retries", "syn_retries", REPLCOPY_CFG_SYN_RETRIES, RC_SET_U8,
	  1, 10, NULL, "5" },
	{ "max-retries", "max_retries", REPLCOPY_CFG_MAX_RETRIES, RC_SET_U8,
	  1, 20, NULL, "15" },
};

const size_t rc_nsettings = ARRAY_SIZE(rc_settings);

const struct rc_setting *rc_setting_by_key(const char *key)
{
	size_t i;

	for (i = 0; i < rc_nsettings; i++)
		if (!strcmp(rc_settings[i].key, key) ||
		    !strcmp(rc_settings[i].json, key))
			return &rc_settings[i];
	return NULL;
}

const struct rc_setting *rc_setting_by_attr(unsigned int attr)
{
	size_t i;

	for (i = 0; i < rc_nsettings; i++)
		if (rc_settings[i].attr == attr)
			return &rc_settings[i];
	return NULL;
}

const char *rc_cfg_attr_name(unsigned int attr)
{
	const struct rc_setting *s = rc_setting_by_attr(attr);

	return s ? s->key : NULL;
}
