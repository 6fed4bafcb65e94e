/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _KVTEP_REMOTE_H
#define _KVTEP_REMOTE_H

#include <linux/in6.h>
#include <linux/refcount.h>
#include <linux/types.h>
#include <net/dst_cache.h>

struct kvtep_dev;
struct netlink_ext_ack;
struct nlattr;
struct sk_buff;

/* What identifies a remote: where packets go and how they are wrapped. */
struct kvtep_remote_key {
	union {
		__be32 ip4;
		struct in6_addr ip6;
	} addr;
	u16 port;		/* UDP destination port, host order */
	u8 family;		/* AF_INET or AF_INET6 */
	u8 encap;		/* enum kvtep_encap */
};

/**
 * struct kvtep_remote - a tunnel destination (an OVSDB Physical_Locator)
 * @hnode: in &kvtep_dev.remotes, under &kvtep_dev.fdb_lock
 * @key: address, UDP port, family and encapsulation; never changes
 * @refcnt: one per FDB entry and flood-list slot that points here
 * @dst_cache: cached route to @key.addr; per CPU, but remotes are few
 * @rcu: freed after a grace period: the datapath reads remotes under RCU
 *
 * Remotes are shared: a thousand MACs behind one hypervisor use one
 * remote and one cached route.
 */
struct kvtep_remote {
	struct hlist_node hnode;
	struct kvtep_remote_key key;
	refcount_t refcnt;
	struct dst_cache dst_cache;
	struct rcu_head rcu;
};

int kvtep_remote_init(struct kvtep_dev *kv);
void kvtep_remote_uninit(struct kvtep_dev *kv);

struct kvtep_remote *kvtep_remote_get(struct kvtep_dev *kv,
				      const struct kvtep_remote_key *key);
struct kvtep_remote *kvtep_remote_alloc(gfp_t gfp);
void kvtep_remote_free(struct kvtep_remote *r);
bool kvtep_remote_exists(struct kvtep_dev *kv, const struct kvtep_remote_key *key);
struct kvtep_remote *kvtep_remote_get_spare(struct kvtep_dev *kv,
					    const struct kvtep_remote_key *key,
					    struct kvtep_remote **spare);

/* Remotes allocated ahead for keys without one (kvtep_remote_pool_fill). */
struct kvtep_remote_pool {
	struct kvtep_remote **r;
	unsigned int n;		/* allocated */
	unsigned int used;	/* r[0..used) went into the hash */
};

int kvtep_remote_pool_fill(struct kvtep_dev *kv, struct kvtep_remote_pool *pool,
			   const struct kvtep_remote_key *keys, unsigned int n);
struct kvtep_remote *kvtep_remote_pool_get(struct kvtep_dev *kv,
					   struct kvtep_remote_pool *pool,
					   const struct kvtep_remote_key *key);
void kvtep_remote_pool_free(struct kvtep_remote_pool *pool);
void kvtep_remote_hold(struct kvtep_remote *r);
void kvtep_remote_put(struct kvtep_dev *kv, struct kvtep_remote *r);

int kvtep_remote_parse(struct kvtep_dev *kv, const struct nlattr *nest,
		       u8 default_encap, struct kvtep_remote_key *key,
		       struct netlink_ext_ack *extack);
int kvtep_remote_put_attrs(struct sk_buff *skb, int attrtype,
			   const struct kvtep_remote *r, bool with_refcnt);
size_t kvtep_remote_attrs_size(void);
bool kvtep_remote_key_equal(const struct kvtep_remote_key *a,
			    const struct kvtep_remote_key *b);

#endif /* _KVTEP_REMOTE_H */
