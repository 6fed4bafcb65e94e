/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _KVTEP_NETLINK_H
#define _KVTEP_NETLINK_H

#include <linux/types.h>

struct kvtep_dev;
struct kvtep_fdb_entry;

int kvtep_netlink_init(void);
void kvtep_netlink_uninit(void);

/* Announce a learn / move / age / delete of a local entry (any context). */
void kvtep_nl_fdb_notify(struct kvtep_dev *kv, const struct kvtep_fdb_entry *e,
			 u8 event);

#endif /* _KVTEP_NETLINK_H */
