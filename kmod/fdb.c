// SPDX-License-Identifier: GPL-2.0-only
/*
 * The forwarding database: (VNI, MAC) -> local binding, remote, or set of
 * remotes. One resizable RCU hash table per device, so a frame costs one
 * lookup whatever the number of logical switches or entries.
 *
 * Writers (netlink, learning in softirq, the ageing work) hold
 * &kvtep_dev.fdb_lock. Readers hold only RCU. An entry's type never
 * changes in place: a change of type or destination builds a new entry
 * and swaps it in with rhashtable_replace_fast(); only a learned local
 * entry's binding is rewritten in place (a MAC moving between ports).
 */

#include <linux/etherdevice.h>
#include <linux/rhashtable.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>

#include "device.h"
#include "fdb.h"
#include "flood.h"
#include "lswitch.h"
#include "netlink.h"
#include "port.h"
#include "remote.h"

static struct kmem_cache *kvtep_fdb_cache __read_mostly;

const struct rhashtable_params kvtep_fdb_params = {
	.head_offset		= offsetof(struct kvtep_fdb_entry, node),
	.key_offset		= offsetof(struct kvtep_fdb_entry, key),
	.key_len		= sizeof(struct kvtep_fdb_key),
	.automatic_shrinking	= true,
};

/*
 * Retiring entries without an rcu_head.
 *
 * A removed entry may still be read by RCU readers (the datapath, dumps)
 * until a grace period has passed, so its memory cannot be reused at once,
 * and no field of it can serve to queue it: readers may read them all,
 * @node.next included. An rcu_head per entry would cost 16 of its 32
 * bytes; instead removed entries are queued by pointer in page-sized
 * batches (as kfree_rcu() does internally), one call_rcu() per batch.
 *
 * Retiring must not fail, yet it happens under fdb_lock and in softirq.
 * So every path that will remove an entry first reserves a slot with
 * kvtep_fdb_retire_reserve() (GFP_KERNEL before taking fdb_lock on the
 * config path, GFP_ATOMIC when learning; a failed reservation makes the
 * operation fail or learning skip the frame), and kvtep_fdb_retire()
 * consumes a reservation; kvtep_fdb_retire_unreserve() gives back one
 * unused. The invariant, under kvtep_fdb_retire_lock:
 *
 *	free slots in the open batch + KVTEP_FDB_RETIRE_MAX * spare pages
 *		>= reserved
 *
 * A batch is handed to RCU when it is full, or by a work item shortly
 * after its first entry, which swaps in a fresh page first so that the
 * free capacity never shrinks under reservations. Global, not per
 * device: entries all come from one cache, and no reader looks at the
 * batches.
 */
struct kvtep_fdb_retire_batch {
	struct rcu_head rcu;
	struct kvtep_fdb_retire_batch *next;	/* in the spare list */
	unsigned int n;
	void *e[];
};

#define KVTEP_FDB_RETIRE_MAX						\
	((PAGE_SIZE - sizeof(struct kvtep_fdb_retire_batch)) / sizeof(void *))

static DEFINE_SPINLOCK(kvtep_fdb_retire_lock);
static struct kvtep_fdb_retire_batch *kvtep_fdb_retire_cur;
static struct kvtep_fdb_retire_batch *kvtep_fdb_retire_spare;
static unsigned int kvtep_fdb_retire_nspare;
static unsigned int kvtep_fdb_retire_reserved;
static void kvtep_fdb_retire_flush(struct work_struct *work);
static DECLARE_DELAYED_WORK(kvtep_fdb_retire_work, kvtep_fdb_retire_flush);

static struct kvtep_fdb_retire_batch *kvtep_fdb_retire_batch_alloc(gfp_t gfp)
{
	struct kvtep_fdb_retire_batch *b;

	b = (void *)__get_free_page(gfp | __GFP_NOWARN);
	if (b) {
		b->n = 0;
		b->next = NULL;
	}
	return b;
}

static void kvtep_fdb_retire_batch_free_rcu(struct rcu_head *head)
{
	struct kvtep_fdb_retire_batch *b;

	b = container_of(head, struct kvtep_fdb_retire_batch, rcu);
	kmem_cache_free_bulk(kvtep_fdb_cache, b->n, b->e);
	free_page((unsigned long)b);
}

static unsigned long kvtep_fdb_retire_capacity(void)
{
	struct kvtep_fdb_retire_batch *cur = kvtep_fdb_retire_cur;

	lockdep_assert_held(&kvtep_fdb_retire_lock);
	return (cur ? KVTEP_FDB_RETIRE_MAX - cur->n : 0) +
	       (unsigned long)kvtep_fdb_retire_nspare * KVTEP_FDB_RETIRE_MAX;
}

