/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kvtepctl: argument parsers, attribute helpers and printers shared by the
 * object commands (port, ls, bind, fdb, flood, remote, stats, monitor).
 */
#ifndef KVTEPCTL_COMMON_H
#define KVTEPCTL_COMMON_H

#include <stdbool.h>
#include <stdint.h>
#include <net/if.h>
#include <libmnl/libmnl.h>

/* A tunnel destination from the command line. */
struct remote_arg {
	int family;		/* AF_INET or AF_INET6 */
	uint8_t addr[16];
	bool has_port;
	uint16_t port;
	bool has_encap;		/* else the logical switch's default */
	uint8_t encap;		/* enum kvtep_encap */
};

/* Each returns 0 or KVTEP_EXIT_USAGE after naming the bad argument. */
int parse_ifname(const char *arg, const char *what);
int parse_vni(const char *arg, uint32_t *vni);
int parse_vlan(const char *arg, uint16_t *vlan);
int parse_mac(const char *arg, uint8_t mac[6]);
int parse_ip(const char *arg, struct remote_arg *r);
int parse_encap(const char *arg, uint8_t *encap);
int parse_on_off(const char *arg, const char *what, bool *val);
/*
 * "port P" or "encap E" right after "remote IP" (argv[*i] is the
 * keyword): 1 if it was one of them and was stored into @r, 0 if not
 * one of them, else an exit code.
 */
int parse_remote_opt(int argc, char **argv, int *i, struct remote_arg *r);
/* A network device of this namespace: 0 or KVTEP_EXIT_FAIL (not found). */
int lookup_ifindex(const char *name, uint32_t *ifindex);

/* Fetch the next argument of keyword argv[*i] (or fail naming it). */
int next_arg(int argc, char **argv, int *i, const char **val);

/* Put one KVTEP_*_REMOTE nest of type @type. */
void remote_put(struct nlmsghdr *nlh, uint16_t type, const struct remote_arg *r);

/*
 * Parse the attributes of @nest (or of the genl message @nlh when @nest is
 * NULL) into @tb[0..max]: @types[] gives each attribute's MNL type (UNSPEC:
 * ignored); malformed attributes are ignored with a warning.
 */
void attrs_parse(const struct nlmsghdr *nlh, const struct nlattr *nest,
		 const enum mnl_attr_data_type *types, unsigned int max,
		 const struct nlattr **tb);

/* ifindex -> name in this namespace, or the number as text. */
const char *ifname_of(uint32_t ifindex, char buf[IF_NAMESIZE]);

/* Printers. */
/* "IFINDEX: NAME:" that opens a device-level object (dev show, stats). */
void print_dev_ident(const struct nlattr *ifindex, const struct nlattr *ifname);
void print_remote_nest(const struct nlattr *nest, bool with_refcnt);
void print_mac(const char *key, const char *fmt, const uint8_t *mac);
/* A KVTEP_STATS_A_* nest: counters (and drops, if @drops) under @key. */
void print_stats_nest(const char *key, const struct nlattr *nest, bool drops,
		      const char *indent);

/*
 * "OBJECT show DEV" for objects that are only dumped: send @cmd as a dump
 * for DEV and print every reply with @cb. Returns the exit code.
 */
int show_dev_dump(const char *object, int argc, char **argv, uint8_t cmd,
		  int (*cb)(const struct nlmsghdr *nlh, void *data));

/*
 * One FDB entry (dump reply or notification, shared with "monitor"):
 * @event prints the KVTEP_FDB_A_EVENT and the device first.
 */
void fdb_print_msg(const struct nlmsghdr *nlh, bool event);

/* Name tables (names.c); NULL if unknown. */
const char *kvtep_fdb_type_name(uint8_t type);
int kvtep_fdb_type_parse(const char *name);
const char *kvtep_fdb_event_name(uint8_t ev);
const char *kvtep_repl_name(uint8_t repl);
const char *kvtep_encap_name(uint8_t encap);
const char *kvtep_drop_name(unsigned int reason);

/* Objects. */
int do_port(int argc, char **argv);
void port_usage(FILE *f);
int do_ls(int argc, char **argv);
void ls_usage(FILE *f);
int do_bind(int argc, char **argv);
void bind_usage(FILE *f);
int do_fdb(int argc, char **argv);
void fdb_usage(FILE *f);
int do_flood(int argc, char **argv);
void flood_usage(FILE *f);
int do_remote(int argc, char **argv);
void remote_usage(FILE *f);
int do_stats(int argc, char **argv);
void stats_usage(FILE *f);
int do_monitor(int argc, char **argv);
void monitor_usage(FILE *f);
int do_ovsdb(int argc, char **argv);
void ovsdb_usage(FILE *f);

/* Batch mode (batch.c): run the commands of @file ("-" = stdin). */
int run_batch(const char *file, int (*run)(int argc, char **argv));

/*
 * fdb add, split for batch packing: parse one "fdb add" command line
 * (argv[0] = DEV) and append its KVTEP_A_FDB nest to @nlh. *@replace is
 * set if the line asks for it. Returns 0 or an exit code.
 */
int fdb_add_parse_put(struct nlmsghdr *nlh, int argc, char **argv,
		      bool *replace);

#endif /* KVTEPCTL_COMMON_H */
