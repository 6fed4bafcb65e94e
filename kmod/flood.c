// SPDX-License-Identifier: GPL-2.0-only
/*
 * Flood lists and the delivery of broadcast, unknown unicast and
 * multicast frames (the OVSDB "unknown-dst" and multicast MACs).
 */

#include <linux/overflow.h>
#include <linux/skbuff.h>
#include <linux/stringify.h>
#include <linux/slab.h>
#include <net/netlink.h>

#include <uapi/linux/kvtep.h>

#include "device.h"
#include "flood.h"
#include "lswitch.h"
#include "port.h"
#include "remote.h"
#include "socket.h"

struct kvtep_flood_list *kvtep_flood_list_alloc(unsigned int n, gfp_t gfp)
{
	struct kvtep_flood_list *fl;

	fl = kzalloc(struct_size(fl, remotes, n), gfp);
	if (fl)
		fl->n = n;
	return fl;
}

/* Drop the list's references on its remotes. Caller holds fdb_lock. */
static void kvtep_flood_list_put_remotes(struct kvtep_dev *kv,
					 struct kvtep_flood_list *fl)
{
	unsigned int i;

	for (i = 0; i < fl->n; i++)
		kvtep_remote_put(kv, fl->remotes[i]);
}

/* Free a list no reader has seen. Caller holds fdb_lock. */
void kvtep_flood_list_free(struct kvtep_dev *kv, struct kvtep_flood_list *fl)
{
	if (!fl)
		return;
	kvtep_flood_list_put_remotes(kv, fl);
	kfree(fl);
}

/*
 * Free a list readers may still hold. The references on the remotes go
 * now: each remote itself is freed only after a grace period.
 */
void kvtep_flood_list_free_rcu(struct kvtep_dev *kv, struct kvtep_flood_list *fl)
{
	if (!fl)
		return;
	kvtep_flood_list_put_remotes(kv, fl);
	kfree_rcu(fl, rcu);
}

static bool kvtep_flood_list_has(const struct kvtep_flood_list *fl,
				 unsigned int n, const struct kvtep_remote_key *key)
{
	unsigned int i;

	for (i = 0; fl && i < n; i++)
		if (kvtep_remote_key_equal(&fl->remotes[i]->key, key))
			return true;
	return false;
}

static bool kvtep_flood_keys_have(const struct kvtep_remote_key *keys,
				  unsigned int n, const struct kvtep_remote_key *key)
{
	unsigned int j;

	for (j = 0; j < n; j++)
		if (kvtep_remote_key_equal(&keys[j], key))
			return true;
	return false;
}

/*
 * The one builder of flood lists: genl FLOOD_SET/ADD/DEL and "bridge fdb
 * append/del" with the zero MAC. The new list and the remotes it lacks
 * are allocated first, with GFP_KERNEL; fdb_lock is taken only to look up
 * and reference remotes and to swap the list.
 */
int kvtep_flood_change(struct kvtep_dev *kv, struct kvtep_ls *ls,
		       const struct kvtep_remote_key *keys, unsigned int n,
		       enum kvtep_flood_op op, struct netlink_ext_ack *extack)
{
	struct kvtep_remote_pool pool;
	struct kvtep_flood_list *old, *fl = NULL;
	unsigned int i, j, old_n, cnt = 0, max;
	int err = 0;

	lockdep_assert_held(&kv->lock);
	/* Only writers hold kv->lock: @old stays as it is. */
	old = rcu_dereference_protected(ls->flood, lockdep_is_held(&kv->lock));
	old_n = old ? old->n : 0;
	/* Every remote to delete must be there, also when the list is empty. */
	for (j = 0; op == KVTEP_FLOOD_DEL && j < n; j++) {
		if (!kvtep_flood_list_has(old, old_n, &keys[j])) {
			NL_SET_ERR_MSG_MOD(extack,
					   "a remote to delete is not in the flood list");
			return -ENOENT;
		}
	}
	if (op == KVTEP_FLOOD_ADD) {
		for (j = 0; j < n; j++)
			if (!kvtep_flood_list_has(old, old_n, &keys[j]))
				break;
		if (j == n)
			return 0;	/* all there already */
	}
	max = (op == KVTEP_FLOOD_SET ? 0 : old_n) +
	      (op == KVTEP_FLOOD_DEL ? 0 : n);
	if (max) {
		fl = kvtep_flood_list_alloc(max, GFP_KERNEL);
		if (!fl)
			return -ENOMEM;
	}
	err = kvtep_remote_pool_fill(kv, &pool, keys,
				     op == KVTEP_FLOOD_DEL ? 0 : n);
	if (err) {
		kfree(fl);
		return err;
	}

