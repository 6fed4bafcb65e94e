// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvtepctl dev: show and change kvtep device settings.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <linux/kvtep.h>

#include "kvtepctl.h"
#include "common.h"
#include "model.h"
#include "print.h"

void dev_usage(FILE *f)
{
	fprintf(f,
		"Usage: kvtepctl dev [show [DEV]]\n"
		"       kvtepctl dev set DEV [vxlan-port PORT] [geneve-port PORT] [local ADDR]\n"
		"                            [ttl {TTL|auto}] [tos {TOS|inherit}]\n"
		"                            [df {unset|set|inherit}] [udp-csum {on|off}]\n"
		"                            [learning {on|off}] [tunnel-learning {on|off}]\n"
		"                            [ageing SECONDS] [fdb-max N]\n"
		"       kvtepctl dev help\n"
		"\n"
		"  show      all kvtep devices of this network namespace, or DEV\n"
		"  set       change the settings given, leave the others alone\n"
		"\n"
		"  PORT      UDP port 1..65535 (defaults: VXLAN %d, Geneve %d)\n"
		"  ADDR      local tunnel address, IPv4 or IPv6; 0.0.0.0 / :: clears it\n"
		"  ttl       outer TTL / hop limit; auto (0) uses the route's\n"
		"  tos       outer TOS 0..255; inherit (1) copies the inner one\n"
		"  ageing    seconds before learned entries expire, 0 = never\n"
		"  fdb-max   FDB entries per device, 0 = no limit\n"
		"\n"
		"JSON keys: ifindex name vxlan_port geneve_port local_ip4 local_ip6\n"
		"  ttl (number, 0 = auto) tos (number, 1 = inherit) df (string)\n"
		"  learning tunnel_learning udp_csum (booleans) ageing fdb_max\n"
		"  fdb_count generation (numbers).\n",
		KVTEP_VXLAN_PORT_DEFAULT, KVTEP_GENEVE_PORT_DEFAULT);
}

/* --- show ---------------------------------------------------------------- */

static int dev_attr_cb(const struct nlattr *attr, void *data)
{
	static const struct {
		enum mnl_attr_data_type type;
		size_t len;
	} policy[KVTEP_A_MAX + 1] = {
		[KVTEP_A_IFINDEX]		= { .type = MNL_TYPE_U32 },
		[KVTEP_A_IFNAME]		= { .type = MNL_TYPE_NUL_STRING },
		[KVTEP_A_VXLAN_PORT]		= { .type = MNL_TYPE_U16 },
		[KVTEP_A_GENEVE_PORT]		= { .type = MNL_TYPE_U16 },
		[KVTEP_A_LOCAL_IP4]		= { .type = MNL_TYPE_BINARY, .len = 4 },
		[KVTEP_A_LOCAL_IP6]		= { .type = MNL_TYPE_BINARY, .len = 16 },
		[KVTEP_A_TTL]			= { .type = MNL_TYPE_U8 },
		[KVTEP_A_TOS]			= { .type = MNL_TYPE_U8 },
		[KVTEP_A_DF]			= { .type = MNL_TYPE_U8 },
		[KVTEP_A_LEARNING]		= { .type = MNL_TYPE_U8 },
		[KVTEP_A_TUNNEL_LEARNING]	= { .type = MNL_TYPE_U8 },
		[KVTEP_A_AGEING]		= { .type = MNL_TYPE_U32 },
		[KVTEP_A_FDB_MAX]		= { .type = MNL_TYPE_U32 },
		[KVTEP_A_FDB_COUNT]		= { .type = MNL_TYPE_U32 },
		[KVTEP_A_UDP_CSUM]		= { .type = MNL_TYPE_U8 },
		[KVTEP_A_GENERATION]		= { .type = MNL_TYPE_U32 },
	};
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(attr);

	/* Attributes from a newer kernel are not an error. */
	if (type > KVTEP_A_MAX || policy[type].type == MNL_TYPE_UNSPEC)
		return MNL_CB_OK;
	if (mnl_attr_validate2(attr, policy[type].type, policy[type].len) < 0) {
		fprintf(stderr, "kvtepctl: ignoring malformed attribute %s from kernel\n",
			kvtep_attr_name(type));
		return MNL_CB_OK;
	}
	tb[type] = attr;
	return MNL_CB_OK;
}

static void print_addr(const char *key, const char *fmt, int af,
		       const struct nlattr *attr)
{
	char buf[INET6_ADDRSTRLEN];

	if (inet_ntop(af, mnl_attr_get_payload(attr), buf, sizeof(buf)))
		print_string(PRINT_ANY, key, fmt, buf);
}

