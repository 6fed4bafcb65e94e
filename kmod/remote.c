// SPDX-License-Identifier: GPL-2.0-only
/*
 * Remotes: tunnel destinations shared by FDB entries and flood lists,
 * reference counted, each with its cached route.
 */

#include <linux/jhash.h>
#include <linux/slab.h>
#include <net/ipv6.h>
#include <net/netlink.h>

#include <uapi/linux/kvtep.h>

#include "device.h"
#include "remote.h"

bool kvtep_remote_key_equal(const struct kvtep_remote_key *a,
			    const struct kvtep_remote_key *b)
{
	if (a->family != b->family || a->port != b->port || a->encap != b->encap)
		return false;
	if (a->family == AF_INET)
		return a->addr.ip4 == b->addr.ip4;
	return ipv6_addr_equal(&a->addr.ip6, &b->addr.ip6);
}

static u32 kvtep_remote_hash(const struct kvtep_remote_key *key)
{
	u32 h = key->port | key->encap << 16 | key->family << 24;

	if (key->family == AF_INET)
		return jhash_1word((__force u32)key->addr.ip4, h);
	return jhash2((const u32 *)&key->addr.ip6, 4, h);
}

int kvtep_remote_init(struct kvtep_dev *kv)
{
	hash_init(kv->remotes);
	return 0;
}

/* Every FDB entry and flood list is gone by now: so are the remotes. */
void kvtep_remote_uninit(struct kvtep_dev *kv)
{
	WARN_ON(!hash_empty(kv->remotes));
}

/*
 * Find the remote with @key or create it; returns it with a reference the
 * caller owns, or NULL when out of memory. Caller holds fdb_lock.
 */
/*
 * A new, unhashed remote. Its route cache is per CPU: an atomic per-CPU
 * allocation fails once the allocator's atomic reserve is used up, which
 * a bulk FDB load with many remotes does, so the config path allocates
 * with GFP_KERNEL before taking fdb_lock (kvtep_remote_get_spare()).
 */
struct kvtep_remote *kvtep_remote_alloc(gfp_t gfp)
{
	struct kvtep_remote *r = kzalloc(sizeof(*r), gfp);

	if (!r)
		return NULL;
	if (dst_cache_init(&r->dst_cache, gfp)) {
		kfree(r);
		return NULL;
	}
	return r;
}

/* Free a remote from kvtep_remote_alloc() that was never hashed. */
void kvtep_remote_free(struct kvtep_remote *r)
{
	if (!r)
		return;
	dst_cache_destroy(&r->dst_cache);
	kfree(r);
}

/* Is there a remote for @key? Caller holds fdb_lock. */
bool kvtep_remote_exists(struct kvtep_dev *kv, const struct kvtep_remote_key *key)
{
	struct kvtep_remote *r;

	lockdep_assert_held(&kv->fdb_lock);
	hash_for_each_possible(kv->remotes, r, hnode, kvtep_remote_hash(key))
		if (kvtep_remote_key_equal(&r->key, key))
			return true;
	return false;
}

/*
 * Find the remote for @key and take a reference, or create it: from
 * *@spare if there is one (then *@spare becomes NULL), else atomically.
 */
struct kvtep_remote *kvtep_remote_get_spare(struct kvtep_dev *kv,
					    const struct kvtep_remote_key *key,
					    struct kvtep_remote **spare)
{
	u32 hash = kvtep_remote_hash(key);
	struct kvtep_remote *r;

	lockdep_assert_held(&kv->fdb_lock);
	hash_for_each_possible(kv->remotes, r, hnode, hash) {
		if (kvtep_remote_key_equal(&r->key, key)) {
			refcount_inc(&r->refcnt);
			return r;
		}
	}

	if (spare && *spare) {
		r = *spare;
		*spare = NULL;
	} else {
		r = kvtep_remote_alloc(GFP_ATOMIC);
		if (!r)
			return NULL;
	}
	r->key = *key;
	refcount_set(&r->refcnt, 1);
	hash_add(kv->remotes, &r->hnode, hash);
	return r;
}

struct kvtep_remote *kvtep_remote_get(struct kvtep_dev *kv,
				      const struct kvtep_remote_key *key)
{
	return kvtep_remote_get_spare(kv, key, NULL);
}

