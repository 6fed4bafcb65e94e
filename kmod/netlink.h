/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _KVTEP_NETLINK_H
#define _KVTEP_NETLINK_H

int kvtep_netlink_init(void);
void kvtep_netlink_uninit(void);

#endif /* _KVTEP_NETLINK_H */
