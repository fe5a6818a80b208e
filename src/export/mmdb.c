/* MaxMind DB writer, from the MaxMind DB File Format Specification 2.0.
 *
 * Keys. A snapshot holds IPv4 as ::ffff:a.b.c.d; the MMDB convention puts
 * IPv4 at ::a.b.c.d (readers start IPv4 lookups after 96 zero bits, the
 * node libmaxminddb calls ipv4_start_node). So IPv4 entries move to ::/96,
 * ::ffff:0:0/96 becomes an alias of that subtree (as the spec describes for
 * MaxMind's own databases; no 6to4 or Teredo alias), and a key at ::/96
 * carries what covers all of IPv4, so an IPv6 prefix around ::/96 that does
 * not cover IPv4 in sighted's sense does not leak into the IPv4 subtree.
 * Entries inside ::/96 that are not IPv4 (deprecated IPv4-compatible
 * addresses) cannot be told apart from IPv4 there and are skipped, counted.
 *
 * Data. A network's record is every snapshot entry covering it (db_cover),
 * most specific first, so where a /32 sits inside a /24 the /32's record
 * carries both, and the rest of the /24 carries the /24 alone: the same
 * answer `sighted check` gives for every address.
 *
 * Streaming. The keys (24 bytes each) are sorted once; then one recursive
 * walk over them, done twice, emits the tree: the first pass counts nodes
 * and data bytes, which fixes the record size and where the data section
 * starts; the second writes. Nodes are numbered in reverse post-order, so
 * the root is node 0 and every node is written after its children, at
 * descending offsets, through a small buffer: memory does not grow with
 * the tree. */
#include "export/export.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/atomic_file.h"
#include "core/limits.h"
#include "export/mmdb_enc.h"
#include "report/report.h"

#define MMDB_SEPARATOR 16
#define MMDB_IOBUF (1u << 20)

enum key_kind { KEY_ENTRY, KEY_V4ROOT, KEY_ALIAS };

struct mkey {
	uint64_t hi, lo; /* in MMDB space: IPv4 under ::/96 */
	uint8_t len;
	uint8_t kind;
};

/* Strings cached at the start of the data section and used by pointer. */
enum skey {
	SK_NETWORK,
	SK_CAMPAIGNS,
	SK_CAMPAIGN,
	SK_FIRST,
	SK_LAST,
	SK_COUNT,
	SK_EVIDENCE,
	SK_CONFIDENCE,
	SK_SIGHTINGS,
	SK_LISTED,
	SK_N
};
static const char *const skey_names[SK_N] = {
    "network", "campaigns", "campaign",	  "first_seen", "last_seen",
    "count",   "evidence",  "confidence", "sightings",	"listed",
};

struct wbuf {
	uint8_t *p;
	size_t n;
	uint64_t off; /* file offset of p[0] (data) or of the end (tree) */
};

struct mm {
	const struct db *db;
	const struct export_opts *o;
	uint64_t keys_done;
	const struct export_filter *f;
	struct mkey *keys;
	size_t nkeys;
	bool write; /* second pass */
	int fd;
	uint64_t node_count, nodes_done, data_size, data_start;
	unsigned record_bits, node_bytes;
	uint64_t v4root;
	/* data cache */
	uint32_t skey_off[SK_N], ev_off[5], conf_off[4], *camp_off;
	uint32_t *camp_seen, gen; /* per-record campaign dedup */
	uint16_t *camps;
	struct mmdb_buf rec;
	struct db_entry hits[SD_MAX_CHECK_HITS];
	struct wbuf tree, data;
	int rc;
	struct sd_error *err;
};

static bool in_v4compat(uint64_t hi, uint64_t lo, unsigned len)
{
	return hi == 0 && lo >> 32 == 0 && len >= 96;
}

static int key_cmp(const void *a, const void *b)
{
	const struct mkey *x = a, *y = b;
	if (x->hi != y->hi)
		return x->hi < y->hi ? -1 : 1;
	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return (int)x->len - (int)y->len;
}

static unsigned key_bit(const struct mkey *k, unsigned d)
{
	return d < 64 ? (unsigned)(k->hi >> (63 - d)) & 1
		      : (unsigned)(k->lo >> (127 - d)) & 1;
}

