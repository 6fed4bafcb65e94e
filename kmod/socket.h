/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _KVTEP_SOCKET_H
#define _KVTEP_SOCKET_H

#include <linux/rcupdate.h>
#include <linux/types.h>

struct kvtep_dev;
struct kvtep_ls;
struct kvtep_remote;
struct kvtep_remote_key;
struct sk_buff;
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

/* Open the device's tunnel sockets (on ndo_open) and close them. */
int kvtep_socks_open(struct kvtep_dev *kv);
void kvtep_socks_close(struct kvtep_dev *kv);

/*
 * Encapsulate the Ethernet frame @skb for remote @r in logical switch @ls
 * and send it. @skb->data points at the inner Ethernet header. Consumes
 * @skb; counts a drop reason on failure.
 */
void kvtep_tunnel_xmit(struct kvtep_dev *kv, struct kvtep_ls *ls,
		       struct kvtep_remote *r, struct sk_buff *skb);

/*
 * A frame came out of a tunnel from @src into @ls; @skb->data points at
 * the inner Ethernet header. Delivered to local bindings only (split
 * horizon: never back into a tunnel). Consumes @skb.
 */
void kvtep_tunnel_rx(struct kvtep_dev *kv, struct kvtep_ls *ls,
		     const struct kvtep_remote_key *src, struct sk_buff *skb);

#endif /* _KVTEP_SOCKET_H */
