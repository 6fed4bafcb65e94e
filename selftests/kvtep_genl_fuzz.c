// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvtep generic netlink fuzzer.
 *
 * In a network namespace of its own, with one kvtep device and a veth pair
 * for ports:
 *
 *   +---------------------------- netns (unshare) ----------------------------+
 *   |  kvf0 (type kvtep, local 10.0.0.1)  <-- genl "kvtep" -- fuzzer (parent)  |
 *   |  kvf-a <-> kvf-b (veth, ports)      <-- genl + rtnl  -- storm (child)    |
 *   +-------------------------------------------------------------------------+
 *
 * The parent sends, for every command of enum kvtep_cmd but the
 * notification, KVTEP_FUZZ_ITERS requests (round robin over the commands)
 * built from valid-looking objects (VNIs, MACs, remotes and ports from small
 * pools, so requests reach the handlers, not only the policy) with random
 * corruption: attributes dropped, duplicated, retyped (unknown types,
 * NLA_F_NESTED cleared or set), lengths 0 / short / odd / huge, random
 * bytes, out-of-range values, nests flattened or filled with garbage,
 * garbage nests inside nests, many FDB / REMOTE nests per message, random
 * NLM_F_* flags (NLM_F_DUMP too: doit and dump paths), some pure garbage,
 * some unknown commands and truncated genl headers. Every reply is parsed
 * (a malformed one is a failure).
 *
 * A forked child meanwhile makes valid changes: logical switches, ports,
 * bindings, FDB entries, flood lists, and deletes and re-creates the kvtep
 * device over rtnetlink. Both stop after a fixed number of requests.
 *
 * The rule on errors: every rejection (NLMSG_ERROR, or NLMSG_DONE of a
 * dump, with error < 0) carries an extack message (NLMSGERR_ATTR_MSG),
 * except those below, which the kernel's core produces before or around
 * the family's code with no message. Only these are exempt, and only when
 * the request is known to be of the kind given:
 *
 *   errno      where (kernel)                        when (this fuzzer)
 *   ---------  ------------------------------------  -------------------------
 *   EOPNOTSUPP genl_family_rcv_msg(): no such op     unknown command, or
 *              (genl_get_cmd), or no doit / dumpit    NLM_F_DUMP on a command
 *              for the request's kind                 without dumpit, or a
 *                                                     doit on a dump-only one
 *                                                     (from CTRL_ATTR_OPS)
 *   EINVAL     genl_family_rcv_msg(): shorter than    truncated genl header
 *              the genl header
 *   EPERM      genl_family_rcv_msg(): GENL_ADMIN_PERM  any (never as root)
 *              / GENL_UNS_ADMIN_PERM
 *   ENOMEM     allocation failures, anywhere          any
 *   EMSGSIZE   a dump object too large for an empty   dumps only
 *              skb (kvtep_nl_dump_ret())
 *
 * Counts of exempt rejections are printed with the table.
 *
 * After the storm: for REMOTE_GET, each remote's KVTEP_REMOTE_A_REFCNT
 * equals its users in the FDB_GET dump (one per remote of a remote entry
 * or of a multicast entry's set) plus the FLOOD_GET dump (one per flood
 * list holding it); every LS and port can be deleted and then every dump is
 * empty; the device and the veth are deleted; no netlink socket of ours is
 * left (/proc/net/netlink).
 *
 * Environment:
 *   KVTEP_FUZZ_SEED   PRNG seed (default: time and pid; always printed)
 *   KVTEP_FUZZ_ITERS  requests per command (default 6000: 30 s under qemu
 *                     TCG on an idle 2-core host, 2 minutes on a loaded one;
 *                     200 is a quick check)
 *
 * Exit: 0 pass, 1 fail (reason printed), 4 skip (no kvtep module / not root).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>

#include "kselftest.h"
#include "kvtep_nl_util.h"

#define DEV		"kvf0"
#define VETH_A		"kvf-a"
#define VETH_B		"kvf-b"
#define LOCAL_IP	"10.0.0.1"

#define ITERS_DEFAULT	6000	/* KVTEP_FUZZ_SHORT: a tenth */
#define N_ROWS		(KVTEP_CMD_MAX + 2)	/* commands, then "other" */
#define ROW_OTHER	(KVTEP_CMD_MAX + 1)
#define N_ERRNO		140
#define REQ_CAP		KNL_REQ_SIZE

static const char *const cmd_names[N_ROWS] = {
	[KVTEP_CMD_UNSPEC]	= "UNSPEC",
	[KVTEP_CMD_DEV_GET]	= "DEV_GET",
	[KVTEP_CMD_DEV_SET]	= "DEV_SET",
	[KVTEP_CMD_PORT_ADD]	= "PORT_ADD",
	[KVTEP_CMD_PORT_DEL]	= "PORT_DEL",
	[KVTEP_CMD_PORT_GET]	= "PORT_GET",
	[KVTEP_CMD_LS_ADD]	= "LS_ADD",
	[KVTEP_CMD_LS_DEL]	= "LS_DEL",
	[KVTEP_CMD_LS_SET]	= "LS_SET",
	[KVTEP_CMD_LS_GET]	= "LS_GET",
	[KVTEP_CMD_BIND_ADD]	= "BIND_ADD",
	[KVTEP_CMD_BIND_DEL]	= "BIND_DEL",
	[KVTEP_CMD_BIND_GET]	= "BIND_GET",
	[KVTEP_CMD_FDB_ADD]	= "FDB_ADD",
	[KVTEP_CMD_FDB_DEL]	= "FDB_DEL",
	[KVTEP_CMD_FDB_GET]	= "FDB_GET",
	[KVTEP_CMD_FDB_FLUSH]	= "FDB_FLUSH",
	[KVTEP_CMD_FDB_NTF]	= "FDB_NTF",
	[KVTEP_CMD_FLOOD_SET]	= "FLOOD_SET",
	[KVTEP_CMD_FLOOD_ADD]	= "FLOOD_ADD",
	[KVTEP_CMD_FLOOD_DEL]	= "FLOOD_DEL",
	[KVTEP_CMD_FLOOD_GET]	= "FLOOD_GET",
	[KVTEP_CMD_REMOTE_GET]	= "REMOTE_GET",
	[KVTEP_CMD_STATS_GET]	= "STATS_GET",
	[ROW_OTHER]		= "(other)",
};

/* ---- statistics, shared with the storm child ---- */

struct row {
	unsigned long sent, dumps, accepted, rejected, noext, exempt, intr;
};

struct stats {
	struct row row[N_ROWS];
	unsigned long noext_errno[N_ROWS][N_ERRNO];
	unsigned long exempt_errno[N_ERRNO];
	unsigned long transport;	/* send / receive failures */
	unsigned long malformed;	/* replies that do not parse */
};

static struct stats *fuzz_st, *storm_st;

/* ---- PRNG: xorshift64* ---- */

static uint64_t rng_state;

static uint64_t rnd64(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static uint32_t rnd(uint32_t n)
{
	return n ? (uint32_t)(rnd64() >> 32) % n : 0;
}

/* True with probability @permille / 1000. */
static bool chance(unsigned int permille)
{
	return rnd(1000) < permille;
}

static void rnd_bytes(void *p, size_t n)
{
	uint8_t *b = p;

	while (n--)
		*b++ = rnd64() >> 56;
}

/* ---- the device and its names ---- */

static uint32_t ifindex_dev, ifindex_va, ifindex_vb;
static struct knl_family family;

static uint32_t ip4(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		abort();
	return a.s_addr;
}

static void refresh_ifindex(void)
{
	ifindex_dev = if_nametoindex(DEV);
	ifindex_va = if_nametoindex(VETH_A);
	ifindex_vb = if_nametoindex(VETH_B);
}

/* Which kinds of request each command has (CTRL_ATTR_OPS). */
static uint32_t op_flags[256];

static int ops_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *a, *op, *oa;

	(void)data;
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(a) != CTRL_ATTR_OPS)
			continue;
		mnl_attr_for_each_nested(op, a) {
			uint32_t id = 256, flags = 0;

			mnl_attr_for_each_nested(oa, op) {
				if (mnl_attr_get_type(oa) == CTRL_ATTR_OP_ID)
					id = mnl_attr_get_u32(oa);
				else if (mnl_attr_get_type(oa) == CTRL_ATTR_OP_FLAGS)
					flags = mnl_attr_get_u32(oa);
			}
			if (id < 256)
				op_flags[id] = flags;
		}
	}
	return 0;
}

