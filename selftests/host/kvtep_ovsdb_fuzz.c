// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for what kvtepctl ovsdb does with bytes from the
 * database server: JSON-RPC framing (the input split into chunks at
 * points taken from its first byte), message classification, <table-updates>
 * applied to the monitor cache, and then everything the agent derives from
 * that cache - desired kernel state with row validation, the diff against
 * an empty kernel, and the publishing transaction. Must never crash, leak
 * or trip UBSan. Run by selftests/host/kvtep_ovsdb_fuzz.sh.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jsonrpc.h"
#include "ovsdb.h"
#include "vtep.h"

static uint32_t resolver(const char *name, void *data)
{
	(void)data;
	return name[0] == 'p' ? 10 + (name[1] & 7) : 0;
}

static void derive(const json_t *cache)
{
	static char ports[2][IFNAMSIZ] = { "p0", "p1" };
	struct vtep_mac mac = { .vni = 33, .mac = { 2, 0, 0, 0, 0, 1 } };
	struct vtep_stats st = { .ifindex = 10, .packets_from_local = 1 };
	struct vtep_kinfo ki = { .ports = ports, .n_ports = 2, .macs = &mac,
				 .n_macs = 1, .stats = &st, .n_stats = 1,
				 .with_stats = true };
	struct kstate empty = { 0 }, copy;
	struct vtep_desired d;
	struct kops ops;
	json_t *txn;

	if (vtep_desired_build(cache, "br0", resolver, NULL, &d))
		return;
	if (!kstate_diff(&d.k, &empty, &ops))
		kops_free(&ops);
	if (!kstate_copy(&copy, &d.k)) {
		if (!kstate_diff(&d.k, &copy, &ops)) {
			if (ops.n)
				abort();	/* a copy differs from its original */
			kops_free(&ops);
		}
		kstate_free(&copy);
	}
	txn = vtep_publish_ops(cache, &d, &ki, "kvtep");
	if (txn) {
		char *s = json_dumps(txn, JSON_COMPACT);

		free(s);
		json_decref(txn);
	}
	vtep_desired_free(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jrpc_framer f;
	json_t *cache = json_object(), *msg;
	size_t off = 1, chunk;
	char err[200];
	int r = 0;

	if (!size)
		goto out;
	chunk = (data[0] & 63) + 1;
	jrpc_framer_init(&f);
	while (off < size && r >= 0) {
		size_t n = size - off < chunk ? size - off : chunk;

		if (jrpc_framer_feed(&f, (const char *)data + off, n))
			break;
		off += n;
		while ((r = jrpc_framer_next(&f, &msg, err, sizeof(err))) == 1) {
			const char *method;
			const json_t *upd = NULL;

			switch (jrpc_classify(msg, &method)) {
			case JRPC_NOTIFY:
				if (!strcmp(method, "update"))
					upd = json_array_get(json_object_get(msg, "params"), 1);
				break;
			case JRPC_REPLY:
				upd = json_object_get(msg, "result");
				break;
			default:
				break;
			}
			if (upd)
				ovsdb_cache_apply(cache, upd, err, sizeof(err));
			json_decref(msg);
		}
	}
	jrpc_framer_free(&f);
	derive(cache);
out:
	json_decref(cache);
	return 0;
}
