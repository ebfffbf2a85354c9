/*
 * instances.c - registry of otel appender instances. Settings are read from
 * the environment once, at log4c_otel_init(); each instance (log4c appender
 * of type otel) gets its own worker started lazily by log4c's open.
 */
#include "instances.h"
#include "append_stage.h"
#include "clock.h"
#include "configuration.h"
#include "diag.h"
#include "early_drop.h"
#include "settings.h"
#include "sources.h"
#include "pipeline.h"
#include "preinit.h"
#include "redact.h"
#include "traces_as_logs.h"
#include "traces_config.h"
#include "utf8.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct otel_instance {
    char *name;
    _Atomic(otel_worker *) worker; /* NULL: invalid configuration (fail closed), or forked */
    atomic_int restart;            /* set in a forked child: start a fresh worker at first use */
    size_t body_limit;
    otel_sources *sources; /* issue 5: category -> log source, cached */
    struct otel_instance *next;
};

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static otel_instance *registry;
static log4c_otel_stats_t retired; /* counters of closed instances */
static atomic_uint_fast64_t dropped_config;
static atomic_uint_fast64_t filtered;
static atomic_int finalized;

/* issue 6: the configuration loads once, on the first thread that needs
 * it; instead of pthread_once (which blocks every other thread for the
 * load: JSON, PCRE2), appends on other threads go to the pre-init buffer
 * meanwhile and return at once. */
enum { CFG_UNLOADED, CFG_LOADING, CFG_LOADED };
static atomic_int cfg_state;
static pthread_mutex_t cfg_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT; /* fork handlers, installed at first use */
static void install_atfork(void);
static pthread_cond_t cfg_done = PTHREAD_COND_INITIALIZER;
static __thread int loading_here; /* the loader's own calls must not wait for itself */
static otel_preinit preinit = {.lock = PTHREAD_MUTEX_INITIALIZER};
static atomic_int init_called;        /* log4c_otel_init*() ran: stop holding */
static long init_wait_ms;             /* LOG4C_OTEL_INIT_WAIT_MS; 0 = no hold */
static uint64_t hold_until_ns;        /* under cfg_lock; 0 = not started */
static atomic_uint_fast64_t dropped_preinit, dropped_reentrant, preinit_buffered;
static int config_rc;
static char config_err[1024];
static otel_settings config; /* validated settings, copied per instance */
/* issue 3: the JSON configuration (exporter part, applied per instance) and
 * the pipeline built from it (shared by every instance and the layout) */
static otel_config json_config;
static otel_pipeline pipeline;
static int pipeline_ok;
static pthread_mutex_t api_lock = PTHREAD_MUTEX_INITIALIZER;
static char *api_path, *api_json; /* log4c_otel_init_with_config */
static int config_loaded;

static const char *real_getenv(const char *name) { return getenv(name); }

/* ---- traces-as-logs redaction: the hideRegex that applies to the traces
 * category (its filter's, else defaults') masks span attribute values,
 * so even a file appender that writes the raw line never holds a secret ---- */
static char traces_category[256] = OTEL_TRACES_DEFAULT_CATEGORY;

static char *traces_redactor(void *ctx, const char *s, size_t len, size_t *out_len)
{
    const otel_regex *hide = otel_pipeline_hide_regex(ctx, traces_category, 600 /* INFO */, "", 0);
    *out_len = len;
    if (!hide)
        return NULL;
    size_t clean = otel_utf8_sanitized_len(s, len, 0);
    char *m = malloc(clean + 1);
    if (!m) {
        *out_len = (size_t)-1; /* never printed unmasked */
        return NULL;
    }
    otel_utf8_sanitize(m, s, len, 0);
    *out_len = otel_regex_mask(hide, m, clean);
    m[*out_len] = '\0';
    return m;
}

/* defaults -> env (settings.c) -> JSON file -> C API (configuration.c); then the
 * pipeline. Any error: nothing is exported (fail closed). */
