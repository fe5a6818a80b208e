/* Owner registry and ip2asn parsers on arbitrary bytes (the first byte
 * picks which): never a crash; what is accepted keeps its invariants — owner
 * ids in their alphabet, scope prefixes without host bits, AS ranges sorted
 * and disjoint — and the owner index answers for every accepted scope. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "owners/asn.h"
#include "owners/asn_db.h"
#include "owners/match.h"
#include "owners/registry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void registry(const char *path)
{
	struct owners_registry *r;
	struct sd_error err = {0};
	if (owners_registry_load(path, -1, &r, &err) != 0) {
		if (!err.msg[0])
			abort(); /* a refusal always says why */
		return;
	}
	for (uint32_t i = 0; i < r->count; i++) {
		const char *id = r->owners[i].id;
		if (!*id || strlen(id) > OWNERS_MAX_ID || id[0] == '.' || id[0] == '-')
			abort();
		for (const char *c = id; *c; c++)
			if (!isalnum((unsigned char)*c) && !strchr("._-", *c))
				abort();
		if (owners_registry_find(r, id) != (long)i)
			abort();
	}
	struct owners_index *ix;
	if (owners_index_build(r, &ix) == 0) {
		struct owners_set s = {0};
		for (size_t k = 0; k < r->nscope; k++) {
			const struct owner_scope *sc = &r->scope[k];
			if (sc->owner >= r->count)
				abort();
			if (!sc->asn &&
			    net_addr_has_hostbits(&sc->prefix.addr, sc->prefix.len))
				abort();
			/* the scope's own prefix (or AS) finds its owner */
			if (owners_index_match(ix, &sc->prefix, sc->asn, &s) != 0)
				continue;
			bool found = false;
			for (size_t j = 0; j < s.n; j++)
				found = found || s.v[j] == sc->owner;
			if (!found)
				abort();
		}
		owners_set_free(&s);
		owners_index_free(ix);
	}
	owners_registry_free(r);
}

static void ip2asn(const char *path)
{
	struct asn_db *db;
	struct sd_error err = {0};
	if (asn_db_open(path, -1, &db, &err) != 0)
		return;
	for (size_t i = 0; i < db->nranges; i++) {
		if (net_addr_cmp(&db->ranges[i].lo, &db->ranges[i].hi) > 0)
			abort();
		if (i && net_addr_cmp(&db->ranges[i - 1].hi, &db->ranges[i].lo) >= 0)
			abort();
		/* a lookup inside a range answers with that range's AS */
		if (asn_db_lookup(db, &db->ranges[i].lo) != db->ranges[i].id)
			abort();
	}
	asn_db_close(db);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int fd = memfd_create("fuzz-owners", 0);
	if (fd < 0)
		return 0;
	if (size > 1 && write(fd, data + 1, size - 1) != (ssize_t)(size - 1)) {
		close(fd);
		return 0;
	}
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (data[0] & 1)
		ip2asn(path);
	else
		registry(path);
	close(fd);
	return 0;
}
