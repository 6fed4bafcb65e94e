// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvtep object API over generic netlink: logical switches, ports,
 * bindings, FDB entries, flood lists, remotes and statistics, and the
 * errors (errno, extack message, offending attribute or missing type)
 * of bad requests.
 *
 * Every test runs in a fresh network namespace of its own:
 *
 *   +----------------------------- netns (unshare) ------------------------+
 *   |  kvtep-t0 (type kvtep, local 10.0.0.1)  <-- genl "kvtep" -- this test |
 *   |  kv-va <-> kv-vb (veth, used as ports)                                |
 *   +-----------------------------------------------------------------------+
 *
 * Needs root and the kvtep module (autoloaded by "rtnl-link-kvtep").
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "kvtep_harness.h"
#include "kvtep_nl_util.h"

#define DEV0		"kvtep-t0"
#define DEV1		"kvtep-t1"
#define VETH_A		"kv-va"
#define VETH_B		"kv-vb"
#define LOCAL_IP	"10.0.0.1"

/* ---- request builders ---- */

static uint32_t ip4(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		abort();
	return a.s_addr;
}

/* MACs of the tests: 02:4b:00 + a 24-bit index. */
static void mac_of(uint8_t *mac, unsigned int i)
{
	mac[0] = 0x02;
	mac[1] = 0x4b;
	mac[2] = 0x00;
	mac[3] = i >> 16;
	mac[4] = i >> 8;
	mac[5] = i;
}

static int mac_index(const uint8_t *mac)
{
	if (mac[0] != 0x02 || mac[1] != 0x4b || mac[2])
		return -1;
	return mac[3] << 16 | mac[4] << 8 | mac[5];
}

static struct nlmsghdr *req(struct knl *k, uint8_t cmd, uint16_t flags,
			    uint32_t dev)
{
	struct nlmsghdr *nlh = knl_kvtep_msg(k, cmd, flags);

	mnl_attr_put_u32(nlh, KVTEP_A_IFINDEX, dev);
	return nlh;
}

/* A remote nest of @type with IPv4 @addr; returns its offset. */
static uint32_t put_remote4(struct nlmsghdr *nlh, uint16_t type, uint32_t addr)
{
	uint32_t offs = nlh->nlmsg_len;
	struct nlattr *n = mnl_attr_nest_start(nlh, type);

	mnl_attr_put(nlh, KVTEP_REMOTE_A_IP4, sizeof(addr), &addr);
	mnl_attr_nest_end(nlh, n);
	return offs;
}

/* A KVTEP_A_FDB nest (remote 0: none); returns its offset. */
static uint32_t put_fdb(struct nlmsghdr *nlh, uint32_t vni, unsigned int idx,
			uint32_t remote)
{
	uint32_t offs = nlh->nlmsg_len;
	struct nlattr *n = mnl_attr_nest_start(nlh, KVTEP_A_FDB);
	uint8_t mac[6];

	mac_of(mac, idx);
	mnl_attr_put_u32(nlh, KVTEP_FDB_A_VNI, vni);
	mnl_attr_put(nlh, KVTEP_FDB_A_MAC, sizeof(mac), mac);
	if (remote)
		put_remote4(nlh, KVTEP_FDB_A_REMOTE, remote);
	mnl_attr_nest_end(nlh, n);
	return offs;
}

static int dev_set_local(struct knl *k, uint32_t dev, const char *ip)
{
	struct nlmsghdr *nlh = req(k, KVTEP_CMD_DEV_SET, 0, dev);
	uint32_t a = ip4(ip);

	mnl_attr_put(nlh, KVTEP_A_LOCAL_IP4, sizeof(a), &a);
	return knl_talk(k, nlh, NULL, NULL);
}

static int ls_op(struct knl *k, uint8_t cmd, uint32_t dev, uint32_t vni)
{
	struct nlmsghdr *nlh = req(k, cmd, 0, dev);
	struct nlattr *n = mnl_attr_nest_start(nlh, KVTEP_A_LS);

	mnl_attr_put_u32(nlh, KVTEP_LS_A_VNI, vni);
	mnl_attr_nest_end(nlh, n);
	return knl_talk(k, nlh, NULL, NULL);
}

static int port_op(struct knl *k, uint8_t cmd, uint32_t dev, uint32_t port,
		   uint32_t *attr_offs)
{
	struct nlmsghdr *nlh = req(k, cmd, 0, dev);
	struct nlattr *n = mnl_attr_nest_start(nlh, KVTEP_A_PORT);

	if (attr_offs)
		*attr_offs = nlh->nlmsg_len;
	mnl_attr_put_u32(nlh, KVTEP_PORT_A_IFINDEX, port);
	mnl_attr_nest_end(nlh, n);
	return knl_talk(k, nlh, NULL, NULL);
}

/* Offsets of the binding's attributes in the last bind_op() request. */
struct bind_offs {
	uint32_t port, vlan, vni;
};

static int bind_op(struct knl *k, uint8_t cmd, uint32_t dev, uint32_t port,
		   int vlan, uint32_t vni, struct bind_offs *o)
{
	struct nlmsghdr *nlh = req(k, cmd, 0, dev);
	struct nlattr *n = mnl_attr_nest_start(nlh, KVTEP_A_BIND);
	struct bind_offs dummy;

	if (!o)
		o = &dummy;
	o->port = nlh->nlmsg_len;
	mnl_attr_put_u32(nlh, KVTEP_BIND_A_PORT_IFINDEX, port);
	o->vlan = nlh->nlmsg_len;
	if (vlan >= 0)
		mnl_attr_put_u16(nlh, KVTEP_BIND_A_VLAN, vlan);
	o->vni = nlh->nlmsg_len;
	if (vni)
		mnl_attr_put_u32(nlh, KVTEP_BIND_A_VNI, vni);
	mnl_attr_nest_end(nlh, n);
	return knl_talk(k, nlh, NULL, NULL);
}

static int fdb_op(struct knl *k, uint8_t cmd, uint16_t flags, uint32_t dev,
		  uint32_t vni, unsigned int idx, uint32_t remote)
{
	struct nlmsghdr *nlh = req(k, cmd, flags, dev);

	put_fdb(nlh, vni, idx, remote);
	return knl_talk(k, nlh, NULL, NULL);
}

/* Add (or delete, remote 0) entries first .. first + n - 1 in one request. */
static int fdb_batch(struct knl *k, uint8_t cmd, uint32_t dev, uint32_t vni,
		     unsigned int first, unsigned int n, uint32_t remote)
{
	struct nlmsghdr *nlh = req(k, cmd, 0, dev);
	unsigned int i;

	for (i = 0; i < n; i++)
		put_fdb(nlh, vni, first + i, remote);
	return knl_talk(k, nlh, NULL, NULL);
}

static int flood_op(struct knl *k, uint8_t cmd, uint32_t dev, uint32_t vni,
		    const uint32_t *remotes, unsigned int n)
{
	struct nlmsghdr *nlh = req(k, cmd, 0, dev);
	struct nlattr *ls = mnl_attr_nest_start(nlh, KVTEP_A_LS);
	unsigned int i;

	mnl_attr_put_u32(nlh, KVTEP_LS_A_VNI, vni);
	mnl_attr_nest_end(nlh, ls);
	for (i = 0; i < n; i++)
		put_remote4(nlh, KVTEP_A_REMOTE, remotes[i]);
	return knl_talk(k, nlh, NULL, NULL);
}

/* ---- reply parsers ---- */

#define MAX_OBJS	64

struct ls_info {
	uint32_t vni, fdb_max;
	uint8_t repl, encap;
};

struct obj_list {
	unsigned int n;
	struct {
		uint32_t a, b, c;
	} o[MAX_OBJS];
	struct ls_info ls[MAX_OBJS];
};

static int ls_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[KVTEP_A_MAX + 1], *lt[KVTEP_LS_A_MAX + 1];
	struct obj_list *l = data;
	struct ls_info *ls;

	if (knl_parse_genl(nlh, tb, KVTEP_A_MAX) || !tb[KVTEP_A_LS] ||
	    knl_parse_nest(tb[KVTEP_A_LS], lt, KVTEP_LS_A_MAX) ||
	    !lt[KVTEP_LS_A_VNI] || l->n >= MAX_OBJS)
		return -EBADMSG;
	ls = &l->ls[l->n++];
	ls->vni = mnl_attr_get_u32(lt[KVTEP_LS_A_VNI]);
	if (lt[KVTEP_LS_A_FDB_MAX])
		ls->fdb_max = mnl_attr_get_u32(lt[KVTEP_LS_A_FDB_MAX]);
	if (lt[KVTEP_LS_A_REPLICATION])
		ls->repl = mnl_attr_get_u8(lt[KVTEP_LS_A_REPLICATION]);
	if (lt[KVTEP_LS_A_ENCAP])
		ls->encap = mnl_attr_get_u8(lt[KVTEP_LS_A_ENCAP]);
	return 0;
}

