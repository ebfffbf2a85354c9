/*
 * http_exporter.c - sends encoded OTLP requests with libcurl, retrying as
 * retry.c (OTLP/HTTP) or grpc_status.c (OTLP/gRPC) decides
 * (docs/OPERATIONS.md, "Retries" and "OTLP/gRPC").
 *
 * Both protocols share this transfer core: the connection, the deadline and
 * abort handling, TLS, headers, backoff and the counters. OTLP/gRPC differs
 * only in the request (HTTP/2, gRPC headers, the framed body: see
 * grpc_exporter.c) and in how an answer is read (grpc-status from the
 * headers or trailers instead of the HTTP status).
 *
 * One exporter belongs to one worker thread. It keeps one easy handle inside
 * its own multi handle for its whole life, so the TCP/TLS connection stays
 * alive between batches. The multi interface is driven here, in slices of at
 * most 50 ms, rather than with curl_easy_perform(): curl's own loop may sit
 * up to a second in poll() between progress callbacks, and shutdown must be
 * able to abort a request to a collector that accepted the connection and
 * never answers within a short deadline.
 *
 * Nothing here prints anything: results (with a message that never holds a
 * header value - headers may carry API keys) go back to the worker.
 */
#include <curl/curl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "delivery_report.h"
#include "diag_mask.h"
#include "encode.h"
#include "endpoint_text.h"
#include "grpc_exporter.h"
#include "grpc_frame.h"
#include "grpc_status.h"
#include "http_exporter.h"
#include "log4c-otel.h"

#define RESPONSE_MAX (64 * 1024) /* enough for any ExportLogsServiceResponse */
#define SLICE_MS 50              /* how often abort and the deadline are checked */
#define UPLOAD_BUFFER (512 * 1024) /* a 512-record request of ~200-byte records fits twice over */
#define DEFAULT_RETRY_BASE_MS 1000
#define MAX_BACKOFF_MS 30000
#define NS_PER_MS 1000000ull

/* How much of a collector's text is read and masked before an excerpt of
 * it is cut: a secret that crosses this far in lies past any excerpt. */
#define ANSWER_MASKED_MAX 4096

struct otel_http_exporter {
    CURLM *multi; /* owns the connection cache that keeps the connection alive */
    CURL *curl;
    struct curl_slist *headers;
    int is_json;
    int gzip;
    int grpc; /* OTLP/gRPC: framed body over HTTP/2, answer in grpc-status */
    long request_timeout_ms; /* <= 0: only the export deadline bounds a request */
    long retry_base_ms;
    uint64_t rng; /* xorshift64* state for backoff jitter */
    otel_buf gz;  /* compressed body, reused across exports */
    otel_buf framed; /* gRPC: the body in its message frame */

    /* State of the request in flight, shared with the curl callbacks. */
    otel_buf response; /* at most RESPONSE_MAX bytes of the body */
    char retry_after[128];
    int have_retry_after;
    int headers_done; /* the response's header block ended (its empty line came) */
    /* gRPC: from the response headers or its trailers */
    int grpc_status; /* -1: none came */
    char grpc_message[ANSWER_MASKED_MAX + 1]; /* a longer one is dropped */
    char grpc_details[4096]; /* grpc-status-details-bin; a longer one is dropped */
    int have_grpc_message, have_grpc_details;
    uint64_t deadline_ns;
    const volatile int *abort_flag;
    int stopped; /* 0, STOP_ABORT or STOP_DEADLINE: why we cut a transfer */
    /* the request body curl reads (on_read) and may rewind (on_seek) */
    const char *up_data;
    size_t up_len, up_off;
    unsigned resent_whole; /* this attempt: rewinds after the whole body was read */
    char errbuf[CURL_ERROR_SIZE];
    char endpoint[1024]; /* the URL as diagnostics print it (endpoint_text.h), whole */
};

enum { STOP_ABORT = 1, STOP_DEADLINE = 2 };

/* ---- process-wide libcurl initialisation ------------------------------ */

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc = CURLE_FAILED_INIT;

/* curl_global_init is not guaranteed thread-safe on every libcurl we
 * support; pthread_once makes the first exporter do it exactly once. We never
 * call curl_global_cleanup: other threads or libraries may still use curl. */