/* Promise one retire slot; -ENOMEM when no page can be had with @gfp. */
static int kvtep_fdb_retire_reserve(gfp_t gfp)
{
	struct kvtep_fdb_retire_batch *b = NULL;

	spin_lock_bh(&kvtep_fdb_retire_lock);
	while (kvtep_fdb_retire_capacity() < kvtep_fdb_retire_reserved + 1) {
		if (b) {
			b->next = kvtep_fdb_retire_spare;
			kvtep_fdb_retire_spare = b;
			kvtep_fdb_retire_nspare++;
			b = NULL;
			continue;
		}
		spin_unlock_bh(&kvtep_fdb_retire_lock);
		b = kvtep_fdb_retire_batch_alloc(gfp);
		if (!b)
			return -ENOMEM;
		spin_lock_bh(&kvtep_fdb_retire_lock);
	}
	kvtep_fdb_retire_reserved++;
	spin_unlock_bh(&kvtep_fdb_retire_lock);
	if (b)
		free_page((unsigned long)b);
	return 0;
}

static void kvtep_fdb_retire_unreserve(void)
{
	spin_lock_bh(&kvtep_fdb_retire_lock);
	kvtep_fdb_retire_reserved--;
	spin_unlock_bh(&kvtep_fdb_retire_lock);
}

/*
 * Free @e, unlinked from the table, after a grace period. Consumes a
 * reservation from kvtep_fdb_retire_reserve().
 */
static void kvtep_fdb_retire(struct kvtep_fdb_entry *e)
{
	struct kvtep_fdb_retire_batch *cur;

	spin_lock_bh(&kvtep_fdb_retire_lock);
	if (WARN_ON_ONCE(!kvtep_fdb_retire_reserved)) {
		/* A bug: leak @e rather than free it under a reader. */
		spin_unlock_bh(&kvtep_fdb_retire_lock);
		return;
	}
	cur = kvtep_fdb_retire_cur;
	if (!cur || cur->n == KVTEP_FDB_RETIRE_MAX) {
		if (cur)
			call_rcu(&cur->rcu, kvtep_fdb_retire_batch_free_rcu);
		/* The reservation guarantees a spare page. */
		cur = kvtep_fdb_retire_spare;
		kvtep_fdb_retire_spare = cur->next;
		kvtep_fdb_retire_nspare--;
		cur->next = NULL;
		kvtep_fdb_retire_cur = cur;
	}
	cur->e[cur->n++] = e;
	kvtep_fdb_retire_reserved--;
	if (cur->n == 1)
		queue_delayed_work(system_power_efficient_wq,
				   &kvtep_fdb_retire_work, HZ / 10);
	spin_unlock_bh(&kvtep_fdb_retire_lock);
}

/* Hand a partly filled batch to RCU, a fresh page taking its place. */
static void kvtep_fdb_retire_flush(struct work_struct *work)
{
	struct kvtep_fdb_retire_batch *fresh, *cur;

	fresh = kvtep_fdb_retire_batch_alloc(GFP_KERNEL);
	if (!fresh) {
		queue_delayed_work(system_power_efficient_wq,
				   &kvtep_fdb_retire_work, HZ);
		return;
	}
	spin_lock_bh(&kvtep_fdb_retire_lock);
	cur = kvtep_fdb_retire_cur;
	if (cur && cur->n) {
		call_rcu(&cur->rcu, kvtep_fdb_retire_batch_free_rcu);
		kvtep_fdb_retire_cur = fresh;
		fresh = NULL;
	}
	spin_unlock_bh(&kvtep_fdb_retire_lock);
	if (fresh)
		free_page((unsigned long)fresh);
}

int __init kvtep_fdb_module_init(void)
{
	/* The point of the layout: see struct kvtep_fdb_entry. */
	BUILD_BUG_ON(IS_ENABLED(CONFIG_64BIT) &&
		     sizeof(struct kvtep_fdb_entry) != 32);
	kvtep_fdb_cache = KMEM_CACHE(kvtep_fdb_entry, 0);
	return kvtep_fdb_cache ? 0 : -ENOMEM;
}

/* Every device is gone: no entry is retired any more. */
void kvtep_fdb_module_exit(void)
{
	struct kvtep_fdb_retire_batch *b;

	cancel_delayed_work_sync(&kvtep_fdb_retire_work);
	spin_lock_bh(&kvtep_fdb_retire_lock);
	b = kvtep_fdb_retire_cur;
	kvtep_fdb_retire_cur = NULL;
	if (b && b->n) {
		call_rcu(&b->rcu, kvtep_fdb_retire_batch_free_rcu);
		b = NULL;
	}
	spin_unlock_bh(&kvtep_fdb_retire_lock);
	if (b)
		free_page((unsigned long)b);
	while ((b = kvtep_fdb_retire_spare)) {
		kvtep_fdb_retire_spare = b->next;
		free_page((unsigned long)b);
	}
	kvtep_fdb_retire_nspare = 0;
	WARN_ON(kvtep_fdb_retire_reserved);
	rcu_barrier();
	kmem_cache_destroy(kvtep_fdb_cache);
}

