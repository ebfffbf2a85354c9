/*
 * diag_mask.c - the masking gate for the library's own diagnostics: a line
 * that quotes text from outside (a collector's answer, which may echo a
 * record) is masked under the rules for no particular category (defaults'
 * hideRegex, or a rule without categoryName) before it reaches stderr.
 * The runtime hands the rules over once a valid configuration is loaded;
 * until then lines pass as they are: they are about the configuration
 * then, and no record is exported without valid rules.
 */
#include "diag_mask.h"
#include "mask.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const otel_filter_set *_Atomic diag_rules;

void otel_diag_mask_set_rules(const otel_filter_set *rules) { atomic_store(&diag_rules, rules); }

/* Masks in[0..len) whole, then writes at most outlen - 1 bytes of it to out
 * cut on a character boundary (out may be in: a masked copy is made in a
 * buffer of its own); withheld when it could not be masked. */
static void mask_into(const char *in, size_t len, char *out, size_t outlen, const char *withheld)
{
    if (!out || outlen == 0)
        return;
    const otel_filter_set *rules = atomic_load(&diag_rules);
    const char *src = in;
    size_t n = len;
    otel_mask_buf buf = {NULL, 0};
    if (rules && len) {
        otel_mask_entry e = {"", 0, in, len};
        const char *masked;
        size_t mn;
        otel_mask_result r = otel_mask_value(rules, &e, in, len, &buf, &masked, &mn);
        if (r < 0) {
            snprintf(out, outlen, "%s", withheld);
            free(buf.p);
            return;
        }
        src = masked;
        n = mn;
    }
    if (n > outlen - 1) { /* sanitising may have grown it too */
        n = outlen - 1;
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
            n--;
    }
    if (n && out != src)
        memcpy(out, src, n);
    out[n] = '\0';
    free(buf.p);
}

void otel_diag_mask_line(char *line, size_t cap)
{
    if (cap)
        mask_into(line, strlen(line), line, cap, "log4c-otel: [diagnostic withheld: it could not be masked]");
}

void otel_diag_mask_cut(const char *in, size_t len, char *out, size_t outlen)
{
    mask_into(in, len, out, outlen, "[withheld: it could not be masked]");
}
