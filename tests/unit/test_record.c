/*
 * test_record.c - severity map, UTF-8 sanitising and record building.
 */
#include <check.h>
#include "run_suite.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encode.h"
#include "record.h"
#include "short_copy.h"
#include "utf8.h"
#include "utf8_ref.h"

START_TEST(severity_map)
{
    static const struct {
        int prio;
        int32_t number;
        const char *text;
    } rows[] = {
        {0, 21, "FATAL"},   {100, 19, "ALERT"}, {200, 18, "CRIT"},  {300, 17, "ERROR"},
        {400, 13, "WARN"},  {500, 10, "NOTICE"}, {600, 9, "INFO"},   {700, 5, "DEBUG"},
        {800, 1, "TRACE"},  {550, 10, "NOTICE"}, {-5, 21, "FATAL"},  {299, 18, "CRIT"},
        {850, 1, "TRACE"},  {900, 1, "NOTSET"},  {1000, 1, "UNKNOWN"}, {5000, 1, "UNKNOWN"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        ck_assert_msg(otel_severity_number(rows[i].prio) == rows[i].number, "prio %d -> %d, want %d",
                      rows[i].prio, otel_severity_number(rows[i].prio), rows[i].number);
        ck_assert_str_eq(otel_severity_text(rows[i].prio), rows[i].text);
    }
}
END_TEST

static char *sanitize(const char *in, size_t len, size_t limit, size_t *outlen)
{
    size_t n = otel_utf8_sanitized_len(in, len, limit);
    char *out = malloc(n + 1);
    *outlen = otel_utf8_sanitize(out, in, len, limit);
    ck_assert_uint_eq(*outlen, n);
    out[n] = '\0';
    return out;
}

/* The validator reads ASCII 64 bytes at a time, then the remainder's
 * 16-byte blocks with its last 16 bytes (overlapping) in one test, then a
 * word (and four words) at a time with an overlapping last word: every length
 * up to past two 64-byte blocks and every position of one non-ASCII sequence
 * must agree with the byte-by-byte reference (tests/unit/utf8_ref.c); the
 * ASCII check (the same blocks, bytes under 8; and its inline form) must
 * say 1 for all 'a' and 0 wherever the sequence stands, never reading past
 * the end. */
START_TEST(utf8_valid_every_position)
{
    static const struct {
        const char *seq;
        size_t len;
    } seqs[] = {
        {"\xc3\xa9", 2}, {"\xe2\x82\xac", 3}, {"\xf0\x9f\x98\x80", 4}, /* valid */
        {"\xff", 1}, {"\xc3", 1}, {"\xe2\x82", 2}, {"\xed\xa0\x80", 3}, {"\xf0\x90\x80", 3}, /* not */
    };
    char buf[160], ref[3 * sizeof buf];
    for (size_t len = 0; len <= 150; len++) {
        memset(buf, 'a', sizeof buf);
        memset(buf + len, 0xff, sizeof buf - len); /* past the end: never read */
        ck_assert_int_eq(otel_utf8_valid(buf, len), 1);
        ck_assert_int_eq(otel_utf8_ascii(buf, len), 1);
        ck_assert_int_eq(otel_utf8_ascii_inline(buf, len), 1);
        for (size_t k = 0; k < sizeof seqs / sizeof seqs[0]; k++)
            for (size_t at = 0; at + seqs[k].len <= len; at++) {
                memset(buf, 'a', sizeof buf);
                memset(buf + len, 0xff, sizeof buf - len);
                memcpy(buf + at, seqs[k].seq, seqs[k].len);
                ck_assert_msg(!otel_utf8_ascii_inline(buf, len), "inline ASCII: len %zu seq %zu at %zu", len, k, at);
                size_t n = ref_utf8_sanitize(ref, buf, len, 0);
                int unchanged = n == len && memcmp(ref, buf, n) == 0;
                ck_assert_msg(otel_utf8_valid(buf, len) == unchanged, "len %zu seq %zu at %zu", len, k, at);
                ck_assert_msg(!otel_utf8_ascii(buf, len), "ASCII: len %zu seq %zu at %zu", len, k, at);
                ck_assert_int_eq(unchanged, k < 3);
            }
    }
}
END_TEST

START_TEST(utf8_table)
{
    static const struct {
        const char *in;
        size_t len;
        const char *want;
    } rows[] = {
        {"plain ascii", 11, "plain ascii"},
        {"caf\xc3\xa9", 5, "caf\xc3\xa9"},
        {"\xe2\x82\xac\xf0\x9f\x98\x80", 7, "\xe2\x82\xac\xf0\x9f\x98\x80"},
        {"a\xff" "b", 3, "a\xef\xbf\xbd" "b"},
        {"\xc3\x28", 2, "\xef\xbf\xbd("},                     /* bad continuation */
        {"\xe2\x82", 2, "\xef\xbf\xbd"},                      /* truncated 3-byte: one U+FFFD */
        {"\xed\xa0\x80", 3, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"}, /* surrogate: three */
        {"\xc0\xaf", 2, "\xef\xbf\xbd\xef\xbf\xbd"},          /* overlong */
        {"\xf4\x90\x80\x80", 4, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"}, /* > U+10FFFF */
        {"nul\0inside", 10, "nul\0inside"},
        {"\xf0\x90\x80" "x", 4, "\xef\xbf\xbd" "x"}, /* 3 bytes replaced by 3: same length, not valid */
        {"0123456789abcdef\xc3\xa9" "0123456789abcdef", 34, "0123456789abcdef\xc3\xa9" "0123456789abcdef"},
        {"0123456789abcdef\xc3" "0123456789abcdef", 33, "0123456789abcdef\xef\xbf\xbd" "0123456789abcdef"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        size_t n;
        char *out = sanitize(rows[i].in, rows[i].len, 0, &n);
        size_t wl = i == 9 ? 10 : strlen(rows[i].want);
        ck_assert_msg(n == wl && memcmp(out, rows[i].want, wl) == 0, "row %zu", i);
        /* valid exactly when sanitising changes nothing */
        int unchanged = n == rows[i].len && memcmp(out, rows[i].in, n) == 0;
        ck_assert_msg(otel_utf8_valid(rows[i].in, rows[i].len) == unchanged, "valid() row %zu", i);
        free(out);
    }
}
END_TEST

static unsigned rnd_next(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return *s >> 8;
}

/* Bytes a log line may hold, hostile ones included: runs of ASCII of any
 * length (so that every word alignment is met), valid sequences of every
 * length, and the invalid ones (lone continuations, truncated sequences,
 * overlongs, surrogates, above U+10FFFF, 0xF5..0xFF). */
static size_t hostile(unsigned *s, char *buf, size_t cap)
{
    static const char *const pieces[] = {
        "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\x80", "\xbf", "\xc3", "\xe2\x82", "\xf0\x9f\x98",
        "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xf5", "\xff", "\xfe", "\xe0\xa0\x80",
        "\xef\xbf\xbd", "\xf4\x8f\xbf\xbf", "\xdf\xbf", "\xc2\x80",
    };
    size_t n = 0, want = rnd_next(s) % cap;
    while (n < want) {
        unsigned k = rnd_next(s) % 8;
        if (k < 4) { /* ASCII, 0..40 bytes */
            size_t run = rnd_next(s) % 41;
            for (size_t i = 0; i < run && n < want; i++)
                buf[n++] = (char)(rnd_next(s) % 0x80);
        } else if (k < 7) {
            const char *pc = pieces[rnd_next(s) % (sizeof pieces / sizeof pieces[0])];
            for (size_t i = 0; pc[i] && n < want; i++)
                buf[n++] = pc[i];
        } else {
            buf[n++] = (char)(rnd_next(s) & 0xff); /* any byte */
        }
    }
    return n;
}

/* The sanitiser's word-at-a-time ASCII path and the validator against the
 * byte-by-byte reference (tests/unit/utf8_ref.c): same length, same bytes,
 * at every limit kind, over random and hostile inputs. */
START_TEST(utf8_same_as_byte_by_byte)
{
    enum { ROUNDS = 20000, CAP = 300 };
    static char in[CAP], mine[3 * CAP + 8], ref[3 * CAP + 8];
    unsigned s = 777;
    for (int round = 0; round < ROUNDS; round++) {
        size_t len = hostile(&s, in, CAP);
        size_t limits[3] = {0, 1 + rnd_next(&s) % (len + 4), len};
        for (int l = 0; l < 3; l++) {
            size_t lim = limits[l];
            size_t want = ref_utf8_sanitize(ref, in, len, lim);
            ck_assert_uint_eq(ref_utf8_sanitize(NULL, in, len, lim), want);
            ck_assert_uint_eq(otel_utf8_sanitized_len(in, len, lim), want);
            memset(mine, 0x55, sizeof mine);
            ck_assert_uint_eq(otel_utf8_sanitize(mine, in, len, lim), want);
            ck_assert_mem_eq(mine, ref, want);
            ck_assert_int_eq((unsigned char)mine[want], 0x55); /* nothing written past it */
        }
        size_t whole = ref_utf8_sanitize(ref, in, len, 0);
        int unchanged = whole == len && memcmp(ref, in, len) == 0;
        ck_assert_int_eq(otel_utf8_valid(in, len), unchanged);
    }
}
END_TEST

START_TEST(utf8_limit_never_cuts_a_code_point)
{
    size_t n;
    char *out = sanitize("ab\xe2\x82\xac", 5, 4, &n); /* euro would end at 5 */
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(out, "ab");
    free(out);
    out = sanitize("abcdef", 6, 3, &n);
    ck_assert_str_eq(out, "abc");
    free(out);
}
END_TEST

START_TEST(record_copies_everything)
{
    char body[] = "hello \xff world";
    char key[] = "k1";
    char val[] = "v\xc3";
    uint8_t tid[16] = {1, 2, 3}, sid[8] = {9};
    otel_attr attrs[3] = {
        {.key = key, .type = OTEL_VALUE_STRING, .v.str = {val, 2}},
        {.key = "n", .type = OTEL_VALUE_INT, .v.i = -42},
        {.key = "d", .type = OTEL_VALUE_DOUBLE, .v.d = 2.5},
    };
    otel_record_input in = {.time_unix_nano = 123, .observed_time_unix_nano = 456, .log4c_priority = 300,
                            .category = "a.b", .body = body, .body_len = strlen(body), .trace_id = tid,
                            .span_id = sid, .flags = 1, .attrs = attrs, .nattrs = 3};
    otel_record *r = otel_record_new(&in);
    ck_assert_ptr_nonnull(r);
    memset(body, 'x', sizeof body - 1); /* the caller's memory may go away */
    memset(key, 'x', 2);
    memset(val, 'x', 2);
    ck_assert_str_eq(r->body, "hello \xef\xbf\xbd world");
    ck_assert_uint_eq(r->body_len, strlen("hello \xef\xbf\xbd world"));
    ck_assert_str_eq(r->category, "a.b");
    ck_assert_int_eq(r->severity_number, 17);
    ck_assert_str_eq(r->severity_text, "ERROR");
    ck_assert_uint_eq(r->time_unix_nano, 123);
    ck_assert_uint_eq(r->observed_time_unix_nano, 456);
    ck_assert_int_eq(r->trace_id[2], 3);
    ck_assert_int_eq(r->span_id[0], 9);
    ck_assert_uint_eq(r->nattrs, 3);
    ck_assert_str_eq(r->attrs[0].key, "k1");
    ck_assert_str_eq(r->attrs[0].v.str.s, "v\xef\xbf\xbd");
    ck_assert_int_eq(r->attrs[1].v.i, -42);
    ck_assert(r->attrs[2].v.d == 2.5);
    ck_assert_uint_ge(r->size, sizeof *r + r->body_len);
    otel_record_free(r);
}
END_TEST

/* record_new validates each string once and copies as is when all are
 * valid; one invalid string anywhere (checked last or first) must send the
 * whole record down the sanitising path, every string still right. */
START_TEST(record_one_invalid_string_anywhere)
{
    enum { NSTR = 6 }; /* category, body, key 0, value 0, key 1, value 1 */
    for (int bad = -1; bad < NSTR; bad++) {
        char str[NSTR][16];
        for (int i = 0; i < NSTR; i++)
            snprintf(str[i], sizeof str[i], "s%d-caf\xc3\xa9", i);
        if (bad >= 0)
            str[bad][1] = (char)0xff;
        otel_attr attrs[2] = {
            {.key = str[2], .type = OTEL_VALUE_STRING, .v.str = {str[3], strlen(str[3])}},
            {.key = str[4], .type = OTEL_VALUE_STRING, .v.str = {str[5], strlen(str[5])}},
        };
        otel_record_input in = {.category = str[0], .body = str[1], .body_len = strlen(str[1]), .attrs = attrs,
                                .nattrs = 2};
        otel_record *r = otel_record_new(&in);
        ck_assert_ptr_nonnull(r);
        const char *got[NSTR] = {r->category, r->body, r->attrs[0].key, r->attrs[0].v.str.s, r->attrs[1].key,
                                 r->attrs[1].v.str.s};
        size_t strings = 0;
        for (int i = 0; i < NSTR; i++) {
            size_t n;
            char *want = sanitize(str[i], strlen(str[i]), 0, &n);
            ck_assert_msg(strcmp(got[i], want) == 0, "bad %d string %d", bad, i);
            ck_assert_int_eq(strcmp(got[i], str[i]) == 0, i != bad);
            strings += n + 1;
            free(want);
        }
        ck_assert_uint_eq(r->category_len, strlen(r->category));
        ck_assert_uint_eq(r->body_len, strlen(r->body));
        ck_assert_uint_eq(r->attrs[1].v.str.s_len, strlen(r->attrs[1].v.str.s));
        /* the encoders take a record's key lengths from key_len */
        ck_assert_uint_eq(r->attrs[0].key_len, strlen(r->attrs[0].key));
        ck_assert_uint_eq(r->attrs[1].key_len, strlen(r->attrs[1].key));
        /* exactly the bytes it needs: the queue's byte cap counts them */
        ck_assert_uint_eq(r->size, ((sizeof *r + 7) & ~(size_t)7) + 2 * sizeof(otel_attr) + strings);
        otel_record_free(r);
    }
}
END_TEST

START_TEST(record_body_limit)
{
    otel_record_input in = {.category = "c", .body = "0123456789", .body_len = 10, .body_limit = 4};
    otel_record *r = otel_record_new(&in);
    ck_assert_str_eq(r->body, "0123");
    otel_record_free(r);
}
END_TEST

/* protobuf strings must be UTF-8: a Latin-1 category (scope name) or key
 * would make a collector reject the whole request */
START_TEST(record_category_and_keys_are_utf8)
{
    otel_attr attrs[2] = {
        {.key = "caf\xe9", .type = OTEL_VALUE_INT, .v.i = 1},
        {.key = "ok", .type = OTEL_VALUE_STRING, .v.str = {"v", 1}},
    };
    otel_record_input in = {.category = "app.caf\xe9.m\xc3", .body = "b", .body_len = 1, .attrs = attrs, .nattrs = 2};
    otel_record *r = otel_record_new(&in);
    ck_assert_ptr_nonnull(r);
    ck_assert_str_eq(r->category, "app.caf\xef\xbf\xbd.m\xef\xbf\xbd");
    ck_assert_uint_eq(r->category_len, strlen(r->category));
    ck_assert_str_eq(r->attrs[0].key, "caf\xef\xbf\xbd");
    ck_assert_uint_eq(r->attrs[0].key_len, strlen("caf\xef\xbf\xbd"));
    ck_assert_str_eq(r->attrs[1].key, "ok");
    ck_assert_uint_eq(r->attrs[1].key_len, 2);
    ck_assert_str_eq(r->attrs[1].v.str.s, "v");
    ck_assert_str_eq(r->body, "b");
    ck_assert_uint_ge(r->size, sizeof *r + r->category_len + r->body_len);
    otel_record_free(r);
}
END_TEST

/* key_len is set by otel_record_new from the key itself, whatever the input
 * attribute held there (outside a record it means nothing), also past the
 * keys measured on the stack (64) */
START_TEST(record_sets_key_len)
{
    enum { N = 70 };
    otel_attr attrs[N];
    char keys[N][16];
    for (int i = 0; i < N; i++) {
        snprintf(keys[i], sizeof keys[i], "key.%d", i * 37);
        attrs[i] = (otel_attr){.key = keys[i], .type = OTEL_VALUE_INT, .v.i = i};
        attrs[i].key_len = 999; /* garbage: must not be trusted */
    }
    for (int bad = 0; bad < 2; bad++) { /* the plain path, then the sanitising one */
        otel_record_input in = {.category = "c", .body = bad ? "b\xff" : "b", .body_len = bad ? 2 : 1,
                                .attrs = attrs, .nattrs = N};
        otel_record *r = otel_record_new(&in);
        ck_assert_ptr_nonnull(r);
        for (int i = 0; i < N; i++) {
            ck_assert_str_eq(r->attrs[i].key, keys[i]);
            ck_assert_uint_eq(r->attrs[i].key_len, strlen(keys[i]));
            ck_assert_int_eq(r->attrs[i].v.i, i);
        }
        otel_record_free(r);
    }
}
END_TEST

/* otel_record_new measures the LogRecord's wire size while it builds the
 * record (the split and the encoder take it from there): it must be what
 * measuring the finished record gives, for every severity, with and without
 * ids, flags, dropped attributes, long values and every attribute type; a
 * record that needed sanitising is measured later (0 until then) */
START_TEST(record_wire_size_as_measured)
{
    static const int prios[] = {-5, 0, 100, 300, 400, 600, 700, 800, 899, 900, 999, 1000, 5000};
    static char long_value[300];
    memset(long_value, 'v', sizeof long_value - 1);
    uint8_t tid[16] = {0, 0, 7}, sid[8] = {0, 0, 0, 0, 0, 0, 0, 1}, zero[16] = {0};
    for (size_t pi = 0; pi < sizeof prios / sizeof prios[0]; pi++)
        for (int v = 0; v < 16; v++) {
            otel_attr attrs[5] = {
                {.key = "thread.id", .type = OTEL_VALUE_INT, .v.i = v & 1 ? -1 : 12345},
                {.key = "log.source", .type = OTEL_VALUE_STRING, .v.str = {"app", 3}},
                {.key = "", .type = OTEL_VALUE_STRING, .v.str = {long_value, v & 2 ? 200 : 5}},
                {.key = "d", .type = OTEL_VALUE_DOUBLE, .v.d = 1.5},
                {.key = "b", .type = OTEL_VALUE_BOOL, .v.b = 1},
            };
            int bad = v & 8;
            otel_record_input in = {.time_unix_nano = v & 4 ? 0 : 1700000000000000000ull,
                                    .observed_time_unix_nano = 1700000000000000001ull,
                                    .log4c_priority = prios[pi],
                                    .category = "app.cat",
                                    .body = bad ? "bad \xff body" : long_value,
                                    .body_len = bad ? 10 : (size_t)(v * 17),
                                    .trace_id = v & 2 ? tid : zero,
                                    .span_id = v & 4 ? sid : NULL,
                                    .flags = (uint32_t)(v & 1),
                                    .dropped_attrs = (uint32_t)(v & 4 ? 3 : 0),
                                    .attrs = attrs,
                                    .nattrs = (size_t)(v % 6)};
            otel_record *r = otel_record_new(&in);
            ck_assert_ptr_nonnull(r);
            size_t built = r->wire_size;
            ck_assert_uint_eq(r->severity_text_len, strlen(r->severity_text)); /* the encoder writes that many */
            ck_assert_int_eq(built == 0, bad != 0);
            r->wire_size = 0;
            size_t measured = otel_log_record_size(r);
            if (!bad)
                ck_assert_msg(built == measured, "priority %d variant %d: %zu built, %zu measured", prios[pi], v,
                              built, measured);
            otel_record_free(r);
            /* a record the pipeline will mask is left to be measured after */
            in.changed_after = 1;
            r = otel_record_new(&in);
            ck_assert_ptr_nonnull(r);
            ck_assert_uint_eq(r->wire_size, 0);
            if (!bad)
                ck_assert_uint_eq(otel_log_record_size(r), measured);
            otel_record_free(r);
        }
}
END_TEST

/* otel_copy_short copies exactly n bytes, for every n around its word
 * boundaries, and touches nothing past them */
START_TEST(copy_short_exact)
{
    unsigned char src[80], dst[80];
    for (size_t i = 0; i < sizeof src; i++)
        src[i] = (unsigned char)(i * 7 + 1);
    for (size_t n = 0; n <= 70; n++) {
        memset(dst, 0xAA, sizeof dst);
        otel_copy_short(dst + 1, src + 3, n);
        ck_assert_int_eq(dst[0], 0xAA);
        ck_assert_msg(memcmp(dst + 1, src + 3, n) == 0, "n %zu", n);
        for (size_t i = n + 1; i < sizeof dst; i++)
            ck_assert_msg(dst[i] == 0xAA, "n %zu wrote byte %zu", n, i);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("record");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, severity_map);
    tcase_add_test(tc, utf8_table);
    tcase_add_test(tc, utf8_valid_every_position);
    tcase_add_test(tc, utf8_limit_never_cuts_a_code_point);
    tcase_add_test(tc, utf8_same_as_byte_by_byte);
    tcase_add_test(tc, record_copies_everything);
    tcase_add_test(tc, record_body_limit);
    tcase_add_test(tc, record_one_invalid_string_anywhere);
    tcase_add_test(tc, record_category_and_keys_are_utf8);
    tcase_add_test(tc, record_sets_key_len);
    tcase_add_test(tc, record_wire_size_as_measured);
    tcase_add_test(tc, copy_short_exact);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
