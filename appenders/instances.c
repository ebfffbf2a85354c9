/*
 * instances.c - registry of otel appender instances. Settings are read from
 * the environment once, at log4c_otel_init(); each instance (log4c appender
 * of type otel) gets its own worker started lazily by log4c's open.
 */
#include "instances.h"
#include "clock.h"
#include "configuration.h"
#include "diag.h"
#include "sources.h"
#include "pipeline.h"
#include "redact.h"
#include "traces_as_logs.h"
#include "traces_config.h"
#include "utf8.h"

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

static pthread_once_t config_once = PTHREAD_ONCE_INIT;
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

    config_rc = otel_settings_load(&config, real_getenv, config_err, sizeof config_err);
    otel_config_init(&json_config);
    if (config_rc == LOG4C_OTEL_OK) {
        otel_config_error e;
        memset(&e, 0, sizeof e);
        config_rc = otel_config_load(&json_config, &req, real_getenv, &e);
        if (config_rc == LOG4C_OTEL_ECONFIG) {
            char where[900];
            snprintf(config_err, sizeof config_err, "log4c-otel: %s", otel_config_error_format(&e, where, sizeof where));
        }
    }
    if (config_rc == LOG4C_OTEL_OK)
        config_rc = otel_config_apply(&json_config, &config);
    if (config_rc == LOG4C_OTEL_OK) /* a url from the JSON drops the default file */
        config_rc = otel_settings_resolve_exporters(&config, real_getenv);
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

int otel_instances_configure(void)
{
    pthread_once(&config_once, load_config);
    return config_rc;
}

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
    char err[512];
    otel_worker *w = NULL;
    int rc = otel_settings_load(&s, real_getenv, err, sizeof err);
    if (rc == LOG4C_OTEL_OK)
        rc = otel_config_apply(&json_config, &s);
    if (rc == LOG4C_OTEL_OK)
        rc = otel_settings_resolve_exporters(&s, real_getenv);
    if (rc == LOG4C_OTEL_OK) {
        inst->body_limit = s.body_limit;
        if (!inst->sources)
            inst->sources = otel_sources_new(&s.sources);
        w = otel_worker_start(&s, &rc);
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
    pthread_mutex_lock(&registry_lock);
    otel_diag_atfork_prepare();
}

static void atfork_parent(void)
{
    otel_diag_atfork_release();
    pthread_mutex_unlock(&registry_lock);
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
}

static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;
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
    out->dropped_config += atomic_load(&dropped_config);
    out->filtered += atomic_load(&filtered);
}

int otel_instances_finalized(void) { return atomic_load(&finalized); }