static void curl_init_once(void)
{
    curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* ---- small helpers ---------------------------------------------------- */

static int ascii_ncaseeq(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int ca = (unsigned char)a[i], cb = (unsigned char)b[i];
        if (ca >= 'A' && ca <= 'Z')
            ca += 'a' - 'A';
        if (cb >= 'A' && cb <= 'Z')
            cb += 'a' - 'A';
        if (ca != cb)
            return 0;
        if (ca == '\0')
            return 1;
    }
    return 1;
}

static uint32_t next_random(otel_http_exporter *e)
{
    uint64_t x = e->rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    e->rng = x;
    return (uint32_t)((x * 0x2545F4914F6CDD1Dull) >> 32);
}

static uint64_t random_seed(const void *salt)
{
    uint64_t seed = 0;
    if (getrandom(&seed, sizeof seed, GRND_NONBLOCK) != (ssize_t)sizeof seed || seed == 0) {
        /* No entropy yet (early boot): jitter only needs to differ between
         * processes, not to be secret. */
        seed = otel_realtime_ns() ^ ((uint64_t)getpid() << 32) ^ (uint64_t)(uintptr_t)salt;
    }
    return seed ? seed : 0x9E3779B97F4A7C15ull;
}

long otel_retry_base_ms(void)
{
    const char *v = getenv("LOG4C_OTEL_RETRY_BASE_MS");
    if (!v || !*v)
        return DEFAULT_RETRY_BASE_MS;
    char *end;
    long ms = strtol(v, &end, 10);
    if (*end != '\0' || ms < 1 || ms > MAX_BACKOFF_MS)
        return DEFAULT_RETRY_BASE_MS;
    return ms;
}

/* A header name must be a token (otel_http_header_name_ok); anything else
 * (or a CR/LF in the value, e.g. from a percent-decoded %0D%0A) could split
 * the request. */
static int header_value_ok(const char *s)
{
    for (; s && *s; s++)
        if (*s == '\r' || *s == '\n')
            return 0;
    return 1;
}

/* Headers the exporter itself controls: a user header of the same name
 * would make the request contradict its body. */
static int header_reserved(const char *name)
{
    static const char *const reserved[] = {"Content-Type", "Content-Length", "Content-Encoding",
                                           "Transfer-Encoding", "Expect", "Host"};
    for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++) {
        size_t n = strlen(reserved[i]);
        if (strlen(name) == n && ascii_ncaseeq(name, reserved[i], n))
            return 1;
    }
    return 0;
}

/* Appends "name: value" to *list; curl copies the string, and ours is wiped
 * because the value may be a secret. */
static int add_header(struct curl_slist **list, const char *name, const char *value)
{
    size_t n = strlen(name) + strlen(value) + 3;
    char *line = malloc(n);
    if (!line)
        return -1;
    /* "Name;" is curl's spelling of a header with an empty value ("Name:"
     * would remove the header instead). */
    if (*value)
        snprintf(line, n, "%s: %s", name, value);
    else
        snprintf(line, n, "%s;", name);
    struct curl_slist *l = curl_slist_append(*list, line);
    explicit_bzero(line, n);
    free(line);
    if (!l)
        return -1;
    *list = l;
    return 0;
}

/* Copies text to res->message with control characters replaced, so that a
 * server's message cannot forge lines in our stderr diagnostics. */
static void set_message(otel_export_result *res, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(res->message, sizeof res->message, fmt, ap);
    va_end(ap);
    for (char *p = res->message; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
}

/* ---- curl callbacks --------------------------------------------------- */

/* The flag is written by another thread (shutdown). An atomic load, rather
 * than a plain volatile read, keeps this well-defined and quiet under TSan;
 * writers should store it with __atomic_store_n too. */
static int abort_requested(const volatile int *flag)
{
    return flag && __atomic_load_n(flag, __ATOMIC_ACQUIRE) != 0;
}

/* Why the transfer must stop now (abort requested or deadline passed), or 0. */
static int must_stop(otel_http_exporter *e)
{
    if (abort_requested(e->abort_flag))
        e->stopped = STOP_ABORT;
    else if (otel_now_ns() >= e->deadline_ns)
        e->stopped = STOP_DEADLINE;
    return e->stopped;
}

static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
    (void)dltotal;
    (void)dlnow;
    (void)ultotal;
    (void)ulnow;
    return must_stop(ud) ? 1 : 0; /* non-zero: CURLE_ABORTED_BY_CALLBACK */
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud)
{
    otel_http_exporter *e = ud;
    size_t n = size * nmemb;
    size_t room = RESPONSE_MAX - e->response.len;
    /* Keep what fits and swallow the rest: a huge body must neither exhaust
     * memory nor turn a 200 into a transfer error. */
    if (room > 0 && otel_buf_append(&e->response, data, n < room ? n : room) != 0)
        return 0; /* out of memory: fail this attempt (retryable) */
    return n;
}

