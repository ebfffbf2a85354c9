/*
 * test_http.c - unit tests of the OTLP/HTTP exporter: the retry policy
 * (retryable statuses, Retry-After, backoff), gzip, and real requests against
 * a small scripted HTTP/1.1 server running in a thread on 127.0.0.1, which
 * records what it received so the tests check bytes and headers, not just
 * outcomes.
 *
 * Timing assertions use only lower bounds, or upper bounds with seconds of
 * slack: these machines are shared and slow.
 */
#include <arpa/inet.h>
#include <check.h>
#include "run_suite.h"
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include "buf.h"
#include "clock.h"
#include "http_exporter.h"
#include "log4c-otel.h"
#include "settings.h"

#define MS 1000000ull

static uint64_t elapsed_ms(uint64_t since_ns)
{
    return (otel_now_ns() - since_ns) / MS;
}

/* ---- retry policy ----------------------------------------------------- */

START_TEST(test_status_retryable)
{
    static const struct {
        long status;
        int retry;
    } table[] = {
        {0, 0},   {100, 0}, {200, 0}, {204, 0}, {301, 0}, {400, 0}, {401, 0}, {403, 0}, {404, 0},
        {408, 0}, {413, 0}, {428, 0}, {429, 1}, {430, 0}, {500, 0}, {501, 0}, {502, 1}, {503, 1},
        {504, 1}, {505, 0}, {599, 0}, {-1, 0},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        ck_assert_msg(otel_http_status_retryable(table[i].status) == table[i].retry, "status %ld",
                      table[i].status);
}
END_TEST

/* Sun, 06 Nov 1994 08:49:37 GMT, the RFCs' own example. */
#define T1994 784111777LL
/* 1996-02-29 00:00:00 GMT, a leap day. */
#define T1996 825552000LL
/* 2024-01-01 00:00:00 GMT, for two-digit years. */
#define T2024 1704067200LL

START_TEST(test_retry_after_table)
{
    static const struct {
        const char *value;
        long long now;
        long want_ms;
    } table[] = {
        /* delta-seconds */
        {"0", T1994, 0},
        {"1", T1994, 1000},
        {"120", T1994, 120000},
        {" 5 ", T1994, 5000},
        {"\t7\t", T1994, 7000},
        {"007", T1994, 7000},
        {"3600", T1994, 3600000},
        {"3601", T1994, 3600000},
        {"99999999999999999999999999", T1994, 3600000},
        {"-5", T1994, -1},
        {"+5", T1994, -1},
        {"1.5", T1994, -1},
        {"5s", T1994, -1},
        {"5 5", T1994, -1},
        {"abc", T1994, -1},
        {"", T1994, -1},
        {"   ", T1994, -1},
        {"0x10", T1994, -1},
        /* IMF-fixdate */
        {"Sun, 06 Nov 1994 08:49:37 GMT", T1994, 0},
        {"Sun, 06 Nov 1994 08:50:37 GMT", T1994, 60000},
        {"Sun, 06 Nov 1994 08:49:38 GMT", T1994, 1000},
        {"Sun, 06 Nov 1994 08:48:37 GMT", T1994, 0},    /* past */
        {"Mon, 01 Jan 1990 00:00:00 GMT", T1994, 0},    /* long past */
        {"Sun, 06 Nov 1994 09:49:37 GMT", T1994, 3600000},
        {"Sun, 06 Nov 1994 10:49:37 GMT", T1994, 3600000}, /* capped */
        {"Fri, 31 Dec 9999 23:59:59 GMT", T1994, 3600000},
        {"sun, 06 nov 1994 08:50:37 gmt", T1994, 60000}, /* lenient on case */
        {"  Sun, 06 Nov 1994 08:50:37 GMT  ", T1994, 60000},
        {"Thu, 29 Feb 1996 00:00:10 GMT", T1996, 10000},
        {"Wed, 28 Feb 1996 23:59:59 GMT", T1996, 0},
        {"Wed, 29 Feb 1995 00:00:10 GMT", T1996, -1}, /* not a leap year */
        {"Sun, 31 Nov 1994 08:49:37 GMT", T1994, -1},
        {"Sun, 00 Nov 1994 08:49:37 GMT", T1994, -1},
        {"Sun, 06 Nov 1994 24:00:00 GMT", T1994, -1},
        {"Sun, 06 Nov 1994 08:60:00 GMT", T1994, -1},
        {"Sun, 06 Nov 1994 08:49:37 UTC", T1994, -1},
        {"Sun, 06 Nov 1994 08:49:37", T1994, -1},
        {"Sun, 06 Nov 1994 08:49:37 GMT x", T1994, -1},
        {"Sun, 06 Foo 1994 08:49:37 GMT", T1994, -1},
        {"Xyz, 06 Nov 1994 08:49:37 GMT", T1994, -1},
        {"Sun, 6 Nov 1994 08:49:37 GMT", T1994, -1},
        {"Sun, 06 Nov 94 08:49:37 GMT", T1994, -1},
        /* RFC 850 (obsolete) */
        {"Sunday, 06-Nov-94 08:50:37 GMT", T1994, 60000},
        {"Sunday, 06-Nov-94 08:49:37 GMT", T1994, 0},
        {"Monday, 01-Jan-24 00:01:00 GMT", T2024, 60000},
        {"Monday, 01-Jan-80 00:01:00 GMT", T2024, 0},       /* 2080 > 2074: it is 1980 */
        {"Tuesday, 01-Jan-70 00:00:00 GMT", T2024, 3600000}, /* 2070: future, capped */
        {"Sunday, 06-Nov-1994 08:49:37 GMT", T1994, -1},
        {"Sunday 06-Nov-94 08:49:37 GMT", T1994, -1},
        /* asctime (obsolete) */
        {"Sun Nov  6 08:50:37 1994", T1994, 60000},
        {"Sun Nov 06 08:50:37 1994", T1994, 60000},
        {"Sun Nov  6 08:49:36 1994", T1994, 0},
        {"Sun Nov 6 08:50:37 1994", T1994, -1},
        {"Sun Nov  6 08:50:37 94", T1994, -1},
        {"Sun Nov  6 08:50:37 1994 GMT", T1994, -1},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        long got = otel_parse_retry_after(table[i].value, table[i].now);
        ck_assert_msg(got == table[i].want_ms, "\"%s\": got %ld, want %ld", table[i].value, got,
                      table[i].want_ms);
    }
    ck_assert_int_eq(otel_parse_retry_after(NULL, T1994), -1);
}
END_TEST

/* The un-jittered value: base * 2^(attempt-1), capped. */
static long expo(unsigned attempt, long base, long max)
{
    long v = base;
    for (unsigned i = 1; i < attempt && v < max; i++)
        v *= 2;
    return v > max ? max : v;
}

START_TEST(test_backoff_exact_and_cap)
{
    /* rnd = UINT32_MAX is the top of the jitter range: the exponential itself. */
    static const long want[] = {1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000};
    for (unsigned a = 1; a <= 8; a++)
        ck_assert_int_eq(otel_backoff_ms(a, 1000, 30000, UINT32_MAX), want[a - 1]);
    ck_assert_int_eq(otel_backoff_ms(0, 1000, 30000, UINT32_MAX), 1000); /* treated as 1 */
    ck_assert_int_eq(otel_backoff_ms(100, 1000, 30000, UINT32_MAX), 30000);
    ck_assert_int_eq(otel_backoff_ms(UINT32_MAX, 1000, 30000, UINT32_MAX), 30000);
    ck_assert_int_eq(otel_backoff_ms(UINT32_MAX, 1000, 30000, 0), 15000);
    /* rnd = 0 is the bottom: half. */
    ck_assert_int_eq(otel_backoff_ms(1, 1000, 30000, 0), 500);
    ck_assert_int_eq(otel_backoff_ms(3, 10, 30000, 0), 20);
    ck_assert_int_eq(otel_backoff_ms(1, 0, 30000, 12345), 0);
    ck_assert_int_eq(otel_backoff_ms(1, 1000, 0, 12345), 0);
    ck_assert_int_eq(otel_backoff_ms(1, 5000, 3000, UINT32_MAX), 3000); /* base above the cap */
}
END_TEST

START_TEST(test_backoff_jitter_bounds)
{
    static const long bases[] = {1, 3, 10, 1000, 7777};
    uint64_t x = 88172645463325252ull;
    for (size_t b = 0; b < sizeof bases / sizeof bases[0]; b++) {
        for (unsigned a = 1; a <= 40; a++) {
            long v = expo(a, bases[b], 30000);
            long lo_seen = v, hi_seen = 0;
            for (int i = 0; i < 2000; i++) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                long got = otel_backoff_ms(a, bases[b], 30000, (uint32_t)x);
                ck_assert_msg(2 * got >= v && got <= v, "base %ld attempt %u: %ld not in [%ld/2, %ld]",
                              bases[b], a, got, v, v);
                if (got < lo_seen)
                    lo_seen = got;
                if (got > hi_seen)
                    hi_seen = got;
            }
            /* The jitter really spreads over the range, not one point. */
            if (v >= 100)
                ck_assert_msg(hi_seen - lo_seen > v / 4, "base %ld attempt %u: spread %ld..%ld", bases[b], a,
                              lo_seen, hi_seen);
        }
    }
}
END_TEST

