/*
 * config_apply.c - applying the loaded (typed) configuration: its logs
 * settings over an instance's otel_settings, a worker's settings built
 * from it, and its process-wide parts (otel_file appender settings, span
 * filters). No JSON is read here.
 */
#include "configuration.h"
#include "diag.h"
#include "log4c-otel.h"
#include "resource.h"
#include "span.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int otel_config_apply(const otel_config *cfg, otel_getenv_fn get, otel_settings *s)
{
    const otel_logs_config *l = &cfg->logs;
    if (l->protocol >= 0 && otel_settings_set_protocol(s, (otel_protocol)l->protocol, get) != 0)
        return LOG4C_OTEL_ENOMEM;
    if (l->url) { /* after the protocol: a url given is used as it is */
        char *u = strdup(l->url);
        if (!u)
            return LOG4C_OTEL_ENOMEM;
        free(s->logs_url);
        s->logs_url = u;
        s->endpoint_configured = 1;
    }
    for (size_t i = 0; i < l->headers.n; i++) {
        const otel_attr *h = &l->headers.a[i];
        size_t j;
        for (j = 0; j < s->nheaders; j++)
            if (strcasecmp(s->headers[j].name, h->key) == 0)
                break;
        char *v = strdup(h->v.str.s);
        if (!v)
            return LOG4C_OTEL_ENOMEM;
        if (j < s->nheaders) { /* replaces every header of that name the variable gave */
            free(s->headers[j].value);
            s->headers[j].value = v;
            size_t keep = j + 1;
            for (size_t k = j + 1; k < s->nheaders; k++) {
                if (strcasecmp(s->headers[k].name, h->key) == 0) {
                    free(s->headers[k].name);
                    free(s->headers[k].value);
                } else
                    s->headers[keep++] = s->headers[k];
            }
            s->nheaders = keep;
            continue;
        }
        otel_header *nh = realloc(s->headers, (s->nheaders + 1) * sizeof *nh);
        char *name = strdup(h->key);
        if (!nh || !name) {
            if (nh)
                s->headers = nh;
            free(v), free(name);
            return LOG4C_OTEL_ENOMEM;
        }
        s->headers = nh;
        nh[s->nheaders].name = name;
        nh[s->nheaders].value = v;
        s->nheaders++;
    }
    if (l->compression >= 0)
        s->compression = (otel_compression)l->compression;
    if (l->timeout_ms >= 0)
        s->request_timeout_ms = l->timeout_ms;
    if (l->keep_alive >= 0)
        s->no_keep_alive = !l->keep_alive;
    if (l->max_queue_size >= 0)
        s->max_queue_size = (size_t)l->max_queue_size;
    if (l->max_export_batch_size >= 0)
        s->max_export_batch_size = (size_t)l->max_export_batch_size;
    if (s->max_queue_size && s->max_export_batch_size > s->max_queue_size)
        s->max_export_batch_size = s->max_queue_size;
    if (l->scheduled_delay_ms >= 0)
        s->schedule_delay_ms = l->scheduled_delay_ms;
    if (l->export_timeout_ms >= 0)
        s->export_timeout_ms = l->export_timeout_ms;
    if (l->block_timeout_ms >= 0)
        s->block_timeout_ms = l->block_timeout_ms;
    if (l->final_export_timeout_ms >= 0)
        s->shutdown_timeout_ms = l->final_export_timeout_ms;
    if (l->spool_dir) {
        free(s->spool_dir);
        s->spool_dir = NULL;
        if (*l->spool_dir && !(s->spool_dir = strdup(l->spool_dir)))
            return LOG4C_OTEL_ENOMEM;
    }
    if (l->spool_max_bytes >= 0)
        s->spool_max_bytes = (uint64_t)l->spool_max_bytes;
    for (size_t i = 0; i < l->additional_resource_attributes.n; i++)
        if (otel_resource_set_attr(s, &l->additional_resource_attributes.a[i]) != 0)
            return LOG4C_OTEL_ENOMEM;
    if (cfg->log_sources && otel_sources_config_copy(&s->sources, cfg->log_sources) != 0)
        return LOG4C_OTEL_ENOMEM;
    if (otel_logs_file_config_apply(&cfg->file, &s->file) != 0)
        return LOG4C_OTEL_ENOMEM;
    return LOG4C_OTEL_OK;
}

