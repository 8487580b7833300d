// SPDX-License-Identifier: GPL-2.0
/*
 * nl.c - generic netlink socket and request loops (see nl.h).
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "nl.h"
#include "reply.h"

#define RBUF_SIZE (64 * 1024)

int nl_open(struct nl *nl)
{
	int one = 1, err;

	memset(nl, 0, offsetof(struct nl, req));
	nl->rlen = RBUF_SIZE;
	nl->rbuf = malloc(nl->rlen);
	if (!nl->rbuf)
		return -ENOMEM;
	nl->sk = mnl_socket_open(NETLINK_GENERIC);
	if (!nl->sk)
		goto fail;
	if (mnl_socket_bind(nl->sk, 0, MNL_SOCKET_AUTOPID) < 0)
		goto fail;
	/* Error messages from the kernel; acks without the request echoed.
	 * Both are best effort: kernels older than 4.12 know no extack.
	 */
	mnl_socket_setsockopt(nl->sk, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sk, NETLINK_CAP_ACK, &one, sizeof(one));
	nl->portid = mnl_socket_get_portid(nl->sk);
	nl->seq = (uint32_t)time(NULL);
	return 0;
fail:
	err = -errno;
	nl_close(nl);
	return err ? err : -EIO;
}

void nl_close(struct nl *nl)
{
	if (nl->sk)
		mnl_socket_close(nl->sk);
	nl->sk = NULL;
	free(nl->rbuf);
	nl->rbuf = NULL;
}

struct talk {
	struct nl *nl;
	mnl_cb_t cb;
	void *data;
};

/* NLMSG_ERROR (an ack, or an error) and NLMSG_DONE: keep the extack. */
static int on_ack(const struct nlmsghdr *nlh, void *data)
{
	struct talk *t = data;
	int err;

	if (extack_parse(nlh, &t->nl->ext, &err)) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (err) {
		errno = -err;
		return MNL_CB_ERROR;
	}
	return MNL_CB_STOP;
}

static int on_overrun(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	errno = ENOBUFS;
	return MNL_CB_ERROR;
}

static int on_noop(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	return MNL_CB_OK;
}

static int on_data(const struct nlmsghdr *nlh, void *data)
{
	struct talk *t = data;

	return t->cb ? t->cb(nlh, t->data) : MNL_CB_OK;
}

/*
 * A dump whose object list changed while it was read comes with
 * NLM_F_DUMP_INTR on a part. libmnl fails such a part with EINTR and
 * drops the rest of the buffer, which would leave the dump's remaining
 * parts in the socket and the caller with "Interrupted system call": note
 * it and clear the flag instead, so that the dump is read to its end and
 * nl_dump() asks again.
 */
static void take_dump_intr(struct nl *nl, void *buf, ssize_t n)
{
	struct nlmsghdr *nlh = buf;
	int len = (int)n;

	while (mnl_nlmsg_ok(nlh, len)) {
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR) {
			nl->dump_intr = true;
			nlh->nlmsg_flags &= ~NLM_F_DUMP_INTR;
		}
		nlh = mnl_nlmsg_next(nlh, &len);
	}
}

static mnl_cb_t ctl_cb[NLMSG_MIN_TYPE] = {
	[NLMSG_NOOP]	= on_noop,
	[NLMSG_ERROR]	= on_ack,
	[NLMSG_DONE]	= on_ack,
	[NLMSG_OVERRUN]	= on_overrun,
};

int nl_talk(struct nl *nl, struct nlmsghdr *req, mnl_cb_t cb, void *data)
{
	struct talk t = { .nl = nl, .cb = cb, .data = data };
	ssize_t n;
	int ret;

	memset(&nl->ext, 0, sizeof(nl->ext));
	nl->dump_intr = false;
	nl->last_req = req;
	req->nlmsg_seq = ++nl->seq;
	req->nlmsg_pid = 0;

	if (mnl_socket_sendto(nl->sk, req, req->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		n = mnl_socket_recvfrom(nl->sk, nl->rbuf, nl->rlen);
		if (n < 0)
			return -errno;
		take_dump_intr(nl, nl->rbuf, n);
		errno = 0;
		ret = mnl_cb_run2(nl->rbuf, n, req->nlmsg_seq, nl->portid,
				  on_data, &t, ctl_cb, NLMSG_MIN_TYPE);
		if (ret == MNL_CB_ERROR)
			return errno ? -errno : -EIO;
		if (ret == MNL_CB_STOP)
			return 0;
	}
}

int nl_dump(struct nl *nl, struct nlmsghdr *req, mnl_cb_t cb, void *data,
	    void (*reset)(void *data))
{
	int tries, err = 0;

	for (tries = 0; tries < 3; tries++) {
		if (tries && reset)
			reset(data);
		err = nl_talk(nl, req, cb, data);
		if (err || !nl->dump_intr)
			break;
	}
	return err;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl *nl = data;

	if (rc_parse_family(nlh, &nl->family, &nl->family_version) < 0) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

int nl_resolve(struct nl *nl, const char *name)
{
	struct nlmsghdr *req;
	int err;

	nl->family = 0;
	req = msg_get_family(nl->req, 0, name);
	err = nl_talk(nl, req, family_cb, nl);
	if (!err && !nl->family)
		err = -ENOENT;
	return err;
}

struct group {
	const char *name;
	uint32_t id;
	int err;
};

static int group_cb(const struct nlmsghdr *nlh, void *data)
{
	struct group *g = data;

	g->err = rc_parse_family_group(nlh, g->name, &g->id);
	if (g->err == -EINVAL) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

int nl_resolve_group(struct nl *nl, const char *family, const char *group,
		     uint32_t *id)
{
	struct group g = { .name = group, .err = -ENOENT };
	struct nlmsghdr *req;
	int err;

	req = msg_get_family(nl->req, 0, family);
	err = nl_talk(nl, req, group_cb, &g);
	if (!err)
		err = g.err;
	if (!err)
		*id = g.id;
	return err;
}