static void load_config(void)
{
    pthread_mutex_lock(&api_lock);
    config_loaded = 1;
    otel_config_request req = {1, api_path, api_json};
    pthread_mutex_unlock(&api_lock);

    otel_config_init(&json_config);
    config_rc = otel_config_load_settings(&json_config, &req, real_getenv, &config, "log4c-otel: ", config_err,
                                          sizeof config_err);
    if (config_rc == LOG4C_OTEL_OK) {
        /* the span category before the span module takes the configuration */
        if (json_config.traces && json_config.traces->category)
            snprintf(traces_category, sizeof traces_category, "%s", json_config.traces->category);
        config_rc = otel_config_apply_global(&json_config, real_getenv, config_err, sizeof config_err);
    }
    for (size_t i = 0; config_rc == LOG4C_OTEL_OK && i < json_config.nnotes; i++)
        if (json_config.notes[i].kind == OTEL_CONFIG_NOTE_WARNING)
            otel_diag("log4c-otel: warning: %s", json_config.notes[i].text);
    if (config_rc == LOG4C_OTEL_OK && json_config.logs.log_settings_on_startup > 0) {
        fprintf(stderr, "log4c-otel: effective settings (logSettingsOnStartup):\n");
        otel_config_describe(&json_config, &config, stderr);
    }
    if (config_rc == LOG4C_OTEL_OK) {
        config_rc = otel_pipeline_init(&pipeline, &json_config, &config);
        pipeline_ok = config_rc == LOG4C_OTEL_OK;
    }
    if (pipeline_ok) /* traces-as-logs lines: span attributes masked like records */
        otel_traces_set_redactor(traces_redactor, &pipeline);
    /* the logging threads' cached filter decisions were taken without
     * this pipeline (early_drop.h) */
    otel_early_drop_invalidate();
    if (config_rc != LOG4C_OTEL_OK)
        otel_config_free(&json_config);
    if (config_rc != LOG4C_OTEL_OK)
        otel_diag("%s; the otel appender will export nothing (%s)",
                  config_err[0] ? config_err : "log4c-otel: invalid configuration", log4c_otel_strerror(config_rc));
}

int otel_instances_set_api_config(const char *path, const char *json)
{
    if (!path && !json)
        return LOG4C_OTEL_OK;
    pthread_mutex_lock(&api_lock);
    int rc = LOG4C_OTEL_OK;
    if (config_loaded || api_path || api_json) {
        rc = LOG4C_OTEL_ESTATE;
    } else {
        api_path = path ? strdup(path) : NULL;
        api_json = json ? strdup(json) : NULL;
        if ((path && !api_path) || (json && !api_json)) {
            free(api_path), free(api_json);
            api_path = api_json = NULL;
            rc = LOG4C_OTEL_ENOMEM;
        }
    }
    pthread_mutex_unlock(&api_lock);
    return rc;
}

/* ---- issue 6: the pre-initialisation buffer's settings, read from the
 * environment on first use (before any configuration exists) ---- */
static pthread_once_t preinit_once = PTHREAD_ONCE_INIT;

static int parse_uint(const char *v, uint64_t *out)
{
    char *end = NULL;
    if (*v < '0' || *v > '9')
        return -1;
    errno = 0;
    unsigned long long x = strtoull(v, &end, 10);
    if (errno || !end || *end)
        return -1;
    *out = x;
    return 0;
}

static uint64_t env_size(const char *name, uint64_t dflt, int allow_suffix)
{
    const char *v = real_getenv(name);
    uint64_t out;
    if (!v || !*v)
        return dflt;
    if (allow_suffix ? otel_parse_size(v, &out) == 0 : parse_uint(v, &out) == 0)
        return out;
    otel_diag("log4c-otel: %s=\"%.64s\" is not a %s; using %llu", name, v,
              allow_suffix ? "size (bytes, or with K/M/G)" : "non-negative integer", (unsigned long long)dflt);
    return dflt;
}

static void preinit_settings(void)
{
    preinit.max_records = (size_t)env_size("LOG4C_OTEL_PREINIT_MAX_RECORDS", 4096, 0);
    preinit.max_bytes = (size_t)env_size("LOG4C_OTEL_PREINIT_MAX_BYTES", 4u << 20, 1);
    uint64_t w = env_size("LOG4C_OTEL_INIT_WAIT_MS", 0, 0);
    init_wait_ms = w > 3600000 ? 3600000 : (long)w; /* an hour at most: never forever */
}

/* Holding for log4c_otel_init*(): the opt-in wait has not expired. The
 * wait starts at the first record that asks. Caller holds cfg_lock. */
static int holding_for_init(void)
{
    if (init_wait_ms <= 0 || atomic_load(&init_called))
        return 0;
    uint64_t now = otel_now_ns();
    if (hold_until_ns == 0)
        hold_until_ns = now + (uint64_t)init_wait_ms * 1000000ull;
    return now < hold_until_ns;
}

/* Loads the configuration on this thread, replays the buffered records
 * through the pipeline in order, and only then publishes LOADED (under
 * cfg_lock, which pushes into the buffer also take: nothing newer can
 * overtake a buffered record). */
