/*
 * core/http.c — the HTTP server: libmicrohttpd in epoll mode with a thread pool, the route
 * table, request parsing, limits, replies, the access log and graceful shutdown.
 *
 * Life of a request (libmicrohttpd calls on_request() several times per request):
 *   1st call   begin(): arena, request id, route lookup, Content-Length and Content-Type
 *              checks. A declared body over the limit is refused at once (413, connection
 *              closed); every other answer waits for the last call, which keeps keep-alive.
 *   next calls collect the body up to the limit; beyond it, the rest is read and dropped.
 *   last call  dispatch(): query-parameter hygiene, JSON parsing, the worker's database
 *              connection, the handler; then the reply is queued.
 *   completed  on_completed(): access log line, arena freed.
 * Each worker thread owns one database connection, opened on first use and closed after the
 * daemon has stopped. SIGTERM/SIGINT stop accepting, wait (up to shutdown_grace seconds) for
 * requests in flight, then stop the daemon and close the database connections.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "audit.h"
#include "auth.h"
#include "config.h"
#include "db.h"
#include "errors.h"
#include "http.h"
#include "log.h"

#define MAX_ROUTES 512
#define MAX_WORKERS 256

static const struct route *routes[MAX_ROUTES];
static size_t nroutes;

static const struct config *server_cfg;
static atomic_uint_fast64_t request_counter;
static atomic_int in_flight;
static unsigned long server_epoch;

/* Every worker's connection, to close them once the workers are gone. */
static pthread_mutex_t workers_lock = PTHREAD_MUTEX_INITIALIZER;
static struct db *worker_dbs[MAX_WORKERS];
static size_t nworker_dbs;
static _Thread_local struct db *thread_db;

/* ---------------------------------------------------------------- route table */

void http_add_routes(const struct route *table)
{
    for (const struct route *r = table; r->path; r++) {
        if (nroutes == MAX_ROUTES) {
            log_error(NULL, "route table full at %s", r->path);
            abort();
        }
        routes[nroutes++] = r;
    }
}

size_t http_route_count(void) { return nroutes; }
const struct route *http_route_at(size_t i) { return i < nroutes ? routes[i] : NULL; }

const char *http_method_name(enum http_method m)
{
    switch (m) {
    case HTTP_GET: return "GET";
    case HTTP_POST: return "POST";
    case HTTP_PUT: return "PUT";
    case HTTP_PATCH: return "PATCH";
    case HTTP_DELETE: return "DELETE";
    }
    return "?";
}

static enum http_method parse_method(const char *m)
{
    if (strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0)
        return HTTP_GET;
    if (strcmp(m, "POST") == 0)
        return HTTP_POST;
    if (strcmp(m, "PUT") == 0)
        return HTTP_PUT;
    if (strcmp(m, "PATCH") == 0)
        return HTTP_PATCH;
    if (strcmp(m, "DELETE") == 0)
        return HTTP_DELETE;
    return 0;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Percent-decodes len bytes of s into out (NUL-terminated), except that "%00" stays as it
 * is: a NUL would silently cut a value short ("51%00abc" read as "51"); left literal, it fails
 * the value's own validation and the client hears why. Returns the decoded length. */
static size_t percent_decode(const char *s, size_t len, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        int hi = s[i] == '%' && i + 2 < len ? hex_value(s[i + 1]) : -1;
        int lo = hi >= 0 ? hex_value(s[i + 2]) : -1;
        if (lo >= 0 && (hi | lo) != 0) {
            out[o++] = (char)(hi * 16 + lo);
            i += 3;
            continue;
        }
        out[o++] = s[i++];
    }
    out[o] = '\0';
    return o;
}

/* Matches pattern ("/a/{x}/b") against the raw (still percent-encoded) path, so that an
 * encoded "/" (%2F) stays inside its segment. Writes the decoded {x} values into values,
 * pointing into scratch (at least strlen(path) + 1 bytes per value). */
static bool match(const char *pattern, const char *path, const char **values, char *scratch)
{
    size_t nvalues = 0;
    const char *p = pattern, *s = path;
    char *out = scratch;
    while (*p && *s) {
        if (*p == '{') {
            const char *close = strchr(p, '}');
            const char *end = strchr(s, '/');
            size_t len = end ? (size_t)(end - s) : strlen(s);
            if (!close || len == 0 || nvalues == ROUTE_MAX_PATH_PARAMS)
                return false;
            if (values) {
                values[nvalues] = out;
                out += percent_decode(s, len, out) + 1;
            }
            nvalues++;
            p = close + 1;
            s += len;
            continue;
        }
        if (*p != *s)
            return false;
        p++;
        s++;
    }
    return *p == '\0' && *s == '\0';
}