static void kvtep_fdb_make_key(struct kvtep_fdb_key *key, u32 vni,
			       const u8 *mac)
{
	ether_addr_copy(key->mac, mac);
	key->vni[0] = vni >> 16;
	key->vni[1] = vni >> 8;
	key->vni[2] = vni;
}

/* Readers: the caller is in an RCU read-side section (the datapath, dumps). */
struct kvtep_fdb_entry *kvtep_fdb_lookup(struct kvtep_dev *kv, u32 vni,
					 const u8 *mac)
{
	struct kvtep_fdb_key key;

	kvtep_fdb_make_key(&key, vni, mac);
	return rhashtable_lookup(&kv->fdb, &key, kvtep_fdb_params);
}

/*
 * Writers: the caller holds fdb_lock, maybe outside any RCU section (the
 * netlink path). rhashtable only knows RCU readers, so the walk of the
 * buckets takes its own read lock (rhashtable_lookup_fast()); the entry
 * found stays valid after it because nobody else can unlink it while we
 * hold fdb_lock.
 */
static struct kvtep_fdb_entry *kvtep_fdb_lookup_locked(struct kvtep_dev *kv,
						       u32 vni, const u8 *mac)
{
	struct kvtep_fdb_key key;

	lockdep_assert_held(&kv->fdb_lock);
	kvtep_fdb_make_key(&key, vni, mac);
	return rhashtable_lookup_fast(&kv->fdb, &key, kvtep_fdb_params);
}

u32 kvtep_fdb_generation(struct kvtep_dev *kv)
{
	return READ_ONCE(kv->fdb_generation);
}

static void kvtep_fdb_changed(struct kvtep_dev *kv)
{
	lockdep_assert_held(&kv->fdb_lock);
	WRITE_ONCE(kv->fdb_generation, kv->fdb_generation + 1);
}

static bool kvtep_fdb_is_remote(u8 type)
{
	return type == KVTEP_FDB_STATIC_REMOTE ||
	       type == KVTEP_FDB_LEARNED_REMOTE;
}

static bool kvtep_fdb_is_learned(u8 type)
{
	return type == KVTEP_FDB_LEARNED_LOCAL ||
	       type == KVTEP_FDB_LEARNED_REMOTE;
}

/* Drop what @e points to. Caller holds fdb_lock. */
static void kvtep_fdb_entry_put_dest(struct kvtep_dev *kv,
				     struct kvtep_fdb_entry *e)
{
	struct kvtep_flood_list *fl;

	lockdep_assert_held(&kv->fdb_lock);
	if (kvtep_fdb_is_remote(e->type)) {
		kvtep_remote_put(kv, e->remote);
	} else if (e->type == KVTEP_FDB_MCAST_REMOTE) {
		fl = rcu_dereference_protected(e->mset,
					       lockdep_is_held(&kv->fdb_lock));
		kvtep_flood_list_free_rcu(kv, fl);
	}
}

/*
 * Release what @e points to and free it after a grace period: consumes a
 * kvtep_fdb_retire_reserve() of the caller.
 */
static void kvtep_fdb_entry_release(struct kvtep_dev *kv,
				    struct kvtep_fdb_entry *e)
{
	kvtep_fdb_entry_put_dest(kv, e);
	kvtep_fdb_retire(e);
}

/* Count an entry in or out of the device and its LS. */
static void kvtep_fdb_account(struct kvtep_dev *kv, u32 vni, int delta)
{
	struct kvtep_ls *ls;

	atomic_add(delta, &kv->fdb_count);
	rcu_read_lock();
	ls = kvtep_ls_find(kv, vni);
	if (ls)
		atomic_add(delta, &ls->fdb_count);
	rcu_read_unlock();
}

static bool kvtep_fdb_full(struct kvtep_dev *kv, struct kvtep_ls *ls)
{
	u32 dev_max = READ_ONCE(kv->cfg.fdb_max);
	u32 ls_max = READ_ONCE(ls->fdb_max);

	return (dev_max && atomic_read(&kv->fdb_count) >= dev_max) ||
	       (ls_max && atomic_read(&ls->fdb_count) >= ls_max);
}

/*
 * Unlink @e from the table and release it. Caller holds fdb_lock and a
 * retire reservation, which this consumes, or gives back when @e was gone.
 */
