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

int __init kvtep_fdb_module_init(void)
{
	kvtep_fdb_cache = KMEM_CACHE(kvtep_fdb_entry, 0);
	return kvtep_fdb_cache ? 0 : -ENOMEM;
}

void kvtep_fdb_module_exit(void)
{
	kmem_cache_destroy(kvtep_fdb_cache);
}

static void kvtep_fdb_make_key(struct kvtep_fdb_key *key, u32 vni,
			       const u8 *mac)
{
	ether_addr_copy(key->mac, mac);
	key->pad = 0;
	key->vni = vni;
}

struct kvtep_fdb_entry *kvtep_fdb_lookup(struct kvtep_dev *kv, u32 vni,
					 const u8 *mac)
{
	struct kvtep_fdb_key key;

	kvtep_fdb_make_key(&key, vni, mac);
	return rhashtable_lookup(&kv->fdb, &key, kvtep_fdb_params);
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

static void kvtep_fdb_entry_free_rcu(struct rcu_head *head)
{
	kmem_cache_free(kvtep_fdb_cache,
			container_of(head, struct kvtep_fdb_entry, rcu));
}

/* Release what @e points to and free it after a grace period. */
static void kvtep_fdb_entry_release(struct kvtep_dev *kv,
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
	call_rcu(&e->rcu, kvtep_fdb_entry_free_rcu);
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

/* Unlink @e from the table and release it. Caller holds fdb_lock. */
static void kvtep_fdb_remove(struct kvtep_dev *kv, struct kvtep_fdb_entry *e,
			     u8 event)
{
	lockdep_assert_held(&kv->fdb_lock);
	if (rhashtable_remove_fast(&kv->fdb, &e->node, kvtep_fdb_params))
		return;
	if (e->type == KVTEP_FDB_LEARNED_LOCAL)
		kvtep_nl_fdb_notify(kv, e, event);
	kvtep_fdb_account(kv, e->key.vni, -1);
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

/*
 * A learned entry was seen again: touch its cache line once per jiffy,
 * not once per frame.
 */
static void kvtep_fdb_touch(struct kvtep_fdb_entry *e)
{
	unsigned long now = jiffies;

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
	unsigned long now = jiffies;

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
	old = kvtep_fdb_lookup(kv, ls->vni, mac);
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
		if (rhashtable_replace_fast(&kv->fdb, &old->node, &e->node,
					    kvtep_fdb_params)) {
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
	old = kvtep_fdb_lookup(kv, ls->vni, mac);
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
	if (old ? rhashtable_replace_fast(&kv->fdb, &old->node, &e->node,
					  kvtep_fdb_params)
		: rhashtable_insert_fast(&kv->fdb, &e->node, kvtep_fdb_params)) {
		kvtep_remote_put(kv, r);
		kmem_cache_free(kvtep_fdb_cache, e);
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
 * Point new entry @e where @cfg says; a new remote may come from @spare.
 * Caller holds fdb_lock.
 */
static int kvtep_fdb_fill(struct kvtep_dev *kv, struct kvtep_fdb_entry *e,
			  const struct kvtep_fdb_cfg *cfg,
			  struct kvtep_remote **spare)
{
	struct kvtep_flood_list *fl;
	unsigned int i;

	switch (cfg->type) {
	case KVTEP_FDB_STATIC_LOCAL:
		e->local = cfg->local;
		return 0;
	case KVTEP_FDB_STATIC_REMOTE:
		e->remote = kvtep_remote_get_spare(kv, &cfg->rkeys[0], spare);
		return e->remote ? 0 : -ENOMEM;
	case KVTEP_FDB_MCAST_REMOTE:
		fl = kvtep_flood_list_alloc(cfg->n_rkeys);
		if (!fl)
			return -ENOMEM;
		for (i = 0; i < cfg->n_rkeys; i++) {
			fl->remotes[i] = kvtep_remote_get(kv, &cfg->rkeys[i]);
			if (!fl->remotes[i]) {
				fl->n = i;
				kvtep_flood_list_free(kv, fl);
				return -ENOMEM;
			}
		}
		RCU_INIT_POINTER(e->mset, fl);
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
	struct kvtep_remote *spare = NULL;
	struct kvtep_fdb_entry *e, *old;
	int err = 0;

	e = kvtep_fdb_entry_alloc(cfg->vni, cfg->mac, cfg->type, GFP_KERNEL);
	if (!e)
		return -ENOMEM;
	e->port_key = cfg->port_key;
	/*
	 * A new remote: allocate it here, not atomically under fdb_lock,
	 * where its per-CPU route cache fails once the per-CPU allocator's
	 * atomic reserve runs dry (bulk loads with many remotes). If the
	 * remote goes away meanwhile, kvtep_fdb_fill() allocates atomically.
	 */
	if (cfg->type == KVTEP_FDB_STATIC_REMOTE) {
		bool known;

		spin_lock_bh(&kv->fdb_lock);
		known = kvtep_remote_exists(kv, &cfg->rkeys[0]);
		spin_unlock_bh(&kv->fdb_lock);
		if (!known) {
			spare = kvtep_remote_alloc(GFP_KERNEL);
			if (!spare) {
				kmem_cache_free(kvtep_fdb_cache, e);
				return -ENOMEM;
			}
		}
	}

	spin_lock_bh(&kv->fdb_lock);
	old = kvtep_fdb_lookup(kv, cfg->vni, cfg->mac);
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
	err = kvtep_fdb_fill(kv, e, cfg, &spare);
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
	}
	if (err) {
		NL_SET_ERR_MSG_MOD(extack, "cannot insert the FDB entry");
		e->type = cfg->type;
		kvtep_fdb_entry_release(kv, e);
		spin_unlock_bh(&kv->fdb_lock);
		kvtep_remote_free(spare);
		return err;
	}
	kvtep_fdb_changed(kv);
	spin_unlock_bh(&kv->fdb_lock);
	kvtep_remote_free(spare);
	return 0;

out_free:
	spin_unlock_bh(&kv->fdb_lock);
	kmem_cache_free(kvtep_fdb_cache, e);
	kvtep_remote_free(spare);
	return err;
}

int kvtep_fdb_del(struct kvtep_dev *kv, u32 vni, const u8 *mac,
		  struct netlink_ext_ack *extack)
{
	struct kvtep_fdb_entry *e;
	int err = 0;

	spin_lock_bh(&kv->fdb_lock);
	e = kvtep_fdb_lookup(kv, vni, mac);
	if (e) {
		kvtep_fdb_remove(kv, e, KVTEP_FDB_EV_DEL);
	} else {
		NL_SET_ERR_MSG_MOD(extack, "no FDB entry for this MAC in this VNI");
		err = -ENOENT;
	}
	spin_unlock_bh(&kv->fdb_lock);
	return err;
}

static bool kvtep_fdb_match(struct kvtep_fdb_entry *e,
			    const struct kvtep_fdb_filter *f)
{
	if (f->vni && e->key.vni != f->vni)
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
 * Remove every entry matching @f. Walks the whole table: a config-path
 * operation (flush, LS or binding removal), never the datapath.
 */
unsigned int kvtep_fdb_flush(struct kvtep_dev *kv,
			     const struct kvtep_fdb_filter *f)
{
	struct rhashtable_iter iter;
	struct kvtep_fdb_entry *e;
	unsigned int n = 0;

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
		if (kvtep_fdb_lookup(kv, e->key.vni, e->key.mac) == e) {
			kvtep_fdb_remove(kv, e, KVTEP_FDB_EV_DEL);
			n++;
		}
		spin_unlock_bh(&kv->fdb_lock);
	}
	rhashtable_walk_stop(&iter);
	rhashtable_walk_exit(&iter);
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
	u32 ageing = READ_ONCE(kv->cfg.ageing);
	struct rhashtable_iter iter;
	struct kvtep_fdb_entry *e;

	if (!ageing)
		goto again;

	rhashtable_walk_enter(&kv->fdb, &iter);
	rhashtable_walk_start(&iter);
	while ((e = rhashtable_walk_next(&iter))) {
		if (IS_ERR(e)) {
			if (PTR_ERR(e) == -EAGAIN)
				continue;
			break;
		}
		if (!kvtep_fdb_is_learned(e->type) ||
		    time_before(jiffies, READ_ONCE(e->updated) + ageing * HZ))
			continue;
		spin_lock_bh(&kv->fdb_lock);
		if (kvtep_fdb_lookup(kv, e->key.vni, e->key.mac) == e &&
		    time_after_eq(jiffies, e->updated + ageing * HZ))
			kvtep_fdb_remove(kv, e, KVTEP_FDB_EV_AGE);
		spin_unlock_bh(&kv->fdb_lock);
	}
	rhashtable_walk_stop(&iter);
	rhashtable_walk_exit(&iter);
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
