// SPDX-License-Identifier: GPL-2.0-only
/*
 * hardware_vtep rows -> desired kernel state (with validation: every bad
 * row becomes a fault naming its UUID and is left out), and kernel facts
 * -> the OVSDB operations that publish them. Pure functions of their
 * inputs: no sockets, no netlink.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "vtep.h"

/* --- helpers ------------------------------------------------------------- */

static void fault(struct vtep_desired *d, const char *table, const char *uuid,
		  enum vtep_fault_where where, const char *port,
		  const char *status, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

static void fault(struct vtep_desired *d, const char *table, const char *uuid,
		  enum vtep_fault_where where, const char *port,
		  const char *status, const char *fmt, ...)
{
	struct vtep_fault *f;
	va_list ap;

	if (!(d->n_faults & (d->n_faults - 1)) || !d->n_faults) {
		f = realloc(d->faults, (d->n_faults ? 2 * d->n_faults : 4) * sizeof(*f));
		if (!f)
			return;
		d->faults = f;
	}
	f = &d->faults[d->n_faults++];
	memset(f, 0, sizeof(*f));
	snprintf(f->table, sizeof(f->table), "%s", table);
	snprintf(f->uuid, sizeof(f->uuid), "%s", uuid ? uuid : "");
	f->where = where;
	snprintf(f->port, sizeof(f->port), "%s", port ? port : "");
	f->status = status;
	va_start(ap, fmt);
	vsnprintf(f->msg, sizeof(f->msg), fmt, ap);
	va_end(ap);
}

int vtep_parse_mac(const char *s, uint8_t mac[6])
{
	int i;

	if (!s || strlen(s) != 17)
		return -1;
	for (i = 0; i < 6; i++) {
		const char *p = s + 3 * i;
		char hex[3] = { p[0], p[1], 0 };

		if (!isxdigit((unsigned char)p[0]) || !isxdigit((unsigned char)p[1]) ||
		    (i < 5 && p[2] != ':'))
			return -1;
		mac[i] = strtoul(hex, NULL, 16);
	}
	return 0;
}

static void mac_str(const uint8_t *m, char buf[18])
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x",
		 m[0], m[1], m[2], m[3], m[4], m[5]);
}