int http_route_find(enum http_method method, const char *path, const struct route **out,
                    const char **path_values, char *scratch)
{
    bool path_known = false;
    for (size_t i = 0; i < nroutes; i++) {
        if (!match(routes[i]->path, path, NULL, NULL))
            continue;
        path_known = true;
        if (routes[i]->method != method)
            continue;
        if (path_values)
            match(routes[i]->path, path, path_values, scratch);
        *out = routes[i];
        return 0;
    }
    return path_known ? MZ_EMETHOD : MZ_ENOROUTE;
}

/* "GET, POST" for the Allow header of a 405. */
static char *allowed_methods(struct request *rq)
{
    char *allow = arena_alloc(rq->arena, 64);
    allow[0] = '\0';
    for (size_t i = 0; i < nroutes; i++) {
        if (!match(routes[i]->path, rq->url, NULL, NULL))
            continue;
        const char *m = http_method_name(routes[i]->method);
        if (strstr(allow, m))
            continue;
        size_t n = strlen(allow);
        snprintf(allow + n, 64 - n, "%s%s", n ? ", " : "", m);
    }
    return allow;
}

const char *http_path_param(const struct request *rq, const char *name)
{
    if (!rq->route)
        return NULL;
    size_t i = 0, len = strlen(name);
    for (const char *p = strchr(rq->route->path, '{'); p; p = strchr(p + 1, '{'), i++) {
        if (strncmp(p + 1, name, len) == 0 && p[1 + len] == '}')
            return i < ROUTE_MAX_PATH_PARAMS ? rq->path_values[i] : NULL;
    }
    return NULL;
}

const char *http_header(const struct request *rq, const char *name)
{
    return MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, name);
}

const char *http_query(const struct request *rq, const char *name)
{
    return MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND, name);
}

int http_query_long(struct request *rq, const char *name, long def, long min, long max,
                    long *out)
{
    const char *v = http_query(rq, name);
    if (!v) {
        *out = def;
        return 0;
    }
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || end == v || *end || n < min || n > max)
        return http_fail(rq, MZ_EINVAL, name,
                         arena_printf(rq->arena, "参数 %s 须为 %ld 到 %ld 之间的整数", name, min, max));
    *out = n;
    return 0;
}

/* ---------------------------------------------------------------- replies */

int http_fail(struct request *rq, int err, const char *field, const char *message)
{
    if (rq->err.code == 0) {
        rq->err.code = err;
        rq->err.field = field;
        rq->err.message = message;
    }
    return err;
}

int http_reply_json(struct request *rq, int status, struct jw *w)
{
    if (jw_failed(w)) {
        jw_free(w);
        log_error(rq->id, "reply larger than its limit or out of memory");
        return http_fail(rq, MZ_ENOMEM, NULL, NULL);
    }
    free(rq->reply);
    rq->reply = jw_take(w, &rq->reply_len);
    rq->status = status;
    return 0;
}

int http_reply_bytes(struct request *rq, int status, const char *type, const char *filename,
                     char *data, size_t len)
{
    free(rq->reply);
    rq->reply = data;
    rq->reply_len = len;
    rq->status = status;
    rq->reply_type = type;
    rq->reply_filename = filename;
    return 0;
}

static void reply_error(struct request *rq)
{
    int code = rq->err.code ? rq->err.code : MZ_EINTERNAL;
    struct jw w;
    jw_init(&w, 64 * 1024);
    jw_obj(&w);
    jw_key(&w, "error");
    jw_obj(&w);
    jw_kv_str(&w, "code", mz_error_code(code));
    jw_kv_str(&w, "message", rq->err.message ? rq->err.message : mz_error_message(code));
    jw_key(&w, "field");
    jw_str(&w, rq->err.field);
    if (rq->err.record_id)
        jw_kv_str(&w, "record_id", rq->err.record_id);
    jw_kv_str(&w, "request_id", rq->id);
    jw_obj_end(&w);
    jw_obj_end(&w);
    free(rq->reply);
    rq->reply = jw_take(&w, &rq->reply_len);
    rq->status = mz_error_status(code);
}

