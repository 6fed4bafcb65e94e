// SPDX-License-Identifier: GPL-2.0-only
/*
 * OVSDB monitor cache and datum helpers (see ovsdb.h).
 */
#include <stdio.h>
#include <string.h>

#include "ovsdb.h"

json_t *ovsdb_monitor_params(const char *db, const json_t *monitor_id,
			     const struct ovsdb_table_cols *tables)
{
	json_t *reqs = json_object(), *params;
	const struct ovsdb_table_cols *t;
	unsigned int i;

	for (t = tables; t->table; t++) {
		json_t *req = json_object();

		if (t->columns) {
			json_t *cols = json_array();

			for (i = 0; t->columns[i]; i++)
				json_array_append_new(cols, json_string(t->columns[i]));
			json_object_set_new(req, "columns", cols);
		}
		json_object_set_new(req, "select",
				    json_pack("{s:b,s:b,s:b,s:b}", "initial", 1,
					      "insert", 1, "delete", 1, "modify", 1));
		json_object_set_new(reqs, t->table, req);
	}
	params = json_pack("[s,O,o]", db, monitor_id, reqs);
	return params;
}

bool ovsdb_uuid_valid(const char *s)
{
	unsigned int i;

	/* Called for every reference of every row: no strlen, no locale. */
	if (!s)
		return false;
	for (i = 0; i < OVSDB_UUID_LEN; i++) {
		unsigned char c = s[i];

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (c != '-')
				return false;
		} else if (!((c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'f'))) {
			return false;
		}
	}
	return s[OVSDB_UUID_LEN] == 0;
}

const char *ovsdb_uuid_of(const json_t *d)
{
	const char *s;

	if (!json_is_array(d) || json_array_size(d) != 2 ||
	    !json_is_string(json_array_get(d, 0)) ||
	    strcmp(json_string_value(json_array_get(d, 0)), "uuid") ||
	    !json_is_string(json_array_get(d, 1)))
		return NULL;
	s = json_string_value(json_array_get(d, 1));
	return ovsdb_uuid_valid(s) ? s : NULL;
}

/* ["TAG", [...]] with TAG "set" or "map"? */
static const json_t *tagged(const json_t *d, const char *tag)
{
	if (json_is_array(d) && json_array_size(d) == 2 &&
	    json_is_string(json_array_get(d, 0)) &&
	    !strcmp(json_string_value(json_array_get(d, 0)), tag) &&
	    json_is_array(json_array_get(d, 1)))
		return json_array_get(d, 1);
	return NULL;
}

int ovsdb_set_size(const json_t *d)
{
	const json_t *a;

	if (!d)
		return -1;
	a = tagged(d, "set");
	if (a)
		return json_array_size(a);
	/* A bare atom: a string, number, boolean or ["uuid", U]. */
	if (json_is_string(d) || json_is_number(d) || json_is_boolean(d) ||
	    ovsdb_uuid_of(d))
		return 1;
	return -1;
}

const json_t *ovsdb_set_elem(const json_t *d, int i)
{
	const json_t *a = tagged(d, "set");

	if (a)
		return json_array_get(a, i);
	return i == 0 ? d : NULL;
}

int ovsdb_map_size(const json_t *d)
{
	const json_t *a = tagged(d, "map");

	return a ? (int)json_array_size(a) : -1;
}

int ovsdb_map_pair(const json_t *d, int i, const json_t **k, const json_t **v)
{
	const json_t *a = tagged(d, "map"), *p;

	if (!a)
		return -1;
	p = json_array_get(a, i);
	if (!json_is_array(p) || json_array_size(p) != 2)
		return -1;
	*k = json_array_get(p, 0);
	*v = json_array_get(p, 1);
	return 0;
}

int ovsdb_opt_int(const json_t *d, json_int_t *v)
{
	int n = ovsdb_set_size(d);
	const json_t *e;

	if (n == 0)
		return 0;
	if (n != 1)
		return -1;
	e = ovsdb_set_elem(d, 0);
	if (!json_is_integer(e))
		return -1;
	*v = json_integer_value(e);
	return 1;
}

const char *ovsdb_opt_str(const json_t *d)
{
	const json_t *e;

	if (ovsdb_set_size(d) != 1)
		return NULL;
	e = ovsdb_set_elem(d, 0);
	return json_is_string(e) ? json_string_value(e) : NULL;
}

json_t *ovsdb_row(const json_t *cache, const char *table, const char *uuid)
{
	return json_object_get(json_object_get(cache, table), uuid);
}

int ovsdb_cache_apply(json_t *cache, const json_t *updates, char *err, size_t errlen)
{
	const char *table, *uuid;
	json_t *rows, *ru;

	if (!json_is_object(updates)) {
		snprintf(err, errlen, "table-updates is not an object");
		return -1;
	}
	json_object_foreach((json_t *)updates, table, rows) {
		json_t *t;

		if (!json_is_object(rows)) {
			snprintf(err, errlen, "table %.40s: table-update is not an object",
				 table);
			return -1;
		}
		t = json_object_get(cache, table);
		if (!t) {
			t = json_object();
			json_object_set_new(cache, table, t);
		}
		json_object_foreach(rows, uuid, ru) {
			json_t *nw;

			if (!ovsdb_uuid_valid(uuid) || !json_is_object(ru)) {
				snprintf(err, errlen, "table %.40s: bad row-update for \"%.40s\"",
					 table, uuid);
				return -1;
			}
			nw = json_object_get(ru, "new");
			if (nw && !json_is_object(nw)) {
				snprintf(err, errlen, "table %.40s row %s: \"new\" is not an object",
					 table, uuid);
				return -1;
			}
			if (nw)
				json_object_set(t, uuid, nw);
			else
				json_object_del(t, uuid);
		}
	}
	return 0;
}

json_t *ovsdb_uuid_datum(const char *uuid)
{
	return json_pack("[s,s]", "uuid", uuid);
}

json_t *ovsdb_named_uuid(const char *name)
{
	return json_pack("[s,s]", "named-uuid", name);
}

json_t *ovsdb_string_set(const char *const *strs, unsigned int n)
{
	json_t *a = json_array();
	unsigned int i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_string(strs[i]));
	return json_pack("[s,o]", "set", a);
}
