/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Small netlink helpers for kvtep selftests (libmnl): generic netlink
 * requests with extack capture, family lookup, rtnetlink link add/del and
 * a parser for kvtep device replies. Independent of ctl/ on purpose: the
 * tests must not share bugs with the tool they check.
 *
 * Everything is static: include this from one test program.
 */
#ifndef KVTEP_NL_UTIL_H
#define KVTEP_NL_UTIL_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <linux/genetlink.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>

#include <linux/kvtep.h>

/* Big enough for a batch of 1000 KVTEP_A_FDB nests in one request. */
#define KNL_REQ_SIZE	65536
#define KNL_RX_SIZE	32768

struct knl {
	struct mnl_socket *sock;
	uint32_t portid;
	uint32_t seq;
	uint16_t family;	/* generic netlink family id, 0 for rtnetlink */
	/* Extended ack of the last request (also of successful ones). */
	char ext_msg[256];
	bool has_offs;
	uint32_t ext_offs;
	/* NLMSGERR_ATTR_MISS_TYPE / _MISS_NEST of the last request. */
	bool has_miss_type, has_miss_nest;
	uint32_t miss_type, miss_nest;
	/* The last dump had a message flagged NLM_F_DUMP_INTR. */
	bool dump_intr;
	/* Receive with a buffer this small (0: KNL_RX_SIZE); the kernel
	 * sizes dump skbs after the largest buffer seen on the socket.
	 */
	size_t rx_len;
	char req[KNL_REQ_SIZE];
	char rx[KNL_RX_SIZE];
};

typedef int (*knl_cb)(const struct nlmsghdr *nlh, void *data);

static inline int knl_open(struct knl *k, int bus)
{
	int one = 1;

	memset(k, 0, sizeof(*k));
	k->sock = mnl_socket_open(bus);
	if (!k->sock)
		return -errno;
	if (mnl_socket_setsockopt(k->sock, NETLINK_EXT_ACK, &one, sizeof(one)) ||
	    mnl_socket_setsockopt(k->sock, NETLINK_CAP_ACK, &one, sizeof(one)) ||
	    mnl_socket_bind(k->sock, 0, MNL_SOCKET_AUTOPID)) {
		int err = -errno;

		mnl_socket_close(k->sock);
		k->sock = NULL;
		return err;
	}
	k->portid = mnl_socket_get_portid(k->sock);
	return 0;
}

static inline void knl_close(struct knl *k)
{
	if (k->sock)
		mnl_socket_close(k->sock);
	k->sock = NULL;
}

static inline struct nlmsghdr *knl_msg(struct knl *k, uint16_t type,
				       uint16_t flags)
{
	struct nlmsghdr *nlh;

	memset(k->req, 0, sizeof(k->req));
	nlh = mnl_nlmsg_put_header(k->req);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	/* NLM_F_DUMP is ROOT | MATCH; MATCH alone is NLM_F_EXCL. */
	if ((flags & NLM_F_DUMP) != NLM_F_DUMP)
		nlh->nlmsg_flags |= NLM_F_ACK;
	return nlh;
}

static inline struct nlmsghdr *knl_genl_msg(struct knl *k, uint16_t family,
					    uint8_t cmd, uint8_t version,
					    uint16_t flags)
{
	struct nlmsghdr *nlh = knl_msg(k, family, flags);
	struct genlmsghdr *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));

	g->cmd = cmd;
	g->version = version;
	return nlh;
}

/* A kvtep request on a socket whose k->family is resolved. */
static inline struct nlmsghdr *knl_kvtep_msg(struct knl *k, uint8_t cmd,
					     uint16_t flags)
{
	return knl_genl_msg(k, k->family, cmd, KVTEP_GENL_VERSION, flags);
}

static inline int knl_ext_cb(const struct nlattr *attr, void *data)
{
	struct knl *k = data;

	switch (mnl_attr_get_type(attr)) {
	case NLMSGERR_ATTR_MSG:
		if (!mnl_attr_validate(attr, MNL_TYPE_NUL_STRING))
			snprintf(k->ext_msg, sizeof(k->ext_msg), "%s",
				 mnl_attr_get_str(attr));
		break;
	case NLMSGERR_ATTR_OFFS:
		if (!mnl_attr_validate(attr, MNL_TYPE_U32)) {
			k->ext_offs = mnl_attr_get_u32(attr);
			k->has_offs = true;
		}
		break;
	case NLMSGERR_ATTR_MISS_TYPE:
		if (!mnl_attr_validate(attr, MNL_TYPE_U32)) {
			k->miss_type = mnl_attr_get_u32(attr);
			k->has_miss_type = true;
		}
		break;
	case NLMSGERR_ATTR_MISS_NEST:
		if (!mnl_attr_validate(attr, MNL_TYPE_U32)) {
			k->miss_nest = mnl_attr_get_u32(attr);
			k->has_miss_nest = true;
		}
		break;
	}
	return MNL_CB_OK;
}

