/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kvtepctl ovsdb: the hardware_vtep agent. Declarations shared by
 *   vtep_state.c  database cache -> desired kernel state + faults, and
 *                 kernel facts -> the rows to publish (pure, no I/O)
 *   reconcile.c   kernel dumps into the model, desired vs actual diff
 *                 (pure) and applying the diff over netlink
 *   vtep_agent.c  the daemon: options, event loop, OVSDB session
 * See the design comment at the top of vtep_agent.c.
 */
#ifndef KVTEPCTL_VTEP_H
#define KVTEPCTL_VTEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>
#include <jansson.h>

#include "model.h"
#include "ovsdb.h"

#define VTEP_DB			"hardware_vtep"
#define VTEP_ENCAP_VXLAN4	"vxlan_over_ipv4"
/* Logical_Switch other_config key selecting the encap: vxlan | geneve. */
#define VTEP_LS_ENCAP_KEY	"kvtep-encap"

/*
 * Kernel state the agent owns on one device, as sorted arrays:
 * LS by vni, bindings by (ifindex, vlan), FDB by (vni, mac) - only
 * static-remote and mcast-remote entries -, flood lists by vni. Remote
 * sets inside entries are sorted (kvtep_remote_cmp).
 */
struct kstate {
	bool has_local4, has_local6;
	struct kvtep_ip local4, local6;
	struct kvtep_ls_cfg *ls;
	size_t n_ls;
	struct kvtep_bind_cfg *bind;
	size_t n_bind;
	struct kvtep_fdb_cfg *fdb;
	size_t n_fdb;
	struct kvtep_flood_cfg *flood;
	size_t n_flood;
};

void kstate_free(struct kstate *k);
/* Deep copy (sorted if @src is): 0 or -1. */
int kstate_copy(struct kstate *dst, const struct kstate *src);
/* Sort every array (and remote sets) into kstate order. */
void kstate_sort(struct kstate *k);
/* Append helpers (copy @x; remotes are copied too). 0 or -1. */
int kstate_add_ls(struct kstate *k, const struct kvtep_ls_cfg *x);
int kstate_add_bind(struct kstate *k, const struct kvtep_bind_cfg *x);
int kstate_add_fdb(struct kstate *k, const struct kvtep_fdb_cfg *x);
int kstate_add_flood(struct kstate *k, const struct kvtep_flood_cfg *x);

/* One change the reconciler makes, in the order they must be applied. */
enum kop_kind {
	KOP_DEV_LOCAL,		/* set local address(es) (obj: kstate) */
	KOP_LS_ADD,
	KOP_LS_SET,		/* replication or encap changed */
	KOP_BIND_DEL,
	KOP_FDB_DEL,
	KOP_BIND_ADD,
	KOP_FDB_ADD,		/* new entry or changed remotes (replace) */
	KOP_FLOOD_SET,
	KOP_LS_DEL,
};

struct kop {
	enum kop_kind kind;
	const void *obj;	/* into the desired (adds) or actual (dels) state */
};

struct kops {
	struct kop *v;
	size_t n, cap;
};

/* The exact changes that turn @actual into @desired (both sorted). */
int kstate_diff(const struct kstate *desired, const struct kstate *actual,
		struct kops *ops);
int kops_add(struct kops *ops, enum kop_kind kind, const void *obj);
void kops_free(struct kops *ops);
/* Same type and remote set (addresses and encapsulations). */
bool fdb_same(const struct kvtep_fdb_cfg *a, const struct kvtep_fdb_cfg *b);
const char *kop_name(enum kop_kind k);

/* --- database -> desired state ------------------------------------------- */

enum vtep_fault_where { FAULT_SWITCH, FAULT_PORT };

struct vtep_fault {
	char table[32];
	char uuid[OVSDB_UUID_LEN + 1];
	enum vtep_fault_where where;
	char port[64];		/* FAULT_PORT: Physical_Port name */
	const char *status;	/* e.g. "invalid_vlan_map" */
	char msg[200];
};

