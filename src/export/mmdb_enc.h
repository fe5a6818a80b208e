/* Encoding of MaxMind DB data fields (MaxMind DB format 2.0, "Output Data
 * Section"): a growable big-endian byte buffer with one function per type. */
#ifndef SD_EXPORT_MMDB_ENC_H
#define SD_EXPORT_MMDB_ENC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mmdb_buf {
	uint8_t *p;
	size_t n, cap;
	bool oom; /* sticky: set by the first failed growth */
};

enum mmdb_type {
	MMDB_T_POINTER = 1,
	MMDB_T_STRING = 2,
	MMDB_T_UINT16 = 5,
	MMDB_T_UINT32 = 6,
	MMDB_T_MAP = 7,
	MMDB_T_UINT64 = 9,
	MMDB_T_ARRAY = 11,
	MMDB_T_BOOLEAN = 14,
};

void mmdb_buf_free(struct mmdb_buf *b);
void mmdb_put(struct mmdb_buf *b, const void *p, size_t n);
/* Control byte(s) for a field of this type and size (payload bytes for
 * strings and integers, pairs for maps, elements for arrays). */
void mmdb_ctrl(struct mmdb_buf *b, unsigned type, size_t size);
void mmdb_string(struct mmdb_buf *b, const char *s, size_t n);
void mmdb_cstring(struct mmdb_buf *b, const char *s);
/* Unsigned integer of type MMDB_T_UINT16/32/64 in the fewest bytes. */
void mmdb_uint(struct mmdb_buf *b, unsigned type, uint64_t v);
void mmdb_bool(struct mmdb_buf *b, bool v);
/* A pointer to offset off of the data section. */
void mmdb_pointer(struct mmdb_buf *b, uint32_t off);

#endif
