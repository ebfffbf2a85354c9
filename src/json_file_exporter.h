/*
 * json_file_exporter.h - the JSON file exporter, the embedded default when
 * no endpoint is configured: OTLP/JSON lines, each line one
 * ExportLogsServiceRequest (the same encoding as http/json, see
 * otlp_json.c, which escapes every control character, so a line never
 * contains a raw newline), written with one writev(2) per line to a file
 * created with mode 0600, rotated by size with numbered backups
 * (<path>.1 newest ... <path>.<backups> oldest, optionally gzip-compressed
 * as <path>.N.gz; see rotate.h). One writer per file: two processes must
 * not share a path. Not to be confused with the crash-safe line file
 * (line_file.h) behind the "otel_file" appender type.
 */
#ifndef LOG4C_OTEL_JSON_FILE_EXPORTER_H
#define LOG4C_OTEL_JSON_FILE_EXPORTER_H

#include <stddef.h>
#include <stdint.h>

#define OTEL_JSON_FILE_DEFAULT_MAX_SIZE (10u * 1024u * 1024u) /* 10 MiB */
#define OTEL_JSON_FILE_DEFAULT_BACKUPS 5u

typedef struct otel_json_file_settings {
    char *path;        /* NULL: no file exporter */
    int is_default;    /* path is the no-endpoint default (dropped when an endpoint is configured) */
    int disabled;      /* explicitly off (LOG4C_OTEL_JSON_FILE=none, or "enabled": false) */
    uint64_t max_size; /* rotate before a line would make the file larger; 0: never */
    unsigned backups;  /* rotated files kept; 0: the file is removed and started afresh */
    int gzip;          /* compress rotated files */
} otel_json_file_settings;

/* Defaults: no path, 10 MiB, 5 backups, no gzip. */
void otel_json_file_settings_init(otel_json_file_settings *f);
void otel_json_file_settings_free(otel_json_file_settings *f);

/* The default file when no endpoint is configured:
 *   $XDG_STATE_HOME/log4c-otel/<service>.jsonl, else
 *   $HOME/.local/state/log4c-otel/<service>.jsonl, else ./<service>.jsonl
 * where <service> is service_name with '/' and control characters replaced
 * by '_' (and "log4c-otel" when empty). malloc'd; NULL when out of memory. */
char *otel_json_file_default_path(const char *(*get)(const char *), const char *service_name);

/* The JSON `logs.file` section that sets these: config_logs_file.h. */

typedef struct otel_json_file_exporter otel_json_file_exporter;

/* An exporter writing to s->path (copied). The file (and for the default
 * path, its directory, mode 0700) is created at the first write. NULL when
 * out of memory. */
otel_json_file_exporter *otel_json_file_exporter_new(const otel_json_file_settings *s);
void otel_json_file_exporter_free(otel_json_file_exporter *e);

/* Appends line[0..len) and a newline, rotating first when needed. Returns
 * 0, or -1 when the file cannot be opened or written (reported on stderr,
 * rate-limited; the next call tries again). */
int otel_json_file_export(otel_json_file_exporter *e, const char *line, size_t len);

/* Bytes in the current file (for tests). */
uint64_t otel_json_file_size(const otel_json_file_exporter *e);

#endif