static int port_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[KVTEP_A_MAX + 1], *pt[KVTEP_PORT_A_MAX + 1];
	struct obj_list *l = data;

	if (knl_parse_genl(nlh, tb, KVTEP_A_MAX) || !tb[KVTEP_A_PORT] ||
	    knl_parse_nest(tb[KVTEP_A_PORT], pt, KVTEP_PORT_A_MAX) ||
	    !pt[KVTEP_PORT_A_IFINDEX] || l->n >= MAX_OBJS)
		return -EBADMSG;
	l->o[l->n++].a = mnl_attr_get_u32(pt[KVTEP_PORT_A_IFINDEX]);
	return 0;
}

static int bind_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[KVTEP_A_MAX + 1], *bt[KVTEP_BIND_A_MAX + 1];
	struct obj_list *l = data;

	if (knl_parse_genl(nlh, tb, KVTEP_A_MAX) || !tb[KVTEP_A_BIND] ||
	    knl_parse_nest(tb[KVTEP_A_BIND], bt, KVTEP_BIND_A_MAX) ||
	    !bt[KVTEP_BIND_A_PORT_IFINDEX] || !bt[KVTEP_BIND_A_VLAN] ||
	    !bt[KVTEP_BIND_A_VNI] || l->n >= MAX_OBJS)
		return -EBADMSG;
	l->o[l->n].a = mnl_attr_get_u32(bt[KVTEP_BIND_A_PORT_IFINDEX]);
	l->o[l->n].b = mnl_attr_get_u16(bt[KVTEP_BIND_A_VLAN]);
	l->o[l->n].c = mnl_attr_get_u32(bt[KVTEP_BIND_A_VNI]);
	l->n++;
	return 0;
}

/* IPv4 address of a remote nest, 0 if none. */
static uint32_t remote_ip4(const struct nlattr *nest, uint32_t *refcnt)
{
	const struct nlattr *rt[KVTEP_REMOTE_A_MAX + 1];

	if (knl_parse_nest(nest, rt, KVTEP_REMOTE_A_MAX) || !rt[KVTEP_REMOTE_A_IP4] ||
	    mnl_attr_get_payload_len(rt[KVTEP_REMOTE_A_IP4]) != 4)
		return 0;
	if (refcnt)
		*refcnt = rt[KVTEP_REMOTE_A_REFCNT] ?
			  mnl_attr_get_u32(rt[KVTEP_REMOTE_A_REFCNT]) : 0;
	return *(const uint32_t *)mnl_attr_get_payload(rt[KVTEP_REMOTE_A_IP4]);
}

/* Flood list: o[i].a = remote address. REMOTE_GET: .b = refcount. */
static int remotes_cb(const struct nlmsghdr *nlh, void *data)
{
	struct obj_list *l = data;
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(a) != KVTEP_A_REMOTE)
			continue;
		if (l->n >= MAX_OBJS)
			return -EBADMSG;
		l->o[l->n].a = remote_ip4(a, &l->o[l->n].b);
		l->n++;
	}
	return 0;
}

struct fdb_entry {
	int idx;
	uint8_t type;
	uint32_t remote;
	unsigned int n_remotes;
};

static int fdb_parse(const struct nlmsghdr *nlh, struct fdb_entry *e)
{
	const struct nlattr *tb[KVTEP_A_MAX + 1], *ft[KVTEP_FDB_A_MAX + 1];
	const struct nlattr *a;

	memset(e, 0, sizeof(*e));
	if (knl_parse_genl(nlh, tb, KVTEP_A_MAX) || !tb[KVTEP_A_FDB] ||
	    knl_parse_nest(tb[KVTEP_A_FDB], ft, KVTEP_FDB_A_MAX) ||
	    !ft[KVTEP_FDB_A_MAC] || mnl_attr_get_payload_len(ft[KVTEP_FDB_A_MAC]) != 6)
		return -EBADMSG;
	e->idx = mac_index(mnl_attr_get_payload(ft[KVTEP_FDB_A_MAC]));
	if (ft[KVTEP_FDB_A_TYPE])
		e->type = mnl_attr_get_u8(ft[KVTEP_FDB_A_TYPE]);
	mnl_attr_for_each_nested(a, tb[KVTEP_A_FDB]) {
		if (mnl_attr_get_type(a) != KVTEP_FDB_A_REMOTE)
			continue;
		e->n_remotes++;
		e->remote = remote_ip4(a, NULL);
	}
	return 0;
}

static int fdb_get_cb(const struct nlmsghdr *nlh, void *data)
{
	return fdb_parse(nlh, data);
}

#define FDB_SEEN	8192

struct fdb_dump {
	unsigned int n, dups, other;
	uint8_t seen[FDB_SEEN];
};

static int fdb_dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct fdb_dump *d = data;
	struct fdb_entry e;

	if (fdb_parse(nlh, &e))
		return -EBADMSG;
	d->n++;
	if (e.idx < 0 || e.idx >= FDB_SEEN)
		d->other++;
	else if (d->seen[e.idx]++)
		d->dups++;
	return 0;
}

static int dump(struct knl *k, uint8_t cmd, uint32_t dev, knl_cb cb, void *data)
{
	memset(data, 0, cmd == KVTEP_CMD_FDB_GET ? sizeof(struct fdb_dump) :
						   sizeof(struct obj_list));
	return knl_talk(k, req(k, cmd, NLM_F_DUMP, dev), cb, data);
}

static int fdb_get(struct knl *k, uint32_t dev, uint32_t vni, unsigned int idx,
		   struct fdb_entry *e)
{
	struct nlmsghdr *nlh = req(k, KVTEP_CMD_FDB_GET, 0, dev);

	put_fdb(nlh, vni, idx, 0);
	memset(e, 0, sizeof(*e));
	return knl_talk(k, nlh, fdb_get_cb, e);
}

/* ---- checks ---- */

/* errno @want and an extack message. */
#define EXPECT_NLERR(k, err, want, what) do {				\
	int __e = (err);						\
	EXPECT_EQ(-(want), __e)						\
		TH_LOG("%s: got %d (%s) \"%s\"", what, __e,		\
		       strerror(-__e), (k)->ext_msg);			\
	EXPECT_NE(0, (k)->ext_msg[0]) TH_LOG("%s: no extack message", what); \
	/* An unexpanded format string is a kernel bug. */		\
	EXPECT_EQ(NULL, strchr((k)->ext_msg, '%'))			\
		TH_LOG("%s: raw format in the extack message", what);	\
	TH_LOG("%s: %s: \"%s\"", what, strerror(-__e), (k)->ext_msg);	\
} while (0)

/* ... and the kernel points at the attribute at @offs. */
#define EXPECT_NLERR_AT(k, err, want, offs, what) do {			\
	EXPECT_NLERR(k, err, want, what);				\
	EXPECT_TRUE((k)->has_offs) TH_LOG("%s: no error offset", what); \
	if ((k)->has_offs)						\
		EXPECT_EQ((uint32_t)(offs), (k)->ext_offs)		\
			TH_LOG("%s: offset %u, want %u", what,		\
			       (k)->ext_offs, (uint32_t)(offs));	\
} while (0)

/* ... and it reports missing attribute @type (in the nest at @nest, or 0). */
#define EXPECT_NLERR_MISS(k, err, want, type, nest, what) do {		\
	EXPECT_NLERR(k, err, want, what);				\
	EXPECT_TRUE((k)->has_miss_type) TH_LOG("%s: no missing type", what); \
	EXPECT_EQ((uint32_t)(type), (k)->miss_type);			\
	if (nest) {							\
		EXPECT_TRUE((k)->has_miss_nest);			\
		EXPECT_EQ((uint32_t)(nest), (k)->miss_nest);		\
	} else {							\
		EXPECT_FALSE((k)->has_miss_nest);			\
	}								\
} while (0)

#define ASSERT_OK(k, expr) do {						\
	int __e = (expr);						\
	ASSERT_EQ(0, __e) TH_LOG("%s: %s \"%s\"", #expr, strerror(-__e), \
				 (k)->ext_msg);				\
} while (0)

/* ---- fixture ---- */

FIXTURE(obj)
{
	struct knl *nl;
	struct knl_family family;
	uint32_t dev, va, vb;
};

