/* The matcher: one normalised telemetry record against a compiled
 * indicator set, under a campaign's window. Knows nothing of formats.
 *
 * Who is the client (the local side, the one that may be a victim):
 *   dns   the querier (record client) of an indicator name;
 *   tls   the sender of a ClientHello naming an indicator, or connecting to
 *         an indicator address;
 *   http  the requester of an indicator host or URL (through a proxy: the
 *         proxy's client, never the proxy or upstream address);
 *   flow  the originator of a flow to an indicator address, or the
 *         responder of a flow from one (inbound from C2); with the
 *         direction unknown, whichever end is not the indicator.
 * The readers orient each record from the evidence (telemetry/direction.h);
 * as a last guard an indicator address is never the client: a dns, tls or
 * http record naming one as its client gives the other end, inbound (dns:
 * nothing, its other end is a resolver).
 * Shared infrastructure never matches by name or address; a URL indicator
 * on a shared host matches only an HTTP record that shows a path under it.
 * Records outside the campaign window (or with no time when the campaign
 * has a window) and indicators outside their own validity never match. */
#ifndef SD_CORRELATE_MATCH_H
#define SD_CORRELATE_MATCH_H

#include <stddef.h>
#include <stdint.h>

#include "indicators/indicators.h"
#include "telemetry/record.h"

#define CORR_MAX_HITS 64 /* indicator hits kept from one record */

struct corr_rules {
	const struct ind_set *set;
	int64_t window_start, window_end; /* 0 = open */
};

enum corr_dir {
	CORR_OUTBOUND = 0, /* the client contacted the indicator */
	CORR_INBOUND = 1,  /* the indicator contacted the client */
};

struct corr_hit {
	const struct ind_indicator *ind;
	struct net_addr client;
	/* the far end: the indicator's address when known (not the resolver
	 * of a DNS query, not a proxy) */
	struct net_addr server;
	uint16_t server_port;
	uint8_t has_server;
	uint8_t evidence;   /* one DB_EV_* bit */
	uint8_t confidence; /* DB_CONF_* for this one piece of evidence */
	uint8_t dir;	    /* enum corr_dir */
	uint8_t exchange;   /* enum corr_exchange (correlate/roles.h) */
};

enum corr_outcome {
	CORR_NO_MATCH = 0,
	CORR_MATCHED = 1,
	CORR_OUTSIDE_WINDOW = 2, /* not looked at: outside the window */
};

/* Fills up to max hits; returns how many (0 when none), and sets *outcome. */
/* A tel_options.prefilter (ctx: the struct corr_rules): false for a flow
 * record outside the window or whose two addresses match no indicator, so
 * the reader may skip the rest of it; corr_match then only counts it. */
bool corr_prefilter(void *ctx, const struct tel_record *rec);

size_t corr_match(const struct corr_rules *r, const struct tel_record *rec,
		  struct corr_hit *hits, size_t max, enum corr_outcome *outcome);

/* What corr_prefilter_memo found for the last flow it passed: corr_match_memo
 * takes the two address lookups from here instead of making them again
 * when the record is the same (where every record matches they were half
 * of the matching). One per reader. */
#define CORR_SERVER_CACHE 16	 /* server lookups remembered (a power of two) */
#define CORR_SERVER_CACHE_HITS 4 /* ... when they found 1 to this many */
/* Lookups remembered: slot i holds the address whose bytes are lo[i] (the
 * last 8) and hi[i] (the first 8) and its n[i] hits; n[i] 0 is empty. */
struct corr_server_seen {
	uint64_t lo[CORR_SERVER_CACHE], hi[CORR_SERVER_CACHE];
	uint8_t n[CORR_SERVER_CACHE];
	const struct ind_indicator *h[CORR_SERVER_CACHE][CORR_SERVER_CACHE_HITS];
};
struct corr_memo {
	const struct corr_rules *rules;
	/* corr_rules_timeless: a server's lookup that found indicators is
	 * then remembered by address (where every record matches, the same
	 * few servers come again and again; a lookup finding none is not, so
	 * that where nothing matches a record pays only a probe); false (the
	 * zeroed memo) looks every one up */
	bool timeless;
	bool set;
	int64_t ts;
	struct net_addr server, client;
	size_t ns, nc;
	const struct ind_indicator *ih[CORR_MAX_HITS], *ic[CORR_MAX_HITS];
	struct corr_server_seen seen;
};
/* Whether no indicator of r's set has a bounded validity, so that what an
 * address matches does not depend on the time: one pass over the set. */
bool corr_rules_timeless(const struct corr_rules *r);
/* corr_prefilter with ctx a struct corr_memo whose rules are set */
bool corr_prefilter_memo(void *ctx, const struct tel_record *rec);
/* corr_match, with the lookups of m when they are for this record */
size_t corr_match_memo(const struct corr_rules *r, const struct corr_memo *m,
		       const struct tel_record *rec, struct corr_hit *hits, size_t max,
		       enum corr_outcome *outcome);

/* Whether time ts is outside r's window (no time is, when there is one). */
static inline bool corr_outside_window(const struct corr_rules *r, int64_t ts)
{
	return (r->window_start || r->window_end) &&
	       (ts == 0 || (r->window_start && ts < r->window_start) ||
		(r->window_end && ts > r->window_end));
}

/* corr_match_memo's answer for a record the prefilter left partial
 * (TEL_PARTIAL: a flow outside the window or matching nothing), without
 * the call: where nearly nothing matches, nearly every record is one. */
static inline size_t corr_match_partial(const struct corr_rules *r,
					const struct tel_record *rec,
					enum corr_outcome *outcome)
{
	*outcome = corr_outside_window(r, rec->ts) ? CORR_OUTSIDE_WINDOW : CORR_NO_MATCH;
	return 0;
}

/* The confidence one piece of evidence gives (docs/correlate.md):
 * dns alone low; a flow to an indicator address medium, high when it is
 * known to have been answered; tls and http high (the client spoke the
 * protocol to a dedicated C2 host or asked for the campaign's URL); any
 * inbound flow from an indicator medium. */
uint8_t corr_confidence(unsigned evidence, unsigned tel_flags, enum corr_dir dir);

#endif
