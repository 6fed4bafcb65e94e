// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kvtep net_device: created with "ip link add NAME type kvtep", it is
 * one emulated physical VTEP switch and, like a bridge, also its own port.
 */

#include <linux/etherdevice.h>
#include <linux/if_vlan.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <net/rtnetlink.h>

#include <uapi/linux/kvtep.h>

#include "compat.h"
#include "device.h"
#include "fdb.h"
#include "fdb_ndo.h"
#include "lswitch.h"
#include "port.h"
#include "remote.h"
#include "socket.h"

static const struct net_device_ops kvtep_netdev_ops;

#define KVTEP_DEV_OFFLOADS (NETIF_F_SG | NETIF_F_HW_CSUM | NETIF_F_FRAGLIST | \
			    NETIF_F_RXCSUM | NETIF_F_HIGHDMA | NETIF_F_GSO_SOFTWARE)

bool kvtep_netdev_is_kvtep(const struct net_device *dev)
{
	return dev->netdev_ops == &kvtep_netdev_ops;
}

u64 kvtep_drops_read(struct kvtep_dev *kv, enum kvtep_drop_reason reason)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu_ptr(kv->drops, cpu)->reason[reason]);
	return sum;
}

/* Objects below the device come up here, once it has an ifindex. */
static int kvtep_ndo_init(struct net_device *dev)
{
	struct kvtep_dev *kv = netdev_priv(dev);
	int err;

	kv->stats = kvtep_stats_alloc();
	kv->drops = alloc_percpu(struct kvtep_pcpu_drops);
	if (!kv->stats || !kv->drops)
		return -ENOMEM;	/* freed by the destructor */

	err = kvtep_remote_init(kv);
	if (err)
		return err;
	err = kvtep_ls_init(kv);
	if (err)
		goto err_remote;
	err = kvtep_fdb_init(kv);
	if (err)
		goto err_ls;
	kv->fdb_ready = true;
	err = kvtep_port_init(kv);
	if (err)
		goto err_fdb;
	return 0;

err_fdb:
	kvtep_fdb_uninit(kv);
err_ls:
	kvtep_ls_uninit(kv);
err_remote:
	kvtep_remote_uninit(kv);
	return err;
}

/* Under RTNL, when the device is unregistered: undo kvtep_ndo_init(). */
static void kvtep_ndo_uninit(struct net_device *dev)
{
	struct kvtep_dev *kv = netdev_priv(dev);

	/*
	 * A genl request holds a reference taken before RTNL: from here on
	 * it must not add a logical switch (nothing would free it).
	 */
	mutex_lock(&kv->lock);
	kv->dead = true;
	mutex_unlock(&kv->lock);
	kvtep_port_uninit(kv);		/* ports and their bindings */
	kvtep_ls_uninit(kv);		/* LSs, their FDB entries and flood lists */
	kvtep_fdb_uninit(kv);		/* what is left: nothing, normally */
	kvtep_remote_uninit(kv);
}

static void kvtep_destructor(struct net_device *dev)
{
	struct kvtep_dev *kv = netdev_priv(dev);

	if (kv->fdb_ready)
		kvtep_fdb_destroy(kv);
	free_percpu(kv->stats);
	free_percpu(kv->drops);
}

static int kvtep_ndo_open(struct net_device *dev)
{
	int err;

	err = kvtep_socks_open(netdev_priv(dev));
	if (err)
		return err;
	netif_start_queue(dev);
	return 0;
}

static int kvtep_ndo_stop(struct net_device *dev)
{
	netif_stop_queue(dev);
	kvtep_socks_close(netdev_priv(dev));
	return 0;
}

/*
 * Frames the host sends through the device's own interface enter the
 * switch as if they came from a port: the device is its own port.
 */
static netdev_tx_t kvtep_ndo_start_xmit(struct sk_buff *skb,
					struct net_device *dev)
{
	struct kvtep_dev *kv = netdev_priv(dev);