/* The snapshot prefix a key stands for (what db_cover is asked). */
static void key_orig(const struct mkey *k, struct net_prefix *p)
{
	uint64_t lo = k->lo;
	if (in_v4compat(k->hi, k->lo, k->len))
		lo |= 0xffffull << 32;
	net_addr_from_u64(&p->addr, k->hi, lo);
	p->len = k->len;
}

struct collect {
	struct mm *m;
	size_t cap;
	struct export_stats *st;
};

static int push_key(struct mm *m, size_t *cap, uint64_t hi, uint64_t lo, uint8_t len,
		    uint8_t kind)
{
	if (m->nkeys == *cap) {
		size_t nc = *cap ? *cap * 2 : 1024;
		struct mkey *k = realloc(m->keys, nc * sizeof(*k));
		if (!k)
			return sd_error_set(m->err, SD_ENOMEM,
					    "out of memory collecting %zu keys",
					    m->nkeys);
		m->keys = k;
		*cap = nc;
	}
	m->keys[m->nkeys++] = (struct mkey){hi, lo, len, kind};
	return 0;
}

static int collect_one(const struct db_entry *e, void *p)
{
	struct collect *c = p;
	export_progress(c->m->o, "mmdb: reading keys",
			c->st->entries + c->st->filtered + c->st->skipped,
			db_entry_count(c->m->db));
	uint64_t hi = net_addr_hi(&e->prefix.addr), lo = net_addr_lo(&e->prefix.addr);
	if (!export_entry_passes(c->m->db, c->m->f, e)) {
		c->st->filtered++;
		return 0;
	}
	if (in_v4compat(hi, lo, e->prefix.len)) {
		c->st->skipped++;
		return 0;
	}
	if (net_prefix_is_v4(&e->prefix))
		lo &= 0xffffffffull;
	c->st->entries++;
	return push_key(c->m, &c->cap, hi, lo, e->prefix.len, KEY_ENTRY);
}

/* ---- data records ---- */

static void ptr_array_bits(struct mm *m, unsigned bits, unsigned nbits,
			   const uint32_t *offs)
{
	unsigned n = 0;
	for (unsigned i = 0; i < nbits; i++)
		n += (bits >> i) & 1;
	mmdb_ctrl(&m->rec, MMDB_T_ARRAY, n);
	for (unsigned i = 0; i < nbits; i++)
		if (bits >> i & 1)
			mmdb_pointer(&m->rec, offs[i]);
}

static void put_network(struct mm *m, const struct net_prefix *p)
{
	char buf[NET_PREFIX_STRLEN];
	/* as `sighted check` writes it: a bare address for a host */
	size_t n = report_format_prefix(p, buf, sizeof(buf));
	mmdb_string(&m->rec, buf, n);
}

static void put_times(struct mm *m, uint32_t first, uint32_t last, uint32_t count)
{
	if (first) {
		mmdb_pointer(&m->rec, m->skey_off[SK_FIRST]);
		mmdb_uint(&m->rec, MMDB_T_UINT32, first);
	}
	if (last) {
		mmdb_pointer(&m->rec, m->skey_off[SK_LAST]);
		mmdb_uint(&m->rec, MMDB_T_UINT32, last);
	}
	mmdb_pointer(&m->rec, m->skey_off[SK_COUNT]);
	mmdb_uint(&m->rec, MMDB_T_UINT32, count);
}

