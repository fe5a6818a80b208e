#include "server/snapshot.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "report/report.h"
#include "server/loadfile.h"
#include "server/stats.h"

static void snap_destroy(struct srv_ref *r)
{
	struct srv_snap *s = (struct srv_snap *)r;
	db_close(s->db);
	if (s->copy)
		munmap(s->copy, s->copy_len);
	free(s->snapshot_json);
	free(s->campaigns_json);
	free(s->stats_json);
	free(s);
}

/* {"snapshot": <snap>, key: value} rendered compactly. */
static char *wrap(json_t *snap, const char *key, json_t *value, size_t *len)
{
	json_t *o = json_object();
	json_object_set(o, "snapshot", snap);
	json_object_set_new(o, key, value);
	char *s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	*len = s ? strlen(s) : 0;
	return s;
}

int srv_snap_from_db(struct db *db, struct srv_snap **out, struct sd_error *err)
{
	*out = NULL;
	struct srv_snap *s = calloc(1, sizeof(*s));
	if (!s) {
		db_close(db);
		return sd_error_set(err, SD_ENOMEM, "out of memory");
	}
	srv_ref_init(&s->ref, snap_destroy);
	s->db = db;
	json_t *snap = report_snapshot(db);
	s->snapshot_json = snap ? json_dumps(snap, JSON_COMPACT) : NULL;
	s->snapshot_len = s->snapshot_json ? strlen(s->snapshot_json) : 0;
	json_t *camps = json_array();
	for (uint32_t i = 0; i < db_campaign_count(db); i++)
		json_array_append_new(camps, report_campaign(db, i));
	/* per-campaign counts come from the stats pass */
	json_t *stats = srv_stats_build(db);
	json_t *sc = stats ? json_object_get(stats, "campaigns") : NULL;
	for (size_t i = 0; sc && i < json_array_size(camps); i++) {
		json_t *c = json_array_get(camps, i), *st = json_array_get(sc, i);
		if (!json_is_object(c) || !st)
			continue;
		json_object_set(c, "entries", json_object_get(st, "entries"));
		json_object_set(c, "count", json_object_get(st, "count"));
		json_object_set(c, "evidence", json_object_get(st, "evidence"));
		json_object_set(c, "sources", json_object_get(st, "sources"));
	}
	s->campaigns_json = wrap(snap, "campaigns", camps, &s->campaigns_len);
	s->stats_json = stats ? wrap(snap, "stats", stats, &s->stats_len) : NULL;
	json_decref(snap);
	if (!s->snapshot_json || !s->campaigns_json || !s->stats_json) {
		srv_ref_put(&s->ref);
		return sd_error_set(err, SD_ENOMEM,
				    "out of memory rendering the snapshot");
	}
	*out = s;
	return SD_OK;
}

static uint64_t mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* The whole file in fresh anonymous memory, read-only once filled. */
static int read_copy(const char *path, void **out, size_t *len, struct sd_error *err)
{
	int fd;
	struct stat st;
	int rc = srv_loadfile_open(path, "snapshot", &fd, &st, err);
	if (rc)
		return rc;
	size_t size = (size_t)st.st_size;
	if (size == 0) {
		close(fd);
		return sd_error_set(err, SD_ETRUNC, "%s: not a sighted snapshot (empty)",
				    path);
	}
	/* 2 MB-aligned and advised for transparent huge pages: a lookup in a
	 * large snapshot then seldom misses the TLB (anonymous memory gets 4K
	 * pages otherwise; bench/db.sh measures both). The slack around the
	 * aligned span is unmapped, so the copy is munmap'd by its size. */
	size_t huge = (size_t)2 << 20, page = (size_t)sysconf(_SC_PAGESIZE);
	size_t span = (size + page - 1) / page * page;
	char *raw = mmap(NULL, span + huge, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED) {
		int e = errno;
		close(fd);
		return sd_error_errno(err, e, "%s: no memory for a copy of %zu bytes",
				      path, size);
	}
	char *m = (char *)(((uintptr_t)raw + huge - 1) & ~(uintptr_t)(huge - 1));
	if (m > raw)
		munmap(raw, (size_t)(m - raw));
	if (raw + span + huge > m + span)
		munmap(m + span, (size_t)(raw + span + huge - (m + span)));
	madvise(m, span, MADV_HUGEPAGE);
	rc = srv_loadfile_read(fd, &st, m, path, "snapshot", err);
	close(fd);
	if (rc) {
		munmap(m, size);
		return rc;
	}
	mprotect(m, size, PROT_READ);
	*out = m;
	*len = size;
	return SD_OK;
}

int srv_snap_open(const char *path, struct srv_snap **out, struct sd_error *err)
{
	*out = NULL;
	uint64_t t0 = mono_us();
	void *copy = NULL;
	size_t len = 0;
	int rc = read_copy(path, &copy, &len, err);
	if (rc)
		return rc;
	struct db *db;
	rc = db_open_buffer(copy, len, &db, err);
	if (rc) {
		munmap(copy, len);
		if (err && err->msg[0] == ':') { /* the buffer has no name */
			char msg[sizeof(err->msg)];
			snprintf(msg, sizeof(msg), "%s", err->msg);
			snprintf(err->msg, sizeof(err->msg), "%s%s", path, msg);
		}
		return rc;
	}
	rc = srv_snap_from_db(db, out, err);
	if (rc) {
		munmap(copy, len);
		return rc;
	}
	(*out)->copy = copy;
	(*out)->copy_len = len;
	(*out)->load_us = mono_us() - t0;
	return SD_OK;
}
