// SPDX-License-Identifier: GPL-2.0-only
/*
 * benchstat: statistics for the kvtep benchmarks.
 *
 *	benchstat [-m KEY=VALUE]... SAMPLES TARGETS JSON_OUT
 *
 * SAMPLES is the TSV the guest scripts write, one measurement a line:
 *
 *	TEST <tab> CONTENDER <tab> ROUND <tab> VALUE <tab> UNIT
 *
 * TARGETS (selftests/bench/targets.conf) names what to compare, one a line:
 *
 *	ratio TEST A B OP LIMIT LABEL...   paired ratio A_r/B_r over the rounds
 *	                                   both ran; OP is >=, <= or "info"
 *	value TEST A OP LIMIT LABEL...     the median of A against LIMIT
 *	cost  TEST AA LABEL...             per-frame cost of every contender of
 *	                                   TEST: 1e9/x_r - 1e9/aa_r ns (paired)
 *
 * Writes JSON_OUT (medians, min/max, every sample, ratios with their
 * per-round values and range, costs, target verdicts, -m metadata) and
 * prints a text table on stdout. A target whose contenders did not run is
 * "n/a", never a failure: exit status is 0 unless the input is unreadable.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#define MAX_ROUNDS	512	/* ctrl_single: one "round" per change */
#define NAME_LEN	64

struct series {
	char test[NAME_LEN];
	char contender[NAME_LEN];
	char unit[NAME_LEN];
	double v[MAX_ROUNDS + 1];	/* by round, 1..MAX_ROUNDS */
	int have[MAX_ROUNDS + 1];
	int n;
};

static struct series *series;
static size_t n_series, cap_series;

struct summary {
	int n;
	double median, min, max, mean, p90;
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static struct summary summarize(const double *vals, int n)
{
	struct summary s = { .n = n };
	double tmp[MAX_ROUNDS + 1], sum = 0;
	int i;

	if (n <= 0) {
		s.median = s.min = s.max = s.mean = s.p90 = NAN;
		return s;
	}
	memcpy(tmp, vals, n * sizeof(*tmp));
	qsort(tmp, n, sizeof(*tmp), cmp_double);
	for (i = 0; i < n; i++)
		sum += tmp[i];
	s.min = tmp[0];
	s.max = tmp[n - 1];
	s.mean = sum / n;
	s.median = n % 2 ? tmp[n / 2] : (tmp[n / 2 - 1] + tmp[n / 2]) / 2;
	/* Nearest rank; only meaningful with many samples (ctrl_single). */
	s.p90 = tmp[(int)ceil(0.9 * n) - 1];
	return s;
}

static struct series *find(const char *test, const char *c, int create)
{
	size_t i;

