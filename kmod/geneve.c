// SPDX-License-Identifier: GPL-2.0-only
/*
 * Geneve (RFC 8926): header, receive-side validation, decapsulation, and
 * OVN's metadata option.
 *
 * Receive rules (section 3 and 4 of the RFC), each drop with its reason:
 *  - fewer bytes than the 8-byte base header: KVTEP_DROP_TRUNCATED;
 *  - version other than 0: KVTEP_DROP_GENEVE_VERSION;
 *  - options (Opt Len, or one option's length) past the packet or past
 *    the option area: KVTEP_DROP_GENEVE_OPTLEN;
 *  - O (OAM) bit: a control message, not data: KVTEP_DROP_GENEVE_OAM;
 *  - protocol other than Ethernet (0x6558): KVTEP_DROP_GENEVE_PROTO;
 *  - an option kvtep does not understand with its critical bit set:
 *    KVTEP_DROP_GENEVE_CRITICAL. Non-critical unknown options are skipped.
 * The C bit is not trusted: every option is looked at anyway. Reserved
 * bits are ignored, as the RFC says.
 *
 * The one option understood is OVN's (class 0x0102, type 0x80, 4 bytes):
 * its egress port key picks the local binding with that OVN port key.
 */

#include <linux/etherdevice.h>
#include <linux/if_ether.h>
#include <linux/skbuff.h>
#include <net/gro.h>
#include <net/sock.h>
#include <net/udp.h>

#include <uapi/linux/kvtep.h>

#include "device.h"
#include "geneve.h"
#include "socket.h"

void kvtep_geneve_push(struct sk_buff *skb, u32 vni, bool ovn, u16 in, u16 out)
{
	unsigned int optlen = ovn ? KVTEP_GENEVE_OVN_OPT_LEN : 0;
	struct kvtep_genevehdr *gh = __skb_push(skb, sizeof(*gh) + optlen);
	struct kvtep_geneve_opt *opt;
	u8 *data;

	gh->ver_optlen = optlen / 4;	/* version 0 */
	gh->flags = ovn ? KVTEP_GENEVE_FLAG_CRIT : 0;
	gh->proto = htons(ETH_P_TEB);
	gh->vni[0] = vni >> 16;
	gh->vni[1] = vni >> 8;
	gh->vni[2] = vni;
	gh->rsvd = 0;
	if (!ovn)
		return;
	opt = (struct kvtep_geneve_opt *)(gh + 1);
	opt->opt_class = htons(KVTEP_GENEVE_OVN_CLASS);
	opt->type = KVTEP_GENEVE_OVN_TYPE;
	opt->len = KVTEP_GENEVE_OVN_DATA_LEN / 4;
	/* Bytes, not a u32 store: the header needs no alignment. */
	data = (u8 *)(opt + 1);
	data[0] = (in & KVTEP_OVN_INGRESS_MAX) >> 8;
	data[1] = in;
	data[2] = out >> 8;
	data[3] = out;
}

/*
 * Walk the @len bytes of options at @p. Returns 0 and the OVN egress key
 * (0 if none) in *@out_key, or the drop reason + 1.
 */
static int kvtep_geneve_opts(const u8 *p, unsigned int len, u16 *out_key)
{
	const struct kvtep_geneve_opt *opt;
	const u8 *data;
	unsigned int olen;

	*out_key = 0;
	while (len) {
		if (len < sizeof(*opt))
			return KVTEP_DROP_GENEVE_OPTLEN + 1;
		opt = (const struct kvtep_geneve_opt *)p;
		olen = sizeof(*opt) + (opt->len & KVTEP_GENEVE_OPT_LEN_MASK) * 4;
		if (olen > len)
			return KVTEP_DROP_GENEVE_OPTLEN + 1;
		if (opt->opt_class == htons(KVTEP_GENEVE_OVN_CLASS) &&
		    opt->type == KVTEP_GENEVE_OVN_TYPE &&
		    olen == KVTEP_GENEVE_OVN_OPT_LEN) {
			data = (const u8 *)(opt + 1);
			*out_key = data[2] << 8 | data[3];
		} else if (opt->type & KVTEP_GENEVE_OPT_CRIT) {
			return KVTEP_DROP_GENEVE_CRITICAL + 1;
		}
		p += olen;
		len -= olen;
	}
	return 0;
}

/*
 * Softirq, under RCU, from the UDP receive path; @skb->data is the UDP
 * header. Returns 0: the packet is ours whatever happens to it.
 */
