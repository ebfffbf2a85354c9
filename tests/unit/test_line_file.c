/*
 * test_line_file.c - the crash-safe file: one line per write, newlines,
 * rotation naming and backups, a line longer than the limit, no backups,
 * 8 threads writing through rotations (every line exactly once, none
 * split), fdatasync policies; and the file appender's settings (sizes,
 * environment, the JSON section parser, the per-name registry).
 */
#include <check.h>
#include "run_suite.h"
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "line_file_settings.h"
#include "line_file.h"

static char dir[256];
static char path[300];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/log4c-otel-linefile-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/traces.log", dir);
}

static void teardown(void)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char p[600];
    while (d && (e = readdir(d)))
        if (e->d_name[0] != '.') {
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            unlink(p);
        }
    if (d)
        closedir(d);
    rmdir(dir);
}

static char *slurp(const char *p, size_t *len)
{
    FILE *f = fopen(p, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    ck_assert_uint_eq(fread(b, 1, (size_t)n, f), (size_t)n);
    b[n] = '\0';
    fclose(f);
    if (len)
        *len = (size_t)n;
    return b;
}

static otel_line_file_settings settings(uint64_t max, unsigned backups)
{
    otel_line_file_settings s;
    otel_line_file_settings_defaults(&s);
    s.max_size = max;
    s.backups = backups;
    return s;
}

START_TEST(lines_and_newlines)
{
    otel_line_file_settings s = settings(0, 5);
    otel_line_file *f = otel_line_file_open(path, &s);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(otel_line_file_write(f, "one", 3), 0);
    ck_assert_int_eq(otel_line_file_write(f, "two\n", 4), 0); /* no second newline */
    ck_assert_int_eq(otel_line_file_write(f, "", 0), 0);
    char big[10000];
    memset(big, 'b', sizeof big);
    ck_assert_int_eq(otel_line_file_write(f, big, sizeof big), 0); /* beyond the stack buffer */
    otel_line_file_close(f);
    size_t n;
    char *c = slurp(path, &n);
    ck_assert_uint_eq(n, 4 + 4 + 1 + 10001);
    ck_assert(strncmp(c, "one\ntwo\n\nbbb", 12) == 0);
    ck_assert_int_eq(c[n - 1], '\n');
    free(c);
    struct stat st;
    stat(path, &st);
    ck_assert_uint_eq(st.st_mode & 0777, 0600);
    /* reopening appends */
    f = otel_line_file_open(path, &s);
    otel_line_file_write(f, "three", 5);
    otel_line_file_close(f);
    c = slurp(path, &n);
    ck_assert_uint_eq(n, 4 + 4 + 1 + 10001 + 6);
    free(c);
}
END_TEST

START_TEST(rotation_names_and_backups)
{
    otel_line_file_settings s = settings(20, 2); /* 20 bytes: two 10-byte lines per file */
    otel_line_file *f = otel_line_file_open(path, &s);
    char line[16];
    for (int i = 0; i < 9; i++) {
        snprintf(line, sizeof line, "line %04d", i); /* 9 + '\n' = 10 bytes */
        ck_assert_int_eq(otel_line_file_write(f, line, 9), 0);
    }
    ck_assert_uint_eq(otel_line_file_rotations(f), 4);
    otel_line_file_close(f);
    char p[400], *c;
    c = slurp(path, NULL);
    ck_assert_str_eq(c, "line 0008\n");
    free(c);
    snprintf(p, sizeof p, "%s.1", path);
    c = slurp(p, NULL);
    ck_assert_str_eq(c, "line 0006\nline 0007\n");
    free(c);
    snprintf(p, sizeof p, "%s.2", path);
    c = slurp(p, NULL);
    ck_assert_str_eq(c, "line 0004\nline 0005\n");
    free(c);
    snprintf(p, sizeof p, "%s.3", path);
    ck_assert_int_ne(access(p, F_OK), 0); /* only 2 backups kept */
}
END_TEST

START_TEST(long_line_goes_alone_and_no_backups)
{
    otel_line_file_settings s = settings(10, 0);
    otel_line_file *f = otel_line_file_open(path, &s);
    otel_line_file_write(f, "abc", 3);
    otel_line_file_write(f, "a line longer than ten", 22); /* rotates, then goes whole into the new file */
    otel_line_file_write(f, "x", 1);
    otel_line_file_close(f);
    char *c = slurp(path, NULL);
    ck_assert_str_eq(c, "x\n");
    free(c);
    char p[400];
    snprintf(p, sizeof p, "%s.1", path);
    ck_assert_int_ne(access(p, F_OK), 0);
}
END_TEST

START_TEST(fsync_policies)
{
    otel_line_file_settings s = settings(30, 1);
    s.fsync_policy = OTEL_FSYNC_LINE;
    otel_line_file *f = otel_line_file_open(path, &s);
    for (int i = 0; i < 10; i++)
        ck_assert_int_eq(otel_line_file_write(f, "synced line", 11), 0);
    otel_line_file_close(f);
    s.fsync_policy = OTEL_FSYNC_INTERVAL;
    s.fsync_interval_ms = 1;
    f = otel_line_file_open(path, &s);
    for (int i = 0; i < 10; i++) {
        ck_assert_int_eq(otel_line_file_write(f, "interval line", 13), 0);
        usleep(500);
    }
    otel_line_file_close(f);
    char *c = slurp(path, NULL);
    ck_assert_str_eq(c, "interval line\ninterval line\n");
    free(c);
}
END_TEST

/* Runs fn with stderr going to a file; returns what it printed. */
static char *stderr_of(void (*fn)(void))
{
    char p[400];
    snprintf(p, sizeof p, "%s/stderr.txt", dir);
    fflush(stderr);
    int saved = dup(2), fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ck_assert_int_ge(fd, 0);
    dup2(fd, 2);
    close(fd);
    fn();
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    char *c = slurp(p, NULL);
    unlink(p);
    return c;
}

static void lines_into_a_directory(void)
{
    otel_line_file_settings s = settings(0, 1);
    mkdir(path, 0700); /* a directory where the file should be */
    otel_line_file *f = otel_line_file_open(path, &s);
    ck_assert_ptr_nonnull(f); /* the object exists; every write fails */
    for (int i = 0; i < 25; i++) {
        errno = 0;
        ck_assert_int_eq(otel_line_file_write(f, "lost", 4), -1);
        ck_assert_int_eq(errno, EISDIR);
    }
    otel_line_file_close(f);
    rmdir(path);
}

START_TEST(unwritable_path_said_once_and_counted)
{
    uint64_t before = otel_line_file_lines_lost();
    char *err = stderr_of(lines_into_a_directory);
    ck_assert_uint_eq(otel_line_file_lines_lost() - before, 25);
    char want[600];
    snprintf(want, sizeof want,
             "log4c-otel: cannot write \"%s\": Is a directory; its lines are lost (counted in line_file_errors)\n", path);
    ck_assert_str_eq(err, want); /* one line, with the path and the reason */
    free(err);
}
END_TEST

START_TEST(missing_directories_created)
{
    char deep[400];
    snprintf(deep, sizeof deep, "%s/a/b/traces.log", dir);
    otel_line_file_settings s = settings(0, 1);
    otel_line_file *f = otel_line_file_open(deep, &s);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(otel_line_file_write(f, "landed", 6), 0);
    otel_line_file_close(f);
    char *c = slurp(deep, NULL);
    ck_assert_str_eq(c, "landed\n");
    free(c);
    struct stat st;
    char p[400];
    snprintf(p, sizeof p, "%s/a", dir);
    ck_assert_int_eq(stat(p, &st), 0);
    ck_assert_uint_eq(st.st_mode & 0777, 0700);
    snprintf(p, sizeof p, "%s/a/b", dir);
    ck_assert_int_eq(stat(p, &st), 0);
    ck_assert_uint_eq(st.st_mode & 0777, 0700);
    unlink(deep);
    rmdir(p);
    snprintf(p, sizeof p, "%s/a", dir);
    rmdir(p);

    /* a path under a regular file cannot be made: said, counted, no crash */
    snprintf(p, sizeof p, "%s/plain", dir);
    close(open(p, O_WRONLY | O_CREAT, 0600));
    snprintf(deep, sizeof deep, "%s/plain/x/traces.log", dir);
    f = otel_line_file_open(deep, &s);
    ck_assert_ptr_nonnull(f);
    errno = 0;
    ck_assert_int_eq(otel_line_file_write(f, "lost", 4), -1);
    ck_assert_int_eq(errno, ENOTDIR);
    otel_line_file_close(f);
    unlink(p);
}
END_TEST

static void append_raw(const char *text)
{
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0600);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

/* A file left ending inside a line (a writer killed mid-write, a full
 * disk) gets a '\n' before the next line: at the first write after open,
 * and when another writer cut a line after this one's last. */
START_TEST(cut_line_never_glued)
{
    append_raw("whole\ncut in the mid");
    otel_line_file_settings s = settings(0, 1);
    otel_line_file *f = otel_line_file_open(path, &s);
    ck_assert_int_eq(otel_line_file_write(f, "first", 5), 0);
    ck_assert_int_eq(otel_line_file_write(f, "second", 6), 0);
    append_raw("another writer, cut");
    ck_assert_int_eq(otel_line_file_write(f, "third", 5), 0);
    append_raw("a whole line from elsewhere\n");
    ck_assert_int_eq(otel_line_file_write(f, "fourth", 6), 0);
    otel_line_file_close(f);
    char *c = slurp(path, NULL);
    ck_assert_str_eq(c, "whole\ncut in the mid\nfirst\nsecond\nanother writer, cut\nthird\n"
                        "a whole line from elsewhere\nfourth\n");
    free(c);
}
END_TEST

/* A short write (here RLIMIT_FSIZE, as a full disk would): the part that
 * went in stays, the line is counted lost, and when there is room again the
 * next line starts with the '\n' that ends the cut one. */
START_TEST(short_write_then_space_again)
{
    signal(SIGXFSZ, SIG_IGN);
    otel_line_file_settings s = settings(0, 1);
    otel_line_file *f = otel_line_file_open(path, &s);
    ck_assert_int_eq(otel_line_file_write(f, "0123456789", 10), 0); /* 11 bytes */
    struct rlimit old, lim;
    getrlimit(RLIMIT_FSIZE, &old);
    lim = old;
    lim.rlim_cur = 30;
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
    uint64_t before = otel_line_file_lines_lost();
    /* 19 of these 26 bytes fit: the file is full, even the '\n' cannot go */
    ck_assert_int_eq(otel_line_file_write(f, "abcdefghijklmnopqrstuvwxy", 25), -1);
    ck_assert_int_eq(errno, EFBIG);
    ck_assert_int_eq(otel_line_file_write(f, "no room", 7), -1);
    ck_assert_uint_eq(otel_line_file_lines_lost() - before, 2);
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &old), 0);
    ck_assert_int_eq(otel_line_file_write(f, "room again", 10), 0);
    otel_line_file_close(f);
    char *c = slurp(path, NULL);
    ck_assert_str_eq(c, "0123456789\nabcdefghijklmnopqrs\nroom again\n");
    free(c);

    signal(SIGXFSZ, SIG_DFL);
}
END_TEST

