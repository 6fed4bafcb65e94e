// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvtepctl netlink layer (libmnl): socket setup, family resolution,
 * request/reply and dump handling, kernel error reporting with extack.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netlink.h>

#include "nl.h"

#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK		10
#endif
#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK		11
#endif

/* The kernel never builds dump skbs larger than 32 KiB minus overhead. */
#define NL_RCVBUF_SIZE		32768
#define NL_DUMP_RETRIES		5

struct nl_collect {
	char *p;
	size_t len, cap;
};

static int collect_add(struct nl_collect *c, const struct nlmsghdr *nlh)
{
	size_t n = NLMSG_ALIGN(nlh->nlmsg_len);

	if (c->len + n > c->cap) {
		size_t cap = c->cap ? c->cap : NL_RCVBUF_SIZE;
		char *p;

		while (cap < c->len + n)
			cap *= 2;
		p = realloc(c->p, cap);
		if (!p)
			return -ENOMEM;
		c->p = p;
		c->cap = cap;
	}
	memcpy(c->p + c->len, nlh, nlh->nlmsg_len);
	memset(c->p + c->len + nlh->nlmsg_len, 0, n - nlh->nlmsg_len);
	c->len += n;
	return 0;
}

/* --- error reporting ---------------------------------------------------- */

struct nl_ext_ack {
	const char *msg;
	uint32_t offs;
	uint32_t miss_type;
	bool has_offs;
	bool has_miss_type;
};

static int ext_ack_attr_cb(const struct nlattr *attr, void *data)
{
	struct nl_ext_ack *ea = data;

	switch (mnl_attr_get_type(attr)) {
	case NLMSGERR_ATTR_MSG:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
			ea->msg = mnl_attr_get_str(attr);
		break;
	case NLMSGERR_ATTR_OFFS:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0) {
			ea->offs = mnl_attr_get_u32(attr);
			ea->has_offs = true;
		}
		break;
#ifdef NLMSGERR_ATTR_MISS_TYPE
	case NLMSGERR_ATTR_MISS_TYPE:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0) {
			ea->miss_type = mnl_attr_get_u32(attr);
			ea->has_miss_type = true;
		}
		break;
#endif
	}
	return MNL_CB_OK;
}

static void ext_ack_parse(const void *tlvs, size_t len, struct nl_ext_ack *ea)
{
	if (len >= sizeof(struct nlattr))
		mnl_attr_parse_payload(tlvs, len, ext_ack_attr_cb, ea);
}

/*
 * Describe the request attribute at byte offset @offs of @req (the kernel's
 * NLMSGERR_ATTR_OFFS) as " (attribute NAME)", or "" if we cannot tell.
 */
static void describe_offs(const struct nl_ctx *ctx, const struct nlmsghdr *req,
			  uint32_t offs, char *out, size_t outlen)
{
	size_t hdr = mnl_nlmsg_size(sizeof(struct genlmsghdr));
	const struct nlattr *attr;
	const char *name = NULL;

	out[0] = '\0';
	if (offs < hdr || offs >= req->nlmsg_len)
		return;
	mnl_attr_for_each(attr, req, sizeof(struct genlmsghdr)) {
		uint32_t start = (const char *)attr - (const char *)req;

		if (offs < start || offs >= start + attr->nla_len)
			continue;
		if (ctx->attr_name)
			name = ctx->attr_name(mnl_attr_get_type(attr));
		if (name)
			snprintf(out, outlen, " (%sattribute %s)",
				 offs == start ? "" : "inside ", name);
		else
			snprintf(out, outlen, " (attribute type %u)",
				 mnl_attr_get_type(attr));
		return;
	}
}