static int kvtep_geneve_rcv(struct sock *sk, struct sk_buff *skb)
{
	struct kvtep_dev *kv = rcu_dereference_sk_user_data(sk);
	const struct kvtep_genevehdr *gh;
	unsigned int optlen;
	u16 out_key;
	int bad;
	u32 vni;

	if (unlikely(!kv)) {
		kfree_skb(skb);
		return 0;
	}
	if (unlikely(!pskb_may_pull(skb, KVTEP_GENEVE_HLEN))) {
		kvtep_drop(kv, skb, KVTEP_DROP_TRUNCATED);
		return 0;
	}
	gh = (const struct kvtep_genevehdr *)(udp_hdr(skb) + 1);
	if (unlikely(gh->ver_optlen >> KVTEP_GENEVE_VER_SHIFT)) {
		kvtep_drop(kv, skb, KVTEP_DROP_GENEVE_VERSION);
		return 0;
	}
	optlen = (gh->ver_optlen & KVTEP_GENEVE_OPTLEN_MASK) * 4;
	if (unlikely(!pskb_may_pull(skb, KVTEP_GENEVE_HLEN + optlen))) {
		kvtep_drop(kv, skb, KVTEP_DROP_GENEVE_OPTLEN);
		return 0;
	}
	gh = (const struct kvtep_genevehdr *)(udp_hdr(skb) + 1);	/* may have moved */
	if (unlikely(gh->flags & KVTEP_GENEVE_FLAG_OAM)) {
		kvtep_drop(kv, skb, KVTEP_DROP_GENEVE_OAM);
		return 0;
	}
	if (unlikely(gh->proto != htons(ETH_P_TEB))) {
		kvtep_drop(kv, skb, KVTEP_DROP_GENEVE_PROTO);
		return 0;
	}
	bad = kvtep_geneve_opts((const u8 *)(gh + 1), optlen, &out_key);
	if (unlikely(bad)) {
		kvtep_drop(kv, skb, bad - 1);
		return 0;
	}
	vni = gh->vni[0] << 16 | gh->vni[1] << 8 | gh->vni[2];
	kvtep_tunnel_decap(kv, sk, skb, KVTEP_ENCAP_GENEVE, vni,
			   KVTEP_GENEVE_HLEN + optlen, out_key);
	return 0;
}

/*
 * GRO, softirq under RCU (see kvtep_vxlan_gro_receive()): segments merge
 * only when their Geneve headers, options included, are the same byte for
 * byte, so kvtep_geneve_rcv() judges the merged skb as it would each of
 * them. Packets it would drop (version, OAM, not Ethernet) are not merged.
 */
static struct sk_buff *kvtep_geneve_gro_receive(struct sock *sk,
						struct list_head *head,
						struct sk_buff *skb)
{
	const unsigned int off = skb_gro_offset(skb);
	const struct kvtep_genevehdr *gh;
	struct sk_buff *pp = NULL;
	unsigned int hlen;
	int flush = 1;

	gh = skb_gro_header(skb, off + sizeof(*gh), off);
	if (unlikely(!gh))
		goto out;
	if ((gh->ver_optlen >> KVTEP_GENEVE_VER_SHIFT) ||
	    (gh->flags & KVTEP_GENEVE_FLAG_OAM) || gh->proto != htons(ETH_P_TEB))
		goto out;
	hlen = sizeof(*gh) + (gh->ver_optlen & KVTEP_GENEVE_OPTLEN_MASK) * 4;
	gh = skb_gro_header(skb, off + hlen, off);	/* options too */
	if (unlikely(!gh))
		goto out;
	pp = kvtep_tunnel_gro(head, skb, gh, hlen);
	flush = 0;
out:
	skb_gro_flush_final(skb, pp, flush);
	return pp;
}

/* @nhoff is the offset of the Geneve header in the merged skb. */
static int kvtep_geneve_gro_complete(struct sock *sk, struct sk_buff *skb,
				     int nhoff)
{
	const struct kvtep_genevehdr *gh = (const void *)(skb->data + nhoff);
	unsigned int hlen;

	hlen = sizeof(*gh) + (gh->ver_optlen & KVTEP_GENEVE_OPTLEN_MASK) * 4;
	/* skb->encapsulation is set: this also sets the inner MAC header. */
	return eth_gro_complete(skb, nhoff + hlen);
}

const struct kvtep_encap_ops kvtep_geneve_ops = {
	.encap_rcv	= kvtep_geneve_rcv,
	.gro_receive	= kvtep_geneve_gro_receive,
	.gro_complete	= kvtep_geneve_gro_complete,
};
