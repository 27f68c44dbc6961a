/*
 * core/core_routes.c — the platform's own endpoints: health and the OpenAPI document.
 */
#include "core_routes.h"
#include "db.h"
#include "errors.h"
#include "migrate.h"
#include "openapi.h"
#include "version.h"

static int health(struct request *rq);
static int openapi(struct request *rq);

const struct route core_routes[] = {
    { .method = HTTP_GET, .path = "/api/v1/health", .fn = health, .flags = R_NODB,
      .tag = "platform", .summary = "服务与数据库健康状态", .params = { { 0 } } },
    { .method = HTTP_GET, .path = "/api/v1/openapi.json", .fn = openapi, .flags = R_NODB,
      .tag = "platform", .summary = "接口说明（OpenAPI 3）", .params = { { 0 } } },
    { 0 },
};

/* 200 with the schema version when the database answers, else 503 with an error body. */
static int health(struct request *rq)
{
    struct db *db = http_worker_db();
    int version = 0;
    bool reachable = db && db_ping(db) && migrate_current_version(db, &version) == 0;
    struct jw w;
    jw_init(&w, 4096);
    jw_obj(&w);
    jw_kv_str(&w, "status", reachable ? "ok" : "unavailable");
    jw_kv_str(&w, "version", MINZHENG_VERSION);
    jw_key(&w, "database");
    jw_obj(&w);
    jw_kv_str(&w, "backend", db && db_kind(db) == DB_POSTGRES ? "postgresql" : "sqlite");
    jw_kv_bool(&w, "reachable", reachable);
    jw_kv_int(&w, "schema_version", version);
    jw_obj_end(&w);
    jw_obj_end(&w);
    if (!reachable) {
        jw_free(&w);
        return http_fail(rq, MZ_EUNAVAILABLE, NULL, "数据库无法连接，请检查数据库服务");
    }
    return http_reply_json(rq, 200, &w);
}

static int openapi(struct request *rq)
{
    struct jw w;
    jw_init(&w, 4u << 20);
    openapi_write(&w, MINZHENG_VERSION);
    return http_reply_json(rq, 200, &w);
}
