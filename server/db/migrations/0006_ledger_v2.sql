-- The ledger's v2 contracts: bid bonds and windows on tenders, agreements priced by accepted
-- volume, orders funded after placement, shipments stored as record hashes whose delivery time
-- the chain derives from arrival and receiving records, scoped and liftable recalls, product
-- (GTIN) registrations and two-step hospital membership. A database indexed from a v1 deployment
-- is refused at start (another deployment id), so no v1 rows need converting.

ALTER TABLE tenders
  ADD COLUMN bid_bond         NUMERIC(78,0),
  ADD COLUMN funding_window   INTEGER,
  ADD COLUMN receiving_window INTEGER,
  ADD COLUMN confirm_window   INTEGER,
  -- Bonds of bidders that never revealed in an awarded tender, shared by its hospitals.
  ADD COLUMN forfeited        NUMERIC(78,0) NOT NULL DEFAULT 0;
-- tenders.status: 'open' | 'awarded' | 'failed' | 'cancelled'.

-- Bids are ranked by commitment time now, not by a counter: `sequence` stays NULL.
ALTER TABLE bids
  ALTER COLUMN sequence DROP NOT NULL,
  ADD COLUMN committed_at  TIMESTAMPTZ,
  ADD COLUMN bond          NUMERIC(78,0) NOT NULL DEFAULT 0,
  ADD COLUMN bond_returned BOOLEAN NOT NULL DEFAULT FALSE;

-- Prices follow accepted volume: the cumulative volume is the accepted volume, the position on
-- the tier schedule.
ALTER TABLE agreements RENAME COLUMN cumulative_volume TO accepted_volume;
ALTER TABLE agreements
  ADD COLUMN funded_volume    NUMERIC(78,0) NOT NULL DEFAULT 0,
  ADD COLUMN funding_window   INTEGER,
  ADD COLUMN receiving_window INTEGER,
  ADD COLUMN confirm_window   INTEGER;

-- agreement_hospitals.ordered is the hospital's funded, uncancelled volume.
ALTER TABLE agreement_hospitals
  ADD COLUMN accepted NUMERIC(78,0) NOT NULL DEFAULT 0;

-- orders.value is the escrow taken at funding: 0 until the order is funded.
ALTER TABLE orders
  ALTER COLUMN value SET DEFAULT 0,
  ADD COLUMN funding_expires_at    TIMESTAMPTZ,
  ADD COLUMN excess_consented      BOOLEAN NOT NULL DEFAULT FALSE,
  ADD COLUMN late_shipment_allowed BOOLEAN NOT NULL DEFAULT FALSE;

ALTER TABLE shipments
  ADD COLUMN hospital          TEXT,
  ADD COLUMN lot_key           TEXT,
  -- Block time of the supplier's (or its carrier's) first Arriving step.
  ADD COLUMN arrived_at        TIMESTAMPTZ,
  -- Block time of the hospital's first step from Receiving on, or of the settlement if none.
  ADD COLUMN chain_received_at TIMESTAMPTZ,
  ADD COLUMN disputed_units    NUMERIC(78,0),
  ADD COLUMN dispute_reason    INTEGER;
CREATE INDEX shipments_lot_key ON shipments (lot_key);

-- A lot may be recalled by a regulator (scope = the zero address: every supplier) or by a
-- supplier (scope = itself), lifted by a regulator and recalled again: one row per recall, open
-- while lifted_at IS NULL.
DROP TABLE recalls;
CREATE TABLE recalls (
  lot_key           TEXT NOT NULL,
  gtin              TEXT NOT NULL,
  lot               TEXT NOT NULL,
  scope             TEXT NOT NULL,
  recalled_by       TEXT NOT NULL,
  reason_code       INTEGER NOT NULL,
  recalled_at       TIMESTAMPTZ NOT NULL,
  tx_hash           TEXT NOT NULL,
  block_number      BIGINT NOT NULL,
  log_index         INTEGER NOT NULL,
  lifted_at         TIMESTAMPTZ,
  lifted_by         TEXT,
  lift_reason_code  INTEGER,
  lift_tx_hash      TEXT,
  lift_block_number BIGINT,
  lift_log_index    INTEGER,
  PRIMARY KEY (tx_hash, log_index)
);
CREATE INDEX recalls_lot ON recalls (gtin, lot);
CREATE INDEX recalls_lot_key ON recalls (lot_key);

-- The delivery time the settlement was judged at (payout.deliveredAt), and who settled: the
-- hospital's settler, or the supplier claiming undisputed units.
ALTER TABLE settlements RENAME COLUMN received_at TO delivered_at;
ALTER TABLE settlements ADD COLUMN settled_by TEXT;

-- GTINs a supplier may ship: the current attested product registration per (supplier, GTIN).
CREATE TABLE supplier_gtins (
  supplier    TEXT NOT NULL,
  gtin        TEXT NOT NULL,
  document_id BIGINT NOT NULL,
  valid_from  TIMESTAMPTZ NOT NULL,
  valid_until TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (supplier, gtin)
);
CREATE INDEX supplier_gtins_gtin ON supplier_gtins (gtin);

-- The GTINs a product registration declared (NULL for any other document).
ALTER TABLE supplier_documents ADD COLUMN gtins JSONB;

-- Invitations a hospital sent and the account has not accepted yet.
CREATE TABLE hospital_invitations (
  hospital   TEXT NOT NULL,
  member     TEXT NOT NULL,
  roles      INTEGER NOT NULL,
  invited_at TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (hospital, member)
);
CREATE INDEX hospital_invitations_member ON hospital_invitations (member);

-- The settlement worker passes each shipment's record back to the chain exactly as its
-- ShipmentCreated event carried it.
CREATE INDEX chain_events_shipment_created ON chain_events ((args->>'shipmentId'))
  WHERE contract = 'trace' AND event = 'ShipmentCreated';

-- The chain derives the delivery time itself: the goods-receipt time is no longer sent with a
-- confirmation, and stays on the receipt (receipts.received_at).
ALTER TABLE settlement_jobs DROP COLUMN received_at;
