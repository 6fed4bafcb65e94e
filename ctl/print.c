// SPDX-License-Identifier: GPL-2.0-only
/*
 * Text and JSON printers with a tiny JSON writer (no dependencies).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "print.h"

#define JSON_MAX_DEPTH	32

static struct {
	FILE *out;
	bool json;
	bool pretty;
	bool list;		/* a show command expects a top-level array */
	bool list_open;		/* ... and it has been started */
	int depth;		/* open containers */
	bool in_array[JSON_MAX_DEPTH];
	bool has_items[JSON_MAX_DEPTH];
} pr = { .depth = 0 };

void print_init(bool json, bool pretty)
{
	pr.out = stdout;
	pr.json = json;
	pr.pretty = pretty;
}

bool print_is_json(void)
{
	return pr.json;
}

static void jw_indent(void)
{
	int i;

	if (!pr.pretty)
		return;
	fputc('\n', pr.out);
	for (i = 0; i < pr.depth; i++)
		fputs("    ", pr.out);
}

/*
 * Write a JSON string. Control characters are escaped; invalid UTF-8
 * (interface names are arbitrary bytes) becomes U+FFFD so the output
 * always parses.
 */
static void jw_string(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', pr.out);
	while (*p) {
		unsigned char c = *p;
		int n, i;

		if (c < 0x80) {
			switch (c) {
			case '"':  fputs("\\\"", pr.out); break;
			case '\\': fputs("\\\\", pr.out); break;
			case '\b': fputs("\\b", pr.out); break;
			case '\f': fputs("\\f", pr.out); break;
			case '\n': fputs("\\n", pr.out); break;
			case '\r': fputs("\\r", pr.out); break;
			case '\t': fputs("\\t", pr.out); break;
			default:
				if (c < 0x20 || c == 0x7f)
					fprintf(pr.out, "\\u%04x", c);
				else
					fputc(c, pr.out);
			}
			p++;
			continue;
		}
		/* Multi-byte UTF-8: check lead byte, continuation bytes and
		 * the overlong / surrogate / range rules.
		 */
		if (c >= 0xc2 && c <= 0xdf)
			n = 1;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3;
		else
			n = 0;
		for (i = 1; i <= n; i++)
			if ((p[i] & 0xc0) != 0x80)
				break;
		if (n && i > n &&
		    !(c == 0xe0 && p[1] < 0xa0) && !(c == 0xed && p[1] > 0x9f) &&
		    !(c == 0xf0 && p[1] < 0x90) && !(c == 0xf4 && p[1] > 0x8f)) {
			fwrite(p, 1, n + 1, pr.out);
			p += n + 1;
		} else {
			fputs("\\ufffd", pr.out);
			p++;
		}
	}
	fputc('"', pr.out);
}

/* Separator, indentation and key before a new value in the current container. */
static void jw_value_start(const char *key)
{
	if (pr.depth > 0) {
		if (pr.has_items[pr.depth - 1])
			fputc(',', pr.out);
		pr.has_items[pr.depth - 1] = true;
		jw_indent();
		if (!pr.in_array[pr.depth - 1]) {
			jw_string(key ? key : "");
			fputs(pr.pretty ? ": " : ":", pr.out);
		}
	}
}

static void jw_open(const char *key, bool array)
{
	/* The list is opened with its first element: errors print no JSON. */
	if (pr.list && !pr.list_open && pr.depth == 0) {
		pr.list_open = true;
		jw_open(NULL, true);
	}
	jw_value_start(key);
	fputc(array ? '[' : '{', pr.out);
	if (pr.depth < JSON_MAX_DEPTH) {
		pr.in_array[pr.depth] = array;
		pr.has_items[pr.depth] = false;
	}
	pr.depth++;
}

static void jw_close(bool array)
{
	bool had_items;

	if (pr.depth <= 0)
		return;
	had_items = pr.depth <= JSON_MAX_DEPTH && pr.has_items[pr.depth - 1];
	pr.depth--;
	if (had_items)
		jw_indent();
	fputc(array ? ']' : '}', pr.out);
	if (!pr.depth)
		fputc('\n', pr.out);
}

void print_list_begin(void)
{
	pr.list = true;
	pr.list_open = false;
}

void print_list_end(bool ok)
{
	if (pr.json && pr.list_open)
		jw_close(true);
	else if (pr.json && ok)
		fputs("[]\n", pr.out);
	pr.list = pr.list_open = false;
	fflush(pr.out);
}

void open_json_object(const char *key)
{
	if (pr.json)
		jw_open(key, false);
}

void close_json_object(void)
{
	if (pr.json)
		jw_close(false);
}

void open_json_array(const char *key)
{
	if (pr.json)
		jw_open(key, true);
}

void close_json_array(void)
{
	if (pr.json)
		jw_close(true);
}

static bool want_text(enum print_type t)
{
	return !pr.json && (t & PRINT_TEXT);
}

static bool want_json(enum print_type t)
{
	return pr.json && (t & PRINT_JSON);
}

/*
 * Formats come from our own call sites with exactly one conversion of the
 * value's type: %s, %u (print_uint), "%" PRIu64 (print_u64), %d (print_int).
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"

void print_string(enum print_type t, const char *key, const char *fmt,
		  const char *value)
{
	if (want_json(t)) {
		jw_value_start(key);
		jw_string(value);
	} else if (want_text(t) && fmt) {
		fprintf(pr.out, fmt, value);
	}
}

void print_uint(enum print_type t, const char *key, const char *fmt,
		unsigned int value)
{
	if (want_json(t)) {
		jw_value_start(key);
		fprintf(pr.out, "%u", value);
	} else if (want_text(t) && fmt) {
		fprintf(pr.out, fmt, value);
	}
}

void print_u64(enum print_type t, const char *key, const char *fmt,
	       uint64_t value)
{
	if (want_json(t)) {
		jw_value_start(key);
		fprintf(pr.out, "%" PRIu64, value);
	} else if (want_text(t) && fmt) {
		fprintf(pr.out, fmt, value);
	}
}

void print_int(enum print_type t, const char *key, const char *fmt, int value)
{
	if (want_json(t)) {
		jw_value_start(key);
		fprintf(pr.out, "%d", value);
	} else if (want_text(t) && fmt) {
		fprintf(pr.out, fmt, value);
	}
}

void print_on_off(enum print_type t, const char *key, const char *fmt,
		  bool value)
{
	if (want_json(t)) {
		jw_value_start(key);
		fputs(value ? "true" : "false", pr.out);
	} else if (want_text(t) && fmt) {
		fprintf(pr.out, fmt, value ? "on" : "off");
	}
}

void print_null(enum print_type t, const char *key, const char *fmt)
{
	if (want_json(t)) {
		jw_value_start(key);
		fputs("null", pr.out);
	} else if (want_text(t) && fmt) {
		fputs(fmt, pr.out);
	}
}

#pragma GCC diagnostic pop

void print_nl(const char *indent)
{
	if (!pr.json)
		fprintf(pr.out, "\n%s", indent ? indent : "");
}
