// SPDX-License-Identifier: GPL-2.0-only
/*
 * JSON-RPC framing and connections for the OVSDB client (see jsonrpc.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "jsonrpc.h"

#define JRPC_BACKOFF_MIN_MS	250
#define JRPC_BACKOFF_MAX_MS	8000
#define JRPC_CONNECT_TIMEOUT_MS	3000

/* --- framing ------------------------------------------------------------- */

/* Continue scanning @buf[0..n) from where @st stopped. */
static int scan_step(struct jrpc_scan *st, const char *buf, size_t n, size_t *len)
{
	size_t i = st->pos;

	if (!st->started) {
		while (i < n && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' ||
				 buf[i] == '\n'))
			i++;
		if (i == n) {
			st->pos = i;
			return 0;
		}
		if (buf[i] != '{')
			return -1;
		st->started = true;
	}
	for (; i < n; i++) {
		char c = buf[i];

		if (st->in_str) {
			if (st->esc)
				st->esc = false;
			else if (c == '\\')
				st->esc = true;
			else if (c == '"')
				st->in_str = false;
			continue;
		}
		switch (c) {
		case '"':
			st->in_str = true;
			break;
		case '{':
		case '[':
			st->depth++;
			break;
		case '}':
		case ']':
			if (!st->depth)
				return -1;
			if (--st->depth == 0) {
				*len = i + 1;
				memset(st, 0, sizeof(*st));
				return 1;
			}
			break;
		}
	}
	st->pos = i;
	return 0;
}

int jrpc_frame_scan(const char *buf, size_t n, size_t *len)
{
	struct jrpc_scan st = { 0 };

	return scan_step(&st, buf, n, len);
}

void jrpc_framer_init(struct jrpc_framer *f)
{
	memset(f, 0, sizeof(*f));
}

void jrpc_framer_free(struct jrpc_framer *f)
{
	free(f->buf);
	memset(f, 0, sizeof(*f));
}

void jrpc_framer_reset(struct jrpc_framer *f)
{
	f->len = 0;
	memset(&f->scan, 0, sizeof(f->scan));
}

int jrpc_framer_feed(struct jrpc_framer *f, const char *data, size_t n)
{
	if (f->len + n > JRPC_MAX_MSG)
		return -1;
	if (f->len + n > f->cap) {
		size_t cap = f->cap ? f->cap : 4096;
		char *p;

		while (cap < f->len + n)
			cap *= 2;
		p = realloc(f->buf, cap);
		if (!p)
			return -1;
		f->buf = p;
		f->cap = cap;
	}
	memcpy(f->buf + f->len, data, n);
	f->len += n;
	return 0;
}

int jrpc_framer_next(struct jrpc_framer *f, json_t **msg, char *err, size_t errlen)
{
	json_error_t jerr;
	size_t len;
	int r;

	*msg = NULL;
	if (!f->len)
		return 0;
	r = scan_step(&f->scan, f->buf, f->len, &len);
	if (r < 0) {
		if (err)
			snprintf(err, errlen, "stream does not hold JSON objects");
		return -1;
	}
	if (r == 0)
		return 0;
	*msg = json_loadb(f->buf, len, JSON_DISABLE_EOF_CHECK | JSON_ALLOW_NUL, &jerr);
	memmove(f->buf, f->buf + len, f->len - len);
	f->len -= len;
	if (!*msg) {
		if (err)
			snprintf(err, errlen, "bad JSON: %s", jerr.text);
		return -1;
	}
	if (!json_is_object(*msg)) {
		json_decref(*msg);
		*msg = NULL;
		if (err)
			snprintf(err, errlen, "message is not a JSON object");
		return -1;
	}
	return 1;
}

enum jrpc_kind jrpc_classify(const json_t *msg, const char **method)
{
	const json_t *m = json_object_get(msg, "method");
	const json_t *id = json_object_get(msg, "id");
	const json_t *e;

