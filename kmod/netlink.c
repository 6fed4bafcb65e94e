// SPDX-License-Identifier: GPL-2.0-only
/*
 * The "kvtep" generic netlink family.
 *
 * Locking: handlers are serialised by the genetlink mutex (no parallel_ops),
 * which is what makes the single &kvtep_dev.dev_tracker safe. Each change
 * additionally takes the device's own writer lock, &kvtep_dev.lock, which
 * is what the datapath-facing code documents and asserts.
 */

#include <linux/etherdevice.h>
#include <linux/module.h>
#include <linux/rhashtable.h>
#include <linux/netdevice.h>
#include <net/genetlink.h>
#include <net/ipv6.h>
#include <net/netlink.h>
#include <net/rtnetlink.h>
#include <net/sock.h>

#include <uapi/linux/kvtep.h>

#include "compat.h"
#include "device.h"
#include "fdb.h"
#include "flood.h"
#include "lswitch.h"
#include "netlink.h"
#include "port.h"
#include "remote.h"
#include "socket.h"

static struct genl_family kvtep_genl_family;

/* Indexes into kvtep_mcgrps[]. */
enum kvtep_nlgrp {
	KVTEP_NLGRP_FDB,
	KVTEP_NLGRP_CONFIG,
};

/* Attributes that name the device a request is about. */
#define KVTEP_DEV_SELECTOR_POLICY					\
	[KVTEP_A_IFINDEX]	= NLA_POLICY_MIN(NLA_U32, 1),		\
	[KVTEP_A_IFNAME]	= { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 }

static const struct nla_policy kvtep_dev_get_policy[KVTEP_A_MAX + 1] = {
	KVTEP_DEV_SELECTOR_POLICY,
};

/* Longest ageing time accepted: about 11 days. */
static struct netlink_range_validation kvtep_ageing_range = {
	.max = 1000000,
};

static const struct nla_policy kvtep_dev_set_policy[KVTEP_A_MAX + 1] = {
	KVTEP_DEV_SELECTOR_POLICY,
	[KVTEP_A_VXLAN_PORT]	= NLA_POLICY_MIN(NLA_U16, 1),
	[KVTEP_A_GENEVE_PORT]	= NLA_POLICY_MIN(NLA_U16, 1),
	[KVTEP_A_LOCAL_IP4]	= NLA_POLICY_EXACT_LEN(sizeof(__be32)),
	[KVTEP_A_LOCAL_IP6]	= NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[KVTEP_A_TTL]		= { .type = NLA_U8 },
	[KVTEP_A_TOS]		= { .type = NLA_U8 },
	[KVTEP_A_DF]		= NLA_POLICY_MAX(NLA_U8, KVTEP_DF_MAX),
	[KVTEP_A_LEARNING]	= NLA_POLICY_MAX(NLA_U8, 1),
	[KVTEP_A_TUNNEL_LEARNING] = NLA_POLICY_MAX(NLA_U8, 1),
	[KVTEP_A_UDP_CSUM]	= NLA_POLICY_MAX(NLA_U8, 1),
	[KVTEP_A_AGEING]	= NLA_POLICY_FULL_RANGE(NLA_U32, &kvtep_ageing_range),
	[KVTEP_A_FDB_MAX]	= { .type = NLA_U32 },
};

static const struct nla_policy kvtep_port_nest_policy[KVTEP_PORT_A_MAX + 1] = {
	[KVTEP_PORT_A_IFINDEX]	= NLA_POLICY_MIN(NLA_U32, 1),
};

static struct netlink_range_validation kvtep_vni_range = {
	.min = 1,
	.max = KVTEP_VNI_MAX,
};

static const struct nla_policy kvtep_ls_nest_policy[KVTEP_LS_A_MAX + 1] = {
	[KVTEP_LS_A_VNI]	= NLA_POLICY_FULL_RANGE(NLA_U32, &kvtep_vni_range),
	[KVTEP_LS_A_REPLICATION] = NLA_POLICY_MAX(NLA_U8, KVTEP_REPL_MAX),
	[KVTEP_LS_A_FDB_MAX]	= { .type = NLA_U32 },
	[KVTEP_LS_A_ENCAP]	= NLA_POLICY_MAX(NLA_U8, KVTEP_ENCAP_MAX),
	[KVTEP_LS_A_OVN_OPT]	= NLA_POLICY_MAX(NLA_U8, 1),
};

