// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvtep generic netlink interface: family, DEV_GET (doit by ifindex and
 * name, dump), errors with extack, CAP_NET_ADMIN on DEV_SET, DEV_SET
 * changes and policy rejections.
 *
 * Every test runs in a fresh network namespace of its own holding one
 * device, kvtep-t0, created over rtnetlink:
 *
 *   +------------------- netns (unshare) -------------------+
 *   |  kvtep-t0 (type kvtep)  <-- genl "kvtep" --  this test |
 *   +--------------------------------------------------------+
 *
 * Needs root and the kvtep module (autoloaded by "rtnl-link-kvtep").
 * Build: cc -Wall -Wextra -Werror -I build/kselftest -I include/uapi \
 *           -o kvtep_genl_test selftests/kvtep_genl_test.c -lmnl -lcap
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/capability.h>
#include <sys/wait.h>

#include "kvtep_harness.h"
#include "kvtep_nl_util.h"

#define TEST_DEV	"kvtep-t0"

FIXTURE(kvtep)
{
	struct knl *nl;		/* generic netlink, family resolved */
	struct knl_family family;
	uint32_t ifindex;
};

FIXTURE_SETUP(kvtep)
{
	int err;

	if (geteuid())
		SKIP(return, "must be run as root");
	ASSERT_EQ(0, unshare(CLONE_NEWNET)) TH_LOG("unshare: %s", strerror(errno));

	err = knl_link_add(TEST_DEV, "kvtep");
	if (err == -EOPNOTSUPP)
		SKIP(return, "kvtep module not available (no link type \"kvtep\")");
	ASSERT_EQ(0, err) TH_LOG("ip link add " TEST_DEV " type kvtep: %s", strerror(-err));
	self->ifindex = if_nametoindex(TEST_DEV);
	ASSERT_NE(0U, self->ifindex);

	self->nl = calloc(1, sizeof(*self->nl));
	ASSERT_NE(NULL, self->nl);
	ASSERT_EQ(0, knl_open(self->nl, NETLINK_GENERIC));
	err = knl_resolve(self->nl, KVTEP_GENL_NAME, &self->family);
	ASSERT_EQ(0, err) TH_LOG("generic netlink family \"%s\": %s",
				 KVTEP_GENL_NAME, strerror(-err));
	self->nl->family = self->family.id;
}

FIXTURE_TEARDOWN(kvtep)
{
	/* The netns dies with us; deleting explicitly exercises dellink. */
	if (self->ifindex)
		EXPECT_EQ(0, knl_link_del(self->ifindex));
	if (self->nl) {
		knl_close(self->nl);
		free(self->nl);
	}
}

/* 1. The family is registered with the version and groups of the UAPI. */
TEST_F(kvtep, family_resolves)
{
	unsigned int i;
	bool fdb = false, config = false;

	ASSERT_NE(0, self->family.id);
	ASSERT_GE(self->family.version, (uint32_t)KVTEP_GENL_VERSION);
	for (i = 0; i < self->family.n_mcgrps; i++) {
		fdb |= !strcmp(self->family.mcgrps[i], KVTEP_MCGRP_FDB);
		config |= !strcmp(self->family.mcgrps[i], KVTEP_MCGRP_CONFIG);
	}
	/* Groups are for monitor: not required yet, but say so. */
	if (!fdb || !config)
		TH_LOG("multicast groups: fdb %s, config %s",
		       fdb ? "yes" : "MISSING", config ? "yes" : "MISSING");
}

static void check_default_dev(struct __test_metadata *_metadata,
			      const struct kvtep_dev_info *d, uint32_t ifindex)
{
	ASSERT_TRUE(KDEV_HAS(d, KVTEP_A_IFINDEX));
	ASSERT_TRUE(KDEV_HAS(d, KVTEP_A_IFNAME));
	ASSERT_TRUE(KDEV_HAS(d, KVTEP_A_VXLAN_PORT));
	ASSERT_TRUE(KDEV_HAS(d, KVTEP_A_GENEVE_PORT));
	EXPECT_EQ(ifindex, d->ifindex);
	EXPECT_STREQ(TEST_DEV, d->ifname);
	EXPECT_EQ(KVTEP_VXLAN_PORT_DEFAULT, d->vxlan_port);
	EXPECT_EQ(KVTEP_GENEVE_PORT_DEFAULT, d->geneve_port);
}

