// SPDX-License-Identifier: GPL-2.0-only
/*
 * Names for kernel values, shared by printers, parsers and error messages.
 */
#include <stddef.h>
#include <string.h>
#include <linux/kvtep.h>

#include "kvtepctl.h"
#include "common.h"

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

static const char *const fdb_type_names[KVTEP_FDB_TYPE_MAX + 1] = {
	[KVTEP_FDB_STATIC_REMOTE]	= "static-remote",
	[KVTEP_FDB_STATIC_LOCAL]	= "static-local",
	[KVTEP_FDB_LEARNED_LOCAL]	= "learned-local",
	[KVTEP_FDB_LEARNED_REMOTE]	= "learned-remote",
	[KVTEP_FDB_MCAST_REMOTE]	= "mcast-remote",
};

const char *kvtep_fdb_type_name(uint8_t type)
{
	return type <= KVTEP_FDB_TYPE_MAX ? fdb_type_names[type] : NULL;
}

int kvtep_fdb_type_parse(const char *name)
{
	int i;

	for (i = 0; i <= KVTEP_FDB_TYPE_MAX; i++)
		if (!strcmp(fdb_type_names[i], name))
			return i;
	return -1;
}

static const char *const fdb_event_names[__KVTEP_FDB_EV_MAX] = {
	[KVTEP_FDB_EV_LEARN]	= "learn",
	[KVTEP_FDB_EV_MOVE]	= "move",
	[KVTEP_FDB_EV_AGE]	= "age",
	[KVTEP_FDB_EV_DEL]	= "del",
};

const char *kvtep_fdb_event_name(uint8_t ev)
{
	return ev < __KVTEP_FDB_EV_MAX ? fdb_event_names[ev] : NULL;
}

static const char *const repl_names[KVTEP_REPL_MAX + 1] = {
	[KVTEP_REPL_SOURCE_NODE]	= "source_node",
	[KVTEP_REPL_SERVICE_NODE]	= "service_node",
};

const char *kvtep_repl_name(uint8_t repl)
{
	return repl <= KVTEP_REPL_MAX ? repl_names[repl] : NULL;
}

static const char *const encap_names[KVTEP_ENCAP_MAX + 1] = {
	[KVTEP_ENCAP_VXLAN]	= "vxlan",
	[KVTEP_ENCAP_GENEVE]	= "geneve",
};

const char *kvtep_encap_name(uint8_t encap)
{
	return encap <= KVTEP_ENCAP_MAX ? encap_names[encap] : NULL;
}

/* Drop reasons, as printed by "kvtepctl stats" (text and JSON keys). */
static const char *const drop_names[KVTEP_DROP_MAX + 1] = {
	[KVTEP_DROP_NO_BINDING]		= "no_binding",
	[KVTEP_DROP_NO_LS]		= "no_ls",
	[KVTEP_DROP_BAD_VXLAN_FLAGS]	= "bad_vxlan_flags",
	[KVTEP_DROP_VXLAN_RESERVED]	= "vxlan_reserved",
	[KVTEP_DROP_TRUNCATED]		= "truncated",
	[KVTEP_DROP_RUNT]		= "runt",
	[KVTEP_DROP_FDB_FULL]		= "fdb_full",
	[KVTEP_DROP_MTU]		= "mtu",
	[KVTEP_DROP_NO_ROUTE]		= "no_route",
	[KVTEP_DROP_NO_LOCAL_IP]	= "no_local_ip",
	[KVTEP_DROP_NOMEM]		= "nomem",
	[KVTEP_DROP_XMIT]		= "xmit",
	[KVTEP_DROP_GENEVE_VERSION]	= "geneve_version",
	[KVTEP_DROP_GENEVE_OPTLEN]	= "geneve_optlen",
	[KVTEP_DROP_GENEVE_CRITICAL]	= "geneve_critical",
	[KVTEP_DROP_GENEVE_OAM]		= "geneve_oam",
	[KVTEP_DROP_GENEVE_PROTO]	= "geneve_proto",
	[KVTEP_DROP_SPLIT_HORIZON]	= "split_horizon",
	[KVTEP_DROP_NO_DEST]		= "no_dest",
	[KVTEP_DROP_LOOP]		= "loop",
	[KVTEP_DROP_DEV_TX]		= "dev_tx",
	[KVTEP_DROP_BAD_LENGTH]		= "bad_length",
	[KVTEP_DROP_STATIC_MOVE]	= "static_move",
};

_Static_assert(KVTEP_DROP_MAX == KVTEP_DROP_STATIC_MOVE,
	       "name the new drop reasons in drop_names[]");

const char *kvtep_drop_name(unsigned int reason)
{
	return reason <= KVTEP_DROP_MAX ? drop_names[reason] : NULL;
}