FIXTURE_SETUP(obj)
{
	int err;

	if (geteuid())
		SKIP(return, "must be run as root");
	ASSERT_EQ(0, unshare(CLONE_NEWNET)) TH_LOG("unshare: %s", strerror(errno));

	err = knl_link_add(DEV0, "kvtep");
	if (err == -EOPNOTSUPP)
		SKIP(return, "kvtep module not available (no link type \"kvtep\")");
	ASSERT_EQ(0, err) TH_LOG("ip link add " DEV0 " type kvtep: %s", strerror(-err));
	self->dev = if_nametoindex(DEV0);
	ASSERT_NE(0U, self->dev);
	err = knl_veth_add(VETH_A, VETH_B);
	ASSERT_EQ(0, err) TH_LOG("veth: %s", strerror(-err));
	self->va = if_nametoindex(VETH_A);
	self->vb = if_nametoindex(VETH_B);
	ASSERT_NE(0U, self->va);
	ASSERT_NE(0U, self->vb);

	self->nl = calloc(1, sizeof(*self->nl));
	ASSERT_NE(NULL, self->nl);
	ASSERT_EQ(0, knl_open(self->nl, NETLINK_GENERIC));
	err = knl_resolve(self->nl, KVTEP_GENL_NAME, &self->family);
	ASSERT_EQ(0, err) TH_LOG("family: %s", strerror(-err));
	self->nl->family = self->family.id;
	ASSERT_OK(self->nl, dev_set_local(self->nl, self->dev, LOCAL_IP));
}

FIXTURE_TEARDOWN(obj)
{
	if (self->dev)
		EXPECT_EQ(0, knl_link_del(self->dev));
	if (self->nl) {
		knl_close(self->nl);
		free(self->nl);
	}
}

/* ---- 1. logical switches ---- */

TEST_F(obj, ls_bad_requests)
{
	struct knl *k = self->nl;
	struct nlmsghdr *nlh;
	struct nlattr *n;
	uint32_t nest, offs;

	/* No KVTEP_A_LS at all. */
	nlh = req(k, KVTEP_CMD_LS_ADD, 0, self->dev);
	EXPECT_NLERR_MISS(k, knl_talk(k, nlh, NULL, NULL), EINVAL, KVTEP_A_LS, 0,
			  "LS_ADD without KVTEP_A_LS");

	/* A nest without its VNI. */
	nlh = req(k, KVTEP_CMD_LS_ADD, 0, self->dev);
	nest = nlh->nlmsg_len;
	n = mnl_attr_nest_start(nlh, KVTEP_A_LS);
	mnl_attr_put_u8(nlh, KVTEP_LS_A_REPLICATION, KVTEP_REPL_SOURCE_NODE);
	mnl_attr_nest_end(nlh, n);
	EXPECT_NLERR_MISS(k, knl_talk(k, nlh, NULL, NULL), EINVAL, KVTEP_LS_A_VNI,
			  nest, "LS_ADD without VNI");

	/* VNI 0 and 2^24: out of range, pointing at the VNI. */
	nlh = req(k, KVTEP_CMD_LS_ADD, 0, self->dev);
	n = mnl_attr_nest_start(nlh, KVTEP_A_LS);
	offs = nlh->nlmsg_len;
	mnl_attr_put_u32(nlh, KVTEP_LS_A_VNI, 0);
	mnl_attr_nest_end(nlh, n);
	EXPECT_NLERR_AT(k, knl_talk(k, nlh, NULL, NULL), ERANGE, offs, "VNI 0");

	nlh = req(k, KVTEP_CMD_LS_ADD, 0, self->dev);
	n = mnl_attr_nest_start(nlh, KVTEP_A_LS);
	offs = nlh->nlmsg_len;
	mnl_attr_put_u32(nlh, KVTEP_LS_A_VNI, 1U << 24);
	mnl_attr_nest_end(nlh, n);
	EXPECT_NLERR_AT(k, knl_talk(k, nlh, NULL, NULL), ERANGE, offs, "VNI 2^24");

	/* Replication 2 does not exist. */
	nlh = req(k, KVTEP_CMD_LS_ADD, 0, self->dev);
	n = mnl_attr_nest_start(nlh, KVTEP_A_LS);
	mnl_attr_put_u32(nlh, KVTEP_LS_A_VNI, 100);
	offs = nlh->nlmsg_len;
	mnl_attr_put_u8(nlh, KVTEP_LS_A_REPLICATION, KVTEP_REPL_MAX + 1);
	mnl_attr_nest_end(nlh, n);
	EXPECT_NLERR_AT(k, knl_talk(k, nlh, NULL, NULL), ERANGE, offs, "replication 2");

	/* None of the above created anything. */
	EXPECT_NLERR(k, ls_op(k, KVTEP_CMD_LS_DEL, self->dev, 100), ENOENT,
		     "LS 100 after bad adds");

	/* Duplicates and unknown VNIs. */
	ASSERT_OK(k, ls_op(k, KVTEP_CMD_LS_ADD, self->dev, KVTEP_VNI_MAX));
	EXPECT_NLERR(k, ls_op(k, KVTEP_CMD_LS_ADD, self->dev, KVTEP_VNI_MAX), EEXIST,
		     "duplicate VNI");

	nlh = req(k, KVTEP_CMD_LS_DEL, 0, self->dev);
	n = mnl_attr_nest_start(nlh, KVTEP_A_LS);
	offs = nlh->nlmsg_len;
	mnl_attr_put_u32(nlh, KVTEP_LS_A_VNI, 4242);
	mnl_attr_nest_end(nlh, n);
	EXPECT_NLERR_AT(k, knl_talk(k, nlh, NULL, NULL), ENOENT, offs,
			"LS_DEL unknown VNI");
	ASSERT_OK(k, ls_op(k, KVTEP_CMD_LS_DEL, self->dev, KVTEP_VNI_MAX));
}

TEST_F(obj, ls_get)
{
	static const uint32_t vnis[] = { 100, 200, 300 };
	struct knl *k = self->nl;
	struct nlmsghdr *nlh;
	struct obj_list l;
	unsigned int i, j;
	struct nlattr *n;

	nlh = req(k, KVTEP_CMD_LS_ADD, 0, self->dev);
	n = mnl_attr_nest_start(nlh, KVTEP_A_LS);
	mnl_attr_put_u32(nlh, KVTEP_LS_A_VNI, 100);
	mnl_attr_put_u8(nlh, KVTEP_LS_A_REPLICATION, KVTEP_REPL_SERVICE_NODE);
	mnl_attr_put_u32(nlh, KVTEP_LS_A_FDB_MAX, 50);
	mnl_attr_put_u8(nlh, KVTEP_LS_A_ENCAP, KVTEP_ENCAP_GENEVE);
	mnl_attr_nest_end(nlh, n);
	ASSERT_OK(k, knl_talk(k, nlh, NULL, NULL));
	ASSERT_OK(k, ls_op(k, KVTEP_CMD_LS_ADD, self->dev, 200));
	ASSERT_OK(k, ls_op(k, KVTEP_CMD_LS_ADD, self->dev, 300));

	/* doit */
	memset(&l, 0, sizeof(l));
	nlh = req(k, KVTEP_CMD_LS_GET, 0, self->dev);
	n = mnl_attr_nest_start(nlh, KVTEP_A_LS);
	mnl_attr_put_u32(nlh, KVTEP_LS_A_VNI, 100);
	mnl_attr_nest_end(nlh, n);
	ASSERT_OK(k, knl_talk(k, nlh, ls_cb, &l));
	ASSERT_EQ(1U, l.n);
	EXPECT_EQ(100U, l.ls[0].vni);
	EXPECT_EQ(KVTEP_REPL_SERVICE_NODE, l.ls[0].repl);
	EXPECT_EQ(50U, l.ls[0].fdb_max);
	EXPECT_EQ(KVTEP_ENCAP_GENEVE, l.ls[0].encap);

	EXPECT_NLERR(k, ls_op(k, KVTEP_CMD_LS_GET, self->dev, 101), ENOENT,
		     "LS_GET unknown");

	/* dump */
	ASSERT_OK(k, dump(k, KVTEP_CMD_LS_GET, self->dev, ls_cb, &l));
	ASSERT_EQ(3U, l.n);
	for (i = 0; i < 3; i++) {
		bool found = false;

		for (j = 0; j < l.n; j++)
			found |= l.ls[j].vni == vnis[i];
		EXPECT_TRUE(found) TH_LOG("VNI %u not in the dump", vnis[i]);
	}
	ASSERT_OK(k, ls_op(k, KVTEP_CMD_LS_DEL, self->dev, 200));
	ASSERT_OK(k, dump(k, KVTEP_CMD_LS_GET, self->dev, ls_cb, &l));
	EXPECT_EQ(2U, l.n);
}

