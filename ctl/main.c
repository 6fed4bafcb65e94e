// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvtepctl: configure kvtep devices over generic netlink.
 *
 * Global options, the object table and the helpers every object shares.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/kvtep.h>

#include "kvtepctl.h"
#include "common.h"
#include "print.h"

#ifndef KVTEP_VERSION
#error "KVTEP_VERSION must be defined by the build (from the top-level VERSION file)"
#endif

static int do_help(int argc, char **argv);

static const struct cmd objects[] = {
	{ "dev",     do_dev,     dev_usage,     "kvtep devices and their settings" },
	{ "port",    do_port,    port_usage,    "ports (enslaved network devices)" },
	{ "ls",      do_ls,      ls_usage,      "logical switches (VNIs) and their counters" },
	{ "bind",    do_bind,    bind_usage,    "(port, VLAN) -> logical switch bindings" },
	{ "fdb",     do_fdb,     fdb_usage,     "forwarding database entries" },
	{ "flood",   do_flood,   flood_usage,   "flood lists (BUM destinations)" },
	{ "remote",  do_remote,  remote_usage,  "tunnel destinations in use" },
	{ "stats",   do_stats,   stats_usage,   "device counters and drop reasons" },
	{ "monitor", do_monitor, monitor_usage, "print FDB events until killed" },
	{ "ovsdb",   do_ovsdb,   ovsdb_usage,   "hardware_vtep OVSDB agent (replaces ovs-vtep)" },
	{ "help",    do_help,    NULL,          "this text, \"help OBJECT\" or \"help all\"" },
	{ 0 }
};

static void usage(FILE *f)
{
	const struct cmd *o;

	fprintf(f,
		"Usage: kvtepctl [OPTIONS] OBJECT [COMMAND [ARGUMENTS]]\n"
		"       kvtepctl OBJECT help\n"
		"       kvtepctl help all   (every object's commands)\n"
		"\n"
		"Options:\n"
		"  -j, --json      JSON output (an array of objects)\n"
		"  -p, --pretty    indented JSON output (implies -j)\n"
		"  -b, --batch FILE  run the commands of FILE (\"-\": standard input),\n"
		"                  one per line without \"kvtepctl\"; '#' starts a\n"
		"                  comment. Stops at the first failing line (named\n"
		"                  FILE:LINE) with its exit status. Consecutive\n"
		"                  \"fdb add\" lines of one device go to the kernel\n"
		"                  together, many entries per netlink message.\n"
		"  -V, --version   print the version and exit\n"
		"  -h, --help      print this help and exit\n"
		"\n"
		"Objects:\n");
	for (o = objects; o->name; o++)
		fprintf(f, "  %-8s %s\n", o->name, o->summary);
	fprintf(f,
		"\n"
		"Objects and commands may be abbreviated to a unique prefix.\n"
		"\n"
		"Exit status:\n"
		"  0  success\n"
		"  1  netlink or kernel error (the kernel's message is printed)\n"
		"  2  usage error (bad object, command or argument)\n");
}

static int do_help(int argc, char **argv)
{
	const struct cmd *o;

	if (argc < 1) {
		usage(stdout);
		return KVTEP_EXIT_OK;
	}
	if (argc == 1 && !strcmp(argv[0], "all")) {
		/* The complete reference: every object's commands. */
		usage(stdout);
		for (o = objects; o->name; o++) {
			if (!o->usage)
				continue;
			printf("\n");
			o->usage(stdout);
		}
		return KVTEP_EXIT_OK;
	}
	o = cmd_find(objects, argv[0], "object");
	if (!o)
		return KVTEP_EXIT_USAGE;
	if (argc > 1)
		return usage_error("unexpected argument \"%s\"", argv[1]);
	if (o->usage)
		o->usage(stdout);
	else
		usage(stdout);
	return KVTEP_EXIT_OK;
}

/* --- shared helpers ---------------------------------------------------- */

bool is_help(const char *arg)
{
	return !strcmp(arg, "help") || !strcmp(arg, "-h") || !strcmp(arg, "--help");
}

int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("kvtepctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return KVTEP_EXIT_USAGE;
}

