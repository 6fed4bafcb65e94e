// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvtepctl fdb: forwarding database entries of the logical switches.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <linux/kvtep.h>

#include "kvtepctl.h"
#include "common.h"
#include "print.h"

#define FDB_MAX_REMOTES	1024	/* the kernel's limit per multicast MAC */

void fdb_usage(FILE *f)
{
	fprintf(f,
		"Usage: kvtepctl fdb add DEV vni N mac MAC\n"
		"                    {remote IP [port P] [encap E] [remote ...]... [ovn-key K] |\n"
		"                     port PORT [vlan V]} [replace]\n"
		"       kvtepctl fdb del DEV vni N mac MAC\n"
		"       kvtepctl fdb show DEV [vni N]\n"
		"       kvtepctl fdb flush DEV [vni N] [dynamic | type TYPE]\n"
		"                          [remote IP [port P] [encap E]]\n"
		"       kvtepctl fdb help\n"
		"\n"
		"  add       a static entry: MAC is behind the remote VTEP IP (UDP port P,\n"
		"            default the device's port of the encapsulation), or behind\n"
		"            local PORT with VLAN V; a multicast MAC takes one or more remotes\n"
		"  encap     vxlan | geneve: how frames to that remote are wrapped (default:\n"
		"            the logical switch's encap); the same IP with another encap\n"
		"            is another remote\n"
		"  ovn-key   OVN logical egress port key (1..65535) of a remote MAC: sent in\n"
		"            OVN's Geneve option when the LS has ovn-option on\n"
		"  replace   change the entry if it exists (else adding it again fails)\n"
		"  del       remove an entry\n"
		"  show      entries of DEV, or of one logical switch\n"
		"  flush     remove every entry matching all the filters given\n"
		"  dynamic   learned entries only (learned-local and learned-remote)\n"
		"  TYPE      static-remote | static-local | learned-local |\n"
		"            learned-remote | mcast-remote\n"
		"\n"
		"Batch mode (kvtepctl -b FILE) packs consecutive \"fdb add\" lines of one\n"
		"device into few netlink messages.\n"
		"\n"
		"JSON keys: vni mac type port (name) port_ifindex vlan port_key (the\n"
		"  ovn-key) age_ms\n"
		"  remotes[{ip port encap}].\n");
}

struct fdb_args {
	uint32_t vni;
	uint8_t mac[6];
	bool has_mac, has_vlan, replace, dynamic, has_key;
	int type;				/* -1: none */
	uint16_t key;				/* OVN egress port key */
	const char *port;
	uint16_t vlan;
	unsigned int n_remotes;
	/* Last: not cleared between lines (parse_ip() clears each). */
	struct remote_arg remotes[FDB_MAX_REMOTES];
};

enum fdb_op { FDB_ADD, FDB_DEL, FDB_SHOW, FDB_FLUSH };