	spin_lock_bh(&kv->fdb_lock);
	for (i = 0; op != KVTEP_FLOOD_SET && i < old_n; i++) {
		if (op == KVTEP_FLOOD_DEL &&
		    kvtep_flood_keys_have(keys, n, &old->remotes[i]->key))
			continue;
		kvtep_remote_hold(old->remotes[i]);
		fl->remotes[cnt++] = old->remotes[i];
	}
	for (j = 0; op != KVTEP_FLOOD_DEL && j < n; j++) {
		/* sets have no duplicates */
		if (kvtep_flood_list_has(fl, cnt, &keys[j]))
			continue;
		fl->remotes[cnt] = kvtep_remote_pool_get(kv, &pool, &keys[j]);
		if (!fl->remotes[cnt]) {
			err = -ENOMEM;
			break;
		}
		cnt++;
	}
	if (fl)
		fl->n = cnt;
	if (!err && cnt > KVTEP_FLOOD_MAX) {
		NL_SET_ERR_MSG_MOD(extack, "flood list too long (max "
				   __stringify(KVTEP_FLOOD_MAX) ")");
		err = -E2BIG;
	}
	if (err) {
		kvtep_flood_list_free(kv, fl);
	} else {
		if (!cnt) {
			kfree(fl);	/* holds nothing */
			fl = NULL;
		}
		rcu_assign_pointer(ls->flood, fl);
		kvtep_flood_list_free_rcu(kv, old);
		kvtep_dev_changed(kv);
	}
	spin_unlock_bh(&kv->fdb_lock);
	kvtep_remote_pool_free(&pool);
	return err;
}

/* Hand @skb, or a clone of it when @last is false, to binding @b. */
static void kvtep_flood_to_binding(struct kvtep_dev *kv, struct kvtep_binding *b,
				   struct sk_buff *skb, bool last)
{
	if (!last) {
		skb = skb_clone(skb, GFP_ATOMIC);
		if (!skb) {
			kvtep_count(kv, KVTEP_DROP_NOMEM);
			return;
		}
	}
	kvtep_binding_xmit(b, skb);
}

/*
 * Every destination but the last gets a clone; the last one takes @skb
 * itself, so a frame with one destination is never cloned.
 */
void kvtep_flood(struct kvtep_dev *kv, struct kvtep_ls *ls,
		 const struct kvtep_binding *from, bool to_tunnels,
		 const struct kvtep_flood_list *remotes, struct sk_buff *skb)
{
	struct kvtep_binding *b, *prev = NULL;
	struct sk_buff *copy;
	unsigned int i, n = 0;

	list_for_each_entry_rcu(b, &ls->bindings, ls_node) {
		if (b == from)
			continue;
		if (prev)
			kvtep_flood_to_binding(kv, prev, skb, false);
		prev = b;
	}

	if (to_tunnels && remotes)
		/*
		 * service_node: one copy to one service node, which replicates
		 * for us. Chosen deterministically: the first of the list.
		 */
		n = READ_ONCE(ls->replication) == KVTEP_REPL_SERVICE_NODE ?
		    min(1U, remotes->n) : remotes->n;
	if (prev) {
		kvtep_flood_to_binding(kv, prev, skb, !n);
		if (!n)
			return;
	}
	if (!n) {
		kvtep_drop(kv, skb, KVTEP_DROP_NO_DEST);
		return;
	}
	for (i = 0; i + 1 < n; i++) {
		copy = skb_clone(skb, GFP_ATOMIC);
		if (!copy) {
			kvtep_count(kv, KVTEP_DROP_NOMEM);
			continue;
		}
		kvtep_tunnel_xmit(kv, ls, remotes->remotes[i], copy);
	}
	kvtep_tunnel_xmit(kv, ls, remotes->remotes[n - 1], skb);
}