static bool cmd_has_do(unsigned int cmd)
{
	return cmd < 256 && (op_flags[cmd] & GENL_CMD_CAP_DO);
}

static bool cmd_has_dump(unsigned int cmd)
{
	return cmd < 256 && (op_flags[cmd] & GENL_CMD_CAP_DUMP);
}

/* ---- talking: like knl_talk(), keeping transport errors apart ---- */

struct result {
	int err;		/* the kernel's -errno, 0 = accepted */
	bool ext_msg;		/* the rejection had NLMSGERR_ATTR_MSG */
	bool intr;		/* a dump part flagged NLM_F_DUMP_INTR */
	bool transport;		/* send / receive failed: no verdict */
	int transport_errno;
	unsigned int replies;	/* data messages */
	bool malformed;
};

/* Check that a reply's attributes (and nests) are well formed. */
static int check_attrs(const void *p, int len, int depth)
{
	const struct nlattr *a = p;
	int rem = len;

	for (; mnl_attr_ok(a, rem);
	     rem -= NLA_ALIGN(a->nla_len), a = mnl_attr_next(a)) {
		if ((a->nla_type & NLA_F_NESTED) && depth < 6 &&
		    check_attrs(mnl_attr_get_payload(a),
				mnl_attr_get_payload_len(a), depth + 1))
			return -1;
	}
	return rem > 0 ? -1 : 0;
}

