// SPDX-License-Identifier: GPL-2.0-only
/*
 * The device's UDP tunnel sockets, and the generic halves of tunnelling:
 * routing + UDP/IP encapsulation on transmit, split-horizon delivery of
 * decapsulated frames on receive.
 *
 * MTU policy: kvtep never fragments. An encapsulated frame (or, for a GSO
 * frame, each of its segments) that does not fit the route MTU to the
 * remote is dropped and counted as KVTEP_DROP_MTU: give the underlay an
 * MTU 50 (IPv4) / 70 (IPv6) bytes larger than the ports', as for any VTEP.
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
#include <net/ip_tunnels.h>
#include <net/ipv6.h>
#include <net/ipv6_stubs.h>
#include <net/route.h>
#include <net/udp.h>
#include <net/udp_tunnel.h>

#include "device.h"
#include "fdb.h"
#include "flood.h"
#include "lswitch.h"
#include "port.h"
#include "remote.h"
#include "socket.h"
#include "vxlan.h"

static struct kvtep_sock *kvtep_sock_open(struct kvtep_dev *kv, int family,
					  u16 port,
					  int (*rcv)(struct sock *, struct sk_buff *))
{
	struct udp_tunnel_sock_cfg tcfg = {
		.sk_user_data	= kv,
		.encap_type	= 1,
		.encap_rcv	= rcv,
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

/* On ndo_open, under RTNL. IPv6 is optional: the host may have it off. */
int kvtep_socks_open(struct kvtep_dev *kv)
{
	u16 port = READ_ONCE(kv->cfg.vxlan_port);
	struct kvtep_sock *ks;

	ASSERT_RTNL();
	ks = kvtep_sock_open(kv, AF_INET, port, kvtep_vxlan_rcv);
	if (IS_ERR(ks)) {
		netdev_err(kv->dev, "cannot open UDP port %u for VXLAN over IPv4: %ld\n",
			   port, PTR_ERR(ks));
		return PTR_ERR(ks);
	}
	rcu_assign_pointer(kv->vxlan_sk4, ks);

	if (ipv6_mod_enabled()) {
		ks = kvtep_sock_open(kv, AF_INET6, port, kvtep_vxlan_rcv);
		if (IS_ERR(ks)) {
			netdev_err(kv->dev, "cannot open UDP port %u for VXLAN over IPv6: %ld\n",
				   port, PTR_ERR(ks));
			kvtep_sock_release(&kv->vxlan_sk4);
			return PTR_ERR(ks);
		}
		rcu_assign_pointer(kv->vxlan_sk6, ks);
	}
	return 0;
}

void kvtep_socks_close(struct kvtep_dev *kv)
{
	ASSERT_RTNL();
	kvtep_sock_release(&kv->vxlan_sk4);
	kvtep_sock_release(&kv->vxlan_sk6);
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

static void kvtep_xmit4(struct kvtep_dev *kv, struct kvtep_ls *ls,
			struct kvtep_remote *r, struct sk_buff *skb,
			struct sock *sk, __be16 sport)
{
	const unsigned int overhead = sizeof(struct iphdr) + KVTEP_VXLAN_HLEN;
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
	kvtep_vxlan_push(skb, ls->vni);
	skb_set_inner_protocol(skb, htons(ETH_P_TEB));

	ttl = READ_ONCE(kv->cfg.ttl) ?: ip4_dst_hoplimit(&rt->dst);
	len = skb->len;
	kvtep_stats_count(kv->stats, KVTEP_STAT_ENCAP, len);
	kvtep_stats_count(ls->stats, KVTEP_STAT_ENCAP, len);
	udp_tunnel_xmit_skb(rt, sk, skb, saddr, r->key.addr.ip4, tos, ttl, df,
			    sport, htons(r->key.port), false, !udp_csum);
}

static void kvtep_xmit6(struct kvtep_dev *kv, struct kvtep_ls *ls,
			struct kvtep_remote *r, struct sk_buff *skb,
			struct sock *sk, __be16 sport)
{
	const unsigned int overhead = sizeof(struct ipv6hdr) + KVTEP_VXLAN_HLEN;
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
		dst = ipv6_stub->ipv6_dst_lookup_flow(net, sk, &fl6, NULL);
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
	kvtep_vxlan_push(skb, ls->vni);
	skb_set_inner_protocol(skb, htons(ETH_P_TEB));

	ttl = READ_ONCE(kv->cfg.ttl) ?: ip6_dst_hoplimit(dst);
	len = skb->len;
	kvtep_stats_count(kv->stats, KVTEP_STAT_ENCAP, len);
	kvtep_stats_count(ls->stats, KVTEP_STAT_ENCAP, len);
	udp_tunnel6_xmit_skb(dst, sk, skb, kv->dev, &saddr, &r->key.addr.ip6,
			     tos, ttl, 0, sport, htons(r->key.port), false);
}

void kvtep_tunnel_xmit(struct kvtep_dev *kv, struct kvtep_ls *ls,
		       struct kvtep_remote *r, struct sk_buff *skb)
{
	bool v6 = r->key.family == AF_INET6;
	struct kvtep_sock *ks;
	__be16 sport;

	ks = v6 ? rcu_dereference(kv->vxlan_sk6) : rcu_dereference(kv->vxlan_sk4);
	if (unlikely(!ks)) {
		kvtep_drop(kv, skb, KVTEP_DROP_XMIT);	/* device is down */
		return;
	}
	skb_reset_mac_header(skb);
	/* Entropy for the underlay's ECMP: the inner flow's hash. */
	sport = udp_flow_src_port(dev_net(kv->dev), skb, 0, 0, true);

	if (v6)
		kvtep_xmit6(kv, ls, r, skb, ks->sock->sk, sport);
	else
		kvtep_xmit4(kv, ls, r, skb, ks->sock->sk, sport);
}

void kvtep_tunnel_rx(struct kvtep_dev *kv, struct kvtep_ls *ls,
		     const struct kvtep_remote_key *src, struct sk_buff *skb)
{
	const struct ethhdr *eth;
	struct kvtep_fdb_entry *e;
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
