// SPDX-License-Identifier: GPL-2.0-only
/*
 * The device's UDP tunnel sockets, and the generic halves of tunnelling:
 * routing + UDP/IP encapsulation on transmit, split-horizon delivery of
 * decapsulated frames on receive.
 *
 * Each remote says how its frames are wrapped: VXLAN (vxlan.c) or Geneve
 * (geneve.c). Both go through the same routing, offload and MTU code here,
 * and both hand decapsulated frames to the same delivery code here.
 *
 * MTU policy: kvtep never fragments. An encapsulated frame (or, for a GSO
 * frame, each of its segments) that does not fit the route MTU to the
 * remote is dropped and counted as KVTEP_DROP_MTU: give the underlay an
 * MTU 50 (IPv4) / 70 (IPv6) bytes larger than the ports', as for any VTEP.
 * Geneve without options has the same overhead as VXLAN; the OVN option
 * adds 8 bytes.
 *
 * Outer UDP checksum: always over IPv6 (RFC 6935 zero checksums are not
 * used); over IPv4 as the device's udp_csum setting says (default on). It
 * costs nothing where the underlay offloads checksums.
 */

#include <linux/etherdevice.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <net/dst_cache.h>
#include <net/gro.h>
#include <net/ip_tunnels.h>
#include <net/ipv6.h>
#include <net/ipv6_stubs.h>
#include <net/route.h>
#include <net/udp.h>
#include <net/udp_tunnel.h>

#include "device.h"
#include "fdb.h"
#include "flood.h"
#include "geneve.h"
#include "lswitch.h"
#include "port.h"
#include "remote.h"
#include "socket.h"
#include "vxlan.h"

static struct kvtep_sock *kvtep_sock_open(struct kvtep_dev *kv, int family,
					  u16 port,
					  const struct kvtep_encap_ops *ops)
{
	struct udp_tunnel_sock_cfg tcfg = {
		.sk_user_data	= kv,
		.encap_type	= 1,
		.encap_rcv	= ops->encap_rcv,
		.gro_receive	= ops->gro_receive,
		.gro_complete	= ops->gro_complete,
	};
	struct udp_port_cfg cfg = {
		.family		= family,
		.local_udp_port	= htons(port),
	};
	struct net *net = dev_net(kv->dev);
	struct kvtep_sock *ks;
	struct socket *sock;
	int err;

	if (family == AF_INET6) {
		cfg.ipv6_v6only = 1;
		cfg.use_udp6_rx_checksums = 1;
		cfg.use_udp6_tx_checksums = 1;
	}
	ks = kzalloc(sizeof(*ks), GFP_KERNEL);
	if (!ks)
		return ERR_PTR(-ENOMEM);
	err = udp_sock_create(net, &cfg, &sock);
	if (err) {
		kfree(ks);
		return ERR_PTR(err);
	}
	setup_udp_tunnel_sock(net, sock, &tcfg);
	ks->sock = sock;
	return ks;
}

static void kvtep_sock_release(struct kvtep_sock __rcu **slot)
{
	struct kvtep_sock *ks = rtnl_dereference(*slot);

	if (!ks)
		return;
	RCU_INIT_POINTER(*slot, NULL);
	synchronize_net();
	udp_tunnel_sock_release(ks->sock);
	kfree(ks);
}

/*
 * Open the IPv4 and (when the host has IPv6) the IPv6 socket of one
 * encapsulation on UDP @port.
 */
static int kvtep_sock_pair_open(struct kvtep_dev *kv, const char *what, u16 port,
				const struct kvtep_encap_ops *ops,
				struct kvtep_sock __rcu **slot4,
				struct kvtep_sock __rcu **slot6)
{
	struct kvtep_sock *ks;

	ks = kvtep_sock_open(kv, AF_INET, port, ops);
	if (IS_ERR(ks)) {
		netdev_err(kv->dev, "cannot open UDP port %u for %s over IPv4: %ld\n",
			   port, what, PTR_ERR(ks));
		return PTR_ERR(ks);
	}
	rcu_assign_pointer(*slot4, ks);

	if (ipv6_mod_enabled()) {
		ks = kvtep_sock_open(kv, AF_INET6, port, ops);
		if (IS_ERR(ks)) {
			netdev_err(kv->dev, "cannot open UDP port %u for %s over IPv6: %ld\n",
				   port, what, PTR_ERR(ks));
			kvtep_sock_release(slot4);
			return PTR_ERR(ks);
		}
		rcu_assign_pointer(*slot6, ks);
	}
	return 0;
}

