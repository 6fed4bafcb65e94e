/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _KVTEP_GENEVE_H
#define _KVTEP_GENEVE_H

#include <linux/types.h>
#include <linux/udp.h>

struct kvtep_dev;
struct kvtep_encap_ops;
struct sk_buff;
struct sock;

/*
 * RFC 8926 section 3.4: Ver (2 bits) and Opt Len (6 bits, in 4-byte
 * words); O (OAM), C (critical options present) and 6 reserved bits;
 * Protocol Type; 24-bit VNI; 8 reserved bits; then the options. Spelled
 * out in bytes, not bitfields, so no endianness games are needed.
 */
struct kvtep_genevehdr {
	u8 ver_optlen;
	u8 flags;
	__be16 proto;
	u8 vni[3];
	u8 rsvd;
};

/* One option (section 3.5): class, type (bit 7 = critical), length. */
struct kvtep_geneve_opt {
	__be16 opt_class;
	u8 type;
	u8 len;		/* 3 reserved bits, 5 bits of length in 4-byte words */
};

#define KVTEP_GENEVE_VER_SHIFT		6
#define KVTEP_GENEVE_OPTLEN_MASK	0x3f
#define KVTEP_GENEVE_FLAG_OAM		0x80
#define KVTEP_GENEVE_FLAG_CRIT		0x40
#define KVTEP_GENEVE_OPT_CRIT		0x80
#define KVTEP_GENEVE_OPT_LEN_MASK	0x1f

#define KVTEP_GENEVE_HLEN	(sizeof(struct udphdr) + sizeof(struct kvtep_genevehdr))

/*
 * OVN's option (ovn-architecture(7), "Tunnel Encapsulations"): class
 * 0x0102, type 0x80 (critical), 4 bytes of data: 1 reserved bit, the
 * 15-bit logical ingress port key, the 16-bit logical egress port key.
 */
#define KVTEP_GENEVE_OVN_CLASS		0x0102
#define KVTEP_GENEVE_OVN_TYPE		0x80
#define KVTEP_GENEVE_OVN_DATA_LEN	4
#define KVTEP_GENEVE_OVN_OPT_LEN	(sizeof(struct kvtep_geneve_opt) + \
					 KVTEP_GENEVE_OVN_DATA_LEN)
#define KVTEP_OVN_INGRESS_MAX		0x7fff

/* Receive hooks of the Geneve sockets (encap_rcv, GRO). */
extern const struct kvtep_encap_ops kvtep_geneve_ops;

/*
 * Push the Geneve header for @vni in front of the inner frame; with the
 * OVN option when @ovn (ingress key @in, egress key @out). The caller
 * made room for KVTEP_GENEVE_HLEN (+ KVTEP_GENEVE_OVN_OPT_LEN) bytes.
 */
void kvtep_geneve_push(struct sk_buff *skb, u32 vni, bool ovn, u16 in, u16 out);

#endif /* _KVTEP_GENEVE_H */