/*
 * Allocate, outside fdb_lock and with GFP_KERNEL, a remote for each of
 * the @n keys in @keys that has none yet, so that building a flood list
 * or a remote set under fdb_lock does not allocate atomically (per-CPU
 * route caches fail there once the per-CPU atomic reserve runs dry).
 * A remote created meanwhile leaves a spare unused; one deleted
 * meanwhile makes kvtep_remote_pool_get() allocate atomically.
 */
int kvtep_remote_pool_fill(struct kvtep_dev *kv, struct kvtep_remote_pool *pool,
			   const struct kvtep_remote_key *keys, unsigned int n)
{
	unsigned int i, need = 0;

	memset(pool, 0, sizeof(*pool));
	spin_lock_bh(&kv->fdb_lock);
	for (i = 0; i < n; i++)
		if (!kvtep_remote_exists(kv, &keys[i]))
			need++;
	spin_unlock_bh(&kv->fdb_lock);
	if (!need)
		return 0;
	pool->r = kcalloc(need, sizeof(*pool->r), GFP_KERNEL);
	if (!pool->r)
		return -ENOMEM;
	for (pool->n = 0; pool->n < need; pool->n++) {
		pool->r[pool->n] = kvtep_remote_alloc(GFP_KERNEL);
		if (!pool->r[pool->n]) {
			kvtep_remote_pool_free(pool);
			return -ENOMEM;
		}
	}
	return 0;
}

/* kvtep_remote_get(), a new remote coming from @pool. Under fdb_lock. */
struct kvtep_remote *kvtep_remote_pool_get(struct kvtep_dev *kv,
					   struct kvtep_remote_pool *pool,
					   const struct kvtep_remote_key *key)
{
	struct kvtep_remote **spare = NULL;

	if (pool->used < pool->n)
		spare = &pool->r[pool->used];
	if (spare) {
		struct kvtep_remote *r = kvtep_remote_get_spare(kv, key, spare);

		if (!*spare)
			pool->used++;
		return r;
	}
	return kvtep_remote_get(kv, key);
}

/* Free the spares left unused. */
void kvtep_remote_pool_free(struct kvtep_remote_pool *pool)
{
	unsigned int i;

	for (i = pool->used; i < pool->n; i++)
		kvtep_remote_free(pool->r[i]);
	kfree(pool->r);
	memset(pool, 0, sizeof(*pool));
}

void kvtep_remote_hold(struct kvtep_remote *r)
{
	refcount_inc(&r->refcnt);
}

static void kvtep_remote_free_rcu(struct rcu_head *head)
{
	struct kvtep_remote *r = container_of(head, struct kvtep_remote, rcu);

	dst_cache_destroy(&r->dst_cache);
	kfree(r);
}

/* Drop a reference; the last one unhashes the remote. Caller holds fdb_lock. */
void kvtep_remote_put(struct kvtep_dev *kv, struct kvtep_remote *r)
{
	lockdep_assert_held(&kv->fdb_lock);
	if (!refcount_dec_and_test(&r->refcnt))
		return;
	hash_del(&r->hnode);
	call_rcu(&r->rcu, kvtep_remote_free_rcu);
}

static const struct nla_policy kvtep_remote_policy[KVTEP_REMOTE_A_MAX + 1] = {
	[KVTEP_REMOTE_A_IP4]	= NLA_POLICY_EXACT_LEN(sizeof(__be32)),
	[KVTEP_REMOTE_A_IP6]	= NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[KVTEP_REMOTE_A_PORT]	= NLA_POLICY_MIN(NLA_U16, 1),
	[KVTEP_REMOTE_A_ENCAP]	= NLA_POLICY_MAX(NLA_U8, KVTEP_ENCAP_MAX),
};

/*
 * Parse a KVTEP_*_REMOTE nest into @key. The remote must be a unicast
 * address of a family the device has a local address for.
 */
int kvtep_remote_parse(struct kvtep_dev *kv, const struct nlattr *nest,
		       u8 default_encap, struct kvtep_remote_key *key,
		       struct netlink_ext_ack *extack)
{
	struct nlattr *tb[KVTEP_REMOTE_A_MAX + 1];
	int err;

