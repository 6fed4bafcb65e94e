// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host timing of the agent's pure parts at scale (no kernel, no VM):
 * a hardware_vtep cache with N Ucast_Macs_Remote rows and M published
 * local MACs, then the steps one update costs the agent:
 *
 *	kvtep_ovsdb_perf [N [M]]	(default 100000 10000)
 *
 * Prints one line per step with its CPU time in ms (the best of 5 runs
 * for the repeatable steps: the host may be shared). Built by
 * `make -C ctl perf` (-O2, no sanitizers): build/host/kvtep_ovsdb_perf.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vtep.h"

#define U_PS	"00000000-0000-4000-8000-0000000000a1"
#define U_PORT	"00000000-0000-4000-8000-0000000000a2"
#define U_LS	"00000000-0000-4000-8000-0000000000a3"
#define U_LOC	"00000000-0000-4000-8000-0000000000a4"
#define U_OWN	"00000000-0000-4000-8000-0000000000a5"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static uint32_t resolver(const char *name, void *data)
{
	(void)data;
	return !strcmp(name, "p0") ? 7 : 0;
}

static void uuid(char *b, unsigned int kind, unsigned int i)
{
	snprintf(b, OVSDB_UUID_LEN + 1, "%08x-%04x-4000-8000-%012x", i * 2654435761u,
		 kind, i);
}

static json_t *row_update(json_t *new)
{
	return json_pack("{s:o}", "new", new);
}

static json_t *remote_rows(unsigned int from, unsigned int n)
{
	json_t *t = json_object();
	char u[OVSDB_UUID_LEN + 1], mac[18];
	unsigned int i;

	for (i = from; i < from + n; i++) {
		uuid(u, 1, i);
		snprintf(mac, sizeof(mac), "02:c0:00:%02x:%02x:%02x", (i >> 16) & 255,
			 (i >> 8) & 255, i & 255);
		json_object_set_new(t, u, row_update(json_pack("{s:s,s:[s,s],s:[s,s],s:[s,[]]}",
			"MAC", mac, "logical_switch", "uuid", U_LS, "locator", "uuid", U_LOC,
			"ipaddr", "set")));
	}
	return t;
}

