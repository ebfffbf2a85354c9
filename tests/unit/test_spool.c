/*
 * test_spool.c - the spool directory (src/spool.c): order across segments,
 * claiming a dead instance's files (and never a live one's), replay
 * progress surviving a "crash", bad files, the max-bytes bound, two
 * instances (two "processes") in one directory, and temporary files left
 * by a process killed while creating a file.
 */
#include <check.h>
#include "run_suite.h"
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "spool.h"
#include "spool_file.h"

static char dir[64];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/test_spool_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    strcat(dir, "/spool"); /* created by otel_spool_open */
}

static void teardown(void)
{
    char cmd[128];
    *strrchr(dir, '/') = '\0';
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

static otel_spool *open_spool(uint64_t max)
{
    char err[256] = "";
    otel_spool *s = otel_spool_open(dir, max, OTEL_SPOOL_PROTOBUF, err, sizeof err);
    ck_assert_msg(s != NULL, "%s", err);
    return s;
}

/* An export request (protobuf) holding v log records: one resourceLogs,
 * one scopeLogs, v empty logRecords; 2v + 4 bytes (v < 62). */
static size_t payload(uint8_t *out, int v)
{
    size_t n = 0;
    out[n++] = 0x0a; /* resource_logs */
    out[n++] = (uint8_t)(2 * v + 2);
    out[n++] = 0x12; /* scope_logs */
    out[n++] = (uint8_t)(2 * v);
    for (int i = 0; i < v; i++) {
        out[n++] = 0x12; /* log_records: empty */
        out[n++] = 0;
    }
    return n;
}

#define PAYLOAD_LEN(v) (2 * (v) + 4)

static void put(otel_spool *s, int v)
{
    uint8_t p[128];
    size_t n = payload(p, v);
    ck_assert_int_eq(otel_spool_put(s, p, n, (uint32_t)v), 0);
}

/* peeks the next entry, checks it is v, consumes it */
static void expect(otel_spool *s, int v)
{
    const uint8_t *p;
    size_t len;
    uint32_t recs;
    uint8_t want[128];
    size_t n = payload(want, v);
    ck_assert_int_eq(otel_spool_peek(s, &p, &len, &recs), 1);
    ck_assert_uint_eq(len, n);
    ck_assert(memcmp(p, want, len) == 0);
    ck_assert_uint_eq(recs, (uint32_t)v);
    otel_spool_consume(s);
}

static int count_files(const char *suffix)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (strlen(e->d_name) > strlen(suffix) && strcmp(e->d_name + strlen(e->d_name) - strlen(suffix), suffix) == 0)
            n++;
    if (d)
        closedir(d);
    return n;
}

START_TEST(order_across_segments)
{
    otel_spool *s = open_spool(1 << 20);
    otel_spool_set_segment_bytes(s, 60); /* about two entries a file */
    for (int i = 1; i <= 7; i++)
        put(s, i);
    ck_assert_uint_ge(otel_spool_files(s), 3);
    ck_assert_int_eq(count_files(".l4cs"), (int)otel_spool_files(s));
    struct stat st;
    ck_assert_int_eq(stat(dir, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0700);
    for (int i = 1; i <= 4; i++)
        expect(s, i);
    put(s, 8); /* appended while replaying: comes after the rest */
    for (int i = 5; i <= 8; i++)
        expect(s, i);
    ck_assert_int_eq(otel_spool_pending(s), 0);
    ck_assert_int_eq(count_files(".l4cs"), 0); /* replayed files are deleted */
    ck_assert_int_eq(count_files(".pos"), 0);
    otel_spool_close(s);
}
END_TEST

START_TEST(claims_dead_not_live)
{
    otel_spool *a = open_spool(1 << 20);
    put(a, 1);
    put(a, 2);
    otel_spool *b = open_spool(1 << 20); /* a is alive: its file is locked */
    ck_assert_int_eq(otel_spool_pending(b), 0);
    otel_spool_close(b);
    otel_spool_close(a); /* a "dies": its file stays */
    ck_assert_int_eq(count_files(".l4cs"), 1);
    char path[400];
    DIR *d = opendir(dir);
    struct dirent *e;
    while ((e = readdir(d)))
        if (strstr(e->d_name, ".l4cs"))
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    closedir(d);
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0600);
    otel_spool *c = open_spool(1 << 20);
    otel_spool *c2 = open_spool(1 << 20); /* c holds it now */
    ck_assert_int_eq(otel_spool_pending(c2), 0);
    otel_spool_close(c2);
    expect(c, 1);
    expect(c, 2);
    ck_assert_int_eq(otel_spool_pending(c), 0);
    otel_spool_close(c);
    ck_assert_int_eq(count_files(".l4cs"), 0);
}
END_TEST

