/* Snapshot lookup benchmark: sighted's .sdb against libmaxminddb over an
 * MMDB of the same entries, and a plain sorted array, in one process.
 *
 *   db_lookup emit --family 4|6 --entries N [--seed S] [--limit K]
 *       prints the first K (default N) entries as TSV for bench/mkmmdb.pl
 *   db_lookup run --family 4|6 --entries N [--seed S] [--probes P]
 *       [--reps R] [--dir D] [--mmdb F --mmdb-entries K --mmdb-build-s T
 *       --mmdb-rss-mb M --mmdb-writer W] [--mmdb2 ... the same for a second
 *       MMDB of the same entries, from another writer: a cross-check]
 *       builds D/set.sdb, probes P addresses (half listed, half not, in
 *       random order) with every method, checks that every answer agrees
 *       with the generated truth, and prints medians of R repetitions.
 *   db_lookup build --family 4|6 --entries N [--seed S] [--dir D]
 *       only writes D/set.sdb (for `sighted export --format mmdb`).
 *
 * Entries are a pure function of (seed, i), so `emit` and `run` agree
 * without sharing a file: IPv4 keys are a bijection of i (all distinct),
 * IPv6 keys random in 2000::/3. When the MMDB holds only the first K
 * entries (the Perl writer is slow and large for big sets), probes are
 * checked against that subset and the output says so. */
#include <arpa/inet.h>
#include <errno.h>
#include <maxminddb.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "db/builder.h"
#include "db/db.h"

static const char *const campaign_names[2] = {"3cx-2023", "gopuram-2023"};

struct entry {
	uint64_t hi, lo; /* IPv4: lo holds the 32-bit address, hi 0 */
	uint32_t first, last, count;
	unsigned campaign;
};

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}

/* An invertible 32-bit mix (xorshift and odd multiply steps), so distinct
 * i give distinct keys. */
static uint32_t perm32(uint32_t x, uint32_t seed)
{
	x += seed * 0x9e3779b9u;
	x ^= x >> 16;
	x *= 0x7feb352du;
	x ^= x >> 15;
	x *= 0x846ca68bu;
	x ^= x >> 16;
	return x;
}

static void make_entry(int family, uint64_t seed, uint64_t i, struct entry *e)
{
	uint64_t r = mix64(seed * 0x100000001b3ull + i + 1);
	if (family == 4) {
		e->hi = 0;
		e->lo = perm32((uint32_t)i, (uint32_t)seed);
	} else {
		uint64_t h = mix64(r ^ 0x6a09e667f3bcc909ull);
		e->hi = (h & ~(7ull << 61)) | (1ull << 61); /* 2000::/3 */
		e->lo = mix64(h ^ r);
	}
	e->first = 1672531200u + (uint32_t)(r % (365u * 86400u));
	e->last = e->first + (uint32_t)((r >> 32) % (30u * 86400u));
	e->count = 1 + (uint32_t)((r >> 20) % 1000u);
	e->campaign = (unsigned)(i & 1);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Time this thread ran: the lookups are timed with it, so that other jobs
 * on a shared machine taking the CPU away do not count (they still share
 * the caches). On a quiet machine it equals the wall time. */
static double cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p) {
		fprintf(stderr, "db_lookup: out of memory (%zu bytes)\n", n);
		exit(2);
	}
	return p;
}

/* ---- sorted array baseline ------------------------------------------- */

struct key6 {
	uint64_t hi, lo;
};

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

static int cmp_k6(const void *a, const void *b)
{
	const struct key6 *x = a, *y = b;
	if (x->hi != y->hi)
		return x->hi < y->hi ? -1 : 1;
	return (x->lo > y->lo) - (x->lo < y->lo);
}

/* Branch-free lower bound: the textbook fast binary search. */
static bool sa_has4(const uint32_t *k, size_t n, uint32_t key)
{
	if (!n)
		return false;
	const uint32_t *base = k;
	size_t len = n;
	while (len > 1) {
		size_t half = len / 2;
		base = base[half - 1] < key ? base + half : base;
		len -= half;
	}
	return *base == key;
}

