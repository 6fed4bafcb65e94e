// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvtepctl ovsdb: the hardware_vtep agent (replaces ovs-vtep).
 *
 * Design
 * ------
 * The agent mirrors one Physical_Switch of an OVSDB "hardware_vtep"
 * database into the kvtep device of the same name, and publishes what the
 * kernel knows back into the database. It is event driven: one poll()
 * loop over
 *   - the OVSDB session (jsonrpc.c: JSON-RPC framing over unix:/tcp:
 *     stream sockets, several remotes tried in turn with exponential
 *     backoff, request ids, "echo" answered),
 *   - a generic netlink socket joined to kvtep's "fdb" multicast group
 *     (learn/move/age/del of local MACs; ENOBUFS -> dump + diff resync),
 *   - an rtnetlink socket on RTNLGRP_LINK (ports enslaved / released,
 *     the device appearing or going away),
 *   - a timer for Logical_Binding_Stats (--stats-interval, default 5 s).
 * The database is never polled: one "monitor" request keeps a local
 * cache (ovsdb.c: {table: {uuid: row}}) up to date.
 *
 * Modules:
 *   jsonrpc.c     framing + connections (pure framer: unit tested, fuzzed)
 *   ovsdb.c       monitor cache, <table-updates>, datum helpers (pure)
 *   vtep_state.c  cache -> desired kernel state with validation (bad rows
 *                 become faults naming their UUID and are skipped), and
 *                 kernel facts -> "transact" operations (pure)
 *   reconcile.c   desired vs actual kernel state as sorted arrays -> the
 *                 exact list of changes (pure)
 *   vtep_kernel.c dumps into the model, applies changes with the encoders
 *                 of model.c shared with the CLI; FDB adds/dels packed many
 *                 per netlink message; failures become faults
 *   vtep_agent.c  this file: options, daemon, the loop
 *
 * Reconciliation is level-triggered: after any database update or kernel
 * event the desired state is recomputed from the cache and diffed against
 * the agent's copy of the kernel state (dumped at start, after a failure,
 * or after an ENOBUFS); only the differences are sent, so one changed row
 * is one small request, and a restart against an unchanged database sends
 * nothing (no flush, ever). The agent owns the LSs, bindings, static
 * remote and multicast FDB entries and flood lists of its device; learned
 * and static local entries are the kernel's and are only published.
 * Until the first monitor reply arrives on a (re)connection the kernel is
 * left alone: losing the database never disturbs forwarding.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "kvtepctl.h"
#include "common.h"
#include "jsonrpc.h"
#include "vtep.h"
#include "vtep_kernel.h"

#define DEFAULT_DB		"unix:/var/run/openvswitch/db.sock"
#define DEFAULT_RUNDIR		"/var/run/openvswitch"
#define DEFAULT_LOGDIR		"/var/log/openvswitch"
#define DESCRIPTION		"kvtep kernel VTEP (kvtepctl ovsdb)"
#define TXN_HOLD_MS		1000

void ovsdb_usage(FILE *f)
{
	fprintf(f,
		"Usage: kvtepctl ovsdb [--db REMOTE[,REMOTE...]] [--pidfile[=FILE]] [--detach]\n"
		"                      [--log-file[=FILE]] [--stats-interval SECONDS]\n"
		"                      [--verbose] PS_NAME\n"
		"       kvtepctl ovsdb help\n"
		"\n"
		"The hardware_vtep agent: mirror Physical_Switch PS_NAME of an OVSDB\n"
		"hardware_vtep database into the kvtep device PS_NAME (created if missing,\n"
		"with the switch's tunnel_ips as local addresses), and publish its ports,\n"
		"local MACs, binding counters and faults back into the database.\n"
		"\n"
		"  --db        OVSDB remotes, tried in turn: unix:PATH, tcp:IP:PORT\n"
		"              (default %s)\n"
		"  --pidfile   write the pid to FILE (default %s/kvtepctl-ovsdb.pid)\n"
		"  --detach    run in the background once initialised\n"
		"  --log-file  log to FILE (default %s/kvtepctl-ovsdb.log), else stderr\n"
		"  --stats-interval  Logical_Binding_Stats refresh period (default 5, 0 = off)\n"
		"  --verbose   log every change made\n"
		"\n"
		"The device is set up when the agent takes it over. Stops on SIGTERM/SIGINT\n"
		"and leaves the kernel state in place.\n",
		DEFAULT_DB, DEFAULT_RUNDIR, DEFAULT_LOGDIR);
}

