// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvtepctl -b FILE: run one command per line. Consecutive "fdb add" lines
 * of one device are packed into one FDB_ADD request of many KVTEP_A_FDB
 * nests (up to NL_REQ_SIZE bytes); the kernel applies them in order and
 * stops at the first failing one, which extack points at: that nest tells
 * us the line to blame.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/kvtep.h>

#include "kvtepctl.h"
#include "common.h"

#define BATCH_MAX_ARGS	(2 * 1024 + 64)	/* fdb add with 1024 remotes */

struct pack_entry {
	uint32_t offs;		/* of the KVTEP_A_FDB nest in the request */
	unsigned long line;
};

struct pack {
	struct nlmsghdr *nlh;	/* NULL: nothing pending */
	char dev[IFNAMSIZ];
	bool replace;
	struct pack_entry *ents;
	size_t n, cap;
};

static const char *batch_name;

static void line_error(unsigned long line, const char *what)
{
	fprintf(stderr, "kvtepctl: %s:%lu: %s\n", batch_name, line, what);
}

/* Send the pending request; on failure, name the line extack points at. */
static int pack_flush(struct nl_ctx *nl, struct pack *p)
{
	unsigned long line;
	size_t i;
	int err;

	if (!p->nlh)
		return 0;
	err = nl_talk(nl, p->nlh, NULL, NULL);
	p->nlh = NULL;
	if (!err) {
		p->n = 0;
		return 0;
	}
	line = p->ents[0].line;
	if (nl->err_has_offs)
		for (i = 0; i < p->n && p->ents[i].offs <= nl->err_offs; i++)
			line = p->ents[i].line;
	line_error(line, "fdb add failed (the lines before it are applied)");
	p->n = 0;
	return KVTEP_EXIT_FAIL;
}

/* One "fdb add" line (argv[0] = DEV) into the pending request. */
static int pack_add(struct nl_ctx *nl, struct pack *p, char *scratch,
		    int argc, char **argv, unsigned long line)
{
	struct nlmsghdr *one;
	bool replace = false;
	uint32_t len;
	int ret;

	/* libmnl zeroes attribute padding: no need to clear the buffer. */
	one = mnl_nlmsg_put_header(scratch);
	ret = fdb_add_parse_put(one, argc, argv, &replace);
	if (ret) {
		/* What came before this line still goes in. */
		if (pack_flush(nl, p))
			return KVTEP_EXIT_FAIL;
		line_error(line, "invalid fdb add");
		return ret;
	}
	len = one->nlmsg_len - mnl_nlmsg_size(0);

	if (p->nlh && (strcmp(p->dev, argv[0]) || p->replace != replace ||
		       p->nlh->nlmsg_len + len > NL_REQ_SIZE)) {
		ret = pack_flush(nl, p);
		if (ret)
			return ret;
	}
	if (!p->nlh) {
		p->nlh = nl_req_start(nl, KVTEP_CMD_FDB_ADD, NLM_F_CREATE |
				      (replace ? NLM_F_REPLACE : NLM_F_EXCL));
		mnl_attr_put_strz(p->nlh, KVTEP_A_IFNAME, argv[0]);
		snprintf(p->dev, sizeof(p->dev), "%s", argv[0]);
		p->replace = replace;
		if (p->nlh->nlmsg_len + len > NL_REQ_SIZE) {
			line_error(line, "fdb entry too large for one netlink message");
			p->nlh = NULL;
			return KVTEP_EXIT_USAGE;
		}
	}
	if (p->n == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 1024;
		struct pack_entry *e = realloc(p->ents, cap * sizeof(*e));

		if (!e) {
			fprintf(stderr, "kvtepctl: %s\n", strerror(ENOMEM));
			return KVTEP_EXIT_FAIL;
		}
		p->ents = e;
		p->cap = cap;
	}
	p->ents[p->n].offs = p->nlh->nlmsg_len;
	p->ents[p->n].line = line;
	p->n++;
	memcpy(mnl_nlmsg_get_payload_tail(p->nlh), mnl_nlmsg_get_payload(one), len);
	p->nlh->nlmsg_len += len;
	return 0;
}

/* Split @s in place into words; '...' and "..." quote. -1: bad quoting. */
static int split_words(char *s, char **argv, int max)
{
	int argc = 0;
	char *out;

	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
			s++;
		if (!*s || *s == '#')
			return argc;
		if (argc == max)
			return -1;
		argv[argc++] = out = s;
		while (*s && *s != ' ' && *s != '\t' && *s != '\n' && *s != '\r') {
			if (*s == '"' || *s == '\'') {
				char q = *s++;

				while (*s && *s != q)
					*out++ = *s++;
				if (!*s)
					return -1;
				s++;
			} else {
				*out++ = *s++;
			}
		}
		if (*s)
			s++;
		*out = '\0';
	}
}

int run_batch(const char *file, int (*run)(int argc, char **argv))
{
	static char *argv[BATCH_MAX_ARGS];
	struct pack p = { 0 };
	unsigned long lineno = 0;
	char *line = NULL, *scratch = NULL;
	struct nl_ctx *nl = NULL;
	size_t cap = 0;
	int argc, ret = KVTEP_EXIT_OK;
	FILE *f;

	batch_name = strcmp(file, "-") ? file : "<stdin>";
	f = strcmp(file, "-") ? fopen(file, "r") : stdin;
	if (!f) {
		fprintf(stderr, "kvtepctl: cannot open %s: %s\n", file, strerror(errno));
		return KVTEP_EXIT_FAIL;
	}

	while (getline(&line, &cap, f) >= 0) {
		lineno++;
		argc = split_words(line, argv, BATCH_MAX_ARGS);
		if (argc < 0) {
			pack_flush(nl, &p);
			line_error(lineno, "unbalanced quotes or too many words");
			ret = KVTEP_EXIT_USAGE;
			break;
		}
		if (!argc)
			continue;
		if (argc >= 3 && !strcmp(argv[0], "fdb") && !strcmp(argv[1], "add") &&
		    !is_help(argv[2])) {
			if (!nl) {
				nl = kvtep_nl();
				scratch = malloc(NL_REQ_SIZE);
				if (!nl || !scratch) {
					ret = KVTEP_EXIT_FAIL;
					break;
				}
			}
			ret = pack_add(nl, &p, scratch, argc - 2, argv + 2, lineno);
			if (ret)
				break;
			continue;
		}
		/* Anything else runs on its own, after what is pending. */
		if (nl) {
			ret = pack_flush(nl, &p);
			if (ret)
				break;
		}
		ret = run(argc, argv);
		if (ret) {
			line_error(lineno, "command failed");
			break;
		}
	}
	if (!ret && ferror(f)) {
		fprintf(stderr, "kvtepctl: reading %s: %s\n", batch_name, strerror(errno));
		ret = KVTEP_EXIT_FAIL;
	}
	if (!ret && nl)
		ret = pack_flush(nl, &p);
	if (f != stdin)
		fclose(f);
	free(line);
	free(scratch);
	free(p.ents);
	return ret;
}