static bool reply_ok(const struct nlmsghdr *m, uint16_t fam)
{
	const struct genlmsghdr *g;

	if (m->nlmsg_type != fam || m->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
		return false;
	g = mnl_nlmsg_get_payload(m);
	(void)g;
	return !check_attrs((const char *)g + GENL_HDRLEN,
			    m->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN, 0);
}

static void talk(struct knl *k, struct nlmsghdr *nlh, knl_cb cb, void *data,
		 struct result *r)
{
	bool dump = (nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;

	memset(r, 0, sizeof(*r));
	k->ext_msg[0] = '\0';
	nlh->nlmsg_seq = ++k->seq;
	if (mnl_socket_sendto(k->sock, nlh, nlh->nlmsg_len) < 0) {
		r->transport = true;
		r->transport_errno = errno;
		return;
	}
	for (;;) {
		int n = mnl_socket_recvfrom(k->sock, k->rx, sizeof(k->rx));
		const struct nlmsghdr *m;

		if (n < 0) {
			r->transport = true;
			r->transport_errno = errno;
			return;
		}
		for (m = (const struct nlmsghdr *)k->rx; mnl_nlmsg_ok(m, n);
		     m = mnl_nlmsg_next(m, &n)) {
			if (m->nlmsg_seq != nlh->nlmsg_seq || m->nlmsg_pid != k->portid)
				continue;
			if (m->nlmsg_flags & NLM_F_DUMP_INTR)
				r->intr = true;
			if (m->nlmsg_type == NLMSG_ERROR) {
				r->err = knl_ack(k, m);
				r->ext_msg = k->ext_msg[0];
				return;
			}
			if (m->nlmsg_type == NLMSG_DONE && dump) {
				r->err = knl_done(k, m);
				r->ext_msg = k->ext_msg[0];
				return;
			}
			if (m->nlmsg_type < NLMSG_MIN_TYPE)
				continue;
			r->replies++;
			if (nlh->nlmsg_type == k->family && !reply_ok(m, k->family))
				r->malformed = true;
			if (cb && cb(m, data) < 0)
				r->malformed = true;
		}
	}
}

static int open_sock(struct knl *k, int bus)
{
	struct timeval tv = { .tv_sec = 20 };
	int err = knl_open(k, bus);

	if (err)
		return err;
	if (setsockopt(mnl_socket_get_fd(k->sock), SOL_SOCKET, SO_RCVTIMEO,
		       &tv, sizeof(tv)))
		return -errno;
	k->family = family.id;
	return 0;
}

/* ---- judging one request ---- */

enum req_kind {
	REQ_NORMAL,
	REQ_SHORT_HDR,		/* shorter than the genl header */
};

static const char *exempt_why(unsigned int cmd, bool dump, enum req_kind kind,
			      int err)
{
	switch (-err) {
	case EOPNOTSUPP:
		if (!cmd_has_do(cmd) && !cmd_has_dump(cmd))
			return "unknown command";
		if (dump && !cmd_has_dump(cmd))
			return "dump of a command without dumpit";
		if (!dump && !cmd_has_do(cmd))
			return "doit of a dump-only command";
		return NULL;
	case EINVAL:
		return kind == REQ_SHORT_HDR ? "truncated genl header" : NULL;
	case EPERM:
		return "permission (genl core)";
	case ENOMEM:
		return "out of memory";
	case EMSGSIZE:
		return dump ? "dump object too large" : NULL;
	}
	return NULL;
}

static unsigned long failures;

static void hexdump_req(const struct nlmsghdr *nlh)
{
	const uint8_t *p = (const uint8_t *)nlh;
	unsigned int i, n = nlh->nlmsg_len < 512 ? nlh->nlmsg_len : 512;
	char line[3 * 32 + 1];

	for (i = 0; i < n; i++) {
		snprintf(line + 3 * (i % 32), 4, "%02x ", p[i]);
		if (i % 32 == 31 || i == n - 1)
			ksft_print_msg("  %04x: %s\n", i & ~31u, line);
	}
}

static void judge(struct stats *st, unsigned int cmd, const struct nlmsghdr *nlh,
		  bool dump, enum req_kind kind, const struct result *r,
		  const char *who)
{
	unsigned int row = cmd <= KVTEP_CMD_MAX && cmd != KVTEP_CMD_FDB_NTF &&
			   cmd != KVTEP_CMD_UNSPEC ? cmd : ROW_OTHER;
	struct row *rw = &st->row[row];
	unsigned int e = r->err < 0 && -r->err < N_ERRNO ? -r->err : N_ERRNO - 1;

	rw->sent++;
	if (dump)
		rw->dumps++;
	if (r->transport) {
		st->transport++;
		ksft_print_msg("%s: %s: %s: %s\n", who, cmd_names[row],
			       dump ? "dump" : "doit", strerror(r->transport_errno));
		return;
	}
	if (r->malformed) {
		st->malformed++;
		if (st->malformed <= 5)
			ksft_print_msg("%s: %s: malformed reply\n", who, cmd_names[row]);
	}
	if (r->intr)
		rw->intr++;
	if (!r->err) {
		rw->accepted++;
		return;
	}
	rw->rejected++;
	if (r->ext_msg || r->err > 0)
		return;
	if (exempt_why(cmd, dump, kind, r->err)) {
		rw->exempt++;
		st->exempt_errno[e]++;
		return;
	}
	rw->noext++;
	if (!st->noext_errno[row][e]++) {
		ksft_print_msg("%s: %s %s: %s without extack message; request:\n",
			       who, cmd_names[row], dump ? "dump" : "doit",
			       strerror(-r->err));
		hexdump_req(nlh);
	}
}

/* ---- the request builder, with corruption ---- */

struct fz {
	struct nlmsghdr *nlh;
	unsigned int corrupt;	/* chance per attribute, permille */
	unsigned int garbage;	/* chance of garbage between attributes */
};

static bool room(struct fz *f, size_t n)
{
	return f->nlh->nlmsg_len + NLA_HDRLEN + NLA_ALIGN(n) + 64 <= REQ_CAP;
}

/* An attribute whose nla_len says @hdr_len but which carries @len bytes. */
static void put_raw(struct fz *f, uint16_t type, uint16_t hdr_len,
		    const void *data, size_t len)
{
	struct nlattr *a;

	if (!room(f, len))
		return;
	a = (struct nlattr *)((char *)f->nlh + f->nlh->nlmsg_len);
	a->nla_type = type;
	a->nla_len = hdr_len;
	if (len)
		memcpy((char *)a + NLA_HDRLEN, data, len);
	memset((char *)a + NLA_HDRLEN + len, 0, NLA_ALIGN(len) - len);
	f->nlh->nlmsg_len += NLA_HDRLEN + NLA_ALIGN(len);
}

static void put_plain(struct fz *f, uint16_t type, const void *data, size_t len)
{
	put_raw(f, type, NLA_HDRLEN + len, data, len);
}

static uint16_t rnd_type(void)
{
	switch (rnd(4)) {
	case 0:
		return rnd(0x10000);
	case 1:
		return KVTEP_A_MAX + 1 + rnd(4);
	default:
		return rnd(KVTEP_A_MAX + 2);
	}
}

static void garbage(struct fz *f, int depth);

/* Some random attributes, nests of them, nests in nests. */
static void garbage(struct fz *f, int depth)
{
	unsigned int i, n = 1 + rnd(4);
	uint8_t buf[256];

	for (i = 0; i < n; i++) {
		uint16_t type = rnd_type();
		size_t len;

		switch (rnd(6)) {
		case 0:
		case 1: {
			uint32_t off;

			if (depth >= 4 || !room(f, 64))
				break;
			off = f->nlh->nlmsg_len;
			put_plain(f, type | (rnd(4) ? NLA_F_NESTED : 0), NULL, 0);
			garbage(f, depth + 1);
			((struct nlattr *)((char *)f->nlh + off))->nla_len =
				f->nlh->nlmsg_len - off;
			break;
		}
		case 2:
			len = rnd(4);
			rnd_bytes(buf, len);
			put_plain(f, type, buf, len);
			break;
		case 3:	/* a length that lies */
			len = rnd(16);
			rnd_bytes(buf, len);
			put_raw(f, type, rnd(2) ? rnd(0x10000) : rnd(NLA_HDRLEN), buf, len);
			break;
		default:
			len = rnd(sizeof(buf));
			rnd_bytes(buf, len);
			put_plain(f, type, buf, len);
		}
	}
}

static void maybe_garbage(struct fz *f)
{
	if (chance(f->garbage))
		garbage(f, 0);
}

/* Put attribute @type = @data, or something wrong instead of it. */
static void put(struct fz *f, uint16_t type, const void *data, size_t len)
{
	static uint8_t big[65536];
	uint8_t buf[512];
	size_t n;

	maybe_garbage(f);
	if (!chance(f->corrupt)) {
		put_plain(f, type, data, len);
		return;
	}
	switch (rnd(11)) {
	case 0:		/* missing */
		return;
	case 1:		/* duplicate, maybe with another value */
		put_plain(f, type, data, len);
		if (len)
			memcpy(buf, data, len);
		if (rnd(2) && len)
			rnd_bytes(buf, len);
		put_plain(f, type, buf, len);
		return;
	case 2:		/* another type */
		put_plain(f, rnd_type(), data, len);
		return;
	case 3:		/* empty */
		put_plain(f, type, NULL, 0);
		return;
	case 4:		/* short or odd */
		n = rnd(2) && len ? rnd(len) : len + 1 + rnd(3);
		memset(buf, 0, sizeof(buf));
		memcpy(buf, data, len < n ? len : n);
		if (n > len)
			rnd_bytes(buf + len, n - len);
		put_plain(f, type, buf, n);
		return;
	case 5:		/* huge */
		n = rnd(8) ? 64 + rnd(4000) : 65535 - NLA_HDRLEN - rnd(16);
		rnd_bytes(big, n);
		if (len)
			memcpy(big, data, len);
		put_plain(f, type, big, n);
		return;
	case 6:		/* random bytes */
		memcpy(buf, data, len);
		rnd_bytes(buf, len);
		put_plain(f, type, buf, len);
		return;
	case 7:		/* out of range: all ones, zero, max + 1 */
		memcpy(buf, data, len);
		if (rnd(3) == 0)
			memset(buf, 0xff, len);
		else if (rnd(2))
			memset(buf, 0, len);
		else if (len == 1)
			buf[0] += 1 + rnd(3);
		else if (len == 2)
			*(uint16_t *)buf = 4095 + rnd(3);
		else if (len == 4)
			*(uint32_t *)buf = rnd(2) ? KVTEP_VNI_MAX + 1 : 0x80000000u;
		put_plain(f, type, buf, len);
		return;
	case 8:		/* flag bits on the type */
		put_plain(f, type | (rnd(2) ? NLA_F_NESTED : NLA_F_NET_BYTEORDER),
			  data, len);
		return;
	case 9:		/* the length field lies */
		put_raw(f, type, rnd(2) ? NLA_HDRLEN + len + 4 + rnd(64) : rnd(NLA_HDRLEN),
			data, len);
		return;
	default:	/* garbage nest in its place */
		put_plain(f, type | NLA_F_NESTED, NULL, 0);
		garbage(f, 1);
		return;
	}
}

static void put_u8(struct fz *f, uint16_t type, uint8_t v)
{
	put(f, type, &v, 1);
}

static void put_u16(struct fz *f, uint16_t type, uint16_t v)
{
	put(f, type, &v, 2);
}

static void put_u32(struct fz *f, uint16_t type, uint32_t v)
{
	put(f, type, &v, 4);
}

/* Nests: 0 when flattened (the children land in the parent). */
static uint32_t nest_start(struct fz *f, uint16_t type)
{
	uint32_t off;

	maybe_garbage(f);
	if (chance(f->corrupt / 3))
		return 0;
	if (chance(f->corrupt / 3))
		type = rnd(2) ? rnd_type() : type;
	else if (!chance(f->corrupt / 4))
		type |= NLA_F_NESTED;
	if (!room(f, 16))
		return 0;
	off = f->nlh->nlmsg_len;
	put_plain(f, type, NULL, 0);
	return off;
}

static void nest_end(struct fz *f, uint32_t off)
{
	maybe_garbage(f);
	if (!off)
		return;
	((struct nlattr *)((char *)f->nlh + off))->nla_len = f->nlh->nlmsg_len - off;
}

/* ---- object pools ---- */

static const uint32_t vnis[] = { 1, 2, 3, 4, 5, 6, 100, KVTEP_VNI_MAX };

static uint32_t pick_vni(void)
{
	return rnd(8) ? 1 + rnd(6) : vnis[rnd(8)];
}

static void pick_mac(uint8_t *mac)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	switch (rnd(10)) {
	case 0:	/* multicast */
		memcpy(mac, (uint8_t[]){ 0x01, 0x00, 0x5e, 0, 0, rnd(4) }, 6);
		break;
	case 1:
		if (rnd(2))
			memcpy(mac, bcast, 6);
		else
			memset(mac, 0, 6);
		break;
	default:
		memcpy(mac, (uint8_t[]){ 0x02, 0x4b, 0, 0, 0, rnd(16) }, 6);
	}
}

static uint32_t pick_port(void)
{
	switch (rnd(10)) {
	case 0:
		return ifindex_dev;
	case 1:
		return 1;	/* lo */
	case 2:
		return rnd(2) ? 0 : rnd64();
	default:
		return rnd(2) ? ifindex_va : ifindex_vb;
	}
}

static uint16_t pick_vlan(void)
{
	return rnd(8) ? rnd(4) : (rnd(2) ? 4095 : rnd(0x10000));
}

static void put_remote(struct fz *f, uint16_t type)
{
	uint32_t n = nest_start(f, type);

	if (rnd(8)) {
		uint32_t a = htonl(0x0a000100 + 1 + rnd(rnd(8) ? 8 : 256));

		put(f, KVTEP_REMOTE_A_IP4, &a, 4);
	} else {
		struct in6_addr a6 = { .s6_addr = { 0xfd, [15] = 1 + rnd(4) } };

		put(f, KVTEP_REMOTE_A_IP6, &a6, 16);
	}
	if (!rnd(4))
		put_u16(f, KVTEP_REMOTE_A_PORT, rnd(2) ? 4789 : rnd(0x10000));
	if (!rnd(4))
		put_u8(f, KVTEP_REMOTE_A_ENCAP, rnd(3));
	if (!rnd(32))
		put_u32(f, KVTEP_REMOTE_A_REFCNT, rnd(4));
	nest_end(f, n);
}

static void put_selector(struct fz *f)
{
	switch (rnd(16)) {
	case 0 ... 8:
		put_u32(f, KVTEP_A_IFINDEX, rnd(32) ? ifindex_dev : pick_port());
		break;
	case 9 ... 13:
		put(f, KVTEP_A_IFNAME, rnd(32) ? DEV : VETH_A, sizeof(DEV));
		break;
	case 14:
		put_u32(f, KVTEP_A_IFINDEX, ifindex_dev);
		put(f, KVTEP_A_IFNAME, DEV, sizeof(DEV));
		break;
	default:
		break;	/* missing */
	}
}

static void put_ls(struct fz *f, bool full)
{
	uint32_t n = nest_start(f, KVTEP_A_LS);

	if (rnd(16))
		put_u32(f, KVTEP_LS_A_VNI, pick_vni());
	if (full || !rnd(8)) {
		if (!rnd(3))
			put_u8(f, KVTEP_LS_A_REPLICATION, rnd(3));
		if (!rnd(4))
			put_u32(f, KVTEP_LS_A_FDB_MAX, rnd(2) ? 0 : rnd(20));
		if (!rnd(3))
			put_u8(f, KVTEP_LS_A_ENCAP, rnd(3));
		if (!rnd(4))
			put_u8(f, KVTEP_LS_A_OVN_OPT, rnd(3));
		if (!rnd(32))
			put_u32(f, KVTEP_LS_A_FDB_COUNT, 1);
	}
	nest_end(f, n);
}

static void put_bind(struct fz *f)
{
	uint32_t n = nest_start(f, KVTEP_A_BIND);

	if (rnd(16))
		put_u32(f, KVTEP_BIND_A_PORT_IFINDEX, pick_port());
	if (rnd(3))
		put_u16(f, KVTEP_BIND_A_VLAN, pick_vlan());
	if (rnd(8))
		put_u32(f, KVTEP_BIND_A_VNI, pick_vni());
	if (!rnd(4))
		put_u16(f, KVTEP_BIND_A_PORT_KEY, rnd(2) ? rnd(8) : rnd(0x10000));
	nest_end(f, n);
}

static void put_fdb(struct fz *f, bool add)
{
	uint32_t n = nest_start(f, KVTEP_A_FDB);
	unsigned int i, nr;
	uint8_t mac[6];

	pick_mac(mac);
	if (rnd(16))
		put_u32(f, KVTEP_FDB_A_VNI, pick_vni());
	if (rnd(16))
		put(f, KVTEP_FDB_A_MAC, mac, 6);
	if (!rnd(3))
		put_u8(f, KVTEP_FDB_A_TYPE, rnd(KVTEP_FDB_TYPE_MAX + 2));
	if (add || !rnd(4)) {
		nr = rnd(4) ? 1 : rnd(5);
		if (!rnd(64))
			nr = 1000 + rnd(40);	/* past KVTEP_FLOOD_MAX */
		for (i = 0; i < nr; i++)
			put_remote(f, KVTEP_FDB_A_REMOTE);
	}
	if (!rnd(4)) {
		put_u32(f, KVTEP_FDB_A_PORT_IFINDEX, pick_port());
		if (rnd(2))
			put_u16(f, KVTEP_FDB_A_VLAN, pick_vlan());
	}
	if (!rnd(8))
		put_u16(f, KVTEP_FDB_A_PORT_KEY, rnd(8));
	if (!rnd(8))
		put_u32(f, KVTEP_FDB_A_TYPE_MASK, rnd(64));
	if (!rnd(32))
		put_u32(f, KVTEP_FDB_A_AGE, rnd(1000));
	if (!rnd(32))
		put_u8(f, KVTEP_FDB_A_EVENT, rnd(5));
	nest_end(f, n);
}

static void put_dev_settings(struct fz *f)
{
	unsigned int i, n = 1 + rnd(4);

	for (i = 0; i < n; i++) {
		switch (rnd(14)) {
		case 0:
			put_u16(f, KVTEP_A_VXLAN_PORT, rnd(2) ? 4789 + rnd(3) : rnd(0x10000));
			break;
		case 1:
			put_u16(f, KVTEP_A_GENEVE_PORT, rnd(2) ? 6081 + rnd(3) : rnd(0x10000));
			break;
		case 2: {
			uint32_t a = rnd(8) ? ip4(LOCAL_IP) : rnd64();

			put(f, KVTEP_A_LOCAL_IP4, &a, 4);
			break;
		}
		case 3: {
			struct in6_addr a6 = { .s6_addr = { 0xfd, [15] = 0x10 } };

			if (!rnd(4))
				a6.s6_addr[0] = 0xff;
			put(f, KVTEP_A_LOCAL_IP6, &a6, 16);
			break;
		}
		case 4:
			put_u8(f, KVTEP_A_TTL, rnd(256));
			break;
		case 5:
			put_u8(f, KVTEP_A_TOS, rnd(256));
			break;
		case 6:
			put_u8(f, KVTEP_A_DF, rnd(4));
			break;
		case 7:
			put_u8(f, KVTEP_A_LEARNING, rnd(3));
			break;
		case 8:
			put_u8(f, KVTEP_A_TUNNEL_LEARNING, rnd(3));
			break;
		case 9:
			put_u8(f, KVTEP_A_UDP_CSUM, rnd(3));
			break;
		case 10:
			put_u32(f, KVTEP_A_AGEING, rnd(2) ? rnd(600) : rnd64());
			break;
		case 11:
			put_u32(f, KVTEP_A_FDB_MAX, rnd(2) ? 0 : rnd(64));
			break;
		case 12:
			put_u32(f, rnd(2) ? KVTEP_A_FDB_COUNT : KVTEP_A_GENERATION, 3);
			break;
		default: {
			uint32_t n2 = nest_start(f, KVTEP_A_STATS);

			garbage(f, 1);
			nest_end(f, n2);
		}
		}
	}
}

/* The attributes of a request for @cmd. */
static void build(struct fz *f, unsigned int cmd, bool dump)
{
	unsigned int i, n;

	if (!rnd(20)) {		/* pure garbage */
		if (rnd(2))
			put_selector(f);
		garbage(f, 0);
		return;
	}
	put_selector(f);
	switch (cmd) {
	case KVTEP_CMD_DEV_SET:
		put_dev_settings(f);
		break;
	case KVTEP_CMD_PORT_ADD:
	case KVTEP_CMD_PORT_DEL:
	case KVTEP_CMD_PORT_GET:
		if (cmd != KVTEP_CMD_PORT_GET || !rnd(4)) {
			uint32_t nn = nest_start(f, KVTEP_A_PORT);

			if (rnd(16))
				put_u32(f, KVTEP_PORT_A_IFINDEX, pick_port());
			if (!rnd(16))
				put(f, KVTEP_PORT_A_IFNAME, VETH_A, sizeof(VETH_A));
			nest_end(f, nn);
		}
		break;
	case KVTEP_CMD_LS_ADD:
	case KVTEP_CMD_LS_SET:
		put_ls(f, true);
		break;
	case KVTEP_CMD_LS_DEL:
	case KVTEP_CMD_LS_GET:
		if (!dump || !rnd(4))
			put_ls(f, false);
		break;
	case KVTEP_CMD_BIND_ADD:
	case KVTEP_CMD_BIND_DEL:
	case KVTEP_CMD_BIND_GET:
		if (!dump || !rnd(4))
			put_bind(f);
		break;
	case KVTEP_CMD_FDB_ADD:
	case KVTEP_CMD_FDB_DEL:
		n = rnd(10) < 6 ? 1 : rnd(10) ? 2 + rnd(8) : 50 + rnd(250);
		if (!rnd(32))
			n = 0;
		for (i = 0; i < n; i++)
			put_fdb(f, cmd == KVTEP_CMD_FDB_ADD);
		break;
	case KVTEP_CMD_FDB_GET:
	case KVTEP_CMD_FDB_FLUSH:
		/* Flushing everything is rare: the storm needs some state. */
		if ((!dump && cmd == KVTEP_CMD_FDB_GET) || rnd(8))
			put_fdb(f, false);
		if (!rnd(16))
			put_fdb(f, false);
		break;
	case KVTEP_CMD_FLOOD_SET:
	case KVTEP_CMD_FLOOD_ADD:
	case KVTEP_CMD_FLOOD_DEL:
	case KVTEP_CMD_FLOOD_GET:
		if (!dump || !rnd(4))
			put_ls(f, false);
		n = cmd == KVTEP_CMD_FLOOD_GET ? !rnd(4) : rnd(6);
		if (!rnd(64))
			n = 1000 + rnd(40);
		for (i = 0; i < n; i++)
			put_remote(f, KVTEP_A_REMOTE);
		break;
	default:	/* DEV_GET, REMOTE_GET, STATS_GET, unknown */
		if (!rnd(8))
			put_ls(f, false);
		break;
	}
	maybe_garbage(f);
	if (!rnd(50))
		garbage(f, 0);
}

static uint16_t pick_flags(unsigned int cmd, bool *dump)
{
	static const uint16_t extra[] = {
		NLM_F_REPLACE, NLM_F_EXCL, NLM_F_CREATE, NLM_F_APPEND, NLM_F_ECHO,
		NLM_F_NONREC, NLM_F_MULTI,
	};
	uint16_t flags = NLM_F_REQUEST | NLM_F_ACK;
	unsigned int i;

	if (cmd_has_dump(cmd) && (!cmd_has_do(cmd) || rnd(2)))
		flags |= NLM_F_DUMP;
	if (!rnd(20))
		flags ^= NLM_F_DUMP;	/* the wrong kind */
	if (!rnd(3))
		for (i = 0; i < sizeof(extra) / sizeof(extra[0]); i++)
			if (!rnd(4))
				flags |= extra[i];
	*dump = (flags & NLM_F_DUMP) == NLM_F_DUMP;
	return flags;
}

static void fuzz_one(struct knl *k, unsigned int cmd)
{
	static const unsigned int rates[] = { 0, 0, 10, 30, 80, 200, 500 };
	enum req_kind kind = REQ_NORMAL;
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;
	struct result r;
	struct fz f;
	bool dump;
	uint16_t flags;

	flags = pick_flags(cmd, &dump);
	memset(k->req, 0, 64);
	nlh = (struct nlmsghdr *)k->req;
	nlh->nlmsg_len = NLMSG_HDRLEN;
	nlh->nlmsg_type = k->family;
	nlh->nlmsg_flags = flags;
	if (!rnd(100)) {	/* truncated genl header */
		nlh->nlmsg_len += rnd(GENL_HDRLEN);
		rnd_bytes(k->req + NLMSG_HDRLEN, GENL_HDRLEN);
		*(uint8_t *)(k->req + NLMSG_HDRLEN) = cmd;
		kind = REQ_SHORT_HDR;
	} else {
		g = (struct genlmsghdr *)(k->req + NLMSG_HDRLEN);
		g->cmd = cmd;
		g->version = rnd(16) ? KVTEP_GENL_VERSION : rnd(256);
		g->reserved = rnd(16) ? 0 : rnd(0x10000);
		nlh->nlmsg_len += GENL_HDRLEN;
		f.nlh = nlh;
		f.corrupt = rates[rnd(sizeof(rates) / sizeof(rates[0]))];
		f.garbage = f.corrupt ? f.corrupt / 4 : 0;
		build(&f, cmd, dump);
	}
	talk(k, nlh, NULL, NULL, &r);
	judge(fuzz_st, cmd, nlh, dump, kind, &r, "fuzz");
}

/* ---- valid requests (storm child, setup, checks) ---- */

static struct nlmsghdr *req(struct knl *k, uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *nlh = knl_kvtep_msg(k, cmd, flags);

	mnl_attr_put_u32(nlh, KVTEP_A_IFINDEX, ifindex_dev);
	return nlh;
}

static void mput_remote4(struct nlmsghdr *nlh, uint16_t type, uint32_t addr)
{
	struct nlattr *n = mnl_attr_nest_start(nlh, type);

	mnl_attr_put(nlh, KVTEP_REMOTE_A_IP4, 4, &addr);
	mnl_attr_nest_end(nlh, n);
}

static uint32_t pool_ip(unsigned int i)
{
	return htonl(0x0a000100 + 1 + i % 8);
}

/* Send a valid request and judge it (storm and setup). */
static int send_valid(struct knl *k, struct nlmsghdr *nlh, struct stats *st,
		      const char *who)
{
	uint8_t cmd = ((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->cmd;
	bool dump = (nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
	struct result r;

	talk(k, nlh, NULL, NULL, &r);
	if (st)
		judge(st, cmd, nlh, dump, REQ_NORMAL, &r, who);
	return r.transport ? -r.transport_errno : r.err;
}

static int dev_set_local(struct knl *k, struct stats *st)
{
	struct nlmsghdr *nlh = req(k, KVTEP_CMD_DEV_SET, 0);
	uint32_t a = ip4(LOCAL_IP);

	mnl_attr_put(nlh, KVTEP_A_LOCAL_IP4, 4, &a);
	return send_valid(k, nlh, st, "setup");
}

static int link_up(uint32_t ifindex)
{
	struct knl *k = calloc(1, sizeof(*k));
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	int err;

	if (!k)
		return -ENOMEM;
	err = knl_open(k, NETLINK_ROUTE);
	if (!err) {
		nlh = knl_msg(k, RTM_NEWLINK, 0);
		ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
		ifi->ifi_family = AF_UNSPEC;
		ifi->ifi_index = ifindex;
		ifi->ifi_flags = IFF_UP;
		ifi->ifi_change = IFF_UP;
		err = knl_talk(k, nlh, NULL, NULL);
		knl_close(k);
	}
	free(k);
	return err;
}

/* Create the kvtep device with its local address; 0 or -errno. */
static int dev_create(struct knl *k, struct stats *st)
{
	int err = knl_link_add(DEV, "kvtep");

	if (err)
		return err;
	refresh_ifindex();
	if (!ifindex_dev)
		return -ENODEV;
	err = dev_set_local(k, st);
	if (!err && rnd(2))
		err = link_up(ifindex_dev);
	return err;
}

static void storm_one(struct knl *k, unsigned int i)
{
	struct nlmsghdr *nlh;
	struct nlattr *n;
	uint32_t rem[4];
	unsigned int j, nr;
	uint8_t mac[6];

	switch (rnd(13)) {
	case 0:
	case 1:
		nlh = req(k, rnd(3) ? KVTEP_CMD_LS_ADD : KVTEP_CMD_LS_DEL, 0);
		n = mnl_attr_nest_start(nlh, KVTEP_A_LS);
		mnl_attr_put_u32(nlh, KVTEP_LS_A_VNI, 1 + rnd(6));
		if (!rnd(4))
			mnl_attr_put_u8(nlh, KVTEP_LS_A_ENCAP, rnd(2));
		mnl_attr_nest_end(nlh, n);
		break;
	case 2:
		nlh = req(k, rnd(3) ? KVTEP_CMD_PORT_ADD : KVTEP_CMD_PORT_DEL, 0);
		n = mnl_attr_nest_start(nlh, KVTEP_A_PORT);
		mnl_attr_put_u32(nlh, KVTEP_PORT_A_IFINDEX, rnd(2) ? ifindex_va : ifindex_vb);
		mnl_attr_nest_end(nlh, n);
		break;
	case 3:
	case 4:
		nlh = req(k, rnd(3) ? KVTEP_CMD_BIND_ADD : KVTEP_CMD_BIND_DEL, 0);
		n = mnl_attr_nest_start(nlh, KVTEP_A_BIND);
		mnl_attr_put_u32(nlh, KVTEP_BIND_A_PORT_IFINDEX,
				 rnd(4) ? (rnd(2) ? ifindex_va : ifindex_vb) : ifindex_dev);
		mnl_attr_put_u16(nlh, KVTEP_BIND_A_VLAN, rnd(4));
		mnl_attr_put_u32(nlh, KVTEP_BIND_A_VNI, 1 + rnd(6));
		mnl_attr_nest_end(nlh, n);
		break;
	case 5:
	case 6:
	case 7: {
		bool add = rnd(3);

		nlh = req(k, add ? KVTEP_CMD_FDB_ADD : KVTEP_CMD_FDB_DEL,
			  rnd(4) ? 0 : NLM_F_REPLACE);
		nr = rnd(4) ? 1 : 2 + rnd(30);
		for (j = 0; j < nr; j++) {
			bool mc = !rnd(6);
			unsigned int r, k2 = mc ? 1 + rnd(3) : 1;

			memcpy(mac, mc ? (uint8_t[]){ 0x01, 0x00, 0x5e, 0, 0, rnd(4) } :
				     (uint8_t[]){ 0x02, 0x4b, 0, 0, 0, rnd(16) }, 6);
			n = mnl_attr_nest_start(nlh, KVTEP_A_FDB);
			mnl_attr_put_u32(nlh, KVTEP_FDB_A_VNI, 1 + rnd(6));
			mnl_attr_put(nlh, KVTEP_FDB_A_MAC, 6, mac);
			for (r = 0; add && r < k2; r++)
				mput_remote4(nlh, KVTEP_FDB_A_REMOTE, pool_ip(rnd(8)));
			mnl_attr_nest_end(nlh, n);
		}
		break;
	}
	case 8:
	case 9:
	case 10: {
		static const uint8_t cmds[] = {
			KVTEP_CMD_FLOOD_SET, KVTEP_CMD_FLOOD_ADD, KVTEP_CMD_FLOOD_DEL,
		};

		nlh = req(k, cmds[rnd(3)], 0);
		n = mnl_attr_nest_start(nlh, KVTEP_A_LS);
		mnl_attr_put_u32(nlh, KVTEP_LS_A_VNI, 1 + rnd(6));
		mnl_attr_nest_end(nlh, n);
		nr = rnd(4) + (rnd(2) ? 0 : 1);
		for (j = 0; j < nr; j++)
			rem[j] = pool_ip(rnd(8));
		for (j = 0; j < nr; j++)
			mput_remote4(nlh, KVTEP_A_REMOTE, rem[j]);
		break;
	}
	case 11:
		if (rnd(4)) {	/* flushes are rare: keep some entries */
			nlh = req(k, KVTEP_CMD_FDB_GET, NLM_F_DUMP);
			break;
		}
		nlh = req(k, KVTEP_CMD_FDB_FLUSH, 0);
		n = mnl_attr_nest_start(nlh, KVTEP_A_FDB);
		mnl_attr_put_u32(nlh, KVTEP_FDB_A_VNI, 1 + rnd(6));
		if (rnd(2))
			mput_remote4(nlh, KVTEP_FDB_A_REMOTE, pool_ip(rnd(8)));
		mnl_attr_nest_end(nlh, n);
		break;
	default:
		/* Every ~150 requests: the device goes, and comes back. */
		if (rnd(12) || i < 50) {
			nlh = req(k, KVTEP_CMD_DEV_GET, rnd(2) ? NLM_F_DUMP : 0);
			break;
		}
		refresh_ifindex();
		if (ifindex_dev)
			knl_link_del(ifindex_dev);
		if (dev_create(k, storm_st)) {
			ksft_print_msg("storm: cannot re-create %s\n", DEV);
			_exit(1);
		}
		return;
	}
	send_valid(k, nlh, storm_st, "storm");
}

/*
 * Valid objects for the checks after the storm: in every LS, remote
 * entries, multicast entries with a remote set, bindings and a flood list.
 */
static void populate(struct knl *k)
{
	struct nlmsghdr *nlh;
	struct nlattr *n;
	unsigned int vni, i, j;
	uint8_t mac[6];

	for (i = 0; i < 2; i++) {
		nlh = req(k, KVTEP_CMD_PORT_ADD, 0);
		n = mnl_attr_nest_start(nlh, KVTEP_A_PORT);
		mnl_attr_put_u32(nlh, KVTEP_PORT_A_IFINDEX, i ? ifindex_vb : ifindex_va);
		mnl_attr_nest_end(nlh, n);
		send_valid(k, nlh, storm_st, "populate");
	}
	for (vni = 1; vni <= 6; vni++) {
		nlh = req(k, KVTEP_CMD_LS_ADD, 0);
		n = mnl_attr_nest_start(nlh, KVTEP_A_LS);
		mnl_attr_put_u32(nlh, KVTEP_LS_A_VNI, vni);
		mnl_attr_nest_end(nlh, n);
		send_valid(k, nlh, storm_st, "populate");

		nlh = req(k, KVTEP_CMD_BIND_ADD, 0);
		n = mnl_attr_nest_start(nlh, KVTEP_A_BIND);
		mnl_attr_put_u32(nlh, KVTEP_BIND_A_PORT_IFINDEX, ifindex_va);
		mnl_attr_put_u16(nlh, KVTEP_BIND_A_VLAN, 10 + vni);
		mnl_attr_put_u32(nlh, KVTEP_BIND_A_VNI, vni);
		mnl_attr_nest_end(nlh, n);
		send_valid(k, nlh, storm_st, "populate");

		nlh = req(k, KVTEP_CMD_FDB_ADD, NLM_F_REPLACE);
		for (i = 0; i < 20; i++) {
			bool mc = i >= 16;

			memcpy(mac, mc ? (uint8_t[]){ 0x01, 0x00, 0x5e, 0, 1, i } :
				     (uint8_t[]){ 0x02, 0x4b, 0, 1, 0, i }, 6);
			n = mnl_attr_nest_start(nlh, KVTEP_A_FDB);
			mnl_attr_put_u32(nlh, KVTEP_FDB_A_VNI, vni);
			mnl_attr_put(nlh, KVTEP_FDB_A_MAC, 6, mac);
			for (j = 0; j < (mc ? 3u : 1u); j++)
				mput_remote4(nlh, KVTEP_FDB_A_REMOTE, pool_ip(i + j));
			mnl_attr_nest_end(nlh, n);
		}
		send_valid(k, nlh, storm_st, "populate");

		nlh = req(k, KVTEP_CMD_FLOOD_SET, 0);
		n = mnl_attr_nest_start(nlh, KVTEP_A_LS);
		mnl_attr_put_u32(nlh, KVTEP_LS_A_VNI, vni);
		mnl_attr_nest_end(nlh, n);
		for (j = 0; j < 3; j++)
			mput_remote4(nlh, KVTEP_A_REMOTE, pool_ip(vni + j));
		send_valid(k, nlh, storm_st, "populate");
	}
}

static int storm(unsigned long n)
{
	struct knl *k = calloc(1, sizeof(*k));
	unsigned long i;

	if (!k || open_sock(k, NETLINK_GENERIC))
		return 1;
	for (i = 0; i < n; i++) {
		if (i % 32 == 0)
			refresh_ifindex();
		if (!ifindex_dev && dev_create(k, storm_st)) {
			ksft_print_msg("storm: no device and cannot create it\n");
			return 1;
		}
		storm_one(k, i);
	}
	/* Leave a device behind, with its local address, and objects. */
	refresh_ifindex();
	if (!ifindex_dev && dev_create(k, storm_st))
		return 1;
	populate(k);
	knl_close(k);
	free(k);
	return 0;
}

/* ---- after the storm: dumps ---- */

#define MAX_OBJS 4096

struct rkey {
	uint8_t family;		/* 4 or 6 */
	uint8_t addr[16];
	uint16_t port;
	uint8_t encap;
};

struct robj {
	struct rkey key;
	uint32_t refcnt;	/* REMOTE_GET */
	uint32_t users;		/* FDB + flood references found */
};

struct collect {
	unsigned int n;		/* messages */
	unsigned int nr;
	struct robj r[MAX_OBJS];
	uint32_t id[MAX_OBJS];	/* LS VNIs or port ifindexes */
	unsigned int nid;
	bool bad;
	unsigned int bad_users;	/* users of remotes REMOTE_GET lacks */
};

static int parse_rkey(const struct nlattr *nest, struct rkey *k, uint32_t *refcnt)
{
	const struct nlattr *tb[KVTEP_REMOTE_A_MAX + 1];

	memset(k, 0, sizeof(*k));
	if (knl_parse_nest(nest, tb, KVTEP_REMOTE_A_MAX))
		return -1;
	if (tb[KVTEP_REMOTE_A_IP4] && mnl_attr_get_payload_len(tb[KVTEP_REMOTE_A_IP4]) == 4) {
		k->family = 4;
		memcpy(k->addr, mnl_attr_get_payload(tb[KVTEP_REMOTE_A_IP4]), 4);
	} else if (tb[KVTEP_REMOTE_A_IP6] &&
		   mnl_attr_get_payload_len(tb[KVTEP_REMOTE_A_IP6]) == 16) {
		k->family = 6;
		memcpy(k->addr, mnl_attr_get_payload(tb[KVTEP_REMOTE_A_IP6]), 16);
	} else {
		return -1;
	}
	if (!tb[KVTEP_REMOTE_A_PORT] || !tb[KVTEP_REMOTE_A_ENCAP])
		return -1;
	k->port = mnl_attr_get_u16(tb[KVTEP_REMOTE_A_PORT]);
	k->encap = mnl_attr_get_u8(tb[KVTEP_REMOTE_A_ENCAP]);
	if (refcnt) {
		if (!tb[KVTEP_REMOTE_A_REFCNT])
			return -1;
		*refcnt = mnl_attr_get_u32(tb[KVTEP_REMOTE_A_REFCNT]);
	}
	return 0;
}

static struct robj *find_remote(struct collect *c, const struct rkey *k)
{
	unsigned int i;

	for (i = 0; i < c->nr; i++)
		if (!memcmp(&c->r[i].key, k, sizeof(*k)))
			return &c->r[i];
	return NULL;
}

static int remote_get_cb(const struct nlmsghdr *nlh, void *data)
{
	struct collect *c = data;
	const struct nlattr *a;

	c->n++;
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(a) != KVTEP_A_REMOTE)
			continue;
		if (c->nr == MAX_OBJS ||
		    parse_rkey(a, &c->r[c->nr].key, &c->r[c->nr].refcnt)) {
			c->bad = true;
			continue;
		}
		c->r[c->nr].users = 0;
		c->nr++;
	}
	return 0;
}

static void count_user(struct collect *c, const struct nlattr *nest)
{
	struct robj *r;
	struct rkey k;

	if (parse_rkey(nest, &k, NULL)) {
		c->bad = true;
		return;
	}
	r = find_remote(c, &k);
	if (r)
		r->users++;
	else
		c->bad_users++;
}

/* FDB_GET dump: a remote entry or a multicast entry uses its remotes. */
static int fdb_users_cb(const struct nlmsghdr *nlh, void *data)
{
	struct collect *c = data;
	const struct nlattr *a, *fa;

	c->n++;
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(a) != KVTEP_A_FDB)
			continue;
		mnl_attr_for_each_nested(fa, a)
			if (mnl_attr_get_type(fa) == KVTEP_FDB_A_REMOTE)
				count_user(c, fa);
	}
	return 0;
}