static void load_and_drain(void)
{
    loading_here = 1;
    load_config();
    for (;;) {
        otel_preinit_entry *e = otel_preinit_take(&preinit);
        if (!e) {
            pthread_mutex_lock(&cfg_lock);
            /* a push may have slipped in between take and lock */
            if (!preinit.head) {
                atomic_store_explicit(&cfg_state, CFG_LOADED, memory_order_release);
                pthread_cond_broadcast(&cfg_done);
                pthread_mutex_unlock(&cfg_lock);
                break;
            }
            pthread_mutex_unlock(&cfg_lock);
            continue;
        }
        while (e) {
            otel_preinit_entry *next = e->next;
            atomic_fetch_sub(&preinit_buffered, 1);
            otel_append_replay(e);
            otel_preinit_entry_free(e);
            e = next;
        }
    }
    loading_here = 0;
}

/* 1 when the configuration is loaded (loading it here if nobody is). With
 * wait = 0, returns 0 instead of waiting for another thread's load or for
 * log4c_otel_init*() (LOG4C_OTEL_INIT_WAIT_MS): the caller buffers. */
static int config_ready(int wait)
{
    /* the shared state first: a thread-local costs a call in a shared library */
    if (atomic_load_explicit(&cfg_state, memory_order_acquire) == CFG_LOADED || loading_here)
        return 1;
    pthread_once(&preinit_once, preinit_settings);
    pthread_mutex_lock(&cfg_lock);
    for (;;) {
        int st = atomic_load(&cfg_state);
        if (st == CFG_LOADED)
            break;
        if (st == CFG_UNLOADED && (wait || !holding_for_init())) {
            atomic_store(&cfg_state, CFG_LOADING);
            pthread_mutex_unlock(&cfg_lock);
            load_and_drain();
            return 1;
        }
        if (!wait) {
            pthread_mutex_unlock(&cfg_lock);
            return 0;
        }
        pthread_cond_wait(&cfg_done, &cfg_lock);
    }
    pthread_mutex_unlock(&cfg_lock);
    return 1;
}

int otel_instances_configure(void)
{
    config_ready(1);
    return config_rc;
}

int otel_instances_ready(void) { return config_ready(0); }

void otel_instances_init_called(void) { atomic_store(&init_called, 1); }

int otel_instances_buffer(const char *appender, const otel_pipeline_input *in, const otel_loc_data *ld)
{
    pthread_once(&atfork_once, install_atfork); /* the buffer's locks too */
    otel_preinit_entry *e = otel_preinit_entry_new(appender, in, ld);
    if (!e) {
        atomic_fetch_add(&dropped_preinit, 1);
        return 0;
    }
    pthread_mutex_lock(&cfg_lock);
    int st = atomic_load(&cfg_state);
    int rc = 0;
    if (st == CFG_LOADED) {
        rc = 1; /* loaded meanwhile: the caller appends it directly */
        otel_preinit_entry_free(e);
    } else if (otel_preinit_push(&preinit, e) != 0) {
        atomic_fetch_add(&dropped_preinit, 1);
    } else {
        atomic_fetch_add(&preinit_buffered, 1);
    }
    pthread_mutex_unlock(&cfg_lock);
    return rc;
}

void otel_instances_count_reentrant(void) { atomic_fetch_add_explicit(&dropped_reentrant, 1, memory_order_relaxed); }

const otel_pipeline *otel_instances_pipeline(void)
{
    otel_instances_configure();
    return pipeline_ok ? &pipeline : NULL;
}

long otel_instances_flush_timeout_ms(void)
{
    otel_instances_configure();
    if (config_rc == LOG4C_OTEL_OK && json_config.logs.force_flush_timeout_ms >= 0)
        return json_config.logs.force_flush_timeout_ms;
    return otel_instances_shutdown_timeout_ms();
}

long otel_instances_shutdown_timeout_ms(void)
{
    otel_instances_configure();
    return config_rc == LOG4C_OTEL_OK ? config.shutdown_timeout_ms : 5000;
}

/* Each instance owns its settings: loaded again from the same environment,
 * with the same JSON configuration on top. NULL (said once) on failure. */
