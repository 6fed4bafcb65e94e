// SPDX-License-Identifier: GPL-2.0-only
/*
 * The agent's netlink side: create the device, dump what the kernel holds
 * into the model (struct kstate + struct vtep_kinfo) and apply a diff
 * (struct kops) with the shared encoders of model.c, FDB changes packed
 * many entries per message.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "vtep_kernel.h"

/* --- dumps --------------------------------------------------------------- */

struct dump_ctx {
	struct kstate *k;
	struct vtep_kinfo *ki;
	int err;
};

static int dev_cb(const struct nlmsghdr *nlh, void *data)
{
	struct kstate *k = data;
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		switch (mnl_attr_get_type(a)) {
		case KVTEP_A_LOCAL_IP4:
			if (mnl_attr_get_payload_len(a) == 4 &&
			    memcmp(mnl_attr_get_payload(a), "\0\0\0", 4)) {
				k->has_local4 = true;
				k->local4.family = AF_INET;
				memcpy(k->local4.addr, mnl_attr_get_payload(a), 4);
			}
			break;
		case KVTEP_A_LOCAL_IP6:
			if (mnl_attr_get_payload_len(a) == 16) {
				static const uint8_t zero[16];

				if (!memcmp(mnl_attr_get_payload(a), zero, 16))
					break;
				k->has_local6 = true;
				k->local6.family = AF_INET6;
				memcpy(k->local6.addr, mnl_attr_get_payload(a), 16);
			}
			break;
		}
	}
	return 0;
}

static int port_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *c = data;
	const struct nlattr *a, *b;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(a) != KVTEP_A_PORT)
			continue;
		mnl_attr_for_each_nested(b, a) {
			char (*p)[IFNAMSIZ];

			if (mnl_attr_get_type(b) != KVTEP_PORT_A_IFNAME ||
			    mnl_attr_validate(b, MNL_TYPE_NUL_STRING) < 0)
				continue;
			p = realloc(c->ki->ports, (c->ki->n_ports + 1) * sizeof(*p));
			if (!p)
				return -ENOMEM;
			c->ki->ports = p;
			snprintf(p[c->ki->n_ports++], IFNAMSIZ, "%s", mnl_attr_get_str(b));
		}
	}
	return 0;
}

static int ls_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *c = data;
	struct kvtep_ls_cfg ls;

	if (kvtep_ls_parse(nlh, &ls) == 0 && kstate_add_ls(c->k, &ls))
		return -ENOMEM;
	return 0;
}

static uint64_t stat_u64(const struct nlattr *nest, uint16_t type)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, nest)
		if (mnl_attr_get_type(a) == type && mnl_attr_validate(a, MNL_TYPE_U64) == 0)
			return mnl_attr_get_u64(a);
	return 0;
}

static int bind_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *c = data;
	const struct nlattr *st;
	struct kvtep_bind_cfg b;

	if (kvtep_bind_parse(nlh, &b, &st))
		return 0;
	if (kstate_add_bind(c->k, &b))
		return -ENOMEM;
	if (st && c->ki) {
		struct vtep_stats *s = realloc(c->ki->stats,
					       (c->ki->n_stats + 1) * sizeof(*s));

		if (!s)
			return -ENOMEM;
		c->ki->stats = s;
		s = &s[c->ki->n_stats++];
		s->ifindex = b.ifindex;
		s->vlan = b.vlan;
		s->packets_from_local = stat_u64(st, KVTEP_STATS_A_RX_PACKETS);
		s->bytes_from_local = stat_u64(st, KVTEP_STATS_A_RX_BYTES);
		s->packets_to_local = stat_u64(st, KVTEP_STATS_A_TX_PACKETS);
		s->bytes_to_local = stat_u64(st, KVTEP_STATS_A_TX_BYTES);
	}
	return 0;
}

int vk_mac_add(struct vtep_kinfo *ki, uint32_t vni, const uint8_t *mac)
{
	struct vtep_mac *m;
	size_t i;

	for (i = 0; i < ki->n_macs; i++)
		if (ki->macs[i].vni == vni && !memcmp(ki->macs[i].mac, mac, 6))
			return 0;
	m = realloc(ki->macs, (ki->n_macs + 1) * sizeof(*m));
	if (!m)
		return -ENOMEM;
	ki->macs = m;
	m[ki->n_macs].vni = vni;
	memcpy(m[ki->n_macs].mac, mac, 6);
	ki->n_macs++;
	return 0;
}