static void kvtep_fdb_remove(struct kvtep_dev *kv, struct kvtep_fdb_entry *e,
			     u8 event)
{
	lockdep_assert_held(&kv->fdb_lock);
	if (rhashtable_remove_fast(&kv->fdb, &e->node, kvtep_fdb_params)) {
		kvtep_fdb_retire_unreserve();
		return;
	}
	if (e->type == KVTEP_FDB_LEARNED_LOCAL)
		kvtep_nl_fdb_notify(kv, e, event);
	kvtep_fdb_account(kv, kvtep_fdb_vni(e), -1);
	kvtep_fdb_changed(kv);
	kvtep_fdb_entry_release(kv, e);
}

static struct kvtep_fdb_entry *kvtep_fdb_entry_alloc(u32 vni, const u8 *mac,
						     u8 type, gfp_t gfp)
{
	struct kvtep_fdb_entry *e = kmem_cache_zalloc(kvtep_fdb_cache, gfp);

	if (!e)
		return NULL;
	kvtep_fdb_make_key(&e->key, vni, mac);
	e->type = type;
	e->updated = jiffies;
	return e;
}

/* Free an entry no reader has seen, and what it points to. */
static void kvtep_fdb_entry_free(struct kvtep_dev *kv, struct kvtep_fdb_entry *e)
{
	kvtep_fdb_entry_put_dest(kv, e);
	kmem_cache_free(kvtep_fdb_cache, e);
}

/*
 * A learned entry was seen again: touch its cache line once per jiffy,
 * not once per frame.
 */
static void kvtep_fdb_touch(struct kvtep_fdb_entry *e)
{
	u32 now = jiffies;

	if (READ_ONCE(e->updated) != now)
		WRITE_ONCE(e->updated, now);
}

/*
 * Learning met static entry @e: it is not moved, but a frame claiming its
 * MAC from elsewhere (a local binding @b, or remote @src) is counted, so
 * that a MAC moved behind the controller's back, or spoofed, shows up.
 */
static void kvtep_fdb_static_claim(struct kvtep_dev *kv,
				   const struct kvtep_fdb_entry *e,
				   const struct kvtep_binding *b,
				   const struct kvtep_remote_key *src)
{
	if (e->type == KVTEP_FDB_STATIC_LOCAL && b && e->local == b)
		return;
	if (e->type == KVTEP_FDB_STATIC_REMOTE && src &&
	    kvtep_remote_key_equal(&e->remote->key, src))
		return;
	kvtep_count(kv, KVTEP_DROP_STATIC_MOVE);
}

/*
 * A frame from binding @b has source @mac: remember where it lives.
 * Softirq, under RCU. Static entries are never moved by learning.
 */
void kvtep_fdb_learn_local(struct kvtep_dev *kv, struct kvtep_ls *ls,
			   struct kvtep_binding *b, const u8 *mac)
{
	struct kvtep_fdb_entry *e, *old;
	u32 now = jiffies;

	e = kvtep_fdb_lookup(kv, ls->vni, mac);
	if (likely(e)) {
		if (e->type != KVTEP_FDB_LEARNED_LOCAL &&
		    e->type != KVTEP_FDB_LEARNED_REMOTE) {
			/* static: the controller knows better */
			kvtep_fdb_static_claim(kv, e, b, NULL);
			return;
		}
		if (e->type == KVTEP_FDB_LEARNED_LOCAL &&
		    READ_ONCE(e->local) == b) {
			kvtep_fdb_touch(e);
			return;
		}
	}
	if (!is_valid_ether_addr(mac))
		return;

	spin_lock_bh(&kv->fdb_lock);
	old = kvtep_fdb_lookup_locked(kv, ls->vni, mac);
	if (old && old->type == KVTEP_FDB_LEARNED_LOCAL) {
		/* Moved between local bindings: rewrite in place. */
		WRITE_ONCE(old->local, b);
		WRITE_ONCE(old->updated, now);
		kvtep_fdb_changed(kv);
		kvtep_nl_fdb_notify(kv, old, KVTEP_FDB_EV_MOVE);
		goto out;
	}
	if (old && old->type != KVTEP_FDB_LEARNED_REMOTE) {
		/* became static meanwhile */
		kvtep_fdb_static_claim(kv, old, b, NULL);
		goto out;
	}
	if (!old && kvtep_fdb_full(kv, ls)) {
		kvtep_count(kv, KVTEP_DROP_FDB_FULL);
		goto out;
	}

