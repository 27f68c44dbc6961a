-- 0008_assist_case.sql — 社会救助 cases, their action log, per-region settings, bank accounts
-- and the monthly payroll (issue #10; shared/domain/rules.md §1–§4, §8).
--
-- A case (申请/案件) is its append-only list of actions (assist_case_action); its state is derived
-- from them by src/assist/case_fsm.c. assist_case keeps the derived state, the current stage's
-- deadline and the decided amounts beside the case's facts, written in the same transaction as
-- the action that changes them, so lists, work lists and the payroll need no replay.
-- Months are yyyymm integers, days yyyymmdd integers (China time), money integer fen.

-- Per-region values of the configurable numbers of rules.md's closing table: the most specific
-- region that set a key wins, and of its rows the newest (src/assist/setting.c). Rows are never
-- changed; source names the notice that set the value.
CREATE TABLE assist_setting (
    id              BIGINT      NOT NULL PRIMARY KEY,
    region          CHAR(12)    NOT NULL,
    key             TEXT        NOT NULL,
    value           TEXT        NOT NULL,
    source          TEXT        NOT NULL,
    created_by      BIGINT      NOT NULL,
    created_at      BIGINT      NOT NULL
);
CREATE INDEX assist_setting_key ON assist_setting (key, region, id);

CREATE TABLE assist_case (
    id                  BIGINT      NOT NULL PRIMARY KEY,
    programme           TEXT        NOT NULL CHECK (programme IN ('dibao', 'tekun', 'lshi_urgent',
                                    'lshi_expense', 'edge', 'gangxing')),
    urban               INTEGER     NOT NULL CHECK (urban IN (0, 1)),
    region              CHAR(12)    NOT NULL,
    household_id        BIGINT      REFERENCES household (id),
    applicant_id        BIGINT      NOT NULL REFERENCES person (id),
    single_person       INTEGER     NOT NULL DEFAULT 0 CHECK (single_person IN (0, 1)),
    channel             TEXT        NOT NULL CHECK (channel IN ('window', 'online', 'proxy',
                                    'discovered')),
    residence_permit    INTEGER     NOT NULL DEFAULT 0 CHECK (residence_permit IN (0, 1)),
    staff_relative      INTEGER     NOT NULL DEFAULT 0 CHECK (staff_relative IN (0, 1)),
    care_mode           TEXT        CHECK (care_mode IN ('central', 'dispersed')),
    authorised          INTEGER     NOT NULL DEFAULT 0 CHECK (authorised IN (0, 1)),
    state               TEXT        NOT NULL,
    action_count        INTEGER     NOT NULL,
    accepted_on         INTEGER,
    due_on              INTEGER,
    extended            INTEGER     NOT NULL DEFAULT 0 CHECK (extended IN (0, 1)),
    -- the decision, read by the payroll: how the monthly amount is computed and from when
    amount_method       TEXT        CHECK (amount_method IN ('gap', 'fixed', 'tekun', 'once')),
    per_capita_income_fen BIGINT,
    covered_members     INTEGER,
    fixed_amount_fen    BIGINT,
    care_tier           INTEGER     CHECK (care_tier BETWEEN 1 AND 3),
    start_month         INTEGER,
    stop_month          INTEGER,
    taper_until         INTEGER,
    next_review_on      INTEGER,
    bank_account_id     BIGINT,
    first_paid_payroll  BIGINT,
    created_by          BIGINT      NOT NULL,
    created_at          BIGINT      NOT NULL,
    updated_at          BIGINT      NOT NULL
);
CREATE INDEX assist_case_region ON assist_case (region, id);
CREATE INDEX assist_case_state ON assist_case (state, region, due_on);
-- One open case per applicant and programme: a second application is the same case (409).
CREATE UNIQUE INDEX assist_case_open ON assist_case (applicant_id, programme)
    WHERE state NOT IN ('rejected', 'terminated', 'granted', 'withdrawn');

-- The members of the applying household at application (§1.2): covered or excluded with reason.
CREATE TABLE assist_case_member (
    case_id             BIGINT      NOT NULL REFERENCES assist_case (id),
    person_id           BIGINT      NOT NULL REFERENCES person (id),
    relation            CHAR(2)     NOT NULL,
    covered             INTEGER     NOT NULL CHECK (covered IN (0, 1)),
    excluded_reason     TEXT,
    PRIMARY KEY (case_id, person_id)
);

-- Declared income (monthly amount over `months` of the look-back period) and property items
-- (§1.3); type is an enum assist_income_type name or a property kind.
CREATE TABLE assist_case_item (
    case_id             BIGINT      NOT NULL REFERENCES assist_case (id),
    seq                 INTEGER     NOT NULL,
    kind                TEXT        NOT NULL CHECK (kind IN ('income', 'property')),
    type                TEXT        NOT NULL,
    person_id           BIGINT      REFERENCES person (id),
    amount_fen          BIGINT      NOT NULL CHECK (amount_fen >= 0),
    months              INTEGER     NOT NULL DEFAULT 1,
    note                TEXT,
    PRIMARY KEY (case_id, seq)
);

-- The case history: one row per action, never changed (append-only triggers in 0009). The
-- idempotency key is unique per actor: a retried request finds its first answer.
CREATE TABLE assist_case_action (
    id                  BIGINT      NOT NULL PRIMARY KEY,
    case_id             BIGINT      NOT NULL REFERENCES assist_case (id),
    seq                 INTEGER     NOT NULL,
    action              TEXT        NOT NULL,
    from_state          TEXT,
    to_state            TEXT        NOT NULL,
    actor_id            BIGINT      NOT NULL,
    actor_login         TEXT        NOT NULL,
    at                  BIGINT      NOT NULL,
    day                 INTEGER     NOT NULL,
    comment             TEXT,
    data                TEXT,
    idempotency_key     TEXT        NOT NULL,
    request_hash        TEXT        NOT NULL,
    UNIQUE (case_id, seq),
    UNIQUE (actor_id, idempotency_key)
);

-- A payee's bank account (社银一体化发放): the number is stored encrypted (SM4-CTR + HMAC-SM3,
-- key file outside the database) and shown masked; a change is a new row.
CREATE TABLE assist_bank_account (
    id                  BIGINT      NOT NULL PRIMARY KEY,
    case_id             BIGINT      NOT NULL REFERENCES assist_case (id),
    person_id           BIGINT      NOT NULL REFERENCES person (id),
    bank_name           TEXT        NOT NULL,
    account_cipher      TEXT        NOT NULL,
    account_masked      TEXT        NOT NULL,
    created_by          BIGINT      NOT NULL,
    created_at          BIGINT      NOT NULL
);
CREATE INDEX assist_bank_account_case ON assist_bank_account (case_id, id);