static const struct nla_policy kvtep_bind_nest_policy[KVTEP_BIND_A_MAX + 1] = {
	[KVTEP_BIND_A_PORT_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[KVTEP_BIND_A_VLAN]	= NLA_POLICY_MAX(NLA_U16, KVTEP_VLAN_MAX),
	[KVTEP_BIND_A_VNI]	= NLA_POLICY_FULL_RANGE(NLA_U32, &kvtep_vni_range),
	[KVTEP_BIND_A_PORT_KEY]	= NLA_POLICY_MAX(NLA_U16, KVTEP_OVN_PORT_KEY_MAX),
};

/* Remote nests are parsed (and validated) by kvtep_remote_parse(). */
static const struct nla_policy kvtep_fdb_nest_policy[KVTEP_FDB_A_MAX + 1] = {
	[KVTEP_FDB_A_VNI]	= NLA_POLICY_FULL_RANGE(NLA_U32, &kvtep_vni_range),
	[KVTEP_FDB_A_MAC]	= NLA_POLICY_ETH_ADDR,
	[KVTEP_FDB_A_TYPE]	= NLA_POLICY_MAX(NLA_U8, KVTEP_FDB_TYPE_MAX),
	[KVTEP_FDB_A_REMOTE]	= { .type = NLA_NESTED },
	[KVTEP_FDB_A_PORT_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[KVTEP_FDB_A_VLAN]	= NLA_POLICY_MAX(NLA_U16, KVTEP_VLAN_MAX),
	[KVTEP_FDB_A_PORT_KEY]	= { .type = NLA_U16 },
	[KVTEP_FDB_A_TYPE_MASK]	= NLA_POLICY_MASK(NLA_U32, BIT(__KVTEP_FDB_MAX) - 1),
};

static const struct nla_policy kvtep_port_policy[KVTEP_A_MAX + 1] = {
	KVTEP_DEV_SELECTOR_POLICY,
	[KVTEP_A_PORT]		= NLA_POLICY_NESTED(kvtep_port_nest_policy),
};

static const struct nla_policy kvtep_ls_policy[KVTEP_A_MAX + 1] = {
	KVTEP_DEV_SELECTOR_POLICY,
	[KVTEP_A_LS]		= NLA_POLICY_NESTED(kvtep_ls_nest_policy),
};

static const struct nla_policy kvtep_bind_policy[KVTEP_A_MAX + 1] = {
	KVTEP_DEV_SELECTOR_POLICY,
	[KVTEP_A_BIND]		= NLA_POLICY_NESTED(kvtep_bind_nest_policy),
};

static const struct nla_policy kvtep_fdb_policy[KVTEP_A_MAX + 1] = {
	KVTEP_DEV_SELECTOR_POLICY,
	[KVTEP_A_FDB]		= NLA_POLICY_NESTED(kvtep_fdb_nest_policy),
};

static const struct nla_policy kvtep_flood_policy[KVTEP_A_MAX + 1] = {
	KVTEP_DEV_SELECTOR_POLICY,
	[KVTEP_A_LS]		= NLA_POLICY_NESTED(kvtep_ls_nest_policy),
	[KVTEP_A_REMOTE]	= { .type = NLA_NESTED },
};

/*
 * Find the kvtep device a request names, in the requester's namespace.
 * Returns a device with a reference held on @tracker, or NULL with extack.
 */
static struct kvtep_dev *kvtep_nl_find_dev(struct net *net, struct nlattr **attrs,
					   struct netlink_ext_ack *extack,
					   netdevice_tracker *tracker)
{
	struct net_device *dev = NULL;
	struct nlattr *which;

	if (attrs[KVTEP_A_IFINDEX]) {
		which = attrs[KVTEP_A_IFINDEX];
		dev = netdev_get_by_index_compat(net, nla_get_u32(which), tracker);
	} else if (attrs[KVTEP_A_IFNAME]) {
		which = attrs[KVTEP_A_IFNAME];
		dev = netdev_get_by_name_compat(net, nla_data(which), tracker);
	} else {
		NL_SET_ERR_MSG_MOD(extack,
				   "missing device: give KVTEP_A_IFINDEX or KVTEP_A_IFNAME");
		NL_SET_ERR_ATTR_MISS(extack, NULL, KVTEP_A_IFINDEX);
		return ERR_PTR(-EINVAL);
	}

	if (!dev) {
		NL_SET_ERR_MSG_ATTR(extack, which, "kvtep: no such device");
		return ERR_PTR(-ENODEV);
	}
	if (!kvtep_netdev_is_kvtep(dev)) {
		netdev_put(dev, tracker);
		NL_SET_ERR_MSG_ATTR(extack, which, "kvtep: device is not a kvtep device");
		return ERR_PTR(-EOPNOTSUPP);
	}
	return netdev_priv(dev);
}

static int kvtep_nl_pre_doit(const struct kvtep_genl_ops *ops, struct sk_buff *skb,
			     struct genl_info *info)
{
	netdevice_tracker tracker;
	struct kvtep_dev *kv;

	kv = kvtep_nl_find_dev(genl_info_net(info), info->attrs, info->extack,
			       &tracker);
	if (IS_ERR(kv))
		return PTR_ERR(kv);
	/* Safe: doit handlers are serialised by the genetlink mutex. */
	kv->dev_tracker = tracker;
	info->user_ptr[0] = kv;
	return 0;
}

static void kvtep_nl_post_doit(const struct kvtep_genl_ops *ops, struct sk_buff *skb,
			       struct genl_info *info)
{
	struct kvtep_dev *kv = info->user_ptr[0];

	if (kv)
		netdev_put(kv->dev, &kv->dev_tracker);
}

/*
 * Start a message about @kv or an object below it: the genl header, the
 * dump consistency flag when @cb is a dump, and the device's ifindex.
 */
static void *kvtep_nl_put_hdr(struct sk_buff *skb, struct kvtep_dev *kv,
			      u32 portid, u32 seq, int flags, u8 cmd,
			      struct netlink_callback *cb)
{
	void *hdr = genlmsg_put(skb, portid, seq, &kvtep_genl_family, flags, cmd);

	if (!hdr)
		return NULL;
	if (cb)
		genl_dump_check_consistent(cb, hdr);
	if (nla_put_u32(skb, KVTEP_A_IFINDEX, kv->dev->ifindex)) {
		genlmsg_cancel(skb, hdr);
		return NULL;
	}
	return hdr;
}

/*
 * What a dumpit returns: a full skb ends this round and the core calls
 * again; an object that does not fit even an empty skb is an error.
 */
static int kvtep_nl_dump_ret(struct sk_buff *skb, int err)
{
	if (err == -EMSGSIZE && skb->len)
		return skb->len;
	return err ?: skb->len;
}

static int kvtep_nl_put_cfg(struct sk_buff *skb, const struct kvtep_config *cfg)
{
	if (nla_put_u16(skb, KVTEP_A_VXLAN_PORT, cfg->vxlan_port) ||
	    nla_put_u16(skb, KVTEP_A_GENEVE_PORT, cfg->geneve_port) ||
	    nla_put_u8(skb, KVTEP_A_TTL, cfg->ttl) ||
	    nla_put_u8(skb, KVTEP_A_TOS, cfg->tos) ||
	    nla_put_u8(skb, KVTEP_A_DF, cfg->df) ||
	    nla_put_u8(skb, KVTEP_A_LEARNING, cfg->learning) ||
	    nla_put_u8(skb, KVTEP_A_TUNNEL_LEARNING, cfg->tunnel_learning) ||
	    nla_put_u8(skb, KVTEP_A_UDP_CSUM, cfg->udp_csum) ||
	    nla_put_u32(skb, KVTEP_A_AGEING, cfg->ageing) ||
	    nla_put_u32(skb, KVTEP_A_FDB_MAX, cfg->fdb_max))
		return -EMSGSIZE;
	if (cfg->local_ip4 &&
	    nla_put_in_addr(skb, KVTEP_A_LOCAL_IP4, cfg->local_ip4))
		return -EMSGSIZE;
	if (!ipv6_addr_any(&cfg->local_ip6) &&
	    nla_put_in6_addr(skb, KVTEP_A_LOCAL_IP6, &cfg->local_ip6))
		return -EMSGSIZE;
	return 0;
}

/* Size of one device message; keep in step with kvtep_nl_fill_dev(). */
static size_t kvtep_nl_dev_size(void)
{
	return nla_total_size(sizeof(u32))		/* IFINDEX */
	     + nla_total_size(IFNAMSIZ)			/* IFNAME */
	     + nla_total_size(sizeof(u16)) * 2		/* VXLAN/GENEVE_PORT */
	     + nla_total_size(sizeof(u8)) * 6		/* TTL TOS DF LEARNING x2 CSUM */
	     + nla_total_size(sizeof(u32)) * 4		/* AGEING FDB_MAX COUNT GEN */
	     + nla_total_size(sizeof(__be32))		/* LOCAL_IP4 */
	     + nla_total_size(sizeof(struct in6_addr));	/* LOCAL_IP6 */
}

/*
 * One fill function serves the doit reply, the dump and notifications.
 * Takes the device lock so the settings it reports belong together.
 */
static int kvtep_nl_fill_dev(struct sk_buff *skb, struct kvtep_dev *kv,
			     u32 portid, u32 seq, int flags, u8 cmd,
			     struct netlink_callback *cb)
{
	void *hdr;

	hdr = kvtep_nl_put_hdr(skb, kv, portid, seq, flags, cmd, cb);
	if (!hdr)
		return -EMSGSIZE;

	mutex_lock(&kv->lock);
	if (nla_put_string(skb, KVTEP_A_IFNAME, kv->dev->name) ||
	    kvtep_nl_put_cfg(skb, &kv->cfg) ||
	    nla_put_u32(skb, KVTEP_A_FDB_COUNT, atomic_read(&kv->fdb_count)) ||
	    nla_put_u32(skb, KVTEP_A_GENERATION, kv->generation))
		goto nla_put_failure;
	mutex_unlock(&kv->lock);

	genlmsg_end(skb, hdr);
	return 0;

nla_put_failure:
	mutex_unlock(&kv->lock);
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

static int kvtep_nl_dev_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kvtep_dev *kv = info->user_ptr[0];
	struct sk_buff *msg;
	int err;

	msg = genlmsg_new(kvtep_nl_dev_size(), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	err = kvtep_nl_fill_dev(msg, kv, info->snd_portid, info->snd_seq, 0,
				KVTEP_CMD_DEV_GET, NULL);
	if (WARN_ON_ONCE(err)) {	/* kvtep_nl_dev_size() is wrong */
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

/*
 * Dump every kvtep device of the requester's namespace. cb->args[0] is the
 * position to resume from; net->dev_base_seq flags a dump that raced with
 * devices coming or going.
 */
static int kvtep_nl_dev_get_dumpit(struct sk_buff *skb,
				   struct netlink_callback *cb)
{
	struct net *net = sock_net(skb->sk);
	long skip = cb->args[0], pos = 0;
	struct net_device *dev;
	int err = 0;

	rtnl_lock();
	cb->seq = net->dev_base_seq;
	for_each_netdev(net, dev) {
		if (!kvtep_netdev_is_kvtep(dev))
			continue;
		if (pos++ < skip)
			continue;
		err = kvtep_nl_fill_dev(skb, netdev_priv(dev),
					NETLINK_CB(cb->skb).portid,
					cb->nlh->nlmsg_seq, NLM_F_MULTI,
					KVTEP_CMD_DEV_GET, cb);
		if (err) {
			pos--;
			break;
		}
	}
	rtnl_unlock();
	cb->args[0] = pos;
	/* A full skb ends this round; the core calls us again. */
	return kvtep_nl_dump_ret(skb, err);
}

static int kvtep_nl_dev_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kvtep_dev *kv = info->user_ptr[0];
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr **a = info->attrs;
	struct kvtep_config *cfg = &kv->cfg;
	u16 old_port, old_geneve;
	int err = 0;

	if (a[KVTEP_A_LOCAL_IP4]) {
		__be32 ip = nla_get_in_addr(a[KVTEP_A_LOCAL_IP4]);

		/* 0.0.0.0 clears the address. */
		if (ipv4_is_multicast(ip) || ipv4_is_lbcast(ip) ||
		    (ipv4_is_zeronet(ip) && ip)) {
			NL_SET_ERR_MSG_ATTR(extack, a[KVTEP_A_LOCAL_IP4],
					    "kvtep: local IPv4 address must be unicast");
			return -EINVAL;
		}
	}
	if (a[KVTEP_A_LOCAL_IP6]) {
		struct in6_addr ip6 = nla_get_in6_addr(a[KVTEP_A_LOCAL_IP6]);

		if (ipv6_addr_is_multicast(&ip6)) {
			NL_SET_ERR_MSG_ATTR(extack, a[KVTEP_A_LOCAL_IP6],
					    "kvtep: local IPv6 address must be unicast");
			return -EINVAL;
		}
	}
	if (a[KVTEP_A_VXLAN_PORT] && a[KVTEP_A_GENEVE_PORT] &&
	    nla_get_u16(a[KVTEP_A_VXLAN_PORT]) ==
	    nla_get_u16(a[KVTEP_A_GENEVE_PORT])) {
		NL_SET_ERR_MSG_ATTR(extack, a[KVTEP_A_GENEVE_PORT],
				    "kvtep: VXLAN and Geneve need different UDP ports");
		return -EINVAL;
	}

	/* A new UDP port on a running device means new sockets: RTNL first. */
	rtnl_lock();
	mutex_lock(&kv->lock);
	old_port = cfg->vxlan_port;
	old_geneve = cfg->geneve_port;
	if (a[KVTEP_A_VXLAN_PORT])
		WRITE_ONCE(cfg->vxlan_port, nla_get_u16(a[KVTEP_A_VXLAN_PORT]));
	if (a[KVTEP_A_GENEVE_PORT])
		WRITE_ONCE(cfg->geneve_port, nla_get_u16(a[KVTEP_A_GENEVE_PORT]));
	if (cfg->vxlan_port == cfg->geneve_port) {
		/* Only one of the two was given and it collides. */
		WRITE_ONCE(cfg->vxlan_port, old_port);
		WRITE_ONCE(cfg->geneve_port, old_geneve);
		mutex_unlock(&kv->lock);
		rtnl_unlock();
		NL_SET_ERR_MSG_MOD(extack,
				   "VXLAN and Geneve need different UDP ports");
		return -EINVAL;
	}
	if (a[KVTEP_A_LOCAL_IP4])
		WRITE_ONCE(cfg->local_ip4, nla_get_in_addr(a[KVTEP_A_LOCAL_IP4]));
	if (a[KVTEP_A_LOCAL_IP6])
		cfg->local_ip6 = nla_get_in6_addr(a[KVTEP_A_LOCAL_IP6]);
	if (a[KVTEP_A_TTL])
		WRITE_ONCE(cfg->ttl, nla_get_u8(a[KVTEP_A_TTL]));
	if (a[KVTEP_A_TOS])
		WRITE_ONCE(cfg->tos, nla_get_u8(a[KVTEP_A_TOS]));
	if (a[KVTEP_A_DF])
		WRITE_ONCE(cfg->df, nla_get_u8(a[KVTEP_A_DF]));
	if (a[KVTEP_A_LEARNING])
		WRITE_ONCE(cfg->learning, nla_get_u8(a[KVTEP_A_LEARNING]));
	if (a[KVTEP_A_TUNNEL_LEARNING])
		WRITE_ONCE(cfg->tunnel_learning,
			   nla_get_u8(a[KVTEP_A_TUNNEL_LEARNING]));
	if (a[KVTEP_A_UDP_CSUM])
		WRITE_ONCE(cfg->udp_csum, nla_get_u8(a[KVTEP_A_UDP_CSUM]));
	if (a[KVTEP_A_AGEING]) {
		WRITE_ONCE(cfg->ageing, nla_get_u32(a[KVTEP_A_AGEING]));
		kvtep_fdb_ageing_changed(kv);
	}
	if (a[KVTEP_A_FDB_MAX])
		WRITE_ONCE(cfg->fdb_max, nla_get_u32(a[KVTEP_A_FDB_MAX]));
	kvtep_dev_changed(kv);
	mutex_unlock(&kv->lock);

	if ((cfg->vxlan_port != old_port || cfg->geneve_port != old_geneve) &&
	    netif_running(kv->dev)) {
		kvtep_socks_close(kv);
		err = kvtep_socks_open(kv);
		if (err)
			NL_SET_ERR_MSG_MOD(extack,
					   "cannot open the new UDP port; the device has no tunnel socket now");
	}
	rtnl_unlock();
	return err;
}

/* True, with extack, when attribute @type of nest @nest is missing. */
static bool kvtep_missing(struct netlink_ext_ack *extack,
			  const struct nlattr *nest, struct nlattr **tb,
			  int type, const char *msg)
{
	if (tb[type])
		return false;
	/* NL_SET_ERR_MSG() wants a literal; every caller passes one. */
	if (extack)
		extack->_msg = msg;
	NL_SET_ERR_ATTR_MISS(extack, nest, type);
	return true;
}

#define KVTEP_NEED(extack, nest, tb, type, msg) \
	kvtep_missing(extack, nest, tb, type, "kvtep: " msg)

/*
 * Parse the required nest @type of a request into @tb. @msg, a literal,
 * says which nest is missing (not NL_SET_ERR_MSG_FMT: on kernels without
 * it, compat.h sends the bare format string).
 */
static int kvtep_nl_parse_nest(struct genl_info *info, int type,
			       struct nlattr **tb, int maxtype,
			       const struct nla_policy *policy, const char *msg)
{
	if (kvtep_missing(info->extack, NULL, info->attrs, type, msg))
		return -EINVAL;
	return nla_parse_nested(tb, maxtype, info->attrs[type], policy,
				info->extack);
}

/* ---- ports ---- */

static int kvtep_nl_port_change(struct sk_buff *skb, struct genl_info *info,
				bool add)
{
	struct kvtep_dev *kv = info->user_ptr[0];
	struct nlattr *tb[KVTEP_PORT_A_MAX + 1];
	struct net_device *pdev;
	int err;

	err = kvtep_nl_parse_nest(info, KVTEP_A_PORT, tb, KVTEP_PORT_A_MAX,
				  kvtep_port_nest_policy,
				  "kvtep: missing KVTEP_A_PORT nest");
	if (err)
		return err;
	if (KVTEP_NEED(info->extack, info->attrs[KVTEP_A_PORT], tb,
		       KVTEP_PORT_A_IFINDEX, "missing port ifindex"))
		return -EINVAL;

	rtnl_lock();
	pdev = __dev_get_by_index(genl_info_net(info),
				  nla_get_u32(tb[KVTEP_PORT_A_IFINDEX]));
	if (kv->dev->reg_state != NETREG_REGISTERED) {
		/* Deleted since pre_doit found it: its ports are gone. */
		NL_SET_ERR_MSG_MOD(info->extack, "the device is being deleted");
		err = -ENODEV;
	} else if (!pdev) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[KVTEP_PORT_A_IFINDEX],
				    "kvtep: no such port device");
		err = -ENODEV;
	} else if (add) {
		err = kvtep_port_add(kv, pdev, info->extack);
	} else {
		err = kvtep_port_del(kv, pdev, info->extack);
	}
	rtnl_unlock();
	return err;
}

static int kvtep_nl_port_add_doit(struct sk_buff *skb, struct genl_info *info)
{
	return kvtep_nl_port_change(skb, info, true);
}

static int kvtep_nl_port_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	return kvtep_nl_port_change(skb, info, false);
}

static int kvtep_nl_fill_port(struct sk_buff *skb, struct kvtep_dev *kv,
			      struct kvtep_port *port, u32 portid, u32 seq,
			      int flags, struct netlink_callback *cb)
{
	struct nlattr *nest;
	void *hdr;

	hdr = kvtep_nl_put_hdr(skb, kv, portid, seq, flags, KVTEP_CMD_PORT_GET, cb);
	if (!hdr)
		return -EMSGSIZE;
	nest = nla_nest_start(skb, KVTEP_A_PORT);
	if (!nest ||
	    nla_put_u32(skb, KVTEP_PORT_A_IFINDEX, port->dev->ifindex) ||
	    nla_put_string(skb, KVTEP_PORT_A_IFNAME, port->dev->name))
		goto fail;
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;
fail:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/*
 * Dumps name their device in the request. The device is looked up again
 * on every call; cb->args[0] holds the position to resume from.
 */
static struct kvtep_dev *kvtep_nl_dump_dev(struct sk_buff *skb,
					   struct netlink_callback *cb,
					   netdevice_tracker *tracker)
{
	return kvtep_nl_find_dev(sock_net(skb->sk), kvtep_dumpit_attrs(cb),
				 cb->extack, tracker);
}

static int kvtep_nl_port_get_dumpit(struct sk_buff *skb,
				    struct netlink_callback *cb)
{
	netdevice_tracker tracker;
	struct kvtep_port *port;
	long pos = 0;
	struct kvtep_dev *kv;
	int err = 0;

	kv = kvtep_nl_dump_dev(skb, cb, &tracker);
	if (IS_ERR(kv))
		return PTR_ERR(kv);
	mutex_lock(&kv->lock);
	cb->seq = kv->generation;
	list_for_each_entry(port, &kv->ports, node) {
		if (pos++ < cb->args[0])
			continue;
		err = kvtep_nl_fill_port(skb, kv, port, NETLINK_CB(cb->skb).portid,
					 cb->nlh->nlmsg_seq, NLM_F_MULTI, cb);
		if (err) {
			pos--;
			break;
		}
	}
	mutex_unlock(&kv->lock);
	netdev_put(kv->dev, &tracker);
	cb->args[0] = pos;
	return kvtep_nl_dump_ret(skb, err);
}

/* ---- logical switches ---- */

static int kvtep_nl_ls_apply(struct kvtep_ls *ls, struct nlattr **tb)
{
	if (tb[KVTEP_LS_A_REPLICATION])
		WRITE_ONCE(ls->replication, nla_get_u8(tb[KVTEP_LS_A_REPLICATION]));
	if (tb[KVTEP_LS_A_FDB_MAX])
		WRITE_ONCE(ls->fdb_max, nla_get_u32(tb[KVTEP_LS_A_FDB_MAX]));
	if (tb[KVTEP_LS_A_ENCAP])
		WRITE_ONCE(ls->encap, nla_get_u8(tb[KVTEP_LS_A_ENCAP]));
	if (tb[KVTEP_LS_A_OVN_OPT])
		WRITE_ONCE(ls->ovn_opt, nla_get_u8(tb[KVTEP_LS_A_OVN_OPT]));
	return 0;
}

/* Parse the LS nest and require its VNI; returns the VNI or -errno. */
static s64 kvtep_nl_ls_vni(struct genl_info *info, struct nlattr **tb)
{
	int err;

	err = kvtep_nl_parse_nest(info, KVTEP_A_LS, tb, KVTEP_LS_A_MAX,
				  kvtep_ls_nest_policy,
				  "kvtep: missing KVTEP_A_LS nest");
	if (err)
		return err;
	if (KVTEP_NEED(info->extack, info->attrs[KVTEP_A_LS], tb,
		       KVTEP_LS_A_VNI, "missing logical switch VNI"))
		return -EINVAL;
	return nla_get_u32(tb[KVTEP_LS_A_VNI]);
}

/* Find the LS of @vni or say which VNI is unknown. */
static struct kvtep_ls *kvtep_nl_ls_find(struct kvtep_dev *kv, u32 vni,
					 const struct nlattr *attr,
					 struct netlink_ext_ack *extack)
{
	struct kvtep_ls *ls = kvtep_ls_find(kv, vni);

	if (!ls) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "kvtep: no logical switch with this VNI");
	}
	return ls;
}

