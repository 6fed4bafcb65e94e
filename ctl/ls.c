// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvtepctl ls: logical switches (one per VNI).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/kvtep.h>

#include "kvtepctl.h"
#include "common.h"
#include "print.h"

void ls_usage(FILE *f)
{
	fprintf(f,
		"Usage: kvtepctl ls add DEV vni N [replication {source_node|service_node}]\n"
		"                              [fdb-max N] [encap {vxlan|geneve}]\n"
		"                              [ovn-option {on|off}]\n"
		"       kvtepctl ls set DEV vni N [replication {source_node|service_node}]\n"
		"                              [fdb-max N] [encap {vxlan|geneve}]\n"
		"                              [ovn-option {on|off}]\n"
		"       kvtepctl ls del DEV vni N\n"
		"       kvtepctl ls show DEV [vni N]\n"
		"       kvtepctl ls help\n"
		"\n"
		"  add       create the logical switch of VNI N (1..%u)\n"
		"  set       change its settings\n"
		"  del       delete it with its bindings, FDB and flood list\n"
		"  show      logical switches of DEV (or one) with their counters\n"
		"\n"
		"  replication  BUM traffic: one copy per flood-list remote (source_node,\n"
		"               the default) or one copy to a service node\n"
		"  fdb-max      FDB entries in this logical switch, 0 = no limit\n"
		"  encap        encapsulation of remotes given without one (default vxlan);\n"
		"               changing it does not change existing remotes\n"
		"  ovn-option   add OVN's Geneve option (class 0x0102 type 0x80) to unicast\n"
		"               Geneve frames whose source binding and destination FDB\n"
		"               entry both have an ovn-key (default off)\n"
		"\n"
		"JSON keys: vni replication fdb_max fdb_count encap ovn_opt stats{rx_packets\n"
		"  rx_bytes tx_packets tx_bytes encap_packets encap_bytes decap_packets\n"
		"  decap_bytes}.\n",
		KVTEP_VNI_MAX);
}

struct ls_args {
	uint32_t vni;
	bool has_repl, has_fdb_max, has_encap, has_ovn;
	uint8_t repl;
	uint32_t fdb_max;
	uint8_t encap;
	bool ovn;
};

/* "DEV vni N [options]"; @opts: replication / fdb-max allowed. */
static int ls_parse(int argc, char **argv, struct ls_args *a, bool opts,
		    bool vni_required)
{
	bool has_vni = false;
	const char *v;
	int i;

	memset(a, 0, sizeof(*a));
	if (argc < 1)
		return usage_error("missing DEV");
	if (parse_ifname(argv[0], "DEV"))
		return KVTEP_EXIT_USAGE;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "vni") && !has_vni) {
			if (next_arg(argc, argv, &i, &v) || parse_vni(v, &a->vni))
				return KVTEP_EXIT_USAGE;
			has_vni = true;
		} else if (opts && !strcmp(argv[i], "replication") && !a->has_repl) {
			if (next_arg(argc, argv, &i, &v))
				return KVTEP_EXIT_USAGE;
			if (!strcmp(v, "source_node") || !strcmp(v, "source-node"))
				a->repl = KVTEP_REPL_SOURCE_NODE;
			else if (!strcmp(v, "service_node") || !strcmp(v, "service-node"))
				a->repl = KVTEP_REPL_SERVICE_NODE;
			else
				return usage_error("invalid replication \"%s\": expected source_node|service_node",
						   v);
			a->has_repl = true;
		} else if (opts && !strcmp(argv[i], "fdb-max") && !a->has_fdb_max) {
			unsigned long long n;

			if (next_arg(argc, argv, &i, &v) ||
			    parse_ull(v, "fdb-max", 0, UINT32_MAX, &n))
				return KVTEP_EXIT_USAGE;
			a->fdb_max = n;
			a->has_fdb_max = true;
		} else if (opts && !strcmp(argv[i], "encap") && !a->has_encap) {
			if (next_arg(argc, argv, &i, &v) || parse_encap(v, &a->encap))
				return KVTEP_EXIT_USAGE;
			a->has_encap = true;
		} else if (opts && !strcmp(argv[i], "ovn-option") && !a->has_ovn) {
			if (next_arg(argc, argv, &i, &v) ||
			    parse_on_off(v, "ovn-option", &a->ovn))
				return KVTEP_EXIT_USAGE;
			a->has_ovn = true;
		} else {
			return usage_error("unexpected or duplicate argument \"%s\"", argv[i]);
		}
	}
	if (vni_required && !has_vni)
		return usage_error("missing \"vni N\"");
	return 0;
}

