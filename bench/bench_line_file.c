/*
 * bench_line_file.c - what a crash-safe line costs, in figures (never a
 * pass/fail test): time per line and bytes per line for
 *   plain    one write(2) per line on an O_APPEND descriptor, nothing else
 *            (the floor: no lock, no end check)
 *   line     otel_line_file_write: flock, fstat, the end check, one write
 *   aligned  the same lock and fstat, plus padding so that no line crosses
 *            a 4 KiB page boundary of the file (a filler line of spaces
 *            before a line that would): the "untearable" variant measured
 *            for docs/OPERATIONS.md, not used by the library
 * for lines of 100 B to 3 KB and of 100 to 300 B (a typical span line).
 * Compare the ratios within one run: these machines are noisy.
 *
 *   bench_line_file [DIR [LINES]]    (default, or DIR empty: /tmp; 100000)
 */
#include "line_file.h"
#include "line_file_settings.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* the length of line i, from lo to hi bytes ('\n' included), repeatable */
static size_t len_of(unsigned long i, size_t lo, size_t hi)
{
    unsigned long x = i * 2654435761u + 12345u;
    x ^= x >> 13;
    return lo + (size_t)(x % (hi - lo + 1));
}

static void fill_line(char *buf, size_t n)
{
    for (size_t k = 0; k + 1 < n; k++)
        buf[k] = (char)('a' + k % 26);
    buf[n - 1] = '\n';
}

static int write_one(int fd, const char *p, size_t n) { return write(fd, p, n) == (ssize_t)n ? 0 : -1; }

static void run(const char *dir, unsigned long lines, size_t lo, size_t hi)
{
    char path[4096];
    char *buf = malloc(2 * PAGE + hi);
    if (!buf)
        exit(1);
    double t[3];
    off_t size[3];

    /* plain */
    snprintf(path, sizeof path, "%s/bench-line-plain.log", dir);
    unlink(path);
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    double t0 = now_s();
    for (unsigned long i = 0; i < lines; i++) {
        size_t n = len_of(i, lo, hi);
        fill_line(buf, n);
        if (write_one(fd, buf, n) != 0)
            exit(1);
    }
    t[0] = now_s() - t0;
    struct stat st;
    fstat(fd, &st);
    size[0] = st.st_size;
    close(fd);
    unlink(path);

    /* line: the library's writer */
    snprintf(path, sizeof path, "%s/bench-line-file.log", dir);
    unlink(path);
    otel_line_file_settings s;
    otel_line_file_settings_defaults(&s);
    otel_line_file *f = otel_line_file_open(path, &s);
    t0 = now_s();
    for (unsigned long i = 0; i < lines; i++) {
        size_t n = len_of(i, lo, hi);
        fill_line(buf, n);
        if (otel_line_file_write(f, buf, n) != 0)
            exit(1);
    }
    t[1] = now_s() - t0;
    otel_line_file_close(f);
    stat(path, &st);
    size[1] = st.st_size;
    unlink(path);

    /* aligned: lock, size, a filler line up to the page boundary when the
     * line would cross it, one write */
    snprintf(path, sizeof path, "%s/bench-line-aligned.log", dir);
    unlink(path);
    fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    unsigned long padded = 0;
    t0 = now_s();
    for (unsigned long i = 0; i < lines; i++) {
        size_t n = len_of(i, lo, hi);
        flock(fd, LOCK_EX);
        fstat(fd, &st);
        size_t room = PAGE - (size_t)(st.st_size % PAGE), pad = 0;
        if (n <= PAGE && n > room) {
            pad = room; /* room - 1 spaces and a '\n' */
            memset(buf, ' ', pad - 1);
            buf[pad - 1] = '\n';
            padded++;
        }
        fill_line(buf + pad, n);
        if (write_one(fd, buf, pad + n) != 0)
            exit(1);
        flock(fd, LOCK_UN);
    }
    t[2] = now_s() - t0;
    fstat(fd, &st);
    size[2] = st.st_size;
    close(fd);
    unlink(path);

    printf("lines of %zu to %zu bytes, %lu lines in %s:\n", lo, hi, lines, dir);
    static const char *names[] = {"plain", "line", "aligned"};
    for (int m = 0; m < 3; m++)
        printf("  %-8s %8.0f ns/line (x%.2f of plain)  %8.1f bytes/line (+%.1f%%)\n", names[m], t[m] / lines * 1e9,
               t[m] / t[0], (double)size[m] / lines, 100.0 * (double)(size[m] - size[0]) / (double)size[0]);
    printf("  aligned: %.1f%% of the lines preceded by a filler line\n", 100.0 * padded / lines);
    free(buf);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 && argv[1][0] ? argv[1] : "/tmp";
    unsigned long lines = argc > 2 ? strtoul(argv[2], NULL, 10) : 100000;
    run(dir, lines, 100, 3000);
    run(dir, lines, 100, 300);
    return 0;
}
