/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _KVTEP_FLOOD_H
#define _KVTEP_FLOOD_H

#include <linux/rcupdate.h>
#include <linux/types.h>

struct kvtep_binding;
struct kvtep_dev;
struct kvtep_ls;
struct kvtep_remote;
struct kvtep_remote_key;
struct netlink_ext_ack;
struct sk_buff;

/**
 * struct kvtep_flood_list - an immutable set of remotes
 * @rcu: freed after a grace period
 * @n: number of remotes
 * @remotes: each holds a reference on its remote
 *
 * Used for a logical switch's flood list and for the remote set of a
 * multicast MAC. Never changed in place: a change builds a new list and
 * swaps the pointer, so a reader sees the old or the new set, whole.
 */
struct kvtep_flood_list {
	struct rcu_head rcu;
	unsigned int n;
	struct kvtep_remote *remotes[];
};

struct kvtep_flood_list *kvtep_flood_list_alloc(unsigned int n);
void kvtep_flood_list_free(struct kvtep_dev *kv, struct kvtep_flood_list *fl);
void kvtep_flood_list_free_rcu(struct kvtep_dev *kv, struct kvtep_flood_list *fl);

/*
 * Add remote @key to the flood list of @ls (a no-op when it is there), or
 * remove it (-ENOENT when it is not there; @key NULL: empty the list).
 * Caller holds &kvtep_dev.lock.
 */
int kvtep_flood_change_one(struct kvtep_dev *kv, struct kvtep_ls *ls,
			   const struct kvtep_remote_key *key, bool add,
			   struct netlink_ext_ack *extack);

/*
 * Deliver a broadcast / unknown unicast / multicast frame: to every local
 * binding of @ls but @from, and, when @to_tunnels, to @remotes per the
 * LS's replication mode. Consumes @skb.
 */
void kvtep_flood(struct kvtep_dev *kv, struct kvtep_ls *ls,
		 const struct kvtep_binding *from, bool to_tunnels,
		 const struct kvtep_flood_list *remotes, struct sk_buff *skb);

#endif /* _KVTEP_FLOOD_H */
