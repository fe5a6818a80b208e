/* The names of evidence kinds and confidence levels, both ways. */
#include "core/evidence.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

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
