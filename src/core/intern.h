/* Interning of byte strings: each distinct byte sequence gets a dense id
 * (0, 1, 2, ...) in order of first appearance. Used by the snapshot builder
 * for strings, source sets and attribute records, so that equal values are
 * stored once and compared by id. */
#ifndef SD_CORE_INTERN_H
#define SD_CORE_INTERN_H

#include <stddef.h>
#include <stdint.h>

struct sd_intern;

struct sd_intern *sd_intern_new(void);
void sd_intern_free(struct sd_intern *in);
/* Returns 0 and sets *id, or SD_ENOMEM / SD_ELIMIT (more than 2^32-2). */
int sd_intern_put(struct sd_intern *in, const void *data, size_t len, uint32_t *id);
/* Returns 0 and sets *id if present, SD_ENOTFOUND otherwise. */
int sd_intern_find(const struct sd_intern *in, const void *data, size_t len,
		   uint32_t *id);
uint32_t sd_intern_count(const struct sd_intern *in);
/* Bytes of id; valid until the next put. */
/* len may be NULL. */
const void *sd_intern_get(const struct sd_intern *in, uint32_t id, size_t *len);

#endif
