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
 *
 * A role is declared (--proxy, a hand-written "proxy ADDR" line): then
 * every forwarded-class exchange of the host is left out. Or it is learnt
 * from the records, and then only as far as it is explained: a learnt
 * role leaves out a host's forwarded-class sighting of indicator X only
 * when a record shows another host asking it for X and it serving the
 * request (a proxied request or CONNECT for X it answered 2xx/3xx; a DNS
 * query for X to its port 53 it answered, not with a refusal), and that
 * asker is reached from a root: an asker of X nobody asked for X, along
 * "A asked B for X" requests. Hosts that only ask one another for X in a
 * loop are reached from no root, so a forged request back to one's
 * asker hides nobody. The asker carries that request as its own
 * sighting. A scanner's requests (an absolute URI, a version.bind query)
 * name no indicator and explain nothing.
 *
 * What the records teach ("ASKER asked ADDR for X as a proxy") is learnt
 * record by record, so what all records teach is the union of what each
 * teaches: shards learn apart and their role files are joined by a plain
 * union. Which requests explain is settled once, from that union
 * (corr_roles_settle), so that every split gives the same answer. */
#ifndef SD_CORRELATE_ROLES_H
#define SD_CORRELATE_ROLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "correlate/match.h"
#include "indicators/indicators.h"
#include "net/addr.h"
#include "telemetry/reader.h"

#define CORR_MAX_ROLES 1000000u	 /* addresses with a role, learnt or given */
#define CORR_MAX_ASKED 10000000u /* (role, address, asker, indicator) requests learnt */

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

/* Declares roles (enum corr_role bits) of a. Thread-safe. SD_ELIMIT past
 * CORR_MAX_ROLES addresses. */
int corr_roles_add(struct corr_roles *r, const struct net_addr *a, unsigned roles);
/* Learns that asker asked a, in role (one enum corr_role), for the
 * indicator of kind and value. Thread-safe. SD_ELIMIT past CORR_MAX_ROLES
 * addresses or CORR_MAX_ASKED requests; SD_EPARSE for a value that a role
 * file could not hold (empty, a control byte, ending in a blank). What
 * was settled is dropped: settle again. */
int corr_roles_ask(struct corr_roles *r, unsigned role, const struct net_addr *a,
		   const struct net_addr *asker, enum ind_kind kind, const char *value);
/* Settles which requests learnt explain forwarding: per indicator X, those
 * made by a root (an asker of X nobody asked for X) or by a host reached
 * from one along "A asked B for X" requests. Call it after the last
 * corr_roles_ask or corr_roles_load and before corr_roles_left_out, which
 * reads what it settled (nothing learnt explains before). 0 or SD_ENOMEM.
 * Not to be called while others add. */
int corr_roles_settle(struct corr_roles *r);
/* The roles of a, declared or learnt (0: none). Not to be called while
 * others add. */
unsigned corr_roles_of(const struct corr_roles *r, const struct net_addr *a);
/* Addresses with the role, declared or learnt. */
size_t corr_roles_count(const struct corr_roles *r, unsigned role);
/* True when no address has a role (r may be NULL): a caller with many
 * addresses to ask about can skip building them. */
bool corr_roles_none(const struct corr_roles *r);

/* Which role a record of a file in format fmt may teach: 0 or a role of
 * *who (the record's server), who is asked for what the record's own
 * client sighted in it. Only an exchange *who served teaches: never one
 * TEL_DECLINED; a DNS query only TEL_ANSWERED; a proxied request only
 * TEL_ANSWERED, except from a capture or generic CSV, whose readers never
 * see a request's answer. */
unsigned corr_roles_taught(const struct tel_record *rec, enum tel_format fmt,
			   struct net_addr *who);
/* Learns what one record teaches, given its n hits (corr_match): each
 * indicator its client asked the taught proxy or resolver for. Returns 0
 * or corr_roles_ask's error. */
int corr_roles_learn(struct corr_roles *r, const struct tel_record *rec,
		     enum tel_format fmt, const struct corr_hit *hits, size_t n);

/* True when an exchange of class ex by a client with these declared roles
 * was forwarded for someone else. */
bool corr_roles_forwarded(unsigned roles, enum corr_exchange ex);
/* True when client a's exchange of class ex in which it sighted ind was
 * forwarded for someone else: a declared role, or a learnt one that a
 * request for ind explains (as last settled, corr_roles_settle). r may be
 * NULL. */
bool corr_roles_left_out(const struct corr_roles *r, const struct net_addr *a,
			 enum corr_exchange ex, const struct ind_indicator *ind);

/* Role files: "# comment", blank lines, "proxy ADDR" / "resolver ADDR"
 * (declared) and "asked proxy ADDR by ASKER KIND VALUE" / "asked resolver
 * ADDR by ASKER KIND VALUE" (learnt) lines. A malformed line stops the load with
 * "file:line: why"; so does a file of format 1 (learnt roles without their
 * explanations, SD_EVERSION). */
int corr_roles_load(struct corr_roles *r, const char *path, struct sd_error *err);
/* Writes the role file atomically: a comment line, then one line per
 * declared role and per request learnt, in byte order (as `LC_ALL=C
 * sort`), so that the file of a union is `LC_ALL=C sort -u` of the files'
 * lines. */
int corr_roles_write(const struct corr_roles *r, const char *path, struct sd_error *err);

#endif
