/* Which owners answer for an entry: a binary trie over the registry's
 * prefixes (an owner whose prefix contains the entry's) plus a sorted
 * table of AS numbers (an owner listing the entry's origin AS). Every
 * owner that matches gets the entry: scopes may overlap. */
#ifndef SD_OWNERS_MATCH_H
#define SD_OWNERS_MATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/addr.h"
#include "owners/registry.h"

struct owners_index;

int owners_index_build(const struct owners_registry *r, struct owners_index **out);
void owners_index_free(struct owners_index *ix);
/* True if some owner's scope names an AS number. */
bool owners_index_has_asn(const struct owners_index *ix);

/* A growable list of owner indexes. */
struct owners_set {
	uint32_t *v;
	size_t n, cap;
};
void owners_set_free(struct owners_set *s);

/* Fills s (replacing its contents) with the owners covering p by prefix
 * or by asn (0: none), ascending and without repeats. Returns 0 or
 * SD_ENOMEM. */
int owners_index_match(const struct owners_index *ix, const struct net_prefix *p,
		       uint32_t asn, struct owners_set *s);

#endif
