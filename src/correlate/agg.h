/* The sighting aggregator: client x indicator x source x exchange -> first
 * seen, last seen, count, evidence, confidence, directions and one example
 * server endpoint. Memory grows with distinct sightings, never with
 * records: each is one fixed-size record (40 bytes; an IPv4 client is held
 * inline, IPv6 clients and example servers are interned once) in a dense
 * array found through an open-addressing index of 4 bytes a slot. Safe to
 * feed from several reader threads (one lock; the matching itself runs
 * outside it).
 *
 * Life: add records, then corr_agg_sort once; read the sightings in order
 * with corr_agg_get, giving back what was read with corr_agg_release so that
 * the snapshot builder fed from them does not hold everything twice. */
#ifndef SD_CORRELATE_AGG_H
#define SD_CORRELATE_AGG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "correlate/match.h"
#include "net/addr.h"

#define CORR_MAX_SIGHTINGS 100000000u /* distinct sightings held in memory */
#define CORR_MAX_SOURCES 65535u	      /* source ids told apart */
#define CORR_MAX_COUNT UINT32_MAX     /* a sighting's count stops here */

/* One sighting as read back (the compact record, expanded). */
struct corr_sighting {
	struct net_addr client;
	uint32_t ind;	  /* indicator id in the set; UINT32_MAX per client */
	uint32_t source;  /* caller's source id (input file or label) */
	uint8_t exchange; /* enum corr_exchange: sightings of a client are kept
			   * apart by the class of exchange they come from, so
			   * that roles learnt later can drop forwarded ones */
	int64_t first_seen, last_seen;
	uint64_t count;	       /* records */
	uint64_t client_count; /* of those, the records that did not sight the
				* client again through a later hit (of another
				* indicator, same exchange): summed over
				* indicators, records per client */
	uint8_t evidence;      /* DB_EV_* bits */
	uint8_t confidence;    /* highest DB_CONF_* of the evidence */
	uint8_t dirs;	       /* 1 << enum corr_dir seen */
	uint8_t has_server;
	uint16_t server_port;
	struct net_addr server; /* lowest far end seen (not a resolver/proxy) */
};

struct corr_agg;

struct corr_agg *corr_agg_new(void);
void corr_agg_free(struct corr_agg *g);

/* Records the n hits of one record at time ts from source: each client x
 * indicator and each client counts the record once. Returns 0, SD_ENOMEM,
 * SD_ELIMIT past CORR_MAX_SIGHTINGS or a source past CORR_MAX_SOURCES, or
 * SD_EUSAGE after corr_agg_sort. */
int corr_agg_add_record(struct corr_agg *g, const struct corr_hit *h, size_t n,
			int64_t ts, uint32_t source);
/* A record with a single hit. */
int corr_agg_add(struct corr_agg *g, const struct corr_hit *h, int64_t ts,
		 uint32_t source);
size_t corr_agg_count(struct corr_agg *g);

/* A reader's hits gathered before one locked insert: the lock is taken
 * once per batch and the index's cache misses overlap. Where a second CPU
 * is there, a full batch is handed to a thread of the aggregate's own that
 * inserts it while the reader goes on. The aggregate does not depend on
 * the order of adds, so batching changes nothing in it. */
#define CORR_AGG_BATCH 256
struct corr_agg_pending {
	struct corr_hit h;
	int64_t ts;
	uint16_t source;
	uint8_t count; /* the record counts for this indicator */
	uint8_t cdup;  /* ... but counts for the client with a later hit */
};
struct corr_agg_block;
struct corr_agg_batch {
	size_t n, cap;		      /* records in p, room in p */
	struct corr_agg_pending *p;   /* own, or the block's */
	struct corr_agg_block *block; /* the inserter's block being filled */
	struct corr_agg_pending own[CORR_AGG_BATCH];
};
/* As corr_agg_add_record, into b (zeroed before first use), handing it
 * over when full; an error may be one of an earlier batch's insert. */
int corr_agg_batch_add(struct corr_agg *g, struct corr_agg_batch *b,
		       const struct corr_hit *h, size_t n, int64_t ts, uint32_t source);
/* Adds what b holds to g and empties it (before corr_agg_sort), and waits
 * until every batch handed over is in: returns the first error of any. */
int corr_agg_batch_flush(struct corr_agg *g, struct corr_agg_batch *b);

/* Ends adding: drops the index and sorts the sightings by client,
 * indicator, source and exchange, in place. Returns 0 or SD_ENOMEM. The
 * sort goes on behind the reading (on a second CPU, a thread of its own
 * sorts ahead of the reader): corr_agg_get and corr_agg_client_end wait
 * for the part they read, so a reader in order meets its sightings as soon
 * as they are in order. */
int corr_agg_sort(struct corr_agg *g);
/* The i-th sighting in that order (i < corr_agg_count, not released). */
void corr_agg_get(struct corr_agg *g, size_t i, struct corr_sighting *out);
/* An IPv4 client with a single sighting, in the compact form the snapshot
 * builder's feed needs (no corr_sighting to expand, no address to build):
 * where every record is a new client, nearly every sighting is one. */
struct corr_v4_single {
	uint32_t addr;	 /* as net_addr_from_v4 takes it */
	uint32_t ind;	 /* as corr_sighting's */
	uint32_t source; /* as corr_sighting's */
	int64_t first_seen, last_seen;
	uint32_t client_count; /* as corr_sighting's (= count: one sighting) */
	uint8_t exchange, evidence, confidence;
};
/* From sighting i, the first of its client, up to max consecutive
 * sightings that are each the only one of an IPv4 client, into out, in
 * the order of corr_agg_get; returns how many (0: i's client is not one).
 * Waits for the sort as corr_agg_get does. */
size_t corr_agg_v4_singles(struct corr_agg *g, size_t i, size_t max,
			   struct corr_v4_single *out);
/* The index past the last sighting of the client of sighting i. */
size_t corr_agg_client_end(struct corr_agg *g, size_t i);
/* Sightings [0, i) will not be read again: their memory goes back to the
 * system (whole pages of it). */
void corr_agg_release(struct corr_agg *g, size_t i);

/* Folds x into into (same client): earliest first seen, latest last seen,
 * summed counts, union of evidence and directions, highest confidence,
 * lowest example server. Keys are left as they are. */
void corr_sighting_combine(struct corr_sighting *into, const struct corr_sighting *x);
/* One client's sightings s[0, n) (any order) combined per source and
 * exchange into out (room for n), sorted by source then exchange, with ind
 * UINT32_MAX and count = records that sighted the client (not record x
 * indicator pairs). Returns how many. */
size_t corr_sightings_per_client(const struct corr_sighting *s, size_t n,
				 struct corr_sighting *out);

/* The order of example servers: address, then port. */
bool corr_server_before(const struct net_addr *a, uint16_t ap, const struct net_addr *b,
			uint16_t bp);

#endif