	e = kvtep_fdb_entry_alloc(ls->vni, mac, KVTEP_FDB_LEARNED_LOCAL,
				  GFP_ATOMIC);
	if (!e) {
		kvtep_count(kv, KVTEP_DROP_NOMEM);
		goto out;
	}
	e->local = b;
	if (old) {
		/* A MAC learned behind a tunnel showed up locally. */
		if (kvtep_fdb_retire_reserve(GFP_ATOMIC)) {
			kmem_cache_free(kvtep_fdb_cache, e);
			kvtep_count(kv, KVTEP_DROP_NOMEM);
			goto out;
		}
		if (rhashtable_replace_fast(&kv->fdb, &old->node, &e->node,
					    kvtep_fdb_params)) {
			kvtep_fdb_retire_unreserve();
			kmem_cache_free(kvtep_fdb_cache, e);
			goto out;
		}
		kvtep_fdb_entry_release(kv, old);
		kvtep_nl_fdb_notify(kv, e, KVTEP_FDB_EV_MOVE);
	} else {
		if (rhashtable_insert_fast(&kv->fdb, &e->node, kvtep_fdb_params)) {
			kmem_cache_free(kvtep_fdb_cache, e);
			kvtep_count(kv, KVTEP_DROP_NOMEM);
			goto out;
		}
		atomic_inc(&kv->fdb_count);
		atomic_inc(&ls->fdb_count);
		kvtep_nl_fdb_notify(kv, e, KVTEP_FDB_EV_LEARN);
	}
	kvtep_fdb_changed(kv);
out:
	spin_unlock_bh(&kv->fdb_lock);
}

/*
 * A frame from a tunnel has source @mac and came from @src: remember it,
 * when tunnel learning is on. Never overrides static or local entries.
 */
void kvtep_fdb_learn_remote(struct kvtep_dev *kv, struct kvtep_ls *ls,
			    const u8 *mac, const struct kvtep_remote_key *src)
{
	struct kvtep_fdb_entry *e, *old;
	struct kvtep_remote *r;

	e = kvtep_fdb_lookup(kv, ls->vni, mac);
	if (likely(e)) {
		if (e->type == KVTEP_FDB_STATIC_LOCAL ||
		    e->type == KVTEP_FDB_STATIC_REMOTE)
			kvtep_fdb_static_claim(kv, e, NULL, src);
		if (e->type != KVTEP_FDB_LEARNED_REMOTE)
			return;
		if (kvtep_remote_key_equal(&READ_ONCE(e->remote)->key, src)) {
			kvtep_fdb_touch(e);
			return;
		}
	}
	if (!is_valid_ether_addr(mac))
		return;

	spin_lock_bh(&kv->fdb_lock);
	old = kvtep_fdb_lookup_locked(kv, ls->vni, mac);
	if (old && old->type != KVTEP_FDB_LEARNED_REMOTE) {
		if (old->type == KVTEP_FDB_STATIC_LOCAL ||
		    old->type == KVTEP_FDB_STATIC_REMOTE)
			kvtep_fdb_static_claim(kv, old, NULL, src);
		goto out;
	}
	if (!old && kvtep_fdb_full(kv, ls)) {
		kvtep_count(kv, KVTEP_DROP_FDB_FULL);
		goto out;
	}
	r = kvtep_remote_get(kv, src);
	if (!r)
		goto out;
	e = kvtep_fdb_entry_alloc(ls->vni, mac, KVTEP_FDB_LEARNED_REMOTE,
				  GFP_ATOMIC);
	if (!e) {
		kvtep_remote_put(kv, r);
		goto out;
	}
	e->remote = r;
	if (old && kvtep_fdb_retire_reserve(GFP_ATOMIC)) {
		kvtep_fdb_entry_free(kv, e);
		kvtep_count(kv, KVTEP_DROP_NOMEM);
		goto out;
	}
	if (old ? rhashtable_replace_fast(&kv->fdb, &old->node, &e->node,
					  kvtep_fdb_params)
		: rhashtable_insert_fast(&kv->fdb, &e->node, kvtep_fdb_params)) {
		if (old)
			kvtep_fdb_retire_unreserve();
		kvtep_fdb_entry_free(kv, e);
		goto out;
	}
	if (old) {
		kvtep_fdb_entry_release(kv, old);
	} else {
		atomic_inc(&kv->fdb_count);
		atomic_inc(&ls->fdb_count);
	}
	kvtep_fdb_changed(kv);
out:
	spin_unlock_bh(&kv->fdb_lock);
}

