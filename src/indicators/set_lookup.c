/* Compiling the indicator set into its lookup keys, and matching
 * addresses, names and URLs against them (key layout: set_impl.h). */
#include "indicators/indicators.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "core/intern.h"
#include "indicators/set_impl.h"

static int cmp_posting(const void *a, const void *b)
{
	const struct posting *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->ind < y->ind ? -1 : x->ind > y->ind;
}

static size_t key_bit(const void *k, size_t kl, size_t mask)
{
	return (size_t)(XXH3_64bits(k, kl) >> 32) & mask;
}

/* False when name key k is certainly not in the set (the filter). */
static bool key_maybe(const struct ind_set *set, const void *k, size_t kl)
{
	size_t bit = key_bit(k, kl, set->kbits_mask);
	return set->kbits[bit / 64] & (1ull << (bit % 64));
}

/* True when outer is valid at every time inner is (0 is an open end). */
static bool validity_covers(const struct ind_indicator *outer,
			    const struct ind_indicator *inner)
{
	if (outer->valid_from &&
	    (!inner->valid_from || inner->valid_from < outer->valid_from))
		return false;
	return !outer->valid_until ||
	       (inner->valid_until && inner->valid_until <= outer->valid_until);
}

/* True when a domain indicator equal to the URL's host or a parent of it
 * is valid whenever the URL is: that domain then answers for every record
 * the host key would, and the host key is left out (one hit, not two). A
 * domain valid for less (an older list's evil.com, ended before the URL
 * was seen) must not take the URL's host sightings away. */
static bool domain_covers(const struct ind_set *set, const struct ind_indicator *url)
{
	const char *host = url->host;
	size_t hl = strlen(host);
	char k[IND_MAX_NAME + 2];
	uint32_t id;
	for (size_t off = 0; off < hl;) {
		/* the dedup key of a domain indicator: its kind, its value */
		k[0] = (char)IND_DOMAIN;
		memcpy(k + 1, host + off, hl - off);
		if (sd_intern_find(set->dedup, k, hl - off + 1, &id) == 0 &&
		    id < set->n && set->inds[id].kind == IND_DOMAIN &&
		    validity_covers(&set->inds[id], url))
			return true;
		const char *dot = memchr(host + off, '.', hl - off);
		if (!dot)
			break;
		off = (size_t)(dot - host) + 1;
	}
	return false;
}