/* Encodes the record for prefix p into m->rec; false if nothing passes. */
static bool encode_record(struct mm *m, const struct net_prefix *p)
{
	size_t nh = db_cover(m->db, p, m->hits, SD_MAX_CHECK_HITS);
	uint32_t first = 0, last = 0, nsight = 0;
	uint64_t count = 0;
	unsigned ev = 0, conf = 0;
	const struct db_entry *top = NULL;
	/* campaigns in order of first appearance, without repeats */
	uint16_t *camps = m->camps;
	unsigned ncamps = 0;
	m->gen++;
	for (size_t h = 0; h < nh; h++) {
		const struct db_entry *e = &m->hits[h];
		for (uint32_t i = 0; i < e->nsightings; i++) {
			struct db_sighting s;
			db_entry_sighting(m->db, e, i, &s);
			if (!export_sighting_passes(m->f, &s))
				continue;
			if (!top)
				top = e;
			nsight++;
			if (s.first_seen && (!first || s.first_seen < first))
				first = s.first_seen;
			if (s.last_seen > last)
				last = s.last_seen;
			count += s.count;
			ev |= s.evidence;
			if (s.confidence > conf)
				conf = s.confidence;
			if (m->camp_seen[s.campaign] != m->gen) {
				m->camp_seen[s.campaign] = m->gen;
				camps[ncamps++] = s.campaign;
			}
		}
	}
	m->rec.n = 0;
	if (!nsight)
		return false;
	struct mmdb_buf *b = &m->rec;
	mmdb_ctrl(b, MMDB_T_MAP, 7 + (first != 0) + (last != 0));
	/* a flag nginx/Apache rules can test without parsing the rest */
	mmdb_pointer(b, m->skey_off[SK_LISTED]);
	mmdb_bool(b, true);
	mmdb_pointer(b, m->skey_off[SK_NETWORK]);
	put_network(m, &top->prefix);
	mmdb_pointer(b, m->skey_off[SK_CAMPAIGNS]);
	mmdb_ctrl(b, MMDB_T_ARRAY, ncamps);
	for (unsigned k = 0; k < ncamps; k++)
		mmdb_pointer(b, m->camp_off[camps[k]]);
	put_times(m, first, last, count > UINT32_MAX ? UINT32_MAX : (uint32_t)count);
	mmdb_pointer(b, m->skey_off[SK_EVIDENCE]);
	ptr_array_bits(m, ev, 5, m->ev_off);
	mmdb_pointer(b, m->skey_off[SK_CONFIDENCE]);
	mmdb_pointer(b, m->conf_off[conf & 3]);
	mmdb_pointer(b, m->skey_off[SK_SIGHTINGS]);
	mmdb_ctrl(b, MMDB_T_ARRAY, nsight);
	for (size_t h = 0; h < nh; h++) {
		const struct db_entry *e = &m->hits[h];
		for (uint32_t i = 0; i < e->nsightings; i++) {
			struct db_sighting s;
			db_entry_sighting(m->db, e, i, &s);
			if (!export_sighting_passes(m->f, &s))
				continue;
			mmdb_ctrl(b, MMDB_T_MAP,
				  5 + (s.first_seen != 0) + (s.last_seen != 0));
			mmdb_pointer(b, m->skey_off[SK_NETWORK]);
			put_network(m, &e->prefix);
			mmdb_pointer(b, m->skey_off[SK_CAMPAIGN]);
			mmdb_pointer(b, m->camp_off[s.campaign]);
			put_times(m, s.first_seen, s.last_seen, s.count);
			mmdb_pointer(b, m->skey_off[SK_EVIDENCE]);
			ptr_array_bits(m, s.evidence, 5, m->ev_off);
			mmdb_pointer(b, m->skey_off[SK_CONFIDENCE]);
			mmdb_pointer(b, m->conf_off[s.confidence & 3]);
		}
	}
	return true;
}

/* ---- buffered output ---- */

static int flush_data(struct mm *m)
{
	struct wbuf *w = &m->data;
	if (!m->rc && w->n && pwrite(m->fd, w->p, w->n, (off_t)w->off) != (ssize_t)w->n)
		m->rc = sd_error_errno(m->err, errno, "writing the MMDB data section");
	w->off += w->n;
	w->n = 0;
	return m->rc;
}

static void data_append(struct mm *m, const uint8_t *p, size_t n)
{
	while (n && !m->rc) {
		size_t k = MMDB_IOBUF - m->data.n;
		if (k > n)
			k = n;
		memcpy(m->data.p + m->data.n, p, k);
		m->data.n += k;
		p += k;
		n -= k;
		if (m->data.n == MMDB_IOBUF)
			flush_data(m);
	}
}

