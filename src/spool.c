/*
 * spool.c - the outage spool's directory logic (see spool.h): claiming the
 * files of dead processes, own segments, replay in order with a progress
 * sidecar, deleting what was replayed.
 */
#include "spool.h"
#include "file_trust.h"
#include "spool_count.h"
#include "spool_file.h"
#include "diag.h"
#include "write_all.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#define PREFIX "spool-"
#define SUFFIX ".l4cs"
#define POS_SUFFIX ".pos"
#define POS_BYTES 16
/* A new file's temporary name (see new_segment). */
#define NEW_PREFIX ".new-"
/* A temporary file untouched this long is a dead creator's: a live one
 * holds its file unlocked only between openat and flock. */
#define STALE_NEW_SECONDS 60

typedef struct seg {
    char name[96];
    int fd;          /* locked with flock(LOCK_EX) while we hold the file */
    int pos_fd;      /* the sidecar; -1 until the first consume */
    uint64_t size;   /* bytes in the file */
    uint64_t off;    /* where the next entry to replay starts */
} seg;

struct otel_spool {
    char *dir;
    int dirfd;
    unsigned encoding;
    uint64_t max_bytes, seg_bytes, disk_bytes;
    seg *segs; /* oldest first; the last one is the write segment when writing */
    size_t nsegs, cap;
    int writing;
    uint64_t last_stamp;
    uint8_t *rbuf; /* the peeked entry (header + payload) */
    size_t rcap;
    uint64_t peek_end; /* offset after the peeked entry; 0: no peek */
};

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int name_ok(const char *n)
{
    size_t l = strlen(n);
    return strncmp(n, PREFIX, strlen(PREFIX)) == 0 && l > strlen(SUFFIX) + strlen(PREFIX) &&
           strcmp(n + l - strlen(SUFFIX), SUFFIX) == 0 && l < sizeof ((seg *)0)->name - sizeof POS_SUFFIX;
}

static void pos_name(char *out, size_t n, const char *name) { snprintf(out, n, "%s" POS_SUFFIX, name); }

static int push_seg(otel_spool *s, const seg *g)
{
    if (s->nsegs == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 8;
        seg *ns = realloc(s->segs, nc * sizeof *ns);
        if (!ns)
            return -1;
        s->segs = ns;
        s->cap = nc;
    }
    s->segs[s->nsegs++] = *g;
    return 0;
}

/* Deletes the head file (data first: a sidecar without its data file is
 * an orphan that the next open removes) and forgets it. */
static void drop_head(otel_spool *s)
{
    seg *g = &s->segs[0];
    char pn[sizeof g->name + sizeof POS_SUFFIX];
    pos_name(pn, sizeof pn, g->name);
    unlinkat(s->dirfd, g->name, 0);
    unlinkat(s->dirfd, pn, 0);
    close(g->fd); /* unlocks only now: a claimer that opened it sees st_nlink == 0 */
    if (g->pos_fd >= 0)
        close(g->pos_fd);
    s->disk_bytes -= g->size < s->disk_bytes ? g->size : s->disk_bytes;
    if (s->nsegs == 1)
        s->writing = 0;
    memmove(s->segs, s->segs + 1, (s->nsegs - 1) * sizeof *s->segs);
    s->nsegs--;
    s->peek_end = 0;
}

/* The replay offset a sidecar holds; 0 when absent or unreadable. */
static uint64_t read_pos(otel_spool *s, const seg *g)
{
    char pn[sizeof g->name + sizeof POS_SUFFIX];
    pos_name(pn, sizeof pn, g->name);
    int fd = openat(s->dirfd, pn, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return 0;
    uint8_t b[POS_BYTES];
    uint64_t off = 0;
    if (otel_pread_all(fd, b, sizeof b, 0) == 0 && memcmp(b, "L4CP", 4) == 0 &&
        (uint32_t)crc32(0L, b + 8, 8) == get32(b + 4))
        off = (uint64_t)get32(b + 8) | (uint64_t)get32(b + 12) << 32;
    else
        otel_diag("log4c-otel: spool: progress file %s/%s unreadable: replaying %s from its start", s->dir, pn,
                  g->name);
    close(fd);
    return off;
}

/* Deletes a temporary file that a process killed while creating it left
 * behind. It holds at most a header, never an entry (entries are written
 * only after the rename), so nothing is lost; it is deleted only when no
 * process holds its lock and it has not changed for STALE_NEW_SECONDS. */
static void remove_stale_new(otel_spool *s, const char *name)
{
    int fd = openat(s->dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0)
        return;
    struct stat st;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
        st.st_size <= OTEL_SPOOL_HEADER_BYTES && now.tv_sec - st.st_mtim.tv_sec >= STALE_NEW_SECONDS &&
        flock(fd, LOCK_EX | LOCK_NB) == 0)
        unlinkat(s->dirfd, name, 0);
    close(fd);
}

