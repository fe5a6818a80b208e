/* Client address behind proxies, the access policy, token files and the
 * rate limiter, each rule on its own. */
#include "testutil.h"

#include "server/policy.h"
#include "server/proxy.h"
#include "server/ratelimit.h"
#include "server/tokens.h"

static struct net_addr addr(const char *s)
{
	struct net_addr a;
	if (net_addr_parse(s, strlen(s), &a, NULL))
		fail_msg("bad test address %s", s);
	return a;
}

static struct net_prefix pfx(const char *s)
{
	struct net_prefix p;
	if (net_prefix_parse(s, strlen(s), &p, 0, NULL))
		fail_msg("bad test prefix %s", s);
	return p;
}

static const char *client(const char *peer, const char *xff)
{
	static char buf[NET_ADDR_STRLEN];
	struct net_prefix t[2] = {pfx("10.0.0.0/8"), pfx("2001:db8:ffff::/48")};
	struct srv_trust trust = {t, 2};
	struct net_addr p = addr(peer), out;
	const char *why = NULL;
	if (srv_client_addr(&p, xff, xff ? strlen(xff) : 0, &trust, &out, &why) != 0) {
		assert_non_null(why);
		return "refused";
	}
	net_addr_format(&out, buf, sizeof(buf));
	return buf;
}

static void test_forwarded_for(void **state)
{
	(void)state;
	assert_string_equal(client("192.0.2.1", "203.0.113.5"), "192.0.2.1");
	assert_string_equal(client("10.1.1.1", NULL), "10.1.1.1");
	assert_string_equal(client("10.1.1.1", "203.0.113.5"), "203.0.113.5");
	assert_string_equal(client("10.1.1.1", "1.1.1.1, 203.0.113.5, 10.2.2.2"), "203.0.113.5");
	assert_string_equal(client("10.1.1.1", " 10.3.3.3 ,10.2.2.2 "), "10.3.3.3");
	/* a walked hop that is not an address refuses the request */
	assert_string_equal(client("10.1.1.1", "203.0.113.5, not-an-ip"), "refused");
	assert_string_equal(client("10.1.1.1", "203.0.113.5,,10.2.2.2"), "refused");
	/* hops left of the client are never read */
	assert_string_equal(client("10.1.1.1", "junk, 203.0.113.5, 10.2.2.2"), "203.0.113.5");
	/* an untrusted peer's header is ignored whatever it holds */
	assert_string_equal(client("192.0.2.1", "junk"), "192.0.2.1");
	assert_string_equal(client("2001:db8:ffff::1", "2001:db8::7"), "2001:db8::7");
	assert_string_equal(client("10.1.1.1", ""), "10.1.1.1");
	/* padding past the limit is refused, never cut: the hop the proxy
	 * appended on the right must not fall off */
	char big[SRV_MAX_XFF + 64];
	memset(big, '1', sizeof(big));
	size_t at = SRV_MAX_XFF - 8;
	memcpy(big + at, ",10.0.0.5,203.0.113.9", 22);
	assert_string_equal(client("10.1.1.1", big), "refused");
	big[SRV_MAX_XFF - 30] = 0;
	memcpy(big, "203.0.113.9,", 12);
	assert_string_equal(client("10.1.1.1", big + 12), "refused"); /* 111... not an address */
	/* up to SRV_MAX_XFF_HOPS (32) trusted hops are walked past, more
	 * are refused (the client's own entry is not a hop) */
	char many[SRV_MAX_XFF];
	for (int trusted = SRV_MAX_XFF_HOPS; trusted <= SRV_MAX_XFF_HOPS + 1; trusted++) {
		size_t n = (size_t)snprintf(many, sizeof(many), "203.0.113.5");
		for (int i = 0; i < trusted; i++)
			n += (size_t)snprintf(many + n, sizeof(many) - n, ",10.0.0.%d", i + 1);
		assert_string_equal(client("10.1.1.1", many),
				    trusted == SRV_MAX_XFF_HOPS ? "203.0.113.5" : "refused");
	}
	/* all trusted: the leftmost is the client, after 32 hops walked past */
	size_t n = 0;
	for (int i = 0; i <= SRV_MAX_XFF_HOPS; i++)
		n += (size_t)snprintf(many + n, sizeof(many) - n, "%s10.0.0.%d", i ? "," : "", i + 1);
	assert_string_equal(client("10.1.1.1", many), "10.0.0.1");
	n += (size_t)snprintf(many + n, sizeof(many) - n, ",10.0.0.99");
	assert_string_equal(client("10.1.1.1", many), "refused");
}