/* The body comes through a read callback rather than CURLOPT_POSTFIELDS
 * so that on_seek sees libcurl's own re-send: when a reused connection dies
 * before any answer, libcurl rewinds and sends the request again on a new
 * one, invisibly to us, though the collector may have taken the first copy. */
static size_t on_read(char *buf, size_t size, size_t nitems, void *ud)
{
    otel_http_exporter *e = ud;
    size_t want = size * nitems, left = e->up_len - e->up_off;
    size_t n = want < left ? want : left;
    memcpy(buf, e->up_data + e->up_off, n);
    e->up_off += n;
    return n;
}

static int on_seek(void *ud, curl_off_t offset, int origin)
{
    otel_http_exporter *e = ud;
    if (origin != SEEK_SET || offset < 0 || (uint64_t)offset > e->up_len)
        return CURL_SEEKFUNC_CANTSEEK;
    if (e->up_off == e->up_len && e->up_len > 0 && (size_t)offset < e->up_len)
        e->resent_whole++; /* all of it had gone to curl: count it as unanswered */
    e->up_off = (size_t)offset;
    return CURL_SEEKFUNC_OK;
}

/* When the header line data[0..n) is "name: value", copies the trimmed
 * value into out and returns 1; 0 for another header or a value that does
 * not fit (then it is ignored as invalid). */
static int header_value(const char *data, size_t n, const char *name, char *out, size_t outlen)
{
    size_t nlen = strlen(name);
    if (n <= nlen || !ascii_ncaseeq(data, name, nlen))
        return 0;
    const char *v = data + nlen, *end = data + n;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t'))
        end--;
    size_t vlen = (size_t)(end - v);
    if (vlen >= outlen)
        return 0;
    memcpy(out, v, vlen);
    out[vlen] = '\0';
    return 1;
}

/* Headers, and for HTTP/2 the trailers after the body: libcurl hands both
 * to this callback, so grpc-status is found wherever the server put it. */
static size_t on_header(char *data, size_t size, size_t nmemb, void *ud)
{
    otel_http_exporter *e = ud;
    size_t n = size * nmemb;

    if (n >= 5 && memcmp(data, "HTTP/", 5) == 0) {
        e->have_retry_after = 0; /* a new response starts (e.g. after a 1xx) */
        e->headers_done = 0;
    } else if (n <= 2 && (data[0] == '\r' || data[0] == '\n')) {
        e->headers_done = 1;
    } else if (header_value(data, n, "Retry-After:", e->retry_after, sizeof e->retry_after)) {
        e->have_retry_after = 1;
    } else if (e->grpc) {
        char code[16];
        if (header_value(data, n, "grpc-status:", code, sizeof code)) {
            char *end;
            long c = strtol(code, &end, 10);
            e->grpc_status = (end != code && *end == '\0' && c >= 0 && c <= INT_MAX) ? (int)c : 2; /* UNKNOWN */
        } else if (header_value(data, n, "grpc-message:", e->grpc_message, sizeof e->grpc_message)) {
            e->have_grpc_message = 1;
        } else if (header_value(data, n, "grpc-status-details-bin:", e->grpc_details, sizeof e->grpc_details)) {
            e->have_grpc_details = 1;
        }
    }
    return n;
}

/* ---- lifecycle -------------------------------------------------------- */