static inline int knl_ack(struct knl *k, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	size_t len = mnl_nlmsg_get_payload_len(nlh), off = sizeof(*e);

	if (len < sizeof(*e))
		return -EBADMSG;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += NLMSG_ALIGN(e->msg.nlmsg_len - sizeof(struct nlmsghdr));
		if (off + sizeof(struct nlattr) <= len)
			mnl_attr_parse_payload((const char *)e + off, len - off,
					       knl_ext_cb, k);
	}
	return e->error;
}

static inline int knl_done(struct knl *k, const struct nlmsghdr *nlh)
{
	size_t len = mnl_nlmsg_get_payload_len(nlh);
	const char *p = mnl_nlmsg_get_payload(nlh);
	int error = 0;

	if (len >= sizeof(int))
		memcpy(&error, p, sizeof(int));
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS &&
	    len >= NLMSG_ALIGN(sizeof(int)) + sizeof(struct nlattr))
		mnl_attr_parse_payload(p + NLMSG_ALIGN(sizeof(int)),
				       len - NLMSG_ALIGN(sizeof(int)), knl_ext_cb, k);
	return error;
}

/*
 * Send @nlh, call @cb for each reply, return 0 or the kernel's -errno.
 * A dump flagged NLM_F_DUMP_INTR returns -EINTR (tests run alone, so an
 * inconsistent dump is a bug).
 */
static inline int knl_talk(struct knl *k, struct nlmsghdr *nlh, knl_cb cb,
			   void *data)
{
	bool dump = (nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP, intr = false;
	int cb_err = 0;

	k->ext_msg[0] = '\0';
	k->has_offs = false;
	k->has_miss_type = false;
	k->has_miss_nest = false;
	k->dump_intr = false;
	nlh->nlmsg_seq = ++k->seq;
	if (mnl_socket_sendto(k->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;

	for (;;) {
		size_t rx_len = k->rx_len && k->rx_len < sizeof(k->rx) ?
				k->rx_len : sizeof(k->rx);
		int n = mnl_socket_recvfrom(k->sock, k->rx, rx_len);
		const struct nlmsghdr *m;

		if (n < 0)
			return -errno;
		for (m = (const struct nlmsghdr *)k->rx; mnl_nlmsg_ok(m, n);
		     m = mnl_nlmsg_next(m, &n)) {
			int err;

			if (m->nlmsg_seq != nlh->nlmsg_seq || m->nlmsg_pid != k->portid)
				continue;
			if (m->nlmsg_flags & NLM_F_DUMP_INTR)
				intr = k->dump_intr = true;
			if (m->nlmsg_type == NLMSG_ERROR) {
				err = knl_ack(k, m);
				return err ? err : cb_err;
			}
			if (m->nlmsg_type == NLMSG_DONE && dump) {
				err = knl_done(k, m);
				if (err)
					return err;
				return cb_err ? cb_err : intr ? -EINTR : 0;
			}
			if (m->nlmsg_type < NLMSG_MIN_TYPE)
				continue;
			if (cb && !cb_err)
				cb_err = cb(m, data);
		}
	}
}

/* --- generic netlink controller ----------------------------------------- */

struct knl_family {
	uint16_t id;
	uint32_t version;
	unsigned int n_mcgrps;
	char mcgrps[8][GENL_NAMSIZ];
};

static inline int knl_family_cb(const struct nlmsghdr *nlh, void *data)
{
	struct knl_family *f = data;
	const struct nlattr *a, *g, *ga;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		switch (mnl_attr_get_type(a)) {
		case CTRL_ATTR_FAMILY_ID:
			f->id = mnl_attr_get_u16(a);
			break;
		case CTRL_ATTR_VERSION:
			f->version = mnl_attr_get_u32(a);
			break;
		case CTRL_ATTR_MCAST_GROUPS:
			mnl_attr_for_each_nested(g, a)
				mnl_attr_for_each_nested(ga, g)
					if (mnl_attr_get_type(ga) == CTRL_ATTR_MCAST_GRP_NAME &&
					    f->n_mcgrps < 8)
						snprintf(f->mcgrps[f->n_mcgrps++], GENL_NAMSIZ,
							 "%s", mnl_attr_get_str(ga));
			break;
		}
	}
	return 0;
}

static inline int knl_resolve(struct knl *k, const char *name,
			      struct knl_family *f)
{
	struct nlmsghdr *nlh;

	memset(f, 0, sizeof(*f));
	nlh = knl_genl_msg(k, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, 0);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, name);
	return knl_talk(k, nlh, knl_family_cb, f);
}

/* --- rtnetlink ------------------------------------------------------------ */

static inline int knl_link_add(const char *ifname, const char *kind)
{
	struct knl *k = calloc(1, sizeof(*k));
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	struct nlattr *li;
	int err;

	if (!k)
		return -ENOMEM;
	err = knl_open(k, NETLINK_ROUTE);
	if (!err) {
		nlh = knl_msg(k, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
		ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
		ifi->ifi_family = AF_UNSPEC;
		mnl_attr_put_strz(nlh, IFLA_IFNAME, ifname);
		li = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
		mnl_attr_put_strz(nlh, IFLA_INFO_KIND, kind);
		mnl_attr_nest_end(nlh, li);
		err = knl_talk(k, nlh, NULL, NULL);
		knl_close(k);
	}
	free(k);
	return err;
}

static inline int knl_link_del(int ifindex)
{
	struct knl *k = calloc(1, sizeof(*k));
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	int err;

	if (!k)
		return -ENOMEM;
	err = knl_open(k, NETLINK_ROUTE);
	if (!err) {
		nlh = knl_msg(k, RTM_DELLINK, 0);
		ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
		ifi->ifi_family = AF_UNSPEC;
		ifi->ifi_index = ifindex;
		err = knl_talk(k, nlh, NULL, NULL);
		knl_close(k);
	}
	free(k);
	return err;
}

/* Create veth pair @ifname <-> @peer. */
static inline int knl_veth_add(const char *ifname, const char *peer)
{
	struct knl *k = calloc(1, sizeof(*k));
	struct nlattr *li, *data, *pn;
	struct ifinfomsg *ifi;
	struct nlmsghdr *nlh;
	int err;

	if (!k)
		return -ENOMEM;
	err = knl_open(k, NETLINK_ROUTE);
	if (!err) {
		nlh = knl_msg(k, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
		ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
		ifi->ifi_family = AF_UNSPEC;
		mnl_attr_put_strz(nlh, IFLA_IFNAME, ifname);
		li = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
		mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
		data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
		pn = mnl_attr_nest_start(nlh, 1 /* VETH_INFO_PEER */);
		ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
		ifi->ifi_family = AF_UNSPEC;
		mnl_attr_put_strz(nlh, IFLA_IFNAME, peer);
		mnl_attr_nest_end(nlh, pn);
		mnl_attr_nest_end(nlh, data);
		mnl_attr_nest_end(nlh, li);
		err = knl_talk(k, nlh, NULL, NULL);
		knl_close(k);
	}
	free(k);
	return err;
}

static inline int knl_link_master_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct ifinfomsg))
		if (mnl_attr_get_type(a) == IFLA_MASTER &&
		    !mnl_attr_validate(a, MNL_TYPE_U32))
			*(uint32_t *)data = mnl_attr_get_u32(a);
	return 0;
}

