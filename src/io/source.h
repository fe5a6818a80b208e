/* A byte source over a file or stdin that decompresses gzip and zstd
 * transparently (detected from the magic bytes, never from the name), with
 * a line reader on top. Streaming, constant memory: one input buffer and
 * one line buffer of at most SD_MAX_LINE bytes (an uncompressed regular
 * file is mapped instead, and its pages given back behind the reader). */
#ifndef SD_IO_SOURCE_H
#define SD_IO_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "io/ident.h"

enum io_compression { IO_PLAIN, IO_GZIP, IO_ZSTD };

struct io_source;

/* gzip and zstd are decompressed on a thread of their own (a bounded ring
 * of windows ahead of the reader); what the reader sees, errors included,
 * is the same byte for byte as decompressing on its own thread, which off
 * selects for the sources opened after the call (tests compare the two). */
void io_decompress_in_background(bool on);
/* An uncompressed regular file (not stdin) is read through a read-only
 * mapping (io/mapped.h), on the reader's thread: no copy, no helper
 * thread, so each reader costs one core. A file that shrinks while read
 * gives SD_ETRUNC ("file shrank while read"); one that grows is read on
 * with read(). off (for tests, which compare the two) reads every file
 * with read() for the sources opened after the call. */
void io_map_regular_files(bool on);

/* path "-" reads stdin. */
int io_open(const char *path, struct io_source **out, struct sd_error *err);
void io_close(struct io_source *src);

const char *io_name(const struct io_source *src);
enum io_compression io_compression(const struct io_source *src);

/* Looks at up to n decompressed bytes without consuming them (for format
 * sniffing); returns how many are available (fewer at end of input). */
size_t io_peek(struct io_source *src, const unsigned char **data, size_t n,
	       struct sd_error *err);

/* Reads up to n decompressed bytes; 0 at end of input, <0 on error (a
 * truncated or corrupt compressed stream is an error that names the file
 * and how much was read). */
long io_read(struct io_source *src, void *buf, size_t n, struct sd_error *err);

/* Next line without its "\n" or "\r\n". Returns 1 with line and len set
 * (valid until the next call), 0 at end of input, or an error. A line
 * longer than SD_MAX_LINE is reported as SD_ELIMIT once and skipped, so the
 * caller can count it and go on. */
int io_getline(struct io_source *src, const char **line, size_t *len,
	       struct sd_error *err);
/* io_getline for a caller that goes by len only: the line is not
 * NUL-terminated (it may lie in a read-only mapping of the file), which
 * saves a copy per line. */
int io_getline_span(struct io_source *src, const char **line, size_t *len,
		    struct sd_error *err);
/* Number of the line last returned, counting from 1. */
uint64_t io_lineno(const struct io_source *src);
/* Decompressed bytes consumed and compressed bytes read from the file. */
uint64_t io_bytes_out(const struct io_source *src);
uint64_t io_bytes_in(const struct io_source *src);
/* Size of the file on disk, 0 when unknown (a pipe). */
uint64_t io_file_size(const struct io_source *src);
/* The modification time (UTC epoch seconds) of the regular file read, a
 * range's whole file included; false for stdin, a pipe or a device. */
bool io_file_mtime(const struct io_source *src, int64_t *out);

/* Reads part of a regular, uncompressed file (refused otherwise, with the
 * reason): its first header_len bytes (a header block every part needs,
 * such as Zeek's #fields; it must end at a line start), then exactly the
 * lines that start inside [start, end) and outside the header block. So
 * ranges that tile a file read each of its lines once. The source is named
 * "path@OFFSET", OFFSET the byte where the range's first line starts, and
 * the range's lines are numbered from 1 (header lines keep their own
 * numbers). */
int io_open_range(const char *path, uint64_t header_len, uint64_t start, uint64_t end,
		  struct io_source **out, struct sd_error *err);
/* Computes the identity of the file (io/ident.h) from the bytes read, as
 * they are read: call right after io_open. SD_EFORMAT when the source is
 * not a regular file (stdin, a pipe). A ranged source always computes the
 * identity of its range (reading up to one block more than its lines). */
int io_ident_begin(struct io_source *src);
/* true with *out set when the identity is complete: every byte it covers
 * was read (to the end of the file, or of the range's blocks). */
bool io_ident_of(struct io_source *src, struct io_ident *out);

/* Length in bytes of a file's header block: its leading lines that start
 * with '#', then extra_lines more lines (a CSV header row). */
int io_header_len(const char *path, unsigned extra_lines, uint64_t *len,
		  struct sd_error *err);

#endif