static enum MHD_Result send_reply(struct request *rq)
{
    if (rq->status == 0 || rq->err.code)
        reply_error(rq);
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(rq->reply_len, rq->reply, MHD_RESPMEM_MUST_FREE);
    if (!resp)
        return MHD_NO;
    rq->reply = NULL; /* libmicrohttpd frees it now */
    bool json = rq->err.code || !rq->reply_type;
    MHD_add_response_header(resp, "Content-Type",
                            json ? "application/json; charset=utf-8" : rq->reply_type);
    if (!json && rq->reply_filename)
        MHD_add_response_header(resp, "Content-Disposition",
                                arena_printf(rq->arena, "attachment; filename=\"%s\"",
                                             rq->reply_filename));
    MHD_add_response_header(resp, "X-Request-Id", rq->id);
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    if (rq->err.code == MZ_EMETHOD)
        MHD_add_response_header(resp, "Allow", allowed_methods(rq));
    if (rq->set_cookie)
        MHD_add_response_header(resp, "Set-Cookie", rq->set_cookie);
    enum MHD_Result ok = MHD_queue_response(rq->conn, (unsigned)rq->status, resp);
    MHD_destroy_response(resp);
    return ok;
}

/* ---------------------------------------------------------------- database per worker */

struct db *http_worker_db(void)
{
    if (thread_db)
        return thread_db;
    char err[256];
    struct db *db;
    if (db_open(server_cfg->db, &db, err, sizeof err) != 0) {
        log_error(NULL, "%s", err);
        return NULL;
    }
    pthread_mutex_lock(&workers_lock);
    if (nworker_dbs == MAX_WORKERS) {
        pthread_mutex_unlock(&workers_lock);
        db_close(db);
        return NULL;
    }
    worker_dbs[nworker_dbs++] = db;
    pthread_mutex_unlock(&workers_lock);
    thread_db = db;
    return db;
}

static void close_worker_dbs(void)
{
    pthread_mutex_lock(&workers_lock);
    for (size_t i = 0; i < nworker_dbs; i++)
        db_close(worker_dbs[i]);
    nworker_dbs = 0;
    pthread_mutex_unlock(&workers_lock);
}

/* ---------------------------------------------------------------- request life */

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* True when the Content-Type header names media (parameters such as charset allowed). */
static bool is_type(const char *type, const char *media)
{
    if (!type)
        return false;
    size_t n = strlen(media);
    return strncasecmp(type, media, n) == 0 &&
           (type[n] == '\0' || type[n] == ';' || type[n] == ' ');
}

/* "ip:port" of the client. */
static void describe_client(struct MHD_Connection *conn, char *out, size_t outlen)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(out, outlen, "-");
    if (!info || !info->client_addr)
        return;
    char ip[INET6_ADDRSTRLEN] = "";
    if (info->client_addr->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)info->client_addr;
        inet_ntop(AF_INET, &in->sin_addr, ip, sizeof ip);
        snprintf(out, outlen, "%s:%u", ip, ntohs(in->sin_port));
    }
}

/* libmicrohttpd's URI callback: the first thing known of a request, with the raw URI. The
 * request is created here so that routing sees the path before percent-decoding; what this
 * returns is the request's context in every later callback. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)cls;
    struct arena *a = arena_new();
    struct request *rq = arena_calloc(a, 1, sizeof *rq);
    rq->arena = a;
    rq->conn = conn;
    rq->started_ns = now_ns();
    snprintf(rq->id, sizeof rq->id, "%08lx%08llx", server_epoch,
             (unsigned long long)atomic_fetch_add(&request_counter, 1));
    atomic_fetch_add(&in_flight, 1);
    const char *query = strchr(uri, '?');
    rq->url = arena_strndup(a, uri, query ? (size_t)(query - uri) : strlen(uri));
    rq->now = (int64_t)time(NULL);
    describe_client(conn, rq->source, sizeof rq->source);
    return rq;
}

/* First call of the access handler: route, declared length, media type. */
static void begin(struct request *rq, const char *method)
{
    struct arena *a = rq->arena;
    struct MHD_Connection *conn = rq->conn;
    rq->begun = true;
    rq->method = parse_method(method);
    char *scratch = arena_alloc(a, strlen(rq->url) + 1);
    int rc = rq->method ? http_route_find(rq->method, rq->url, &rq->route, rq->path_values, scratch)
                        : (http_route_find(HTTP_GET, rq->url, &rq->route, NULL, scratch) == MZ_ENOROUTE
                               ? MZ_ENOROUTE : MZ_EMETHOD);
    if (rc) {
        rq->route = NULL;
        rq->early_error = rc;
        return;
    }
    const char *length = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
    if (length && strtoull(length, NULL, 10) > (unsigned long long)server_cfg->body_limit) {
        rq->early_error = MZ_ETOOBIG;
        return;
    }
    if (rq->route->flags & (R_BODY | R_RAW_BODY)) {
        const char *type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");
        if (!is_type(type, rq->route->flags & R_BODY ? "application/json" : "text/csv"))
            rq->early_error = MZ_EMEDIA;
    }
}

