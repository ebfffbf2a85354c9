/*
 * test_mask_prefilter.c - the literal prefilter of masking
 * (src/mask_prefilter.h) never changes what is masked: every pattern of
 * tests/data/js-secret-patterns.json and bench/data/secret-patterns.json,
 * alone, all of a file as one union and the benchmark's set as one
 * alternation, masks a corpus of secret-bearing and hostile strings byte
 * for byte as without the prefilter (otel_regex_mask_set_unfiltered) and
 * as with each pattern's code for any text on ASCII values too
 * (otel_regex_mask_set_any_text: an ASCII value otherwise runs the code
 * for ASCII subjects, compiled without UTF mode where it can be); no
 * pattern matches a value its index (and the single-byte test) rules out;
 * a set whose memory or patterns are used again masks by its patterns of
 * now, and a short value remembered as left as it was is remembered
 * under its set's patterns of now. And the prefilter does prove things: what it and the index read
 * from a pattern, and which patterns of the benchmark's set it rules out
 * for the benchmark's clean record.
 */
#include <check.h>
#include "run_suite.h"
#include <jansson.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mask_prefilter.h"
#include "redact.h"
#include "utf8.h"

#include <stdint.h>

/* ---- the pattern files ---- */

typedef struct patterns {
    char **value; /* as the configuration holds it: pattern, or /pattern/flags */
    size_t n;
    char **inputs; /* their secret and clean examples, the benchmark's records */
    size_t ninputs;
} patterns;

static void push(char ***v, size_t *n, const char *s)
{
    *v = realloc(*v, (*n + 1) * sizeof **v);
    ck_assert_ptr_nonnull(*v);
    (*v)[*n] = strdup(s);
    ck_assert_ptr_nonnull((*v)[*n]);
    (*n)++;
}

static void load(patterns *p, const char *rel)
{
    const char *top = getenv("top_srcdir");
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", top ? top : ".", rel);
    json_error_t e;
    json_t *root = json_load_file(path, 0, &e);
    ck_assert_msg(root != NULL, "%s: %s", path, e.text);
    json_t *pats = json_object_get(root, "patterns"), *it;
    size_t i;
    json_array_foreach(pats, i, it) {
        const char *pat = json_string_value(json_object_get(it, "pattern"));
        json_t *fl = json_object_get(it, "flags");
        char buf[4096];
        if (json_is_string(fl))
            snprintf(buf, sizeof buf, "/%s/%s", pat, json_string_value(fl));
        else
            snprintf(buf, sizeof buf, "%s", pat);
        push(&p->value, &p->n, buf);
        const char *keys[] = {"secret", "clean"};
        for (int k = 0; k < 2; k++) {
            json_t *arr = json_object_get(it, keys[k]), *s;
            size_t j;
            json_array_foreach(arr, j, s) push(&p->inputs, &p->ninputs, json_string_value(s));
        }
    }
    json_t *recs = json_object_get(root, "records");
    const char *key;
    json_t *v;
    json_object_foreach(recs, key, v) push(&p->inputs, &p->ninputs, json_string_value(v));
    json_decref(root);
}

static void unload(patterns *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->value[i]);
    for (size_t i = 0; i < p->ninputs; i++)
        free(p->inputs[i]);
    free(p->value);
    free(p->inputs);
}

/* ---- the corpus ---- */

static char **corpus;
static size_t ncorpus;

/* pieces hostile strings are made of: the literal text patterns start
 * with or need, near misses, case variants, non-ASCII look-alikes that
 * Unicode case folding maps onto ASCII letters (U+017F long s, U+212A
 * Kelvin sign), line ends and U+2028 */
static const char *const PIECES[] = {
    "AKIA", "akia", "ASIA", "AIza", "ghp_", "GHP_", "gho_", "github_pat_", "glpat-", "xoxb-", "xox",
    "hooks.slack.com", "https://", "://", "sk_live_", "rk_test_", "npm_", "SK", "SG.", "shpat_", "T3BlbkFJ",
    "eyJ", ".eyJ", "-----BEGIN ", "PRIVATE KEY-----", "RSA ", "@", ".", "user", "pass", "password", "PASSWORD",
    "pa\xc5\xbf\xc5\xbfword", "api_key", "apikey", "\xe2\x84\xaa" "ey", "secret", "SECRET", "se\xc5\xbf" "cret",
    "token", "t\xc3\xb6ken", "bearer", "Bearer", "Authorization:", "=", ":", " = ", " ", "  ", "\t", "\r\n", "\n",
    "\xe2\x80\xa8", "&", "?", "sig=", "0123456789", "4111 1111 1111 1111", "4111-1111-1111-1111", "deadbeef",
    "0123456789abcdef0123456789abcdef01234567", "ABCDEF", "xxxxxxxxxx", "_", "-", "/", "+", "\"", "'", "==",
    "\xc3\xa9", "\xf0\x9f\x98\x80", "8Q~", "AccountKey=", "key-", "heroku", "passphrase", ";", "BEGIN PGP PRIVATE KEY BLOCK",
    "END PGP PRIVATE KEY BLOCK", "export ", "MY_TOKEN=", "mongodb+srv://", "sid=", "session=", "pin=", "kind",
    /* halves of the literals an index keys on (a key is two of a
     * literal's pairs, or one pair of each of two literals), and bytes
     * that differ from a literal's only in bit 5 */
    "sec", "ret", "cr", "tok", "ken", "ap", "ey", "PA", "Ss", "ass", "x", "ox", "shp", "`", "[", "{", "\x7f", "^",
};
#define NPIECES (sizeof PIECES / sizeof PIECES[0])

static unsigned long long rng = 0x9E3779B97F4A7C15ull;
static unsigned next_rand(void)
{
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return (unsigned)(rng >> 33);
}

