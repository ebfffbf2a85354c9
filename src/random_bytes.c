/*
 * random_bytes.c - random bytes from getrandom(2), else /dev/urandom (see
 * random_bytes.h).
 */
#include "random_bytes.h"
#include "write_all.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>

static int urandom(void *p, size_t n)
{
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t got = otel_read_all(fd, p, n);
    close(fd);
    return got == (ssize_t)n ? 0 : -1;
}

int otel_random_bytes(void *p, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = getrandom((char *)p + got, n - got, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    return got == n ? 0 : urandom(p, n);
}
