#include "correlate/jsonl.h"

#include <string.h>

#include "core/evidence.h"
#include "core/timeutil.h"
#include "core/utf8.h"

bool corr_json_string(struct sd_buf *b, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n = strlen(str);
	for (size_t i = 0; i < n;) {
		size_t l = sd_utf8_len(s + i, n - i);
		if (!l)
			return false;
		i += l;
	}
	sd_buf_putc(b, '"');
	size_t run = 0; /* start of the bytes not yet copied */
	for (size_t i = 0; i < n; i++) {
		unsigned c = s[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		sd_buf_put(b, s + run, i - run);
		run = i + 1;
		char esc[8];
		const char *t = NULL;
		switch (c) {
		case '"':
			t = "\\\"";
			break;
		case '\\':
			t = "\\\\";
			break;
		case '\b':
			t = "\\b";
			break;
		case '\f':
			t = "\\f";
			break;
		case '\n':
			t = "\\n";
			break;
		case '\r':
			t = "\\r";
			break;
		case '\t':
			t = "\\t";
			break;
		default: {
			static const char hex[] = "0123456789ABCDEF";
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			esc[6] = '\0';
			t = esc;
		}
		}
		sd_buf_puts(b, t);
	}
	sd_buf_put(b, s + run, n - run);
	sd_buf_putc(b, '"');
	return true;
}

/* "key":"value" after a comma unless first; the key is left out with a
 * value that is not valid UTF-8, as jansson leaves it out of the object. */
static void field_str(struct sd_buf *b, const char *key, const char *value, bool *first)
{
	size_t mark = b->len;
	if (!*first)
		sd_buf_putc(b, ',');
	sd_buf_putc(b, '"');
	sd_buf_puts(b, key);
	sd_buf_put(b, "\":", 2);
	if (!corr_json_string(b, value)) {
		if (!b->failed)
			b->len = mark;
		return;
	}
	*first = false;
}

static void field_raw(struct sd_buf *b, const char *key, const char *raw, bool *first)
{
	if (!*first)
		sd_buf_putc(b, ',');
	sd_buf_putc(b, '"');
	sd_buf_puts(b, key);
	sd_buf_put(b, "\":", 2);
	sd_buf_puts(b, raw);
	*first = false;
}

static void field_time(struct sd_buf *b, const char *key, int64_t t, bool *first)
{
	char buf[SD_TIME_STRLEN];
	if (!t) {
		field_raw(b, key, "null", first);
		return;
	}
	sd_time_format(t, buf, sizeof(buf));
	field_str(b, key, buf, first);
}

void corr_line_render(const struct corr_line *l, struct sd_buf *b)
{
	const struct corr_sighting *m = l->s;
	const struct ind_indicator *d = l->ind;
	bool first = true;
	char addr[NET_ADDR_STRLEN];
	sd_buf_putc(b, '{');
	net_addr_format(&m->client, addr, sizeof(addr));
	field_str(b, "client", addr, &first);
	field_str(b, "campaign", l->campaign, &first);
	field_str(b, "indicator", d->value, &first);
	field_str(b, "indicator_kind", ind_kind_name(d->kind), &first);
	if (d->campaign)
		field_str(b, "indicator_campaign", d->campaign, &first);
	else
		field_raw(b, "indicator_campaign", "null", &first);
	field_time(b, "first_seen", m->first_seen, &first);
	field_time(b, "last_seen", m->last_seen, &first);
	field_raw(b, "count", "", &first);
	sd_buf_i64(b, (int64_t)m->count);
	/* evidence: its kinds' names, each a JSON string */
	char ev[64];
	db_evidence_format(m->evidence, ev, sizeof(ev));
	field_raw(b, "evidence", "[", &first);
	for (char *save = NULL, *t = strtok_r(ev, ",", &save); t;
	     t = strtok_r(NULL, ",", &save)) {
		if (t != ev)
			sd_buf_putc(b, ',');
		corr_json_string(b, t); /* a name of ours: plain ASCII */
	}
	sd_buf_putc(b, ']');
	field_str(b, "confidence", db_confidence_name(m->confidence), &first);
	field_str(b, "direction",
		  m->dirs == 2	 ? "inbound"
		  : m->dirs == 3 ? "both"
				 : "outbound",
		  &first);
	if (m->has_server) {
		net_addr_format(&m->server, addr, sizeof(addr));
		field_str(b, "server", addr, &first);
		field_raw(b, "server_port", "", &first);
		sd_buf_u64(b, m->server_port);
	}
	field_raw(b, "sources", "[", &first);
	bool sfirst = true;
	for (size_t k = 0; k < l->nsources; k++) {
		size_t mark = b->len;
		if (!sfirst)
			sd_buf_putc(b, ',');
		if (corr_json_string(b, l->sources[k]))
			sfirst = false;
		else if (!b->failed)
			b->len = mark;
	}
	sd_buf_put(b, "]}\n", 3);
}
