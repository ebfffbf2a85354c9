/*
 * replay_main.c - runs a fuzz target's LLVMFuzzerTestOneInput over saved
 * inputs without libFuzzer, so that the seed corpus (and any crash
 * reproducer added to it) is a plain regression test in `make check`.
 *
 *     replay_<name> [FILE|DIR]...
 *
 * Each DIR is read non-recursively (hidden files skipped, in name order).
 * With no argument, the corpus directory $top_srcdir/tests/fuzz/corpus/<name>
 * is used (top_srcdir as exported by make check; "." when unset), where
 * <name> is FUZZ_NAME if defined at compile time, else derived from the
 * program name (replay_<name>, lt-replay_<name>, fuzz_<name> or oom_<name>).
 *
 * Prints "fuzz_<name>: N inputs replayed" and exits 0; an invariant
 * violation aborts (non-zero); an unreadable path or no input at all is an
 * error (exit 1), so that a misplaced corpus cannot pass vacuously.
 */
#include "fuzz_common.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

static unsigned long replayed;

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    size_t cap = 4096, len = 0;
    uint8_t *buf = malloc(cap);
    if (!buf)
        abort();
    size_t got;
    while ((got = fread(buf + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            if (!buf)
                abort();
        }
    }
    int err = ferror(f);
    fclose(f);
    if (err) {
        fprintf(stderr, "replay: %s: read error\n", path);
        free(buf);
        return -1;
    }
    /* an exact-size copy, as libFuzzer gives: overreads are caught */
    uint8_t *data = malloc(len ? len : 1);
    if (!data)
        abort();
    memcpy(data, buf, len);
    free(buf);
    fprintf(stderr, "replay: %s (%zu bytes)\n", path, len);
    LLVMFuzzerTestOneInput(data, len);
    free(data);
    replayed++;
    return 0;
}

static int skip_hidden(const struct dirent *d)
{
    return d->d_name[0] != '.';
}

static int run_path(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode))
        return run_file(path);

    struct dirent **names;
    int n = scandir(path, &names, skip_hidden, alphasort);
    if (n < 0) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    int rc = 0;
    for (int i = 0; i < n; i++) {
        size_t len = strlen(path) + strlen(names[i]->d_name) + 2;
        char *full = malloc(len);
        if (!full)
            abort();
        snprintf(full, len, "%s/%s", path, names[i]->d_name);
        if (stat(full, &st) == 0 && S_ISREG(st.st_mode) && run_file(full) != 0)
            rc = -1;
        free(full);
        free(names[i]);
    }
    free(names);
    return rc;
}

/* "kv_list" from ".../replay_kv_list", "lt-replay_kv_list" or "fuzz_kv_list". */
static const char *target_name(const char *argv0)
{
#ifdef FUZZ_NAME
    (void)argv0;
    return FUZZ_NAME;
#else
    const char *b = strrchr(argv0, '/');
    b = b ? b + 1 : argv0;
    if (strncmp(b, "lt-", 3) == 0)
        b += 3;
    if (strncmp(b, "replay_", 7) == 0)
        b += 7;
    else if (strncmp(b, "fuzz_", 5) == 0)
        b += 5;
    else if (strncmp(b, "oom_", 4) == 0) /* oom_settings replays corpus/settings */
        b += 4;
    return b;
#endif
}

int main(int argc, char **argv)
{
    const char *name = target_name(argc > 0 ? argv[0] : "replay");
    int rc = 0;

    if (argc > 1) {
        for (int i = 1; i < argc; i++)
            if (run_path(argv[i]) != 0)
                rc = 1;
    } else {
        const char *top = getenv("top_srcdir");
        if (!top || !*top)
            top = ".";
        size_t len = strlen(top) + strlen(name) + sizeof "/tests/fuzz/corpus/";
        char *dir = malloc(len);
        if (!dir)
            abort();
        snprintf(dir, len, "%s/tests/fuzz/corpus/%s", top, name);
        if (run_path(dir) != 0)
            rc = 1;
        free(dir);
    }
    if (replayed == 0) {
        fprintf(stderr, "replay: fuzz_%s: no input found\n", name);
        rc = 1;
    }
    printf("fuzz_%s: %lu inputs replayed\n", name, replayed);
    return rc;
}
