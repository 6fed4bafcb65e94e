/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kvtepctl netlink layer: one generic netlink socket to the "kvtep" family.
 *
 * Every function returning int returns 0 or a negative errno, and has
 * already told the user what went wrong (with the kernel's extack message)
 * unless documented otherwise.
 */
#ifndef KVTEPCTL_NL_H
#define KVTEPCTL_NL_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/genetlink.h>
#include <libmnl/libmnl.h>

#define NL_MAX_MCGRPS	8
/* Request buffer: one message; batched FDB adds fill it up to this. */
#define NL_REQ_SIZE	65536

struct nl_mcgrp {
	char name[GENL_NAMSIZ];
	uint32_t id;
};

struct nl_ctx {
	struct mnl_socket *sock;
	uint32_t portid;
	uint32_t seq;
	uint16_t family_id;
	uint32_t family_version;
	struct nl_mcgrp mcgrps[NL_MAX_MCGRPS];
	unsigned int n_mcgrps;
	char *req;		/* request buffer (one message) */
	char *rbuf;		/* receive buffer */
	/* Byte offset in the request of the attribute the last error named. */
	uint32_t err_offs;
	bool err_has_offs;
	/* Name a top-level request attribute for error messages; may be NULL. */
	const char *(*attr_name)(uint16_t type);
};

/*
 * Per-message callback for replies. Return 0 to go on, a negative errno
 * to fail the request (the callback reports the problem itself).
 */
typedef int (*nl_msg_cb)(const struct nlmsghdr *nlh, void *data);

/* Open the socket and resolve @family; prints a friendly message if absent. */
int nl_open(struct nl_ctx *ctx, const char *family);
void nl_close(struct nl_ctx *ctx);

/*
 * Start a request for @cmd of the resolved family in ctx->req. @flags
 * are added to NLM_F_REQUEST; NLM_F_ACK is added unless NLM_F_DUMP is set.
 */
struct nlmsghdr *nl_req_start(struct nl_ctx *ctx, uint8_t cmd, uint16_t flags);

/*
 * Send @nlh and process the answer, calling @cb (may be NULL) for every
 * reply message. Dumps are collected completely before @cb sees them and
 * restarted if the kernel flags them inconsistent (NLM_F_DUMP_INTR), so
 * @cb never sees a torn dump.
 */
int nl_talk(struct nl_ctx *ctx, struct nlmsghdr *nlh, nl_msg_cb cb, void *data);

/* Multicast group id by name, or -ENOENT. Does not print. */
int nl_mcgrp_id(const struct nl_ctx *ctx, const char *name);

/*
 * NLM_F_DUMP is two bits (ROOT | MATCH), and MATCH is also NLM_F_EXCL of
 * "new" requests: a dump has both.
 */
static inline bool nl_is_dump(const struct nlmsghdr *nlh)
{
	return (nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
}

/* Payload of a generic netlink message, after struct genlmsghdr. */
static inline const struct nlattr *nl_genl_attrs(const struct nlmsghdr *nlh)
{
	return mnl_nlmsg_get_payload_offset(nlh, sizeof(struct genlmsghdr));
}

#endif /* KVTEPCTL_NL_H */