	for (i = 0; i < n_series; i++)
		if (!strcmp(series[i].test, test) && !strcmp(series[i].contender, c))
			return &series[i];
	if (!create)
		return NULL;
	if (n_series == cap_series) {
		cap_series = cap_series ? 2 * cap_series : 32;
		series = realloc(series, cap_series * sizeof(*series));
		if (!series) {
			perror("benchstat");
			exit(2);
		}
	}
	memset(&series[n_series], 0, sizeof(series[0]));
	snprintf(series[n_series].test, NAME_LEN, "%s", test);
	snprintf(series[n_series].contender, NAME_LEN, "%s", c);
	return &series[n_series++];
}

static int read_samples(const char *path)
{
	char line[512], *f[5], *save, *p;
	unsigned long lineno = 0;
	FILE *fp = fopen(path, "r");
	struct series *s;
	int i, round;

	if (!fp) {
		fprintf(stderr, "benchstat: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), fp)) {
		lineno++;
		line[strcspn(line, "\r\n")] = 0;
		if (!line[0] || line[0] == '#')
			continue;
		for (i = 0, p = line; i < 5; i++, p = NULL) {
			f[i] = strtok_r(p, "\t", &save);
			if (!f[i])
				break;
		}
		if (i < 4) {
			fprintf(stderr, "benchstat: %s:%lu: need 4-5 fields\n", path, lineno);
			continue;
		}
		round = atoi(f[2]);
		if (round < 1 || round > MAX_ROUNDS) {
			fprintf(stderr, "benchstat: %s:%lu: bad round %s\n", path, lineno, f[2]);
			continue;
		}
		s = find(f[0], f[1], 1);
		if (i == 5 && !s->unit[0])
			snprintf(s->unit, NAME_LEN, "%s", f[4]);
		if (!s->have[round])
			s->n++;
		s->have[round] = 1;
		s->v[round] = strtod(f[3], NULL);
	}
	fclose(fp);
	return 0;
}

static int values(const struct series *s, double *out)
{
	int r, n = 0;

	for (r = 1; r <= MAX_ROUNDS; r++)
		if (s->have[r])
			out[n++] = s->v[r];
	return n;
}

/* "12345" for big figures, "1.23" for small ones */
static const char *fmt(double v, char *buf, size_t len)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else if (fabs(v) >= 1000)
		snprintf(buf, len, "%.0f", v);
	else if (fabs(v) >= 100)
		snprintf(buf, len, "%.1f", v);
	else
		snprintf(buf, len, "%.3g", v);
	return buf;
}

static json_t *jnum(double v)
{
	return isnan(v) || isinf(v) ? json_null() : json_real(v);
}

static json_t *jsummary(struct summary s)
{
	return json_pack("{s:i, s:o, s:o, s:o, s:o, s:o}", "n", s.n,
			 "median", jnum(s.median), "min", jnum(s.min),
			 "max", jnum(s.max), "mean", jnum(s.mean), "p90", jnum(s.p90));
}

static json_t *tests_json(void)
{
	json_t *tests = json_object(), *t, *c, *arr;
	double vals[MAX_ROUNDS + 1];
	size_t i;
	int r, n;

	for (i = 0; i < n_series; i++) {
		struct series *s = &series[i];

		t = json_object_get(tests, s->test);
		if (!t) {
			t = json_pack("{s:s, s:{}}", "unit", s->unit, "contenders");
			json_object_set_new(tests, s->test, t);
		}
		n = values(s, vals);
		c = jsummary(summarize(vals, n));
		arr = json_array();
		for (r = 1; r <= MAX_ROUNDS; r++)
			if (s->have[r])
				json_array_append_new(arr, json_pack("{s:i, s:o}", "round", r,
								     "value", jnum(s->v[r])));
		json_object_set_new(c, "samples", arr);
		json_object_set_new(json_object_get(t, "contenders"), s->contender, c);
	}
	return tests;
}

/* Medians grouped by test, tests and contenders in order of appearance. */
static void print_medians(void)
{
	char b1[32], b2[32], b3[32], b4[32];
	double vals[MAX_ROUNDS + 1];
	struct summary sm;
	size_t i, j, k;

	for (i = 0; i < n_series; i++) {
		for (k = 0; k < i; k++)
			if (!strcmp(series[k].test, series[i].test))
				break;
		if (k < i)
			continue;	/* test printed already */
		printf("\n%-22s %-14s %3s %12s %12s %12s %10s  %s\n", series[i].test,
		       "contender", "n", "median", "min", "max", "p90(n>=10)", "unit");
		for (j = i; j < n_series; j++) {
			struct series *s = &series[j];

			if (strcmp(s->test, series[i].test))
				continue;
			sm = summarize(vals, values(s, vals));
			printf("%-22s %-14s %3d %12s %12s %12s %10s  %s\n", "", s->contender,
			       sm.n, fmt(sm.median, b1, sizeof(b1)), fmt(sm.min, b2, sizeof(b2)),
			       fmt(sm.max, b3, sizeof(b3)),
			       sm.n >= 10 ? fmt(sm.p90, b4, sizeof(b4)) : "", s->unit);
		}
	}
}

/* Paired ratio a_r/b_r over the rounds both have. */
static struct summary paired_ratio(const struct series *a, const struct series *b,
				   json_t *per_round)
{
	double vals[MAX_ROUNDS + 1];
	int r, n = 0;

	for (r = 1; r <= MAX_ROUNDS; r++) {
		if (!a->have[r] || !b->have[r] || b->v[r] == 0)
			continue;
		vals[n++] = a->v[r] / b->v[r];
		json_array_append_new(per_round, json_pack("{s:i, s:o}", "round", r,
							   "ratio", jnum(a->v[r] / b->v[r])));
	}
	return summarize(vals, n);
}

static const char *verdict(const char *op, double v, double limit)
{
	if (isnan(v))
		return "n/a";
	if (!strcmp(op, ">="))
		return v >= limit ? "MET" : "NOT MET";
	if (!strcmp(op, "<="))
		return v <= limit ? "MET" : "NOT MET";
	return "info";
}

/* The rest of the words from the strtok_r state: the label. */
static const char *rest(char **save)
{
	char *p = *save;

	if (!p)
		return "";
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

static int run_targets(const char *path, json_t *root)
{
	json_t *targets = json_array(), *costs = json_array(), *o, *pr;
	char line[512], *w[6], *save, *p;
	char b1[32], b2[32], b3[32], b4[32];
	unsigned long lineno = 0;
	FILE *fp = fopen(path, "r");
	char *cbuf = NULL;
	size_t clen = 0;
	FILE *cout = open_memstream(&cbuf, &clen);
	int nw, printed_cost_hdr = 0;

	if (!fp || !cout) {
		fprintf(stderr, "benchstat: %s: %s\n", path, strerror(errno));
		return -1;
	}
	printf("\n%-52s %9s %9s %9s %9s %-6s %s\n", "comparison (paired per round)", "median",
	       "min", "max", "target", "rounds", "verdict");
	while (fgets(line, sizeof(line), fp)) {
		lineno++;
		line[strcspn(line, "\r\n")] = 0;
		p = line + strspn(line, " \t");
		if (!*p || *p == '#')
			continue;
		save = NULL;
		nw = 0;
		memset(w, 0, sizeof(w));
		w[nw++] = strtok_r(p, " \t", &save);
		if (!strcmp(w[0], "ratio")) {
			struct series *a, *b;
			struct summary sm;
			const char *label, *v;
			double limit;

			for (; nw < 6; nw++)
				w[nw] = strtok_r(NULL, " \t", &save);
			if (!w[5])
				goto bad;
			label = rest(&save);
			limit = strcmp(w[4], "info") ? strtod(w[5], NULL) : NAN;
			a = find(w[1], w[2], 0);
			b = find(w[1], w[3], 0);
			pr = json_array();
			if (a && b)
				sm = paired_ratio(a, b, pr);
			else
				sm = summarize(NULL, 0);
			v = verdict(w[4], sm.median, limit);
			o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:i, s:o, s:o, s:s}",
				      "kind", "ratio", "label", label, "test", w[1], "a", w[2],
				      "b", w[3], "op", w[4], "limit", jnum(limit),
				      "median", jnum(sm.median), "min", jnum(sm.min),
				      "rounds", sm.n, "max", jnum(sm.max), "per_round", pr,
				      "verdict", v);
			json_array_append_new(targets, o);
			snprintf(b4, sizeof(b4), "%s %s", isnan(limit) ? "" : w[4],
				 isnan(limit) ? "" : w[5]);
			printf("%-52.52s %9s %9s %9s %9s %-6d %s\n", label,
			       fmt(sm.median, b1, sizeof(b1)), fmt(sm.min, b2, sizeof(b2)),
			       fmt(sm.max, b3, sizeof(b3)), b4, sm.n, v);
		} else if (!strcmp(w[0], "value")) {
			double vals[MAX_ROUNDS + 1], limit;
			struct series *a;
			struct summary sm;
			const char *label, *v;

			for (; nw < 5; nw++)
				w[nw] = strtok_r(NULL, " \t", &save);
			if (!w[4])
				goto bad;
			label = rest(&save);
			limit = strcmp(w[3], "info") ? strtod(w[4], NULL) : NAN;
			a = find(w[1], w[2], 0);
			sm = summarize(vals, a ? values(a, vals) : 0);
			v = verdict(w[3], sm.median, limit);
			o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:i, s:s}",
				      "kind", "value", "label", label, "test", w[1], "a", w[2],
				      "op", w[3], "limit", jnum(limit), "median", jnum(sm.median),
				      "min", jnum(sm.min), "max", jnum(sm.max), "rounds", sm.n,
				      "verdict", v);
			json_array_append_new(targets, o);
			snprintf(b4, sizeof(b4), "%s %s", isnan(limit) ? "" : w[3],
				 isnan(limit) ? "" : w[4]);
			printf("%-52.52s %9s %9s %9s %9s %-6d %s\n", label,
			       fmt(sm.median, b1, sizeof(b1)), fmt(sm.min, b2, sizeof(b2)),
			       fmt(sm.max, b3, sizeof(b3)), b4, sm.n, v);
		} else if (!strcmp(w[0], "cost")) {
			struct series *aa;
			size_t k;

			for (; nw < 3; nw++)
				w[nw] = strtok_r(NULL, " \t", &save);
			if (!w[2])
				goto bad;
			aa = find(w[1], w[2], 0);
			if (!aa)
				continue;
			if (!printed_cost_hdr) {
				fprintf(cout, "\n%-52s %9s %9s %9s %9s\n",
				       "per-frame cost over A/A (ns, paired per round)", "median",
				       "min", "max", "of medians");
				printed_cost_hdr = 1;
			}
			for (k = 0; k < n_series; k++) {
				struct series *c = &series[k];
				double vals[MAX_ROUNDS + 1], mv[MAX_ROUNDS + 1], of_medians;
				struct summary sm, sc, sa;
				char name[160];
				int r, n = 0;

				if (strcmp(c->test, w[1]) || c == aa || !strncmp(c->contender, "aa", 2))
					continue;
				pr = json_array();
				for (r = 1; r <= MAX_ROUNDS; r++) {
					if (!c->have[r] || !aa->have[r] || c->v[r] <= 0 || aa->v[r] <= 0)
						continue;
					vals[n] = 1e9 / c->v[r] - 1e9 / aa->v[r];
					json_array_append_new(pr, json_pack("{s:i, s:o}", "round", r,
									    "ns", jnum(vals[n])));
					n++;
				}
				sm = summarize(vals, n);
				sc = summarize(mv, values(c, mv));
				sa = summarize(mv, values(aa, mv));
				of_medians = 1e9 / sc.median - 1e9 / sa.median;
				json_array_append_new(costs,
					json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:i, s:o}",
						  "test", w[1], "contender", c->contender, "aa", w[2],
						  "median_ns", jnum(sm.median), "min_ns", jnum(sm.min),
						  "max_ns", jnum(sm.max), "of_medians_ns", jnum(of_medians),
						  "rounds", sm.n, "per_round", pr));
				snprintf(name, sizeof(name), "%s %s", w[1], c->contender);
				fprintf(cout, "%-52.52s %9s %9s %9s %9s\n", name,
				       fmt(sm.median, b1, sizeof(b1)), fmt(sm.min, b2, sizeof(b2)),
				       fmt(sm.max, b3, sizeof(b3)), fmt(of_medians, b4, sizeof(b4)));
			}
		} else {
			goto bad;
		}
		continue;