START_TEST(progress_survives_a_crash)
{
    otel_spool *a = open_spool(1 << 20);
    for (int i = 1; i <= 4; i++)
        put(a, i);
    otel_spool_close(a);
    otel_spool *b = open_spool(1 << 20);
    expect(b, 1);
    expect(b, 2);
    ck_assert_int_eq(count_files(".pos"), 1);
    /* a crash: the child exits without closing; the lock goes with it */
    pid_t pid = fork();
    if (pid == 0)
        _exit(0);
    ck_assert_int_eq(waitpid(pid, NULL, 0), pid); /* the child shared the lock */
    otel_spool_close(b); /* the parent's copy: same as dying here */
    otel_spool *c = open_spool(1 << 20);
    expect(c, 3); /* 1 and 2 are not sent again */
    expect(c, 4);
    ck_assert_int_eq(otel_spool_pending(c), 0);
    otel_spool_close(c);
    ck_assert_int_eq(count_files(".pos"), 0);
}
END_TEST

static void write_file(const char *name, const void *data, size_t len)
{
    char path[160];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
    close(fd);
}

START_TEST(bad_files)
{
    mkdir(dir, 0700);
    write_file("spool-00000000000000000001-1-00000000.l4cs", "NOTASPOOLFILE...", 16); /* wrong magic */
    write_file("spool-00000000000000000002-1-00000000.l4cs", "L4CO", 4);              /* torn header */
    uint8_t hdr[OTEL_SPOOL_HEADER_BYTES];
    otel_spool_header(hdr, OTEL_SPOOL_JSON);
    write_file("spool-00000000000000000003-1-00000000.l4cs", hdr, sizeof hdr); /* other encoding */
    /* two good entries, then a corrupt one, then a good one that is skipped */
    otel_spool *a = open_spool(1 << 20);
    put(a, 1);
    put(a, 2);
    put(a, 3);
    put(a, 4);
    otel_spool_close(a);
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[400] = "";
    while ((e = readdir(d)))
        if (strstr(e->d_name, ".l4cs") && !strstr(e->d_name, "-1-"))
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    closedir(d);
    int fd = open(path, O_RDWR);
    ck_assert_int_ge(fd, 0);
    off_t third = OTEL_SPOOL_HEADER_BYTES + 2 * OTEL_SPOOL_ENTRY_HEADER_BYTES + PAYLOAD_LEN(1) + PAYLOAD_LEN(2) +
                  OTEL_SPOOL_ENTRY_HEADER_BYTES;
    ck_assert_int_eq(pwrite(fd, "X", 1, third), 1);
    close(fd);

    otel_spool *b = open_spool(1 << 20);
    ck_assert_int_eq(count_files(".bad"), 1);                       /* renamed aside */
    expect(b, 1);
    expect(b, 2);
    const uint8_t *p;
    size_t len;
    uint32_t recs;
    ck_assert_int_eq(otel_spool_peek(b, &p, &len, &recs), 0); /* the rest skipped */
    otel_spool_close(b);
    ck_assert_int_eq(count_files(".l4cs"), 1); /* only the other encoding's file is left */
}
END_TEST

