/*
 * core/log.c — the access log and the error log; see log.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "errors.h"
#include "log.h"

#define ACCESS_BUFFER (64 * 1024)

static FILE *access_file;
static char access_buffer[ACCESS_BUFFER];

int log_access_open(const char *spec)
{
    if (strcmp(spec, "off") == 0)
        return 0;
    if (strcmp(spec, "-") == 0) {
        access_file = stdout;
    } else {
        access_file = fopen(spec, "a");
        if (!access_file) {
            log_error(NULL, "cannot open access log %s: %s", spec, strerror(errno));
            return MZ_EIO;
        }
    }
    setvbuf(access_file, access_buffer, _IOFBF, sizeof access_buffer);
    return 0;
}

void log_access_close(void)
{
    if (!access_file)
        return;
    fflush(access_file);
    if (access_file != stdout)
        fclose(access_file);
    else
        setvbuf(stdout, NULL, _IOLBF, 0);
    access_file = NULL;
}

/* UTC time as 2026-11-26T03:50:00Z. */
static void now_iso(char *buf, size_t len)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME_COARSE, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* now_iso() for the access log, formatted once a second per thread. */
static const char *access_time(void)
{
    static _Thread_local char when[32];
    static _Thread_local time_t formatted;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME_COARSE, &ts);
    if (ts.tv_sec != formatted) {
        now_iso(when, sizeof when);
        formatted = ts.tv_sec;
    }
    return when;
}

/* The path as one safe token: control characters, spaces and DEL become %XX, so that no
 * request can add or split a log line; cut at 512 bytes. */
static void safe_path(const char *path, char *out, size_t outlen)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)path; *p && o + 4 < outlen; p++) {
        if (*p <= 0x20 || *p == 0x7f) {
            out[o++] = '%';
            out[o++] = hex[*p >> 4];
            out[o++] = hex[*p & 15];
        } else {
            out[o++] = (char)*p;
        }
    }
    out[o] = '\0';
}

void log_access(const char *rid, const char *method, const char *path, int status,
                unsigned long long bytes, unsigned long long micros)
{
    if (!access_file)
        return;
    const char *when = access_time();
    char safe[516];
    safe_path(path, safe, sizeof safe);
    /* One fprintf per line: stdio locks the stream, so lines never interleave. */
    fprintf(access_file, "%s %s %s %s %d %llu %lluus\n", when, rid, method, safe, status, bytes,
            micros);
}

void log_flush(void)
{
    if (access_file)
        fflush(access_file);
}

static void vlog(const char *level, const char *rid, const char *fmt, va_list ap)
{
    char when[32], msg[1024];
    now_iso(when, sizeof when);
    vsnprintf(msg, sizeof msg, fmt, ap);
    fprintf(stderr, "%s %s%s%s %s\n", when, level, rid ? " " : "", rid ? rid : "", msg);
}

void log_error(const char *rid, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog("ERROR", rid, fmt, ap);
    va_end(ap);
}

void log_info(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog("INFO", NULL, fmt, ap);
    va_end(ap);
}
