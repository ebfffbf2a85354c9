/*
 * test_write_all.c - the whole-buffer write and read helpers: several
 * buffers (empty ones among them) land in order, a short write is
 * continued from where it stopped and the count says what was written, an
 * error is reported with errno, reads stop at end of file.
 */
#include <check.h>
#include "run_suite.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "write_all.h"

static int temp_file(char *path, size_t n)
{
    snprintf(path, n, "/tmp/log4c-otel-write-all-XXXXXX");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    return fd;
}

START_TEST(writev_all_writes_every_buffer_in_order)
{
    char path[64];
    int fd = temp_file(path, sizeof path);
    struct iovec iov[4] = {{"", 0}, {"hello", 5}, {"", 0}, {" world\n", 7}};
    size_t written = 0;
    ck_assert_int_eq(otel_writev_all(fd, iov, 4, &written), 0);
    ck_assert_uint_eq(written, 12);
    ck_assert_int_eq(otel_write_all(fd, "more\n", 5), 0);
    char got[64] = {0};
    ck_assert_int_eq(otel_pread_all(fd, got, 17, 0), 0);
    ck_assert_str_eq(got, "hello world\nmore\n");
    ck_assert_int_eq(otel_pread_all(fd, got, 18, 0), -1); /* only 17 bytes there */
    ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
    ck_assert_int_eq(otel_read_all(fd, got, sizeof got), 17); /* end of file first */
    close(fd);
    unlink(path);
}
END_TEST

/* A non-blocking pipe takes at most its capacity: the first writev is
 * short, the next would block, so the helper stops there, reports EAGAIN
 * and counts exactly the bytes the pipe holds, in order. */
START_TEST(short_write_is_continued_and_counted)
{
    int p[2];
    ck_assert_int_eq(pipe(p), 0);
    ck_assert_int_eq(fcntl(p[1], F_SETFL, O_NONBLOCK), 0);
    int cap = fcntl(p[1], F_GETPIPE_SZ);
    ck_assert_int_gt(cap, 0);
    size_t n = (size_t)cap * 2;
    char *a = malloc(n), *b = malloc(n);
    for (size_t i = 0; i < n; i++)
        a[i] = (char)('a' + i % 26);
    struct iovec iov[2] = {{a, 10}, {a + 10, n - 10}};
    size_t written = 0;
    errno = 0;
    ck_assert_int_eq(otel_writev_all(p[1], iov, 2, &written), -1);
    ck_assert(errno == EAGAIN || errno == EWOULDBLOCK);
    ck_assert_uint_eq(written, (size_t)cap);
    close(p[1]);
    ck_assert_int_eq(otel_read_all(p[0], b, n), cap);
    ck_assert(memcmp(a, b, (size_t)cap) == 0);
    close(p[0]);
    free(a);
    free(b);
}
END_TEST

START_TEST(errors_are_reported)
{
    int p[2];
    ck_assert_int_eq(pipe(p), 0);
    close(p[0]);
    close(p[1]);
    errno = 0;
    ck_assert_int_eq(otel_write_all(p[1], "x", 1), -1);
    ck_assert_int_eq(errno, EBADF);
    struct iovec iov[1] = {{"x", 1}};
    size_t written = 99;
    ck_assert_int_eq(otel_writev_all(p[1], iov, 1, &written), -1);
    ck_assert_uint_eq(written, 0);
    char c;
    ck_assert_int_eq(otel_read_all(p[0], &c, 1), -1);
    ck_assert_int_eq(otel_write_all(p[1], "", 0), 0); /* nothing to write: no call */
}
END_TEST

int main(void)
{
    Suite *s = suite_create("write_all");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, writev_all_writes_every_buffer_in_order);
    tcase_add_test(tc, short_write_is_continued_and_counted);
    tcase_add_test(tc, errors_are_reported);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