	err = nla_parse_nested(tb, KVTEP_REMOTE_A_MAX, nest, kvtep_remote_policy,
			       extack);
	if (err)
		return err;

	memset(key, 0, sizeof(*key));
	if (!!tb[KVTEP_REMOTE_A_IP4] == !!tb[KVTEP_REMOTE_A_IP6]) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "kvtep: remote needs exactly one of KVTEP_REMOTE_A_IP4 and KVTEP_REMOTE_A_IP6");
		return -EINVAL;
	}
	key->encap = tb[KVTEP_REMOTE_A_ENCAP] ?
		     nla_get_u8(tb[KVTEP_REMOTE_A_ENCAP]) : default_encap;
	if (tb[KVTEP_REMOTE_A_PORT])
		key->port = nla_get_u16(tb[KVTEP_REMOTE_A_PORT]);
	else if (key->encap == KVTEP_ENCAP_GENEVE)
		key->port = READ_ONCE(kv->cfg.geneve_port);
	else
		key->port = READ_ONCE(kv->cfg.vxlan_port);

	if (tb[KVTEP_REMOTE_A_IP4]) {
		key->family = AF_INET;
		key->addr.ip4 = nla_get_in_addr(tb[KVTEP_REMOTE_A_IP4]);
		if (ipv4_is_multicast(key->addr.ip4) ||
		    ipv4_is_lbcast(key->addr.ip4) ||
		    ipv4_is_zeronet(key->addr.ip4)) {
			NL_SET_ERR_MSG_ATTR(extack, tb[KVTEP_REMOTE_A_IP4],
					    "kvtep: remote IPv4 address must be unicast");
			return -EINVAL;
		}
		if (!READ_ONCE(kv->cfg.local_ip4)) {
			NL_SET_ERR_MSG_ATTR(extack, tb[KVTEP_REMOTE_A_IP4],
					    "kvtep: IPv4 remote but the device has no local IPv4 address");
			return -EAFNOSUPPORT;
		}
	} else {
		key->family = AF_INET6;
		key->addr.ip6 = nla_get_in6_addr(tb[KVTEP_REMOTE_A_IP6]);
		if (ipv6_addr_is_multicast(&key->addr.ip6) ||
		    ipv6_addr_any(&key->addr.ip6)) {
			NL_SET_ERR_MSG_ATTR(extack, tb[KVTEP_REMOTE_A_IP6],
					    "kvtep: remote IPv6 address must be unicast");
			return -EINVAL;
		}
		if (ipv6_addr_any(&kv->cfg.local_ip6)) {
			NL_SET_ERR_MSG_ATTR(extack, tb[KVTEP_REMOTE_A_IP6],
					    "kvtep: IPv6 remote but the device has no local IPv6 address");
			return -EAFNOSUPPORT;
		}
	}
	return 0;
}

size_t kvtep_remote_attrs_size(void)
{
	return nla_total_size(0)			/* nest */
	     + nla_total_size(sizeof(struct in6_addr))	/* IP4 or IP6 */
	     + nla_total_size(sizeof(u16))		/* PORT */
	     + nla_total_size(sizeof(u8))		/* ENCAP */
	     + nla_total_size(sizeof(u32));		/* REFCNT */
}

int kvtep_remote_put_attrs(struct sk_buff *skb, int attrtype,
			   const struct kvtep_remote *r, bool with_refcnt)
{
	struct nlattr *nest = nla_nest_start(skb, attrtype);

	if (!nest)
		return -EMSGSIZE;
	if (r->key.family == AF_INET) {
		if (nla_put_in_addr(skb, KVTEP_REMOTE_A_IP4, r->key.addr.ip4))
			goto fail;
	} else if (nla_put_in6_addr(skb, KVTEP_REMOTE_A_IP6, &r->key.addr.ip6)) {
		goto fail;
	}
	if (nla_put_u16(skb, KVTEP_REMOTE_A_PORT, r->key.port) ||
	    nla_put_u8(skb, KVTEP_REMOTE_A_ENCAP, r->key.encap))
		goto fail;
	if (with_refcnt &&
	    nla_put_u32(skb, KVTEP_REMOTE_A_REFCNT, refcount_read(&r->refcnt)))
		goto fail;
	nla_nest_end(skb, nest);
	return 0;
fail:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}