/* ---- 8 threads through many rotations ---- */
#define THREADS 8
#define PER_THREAD 4000
static otel_line_file *shared;

static void *writer(void *arg)
{
    long t = (long)(intptr_t)arg;
    char line[128];
    for (long i = 0; i < PER_THREAD; i++) {
        /* variable lengths, so that lines straddle the limit differently */
        int n = snprintf(line, sizeof line, "t%ld-%05ld %.*s", t, i, (int)(i % 40), "0123456789012345678901234567890123456789");
        ck_assert_int_eq(otel_line_file_write(shared, line, (size_t)n), 0);
    }
    return NULL;
}

START_TEST(rotation_under_eight_threads)
{
    otel_line_file_settings s = settings(16 * 1024, 1000);
    shared = otel_line_file_open(path, &s);
    pthread_t th[THREADS];
    for (long t = 0; t < THREADS; t++)
        pthread_create(&th[t], NULL, writer, (void *)(intptr_t)t);
    for (int t = 0; t < THREADS; t++)
        pthread_join(th[t], NULL);
    unsigned long rot = otel_line_file_rotations(shared);
    otel_line_file_close(shared);
    ck_assert_uint_gt(rot, 50);

    static unsigned char seen[THREADS][PER_THREAD];
    memset(seen, 0, sizeof seen);
    unsigned long total = 0;
    for (unsigned long k = 0; k <= rot; k++) {
        char p[400];
        if (k == 0)
            snprintf(p, sizeof p, "%s", path);
        else
            snprintf(p, sizeof p, "%s.%lu", path, k);
        size_t n;
        char *c = slurp(p, &n);
        ck_assert_msg(c != NULL, "missing %s", p);
        ck_assert_msg(n <= 16 * 1024, "%s has %zu bytes", p, n);
        ck_assert_int_eq(c[n - 1], '\n');
        for (char *line = c, *nl; (nl = strchr(line, '\n')); line = nl + 1) {
            *nl = '\0';
            long t, i;
            int len;
            ck_assert_msg(sscanf(line, "t%ld-%5ld %n", &t, &i, &len) == 2, "torn line %s", line);
            ck_assert(t >= 0 && t < THREADS && i >= 0 && i < PER_THREAD);
            ck_assert_uint_eq(strlen(line + len), (size_t)(i % 40)); /* whole */
            ck_assert_msg(!seen[t][i], "duplicate %s", line);
            seen[t][i] = 1;
            total++;
        }
        free(c);
    }
    ck_assert_uint_eq(total, THREADS * PER_THREAD); /* every line exactly once */
}
END_TEST

