/*
 * quickstart.c - the smallest real use of log4c-otel: register the
 * appender, let log4c read etc/log4crc (root → otel), log from a few
 * categories and threads, and print what happened to every record.
 */
#include <log4c.h>
#include <log4c-otel.h>

#include <pthread.h>
#include <stdio.h>

static void *worker(void *arg)
{
    log4c_category_t *cat = log4c_category_get("platform.worker");
    for (int i = 0; i < 5; i++)
        log4c_category_log(cat, LOG4C_PRIORITY_DEBUG, "worker %ld step %d", (long)(intptr_t)arg, i);
    return NULL;
}

int main(void)
{
    int rc = log4c_otel_init(); /* before log4c_init(): log4c resolves types while parsing log4crc */
    if (rc != LOG4C_OTEL_OK)
        fprintf(stderr, "log4c-otel: %s (the appender exports nothing)\n", log4c_otel_strerror(rc));
    if (log4c_init() != 0)
        return 1;

    log4c_category_t *gw = log4c_category_get("gw.conn");
    log4c_category_t *app = log4c_category_get("app.notes");
    log4c_category_get("platform.worker"); /* log4c creates categories without locks: first here */

    log4c_category_log(gw, LOG4C_PRIORITY_INFO, "gateway listening on port %d", 8385);
    log4c_category_log(app, LOG4C_PRIORITY_WARN, "notes: slow start (%d ms)", 1250);
    const log4c_location_info_t here = LOG4C_LOCATION_INFO_INITIALIZER(NULL);
    log4c_category_log_locinfo(app, &here, LOG4C_PRIORITY_ERROR, "notes: cannot open workspace \"%s\"", "default");

    pthread_t t[2];
    for (long i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, worker, (void *)(intptr_t)i);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);

    log4c_fini(); /* flushes within LOG4C_OTEL_SHUTDOWN_TIMEOUT (default 5 s) */

    log4c_otel_stats_t s;
    log4c_otel_stats(&s);
    printf("log4c-otel: %llu accepted, %llu exported, %llu dropped (queue full %llu, export failed %llu, "
           "rejected %llu, HTTP error %llu, shutdown %llu, config %llu), %llu requests\n",
           (unsigned long long)s.accepted, (unsigned long long)s.exported,
           (unsigned long long)(s.dropped_queue_full + s.dropped_export_failed + s.dropped_rejected +
                                s.dropped_http_error + s.dropped_shutdown + s.dropped_config),
           (unsigned long long)s.dropped_queue_full, (unsigned long long)s.dropped_export_failed,
           (unsigned long long)s.dropped_rejected, (unsigned long long)s.dropped_http_error,
           (unsigned long long)s.dropped_shutdown, (unsigned long long)s.dropped_config,
           (unsigned long long)s.export_requests);
    return 0;
}
