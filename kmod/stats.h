/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _KVTEP_STATS_H
#define _KVTEP_STATS_H

#include <linux/percpu.h>
#include <linux/u64_stats_sync.h>
#include <linux/skbuff.h>

#include <uapi/linux/kvtep.h>

/*
 * Traffic counters, one set per CPU, kept by the device, by every logical
 * switch and by every binding. "local" is the side of the ports: rx =
 * frames that came in from a port, tx = frames sent out of one.
 */
struct kvtep_pcpu_stats {
	u64_stats_t rx_packets;
	u64_stats_t rx_bytes;
	u64_stats_t tx_packets;
	u64_stats_t tx_bytes;
	u64_stats_t encap_packets;
	u64_stats_t encap_bytes;
	u64_stats_t decap_packets;
	u64_stats_t decap_bytes;
	struct u64_stats_sync syncp;
};

/* The sum over all CPUs, as netlink reports it. */
struct kvtep_stats {
	u64 rx_packets;
	u64 rx_bytes;
	u64 tx_packets;
	u64 tx_bytes;
	u64 encap_packets;
	u64 encap_bytes;
	u64 decap_packets;
	u64 decap_bytes;
};

enum kvtep_stat_dir {
	KVTEP_STAT_RX,		/* from a local port */
	KVTEP_STAT_TX,		/* to a local port */
	KVTEP_STAT_ENCAP,	/* into a tunnel */
	KVTEP_STAT_DECAP,	/* out of a tunnel */
};

/* Per-CPU drop counters of a device, indexed by enum kvtep_drop_reason. */
struct kvtep_pcpu_drops {
	u64 reason[__KVTEP_DROP_MAX];
};

struct kvtep_pcpu_stats __percpu *kvtep_stats_alloc(void);

static inline void kvtep_stats_count(struct kvtep_pcpu_stats __percpu *stats,
				     enum kvtep_stat_dir dir, unsigned int len)
{
	struct kvtep_pcpu_stats *s = this_cpu_ptr(stats);

	u64_stats_update_begin(&s->syncp);
	switch (dir) {
	case KVTEP_STAT_RX:
		u64_stats_inc(&s->rx_packets);
		u64_stats_add(&s->rx_bytes, len);
		break;
	case KVTEP_STAT_TX:
		u64_stats_inc(&s->tx_packets);
		u64_stats_add(&s->tx_bytes, len);
		break;
	case KVTEP_STAT_ENCAP:
		u64_stats_inc(&s->encap_packets);
		u64_stats_add(&s->encap_bytes, len);
		break;
	case KVTEP_STAT_DECAP:
		u64_stats_inc(&s->decap_packets);
		u64_stats_add(&s->decap_bytes, len);
		break;
	}
	u64_stats_update_end(&s->syncp);
}

void kvtep_stats_read(struct kvtep_pcpu_stats __percpu *stats,
		      struct kvtep_stats *sum);
int kvtep_stats_put_counters(struct sk_buff *skb,
			     struct kvtep_pcpu_stats __percpu *stats);
int kvtep_stats_put(struct sk_buff *skb, int attrtype,
		    struct kvtep_pcpu_stats __percpu *stats);
size_t kvtep_stats_size(void);

#endif /* _KVTEP_STATS_H */
