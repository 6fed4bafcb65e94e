// SPDX-License-Identifier: GPL-2.0-only
/*
 * Encoders from the internal model to kvtep netlink attributes.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "model.h"
#include "nl.h"

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

/* --- objects below the device ------------------------------------------- */

int kvtep_ip_cmp(const struct kvtep_ip *a, const struct kvtep_ip *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->addr, b->addr, a->family == AF_INET ? 4 : 16);
}

int kvtep_remote_cmp(const struct kvtep_remote *a, const struct kvtep_remote *b)
{
	int c = kvtep_ip_cmp(&a->ip, &b->ip);

	if (c)
		return c;
	if (a->encap != b->encap)
		return a->encap < b->encap ? -1 : 1;
	return a->port < b->port ? -1 : a->port > b->port;
}

const char *kvtep_ip_str(const struct kvtep_ip *ip, char *buf, size_t len)
{
	if (!inet_ntop(ip->family == AF_INET6 ? AF_INET6 : AF_INET, ip->addr,
		       buf, len))
		snprintf(buf, len, "?");
	return buf;
}

int kvtep_ip_parse(const char *s, struct kvtep_ip *ip)
{
	memset(ip, 0, sizeof(*ip));
	if (inet_pton(AF_INET, s, ip->addr) == 1) {
		ip->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, ip->addr) == 1) {
		ip->family = AF_INET6;
		return 0;
	}
	return -1;
}

void kvtep_remote_put(struct nlmsghdr *nlh, uint16_t type,
		      const struct kvtep_remote *r)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, type);

	if (r->ip.family == AF_INET)
		mnl_attr_put(nlh, KVTEP_REMOTE_A_IP4, 4, r->ip.addr);
	else
		mnl_attr_put(nlh, KVTEP_REMOTE_A_IP6, 16, r->ip.addr);
	if (r->port)
		mnl_attr_put_u16(nlh, KVTEP_REMOTE_A_PORT, r->port);
	if (r->has_encap)
		mnl_attr_put_u8(nlh, KVTEP_REMOTE_A_ENCAP, r->encap);
	mnl_attr_nest_end(nlh, nest);
}

void kvtep_ls_put(struct nlmsghdr *nlh, const struct kvtep_ls_cfg *ls)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, KVTEP_A_LS);

	mnl_attr_put_u32(nlh, KVTEP_LS_A_VNI, ls->vni);
	if (ls->has_repl)
		mnl_attr_put_u8(nlh, KVTEP_LS_A_REPLICATION, ls->repl);
	if (ls->has_encap)
		mnl_attr_put_u8(nlh, KVTEP_LS_A_ENCAP, ls->encap);
	mnl_attr_nest_end(nlh, nest);
}

void kvtep_bind_put(struct nlmsghdr *nlh, const struct kvtep_bind_cfg *b)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, KVTEP_A_BIND);

	mnl_attr_put_u32(nlh, KVTEP_BIND_A_PORT_IFINDEX, b->ifindex);
	mnl_attr_put_u16(nlh, KVTEP_BIND_A_VLAN, b->vlan);
	if (b->vni)
		mnl_attr_put_u32(nlh, KVTEP_BIND_A_VNI, b->vni);
	if (b->has_port_key)
		mnl_attr_put_u16(nlh, KVTEP_BIND_A_PORT_KEY, b->port_key);
	mnl_attr_nest_end(nlh, nest);
}

void kvtep_fdb_put(struct nlmsghdr *nlh, const struct kvtep_fdb_cfg *f,
		   bool key_only)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, KVTEP_A_FDB);
	unsigned int i;

	mnl_attr_put_u32(nlh, KVTEP_FDB_A_VNI, f->vni);
	mnl_attr_put(nlh, KVTEP_FDB_A_MAC, 6, f->mac);
	if (!key_only) {
		if (!f->n_remotes) {
			mnl_attr_put_u32(nlh, KVTEP_FDB_A_PORT_IFINDEX, f->ifindex);
			mnl_attr_put_u16(nlh, KVTEP_FDB_A_VLAN, f->vlan);
		}
		for (i = 0; i < f->n_remotes; i++)
			kvtep_remote_put(nlh, KVTEP_FDB_A_REMOTE, &f->remotes[i]);
	}
	mnl_attr_nest_end(nlh, nest);
}

