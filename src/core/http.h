/*
 * core/http.h — the HTTP API server: route table, request, replies.
 *
 * Every endpoint is one row of a route table (method, path pattern, handler, permission,
 * flags, description). The server parses the request, finds the route and refuses before any
 * handler runs: 404 unknown route, 405 wrong method, 413 body too large, 415 not JSON, 400
 * malformed JSON. A handler sees a parsed request with its worker's database connection and
 * either writes a reply (http_reply_json) or fails (http_fail), and returns 0 or the error.
 * The OpenAPI description is generated from the same rows (openapi.c), so it cannot drift.
 */
#ifndef MZ_HTTP_H
#define MZ_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "json.h"

struct db;
struct config;
struct principal;
struct request;

enum http_method { HTTP_GET = 1, HTTP_POST, HTTP_PUT, HTTP_PATCH, HTTP_DELETE };

/* Route flags. */
#define R_BODY 0x1   /* takes a JSON object body (415 when not JSON, 400 when malformed) */
#define R_WRITE 0x2  /* changes data */
#define R_NODB 0x4   /* needs no database connection (health reports it itself) */
#define R_PWCHANGE 0x8 /* allowed while the caller must change its password */
#define R_UNSCOPED 0x10 /* reads reference data that is the same for every region (the region
                         * tree): the scope test of every route skips it, by declaration */
#define R_RAW_BODY 0x20 /* takes a raw text/csv body (415 otherwise), not parsed: rq->raw and
                         * rq->raw_len hold it, NUL-terminated; --body-limit applies */

typedef int (*route_fn)(struct request *rq);

/* A query or path parameter, for validation and for the OpenAPI description. */
struct route_param {
    const char *name;
    const char *in;          /* "path" or "query" */
    const char *type;        /* "string" or "integer" */
    const char *description; /* zh-CN */
    bool required;
};

#define ROUTE_MAX_PARAMS 8
#define ROUTE_MAX_PATH_PARAMS 4

struct route {
    enum http_method method;
    const char *path;        /* "/api/v1/regions/{code}/children" */
    route_fn fn;
    const char *perm;        /* permission needed (PERM_SELF: any signed-in caller); NULL for
                              * public routes */
    unsigned flags;
    const char *tag;         /* OpenAPI tag: the domain */
    const char *summary;     /* zh-CN, one line */
    struct route_param params[ROUTE_MAX_PARAMS];
    const void *data;        /* for handlers shared by several routes (e.g. the entity) */
};

struct http_error {
    int code;                /* MZ_E…, 0 while none */
    const char *field;
    const char *message;
    const char *record_id;   /* the existing record a 409 refers to, when the caller may see it */
};

struct request {
    struct arena *arena;
    struct MHD_Connection *conn;
    enum http_method method;
    const char *url;         /* the path as sent (percent-encoded), without the query */
    const struct route *route;
    const char *path_values[ROUTE_MAX_PATH_PARAMS];
    struct db *db;           /* the worker thread's connection; NULL for R_NODB routes */
    json_t *body;            /* the parsed object for R_BODY routes */
    char id[20];             /* request id: X-Request-Id header and every log line */
    char source[64];         /* client address "ip:port" */
    const struct principal *who; /* the authenticated caller; NULL on public routes */
    int64_t now;             /* Unix seconds at the start of the request */
    const char *set_cookie;  /* a Set-Cookie header value for the reply, or NULL */
    const char *reply_type;  /* Content-Type of a non-JSON reply (http_reply_bytes), or NULL */
    const char *reply_filename; /* a download's file name (Content-Disposition), or NULL */
    /* filled by the server while reading */
    bool begun;              /* the access handler has been called */
    int early_error;
    char *raw;
    size_t raw_len, raw_cap;
    bool raw_over;
    uint64_t started_ns;
    /* the reply */
    int status;
    char *reply;
    size_t reply_len;
    struct http_error err;
};

/* Value of path parameter `name` of the matched route ("{name}"), or NULL. */
const char *http_path_param(const struct request *rq, const char *name);
/* Request header `name` (case-insensitive), NULL when absent. */
const char *http_header(const struct request *rq, const char *name);
/* Value of query parameter `name`, or NULL. */
const char *http_query(const struct request *rq, const char *name);

/* Integer query parameter `name` in [min, max], def when absent. 0, or MZ_EINVAL recorded
 * with the parameter as field and a zh-CN message giving the range. */
int http_query_long(struct request *rq, const char *name, long def, long min, long max,
                    long *out);

/* Sends w's buffer with status (takes the buffer). Returns 0, or MZ_ENOMEM when w failed. */
int http_reply_json(struct request *rq, int status, struct jw *w);
/* Sends data (malloc'd, len bytes; the server takes and frees it) with status as type (e.g.
 * "text/csv; charset=utf-8"); with filename (ASCII, no quotes) as an attachment of that name.
 * Error replies stay JSON. Returns 0. */
int http_reply_bytes(struct request *rq, int status, const char *type, const char *filename,
                     char *data, size_t len);
/* Records the request's error (the first one wins) and returns err, so handlers can
 * `return http_fail(rq, MZ_EINVAL, "code", "行政区划代码应为……");`. field and message may be
 * NULL (message defaults to the zh-CN text of errors.def); both must outlive the request. */
int http_fail(struct request *rq, int err, const char *field, const char *message);

/* The server's settings (valid while it runs). */
const struct config *http_config(void);

/*
 * Appends an audit entry for this request: the caller (or "-" before login), its source
 * address and the request id come from rq. region is the 12-digit region of the object (NULL:
 * the caller's). Returns 0 or MZ_E… — the caller must then fail the operation (fail-closed).
 */
int http_audit(struct request *rq, const char *action, const char *object_type,
               const char *object_id, const char *region, const char *outcome,
               const char *detail);

/* Registers a NULL-path-terminated table; call before http_serve(). */
void http_add_routes(const struct route *table);
/* The registered routes, for OpenAPI and tests: count and the i-th route. */
size_t http_route_count(void);
const struct route *http_route_at(size_t i);
/* The route matching method and the raw (percent-encoded) path: 0 with *out set; MZ_ENOROUTE
 * or MZ_EMETHOD. path_values (may be NULL) receives the percent-decoded {param} values, pointing
 * into `scratch` (at least strlen(path)+1 bytes); "%00" is left undecoded. */
int http_route_find(enum http_method method, const char *path, const struct route **out,
                    const char **path_values, char *scratch);
const char *http_method_name(enum http_method m);

/* The calling worker thread's database connection, opened on first use; NULL when the
 * database cannot be reached. */
struct db *http_worker_db(void);

/* Runs the server with cfg until SIGTERM/SIGINT; returns 0 after a clean stop, else an
 * MZ_E… (cannot listen, …). */
int http_serve(const struct config *cfg);

#endif
