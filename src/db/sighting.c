#include "db/sighting.h"

#include <stdio.h>
#include <string.h>

#include "core/error.h"

static const char *const evidence_names[] = {"list", "dns", "flow", "tls", "http"};

const char *db_evidence_name(unsigned bit)
{
	for (unsigned i = 0; i < 5; i++)
		if (bit == 1u << i)
			return evidence_names[i];
	return "?";
}

size_t db_evidence_format(unsigned evidence, char *buf, size_t size)
{
	size_t pos = 0;
	if (size)
		buf[0] = '\0';
	for (unsigned i = 0; i < 5; i++) {
		if (!(evidence & (1u << i)))
			continue;
		int n = snprintf(buf + pos, size - pos, "%s%s", pos ? "," : "",
				 evidence_names[i]);
		if (n < 0 || (size_t)n >= size - pos)
			break;
		pos += (size_t)n;
	}
	return pos;
}

unsigned db_evidence_parse(const char *s, size_t n)
{
	for (unsigned i = 0; i < 5; i++)
		if (strlen(evidence_names[i]) == n &&
		    strncasecmp(evidence_names[i], s, n) == 0)
			return 1u << i;
	return 0;
}

const char *db_confidence_name(unsigned c)
{
	switch (c) {
	case DB_CONF_LOW:
		return "low";
	case DB_CONF_MEDIUM:
		return "medium";
	case DB_CONF_HIGH:
		return "high";
	}
	return "unknown";
}

int db_confidence_parse(const char *s, size_t n, uint8_t *out)
{
	static const char *const names[] = {"unknown", "low", "medium", "high"};
	for (uint8_t i = 0; i < 4; i++) {
		if ((strlen(names[i]) == n && strncasecmp(names[i], s, n) == 0) ||
		    (n == 1 && s[0] == '0' + i)) {
			*out = i;
			return 0;
		}
	}
	return SD_EPARSE;
}

static uint32_t min_known(uint32_t a, uint32_t b)
{
	if (!a)
		return b;
	if (!b)
		return a;
	return a < b ? a : b;
}

void db_sighting_combine(struct db_sighting *into, const struct db_sighting *s)
{
	into->first_seen = min_known(into->first_seen, s->first_seen);
	into->last_seen = into->last_seen > s->last_seen ? into->last_seen : s->last_seen;
	/* saturating: still associative and commutative, never wraps */
	into->count =
	    s->count > UINT32_MAX - into->count ? UINT32_MAX : into->count + s->count;
	into->evidence |= s->evidence;
	if (s->confidence > into->confidence)
		into->confidence = s->confidence;
}