/* IFLA_MASTER of @ifindex: 0 = none, or -errno. */
static inline int64_t knl_link_master(int ifindex)
{
	struct knl *k = calloc(1, sizeof(*k));
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	uint32_t master = 0;
	int err;

	if (!k)
		return -ENOMEM;
	err = knl_open(k, NETLINK_ROUTE);
	if (!err) {
		nlh = knl_msg(k, RTM_GETLINK, 0);
		ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
		ifi->ifi_family = AF_UNSPEC;
		ifi->ifi_index = ifindex;
		err = knl_talk(k, nlh, knl_link_master_cb, &master);
		knl_close(k);
	}
	free(k);
	return err ? err : (int64_t)master;
}

/* Parse the attributes of a nest (or a message payload) into tb[0..max]. */
struct knl_tb {
	const struct nlattr **tb;
	unsigned int max;
};

static inline int knl_tb_cb(const struct nlattr *a, void *data)
{
	struct knl_tb *t = data;
	unsigned int type = mnl_attr_get_type(a);

	if (type <= t->max)
		t->tb[type] = a;
	return MNL_CB_OK;
}

static inline int knl_parse_nest(const struct nlattr *nest,
				 const struct nlattr **tb, unsigned int max)
{
	struct knl_tb t = { tb, max };

	memset(tb, 0, sizeof(*tb) * (max + 1));
	return mnl_attr_parse_nested(nest, knl_tb_cb, &t) < 0 ? -EBADMSG : 0;
}

static inline int knl_parse_genl(const struct nlmsghdr *nlh,
				 const struct nlattr **tb, unsigned int max)
{
	struct knl_tb t = { tb, max };

	memset(tb, 0, sizeof(*tb) * (max + 1));
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), knl_tb_cb, &t) < 0 ?
	       -EBADMSG : 0;
}

