// SPDX-License-Identifier: GPL-2.0
/*
 * event.c - the lines of replctl monitor (see event.h).
 */
#include <errno.h>
#include <inttypes.h>

#include "event.h"
#include "json.h"
#include "names.h"
#include "output.h"
#include "reply.h"

#define EV_HAS(r, attr) RC_HAS(&(r)->ev, attr)

/* "HH:MM:SS.mmm" in local time, or "YYYY-MM-DDTHH:MM:SS.mmmZ" (UTC). */
static void fmt_time(const struct timespec *t, bool utc, char *buf,
		     size_t len)
{
	time_t sec = t->tv_sec;
	struct tm tm;
	size_t n;

	if (utc)
		gmtime_r(&sec, &tm);
	else
		localtime_r(&sec, &tm);
	n = strftime(buf, len, utc ? "%Y-%m-%dT%H:%M:%S" : "%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%03ld%s", t->tv_nsec / 1000000L,
		 utc ? "Z" : "");
}

/* A name from a table, or the number when this replctl does not know it. */
static const char *nname(const char *name, unsigned int v, char *buf,
			 size_t len)
{
	return fmt_name(name, v, true, buf, len);
}

static void json_nname(struct json *j, const char *key, const char *name,
		       unsigned int v)
{
	if (name)
		json_str(j, key, name);
	else
		json_u64(j, key, v);
}

static bool is_mapping_event(const struct rc_reply *r)
{
	return r->ev.type == REPLCOPY_EV_MAPPING_ADD ||
	       r->ev.type == REPLCOPY_EV_MAPPING_DEL;
}

/* The mapping the event is about: its own attribute, or its session's. */
static bool map_id_of(const struct rc_reply *r, uint32_t *id)
{
	if (RC_HAS(&r->map, REPLCOPY_A_MAP_ID)) {
		*id = r->map.id;
		return true;
	}
	if (r->has_session && RC_HAS(&r->sess, REPLCOPY_SA_MAP_ID)) {
		*id = r->sess.map_id;
		return true;
	}
	return false;
}

static void text_mapping_modes(FILE *f, const struct rc_mapping *m)
{
	char tmp[32];

	if (RC_HAS(m, REPLCOPY_A_MAP_SOURCE))
		fprintf(f, " source %s", nname(rc_source_name(m->source),
					       m->source, tmp, sizeof(tmp)));
	if (RC_HAS(m, REPLCOPY_A_MAP_PACING))
		fprintf(f, " pacing %s", nname(rc_pacing_name(m->pacing),
					       m->pacing, tmp, sizeof(tmp)));
	if (m->flags) {
		fmt_map_flags(m->flags, tmp, sizeof(tmp));
		fprintf(f, " flags %s", tmp);
	}
	if (m->sample != REPLCOPY_SAMPLE_ALL) {
		fmt_sample(m->sample, tmp, sizeof(tmp));
		fprintf(f, " sample %s%%", tmp);
	}
	if (m->copies > 1)
		fprintf(f, " copies %" PRIu32, m->copies);
}

static void text_line(FILE *f, const struct rc_reply *r, const char *time)
{
	const struct rc_mapping *m = &r->map;
	const struct rc_session *s = &r->sess;
	char ep[TARGETS_LEN], tmp[32];
	uint32_t id;

	fprintf(f, "%s %s", time, nname(rc_event_name(r->ev.type), r->ev.type,
					tmp, sizeof(tmp)));
	if (r->ev.type == REPLCOPY_EV_SUPPRESSED) {
		if (EV_HAS(r, REPLCOPY_A_EVENT_SUPPRESSED))
			fprintf(f, " %" PRIu32 " events (rate limit)",
				r->ev.suppressed);
		fputc('\n', f);
		return;
	}
	if (map_id_of(r, &id))
		fprintf(f, " map %" PRIu32, id);
	if (RC_HAS(m, REPLCOPY_A_MAP_PORT)) {
		/* ":8080", or "10.0.0.5:8080" when bound to one address. */
		fmt_local(m, ":", ep, sizeof(ep));
		fprintf(f, " %s", ep);
	}
	if (r->has_session) {
		fmt_endpoint(&s->client_addr, s->client_port, ep, sizeof(ep));
		fprintf(f, " client %s", ep);
	}
	if (RC_HAS(m, REPLCOPY_A_MAP_TARGET_ADDR)) {
		fmt_map_targets(m, ",", ep, sizeof(ep));
		fprintf(f, " -> %s", ep);
	}
	if (r->has_session && RC_HAS(s, REPLCOPY_SA_COPY))
		fprintf(f, " copy %u", s->copy);
	if (r->has_session &&
	    (rc_addr_is_set(&s->source_addr) || s->source_port)) {
		fmt_endpoint(&s->source_addr, s->source_port, ep, sizeof(ep));
		fprintf(f, " from %s", ep);
	}
	if (EV_HAS(r, REPLCOPY_A_EVENT_REASON))
		fprintf(f, " reason %s", nname(rc_end_reason_name(r->ev.reason),
					       r->ev.reason, tmp, sizeof(tmp)));
	if (EV_HAS(r, REPLCOPY_A_EVENT_LIMIT))
		fprintf(f, " limit %s", nname(rc_limit_name(r->ev.limit),
					      r->ev.limit, tmp, sizeof(tmp)));
	if (r->has_session) {
		fmt_age(s->age_ms, tmp, sizeof(tmp));
		fprintf(f, " captured %" PRIu64 " acked %" PRIu64 " age %s%s",
			s->captured_bytes, s->acked_bytes, tmp,
			s->fabricated ? " fabricated" : "");
	}
	if (is_mapping_event(r))
		text_mapping_modes(f, m);
	if (EV_HAS(r, REPLCOPY_A_EVENT_SUPPRESSED))
		fprintf(f, " suppressed %" PRIu32, r->ev.suppressed);
	fputc('\n', f);
}

