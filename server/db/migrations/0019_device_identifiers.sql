-- Codes beyond GS1. A device identifier of another UDI agency (MA (IDcode), AHM) is known on the
-- ledger by a product key (a number ≥ 10^14, never a GTIN) that SupplierRegistry binds to the
-- agency and identifier (DeviceIdentifierDeclared). Shipments, receipts, usages, stock, recalls
-- and the trail carry the key in their gtin columns as a 15-to-20-digit string; this table maps a
-- scanned or typed identifier to its key, and a key back to what to print and export.
CREATE TABLE device_identifiers (
  product_key        TEXT PRIMARY KEY CHECK (product_key ~ '^[1-9][0-9]{14,19}$'),
  agency             TEXT NOT NULL CHECK (agency IN ('MA', 'AHM')),
  device_identifier  TEXT NOT NULL,
  declared_by        TEXT NOT NULL,
  declared_at        TIMESTAMPTZ NOT NULL,
  last_tx            TEXT NOT NULL,
  last_block         BIGINT NOT NULL,
  UNIQUE (agency, device_identifier)
);
CREATE TRIGGER device_identifiers_undo AFTER INSERT OR UPDATE OR DELETE ON device_identifiers
  FOR EACH ROW EXECUTE FUNCTION indexer_record_undo();