/* The tree buffer fills downwards: nodes arrive in descending id order. */
static int flush_tree(struct mm *m)
{
	struct wbuf *w = &m->tree;
	size_t used = MMDB_IOBUF - w->n;
	if (!m->rc && used &&
	    pwrite(m->fd, w->p + w->n, used, (off_t)(w->off - used)) != (ssize_t)used)
		m->rc = sd_error_errno(m->err, errno, "writing the MMDB search tree");
	w->off -= used;
	w->n = MMDB_IOBUF;
	return m->rc;
}

static void put_node(struct mm *m, uint64_t left, uint64_t right)
{
	uint8_t n[8];
	switch (m->record_bits) {
	case 24:
		n[0] = (uint8_t)(left >> 16);
		n[1] = (uint8_t)(left >> 8);
		n[2] = (uint8_t)left;
		n[3] = (uint8_t)(right >> 16);
		n[4] = (uint8_t)(right >> 8);
		n[5] = (uint8_t)right;
		break;
	case 28:
		n[0] = (uint8_t)(left >> 16);
		n[1] = (uint8_t)(left >> 8);
		n[2] = (uint8_t)left;
		n[3] = (uint8_t)((left >> 24 & 0xf) << 4 | (right >> 24 & 0xf));
		n[4] = (uint8_t)(right >> 16);
		n[5] = (uint8_t)(right >> 8);
		n[6] = (uint8_t)right;
		break;
	default:
		for (int i = 0; i < 4; i++) {
			n[i] = (uint8_t)(left >> (24 - 8 * i));
			n[4 + i] = (uint8_t)(right >> (24 - 8 * i));
		}
	}
	if (m->tree.n < m->node_bytes)
		flush_tree(m);
	m->tree.n -= m->node_bytes;
	memcpy(m->tree.p + m->tree.n, n, m->node_bytes);
}

/* ---- the walk ---- */

/* Record value for key k's data, or "empty" (node_count). */
static uint64_t key_value(struct mm *m, const struct mkey *k)
{
	struct net_prefix p;
	export_progress(m->o, m->write ? "mmdb: pass 2 of 2" : "mmdb: pass 1 of 2",
			m->keys_done++, m->nkeys);
	key_orig(k, &p);
	if (!encode_record(m, &p))
		return m->node_count;
	if (m->rec.oom) {
		if (!m->rc)
			m->rc = sd_error_set(m->err, SD_ENOMEM,
					     "out of memory encoding a record");
		return m->node_count;
	}
	uint64_t off = m->data_size;
	m->data_size += m->rec.n;
	if (m->write)
		data_append(m, m->rec.p, m->rec.n);
	return m->node_count + MMDB_SEPARATOR + off;
}

/* Record value for the region of depth d holding keys [a, b), all inside
 * it; inherit is the value of the nearest key above. */
static uint64_t walk(struct mm *m, unsigned d, size_t a, size_t b, uint64_t inherit)
{
	if (a == b)
		return inherit;
	const struct mkey *k = &m->keys[a];
	bool v4region = d == 96 && k->hi == 0 && k->lo >> 32 == 0;
	if (k->len == d) {
		if (k->kind == KEY_ALIAS)
			return m->v4root;
		inherit = key_value(m, k);
		a++;
	}
	uint64_t v;
	if (a == b) {
		v = inherit;
	} else {
		/* [a, b) now holds only keys longer than d: split on bit d */
		size_t lo = a, hi = b;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (key_bit(&m->keys[mid], d))
				hi = mid;
			else
				lo = mid + 1;
		}
		uint64_t left = walk(m, d + 1, a, lo, inherit);
		uint64_t right = walk(m, d + 1, lo, b, inherit);
		v = m->node_count - 1 - m->nodes_done++;
		if (m->write)
			put_node(m, left, right);
	}
	if (v4region) {
		m->v4root = v;
	}
	return v;
}

/* ---- the file ---- */