static void report(const struct nl_ctx *ctx, const struct nlmsghdr *req,
		   int error, const struct nl_ext_ack *ea)
{
	char where[96] = "";

	if (ea->has_offs && req)
		describe_offs(ctx, req, ea->offs, where, sizeof(where));
	else if (ea->has_miss_type) {
		const char *name = ctx->attr_name ?
				   ctx->attr_name(ea->miss_type) : NULL;

		if (name)
			snprintf(where, sizeof(where), " (missing attribute %s)", name);
		else
			snprintf(where, sizeof(where), " (missing attribute type %u)",
				 ea->miss_type);
	}

	if (!error) {
		if (ea->msg && *ea->msg)
			fprintf(stderr, "kvtepctl: warning: %s%s\n", ea->msg, where);
		return;
	}
	if (ea->msg && *ea->msg)
		fprintf(stderr, "kvtepctl: %s: %s%s\n", strerror(-error), ea->msg, where);
	else
		fprintf(stderr, "kvtepctl: %s%s\n", strerror(-error), where);
}

/* NLMSG_ERROR: an ack (error 0) or a failure. Returns 0 or -errno. */
static int handle_error(struct nl_ctx *ctx, const struct nlmsghdr *req,
			const struct nlmsghdr *nlh, bool quiet)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	struct nl_ext_ack ea = { 0 };
	size_t off, len;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e))) {
		fprintf(stderr, "kvtepctl: truncated netlink error message\n");
		return -EBADMSG;
	}
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		len = mnl_nlmsg_get_payload_len(nlh);
		off = sizeof(*e);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED) &&
		    e->msg.nlmsg_len >= sizeof(struct nlmsghdr))
			off += NLMSG_ALIGN(e->msg.nlmsg_len - sizeof(struct nlmsghdr));
		if (off < len)
			ext_ack_parse((const char *)e + off, len - off, &ea);
	}
	ctx->err_offs = ea.offs;
	ctx->err_has_offs = ea.has_offs;
	if (e->error > 0 || e->error < -4095) {
		fprintf(stderr, "kvtepctl: bad error code %d from kernel\n", e->error);
		return -EBADMSG;
	}
	if (!quiet || !e->error)
		report(ctx, req, e->error, &ea);
	return e->error;
}

/* NLMSG_DONE ends a dump; it carries the dump's error, maybe with extack. */
static int handle_done(const struct nl_ctx *ctx, const struct nlmsghdr *req,
		       const struct nlmsghdr *nlh, bool quiet)
{
	struct nl_ext_ack ea = { 0 };
	size_t len = mnl_nlmsg_get_payload_len(nlh);
	const char *p = mnl_nlmsg_get_payload(nlh);
	int error;

	if (len < sizeof(int))
		return 0;
	memcpy(&error, p, sizeof(error));
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS && len > NLMSG_ALIGN(sizeof(int)))
		ext_ack_parse(p + NLMSG_ALIGN(sizeof(int)),
			      len - NLMSG_ALIGN(sizeof(int)), &ea);
	if (error > 0 || error < -4095)
		error = -EBADMSG;
	if (!quiet || !error)
		report(ctx, req, error, &ea);
	return error;
}

/* --- request / reply ---------------------------------------------------- */

struct nlmsghdr *nl_req_start(struct nl_ctx *ctx, uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *genl;

	/* No stale bytes in attribute padding go to the kernel. */
	memset(ctx->req, 0, NL_REQ_SIZE);
	nlh = mnl_nlmsg_put_header(ctx->req);

	nlh->nlmsg_type = ctx->family_id;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	if (!nl_is_dump(nlh))
		nlh->nlmsg_flags |= NLM_F_ACK;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = ctx->family_version ? ctx->family_version : 1;
	return nlh;
}

/*
 * Read until the request @req is answered (NLMSG_ERROR or NLMSG_DONE).
 * Replies to a doit go to @cb at once; dump parts go into @col.
 */