size_t kvtep_fdb_put_size(const struct kvtep_fdb_cfg *f)
{
	/* nest + vni + mac + port/vlan + remotes (ip6 + port + encap each) */
	return 4 + 8 + 12 + 16 + f->n_remotes * (4 + 20 + 8 + 8);
}

void kvtep_flood_put(struct nlmsghdr *nlh, const struct kvtep_flood_cfg *fl)
{
	struct kvtep_ls_cfg ls = { .vni = fl->vni };
	unsigned int i;

	kvtep_ls_put(nlh, &ls);
	for (i = 0; i < fl->n_remotes; i++)
		kvtep_remote_put(nlh, KVTEP_A_REMOTE, &fl->remotes[i]);
}

/* --- parsers ------------------------------------------------------------- */

static const struct nlattr *attr_find(const struct nlattr *first, size_t len,
				      uint16_t type)
{
	const struct nlattr *a = first;
	int rem = (int)len;

	for (; mnl_attr_ok(a, rem); rem -= MNL_ALIGN(a->nla_len), a = mnl_attr_next(a))
		if (mnl_attr_get_type(a) == type)
			return a;
	return NULL;
}

static const struct nlattr *top_find(const struct nlmsghdr *nlh, uint16_t type)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == type)
			return a;
	return NULL;
}

static const struct nlattr *nest_find(const struct nlattr *nest, uint16_t type)
{
	if (!nest || mnl_attr_get_payload_len(nest) < sizeof(struct nlattr))
		return NULL;
	return attr_find(mnl_attr_get_payload(nest),
			 mnl_attr_get_payload_len(nest), type);
}

static bool get_u32(const struct nlattr *a, uint32_t *v)
{
	if (!a || mnl_attr_validate(a, MNL_TYPE_U32) < 0)
		return false;
	*v = mnl_attr_get_u32(a);
	return true;
}

static bool get_u16(const struct nlattr *a, uint16_t *v)
{
	if (!a || mnl_attr_validate(a, MNL_TYPE_U16) < 0)
		return false;
	*v = mnl_attr_get_u16(a);
	return true;
}

static bool get_u8(const struct nlattr *a, uint8_t *v)
{
	if (!a || mnl_attr_validate(a, MNL_TYPE_U8) < 0)
		return false;
	*v = mnl_attr_get_u8(a);
	return true;
}

static int remote_parse(const struct nlattr *nest, struct kvtep_remote *r)
{
	const struct nlattr *a;

	memset(r, 0, sizeof(*r));
	a = nest_find(nest, KVTEP_REMOTE_A_IP4);
	if (a && mnl_attr_get_payload_len(a) == 4) {
		r->ip.family = AF_INET;
		memcpy(r->ip.addr, mnl_attr_get_payload(a), 4);
	} else {
		a = nest_find(nest, KVTEP_REMOTE_A_IP6);
		if (!a || mnl_attr_get_payload_len(a) != 16)
			return -1;
		r->ip.family = AF_INET6;
		memcpy(r->ip.addr, mnl_attr_get_payload(a), 16);
	}
	get_u16(nest_find(nest, KVTEP_REMOTE_A_PORT), &r->port);
	r->has_encap = get_u8(nest_find(nest, KVTEP_REMOTE_A_ENCAP), &r->encap);
	return 0;
}

/* Every nest of @type among the attributes [first, first+len) as remotes. */
static int remotes_parse(const struct nlattr *first, size_t len, uint16_t type,
			 struct kvtep_remote **out, unsigned int *n)
{
	const struct nlattr *a = first;
	unsigned int cnt = 0, cap = 0;
	struct kvtep_remote *r = NULL;
	int rem = (int)len;