static void cache_strings(struct mm *m, struct mmdb_buf *c)
{
	for (int i = 0; i < SK_N; i++) {
		m->skey_off[i] = (uint32_t)c->n;
		mmdb_cstring(c, skey_names[i]);
	}
	for (unsigned i = 0; i < 5; i++) {
		m->ev_off[i] = (uint32_t)c->n;
		mmdb_cstring(c, db_evidence_name(1u << i));
	}
	for (unsigned i = 0; i < 4; i++) {
		m->conf_off[i] = (uint32_t)c->n;
		mmdb_cstring(c, db_confidence_name(i));
	}
	for (uint32_t i = 0; i < db_campaign_count(m->db); i++) {
		struct db_campaign dc;
		db_campaign_get(m->db, i, &dc);
		m->camp_off[i] = (uint32_t)c->n;
		mmdb_cstring(c, dc.name);
	}
}

static void metadata(struct mm *m, struct mmdb_buf *b, uint64_t build_time)
{
	static const uint8_t marker[] = "\xab\xcd\xefMaxMind.com";
	mmdb_put(b, marker, sizeof(marker) - 1);
	mmdb_ctrl(b, MMDB_T_MAP, 9);
	mmdb_cstring(b, "binary_format_major_version");
	mmdb_uint(b, MMDB_T_UINT16, 2);
	mmdb_cstring(b, "binary_format_minor_version");
	mmdb_uint(b, MMDB_T_UINT16, 0);
	mmdb_cstring(b, "build_epoch");
	mmdb_uint(b, MMDB_T_UINT64, build_time);
	mmdb_cstring(b, "database_type");
	mmdb_cstring(b, "sighted-impacted");
	mmdb_cstring(b, "description");
	mmdb_ctrl(b, MMDB_T_MAP, 1);
	mmdb_cstring(b, "en");
	mmdb_cstring(b, "Addresses sighted talking to supply-chain campaign "
			"infrastructure (sighted export)");
	mmdb_cstring(b, "ip_version");
	mmdb_uint(b, MMDB_T_UINT16, 6);
	mmdb_cstring(b, "languages");
	mmdb_ctrl(b, MMDB_T_ARRAY, 1);
	mmdb_cstring(b, "en");
	mmdb_cstring(b, "node_count");
	mmdb_uint(b, MMDB_T_UINT32, m->node_count);
	mmdb_cstring(b, "record_size");
	mmdb_uint(b, MMDB_T_UINT16, m->record_bits);
}

static int run_pass(struct mm *m, const struct mmdb_buf *cache)
{
	m->nodes_done = 0;
	m->keys_done = 0;
	m->data_size = cache->n;
	if (m->write)
		data_append(m, cache->p, cache->n);
	uint64_t root = walk(m, 0, 0, m->nkeys, m->node_count);
	if (m->rc)
		return m->rc;
	/* the ::/96 key makes the root a node, so it is always node 0 */
	if (m->write && (root != 0 || m->nodes_done != m->node_count))
		return sd_error_set(m->err, SD_ECORRUPT,
				    "MMDB tree walk inconsistent (%llu of %llu nodes)",
				    (unsigned long long)m->nodes_done,
				    (unsigned long long)m->node_count);
	return 0;
}

int export_mmdb(const struct db *db, const struct export_opts *o, const char *path,
		struct export_stats *st, struct sd_error *err)
{
	struct mm m = {.db = db, .o = o, .f = &o->filter, .err = err, .fd = -1};
	struct sd_atomic_file af = {0};
	struct mmdb_buf cache = {0}, meta = {0};
	struct collect c = {.m = &m, .st = st};
	int rc;
	memset(st, 0, sizeof(*st));
	m.camp_off = calloc(db_campaign_count(db) + 1, sizeof(uint32_t));
	m.camp_seen = calloc(db_campaign_count(db) + 1, sizeof(uint32_t));
	m.camps = calloc(db_campaign_count(db) + 1, sizeof(uint16_t));
	if (!m.camp_off || !m.camp_seen || !m.camps) {
		rc = sd_error_set(err, SD_ENOMEM, "out of memory");
		goto out;
	}
	/* sized once: growing by doubling would copy, and leave up to twice
	 * the memory in use at the peak */
	c.cap = db_entry_count(db) + 2;
	m.keys = malloc(c.cap * sizeof(*m.keys));
	if (!m.keys) {
		rc = sd_error_set(err, SD_ENOMEM, "out of memory for %zu keys", c.cap);
		goto out;
	}
	if ((rc = db_foreach(db, collect_one, &c)))
		goto out;
	if ((rc = push_key(&m, &c.cap, 0, 0, 96, KEY_V4ROOT)) ||
	    (rc = push_key(&m, &c.cap, 0, 0xffffull << 32, 96, KEY_ALIAS)))
		goto out;
	qsort(m.keys, m.nkeys, sizeof(*m.keys), key_cmp);
	/* 0.0.0.0/0 lands on the ::/96 key with the same meaning: keep one */
	size_t w = 0;
	for (size_t i = 0; i < m.nkeys; i++)
		if (!w || key_cmp(&m.keys[w - 1], &m.keys[i]))
			m.keys[w++] = m.keys[i];
	m.nkeys = w;
	cache_strings(&m, &cache);
	if (cache.oom) {
		rc = sd_error_set(err, SD_ENOMEM, "out of memory");
		goto out;
	}