bad:
		fprintf(stderr, "benchstat: %s:%lu: cannot parse\n", path, lineno);
	}
	fclose(fp);
	fclose(cout);
	fputs(cbuf, stdout);
	free(cbuf);
	json_object_set_new(root, "targets", targets);
	json_object_set_new(root, "costs", costs);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: benchstat [-m KEY=VALUE]... SAMPLES TARGETS JSON_OUT\n");
	exit(2);
}

int main(int argc, char **argv)
{
	json_t *root = json_object(), *meta = json_object();
	int i = 1;

	while (i < argc && !strcmp(argv[i], "-m")) {
		char *eq;

		if (i + 1 >= argc || !(eq = strchr(argv[i + 1], '=')))
			usage();
		*eq = 0;
		json_object_set_new(meta, argv[i + 1], json_string(eq + 1));
		i += 2;
	}
	if (argc - i != 3)
		usage();
	if (read_samples(argv[i]))
		return 2;
	json_object_set_new(root, "meta", meta);
	printf("medians over the rounds (each round runs every contender once, in rotated order)\n");
	print_medians();
	json_object_set_new(root, "tests", tests_json());
	if (run_targets(argv[i + 1], root))
		return 2;
	if (json_dump_file(root, argv[i + 2], JSON_INDENT(2) | JSON_SORT_KEYS)) {
		fprintf(stderr, "benchstat: cannot write %s\n", argv[i + 2]);
		return 2;
	}
	json_decref(root);
	free(series);
	return 0;
}