static void json_line(FILE *f, const struct rc_reply *r, const char *time)
{
	const struct rc_mapping *m = &r->map;
	char ep[ENDPOINT_LEN];
	struct json j;
	uint32_t id;

	json_init(&j, f);
	json_obj_begin(&j, NULL);
	json_str(&j, "time", time);
	json_nname(&j, "event", rc_event_name(r->ev.type), r->ev.type);
	if (EV_HAS(r, REPLCOPY_A_EVENT_REASON))
		json_nname(&j, "reason", rc_end_reason_name(r->ev.reason),
			   r->ev.reason);
	if (EV_HAS(r, REPLCOPY_A_EVENT_LIMIT))
		json_nname(&j, "limit", rc_limit_name(r->ev.limit),
			   r->ev.limit);
	if (EV_HAS(r, REPLCOPY_A_EVENT_SUPPRESSED))
		json_u64(&j, "suppressed", r->ev.suppressed);
	if (map_id_of(r, &id))
		json_u64(&j, "map_id", id);
	if (is_mapping_event(r)) {
		json_obj_begin(&j, "mapping");
		json_map_fields(&j, m, true);
		json_obj_end(&j);
	} else {
		if (RC_HAS(m, REPLCOPY_A_MAP_PORT))
			json_u64(&j, "port", m->port);
		if (RC_HAS(m, REPLCOPY_A_MAP_TARGET_ADDR)) {
			fmt_endpoint(&m->target_addr, m->target_port, ep,
				     sizeof(ep));
			json_str(&j, "target", ep);
		}
		if (r->has_session) {
			json_obj_begin(&j, "session");
			json_session_fields(&j, &r->sess);
			json_obj_end(&j);
		}
	}
	json_obj_end(&j);
	fputc('\n', f);
}

/* A line that is not an event's: "malformed" or "overflow". */
static void other_line(FILE *f, const struct timespec *when, bool json,
		       const char *event, const char *text, const char *error)
{
	char time[40];
	struct json j;

	fmt_time(when, json, time, sizeof(time));
	if (!json) {
		fprintf(f, "%s %s\n", time, text);
		return;
	}
	json_init(&j, f);
	json_obj_begin(&j, NULL);
	json_str(&j, "time", time);
	json_str(&j, "event", event);
	if (error)
		json_str(&j, "error", error);
	json_obj_end(&j);
	fputc('\n', f);
}

int event_print(FILE *f, const struct nlmsghdr *nlh,
		const struct timespec *when, bool json)
{
	char why[64], text[96], time[40];
	struct rc_reply r;
	int err;

	err = rc_parse_reply(nlh, &r);
	if (!err && r.cmd != REPLCOPY_CMD_EVENT)
		return 1;
	if (err && r.bad_attr && r.bad_nest)
		snprintf(why, sizeof(why), "bad attribute %d in attribute %d",
			 r.bad_attr, r.bad_nest);
	else if (err && r.bad_attr)
		snprintf(why, sizeof(why), "bad attribute %d", r.bad_attr);
	else if (err)
		snprintf(why, sizeof(why), "truncated message");
	else if (!EV_HAS(&r, REPLCOPY_A_EVENT))
		snprintf(why, sizeof(why), "no event type");
	else
		why[0] = '\0';
	if (why[0]) {
		snprintf(text, sizeof(text), "malformed event: %s", why);
		other_line(f, when, json, "malformed", text, why);
		return -EINVAL;
	}
	fmt_time(when, json, time, sizeof(time));
	if (json)
		json_line(f, &r, time);
	else
		text_line(f, &r, time);
	return 0;
}

void event_print_overflow(FILE *f, const struct timespec *when, bool json)
{
	other_line(f, when, json, "overflow",
		   "overflow: events lost (receive buffer full)", NULL);
}