/* Does @e already say what @cfg says? Caller holds fdb_lock. */
static bool kvtep_fdb_same(struct kvtep_dev *kv, struct kvtep_fdb_entry *e,
			   const struct kvtep_fdb_cfg *cfg)
{
	struct kvtep_flood_list *fl;
	unsigned int i;

	if (e->type != cfg->type || e->port_key != cfg->port_key)
		return false;
	switch (e->type) {
	case KVTEP_FDB_STATIC_LOCAL:
		return e->local == cfg->local;
	case KVTEP_FDB_STATIC_REMOTE:
		return kvtep_remote_key_equal(&e->remote->key, &cfg->rkeys[0]);
	case KVTEP_FDB_MCAST_REMOTE:
		fl = rcu_dereference_protected(e->mset,
					       lockdep_is_held(&kv->fdb_lock));
		if (fl->n != cfg->n_rkeys)
			return false;
		for (i = 0; i < fl->n; i++)
			if (!kvtep_remote_key_equal(&fl->remotes[i]->key,
						    &cfg->rkeys[i]))
				return false;
		return true;
	}
	return false;
}

/*
 * Point new entry @e where @cfg says: a new remote comes from @pool, a
 * remote set is *@fl, allocated ahead (then *@fl becomes NULL). Caller
 * holds fdb_lock.
 */
static int kvtep_fdb_fill(struct kvtep_dev *kv, struct kvtep_fdb_entry *e,
			  const struct kvtep_fdb_cfg *cfg,
			  struct kvtep_remote_pool *pool,
			  struct kvtep_flood_list **fl)
{
	unsigned int i;

	switch (cfg->type) {
	case KVTEP_FDB_STATIC_LOCAL:
		e->local = cfg->local;
		return 0;
	case KVTEP_FDB_STATIC_REMOTE:
		e->remote = kvtep_remote_pool_get(kv, pool, &cfg->rkeys[0]);
		return e->remote ? 0 : -ENOMEM;
	case KVTEP_FDB_MCAST_REMOTE:
		for (i = 0; i < cfg->n_rkeys; i++) {
			(*fl)->remotes[i] = kvtep_remote_pool_get(kv, pool,
								  &cfg->rkeys[i]);
			if (!(*fl)->remotes[i]) {
				(*fl)->n = i;
				kvtep_flood_list_free(kv, *fl);
				*fl = NULL;
				return -ENOMEM;
			}
		}
		RCU_INIT_POINTER(e->mset, *fl);
		*fl = NULL;
		return 0;
	}
	return -EINVAL;
}

/*
 * Add a static entry. A static entry replaces a learned one; it replaces
 * another static entry only with @replace (NLM_F_REPLACE), unless it is
 * identical, which is a successful no-op.
 */
int kvtep_fdb_add(struct kvtep_dev *kv, struct kvtep_ls *ls,
		  const struct kvtep_fdb_cfg *cfg, bool replace,
		  struct netlink_ext_ack *extack)
{
	struct kvtep_flood_list *fl = NULL;
	struct kvtep_remote_pool pool;
	struct kvtep_fdb_entry *e, *old;
	int err = 0;

	/*
	 * Everything that may be needed is allocated here, with GFP_KERNEL,
	 * not atomically under fdb_lock: a retire slot for the entry @e may
	 * replace, the entry, the remote set, and the remotes not known yet
	 * (their per-CPU route caches fail atomically once the per-CPU
	 * allocator's atomic reserve runs dry, as bulk loads with many
	 * remotes do). A remote gone meanwhile is allocated atomically.
	 */
	if (kvtep_fdb_retire_reserve(GFP_KERNEL))
		return -ENOMEM;
	e = kvtep_fdb_entry_alloc(cfg->vni, cfg->mac, cfg->type, GFP_KERNEL);
	if (!e)
		goto err_entry;
	e->port_key = cfg->port_key;
	if (cfg->type == KVTEP_FDB_MCAST_REMOTE) {
		fl = kvtep_flood_list_alloc(cfg->n_rkeys, GFP_KERNEL);
		if (!fl)
			goto err_fl;
	}
	if (kvtep_remote_pool_fill(kv, &pool, cfg->rkeys,
				   cfg->type == KVTEP_FDB_STATIC_LOCAL ?
				   0 : cfg->n_rkeys))
		goto err_pool;

	spin_lock_bh(&kv->fdb_lock);
	old = kvtep_fdb_lookup_locked(kv, cfg->vni, cfg->mac);
	if (old && !kvtep_fdb_is_learned(old->type)) {
		if (kvtep_fdb_same(kv, old, cfg))
			goto out_free;	/* err = 0: nothing to do */
		if (!replace) {
			NL_SET_ERR_MSG_MOD(extack,
					   "a static entry for this MAC exists (use replace)");
			err = -EEXIST;
			goto out_free;
		}
	}
	if (!old && kvtep_fdb_full(kv, ls)) {
		NL_SET_ERR_MSG_MOD(extack, "FDB limit reached");
		err = -ENOSPC;
		goto out_free;
	}
	err = kvtep_fdb_fill(kv, e, cfg, &pool, &fl);
	if (err) {
		NL_SET_ERR_MSG_MOD(extack, "out of memory for the FDB entry");
		goto out_free;
	}

