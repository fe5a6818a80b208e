/* Opening a snapshot. Nothing in the file is trusted until validate() has
 * checked it: sizes, every offset and count (with overflow-safe arithmetic,
 * `len > size - off`, never `off + len > size`), sort order, the key-line
 * layout and the checksum. After that the query code reads the
 * mapping without further checks. */
#include "db/reader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "core/limits.h"
#include "db/inputs.h"

static int corrupt(struct sd_error *err, const struct db *db, const char *what)
{
	return sd_error_set(err, SD_ECORRUPT, "%s: corrupt snapshot: %s",
			    db->path ? db->path : "(buffer)", what);
}

/* Bytes [off, off + len) lie inside a region of `size` bytes. */
static bool in_bounds(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

static int validate_sections(struct db *db, struct sd_error *err)
{
	const struct db_header *h = db->hdr;
	if (h->nsections != DB_SEC_MAX)
		return corrupt(err, db, "unexpected number of sections");
	static const size_t unit[DB_SEC_MAX + 1] = {
	    [DB_SEC_STRINGS] = sizeof(struct db_string_rec),
	    [DB_SEC_BLOB] = 1,
	    [DB_SEC_CAMPAIGNS] = sizeof(struct db_campaign_rec),
	    [DB_SEC_SETS] = 4,
	    [DB_SEC_SETDATA] = 4,
	    [DB_SEC_ATTRS] = sizeof(struct db_attr_rec),
	    [DB_SEC_MULTI] = 4,
	    [DB_SEC_TABLES] = sizeof(struct db_table_rec),
	    [DB_SEC_DATA] = 1,
	    [DB_SEC_INPUTS] = sizeof(struct db_input_rec),
	};
	for (unsigned t = 1; t <= DB_SEC_MAX; t++) {
		uint64_t off = h->sections[t - 1].offset;
		uint64_t size = h->sections[t - 1].size;
		if (h->sections[t - 1].type != t || h->sections[t - 1].reserved)
			return corrupt(err, db, "section directory out of order");
		if (off < h->header_size || off % DB_ALIGN ||
		    !in_bounds(off, size, db->size))
			return corrupt(err, db, "section outside the file");
		if (size % unit[t])
			return corrupt(err, db,
				       "section size not a whole number of records");
		/* sections follow one another without overlapping */
		if (t > 1 && off - h->sections[t - 2].offset < h->sections[t - 2].size)
			return corrupt(err, db, "sections overlap");
		if (t > 1 && off < h->sections[t - 2].offset)
			return corrupt(err, db, "sections out of order");
		db->sec[t] = db->base + off;
		db->secsize[t] = size;
	}
	db->strings = (const void *)db->sec[DB_SEC_STRINGS];
	db->nstrings = db->secsize[DB_SEC_STRINGS] / sizeof(struct db_string_rec);
	db->blob = (const char *)db->sec[DB_SEC_BLOB];
	db->campaigns = (const void *)db->sec[DB_SEC_CAMPAIGNS];
	db->ncampaigns = db->secsize[DB_SEC_CAMPAIGNS] / sizeof(struct db_campaign_rec);
	db->sets = (const void *)db->sec[DB_SEC_SETS];
	db->nsets = db->secsize[DB_SEC_SETS] / 4;
	db->setdata = (const void *)db->sec[DB_SEC_SETDATA];
	db->nsetdata = db->secsize[DB_SEC_SETDATA] / 4;
	db->attrs = (const void *)db->sec[DB_SEC_ATTRS];
	db->nattrs = db->secsize[DB_SEC_ATTRS] / sizeof(struct db_attr_rec);
	db->multi = (const void *)db->sec[DB_SEC_MULTI];
	db->nmulti = db->secsize[DB_SEC_MULTI] / 4;
	db->tables = (const void *)db->sec[DB_SEC_TABLES];
	db->ntables = db->secsize[DB_SEC_TABLES] / sizeof(struct db_table_rec);
	db->inputs = (const void *)db->sec[DB_SEC_INPUTS];
	db->ninputs = db->secsize[DB_SEC_INPUTS] / sizeof(struct db_input_rec);
	return 0;
}

static void input_of(const struct db *db, uint64_t i, struct db_input *out)
{
	const struct db_input_rec *r = &db->inputs[i];
	out->label = db_string(db, r->label);
	out->id = (struct io_ident){r->size,
				    r->start,
				    r->end,
				    {r->head_lo, r->head_hi},
				    {r->content_lo, r->content_hi}};
}

/* After validate_meta (labels are valid strings). */
static int validate_inputs(struct db *db, struct sd_error *err)
{
	struct db_input prev = {0}, cur;
	for (uint64_t i = 0; i < db->ninputs; i++) {
		const struct db_input_rec *r = &db->inputs[i];
		if (r->label >= db->nstrings || r->reserved)
			return corrupt(err, db, "input names a missing string");
		if (r->start > r->end || r->end > r->size)
			return corrupt(err, db, "input range outside its file");
		input_of(db, i, &cur);
		if (i && db_input_cmp(&prev, &cur) >= 0)
			return corrupt(err, db, "inputs out of order or repeated");
		prev = cur;
	}
	return 0;
}

uint64_t db_input_count(const struct db *db)
{
	return db->ninputs;
}

const char *db_input_get(const struct db *db, uint64_t i, struct io_ident *id)
{
	struct db_input in;
	input_of(db, i, &in);
	*id = in.id;
	return in.label;
}

static int validate_meta(struct db *db, struct sd_error *err)
{
	uint64_t blob = db->secsize[DB_SEC_BLOB];
	if (db->nstrings == 0 || db->nstrings > UINT32_MAX)
		return corrupt(err, db, "string table empty or too large");
	for (uint64_t i = 0; i < db->nstrings; i++) {
		const struct db_string_rec *s = &db->strings[i];
		if (!in_bounds(s->offset, (uint64_t)s->length + 1, blob))
			return corrupt(err, db, "string outside the string area");
		if (db->blob[s->offset + s->length] != '\0' ||
		    memchr(db->blob + s->offset, '\0', s->length))
			return corrupt(err, db,
				       "string not terminated or with an embedded NUL");
	}
	if (db->ncampaigns > SD_MAX_CAMPAIGNS)
		return corrupt(err, db, "too many campaigns");
	for (uint64_t i = 0; i < db->ncampaigns; i++) {
		const struct db_campaign_rec *c = &db->campaigns[i];
		if (c->name >= db->nstrings || c->title >= db->nstrings ||
		    c->advisory >= db->nstrings || c->remediation >= db->nstrings)
			return corrupt(err, db, "campaign names a missing string");
		if (c->reserved[0] || c->reserved[1])
			return corrupt(err, db, "campaign reserved fields not zero");
	}
	if (db->nsets == 0 || db->nsets > UINT32_MAX)
		return corrupt(err, db, "source-set table empty or too large");
	for (uint64_t i = 0; i < db->nsets; i++) {
		uint32_t off = db->sets[i];
		if (off >= db->nsetdata)
			return corrupt(err, db, "source set outside its area");
		uint32_t n = db->setdata[off];
		if (n > SD_MAX_SOURCES_PER_SET || n > db->nsetdata - off - 1)
			return corrupt(err, db, "source set too long");
		for (uint32_t k = 0; k < n; k++)
			if (db->setdata[off + 1 + k] >= db->nstrings)
				return corrupt(err, db,
					       "source set names a missing string");
	}
	for (uint64_t i = 0; i < db->nattrs; i++) {
		const struct db_attr_rec *a = &db->attrs[i];
		if (a->campaign >= db->ncampaigns || a->sources >= db->nsets ||
		    a->evidence & ~DB_EV_ALL || a->confidence > DB_CONF_HIGH)
			return corrupt(err, db, "sighting attributes out of range");
	}
	return 0;
}

static int validate_ref(struct db *db, uint32_t ref, struct sd_error *err)
{
	if (!(ref & DB_MULTI_FLAG)) {
		if (ref >= db->nattrs)
			return corrupt(err, db, "entry names missing attributes");
		return 0;
	}
	uint32_t off = ref & ~DB_MULTI_FLAG;
	if (off >= db->nmulti)
		return corrupt(err, db, "entry points outside the sighting area");
	uint32_t n = db->multi[off];
	if (n < 2 || n > SD_MAX_SIGHTINGS_PER_ENTRY ||
	    (uint64_t)n * 4 > db->nmulti - off - 1)
		return corrupt(err, db, "entry has a bad number of sightings");
	const struct db_multi_rec *m = (const void *)(db->multi + off + 1);
	for (uint32_t k = 0; k < n; k++)
		if (m[k].attr >= db->nattrs)
			return corrupt(err, db, "sighting names missing attributes");
	return 0;
}

static uint64_t line_bucket(const struct db_table_rec *t, db_u128 key)
{
	return t->kind == DB_KEY_V4 ? db_bucket_v4((uint32_t)key, t->common, t->buckets)
				    : db_bucket_v6(key, t->common, t->buckets);
}

/* The key lines: ranks count the keys before each line; the keys of line
 * l fill its first ranks[l+1] - ranks[l] slots, strictly ascending over
 * the table, masked to plen, sharing the common prefix; every other slot
 * repeats the last key before it (the first key before any); a key lies
 * in the line of its bucket or, past it, only when every line from its
 * bucket on is full (so a lookup may stop at a line with room); the last
 * line is the last bucket's or the last one holding a key. */
static int validate_lines(struct db *db, const struct db_table_rec *t,
			  const unsigned char *lines, const uint32_t *ranks,
			  struct sd_error *err)
{
	unsigned sig = db_key_sigbits(t->kind, t->plen);
	unsigned width = t->kind == DB_KEY_V4 ? 32 : 128;
	unsigned slots = db_line_slots(t->kind);
	db_u128 all = width == 32 ? (db_u128)UINT32_MAX : ~(db_u128)0;
	db_u128 hostmask = sig == width ? 0 : all >> sig;
	db_u128 cmask = t->common ? (all << (width - t->common)) & all : 0;
	if (ranks[0] != 0 || ranks[t->lines] != t->count)
		return corrupt(err, db, "table ranks do not span the table");
	for (uint64_t l = 0; l < t->lines; l++)
		if (ranks[l] > ranks[l + 1] || ranks[l + 1] - ranks[l] > slots)
			return corrupt(err, db,
				       "table ranks out of order or over a line");
	/* the first key, which the slots before it repeat */
	uint64_t l0 = 0;
	while (ranks[l0 + 1] == 0)
		l0++;
	db_u128 first = db_line_key(t, lines, l0, 0), prev = first;
	uint64_t last_open = UINT64_MAX; /* last line with room, before l */
	uint64_t last_used = 0;
	for (uint64_t l = 0; l < t->lines; l++) {
		unsigned used = ranks[l + 1] - ranks[l];
		for (unsigned s = 0; s < used; s++) {
			db_u128 x = db_line_key(t, lines, l, s);
			if (ranks[l] + s && x <= prev)
				return corrupt(err, db, "table keys not in order");
			if (x & hostmask)
				return corrupt(err, db, "table key has host bits set");
			if ((x ^ first) & cmask)
				return corrupt(
				    err, db,
				    "table key outside the table's common prefix");
			/* IPv4-mapped keys belong to IPv4 tables */
			if (t->kind == DB_KEY_V6 && t->plen >= 96 && (x >> 32) == 0xffff)
				return corrupt(err, db, "IPv4 key in an IPv6 table");
			uint64_t b = line_bucket(t, x);
			if (b > l || (b < l && last_open != UINT64_MAX && last_open >= b))
				return corrupt(
				    err, db, "table key outside the line of its bucket");
			prev = x;
		}
		for (unsigned s = used; s < slots; s++)
			if (db_line_key(t, lines, l, s) != prev)
				return corrupt(
				    err, db,
				    "table line padding is not the key before it");
		if (used < slots)
			last_open = l;
		if (used)
			last_used = l;
	}
	if (t->lines != (last_used + 1 > t->buckets ? last_used + 1 : t->buckets))
		return corrupt(err, db, "table has lines past its last key and bucket");
	return 0;
}

static int validate_table(struct db *db, const struct db_table_rec *t,
			  struct sd_error *err)
{
	uint64_t data = db->secsize[DB_SEC_DATA];
	if (t->reserved8 || t->reserved || t->reserved2)
		return corrupt(err, db, "table reserved field not zero");
	if (t->kind != DB_KEY_V4 && t->kind != DB_KEY_V6)
		return corrupt(err, db, "table of unknown key kind");
	if (t->plen > 128 || (t->kind == DB_KEY_V4 && t->plen < 96))
		return corrupt(err, db, "table prefix length out of range");
	unsigned sig = db_key_sigbits(t->kind, t->plen);
	if (t->count == 0 || t->count > SD_MAX_ENTRIES)
		return corrupt(err, db, "table entry count out of range");
	/* a greedy layout never needs more lines than buckets plus count */
	if (t->common > sig || t->buckets == 0 || t->buckets > t->count ||
	    t->lines < t->buckets || t->lines > t->buckets + t->count)
		return corrupt(err, db, "table line shape out of range");
	/* count <= 1e9 and lines <= 2e9, so these products cannot overflow */
	if (t->keys % DB_ALIGN || t->ranks % 4 || t->values % 16 ||
	    !in_bounds(t->keys, t->lines * db_line_bytes(t->kind), data) ||
	    !in_bounds(t->ranks, (t->lines + 1) * 4, data) ||
	    !in_bounds(t->values, t->count * sizeof(struct db_value_rec), data))
		return corrupt(err, db, "table outside the data area");

	const unsigned char *base = db->sec[DB_SEC_DATA];
	const struct db_value_rec *val = (const void *)(base + t->values);
	int rc =
	    validate_lines(db, t, base + t->keys, (const void *)(base + t->ranks), err);
	if (rc)
		return rc;
	for (uint64_t i = 0; i < t->count; i++) {
		rc = validate_ref(db, val[i].ref, err);
		if (rc)
			return rc;
	}
	return 0;
}

static int validate(struct db *db, struct sd_error *err)
{
	if (db->size < sizeof(struct db_header))
		return sd_error_set(err, SD_ETRUNC,
				    "%s: not a sighted snapshot (only %zu bytes)",
				    db->path ? db->path : "(buffer)", db->size);
	const struct db_header *h = db->hdr = (const void *)db->base;
	if (memcmp(h->magic, DB_MAGIC, 8) != 0)
		return sd_error_set(err, SD_ECORRUPT,
				    "%s: not a sighted snapshot (bad magic)",
				    db->path ? db->path : "(buffer)");
	if (h->version != DB_VERSION)
		return sd_error_set(
		    err, SD_EVERSION,
		    "%s: snapshot format version %u, this sighted reads %u%s",
		    db->path ? db->path : "(buffer)", h->version, DB_VERSION,
		    h->version < DB_VERSION
			? " (an older format: version 1 has no input provenance, "
			  "version 2 no key lines): rebuild it with sighted import, "
			  "correlate or merge of rebuilt shards"
			: "");
	if (h->header_size != sizeof(struct db_header))
		return corrupt(err, db, "header size mismatch");
	/* reserved fields must be zero so that a later version can give
	 * them meaning without old readers misreading new files */
	if (h->flags || h->reserved[0] || h->reserved[1])
		return corrupt(err, db, "header flags or reserved fields not zero");
	if (h->file_size != db->size)
		return sd_error_set(err,
				    h->file_size > db->size ? SD_ETRUNC : SD_ECORRUPT,
				    "%s: snapshot is %zu bytes but its header says %llu "
				    "(truncated or appended to)",
				    db->path ? db->path : "(buffer)", db->size,
				    (unsigned long long)h->file_size);
	/* the body hash is both half of the checksum and the content id */
	db->content_hash = XXH3_64bits(db->base + sizeof(*h), db->size - sizeof(*h));
	if (db_checksum_parts(h, db->content_hash) != h->checksum)
		return sd_error_set(err, SD_ECHECKSUM,
				    "%s: snapshot checksum mismatch (file damaged)",
				    db->path ? db->path : "(buffer)");
	int rc;
	if ((rc = validate_sections(db, err)) || (rc = validate_meta(db, err)) ||
	    (rc = validate_inputs(db, err)))
		return rc;
	if (db->ntables > 2 * 129)
		return corrupt(err, db, "too many tables");
	uint64_t total = 0;
	for (uint64_t i = 0; i < db->ntables; i++) {
		const struct db_table_rec *t = &db->tables[i];
		/* tables are ordered by kind, then most specific first, so the
		 * first hit of a cover query is the longest match */
		if (i) {
			const struct db_table_rec *p = &db->tables[i - 1];
			if (p->kind > t->kind ||
			    (p->kind == t->kind && p->plen <= t->plen))
				return corrupt(err, db, "tables out of order");
		}
		if ((rc = validate_table(db, t, err)))
			return rc;
		total += t->count;
	}
	if (total != h->entries)
		return corrupt(err, db, "entry count disagrees with tables");
	return 0;
}

static int finish_open(struct db *db, struct db **out, struct sd_error *err)
{
	int rc = validate(db, err);
	if (rc) {
		db_close(db);
		return rc;
	}
	db_v4_probe_init(db);
	*out = db;
	return 0;
}

int db_open_buffer(const void *buf, size_t size, struct db **out, struct sd_error *err)
{
	*out = NULL;
	struct db *db = calloc(1, sizeof(*db));
	if (!db)
		return sd_error_set(err, SD_ENOMEM, "out of memory");
	db->base = buf;
	db->size = size;
	return finish_open(db, out, err);
}

static int map_file(int fd, const struct db *db, void **out, struct sd_error *err)
{
	void *m = mmap(NULL, db->size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED)
		return sd_error_errno(err, errno, "%s: cannot map snapshot", db->path);
	*out = m;
	return 0;
}

/* The file read into anonymous memory, 2 MB-aligned and advised for
 * transparent huge pages (as serve holds its copy), then made read-only
 * like a mapping. The slack around the aligned span is unmapped, so
 * db_close's munmap by the file size frees it. */
static int copy_huge(int fd, const struct db *db, void **out, struct sd_error *err)
{
	size_t huge = (size_t)2 << 20, page = (size_t)sysconf(_SC_PAGESIZE);
	size_t span = (db->size + page - 1) / page * page;
	if (span < db->size || span + huge < span)
		return sd_error_set(err, SD_ENOMEM, "%s: snapshot too large to copy",
				    db->path);
	char *raw = mmap(NULL, span + huge, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED)
		return sd_error_errno(err, errno, "%s: no memory for a copy of %zu bytes",
				      db->path, db->size);
	char *m = (char *)(((uintptr_t)raw + huge - 1) & ~(uintptr_t)(huge - 1));
	if (m > raw)
		munmap(raw, (size_t)(m - raw));
	if (raw + span + huge > m + span)
		munmap(m + span, (size_t)(raw + span + huge - (m + span)));
	madvise(m, span, MADV_HUGEPAGE); /* a hint: 4K pages if refused */
	size_t got = 0;
	int e = 0;
	while (got < db->size) {
		ssize_t k = pread(fd, m + got, db->size - got, (off_t)got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			e = k < 0 ? errno : 0;
			break;
		}
		got += (size_t)k;
	}
	if (got < db->size) {
		munmap(m, span);
		if (e)
			return sd_error_errno(err, e, "%s: cannot read snapshot",
					      db->path);
		/* validation would report a short file; say why it is short */
		return sd_error_set(err, SD_ETRUNC,
				    "%s: snapshot shrank from %zu to %zu bytes while "
				    "it was read",
				    db->path, db->size, got);
	}
	mprotect(m, span, PROT_READ);
	*out = m;
	return 0;
}

int db_open_flags(const char *path, unsigned flags, struct db **out, struct sd_error *err)
{
	*out = NULL;
	struct db *db = calloc(1, sizeof(*db));
	if (!db || !(db->path = strdup(path))) {
		free(db);
		return sd_error_set(err, SD_ENOMEM, "out of memory");
	}
	/* O_NONBLOCK: opening a FIFO must not wait for a writer forever; a
	 * regular file ignores the flag */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		int e = errno;
		db_close(db);
		return sd_error_errno(err, e, "%s: cannot open snapshot", path);
	}
	struct stat st;
	if (fstat(fd, &st) != 0) {
		int e = errno;
		close(fd);
		db_close(db);
		return sd_error_errno(err, e, "%s: cannot stat snapshot", path);
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		db_close(db);
		return sd_error_set(err, SD_ECORRUPT,
				    "%s: not a regular file (%s): a snapshot is a file",
				    path,
				    S_ISDIR(st.st_mode)	   ? "a directory"
				    : S_ISCHR(st.st_mode)  ? "a character device"
				    : S_ISBLK(st.st_mode)  ? "a block device"
				    : S_ISFIFO(st.st_mode) ? "a FIFO"
				    : S_ISSOCK(st.st_mode) ? "a socket"
							   : "not a file");
	}
	db->size = (size_t)st.st_size;
	db->ino = st.st_ino;
	db->mtime = st.st_mtim;
	if (db->size < sizeof(struct db_header)) {
		close(fd);
		int rc = sd_error_set(err, SD_ETRUNC,
				      "%s: not a sighted snapshot (only %zu bytes)", path,
				      db->size);
		db_close(db);
		return rc;
	}
	void *m = NULL;
	int rc = flags & DB_OPEN_HUGE_PAGES ? copy_huge(fd, db, &m, err)
					    : map_file(fd, db, &m, err);
	close(fd);
	if (rc) {
		db_close(db);
		return rc;
	}
	db->base = m;
	db->mapped = true;
	return finish_open(db, out, err);
}

