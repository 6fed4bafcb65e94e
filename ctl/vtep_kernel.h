/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kvtepctl ovsdb: the netlink side of the agent (vtep_kernel.c).
 */
#ifndef KVTEPCTL_VTEP_KERNEL_H
#define KVTEPCTL_VTEP_KERNEL_H

#include "nl.h"
#include "vtep.h"

enum {
	VK_DUMP_STATE	= 1,	/* device address, LS, bindings, FDB, flood */
	VK_DUMP_PORTS	= 2,
	VK_DUMP_MACS	= 4,	/* local MACs (FDB dump) */
	VK_DUMP_STATS	= 8,	/* binding counters (bind dump) */
};

/* Dump @what of device @dev into @k (sorted) and @ki (may be NULL). */
int vk_dump(struct nl_ctx *nl, const char *dev, struct kstate *k,
	    struct vtep_kinfo *ki, unsigned int what);

struct vk_faults {
	struct vtep_fault *v;
	size_t n;
};

struct vk_counts {
	unsigned int ops, msgs;
};

/*
 * Apply @ops to @dev. Failures are recorded in @kf (and the rest still
 * applied). Returns 0 if everything applied, else the last error.
 */
int vk_apply(struct nl_ctx *nl, const char *dev, const struct kops *ops,
	     struct vk_faults *kf, struct vk_counts *cnt);

/* Create a kvtep device named @dev (up): 0 or -errno. */
int vk_dev_create(const char *dev);
int vk_dev_up(const char *dev);

int vk_mac_add(struct vtep_kinfo *ki, uint32_t vni, const uint8_t *mac);
void vk_mac_del(struct vtep_kinfo *ki, uint32_t vni, const uint8_t *mac);

#endif /* KVTEPCTL_VTEP_KERNEL_H */