static void collect(struct request *rq, const char *data, size_t size)
{
    size_t limit = (size_t)server_cfg->body_limit;
    if (rq->raw_over || size > limit - rq->raw_len) {
        rq->raw_over = true;
        return;
    }
    if (rq->raw_len + size + 1 > rq->raw_cap) {
        size_t cap = rq->raw_cap ? rq->raw_cap * 2 : 4096;
        while (cap < rq->raw_len + size + 1)
            cap *= 2;
        if (cap > limit + 1)
            cap = limit + 1;
        char *raw = arena_alloc(rq->arena, cap);
        if (rq->raw_len)
            memcpy(raw, rq->raw, rq->raw_len);
        rq->raw = raw;
        rq->raw_cap = cap;
    }
    memcpy(rq->raw + rq->raw_len, data, size);
    rq->raw_len += size;
    rq->raw[rq->raw_len] = '\0';
}

struct arg_check {
    struct request *rq;
    bool bad;
};

static enum MHD_Result check_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                 size_t key_size, const char *value, size_t value_size)
{
    (void)kind;
    struct arg_check *c = cls;
    if (json_utf8_valid(key, key_size) && (!value || json_utf8_valid(value, value_size)))
        return MHD_YES;
    c->bad = true;
    http_fail(c->rq, MZ_EINVAL, json_utf8_valid(key, key_size)
                                    ? arena_strndup(c->rq->arena, key, key_size) : NULL,
              "参数含有非法字符（须为合法的 UTF-8 文本）");
    return MHD_NO;
}

/* Every decoded {param} of the path must be UTF-8 text; else 400 naming the parameter. */
static bool path_values_valid(struct request *rq)
{
    size_t i = 0;
    for (const char *p = strchr(rq->route->path, '{'); p && i < ROUTE_MAX_PATH_PARAMS;
         p = strchr(p + 1, '{'), i++) {
        const char *v = rq->path_values[i];
        if (json_utf8_valid(v, strlen(v)))
            continue;
        const char *close = strchr(p, '}');
        http_fail(rq, MZ_EINVAL, arena_strndup(rq->arena, p + 1, (size_t)(close - p - 1)),
                  "参数含有非法字符（须为合法的 UTF-8 文本）");
        return false;
    }
    return true;
}

static void free_body(void *body) { json_decref(body); }

static int parse_body(struct request *rq)
{
    if (rq->raw_over)
        return http_fail(rq, MZ_ETOOBIG, NULL, NULL);
    json_error_t jerr;
    json_t *body = json_loadb(rq->raw ? rq->raw : "", rq->raw_len, JSON_REJECT_DUPLICATES, &jerr);
    if (!body) {
        return http_fail(rq, MZ_EBADJSON, NULL,
                         arena_printf(rq->arena, "请求体不是合法的 JSON（第 %d 行第 %d 列附近）",
                                      jerr.line, jerr.column));
    }
    arena_on_free(rq->arena, free_body, body);
    if (!json_is_object(body))
        return http_fail(rq, MZ_EBADREQ, NULL, "请求体必须是 JSON 对象");
    rq->body = body;
    return 0;
}

const struct config *http_config(void) { return server_cfg; }

/* s with control characters written as \xHH, so that anything a client sent can be recorded
 * (the audit log stores printable text only), cut at cap bytes on a character boundary. */
static const char *printable(struct request *rq, const char *s, size_t cap)
{
    if (!s)
        return s;
    char *out = arena_alloc(rq->arena, cap + 5);
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && o < cap; p++) {
        if (*p < 0x20 || *p == 0x7f)
            o += (size_t)snprintf(out + o, 5, "\\x%02X", *p);
        else
            out[o++] = (char)*p;
    }
    if (o > cap)
        o = cap;
    while (o > 0 && !json_utf8_valid(out, o))
        o--;
    out[o] = '\0';
    return out;
}

