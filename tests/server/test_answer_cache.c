/* server/answer_cache: an answer is reused only when its status, headers
 * and body bytes all equal the kept one's; what varies by request is never
 * kept; a replaced or cleared answer is given up. */
#include "testutil.h"

#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

#include "server/answer_cache.h"

static struct srv_response answer(int status, const char *body)
{
	return (struct srv_response){.status = status,
				     .type = "application/json",
				     .body = (char *)body,
				     .len = strlen(body),
				     .body_static = true};
}

/* builds m from rs as http.c does and keeps it */
static struct MHD_Response *keep(struct srv_answer_cache *c,
				 const struct srv_response *rs)
{
	uint64_t hash;
	assert_null(srv_answer_cache_find(c, rs, &hash));
	struct MHD_Response *m =
	    MHD_create_response_from_buffer(rs->len, rs->body, MHD_RESPMEM_PERSISTENT);
	assert_non_null(m);
	srv_answer_cache_put(c, m, hash, rs->body, rs->len, rs);
	return m;
}

static void test_same_answer_reused(void **state)
{
	(void)state;
	struct srv_answer_cache *c = calloc(1, sizeof(*c));
	struct srv_response a = answer(200, "{\"listed\":false}");
	struct MHD_Response *m = keep(c, &a);
	/* equal bytes in another buffer */
	char copy[] = "{\"listed\":false}";
	struct srv_response b = answer(200, copy);
	uint64_t hash;
	assert_ptr_equal(srv_answer_cache_find(c, &b, &hash), m);
	srv_answer_cache_clear(c);
	assert_null(srv_answer_cache_find(c, &b, &hash));
	free(c);
}

static void test_any_difference_misses(void **state)
{
	(void)state;
	struct srv_answer_cache *c = calloc(1, sizeof(*c));
	struct srv_response a = answer(200, "{\"listed\":false}");
	keep(c, &a);
	uint64_t hash;
	struct srv_response b = answer(200, "{\"listed\":falsE}");
	assert_null(srv_answer_cache_find(c, &b, &hash));
	b = answer(404, "{\"listed\":false}");
	assert_null(srv_answer_cache_find(c, &b, &hash));
	b = answer(200, "{\"listed\":false}");
	b.type = "text/plain";
	assert_null(srv_answer_cache_find(c, &b, &hash));
	b = answer(200, "{\"listed\":false}");
	b.close = true;
	assert_null(srv_answer_cache_find(c, &b, &hash));
	b = answer(200, "{\"listed\":false}");
	b.cacheable = true;
	assert_null(srv_answer_cache_find(c, &b, &hash));
	b = answer(200, "{\"listed\":false} ");
	assert_null(srv_answer_cache_find(c, &b, &hash));
	srv_answer_cache_clear(c);
	free(c);
}

static void test_varying_headers_never_kept(void **state)
{
	(void)state;
	struct srv_response a = answer(429, "{}");
	assert_true(srv_answer_reusable(&a));
	a.retry_after = 3;
	assert_false(srv_answer_reusable(&a));
	a = answer(405, "{}");
	a.allow = "GET, HEAD";
	assert_false(srv_answer_reusable(&a));
	a = answer(401, "{}");
	a.www_authenticate = true;
	assert_false(srv_answer_reusable(&a));
	static char big[SRV_ANSWER_CACHE_MAX_BODY + 2];
	memset(big, 'x', sizeof(big) - 1);
	a = answer(200, big);
	assert_false(srv_answer_reusable(&a));
	a.len = SRV_ANSWER_CACHE_MAX_BODY;
	assert_true(srv_answer_reusable(&a));
	a = answer(200, "{}");
	a.stream_read = (ssize_t(*)(void *, char *, size_t))1;
	assert_false(srv_answer_reusable(&a));
}

/* More answers than slots: each kept answer replaces the one in its slot
 * (given up, so nothing leaks under ASan), and every answer still found is
 * the right one. */
static void test_replaced_answers_given_up(void **state)
{
	(void)state;
	struct srv_answer_cache *c = calloc(1, sizeof(*c));
	enum { N = 4 * SRV_ANSWER_CACHE_SLOTS };
	static char bodies[N][32];
	struct MHD_Response *made[N];
	for (int i = 0; i < N; i++) {
		snprintf(bodies[i], sizeof(bodies[i]), "{\"n\":%d}", i);
		struct srv_response a = answer(200, bodies[i]);
		made[i] = keep(c, &a);
	}
	int found = 0;
	for (int i = 0; i < N; i++) {
		struct srv_response a = answer(200, bodies[i]);
		uint64_t hash;
		struct MHD_Response *m = srv_answer_cache_find(c, &a, &hash);
		if (m) {
			assert_ptr_equal(m, made[i]);
			found++;
		}
	}
	assert_true(found > 0 && found <= SRV_ANSWER_CACHE_SLOTS);
	srv_answer_cache_clear(c);
	free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_same_answer_reused),
	    cmocka_unit_test(test_any_difference_misses),
	    cmocka_unit_test(test_varying_headers_never_kept),
	    cmocka_unit_test(test_replaced_answers_given_up),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
