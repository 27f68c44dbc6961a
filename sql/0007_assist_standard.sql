-- 0007_assist_standard.sql — 救助标准 (assistance standards), dated and region-scoped (issue #10,
-- "Programmes and standards"; shared/domain/rules.md §2.4, §2.5, §8).
--
-- A county or higher (2, 4 or 6 significant digits of region) sets a standard; the standard in
-- force for a region and month is the row of the most specific ancestor region that has one,
-- and among its rows the latest effective_from not after the month (src/assist/standard.h).
-- Rows are never changed: a new dated row supersedes (there is no UPDATE route), so changing a
-- standard never rewrites a past payment. amount_fen is per month or per year (period, §8).
-- override_reason: why a 特困基本生活标准 below tekun_basic_min_ratio × the 低保标准 in force was
-- accepted (§2.5). source: the notice that sets the standard (文号).
CREATE TABLE assist_standard (
    id              BIGINT      NOT NULL PRIMARY KEY,
    region          CHAR(12)    NOT NULL,
    kind            TEXT        NOT NULL CHECK (kind IN ('dibao_urban', 'dibao_rural',
                                'tekun_basic_urban', 'tekun_basic_rural', 'tekun_care_1',
                                'tekun_care_2', 'tekun_care_3')),
    amount_fen      BIGINT      NOT NULL CHECK (amount_fen >= 0),
    period          TEXT        NOT NULL CHECK (period IN ('month', 'year')),
    effective_from  CHAR(7)     NOT NULL,
    override_reason TEXT,
    source          TEXT        NOT NULL,
    created_by      BIGINT      NOT NULL,
    created_at      BIGINT      NOT NULL
);
CREATE INDEX assist_standard_kind ON assist_standard (kind, region, effective_from);

-- Reading standards: every business role; setting them: the county approver (审批员).
INSERT INTO role_permission (role, permission) VALUES
    ('intake', 'assist:standard:read'), ('investigator', 'assist:standard:read'),
    ('reviewer', 'assist:standard:read'), ('approver', 'assist:standard:read'),
    ('payer', 'assist:standard:read'), ('viewer', 'assist:standard:read'),
    ('approver', 'assist:standard:write');
