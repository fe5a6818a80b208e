/* Reading a snapshot: open (mmap + full validation), point and prefix
 * queries, iteration, metadata. A struct db is immutable once open and safe
 * to share between threads. */
#ifndef SD_DB_DB_H
#define SD_DB_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "db/sighting.h"
#include "io/ident.h"
#include "net/addr.h"

struct db;

/* One keyed entry: an address or prefix with its sightings. The aggregate
 * fields summarise all sightings of the entry. */
struct db_entry {
	struct net_prefix prefix;
	uint32_t first_seen, last_seen, count;
	uint32_t nsightings;
	/* private: where the sightings are */
	uint32_t table;
	uint64_t index;
};

struct db_campaign {
	const char *name, *title, *advisory, *remediation; /* never NULL */
	uint32_t window_start, window_end;
};

int db_open(const char *path, struct db **out, struct sd_error *err);
/* db_open with DB_OPEN_* flags. DB_OPEN_HUGE_PAGES reads the file into
 * anonymous memory advised for 2 MB pages instead of mapping it: a copy
 * (about 0.1 s per 200 MB, and the memory is the process's own) that pays
 * off only for a caller making many lookups in a large snapshot, where a
 * lookup's cache miss would otherwise also miss the TLB
 * (bench/db.sh measures both). Without flags it is db_open. */
enum { DB_OPEN_HUGE_PAGES = 1u };
int db_open_flags(const char *path, unsigned flags, struct db **out,
		  struct sd_error *err);
/* Validates buf (8-byte aligned, and alive and unchanged while the db is open)
 * exactly as db_open validates a file; for tests and fuzzing. */
int db_open_buffer(const void *buf, size_t size, struct db **out, struct sd_error *err);
void db_close(struct db *db);

uint64_t db_build_time(const struct db *db);
uint32_t db_format_version(const struct db *db);
uint64_t db_entry_count(const struct db *db);
/* The snapshot's content identifier: 16 lowercase hex digits of the XXH3-64
 * hash of every byte after the header, computed while the file is validated
 * at open. The header (build time, checksum) is left out, so rebuilding the
 * same input gives the same id; any change to sightings, campaigns, sources
 * or recorded inputs gives another. Names a snapshot in /api/v1/changes,
 * in reports and in notification state. */
#define DB_CONTENT_ID_STRLEN 17
void db_content_id(const struct db *db, char out[DB_CONTENT_ID_STRLEN]);
uint64_t db_file_size(const struct db *db);
const char *db_path(const struct db *db);

uint32_t db_campaign_count(const struct db *db);
int db_campaign_get(const struct db *db, uint32_t id, struct db_campaign *out);
/* Returns the id of the campaign called name, or -1. */
int db_campaign_find(const struct db *db, const char *name);

uint32_t db_sourceset_size(const struct db *db, uint32_t set);
const char *db_sourceset_item(const struct db *db, uint32_t set, uint32_t i);

/* Inputs the sightings were read from (INPUTS), in canonical order. */
uint64_t db_input_count(const struct db *db);
/* The label and identity of input i (< db_input_count). */
const char *db_input_get(const struct db *db, uint64_t i, struct io_ident *id);

/* True if any entry covers a: the fast path for yes/no lookups. */
bool db_contains(const struct db *db, const struct net_addr *a);
/* out[i] = db_contains(db, &a[i]) for i < n. The lookups of a batch issue
 * their memory reads together (software prefetch), so on a snapshot larger
 * than the CPU caches their misses overlap instead of following one
 * another: use it wherever many addresses are checked at once. */
void db_contains_batch(const struct db *db, const struct net_addr *a, size_t n,
		       bool *out);
/* db_contains_batch that also hands back what it found, so a caller that
 * prints the entry need not look it up again: found[i] is 0 when no entry
 * covers a[i]; 1 when out[i] is the only entry covering it (all that
 * db_cover would return for it); 2 when out[i] covers it and more entries
 * may (a later table could hold one): ask db_cover for them all. out[i]
 * is set only where found[i] is not 0. */
void db_cover_batch(const struct db *db, const struct net_addr *a, size_t n,
		    struct db_entry *out, uint8_t *found);
/* Entries whose prefix contains p (including p itself), most specific
 * first; at most max are written, the number found is returned. A host
 * prefix asks about one address. */
size_t db_cover(const struct db *db, const struct net_prefix *p, struct db_entry *out,
		size_t max);
/* Calls fn for every entry inside p (p itself included), table by table,
 * ascending within a table. fn returns non-zero to stop; that value is
 * returned. count, if not NULL, receives the number of entries visited. */
typedef int (*db_entry_fn)(const struct db_entry *e, void *ctx);
int db_range(const struct db *db, const struct net_prefix *p, db_entry_fn fn, void *ctx,
	     uint64_t *count);
uint64_t db_range_count(const struct db *db, const struct net_prefix *p);
/* Every entry, for exports. */
int db_foreach(const struct db *db, db_entry_fn fn, void *ctx);

/* Walking every entry in snapshot order (IPv4 before IPv6, longer
 * prefixes first, then ascending address) with a cursor, so two snapshots
 * can be merged in one pass. Start from a zeroed cursor. */
struct db_cursor {
	uint32_t table;
	uint64_t index;
	uint64_t line; /* private: the key line of index, a hint */
};
bool db_cursor_next(const struct db *db, struct db_cursor *c, struct db_entry *e);
/* The entry a cursor or an earlier walk found at (table, index) of e:
 * e->table and e->index name it for later (e.g. after sorting). False if
 * there is no such entry. */
bool db_entry_get(const struct db *db, uint32_t table, uint64_t index,
		  struct db_entry *e);
/* <0, 0, >0 as a comes before, with or after b in snapshot order. */
int db_prefix_order(const struct net_prefix *a, const struct net_prefix *b);

/* The i-th sighting of e (i < e->nsightings). */
void db_entry_sighting(const struct db *db, const struct db_entry *e, uint32_t i,
		       struct db_sighting *out);

#endif
