/*
 * otlp_sink.c - the benchmark's collector: a minimal OTLP/HTTP receiver on
 * 127.0.0.1 that counts the log records of each protobuf request, answers
 * 200 and prints "COUNT <total>" after every request. A request with
 * Content-Encoding: gzip is inflated first (zlib) and its records counted
 * the same way. One thread, poll(), the protobuf wire format walked rather
 * than unpacked: it must not be what the benchmark measures.
 *
 *   otlp_sink            prints "LISTENING <port>", serves until stdin closes
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdint.h>
#include <zlib.h>

#define MAX_CONN 16

typedef struct conn {
    int fd;
    char *buf;
    size_t len, cap;
} conn;

static unsigned long long total;

/* Protobuf wire format, just enough to count: reads a varint at *p. */
static int varint(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
    *v = 0;
    for (int shift = 0; *p < end && shift < 64; shift += 7) {
        unsigned char b = *(*p)++;
        *v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            return 0;
    }
    return -1;
}

/* Counts the length-delimited fields numbered `field` in msg; with depth > 0
 * descends into them through `path` (field numbers of the nested messages).
 * ExportLogsServiceRequest.resource_logs(1) > ResourceLogs.scope_logs(2) >
 * ScopeLogs.log_records(2): walking the wire format instead of unpacking
 * keeps the sink far cheaper than the exporter it measures. */
static size_t count_nested(const unsigned char *p, const unsigned char *end, const int *path, int depth)
{
    size_t n = 0;
    while (p < end) {
        uint64_t key, len;
        if (varint(&p, end, &key) != 0)
            return n;
        switch (key & 7) {
        case 0:
            if (varint(&p, end, &len) != 0)
                return n;
            break;
        case 1: p += 8; break;
        case 5: p += 4; break;
        case 2:
            if (varint(&p, end, &len) != 0 || len > (uint64_t)(end - p))
                return n;
            if ((int)(key >> 3) == path[0])
                n += depth == 0 ? 1 : count_nested(p, p + len, path + 1, depth - 1);
            p += len;
            break;
        default:
            return n;
        }
    }
    return n;
}

static size_t count_records(const unsigned char *body, size_t len)
{
    static const int path[] = {1, 2, 2};
    return count_nested(body, body + len, path, 2);
}

/* The records of a gzip-encoded body: inflated into a buffer kept for the
 * next request (0 when it does not inflate: counted as no records). */
static size_t count_gzip_records(const unsigned char *body, size_t len)
{
    static unsigned char *out;
    static size_t cap;
    z_stream z = {0};
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
        return 0;
    z.next_in = (unsigned char *)body;
    z.avail_in = (uInt)len;
    size_t used = 0;
    int rc;
    do {
        if (cap - used < 65536) {
            size_t ncap = cap ? cap * 2 : (size_t)1 << 20;
            unsigned char *n = realloc(out, ncap);
            if (!n) {
                inflateEnd(&z);
                return 0;
            }
            out = n;
            cap = ncap;
        }
        z.next_out = out + used;
        z.avail_out = (uInt)(cap - used);
        rc = inflate(&z, Z_NO_FLUSH);
        used = cap - z.avail_out;
    } while (rc == Z_OK);
    inflateEnd(&z);
    return rc == Z_STREAM_END ? count_records(out, used) : 0;
}

/* 1 when the header block head[0..n) says Content-Encoding: gzip */
static int gzip_encoded(const char *head, size_t n)
{
    static const char name[] = "Content-Encoding:";
    for (const char *p = head; p + sizeof name - 1 < head + n; p++)
        if ((p == head || p[-1] == '\n') && strncasecmp(p, name, sizeof name - 1) == 0) {
            const char *v = p + sizeof name - 1;
            while (*v == ' ')
                v++;
            return strncasecmp(v, "gzip", 4) == 0;
        }
    return 0;
}

/* Handles every complete request in c->buf; returns -1 to drop the connection. */
static int serve(conn *c)
{
    static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Type: application/x-protobuf\r\nContent-Length: 0\r\n\r\n";
    for (;;) {
        char *end = memmem(c->buf, c->len, "\r\n\r\n", 4);
        if (!end)
            return 0;
        size_t head = (size_t)(end - c->buf) + 4, body = 0;
        for (char *p = c->buf; p < end; p++)
            if ((p == c->buf || p[-1] == '\n') && strncasecmp(p, "Content-Length:", 15) == 0)
                body = strtoul(p + 15, NULL, 10);
        if (c->len < head + body)
            return 0;
        const unsigned char *b = (unsigned char *)c->buf + head;
        total += gzip_encoded(c->buf, head) ? count_gzip_records(b, body) : count_records(b, body);
        if (write(c->fd, ok, sizeof ok - 1) != (ssize_t)(sizeof ok - 1))
            return -1;
        printf("COUNT %llu\n", total);
        fflush(stdout);
        memmove(c->buf, c->buf + head + body, c->len - head - body);
        c->len -= head + body;
    }
}

int main(void)
{
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    if (ls < 0 || bind(ls, (struct sockaddr *)&a, sizeof a) != 0 || listen(ls, 16) != 0 ||
        getsockname(ls, (struct sockaddr *)&a, &al) != 0) {
        perror("otlp_sink");
        return 1;
    }
    printf("LISTENING %d\n", ntohs(a.sin_port));
    fflush(stdout);

    conn conns[MAX_CONN];
    struct pollfd pfd[MAX_CONN + 2];
    size_t nconn = 0;
    for (;;) {
        pfd[0] = (struct pollfd){.fd = ls, .events = POLLIN};
        pfd[1] = (struct pollfd){.fd = 0, .events = POLLIN}; /* stdin closed: the bench is done */
        for (size_t i = 0; i < nconn; i++)
            pfd[i + 2] = (struct pollfd){.fd = conns[i].fd, .events = POLLIN};
        if (poll(pfd, nconn + 2, -1) < 0 && errno != EINTR)
            return 1;
        if (pfd[1].revents)
            return 0;
        if ((pfd[0].revents & POLLIN) && nconn < MAX_CONN) {
            int fd = accept(ls, NULL, NULL);
            if (fd >= 0)
                conns[nconn++] = (conn){.fd = fd};
        }
        for (size_t i = 0; i < nconn; i++) {
            if (!(pfd[i + 2].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            conn *c = &conns[i];
            if (c->cap - c->len < 65536) {
                c->cap = c->cap ? c->cap * 2 : 1 << 20;
                c->buf = realloc(c->buf, c->cap);
            }
            ssize_t n = read(c->fd, c->buf + c->len, c->cap - c->len);
            if (n > 0)
                c->len += (size_t)n;
            if (n <= 0 || serve(c) != 0) {
                close(c->fd);
                free(c->buf);
                conns[i] = conns[--nconn];
                pfd[i + 2] = pfd[nconn + 2];
                i--;
            }
        }
    }
}
