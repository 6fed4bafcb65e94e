// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host unit tests of kvtepctl ovsdb (no VM, no sockets): JSON-RPC framing,
 * monitor update handling, row validation, desired vs actual diff, and
 * what the agent publishes. Built with ASan/UBSan by
 * selftests/host/kvtep_ovsdb_unit.sh.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "kvtep_harness.h"
#include <sanitizer/lsan_interface.h>
#include "jsonrpc.h"
#include "ovsdb.h"
#include "vtep.h"

/*
 * The harness runs each test in a child that leaves with _exit(), where
 * LeakSanitizer does not look: each test asks for a leak check itself.
 */
#define NO_LEAKS() EXPECT_EQ(0, __lsan_do_recoverable_leak_check())

/* --- framing ------------------------------------------------------------- */

static const char two_msgs[] =
	"{\"id\":1,\"result\":{\"a\":\"}{\\\"\"},\"error\":null}\n"
	"  {\"method\":\"echo\",\"params\":[[1,{}]],\"id\":\"e\"}";

TEST(frame_merged)
{
	struct jrpc_framer f;
	json_t *m;
	char err[128];

	jrpc_framer_init(&f);
	ASSERT_EQ(0, jrpc_framer_feed(&f, two_msgs, strlen(two_msgs)));
	ASSERT_EQ(1, jrpc_framer_next(&f, &m, err, sizeof(err)));
	EXPECT_EQ(JRPC_REPLY, jrpc_classify(m, NULL));
	EXPECT_STREQ("}{\"", json_string_value(json_object_get(
			json_object_get(m, "result"), "a")));
	json_decref(m);
	ASSERT_EQ(1, jrpc_framer_next(&f, &m, err, sizeof(err)));
	EXPECT_EQ(JRPC_REQUEST, jrpc_classify(m, NULL));
	json_decref(m);
	EXPECT_EQ(0, jrpc_framer_next(&f, &m, err, sizeof(err)));
	EXPECT_EQ(NULL, m);
	jrpc_framer_free(&f);
	NO_LEAKS();
}

TEST(frame_split_bytewise)
{
	struct jrpc_framer f;
	size_t i;
	int got = 0;
	json_t *m;

	jrpc_framer_init(&f);
	for (i = 0; i < strlen(two_msgs); i++) {
		ASSERT_EQ(0, jrpc_framer_feed(&f, &two_msgs[i], 1));
		while (jrpc_framer_next(&f, &m, NULL, 0) == 1) {
			got++;
			json_decref(m);
		}
	}
	EXPECT_EQ(2, got);
	jrpc_framer_free(&f);
	NO_LEAKS();
}

TEST(frame_errors)
{
	struct jrpc_framer f;
	json_t *m;
	size_t len;
	char err[128] = "";

	EXPECT_EQ(-1, jrpc_frame_scan("[1,2]", 5, &len));
	EXPECT_EQ(-1, jrpc_frame_scan("x{}", 3, &len));
	EXPECT_EQ(0, jrpc_frame_scan("  {\"a\":[", 8, &len));
	EXPECT_EQ(0, jrpc_frame_scan("", 0, &len));
	ASSERT_EQ(1, jrpc_frame_scan(" {}{}", 5, &len));
	EXPECT_EQ(3, len);

	jrpc_framer_init(&f);
	/* Balanced but not JSON. */
	ASSERT_EQ(0, jrpc_framer_feed(&f, "{abc}", 5));
	EXPECT_EQ(-1, jrpc_framer_next(&f, &m, err, sizeof(err)));
	EXPECT_NE(0, err[0]);
	jrpc_framer_free(&f);
	NO_LEAKS();
}

TEST(classify)
{
	json_t *m;
	const char *meth;

	m = json_loads("{\"method\":\"update\",\"params\":[null,{}],\"id\":null}", 0, NULL);
	EXPECT_EQ(JRPC_NOTIFY, jrpc_classify(m, &meth));
	EXPECT_STREQ("update", meth);
	json_decref(m);
	m = json_loads("{\"result\":null,\"error\":{\"x\":1},\"id\":3}", 0, NULL);
	EXPECT_EQ(JRPC_ERROR, jrpc_classify(m, NULL));
	json_decref(m);
	m = json_loads("{\"method\":3,\"params\":[],\"id\":1}", 0, NULL);
	EXPECT_EQ(JRPC_INVALID, jrpc_classify(m, NULL));
	json_decref(m);
	m = json_loads("{\"method\":\"x\",\"params\":[]}", 0, NULL);
	EXPECT_EQ(JRPC_INVALID, jrpc_classify(m, NULL));
	json_decref(m);
	NO_LEAKS();
}

TEST(remotes)
{
	EXPECT_EQ(0, jrpc_remote_check("unix:/run/db.sock"));
	EXPECT_EQ(0, jrpc_remote_check("tcp:127.0.0.1:6640"));
	EXPECT_EQ(0, jrpc_remote_check("tcp:[::1]:6640"));
	EXPECT_EQ(-1, jrpc_remote_check("tcp:127.0.0.1"));
	EXPECT_EQ(-1, jrpc_remote_check("tcp:1.2.3.4:70000"));
	EXPECT_EQ(-1, jrpc_remote_check("ssl:1.2.3.4:6640"));
	EXPECT_EQ(-1, jrpc_remote_check("unix:"));
	NO_LEAKS();
}

/* --- the database -------------------------------------------------------- */