static const char *str_col(const json_t *row, const char *col)
{
	const json_t *v = json_object_get(row, col);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static const char *uuid_col(const json_t *row, const char *col)
{
	return ovsdb_uuid_of(json_object_get(row, col));
}

int vtep_parse_locator(const json_t *cache, const char *uuid,
		       struct kvtep_remote *r, char *err, size_t errlen)
{
	const json_t *row = uuid ? ovsdb_row(cache, "Physical_Locator", uuid) : NULL;
	const char *encap, *ip;

	memset(r, 0, sizeof(*r));
	if (!row) {
		snprintf(err, errlen, "dangling reference to Physical_Locator %s",
			 uuid ? uuid : "(none)");
		return -1;
	}
	encap = str_col(row, "encapsulation_type");
	ip = str_col(row, "dst_ip");
	if (!encap || strcmp(encap, VTEP_ENCAP_VXLAN4)) {
		snprintf(err, errlen, "Physical_Locator %s: unknown encapsulation \"%.40s\"",
			 uuid, encap ? encap : "");
		return -1;
	}
	if (!ip || kvtep_ip_parse(ip, &r->ip)) {
		snprintf(err, errlen, "Physical_Locator %s: bad dst_ip \"%.60s\"", uuid,
			 ip ? ip : "");
		return -1;
	}
	return 0;
}

int vtep_parse_ls_encap(const json_t *row, uint8_t *encap, char *err, size_t errlen)
{
	const json_t *map = json_object_get(row, "other_config");
	int n = ovsdb_map_size(map), i;

	*encap = KVTEP_ENCAP_VXLAN;
	for (i = 0; i < n; i++) {
		const json_t *k, *v;
		const char *s;

		if (ovsdb_map_pair(map, i, &k, &v) || !json_is_string(k) ||
		    strcmp(json_string_value(k), VTEP_LS_ENCAP_KEY))
			continue;
		s = json_is_string(v) ? json_string_value(v) : "";
		if (!strcmp(s, "vxlan")) {
			*encap = KVTEP_ENCAP_VXLAN;
		} else if (!strcmp(s, "geneve")) {
			*encap = KVTEP_ENCAP_GENEVE;
		} else {
			snprintf(err, errlen, "other_config:%s \"%.40s\": expected vxlan or geneve",
				 VTEP_LS_ENCAP_KEY, s);
			return -1;
		}
	}
	return 0;
}

static int ls_map_cmp(const void *a, const void *b)
{
	return strcmp(((const struct vtep_ls_map *)a)->uuid,
		      ((const struct vtep_ls_map *)b)->uuid);
}

static const struct vtep_ls_map *ls_lookup(const struct vtep_desired *d,
					   const char *uuid)
{
	struct vtep_ls_map key;

	if (!uuid || !d->n_ls)
		return NULL;
	snprintf(key.uuid, sizeof(key.uuid), "%s", uuid);
	return bsearch(&key, d->ls, d->n_ls, sizeof(key), ls_map_cmp);
}

/* Keys of a JSON object sorted, so that "first" means the same every time. */
static const char **sorted_keys(const json_t *obj, size_t *n)
{
	const char **k, *key;
	json_t *v;
	size_t i = 0;

	*n = json_object_size(obj);
	k = malloc((*n + 1) * sizeof(*k));
	if (!k)
		return NULL;
	json_object_foreach((json_t *)obj, key, v)
		k[i++] = key;
	qsort(k, *n, sizeof(*k), (int (*)(const void *, const void *))strcmp);
	return k;
}

/* qsort of char* by string */
static int pstrcmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* --- desired state ------------------------------------------------------- */

struct ls_cand {
	const char *uuid, *name;
	uint32_t vni;
	uint8_t repl;
	uint8_t encap;
	bool ok;
};

static int ls_cand_cmp(const void *a, const void *b)
{
	const struct ls_cand *x = a, *y = b;

	if (x->vni != y->vni)
		return x->vni < y->vni ? -1 : 1;
	return strcmp(x->name, y->name) ?: strcmp(x->uuid, y->uuid);
}

/*
 * Checks of one Logical_Switch row: 0 (vni, repl, encap set), 1 pending,
 * -1 bad tunnel_key, -2 bad kvtep-encap (faulted here).
 */
static int ls_check(struct vtep_desired *d, const json_t *cache, const char *uuid,
		    uint32_t *vni, uint8_t *repl, uint8_t *encap)
{
	const json_t *row = ovsdb_row(cache, "Logical_Switch", uuid);
	const char *mode;
	json_int_t key;
	char err[120];
	int r;

	if (!row)
		return -1;
	if (vtep_parse_ls_encap(row, encap, err, sizeof(err))) {
		fault(d, "Logical_Switch", uuid, FAULT_SWITCH, NULL, "unspecified_fault",
		      "logical switch \"%s\": %s", str_col(row, "name") ?: "", err);
		return -2;
	}
	r = ovsdb_opt_int(json_object_get(row, "tunnel_key"), &key);
	if (r == 0)
		return 1;
	if (r < 0 || key < 1 || key > KVTEP_VNI_MAX)
		return -1;
	*vni = key;
	mode = ovsdb_opt_str(json_object_get(row, "replication_mode"));
	*repl = mode && !strcmp(mode, "source_node") ? KVTEP_REPL_SOURCE_NODE :
						       KVTEP_REPL_SERVICE_NODE;
	return 0;
}

static void ls_fault(struct vtep_desired *d, const json_t *cache, const char *uuid)
{
	const json_t *row = ovsdb_row(cache, "Logical_Switch", uuid);
	json_int_t key = 0;

	if (!row)
		return;
	ovsdb_opt_int(json_object_get(row, "tunnel_key"), &key);
	fault(d, "Logical_Switch", uuid, FAULT_SWITCH, NULL, "unspecified_fault",
	      "logical switch \"%s\": tunnel_key %lld out of range 1..%u",
	      str_col(row, "name") ?: "", (long long)key, KVTEP_VNI_MAX);
}

static int add_remote(struct kvtep_remote **v, unsigned int *n, const struct kvtep_remote *r)
{
	struct kvtep_remote *p = realloc(*v, (*n + 1) * sizeof(*p));

	if (!p)
		return -1;
	*v = p;
	p[(*n)++] = *r;
	return 0;
}

struct port_ent {
	const char *uuid, *name;
	const json_t *row;
};

static int port_ent_cmp(const void *a, const void *b)
{
	const struct port_ent *x = a, *y = b;

	return strcmp(x->name, y->name) ?: strcmp(x->uuid, y->uuid);
}

static void tunnel_ips(struct vtep_desired *d, const json_t *ps)
{
	const json_t *ips = json_object_get(ps, "tunnel_ips");
	int n = ovsdb_set_size(ips), i;

	for (i = 0; i < n; i++) {
		const json_t *e = ovsdb_set_elem(ips, i);
		const char *s = json_is_string(e) ? json_string_value(e) : NULL;
		struct kvtep_ip ip;

		if (!s || kvtep_ip_parse(s, &ip)) {
			fault(d, "Physical_Switch", d->ps_uuid, FAULT_SWITCH, NULL,
			      "unspecified_fault", "tunnel_ips: bad address \"%.60s\"",
			      s ? s : "");
			continue;
		}
		if (d->n_tunnel_ips < sizeof(d->tunnel_ips) / sizeof(d->tunnel_ips[0]))
			d->tunnel_ips[d->n_tunnel_ips++] = s;
		if (ip.family == AF_INET && !d->k.has_local4) {
			d->k.has_local4 = true;
			d->k.local4 = ip;
		} else if (ip.family == AF_INET6 && !d->k.has_local6) {
			d->k.has_local6 = true;
			d->k.local6 = ip;
		} else {
			fault(d, "Physical_Switch", d->ps_uuid, FAULT_SWITCH, NULL,
			      "unspecified_fault",
			      "tunnel_ips: one IPv4 and one IPv6 address supported, ignoring \"%s\"",
			      s);
			continue;
		}
		/* Our locator: the first IPv4 address, else the first one. */
		if (!d->locator_ip[0] || (ip.family == AF_INET && !strchr(d->locator_ip, '.')))
			snprintf(d->locator_ip, sizeof(d->locator_ip), "%s", s);
	}
}

/* Physical_Port rows of the switch, sorted by name; duplicates faulted. */
static struct port_ent *switch_ports(struct vtep_desired *d, const json_t *cache,
				     const json_t *ps, size_t *n)
{
	const json_t *set = json_object_get(ps, "ports");
	int cnt = ovsdb_set_size(set), i;
	struct port_ent *p;
	size_t k = 0, j;

	*n = 0;
	if (cnt <= 0)
		return NULL;
	p = calloc(cnt, sizeof(*p));
	if (!p)
		return NULL;
	for (i = 0; i < cnt; i++) {
		const char *u = ovsdb_uuid_of(ovsdb_set_elem(set, i));
		const json_t *row = u ? ovsdb_row(cache, "Physical_Port", u) : NULL;

		if (!row) {
			fault(d, "Physical_Switch", d->ps_uuid, FAULT_SWITCH, NULL,
			      "unspecified_fault", "ports: dangling reference %s",
			      u ? u : "(bad uuid)");
			continue;
		}
		p[k].uuid = u;
		p[k].name = str_col(row, "name") ?: "";
		p[k].row = row;
		k++;
	}
	qsort(p, k, sizeof(*p), port_ent_cmp);
	for (i = 0, j = 0; i < (int)k; i++) {
		if (j && !strcmp(p[j - 1].name, p[i].name)) {
			fault(d, "Physical_Port", p[i].uuid, FAULT_PORT, p[i].name,
			      "invalid_vlan_map",
			      "port \"%s\" listed twice in the switch (also %s): ignored",
			      p[i].name, p[j - 1].uuid);
			continue;
		}
		p[j++] = p[i];
	}
	*n = j;
	return p;
}

/* Bindings: LS candidates and (port, vlan) -> LS uuid. */
struct bind_ent {
	const struct port_ent *port;
	uint16_t vlan;
	const char *ls_uuid;
	uint32_t ifindex;
};

static int collect_bindings(struct vtep_desired *d, const json_t *cache,
			    const struct port_ent *ports, size_t n_ports,
			    vtep_port_resolver resolve, void *rdata,
			    struct bind_ent **out, size_t *n_out,
			    struct ls_cand **cands, size_t *n_cands)
{
	struct bind_ent *b = NULL;
	struct ls_cand *c = NULL;
	size_t nb = 0, nc = 0, i, j;

	for (i = 0; i < n_ports; i++) {
		const json_t *map = json_object_get(ports[i].row, "vlan_bindings");
		int m = ovsdb_map_size(map), k;
		uint32_t ifindex = 0;

		if (m > 0)
			ifindex = resolve(ports[i].name, rdata);
		for (k = 0; k < m; k++) {
			const json_t *kj, *vj;
			const char *lsu;
			json_int_t vlan;

			if (ovsdb_map_pair(map, k, &kj, &vj) || !json_is_integer(kj))
				continue;
			vlan = json_integer_value(kj);
			lsu = ovsdb_uuid_of(vj);
			if (vlan < 0 || vlan > KVTEP_VLAN_MAX) {
				fault(d, "Physical_Port", ports[i].uuid, FAULT_PORT,
				      ports[i].name, "invalid_vlan_map",
				      "port \"%s\": vlan %lld out of range", ports[i].name,
				      (long long)vlan);
				continue;
			}
			if (!lsu || !ovsdb_row(cache, "Logical_Switch", lsu)) {
				fault(d, "Physical_Port", ports[i].uuid, FAULT_PORT,
				      ports[i].name, "invalid_vlan_map",
				      "port \"%s\" vlan %lld: dangling reference to Logical_Switch %s",
				      ports[i].name, (long long)vlan, lsu ? lsu : "(bad uuid)");
				continue;
			}
			if (!ifindex) {
				fault(d, "Physical_Port", ports[i].uuid, FAULT_PORT,
				      ports[i].name, "invalid_vlan_map",
				      "port \"%s\" vlan %lld: not a port of the device",
				      ports[i].name, (long long)vlan);
				continue;
			}
			if (!(nb & (nb - 1))) {
				struct bind_ent *p = realloc(b, (nb ? 2 * nb : 1) * sizeof(*p));

				if (!p)
					goto nomem;
				b = p;
			}
			b[nb].port = &ports[i];
			b[nb].vlan = vlan;
			b[nb].ls_uuid = lsu;
			b[nb].ifindex = ifindex;
			nb++;
			for (j = 0; j < nc; j++)
				if (!strcmp(c[j].uuid, lsu))
					break;
			if (j == nc) {
				struct ls_cand *p = realloc(c, (nc + 1) * sizeof(*p));

				if (!p)
					goto nomem;
				c = p;
				memset(&c[nc], 0, sizeof(c[nc]));
				c[nc].uuid = lsu;
				c[nc].name = str_col(ovsdb_row(cache, "Logical_Switch", lsu),
						     "name") ?: "";
				nc++;
			}
		}
	}
	*out = b;
	*n_out = nb;
	*cands = c;
	*n_cands = nc;
	return 0;
nomem:
	free(b);
	free(c);
	return -1;
}

/*
 * FDB entries are collected with the row they come from, then sorted by
 * (vni, mac, row order): the first row of a MAC wins, the others are
 * faults. O(n log n) for the 100k-MAC databases the agent must handle.
 */
struct fdb_tmp {
	struct kvtep_fdb_cfg f;		/* remotes owned */
	const char *table, *uuid, *mac;
	size_t order;
};

struct fdb_tmps {
	struct fdb_tmp *v;
	size_t n;
};

static int fdb_tmp_add(struct fdb_tmps *t, const struct kvtep_fdb_cfg *f,
		       const char *table, const char *uuid, const char *mac)
{
	struct fdb_tmp *p = t->v;

	if (!(t->n & (t->n - 1))) {
		p = realloc(t->v, (t->n ? 2 * t->n : 1) * sizeof(*p));
		if (!p)
			return -1;
		t->v = p;
	}
	p = &t->v[t->n];
	p->f = *f;
	p->f.remotes = malloc((f->n_remotes ? f->n_remotes : 1) * sizeof(*f->remotes));
	if (!p->f.remotes)
		return -1;
	memcpy(p->f.remotes, f->remotes, f->n_remotes * sizeof(*f->remotes));
	p->table = table;
	p->uuid = uuid;
	p->mac = mac;
	p->order = t->n++;
	return 0;
}

static int fdb_tmp_cmp(const void *a, const void *b)
{
	const struct fdb_tmp *x = a, *y = b;
	int c;

	if (x->f.vni != y->f.vni)
		return x->f.vni < y->f.vni ? -1 : 1;
	c = memcmp(x->f.mac, y->f.mac, 6);
	if (c)
		return c;
	/* Duplicates: the first row by UUID wins (Ucast and Mcast rows never
	 * share a MAC: one table is unicast, the other multicast). */
	c = strcmp(x->uuid, y->uuid);
	if (c)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* Move the winners into @d->k, fault the losers, free @t. */
static int fdb_tmp_flush(struct vtep_desired *d, struct fdb_tmps *t)
{
	size_t i;
	int ret = 0;

	if (t->n)
		qsort(t->v, t->n, sizeof(*t->v), fdb_tmp_cmp);
	for (i = 0; i < t->n; i++) {
		struct fdb_tmp *e = &t->v[i];

		if (i && e->f.vni == t->v[i - 1].f.vni && !memcmp(e->f.mac, t->v[i - 1].f.mac, 6))
			fault(d, e->table, e->uuid, FAULT_SWITCH, NULL, "unspecified_fault",
			      "MAC %s already programmed for this logical switch by %s %s: ignored",
			      e->mac, t->v[i - 1].table, t->v[i - 1].uuid);
		else if (!ret) {
			/* Add without remotes, then hand ours over (no copy). */
			struct kvtep_fdb_cfg f = e->f;

			f.n_remotes = 0;
			if (kstate_add_fdb(&d->k, &f)) {
				ret = -1;
				continue;
			}
			d->k.fdb[d->k.n_fdb - 1].remotes = e->f.remotes;
			d->k.fdb[d->k.n_fdb - 1].n_remotes = e->f.n_remotes;
			e->f.remotes = NULL;
		}
	}
	for (i = 0; i < t->n; i++)
		free(t->v[i].f.remotes);
	free(t->v);
	t->v = NULL;
	t->n = 0;
	return ret;
}

int vtep_desired_build(const json_t *cache, const char *ps_name,
		       vtep_port_resolver resolve, void *rdata,
		       struct vtep_desired *d)
{
	const json_t *pss = json_object_get(cache, "Physical_Switch"), *ps = NULL;
	struct port_ent *ports = NULL;
	struct bind_ent *binds = NULL;
	struct ls_cand *cands = NULL;
	size_t n_ports = 0, n_binds = 0, n_cands = 0, i, j;
	const char **keys = NULL;
	struct fdb_tmps tmps = { 0 };
	const char *uuid;
	json_t *row;
	int ret = -1;

	memset(d, 0, sizeof(*d));
	json_object_foreach((json_t *)pss, uuid, row) {
		const char *name = str_col(row, "name");

		if (name && !strcmp(name, ps_name) &&
		    (!ps || strcmp(uuid, d->ps_uuid) < 0)) {
			ps = row;
			snprintf(d->ps_uuid, sizeof(d->ps_uuid), "%s", uuid);
		}
	}
	if (!ps)
		return 0;
	d->ps_found = true;
	tunnel_ips(d, ps);

	ports = switch_ports(d, cache, ps, &n_ports);
	if (collect_bindings(d, cache, ports, n_ports, resolve, rdata, &binds,
			     &n_binds, &cands, &n_cands))
		goto out;

	/* Logical switches: valid VNI, one LS per VNI (first by name wins). */
	for (i = 0; i < n_cands; i++) {
		int r = ls_check(d, cache, cands[i].uuid, &cands[i].vni, &cands[i].repl,
				 &cands[i].encap);

		cands[i].ok = r == 0;
		if (r == -1)
			ls_fault(d, cache, cands[i].uuid);
	}
	if (n_cands)
		qsort(cands, n_cands, sizeof(*cands), ls_cand_cmp);
	for (i = 0; i < n_cands; i++) {
		struct kvtep_ls_cfg ls = { .has_repl = true, .has_encap = true };
		struct kvtep_flood_cfg fl = { 0 };

		if (!cands[i].ok)
			continue;
		for (j = 0; j < i; j++)
			if (cands[j].ok && cands[j].vni == cands[i].vni)
				break;
		if (j < i) {
			fault(d, "Logical_Switch", cands[i].uuid, FAULT_SWITCH, NULL,
			      "unspecified_fault",
			      "logical switch \"%s\": tunnel_key %u already used by \"%s\" (%s)",
			      cands[i].name, cands[i].vni, cands[j].name, cands[j].uuid);
			cands[i].ok = false;
			continue;
		}
		ls.vni = cands[i].vni;
		ls.repl = cands[i].repl;
		ls.encap = cands[i].encap;
		fl.vni = ls.vni;
		if (kstate_add_ls(&d->k, &ls) || kstate_add_flood(&d->k, &fl))
			goto out;
		{
			struct vtep_ls_map *p = realloc(d->ls, (d->n_ls + 1) * sizeof(*p));

			if (!p)
				goto out;
			d->ls = p;
			snprintf(p[d->n_ls].uuid, sizeof(p->uuid), "%s", cands[i].uuid);
			p[d->n_ls].vni = ls.vni;
			p[d->n_ls].encap = ls.encap;
			d->n_ls++;
		}
	}
	if (d->n_ls)
		qsort(d->ls, d->n_ls, sizeof(*d->ls), ls_map_cmp);

	/* Bindings of usable logical switches. */
	for (i = 0; i < n_binds; i++) {
		const struct vtep_ls_map *m = ls_lookup(d, binds[i].ls_uuid);
		struct kvtep_bind_cfg kb = { 0 };
		struct vtep_binding *vb;

		if (!m) {
			const json_t *lsr = ovsdb_row(cache, "Logical_Switch", binds[i].ls_uuid);
			json_int_t key;

			/* No tunnel_key yet is not a fault: the NVC will set it. */
			if (ovsdb_opt_int(json_object_get(lsr, "tunnel_key"), &key) != 0)
				fault(d, "Physical_Port", binds[i].port->uuid, FAULT_PORT,
				      binds[i].port->name, "invalid_vlan_map",
				      "port \"%s\" vlan %u: logical switch %s is unusable",
				      binds[i].port->name, binds[i].vlan, binds[i].ls_uuid);
			continue;
		}
		kb.ifindex = binds[i].ifindex;
		kb.vlan = binds[i].vlan;
		kb.vni = m->vni;
		if (kstate_add_bind(&d->k, &kb))
			goto out;
		vb = realloc(d->binds, (d->n_binds + 1) * sizeof(*vb));
		if (!vb)
			goto out;
		d->binds = vb;
		vb = &d->binds[d->n_binds++];
		memset(vb, 0, sizeof(*vb));
		snprintf(vb->port, sizeof(vb->port), "%s", binds[i].port->name);
		snprintf(vb->port_uuid, sizeof(vb->port_uuid), "%s", binds[i].port->uuid);
		vb->vlan = kb.vlan;
		vb->ifindex = kb.ifindex;
		vb->vni = kb.vni;
	}

	/* Ucast_Macs_Remote -> static remote entries. */
	{
		const json_t *t = json_object_get(cache, "Ucast_Macs_Remote");
		/* Most rows share one LS and a few locators: remember the last. */
		const char *last_ls = NULL, *last_loc = NULL;
		const struct vtep_ls_map *last_m = NULL;
		struct kvtep_remote last_rem;
		const char *key;
		json_t *r;

		json_object_foreach((json_t *)t, key, r) {
			const char *lsu = uuid_col(r, "logical_switch");
			const char *locu = uuid_col(r, "locator");
			const struct vtep_ls_map *m;
			struct kvtep_fdb_cfg f = { 0 };
			struct kvtep_remote rem;
			const char *mac = str_col(r, "MAC");
			char err[160];

			if (lsu && last_ls && !strcmp(lsu, last_ls)) {
				m = last_m;
				if (!m)
					continue;
				goto ls_ok;
			}
			if (!lsu || !ovsdb_row(cache, "Logical_Switch", lsu)) {
				fault(d, "Ucast_Macs_Remote", key, FAULT_SWITCH, NULL,
				      "unspecified_fault",
				      "dangling reference to Logical_Switch %s",
				      lsu ? lsu : "(bad uuid)");
				continue;
			}
			m = ls_lookup(d, lsu);
			last_ls = lsu;
			last_m = m;
			if (!m)
				continue;	/* not a switch of ours */
ls_ok:
			if (vtep_parse_mac(mac, f.mac) || (f.mac[0] & 1)) {
				fault(d, "Ucast_Macs_Remote", key, FAULT_SWITCH, NULL,
				      "unspecified_fault", "malformed unicast MAC \"%.40s\"",
				      mac ? mac : "");
				continue;
			}
			if (locu && last_loc && !strcmp(locu, last_loc)) {
				rem = last_rem;
			} else if (vtep_parse_locator(cache, locu, &rem, err, sizeof(err))) {
				fault(d, "Ucast_Macs_Remote", key, FAULT_SWITCH, NULL,
				      "unspecified_fault", "%s", err);
				continue;
			} else {
				last_loc = locu;
				last_rem = rem;
			}
			rem.encap = m->encap;
			rem.has_encap = true;
			f.vni = m->vni;
			f.type = KVTEP_FDB_STATIC_REMOTE;
			f.n_remotes = 1;
			f.remotes = &rem;
			if (fdb_tmp_add(&tmps, &f, "Ucast_Macs_Remote", key, mac))
				goto out;
		}
	}

	/* Mcast_Macs_Remote: unknown-dst -> flood list, others -> mcast entries. */
	{
		const json_t *t = json_object_get(cache, "Mcast_Macs_Remote");
		size_t nk;

		keys = sorted_keys(t, &nk);
		if (!keys && nk)
			goto out;
		for (i = 0; i < nk; i++) {
			const json_t *r = json_object_get(t, keys[i]);
			const char *lsu = uuid_col(r, "logical_switch");
			const char *mac = str_col(r, "MAC");
			const char *setu = uuid_col(r, "locator_set");
			const json_t *set = setu ? ovsdb_row(cache, "Physical_Locator_Set", setu) : NULL;
			const json_t *locs = json_object_get(set, "locators");
			struct kvtep_remote *rv = NULL;
			const struct vtep_ls_map *m;
			unsigned int nr = 0;
			bool flood, bad = false;
			uint8_t ma[6];
			int k, nl;

			if (!lsu || !ovsdb_row(cache, "Logical_Switch", lsu)) {
				fault(d, "Mcast_Macs_Remote", keys[i], FAULT_SWITCH, NULL,
				      "unspecified_fault",
				      "dangling reference to Logical_Switch %s",
				      lsu ? lsu : "(bad uuid)");
				continue;
			}
			m = ls_lookup(d, lsu);
			if (!m)
				continue;
			flood = mac && !strcmp(mac, "unknown-dst");
			if (!flood && (vtep_parse_mac(mac, ma) || !(ma[0] & 1))) {
				fault(d, "Mcast_Macs_Remote", keys[i], FAULT_SWITCH, NULL,
				      "unspecified_fault",
				      "MAC \"%.40s\" is neither unknown-dst nor multicast",
				      mac ? mac : "");
				continue;
			}
			if (!set) {
				fault(d, "Mcast_Macs_Remote", keys[i], FAULT_SWITCH, NULL,
				      "unspecified_fault",
				      "dangling reference to Physical_Locator_Set %s",
				      setu ? setu : "(bad uuid)");
				continue;
			}
			nl = ovsdb_set_size(locs);
			for (k = 0; k < nl && !bad; k++) {
				struct kvtep_remote rem;
				char err[160];

				if (vtep_parse_locator(cache, ovsdb_uuid_of(ovsdb_set_elem(locs, k)),
						       &rem, err, sizeof(err))) {
					fault(d, "Mcast_Macs_Remote", keys[i], FAULT_SWITCH,
					      NULL, "unspecified_fault", "%s", err);
					bad = true;
					continue;
				}
				rem.encap = m->encap;
				rem.has_encap = true;
				if (add_remote(&rv, &nr, &rem)) {
					free(rv);
					goto out;
				}
			}
			if (bad) {
				free(rv);
				continue;
			}
			if (flood) {
				struct kvtep_flood_cfg *fl = NULL;

				for (j = 0; j < d->k.n_flood; j++)
					if (d->k.flood[j].vni == m->vni)
						fl = &d->k.flood[j];
				for (k = 0; fl && k < (int)nr; k++)
					if (add_remote(&fl->remotes, &fl->n_remotes, &rv[k])) {
						free(rv);
						goto out;
					}
			} else {
				struct kvtep_fdb_cfg f = { .vni = m->vni,
					.type = KVTEP_FDB_MCAST_REMOTE,
					.n_remotes = nr, .remotes = rv };

				memcpy(f.mac, ma, 6);
				if (nr && fdb_tmp_add(&tmps, &f, "Mcast_Macs_Remote", keys[i],
						      mac)) {
					free(rv);
					goto out;
				}
			}
			free(rv);
		}
	}
	if (fdb_tmp_flush(d, &tmps))
		goto out;
	kstate_sort(&d->k);
	ret = 0;
out:
	if (tmps.v)
		fdb_tmp_flush(d, &tmps);
	free(keys);
	free(ports);
	free(binds);
	free(cands);
	return ret;
}

/* --- incremental updates ---------------------------------------------- */

static int fdb_key_cmp(const void *a, const void *b)
{
	const struct kvtep_fdb_cfg *x = a, *y = b;

	if (x->vni != y->vni)
		return x->vni < y->vni ? -1 : 1;
	return memcmp(x->mac, y->mac, 6);
}

static struct kvtep_fdb_cfg *fdb_find(const struct kstate *k, const struct kvtep_fdb_cfg *key)
{
	return k->n_fdb ? bsearch(key, k->fdb, k->n_fdb, sizeof(*key), fdb_key_cmp) : NULL;
}

/*
 * One Ucast_Macs_Remote row as the full build sees it: 0 (entry in @f,
 * its remote in @rem), 1 not a switch of ours, -1 a fault.
 */
static int ucast_entry(const json_t *cache, const struct vtep_desired *d, const json_t *r,
		       struct kvtep_fdb_cfg *f, struct kvtep_remote *rem)
{
	const char *lsu = uuid_col(r, "logical_switch");
	const struct vtep_ls_map *m;
	char err[160];

	memset(f, 0, sizeof(*f));
	if (!lsu || !ovsdb_row(cache, "Logical_Switch", lsu))
		return -1;
	m = ls_lookup(d, lsu);
	if (!m)
		return 1;
	if (vtep_parse_mac(str_col(r, "MAC"), f->mac) || (f->mac[0] & 1))
		return -1;
	if (vtep_parse_locator(cache, uuid_col(r, "locator"), rem, err, sizeof(err)))
		return -1;
	f->vni = m->vni;
	f->type = KVTEP_FDB_STATIC_REMOTE;
	f->n_remotes = 1;
	f->remotes = rem;
	return 0;
}

static size_t pow2_at_least(size_t n)
{
	size_t c = 1;

	while (c < n)
		c <<= 1;
	return c;
}

int kstate_fdb_patch(struct kstate *k, const struct kstate *del, const struct kstate *add)
{
	struct kvtep_fdb_cfg *v, *e;
	size_t i, j, n, o, lo, hi;

	if (del->n_fdb + add->n_fdb <= 32) {
		/* A few changes: in place, O(n) memmove each. */
		for (i = 0; i < del->n_fdb; i++) {
			e = fdb_find(k, &del->fdb[i]);
			if (!e)
				continue;
			free(e->remotes);
			memmove(e, e + 1, (k->fdb + k->n_fdb - e - 1) * sizeof(*e));
			k->n_fdb--;
		}
		for (i = 0; i < add->n_fdb; i++) {
			struct kvtep_fdb_cfg x;

			if (kstate_add_fdb(k, &add->fdb[i]))
				return -1;
			x = k->fdb[k->n_fdb - 1];
			lo = 0;
			hi = k->n_fdb - 1;	/* first key above x's in [0, n-1) */
			while (lo < hi) {
				size_t mid = lo + (hi - lo) / 2;

				if (fdb_key_cmp(&k->fdb[mid], &x) > 0)
					hi = mid;
				else
					lo = mid + 1;
			}
			j = lo;
			memmove(&k->fdb[j + 1], &k->fdb[j], (k->n_fdb - 1 - j) * sizeof(x));
			k->fdb[j] = x;
		}
		return 0;
	}
	/* Many: merge into a new array (capacity as kstate_add_fdb keeps it). */
	n = k->n_fdb + add->n_fdb;
	v = malloc(pow2_at_least(n ? n : 1) * sizeof(*v));
	if (!v)
		return -1;
	for (i = 0, j = 0, o = 0; i < k->n_fdb || j < add->n_fdb;) {
		int c = i == k->n_fdb ? 1 : j == add->n_fdb ? -1 :
			fdb_key_cmp(&k->fdb[i], &add->fdb[j]);

		if (c <= 0) {
			e = &k->fdb[i++];
			if (del->n_fdb && bsearch(e, del->fdb, del->n_fdb, sizeof(*e),
						  fdb_key_cmp)) {
				free(e->remotes);
				continue;
			}
			v[o++] = *e;
			if (c == 0)
				j++;	/* cannot happen: the patch refuses duplicates */
		} else {
			v[o] = add->fdb[j++];
			v[o].remotes = malloc((v[o].n_remotes ?: 1) * sizeof(*v[o].remotes));
			if (!v[o].remotes) {
				free(v);
				return -1;	/* k is broken: the caller drops it */
			}
			memcpy(v[o].remotes, add->fdb[j - 1].remotes,
			       v[o].n_remotes * sizeof(*v[o].remotes));
			o++;
		}
	}
	free(k->fdb);
	k->fdb = v;
	k->n_fdb = o;
	/* Keep the capacity invariant of kstate_add_fdb (pow2 >= count). */
	if (o && pow2_at_least(o) < pow2_at_least(n)) {
		v = realloc(k->fdb, pow2_at_least(o) * sizeof(*v));
		if (v)
			k->fdb = v;
	}
	return 0;
}

int vtep_desired_ucast_patch(const json_t *cache, struct vtep_desired *d,
			     const json_t *changed, struct kstate *del, struct kstate *add)
{
	const char *uuid;
	json_t *old;
	size_t i;

	memset(del, 0, sizeof(*del));
	memset(add, 0, sizeof(*add));
	/* A fault may hide a row that must win now: only from a clean state. */
	if (!d->ps_found || d->n_faults)
		return 1;
	json_object_foreach((json_t *)changed, uuid, old) {
		const json_t *now = ovsdb_row(cache, "Ucast_Macs_Remote", uuid);
		struct kvtep_fdb_cfg f, *e;
		struct kvtep_remote rem;
		int r;

		if (json_is_object(old)) {
			r = ucast_entry(cache, d, old, &f, &rem);
			if (r < 0)
				goto full;
			if (r == 0) {
				e = fdb_find(&d->k, &f);
				if (!e || e->type != KVTEP_FDB_STATIC_REMOTE)
					goto full;
				if (kstate_add_fdb(del, e))
					goto nomem;
			}
		}
		if (now) {
			r = ucast_entry(cache, d, now, &f, &rem);
			if (r < 0)
				goto full;
			if (r == 0 && kstate_add_fdb(add, &f))
				goto nomem;
		}
	}
	kstate_sort(del);
	kstate_sort(add);
	for (i = 0; i < add->n_fdb; i++) {
		/* A MAC twice: the full build says which row wins (a fault). */
		if (i && !fdb_key_cmp(&add->fdb[i - 1], &add->fdb[i]))
			goto full;
		if (fdb_find(&d->k, &add->fdb[i]) && !fdb_find(del, &add->fdb[i]))
			goto full;
	}
	for (i = 1; i < del->n_fdb; i++)
		if (!fdb_key_cmp(&del->fdb[i - 1], &del->fdb[i]))
			goto full;
	if (kstate_fdb_patch(&d->k, del, add))
		goto nomem;
	return 0;
full:
	kstate_free(del);
	kstate_free(add);
	return 1;
nomem:
	kstate_free(del);
	kstate_free(add);
	return -1;
}

int vtep_fdb_change_ops(const struct kstate *del, const struct kstate *add, struct kops *ops)
{
	size_t i;

	memset(ops, 0, sizeof(*ops));
	for (i = 0; i < del->n_fdb; i++)
		if (!fdb_find(add, &del->fdb[i]) && kops_add(ops, KOP_FDB_DEL, &del->fdb[i]))
			goto nomem;
	for (i = 0; i < add->n_fdb; i++) {
		const struct kvtep_fdb_cfg *o = fdb_find(del, &add->fdb[i]);

		if ((!o || !fdb_same(o, &add->fdb[i])) &&
		    kops_add(ops, KOP_FDB_ADD, &add->fdb[i]))
			goto nomem;
	}
	return 0;
nomem:
	kops_free(ops);
	return -1;
}

void vtep_desired_free(struct vtep_desired *d)
{
	kstate_free(&d->k);
	free(d->ls);
	free(d->binds);
	free(d->faults);
	memset(d, 0, sizeof(*d));
}

/* --- publishing ---------------------------------------------------------- */

static json_t *where_uuid(const char *uuid)
{
	return json_pack("[[s,s,o]]", "_uuid", "==", ovsdb_uuid_datum(uuid));
}

static void op_update(json_t *ops, const char *table, const char *uuid, json_t *row)
{
	json_array_append_new(ops, json_pack("{s:s,s:s,s:o,s:o}", "op", "update",
					     "table", table, "where", where_uuid(uuid),
					     "row", row));
}

static void op_delete(json_t *ops, const char *table, const char *uuid)
{
	json_array_append_new(ops, json_pack("{s:s,s:s,s:o}", "op", "delete",
					     "table", table, "where", where_uuid(uuid)));
}

static void op_insert(json_t *ops, const char *table, const char *name, json_t *row)
{
	json_array_append_new(ops, json_pack("{s:s,s:s,s:s,s:o}", "op", "insert",
					     "table", table, "uuid-name", name,
					     "row", row));
}

static void op_mutate(json_t *ops, const char *table, const char *uuid,
		      const char *col, const char *mutator, json_t *value)
{
	json_array_append_new(ops, json_pack("{s:s,s:s,s:o,s:[[s,s,o]]}", "op", "mutate",
					     "table", table, "where", where_uuid(uuid),
					     "mutations", col, mutator, value));
}

/* Is the string set datum @cur equal to the sorted unique @want[0..n)? */
static bool strset_equal(const json_t *cur, const char **want, size_t n)
{
	int m = ovsdb_set_size(cur), i;
	size_t j;

	if (m < 0 || (size_t)m != n)
		return false;
	for (i = 0; i < m; i++) {
		const json_t *e = ovsdb_set_elem(cur, i);

		if (!json_is_string(e))
			return false;
		for (j = 0; j < n; j++)
			if (!strcmp(want[j], json_string_value(e)))
				break;
		if (j == n)
			return false;
	}
	return true;
}

static size_t uniq_strs(const char **v, size_t n)
{
	size_t i, j = 0;

	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), pstrcmp);
	for (i = 1; i < n; i++)
		if (strcmp(v[i], v[j]))
			v[++j] = v[i];
	return j + 1;
}