/* FLOOD_GET dump: each remote of each list. */
static int flood_users_cb(const struct nlmsghdr *nlh, void *data)
{
	struct collect *c = data;
	const struct nlattr *a;

	c->n++;
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == KVTEP_A_REMOTE)
			count_user(c, a);
	return 0;
}

/* LS_GET / PORT_GET dumps: collect VNIs or port ifindexes. */
static int ids_cb(const struct nlmsghdr *nlh, void *data)
{
	struct collect *c = data;
	const struct nlattr *a, *tb[8];

	c->n++;
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		uint16_t t = mnl_attr_get_type(a);

		if (t != KVTEP_A_LS && t != KVTEP_A_PORT)
			continue;
		if (knl_parse_nest(a, tb, 7) || !tb[1] || c->nid == MAX_OBJS) {
			c->bad = true;
			continue;
		}
		c->id[c->nid++] = mnl_attr_get_u32(tb[1]);	/* VNI / IFINDEX */
	}
	return 0;
}

static int count_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	((struct collect *)data)->n++;
	return 0;
}

/* A dump of @cmd on the device; 0, or -errno (-EINTR: inconsistent). */
static int dump(struct knl *k, uint8_t cmd, knl_cb cb, struct collect *c,
		bool keep)
{
	struct nlmsghdr *nlh = req(k, cmd, NLM_F_DUMP);
	struct result r;

	if (!keep)
		memset(c, 0, sizeof(*c));
	c->n = 0;
	talk(k, nlh, cb, c, &r);
	if (r.transport)
		return -r.transport_errno;
	if (r.malformed || c->bad)
		return -EBADMSG;
	if (r.err)
		return r.err;
	return r.intr ? -EINTR : 0;
}

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		ksft_print_msg(__VA_ARGS__);				\
		ksft_print_msg("\n");					\
		failures++;						\
		ok = false;						\
	}								\
} while (0)

