// SPDX-License-Identifier: GPL-2.0-only
/*
 * The FDB seen through stock iproute2: "bridge fdb show|add|del dev DEV".
 *
 * Each FDB entry is one RTM_NEWNEIGH message the way Linux's vxlan driver
 * words them: NDA_LLADDR, NDA_VNI (always: a kvtep device has no default
 * VNI), and for a remote NDA_DST plus NDA_PORT when it is not the device's
 * port; for a local entry NDA_IFINDEX (the port, printed "via") and
 * NDA_VLAN (the binding's VLAN). A multicast MAC gives one message per
 * remote, and the flood list of each logical switch is shown as the
 * 00:00:00:00:00:00 entry, one message per remote, like vxlan's default
 * destinations. Static entries are NUD_NOARP ("static"), learned ones
 * NUD_REACHABLE (no state word); all carry NTF_SELF.
 *
 * "bridge fdb add MAC dev DEV dst IP vni N [port P] self [static]" adds a
 * static remote entry to the logical switch of VNI N (replace with
 * "bridge fdb replace"); "bridge fdb append 00:00:00:00:00:00 ... dst IP
 * vni N" adds IP to the flood list; "bridge fdb del" removes either.
 */

#include <linux/etherdevice.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <net/ipv6.h>
#include <net/neighbour.h>
#include <net/netlink.h>
#include <net/rtnetlink.h>

#include <uapi/linux/kvtep.h>

#include "compat.h"
#include "device.h"
#include "fdb.h"
#include "fdb_ndo.h"
#include "flood.h"
#include "lswitch.h"
#include "port.h"
#include "remote.h"

/* What one RTM_NEWNEIGH message says. */
struct kvtep_ndo_ent {
	u32 vni;
	const u8 *mac;
	bool learned;
	const struct kvtep_remote *remote;	/* or */
	const struct kvtep_binding *local;
	unsigned long age;			/* jiffies */
};

static int kvtep_ndo_fill(struct sk_buff *skb, struct kvtep_dev *kv,
			  struct netlink_callback *cb,
			  const struct kvtep_ndo_ent *ent)
{
	struct nda_cacheinfo ci = {};
	const struct kvtep_remote *r = ent->remote;
	struct nlmsghdr *nlh;
	struct ndmsg *ndm;

	nlh = nlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			RTM_NEWNEIGH, sizeof(*ndm), NLM_F_MULTI);
	if (!nlh)
		return -EMSGSIZE;
	ndm = nlmsg_data(nlh);
	memset(ndm, 0, sizeof(*ndm));
	ndm->ndm_family = AF_BRIDGE;
	ndm->ndm_ifindex = kv->dev->ifindex;
	ndm->ndm_state = ent->learned ? NUD_REACHABLE : NUD_NOARP;
	ndm->ndm_flags = NTF_SELF;
	ndm->ndm_type = RTN_UNICAST;

	if (nla_put(skb, NDA_LLADDR, ETH_ALEN, ent->mac) ||
	    nla_put_u32(skb, NDA_VNI, ent->vni))
		goto fail;
	if (r) {
		if (r->key.family == AF_INET) {
			if (nla_put_in_addr(skb, NDA_DST, r->key.addr.ip4))
				goto fail;
		} else if (nla_put_in6_addr(skb, NDA_DST, &r->key.addr.ip6)) {
			goto fail;
		}
		if (r->key.port != READ_ONCE(kv->cfg.vxlan_port) &&
		    nla_put_be16(skb, NDA_PORT, htons(r->key.port)))
			goto fail;
	} else if (ent->local) {
		if (nla_put_u32(skb, NDA_IFINDEX, ent->local->port->dev->ifindex))
			goto fail;
		if (ent->local->vlan &&
		    nla_put_u16(skb, NDA_VLAN, ent->local->vlan))
			goto fail;
	}
	ci.ndm_used = jiffies_to_clock_t(ent->age);
	ci.ndm_updated = ci.ndm_used;
	if (nla_put(skb, NDA_CACHEINFO, sizeof(ci), &ci))
		goto fail;
	nlmsg_end(skb, nlh);
	return 0;