/* ---- 2. ports ---- */

TEST_F(obj, ports)
{
	struct knl *k = self->nl;
	uint32_t offs, dev1;
	struct obj_list l;
	int err;

	ASSERT_OK(k, port_op(k, KVTEP_CMD_PORT_ADD, self->dev, self->va, NULL));
	EXPECT_EQ((int64_t)self->dev, knl_link_master(self->va));
	EXPECT_EQ(0, knl_link_master(self->vb));

	/* Not a port: the device itself, loopback, nothing. */
	err = port_op(k, KVTEP_CMD_PORT_ADD, self->dev, self->dev, NULL);
	EXPECT_GT(0, err);
	EXPECT_NE(0, k->ext_msg[0]);
	TH_LOG("port = itself: %s \"%s\"", strerror(-err), k->ext_msg);
	err = port_op(k, KVTEP_CMD_PORT_ADD, self->dev, if_nametoindex("lo"), NULL);
	EXPECT_GT(0, err);
	EXPECT_NE(0, k->ext_msg[0]);
	TH_LOG("port = lo: %s \"%s\"", strerror(-err), k->ext_msg);
	err = port_op(k, KVTEP_CMD_PORT_ADD, self->dev, 0x7ffffff0, &offs);
	EXPECT_NLERR_AT(k, err, ENODEV, offs, "port = no such ifindex");

	/* A port of device A is busy for device B. */
	ASSERT_OK(k, knl_link_add(DEV1, "kvtep"));
	dev1 = if_nametoindex(DEV1);
	ASSERT_NE(0U, dev1);
	EXPECT_NLERR(k, port_op(k, KVTEP_CMD_PORT_ADD, dev1, self->va, NULL), EBUSY,
		     "port of another device");
	err = port_op(k, KVTEP_CMD_PORT_ADD, dev1, self->dev, NULL);
	EXPECT_GT(0, err);
	EXPECT_NE(0, k->ext_msg[0]);
	TH_LOG("kvtep as a port of kvtep: %s \"%s\"", strerror(-err), k->ext_msg);
	ASSERT_OK(k, dump(k, KVTEP_CMD_PORT_GET, dev1, port_cb, &l));
	EXPECT_EQ(0U, l.n);
	EXPECT_EQ(0, knl_link_del(dev1));

	EXPECT_NLERR(k, port_op(k, KVTEP_CMD_PORT_DEL, self->dev, self->vb, NULL),
		     ENOENT, "PORT_DEL of a non-port");

	ASSERT_OK(k, dump(k, KVTEP_CMD_PORT_GET, self->dev, port_cb, &l));
	ASSERT_EQ(1U, l.n);
	EXPECT_EQ(self->va, l.o[0].a);

	/* Add and delete over netlink. */
	ASSERT_OK(k, port_op(k, KVTEP_CMD_PORT_ADD, self->dev, self->vb, NULL));
	ASSERT_OK(k, dump(k, KVTEP_CMD_PORT_GET, self->dev, port_cb, &l));
	EXPECT_EQ(2U, l.n);
	ASSERT_OK(k, port_op(k, KVTEP_CMD_PORT_DEL, self->dev, self->vb, NULL));
	EXPECT_EQ(0, knl_link_master(self->vb));

	/* Deleting the veth removes the port. */
	ASSERT_EQ(0, knl_link_del(self->va));
	ASSERT_OK(k, dump(k, KVTEP_CMD_PORT_GET, self->dev, port_cb, &l));
	EXPECT_EQ(0U, l.n);
}

/* ---- 3. bindings ---- */

static bool has_bind(const struct obj_list *l, uint32_t port, uint32_t vlan,
		     uint32_t vni)
{
	unsigned int i;

	for (i = 0; i < l->n; i++)
		if (l->o[i].a == port && l->o[i].b == vlan && l->o[i].c == vni)
			return true;
	return false;
}

TEST_F(obj, bindings)
{
	struct knl *k = self->nl;
	struct bind_offs o;
	struct obj_list l;
	int err;

	ASSERT_OK(k, ls_op(k, KVTEP_CMD_LS_ADD, self->dev, 100));
	ASSERT_OK(k, ls_op(k, KVTEP_CMD_LS_ADD, self->dev, 200));
	ASSERT_OK(k, port_op(k, KVTEP_CMD_PORT_ADD, self->dev, self->va, NULL));

	err = bind_op(k, KVTEP_CMD_BIND_ADD, self->dev, self->va, 4096, 100, &o);
	EXPECT_NLERR_AT(k, err, ERANGE, o.vlan, "VLAN 4096");
	err = bind_op(k, KVTEP_CMD_BIND_ADD, self->dev, self->vb, 10, 100, &o);
	EXPECT_NLERR_AT(k, err, ENODEV, o.port, "bind on a non-port");
	err = bind_op(k, KVTEP_CMD_BIND_ADD, self->dev, self->va, 10, 999, &o);
	EXPECT_NLERR_AT(k, err, ENOENT, o.vni, "bind to an unknown VNI");

	ASSERT_OK(k, bind_op(k, KVTEP_CMD_BIND_ADD, self->dev, self->va, 10, 100, NULL));
	err = bind_op(k, KVTEP_CMD_BIND_ADD, self->dev, self->va, 10, 200, &o);
	EXPECT_NLERR(k, err, EEXIST, "(port, vlan) bound to another VNI");
	ASSERT_OK(k, bind_op(k, KVTEP_CMD_BIND_ADD, self->dev, self->va, 10, 100, NULL));
	ASSERT_OK(k, bind_op(k, KVTEP_CMD_BIND_ADD, self->dev, self->va, 20, 200, NULL));
	/* The device itself is a bindable port. */
	ASSERT_OK(k, bind_op(k, KVTEP_CMD_BIND_ADD, self->dev, self->dev, 0, 100, NULL));

	ASSERT_OK(k, dump(k, KVTEP_CMD_BIND_GET, self->dev, bind_cb, &l));
	EXPECT_EQ(3U, l.n);
	EXPECT_TRUE(has_bind(&l, self->va, 10, 100));
	EXPECT_TRUE(has_bind(&l, self->va, 20, 200));
	EXPECT_TRUE(has_bind(&l, self->dev, 0, 100));

	ASSERT_OK(k, bind_op(k, KVTEP_CMD_BIND_DEL, self->dev, self->va, 20, 0, NULL));
	EXPECT_NLERR(k, bind_op(k, KVTEP_CMD_BIND_DEL, self->dev, self->va, 20, 0, NULL),
		     ENOENT, "BIND_DEL twice");
	ASSERT_OK(k, dump(k, KVTEP_CMD_BIND_GET, self->dev, bind_cb, &l));
	EXPECT_EQ(2U, l.n);
	EXPECT_FALSE(has_bind(&l, self->va, 20, 200));
	ASSERT_OK(k, bind_op(k, KVTEP_CMD_BIND_DEL, self->dev, self->dev, 0, 100, NULL));
	ASSERT_OK(k, dump(k, KVTEP_CMD_BIND_GET, self->dev, bind_cb, &l));
	EXPECT_EQ(1U, l.n);
	EXPECT_TRUE(has_bind(&l, self->va, 10, 100));
}

/* ---- 4. FDB ---- */

