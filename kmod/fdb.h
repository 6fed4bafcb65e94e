/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _KVTEP_FDB_H
#define _KVTEP_FDB_H

#include <linux/if_ether.h>
#include <linux/jiffies.h>
#include <linux/rhashtable-types.h>
#include <linux/types.h>

#include <uapi/linux/kvtep.h>

struct kvtep_binding;
struct kvtep_dev;
struct kvtep_flood_list;
struct kvtep_ls;
struct kvtep_remote;
struct kvtep_remote_key;
struct netlink_ext_ack;

/*
 * Lookup key: a MAC inside one logical switch. The VNI is 24 bits, kept
 * big endian in three bytes, so that the key is 9 bytes and the entry
 * fits in 32 (kvtep_fdb_vni() reads it back).
 */
struct kvtep_fdb_key {
	u8 mac[ETH_ALEN];
	u8 vni[3];
};

/**
 * struct kvtep_fdb_entry - where one MAC of one logical switch lives
 * @node: in &kvtep_dev.fdb
 * @key: (VNI, MAC)
 * @type: enum kvtep_fdb_type
 * @port_key: OVN egress port key of a remote MAC, 0 = none
 * @updated: low 32 bits of jiffies when last seen (learned) or written
 *	(static); kvtep_fdb_age() gives the age (wraps after 2^32 jiffies)
 * @local: a local binding (STATIC_LOCAL, LEARNED_LOCAL)
 * @remote: a remote holding a reference for us (*_REMOTE)
 * @mset: for MCAST_REMOTE, the set of remotes (RCU)
 *
 * 32 bytes, from a cache of its own: no per-CPU state, no back pointers
 * and no rcu_head: a removed entry is freed after a grace period from a
 * batch of pointers (see kvtep_fdb_retire() in fdb.c). Written under
 * &kvtep_dev.fdb_lock; the datapath reads entries under RCU, and reads
 * @local/@remote with READ_ONCE() because a move rewrites them in place.
 */
struct kvtep_fdb_entry {
	struct rhash_head node;
	struct kvtep_fdb_key key;
	u8 type;
	u16 port_key;
	u32 updated;
	union {
		struct kvtep_binding *local;
		struct kvtep_remote *remote;
		struct kvtep_flood_list __rcu *mset;
	};
};

static inline u32 kvtep_fdb_vni(const struct kvtep_fdb_entry *e)
{
	return e->key.vni[0] << 16 | e->key.vni[1] << 8 | e->key.vni[2];
}

/* Jiffies since @e was last seen (learned) or written (static). */
static inline unsigned long kvtep_fdb_age(const struct kvtep_fdb_entry *e)
{
	return (u32)jiffies - READ_ONCE(e->updated);
}

/* An FDB change as netlink describes it. */
struct kvtep_fdb_cfg {
	u32 vni;
	u8 mac[ETH_ALEN];
	u8 type;				/* enum kvtep_fdb_type */
	u16 port_key;
	struct kvtep_binding *local;		/* STATIC_LOCAL */
	const struct kvtep_remote_key *rkeys;	/* STATIC_REMOTE: 1, MCAST: n */
	unsigned int n_rkeys;
};

/* Which entries a flush removes; zero fields match everything. */
struct kvtep_fdb_filter {
	u32 vni;
	bool by_type;
	u8 type;
	const struct kvtep_remote *remote;
	const struct kvtep_binding *local;
	u32 type_mask;		/* BIT(type) of the types to match */
};

int kvtep_fdb_module_init(void);
void kvtep_fdb_module_exit(void);
int kvtep_fdb_init(struct kvtep_dev *kv);
void kvtep_fdb_uninit(struct kvtep_dev *kv);
void kvtep_fdb_destroy(struct kvtep_dev *kv);
void kvtep_fdb_ageing_changed(struct kvtep_dev *kv);

struct kvtep_fdb_entry *kvtep_fdb_lookup(struct kvtep_dev *kv, u32 vni,
					 const u8 *mac);
void kvtep_fdb_learn_local(struct kvtep_dev *kv, struct kvtep_ls *ls,
			   struct kvtep_binding *b, const u8 *mac);
void kvtep_fdb_learn_remote(struct kvtep_dev *kv, struct kvtep_ls *ls,
			    const u8 *mac, const struct kvtep_remote_key *src);
extern const struct rhashtable_params kvtep_fdb_params;

int kvtep_fdb_add(struct kvtep_dev *kv, struct kvtep_ls *ls,
		  const struct kvtep_fdb_cfg *cfg, bool replace,
		  struct netlink_ext_ack *extack);
int kvtep_fdb_del(struct kvtep_dev *kv, u32 vni, const u8 *mac,
		  struct netlink_ext_ack *extack);
unsigned int kvtep_fdb_flush(struct kvtep_dev *kv,
			     const struct kvtep_fdb_filter *filter);

/* Generation of the FDB: bumped on every change; dumps compare it. */
u32 kvtep_fdb_generation(struct kvtep_dev *kv);

#endif /* _KVTEP_FDB_H */