fail:
	nlmsg_cancel(skb, nlh);
	return -EMSGSIZE;
}

/* Emit @ent unless it comes before where the last dump call stopped. */
static int kvtep_ndo_emit(struct sk_buff *skb, struct kvtep_dev *kv,
			  struct netlink_callback *cb, int *idx,
			  const struct kvtep_ndo_ent *ent)
{
	int err = 0;

	if (*idx >= cb->args[2])
		err = kvtep_ndo_fill(skb, kv, cb, ent);
	if (!err)
		*idx += 1;
	return err;
}

static int kvtep_ndo_emit_list(struct sk_buff *skb, struct kvtep_dev *kv,
			       struct netlink_callback *cb, int *idx,
			       struct kvtep_ndo_ent *ent,
			       const struct kvtep_flood_list *fl)
{
	unsigned int i;
	int err;

	for (i = 0; fl && i < fl->n; i++) {
		ent->remote = fl->remotes[i];
		err = kvtep_ndo_emit(skb, kv, cb, idx, ent);
		if (err)
			return err;
	}
	return 0;
}

static int kvtep_ndo_dump_entry(struct sk_buff *skb, struct kvtep_dev *kv,
				struct netlink_callback *cb, int *idx,
				const struct kvtep_fdb_entry *e)
{
	struct kvtep_ndo_ent ent = {
		.vni = kvtep_fdb_vni(e),
		.mac = e->key.mac,
		.age = kvtep_fdb_age(e),
	};

	switch (e->type) {
	case KVTEP_FDB_LEARNED_LOCAL:
		ent.learned = true;
		fallthrough;
	case KVTEP_FDB_STATIC_LOCAL:
		ent.local = READ_ONCE(e->local);
		break;
	case KVTEP_FDB_LEARNED_REMOTE:
		ent.learned = true;
		fallthrough;
	case KVTEP_FDB_STATIC_REMOTE:
		ent.remote = READ_ONCE(e->remote);
		break;
	case KVTEP_FDB_MCAST_REMOTE:
		return kvtep_ndo_emit_list(skb, kv, cb, idx, &ent,
					   rcu_dereference(e->mset));
	default:
		return 0;
	}
	return kvtep_ndo_emit(skb, kv, cb, idx, &ent);
}

/*
 * RTM_GETNEIGH dump (AF_BRIDGE): the flood lists, then the FDB. Resumes
 * by position (cb->args[2], kept by rtnetlink in *@idx): entries added or
 * removed between two calls may be missed or shown twice, as with vxlan.
 */
int kvtep_ndo_fdb_dump(struct sk_buff *skb, struct netlink_callback *cb,
		       struct net_device *dev, struct net_device *filter_dev,
		       int *idx)
{
	struct kvtep_dev *kv = netdev_priv(dev);
	static const u8 zero_mac[ETH_ALEN];
	struct rhashtable_iter iter;
	struct kvtep_fdb_entry *e;
	struct kvtep_ls *ls;
	int bkt, err = 0;

	if (filter_dev && filter_dev != dev)
		return 0;

	rcu_read_lock();
	hash_for_each_rcu(kv->ls_hash, bkt, ls, hnode) {
		struct kvtep_ndo_ent ent = {
			.vni = ls->vni,
			.mac = zero_mac,
		};

		err = kvtep_ndo_emit_list(skb, kv, cb, idx, &ent,
					  rcu_dereference(ls->flood));
		if (err)
			break;
	}
	rcu_read_unlock();
	if (err)
		return err;

	rhashtable_walk_enter(&kv->fdb, &iter);
	rhashtable_walk_start(&iter);
	while ((e = rhashtable_walk_next(&iter))) {
		if (IS_ERR(e)) {
			if (PTR_ERR(e) == -EAGAIN)
				continue;
			break;
		}
		err = kvtep_ndo_dump_entry(skb, kv, cb, idx, e);
		if (err)
			break;
	}
	rhashtable_walk_stop(&iter);
	rhashtable_walk_exit(&iter);
	return err;
}