static int kvtep_nl_ls_add_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kvtep_dev *kv = info->user_ptr[0];
	struct nlattr *tb[KVTEP_LS_A_MAX + 1];
	struct kvtep_ls *ls;
	s64 vni;

	vni = kvtep_nl_ls_vni(info, tb);
	if (vni < 0)
		return vni;
	mutex_lock(&kv->lock);
	if (kv->dead) {
		/* Deleted since pre_doit found it: nothing would free the LS. */
		mutex_unlock(&kv->lock);
		NL_SET_ERR_MSG_MOD(info->extack, "the device is being deleted");
		return -ENODEV;
	}
	ls = kvtep_ls_add(kv, vni, info->extack);
	if (!IS_ERR(ls))
		kvtep_nl_ls_apply(ls, tb);
	mutex_unlock(&kv->lock);
	return PTR_ERR_OR_ZERO(ls);
}

static int kvtep_nl_ls_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kvtep_dev *kv = info->user_ptr[0];
	struct nlattr *tb[KVTEP_LS_A_MAX + 1];
	struct kvtep_ls *ls;
	int err = 0;
	s64 vni;

	vni = kvtep_nl_ls_vni(info, tb);
	if (vni < 0)
		return vni;
	mutex_lock(&kv->lock);
	ls = kvtep_nl_ls_find(kv, vni, tb[KVTEP_LS_A_VNI], info->extack);
	if (ls) {
		kvtep_nl_ls_apply(ls, tb);
		kvtep_dev_changed(kv);
	} else {
		err = -ENOENT;
	}
	mutex_unlock(&kv->lock);
	return err;
}