otel_http_exporter *otel_http_exporter_new(const otel_settings *s)
{
    if (!s || !s->logs_url)
        return NULL;
    pthread_once(&curl_once, curl_init_once);
    if (curl_init_rc != CURLE_OK)
        return NULL;

    otel_http_exporter *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->is_json = s->protocol == OTEL_PROTOCOL_HTTP_JSON;
    e->grpc = s->protocol == OTEL_PROTOCOL_GRPC;
    e->gzip = s->compression == OTEL_COMPRESSION_GZIP;
    otel_endpoint_text(s->logs_url, e->endpoint, sizeof e->endpoint);
    e->request_timeout_ms = s->request_timeout_ms;
    e->retry_base_ms = otel_retry_base_ms();
    e->rng = random_seed(e);

    e->multi = curl_multi_init();
    e->curl = curl_easy_init();
    if (!e->multi || !e->curl)
        goto fail;

    if (e->grpc) {
        if (otel_grpc_request_headers(&e->headers, e->gzip) != 0)
            goto fail;
    } else {
        /* "Expect:" (empty) stops curl from waiting for "100 Continue" before
         * sending larger bodies: OTLP receivers do not send it, and the wait
         * would cost a second per request. */
        if (add_header(&e->headers, "Content-Type", e->is_json ? "application/json" : "application/x-protobuf") ||
            (e->gzip && add_header(&e->headers, "Content-Encoding", "gzip")))
            goto fail;
        struct curl_slist *l = curl_slist_append(e->headers, "Expect:");
        if (!l)
            goto fail;
        e->headers = l;
    }
    for (size_t i = 0; i < s->nheaders; i++) {
        const otel_header *h = &s->headers[i];
        /* Invalid or reserved headers are skipped; the settings loader is
         * where a user hears about a malformed header list. gRPC metadata
         * names are lower case. */
        if (!otel_http_header_name_ok(h->name) || !header_value_ok(h->value) || header_reserved(h->name) ||
            (e->grpc && otel_grpc_header_reserved(h->name)))
            continue;
        char lower[128];
        const char *name = h->name;
        if (e->grpc) {
            size_t k = strlen(name);
            if (k >= sizeof lower)
                continue; /* no metadata name is that long */
            for (size_t j = 0; j <= k; j++)
                lower[j] = (char)((name[j] >= 'A' && name[j] <= 'Z') ? name[j] - 'A' + 'a' : name[j]);
            name = lower;
        }
        if (add_header(&e->headers, name, h->value ? h->value : ""))
            goto fail;
    }
    char *grpc_url = NULL;
    if (e->grpc && !(grpc_url = otel_grpc_url(s->logs_url)))
        goto fail;

    CURL *c = e->curl;
    CURLcode rc = CURLE_OK;
#define SET(opt, val)                                  \
    do {                                               \
        CURLcode r_ = curl_easy_setopt(c, opt, val);   \
        if (r_ == CURLE_OUT_OF_MEMORY)                 \
            rc = r_;                                   \
    } while (0)
    SET(CURLOPT_URL, grpc_url ? grpc_url : s->logs_url);
    free(grpc_url); /* curl copied it */
    if (e->grpc) {
        /* HTTP/2 without an upgrade for http://, negotiated by ALPN for https:// */
        int tls = strncasecmp(s->logs_url, "https://", 8) == 0;
        SET(CURLOPT_HTTP_VERSION, tls ? (long)CURL_HTTP_VERSION_2TLS : (long)CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE);
    }
#if LIBCURL_VERSION_NUM >= 0x075500
    SET(CURLOPT_PROTOCOLS_STR, "http,https");
#else
    SET(CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    SET(CURLOPT_POST, 1L);
    SET(CURLOPT_HTTPHEADER, e->headers);
    SET(CURLOPT_USERAGENT, "log4c-otel/" LOG4C_OTEL_VERSION);
    SET(CURLOPT_NOSIGNAL, 1L); /* no SIGALRM for DNS timeouts: we run in a thread */
    SET(CURLOPT_TCP_KEEPALIVE, 1L);
#if LIBCURL_VERSION_NUM >= 0x075700
    /* Without it, a request aborted at the shutdown deadline while
     * the threaded resolver is still in getaddrinfo() joins that thread (in
     * curl_multi_remove_handle/curl_easy_cleanup), so a hanging DNS server
     * holds exit hostage for its whole timeout (measured: 60 s with a
     * sleeping getaddrinfo). With it the resolver thread is left to finish
     * on its own (a small leak, once per hung resolve). Older libcurl
     * ignores it: the deadline then cannot hold against a hanging resolver. */
    SET(CURLOPT_QUICK_EXIT, 1L);
#endif
    /* keepAlive: false; and gRPC on a libcurl that cannot reuse an HTTP/2
     * connection (grpc_exporter.h) */
    SET(CURLOPT_FORBID_REUSE, s->no_keep_alive || (e->grpc && !otel_grpc_connection_reusable()) ? 1L : 0L);
    /* curl hands a request body to the socket one upload buffer at a time
     * (64 KiB by default), each piece a send() and a poll() or two more; a
     * buffer the size of a usual request sends it at once. curl allocates it
     * once per handle, and only the pages a request fills are touched. */
    SET(CURLOPT_UPLOAD_BUFFERSIZE, (long)UPLOAD_BUFFER);
    SET(CURLOPT_ERRORBUFFER, e->errbuf);
    SET(CURLOPT_READFUNCTION, on_read);
    SET(CURLOPT_READDATA, e);
    SET(CURLOPT_SEEKFUNCTION, on_seek);
    SET(CURLOPT_SEEKDATA, e);
    SET(CURLOPT_WRITEFUNCTION, on_body);
    SET(CURLOPT_WRITEDATA, e);
    SET(CURLOPT_HEADERFUNCTION, on_header);
    SET(CURLOPT_HEADERDATA, e);
    SET(CURLOPT_NOPROGRESS, 0L);
    SET(CURLOPT_XFERINFOFUNCTION, on_progress);
    SET(CURLOPT_XFERINFODATA, e);
    if (s->ca_file && *s->ca_file)
        SET(CURLOPT_CAINFO, s->ca_file);
    if (s->client_cert_file && *s->client_cert_file)
        SET(CURLOPT_SSLCERT, s->client_cert_file);
    if (s->client_key_file && *s->client_key_file)
        SET(CURLOPT_SSLKEY, s->client_key_file);
    if (s->insecure) {
        SET(CURLOPT_SSL_VERIFYPEER, 0L);
        SET(CURLOPT_SSL_VERIFYHOST, 0L);
    }
#undef SET
    /* Other setopt failures (e.g. TLS not built in) surface as a curl error
     * on the first request, with a message saying what is missing. */
    if (rc != CURLE_OK)
        goto fail;
    return e;

fail:
    otel_http_exporter_free(e);
    return NULL;
}

void otel_http_exporter_free(otel_http_exporter *e)
{
    if (!e)
        return;
    if (e->curl)
        curl_easy_cleanup(e->curl);
    if (e->multi)
        curl_multi_cleanup(e->multi);
    curl_slist_free_all(e->headers);
    otel_buf_free(&e->gz);
    otel_buf_free(&e->framed);
    otel_buf_free(&e->response);
    free(e);
}

/* ---- one request ------------------------------------------------------ */

/* Runs one request to completion, abort or deadline. */
static CURLcode perform_once(otel_http_exporter *e)
{
    e->stopped = 0;
    e->up_off = 0;
    e->resent_whole = 0;
    e->have_retry_after = 0;
    e->headers_done = 0;
    e->grpc_status = -1;
    e->have_grpc_message = e->have_grpc_details = 0;
    e->errbuf[0] = '\0';
    otel_buf_reset(&e->response);

    if (curl_multi_add_handle(e->multi, e->curl) != CURLM_OK)
        return CURLE_OUT_OF_MEMORY;
    CURLcode result = CURLE_OK;
    for (;;) {
        int running = 0, queued;
        if (curl_multi_perform(e->multi, &running) != CURLM_OK) {
            result = CURLE_OUT_OF_MEMORY;
            break;
        }
        CURLMsg *msg;
        int done = 0;
        while ((msg = curl_multi_info_read(e->multi, &queued)) != NULL) {
            if (msg->msg == CURLMSG_DONE && msg->easy_handle == e->curl) {
                result = msg->data.result;
                done = 1;
            }
        }
        if (done)
            break;
        if (!running) { /* cannot happen; never spin on it */
            result = CURLE_GOT_NOTHING;
            break;
        }
        /* curl only calls on_progress when it runs; this check is what
         * bounds the reaction time while a server stays silent. */
        if (must_stop(e)) {
            result = CURLE_ABORTED_BY_CALLBACK;
            break;
        }
        if (curl_multi_poll(e->multi, NULL, 0, SLICE_MS, NULL) != CURLM_OK) {
            result = CURLE_OUT_OF_MEMORY;
            break;
        }
    }
    /* curl reports success for a status line followed by the end of the
     * connection: a response whose headers never ended is no answer. */
    if (result == CURLE_OK && !e->headers_done) {
        result = CURLE_PARTIAL_FILE;
        snprintf(e->errbuf, sizeof e->errbuf, "incomplete response: the connection closed inside its headers");
    }
    /* Removing an unfinished transfer closes its connection; a finished one
     * goes back to the multi handle's cache for the next request. */
    curl_multi_remove_handle(e->multi, e->curl);
    return result;
}

/* Connection-level failures worth another try: the request may not have
 * reached the collector, or the collector may come back. */
static int curl_error_retryable(CURLcode rc)
{
    switch (rc) {
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SEND_FAIL_REWIND:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_OUT_OF_MEMORY:
    case CURLE_AGAIN:
#if LIBCURL_VERSION_NUM >= 0x074500
    case CURLE_HTTP3:
    case CURLE_QUIC_CONNECT_ERROR:
#endif
#if LIBCURL_VERSION_NUM >= 0x074900
    case CURLE_PROXY:
#endif
        return 1;
    default:
        return 0;
    }
}

/* A short excerpt of an error response when it is text (a JSON or plain
 * Status message), masked before it is cut; binary protobuf bodies are
 * left out. */
static void body_excerpt(const otel_buf *b, char *out, size_t outlen)
{
    size_t n = b->len < 120 ? b->len : 120;
    out[0] = '\0';
    if (n == 0 || outlen < 4)
        return;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)b->data[i];
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
            return;
    }
    char text[121];
    otel_diag_mask_cut(b->data, b->len < ANSWER_MASKED_MAX ? b->len : ANSWER_MASKED_MAX, text, sizeof text);
    snprintf(out, outlen, ": %s", text);
}