static void print_dev(const struct nlattr **tb)
{
	const struct nlattr *a;

	open_json_object(NULL);

	print_dev_ident(tb[KVTEP_A_IFINDEX], tb[KVTEP_A_IFNAME]);

	/* Line 1: where the tunnels are. */
	if (tb[KVTEP_A_VXLAN_PORT])
		print_uint(PRINT_ANY, "vxlan_port", " vxlan-port %u",
			   mnl_attr_get_u16(tb[KVTEP_A_VXLAN_PORT]));
	if (tb[KVTEP_A_GENEVE_PORT])
		print_uint(PRINT_ANY, "geneve_port", " geneve-port %u",
			   mnl_attr_get_u16(tb[KVTEP_A_GENEVE_PORT]));
	if (tb[KVTEP_A_LOCAL_IP4])
		print_addr("local_ip4", " local %s", AF_INET, tb[KVTEP_A_LOCAL_IP4]);
	if (tb[KVTEP_A_LOCAL_IP6])
		print_addr("local_ip6", " local %s", AF_INET6, tb[KVTEP_A_LOCAL_IP6]);

	/* Line 2: the outer header. */
	if (tb[KVTEP_A_TTL] || tb[KVTEP_A_TOS] || tb[KVTEP_A_DF] ||
	    tb[KVTEP_A_UDP_CSUM])
		print_nl("   ");
	if ((a = tb[KVTEP_A_TTL])) {
		print_uint(PRINT_JSON, "ttl", NULL, mnl_attr_get_u8(a));
		if (mnl_attr_get_u8(a))
			print_uint(PRINT_TEXT, NULL, " ttl %u", mnl_attr_get_u8(a));
		else
			print_string(PRINT_TEXT, NULL, " ttl %s", "auto");
	}
	if ((a = tb[KVTEP_A_TOS])) {
		print_uint(PRINT_JSON, "tos", NULL, mnl_attr_get_u8(a));
		if (mnl_attr_get_u8(a) == KVTEP_TOS_INHERIT)
			print_string(PRINT_TEXT, NULL, " tos %s", "inherit");
		else
			print_uint(PRINT_TEXT, NULL, " tos 0x%02x", mnl_attr_get_u8(a));
	}
	if ((a = tb[KVTEP_A_DF])) {
		const char *name = kvtep_df_name(mnl_attr_get_u8(a));

		if (name)
			print_string(PRINT_ANY, "df", " df %s", name);
		else
			print_uint(PRINT_ANY, "df", " df %u", mnl_attr_get_u8(a));
	}
	if ((a = tb[KVTEP_A_UDP_CSUM]))
		print_on_off(PRINT_ANY, "udp_csum", " udp-csum %s", mnl_attr_get_u8(a));

	/* Line 3: the forwarding database. */
	if (tb[KVTEP_A_LEARNING] || tb[KVTEP_A_TUNNEL_LEARNING] ||
	    tb[KVTEP_A_AGEING] || tb[KVTEP_A_FDB_MAX] || tb[KVTEP_A_FDB_COUNT] ||
	    tb[KVTEP_A_GENERATION])
		print_nl("   ");
	if ((a = tb[KVTEP_A_LEARNING]))
		print_on_off(PRINT_ANY, "learning", " learning %s", mnl_attr_get_u8(a));
	if ((a = tb[KVTEP_A_TUNNEL_LEARNING]))
		print_on_off(PRINT_ANY, "tunnel_learning", " tunnel-learning %s",
			     mnl_attr_get_u8(a));
	if ((a = tb[KVTEP_A_AGEING]))
		print_uint(PRINT_ANY, "ageing", " ageing %u", mnl_attr_get_u32(a));
	if ((a = tb[KVTEP_A_FDB_MAX]))
		print_uint(PRINT_ANY, "fdb_max", " fdb-max %u", mnl_attr_get_u32(a));
	if ((a = tb[KVTEP_A_FDB_COUNT]))
		print_uint(PRINT_ANY, "fdb_count", " fdb-count %u", mnl_attr_get_u32(a));
	if ((a = tb[KVTEP_A_GENERATION]))
		print_uint(PRINT_ANY, "generation", " generation %u",
			   mnl_attr_get_u32(a));

	print_nl(NULL);
	close_json_object();
}

static int dev_show_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[KVTEP_A_MAX + 1] = { 0 };

	(void)data;
	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), dev_attr_cb, tb) < 0) {
		fprintf(stderr, "kvtepctl: malformed device message from kernel\n");
		return -EBADMSG;
	}
	print_dev(tb);
	return 0;
}

static int check_ifname(const char *name)
{
	if (!*name || strlen(name) >= IFNAMSIZ)
		return usage_error("invalid device name \"%s\"", name);
	return 0;
}