#define U_PS	"00000000-0000-0000-0000-0000000000a1"
#define U_P0	"00000000-0000-0000-0000-0000000000b0"
#define U_P1	"00000000-0000-0000-0000-0000000000b1"
#define U_P9	"00000000-0000-0000-0000-0000000000b9"
#define U_LS0	"00000000-0000-0000-0000-0000000000c0"
#define U_LS1	"00000000-0000-0000-0000-0000000000c1"
#define U_LS2	"00000000-0000-0000-0000-0000000000c2"
#define U_LS3	"00000000-0000-0000-0000-0000000000c3"
#define U_LOC	"00000000-0000-0000-0000-0000000000d0"
#define U_LOCX	"00000000-0000-0000-0000-0000000000d1"
#define U_LOCB	"00000000-0000-0000-0000-0000000000d2"
#define U_SET	"00000000-0000-0000-0000-0000000000e0"
#define U_UM1	"00000000-0000-0000-0000-0000000000f1"
#define U_UM2	"00000000-0000-0000-0000-0000000000f2"
#define U_UM3	"00000000-0000-0000-0000-0000000000f3"
#define U_UM4	"00000000-0000-0000-0000-0000000000f4"
#define U_UM5	"00000000-0000-0000-0000-0000000000f5"
#define U_MM1	"00000000-0000-0000-0000-0000000000f6"
#define U_UM6	"00000000-0000-0000-0000-0000000000f7"
#define U_GONE	"00000000-0000-0000-0000-00000000dead"

#define UU(x) "[\"uuid\",\"" x "\"]"

/* The initial monitor reply: one switch, ports p0 (vlan 0 -> ls0, vlan 5
 * -> ls1 out of range, vlan 6 -> ls2 same key as ls0, vlan 7 -> gone),
 * p1 (not in the kernel), ls3 without tunnel_key. */
static const char initial[] = "{"
	"\"Physical_Switch\":{\"" U_PS "\":{\"new\":{\"name\":\"br0\","
	"  \"tunnel_ips\":\"10.0.0.1\",\"description\":\"\","
	"  \"switch_fault_status\":[\"set\",[]],"
	"  \"ports\":[\"set\",[" UU(U_P0) "," UU(U_P1) "]]}}},"
	"\"Physical_Port\":{"
	"  \"" U_P0 "\":{\"new\":{\"name\":\"p0\",\"port_fault_status\":[\"set\",[]],"
	"    \"vlan_stats\":[\"map\",[]],"
	"    \"vlan_bindings\":[\"map\",[[0," UU(U_LS0) "],[5," UU(U_LS1) "],"
	"                              [6," UU(U_LS2) "],[7," UU(U_GONE) "],"
	"                              [8," UU(U_LS3) "]]]}},"
	"  \"" U_P1 "\":{\"new\":{\"name\":\"p1\",\"port_fault_status\":[\"set\",[]],"
	"    \"vlan_stats\":[\"map\",[]],"
	"    \"vlan_bindings\":[\"map\",[[0," UU(U_LS0) "]]]}},"
	"  \"" U_P9 "\":{\"new\":{\"name\":\"p9\",\"vlan_bindings\":[\"map\",[]]}}},"
	"\"Logical_Switch\":{"
	"  \"" U_LS0 "\":{\"new\":{\"name\":\"ls0\",\"tunnel_key\":33,"
	"     \"replication_mode\":\"source_node\"}},"
	"  \"" U_LS1 "\":{\"new\":{\"name\":\"ls1\",\"tunnel_key\":16777216,"
	"     \"replication_mode\":[\"set\",[]]}},"
	"  \"" U_LS2 "\":{\"new\":{\"name\":\"ls2\",\"tunnel_key\":33,"
	"     \"replication_mode\":[\"set\",[]]}},"
	"  \"" U_LS3 "\":{\"new\":{\"name\":\"ls3\",\"tunnel_key\":[\"set\",[]],"
	"     \"replication_mode\":[\"set\",[]]}}},"
	"\"Physical_Locator\":{"
	"  \"" U_LOC "\":{\"new\":{\"encapsulation_type\":\"vxlan_over_ipv4\","
	"     \"dst_ip\":\"10.0.0.2\",\"tunnel_key\":[\"set\",[]]}},"
	"  \"" U_LOCX "\":{\"new\":{\"encapsulation_type\":\"gre_over_ipv4\","
	"     \"dst_ip\":\"10.0.0.3\",\"tunnel_key\":[\"set\",[]]}},"
	"  \"" U_LOCB "\":{\"new\":{\"encapsulation_type\":\"vxlan_over_ipv4\","
	"     \"dst_ip\":\"10.0.0.300\",\"tunnel_key\":[\"set\",[]]}}},"
	"\"Physical_Locator_Set\":{\"" U_SET "\":{\"new\":{\"locators\":" UU(U_LOC) "}}},"
	"\"Ucast_Macs_Remote\":{"
	"  \"" U_UM1 "\":{\"new\":{\"MAC\":\"02:00:00:00:00:02\","
	"     \"logical_switch\":" UU(U_LS0) ",\"locator\":" UU(U_LOC) "}},"
	"  \"" U_UM2 "\":{\"new\":{\"MAC\":\"02:00:00:00:00:zz\","
	"     \"logical_switch\":" UU(U_LS0) ",\"locator\":" UU(U_LOC) "}},"
	"  \"" U_UM3 "\":{\"new\":{\"MAC\":\"02:00:00:00:00:03\","
	"     \"logical_switch\":" UU(U_LS0) ",\"locator\":" UU(U_LOCX) "}},"
	"  \"" U_UM4 "\":{\"new\":{\"MAC\":\"02:00:00:00:00:04\","
	"     \"logical_switch\":" UU(U_LS0) ",\"locator\":" UU(U_GONE) "}},"
	"  \"" U_UM5 "\":{\"new\":{\"MAC\":\"02:00:00:00:00:05\","
	"     \"logical_switch\":" UU(U_LS0) ",\"locator\":" UU(U_LOCB) "}},"
	"  \"" U_UM6 "\":{\"new\":{\"MAC\":\"02:00:00:00:00:02\","
	"     \"logical_switch\":" UU(U_LS0) ",\"locator\":" UU(U_LOCX) "}}},"
	"\"Mcast_Macs_Remote\":{"
	"  \"" U_MM1 "\":{\"new\":{\"MAC\":\"unknown-dst\","
	"     \"logical_switch\":" UU(U_LS0) ",\"locator_set\":" UU(U_SET) "}}}"
	"}";

