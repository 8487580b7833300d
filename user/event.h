/* SPDX-License-Identifier: GPL-2.0 */
/*
 * event.h - the lines of `replctl monitor`: one per REPLCOPY_CMD_EVENT
 * message, as text for people or as one JSON object (JSON Lines). Pure:
 * writes to the FILE * it is given and depends on nothing but its
 * arguments (and, for the text time, the local time zone).
 *
 * Text: "HH:MM:SS.mmm EVENT" (local time), then what the event carries,
 * as words and "key value" pairs in a fixed order:
 *   map ID, the local port (":PORT", or "ONLINE_IP:PORT" for a mapping
 *   bound to one address; an IPv6 address, here as everywhere, in
 *   brackets before a port: "[fd00::5]:8080"), client CLIENT,
 *   "-> TARGET" (a mapping event: every target, "-> T1,T2"), copy C (a
 *   session's, when the module says), from SOURCE (once the replayed
 *   connection has one), reason R, limit L, captured N, acked N, age AGE,
 *   fabricated, source S, pacing P, flags F, sample PCT%, copies N (when
 *   more than one).
 *   A suppressed event reads "suppressed N events (rate limit)".
 * JSON: {"time":"<RFC 3339, UTC, milliseconds>","event":NAME, ...}: reason,
 *   limit, suppressed; map_id; then for mapping-add/del "mapping" (the
 *   object of `replctl list --json`), for the others port, target and
 *   "session" (the object of `replctl sessions --json`).
 * Names this replctl does not know (a newer module) are printed as
 * numbers, in both formats.
 */
#ifndef REPLCTL_EVENT_H
#define REPLCTL_EVENT_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include <linux/netlink.h>

/*
 * One line for the replcopy message nlh, received at *when
 * (CLOCK_REALTIME). 0: an event line was printed. -EINVAL: the message is
 * malformed (no REPLCOPY_A_EVENT, an attribute of the wrong size): a
 * "malformed" line was printed instead (text "TIME malformed event: WHY",
 * JSON {"time":...,"event":"malformed","error":WHY}). 1: not an event
 * (a genl command other than REPLCOPY_CMD_EVENT): nothing printed.
 */
int event_print(FILE *f, const struct nlmsghdr *nlh,
		const struct timespec *when, bool json);

/*
 * The line for events lost because the socket's receive buffer was full
 * (recv failed with ENOBUFS): text "TIME overflow: events lost (receive
 * buffer full)", JSON {"time":...,"event":"overflow"}.
 */
void event_print_overflow(FILE *f, const struct timespec *when, bool json);

#endif
