/* Byte ranges on arbitrary files: the first two bytes pick a cut point
 * (per mille of the size) and the header rule; the lines read from [0, cut)
 * and from [cut, end) are exactly the lines of the whole file, and the
 * identity each range computes while it is read is the one io_ident_file
 * computes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "io/ident.h"
#include "io/source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Lines and bytes of lines read from the range; aborts on a broken rule. */
static void read_range(const char *path, uint64_t hlen, uint64_t start, uint64_t end,
		       uint64_t *lines)
{
	struct io_source *s;
	struct sd_error err = {0};
	if (io_open_range(path, hlen, start, end, &s, &err))
		return;
	const char *line;
	size_t len;
	int rc;
	while ((rc = io_getline(s, &line, &len, &err)) != 0) {
		if (rc < 0 && rc != SD_ELIMIT)
			break;
		(*lines)++;
	}
	struct io_ident streamed, hashed;
	bool complete = rc == 0 && io_ident_of(s, &streamed);
	io_close(s);
	if (complete && io_ident_file(path, start, end, &hashed, &err) == 0 &&
	    memcmp(&streamed, &hashed, sizeof(hashed)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	int fd = memfd_create("fuzz-range", 0);
	if (fd < 0)
		return 0;
	size_t n = size - 2;
	if (n && write(fd, data + 2, n) != (ssize_t)n) {
		close(fd);
		return 0;
	}
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	uint64_t cut = (uint64_t)n * (data[0] % 251) / 250, hlen = 0;
	struct sd_error err = {0};
	if (io_header_len(path, data[1] % 2, &hlen, &err) == 0) {
		uint64_t whole = 0, a = 0, b = 0;
		read_range(path, hlen, 0, UINT64_MAX, &whole);
		read_range(path, hlen, 0, cut, &a);
		read_range(path, hlen, cut, UINT64_MAX, &b);
		/* header lines come with both halves */
		uint64_t hlines = 0;
		for (uint64_t i = 0; i < hlen && i < n; i++)
			hlines += data[2 + i] == '\n';
		if (hlen && hlen <= n && data[2 + hlen - 1] != '\n')
			hlines++; /* the header is the whole file, no last newline */
		if (whole + hlines != a + b && a + b != 0)
			abort();
	}
	close(fd);
	return 0;
}