START_TEST(test_backoff_monotone)
{
    static const uint32_t rnds[] = {0, 1, 0x7fffffffu, 0x80000000u, 0xdeadbeefu, UINT32_MAX};
    for (size_t r = 0; r < sizeof rnds / sizeof rnds[0]; r++) {
        long prev = 0;
        for (unsigned a = 1; a <= 64; a++) {
            long got = otel_backoff_ms(a, 1000, 30000, rnds[r]);
            ck_assert_msg(got >= prev, "rnd %u attempt %u: %ld < %ld", rnds[r], a, got, prev);
            ck_assert_int_le(got, 30000);
            prev = got;
        }
    }
}
END_TEST

/* ---- gzip ------------------------------------------------------------- */

/* Inflates a gzip stream; returns the malloc'd result (len in *outlen) or NULL. */
static char *gunzip(const char *in, size_t len, size_t *outlen)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, 15 + 16) != Z_OK)
        return NULL;
    size_t cap = len * 4 + 1024, n = 0;
    char *out = malloc(cap);
    zs.next_in = (Bytef *)(uintptr_t)in;
    zs.avail_in = (uInt)len;
    int rc;
    do {
        if (cap - n < 1024) {
            cap *= 2;
            char *p = realloc(out, cap);
            ck_assert_ptr_nonnull(p);
            out = p;
        }
        zs.next_out = (Bytef *)out + n;
        zs.avail_out = (uInt)(cap - n);
        rc = inflate(&zs, Z_NO_FLUSH);
        n = cap - zs.avail_out;
    } while (rc == Z_OK);
    inflateEnd(&zs);
    if (rc != Z_STREAM_END || zs.avail_in != 0) {
        free(out);
        return NULL;
    }
    *outlen = n;
    return out;
}

static void check_gzip_roundtrip(const char *in, size_t len)
{
    otel_buf out = OTEL_BUF_INIT;
    /* otel_gzip appends: what is already in the buffer must stay. */
    ck_assert_int_eq(otel_buf_append(&out, "XY", 2), 0);
    ck_assert_int_eq(otel_gzip(in, len, &out), 0);
    ck_assert_uint_ge(out.len, 2 + 18); /* gzip header + trailer at least */
    ck_assert(memcmp(out.data, "XY", 2) == 0);
    ck_assert_uint_eq((unsigned char)out.data[2], 0x1f); /* gzip magic */
    ck_assert_uint_eq((unsigned char)out.data[3], 0x8b);
    size_t n = 0;
    char *back = gunzip(out.data + 2, out.len - 2, &n);
    ck_assert_ptr_nonnull(back);
    ck_assert_uint_eq(n, len);
    ck_assert(len == 0 || memcmp(back, in, len) == 0);
    free(back);
    otel_buf_free(&out);
}

