-- Usage records from hospital billing systems: each use of a consumable on a patient, the other
-- side of the regulator's purchase–receipt–use comparison. A return or correction is its own row
-- with a negative quantity pointing at the usage it corrects, so history is never rewritten.
-- The patient is stored only as an HMAC of the billing system's reference (salted, not raw).

CREATE TABLE usages (
  hospital          TEXT NOT NULL,
  -- The billing system's own id, unique per hospital.
  usage_id          TEXT NOT NULL,
  gtin              TEXT NOT NULL,
  lot               TEXT NOT NULL,
  serial            TEXT,
  expiry            DATE,
  -- The scan as received, for audit; NULL when the item came as separate fields.
  barcode           TEXT,
  department        TEXT NOT NULL,
  patient_hash      TEXT NOT NULL,
  used_at           TIMESTAMPTZ NOT NULL,
  billing_code      TEXT NOT NULL,
  -- Minor units; negative only on a correction that refunds.
  billed_amount     NUMERIC(78,0) NOT NULL,
  quantity          INTEGER NOT NULL CHECK (quantity <> 0),
  corrects_usage_id TEXT,
  recorded_by       TEXT NOT NULL,
  recorded_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (hospital, usage_id),
  -- Hospital is part of the key, so a correction can only point at its own hospital's usage.
  FOREIGN KEY (hospital, corrects_usage_id) REFERENCES usages (hospital, usage_id),
  CHECK ((quantity < 0) = (corrects_usage_id IS NOT NULL)),
  CHECK (serial IS NULL OR quantity IN (1, -1))
);

-- The reconciliation reads usages per hospital × GTIN × lot up to a point in time; with every
-- column it reads included, a report scans this index alone and never visits the table.
CREATE INDEX usages_lot ON usages (hospital, gtin, lot, used_at)
  INCLUDE (quantity, billed_amount, usage_id, serial, corrects_usage_id);

-- A serial is sold once, anywhere: reuse is counted across hospitals by GTIN and serial.
CREATE INDEX usages_serial ON usages (gtin, serial) INCLUDE (quantity, used_at) WHERE serial IS NOT NULL;

-- The corrections of a usage: its net quantity and refunds, and the over-return check.
CREATE INDEX usages_corrections ON usages (hospital, corrects_usage_id) WHERE corrects_usage_id IS NOT NULL;