START_TEST(max_bytes)
{
    otel_spool *s = open_spool(OTEL_SPOOL_HEADER_BYTES + 3 * OTEL_SPOOL_ENTRY_HEADER_BYTES + PAYLOAD_LEN(1) +
                               PAYLOAD_LEN(2) + PAYLOAD_LEN(3));
    otel_spool_set_segment_bytes(s, 1 << 20); /* one file */
    put(s, 1);
    put(s, 2);
    put(s, 3);
    ck_assert_int_eq(otel_spool_put(s, "entry 4", 7, 4), -1); /* full: nothing written */
    ck_assert_int_eq(otel_spool_room(s, PAYLOAD_LEN(4), 1), 0);
    expect(s, 1);
    expect(s, 2);
    expect(s, 3);
    ck_assert_uint_eq(otel_spool_disk_bytes(s), 0); /* replayed file deleted: room again */
    put(s, 5);
    expect(s, 5);
    otel_spool_close(s);
}
END_TEST

START_TEST(two_instances_in_creation_order)
{
    otel_spool *a = open_spool(1 << 20);
    otel_spool *b = open_spool(1 << 20);
    put(a, 1);
    put(b, 10);
    put(a, 2); /* a's file was created first: all of a's entries come first */
    put(b, 11);
    otel_spool_close(b);
    otel_spool_close(a);
    otel_spool *c = open_spool(1 << 20);
    expect(c, 1);
    expect(c, 2);
    expect(c, 10);
    expect(c, 11);
    ck_assert_int_eq(otel_spool_pending(c), 0);
    otel_spool_close(c);
}
END_TEST

START_TEST(unusable_directory)
{
    char err[256] = "";
    ck_assert_ptr_null(otel_spool_open("/proc/no/such/dir", 1 << 20, 0, err, sizeof err));
    ck_assert(strstr(err, "cannot create") != NULL);
}
END_TEST

/* The directory must be the user's and not writable by group or others;
 * another user's files in it are never replayed; a record count is
 * checked against the entry's content. */
START_TEST(untrusted_directory_and_files)
{
    char parent[64], err[256] = "";
    otel_spool *s = open_spool(1 << 20);
    otel_spool_close(s);
    ck_assert_int_eq(chmod(dir, 0777), 0);
    ck_assert_ptr_null(otel_spool_open(dir, 1 << 20, OTEL_SPOOL_PROTOBUF, err, sizeof err));
    ck_assert_msg(strstr(err, "not trusted") && strstr(err, "writable by group or others"), "%s", err);
    ck_assert_int_eq(chmod(dir, 0720), 0);
    ck_assert_ptr_null(otel_spool_open(dir, 1 << 20, OTEL_SPOOL_PROTOBUF, err, sizeof err));
    ck_assert_int_eq(chmod(dir, 0700), 0);
    snprintf(parent, sizeof parent, "%s", dir);
    if (geteuid() == 0) {
        ck_assert_int_eq(chown(dir, 65534, 65534), 0);
        ck_assert_ptr_null(otel_spool_open(dir, 1 << 20, OTEL_SPOOL_PROTOBUF, err, sizeof err));
        ck_assert_msg(strstr(err, "owned by uid 65534"), "%s", err);
        ck_assert_int_eq(chown(dir, 0, 0), 0);
        /* a file of another user in our directory is ignored */
        otel_spool *a = open_spool(1 << 20);
        put(a, 1);
        otel_spool_close(a);
        DIR *d = opendir(dir);
        struct dirent *e;
        while ((e = readdir(d)))
            if (strstr(e->d_name, ".l4cs")) {
                char p[400];
                snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
                ck_assert_int_eq(chown(p, 65534, 65534), 0);
            }
        closedir(d);
        otel_spool *b = open_spool(1 << 20);
        ck_assert_int_eq(otel_spool_pending(b), 0);
        otel_spool_close(b);
        ck_assert_int_eq(count_files(".l4cs"), 1); /* left alone */
    }
}
END_TEST

