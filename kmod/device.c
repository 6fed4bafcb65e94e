// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kvtep net_device: created with "ip link add NAME type kvtep", it is
 * one emulated physical VTEP switch and, like a bridge, also its own port.
 */

#include <linux/etherdevice.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <net/rtnetlink.h>

#include <uapi/linux/kvtep.h>

#include "compat.h"
#include "device.h"

static const struct net_device_ops kvtep_netdev_ops;

bool kvtep_netdev_is_kvtep(const struct net_device *dev)
{
	return dev->netdev_ops == &kvtep_netdev_ops;
}

static int kvtep_ndo_init(struct net_device *dev)
{
	dev->tstats = netdev_alloc_pcpu_stats(struct pcpu_sw_netstats);
	if (!dev->tstats)
		return -ENOMEM;
	return 0;
}

static void kvtep_ndo_uninit(struct net_device *dev)
{
	free_percpu(dev->tstats);
	dev->tstats = NULL;
}

static int kvtep_ndo_open(struct net_device *dev)
{
	netif_start_queue(dev);
	return 0;
}

static int kvtep_ndo_stop(struct net_device *dev)
{
	netif_stop_queue(dev);
	return 0;
}

/*
 * Frames the host sends through the device's own interface. Until the
 * device is bound to a logical switch they have nowhere to go.
 */
static netdev_tx_t kvtep_ndo_start_xmit(struct sk_buff *skb,
					struct net_device *dev)
{
	dev_core_stats_tx_dropped_inc(dev);
	kfree_skb(skb);
	return NETDEV_TX_OK;
}

static const struct net_device_ops kvtep_netdev_ops = {
	.ndo_init		= kvtep_ndo_init,
	.ndo_uninit		= kvtep_ndo_uninit,
	.ndo_open		= kvtep_ndo_open,
	.ndo_stop		= kvtep_ndo_stop,
	.ndo_start_xmit		= kvtep_ndo_start_xmit,
	.ndo_get_stats64	= dev_get_tstats64,
	.ndo_set_mac_address	= eth_mac_addr,
	.ndo_validate_addr	= eth_validate_addr,
};

static void kvtep_config_defaults(struct kvtep_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->vxlan_port = KVTEP_VXLAN_PORT_DEFAULT;
	cfg->geneve_port = KVTEP_GENEVE_PORT_DEFAULT;
	cfg->ttl = 0;
	cfg->tos = 0;
	cfg->df = KVTEP_DF_UNSET;
	cfg->learning = true;
	cfg->tunnel_learning = false;
	cfg->udp_csum = true;
	cfg->ageing = KVTEP_AGEING_DEFAULT;
	cfg->fdb_max = 0;
}

static void kvtep_setup(struct net_device *dev)
{
	struct kvtep_dev *kv = netdev_priv(dev);

	ether_setup(dev);
	dev->netdev_ops = &kvtep_netdev_ops;
	dev->needs_free_netdev = true;
	dev->priv_flags |= IFF_NO_QUEUE;
	dev->priv_flags &= ~IFF_TX_SKB_SHARING;
	kvtep_set_lltx(dev);
	dev->min_mtu = ETH_MIN_MTU;
	dev->max_mtu = ETH_MAX_MTU;
	eth_hw_addr_random(dev);

	kv->dev = dev;
	mutex_init(&kv->lock);
	kvtep_config_defaults(&kv->cfg);
}

static int kvtep_validate(struct nlattr *tb[], struct nlattr *data[],
			  struct netlink_ext_ack *extack)
{
	if (tb[IFLA_ADDRESS]) {
		if (nla_len(tb[IFLA_ADDRESS]) != ETH_ALEN) {
			NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_ADDRESS],
					    "kvtep: MAC address must be 6 bytes");
			return -EINVAL;
		}
		if (!is_valid_ether_addr(nla_data(tb[IFLA_ADDRESS]))) {
			NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_ADDRESS],
					    "kvtep: MAC address must be unicast and not zero");
			return -EADDRNOTAVAIL;
		}
	}
	return 0;
}

static int kvtep_newlink(struct net *src_net, struct net_device *dev,
			 struct nlattr *tb[], struct nlattr *data[],
			 struct netlink_ext_ack *extack)
{
	int err;

	err = register_netdevice(dev);
	if (err) {
		NL_SET_ERR_MSG_MOD(extack, "cannot register the device");
		return err;
	}
	netdev_dbg(dev, "created\n");
	return 0;
}

static void kvtep_dellink(struct net_device *dev, struct list_head *head)
{
	netdev_dbg(dev, "deleted\n");
	unregister_netdevice_queue(dev, head);
}

static struct rtnl_link_ops kvtep_link_ops __read_mostly = {
	.kind		= KVTEP_GENL_NAME,
	.priv_size	= sizeof(struct kvtep_dev),
	.setup		= kvtep_setup,
	.validate	= kvtep_validate,
	.newlink	= kvtep_newlink,
	.dellink	= kvtep_dellink,
};

int kvtep_device_init(void)
{
	return rtnl_link_register(&kvtep_link_ops);
}

void kvtep_device_uninit(void)
{
	/* Deletes every kvtep device in every namespace. */
	rtnl_link_unregister(&kvtep_link_ops);
}

MODULE_ALIAS_RTNL_LINK(KVTEP_GENL_NAME);