static void build_corpus(const patterns *a, const patterns *b)
{
    const patterns *both[] = {a, b};
    for (int f = 0; f < 2; f++)
        for (size_t i = 0; i < both[f]->ninputs; i++) {
            const char *s = both[f]->inputs[i];
            push(&corpus, &ncorpus, s);
            char buf[8192];
            snprintf(buf, sizeof buf, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80 %s \xe2\x80\xa8", s);
            push(&corpus, &ncorpus, buf);
            snprintf(buf, sizeof buf, "%s\r\n%s\n", s, s);
            push(&corpus, &ncorpus, buf);
            /* upper and lower case flipped */
            size_t l = strlen(s);
            if (l < sizeof buf) {
                for (size_t k = 0; k <= l; k++) {
                    char c = s[k];
                    buf[k] = (char)(c >= 'a' && c <= 'z' ? c - 32 : c >= 'A' && c <= 'Z' ? c + 32 : c);
                }
                push(&corpus, &ncorpus, buf);
            }
        }
    /* random strings of the pieces, some of them long (past the prefilter's
     * limit: the patterns then all run) */
    for (int k = 0; k < 400; k++) {
        size_t want = k % 40 == 39 ? 5000 : 8 + next_rand() % 200;
        char *s = malloc(want + 64);
        ck_assert_ptr_nonnull(s);
        size_t l = 0;
        while (l < want) {
            const char *p = PIECES[next_rand() % NPIECES];
            size_t pl = strlen(p);
            memcpy(s + l, p, pl);
            l += pl;
        }
        s[l] = '\0';
        push(&corpus, &ncorpus, s);
        free(s);
    }
    push(&corpus, &ncorpus, "");
}

/* ---- the comparison ---- */

static size_t compared, differ;

static void compare(const otel_regex_set *set, const char *what)
{
    for (size_t i = 0; i < ncorpus; i++) {
        size_t l = strlen(corpus[i]);
        char *x = malloc(l + 1), *y = malloc(l + 1), *z = malloc(l + 1);
        ck_assert_ptr_nonnull(x);
        ck_assert_ptr_nonnull(y);
        ck_assert_ptr_nonnull(z);
        memcpy(x, corpus[i], l + 1);
        memcpy(y, corpus[i], l + 1);
        memcpy(z, corpus[i], l + 1);
        size_t a = otel_regex_mask_set(set, x, l);
        size_t b = otel_regex_mask_set_unfiltered(set, y, l);
        size_t c = otel_regex_mask_set_any_text(set, z, l);
        compared++;
        /* a valid value under the set's floor (what the pipeline does not
         * mask) is one PCRE2 leaves as it is */
        if (l < otel_regex_set_floor(set) && otel_utf8_valid(corpus[i], l) && (b != l || memcmp(y, corpus[i], l))) {
            differ++;
            fprintf(stderr, "%s: \"%.200s\" is under the floor, and masked\n", what, corpus[i]);
        }
        if (a != b || memcmp(x, y, a) != 0) {
            differ++;
            fprintf(stderr, "%s on \"%.200s\":\n  prefilter    \"%.*s\"\n  no prefilter \"%.*s\"\n", what, corpus[i],
                    (int)(a < 200 ? a : 200), x, (int)(b < 200 ? b : 200), y);
        }
        if (c != a || memcmp(z, x, a) != 0) {
            differ++;
            fprintf(stderr, "%s on \"%.200s\":\n  code for ASCII   \"%.*s\"\n  code for any text \"%.*s\"\n", what,
                    corpus[i], (int)(a < 200 ? a : 200), x, (int)(c < 200 ? c : 200), z);
        }
        free(x);
        free(y);
        free(z);
    }
}

static otel_regex *compile(const char *v)
{
    char err[256];
    otel_regex *re = otel_regex_compile(v, 0, err, sizeof err);
    ck_assert_msg(re != NULL, "%s: %s", v, err);
    return re;
}

static otel_regex_set *set_of(otel_regex **re, size_t n)
{
    otel_regex_set *s = malloc(sizeof *s + n * sizeof s->re[0]);
    ck_assert_ptr_nonnull(s);
    s->n = n;
    s->id = 0; /* tests change their sets: recognised by their patterns */
    for (size_t i = 0; i < n; i++)
        s->re[i] = re[i];
    return s;
}

/* Every pattern alone, then all of the file as one union. */
static void compare_file(const patterns *p, const char *name)
{
    otel_regex **re = calloc(p->n, sizeof *re);
    ck_assert_ptr_nonnull(re);
    for (size_t i = 0; i < p->n; i++) {
        re[i] = compile(p->value[i]);
        otel_regex_set *one = set_of(&re[i], 1);
        compare(one, p->value[i]);
        free(one);
        /* the same pattern case-insensitive as a whole */
        char err[256];
        otel_regex *ci = otel_regex_compile(p->value[i], OTEL_REGEX_CASELESS, err, sizeof err);
        ck_assert_msg(ci != NULL, "%s: %s", p->value[i], err);
        one = set_of(&ci, 1);
        compare(one, p->value[i]);
        free(one);
        otel_regex_free(ci);
    }
    otel_regex_set *all = set_of(re, p->n);
    compare(all, name);
    free(all);
    for (size_t i = 0; i < p->n; i++)
        otel_regex_free(re[i]);
    free(re);
}

/* The benchmark's set as one alternation, as a hideRegex holds it:
 * "(?i:...)" around the case-insensitive ones. */
static char *alternation(const patterns *p)
{
    size_t cap = 16;
    for (size_t i = 0; i < p->n; i++)
        cap += strlen(p->value[i]) + 8;
    char *s = malloc(cap);
    ck_assert_ptr_nonnull(s);
    s[0] = '\0';
    for (size_t i = 0; i < p->n; i++) {
        const char *v = p->value[i];
        if (i)
            strcat(s, "|");
        if (v[0] == '/') { /* /pattern/i */
            strcat(s, "(?i:");
            strncat(s, v + 1, strlen(v) - 3);
            strcat(s, ")");
        } else
            strcat(s, v);
    }
    return s;
}

static patterns table, bench;

static void setup(void)
{
    load(&table, "tests/data/js-secret-patterns.json");
    load(&bench, "bench/data/secret-patterns.json");
    build_corpus(&table, &bench);
}

static void teardown(void)
{
    unload(&table);
    unload(&bench);
    for (size_t i = 0; i < ncorpus; i++)
        free(corpus[i]);
    free(corpus);
    corpus = NULL;
    ncorpus = 0;
}

START_TEST(every_pattern_masks_as_without_the_prefilter)
{
    ck_assert_uint_ge(table.n, 60);
    ck_assert_uint_ge(bench.n, 20);
    /* the index's widest pass this CPU runs, then SSE2, then the scalar code */
    for (int pass = OTEL_MASK_PASS_AVX2; pass >= OTEL_MASK_PASS_SCALAR; pass--) {
        otel_mask_index_force_pass(pass);
        compared = differ = 0;
        compare_file(&table, "tests/data/js-secret-patterns.json");
        compare_file(&bench, "bench/data/secret-patterns.json");
        char *alt = alternation(&bench);
        otel_regex *re = compile(alt);
        otel_regex_set *one = set_of(&re, 1);
        compare(one, "the benchmark's set as one alternation");
        free(one);
        otel_regex_free(re);
        free(alt);
        fprintf(stderr, "%zu values masked both ways (index pass %d), %zu differ\n", compared, pass, differ);
        ck_assert_uint_ge(compared, 100000);
        ck_assert_uint_eq(differ, 0);
    }
    otel_mask_index_force_pass(OTEL_MASK_PASS_AVX2);
}
END_TEST

static void masks(const char *pattern, const char *in, const char *want)
{
    otel_regex *re = compile(pattern);
    otel_regex_set *one = set_of(&re, 1);
    char buf[256];
    snprintf(buf, sizeof buf, "%s", in);
    size_t n = otel_regex_mask_set(one, buf, strlen(buf));
    ck_assert_str_eq(buf, want);
    ck_assert_uint_eq(n, strlen(want));
    snprintf(buf, sizeof buf, "%s", in);
    otel_regex_mask_set_unfiltered(one, buf, strlen(buf));
    ck_assert_str_eq(buf, want);
    snprintf(buf, sizeof buf, "%s", in);
    otel_regex_mask_set_any_text(one, buf, strlen(buf));
    ck_assert_str_eq(buf, want);
    free(one);
    otel_regex_free(re);
}

START_TEST(an_alternation_masked_alternative_by_alternative)
{
    /* the first alternative that matches at the leftmost position wins,
     * not the longest, and matches never overlap */
    masks("abc|ab", "xabcx", "x***x");
    masks("ab|abc", "xabcx", "x**cx");
    masks("bcd|abc", "xabcdx", "x***dx");
    masks("/bcd|ABC/i", "xabcdx", "x***dx");
    masks("cd|abc", "abcdcd", "***d**");
    masks("token=\\w+|secret|key", "a secret token=key key", "a ****** ********* ***");
    /* lookbehind sees before the start of the search */
    masks("(?<=k=)\\w+|k", "k=v k", "*=* *");
    /* what the splitting refuses: backreferences, inline flags */
    masks("(a)\\1|b", "aab", "***");
    masks("(?i)a|b", "AB", "**");
    ck_assert_uint_eq(otel_mask_split_alternatives("(a)\\1|b", &(char **){NULL}), 0);
}
END_TEST

/* masks() for pattern beside a second that matches nothing here: a set
 * of two is prefiltered (a single pattern is not, unless split). */
static void masks_in_set(const char *pattern, const char *in, const char *want)
{
    otel_regex *re[2] = {compile(pattern), compile("qzqz")};
    otel_regex_set *two = set_of(re, 2);
    char buf[256];
    snprintf(buf, sizeof buf, "%s", in);
    size_t n = otel_regex_mask_set(two, buf, strlen(buf));
    ck_assert_str_eq(buf, want);
    ck_assert_uint_eq(n, strlen(want));
    snprintf(buf, sizeof buf, "%s", in);
    otel_regex_mask_set_unfiltered(two, buf, strlen(buf));
    ck_assert_str_eq(buf, want);
    free(two);
    otel_regex_free(re[0]);
    otel_regex_free(re[1]);
}

/* After a match, the rest of the value is read for the pattern's
 * prefilter (a pattern without one first character) before searching it
 * again: a match right at the end of the previous one, the literal at
 * the very start or end of the rest, either case, and an alternation
 * masked alternative by alternative. */
/* An ASCII value runs each pattern's code for ASCII subjects, compiled
 * without UTF mode when its translation allows (one byte a character);
 * where only UTF mode takes it (an escape past U+00FF), in UTF mode. Both
 * mask as JavaScript does, as the code for any text does (masks() asks all
 * three ways), U+017F and U+212A under the i flag included. */
START_TEST(the_code_for_ascii_masks_as_javascript)
{
    masks("\\u0100|secret", "a secret", "a ******");       /* UTF mode only */
    masks("[\\u00e0-\\u0100]|k", "ok", "o*");            /* a class past U+00FF */
    masks("\\u00e9*x", "axb", "a*b");                      /* one character, however written */
    masks("\xc3\xa9*x", "axb", "a*b");
    masks("\\u00e9", "caf\xc3\xa9 cafe", "caf* cafe");     /* a value with a non-ASCII character */
    masks("/\\bpass(?:word|wd)?\\s*[=:]\\s*\\S+/i", "user=alice PassWord = hunter2 x",
          "user=alice ****************** x");
    masks("/k/i", "k K", "* *");
    /* without u, i never maps U+017F or U+212A onto s or k; with u it does */
    masks("/\\u017f/i", "s S", "s S");
    masks("/[\\u017f]/i", "s S", "s S");
    masks("/[^\\u212a]x/i", "kx Kx", "** **");
    masks("/\\u017f/iu", "s S", "* *");
    masks("a.c", "a\rc a\nc abc", "a\rc a\nc ***");         /* '.' stops at line ends */
    masks("a\\sb", "a\tb a\vb a\fb a b", "*** *** *** ***");
    masks("\\w+", "ab_9-x", "****-*");
    masks("\\bab\\b", "ab cab ab_", "** cab ab_");
    masks("[^\\s=]+=\\d", "key=1 k\xc3\xa9y=2 a=b", "***** ***** a=b");
}
END_TEST

START_TEST(the_rest_after_a_match_is_read_exactly)
{
    masks_in_set("[\\w.]*@\\w", "a@b@c", "*****");
    masks_in_set("[\\w.]*@\\w", "a@b@c x", "***** x");
    masks_in_set("[\\w.+-]+@[\\w-]+(?:\\.[\\w-]+)+", "a@b.co and c@d.io", "****** and ******");
    masks_in_set("[\\w.+-]+@[\\w-]+(?:\\.[\\w-]+)+", "a@b.co and c@d", "****** and c@d");
    masks_in_set("\\b(?:\\d[ -]?){13,16}\\b", "4111 1111 1111 1111 4111111111111111",
          "************************************");
    masks_in_set("\\b(?:\\d[ -]?){13,16}\\b", "4111111111111111 and 411111111111", "*****************and 411111111111");
    masks_in_set("[a-z]ghp_\\w", "xghp_a yGHP_b zghp_c", "****** yGHP_b ******");
    masks_in_set("[a-z]ghp_\\w", "xghp_aghp_b", "******ghp_b");
    masks_in_set("/[a-z]ghp_\\w/i", "xghp_ayGHP_b", "************");
    masks("[\\w.]*@\\w|\\d{4}x", "a@b1234x@c", "**********");
    masks("[\\w.]*@\\w|\\d{4}x", "1234xa@b 1234", "******** 1234");
    /* the test itself: literals anywhere in the text, either case */
    otel_mask_prefilter *pf = otel_mask_prefilter_new("[a-z]ghp_\\w", 0);
    ck_assert_ptr_nonnull(pf);
    ck_assert_int_eq(otel_mask_prefilter_may_match_text(pf, "ghp_", 4, 1), 1);
    ck_assert_int_eq(otel_mask_prefilter_may_match_text(pf, "xxGHP_", 6, 1), 1);
    ck_assert_int_eq(otel_mask_prefilter_may_match_text(pf, "ghp", 3, 1), 0);
    ck_assert_int_eq(otel_mask_prefilter_may_match_text(pf, "gh_p ghp", 8, 1), 0);
    ck_assert_int_eq(otel_mask_prefilter_may_match_text(pf, "ghpx_ghq_", 9, 1), 0);
    otel_mask_prefilter_free(pf);
}
END_TEST

/* The literal text every match starts with: what is read of a pattern,
 * where it is found in a value (every position and length against a
 * plain comparison), and masking that searches again after a match from
 * the text's next occurrence (either case, a lookbehind before it, a
 * case-insensitive pattern with the u flag on a value whose Kelvin sign
 * and long s match 'k' and 's'). */
static void lead_is(const char *pattern, int caseless, const char *want, int folded)
{
    otel_mask_lead l;
    size_t n = otel_mask_lead_new(pattern, caseless, &l);
    ck_assert_msg(n == strlen(want) && n == l.n && memcmp(l.text, want, n) == 0, "lead of %s: %zu \"%.*s\"", pattern,
                  n, (int)n, (const char *)l.text);
    if (n)
        ck_assert_int_eq(l.folded, folded);
}

static size_t lead_plain(const otel_mask_lead *l, const char *s, size_t len, size_t from)
{
    for (size_t i = from; i + l->n <= len; i++) {
        size_t j = 0;
        while (j < l->n && (l->folded ? (unsigned)tolower((unsigned char)s[i + j]) : (unsigned char)s[i + j]) ==
                               l->text[j])
            j++;
        if (j == l->n)
            return i;
    }
    return SIZE_MAX;
}

START_TEST(the_lead_is_read_and_found_exactly)
{
    lead_is("\\bpass(?:word|wd)?\\s*[=:]\\s*\\S+", 0, "pass", 0);
    lead_is("\\bpass(?:word|wd)?\\s*[=:]\\s*\\S+", 1, "pass", 1);
    lead_is("/\\bPASS=\\S+/i", 0, "pass=", 1);
    lead_is("(?i:\\bPASS=\\S+)", 0, "pass=", 1);
    lead_is("(?:(?i:ab)c)", 0, "", 0);
    lead_is("(?<![a-z])token\\s*=", 0, "token", 0);
    lead_is("(?<=k=)\\w+", 0, "", 0);
    lead_is("https:\\/\\/hooks\\.slack\\.com\\/services", 0, "https://hooks.sl", 0);
    lead_is("-----BEGIN (?:RSA )?KEY", 1, "-----begin ", 1);
    lead_is("12-34\\d", 1, "12-34", 0);
    lead_is("abc?d", 0, "ab", 0);
    lead_is("abc{2}", 0, "ab", 0);
    lead_is("ab*", 0, "", 0);
    lead_is("ab|cd", 0, "", 0);
    lead_is("(?:ab|cd)", 0, "", 0);
    lead_is("(?:ab)|(?:cd)", 0, "", 0);
    lead_is("ab(?:c|d)|e", 0, "", 0);
    lead_is("ab[|]c", 0, "ab", 0);
    lead_is("ab\\|c", 0, "ab|c", 0);
    lead_is("/abc/y", 0, "", 0);
    lead_is("/abc/gmsu", 0, "abc", 0);
    lead_is("^abc", 0, "", 0);
    lead_is("a\\x41b", 0, "", 0);
    lead_is("\\bab\\b", 0, "ab", 0);
    lead_is("\\b{2}ab", 0, "", 0);
    lead_is("a\xc3\xa9", 0, "", 0);
    /* found: every start and length, either case */
    const char *alphabet = "aAbB-_ \x80";
    char v[80];
    const char *pats[] = {"ab", "/ab/i", "a-b", "/a-_b/i", "-_", "/abab/i", "ba_aB", "/a_____________________b/i"};
    for (size_t k = 0; k < sizeof pats / sizeof pats[0]; k++) {
        otel_mask_lead l;
        ck_assert_uint_ge(otel_mask_lead_new(pats[k], 0, &l), 2);
        for (int round = 0; round < 400; round++) {
            size_t len = next_rand() % 70;
            for (size_t i = 0; i < len; i++)
                v[i] = alphabet[next_rand() % 8];
            for (size_t from = 0; from <= len + 1; from++)
                ck_assert_uint_eq(otel_mask_lead_find(&l, v, len, from), lead_plain(&l, v, len, from));
        }
    }
    /* masking: the search after a match starts at the lead's next occurrence */
    masks_in_set("\\bpass\\w*=\\S+", "pass=a xpass=b password=c", "****** xpass=b **********");
    masks_in_set("/\\bpass\\w*=\\S+/i", "PASS=a pass=b xPaSs=c PaSsWoRd=d", "****** ****** xPaSs=c **********");
    masks_in_set("(?<![a-z])token=\\w", "token=a xtoken=b -token=c", "******* xtoken=b -*******");
    masks_in_set("/kk=\\d/iu", "kk=1 \xe2\x84\xaak=2 KK=3", "**** **** ****");
    masks_in_set("/kk=\\d/iu", "kk=1 k\xe2\x84\xaa=2", "**** ****");
    masks_in_set("/ss=\\d/iu", "ss=1 \xc5\xbfs=2 s\xc5\xbf=3", "**** **** ****");
    masks_in_set("/kk=\\d/i", "kk=1 \xe2\x84\xaak=2 KK=3", "**** \xe2\x84\xaak=2 ****"); /* without u: no match */
    masks_in_set("ab=\\w", "ab=1ab=2 ab=", "******** ab=");
    masks_in_set("(?i:ab=\\w)", "ab=1AB=2", "********");
    masks("\\bpass\\w*=\\S+", "pass=a xpass=b password=c", "****** xpass=b **********"); /* alone */
    masks("/\\bpass\\w*=\\S+/i", "PASS=a pass=b xPaSs=c", "****** ****** xPaSs=c");
    masks("/kk=\\d/iu", "kk=1 \xe2\x84\xaak=2 KK=3", "**** **** ****");
    masks("pass=\\w|tok=\\w", "pass=a tok=b pass=c tok=", "****** ***** ****** tok=");
    masks("/pass=\\w|tok=\\w/i", "PASS=a tok=b Pass=c TOK=d", "****** ***** ****** *****");
    masks("(?i:pass=\\w)|tok=\\w", "PASS=a TOK=b Pass=c tok=d", "****** TOK=b ****** *****");
}
END_TEST

static int may_match(const char *pattern, int caseless, const char *s)
{
    otel_mask_prefilter *pf = otel_mask_prefilter_new(pattern, caseless);
    static otel_mask_subject sub; /* zeroed once; its generations go on */
    size_t l = strlen(s);
    int ascii = 1;
    for (size_t i = 0; i < l; i++)
        ascii &= (unsigned char)s[i] < 0x80;
    otel_mask_subject_scan(&sub, s, l, ascii);
    int r = otel_mask_prefilter_may_match(pf, &sub);
    otel_mask_prefilter_free(pf);
    return r;
}

START_TEST(what_the_prefilter_reads)
{
    /* literal runs, choice groups, escaped punctuation */
    ck_assert_int_eq(may_match("\\bgh[pousr]_[A-Za-z0-9]{36}\\b", 0, "a gx_ token"), 0);
    ck_assert_int_eq(may_match("\\bgh[pousr]_[A-Za-z0-9]{36}\\b", 0, "gh_ 0123456789abcdefghijklmnopqrstuvwxyz"), 1);
    ck_assert_int_eq(may_match("\\b(?:AKIA|ASIA)[0-9A-Z]", 0, "AKI ASI"), 0);
    ck_assert_int_eq(may_match("\\b(?:AKIA|ASIA)[0-9A-Z]", 0, "xASIAx"), 1);
    ck_assert_int_eq(may_match("https:\\/\\/hooks\\.slack", 0, "https://hooks-slack"), 0);
    ck_assert_int_eq(may_match("[\\w.+-]+@[\\w-]+", 0, "no at sign"), 0);
    ck_assert_int_eq(may_match("[\\w.+-]+@[\\w-]+", 0, "a@b"), 1);
    /* what is optional is not required; what repeats at least once is */
    ck_assert_int_eq(may_match("pass(?:word)?=", 0, "pass="), 1);
    ck_assert_int_eq(may_match("colou?r", 0, "color"), 1);
    ck_assert_int_eq(may_match("ab+c", 0, "abbbc"), 1);
    ck_assert_int_eq(may_match("ab{2,}c", 0, "a b c"), 0);
    ck_assert_int_eq(may_match("x\\u0070assword", 0, "x0070"), 0);
    /* runs of one class, alone or as a repeated group */
    ck_assert_int_eq(may_match("\\b[0-9a-f]{40}\\b", 0, "0123456789abcdef0123456789abcdef0123456"), 0);
    ck_assert_int_eq(may_match("\\b[0-9a-f]{40}\\b", 0, "0123456789abcdef0123456789abcdef01234567"), 1);
    ck_assert_int_eq(may_match("/\\b[0-9a-f]{40}\\b/i", 0, "0123456789ABCDEF0123456789ABCDEF01234567"), 1);
    ck_assert_int_eq(may_match("\\b[0-9a-f]{40}\\b", 0, "0123456789ABCDEF0123456789ABCDEF01234567"), 0);
    ck_assert_int_eq(may_match("\\b(?:\\d[ -]?){13,16}\\b", 0, "id 4111 1111 at 12:00"), 0);
    ck_assert_int_eq(may_match("\\b(?:\\d[ -]?){13,16}\\b", 0, "card 4111-1111-1111-1111"), 1);
    ck_assert_int_eq(may_match("x\\u0070assword", 0, "xpassword"), 1);
    /* every alternative is tried; one without literal text may match anything */
    ck_assert_int_eq(may_match("secret|token", 0, "a token"), 1);
    ck_assert_int_eq(may_match("secret|token", 0, "nothing"), 0);
    ck_assert_ptr_null(otel_mask_prefilter_new("|password", 0));
    ck_assert_ptr_null(otel_mask_prefilter_new("x*?", 0));
    ck_assert_ptr_null(otel_mask_prefilter_new("\\d{3}|secret", 0));
    ck_assert_ptr_null(otel_mask_prefilter_new("[^@]{8}", 0));
    /* without the u flag "\\p{", "\\u{" and "\\k<" are literal text: an
     * alternation after an unclosed one is still read */
    ck_assert_ptr_null(otel_mask_prefilter_new("pw\\p{Zs|", 0));
    ck_assert_ptr_null(otel_mask_prefilter_new("pw\\k<x|", 0));
    ck_assert_int_eq(may_match("/pw\\p{Zs}*=x/u", 0, "pw=x"), 1);
    ck_assert_ptr_null(otel_mask_prefilter_new("(?:a|)b?", 0));
    /* case: folded for ASCII text; a case-insensitive pattern over non-ASCII
     * text always runs (U+017F folds to s) */
    ck_assert_int_eq(may_match("Secret", 0, "SECRET"), 1);
    ck_assert_int_eq(may_match("/secret/i", 0, "se\xc5\xbf" "cret"), 1);
    ck_assert_int_eq(may_match("secret", 1, "se\xc5\xbf" "cret"), 1);
    ck_assert_int_eq(may_match("(?i)secret", 0, "se\xc5\xbf" "cret"), 1);
    ck_assert_int_eq(may_match("secret", 0, "se\xc5\xbf" "cret"), 0);
    ck_assert_int_eq(may_match("/secret/u", 0, "nothing \xc3\xa9"), 0);
}
END_TEST

/* Bit 0 of a one-prefilter index over pattern for s: 0 when the index
 * says it cannot match. */
static int index_says(const char *pattern, int caseless, const char *s)
{
    otel_mask_prefilter *pf = otel_mask_prefilter_new(pattern, caseless);
    otel_mask_index *x = otel_mask_index_new(&pf, 1);
    ck_assert_ptr_nonnull(x);
    size_t l = strlen(s);
    int ascii = 1;
    for (size_t i = 0; i < l; i++)
        ascii &= (unsigned char)s[i] < 0x80;
    int r = (int)(otel_mask_index_candidates(x, s, l, ascii) & 1);
    otel_mask_index_free(x);
    otel_mask_prefilter_free(pf);
    return r;
}

START_TEST(what_the_index_reads)
{
    /* one literal: two of its pairs, its rarest in log text ("cr" and
     * "t="), not its common ones ("se", "et") */
    ck_assert_int_eq(index_says("secret=", 0, "a secret= b"), 1);
    ck_assert_int_eq(index_says("secret=", 0, "SeCrEt="), 1);
    ck_assert_int_eq(index_says("secret=", 0, "set to se and et, no key"), 0);
    ck_assert_int_eq(index_says("secret=", 0, "cr t="), 1); /* only two pairs are tested: conservative */
    ck_assert_int_eq(index_says("ab", 0, "xaby"), 1);
    ck_assert_int_eq(index_says("ab", 0, "ba"), 0);
    ck_assert_int_eq(index_says("ab", 0, "a"), 0);
    ck_assert_int_eq(index_says("ab", 0, "ab"), 1);
    ck_assert_int_eq(index_says("xyz", 0, "0123456789abcdefxyz"), 1); /* the pair in the tail after four-byte rounds */
    ck_assert_int_eq(index_says("xyz", 0, "0123456789abcdefxy"), 0);
    /* two literals: a pair of each */
    ck_assert_int_eq(index_says("api[_-]?key", 0, "GET /api/v1"), 0);
    ck_assert_int_eq(index_says("api[_-]?key", 0, "a key and an api"), 1);
    /* a choice: any of its literals */
    ck_assert_int_eq(index_says("\\b(?:AKIA|ASIA)[0-9A-Z]{16}", 0, "xASIAx"), 1);
    ck_assert_int_eq(index_says("\\b(?:AKIA|ASIA)[0-9A-Z]{16}", 0, "xAS IAx"), 0);
    /* no pair to key on: always a candidate */
    ck_assert_int_eq(index_says("\\b[0-9a-f]{40}\\b", 0, "nothing"), 1);
    ck_assert_int_eq(index_says("[\\w.+-]+@[\\w-]+", 0, "nothing"), 1);
    ck_assert_int_eq(index_says("secret|token", 0, "nothing"), 1);
    /* case-insensitive over non-ASCII text: a candidate (U+017F folds to s) */
    ck_assert_int_eq(index_says("/secret/i", 0, "se\xc5\xbf" "cret"), 1);
    ck_assert_int_eq(index_says("secret", 1, "nothing \xc3\xa9"), 1);
    ck_assert_int_eq(index_says("secret", 0, "nothing \xc3\xa9"), 0);
}
END_TEST

/* What the index and the single-byte test rule out for a value, no
 * search finds: for every pattern of both files over the corpus. */
static void ruled_out_never_matches(const patterns *p, size_t *ruled_out, size_t *tested)
{
    for (size_t i = 0; i < p->n; i++) {
        otel_regex *re = compile(p->value[i]);
        otel_mask_prefilter *pf = otel_mask_prefilter_new(p->value[i], 0);
        otel_mask_index *x = otel_mask_index_new(&pf, 1);
        ck_assert_ptr_nonnull(x);
        for (size_t k = 0; k < ncorpus; k++) {
            const char *v = corpus[k];
            size_t l = strlen(v);
            int ascii = 1;
            for (size_t j = 0; j < l; j++)
                ascii &= (unsigned char)v[j] < 0x80;
            /* as masking asks: the index's candidates, then its byte test */
            int may = (int)(otel_mask_index_bytes(x, otel_mask_index_candidates(x, v, l, ascii), v, l, ascii) & 1);
            (*tested)++;
            if (may)
                continue;
            (*ruled_out)++;
            int limit = 0;
            if (otel_regex_search(re, v, l, &limit) && !limit)
                ck_abort_msg("%s matches \"%.200s\", which the index ruled out", p->value[i], v);
        }
        otel_mask_index_free(x);
        otel_mask_prefilter_free(pf);
        otel_regex_free(re);
    }
}

START_TEST(what_the_index_rules_out_has_no_match)
{
    /* the widest pass this CPU runs, then SSE2, then the scalar code */
    for (int pass = OTEL_MASK_PASS_AVX2; pass >= OTEL_MASK_PASS_SCALAR; pass--) {
        otel_mask_index_force_pass(pass);
        size_t ruled_out = 0, tested = 0;
        ruled_out_never_matches(&table, &ruled_out, &tested);
        ruled_out_never_matches(&bench, &ruled_out, &tested);
        fprintf(stderr, "%zu of %zu pattern and value pairs ruled out by the index (pass %d), none matched\n",
                ruled_out, tested, pass);
        ck_assert_uint_ge(ruled_out, tested / 2);
    }
    otel_mask_index_force_pass(OTEL_MASK_PASS_AVX2);
}
END_TEST

static int all_ascii(const char *s, size_t l)
{
    for (size_t i = 0; i < l; i++)
        if ((unsigned char)s[i] >= 0x80)
            return 0;
    return 1;
}

/* The index of up to 64 prefilters of p (from pattern first on) reads
 * every value of the corpus, and stretches of it (each of 17 starts, each
 * length up to 64, so that every pair falls at every place of the vector
 * passes' blocks and of their last, overlapping ones), alike with every
 * pass (AVX2 where the CPU has it, SSE2, the scalar code); the ASCII answer of its scan is the value's;
 * its single-byte and run test answers as each prefilter's own (for the
 * whole value and its first stretches). */
static void index_paths_agree(const patterns *p, size_t first, size_t *stretches)
{
    otel_mask_prefilter *pfs[64] = {0};
    size_t n = 0;
    for (size_t i = first; i < p->n && n < 64; i++)
        pfs[n++] = otel_mask_prefilter_new(p->value[i], 0);
    otel_mask_index *x = otel_mask_index_new(pfs, n);
    ck_assert_ptr_nonnull(x);
    for (size_t k = 0; k < ncorpus; k++) {
        const char *v = corpus[k];
        size_t l = strlen(v);
        for (size_t a = 0; a <= l && a < 17; a++)
            for (size_t m = 0; a + m <= l && m <= 64; m++) {
                const char *s = v + a;
                int ascii = all_ascii(s, m);
                uint64_t got[3], scan[3];
                int scanned[3];
                for (int pass = OTEL_MASK_PASS_SCALAR; pass <= OTEL_MASK_PASS_AVX2; pass++) {
                    otel_mask_index_force_pass(pass);
                    got[pass] = otel_mask_index_candidates(x, s, m, ascii);
                    scan[pass] = otel_mask_index_scan(x, s, m, &scanned[pass]);
                }
                for (int pass = OTEL_MASK_PASS_SCALAR; pass <= OTEL_MASK_PASS_AVX2; pass++)
                    if (got[pass] != got[0] || scan[pass] != got[0] || scanned[pass] != ascii)
                        ck_abort_msg("index pass %d differs on \"%.*s\": %llx %llx, scalar %llx; ascii %d, %d", pass,
                                     (int)m, s, (unsigned long long)got[pass], (unsigned long long)scan[pass],
                                     (unsigned long long)got[0], scanned[pass], ascii);
                (*stretches)++;
                if (a != 0 || (m % 5 != 0 && m != 64))
                    continue;
                uint64_t kept = otel_mask_index_bytes(x, ~0ull >> (64 - n), s, m, ascii);
                for (size_t i = 0; i < n; i++) {
                    int want = !pfs[i] || otel_mask_prefilter_may_match_bytes(pfs[i], s, m, ascii);
                    if ((int)(kept >> i & 1) != want)
                        ck_abort_msg("the index's byte test of %s on \"%.*s\": %d, the prefilter's: %d",
                                     p->value[first + i], (int)m, s, (int)(kept >> i & 1), want);
                }
            }
        /* the whole value */
        int ascii = all_ascii(v, l);
        uint64_t kept = otel_mask_index_bytes(x, ~0ull >> (64 - n), v, l, ascii);
        for (size_t i = 0; i < n; i++) {
            int want = !pfs[i] || otel_mask_prefilter_may_match_bytes(pfs[i], v, l, ascii);
            if ((int)(kept >> i & 1) != want)
                ck_abort_msg("the index's byte test of %s on \"%.200s\": %d, the prefilter's: %d", p->value[first + i],
                             v, (int)(kept >> i & 1), want);
        }
    }
    otel_mask_index_free(x);
    for (size_t i = 0; i < n; i++)
        otel_mask_prefilter_free(pfs[i]);
}

START_TEST(the_index_answers_alike_on_every_path)
{
    /* a value that is not UTF-8 (masking checks, fail safe): one byte
     * with its top bit set, at every position of every length to 70,
     * found by the scan's ASCII answer on both paths */
    otel_mask_prefilter *pf = otel_mask_prefilter_new("secret=\\w+", 0);
    otel_mask_index *x = otel_mask_index_new(&pf, 1);
    ck_assert_ptr_nonnull(x);
    char buf[80];
    for (size_t m = 1; m <= 70; m++)
        for (size_t at = 0; at <= m; at++)
            for (int pass = OTEL_MASK_PASS_SCALAR; pass <= OTEL_MASK_PASS_AVX2; pass++) {
                memset(buf, 'a', sizeof buf);
                if (at < m)
                    buf[at] = (char)(at % 2 ? 0x80 : 0xff);
                int got = -1;
                otel_mask_index_force_pass(pass);
                otel_mask_index_scan(x, buf, m, &got);
                ck_assert_int_eq(got, at == m);
            }
    otel_mask_index_force_pass(OTEL_MASK_PASS_AVX2);
    otel_mask_index_free(x);
    otel_mask_prefilter_free(pf);
    size_t stretches = 0;
    index_paths_agree(&bench, 0, &stretches);
    index_paths_agree(&table, 0, &stretches);
    if (table.n > 64)
        index_paths_agree(&table, 64, &stretches);
    fprintf(stderr, "%zu values and stretches read alike by every pass of the index\n", stretches);
    ck_assert_uint_gt(stretches, 10000);
}
END_TEST

/* A set's index is kept per thread: a set whose memory is used again for
 * other patterns, or whose patterns were freed and others compiled (at
 * the same addresses), masks by its patterns of now. */
START_TEST(a_set_used_again_masks_by_its_patterns_of_now)
{
    otel_regex *re[2] = {compile("secret=\\w+"), compile("token=\\w+")};
    otel_regex_set *set = set_of(re, 2);
    char buf[64];
    snprintf(buf, sizeof buf, "secret=a token=b key=c");
    otel_regex_mask_set(set, buf, strlen(buf));
    ck_assert_str_eq(buf, "******** ******* key=c");
    otel_regex_free(re[1]);
    re[1] = compile("key=\\w+"); /* the freed one's memory, likely */
    set->re[1] = re[1];
    snprintf(buf, sizeof buf, "secret=a token=b key=c");
    otel_regex_mask_set(set, buf, strlen(buf));
    ck_assert_str_eq(buf, "******** token=b *****");
    set->n = 1;
    snprintf(buf, sizeof buf, "secret=a token=b key=c");
    otel_regex_mask_set(set, buf, strlen(buf));
    ck_assert_str_eq(buf, "******** token=b key=c");
    set->n = 2;
    const otel_regex *swap = set->re[0];
    set->re[0] = set->re[1];
    set->re[1] = swap;
    snprintf(buf, sizeof buf, "secret=a token=b key=c");
    otel_regex_mask_set(set, buf, strlen(buf));
    ck_assert_str_eq(buf, "******** token=b *****");
    free(set);
    otel_regex_free(re[0]);
    otel_regex_free(re[1]);
}
END_TEST

/* A short value masking left as it was is remembered per thread (up to
 * 32 bytes, sets of up to 4 patterns) and left as it is again: only under
 * the same patterns, the same bytes, while no pattern has been freed. */
static void masked_as(otel_regex_set *set, const char *in, const char *want)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%s", in);
    size_t n = otel_regex_mask_set(set, buf, strlen(buf));
    ck_assert_uint_eq(n, strlen(want));
    ck_assert_msg(memcmp(buf, want, n) == 0, "\"%s\" masked as \"%.*s\", not \"%s\"", in, (int)n, buf, want);
}