static bool check_refcounts(struct knl *k)
{
	static struct collect c;
	unsigned int i, total = 0;
	bool ok = true;
	int err;

	err = dump(k, KVTEP_CMD_REMOTE_GET, remote_get_cb, &c, false);
	CHECK(!err, "REMOTE_GET dump: %s (%s)", strerror(-err), k->ext_msg);
	err = dump(k, KVTEP_CMD_FDB_GET, fdb_users_cb, &c, true);
	CHECK(!err, "FDB_GET dump: %s (%s)", strerror(-err), k->ext_msg);
	ksft_print_msg("after the storm: %u FDB entries\n", c.n);
	err = dump(k, KVTEP_CMD_FLOOD_GET, flood_users_cb, &c, true);
	CHECK(!err, "FLOOD_GET dump: %s (%s)", strerror(-err), k->ext_msg);
	ksft_print_msg("after the storm: %u logical switches, %u remotes\n",
		       c.n, c.nr);
	CHECK(!c.bad_users, "%u remote users (FDB / flood) whose remote REMOTE_GET lacks",
	      c.bad_users);
	for (i = 0; i < c.nr; i++) {
		char s[INET6_ADDRSTRLEN];

		total += c.r[i].refcnt;
		inet_ntop(c.r[i].key.family == 4 ? AF_INET : AF_INET6,
			  c.r[i].key.addr, s, sizeof(s));
		CHECK(c.r[i].refcnt == c.r[i].users,
		      "remote %s port %u encap %u: refcount %u, users found %u",
		      s, c.r[i].key.port, c.r[i].key.encap, c.r[i].refcnt,
		      c.r[i].users);
	}
	ksft_print_msg("remote references: %u in all\n", total);
	return ok;
}