/* On ndo_open, under RTNL. IPv6 is optional: the host may have it off. */
int kvtep_socks_open(struct kvtep_dev *kv)
{
	int err;

	ASSERT_RTNL();
	err = kvtep_sock_pair_open(kv, "VXLAN", READ_ONCE(kv->cfg.vxlan_port),
				   &kvtep_vxlan_ops, &kv->vxlan_sk4, &kv->vxlan_sk6);
	if (err)
		return err;
	err = kvtep_sock_pair_open(kv, "Geneve", READ_ONCE(kv->cfg.geneve_port),
				   &kvtep_geneve_ops, &kv->geneve_sk4,
				   &kv->geneve_sk6);
	if (err) {
		kvtep_sock_release(&kv->vxlan_sk4);
		kvtep_sock_release(&kv->vxlan_sk6);
	}
	return err;
}

void kvtep_socks_close(struct kvtep_dev *kv)
{
	ASSERT_RTNL();
	kvtep_sock_release(&kv->vxlan_sk4);
	kvtep_sock_release(&kv->vxlan_sk6);
	kvtep_sock_release(&kv->geneve_sk4);
	kvtep_sock_release(&kv->geneve_sk6);
}

/* Outer TOS: fixed, or the inner packet's DSCP (KVTEP_TOS_INHERIT). */
static u8 kvtep_outer_tos(struct kvtep_dev *kv, struct sk_buff *skb)
{
	u8 tos = READ_ONCE(kv->cfg.tos);

	if (tos == KVTEP_TOS_INHERIT)
		tos = ip_tunnel_get_dsfield(ip_hdr(skb), skb);
	return ip_tunnel_ecn_encap(tos, ip_hdr(skb), skb);
}

static __be16 kvtep_outer_df(struct kvtep_dev *kv, struct sk_buff *skb)
{
	switch (READ_ONCE(kv->cfg.df)) {
	case KVTEP_DF_SET:
		return htons(IP_DF);
	case KVTEP_DF_INHERIT:
		if (skb->protocol == htons(ETH_P_IP) &&
		    (ip_hdr(skb)->frag_off & htons(IP_DF)))
			return htons(IP_DF);
		return 0;
	default:
		return 0;
	}
}

/* Does the frame (or each GSO segment) fit in @mtu once wrapped? */
static bool kvtep_fits(struct sk_buff *skb, unsigned int mtu,
		       unsigned int overhead)
{
	if (mtu <= overhead)
		return false;
	if (skb_is_gso(skb))
		return skb_gso_validate_mac_len(skb, mtu - overhead);
	return skb->len <= mtu - overhead;
}

/* How one frame is wrapped: filled by kvtep_tunnel_xmit_keys(). */
struct kvtep_tx {
	struct sock *sk;
	__be16 sport;
	u8 encap;		/* enum kvtep_encap */
	bool ovn;		/* add the OVN Geneve option */
	u16 in_key, out_key;	/* its ingress and egress port keys */
	unsigned int hlen;	/* UDP + tunnel header with options */
};

static void kvtep_push_hdr(struct sk_buff *skb, struct kvtep_ls *ls,
			   const struct kvtep_tx *tx)
{
	if (tx->encap == KVTEP_ENCAP_GENEVE)
		kvtep_geneve_push(skb, ls->vni, tx->ovn, tx->in_key, tx->out_key);
	else
		kvtep_vxlan_push(skb, ls->vni);
}

