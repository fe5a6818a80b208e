/* Loading the inputs of `report` and `notify`. */
#include "cli/owners_load.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

bool owners_job_max_errors(struct owners_job *j, const char *val)
{
	if (!strcmp(val, "unlimited") || !strcmp(val, "-1")) {
		j->max_errors = -1;
		return true;
	}
	char *end;
	errno = 0;
	long long v = strtoll(val, &end, 10);
	if (errno || end == val || *end || v < 0) {
		cli_error(j->cmd,
			  "--max-errors wants a count, -1 or 'unlimited', not '%s'", val);
		return false;
	}
	j->max_errors = v;
	return true;
}

int owners_job_load(struct owners_job *j)
{
	struct sd_error err = {0};
	if (db_open(j->snap_path, &j->snap, &err) ||
	    (j->since_path && db_open(j->since_path, &j->since, &err))) {
		cli_error(j->cmd, "%s", err.msg);
		return EXIT_DATA;
	}
	if (owners_registry_load(j->owners_path, j->max_errors, &j->reg, &err)) {
		cli_error(j->cmd, "%s", err.msg);
		return cli_exit_for(err.code);
	}
	if (j->asn_path && asn_db_open(j->asn_path, j->max_errors, &j->asn, &err)) {
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

/* realpath of the directory holding path (path itself for a directory). */
static char *dir_of(const char *path)
{
	char *r = realpath(path, NULL);
	if (!r)
		return NULL;
	char *slash = strrchr(r, '/');
	if (slash && slash != r)
		*slash = 0;
	return r;
}

bool owners_job_inside(const struct owners_job *j, const char *dir)
{
	char *d = realpath(dir, NULL);
	if (!d)
		return false; /* does not exist yet: holds nothing */
	const char *inputs[] = {j->snap_path, j->since_path, j->owners_path, j->asn_path};
	bool inside = false;
	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]) && !inside; i++) {
		if (!inputs[i])
			continue;
		char *p = dir_of(inputs[i]);
		size_t n = strlen(d);
		if (p && !strncmp(p, d, n) && (p[n] == 0 || p[n] == '/')) {
			cli_error(
			    j->cmd,
			    "%s: holds the input %s, which replacing it would remove",
			    dir, inputs[i]);
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