static void ls_put(struct nlmsghdr *nlh, const char *dev, const struct ls_args *a)
{
	struct nlattr *nest;

	mnl_attr_put_strz(nlh, KVTEP_A_IFNAME, dev);
	nest = mnl_attr_nest_start(nlh, KVTEP_A_LS);
	if (a->vni)
		mnl_attr_put_u32(nlh, KVTEP_LS_A_VNI, a->vni);
	if (a->has_repl)
		mnl_attr_put_u8(nlh, KVTEP_LS_A_REPLICATION, a->repl);
	if (a->has_fdb_max)
		mnl_attr_put_u32(nlh, KVTEP_LS_A_FDB_MAX, a->fdb_max);
	if (a->has_encap)
		mnl_attr_put_u8(nlh, KVTEP_LS_A_ENCAP, a->encap);
	if (a->has_ovn)
		mnl_attr_put_u8(nlh, KVTEP_LS_A_OVN_OPT, a->ovn);
	mnl_attr_nest_end(nlh, nest);
}

static int ls_change(int argc, char **argv, uint8_t cmd, bool opts)
{
	struct nlmsghdr *nlh;
	struct ls_args a;
	struct nl_ctx *nl;
	int ret;

	ret = ls_parse(argc, argv, &a, opts, true);
	if (ret)
		return ret;
	if (cmd == KVTEP_CMD_LS_SET && !a.has_repl && !a.has_fdb_max &&
	    !a.has_encap && !a.has_ovn)
		return usage_error("ls set: nothing to change");
	nl = kvtep_nl();
	if (!nl)
		return KVTEP_EXIT_FAIL;
	nlh = nl_req_start(nl, cmd, 0);
	ls_put(nlh, argv[0], &a);
	return nl_exit_code(nl_talk(nl, nlh, NULL, NULL));
}

static int ls_add(int argc, char **argv)
{
	return ls_change(argc, argv, KVTEP_CMD_LS_ADD, true);
}

static int ls_set(int argc, char **argv)
{
	return ls_change(argc, argv, KVTEP_CMD_LS_SET, true);
}

static int ls_del(int argc, char **argv)
{
	return ls_change(argc, argv, KVTEP_CMD_LS_DEL, false);
}

static const enum mnl_attr_data_type top_types[KVTEP_A_MAX + 1] = {
	[KVTEP_A_IFINDEX]	= MNL_TYPE_U32,
	[KVTEP_A_LS]		= MNL_TYPE_NESTED,
	[KVTEP_A_STATS]		= MNL_TYPE_NESTED,
};

static const enum mnl_attr_data_type ls_types[KVTEP_LS_A_MAX + 1] = {
	[KVTEP_LS_A_VNI]	 = MNL_TYPE_U32,
	[KVTEP_LS_A_REPLICATION] = MNL_TYPE_U8,
	[KVTEP_LS_A_FDB_MAX]	 = MNL_TYPE_U32,
	[KVTEP_LS_A_FDB_COUNT]	 = MNL_TYPE_U32,
	[KVTEP_LS_A_ENCAP]	 = MNL_TYPE_U8,
	[KVTEP_LS_A_OVN_OPT]	 = MNL_TYPE_U8,
};

