/*
 * app_api.c - log4c_otel_app_log(): entries logged on behalf of an
 * application, through log4c in the category app.<name>, with the app's name,
 * instance and attributes riding on loc_data to the otel appender. Also the
 * shared helpers of glue_log.h (the capture glue uses them too).
 */
#include "log4c-otel.h"
#include "glue_log.h"
#include "glue.h"
#include "runtime.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CALL_ATTRS 48

/* ---- categories the library creates, remembered by name ---- */

typedef struct known_category {
    char *name;
    log4c_category_t *cat;
    struct known_category *next;
} known_category;

#define BUCKETS 64u
static known_category *buckets[BUCKETS];
static pthread_rwlock_t categories_lock = PTHREAD_RWLOCK_INITIALIZER;

static unsigned bucket_of(const char *s)
{
    unsigned h = 5381;
    while (*s)
        h = h * 33 + (unsigned char)*s++;
    return h & (BUCKETS - 1);
}

static log4c_category_t *lookup(const char *name, unsigned b)
{
    for (known_category *k = buckets[b]; k; k = k->next)
        if (strcmp(k->name, name) == 0)
            return k->cat;
    return NULL;
}

log4c_category_t *otel_glue_category(const char *name)
{
    unsigned b = bucket_of(name);
    pthread_rwlock_rdlock(&categories_lock);
    log4c_category_t *cat = lookup(name, b);
    pthread_rwlock_unlock(&categories_lock);
    if (cat)
        return cat;
    pthread_rwlock_wrlock(&categories_lock);
    cat = lookup(name, b);
    if (!cat) {
        known_category *k = malloc(sizeof *k);
        if (k && (k->name = strdup(name)) != NULL && (cat = log4c_category_get(name)) != NULL) {
            k->cat = cat;
            k->next = buckets[b];
            buckets[b] = k;
        } else {
            if (k)
                free(k->name);
            free(k);
            cat = NULL;
        }
    }
    pthread_rwlock_unlock(&categories_lock);
    return cat;
}

char *otel_glue_category_name(const char *prefix, const char *name)
{
    size_t p = strlen(prefix), n = strlen(name);
    char *s = malloc(p + 1 + n + 1);
    if (!s)
        return NULL;
    memcpy(s, prefix, p);
    s[p] = '.';
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        s[p + 1 + i] = c == '.' || c < 0x20 || c == 0x7f ? '_' : (char)c;
    }
    s[p + 1 + n] = '\0';
    return s;
}

void otel_glue_log(log4c_category_t *cat, int priority, const otel_loc_data *ld, const char *message)
{
    if (otel_runtime_finalized())
        return; /* log4c_fini() freed the categories */
    if (!log4c_category_is_priority_enabled(cat, priority))
        return;
    /* no code location: these entries do not come from a line of C */
    log4c_location_info_t loc = {"", 0, "", (void *)ld};
    const otel_loc_data *prev = otel_loc_data_enter(ld);
    log4c_category_log_locinfo(cat, &loc, priority, "%s", message);
    otel_loc_data_leave(prev);
}

/* ---- the public call ---- */

int log4c_otel_app_log(const char *app_name, const char *instance, int priority, const char *message,
                       const log4c_otel_attr *attrs, size_t nattrs)
{
    if (!app_name || !app_name[0] || !message || (nattrs > 0 && !attrs))
        return LOG4C_OTEL_EINVAL;
    if (otel_runtime_finalized())
        return LOG4C_OTEL_ESTATE;
    otel_attr conv[MAX_CALL_ATTRS];
    size_t n = 0;
    for (size_t i = 0; i < nattrs; i++) {
        const log4c_otel_attr *a = &attrs[i];
        if (!a->key || !a->key[0])
            return LOG4C_OTEL_EINVAL;
        if (n == MAX_CALL_ATTRS)
            continue; /* documented limit: the rest are dropped */
        if (otel_attr_from_public(a, &conv[n]) != LOG4C_OTEL_OK)
            return LOG4C_OTEL_EINVAL;
        n++;
    }
    char *name = otel_glue_category_name("app", app_name);
    if (!name)
        return LOG4C_OTEL_ENOMEM;
    log4c_category_t *cat = otel_glue_category(name);
    free(name);
    if (!cat)
        return LOG4C_OTEL_ENOMEM;
    otel_loc_data ld = {OTEL_LOC_DATA_MAGIC, OTEL_LOC_DATA_APP, app_name, instance, conv, n};
    otel_glue_log(cat, priority, &ld, message);
    return LOG4C_OTEL_OK;
}
