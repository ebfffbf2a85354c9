/*
 * test_line_splitter.c - the capture line splitter: CRLF, a last line
 * without newline, long lines split on character boundaries, chunking that
 * cuts a CRLF or a character in two, empty lines, binary bytes.
 */
#include <check.h>
#include "run_suite.h"
#include <stdio.h>
#include <string.h>

#include "line_splitter.h"

/* The pieces as one string: "[part/flags]text|" per piece. */
static char got[8192];

static void collect(void *ctx, const char *line, size_t len, unsigned part, unsigned flags)
{
    (void)ctx;
    size_t n = strlen(got);
    snprintf(got + n, sizeof got - n, "[%u%s%s]%.*s|", part, flags & OTEL_LINE_MORE ? "+" : "",
             flags & OTEL_LINE_NO_EOL ? "$" : "", (int)len, line);
}

/* Feeds in in chunks of chunk bytes (0: at once) and finishes. */
static const char *split(const char *in, size_t len, size_t max_line, size_t chunk)
{
    otel_line_splitter s;
    got[0] = '\0';
    ck_assert_int_eq(otel_line_splitter_init(&s, max_line), 0);
    for (size_t off = 0; off < len;) {
        size_t k = chunk == 0 || chunk > len - off ? len - off : chunk;
        otel_line_splitter_feed(&s, in + off, k, collect, NULL);
        off += k;
    }
    otel_line_splitter_finish(&s, collect, NULL);
    otel_line_splitter_free(&s);
    return got;
}

#define SPLIT(lit, max, chunk) split(lit, sizeof lit - 1, max, chunk)

START_TEST(lines_and_crlf)
{
    for (size_t chunk = 0; chunk <= 3; chunk++) {
        ck_assert_str_eq(SPLIT("a\nbb\r\nccc\n", 80, chunk), "[0]a|[0]bb|[0]ccc|");
        /* a CR elsewhere is content; only one CR before LF is dropped */
        ck_assert_str_eq(SPLIT("x\ry\r\r\n", 80, chunk), "[0]x\ry\r|");
    }
}
END_TEST

START_TEST(last_line_without_newline)
{
    ck_assert_str_eq(SPLIT("one\ntwo", 80, 0), "[0]one|[0$]two|");
    ck_assert_str_eq(SPLIT("one\ntwo\r", 80, 1), "[0]one|[0$]two|");
    ck_assert_str_eq(SPLIT("", 80, 0), "");
    ck_assert_str_eq(SPLIT("\n\n", 80, 0), "[0]|[0]|");
}
END_TEST

START_TEST(long_lines_split_and_marked)
{
    for (size_t chunk = 0; chunk <= 4; chunk++) {
        ck_assert_str_eq(SPLIT("abcdefghij\nxy\n", 4, chunk), "[1+]abcd|[2+]efgh|[3]ij|[0]xy|");
        /* exactly the limit: whole; one more: two pieces; CRLF does not count */
        ck_assert_str_eq(SPLIT("abcd\nabcde\nabcd\r\n", 4, chunk), "[0]abcd|[1+]abcd|[2]e|[0]abcd|");
        ck_assert_str_eq(SPLIT("abcdefghi", 4, chunk), "[1+]abcd|[2+]efgh|[3$]i|");
    }
}
END_TEST

START_TEST(split_on_character_boundaries)
{
    /* "a€€" with max 3: "a" + 3-byte € would be 4: the € moves to the next piece */
    for (size_t chunk = 0; chunk <= 2; chunk++)
        ck_assert_str_eq(SPLIT("a\xe2\x82\xac\xe2\x82\xac\n", 3, chunk), "[1+]a|[2+]\xe2\x82\xac|[3]\xe2\x82\xac|");
    /* a character longer than the limit is cut (then sanitised by the consumer) */
    ck_assert_str_eq(SPLIT("\xf0\x9f\x98\x80\n", 2, 0), "[1+]\xf0\x9f|[2]\x98\x80|");
}
END_TEST

START_TEST(sanitize_binary)
{
    char out[OTEL_LINE_SANITIZED_MAX(16)];
    size_t n = otel_line_sanitize(out, "a\0b\xff" "c", 5);
    ck_assert_uint_eq(n, 9);
    ck_assert_str_eq(out, "a\xef\xbf\xbd" "b\xef\xbf\xbd" "c");
    n = otel_line_sanitize(out, "\x1b[31mred\t\xe2\x82\xac", 12);
    ck_assert_uint_eq(n, 12); /* controls and valid UTF-8 stay as they are */
    ck_assert_str_eq(out, "\x1b[31mred\t\xe2\x82\xac");
    ck_assert_uint_eq(otel_line_sanitize(out, "", 0), 0);
    ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(init_rejects_zero)
{
    otel_line_splitter s;
    ck_assert_int_eq(otel_line_splitter_init(&s, 0), -1);
    otel_line_splitter_free(&s);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("line_splitter");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, lines_and_crlf);
    tcase_add_test(tc, last_line_without_newline);
    tcase_add_test(tc, long_lines_split_and_marked);
    tcase_add_test(tc, split_on_character_boundaries);
    tcase_add_test(tc, sanitize_binary);
    tcase_add_test(tc, init_rejects_zero);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
