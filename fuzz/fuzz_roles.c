/* Role files (correlate --proxies) on arbitrary bytes: a file either loads
 * or is refused with a reason; one that loads is written back and reads
 * back to the same roles. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "correlate/roles.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz-roles", 0);
	if (fd < 0)
		return 0;
	if (size && write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	struct corr_roles *r = corr_roles_new(), *back = corr_roles_new();
	struct sd_error err = {0};
	if (r && back) {
		if (corr_roles_load(r, path, &err) == 0) {
			/* what the requests read explain: any graph of askers */
			(void)corr_roles_settle(r);
			char out[] = "/tmp/fuzz-roles-XXXXXX";
			int ofd = mkstemp(out);
			if (ofd >= 0) {
				close(ofd);
				if (corr_roles_write(r, out, &err) == 0 &&
				    (corr_roles_load(back, out, &err) ||
				     corr_roles_count(back, CORR_ROLE_PROXY) !=
					 corr_roles_count(r, CORR_ROLE_PROXY) ||
				     corr_roles_count(back, CORR_ROLE_RESOLVER) !=
					 corr_roles_count(r, CORR_ROLE_RESOLVER)))
					abort();
				unlink(out);
			}
		} else if (err.msg[0] == '\0') {
			abort(); /* a refusal always says why */
		}
	}
	corr_roles_free(r);
	corr_roles_free(back);
	close(fd);
	return 0;
}
