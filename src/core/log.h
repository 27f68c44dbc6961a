/*
 * core/log.h — the access log and the error log.
 *
 * The access log gets one line per request (time, request id, method, path without the query
 * string — which may hold personal data —, status, bytes, microseconds). It is written into a
 * stdio buffer and flushed once a second by the server's main thread (log_flush), so no request
 * waits for a disk write. Errors go to standard error at once, each line tagged with the
 * request id when there is one. Secrets (session ids, tokens, passwords) are never logged.
 */
#ifndef MZ_LOG_H
#define MZ_LOG_H

/* "-" is standard output, "off" disables the access log, anything else is a file appended
 * to. Returns 0 or MZ_EIO. */
int log_access_open(const char *spec);
void log_access_close(void);
void log_access(const char *rid, const char *method, const char *path, int status,
                unsigned long long bytes, unsigned long long micros);
void log_flush(void);
/* An error line on standard error; rid may be NULL. */
void log_error(const char *rid, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* An informational line on standard error. */
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