static otel_worker *start_worker(otel_instance *inst)
{
    otel_settings s;
    otel_worker *w = NULL;
    int rc = otel_config_worker_settings(&json_config, real_getenv, &s);
    if (rc == LOG4C_OTEL_OK) {
        inst->body_limit = s.body_limit;
        if (!inst->sources)
            inst->sources = otel_sources_new(&s.sources);
        w = otel_worker_start(&s, &rc);
        /* issue 6: logging threads hand raw entries over; in blocking mode
         * (which waits for room in the queue) they build records themselves */
        if (w)
            otel_worker_enable_stage(w, otel_append_convert, inst);
    }
    otel_settings_free(&s);
    if (!w)
        otel_diag("log4c-otel: appender \"%s\" cannot start: %s; it will export nothing", inst->name,
                  log4c_otel_strerror(rc));
    return w;
}

/* ---- fork(): only the forking thread survives in the child, so the
 * workers' threads are gone and their connections are the parent's. The
 * child leaves the old workers alone (their queued records are the
 * parent's to export; closing a shared TLS connection would break the
 * parent's; their memory is deliberately not freed) and starts a fresh
 * worker at its first record, so a child that only execs costs nothing.
 * The locks the child needs are taken around fork so none is left held. */
static void atfork_prepare(void)
{
    /* the order every path takes them in: configuration state, the pre-init
     * buffer, the registry, diagnostics */
    pthread_mutex_lock(&cfg_lock);
    pthread_mutex_lock(&preinit.lock);
    pthread_mutex_lock(&registry_lock);
    otel_diag_atfork_prepare();
}

static void atfork_parent(void)
{
    otel_diag_atfork_release();
    pthread_mutex_unlock(&registry_lock);
    pthread_mutex_unlock(&preinit.lock);
    pthread_mutex_unlock(&cfg_lock);
}

static void atfork_child(void)
{
    otel_diag_atfork_release();
    for (otel_instance *i = registry; i; i = i->next)
        if (atomic_load(&i->worker)) {
            atomic_store(&i->worker, NULL);
            atomic_store(&i->restart, 1);
        }
    pthread_mutex_unlock(&registry_lock);
    pthread_mutex_unlock(&preinit.lock);
    pthread_mutex_unlock(&cfg_lock);
    if (atomic_load(&cfg_state) == CFG_LOADING) {
        /* another thread was loading the configuration: it is gone, and the
         * child would buffer for ever or wait at exit for a load that never
         * ends. Fail closed instead, counting what it had buffered. */
        config_rc = LOG4C_OTEL_ESTATE;
        pipeline_ok = 0;
        for (otel_preinit_entry *e = otel_preinit_take(&preinit), *next; e; e = next) {
            next = e->next;
            atomic_fetch_sub(&preinit_buffered, 1);
            atomic_fetch_add(&dropped_config, 1);
            otel_preinit_entry_free(e);
        }
        atomic_store(&cfg_state, CFG_LOADED);
        otel_diag("log4c-otel: fork() while the configuration was loading: this child exports nothing");
    }
    /* the pipeline may have been given up above: the surviving thread's
     * cached filter decisions are not to be trusted (early_drop.h) */
    otel_early_drop_invalidate();
}

static void install_atfork(void) { pthread_atfork(atfork_prepare, atfork_parent, atfork_child); }

/* The instance's worker, started afresh in a forked child. */
static otel_worker *current_worker(otel_instance *inst)
{
    otel_worker *w = atomic_load_explicit(&inst->worker, memory_order_acquire);
    if (w || !atomic_load_explicit(&inst->restart, memory_order_acquire))
        return w;
    pthread_mutex_lock(&registry_lock);
    if (atomic_load(&inst->restart)) {
        atomic_store(&inst->worker, start_worker(inst));
        atomic_store(&inst->restart, 0);
    }
    w = atomic_load(&inst->worker);
    pthread_mutex_unlock(&registry_lock);
    return w;
}

otel_instance *otel_instance_open(const char *name)
{
    pthread_once(&atfork_once, install_atfork);
    otel_instances_configure();
    pthread_mutex_lock(&registry_lock);
    for (otel_instance *i = registry; i; i = i->next)
        if (strcmp(i->name, name) == 0) {
            pthread_mutex_unlock(&registry_lock);
            return i;
        }
    otel_instance *inst = calloc(1, sizeof *inst);
    if (!inst || !(inst->name = strdup(name))) {
        free(inst);
        pthread_mutex_unlock(&registry_lock);
        return NULL;
    }
    if (config_rc == LOG4C_OTEL_OK && !pipeline.disabled)
        atomic_store(&inst->worker, start_worker(inst));
    inst->next = registry;
    registry = inst;
    pthread_mutex_unlock(&registry_lock);
    return inst;
}

