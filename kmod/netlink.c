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
#include <linux/netdevice.h>
#include <net/genetlink.h>
#include <net/ipv6.h>
#include <net/netlink.h>
#include <net/rtnetlink.h>
#include <net/sock.h>

#include <uapi/linux/kvtep.h>

#include "compat.h"
#include "device.h"
#include "netlink.h"

static struct genl_family kvtep_genl_family;

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

	hdr = genlmsg_put(skb, portid, seq, &kvtep_genl_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);

	mutex_lock(&kv->lock);
	if (nla_put_u32(skb, KVTEP_A_IFINDEX, kv->dev->ifindex) ||
	    nla_put_string(skb, KVTEP_A_IFNAME, kv->dev->name) ||
	    kvtep_nl_put_cfg(skb, &kv->cfg) ||
	    nla_put_u32(skb, KVTEP_A_FDB_COUNT, 0) ||
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
	return err == -EMSGSIZE ? skb->len : err ?: skb->len;
}

static int kvtep_nl_dev_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kvtep_dev *kv = info->user_ptr[0];
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr **a = info->attrs;
	struct kvtep_config *cfg = &kv->cfg;

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

	mutex_lock(&kv->lock);
	if (a[KVTEP_A_VXLAN_PORT])
		WRITE_ONCE(cfg->vxlan_port, nla_get_u16(a[KVTEP_A_VXLAN_PORT]));
	if (a[KVTEP_A_GENEVE_PORT])
		WRITE_ONCE(cfg->geneve_port, nla_get_u16(a[KVTEP_A_GENEVE_PORT]));
	if (cfg->vxlan_port == cfg->geneve_port) {
		/* Only one of the two was given and it collides. */
		mutex_unlock(&kv->lock);
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
	if (a[KVTEP_A_AGEING])
		WRITE_ONCE(cfg->ageing, nla_get_u32(a[KVTEP_A_AGEING]));
	if (a[KVTEP_A_FDB_MAX])
		WRITE_ONCE(cfg->fdb_max, nla_get_u32(a[KVTEP_A_FDB_MAX]));
	kvtep_dev_changed(kv);
	mutex_unlock(&kv->lock);
	return 0;
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