void vk_mac_del(struct vtep_kinfo *ki, uint32_t vni, const uint8_t *mac)
{
	size_t i;

	for (i = 0; i < ki->n_macs; i++)
		if (ki->macs[i].vni == vni && !memcmp(ki->macs[i].mac, mac, 6)) {
			ki->macs[i] = ki->macs[--ki->n_macs];
			return;
		}
}

static int fdb_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *c = data;
	struct kvtep_fdb_cfg f;
	int err = 0;

	if (kvtep_fdb_parse(nlh, &f, NULL, NULL))
		return 0;
	switch (f.type) {
	case KVTEP_FDB_STATIC_REMOTE:
	case KVTEP_FDB_MCAST_REMOTE:
		if (kstate_add_fdb(c->k, &f))
			err = -ENOMEM;
		break;
	case KVTEP_FDB_LEARNED_LOCAL:
	case KVTEP_FDB_STATIC_LOCAL:
		if (c->ki)
			err = vk_mac_add(c->ki, f.vni, f.mac);
		break;
	}
	free(f.remotes);
	return err;
}

static int flood_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *c = data;
	struct kvtep_flood_cfg fl;
	int err = 0;

	if (kvtep_flood_parse(nlh, &fl))
		return 0;
	if (kstate_add_flood(c->k, &fl))
		err = -ENOMEM;
	free(fl.remotes);
	return err;
}

static int dump(struct nl_ctx *nl, const char *dev, uint8_t cmd, bool is_dump,
		nl_msg_cb cb, void *data)
{
	struct nlmsghdr *nlh = nl_req_start(nl, cmd, is_dump ? NLM_F_DUMP : 0);

	mnl_attr_put_strz(nlh, KVTEP_A_IFNAME, dev);
	return nl_talk(nl, nlh, cb, data);
}

int vk_dump(struct nl_ctx *nl, const char *dev, struct kstate *k, struct vtep_kinfo *ki,
	    unsigned int what)
{
	struct dump_ctx c = { .k = k, .ki = ki };
	struct kstate scratch = { 0 };
	int err = 0;

	if (!k)
		c.k = &scratch;
	if (what & VK_DUMP_STATE) {
		err = dump(nl, dev, KVTEP_CMD_DEV_GET, false, dev_cb, c.k);
		if (!err)
			err = dump(nl, dev, KVTEP_CMD_LS_GET, true, ls_cb, &c);
		if (!err)
			err = dump(nl, dev, KVTEP_CMD_FLOOD_GET, true, flood_cb, &c);
	}
	if (!err && (what & (VK_DUMP_STATE | VK_DUMP_STATS)))
		err = dump(nl, dev, KVTEP_CMD_BIND_GET, true, bind_cb, &c);
	if (!err && (what & (VK_DUMP_STATE | VK_DUMP_MACS)))
		err = dump(nl, dev, KVTEP_CMD_FDB_GET, true, fdb_cb, &c);
	if (!err && (what & VK_DUMP_PORTS))
		err = dump(nl, dev, KVTEP_CMD_PORT_GET, true, port_cb, &c);
	if (c.k)
		kstate_sort(c.k);
	kstate_free(&scratch);
	return err;
}

/* --- apply --------------------------------------------------------------- */