static int recv_answer(struct nl_ctx *ctx, const struct nlmsghdr *req,
		       nl_msg_cb cb, void *data, struct nl_collect *col,
		       bool *intr, bool quiet)
{
	bool dump = nl_is_dump(req);
	int cb_err = 0;

	for (;;) {
		const struct nlmsghdr *nlh;
		int n, err;

		n = mnl_socket_recvfrom(ctx->sock, ctx->rbuf, NL_RCVBUF_SIZE);
		if (n < 0) {
			err = -errno;
			if (err == -EINTR)
				continue;
			fprintf(stderr, "kvtepctl: netlink receive: %s\n",
				err == -ENOSPC ? "message truncated" : strerror(-err));
			return err;
		}

		for (nlh = (const struct nlmsghdr *)ctx->rbuf;
		     mnl_nlmsg_ok(nlh, n); nlh = mnl_nlmsg_next(nlh, &n)) {
			/* Leftovers of an earlier, abandoned request. */
			if (nlh->nlmsg_seq != req->nlmsg_seq ||
			    nlh->nlmsg_pid != ctx->portid)
				continue;
			if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
				*intr = true;

			switch (nlh->nlmsg_type) {
			case NLMSG_NOOP:
				continue;
			case NLMSG_OVERRUN:
				fprintf(stderr, "kvtepctl: netlink overrun\n");
				return -ENOBUFS;
			case NLMSG_ERROR:
				err = handle_error(ctx, req, nlh, quiet);
				return err ? err : cb_err;
			case NLMSG_DONE:
				if (!dump)
					continue;
				return handle_done(ctx, req, nlh, quiet);
			}

			if (dump) {
				err = collect_add(col, nlh);
				if (err) {
					fprintf(stderr, "kvtepctl: %s\n", strerror(-err));
					return err;
				}
			} else if (cb && !cb_err) {
				/* Keep reading to the ack even if @cb failed. */
				cb_err = cb(nlh, data);
			}
		}
	}
}

static int talk(struct nl_ctx *ctx, struct nlmsghdr *nlh,
		nl_msg_cb cb, void *data, bool quiet)
{
	bool dump = nl_is_dump(nlh);
	struct nl_collect col = { 0 };
	int attempt, err = 0;

	ctx->err_has_offs = false;
	for (attempt = 0; attempt <= NL_DUMP_RETRIES; attempt++) {
		bool intr = false;

		nlh->nlmsg_seq = ++ctx->seq;
		nlh->nlmsg_pid = 0;
		if (mnl_socket_sendto(ctx->sock, nlh, nlh->nlmsg_len) < 0) {
			err = -errno;
			fprintf(stderr, "kvtepctl: netlink send: %s\n", strerror(errno));
			break;
		}
		col.len = 0;
		err = recv_answer(ctx, nlh, cb, data, &col, &intr, quiet);
		if (err || !dump)
			break;
		if (intr) {
			/* The objects changed under the dump: start over. */
			err = -EINTR;
			continue;
		}
		if (cb) {
			const struct nlmsghdr *m = (const struct nlmsghdr *)col.p;
			int len = col.len;

			for (; mnl_nlmsg_ok(m, len); m = mnl_nlmsg_next(m, &len)) {
				err = cb(m, data);
				if (err)
					break;
			}
		}
		break;
	}
	if (err == -EINTR && dump)
		fprintf(stderr, "kvtepctl: dump interrupted by concurrent changes %d times, giving up\n",
			NL_DUMP_RETRIES + 1);
	free(col.p);
	return err;
}

int nl_talk(struct nl_ctx *ctx, struct nlmsghdr *nlh, nl_msg_cb cb, void *data)
{
	return talk(ctx, nlh, cb, data, false);
}

/* --- family resolution --------------------------------------------------- */