static json_t *load_cache(struct __test_metadata *_metadata)
{
	json_t *cache = json_object(), *upd;
	char err[200];

	upd = json_loads(initial, 0, NULL);
	ASSERT_NE(NULL, upd);
	ASSERT_EQ(0, ovsdb_cache_apply(cache, upd, err, sizeof(err))) TH_LOG("%s", err);
	json_decref(upd);
	return cache;
}

/* p0 is a port of the device (ifindex 10); p1 is not. */
static uint32_t resolver(const char *name, void *data)
{
	(void)data;
	return !strcmp(name, "p0") ? 10 : 0;
}

static const struct vtep_fault *find_fault(const struct vtep_desired *d, const char *uuid,
					   const char *what)
{
	size_t i;

	for (i = 0; i < d->n_faults; i++)
		if (!strcmp(d->faults[i].uuid, uuid) && strstr(d->faults[i].msg, what))
			return &d->faults[i];
	return NULL;
}

TEST(monitor_updates)
{
	json_t *cache = load_cache(_metadata), *upd;
	char err[200];

	EXPECT_EQ(4, json_object_size(json_object_get(cache, "Logical_Switch")));
	/* modify: "new" replaces the row; delete: only "old". */
	upd = json_loads("{\"Logical_Switch\":{\"" U_LS3 "\":{\"old\":{\"tunnel_key\":[\"set\",[]]},"
			 "\"new\":{\"name\":\"ls3\",\"tunnel_key\":44}},"
			 "\"" U_LS2 "\":{\"old\":{\"name\":\"ls2\"}}}}", 0, NULL);
	ASSERT_EQ(0, ovsdb_cache_apply(cache, upd, err, sizeof(err)));
	json_decref(upd);
	EXPECT_EQ(44, json_integer_value(json_object_get(
		ovsdb_row(cache, "Logical_Switch", U_LS3), "tunnel_key")));
	EXPECT_EQ(NULL, ovsdb_row(cache, "Logical_Switch", U_LS2));
	/* Malformed: named, rejected. */
	upd = json_loads("{\"Logical_Switch\":{\"not-a-uuid\":{\"new\":{}}}}", 0, NULL);
	EXPECT_EQ(-1, ovsdb_cache_apply(cache, upd, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "not-a-uuid"));
	json_decref(upd);
	upd = json_loads("[1]", 0, NULL);
	EXPECT_EQ(-1, ovsdb_cache_apply(cache, upd, err, sizeof(err)));
	json_decref(upd);
	json_decref(cache);
	NO_LEAKS();
}

TEST(datums)
{
	json_t *d = json_loads("[\"set\",[\"a\",\"b\"]]", 0, NULL);
	json_int_t v;

	EXPECT_EQ(2, ovsdb_set_size(d));
	EXPECT_STREQ("b", json_string_value(ovsdb_set_elem(d, 1)));
	json_decref(d);
	d = json_string("x");
	EXPECT_EQ(1, ovsdb_set_size(d));
	EXPECT_STREQ("x", ovsdb_opt_str(d));
	json_decref(d);
	d = json_loads("[\"set\",[]]", 0, NULL);
	EXPECT_EQ(0, ovsdb_opt_int(d, &v));
	json_decref(d);
	d = json_loads("[\"uuid\",\"nope\"]", 0, NULL);
	EXPECT_EQ(NULL, ovsdb_uuid_of(d));
	json_decref(d);
	NO_LEAKS();
}

