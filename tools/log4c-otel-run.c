/*
 * log4c-otel-run - runs any program and ships its output as OpenTelemetry
 * log records: every line of its stdout (INFO) and stderr (ERROR) goes
 * through log4c, in the category captured.<app>, to the otel appender (so
 * log4crc, the JSON configuration's filters and redaction apply), then the
 * exit status; forwards SIGINT, SIGTERM, SIGHUP and SIGQUIT to the program
 * and exits with its status (128 + N when it was killed by signal N).
 *
 *     log4c-otel-run [--app NAME] [--config FILE] [--tee] [--] COMMAND [ARGS...]
 *
 * See log4c-otel-run(1).
 */
#include <log4c.h>
#include <log4c-otel.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define EXIT_USAGE 2
#define EXIT_CANNOT_EXECUTE 126
#define EXIT_NOT_FOUND 127

static const int FORWARDED[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

/* The forwarded signals are blocked from the start of main (so in every
 * thread started later too: the library's own threads block all signals)
 * and taken synchronously by the wait loop with sigtimedwait: no handler
 * runs asynchronously, so none can be deferred or lost by a runtime that
 * wraps signal handlers (ThreadSanitizer lost a SIGTERM that arrived while
 * it set up the main thread's signal state on its first blocking call), and
 * one arriving before the child runs stays pending until it is forwarded.
 * Standard signals do not queue: two of a kind sent before the loop takes
 * them are forwarded once. */
static void forwarded_set(sigset_t *set)
{
    sigemptyset(set);
    for (size_t i = 0; i < sizeof FORWARDED / sizeof FORWARDED[0]; i++)
        sigaddset(set, FORWARDED[i]);
}

/* Forwards sig with log4c_otel_capture_kill (never to a pid already
 * reaped). A SIGINT or SIGQUIT the terminal generated (si_code SI_KERNEL)
 * already reached the child, which is in our foreground process group: not
 * sent twice. */
static void forward(log4c_otel_capture *c, int sig, const siginfo_t *si)
{
    if ((sig == SIGINT || sig == SIGQUIT) && si->si_code == SI_KERNEL)
        return;
    log4c_otel_capture_kill(c, sig);
}

static void usage(FILE *f)
{
    fprintf(f, "usage: log4c-otel-run [--app NAME] [--config FILE] [--tee] [--] COMMAND [ARGS...]\n"
               "Runs COMMAND and ships each line of its stdout/stderr as an OpenTelemetry log record\n"
               "(log4c category captured.NAME, otel appender). Exits with COMMAND's status.\n"
               "  -a, --app NAME     application name, and service.name unless OTEL_SERVICE_NAME\n"
               "                     is set (default: COMMAND's base name)\n"
               "  -c, --config FILE  log4c-otel JSON configuration (sets LOG4C_OTEL_CONFIG)\n"
               "  -t, --tee          also copy the output to this program's stdout/stderr\n"
               "  -h, --help         this text;  -V, --version  the version\n"
               "Where records go: OTEL_EXPORTER_OTLP_ENDPOINT, else a local OTLP/JSON file.\n");
}

/* "captured.<name>" as the library names it ('.' and controls -> '_'). */
static char *category_of(const char *app)
{
    size_t n = strlen(app);
    char *s = malloc(sizeof "captured." + n);
    if (!s)
        return NULL;
    memcpy(s, "captured.", 9);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)app[i];
        s[9 + i] = c == '.' || c < 0x20 || c == 0x7f ? '_' : (char)c;
    }
    s[9 + n] = '\0';
    return s;
}

/* Whether a category above catname (its parent, up to root) carries the
 * otel appender and the records of catname get there. */
static int ancestors_reach(const char *catname, const log4c_appender_t *otel)
{
    char *name = strdup(catname);
    if (!name)
        return 0;
    int reached = 0;
    for (;;) {
        char *dot = strrchr(name, '.');
        if (dot)
            *dot = '\0';
        else if (strcmp(name, "root") != 0)
            strcpy(name, "root");
        else
            break;
        log4c_category_t *c = log4c_category_get(name);
        const log4c_appender_t *a = log4c_category_get_appender(c);
        if (a == otel) {
            reached = 1;
            break;
        }
        if (a && !log4c_category_get_additivity(c))
            break;
    }
    free(name);
    return reached;
}

/* Before log4c_init(): captured.<app> carries the otel appender from the
 * start, so the library's check at log4c_init() (no category reaches
 * "otel") sees where its records go. A log4crc that names the category
 * replaces it. */
static void route_to_otel_early(const char *catname)
{
    log4c_appender_t *otel = log4c_appender_get(LOG4C_OTEL_APPENDER_NAME);
    log4c_category_t *own = log4c_category_get(catname);
    if (otel && own)
        log4c_category_set_appender(own, otel);
}

/* After log4c_init(): captured.<app> reaches the otel appender exactly
 * once. When a category above it already carries "otel" (with additivity
 * on the way), its own copy is removed again; when log4crc routes it to
 * another appender and nothing above reaches "otel", that is said. */
