/* Differential test of the owner index: random registries (IPv4 and IPv6
 * prefixes of every length, wide IPv6 prefixes that contain the IPv4-mapped
 * space, overlapping scopes, AS numbers) written as CSV and read by the real
 * parser, against a naive scan of every scope item. owners_index_match must
 * give exactly the owners whose prefix contains the entry (for an IPv4
 * entry, an IPv4 or IPv4-mapped prefix) or whose AS is the entry's,
 * ascending and without repeats. */
#include "testutil.h"

#include "owners/match.h"

#define ROUNDS 30
#define OWNERS 60
#define PROBES 2000

static uint64_t st = 0x2545f4914f6cdd1dull;
static uint64_t rnd(void)
{
	st ^= st << 13;
	st ^= st >> 7;
	st ^= st << 17;
	return st;
}

/* A random prefix: IPv4 (mapped) of 0..32 bits under 10.0.0.0/8-ish
 * clusters so that scopes overlap, or IPv6 of 0..128 bits. */
static void random_prefix(struct net_prefix *p, bool v4)
{
	memset(p, 0, sizeof(*p));
	if (v4) {
		uint32_t a = (uint32_t)(rnd() % 4) << 24 | (uint32_t)(rnd() & 0xffffff);
		net_addr_from_v4(&p->addr, a);
		p->len = (uint8_t)(96 + rnd() % 33);
	} else {
		uint64_t hi =
		    0x2001000000000000ull | (rnd() % 4) << 32 | (rnd() & 0xffff);
		net_addr_from_u64(&p->addr, hi, rnd() % 2 ? 0 : rnd());
		p->len = (uint8_t)(rnd() % 129);
		if (rnd() % 20 == 0) /* wide: contains the IPv4-mapped space */
			p->len = (uint8_t)(rnd() % 81);
	}
	if (rnd() % 25 == 0 && !v4) { /* ::/0 or ::ffff:0:0/96 and above */
		memset(&p->addr, 0, sizeof(p->addr));
		p->len = (uint8_t)(rnd() % 2 ? 0 : 80);
	}
	net_addr_mask(&p->addr, p->len);
}

static void test_match_equals_naive_scan(void **state)
{
	(void)state;
	char path[512];
	snprintf(path, sizeof(path), "%s/owners.csv", test_tmpdir());
	uint64_t hits = 0;
	for (int round = 0; round < ROUNDS; round++) {
		FILE *fp = fopen(path, "w");
		assert_non_null(fp);
		fputs("owner,name,contacts,scope\n", fp);
		for (int o = 0; o < OWNERS; o++) {
			fprintf(fp, "o%d,Owner %d,noc@o%d.example,", o, o, o);
			int items = 1 + (int)(rnd() % 4);
			for (int k = 0; k < items; k++) {
				char buf[NET_PREFIX_STRLEN];
				if (rnd() % 5 == 0) {
					fprintf(fp, "%sAS%u", k ? " " : "",
						1 + (unsigned)(rnd() % 8));
					continue;
				}
				struct net_prefix p;
				random_prefix(&p, rnd() % 2);
				net_prefix_format(&p, buf, sizeof(buf));
				fprintf(fp, "%s%s", k ? " " : "", buf);
			}
			fputc('\n', fp);
		}
		fclose(fp);
		struct owners_registry *r;
		struct sd_error err = {0};
		if (owners_registry_load(path, 0, &r, &err))
			fail_msg("round %d: %s", round, err.msg);
		assert_int_equal(r->count, OWNERS);
		struct owners_index *ix;
		assert_int_equal(owners_index_build(r, &ix), 0);
		struct owners_set got = {0};
		for (int i = 0; i < PROBES; i++) {
			struct net_prefix q;
			random_prefix(&q, rnd() % 2);
			uint32_t asn = (uint32_t)(rnd() % 10);
			assert_int_equal(owners_index_match(ix, &q, asn, &got), 0);
			bool want[OWNERS] = {0};
			for (size_t k = 0; k < r->nscope; k++) {
				const struct owner_scope *s = &r->scope[k];
				/* an IPv4 entry: IPv4 (or IPv4-mapped) scopes only */
				if (s->asn ? s->asn == asn
					   : net_prefix_contains_prefix(&s->prefix, &q) &&
						 (!net_prefix_is_v4(&q) ||
						  net_prefix_is_v4(&s->prefix)))
					want[s->owner] = true;
			}
			size_t n = 0;
			for (uint32_t o = 0; o < OWNERS; o++) {
				if (!want[o])
					continue;
				if (n >= got.n || got.v[n] != o) {
					char buf[NET_PREFIX_STRLEN];
					net_prefix_format(&q, buf, sizeof(buf));
					fail_msg("round %d: %s AS%u: owner o%u missing "
						 "or out of order",
						 round, buf, asn, o);
				}
				n++;
			}
			assert_int_equal(n, got.n);
			hits += n;
		}
		owners_set_free(&got);
		owners_index_free(ix);
		owners_registry_free(r);
	}
	assert_true(hits > 1000); /* the probes did hit scopes */
}

/* The audit's case: ::/0 and ::/1 are IPv6 scopes and take no IPv4
 * address; 0.0.0.0/0 written either way, and an explicit IPv4-mapped
 * prefix, do. */
static void test_wide_ipv6_scope_takes_no_ipv4(void **state)
{
	(void)state;
	const char *path = test_tmpfile("v6wide.csv");
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("owner,name,contacts,scope\n"
	      "v6all,,a@x.example,::/0\n"
	      "v6half,,a@x.example,::/1\n"
	      "v4x,,a@x.example,192.0.2.0/24\n"
	      "mapped,,a@x.example,::ffff:192.0.2.0/120\n"
	      "all4,,a@x.example,::ffff:0:0/96\n"
	      "all4b,,a@x.example,0.0.0.0/0\n",
	      fp);
	fclose(fp);
	struct owners_registry *r;
	struct sd_error err = {0};
	if (owners_registry_load(path, 0, &r, &err))
		fail_msg("%s", err.msg);
	struct owners_index *ix;
	assert_int_equal(owners_index_build(r, &ix), 0);
	static const struct {
		const char *entry, *owners;
	} cases[] = {
	    {"192.0.2.99", "v4x mapped all4 all4b "},
	    {"198.51.100.42", "all4 all4b "},
	    {"203.0.113.0/24", "all4 all4b "},
	    {"2001:db8::1", "v6all v6half "},
	    {"::/64", "v6all v6half "},
	};
	struct owners_set got = {0};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct net_prefix q;
		const char *why;
		assert_int_equal(
		    net_prefix_parse(cases[i].entry, strlen(cases[i].entry), &q, 0, &why),
		    0);
		assert_int_equal(owners_index_match(ix, &q, 0, &got), 0);
		char names[256] = "";
		for (size_t k = 0; k < got.n; k++) {
			strcat(names, r->owners[got.v[k]].id);
			strcat(names, " ");
		}
		if (strcmp(names, cases[i].owners))
			fail_msg("%s: owners '%s', wanted '%s'", cases[i].entry, names,
				 cases[i].owners);
	}
	owners_set_free(&got);
	owners_index_free(ix);
	owners_registry_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_match_equals_naive_scan),
	    cmocka_unit_test(test_wide_ipv6_scope_takes_no_ipv4),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
