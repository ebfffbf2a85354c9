/*
 * test_rotate.c - the rotation both file sinks share: backups shift by one
 * and the oldest drops out, no backups removes the file, compressed
 * backups decompress to what was written, and a failed step stops the
 * rotation with the file left in place.
 */
#include <check.h>
#include "run_suite.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "rotate.h"

static char dir[64];
static char path[128];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/log4c-otel-rotate-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/f.log", dir);
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

static void put(const char *name, const char *text)
{
    FILE *f = fopen(name, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

/* The content of <path><suffix>, or "" when there is no such file. */
static const char *content(const char *suffix)
{
    static char buf[256];
    char name[160];
    snprintf(name, sizeof name, "%s%s", path, suffix);
    buf[0] = '\0';
    FILE *f = fopen(name, "r");
    if (f) {
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        buf[n] = '\0';
        fclose(f);
    }
    return buf;
}

static int exists(const char *suffix)
{
    char name[160];
    snprintf(name, sizeof name, "%s%s", path, suffix);
    return access(name, F_OK) == 0;
}

static void rotate_in(const char *text, unsigned backups, int gzip)
{
    put(path, text);
    ck_assert_int_eq(otel_rotate(path, backups, gzip), 0);
    ck_assert(!exists(""));
}

START_TEST(backups_shift_and_the_oldest_drops_out)
{
    rotate_in("one\n", 2, 0);
    ck_assert_str_eq(content(".1"), "one\n");
    rotate_in("two\n", 2, 0);
    rotate_in("three\n", 2, 0);
    ck_assert_str_eq(content(".1"), "three\n");
    ck_assert_str_eq(content(".2"), "two\n");
    ck_assert(!exists(".3"));
}
END_TEST

START_TEST(no_backups_removes_the_file)
{
    rotate_in("one\n", 0, 0);
    ck_assert(!exists(".1"));
    ck_assert_int_eq(otel_rotate(path, 0, 0), 0); /* already gone: fine */
}
END_TEST

static const char *gunzip(const char *suffix)
{
    static char buf[256];
    char name[160];
    snprintf(name, sizeof name, "%s%s", path, suffix);
    gzFile gz = gzopen(name, "rb");
    ck_assert_ptr_nonnull(gz);
    int n = gzread(gz, buf, sizeof buf - 1);
    ck_assert_int_ge(n, 0);
    buf[n] = '\0';
    gzclose(gz);
    return buf;
}

START_TEST(compressed_backups)
{
    rotate_in("one\n", 3, 1);
    rotate_in("two\n", 3, 1);
    ck_assert_str_eq(gunzip(".1.gz"), "two\n");
    ck_assert_str_eq(gunzip(".2.gz"), "one\n");
    ck_assert(!exists(".1") && !exists(".1.gz.tmp"));
    struct stat st;
    char name[160];
    snprintf(name, sizeof name, "%s.1.gz", path);
    ck_assert_int_eq(stat(name, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0600);
}
END_TEST

/* <path>.1.gz.tmp taken by a directory: compression cannot start, the
 * records still end up in an uncompressed <path>.1 */
START_TEST(failed_compression_keeps_the_records)
{
    char name[160];
    snprintf(name, sizeof name, "%s.1.gz.tmp", path);
    ck_assert_int_eq(mkdir(name, 0700), 0);
    rotate_in("kept\n", 2, 1);
    ck_assert_str_eq(content(".1"), "kept\n");
    ck_assert(!exists(".1.gz"));
}
END_TEST

/* <path>.2 is a non-empty directory: the shift of .1 onto it fails, the
 * rotation stops with errno set and the file stays where it was */
START_TEST(a_failed_step_leaves_the_file_in_place)
{
    rotate_in("one\n", 2, 0);
    char name[160];
    snprintf(name, sizeof name, "%s.2", path);
    ck_assert_int_eq(mkdir(name, 0700), 0);
    snprintf(name, sizeof name, "%s.2/x", path);
    put(name, "x");
    put(path, "two\n");
    errno = 0;
    ck_assert_int_eq(otel_rotate(path, 2, 0), -1);
    ck_assert_int_ne(errno, 0);
    ck_assert_str_eq(content(""), "two\n");
    ck_assert_str_eq(content(".1"), "one\n");
}
END_TEST

/* a symbolic link planted at <path>.1.gz.tmp is never followed: the file
 * it points to is untouched, the link removed, the records kept */
START_TEST(a_planted_symlink_is_not_followed)
{
    char victim[160], name[160];
    snprintf(victim, sizeof victim, "%s/victim", dir);
    put(victim, "precious\n");
    snprintf(name, sizeof name, "%s.1.gz.tmp", path);
    ck_assert_int_eq(symlink(victim, name), 0);
    rotate_in("kept\n", 2, 1);
    FILE *f = fopen(victim, "r");
    char buf[32] = "";
    ck_assert_ptr_nonnull(fgets(buf, sizeof buf, f));
    fclose(f);
    ck_assert_str_eq(buf, "precious\n");
    ck_assert_str_eq(content(".1"), "kept\n");
    struct stat st;
    ck_assert_int_ne(lstat(name, &st), 0); /* the link is gone */
    rotate_in("next\n", 2, 1);             /* and the next rotation compresses again */
    ck_assert_str_eq(gunzip(".1.gz"), "next\n");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("rotate");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, backups_shift_and_the_oldest_drops_out);
    tcase_add_test(tc, no_backups_removes_the_file);
    tcase_add_test(tc, compressed_backups);
    tcase_add_test(tc, failed_compression_keeps_the_records);
    tcase_add_test(tc, a_failed_step_leaves_the_file_in_place);
    tcase_add_test(tc, a_planted_symlink_is_not_followed);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