static int kvtep_nl_ls_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kvtep_dev *kv = info->user_ptr[0];
	struct nlattr *tb[KVTEP_LS_A_MAX + 1];
	struct kvtep_ls *ls;
	int err = 0;
	s64 vni;

	vni = kvtep_nl_ls_vni(info, tb);
	if (vni < 0)
		return vni;
	mutex_lock(&kv->lock);
	ls = kvtep_nl_ls_find(kv, vni, tb[KVTEP_LS_A_VNI], info->extack);
	if (ls)
		kvtep_ls_del(kv, ls);
	else
		err = -ENOENT;
	mutex_unlock(&kv->lock);
	return err;
}

static int kvtep_nl_fill_ls(struct sk_buff *skb, struct kvtep_dev *kv,
			    struct kvtep_ls *ls, u32 portid, u32 seq, int flags,
			    struct netlink_callback *cb)
{
	struct nlattr *nest;
	void *hdr;

	hdr = kvtep_nl_put_hdr(skb, kv, portid, seq, flags, KVTEP_CMD_LS_GET, cb);
	if (!hdr)
		return -EMSGSIZE;
	nest = nla_nest_start(skb, KVTEP_A_LS);
	if (!nest ||
	    nla_put_u32(skb, KVTEP_LS_A_VNI, ls->vni) ||
	    nla_put_u8(skb, KVTEP_LS_A_REPLICATION, ls->replication) ||
	    nla_put_u32(skb, KVTEP_LS_A_FDB_MAX, ls->fdb_max) ||
	    nla_put_u32(skb, KVTEP_LS_A_FDB_COUNT, atomic_read(&ls->fdb_count)) ||
	    nla_put_u8(skb, KVTEP_LS_A_ENCAP, ls->encap) ||
	    nla_put_u8(skb, KVTEP_LS_A_OVN_OPT, ls->ovn_opt))
		goto fail;
	nla_nest_end(skb, nest);
	if (kvtep_stats_put(skb, KVTEP_A_STATS, ls->stats))
		goto fail;
	genlmsg_end(skb, hdr);
	return 0;
fail:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

static size_t kvtep_nl_ls_size(void)
{
	return nla_total_size(sizeof(u32))		/* IFINDEX */
	     + nla_total_size(0)			/* LS nest */
	     + nla_total_size(sizeof(u32)) * 3		/* VNI FDB_MAX COUNT */
	     + nla_total_size(sizeof(u8)) * 3		/* REPL ENCAP OVN */
	     + kvtep_stats_size();
}

/*
 * GET of one logical switch's view (the LS itself, or its flood list):
 * @fill writes it, @size bounds it.
 */
static int kvtep_nl_ls_reply(struct genl_info *info, size_t size,
			     int (*fill)(struct sk_buff *skb, struct kvtep_dev *kv,
					 struct kvtep_ls *ls, u32 portid, u32 seq,
					 int flags, struct netlink_callback *cb))
{
	struct kvtep_dev *kv = info->user_ptr[0];
	struct nlattr *tb[KVTEP_LS_A_MAX + 1];
	struct sk_buff *msg;
	struct kvtep_ls *ls;
	int err;
	s64 vni;

	vni = kvtep_nl_ls_vni(info, tb);
	if (vni < 0)
		return vni;
	msg = genlmsg_new(size, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	mutex_lock(&kv->lock);
	ls = kvtep_nl_ls_find(kv, vni, tb[KVTEP_LS_A_VNI], info->extack);
	err = ls ? fill(msg, kv, ls, info->snd_portid, info->snd_seq, 0, NULL) :
		   -ENOENT;
	mutex_unlock(&kv->lock);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

/* Dump every logical switch's view with @fill; cb->args[0] is the cursor. */
static int kvtep_nl_ls_dump(struct sk_buff *skb, struct netlink_callback *cb,
			    int (*fill)(struct sk_buff *skb, struct kvtep_dev *kv,
					struct kvtep_ls *ls, u32 portid, u32 seq,
					int flags, struct netlink_callback *cb))
{
	netdevice_tracker tracker;
	struct kvtep_dev *kv;
	struct kvtep_ls *ls;
	int bkt, err = 0;
	long pos = 0;

	kv = kvtep_nl_dump_dev(skb, cb, &tracker);
	if (IS_ERR(kv))
		return PTR_ERR(kv);
	mutex_lock(&kv->lock);
	cb->seq = kv->generation;
	hash_for_each(kv->ls_hash, bkt, ls, hnode) {
		if (pos++ < cb->args[0])
			continue;
		err = fill(skb, kv, ls, NETLINK_CB(cb->skb).portid,
			   cb->nlh->nlmsg_seq, NLM_F_MULTI, cb);
		if (err) {
			pos--;
			break;
		}
	}
	mutex_unlock(&kv->lock);
	netdev_put(kv->dev, &tracker);
	cb->args[0] = pos;
	return kvtep_nl_dump_ret(skb, err);
}

static int kvtep_nl_ls_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	return kvtep_nl_ls_reply(info, kvtep_nl_ls_size(), kvtep_nl_fill_ls);
}

static int kvtep_nl_ls_get_dumpit(struct sk_buff *skb,
				  struct netlink_callback *cb)
{
	return kvtep_nl_ls_dump(skb, cb, kvtep_nl_fill_ls);
}

/* ---- bindings ---- */

static int kvtep_nl_bind_parse(struct genl_info *info, struct nlattr **tb,
			       struct kvtep_dev *kv, struct kvtep_port **port)
{
	struct nlattr *nest;
	int err;

	err = kvtep_nl_parse_nest(info, KVTEP_A_BIND, tb, KVTEP_BIND_A_MAX,
				  kvtep_bind_nest_policy,
				  "kvtep: missing KVTEP_A_BIND nest");
	if (err)
		return err;
	nest = info->attrs[KVTEP_A_BIND];
	if (KVTEP_NEED(info->extack, nest, tb, KVTEP_BIND_A_PORT_IFINDEX,
		       "missing binding port ifindex"))
		return -EINVAL;
	*port = kvtep_port_find(kv, nla_get_u32(tb[KVTEP_BIND_A_PORT_IFINDEX]));
	if (!*port) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[KVTEP_BIND_A_PORT_IFINDEX],
				    "kvtep: not a port of this device (add it first)");
		return -ENODEV;
	}
	return 0;
}

static int kvtep_nl_bind_add_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kvtep_dev *kv = info->user_ptr[0];
	struct nlattr *tb[KVTEP_BIND_A_MAX + 1];
	struct kvtep_port *port;
	struct kvtep_ls *ls;
	u16 vlan, key;
	int err;

	mutex_lock(&kv->lock);
	err = kvtep_nl_bind_parse(info, tb, kv, &port);
	if (err)
		goto out;
	if (KVTEP_NEED(info->extack, info->attrs[KVTEP_A_BIND], tb,
		       KVTEP_BIND_A_VNI, "missing binding VNI")) {
		err = -EINVAL;
		goto out;
	}
	ls = kvtep_nl_ls_find(kv, nla_get_u32(tb[KVTEP_BIND_A_VNI]),
			      tb[KVTEP_BIND_A_VNI], info->extack);
	if (!ls) {
		err = -ENOENT;
		goto out;
	}
	vlan = tb[KVTEP_BIND_A_VLAN] ? nla_get_u16(tb[KVTEP_BIND_A_VLAN]) : 0;
	key = tb[KVTEP_BIND_A_PORT_KEY] ? nla_get_u16(tb[KVTEP_BIND_A_PORT_KEY]) : 0;
	err = kvtep_binding_add(kv, port, vlan, ls, key, info->extack);
	if (err && !info->extack->bad_attr)
		NL_SET_BAD_ATTR(info->extack, tb[KVTEP_BIND_A_VLAN] ?:
				tb[KVTEP_BIND_A_PORT_IFINDEX]);
out:
	mutex_unlock(&kv->lock);
	return err;
}