	if (method)
		*method = NULL;
	if (!json_is_object(msg) || !id)
		return JRPC_INVALID;
	if (m) {
		if (!json_is_string(m) || !json_is_array(json_object_get(msg, "params")))
			return JRPC_INVALID;
		if (method)
			*method = json_string_value(m);
		return json_is_null(id) ? JRPC_NOTIFY : JRPC_REQUEST;
	}
	if (json_is_null(id) || !json_object_get(msg, "result"))
		return JRPC_INVALID;
	e = json_object_get(msg, "error");
	if (e && !json_is_null(e))
		return JRPC_ERROR;
	return JRPC_REPLY;
}

/* --- connection ---------------------------------------------------------- */

int64_t jrpc_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* "tcp:IP:PORT" -> sockaddr. 0 or -1. */
static int tcp_parse(const char *s, struct sockaddr_storage *ss, socklen_t *sl)
{
	char host[64];
	const char *port, *end;
	unsigned long p;
	char *pend;

	if (*s == '[') {
		end = strchr(s, ']');
		if (!end || end[1] != ':' || (size_t)(end - s - 1) >= sizeof(host))
			return -1;
		memcpy(host, s + 1, end - s - 1);
		host[end - s - 1] = '\0';
		port = end + 2;
	} else {
		end = strrchr(s, ':');
		if (!end || (size_t)(end - s) >= sizeof(host))
			return -1;
		memcpy(host, s, end - s);
		host[end - s] = '\0';
		port = end + 1;
	}
	errno = 0;
	p = strtoul(port, &pend, 10);
	if (!*port || *pend || errno || !p || p > 65535)
		return -1;
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &((struct sockaddr_in *)ss)->sin_addr) == 1) {
		((struct sockaddr_in *)ss)->sin_family = AF_INET;
		((struct sockaddr_in *)ss)->sin_port = htons(p);
		*sl = sizeof(struct sockaddr_in);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &((struct sockaddr_in6 *)ss)->sin6_addr) == 1) {
		((struct sockaddr_in6 *)ss)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *)ss)->sin6_port = htons(p);
		*sl = sizeof(struct sockaddr_in6);
		return 0;
	}
	return -1;
}

static int remote_addr(const char *r, struct sockaddr_storage *ss, socklen_t *sl)
{
	if (!strncmp(r, "unix:", 5)) {
		struct sockaddr_un *un = (struct sockaddr_un *)ss;

		if (!r[5] || strlen(r + 5) >= sizeof(un->sun_path))
			return -1;
		memset(ss, 0, sizeof(*ss));
		un->sun_family = AF_UNIX;
		strcpy(un->sun_path, r + 5);
		*sl = sizeof(*un);
		return 0;
	}
	if (!strncmp(r, "tcp:", 4))
		return tcp_parse(r + 4, ss, sl);
	return -1;
}

int jrpc_remote_check(const char *remote)
{
	struct sockaddr_storage ss;
	socklen_t sl;

	return remote_addr(remote, &ss, &sl);
}

int jrpc_conn_init(struct jrpc_conn *c, const char *spec)
{
	char *copy = strdup(spec), *tok, *save = NULL;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->next_id = 1;
	c->backoff_ms = JRPC_BACKOFF_MIN_MS;
	jrpc_framer_init(&c->in);
	if (!copy)
		return -1;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char **r;

		if (jrpc_remote_check(tok)) {
			fprintf(stderr, "kvtepctl: invalid remote \"%s\": expected unix:PATH or tcp:IP:PORT\n",
				tok);
			free(copy);
			return -1;
		}
		r = realloc(c->remotes, (c->n_remotes + 1) * sizeof(*r));
		if (!r)
			break;
		c->remotes = r;
		c->remotes[c->n_remotes] = strdup(tok);
		if (c->remotes[c->n_remotes])
			c->n_remotes++;
	}
	free(copy);
	if (!c->n_remotes) {
		fprintf(stderr, "kvtepctl: no database remote given\n");
		return -1;
	}
	return 0;
}

void jrpc_conn_free(struct jrpc_conn *c)
{
	unsigned int i;

	if (c->fd >= 0)
		close(c->fd);
	for (i = 0; i < c->n_remotes; i++)
		free(c->remotes[i]);
	free(c->remotes);
	jrpc_framer_free(&c->in);
	c->fd = -1;
}

