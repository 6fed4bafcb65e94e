// SPDX-License-Identifier: GPL-2.0-only
/* VXLAN (RFC 7348): header, receive-side validation, decapsulation. */

#include <linux/etherdevice.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <net/gro.h>
#include <net/ip_tunnels.h>
#include <net/udp.h>
#include <net/udp_tunnel.h>

#include "device.h"
#include "lswitch.h"
#include "remote.h"
#include "socket.h"
#include "vxlan.h"

void kvtep_vxlan_push(struct sk_buff *skb, u32 vni)
{
	struct kvtep_vxlanhdr *vxh = __skb_push(skb, sizeof(*vxh));

	vxh->flags = KVTEP_VXLAN_FLAG_I;
	vxh->vni = cpu_to_be32(vni << 8);
}

/*
 * Softirq, under RCU, from the UDP receive path. Returns 0: the packet is
 * ours whatever happens to it (a VXLAN port carries nothing else).
 */
static int kvtep_vxlan_rcv(struct sock *sk, struct sk_buff *skb)
{
	struct kvtep_dev *kv = rcu_dereference_sk_user_data(sk);
	struct kvtep_vxlanhdr *vxh;
	u32 vni;

	if (unlikely(!kv)) {
		kfree_skb(skb);
		return 0;
	}
	if (unlikely(!pskb_may_pull(skb, KVTEP_VXLAN_HLEN))) {
		kvtep_drop(kv, skb, KVTEP_DROP_TRUNCATED);
		return 0;
	}
	vxh = (struct kvtep_vxlanhdr *)(udp_hdr(skb) + 1);
	if (unlikely(!(vxh->flags & KVTEP_VXLAN_FLAG_I))) {
		kvtep_drop(kv, skb, KVTEP_DROP_BAD_VXLAN_FLAGS);
		return 0;
	}
	/* Reserved bits "MUST be ignored on receipt": count, then go on. */
	if (unlikely((vxh->flags & ~KVTEP_VXLAN_FLAG_I) ||
		     (vxh->vni & ~KVTEP_VXLAN_VNI_MASK)))
		kvtep_count(kv, KVTEP_DROP_VXLAN_RESERVED);

	vni = be32_to_cpu(vxh->vni) >> 8;
	kvtep_tunnel_decap(kv, sk, skb, KVTEP_ENCAP_VXLAN, vni, KVTEP_VXLAN_HLEN, 0);
	return 0;
}

/*
 * GRO, softirq under RCU: the UDP layer has matched the outer headers and
 * ports and pulled the UDP header; merge this segment with a held one only
 * if their VXLAN headers are the same word for word, then let Ethernet
 * (and IP, TCP...) GRO compare the inner frame. A header that
 * kvtep_vxlan_rcv() would drop is flushed as it is, to be dropped there,
 * counted once per packet.
 */
static struct sk_buff *kvtep_vxlan_gro_receive(struct sock *sk,
					       struct list_head *head,
					       struct sk_buff *skb)
{
	const unsigned int off = skb_gro_offset(skb);
	const struct kvtep_vxlanhdr *vxh;
	struct sk_buff *pp = NULL;
	int flush = 1;

	vxh = skb_gro_header(skb, off + sizeof(*vxh), off);
	if (unlikely(!vxh || !(vxh->flags & KVTEP_VXLAN_FLAG_I)))
		goto out;
	pp = kvtep_tunnel_gro(head, skb, vxh, sizeof(*vxh));
	flush = 0;
out:
	skb_gro_flush_final(skb, pp, flush);
	return pp;
}

/* @nhoff is the offset of the VXLAN header in the merged skb. */
static int kvtep_vxlan_gro_complete(struct sock *sk, struct sk_buff *skb,
				    int nhoff)
{
	/* skb->encapsulation is set: this also sets the inner MAC header. */
	return eth_gro_complete(skb, nhoff + sizeof(struct kvtep_vxlanhdr));
}

const struct kvtep_encap_ops kvtep_vxlan_ops = {
	.encap_rcv	= kvtep_vxlan_rcv,
	.gro_receive	= kvtep_vxlan_gro_receive,
	.gro_complete	= kvtep_vxlan_gro_complete,
};