static int dev_show(int argc, char **argv)
{
	struct nlmsghdr *nlh;
	struct nl_ctx *nl;
	int err;

	if (argc > 0 && is_help(argv[0])) {
		dev_usage(stdout);
		return KVTEP_EXIT_OK;
	}
	if (argc > 1)
		return usage_error("unexpected argument \"%s\"", argv[1]);
	if (argc == 1 && check_ifname(argv[0]))
		return KVTEP_EXIT_USAGE;

	nl = kvtep_nl();
	if (!nl)
		return KVTEP_EXIT_FAIL;
	if (argc == 1) {
		nlh = nl_req_start(nl, KVTEP_CMD_DEV_GET, 0);
		mnl_attr_put_strz(nlh, KVTEP_A_IFNAME, argv[0]);
	} else {
		nlh = nl_req_start(nl, KVTEP_CMD_DEV_GET, NLM_F_DUMP);
	}

	print_list_begin();
	err = nl_talk(nl, nlh, dev_show_cb, NULL);
	print_list_end(!err);
	return nl_exit_code(err);
}

/* --- set ----------------------------------------------------------------- */

struct keyword {
	const char *word;
	unsigned int value;
};

static const struct keyword kw_on_off[] = {
	{ "on", 1 }, { "off", 0 }, { 0 }
};
static const struct keyword kw_ttl[] = {
	{ "auto", 0 }, { 0 }
};
static const struct keyword kw_tos[] = {
	{ "inherit", KVTEP_TOS_INHERIT }, { 0 }
};
static const struct keyword kw_df[] = {
	{ "unset", KVTEP_DF_UNSET }, { "set", KVTEP_DF_SET },
	{ "inherit", KVTEP_DF_INHERIT }, { 0 }
};

enum opt_kind {
	OPT_U8,
	OPT_U16,
	OPT_U32,
	OPT_ADDR,	/* local_ip4 or local_ip6 */
};

/*
 * A settable device attribute: the value is one of @words, or, if
 * @numeric, an integer in [min, max]; it lands at @off in the model.
 */
struct dev_opt {
	const char *name;
	uint16_t attr;
	enum opt_kind kind;
	size_t off;
	bool numeric;
	unsigned long long min, max;
	const struct keyword *words;
};

#define F(field)	offsetof(struct kvtep_dev_cfg, field)
#define NUM(n, a, k, f, lo, hi, w) { .name = n, .attr = a, .kind = k, \
	.off = F(f), .numeric = true, .min = lo, .max = hi, .words = w }
#define WORDS(n, a, f, w) { .name = n, .attr = a, .kind = OPT_U8, \
	.off = F(f), .words = w }

static const struct dev_opt dev_opts[] = {
	NUM("vxlan-port",  KVTEP_A_VXLAN_PORT,  OPT_U16, vxlan_port, 1, 65535, NULL),
	NUM("geneve-port", KVTEP_A_GENEVE_PORT, OPT_U16, geneve_port, 1, 65535, NULL),
	{ .name = "local", .attr = KVTEP_A_LOCAL_IP4, .kind = OPT_ADDR },
	NUM("ttl",         KVTEP_A_TTL,         OPT_U8,  ttl, 0, 255, kw_ttl),
	NUM("tos",         KVTEP_A_TOS,         OPT_U8,  tos, 0, 255, kw_tos),
	WORDS("df",        KVTEP_A_DF,          df, kw_df),
	WORDS("udp-csum",  KVTEP_A_UDP_CSUM,    udp_csum, kw_on_off),
	WORDS("learning",  KVTEP_A_LEARNING,    learning, kw_on_off),
	WORDS("tunnel-learning", KVTEP_A_TUNNEL_LEARNING, tunnel_learning, kw_on_off),
	NUM("ageing",      KVTEP_A_AGEING,      OPT_U32, ageing, 0, UINT32_MAX, NULL),
	NUM("fdb-max",     KVTEP_A_FDB_MAX,     OPT_U32, fdb_max, 0, UINT32_MAX, NULL),
	{ 0 }
};

#undef F
#undef NUM
#undef WORDS

static const struct dev_opt *dev_opt_find(const char *name)
{
	const struct dev_opt *o, *found = NULL;
	size_t len = strlen(name);
	int matches = 0;

	for (o = dev_opts; o->name; o++) {
		if (!strcmp(o->name, name))
			return o;
		if (len && !strncmp(o->name, name, len)) {
			found = o;
			matches++;
		}
	}
	if (matches == 1)
		return found;
	if (matches)
		usage_error("ambiguous argument \"%s\"", name);
	else
		usage_error("unknown argument \"%s\"", name);
	return NULL;
}

