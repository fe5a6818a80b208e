/* A read-only mapping of a regular file, for reading it without a copy.
 *
 * A file truncated while it is mapped would raise SIGBUS at the first touch
 * of a page past its new end, and kill the process. So each mapping is
 * registered with a SIGBUS handler (installed once, chaining to the one it
 * replaces for any other fault): a fault inside a registered mapping puts
 * zero pages over the rest of it and marks it, and the reader, which asks
 * io_map_damaged before it trusts bytes past a page it has not seen yet,
 * reports that the file shrank. */
#ifndef SD_IO_MAPPED_H
#define SD_IO_MAPPED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct io_map {
	const unsigned char *data;
	size_t len;
	int slot; /* in the handler's table; -1 when not mapped */
};

/* Maps the first size bytes of the open regular file fd. 0, or a negative
 * SD_* code when the file cannot be mapped (empty, too large for the
 * address space, a file system without mmap, the table of mappings full):
 * the caller then reads it with read(). */
int io_map_open(int fd, uint64_t size, struct io_map *m);
void io_map_close(struct io_map *m);
/* true once a page of the mapping faulted (the file shrank under it): the
 * bytes from that page on read as zeros. */
bool io_map_damaged(const struct io_map *m);
/* How far ahead of the reader the file is asked for (read ahead). */
#define IO_MAP_AHEAD (32u * 1024u * 1024u)
/* The reader moved from from to upto: asks the kernel for the bytes as
 * far ahead (MADV_WILLNEED) of them. */
void io_map_ahead(struct io_map *m, size_t from, size_t upto);
/* Gives back the memory of [from, upto) (whole pages inside it): read again,
 * it comes back from the page cache. Keeps the resident set of a long
 * sequential read small. */
void io_map_release(struct io_map *m, size_t from, size_t upto);

#endif
