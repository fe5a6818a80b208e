/* The compiled indicator set: a campaign's infrastructure (addresses,
 * prefixes, domains, URLs) loaded from published indicator files, and the
 * lookups the matcher makes for every telemetry record.
 *
 * Life cycle: ind_set_new, then ind_set_add (directly or through a loader,
 * see indicators/load.h), then ind_set_compile once, after which the set is
 * read-only and may be matched from many threads at once; ind_set_free.
 *
 * Matching rules (docs/indicators.md):
 * - addresses and prefixes: an address matches every indicator address equal
 *   to it and every indicator prefix containing it, unless it is shared (a
 *   shared address or inside a shared prefix): a prefix indicator covering
 *   a CDN address does not list that CDN's clients;
 * - domains: a name matches a domain indicator when it equals it or is a
 *   subdomain of it on a label boundary (x.evil.com matches evil.com;
 *   notevil.com and evil.com.example do not), case-insensitively, with a
 *   trailing dot ignored;
 * - URLs: host equal (normalised as a domain) and path starting with the
 *   indicator's path on a boundary (the request path ends there or goes on
 *   with '/', '?', '#' or ';', unless the indicator's path ends in '/' or
 *   '?': /a matches /a/b and /a?x, not /ab); the scheme and a default port
 *   are not compared (telemetry rarely shows them);
 * - shared hosts (IND_SHARED: raw.githubusercontent.com, github.com, od.lk,
 *   ...): a URL indicator on such a host matches only through its path, and
 *   a domain or address indicator naming shared infrastructure is never
 *   matched; it is counted as unusable instead; a shared name is never
 *   matched by a domain indicator that is a parent of it;
 * - validity: an indicator with valid_from/valid_until matches only records
 *   with a timestamp inside [valid_from, valid_until] (0 = open end); a
 *   record without a time matches only indicators with neither bound.
 */
#ifndef SD_INDICATORS_INDICATORS_H
#define SD_INDICATORS_INDICATORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "net/addr.h"

enum ind_kind {
	IND_ADDR = 1,	/* one IPv4 or IPv6 address (prefix of full length) */
	IND_PREFIX = 2, /* a CIDR prefix */
	IND_DOMAIN = 3, /* a domain and all its subdomains */
	IND_URL = 4,	/* host + path prefix */
	IND_NKINDS = 5,
};

enum ind_flags {
	/* Shared infrastructure (a code-hosting or file-sharing site, shared
	 * hosting): never matched as a host, a name or an address; a URL
	 * indicator with this flag matches only evidence showing its path. */
	IND_SHARED = 1 << 0,
};

struct ind_indicator {
	enum ind_kind kind;
	unsigned flags; /* enum ind_flags */
	/* IND_ADDR (len 128) and IND_PREFIX: the prefix in net/addr.h form.
	 * Use net_prefix_is_v4() for the family. */
	struct net_prefix prefix;
	/* Normalised text: the address or prefix as net_*_format writes it;
	 * a domain lower-case without trailing dot; a URL as
	 * scheme://host[:port]/path with the scheme and host lower-case, a
	 * default port dropped and the path kept as published. */
	const char *value;
	/* IND_URL: the parts (host also for IND_DOMAIN, equal to value). */
	const char *scheme; /* "http", "https", "tcp", ...; NULL if none */
	const char *host;
	const char *path;		 /* starts with '/', at least "/" */
	uint16_t port;			 /* 0 = the scheme's default */
	const char *campaign;		 /* label from the file or the load options */
	const char *source;		 /* where it was published (file or feed name) */
	int64_t valid_from, valid_until; /* UTC epoch seconds, 0 = open */
	uint32_t id; /* dense index in the set (0 .. ind_set_size-1) */
};

/* What could be read but not used: kept in the set's stats and reported. */
struct ind_stats {
	uint64_t kinds[IND_NKINDS]; /* usable indicators by kind */
	uint64_t hashes;	    /* sha256/sha1/md5 and other file hashes */
	uint64_t unsupported;	    /* values of types sighted cannot match
				     * (email, STIX patterns with other objects) */
	uint64_t shared;	    /* domain/address indicators on shared hosts */
	uint64_t malformed;	    /* unparseable values (each reported) */
	uint64_t duplicates;	    /* same kind, value and campaign seen again */
	uint64_t filtered;	    /* rows left out by the campaign include list
				     * or MISP to_ids */
	uint64_t broad;		    /* prefixes broader than /8 or /16 refused
				     * (NET_BROAD_V4/V6; each reported) */
};

struct ind_set;

struct ind_set *ind_set_new(void);
void ind_set_free(struct ind_set *set);

