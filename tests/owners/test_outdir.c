/* The published directory of `report` and `notify --dry-run`: what it
 * replaces and what it refuses (a user's file is never deleted), the mode
 * of its temporary directory, and the sweep of dead writers' leftovers
 * (one a live writer holds stays, and so does a user's copy of a finished
 * directory under a name that looks temporary). */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "owners/outdir.h"

static const char *const test_files[] = {"summary.json", "sub/*.csv", NULL};
static const struct outdir_kind test_kind = {"test", test_files};
static const struct outdir_kind other_kind = {"other", test_files};

static bool exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

static void put(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

/* Publishes summary.json and sub/a.csv to path as kind. */
static int publish(const char *path, const struct outdir_kind *kind, struct sd_error *err)
{
	struct outdir d;
	int rc = outdir_begin(&d, path, kind, err);
	if (rc)
		return rc;
	FILE *a = outdir_create(&d, NULL, "summary.json", err);
	assert_non_null(a);
	fputs("{}\n", a);
	assert_int_equal(outdir_close(&d, a, "summary.json", err), 0);
	FILE *b = outdir_create(&d, "sub", "a.csv", err);
	assert_non_null(b);
	fputs("x\n", b);
	assert_int_equal(outdir_close(&d, b, "a.csv", err), 0);
	rc = outdir_commit(&d, err);
	outdir_abort(&d);
	return rc;
}

static void test_tmp_is_private_until_published(void **state)
{
	(void)state;
	const char *out = test_tmpfile("priv");
	struct sd_error err = {0};
	struct outdir d;
	mode_t um = umask(022);
	assert_int_equal(outdir_begin(&d, out, &test_kind, &err), 0);
	struct stat st;
	assert_int_equal(stat(d.tmp, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	char marker[600];
	snprintf(marker, sizeof(marker), "%s/%s", d.tmp, OUTDIR_MARKER);
	assert_true(exists(marker)); /* first thing written */
	assert_int_equal(outdir_commit(&d, &err), 0);
	outdir_abort(&d);
	assert_int_equal(stat(out, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0755);
	umask(um);
}

static void test_replaces_only_its_own(void **state)
{
	(void)state;
	struct sd_error err = {0};
	char p[600];
	/* an earlier output of the same kind: replaced */
	const char *out = test_tmpfile("own");
	assert_int_equal(publish(out, &test_kind, &err), 0);
	assert_int_equal(publish(out, &test_kind, &err), 0);
	snprintf(p, sizeof(p), "%s/sub/a.csv", out);
	assert_true(exists(p));

	/* ... unless it now holds a file the output never writes */
	snprintf(p, sizeof(p), "%s/notes.txt", out);
	put(p, "mine\n");
	assert_int_equal(publish(out, &test_kind, &err), SD_EUSAGE);
	assert_non_null(strstr(err.msg, "notes.txt"));
	assert_true(exists(p));
	unlink(p);
	snprintf(p, sizeof(p), "%s/sub/keep.txt", out);
	put(p, "mine\n");
	assert_int_equal(publish(out, &test_kind, &err), SD_EUSAGE);
	assert_non_null(strstr(err.msg, "sub/keep.txt"));
	assert_true(exists(p));

	/* the audit's case: summary.json alone is no proof of an old report */
	const char *proj = test_tmpfile("proj");
	test_sh("mkdir -p %s/src && echo '{}' > %s/summary.json && echo x > "
		"%s/notes.txt && echo 'int main(){}' > %s/src/main.c",
		proj, proj, proj, proj);
	assert_int_equal(publish(proj, &test_kind, &err), SD_EUSAGE);
	assert_non_null(strstr(err.msg, "remove it or choose another directory"));
	test_sh("test -f %s/notes.txt && test -f %s/src/main.c && test -f "
		"%s/summary.json",
		proj, proj, proj);

	/* an output of an older sighted: refused, and told so */
	const char *old = test_tmpfile("old");
	test_sh("mkdir -p %s && echo '{}' > %s/summary.json", old, old);
	assert_int_equal(publish(old, &test_kind, &err), SD_EUSAGE);
	assert_non_null(strstr(err.msg, "older sighted"));

	/* another kind's output */
	assert_int_equal(publish(out, &other_kind, &err), SD_EUSAGE);
	assert_non_null(strstr(err.msg, "does not mark the output of sighted other"));

	/* an empty directory takes the output */
	const char *empty = test_tmpfile("empty");
	assert_int_equal(mkdir(empty, 0755), 0);
	assert_int_equal(publish(empty, &test_kind, &err), 0);
}

static void test_checked_again_before_the_exchange(void **state)
{
	(void)state;
	struct sd_error err = {0};
	const char *out = test_tmpfile("race");
	assert_int_equal(publish(out, &test_kind, &err), 0);
	struct outdir d;
	assert_int_equal(outdir_begin(&d, out, &test_kind, &err), 0);
	char p[600], tmp[600];
	snprintf(p, sizeof(p), "%s/late.txt", out);
	put(p, "written while the report was\n");
	snprintf(tmp, sizeof(tmp), "%s", d.tmp);
	assert_int_equal(outdir_commit(&d, &err), SD_EUSAGE);
	outdir_abort(&d);
	assert_true(exists(p));
	assert_false(exists(tmp));
}

/* What a writer killed with SIGKILL leaves: its temporary directory for
 * path, marked in progress, a file half written, no lock; its name into
 * tmp. */
static void abandon(const char *path, char *tmp, size_t size)
{
	struct sd_error err = {0};
	struct outdir d;
	assert_int_equal(outdir_begin(&d, path, &test_kind, &err), 0);
	FILE *a = outdir_create(&d, "sub", "a.csv", &err);
	assert_non_null(a);
	fputs("x", a);
	assert_int_equal(outdir_close(&d, a, "a.csv", &err), 0);
	snprintf(tmp, size, "%s", d.tmp);
	close(d.tmpfd); /* the lock dies with the writer */
	free(d.tmp);
	free(d.path);
}

static void test_sweeps_dead_writers_only(void **state)
{
	(void)state;
	struct sd_error err = {0};
	const char *out = test_tmpfile("sw");
	char dead[600], foreign[600], live[600], other[600];
	snprintf(foreign, sizeof(foreign), "%s.tmp.XyZ789", out);
	snprintf(other, sizeof(other), "%s.tmp.notours", out);
	abandon(out, dead, sizeof(dead));
	abandon(out, live, sizeof(live));
	test_sh("mkdir -p %s %s && echo x > %s/data && echo x > %s/data", foreign, other,
		foreign, other);
	int held = open(live, O_RDONLY | O_DIRECTORY);
	assert_true(held >= 0);
	assert_int_equal(flock(held, LOCK_EX | LOCK_NB), 0);

	assert_int_equal(publish(out, &test_kind, &err), 0);
	assert_false(exists(dead));
	assert_true(exists(live));    /* a live writer holds it */
	assert_true(exists(foreign)); /* not marked: not ours */
	assert_true(exists(other));   /* not a temporary name of ours */
	close(held);
	assert_int_equal(publish(out, &test_kind, &err), 0);
	assert_false(exists(live));
	assert_true(exists(foreign));
}

static void test_marker_says_in_progress_until_published(void **state)
{
	(void)state;
	struct sd_error err = {0};
	const char *out = test_tmpfile("mk");
	struct outdir d;
	assert_int_equal(outdir_begin(&d, out, &test_kind, &err), 0);
	char p[600], text[300], want[300];
	snprintf(p, sizeof(p), "%s/%s", d.tmp, OUTDIR_MARKER);
	FILE *fp = fopen(p, "r");
	assert_non_null(fp);
	assert_non_null(fgets(text, sizeof(text), fp));
	fclose(fp);
	snprintf(want, sizeof(want), "sighted test directory in progress (pid %ld)",
		 (long)getpid());
	assert_non_null(strstr(text, want));
	assert_int_equal(outdir_commit(&d, &err), 0);
	outdir_abort(&d);
	snprintf(p, sizeof(p), "%s/%s", out, OUTDIR_MARKER);
	fp = fopen(p, "r");
	assert_non_null(fp);
	assert_non_null(fgets(text, sizeof(text), fp));
	fclose(fp);
	assert_string_equal(text, "sighted test directory: the next run replaces it "
				  "as a whole; keep nothing else here\n");
}

/* The review's case: a user's copies of a finished directory under names
 * that look like temporary ones are not a dead writer's, whatever their
 * mode; nor is one that is not 0700, or an empty one that is not. */
static void test_user_copies_are_not_swept(void **state)
{
	(void)state;
	struct sd_error err = {0};
	const char *out = test_tmpfile("cp");
	assert_int_equal(publish(out, &test_kind, &err), 0);
	char backup[600], march[600], priv[600], opened[600], empty[600], gone[600];
	snprintf(backup, sizeof(backup), "%s.tmp.backup", out);
	snprintf(march, sizeof(march), "%s.tmp.march1", out);
	snprintf(priv, sizeof(priv), "%s.tmp.priv00", out);
	snprintf(empty, sizeof(empty), "%s.tmp.empty0", out);
	snprintf(gone, sizeof(gone), "%s.tmp.gone00", out);
	test_sh("cp -a %s %s && cp -a %s %s && cp -a %s %s && chmod 700 %s", out, backup,
		out, march, out, priv, priv);
	/* a dead writer's directory made readable by someone: not touched */
	abandon(out, opened, sizeof(opened));
	assert_int_equal(chmod(opened, 0755), 0);
	assert_int_equal(mkdir(empty, 0755), 0);
	assert_int_equal(mkdir(gone, 0700), 0);

	assert_int_equal(publish(out, &test_kind, &err), 0);
	char p[700];
	snprintf(p, sizeof(p), "%s/sub/a.csv", backup);
	assert_true(exists(p));
	snprintf(p, sizeof(p), "%s/sub/a.csv", march);
	assert_true(exists(p));
	snprintf(p, sizeof(p), "%s/sub/a.csv", priv); /* 0700, but finished */
	assert_true(exists(p));
	snprintf(p, sizeof(p), "%s/sub/a.csv", opened);
	assert_true(exists(p));
	assert_true(exists(empty));
	assert_false(exists(gone)); /* a writer killed before its marker */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tmp_is_private_until_published),
	    cmocka_unit_test(test_replaces_only_its_own),
	    cmocka_unit_test(test_checked_again_before_the_exchange),
	    cmocka_unit_test(test_sweeps_dead_writers_only),
	    cmocka_unit_test(test_marker_says_in_progress_until_published),
	    cmocka_unit_test(test_user_copies_are_not_swept),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
