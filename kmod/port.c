// SPDX-License-Identifier: GPL-2.0-only
/*
 * Ports (the netdevs a kvtep device owns through an rx_handler), their
 * (port, VLAN) -> logical switch bindings, and port-side forwarding.
 */

#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/if_vlan.h>
#include <linux/netdevice.h>
#include <linux/slab.h>
#include <net/netlink.h>

#include <uapi/linux/kvtep.h>

#include "device.h"
#include "fdb.h"
#include "flood.h"
#include "lswitch.h"
#include "port.h"
#include "socket.h"

static rx_handler_result_t kvtep_port_rx_handler(struct sk_buff **pskb);

static struct kvtep_port *kvtep_port_of(const struct net_device *dev)
{
	if (rcu_access_pointer(dev->rx_handler) != kvtep_port_rx_handler)
		return NULL;
	return rtnl_dereference(dev->rx_handler_data);
}

/* Under &kvtep_dev.lock or RTNL. */
struct kvtep_port *kvtep_port_find(struct kvtep_dev *kv, int ifindex)
{
	struct kvtep_port *port;

	if (kv->dev->ifindex == ifindex)
		return kv->self;
	list_for_each_entry(port, &kv->ports, node)
		if (port->dev->ifindex == ifindex)
			return port;
	return NULL;
}

static struct kvtep_port *kvtep_port_alloc(struct kvtep_dev *kv,
					   struct net_device *dev)
{
	struct kvtep_port *port = kvzalloc(sizeof(*port), GFP_KERNEL);

	if (!port)
		return NULL;
	port->kv = kv;
	port->dev = dev;
	INIT_LIST_HEAD(&port->node);
	return port;
}

/* Enslave @pdev. Caller holds RTNL. */
int kvtep_port_add(struct kvtep_dev *kv, struct net_device *pdev,
		   struct netlink_ext_ack *extack)
{
	struct kvtep_port *port;
	int err;

	ASSERT_RTNL();
	if (pdev == kv->dev) {
		NL_SET_ERR_MSG_MOD(extack, "a kvtep device is already its own port");
		return -EINVAL;
	}
	if (kvtep_netdev_is_kvtep(pdev)) {
		NL_SET_ERR_MSG_MOD(extack, "a kvtep device cannot be a port of another");
		return -ELOOP;
	}
	if ((pdev->flags & IFF_LOOPBACK) || pdev->type != ARPHRD_ETHER ||
	    pdev->addr_len != ETH_ALEN) {
		NL_SET_ERR_MSG_MOD(extack, "a port must be an Ethernet device");
		return -EINVAL;
	}
	if (kvtep_port_of(pdev)) {
		NL_SET_ERR_MSG_MOD(extack, "device is already a port of a kvtep device");
		return -EBUSY;
	}
	if (netdev_master_upper_dev_get(pdev)) {
		NL_SET_ERR_MSG_MOD(extack, "device already has a master (bridge, bond, VRF, ...)");
		return -EBUSY;
	}

	port = kvtep_port_alloc(kv, pdev);
	if (!port)
		return -ENOMEM;
	netdev_hold(pdev, &port->dev_tracker, GFP_KERNEL);

	err = netdev_rx_handler_register(pdev, kvtep_port_rx_handler, port);
	if (err) {
		NL_SET_ERR_MSG_MOD(extack, "device is in use by another rx_handler");
		goto err_put;
	}
	err = netdev_master_upper_dev_link(pdev, kv->dev, NULL, NULL, extack);
	if (err)
		goto err_unregister;
	err = dev_set_promiscuity(pdev, 1);
	if (err)
		goto err_unlink;

	mutex_lock(&kv->lock);
	list_add_tail(&port->node, &kv->ports);
	kvtep_dev_changed(kv);
	mutex_unlock(&kv->lock);
	netdev_dbg(kv->dev, "port %s added\n", pdev->name);
	return 0;

err_unlink:
	netdev_upper_dev_unlink(pdev, kv->dev);
err_unregister:
	netdev_rx_handler_unregister(pdev);
err_put:
	netdev_put(pdev, &port->dev_tracker);
	kvfree(port);
	return err;
}

/* Release @port with all its bindings. Caller holds RTNL and kv->lock. */
static void kvtep_port_release(struct kvtep_dev *kv, struct kvtep_port *port)
{
	struct net_device *pdev = port->dev;
	struct kvtep_binding *b;
	int vid;

	ASSERT_RTNL();
	lockdep_assert_held(&kv->lock);
	for (vid = 0; vid < VLAN_N_VID && port->n_bindings; vid++) {
		b = rcu_dereference_protected(port->vlan[vid],
					      lockdep_is_held(&kv->lock));
		if (b)
			kvtep_binding_del(kv, b);
	}
	list_del(&port->node);
	kvtep_dev_changed(kv);

	dev_set_promiscuity(pdev, -1);
	netdev_upper_dev_unlink(pdev, kv->dev);
	netdev_rx_handler_unregister(pdev);	/* waits for readers */
	netdev_put(pdev, &port->dev_tracker);
	netdev_dbg(kv->dev, "port %s removed\n", pdev->name);
	kvfree_rcu(port, rcu);
}