static bool delete_all(struct knl *k)
{
	static const uint8_t dumps[] = {
		KVTEP_CMD_LS_GET, KVTEP_CMD_PORT_GET, KVTEP_CMD_BIND_GET,
		KVTEP_CMD_FDB_GET, KVTEP_CMD_FLOOD_GET, KVTEP_CMD_REMOTE_GET,
	};
	static struct collect c;
	struct nlmsghdr *nlh;
	struct nlattr *n;
	unsigned int i;
	bool ok = true;
	int err;

	err = dump(k, KVTEP_CMD_LS_GET, ids_cb, &c, false);
	CHECK(!err, "LS_GET dump: %s", strerror(-err));
	for (i = 0; i < c.nid; i++) {
		nlh = req(k, KVTEP_CMD_LS_DEL, 0);
		n = mnl_attr_nest_start(nlh, KVTEP_A_LS);
		mnl_attr_put_u32(nlh, KVTEP_LS_A_VNI, c.id[i]);
		mnl_attr_nest_end(nlh, n);
		err = send_valid(k, nlh, fuzz_st, "cleanup");
		CHECK(!err, "LS_DEL %u: %s (%s)", c.id[i], strerror(-err), k->ext_msg);
	}
	err = dump(k, KVTEP_CMD_PORT_GET, ids_cb, &c, false);
	CHECK(!err, "PORT_GET dump: %s", strerror(-err));
	for (i = 0; i < c.nid; i++) {
		nlh = req(k, KVTEP_CMD_PORT_DEL, 0);
		n = mnl_attr_nest_start(nlh, KVTEP_A_PORT);
		mnl_attr_put_u32(nlh, KVTEP_PORT_A_IFINDEX, c.id[i]);
		mnl_attr_nest_end(nlh, n);
		err = send_valid(k, nlh, fuzz_st, "cleanup");
		CHECK(!err, "PORT_DEL %u: %s (%s)", c.id[i], strerror(-err), k->ext_msg);
	}
	for (i = 0; i < sizeof(dumps); i++) {
		err = dump(k, dumps[i], count_cb, &c, false);
		CHECK(!err, "%s dump: %s", cmd_names[dumps[i]], strerror(-err));
		CHECK(!c.n, "%s dump after deleting everything: %u objects",
		      cmd_names[dumps[i]], c.n);
	}
	return ok;
}