TEST_F(obj, fdb_bad_requests)
{
	uint32_t r1 = ip4("192.0.2.1"), nest, offs;
	struct knl *k = self->nl;
	struct nlattr *n, *r;
	struct nlmsghdr *nlh;
	struct in6_addr ip6;
	uint8_t mac[6];
	int err;

	ASSERT_OK(k, ls_op(k, KVTEP_CMD_LS_ADD, self->dev, 100));

	nlh = req(k, KVTEP_CMD_FDB_ADD, 0, self->dev);
	EXPECT_NLERR_MISS(k, knl_talk(k, nlh, NULL, NULL), EINVAL, KVTEP_A_FDB, 0,
			  "FDB_ADD without KVTEP_A_FDB");

	nlh = req(k, KVTEP_CMD_FDB_ADD, 0, self->dev);
	nest = nlh->nlmsg_len;
	n = mnl_attr_nest_start(nlh, KVTEP_A_FDB);
	mnl_attr_put_u32(nlh, KVTEP_FDB_A_VNI, 100);
	put_remote4(nlh, KVTEP_FDB_A_REMOTE, r1);
	mnl_attr_nest_end(nlh, n);
	EXPECT_NLERR_MISS(k, knl_talk(k, nlh, NULL, NULL), EINVAL, KVTEP_FDB_A_MAC,
			  nest, "FDB without MAC");

	mac_of(mac, 1);
	nlh = req(k, KVTEP_CMD_FDB_ADD, 0, self->dev);
	n = mnl_attr_nest_start(nlh, KVTEP_A_FDB);
	mnl_attr_put_u32(nlh, KVTEP_FDB_A_VNI, 100);
	offs = nlh->nlmsg_len;
	mnl_attr_put(nlh, KVTEP_FDB_A_MAC, 5, mac);
	put_remote4(nlh, KVTEP_FDB_A_REMOTE, r1);
	mnl_attr_nest_end(nlh, n);
	/* Exact-length policy: ERANGE on newer kernels, EINVAL on older. */
	err = knl_talk(k, nlh, NULL, NULL);
	EXPECT_NLERR_AT(k, err, err == -ERANGE ? ERANGE : EINVAL, offs,
			"FDB with a 5-byte MAC");

	/* An IPv6 remote on a device with only a local IPv4 address. */
	inet_pton(AF_INET6, "2001:db8::1", &ip6);
	nlh = req(k, KVTEP_CMD_FDB_ADD, 0, self->dev);
	n = mnl_attr_nest_start(nlh, KVTEP_A_FDB);
	mnl_attr_put_u32(nlh, KVTEP_FDB_A_VNI, 100);
	mnl_attr_put(nlh, KVTEP_FDB_A_MAC, 6, mac);
	r = mnl_attr_nest_start(nlh, KVTEP_FDB_A_REMOTE);
	offs = nlh->nlmsg_len;
	mnl_attr_put(nlh, KVTEP_REMOTE_A_IP6, sizeof(ip6), &ip6);
	mnl_attr_nest_end(nlh, r);
	mnl_attr_nest_end(nlh, n);
	EXPECT_NLERR_AT(k, knl_talk(k, nlh, NULL, NULL), EAFNOSUPPORT, offs,
			"IPv6 remote without local IPv6");

	/* Both families in one remote. */
	nlh = req(k, KVTEP_CMD_FDB_ADD, 0, self->dev);
	n = mnl_attr_nest_start(nlh, KVTEP_A_FDB);
	mnl_attr_put_u32(nlh, KVTEP_FDB_A_VNI, 100);
	mnl_attr_put(nlh, KVTEP_FDB_A_MAC, 6, mac);
	offs = nlh->nlmsg_len;
	r = mnl_attr_nest_start(nlh, KVTEP_FDB_A_REMOTE);
	mnl_attr_put(nlh, KVTEP_REMOTE_A_IP4, 4, &r1);
	mnl_attr_put(nlh, KVTEP_REMOTE_A_IP6, sizeof(ip6), &ip6);
	mnl_attr_nest_end(nlh, r);
	mnl_attr_nest_end(nlh, n);
	EXPECT_NLERR_AT(k, knl_talk(k, nlh, NULL, NULL), EINVAL, offs,
			"remote with IPv4 and IPv6");

	/* A multicast remote. */
	nlh = req(k, KVTEP_CMD_FDB_ADD, 0, self->dev);
	offs = put_fdb(nlh, 100, 1, ip4("239.1.2.3"));
	/* The IPv4 attribute: nest header, VNI, MAC, remote nest header. */
	offs += 4 + 8 + 12 + 4;
	EXPECT_NLERR_AT(k, knl_talk(k, nlh, NULL, NULL), EINVAL, offs,
			"multicast remote");

	/* An unknown VNI. */
	EXPECT_NLERR(k, fdb_op(k, KVTEP_CMD_FDB_ADD, 0, self->dev, 101, 1, r1), ENOENT,
		     "FDB in an unknown VNI");

	/* Nothing was added. */
	{
		struct fdb_dump *d = calloc(1, sizeof(*d));

		ASSERT_NE(NULL, d);
		ASSERT_OK(k, dump(k, KVTEP_CMD_FDB_GET, self->dev, fdb_dump_cb, d));
		EXPECT_EQ(0U, d->n);
		free(d);
	}
}

TEST_F(obj, fdb_static)
{
	uint32_t r1 = ip4("192.0.2.1"), r2 = ip4("192.0.2.2");
	struct knl *k = self->nl;
	struct fdb_entry e;

	ASSERT_OK(k, ls_op(k, KVTEP_CMD_LS_ADD, self->dev, 100));
	ASSERT_OK(k, fdb_op(k, KVTEP_CMD_FDB_ADD, 0, self->dev, 100, 7, r1));
	ASSERT_OK(k, fdb_get(k, self->dev, 100, 7, &e));
	EXPECT_EQ(7, e.idx);
	EXPECT_EQ(KVTEP_FDB_STATIC_REMOTE, e.type);
	EXPECT_EQ(1U, e.n_remotes);
	EXPECT_EQ(r1, e.remote);

	/* The same again is fine; a different remote needs NLM_F_REPLACE. */
	ASSERT_OK(k, fdb_op(k, KVTEP_CMD_FDB_ADD, 0, self->dev, 100, 7, r1));
	EXPECT_NLERR(k, fdb_op(k, KVTEP_CMD_FDB_ADD, 0, self->dev, 100, 7, r2), EEXIST,
		     "static entry, other remote, no replace");
	ASSERT_OK(k, fdb_get(k, self->dev, 100, 7, &e));
	EXPECT_EQ(r1, e.remote);
	ASSERT_OK(k, fdb_op(k, KVTEP_CMD_FDB_ADD, NLM_F_REPLACE, self->dev, 100, 7, r2));
	ASSERT_OK(k, fdb_get(k, self->dev, 100, 7, &e));
	EXPECT_EQ(r2, e.remote);

	ASSERT_OK(k, fdb_op(k, KVTEP_CMD_FDB_DEL, 0, self->dev, 100, 7, 0));
	EXPECT_NLERR(k, fdb_get(k, self->dev, 100, 7, &e), ENOENT, "FDB_GET deleted");
	EXPECT_NLERR(k, fdb_op(k, KVTEP_CMD_FDB_DEL, 0, self->dev, 100, 7, 0), ENOENT,
		     "FDB_DEL deleted");
}

TEST_F(obj, fdb_batch)
{
	uint32_t r1 = ip4("192.0.2.1"), o[5];
	struct knl *k = self->nl;
	struct nlmsghdr *nlh;
	struct fdb_dump *d;
	struct fdb_entry e;
	unsigned int i;

	d = calloc(1, sizeof(*d));
	ASSERT_NE(NULL, d);
	ASSERT_OK(k, ls_op(k, KVTEP_CMD_LS_ADD, self->dev, 100));
	ASSERT_OK(k, ls_op(k, KVTEP_CMD_LS_ADD, self->dev, 200));

	/* 1000 nests in one message. */
	ASSERT_OK(k, fdb_batch(k, KVTEP_CMD_FDB_ADD, self->dev, 100, 0, 1000, r1));
	ASSERT_OK(k, dump(k, KVTEP_CMD_FDB_GET, self->dev, fdb_dump_cb, d));
	EXPECT_EQ(1000U, d->n);
	EXPECT_EQ(0U, d->dups);
	EXPECT_EQ(0U, d->other);
	for (i = 0; i < 1000; i++)
		if (d->seen[i] != 1) {
			EXPECT_EQ(1, d->seen[i]) TH_LOG("entry %u", i);
			break;
		}

	/* The third nest is bad: 1 and 2 stay, 4 is not applied. */
	nlh = req(k, KVTEP_CMD_FDB_ADD, 0, self->dev);
	o[0] = put_fdb(nlh, 200, 2000, r1);
	o[1] = put_fdb(nlh, 200, 2001, r1);
	o[2] = put_fdb(nlh, 200, 2002, ip4("224.0.0.9"));
	o[3] = put_fdb(nlh, 200, 2003, r1);
	o[4] = nlh->nlmsg_len;
	EXPECT_NLERR(k, knl_talk(k, nlh, NULL, NULL), EINVAL, "batch, 3rd bad");
	EXPECT_TRUE(k->has_offs);
	EXPECT_LE(o[2], k->ext_offs);
	EXPECT_GT(o[3], k->ext_offs)
		TH_LOG("offset %u not in the 3rd nest [%u, %u)", k->ext_offs, o[2], o[3]);
	EXPECT_EQ(0, fdb_get(k, self->dev, 200, 2000, &e));
	EXPECT_EQ(0, fdb_get(k, self->dev, 200, 2001, &e));
	EXPECT_EQ(-ENOENT, fdb_get(k, self->dev, 200, 2002, &e));
	EXPECT_EQ(-ENOENT, fdb_get(k, self->dev, 200, 2003, &e));

	/* A VNI-filtered dump. */
	memset(d, 0, sizeof(*d));
	nlh = req(k, KVTEP_CMD_FDB_GET, NLM_F_DUMP, self->dev);
	{
		struct nlattr *n = mnl_attr_nest_start(nlh, KVTEP_A_FDB);

		mnl_attr_put_u32(nlh, KVTEP_FDB_A_VNI, 200);
		mnl_attr_nest_end(nlh, n);
	}
	ASSERT_OK(k, knl_talk(k, nlh, fdb_dump_cb, d));
	EXPECT_EQ(2U, d->n);

	/* Batch delete, then flush VNI 100. */
	ASSERT_OK(k, fdb_batch(k, KVTEP_CMD_FDB_DEL, self->dev, 100, 0, 10, 0));
	ASSERT_OK(k, dump(k, KVTEP_CMD_FDB_GET, self->dev, fdb_dump_cb, d));
	EXPECT_EQ(992U, d->n);

	nlh = req(k, KVTEP_CMD_FDB_FLUSH, 0, self->dev);
	{
		struct nlattr *n = mnl_attr_nest_start(nlh, KVTEP_A_FDB);

		mnl_attr_put_u32(nlh, KVTEP_FDB_A_VNI, 100);
		mnl_attr_nest_end(nlh, n);
	}
	ASSERT_OK(k, knl_talk(k, nlh, NULL, NULL));
	ASSERT_OK(k, dump(k, KVTEP_CMD_FDB_GET, self->dev, fdb_dump_cb, d));
	EXPECT_EQ(2U, d->n);
	EXPECT_EQ(1, d->seen[2000]);
	EXPECT_EQ(1, d->seen[2001]);
	free(d);
}

