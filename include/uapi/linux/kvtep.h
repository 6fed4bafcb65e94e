/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * kvtep: kernel VXLAN/Geneve tunnel endpoint - generic netlink interface.
 *
 * This is the only header shared between the module and userspace.
 *
 * Conventions:
 *  - Every request names its device with KVTEP_A_IFINDEX or KVTEP_A_IFNAME
 *    (except dumps of all devices).
 *  - Integers are in host byte order; addresses are raw network-order bytes
 *    (4 for IPv4, 16 for IPv6).
 *  - Objects below the device travel in nests (KVTEP_A_PORT, KVTEP_A_LS,
 *    KVTEP_A_BIND, KVTEP_A_FDB, KVTEP_A_REMOTE, ...). A nest may repeat in
 *    one message where the command says so (FDB add/del, flood set).
 */
#ifndef _UAPI_LINUX_KVTEP_H
#define _UAPI_LINUX_KVTEP_H

#include <linux/types.h>

#define KVTEP_GENL_NAME		"kvtep"
#define KVTEP_GENL_VERSION	1

/* Multicast groups. */
#define KVTEP_MCGRP_FDB		"fdb"		/* local learn / move / age events */
#define KVTEP_MCGRP_CONFIG	"config"	/* configuration changes */

#define KVTEP_VXLAN_PORT_DEFAULT	4789	/* IANA */
#define KVTEP_GENEVE_PORT_DEFAULT	6081	/* IANA */
#define KVTEP_AGEING_DEFAULT		300	/* seconds */
#define KVTEP_VNI_MAX			0xffffff
#define KVTEP_VLAN_MAX			4095	/* 0 means untagged */
#define KVTEP_OVN_PORT_KEY_MAX		0x7fff	/* binding keys: OVN's 15-bit ingress */

enum kvtep_cmd {
	KVTEP_CMD_UNSPEC,

	KVTEP_CMD_DEV_GET,	/* doit + dump: device settings */
	KVTEP_CMD_DEV_SET,	/* change device settings */

	KVTEP_CMD_PORT_ADD,	/* enslave KVTEP_A_PORT_IFINDEX */
	KVTEP_CMD_PORT_DEL,
	KVTEP_CMD_PORT_GET,	/* doit + dump */

	KVTEP_CMD_LS_ADD,	/* logical switch by VNI */
	KVTEP_CMD_LS_DEL,
	KVTEP_CMD_LS_SET,
	KVTEP_CMD_LS_GET,	/* doit + dump */

	KVTEP_CMD_BIND_ADD,	/* (port, vlan) -> VNI */
	KVTEP_CMD_BIND_DEL,
	KVTEP_CMD_BIND_GET,	/* dump */

	KVTEP_CMD_FDB_ADD,	/* many KVTEP_A_FDB nests per message */
	KVTEP_CMD_FDB_DEL,	/* many KVTEP_A_FDB nests per message */
	KVTEP_CMD_FDB_GET,	/* doit + dump (filter: VNI) */
	KVTEP_CMD_FDB_FLUSH,	/* filter: VNI, type, remote */
	KVTEP_CMD_FDB_NTF,	/* notification: learn / move / age */

	KVTEP_CMD_FLOOD_SET,	/* replace a logical switch's flood list */
	KVTEP_CMD_FLOOD_ADD,
	KVTEP_CMD_FLOOD_DEL,
	KVTEP_CMD_FLOOD_GET,	/* doit + dump */

	KVTEP_CMD_REMOTE_GET,	/* dump: remotes and their reference counts */
	KVTEP_CMD_STATS_GET,	/* doit: device, LS and binding counters */

	__KVTEP_CMD_MAX,
};

#define KVTEP_CMD_MAX (__KVTEP_CMD_MAX - 1)

