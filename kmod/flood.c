// SPDX-License-Identifier: GPL-2.0-only
/*
 * Flood lists and the delivery of broadcast, unknown unicast and
 * multicast frames (the OVSDB "unknown-dst" and multicast MACs).
 */

#include <linux/overflow.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <net/netlink.h>

#include <uapi/linux/kvtep.h>

#include "device.h"
#include "flood.h"
#include "lswitch.h"
#include "port.h"
#include "remote.h"
#include "socket.h"

/* As many remotes as the genl API takes in one flood list. */
#define KVTEP_FLOOD_MAX	1024

struct kvtep_flood_list *kvtep_flood_list_alloc(unsigned int n)
{
	struct kvtep_flood_list *fl;

	fl = kzalloc(struct_size(fl, remotes, n), GFP_ATOMIC);
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

int kvtep_flood_change_one(struct kvtep_dev *kv, struct kvtep_ls *ls,
			   const struct kvtep_remote_key *key, bool add,
			   struct netlink_ext_ack *extack)
{
	struct kvtep_flood_list *old, *fl;
	unsigned int i, n = 0, n_old, at;
	int err = 0;

	lockdep_assert_held(&kv->lock);
	spin_lock_bh(&kv->fdb_lock);
	old = rcu_dereference_protected(ls->flood, lockdep_is_held(&kv->lock));
	n_old = old ? old->n : 0;
	at = n_old;
	for (i = 0; key && old && i < old->n; i++)
		if (kvtep_remote_key_equal(&old->remotes[i]->key, key))
			at = i;
	if (add && at < n_old)
		goto out;			/* already there */
	if (!add && key && at == n_old) {
		NL_SET_ERR_MSG_MOD(extack, "this remote is not in the flood list");
		err = -ENOENT;
		goto out;
	}
	if (add && n_old >= KVTEP_FLOOD_MAX) {
		NL_SET_ERR_MSG_MOD(extack, "flood list too long");
		err = -E2BIG;
		goto out;
	}

	fl = NULL;
	if (add || (key && n_old > 1)) {
		fl = kvtep_flood_list_alloc(add ? n_old + 1 : n_old - 1);
		if (!fl) {
			err = -ENOMEM;
			goto out;
		}
		for (i = 0; i < n_old; i++) {
			if (i == at)
				continue;	/* the one deleted */
			kvtep_remote_hold(old->remotes[i]);
			fl->remotes[n++] = old->remotes[i];
		}
		if (add) {
			fl->remotes[n] = kvtep_remote_get(kv, key);
			if (!fl->remotes[n]) {
				fl->n = n;
				kvtep_flood_list_free(kv, fl);
				err = -ENOMEM;
				goto out;
			}
		}
	}
	rcu_assign_pointer(ls->flood, fl);
	kvtep_flood_list_free_rcu(kv, old);
	kvtep_dev_changed(kv);
out:
	spin_unlock_bh(&kv->fdb_lock);
	return err;
}

void kvtep_flood(struct kvtep_dev *kv, struct kvtep_ls *ls,
		 const struct kvtep_binding *from, bool to_tunnels,
		 const struct kvtep_flood_list *remotes, struct sk_buff *skb)
{
	struct kvtep_binding *b;
	struct sk_buff *copy;
	unsigned int i, n;
	bool sent = false;

	list_for_each_entry_rcu(b, &ls->bindings, ls_node) {
		if (b == from)
			continue;
		copy = skb_clone(skb, GFP_ATOMIC);
		if (!copy) {
			kvtep_count(kv, KVTEP_DROP_NOMEM);
			continue;
		}
		kvtep_binding_xmit(b, copy);
		sent = true;
	}

	if (to_tunnels && remotes && remotes->n) {
		/*
		 * service_node: one copy to one service node, which replicates
		 * for us. Chosen deterministically: the first of the list.
		 */
		n = READ_ONCE(ls->replication) == KVTEP_REPL_SERVICE_NODE ?
		    1 : remotes->n;
		for (i = 0; i < n; i++) {
			copy = skb_clone(skb, GFP_ATOMIC);
			if (!copy) {
				kvtep_count(kv, KVTEP_DROP_NOMEM);
				continue;
			}
			kvtep_tunnel_xmit(kv, ls, remotes->remotes[i], copy);
			sent = true;
		}
	}

	if (sent)
		consume_skb(skb);
	else
		kvtep_drop(kv, skb, KVTEP_DROP_NO_DEST);
}
