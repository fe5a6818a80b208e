/* On-disk layout of a .sdb snapshot, version 3 (docs/db-format.md).
 * Little-endian, every section 64-byte aligned. Only db/ includes this. */
#ifndef SD_DB_FORMAT_H
#define SD_DB_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#define DB_MAGIC "SIGHTDB\0"
#define DB_VERSION 3u
#define DB_ALIGN 64u
#define DB_MULTI_FLAG 0x80000000u /* value.ref points into the multi area */
/* A table's keys live in fixed-size lines, each one or two cache lines:
 * 16 IPv4 keys in 64 bytes, 8 IPv6 keys in 128 (docs/db-format.md,
 * "Key lines"). */
#define DB_LINE_SLOTS_V4 16u
#define DB_LINE_SLOTS_V6 8u

enum db_section {
	DB_SEC_STRINGS = 1,   /* struct db_string_rec[] */
	DB_SEC_BLOB = 2,      /* string bytes, each NUL-terminated */
	DB_SEC_CAMPAIGNS = 3, /* struct db_campaign_rec[] */
	DB_SEC_SETS = 4,      /* uint32_t offsets into SETDATA, one per set */
	DB_SEC_SETDATA = 5,   /* per set: n, then n string ids */
	DB_SEC_ATTRS = 6,     /* struct db_attr_rec[] */
	DB_SEC_MULTI = 7,     /* per entry: n, then n struct db_multi_rec */
	DB_SEC_TABLES = 8,    /* struct db_table_rec[] */
	DB_SEC_DATA = 9,      /* keys, values and indexes of all tables */
	DB_SEC_INPUTS = 10,   /* struct db_input_rec[]: what was read */
	DB_SEC_MAX = 10,
};

struct db_header {
	char magic[8];
	uint32_t version;
	uint32_t header_size; /* sizeof(struct db_header) */
	uint64_t file_size;
	uint64_t build_time;
	uint64_t checksum; /* see db_checksum() */
	uint32_t nsections;
	uint32_t flags; /* 0 */
	uint64_t entries;
	uint64_t reserved[2];
	struct {
		uint32_t type;
		uint32_t reserved;
		uint64_t offset;
		uint64_t size;
	} sections[DB_SEC_MAX];
};

struct db_string_rec {
	uint32_t offset; /* into BLOB */
	uint32_t length; /* excluding the NUL at offset + length */
};

struct db_campaign_rec {
	uint32_t name, title, advisory, remediation; /* string ids */
	uint32_t window_start, window_end;
	uint32_t reserved[2];
};

struct db_attr_rec {
	uint16_t campaign;
	uint8_t evidence;
	uint8_t confidence;
	uint32_t sources; /* set id */
};

struct db_value_rec {
	uint32_t first_seen, last_seen, count;
	uint32_t ref; /* attr id, or DB_MULTI_FLAG | offset in MULTI (u32 units) */
};

struct db_multi_rec {
	uint32_t first_seen, last_seen, count, attr;
};

enum db_key_kind {
	DB_KEY_V4 = 4,	/* uint32_t keys: the low 32 bits of ::ffff:a.b.c.d */
	DB_KEY_V6 = 16, /* two uint64_t per key: high then low half */
};

struct db_table_rec {
	uint8_t kind;	    /* enum db_key_kind */
	uint8_t plen;	    /* 0..128 in the 128-bit space */
	uint8_t common;	    /* leading bits all keys share (of the key width) */
	uint8_t reserved8;  /* 0 */
	uint32_t reserved;  /* 0 */
	uint64_t count;	    /* keys in the table */
	uint64_t buckets;   /* key lines a key's bucket can name (1..count) */
	uint64_t lines;	    /* key lines in all, >= buckets */
	uint64_t keys;	    /* offsets relative to the DATA section: key lines */
	uint64_t ranks;	    /* lines + 1 uint32_t: keys before each line */
	uint64_t values;    /* count struct db_value_rec, in key order */
	uint64_t reserved2; /* 0 */
};

/* One input the sightings were read from (io/ident.h): a file, or the
 * byte range [start, end) of one. */
struct db_input_rec {
	uint32_t label;	   /* string id: the source label */
	uint32_t reserved; /* 0 */
	uint64_t size, start, end;
	uint64_t head_lo, head_hi;
	uint64_t content_lo, content_hi;
};

_Static_assert(sizeof(struct db_header) == 312, "header layout");
_Static_assert(sizeof(struct db_input_rec) == 64, "input layout");

/* The checksum covers the whole file: XXH3-64 of the header (with its
 * checksum field read as zero) seeded with XXH3-64 of everything after the
 * header. The header is written last, so this two-part form lets the
 * builder hash the body while streaming it out. */
uint64_t db_checksum_parts(const struct db_header *h, uint64_t body_hash);
uint64_t db_checksum(const unsigned char *file, size_t size);
_Static_assert(sizeof(struct db_table_rec) == 64, "table layout");
_Static_assert(sizeof(struct db_value_rec) == 16, "value layout");
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "snapshots are little-endian and mapped as is");

#endif