/* The fault statuses of the switch (port == NULL) or of one port. */
static void fault_status(json_t *ops, const struct vtep_desired *d, const char *table,
			 const char *uuid, const json_t *row, const char *col,
			 const char *port)
{
	const char **v = calloc(d->n_faults + 1, sizeof(*v));
	size_t n = 0, i;

	if (!v)
		return;
	for (i = 0; i < d->n_faults; i++) {
		const struct vtep_fault *f = &d->faults[i];

		if (port ? (f->where == FAULT_PORT && !strcmp(f->port, port)) :
			   f->where == FAULT_SWITCH)
			v[n++] = f->status;
	}
	n = uniq_strs(v, n);
	if (!strset_equal(json_object_get(row, col), v, n))
		op_update(ops, table, uuid, json_pack("{s:o}", col,
					ovsdb_string_set(v, n)));
	free(v);
}

/* Is @loc_uuid a locator of ours (dst_ip one of our tunnel IPs)? */
static bool our_locator(const json_t *cache, const struct vtep_desired *d,
			const char *loc_uuid)
{
	const json_t *row = loc_uuid ? ovsdb_row(cache, "Physical_Locator", loc_uuid) : NULL;
	const char *ip = str_col(row, "dst_ip");
	unsigned int i;

	for (i = 0; ip && i < d->n_tunnel_ips; i++)
		if (!strcmp(ip, d->tunnel_ips[i]))
			return true;
	return false;
}