/* A logical switch the agent programs: the LS row and its VNI. */
struct vtep_ls_map {
	char uuid[OVSDB_UUID_LEN + 1];
	uint32_t vni;
	uint8_t encap;		/* other_config:kvtep-encap, of its remotes */
};

/* A binding as published: port name, vlan, and the kernel key. */
struct vtep_binding {
	char port[64];
	char port_uuid[OVSDB_UUID_LEN + 1];
	uint16_t vlan;
	uint32_t ifindex;
	uint32_t vni;
};

struct vtep_desired {
	bool ps_found;
	char ps_uuid[OVSDB_UUID_LEN + 1];
	char locator_ip[64];		/* own locator dst_ip ("" if none) */
	const char *tunnel_ips[8];	/* into the cache */
	unsigned int n_tunnel_ips;
	struct kstate k;
	struct vtep_ls_map *ls;		/* sorted by uuid */
	size_t n_ls;
	struct vtep_binding *binds;
	size_t n_binds;
	struct vtep_fault *faults;
	size_t n_faults;
};

/* Port name -> ifindex of a port of the device, 0 if it is not one. */
typedef uint32_t (*vtep_port_resolver)(const char *name, void *data);

/*
 * Compute what the kernel should hold for Physical_Switch @ps_name from
 * the database @cache. Bad rows become faults (with their UUID) and are
 * left out; everything else is in @out->k (sorted). 0 or -1 (no memory).
 */
int vtep_desired_build(const json_t *cache, const char *ps_name,
		       vtep_port_resolver resolve, void *rdata,
		       struct vtep_desired *out);
void vtep_desired_free(struct vtep_desired *d);

/*
 * Incremental path for a batch that changed only Ucast_Macs_Remote rows:
 * @changed is {UUID: the row before the batch, or null if it is new}, the
 * rows now are in @cache, and @d was built from the cache before the batch.
 * 0: @d->k is patched, @del holds the entries that went or changed (old
 * values) and @add the ones that came or changed (both sorted); 1: only a
 * full vtep_desired_build gives the right answer (a fault, a duplicate
 * MAC, @d has faults): @d is untouched; -1: no memory (@d may be broken).
 */
int vtep_desired_ucast_patch(const json_t *cache, struct vtep_desired *d,
			     const json_t *changed, struct kstate *del, struct kstate *add);
/* Drop @del's keys from the sorted @k->fdb and insert copies of @add's. */
int kstate_fdb_patch(struct kstate *k, const struct kstate *del, const struct kstate *add);
/* The kernel changes of a patch: FDB_DEL for keys gone, FDB_ADD otherwise. */
int vtep_fdb_change_ops(const struct kstate *del, const struct kstate *add,
			struct kops *ops);
/* Validators (also used by the tests): 0 or -1. */
int vtep_parse_mac(const char *s, uint8_t mac[6]);
int vtep_parse_locator(const json_t *cache, const char *uuid,
		       struct kvtep_remote *r, char *err, size_t errlen);
/* Logical_Switch other_config:kvtep-encap of @row (absent: vxlan). */
int vtep_parse_ls_encap(const json_t *row, uint8_t *encap, char *err, size_t errlen);

/* --- kernel facts -> published rows ------------------------------------- */

struct vtep_mac {
	uint32_t vni;
	uint8_t mac[6];
};

struct vtep_stats {
	uint32_t ifindex;
	uint16_t vlan;
	uint64_t packets_from_local, bytes_from_local;
	uint64_t packets_to_local, bytes_to_local;
};

struct vtep_kinfo {
	char (*ports)[IFNAMSIZ];	/* ports of the device */
	size_t n_ports;
	struct vtep_mac *macs;		/* learned/static local MACs */
	size_t n_macs;
	struct vtep_stats *stats;	/* per binding */
	size_t n_stats;
	bool with_stats;
};

/*
 * The "transact" params that make the database show @ki and @d's faults
 * (Physical_Port rows, Ucast/Mcast_Macs_Local, fault status, binding
 * stats, description), or NULL if it already does.
 */
json_t *vtep_publish_ops(const json_t *cache, const struct vtep_desired *d,
			 const struct vtep_kinfo *ki, const char *description);

#endif /* KVTEPCTL_VTEP_H */