/* ---- 5. flood lists and remotes ---- */

static int flood_get(struct knl *k, uint32_t dev, uint32_t vni, struct obj_list *l)
{
	struct nlmsghdr *nlh = req(k, KVTEP_CMD_FLOOD_GET, 0, dev);
	struct nlattr *n = mnl_attr_nest_start(nlh, KVTEP_A_LS);

	mnl_attr_put_u32(nlh, KVTEP_LS_A_VNI, vni);
	mnl_attr_nest_end(nlh, n);
	memset(l, 0, sizeof(*l));
	return knl_talk(k, nlh, remotes_cb, l);
}

TEST_F(obj, flood)
{
	const uint32_t r[4] = { ip4("192.0.2.1"), ip4("192.0.2.2"),
				ip4("192.0.2.3"), ip4("192.0.2.4") };
	const uint32_t twice[2] = { r[0], r[0] };
	struct knl *k = self->nl;
	struct obj_list l;
	unsigned int i;

	ASSERT_OK(k, ls_op(k, KVTEP_CMD_LS_ADD, self->dev, 100));
	ASSERT_OK(k, flood_get(k, self->dev, 100, &l));
	EXPECT_EQ(0U, l.n);
	EXPECT_NLERR(k, flood_op(k, KVTEP_CMD_FLOOD_DEL, self->dev, 100, &r[3], 1),
		     ENOENT, "FLOOD_DEL from a fresh LS");

	ASSERT_OK(k, flood_op(k, KVTEP_CMD_FLOOD_SET, self->dev, 100, r, 3));
	ASSERT_OK(k, flood_get(k, self->dev, 100, &l));
	ASSERT_EQ(3U, l.n);
	for (i = 0; i < 3; i++)
		EXPECT_TRUE(l.o[0].a == r[i] || l.o[1].a == r[i] || l.o[2].a == r[i]);

	ASSERT_OK(k, flood_op(k, KVTEP_CMD_FLOOD_ADD, self->dev, 100, &r[1], 1));
	ASSERT_OK(k, flood_get(k, self->dev, 100, &l));
	EXPECT_EQ(3U, l.n);

	EXPECT_NLERR(k, flood_op(k, KVTEP_CMD_FLOOD_DEL, self->dev, 100, &r[3], 1),
		     ENOENT, "FLOOD_DEL of a remote not in the list");
	ASSERT_OK(k, flood_get(k, self->dev, 100, &l));
	EXPECT_EQ(3U, l.n);

	/* A remote named twice in one delete is still one remote. */
	ASSERT_OK(k, flood_op(k, KVTEP_CMD_FLOOD_DEL, self->dev, 100, twice, 2));
	ASSERT_OK(k, flood_get(k, self->dev, 100, &l));
	EXPECT_EQ(2U, l.n);
	ASSERT_OK(k, flood_op(k, KVTEP_CMD_FLOOD_ADD, self->dev, 100, &r[3], 1));
	ASSERT_OK(k, flood_get(k, self->dev, 100, &l));
	EXPECT_EQ(3U, l.n);

	ASSERT_OK(k, flood_op(k, KVTEP_CMD_FLOOD_SET, self->dev, 100, NULL, 0));
	ASSERT_OK(k, flood_get(k, self->dev, 100, &l));
	EXPECT_EQ(0U, l.n);
	EXPECT_NLERR(k, flood_op(k, KVTEP_CMD_FLOOD_DEL, self->dev, 100, &r[0], 1),
		     ENOENT, "FLOOD_DEL from an emptied list");

	EXPECT_NLERR(k, flood_op(k, KVTEP_CMD_FLOOD_SET, self->dev, 101, r, 1),
		     ENOENT, "FLOOD_SET of an unknown VNI");
}

/*
 * A full flood list (1024 remotes, set in one request): adding a remote
 * it has already is a no-op that succeeds, one more is refused.
 */
TEST_F(obj, flood_full)
{
	static uint32_t r[1025];
	struct knl *k = self->nl;
	unsigned int i;

	for (i = 0; i < 1025; i++)
		r[i] = htonl(0x0a400000 + i + 1);	/* 10.64.0.1 ... */
	ASSERT_OK(k, ls_op(k, KVTEP_CMD_LS_ADD, self->dev, 100));
	EXPECT_NLERR(k, flood_op(k, KVTEP_CMD_FLOOD_SET, self->dev, 100, r, 1025),
		     E2BIG, "FLOOD_SET of 1025 remotes");
	ASSERT_OK(k, flood_op(k, KVTEP_CMD_FLOOD_SET, self->dev, 100, r, 1024));
	ASSERT_OK(k, flood_op(k, KVTEP_CMD_FLOOD_ADD, self->dev, 100, &r[7], 1));
	EXPECT_NLERR(k, flood_op(k, KVTEP_CMD_FLOOD_ADD, self->dev, 100, &r[1024], 1),
		     E2BIG, "FLOOD_ADD to a full list");
	ASSERT_OK(k, flood_op(k, KVTEP_CMD_FLOOD_DEL, self->dev, 100, &r[7], 1));
	ASSERT_OK(k, flood_op(k, KVTEP_CMD_FLOOD_ADD, self->dev, 100, &r[1024], 1));
	ASSERT_OK(k, flood_op(k, KVTEP_CMD_FLOOD_SET, self->dev, 100, NULL, 0));
}

TEST_F(obj, remote_refcounts)
{
	const uint32_t r1 = ip4("192.0.2.1"), r2 = ip4("192.0.2.2");
	struct knl *k = self->nl;
	struct obj_list l;
	unsigned int i;
	int c1 = -1, c2 = -1;

	ASSERT_OK(k, ls_op(k, KVTEP_CMD_LS_ADD, self->dev, 100));
	ASSERT_OK(k, fdb_op(k, KVTEP_CMD_FDB_ADD, 0, self->dev, 100, 1, r1));
	ASSERT_OK(k, fdb_op(k, KVTEP_CMD_FDB_ADD, 0, self->dev, 100, 2, r1));
	ASSERT_OK(k, fdb_op(k, KVTEP_CMD_FDB_ADD, 0, self->dev, 100, 3, r2));
	ASSERT_OK(k, flood_op(k, KVTEP_CMD_FLOOD_SET, self->dev, 100, &r1, 1));

	ASSERT_OK(k, dump(k, KVTEP_CMD_REMOTE_GET, self->dev, remotes_cb, &l));
	EXPECT_EQ(2U, l.n);
	for (i = 0; i < l.n; i++) {
		if (l.o[i].a == r1)
			c1 = l.o[i].b;
		else if (l.o[i].a == r2)
			c2 = l.o[i].b;
	}
	EXPECT_EQ(3, c1) TH_LOG("192.0.2.1: 2 FDB entries + the flood list");
	EXPECT_EQ(1, c2);

	/* References go away with their users. */
	ASSERT_OK(k, fdb_op(k, KVTEP_CMD_FDB_DEL, 0, self->dev, 100, 3, 0));
	ASSERT_OK(k, flood_op(k, KVTEP_CMD_FLOOD_SET, self->dev, 100, NULL, 0));
	ASSERT_OK(k, dump(k, KVTEP_CMD_REMOTE_GET, self->dev, remotes_cb, &l));
	ASSERT_EQ(1U, l.n);
	EXPECT_EQ(r1, l.o[0].a);
	EXPECT_EQ(2U, l.o[0].b);
}