/* Our locator row (uuid), or NULL: insert it as "loc" when first needed. */
static const char *find_locator(const json_t *cache, const struct vtep_desired *d)
{
	const json_t *t = json_object_get(cache, "Physical_Locator");
	const char *uuid, *found = NULL;
	json_t *row;

	json_object_foreach((json_t *)t, uuid, row) {
		const char *ip = str_col(row, "dst_ip");
		const char *enc = str_col(row, "encapsulation_type");
		json_int_t key;

		if (ip && enc && !strcmp(ip, d->locator_ip) &&
		    !strcmp(enc, VTEP_ENCAP_VXLAN4) &&
		    ovsdb_opt_int(json_object_get(row, "tunnel_key"), &key) == 0 &&
		    (!found || strcmp(uuid, found) < 0))
			found = uuid;
	}
	return found;
}

struct loc_ref {
	const char *uuid;	/* existing */
	bool inserted;
};

static json_t *locator_ref(json_t *ops, struct loc_ref *l, const struct vtep_desired *d)
{
	if (l->uuid)
		return ovsdb_uuid_datum(l->uuid);
	if (!l->inserted) {
		op_insert(ops, "Physical_Locator", "loc",
			  json_pack("{s:s,s:s}", "encapsulation_type", VTEP_ENCAP_VXLAN4,
				    "dst_ip", d->locator_ip));
		l->inserted = true;
	}
	return ovsdb_named_uuid("loc");
}