const struct cmd *cmd_find(const struct cmd *tbl, const char *name,
			   const char *what)
{
	const struct cmd *c, *found = NULL;
	size_t len = strlen(name);
	int matches = 0;

	for (c = tbl; c->name; c++) {
		if (!strcmp(c->name, name))
			return c;
		if (len && !strncmp(c->name, name, len)) {
			found = c;
			matches++;
		}
	}
	if (matches == 1)
		return found;

	if (!matches) {
		usage_error("unknown %s \"%s\"", what, name);
	} else {
		fprintf(stderr, "kvtepctl: ambiguous %s \"%s\":", what, name);
		for (c = tbl; c->name; c++)
			if (!strncmp(c->name, name, len))
				fprintf(stderr, " %s", c->name);
		fputc('\n', stderr);
	}
	return NULL;
}

int cmd_dispatch(const struct cmd *tbl, const char *what, int argc, char **argv)
{
	const struct cmd *c = cmd_find(tbl, argv[0], what);

	if (!c)
		return KVTEP_EXIT_USAGE;
	return c->fn(argc - 1, argv + 1);
}

int parse_ull(const char *arg, const char *name, unsigned long long min,
	      unsigned long long max, unsigned long long *val)
{
	unsigned long long v;
	const char *p = arg;
	char *end;
	int base = 10;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	/* strtoull accepts signs and blanks; we do not. */
	if (!(base == 10 ? (*p >= '0' && *p <= '9') :
			   ((*p >= '0' && *p <= '9') ||
			    ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'f'))))
		goto bad;
	errno = 0;
	v = strtoull(p, &end, base);
	if (errno || *end || v < min || v > max)
		goto bad;
	*val = v;
	return 0;
bad:
	usage_error("invalid %s \"%s\": expected an integer %llu..%llu",
		    name, arg, min, max);
	return -EINVAL;
}

static struct nl_ctx nl_ctx;
static bool nl_opened;

struct nl_ctx *kvtep_nl(void)
{
	if (!nl_opened) {
		if (nl_open(&nl_ctx, KVTEP_GENL_NAME))
			return NULL;
		nl_ctx.attr_name = kvtep_attr_name;
		nl_opened = true;
	}
	return &nl_ctx;
}

static void kvtep_nl_close(void)
{
	if (nl_opened)
		nl_close(&nl_ctx);
	nl_opened = false;
}

/* --- main ---------------------------------------------------------------- */

/* One command line (OBJECT [COMMAND [ARGS]]): an exit code. */
static int run_cmdline(int argc, char **argv)
{
	const struct cmd *obj;
	int ret;

	obj = cmd_find(objects, argv[0], "object");
	if (!obj) {
		fputs("Try \"kvtepctl help\".\n", stderr);
		return KVTEP_EXIT_USAGE;
	}
	ret = obj->fn(argc - 1, argv + 1);
	if (ret == KVTEP_EXIT_USAGE && obj->usage)
		fprintf(stderr, "Try \"kvtepctl %s help\".\n", obj->name);
	return ret;
}

int main(int argc, char **argv)
{
	static const struct option long_opts[] = {
		{ "json",    no_argument, NULL, 'j' },
		{ "pretty",  no_argument, NULL, 'p' },
		{ "batch",   required_argument, NULL, 'b' },
		{ "version", no_argument, NULL, 'V' },
		{ "help",    no_argument, NULL, 'h' },
		{ 0 }
	};
	bool json = false, pretty = false;
	const char *batch = NULL;
	int opt, ret;

	/* "+": stop at the object, its arguments are not options. */
	while ((opt = getopt_long(argc, argv, "+jpb:Vh", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'p':
			json = pretty = true;
			break;
		case 'b':
			batch = optarg;
			break;
		case 'V':
			printf("kvtepctl %s\n", KVTEP_VERSION);
			return KVTEP_EXIT_OK;
		case 'h':
			usage(stdout);
			return KVTEP_EXIT_OK;
		default:
			fputs("Try \"kvtepctl help\".\n", stderr);
			return KVTEP_EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;

	if (batch && argc > 0)
		return usage_error("-b FILE takes no command (unexpected \"%s\")",
				   argv[0]);
	if (!batch && argc < 1) {
		usage(stderr);
		return KVTEP_EXIT_USAGE;
	}

	print_init(json, pretty);
	if (batch)
		ret = run_batch(batch, run_cmdline);
	else
		ret = run_cmdline(argc, argv);
	kvtep_nl_close();
	if (fflush(stdout) && ret == KVTEP_EXIT_OK) {
		fprintf(stderr, "kvtepctl: write error: %s\n", strerror(errno));
		ret = KVTEP_EXIT_FAIL;
	}
	return ret;
}