/* Offset of @p (inside the request @nlh) as the kernel reports it. */
static inline uint32_t knl_offs(const struct nlmsghdr *nlh, const void *p)
{
	return (uint32_t)((const char *)p - (const char *)nlh);
}

/* --- kvtep device replies ------------------------------------------------- */

struct kvtep_dev_info {
	uint64_t present;	/* bit per KVTEP_A_* */
	uint32_t ifindex;
	char ifname[IFNAMSIZ];
	uint16_t vxlan_port, geneve_port;
	uint8_t ttl, tos, df, learning, tunnel_learning, udp_csum;
	uint32_t ageing, fdb_max, fdb_count, generation;
};

#define KDEV_HAS(d, attr)	(!!((d)->present & (1ULL << (attr))))

static inline int kvtep_dev_attr_cb(const struct nlattr *a, void *data)
{
	struct kvtep_dev_info *d = data;
	uint16_t type = mnl_attr_get_type(a);
	int bad = 0;

	switch (type) {
	case KVTEP_A_IFINDEX:
		bad = mnl_attr_validate(a, MNL_TYPE_U32);
		d->ifindex = bad ? 0 : mnl_attr_get_u32(a);
		break;
	case KVTEP_A_IFNAME:
		bad = mnl_attr_validate(a, MNL_TYPE_NUL_STRING);
		if (!bad)
			snprintf(d->ifname, sizeof(d->ifname), "%s", mnl_attr_get_str(a));
		break;
	case KVTEP_A_VXLAN_PORT:
	case KVTEP_A_GENEVE_PORT:
		bad = mnl_attr_validate(a, MNL_TYPE_U16);
		if (!bad)
			*(type == KVTEP_A_VXLAN_PORT ? &d->vxlan_port : &d->geneve_port) =
				mnl_attr_get_u16(a);
		break;
	case KVTEP_A_TTL:
	case KVTEP_A_TOS:
	case KVTEP_A_DF:
	case KVTEP_A_LEARNING:
	case KVTEP_A_TUNNEL_LEARNING:
	case KVTEP_A_UDP_CSUM: {
		uint8_t *f = type == KVTEP_A_TTL ? &d->ttl :
			     type == KVTEP_A_TOS ? &d->tos :
			     type == KVTEP_A_DF ? &d->df :
			     type == KVTEP_A_LEARNING ? &d->learning :
			     type == KVTEP_A_TUNNEL_LEARNING ? &d->tunnel_learning :
			     &d->udp_csum;

		bad = mnl_attr_validate(a, MNL_TYPE_U8);
		if (!bad)
			*f = mnl_attr_get_u8(a);
		break;
	}
	case KVTEP_A_AGEING:
	case KVTEP_A_FDB_MAX:
	case KVTEP_A_FDB_COUNT:
	case KVTEP_A_GENERATION: {
		uint32_t *f = type == KVTEP_A_AGEING ? &d->ageing :
			      type == KVTEP_A_FDB_MAX ? &d->fdb_max :
			      type == KVTEP_A_FDB_COUNT ? &d->fdb_count :
			      &d->generation;

		bad = mnl_attr_validate(a, MNL_TYPE_U32);
		if (!bad)
			*f = mnl_attr_get_u32(a);
		break;
	}
	default:
		return MNL_CB_OK;
	}
	if (bad)
		return MNL_CB_ERROR;	/* malformed reply: a kernel bug */
	if (type < 64)
		d->present |= 1ULL << type;
	return MNL_CB_OK;
}

static inline int kvtep_dev_parse(const struct nlmsghdr *nlh,
				  struct kvtep_dev_info *d)
{
	memset(d, 0, sizeof(*d));
	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), kvtep_dev_attr_cb, d) < 0)
		return -EBADMSG;
	return 0;
}

static inline int kvtep_dev_get_cb(const struct nlmsghdr *nlh, void *data)
{
	return kvtep_dev_parse(nlh, data);
}

/* DEV_GET doit by @ifindex (if non-zero) or @ifname. */
static inline int kvtep_dev_get(struct knl *k, uint32_t ifindex,
				const char *ifname, struct kvtep_dev_info *d)
{
	struct nlmsghdr *nlh = knl_kvtep_msg(k, KVTEP_CMD_DEV_GET, 0);

	memset(d, 0, sizeof(*d));
	if (ifindex)
		mnl_attr_put_u32(nlh, KVTEP_A_IFINDEX, ifindex);
	if (ifname)
		mnl_attr_put_strz(nlh, KVTEP_A_IFNAME, ifname);
	return knl_talk(k, nlh, kvtep_dev_get_cb, d);
}

#endif /* KVTEP_NL_UTIL_H */