TEST(validation)
{
	json_t *cache = load_cache(_metadata);
	struct vtep_desired d;
	const struct vtep_fault *f;
	uint8_t mac[6];

	EXPECT_EQ(-1, vtep_parse_mac("02:00:00:00:00", mac));
	EXPECT_EQ(-1, vtep_parse_mac("02:00:00:00:00:0g", mac));
	EXPECT_EQ(-1, vtep_parse_mac("02-00-00-00-00-01", mac));
	EXPECT_EQ(0, vtep_parse_mac("02:00:00:00:00:AB", mac));
	EXPECT_EQ(0xab, mac[5]);

	ASSERT_EQ(0, vtep_desired_build(cache, "br0", resolver, NULL, &d));
	ASSERT_TRUE(d.ps_found);
	EXPECT_STREQ(U_PS, d.ps_uuid);
	EXPECT_TRUE(d.k.has_local4);

	/* The good rows are applied... */
	ASSERT_EQ(1, d.k.n_ls);
	EXPECT_EQ(33, d.k.ls[0].vni);
	EXPECT_EQ(KVTEP_REPL_SOURCE_NODE, d.k.ls[0].repl);
	ASSERT_EQ(1, d.k.n_bind);
	EXPECT_EQ(10, d.k.bind[0].ifindex);
	EXPECT_EQ(0, d.k.bind[0].vlan);
	ASSERT_EQ(1, d.k.n_fdb);
	EXPECT_EQ(2, d.k.fdb[0].mac[5]);
	EXPECT_EQ(KVTEP_FDB_STATIC_REMOTE, d.k.fdb[0].type);
	ASSERT_EQ(1, d.k.n_flood);
	ASSERT_EQ(1, d.k.flood[0].n_remotes);
	EXPECT_EQ(AF_INET, d.k.flood[0].remotes[0].ip.family);

	/* No other_config:kvtep-encap: vxlan, on the LS and its remotes. */
	EXPECT_TRUE(d.k.ls[0].has_encap);
	EXPECT_EQ(KVTEP_ENCAP_VXLAN, d.k.ls[0].encap);
	EXPECT_TRUE(d.k.fdb[0].remotes[0].has_encap);
	EXPECT_EQ(KVTEP_ENCAP_VXLAN, d.k.fdb[0].remotes[0].encap);
	EXPECT_EQ(KVTEP_ENCAP_VXLAN, d.k.flood[0].remotes[0].encap);

	/* ...and each bad one is a fault naming its row. */
	f = find_fault(&d, U_UM2, "malformed unicast MAC");
	ASSERT_NE(NULL, f);
	EXPECT_STREQ("Ucast_Macs_Remote", f->table);
	EXPECT_NE(NULL, find_fault(&d, U_UM3, "unknown encapsulation"));
	EXPECT_NE(NULL, find_fault(&d, U_UM4, "dangling reference"));
	EXPECT_NE(NULL, find_fault(&d, U_UM5, "bad dst_ip"));
	/* U_UM6 repeats U_UM1's MAC (with a bad locator, reported first). */
	EXPECT_NE(NULL, find_fault(&d, U_UM6, "unknown encapsulation"));
	EXPECT_NE(NULL, find_fault(&d, U_LS1, "out of range"));
	f = find_fault(&d, U_LS2, "already used");
	ASSERT_NE(NULL, f);
	EXPECT_EQ(FAULT_SWITCH, f->where);
	f = find_fault(&d, U_P0, "Logical_Switch " U_GONE);
	ASSERT_NE(NULL, f);
	EXPECT_EQ(FAULT_PORT, f->where);
	EXPECT_STREQ("p0", f->port);
	EXPECT_STREQ("invalid_vlan_map", f->status);
	EXPECT_NE(NULL, find_fault(&d, U_P1, "not a port of the device"));
	/* ls3 has no tunnel_key yet: pending, not a fault. */
	EXPECT_EQ(NULL, find_fault(&d, U_LS3, ""));
	EXPECT_EQ(NULL, find_fault(&d, U_P0, "vlan 8"));
	vtep_desired_free(&d);

	/* Another switch name: nothing to do. */
	ASSERT_EQ(0, vtep_desired_build(cache, "br9", resolver, NULL, &d));
	EXPECT_FALSE(d.ps_found);
	vtep_desired_free(&d);
	json_decref(cache);
	NO_LEAKS();
}

/* Logical_Switch other_config:kvtep-encap = @val (NULL: no other_config). */
static void set_ls_encap(json_t *cache, const char *uuid, const char *val)
{
	json_t *row = ovsdb_row(cache, "Logical_Switch", uuid);

	if (val)
		json_object_set_new(row, "other_config",
				    json_pack("[s,[[s,s]]]", "map", "kvtep-encap", val));
	else
		json_object_del(row, "other_config");
}

TEST(ls_encap)
{
	static const struct {
		const char *val;
		int ret;
		uint8_t encap;
	} cases[] = {
		{ NULL, 0, KVTEP_ENCAP_VXLAN },
		{ "vxlan", 0, KVTEP_ENCAP_VXLAN },
		{ "geneve", 0, KVTEP_ENCAP_GENEVE },
		{ "foo", -1, 0 },
		{ "", -1, 0 },
		{ "Geneve", -1, 0 },
		{ "geneve ", -1, 0 },
	};
	json_t *cache = load_cache(_metadata), *row;
	struct vtep_desired d;
	char err[120];
	uint8_t encap;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		set_ls_encap(cache, U_LS0, cases[i].val);
		row = ovsdb_row(cache, "Logical_Switch", U_LS0);
		err[0] = 0;
		EXPECT_EQ(cases[i].ret, vtep_parse_ls_encap(row, &encap, err, sizeof(err)))
			TH_LOG("value \"%s\"", cases[i].val ?: "(none)");
		if (!cases[i].ret) {
			EXPECT_EQ(cases[i].encap, encap);
		} else {
			EXPECT_NE(NULL, strstr(err, "kvtep-encap"));
		}
	}
	/* Other keys of other_config are not ours. */
	json_object_set_new(ovsdb_row(cache, "Logical_Switch", U_LS0), "other_config",
			    json_pack("[s,[[s,s]]]", "map", "foo", "bar"));
	EXPECT_EQ(0, vtep_parse_ls_encap(row, &encap, err, sizeof(err)));
	EXPECT_EQ(KVTEP_ENCAP_VXLAN, encap);

	/* geneve: the LS and every remote of it (FDB and flood) are Geneve. */
	set_ls_encap(cache, U_LS0, "geneve");
	ASSERT_EQ(0, vtep_desired_build(cache, "br0", resolver, NULL, &d));
	ASSERT_EQ(1, d.k.n_ls);
	EXPECT_TRUE(d.k.ls[0].has_encap);
	EXPECT_EQ(KVTEP_ENCAP_GENEVE, d.k.ls[0].encap);
	ASSERT_EQ(1, d.k.n_fdb);
	EXPECT_TRUE(d.k.fdb[0].remotes[0].has_encap);
	EXPECT_EQ(KVTEP_ENCAP_GENEVE, d.k.fdb[0].remotes[0].encap);
	ASSERT_EQ(1, d.k.n_flood);
	ASSERT_EQ(1, d.k.flood[0].n_remotes);
	EXPECT_EQ(KVTEP_ENCAP_GENEVE, d.k.flood[0].remotes[0].encap);
	EXPECT_EQ(NULL, find_fault(&d, U_LS0, ""));
	vtep_desired_free(&d);

	/* A bad value: the LS is faulted (named), nothing of it is applied. */
	set_ls_encap(cache, U_LS0, "foo");
	ASSERT_EQ(0, vtep_desired_build(cache, "br0", resolver, NULL, &d));
	EXPECT_NE(NULL, find_fault(&d, U_LS0, "kvtep-encap \"foo\""));
	/* Its binding (p0 vlan 0) and remotes are gone; ls2 (same tunnel_key,
	 * a duplicate before) now has vni 33, with its own binding only. */
	EXPECT_EQ(NULL, find_fault(&d, U_LS2, "already used"));
	ASSERT_EQ(1, d.k.n_ls);
	ASSERT_EQ(1, d.k.n_bind);
	EXPECT_EQ(6, d.k.bind[0].vlan);
	EXPECT_EQ(0, d.k.n_fdb);
	ASSERT_EQ(1, d.k.n_flood);
	EXPECT_EQ(0, d.k.flood[0].n_remotes);
	vtep_desired_free(&d);
	json_decref(cache);
	NO_LEAKS();
}