	/*
	 * A tag in the frame itself (TX VLAN offload turned off, a packet
	 * socket) goes into the metadata, where port RX looks for it, as the
	 * receive path does for real ports.
	 */
	skb_reset_mac_header(skb);
	if (!skb_vlan_tag_present(skb) && pskb_may_pull(skb, VLAN_ETH_HLEN) &&
	    eth_type_vlan(eth_hdr(skb)->h_proto)) {
		__be16 tpid = eth_hdr(skb)->h_proto;
		u16 tci;

		if (__skb_vlan_pop(skb, &tci)) {
			kvtep_drop(kv, skb, KVTEP_DROP_NOMEM);
			return NETDEV_TX_OK;
		}
		__vlan_hwaccel_put_tag(skb, tpid, tci);
	}

	rcu_read_lock();
	kvtep_port_rx(kv->self, skb);
	rcu_read_unlock();
	return NETDEV_TX_OK;
}

/* ip -s link: frames in from ports and tunnels, frames out to both. */
static void kvtep_ndo_get_stats64(struct net_device *dev,
				  struct rtnl_link_stats64 *stats)
{
	struct kvtep_dev *kv = netdev_priv(dev);
	struct kvtep_stats s;

	kvtep_stats_read(kv->stats, &s);
	stats->rx_packets = s.rx_packets + s.decap_packets;
	stats->rx_bytes = s.rx_bytes + s.decap_bytes;
	stats->tx_packets = s.tx_packets + s.encap_packets;
	stats->tx_bytes = s.tx_bytes + s.encap_bytes;
}

static int kvtep_ndo_add_slave(struct net_device *dev, struct net_device *pdev,
			       struct netlink_ext_ack *extack)
{
	return kvtep_port_add(netdev_priv(dev), pdev, extack);
}

static int kvtep_ndo_del_slave(struct net_device *dev, struct net_device *pdev)
{
	return kvtep_port_del(netdev_priv(dev), pdev, NULL);
}

static const struct net_device_ops kvtep_netdev_ops = {
	.ndo_init		= kvtep_ndo_init,
	.ndo_uninit		= kvtep_ndo_uninit,
	.ndo_open		= kvtep_ndo_open,
	.ndo_stop		= kvtep_ndo_stop,
	.ndo_start_xmit		= kvtep_ndo_start_xmit,
	.ndo_get_stats64	= kvtep_ndo_get_stats64,
	.ndo_add_slave		= kvtep_ndo_add_slave,
	.ndo_del_slave		= kvtep_ndo_del_slave,
	.ndo_set_mac_address	= eth_mac_addr,
	.ndo_validate_addr	= eth_validate_addr,
	.ndo_fdb_add		= kvtep_ndo_fdb_add,
	.ndo_fdb_del		= kvtep_ndo_fdb_del,
	.ndo_fdb_dump		= kvtep_ndo_fdb_dump,
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
	dev->priv_destructor = kvtep_destructor;
	dev->priv_flags |= IFF_NO_QUEUE;
	dev->priv_flags &= ~IFF_TX_SKB_SHARING;
	kvtep_set_lltx(dev);
	/*
	 * The host's own frames (the self port) stay large and keep their
	 * checksum to do until they leave us: a tunnel segments and
	 * checksums them late (UDP tunnel GSO, as the underlay offers it),
	 * a port's own xmit path does the same for a local delivery.
	 */
	dev->features |= KVTEP_DEV_OFFLOADS;
	dev->hw_features |= KVTEP_DEV_OFFLOADS;
	dev->vlan_features |= KVTEP_DEV_OFFLOADS;
	/*
	 * A VLAN device on top of ours (the self port with a VLAN binding)
	 * hands us its tag in the skb metadata, where port RX looks for it,
	 * instead of pushing it into the frame.
	 */
	dev->features |= NETIF_F_HW_VLAN_CTAG_TX | NETIF_F_HW_VLAN_STAG_TX;
	dev->hw_features |= NETIF_F_HW_VLAN_CTAG_TX | NETIF_F_HW_VLAN_STAG_TX;
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