/* Netlink sockets of this netns with a non-zero portid (0: the kernel's). */
static int user_netlink_sockets(void)
{
	FILE *fp = fopen("/proc/net/netlink", "r");
	char line[512];
	int n = 0;

	if (!fp)
		return -1;
	while (fgets(line, sizeof(line), fp)) {
		unsigned long long sk;
		unsigned int eth, pid;

		if (sscanf(line, "%llx %u %u", &sk, &eth, &pid) == 3 && pid &&
		    (eth == NETLINK_GENERIC || eth == NETLINK_ROUTE))
			n++;
	}
	fclose(fp);
	return n;
}

static void print_table(const char *title, const struct stats *st)
{
	unsigned int i, e;
	struct row t = { 0 };

	ksft_print_msg("%s\n", title);
	ksft_print_msg("%-11s %8s %7s %8s %8s %6s %6s %6s\n", "command", "sent",
		       "dumps", "accepted", "rejected", "no-ext", "exempt", "intr");
	for (i = 1; i < N_ROWS; i++) {
		const struct row *r = &st->row[i];

		if (!r->sent)
			continue;
		ksft_print_msg("%-11s %8lu %7lu %8lu %8lu %6lu %6lu %6lu\n",
			       cmd_names[i], r->sent, r->dumps, r->accepted,
			       r->rejected, r->noext, r->exempt, r->intr);
		t.sent += r->sent;
		t.dumps += r->dumps;
		t.accepted += r->accepted;
		t.rejected += r->rejected;
		t.noext += r->noext;
		t.exempt += r->exempt;
		t.intr += r->intr;
	}
	ksft_print_msg("%-11s %8lu %7lu %8lu %8lu %6lu %6lu %6lu\n", "total",
		       t.sent, t.dumps, t.accepted, t.rejected, t.noext, t.exempt,
		       t.intr);
	for (i = 1; i < N_ROWS; i++)
		for (e = 0; e < N_ERRNO; e++)
			if (st->noext_errno[i][e])
				ksft_print_msg("  NO EXTACK: %-11s -%-3u %-40s %lu\n",
					       cmd_names[i], e, strerror(e),
					       st->noext_errno[i][e]);
	for (e = 0; e < N_ERRNO; e++)
		if (st->exempt_errno[e])
			ksft_print_msg("  exempt: -%-3u %-40s %lu\n", e, strerror(e),
				       st->exempt_errno[e]);
	if (st->transport || st->malformed)
		ksft_print_msg("  transport errors %lu, malformed replies %lu\n",
			       st->transport, st->malformed);
}