/* Top-level attributes. */
enum kvtep_attr {
	KVTEP_A_UNSPEC,
	KVTEP_A_PAD,
	KVTEP_A_IFINDEX,	/* u32: the kvtep device */
	KVTEP_A_IFNAME,		/* string: the kvtep device */
	KVTEP_A_VXLAN_PORT,	/* u16: VXLAN UDP port (4789) */
	KVTEP_A_GENEVE_PORT,	/* u16: Geneve UDP port (6081) */
	KVTEP_A_LOCAL_IP4,	/* binary 4: local tunnel IPv4 address */
	KVTEP_A_LOCAL_IP6,	/* binary 16: local tunnel IPv6 address */
	KVTEP_A_TTL,		/* u8: outer TTL/hop limit, 0 = route's */
	KVTEP_A_TOS,		/* u8: outer TOS, KVTEP_TOS_INHERIT = inner */
	KVTEP_A_DF,		/* u8: enum kvtep_df */
	KVTEP_A_LEARNING,	/* u8: 0/1 learn from local ports */
	KVTEP_A_TUNNEL_LEARNING,/* u8: 0/1 learn from tunnels */
	KVTEP_A_AGEING,		/* u32: seconds, 0 = never age */
	KVTEP_A_FDB_MAX,	/* u32: entries per device, 0 = no limit */
	KVTEP_A_FDB_COUNT,	/* u32: entries now (read only) */
	KVTEP_A_UDP_CSUM,	/* u8: outer UDP checksum over IPv4 */
	KVTEP_A_GENERATION,	/* u32: config generation (read only) */
	KVTEP_A_PORT,		/* nest: enum kvtep_port_attr */
	KVTEP_A_LS,		/* nest: enum kvtep_ls_attr */
	KVTEP_A_BIND,		/* nest: enum kvtep_bind_attr */
	KVTEP_A_FDB,		/* nest: enum kvtep_fdb_attr, may repeat */
	KVTEP_A_REMOTE,		/* nest: enum kvtep_remote_attr, may repeat */
	KVTEP_A_STATS,		/* nest: enum kvtep_stats_attr */

	__KVTEP_A_MAX,
};

#define KVTEP_A_MAX (__KVTEP_A_MAX - 1)

#define KVTEP_TOS_INHERIT	1	/* as vxlan: TOS 1 means "copy inner" */

enum kvtep_df {
	KVTEP_DF_UNSET,		/* never set DF on the outer header */
	KVTEP_DF_SET,		/* always set DF */
	KVTEP_DF_INHERIT,	/* copy DF from the inner IPv4 header */
	__KVTEP_DF_MAX,
};

#define KVTEP_DF_MAX (__KVTEP_DF_MAX - 1)

enum kvtep_port_attr {
	KVTEP_PORT_A_UNSPEC,
	KVTEP_PORT_A_IFINDEX,	/* u32 */
	KVTEP_PORT_A_IFNAME,	/* string (read only) */
	__KVTEP_PORT_A_MAX,
};

#define KVTEP_PORT_A_MAX (__KVTEP_PORT_A_MAX - 1)

enum kvtep_replication {
	KVTEP_REPL_SOURCE_NODE,	/* one copy per flood-list remote */
	KVTEP_REPL_SERVICE_NODE,/* one copy to one service node */
	__KVTEP_REPL_MAX,
};

#define KVTEP_REPL_MAX (__KVTEP_REPL_MAX - 1)

enum kvtep_encap {
	KVTEP_ENCAP_VXLAN,
	KVTEP_ENCAP_GENEVE,
	__KVTEP_ENCAP_MAX,
};

#define KVTEP_ENCAP_MAX (__KVTEP_ENCAP_MAX - 1)

enum kvtep_ls_attr {
	KVTEP_LS_A_UNSPEC,
	KVTEP_LS_A_VNI,		/* u32: 1..KVTEP_VNI_MAX */
	KVTEP_LS_A_REPLICATION,	/* u8: enum kvtep_replication */
	KVTEP_LS_A_FDB_MAX,	/* u32: entries in this LS, 0 = no limit */
	KVTEP_LS_A_FDB_COUNT,	/* u32: read only */
	KVTEP_LS_A_ENCAP,	/* u8: default enum kvtep_encap for new remotes */
	KVTEP_LS_A_OVN_OPT,	/* u8: add the OVN Geneve option on TX */
	__KVTEP_LS_A_MAX,
};

