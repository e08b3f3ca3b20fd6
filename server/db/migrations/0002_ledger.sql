-- The ledger as the indexer sees it. `chain_events` is the raw, decoded event log (the source
-- every projection below is rebuilt from after a reorg); the other tables are projections.
-- Money and unit counts are NUMERIC(78,0) (uint256 range); addresses and hashes lower-case hex.

CREATE TABLE chain_events (
  block_number BIGINT NOT NULL,
  block_hash   TEXT NOT NULL,
  block_time   TIMESTAMPTZ NOT NULL,
  tx_hash      TEXT NOT NULL,
  tx_index     INTEGER NOT NULL,
  log_index    INTEGER NOT NULL,
  contract     TEXT NOT NULL,
  address      TEXT NOT NULL,
  event        TEXT NOT NULL,
  args         JSONB NOT NULL,
  PRIMARY KEY (block_hash, log_index)
);
CREATE INDEX chain_events_order ON chain_events (block_number, log_index);
CREATE INDEX chain_events_event ON chain_events (contract, event);

-- Recent canonical blocks, for reorg detection (a stored hash the chain no longer has).
CREATE TABLE indexer_blocks (
  block_number BIGINT PRIMARY KEY,
  block_hash   TEXT NOT NULL,
  parent_hash  TEXT NOT NULL
);

CREATE TABLE suppliers (
  address         TEXT PRIMARY KEY,
  name            TEXT NOT NULL,
  registration_id TEXT NOT NULL,
  status          TEXT NOT NULL,
  status_reason   INTEGER,
  registered_at   TIMESTAMPTZ NOT NULL,
  last_tx         TEXT NOT NULL,
  last_block      BIGINT NOT NULL
);

CREATE TABLE supplier_documents (
  id           BIGINT PRIMARY KEY,
  supplier     TEXT NOT NULL,
  kind         TEXT NOT NULL,
  sha256       TEXT NOT NULL,
  valid_from   TIMESTAMPTZ NOT NULL,
  valid_until  TIMESTAMPTZ NOT NULL,
  categories   JSONB NOT NULL,
  status       TEXT NOT NULL,
  reason_code  INTEGER,
  decided_by   TEXT,
  last_tx      TEXT NOT NULL,
  last_block   BIGINT NOT NULL
);
CREATE INDEX supplier_documents_supplier ON supplier_documents (supplier);

-- Bit i set = DocumentKind i required (regulator configuration, latest value).
CREATE TABLE required_kinds (
  id        INTEGER PRIMARY KEY CHECK (id = 1),
  kinds     INTEGER NOT NULL,
  last_tx   TEXT NOT NULL,
  last_block BIGINT NOT NULL
);

CREATE TABLE tenders (
  id                  BIGINT PRIMARY KEY,
  category            TEXT NOT NULL,
  reserve_price       NUMERIC(78,0) NOT NULL,
  commit_deadline     TIMESTAMPTZ NOT NULL,
  reveal_deadline     TIMESTAMPTZ NOT NULL,
  term_seconds        BIGINT NOT NULL,
  lead_time_days      INTEGER NOT NULL,
  penalty_bps_per_day INTEGER NOT NULL,
  penalty_cap_bps     INTEGER NOT NULL,
  winners             INTEGER NOT NULL,
  hospitals           JSONB NOT NULL,
  status              TEXT NOT NULL,
  opened_by           TEXT NOT NULL,
  last_tx             TEXT NOT NULL,
  last_block          BIGINT NOT NULL
);

CREATE TABLE bids (
  tender_id   BIGINT NOT NULL,
  bidder      TEXT NOT NULL,
  commitment  TEXT NOT NULL,
  sequence    BIGINT NOT NULL,
  revealed    BOOLEAN NOT NULL DEFAULT FALSE,
  tiers       JSONB,
  skipped     BOOLEAN NOT NULL DEFAULT FALSE,
  won         BOOLEAN NOT NULL DEFAULT FALSE,
  last_tx     TEXT NOT NULL,
  last_block  BIGINT NOT NULL,
  PRIMARY KEY (tender_id, bidder)
);

CREATE TABLE agreements (
  id                  BIGINT PRIMARY KEY,
  tender_id           BIGINT NOT NULL,
  supplier            TEXT NOT NULL,
  category            TEXT NOT NULL,
  start_at            TIMESTAMPTZ NOT NULL,
  end_at              TIMESTAMPTZ NOT NULL,
  tiers               JSONB NOT NULL,
  lead_time_days      INTEGER NOT NULL,
  penalty_bps_per_day INTEGER NOT NULL,
  penalty_cap_bps     INTEGER NOT NULL,
  cumulative_volume   NUMERIC(78,0) NOT NULL DEFAULT 0,
  last_tx             TEXT NOT NULL,
  last_block          BIGINT NOT NULL
);
CREATE INDEX agreements_supplier ON agreements (supplier);

CREATE TABLE agreement_hospitals (
  agreement_id BIGINT NOT NULL,
  hospital     TEXT NOT NULL,
  committed    NUMERIC(78,0) NOT NULL DEFAULT 0,
  ordered      NUMERIC(78,0) NOT NULL DEFAULT 0,
  PRIMARY KEY (agreement_id, hospital)
);

CREATE TABLE hospitals (
  address            TEXT PRIMARY KEY,
  name_hash          TEXT NOT NULL,
  approval_threshold NUMERIC(78,0) NOT NULL DEFAULT 0,
  enrolled_by        TEXT NOT NULL,
  enrolled_at        TIMESTAMPTZ NOT NULL,
  last_tx            TEXT NOT NULL,
  last_block         BIGINT NOT NULL
);