/* Parse "DEV ARGS..." for @op into @a. Returns 0 or an exit code. */
static int fdb_parse(int argc, char **argv, enum fdb_op op, struct fdb_args *a)
{
	bool has_vni = false;
	const char *v;
	int i, ret;

	memset(a, 0, offsetof(struct fdb_args, remotes));
	a->type = -1;
	if (argc < 1)
		return usage_error("missing DEV");
	if (parse_ifname(argv[0], "DEV"))
		return KVTEP_EXIT_USAGE;
	for (i = 1; i < argc; i++) {
		const char *w = argv[i];

		if (!strcmp(w, "vni") && !has_vni) {
			if (next_arg(argc, argv, &i, &v) || parse_vni(v, &a->vni))
				return KVTEP_EXIT_USAGE;
			has_vni = true;
		} else if (!strcmp(w, "mac") && !a->has_mac &&
			   (op == FDB_ADD || op == FDB_DEL)) {
			if (next_arg(argc, argv, &i, &v) || parse_mac(v, a->mac))
				return KVTEP_EXIT_USAGE;
			a->has_mac = true;
		} else if (!strcmp(w, "remote") && (op == FDB_ADD ||
			   (op == FDB_FLUSH && !a->n_remotes))) {
			if (a->n_remotes >= FDB_MAX_REMOTES)
				return usage_error("too many remotes (max %d)",
						   FDB_MAX_REMOTES);
			if (next_arg(argc, argv, &i, &v) ||
			    parse_ip(v, &a->remotes[a->n_remotes]))
				return KVTEP_EXIT_USAGE;
			a->n_remotes++;
		} else if (a->n_remotes && (op == FDB_ADD || op == FDB_FLUSH) &&
			   (ret = parse_remote_opt(argc, argv, &i,
						   &a->remotes[a->n_remotes - 1]))) {
			/* "port P" / "encap E" right after "remote IP": its own. */
			if (ret != 1)
				return ret;
		} else if (!strcmp(w, "ovn-key") && !a->has_key && op == FDB_ADD) {
			unsigned long long k;

			if (next_arg(argc, argv, &i, &v) ||
			    parse_ull(v, "ovn-key", 1, 65535, &k))
				return KVTEP_EXIT_USAGE;
			a->key = k;
			a->has_key = true;
		} else if (!strcmp(w, "port") && !a->port && op == FDB_ADD) {
			if (next_arg(argc, argv, &i, &a->port) ||
			    parse_ifname(a->port, "port"))
				return KVTEP_EXIT_USAGE;
		} else if (!strcmp(w, "vlan") && !a->has_vlan && op == FDB_ADD) {
			if (next_arg(argc, argv, &i, &v) || parse_vlan(v, &a->vlan))
				return KVTEP_EXIT_USAGE;
			a->has_vlan = true;
		} else if (!strcmp(w, "replace") && !a->replace && op == FDB_ADD) {
			a->replace = true;
		} else if (!strcmp(w, "dynamic") && op == FDB_FLUSH &&
			   !a->dynamic && a->type < 0) {
			a->dynamic = true;
		} else if (!strcmp(w, "type") && op == FDB_FLUSH &&
			   !a->dynamic && a->type < 0) {
			if (next_arg(argc, argv, &i, &v))
				return KVTEP_EXIT_USAGE;
			a->type = kvtep_fdb_type_parse(v);
			if (a->type < 0)
				return usage_error("invalid type \"%s\": expected static-remote|static-local|learned-local|learned-remote|mcast-remote",
						   v);
		} else {
			return usage_error("unexpected or duplicate argument \"%s\"", w);
		}
	}

	switch (op) {
	case FDB_ADD:
	case FDB_DEL:
		if (!has_vni)
			return usage_error("missing \"vni N\"");
		if (!a->has_mac)
			return usage_error("missing \"mac MAC\"");
		if (op == FDB_DEL)
			break;
		if (a->port && a->n_remotes)
			return usage_error("\"port PORT\" and \"remote IP\" exclude each other");
		if (!a->port && !a->n_remotes)
			return usage_error("missing \"remote IP\" or \"port PORT\"");
		if (a->has_vlan && !a->port)
			return usage_error("\"vlan\" needs \"port PORT\"");
		if (a->has_key && a->port)
			return usage_error("\"ovn-key\" is for remote entries (bind add takes a port's key)");
		if (a->n_remotes > 1 && !(a->mac[0] & 1))
			return usage_error("several remotes need a multicast mac");
		break;
	case FDB_SHOW:
	case FDB_FLUSH:
		break;
	}
	return 0;
}

/* Append the KVTEP_A_FDB nest of an add or delete. */
static int fdb_put_entry(struct nlmsghdr *nlh, const struct fdb_args *a,
			 enum fdb_op op)
{
	struct nlattr *nest;
	uint32_t ifindex;
	unsigned int i;
	int ret;

	if (a->port) {
		ret = lookup_ifindex(a->port, &ifindex);
		if (ret)
			return ret;
	}
	nest = mnl_attr_nest_start(nlh, KVTEP_A_FDB);
	mnl_attr_put_u32(nlh, KVTEP_FDB_A_VNI, a->vni);
	mnl_attr_put(nlh, KVTEP_FDB_A_MAC, 6, a->mac);
	if (op == FDB_ADD) {
		if (a->port) {
			mnl_attr_put_u32(nlh, KVTEP_FDB_A_PORT_IFINDEX, ifindex);
			mnl_attr_put_u16(nlh, KVTEP_FDB_A_VLAN, a->vlan);
		}
		for (i = 0; i < a->n_remotes; i++)
			remote_put(nlh, KVTEP_FDB_A_REMOTE, &a->remotes[i]);
		if (a->has_key)
			mnl_attr_put_u16(nlh, KVTEP_FDB_A_PORT_KEY, a->key);
	}
	mnl_attr_nest_end(nlh, nest);
	return 0;
}

int fdb_add_parse_put(struct nlmsghdr *nlh, int argc, char **argv,
		      bool *replace)
{
	static struct fdb_args a;	/* big: 1024 remotes */
	int ret;

	ret = fdb_parse(argc, argv, FDB_ADD, &a);
	if (ret)
		return ret;
	*replace = a.replace;
	return fdb_put_entry(nlh, &a, FDB_ADD);
}