int kvtep_port_del(struct kvtep_dev *kv, struct net_device *pdev,
		   struct netlink_ext_ack *extack)
{
	struct kvtep_port *port = kvtep_port_of(pdev);

	ASSERT_RTNL();
	if (!port || port->kv != kv) {
		NL_SET_ERR_MSG_MOD(extack, "device is not a port of this kvtep device");
		return -ENOENT;
	}
	mutex_lock(&kv->lock);
	kvtep_port_release(kv, port);
	mutex_unlock(&kv->lock);
	return 0;
}

int kvtep_port_init(struct kvtep_dev *kv)
{
	INIT_LIST_HEAD(&kv->ports);
	kv->self = kvtep_port_alloc(kv, kv->dev);
	return kv->self ? 0 : -ENOMEM;
}

/* The device is going away: release every port. Caller holds RTNL. */
void kvtep_port_uninit(struct kvtep_dev *kv)
{
	struct kvtep_port *port, *tmp;
	struct kvtep_binding *b;
	int vid;

	mutex_lock(&kv->lock);
	list_for_each_entry_safe(port, tmp, &kv->ports, node)
		kvtep_port_release(kv, port);
	for (vid = 0; vid < VLAN_N_VID && kv->self->n_bindings; vid++) {
		b = rcu_dereference_protected(kv->self->vlan[vid],
					      lockdep_is_held(&kv->lock));
		if (b)
			kvtep_binding_del(kv, b);
	}
	mutex_unlock(&kv->lock);
	kvfree_rcu(kv->self, rcu);
	kv->self = NULL;
}

int kvtep_binding_add(struct kvtep_dev *kv, struct kvtep_port *port, u16 vlan,
		      struct kvtep_ls *ls, u16 port_key,
		      struct netlink_ext_ack *extack)
{
	struct kvtep_binding *b;

	lockdep_assert_held(&kv->lock);
	b = rcu_dereference_protected(port->vlan[vlan], lockdep_is_held(&kv->lock));
	if (b) {
		if (b->ls == ls) {
			WRITE_ONCE(b->port_key, port_key);
			return 0;	/* already so */
		}
		NL_SET_ERR_MSG_MOD(extack,
				   "this (port, VLAN) is bound to another logical switch");
		return -EEXIST;
	}
	b = kzalloc(sizeof(*b), GFP_KERNEL);
	if (!b)
		return -ENOMEM;
	b->stats = kvtep_stats_alloc();
	if (!b->stats) {
		kfree(b);
		return -ENOMEM;
	}
	b->port = port;
	b->ls = ls;
	b->vlan = vlan;
	b->port_key = port_key;
	list_add_tail_rcu(&b->ls_node, &ls->bindings);
	port->n_bindings++;
	rcu_assign_pointer(port->vlan[vlan], b);
	kvtep_dev_changed(kv);
	return 0;
}

static void kvtep_binding_free_rcu(struct rcu_head *head)
{
	struct kvtep_binding *b = container_of(head, struct kvtep_binding, rcu);

	free_percpu(b->stats);
	kfree(b);
}

void kvtep_binding_del(struct kvtep_dev *kv, struct kvtep_binding *b)
{
	struct kvtep_fdb_filter filter = { .vni = b->ls->vni, .local = b };

	lockdep_assert_held(&kv->lock);
	RCU_INIT_POINTER(b->port->vlan[b->vlan], NULL);
	list_del_rcu(&b->ls_node);
	b->port->n_bindings--;
	/* No frame can reach @b after this, so nothing learns onto it... */
	synchronize_net();
	/* ...and the entries that point at it go before it does. */
	kvtep_fdb_flush(kv, &filter);
	kvtep_dev_changed(kv);
	call_rcu(&b->rcu, kvtep_binding_free_rcu);
}

/* Count a frame on the device, its LS and the binding. */
static void kvtep_count_binding(struct kvtep_binding *b,
				enum kvtep_stat_dir dir, unsigned int len)
{
	kvtep_stats_count(b->port->kv->stats, dir, len);
	kvtep_stats_count(b->ls->stats, dir, len);
	kvtep_stats_count(b->stats, dir, len);
}

void kvtep_binding_xmit(struct kvtep_binding *b, struct sk_buff *skb)
{
	struct net_device *dev = b->port->dev;
	struct kvtep_dev *kv = b->port->kv;
	unsigned int len = skb->len;

	if (b->vlan)
		__vlan_hwaccel_put_tag(skb, htons(ETH_P_8021Q), b->vlan);
	else
		__vlan_hwaccel_clear_tag(skb);

	if (dev == kv->dev) {
		/* The device's own interface: up into the host stack. */
		kvtep_count_binding(b, KVTEP_STAT_TX, len);
		skb_scrub_packet(skb, false);
		skb->protocol = eth_type_trans(skb, dev);
		skb_postpull_rcsum(skb, eth_hdr(skb), ETH_HLEN);
		netif_rx(skb);
		return;
	}
	if (unlikely(!(dev->flags & IFF_UP))) {
		kvtep_drop(kv, skb, KVTEP_DROP_XMIT);
		return;
	}
	if (unlikely(!skb_is_gso(skb) && len > dev->mtu + ETH_HLEN)) {
		kvtep_drop(kv, skb, KVTEP_DROP_MTU);
		return;
	}
	kvtep_count_binding(b, KVTEP_STAT_TX, len);
	skb->dev = dev;
	skb_forward_csum(skb);
	dev_queue_xmit(skb);
}