static int connect_timeout(int fd, const struct sockaddr *sa, socklen_t sl)
{
	int flags = fcntl(fd, F_GETFL), err = 0;
	socklen_t el = sizeof(err);
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };

	fcntl(fd, F_SETFL, flags | O_NONBLOCK);
	if (connect(fd, sa, sl) < 0) {
		if (errno != EINPROGRESS)
			return -1;
		if (poll(&pfd, 1, JRPC_CONNECT_TIMEOUT_MS) != 1) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0 || err) {
			errno = err ? err : EIO;
			return -1;
		}
	}
	fcntl(fd, F_SETFL, flags);
	return 0;
}

int jrpc_conn_try(struct jrpc_conn *c, int64_t now_ms)
{
	struct sockaddr_storage ss;
	const char *r;
	socklen_t sl;
	int fd, one = 1;

	if (c->fd >= 0)
		return 1;
	if (now_ms < c->next_try_ms)
		return 0;
	r = c->remotes[c->cur];
	if (remote_addr(r, &ss, &sl))
		return 0;
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect_timeout(fd, (struct sockaddr *)&ss, sl) < 0) {
		int e = errno;

		if (fd >= 0)
			close(fd);
		fprintf(stderr, "kvtepctl: ovsdb: connecting to %s: %s (retry in %u ms)\n",
			r, strerror(e), c->backoff_ms);
		c->cur = (c->cur + 1) % c->n_remotes;
		/* A full round over every remote failed: back off. */
		c->next_try_ms = now_ms + (c->cur == 0 || c->n_remotes == 1 ?
					   c->backoff_ms : 0);
		if (c->cur == 0 || c->n_remotes == 1) {
			c->backoff_ms *= 2;
			if (c->backoff_ms > JRPC_BACKOFF_MAX_MS)
				c->backoff_ms = JRPC_BACKOFF_MAX_MS;
		}
		return 0;
	}
	if (ss.ss_family != AF_UNIX)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c->fd = fd;
	c->connected_to = r;
	jrpc_framer_reset(&c->in);
	c->backoff_ms = JRPC_BACKOFF_MIN_MS;
	return 1;
}

void jrpc_conn_close(struct jrpc_conn *c, int64_t now_ms)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	jrpc_framer_reset(&c->in);
	c->connected_to = NULL;
	/* Next time, the next remote (a cluster member may be down). */
	c->cur = (c->cur + 1) % c->n_remotes;
	c->next_try_ms = now_ms + (c->n_remotes > 1 ? 0 : c->backoff_ms);
}

int jrpc_conn_send(struct jrpc_conn *c, json_t *msg)
{
	char *s;
	size_t len, off = 0;

	if (c->fd < 0)
		return -1;
	s = json_dumps(msg, JSON_COMPACT);
	if (!s)
		return -1;
	len = strlen(s);
	while (off < len) {
		ssize_t w = send(c->fd, s + off, len - off, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			free(s);
			return -1;
		}
		off += w;
	}
	free(s);
	return 0;
}

uint64_t jrpc_conn_request(struct jrpc_conn *c, const char *method, json_t *params)
{
	uint64_t id = c->next_id++;
	json_t *msg;
	int r;

	msg = json_pack("{s:s, s:o, s:I}", "method", method, "params", params,
			"id", (json_int_t)id);
	if (!msg)
		return 0;
	r = jrpc_conn_send(c, msg);
	json_decref(msg);
	return r ? 0 : id;
}

int jrpc_conn_read(struct jrpc_conn *c, int64_t now_ms)
{
	char buf[65536];

	for (;;) {
		ssize_t n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n > 0) {
			if (jrpc_framer_feed(&c->in, buf, n)) {
				fprintf(stderr, "kvtepctl: ovsdb: message from %s too large\n",
					c->connected_to);
				jrpc_conn_close(c, now_ms);
				return -1;
			}
			if ((size_t)n < sizeof(buf))
				return 0;
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n < 0 && errno == EINTR)
			continue;
		fprintf(stderr, "kvtepctl: ovsdb: connection to %s %s\n", c->connected_to,
			n ? strerror(errno) : "closed by the server");
		jrpc_conn_close(c, now_ms);
		return -1;
	}
}
