/* The owner registry: who answers for which addresses. A CSV file with the
 * header `owner,name,contacts,scope` (more columns may follow and are kept):
 * an owner id, a display name, contact mail addresses separated by spaces,
 * and the prefixes and AS numbers (`AS64500`) the owner answers for,
 * separated by spaces. Documented in docs/owners.md. */
#ifndef SD_OWNERS_REGISTRY_H
#define SD_OWNERS_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "net/addr.h"

#define OWNERS_MAX 10000000u	 /* owners in one registry */
#define OWNERS_MAX_ID 64	 /* bytes of an owner id (a file name) */
#define OWNERS_MAX_CONTACTS 64	 /* mail addresses of one owner */
#define OWNERS_MAX_SCOPE 100000u /* prefixes and AS numbers of one owner */
#define OWNERS_MAX_EXTRA 32	 /* columns after the four known ones */

struct owner {
	char *id, *name;
	char **contacts;
	uint32_t ncontacts;
	char **extra;  /* the extra columns' values, registry->nextra of them */
	uint32_t line; /* where it was defined */
};

/* One scope item: a prefix, or an AS number (prefix unused). */
struct owner_scope {
	uint32_t owner;
	uint32_t asn; /* 0 for a prefix */
	struct net_prefix prefix;
};

struct owners_registry {
	char *path;
	struct owner *owners; /* in file order */
	uint32_t count;
	struct owner_scope *scope;
	size_t nscope;
	char **extra_names; /* header names of the extra columns */
	uint32_t nextra;
	uint64_t bad_lines;
	struct sd_intern *ids; /* owner id -> index */
};

/* Reads path. Bad lines are reported on stderr as `file:line: why`,
 * counted in bad_lines and skipped; more than max_errors of them (negative:
 * no limit) stops the read with SD_EPARSE. A missing or malformed header,
 * an unreadable file or no owner at all is an error. */
int owners_registry_load(const char *path, long long max_errors,
			 struct owners_registry **out, struct sd_error *err);
void owners_registry_free(struct owners_registry *r);
/* A plain mail address that may go into an SMTP envelope and a header
 * as is: local@domain, printable ASCII without characters that would need
 * quoting. */
bool owners_mail_address_ok(const char *s, size_t n);
/* Index of the owner with this id, -1 if none. */
long owners_registry_find(const struct owners_registry *r, const char *id);

#endif