static int cmp_names(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Claims one file of the directory if no live process holds it. */
static void claim(otel_spool *s, const char *name)
{
    int fd = openat(s->dirfd, name, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return;
    }
    if (st.st_uid != geteuid()) { /* never replay (with our headers) what another user wrote */
        otel_diag("log4c-otel: spool: %s/%s belongs to uid %lu, not to this process's user: ignored", s->dir, name,
                  (unsigned long)st.st_uid);
        close(fd);
        return;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0 || fstat(fd, &st) != 0 || st.st_nlink == 0) {
        close(fd); /* live (locked), or deleted since we listed it */
        return;
    }
    uint8_t hdr[OTEL_SPOOL_HEADER_BYTES];
    otel_spool_reader r;
    otel_spool_status hs = (size_t)st.st_size < sizeof hdr || otel_pread_all(fd, hdr, sizeof hdr, 0) != 0
                               ? OTEL_SPOOL_TORN
                               : otel_spool_reader_init(&r, hdr, sizeof hdr);
    if (hs == OTEL_SPOOL_TORN) {
        otel_diag("log4c-otel: spool: %s/%s ends inside its header (holds no entry): deleted", s->dir, name);
        unlinkat(s->dirfd, name, 0);
        close(fd);
        return;
    }
    if (hs != OTEL_SPOOL_END) {
        char aside[sizeof ((seg *)0)->name + 8];
        snprintf(aside, sizeof aside, "%s.bad", name);
        renameat(s->dirfd, name, s->dirfd, aside);
        otel_diag("log4c-otel: spool: %s/%s: %s: renamed to %s, not replayed", s->dir, name,
                  otel_spool_status_str(hs), aside);
        close(fd);
        return;
    }
    if (r.encoding != s->encoding) {
        otel_diag("log4c-otel: spool: %s/%s holds %s requests, this process sends %s: left for a process "
                  "configured so", s->dir, name, r.encoding == OTEL_SPOOL_JSON ? "http/json" : "http/protobuf",
                  s->encoding == OTEL_SPOOL_JSON ? "http/json" : "http/protobuf");
        close(fd);
        return;
    }
    seg g = {.fd = fd, .pos_fd = -1, .size = (uint64_t)st.st_size, .off = OTEL_SPOOL_HEADER_BYTES};
    snprintf(g.name, sizeof g.name, "%s", name);
    uint64_t pos = read_pos(s, &g);
    if (pos >= OTEL_SPOOL_HEADER_BYTES && pos <= g.size)
        g.off = pos;
    if (push_seg(s, &g) != 0) {
        close(fd);
        return;
    }
    s->disk_bytes += g.size;
}

/* Lists the directory: claims dead processes' files in name (= creation)
 * order; removes sidecars whose data file is gone and temporary files
 * that dead processes left. */
static void scan(otel_spool *s)
{
    int dfd = dup(s->dirfd);
    DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
    if (!d) {
        if (dfd >= 0)
            close(dfd);
        return;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        const char *nm = e->d_name;
        size_t l = strlen(nm);
        if (l > strlen(POS_SUFFIX) && strcmp(nm + l - strlen(POS_SUFFIX), POS_SUFFIX) == 0 &&
            strncmp(nm, PREFIX, strlen(PREFIX)) == 0) {
            char data[256];
            snprintf(data, sizeof data, "%.*s", (int)(l - strlen(POS_SUFFIX)), nm);
            struct stat st;
            if (fstatat(s->dirfd, data, &st, AT_SYMLINK_NOFOLLOW) != 0 && errno == ENOENT)
                unlinkat(s->dirfd, nm, 0);
            continue;
        }
        if (strncmp(nm, NEW_PREFIX PREFIX, strlen(NEW_PREFIX PREFIX)) == 0) {
            remove_stale_new(s, nm);
            continue;
        }
        if (!name_ok(nm))
            continue;
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 16;
            char **nn = realloc(names, nc * sizeof *nn);
            if (!nn)
                break;
            names = nn;
            cap = nc;
        }
        if (!(names[n] = strdup(nm)))
            break;
        n++;
    }
    closedir(d);
    if (n) /* names is NULL for an empty directory: qsort's pointer must not be */
        qsort(names, n, sizeof *names, cmp_names);
    for (size_t i = 0; i < n; i++) {
        claim(s, names[i]);
        free(names[i]);
    }
    free(names);
}