static bool sa_has6(const struct key6 *k, size_t n, struct key6 key)
{
	if (!n)
		return false;
	const struct key6 *base = k;
	size_t len = n;
	while (len > 1) {
		size_t half = len / 2;
		const struct key6 *m = &base[half - 1];
		bool less = m->hi < key.hi || (m->hi == key.hi && m->lo < key.lo);
		base = less ? base + half : base;
		len -= half;
	}
	return base->hi == key.hi && base->lo == key.lo;
}

/* ---- options ---------------------------------------------------------- */

/* An MMDB of (a subset of) the set, and how it was written. */
struct mmdb_opt {
	const char *path, *writer;
	uint64_t entries;
	double build_s, rss_mb;
};

struct opts {
	const char *mode;
	int family;
	uint64_t entries, seed, probes, limit;
	unsigned reps;
	const char *dir;
	struct mmdb_opt mm[2]; /* the baseline, and a cross-check */
};

static uint64_t parse_count(const char *s)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || v < 0) {
		fprintf(stderr, "db_lookup: bad number '%s'\n", s);
		exit(2);
	}
	if (*end == 'k' || *end == 'K')
		v *= 1e3, end++;
	else if (*end == 'M' || *end == 'm')
		v *= 1e6, end++;
	if (*end) {
		fprintf(stderr, "db_lookup: bad number '%s'\n", s);
		exit(2);
	}
	return (uint64_t)v;
}

static void usage(void)
{
	fputs("usage: db_lookup emit|run|build --family 4|6 --entries N [--seed S] "
	      "[--limit K] [--probes P] [--reps R] [--dir D]\n"
	      "       [--mmdb FILE --mmdb-entries K --mmdb-build-s SECONDS "
	      "--mmdb-rss-mb MB --mmdb-writer NAME]\n"
	      "       [--mmdb2 FILE --mmdb2-entries K ... the same for a "
	      "cross-check MMDB]\n",
	      stderr);
	exit(2);
}

static void parse_opts(int argc, char **argv, struct opts *o)
{
	*o = (struct opts){
	    .family = 4, .seed = 1, .probes = 10000000, .reps = 3, .dir = "."};
	if (argc < 2)
		usage();
	o->mode = argv[1];
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];
		if (i + 1 >= argc)
			usage();
		const char *v = argv[++i];
		if (!strcmp(a, "--family"))
			o->family = atoi(v);
		else if (!strcmp(a, "--entries"))
			o->entries = parse_count(v);
		else if (!strcmp(a, "--seed"))
			o->seed = parse_count(v);
		else if (!strcmp(a, "--limit"))
			o->limit = parse_count(v);
		else if (!strcmp(a, "--probes"))
			o->probes = parse_count(v);
		else if (!strcmp(a, "--reps"))
			o->reps = (unsigned)parse_count(v);
		else if (!strcmp(a, "--dir"))
			o->dir = v;
		else if (!strncmp(a, "--mmdb", 6)) {
			/* --mmdb[2][-FIELD] */
			const char *f = a + 6;
			struct mmdb_opt *mm = &o->mm[*f == '2'];
			if (*f == '2')
				f++;
			if (!*f)
				mm->path = v;
			else if (!strcmp(f, "-entries"))
				mm->entries = parse_count(v);
			else if (!strcmp(f, "-build-s"))
				mm->build_s = strtod(v, NULL);
			else if (!strcmp(f, "-rss-mb"))
				mm->rss_mb = strtod(v, NULL);
			else if (!strcmp(f, "-writer"))
				mm->writer = v;
			else
				usage();
		} else
			usage();
	}
	if ((o->family != 4 && o->family != 6) || !o->entries || !o->reps ||
	    (o->family == 4 && o->entries > (1ull << 32)))
		usage();
}

/* ---- emit ------------------------------------------------------------- */