int db_open(const char *path, struct db **out, struct sd_error *err)
{
	return db_open_flags(path, 0, out, err);
}

void db_close(struct db *db)
{
	if (!db)
		return;
	if (db->mapped)
		munmap((void *)db->base, db->size);
	free(db->path);
	free(db);
}

uint64_t db_build_time(const struct db *db)
{
	return db->hdr->build_time;
}
void db_content_id(const struct db *db, char out[DB_CONTENT_ID_STRLEN])
{
	snprintf(out, DB_CONTENT_ID_STRLEN, "%016llx",
		 (unsigned long long)db->content_hash);
}

uint32_t db_format_version(const struct db *db)
{
	return db->hdr->version;
}

uint64_t db_entry_count(const struct db *db)
{
	return db->hdr->entries;
}
uint64_t db_file_size(const struct db *db)
{
	return db->size;
}
const char *db_path(const struct db *db)
{
	return db->path ? db->path : "";
}

const char *db_string(const struct db *db, uint32_t id)
{
	if (id >= db->nstrings)
		return "";
	return db->blob + db->strings[id].offset;
}

uint32_t db_campaign_count(const struct db *db)
{
	return (uint32_t)db->ncampaigns;
}

int db_campaign_get(const struct db *db, uint32_t id, struct db_campaign *out)
{
	if (id >= db->ncampaigns)
		return SD_ENOTFOUND;
	const struct db_campaign_rec *c = &db->campaigns[id];
	out->name = db_string(db, c->name);
	out->title = db_string(db, c->title);
	out->advisory = db_string(db, c->advisory);
	out->remediation = db_string(db, c->remediation);
	out->window_start = c->window_start;
	out->window_end = c->window_end;
	return 0;
}

int db_campaign_find(const struct db *db, const char *name)
{
	for (uint32_t i = 0; i < db->ncampaigns; i++)
		if (strcmp(db_string(db, db->campaigns[i].name), name) == 0)
			return (int)i;
	return -1;
}

uint32_t db_sourceset_size(const struct db *db, uint32_t set)
{
	if (set >= db->nsets)
		return 0;
	return db->setdata[db->sets[set]];
}

const char *db_sourceset_item(const struct db *db, uint32_t set, uint32_t i)
{
	if (set >= db->nsets || i >= db->setdata[db->sets[set]])
		return "";
	return db_string(db, db->setdata[db->sets[set] + 1 + i]);
}