/* ---- 5b. Geneve: encapsulation and OVN key attributes ---- */

TEST_F(obj, geneve_bad_requests)
{
	const uint32_t r1 = ip4("192.0.2.1");
	struct knl *k = self->nl;
	struct nlattr *n, *r;
	struct nlmsghdr *nlh;
	struct obj_list l;
	uint32_t offs;
	uint8_t mac[6];

	/* LS default encapsulation 2 does not exist; nor does ovn_opt 2. */
	nlh = req(k, KVTEP_CMD_LS_ADD, 0, self->dev);
	n = mnl_attr_nest_start(nlh, KVTEP_A_LS);
	mnl_attr_put_u32(nlh, KVTEP_LS_A_VNI, 100);
	offs = nlh->nlmsg_len;
	mnl_attr_put_u8(nlh, KVTEP_LS_A_ENCAP, KVTEP_ENCAP_MAX + 1);
	mnl_attr_nest_end(nlh, n);
	EXPECT_NLERR_AT(k, knl_talk(k, nlh, NULL, NULL), ERANGE, offs, "LS encap 2");

	nlh = req(k, KVTEP_CMD_LS_ADD, 0, self->dev);
	n = mnl_attr_nest_start(nlh, KVTEP_A_LS);
	mnl_attr_put_u32(nlh, KVTEP_LS_A_VNI, 100);
	offs = nlh->nlmsg_len;
	mnl_attr_put_u8(nlh, KVTEP_LS_A_OVN_OPT, 2);
	mnl_attr_nest_end(nlh, n);
	EXPECT_NLERR_AT(k, knl_talk(k, nlh, NULL, NULL), ERANGE, offs, "LS ovn_opt 2");

	/* A Geneve LS. */
	nlh = req(k, KVTEP_CMD_LS_ADD, 0, self->dev);
	n = mnl_attr_nest_start(nlh, KVTEP_A_LS);
	mnl_attr_put_u32(nlh, KVTEP_LS_A_VNI, 100);
	mnl_attr_put_u8(nlh, KVTEP_LS_A_ENCAP, KVTEP_ENCAP_GENEVE);
	mnl_attr_nest_end(nlh, n);
	ASSERT_OK(k, knl_talk(k, nlh, NULL, NULL));

	/* A remote with encapsulation 2. */
	mac_of(mac, 1);
	nlh = req(k, KVTEP_CMD_FDB_ADD, 0, self->dev);
	n = mnl_attr_nest_start(nlh, KVTEP_A_FDB);
	mnl_attr_put_u32(nlh, KVTEP_FDB_A_VNI, 100);
	mnl_attr_put(nlh, KVTEP_FDB_A_MAC, 6, mac);
	r = mnl_attr_nest_start(nlh, KVTEP_FDB_A_REMOTE);
	mnl_attr_put(nlh, KVTEP_REMOTE_A_IP4, 4, &r1);
	offs = nlh->nlmsg_len;
	mnl_attr_put_u8(nlh, KVTEP_REMOTE_A_ENCAP, KVTEP_ENCAP_MAX + 1);
	mnl_attr_nest_end(nlh, r);
	mnl_attr_nest_end(nlh, n);
	EXPECT_NLERR_AT(k, knl_talk(k, nlh, NULL, NULL), ERANGE, offs,
			"remote encap 2");

	/* A binding's OVN key is OVN's 15-bit ingress key: 0x8000 is too big. */
	ASSERT_OK(k, port_op(k, KVTEP_CMD_PORT_ADD, self->dev, self->va, NULL));
	nlh = req(k, KVTEP_CMD_BIND_ADD, 0, self->dev);
	n = mnl_attr_nest_start(nlh, KVTEP_A_BIND);
	mnl_attr_put_u32(nlh, KVTEP_BIND_A_PORT_IFINDEX, self->va);
	mnl_attr_put_u32(nlh, KVTEP_BIND_A_VNI, 100);
	offs = nlh->nlmsg_len;
	mnl_attr_put_u16(nlh, KVTEP_BIND_A_PORT_KEY, KVTEP_OVN_PORT_KEY_MAX + 1);
	mnl_attr_nest_end(nlh, n);
	EXPECT_NLERR_AT(k, knl_talk(k, nlh, NULL, NULL), ERANGE, offs,
			"binding OVN key 0x8000");
	EXPECT_NLERR(k, bind_op(k, KVTEP_CMD_BIND_DEL, self->dev, self->va, 0, 0, NULL),
		     ENOENT, "no binding after the bad add");

	/* An egress key on a local entry: it is the binding's to have. */
	nlh = req(k, KVTEP_CMD_BIND_ADD, 0, self->dev);
	n = mnl_attr_nest_start(nlh, KVTEP_A_BIND);
	mnl_attr_put_u32(nlh, KVTEP_BIND_A_PORT_IFINDEX, self->va);
	mnl_attr_put_u32(nlh, KVTEP_BIND_A_VNI, 100);
	mnl_attr_put_u16(nlh, KVTEP_BIND_A_PORT_KEY, KVTEP_OVN_PORT_KEY_MAX);
	mnl_attr_nest_end(nlh, n);
	ASSERT_OK(k, knl_talk(k, nlh, NULL, NULL));
	nlh = req(k, KVTEP_CMD_FDB_ADD, 0, self->dev);
	n = mnl_attr_nest_start(nlh, KVTEP_A_FDB);
	mnl_attr_put_u32(nlh, KVTEP_FDB_A_VNI, 100);
	mnl_attr_put(nlh, KVTEP_FDB_A_MAC, 6, mac);
	mnl_attr_put_u32(nlh, KVTEP_FDB_A_PORT_IFINDEX, self->va);
	offs = nlh->nlmsg_len;
	mnl_attr_put_u16(nlh, KVTEP_FDB_A_PORT_KEY, 7);
	mnl_attr_nest_end(nlh, n);
	EXPECT_NLERR_AT(k, knl_talk(k, nlh, NULL, NULL), EINVAL, offs,
			"OVN key on a local FDB entry");

	/*
	 * A remote is (address, port, encapsulation): the same IP by default
	 * (the LS's Geneve) and as VXLAN are two remotes.
	 */
	ASSERT_OK(k, fdb_op(k, KVTEP_CMD_FDB_ADD, 0, self->dev, 100, 2, r1));
	nlh = req(k, KVTEP_CMD_FDB_ADD, 0, self->dev);
	n = mnl_attr_nest_start(nlh, KVTEP_A_FDB);
	mac_of(mac, 3);
	mnl_attr_put_u32(nlh, KVTEP_FDB_A_VNI, 100);
	mnl_attr_put(nlh, KVTEP_FDB_A_MAC, 6, mac);
	r = mnl_attr_nest_start(nlh, KVTEP_FDB_A_REMOTE);
	mnl_attr_put(nlh, KVTEP_REMOTE_A_IP4, 4, &r1);
	mnl_attr_put_u8(nlh, KVTEP_REMOTE_A_ENCAP, KVTEP_ENCAP_VXLAN);
	mnl_attr_nest_end(nlh, r);
	mnl_attr_nest_end(nlh, n);
	ASSERT_OK(k, knl_talk(k, nlh, NULL, NULL));
	ASSERT_OK(k, dump(k, KVTEP_CMD_REMOTE_GET, self->dev, remotes_cb, &l));
	ASSERT_EQ(2U, l.n);
	EXPECT_EQ(r1, l.o[0].a);
	EXPECT_EQ(r1, l.o[1].a);
	EXPECT_EQ(1U, l.o[0].b);
	EXPECT_EQ(1U, l.o[1].b);
}

/* ---- 6. CAP_NET_ADMIN ---- */