static int mcgrp_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if (type == CTRL_ATTR_MCAST_GRP_NAME &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
		tb[type] = attr;
	else if (type == CTRL_ATTR_MCAST_GRP_ID &&
		 mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
		tb[type] = attr;
	return MNL_CB_OK;
}

static void parse_mcgrps(struct nl_ctx *ctx, const struct nlattr *nest)
{
	const struct nlattr *grp;

	mnl_attr_for_each_nested(grp, nest) {
		const struct nlattr *tb[CTRL_ATTR_MCAST_GRP_MAX + 1] = { 0 };
		struct nl_mcgrp *g;

		if (ctx->n_mcgrps >= NL_MAX_MCGRPS)
			break;
		if (mnl_attr_parse_nested(grp, mcgrp_cb, tb) < 0 ||
		    !tb[CTRL_ATTR_MCAST_GRP_NAME] || !tb[CTRL_ATTR_MCAST_GRP_ID])
			continue;
		g = &ctx->mcgrps[ctx->n_mcgrps++];
		snprintf(g->name, sizeof(g->name), "%s",
			 mnl_attr_get_str(tb[CTRL_ATTR_MCAST_GRP_NAME]));
		g->id = mnl_attr_get_u32(tb[CTRL_ATTR_MCAST_GRP_ID]);
	}
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_ctx *ctx = data;
	const struct nlattr *attr;

	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr)) {
		switch (mnl_attr_get_type(attr)) {
		case CTRL_ATTR_FAMILY_ID:
			if (mnl_attr_validate(attr, MNL_TYPE_U16) == 0)
				ctx->family_id = mnl_attr_get_u16(attr);
			break;
		case CTRL_ATTR_VERSION:
			if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
				ctx->family_version = mnl_attr_get_u32(attr);
			break;
		case CTRL_ATTR_MCAST_GROUPS:
			if (mnl_attr_validate(attr, MNL_TYPE_NESTED) == 0)
				parse_mcgrps(ctx, attr);
			break;
		}
	}
	return 0;
}

static int resolve_family(struct nl_ctx *ctx, const char *family)
{
	struct nlmsghdr *nlh;
	int err;

	ctx->family_id = GENL_ID_CTRL;
	ctx->family_version = 2;
	nlh = nl_req_start(ctx, CTRL_CMD_GETFAMILY, 0);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, family);
	ctx->family_id = 0;
	ctx->family_version = 0;

	err = talk(ctx, nlh, family_cb, ctx, true);
	if (err == -ENOENT) {
		fprintf(stderr, "kvtepctl: %s module not loaded (generic netlink family \"%s\" not found)\n",
			family, family);
		return err;
	}
	if (err) {
		fprintf(stderr, "kvtepctl: resolving generic netlink family \"%s\": %s\n",
			family, strerror(-err));
		return err;
	}
	if (!ctx->family_id) {
		fprintf(stderr, "kvtepctl: no id for generic netlink family \"%s\"\n", family);
		return -EPROTO;
	}
	return 0;
}

int nl_mcgrp_id(const struct nl_ctx *ctx, const char *name)
{
	unsigned int i;

	for (i = 0; i < ctx->n_mcgrps; i++)
		if (!strcmp(ctx->mcgrps[i].name, name))
			return ctx->mcgrps[i].id;
	return -ENOENT;
}

/* --- socket -------------------------------------------------------------- */

int nl_open(struct nl_ctx *ctx, const char *family)
{
	int one = 1, err;

	ctx->req = malloc(NL_REQ_SIZE);
	ctx->rbuf = malloc(NL_RCVBUF_SIZE);
	if (!ctx->req || !ctx->rbuf) {
		err = -ENOMEM;
		fprintf(stderr, "kvtepctl: %s\n", strerror(ENOMEM));
		goto err_free;
	}

	ctx->sock = mnl_socket_open(NETLINK_GENERIC);
	if (!ctx->sock) {
		err = -errno;
		fprintf(stderr, "kvtepctl: cannot open generic netlink socket: %s\n",
			strerror(errno));
		goto err_free;
	}
	/* Best effort: old kernels lack them, and we can live without. */
	mnl_socket_setsockopt(ctx->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(ctx->sock, NETLINK_CAP_ACK, &one, sizeof(one));

	if (mnl_socket_bind(ctx->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		fprintf(stderr, "kvtepctl: cannot bind netlink socket: %s\n",
			strerror(errno));
		goto err_close;
	}
	ctx->portid = mnl_socket_get_portid(ctx->sock);

	err = resolve_family(ctx, family);
	if (err)
		goto err_close;
	return 0;

err_close:
	mnl_socket_close(ctx->sock);
	ctx->sock = NULL;
err_free:
	free(ctx->req);
	free(ctx->rbuf);
	ctx->req = ctx->rbuf = NULL;
	return err;
}

void nl_close(struct nl_ctx *ctx)
{
	if (ctx->sock)
		mnl_socket_close(ctx->sock);
	free(ctx->req);
	free(ctx->rbuf);
	ctx->sock = NULL;
	ctx->req = ctx->rbuf = NULL;
}