/* 2. DEV_GET by ifindex, by name, and as a dump. */
TEST_F(kvtep, dev_get_by_ifindex)
{
	struct kvtep_dev_info d;
	int err;

	err = kvtep_dev_get(self->nl, self->ifindex, NULL, &d);
	ASSERT_EQ(0, err) TH_LOG("DEV_GET: %s: %s", strerror(-err), self->nl->ext_msg);
	check_default_dev(_metadata, &d, self->ifindex);
	/* Every device attribute of the UAPI is in the reply. */
	EXPECT_TRUE(KDEV_HAS(&d, KVTEP_A_TTL));
	EXPECT_TRUE(KDEV_HAS(&d, KVTEP_A_TOS));
	EXPECT_TRUE(KDEV_HAS(&d, KVTEP_A_DF));
	EXPECT_TRUE(KDEV_HAS(&d, KVTEP_A_LEARNING));
	EXPECT_TRUE(KDEV_HAS(&d, KVTEP_A_TUNNEL_LEARNING));
	EXPECT_TRUE(KDEV_HAS(&d, KVTEP_A_AGEING));
	EXPECT_TRUE(KDEV_HAS(&d, KVTEP_A_FDB_MAX));
	EXPECT_TRUE(KDEV_HAS(&d, KVTEP_A_FDB_COUNT));
	EXPECT_TRUE(KDEV_HAS(&d, KVTEP_A_UDP_CSUM));
	EXPECT_TRUE(KDEV_HAS(&d, KVTEP_A_GENERATION));
	EXPECT_EQ((uint32_t)KVTEP_AGEING_DEFAULT, d.ageing);
	EXPECT_EQ(0U, d.fdb_count);
}

TEST_F(kvtep, dev_get_by_name)
{
	struct kvtep_dev_info d;
	int err;

	err = kvtep_dev_get(self->nl, 0, TEST_DEV, &d);
	ASSERT_EQ(0, err) TH_LOG("DEV_GET: %s: %s", strerror(-err), self->nl->ext_msg);
	check_default_dev(_metadata, &d, self->ifindex);
}

struct dump_state {
	int count;
	int found;
	struct kvtep_dev_info dev;
};

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_state *s = data;
	struct kvtep_dev_info d;
	int err = kvtep_dev_parse(nlh, &d);

	if (err)
		return err;
	s->count++;
	if (!strcmp(d.ifname, TEST_DEV)) {
		s->found++;
		s->dev = d;
	}
	return 0;
}

TEST_F(kvtep, dev_get_dump)
{
	struct dump_state s = { 0 };
	struct nlmsghdr *nlh;

	nlh = knl_kvtep_msg(self->nl, KVTEP_CMD_DEV_GET, NLM_F_DUMP);
	ASSERT_EQ(0, knl_talk(self->nl, nlh, dump_cb, &s))
		TH_LOG("DEV_GET dump: %s", self->nl->ext_msg);
	/* Our namespace holds exactly one kvtep device. */
	EXPECT_EQ(1, s.count);
	ASSERT_EQ(1, s.found);
	check_default_dev(_metadata, &s.dev, self->ifindex);
}

/* 3. Unknown devices: ENODEV, with the kernel saying why. */
TEST_F(kvtep, dev_get_enodev)
{
	struct kvtep_dev_info d;

	EXPECT_EQ(-ENODEV, kvtep_dev_get(self->nl, 0x7ffffff0, NULL, &d));
	EXPECT_NE(0, self->nl->ext_msg[0]) TH_LOG("no extack message");
	TH_LOG("by ifindex: \"%s\"", self->nl->ext_msg);

	EXPECT_EQ(-ENODEV, kvtep_dev_get(self->nl, 0, "kvtep-nonexist", &d));
	EXPECT_NE(0, self->nl->ext_msg[0]) TH_LOG("no extack message");
}