static void kvtep_xmit4(struct kvtep_dev *kv, struct kvtep_ls *ls,
			struct kvtep_remote *r, struct sk_buff *skb,
			const struct kvtep_tx *tx)
{
	const unsigned int overhead = sizeof(struct iphdr) + tx->hlen;
	bool udp_csum = READ_ONCE(kv->cfg.udp_csum);
	__be32 saddr = READ_ONCE(kv->cfg.local_ip4);
	struct net *net = dev_net(kv->dev);
	unsigned int len;
	struct rtable *rt;
	__be32 cached_saddr;
	u8 tos, ttl;
	__be16 df;

	if (unlikely(!saddr)) {
		kvtep_drop(kv, skb, KVTEP_DROP_NO_LOCAL_IP);
		return;
	}
	tos = kvtep_outer_tos(kv, skb);
	df = kvtep_outer_df(kv, skb);

	rt = dst_cache_get_ip4(&r->dst_cache, &cached_saddr);
	if (!rt || cached_saddr != saddr) {
		struct flowi4 fl4 = {
			.flowi4_proto	= IPPROTO_UDP,
			.daddr		= r->key.addr.ip4,
			.saddr		= saddr,
		};

		if (rt)
			ip_rt_put(rt);
		rt = ip_route_output_key(net, &fl4);
		if (IS_ERR(rt)) {
			kvtep_drop(kv, skb, KVTEP_DROP_NO_ROUTE);
			return;
		}
		if (unlikely(rt->dst.dev == kv->dev)) {
			ip_rt_put(rt);
			kvtep_drop(kv, skb, KVTEP_DROP_LOOP);
			return;
		}
		dst_cache_set_ip4(&r->dst_cache, &rt->dst, saddr);
	}

	if (unlikely(!kvtep_fits(skb, dst_mtu(&rt->dst), overhead))) {
		ip_rt_put(rt);
		kvtep_drop(kv, skb, KVTEP_DROP_MTU);
		return;
	}
	if (skb_cow_head(skb, LL_RESERVED_SPACE(rt->dst.dev) +
			 rt->dst.header_len + overhead) ||
	    udp_tunnel_handle_offloads(skb, udp_csum)) {
		ip_rt_put(rt);
		kvtep_drop(kv, skb, KVTEP_DROP_NOMEM);
		return;
	}
	kvtep_push_hdr(skb, ls, tx);
	skb_set_inner_protocol(skb, htons(ETH_P_TEB));

	ttl = READ_ONCE(kv->cfg.ttl) ?: ip4_dst_hoplimit(&rt->dst);
	len = skb->len;
	kvtep_stats_count(kv->stats, KVTEP_STAT_ENCAP, len);
	kvtep_stats_count(ls->stats, KVTEP_STAT_ENCAP, len);
	udp_tunnel_xmit_skb(rt, tx->sk, skb, saddr, r->key.addr.ip4, tos, ttl,
			    df, tx->sport, htons(r->key.port), false, !udp_csum);
}

static void kvtep_xmit6(struct kvtep_dev *kv, struct kvtep_ls *ls,
			struct kvtep_remote *r, struct sk_buff *skb,
			const struct kvtep_tx *tx)
{
	const unsigned int overhead = sizeof(struct ipv6hdr) + tx->hlen;
	struct net *net = dev_net(kv->dev);
	struct in6_addr saddr = kv->cfg.local_ip6;
	struct in6_addr cached_saddr;
	struct dst_entry *dst;
	unsigned int len;
	u8 tos, ttl;

	if (unlikely(ipv6_addr_any(&saddr))) {
		kvtep_drop(kv, skb, KVTEP_DROP_NO_LOCAL_IP);
		return;
	}
	tos = kvtep_outer_tos(kv, skb);

	dst = dst_cache_get_ip6(&r->dst_cache, &cached_saddr);
	if (!dst || !ipv6_addr_equal(&cached_saddr, &saddr)) {
		struct flowi6 fl6 = {
			.flowi6_proto	= IPPROTO_UDP,
			.daddr		= r->key.addr.ip6,
			.saddr		= saddr,
		};

		dst_release(dst);
		dst = ipv6_stub->ipv6_dst_lookup_flow(net, tx->sk, &fl6, NULL);
		if (IS_ERR(dst)) {
			kvtep_drop(kv, skb, KVTEP_DROP_NO_ROUTE);
			return;
		}
		if (unlikely(dst->dev == kv->dev)) {
			dst_release(dst);
			kvtep_drop(kv, skb, KVTEP_DROP_LOOP);
			return;
		}
		dst_cache_set_ip6(&r->dst_cache, dst, &saddr);
	}

	if (unlikely(!kvtep_fits(skb, dst_mtu(dst), overhead))) {
		dst_release(dst);
		kvtep_drop(kv, skb, KVTEP_DROP_MTU);
		return;
	}
	if (skb_cow_head(skb, LL_RESERVED_SPACE(dst->dev) + dst->header_len +
			 overhead) ||
	    udp_tunnel_handle_offloads(skb, true)) {
		dst_release(dst);
		kvtep_drop(kv, skb, KVTEP_DROP_NOMEM);
		return;
	}
	kvtep_push_hdr(skb, ls, tx);
	skb_set_inner_protocol(skb, htons(ETH_P_TEB));

	ttl = READ_ONCE(kv->cfg.ttl) ?: ip6_dst_hoplimit(dst);
	len = skb->len;
	kvtep_stats_count(kv->stats, KVTEP_STAT_ENCAP, len);
	kvtep_stats_count(ls->stats, KVTEP_STAT_ENCAP, len);
	udp_tunnel6_xmit_skb(dst, tx->sk, skb, kv->dev, &saddr, &r->key.addr.ip6,
			     tos, ttl, 0, tx->sport, htons(r->key.port), false);
}

