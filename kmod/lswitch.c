// SPDX-License-Identifier: GPL-2.0-only
/* Logical switches, known by their VNI. */

#include <linux/slab.h>
#include <net/netlink.h>

#include <uapi/linux/kvtep.h>

#include "device.h"
#include "fdb.h"
#include "flood.h"
#include "lswitch.h"
#include "port.h"

int kvtep_ls_init(struct kvtep_dev *kv)
{
	hash_init(kv->ls_hash);
	kv->n_ls = 0;
	return 0;
}

/* Under RCU or &kvtep_dev.lock. */
struct kvtep_ls *kvtep_ls_find(struct kvtep_dev *kv, u32 vni)
{
	struct kvtep_ls *ls;

	hash_for_each_possible_rcu(kv->ls_hash, ls, hnode, vni,
				   lockdep_is_held(&kv->lock))
		if (ls->vni == vni)
			return ls;
	return NULL;
}

struct kvtep_ls *kvtep_ls_add(struct kvtep_dev *kv, u32 vni,
			      struct netlink_ext_ack *extack)
{
	struct kvtep_ls *ls;

	lockdep_assert_held(&kv->lock);
	if (kvtep_ls_find(kv, vni)) {
		NL_SET_ERR_MSG_MOD(extack, "a logical switch with this VNI exists");
		return ERR_PTR(-EEXIST);
	}
	ls = kzalloc(sizeof(*ls), GFP_KERNEL);
	if (!ls)
		return ERR_PTR(-ENOMEM);
	ls->stats = kvtep_stats_alloc();
	if (!ls->stats) {
		kfree(ls);
		return ERR_PTR(-ENOMEM);
	}
	ls->vni = vni;
	ls->replication = KVTEP_REPL_SOURCE_NODE;
	ls->encap = KVTEP_ENCAP_VXLAN;
	INIT_LIST_HEAD(&ls->bindings);
	hash_add_rcu(kv->ls_hash, &ls->hnode, vni);
	kv->n_ls++;
	kvtep_dev_changed(kv);
	return ls;
}

static void kvtep_ls_free_rcu(struct rcu_head *head)
{
	struct kvtep_ls *ls = container_of(head, struct kvtep_ls, rcu);

	free_percpu(ls->stats);
	kfree(ls);
}

/* Remove @ls with its bindings, FDB entries and flood list. */
void kvtep_ls_del(struct kvtep_dev *kv, struct kvtep_ls *ls)
{
	struct kvtep_fdb_filter filter = { .vni = ls->vni };
	struct kvtep_binding *b, *tmp;
	struct kvtep_flood_list *fl;

	lockdep_assert_held(&kv->lock);
	list_for_each_entry_safe(b, tmp, &ls->bindings, ls_node)
		kvtep_binding_del(kv, b);
	/* Unhash first: no new learning can find the LS after this. */
	hash_del_rcu(&ls->hnode);
	kv->n_ls--;
	synchronize_net();
	kvtep_fdb_flush(kv, &filter);

	spin_lock_bh(&kv->fdb_lock);
	fl = rcu_replace_pointer(ls->flood, NULL, lockdep_is_held(&kv->lock));
	kvtep_flood_list_free_rcu(kv, fl);
	spin_unlock_bh(&kv->fdb_lock);

	kvtep_dev_changed(kv);
	call_rcu(&ls->rcu, kvtep_ls_free_rcu);
}

void kvtep_ls_uninit(struct kvtep_dev *kv)
{
	struct hlist_node *tmp;
	struct kvtep_ls *ls;
	int bkt;

	mutex_lock(&kv->lock);
	hash_for_each_safe(kv->ls_hash, bkt, tmp, ls, hnode)
		kvtep_ls_del(kv, ls);
	mutex_unlock(&kv->lock);
}