static unsigned long env_ul(const char *name, unsigned long def)
{
	const char *s = getenv(name);

	return s && *s ? strtoull(s, NULL, 0) : def;
}

int main(void)
{
	unsigned int cmds[KVTEP_CMD_MAX], ncmds = 0, c;
	unsigned long iters, i, total;
	struct timespec t0, t1;
	struct knl *k;
	uint64_t seed;
	int err, status, nsk;
	bool ok = true;
	pid_t pid;

	ksft_print_header();
	ksft_set_plan(4);
	if (geteuid())
		ksft_exit_skip("must be run as root\n");
	seed = env_ul("KVTEP_FUZZ_SEED", (uint64_t)time(NULL) << 16 ^ getpid());
	/* KVTEP_FUZZ_SHORT: the short form make check runs under the debug kernel */
	iters = env_ul("KVTEP_FUZZ_ITERS", getenv("KVTEP_FUZZ_SHORT") ?
		       ITERS_DEFAULT / 10 : ITERS_DEFAULT);
	ksft_print_msg("seed %" PRIu64 " (KVTEP_FUZZ_SEED), %lu requests per command (KVTEP_FUZZ_ITERS)\n",
		       seed, iters);
	rng_state = seed ? seed : 1;

	if (unshare(CLONE_NEWNET))
		ksft_exit_fail_msg("unshare: %s\n", strerror(errno));
	err = knl_link_add(DEV, "kvtep");
	if (err == -EOPNOTSUPP)
		ksft_exit_skip("kvtep module not available (no link type \"kvtep\")\n");
	if (err)
		ksft_exit_fail_msg("ip link add " DEV " type kvtep: %s\n", strerror(-err));
	err = knl_veth_add(VETH_A, VETH_B);
	if (err)
		ksft_exit_fail_msg("veth: %s\n", strerror(-err));
	refresh_ifindex();
	if (!ifindex_dev || !ifindex_va || !ifindex_vb)
		ksft_exit_fail_msg("no ifindex for the devices\n");
	link_up(ifindex_va);
	link_up(ifindex_vb);

	k = calloc(1, sizeof(*k));
	if (!k || knl_open(k, NETLINK_GENERIC))
		ksft_exit_fail_msg("generic netlink socket\n");
	if (knl_resolve(k, KVTEP_GENL_NAME, &family))
		ksft_exit_fail_msg("family %s: %s\n", KVTEP_GENL_NAME, k->ext_msg);
	{
		struct nlmsghdr *nlh = knl_genl_msg(k, GENL_ID_CTRL,
						    CTRL_CMD_GETFAMILY, 1, 0);

		mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, KVTEP_GENL_NAME);
		if (knl_talk(k, nlh, ops_cb, NULL))
			ksft_exit_fail_msg("family ops: %s\n", k->ext_msg);
	}
	knl_close(k);
	if (open_sock(k, NETLINK_GENERIC))
		ksft_exit_fail_msg("generic netlink socket\n");

	fuzz_st = mmap(NULL, 2 * sizeof(struct stats), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (fuzz_st == MAP_FAILED)
		ksft_exit_fail_msg("mmap: %s\n", strerror(errno));
	storm_st = fuzz_st + 1;

	err = dev_set_local(k, fuzz_st);
	if (err)
		ksft_exit_fail_msg("DEV_SET local %s: %s\n", LOCAL_IP, strerror(-err));

	for (c = KVTEP_CMD_UNSPEC + 1; c <= KVTEP_CMD_MAX; c++) {
		if (c == KVTEP_CMD_FDB_NTF)
			continue;
		if (!cmd_has_do(c) && !cmd_has_dump(c))
			ksft_print_msg("%s: the family has no such op\n", cmd_names[c]);
		cmds[ncmds++] = c;
	}
	total = iters * ncmds;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		ksft_exit_fail_msg("fork: %s\n", strerror(errno));
	if (pid == 0) {
		rng_state = seed * 3 + 7;
		knl_close(k);
		/* About as many valid requests as the fuzzer sends, in time. */
		_exit(storm(total / 3));
	}

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < total; i++) {
		if (i % 64 == 0)
			refresh_ifindex();
		fuzz_one(k, cmds[i % ncmds]);
		if (i % 97 == 0) {	/* unknown commands, the notification */
			static const unsigned int other[] = {
				KVTEP_CMD_UNSPEC, KVTEP_CMD_FDB_NTF, KVTEP_CMD_MAX + 1,
				200, 255,
			};

			fuzz_one(k, other[rnd(5)]);
		}
		if (i && i % (total / 10 ? total / 10 : 1) == 0)
			ksft_print_msg("%lu%%\n", i * 100 / total);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ksft_print_msg("fuzzing took %.1f s\n", (t1.tv_sec - t0.tv_sec) +
		       (t1.tv_nsec - t0.tv_nsec) / 1e9);

	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		ksft_print_msg("storm child failed (status 0x%x)\n", status);
		failures++;
		ok = false;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ksft_print_msg("storm done after %.1f s\n", (t1.tv_sec - t0.tv_sec) +
		       (t1.tv_nsec - t0.tv_nsec) / 1e9);

	print_table("fuzzer requests:", fuzz_st);
	print_table("storm requests (valid, concurrent):", storm_st);
	{
		unsigned long noext = 0;

		for (c = 0; c < N_ROWS; c++)
			noext += fuzz_st->row[c].noext + storm_st->row[c].noext;
		CHECK(!noext, "%lu rejections without an extack message", noext);
		CHECK(!fuzz_st->transport && !storm_st->transport,
		      "%lu requests without a verdict", fuzz_st->transport +
		      storm_st->transport);
		CHECK(!fuzz_st->malformed && !storm_st->malformed,
		      "%lu malformed replies", fuzz_st->malformed + storm_st->malformed);
	}
	ksft_test_result(ok, "fuzz: every rejection has an extack message\n");

	/* The storm is over: dumps must agree now. */
	refresh_ifindex();
	if (!ifindex_dev)
		ksft_exit_fail_msg("the storm left no device\n");
	ok = true;
	dev_set_local(k, NULL);
	populate(k);	/* the fuzzer deleted much of what the storm left */
	ksft_test_result(check_refcounts(k), "remote refcounts match FDB and flood users\n");
	ksft_test_result(delete_all(k), "everything deletes and dumps are empty\n");

	ok = true;
	err = knl_link_del(ifindex_dev);
	CHECK(!err, "delete %s: %s", DEV, strerror(-err));
	{
		static struct collect cc;
		struct nlmsghdr *nlh = knl_kvtep_msg(k, KVTEP_CMD_DEV_GET, NLM_F_DUMP);
		struct result r;

		talk(k, nlh, count_cb, &cc, &r);
		CHECK(!r.transport && !r.err && !cc.n,
		      "DEV_GET dump after deleting the device: err %d, %u devices",
		      r.err, cc.n);
	}
	refresh_ifindex();
	if (ifindex_va) {
		err = knl_link_del(ifindex_va);
		CHECK(!err, "delete %s: %s", VETH_A, strerror(-err));
	}
	CHECK(!mnl_socket_close(k->sock), "close: %s", strerror(errno));
	k->sock = NULL;
	free(k);
	nsk = user_netlink_sockets();
	CHECK(nsk == 0, "%d netlink sockets left open", nsk);
	ksft_test_result(ok, "device deleted, no socket left\n");

	if (failures)
		ksft_exit_fail_msg("%lu failures (seed %" PRIu64 ")\n", failures, seed);
	ksft_exit_pass();
}
