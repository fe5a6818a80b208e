/* jansson helpers shared by the JSON readers (Zeek JSON, Suricata EVE). */
#ifndef SD_TELEMETRY_JSON_UTIL_H
#define SD_TELEMETRY_JSON_UTIL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "net/addr.h"

/* A string member as a slice; false when absent or not a string. */
bool tj_str(json_t *o, const char *key, const char **s, size_t *n);
/* A non-negative integer member (a number, or digits in a string). */
bool tj_u64(json_t *o, const char *key, uint64_t *v);
/* A port member: true with *port 0 when absent or null, true with an
 * integer 0-65535 (a number, or digits in a string), false for anything
 * else -- a larger number is never cut to 16 bits. */
bool tj_port(json_t *o, const char *key, uint16_t *port);
/* A time member: epoch number, epoch string or ISO 8601 string. */
bool tj_time(json_t *o, const char *key, int64_t *t);
/* An address member; false when absent or not an address. */
bool tj_addr(json_t *o, const char *key, struct net_addr *a);
/* Parses one line as a JSON object; NULL with *why on failure. */
json_t *tj_parse_object(const char *line, size_t len, char *why, size_t why_size);

#endif