-- A monthly payment batch of one county. At most one batch per county and month that is not
-- cancelled; a confirmed batch is immutable except for the bank's return (paid/failed).
CREATE TABLE assist_payroll (
    id                  BIGINT      NOT NULL PRIMARY KEY,
    county              CHAR(12)    NOT NULL,
    month               INTEGER     NOT NULL,
    status              TEXT        NOT NULL CHECK (status IN ('draft', 'confirmed', 'cancelled')),
    line_count          BIGINT      NOT NULL,
    total_fen           BIGINT      NOT NULL,
    paid_count          BIGINT      NOT NULL DEFAULT 0,
    paid_fen            BIGINT      NOT NULL DEFAULT 0,
    failed_count        BIGINT      NOT NULL DEFAULT 0,
    failed_fen          BIGINT      NOT NULL DEFAULT 0,
    created_by          BIGINT      NOT NULL,
    created_at          BIGINT      NOT NULL,
    confirmed_by        BIGINT,
    confirmed_at        BIGINT,
    cancelled_by        BIGINT,
    cancelled_at        BIGINT
);
CREATE UNIQUE INDEX assist_payroll_month ON assist_payroll (county, month)
    WHERE status <> 'cancelled';

-- The ledger: one line per case and month paid (regular, arrears, reissue of a failed line,
-- once for 临时救助, adjust). A case and month are paid at most once: the partial unique index.
CREATE TABLE assist_payment (
    id                  BIGINT      NOT NULL PRIMARY KEY,
    payroll_id          BIGINT      NOT NULL REFERENCES assist_payroll (id),
    case_id             BIGINT      NOT NULL REFERENCES assist_case (id),
    programme           TEXT        NOT NULL,
    region              CHAR(12)    NOT NULL,
    person_id           BIGINT      NOT NULL,
    bank_account_id     BIGINT,
    for_month           INTEGER     NOT NULL,
    kind                TEXT        NOT NULL CHECK (kind IN ('regular', 'arrears', 'reissue',
                                    'once', 'adjust')),
    amount_fen          BIGINT      NOT NULL,
    status              TEXT        NOT NULL CHECK (status IN ('pending', 'cancelled', 'paid',
                                    'failed', 'reissued')),
    fail_reason         TEXT,
    reissue_of          BIGINT
);
CREATE INDEX assist_payment_payroll ON assist_payment (payroll_id, id);
CREATE INDEX assist_payment_case ON assist_payment (case_id, for_month);
CREATE UNIQUE INDEX assist_payment_once ON assist_payment (case_id, for_month)
    WHERE status IN ('pending', 'paid') AND kind <> 'adjust';

-- An amount owed or recovered outside the regular month (补发/扣回), paid by the next payroll.
CREATE TABLE assist_adjustment (
    id                  BIGINT      NOT NULL PRIMARY KEY,
    case_id             BIGINT      NOT NULL REFERENCES assist_case (id),
    for_month           INTEGER     NOT NULL,
    amount_fen          BIGINT      NOT NULL,
    reason              TEXT        NOT NULL,
    payment_id          BIGINT,
    created_by          BIGINT      NOT NULL,
    created_at          BIGINT      NOT NULL
);

-- Case permissions: 受理员 takes applications, 调查员 investigates, 审核员 gives the township
-- opinion (and confirms where the county delegated it), 审批员 decides at the county and sets
-- settings, 资金发放员 builds and confirms payrolls, 查询员 reads.
INSERT INTO role_permission (role, permission) VALUES
    ('intake', 'assist:case:read'), ('intake', 'assist:case:intake'),
    ('investigator', 'assist:case:read'), ('investigator', 'assist:case:investigate'),
    ('reviewer', 'assist:case:read'), ('reviewer', 'assist:case:review'),
    ('approver', 'assist:case:read'), ('approver', 'assist:case:decide'),
    ('approver', 'assist:setting:write'),
    ('payer', 'assist:case:read'), ('payer', 'assist:payroll'), ('payer', 'assist:bank:write'),
    ('intake', 'assist:bank:write'),
    ('viewer', 'assist:case:read'),
    ('intake', 'assist:setting:read'), ('investigator', 'assist:setting:read'),
    ('reviewer', 'assist:setting:read'), ('approver', 'assist:setting:read'),
    ('payer', 'assist:setting:read'), ('viewer', 'assist:setting:read');