START_TEST(a_short_value_left_as_it_was_is_remembered_exactly)
{
    otel_regex *re[3] = {compile("secret=\\w+"), compile("key=\\w+"), compile("k=\\d")};
    otel_regex_set *set = set_of(re, 2); /* room for two patterns, one used until it grows */
    set->n = 1;
    masked_as(set, "key=a", "key=a");
    masked_as(set, "key=a", "key=a"); /* remembered */
    masked_as(set, "key=b", "key=b");
    masked_as(set, "secret=a", "********");
    masked_as(set, "secret=a", "********"); /* a changed value is not remembered */
    set->re[0] = re[1];                     /* the same set, another pattern */
    masked_as(set, "key=a", "*****");
    set->re[0] = re[0];
    masked_as(set, "key=a", "key=a");
    set->n = 2; /* the same first pattern, one more */
    set->re[1] = re[1];
    masked_as(set, "key=a", "*****");
    set->n = 1;
    masked_as(set, "key=ab", "key=ab");
    masked_as(set, "key=ab", "key=ab");
    otel_regex_free(re[0]);
    re[0] = compile("key=\\w+"); /* the freed one's memory, likely */
    set->re[0] = re[0];
    masked_as(set, "key=ab", "******");
    /* more values than it remembers, in turn, and one byte apart */
    const char *const vals[] = {"k=1", "k=2", "k=3", "k=4", "k=5", "k=6", "k=7"};
    otel_regex *only7 = compile("k=7");
    set->re[0] = only7;
    for (int round = 0; round < 3; round++)
        for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++)
            masked_as(set, vals[i], i == 6 ? "***" : vals[i]);
    /* at and past the length remembered */
    set->re[0] = re[2];
    masked_as(set, "abcdefghijklmnopqrstuvwxyz012345", "abcdefghijklmnopqrstuvwxyz012345");
    masked_as(set, "abcdefghijklmnopqrstuvwxyz012345", "abcdefghijklmnopqrstuvwxyz012345");
    masked_as(set, "abcdefghijklmnopqrstuvwxyz012345k=1", "abcdefghijklmnopqrstuvwxyz012345***");
    masked_as(set, "abcdefghijklmnopqrstuvwxyz0123456", "abcdefghijklmnopqrstuvwxyz0123456");
    masked_as(set, "abcdefghijklmnopqrstuvwxyz0123456", "abcdefghijklmnopqrstuvwxyz0123456");
    /* not UTF-8: masked whole every time */
    masked_as(set, "ab\xff\xfe", "****");
    masked_as(set, "ab\xff\xfe", "****");
    free(set);
    otel_regex_free(only7);
    for (int i = 0; i < 3; i++)
        otel_regex_free(re[i]);
}
END_TEST

