/* Shared by the loader tests: load one file and collect its reports. */
#ifndef SD_TESTS_INDICATORS_LOADUTIL_H
#define SD_TESTS_INDICATORS_LOADUTIL_H

#include "indicators/indicators.h"
#include "indicators/load.h"

struct reports {
	int n;
	char last[1024];
	int by_kind[5]; /* malformed, hash, unsupported, shared, filtered */
};

static inline void collect_report(void *ctx, const char *where,
				  const char *kind, const char *why)
{
	static const char *const kinds[] = {"malformed", "hash", "unsupported",
					    "shared", "filtered"};
	struct reports *r = ctx;
	r->n++;
	snprintf(r->last, sizeof(r->last), "%s: %s: %s", where, kind, why);
	for (int i = 0; i < 5; i++)
		if (!strcmp(kind, kinds[i]))
			r->by_kind[i]++;
}

/* Loads path (under tests/data) into a compiled set. */
static inline struct ind_set *load(const char *name, struct ind_load_opts *o,
				   struct reports *r)
{
	struct ind_set *s = ind_set_new();
	assert_non_null(s);
	o->report = collect_report;
	o->report_ctx = r;
	struct sd_error e = {0};
	if (ind_load_file(s, test_data(name), o, &e))
		fail_msg("load %s: %s", name, e.msg);
	assert_int_equal(ind_set_compile(s, &e), 0);
	return s;
}

static inline bool has_value(const struct ind_set *s, enum ind_kind k,
			     const char *v)
{
	for (size_t i = 0; i < ind_set_size(s); i++)
		if (ind_set_at(s, i)->kind == k && !strcmp(ind_set_at(s, i)->value, v))
			return true;
	return false;
}

/* Loads a buffer with the given loader. */
static inline struct ind_set *load_buf(
	int (*fn)(struct ind_set *, const char *, size_t, const char *,
		  const struct ind_load_opts *, struct sd_error *),
	const char *text, struct ind_load_opts *o, struct reports *r, int *rc)
{
	struct ind_set *s = ind_set_new();
	assert_non_null(s);
	o->report = collect_report;
	o->report_ctx = r;
	struct sd_error e = {0};
	*rc = fn(s, text, strlen(text), "buf", o, &e);
	ind_set_compile(s, &e);
	return s;
}

#endif
