/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _KVTEP_FDB_NDO_H
#define _KVTEP_FDB_NDO_H

#include <linux/netdevice.h>

struct ndmsg;
struct netlink_callback;

/* "bridge fdb show|add|del dev DEV": the device's ndo_fdb_* operations. */
int kvtep_ndo_fdb_dump(struct sk_buff *skb, struct netlink_callback *cb,
		       struct net_device *dev, struct net_device *filter_dev,
		       int *idx);
int kvtep_ndo_fdb_add(struct ndmsg *ndm, struct nlattr *tb[],
		      struct net_device *dev, const unsigned char *addr,
		      u16 vid, u16 flags, struct netlink_ext_ack *extack);
int kvtep_ndo_fdb_del(struct ndmsg *ndm, struct nlattr *tb[],
		      struct net_device *dev, const unsigned char *addr,
		      u16 vid, struct netlink_ext_ack *extack);

#endif /* _KVTEP_FDB_NDO_H */