/* DEV_SET with @attr = @val, as u8/u16/u32 by @size; returns -errno. */
static int dev_set_one(struct knl *k, uint32_t ifindex, uint16_t attr, int size,
		       uint32_t val, uint32_t *attr_offs)
{
	struct nlmsghdr *nlh = knl_kvtep_msg(k, KVTEP_CMD_DEV_SET, 0);

	mnl_attr_put_u32(nlh, KVTEP_A_IFINDEX, ifindex);
	if (attr_offs)
		*attr_offs = nlh->nlmsg_len;
	if (size == 1)
		mnl_attr_put_u8(nlh, attr, val);
	else if (size == 2)
		mnl_attr_put_u16(nlh, attr, val);
	else
		mnl_attr_put_u32(nlh, attr, val);
	return knl_talk(k, nlh, NULL, NULL);
}

/*
 * 4. DEV_SET needs CAP_NET_ADMIN. A child drops it and tries; it reports
 * the errno as its exit status (or 100+ for its own failures).
 */
TEST_F(kvtep, dev_set_eperm)
{
	struct kvtep_dev_info before, after;
	int status;
	pid_t pid;

	ASSERT_EQ(0, kvtep_dev_get(self->nl, self->ifindex, NULL, &before));
	ASSERT_TRUE(KDEV_HAS(&before, KVTEP_A_AGEING));

	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		cap_value_t cap = CAP_NET_ADMIN;
		struct kvtep_dev_info d;
		struct knl *k;
		cap_t caps;
		int err;

		caps = cap_get_proc();
		if (!caps ||
		    cap_set_flag(caps, CAP_EFFECTIVE, 1, &cap, CAP_CLEAR) ||
		    cap_set_flag(caps, CAP_PERMITTED, 1, &cap, CAP_CLEAR) ||
		    cap_set_proc(caps))
			_exit(100);
		cap_free(caps);

		/* A socket of our own, opened without the capability. */
		k = calloc(1, sizeof(*k));
		if (!k || knl_open(k, NETLINK_GENERIC))
			_exit(101);
		k->family = self->family.id;
		/* Reading stays unprivileged. */
		if (kvtep_dev_get(k, self->ifindex, NULL, &d))
			_exit(102);
		err = dev_set_one(k, self->ifindex, KVTEP_A_AGEING, 4,
				  before.ageing + 1, NULL);
		_exit(err < 0 ? -err : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(EPERM, WEXITSTATUS(status))
		TH_LOG("unprivileged DEV_SET: exit %d (100+: child setup failed)",
		       WEXITSTATUS(status));

	ASSERT_EQ(0, kvtep_dev_get(self->nl, self->ifindex, NULL, &after));
	EXPECT_EQ(before.ageing, after.ageing);
	if (KDEV_HAS(&before, KVTEP_A_GENERATION))
		EXPECT_EQ(before.generation, after.generation);
}

/* 5. Valid changes stick; out-of-range values fail whole, with extack. */
TEST_F(kvtep, dev_set_valid)
{
	struct kvtep_dev_info before, after;
	struct nlmsghdr *nlh;
	int err;

	ASSERT_EQ(0, kvtep_dev_get(self->nl, self->ifindex, NULL, &before));

	nlh = knl_kvtep_msg(self->nl, KVTEP_CMD_DEV_SET, 0);
	mnl_attr_put_u32(nlh, KVTEP_A_IFINDEX, self->ifindex);
	mnl_attr_put_u32(nlh, KVTEP_A_AGEING, 60);
	mnl_attr_put_u16(nlh, KVTEP_A_VXLAN_PORT, 4790);
	err = knl_talk(self->nl, nlh, NULL, NULL);
	ASSERT_EQ(0, err) TH_LOG("DEV_SET: %s: %s", strerror(-err), self->nl->ext_msg);

	ASSERT_EQ(0, kvtep_dev_get(self->nl, self->ifindex, NULL, &after));
	EXPECT_EQ(60U, after.ageing);
	EXPECT_EQ(4790, after.vxlan_port);
	/* Untouched settings stay. */
	EXPECT_EQ(before.geneve_port, after.geneve_port);
	EXPECT_EQ(before.df, after.df);
	EXPECT_EQ(before.ttl, after.ttl);
	/* A change bumps the configuration generation. */
	if (KDEV_HAS(&before, KVTEP_A_GENERATION))
		EXPECT_NE(before.generation, after.generation);

	/* By name as well. */
	nlh = knl_kvtep_msg(self->nl, KVTEP_CMD_DEV_SET, 0);
	mnl_attr_put_strz(nlh, KVTEP_A_IFNAME, TEST_DEV);
	mnl_attr_put_u8(nlh, KVTEP_A_DF, KVTEP_DF_SET);
	ASSERT_EQ(0, knl_talk(self->nl, nlh, NULL, NULL)) TH_LOG("%s", self->nl->ext_msg);
	ASSERT_EQ(0, kvtep_dev_get(self->nl, self->ifindex, NULL, &after));
	EXPECT_EQ(KVTEP_DF_SET, after.df);
}

static void expect_rejected(struct __test_metadata *_metadata, struct knl *k,
			    int err, uint32_t attr_offs, const char *what)
{
	EXPECT_TRUE(err == -EINVAL || err == -ERANGE)
		TH_LOG("%s: got %d (%s)", what, err, strerror(-err));
	EXPECT_NE(0, k->ext_msg[0]) TH_LOG("%s: no extack message", what);
	/* If the kernel points at an attribute, it must be the bad one. */
	if (k->has_offs)
		EXPECT_EQ(attr_offs, k->ext_offs) TH_LOG("%s: bad attribute offset", what);
	TH_LOG("%s: \"%s\"", what, k->ext_msg);
}

TEST_F(kvtep, dev_set_invalid)
{
	struct kvtep_dev_info before, after;
	struct nlmsghdr *nlh;
	uint32_t offs;
	int err;

	ASSERT_EQ(0, kvtep_dev_get(self->nl, self->ifindex, NULL, &before));

	err = dev_set_one(self->nl, self->ifindex, KVTEP_A_DF, 1, 7, &offs);
	expect_rejected(_metadata, self->nl, err, offs, "df 7");
	err = dev_set_one(self->nl, self->ifindex, KVTEP_A_DF, 1, KVTEP_DF_MAX + 1, &offs);
	expect_rejected(_metadata, self->nl, err, offs, "df KVTEP_DF_MAX + 1");
	err = dev_set_one(self->nl, self->ifindex, KVTEP_A_VXLAN_PORT, 2, 0, &offs);
	expect_rejected(_metadata, self->nl, err, offs, "vxlan-port 0");
	err = dev_set_one(self->nl, self->ifindex, KVTEP_A_GENEVE_PORT, 2, 0, &offs);
	expect_rejected(_metadata, self->nl, err, offs, "geneve-port 0");

	/* A bad value fails the whole request: the good one is not applied. */
	nlh = knl_kvtep_msg(self->nl, KVTEP_CMD_DEV_SET, 0);
	mnl_attr_put_u32(nlh, KVTEP_A_IFINDEX, self->ifindex);
	mnl_attr_put_u32(nlh, KVTEP_A_AGEING, before.ageing + 7);
	offs = nlh->nlmsg_len;
	mnl_attr_put_u8(nlh, KVTEP_A_DF, 7);
	err = knl_talk(self->nl, nlh, NULL, NULL);
	expect_rejected(_metadata, self->nl, err, offs, "ageing + df 7");

	ASSERT_EQ(0, kvtep_dev_get(self->nl, self->ifindex, NULL, &after));
	EXPECT_EQ(before.ageing, after.ageing);
	EXPECT_EQ(before.df, after.df);
	EXPECT_EQ(before.vxlan_port, after.vxlan_port);
	EXPECT_EQ(before.geneve_port, after.geneve_port);
	if (KDEV_HAS(&before, KVTEP_A_GENERATION))
		EXPECT_EQ(before.generation, after.generation);
}

TEST_HARNESS_MAIN
