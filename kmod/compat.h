/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Every difference between the kernels kvtep supports (6.1 .. 6.12) is
 * bridged here and nowhere else. Kbuild probes the kernel headers and
 * defines KVTEP_HAVE_* for features that are present; we never test
 * LINUX_VERSION_CODE, which lies on distribution kernels with backports.
 */
#ifndef _KVTEP_COMPAT_H
#define _KVTEP_COMPAT_H

#include <net/genetlink.h>
#include <linux/netlink.h>
#include <linux/netdevice.h>

/* 6.2 split genl ops; pre_doit/post_doit take the split type since then. */
#ifdef KVTEP_HAVE_GENL_SPLIT_OPS
#define kvtep_genl_ops genl_split_ops
#else
#define kvtep_genl_ops genl_ops
#endif

/*
 * 6.2 added formatted extack messages. On older kernels keep the message
 * without its arguments: still specific, just without the value.
 */
#ifndef NL_SET_ERR_MSG_FMT_MOD
#define NL_SET_ERR_MSG_FMT_MOD(extack, fmt, args...) \
	NL_SET_ERR_MSG_MOD(extack, fmt)
#endif

/* 6.12 turned NETIF_F_LLTX into the lltx bit of struct net_device. */
static inline void kvtep_set_lltx(struct net_device *dev)
{
#ifdef KVTEP_HAVE_NETDEV_LLTX
	dev->lltx = true;
#else
	dev->features |= NETIF_F_LLTX;
#endif
}

/*
 * netdev_get_by_index()/_by_name() with a tracker came in 6.5; the same
 * is dev_get_by_*() followed by netdev_tracker_alloc() on every kernel.
 */
static inline struct net_device *
netdev_get_by_index_compat(struct net *net, int ifindex,
			   netdevice_tracker *tracker)
{
	struct net_device *dev = dev_get_by_index(net, ifindex);

	if (dev)
		netdev_tracker_alloc(dev, tracker, GFP_KERNEL);
	return dev;
}

static inline struct net_device *
netdev_get_by_name_compat(struct net *net, const char *name,
			  netdevice_tracker *tracker)
{
	struct net_device *dev = dev_get_by_name(net, name);

	if (dev)
		netdev_tracker_alloc(dev, tracker, GFP_KERNEL);
	return dev;
}

/* 6.2 moved the parsed attributes of a dump request into a genl_info. */
static inline struct nlattr **kvtep_dumpit_attrs(struct netlink_callback *cb)
{
#ifdef KVTEP_HAVE_GENL_SPLIT_OPS
	return genl_dumpit_info(cb)->info.attrs;
#else
	return genl_dumpit_info(cb)->attrs;
#endif
}

#endif /* _KVTEP_COMPAT_H */