/*
 * A frame entered the switch through @port. @skb->data points at its
 * Ethernet header; an 802.1Q tag, if any, is in the skb metadata.
 */
void kvtep_port_rx(struct kvtep_port *port, struct sk_buff *skb)
{
	struct kvtep_dev *kv = port->kv;
	const struct kvtep_flood_list *fl;
	struct kvtep_fdb_entry *e;
	struct kvtep_binding *b;
	const struct ethhdr *eth;
	struct kvtep_ls *ls;
	u16 vid = 0;

	if (skb_vlan_tag_present(skb))
		vid = skb_vlan_tag_get_id(skb);
	b = rcu_dereference(port->vlan[vid]);
	if (unlikely(!b)) {
		kvtep_drop(kv, skb, KVTEP_DROP_NO_BINDING);
		return;
	}
	if (unlikely(!pskb_may_pull(skb, ETH_HLEN))) {
		kvtep_drop(kv, skb, KVTEP_DROP_RUNT);
		return;
	}
	skb_reset_mac_header(skb);
	eth = eth_hdr(skb);
	if (unlikely(is_multicast_ether_addr(eth->h_source))) {
		kvtep_drop(kv, skb, KVTEP_DROP_LOOP);
		return;
	}
	__vlan_hwaccel_clear_tag(skb);
	ls = b->ls;
	kvtep_count_binding(b, KVTEP_STAT_RX, skb->len);

	if (READ_ONCE(kv->cfg.learning))
		kvtep_fdb_learn_local(kv, ls, b, eth->h_source);

	if (is_multicast_ether_addr(eth->h_dest)) {
		fl = NULL;
		if (!is_broadcast_ether_addr(eth->h_dest)) {
			e = kvtep_fdb_lookup(kv, ls->vni, eth->h_dest);
			if (e && e->type == KVTEP_FDB_MCAST_REMOTE)
				fl = rcu_dereference(e->mset);
		}
		kvtep_flood(kv, ls, b, true, fl ?: rcu_dereference(ls->flood), skb);
		return;
	}

	e = kvtep_fdb_lookup(kv, ls->vni, eth->h_dest);
	if (!e || e->type == KVTEP_FDB_MCAST_REMOTE) {
		kvtep_flood(kv, ls, b, true, rcu_dereference(ls->flood), skb);
		return;
	}
	if (e->type == KVTEP_FDB_STATIC_LOCAL || e->type == KVTEP_FDB_LEARNED_LOCAL) {
		struct kvtep_binding *to = READ_ONCE(e->local);

		if (unlikely(to == b)) {
			kvtep_drop(kv, skb, KVTEP_DROP_SPLIT_HORIZON);
			return;
		}
		kvtep_binding_xmit(to, skb);
		return;
	}
	kvtep_tunnel_xmit_keys(kv, ls, READ_ONCE(e->remote),
			       READ_ONCE(b->port_key), e->port_key, skb);
}

static rx_handler_result_t kvtep_port_rx_handler(struct sk_buff **pskb)
{
	struct sk_buff *skb = *pskb;
	struct kvtep_port *port;

	if (unlikely(skb->pkt_type == PACKET_LOOPBACK))
		return RX_HANDLER_PASS;
	port = rcu_dereference(skb->dev->rx_handler_data);
	skb = skb_share_check(skb, GFP_ATOMIC);
	if (!skb)
		return RX_HANDLER_CONSUMED;
	skb_push(skb, ETH_HLEN);
	kvtep_port_rx(port, skb);
	return RX_HANDLER_CONSUMED;
}

/* A port's netdev is going away: let go of it. */
static int kvtep_port_netdev_event(struct notifier_block *nb,
				   unsigned long event, void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct kvtep_port *port;

	if (event != NETDEV_UNREGISTER)
		return NOTIFY_DONE;
	port = kvtep_port_of(dev);
	if (!port)
		return NOTIFY_DONE;
	mutex_lock(&port->kv->lock);
	kvtep_port_release(port->kv, port);
	mutex_unlock(&port->kv->lock);
	return NOTIFY_OK;
}

static struct notifier_block kvtep_port_notifier = {
	.notifier_call = kvtep_port_netdev_event,
};

int __init kvtep_port_notifier_init(void)
{
	return register_netdevice_notifier(&kvtep_port_notifier);
}

void kvtep_port_notifier_uninit(void)
{
	unregister_netdevice_notifier(&kvtep_port_notifier);
}
