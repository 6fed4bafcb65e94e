// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvtepctl flood: the flood lists (BUM destinations) of logical switches.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/kvtep.h>

#include "kvtepctl.h"
#include "common.h"
#include "print.h"

#define FLOOD_MAX_REMOTES	1024	/* the kernel's limit */

void flood_usage(FILE *f)
{
	fprintf(f,
		"Usage: kvtepctl flood set DEV vni N [remote IP [port P] [encap E]]...\n"
		"       kvtepctl flood add DEV vni N remote IP [port P] [encap E] [remote ...]...\n"
		"       kvtepctl flood del DEV vni N remote IP [port P] [encap E] [remote ...]...\n"
		"       kvtepctl flood show DEV [vni N]\n"
		"       kvtepctl flood help\n"
		"\n"
		"  set       replace the whole flood list of VNI N (no remote: empty it)\n"
		"  add       add remotes to it\n"
		"  del       remove remotes from it (all must be in it)\n"
		"  show      flood lists of DEV, or of one logical switch\n"
		"  E         vxlan | geneve (default: the logical switch's encap); one\n"
		"            flood list may mix both, each remote gets its own\n"
		"\n"
		"Broadcast, unknown unicast and unregistered multicast frames go to the\n"
		"flood list (every remote for replication source_node).\n"
		"\n"
		"JSON keys: vni replication remotes[{ip port encap}].\n");
}

static int flood_change(int argc, char **argv, uint8_t cmd)
{
	static struct remote_arg remotes[FLOOD_MAX_REMOTES];
	unsigned int n = 0, i;
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	struct nl_ctx *nl;
	uint32_t vni = 0;
	const char *v;
	int j, ret;

	if (argc < 1)
		return usage_error("missing DEV");
	if (parse_ifname(argv[0], "DEV"))
		return KVTEP_EXIT_USAGE;
	for (j = 1; j < argc; j++) {
		if (!strcmp(argv[j], "vni") && !vni) {
			if (next_arg(argc, argv, &j, &v) || parse_vni(v, &vni))
				return KVTEP_EXIT_USAGE;
		} else if (!strcmp(argv[j], "remote")) {
			if (n >= FLOOD_MAX_REMOTES)
				return usage_error("too many remotes (max %d)",
						   FLOOD_MAX_REMOTES);
			if (next_arg(argc, argv, &j, &v) || parse_ip(v, &remotes[n]))
				return KVTEP_EXIT_USAGE;
			n++;
		} else if (n && (ret = parse_remote_opt(argc, argv, &j, &remotes[n - 1]))) {
			/* "port P" / "encap E" of the remote just before. */
			if (ret != 1)
				return ret;
		} else {
			return usage_error("unexpected or duplicate argument \"%s\"", argv[j]);
		}
	}
	if (!vni)
		return usage_error("missing \"vni N\"");
	if (!n && cmd != KVTEP_CMD_FLOOD_SET)
		return usage_error("missing \"remote IP\"");

	nl = kvtep_nl();
	if (!nl)
		return KVTEP_EXIT_FAIL;
	nlh = nl_req_start(nl, cmd, 0);
	mnl_attr_put_strz(nlh, KVTEP_A_IFNAME, argv[0]);
	nest = mnl_attr_nest_start(nlh, KVTEP_A_LS);
	mnl_attr_put_u32(nlh, KVTEP_LS_A_VNI, vni);
	mnl_attr_nest_end(nlh, nest);
	for (i = 0; i < n; i++)
		remote_put(nlh, KVTEP_A_REMOTE, &remotes[i]);
	return nl_exit_code(nl_talk(nl, nlh, NULL, NULL));
}

static int flood_set(int argc, char **argv)
{
	return flood_change(argc, argv, KVTEP_CMD_FLOOD_SET);
}

static int flood_add(int argc, char **argv)
{
	return flood_change(argc, argv, KVTEP_CMD_FLOOD_ADD);
}

static int flood_del(int argc, char **argv)
{
	return flood_change(argc, argv, KVTEP_CMD_FLOOD_DEL);
}

