/*
 * json_pos.c - a position scanner for JSON text: walks the members and
 * elements a key path names, skipping everything else, and turns the byte
 * offset it reaches into a line and a column.
 */
#include "json_pos.h"
#include "hex.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static size_t skip_ws(const char *t, size_t n, size_t i)
{
    while (i < n && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r'))
        i++;
    return i;
}

/* i at the opening quote; returns the index after the closing one, or n+1. */
static size_t skip_string(const char *t, size_t n, size_t i)
{
    for (i++; i < n; i++) {
        if (t[i] == '\\')
            i++;
        else if (t[i] == '"')
            return i + 1;
    }
    return n + 1;
}

/* Skips one value starting at i; returns the index after it, or n+1. */
static size_t skip_value(const char *t, size_t n, size_t i)
{
    if (i >= n)
        return n + 1;
    if (t[i] == '"')
        return skip_string(t, n, i);
    if (t[i] != '{' && t[i] != '[') {
        while (i < n && !strchr(",]} \t\r\n", t[i]))
            i++;
        return i;
    }
    size_t depth = 0;
    for (; i < n; i++) {
        char c = t[i];
        if (c == '"') {
            i = skip_string(t, n, i);
            if (i > n)
                return n + 1;
            i--;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            if (--depth == 0)
                return i + 1;
        }
    }
    return n + 1;
}

static int hex4(const char *p, unsigned *out)
{
    unsigned v = 0;
    for (int k = 0; k < 4; k++) {
        int d = otel_hex_value((unsigned char)p[k]);
        if (d < 0)
            return -1;
        v = v << 4 | (unsigned)d;
    }
    *out = v;
    return 0;
}

static size_t put_utf8(char *o, unsigned cp)
{
    if (cp < 0x80) { o[0] = (char)cp; return 1; }
    if (cp < 0x800) { o[0] = (char)(0xC0 | (cp >> 6)); o[1] = (char)(0x80 | (cp & 0x3F)); return 2; }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12)); o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F)); return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18)); o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); o[3] = (char)(0x80 | (cp & 0x3F)); return 4;
}

/* Decodes the string at t[i] (a quote) into a malloc'd buffer; *next is the
 * index after it. NULL on malformed text or no memory. */
static char *decode_string(const char *t, size_t n, size_t i, size_t *next, size_t *out_len)
{
    size_t end = skip_string(t, n, i);
    if (end > n)
        return NULL;
    char *o = malloc(end - i + 4);
    if (!o)
        return NULL;
    size_t k = 0;
    for (size_t j = i + 1; j < end - 1; j++) {
        if (t[j] != '\\') {
            o[k++] = t[j];
            continue;
        }
        j++;
        switch (t[j]) {
        case 'b': o[k++] = '\b'; break;
        case 'f': o[k++] = '\f'; break;
        case 'n': o[k++] = '\n'; break;
        case 'r': o[k++] = '\r'; break;
        case 't': o[k++] = '\t'; break;
        case 'u': {
            unsigned cp, lo;
            if (j + 4 >= end || hex4(t + j + 1, &cp) != 0)
                goto bad;
            j += 4;
            if (cp >= 0xD800 && cp < 0xDC00 && j + 6 < end && t[j + 1] == '\\' && t[j + 2] == 'u' &&
                hex4(t + j + 3, &lo) == 0 && lo >= 0xDC00 && lo < 0xE000) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                j += 6;
            }
            k += put_utf8(o + k, cp);
            break;
        }
        default: o[k++] = t[j]; break;
        }
    }
    o[k] = '\0';
    *next = end;
    *out_len = k;
    return o;
bad:
    free(o);
    return NULL;
}

/* One component of a key path: a member name (malloc'd) or an index. */
typedef struct comp {
    char *name; /* NULL: index */
    size_t name_len;
    size_t index;
} comp;