static bool allowed(enum srv_policy_mode mode, const char *who, const struct srv_token *tok,
		    const char *q, const char **code)
{
	struct srv_policy p = {mode, REPORT_VERDICT};
	struct net_addr c = addr(who);
	struct net_prefix qp = pfx(q);
	enum report_detail d;
	struct srv_denial why = {0};
	bool ok = srv_policy_check(&p, &c, tok, &qp, &d, &why);
	*code = ok ? (d == REPORT_FULL ? "full" : "verdict") : why.code;
	return ok;
}

static void test_policy_rules(void **state)
{
	(void)state;
	const char *code;
	struct srv_token tok = {.nscope = 1};
	tok.scope[0] = pfx("192.0.2.0/24");
	assert_true(allowed(SRV_POLICY_SELF, "198.51.100.1", NULL, "198.51.100.1", &code));
	assert_string_equal(code, "verdict");
	assert_false(allowed(SRV_POLICY_SELF, "198.51.100.1", NULL, "198.51.100.2", &code));
	assert_string_equal(code, "self_only");
	assert_true(allowed(SRV_POLICY_OPEN, "198.51.100.1", NULL, "198.51.100.2", &code));
	assert_false(allowed(SRV_POLICY_OPEN, "198.51.100.1", NULL, "198.51.100.0/24", &code));
	assert_string_equal(code, "token_required");
	assert_true(allowed(SRV_POLICY_SELF, "198.51.100.1", &tok, "192.0.2.0/25", &code));
	assert_string_equal(code, "full");
	assert_false(allowed(SRV_POLICY_OPEN, "198.51.100.1", &tok, "192.0.0.0/16", &code));
	assert_string_equal(code, "out_of_scope");
	assert_true(allowed(SRV_POLICY_SELF, "198.51.100.1", &tok, "198.51.100.1", &code));
}

static void test_tokens_file(void **state)
{
	(void)state;
	uint8_t h[32];
	char hex[72], text[512];
	srv_token_hash("correct horse battery staple", 28, h);
	srv_token_hash_hex(h, hex);
	snprintf(text, sizeof(text), "# comment\n\n%s name=a scope=192.0.2.0/24 rate=2 burst=3 bulk=7\r\n", hex);
	struct srv_tokens *t;
	struct sd_error err = {0};
	assert_int_equal(srv_tokens_parse(text, strlen(text), "t", &t, &err), 0);
	assert_int_equal(t->n, 1);
	const struct srv_token *k = srv_tokens_find(t, "correct horse battery staple", 28);
	assert_non_null(k);
	assert_string_equal(k->name, "a");
	assert_int_equal(k->bulk, 7);
	assert_null(srv_tokens_find(t, "correct horse battery stapl", 27));
	srv_ref_put(&t->ref);

	static const struct {
		const char *line, *why;
	} bad[] = {
		{"sha256:00 name=a scope=192.0.2.0/24", "t:1: expected sha256"},
		{"HASH name=a", "t:1: a token needs scope"},
		{"HASH scope=192.0.2.0/24", "t:1: a token needs name"},
		{"HASH name=a scope=192.0.2.1/24", "t:1: "},
		{"HASH name=a scope=192.0.2.0/24 rate=-1", "t:1: rate must be"},
		{"HASH name=a scope=192.0.2.0/24 bulk=10001", "t:1: bulk must be"},
		{"HASH name=a scope=192.0.2.0/24 colour=red", "t:1: unknown key"},
		{"HASH name=a scope=192.0.2.0/24,", "t:1: empty scope prefix"},
		{"HASH name=a scope=192.0.2.0/24\nHASH name=b scope=198.51.100.0/24", "twice"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char line[512];
		const char *s = bad[i].line;
		size_t o = 0;
		while (*s && o < sizeof(line) - 80) {
			if (!strncmp(s, "HASH", 4)) {
				memcpy(line + o, hex, 71);
				o += 71;
				s += 4;
			} else {
				line[o++] = *s++;
			}
		}
		line[o] = 0;
		sd_error_clear(&err);
		if (srv_tokens_parse(line, o, "t", &t, &err) == 0)
			fail_msg("accepted: %s", line);
		if (!strstr(err.msg, bad[i].why))
			fail_msg("'%s': message '%s' lacks '%s'", line, err.msg, bad[i].why);
	}
}

static void test_token_generate(void **state)
{
	(void)state;
	char a[44], b[44];
	assert_int_equal(srv_token_generate(a, NULL), 0);
	assert_int_equal(srv_token_generate(b, NULL), 0);
	assert_int_equal(strlen(a), 43);
	assert_int_equal(strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), 43);
	assert_string_not_equal(a, b);
}

