-- 0010_assist_payroll.sql — what the payroll needs beside 0008 (issue #10 "Payment";
-- shared/domain/rules.md §8; src/assist/payroll.h).
--
-- The cases a batch skipped, with the reason the county sees (no_bank_account, deceased,
-- suspended, no_amount, no_standard, invalid), written with the batch and never changed.
CREATE TABLE assist_payroll_skip (
    payroll_id          BIGINT      NOT NULL REFERENCES assist_payroll (id),
    case_id             BIGINT      NOT NULL REFERENCES assist_case (id),
    reason              TEXT        NOT NULL,
    PRIMARY KEY (payroll_id, case_id)
);

-- The next batch of a county looks for its failed lines (to reissue) and its unpaid
-- adjustments; both are few, so partial indexes keep the lookups off the whole ledger.
CREATE INDEX assist_payment_failed ON assist_payment (region, id) WHERE status = 'failed';
CREATE INDEX assist_adjustment_open ON assist_adjustment (case_id) WHERE payment_id IS NULL;