/* ---- fork while other threads write: the child's line must not hang on
 * a lock a vanished parent thread held ---- */
#define FORKS 60
static atomic_int stop_writers;

static void *busy_writer(void *arg)
{
    (void)arg;
    for (long i = 0; i < 1000000 && !atomic_load(&stop_writers); i++)
        ck_assert_int_eq(otel_line_file_write(shared, "parent line", 11), 0);
    return NULL;
}

/* 0 when the child exited 0, 1 when it exited otherwise, 2 when it had not
 * exited after 30 s (a hang: killed). The bound is generous because the
 * child's line is fdatasync'ed next to the parent's writers on a possibly
 * loaded disk; a lock left held would hang it for ever. */
static int child_outcome(pid_t pid)
{
    for (int i = 0; i < 30000; i++) {
        int st;
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid)
            return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
        usleep(1000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    return 2;
}

START_TEST(fork_while_writing)
{
    /* fsync per line keeps the lock held most of the time */
    otel_line_file_settings s = settings(0, 0);
    s.fsync_policy = OTEL_FSYNC_LINE;
    shared = otel_line_file_open(path, &s);
    atomic_store(&stop_writers, 0);
    pthread_t th[2];
    for (int t = 0; t < 2; t++)
        pthread_create(&th[t], NULL, busy_writer, NULL);
    int hung = 0, failed = 0;
    for (int k = 0; k < FORKS; k++) {
        pid_t pid = fork();
        /* no Check call in the child: the writers' ck_assert takes Check's own
         * mutex, which a writer may hold at the fork (that, not our lock,
         * hung 1 child in 60 now and then) */
        if (pid == 0) {
            char line[32];
            int n = snprintf(line, sizeof line, "child %d", k);
            _exit(otel_line_file_write(shared, line, (size_t)n) == 0 ? 0 : 1);
        }
        ck_assert_int_ge(pid, 0);
        int o = child_outcome(pid);
        hung += o == 2;
        failed += o == 1;
    }
    atomic_store(&stop_writers, 1);
    for (int t = 0; t < 2; t++)
        pthread_join(th[t], NULL);
    otel_line_file_close(shared);
    ck_assert_msg(hung == 0, "%d of %d children hung writing their line", hung, FORKS);
    ck_assert_msg(failed == 0, "%d of %d children failed to write their line", failed, FORKS);

    size_t n;
    char *c = slurp(path, &n);
    ck_assert_ptr_nonnull(c);
    int children = 0;
    for (char *line = c, *nl; (nl = strchr(line, '\n')); line = nl + 1) {
        *nl = '\0';
        ck_assert_msg(strcmp(line, "parent line") == 0 || strncmp(line, "child ", 6) == 0, "torn line %s", line);
        children += strncmp(line, "child ", 6) == 0;
    }
    free(c);
    ck_assert_int_eq(children, FORKS);
}
END_TEST

/* ---- settings ---- */


/* 0..3: the variables' names, 4..7: their older spellings */
static const char *env_vals[8];
static const char *fake_getenv(const char *name)
{
    static const char *names[] = {"LOG4C_OTEL_LINE_FILE_MAX_SIZE",     "LOG4C_OTEL_LINE_FILE_BACKUPS",
                                  "LOG4C_OTEL_LINE_FILE_FSYNC",        "LOG4C_OTEL_LINE_FILE_MODE",
                                  "LOG4C_OTEL_FILE_APPENDER_MAX_SIZE", "LOG4C_OTEL_FILE_APPENDER_BACKUPS",
                                  "LOG4C_OTEL_FILE_APPENDER_FSYNC",    "LOG4C_OTEL_FILE_APPENDER_MODE"};
    for (int i = 0; i < 8; i++)
        if (strcmp(name, names[i]) == 0)
            return env_vals[i];
    return NULL;
}

START_TEST(env_overrides)
{
    otel_line_file_settings s;
    char err[200];
    otel_line_file_settings_defaults(&s);
    ck_assert_uint_eq(s.max_size, 0);
    ck_assert_uint_eq(s.backups, 5);
    ck_assert_int_eq(s.fsync_policy, OTEL_FSYNC_NEVER);
    ck_assert_uint_eq(s.mode, 0600);
    env_vals[0] = "2M", env_vals[1] = "9", env_vals[2] = "250", env_vals[3] = "0640";
    ck_assert_int_eq(otel_line_file_settings_from_env(&s, fake_getenv, err, sizeof err), 0);
    ck_assert_uint_eq(s.max_size, 2u << 20);
    ck_assert_uint_eq(s.backups, 9);
    ck_assert_int_eq(s.fsync_policy, OTEL_FSYNC_INTERVAL);
    ck_assert_int_eq(s.fsync_interval_ms, 250);
    ck_assert_uint_eq(s.mode, 0640);
    env_vals[2] = "line";
    ck_assert_int_eq(otel_line_file_settings_from_env(&s, fake_getenv, err, sizeof err), 0);
    ck_assert_int_eq(s.fsync_policy, OTEL_FSYNC_LINE);
    env_vals[2] = "sometimes";
    ck_assert_int_eq(otel_line_file_settings_from_env(&s, fake_getenv, err, sizeof err), -1);
    ck_assert_str_eq(err, "LOG4C_OTEL_LINE_FILE_FSYNC: expected never, line or a number of milliseconds");
    env_vals[2] = NULL, env_vals[1] = "x";
    ck_assert_int_eq(otel_line_file_settings_from_env(&s, fake_getenv, err, sizeof err), -1);
    ck_assert_str_eq(err, "LOG4C_OTEL_LINE_FILE_BACKUPS: expected a number from 0 to 10000");
    memset(env_vals, 0, sizeof env_vals);
}
END_TEST

/* LOG4C_OTEL_FILE_APPENDER_* still work; when both spellings are set the
 * LOG4C_OTEL_LINE_FILE_* one wins; an empty value counts as unset */
START_TEST(older_env_spellings)
{
    otel_line_file_settings s;
    char err[200];
    otel_line_file_settings_defaults(&s);
    env_vals[4] = "1M", env_vals[5] = "3", env_vals[6] = "line", env_vals[7] = "0644";
    ck_assert_int_eq(otel_line_file_settings_from_env(&s, fake_getenv, err, sizeof err), 0);
    ck_assert_uint_eq(s.max_size, 1u << 20);
    ck_assert_uint_eq(s.backups, 3);
    ck_assert_int_eq(s.fsync_policy, OTEL_FSYNC_LINE);
    ck_assert_uint_eq(s.mode, 0644);

    otel_line_file_settings_defaults(&s);
    env_vals[0] = "4K", env_vals[1] = "7", env_vals[2] = "", env_vals[3] = "0600";
    ck_assert_int_eq(otel_line_file_settings_from_env(&s, fake_getenv, err, sizeof err), 0);
    ck_assert_uint_eq(s.max_size, 4096);
    ck_assert_uint_eq(s.backups, 7);
    ck_assert_int_eq(s.fsync_policy, OTEL_FSYNC_LINE); /* the new one is empty: the older one applies */
    ck_assert_uint_eq(s.mode, 0600);

    env_vals[6] = "often"; /* an error names the spelling that was read */
    ck_assert_int_eq(otel_line_file_settings_from_env(&s, fake_getenv, err, sizeof err), -1);
    ck_assert_str_eq(err, "LOG4C_OTEL_FILE_APPENDER_FSYNC: expected never, line or a number of milliseconds");
    memset(env_vals, 0, sizeof env_vals);
}
END_TEST

static int from_json(const char *text, otel_line_file_settings *s, char *err)
{
    json_error_t je;
    json_t *j = json_loads(text, JSON_DECODE_ANY, &je);
    ck_assert_msg(j != NULL, "bad test JSON: %s", je.text);
    err[0] = '\0';
    otel_config_error e;
    memset(&e, 0, sizeof e);
    int rc = otel_line_file_settings_from_json(j, "appenders[\"traces.log\"]", s, &e);
    if (rc != 0)
        otel_config_error_format(&e, err, 200);
    json_decref(j);
    return rc;
}

START_TEST(json_section)
{
    otel_line_file_settings s;
    char err[200];
    otel_line_file_settings_defaults(&s);
    ck_assert_int_eq(from_json("{\"maxLogSize\":\"10M\",\"backups\":3,\"fsync\":\"line\",\"mode\":\"0644\",\"other\":1}",
                               &s, err), 0);
    ck_assert_uint_eq(s.max_size, 10u << 20);
    ck_assert_uint_eq(s.backups, 3);
    ck_assert_int_eq(s.fsync_policy, OTEL_FSYNC_LINE);
    ck_assert_uint_eq(s.mode, 0644);
    ck_assert_int_eq(from_json("{\"maxLogSize\":1048576,\"fsync\":100,\"mode\":384}", &s, err), 0);
    ck_assert_uint_eq(s.max_size, 1048576);
    ck_assert_uint_eq(s.backups, 3); /* untouched keys keep what was there */
    ck_assert_int_eq(s.fsync_policy, OTEL_FSYNC_INTERVAL);
    ck_assert_int_eq(s.fsync_interval_ms, 100);
    ck_assert_uint_eq(s.mode, 0600);
    ck_assert_int_eq(from_json("{\"fsync\":\"never\"}", &s, err), 0);
    ck_assert_int_eq(s.fsync_policy, OTEL_FSYNC_NEVER);

    static const struct {
        const char *json, *msg;
    } bad[] = {
        {"[]", "appenders[\"traces.log\"]: expected an object"},
        {"{\"maxLogSize\":\"10X\"}", "appenders[\"traces.log\"].maxLogSize: expected bytes (a number, or a string with a K, M or G suffix)"},
        {"{\"maxLogSize\":-5}", "appenders[\"traces.log\"].maxLogSize: expected bytes (a number, or a string with a K, M or G suffix)"},
        {"{\"maxLogSize\":1.5}", "appenders[\"traces.log\"].maxLogSize: expected bytes (a number, or a string with a K, M or G suffix)"},
        {"{\"backups\":\"3\"}", "appenders[\"traces.log\"].backups: expected a number from 0 to 10000"},
        {"{\"backups\":10001}", "appenders[\"traces.log\"].backups: expected a number from 0 to 10000"},
        {"{\"fsync\":0}", "appenders[\"traces.log\"].fsync: expected \"never\", \"line\" or a number of milliseconds > 0"},
        {"{\"fsync\":true}", "appenders[\"traces.log\"].fsync: expected \"never\", \"line\" or a number of milliseconds > 0"},
        {"{\"mode\":\"rw\"}", "appenders[\"traces.log\"].mode: expected permissions, e.g. 384 or \"0600\""},
        {"{\"mode\":4096}", "appenders[\"traces.log\"].mode: expected permissions, e.g. 384 or \"0600\""},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        otel_line_file_settings before = s;
        ck_assert_int_eq(from_json(bad[i].json, &s, err), -1);
        ck_assert_str_eq(err, bad[i].msg);
        /* nothing applied on error */
        ck_assert(before.max_size == s.max_size && before.backups == s.backups &&
                  before.fsync_policy == s.fsync_policy && before.fsync_interval_ms == s.fsync_interval_ms &&
                  before.mode == s.mode);
    }
}
END_TEST

START_TEST(registry)
{
    otel_line_file_settings a = settings(100, 1), b = settings(200, 2), out;
    ck_assert_int_eq(otel_line_file_settings_lookup("x.log", &out), 0);
    ck_assert_int_eq(otel_line_file_settings_register("x.log", &a), 0);
    ck_assert_int_eq(otel_line_file_settings_register("y.log", &b), 0);
    ck_assert_int_eq(otel_line_file_settings_lookup("x.log", &out), 1);
    ck_assert_uint_eq(out.max_size, 100);
    ck_assert_int_eq(otel_line_file_settings_register("x.log", &b), 0);
    ck_assert_int_eq(otel_line_file_settings_lookup("x.log", &out), 1);
    ck_assert_uint_eq(out.max_size, 200);
    otel_line_file_settings_clear_registry();
    ck_assert_int_eq(otel_line_file_settings_lookup("y.log", &out), 0);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("line_file");
    TCase *tc = tcase_create("file");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, lines_and_newlines);
    tcase_add_test(tc, rotation_names_and_backups);
    tcase_add_test(tc, long_line_goes_alone_and_no_backups);
    tcase_add_test(tc, fsync_policies);
    tcase_add_test(tc, unwritable_path_said_once_and_counted);
    tcase_add_test(tc, missing_directories_created);
    tcase_add_test(tc, cut_line_never_glued);
    tcase_add_test(tc, short_write_then_space_again);
    tcase_add_test(tc, rotation_under_eight_threads);
#if !defined(__SANITIZE_THREAD__)
    /* TSan does not support a multi-threaded fork whose child goes on
     * running (its runtime's locks hang the child). (The "1 of 60 children
     * hung" seen before, also under ASan, was the child calling ck_assert
     * while a writer held Check's mutex: fixed in the test.) */
    tcase_add_test(tc, fork_while_writing);
#endif
    suite_add_tcase(s, tc);
    TCase *ts = tcase_create("settings");
    tcase_add_test(ts, env_overrides);
    tcase_add_test(ts, older_env_spellings);
    tcase_add_test(ts, json_section);
    tcase_add_test(ts, registry);
    suite_add_tcase(s, ts);
    return s;
}

int main(void) { return run_suite(suite()); }
