-- Hospitals' budgets per product category and fiscal period (BudgetBook), projected from its
-- events. A budget's amount is set once and then changed only by confirmed adjustments; its
-- spent is what funded orders charged less what their refunds returned, as the latest
-- BudgetCharged or BudgetReturned states it. Each adjustment is kept with its proposer, reason
-- code and outcome (applied with its confirmer, or withdrawn by whom).

ALTER TABLE chain_events DROP CONSTRAINT chain_events_contract_known;
ALTER TABLE chain_events ADD CONSTRAINT chain_events_contract_known
  CHECK (contract IN ('forwarder', 'roles', 'token', 'registry', 'tenders', 'agreements', 'hospitals', 'trace',
    'orderBook', 'budgets'));

CREATE TABLE budgets (
  hospital    TEXT NOT NULL,
  category    TEXT NOT NULL,           -- bytes32, lower-case hex
  period      INTEGER NOT NULL,        -- the fiscal year
  amount      NUMERIC(78,0) NOT NULL,
  spent       NUMERIC(78,0) NOT NULL DEFAULT 0,
  set_at      TIMESTAMPTZ NOT NULL,
  set_tx      TEXT NOT NULL,
  last_tx     TEXT NOT NULL,
  last_block  BIGINT NOT NULL,
  PRIMARY KEY (hospital, category, period)
);

CREATE TABLE budget_adjustments (
  id           BIGINT PRIMARY KEY,
  hospital     TEXT NOT NULL,
  category     TEXT NOT NULL,
  period       INTEGER NOT NULL,
  delta        NUMERIC(78,0) NOT NULL,  -- signed: a negative one cuts the budget
  reason_code  INTEGER NOT NULL,
  proposer     TEXT NOT NULL,
  proposed_at  TIMESTAMPTZ NOT NULL,
  proposed_tx  TEXT NOT NULL,
  status       TEXT NOT NULL CONSTRAINT budget_adjustments_status_known
                 CHECK (status IN ('proposed', 'applied', 'withdrawn')),
  decided_by   TEXT,                    -- the confirmer, or who withdrew it
  decided_at   TIMESTAMPTZ,
  new_amount   NUMERIC(78,0),           -- the budget's amount once applied
  last_tx      TEXT NOT NULL,
  last_block   BIGINT NOT NULL
);
CREATE INDEX budget_adjustments_budget ON budget_adjustments (hospital, category, period, id);

CREATE TRIGGER budgets_undo AFTER INSERT OR UPDATE OR DELETE ON budgets
  FOR EACH ROW EXECUTE FUNCTION indexer_record_undo();
CREATE TRIGGER budget_adjustments_undo AFTER INSERT OR UPDATE OR DELETE ON budget_adjustments
  FOR EACH ROW EXECUTE FUNCTION indexer_record_undo();
