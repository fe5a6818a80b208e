/* List importer on arbitrary bytes: the first byte picks the format (auto,
 * plain, CSV, JSONL); every line either yields an entry or a reported bad
 * line, never a crash. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lists/list_reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int fd = memfd_create("fuzz-list", 0);
	if (fd < 0)
		return 0;
	if (size > 1 && write(fd, data + 1, size - 1) != (ssize_t)(size - 1)) {
		close(fd);
		return 0;
	}
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	struct io_source *src;
	struct list_reader *r;
	struct sd_error err = {0};
	if (io_open(path, &src, &err) == 0 &&
	    list_open(src, (enum list_format)(data[0] % 4), data[0] & 4 ? LIST_ALLOW_HOSTBITS : 0,
		      &r, &err) == 0) {
		struct list_entry e;
		int rc;
		unsigned guard = 0;
		while ((rc = list_next(r, &e, &err)) > 0 && guard++ < 100000) {
			if (rc == LIST_ENTRY && net_addr_has_hostbits(&e.prefix.addr, e.prefix.len))
				abort();
			if (rc == LIST_BAD_LINE && err.msg[0] == '\0')
				abort(); /* a bad line always says why */
			err.msg[0] = '\0';
		}
		list_close(r);
	}
	close(fd);
	return 0;
}