/* --- diff ---------------------------------------------------------------- */

static struct kvtep_remote rem(const char *ip)
{
	struct kvtep_remote r = { 0 };

	kvtep_ip_parse(ip, &r.ip);
	return r;
}

static void mk(struct kstate *k, uint32_t vni, uint8_t repl, uint32_t ifindex,
	       const char *flood_ip, const char *mac2_ip)
{
	struct kvtep_ls_cfg ls = { .vni = vni, .repl = repl, .has_repl = true };
	struct kvtep_bind_cfg b = { .ifindex = ifindex, .vlan = 0, .vni = vni };
	struct kvtep_remote r1 = rem(flood_ip ?: "0.0.0.0"), r2 = rem(mac2_ip ?: "0.0.0.0");
	struct kvtep_flood_cfg fl = { .vni = vni, .n_remotes = !!flood_ip, .remotes = &r1 };
	struct kvtep_fdb_cfg f = { .vni = vni, .type = KVTEP_FDB_STATIC_REMOTE,
				   .mac = { 2, 0, 0, 0, 0, 2 }, .n_remotes = 1,
				   .remotes = &r2 };

	kstate_add_ls(k, &ls);
	if (ifindex)
		kstate_add_bind(k, &b);
	kstate_add_flood(k, &fl);
	if (mac2_ip)
		kstate_add_fdb(k, &f);
	kstate_sort(k);
}

static void expect_ops(struct __test_metadata *_metadata, const struct kstate *d,
		       const struct kstate *a, const char *want)
{
	struct kops ops;
	char got[256] = "";
	size_t i;

	ASSERT_EQ(0, kstate_diff(d, a, &ops));
	for (i = 0; i < ops.n; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s",
			 i ? " " : "", kop_name(ops.v[i].kind));
	EXPECT_STREQ(want, got);
	kops_free(&ops);
}

TEST(diff_exact)
{
	struct kstate d = { 0 }, a = { 0 };

	/* Identical: nothing (a restart against an unchanged database). */
	mk(&d, 33, 0, 10, "10.0.0.2", "10.0.0.2");
	mk(&a, 33, 0, 10, "10.0.0.2", "10.0.0.2");
	expect_ops(_metadata, &d, &a, "");
	/* Everything new: LS, binding, FDB entry, flood list, in that order. */
	expect_ops(_metadata, &d, &(struct kstate){ 0 }, "ls-add bind-add fdb-add flood-set");
	/* Only the LS goes: its entries and bindings go with it... except
	 * bindings, which are deleted first (they name a port). */
	expect_ops(_metadata, &(struct kstate){ 0 }, &a, "bind-del ls-del");
	kstate_free(&d);

	/* One remote changed: one replace, nothing else. */
	mk(&d, 33, 0, 10, "10.0.0.2", "10.0.0.9");
	expect_ops(_metadata, &d, &a, "fdb-add");
	kstate_free(&d);
	/* Entry removed: one delete. */
	mk(&d, 33, 0, 10, "10.0.0.2", NULL);
	expect_ops(_metadata, &d, &a, "fdb-del");
	kstate_free(&d);
	/* Flood list emptied, replication changed. */
	mk(&d, 33, 1, 10, NULL, "10.0.0.2");
	expect_ops(_metadata, &d, &a, "ls-set flood-set");
	kstate_free(&d);
	/* tunnel_key 33 -> 34: new LS, binding moved, entry re-added, old LS gone. */
	mk(&d, 34, 0, 10, "10.0.0.2", "10.0.0.2");
	expect_ops(_metadata, &d, &a, "ls-add bind-del bind-add fdb-add flood-set ls-del");
	kstate_free(&d);
	/* kvtep-encap vxlan -> geneve: LS set, entry and flood list re-pointed. */
	mk(&d, 33, 0, 10, "10.0.0.2", "10.0.0.2");
	d.ls[0].has_encap = true;
	d.ls[0].encap = KVTEP_ENCAP_GENEVE;
	d.fdb[0].remotes[0].encap = KVTEP_ENCAP_GENEVE;
	d.flood[0].remotes[0].encap = KVTEP_ENCAP_GENEVE;
	expect_ops(_metadata, &d, &a, "ls-set fdb-add flood-set");
	/* The kernel reports the encap: once applied, nothing more to do. */
	a.ls[0].has_encap = true;
	a.ls[0].encap = KVTEP_ENCAP_GENEVE;
	a.fdb[0].remotes[0].encap = KVTEP_ENCAP_GENEVE;
	a.flood[0].remotes[0].encap = KVTEP_ENCAP_GENEVE;
	expect_ops(_metadata, &d, &a, "");
	kstate_free(&d);
	kstate_free(&a);
	mk(&a, 33, 0, 10, "10.0.0.2", "10.0.0.2");
	/* Ports differ only in UDP port in the dump: same remote. */
	mk(&d, 33, 0, 10, "10.0.0.2", "10.0.0.2");
	a.fdb[0].remotes[0].port = 4789;
	expect_ops(_metadata, &d, &a, "");
	/* Tunnel address. */
	d.has_local4 = true;
	d.local4 = rem("10.0.0.1").ip;
	expect_ops(_metadata, &d, &a, "dev-local");
	kstate_free(&d);
	kstate_free(&a);
	NO_LEAKS();
}

