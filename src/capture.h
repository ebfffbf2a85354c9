/*
 * capture.h - output capture, the I/O half: spawn a child with its stdout
 * and stderr on pipes (or read an existing descriptor), and a reader thread
 * that splits what arrives into lines (line_splitter.h) and hands each one,
 * sanitised, to a callback; when the child exits, one more event carries its
 * status. Knows nothing of log4c: the glue (log4c/capture_api.c) turns
 * events into log entries.
 */
#ifndef LOG4C_OTEL_CAPTURE_H
#define LOG4C_OTEL_CAPTURE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "trace_context.h"

typedef enum otel_capture_event_kind {
    OTEL_CAPTURE_LINE = 0, /* a line (or a piece of a long one) */
    OTEL_CAPTURE_EXIT = 1  /* the child exited: status below */
} otel_capture_event_kind;

typedef struct otel_capture_event {
    otel_capture_event_kind kind;
    int stream;          /* LINE: 0 = stdout (or the captured fd), 1 = stderr */
    const char *text;    /* LINE: valid UTF-8, no NUL inside, NUL-terminated */
    size_t len;
    unsigned part;       /* LINE: 0 whole line, else 1-based piece number */
    unsigned flags;      /* LINE: OTEL_LINE_MORE, OTEL_LINE_NO_EOL */
    pid_t pid;           /* the child (0 for a descriptor capture) */
    int status_known;    /* EXIT: 0 when the status was lost (someone else reaped the child) */
    int wstatus;         /* EXIT: as from waitpid */
} otel_capture_event;

/* Called on the reader thread, one event at a time, in the order read. */
typedef void (*otel_capture_emit_fn)(void *ctx, const otel_capture_event *ev);

/* Masks one logical line (line[0..len), valid UTF-8, at most
 * OTEL_CAPTURE_LOGICAL_MAX bytes) before it is split into max_line pieces:
 * returns the text to split instead (valid UTF-8, *out_len bytes followed by
 * a NUL; it must stay valid until the next call), on the reader thread. */
typedef const char *(*otel_capture_mask_fn)(void *ctx, int stream, const char *line, size_t len, size_t *out_len);

/* With a mask function, lines are held whole up to this many bytes, masked,
 * then split: a secret straddling a max_line split is masked whole. A line
 * longer than this is masked (and split) in pieces of this size. */
#define OTEL_CAPTURE_LOGICAL_MAX (256u * 1024u)

typedef struct otel_capture_spec {
    char *const *argv;    /* spawn: the program (found on PATH) and arguments */
    char *const *envp;    /* spawn: the complete environment (otel_capture_env builds one) */
    int stdin_null;       /* spawn: stdin from /dev/null (else inherited) */
    int new_pgroup;       /* spawn: the child leads a new process group */
    size_t max_line;      /* longer lines are split (0: 16384) */
    const otel_span_context *context; /* the reader thread's active context (NULL: none) */
    otel_capture_emit_fn emit;
    void *emit_ctx;
    otel_capture_mask_fn mask; /* NULL: lines are split as read, not masked here */
} otel_capture_spec;

typedef struct otel_capture otel_capture;

/* Spawns spec->argv[0] with stdout and stderr captured. Returns 0, or an
 * errno value (ENOENT, EACCES, ENOMEM, EMFILE, ...) with nothing started. */
int otel_capture_spawn(otel_capture **out, const otel_capture_spec *spec);

/* Captures fd (ownership passes: closed when the capture ends) as stream 0
 * until end of file or otel_capture_free. Returns 0 or an errno value. */
int otel_capture_fd(otel_capture **out, int fd, const otel_capture_spec *spec);

/* The child's pid (0 for a descriptor capture). */
pid_t otel_capture_pid(const otel_capture *c);

/* Sends sig to the child unless it has already been reaped (so a recycled
 * pid is never signalled). 0, ESRCH when it is gone, or an errno value. */
int otel_capture_kill(otel_capture *c, int sig);

/* Waits until the capture is over (the child exited and every line, and the
 * exit event, were emitted; for a descriptor, end of file) or deadline_ns
 * (CLOCK_MONOTONIC; 0 = no deadline) passes. Returns 0 or ETIMEDOUT;
 * *wstatus (if not NULL) gets the waitpid status, -1 when unknown. */
int otel_capture_wait(otel_capture *c, uint64_t deadline_ns, int *wstatus);

/* Ends the capture: a child still running is killed (SIGKILL) and reaped; a
 * descriptor capture emits what can be read without waiting and stops. The
 * reader thread is joined (every event has been emitted on return). */
void otel_capture_free(otel_capture *c);

/* A new environment: envp (NULL: environ) without TRACEPARENT/TRACESTATE
 * when ctx is given, plus TRACEPARENT=<ctx> and TRACESTATE=<ctx> (when not
 * empty). One allocation (free() it). NULL when out of memory. */
char **otel_capture_env(char *const *envp, const otel_span_context *ctx);

#endif
