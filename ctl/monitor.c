// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvtepctl monitor: print FDB events (learn, move, age, del) as they come.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/kvtep.h>
#include <linux/netlink.h>
#include <sys/socket.h>

#include "kvtepctl.h"
#include "common.h"
#include "print.h"

#define MONITOR_BUF_SIZE	65536
#define MONITOR_RCVBUF		(8 << 20)

void monitor_usage(FILE *f)
{
	fprintf(f,
		"Usage: kvtepctl [-j] monitor [fdb]\n"
		"       kvtepctl monitor help\n"
		"\n"
		"Print one line (with -j: one JSON object) per FDB event of every kvtep\n"
		"device of this network namespace, until killed:\n"
		"  EVENT dev DEV vni N mac MAC TYPE [port PORT vlan V] [remote IP ...]\n"
		"EVENT: learn (new learned entry), move (learned MAC changed place),\n"
		"age (expired), del (removed).\n"
		"\n"
		"JSON keys: event dev vni mac type port port_ifindex vlan port_key\n"
		"  remotes[{ip port encap}].\n");
}

int do_monitor(int argc, char **argv)
{
	static char buf[MONITOR_BUF_SIZE];
	int rcvbuf = MONITOR_RCVBUF;
	struct nl_ctx *nl;
	int grp, n;

	if (argc > 0 && is_help(argv[0])) {
		monitor_usage(stdout);
		return KVTEP_EXIT_OK;
	}
	if (argc > 0 && strcmp(argv[0], "fdb"))
		return usage_error("unexpected argument \"%s\"", argv[0]);
	if (argc > 1)
		return usage_error("unexpected argument \"%s\"", argv[1]);

	nl = kvtep_nl();
	if (!nl)
		return KVTEP_EXIT_FAIL;
	grp = nl_mcgrp_id(nl, KVTEP_MCGRP_FDB);
	if (grp < 0) {
		fprintf(stderr, "kvtepctl: the kernel has no \"%s\" multicast group\n",
			KVTEP_MCGRP_FDB);
		return KVTEP_EXIT_FAIL;
	}
	/*
	 * Learning can announce thousands of entries in a burst (a MAC
	 * flood): take a large receive buffer, forced past rmem_max when
	 * allowed (CAP_NET_ADMIN), so that fewer events are lost.
	 */
	if (setsockopt(mnl_socket_get_fd(nl->sock), SOL_SOCKET, SO_RCVBUFFORCE,
		       &rcvbuf, sizeof(rcvbuf)) < 0)
		setsockopt(mnl_socket_get_fd(nl->sock), SOL_SOCKET, SO_RCVBUF,
			   &rcvbuf, sizeof(rcvbuf));
	if (mnl_socket_setsockopt(nl->sock, NETLINK_ADD_MEMBERSHIP, &grp,
				  sizeof(grp)) < 0) {
		fprintf(stderr, "kvtepctl: joining multicast group \"%s\": %s\n",
			KVTEP_MCGRP_FDB, strerror(errno));
		return KVTEP_EXIT_FAIL;
	}

	for (;;) {
		const struct nlmsghdr *nlh;

		n = mnl_socket_recvfrom(nl->sock, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				/* We fell behind: say so, and go on. */
				fprintf(stderr, "kvtepctl: events lost (receive buffer overrun)\n");
				continue;
			}
			fprintf(stderr, "kvtepctl: netlink receive: %s\n", strerror(errno));
			return KVTEP_EXIT_FAIL;
		}
		for (nlh = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, n);
		     nlh = mnl_nlmsg_next(nlh, &n)) {
			const struct genlmsghdr *g;

			if (nlh->nlmsg_type != nl->family_id ||
			    nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*g)))
				continue;
			g = mnl_nlmsg_get_payload(nlh);
			if (g->cmd != KVTEP_CMD_FDB_NTF)
				continue;
			fdb_print_msg(nlh, true);
			if (fflush(stdout)) {
				fprintf(stderr, "kvtepctl: write error: %s\n", strerror(errno));
				return KVTEP_EXIT_FAIL;
			}
		}
	}
}
