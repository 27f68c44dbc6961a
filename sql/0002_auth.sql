-- 0002_auth.sql — users, roles, permissions, sessions, API tokens, the audit log (issue #4).
--
-- Roles and their permissions are data (role, role_permission), seeded here and changed by the
-- security administrator; routes name the permission they need. A user belongs to one region
-- (any level); its significant prefix is the user's data scope. Times are Unix seconds (UTC)
-- except audit_log.at, an ISO-8601 UTC text that is also part of the hashed content.
-- Secrets are never stored: sessions and API tokens by their SHA-256, passwords as argon2id.
CREATE TABLE role (
    name        TEXT        NOT NULL PRIMARY KEY,
    title       TEXT        NOT NULL,
    kind        TEXT        NOT NULL CHECK (kind IN ('admin', 'business')),
    description TEXT        NOT NULL
);

CREATE TABLE role_permission (
    role        TEXT        NOT NULL REFERENCES role (name),
    permission  TEXT        NOT NULL,
    PRIMARY KEY (role, permission)
);

CREATE TABLE app_user (
    id                  BIGINT      NOT NULL PRIMARY KEY,
    login               TEXT        NOT NULL UNIQUE,  -- lower-cased
    display_name        TEXT        NOT NULL,
    region              CHAR(12)    NOT NULL,
    phone               TEXT,
    password_hash       TEXT        NOT NULL,
    password_changed_at BIGINT      NOT NULL,
    must_change         INTEGER     NOT NULL DEFAULT 1 CHECK (must_change IN (0, 1)),
    failed_logins       INTEGER     NOT NULL DEFAULT 0,
    locked_until        BIGINT      NOT NULL DEFAULT 0,
    disabled            INTEGER     NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at          BIGINT      NOT NULL,
    last_login_at       BIGINT
);
CREATE INDEX app_user_region ON app_user (region, id);

CREATE TABLE user_role (
    user_id     BIGINT      NOT NULL REFERENCES app_user (id),
    role        TEXT        NOT NULL REFERENCES role (name),
    PRIMARY KEY (user_id, role)
);

CREATE TABLE password_history (
    id              BIGINT  NOT NULL PRIMARY KEY,  -- time-ordered: the newest is the largest
    user_id         BIGINT  NOT NULL REFERENCES app_user (id),
    password_hash   TEXT    NOT NULL,
    changed_at      BIGINT  NOT NULL
);
CREATE INDEX password_history_user ON password_history (user_id, id);

CREATE TABLE user_session (
    token_hash      TEXT    NOT NULL PRIMARY KEY,
    user_id         BIGINT  NOT NULL REFERENCES app_user (id),
    csrf_token      TEXT    NOT NULL,
    created_at      BIGINT  NOT NULL,
    last_seen_at    BIGINT  NOT NULL,
    source          TEXT    NOT NULL
);
CREATE INDEX user_session_user ON user_session (user_id);

CREATE TABLE api_token (
    id              BIGINT  NOT NULL PRIMARY KEY,
    token_hash      TEXT    NOT NULL UNIQUE,
    name            TEXT    NOT NULL,
    region          CHAR(12) NOT NULL,
    permissions     TEXT    NOT NULL,  -- space-separated
    expires_at      BIGINT  NOT NULL,
    created_by      BIGINT  NOT NULL REFERENCES app_user (id),
    created_at      BIGINT  NOT NULL,
    revoked_at      BIGINT
);

-- Append-only and hash-chained: hash = HMAC-SM3(key, content ‖ prev_hash), see core/audit.c.
-- region is the region of the object (or of the actor), so auditors read within their scope.
CREATE TABLE audit_log (
    seq             BIGINT  NOT NULL PRIMARY KEY,
    at              TEXT    NOT NULL,
    actor_id        BIGINT,
    actor_login     TEXT    NOT NULL,
    actor_role      TEXT    NOT NULL,
    source          TEXT    NOT NULL,
    action          TEXT    NOT NULL,
    object_type     TEXT    NOT NULL,
    object_id       TEXT    NOT NULL,
    region          CHAR(12) NOT NULL,
    outcome         TEXT    NOT NULL CHECK (outcome IN ('success', 'failure', 'denied')),
    detail          TEXT    NOT NULL,
    request_id      TEXT    NOT NULL,
    prev_hash       TEXT    NOT NULL,
    hash            TEXT    NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_region ON audit_log (region, seq);

-- Pruning keeps the chain verifiable: the anchor records the last pruned entry's hash, and
-- verification starts from the newest anchor. Only entries at or below an anchor may be
-- deleted, and an anchor only covers entries older than 180 days (triggers, per engine).
CREATE TABLE audit_anchor (
    upto_seq        BIGINT  NOT NULL PRIMARY KEY,
    hash            TEXT    NOT NULL,
    pruned_at       TEXT    NOT NULL
);

INSERT INTO role (name, title, kind, description) VALUES
    ('sysadmin',      '系统管理员', 'admin',    '创建、停用、解锁账号，重置口令；不能分配角色，不能查看审计日志和业务个人信息'),
    ('secadmin',      '安全管理员', 'admin',    '分配角色和数据范围，签发接口令牌；不能创建账号，不能查看审计日志和业务个人信息'),
    ('auditor',       '审计员',     'admin',    '查询和核验审计日志；只读，不能修改任何数据'),
    ('intake',        '受理员',     'business', '受理申请，录入家庭和申请信息'),
    ('investigator',  '调查员',     'business', '核对与入户调查'),
    ('reviewer',      '审核员',     'business', '乡镇（街道）审核'),
    ('approver',      '审批员',     'business', '县级审批确认'),
    ('payer',         '资金发放员', 'business', '编制和确认发放批次'),
    ('viewer',        '查询员',     'business', '只读查询');

INSERT INTO role_permission (role, permission) VALUES
    ('sysadmin', 'region:read'), ('sysadmin', 'user:read'), ('sysadmin', 'user:create'),
    ('sysadmin', 'user:lock'), ('sysadmin', 'user:reset'), ('sysadmin', 'user:reveal'),
    ('secadmin', 'region:read'), ('secadmin', 'user:read'), ('secadmin', 'user:assign'),
    ('secadmin', 'token:manage'),
    ('auditor', 'region:read'), ('auditor', 'audit:read'),
    ('intake', 'region:read'),
    ('investigator', 'region:read'),
    ('reviewer', 'region:read'),
    ('approver', 'region:read'),
    ('payer', 'region:read'),
    ('viewer', 'region:read');