-- roles bitmap: 1 approver, 2 settler, 4 receiver.
CREATE TABLE hospital_members (
  hospital   TEXT NOT NULL,
  member     TEXT NOT NULL,
  roles      INTEGER NOT NULL,
  last_tx    TEXT NOT NULL,
  last_block BIGINT NOT NULL,
  PRIMARY KEY (hospital, member)
);
CREATE UNIQUE INDEX hospital_members_member ON hospital_members (member);

CREATE TABLE orders (
  id                 BIGINT PRIMARY KEY,
  agreement_id       BIGINT NOT NULL,
  hospital           TEXT NOT NULL,
  supplier           TEXT NOT NULL,
  placed_by          TEXT NOT NULL,
  quantity           NUMERIC(78,0) NOT NULL,
  value              NUMERIC(78,0) NOT NULL,
  requested_delivery TIMESTAMPTZ NOT NULL,
  delivery_deadline  TIMESTAMPTZ NOT NULL,
  order_ref          TEXT NOT NULL,
  status             TEXT NOT NULL,
  approvals          INTEGER NOT NULL DEFAULT 0,
  required_approvals INTEGER,
  shipped            NUMERIC(78,0) NOT NULL DEFAULT 0,
  accepted           NUMERIC(78,0) NOT NULL DEFAULT 0,
  cancelled          NUMERIC(78,0) NOT NULL DEFAULT 0,
  cancel_requested   BOOLEAN NOT NULL DEFAULT FALSE,
  escrow             NUMERIC(78,0) NOT NULL DEFAULT 0,
  paid               NUMERIC(78,0) NOT NULL DEFAULT 0,
  placed_at          TIMESTAMPTZ NOT NULL,
  funded_at          TIMESTAMPTZ,
  closed_at          TIMESTAMPTZ,
  last_tx            TEXT NOT NULL,
  last_block         BIGINT NOT NULL
);
CREATE INDEX orders_hospital ON orders (hospital);
CREATE INDEX orders_agreement ON orders (agreement_id);

CREATE TABLE order_approvals (
  order_id     BIGINT NOT NULL,
  approver     TEXT NOT NULL,
  approvals    INTEGER NOT NULL,
  required     INTEGER NOT NULL,
  approved_at  TIMESTAMPTZ NOT NULL,
  tx_hash      TEXT NOT NULL,
  block_number BIGINT NOT NULL,
  log_index    INTEGER NOT NULL,
  PRIMARY KEY (order_id, approver)
);

CREATE TABLE shipments (
  id               BIGINT PRIMARY KEY,
  order_id         BIGINT NOT NULL,
  supplier         TEXT NOT NULL,
  gtin             TEXT NOT NULL,
  lot              TEXT NOT NULL,
  expiry           TIMESTAMPTZ NOT NULL,
  quantity         NUMERIC(78,0) NOT NULL,
  serial_root      TEXT NOT NULL,
  notice_hash      TEXT NOT NULL,
  created_at       TIMESTAMPTZ NOT NULL,
  excursion        BOOLEAN NOT NULL DEFAULT FALSE,
  excursion_waived BOOLEAN NOT NULL DEFAULT FALSE,
  confirmed        BOOLEAN NOT NULL DEFAULT FALSE,
  last_tx          TEXT NOT NULL,
  last_block       BIGINT NOT NULL
);
CREATE INDEX shipments_order ON shipments (order_id);
CREATE INDEX shipments_lot ON shipments (gtin, lot);

CREATE TABLE trace_events (
  shipment_id   BIGINT NOT NULL,
  event_index   INTEGER NOT NULL,
  step          TEXT NOT NULL,
  actor         TEXT NOT NULL,
  location      TEXT NOT NULL,
  event_time    TIMESTAMPTZ NOT NULL,
  sensor_digest TEXT NOT NULL,
  excursion     BOOLEAN NOT NULL,
  tx_hash       TEXT NOT NULL,
  block_number  BIGINT NOT NULL,
  log_index     INTEGER NOT NULL,
  PRIMARY KEY (shipment_id, event_index)
);

CREATE TABLE recalls (
  lot_key      TEXT PRIMARY KEY,
  gtin         TEXT NOT NULL,
  lot          TEXT NOT NULL,
  recalled_by  TEXT NOT NULL,
  reason_code  INTEGER NOT NULL,
  recalled_at  TIMESTAMPTZ NOT NULL,
  tx_hash      TEXT NOT NULL,
  block_number BIGINT NOT NULL,
  log_index    INTEGER NOT NULL
);
CREATE INDEX recalls_lot ON recalls (gtin, lot);

-- On-chain settlements (ShipmentSettled): what was actually paid.
CREATE TABLE settlements (
  shipment_id  BIGINT PRIMARY KEY,
  order_id     BIGINT NOT NULL,
  supplier     TEXT NOT NULL,
  accepted     NUMERIC(78,0) NOT NULL,
  rejected     NUMERIC(78,0) NOT NULL,
  received_at  TIMESTAMPTZ NOT NULL,
  receipt_hash TEXT NOT NULL,
  gross        NUMERIC(78,0) NOT NULL,
  penalty      NUMERIC(78,0) NOT NULL,
  paid         NUMERIC(78,0) NOT NULL,
  days_late    INTEGER NOT NULL,
  paid_at      TIMESTAMPTZ NOT NULL,
  tx_hash      TEXT NOT NULL,
  block_number BIGINT NOT NULL,
  log_index    INTEGER NOT NULL
);
CREATE INDEX settlements_supplier ON settlements (supplier);
