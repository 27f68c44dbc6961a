-- 0003_registry.sql — the master registry: persons (自然人), households (家庭), organisations
-- (法人), their change history, and the code lists (字典) the UI offers (issue #5).
--
-- Persons are keyed by 公民身份号码 (GB 11643, validated and normalised before it gets here),
-- organisations by 统一社会信用代码 (GB 32100). region is the 12-digit region the record belongs
-- to — for a person the residence region — and is the data-scope key of every query.
-- A person belongs to at most one current household: a partial unique index enforces it.
-- Every change to a person, household or organisation leaves one row per changed field in
-- record_change (who, when, field, old and new value).
CREATE TABLE dict_item (
    dict        TEXT        NOT NULL,
    code        TEXT        NOT NULL,
    label       TEXT        NOT NULL,
    sort        INTEGER     NOT NULL,
    source      TEXT        NOT NULL,
    PRIMARY KEY (dict, code)
);

CREATE TABLE person (
    id                  BIGINT      NOT NULL PRIMARY KEY,
    id_number           CHAR(18)    NOT NULL UNIQUE,
    name                TEXT        NOT NULL,
    former_names        TEXT,
    sex                 CHAR(1)     NOT NULL CHECK (sex IN ('M', 'F')),
    birth_date          CHAR(10)    NOT NULL,
    ethnicity           CHAR(2),
    hukou_region        CHAR(12),
    hukou_type          TEXT        CHECK (hukou_type IN ('urban', 'rural')),
    region              CHAR(12)    NOT NULL,
    address             TEXT,
    phone               TEXT,
    marital_status      TEXT,
    alive               INTEGER     NOT NULL DEFAULT 1 CHECK (alive IN (0, 1)),
    death_date          CHAR(10),
    labour_ability      TEXT,
    health              TEXT,
    disability_category TEXT,
    disability_grade    TEXT,
    education           TEXT,
    employment          TEXT,
    version             INTEGER     NOT NULL DEFAULT 1,
    created_at          BIGINT      NOT NULL,
    updated_at          BIGINT      NOT NULL
);
CREATE INDEX person_region ON person (region, id);
CREATE INDEX person_name ON person (name, id);
CREATE INDEX person_dup ON person (name, birth_date, region);

CREATE TABLE household (
    id                  BIGINT      NOT NULL PRIMARY KEY,
    region              CHAR(12)    NOT NULL,
    address             TEXT,
    head_person_id      BIGINT      NOT NULL REFERENCES person (id),
    living_together     INTEGER     NOT NULL DEFAULT 1 CHECK (living_together IN (0, 1)),
    version             INTEGER     NOT NULL DEFAULT 1,
    created_at          BIGINT      NOT NULL,
    updated_at          BIGINT      NOT NULL
);
CREATE INDEX household_region ON household (region, id);

-- Membership is dated: joined_on/left_on (YYYY-MM-DD); the current members have left_on NULL.
CREATE TABLE household_member (
    household_id        BIGINT      NOT NULL REFERENCES household (id),
    person_id           BIGINT      NOT NULL REFERENCES person (id),
    relation            CHAR(2)     NOT NULL,
    joined_on           CHAR(10)    NOT NULL,
    left_on             CHAR(10),
    PRIMARY KEY (household_id, person_id, joined_on)
);
CREATE UNIQUE INDEX household_member_current ON household_member (person_id) WHERE left_on IS NULL;
CREATE INDEX household_member_household ON household_member (household_id, left_on);

-- A typed change to households (add_member, remove_member, change_head, split, merge,
-- move_region): validated as a whole when submitted, applied or rejected by a second person.
CREATE TABLE household_request (
    id                  BIGINT      NOT NULL PRIMARY KEY,
    household_id        BIGINT      NOT NULL REFERENCES household (id),
    other_household_id  BIGINT      REFERENCES household (id),
    kind                TEXT        NOT NULL CHECK (kind IN ('add_member', 'remove_member',
                                    'change_head', 'split', 'merge', 'move_region')),
    payload             TEXT        NOT NULL,
    status              TEXT        NOT NULL CHECK (status IN ('pending', 'applied', 'rejected')),
    region              CHAR(12)    NOT NULL,
    created_by          BIGINT      NOT NULL,
    created_at          BIGINT      NOT NULL,
    decided_by          BIGINT,
    decided_at          BIGINT,
    reason              TEXT
);
CREATE INDEX household_request_pending ON household_request (household_id, status);

CREATE TABLE organisation (
    id                  BIGINT      NOT NULL PRIMARY KEY,
    credit_code         CHAR(18)    NOT NULL UNIQUE,
    name                TEXT        NOT NULL,
    org_type            TEXT        NOT NULL,
    region              CHAR(12)    NOT NULL,
    legal_rep_person_id BIGINT      REFERENCES person (id),
    registered_on       CHAR(10),
    status              TEXT        NOT NULL,
    address             TEXT,
    version             INTEGER     NOT NULL DEFAULT 1,
    created_at          BIGINT      NOT NULL,
    updated_at          BIGINT      NOT NULL
);
CREATE INDEX organisation_region ON organisation (region, id);
CREATE INDEX organisation_name ON organisation (name, id);

CREATE TABLE record_change (
    id                  BIGINT      NOT NULL PRIMARY KEY,
    record_type         TEXT        NOT NULL,
    record_id           BIGINT      NOT NULL,
    region              CHAR(12)    NOT NULL,
    at                  BIGINT      NOT NULL,
    actor_id            BIGINT,
    actor_login         TEXT        NOT NULL,
    field               TEXT        NOT NULL,
    old_value           TEXT,
    new_value           TEXT,
    request_id          TEXT        NOT NULL
);
CREATE INDEX record_change_record ON record_change (record_type, record_id, id);

-- Registry permissions for the business roles (roles and permissions: 0002_auth.sql).
INSERT INTO role_permission (role, permission) VALUES
    ('intake', 'person:read'), ('intake', 'person:write'), ('intake', 'person:reveal'),
    ('intake', 'household:read'), ('intake', 'household:write'), ('intake', 'org:read'),
    ('intake', 'registry:import'), ('intake', 'registry:export'),
    ('investigator', 'person:read'), ('investigator', 'person:reveal'),
    ('investigator', 'household:read'), ('investigator', 'org:read'),
    ('reviewer', 'person:read'), ('reviewer', 'household:read'), ('reviewer', 'household:decide'),
    ('reviewer', 'org:read'), ('reviewer', 'registry:export'),
    ('approver', 'person:read'), ('approver', 'person:reveal'), ('approver', 'household:read'),
    ('approver', 'household:decide'), ('approver', 'org:read'), ('approver', 'org:write'),
    ('approver', 'registry:export'),
    ('payer', 'person:read'), ('payer', 'household:read'),
    ('viewer', 'person:read'), ('viewer', 'household:read'), ('viewer', 'org:read');
