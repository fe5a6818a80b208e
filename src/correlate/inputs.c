#include "correlate/inputs.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct fileid {
	bool regular;
	dev_t dev;
	ino_t ino;
	uint64_t size;
};

int corr_inputs_dedupe(const char *const *paths, size_t n, uint64_t start, uint64_t end,
		       size_t *dup, struct io_ident *ids, bool *have,
		       struct sd_error *err)
{
	struct fileid *f = calloc(n ? n : 1, sizeof(*f));
	if (!f)
		return sd_error_set(err, SD_ENOMEM, "out of memory");
	for (size_t k = 0; k < n; k++) {
		struct stat st;
		dup[k] = CORR_NOT_DUP;
		have[k] = false;
		if (strcmp(paths[k], "-") && stat(paths[k], &st) == 0 &&
		    S_ISREG(st.st_mode))
			f[k] = (struct fileid){true, st.st_dev, st.st_ino,
					       (uint64_t)st.st_size};
	}
	int rc = 0;
	for (size_t k = 0; k < n && !rc; k++) {
		if (!f[k].regular)
			continue;
		for (size_t i = 0; i < k && dup[k] == CORR_NOT_DUP; i++) {
			if (!f[i].regular || dup[i] != CORR_NOT_DUP ||
			    f[i].size != f[k].size)
				continue;
			if (f[i].dev == f[k].dev && f[i].ino == f[k].ino) {
				dup[k] = i; /* the same file */
				break;
			}
			/* equal sizes: compare contents */
			if (!have[i] &&
			    !(rc = io_ident_file(paths[i], start, end, &ids[i], err)))
				have[i] = true;
			if (!rc && !have[k] &&
			    !(rc = io_ident_file(paths[k], start, end, &ids[k], err)))
				have[k] = true;
			if (rc)
				break;
			if (!io_hash128_cmp(&ids[i].head, &ids[k].head) &&
			    !io_hash128_cmp(&ids[i].content, &ids[k].content))
				dup[k] = i;
		}
	}
	free(f);
	return rc;
}