static void publish_ports(json_t *ops, const json_t *cache, const struct vtep_desired *d,
			  const struct vtep_kinfo *ki, const json_t *ps)
{
	const json_t *set = json_object_get(ps, "ports");
	int n = ovsdb_set_size(set), i;
	size_t j;
	char name[32];

	/* Rows for ports that left; fault status of the others. */
	for (i = 0; i < n; i++) {
		const char *u = ovsdb_uuid_of(ovsdb_set_elem(set, i));
		const json_t *row = u ? ovsdb_row(cache, "Physical_Port", u) : NULL;
		const char *pn = str_col(row, "name");

		if (!row || !pn)
			continue;
		for (j = 0; j < ki->n_ports; j++)
			if (!strcmp(ki->ports[j], pn))
				break;
		if (j == ki->n_ports) {
			op_mutate(ops, "Physical_Switch", d->ps_uuid, "ports", "delete",
				  ovsdb_uuid_datum(u));
			continue;
		}
		fault_status(ops, d, "Physical_Port", u, row, "port_fault_status", pn);
	}
	/* Rows for new ports. */
	for (j = 0; j < ki->n_ports; j++) {
		bool have = false;

		for (i = 0; i < n && !have; i++) {
			const char *u = ovsdb_uuid_of(ovsdb_set_elem(set, i));
			const char *pn = str_col(u ? ovsdb_row(cache, "Physical_Port", u) : NULL,
						 "name");

			have = pn && !strcmp(pn, ki->ports[j]);
		}
		if (have)
			continue;
		snprintf(name, sizeof(name), "port%zu", j);
		op_insert(ops, "Physical_Port", name,
			  json_pack("{s:s,s:s}", "name", ki->ports[j], "description",
				    "kvtep port"));
		op_mutate(ops, "Physical_Switch", d->ps_uuid, "ports", "insert",
			  ovsdb_named_uuid(name));
	}
}