START_TEST(test_gzip_roundtrip)
{
    check_gzip_roundtrip("", 0);
    check_gzip_roundtrip("hello, gzip", 11);

    size_t big = 1u << 20;
    char *buf = malloc(big);
    ck_assert_ptr_nonnull(buf);
    uint32_t x = 2463534242u;
    for (size_t i = 0; i < big; i++) { /* incompressible */
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        buf[i] = (char)x;
    }
    check_gzip_roundtrip(buf, big);
    for (size_t i = 0; i < big; i++) /* very compressible */
        buf[i] = "log line "[i % 9];
    check_gzip_roundtrip(buf, big);

    otel_buf out = OTEL_BUF_INIT;
    ck_assert_int_eq(otel_gzip(buf, big, &out), 0);
    ck_assert_uint_lt(out.len, big / 20);
    otel_buf_free(&out);
    free(buf);
}
END_TEST

/* ---- a scripted HTTP/1.1 server --------------------------------------- */

typedef struct reply {
    int status;          /* 0: never answer (hold the connection); RAW_THEN_CLOSE: send body as it is, then close */
    const char *headers; /* extra header lines, each ending in \r\n */
    const char *body;
} reply;

#define MAX_REQS 32
#define RAW_THEN_CLOSE (-1)
#define IN_MAX (2u << 20)

typedef struct recorded {
    char head[4096]; /* request line and headers */
    char *body;
    size_t body_len;
} recorded;

typedef struct server {
    int lfd;
    int port;
    pthread_t thread;
    const reply *script; /* request i gets script[min(i, nscript-1)] */
    int nscript;
    int stop;    /* __atomic */
    int accepts; /* read after join */
    int nreq;
    recorded req[MAX_REQS];
} server;

/* Case-insensitive header lookup in a recorded head; copies the value. */
static int header_value(const char *head, const char *name, char *out, size_t outlen)
{
    size_t nl = strlen(name);
    const char *line = strstr(head, "\r\n");
    while (line) {
        line += 2;
        const char *eol = strstr(line, "\r\n");
        if (!eol || eol == line)
            break;
        if ((size_t)(eol - line) > nl && strncasecmp(line, name, nl) == 0 && line[nl] == ':') {
            const char *v = line + nl + 1;
            while (*v == ' ')
                v++;
            snprintf(out, outlen, "%.*s", (int)(eol - v), v);
            return 1;
        }
        line = eol;
    }
    return 0;
}

static void send_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0)
            return;
        p += w;
        n -= (size_t)w;
    }
}

/* Handles one complete request at the front of in, if there is one. */
static int serve_one(server *s, int fd, char *in, size_t *inlen)
{
    char *end = memmem(in, *inlen, "\r\n\r\n", 4);
    if (!end)
        return 0;
    size_t headlen = (size_t)(end - in) + 4;
    char head[4096];
    snprintf(head, sizeof head, "%.*s", (int)(headlen < sizeof head ? headlen : sizeof head - 1), in);
    char cl[32];
    size_t bodylen = header_value(head, "Content-Length", cl, sizeof cl) ? strtoul(cl, NULL, 10) : 0;
    if (*inlen < headlen + bodylen)
        return 0;

    int idx = s->nreq;
    if (s->nreq < MAX_REQS) {
        recorded *r = &s->req[s->nreq++];
        memcpy(r->head, head, sizeof head);
        r->body = malloc(bodylen + 1);
        memcpy(r->body, in + headlen, bodylen);
        r->body_len = bodylen;
    }
    const reply *rp = &s->script[idx < s->nscript ? idx : s->nscript - 1];
    if (rp->status == RAW_THEN_CLOSE) {
        send_all(fd, rp->body, strlen(rp->body));
        *inlen = 0;
        return 2; /* the caller closes the connection */
    }
    if (rp->status != 0) {
        const char *body = rp->body ? rp->body : "";
        char out[4096];
        int n = snprintf(out, sizeof out, "HTTP/1.1 %d Scripted\r\nContent-Length: %zu\r\n%s\r\n%s", rp->status,
                         strlen(body), rp->headers ? rp->headers : "", body);
        send_all(fd, out, (size_t)n);
    }
    memmove(in, in + headlen + bodylen, *inlen - headlen - bodylen);
    *inlen -= headlen + bodylen;
    return 1;
}

static void *server_main(void *arg)
{
    server *s = arg;
    char *in = malloc(IN_MAX);
    size_t inlen = 0;
    int cfd = -1;
    uint64_t give_up = otel_now_ns() + 60000 * MS; /* bounded even if a test forgets to stop us */

    while (!__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE) && otel_now_ns() < give_up) {
        struct pollfd p[2] = {{s->lfd, POLLIN, 0}, {cfd, POLLIN, 0}};
        if (poll(p, cfd >= 0 ? 2 : 1, 20) <= 0)
            continue;
        if (p[0].revents & POLLIN) {
            int fd = accept(s->lfd, NULL, NULL);
            if (fd >= 0) {
                /* One client at a time: a new connection replaces the old. */
                if (cfd >= 0)
                    close(cfd);
                cfd = fd;
                inlen = 0;
                s->accepts++;
            }
            continue;
        }
        if (cfd >= 0 && p[1].revents) {
            ssize_t n = inlen < IN_MAX ? recv(cfd, in + inlen, IN_MAX - inlen, 0) : 0;
            if (n <= 0) {
                close(cfd);
                cfd = -1;
                inlen = 0;
                continue;
            }
            inlen += (size_t)n;
            int served;
            while ((served = serve_one(s, cfd, in, &inlen)) == 1)
                ;
            if (served == 2) {
                close(cfd);
                cfd = -1;
            }
        }
    }
    if (cfd >= 0)
        close(cfd);
    free(in);
    return NULL;
}

