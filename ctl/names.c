// SPDX-License-Identifier: GPL-2.0-only
/*
 * Names for kernel values, shared by printers, parsers and error messages.
 */
#include <stddef.h>
#include <linux/kvtep.h>

#include "kvtepctl.h"

/* Top-level attributes, named as on the command line. */
static const char *const attr_names[KVTEP_A_MAX + 1] = {
	[KVTEP_A_IFINDEX]		= "ifindex",
	[KVTEP_A_IFNAME]		= "dev",
	[KVTEP_A_VXLAN_PORT]		= "vxlan-port",
	[KVTEP_A_GENEVE_PORT]		= "geneve-port",
	[KVTEP_A_LOCAL_IP4]		= "local (IPv4)",
	[KVTEP_A_LOCAL_IP6]		= "local (IPv6)",
	[KVTEP_A_TTL]			= "ttl",
	[KVTEP_A_TOS]			= "tos",
	[KVTEP_A_DF]			= "df",
	[KVTEP_A_LEARNING]		= "learning",
	[KVTEP_A_TUNNEL_LEARNING]	= "tunnel-learning",
	[KVTEP_A_AGEING]		= "ageing",
	[KVTEP_A_FDB_MAX]		= "fdb-max",
	[KVTEP_A_FDB_COUNT]		= "fdb-count",
	[KVTEP_A_UDP_CSUM]		= "udp-csum",
	[KVTEP_A_GENERATION]		= "generation",
	[KVTEP_A_PORT]			= "port",
	[KVTEP_A_LS]			= "ls",
	[KVTEP_A_BIND]			= "bind",
	[KVTEP_A_FDB]			= "fdb",
	[KVTEP_A_REMOTE]		= "remote",
	[KVTEP_A_STATS]			= "stats",
};

const char *kvtep_attr_name(uint16_t type)
{
	return type <= KVTEP_A_MAX ? attr_names[type] : NULL;
}

static const char *const df_names[KVTEP_DF_MAX + 1] = {
	[KVTEP_DF_UNSET]	= "unset",
	[KVTEP_DF_SET]		= "set",
	[KVTEP_DF_INHERIT]	= "inherit",
};

const char *kvtep_df_name(uint8_t df)
{
	return df <= KVTEP_DF_MAX ? df_names[df] : NULL;
}