/* --- logging ------------------------------------------------------------- */

enum { LOG_ERR, LOG_WARN, LOG_INFO, LOG_DBG };
static int log_level = LOG_INFO;

static void alog(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void alog(int level, const char *fmt, ...)
{
	static const char *const names[] = { "ERR", "WARN", "INFO", "DBG" };
	struct timeval tv;
	struct tm tm;
	char ts[32];
	va_list ap;

	if (level > log_level)
		return;
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(stderr, "%s.%03ldZ|ovsdb|%s|", ts, (long)tv.tv_usec / 1000, names[level]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
}

/* --- state --------------------------------------------------------------- */

struct agent {
	const char *ps;
	struct jrpc_conn conn;
	json_t *cache;
	bool synced;			/* monitor reply received */
	uint64_t monitor_id, txn_id;
	bool update_since_txn;
	int64_t publish_hold_until;

	struct nl_ctx *nl;		/* requests */
	struct nl_ctx ntf;		/* "fdb" notifications */
	struct mnl_socket *rtnl;	/* link events */
	uint32_t ifindex;		/* of the device, 0 if absent */

	struct kstate actual;
	bool actual_valid;
	struct vtep_kinfo ki;
	struct vtep_desired cur;	/* last desired state (+ kernel faults) */
	struct vk_faults kf;
	char **faults_logged;
	size_t n_faults_logged;

	bool need_reconcile, need_publish, need_ports, need_macs, waiting_logged;
	/*
	 * Database updates since the last reconcile: {uuid: old row or null}
	 * of the Ucast_Macs_Remote rows changed (patched in O(changed)), and
	 * whether anything else that shapes the desired state changed.
	 */
	json_t *pend;
	bool pend_full;
	unsigned int stats_ms;
	int64_t next_stats;
};

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static uint32_t resolve_port(const char *name, void *data)
{
	struct agent *a = data;
	size_t i;

	for (i = 0; i < a->ki.n_ports; i++)
		if (!strcmp(a->ki.ports[i], name))
			return if_nametoindex(name);
	return 0;
}

/* Log faults that were not logged last time (each once while it lasts). */
static void log_faults(struct agent *a)
{
	char **now = calloc(a->cur.n_faults + 1, sizeof(*now));
	size_t i, j;

	if (!now)
		return;
	for (i = 0; i < a->cur.n_faults; i++) {
		const struct vtep_fault *f = &a->cur.faults[i];
		char *s;

		if (asprintf(&s, "%s%s%s: %s [%s]", f->table, f->uuid[0] ? " " : "",
			     f->uuid, f->msg, f->status) < 0)
			continue;
		now[i] = s;
		for (j = 0; j < a->n_faults_logged; j++)
			if (a->faults_logged[j] && !strcmp(a->faults_logged[j], s))
				break;
		if (j == a->n_faults_logged)
			alog(LOG_WARN, "bad row or refused change: %s", s);
	}
	for (j = 0; j < a->n_faults_logged; j++)
		free(a->faults_logged[j]);
	free(a->faults_logged);
	a->faults_logged = now;
	a->n_faults_logged = a->cur.n_faults;
}

static bool port_in(char (*ports)[IFNAMSIZ], size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(ports[i], name))
			return true;
	return false;
}

/* Log the ports that came and went between @old and the current list. */
static bool ports_changed(struct agent *a, char (*old)[IFNAMSIZ], size_t n_old)
{
	bool changed = false;
	size_t i;

	for (i = 0; i < a->ki.n_ports; i++)
		if (!port_in(old, n_old, a->ki.ports[i])) {
			alog(LOG_INFO, "port %s joined %s", a->ki.ports[i], a->ps);
			changed = true;
		}
	for (i = 0; i < n_old; i++)
		if (!port_in(a->ki.ports, a->ki.n_ports, old[i])) {
			alog(LOG_INFO, "port %s left %s", old[i], a->ps);
			changed = true;
		}
	return changed;
}

/* Re-list the ports; true if they (or the device) changed. */
static bool refresh_ports(struct agent *a)
{
	uint32_t idx = if_nametoindex(a->ps);
	char (*old)[IFNAMSIZ] = a->ki.ports;
	size_t n_old = a->ki.n_ports;
	bool changed = false;

	a->ki.ports = NULL;
	a->ki.n_ports = 0;
	if (idx != a->ifindex) {
		if (a->ifindex)
			alog(LOG_WARN, "device %s went away", a->ps);
		/* A VTEP that is down forwards nothing: take it up. */
		if (idx && !a->ifindex && vk_dev_up(a->ps))
			alog(LOG_WARN, "cannot set %s up", a->ps);
		a->ifindex = idx;
		a->actual_valid = false;
		a->need_macs = true;
		changed = true;
	}
	if (idx && vk_dump(a->nl, a->ps, NULL, &a->ki, VK_DUMP_PORTS))
		alog(LOG_WARN, "cannot list the ports of %s", a->ps);
	changed |= ports_changed(a, old, n_old);
	free(old);
	/* A port that left took its learned MACs along. */
	if (changed)
		a->need_macs = true;
	return changed;
}

static void refresh_macs(struct agent *a)
{
	free(a->ki.macs);
	a->ki.macs = NULL;
	a->ki.n_macs = 0;
	if (a->ifindex && vk_dump(a->nl, a->ps, NULL, &a->ki, VK_DUMP_MACS))
		alog(LOG_WARN, "cannot dump the FDB of %s", a->ps);
}

static void refresh_stats(struct agent *a)
{
	free(a->ki.stats);
	a->ki.stats = NULL;
	a->ki.n_stats = 0;
	a->ki.with_stats = a->ifindex &&
			   !vk_dump(a->nl, a->ps, NULL, &a->ki, VK_DUMP_STATS);
}

/* Kernel refusals are faults like bad rows. */
static void add_kernel_faults(struct agent *a)
{
	size_t i;

	for (i = 0; i < a->kf.n; i++) {
		struct vtep_fault *f = realloc(a->cur.faults,
					       (a->cur.n_faults + 1) * sizeof(*f));

		if (!f)
			break;
		a->cur.faults = f;
		f[a->cur.n_faults++] = a->kf.v[i];
	}
}

static void reconcile(struct agent *a)
{
	struct vk_counts cnt = { 0 };
	struct kops ops;
	size_t i;

	vtep_desired_free(&a->cur);
	if (vtep_desired_build(a->cache, a->ps, resolve_port, a, &a->cur)) {
		alog(LOG_ERR, "out of memory computing the desired state");
		return;
	}
	if (!a->cur.ps_found) {
		if (!a->waiting_logged)
			alog(LOG_INFO, "waiting for Physical_Switch %s in the database", a->ps);
		a->waiting_logged = true;
		return;
	}
	a->waiting_logged = false;
	if (!a->ifindex) {
		int err = vk_dev_create(a->ps);

		if (err && err != -EEXIST) {
			alog(LOG_ERR, "cannot create kvtep device %s: %s", a->ps, strerror(-err));
			return;
		}
		alog(LOG_INFO, "created kvtep device %s", a->ps);
		refresh_ports(a);
		if (!a->ifindex)
			return;
		/* Port names resolve now. */
		vtep_desired_free(&a->cur);
		if (vtep_desired_build(a->cache, a->ps, resolve_port, a, &a->cur))
			return;
	}
	if (!a->actual_valid) {
		kstate_free(&a->actual);
		if (vk_dump(a->nl, a->ps, &a->actual, NULL, VK_DUMP_STATE)) {
			alog(LOG_ERR, "cannot dump the state of %s", a->ps);
			return;
		}
		a->actual_valid = true;
		alog(LOG_INFO, "kernel state of %s: %zu logical switches, %zu bindings, %zu remote FDB entries",
		     a->ps, a->actual.n_ls, a->actual.n_bind, a->actual.n_fdb);
	}
	if (kstate_diff(&a->cur.k, &a->actual, &ops)) {
		alog(LOG_ERR, "out of memory computing the changes");
		return;
	}
	free(a->kf.v);
	a->kf.v = NULL;
	a->kf.n = 0;
	if (ops.n) {
		int64_t t0 = jrpc_now_ms();
		int err;

		for (i = 0; i < ops.n && log_level >= LOG_DBG; i++)
			alog(LOG_DBG, "change: %s", kop_name(ops.v[i].kind));
		err = vk_apply(a->nl, a->ps, &ops, &a->kf, &cnt);
		kstate_free(&a->actual);
		if (err) {
			/* Some were refused: learn what the kernel really holds. */
			a->actual_valid = !vk_dump(a->nl, a->ps, &a->actual, NULL,
						   VK_DUMP_STATE);
		} else {
			a->actual_valid = !kstate_copy(&a->actual, &a->cur.k);
		}
		alog(LOG_INFO, "applied %u changes in %u netlink requests (%lld ms)%s",
		     cnt.ops, cnt.msgs, (long long)(jrpc_now_ms() - t0),
		     err ? ", some refused" : "");
		a->need_publish = true;
	}
	kops_free(&ops);
	add_kernel_faults(a);
	log_faults(a);
}

/*
 * Only Ucast_Macs_Remote rows changed since the last reconcile, whose
 * result the kernel holds: patch the desired state and send just those
 * entries, in O(changed) (a full rebuild costs O(rows) per update). false:
 * a full reconcile is needed (a fault, a duplicate MAC, no clean state).
 */
static bool reconcile_incremental(struct agent *a)
{
	struct vk_counts cnt = { 0 };
	struct kstate del, add;
	struct kops ops;
	int64_t t0;
	int err, r;

	if (!a->actual_valid || a->kf.n || !a->ifindex || !a->cur.ps_found)
		return false;
	t0 = jrpc_now_ms();
	r = vtep_desired_ucast_patch(a->cache, &a->cur, a->pend, &del, &add);
	if (r)
		return false;	/* @cur untouched (1), or rebuilt anyway (-1) */
	if (vtep_fdb_change_ops(&del, &add, &ops)) {
		kstate_free(&del);
		kstate_free(&add);
		return false;
	}
	if (ops.n) {
		err = vk_apply(a->nl, a->ps, &ops, &a->kf, &cnt);
		if (err || kstate_fdb_patch(&a->actual, &del, &add)) {
			kstate_free(&a->actual);
			a->actual_valid = !vk_dump(a->nl, a->ps, &a->actual, NULL,
						   VK_DUMP_STATE);
		}
		alog(LOG_INFO, "applied %u changes in %u netlink requests (%lld ms, %zu rows changed)%s",
		     cnt.ops, cnt.msgs, (long long)(jrpc_now_ms() - t0),
		     json_object_size(a->pend), err ? ", some refused" : "");
		a->need_publish = true;
	}
	kops_free(&ops);
	kstate_free(&del);
	kstate_free(&add);
	add_kernel_faults(a);
	log_faults(a);
	return true;
}

/* Changes of these columns alone do not shape the desired state. */
static bool only_cols(const json_t *old, const char *const *cols)
{
	const char *col;
	json_t *v;

	json_object_foreach((json_t *)old, col, v) {
		unsigned int i;

		for (i = 0; cols[i] && strcmp(cols[i], col); i++)
			;
		if (!cols[i])
			return false;
	}
	return true;
}

/*
 * Before @updates go into the cache: note what they change. Published
 * tables (local MACs, binding stats) and rows nothing references yet
 * change nothing; Ucast_Macs_Remote rows are remembered with their old
 * value; anything else asks for a full rebuild.
 */
static void note_update(struct agent *a, const json_t *updates)
{
	static const char *const port_cols[] = { "vlan_stats", "port_fault_status",
						 "description", NULL };
	const char *table, *uuid;
	json_t *rows, *ru;

	json_object_foreach((json_t *)updates, table, rows) {
		bool ucast = !strcmp(table, "Ucast_Macs_Remote");

		if (!strcmp(table, "Logical_Binding_Stats") ||
		    !strcmp(table, "Ucast_Macs_Local") || !strcmp(table, "Mcast_Macs_Local"))
			continue;
		json_object_foreach(rows, uuid, ru) {
			const json_t *old = json_object_get(ru, "old");
			const json_t *nw = json_object_get(ru, "new");

			if (ucast) {
				const json_t *cur = ovsdb_row(a->cache, table, uuid);

				if (!json_object_get(a->pend, uuid))
					json_object_set(a->pend, uuid, cur ? (json_t *)cur :
							json_null());
			} else if ((!strcmp(table, "Physical_Locator") ||
				    !strcmp(table, "Physical_Locator_Set")) && nw && !old) {
				/* A new row: nothing can refer to it before. */
			} else if (!strcmp(table, "Physical_Port") && nw && old &&
				   only_cols(old, port_cols)) {
				/* Our own publishing (counters, fault status). */
			} else {
				a->pend_full = true;
			}
		}
	}
}

static void publish(struct agent *a)
{
	json_t *params;

	if (!a->cur.ps_found)
		return;
	params = vtep_publish_ops(a->cache, &a->cur, &a->ki, DESCRIPTION);
	if (!params)
		return;
	alog(LOG_DBG, "transact: %zu operations", json_array_size(params) - 1);
	a->txn_id = jrpc_conn_request(&a->conn, "transact", params);
	a->update_since_txn = false;
	if (!a->txn_id) {
		alog(LOG_WARN, "cannot send to the database");
		jrpc_conn_close(&a->conn, jrpc_now_ms());
		a->synced = false;
	}
}

/* --- OVSDB messages ------------------------------------------------------ */

static const struct ovsdb_table_cols monitored[] = {
	{ "Physical_Switch", NULL }, { "Physical_Port", NULL },
	{ "Logical_Switch", NULL }, { "Physical_Locator", NULL },
	{ "Physical_Locator_Set", NULL }, { "Ucast_Macs_Remote", NULL },
	{ "Mcast_Macs_Remote", NULL }, { "Ucast_Macs_Local", NULL },
	{ "Mcast_Macs_Local", NULL }, { "Logical_Binding_Stats", NULL },
	{ NULL, NULL }
};

static void on_connected(struct agent *a)
{
	json_t *mid = json_string("kvtep");

	alog(LOG_INFO, "connected to %s", a->conn.connected_to);
	a->synced = false;
	a->txn_id = 0;
	a->monitor_id = jrpc_conn_request(&a->conn, "monitor",
					  ovsdb_monitor_params(VTEP_DB, mid, monitored));
	json_decref(mid);
	if (!a->monitor_id)
		jrpc_conn_close(&a->conn, jrpc_now_ms());
}

static uint64_t msg_id(const json_t *msg)
{
	const json_t *id = json_object_get(msg, "id");

	return json_is_integer(id) && json_integer_value(id) > 0 ?
	       (uint64_t)json_integer_value(id) : 0;
}

/* 0, or -1: the session is broken (reconnect). */
static int handle_msg(struct agent *a, json_t *msg)
{
	const char *method;
	enum jrpc_kind kind = jrpc_classify(msg, &method);
	char err[160];
	uint64_t id;

	switch (kind) {
	case JRPC_REQUEST:
		if (!strcmp(method, "echo")) {
			json_t *r = json_pack("{s:O,s:n,s:O}", "result",
					      json_object_get(msg, "params"), "error",
					      "id", json_object_get(msg, "id"));
			int ret = jrpc_conn_send(&a->conn, r);

			json_decref(r);
			return ret;
		}
		alog(LOG_DBG, "ignoring request \"%s\"", method);
		return 0;
	case JRPC_NOTIFY:
		if (!strcmp(method, "update")) {
			const json_t *p = json_object_get(msg, "params");

			if (json_array_size(p) == 2 && json_is_object(json_array_get(p, 1)))
				note_update(a, json_array_get(p, 1));
			if (json_array_size(p) != 2 ||
			    ovsdb_cache_apply(a->cache, json_array_get(p, 1), err,
					      sizeof(err))) {
				alog(LOG_WARN, "bad update from the database: %s",
				     json_array_size(p) != 2 ? "bad params" : err);
				a->pend_full = true;
				return -1;
			}
			a->need_publish = true;
			a->update_since_txn = true;
			a->publish_hold_until = 0;
		}
		return 0;
	case JRPC_REPLY:
	case JRPC_ERROR:
		id = msg_id(msg);
		if (id && id == a->monitor_id) {
			a->monitor_id = 0;
			if (kind == JRPC_ERROR) {
				char *e = json_dumps(json_object_get(msg, "error"), JSON_COMPACT);

				alog(LOG_ERR, "monitor refused: %s", e ? e : "?");
				free(e);
				return -1;
			}
			json_object_clear(a->cache);
			if (ovsdb_cache_apply(a->cache, json_object_get(msg, "result"), err,
					      sizeof(err))) {
				alog(LOG_WARN, "bad monitor reply: %s", err);
				return -1;
			}
			alog(LOG_INFO, "database synced (%zu Physical_Switch, %zu Logical_Switch, %zu Ucast_Macs_Remote rows)",
			     json_object_size(json_object_get(a->cache, "Physical_Switch")),
			     json_object_size(json_object_get(a->cache, "Logical_Switch")),
			     json_object_size(json_object_get(a->cache, "Ucast_Macs_Remote")));
			a->synced = true;
			a->need_reconcile = a->need_publish = true;
		} else if (id && id == a->txn_id) {
			const json_t *res = json_object_get(msg, "result");
			bool failed = kind == JRPC_ERROR;
			size_t i;

			a->txn_id = 0;
			for (i = 0; json_is_array(res) && i < json_array_size(res); i++) {
				const json_t *e = json_object_get(json_array_get(res, i), "error");

				if (e) {
					const json_t *det = json_object_get(json_array_get(res, i),
									    "details");

					alog(LOG_WARN, "transaction failed: %s%s%s",
					     json_string_value(e) ?: "?", det ? ": " : "",
					     json_string_value(det) ?: "");
					failed = true;
					break;
				}
			}
			a->need_publish = true;
			if (failed || !a->update_since_txn)
				a->publish_hold_until = jrpc_now_ms() + TXN_HOLD_MS;
		}
		return 0;
	case JRPC_INVALID:
		alog(LOG_WARN, "ignoring an invalid JSON-RPC message");
		return 0;
	}
	return 0;
}

static void read_db(struct agent *a, int64_t now)
{
	json_t *msg;
	char err[160];
	int r;

	if (jrpc_conn_read(&a->conn, now) < 0) {
		a->synced = false;
		return;
	}
	while ((r = jrpc_framer_next(&a->conn.in, &msg, err, sizeof(err))) == 1) {
		r = handle_msg(a, msg);
		json_decref(msg);
		if (r < 0)
			break;
	}
	if (r < 0) {
		if (r == -1 && err[0])
			alog(LOG_WARN, "database session: %s", err);
		jrpc_conn_close(&a->conn, now);
		a->synced = false;
	}
}

/* --- kernel events ------------------------------------------------------- */

static void read_fdb_events(struct agent *a)
{
	static char buf[65536];
	int n;

	for (;;) {
		const struct nlmsghdr *nlh;

		n = recv(mnl_socket_get_fd(a->ntf.sock), buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0) {
			if (errno == ENOBUFS) {
				alog(LOG_WARN, "FDB events lost (socket overrun): resyncing");
				a->need_macs = true;
				continue;
			}
			return;
		}
		for (nlh = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, n);
		     nlh = mnl_nlmsg_next(nlh, &n)) {
			struct kvtep_fdb_cfg f;
			uint32_t dev;
			int ev;

			if (nlh->nlmsg_type != a->ntf.family_id ||
			    kvtep_fdb_parse(nlh, &f, &ev, &dev))
				continue;
			free(f.remotes);
			if (dev != a->ifindex)
				continue;
			if ((ev == KVTEP_FDB_EV_LEARN || ev == KVTEP_FDB_EV_MOVE) &&
			    (f.type == KVTEP_FDB_LEARNED_LOCAL || f.type == KVTEP_FDB_STATIC_LOCAL))
				vk_mac_add(&a->ki, f.vni, f.mac);
			else
				vk_mac_del(&a->ki, f.vni, f.mac);
			a->need_publish = true;
		}
	}
}