static int listen_local(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(fd, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    ck_assert_int_eq(listen(fd, 16), 0);
    socklen_t alen = sizeof a;
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
    *port = ntohs(a.sin_port);
    return fd;
}

static void server_start(server *s, const reply *script, int nscript)
{
    memset(s, 0, sizeof *s);
    s->script = script;
    s->nscript = nscript;
    s->lfd = listen_local(&s->port);
    ck_assert_int_eq(pthread_create(&s->thread, NULL, server_main, s), 0);
}

static void server_stop(server *s)
{
    __atomic_store_n(&s->stop, 1, __ATOMIC_RELEASE);
    pthread_join(s->thread, NULL);
    close(s->lfd);
}

static void server_free(server *s)
{
    for (int i = 0; i < s->nreq && i < MAX_REQS; i++)
        free(s->req[i].body);
}

/* A port nobody listens on: bound, then closed. */
static int dead_port(void)
{
    int port;
    int fd = listen_local(&port);
    close(fd);
    return port;
}

static char secret_name[] = "X-Api-Key";
static char secret_value[] = "s3cr3t-Value-42";
static otel_header test_headers[] = {{secret_name, secret_value}};

static otel_settings settings_for(char *url, size_t urllen, int port, otel_protocol proto, otel_compression comp)
{
    otel_settings st;
    memset(&st, 0, sizeof st);
    snprintf(url, urllen, "http://127.0.0.1:%d/v1/logs", port);
    st.logs_url = url;
    st.protocol = proto;
    st.compression = comp;
    st.headers = test_headers;
    st.nheaders = 1;
    st.request_timeout_ms = 10000;
    return st;
}

/* An exporter to port with a fresh retry base read from the environment. */
static otel_http_exporter *exporter_for(int port, otel_protocol proto, otel_compression comp, const char *base_ms,
                                        long request_timeout_ms)
{
    char url[64];
    otel_settings st = settings_for(url, sizeof url, port, proto, comp);
    if (request_timeout_ms)
        st.request_timeout_ms = request_timeout_ms;
    if (base_ms)
        setenv("LOG4C_OTEL_RETRY_BASE_MS", base_ms, 1);
    else
        unsetenv("LOG4C_OTEL_RETRY_BASE_MS");
    otel_http_exporter *e = otel_http_exporter_new(&st);
    ck_assert_ptr_nonnull(e);
    return e;
}

static void assert_no_secret(const otel_export_result *r)
{
    ck_assert_msg(strstr(r->message, secret_value) == NULL, "header value leaked: %s", r->message);
}

/* ---- real HTTP -------------------------------------------------------- */

START_TEST(test_ok_protobuf)
{
    static const reply script[] = {{200, "Content-Type: application/x-protobuf\r\n", ""}};
    server s;
    server_start(&s, script, 1);
    otel_http_exporter *e = exporter_for(s.port, OTEL_PROTOCOL_HTTP_PROTOBUF, OTEL_COMPRESSION_NONE, NULL, 0);

    char body[3000]; /* binary, with NULs: must arrive byte for byte */
    for (size_t i = 0; i < sizeof body; i++)
        body[i] = (char)(i * 7);
    otel_export_result r;
    otel_http_export(e, body, sizeof body, otel_now_ns() + 10000 * MS, NULL, &r);
    ck_assert_msg(r.outcome == OTEL_EXPORT_OK, "outcome %d: %s", r.outcome, r.message);
    ck_assert_int_eq(r.http_status, 200);
    ck_assert_uint_eq(r.attempts, 1);
    ck_assert_uint_eq(r.unanswered, 0);
    ck_assert_int_eq(r.rejected, 0);
    otel_http_exporter_free(e);
    server_stop(&s);

    ck_assert_int_eq(s.nreq, 1);
    recorded *q = &s.req[0];
    ck_assert_msg(strncmp(q->head, "POST /v1/logs HTTP/1.1\r\n", 24) == 0, "%s", q->head);
    ck_assert_uint_eq(q->body_len, sizeof body);
    ck_assert(memcmp(q->body, body, sizeof body) == 0);
    char v[256];
    ck_assert(header_value(q->head, "Content-Type", v, sizeof v));
    ck_assert_str_eq(v, "application/x-protobuf");
    ck_assert(header_value(q->head, "User-Agent", v, sizeof v));
    ck_assert_str_eq(v, "log4c-otel/" LOG4C_OTEL_VERSION);
    ck_assert(header_value(q->head, "X-Api-Key", v, sizeof v));
    ck_assert_str_eq(v, secret_value);
    ck_assert(!header_value(q->head, "Content-Encoding", v, sizeof v));
    ck_assert(!header_value(q->head, "Expect", v, sizeof v));
    server_free(&s);
}
END_TEST

START_TEST(test_ok_gzip_json)
{
    static const reply script[] = {{200, "Content-Type: application/json\r\n", ""}};
    server s;
    server_start(&s, script, 1);
    otel_http_exporter *e = exporter_for(s.port, OTEL_PROTOCOL_HTTP_JSON, OTEL_COMPRESSION_GZIP, NULL, 0);

    otel_buf json = OTEL_BUF_INIT;
    otel_buf_append_str(&json, "{\"resourceLogs\":[");
    for (int i = 0; i < 500; i++)
        otel_buf_append_str(&json, i ? ",{\"body\":{\"stringValue\":\"hello\"}}" : "{\"body\":{\"stringValue\":\"hello\"}}");
    otel_buf_append_str(&json, "]}");

    otel_export_result r;
    otel_http_export(e, json.data, json.len, otel_now_ns() + 10000 * MS, NULL, &r);
    ck_assert_msg(r.outcome == OTEL_EXPORT_OK, "outcome %d: %s", r.outcome, r.message);
    ck_assert_uint_eq(r.attempts, 1);
    ck_assert_int_eq(r.rejected, 0);
    otel_http_exporter_free(e);
    server_stop(&s);

    ck_assert_int_eq(s.nreq, 1);
    recorded *q = &s.req[0];
    char v[256];
    ck_assert(header_value(q->head, "Content-Type", v, sizeof v));
    ck_assert_str_eq(v, "application/json");
    ck_assert(header_value(q->head, "Content-Encoding", v, sizeof v));
    ck_assert_str_eq(v, "gzip");
    ck_assert(header_value(q->head, "X-Api-Key", v, sizeof v));
    ck_assert_str_eq(v, secret_value);
    ck_assert_uint_lt(q->body_len, json.len); /* it was compressed */
    size_t n = 0;
    char *plain = gunzip(q->body, q->body_len, &n);
    ck_assert_ptr_nonnull(plain);
    ck_assert_uint_eq(n, json.len);
    ck_assert(memcmp(plain, json.data, n) == 0);
    free(plain);
    otel_buf_free(&json);
    server_free(&s);
}
END_TEST

START_TEST(test_retry_after_honoured)
{
    static const reply script[] = {{503, "Retry-After: 1\r\n", "busy"}, {200, NULL, ""}};
    server s;
    server_start(&s, script, 2);
    /* A 10 ms backoff base: only Retry-After can explain a wait of ~1 s. */
    otel_http_exporter *e = exporter_for(s.port, OTEL_PROTOCOL_HTTP_PROTOBUF, OTEL_COMPRESSION_GZIP, "10", 0);
    otel_export_result r;
    uint64_t t0 = otel_now_ns();
    otel_http_export(e, "abc", 3, t0 + 20000 * MS, NULL, &r);
    uint64_t ms = elapsed_ms(t0);
    ck_assert_msg(r.outcome == OTEL_EXPORT_OK, "outcome %d: %s", r.outcome, r.message);
    ck_assert_uint_eq(r.attempts, 2);
    ck_assert_int_eq(r.http_status, 200);
    ck_assert_msg(ms >= 900, "retried after %llu ms", (unsigned long long)ms);
    otel_http_exporter_free(e);
    server_stop(&s);
    ck_assert_int_eq(s.nreq, 2);
    /* Compressed once, sent twice: the same bytes both times. */
    ck_assert_uint_eq(s.req[0].body_len, s.req[1].body_len);
    ck_assert(memcmp(s.req[0].body, s.req[1].body, s.req[0].body_len) == 0);
    server_free(&s);
}
END_TEST

START_TEST(test_retry_429_then_ok)
{
    static const reply script[] = {{429, NULL, ""}, {200, NULL, ""}};
    server s;
    server_start(&s, script, 2);
    otel_http_exporter *e = exporter_for(s.port, OTEL_PROTOCOL_HTTP_PROTOBUF, OTEL_COMPRESSION_NONE, "10", 0);
    otel_export_result r;
    otel_http_export(e, "abc", 3, otel_now_ns() + 20000 * MS, NULL, &r);
    ck_assert_msg(r.outcome == OTEL_EXPORT_OK, "outcome %d: %s", r.outcome, r.message);
    ck_assert_uint_eq(r.attempts, 2);
    otel_http_exporter_free(e);
    server_stop(&s);
    ck_assert_int_eq(s.nreq, 2);
    server_free(&s);
}
END_TEST

START_TEST(test_retry_502_504_then_ok)
{
    static const reply script[] = {{502, NULL, ""}, {504, NULL, ""}, {503, NULL, ""}, {200, NULL, ""}};
    server s;
    server_start(&s, script, 4);
    otel_http_exporter *e = exporter_for(s.port, OTEL_PROTOCOL_HTTP_PROTOBUF, OTEL_COMPRESSION_NONE, "10", 0);
    otel_export_result r;
    otel_http_export(e, "abc", 3, otel_now_ns() + 20000 * MS, NULL, &r);
    ck_assert_msg(r.outcome == OTEL_EXPORT_OK, "outcome %d: %s", r.outcome, r.message);
    ck_assert_uint_eq(r.attempts, 4);
    ck_assert_uint_eq(r.unanswered, 0); /* an error status is an answer: it was not taken */
    otel_http_exporter_free(e);
    server_stop(&s);
    server_free(&s);
}
END_TEST

/* A status line (and a header) followed by the end of the connection: no
 * answer, however the status reads. */
START_TEST(test_incomplete_response_retried)
{
    static const reply script[] = {
        {RAW_THEN_CLOSE, NULL, "HTTP/1.1 200 OK\r\nContent-Type: application/x-protobuf\r\n"},
        {RAW_THEN_CLOSE, NULL, "HTTP/1.1 200 OK\r\n"},
        {200, NULL, ""}};
    server s;
    server_start(&s, script, 3);
    otel_http_exporter *e = exporter_for(s.port, OTEL_PROTOCOL_HTTP_PROTOBUF, OTEL_COMPRESSION_NONE, "10", 0);
    otel_export_result r;
    otel_http_export(e, "abc", 3, otel_now_ns() + 20000 * MS, NULL, &r);
    ck_assert_msg(r.outcome == OTEL_EXPORT_OK, "outcome %d: %s", r.outcome, r.message);
    ck_assert_uint_eq(r.attempts, 3);
    ck_assert_uint_eq(r.unanswered, 2); /* sent in full twice, answered by neither */
    otel_http_exporter_free(e);
    server_stop(&s);
    ck_assert_int_eq(s.nreq, 3);
    server_free(&s);
}
END_TEST

START_TEST(test_incomplete_response_never_ok)
{
    static const reply script[] = {{RAW_THEN_CLOSE, NULL, "HTTP/1.1 200 OK\r\n"}};
    server s;
    server_start(&s, script, 1);
    otel_http_exporter *e = exporter_for(s.port, OTEL_PROTOCOL_HTTP_PROTOBUF, OTEL_COMPRESSION_NONE, "10", 0);
    otel_export_result r;
    otel_http_export(e, "abc", 3, otel_now_ns() + 300 * MS, NULL, &r);
    ck_assert_msg(r.outcome != OTEL_EXPORT_OK, "an incomplete response counted as exported: %s", r.message);
    ck_assert_uint_ge(r.attempts, 1);
    ck_assert_msg(strstr(r.message, "incomplete response") != NULL, "message: %s", r.message);
    otel_http_exporter_free(e);
    server_stop(&s);
    server_free(&s);
}
END_TEST

static void check_permanent(int status)
{
    static reply script[] = {{0, "Content-Type: text/plain\r\n", "no such thing"}};
    script[0].status = status;
    server s;
    server_start(&s, script, 1);
    otel_http_exporter *e = exporter_for(s.port, OTEL_PROTOCOL_HTTP_PROTOBUF, OTEL_COMPRESSION_NONE, "10", 0);
    otel_export_result r;
    otel_http_export(e, "abc", 3, otel_now_ns() + 20000 * MS, NULL, &r);
    ck_assert_msg(r.outcome == OTEL_EXPORT_PERMANENT, "status %d: outcome %d: %s", status, r.outcome, r.message);
    ck_assert_uint_eq(r.attempts, 1);
    ck_assert_int_eq(r.http_status, status);
    char code[8];
    snprintf(code, sizeof code, "%d", status);
    ck_assert_msg(strstr(r.message, code) != NULL, "message: %s", r.message);
    ck_assert_msg(strstr(r.message, "no such thing") != NULL, "message: %s", r.message);
    assert_no_secret(&r);
    otel_http_exporter_free(e);
    server_stop(&s);
    ck_assert_int_eq(s.nreq, 1);
    server_free(&s);
}

START_TEST(test_permanent_400)
{
    check_permanent(400);
}
END_TEST

START_TEST(test_permanent_500)
{
    check_permanent(500);
}
END_TEST

START_TEST(test_permanent_others)
{
    check_permanent(401);
    check_permanent(404);
    check_permanent(413);
    check_permanent(501);
}
END_TEST

START_TEST(test_connection_refused)
{
    int port = dead_port();
    otel_http_exporter *e = exporter_for(port, OTEL_PROTOCOL_HTTP_PROTOBUF, OTEL_COMPRESSION_NONE, "10", 0);
    otel_export_result r;
    uint64_t t0 = otel_now_ns();
    otel_http_export(e, "abc", 3, t0 + 300 * MS, NULL, &r);
    uint64_t ms = elapsed_ms(t0);
    ck_assert_msg(r.outcome == OTEL_EXPORT_FAILED, "outcome %d: %s", r.outcome, r.message);
    ck_assert_uint_ge(r.attempts, 1);
    ck_assert_uint_eq(r.unanswered, 0); /* nothing was sent */
    ck_assert_int_eq(r.http_status, 0);
    ck_assert_msg(ms < 300 + 2000, "took %llu ms", (unsigned long long)ms);
    ck_assert_msg(strstr(r.message, "curl error 7") != NULL, "message: %s", r.message);
    assert_no_secret(&r);
    otel_http_exporter_free(e);
}
END_TEST

START_TEST(test_refused_default_backoff_gives_up_at_once)
{
    /* The first backoff (500..1000 ms) ends after a 300 ms deadline: one
     * attempt, then give up without sleeping. */
    int port = dead_port();
    otel_http_exporter *e = exporter_for(port, OTEL_PROTOCOL_HTTP_PROTOBUF, OTEL_COMPRESSION_NONE, NULL, 0);
    otel_export_result r;
    otel_http_export(e, "abc", 3, otel_now_ns() + 300 * MS, NULL, &r);
    ck_assert_int_eq(r.outcome, OTEL_EXPORT_FAILED);
    ck_assert_uint_eq(r.attempts, 1);
    ck_assert_msg(strstr(r.message, "would pass the deadline") != NULL, "message: %s", r.message);
    otel_http_exporter_free(e);
}
END_TEST

START_TEST(test_retry_after_past_deadline_gives_up)
{
    static const reply script[] = {{503, "Retry-After: 30\r\n", ""}};
    server s;
    server_start(&s, script, 1);
    otel_http_exporter *e = exporter_for(s.port, OTEL_PROTOCOL_HTTP_PROTOBUF, OTEL_COMPRESSION_NONE, "10", 0);
    otel_export_result r;
    uint64_t t0 = otel_now_ns();
    otel_http_export(e, "abc", 3, t0 + 5000 * MS, NULL, &r);
    uint64_t ms = elapsed_ms(t0);
    ck_assert_int_eq(r.outcome, OTEL_EXPORT_FAILED);
    ck_assert_uint_eq(r.attempts, 1);
    ck_assert_int_eq(r.http_status, 503);
    ck_assert_msg(ms < 4000, "waited %llu ms for a retry it could never make", (unsigned long long)ms);
    otel_http_exporter_free(e);
    server_stop(&s);
    server_free(&s);
}
END_TEST

START_TEST(test_silent_server_deadline)
{
    static const reply script[] = {{0, NULL, NULL}}; /* accepts, reads, never answers */
    server s;
    server_start(&s, script, 1);
    otel_http_exporter *e = exporter_for(s.port, OTEL_PROTOCOL_HTTP_PROTOBUF, OTEL_COMPRESSION_NONE, "10", 30000);
    otel_export_result r;
    uint64_t t0 = otel_now_ns();
    otel_http_export(e, "abc", 3, t0 + 500 * MS, NULL, &r);
    uint64_t ms = elapsed_ms(t0);
    ck_assert_msg(r.outcome == OTEL_EXPORT_FAILED, "outcome %d: %s", r.outcome, r.message);
    ck_assert_uint_eq(r.attempts, 1);
    ck_assert_uint_eq(r.unanswered, 1); /* sent in full, cut by the deadline: it may have been taken */
    ck_assert_int_eq(r.http_status, 0);
    ck_assert_msg(ms >= 450, "gave up after %llu ms", (unsigned long long)ms);
    ck_assert_msg(ms < 500 + 2000, "took %llu ms", (unsigned long long)ms);
    otel_http_exporter_free(e);
    server_stop(&s);
    ck_assert_int_eq(s.nreq, 1); /* the request did reach it */
    server_free(&s);
}
END_TEST

START_TEST(test_request_timeout_retries)
{
    /* Each attempt is cut at the 200 ms request timeout and retried, until
     * the 1.5 s export deadline. */
    static const reply script[] = {{0, NULL, NULL}};
    server s;
    server_start(&s, script, 1);
    otel_http_exporter *e = exporter_for(s.port, OTEL_PROTOCOL_HTTP_PROTOBUF, OTEL_COMPRESSION_NONE, "10", 200);
    otel_export_result r;
    uint64_t t0 = otel_now_ns();
    otel_http_export(e, "abc", 3, t0 + 1500 * MS, NULL, &r);
    uint64_t ms = elapsed_ms(t0);
    ck_assert_msg(r.outcome == OTEL_EXPORT_FAILED, "outcome %d: %s", r.outcome, r.message);
    ck_assert_uint_ge(r.attempts, 2);
    ck_assert_uint_eq(r.unanswered, r.attempts); /* each went out whole: each may be a copy */
    ck_assert_msg(strstr(r.message, "curl error 28") != NULL, "message: %s", r.message);
    ck_assert_msg(ms < 1500 + 2000, "took %llu ms", (unsigned long long)ms);
    otel_http_exporter_free(e);
    server_stop(&s);
    ck_assert_int_ge(s.accepts, 2);
    server_free(&s);
}
END_TEST

typedef struct aborter {
    volatile int *flag;
    unsigned delay_ms;
} aborter;

static void *abort_later(void *arg)
{
    aborter *a = arg;
    struct timespec ts = {a->delay_ms / 1000, (long)(a->delay_ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
    __atomic_store_n(a->flag, 1, __ATOMIC_RELEASE);
    return NULL;
}

static void check_abort(const reply *script, int nscript, unsigned unanswered)
{
    server s;
    server_start(&s, script, nscript);
    otel_http_exporter *e = exporter_for(s.port, OTEL_PROTOCOL_HTTP_PROTOBUF, OTEL_COMPRESSION_NONE, "10", 60000);
    volatile int flag = 0;
    aborter a = {&flag, 200};
    pthread_t t;
    otel_export_result r;
    uint64_t t0 = otel_now_ns();
    ck_assert_int_eq(pthread_create(&t, NULL, abort_later, &a), 0);
    otel_http_export(e, "abc", 3, t0 + 60000 * MS, &flag, &r);
    uint64_t ms = elapsed_ms(t0);
    pthread_join(t, NULL);
    ck_assert_msg(r.outcome == OTEL_EXPORT_FAILED, "outcome %d: %s", r.outcome, r.message);
    ck_assert_msg(strstr(r.message, "aborted") != NULL, "message: %s", r.message);
    ck_assert_msg(ms >= 150, "returned after %llu ms, before the abort", (unsigned long long)ms);
    ck_assert_msg(ms < 200 + 2000, "abort took %llu ms", (unsigned long long)ms);
    ck_assert_uint_eq(r.attempts, 1);
    ck_assert_uint_eq(r.unanswered, unanswered);
    otel_http_exporter_free(e);
    server_stop(&s);
    server_free(&s);
}

START_TEST(test_abort_during_request)
{
    static const reply script[] = {{0, NULL, NULL}};
    check_abort(script, 1, 1); /* the request had gone out: unanswered */
}
END_TEST

START_TEST(test_abort_during_backoff)
{
    static const reply script[] = {{503, "Retry-After: 20\r\n", ""}};
    check_abort(script, 1, 0); /* answered 503: not taken */
}
END_TEST

START_TEST(test_body_not_sent_not_unanswered)
{
    /* A listener nobody accepts from: the kernel takes the connection and
     * what fits in its buffers, never 32 MiB. Cut before the whole body went
     * out, an attempt cannot have been taken, so it is not unanswered. */
    int port;
    int lfd = listen_local(&port);
    otel_http_exporter *e = exporter_for(port, OTEL_PROTOCOL_HTTP_PROTOBUF, OTEL_COMPRESSION_NONE, "10", 300);
    size_t big = 32u << 20;
    char *body = calloc(1, big);
    ck_assert_ptr_nonnull(body);
    otel_export_result r;
    otel_http_export(e, body, big, otel_now_ns() + 1000 * MS, NULL, &r);
    ck_assert_msg(r.outcome == OTEL_EXPORT_FAILED, "outcome %d: %s", r.outcome, r.message);
    ck_assert_uint_ge(r.attempts, 1);
    ck_assert_uint_eq(r.unanswered, 0);
    free(body);
    otel_http_exporter_free(e);
    close(lfd);
}
END_TEST

START_TEST(test_abort_before_start_and_past_deadline)
{
    int port = dead_port();
    otel_http_exporter *e = exporter_for(port, OTEL_PROTOCOL_HTTP_PROTOBUF, OTEL_COMPRESSION_NONE, "10", 0);
    volatile int flag = 1;
    otel_export_result r;
    otel_http_export(e, "abc", 3, otel_now_ns() + 10000 * MS, &flag, &r);
    ck_assert_int_eq(r.outcome, OTEL_EXPORT_FAILED);
    ck_assert_uint_eq(r.attempts, 0);
    otel_http_export(e, "abc", 3, otel_now_ns() - 1, NULL, &r);
    ck_assert_int_eq(r.outcome, OTEL_EXPORT_FAILED);
    ck_assert_uint_eq(r.attempts, 0);
    ck_assert_msg(strstr(r.message, "deadline") != NULL, "message: %s", r.message);
    otel_http_exporter_free(e);
}
END_TEST

/* keepAlive: false (no_keep_alive): a new connection for every request */
START_TEST(test_no_keep_alive)
{
    static const reply script[] = {{200, NULL, ""}};
    server s;
    server_start(&s, script, 1);
    char url[64];
    otel_settings st = settings_for(url, sizeof url, s.port, OTEL_PROTOCOL_HTTP_PROTOBUF, OTEL_COMPRESSION_NONE);
    st.no_keep_alive = 1;
    unsetenv("LOG4C_OTEL_RETRY_BASE_MS");
    otel_http_exporter *e = otel_http_exporter_new(&st);
    ck_assert_ptr_nonnull(e);
    otel_export_result r;
    for (int i = 0; i < 3; i++) {
        otel_http_export(e, "abc", 3, otel_now_ns() + 10000 * MS, NULL, &r);
        ck_assert_msg(r.outcome == OTEL_EXPORT_OK, "outcome %d: %s", r.outcome, r.message);
    }
    otel_http_exporter_free(e);
    server_stop(&s);
    ck_assert_int_eq(s.nreq, 3);
    ck_assert_int_eq(s.accepts, 3);
    server_free(&s);
}
END_TEST

START_TEST(test_keep_alive)
{
    static const reply script[] = {{200, NULL, ""}};
    server s;
    server_start(&s, script, 1);
    otel_http_exporter *e = exporter_for(s.port, OTEL_PROTOCOL_HTTP_PROTOBUF, OTEL_COMPRESSION_GZIP, NULL, 0);
    otel_export_result r;
    for (int i = 0; i < 3; i++) {
        char body[32];
        int n = snprintf(body, sizeof body, "batch %d", i);
        otel_http_export(e, body, (size_t)n, otel_now_ns() + 10000 * MS, NULL, &r);
        ck_assert_msg(r.outcome == OTEL_EXPORT_OK, "outcome %d: %s", r.outcome, r.message);
        ck_assert_uint_eq(r.attempts, 1);
    }
    otel_http_exporter_free(e);
    server_stop(&s);
    ck_assert_int_eq(s.nreq, 3);
    ck_assert_int_eq(s.accepts, 1);
    size_t n = 0;
    char *plain = gunzip(s.req[2].body, s.req[2].body_len, &n);
    ck_assert_ptr_nonnull(plain);
    ck_assert_uint_eq(n, 7);
    ck_assert(memcmp(plain, "batch 2", 7) == 0);
    free(plain);
    server_free(&s);
}
END_TEST

START_TEST(test_bad_headers_skipped)
{
    /* A CR/LF in a value (a percent-decoded %0D%0A) must not split the
     * request, and a user header must not override Content-Type. */
    static const reply script[] = {{200, NULL, ""}};
    server s;
    server_start(&s, script, 1);
    char url[64];
    otel_settings st = settings_for(url, sizeof url, s.port, OTEL_PROTOCOL_HTTP_PROTOBUF, OTEL_COMPRESSION_NONE);
    char n1[] = "X-Evil", v1[] = "a\r\nX-Injected: 1", n2[] = "content-type", v2[] = "text/plain", n3[] = "Bad Name",
         v3[] = "x", n4[] = "X-Empty", v4[] = "", n5[] = "X-Good", v5[] = "fine";
    otel_header hs[] = {{n1, v1}, {n2, v2}, {n3, v3}, {n4, v4}, {n5, v5}};
    st.headers = hs;
    st.nheaders = 5;
    otel_http_exporter *e = otel_http_exporter_new(&st);
    ck_assert_ptr_nonnull(e);
    otel_export_result r;
    otel_http_export(e, "abc", 3, otel_now_ns() + 10000 * MS, NULL, &r);
    ck_assert_msg(r.outcome == OTEL_EXPORT_OK, "outcome %d: %s", r.outcome, r.message);
    otel_http_exporter_free(e);
    server_stop(&s);
    ck_assert_int_eq(s.nreq, 1);
    char v[128];
    ck_assert(!header_value(s.req[0].head, "X-Injected", v, sizeof v));
    ck_assert(!header_value(s.req[0].head, "X-Evil", v, sizeof v));
    ck_assert(header_value(s.req[0].head, "Content-Type", v, sizeof v));
    ck_assert_str_eq(v, "application/x-protobuf");
    ck_assert(header_value(s.req[0].head, "X-Empty", v, sizeof v));
    ck_assert_str_eq(v, "");
    ck_assert(header_value(s.req[0].head, "X-Good", v, sizeof v));
    ck_assert_str_eq(v, "fine");
    server_free(&s);
}
END_TEST

START_TEST(test_new_without_url)
{
    otel_settings st;
    memset(&st, 0, sizeof st);
    ck_assert_ptr_null(otel_http_exporter_new(&st));
    ck_assert_ptr_null(otel_http_exporter_new(NULL));
    otel_http_exporter_free(NULL);
}
END_TEST

static Suite *http_suite(void)
{
    Suite *s = suite_create("http");

    TCase *policy = tcase_create("policy");
    tcase_add_test(policy, test_status_retryable);
    tcase_add_test(policy, test_retry_after_table);
    tcase_add_test(policy, test_backoff_exact_and_cap);
    tcase_add_test(policy, test_backoff_jitter_bounds);
    tcase_add_test(policy, test_backoff_monotone);
    suite_add_tcase(s, policy);

    TCase *gz = tcase_create("gzip");
    tcase_add_test(gz, test_gzip_roundtrip);
    tcase_set_timeout(gz, 30);
    suite_add_tcase(s, gz);

    TCase *net = tcase_create("exporter");
    tcase_set_timeout(net, 60);
    tcase_add_test(net, test_ok_protobuf);
    tcase_add_test(net, test_ok_gzip_json);
    tcase_add_test(net, test_retry_after_honoured);
    tcase_add_test(net, test_retry_429_then_ok);
    tcase_add_test(net, test_retry_502_504_then_ok);
    tcase_add_test(net, test_incomplete_response_retried);
    tcase_add_test(net, test_incomplete_response_never_ok);
    tcase_add_test(net, test_permanent_400);
    tcase_add_test(net, test_permanent_500);
    tcase_add_test(net, test_permanent_others);
    tcase_add_test(net, test_connection_refused);
    tcase_add_test(net, test_refused_default_backoff_gives_up_at_once);
    tcase_add_test(net, test_retry_after_past_deadline_gives_up);
    tcase_add_test(net, test_silent_server_deadline);
    tcase_add_test(net, test_request_timeout_retries);
    tcase_add_test(net, test_abort_during_request);
    tcase_add_test(net, test_abort_during_backoff);
    tcase_add_test(net, test_body_not_sent_not_unanswered);
    tcase_add_test(net, test_abort_before_start_and_past_deadline);
    tcase_add_test(net, test_keep_alive);
    tcase_add_test(net, test_no_keep_alive);
    tcase_add_test(net, test_bad_headers_skipped);
    tcase_add_test(net, test_new_without_url);
    suite_add_tcase(s, net);
    return s;
}

int main(void)
{
    /* The tests talk to 127.0.0.1 directly; a proxy from the environment
     * would intercept them. */
    static const char *const proxies[] = {"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY",
                                          "all_proxy",  "ALL_PROXY"};
    for (size_t i = 0; i < sizeof proxies / sizeof proxies[0]; i++)
        unsetenv(proxies[i]);

    return run_suite(http_suite());
}
