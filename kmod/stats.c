// SPDX-License-Identifier: GPL-2.0-only
/* Traffic and drop counters: per CPU on the fast path, summed on read. */

#include <net/netlink.h>

#include "stats.h"

struct kvtep_pcpu_stats __percpu *kvtep_stats_alloc(void)
{
	struct kvtep_pcpu_stats __percpu *stats;
	int cpu;

	stats = alloc_percpu_gfp(struct kvtep_pcpu_stats, GFP_KERNEL);
	if (!stats)
		return NULL;
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(stats, cpu)->syncp);
	return stats;
}

void kvtep_stats_read(struct kvtep_pcpu_stats __percpu *stats,
		      struct kvtep_stats *sum)
{
	int cpu;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		const struct kvtep_pcpu_stats *s = per_cpu_ptr(stats, cpu);
		struct kvtep_stats one;
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			one.rx_packets = u64_stats_read(&s->rx_packets);
			one.rx_bytes = u64_stats_read(&s->rx_bytes);
			one.tx_packets = u64_stats_read(&s->tx_packets);
			one.tx_bytes = u64_stats_read(&s->tx_bytes);
			one.encap_packets = u64_stats_read(&s->encap_packets);
			one.encap_bytes = u64_stats_read(&s->encap_bytes);
			one.decap_packets = u64_stats_read(&s->decap_packets);
			one.decap_bytes = u64_stats_read(&s->decap_bytes);
		} while (u64_stats_fetch_retry(&s->syncp, start));

		sum->rx_packets += one.rx_packets;
		sum->rx_bytes += one.rx_bytes;
		sum->tx_packets += one.tx_packets;
		sum->tx_bytes += one.tx_bytes;
		sum->encap_packets += one.encap_packets;
		sum->encap_bytes += one.encap_bytes;
		sum->decap_packets += one.decap_packets;
		sum->decap_bytes += one.decap_bytes;
	}
}

/* Size of what kvtep_stats_put() adds, without the drops nest. */
size_t kvtep_stats_size(void)
{
	return nla_total_size(0)				/* the nest */
	     + nla_total_size_64bit(sizeof(u64)) * 8;	/* counters */
}

static int kvtep_put_u64(struct sk_buff *skb, int type, u64 value)
{
	return nla_put_u64_64bit(skb, type, value, KVTEP_STATS_A_PAD);
}

/* Put the summed counters as KVTEP_STATS_A_* attributes. */
int kvtep_stats_put_counters(struct sk_buff *skb,
			     struct kvtep_pcpu_stats __percpu *stats)
{
	struct kvtep_stats sum;

	kvtep_stats_read(stats, &sum);
	if (kvtep_put_u64(skb, KVTEP_STATS_A_RX_PACKETS, sum.rx_packets) ||
	    kvtep_put_u64(skb, KVTEP_STATS_A_RX_BYTES, sum.rx_bytes) ||
	    kvtep_put_u64(skb, KVTEP_STATS_A_TX_PACKETS, sum.tx_packets) ||
	    kvtep_put_u64(skb, KVTEP_STATS_A_TX_BYTES, sum.tx_bytes) ||
	    kvtep_put_u64(skb, KVTEP_STATS_A_ENCAP_PACKETS, sum.encap_packets) ||
	    kvtep_put_u64(skb, KVTEP_STATS_A_ENCAP_BYTES, sum.encap_bytes) ||
	    kvtep_put_u64(skb, KVTEP_STATS_A_DECAP_PACKETS, sum.decap_packets) ||
	    kvtep_put_u64(skb, KVTEP_STATS_A_DECAP_BYTES, sum.decap_bytes))
		return -EMSGSIZE;
	return 0;
}

/* Put the summed counters as a nest of type @attrtype. */
int kvtep_stats_put(struct sk_buff *skb, int attrtype,
		    struct kvtep_pcpu_stats __percpu *stats)
{
	struct nlattr *nest = nla_nest_start(skb, attrtype);

	if (!nest)
		return -EMSGSIZE;
	if (kvtep_stats_put_counters(skb, stats)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}