static void route_to_otel(const char *catname)
{
    log4c_appender_t *otel = log4c_appender_get(LOG4C_OTEL_APPENDER_NAME);
    log4c_category_t *own = log4c_category_get(catname);
    if (!otel || !own)
        return;
    const log4c_appender_t *a = log4c_category_get_appender(own);
    if (a == otel) {
        if (ancestors_reach(catname, otel))
            log4c_category_set_appender(own, NULL);
    } else if (!a) {
        if (!ancestors_reach(catname, otel))
            log4c_category_set_appender(own, otel);
    } else if (!log4c_category_get_additivity(own) || !ancestors_reach(catname, otel)) {
        fprintf(stderr, "log4c-otel-run: log4crc routes %s to another appender, not \"otel\": "
                        "its records will not be exported\n", catname);
    }
}

static int exit_code(int st)
{
    if (st == -1)
        return 1;
    if (WIFEXITED(st))
        return WEXITSTATUS(st);
    if (WIFSIGNALED(st))
        return 128 + WTERMSIG(st);
    return 1;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"app", required_argument, NULL, 'a'}, {"config", required_argument, NULL, 'c'},
        {"tee", no_argument, NULL, 't'},       {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},   {NULL, 0, NULL, 0},
    };
    const char *app = NULL, *config = NULL;
    int tee = 0, opt;
    while ((opt = getopt_long(argc, argv, "+a:c:thV", longopts, NULL)) != -1) {
        switch (opt) {
        case 'a': app = optarg; break;
        case 'c': config = optarg; break;
        case 't': tee = 1; break;
        case 'h': usage(stdout); return 0;
        case 'V': printf("log4c-otel-run %s\n", LOG4C_OTEL_VERSION); return 0;
        default: usage(stderr); return EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        usage(stderr);
        return EXIT_USAGE;
    }
    char **cmd = argv + optind;
    if (app && !app[0]) {
        fprintf(stderr, "log4c-otel-run: --app needs a non-empty name\n");
        return EXIT_USAGE;
    }
    if (config) {
        char abs[PATH_MAX];
        if (access(config, R_OK) != 0 || !realpath(config, abs)) {
            fprintf(stderr, "log4c-otel-run: --config %s: %s\n", config, strerror(errno));
            return EXIT_USAGE;
        }
        setenv("LOG4C_OTEL_CONFIG", abs, 1); /* read by log4c_otel_init() */
    }
    if (!app) {
        const char *slash = strrchr(cmd[0], '/');
        app = slash && slash[1] ? slash + 1 : cmd[0];
    }
    /* the records are the wrapped program's: it is the service, unless
     * OTEL_SERVICE_NAME (or the configuration's serviceName) says otherwise */
    const char *svc = getenv("OTEL_SERVICE_NAME");
    if (!svc || !*svc)
        setenv("OTEL_SERVICE_NAME", app, 1);

    /* signals first: one arriving from now on is forwarded once the child
     * runs (the child starts with none blocked: capture.c) */
    sigset_t fwd;
    forwarded_set(&fwd);
    if (sigprocmask(SIG_BLOCK, &fwd, NULL) != 0) { /* no thread yet */
        perror("log4c-otel-run: sigprocmask");
        return EXIT_CANNOT_EXECUTE;
    }
    /* forwarded even when we were started with one ignored (nohup, a
     * background job): blocked and at SIG_DFL, each stays pending for the loop */
    for (size_t i = 0; i < sizeof FORWARDED / sizeof FORWARDED[0]; i++)
        signal(FORWARDED[i], SIG_DFL);

    int rc = log4c_otel_init();
    if (rc != LOG4C_OTEL_OK) /* the program still runs; the appender exports nothing (fail closed) */
        fprintf(stderr, "log4c-otel-run: %s: its output will not be exported\n", log4c_otel_strerror(rc));
    char *catname = category_of(app);
    if (catname)
        route_to_otel_early(catname);
    if (log4c_init() != 0)
        fprintf(stderr, "log4c-otel-run: log4c_init failed\n");
    if (catname)
        route_to_otel(catname);
    free(catname);

    log4c_otel_capture_options o;
    log4c_otel_capture_options_init(&o);
    o.app_name = app;
    o.flags = tee ? LOG4C_OTEL_CAPTURE_TEE : 0;
    log4c_otel_capture *c;
    rc = log4c_otel_capture_spawn(&c, cmd, &o);
    if (rc != LOG4C_OTEL_OK) {
        int e = errno;
        int code = rc == LOG4C_OTEL_ESPAWN && e == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_EXECUTE;
        fprintf(stderr, "log4c-otel-run: %s: %s\n", cmd[0], rc == LOG4C_OTEL_ESPAWN ? strerror(e) : log4c_otel_strerror(rc));
        log4c_fini();
        return code;
    }

    int st = -1;
    const struct timespec tick = {0, 50 * 1000000L}; /* how soon the child's end is seen */
    for (;;) {
        if (log4c_otel_capture_wait(c, 0, &st) == LOG4C_OTEL_OK)
            break;
        siginfo_t si;
        int sig = sigtimedwait(&fwd, &si, &tick);
        if (sig > 0)
            forward(c, sig, &si);
    }
    log4c_otel_capture_free(c);
    log4c_fini(); /* flushes, within LOG4C_OTEL_SHUTDOWN_TIMEOUT */
    return exit_code(st);
}
