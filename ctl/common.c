// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvtepctl: helpers shared by the object commands.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <linux/kvtep.h>

#include "kvtepctl.h"
#include "common.h"
#include "model.h"
#include "nl.h"
#include "print.h"

int parse_ifname(const char *arg, const char *what)
{
	if (!*arg || strlen(arg) >= IFNAMSIZ || strchr(arg, '/') ||
	    strchr(arg, ' '))
		return usage_error("invalid %s \"%s\"", what, arg);
	return 0;
}

int parse_vni(const char *arg, uint32_t *vni)
{
	unsigned long long v;

	if (parse_ull(arg, "vni", 1, KVTEP_VNI_MAX, &v))
		return KVTEP_EXIT_USAGE;
	*vni = v;
	return 0;
}

int parse_vlan(const char *arg, uint16_t *vlan)
{
	unsigned long long v;

	if (parse_ull(arg, "vlan", 0, KVTEP_VLAN_MAX, &v))
		return KVTEP_EXIT_USAGE;
	*vlan = v;
	return 0;
}

int parse_mac(const char *arg, uint8_t mac[6])
{
	unsigned int b[6];
	char tail;
	int i;

	if (strlen(arg) != 17 ||
	    sscanf(arg, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2],
		   &b[3], &b[4], &b[5], &tail) != 6)
		return usage_error("invalid mac \"%s\": expected xx:xx:xx:xx:xx:xx", arg);
	for (i = 0; i < 6; i++) {
		if (arg[i * 3] == ' ' || arg[i * 3] == '+' || arg[i * 3] == '-')
			return usage_error("invalid mac \"%s\": expected xx:xx:xx:xx:xx:xx",
					   arg);
		mac[i] = b[i];
	}
	return 0;
}

int parse_ip(const char *arg, struct remote_arg *r)
{
	memset(r, 0, sizeof(*r));
	if (inet_pton(AF_INET, arg, r->addr) == 1)
		r->family = AF_INET;
	else if (inet_pton(AF_INET6, arg, r->addr) == 1)
		r->family = AF_INET6;
	else
		return usage_error("invalid remote \"%s\": expected an IPv4 or IPv6 address",
				   arg);
	return 0;
}

int parse_encap(const char *arg, uint8_t *encap)
{
	if (!strcmp(arg, "vxlan"))
		*encap = KVTEP_ENCAP_VXLAN;
	else if (!strcmp(arg, "geneve"))
		*encap = KVTEP_ENCAP_GENEVE;
	else
		return usage_error("invalid encap \"%s\": expected vxlan|geneve", arg);
	return 0;
}

int parse_on_off(const char *arg, const char *what, bool *val)
{
	if (!strcmp(arg, "on"))
		*val = true;
	else if (!strcmp(arg, "off"))
		*val = false;
	else
		return usage_error("invalid %s \"%s\": expected on|off", what, arg);
	return 0;
}

int parse_remote_opt(int argc, char **argv, int *i, struct remote_arg *r)
{
	unsigned long long p;
	const char *v = NULL;

	if (!strcmp(argv[*i], "port") && !r->has_port) {
		if (next_arg(argc, argv, i, &v) ||
		    parse_ull(v, "UDP port", 1, 65535, &p))
			return KVTEP_EXIT_USAGE;
		r->has_port = true;
		r->port = p;
		return 1;
	}
	if (!strcmp(argv[*i], "encap") && !r->has_encap) {
		if (next_arg(argc, argv, i, &v) || parse_encap(v, &r->encap))
			return KVTEP_EXIT_USAGE;
		r->has_encap = true;
		return 1;
	}
	return 0;
}

int lookup_ifindex(const char *name, uint32_t *ifindex)
{
	unsigned int idx = if_nametoindex(name);

	if (!idx) {
		fprintf(stderr, "kvtepctl: cannot find device \"%s\": %s\n", name,
			strerror(errno));
		return KVTEP_EXIT_FAIL;
	}
	*ifindex = idx;
	return 0;
}

int next_arg(int argc, char **argv, int *i, const char **val)
{
	if (*i + 1 >= argc)
		return usage_error("missing value for \"%s\"", argv[*i]);
	*i += 1;
	*val = argv[*i];
	return 0;
}

/* The model's encoder (model.c), shared with the OVSDB agent. */
void remote_put(struct nlmsghdr *nlh, uint16_t type, const struct remote_arg *r)
{
	struct kvtep_remote m = {
		.ip.family = r->family,
		.port = r->has_port ? r->port : 0,	/* a given port is >= 1 */
		.encap = r->encap,
		.has_encap = r->has_encap,
	};

	memcpy(m.ip.addr, r->addr, sizeof(m.ip.addr));
	kvtep_remote_put(nlh, type, &m);
}

struct parse_ctx {
	const enum mnl_attr_data_type *types;
	unsigned int max;
	const struct nlattr **tb;
};