TEST(diff_copy_roundtrip)
{
	struct kstate d = { 0 }, c;

	mk(&d, 33, 0, 10, "10.0.0.2", "10.0.0.2");
	mk(&d, 44, 1, 11, "fd00::2", "fd00::3");
	ASSERT_EQ(0, kstate_copy(&c, &d));
	expect_ops(_metadata, &d, &c, "");
	kstate_free(&c);
	kstate_free(&d);
	NO_LEAKS();
}

/* --- incremental updates of Ucast_Macs_Remote rows ------------------------- */

#define U_R(n)	"30000000-0000-0000-0000-0000000000" n
#define U_LOC2	"00000000-0000-0000-0000-0000000000c4"

static const char clean[] = "{"
	"\"Physical_Switch\":{\"" U_PS "\":{\"new\":{\"name\":\"br0\","
	"  \"tunnel_ips\":\"10.0.0.1\",\"ports\":[\"set\",[" UU(U_P0) "]]}}},"
	"\"Physical_Port\":{\"" U_P0 "\":{\"new\":{\"name\":\"p0\","
	"  \"vlan_bindings\":[\"map\",[[0," UU(U_LS0) "]]]}}},"
	"\"Logical_Switch\":{\"" U_LS0 "\":{\"new\":{\"name\":\"ls0\",\"tunnel_key\":33}}},"
	"\"Physical_Locator\":{"
	"  \"" U_LOC "\":{\"new\":{\"encapsulation_type\":\"vxlan_over_ipv4\",\"dst_ip\":\"10.0.0.2\"}},"
	"  \"" U_LOC2 "\":{\"new\":{\"encapsulation_type\":\"vxlan_over_ipv4\",\"dst_ip\":\"10.0.0.4\"}}},"
	"\"Ucast_Macs_Remote\":{"
	"  \"" U_R("01") "\":{\"new\":{\"MAC\":\"02:00:00:00:00:01\","
	"     \"logical_switch\":" UU(U_LS0) ",\"locator\":" UU(U_LOC) "}},"
	"  \"" U_R("02") "\":{\"new\":{\"MAC\":\"02:00:00:00:00:02\","
	"     \"logical_switch\":" UU(U_LS0) ",\"locator\":" UU(U_LOC) "}},"
	"  \"" U_R("03") "\":{\"new\":{\"MAC\":\"02:00:00:00:00:03\","
	"     \"logical_switch\":" UU(U_LS0) ",\"locator\":" UU(U_LOC) "}}}"
	"}";

/* @changed := {uuid: current row or null} for the rows of @upd, then apply. */
static void apply_noting(struct __test_metadata *_metadata, json_t *cache, const char *upd_s,
			 json_t *changed)
{
	json_t *upd = json_loads(upd_s, 0, NULL), *ru;
	const char *uuid;
	char err[200];

	ASSERT_NE(NULL, upd);
	json_object_foreach(json_object_get(upd, "Ucast_Macs_Remote"), uuid, ru) {
		json_t *cur = ovsdb_row(cache, "Ucast_Macs_Remote", uuid);

		json_object_set(changed, uuid, cur ? cur : json_null());
	}
	ASSERT_EQ(0, ovsdb_cache_apply(cache, upd, err, sizeof(err))) TH_LOG("%s", err);
	json_decref(upd);
}

/* The patched state must be exactly what a full build gives. */
static void expect_same_fdb(struct __test_metadata *_metadata, const struct kstate *a,
			    const struct kstate *b)
{
	size_t i;

	ASSERT_EQ(b->n_fdb, a->n_fdb);
	for (i = 0; i < a->n_fdb; i++) {
		EXPECT_EQ(b->fdb[i].vni, a->fdb[i].vni);
		EXPECT_EQ(0, memcmp(b->fdb[i].mac, a->fdb[i].mac, 6));
		ASSERT_EQ(b->fdb[i].n_remotes, a->fdb[i].n_remotes);
		EXPECT_EQ(0, kvtep_ip_cmp(&b->fdb[i].remotes[0].ip, &a->fdb[i].remotes[0].ip));
	}
}

