-- Consignment (ConsignmentBook): agreements on consignment terms, orders elected as
-- consignments, each consigned shipment's stock (received, used, returned, expired, held
-- value) and every consumption line, return and write-off, projected from its events. The
-- payment outbox (settlement_jobs) also carries consumption batches: one job per batch, with
-- the usages it pays in consumption_batch_usages, so a usage is paid at most once.

ALTER TABLE chain_events DROP CONSTRAINT chain_events_contract_known;
ALTER TABLE chain_events ADD CONSTRAINT chain_events_contract_known
  CHECK (contract IN ('forwarder', 'roles', 'token', 'registry', 'tenders', 'agreements', 'hospitals', 'trace',
    'orderBook', 'budgets', 'consignment'));

CREATE TABLE consignment_terms (
  agreement_id          BIGINT PRIMARY KEY,
  supplier              TEXT NOT NULL,
  hospital_bears_expiry BOOLEAN NOT NULL,
  offered_at            TIMESTAMPTZ NOT NULL,
  last_tx               TEXT NOT NULL,
  last_block            BIGINT NOT NULL
);

CREATE TABLE consigned_orders (
  order_id     BIGINT PRIMARY KEY,
  agreement_id BIGINT NOT NULL,
  hospital     TEXT NOT NULL,
  elected_by   TEXT NOT NULL,
  elected_at   TIMESTAMPTZ NOT NULL,
  last_tx      TEXT NOT NULL,
  last_block   BIGINT NOT NULL
);

-- One consigned shipment: on hand = received − used − returned − expired; held is the value of
-- the units on hand; paid and refunded are what left the book for it.
CREATE TABLE consigned_stock (
  shipment_id  BIGINT PRIMARY KEY,
  order_id     BIGINT NOT NULL,
  hospital     TEXT NOT NULL,
  supplier     TEXT NOT NULL,
  expiry       TIMESTAMPTZ NOT NULL,
  received     INTEGER NOT NULL,
  used         INTEGER NOT NULL DEFAULT 0,
  returned     INTEGER NOT NULL DEFAULT 0,
  expired      INTEGER NOT NULL DEFAULT 0,
  value        NUMERIC(78,0) NOT NULL,
  held         NUMERIC(78,0) NOT NULL,
  paid         NUMERIC(78,0) NOT NULL DEFAULT 0,
  refunded     NUMERIC(78,0) NOT NULL DEFAULT 0,
  consigned_at TIMESTAMPTZ NOT NULL,
  consigned_tx TEXT NOT NULL,
  last_tx      TEXT NOT NULL,
  last_block   BIGINT NOT NULL,
  CHECK (used + returned + expired <= received)
);
CREATE INDEX consigned_stock_hospital ON consigned_stock (hospital, shipment_id);
CREATE INDEX consigned_stock_supplier ON consigned_stock (supplier, shipment_id);

-- Every movement out of consigned stock, in chain order: a consumption line, a return or a
-- write-off; amount is what it paid the supplier or gave back.
CREATE TABLE consignment_movements (
  tx_hash      TEXT NOT NULL,
  log_index    INTEGER NOT NULL,
  kind         TEXT NOT NULL CONSTRAINT consignment_movements_kind_known
                 CHECK (kind IN ('consumption', 'return', 'expiry')),
  shipment_id  BIGINT NOT NULL,
  order_id     BIGINT NOT NULL,
  hospital     TEXT NOT NULL,
  supplier     TEXT NOT NULL,
  batch_id     TEXT,
  units        INTEGER NOT NULL,
  amount       NUMERIC(78,0) NOT NULL,
  to_supplier  BOOLEAN NOT NULL,
  actor        TEXT,
  reason_code  INTEGER,
  at           TIMESTAMPTZ NOT NULL,
  block_number BIGINT NOT NULL,
  PRIMARY KEY (tx_hash, log_index)
);
CREATE INDEX consignment_movements_hospital ON consignment_movements (hospital, block_number, log_index);
CREATE INDEX consignment_movements_supplier ON consignment_movements (supplier, block_number, log_index);