static int attrs_cb(const struct nlattr *attr, void *data)
{
	struct parse_ctx *p = data;
	uint16_t type = mnl_attr_get_type(attr);

	/* Attributes from a newer kernel are not an error. */
	if (type > p->max || p->types[type] == MNL_TYPE_UNSPEC)
		return MNL_CB_OK;
	if (mnl_attr_validate(attr, p->types[type]) < 0) {
		fprintf(stderr, "kvtepctl: ignoring malformed attribute %u from kernel\n",
			type);
		return MNL_CB_OK;
	}
	/* Repeated attributes: the first one; callers walk the rest. */
	if (!p->tb[type])
		p->tb[type] = attr;
	return MNL_CB_OK;
}

void attrs_parse(const struct nlmsghdr *nlh, const struct nlattr *nest,
		 const enum mnl_attr_data_type *types, unsigned int max,
		 const struct nlattr **tb)
{
	struct parse_ctx p = { types, max, tb };

	memset(tb, 0, sizeof(*tb) * (max + 1));
	if (nest)
		mnl_attr_parse_nested(nest, attrs_cb, &p);
	else
		mnl_attr_parse(nlh, sizeof(struct genlmsghdr), attrs_cb, &p);
}

const char *ifname_of(uint32_t ifindex, char buf[IF_NAMESIZE])
{
	if (!if_indextoname(ifindex, buf))
		snprintf(buf, IF_NAMESIZE, "if%u", ifindex);
	return buf;
}