START_TEST(record_count_is_counted)
{
    otel_spool *a = open_spool(1 << 20);
    uint8_t p[128];
    size_t n = payload(p, 3);
    ck_assert_int_eq(otel_spool_put(a, p, n, 4294967295u), 0); /* a crafted count */
    otel_spool_close(a);
    a = open_spool(1 << 20);
    put(a, 2);
    const uint8_t *q;
    size_t len;
    uint32_t recs;
    ck_assert_int_eq(otel_spool_peek(a, &q, &len, &recs), 1);
    ck_assert_uint_eq(recs, 2); /* the crafted entry was skipped as corrupt, never counted */
    otel_spool_consume(a);
    ck_assert_int_eq(otel_spool_put(a, "entry 4", 7, 4), 0); /* not a request at all */
    ck_assert_int_eq(otel_spool_peek(a, &q, &len, &recs), 0);
    otel_spool_close(a);
    /* JSON requests are counted too */
    const char *js = "{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{},{}]},{\"logRecords\":[{}]}]}]}";
    otel_spool *j = otel_spool_open(dir, 1 << 20, OTEL_SPOOL_JSON, (char[64]){0}, 64);
    ck_assert_ptr_nonnull(j);
    ck_assert_int_eq(otel_spool_put(j, js, strlen(js), 3), 0);
    ck_assert_int_eq(otel_spool_put(j, js, strlen(js), 2), 0);
    ck_assert_int_eq(otel_spool_peek(j, &q, &len, &recs), 1);
    ck_assert_uint_eq(recs, 3);
    otel_spool_consume(j);
    ck_assert_int_eq(otel_spool_peek(j, &q, &len, &recs), 0); /* 2 is not what it holds */
    otel_spool_close(j);
}
END_TEST

static int file_exists(const char *name)
{
    char path[160];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return access(path, F_OK) == 0;
}

static void age_file(const char *name, time_t seconds)
{
    char path[160];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    struct timespec t[2];
    clock_gettime(CLOCK_REALTIME, &t[0]);
    t[0].tv_sec -= seconds;
    t[1] = t[0];
    ck_assert_int_eq(utimensat(AT_FDCWD, path, t, 0), 0);
}

/* A temporary ".new-" file that a process killed while creating a file
 * left: deleted once old and unlocked; a recent one, a locked one and
 * one that holds more than a header (not ours to judge) stay; none is
 * ever replayed. */
START_TEST(stale_new_files)
{
    mkdir(dir, 0700);
    uint8_t hdr[OTEL_SPOOL_HEADER_BYTES];
    otel_spool_header(hdr, OTEL_SPOOL_PROTOBUF);
    const char *old = ".new-spool-00000000000000000001-1-00000000.l4cs";
    const char *empty = ".new-spool-00000000000000000002-1-00000000.l4cs";
    const char *recent = ".new-spool-00000000000000000003-1-00000000.l4cs";
    const char *locked = ".new-spool-00000000000000000004-1-00000000.l4cs";
    const char *bigger = ".new-spool-00000000000000000005-1-00000000.l4cs";
    write_file(old, hdr, sizeof hdr);
    write_file(empty, "", 0);
    write_file(recent, hdr, sizeof hdr);
    write_file(locked, hdr, sizeof hdr);
    uint8_t more[OTEL_SPOOL_HEADER_BYTES + 4] = {0};
    memcpy(more, hdr, sizeof hdr);
    write_file(bigger, more, sizeof more);
    age_file(old, 61);
    age_file(empty, 3600);
    age_file(locked, 3600);
    age_file(bigger, 3600);
    char path[160];
    snprintf(path, sizeof path, "%s/%s", dir, locked);
    int lfd = open(path, O_RDONLY);
    ck_assert_int_ge(lfd, 0);
    ck_assert_int_eq(flock(lfd, LOCK_EX), 0); /* a live creator's lock */

    otel_spool *s = open_spool(1 << 20);
    ck_assert(!file_exists(old));
    ck_assert(!file_exists(empty));
    ck_assert(file_exists(recent));
    ck_assert(file_exists(locked));
    ck_assert(file_exists(bigger));
    ck_assert_int_eq(otel_spool_pending(s), 0); /* none is taken for a spool file */
    otel_spool_close(s);
    close(lfd);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("spool");
    TCase *tc = tcase_create("directory");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, order_across_segments);
    tcase_add_test(tc, claims_dead_not_live);
    tcase_add_test(tc, progress_survives_a_crash);
    tcase_add_test(tc, bad_files);
    tcase_add_test(tc, max_bytes);
    tcase_add_test(tc, two_instances_in_creation_order);
    tcase_add_test(tc, unusable_directory);
    tcase_add_test(tc, untrusted_directory_and_files);
    tcase_add_test(tc, record_count_is_counted);
    tcase_add_test(tc, stale_new_files);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