static int do_emit(const struct opts *o)
{
	uint64_t n = o->limit && o->limit < o->entries ? o->limit : o->entries;
	static char buf[1 << 16];
	setvbuf(stdout, buf, _IOFBF, sizeof(buf));
	for (uint64_t i = 0; i < n; i++) {
		struct entry e;
		make_entry(o->family, o->seed, i, &e);
		char a[INET6_ADDRSTRLEN];
		if (o->family == 4) {
			uint32_t be = htonl((uint32_t)e.lo);
			inet_ntop(AF_INET, &be, a, sizeof(a));
		} else {
			unsigned char b[16];
			for (int k = 0; k < 8; k++) {
				b[k] = (unsigned char)(e.hi >> (56 - 8 * k));
				b[8 + k] = (unsigned char)(e.lo >> (56 - 8 * k));
			}
			inet_ntop(AF_INET6, b, a, sizeof(a));
		}
		printf("%s\t%u\t%u\t%u\t%s\n", a, e.first, e.last, e.count,
		       campaign_names[e.campaign]);
	}
	return fflush(stdout) ? 1 : 0;
}

/* ---- run -------------------------------------------------------------- */

/* 28 bytes, not sockaddr_storage's 128: the probe arrays are streamed */
union probe_sa {
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
};

struct probes {
	size_t n;
	struct net_addr *addr;
	struct net_prefix *host;
	union probe_sa *sa;
	uint32_t *k4;
	struct key6 *k6;
	int64_t *truth; /* entry index, or -1 */
};

static void entry_addr(int family, const struct entry *e, struct net_addr *a)
{
	if (family == 4)
		net_addr_from_v4(a, (uint32_t)e->lo);
	else
		net_addr_from_u64(a, e->hi, e->lo);
}

static void make_probes(const struct opts *o, const uint32_t *sk4, const struct key6 *sk6,
			struct probes *p)
{
	size_t n = p->n = o->probes;
	p->addr = xmalloc(n * sizeof(*p->addr));
	p->host = xmalloc(n * sizeof(*p->host));
	p->sa = xmalloc(n * sizeof(*p->sa));
	p->truth = xmalloc(n * sizeof(*p->truth));
	p->k4 = o->family == 4 ? xmalloc(n * sizeof(*p->k4)) : NULL;
	p->k6 = o->family == 6 ? xmalloc(n * sizeof(*p->k6)) : NULL;
	uint64_t r = mix64(o->seed ^ 0xa5a5a5a5ull);
	for (size_t j = 0; j < n; j++) {
		struct entry e;
		if (j % 2 == 0) {
			r = mix64(r);
			p->truth[j] = (int64_t)(r % o->entries);
			make_entry(o->family, o->seed, (uint64_t)p->truth[j], &e);
		} else {
			/* an address that is not listed */
			p->truth[j] = -1;
			for (;;) {
				r = mix64(r);
				uint64_t r2 = mix64(r + 1);
				if (o->family == 4) {
					e.hi = 0;
					e.lo = (uint32_t)r;
					if (!sa_has4(sk4, o->entries, (uint32_t)r))
						break;
				} else {
					e.hi = (r & ~(7ull << 61)) | (1ull << 61);
					e.lo = r2;
					struct key6 k = {e.hi, e.lo};
					if (!sa_has6(sk6, o->entries, k))
						break;
				}
			}
		}
		if (o->family == 4)
			p->k4[j] = (uint32_t)e.lo;
		else
			p->k6[j] = (struct key6){e.hi, e.lo};
	}
	/* random order, so neither kind of probe comes in runs */
	for (size_t j = n; j > 1; j--) {
		r = mix64(r);
		size_t k = (size_t)(r % j);
		int64_t t = p->truth[j - 1];
		p->truth[j - 1] = p->truth[k];
		p->truth[k] = t;
		if (o->family == 4) {
			uint32_t x = p->k4[j - 1];
			p->k4[j - 1] = p->k4[k];
			p->k4[k] = x;
		} else {
			struct key6 x = p->k6[j - 1];
			p->k6[j - 1] = p->k6[k];
			p->k6[k] = x;
		}
	}
	for (size_t j = 0; j < n; j++) {
		struct entry e = {0};
		memset(&p->sa[j], 0, sizeof(p->sa[j]));
		if (o->family == 4) {
			e.lo = p->k4[j];
			struct sockaddr_in *s = &p->sa[j].in;
			s->sin_family = AF_INET;
			s->sin_addr.s_addr = htonl(p->k4[j]);
		} else {
			e.hi = p->k6[j].hi;
			e.lo = p->k6[j].lo;
			struct sockaddr_in6 *s = &p->sa[j].in6;
			s->sin6_family = AF_INET6;
			for (int k = 0; k < 8; k++) {
				s->sin6_addr.s6_addr[k] = (uint8_t)(e.hi >> (56 - 8 * k));
				s->sin6_addr.s6_addr[8 + k] =
				    (uint8_t)(e.lo >> (56 - 8 * k));
			}
		}
		entry_addr(o->family, &e, &p->addr[j]);
		net_prefix_host(&p->host[j], &p->addr[j]);
	}
}

