#include "telemetry/json_util.h"

#include <math.h>
#include <stdio.h>

#include "telemetry/field.h"

bool tj_str(json_t *o, const char *key, const char **s, size_t *n)
{
	json_t *v = json_object_get(o, key);
	if (!json_is_string(v))
		return false;
	*s = json_string_value(v);
	*n = json_string_length(v);
	return true;
}

bool tj_u64(json_t *o, const char *key, uint64_t *out)
{
	json_t *v = json_object_get(o, key);
	if (json_is_integer(v)) {
		json_int_t i = json_integer_value(v);
		if (i < 0)
			return false;
		*out = (uint64_t)i;
		return true;
	}
	const char *s;
	size_t n;
	return tj_str(o, key, &s, &n) && tel_parse_u64(s, n, out);
}

bool tj_port(json_t *o, const char *key, uint16_t *port)
{
	json_t *v = json_object_get(o, key);
	uint64_t u;
	*port = 0;
	if (!v || json_is_null(v))
		return true;
	if (!tj_u64(o, key, &u) || u > 65535)
		return false;
	*port = (uint16_t)u;
	return true;
}

bool tj_time(json_t *o, const char *key, int64_t *t)
{
	json_t *v = json_object_get(o, key);
	if (json_is_number(v)) {
		double d = json_number_value(v);
		if (!isfinite(d) || d < 0 || d > 1e12)
			return false;
		*t = (int64_t)d;
		return true;
	}
	const char *s, *why;
	size_t n;
	return tj_str(o, key, &s, &n) && tel_parse_time(s, n, t, &why);
}

bool tj_addr(json_t *o, const char *key, struct net_addr *a)
{
	const char *s;
	size_t n;
	return tj_str(o, key, &s, &n) && tel_addr(s, n, a);
}

json_t *tj_parse_object(const char *line, size_t len, char *why, size_t why_size)
{
	json_error_t e;
	json_t *j = json_loadb(line, len, JSON_ALLOW_NUL, &e);
	if (!j) {
		snprintf(why, why_size, "not valid JSON (column %d: %s)", e.column,
			 e.text);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		snprintf(why, why_size, "JSON value is not an object");
		return NULL;
	}
	return j;
}