TEST_F(obj, eperm)
{
	const uint32_t r1 = ip4("192.0.2.1");
	struct knl *k = self->nl;
	struct obj_list l;
	int status;
	pid_t pid;

	ASSERT_OK(k, ls_op(k, KVTEP_CMD_LS_ADD, self->dev, 100));
	ASSERT_OK(k, port_op(k, KVTEP_CMD_PORT_ADD, self->dev, self->va, NULL));

	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		cap_value_t cap = CAP_NET_ADMIN;
		int err[5], mask = 0, i;
		struct knl *c;
		cap_t caps;

		caps = cap_get_proc();
		if (!caps ||
		    cap_set_flag(caps, CAP_EFFECTIVE, 1, &cap, CAP_CLEAR) ||
		    cap_set_flag(caps, CAP_PERMITTED, 1, &cap, CAP_CLEAR) ||
		    cap_set_proc(caps))
			_exit(100);
		cap_free(caps);
		c = calloc(1, sizeof(*c));
		if (!c || knl_open(c, NETLINK_GENERIC))
			_exit(101);
		c->family = self->family.id;
		err[0] = ls_op(c, KVTEP_CMD_LS_ADD, self->dev, 200);
		err[1] = port_op(c, KVTEP_CMD_PORT_ADD, self->dev, self->vb, NULL);
		err[2] = bind_op(c, KVTEP_CMD_BIND_ADD, self->dev, self->va, 5, 100, NULL);
		err[3] = fdb_op(c, KVTEP_CMD_FDB_ADD, 0, self->dev, 100, 1, r1);
		err[4] = flood_op(c, KVTEP_CMD_FLOOD_SET, self->dev, 100, &r1, 1);
		for (i = 0; i < 5; i++)
			if (err[i] != -EPERM)
				mask |= 1 << i;
		/* Reading stays unprivileged. */
		if (dump(c, KVTEP_CMD_LS_GET, self->dev, ls_cb, &l))
			mask |= 1 << 5;
		_exit(mask);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status))
		TH_LOG("not EPERM (bit: 0 LS_ADD, 1 PORT_ADD, 2 BIND_ADD, 3 FDB_ADD, 4 FLOOD_SET, 5 LS_GET failed; 100+ setup): %#x",
		       WEXITSTATUS(status));

	/* Nothing changed. */
	ASSERT_OK(k, dump(k, KVTEP_CMD_LS_GET, self->dev, ls_cb, &l));
	EXPECT_EQ(1U, l.n);
	ASSERT_OK(k, dump(k, KVTEP_CMD_PORT_GET, self->dev, port_cb, &l));
	EXPECT_EQ(1U, l.n);
	ASSERT_OK(k, dump(k, KVTEP_CMD_BIND_GET, self->dev, bind_cb, &l));
	EXPECT_EQ(0U, l.n);
	ASSERT_OK(k, flood_get(k, self->dev, 100, &l));
	EXPECT_EQ(0U, l.n);
}

/* ---- 7. NLM_F_DUMP_INTR ---- */

#define INTR_ENTRIES	5000
#define WRITER_MAC	8000	/* the writer's entry, not one of the 5000 */

TEST_F(obj, dump_intr)
{
	const uint32_t r1 = ip4("192.0.2.1");
	struct knl *k = self->nl, *dk;
	struct fdb_dump *d;
	int i, err, intr_at = -1, status;
	unsigned int first;
	pid_t pid;

	ASSERT_OK(k, ls_op(k, KVTEP_CMD_LS_ADD, self->dev, 100));
	for (first = 0; first < INTR_ENTRIES; first += 1000)
		ASSERT_OK(k, fdb_batch(k, KVTEP_CMD_FDB_ADD, self->dev, 100, first,
				       1000, r1));

	/* A socket of its own that reads with a small buffer: small skbs. */
	d = calloc(1, sizeof(*d));
	dk = calloc(1, sizeof(*dk));
	ASSERT_NE(NULL, d);
	ASSERT_NE(NULL, dk);
	ASSERT_EQ(0, knl_open(dk, NETLINK_GENERIC));
	dk->family = self->family.id;
	dk->rx_len = 8192;

	/* Quiet: never flagged, always complete. */
	for (i = 0; i < 5; i++) {
		ASSERT_OK(dk, dump(dk, KVTEP_CMD_FDB_GET, self->dev, fdb_dump_cb, d));
		EXPECT_FALSE(dk->dump_intr);
		EXPECT_EQ((unsigned int)INTR_ENTRIES, d->n);
		EXPECT_EQ(0U, d->dups);
	}

	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		struct knl *c = calloc(1, sizeof(*c));

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (!c || knl_open(c, NETLINK_GENERIC))
			_exit(101);
		c->family = self->family.id;
		for (;;) {
			if (fdb_op(c, KVTEP_CMD_FDB_ADD, 0, self->dev, 100, WRITER_MAC, r1) ||
			    fdb_op(c, KVTEP_CMD_FDB_DEL, 0, self->dev, 100, WRITER_MAC, 0))
				_exit(102);
		}
	}

	for (i = 0; i < 200 && intr_at < 0; i++) {
		err = dump(dk, KVTEP_CMD_FDB_GET, self->dev, fdb_dump_cb, d);
		if (err == -EINTR && dk->dump_intr)
			intr_at = i;
		else if (err)
			break;
	}
	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status))
		TH_LOG("writer exited early: %d", WEXITSTATUS(status));
	EXPECT_EQ(0, err == -EINTR ? 0 : err) TH_LOG("dump: %s", strerror(-err));
	EXPECT_LE(0, intr_at) TH_LOG("no dump flagged NLM_F_DUMP_INTR in %d dumps", i);
	TH_LOG("first NLM_F_DUMP_INTR in dump %d", intr_at);
	/* The writer may have died between its add and its delete. */
	err = fdb_op(k, KVTEP_CMD_FDB_DEL, 0, self->dev, 100, WRITER_MAC, 0);
	EXPECT_TRUE(!err || err == -ENOENT) TH_LOG("%s", strerror(-err));

	/* Writer gone: quiet again. */
	for (i = 0; i < 5; i++) {
		ASSERT_OK(dk, dump(dk, KVTEP_CMD_FDB_GET, self->dev, fdb_dump_cb, d));
		EXPECT_FALSE(dk->dump_intr);
		EXPECT_EQ(0U, d->dups);
		EXPECT_EQ(0U, d->other);
		EXPECT_EQ((unsigned int)INTR_ENTRIES, d->n);
	}
	knl_close(dk);
	free(dk);
	free(d);
}

/* ---- 8. statistics ---- */

struct msg_copy {
	char buf[4096];
	unsigned int len;
};

static int copy_cb(const struct nlmsghdr *nlh, void *data)
{
	struct msg_copy *c = data;

	if (nlh->nlmsg_len > sizeof(c->buf))
		return -EMSGSIZE;
	memcpy(c->buf, nlh, nlh->nlmsg_len);
	c->len = nlh->nlmsg_len;
	return 0;
}

TEST_F(obj, stats)
{
	const struct nlattr *tb[KVTEP_A_MAX + 1], *st[KVTEP_STATS_A_MAX + 1];
	struct knl *k = self->nl;
	bool seen[KVTEP_DROP_MAX + 2] = {};
	unsigned int n = 0, bad = 0;
	const struct nlattr *a;
	struct msg_copy *reply;

	reply = calloc(1, sizeof(*reply));
	ASSERT_NE(NULL, reply);
	ASSERT_OK(k, knl_talk(k, req(k, KVTEP_CMD_STATS_GET, 0, self->dev), copy_cb,
			      reply));
	ASSERT_NE(0U, reply->len);
	ASSERT_EQ(0, knl_parse_genl((struct nlmsghdr *)reply->buf, tb, KVTEP_A_MAX));
	ASSERT_NE(NULL, tb[KVTEP_A_STATS]);
	ASSERT_EQ(0, knl_parse_nest(tb[KVTEP_A_STATS], st, KVTEP_STATS_A_MAX));
	ASSERT_NE(NULL, st[KVTEP_STATS_A_DROPS]);
	mnl_attr_for_each_nested(a, st[KVTEP_STATS_A_DROPS]) {
		unsigned int type = mnl_attr_get_type(a);

		if (!mnl_attr_get_payload_len(a))
			continue;	/* alignment padding */
		if (type < 1 || type > KVTEP_DROP_MAX + 1 ||
		    mnl_attr_get_payload_len(a) != sizeof(uint64_t) || seen[type]) {
			bad++;
			continue;
		}
		seen[type] = true;
		n++;
	}
	EXPECT_EQ(0U, bad);
	EXPECT_EQ((unsigned int)KVTEP_DROP_MAX + 1, n);
	free(reply);
}

TEST_HARNESS_MAIN