TEST(incremental_patch)
{
	json_t *cache = json_object(), *upd = json_loads(clean, 0, NULL), *changed = json_object();
	struct vtep_desired d, full;
	struct kstate del, add, actual;
	struct kops ops;
	char err[200], *big;
	size_t i, n_del = 0, n_add = 0, len = 0;
	FILE *f;

	ASSERT_EQ(0, ovsdb_cache_apply(cache, upd, err, sizeof(err))) TH_LOG("%s", err);
	json_decref(upd);
	ASSERT_EQ(0, vtep_desired_build(cache, "br0", resolver, NULL, &d));
	ASSERT_EQ(0, d.n_faults);
	ASSERT_EQ(3, d.k.n_fdb);
	ASSERT_EQ(0, kstate_copy(&actual, &d.k));

	/* Delete :01, move :02 to another locator, add :04. */
	apply_noting(_metadata, cache, "{\"Ucast_Macs_Remote\":{"
		"\"" U_R("01") "\":{\"old\":{}},"
		"\"" U_R("02") "\":{\"old\":{\"locator\":" UU(U_LOC) "},\"new\":{"
		"   \"MAC\":\"02:00:00:00:00:02\",\"logical_switch\":" UU(U_LS0) ","
		"   \"locator\":" UU(U_LOC2) "}},"
		"\"" U_R("04") "\":{\"new\":{\"MAC\":\"02:00:00:00:00:04\","
		"   \"logical_switch\":" UU(U_LS0) ",\"locator\":" UU(U_LOC) "}}}}", changed);
	ASSERT_EQ(0, vtep_desired_ucast_patch(cache, &d, changed, &del, &add));
	ASSERT_EQ(0, vtep_fdb_change_ops(&del, &add, &ops));
	for (i = 0; i < ops.n; i++) {
		n_del += ops.v[i].kind == KOP_FDB_DEL;
		n_add += ops.v[i].kind == KOP_FDB_ADD;
	}
	EXPECT_EQ(1, n_del);	/* :01 */
	EXPECT_EQ(2, n_add);	/* :02 changed, :04 new */
	ASSERT_EQ(0, kstate_fdb_patch(&actual, &del, &add));
	ASSERT_EQ(0, vtep_desired_build(cache, "br0", resolver, NULL, &full));
	expect_same_fdb(_metadata, &d.k, &full.k);
	expect_same_fdb(_metadata, &actual, &full.k);
	kops_free(&ops);
	kstate_free(&del);
	kstate_free(&add);
	vtep_desired_free(&full);
	json_object_clear(changed);

	/* A second row for :03: only the full build knows who wins. */
	apply_noting(_metadata, cache, "{\"Ucast_Macs_Remote\":{"
		"\"" U_R("05") "\":{\"new\":{\"MAC\":\"02:00:00:00:00:03\","
		"   \"logical_switch\":" UU(U_LS0) ",\"locator\":" UU(U_LOC) "}}}}", changed);
	EXPECT_EQ(1, vtep_desired_ucast_patch(cache, &d, changed, &del, &add));
	EXPECT_EQ(3, d.k.n_fdb);	/* untouched */
	json_object_clear(changed);
	/* The agent rebuilds: a fault; while it lasts, no patching. */
	vtep_desired_free(&d);
	ASSERT_EQ(0, vtep_desired_build(cache, "br0", resolver, NULL, &d));
	EXPECT_NE(NULL, find_fault(&d, U_R("05"), "already programmed"));
	apply_noting(_metadata, cache, "{\"Ucast_Macs_Remote\":{\"" U_R("05") "\":{\"old\":{}}}}",
		     changed);
	EXPECT_EQ(1, vtep_desired_ucast_patch(cache, &d, changed, &del, &add));
	json_object_clear(changed);
	vtep_desired_free(&d);
	ASSERT_EQ(0, vtep_desired_build(cache, "br0", resolver, NULL, &d));
	ASSERT_EQ(0, d.n_faults);

	/* Many rows at once: the merge path. */
	f = open_memstream(&big, &len);
	ASSERT_NE(NULL, f);
	fprintf(f, "{\"Ucast_Macs_Remote\":{");
	for (i = 0; i < 100; i++)
		fprintf(f, "%s\"40000000-0000-0000-0000-%012zx\":{\"new\":{\"MAC\":"
			"\"02:00:00:01:00:%02zx\",\"logical_switch\":" UU(U_LS0) ","
			"\"locator\":" UU(U_LOC2) "}}", i ? "," : "", i, 99 - i);
	fprintf(f, ",\"" U_R("03") "\":{\"old\":{}}}}");
	fclose(f);
	apply_noting(_metadata, cache, big, changed);
	free(big);
	ASSERT_EQ(0, vtep_desired_ucast_patch(cache, &d, changed, &del, &add));
	ASSERT_EQ(0, kstate_fdb_patch(&actual, &del, &add));
	ASSERT_EQ(0, vtep_desired_build(cache, "br0", resolver, NULL, &full));
	EXPECT_EQ(102, full.k.n_fdb);
	expect_same_fdb(_metadata, &d.k, &full.k);
	expect_same_fdb(_metadata, &actual, &full.k);
	kstate_free(&del);
	kstate_free(&add);
	vtep_desired_free(&full);
	kstate_free(&actual);
	vtep_desired_free(&d);
	json_decref(changed);
	json_decref(cache);
	NO_LEAKS();
}

/* 100k remote MACs (and one duplicate): built and diffed in O(n log n). */
TEST(scale_100k)
{
	json_t *cache = load_cache(_metadata), *t = json_object_get(cache, "Ucast_Macs_Remote");
	struct vtep_desired d;
	struct kstate empty = { 0 };
	struct kops ops;
	char uuid[40], mac[18];
	size_t i, adds = 0;
	int64_t t0;

	for (i = 0; i < 100000; i++) {
		snprintf(uuid, sizeof(uuid), "10000000-0000-0000-0000-%012zx", i);
		snprintf(mac, sizeof(mac), "02:01:%02zx:%02zx:%02zx:%02zx", (i >> 24) & 255,
			 (i >> 16) & 255, (i >> 8) & 255, i & 255);
		json_object_set_new(t, uuid, json_pack("{s:s,s:[s,s],s:[s,s]}", "MAC",
			i == 99999 ? "02:01:00:00:00:07" : mac,
			"logical_switch", "uuid", U_LS0, "locator", "uuid", U_LOC));
	}
	t0 = jrpc_now_ms();
	ASSERT_EQ(0, vtep_desired_build(cache, "br0", resolver, NULL, &d));
	ASSERT_EQ(0, kstate_diff(&d.k, &empty, &ops));
	TH_LOG("100k rows: desired state and diff in %lld ms",
	       (long long)(jrpc_now_ms() - t0));
	for (i = 0; i < ops.n; i++)
		adds += ops.v[i].kind == KOP_FDB_ADD;
	/* 99999 new MACs + 02:00:00:00:00:02 from U_UM1. */
	EXPECT_EQ(100000, adds);
	EXPECT_NE(NULL, find_fault(&d, "10000000-0000-0000-0000-00000001869f",
				   "already programmed"));
	kops_free(&ops);
	vtep_desired_free(&d);
	json_decref(cache);
	NO_LEAKS();
}