#define KVTEP_LS_A_MAX (__KVTEP_LS_A_MAX - 1)

enum kvtep_bind_attr {
	KVTEP_BIND_A_UNSPEC,
	KVTEP_BIND_A_PORT_IFINDEX,	/* u32: a port, or the device itself */
	KVTEP_BIND_A_VLAN,		/* u16: 0 = untagged, 1..4095 */
	KVTEP_BIND_A_VNI,		/* u32 */
	KVTEP_BIND_A_PORT_KEY,		/* u16: OVN logical port key, 0 = none,
					 * 1..KVTEP_OVN_PORT_KEY_MAX
					 */
	KVTEP_BIND_A_STATS,		/* nest: enum kvtep_stats_attr */
	__KVTEP_BIND_A_MAX,
};

#define KVTEP_BIND_A_MAX (__KVTEP_BIND_A_MAX - 1)

enum kvtep_remote_attr {
	KVTEP_REMOTE_A_UNSPEC,
	KVTEP_REMOTE_A_IP4,	/* binary 4 */
	KVTEP_REMOTE_A_IP6,	/* binary 16 */
	KVTEP_REMOTE_A_PORT,	/* u16: UDP port, default by encapsulation */
	KVTEP_REMOTE_A_ENCAP,	/* u8: enum kvtep_encap */
	KVTEP_REMOTE_A_REFCNT,	/* u32: read only */
	__KVTEP_REMOTE_A_MAX,
};

#define KVTEP_REMOTE_A_MAX (__KVTEP_REMOTE_A_MAX - 1)

enum kvtep_fdb_type {
	KVTEP_FDB_STATIC_REMOTE,	/* MAC behind one remote */
	KVTEP_FDB_STATIC_LOCAL,		/* MAC behind a local binding */
	KVTEP_FDB_LEARNED_LOCAL,	/* learned on a port, ages */
	KVTEP_FDB_LEARNED_REMOTE,	/* learned from a tunnel, ages */
	KVTEP_FDB_MCAST_REMOTE,		/* multicast MAC, a set of remotes */
	__KVTEP_FDB_MAX,
};

#define KVTEP_FDB_TYPE_MAX (__KVTEP_FDB_MAX - 1)

enum kvtep_fdb_event {
	KVTEP_FDB_EV_LEARN,
	KVTEP_FDB_EV_MOVE,
	KVTEP_FDB_EV_AGE,
	KVTEP_FDB_EV_DEL,
	__KVTEP_FDB_EV_MAX,
};

enum kvtep_fdb_attr {
	KVTEP_FDB_A_UNSPEC,
	KVTEP_FDB_A_VNI,		/* u32 */
	KVTEP_FDB_A_MAC,		/* binary 6 */
	KVTEP_FDB_A_TYPE,		/* u8: enum kvtep_fdb_type */
	KVTEP_FDB_A_REMOTE,		/* nest: enum kvtep_remote_attr, may repeat */
	KVTEP_FDB_A_PORT_IFINDEX,	/* u32: local entries */
	KVTEP_FDB_A_VLAN,		/* u16: local entries */
	KVTEP_FDB_A_AGE,		/* u32: ms since last seen (read only) */
	KVTEP_FDB_A_EVENT,		/* u8: enum kvtep_fdb_event (notifications) */
	KVTEP_FDB_A_PORT_KEY,		/* u16: OVN egress port key, 0 = none */
	KVTEP_FDB_A_TYPE_MASK,		/* u32: flush filter, bit (1 << type)
					 * per enum kvtep_fdb_type
					 */
	__KVTEP_FDB_A_MAX,
};