void print_mac(const char *key, const char *fmt, const uint8_t *mac)
{
	char buf[18];

	snprintf(buf, sizeof(buf), "%02x:%02x:%02x:%02x:%02x:%02x",
		 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	print_string(PRINT_ANY, key, fmt, buf);
}

static const enum mnl_attr_data_type remote_types[KVTEP_REMOTE_A_MAX + 1] = {
	[KVTEP_REMOTE_A_IP4]	= MNL_TYPE_BINARY,
	[KVTEP_REMOTE_A_IP6]	= MNL_TYPE_BINARY,
	[KVTEP_REMOTE_A_PORT]	= MNL_TYPE_U16,
	[KVTEP_REMOTE_A_ENCAP]	= MNL_TYPE_U8,
	[KVTEP_REMOTE_A_REFCNT]	= MNL_TYPE_U32,
};

/* One remote as a JSON object; text: "IP [port P] [encap E] [refcnt N]". */
void print_remote_nest(const struct nlattr *nest, bool with_refcnt)
{
	const struct nlattr *tb[KVTEP_REMOTE_A_MAX + 1];
	char buf[INET6_ADDRSTRLEN] = "?";
	const char *name;

	attrs_parse(NULL, nest, remote_types, KVTEP_REMOTE_A_MAX, tb);
	open_json_object(NULL);
	if (tb[KVTEP_REMOTE_A_IP4] && mnl_attr_get_payload_len(tb[KVTEP_REMOTE_A_IP4]) == 4)
		inet_ntop(AF_INET, mnl_attr_get_payload(tb[KVTEP_REMOTE_A_IP4]),
			  buf, sizeof(buf));
	else if (tb[KVTEP_REMOTE_A_IP6] &&
		 mnl_attr_get_payload_len(tb[KVTEP_REMOTE_A_IP6]) == 16)
		inet_ntop(AF_INET6, mnl_attr_get_payload(tb[KVTEP_REMOTE_A_IP6]),
			  buf, sizeof(buf));
	print_string(PRINT_ANY, "ip", "%s", buf);
	if (tb[KVTEP_REMOTE_A_PORT])
		print_uint(PRINT_ANY, "port", " port %u",
			   mnl_attr_get_u16(tb[KVTEP_REMOTE_A_PORT]));
	if (tb[KVTEP_REMOTE_A_ENCAP]) {
		name = kvtep_encap_name(mnl_attr_get_u8(tb[KVTEP_REMOTE_A_ENCAP]));
		if (name)
			print_string(PRINT_ANY, "encap", " encap %s", name);
		else
			print_uint(PRINT_ANY, "encap", " encap %u",
				   mnl_attr_get_u8(tb[KVTEP_REMOTE_A_ENCAP]));
	}
	if (with_refcnt && tb[KVTEP_REMOTE_A_REFCNT])
		print_uint(PRINT_ANY, "refcnt", " refcnt %u",
			   mnl_attr_get_u32(tb[KVTEP_REMOTE_A_REFCNT]));
	close_json_object();
}

static const enum mnl_attr_data_type stats_types[KVTEP_STATS_A_MAX + 1] = {
	[KVTEP_STATS_A_RX_PACKETS]	= MNL_TYPE_U64,
	[KVTEP_STATS_A_RX_BYTES]	= MNL_TYPE_U64,
	[KVTEP_STATS_A_TX_PACKETS]	= MNL_TYPE_U64,
	[KVTEP_STATS_A_TX_BYTES]	= MNL_TYPE_U64,
	[KVTEP_STATS_A_ENCAP_PACKETS]	= MNL_TYPE_U64,
	[KVTEP_STATS_A_ENCAP_BYTES]	= MNL_TYPE_U64,
	[KVTEP_STATS_A_DECAP_PACKETS]	= MNL_TYPE_U64,
	[KVTEP_STATS_A_DECAP_BYTES]	= MNL_TYPE_U64,
	[KVTEP_STATS_A_DROPS]		= MNL_TYPE_NESTED,
	[KVTEP_STATS_A_VNI]		= MNL_TYPE_U32,
};

static const struct {
	uint16_t type;
	const char *key;
	const char *text;
} counters[] = {
	{ KVTEP_STATS_A_RX_PACKETS,	"rx_packets",	 "rx %" PRIu64 " pkts" },
	{ KVTEP_STATS_A_RX_BYTES,	"rx_bytes",	 " %" PRIu64 " bytes" },
	{ KVTEP_STATS_A_TX_PACKETS,	"tx_packets",	 "  tx %" PRIu64 " pkts" },
	{ KVTEP_STATS_A_TX_BYTES,	"tx_bytes",	 " %" PRIu64 " bytes" },
	{ KVTEP_STATS_A_ENCAP_PACKETS,	"encap_packets", "  encap %" PRIu64 " pkts" },
	{ KVTEP_STATS_A_ENCAP_BYTES,	"encap_bytes",	 " %" PRIu64 " bytes" },
	{ KVTEP_STATS_A_DECAP_PACKETS,	"decap_packets", "  decap %" PRIu64 " pkts" },
	{ KVTEP_STATS_A_DECAP_BYTES,	"decap_bytes",	 " %" PRIu64 " bytes" },
};

void print_stats_nest(const char *key, const struct nlattr *nest, bool drops,
		      const char *indent)
{
	const struct nlattr *tb[KVTEP_STATS_A_MAX + 1];
	const struct nlattr *a;
	unsigned int i;

	attrs_parse(NULL, nest, stats_types, KVTEP_STATS_A_MAX, tb);
	open_json_object(key);
	print_nl(indent);
	for (i = 0; i < sizeof(counters) / sizeof(counters[0]); i++)
		if (tb[counters[i].type])
			print_u64(PRINT_ANY, counters[i].key, counters[i].text,
				  mnl_attr_get_u64(tb[counters[i].type]));
	if (drops && tb[KVTEP_STATS_A_DROPS]) {
		char text[64];
		int n = 0;

		open_json_object("drops");
		mnl_attr_for_each_nested(a, tb[KVTEP_STATS_A_DROPS]) {
			unsigned int reason = mnl_attr_get_type(a) - 1;
			const char *name = kvtep_drop_name(reason);
			char unknown[32];

			/*
			 * Type 1 is both reason 0 and KVTEP_STATS_A_PAD: a
			 * pad (on architectures that need one) is empty.
			 */
			if (mnl_attr_validate(a, MNL_TYPE_U64) < 0)
				continue;
			if (!name) {
				snprintf(unknown, sizeof(unknown), "reason_%u", reason);
				name = unknown;
			}
			if (n++ % 4 == 0)
				print_nl(indent);
			snprintf(text, sizeof(text), "%-16s %%-10" PRIu64, name);
			print_u64(PRINT_ANY, name, text, mnl_attr_get_u64(a));
		}
		close_json_object();
	}
	close_json_object();
}

void print_dev_ident(const struct nlattr *ifindex, const struct nlattr *ifname)
{
	if (ifindex)
		print_uint(PRINT_ANY, "ifindex", "%u: ", mnl_attr_get_u32(ifindex));
	if (ifname)
		print_string(PRINT_ANY, "name", "%s:", mnl_attr_get_str(ifname));
}

int show_dev_dump(const char *object, int argc, char **argv, uint8_t cmd,
		  int (*cb)(const struct nlmsghdr *nlh, void *data))
{
	struct nlmsghdr *nlh;
	struct nl_ctx *nl;
	int err;

	if (argc < 1)
		return usage_error("%s show: missing DEV", object);
	if (argc > 1)
		return usage_error("unexpected argument \"%s\"", argv[1]);
	if (parse_ifname(argv[0], "DEV"))
		return KVTEP_EXIT_USAGE;
	nl = kvtep_nl();
	if (!nl)
		return KVTEP_EXIT_FAIL;
	nlh = nl_req_start(nl, cmd, NLM_F_DUMP);
	mnl_attr_put_strz(nlh, KVTEP_A_IFNAME, argv[0]);
	print_list_begin();
	err = nl_talk(nl, nlh, cb, NULL);
	print_list_end(!err);
	return nl_exit_code(err);
}