	*out = NULL;
	*n = 0;
	for (; mnl_attr_ok(a, rem); rem -= MNL_ALIGN(a->nla_len), a = mnl_attr_next(a)) {
		if (mnl_attr_get_type(a) != type)
			continue;
		if (cnt == cap) {
			struct kvtep_remote *p;

			cap = cap ? 2 * cap : 4;
			p = realloc(r, cap * sizeof(*r));
			if (!p) {
				free(r);
				return -1;
			}
			r = p;
		}
		if (remote_parse(a, &r[cnt]) == 0)
			cnt++;
	}
	*out = r;
	*n = cnt;
	return 0;
}

int kvtep_ls_parse(const struct nlmsghdr *nlh, struct kvtep_ls_cfg *ls)
{
	const struct nlattr *nest = top_find(nlh, KVTEP_A_LS);

	memset(ls, 0, sizeof(*ls));
	if (!nest || !get_u32(nest_find(nest, KVTEP_LS_A_VNI), &ls->vni))
		return -1;
	ls->has_repl = get_u8(nest_find(nest, KVTEP_LS_A_REPLICATION), &ls->repl);
	ls->has_encap = get_u8(nest_find(nest, KVTEP_LS_A_ENCAP), &ls->encap);
	return 0;
}

int kvtep_bind_parse(const struct nlmsghdr *nlh, struct kvtep_bind_cfg *b,
		     const struct nlattr **stats)
{
	const struct nlattr *nest = top_find(nlh, KVTEP_A_BIND);

	memset(b, 0, sizeof(*b));
	if (stats)
		*stats = NULL;
	if (!nest || !get_u32(nest_find(nest, KVTEP_BIND_A_PORT_IFINDEX), &b->ifindex) ||
	    !get_u32(nest_find(nest, KVTEP_BIND_A_VNI), &b->vni))
		return -1;
	get_u16(nest_find(nest, KVTEP_BIND_A_VLAN), &b->vlan);
	if (stats)
		*stats = nest_find(nest, KVTEP_BIND_A_STATS);
	return 0;
}

int kvtep_fdb_parse(const struct nlmsghdr *nlh, struct kvtep_fdb_cfg *f,
		    int *event, uint32_t *dev_ifindex)
{
	const struct nlattr *nest = top_find(nlh, KVTEP_A_FDB);
	const struct nlattr *a;
	uint8_t ev;

	memset(f, 0, sizeof(*f));
	if (dev_ifindex && !get_u32(top_find(nlh, KVTEP_A_IFINDEX), dev_ifindex))
		*dev_ifindex = 0;
	if (!nest || !get_u32(nest_find(nest, KVTEP_FDB_A_VNI), &f->vni))
		return -1;
	a = nest_find(nest, KVTEP_FDB_A_MAC);
	if (!a || mnl_attr_get_payload_len(a) != 6)
		return -1;
	memcpy(f->mac, mnl_attr_get_payload(a), 6);
	if (!get_u8(nest_find(nest, KVTEP_FDB_A_TYPE), &f->type))
		return -1;
	get_u32(nest_find(nest, KVTEP_FDB_A_PORT_IFINDEX), &f->ifindex);
	get_u16(nest_find(nest, KVTEP_FDB_A_VLAN), &f->vlan);
	if (event)
		*event = get_u8(nest_find(nest, KVTEP_FDB_A_EVENT), &ev) ? ev : -1;
	if (mnl_attr_get_payload_len(nest) >= sizeof(struct nlattr) &&
	    remotes_parse(mnl_attr_get_payload(nest), mnl_attr_get_payload_len(nest),
			  KVTEP_FDB_A_REMOTE, &f->remotes, &f->n_remotes))
		return -1;
	return 0;
}

int kvtep_flood_parse(const struct nlmsghdr *nlh, struct kvtep_flood_cfg *fl)
{
	struct kvtep_ls_cfg ls;
	const struct nlattr *first = nl_genl_attrs(nlh);
	size_t len;

	memset(fl, 0, sizeof(*fl));
	if (kvtep_ls_parse(nlh, &ls))
		return -1;
	fl->vni = ls.vni;
	len = (const char *)nlh + nlh->nlmsg_len - (const char *)first;
	return remotes_parse(first, len, KVTEP_A_REMOTE, &fl->remotes,
			     &fl->n_remotes);
}
