/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _KVTEP_SOCKET_H
#define _KVTEP_SOCKET_H

#include <linux/rcupdate.h>
#include <linux/types.h>

struct kvtep_dev;
struct kvtep_ls;
struct kvtep_remote;
struct kvtep_remote_key;
struct list_head;
struct sk_buff;
struct sock;
struct socket;

/**
 * struct kvtep_sock - one kernel UDP socket of a device
 * @sock: the socket, with its encap_rcv hook pointing at us
 * @rcu: freed after a grace period: the transmit path reads it under RCU
 */
struct kvtep_sock {
	struct socket *sock;
	struct rcu_head rcu;
};

/**
 * struct kvtep_encap_ops - the receive hooks of one encapsulation's sockets
 * @encap_rcv: a packet for our port, @skb->data at the UDP header
 * @gro_receive: GRO: merge a segment into a held one of the same inner
 *	flow with the same tunnel header (see udp_tunnel_sock_cfg)
 * @gro_complete: GRO: finish a merged skb before @encap_rcv sees it
 */
struct kvtep_encap_ops {
	int (*encap_rcv)(struct sock *sk, struct sk_buff *skb);
	struct sk_buff *(*gro_receive)(struct sock *sk, struct list_head *head,
				       struct sk_buff *skb);
	int (*gro_complete)(struct sock *sk, struct sk_buff *skb, int nhoff);
};

struct sk_buff *kvtep_tunnel_gro(struct list_head *head, struct sk_buff *skb,
				 const void *hdr, unsigned int hlen);

/* Open the device's tunnel sockets (on ndo_open) and close them. */
int kvtep_socks_open(struct kvtep_dev *kv);
void kvtep_socks_close(struct kvtep_dev *kv);

/*
 * Encapsulate the Ethernet frame @skb for remote @r in logical switch @ls
 * and send it, as the remote's encapsulation says. @skb->data points at
 * the inner Ethernet header. Consumes @skb; counts a drop reason on
 * failure. With the _keys variant, a Geneve frame carries OVN's option
 * (ingress key @in_key, egress key @out_key) when both are non-zero and
 * the LS has ovn_opt on.
 */
void kvtep_tunnel_xmit(struct kvtep_dev *kv, struct kvtep_ls *ls,
		       struct kvtep_remote *r, struct sk_buff *skb);
void kvtep_tunnel_xmit_keys(struct kvtep_dev *kv, struct kvtep_ls *ls,
			    struct kvtep_remote *r, u16 in_key, u16 out_key,
			    struct sk_buff *skb);

/*
 * The shared second half of tunnel receive, once vxlan.c or geneve.c has
 * validated its header: VNI -> LS (or drop), pull the @hlen bytes of UDP
 * and tunnel header, and deliver the inner frame to local bindings only
 * (split horizon): to the binding with OVN port key @out_key if non-zero
 * and one has it, else by the FDB. Consumes @skb.
 */
void kvtep_tunnel_decap(struct kvtep_dev *kv, struct sock *sk,
			struct sk_buff *skb, u8 encap, u32 vni,
			unsigned int hlen, u16 out_key);

#endif /* _KVTEP_SOCKET_H */
