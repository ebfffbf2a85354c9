/*
 * write_all.h - writing (and reading) a whole buffer on a file descriptor:
 * the loop every file sink needs around write(2), writev(2), read(2) and
 * pread(2), written once.
 */
#ifndef LOG4C_OTEL_WRITE_ALL_H
#define LOG4C_OTEL_WRITE_ALL_H

#include <stddef.h>
#include <sys/types.h>
#include <sys/uio.h>

/*
 * Writes buf[0..n) to fd. The first attempt is ONE write(2) of all n bytes,
 * so on an O_APPEND descriptor a buffer the kernel takes whole reaches the
 * file in one system call, never interleaved with another writer's bytes
 * (the crash-safe line file relies on this: a line is one write). Further
 * write(2) calls happen only for what a short write left behind (a full
 * disk, a signal after part was written), and a call interrupted before it
 * wrote anything (EINTR) is repeated. Returns 0, or -1 with errno set (EIO
 * when the kernel accepted nothing and reported no error).
 */
int otel_write_all(int fd, const void *buf, size_t n);

/*
 * The same for iov[0..iovcnt): the first attempt is ONE writev(2) of every
 * buffer, then only the remainder is written. iov is consumed (its entries
 * are advanced past what was written). *written, when not NULL, receives
 * the bytes written, also on failure. Returns 0 or -1 with errno set.
 */
int otel_writev_all(int fd, struct iovec *iov, int iovcnt, size_t *written);

/* Reads until n bytes are in buf, end of file, or an error other than
 * EINTR. Returns the bytes read (less than n at end of file), or -1 with
 * errno set when an error came before n bytes. */
ssize_t otel_read_all(int fd, void *buf, size_t n);

/* pread(2) of exactly n bytes at offset off, looping on EINTR and short
 * reads. Returns 0, or -1 (an error, or end of file before n bytes). */
int otel_pread_all(int fd, void *buf, size_t n, off_t off);

#endif