static int kvtep_nl_bind_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kvtep_dev *kv = info->user_ptr[0];
	struct nlattr *tb[KVTEP_BIND_A_MAX + 1];
	struct kvtep_binding *b;
	struct kvtep_port *port;
	u16 vlan;
	int err;

	mutex_lock(&kv->lock);
	err = kvtep_nl_bind_parse(info, tb, kv, &port);
	if (err)
		goto out;
	vlan = tb[KVTEP_BIND_A_VLAN] ? nla_get_u16(tb[KVTEP_BIND_A_VLAN]) : 0;
	b = rcu_dereference_protected(port->vlan[vlan], lockdep_is_held(&kv->lock));
	if (!b || (tb[KVTEP_BIND_A_VNI] &&
		   b->ls->vni != nla_get_u32(tb[KVTEP_BIND_A_VNI]))) {
		NL_SET_ERR_MSG_MOD(info->extack, "no such binding on this port and VLAN");
		err = -ENOENT;
		goto out;
	}
	kvtep_binding_del(kv, b);
out:
	mutex_unlock(&kv->lock);
	return err;
}

static int kvtep_nl_fill_bind(struct sk_buff *skb, struct kvtep_dev *kv,
			      struct kvtep_binding *b, u32 portid, u32 seq,
			      int flags, struct netlink_callback *cb)
{
	struct nlattr *nest;
	void *hdr;

	hdr = kvtep_nl_put_hdr(skb, kv, portid, seq, flags, KVTEP_CMD_BIND_GET, cb);
	if (!hdr)
		return -EMSGSIZE;
	nest = nla_nest_start(skb, KVTEP_A_BIND);
	if (!nest ||
	    nla_put_u32(skb, KVTEP_BIND_A_PORT_IFINDEX, b->port->dev->ifindex) ||
	    nla_put_u16(skb, KVTEP_BIND_A_VLAN, b->vlan) ||
	    nla_put_u32(skb, KVTEP_BIND_A_VNI, b->ls->vni) ||
	    nla_put_u16(skb, KVTEP_BIND_A_PORT_KEY, b->port_key) ||
	    kvtep_stats_put(skb, KVTEP_BIND_A_STATS, b->stats))
		goto fail;
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;
fail:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/* Position 0 is the device itself, then the ports in order. */
static struct kvtep_port *kvtep_nl_port_at(struct kvtep_dev *kv, long pos)
{
	struct kvtep_port *port;

	if (pos == 0)
		return kv->self;
	list_for_each_entry(port, &kv->ports, node)
		if (--pos == 0)
			return port;
	return NULL;
}

/* Cursor: args[0] = port position, args[1] = next VID on that port. */
static int kvtep_nl_bind_get_dumpit(struct sk_buff *skb,
				    struct netlink_callback *cb)
{
	netdevice_tracker tracker;
	struct kvtep_binding *b;
	struct kvtep_port *port;
	struct kvtep_dev *kv;
	long pos, vid;
	int err = 0;

	kv = kvtep_nl_dump_dev(skb, cb, &tracker);
	if (IS_ERR(kv))
		return PTR_ERR(kv);
	mutex_lock(&kv->lock);
	cb->seq = kv->generation;
	for (pos = cb->args[0]; (port = kvtep_nl_port_at(kv, pos)); pos++) {
		for (vid = cb->args[1]; vid < VLAN_N_VID; vid++) {
			b = rcu_dereference_protected(port->vlan[vid],
						      lockdep_is_held(&kv->lock));
			if (!b)
				continue;
			err = kvtep_nl_fill_bind(skb, kv, b,
						 NETLINK_CB(cb->skb).portid,
						 cb->nlh->nlmsg_seq, NLM_F_MULTI, cb);
			if (err)
				goto out;
		}
		cb->args[1] = 0;
	}
out:
	cb->args[0] = pos;
	if (err)
		cb->args[1] = vid;
	mutex_unlock(&kv->lock);
	netdev_put(kv->dev, &tracker);
	return kvtep_nl_dump_ret(skb, err);
}

/* ---- FDB ---- */

#define KVTEP_MAX_REMOTES	KVTEP_FLOOD_MAX	/* per flood list or multicast MAC */

/* Parse the KVTEP_*_REMOTE nests of @type in @head into a new array. */
static int kvtep_nl_parse_remotes(struct kvtep_dev *kv, const struct nlattr *head,
				  int len, int type, u8 encap,
				  struct kvtep_remote_key **keys,
				  struct netlink_ext_ack *extack)
{
	const struct nlattr *a;
	unsigned int n = 0;
	int rem, err;

	nla_for_each_attr(a, head, len, rem)
		if (nla_type(a) == type)
			n++;
	if (n > KVTEP_MAX_REMOTES) {
		NL_SET_ERR_MSG_MOD(extack, "too many remotes in one set (max "
				   __stringify(KVTEP_MAX_REMOTES) ")");
		return -E2BIG;
	}
	*keys = NULL;
	if (!n)
		return 0;
	*keys = kcalloc(n, sizeof(**keys), GFP_KERNEL);
	if (!*keys)
		return -ENOMEM;
	n = 0;
	nla_for_each_attr(a, head, len, rem) {
		if (nla_type(a) != type)
			continue;
		err = kvtep_remote_parse(kv, a, encap, &(*keys)[n], extack);
		if (err) {
			kfree(*keys);
			*keys = NULL;
			return err;
		}
		n++;
	}
	return n;
}

/* One FDB add or delete, described by one KVTEP_A_FDB nest. */
static int kvtep_nl_fdb_one(struct kvtep_dev *kv, const struct nlattr *nest,
			    bool add, bool replace, struct netlink_ext_ack *extack)
{
	struct nlattr *tb[KVTEP_FDB_A_MAX + 1];
	struct kvtep_remote_key *keys = NULL;
	struct kvtep_fdb_cfg cfg = {};
	struct kvtep_port *port;
	struct kvtep_ls *ls;
	int n, err;

	err = nla_parse_nested(tb, KVTEP_FDB_A_MAX, nest, kvtep_fdb_nest_policy,
			       extack);
	if (err)
		return err;
	if (KVTEP_NEED(extack, nest, tb, KVTEP_FDB_A_VNI, "missing FDB entry VNI") ||
	    KVTEP_NEED(extack, nest, tb, KVTEP_FDB_A_MAC, "missing FDB entry MAC"))
		return -EINVAL;
	cfg.vni = nla_get_u32(tb[KVTEP_FDB_A_VNI]);
	memcpy(cfg.mac, nla_data(tb[KVTEP_FDB_A_MAC]), ETH_ALEN);
	ls = kvtep_nl_ls_find(kv, cfg.vni, tb[KVTEP_FDB_A_VNI], extack);
	if (!ls)
		return -ENOENT;
	if (!add)
		return kvtep_fdb_del(kv, cfg.vni, cfg.mac, extack);

	if (is_zero_ether_addr(cfg.mac)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[KVTEP_FDB_A_MAC],
				    "kvtep: the zero MAC is not an address (use the flood list)");
		return -EINVAL;
	}
	n = kvtep_nl_parse_remotes(kv, nla_data(nest), nla_len(nest),
				   KVTEP_FDB_A_REMOTE, READ_ONCE(ls->encap),
				   &keys, extack);
	if (n < 0)
		return n;
	cfg.rkeys = keys;
	cfg.n_rkeys = n;
	if (tb[KVTEP_FDB_A_PORT_KEY])
		cfg.port_key = nla_get_u16(tb[KVTEP_FDB_A_PORT_KEY]);

	if (tb[KVTEP_FDB_A_TYPE])
		cfg.type = nla_get_u8(tb[KVTEP_FDB_A_TYPE]);
	else if (tb[KVTEP_FDB_A_PORT_IFINDEX])
		cfg.type = KVTEP_FDB_STATIC_LOCAL;
	else if (is_multicast_ether_addr(cfg.mac))
		cfg.type = KVTEP_FDB_MCAST_REMOTE;
	else
		cfg.type = KVTEP_FDB_STATIC_REMOTE;

	err = -EINVAL;
	switch (cfg.type) {
	case KVTEP_FDB_STATIC_LOCAL:
		if (KVTEP_NEED(extack, nest, tb, KVTEP_FDB_A_PORT_IFINDEX,
			       "a local entry needs a port"))
			break;
		if (n) {
			NL_SET_ERR_MSG_ATTR(extack, tb[KVTEP_FDB_A_REMOTE],
					    "kvtep: a local entry has no remote");
			break;
		}
		if (tb[KVTEP_FDB_A_PORT_KEY]) {
			NL_SET_ERR_MSG_ATTR(extack, tb[KVTEP_FDB_A_PORT_KEY],
					    "kvtep: an OVN egress key belongs on a remote entry (a binding has its own key)");
			break;
		}
		port = kvtep_port_find(kv, nla_get_u32(tb[KVTEP_FDB_A_PORT_IFINDEX]));
		if (!port) {
			NL_SET_ERR_MSG_ATTR(extack, tb[KVTEP_FDB_A_PORT_IFINDEX],
					    "kvtep: not a port of this device");
			err = -ENODEV;
			break;
		}
		cfg.local = rcu_dereference_protected(port->vlan[tb[KVTEP_FDB_A_VLAN] ?
					nla_get_u16(tb[KVTEP_FDB_A_VLAN]) : 0],
					lockdep_is_held(&kv->lock));
		if (!cfg.local || cfg.local->ls != ls) {
			NL_SET_ERR_MSG_ATTR(extack, tb[KVTEP_FDB_A_PORT_IFINDEX],
					    "kvtep: this port and VLAN are not bound to the entry's VNI");
			cfg.local = NULL;
			break;
		}
		err = kvtep_fdb_add(kv, ls, &cfg, replace, extack);
		break;
	case KVTEP_FDB_STATIC_REMOTE:
		if (n != 1) {
			NL_SET_ERR_MSG_ATTR(extack, nest,
					    "kvtep: a remote entry needs exactly one KVTEP_FDB_A_REMOTE");
			break;
		}
		if (is_multicast_ether_addr(cfg.mac)) {
			NL_SET_ERR_MSG_ATTR(extack, tb[KVTEP_FDB_A_MAC],
					    "kvtep: multicast MACs take a remote set (type mcast-remote)");
			break;
		}
		err = kvtep_fdb_add(kv, ls, &cfg, replace, extack);
		break;
	case KVTEP_FDB_MCAST_REMOTE:
		if (!is_multicast_ether_addr(cfg.mac) ||
		    is_broadcast_ether_addr(cfg.mac)) {
			NL_SET_ERR_MSG_ATTR(extack, tb[KVTEP_FDB_A_MAC],
					    "kvtep: a remote set needs a multicast MAC (broadcast uses the flood list)");
			break;
		}
		if (!n) {
			NL_SET_ERR_MSG_ATTR(extack, nest,
					    "kvtep: a multicast entry needs at least one remote");
			break;
		}
		err = kvtep_fdb_add(kv, ls, &cfg, replace, extack);
		break;
	default:
		NL_SET_ERR_MSG_ATTR(extack, tb[KVTEP_FDB_A_TYPE],
				    "kvtep: learned entries cannot be added");
	}
	kfree(keys);
	return err;
}

