/* Internal view of an open snapshot, shared by the files of db/. */
#ifndef SD_DB_READER_H
#define SD_DB_READER_H

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

#include "db/db.h"
#include "db/format.h"
#include "db/index.h"

struct db {
	const unsigned char *base;
	size_t size;
	bool mapped;
	char *path;
	ino_t ino;
	struct timespec mtime;
	const struct db_header *hdr;
	const unsigned char *sec[DB_SEC_MAX + 1];
	uint64_t secsize[DB_SEC_MAX + 1];
	const struct db_string_rec *strings;
	uint64_t nstrings;
	const char *blob;
	const struct db_campaign_rec *campaigns;
	uint64_t ncampaigns;
	const uint32_t *sets, *setdata;
	uint64_t nsets, nsetdata;
	const struct db_attr_rec *attrs;
	uint64_t nattrs;
	const uint32_t *multi;
	uint64_t nmulti;
	const struct db_table_rec *tables;
	uint64_t ntables;
	const struct db_input_rec *inputs;
	uint64_t ninputs;
};

const char *db_string(const struct db *db, uint32_t id);

#endif
