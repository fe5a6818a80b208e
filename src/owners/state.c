/* The notification state file. */
#include "owners/state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/atomic_file.h"
#include "core/intern.h"

#define STATE_HEADER                                                                     \
	"# sighted notify state 1: owner, sha256 of the report CSV, snapshot\n"
#define STATE_MAX_LINE 512

struct owners_state {
	char *path;
	int fd; /* open for appending, locked; -1 read-only and absent */
	bool read_only;
	struct sd_intern *sent;	 /* "owner\tdigest" */
	struct sd_intern *lines; /* whole records, for the rewrite */
};

static int add(struct owners_state *s, const char *line, size_t len)
{
	const char *tab = memchr(line, '\t', len);
	const char *tab2 =
	    tab ? memchr(tab + 1, '\t', len - (size_t)(tab + 1 - line)) : NULL;
	if (!tab || !tab2 || tab == line || tab2 - tab - 1 != 64 ||
	    memchr(tab2 + 1, '\t', len - (size_t)(tab2 + 1 - line)))
		return SD_EPARSE;
	uint32_t id;
	if (sd_intern_put(s->sent, line, (size_t)(tab2 - line), &id) ||
	    sd_intern_put(s->lines, line, len, &id))
		return SD_ENOMEM;
	return 0;
}

/* A last line without its newline: a record cut short by a crash. It is
 * cut off the file, so the next record starts on a line of its own. */
static int drop_partial(struct owners_state *s, off_t whole, unsigned lineno,
			struct sd_error *err)
{
	if (s->read_only) {
		fprintf(stderr,
			"%s:%u: incomplete record (an interrupted run), ignored\n",
			s->path, lineno);
		return 0;
	}
	if (ftruncate(s->fd, whole) != 0)
		return sd_error_errno(err, errno,
				      "%s:%u: cannot drop an incomplete record", s->path,
				      lineno);
	fprintf(stderr, "%s:%u: incomplete record (an interrupted run), dropped\n",
		s->path, lineno);
	return 0;
}

static int load(struct owners_state *s, struct sd_error *err)
{
	FILE *fp = fdopen(dup(s->fd), "r");
	if (!fp)
		return sd_error_errno(err, errno, "%s: cannot read", s->path);
	char line[STATE_MAX_LINE + 2];
	unsigned lineno = 0;
	off_t whole = 0; /* bytes of the complete lines read */
	int rc = 0;
	while (fgets(line, sizeof(line), fp)) {
		lineno++;
		size_t n = strlen(line);
		if (!n || line[n - 1] != '\n') {
			if (feof(fp)) { /* the last record, cut short by a crash */
				rc = drop_partial(s, whole, lineno, err);
				break;
			}
			rc = sd_error_set(err, SD_EPARSE,
					  "%s:%u: line longer than %d bytes", s->path,
					  lineno, STATE_MAX_LINE);
			break;
		}
		whole += (off_t)n;
		line[--n] = 0;
		if (!n || line[0] == '#')
			continue;
		if ((rc = add(s, line, n))) {
			if (rc == SD_EPARSE)
				sd_error_set(
				    err, rc,
				    "%s:%u: not a state record (owner TAB digest TAB "
				    "snapshot); not guessing: fix or remove the file",
				    s->path, lineno);
			else
				sd_error_set(err, rc, "out of memory");
			break;
		}
	}
	if (!rc && ferror(fp))
		rc = sd_error_errno(err, errno, "%s: read failed", s->path);
	fclose(fp);
	return rc;
}