#define KVTEP_FDB_A_MAX (__KVTEP_FDB_A_MAX - 1)

/*
 * Counters. A KVTEP_A_STATS nest in a device reply carries the device's
 * counters and drop reasons; in an LS or binding nest, that object's.
 */
enum kvtep_stats_attr {
	KVTEP_STATS_A_UNSPEC,
	KVTEP_STATS_A_PAD,
	KVTEP_STATS_A_RX_PACKETS,	/* u64: from local ports / bindings */
	KVTEP_STATS_A_RX_BYTES,
	KVTEP_STATS_A_TX_PACKETS,	/* u64: to local ports / bindings */
	KVTEP_STATS_A_TX_BYTES,
	KVTEP_STATS_A_ENCAP_PACKETS,	/* u64: sent into tunnels */
	KVTEP_STATS_A_ENCAP_BYTES,
	KVTEP_STATS_A_DECAP_PACKETS,	/* u64: received from tunnels */
	KVTEP_STATS_A_DECAP_BYTES,
	KVTEP_STATS_A_DROPS,		/* nest: u64 per enum kvtep_drop_reason,
					 * attribute type = reason + 1;
					 * padding inside it has type 0
					 */
	KVTEP_STATS_A_VNI,		/* u32: the LS this nest describes */
	__KVTEP_STATS_A_MAX,
};

#define KVTEP_STATS_A_MAX (__KVTEP_STATS_A_MAX - 1)

/* Every drop has a reason. Names for these live in kvtepctl. */
enum kvtep_drop_reason {
	KVTEP_DROP_NO_BINDING,		/* port RX: no (port, VLAN) binding */
	KVTEP_DROP_NO_LS,		/* tunnel RX: VNI maps to no LS */
	KVTEP_DROP_BAD_VXLAN_FLAGS,	/* tunnel RX: I flag clear */
	KVTEP_DROP_VXLAN_RESERVED,	/* counted, not dropped: reserved bits set */
	KVTEP_DROP_TRUNCATED,		/* tunnel RX: VXLAN or Geneve base header
					 * past the packet
					 */
	KVTEP_DROP_RUNT,		/* inner frame shorter than Ethernet */
	KVTEP_DROP_FDB_FULL,		/* learning refused: limit reached */
	KVTEP_DROP_MTU,			/* encapsulated frame does not fit */
	KVTEP_DROP_NO_ROUTE,		/* no route to the remote */
	KVTEP_DROP_NO_LOCAL_IP,		/* no local address of the remote's family */
	KVTEP_DROP_NOMEM,		/* allocation or headroom failure */
	KVTEP_DROP_XMIT,		/* underlay refused the packet */
	KVTEP_DROP_GENEVE_VERSION,	/* Geneve version != 0 */
	KVTEP_DROP_GENEVE_OPTLEN,	/* options past the packet */
	KVTEP_DROP_GENEVE_CRITICAL,	/* unknown critical option */
	KVTEP_DROP_GENEVE_OAM,		/* O bit set */
	KVTEP_DROP_GENEVE_PROTO,	/* protocol other than 0x6558 */
	KVTEP_DROP_SPLIT_HORIZON,	/* would go back where it came from */
	KVTEP_DROP_NO_DEST,		/* flooding found nowhere to go */
	KVTEP_DROP_LOOP,		/* frame of our own MAC / bad source */
	KVTEP_DROP_DEV_TX,		/* device's own interface, unbound */
	KVTEP_DROP_BAD_LENGTH,		/* inner 802.3 length past the frame */
	KVTEP_DROP_STATIC_MOVE,		/* counted, not dropped: a frame's source
					 * MAC has a static entry elsewhere, which
					 * learning did not move
					 */
	__KVTEP_DROP_MAX,
};

#define KVTEP_DROP_MAX (__KVTEP_DROP_MAX - 1)

#endif /* _UAPI_LINUX_KVTEP_H */