/* Parse NDA_VNI into the logical switch it names. Under kv->lock. */
static struct kvtep_ls *kvtep_ndo_ls(struct kvtep_dev *kv, struct nlattr *tb[],
				     struct netlink_ext_ack *extack)
{
	struct kvtep_ls *ls;
	u32 vni;

	if (!tb || !tb[NDA_VNI]) {
		NL_SET_ERR_MSG_MOD(extack, "a kvtep FDB entry needs a VNI (vni N)");
		return ERR_PTR(-EINVAL);
	}
	if (nla_len(tb[NDA_VNI]) != sizeof(u32)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[NDA_VNI], "kvtep: invalid VNI attribute");
		return ERR_PTR(-EINVAL);
	}
	vni = nla_get_u32(tb[NDA_VNI]);
	ls = vni && vni <= KVTEP_VNI_MAX ? kvtep_ls_find(kv, vni) : NULL;
	if (!ls) {
		NL_SET_ERR_MSG_ATTR(extack, tb[NDA_VNI],
				    "kvtep: no logical switch with this VNI (kvtepctl ls add)");
		return ERR_PTR(-ENOENT);
	}
	return ls;
}

/* NDA_DST [+ NDA_PORT] into a remote key of @ls's encapsulation. */
static int kvtep_ndo_remote(struct kvtep_dev *kv, struct kvtep_ls *ls,
			    struct nlattr *tb[], struct kvtep_remote_key *key,
			    struct netlink_ext_ack *extack)
{
	struct nlattr *dst = tb[NDA_DST];

	memset(key, 0, sizeof(*key));
	if (!dst) {
		NL_SET_ERR_MSG_MOD(extack, "a kvtep FDB entry needs a remote (dst IP)");
		return -EINVAL;
	}
	key->encap = READ_ONCE(ls->encap);
	if (tb[NDA_PORT]) {
		if (nla_len(tb[NDA_PORT]) != sizeof(__be16) ||
		    !nla_get_be16(tb[NDA_PORT])) {
			NL_SET_ERR_MSG_ATTR(extack, tb[NDA_PORT], "kvtep: invalid UDP port");
			return -EINVAL;
		}
		key->port = ntohs(nla_get_be16(tb[NDA_PORT]));
	} else if (key->encap == KVTEP_ENCAP_GENEVE) {
		key->port = READ_ONCE(kv->cfg.geneve_port);
	} else {
		key->port = READ_ONCE(kv->cfg.vxlan_port);
	}

	if (nla_len(dst) == sizeof(__be32)) {
		key->family = AF_INET;
		key->addr.ip4 = nla_get_in_addr(dst);
		if (ipv4_is_multicast(key->addr.ip4) ||
		    ipv4_is_lbcast(key->addr.ip4) ||
		    ipv4_is_zeronet(key->addr.ip4)) {
			NL_SET_ERR_MSG_ATTR(extack, dst,
					    "kvtep: remote IPv4 address must be unicast");
			return -EINVAL;
		}
		if (!READ_ONCE(kv->cfg.local_ip4)) {
			NL_SET_ERR_MSG_ATTR(extack, dst,
					    "kvtep: IPv4 remote but the device has no local IPv4 address");
			return -EAFNOSUPPORT;
		}
	} else if (nla_len(dst) == sizeof(struct in6_addr)) {
		key->family = AF_INET6;
		key->addr.ip6 = nla_get_in6_addr(dst);
		if (ipv6_addr_is_multicast(&key->addr.ip6) ||
		    ipv6_addr_any(&key->addr.ip6)) {
			NL_SET_ERR_MSG_ATTR(extack, dst,
					    "kvtep: remote IPv6 address must be unicast");
			return -EINVAL;
		}
		if (ipv6_addr_any(&kv->cfg.local_ip6)) {
			NL_SET_ERR_MSG_ATTR(extack, dst,
					    "kvtep: IPv6 remote but the device has no local IPv6 address");
			return -EAFNOSUPPORT;
		}
	} else {
		NL_SET_ERR_MSG_ATTR(extack, dst, "kvtep: remote must be an IPv4 or IPv6 address");
		return -EAFNOSUPPORT;
	}
	return 0;
}

