/*
 * registry/record_routes.h — HTTP handlers shared by every registry entity. A route row names
 * the entity in .data; the handlers do the rest (see record_routes.c).
 */
#ifndef MZ_RECORD_ROUTES_H
#define MZ_RECORD_ROUTES_H

#include "http.h"

/* The search criteria of the query string (key, name, under, field/value, limit, after; at
 * least one of key, name, under), checked and normalised into q; *used names the criteria
 * given (for the audit entry, never their values). 0, or the error already recorded in rq. */
int record_route_query(struct request *rq, const struct entity *e, struct record_query *q,
                       const char **used);
int record_route_search(struct request *rq);
int record_route_create(struct request *rq);
int record_route_get(struct request *rq);
int record_route_update(struct request *rq);
int record_route_reveal(struct request *rq);

/* Route rows for an entity at /api/v1/<plural>, with permissions "<perm>:read|write". */
#define RECORD_ROUTES(PLURAL, PERM, ENTITY, TITLE)                                              \
    { .method = HTTP_GET, .path = "/api/v1/" PLURAL, .fn = record_route_search,                \
      .perm = PERM ":read", .tag = PLURAL, .summary = "搜索" TITLE "（须给出搜索条件）",         \
      .data = &(ENTITY),                                                                        \
      .params = { { "key", "query", "string", "证件号码（精确）", false },                      \
                  { "name", "query", "string", "名称或姓名前缀", false },                        \
                  { "under", "query", "string", "区划代码：只查此区划之下", false },             \
                  { "field", "query", "string", "再按此字段筛选（代码字段）", false },           \
                  { "value", "query", "string", "筛选字段的值", false },                         \
                  { "limit", "query", "integer", "每页条数（1–200，默认 20）", false },           \
                  { "after", "query", "string", "上一页 next 的值", false } } },                 \
    { .method = HTTP_POST, .path = "/api/v1/" PLURAL, .fn = record_route_create,               \
      .perm = PERM ":write", .flags = R_BODY | R_WRITE, .tag = PLURAL,                        \
      .summary = "新增" TITLE, .data = &(ENTITY), .params = { { 0 } } },                        \
    { .method = HTTP_GET, .path = "/api/v1/" PLURAL "/{id}", .fn = record_route_get,           \
      .perm = PERM ":read", .tag = PLURAL, .summary = TITLE "详情（含变更记录）",               \
      .data = &(ENTITY), .params = { { "id", "path", "string", "记录编号", true } } },          \
    { .method = HTTP_PATCH, .path = "/api/v1/" PLURAL "/{id}", .fn = record_route_update,      \
      .perm = PERM ":write", .flags = R_BODY | R_WRITE, .tag = PLURAL,                        \
      .summary = "修改" TITLE "（带 version 防止覆盖他人修改）", .data = &(ENTITY),             \
      .params = { { "id", "path", "string", "记录编号", true } } }

/* The audited reveal of an entity's masked fields, "<perm>:reveal". */
#define RECORD_REVEAL_ROUTE(PLURAL, PERM, ENTITY, TITLE)                                        \
    { .method = HTTP_GET, .path = "/api/v1/" PLURAL "/{id}/reveal", .fn = record_route_reveal, \
      .perm = PERM ":reveal", .tag = PLURAL, .summary = "查看" TITLE "未脱敏信息（记入审计）",   \
      .data = &(ENTITY), .params = { { "id", "path", "string", "记录编号", true } } }

#endif