/* One stderr line for a file found by search: which one is used (unless
 * LOG4C_OTEL_QUIET), or why one was refused. */
static void announce_search(const otel_config *cfg, const char *prefix)
{
    if (!prefix)
        return;
    if (cfg->refused)
        fprintf(stderr, "%srefused the configuration file found by search: %s (it must belong to you or root and not "
                        "be writable by group or others; LOG4C_OTEL_CONFIG names a file to use as it is)\n",
                prefix, cfg->refused);
    else if (cfg->searched && !otel_diag_quiet())
        fprintf(stderr, "%susing the configuration file %s (found by search; OTEL_* variables that are set win over "
                        "it)\n", prefix, cfg->searched);
}

static int load_settings(otel_config *cfg, const otel_config_request *req, otel_getenv_fn get, otel_settings *s,
                         const char *prefix, char *msg, size_t msglen, int silent)
{
    msg[0] = '\0';
    int rc = otel_settings_load(s, get, msg, msglen);
    if (rc == LOG4C_OTEL_OK) {
        otel_config_error e;
        memset(&e, 0, sizeof e);
        rc = otel_config_load(cfg, req, get, &e);
        announce_search(cfg, silent ? NULL : prefix);
        for (size_t i = 0; rc == LOG4C_OTEL_OK && !silent && i < cfg->nnotes; i++)
            if (cfg->notes[i].kind == OTEL_CONFIG_NOTE_UNKNOWN_KEY && strstr(cfg->notes[i].text, ": unknown key"))
                otel_diag("%swarning: %s", prefix, cfg->notes[i].text);
        if (rc == LOG4C_OTEL_ECONFIG) {
            char where[OTEL_CONFIG_FILE_MAX + OTEL_CONFIG_PATH_MAX + OTEL_CONFIG_MESSAGE_MAX];
            snprintf(msg, msglen, "%s%s", prefix, otel_config_error_format(&e, where, sizeof where));
        }
    }
    if (rc == LOG4C_OTEL_OK)
        rc = otel_config_apply(cfg, get, s);
    if (rc == LOG4C_OTEL_OK) /* a url from the JSON drops the default file */
        rc = otel_settings_resolve_exporters(s, get);
    return rc;
}

int otel_config_load_settings(otel_config *cfg, const otel_config_request *req, otel_getenv_fn get,
                              otel_settings *s, const char *prefix, char *msg, size_t msglen)
{
    return load_settings(cfg, req, get, s, prefix, msg, msglen, 0);
}

int otel_config_check_settings(otel_config *cfg, const otel_config_request *req, otel_getenv_fn get,
                               otel_settings *s, const char *prefix, char *msg, size_t msglen)
{
    return load_settings(cfg, req, get, s, prefix, msg, msglen, 1);
}

int otel_config_worker_settings(const otel_config *cfg, otel_getenv_fn get, otel_settings *out)
{
    char err[512];
    int rc = otel_settings_load(out, get, err, sizeof err);
    if (rc == LOG4C_OTEL_OK)
        rc = otel_config_apply(cfg, get, out);
    if (rc == LOG4C_OTEL_OK)
        rc = otel_settings_resolve_exporters(out, get);
    return rc;
}

int otel_config_apply_global(otel_config *cfg, otel_getenv_fn get, char *err, size_t errlen)
{
    for (size_t i = 0; i < cfg->appenders.n; i++) {
        const otel_appender_config *a = &cfg->appenders.a[i];
        otel_line_file_settings fs;
        otel_line_file_settings_defaults(&fs);
        if (otel_line_file_settings_from_env(&fs, get, err, errlen) != 0)
            return LOG4C_OTEL_ECONFIG;
        otel_appender_config_apply(a, &fs);
        if (otel_line_file_settings_register(a->name, &fs) != 0)
            return LOG4C_OTEL_ENOMEM;
    }
    if (cfg->traces) {
        otel_span_set_config(cfg->traces); /* takes ownership */
        cfg->traces = NULL;
    }
    return LOG4C_OTEL_OK;
}
