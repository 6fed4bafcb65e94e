// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvtepctl remote: the tunnel destinations a device knows, with their
 * reference counts (FDB entries and flood lists pointing at them).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/kvtep.h>

#include "kvtepctl.h"
#include "common.h"
#include "print.h"

void remote_usage(FILE *f)
{
	fprintf(f,
		"Usage: kvtepctl remote show DEV\n"
		"       kvtepctl remote help\n"
		"\n"
		"  show      remotes (tunnel destinations) of DEV; they are created and\n"
		"            freed with the FDB entries and flood lists using them\n"
		"\n"
		"JSON keys: ip port encap refcnt.\n");
}

static int remote_show_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *a;

	(void)data;
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(a) != KVTEP_A_REMOTE ||
		    mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
			continue;
		print_remote_nest(a, true);
		print_nl(NULL);
	}
	return 0;
}

static int remote_show(int argc, char **argv)
{
	return show_dev_dump("remote", argc, argv, KVTEP_CMD_REMOTE_GET, remote_show_cb);
}

static int remote_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	remote_usage(stdout);
	return KVTEP_EXIT_OK;
}

static const struct cmd remote_cmds[] = {
	{ "show", remote_show, NULL, "list remotes" },
	{ "list", remote_show, NULL, "same as show" },
	{ "help", remote_help, NULL, "usage" },
	{ 0 }
};

int do_remote(int argc, char **argv)
{
	if (argc < 1)
		return usage_error("remote: missing command");
	return cmd_dispatch(remote_cmds, "remote command", argc, argv);
}
