/* Proxy and resolver roles (docs/correlate.md, "Proxies and resolvers").
 *
 * Being a proxy or a resolver is a role in an exchange, not a property of
 * an address: a proxy's forwarded requests belong to its clients, its own
 * requests stay its own. Every exchange a sighting comes from has a class:
 *   OWN     the client asked a proxy (Squid log, CONNECT, absolute URI) or
 *           was contacted by the indicator: always the client's own;
 *   DNS     a DNS query the client made itself: forwarded when the client
 *           is a proxy (it resolves what its clients ask for) or a resolver;
 *   DIRECT  a TLS/HTTP/flow exchange the client opened itself: forwarded
 *           when the client is a proxy.
 * Forwarded exchanges are left out of the client's sightings; nothing else
 * is, so adding records can only add sightings, and adding roles can only
 * take away forwarded exchanges.
 *
 * Roles are learnt record by record (the server of a proxied request seen on
 * the wire is a proxy; the server of a DNS query to port 53 from another host
 * is a resolver), so what all records teach is the union of what each teaches:
 * shards learn apart and their role files are joined by a plain union. */
#ifndef SD_CORRELATE_ROLES_H
#define SD_CORRELATE_ROLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "net/addr.h"
#include "telemetry/reader.h"

#define CORR_MAX_ROLES 1000000u /* addresses with a role, learnt or given */

enum corr_role {
	CORR_ROLE_PROXY = 1,
	CORR_ROLE_RESOLVER = 2,
};

enum corr_exchange {
	CORR_EX_OWN = 0,
	CORR_EX_DNS = 1,
	CORR_EX_DIRECT = 2,
};
#define CORR_EX_COUNT 3

struct corr_roles;

struct corr_roles *corr_roles_new(void);
void corr_roles_free(struct corr_roles *r);

/* Adds roles (enum corr_role bits) to a. Thread-safe. SD_ELIMIT past
 * CORR_MAX_ROLES addresses. */
int corr_roles_add(struct corr_roles *r, const struct net_addr *a, unsigned roles);
/* The roles of a (0: none). Not to be called while others add. */
unsigned corr_roles_of(const struct corr_roles *r, const struct net_addr *a);
size_t corr_roles_count(const struct corr_roles *r, unsigned role);
/* True when no address has a role (r may be NULL): a caller with many
 * addresses to ask about can skip building them. */
bool corr_roles_none(const struct corr_roles *r);

/* What one record of a file in format fmt teaches: 0 or a role of *who. */
unsigned corr_roles_taught(const struct tel_record *rec, enum tel_format fmt,
			   struct net_addr *who);

/* True when an exchange of class ex by a client with these roles was
 * forwarded for someone else. */
bool corr_roles_forwarded(unsigned roles, enum corr_exchange ex);

/* Role files: "# comment", blank lines, and "proxy ADDR" / "resolver ADDR"
 * lines. A malformed line stops the load with "file:line: why". */
int corr_roles_load(struct corr_roles *r, const char *path, struct sd_error *err);
/* Writes the role file atomically: a comment line, then one line per
 * address and role in byte order (as `LC_ALL=C sort`), so that the file of
 * a union is `LC_ALL=C sort -u` of the files' lines. */
int corr_roles_write(const struct corr_roles *r, const char *path, struct sd_error *err);

#endif
