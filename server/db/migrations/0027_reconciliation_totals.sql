-- Running totals for the reconciliation report (reconciliation.repository.ts), so that a report
-- reads one row per hospital × GTIN × lot instead of every usage (docs/performance.md,
-- "Reconciliation over ten million usages").
--
-- How they stay exact: usages are only ever inserted (a return is a new row; the guard below
-- refuses UPDATE, DELETE and TRUNCATE), and every INSERT into usages or received_serials runs a
-- statement trigger that adds the statement's rows to the totals in the same transaction. The
-- totals therefore change exactly when the rows they summarise become visible, and a rolled-back
-- insert rolls its addition back with it. The trigger adds with INSERT … ON CONFLICT DO UPDATE,
-- which waits for any other transaction adding to the same row and then adds to what it
-- committed, so concurrent writers never lose an addition. Its rows are upserted in key order,
-- so two statements adding to the same rows take their locks in the same order.
--
-- Some columns are not figures but bounds: they only grow, and the report uses them to choose
-- the few rows or serials whose raw usages it then checks exactly (the flags' candidates).

-- A correction never adds to the bill (usages.service.ts refuses it). The price bound below
-- relies on it: a usage net of any of its corrections is billed at most what it was billed.
ALTER TABLE usages ADD CONSTRAINT usages_corrections_refund CHECK (quantity > 0 OR billed_amount <= 0);

-- Per hospital × GTIN × lot: every usage ever inserted, whatever its time. A report as of an
-- earlier instant takes back out the usages at or after it (a range of usages_lot), and only for
-- the rows whose last use is that late.
CREATE TABLE usage_totals (
  hospital          TEXT NOT NULL,
  gtin              TEXT NOT NULL,
  lot               TEXT NOT NULL,
  -- Units of the positive usages, and of the returns (negative usages) as a positive number.
  used              BIGINT NOT NULL,
  returned          BIGINT NOT NULL,
  -- Units of the usages with a non-zero amount (a return without a refund leaves them billed).
  billed_quantity   BIGINT NOT NULL,
  billed_amount     NUMERIC NOT NULL,
  last_used_at      TIMESTAMPTZ NOT NULL,
  -- An upper bound on what any standing usage here is billed per unit, net of corrections
  -- (PRICE_MARKUP's candidates): the largest of ceil(amount / quantity) over the positive usages
  -- and of the whole amount of every usage that has a correction. A usage with no correction is
  -- billed amount / quantity a unit; one with corrections keeps at least one unit and at most its
  -- amount (refunds are never positive), so at most its amount a unit. NULL while no usage is
  -- positive.
  unit_amount_bound NUMERIC,
  PRIMARY KEY (hospital, gtin, lot)
);

-- Per GTIN × serial (serialised items only): how often it was used and where, and which hospital
-- received it first (received_serials), to tell the serials that may be used twice
-- (SERIAL_REUSED) or somewhere other than where they were received (RESOLD): the candidates.
CREATE TABLE serial_uses (
  gtin        TEXT NOT NULL,
  serial      TEXT NOT NULL,
  -- Positive usages of the serial, at any hospital.
  uses        BIGINT NOT NULL,
  -- The least and greatest hospital that used it: they differ, or differ from the receiver, iff
  -- a hospital other than the receiver used it.
  hospital_lo TEXT,
  hospital_hi TEXT,
  -- The hospital of its received_serials row as last inserted.
  receiver    TEXT,
  -- Once a hospital other than the receiver of the moment used it; never reset.
  resold      BOOLEAN NOT NULL,
  PRIMARY KEY (gtin, serial)
);

-- The candidates of SERIAL_REUSED and RESOLD by report row: every use of a serial used more than
-- once or resold, so a page of the report finds the few serials it must check by its own rows.
-- Complete because a serial once a candidate stays one (uses only grow, resold is never reset)
-- and every statement that uses a candidate serial, or makes a serial one, adds the rows of all
-- its uses it can see; it can see every use committed before it, as it has just waited on the
-- serial's row in serial_uses for any transaction adding to it.
CREATE TABLE serial_candidates (
  hospital TEXT NOT NULL,
  gtin     TEXT NOT NULL,
  lot      TEXT NOT NULL,
  serial   TEXT NOT NULL,
  PRIMARY KEY (hospital, gtin, lot, serial)
);

CREATE FUNCTION usages_add_to_totals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO usage_totals AS t
    (hospital, gtin, lot, used, returned, billed_quantity, billed_amount, last_used_at, unit_amount_bound)
  SELECT hospital, gtin, lot,
    COALESCE(sum(quantity) FILTER (WHERE quantity > 0), 0),
    COALESCE(-sum(quantity) FILTER (WHERE quantity < 0), 0),
    COALESCE(sum(quantity) FILTER (WHERE billed_amount <> 0), 0),
    sum(billed_amount), max(used_at), max(bound)
  FROM (
    SELECT hospital, gtin, lot, quantity, billed_amount, used_at,
      -- ceil(amount / quantity) in integers: div truncates toward zero, so add one for a positive remainder.
      CASE WHEN quantity > 0
        THEN div(billed_amount, quantity) + CASE WHEN mod(billed_amount, quantity) > 0 THEN 1 ELSE 0 END
      END AS bound
    FROM inserted
    UNION ALL
    -- The usage a correction corrects is bounded by its whole amount from now on, under its own
    -- lot (the foreign key guarantees it exists, so its row here does too).
    SELECT o.hospital, o.gtin, o.lot, 0, 0, NULL, o.billed_amount
    FROM inserted c JOIN usages o ON o.hospital = c.hospital AND o.usage_id = c.corrects_usage_id
  ) added
  GROUP BY hospital, gtin, lot
  ORDER BY hospital, gtin, lot
  ON CONFLICT (hospital, gtin, lot) DO UPDATE SET
    used = t.used + excluded.used,
    returned = t.returned + excluded.returned,
    billed_quantity = t.billed_quantity + excluded.billed_quantity,
    billed_amount = t.billed_amount + excluded.billed_amount,
    last_used_at = greatest(t.last_used_at, excluded.last_used_at),
    unit_amount_bound = greatest(t.unit_amount_bound, excluded.unit_amount_bound);

  INSERT INTO serial_uses AS s (gtin, serial, uses, hospital_lo, hospital_hi, receiver, resold)
  SELECT gtin, serial, sum(quantity), min(hospital), max(hospital), NULL, FALSE
  FROM inserted
  WHERE serial IS NOT NULL AND quantity > 0
  GROUP BY gtin, serial
  ORDER BY gtin, serial
  ON CONFLICT (gtin, serial) DO UPDATE SET
    uses = s.uses + excluded.uses,
    hospital_lo = least(s.hospital_lo, excluded.hospital_lo),
    hospital_hi = greatest(s.hospital_hi, excluded.hospital_hi),
    resold = s.resold
      OR COALESCE(excluded.hospital_lo <> s.receiver OR excluded.hospital_hi <> s.receiver, FALSE);

  INSERT INTO serial_candidates (hospital, gtin, lot, serial)
  SELECT DISTINCT u.hospital, u.gtin, u.lot, u.serial
  FROM (SELECT DISTINCT gtin, serial FROM inserted WHERE serial IS NOT NULL) n
  JOIN serial_uses s ON s.gtin = n.gtin AND s.serial = n.serial AND (s.uses > 1 OR s.resold)
  JOIN usages u ON u.gtin = n.gtin AND u.serial = n.serial
  ORDER BY 1, 2, 3, 4
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END
$$;

-- The receiving side of RESOLD. Both triggers write the serial's one row, so a receipt and a use
-- of the same serial in concurrent transactions are added one after the other, the second seeing
-- the first: whichever comes second sets `resold` if the hospitals differ.
CREATE FUNCTION received_serials_add_to_totals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO serial_uses AS s (gtin, serial, uses, hospital_lo, hospital_hi, receiver, resold)
  SELECT gtin, serial, 0, NULL, NULL, hospital, FALSE
  FROM received
  ORDER BY gtin, serial
  ON CONFLICT (gtin, serial) DO UPDATE SET
    receiver = excluded.receiver,
    resold = s.resold
      OR COALESCE(s.hospital_lo <> excluded.receiver OR s.hospital_hi <> excluded.receiver, FALSE);

  INSERT INTO serial_candidates (hospital, gtin, lot, serial)
  SELECT DISTINCT u.hospital, u.gtin, u.lot, u.serial
  FROM received r
  JOIN serial_uses s ON s.gtin = r.gtin AND s.serial = r.serial AND s.resold
  JOIN usages u ON u.gtin = r.gtin AND u.serial = r.serial
  ORDER BY 1, 2, 3, 4
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END
$$;

CREATE FUNCTION usages_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'usages are never changed or deleted (record a correction): usage_totals and serial_uses count every row';
END
$$;

-- Created before the backfill, in the migration's transaction: the triggers' lock on the tables
-- holds off every other writer until the backfill has committed, so no row is counted twice or
-- missed.
CREATE TRIGGER usages_add_to_totals AFTER INSERT ON usages
  REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION usages_add_to_totals();
CREATE TRIGGER usages_refuse_change BEFORE UPDATE OR DELETE ON usages
  FOR EACH ROW EXECUTE FUNCTION usages_refuse_change();
CREATE TRIGGER usages_refuse_truncate BEFORE TRUNCATE ON usages
  FOR EACH STATEMENT EXECUTE FUNCTION usages_refuse_change();
-- A received serial is released by DELETE (a rejected exception): the bound stays, which only
-- makes it a candidate the report checks and drops. Inserted or changed, its receiver counts.
CREATE TRIGGER received_serials_add_to_totals AFTER INSERT ON received_serials
  REFERENCING NEW TABLE AS received FOR EACH STATEMENT EXECUTE FUNCTION received_serials_add_to_totals();
CREATE TRIGGER received_serials_update_totals AFTER UPDATE ON received_serials
  REFERENCING NEW TABLE AS received FOR EACH STATEMENT EXECUTE FUNCTION received_serials_add_to_totals();

-- The backfill: the same sums over the rows already there.
INSERT INTO usage_totals
  (hospital, gtin, lot, used, returned, billed_quantity, billed_amount, last_used_at, unit_amount_bound)
SELECT hospital, gtin, lot,
  COALESCE(sum(quantity) FILTER (WHERE quantity > 0), 0),
  COALESCE(-sum(quantity) FILTER (WHERE quantity < 0), 0),
  COALESCE(sum(quantity) FILTER (WHERE billed_amount <> 0), 0),
  sum(billed_amount), max(used_at), max(bound)
FROM (
  SELECT hospital, gtin, lot, quantity, billed_amount, used_at,
    CASE WHEN quantity > 0
      THEN div(billed_amount, quantity) + CASE WHEN mod(billed_amount, quantity) > 0 THEN 1 ELSE 0 END
    END AS bound
  FROM usages
  UNION ALL
  SELECT o.hospital, o.gtin, o.lot, 0, 0, NULL, o.billed_amount
  FROM usages o
  WHERE EXISTS (SELECT 1 FROM usages c WHERE c.hospital = o.hospital AND c.corrects_usage_id = o.usage_id)
) existing
GROUP BY hospital, gtin, lot;

INSERT INTO serial_uses (gtin, serial, uses, hospital_lo, hospital_hi, receiver, resold)
SELECT u.gtin, u.serial, sum(u.quantity), min(u.hospital), max(u.hospital), r.hospital,
  COALESCE(min(u.hospital) <> r.hospital OR max(u.hospital) <> r.hospital, FALSE)
FROM usages u
LEFT JOIN received_serials r ON r.gtin = u.gtin AND r.serial = u.serial
WHERE u.serial IS NOT NULL AND u.quantity > 0
GROUP BY u.gtin, u.serial, r.hospital;

INSERT INTO serial_uses (gtin, serial, uses, hospital_lo, hospital_hi, receiver, resold)
SELECT gtin, serial, 0, NULL, NULL, hospital, FALSE
FROM received_serials
ON CONFLICT (gtin, serial) DO NOTHING;

INSERT INTO serial_candidates (hospital, gtin, lot, serial)
SELECT DISTINCT u.hospital, u.gtin, u.lot, u.serial
FROM usages u
JOIN serial_uses s ON s.gtin = u.gtin AND s.serial = u.serial AND (s.uses > 1 OR s.resold);
