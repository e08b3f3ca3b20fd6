-- Department budgets: a hospital's own allocation of its spending to its departments, per
-- product category and month. Departments are internal to a hospital, so they live here in the
-- gateway and never on the ledger; consumption against them is computed from usage records.

CREATE TABLE department_budgets (
  hospital   TEXT NOT NULL,
  department TEXT NOT NULL,
  -- The agreement category (a 32-byte code, lower-cased) the budget covers.
  category   TEXT NOT NULL,
  -- YYYY-MM in the gateway's TIME_ZONE.
  month      TEXT NOT NULL CHECK (month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
  -- Fen.
  amount     NUMERIC(78,0) NOT NULL CHECK (amount >= 0),
  set_by     TEXT NOT NULL,
  set_at     TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (hospital, month, department, category)
);

-- Consumption reads one hospital's usages over a month or a few: by hospital and time.
CREATE INDEX usages_hospital_time ON usages (hospital, used_at);