	if (old) {
		err = rhashtable_replace_fast(&kv->fdb, &old->node, &e->node,
					      kvtep_fdb_params);
		if (!err) {
			if (old->type == KVTEP_FDB_LEARNED_LOCAL)
				kvtep_nl_fdb_notify(kv, old, KVTEP_FDB_EV_DEL);
			kvtep_fdb_entry_release(kv, old);
		}
	} else {
		err = rhashtable_insert_fast(&kv->fdb, &e->node, kvtep_fdb_params);
		if (!err) {
			atomic_inc(&kv->fdb_count);
			atomic_inc(&ls->fdb_count);
		}
		kvtep_fdb_retire_unreserve();
	}
	if (err) {
		NL_SET_ERR_MSG_MOD(extack, "cannot insert the FDB entry");
		kvtep_fdb_entry_free(kv, e);
		if (old)
			kvtep_fdb_retire_unreserve();
		spin_unlock_bh(&kv->fdb_lock);
		kvtep_remote_pool_free(&pool);
		return err;
	}
	kvtep_fdb_changed(kv);
	spin_unlock_bh(&kv->fdb_lock);
	kvtep_remote_pool_free(&pool);
	return 0;

out_free:
	spin_unlock_bh(&kv->fdb_lock);
	kvtep_remote_pool_free(&pool);
	kfree(fl);
	kmem_cache_free(kvtep_fdb_cache, e);
	kvtep_fdb_retire_unreserve();
	return err;

err_pool:
	kfree(fl);
err_fl:
	kmem_cache_free(kvtep_fdb_cache, e);
err_entry:
	kvtep_fdb_retire_unreserve();
	return -ENOMEM;
}

int kvtep_fdb_del(struct kvtep_dev *kv, u32 vni, const u8 *mac,
		  struct netlink_ext_ack *extack)
{
	struct kvtep_fdb_entry *e;
	int err = 0;

	if (kvtep_fdb_retire_reserve(GFP_KERNEL))
		return -ENOMEM;
	spin_lock_bh(&kv->fdb_lock);
	e = kvtep_fdb_lookup_locked(kv, vni, mac);
	if (e) {
		kvtep_fdb_remove(kv, e, KVTEP_FDB_EV_DEL);
	} else {
		kvtep_fdb_retire_unreserve();
		NL_SET_ERR_MSG_MOD(extack, "no FDB entry for this MAC in this VNI");
		err = -ENOENT;
	}
	spin_unlock_bh(&kv->fdb_lock);
	return err;
}

static bool kvtep_fdb_match(struct kvtep_fdb_entry *e,
			    const struct kvtep_fdb_filter *f)
{
	if (f->vni && kvtep_fdb_vni(e) != f->vni)
		return false;
	if (f->by_type && e->type != f->type)
		return false;
	if (f->type_mask && !(f->type_mask & BIT(e->type)))
		return false;
	if (f->remote && (!kvtep_fdb_is_remote(e->type) || e->remote != f->remote))
		return false;
	if (f->local && (e->type == KVTEP_FDB_MCAST_REMOTE ||
			 kvtep_fdb_is_remote(e->type) || e->local != f->local))
		return false;
	return true;
}

/*
 * A walker that removes entries keeps one retire reservation in hand:
 * after using it, it takes the next one atomically, or else with the walk
 * stopped (out of RCU), where it may sleep. Returns 0 with one in hand.
 */
static int kvtep_fdb_walk_reserve(struct rhashtable_iter *iter)
{
	int err;

	if (!kvtep_fdb_retire_reserve(GFP_ATOMIC))
		return 0;
	rhashtable_walk_stop(iter);
	err = kvtep_fdb_retire_reserve(GFP_KERNEL);
	rhashtable_walk_start(iter);
	return err;
}

/*
 * Remove every entry matching @f. Walks the whole table: a config-path
 * operation (flush, LS or binding removal), never the datapath.
 */