static const enum mnl_attr_data_type top_types[KVTEP_A_MAX + 1] = {
	[KVTEP_A_IFINDEX]	= MNL_TYPE_U32,
	[KVTEP_A_LS]		= MNL_TYPE_NESTED,
	[KVTEP_A_REMOTE]	= MNL_TYPE_NESTED,
};

static const enum mnl_attr_data_type ls_types[KVTEP_LS_A_MAX + 1] = {
	[KVTEP_LS_A_VNI]	 = MNL_TYPE_U32,
	[KVTEP_LS_A_REPLICATION] = MNL_TYPE_U8,
};

static int flood_show_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[KVTEP_A_MAX + 1];
	const struct nlattr *lt[KVTEP_LS_A_MAX + 1];
	const struct nlattr *a;
	const char *s;

	(void)data;
	attrs_parse(nlh, NULL, top_types, KVTEP_A_MAX, tb);
	if (!tb[KVTEP_A_LS])
		return 0;
	attrs_parse(NULL, tb[KVTEP_A_LS], ls_types, KVTEP_LS_A_MAX, lt);
	open_json_object(NULL);
	if (lt[KVTEP_LS_A_VNI])
		print_uint(PRINT_ANY, "vni", "vni %u", mnl_attr_get_u32(lt[KVTEP_LS_A_VNI]));
	if (lt[KVTEP_LS_A_REPLICATION]) {
		s = kvtep_repl_name(mnl_attr_get_u8(lt[KVTEP_LS_A_REPLICATION]));
		print_string(PRINT_ANY, "replication", " replication %s", s ? s : "?");
	}
	open_json_array("remotes");
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(a) != KVTEP_A_REMOTE ||
		    mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
			continue;
		print_string(PRINT_TEXT, NULL, "%s", " remote ");
		print_remote_nest(a, false);
	}
	close_json_array();
	print_nl(NULL);
	close_json_object();
	return 0;
}

static int flood_show(int argc, char **argv)
{
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	struct nl_ctx *nl;
	uint32_t vni = 0;
	int err;

	if (argc < 1)
		return usage_error("flood show: missing DEV");
	if (parse_ifname(argv[0], "DEV"))
		return KVTEP_EXIT_USAGE;
	if (argc > 1) {
		if (strcmp(argv[1], "vni"))
			return usage_error("unexpected argument \"%s\"", argv[1]);
		if (argc < 3)
			return usage_error("missing value for \"vni\"");
		if (parse_vni(argv[2], &vni))
			return KVTEP_EXIT_USAGE;
		if (argc > 3)
			return usage_error("unexpected argument \"%s\"", argv[3]);
	}
	nl = kvtep_nl();
	if (!nl)
		return KVTEP_EXIT_FAIL;
	nlh = nl_req_start(nl, KVTEP_CMD_FLOOD_GET, vni ? 0 : NLM_F_DUMP);
	mnl_attr_put_strz(nlh, KVTEP_A_IFNAME, argv[0]);
	if (vni) {
		nest = mnl_attr_nest_start(nlh, KVTEP_A_LS);
		mnl_attr_put_u32(nlh, KVTEP_LS_A_VNI, vni);
		mnl_attr_nest_end(nlh, nest);
	}
	print_list_begin();
	err = nl_talk(nl, nlh, flood_show_cb, NULL);
	print_list_end(!err);
	return nl_exit_code(err);
}

static int flood_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	flood_usage(stdout);
	return KVTEP_EXIT_OK;
}

static const struct cmd flood_cmds[] = {
	{ "set",  flood_set,  NULL, "replace a flood list" },
	{ "add",  flood_add,  NULL, "add remotes" },
	{ "del",  flood_del,  NULL, "remove remotes" },
	{ "show", flood_show, NULL, "list flood lists" },
	{ "list", flood_show, NULL, "same as show" },
	{ "help", flood_help, NULL, "usage" },
	{ 0 }
};

int do_flood(int argc, char **argv)
{
	if (argc < 1)
		return usage_error("flood: missing command");
	return cmd_dispatch(flood_cmds, "flood command", argc, argv);
}