static int build_sdb(const struct opts *o, const char *path, double *add_s,
		     double *write_s)
{
	struct sd_error err = {0};
	double t0 = now_s();
	struct db_builder *b = db_builder_new();
	if (!b)
		return 1;
	uint16_t cid[2];
	for (int c = 0; c < 2; c++) {
		struct db_campaign_meta m = {.name = campaign_names[c],
					     .title = campaign_names[c]};
		if (db_builder_campaign(b, &m, &cid[c], &err))
			goto fail;
	}
	const char *src = "bench";
	uint32_t set;
	if (db_builder_sourceset(b, &src, 1, &set, &err))
		goto fail;
	for (uint64_t i = 0; i < o->entries; i++) {
		struct entry e;
		make_entry(o->family, o->seed, i, &e);
		struct net_prefix p;
		entry_addr(o->family, &e, &p.addr);
		p.len = 128;
		struct db_sighting s = {.first_seen = e.first,
					.last_seen = e.last,
					.count = e.count,
					.campaign = cid[e.campaign],
					.evidence = DB_EV_LIST,
					.confidence = DB_CONF_MEDIUM,
					.sources = set};
		if (db_builder_add(b, &p, &s, &err))
			goto fail;
	}
	double t1 = now_s();
	if (db_builder_write(b, path, 1700000000u, &err))
		goto fail;
	double t2 = now_s();
	db_builder_free(b);
	*add_s = t1 - t0;
	*write_s = t2 - t1;
	return 0;
fail:
	fprintf(stderr, "db_lookup: building %s: %s\n", path, err.msg);
	db_builder_free(b);
	return 1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, unsigned n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

enum method {
	M_CONTAINS,
	M_COPY_4K,
	M_COPY_HUGE,
	M_BATCH,
	M_COVER,
	M_SORTED,
	M_MMDB,
	M_MMDB2,
	M_COUNT
};

static const char *const method_names[M_COUNT] = {
    "sighted db_contains, file mapping",
    "  the same, private copy, 4K pages",
    "  the same, DB_OPEN_HUGE_PAGES",
    "sighted db_contains_batch",
    "sighted db_cover",
    "sorted array, binary search",
    "libmaxminddb MMDB_lookup_sockaddr",
    "  the same, cross-check MMDB",
};

struct ctx {
	const struct opts *o;
	struct db *db;
	struct db *copy[2]; /* 4K pages, DB_OPEN_HUGE_PAGES */
	MMDB_s *mmdb[2];    /* the baseline, the cross-check */
	const uint32_t *sk4;
	const struct key6 *sk6;
	const struct probes *p;
	/* answers of the last run of each method: 0 not found, else 1 +
	 * entry count (or 1 where the method gives no count) */
	uint32_t *ans[M_COUNT];
	uint64_t mmdb_errors;
};

#define BATCH 1024 /* addresses per db_contains_batch call */

static void run_method(struct ctx *c, enum method m)
{
	const struct probes *p = c->p;
	uint32_t *ans = c->ans[m];
	switch (m) {
	case M_CONTAINS:
		for (size_t j = 0; j < p->n; j++)
			ans[j] = db_contains(c->db, &p->addr[j]);
		break;
	case M_COPY_4K:
	case M_COPY_HUGE:
		for (size_t j = 0; j < p->n; j++)
			ans[j] = db_contains(c->copy[m == M_COPY_HUGE], &p->addr[j]);
		break;
	case M_BATCH: {
		bool out[BATCH];
		for (size_t j = 0; j < p->n; j += BATCH) {
			size_t k = p->n - j < BATCH ? p->n - j : BATCH;
			db_contains_batch(c->db, &p->addr[j], k, out);
			for (size_t i = 0; i < k; i++)
				ans[j + i] = out[i];
		}
		break;
	}
	case M_COVER:
		for (size_t j = 0; j < p->n; j++) {
			struct db_entry e[4];
			size_t n = db_cover(c->db, &p->host[j], e, 4);
			ans[j] = n ? 1 + e[0].count : 0;
		}
		break;
	case M_SORTED:
		if (c->o->family == 4)
			for (size_t j = 0; j < p->n; j++)
				ans[j] = sa_has4(c->sk4, c->o->entries, p->k4[j]);
		else
			for (size_t j = 0; j < p->n; j++)
				ans[j] = sa_has6(c->sk6, c->o->entries, p->k6[j]);
		break;
	case M_MMDB:
	case M_MMDB2:
		for (size_t j = 0; j < p->n; j++) {
			int mmerr;
			MMDB_lookup_result_s r = MMDB_lookup_sockaddr(
			    c->mmdb[m == M_MMDB2], &p->sa[j].sa, &mmerr);
			if (mmerr != MMDB_SUCCESS)
				c->mmdb_errors++;
			ans[j] = r.found_entry;
		}
		break;
	case M_COUNT:
		break;
	}
}

/* Every answer against the generated truth: found or not for all methods,
 * the entry's count for db_cover and (outside the timed runs) for every
 * libmaxminddb hit. Returns the number of disagreements. */
static uint64_t verify(struct ctx *c, bool have[M_COUNT])
{
	const struct probes *p = c->p;
	uint64_t bad = 0;
	for (size_t j = 0; j < p->n; j++) {
		struct entry e = {0};
		bool listed = p->truth[j] >= 0;
		if (listed)
			make_entry(c->o->family, c->o->seed, (uint64_t)p->truth[j], &e);
		for (int m = 0; m < M_COUNT; m++) {
			if (!have[m])
				continue;
			uint32_t want = listed;
			if (m == M_COVER && listed)
				want = 1 + e.count;
			if (m == M_MMDB || m == M_MMDB2)
				want = listed && (uint64_t)p->truth[j] <
						     c->o->mm[m == M_MMDB2].entries;
			if (c->ans[m][j] != want) {
				if (bad < 5)
					fprintf(stderr,
						"db_lookup: probe %zu: %s answers %u, "
						"expected %u\n",
						j, method_names[m], c->ans[m][j], want);
				bad++;
			}
		}
		for (int k = 0; k < 2; k++) {
			enum method m = k ? M_MMDB2 : M_MMDB;
			if (!have[m] || !c->ans[m][j])
				continue;
			int mmerr;
			MMDB_lookup_result_s r =
			    MMDB_lookup_sockaddr(c->mmdb[k], &p->sa[j].sa, &mmerr);
			MMDB_entry_data_s d;
			if (MMDB_get_value(&r.entry, &d, "count", NULL) != MMDB_SUCCESS ||
			    !d.has_data || d.type != MMDB_DATA_TYPE_UINT32 ||
			    d.uint32 != e.count) {
				if (bad < 5)
					fprintf(
					    stderr,
					    "db_lookup: probe %zu: %s count disagrees\n",
					    j, c->o->mm[k].path);
				bad++;
			}
		}
	}
	return bad;
}

static off_t file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? st.st_size : -1;
}