static void read_link_events(struct agent *a)
{
	char buf[16384];
	int n;

	for (;;) {
		n = recv(mnl_socket_get_fd(a->rtnl), buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && errno == ENOBUFS) {
			a->need_ports = true;
			continue;
		}
		if (n <= 0)
			return;
		a->need_ports = true;
	}
}

static int open_sockets(struct agent *a)
{
	int grp;

	a->nl = kvtep_nl();
	if (!a->nl)
		return -1;
	if (nl_open(&a->ntf, KVTEP_GENL_NAME))
		return -1;
	grp = nl_mcgrp_id(&a->ntf, KVTEP_MCGRP_FDB);
	if (grp < 0 || mnl_socket_setsockopt(a->ntf.sock, NETLINK_ADD_MEMBERSHIP, &grp,
					     sizeof(grp)) < 0) {
		fprintf(stderr, "kvtepctl: cannot join the \"%s\" multicast group\n",
			KVTEP_MCGRP_FDB);
		return -1;
	}
	a->rtnl = mnl_socket_open(NETLINK_ROUTE);
	if (!a->rtnl || mnl_socket_bind(a->rtnl, RTMGRP_LINK, MNL_SOCKET_AUTOPID) < 0) {
		fprintf(stderr, "kvtepctl: cannot open rtnetlink: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

/* --- daemon -------------------------------------------------------------- */

static const char *pidfile_path;

static void remove_pidfile(void)
{
	if (pidfile_path)
		unlink(pidfile_path);
}

static int write_pidfile(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		fprintf(stderr, "kvtepctl: cannot write pidfile %s: %s\n", path, strerror(errno));
		return -1;
	}
	fprintf(f, "%ld\n", (long)getpid());
	fclose(f);
	pidfile_path = path;
	atexit(remove_pidfile);
	return 0;
}

/* Fork; the parent waits for the child to say it is ready, then exits. */
static int detach(int *ready_fd)
{
	int p[2];
	pid_t pid;
	char c;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid > 0) {
		close(p[1]);
		if (read(p[0], &c, 1) == 1 && c == 'R')
			_exit(0);
		_exit(1);
	}
	close(p[0]);
	setsid();
	*ready_fd = p[1];
	return 0;
}

static void loop(struct agent *a, int ready_fd)
{
	int64_t now;

	a->need_ports = a->need_macs = true;
	a->next_stats = jrpc_now_ms() + a->stats_ms;
	if (ready_fd >= 0) {
		if (write(ready_fd, "R", 1) != 1)
			alog(LOG_WARN, "cannot signal readiness");
		close(ready_fd);
	}
	while (!stop_signal) {
		struct pollfd pfd[3];
		int timeout = 1000, n = 0;

		now = jrpc_now_ms();
		if (a->conn.fd < 0 && jrpc_conn_try(&a->conn, now) == 1)
			on_connected(a);
		if (a->need_ports) {
			a->need_ports = false;
			refresh_ports(a);
			a->need_reconcile = a->need_publish = true;
		}
		if (a->need_macs) {
			a->need_macs = false;
			refresh_macs(a);
			a->need_publish = true;
		}
		if (a->stats_ms && now >= a->next_stats) {
			/* A missed link event cannot leave the ports stale. */
			/* Retry what the kernel refused (e.g. a full FDB). */
			if (refresh_ports(a) || a->kf.n)
				a->need_reconcile = true;
			refresh_stats(a);
			a->next_stats = now + a->stats_ms;
			a->need_publish = true;
		}
		if (a->synced && (a->need_reconcile || a->pend_full ||
				  json_object_size(a->pend))) {
			bool full = a->need_reconcile || a->pend_full;

			a->need_reconcile = a->pend_full = false;
			if (full || !reconcile_incremental(a))
				reconcile(a);
			json_object_clear(a->pend);
		}
		if (a->synced && a->need_publish && !a->txn_id && a->conn.fd >= 0 &&
		    now >= a->publish_hold_until) {
			a->need_publish = false;
			publish(a);
		}

		if (a->conn.fd >= 0) {
			pfd[n].fd = a->conn.fd;
			pfd[n++].events = POLLIN;
		} else if (a->conn.next_try_ms - now < timeout) {
			timeout = a->conn.next_try_ms > now ? a->conn.next_try_ms - now : 0;
		}
		pfd[n].fd = mnl_socket_get_fd(a->ntf.sock);
		pfd[n++].events = POLLIN;
		pfd[n].fd = mnl_socket_get_fd(a->rtnl);
		pfd[n++].events = POLLIN;
		if (a->stats_ms && a->next_stats - now < timeout)
			timeout = a->next_stats > now ? a->next_stats - now : 0;
		if (a->need_publish && a->publish_hold_until > now &&
		    a->publish_hold_until - now < timeout)
			timeout = a->publish_hold_until - now;
		if (poll(pfd, n, timeout) < 0) {
			if (errno == EINTR)
				continue;
			alog(LOG_ERR, "poll: %s", strerror(errno));
			break;
		}
		now = jrpc_now_ms();
		for (int i = 0; i < n; i++) {
			if (!pfd[i].revents)
				continue;
			if (pfd[i].fd == a->conn.fd)
				read_db(a, now);
			else if (pfd[i].fd == mnl_socket_get_fd(a->ntf.sock))
				read_fdb_events(a);
			else
				read_link_events(a);
		}
	}
	alog(LOG_INFO, "stopping (signal %d); the kernel keeps its state", (int)stop_signal);
}

static char *default_path(const char *env, const char *dir, const char *file)
{
	const char *d = getenv(env);
	char *s;

	if (asprintf(&s, "%s/%s", d && *d ? d : dir, file) < 0)
		return NULL;
	return s;
}

int do_ovsdb(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db",		required_argument, NULL, 'd' },
		{ "pidfile",	optional_argument, NULL, 'P' },
		{ "detach",	no_argument,	   NULL, 'D' },
		{ "log-file",	optional_argument, NULL, 'L' },
		{ "stats-interval", required_argument, NULL, 's' },
		{ "verbose",	no_argument,	   NULL, 'v' },
		{ "help",	no_argument,	   NULL, 'h' },
		{ 0 }
	};
	const char *db = DEFAULT_DB;
	char *pidfile = NULL, *logfile = NULL;
	bool want_pid = false, want_log = false, want_detach = false;
	unsigned long long stats = 5;
	struct agent a;
	int opt, ready_fd = -1;

	if (argc > 0 && is_help(argv[0])) {
		ovsdb_usage(stdout);
		return KVTEP_EXIT_OK;
	}
	/* argv[-1] is "ovsdb": getopt wants a program name first. */
	optind = 0;
	while ((opt = getopt_long(argc + 1, argv - 1, "+d:vh", opts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			db = optarg;
			break;
		case 'P':
			want_pid = true;
			free(pidfile);
			pidfile = optarg ? strdup(optarg) :
				  default_path("OVS_RUNDIR", DEFAULT_RUNDIR, "kvtepctl-ovsdb.pid");
			break;
		case 'D':
			want_detach = true;
			break;
		case 'L':
			want_log = true;
			free(logfile);
			logfile = optarg ? strdup(optarg) :
				  default_path("OVS_LOGDIR", DEFAULT_LOGDIR, "kvtepctl-ovsdb.log");
			break;
		case 's':
			if (parse_ull(optarg, "stats-interval", 0, 86400, &stats))
				return KVTEP_EXIT_USAGE;
			break;
		case 'v':
			log_level = LOG_DBG;
			break;
		case 'h':
			ovsdb_usage(stdout);
			return KVTEP_EXIT_OK;
		default:
			return KVTEP_EXIT_USAGE;
		}
	}
	argc -= optind - 1;
	argv += optind - 1;
	if (argc < 1)
		return usage_error("ovsdb: missing PS_NAME");
	if (argc > 1)
		return usage_error("ovsdb: one PS_NAME only (unexpected \"%s\")", argv[1]);
	if (parse_ifname(argv[0], "PS_NAME"))
		return KVTEP_EXIT_USAGE;

	memset(&a, 0, sizeof(a));
	a.ps = argv[0];
	a.stats_ms = stats * 1000;
	a.cache = json_object();
	a.pend = json_object();
	if (jrpc_conn_init(&a.conn, db))
		return KVTEP_EXIT_USAGE;
	if ((want_pid && !pidfile) || (want_log && !logfile))
		return KVTEP_EXIT_FAIL;
	if (want_log) {
		int fd = open(logfile, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);

		if (fd < 0) {
			fprintf(stderr, "kvtepctl: cannot open log file %s: %s\n", logfile,
				strerror(errno));
			return KVTEP_EXIT_FAIL;
		}
		dup2(fd, STDERR_FILENO);
		close(fd);
	}
	if (want_detach && detach(&ready_fd)) {
		fprintf(stderr, "kvtepctl: cannot detach: %s\n", strerror(errno));
		return KVTEP_EXIT_FAIL;
	}
	if (want_pid && write_pidfile(pidfile))
		return KVTEP_EXIT_FAIL;
	if (want_detach) {
		int fd = open("/dev/null", O_RDWR);

		if (fd >= 0) {
			dup2(fd, STDIN_FILENO);
			dup2(fd, STDOUT_FILENO);
			if (!want_log)
				dup2(fd, STDERR_FILENO);
			close(fd);
		}
	}
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGHUP, on_signal);

	if (open_sockets(&a))
		return KVTEP_EXIT_FAIL;
	alog(LOG_INFO, "kvtepctl %s: agent for physical switch %s, database %s",
	     KVTEP_VERSION, a.ps, db);
	loop(&a, ready_fd);

	jrpc_conn_free(&a.conn);
	json_decref(a.cache);
	json_decref(a.pend);
	kstate_free(&a.actual);
	vtep_desired_free(&a.cur);
	free(a.kf.v);
	free(a.ki.ports);
	free(a.ki.macs);
	free(a.ki.stats);
	for (size_t i = 0; i < a.n_faults_logged; i++)
		free(a.faults_logged[i]);
	free(a.faults_logged);
	nl_close(&a.ntf);
	mnl_socket_close(a.rtnl);
	free(pidfile);
	free(logfile);
	return KVTEP_EXIT_OK;
}