int ind_set_compile(struct ind_set *set, struct sd_error *err)
{
	if (set->compiled)
		return 0;
	struct posting *ps = malloc((set->n * 2 + 1) * sizeof(*ps));
	if (!ps)
		return sd_error_set(err, SD_ENOMEM, "out of memory");
	size_t np = 0;
	bool lens[129] = {false};
	int rc = 0;
	/* two passes: URLs last, so that a URL host already covered by a
	 * domain indicator is not indexed a second time as a host */
	for (int pass = 0; pass < 2 && !rc; pass++)
		for (size_t i = 0; i < set->n && !rc; i++) {
			const struct ind_indicator *d = &set->inds[i];
			if ((d->kind == IND_URL) != (pass == 1))
				continue;
			unsigned char k[IND_MAX_NAME + 2];
			size_t kl = 0;
			uint32_t id;
			if (d->kind == IND_ADDR || d->kind == IND_PREFIX) {
				kl = addr_key(k, &d->prefix.addr, d->prefix.len);
				lens[d->prefix.len] = true;
			} else if (d->kind == IND_DOMAIN) {
				k[0] = 'D';
				kl = strlen(d->value);
				memcpy(k + 1, d->value, kl++);
			} else {
				size_t hl = strlen(d->host);
				k[0] = 'U';
				memcpy(k + 1, d->host, hl);
				if ((rc = sd_intern_put(set->keys, k, hl + 1, &id)))
					break;
				ps[np++] = (struct posting){id, (uint32_t)i};
				if (d->flags & IND_SHARED)
					continue;
				/* a dedicated host stands for the URL in DNS, SNI and
				 * flows; an address host is keyed as an address */
				struct net_addr a;
				const char *why;
				if (net_addr_parse(d->host, hl, &a, &why) == 0) {
					kl = addr_key(k, &a, 128);
					lens[128] = true;
				} else {
					if (domain_covers(set, d))
						continue;
					k[0] = 'H';
					kl = hl + 1;
				}
			}
			if ((rc = sd_intern_put(set->keys, k, kl, &id)))
				break;
			ps[np++] = (struct posting){id, (uint32_t)i};
		}
	if (rc) {
		free(ps);
		return sd_error_set(err, rc,
				    "out of memory building the indicator tables");
	}
	qsort(ps, np, sizeof(*ps), cmp_posting);
	uint32_t nkeys = sd_intern_count(set->keys);
	set->post_off = calloc((size_t)nkeys + 1, sizeof(uint32_t));
	set->post = malloc((np ? np : 1) * sizeof(uint32_t));
	if (!set->post_off || !set->post) {
		free(ps);
		return sd_error_set(err, SD_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < np; i++) {
		set->post[i] = ps[i].ind;
		set->post_off[ps[i].key + 1]++;
	}
	for (uint32_t k = 0; k < nkeys; k++)
		set->post_off[k + 1] += set->post_off[k];
	free(ps);
	set->nlens = 0;
	for (int l = 128; l >= 0; l--)
		if (lens[l])
			set->lens[set->nlens++] = (uint8_t)l;
	size_t naddr = 0;
	for (uint32_t k = 0; k < nkeys; k++) {
		size_t kl;
		const unsigned char *kb = sd_intern_get(set->keys, k, &kl);
		naddr += kb[0] == 'A';
	}
	size_t nkbits = 4096;
	while (nkbits < (nkeys - naddr) * 16 && nkbits < (size_t)1 << 26)
		nkbits *= 2;
	set->kbits = calloc(nkbits / 64, sizeof(uint64_t));
	if (!set->kbits)
		return sd_error_set(err, SD_ENOMEM, "out of memory");
	set->kbits_mask = nkbits - 1;
	for (uint32_t k = 0; k < nkeys; k++) {
		size_t kl;
		const unsigned char *kb = sd_intern_get(set->keys, k, &kl);
		if (kb[0] != 'A') {
			size_t bit = key_bit(kb, kl, set->kbits_mask);
			set->kbits[bit / 64] |= 1ull << (bit % 64);
		}
	}
	if (naddr) {
		set->naslots = 16;
		while (set->naslots < naddr * 2)
			set->naslots *= 2;
		set->aslots = calloc(set->naslots, sizeof(*set->aslots));
		size_t nwords = 64;
		while (nwords < naddr / 4 && nwords < (size_t)1 << 20)
			nwords *= 2;
		set->abits = calloc(nwords, sizeof(uint64_t));
		set->abits_mask = nwords - 1;
		if (!set->aslots || !set->abits)
			return sd_error_set(err, SD_ENOMEM, "out of memory");
		for (uint32_t k = 0; k < nkeys; k++) {
			size_t kl;
			const unsigned char *kb = sd_intern_get(set->keys, k, &kl);
			if (kb[0] != 'A')
				continue;
			struct net_addr a;
			memcpy(a.b, kb + 2, 16);
			struct addr_slot sl = {net_addr_hi(&a), net_addr_lo(&a), k + 1,
					       kb[1]};
			uint64_t mix = addr_mix(sl.hi, sl.lo, sl.len);
			set->abits[addr_word(mix, set->abits_mask)] |= addr_bits(mix);
			size_t i = addr_hash(sl.hi, sl.lo, sl.len, set->naslots - 1);
			while (set->aslots[i].id1)
				i = (i + 1) & (set->naslots - 1);
			set->aslots[i] = sl;
		}
	}
	set->compiled = true;
	return 0;
}

static bool valid_at(const struct ind_indicator *d, int64_t ts)
{
	/* a record without a time cannot be shown inside a bounded validity:
	 * it matches only indicators valid at every time */
	if (ts == 0)
		return !d->valid_from && !d->valid_until;
	if (d->valid_from && ts < d->valid_from)
		return false;
	if (d->valid_until && ts > d->valid_until)
		return false;
	return true;
}

/* Whether a request path (with its query) is the indicator's path or
 * below it: a prefix that ends on a boundary, so that /a matches /a,
 * /a/b, /a?x and /a;jsessionid=..., but not /ab (another file, or on a
 * shared host another account's). An indicator path ending in '/' or '?'
 * carries its own boundary. Inside a query '&' separates parameters: ?id=1
 * matches ?id=1&x=2 but not ?id=12, and an indicator query ending in '&'
 * or '=' (?id=) carries its own boundary too. */
static bool url_path_matches(const char *ipath, const char *path, size_t pathlen)
{
	size_t il = strlen(ipath);
	if (il > pathlen || memcmp(path, ipath, il) != 0)
		return false;
	char last = ipath[il - 1], next = il < pathlen ? path[il] : '\0';
	if (il == pathlen || last == '/' || last == '?' || next == '/' || next == '?' ||
	    next == '#' || next == ';')
		return true;
	bool query = memchr(ipath, '?', il) != NULL;
	return query && (next == '&' || last == '&' || last == '=');
}

/* Appends the postings of key id that are valid at ts and pass the filter. */
static size_t collect_id(const struct ind_set *set, uint32_t id, int64_t ts,
			 enum ind_kind only, const char *path, size_t pathlen,
			 const struct ind_indicator **hits, size_t max, size_t found)
{
	for (uint32_t p = set->post_off[id]; p < set->post_off[id + 1]; p++) {
		const struct ind_indicator *d = &set->inds[set->post[p]];
		if (only && d->kind != only)
			continue;
		if (!valid_at(d, ts))
			continue;
		if (only == IND_URL && !url_path_matches(d->path, pathlen ? path : "/",
							 pathlen ? pathlen : 1))
			continue;
		if (found < max)
			hits[found] = d;
		found++;
	}
	return found;
}

static size_t collect(const struct ind_set *set, const void *k, size_t kl, int64_t ts,
		      enum ind_kind only, const char *path, size_t pathlen,
		      const struct ind_indicator **hits, size_t max, size_t found)
{
	uint32_t id;
	if (!set->compiled || !key_maybe(set, k, kl) ||
	    sd_intern_find(set->keys, k, kl, &id))
		return found;
	return collect_id(set, id, ts, only, path, pathlen, hits, max, found);
}

size_t ind_match_addr(const struct ind_set *set, const struct net_addr *a, int64_t ts,
		      const struct ind_indicator **hits, size_t max)
{
	size_t found = 0;
	if (!set->compiled || !set->naslots)
		return 0;
	size_t mask = set->naslots - 1;
	const uint64_t hi0 = net_addr_hi(a), lo0 = net_addr_lo(a);
	for (unsigned i = 0; i < set->nlens; i++) {
		unsigned len = set->lens[i];
		/* net_addr_mask in two words */
		uint64_t hi = hi0, lo = lo0;
		if (len <= 64) {
			lo = 0;
			hi = len ? hi0 & (~0ull << (64 - len)) : 0;
		} else if (len < 128) {
			lo = lo0 & (~0ull << (128 - len));
		}
		uint64_t mix = addr_mix(hi, lo, len);
		uint64_t want = addr_bits(mix);
		if ((set->abits[addr_word(mix, set->abits_mask)] & want) != want)
			continue;
		for (size_t j = (size_t)mix & mask; set->aslots[j].id1;
		     j = (j + 1) & mask) {
			const struct addr_slot *sl = &set->aslots[j];
			if (sl->hi == hi && sl->lo == lo && sl->len == len) {
				/* a shared address matches no address or prefix
				 * indicator; asked only once one matched */
				if (set->nshared_pfx && shared_addr(set, a))
					return 0;
				found = collect_id(set, sl->id1 - 1, ts, 0, NULL, 0, hits,
						   max, found);
				break;
			}
		}
	}
	return found;
}

size_t ind_match_name(const struct ind_set *set, const char *name, size_t len, int64_t ts,
		      const struct ind_indicator **hits, size_t max)
{
	char k[IND_MAX_NAME + 2];
	const char *why;
	long n = ind_name_normalise(name, len, k + 1, &why);
	if (n <= 0)
		return 0;
	size_t found = 0;
	uint32_t id;
	k[0] = 'H';
	if (set->compiled && key_maybe(set, k, (size_t)n + 1) &&
	    sd_intern_find(set->keys, k, (size_t)n + 1, &id) == 0)
		for (uint32_t p = set->post_off[id]; p < set->post_off[id + 1]; p++) {
			const struct ind_indicator *d = &set->inds[set->post[p]];
			if (!valid_at(d, ts))
				continue;
			if (found < max)
				hits[found] = d;
			found++;
		}
	/* the name and every parent suffix on a label boundary */
	size_t exact = found;
	for (long off = 0; off < n;) {
		char save = k[off];
		k[off] = 'D';
		found = collect(set, k + off, (size_t)(n - off) + 1, ts, IND_DOMAIN, NULL,
				0, hits, max, found);
		k[off] = save;
		const char *dot = memchr(k + 1 + off, '.', (size_t)(n - off));
		if (!dot)
			break;
		off = dot - (k + 1) + 1;
	}
	/* A shared name is never matched as a domain, whichever indicator
	 * covers it: githubusercontent.com must not list every fetch from
	 * raw.githubusercontent.com. Asked only after a hit, so a name that
	 * is no indicator costs nothing more. */
	if (found > exact && ind_set_is_shared_name(set, k + 1, (size_t)n))
		found = exact;
	return found;
}

size_t ind_match_url(const struct ind_set *set, const char *host, size_t hostlen,
		     const char *path, size_t pathlen, int64_t ts,
		     const struct ind_indicator **hits, size_t max)
{
	char k[IND_MAX_NAME + 2];
	const char *why;
	long n;
	struct net_addr a;
	if (net_addr_parse(host, hostlen, &a, &why) == 0)
		n = (long)net_addr_format(&a, k + 1, sizeof(k) - 1);
	else
		n = ind_name_normalise(host, hostlen, k + 1, &why);
	if (n <= 0)
		return 0;
	k[0] = 'U';
	return collect(set, k, (size_t)n + 1, ts, IND_URL, path, pathlen, hits, max, 0);
}
