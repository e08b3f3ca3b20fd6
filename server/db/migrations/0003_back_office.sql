-- The hospital back office kept by the gateway alone (off-chain documents): serial manifests,
-- goods receipts, match results, exceptions, the settlement outbox and idempotency records.

-- A shipment's serial list as uploaded by its supplier; accepted only if its Merkle root equals
-- the on-chain root, so every row here is provable against the chain.
CREATE TABLE manifest_serials (
  shipment_id BIGINT NOT NULL,
  serial      TEXT NOT NULL,
  leaf_index  INTEGER NOT NULL,
  PRIMARY KEY (shipment_id, serial)
);

CREATE TABLE manifests (
  shipment_id BIGINT PRIMARY KEY,
  serial_root TEXT NOT NULL,
  serial_count INTEGER NOT NULL,
  tree        JSONB NOT NULL,
  uploaded_by TEXT NOT NULL,
  uploaded_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE idempotency_keys (
  scope        TEXT NOT NULL,
  key          TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  status_code  INTEGER NOT NULL,
  response     JSONB NOT NULL,
  created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (scope, key)
);

CREATE TABLE receipts (
  receipt_no   TEXT PRIMARY KEY,
  shipment_id  BIGINT NOT NULL,
  hospital     TEXT NOT NULL,
  received_at  TIMESTAMPTZ NOT NULL,
  received_by  TEXT NOT NULL,
  received_qty NUMERIC(78,0) NOT NULL,
  rejected_qty NUMERIC(78,0) NOT NULL,
  document     JSONB NOT NULL,
  receipt_hash TEXT NOT NULL,
  created_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX receipts_shipment ON receipts (shipment_id);

CREATE TABLE receipt_lines (
  receipt_no   TEXT NOT NULL,
  line_no      INTEGER NOT NULL,
  gtin         TEXT NOT NULL,
  lot          TEXT,
  expiry       DATE,
  serial       TEXT,
  quantity     NUMERIC(78,0) NOT NULL,
  rejected     NUMERIC(78,0) NOT NULL,
  reject_reason TEXT,
  barcode      TEXT,
  PRIMARY KEY (receipt_no, line_no)
);
CREATE INDEX receipt_lines_lot ON receipt_lines (gtin, lot);

-- A serial is received once, anywhere: the second receipt of the same item is an exception.
CREATE TABLE received_serials (
  gtin        TEXT NOT NULL,
  serial      TEXT NOT NULL,
  receipt_no  TEXT NOT NULL,
  hospital    TEXT NOT NULL,
  received_at TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (gtin, serial)
);

-- One match result per receipt: matched (queued for payment) or exception.
CREATE TABLE matches (
  receipt_no  TEXT PRIMARY KEY,
  shipment_id BIGINT NOT NULL,
  status      TEXT NOT NULL,
  accepted    NUMERIC(78,0) NOT NULL,
  rejected    NUMERIC(78,0) NOT NULL,
  reasons     JSONB NOT NULL,
  matched_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE exceptions (
  id          BIGSERIAL PRIMARY KEY,
  receipt_no  TEXT,
  shipment_id BIGINT NOT NULL,
  source      TEXT NOT NULL,
  reasons     JSONB NOT NULL,
  proposed_accepted NUMERIC(78,0) NOT NULL,
  status      TEXT NOT NULL DEFAULT 'open',
  resolution  TEXT,
  resolved_accepted NUMERIC(78,0),
  note        TEXT,
  resolved_by TEXT,
  resolved_at TIMESTAMPTZ,
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX exceptions_status ON exceptions (status);
CREATE INDEX exceptions_shipment ON exceptions (shipment_id);

-- The durable outbox: one job per shipment (the unique key is what makes paying exactly-once
-- possible), pending → submitted(tx) → confirmed | failed.
CREATE TABLE settlement_jobs (
  id            BIGSERIAL PRIMARY KEY,
  shipment_id   BIGINT NOT NULL UNIQUE,
  receipt_no    TEXT NOT NULL,
  accepted      NUMERIC(78,0) NOT NULL,
  rejected      NUMERIC(78,0) NOT NULL,
  received_at   TIMESTAMPTZ NOT NULL,
  receipt_hash  TEXT NOT NULL,
  status        TEXT NOT NULL DEFAULT 'pending',
  tx_hash       TEXT,
  raw_tx        TEXT,
  nonce         BIGINT,
  attempts      INTEGER NOT NULL DEFAULT 0,
  last_error    TEXT,
  error_name    TEXT,
  next_attempt_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  submitted_at  TIMESTAMPTZ,
  confirmed_at  TIMESTAMPTZ,
  created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX settlement_jobs_status ON settlement_jobs (status, next_attempt_at);
