/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _KVTEP_DEVICE_H
#define _KVTEP_DEVICE_H

#include <linux/netdevice.h>
#include <linux/mutex.h>
#include <linux/in6.h>
#include <linux/hashtable.h>
#include <linux/rhashtable-types.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "stats.h"

struct kvtep_port;
struct kvtep_sock;

/**
 * struct kvtep_config - tunnel settings of one device
 * @local_ip4: local tunnel IPv4 address, 0 when unset
 * @local_ip6: local tunnel IPv6 address, :: when unset
 * @vxlan_port: UDP port VXLAN is sent to and received on
 * @geneve_port: UDP port Geneve is sent to and received on
 * @ttl: outer TTL / hop limit, 0 = take the route's
 * @tos: outer TOS, KVTEP_TOS_INHERIT = copy from the inner header
 * @df: enum kvtep_df
 * @learning: learn source MACs on local ports
 * @tunnel_learning: learn source MACs from tunnels
 * @udp_csum: compute the outer UDP checksum over IPv4 (IPv6 always does)
 * @ageing: seconds before a learned entry ages out, 0 = never
 * @fdb_max: FDB entries allowed in the whole device, 0 = no limit
 *
 * Written only under &kvtep_dev.lock. Fields the datapath reads are
 * written with WRITE_ONCE() and read with READ_ONCE(), so a reader sees
 * each field either old or new; no reader needs two fields to agree.
 */
struct kvtep_config {
	__be32 local_ip4;
	struct in6_addr local_ip6;
	u16 vxlan_port;
	u16 geneve_port;
	u8 ttl;
	u8 tos;
	u8 df;
	bool learning;
	bool tunnel_learning;
	bool udp_csum;
	u32 ageing;
	u32 fdb_max;
};

/**
 * struct kvtep_dev - one kvtep device: an emulated physical VTEP switch
 * @dev: the net_device this is the private area of
 * @lock: the writer lock of this device: every configuration change of
 *	the device and of the objects below it is made holding it. Readers
 *	(the datapath, dumps) do not take it.
 * @cfg: tunnel settings, protected by @lock
 * @generation: bumped under @lock on every change, lets dumps detect
 *	that they were interrupted (NLM_F_DUMP_INTR)
 * @dev_tracker: reference of a netlink request that is using the device
 * @fdb_lock: the writer lock of the FDB and of the remote table. A spinlock
 *	because learning writes the FDB from softirq. Lock order:
 *	RTNL, then @lock, then @fdb_lock.
 * @ports: &kvtep_port.node list, under RTNL and @lock
 * @self: the device's own interface as a port (bindable like any port)
 * @ls_hash: logical switches by VNI, RCU, under @lock
 * @n_ls: number of logical switches, under @lock
 * @remotes: remotes by key, under @fdb_lock
 * @fdb: (VNI, MAC) -> entry, RCU readers, writes under @fdb_lock
 * @fdb_ready: @fdb is initialised (and so must be destroyed)
 * @dead: ndo_uninit has emptied the device, under @lock: netlink requests
 *	that found it before must not add to it
 * @fdb_count: entries in @fdb
 * @fdb_generation: bumped under @fdb_lock on every FDB change
 * @ageing_work: ages out learned entries
 * @vxlan_sk4: IPv4 VXLAN socket while the device is up (RCU, RTNL)
 * @vxlan_sk6: IPv6 VXLAN socket while the device is up (RCU, RTNL)
 * @geneve_sk4: IPv4 Geneve socket while the device is up (RCU, RTNL)
 * @geneve_sk6: IPv6 Geneve socket while the device is up (RCU, RTNL)
 * @stats: traffic counters of the whole device
 * @drops: drop counters by reason
 */
struct kvtep_dev {
	struct net_device *dev;
	struct mutex lock;	/* the writer lock, see above */
	struct kvtep_config cfg;
	u32 generation;
	netdevice_tracker dev_tracker;

	spinlock_t fdb_lock;	/* FDB and remotes, see above */
	struct list_head ports;
	struct kvtep_port *self;
	DECLARE_HASHTABLE(ls_hash, 8);
	unsigned int n_ls;
	DECLARE_HASHTABLE(remotes, 6);
	struct rhashtable fdb;
	bool fdb_ready;
	bool dead;
	atomic_t fdb_count;
	u32 fdb_generation;
	struct delayed_work ageing_work;
	struct kvtep_sock __rcu *vxlan_sk4;
	struct kvtep_sock __rcu *vxlan_sk6;
	struct kvtep_sock __rcu *geneve_sk4;
	struct kvtep_sock __rcu *geneve_sk6;

	struct kvtep_pcpu_stats __percpu *stats;
	struct kvtep_pcpu_drops __percpu *drops;
};

/* Count a dropped frame by reason and free it. */
static inline void kvtep_drop(struct kvtep_dev *kv, struct sk_buff *skb,
			      enum kvtep_drop_reason reason)
{
	this_cpu_inc(kv->drops->reason[reason]);
	dev_core_stats_rx_dropped_inc(kv->dev);
	kfree_skb(skb);
}

/* Count an event that is not a drop (e.g. reserved bits seen). */
static inline void kvtep_count(struct kvtep_dev *kv,
			       enum kvtep_drop_reason reason)
{
	this_cpu_inc(kv->drops->reason[reason]);
}

/* Bump the generation; caller holds @kv->lock. */
static inline void kvtep_dev_changed(struct kvtep_dev *kv)
{
	lockdep_assert_held(&kv->lock);
	WRITE_ONCE(kv->generation, kv->generation + 1);
}

bool kvtep_netdev_is_kvtep(const struct net_device *dev);
u64 kvtep_drops_read(struct kvtep_dev *kv, enum kvtep_drop_reason reason);
int kvtep_device_init(void);
void kvtep_device_uninit(void);

#endif /* _KVTEP_DEVICE_H */
