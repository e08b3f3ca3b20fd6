-- What the reconciliation and the recall exposure count as sent out of a hospital
-- (reconciliation.repository.ts, sentOut): consigned returns, a handful of rows among every
-- consumption line of consignment_movements, found by a partial index rather than a scan of
-- the table; and transfers by hospital × GTIN × lot, the report's own key.
CREATE INDEX consignment_movements_out ON consignment_movements (shipment_id)
  WHERE kind IN ('return', 'return-requested', 'return-refused');
CREATE INDEX campus_transfers_lot_of_hospital ON campus_transfers (hospital, gtin, lot);
