/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One set of printers for text and JSON, in the manner of iproute2's
 * json_print.h: every call names a JSON key and a text format, and
 * prints whichever the output mode asks for.
 *
 *   print_uint(PRINT_ANY, "ageing", "ageing %u ", ageing);
 *
 * prints "ageing 300 " as text and "ageing": 300 as JSON. PRINT_TEXT
 * and PRINT_JSON restrict a call to one mode. Keys are ignored inside JSON
 * arrays. Show commands bracket their objects with print_list_begin() /
 * print_list_end(): JSON output is then one array of objects (nothing at
 * all if the command failed before the first object).
 */
#ifndef KVTEPCTL_PRINT_H
#define KVTEPCTL_PRINT_H

#include <stdbool.h>
#include <stdint.h>

enum print_type {
	PRINT_TEXT = 1,
	PRINT_JSON = 2,
	PRINT_ANY = PRINT_TEXT | PRINT_JSON,
};

void print_init(bool json, bool pretty);
bool print_is_json(void);

void print_list_begin(void);
/* @ok: the command succeeded; an empty list then prints as []. */
void print_list_end(bool ok);

void open_json_object(const char *key);
void close_json_object(void);
void open_json_array(const char *key);
void close_json_array(void);

/* fmt: one %s */
void print_string(enum print_type t, const char *key, const char *fmt,
		  const char *value);
/* fmt: one %u */
void print_uint(enum print_type t, const char *key, const char *fmt,
		unsigned int value);
/* fmt: one "%" PRIu64 */
void print_u64(enum print_type t, const char *key, const char *fmt,
	       uint64_t value);
/* fmt: one %d */
void print_int(enum print_type t, const char *key, const char *fmt, int value);
/* JSON true/false; text: fmt (one %s) applied to "on"/"off". */
void print_on_off(enum print_type t, const char *key, const char *fmt,
		  bool value);
/* fmt: plain text, no conversion */
void print_null(enum print_type t, const char *key, const char *fmt);
/* Text only: a newline plus indentation (ignored in JSON mode). */
void print_nl(const char *indent);

#endif /* KVTEPCTL_PRINT_H */