/* A partial success's message as a diagnostic quotes it: read whole (up
 * to ANSWER_MASKED_MAX), masked, then cut to msglen. */
static long long decode_rejected(const otel_http_exporter *e, char *msg, size_t msglen)
{
    char full[ANSWER_MASKED_MAX + 1];
    const char *body = e->response.data ? e->response.data : "";
    long long rejected = e->grpc ? otel_grpc_decode_rejected(body, e->response.len, full, sizeof full)
                                 : otel_decode_rejected(body, e->response.len, e->is_json, full, sizeof full);
    otel_diag_mask_cut(full, strlen(full), msg, msglen);
    return rejected;
}

/* With CURLOPT_NOSIGNAL libcurl no longer ignores SIGPIPE for us (that
 * takes a process-wide sigaction), and a TLS write to a peer that went away
 * can raise it: the default action would kill the host program. So the
 * calling thread blocks SIGPIPE for the export and discards one it caused,
 * unless it said it blocks every signal (otel_http_thread_blocks_signals):
 * a SIGPIPE stays pending there, harmless, as it did under the guard. */
typedef struct sigpipe_guard {
    sigset_t old;
    int drain; /* 1 when a SIGPIPE pending afterwards can only be ours */
    int skip;  /* the thread blocks every signal already: nothing to do */
} sigpipe_guard;

