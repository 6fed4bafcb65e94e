/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * JSON-RPC 1.0 over a stream socket, as OVSDB (RFC 7047) speaks it:
 * a stream of JSON objects with no other framing.
 *
 * The framer is pure (no I/O) so it can be unit tested and fuzzed; the
 * connection keeps a list of remotes ("unix:PATH", "tcp:IP:PORT") and
 * cycles through them with exponential backoff.
 */
#ifndef KVTEPCTL_JSONRPC_H
#define KVTEPCTL_JSONRPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

/* Largest message we accept (the whole initial dump of a big database). */
#define JRPC_MAX_MSG	(256u << 20)

/*
 * Find the end of the first JSON object in @buf (leading whitespace
 * skipped): 1 and *@len = bytes up to and including its closing brace,
 * 0 if more input is needed, -1 if the stream is not a JSON object stream.
 */
int jrpc_frame_scan(const char *buf, size_t n, size_t *len);

/* Where the scan of an incomplete message stopped (resumed on more input). */
struct jrpc_scan {
	size_t pos, depth;
	bool started, in_str, esc;
};

struct jrpc_framer {
	char *buf;
	size_t len, cap;
	struct jrpc_scan scan;
};

void jrpc_framer_init(struct jrpc_framer *f);
void jrpc_framer_free(struct jrpc_framer *f);
/* Drop buffered input (a new connection). */
void jrpc_framer_reset(struct jrpc_framer *f);
/* Append bytes: 0, or -1 (out of memory or message too large). */
int jrpc_framer_feed(struct jrpc_framer *f, const char *data, size_t n);
/*
 * The next complete message: 1 and *@msg (a new reference, an object),
 * 0 if none is complete yet, -1 on a framing or JSON error (the stream
 * cannot be resynchronised: reconnect). @err (may be NULL) gets a reason.
 */
int jrpc_framer_next(struct jrpc_framer *f, json_t **msg, char *err, size_t errlen);

/* The kinds of message a client gets. */
enum jrpc_kind {
	JRPC_INVALID,
	JRPC_REQUEST,		/* method, params, id (non-null) */
	JRPC_NOTIFY,		/* method, params, id null */
	JRPC_REPLY,		/* result, error null, id */
	JRPC_ERROR,		/* error non-null, id */
};

/* Classify @msg; for requests/notifications *method points into @msg. */
enum jrpc_kind jrpc_classify(const json_t *msg, const char **method);

/* --- connection ---------------------------------------------------------- */

struct jrpc_conn {
	char **remotes;
	unsigned int n_remotes, cur;
	int fd;			/* -1: not connected */
	struct jrpc_framer in;
	uint64_t next_id;
	unsigned int backoff_ms;
	int64_t next_try_ms;	/* monotonic ms of the next connect attempt */
	const char *connected_to;
};

/* @spec: "REMOTE[,REMOTE...]". 0 or -1 (bad remote, named on stderr). */
int jrpc_conn_init(struct jrpc_conn *c, const char *spec);
void jrpc_conn_free(struct jrpc_conn *c);
/* Try the next remote if it is time: 1 connected, 0 not (yet). */
int jrpc_conn_try(struct jrpc_conn *c, int64_t now_ms);
void jrpc_conn_close(struct jrpc_conn *c, int64_t now_ms);
/* Send one message (blocking writes): 0 or -1 (connection closed). */
int jrpc_conn_send(struct jrpc_conn *c, json_t *msg);
/* Send a request {method, params, id}: its id (> 0) or 0 on failure. Steals @params. */
uint64_t jrpc_conn_request(struct jrpc_conn *c, const char *method, json_t *params);
/* Read what is available into the framer: 0, or -1 (EOF/error: closed). */
int jrpc_conn_read(struct jrpc_conn *c, int64_t now_ms);

int64_t jrpc_now_ms(void);
/* Parse "unix:PATH" / "tcp:IP:PORT" / "tcp:[IP6]:PORT": 0 or -1. */
int jrpc_remote_check(const char *remote);

#endif /* KVTEPCTL_JSONRPC_H */
