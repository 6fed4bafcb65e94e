/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The internal model of kvtep objects. The command line (and later the
 * OVSDB agent) fills these; one encoder per object turns them into netlink.
 */
#ifndef KVTEPCTL_MODEL_H
#define KVTEPCTL_MODEL_H

#include <net/if.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <libmnl/libmnl.h>
#include <linux/kvtep.h>

#define KVTEP_HAS(cfg, attr)	(!!((cfg)->present & (1ULL << (attr))))
#define KVTEP_SET(cfg, attr)	((cfg)->present |= 1ULL << (attr))

/* Device settings; a field counts only if its KVTEP_A_* bit is present. */
struct kvtep_dev_cfg {
	uint64_t present;
	uint32_t ifindex;
	char ifname[IFNAMSIZ];
	uint16_t vxlan_port;
	uint16_t geneve_port;
	uint8_t local_ip4[4];
	uint8_t local_ip6[16];
	uint8_t ttl;
	uint8_t tos;
	uint8_t df;
	uint8_t learning;
	uint8_t tunnel_learning;
	uint8_t udp_csum;
	uint32_t ageing;
	uint32_t fdb_max;
};

_Static_assert(KVTEP_A_MAX < 64, "present bitmask too small");

/* Put the present writable attributes of @cfg (and its device) into @nlh. */
void kvtep_dev_cfg_put(struct nlmsghdr *nlh, const struct kvtep_dev_cfg *cfg);

/*
 * Objects below the device. The CLI and the OVSDB agent (kvtepctl ovsdb)
 * describe kernel objects with these and encode them with the *_put()
 * helpers below; the agent's reconciler also parses dumps into them.
 */

/* A tunnel endpoint address: family AF_INET (addr[0..3]) or AF_INET6. */
struct kvtep_ip {
	uint8_t family;
	uint8_t addr[16];
};

/*
 * A remote (tunnel destination); port 0 = the device's default for its
 * encapsulation; without has_encap the LS's default encapsulation.
 */
struct kvtep_remote {
	struct kvtep_ip ip;
	uint16_t port;
	uint8_t encap;		/* enum kvtep_encap, if has_encap */
	bool has_encap;
};

struct kvtep_ls_cfg {
	uint32_t vni;
	uint8_t repl;		/* enum kvtep_replication */
	bool has_repl;
	uint8_t encap;		/* enum kvtep_encap: default of its remotes */
	bool has_encap;
};

struct kvtep_bind_cfg {
	uint32_t ifindex;
	uint16_t vlan;
	uint32_t vni;		/* 0: absent (delete) */
	uint16_t port_key;	/* OVN logical port key, if has_port_key */
	bool has_port_key;
};

struct kvtep_fdb_cfg {
	uint32_t vni;
	uint8_t mac[6];
	uint8_t type;		/* enum kvtep_fdb_type (dumps; not sent) */
	uint32_t ifindex;	/* local entries */
	uint16_t vlan;
	unsigned int n_remotes;	/* remote and multicast entries */
	struct kvtep_remote *remotes;
};

struct kvtep_flood_cfg {
	uint32_t vni;
	unsigned int n_remotes;
	struct kvtep_remote *remotes;
};

/* Compare addresses / remotes (family, bytes, then encap; port last). */
int kvtep_ip_cmp(const struct kvtep_ip *a, const struct kvtep_ip *b);
int kvtep_remote_cmp(const struct kvtep_remote *a, const struct kvtep_remote *b);
/* Text form of @ip into @buf (>= 46 bytes); parse: 0 or -1. */
const char *kvtep_ip_str(const struct kvtep_ip *ip, char *buf, size_t len);
int kvtep_ip_parse(const char *s, struct kvtep_ip *ip);

/* One nest of type @type (KVTEP_A_REMOTE, KVTEP_FDB_A_REMOTE, ...). */
void kvtep_remote_put(struct nlmsghdr *nlh, uint16_t type,
		      const struct kvtep_remote *r);
/* The KVTEP_A_LS nest (vni and, if set, replication and encap). */
void kvtep_ls_put(struct nlmsghdr *nlh, const struct kvtep_ls_cfg *ls);
/* The KVTEP_A_BIND nest (port, vlan, and vni unless 0). */
void kvtep_bind_put(struct nlmsghdr *nlh, const struct kvtep_bind_cfg *b);
/* One KVTEP_A_FDB nest: key only if @key_only (delete), else the entry. */
void kvtep_fdb_put(struct nlmsghdr *nlh, const struct kvtep_fdb_cfg *f,
		   bool key_only);
/* A flood list: the KVTEP_A_LS nest and one KVTEP_A_REMOTE per remote. */
void kvtep_flood_put(struct nlmsghdr *nlh, const struct kvtep_flood_cfg *fl);
/* Bytes kvtep_fdb_put() adds at most for @f. */
size_t kvtep_fdb_put_size(const struct kvtep_fdb_cfg *f);

/*
 * Parsers of dump replies / notifications into the model; 0 or -1 if the
 * message lacks the object. *_parse() of FDB and flood allocate remotes
 * (free with free(x->remotes)).
 */
int kvtep_ls_parse(const struct nlmsghdr *nlh, struct kvtep_ls_cfg *ls);
int kvtep_bind_parse(const struct nlmsghdr *nlh, struct kvtep_bind_cfg *b,
		     const struct nlattr **stats);
int kvtep_fdb_parse(const struct nlmsghdr *nlh, struct kvtep_fdb_cfg *f,
		    int *event, uint32_t *dev_ifindex);
int kvtep_flood_parse(const struct nlmsghdr *nlh, struct kvtep_flood_cfg *fl);

#endif /* KVTEPCTL_MODEL_H */
