/*
 * runtime.c - the library's process-wide state (runtime.h): the
 * configuration loaded once, the pre-init hold and its replay, the
 * instance registry (one worker per log4c appender of type otel, started
 * by log4c's lazy open), fork handling, shutdown and the counters.
 */
#include "runtime.h"
#include "redact.h"
#include "lane_entry.h"
#include "record_builder.h"
#include "worker.h"
#include "clock.h"
#include "configuration.h"
#include "decision_cache.h"
#include "diag.h"
#include "diag_mask.h"
#include "settings.h"
#include "stage.h"
#include "sources.h"
#include "pipeline.h"
#include "preinit.h"
#include "resource.h"
#include "mask.h"
#include "resource.h"
#include "census.h"
#include "delivery_report.h"
#include "traces_as_logs.h"
#include "traces_config.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct otel_instance {
    char *name;
    _Atomic(otel_worker *) worker; /* NULL: invalid configuration (fail closed), or forked */
    atomic_int restart;            /* set in a forked child: start a fresh worker at first use */
    otel_record_builder builder;   /* its records' pipeline, classifier, body limit, counters */
    struct otel_instance *next;
};

/* The configuration's state: it loads once, on the first thread that
 * needs it; instead of pthread_once (which blocks every other thread for
 * the load: JSON, PCRE2), appends on other threads go to the pre-init
 * buffer meanwhile and return at once. */
enum { CFG_UNLOADED, CFG_LOADING, CFG_LOADED };

/* Every piece of process-wide state; the locks and what each guards are in
 * runtime.h, with the order they are taken in. */
static struct otel_runtime {
    /* ---- the configuration's lifecycle (cfg_lock) ---- */
    pthread_mutex_t cfg_lock;
    pthread_cond_t cfg_done; /* broadcast when cfg_state becomes CFG_LOADED */
    atomic_int cfg_state;    /* CFG_*; read without the lock on the append path */
    /* what the load produced (written by the loading thread before
     * cfg_state is published as CFG_LOADED; read-only after) */
    int config_rc;
    char config_err[1024];
    otel_settings config;     /* validated settings, copied per instance */
    otel_config json_config;  /* the JSON configuration (exporter part, applied per instance) */
    otel_pipeline pipeline;   /* built from it, shared by every instance and the layout */
    int pipeline_ok;
    char traces_category[256]; /* whose rules mask the traces-as-logs lines */

    /* ---- the configuration given to log4c_otel_init_with_config (api_lock) ---- */
    pthread_mutex_t api_lock;
    char *api_path, *api_json;
    int config_loaded; /* the load has started: too late to give one */

    /* ---- the pre-init hold (its own lock, taken under cfg_lock) ---- */
    otel_preinit preinit;
    pthread_once_t preinit_once; /* its bounds and the wait, read from the environment */
    atomic_int init_called;      /* log4c_otel_init*() ran: stop holding */
    long init_wait_ms;           /* LOG4C_OTEL_INIT_WAIT_MS; 0 = no hold */
    uint64_t hold_until_ns;      /* under cfg_lock; 0 = not started */

    /* ---- the instances (registry_lock) ---- */
    pthread_mutex_t registry_lock;
    otel_instance *registry;
    log4c_otel_stats_t retired; /* counters of closed instances */
    atomic_int finalized;       /* log4c_fini() closed an instance */
    pthread_once_t atfork_once; /* fork handlers, installed at first use */

    /* ---- counters of records no worker saw (atomics, no lock) ---- */
    atomic_uint_fast64_t dropped_config, filtered;
    atomic_uint_fast64_t dropped_preinit, dropped_reentrant, preinit_buffered;
    atomic_uint_fast64_t withheld; /* values and lines the masking gate withheld from a sink */
} rt = {
    .cfg_lock = PTHREAD_MUTEX_INITIALIZER,
    .cfg_done = PTHREAD_COND_INITIALIZER,
    .traces_category = OTEL_TRACES_DEFAULT_CATEGORY,
    .api_lock = PTHREAD_MUTEX_INITIALIZER,
    .preinit = {.lock = PTHREAD_MUTEX_INITIALIZER},
    .preinit_once = PTHREAD_ONCE_INIT,
    .registry_lock = PTHREAD_MUTEX_INITIALIZER,
    .atfork_once = PTHREAD_ONCE_INIT,
};