static void fmt_count(uint64_t n, char *buf, size_t size)
{
	if (n >= 1000000 && n % 1000000 == 0)
		snprintf(buf, size, "%lluM", (unsigned long long)(n / 1000000));
	else if (n >= 1000 && n % 1000 == 0)
		snprintf(buf, size, "%lluk", (unsigned long long)(n / 1000));
	else
		snprintf(buf, size, "%llu", (unsigned long long)n);
}

/* The file in fresh anonymous memory in 4K pages: what a lookup costs
 * when neither the page cache nor DB_OPEN_HUGE_PAGES gives 2 MB pages. */
static void *read_copy(const char *path, size_t size)
{
	char *m =
	    mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return NULL;
	madvise(m, size, MADV_NOHUGEPAGE);
	FILE *f = fopen(path, "rb");
	if (!f || fread(m, 1, size, f) != size) {
		if (f)
			fclose(f);
		return NULL;
	}
	fclose(f);
	return m;
}

/* kB of the mapping holding addr (or, if addr is NULL, named path) that
 * are mapped with 2 MB pages, from /proc/self/smaps; -1 if unknown. */
static long huge_kb(const void *addr, const char *path)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	if (!f)
		return -1;
	char line[4096];
	bool in = false;
	long kb = -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		char name[4096] = "";
		int k = sscanf(line, "%lx-%lx %*s %*s %*s %*s %4095s", &lo, &hi, name);
		if (k >= 2 && strchr(line, '-') < strchr(line, ' ')) {
			in = addr ? (uintptr_t)addr >= lo && (uintptr_t)addr < hi
				  : k == 3 && !strcmp(name, path);
			continue;
		}
		long v;
		if (in && (sscanf(line, "AnonHugePages: %ld", &v) == 1 ||
			   sscanf(line, "FilePmdMapped: %ld", &v) == 1))
			kb = (kb < 0 ? 0 : kb) + v;
	}
	fclose(f);
	return kb;
}