void kvtep_tunnel_xmit_keys(struct kvtep_dev *kv, struct kvtep_ls *ls,
			    struct kvtep_remote *r, u16 in_key, u16 out_key,
			    struct sk_buff *skb)
{
	bool v6 = r->key.family == AF_INET6;
	struct kvtep_tx tx = { .encap = r->key.encap };
	struct kvtep_sock *ks;

	if (tx.encap == KVTEP_ENCAP_GENEVE) {
		ks = v6 ? rcu_dereference(kv->geneve_sk6) :
			  rcu_dereference(kv->geneve_sk4);
		tx.hlen = KVTEP_GENEVE_HLEN;
		/* OVN's option only when the LS wants it and both keys are known. */
		if (in_key && out_key && READ_ONCE(ls->ovn_opt)) {
			tx.ovn = true;
			tx.in_key = in_key;
			tx.out_key = out_key;
			tx.hlen += KVTEP_GENEVE_OVN_OPT_LEN;
		}
	} else {
		ks = v6 ? rcu_dereference(kv->vxlan_sk6) :
			  rcu_dereference(kv->vxlan_sk4);
		tx.hlen = KVTEP_VXLAN_HLEN;
	}
	if (unlikely(!ks)) {
		kvtep_drop(kv, skb, KVTEP_DROP_XMIT);	/* device is down */
		return;
	}
	tx.sk = ks->sock->sk;
	skb_reset_mac_header(skb);
	/* Entropy for the underlay's ECMP: the inner flow's hash. */
	tx.sport = udp_flow_src_port(dev_net(kv->dev), skb, 0, 0, true);

	if (v6)
		kvtep_xmit6(kv, ls, r, skb, &tx);
	else
		kvtep_xmit4(kv, ls, r, skb, &tx);
}

void kvtep_tunnel_xmit(struct kvtep_dev *kv, struct kvtep_ls *ls,
		       struct kvtep_remote *r, struct sk_buff *skb)
{
	kvtep_tunnel_xmit_keys(kv, ls, r, 0, 0, skb);
}

/*
 * A frame for OVN's logical egress port @key: the local binding of @ls
 * with that key, if any. Bindings per LS are few: a walk is fine.
 */
static struct kvtep_binding *kvtep_binding_by_key(struct kvtep_ls *ls, u16 key)
{
	struct kvtep_binding *b;

	list_for_each_entry_rcu(b, &ls->bindings, ls_node)
		if (READ_ONCE(b->port_key) == key)
			return b;
	return NULL;
}

/*
 * A frame came out of a tunnel from @src into @ls; @skb->data points at
 * the inner Ethernet header. Delivered to local bindings only (split
 * horizon: never back into a tunnel): to the binding whose OVN port key
 * is @out_key when there is one, else by the FDB. Consumes @skb.
 */
static void kvtep_tunnel_rx(struct kvtep_dev *kv, struct kvtep_ls *ls,
			    const struct kvtep_remote_key *src, u16 out_key,
			    struct sk_buff *skb)
{
	const struct ethhdr *eth;
	struct kvtep_fdb_entry *e;
	struct kvtep_binding *b;
	__be16 proto;

