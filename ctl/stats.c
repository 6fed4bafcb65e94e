// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvtepctl stats: device counters and every drop reason.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/kvtep.h>

#include "kvtepctl.h"
#include "common.h"
#include "print.h"

void stats_usage(FILE *f)
{
	fprintf(f,
		"Usage: kvtepctl stats DEV\n"
		"       kvtepctl stats help\n"
		"\n"
		"Counters of DEV: frames from and to local ports (rx, tx), into and out of\n"
		"tunnels (encap, decap), and the drops by reason. Per logical switch and\n"
		"per binding counters: \"kvtepctl ls show\", \"kvtepctl bind show\".\n"
		"\n"
		"JSON: [{ifindex, name, stats: {rx_packets rx_bytes tx_packets tx_bytes\n"
		"  encap_packets encap_bytes decap_packets decap_bytes, drops: {REASON: N}}}]\n"
		"Drop reasons: no_binding no_ls bad_vxlan_flags vxlan_reserved (counted,\n"
		"  not dropped) truncated runt fdb_full mtu no_route no_local_ip nomem xmit\n"
		"  geneve_version geneve_optlen geneve_critical geneve_oam geneve_proto\n"
		"  split_horizon no_dest loop dev_tx bad_length static_move (counted, not\n"
		"  dropped: a source MAC with a static entry elsewhere was not learned).\n");
}

static const enum mnl_attr_data_type top_types[KVTEP_A_MAX + 1] = {
	[KVTEP_A_IFINDEX]	= MNL_TYPE_U32,
	[KVTEP_A_IFNAME]	= MNL_TYPE_NUL_STRING,
	[KVTEP_A_STATS]		= MNL_TYPE_NESTED,
};

static int stats_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[KVTEP_A_MAX + 1];

	(void)data;
	attrs_parse(nlh, NULL, top_types, KVTEP_A_MAX, tb);
	open_json_object(NULL);
	print_dev_ident(tb[KVTEP_A_IFINDEX], tb[KVTEP_A_IFNAME]);
	if (tb[KVTEP_A_STATS])
		print_stats_nest("stats", tb[KVTEP_A_STATS], true, "    ");
	print_nl(NULL);
	close_json_object();
	return 0;
}

int do_stats(int argc, char **argv)
{
	struct nlmsghdr *nlh;
	struct nl_ctx *nl;
	int err;

	if (argc < 1)
		return usage_error("stats: missing DEV");
	if (is_help(argv[0])) {
		stats_usage(stdout);
		return KVTEP_EXIT_OK;
	}
	if (argc > 1)
		return usage_error("unexpected argument \"%s\"", argv[1]);
	if (parse_ifname(argv[0], "DEV"))
		return KVTEP_EXIT_USAGE;
	nl = kvtep_nl();
	if (!nl)
		return KVTEP_EXIT_FAIL;
	nlh = nl_req_start(nl, KVTEP_CMD_STATS_GET, 0);
	mnl_attr_put_strz(nlh, KVTEP_A_IFNAME, argv[0]);
	print_list_begin();
	err = nl_talk(nl, nlh, stats_cb, NULL);
	print_list_end(!err);
	return nl_exit_code(err);
}