static void test_ratelimit_bucket(void **state)
{
	(void)state;
	struct srv_ratelimit *rl = srv_ratelimit_new();
	struct srv_rate_key k, k2;
	struct net_addr a = addr("192.0.2.1"), b = addr("192.0.2.2");
	srv_rate_key_addr(&a, &k);
	srv_rate_key_addr(&b, &k2);
	unsigned retry = 0;
	uint64_t t = 1000000;
	for (int i = 0; i < 3; i++)
		assert_true(srv_ratelimit_take(rl, &k, 0.5, 3, 1, t, &retry));
	assert_false(srv_ratelimit_take(rl, &k, 0.5, 3, 1, t, &retry));
	assert_int_equal(retry, 2); /* one token at 0.5/s */
	/* refusals cost nothing (docs/server.md): Retry-After stays exact */
	for (int i = 0; i < 100; i++)
		assert_false(srv_ratelimit_take(rl, &k, 0.5, 3, 1, t, &retry));
	assert_int_equal(retry, 2);
	assert_true(srv_ratelimit_take(rl, &k2, 0.5, 3, 1, t, &retry));
	assert_true(srv_ratelimit_take(rl, &k, 0.5, 3, 1, t + 2000, &retry));
	/* an IPv6 /64 is one client */
	struct net_addr c = addr("2001:db8::1"), d = addr("2001:db8::ffff:1");
	srv_rate_key_addr(&c, &k);
	srv_rate_key_addr(&d, &k2);
	assert_true(srv_ratelimit_take(rl, &k, 1, 1, 1, t, &retry));
	assert_false(srv_ratelimit_take(rl, &k2, 1, 1, 1, t, &retry));
	srv_ratelimit_free(rl);
}

static void test_ratelimit_bounded(void **state)
{
	(void)state;
	/* far more clients than slots: the table never grows, every call
	 * answers, and a client seen just now keeps its (empty) bucket */
	struct srv_ratelimit *rl = srv_ratelimit_new();
	unsigned retry;
	struct srv_rate_key k;
	for (uint32_t i = 0; i < 4 * SRV_RATE_SLOTS; i++) {
		struct net_addr a;
		net_addr_from_v4(&a, 0x0a000000u + i);
		srv_rate_key_addr(&a, &k);
		srv_ratelimit_take(rl, &k, 1, 1, 1, 1000 + i, &retry);
	}
	struct net_addr last;
	net_addr_from_v4(&last, 0x0a000000u + 4 * SRV_RATE_SLOTS - 1);
	srv_rate_key_addr(&last, &k);
	assert_false(srv_ratelimit_take(rl, &k, 1, 1, 1, 1000 + 4 * SRV_RATE_SLOTS, &retry));
	srv_ratelimit_free(rl);
}

