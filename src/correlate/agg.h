/* The sighting aggregator: client x indicator x source -> first seen, last
 * seen, count, evidence, confidence and one example server endpoint.
 * Memory grows with distinct sightings, never with records. Safe to feed
 * from several reader threads (matches are rare, so one lock is cheap:
 * the matching itself runs outside it). */
#ifndef SD_CORRELATE_AGG_H
#define SD_CORRELATE_AGG_H

#include <stddef.h>
#include <stdint.h>

#include "correlate/match.h"
#include "net/addr.h"

#define CORR_MAX_SIGHTINGS 100000000u /* distinct sightings held in memory */

struct corr_sighting {
	struct net_addr client;
	uint32_t ind;	  /* indicator id in the set */
	uint32_t source;  /* caller's source id (input file or label) */
	uint8_t exchange; /* enum corr_exchange: sightings of a client are kept
			   * apart by the class of exchange they come from, so
			   * that roles learnt later can drop forwarded ones */
	int64_t first_seen, last_seen;
	uint64_t count;
	uint8_t evidence;   /* DB_EV_* bits */
	uint8_t confidence; /* highest DB_CONF_* of the evidence */
	uint8_t dirs;	    /* 1 << enum corr_dir seen */
	uint8_t has_server;
	uint16_t server_port;
	struct net_addr server; /* lowest far end seen (not a resolver/proxy) */
};

struct corr_agg;

struct corr_agg *corr_agg_new(void);
void corr_agg_free(struct corr_agg *g);

/* Records the n hits of one record at time ts from source: each client x
 * indicator and each client counts the record once. Returns 0, SD_ENOMEM,
 * or SD_ELIMIT past CORR_MAX_SIGHTINGS. */
int corr_agg_add_record(struct corr_agg *g, const struct corr_hit *h, size_t n,
			int64_t ts, uint32_t source);
/* A record with a single hit. */
int corr_agg_add(struct corr_agg *g, const struct corr_hit *h, int64_t ts,
		 uint32_t source);

/* After all adds: the sightings sorted by client, indicator, source and
 * exchange. The array belongs to g. */
const struct corr_sighting *corr_agg_sorted(struct corr_agg *g, size_t *n);
/* The same per client, source and exchange (ind is UINT32_MAX): what the
 * snapshot stores, with count = records that sighted the client. */
const struct corr_sighting *corr_agg_clients_sorted(struct corr_agg *g, size_t *n);
size_t corr_agg_count(struct corr_agg *g);

/* The order of example servers: address, then port. */
bool corr_server_before(const struct net_addr *a, uint16_t ap, const struct net_addr *b,
			uint16_t bp);

#endif
