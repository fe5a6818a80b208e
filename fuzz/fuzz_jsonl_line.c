/* The --sightings line renderer (correlate/jsonl.h) against jansson, the
 * library it stands in for: from arbitrary bytes, a sighting, its
 * indicator, campaign and source labels (any bytes: invalid UTF-8, quotes,
 * control characters), rendered both ways; the bytes must be the same.
 * The jansson side builds the object as correlate did before. The line
 * is rendered once without a cache (corr_line_render) and twice through
 * one (corr_jsonl_line: the second time from the texts kept the first). */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/evidence.h"
#include "core/timeutil.h"
#include "correlate/jsonl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct cursor {
	const uint8_t *p;
	size_t n;
};

static uint64_t take(struct cursor *c, size_t bytes)
{
	uint64_t v = 0;
	for (size_t i = 0; i < bytes; i++) {
		v = v << 8 | (c->n ? *c->p : 0);
		if (c->n) {
			c->p++;
			c->n--;
		}
	}
	return v;
}

/* A NUL-terminated text of up to 31 bytes (never a NUL inside). */
static void text(struct cursor *c, char out[32])
{
	size_t len = take(c, 1) % 32, k = 0;
	for (size_t i = 0; i < len && c->n; i++) {
		char ch = (char)take(c, 1);
		if (ch)
			out[k++] = ch;
	}
	out[k] = '\0';
}

static json_t *time_json(int64_t t)
{
	char buf[SD_TIME_STRLEN];
	if (!t)
		return json_null();
	sd_time_format(t, buf, sizeof(buf));
	return json_string(buf);
}

static json_t *with_jansson(const struct corr_line *l)
{
	const struct corr_sighting *m = l->s;
	const struct ind_indicator *d = l->ind;
	json_t *srcs = json_array();
	for (size_t k = 0; k < l->nsources; k++)
		json_array_append_new(srcs, json_string(l->sources[k]));
	char addr[NET_ADDR_STRLEN], ev[64];
	net_addr_format(&m->client, addr, sizeof(addr));
	db_evidence_format(m->evidence, ev, sizeof(ev));
	json_t *evs = json_array();
	for (char *save = NULL, *t = strtok_r(ev, ",", &save); t;
	     t = strtok_r(NULL, ",", &save))
		json_array_append_new(evs, json_string(t));
	json_t *obj = json_object();
	json_object_set_new(obj, "client", json_string(addr));
	json_object_set_new(obj, "campaign", json_string(l->campaign));
	json_object_set_new(obj, "indicator", json_string(d->value));
	json_object_set_new(obj, "indicator_kind", json_string(ind_kind_name(d->kind)));
	json_object_set_new(obj, "indicator_campaign",
			    d->campaign ? json_string(d->campaign) : json_null());
	json_object_set_new(obj, "first_seen", time_json(m->first_seen));
	json_object_set_new(obj, "last_seen", time_json(m->last_seen));
	json_object_set_new(obj, "count", json_integer((json_int_t)m->count));
	json_object_set_new(obj, "evidence", evs);
	json_object_set_new(obj, "confidence",
			    json_string(db_confidence_name(m->confidence)));
	json_object_set_new(obj, "direction",
			    json_string(m->dirs == 2   ? "inbound"
					: m->dirs == 3 ? "both"
						       : "outbound"));
	if (m->has_server) {
		char sv[NET_ADDR_STRLEN];
		net_addr_format(&m->server, sv, sizeof(sv));
		json_object_set_new(obj, "server", json_string(sv));
		json_object_set_new(obj, "server_port", json_integer(m->server_port));
	}
	json_object_set_new(obj, "sources", srcs);
	return obj;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cursor c = {data, size};
	struct corr_sighting m;
	memset(&m, 0, sizeof(m));
	for (int i = 0; i < 16; i++)
		m.client.b[i] = (uint8_t)take(&c, 1);
	if (take(&c, 1) & 1) /* IPv4 half the time */
		memcpy(m.client.b, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12);
	m.first_seen = (int64_t)take(&c, 5) - ((int64_t)1 << 39);
	m.last_seen = (int64_t)take(&c, 5);
	m.count = take(&c, 8);
	m.evidence = (uint8_t)take(&c, 1);
	m.confidence = (uint8_t)(take(&c, 1) & 3);
	m.dirs = (uint8_t)(take(&c, 1) & 3);
	m.has_server = (uint8_t)(take(&c, 1) & 1);
	for (int i = 0; i < 16; i++)
		m.server.b[i] = (uint8_t)take(&c, 1);
	m.server_port = (uint16_t)take(&c, 2);
	char campaign[32], value[32], icamp[32], src[8][32];
	text(&c, campaign);
	text(&c, value);
	text(&c, icamp);
	struct ind_indicator d;
	memset(&d, 0, sizeof(d));
	d.value = value;
	d.kind = (enum ind_kind)(1 + take(&c, 1) % 4);
	d.campaign = take(&c, 1) & 1 ? icamp : NULL;
	const char *srcs[8];
	size_t ns = take(&c, 1) % 9;
	for (size_t k = 0; k < ns; k++) {
		text(&c, src[k]);
		srcs[k] = src[k];
	}
	struct corr_line line = {&m, campaign, &d, srcs, ns};
	struct sd_buf b = {0};
	corr_line_render(&line, &b);
	json_t *obj = with_jansson(&line);
	char *want = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(obj);
	if (!want || b.failed)
		abort();
	size_t wl = strlen(want);
	if (b.len != wl + 1 || memcmp(b.data, want, wl) || b.data[wl] != '\n')
		abort();
	struct corr_jsonl *j = corr_jsonl_new(campaign, 1, srcs, ns);
	uint32_t ids[8];
	for (size_t k = 0; k < ns; k++)
		ids[k] = (uint32_t)k;
	for (int round = 0; round < 2; round++) {
		b.len = 0;
		corr_jsonl_line(j, &m, &d, ids, ns, &b);
		if (b.failed || b.len != wl + 1 || memcmp(b.data, want, wl))
			abort();
	}
	corr_jsonl_free(j);
	free(want);
	sd_buf_free(&b);
	return 0;
}