/* The loading thread's own calls must not wait for its load (the one piece
 * of the runtime that is per thread). */
static __thread int loading_here;

static void install_atfork(void);
static void replay(const otel_preinit_entry *e);

static const char *real_getenv(const char *name) { return getenv(name); }

/* ---- traces-as-logs masking: the rules of the category the lines are
 * logged to (its filter's hideRegex, else defaults') mask the span name,
 * attribute keys and values and the status message before the line is
 * formatted, so even a file appender that writes the raw line never holds
 * a secret; with no valid rules every one of them is withheld ---- */
static char *traces_redactor(void *ctx, const char *s, size_t len, size_t *out_len)
{
    (void)ctx;
    otel_mask_entry e = {rt.traces_category, 600 /* INFO */, "", 0};
    otel_mask_buf buf = {NULL, 0};
    const char *masked;
    switch (otel_mask_for_sink(&e, s, len, &buf, &masked, out_len)) {
    case OTEL_MASK_UNTOUCHED:
        return NULL; /* unchanged */
    case OTEL_MASK_MASKED:
        return buf.p; /* ownership passes */
    default:
        free(buf.p);
        *out_len = (size_t)-1; /* never printed unmasked */
        return NULL;
    }
}

/* The resource's service.name (NULL when there is none). */
static const char *settings_service_name(const otel_settings *s)
{
    const char *svc = NULL;
    for (size_t i = 0; i < s->nresource; i++)
        if (strcmp(s->resource[i].key, "service.name") == 0 && s->resource[i].type == OTEL_VALUE_STRING)
            svc = s->resource[i].v.str.s;
    return svc;
}

/* defaults -> env (settings.c) -> JSON file -> C API (config_*.c); then the
 * pipeline. Any error: nothing is exported (fail closed). */
static void load_config(void)
{
    pthread_once(&rt.atfork_once, install_atfork); /* the identifier's lock (resource.h) from its first use */
    pthread_mutex_lock(&rt.api_lock);
    rt.config_loaded = 1;
    otel_config_request req = {1, rt.api_path, rt.api_json};
    pthread_mutex_unlock(&rt.api_lock);

    otel_config_init(&rt.json_config);
    rt.config_rc = otel_config_load_settings(&rt.json_config, &req, real_getenv, &rt.config, "log4c-otel: ",
                                             rt.config_err, sizeof rt.config_err);
    if (rt.config_rc == LOG4C_OTEL_OK) {
        /* the span category before the span module takes the configuration */
        if (rt.json_config.traces && rt.json_config.traces->category)
            snprintf(rt.traces_category, sizeof rt.traces_category, "%s", rt.json_config.traces->category);
        const char *env = real_getenv("LOG4C_OTEL_TRACES_CATEGORY"); /* wins, as in the traces sink */
        if (env && *env)
            snprintf(rt.traces_category, sizeof rt.traces_category, "%s", env);
        /* the service.name the span filters see in every filtering context */
        if (rt.json_config.traces && otel_traces_config_set_service_name(rt.json_config.traces,
                                                                         settings_service_name(&rt.config)) != 0)
            rt.config_rc = LOG4C_OTEL_ENOMEM;
    }
    if (rt.config_rc == LOG4C_OTEL_OK)
        rt.config_rc = otel_config_apply_global(&rt.json_config, real_getenv, rt.config_err, sizeof rt.config_err);
    for (size_t i = 0; rt.config_rc == LOG4C_OTEL_OK && i < rt.json_config.nnotes; i++)
        if (rt.json_config.notes[i].kind == OTEL_CONFIG_NOTE_WARNING)
            otel_diag("log4c-otel: warning: %s", rt.json_config.notes[i].text);
    if (rt.config_rc == LOG4C_OTEL_OK && rt.json_config.logs.log_settings_on_startup > 0) {
        fprintf(stderr, "log4c-otel: effective settings (logSettingsOnStartup):\n");
        otel_config_describe(&rt.json_config, &rt.config, stderr);
    }
    if (rt.config_rc == LOG4C_OTEL_OK) {
        rt.config_rc = otel_pipeline_init(&rt.pipeline, &rt.json_config, &rt.config);
        rt.pipeline_ok = rt.config_rc == LOG4C_OTEL_OK;
    }
    /* traces-as-logs lines: masked like records; with no valid rules
     * (pipeline_ok 0) the redactor withholds every value */
    otel_traces_set_redactor(traces_redactor, NULL);
    if (rt.pipeline_ok) /* diagnostics that quote a collector's answer */
        otel_diag_mask_set_rules(&rt.pipeline.filters);
    /* the cached filter decisions were taken without this pipeline
     * (decision_cache.h) */
    otel_decision_cache_invalidate();
    if (rt.config_rc != LOG4C_OTEL_OK)
        otel_config_free(&rt.json_config);
    if (rt.config_rc != LOG4C_OTEL_OK)
        otel_diag("%s; the otel appender will export nothing (%s)",
                  rt.config_err[0] ? rt.config_err : "log4c-otel: invalid configuration", log4c_otel_strerror(rt.config_rc));
}

