// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvtepctl bind: (port, VLAN) -> logical switch bindings.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/kvtep.h>

#include "kvtepctl.h"
#include "common.h"
#include "model.h"
#include "print.h"

void bind_usage(FILE *f)
{
	fprintf(f,
		"Usage: kvtepctl bind add DEV port PORT [vlan V] vni N [ovn-key K]\n"
		"       kvtepctl bind del DEV port PORT [vlan V]\n"
		"       kvtepctl bind show DEV\n"
		"       kvtepctl bind help\n"
		"\n"
		"  add       frames of PORT with VLAN V (0 or absent: untagged) belong to\n"
		"            the logical switch of VNI N; PORT may be DEV itself\n"
		"  ovn-key   OVN logical port key of the binding (1..%u, 0 = none):\n"
		"            Geneve frames whose OVN option names it as egress port are\n"
		"            delivered here; it is the ingress key of frames it sends\n"
		"            (bind add again with another key changes it)\n"
		"  del       remove that binding\n"
		"  show      bindings of DEV with their counters\n"
		"\n"
		"JSON keys: port (name) port_ifindex vlan vni port_key stats{rx_packets\n"
		"  rx_bytes tx_packets tx_bytes encap_packets encap_bytes decap_packets\n"
		"  decap_bytes}.\n", KVTEP_OVN_PORT_KEY_MAX);
}

static int bind_change(int argc, char **argv, uint8_t cmd)
{
	const char *port = NULL, *v;
	struct kvtep_bind_cfg b = { 0 };
	bool has_vlan = false;
	unsigned long long key = 0;
	struct nlmsghdr *nlh;
	struct nl_ctx *nl;
	uint32_t ifindex, vni = 0;
	uint16_t vlan = 0;
	int i, ret;

	if (argc < 1)
		return usage_error("missing DEV");
	if (parse_ifname(argv[0], "DEV"))
		return KVTEP_EXIT_USAGE;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "port") && !port) {
			if (next_arg(argc, argv, &i, &port) ||
			    parse_ifname(port, "port"))
				return KVTEP_EXIT_USAGE;
		} else if (!strcmp(argv[i], "vlan") && !has_vlan) {
			if (next_arg(argc, argv, &i, &v) || parse_vlan(v, &vlan))
				return KVTEP_EXIT_USAGE;
			has_vlan = true;
		} else if (!strcmp(argv[i], "vni") && !vni) {
			if (next_arg(argc, argv, &i, &v) || parse_vni(v, &vni))
				return KVTEP_EXIT_USAGE;
		} else if (!strcmp(argv[i], "ovn-key") && !b.has_port_key &&
			   cmd == KVTEP_CMD_BIND_ADD) {
			if (next_arg(argc, argv, &i, &v) ||
			    parse_ull(v, "ovn-key", 0, KVTEP_OVN_PORT_KEY_MAX, &key))
				return KVTEP_EXIT_USAGE;
			b.port_key = key;
			b.has_port_key = true;
		} else {
			return usage_error("unexpected or duplicate argument \"%s\"", argv[i]);
		}
	}
	if (!port)
		return usage_error("missing \"port PORT\"");
	if (cmd == KVTEP_CMD_BIND_ADD && !vni)
		return usage_error("missing \"vni N\"");
	ret = lookup_ifindex(port, &ifindex);
	if (ret)
		return ret;

	nl = kvtep_nl();
	if (!nl)
		return KVTEP_EXIT_FAIL;
	nlh = nl_req_start(nl, cmd, 0);
	mnl_attr_put_strz(nlh, KVTEP_A_IFNAME, argv[0]);
	/* The model's encoder, shared with kvtepctl ovsdb. */
	b.ifindex = ifindex;
	b.vlan = vlan;
	b.vni = vni;
	kvtep_bind_put(nlh, &b);
	return nl_exit_code(nl_talk(nl, nlh, NULL, NULL));
}

static int bind_add(int argc, char **argv)
{
	return bind_change(argc, argv, KVTEP_CMD_BIND_ADD);
}

static int bind_del(int argc, char **argv)
{
	return bind_change(argc, argv, KVTEP_CMD_BIND_DEL);
}

static const enum mnl_attr_data_type top_types[KVTEP_A_MAX + 1] = {
	[KVTEP_A_IFINDEX]	= MNL_TYPE_U32,
	[KVTEP_A_BIND]		= MNL_TYPE_NESTED,
};

static const enum mnl_attr_data_type bind_types[KVTEP_BIND_A_MAX + 1] = {
	[KVTEP_BIND_A_PORT_IFINDEX] = MNL_TYPE_U32,
	[KVTEP_BIND_A_VLAN]	= MNL_TYPE_U16,
	[KVTEP_BIND_A_VNI]	= MNL_TYPE_U32,
	[KVTEP_BIND_A_PORT_KEY]	= MNL_TYPE_U16,
	[KVTEP_BIND_A_STATS]	= MNL_TYPE_NESTED,
};

static int bind_show_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[KVTEP_A_MAX + 1];
	const struct nlattr *bt[KVTEP_BIND_A_MAX + 1];
	char name[IF_NAMESIZE];

	(void)data;
	attrs_parse(nlh, NULL, top_types, KVTEP_A_MAX, tb);
	if (!tb[KVTEP_A_BIND])
		return 0;
	attrs_parse(NULL, tb[KVTEP_A_BIND], bind_types, KVTEP_BIND_A_MAX, bt);
	open_json_object(NULL);
	if (bt[KVTEP_BIND_A_PORT_IFINDEX]) {
		uint32_t idx = mnl_attr_get_u32(bt[KVTEP_BIND_A_PORT_IFINDEX]);

		print_string(PRINT_ANY, "port", "port %s", ifname_of(idx, name));
		print_uint(PRINT_JSON, "port_ifindex", NULL, idx);
	}
	if (bt[KVTEP_BIND_A_VLAN])
		print_uint(PRINT_ANY, "vlan", " vlan %u",
			   mnl_attr_get_u16(bt[KVTEP_BIND_A_VLAN]));
	if (bt[KVTEP_BIND_A_VNI])
		print_uint(PRINT_ANY, "vni", " vni %u",
			   mnl_attr_get_u32(bt[KVTEP_BIND_A_VNI]));
	if (bt[KVTEP_BIND_A_PORT_KEY] && mnl_attr_get_u16(bt[KVTEP_BIND_A_PORT_KEY]))
		print_uint(PRINT_ANY, "port_key", " ovn-key %u",
			   mnl_attr_get_u16(bt[KVTEP_BIND_A_PORT_KEY]));
	if (bt[KVTEP_BIND_A_STATS])
		print_stats_nest("stats", bt[KVTEP_BIND_A_STATS], false, "    ");
	print_nl(NULL);
	close_json_object();
	return 0;
}

static int bind_show(int argc, char **argv)
{
	return show_dev_dump("bind", argc, argv, KVTEP_CMD_BIND_GET, bind_show_cb);
}

static int bind_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	bind_usage(stdout);
	return KVTEP_EXIT_OK;
}

static const struct cmd bind_cmds[] = {
	{ "add",  bind_add,  NULL, "add a binding" },
	{ "del",  bind_del,  NULL, "remove a binding" },
	{ "show", bind_show, NULL, "list bindings" },
	{ "list", bind_show, NULL, "same as show" },
	{ "help", bind_help, NULL, "usage" },
	{ 0 }
};

int do_bind(int argc, char **argv)
{
	if (argc < 1)
		return usage_error("bind: missing command");
	return cmd_dispatch(bind_cmds, "bind command", argc, argv);
}