/* Copies ind (strings included) into the set. kind, value and the parts
 * are taken as given for IND_ADDR/IND_PREFIX (prefix must be set) and
 * re-normalised for IND_DOMAIN/IND_URL from value; an invalid value gives
 * SD_EPARSE with a message. A duplicate (same kind, value, campaign)
 * widens the validity of the first and is counted, not added. Must be
 * called before ind_set_compile. */
int ind_set_add(struct ind_set *set, const struct ind_indicator *ind,
		struct sd_error *err);

/* Whether ind_set_add takes prefixes broader than /8 (IPv4) or /16 (IPv6)
 * (net_prefix_is_broad). By default it refuses them with SD_ERANGE and
 * counts them in stats.broad: in a block list they block everything. */
void ind_set_allow_broad(struct ind_set *set, bool allow);

/* Parses one indicator value of unknown type (an address, prefix, domain
 * or URL, already refanged) and adds it. Returns SD_EPARSE for text that is
 * none of them; *is_hash is set when the text is a file hash (which is
 * counted in stats, not added). campaign/source may be NULL. */
int ind_set_add_text(struct ind_set *set, const char *text, size_t len,
		     const char *campaign, const char *source, int64_t valid_from,
		     int64_t valid_until, bool *is_hash, struct sd_error *err);

/* Declares a host name (".parent" for every name below parent), an address
 * or a prefix (a CDN's range) as shared infrastructure in addition to the
 * built-in list (ind_shared_builtin). Before ind_set_compile. Returns
 * SD_EPARSE for text that is none of them, SD_EHOSTBITS or SD_ERANGE for a
 * bad prefix, SD_ELIMIT past IND_MAX_SHARED_ADDRS addresses and prefixes. */
#define IND_MAX_SHARED_ADDRS 256
int ind_set_add_shared(struct ind_set *set, const char *host, size_t len);
/* True when name (normalised or not) is shared infrastructure: itself or a
 * parent domain in the built-in list or added with ind_set_add_shared. */
bool ind_set_is_shared_name(const struct ind_set *set, const char *name, size_t len);
/* NULL-terminated built-in list of shared hosts. */
extern const char *const ind_shared_builtin[];

/* Builds the lookup tables. Afterwards the set is immutable. */
int ind_set_compile(struct ind_set *set, struct sd_error *err);

/* Mutable statistics so loaders can count what they could not use. */
struct ind_stats *ind_set_stats(struct ind_set *set);
const struct ind_stats *ind_set_stats_const(const struct ind_set *set);

/* Iteration over the usable indicators in the order they were added. */
size_t ind_set_size(const struct ind_set *set);
const struct ind_indicator *ind_set_at(const struct ind_set *set, size_t i);
size_t ind_set_count(const struct ind_set *set, enum ind_kind kind);
/* Calls fn for each indicator; stops early and returns fn's value when it
 * is non-zero. */
int ind_set_foreach(const struct ind_set *set,
		    int (*fn)(const struct ind_indicator *ind, void *ctx), void *ctx);

/* Matching (after ind_set_compile; thread-safe). Each fills up to max
 * pointers into hits and returns how many indicators match (which may be
 * more than max). ts is the record's time: indicators whose validity does
 * not contain it are left out; ts 0 (unknown) matches only indicators with
 * no validity bound (it cannot be shown inside a bounded one). */
size_t ind_match_addr(const struct ind_set *set, const struct net_addr *a, int64_t ts,
		      const struct ind_indicator **hits, size_t max);
/* Domain indicators and the hosts of non-shared URL indicators (exactly). */
size_t ind_match_name(const struct ind_set *set, const char *name, size_t len, int64_t ts,
		      const struct ind_indicator **hits, size_t max);
/* URL indicators whose host equals host and whose path is a prefix of path
 * ending on a boundary (see the rules above; path may carry a query
 * string; NULL/0 means "/"). */
size_t ind_match_url(const struct ind_set *set, const char *host, size_t hostlen,
		     const char *path, size_t pathlen, int64_t ts,
		     const struct ind_indicator **hits, size_t max);

/* Normalises a domain name into out (lower case, no trailing dot, refusing
 * empty labels, labels over 63 bytes, names over 253 bytes and bytes
 * outside letters, digits, '-', '_' and '*'). Returns the length or SD_EPARSE/SD_ERANGE
 * (negative) with *why set. out must hold IND_MAX_NAME + 1 bytes. */
#define IND_MAX_NAME 253
#define IND_MAX_VALUE 8192 /* longest indicator value (a URL), bytes */
long ind_name_normalise(const char *s, size_t n, char *out, const char **why);

const char *ind_kind_name(enum ind_kind kind);

#endif