-- Confirmed consumption batches (ConsumptionBatchConfirmed), one per batch id.
CREATE TABLE consumption_batches (
  batch_id     TEXT PRIMARY KEY,
  hospital     TEXT NOT NULL,
  supplier     TEXT NOT NULL,
  settled_by   TEXT NOT NULL,
  units        INTEGER NOT NULL,
  amount       NUMERIC(78,0) NOT NULL,
  confirmed_at TIMESTAMPTZ NOT NULL,
  tx_hash      TEXT NOT NULL,
  block_number BIGINT NOT NULL
);
CREATE INDEX consumption_batches_hospital ON consumption_batches (hospital, block_number, batch_id);
CREATE INDEX consumption_batches_supplier ON consumption_batches (supplier, block_number, batch_id);

CREATE TRIGGER consignment_terms_undo AFTER INSERT OR UPDATE OR DELETE ON consignment_terms
  FOR EACH ROW EXECUTE FUNCTION indexer_record_undo();
CREATE TRIGGER consigned_orders_undo AFTER INSERT OR UPDATE OR DELETE ON consigned_orders
  FOR EACH ROW EXECUTE FUNCTION indexer_record_undo();
CREATE TRIGGER consigned_stock_undo AFTER INSERT OR UPDATE OR DELETE ON consigned_stock
  FOR EACH ROW EXECUTE FUNCTION indexer_record_undo();
CREATE TRIGGER consignment_movements_undo AFTER INSERT OR UPDATE OR DELETE ON consignment_movements
  FOR EACH ROW EXECUTE FUNCTION indexer_record_undo();
CREATE TRIGGER consumption_batches_undo AFTER INSERT OR UPDATE OR DELETE ON consumption_batches
  FOR EACH ROW EXECUTE FUNCTION indexer_record_undo();

-- The outbox, generalised: a job settles a shipment (kind 'settlement', keyed by shipment_id as
-- before) or pays a consumption batch (kind 'consumption', keyed by batch_id). Both share the
-- settler key, so one table keeps one nonce sequence and one worker.
ALTER TABLE settlement_jobs ADD COLUMN kind TEXT NOT NULL DEFAULT 'settlement'
  CONSTRAINT settlement_jobs_kind_known CHECK (kind IN ('settlement', 'consumption'));
ALTER TABLE settlement_jobs ADD COLUMN batch_id TEXT UNIQUE;
ALTER TABLE settlement_jobs ADD COLUMN hospital TEXT;
ALTER TABLE settlement_jobs ADD COLUMN supplier TEXT;
ALTER TABLE settlement_jobs ALTER COLUMN shipment_id DROP NOT NULL;
ALTER TABLE settlement_jobs ALTER COLUMN receipt_no DROP NOT NULL;
ALTER TABLE settlement_jobs ALTER COLUMN receipt_hash DROP NOT NULL;
ALTER TABLE settlement_jobs ADD CONSTRAINT settlement_jobs_kind_key
  CHECK ((kind = 'settlement') = (shipment_id IS NOT NULL) AND (kind = 'consumption') = (batch_id IS NOT NULL));

-- The lines of a consumption batch (what its transaction pays) and the usages they came from:
-- a usage is in at most one batch, so it is paid at most once.
CREATE TABLE consumption_batch_lines (
  batch_id    TEXT NOT NULL REFERENCES settlement_jobs (batch_id),
  shipment_id BIGINT NOT NULL,
  units       INTEGER NOT NULL CHECK (units > 0),
  PRIMARY KEY (batch_id, shipment_id)
);
CREATE TABLE consumption_batch_usages (
  hospital  TEXT NOT NULL,
  usage_id  TEXT NOT NULL,
  batch_id  TEXT NOT NULL REFERENCES settlement_jobs (batch_id),
  PRIMARY KEY (hospital, usage_id),
  FOREIGN KEY (hospital, usage_id) REFERENCES usages (hospital, usage_id)
);