/* set by otel_http_thread_blocks_signals() */
static __thread int signals_blocked;

void otel_http_thread_blocks_signals(void) { signals_blocked = 1; }

static void sigpipe_block(sigpipe_guard *g)
{
    /* three system calls a request otherwise, which change nothing there */
    g->skip = signals_blocked;
    if (g->skip)
        return;
    sigset_t pipe_set, pending;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    sigemptyset(&pending);
    sigpending(&pending);
    int was_pending = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_set, &g->old);
    g->drain = !was_pending && sigismember(&g->old, SIGPIPE) != 1;
}

static void sigpipe_restore(sigpipe_guard *g)
{
    if (g->skip)
        return;
    if (g->drain) {
        sigset_t pipe_set;
        sigemptyset(&pipe_set);
        sigaddset(&pipe_set, SIGPIPE);
        struct timespec zero = {0, 0};
        (void)sigtimedwait(&pipe_set, NULL, &zero); /* standard signals do not queue: one is all */
    }
    pthread_sigmask(SIG_SETMASK, &g->old, NULL);
}

static int sleep_until(uint64_t until_ns, const volatile int *abort_flag)
{
    for (;;) {
        if (abort_requested(abort_flag))
            return -1;
        uint64_t now = otel_now_ns();
        if (now >= until_ns)
            return 0;
        uint64_t slice = until_ns - now;
        if (slice > SLICE_MS * NS_PER_MS)
            slice = SLICE_MS * NS_PER_MS;
        struct timespec ts = {(time_t)(slice / 1000000000u), (long)(slice % 1000000000u)};
        nanosleep(&ts, NULL); /* EINTR just means an early re-check */
    }
}

/* Did the last transfer send all plen bytes of the body? A request cut
 * short before that cannot have been taken by the collector. */
