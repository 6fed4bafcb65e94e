// SPDX-License-Identifier: GPL-2.0-only
/*
 * The agent's kernel side: the owned state as sorted arrays (struct
 * kstate), the exact diff between desired and actual state, and (in
 * reconcile_nl.c) dumping and applying it over netlink. Nothing here
 * does I/O, so the tests drive it with hand-made states.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "vtep.h"


static void *grow(void *p, size_t n, size_t size)
{
	/* Capacity doubles at powers of two: n is the current count. */
	if (n && (n & (n - 1)))
		return p;
	return realloc(p, (n ? 2 * n : 1) * size);
}

static int remotes_dup(struct kvtep_remote **dst, const struct kvtep_remote *src,
		       unsigned int n)
{
	*dst = NULL;
	if (!n)
		return 0;
	*dst = malloc(n * sizeof(*src));
	if (!*dst)
		return -1;
	memcpy(*dst, src, n * sizeof(*src));
	return 0;
}

int kstate_add_ls(struct kstate *k, const struct kvtep_ls_cfg *x)
{
	struct kvtep_ls_cfg *p = grow(k->ls, k->n_ls, sizeof(*p));

	if (!p)
		return -1;
	k->ls = p;
	k->ls[k->n_ls++] = *x;
	return 0;
}

int kstate_add_bind(struct kstate *k, const struct kvtep_bind_cfg *x)
{
	struct kvtep_bind_cfg *p = grow(k->bind, k->n_bind, sizeof(*p));

	if (!p)
		return -1;
	k->bind = p;
	k->bind[k->n_bind++] = *x;
	return 0;
}

int kstate_add_fdb(struct kstate *k, const struct kvtep_fdb_cfg *x)
{
	struct kvtep_fdb_cfg *p = grow(k->fdb, k->n_fdb, sizeof(*p));

	if (!p)
		return -1;
	k->fdb = p;
	p = &k->fdb[k->n_fdb];
	*p = *x;
	if (remotes_dup(&p->remotes, x->remotes, x->n_remotes))
		return -1;
	k->n_fdb++;
	return 0;
}

int kstate_add_flood(struct kstate *k, const struct kvtep_flood_cfg *x)
{
	struct kvtep_flood_cfg *p = grow(k->flood, k->n_flood, sizeof(*p));

	if (!p)
		return -1;
	k->flood = p;
	p = &k->flood[k->n_flood];
	*p = *x;
	if (remotes_dup(&p->remotes, x->remotes, x->n_remotes))
		return -1;
	k->n_flood++;
	return 0;
}

void kstate_free(struct kstate *k)
{
	size_t i;

	for (i = 0; i < k->n_fdb; i++)
		free(k->fdb[i].remotes);
	for (i = 0; i < k->n_flood; i++)
		free(k->flood[i].remotes);
	free(k->ls);
	free(k->bind);
	free(k->fdb);
	free(k->flood);
	memset(k, 0, sizeof(*k));
}

/* --- ordering ------------------------------------------------------------ */

static int u32cmp(uint32_t a, uint32_t b)
{
	return a < b ? -1 : a > b;
}

static int ls_cmp(const void *a, const void *b)
{
	return u32cmp(((const struct kvtep_ls_cfg *)a)->vni,
		      ((const struct kvtep_ls_cfg *)b)->vni);
}

static int bind_cmp(const void *a, const void *b)
{
	const struct kvtep_bind_cfg *x = a, *y = b;

	return x->ifindex != y->ifindex ? u32cmp(x->ifindex, y->ifindex) :
					  u32cmp(x->vlan, y->vlan);
}

static int fdb_cmp(const void *a, const void *b)
{
	const struct kvtep_fdb_cfg *x = a, *y = b;

	return x->vni != y->vni ? u32cmp(x->vni, y->vni) : memcmp(x->mac, y->mac, 6);
}

static int flood_cmp(const void *a, const void *b)
{
	return u32cmp(((const struct kvtep_flood_cfg *)a)->vni,
		      ((const struct kvtep_flood_cfg *)b)->vni);
}

static int remote_qcmp(const void *a, const void *b)
{
	return kvtep_remote_cmp(a, b);
}

/* Sort a remote set and drop duplicate (address, encap) pairs. */
static unsigned int remotes_norm(struct kvtep_remote *r, unsigned int n)
{
	unsigned int i, j = 0;

	if (!n)
		return 0;
	qsort(r, n, sizeof(*r), remote_qcmp);
	for (i = 1; i < n; i++)
		if (kvtep_ip_cmp(&r[i].ip, &r[j].ip) || r[i].encap != r[j].encap)
			r[++j] = r[i];
	return j + 1;
}

