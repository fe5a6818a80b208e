/* Opening an ASN dataset and answering lookups with a one-network cache. */
#include "owners/asn.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "owners/asn_db.h"

/* libmaxminddb looks for its metadata in the last 128 KiB. */
#define MMDB_TAIL (128 * 1024)
static const char mmdb_marker[] = "\xab\xcd\xefMaxMind.com";

static bool looks_like_mmdb(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	struct stat st;
	bool found = false;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		off_t from = st.st_size > MMDB_TAIL ? st.st_size - MMDB_TAIL : 0;
		char *buf = malloc(MMDB_TAIL);
		ssize_t n = buf ? pread(fd, buf, MMDB_TAIL, from) : -1;
		found = n > 0 && memmem(buf, (size_t)n, mmdb_marker,
					sizeof(mmdb_marker) - 1) != NULL;
		free(buf);
	}
	close(fd);
	return found;
}

int asn_db_open(const char *path, long long max_errors, struct asn_db **out,
		struct sd_error *err)
{
	*out = NULL;
	struct asn_db *db = calloc(1, sizeof(*db));
	if (!db || !(db->names = sd_intern_new())) {
		free(db);
		return sd_error_set(err, SD_ENOMEM, "out of memory");
	}
	/* id 0: no AS known */
	static const char zero[5];
	uint32_t id;
	if (sd_intern_put(db->names, zero, sizeof(zero), &id)) {
		asn_db_close(db);
		return sd_error_set(err, SD_ENOMEM, "out of memory");
	}
	int rc = looks_like_mmdb(path) ? asn_mmdb_open(db, path, err)
				       : asn_tsv_load(db, path, max_errors, err);
	if (rc) {
		asn_db_close(db);
		return rc;
	}
	*out = db;
	return 0;
}

void asn_db_close(struct asn_db *db)
{
	if (!db)
		return;
	if (db->is_mmdb)
		MMDB_close(&db->mmdb);
	free(db->ranges);
	sd_intern_free(db->names);
	free(db);
}

static uint32_t tsv_lookup(const struct asn_db *db, const struct net_addr *a,
			   struct net_addr *lo, struct net_addr *hi)
{
	/* the last range starting at or before a */
	size_t l = 0, h = db->nranges;
	while (l < h) {
		size_t m = l + (h - l) / 2;
		if (net_addr_cmp(&db->ranges[m].lo, a) <= 0)
			l = m + 1;
		else
			h = m;
	}
	if (l && net_addr_cmp(a, &db->ranges[l - 1].hi) <= 0) {
		*lo = db->ranges[l - 1].lo;
		*hi = db->ranges[l - 1].hi;
		return db->ranges[l - 1].id;
	}
	/* not announced: the answer is remembered for a alone */
	*lo = *hi = *a;
	return 0;
}

uint32_t asn_db_lookup(struct asn_db *db, const struct net_addr *a)
{
	if (db->cached && net_addr_cmp(&db->cache_lo, a) <= 0 &&
	    net_addr_cmp(a, &db->cache_hi) <= 0)
		return db->cache_id;
	struct net_addr lo, hi;
	uint32_t id =
	    db->is_mmdb ? asn_mmdb_lookup(db, a, &lo, &hi) : tsv_lookup(db, a, &lo, &hi);
	db->cached = true;
	db->cache_lo = lo;
	db->cache_hi = hi;
	db->cache_id = id;
	return id;
}

uint32_t asn_db_number(const struct asn_db *db, uint32_t id)
{
	size_t len;
	const unsigned char *k = sd_intern_get(db->names, id, &len);
	uint32_t v = 0;
	if (k && len >= 4)
		memcpy(&v, k, 4);
	return v;
}

uint32_t asn_db_prefix_number(struct asn_db *db, const struct net_prefix *p)
{
	struct net_addr a = p->addr, last;
	net_prefix_last(p, &last);
	uint32_t number = 0;
	/* range by range (the lookup leaves the range it found in the
	 * cache): one step for an address, more only for a wide entry */
	for (;;) {
		uint32_t n = asn_db_number(db, asn_db_lookup(db, &a));
		if (!n || (number && n != number))
			return 0;
		number = n;
		if (net_addr_cmp(&db->cache_hi, &last) >= 0)
			return number;
		uint64_t hi = net_addr_hi(&db->cache_hi), lo = net_addr_lo(&db->cache_hi);
		net_addr_from_u64(&a, lo == UINT64_MAX ? hi + 1 : hi, lo + 1);
	}
}

const char *asn_db_name(const struct asn_db *db, uint32_t id)
{
	size_t len;
	const char *k = sd_intern_get(db->names, id, &len);
	return k && len > 4 ? k + 4 : "";
}

const char *asn_db_kind(const struct asn_db *db)
{
	return db->is_mmdb ? "mmdb" : "ip2asn";
}
