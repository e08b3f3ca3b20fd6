-- A hospital's return of consigned stock waits for its supplier (ConsignedReturnRequested): the
-- units leave the shelf at once, their value stays in the book until the supplier confirms
-- (ConsignedStockReturned) or refuses (ConsignedReturnRefused, the units back on hand). One
-- pending return per shipment, as on the ledger.

ALTER TABLE consigned_stock
  ADD COLUMN pending_units  INTEGER NOT NULL DEFAULT 0,
  ADD COLUMN pending_value  NUMERIC(78,0) NOT NULL DEFAULT 0,
  ADD COLUMN pending_reason INTEGER,
  ADD COLUMN pending_by     TEXT,
  ADD COLUMN pending_at     TIMESTAMPTZ,
  ADD COLUMN answer_by      TIMESTAMPTZ,
  ADD COLUMN pending_tx     TEXT;
ALTER TABLE consigned_stock DROP CONSTRAINT consigned_stock_check;
ALTER TABLE consigned_stock ADD CONSTRAINT consigned_stock_units_out
  CHECK (used + returned + expired + pending_units <= received);

-- A return's three steps: requested by the hospital (units off the shelf), then confirmed (its
-- value back to the hospital) or refused (units back on the shelf); 'return' stays the
-- supplier's own return after the term, final at once.
ALTER TABLE consignment_movements DROP CONSTRAINT consignment_movements_kind_known;
ALTER TABLE consignment_movements ADD CONSTRAINT consignment_movements_kind_known
  CHECK (kind IN ('consumption', 'return', 'return-requested', 'return-confirmed', 'return-refused', 'expiry'));