otel_spool *otel_spool_open(const char *dir, uint64_t max_bytes, unsigned encoding, char *err, size_t errlen)
{
    if (!dir || !*dir) {
        snprintf(err, errlen, "no spool directory given");
        return NULL;
    }
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "cannot create the spool directory %s: %s", dir, strerror(errno));
        return NULL;
    }
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) {
        snprintf(err, errlen, "cannot open the spool directory %s: %s", dir, strerror(errno));
        return NULL;
    }
    struct stat st;
    char why[160];
    if (fstat(dfd, &st) != 0 || otel_trust_stat(&st, 0, why, sizeof why) != 0) {
        snprintf(err, errlen, "the spool directory %s is not trusted: %s (it must belong to this process's user and "
                              "not be writable by group or others); no spooling", dir, why);
        close(dfd);
        return NULL;
    }
    if (faccessat(dfd, ".", W_OK | X_OK, AT_EACCESS) != 0) {
        snprintf(err, errlen, "the spool directory %s is not writable: %s", dir, strerror(errno));
        close(dfd);
        return NULL;
    }
    otel_spool *s = calloc(1, sizeof *s);
    if (!s || !(s->dir = strdup(dir))) {
        free(s);
        close(dfd);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->dirfd = dfd;
    s->encoding = encoding;
    s->max_bytes = max_bytes;
    s->seg_bytes = max_bytes / 4 < (64ull << 20) ? max_bytes / 4 : (64ull << 20);
    scan(s);
    return s;
}

void otel_spool_close(otel_spool *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nsegs; i++) {
        seg *g = &s->segs[i];
        /* an own segment that was fully replayed was deleted already; a
         * written one that holds only the header holds nothing */
        if (g->size <= OTEL_SPOOL_HEADER_BYTES || g->off >= g->size) {
            char pn[sizeof g->name + sizeof POS_SUFFIX];
            pos_name(pn, sizeof pn, g->name);
            unlinkat(s->dirfd, g->name, 0);
            unlinkat(s->dirfd, pn, 0);
        }
        close(g->fd);
        if (g->pos_fd >= 0)
            close(g->pos_fd);
    }
    close(s->dirfd);
    free(s->segs);
    free(s->rbuf);
    free(s->dir);
    free(s);
}

void otel_spool_set_segment_bytes(otel_spool *s, uint64_t bytes) { s->seg_bytes = bytes; }
uint64_t otel_spool_disk_bytes(const otel_spool *s) { return s->disk_bytes; }
size_t otel_spool_files(const otel_spool *s) { return s->nsegs; }
int otel_spool_pending(const otel_spool *s) { return s && s->nsegs > 0; }

/* A new own segment, created under a temporary name (which no scan
 * matches) and renamed only once locked and holding its header. */
static int new_segment(otel_spool *s)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t stamp = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
    if (stamp <= s->last_stamp)
        stamp = s->last_stamp + 1; /* strictly increasing: name order = write order */
    s->last_stamp = stamp;
    uint32_t rnd = 0;
    if (getrandom(&rnd, sizeof rnd, GRND_NONBLOCK) != (ssize_t)sizeof rnd)
        rnd = (uint32_t)(stamp ^ (uint64_t)getpid() << 16);
    seg g = {.pos_fd = -1, .size = OTEL_SPOOL_HEADER_BYTES, .off = OTEL_SPOOL_HEADER_BYTES};
    snprintf(g.name, sizeof g.name, PREFIX "%020llu-%ld-%08x" SUFFIX, (unsigned long long)stamp, (long)getpid(), rnd);
    char tmp[sizeof g.name + 8];
    snprintf(tmp, sizeof tmp, NEW_PREFIX "%s", g.name);
    g.fd = openat(s->dirfd, tmp, O_RDWR | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (g.fd < 0) {
        otel_diag("log4c-otel: spool: cannot create a file in %s: %s", s->dir, strerror(errno));
        return -1;
    }
    uint8_t hdr[OTEL_SPOOL_HEADER_BYTES];
    otel_spool_header(hdr, s->encoding);
    if (flock(g.fd, LOCK_EX) != 0 || otel_write_all(g.fd, hdr, sizeof hdr) != 0 ||
        renameat(s->dirfd, tmp, s->dirfd, g.name) != 0 || push_seg(s, &g) != 0) {
        otel_diag("log4c-otel: spool: cannot write a file in %s: %s", s->dir, strerror(errno));
        unlinkat(s->dirfd, tmp, 0);
        unlinkat(s->dirfd, g.name, 0);
        close(g.fd);
        return -1;
    }
    s->writing = 1;
    s->disk_bytes += g.size;
    return 0;
}

int otel_spool_room(const otel_spool *s, uint64_t bytes, unsigned entries)
{
    uint64_t need = bytes + (uint64_t)entries * OTEL_SPOOL_ENTRY_HEADER_BYTES + OTEL_SPOOL_HEADER_BYTES;
    return s->disk_bytes + need <= s->max_bytes;
}

