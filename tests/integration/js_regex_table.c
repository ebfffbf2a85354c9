/*
 * js_regex_table.c - the library's side of the JavaScript regex comparison
 * (tests/integration/test_js_regex.mjs): reads {"cases":[{"value":
 * "<hideRegex value>", "caseless": bool, "inputs": ["..."]}]} on stdin,
 * compiles each value with otel_regex_compile and masks each input with
 * otel_regex_mask; writes {"results":[{"error": null or "<message>",
 * "raw_pcre2_ok": bool, "outputs": ["..."], "search": [bool]}]} on stdout.
 * raw_pcre2_ok: whether plain PCRE2 (UTF mode, no translation) accepts the
 * value as it stands.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "redact.h"

#include <jansson.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int raw_pcre2_ok(const char *value)
{
    int ec;
    PCRE2_SIZE eo;
    pcre2_code *c = pcre2_compile((PCRE2_SPTR)value, PCRE2_ZERO_TERMINATED, PCRE2_UTF, &ec, &eo, NULL);
    pcre2_code_free(c);
    return c != NULL;
}

int main(void)
{
    json_error_t je;
    json_t *in = json_loadf(stdin, 0, &je);
    if (!in) {
        fprintf(stderr, "js_regex_table: stdin: %s\n", je.text);
        return 2;
    }
    json_t *results = json_array();
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(in, "cases"), i, c) {
        const char *value = json_string_value(json_object_get(c, "value"));
        if (!value) {
            fprintf(stderr, "js_regex_table: case %zu has no value\n", i);
            return 2;
        }
        char err[400];
        otel_regex *re =
            otel_regex_compile(value, json_is_true(json_object_get(c, "caseless")) ? OTEL_REGEX_CASELESS : 0, err, sizeof err);
        json_t *r = json_object();
        json_object_set_new(r, "error", re ? json_null() : json_string(err));
        json_object_set_new(r, "raw_pcre2_ok", json_boolean(raw_pcre2_ok(value)));
        json_t *outs = json_array(), *found = json_array();
        size_t k;
        json_t *s;
        json_array_foreach(json_object_get(c, "inputs"), k, s) {
            if (!re)
                break;
            size_t len = json_string_length(s);
            char *buf = malloc(len + 1);
            if (!buf)
                return 2;
            memcpy(buf, json_string_value(s), len + 1);
            json_array_append_new(found, json_boolean(otel_regex_search(re, buf, len, NULL)));
            size_t n = otel_regex_mask(re, buf, len);
            json_array_append_new(outs, json_stringn(buf, n));
            free(buf);
        }
        json_object_set_new(r, "outputs", outs);
        json_object_set_new(r, "search", found);
        json_array_append_new(results, r);
        otel_regex_free(re);
    }
    json_t *out = json_pack("{s:o}", "results", results);
    json_dumpf(out, stdout, JSON_COMPACT | JSON_ENSURE_ASCII);
    fputc('\n', stdout);
    json_decref(out);
    json_decref(in);
    return 0;
}
