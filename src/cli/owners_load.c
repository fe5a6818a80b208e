/* Loading the inputs of `report` and `notify`. */
#include "cli/owners_load.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

int owners_job_load(struct owners_job *j)
{
	struct sd_error err = {0};
	/* the owners library spells "no limit" as a negative count */
	long long max_errors = j->max_errors > LLONG_MAX ? -1 : (long long)j->max_errors;
	if (db_open(j->snap_path, &j->snap, &err) ||
	    (j->since_path && db_open(j->since_path, &j->since, &err))) {
		cli_error(j->cmd, "%s", err.msg);
		return EXIT_DATA;
	}
	if (owners_registry_load(j->owners_path, max_errors, &j->reg, &err)) {
		cli_error(j->cmd, "%s", err.msg);
		return cli_exit_for(err.code);
	}
	if (j->asn_path && asn_db_open(j->asn_path, max_errors, &j->asn, &err)) {
		cli_error(j->cmd, "%s", err.msg);
		return cli_exit_for(err.code);
	}
	if (owners_index_build(j->reg, &j->ix)) {
		cli_error(j->cmd, "out of memory");
		return EXIT_FAIL;
	}
	if (!j->asn && owners_index_has_asn(j->ix))
		fprintf(stderr,
			"sighted %s: warning: %s names AS numbers but no --asn-db was "
			"given: those scopes match nothing\n",
			j->cmd, j->owners_path);
	if (owners_group_build(j->snap, j->since, j->reg, j->ix, j->asn, &j->group,
			       &err)) {
		cli_error(j->cmd, "%s", err.msg);
		return cli_exit_for(err.code);
	}
	return EXIT_OK;
}

/* realpath of the directory holding path; for a path that does not
 * exist (yet), of the directory it would be in. */
static char *dir_of(const char *path)
{
	char *r = realpath(path, NULL);
	if (!r && errno == ENOENT) {
		char *copy = strdup(path);
		if (!copy)
			return NULL;
		r = realpath(dirname(copy), NULL);
		free(copy);
		return r;
	}
	if (!r)
		return NULL;
	char *slash = strrchr(r, '/');
	if (slash && slash != r)
		*slash = 0;
	return r;
}

size_t owners_job_inputs(const struct owners_job *j,
			 const char *paths[OWNERS_JOB_MAX_INPUTS])
{
	const char *all[OWNERS_JOB_MAX_INPUTS] = {j->snap_path, j->since_path,
						  j->owners_path, j->asn_path};
	size_t n = 0;
	for (size_t i = 0; i < OWNERS_JOB_MAX_INPUTS; i++)
		if (all[i])
			paths[n++] = all[i];
	return n;
}

bool owners_job_inside(const struct owners_job *j, const char *dir,
		       const char *const *more, size_t nmore)
{
	char *d = realpath(dir, NULL);
	if (!d)
		return false; /* does not exist yet: holds nothing */
	const char *files[OWNERS_JOB_MAX_INPUTS + 4];
	size_t nfiles = owners_job_inputs(j, files);
	for (size_t i = 0; i < nmore && nfiles < sizeof(files) / sizeof(*files); i++)
		if (more[i])
			files[nfiles++] = more[i];
	bool inside = false;
	size_t n = strlen(d);
	for (size_t i = 0; i < nfiles && !inside; i++) {
		char *p = dir_of(files[i]);
		if (p && !strncmp(p, d, n) && (p[n] == 0 || p[n] == '/' || n == 1)) {
			cli_error(j->cmd,
				  "%s: holds %s, which replacing the directory would "
				  "remove: choose another directory",
				  dir, files[i]);
			inside = true;
		}
		free(p);
	}
	free(d);
	return inside;
}

void owners_job_free(struct owners_job *j)
{
	owners_group_free(&j->group);
	owners_index_free(j->ix);
	asn_db_close(j->asn);
	owners_registry_free(j->reg);
	db_close(j->snap);
	db_close(j->since);
}