int otel_spool_put(otel_spool *s, const void *payload, size_t len, uint32_t records)
{
    uint64_t need = (uint64_t)len + OTEL_SPOOL_ENTRY_HEADER_BYTES;
    seg *w = s->writing ? &s->segs[s->nsegs - 1] : NULL;
    int fresh = !w || (w->size > OTEL_SPOOL_HEADER_BYTES && w->size + need > s->seg_bytes);
    if (len > OTEL_SPOOL_MAX_ENTRY ||
        s->disk_bytes + need + (fresh ? OTEL_SPOOL_HEADER_BYTES : 0) > s->max_bytes)
        return -1;
    if (fresh) {
        s->writing = 0; /* the old segment stays in the list for replay */
        if (new_segment(s) != 0)
            return -2;
        w = &s->segs[s->nsegs - 1];
    }
    if (otel_spool_append(w->fd, payload, len, records) != 0) {
        int e = errno;
        /* cut a partial entry away, or stop writing to a file we cannot repair */
        if (ftruncate(w->fd, (off_t)w->size) != 0)
            s->writing = 0;
        otel_diag("log4c-otel: spool: write to %s/%s failed: %s", s->dir, w->name, strerror(e));
        return -2;
    }
    w->size += need;
    s->disk_bytes += need;
    return 0;
}

int otel_spool_peek(otel_spool *s, const uint8_t **payload, size_t *len, uint32_t *records)
{
    while (s->nsegs > 0) {
        seg *g = &s->segs[0];
        if (g->off >= g->size) {
            drop_head(s);
            continue;
        }
        uint64_t left = g->size - g->off;
        uint8_t h[OTEL_SPOOL_ENTRY_HEADER_BYTES];
        otel_spool_status st = OTEL_SPOOL_TORN;
        if (left >= sizeof h && otel_pread_all(g->fd, h, sizeof h, (off_t)g->off) == 0) {
            uint64_t want = sizeof h + (uint64_t)otel_spool_entry_length(h);
            if (otel_spool_entry_length(h) > OTEL_SPOOL_MAX_ENTRY)
                st = OTEL_SPOOL_CORRUPT;
            else if (want <= left) {
                if (want > s->rcap) {
                    uint8_t *nb = realloc(s->rbuf, (size_t)want);
                    if (!nb)
                        return 0; /* out of memory: try again later */
                    s->rbuf = nb;
                    s->rcap = (size_t)want;
                }
                if (otel_pread_all(g->fd, s->rbuf, (size_t)want, (off_t)g->off) == 0)
                    st = otel_spool_entry_check(s->rbuf, (size_t)want, payload, len, records);
                else
                    st = OTEL_SPOOL_CORRUPT;
                uint64_t counted;
                if (st == OTEL_SPOOL_ENTRY &&
                    (otel_spool_count_records(*payload, *len, s->encoding, &counted) != 0 || counted != *records))
                    st = OTEL_SPOOL_BAD_COUNT; /* a record count is never believed, it is counted */
            }
        }
        if (st == OTEL_SPOOL_ENTRY) {
            s->peek_end = g->off + OTEL_SPOOL_ENTRY_HEADER_BYTES + *len;
            return 1;
        }
        otel_diag("log4c-otel: spool: %s/%s: %s at offset %llu: the last %llu bytes skipped", s->dir, g->name,
                  otel_spool_status_str(st), (unsigned long long)g->off, (unsigned long long)left);
        drop_head(s);
    }
    return 0;
}

void otel_spool_consume(otel_spool *s)
{
    if (!s->nsegs || !s->peek_end)
        return;
    seg *g = &s->segs[0];
    g->off = s->peek_end;
    s->peek_end = 0;
    if (g->off >= g->size) {
        drop_head(s); /* nothing left: no progress to keep */
        return;
    }
    if (g->pos_fd < 0) {
        char pn[sizeof g->name + sizeof POS_SUFFIX];
        pos_name(pn, sizeof pn, g->name);
        g->pos_fd = openat(s->dirfd, pn, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    }
    if (g->pos_fd >= 0) {
        /* one 16-byte pwrite at offset 0: a kill leaves the old or the new value */
        uint8_t b[POS_BYTES];
        memcpy(b, "L4CP", 4);
        put32(b + 8, (uint32_t)g->off);
        put32(b + 12, (uint32_t)(g->off >> 32));
        put32(b + 4, (uint32_t)crc32(0L, b + 8, 8));
        if (pwrite(g->pos_fd, b, sizeof b, 0) != (ssize_t)sizeof b)
            otel_diag("log4c-otel: spool: cannot record the replay progress of %s: %s", g->name, strerror(errno));
    }
}