/* Reads the next component of the path at *p; 0, 1 at the end, -1 when malformed. */
static int next_comp(const char **pp, comp *c)
{
    const char *p = *pp;
    if (!*p)
        return 1;
    c->name = NULL;
    if (*p == '.')
        p++;
    if (*p == '[' && p[1] == '"') {
        p += 2;
        size_t cap = strlen(p) + 1, k = 0;
        char *o = malloc(cap);
        if (!o)
            return -1;
        while (*p && *p != '"') {
            if (*p == '\\' && p[1])
                p++;
            o[k++] = *p++;
        }
        if (p[0] != '"' || p[1] != ']') {
            free(o);
            return -1;
        }
        o[k] = '\0';
        c->name = o;
        c->name_len = k;
        *pp = p + 2;
        return 0;
    }
    if (*p == '[') {
        char *end;
        unsigned long long v = strtoull(p + 1, &end, 10);
        if (end == p + 1 || *end != ']')
            return -1;
        c->index = (size_t)v;
        *pp = end + 1;
        return 0;
    }
    const char *s = p;
    while (*p && *p != '.' && *p != '[')
        p++;
    if (p == s)
        return -1;
    c->name = malloc((size_t)(p - s) + 1);
    if (!c->name)
        return -1;
    memcpy(c->name, s, (size_t)(p - s));
    c->name[p - s] = '\0';
    c->name_len = (size_t)(p - s);
    *pp = p;
    return 0;
}

/* From the value at i, descends into component c; returns the index of the
 * child value, or n+1 when absent. */
static size_t descend(const char *t, size_t n, size_t i, const comp *c)
{
    if (i >= n)
        return n + 1;
    if (c->name) {
        if (t[i] != '{')
            return n + 1;
        i = skip_ws(t, n, i + 1);
        if (i < n && t[i] == '}')
            return n + 1;
        while (i < n && t[i] == '"') {
            size_t next, klen;
            char *key = decode_string(t, n, i, &next, &klen);
            if (!key)
                return n + 1;
            int match = klen == c->name_len && memcmp(key, c->name, klen) == 0;
            free(key);
            i = skip_ws(t, n, next);
            if (i >= n || t[i] != ':')
                return n + 1;
            i = skip_ws(t, n, i + 1);
            if (match)
                return i;
            i = skip_ws(t, n, skip_value(t, n, i));
            if (i >= n || t[i] != ',')
                return n + 1;
            i = skip_ws(t, n, i + 1);
        }
        return n + 1;
    }
    if (t[i] != '[')
        return n + 1;
    i = skip_ws(t, n, i + 1);
    for (size_t k = 0; i < n && t[i] != ']'; k++) {
        if (k == c->index)
            return i;
        i = skip_ws(t, n, skip_value(t, n, i));
        if (i >= n || t[i] != ',')
            return n + 1;
        i = skip_ws(t, n, i + 1);
    }
    return n + 1;
}

int otel_json_locate(const char *t, size_t n, const char *key_path, int *line, int *column)
{
    if (!t)
        return -1;
    size_t i = 0;
    /* a UTF-8 byte order mark is not part of the document */
    if (n >= 3 && (unsigned char)t[0] == 0xEF && (unsigned char)t[1] == 0xBB && (unsigned char)t[2] == 0xBF)
        i = 3;
    i = skip_ws(t, n, i);
    const char *p = key_path ? key_path : "";
    for (;;) {
        comp c;
        int r = next_comp(&p, &c);
        if (r == 1)
            break;
        if (r < 0)
            return -1;
        i = descend(t, n, i, &c);
        free(c.name);
        if (i > n)
            return -1;
    }
    if (i >= n)
        return -1;
    int l = 1, col = 1;
    for (size_t k = 0; k < i; k++) {
        unsigned char b = (unsigned char)t[k];
        if (b == '\n') {
            l++;
            col = 1;
        } else if ((b & 0xC0) != 0x80) {
            col++;
        }
    }
    *line = l;
    *column = col;
    return 0;
}
