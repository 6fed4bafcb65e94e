/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _KVTEP_PORT_H
#define _KVTEP_PORT_H

#include <linux/if_vlan.h>
#include <linux/list.h>
#include <linux/netdevice.h>
#include <linux/rcupdate.h>

#include "stats.h"

struct kvtep_dev;
struct kvtep_ls;
struct netlink_ext_ack;

/**
 * struct kvtep_binding - (port, VLAN) -> logical switch
 * @port: the port; a binding never outlives it
 * @ls: the logical switch; a binding never outlives it
 * @vlan: 0 = untagged, else the 802.1Q VID on the port
 * @port_key: OVN logical port key (Geneve option), 0 = none
 * @ls_node: in &kvtep_ls.bindings (RCU), under &kvtep_dev.lock
 * @stats: frames from and to this binding
 * @rcu: freed after a grace period
 */
struct kvtep_binding {
	struct kvtep_port *port;
	struct kvtep_ls *ls;
	u16 vlan;
	u16 port_key;
	struct list_head ls_node;
	struct kvtep_pcpu_stats __percpu *stats;
	struct rcu_head rcu;
};

/**
 * struct kvtep_port - an Ethernet netdev owned by a kvtep device
 * @rcu: freed after a grace period (first: kvfree_rcu() wants it near)
 * @kv: the kvtep device
 * @dev: the port's netdev; for the device's own port, the kvtep netdev
 * @dev_tracker: our reference on @dev
 * @node: in &kvtep_dev.ports, under &kvtep_dev.lock and RTNL
 * @n_bindings: bindings on this port, under &kvtep_dev.lock
 * @vlan: binding per VID (0 = untagged), RCU, under &kvtep_dev.lock.
 *	A flat table: one load per frame, 32 KiB per port.
 */
struct kvtep_port {
	struct rcu_head rcu;
	struct kvtep_dev *kv;
	struct net_device *dev;
	netdevice_tracker dev_tracker;
	struct list_head node;
	unsigned int n_bindings;
	struct kvtep_binding __rcu *vlan[VLAN_N_VID];
};

int kvtep_port_init(struct kvtep_dev *kv);
void kvtep_port_uninit(struct kvtep_dev *kv);

struct kvtep_port *kvtep_port_find(struct kvtep_dev *kv, int ifindex);
int kvtep_port_add(struct kvtep_dev *kv, struct net_device *pdev,
		   struct netlink_ext_ack *extack);
int kvtep_port_del(struct kvtep_dev *kv, struct net_device *pdev,
		   struct netlink_ext_ack *extack);

int kvtep_binding_add(struct kvtep_dev *kv, struct kvtep_port *port, u16 vlan,
		      struct kvtep_ls *ls, u16 port_key,
		      struct netlink_ext_ack *extack);
void kvtep_binding_del(struct kvtep_dev *kv, struct kvtep_binding *b);

/* RX of a frame from a port (or the device's own interface). */
void kvtep_port_rx(struct kvtep_port *port, struct sk_buff *skb);
/* Send @skb out of binding @b, tagged with its VLAN; consumes @skb. */
void kvtep_binding_xmit(struct kvtep_binding *b, struct sk_buff *skb);

int kvtep_port_notifier_init(void);
void kvtep_port_notifier_uninit(void);

#endif /* _KVTEP_PORT_H */
