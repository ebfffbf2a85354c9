/*
 * config_describe.c - the effective settings printed one per line (the
 * check tool and logSettingsOnStartup), secrets masked.
 */
#include "configuration.h"
#include "endpoint_text.h"
#include "redact.h"
#include "utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Copy of v with defaults.hideRegex applied; "****" for the whole value
 * when secret. Returns a malloc'd string or NULL. */
static char *shown(const otel_config *cfg, const char *v, int secret)
{
    if (secret)
        return strdup("****");
    const char *in = v ? v : "";
    size_t n = otel_utf8_sanitized_len(in, strlen(in), 0);
    char *c = malloc(n + 1);
    if (!c)
        return NULL;
    otel_utf8_sanitize(c, in, strlen(in), 0);
    c[n] = '\0';
    if (cfg->logs.filters.defaults.hide)
        c[otel_regex_mask(cfg->logs.filters.defaults.hide, c, n)] = '\0';
    return c;
}

/* URL as diagnostics print it (endpoint_text.h), then hideRegex. */
static char *shown_url(const otel_config *cfg, const char *url)
{
    char plain[1024];
    otel_endpoint_text(url, plain, sizeof plain);
    return shown(cfg, plain, 0);
}

static void print_attr(FILE *out, const otel_config *cfg, const char *indent, const otel_attr *a)
{
    switch (a->type) {
    case OTEL_VALUE_STRING: {
        char *v = shown(cfg, a->v.str.s, 0);
        fprintf(out, "%s%s = \"%s\"\n", indent, a->key, v ? v : "");
        free(v);
        break;
    }
    case OTEL_VALUE_INT: fprintf(out, "%s%s = %lld\n", indent, a->key, (long long)a->v.i); break;
    case OTEL_VALUE_DOUBLE: fprintf(out, "%s%s = %g\n", indent, a->key, a->v.d); break;
    case OTEL_VALUE_BOOL: fprintf(out, "%s%s = %s\n", indent, a->key, a->v.b ? "true" : "false"); break;
    }
}

static void print_options(FILE *out, const char *indent, const otel_log_options *o)
{
    fprintf(out, "%senabled: %s\n", indent, o->enabled ? "true" : "false");
    fprintf(out, "%shideRegex: %s", indent, o->hide ? "" : "(none)");
    for (size_t i = 0; o->hide && i < o->hide->n; i++)
        fprintf(out, "%s%s", i ? " | " : "", otel_regex_pattern(o->hide->re[i]));
    fputc('\n', out);
    if (!o->has_allowed) {
        fprintf(out, "%sallowedAttributes: (all)\n", indent);
    } else {
        fprintf(out, "%sallowedAttributes: [", indent);
        for (size_t i = 0; i < o->nallowed; i++)
            fprintf(out, "%s\"%s\"", i ? ", " : "", o->allowed[i]);
        fprintf(out, "]\n");
    }
}

/* What a filter rule sets itself (the rest comes from later matching
 * rules, then defaults). */
static void print_rule_options(FILE *out, const char *indent, const otel_filter_rule *r)
{
    fprintf(out, "%ssets:", indent);
    if (r->enabled >= 0)
        fprintf(out, " enabled %s", r->enabled ? "true" : "false");
    if (r->hide)
        fprintf(out, " hideRegex \"%s\"", otel_regex_pattern(r->hide));
    if (r->has_allowed) {
        fprintf(out, " allowedAttributes [");
        for (size_t i = 0; i < r->nallowed; i++)
            fprintf(out, "%s\"%s\"", i ? ", " : "", r->allowed[i]);
        fprintf(out, "]");
    }
    if (r->enabled < 0 && !r->hide && !r->has_allowed)
        fprintf(out, " (nothing)");
    fputc('\n', out);
}