/* kB of this process's anonymous memory in 2 MB pages. */
static long anon_huge_kb(void)
{
	FILE *f = fopen("/proc/self/smaps_rollup", "r");
	char line[256];
	long kb = 0, v;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "AnonHugePages: %ld", &v) == 1)
			kb = v;
	if (f)
		fclose(f);
	return kb;
}

static void sdb_path(const struct opts *o, char *path, size_t size, char *setname,
		     size_t setsize)
{
	fmt_count(o->entries, setname, setsize);
	snprintf(path, size, "%s/ipv%d-%s.sdb", o->dir, o->family, setname);
}

static int do_build(const struct opts *o)
{
	char setname[32], path[4096];
	double add_s, write_s;
	sdb_path(o, path, sizeof(path), setname, sizeof(setname));
	if (build_sdb(o, path, &add_s, &write_s))
		return 1;
	printf("%s\n", path);
	return 0;
}

static int do_run(const struct opts *o)
{
	char setname[32], path[4096];
	sdb_path(o, path, sizeof(path), setname, sizeof(setname));

	/* the baseline's keys */
	uint32_t *sk4 = NULL;
	struct key6 *sk6 = NULL;
	if (o->family == 4) {
		sk4 = xmalloc(o->entries * sizeof(*sk4));
		for (uint64_t i = 0; i < o->entries; i++) {
			struct entry e;
			make_entry(4, o->seed, i, &e);
			sk4[i] = (uint32_t)e.lo;
		}
		qsort(sk4, o->entries, sizeof(*sk4), cmp_u32);
	} else {
		sk6 = xmalloc(o->entries * sizeof(*sk6));
		for (uint64_t i = 0; i < o->entries; i++) {
			struct entry e;
			make_entry(6, o->seed, i, &e);
			sk6[i] = (struct key6){e.hi, e.lo};
		}
		qsort(sk6, o->entries, sizeof(*sk6), cmp_k6);
		for (uint64_t i = 1; i < o->entries; i++)
			if (!cmp_k6(&sk6[i - 1], &sk6[i])) {
				fprintf(stderr, "db_lookup: duplicate IPv6 key\n");
				return 1;
			}
	}

	double add_s, write_s;
	if (build_sdb(o, path, &add_s, &write_s))
		return 1;
	struct db *db;
	struct sd_error err = {0};
	double t0 = now_s();
	if (db_open(path, &db, &err)) {
		fprintf(stderr, "db_lookup: %s\n", err.msg);
		return 1;
	}
	double open_s = now_s() - t0;
	if (db_entry_count(db) != o->entries) {
		fprintf(stderr, "db_lookup: %s has %llu entries, expected %llu\n", path,
			(unsigned long long)db_entry_count(db),
			(unsigned long long)o->entries);
		return 1;
	}

	off_t fsize = file_size(path);
	void *copy4k = read_copy(path, (size_t)fsize);
	struct db *copydb[2];
	if (!copy4k || db_open_buffer(copy4k, (size_t)fsize, &copydb[0], &err)) {
		fprintf(stderr, "db_lookup: copy of %s: %s\n", path,
			copy4k ? err.msg : "cannot read");
		return 1;
	}
	long anon_huge = anon_huge_kb();
	t0 = now_s();
	if (db_open_flags(path, DB_OPEN_HUGE_PAGES, &copydb[1], &err)) {
		fprintf(stderr, "db_lookup: %s\n", err.msg);
		return 1;
	}
	double open_huge_s = now_s() - t0;
	anon_huge = anon_huge_kb() - anon_huge;

	MMDB_s mmdb[2];
	bool have[M_COUNT] = {true, true, true, true, true, true, false, false};
	for (int k = 0; k < 2; k++) {
		if (!o->mm[k].path)
			continue;
		int rc = MMDB_open(o->mm[k].path, MMDB_MODE_MMAP, &mmdb[k]);
		if (rc != MMDB_SUCCESS) {
			fprintf(stderr, "db_lookup: %s: %s\n", o->mm[k].path,
				MMDB_strerror(rc));
			return 1;
		}
		have[k ? M_MMDB2 : M_MMDB] = true;
	}

	struct probes p;
	make_probes(o, sk4, sk6, &p);
	struct ctx c = {.o = o,
			.db = db,
			.copy = {copydb[0], copydb[1]},
			.mmdb = {&mmdb[0], &mmdb[1]},
			.sk4 = sk4,
			.sk6 = sk6,
			.p = &p};
	for (int m = 0; m < M_COUNT; m++)
		c.ans[m] = xmalloc(p.n * sizeof(uint32_t));

	double secs[M_COUNT][16];
	unsigned reps = o->reps > 16 ? 16 : o->reps;
	/* interleave the methods in each repetition so that a burst of load
	 * from elsewhere on the machine does not land on one method only */
	for (unsigned r = 0; r < reps; r++)
		for (int m = 0; m < M_COUNT; m++) {
			if (!have[m])
				continue;
			double s = cpu_s();
			run_method(&c, (enum method)m);
			secs[m][r] = cpu_s() - s;
		}
	uint64_t bad = verify(&c, have) + c.mmdb_errors;

	double med[M_COUNT] = {0};
	for (int m = 0; m < M_COUNT; m++)
		if (have[m])
			med[m] = median(secs[m], reps);

	char mmset[2][32] = {"-", "-"};
	for (int k = 0; k < 2; k++)
		if (o->mm[k].path)
			fmt_count(o->mm[k].entries, mmset[k], sizeof(mmset[k]));
	printf("\n== %s random IPv%d entries (seed %llu): %zu probes, half listed, "
	       "random order, single thread, median of %u, "
	       "thread CPU time ==\n",
	       setname, o->family, (unsigned long long)o->seed, p.n, reps);
	for (int k = 0; k < 2; k++) {
		if (!o->mm[k].path)
			continue;
		printf("   %s MMDB: %s entries, written by %s",
		       k ? "cross-check" : "baseline", mmset[k],
		       o->mm[k].writer ? o->mm[k].writer : "?");
		if (o->mm[k].entries < o->entries)
			printf(" (only the first %s of these entries: a smaller tree, "
			       "so libmaxminddb's figure is flattered; probes are "
			       "checked against that subset)",
			       mmset[k]);
		printf("\n");
	}
	printf("   %-50s %14s %10s %12s\n", "method", "lookups/s", "ns/lookup", "x mmdb");
	for (int m = 0; m < M_COUNT; m++) {
		if (!have[m])
			continue;
		double rate = (double)p.n / med[m];
		char ratio[32] = "-";
		if (have[M_MMDB])
			snprintf(ratio, sizeof(ratio), "%.1fx", med[M_MMDB] / med[m]);
		char name[96];
		if (m == M_MMDB || m == M_MMDB2)
			snprintf(name, sizeof(name), "%s (%s, %s)", method_names[m],
				 o->mm[m == M_MMDB2].writer ? o->mm[m == M_MMDB2].writer
							    : "?",
				 mmset[m == M_MMDB2]);
		else
			snprintf(name, sizeof(name), "%s", method_names[m]);
		printf("   %-50s %14.0f %10.1f %12s\n", name, rate,
		       med[m] * 1e9 / (double)p.n, ratio);
	}
	off_t sdb_size = file_size(path);
	off_t mm_size[2] = {-1, -1};
	printf("   size:   sighted %.1f bytes/entry (%.1f MB)",
	       (double)sdb_size / (double)o->entries, (double)sdb_size / 1e6);
	for (int k = 0; k < 2; k++) {
		if (!o->mm[k].path)
			continue;
		mm_size[k] = file_size(o->mm[k].path);
		printf("; MMDB by %s %.1f bytes/entry (%.1f MB, %s entries)",
		       o->mm[k].writer ? o->mm[k].writer : "?",
		       (double)mm_size[k] / (double)o->mm[k].entries,
		       (double)mm_size[k] / 1e6, mmset[k]);
	}
	printf("\n   pages:  in 2 MB pages: file mapping %ld kB, 4K copy %ld kB, "
	       "DB_OPEN_HUGE_PAGES %ld kB, of %.0f kB",
	       huge_kb(NULL, path), huge_kb(copy4k, NULL), anon_huge,
	       (double)fsize / 1024);
	for (int k = 0; k < 2; k++)
		if (o->mm[k].path)
			printf("; MMDB by %s %ld kB of %.0f kB",
			       o->mm[k].writer ? o->mm[k].writer : "?",
			       huge_kb(NULL, o->mm[k].path), (double)mm_size[k] / 1024);
	printf(" (/proc/self/smaps)");
	printf("\n   build:  sighted %.2f s (adding %.2f s, sort+write %.2f s); "
	       "open+validate: mapping %.3f s, DB_OPEN_HUGE_PAGES %.3f s",
	       add_s + write_s, add_s, write_s, open_s, open_huge_s);
	for (int k = 0; k < 2; k++)
		if (o->mm[k].path)
			printf("; MMDB by %s (%s entries) %.1f s, %.0f MB peak",
			       o->mm[k].writer ? o->mm[k].writer : "?", mmset[k],
			       o->mm[k].build_s, o->mm[k].rss_mb);
	printf("\n   verify: %s: %llu disagreements over %zu probes "
	       "(found/not for every method; count for db_cover and every "
	       "libmaxminddb hit)\n",
	       bad ? "FAILED" : "ok", (unsigned long long)bad, p.n);
	/* one line for bench/db.sh's summary */
	printf("SUMMARY\tIPv%d "
	       "%s\t%.0f\t%.0f\t%.0f\t%.0f\t%.0f\t%.2f\t%.2f\t%.2f\t%.1f\t%s\t%s"
	       "\t%.0f\t%.0f\t%s\t%s\t%s\n",
	       o->family, setname, (double)p.n / med[M_CONTAINS],
	       (double)p.n / med[M_BATCH], (double)p.n / med[M_COVER],
	       (double)p.n / med[M_SORTED],
	       have[M_MMDB] ? (double)p.n / med[M_MMDB] : 0.0,
	       (double)sdb_size / (double)o->entries,
	       o->mm[0].path ? (double)mm_size[0] / (double)o->mm[0].entries : 0.0,
	       add_s + write_s, o->mm[0].build_s, mmset[0], bad ? "FAILED" : "ok",
	       (double)p.n / med[M_COPY_HUGE],
	       have[M_MMDB2] ? (double)p.n / med[M_MMDB2] : 0.0, mmset[1],
	       o->mm[0].writer ? o->mm[0].writer : "-",
	       o->mm[1].writer ? o->mm[1].writer : "-");

	for (int k = 0; k < 2; k++)
		if (o->mm[k].path)
			MMDB_close(&mmdb[k]);
	db_close(db);
	for (int i = 0; i < 2; i++)
		db_close(copydb[i]);
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct opts o;
	parse_opts(argc, argv, &o);
	if (!strcmp(o.mode, "emit"))
		return do_emit(&o);
	if (!strcmp(o.mode, "run"))
		return do_run(&o);
	if (!strcmp(o.mode, "build"))
		return do_build(&o);
	usage();
	return 2;
}