/* Keys pushed out of their window by others must not come back with a
 * full bucket (audit stop 19: nine addresses sharing a window got 90 of
 * 90 requests through at 1 per 100 s). Four times more addresses than
 * slots, each allowed one request per 1000 s: a second round at the same
 * instant lets none through, whichever windows the random seed makes them
 * share. */
static void test_ratelimit_evicted_not_refilled(void **state)
{
	(void)state;
	struct srv_ratelimit *rl = srv_ratelimit_new();
	unsigned retry;
	struct srv_rate_key k;
	const uint32_t n = 4 * SRV_RATE_SLOTS;
	const uint64_t t = 5000;
	size_t first = 0, second = 0;
	for (int round = 0; round < 2; round++)
		for (uint32_t i = 0; i < n; i++) {
			struct net_addr a;
			net_addr_from_v4(&a, 0x0a000000u + i);
			srv_rate_key_addr(&a, &k);
			if (srv_ratelimit_take(rl, &k, 0.001, 1, 1, t, &retry))
				*(round ? &second : &first) += 1;
		}
	assert_true(first > 0);
	assert_true(first <= SRV_RATE_SLOTS); /* newcomers start empty once full */
	assert_int_equal(second, 0);
	/* once every bucket would be full again, a new address gets a full one */
	struct net_addr late;
	net_addr_from_v4(&late, 0x0b000001u);
	srv_rate_key_addr(&late, &k);
	assert_true(srv_ratelimit_take(rl, &k, 0.001, 1, 1, t + 1000 * 1000, &retry));
	srv_ratelimit_free(rl);
}

static void token_key(uint32_t i, struct srv_rate_key *k)
{
	uint8_t h[32];
	srv_token_hash((const char *)&i, sizeof(i), h);
	srv_rate_key_token(h, k);
}

/* A token's bucket, and the debt a bulk request left in it, stay whatever
 * else comes: a flood of addresses and every other token of a full file. */
static void test_ratelimit_tokens_never_evicted(void **state)
{
	(void)state;
	struct srv_ratelimit *rl = srv_ratelimit_new();
	unsigned retry;
	struct srv_rate_key k;
	const uint64_t t = 5000;
	for (uint32_t i = 0; i < SRV_MAX_TOKENS; i++) {
		token_key(i, &k);
		assert_true(srv_ratelimit_take(rl, &k, 0.001, 10, 1, t, &retry));
		srv_ratelimit_charge(rl, &k, 0.001, 10, 100, t); /* bulk debt */
	}
	for (uint32_t i = 0; i < 4 * SRV_RATE_SLOTS; i++) {
		struct net_addr a;
		net_addr_from_v4(&a, 0x0a000000u + i);
		struct srv_rate_key ka;
		srv_rate_key_addr(&a, &ka);
		srv_ratelimit_take(rl, &ka, 1, 1, 1, t, &retry);
	}
	for (uint32_t i = 0; i < SRV_MAX_TOKENS; i++) {
		token_key(i, &k);
		if (srv_ratelimit_take(rl, &k, 0.001, 10, 1, t + 1, &retry))
			fail_msg("token %u: its debt was forgotten", i);
		assert_true(retry > 90000); /* 91 tokens owed at 0.001/s */
	}
	srv_ratelimit_free(rl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forwarded_for),
		cmocka_unit_test(test_policy_rules),
		cmocka_unit_test(test_tokens_file),
		cmocka_unit_test(test_token_generate),
		cmocka_unit_test(test_ratelimit_bucket),
		cmocka_unit_test(test_ratelimit_bounded),
		cmocka_unit_test(test_ratelimit_evicted_not_refilled),
		cmocka_unit_test(test_ratelimit_tokens_never_evicted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