static void words_list(const struct keyword *w, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (; w && w->word && n < len; w++)
		n += snprintf(buf + n, len - n, "%s%s", n ? "|" : "", w->word);
}

/* Parse @arg for option @o into @cfg. Returns 0 or an exit code. */
static int dev_opt_parse(struct kvtep_dev_cfg *cfg, const struct dev_opt *o,
			 const char *arg)
{
	const struct keyword *w;
	unsigned long long v;
	char *field = (char *)cfg + o->off;
	char words[64];

	if (o->kind == OPT_ADDR) {
		if (inet_pton(AF_INET, arg, cfg->local_ip4) == 1)
			KVTEP_SET(cfg, KVTEP_A_LOCAL_IP4);
		else if (inet_pton(AF_INET6, arg, cfg->local_ip6) == 1)
			KVTEP_SET(cfg, KVTEP_A_LOCAL_IP6);
		else
			return usage_error("invalid %s \"%s\": expected an IPv4 or IPv6 address",
					   o->name, arg);
		return 0;
	}

	for (w = o->words; w && w->word; w++)
		if (!strcmp(w->word, arg))
			break;
	if (w && w->word) {
		v = w->value;
	} else if (o->numeric) {
		if (parse_ull(arg, o->name, o->min, o->max, &v))
			return KVTEP_EXIT_USAGE;
	} else {
		words_list(o->words, words, sizeof(words));
		return usage_error("invalid %s \"%s\": expected %s", o->name, arg, words);
	}

	switch (o->kind) {
	case OPT_U8:
		*(uint8_t *)field = v;
		break;
	case OPT_U16:
		*(uint16_t *)field = v;
		break;
	case OPT_U32:
		*(uint32_t *)field = v;
		break;
	case OPT_ADDR:
		break;
	}
	KVTEP_SET(cfg, o->attr);
	return 0;
}

/* "DEV KEYWORD VALUE..." into @cfg; returns 0 or an exit code. */
static int dev_set_parse(struct kvtep_dev_cfg *cfg, int argc, char **argv)
{
	bool seen[sizeof(dev_opts) / sizeof(dev_opts[0])] = { 0 };
	int i, ret;

	if (argc < 1)
		return usage_error("dev set: missing DEV");
	if (check_ifname(argv[0]))
		return KVTEP_EXIT_USAGE;
	snprintf(cfg->ifname, sizeof(cfg->ifname), "%s", argv[0]);
	KVTEP_SET(cfg, KVTEP_A_IFNAME);
	if (argc < 2)
		return usage_error("dev set %s: nothing to change", argv[0]);

	for (i = 1; i < argc; i += 2) {
		const struct dev_opt *o = dev_opt_find(argv[i]);

		if (!o)
			return KVTEP_EXIT_USAGE;
		if (seen[o - dev_opts])
			return usage_error("duplicate argument \"%s\"", o->name);
		seen[o - dev_opts] = true;
		if (i + 1 >= argc)
			return usage_error("missing value for \"%s\"", o->name);
		ret = dev_opt_parse(cfg, o, argv[i + 1]);
		if (ret)
			return ret;
	}
	return 0;
}

static int dev_set(int argc, char **argv)
{
	struct kvtep_dev_cfg cfg = { 0 };
	struct nlmsghdr *nlh;
	struct nl_ctx *nl;
	int ret;

	if (argc > 0 && is_help(argv[0])) {
		dev_usage(stdout);
		return KVTEP_EXIT_OK;
	}
	/* The whole command line is checked before we talk to the kernel. */
	ret = dev_set_parse(&cfg, argc, argv);
	if (ret)
		return ret;

	nl = kvtep_nl();
	if (!nl)
		return KVTEP_EXIT_FAIL;
	nlh = nl_req_start(nl, KVTEP_CMD_DEV_SET, 0);
	kvtep_dev_cfg_put(nlh, &cfg);
	return nl_exit_code(nl_talk(nl, nlh, NULL, NULL));
}

/* --- dispatch ------------------------------------------------------------ */

static int dev_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	dev_usage(stdout);
	return KVTEP_EXIT_OK;
}

static const struct cmd dev_cmds[] = {
	{ "show", dev_show, NULL, "show devices" },
	{ "list", dev_show, NULL, "same as show" },
	{ "set",  dev_set,  NULL, "change device settings" },
	{ "help", dev_help, NULL, "usage" },
	{ 0 }
};

int do_dev(int argc, char **argv)
{
	if (argc < 1)
		return dev_show(0, NULL);
	return cmd_dispatch(dev_cmds, "dev command", argc, argv);
}