/*
 * FDB add / delete: one request carries many KVTEP_A_FDB nests, applied
 * in order. On the first failure the request stops there: the entries
 * before it stay applied, and extack points at the nest that failed.
 */
static int kvtep_nl_fdb_change(struct genl_info *info, bool add)
{
	bool replace = info->nlhdr->nlmsg_flags & NLM_F_REPLACE;
	struct kvtep_dev *kv = info->user_ptr[0];
	const struct nlattr *a;
	int rem, err = 0, n = 0;

	mutex_lock(&kv->lock);
	nla_for_each_attr(a, genlmsg_data(info->genlhdr),
			  genlmsg_len(info->genlhdr), rem) {
		if (nla_type(a) != KVTEP_A_FDB)
			continue;
		n++;
		err = kvtep_nl_fdb_one(kv, a, add, replace, info->extack);
		if (err) {
			if (!info->extack->bad_attr)
				NL_SET_BAD_ATTR(info->extack, a);
			break;
		}
		cond_resched();
	}
	mutex_unlock(&kv->lock);
	if (!err && !n) {
		NL_SET_ERR_MSG_MOD(info->extack, "no KVTEP_A_FDB entry in the request");
		NL_SET_ERR_ATTR_MISS(info->extack, NULL, KVTEP_A_FDB);
		return -EINVAL;
	}
	return err;
}

static int kvtep_nl_fdb_add_doit(struct sk_buff *skb, struct genl_info *info)
{
	return kvtep_nl_fdb_change(info, true);
}

static int kvtep_nl_fdb_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	return kvtep_nl_fdb_change(info, false);
}

static size_t kvtep_nl_fdb_size(void)
{
	return nla_total_size(sizeof(u32))		/* IFINDEX */
	     + nla_total_size(0)			/* FDB nest */
	     + nla_total_size(sizeof(u32)) * 3		/* VNI PORT_IFINDEX AGE */
	     + nla_total_size(ETH_ALEN)			/* MAC */
	     + nla_total_size(sizeof(u8)) * 2		/* TYPE EVENT */
	     + nla_total_size(sizeof(u16)) * 2		/* VLAN PORT_KEY */
	     + kvtep_remote_attrs_size();		/* one REMOTE */
}

/* Under RCU or fdb_lock. @event < 0: not a notification. */
static int kvtep_nl_fill_fdb(struct sk_buff *skb, struct kvtep_dev *kv,
			     const struct kvtep_fdb_entry *e, u32 portid, u32 seq,
			     int flags, u8 cmd, int event,
			     struct netlink_callback *cb)
{
	const struct kvtep_flood_list *fl;
	const struct kvtep_binding *b;
	struct nlattr *nest;
	unsigned int i;
	void *hdr;

	hdr = kvtep_nl_put_hdr(skb, kv, portid, seq, flags, cmd, cb);
	if (!hdr)
		return -EMSGSIZE;
	nest = nla_nest_start(skb, KVTEP_A_FDB);
	if (!nest ||
	    nla_put_u32(skb, KVTEP_FDB_A_VNI, kvtep_fdb_vni(e)) ||
	    nla_put(skb, KVTEP_FDB_A_MAC, ETH_ALEN, e->key.mac) ||
	    nla_put_u8(skb, KVTEP_FDB_A_TYPE, e->type) ||
	    nla_put_u32(skb, KVTEP_FDB_A_AGE, jiffies_to_msecs(kvtep_fdb_age(e))))
		goto fail;
	if (e->port_key && nla_put_u16(skb, KVTEP_FDB_A_PORT_KEY, e->port_key))
		goto fail;
	if (event >= 0 && nla_put_u8(skb, KVTEP_FDB_A_EVENT, event))
		goto fail;
	switch (e->type) {
	case KVTEP_FDB_STATIC_LOCAL:
	case KVTEP_FDB_LEARNED_LOCAL:
		b = READ_ONCE(e->local);
		if (nla_put_u32(skb, KVTEP_FDB_A_PORT_IFINDEX, b->port->dev->ifindex) ||
		    nla_put_u16(skb, KVTEP_FDB_A_VLAN, b->vlan))
			goto fail;
		break;
	case KVTEP_FDB_STATIC_REMOTE:
	case KVTEP_FDB_LEARNED_REMOTE:
		if (kvtep_remote_put_attrs(skb, KVTEP_FDB_A_REMOTE,
					   READ_ONCE(e->remote), false))
			goto fail;
		break;
	case KVTEP_FDB_MCAST_REMOTE:
		fl = rcu_dereference_check(e->mset, lockdep_is_held(&kv->fdb_lock));
		for (i = 0; fl && i < fl->n; i++)
			if (kvtep_remote_put_attrs(skb, KVTEP_FDB_A_REMOTE,
						   fl->remotes[i], false))
				goto fail;
		break;
	}
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;
fail:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

void kvtep_nl_fdb_notify(struct kvtep_dev *kv, const struct kvtep_fdb_entry *e,
			 u8 event)
{
	struct net *net = dev_net(kv->dev);
	struct sk_buff *msg;

	if (!genl_has_listeners(&kvtep_genl_family, net, KVTEP_NLGRP_FDB))
		return;
	msg = genlmsg_new(kvtep_nl_fdb_size(), GFP_ATOMIC);
	if (!msg)
		return;
	if (kvtep_nl_fill_fdb(msg, kv, e, 0, 0, 0, KVTEP_CMD_FDB_NTF, event,
			      NULL)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_multicast_netns(&kvtep_genl_family, net, msg, 0,
				KVTEP_NLGRP_FDB, GFP_ATOMIC);
}

/* Parse the optional KVTEP_A_FDB nest of a get/dump/flush request. */
static int kvtep_nl_fdb_filter(struct nlattr **attrs, struct nlattr **tb,
			       struct netlink_ext_ack *extack)
{
	memset(tb, 0, sizeof(*tb) * (KVTEP_FDB_A_MAX + 1));
	if (!attrs[KVTEP_A_FDB])
		return 0;
	return nla_parse_nested(tb, KVTEP_FDB_A_MAX, attrs[KVTEP_A_FDB],
				kvtep_fdb_nest_policy, extack);
}

static int kvtep_nl_fdb_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kvtep_dev *kv = info->user_ptr[0];
	struct nlattr *tb[KVTEP_FDB_A_MAX + 1];
	struct kvtep_fdb_entry *e;
	struct sk_buff *msg;
	int err;

	err = kvtep_nl_parse_nest(info, KVTEP_A_FDB, tb, KVTEP_FDB_A_MAX,
				  kvtep_fdb_nest_policy,
				  "kvtep: missing KVTEP_A_FDB nest");
	if (err)
		return err;
	if (KVTEP_NEED(info->extack, info->attrs[KVTEP_A_FDB], tb, KVTEP_FDB_A_VNI,
		       "missing FDB entry VNI") ||
	    KVTEP_NEED(info->extack, info->attrs[KVTEP_A_FDB], tb, KVTEP_FDB_A_MAC,
		       "missing FDB entry MAC"))
		return -EINVAL;
	/* Room for a multicast entry's whole remote set. */
	msg = genlmsg_new(kvtep_nl_fdb_size() +
			  KVTEP_MAX_REMOTES * kvtep_remote_attrs_size(), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	rcu_read_lock();
	e = kvtep_fdb_lookup(kv, nla_get_u32(tb[KVTEP_FDB_A_VNI]),
			     nla_data(tb[KVTEP_FDB_A_MAC]));
	if (e)
		err = kvtep_nl_fill_fdb(msg, kv, e, info->snd_portid,
					info->snd_seq, 0, KVTEP_CMD_FDB_GET, -1, NULL);
	rcu_read_unlock();
	if (!e || err) {
		nlmsg_free(msg);
		if (!e) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[KVTEP_FDB_A_MAC],
					    "kvtep: no FDB entry for this MAC in this VNI");
			return -ENOENT;
		}
		return err;
	}
	return genlmsg_reply(msg, info);
}

/*
 * FDB dump state: a walker over the table, and the key of an entry that
 * did not fit in the last message (sent first next time). The device is
 * held from the first dumpit call to done; its table outlives ndo_uninit
 * (it is destroyed in the destructor), so the walker never points at
 * freed memory.
 */
struct kvtep_fdb_dump {
	struct kvtep_dev *kv;
	netdevice_tracker tracker;
	struct rhashtable_iter iter;
	u32 vni;		/* filter, 0 = all */
	bool pending;
	struct kvtep_fdb_key pending_key;
};