void otel_config_describe(const otel_config *cfg, const otel_settings *s, FILE *out)
{
    const otel_logs_config *l = &cfg->logs;
    fprintf(out, "sources: defaults, environment%s%s\n", cfg->sources ? ", " : "", cfg->sources ? cfg->sources : "");
    fprintf(out, "logs enabled: %s\n",
            s->sdk_disabled ? "false (OTEL_SDK_DISABLED)" : otel_config_logs_enabled(cfg) ? "true" : "false");
    /* the destinations the worker starts (worker.c decides with the same calls) */
    if (otel_settings_http_enabled(s)) {
        char *u = shown_url(cfg, s->logs_url);
        fprintf(out, "destination: OTLP over %s to %s\n", s->protocol == OTEL_PROTOCOL_GRPC ? "gRPC" : "HTTP",
                u ? u : "");
        free(u);
    }
    if (s->file.path) {
        char *p = shown(cfg, s->file.path, 0);
        fprintf(out, "destination: OTLP/JSON file %s (%s; rotated at %llu bytes, %u backups%s)\n", p ? p : "",
                s->file.is_default ? "the default: no endpoint is configured" : "configured",
                (unsigned long long)s->file.max_size, s->file.backups, s->file.gzip ? ", gzip" : "");
        free(p);
    }
    fprintf(out, "protocol: %s\n", s->protocol == OTEL_PROTOCOL_HTTP_JSON ? "http/json"
                                    : s->protocol == OTEL_PROTOCOL_GRPC    ? "grpc"
                                                                           : "http/protobuf");
    fprintf(out, "compression: %s\n", s->compression == OTEL_COMPRESSION_GZIP ? "gzip" : "none");
    fprintf(out, "keepAlive: %s\n", s->no_keep_alive ? "false" : "true");
    fprintf(out, "headers:%s\n", s->nheaders ? "" : " (none)");
    for (size_t i = 0; i < s->nheaders; i++)
        fprintf(out, "  %s: ****\n", s->headers[i].name);
    fprintf(out, "timeoutMillis: %ld\n", s->request_timeout_ms);
    if (s->max_queue_size)
        fprintf(out, "batch: maxQueueSize %zu", s->max_queue_size);
    else
        fprintf(out, "batch: maxQueueSize none (LOG4C_OTEL_MAX_QUEUE_BYTES bounds the records)");
    fprintf(out, ", maxExportBatchSize %zu, scheduledDelayMillis %ld, exportTimeoutMillis %ld, blockTimeoutMillis %ld\n",
            s->max_export_batch_size, s->schedule_delay_ms, s->export_timeout_ms, s->block_timeout_ms);
    fprintf(out, "finalExportTimeoutMs (shutdown deadline): %ld\n", s->shutdown_timeout_ms);
    if (s->spool_dir) {
        char *d = shown(cfg, s->spool_dir, 0);
        fprintf(out, "spool: directory %s, maxBytes %llu\n", d ? d : "", (unsigned long long)s->spool_max_bytes);
        free(d);
    } else
        fprintf(out, "spool: off\n");
    if (l->force_flush_timeout_ms >= 0)
        fprintf(out, "forceFlushTimeoutMillis: %ld\n", l->force_flush_timeout_ms);
    char vl[32] = "(none)", cl[32] = "(none)";
    if (l->attr_value_length_limit >= 0)
        snprintf(vl, sizeof vl, "%ld", l->attr_value_length_limit);
    if (l->attr_count_limit >= 0)
        snprintf(cl, sizeof cl, "%ld", l->attr_count_limit);
    fprintf(out, "logRecordLimits: attributeValueLengthLimit %s, attributeCountLimit %s\n", vl, cl);
    fprintf(out, "addResourceAttributesToAttributes: %s\n", l->add_resource_attrs_to_attrs > 0 ? "true" : "false");
    if (l->max_attribute_depth >= 0)
        fprintf(out, "maxAttributeDepth: %ld\n", l->max_attribute_depth);
    fprintf(out, "resource:\n");
    for (size_t i = 0; i < s->nresource; i++)
        print_attr(out, cfg, "  ", &s->resource[i]);
    fprintf(out, "additionalAttributes:%s\n", l->additional_attributes.n ? "" : " (none)");
    for (size_t i = 0; i < l->additional_attributes.n; i++)
        print_attr(out, cfg, "  ", &l->additional_attributes.a[i]);
    fprintf(out, "filters:%s\n",
            l->filters.nrules ? " (every matching rule in order gives the options it sets, the first to set one wins, "
                                "then defaults; hideRegex: defaults' and every matching rule's)"
                              : " (none)");
    for (size_t i = 0; i < l->filters.nrules; i++) {
        const otel_filter_rule *r = &l->filters.rules[i];
        fprintf(out, "  [%zu] match:", i);
        if (r->category)
            fprintf(out, " categoryName \"%s\"", r->category);
        if (r->sev_min)
            fprintf(out, " severity %d-%d", r->sev_min, r->sev_max);
        if (r->body_re)
            fprintf(out, " bodyRegex \"%s\"", otel_regex_pattern(r->body_re));
        if (!r->category && !r->sev_min && !r->body_re)
            fprintf(out, " (everything)");
        fprintf(out, "\n");
        print_rule_options(out, "      ", r);
    }
    fprintf(out, "defaults:\n");
    print_options(out, "  ", &l->filters.defaults.eff);
    for (size_t i = 0; i < cfg->nnotes; i++)
        fprintf(out, "%s: %s\n", cfg->notes[i].kind == OTEL_CONFIG_NOTE_WARNING ? "warning" : "ignored",
                cfg->notes[i].text);
}