/* A set with an id is found by its id: a set made after another was freed,
 * likely at the same address and with as many patterns (none of them freed),
 * is masked by its own patterns, not by what was built for the other. */
START_TEST(a_set_with_an_id_is_found_by_it)
{
    otel_regex *re[3] = {compile("alpha=\\w+"), compile("beta=\\w+"), compile("gamma=\\w+")};
    for (int round = 0; round < 4; round++) {
        otel_regex_set *a = set_of(re, 2);
        a->id = otel_regex_set_id();
        masked_as(a, "alpha=1 beta=2 gamma=3", "******* ****** gamma=3");
        masked_as(a, "only gamma=3 here", "only gamma=3 here");
        free(a);
        otel_regex_set *b = set_of(re + 1, 2);
        b->id = otel_regex_set_id();
        ck_assert(b->id != 0);
        masked_as(b, "alpha=1 beta=2 gamma=3", "alpha=1 ****** *******");
        /* what a's index rules out (no alpha= or beta=) is b's to find */
        masked_as(b, "only gamma=3 here", "only ******* here");
        free(b);
    }
    for (int i = 0; i < 3; i++)
        otel_regex_free(re[i]);
}
END_TEST

/* A value shorter than any match of any pattern compiled so far returns
 * at once, but still fail safe when it is not UTF-8; a pattern with
 * shorter matches compiled later is found on short values. */
