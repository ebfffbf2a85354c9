/*
 * test_spool_file.c - the spool's file format: round trip in order, a torn
 * tail at every possible cut, a flipped byte anywhere, wrong magic and
 * version, empty and header-only files, the length bound.
 */
#include <check.h>
#include "run_suite.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spool_file.h"

static const char *payloads[] = {"first request", "", "the third, a little longer than the others", "4"};
#define NP (sizeof payloads / sizeof payloads[0])

/* A spool image: header and the NP entries, written through a real fd. */
static uint8_t *image(size_t *len)
{
    char path[] = "/tmp/test_spool_XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    unlink(path);
    uint8_t hdr[OTEL_SPOOL_HEADER_BYTES];
    otel_spool_header(hdr, OTEL_SPOOL_JSON);
    ck_assert_int_eq(write(fd, hdr, sizeof hdr), (ssize_t)sizeof hdr);
    for (size_t i = 0; i < NP; i++)
        ck_assert_int_eq(otel_spool_append(fd, payloads[i], strlen(payloads[i]), (uint32_t)(i + 10)), 0);
    off_t end = lseek(fd, 0, SEEK_END);
    uint8_t *buf = malloc((size_t)end);
    ck_assert_int_eq(pread(fd, buf, (size_t)end, 0), end);
    close(fd);
    *len = (size_t)end;
    return buf;
}

/* Reads r to its end: how many entries matched payloads[] in order, and
 * the final status. */
static otel_spool_status read_all(const uint8_t *buf, size_t len, size_t *good)
{
    otel_spool_reader r;
    *good = 0;
    otel_spool_status st = otel_spool_reader_init(&r, buf, len);
    if (st != OTEL_SPOOL_END)
        return st;
    const uint8_t *p;
    size_t n;
    uint32_t recs;
    while ((st = otel_spool_next(&r, &p, &n, &recs)) == OTEL_SPOOL_ENTRY) {
        ck_assert_uint_lt(*good, NP);
        ck_assert_uint_eq(n, strlen(payloads[*good]));
        ck_assert(memcmp(p, payloads[*good], n) == 0);
        ck_assert_uint_eq(recs, *good + 10);
        (*good)++;
    }
    /* a bad point stays bad: the reader does not skip ahead by itself */
    ck_assert_int_eq(otel_spool_next(&r, &p, &n, &recs), st);
    return st;
}

START_TEST(round_trip_in_order)
{
    size_t len, good;
    uint8_t *buf = image(&len);
    otel_spool_reader r;
    ck_assert_int_eq(otel_spool_reader_init(&r, buf, len), OTEL_SPOOL_END);
    ck_assert_uint_eq(r.encoding, OTEL_SPOOL_JSON);
    ck_assert_int_eq(read_all(buf, len, &good), OTEL_SPOOL_END);
    ck_assert_uint_eq(good, NP);
    free(buf);
}
END_TEST

/* Every cut: the entries wholly before it come out, the rest is a torn tail
 * (or a clean end exactly on a boundary). */
START_TEST(torn_tail_at_every_cut)
{
    size_t len, good;
    uint8_t *buf = image(&len);
    size_t bounds[NP + 1], b = OTEL_SPOOL_HEADER_BYTES;
    for (size_t i = 0; i < NP; i++) {
        bounds[i] = b;
        b += OTEL_SPOOL_ENTRY_HEADER_BYTES + strlen(payloads[i]);
    }
    bounds[NP] = b;
    ck_assert_uint_eq(b, len);
    for (size_t cut = 0; cut < len; cut++) {
        uint8_t *copy = malloc(cut ? cut : 1); /* exact size: ASan sees an overread */
        memcpy(copy, buf, cut);
        otel_spool_status st = read_all(copy, cut, &good);
        size_t whole = 0;
        while (whole < NP && bounds[whole + 1] <= cut)
            whole++;
        ck_assert_uint_eq(good, whole);
        int on_boundary = cut >= OTEL_SPOOL_HEADER_BYTES && cut == bounds[whole];
        ck_assert_int_eq(st, on_boundary ? OTEL_SPOOL_END : OTEL_SPOOL_TORN);
        free(copy);
    }
    free(buf);
}
END_TEST

/* A flipped bit anywhere after the header: the entries before the damaged
 * one come out, then a bad status; never a wrong payload (checked in
 * read_all), never a crash. */
START_TEST(flipped_byte_anywhere)
{
    size_t len, good;
    uint8_t *buf = image(&len);
    size_t first_end = OTEL_SPOOL_HEADER_BYTES + OTEL_SPOOL_ENTRY_HEADER_BYTES + strlen(payloads[0]);
    for (size_t at = OTEL_SPOOL_HEADER_BYTES; at < len; at++)
        for (int bit = 0; bit < 8; bit++) {
            buf[at] ^= (uint8_t)(1u << bit);
            otel_spool_status st = read_all(buf, len, &good);
            ck_assert(st == OTEL_SPOOL_CORRUPT || st == OTEL_SPOOL_TORN);
            if (at < first_end)
                ck_assert_uint_eq(good, 0);
            ck_assert_uint_lt(good, NP);
            buf[at] ^= (uint8_t)(1u << bit);
        }
    free(buf);
}
END_TEST

START_TEST(wrong_magic_version_encoding)
{
    size_t len, good;
    uint8_t *buf = image(&len);
    buf[0] = 'X';
    ck_assert_int_eq(read_all(buf, len, &good), OTEL_SPOOL_BAD_MAGIC);
    buf[0] = 'L';
    buf[8] = 2;
    ck_assert_int_eq(read_all(buf, len, &good), OTEL_SPOOL_BAD_VERSION);
    buf[8] = 1;
    buf[10] = 7;
    ck_assert_int_eq(read_all(buf, len, &good), OTEL_SPOOL_CORRUPT);
    ck_assert_uint_eq(good, 0);
    free(buf);
}
END_TEST

START_TEST(empty_and_header_only)
{
    size_t good;
    uint8_t none[1] = {0};
    ck_assert_int_eq(read_all(none, 0, &good), OTEL_SPOOL_TORN);
    uint8_t hdr[OTEL_SPOOL_HEADER_BYTES];
    otel_spool_header(hdr, OTEL_SPOOL_PROTOBUF);
    ck_assert_int_eq(read_all(hdr, sizeof hdr, &good), OTEL_SPOOL_END);
    ck_assert_uint_eq(good, 0);
}
END_TEST

START_TEST(length_bound)
{
    /* a length beyond the bound is corruption even before the CRC */
    uint8_t b[OTEL_SPOOL_HEADER_BYTES + OTEL_SPOOL_ENTRY_HEADER_BYTES] = {0};
    otel_spool_header(b, OTEL_SPOOL_PROTOBUF);
    b[OTEL_SPOOL_HEADER_BYTES + 3] = 0xff; /* length 0xff000000 */
    size_t good;
    ck_assert_int_eq(read_all(b, sizeof b, &good), OTEL_SPOOL_CORRUPT);
    ck_assert_int_eq(otel_spool_append(-1, b, (size_t)OTEL_SPOOL_MAX_ENTRY + 1, 1), -1);
    ck_assert_int_eq(errno, EINVAL);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("spool_file");
    TCase *tc = tcase_create("spool_file");
    tcase_add_test(tc, round_trip_in_order);
    tcase_add_test(tc, torn_tail_at_every_cut);
    tcase_add_test(tc, flipped_byte_anywhere);
    tcase_add_test(tc, wrong_magic_version_encoding);
    tcase_add_test(tc, empty_and_header_only);
    tcase_add_test(tc, length_bound);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
