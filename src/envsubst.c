/*
 * envsubst.c - expands %VAR% / %VAR?literal% references (rules in envsubst.h).
 */
#include "envsubst.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int name_start(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
static int name_char(char c) { return name_start(c) || (c >= '0' && c <= '9') || c == '.' || c == '-'; }

typedef struct out_buf {
    char *p;
    size_t len, cap;
} out_buf;

static int put(out_buf *o, const char *s, size_t n)
{
    if (o->len + n + 1 > o->cap) {
        size_t cap = o->cap ? o->cap : 64;
        while (cap < o->len + n + 1)
            cap *= 2;
        char *p = realloc(o->p, cap);
        if (!p)
            return -1;
        o->p = p;
        o->cap = cap;
    }
    memcpy(o->p + o->len, s, n);
    o->len += n;
    o->p[o->len] = '\0';
    return 0;
}

int otel_env_substitute(const char *s, otel_getenv_fn get, char **out, char *missing, size_t missing_len)
{
    out_buf o = {NULL, 0, 0};
    *out = NULL;
    if (missing && missing_len)
        missing[0] = '\0';
    if (put(&o, "", 0) != 0)
        return OTEL_SUBST_NOMEM;
    const char *p = s;
    while (*p) {
        const char *pct = strchr(p, '%');
        if (!pct) {
            if (put(&o, p, strlen(p)) != 0)
                goto nomem;
            break;
        }
        if (put(&o, p, (size_t)(pct - p)) != 0)
            goto nomem;
        if (pct[1] == '%') { /* "%%" */
            if (put(&o, "%", 1) != 0)
                goto nomem;
            p = pct + 2;
            continue;
        }
        const char *n = pct + 1, *e = n;
        if (name_start(*e))
            for (e++; name_char(*e); e++)
                ;
        const char *fb = NULL, *close = NULL;
        if (e > n && *e == '%') {
            close = e;
        } else if (e > n && *e == '?') {
            fb = e + 1;
            close = strchr(fb, '%');
        }
        if (!close) { /* not a reference: a literal '%' */
            if (put(&o, "%", 1) != 0)
                goto nomem;
            p = pct + 1;
            continue;
        }
        size_t nlen = (size_t)(e - n);
        char name[256];
        if (nlen >= sizeof name) { /* no real variable is this long: unset */
            if (fb) {
                if (put(&o, fb, (size_t)(close - fb)) != 0)
                    goto nomem;
                p = close + 1;
                continue;
            }
            if (missing && missing_len)
                snprintf(missing, missing_len, "%.*s", (int)nlen, n);
            free(o.p);
            return OTEL_SUBST_UNSET;
        }
        memcpy(name, n, nlen);
        name[nlen] = '\0';
        const char *v = get ? get(name) : NULL;
        if (v) {
            if (put(&o, v, strlen(v)) != 0)
                goto nomem;
        } else if (fb) {
            if (put(&o, fb, (size_t)(close - fb)) != 0)
                goto nomem;
        } else {
            if (missing && missing_len)
                snprintf(missing, missing_len, "%s", name);
            free(o.p);
            return OTEL_SUBST_UNSET;
        }
        p = close + 1;
    }
    *out = o.p;
    return OTEL_SUBST_OK;
nomem:
    free(o.p);
    return OTEL_SUBST_NOMEM;
}
