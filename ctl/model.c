// SPDX-License-Identifier: GPL-2.0-only
/*
 * Encoders from the internal model to kvtep netlink attributes.
 */
#include "model.h"

void kvtep_dev_cfg_put(struct nlmsghdr *nlh, const struct kvtep_dev_cfg *cfg)
{
	if (KVTEP_HAS(cfg, KVTEP_A_IFINDEX))
		mnl_attr_put_u32(nlh, KVTEP_A_IFINDEX, cfg->ifindex);
	if (KVTEP_HAS(cfg, KVTEP_A_IFNAME))
		mnl_attr_put_strz(nlh, KVTEP_A_IFNAME, cfg->ifname);
	if (KVTEP_HAS(cfg, KVTEP_A_VXLAN_PORT))
		mnl_attr_put_u16(nlh, KVTEP_A_VXLAN_PORT, cfg->vxlan_port);
	if (KVTEP_HAS(cfg, KVTEP_A_GENEVE_PORT))
		mnl_attr_put_u16(nlh, KVTEP_A_GENEVE_PORT, cfg->geneve_port);
	if (KVTEP_HAS(cfg, KVTEP_A_LOCAL_IP4))
		mnl_attr_put(nlh, KVTEP_A_LOCAL_IP4, sizeof(cfg->local_ip4),
			     cfg->local_ip4);
	if (KVTEP_HAS(cfg, KVTEP_A_LOCAL_IP6))
		mnl_attr_put(nlh, KVTEP_A_LOCAL_IP6, sizeof(cfg->local_ip6),
			     cfg->local_ip6);
	if (KVTEP_HAS(cfg, KVTEP_A_TTL))
		mnl_attr_put_u8(nlh, KVTEP_A_TTL, cfg->ttl);
	if (KVTEP_HAS(cfg, KVTEP_A_TOS))
		mnl_attr_put_u8(nlh, KVTEP_A_TOS, cfg->tos);
	if (KVTEP_HAS(cfg, KVTEP_A_DF))
		mnl_attr_put_u8(nlh, KVTEP_A_DF, cfg->df);
	if (KVTEP_HAS(cfg, KVTEP_A_LEARNING))
		mnl_attr_put_u8(nlh, KVTEP_A_LEARNING, cfg->learning);
	if (KVTEP_HAS(cfg, KVTEP_A_TUNNEL_LEARNING))
		mnl_attr_put_u8(nlh, KVTEP_A_TUNNEL_LEARNING, cfg->tunnel_learning);
	if (KVTEP_HAS(cfg, KVTEP_A_AGEING))
		mnl_attr_put_u32(nlh, KVTEP_A_AGEING, cfg->ageing);
	if (KVTEP_HAS(cfg, KVTEP_A_FDB_MAX))
		mnl_attr_put_u32(nlh, KVTEP_A_FDB_MAX, cfg->fdb_max);
	if (KVTEP_HAS(cfg, KVTEP_A_UDP_CSUM))
		mnl_attr_put_u8(nlh, KVTEP_A_UDP_CSUM, cfg->udp_csum);
}