/* --- publishing ---------------------------------------------------------- */

static bool has_op(const json_t *ops, const char *op, const char *table)
{
	size_t i;

	for (i = 1; i < json_array_size(ops); i++) {
		const json_t *o = json_array_get(ops, i);

		if (!strcmp(json_string_value(json_object_get(o, "op")), op) &&
		    !strcmp(json_string_value(json_object_get(o, "table")), table))
			return true;
	}
	return false;
}

TEST(publish)
{
	json_t *cache = load_cache(_metadata), *ops, *upd;
	char ports[2][IFNAMSIZ] = { "p0", "p7" };
	struct vtep_mac mac = { .vni = 33, .mac = { 2, 0, 0, 0, 0, 1 } };
	struct vtep_kinfo ki = { .ports = ports, .n_ports = 2, .macs = &mac, .n_macs = 1 };
	struct vtep_desired d;
	char err[200];

	ASSERT_EQ(0, vtep_desired_build(cache, "br0", resolver, NULL, &d));
	ops = vtep_publish_ops(cache, &d, &ki, "kvtep");
	ASSERT_NE(NULL, ops);
	EXPECT_STREQ(VTEP_DB, json_string_value(json_array_get(ops, 0)));
	/* p7 is new, p1 is gone from the kernel. */
	EXPECT_TRUE(has_op(ops, "insert", "Physical_Port"));
	EXPECT_TRUE(has_op(ops, "mutate", "Physical_Switch"));
	/* Our locator is new: inserted with the local MAC and the unknown-dst. */
	EXPECT_TRUE(has_op(ops, "insert", "Physical_Locator"));
	EXPECT_TRUE(has_op(ops, "insert", "Ucast_Macs_Local"));
	EXPECT_TRUE(has_op(ops, "insert", "Mcast_Macs_Local"));
	EXPECT_TRUE(has_op(ops, "insert", "Logical_Binding_Stats"));
	/* Faults: the switch and p0. */
	EXPECT_TRUE(has_op(ops, "update", "Physical_Switch"));
	EXPECT_TRUE(has_op(ops, "update", "Physical_Port"));
	json_decref(ops);

	/* Once the database shows all that, nothing more is sent. */
	upd = json_loads("{"
		"\"Physical_Switch\":{\"" U_PS "\":{\"new\":{\"name\":\"br0\","
		"  \"tunnel_ips\":\"10.0.0.1\",\"description\":\"kvtep\","
		"  \"switch_fault_status\":\"unspecified_fault\","
		"  \"ports\":[\"set\",[" UU(U_P0) "," UU(U_P9) "]]}}},"
		"\"Physical_Port\":{"
		"  \"" U_P0 "\":{\"new\":{\"name\":\"p0\",\"port_fault_status\":\"invalid_vlan_map\","
		"    \"vlan_stats\":[\"map\",[[0," UU(U_UM5) "]]],"
		"    \"vlan_bindings\":[\"map\",[[0," UU(U_LS0) "],[5," UU(U_LS1) "],"
		"                              [6," UU(U_LS2) "],[7," UU(U_GONE) "]]]}},"
		"  \"" U_P9 "\":{\"new\":{\"name\":\"p7\",\"port_fault_status\":[\"set\",[]],"
		"    \"vlan_stats\":[\"map\",[]],\"vlan_bindings\":[\"map\",[]]}}},"
		"\"Logical_Binding_Stats\":{\"" U_UM5 "\":{\"new\":{\"packets_from_local\":0,"
		"  \"bytes_from_local\":0,\"packets_to_local\":0,\"bytes_to_local\":0}}},"
		"\"Physical_Locator\":{\"" U_LOCX "\":{\"new\":{\"encapsulation_type\":\"vxlan_over_ipv4\","
		"  \"dst_ip\":\"10.0.0.1\",\"tunnel_key\":[\"set\",[]]}}},"
		"\"Physical_Locator_Set\":{\"" U_GONE "\":{\"new\":{\"locators\":" UU(U_LOCX) "}}},"
		"\"Ucast_Macs_Local\":{\"" U_UM4 "\":{\"new\":{\"MAC\":\"02:00:00:00:00:01\","
		"  \"logical_switch\":" UU(U_LS0) ",\"locator\":" UU(U_LOCX) "}}},"
		"\"Mcast_Macs_Local\":{\"" U_MM1 "\":{\"new\":{\"MAC\":\"unknown-dst\","
		"  \"logical_switch\":" UU(U_LS0) ",\"locator_set\":" UU(U_GONE) "}}}"
		"}", 0, NULL);
	ASSERT_NE(NULL, upd);
	ASSERT_EQ(0, ovsdb_cache_apply(cache, upd, err, sizeof(err))) TH_LOG("%s", err);
	json_decref(upd);
	vtep_desired_free(&d);
	ASSERT_EQ(0, vtep_desired_build(cache, "br0", resolver, NULL, &d));
	ops = vtep_publish_ops(cache, &d, &ki, "kvtep");
	if (ops) {
		char *s = json_dumps(ops, JSON_COMPACT);

		TH_LOG("unexpected ops: %s", s);
		free(s);
	}
	EXPECT_EQ(NULL, ops);
	json_decref(ops);

	/* The MAC ages out: its row is deleted, nothing else. */
	ki.n_macs = 0;
	ops = vtep_publish_ops(cache, &d, &ki, "kvtep");
	ASSERT_NE(NULL, ops);
	EXPECT_EQ((size_t)2, json_array_size(ops));
	EXPECT_TRUE(has_op(ops, "delete", "Ucast_Macs_Local"));
	json_decref(ops);
	vtep_desired_free(&d);
	json_decref(cache);
	NO_LEAKS();
}

TEST_HARNESS_MAIN