static const char *vni_ls_uuid(const struct vtep_desired *d, uint32_t vni)
{
	size_t i;

	for (i = 0; i < d->n_ls; i++)
		if (d->ls[i].vni == vni)
			return d->ls[i].uuid;
	return NULL;
}

static int vtep_mac_cmp(const void *a, const void *b)
{
	const struct vtep_mac *x = *(const struct vtep_mac *const *)a;
	const struct vtep_mac *y = *(const struct vtep_mac *const *)b;

	if (x->vni != y->vni)
		return x->vni < y->vni ? -1 : 1;
	return memcmp(x->mac, y->mac, 6);
}

static void publish_local_macs(json_t *ops, const json_t *cache,
			       const struct vtep_desired *d, const struct vtep_kinfo *ki,
			       struct loc_ref *loc)
{
	const json_t *t = json_object_get(cache, "Ucast_Macs_Local");
	bool *seen = calloc(ki->n_macs + 1, sizeof(*seen));
	/* The kernel's MACs sorted (pointers): each row is one search. */
	const struct vtep_mac **by_key = malloc((ki->n_macs + 1) * sizeof(*by_key));
	const char *uuid;
	json_t *row;
	size_t i;
	char ms[18];

	if (!seen || !by_key) {
		free(seen);
		free(by_key);
		return;
	}
	for (i = 0; i < ki->n_macs; i++)
		by_key[i] = &ki->macs[i];
	if (ki->n_macs)
		qsort(by_key, ki->n_macs, sizeof(*by_key), vtep_mac_cmp);
	json_object_foreach((json_t *)t, uuid, row) {
		const char *lsu = uuid_col(row, "logical_switch");
		const char *mac = str_col(row, "MAC");
		const struct vtep_ls_map *m = ls_lookup(d, lsu);
		struct vtep_mac key, *kp = &key;
		const struct vtep_mac **hit;
		bool keep = false;

		if (!our_locator(cache, d, uuid_col(row, "locator")))
			continue;
		if (m && ki->n_macs && !vtep_parse_mac(mac, key.mac) &&
		    !strcmp(uuid_col(row, "locator") ?: "", loc->uuid ?: "")) {
			key.vni = m->vni;
			hit = bsearch(&kp, by_key, ki->n_macs, sizeof(*by_key), vtep_mac_cmp);
			/* Equal keys are adjacent: take the first one not yet seen. */
			while (hit && hit > by_key && !vtep_mac_cmp(hit - 1, &kp))
				hit--;
			for (; hit && hit < by_key + ki->n_macs && !vtep_mac_cmp(hit, &kp); hit++)
				if (!seen[*hit - ki->macs]) {
					seen[*hit - ki->macs] = keep = true;
					break;
				}
		}
		if (!keep)
			op_delete(ops, "Ucast_Macs_Local", uuid);
	}
	free(by_key);
	for (i = 0; i < ki->n_macs; i++) {
		const char *lsu = vni_ls_uuid(d, ki->macs[i].vni);

		if (seen[i] || !lsu)
			continue;
		mac_str(ki->macs[i].mac, ms);
		op_insert(ops, "Ucast_Macs_Local", "mac",
			  json_pack("{s:s,s:o,s:o}", "MAC", ms, "logical_switch",
				    ovsdb_uuid_datum(lsu), "locator",
				    locator_ref(ops, loc, d)));
		/* uuid-names may repeat across ops only if unused: drop it. */
		json_object_del(json_array_get(ops, json_array_size(ops) - 1), "uuid-name");
	}
	free(seen);
}