static int body_sent(otel_http_exporter *e, size_t plen)
{
    curl_off_t up = 0;
    return plen > 0 && curl_easy_getinfo(e->curl, CURLINFO_SIZE_UPLOAD_T, &up) == CURLE_OK && up >= 0 &&
           (uint64_t)up >= (uint64_t)plen;
}

/* Reads a finished gRPC call: on OK or a permanent error fills res and
 * returns that verdict; on a retryable one leaves the reason in last and
 * the wait in *wait_ms (the RetryInfo delay, else the backoff). */
static otel_grpc_verdict judge_grpc(otel_http_exporter *e, long status, unsigned attempt, otel_export_result *res,
                                    char *last, size_t lastlen, long *wait_ms)
{
    /* grpc-message decoded and masked whole before the verdict's text cuts it */
    char text[OTEL_GRPC_TEXT_MAX] = "";
    if (e->have_grpc_message) {
        char full[sizeof e->grpc_message];
        otel_grpc_message_decode(e->grpc_message, full, sizeof full);
        otel_diag_mask_cut(full, strlen(full), text, sizeof text);
    }
    otel_grpc_answer a = {status, e->grpc_status, NULL, e->have_grpc_details ? e->grpc_details : NULL,
                          e->have_grpc_message ? text : NULL};
    char why[200];
    long delay;
    otel_grpc_verdict v = otel_grpc_judge(&a, &delay, why, sizeof why);
    if (v == OTEL_GRPC_OK) {
        char msg[200] = "";
        long long rejected = decode_rejected(e, msg, sizeof msg);
        res->outcome = OTEL_EXPORT_OK;
        if (rejected < 0)
            set_message(res, "grpc-status 0 with an unreadable response message");
        else if (rejected > 0 || msg[0])
            set_message(res, "partial success: %lld rejected%s%s", rejected, msg[0] ? ": " : "", msg);
        res->rejected = rejected > 0 ? rejected : 0;
    } else if (v == OTEL_GRPC_PERMANENT) {
        res->outcome = OTEL_EXPORT_PERMANENT;
        set_message(res, "%s, not retried", why);
    } else {
        snprintf(last, lastlen, "%.150s", why);
        *wait_ms = delay >= 0 ? delay : otel_backoff_ms(attempt, e->retry_base_ms, MAX_BACKOFF_MS, next_random(e));
    }
    return v;
}

