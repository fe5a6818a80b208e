/* Reads every record of a capture through the public reader (tel_open with
 * format detection) into copies the tests can search. */
#ifndef SD_TESTS_PCAP_COLLECT_H
#define SD_TESTS_PCAP_COLLECT_H

#include "io/source.h"
#include "net/addr.h"
#include "telemetry/reader.h"

struct crec {
	enum tel_kind kind;
	char client[NET_ADDR_STRLEN], server[NET_ADDR_STRLEN];
	unsigned cport, sport, proto, flags;
	char name[1100], path[2048];
	char answers[16][NET_ADDR_STRLEN];
	size_t nanswers;
	uint64_t bytes, packets, position;
	int64_t ts;
};

struct collect {
	struct crec *r;
	size_t n;
	int open_rc, rc; /* rc: what the last tel_next returned */
	struct sd_error err;
	struct tel_stats stats;
	char reports[64][600];
	size_t nreports;
};

static inline void collect_report(void *ctx, const char *where, const char *why)
{
	struct collect *c = ctx;
	if (c->nreports < 64)
		snprintf(c->reports[c->nreports++], sizeof(c->reports[0]), "%s: %s", where, why);
}

static inline struct collect *collect(const char *path)
{
	struct collect *c = calloc(1, sizeof(*c));
	assert_non_null(c);
	struct io_source *src;
	c->open_rc = io_open(path, &src, &c->err);
	if (c->open_rc)
		return c;
	struct tel_reader *rd;
	c->open_rc = tel_open(src, NULL, &rd, &c->err);
	if (c->open_rc)
		return c;
	assert_int_equal(tel_format_of(rd), TEL_FMT_PCAP);
	tel_set_report(rd, collect_report, c);
	struct tel_record rec;
	size_t cap = 0;
	while ((c->rc = tel_next(rd, &rec, &c->err)) == 1) {
		if (c->n == cap) {
			cap = cap ? cap * 2 : 64;
			c->r = realloc(c->r, cap * sizeof(*c->r));
			assert_non_null(c->r);
		}
		struct crec *o = &c->r[c->n++];
		memset(o, 0, sizeof(*o));
		o->kind = rec.kind;
		net_addr_format(&rec.client, o->client, sizeof(o->client));
		net_addr_format(&rec.server, o->server, sizeof(o->server));
		o->cport = rec.client_port;
		o->sport = rec.server_port;
		o->proto = rec.proto;
		o->flags = rec.flags;
		assert_true(rec.name_len < sizeof(o->name));
		if (rec.name_len)
			memcpy(o->name, rec.name, rec.name_len);
		assert_true(rec.path_len < sizeof(o->path));
		if (rec.path_len)
			memcpy(o->path, rec.path, rec.path_len);
		assert_true(rec.nanswers <= 16);
		for (size_t i = 0; i < rec.nanswers; i++)
			net_addr_format(&rec.answers[i], o->answers[i], sizeof(o->answers[i]));
		o->nanswers = rec.nanswers;
		o->bytes = rec.bytes;
		o->packets = rec.packets;
		o->position = rec.position;
		o->ts = rec.ts;
	}
	c->stats = *tel_stats(rd);
	tel_close(rd);
	return c;
}

static inline void collect_free(struct collect *c)
{
	free(c->r);
	free(c);
}

static inline size_t count_kind(const struct collect *c, enum tel_kind k)
{
	size_t n = 0;
	for (size_t i = 0; i < c->n; i++)
		n += c->r[i].kind == k;
	return n;
}

/* Records of kind k from client (NULL: any) for name (NULL: any). */
static inline size_t count_rec(const struct collect *c, enum tel_kind k, const char *client,
			const char *name)
{
	size_t n = 0;
	for (size_t i = 0; i < c->n; i++)
		n += c->r[i].kind == k && (!client || !strcmp(c->r[i].client, client)) &&
		     (!name || !strcmp(c->r[i].name, name));
	return n;
}

static inline const struct crec *find_rec(const struct collect *c, enum tel_kind k,
				   const char *client, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->r[i].kind == k && (!client || !strcmp(c->r[i].client, client)) &&
		    (!name || !strcmp(c->r[i].name, name)))
			return &c->r[i];
	return NULL;
}

#endif
