/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _KVTEP_VXLAN_H
#define _KVTEP_VXLAN_H

#include <linux/types.h>
#include <linux/udp.h>

struct kvtep_dev;
struct kvtep_encap_ops;
struct sk_buff;
struct sock;

/* RFC 7348 section 5: flags (I = VNI valid), 24 reserved bits, VNI, 8 reserved. */
struct kvtep_vxlanhdr {
	__be32 flags;
	__be32 vni;
};

#define KVTEP_VXLAN_FLAG_I	cpu_to_be32(0x08000000)
#define KVTEP_VXLAN_VNI_MASK	cpu_to_be32(0xffffff00)
#define KVTEP_VXLAN_HLEN	(sizeof(struct udphdr) + sizeof(struct kvtep_vxlanhdr))

/* Receive hooks of the VXLAN sockets (encap_rcv, GRO). */
extern const struct kvtep_encap_ops kvtep_vxlan_ops;
/* Push the VXLAN header for @vni in front of the inner frame. */
void kvtep_vxlan_push(struct sk_buff *skb, u32 vni);

#endif /* _KVTEP_VXLAN_H */