	/* pass 1: count; node_count is a placeholder here, values unused */
	m.node_count = 0;
	if ((rc = run_pass(&m, &cache)))
		goto out;
	m.node_count = m.nodes_done;
	uint64_t data_size = m.data_size;
	uint64_t maxval = m.node_count + MMDB_SEPARATOR + data_size;
	m.record_bits = maxval < (1ull << 24)		   ? 24
			: maxval < (1ull << 28)		   ? 28
			: maxval <= EXPORT_MMDB_MAX_RECORD ? 32
							   : 0;
	if (m.record_bits && o->mmdb_record_bits > m.record_bits)
		m.record_bits = o->mmdb_record_bits == 28 ? 28 : 32;
	if (!m.record_bits) {
		rc = sd_error_set(err, SD_ELIMIT,
				  "MMDB too large: %llu nodes and %llu data bytes exceed "
				  "32-bit records (EXPORT_MMDB_MAX_RECORD)",
				  (unsigned long long)m.node_count,
				  (unsigned long long)data_size);
		goto out;
	}
	m.node_bytes = m.record_bits / 4;
	uint64_t tree_size = m.node_count * m.node_bytes;
	m.data_start = tree_size + MMDB_SEPARATOR;

	if ((rc = sd_atomic_open(&af, path, err)))
		goto out;
	m.fd = af.fd; /* written by offset (pwrite) */
	m.tree.p = malloc(MMDB_IOBUF);
	m.data.p = malloc(MMDB_IOBUF);
	if (!m.tree.p || !m.data.p) {
		rc = sd_error_set(err, SD_ENOMEM, "out of memory");
		goto out;
	}
	m.tree.n = MMDB_IOBUF;
	m.tree.off = tree_size;
	m.data.off = m.data_start;
	m.write = true;
	if ((rc = run_pass(&m, &cache)) || (rc = flush_data(&m)) || (rc = flush_tree(&m)))
		goto out;
	if (m.data_size != data_size) {
		rc = sd_error_set(err, SD_ECORRUPT,
				  "MMDB data size changed between passes");
		goto out;
	}
	static const uint8_t zeros[MMDB_SEPARATOR];
	metadata(&m, &meta, o->build_time);
	if (meta.oom) {
		rc = sd_error_set(err, SD_ENOMEM, "out of memory");
		goto out;
	}
	if (pwrite(m.fd, zeros, sizeof(zeros), (off_t)tree_size) != sizeof(zeros) ||
	    pwrite(m.fd, meta.p, meta.n, (off_t)(m.data_start + data_size)) !=
		(ssize_t)meta.n) {
		rc = sd_error_errno(err, errno, "writing %s", path);
		goto out;
	}
	/* the stream position is unused: every byte went out by offset */
	if ((rc = sd_atomic_commit(&af, err)))
		goto out;
	st->bytes = m.data_start + data_size + meta.n;
out:
	if (rc)
		sd_atomic_abort(&af);
	free(m.keys);
	free(m.camp_off);
	free(m.camp_seen);
	free(m.camps);
	free(m.tree.p);
	free(m.data.p);
	mmdb_buf_free(&m.rec);
	mmdb_buf_free(&cache);
	mmdb_buf_free(&meta);
	return rc;
}