static int ls_show_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[KVTEP_A_MAX + 1];
	const struct nlattr *lt[KVTEP_LS_A_MAX + 1];
	const char *name;

	(void)data;
	attrs_parse(nlh, NULL, top_types, KVTEP_A_MAX, tb);
	if (!tb[KVTEP_A_LS])
		return 0;
	attrs_parse(NULL, tb[KVTEP_A_LS], ls_types, KVTEP_LS_A_MAX, lt);
	open_json_object(NULL);
	if (lt[KVTEP_LS_A_VNI])
		print_uint(PRINT_ANY, "vni", "vni %u",
			   mnl_attr_get_u32(lt[KVTEP_LS_A_VNI]));
	if (lt[KVTEP_LS_A_REPLICATION]) {
		name = kvtep_repl_name(mnl_attr_get_u8(lt[KVTEP_LS_A_REPLICATION]));
		if (name)
			print_string(PRINT_ANY, "replication", " replication %s", name);
		else
			print_uint(PRINT_ANY, "replication", " replication %u",
				   mnl_attr_get_u8(lt[KVTEP_LS_A_REPLICATION]));
	}
	if (lt[KVTEP_LS_A_FDB_MAX])
		print_uint(PRINT_ANY, "fdb_max", " fdb-max %u",
			   mnl_attr_get_u32(lt[KVTEP_LS_A_FDB_MAX]));
	if (lt[KVTEP_LS_A_FDB_COUNT])
		print_uint(PRINT_ANY, "fdb_count", " fdb-count %u",
			   mnl_attr_get_u32(lt[KVTEP_LS_A_FDB_COUNT]));
	if (lt[KVTEP_LS_A_ENCAP]) {
		name = kvtep_encap_name(mnl_attr_get_u8(lt[KVTEP_LS_A_ENCAP]));
		print_string(PRINT_ANY, "encap", " encap %s", name ? name : "?");
	}
	if (lt[KVTEP_LS_A_OVN_OPT])
		print_on_off(PRINT_ANY, "ovn_opt", " ovn-option %s",
			     mnl_attr_get_u8(lt[KVTEP_LS_A_OVN_OPT]));
	if (tb[KVTEP_A_STATS])
		print_stats_nest("stats", tb[KVTEP_A_STATS], false, "    ");
	print_nl(NULL);
	close_json_object();
	return 0;
}

static int ls_show(int argc, char **argv)
{
	struct nlmsghdr *nlh;
	struct ls_args a;
	struct nl_ctx *nl;
	int err;

	err = ls_parse(argc, argv, &a, false, false);
	if (err)
		return err;
	nl = kvtep_nl();
	if (!nl)
		return KVTEP_EXIT_FAIL;
	nlh = nl_req_start(nl, KVTEP_CMD_LS_GET, a.vni ? 0 : NLM_F_DUMP);
	if (a.vni)
		ls_put(nlh, argv[0], &a);
	else
		mnl_attr_put_strz(nlh, KVTEP_A_IFNAME, argv[0]);
	print_list_begin();
	err = nl_talk(nl, nlh, ls_show_cb, NULL);
	print_list_end(!err);
	return nl_exit_code(err);
}

static int ls_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	ls_usage(stdout);
	return KVTEP_EXIT_OK;
}

static const struct cmd ls_cmds[] = {
	{ "add",  ls_add,  NULL, "add a logical switch" },
	{ "set",  ls_set,  NULL, "change a logical switch" },
	{ "del",  ls_del,  NULL, "delete a logical switch" },
	{ "show", ls_show, NULL, "list logical switches" },
	{ "list", ls_show, NULL, "same as show" },
	{ "help", ls_help, NULL, "usage" },
	{ 0 }
};

int do_ls(int argc, char **argv)
{
	if (argc < 1)
		return usage_error("ls: missing command");
	return cmd_dispatch(ls_cmds, "ls command", argc, argv);
}