static int fdb_change(int argc, char **argv, enum fdb_op op)
{
	static struct fdb_args a;
	struct nlmsghdr *nlh;
	struct nl_ctx *nl;
	int ret;

	ret = fdb_parse(argc, argv, op, &a);
	if (ret)
		return ret;
	nl = kvtep_nl();
	if (!nl)
		return KVTEP_EXIT_FAIL;
	nlh = nl_req_start(nl, op == FDB_ADD ? KVTEP_CMD_FDB_ADD : KVTEP_CMD_FDB_DEL,
			   op == FDB_ADD ? (NLM_F_CREATE |
					    (a.replace ? NLM_F_REPLACE : NLM_F_EXCL)) : 0);
	mnl_attr_put_strz(nlh, KVTEP_A_IFNAME, argv[0]);
	ret = fdb_put_entry(nlh, &a, op);
	if (ret)
		return ret;
	return nl_exit_code(nl_talk(nl, nlh, NULL, NULL));
}

static int fdb_add(int argc, char **argv)
{
	return fdb_change(argc, argv, FDB_ADD);
}

static int fdb_del(int argc, char **argv)
{
	return fdb_change(argc, argv, FDB_DEL);
}

static const enum mnl_attr_data_type top_types[KVTEP_A_MAX + 1] = {
	[KVTEP_A_IFINDEX]	= MNL_TYPE_U32,
	[KVTEP_A_FDB]		= MNL_TYPE_NESTED,
};

static const enum mnl_attr_data_type fdb_types[KVTEP_FDB_A_MAX + 1] = {
	[KVTEP_FDB_A_VNI]	= MNL_TYPE_U32,
	[KVTEP_FDB_A_MAC]	= MNL_TYPE_BINARY,
	[KVTEP_FDB_A_TYPE]	= MNL_TYPE_U8,
	[KVTEP_FDB_A_REMOTE]	= MNL_TYPE_NESTED,
	[KVTEP_FDB_A_PORT_IFINDEX] = MNL_TYPE_U32,
	[KVTEP_FDB_A_VLAN]	= MNL_TYPE_U16,
	[KVTEP_FDB_A_AGE]	= MNL_TYPE_U32,
	[KVTEP_FDB_A_EVENT]	= MNL_TYPE_U8,
	[KVTEP_FDB_A_PORT_KEY]	= MNL_TYPE_U16,
};

void fdb_print_msg(const struct nlmsghdr *nlh, bool event)
{
	const struct nlattr *tb[KVTEP_A_MAX + 1];
	const struct nlattr *ft[KVTEP_FDB_A_MAX + 1];
	const struct nlattr *a;
	char name[IF_NAMESIZE];
	const char *s;
	bool remotes = false;

	attrs_parse(nlh, NULL, top_types, KVTEP_A_MAX, tb);
	if (!tb[KVTEP_A_FDB])
		return;
	attrs_parse(NULL, tb[KVTEP_A_FDB], fdb_types, KVTEP_FDB_A_MAX, ft);
	open_json_object(NULL);
	if (event) {
		if (ft[KVTEP_FDB_A_EVENT]) {
			s = kvtep_fdb_event_name(mnl_attr_get_u8(ft[KVTEP_FDB_A_EVENT]));
			print_string(PRINT_ANY, "event", "%s ", s ? s : "unknown");
		}
		if (tb[KVTEP_A_IFINDEX])
			print_string(PRINT_ANY, "dev", "dev %s ",
				     ifname_of(mnl_attr_get_u32(tb[KVTEP_A_IFINDEX]), name));
	}
	if (ft[KVTEP_FDB_A_VNI])
		print_uint(PRINT_ANY, "vni", "vni %u", mnl_attr_get_u32(ft[KVTEP_FDB_A_VNI]));
	if (ft[KVTEP_FDB_A_MAC] && mnl_attr_get_payload_len(ft[KVTEP_FDB_A_MAC]) == 6)
		print_mac("mac", " mac %s", mnl_attr_get_payload(ft[KVTEP_FDB_A_MAC]));
	if (ft[KVTEP_FDB_A_TYPE]) {
		s = kvtep_fdb_type_name(mnl_attr_get_u8(ft[KVTEP_FDB_A_TYPE]));
		if (s)
			print_string(PRINT_ANY, "type", " %s", s);
		else
			print_uint(PRINT_ANY, "type", " type %u",
				   mnl_attr_get_u8(ft[KVTEP_FDB_A_TYPE]));
	}
	if (ft[KVTEP_FDB_A_PORT_IFINDEX]) {
		uint32_t idx = mnl_attr_get_u32(ft[KVTEP_FDB_A_PORT_IFINDEX]);

		print_string(PRINT_ANY, "port", " port %s", ifname_of(idx, name));
		print_uint(PRINT_JSON, "port_ifindex", NULL, idx);
	}
	if (ft[KVTEP_FDB_A_VLAN])
		print_uint(PRINT_ANY, "vlan", " vlan %u", mnl_attr_get_u16(ft[KVTEP_FDB_A_VLAN]));
	if (ft[KVTEP_FDB_A_PORT_KEY])
		print_uint(PRINT_ANY, "port_key", " ovn-key %u",
			   mnl_attr_get_u16(ft[KVTEP_FDB_A_PORT_KEY]));
	mnl_attr_for_each_nested(a, tb[KVTEP_A_FDB]) {
		if (mnl_attr_get_type(a) != KVTEP_FDB_A_REMOTE ||
		    mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
			continue;
		if (!remotes)
			open_json_array("remotes");
		remotes = true;
		print_string(PRINT_TEXT, NULL, "%s", " remote ");
		print_remote_nest(a, false);
	}
	if (remotes)
		close_json_array();
	if (ft[KVTEP_FDB_A_AGE] && !event)
		print_uint(PRINT_ANY, "age_ms", " age %ums",
			   mnl_attr_get_u32(ft[KVTEP_FDB_A_AGE]));
	print_nl(NULL);
	close_json_object();
}

static int fdb_show_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)data;
	fdb_print_msg(nlh, false);
	return 0;
}

