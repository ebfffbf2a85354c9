/*
 * instances.c - registry of otel appender instances. Settings are read from
 * the environment once, at log4c_otel_init(); each instance (log4c appender
 * of type otel) gets its own worker started lazily by log4c's open.
 */
#include "instances.h"
#include "clock.h"
#include "diag.h"
#include "sources.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

struct otel_instance {
    char *name;
    otel_worker *worker; /* NULL: invalid configuration, fail closed */
    size_t body_limit;
    otel_sources *sources; /* issue 5: category -> log source, cached */
    struct otel_instance *next;
};

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static otel_instance *registry;
static log4c_otel_stats_t retired; /* counters of closed instances */
static atomic_uint_fast64_t dropped_config;
static atomic_int finalized;

static pthread_once_t config_once = PTHREAD_ONCE_INIT;
static int config_rc;
static char config_err[512];
static otel_settings config; /* validated settings, copied per instance */

static const char *real_getenv(const char *name) { return getenv(name); }

static void load_config(void)
{
    config_rc = otel_settings_load(&config, real_getenv, config_err, sizeof config_err);
    if (config_rc != LOG4C_OTEL_OK)
        otel_diag("%s; the otel appender will export nothing (%s)",
                  config_err[0] ? config_err : "log4c-otel: invalid configuration", log4c_otel_strerror(config_rc));
}

int otel_instances_configure(void)
{
    pthread_once(&config_once, load_config);
    return config_rc;
}

long otel_instances_shutdown_timeout_ms(void)
{
    otel_instances_configure();
    return config_rc == LOG4C_OTEL_OK ? config.shutdown_timeout_ms : 5000;
}

otel_instance *otel_instance_open(const char *name)
{
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
    if (config_rc == LOG4C_OTEL_OK) {
        /* each instance owns its settings: load them again from the same env */
        otel_settings s;
        char err[512];
        int rc = otel_settings_load(&s, real_getenv, err, sizeof err);
        if (rc == LOG4C_OTEL_OK) {
            inst->body_limit = s.body_limit;
            inst->sources = otel_sources_new(&s.sources);
            inst->worker = otel_worker_start(&s, &rc);
        }
        otel_settings_free(&s);
        if (!inst->worker)
            otel_diag("log4c-otel: appender \"%s\" cannot start: %s; it will export nothing", name,
                      log4c_otel_strerror(rc));
    }
    inst->next = registry;
    registry = inst;
    pthread_mutex_unlock(&registry_lock);
    return inst;
}

void otel_instance_submit(otel_instance *inst, otel_record *r)
{
    if (!inst->worker) {
        otel_record_free(r);
        atomic_fetch_add_explicit(&dropped_config, 1, memory_order_relaxed);
        return;
    }
    otel_worker_submit(inst->worker, r);
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
    if (inst->worker)
        otel_worker_shutdown(inst->worker, default_deadline());
    pthread_mutex_lock(&registry_lock);
    for (otel_instance **p = &registry; *p; p = &(*p)->next)
        if (*p == inst) {
            *p = inst->next;
            break;
        }
    if (inst->worker)
        otel_worker_add_stats(inst->worker, &retired); /* unlink and retire atomically */
    pthread_mutex_unlock(&registry_lock);
    otel_worker_free(inst->worker);
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
        if (i->worker) {
            int r = op(i->worker, deadline_ns);
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
        if (i->worker)
            otel_worker_add_stats(i->worker, out);
    pthread_mutex_unlock(&registry_lock);
    out->dropped_config += atomic_load(&dropped_config);
}

int otel_instances_finalized(void) { return atomic_load(&finalized); }