	if (unlikely(!pskb_may_pull(skb, ETH_HLEN))) {
		kvtep_drop(kv, skb, KVTEP_DROP_RUNT);
		return;
	}
	skb_reset_mac_header(skb);
	eth = eth_hdr(skb);
	proto = eth->h_proto;
	/* An 802.3 length field must not claim more than the frame holds. */
	if (unlikely(ntohs(proto) < ETH_P_802_3_MIN &&
		     ntohs(proto) > skb->len - ETH_HLEN)) {
		kvtep_drop(kv, skb, KVTEP_DROP_BAD_LENGTH);
		return;
	}
	if (unlikely(is_multicast_ether_addr(eth->h_source) ||
		     is_zero_ether_addr(eth->h_source))) {
		kvtep_drop(kv, skb, KVTEP_DROP_LOOP);
		return;
	}
	skb->dev = kv->dev;
	kvtep_stats_count(kv->stats, KVTEP_STAT_DECAP, skb->len);
	kvtep_stats_count(ls->stats, KVTEP_STAT_DECAP, skb->len);

	if (READ_ONCE(kv->cfg.tunnel_learning))
		kvtep_fdb_learn_remote(kv, ls, eth->h_source, src);

	if (out_key) {
		b = kvtep_binding_by_key(ls, out_key);
		if (b) {
			kvtep_binding_xmit(b, skb);
			return;
		}
	}
	if (!is_multicast_ether_addr(eth->h_dest)) {
		e = kvtep_fdb_lookup(kv, ls->vni, eth->h_dest);
		if (e && (e->type == KVTEP_FDB_STATIC_LOCAL ||
			  e->type == KVTEP_FDB_LEARNED_LOCAL)) {
			kvtep_binding_xmit(READ_ONCE(e->local), skb);
			return;
		}
		if (e && e->type != KVTEP_FDB_MCAST_REMOTE) {
			/* Known to be behind a tunnel: not ours to deliver. */
			kvtep_drop(kv, skb, KVTEP_DROP_SPLIT_HORIZON);
			return;
		}
	}
	kvtep_flood(kv, ls, NULL, false, NULL, skb);
}

void kvtep_tunnel_decap(struct kvtep_dev *kv, struct sock *sk,
			struct sk_buff *skb, u8 encap, u32 vni,
			unsigned int hlen, u16 out_key)
{
	struct kvtep_remote_key src = {};
	struct kvtep_ls *ls;

	ls = kvtep_ls_find(kv, vni);
	if (unlikely(!ls)) {
		kvtep_drop(kv, skb, KVTEP_DROP_NO_LS);
		return;
	}

	/* The sender as a remote (for tunnel learning): its address, our port. */
	src.encap = encap;
	src.port = encap == KVTEP_ENCAP_GENEVE ? READ_ONCE(kv->cfg.geneve_port) :
						 READ_ONCE(kv->cfg.vxlan_port);
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
	if (unlikely(skb->len < hlen + ETH_HLEN)) {
		kvtep_drop(kv, skb, KVTEP_DROP_RUNT);
		return;
	}
	if (iptunnel_pull_header(skb, hlen, htons(ETH_P_TEB),
				 !net_eq(sock_net(sk), dev_net(kv->dev)))) {
		kvtep_drop(kv, skb, KVTEP_DROP_NOMEM);
		return;
	}
	kvtep_tunnel_rx(kv, ls, &src, out_key, skb);
}

/*
 * The GRO step VXLAN and Geneve share, softirq under RCU. @hdr (@hlen
 * bytes at the GRO offset) is a tunnel header the caller has checked and
 * would accept. A held skb stays in this flow only if its tunnel header is
 * the same byte for byte, so the receive path judges the merged skb as it
 * would each segment; then Ethernet (and IP, TCP...) GRO compare the inner
 * frame. Held skbs have their headers in the linear area. The first byte
 * is compared first: for Geneve it holds the option length, so only when
 * it matches is @hlen the held header's length too.
 */
struct sk_buff *kvtep_tunnel_gro(struct list_head *head, struct sk_buff *skb,
				 const void *hdr, unsigned int hlen)
{
	const unsigned int off = skb_gro_offset(skb);
	struct sk_buff *p;

	list_for_each_entry(p, head, list) {
		const u8 *held = p->data + off;

		if (NAPI_GRO_CB(p)->same_flow &&
		    (held[0] != *(const u8 *)hdr || memcmp(held, hdr, hlen)))
			NAPI_GRO_CB(p)->same_flow = 0;
	}
	skb_gro_pull(skb, hlen);
	skb_gro_postpull_rcsum(skb, hdr, hlen);
	return call_gro_receive(eth_gro_receive, head, skb);
}
