/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kvtepctl: shared declarations of the command line front end.
 *
 * Grammar: kvtepctl [OPTIONS] OBJECT [COMMAND [ARGS...]]
 * Objects and commands are looked up in tables (struct cmd) by exact name
 * or unique prefix. Handlers return an exit code (enum kvtep_exit).
 */
#ifndef KVTEPCTL_H
#define KVTEPCTL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "nl.h"

enum kvtep_exit {
	KVTEP_EXIT_OK = 0,	/* success */
	KVTEP_EXIT_FAIL = 1,	/* netlink or kernel error */
	KVTEP_EXIT_USAGE = 2,	/* bad command line */
};

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);	/* argv[0] is the first argument */
	void (*usage)(FILE *f);			/* objects only */
	const char *summary;
};

/* Table lookup by exact name or unique prefix; NULL (and a message) if none. */
const struct cmd *cmd_find(const struct cmd *tbl, const char *name,
			   const char *what);
/* Look up argv[0] in @tbl and run it with the remaining arguments. */
int cmd_dispatch(const struct cmd *tbl, const char *what, int argc, char **argv);

bool is_help(const char *arg);
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Strict number parsing: decimal or 0x hex, whole string, in [min, max]. */
int parse_ull(const char *arg, const char *name, unsigned long long min,
	      unsigned long long max, unsigned long long *val);

/* The shared netlink context, opened on first use; NULL if that failed. */
struct nl_ctx *kvtep_nl(void);

static inline int nl_exit_code(int err)
{
	return err ? KVTEP_EXIT_FAIL : KVTEP_EXIT_OK;
}

/* names.c */
const char *kvtep_attr_name(uint16_t type);
const char *kvtep_df_name(uint8_t df);

/* Objects. */
int do_dev(int argc, char **argv);
void dev_usage(FILE *f);

#endif /* KVTEPCTL_H */