otel_instance *otel_instance_find(const char *name)
{
    pthread_mutex_lock(&registry_lock);
    otel_instance *i = registry;
    while (i && strcmp(i->name, name) != 0)
        i = i->next;
    pthread_mutex_unlock(&registry_lock);
    return i;
}

void otel_instance_drop(otel_instance *inst, int why)
{
    (void)inst;
    if (why == OTEL_PIPELINE_FILTERED)
        atomic_fetch_add_explicit(&filtered, 1, memory_order_relaxed);
    else if (why == OTEL_PIPELINE_NOCONFIG)
        atomic_fetch_add_explicit(&dropped_config, 1, memory_order_relaxed);
}

void otel_instance_submit(otel_instance *inst, otel_record *r)
{
    otel_worker *w = current_worker(inst);
    if (!w) {
        otel_record_free(r);
        atomic_fetch_add_explicit(&dropped_config, 1, memory_order_relaxed);
        return;
    }
    otel_worker_submit(w, r);
}

otel_stage *otel_instance_stage(otel_instance *inst)
{
    otel_worker *w = current_worker(inst);
    return w ? otel_worker_stage(w) : NULL;
}

size_t otel_instance_body_limit(const otel_instance *inst) { return inst->body_limit; }

otel_sources *otel_instance_sources(const otel_instance *inst) { return inst->sources; }

static uint64_t default_deadline(void)
{
    return otel_now_ns() + (uint64_t)otel_instances_shutdown_timeout_ms() * 1000000ull;
}

void otel_instance_close(otel_instance *inst)
{
    atomic_store(&finalized, 1);
    /* Shut down while still registered, so that log4c_otel_stats() keeps
     * counting this instance; a concurrent otel_instances_shutdown() is
     * serialised inside otel_worker_shutdown(). */
    otel_worker *w = atomic_load(&inst->worker);
    if (w)
        otel_worker_shutdown(w, default_deadline());
    pthread_mutex_lock(&registry_lock);
    for (otel_instance **p = &registry; *p; p = &(*p)->next)
        if (*p == inst) {
            *p = inst->next;
            break;
        }
    if (w)
        otel_worker_add_stats(w, &retired); /* unlink and retire atomically */
    pthread_mutex_unlock(&registry_lock);
    otel_worker_free(w);
    otel_sources_free(inst->sources);
    free(inst->name);
    free(inst);
}

/* Runs op on every live instance's worker with one shared deadline. The
 * registry lock is held throughout so close cannot free a worker under us. */
static int for_each(int (*op)(otel_worker *, uint64_t), uint64_t deadline_ns)
{
    if (deadline_ns == 0)
        deadline_ns = default_deadline();
    int rc = LOG4C_OTEL_OK;
    pthread_mutex_lock(&registry_lock);
    for (otel_instance *i = registry; i; i = i->next)
        if (atomic_load(&i->worker)) {
            int r = op(atomic_load(&i->worker), deadline_ns);
            if (r != LOG4C_OTEL_OK)
                rc = r;
        }
    pthread_mutex_unlock(&registry_lock);
    return rc;
}

int otel_instances_flush(uint64_t deadline_ns) { return for_each(otel_worker_flush, deadline_ns); }
int otel_instances_shutdown(uint64_t deadline_ns) { return for_each(otel_worker_shutdown, deadline_ns); }

void otel_instances_stats(log4c_otel_stats_t *out)
{
    pthread_mutex_lock(&registry_lock);
    *out = retired;
    for (otel_instance *i = registry; i; i = i->next)
        if (atomic_load(&i->worker))
            otel_worker_add_stats(atomic_load(&i->worker), out);
    pthread_mutex_unlock(&registry_lock);
    uint64_t bad_config = atomic_load(&dropped_config), over_bound = atomic_load(&dropped_preinit),
             reentrant = atomic_load(&dropped_reentrant), buffered = atomic_load(&preinit_buffered);
    out->dropped_config += bad_config;
    out->dropped_preinit += over_bound;
    out->dropped_reentrant += reentrant;
    out->queued += buffered; /* waiting in the pre-init buffer */
    /* records the appender took in but no worker saw are accepted too, so
     * accepted == exported + every dropped_* + queued + in_flight + spooled
     * (a record moving out of the pre-init buffer while this runs may be
     * seen twice or not at all in this one snapshot) */
    out->accepted += bad_config + over_bound + reentrant + buffered;
    out->filtered += atomic_load(&filtered);
}

int otel_instances_finalized(void) { return atomic_load(&finalized); }
