/* Reads every record of a telemetry file into owned copies, for tests. */
#ifndef SD_TESTS_TELUTIL_H
#define SD_TESTS_TELUTIL_H

#include <string.h>

#include "io/source.h"
#include "net/addr.h"
#include "telemetry/reader.h"

struct trec {
	int64_t ts;
	enum tel_kind kind;
	unsigned flags;
	char client[NET_ADDR_STRLEN], server[NET_ADDR_STRLEN];
	uint16_t cport, sport;
	uint8_t proto;
	char name[256], path[512];
	char answers[512];
	uint64_t bytes, packets, pos;
};

struct tfile {
	struct trec *r;
	size_t n;
	enum tel_format fmt;
	struct tel_stats st;
	int rc;               /* last tel_next / open result */
	struct sd_error err;
	char reports[8][700]; /* first reports: "where: why" */
	size_t nreports;
};

static void tf_report(void *ctx, const char *where, const char *why)
{
	struct tfile *t = ctx;
	if (t->nreports < 8)
		snprintf(t->reports[t->nreports], sizeof(t->reports[0]), "%s: %s", where, why);
	t->nreports++;
}

static void tf_copy(char *dst, size_t size, const char *s, size_t n)
{
	if (n >= size)
		n = size - 1;
	memcpy(dst, s, n);
	dst[n] = 0;
}

/* rc 0 when the file was read to its end; otherwise t->rc and t->err. */
static inline int tf_read(struct tfile *t, const char *path, const struct tel_options *opt)
{
	memset(t, 0, sizeof(*t));
	struct io_source *src;
	struct tel_reader *r;
	if ((t->rc = io_open(path, &src, &t->err)) ||
	    (t->rc = tel_open(src, opt, &r, &t->err)))
		return t->rc;
	tel_set_report(r, tf_report, t);
	struct tel_record rec;
	size_t cap = 0;
	while ((t->rc = tel_next(r, &rec, &t->err)) == 1) {
		if (t->n == cap) {
			cap = cap ? cap * 2 : 64;
			t->r = realloc(t->r, cap * sizeof(*t->r));
		}
		struct trec *o = &t->r[t->n++];
		memset(o, 0, sizeof(*o));
		o->ts = rec.ts;
		o->kind = rec.kind;
		o->flags = rec.flags;
		if (rec.flags & TEL_HAS_CLIENT)
			net_addr_format(&rec.client, o->client, sizeof(o->client));
		if (rec.flags & TEL_HAS_SERVER)
			net_addr_format(&rec.server, o->server, sizeof(o->server));
		o->cport = rec.client_port;
		o->sport = rec.server_port;
		o->proto = rec.proto;
		tf_copy(o->name, sizeof(o->name), rec.name, rec.name_len);
		tf_copy(o->path, sizeof(o->path), rec.path, rec.path_len);
		for (size_t i = 0; i < rec.nanswers; i++) {
			char b[NET_ADDR_STRLEN];
			net_addr_format(&rec.answers[i], b, sizeof(b));
			if (strlen(o->answers) + strlen(b) + 2 < sizeof(o->answers)) {
				if (i)
					strcat(o->answers, " ");
				strcat(o->answers, b);
			}
		}
		o->bytes = rec.bytes;
		o->packets = rec.packets;
		o->pos = rec.position;
	}
	t->st = *tel_stats(r);
	t->fmt = tel_format_of(r);
	tel_close(r);
	return t->rc;
}

static inline void tf_free(struct tfile *t) { free(t->r); }

/* number of records of a kind (0: any) whose name equals name (NULL: any) */
static inline size_t tf_count(const struct tfile *t, enum tel_kind kind, const char *name)
{
	size_t c = 0;
	for (size_t i = 0; i < t->n; i++)
		if ((!kind || t->r[i].kind == kind) && (!name || !strcmp(t->r[i].name, name)))
			c++;
	return c;
}

static inline const struct trec *tf_find(const struct tfile *t, enum tel_kind kind,
					 const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if ((!kind || t->r[i].kind == kind) && !strcmp(t->r[i].name, name))
			return &t->r[i];
	return NULL;
}

#endif