/*
 * Only the state is allocated here: the device and the filter are looked
 * up in the first kvtep_nl_fdb_get_dumpit() call, whose extack every
 * kernel reports: 6.1 drops the extack of ->start(), so a missing or
 * unknown device or a bad filter came back with no message there.
 */
static int kvtep_nl_fdb_dump_start(struct netlink_callback *cb)
{
	struct kvtep_fdb_dump *d;

	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	cb->args[0] = (long)d;
	return 0;
}

/* First call of the dump: find the device, parse the filter. */
static int kvtep_nl_fdb_dump_begin(struct kvtep_fdb_dump *d, struct sk_buff *skb,
				   struct netlink_callback *cb)
{
	struct nlattr **attrs = kvtep_dumpit_attrs(cb);
	struct nlattr *tb[KVTEP_FDB_A_MAX + 1];
	struct kvtep_dev *kv;
	int err;

	kv = kvtep_nl_find_dev(sock_net(skb->sk), attrs, cb->extack, &d->tracker);
	if (IS_ERR(kv))
		return PTR_ERR(kv);
	err = kvtep_nl_fdb_filter(attrs, tb, cb->extack);
	if (err) {
		netdev_put(kv->dev, &d->tracker);
		return err;
	}
	if (tb[KVTEP_FDB_A_VNI])
		d->vni = nla_get_u32(tb[KVTEP_FDB_A_VNI]);
	d->kv = kv;
	rhashtable_walk_enter(&kv->fdb, &d->iter);
	return 0;
}

static int kvtep_nl_fdb_dump_done(struct netlink_callback *cb)
{
	struct kvtep_fdb_dump *d = (struct kvtep_fdb_dump *)cb->args[0];

	if (d && d->kv) {
		rhashtable_walk_exit(&d->iter);
		netdev_put(d->kv->dev, &d->tracker);
	}
	kfree(d);
	return 0;
}

static int kvtep_nl_fdb_get_dumpit(struct sk_buff *skb,
				   struct netlink_callback *cb)
{
	struct kvtep_fdb_dump *d = (struct kvtep_fdb_dump *)cb->args[0];
	struct kvtep_fdb_entry *e;
	struct kvtep_dev *kv;
	int err = 0;

	if (!d->kv) {
		err = kvtep_nl_fdb_dump_begin(d, skb, cb);
		if (err)
			return err;
	}
	kv = d->kv;
	cb->seq = kvtep_fdb_generation(kv);
	rhashtable_walk_start(&d->iter);
	if (d->pending) {
		e = rhashtable_lookup(&kv->fdb, &d->pending_key, kvtep_fdb_params);
		if (e) {
			err = kvtep_nl_fill_fdb(skb, kv, e, NETLINK_CB(cb->skb).portid,
						cb->nlh->nlmsg_seq, NLM_F_MULTI,
						KVTEP_CMD_FDB_GET, -1, cb);
			if (err)
				goto out;
		}
		d->pending = false;
	}
	while ((e = rhashtable_walk_next(&d->iter))) {
		if (IS_ERR(e)) {
			if (PTR_ERR(e) == -EAGAIN)
				continue;	/* resized under us: flagged by seq */
			err = PTR_ERR(e);
			break;
		}
		if (d->vni && kvtep_fdb_vni(e) != d->vni)
			continue;
		err = kvtep_nl_fill_fdb(skb, kv, e, NETLINK_CB(cb->skb).portid,
					cb->nlh->nlmsg_seq, NLM_F_MULTI,
					KVTEP_CMD_FDB_GET, -1, cb);
		if (err) {
			d->pending = true;
			d->pending_key = e->key;
			break;
		}
	}
out:
	rhashtable_walk_stop(&d->iter);
	return kvtep_nl_dump_ret(skb, err);
}

static int kvtep_nl_fdb_flush_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kvtep_dev *kv = info->user_ptr[0];
	struct nlattr *tb[KVTEP_FDB_A_MAX + 1];
	struct kvtep_fdb_filter f = {};
	struct kvtep_remote_key key;
	struct kvtep_remote *r = NULL;
	int err;

	err = kvtep_nl_fdb_filter(info->attrs, tb, info->extack);
	if (err)
		return err;
	if (tb[KVTEP_FDB_A_VNI])
		f.vni = nla_get_u32(tb[KVTEP_FDB_A_VNI]);
	if (tb[KVTEP_FDB_A_TYPE]) {
		f.by_type = true;
		f.type = nla_get_u8(tb[KVTEP_FDB_A_TYPE]);
	}
	if (tb[KVTEP_FDB_A_TYPE_MASK])
		f.type_mask = nla_get_u32(tb[KVTEP_FDB_A_TYPE_MASK]);
	mutex_lock(&kv->lock);
	if (tb[KVTEP_FDB_A_REMOTE]) {
		struct kvtep_ls *ls = f.vni ? kvtep_ls_find(kv, f.vni) : NULL;

		/* A remote without encap: the LS's default, as when it was added. */
		err = kvtep_remote_parse(kv, tb[KVTEP_FDB_A_REMOTE],
					 ls ? ls->encap : KVTEP_ENCAP_VXLAN,
					 &key, info->extack);
		if (err)
			goto out;
		/* Hold the remote while we flush what points at it. */
		spin_lock_bh(&kv->fdb_lock);
		r = kvtep_remote_get(kv, &key);
		spin_unlock_bh(&kv->fdb_lock);
		if (!r) {
			err = -ENOMEM;
			goto out;
		}
		f.remote = r;
	}
	kvtep_fdb_flush(kv, &f);
	if (r) {
		spin_lock_bh(&kv->fdb_lock);
		kvtep_remote_put(kv, r);
		spin_unlock_bh(&kv->fdb_lock);
	}
out:
	mutex_unlock(&kv->lock);
	return err;
}

/* ---- flood lists ---- */

static int kvtep_nl_flood_change(struct genl_info *info, u8 cmd)
{
	struct kvtep_dev *kv = info->user_ptr[0];
	struct nlattr *tb[KVTEP_LS_A_MAX + 1];
	struct kvtep_remote_key *keys = NULL;
	struct kvtep_ls *ls;
	int n, err = 0;
	s64 vni;

	vni = kvtep_nl_ls_vni(info, tb);
	if (vni < 0)
		return vni;
	mutex_lock(&kv->lock);
	ls = kvtep_nl_ls_find(kv, vni, tb[KVTEP_LS_A_VNI], info->extack);
	if (!ls) {
		err = -ENOENT;
		goto out;
	}
	n = kvtep_nl_parse_remotes(kv, genlmsg_data(info->genlhdr),
				   genlmsg_len(info->genlhdr), KVTEP_A_REMOTE,
				   READ_ONCE(ls->encap), &keys, info->extack);
	if (n < 0) {
		err = n;
		goto out;
	}
	if (!n && cmd != KVTEP_CMD_FLOOD_SET) {
		NL_SET_ERR_MSG_MOD(info->extack, "missing KVTEP_A_REMOTE");
		NL_SET_ERR_ATTR_MISS(info->extack, NULL, KVTEP_A_REMOTE);
		err = -EINVAL;
		goto out;
	}
	err = kvtep_flood_change(kv, ls, keys, n,
				 cmd == KVTEP_CMD_FLOOD_SET ? KVTEP_FLOOD_SET :
				 cmd == KVTEP_CMD_FLOOD_ADD ? KVTEP_FLOOD_ADD :
				 KVTEP_FLOOD_DEL, info->extack);
out:
	mutex_unlock(&kv->lock);
	kfree(keys);
	return err;
}

static int kvtep_nl_flood_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	return kvtep_nl_flood_change(info, KVTEP_CMD_FLOOD_SET);
}

static int kvtep_nl_flood_add_doit(struct sk_buff *skb, struct genl_info *info)
{
	return kvtep_nl_flood_change(info, KVTEP_CMD_FLOOD_ADD);
}

static int kvtep_nl_flood_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	return kvtep_nl_flood_change(info, KVTEP_CMD_FLOOD_DEL);
}

static int kvtep_nl_fill_flood(struct sk_buff *skb, struct kvtep_dev *kv,
			       struct kvtep_ls *ls, u32 portid, u32 seq,
			       int flags, struct netlink_callback *cb)
{
	const struct kvtep_flood_list *fl;
	struct nlattr *nest;
	unsigned int i;
	void *hdr;

	hdr = kvtep_nl_put_hdr(skb, kv, portid, seq, flags, KVTEP_CMD_FLOOD_GET, cb);
	if (!hdr)
		return -EMSGSIZE;
	nest = nla_nest_start(skb, KVTEP_A_LS);
	if (!nest || nla_put_u32(skb, KVTEP_LS_A_VNI, ls->vni) ||
	    nla_put_u8(skb, KVTEP_LS_A_REPLICATION, ls->replication))
		goto fail;
	nla_nest_end(skb, nest);
	fl = rcu_dereference_protected(ls->flood, lockdep_is_held(&kv->lock));
	for (i = 0; fl && i < fl->n; i++)
		if (kvtep_remote_put_attrs(skb, KVTEP_A_REMOTE, fl->remotes[i], false))
			goto fail;
	genlmsg_end(skb, hdr);
	return 0;
fail:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/* Size of a flood list reply: the LS nest and up to the most remotes. */
static size_t kvtep_nl_flood_size(void)
{
	return nla_total_size(sizeof(u32))		/* IFINDEX */
	     + nla_total_size(0)			/* LS nest */
	     + nla_total_size(sizeof(u32))		/* VNI */
	     + nla_total_size(sizeof(u8))		/* REPLICATION */
	     + KVTEP_MAX_REMOTES * kvtep_remote_attrs_size();
}

static int kvtep_nl_flood_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	return kvtep_nl_ls_reply(info, kvtep_nl_flood_size(), kvtep_nl_fill_flood);
}

