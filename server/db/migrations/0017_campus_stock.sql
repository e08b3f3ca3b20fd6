-- Multi-campus stock. A hospital group's campuses are its internal structure and live here in
-- the gateway (each a GS1 GLN with a name; the first registered is the main campus, which
-- receipts and usages that name none fall to, so clients from before campuses keep working).
-- Transfers between campuses are custody events on the ledger (CampusTransfers), projected into
-- campus_transfers. Stock per campus × GTIN × lot is computed from receipts, usages, returns and
-- transfers (server/modules/stock); stocktakes keep what the warehouse counted on the shelf.

CREATE TABLE campuses (
  hospital      TEXT NOT NULL,
  -- GS1 Global Location Number: 13 digits with a GS1 check digit; unique worldwide.
  gln           TEXT PRIMARY KEY CHECK (gln ~ '^[0-9]{13}$'),
  name          TEXT NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
  main          BOOLEAN NOT NULL,
  registered_by TEXT NOT NULL,
  registered_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX campuses_one_main ON campuses (hospital) WHERE main;
CREATE INDEX campuses_hospital ON campuses (hospital, gln);

-- The receiving campus; NULL on receipts from before campuses (read as the main campus).
ALTER TABLE receipts ADD COLUMN campus TEXT;
-- The campus where the item was used; NULL on usages from before campuses (the main campus).
ALTER TABLE usages ADD COLUMN campus TEXT;
CREATE INDEX usages_campus_lot ON usages (hospital, campus, gtin, lot);

ALTER TABLE chain_events DROP CONSTRAINT chain_events_contract_known;
ALTER TABLE chain_events ADD CONSTRAINT chain_events_contract_known
  CHECK (contract IN ('forwarder', 'roles', 'token', 'registry', 'tenders', 'agreements', 'hospitals', 'trace',
    'orderBook', 'budgets', 'consignment', 'campusTransfers'));

-- CampusTransferRecorded events: units of a lot moved from one of a hospital's locations to
-- another, recorded on the ledger by a member of the hospital.
CREATE TABLE campus_transfers (
  id            BIGINT PRIMARY KEY,
  hospital      TEXT NOT NULL,
  from_gln      TEXT NOT NULL,
  to_gln        TEXT NOT NULL,
  gtin          TEXT NOT NULL,
  lot           TEXT NOT NULL,
  quantity      NUMERIC(78,0) NOT NULL CHECK (quantity > 0),
  -- Merkle root of the units' serials, or 32 zero bytes when the serials are not known.
  serials_root  TEXT NOT NULL,
  recorded_by   TEXT NOT NULL,
  recorded_at   TIMESTAMPTZ NOT NULL,
  tx_hash       TEXT NOT NULL,
  block_number  BIGINT NOT NULL,
  log_index     INTEGER NOT NULL
);
CREATE INDEX campus_transfers_lot ON campus_transfers (gtin, lot, id);
CREATE INDEX campus_transfers_hospital ON campus_transfers (hospital, id);
CREATE TRIGGER campus_transfers_undo AFTER INSERT OR UPDATE OR DELETE ON campus_transfers
  FOR EACH ROW EXECUTE FUNCTION indexer_record_undo();

-- A stocktake: what the warehouse scanned on a campus's shelves, and the differences against
-- the computed stock, each raised as an exception.
CREATE TABLE stocktakes (
  id          BIGSERIAL PRIMARY KEY,
  hospital    TEXT NOT NULL,
  campus      TEXT NOT NULL REFERENCES campuses (gln),
  counted_by  TEXT NOT NULL,
  counted_at  TIMESTAMPTZ NOT NULL,
  -- [{gtin, lot, expected, counted}] for every lot that differed.
  differences JSONB NOT NULL
);
CREATE INDEX stocktakes_campus ON stocktakes (hospital, campus, id);

-- Each stocktake difference is raised as an exception of its own source, anchored to the lot's
-- latest shipment to the hospital (the exceptions list and its hospital scope go through it).
ALTER TABLE exceptions DROP CONSTRAINT exceptions_source_known;
ALTER TABLE exceptions ADD CONSTRAINT exceptions_source_known
  CHECK (source IN ('match', 'settlement', 'stocktake'));