static void publish_mcast_local(json_t *ops, const json_t *cache,
				const struct vtep_desired *d, struct loc_ref *loc)
{
	const json_t *t = json_object_get(cache, "Mcast_Macs_Local");
	bool *have = calloc(d->n_ls + 1, sizeof(*have));
	const char *uuid;
	json_t *row;
	size_t i;
	char name[32];

	if (!have)
		return;
	json_object_foreach((json_t *)t, uuid, row) {
		const char *setu = uuid_col(row, "locator_set");
		const json_t *set = setu ? ovsdb_row(cache, "Physical_Locator_Set", setu) : NULL;
		const json_t *locs = json_object_get(set, "locators");
		const struct vtep_ls_map *m = ls_lookup(d, uuid_col(row, "logical_switch"));
		const char *mac = str_col(row, "MAC");
		int n = ovsdb_set_size(locs), k;
		bool ours = false, exact;

		for (k = 0; k < n; k++)
			ours |= our_locator(cache, d, ovsdb_uuid_of(ovsdb_set_elem(locs, k)));
		if (!ours)
			continue;
		exact = m && mac && !strcmp(mac, "unknown-dst") && n == 1 && loc->uuid &&
			!strcmp(ovsdb_uuid_of(ovsdb_set_elem(locs, 0)) ?: "", loc->uuid) &&
			!have[m - d->ls];
		if (exact)
			have[m - d->ls] = true;
		else
			op_delete(ops, "Mcast_Macs_Local", uuid);
	}
	for (i = 0; i < d->n_ls; i++) {
		if (have[i])
			continue;
		snprintf(name, sizeof(name), "set%zu", i);
		op_insert(ops, "Physical_Locator_Set", name,
			  json_pack("{s:o}", "locators", locator_ref(ops, loc, d)));
		op_insert(ops, "Mcast_Macs_Local", "mm",
			  json_pack("{s:s,s:o,s:o}", "MAC", "unknown-dst",
				    "logical_switch", ovsdb_uuid_datum(d->ls[i].uuid),
				    "locator_set", ovsdb_named_uuid(name)));
		json_object_del(json_array_get(ops, json_array_size(ops) - 1), "uuid-name");
	}
	free(have);
}