void kstate_sort(struct kstate *k)
{
	size_t i;

	for (i = 0; i < k->n_fdb; i++)
		k->fdb[i].n_remotes = remotes_norm(k->fdb[i].remotes, k->fdb[i].n_remotes);
	for (i = 0; i < k->n_flood; i++)
		k->flood[i].n_remotes = remotes_norm(k->flood[i].remotes,
						     k->flood[i].n_remotes);
	if (k->n_ls)
		qsort(k->ls, k->n_ls, sizeof(*k->ls), ls_cmp);
	if (k->n_bind)
		qsort(k->bind, k->n_bind, sizeof(*k->bind), bind_cmp);
	if (k->n_fdb)
		qsort(k->fdb, k->n_fdb, sizeof(*k->fdb), fdb_cmp);
	if (k->n_flood)
		qsort(k->flood, k->n_flood, sizeof(*k->flood), flood_cmp);
}

/* --- diff ---------------------------------------------------------------- */

const char *kop_name(enum kop_kind k)
{
	static const char *const names[] = {
		[KOP_DEV_LOCAL] = "dev-local", [KOP_LS_ADD] = "ls-add",
		[KOP_LS_SET] = "ls-set", [KOP_BIND_DEL] = "bind-del",
		[KOP_FDB_DEL] = "fdb-del", [KOP_BIND_ADD] = "bind-add",
		[KOP_FDB_ADD] = "fdb-add", [KOP_FLOOD_SET] = "flood-set",
		[KOP_LS_DEL] = "ls-del",
	};

	return k <= KOP_LS_DEL ? names[k] : "?";
}

int kops_add(struct kops *ops, enum kop_kind kind, const void *obj)
{
	if (ops->n == ops->cap) {
		size_t cap = ops->cap ? 2 * ops->cap : 16;
		struct kop *v = realloc(ops->v, cap * sizeof(*v));

		if (!v)
			return -1;
		ops->v = v;
		ops->cap = cap;
	}
	ops->v[ops->n].kind = kind;
	ops->v[ops->n].obj = obj;
	ops->n++;
	return 0;
}

void kops_free(struct kops *ops)
{
	free(ops->v);
	memset(ops, 0, sizeof(*ops));
}

/*
 * Same addresses and encapsulations (ports are the device's default on
 * both sides; an encap the kernel did not report is vxlan).
 */
static bool remotes_same(const struct kvtep_remote *a, unsigned int na,
			 const struct kvtep_remote *b, unsigned int nb)
{
	unsigned int i;

	if (na != nb)
		return false;
	for (i = 0; i < na; i++)
		if (kvtep_ip_cmp(&a[i].ip, &b[i].ip) || a[i].encap != b[i].encap)
			return false;
	return true;
}

bool fdb_same(const struct kvtep_fdb_cfg *a, const struct kvtep_fdb_cfg *b)
{
	return a->type == b->type &&
	       remotes_same(a->remotes, a->n_remotes, b->remotes, b->n_remotes);
}

static bool vni_in(const struct kstate *k, uint32_t vni)
{
	struct kvtep_ls_cfg key = { .vni = vni };

	return k->n_ls && bsearch(&key, k->ls, k->n_ls, sizeof(key), ls_cmp);
}

/*
 * Merge-walk two sorted arrays of @size-byte elements: each pair is
 * (d, NULL) only desired, (NULL, a) only actual, or (d, a) both.
 */
struct pair {
	const void *d, *a;
};

static int merge(const void *dv, size_t dn, const void *av, size_t an, size_t size,
		 int (*cmp)(const void *, const void *), struct pair **out, size_t *n)
{
	const char *dp = dv, *ap = av;
	size_t i = 0, j = 0, k = 0;
	struct pair *p = malloc((dn + an + 1) * sizeof(*p));

	if (!p)
		return -1;
	while (i < dn || j < an) {
		int c = i == dn ? 1 : j == an ? -1 : cmp(dp + i * size, ap + j * size);

		p[k].d = c <= 0 ? dp + i++ * size : NULL;
		p[k].a = c >= 0 ? ap + j++ * size : NULL;
		k++;
	}
	*out = p;
	*n = k;
	return 0;
}

