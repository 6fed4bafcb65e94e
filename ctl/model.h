/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The internal model of kvtep objects. The command line (and later the
 * OVSDB agent) fills these; one encoder per object turns them into netlink.
 */
#ifndef KVTEPCTL_MODEL_H
#define KVTEPCTL_MODEL_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <libmnl/libmnl.h>
#include <linux/kvtep.h>

#define KVTEP_HAS(cfg, attr)	(!!((cfg)->present & (1ULL << (attr))))
#define KVTEP_SET(cfg, attr)	((cfg)->present |= 1ULL << (attr))

/* Device settings; a field counts only if its KVTEP_A_* bit is present. */
struct kvtep_dev_cfg {
	uint64_t present;
	uint32_t ifindex;
	char ifname[IFNAMSIZ];
	uint16_t vxlan_port;
	uint16_t geneve_port;
	uint8_t local_ip4[4];
	uint8_t local_ip6[16];
	uint8_t ttl;
	uint8_t tos;
	uint8_t df;
	uint8_t learning;
	uint8_t tunnel_learning;
	uint8_t udp_csum;
	uint32_t ageing;
	uint32_t fdb_max;
};

_Static_assert(KVTEP_A_MAX < 64, "present bitmask too small");

/* Put the present writable attributes of @cfg (and its device) into @nlh. */
void kvtep_dev_cfg_put(struct nlmsghdr *nlh, const struct kvtep_dev_cfg *cfg);

#endif /* KVTEPCTL_MODEL_H */