START_TEST(a_value_shorter_than_every_match)
{
    otel_regex *re[2] = {compile("secret=\\w{8}"), NULL};
    otel_regex_set *one = set_of(re, 1);
    char buf[32];
    snprintf(buf, sizeof buf, "secret=a");
    ck_assert_uint_eq(otel_regex_mask_set(one, buf, strlen(buf)), 8);
    ck_assert_str_eq(buf, "secret=a");
    ck_assert_uint_le(otel_regex_set_floor(one), 15); /* its shortest match, or a shorter pattern compiled before */
    ck_assert_uint_gt(otel_regex_set_floor(one), 0);
    ck_assert_uint_eq(otel_regex_set_floor(NULL), SIZE_MAX); /* nothing masked */
    otel_regex_set none = {.n = 0};
    ck_assert_uint_eq(otel_regex_set_floor(&none), 0); /* every value masked whole */
    snprintf(buf, sizeof buf, "ab");
    ck_assert_uint_eq(otel_regex_mask_set(&none, buf, 2), 2);
    ck_assert_str_eq(buf, "**");
    snprintf(buf, sizeof buf, "ab\xff\xfe");
    ck_assert_uint_eq(otel_regex_mask_set(one, buf, 4), 4); /* not UTF-8: masked whole */
    ck_assert_str_eq(buf, "****");
    snprintf(buf, sizeof buf, "secret=abcdefgh");
    otel_regex_mask_set(one, buf, strlen(buf));
    ck_assert_str_eq(buf, "***************");
    re[1] = compile("k=\\d");
    otel_regex_set *two = set_of(re, 2);
    snprintf(buf, sizeof buf, "k=1");
    otel_regex_mask_set(two, buf, strlen(buf));
    ck_assert_str_eq(buf, "***");
    snprintf(buf, sizeof buf, "k=12");
    otel_regex_mask_set(one, buf, strlen(buf)); /* the first pattern alone: no match */
    ck_assert_str_eq(buf, "k=12");
    free(one);
    free(two);
    otel_regex_free(re[0]);
    otel_regex_free(re[1]);
}
END_TEST

