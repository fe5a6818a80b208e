/* Which file an atomic write replaces, and how (audit #5, #6, stop 19 #1):
 * a final symbolic link is never replaced nor written through to a regular
 * file (refused); the file standard output already is gets written through
 * standard output; a replaced file keeps its permission bits. */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "core/atomic_file.h"

static void write_text(const char *path, const char *text)
{
	struct sd_atomic_file af;
	struct sd_error e = {0};
	assert_int_equal(sd_atomic_open(&af, path, &e), 0);
	fputs(text, af.fp);
	assert_int_equal(sd_atomic_commit(&af, &e), 0);
}

static void assert_content(const char *path, const char *want)
{
	char buf[256] = {0};
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	assert_int_equal(n, strlen(want));
	assert_string_equal(buf, want);
}

static bool is_link(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
}

static void assert_link_refused(const char *link)
{
	struct sd_atomic_file af;
	struct sd_error e = {0};
	assert_int_equal(sd_atomic_open(&af, link, &e), SD_EUSAGE);
	assert_non_null(strstr(e.msg, link));
	assert_non_null(strstr(e.msg, "is a symbolic link"));
	assert_true(is_link(link));
}

/* Audit stop 19 #1: a link planted by another user in a sticky directory
 * made a root run replace the file it named (or create the file a
 * dangling one named), past fs.protected_symlinks. A final link to a
 * regular file, a directory or nothing is refused; nothing is written. */
static void test_link_to_file_refused(void **state)
{
	(void)state;
	char real[512], link[512];
	test_sh("mkdir -p %s", test_tmpfile("far"));
	snprintf(real, sizeof(real), "%s", test_tmpfile("far/real.txt"));
	snprintf(link, sizeof(link), "%s", test_tmpfile("link.txt"));
	write_text(real, "old\n");
	assert_int_equal(symlink("far/real.txt", link), 0);
	assert_link_refused(link);
	assert_content(real, "old\n");
	assert_int_equal(symlink("far", test_tmpfile("farlink")), 0);
	assert_link_refused(test_tmpfile("farlink"));
}

static void test_dangling_link_refused(void **state)
{
	(void)state;
	char link[512];
	snprintf(link, sizeof(link), "%s", test_tmpfile("dangling.txt"));
	assert_int_equal(symlink("made.txt", link), 0);
	assert_link_refused(link);
	assert_int_equal(access(test_tmpfile("made.txt"), F_OK), -1);
}

/* A link on the way (a directory's) is the kernel's to follow, with its
 * protections: the file is made in the directory it leads to. */
static void test_directory_link_on_the_way(void **state)
{
	(void)state;
	test_sh("mkdir -p %s", test_tmpfile("d1"));
	assert_int_equal(symlink("d1", test_tmpfile("dirlink")), 0);
	write_text(test_tmpfile("dirlink/c.txt"), "via\n");
	assert_true(is_link(test_tmpfile("dirlink")));
	assert_content(test_tmpfile("d1/c.txt"), "via\n");
}

static void test_link_loop_refused(void **state)
{
	(void)state;
	assert_int_equal(symlink("loop2", test_tmpfile("loop1")), 0);
	assert_int_equal(symlink("loop1", test_tmpfile("loop2")), 0);
	assert_link_refused(test_tmpfile("loop1"));
}

/* A device reached through a link is written in place, as the device. */
static void test_link_to_device_written_in_place(void **state)
{
	(void)state;
	assert_int_equal(symlink("/dev/null", test_tmpfile("null")), 0);
	write_text(test_tmpfile("null"), "gone\n");
	assert_true(is_link(test_tmpfile("null")));
}

/* `-o F > F` and -o /dev/stdout: written through standard output, in
 * place; the file is not replaced by a renamed one (same inode). */
static void test_stdout_file_written_through_stdout(void **state)
{
	(void)state;
	char out[512], viafd[64];
	snprintf(out, sizeof(out), "%s", test_tmpfile("stdout.txt"));
	int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	fflush(stdout);
	int saved = dup(STDOUT_FILENO);
	assert_true(saved >= 0);
	assert_int_equal(dup2(fd, STDOUT_FILENO), STDOUT_FILENO);
	close(fd);
	struct stat before, after;
	assert_int_equal(stat(out, &before), 0);
	write_text(out, "one\n");
	snprintf(viafd, sizeof(viafd), "/proc/self/fd/%d", STDOUT_FILENO);
	write_text(viafd, "two\n");
	assert_int_equal(dup2(saved, STDOUT_FILENO), STDOUT_FILENO);
	close(saved);
	assert_int_equal(stat(out, &after), 0);
	assert_int_equal(before.st_ino, after.st_ino);
	assert_content(out, "one\ntwo\n");
}

static mode_t mode_of(const char *path)
{
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	return st.st_mode & 07777;
}

static void test_mode_kept(void **state)
{
	(void)state;
	char p[512];
	snprintf(p, sizeof(p), "%s", test_tmpfile("victims.csv"));
	write_text(p, "a\n");
	assert_int_equal(chmod(p, 0600), 0);
	write_text(p, "b\n");
	assert_int_equal(mode_of(p), 0600);
	assert_int_equal(chmod(p, 0640), 0);
	write_text(p, "c\n");
	assert_int_equal(mode_of(p), 0640);
	/* set-user-ID is not carried over to new contents */
	assert_int_equal(chmod(p, 04755), 0);
	write_text(p, "d\n");
	assert_int_equal(mode_of(p), 0755);
	assert_content(p, "d\n");
}

/* While written, a replacement is readable by nobody else: a reader that
 * opened it early would keep reading what the old mode kept from it. */
static void test_tmp_private_while_written(void **state)
{
	(void)state;
	char p[512];
	snprintf(p, sizeof(p), "%s", test_tmpfile("secret.csv"));
	write_text(p, "a\n");
	assert_int_equal(chmod(p, 0600), 0);
	struct sd_atomic_file af;
	struct sd_error e = {0};
	assert_int_equal(sd_atomic_open(&af, p, &e), 0);
	assert_non_null(af.tmp_path);
	assert_int_equal(mode_of(af.tmp_path), 0600);
	sd_atomic_abort(&af);
}

static void test_new_file_follows_umask(void **state)
{
	(void)state;
	mode_t old = umask(027);
	write_text(test_tmpfile("fresh.csv"), "x\n");
	umask(old);
	assert_int_equal(mode_of(test_tmpfile("fresh.csv")), 0640);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_link_to_file_refused),
	    cmocka_unit_test(test_dangling_link_refused),
	    cmocka_unit_test(test_directory_link_on_the_way),
	    cmocka_unit_test(test_link_loop_refused),
	    cmocka_unit_test(test_link_to_device_written_in_place),
	    cmocka_unit_test(test_stdout_file_written_through_stdout),
	    cmocka_unit_test(test_mode_kept),
	    cmocka_unit_test(test_tmp_private_while_written),
	    cmocka_unit_test(test_new_file_follows_umask),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
