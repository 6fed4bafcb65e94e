/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _KVTEP_FLOOD_H
#define _KVTEP_FLOOD_H

#include <linux/gfp.h>
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

/* The most remotes in one flood list. */
#define KVTEP_FLOOD_MAX	1024

struct kvtep_flood_list *kvtep_flood_list_alloc(unsigned int n, gfp_t gfp);
void kvtep_flood_list_free(struct kvtep_dev *kv, struct kvtep_flood_list *fl);
void kvtep_flood_list_free_rcu(struct kvtep_dev *kv, struct kvtep_flood_list *fl);

enum kvtep_flood_op {
	KVTEP_FLOOD_SET,	/* the list becomes @keys */
	KVTEP_FLOOD_ADD,	/* @keys join it; those there already are no-ops */
	KVTEP_FLOOD_DEL,	/* @keys leave it; each must be there (-ENOENT) */
};

/*
 * Change the flood list of @ls by the @n remotes in @keys (duplicates
 * allowed). Caller holds &kvtep_dev.lock, not fdb_lock: this sleeps.
 */
int kvtep_flood_change(struct kvtep_dev *kv, struct kvtep_ls *ls,
		       const struct kvtep_remote_key *keys, unsigned int n,
		       enum kvtep_flood_op op, struct netlink_ext_ack *extack);

/*
 * Deliver a broadcast / unknown unicast / multicast frame: to every local
 * binding of @ls but @from, and, when @to_tunnels, to @remotes per the
 * LS's replication mode. Consumes @skb.
 */
void kvtep_flood(struct kvtep_dev *kv, struct kvtep_ls *ls,
		 const struct kvtep_binding *from, bool to_tunnels,
		 const struct kvtep_flood_list *remotes, struct sk_buff *skb);

#endif /* _KVTEP_FLOOD_H */