unsigned int kvtep_fdb_flush(struct kvtep_dev *kv,
			     const struct kvtep_fdb_filter *f)
{
	struct rhashtable_iter iter;
	struct kvtep_fdb_entry *e;
	unsigned int n = 0;
	bool removed;

	if (kvtep_fdb_retire_reserve(GFP_KERNEL))
		return 0;
	rhashtable_walk_enter(&kv->fdb, &iter);
	rhashtable_walk_start(&iter);
	while ((e = rhashtable_walk_next(&iter))) {
		if (IS_ERR(e)) {
			if (PTR_ERR(e) == -EAGAIN)
				continue;	/* resized: walk goes on */
			break;
		}
		if (!kvtep_fdb_match(e, f))
			continue;
		spin_lock_bh(&kv->fdb_lock);
		/* Still there? Another writer may have raced us. */
		removed = kvtep_fdb_lookup_locked(kv, kvtep_fdb_vni(e), e->key.mac) == e;
		if (removed) {
			kvtep_fdb_remove(kv, e, KVTEP_FDB_EV_DEL);
			n++;
		}
		spin_unlock_bh(&kv->fdb_lock);
		if (removed && kvtep_fdb_walk_reserve(&iter)) {
			removed = false;	/* none in hand */
			goto out;
		}
	}
	removed = true;
out:
	rhashtable_walk_stop(&iter);
	rhashtable_walk_exit(&iter);
	if (removed)
		kvtep_fdb_retire_unreserve();
	return n;
}

/* How often the ageing work runs: a quarter of the ageing time, 1..10 s. */
static unsigned long kvtep_fdb_ageing_interval(struct kvtep_dev *kv)
{
	u32 ageing = READ_ONCE(kv->cfg.ageing);

	return clamp_t(unsigned long, ageing * HZ / 4, HZ, 10 * HZ);
}

static void kvtep_fdb_ageing(struct work_struct *work)
{
	struct kvtep_dev *kv = container_of(to_delayed_work(work),
					    struct kvtep_dev, ageing_work);
	u64 ageing = (u64)READ_ONCE(kv->cfg.ageing) * HZ;
	struct rhashtable_iter iter;
	struct kvtep_fdb_entry *e;
	bool in_hand = true, aged;

	if (!ageing || kvtep_fdb_retire_reserve(GFP_KERNEL))
		goto again;

	rhashtable_walk_enter(&kv->fdb, &iter);
	rhashtable_walk_start(&iter);
	while ((e = rhashtable_walk_next(&iter))) {
		if (IS_ERR(e)) {
			if (PTR_ERR(e) == -EAGAIN)
				continue;
			break;
		}
		if (!kvtep_fdb_is_learned(e->type) || kvtep_fdb_age(e) < ageing)
			continue;
		spin_lock_bh(&kv->fdb_lock);
		aged = kvtep_fdb_lookup_locked(kv, kvtep_fdb_vni(e), e->key.mac) == e &&
		       kvtep_fdb_age(e) >= ageing;
		if (aged)
			kvtep_fdb_remove(kv, e, KVTEP_FDB_EV_AGE);
		spin_unlock_bh(&kv->fdb_lock);
		if (aged && kvtep_fdb_walk_reserve(&iter)) {
			in_hand = false;
			break;
		}
	}
	rhashtable_walk_stop(&iter);
	rhashtable_walk_exit(&iter);
	if (in_hand)
		kvtep_fdb_retire_unreserve();
again:
	queue_delayed_work(system_power_efficient_wq, &kv->ageing_work,
			   kvtep_fdb_ageing_interval(kv));
}

/*
 * The ageing time changed: run the ageing work now, so that the new time
 * (and the interval derived from it) applies at once, not after the
 * interval the old time gave (up to 10 s).
 */
void kvtep_fdb_ageing_changed(struct kvtep_dev *kv)
{
	ASSERT_RTNL();
	/* Once unregistered, the work is cancelled for good. */
	if (kv->dev->reg_state == NETREG_REGISTERED)
		mod_delayed_work(system_power_efficient_wq, &kv->ageing_work, 0);
}

int kvtep_fdb_init(struct kvtep_dev *kv)
{
	int err;

	spin_lock_init(&kv->fdb_lock);
	atomic_set(&kv->fdb_count, 0);
	err = rhashtable_init(&kv->fdb, &kvtep_fdb_params);
	if (err)
		return err;
	INIT_DELAYED_WORK(&kv->ageing_work, kvtep_fdb_ageing);
	queue_delayed_work(system_power_efficient_wq, &kv->ageing_work,
			   kvtep_fdb_ageing_interval(kv));
	return 0;
}

/* The device is being unregistered: stop ageing and empty the table. */
void kvtep_fdb_uninit(struct kvtep_dev *kv)
{
	struct kvtep_fdb_filter all = {};

	cancel_delayed_work_sync(&kv->ageing_work);
	kvtep_fdb_flush(kv, &all);
}

/*
 * The device is being freed. The (empty) table lives until now because an
 * FDB dump in progress holds a device reference and a walker on it.
 */
void kvtep_fdb_destroy(struct kvtep_dev *kv)
{
	rhashtable_destroy(&kv->fdb);
}
