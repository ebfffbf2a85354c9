/*
 * otlp_sink.c - the benchmark's collector: a minimal OTLP/HTTP receiver on
 * 127.0.0.1 that decodes each protobuf request (protobuf-c), counts its log
 * records, answers 200 and prints "COUNT <total>" after every request. One
 * thread, poll(), no allocation per request beyond protobuf-c's unpack: it
 * must not be what the benchmark measures.
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

#include "opentelemetry/proto/collector/logs/v1/logs_service.pb-c.h"

#define MAX_CONN 16

typedef struct conn {
    int fd;
    char *buf;
    size_t len, cap;
} conn;

static unsigned long long total;

static size_t count_records(const unsigned char *body, size_t len)
{
    Opentelemetry__Proto__Collector__Logs__V1__ExportLogsServiceRequest *req =
        opentelemetry__proto__collector__logs__v1__export_logs_service_request__unpack(NULL, len, body);
    size_t n = 0;
    if (!req)
        return 0;
    for (size_t i = 0; i < req->n_resource_logs; i++)
        for (size_t j = 0; j < req->resource_logs[i]->n_scope_logs; j++)
            n += req->resource_logs[i]->scope_logs[j]->n_log_records;
    opentelemetry__proto__collector__logs__v1__export_logs_service_request__free_unpacked(req, NULL);
    return n;
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
        total += count_records((unsigned char *)c->buf + head, body);
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
