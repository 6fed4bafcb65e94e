// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvtepctl port: enslave network devices to a kvtep device, list them.
 */
#include <errno.h>
#include <stdio.h>
#include <linux/kvtep.h>

#include "kvtepctl.h"
#include "common.h"
#include "print.h"

void port_usage(FILE *f)
{
	fprintf(f,
		"Usage: kvtepctl port add DEV PORT\n"
		"       kvtepctl port del DEV PORT\n"
		"       kvtepctl port show DEV\n"
		"       kvtepctl port help\n"
		"\n"
		"  add       make the network device PORT a port of the kvtep device DEV\n"
		"            (same as \"ip link set PORT master DEV\")\n"
		"  del       release PORT (its bindings and FDB entries go with it)\n"
		"  show      the ports of DEV\n"
		"\n"
		"JSON keys: ifindex name.\n");
}

static const enum mnl_attr_data_type port_types[KVTEP_PORT_A_MAX + 1] = {
	[KVTEP_PORT_A_IFINDEX]	= MNL_TYPE_U32,
	[KVTEP_PORT_A_IFNAME]	= MNL_TYPE_NUL_STRING,
};

static const enum mnl_attr_data_type top_types[KVTEP_A_MAX + 1] = {
	[KVTEP_A_IFINDEX]	= MNL_TYPE_U32,
	[KVTEP_A_PORT]		= MNL_TYPE_NESTED,
};

static int port_show_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[KVTEP_A_MAX + 1];
	const struct nlattr *pt[KVTEP_PORT_A_MAX + 1];

	(void)data;
	attrs_parse(nlh, NULL, top_types, KVTEP_A_MAX, tb);
	if (!tb[KVTEP_A_PORT])
		return 0;
	attrs_parse(NULL, tb[KVTEP_A_PORT], port_types, KVTEP_PORT_A_MAX, pt);
	open_json_object(NULL);
	if (pt[KVTEP_PORT_A_IFINDEX])
		print_uint(PRINT_ANY, "ifindex", "%u: ",
			   mnl_attr_get_u32(pt[KVTEP_PORT_A_IFINDEX]));
	if (pt[KVTEP_PORT_A_IFNAME])
		print_string(PRINT_ANY, "name", "%s",
			     mnl_attr_get_str(pt[KVTEP_PORT_A_IFNAME]));
	print_nl(NULL);
	close_json_object();
	return 0;
}

static int port_show(int argc, char **argv)
{
	return show_dev_dump("port", argc, argv, KVTEP_CMD_PORT_GET, port_show_cb);
}

static int port_change(int argc, char **argv, uint8_t cmd)
{
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	struct nl_ctx *nl;
	uint32_t ifindex;
	int ret;

	if (argc < 1)
		return usage_error("missing DEV");
	if (argc < 2)
		return usage_error("missing PORT");
	if (argc > 2)
		return usage_error("unexpected argument \"%s\"", argv[2]);
	if (parse_ifname(argv[0], "DEV") || parse_ifname(argv[1], "PORT"))
		return KVTEP_EXIT_USAGE;
	ret = lookup_ifindex(argv[1], &ifindex);
	if (ret)
		return ret;
	nl = kvtep_nl();
	if (!nl)
		return KVTEP_EXIT_FAIL;
	nlh = nl_req_start(nl, cmd, 0);
	mnl_attr_put_strz(nlh, KVTEP_A_IFNAME, argv[0]);
	nest = mnl_attr_nest_start(nlh, KVTEP_A_PORT);
	mnl_attr_put_u32(nlh, KVTEP_PORT_A_IFINDEX, ifindex);
	mnl_attr_nest_end(nlh, nest);
	return nl_exit_code(nl_talk(nl, nlh, NULL, NULL));
}

static int port_add(int argc, char **argv)
{
	return port_change(argc, argv, KVTEP_CMD_PORT_ADD);
}

static int port_del(int argc, char **argv)
{
	return port_change(argc, argv, KVTEP_CMD_PORT_DEL);
}

static int port_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	port_usage(stdout);
	return KVTEP_EXIT_OK;
}

static const struct cmd port_cmds[] = {
	{ "add",  port_add,  NULL, "add a port" },
	{ "del",  port_del,  NULL, "remove a port" },
	{ "show", port_show, NULL, "list ports" },
	{ "list", port_show, NULL, "same as show" },
	{ "help", port_help, NULL, "usage" },
	{ 0 }
};

int do_port(int argc, char **argv)
{
	if (argc < 1)
		return usage_error("port: missing command");
	return cmd_dispatch(port_cmds, "port command", argc, argv);
}