static void kfault(struct vk_faults *kf, enum vtep_fault_where where, uint32_t ifindex,
		   const char *status, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void kfault(struct vk_faults *kf, enum vtep_fault_where where, uint32_t ifindex,
		   const char *status, const char *fmt, ...)
{
	struct vtep_fault *f;
	va_list ap;

	f = realloc(kf->v, (kf->n + 1) * sizeof(*f));
	if (!f)
		return;
	kf->v = f;
	f = &f[kf->n++];
	memset(f, 0, sizeof(*f));
	snprintf(f->table, sizeof(f->table), "kernel");
	f->where = where;
	if (where == FAULT_PORT && !if_indextoname(ifindex, f->port))
		snprintf(f->port, sizeof(f->port), "if%u", ifindex);
	f->status = status;
	va_start(ap, fmt);
	vsnprintf(f->msg, sizeof(f->msg), fmt, ap);
	va_end(ap);
}

static const char *mac_s(const uint8_t *m, char *b)
{
	snprintf(b, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
	return b;
}

/* FDB adds (or deletes) of ops[i..j) of one kind, packed; failures faulted. */
static int fdb_batch(struct nl_ctx *nl, const char *dev, const struct kop *ops,
		     size_t n, bool del, struct vk_faults *kf, unsigned int *msgs)
{
	size_t i = 0;
	int ret = 0;
	uint32_t *offs = malloc((n + 1) * sizeof(*offs));

	if (!offs)
		return -ENOMEM;
	while (i < n) {
		struct nlmsghdr *nlh;
		size_t start = i, k;
		int err;

		nlh = nl_req_start(nl, del ? KVTEP_CMD_FDB_DEL : KVTEP_CMD_FDB_ADD,
				   del ? 0 : NLM_F_CREATE | NLM_F_REPLACE);
		mnl_attr_put_strz(nlh, KVTEP_A_IFNAME, dev);
		while (i < n && nlh->nlmsg_len + kvtep_fdb_put_size(ops[i].obj) + 64 <
				NL_REQ_SIZE) {
			offs[i] = nlh->nlmsg_len;
			kvtep_fdb_put(nlh, ops[i].obj, del);
			i++;
		}
		if (i == start) {	/* cannot happen with <= 1024 remotes */
			i++;
			continue;
		}
		(*msgs)++;
		err = nl_talk(nl, nlh, NULL, NULL);
		if (!err)
			continue;
		/* The kernel stops at the failing entry; extack names it. */
		k = start;
		if (nl->err_has_offs)
			for (k = start; k + 1 < i && offs[k + 1] <= nl->err_offs; k++)
				;
		else
			k = i - 1;
		{
			const struct kvtep_fdb_cfg *f = ops[k].obj;
			char b[18];

			if (!(del && err == -ENOENT))
				kfault(kf, FAULT_SWITCH, 0,
				       err == -ENOSPC ? "mac_table_exhaustion" : "unspecified_fault",
				       "fdb %s vni %u mac %s: %s", del ? "del" : "add", f->vni,
				       mac_s(f->mac, b), strerror(-err));
			if (!(del && err == -ENOENT))
				ret = err;
		}
		/* The ones after it were not applied: go on from there. */
		i = k + 1;
	}
	free(offs);
	return ret;
}

static int simple(struct nl_ctx *nl, const char *dev, uint8_t cmd,
		  void (*put)(struct nlmsghdr *, const void *), const void *obj)
{
	struct nlmsghdr *nlh = nl_req_start(nl, cmd, 0);

	mnl_attr_put_strz(nlh, KVTEP_A_IFNAME, dev);
	put(nlh, obj);
	return nl_talk(nl, nlh, NULL, NULL);
}

static void put_ls(struct nlmsghdr *nlh, const void *o)
{
	kvtep_ls_put(nlh, o);
}

static void put_ls_key(struct nlmsghdr *nlh, const void *o)
{
	struct kvtep_ls_cfg ls = { .vni = ((const struct kvtep_ls_cfg *)o)->vni };

	kvtep_ls_put(nlh, &ls);
}

static void put_bind(struct nlmsghdr *nlh, const void *o)
{
	kvtep_bind_put(nlh, o);
}

static void put_bind_key(struct nlmsghdr *nlh, const void *o)
{
	struct kvtep_bind_cfg b = *(const struct kvtep_bind_cfg *)o;

	b.vni = 0;
	kvtep_bind_put(nlh, &b);
}

static void put_flood(struct nlmsghdr *nlh, const void *o)
{
	kvtep_flood_put(nlh, o);
}

static void put_local(struct nlmsghdr *nlh, const void *o)
{
	const struct kstate *k = o;
	struct kvtep_dev_cfg cfg = { 0 };

	if (k->has_local4) {
		memcpy(cfg.local_ip4, k->local4.addr, 4);
		KVTEP_SET(&cfg, KVTEP_A_LOCAL_IP4);
	}
	if (k->has_local6) {
		memcpy(cfg.local_ip6, k->local6.addr, 16);
		KVTEP_SET(&cfg, KVTEP_A_LOCAL_IP6);
	}
	kvtep_dev_cfg_put(nlh, &cfg);
}

int vk_apply(struct nl_ctx *nl, const char *dev, const struct kops *ops,
	     struct vk_faults *kf, struct vk_counts *cnt)
{
	size_t i = 0, j;
	int ret = 0, err;

	while (i < ops->n) {
		const struct kop *op = &ops->v[i];

		err = 0;
		switch (op->kind) {
		case KOP_FDB_ADD:
		case KOP_FDB_DEL:
			for (j = i; j < ops->n && ops->v[j].kind == op->kind; j++)
				;
			err = fdb_batch(nl, dev, &ops->v[i], j - i, op->kind == KOP_FDB_DEL,
					kf, &cnt->msgs);
			cnt->ops += j - i;
			if (err)
				ret = err;
			i = j;
			continue;
		case KOP_DEV_LOCAL:
			err = simple(nl, dev, KVTEP_CMD_DEV_SET, put_local, op->obj);
			if (err)
				kfault(kf, FAULT_SWITCH, 0, "unspecified_fault",
				       "setting the tunnel address: %s", strerror(-err));
			break;
		case KOP_LS_ADD:
		case KOP_LS_SET:
			err = simple(nl, dev, op->kind == KOP_LS_ADD ? KVTEP_CMD_LS_ADD :
				     KVTEP_CMD_LS_SET, put_ls, op->obj);
			if (err)
				kfault(kf, FAULT_SWITCH, 0, "unspecified_fault",
				       "logical switch vni %u: %s",
				       ((const struct kvtep_ls_cfg *)op->obj)->vni, strerror(-err));
			break;
		case KOP_LS_DEL:
			err = simple(nl, dev, KVTEP_CMD_LS_DEL, put_ls_key, op->obj);
			if (err == -ENOENT)
				err = 0;
			break;
		case KOP_BIND_ADD:
		case KOP_BIND_DEL: {
			const struct kvtep_bind_cfg *b = op->obj;

			err = simple(nl, dev, op->kind == KOP_BIND_ADD ? KVTEP_CMD_BIND_ADD :
				     KVTEP_CMD_BIND_DEL,
				     op->kind == KOP_BIND_ADD ? put_bind : put_bind_key, b);
			if (err == -ENOENT && op->kind == KOP_BIND_DEL)
				err = 0;
			if (err)
				kfault(kf, FAULT_PORT, b->ifindex, "invalid_vlan_map",
				       "binding vlan %u -> vni %u: %s", b->vlan, b->vni,
				       strerror(-err));
			break;
		}
		case KOP_FLOOD_SET:
			err = simple(nl, dev, KVTEP_CMD_FLOOD_SET, put_flood, op->obj);
			if (err)
				kfault(kf, FAULT_SWITCH, 0,
				       err == -ENOSPC ? "tunnel_exhaustion" : "unspecified_fault",
				       "flood list of vni %u: %s",
				       ((const struct kvtep_flood_cfg *)op->obj)->vni,
				       strerror(-err));
			break;
		}
		cnt->ops++;
		cnt->msgs++;
		if (err)
			ret = err;
		i++;
	}
	return ret;
}

/* --- the device ---------------------------------------------------------- */

/*
 * One RTM_NEWLINK for @dev with IFF_UP set, answered by an ack: with
 * @create, a new kvtep device (NLM_F_CREATE | NLM_F_EXCL).
 */
static int rtnl_link_up(const char *dev, bool create)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *s = mnl_socket_open(NETLINK_ROUTE);
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	struct nlattr *li;
	int ret = 0, n;

	if (!s)
		return -errno;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	if (create)
		nlh->nlmsg_flags |= NLM_F_CREATE | NLM_F_EXCL;
	nlh->nlmsg_seq = 1;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, dev);
	if (create) {
		li = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
		mnl_attr_put_strz(nlh, IFLA_INFO_KIND, KVTEP_GENL_NAME);
		mnl_attr_nest_end(nlh, li);
	}
	if (mnl_socket_bind(s, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    mnl_socket_sendto(s, nlh, nlh->nlmsg_len) < 0 ||
	    (n = mnl_socket_recvfrom(s, buf, sizeof(buf))) < 0 ||
	    mnl_cb_run(buf, n, 1, mnl_socket_get_portid(s), NULL, NULL) < 0)
		ret = -errno;
	mnl_socket_close(s);
	return ret;
}

int vk_dev_create(const char *dev)
{
	return rtnl_link_up(dev, true);
}

int vk_dev_up(const char *dev)
{
	return rtnl_link_up(dev, false);
}