int owners_state_open(const char *path, bool read_only, struct owners_state **out,
		      struct sd_error *err)
{
	*out = NULL;
	struct owners_state *s = calloc(1, sizeof(*s));
	if (!s || !(s->path = strdup(path)) || !(s->sent = sd_intern_new()) ||
	    !(s->lines = sd_intern_new())) {
		if (s) {
			sd_intern_free(s->sent);
			free(s->path);
		}
		free(s);
		return sd_error_set(err, SD_ENOMEM, "out of memory");
	}
	s->read_only = read_only;
	/* never through a link: a link swapped in after the command line was
	 * checked would have a root run append to the file it names */
	s->fd =
	    read_only
		? open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
		: open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
	int rc;
	if (s->fd < 0 && read_only && errno == ENOENT) {
		*out = s; /* no state yet: nothing was sent */
		return 0;
	}
	if (s->fd < 0 && errno == ELOOP) {
		rc = sd_error_set(err, SD_EUSAGE, "%s " SD_ATOMIC_LINK_REFUSED, path);
		goto fail;
	}
	if (s->fd < 0) {
		rc = sd_error_errno(err, errno, "%s: cannot open the state file", path);
		goto fail;
	}
	if (flock(s->fd, (read_only ? LOCK_SH : LOCK_EX) | LOCK_NB) != 0) {
		rc = sd_error_errno(
		    err, errno, "%s: locked: another notify run is using this state file",
		    path);
		goto fail;
	}
	if ((rc = load(s, err)))
		goto fail;
	*out = s;
	return 0;
fail:
	if (s->fd >= 0)
		close(s->fd);
	sd_intern_free(s->sent);
	sd_intern_free(s->lines);
	free(s->path);
	free(s);
	return rc;
}

bool owners_state_sent(const struct owners_state *s, const char *owner,
		       const char *digest)
{
	char key[STATE_MAX_LINE];
	int n = snprintf(key, sizeof(key), "%s\t%s", owner, digest);
	uint32_t id;
	return n > 0 && (size_t)n < sizeof(key) &&
	       sd_intern_find(s->sent, key, (size_t)n, &id) == 0;
}

int owners_state_record(struct owners_state *s, const char *owner, const char *digest,
			const char *content_id, struct sd_error *err)
{
	if (s->read_only)
		return sd_error_set(err, SD_EUSAGE, "%s: opened read-only", s->path);
	char line[STATE_MAX_LINE + 1];
	int n = snprintf(line, sizeof(line), "%s\t%s\t%s\n", owner, digest, content_id);
	if (n <= 0 || (size_t)n >= sizeof(line))
		return sd_error_set(err, SD_ERANGE, "%s: record too long", s->path);
	/* one write of a short line: appended whole or (after a crash) cut
	 * short, which the next load recognises */
	if (write(s->fd, line, (size_t)n) != n || fsync(s->fd) != 0)
		return sd_error_errno(err, errno, "%s: cannot record the delivery",
				      s->path);
	if (add(s, line, (size_t)n - 1))
		return sd_error_set(err, SD_ENOMEM, "out of memory");
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int owners_state_close(struct owners_state *s, struct sd_error *err)
{
	uint32_t n = s->read_only ? 0 : sd_intern_count(s->lines);
	char **v = calloc(n ? n : 1, sizeof(*v));
	int rc = 0;
	for (uint32_t i = 0; v && i < n; i++) {
		size_t len;
		const char *l = sd_intern_get(s->lines, i, &len);
		if (!(v[i] = strndup(l, len))) {
			rc = SD_ENOMEM;
			break;
		}
	}
	if (!v)
		rc = SD_ENOMEM;
	struct sd_atomic_file af = {0};
	if (!rc && !s->read_only) {
		qsort(v, n, sizeof(*v), cmp_str);
		/* the rewrite keeps the file's mode (0600 as
		 * owners_state_open created it: it tells who was warned of
		 * what): sd_atomic_open copies the mode of the file it
		 * replaces */
		if (!(rc = sd_atomic_open(&af, s->path, err))) {
			fputs(STATE_HEADER, af.fp);
			for (uint32_t i = 0; i < n; i++)
				fprintf(af.fp, "%s\n", v[i]);
			rc = sd_atomic_commit(&af, err);
		}
		sd_atomic_abort(&af);
	} else if (rc) {
		sd_error_set(err, rc, "out of memory");
	}
	for (uint32_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
	if (s->fd >= 0)
		close(s->fd); /* releases the lock */
	sd_intern_free(s->sent);
	sd_intern_free(s->lines);
	free(s->path);
	free(s);
	return rc;
}