int http_audit(struct request *rq, const char *action, const char *object_type,
               const char *object_id, const char *region, const char *outcome,
               const char *detail)
{
    const struct principal *p = rq->who;
    struct audit_actor actor = {
        .id = p ? p->user_id : 0,
        .login = p ? p->login : "-",
        .role = p ? p->roles : "-",
        .source = rq->source,
        .request_id = rq->id,
    };
    struct audit_event ev = {
        .action = action,
        .object_type = object_type,
        .object_id = object_id,
        .region = region ? region : p ? p->region : SCOPE_NATIONAL,
        .outcome = outcome,
        .detail = detail ? detail : "",
    };
    actor.login = printable(rq, actor.login, 200);
    ev.object_id = printable(rq, ev.object_id, 200);
    ev.detail = printable(rq, ev.detail, 1000);
    int rc = audit_append(rq->db, &actor, &ev);
    if (rc) {
        log_error(rq->id, "audit entry %s could not be written: %s", action, db_errmsg(rq->db));
        rc = MZ_EUNAVAILABLE; /* fail closed: the operation it records fails too */
    }
    return rc;
}

static bool csrf_matches(const struct principal *p, const char *header)
{
    return header && p->csrf && strlen(header) == strlen(p->csrf) &&
           sodium_memcmp(header, p->csrf, strlen(header)) == 0;
}

/* Who is asking, and may they? 401 without a valid session or token, 403 for a password that
 * must be changed first, a missing CSRF token on a change, or a missing permission (audited). */
static int authorize(struct request *rq)
{
    struct principal *p = arena_calloc(rq->arena, 1, sizeof *p);
    const char *authz = MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, "Authorization");
    int rc;
    if (authz && strncasecmp(authz, "Bearer ", 7) == 0) {
        rc = auth_bearer(rq->db, rq->arena, authz + 7, rq->now, p);
    } else {
        const char *cookie = MHD_lookup_connection_value(rq->conn, MHD_COOKIE_KIND, AUTH_COOKIE);
        rc = auth_session(rq->db, server_cfg, rq->arena, cookie, rq->now, p);
    }
    if (rc == MZ_EAUTH)
        return http_fail(rq, MZ_EAUTH, NULL, "请先登录，或登录已过期");
    if (rc)
        return http_fail(rq, rc, NULL, NULL);
    rq->who = p;
    if (p->must_change_password && !(rq->route->flags & R_PWCHANGE))
        return http_fail(rq, MZ_EPWCHANGE, NULL, NULL);
    if (rq->method != HTTP_GET && !p->via_token &&
        !csrf_matches(p, MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, "X-CSRF-Token")))
        return http_fail(rq, MZ_ECSRF, NULL, NULL);
    if (!principal_can(p, rq->route->perm)) {
        rc = http_audit(rq, "access.denied", "route", rq->route->path, NULL, "denied",
                        rq->route->perm);
        return http_fail(rq, rc ? rc : MZ_EPERM, NULL, NULL);
    }
    return 0;
}

