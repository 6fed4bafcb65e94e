// SPDX-License-Identifier: GPL-2.0-only
/* VXLAN (RFC 7348): header, receive-side validation, decapsulation. */

#include <linux/etherdevice.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
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
int kvtep_vxlan_rcv(struct sock *sk, struct sk_buff *skb)
{
	struct kvtep_dev *kv = rcu_dereference_sk_user_data(sk);
	struct kvtep_remote_key src = {};
	struct kvtep_vxlanhdr *vxh;
	struct kvtep_ls *ls;
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
	ls = kvtep_ls_find(kv, vni);
	if (unlikely(!ls)) {
		kvtep_drop(kv, skb, KVTEP_DROP_NO_LS);
		return 0;
	}

	src.encap = KVTEP_ENCAP_VXLAN;
	src.port = READ_ONCE(kv->cfg.vxlan_port);
	if (ip_hdr(skb)->version == 4) {
		src.family = AF_INET;
		src.addr.ip4 = ip_hdr(skb)->saddr;
	} else {
		src.family = AF_INET6;
		src.addr.ip6 = ipv6_hdr(skb)->saddr;
	}

	/*
	 * iptunnel_pull_header() also pulls the inner Ethernet header and
	 * fails with a frame shorter than that: tell a runt from a lack of
	 * memory before it does.
	 */
	if (unlikely(skb->len < KVTEP_VXLAN_HLEN + ETH_HLEN)) {
		kvtep_drop(kv, skb, KVTEP_DROP_RUNT);
		return 0;
	}
	if (iptunnel_pull_header(skb, KVTEP_VXLAN_HLEN, htons(ETH_P_TEB),
				 !net_eq(sock_net(sk), dev_net(kv->dev)))) {
		kvtep_drop(kv, skb, KVTEP_DROP_NOMEM);
		return 0;
	}
	kvtep_tunnel_rx(kv, ls, &src, skb);
	return 0;
}