int main(int argc, char **argv)
{
	unsigned int n = argc > 1 ? atoi(argv[1]) : 100000;
	unsigned int m = argc > 2 ? atoi(argv[2]) : 10000;
	json_t *cache = json_object(), *upd, *local = json_object(), *ops;
	struct vtep_desired d, d2;
	struct vtep_kinfo ki = { 0 };
	struct kstate copy;
	struct kops kops;
	char err[160], u[OVSDB_UUID_LEN + 1], mac[18];
	unsigned int i;
	double t, best;

	upd = json_pack("{s:{s:o},s:{s:o},s:{s:o},s:{s:o,s:o}}",
		"Physical_Switch", U_PS, row_update(json_pack("{s:s,s:s,s:[s,s]}",
			"name", "br0", "tunnel_ips", "10.0.0.1", "ports", "uuid", U_PORT)),
		"Physical_Port", U_PORT, row_update(json_pack("{s:s,s:[s,[[i,[s,s]]]]}",
			"name", "p0", "vlan_bindings", "map", 0, "uuid", U_LS)),
		"Logical_Switch", U_LS, row_update(json_pack("{s:s,s:i}", "name", "ls0",
			"tunnel_key", 33)),
		"Physical_Locator", U_LOC, row_update(json_pack("{s:s,s:s,s:[s,[]]}",
			"encapsulation_type", "vxlan_over_ipv4", "dst_ip", "10.0.0.2",
			"tunnel_key", "set")),
		U_OWN, row_update(json_pack("{s:s,s:s,s:[s,[]]}",
			"encapsulation_type", "vxlan_over_ipv4", "dst_ip", "10.0.0.1",
			"tunnel_key", "set")));
	json_object_set_new(upd, "Ucast_Macs_Remote", remote_rows(0, n));
	ki.macs = calloc(m + 1, sizeof(*ki.macs));
	ki.n_macs = m;
	for (i = 0; i < m; i++) {
		uuid(u, 2, i);
		snprintf(mac, sizeof(mac), "02:1c:00:%02x:%02x:%02x", (i >> 16) & 255,
			 (i >> 8) & 255, i & 255);
		ki.macs[i].vni = 33;
		memcpy(ki.macs[i].mac, (uint8_t []){ 2, 0x1c, 0, (i >> 16) & 255,
			(i >> 8) & 255, i & 255 }, 6);
		json_object_set_new(local, u, row_update(json_pack("{s:s,s:[s,s],s:[s,s]}",
			"MAC", mac, "logical_switch", "uuid", U_LS, "locator", "uuid", U_OWN)));
	}
	json_object_set_new(upd, "Ucast_Macs_Local", local);

	t = now_ms();
	if (ovsdb_cache_apply(cache, upd, err, sizeof(err)))
		return fprintf(stderr, "apply: %s\n", err), 1;
	printf("cache_apply (initial, %u remote + %u local rows)  %8.1f ms\n", n, m, now_ms() - t);
	json_decref(upd);

	/* The host is shared: the best of 5 runs. */
	best = 1e9;
	for (i = 0; i < 5; i++) {
		if (i)
			vtep_desired_free(&d);
		t = now_ms();
		if (vtep_desired_build(cache, "br0", resolver, NULL, &d))
			return 1;
		t = now_ms() - t;
		best = t < best ? t : best;
	}
	printf("desired_build (%zu FDB entries, %zu faults)      %8.1f ms\n", d.k.n_fdb,
	       d.n_faults, best);
	t = now_ms();
	if (kstate_copy(&copy, &d.k))
		return 1;
	printf("kstate_copy                                       %8.1f ms\n", now_ms() - t);
	t = now_ms();
	if (kstate_diff(&d.k, &copy, &kops))
		return 1;
	printf("kstate_diff (no change: %zu ops)                    %8.1f ms\n", kops.n,
	       now_ms() - t);
	kops_free(&kops);
	best = 1e9;
	for (i = 0; i < 5; i++) {
		t = now_ms();
		ops = vtep_publish_ops(cache, &d, &ki, "kvtep");
		t = now_ms() - t;
		best = t < best ? t : best;
		if (i < 4)
			json_decref(ops);
	}
	printf("publish_ops (%u local MACs published: %zu ops)     %8.1f ms\n", m,
	       ops ? json_array_size(ops) - 1 : 0, best);
	json_decref(ops);

	/* One more row: what a single change costs. */
	upd = json_object();
	json_object_set_new(upd, "Ucast_Macs_Remote", remote_rows(n, 1));
	t = now_ms();
	if (ovsdb_cache_apply(cache, upd, err, sizeof(err)))
		return 1;
	if (vtep_desired_build(cache, "br0", resolver, NULL, &d2))
		return 1;
	if (kstate_diff(&d2.k, &copy, &kops))
		return 1;
	printf("single change, full: apply+build+diff (%zu ops)     %8.1f ms\n", kops.n,
	       now_ms() - t);
	kops_free(&kops);
	json_decref(upd);

	/* The agent's incremental path for one more row (d is the state before). */
	{
		json_t *changed = json_object();
		struct kstate del, add;
		int r;

		upd = json_object();
		json_object_set_new(upd, "Ucast_Macs_Remote", remote_rows(n + 1, 1));
		uuid(u, 1, n + 1);
		json_object_set_new(changed, u, json_null());
		t = now_ms();
		if (ovsdb_cache_apply(cache, upd, err, sizeof(err)))
			return 1;
		uuid(u, 1, n);
		json_object_set_new(changed, u, json_null());
		r = vtep_desired_ucast_patch(cache, &d, changed, &del, &add);
		if (r || vtep_fdb_change_ops(&del, &add, &kops))
			return fprintf(stderr, "patch: %d\n", r), 1;
		if (kstate_fdb_patch(&copy, &del, &add))
			return 1;
		printf("incremental: apply+patch, last 2 rows (%zu ops)     %8.3f ms\n",
		       kops.n, now_ms() - t);
		vtep_desired_free(&d2);
		if (vtep_desired_build(cache, "br0", resolver, NULL, &d2))
			return 1;
		r = d.k.n_fdb == d2.k.n_fdb && copy.n_fdb == d2.k.n_fdb;
		for (i = 0; r && i < d2.k.n_fdb; i++)
			r = !memcmp(d.k.fdb[i].mac, d2.k.fdb[i].mac, 6) &&
			    !memcmp(copy.fdb[i].mac, d2.k.fdb[i].mac, 6) &&
			    !kvtep_ip_cmp(&d.k.fdb[i].remotes[0].ip, &d2.k.fdb[i].remotes[0].ip);
		printf("  patched state == full build: %s\n", r ? "yes" : "NO");
		if (!r)
			return 1;
		kops_free(&kops);
		kstate_free(&del);
		kstate_free(&add);
		json_decref(changed);
		json_decref(upd);
	}

	vtep_desired_free(&d);
	vtep_desired_free(&d2);
	kstate_free(&copy);
	free(ki.macs);
	json_decref(cache);
	return 0;
}