START_TEST(the_clean_record_rules_out_most_of_the_set)
{
    /* the benchmark's record without a secret: only patterns without any
     * literal text (card numbers, 40 hex digits) and the few whose literal
     * text it holds may match */
    const char *clean = NULL;
    for (size_t i = 0; i < bench.ninputs; i++)
        if (strncmp(bench.inputs[i], "GET ", 4) == 0)
            clean = bench.inputs[i];
    ck_assert_ptr_nonnull(clean);
    size_t may = 0;
    for (size_t i = 0; i < bench.n; i++)
        may += (size_t)may_match(bench.value[i], 0, clean);
    ck_assert_uint_le(may, 5);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("mask_prefilter");
    TCase *tc = tcase_create("prefilter");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, every_pattern_masks_as_without_the_prefilter);
    tcase_add_test(tc, what_the_prefilter_reads);
    tcase_add_test(tc, an_alternation_masked_alternative_by_alternative);
    tcase_add_test(tc, the_code_for_ascii_masks_as_javascript);
    tcase_add_test(tc, the_rest_after_a_match_is_read_exactly);
    tcase_add_test(tc, the_lead_is_read_and_found_exactly);
    tcase_add_test(tc, the_clean_record_rules_out_most_of_the_set);
    tcase_add_test(tc, what_the_index_reads);
    tcase_add_test(tc, what_the_index_rules_out_has_no_match);
    tcase_add_test(tc, the_index_answers_alike_on_every_path);
    tcase_add_test(tc, a_set_used_again_masks_by_its_patterns_of_now);
    tcase_add_test(tc, a_short_value_left_as_it_was_is_remembered_exactly);
    tcase_add_test(tc, a_set_with_an_id_is_found_by_it);
    tcase_add_test(tc, a_value_shorter_than_every_match);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return run_suite(suite()); }