int otel_runtime_set_api_config(const char *path, const char *json)
{
    if (!path && !json)
        return LOG4C_OTEL_OK;
    pthread_mutex_lock(&rt.api_lock);
    int rc = LOG4C_OTEL_OK;
    if (rt.config_loaded || rt.api_path || rt.api_json) {
        rc = LOG4C_OTEL_ESTATE;
    } else {
        rt.api_path = path ? strdup(path) : NULL;
        rt.api_json = json ? strdup(json) : NULL;
        if ((path && !rt.api_path) || (json && !rt.api_json)) {
            free(rt.api_path), free(rt.api_json);
            rt.api_path = rt.api_json = NULL;
            rc = LOG4C_OTEL_ENOMEM;
        }
    }
    pthread_mutex_unlock(&rt.api_lock);
    return rc;
}

/* ---- the pre-initialisation buffer's settings, read from the
 * environment on first use (before any configuration exists) ---- */

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
    rt.preinit.max_records = (size_t)env_size("LOG4C_OTEL_PREINIT_MAX_RECORDS", 4096, 0);
    rt.preinit.max_bytes = (size_t)env_size("LOG4C_OTEL_PREINIT_MAX_BYTES", 4u << 20, 1);
    uint64_t w = env_size("LOG4C_OTEL_INIT_WAIT_MS", 0, 0);
    rt.init_wait_ms = w > 3600000 ? 3600000 : (long)w; /* an hour at most: never forever */
}

/* Holding for log4c_otel_init*(): the opt-in wait has not expired. The
 * wait starts at the first record that asks. Caller holds cfg_lock. */
