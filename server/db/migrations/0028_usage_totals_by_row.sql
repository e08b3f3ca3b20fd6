-- Usages add to the reconciliation totals (migration 0027) row by row instead of by statement.
--
-- Why: the gateway inserts one usage a statement (POST /v1/usages), and for one row the
-- statement trigger's transition table and three queries over it cost more than the insert
-- itself: on PGlite a usage ran at about 300 requests a second with it and about 450 with this
-- one (docs/performance.md, "Gateway routes against a bare route").
--
-- The totals stay exact for the same reasons as before: each row adds its own figures in the
-- inserting transaction, and sums, maxima and bounds do not depend on how rows are grouped. The
-- serial candidates are found as before, for each row with a serial, once its serial's row in
-- serial_uses is locked (or, for a return, without it, as before).
--
-- Locks: a row takes its totals row, then its serial's row. The gateway inserts one usage a
-- statement, so no statement holds two totals rows. A multi-row INSERT takes them in its rows'
-- order and, row by row, is slow: a bulk load disables this trigger and then calls
-- usage_totals_rebuild() (bench/reconciliation.ts does), in a transaction of its own.

DROP TRIGGER usages_add_to_totals ON usages;
DROP FUNCTION usages_add_to_totals();

CREATE FUNCTION usage_add_to_totals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO usage_totals AS t
    (hospital, gtin, lot, used, returned, billed_quantity, billed_amount, last_used_at, unit_amount_bound)
  VALUES (
    NEW.hospital, NEW.gtin, NEW.lot,
    greatest(NEW.quantity, 0),
    greatest(-NEW.quantity, 0),
    CASE WHEN NEW.billed_amount <> 0 THEN NEW.quantity ELSE 0 END,
    NEW.billed_amount,
    NEW.used_at,
    -- ceil(amount / quantity) in integers: div truncates toward zero, so add one for a positive remainder.
    CASE WHEN NEW.quantity > 0
      THEN div(NEW.billed_amount, NEW.quantity) + CASE WHEN mod(NEW.billed_amount, NEW.quantity) > 0 THEN 1 ELSE 0 END
    END)
  ON CONFLICT (hospital, gtin, lot) DO UPDATE SET
    used = t.used + excluded.used,
    returned = t.returned + excluded.returned,
    billed_quantity = t.billed_quantity + excluded.billed_quantity,
    billed_amount = t.billed_amount + excluded.billed_amount,
    last_used_at = greatest(t.last_used_at, excluded.last_used_at),
    unit_amount_bound = greatest(t.unit_amount_bound, excluded.unit_amount_bound);

  -- The usage a correction corrects is bounded by its whole amount from now on, under its own lot.
  IF NEW.corrects_usage_id IS NOT NULL THEN
    UPDATE usage_totals t SET unit_amount_bound = greatest(t.unit_amount_bound, o.billed_amount)
    FROM usages o
    WHERE o.hospital = NEW.hospital AND o.usage_id = NEW.corrects_usage_id
      AND t.hospital = o.hospital AND t.gtin = o.gtin AND t.lot = o.lot;
  END IF;

  IF NEW.serial IS NOT NULL THEN
    IF NEW.quantity > 0 THEN
      INSERT INTO serial_uses AS s (gtin, serial, uses, hospital_lo, hospital_hi, receiver, resold)
      VALUES (NEW.gtin, NEW.serial, NEW.quantity, NEW.hospital, NEW.hospital, NULL, FALSE)
      ON CONFLICT (gtin, serial) DO UPDATE SET
        uses = s.uses + excluded.uses,
        hospital_lo = least(s.hospital_lo, excluded.hospital_lo),
        hospital_hi = greatest(s.hospital_hi, excluded.hospital_hi),
        resold = s.resold
          OR COALESCE(excluded.hospital_lo <> s.receiver OR excluded.hospital_hi <> s.receiver, FALSE);
    END IF;

    INSERT INTO serial_candidates (hospital, gtin, lot, serial)
    SELECT DISTINCT u.hospital, u.gtin, u.lot, u.serial
    FROM serial_uses s
    JOIN usages u ON u.gtin = s.gtin AND u.serial = s.serial
    WHERE s.gtin = NEW.gtin AND s.serial = NEW.serial AND (s.uses > 1 OR s.resold)
    ORDER BY 1, 2, 3, 4
    ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER usages_add_to_totals AFTER INSERT ON usages
  FOR EACH ROW EXECUTE FUNCTION usage_add_to_totals();

-- The totals computed again from the raw rows (0027's backfill), replacing what is there: for a
-- bulk load made with the trigger above disabled. Locks the tables it reads and writes against
-- writers for its transaction, so nothing added meanwhile is counted twice or lost.
CREATE FUNCTION usage_totals_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE usages, received_serials, usage_totals, serial_uses, serial_candidates IN SHARE ROW EXCLUSIVE MODE;
  DELETE FROM usage_totals;
  DELETE FROM serial_uses;
  DELETE FROM serial_candidates;

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
END
$$;
