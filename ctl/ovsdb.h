/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * OVSDB (RFC 7047) client side: the table cache kept from a "monitor"
 * and the helpers to read OVSDB datums (atoms, sets, maps, uuids).
 *
 * The cache is a JSON object {TABLE: {UUID: ROW}}, ROW = {COLUMN: DATUM}
 * with every monitored column, exactly as the server sends rows in the
 * "new" member of a <row-update>. It has no I/O.
 */
#ifndef KVTEPCTL_OVSDB_H
#define KVTEPCTL_OVSDB_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>

#define OVSDB_UUID_LEN	36

/* The monitor request params for @db: every table of @tables (NULL-ended)
 * with the columns of its entry in @columns (NULL = all columns). */
struct ovsdb_table_cols {
	const char *table;
	const char *const *columns;	/* NULL-terminated, or NULL */
};
json_t *ovsdb_monitor_params(const char *db, const json_t *monitor_id,
			     const struct ovsdb_table_cols *tables);

/*
 * Apply <table-updates> (the result of "monitor" or the second parameter
 * of an "update" notification) to @cache. 0, or -1 if @updates is
 * malformed: @err names the table/row; well-formed rows before it are
 * applied, the rest of the message is not.
 */
int ovsdb_cache_apply(json_t *cache, const json_t *updates, char *err, size_t errlen);

/* Row of @table with @uuid, or NULL. */
json_t *ovsdb_row(const json_t *cache, const char *table, const char *uuid);

/* A valid textual UUID (8-4-4-4-12 hex)? */
bool ovsdb_uuid_valid(const char *s);
/* ["uuid", "U"] -> "U" (pointer into @d), else NULL. */
const char *ovsdb_uuid_of(const json_t *d);

/*
 * Sets: a set datum is a bare atom (one element) or ["set", [ATOMS]].
 * Returns the number of elements (-1 if malformed) and, through @elems,
 * the array to index (NULL for a bare atom: use the datum itself).
 */
int ovsdb_set_size(const json_t *d);
const json_t *ovsdb_set_elem(const json_t *d, int i);

/* Maps: ["map", [[K, V], ...]]. Number of pairs or -1. */
int ovsdb_map_size(const json_t *d);
/* Pair @i of the map: key and value (borrowed). 0 or -1. */
int ovsdb_map_pair(const json_t *d, int i, const json_t **k, const json_t **v);

/* Optional (min 0, max 1) integer: 1 and *v if set, 0 if empty, -1 bad. */
int ovsdb_opt_int(const json_t *d, json_int_t *v);
/* Optional string: the string, or NULL if empty/bad. */
const char *ovsdb_opt_str(const json_t *d);

/* Datums we build. */
json_t *ovsdb_uuid_datum(const char *uuid);
json_t *ovsdb_named_uuid(const char *name);
json_t *ovsdb_string_set(const char *const *strs, unsigned int n);

#endif /* KVTEPCTL_OVSDB_H */