static int holding_for_init(void)
{
    if (rt.init_wait_ms <= 0 || atomic_load(&rt.init_called))
        return 0;
    uint64_t now = otel_now_ns();
    if (rt.hold_until_ns == 0)
        rt.hold_until_ns = now + (uint64_t)rt.init_wait_ms * 1000000ull;
    return now < rt.hold_until_ns;
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
        otel_preinit_entry *e = otel_preinit_take(&rt.preinit);
        if (!e) {
            pthread_mutex_lock(&rt.cfg_lock);
            /* a push may have slipped in between take and lock */
            if (!rt.preinit.head) {
                atomic_store_explicit(&rt.cfg_state, CFG_LOADED, memory_order_release);
                pthread_cond_broadcast(&rt.cfg_done);
                pthread_mutex_unlock(&rt.cfg_lock);
                break;
            }
            pthread_mutex_unlock(&rt.cfg_lock);
            continue;
        }
        while (e) {
            otel_preinit_entry *next = e->next;
            replay(e);
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
    if (atomic_load_explicit(&rt.cfg_state, memory_order_acquire) == CFG_LOADED || loading_here)
        return 1;
    pthread_once(&rt.preinit_once, preinit_settings);
    pthread_mutex_lock(&rt.cfg_lock);
    for (;;) {
        int st = atomic_load(&rt.cfg_state);
        if (st == CFG_LOADED)
            break;
        if (st == CFG_UNLOADED && (wait || !holding_for_init())) {
            atomic_store(&rt.cfg_state, CFG_LOADING);
            pthread_mutex_unlock(&rt.cfg_lock);
            load_and_drain();
            return 1;
        }
        if (!wait) {
            pthread_mutex_unlock(&rt.cfg_lock);
            return 0;
        }
        pthread_cond_wait(&rt.cfg_done, &rt.cfg_lock);
    }
    pthread_mutex_unlock(&rt.cfg_lock);
    return 1;
}

int otel_runtime_configure(void)
{
    config_ready(1);
    return rt.config_rc;
}

int otel_runtime_ready(void) { return config_ready(0); }

void otel_runtime_init_called(void) { atomic_store(&rt.init_called, 1); }

int otel_runtime_hold(const char *appender, const otel_log_event *ev)
{
    pthread_once(&rt.atfork_once, install_atfork); /* the buffer's locks too */
    /* the event as the lanes hold it (the thread's trace ids and context
     * attributes taken now); the loading thread builds the record */
    size_t size = otel_lane_entry_pack(NULL, 0, ev);
    otel_preinit_entry *e = otel_preinit_entry_new(appender, size);
    if (!e) {
        atomic_fetch_add(&rt.dropped_preinit, 1);
        return 0;
    }
    otel_lane_entry_pack(e->data, size, ev);
    pthread_mutex_lock(&rt.cfg_lock);
    int st = atomic_load(&rt.cfg_state);
    int rc = 0;
    if (st == CFG_LOADED) {
        rc = 1; /* loaded meanwhile: the caller appends it directly */
        otel_preinit_entry_free(e);
    } else if (otel_preinit_push(&rt.preinit, e) != 0) {
        atomic_fetch_add(&rt.dropped_preinit, 1);
    } else {
        atomic_fetch_add(&rt.preinit_buffered, 1);
    }
    pthread_mutex_unlock(&rt.cfg_lock);
    return rc;
}

void otel_runtime_count_reentrant(void) { atomic_fetch_add_explicit(&rt.dropped_reentrant, 1, memory_order_relaxed); }

const otel_pipeline *otel_runtime_pipeline(void)
{
    otel_runtime_configure();
    return rt.pipeline_ok ? &rt.pipeline : NULL;
}

const otel_filter_set *otel_runtime_sink_rules(void)
{
    if (atomic_load_explicit(&rt.cfg_state, memory_order_acquire) != CFG_LOADED && !loading_here) {
        pthread_once(&rt.preinit_once, preinit_settings);
        pthread_mutex_lock(&rt.cfg_lock);
        int hold = atomic_load(&rt.cfg_state) == CFG_UNLOADED && holding_for_init();
        pthread_mutex_unlock(&rt.cfg_lock);
        if (hold)
            return NULL; /* the rules init will give are not known yet: withheld */
    }
    const otel_pipeline *p = otel_runtime_pipeline();
    return p ? &p->filters : NULL;
}

void otel_runtime_count_withheld(void) { atomic_fetch_add_explicit(&rt.withheld, 1, memory_order_relaxed); }

long otel_runtime_flush_timeout_ms(void)
{
    otel_runtime_configure();
    if (rt.config_rc == LOG4C_OTEL_OK && rt.json_config.logs.force_flush_timeout_ms >= 0)
        return rt.json_config.logs.force_flush_timeout_ms;
    return otel_runtime_shutdown_timeout_ms();
}

size_t otel_runtime_body_limit(void)
{
    /* never loads the configuration: a sink asks after its masking, which
     * loaded it unless records are held for log4c_otel_init*() (then the
     * sink writes a placeholder, and the default limit does for that) */
    if (atomic_load_explicit(&rt.cfg_state, memory_order_acquire) != CFG_LOADED && !loading_here)
        return 16u << 20;
    return rt.config_rc == LOG4C_OTEL_OK ? rt.config.body_limit : 16u << 20;
}

long otel_runtime_shutdown_timeout_ms(void)
{
    otel_runtime_configure();
    return rt.config_rc == LOG4C_OTEL_OK ? rt.config.shutdown_timeout_ms : 5000;
}

/* Each instance owns its settings: the environment read again, with the
 * loaded typed configuration on top. NULL (said once) on failure. */
static otel_worker *start_worker(otel_instance *inst)
{
    otel_settings s;
    otel_worker *w = NULL;
    int rc = otel_config_worker_settings(&rt.json_config, real_getenv, &s);
    /* the resource the configuration and environment give is masked like
     * records' attributes before anything is sent */
    if (rc == LOG4C_OTEL_OK && otel_resource_mask(&s, rt.pipeline_ok ? &rt.pipeline.filters : NULL) != 0)
        rc = LOG4C_OTEL_ENOMEM;
    if (rc == LOG4C_OTEL_OK) {
        inst->builder.body_limit = s.body_limit;
        if (!inst->builder.sources)
            inst->builder.sources = otel_sources_new(&s.sources);
        w = otel_worker_start(&s, &rc);
        /* logging threads hand raw entries over; in blocking mode (which
         * waits for room in the queue) they build records themselves */
        if (w)
            otel_worker_enable_stage(w, &inst->builder);
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
    pthread_mutex_lock(&rt.cfg_lock);
    pthread_mutex_lock(&rt.preinit.lock);
    pthread_mutex_lock(&rt.registry_lock);
    otel_census_atfork_prepare();
    otel_diag_atfork_prepare();
    otel_resource_atfork_prepare();
}

static void atfork_parent(void)
{
    otel_resource_atfork_release();
    otel_diag_atfork_release();
    otel_census_atfork_parent();
    pthread_mutex_unlock(&rt.registry_lock);
    pthread_mutex_unlock(&rt.preinit.lock);
    pthread_mutex_unlock(&rt.cfg_lock);
}

/* The records' copy of the resource (addResourceAttributesToAttributes)
 * was taken in the parent: the child's records carry the child's pid and
 * its own service.instance.id, as its workers' resource does (a value the
 * user set is kept). Runs in the child, on its only thread. */
static void refresh_identity(const char *parent_id)
{
    otel_attr_list *l = &rt.pipeline.resource;
    const otel_attr *id = otel_attr_list_get(l, "service.instance.id");
    if (id && id->type == OTEL_VALUE_STRING && strcmp(id->v.str.s, parent_id) == 0) {
        char child_id[37];
        otel_resource_instance_id(child_id);
        otel_attr a = {.key = "service.instance.id", .type = OTEL_VALUE_STRING, .v.str = {child_id, 36}};
        otel_attr_list_set(l, &a); /* out of memory: the parent's stays */
    }
    const otel_attr *pid = otel_attr_list_get(l, "process.pid");
    if (pid && pid->type == OTEL_VALUE_INT && pid->v.i == (int64_t)getppid()) {
        otel_attr a = {.key = "process.pid", .type = OTEL_VALUE_INT, .v.i = (int64_t)getpid()};
        otel_attr_list_set(l, &a);
    }
}

static void atfork_child(void)
{
    char parent_id[37];
    otel_resource_atfork_held_id(parent_id);
    otel_resource_atfork_release();
    otel_diag_atfork_release();
    otel_census_atfork_child();
    for (otel_instance *i = rt.registry; i; i = i->next)
        if (atomic_load(&i->worker)) {
            atomic_store(&i->worker, NULL);
            atomic_store(&i->restart, 1);
        }
    pthread_mutex_unlock(&rt.registry_lock);
    pthread_mutex_unlock(&rt.preinit.lock);
    pthread_mutex_unlock(&rt.cfg_lock);
    if (atomic_load(&rt.cfg_state) == CFG_LOADING) {
        /* another thread was loading the configuration: it is gone, and the
         * child would buffer for ever or wait at exit for a load that never
         * ends. Fail closed instead, counting what it had buffered. */
        rt.config_rc = LOG4C_OTEL_ESTATE;
        rt.pipeline_ok = 0;
        /* instances the load's replay opened meanwhile build nothing either */
        for (otel_instance *i = rt.registry; i; i = i->next)
            i->builder.pipeline = NULL;
        for (otel_preinit_entry *e = otel_preinit_take(&rt.preinit), *next; e; e = next) {
            next = e->next;
            atomic_fetch_sub(&rt.preinit_buffered, 1);
            atomic_fetch_add(&rt.dropped_config, 1);
            otel_preinit_entry_free(e);
        }
        atomic_store(&rt.cfg_state, CFG_LOADED);
        otel_diag("log4c-otel: fork() while the configuration was loading: this child exports nothing");
    }
    if (rt.pipeline_ok && parent_id[0])
        refresh_identity(parent_id);
    /* the pipeline may have been given up above: the surviving thread's
     * cached filter decisions are not to be trusted (decision_cache.h) */
    otel_decision_cache_invalidate();
}

static void install_atfork(void) { pthread_atfork(atfork_prepare, atfork_parent, atfork_child); }

/* The instance's worker, started afresh in a forked child. */
static otel_worker *current_worker(otel_instance *inst)
{
    otel_worker *w = atomic_load_explicit(&inst->worker, memory_order_acquire);
    if (w || !atomic_load_explicit(&inst->restart, memory_order_acquire))
        return w;
    pthread_mutex_lock(&rt.registry_lock);
    if (atomic_load(&inst->restart)) {
        atomic_store(&inst->worker, start_worker(inst));
        atomic_store(&inst->restart, 0);
    }
    w = atomic_load(&inst->worker);
    pthread_mutex_unlock(&rt.registry_lock);
    return w;
}

otel_instance *otel_instance_open(const char *name)
{
    pthread_once(&rt.atfork_once, install_atfork);
    otel_runtime_configure();
    pthread_mutex_lock(&rt.registry_lock);
    for (otel_instance *i = rt.registry; i; i = i->next)
        if (strcmp(i->name, name) == 0) {
            pthread_mutex_unlock(&rt.registry_lock);
            return i;
        }
    otel_instance *inst = calloc(1, sizeof *inst);
    if (!inst || !(inst->name = strdup(name))) {
        free(inst);
        pthread_mutex_unlock(&rt.registry_lock);
        return NULL;
    }
    inst->builder.pipeline = rt.pipeline_ok ? &rt.pipeline : NULL;
    inst->builder.filtered = &rt.filtered;
    inst->builder.dropped_config = &rt.dropped_config;
    if (rt.config_rc == LOG4C_OTEL_OK && !rt.pipeline.disabled)
        atomic_store(&inst->worker, start_worker(inst));
    inst->next = rt.registry;
    rt.registry = inst;
    pthread_mutex_unlock(&rt.registry_lock);
    return inst;
}

otel_instance *otel_instance_find(const char *name)
{
    pthread_mutex_lock(&rt.registry_lock);
    otel_instance *i = rt.registry;
    while (i && strcmp(i->name, name) != 0)
        i = i->next;
    pthread_mutex_unlock(&rt.registry_lock);
    return i;
}

void otel_instance_drop(otel_instance *inst, int why)
{
    (void)inst;
    if (why == OTEL_PIPELINE_FILTERED)
        atomic_fetch_add_explicit(&rt.filtered, 1, memory_order_relaxed);
    else if (why == OTEL_PIPELINE_NOCONFIG)
        atomic_fetch_add_explicit(&rt.dropped_config, 1, memory_order_relaxed);
}

/* Submits a record (ownership passes). */
static void submit(otel_instance *inst, otel_record *r)
{
    otel_worker *w = current_worker(inst);
    if (!w) {
        otel_record_free(r);
        atomic_fetch_add_explicit(&rt.dropped_config, 1, memory_order_relaxed);
        return;
    }
    otel_worker_submit(w, r);
}

int otel_instance_append(otel_instance *inst, const otel_log_event *ev)
{
    otel_worker *w = current_worker(inst);
    otel_stage *stage = w ? otel_worker_stage(w) : NULL;
    if (stage) {
        otel_lane_entry_put(stage, ev); /* a refusal is counted (dropped_queue_full) */
        return 0;
    }
    /* blocking mode, closing, or no worker: the same entry, built into a
     * record here (a blocking submit then waits for room in the queue) */
    uint64_t small[512]; /* 4 KiB, 8-byte aligned */
    size_t size = otel_lane_entry_pack(NULL, 0, ev);
    void *entry = size <= sizeof small ? (void *)small : malloc(size);
    if (!entry)
        return -1;
    otel_lane_entry_pack(entry, size, ev);
    int why = 0;
    otel_record *r = otel_lane_entry_record(&inst->builder, entry, size, otel_realtime_ns(), &why);
    if (entry != (void *)small)
        free(entry);
    if (!r)
        return why == OTEL_PIPELINE_NOMEM ? -1 : 0;
    submit(inst, r);
    return 0;
}

/* A record kept in the pre-init buffer, now that the configuration is
 * loaded: built from its lane entry under the instance's builder, as the
 * worker builds a staged one. Observed when it was logged (now 0: the
 * entry's own time), not when the buffer drains. */
static void replay(const otel_preinit_entry *e)
{
    otel_instance *inst = otel_instance_open(e->tag);
    otel_worker *w = inst ? current_worker(inst) : NULL;
    /* out of the buffer and into a worker (or the filtered or dropped
     * counts) as one move in any snapshot of the counters (census.h) */
    otel_census_move_begin();
    atomic_fetch_sub(&rt.preinit_buffered, 1);
    otel_record *r = inst ? otel_lane_entry_record(&inst->builder, e->data, e->data_size, 0, NULL) : NULL;
    if (!inst) {
        otel_instance_drop(NULL, OTEL_PIPELINE_NOCONFIG);
    } else if (r && w) {
        otel_worker_submit(w, r);
    } else if (r) {
        otel_record_free(r);
        atomic_fetch_add_explicit(&rt.dropped_config, 1, memory_order_relaxed);
    }
    otel_census_move_end();
}

static uint64_t default_deadline(void)
{
    return otel_now_ns() + (uint64_t)otel_runtime_shutdown_timeout_ms() * 1000000ull;
}

void otel_instance_close(otel_instance *inst)
{
    atomic_store(&rt.finalized, 1);
    /* Shut down while still registered, so that log4c_otel_stats() keeps
     * counting this instance; a concurrent otel_runtime_shutdown() is
     * serialised inside otel_worker_shutdown(). */
    otel_worker *w = atomic_load(&inst->worker);
    if (w)
        otel_worker_shutdown(w, default_deadline());
    pthread_mutex_lock(&rt.registry_lock);
    for (otel_instance **p = &rt.registry; *p; p = &(*p)->next)
        if (*p == inst) {
            *p = inst->next;
            break;
        }
    if (w)
        otel_worker_add_stats(w, &rt.retired); /* unlink and retire atomically */
    pthread_mutex_unlock(&rt.registry_lock);
    otel_worker_free(w);
    otel_sources_free(inst->builder.sources);
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
    pthread_mutex_lock(&rt.registry_lock);
    for (otel_instance *i = rt.registry; i; i = i->next)
        if (atomic_load(&i->worker)) {
            int r = op(atomic_load(&i->worker), deadline_ns);
            if (r != LOG4C_OTEL_OK)
                rc = r;
        }
    pthread_mutex_unlock(&rt.registry_lock);
    return rc;
}

int otel_runtime_flush(uint64_t deadline_ns) { return for_each(otel_worker_flush, deadline_ns); }
int otel_runtime_shutdown(uint64_t deadline_ns) { return for_each(otel_worker_shutdown, deadline_ns); }

void otel_runtime_stats(log4c_otel_stats_t *out)
{
    /* every counter read while no record moves between two of them
     * (census.h): each record is in exactly one place */
    pthread_mutex_lock(&rt.registry_lock);
    otel_census_read_begin();
    *out = rt.retired;
    for (otel_instance *i = rt.registry; i; i = i->next)
        if (atomic_load(&i->worker))
            otel_worker_add_stats(atomic_load(&i->worker), out);
    uint64_t bad_config = atomic_load(&rt.dropped_config), over_bound = atomic_load(&rt.dropped_preinit),
             reentrant = atomic_load(&rt.dropped_reentrant), buffered = atomic_load(&rt.preinit_buffered);
    out->filtered += atomic_load(&rt.filtered);
    otel_census_read_end();
    pthread_mutex_unlock(&rt.registry_lock);
    out->dropped_config += bad_config;
    out->dropped_preinit += over_bound;
    out->dropped_reentrant += reentrant;
    out->queued += buffered; /* waiting in the pre-init buffer */
    /* records the appender took in but no worker saw are accepted too, so
     * accepted == exported + every dropped_* + queued + in_flight + spooled */
    out->accepted += bad_config + over_bound + reentrant + buffered;
    out->withheld += atomic_load(&rt.withheld); /* not in the sums: values and lines, not records */
    out->masked_whole += otel_regex_masked_whole();
}

int otel_runtime_finalized(void) { return atomic_load(&rt.finalized); }

void otel_runtime_report_exit(void)
{
    if (atomic_load(&rt.cfg_state) != CFG_LOADED)
        return; /* nothing was ever configured (or it is loading on another thread) */
    log4c_otel_stats_t s;
    otel_runtime_stats(&s);
    otel_report_exit(&s, rt.config_rc == LOG4C_OTEL_OK ? rt.config.spool_dir : NULL);
}