static void export_with_retries(otel_http_exporter *e, const char *body, size_t len, uint64_t deadline_ns,
                                const volatile int *abort_flag, otel_export_result *res)
{

    /* Compress once: every retry sends the same bytes. */
    const char *payload = body ? body : "";
    size_t plen = len;
    if (e->gzip) {
        otel_buf_reset(&e->gz);
        if (otel_gzip(payload, len, &e->gz) != 0) {
            set_message(res, "gzip compression failed (out of memory)");
            return;
        }
        payload = e->gz.data;
        plen = e->gz.len;
    }
    if (e->grpc) {
        otel_buf_reset(&e->framed);
        if (otel_grpc_frame(payload, plen, e->gzip, &e->framed) != 0) {
            set_message(res, "gRPC framing failed (out of memory or over 4 GiB)");
            return;
        }
        payload = e->framed.data;
        plen = e->framed.len;
    }
    curl_easy_setopt(e->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)plen); /* Content-Length */
    e->up_data = payload; /* read by on_read: not copied */
    e->up_len = plen;
    e->deadline_ns = deadline_ns;
    e->abort_flag = abort_flag;

    char last[160] = ""; /* the latest retryable problem, for the final message */
    for (unsigned attempt = 1;; attempt++) {
        if (abort_requested(abort_flag)) {
            set_message(res, "aborted after %u attempt(s)%s%s", res->attempts, last[0] ? "; last: " : "", last);
            return;
        }
        uint64_t now = otel_now_ns();
        if (now >= deadline_ns) {
            set_message(res, "deadline passed after %u attempt(s)%s%s", res->attempts, last[0] ? "; last: " : "",
                        last);
            return;
        }
        uint64_t left_ms = (deadline_ns - now + NS_PER_MS - 1) / NS_PER_MS;
        long timeout_ms = left_ms > (uint64_t)LONG_MAX ? LONG_MAX : (long)left_ms;
        if (e->request_timeout_ms > 0 && e->request_timeout_ms < timeout_ms)
            timeout_ms = e->request_timeout_ms;
        curl_easy_setopt(e->curl, CURLOPT_TIMEOUT_MS, timeout_ms); /* >= 1: 0 would mean "none" */

        CURLcode rc = perform_once(e);
        res->attempts++;
        long status = 0;
        if (rc == CURLE_OK)
            curl_easy_getinfo(e->curl, CURLINFO_RESPONSE_CODE, &status);
        else if (body_sent(e, plen))
            res->unanswered++; /* a retry or a replay of it may deliver it twice */
        res->unanswered += e->resent_whole;
        res->http_status = status;

        long wait_ms;
        if (rc == CURLE_OK && e->grpc) {
            int verdict = judge_grpc(e, status, attempt, res, last, sizeof last, &wait_ms);
            if (verdict != OTEL_GRPC_RETRY)
                return;
        } else if (rc == CURLE_OK && status >= 200 && status < 300) {
            char why[200] = "";
            long long rejected = decode_rejected(e, why, sizeof why);
            res->outcome = OTEL_EXPORT_OK;
            otel_report_attempt_ok(e->endpoint);
            if (rejected < 0)
                set_message(res, "HTTP %ld with an unreadable response body", status);
            else if (rejected > 0 || why[0])
                set_message(res, "partial success: %lld rejected%s%s", rejected, why[0] ? ": " : "", why);
            res->rejected = rejected > 0 ? rejected : 0;
            return;
        } else if (rc == CURLE_OK && otel_http_status_retryable(status)) {
            snprintf(last, sizeof last, "HTTP %ld", status);
            otel_report_attempt_failed(e->endpoint, last);
            wait_ms = -1;
            if (e->have_retry_after)
                wait_ms = otel_parse_retry_after(e->retry_after, (long long)(otel_realtime_ns() / 1000000000u));
            if (wait_ms < 0)
                wait_ms = otel_backoff_ms(attempt, e->retry_base_ms, MAX_BACKOFF_MS, next_random(e));
        } else if (rc == CURLE_OK) {
            char excerpt[130];
            body_excerpt(&e->response, excerpt, sizeof excerpt);
            res->outcome = OTEL_EXPORT_PERMANENT;
            set_message(res, "HTTP %ld, not retried%s", status, excerpt);
            otel_report_attempt_refused(e->endpoint, res->message);
            return;
        } else if (e->stopped) {
            set_message(res, "%s during attempt %u, before a response%s%s",
                        e->stopped == STOP_ABORT ? "aborted" : "deadline passed", res->attempts,
                        last[0] ? "; before that: " : "", last);
            return;
        } else {
            snprintf(last, sizeof last, "curl error %d: %.120s", (int)rc,
                     e->errbuf[0] ? e->errbuf : curl_easy_strerror(rc));
            for (char *c = last; *c; c++)
                if ((unsigned char)*c < 0x20 || *c == 0x7f)
                    *c = '?';
            otel_report_attempt_failed(e->endpoint, last);
            if (!curl_error_retryable(rc)) {
                /* e.g. a bad URL or certificate: the same request would fail
                 * the same way, so do not spend the deadline on it. */
                res->outcome = OTEL_EXPORT_PERMANENT;
                set_message(res, "%s, not retried", last);
                return;
            }
            wait_ms = otel_backoff_ms(attempt, e->retry_base_ms, MAX_BACKOFF_MS, next_random(e));
        }

        /* A retry that could only start after the deadline is pointless:
         * give up now and leave the time to the caller. */
        now = otel_now_ns();
        if (now >= deadline_ns || (uint64_t)wait_ms * NS_PER_MS >= deadline_ns - now) {
            set_message(res, "giving up after %u attempt(s): the next retry (in %ld ms) would pass the deadline; last: %s",
                        res->attempts, wait_ms, last);
            return;
        }
        if (sleep_until(now + (uint64_t)wait_ms * NS_PER_MS, abort_flag) != 0) {
            set_message(res, "aborted while waiting to retry after %u attempt(s); last: %s", res->attempts, last);
            return;
        }
    }
}

void otel_http_export(otel_http_exporter *e, const char *body, size_t len, uint64_t deadline_ns,
                      const volatile int *abort_flag, otel_export_result *res)
{
    memset(res, 0, sizeof *res);
    res->outcome = OTEL_EXPORT_FAILED;
    if (!e) {
        set_message(res, "no exporter");
        return;
    }
    sigpipe_guard g;
    sigpipe_block(&g);
    export_with_retries(e, body, len, deadline_ns, abort_flag, res);
    sigpipe_restore(&g);
}