static int kvtep_nl_flood_get_dumpit(struct sk_buff *skb,
				     struct netlink_callback *cb)
{
	return kvtep_nl_ls_dump(skb, cb, kvtep_nl_fill_flood);
}

/* ---- remotes ---- */

static int kvtep_nl_remote_get_dumpit(struct sk_buff *skb,
				      struct netlink_callback *cb)
{
	netdevice_tracker tracker;
	struct kvtep_remote *r;
	struct kvtep_dev *kv;
	int bkt, err = 0;
	long pos = 0;
	void *hdr;

	kv = kvtep_nl_dump_dev(skb, cb, &tracker);
	if (IS_ERR(kv))
		return PTR_ERR(kv);
	spin_lock_bh(&kv->fdb_lock);
	cb->seq = kv->fdb_generation;
	hash_for_each(kv->remotes, bkt, r, hnode) {
		if (pos++ < cb->args[0])
			continue;
		hdr = kvtep_nl_put_hdr(skb, kv, NETLINK_CB(cb->skb).portid,
				       cb->nlh->nlmsg_seq, NLM_F_MULTI,
				       KVTEP_CMD_REMOTE_GET, cb);
		if (!hdr) {
			err = -EMSGSIZE;
		} else if (kvtep_remote_put_attrs(skb, KVTEP_A_REMOTE, r, true)) {
			genlmsg_cancel(skb, hdr);
			err = -EMSGSIZE;
		} else {
			genlmsg_end(skb, hdr);
		}
		if (err) {
			pos--;
			break;
		}
	}
	spin_unlock_bh(&kv->fdb_lock);
	netdev_put(kv->dev, &tracker);
	cb->args[0] = pos;
	return kvtep_nl_dump_ret(skb, err);
}

/* ---- statistics ---- */

static int kvtep_nl_stats_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kvtep_dev *kv = info->user_ptr[0];
	struct nlattr *stats, *drops;
	struct sk_buff *msg;
	void *hdr;
	int r;

	msg = genlmsg_new(kvtep_stats_size() + nla_total_size(0) +
			  __KVTEP_DROP_MAX * nla_total_size_64bit(sizeof(u64)) +
			  nla_total_size(IFNAMSIZ) + nla_total_size(sizeof(u32)),
			  GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = kvtep_nl_put_hdr(msg, kv, info->snd_portid, info->snd_seq, 0,
			       KVTEP_CMD_STATS_GET, NULL);
	if (!hdr || nla_put_string(msg, KVTEP_A_IFNAME, kv->dev->name))
		goto fail;
	stats = nla_nest_start(msg, KVTEP_A_STATS);
	if (!stats || kvtep_stats_put_counters(msg, kv->stats))
		goto fail;
	/*
	 * One u64 per drop reason; attribute type = reason + 1, so padding
	 * (where an architecture needs it) takes type 0 inside this nest.
	 */
	drops = nla_nest_start(msg, KVTEP_STATS_A_DROPS);
	if (!drops)
		goto fail;
	for (r = 0; r < __KVTEP_DROP_MAX; r++)
		if (nla_put_u64_64bit(msg, r + 1, kvtep_drops_read(kv, r), 0))
			goto fail;
	nla_nest_end(msg, drops);
	nla_nest_end(msg, stats);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
fail:
	WARN_ON_ONCE(1);	/* the size above is wrong */
	nlmsg_free(msg);
	return -EMSGSIZE;
}

/* A change: needs CAP_NET_ADMIN in the user namespace of the netns. */
#define KVTEP_OP_ADMIN(_cmd, _doit, _policy) {				\
	.cmd = (_cmd), .doit = (_doit), .policy = (_policy),		\
	.maxattr = KVTEP_A_MAX, .flags = GENL_UNS_ADMIN_PERM,		\
}

/* A read: anyone in the netns may look. */
#define KVTEP_OP_DUMP(_cmd, _doit, _dumpit, _policy) {			\
	.cmd = (_cmd), .doit = (_doit), .dumpit = (_dumpit),		\
	.policy = (_policy), .maxattr = KVTEP_A_MAX,			\
}

static const struct genl_ops kvtep_genl_ops[] = {
	{
		.cmd	= KVTEP_CMD_DEV_GET,
		.doit	= kvtep_nl_dev_get_doit,
		.dumpit	= kvtep_nl_dev_get_dumpit,
		.policy	= kvtep_dev_get_policy,
		.maxattr = KVTEP_A_MAX,
	},
	{
		.cmd	= KVTEP_CMD_DEV_SET,
		.doit	= kvtep_nl_dev_set_doit,
		.policy	= kvtep_dev_set_policy,
		.maxattr = KVTEP_A_MAX,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	KVTEP_OP_ADMIN(KVTEP_CMD_PORT_ADD, kvtep_nl_port_add_doit, kvtep_port_policy),
	KVTEP_OP_ADMIN(KVTEP_CMD_PORT_DEL, kvtep_nl_port_del_doit, kvtep_port_policy),
	KVTEP_OP_DUMP(KVTEP_CMD_PORT_GET, NULL, kvtep_nl_port_get_dumpit, kvtep_port_policy),
	KVTEP_OP_ADMIN(KVTEP_CMD_LS_ADD, kvtep_nl_ls_add_doit, kvtep_ls_policy),
	KVTEP_OP_ADMIN(KVTEP_CMD_LS_DEL, kvtep_nl_ls_del_doit, kvtep_ls_policy),
	KVTEP_OP_ADMIN(KVTEP_CMD_LS_SET, kvtep_nl_ls_set_doit, kvtep_ls_policy),
	KVTEP_OP_DUMP(KVTEP_CMD_LS_GET, kvtep_nl_ls_get_doit, kvtep_nl_ls_get_dumpit,
		      kvtep_ls_policy),
	KVTEP_OP_ADMIN(KVTEP_CMD_BIND_ADD, kvtep_nl_bind_add_doit, kvtep_bind_policy),
	KVTEP_OP_ADMIN(KVTEP_CMD_BIND_DEL, kvtep_nl_bind_del_doit, kvtep_bind_policy),
	KVTEP_OP_DUMP(KVTEP_CMD_BIND_GET, NULL, kvtep_nl_bind_get_dumpit, kvtep_bind_policy),
	KVTEP_OP_ADMIN(KVTEP_CMD_FDB_ADD, kvtep_nl_fdb_add_doit, kvtep_fdb_policy),
	KVTEP_OP_ADMIN(KVTEP_CMD_FDB_DEL, kvtep_nl_fdb_del_doit, kvtep_fdb_policy),
	{
		.cmd	= KVTEP_CMD_FDB_GET,
		.doit	= kvtep_nl_fdb_get_doit,
		.start	= kvtep_nl_fdb_dump_start,
		.dumpit	= kvtep_nl_fdb_get_dumpit,
		.done	= kvtep_nl_fdb_dump_done,
		.policy	= kvtep_fdb_policy,
		.maxattr = KVTEP_A_MAX,
	},
	KVTEP_OP_ADMIN(KVTEP_CMD_FDB_FLUSH, kvtep_nl_fdb_flush_doit, kvtep_fdb_policy),
	KVTEP_OP_ADMIN(KVTEP_CMD_FLOOD_SET, kvtep_nl_flood_set_doit, kvtep_flood_policy),
	KVTEP_OP_ADMIN(KVTEP_CMD_FLOOD_ADD, kvtep_nl_flood_add_doit, kvtep_flood_policy),
	KVTEP_OP_ADMIN(KVTEP_CMD_FLOOD_DEL, kvtep_nl_flood_del_doit, kvtep_flood_policy),
	KVTEP_OP_DUMP(KVTEP_CMD_FLOOD_GET, kvtep_nl_flood_get_doit,
		      kvtep_nl_flood_get_dumpit, kvtep_flood_policy),
	KVTEP_OP_DUMP(KVTEP_CMD_REMOTE_GET, NULL, kvtep_nl_remote_get_dumpit,
		      kvtep_dev_get_policy),
	KVTEP_OP_DUMP(KVTEP_CMD_STATS_GET, kvtep_nl_stats_get_doit, NULL,
		      kvtep_dev_get_policy),
};

static const struct genl_multicast_group kvtep_mcgrps[] = {
	{ .name = KVTEP_MCGRP_FDB },
	{ .name = KVTEP_MCGRP_CONFIG },
};

static struct genl_family kvtep_genl_family __ro_after_init = {
	.name		= KVTEP_GENL_NAME,
	.version	= KVTEP_GENL_VERSION,
	.netnsok	= true,
	.module		= THIS_MODULE,
	.ops		= kvtep_genl_ops,
	.n_ops		= ARRAY_SIZE(kvtep_genl_ops),
	.resv_start_op	= KVTEP_CMD_MAX + 1,
	.mcgrps		= kvtep_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(kvtep_mcgrps),
	.pre_doit	= kvtep_nl_pre_doit,
	.post_doit	= kvtep_nl_post_doit,
};

int __init kvtep_netlink_init(void)
{
	return genl_register_family(&kvtep_genl_family);
}

void kvtep_netlink_uninit(void)
{
	genl_unregister_family(&kvtep_genl_family);
}

MODULE_ALIAS_GENL_FAMILY(KVTEP_GENL_NAME);