/* Under RTNL (rtnl_fdb_add). @flags: the request's NLM_F_* flags. */
int kvtep_ndo_fdb_add(struct ndmsg *ndm, struct nlattr *tb[],
		      struct net_device *dev, const unsigned char *addr,
		      u16 vid, u16 flags, struct netlink_ext_ack *extack)
{
	struct kvtep_dev *kv = netdev_priv(dev);
	struct kvtep_remote_key key;
	struct kvtep_fdb_cfg cfg = {};
	struct kvtep_ls *ls;
	int err;

	if (!(ndm->ndm_state & (NUD_PERMANENT | NUD_NOARP))) {
		NL_SET_ERR_MSG_MOD(extack,
				   "only static entries can be added (static or permanent)");
		return -EINVAL;
	}
	if (vid) {
		NL_SET_ERR_MSG_MOD(extack,
				   "a remote entry has no VLAN (VLANs are per port binding)");
		return -EINVAL;
	}
	if (tb[NDA_IFINDEX] || tb[NDA_NH_ID] || tb[NDA_SRC_VNI]) {
		NL_SET_ERR_MSG_MOD(extack, "via, nhid and src_vni are not supported");
		return -EOPNOTSUPP;
	}

	mutex_lock(&kv->lock);
	ls = kvtep_ndo_ls(kv, tb, extack);
	if (IS_ERR(ls)) {
		err = PTR_ERR(ls);
		goto out;
	}
	err = kvtep_ndo_remote(kv, ls, tb, &key, extack);
	if (err)
		goto out;

	if (is_zero_ether_addr(addr)) {
		if (!(flags & NLM_F_APPEND)) {
			NL_SET_ERR_MSG_MOD(extack,
					   "the flood list (00:00:00:00:00:00) takes remotes with \"bridge fdb append\"");
			err = -EINVAL;
			goto out;
		}
		err = kvtep_flood_change(kv, ls, &key, 1, KVTEP_FLOOD_ADD, extack);
		goto out;
	}
	if (is_multicast_ether_addr(addr)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "multicast MACs take a remote set: use kvtepctl fdb add");
		err = -EOPNOTSUPP;
		goto out;
	}
	cfg.vni = ls->vni;
	ether_addr_copy(cfg.mac, addr);
	cfg.type = KVTEP_FDB_STATIC_REMOTE;
	cfg.rkeys = &key;
	cfg.n_rkeys = 1;
	err = kvtep_fdb_add(kv, ls, &cfg, flags & NLM_F_REPLACE, extack);
out:
	mutex_unlock(&kv->lock);
	return err;
}

/* Under RTNL (rtnl_fdb_del). */
int kvtep_ndo_fdb_del(struct ndmsg *ndm, struct nlattr *tb[],
		      struct net_device *dev, const unsigned char *addr,
		      u16 vid, struct netlink_ext_ack *extack)
{
	struct kvtep_dev *kv = netdev_priv(dev);
	struct kvtep_remote_key key;
	struct kvtep_ls *ls;
	int err;

	mutex_lock(&kv->lock);
	ls = kvtep_ndo_ls(kv, tb, extack);
	if (IS_ERR(ls)) {
		err = PTR_ERR(ls);
		goto out;
	}
	if (is_zero_ether_addr(addr)) {
		/* One remote out of the flood list, or (no dst) all of them. */
		if (tb[NDA_DST]) {
			err = kvtep_ndo_remote(kv, ls, tb, &key, extack);
			if (!err)
				err = kvtep_flood_change(kv, ls, &key, 1,
							 KVTEP_FLOOD_DEL, extack);
		} else {
			err = kvtep_flood_change(kv, ls, NULL, 0,
						 KVTEP_FLOOD_SET, extack);
		}
		goto out;
	}
	err = kvtep_fdb_del(kv, ls->vni, addr, extack);
out:
	mutex_unlock(&kv->lock);
	return err;
}
