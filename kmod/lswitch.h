/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _KVTEP_LSWITCH_H
#define _KVTEP_LSWITCH_H

#include <linux/list.h>
#include <linux/rcupdate.h>
#include <linux/types.h>

#include "stats.h"

struct kvtep_dev;
struct kvtep_flood_list;
struct netlink_ext_ack;

/**
 * struct kvtep_ls - a logical switch, known by its VNI
 * @hnode: in &kvtep_dev.ls_hash (RCU), under &kvtep_dev.lock
 * @vni: 24-bit VNI, the OVSDB tunnel_key; never changes
 * @replication: enum kvtep_replication
 * @encap: enum kvtep_encap given to remotes created without one
 * @ovn_opt: add the OVN Geneve option on transmit
 * @fdb_max: entry limit of this LS, 0 = none
 * @fdb_count: entries in this LS now
 * @bindings: the local bindings of this LS (RCU list of
 *	&kvtep_binding.ls_node), under &kvtep_dev.lock
 * @flood: remotes that get BUM traffic, replaced whole under
 *	&kvtep_dev.lock, read under RCU
 * @stats: this LS's traffic counters
 * @rcu: freed after a grace period
 *
 * Settings are written with WRITE_ONCE() under &kvtep_dev.lock and read
 * with READ_ONCE() by the datapath.
 */
struct kvtep_ls {
	struct hlist_node hnode;
	u32 vni;
	u8 replication;
	u8 encap;
	bool ovn_opt;
	u32 fdb_max;
	atomic_t fdb_count;
	struct list_head bindings;
	struct kvtep_flood_list __rcu *flood;
	struct kvtep_pcpu_stats __percpu *stats;
	struct rcu_head rcu;
};

int kvtep_ls_init(struct kvtep_dev *kv);
void kvtep_ls_uninit(struct kvtep_dev *kv);

struct kvtep_ls *kvtep_ls_find(struct kvtep_dev *kv, u32 vni);
struct kvtep_ls *kvtep_ls_add(struct kvtep_dev *kv, u32 vni,
			      struct netlink_ext_ack *extack);
void kvtep_ls_del(struct kvtep_dev *kv, struct kvtep_ls *ls);

#endif /* _KVTEP_LSWITCH_H */