static void dispatch(struct request *rq)
{
    if (rq->early_error) {
        bool csv = rq->early_error == MZ_EMEDIA && (rq->route->flags & R_RAW_BODY);
        http_fail(rq, rq->early_error, NULL,
                  csv ? "请求体必须是 text/csv（UTF-8 或 GB18030 编码的 CSV 文件）" : NULL);
        return;
    }
    if (rq->raw_over) {
        http_fail(rq, MZ_ETOOBIG, NULL, NULL);
        return;
    }
    struct arg_check check = { rq, false };
    MHD_get_connection_values_n(rq->conn, MHD_GET_ARGUMENT_KIND, check_arg, &check);
    if (check.bad || !path_values_valid(rq))
        return;
    if ((rq->route->flags & R_BODY) && parse_body(rq) != 0)
        return;
    if (!(rq->route->flags & R_NODB)) {
        rq->db = http_worker_db();
        if (!rq->db) {
            http_fail(rq, MZ_EUNAVAILABLE, NULL, "数据库暂不可用，请稍后重试");
            return;
        }
    }
    if (rq->route->perm && authorize(rq) != 0)
        return;
    int rc = rq->route->fn(rq);
    if (rc && rq->err.code == 0)
        http_fail(rq, rc, NULL, NULL);
    if (rq->err.code && mz_error_status(rq->err.code) >= 500)
        log_error(rq->id, "%s %s failed: %s%s%s", http_method_name(rq->method), rq->url,
                  mz_error_code(rq->err.code), rq->db ? ": " : "", rq->db ? db_errmsg(rq->db) : "");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size, void **ctx)
{
    (void)cls;
    (void)conn;
    (void)url;
    (void)version;
    struct request *rq = *ctx;
    if (!rq->begun) {
        begin(rq, method);
        if (rq->early_error == MZ_ETOOBIG) {
            /* Refuse a declared oversized body before it is sent (the connection closes). */
            http_fail(rq, MZ_ETOOBIG, NULL, NULL);
            return send_reply(rq);
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (!rq->early_error)
            collect(rq, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    dispatch(rq);
    return send_reply(rq);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **ctx,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    struct request *rq = *ctx;
    if (!rq)
        return;
    *ctx = NULL;
    uint64_t micros = (now_ns() - rq->started_ns) / 1000;
    log_access(rq->id, rq->method ? http_method_name(rq->method) : "-", rq->url, rq->status,
               rq->reply_len, micros);
    free(rq->reply);
    arena_free(rq->arena);
    atomic_fetch_sub(&in_flight, 1);
}

/* ---------------------------------------------------------------- daemon */

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    log_info("http: %s", msg);
}

/* Query arguments are decoded like path values (see percent_decode). */
static size_t unescape(void *cls, struct MHD_Connection *conn, char *s)
{
    (void)cls;
    (void)conn;
    return percent_decode(s, strlen(s), s);
}

/* "127.0.0.1:8080" → addr; false when malformed. */
static bool parse_listen(const char *listen, struct sockaddr_in *addr)
{
    const char *colon = strrchr(listen, ':');
    if (!colon || colon == listen || (size_t)(colon - listen) >= 64)
        return false;
    char host[64];
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    char *end;
    unsigned long port = strtoul(colon + 1, &end, 10);
    if (*end || end == colon + 1 || port > 65535)
        return false;
    memset(addr, 0, sizeof *addr);
    addr->sin_family = AF_INET;
    addr->sin_port = htons((uint16_t)port);
    return inet_pton(AF_INET, host, &addr->sin_addr) == 1;
}

/* Waits for SIGTERM/SIGINT, flushing the access log once a second. */
static void wait_for_stop(const sigset_t *stop)
{
    struct timespec second = { 1, 0 };
    for (;;) {
        int sig = sigtimedwait(stop, NULL, &second);
        log_flush();
        if (sig == SIGTERM || sig == SIGINT) {
            log_info("received %s: stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
            return;
        }
    }
}

static void drain(long grace_seconds)
{
    uint64_t deadline = now_ns() + (uint64_t)grace_seconds * 1000000000u;
    while (atomic_load(&in_flight) > 0 && now_ns() < deadline) {
        struct timespec tick = { 0, 10 * 1000 * 1000 };
        nanosleep(&tick, NULL);
    }
    if (atomic_load(&in_flight) > 0)
        log_error(NULL, "%d requests still in flight after %ld s; stopping anyway",
                  atomic_load(&in_flight), grace_seconds);
}

int http_serve(const struct config *cfg)
{
    struct sockaddr_in addr;
    if (!parse_listen(cfg->listen, &addr)) {
        log_error(NULL, "cannot listen on \"%s\": expected IPv4ADDRESS:PORT", cfg->listen);
        return MZ_EINVAL;
    }
    server_cfg = cfg;
    server_epoch = (unsigned long)time(NULL);
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL); /* worker threads inherit the mask */
    signal(SIGPIPE, SIG_IGN);

    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, NULL,
        MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->threads,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg->max_connections,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)cfg->per_ip_connections,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->timeout,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)cfg->header_limit,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
        MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL,
        MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u,
        MHD_OPTION_END);
    if (!d) {
        log_error(NULL, "cannot listen on %s (address in use or not available)", cfg->listen);
        pthread_sigmask(SIG_UNBLOCK, &stop, NULL);
        return MZ_EUNAVAILABLE;
    }
    log_info("minzheng listening on http://%s/ with %ld threads", cfg->listen, cfg->threads);
    wait_for_stop(&stop);
    MHD_quiesce_daemon(d);
    drain(cfg->shutdown_grace);
    MHD_stop_daemon(d);
    close_worker_dbs();
    log_flush();
    log_info("stopped cleanly");
    pthread_sigmask(SIG_UNBLOCK, &stop, NULL);
    return 0;
}