int kstate_diff(const struct kstate *d, const struct kstate *a, struct kops *ops)
{
	struct pair *ls = NULL, *bd = NULL, *fd = NULL;
	size_t n_ls, n_bd, n_fd, i;
	int err = 0;

	memset(ops, 0, sizeof(*ops));
	if (merge(d->ls, d->n_ls, a->ls, a->n_ls, sizeof(*d->ls), ls_cmp, &ls, &n_ls) ||
	    merge(d->bind, d->n_bind, a->bind, a->n_bind, sizeof(*d->bind), bind_cmp,
		  &bd, &n_bd) ||
	    merge(d->fdb, d->n_fdb, a->fdb, a->n_fdb, sizeof(*d->fdb), fdb_cmp,
		  &fd, &n_fd)) {
		free(ls);
		free(bd);
		return -1;
	}

	if ((d->has_local4 && (!a->has_local4 || kvtep_ip_cmp(&d->local4, &a->local4))) ||
	    (d->has_local6 && (!a->has_local6 || kvtep_ip_cmp(&d->local6, &a->local6))))
		err |= kops_add(ops, KOP_DEV_LOCAL, d);

	/* LS adds and changes first: bindings and entries need them. */
	for (i = 0; i < n_ls; i++) {
		const struct kvtep_ls_cfg *dl = ls[i].d, *al = ls[i].a;

		if (dl && !al)
			err |= kops_add(ops, KOP_LS_ADD, dl);
		else if (dl && ((dl->has_repl && (!al->has_repl || al->repl != dl->repl)) ||
				(dl->has_encap && (!al->has_encap || al->encap != dl->encap))))
			err |= kops_add(ops, KOP_LS_SET, dl);
	}
	/* Binding deletes (a changed VNI is a delete and an add). */
	for (i = 0; i < n_bd; i++) {
		const struct kvtep_bind_cfg *db = bd[i].d, *ab = bd[i].a;

		if (ab && (!db || db->vni != ab->vni))
			err |= kops_add(ops, KOP_BIND_DEL, ab);
	}
	/*
	 * FDB deletes; entries of an LS that goes away go with it. A static
	 * entry that becomes a multicast one (or back) is deleted first.
	 */
	for (i = 0; i < n_fd; i++) {
		const struct kvtep_fdb_cfg *df = fd[i].d, *af = fd[i].a;

		if (af && ((!df && vni_in(d, af->vni)) || (df && df->type != af->type)))
			err |= kops_add(ops, KOP_FDB_DEL, af);
	}
	for (i = 0; i < n_bd; i++) {
		const struct kvtep_bind_cfg *db = bd[i].d, *ab = bd[i].a;

		if (db && (!ab || db->vni != ab->vni))
			err |= kops_add(ops, KOP_BIND_ADD, db);
	}
	for (i = 0; i < n_fd; i++) {
		const struct kvtep_fdb_cfg *df = fd[i].d, *af = fd[i].a;

		if (df && (!af || !fdb_same(df, af)))
			err |= kops_add(ops, KOP_FDB_ADD, df);
	}
	/* Flood lists: every desired LS has one (maybe empty). */
	for (i = 0; i < d->n_flood; i++) {
		const struct kvtep_flood_cfg *df = &d->flood[i], *af = NULL;
		struct kvtep_flood_cfg key = { .vni = df->vni };

		if (a->n_flood)
			af = bsearch(&key, a->flood, a->n_flood, sizeof(key), flood_cmp);
		if (af ? !remotes_same(df->remotes, df->n_remotes, af->remotes,
				       af->n_remotes) : df->n_remotes > 0)
			err |= kops_add(ops, KOP_FLOOD_SET, df);
	}
	for (i = 0; i < n_ls; i++)
		if (!ls[i].d)
			err |= kops_add(ops, KOP_LS_DEL, ls[i].a);
	free(ls);
	free(bd);
	free(fd);
	return err ? -1 : 0;
}

int kstate_copy(struct kstate *dst, const struct kstate *src)
{
	size_t i;

	memset(dst, 0, sizeof(*dst));
	dst->has_local4 = src->has_local4;
	dst->has_local6 = src->has_local6;
	dst->local4 = src->local4;
	dst->local6 = src->local6;
	for (i = 0; i < src->n_ls; i++)
		if (kstate_add_ls(dst, &src->ls[i]))
			goto fail;
	for (i = 0; i < src->n_bind; i++)
		if (kstate_add_bind(dst, &src->bind[i]))
			goto fail;
	for (i = 0; i < src->n_fdb; i++)
		if (kstate_add_fdb(dst, &src->fdb[i]))
			goto fail;
	for (i = 0; i < src->n_flood; i++)
		if (kstate_add_flood(dst, &src->flood[i]))
			goto fail;
	return 0;
fail:
	kstate_free(dst);
	return -1;
}