static int fdb_show(int argc, char **argv)
{
	static struct fdb_args a;
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	struct nl_ctx *nl;
	int err;

	err = fdb_parse(argc, argv, FDB_SHOW, &a);
	if (err)
		return err;
	nl = kvtep_nl();
	if (!nl)
		return KVTEP_EXIT_FAIL;
	nlh = nl_req_start(nl, KVTEP_CMD_FDB_GET, NLM_F_DUMP);
	mnl_attr_put_strz(nlh, KVTEP_A_IFNAME, argv[0]);
	if (a.vni) {
		nest = mnl_attr_nest_start(nlh, KVTEP_A_FDB);
		mnl_attr_put_u32(nlh, KVTEP_FDB_A_VNI, a.vni);
		mnl_attr_nest_end(nlh, nest);
	}
	print_list_begin();
	err = nl_talk(nl, nlh, fdb_show_cb, NULL);
	print_list_end(!err);
	return nl_exit_code(err);
}

static int fdb_flush_req(struct nl_ctx *nl, const char *dev,
			 const struct fdb_args *a, int type, uint32_t type_mask)
{
	struct nlmsghdr *nlh;
	struct nlattr *nest;

	nlh = nl_req_start(nl, KVTEP_CMD_FDB_FLUSH, 0);
	mnl_attr_put_strz(nlh, KVTEP_A_IFNAME, dev);
	nest = mnl_attr_nest_start(nlh, KVTEP_A_FDB);
	if (a->vni)
		mnl_attr_put_u32(nlh, KVTEP_FDB_A_VNI, a->vni);
	if (type >= 0)
		mnl_attr_put_u8(nlh, KVTEP_FDB_A_TYPE, type);
	if (type_mask)
		mnl_attr_put_u32(nlh, KVTEP_FDB_A_TYPE_MASK, type_mask);
	if (a->n_remotes)
		remote_put(nlh, KVTEP_FDB_A_REMOTE, &a->remotes[0]);
	mnl_attr_nest_end(nlh, nest);
	return nl_talk(nl, nlh, NULL, NULL);
}

static int fdb_flush(int argc, char **argv)
{
	static struct fdb_args a;
	struct nl_ctx *nl;
	int err;

	err = fdb_parse(argc, argv, FDB_FLUSH, &a);
	if (err)
		return err;
	nl = kvtep_nl();
	if (!nl)
		return KVTEP_EXIT_FAIL;
	/* "dynamic": both learned types, in one request. */
	return nl_exit_code(fdb_flush_req(nl, argv[0], &a, a.type,
					  a.dynamic ? (1u << KVTEP_FDB_LEARNED_LOCAL) |
						      (1u << KVTEP_FDB_LEARNED_REMOTE) : 0));
}

static int fdb_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fdb_usage(stdout);
	return KVTEP_EXIT_OK;
}

static const struct cmd fdb_cmds[] = {
	{ "add",   fdb_add,   NULL, "add entries" },
	{ "del",   fdb_del,   NULL, "remove an entry" },
	{ "show",  fdb_show,  NULL, "list entries" },
	{ "list",  fdb_show,  NULL, "same as show" },
	{ "flush", fdb_flush, NULL, "remove matching entries" },
	{ "help",  fdb_help,  NULL, "usage" },
	{ 0 }
};

int do_fdb(int argc, char **argv)
{
	if (argc < 1)
		return usage_error("fdb: missing command");
	return cmd_dispatch(fdb_cmds, "fdb command", argc, argv);
}
