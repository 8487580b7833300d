// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_monitor.c - replctl monitor: the module's events (sessions that
 * start and end, targets that refuse, limits, mapping changes) as they
 * happen, one line each, until SIGINT or SIGTERM.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "cli.h"
#include "event.h"
#include "parse.h"

/* Room for bursts: the kernel drops what does not fit (ENOBUFS). */
#define MONITOR_RCVBUF (4 * 1024 * 1024)

void usage_monitor(FILE *f)
{
	fputs(
"Usage: replctl monitor [--json]\n"
"\n"
"Print the module's events for this network namespace as they happen, one\n"
"line each, until interrupted (Ctrl-C, SIGTERM): session-start,\n"
"session-established, session-end (with its reason: closed, reset,\n"
"client-rst, timedout, limit, abort, loop), target-refused,\n"
"target-unreachable, limit (which one: sessions, session-bytes,\n"
"total-bytes, kthreads, ports), mapping-add, mapping-del, and suppressed\n"
"(how many events the rate limit, module parameter event_rate, dropped).\n"
"A line \"overflow\" says that events were lost because replctl did not\n"
"read them fast enough. Listening needs CAP_NET_ADMIN over the network\n"
"namespace (events show real client addresses).\n"
"\n"
"Options:\n"
"  -j, --json  print one JSON object per line (JSON Lines)\n"
"  -h, --help  show this help\n"
"\n"
"Examples:\n"
"  replctl monitor\n"
"  replctl monitor --json | jq -c 'select(.event == \"session-end\")'\n",
	      f);
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

struct monitor {
	uint16_t family;
	bool json;
	struct timespec when;	/* receipt of the datagram being read */
};

static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	struct monitor *m = data;

	if (nlh->nlmsg_type == m->family)
		event_print(stdout, nlh, &m->when, m->json);
	return MNL_CB_OK;
}

/* Resolve the events group and join it; 0, or EXIT_KERNEL after saying why. */
static int join(struct nl *nl)
{
	uint32_t grp;
	int err, size = MONITOR_RCVBUF, fd = mnl_socket_get_fd(nl->sk);

	err = nl_resolve_group(nl, REPLCOPY_GENL_NAME, REPLCOPY_MCGRP_EVENTS,
			       &grp);
	if (err == -ENOENT) {
		fprintf(stderr, "replctl: monitor: the loaded replcopy module "
			"has no \"%s\" multicast group: it is older than "
			"replctl; load a newer module (replctl version shows "
			"both)\n", REPLCOPY_MCGRP_EVENTS);
		return EXIT_KERNEL;
	}
	if (err)
		return cli_kernel_error(nl, "monitor", err);
	/* Best effort: FORCE goes beyond net.core.rmem_max (with
	 * CAP_NET_ADMIN), the plain one up to it.
	 */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (mnl_socket_setsockopt(nl->sk, NETLINK_ADD_MEMBERSHIP, &grp,
				  sizeof(grp)) < 0) {
		if (errno == EPERM || errno == EACCES)
			fprintf(stderr, "replctl: monitor: permission denied: "
				"listening to events needs CAP_NET_ADMIN over "
				"this network namespace (run it as root, or as "
				"root of the namespace's user namespace)\n");
		else
			fprintf(stderr, "replctl: monitor: cannot join the "
				"\"%s\" multicast group: %s\n",
				REPLCOPY_MCGRP_EVENTS, strerror(errno));
		return EXIT_KERNEL;
	}
	return 0;
}

static int listen_events(struct nl *nl, bool json)
{
	struct monitor m = { .family = nl->family, .json = json };
	struct pollfd pfd = { .fd = mnl_socket_get_fd(nl->sk),
			      .events = POLLIN };
	sigset_t block, orig;
	struct sigaction sa;
	ssize_t n;

	/* The signals are let in only while waiting in ppoll(): none can
	 * slip in between the check of stop and the wait.
	 */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &orig);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigdelset(&orig, SIGINT);
	sigdelset(&orig, SIGTERM);

	while (!stop) {
		if (ppoll(&pfd, 1, NULL, &orig) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "replctl: monitor: poll: %s\n",
				strerror(errno));
			return EXIT_KERNEL;
		}
		n = mnl_socket_recvfrom(nl->sk, nl->rbuf, nl->rlen);
		clock_gettime(CLOCK_REALTIME, &m.when);
		if (n < 0 && errno == ENOBUFS) {
			event_print_overflow(stdout, &m.when, json);
		} else if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
			continue;
		} else if (n < 0) {
			fprintf(stderr, "replctl: monitor: receive: %s\n",
				strerror(errno));
			return EXIT_KERNEL;
		} else {
			/* Multicast: sequence and port id 0, nothing to
			 * match; a datagram cut short ends the walk.
			 */
			mnl_cb_run(nl->rbuf, (size_t)n, 0, 0, event_cb, &m);
		}
		if (fflush(stdout))
			break;	/* main() reports it */
	}
	return EXIT_OK;
}

int cmd_monitor(int argc, char **argv)
{
	struct json_args a;
	struct perr e;
	struct nl nl;
	int rc;

	rc = cli_parsed("monitor", parse_json_args("monitor", argc, argv, &a,
						   &e),
			&e, usage_monitor);
	if (rc >= 0)
		return rc;
	rc = cli_connect(&nl, "monitor");
	if (rc)
		return rc;
	rc = join(&nl);
	if (!rc)
		rc = listen_events(&nl, a.json);
	nl_close(&nl);
	return rc;
}