static const struct vtep_stats *stats_of(const struct vtep_kinfo *ki,
					 const struct vtep_binding *b)
{
	size_t i;

	for (i = 0; i < ki->n_stats; i++)
		if (ki->stats[i].ifindex == b->ifindex && ki->stats[i].vlan == b->vlan)
			return &ki->stats[i];
	return NULL;
}

static json_t *stats_row(const struct vtep_stats *s)
{
	struct vtep_stats zero = { 0 };

	if (!s)
		s = &zero;
	return json_pack("{s:I,s:I,s:I,s:I}",
			 "packets_from_local", (json_int_t)s->packets_from_local,
			 "bytes_from_local", (json_int_t)s->bytes_from_local,
			 "packets_to_local", (json_int_t)s->packets_to_local,
			 "bytes_to_local", (json_int_t)s->bytes_to_local);
}

/* Physical_Port vlan_stats: one Logical_Binding_Stats row per binding. */
static bool port_of_switch(const json_t *ps, const char *uuid)
{
	const json_t *set = json_object_get(ps, "ports");
	int n = ovsdb_set_size(set), i;

	for (i = 0; i < n; i++)
		if (!strcmp(ovsdb_uuid_of(ovsdb_set_elem(set, i)) ?: "", uuid))
			return true;
	return false;
}

static void publish_stats(json_t *ops, const json_t *cache, const struct vtep_desired *d,
			  const struct vtep_kinfo *ki, const json_t *ps)
{
	const json_t *ports = json_object_get(cache, "Physical_Port");
	const char *puuid;
	json_t *prow;
	size_t i;
	char name[32];

	/* Entries for bindings that are gone. */
	json_object_foreach((json_t *)ports, puuid, prow) {
		const json_t *map = json_object_get(prow, "vlan_stats");
		int n = ovsdb_map_size(map), k;
		json_t *dels;

		if (n <= 0 || !port_of_switch(ps, puuid))
			continue;
		dels = json_array();
		for (k = 0; k < n; k++) {
			const json_t *kj, *vj;
			bool bound = false;

			if (ovsdb_map_pair(map, k, &kj, &vj) || !json_is_integer(kj))
				continue;
			for (i = 0; i < d->n_binds && !bound; i++)
				bound = !strcmp(d->binds[i].port_uuid, puuid) &&
					d->binds[i].vlan == json_integer_value(kj);
			if (!bound)
				json_array_append(dels, (json_t *)kj);
		}
		if (json_array_size(dels))
			op_mutate(ops, "Physical_Port", puuid, "vlan_stats", "delete",
				  json_pack("[s,o]", "set", dels));
		else
			json_decref(dels);
	}
	for (i = 0; i < d->n_binds; i++) {
		const struct vtep_binding *b = &d->binds[i];
		const json_t *map = json_object_get(ovsdb_row(cache, "Physical_Port",
							      b->port_uuid), "vlan_stats");
		const char *su = NULL;
		const struct vtep_stats *s = stats_of(ki, b);
		int n = ovsdb_map_size(map), k;

		for (k = 0; k < n; k++) {
			const json_t *kj, *vj;

			if (!ovsdb_map_pair(map, k, &kj, &vj) && json_is_integer(kj) &&
			    json_integer_value(kj) == b->vlan)
				su = ovsdb_uuid_of(vj);
		}
		if (su) {
			const json_t *srow = ovsdb_row(cache, "Logical_Binding_Stats", su);
			json_t *want = stats_row(s);

			if (ki->with_stats && s && !json_equal(srow, want))
				op_update(ops, "Logical_Binding_Stats", su, want);
			else
				json_decref(want);
			continue;
		}
		snprintf(name, sizeof(name), "stats%zu", i);
		op_insert(ops, "Logical_Binding_Stats", name, stats_row(s));
		op_mutate(ops, "Physical_Port", b->port_uuid, "vlan_stats", "insert",
			  json_pack("[s,[[i,o]]]", "map", b->vlan, ovsdb_named_uuid(name)));
	}
}

json_t *vtep_publish_ops(const json_t *cache, const struct vtep_desired *d,
			 const struct vtep_kinfo *ki, const char *description)
{
	const json_t *ps;
	struct loc_ref loc = { 0 };
	json_t *ops;

	if (!d->ps_found)
		return NULL;
	ps = ovsdb_row(cache, "Physical_Switch", d->ps_uuid);
	if (!ps)
		return NULL;
	ops = json_array();
	json_array_append_new(ops, json_string(VTEP_DB));

	if (description && strcmp(str_col(ps, "description") ?: "", description))
		op_update(ops, "Physical_Switch", d->ps_uuid,
			  json_pack("{s:s}", "description", description));
	fault_status(ops, d, "Physical_Switch", d->ps_uuid, ps, "switch_fault_status",
		     NULL);
	publish_ports(ops, cache, d, ki, ps);
	if (d->locator_ip[0]) {
		loc.uuid = find_locator(cache, d);
		publish_local_macs(ops, cache, d, ki, &loc);
		publish_mcast_local(ops, cache, d, &loc);
	}
	publish_stats(ops, cache, d, ki, ps);

	if (json_array_size(ops) == 1) {
		json_decref(ops);
		return NULL;
	}
	return ops;
}
